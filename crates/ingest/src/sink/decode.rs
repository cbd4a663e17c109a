//! Turns a Kafka message into rows, or into the reason it cannot be stored.
//!
//! Anything that would make ClickHouse refuse the whole batch (a poison message) must be
//! caught here and dead-lettered, or the sink would retry that batch forever.

use chrono::{DateTime, Utc};
use civicpulse_core::event::SCHEMA_VERSION;
use civicpulse_core::{Envelope, EventKind};

use super::rows::Rows;

/// Decodes one message read from the topic of `expected` kind.
pub fn decode(expected: EventKind, payload: Option<&[u8]>) -> Result<Rows, String> {
    let payload = payload.ok_or("message has no payload")?;
    // One parse on the happy path; the version is looked at apart only to explain a failure.
    let envelope: Envelope = serde_json::from_slice(payload).map_err(|e| {
        check_schema_version(payload)
            .err()
            .unwrap_or_else(|| format!("payload is not a v{SCHEMA_VERSION} event envelope: {e}"))
    })?;
    if envelope.schema_version != SCHEMA_VERSION {
        return Err(unsupported(envelope.schema_version));
    }
    let kind = envelope.event.kind();
    if kind != expected {
        return Err(format!(
            "a {} event on the {} topic",
            kind.as_str(),
            expected.as_str()
        ));
    }
    storable_time("occurred_at", envelope.event.occurred_at())?;
    storable_time("received_at", envelope.received_at)?;
    Ok(Rows::from_envelope(envelope))
}

/// Why a payload that is no v1 envelope failed, when its version is the reason: an envelope
/// of another version has another shape, and the reason must name the version, not the
/// first field the v1 shape misses.
fn check_schema_version(payload: &[u8]) -> Result<(), String> {
    #[derive(serde::Deserialize)]
    struct Versioned {
        schema_version: Option<serde_json::Value>,
    }
    let versioned: Versioned = serde_json::from_slice(payload)
        .map_err(|e| format!("payload is not a v{SCHEMA_VERSION} event envelope: {e}"))?;
    match versioned.schema_version {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(SCHEMA_VERSION)) => {
            Ok(())
        }
        Some(other) => Err(unsupported(other)),
        None => Err(format!(
            "payload is not a v{SCHEMA_VERSION} event envelope: missing field `schema_version`"
        )),
    }
}

fn unsupported(version: impl std::fmt::Display) -> String {
    format!("unsupported schema_version {version} (this sink reads {SCHEMA_VERSION})")
}

/// ClickHouse `DateTime` holds seconds since 1970 in 32 bits.
fn storable_time(field: &str, at: DateTime<Utc>) -> Result<(), String> {
    if u32::try_from(at.timestamp()).is_ok() {
        Ok(())
    } else {
        Err(format!(
            "{field} {at} is outside what ClickHouse DateTime can store"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(kind: &str, occurred_at: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "schema_version": 1,
            "received_at": "2026-03-10T12:00:00Z",
            "source": "test",
            "event": {
                "kind": kind,
                "event_id": "7f1c1a52-3f52-4d0e-9d4b-8a1de0f3c0a1",
                "occurred_at": occurred_at,
                "service_id": "passport-in-person",
                "channel": "in_person",
                "case_ref": "c-1",
                "milestone": "complete"
            }
        }))
        .unwrap()
    }

    #[test]
    fn a_good_envelope_becomes_rows() {
        let rows = decode(
            EventKind::Milestone,
            Some(&envelope("milestone", "2026-03-10T11:00:00Z")),
        )
        .unwrap();
        let Rows::Milestone(row) = rows else {
            panic!("expected a milestone row")
        };
        assert_eq!(row.milestone, "complete");
        assert_eq!(row.source, "test");
    }

    #[test]
    fn poison_messages_are_refused_with_a_reason() {
        let cases: Vec<(Option<Vec<u8>>, &str)> = vec![
            (None, "no payload"),
            (
                Some(b"\xff\xfe not json".to_vec()),
                "not a v1 event envelope",
            ),
            (
                Some(br#"{"schema_version": 1}"#.to_vec()),
                "not a v1 event envelope",
            ),
            (
                Some(envelope("milestone", "1969-12-31T00:00:00Z")),
                "outside what ClickHouse",
            ),
        ];
        for (payload, expected) in cases {
            let reason = decode(EventKind::Milestone, payload.as_deref()).unwrap_err();
            assert!(reason.contains(expected), "{reason}");
        }
        let reason = decode(
            EventKind::Feedback,
            Some(&envelope("milestone", "2026-03-10T11:00:00Z")),
        )
        .unwrap_err();
        assert!(
            reason.contains("a milestone event on the feedback topic"),
            "{reason}"
        );
        let future_version = String::from_utf8(envelope("milestone", "2026-03-10T11:00:00Z"))
            .unwrap()
            .replace("\"schema_version\":1", "\"schema_version\":2");
        let reason = decode(EventKind::Milestone, Some(future_version.as_bytes())).unwrap_err();
        assert!(reason.contains("unsupported schema_version 2"), "{reason}");
        // A future version has a shape of its own: the reason names the version, not the
        // first v1 field it lacks.
        let other_shape = br#"{"schema_version": 2, "events": [{"type": "x"}]}"#;
        let reason = decode(EventKind::Milestone, Some(other_shape)).unwrap_err();
        assert!(reason.contains("unsupported schema_version 2"), "{reason}");
        let reason = decode(EventKind::Milestone, Some(br#"{"schema_version": "1"}"#)).unwrap_err();
        assert!(
            reason.contains("unsupported schema_version \"1\""),
            "{reason}"
        );
    }
}
