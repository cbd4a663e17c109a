//! Reads JSON as the event contracts require: a key given twice in one object is an error
//! naming it, never "the last one wins".
//!
//! `serde_json::Value` keeps only the last of two equal keys, and the derived struct
//! deserializers never see the first, so a client sending `service_id` twice would have one
//! of its values dropped silently. This reader builds the same `Value` through serde's own
//! visitor API and refuses the second occurrence with the dotted path of the key
//! (`answers.satisfaction`).

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::validate::FieldError;

/// Parses one JSON document, refusing repeated keys in any object, at any depth.
pub fn parse(text: &[u8]) -> Result<Value, FieldError> {
    let found = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let parsed = StrictValue {
        path: String::new(),
        found: &found,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    parsed.map_err(|error| {
        found
            .into_inner()
            .unwrap_or_else(|| FieldError::new("", format!("not valid JSON: {error}")))
    })
}

/// A `Value` being read at `path`; the first repeated key is written to `found`, because a
/// serde error cannot carry a field path of its own.
struct StrictValue<'a> {
    path: String,
    found: &'a RefCell<Option<FieldError>>,
}

impl StrictValue<'_> {
    fn child(&self, segment: &str) -> Self {
        let path = if self.path.is_empty() {
            segment.to_string()
        } else {
            format!("{}.{segment}", self.path)
        };
        StrictValue {
            path,
            found: self.found,
        }
    }
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.child(&items.len().to_string()))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let child = self.child(&key);
            if !seen.insert(key.clone()) {
                let error = FieldError::new(
                    child.path,
                    format!("`{key}` is given more than once: send each field once"),
                );
                let message = error.to_string();
                self.found.replace(Some(error));
                return Err(de::Error::custom(message));
            }
            let value = map.next_value_seed(child)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn well_formed_json_reads_as_serde_json_does() {
        let text = br#"{"a": 1, "b": [true, null, -2, 1.5, "x"], "c": {"d": {}}}"#;
        assert_eq!(
            parse(text).unwrap(),
            serde_json::from_slice::<Value>(text).unwrap()
        );
    }

    #[test]
    fn a_repeated_key_is_named_by_its_path() {
        let cases: [(&str, &str); 4] = [
            (r#"{"service_id": "a", "service_id": "b"}"#, "service_id"),
            (
                r#"{"answers": {"satisfaction": 4, "satisfaction": 1}}"#,
                "answers.satisfaction",
            ),
            (r#"{"a": [{"x": 1}, {"x": 1, "x": 2}]}"#, "a.1.x"),
            (r#"{"event_id": 1, "b": 2, "event_id": 1}"#, "event_id"),
        ];
        for (text, field) in cases {
            let error = parse(text.as_bytes()).unwrap_err();
            assert_eq!(error.field, field, "{text}");
            assert!(error.reason.contains("more than once"), "{error}");
        }
    }

    #[test]
    fn the_same_key_in_sibling_objects_is_fine() {
        let value = parse(br#"{"a": {"x": 1}, "b": {"x": 2}}"#).unwrap();
        assert_eq!(value, json!({"a": {"x": 1}, "b": {"x": 2}}));
    }

    #[test]
    fn malformed_json_and_trailing_text_are_refused() {
        for text in ["{", "{\"a\": 1} x", "", "[1,]"] {
            let error = parse(text.as_bytes()).unwrap_err();
            assert_eq!(error.field, "", "{text}");
            assert!(error.reason.contains("not valid JSON"), "{error}");
        }
    }
}
