//! Times in the event contracts: RFC 3339 §5.6 `date-time`, exactly.
//!
//! serde's default reading of a `DateTime` is chrono's lenient `FromStr`, which also takes
//! leading and inner spaces, a `UTC` suffix, a `+002026` year and a `+0000` offset; the
//! contract says RFC 3339, and a client that sends anything else should hear so rather
//! than have a guess stored. The grammar is checked here (date, `T` or `t`, time with
//! optional fractional seconds, `Z`, `z` or `±hh:mm`); chrono's RFC 3339 parser (which
//! alone would also take a space for the `T`) then checks the ranges and builds the value.
//!
//! Two choices the RFC leaves open: `-00:00` ("UTC, local offset unknown", §4.3) is
//! accepted as UTC, since only the instant is stored; a leap second (`:60`) is refused, as
//! no storage downstream can hold it.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;
use schemars::gen::SchemaGenerator;
use schemars::schema::{InstanceType, Metadata, Schema, SchemaObject, StringValidation};
use serde::{Deserialize, Deserializer};

/// RFC 3339 §5.6 `date-time`, with seconds `00`–`59`.
pub const PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5][0-9](\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$";

static DATE_TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(PATTERN).expect("the RFC 3339 pattern is valid"));

/// Why a text is not an RFC 3339 date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rfc3339Error {
    #[error(
        "not an RFC 3339 date-time: expected e.g. `2026-03-10T12:00:00Z` or \
         `2026-03-10T07:00:00.5-05:00` (a `T` between date and time, seconds, and `Z` or an \
         offset `±hh:mm`; no spaces)"
    )]
    Malformed,
    #[error("not a valid date-time: a month, day, hour, minute or offset is out of range")]
    OutOfRange,
}

/// The instant `text` names, if it is exactly an RFC 3339 date-time.
pub fn parse(text: &str) -> Result<DateTime<Utc>, Rfc3339Error> {
    if !DATE_TIME.is_match(text) {
        return Err(Rfc3339Error::Malformed);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| Rfc3339Error::OutOfRange)
}

/// For `#[serde(deserialize_with)]` on every time field of the contracts.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    parse(&text).map_err(serde::de::Error::custom)
}

/// For `#[schemars(schema_with)]`: the published schema states the same grammar.
pub fn schema(_: &mut SchemaGenerator) -> Schema {
    SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        format: Some("date-time".into()),
        metadata: Some(Box::new(Metadata {
            description: Some(
                "RFC 3339 date-time (any offset; stored as UTC), e.g. 2026-03-10T07:00:00-05:00"
                    .into(),
            ),
            ..Default::default()
        })),
        string: Some(Box::new(StringValidation {
            pattern: Some(PATTERN.into()),
            ..Default::default()
        })),
        ..Default::default()
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn every_form_of_section_5_6_is_accepted() {
        let cases = [
            ("2026-03-10T12:00:00Z", "2026-03-10T12:00:00Z"),
            ("2026-03-10t12:00:00z", "2026-03-10T12:00:00Z"),
            ("2026-03-10T07:00:00-05:00", "2026-03-10T12:00:00Z"),
            ("2026-03-10T17:30:00+05:30", "2026-03-10T12:00:00Z"),
            ("2026-03-10T12:00:00.5Z", "2026-03-10T12:00:00.500Z"),
            (
                "2026-03-10T12:00:00.123456789+00:00",
                "2026-03-10T12:00:00.123456789Z",
            ),
            ("2026-03-10T12:00:00-00:00", "2026-03-10T12:00:00Z"),
            ("2024-02-29T23:59:59+23:59", "2024-02-29T00:00:59Z"),
        ];
        for (text, instant) in cases {
            assert_eq!(parse(text), Ok(utc(instant)), "{text}");
        }
    }

    #[test]
    fn loose_forms_are_refused() {
        for text in [
            " 2026-03-10T12:00:00Z",
            "2026-03-10T12:00:00Z ",
            "2026-03-10 12:00:00Z",
            "2026-03-10T 12:00:00Z",
            "2026-03-10T12:00:00 Z",
            "2026-03-10T12:00:00 UTC",
            "2026-03-10T12:00:00UTC",
            "+002026-03-10T12:00:00Z",
            "2026-03-10T12:00:00+0000",
            "2026-03-10T12:00:00+00",
            "2026-03-10T12:00:00\u{2212}05:00",
            "2026-03-10T12:00Z",
            "2026-03-10T12:00:00",
            "2026-03-10",
            "2026-3-10T12:00:00Z",
            "2026-03-10T12:00:00.Z",
            "2026-03-10T12:00:00,5Z",
            "２０２６-03-10T12:00:00Z",
            "2026-03-10T12:00:00Z\n",
            "2016-12-31T23:59:60Z",
            "",
        ] {
            assert_eq!(parse(text), Err(Rfc3339Error::Malformed), "{text:?}");
        }
    }

    #[test]
    fn out_of_range_fields_are_refused() {
        for text in [
            "2026-13-10T12:00:00Z",
            "2026-02-29T12:00:00Z",
            "2026-03-32T12:00:00Z",
            "2026-03-10T24:00:00Z",
            "2026-03-10T12:60:00Z",
            "2026-03-10T12:00:00+24:00",
            "2026-03-10T12:00:00+05:60",
        ] {
            assert_eq!(parse(text), Err(Rfc3339Error::OutOfRange), "{text:?}");
        }
    }

    /// What the gateway writes (chrono's serialization) reads back, so the sink can decode
    /// every envelope under the same rule.
    #[test]
    fn chrono_serialization_reads_back() {
        for instant in [
            utc("2026-03-10T12:00:00Z"),
            utc("2026-03-10T12:00:00.123456789Z"),
            utc("2026-03-10T12:00:00.5Z"),
        ] {
            let json = serde_json::to_string(&instant).unwrap();
            let mut deserializer = serde_json::Deserializer::from_str(&json);
            assert_eq!(deserialize(&mut deserializer).unwrap(), instant);
        }
    }
}
