//! Turns a request body into items: a JSON array (or one object) for `application/json`,
//! one event per line for `application/x-ndjson`. A line that is not JSON becomes a
//! rejected item rather than failing the whole request.

use civicpulse_core::FieldError;
use serde_json::Value;

use super::error::ApiError;

/// One item of a request: its JSON, or why its text could not be read.
pub type Item = Result<Value, FieldError>;

pub fn parse_items(content_type: Option<&str>, body: &[u8]) -> Result<Vec<Item>, ApiError> {
    let media_type = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|mt| mt.trim().to_ascii_lowercase());
    match media_type.as_deref() {
        Some("application/x-ndjson" | "application/jsonl" | "application/ndjson") => {
            Ok(ndjson_items(body))
        }
        Some("application/json") | None => json_items(body),
        Some(other) => Err(ApiError::BadRequest(format!(
            "unsupported content type `{other}`: send application/json or application/x-ndjson"
        ))),
    }
}

fn json_items(body: &[u8]) -> Result<Vec<Item>, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("body is not valid JSON: {e}")))?;
    Ok(match value {
        Value::Array(items) => items.into_iter().map(Ok).collect(),
        object @ Value::Object(_) => vec![Ok(object)],
        _ => {
            return Err(ApiError::BadRequest(
                "body must be a JSON array of events or one event object".into(),
            ))
        }
    })
}

fn ndjson_items(body: &[u8]) -> Vec<Item> {
    body.split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .map(|(number, line)| {
            serde_json::from_slice(line).map_err(|e| {
                FieldError::new("", format!("line {} is not valid JSON: {e}", number + 1))
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
    fn unreadable_bodies_are_bad_requests() {
        assert!(parse_items(Some("application/json"), b"[{").is_err());
        assert!(parse_items(Some("application/json"), b"42").is_err());
        assert!(parse_items(Some("text/csv"), b"a,b").is_err());
    }
}
