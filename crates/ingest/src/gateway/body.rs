//! Turns a request body into items: a JSON array (or one object) for `application/json`,
//! one event per line for `application/x-ndjson`. A line that is not JSON becomes a
//! rejected item rather than failing the whole request.

use civicpulse_core::{strict_json, FieldError};
use serde_json::value::RawValue;
use serde_json::Value;

use super::error::RequestError;

/// One item of a request: its JSON, or why its text could not be read.
pub type Item = Result<Value, FieldError>;

pub fn parse_items(content_type: Option<&str>, body: &[u8]) -> Result<Vec<Item>, RequestError> {
    let media_type = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|mt| mt.trim().to_ascii_lowercase());
    match media_type.as_deref() {
        Some("application/x-ndjson" | "application/jsonl" | "application/ndjson") => {
            Ok(ndjson_items(body))
        }
        Some("application/json") | None => json_items(body),
        Some(other) => Err(RequestError::BadRequest(format!(
            "unsupported content type `{other}`: send application/json or application/x-ndjson"
        ))),
    }
}

/// The array is split into raw items first, so that a repeated key inside one event
/// rejects that event only, naming the key, rather than the whole request.
fn json_items(body: &[u8]) -> Result<Vec<Item>, RequestError> {
    let not_json =
        |e: serde_json::Error| RequestError::BadRequest(format!("body is not valid JSON: {e}"));
    match body.trim_ascii_start().first() {
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_slice(body).map_err(not_json)?;
            Ok(items
                .into_iter()
                .map(|item| strict_json::parse(item.get().as_bytes()))
                .collect())
        }
        Some(b'{') => {
            // Malformed as a whole is a bad request, as for an array.
            let raw: &RawValue = serde_json::from_slice(body).map_err(not_json)?;
            Ok(vec![strict_json::parse(raw.get().as_bytes())])
        }
        Some(_) => Err(RequestError::BadRequest(
            "body must be a JSON array of events or one event object".into(),
        )),
        None => Err(RequestError::BadRequest(
            "body is not valid JSON: it is empty".into(),
        )),
    }
}

fn ndjson_items(body: &[u8]) -> Vec<Item> {
    body.split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .map(|(number, line)| {
            strict_json::parse(line).map_err(|e| match e.field.as_str() {
                "" => FieldError::new("", format!("line {}: {}", number + 1, e.reason)),
                _ => e,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_array_an_object_and_ndjson_are_read() {
        assert_eq!(
            parse_items(Some("application/json"), b"[{}, {}]")
                .unwrap()
                .len(),
            2
        );
        assert_eq!(parse_items(None, b"{\"a\":1}").unwrap().len(), 1);
        let items = parse_items(
            Some("application/x-ndjson; charset=utf-8"),
            b"{}\n\nnot json\n{}\n",
        )
        .unwrap();
        assert_eq!(items.len(), 3);
        assert!(items[1].as_ref().unwrap_err().reason.contains("line 3"));
    }

    #[test]
    fn a_repeated_key_rejects_its_item_only_and_names_the_key() {
        let body = br#"[{"a": 1}, {"kind": "feedback", "answers": {"ease": 2, "ease": 5}}]"#;
        let items = parse_items(Some("application/json"), body).unwrap();
        assert!(items[0].is_ok());
        assert_eq!(items[1].as_ref().unwrap_err().field, "answers.ease");
        let line = b"{\"event_id\": \"x\", \"event_id\": \"y\"}\n";
        let items = parse_items(Some("application/x-ndjson"), line).unwrap();
        assert_eq!(items[0].as_ref().unwrap_err().field, "event_id");
        let single = br#"{"service_id": "a", "service_id": "b"}"#;
        let items = parse_items(None, single).unwrap();
        assert_eq!(items[0].as_ref().unwrap_err().field, "service_id");
    }

    #[test]
    fn unreadable_bodies_are_bad_requests() {
        assert!(parse_items(Some("application/json"), b"[{").is_err());
        assert!(parse_items(Some("application/json"), b"42").is_err());
        assert!(parse_items(Some("text/csv"), b"a,b").is_err());
    }
}
