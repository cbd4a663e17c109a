//! The JSON Schema of the event contracts, published as `schemas/events.v1.json`.
//!
//! It is generated from the same types the gateway parses with, and a test fails when the
//! checked-in file drifts from them.

use schemars::schema::RootSchema;

use crate::event::Event;

/// The schema of one event (a request body is an array of these, or NDJSON lines).
pub fn event_schema() -> RootSchema {
    let mut schema = schemars::schema_for!(Event);
    let metadata = schema.schema.metadata();
    metadata.title = Some("Civic Pulse event, contracts v1".into());
    metadata.description = Some(
        "One event sent to POST /v1/events: feedback, a case milestone, or a transaction \
         offered the survey. `event_id` is the idempotency key."
            .into(),
    );
    schema
}

/// The published file's text: pretty JSON with a trailing newline.
pub fn event_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&event_schema()).expect("a schema serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_schema_matches_the_types() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas/events.v1.json");
        let published = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            published == event_schema_json(),
            "schemas/events.v1.json is stale: run `cargo run -- schema > schemas/events.v1.json`"
        );
    }
}
