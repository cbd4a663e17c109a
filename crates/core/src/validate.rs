//! Strict, field-precise validation of incoming events.
//!
//! Parsing happens in two steps so every error names the field it is about: first the JSON
//! shape (types, enums, unknown fields; the path comes from `serde_path_to_error`), then the
//! rules the types cannot express (catalog membership, ranges, clock skew, lengths).

use std::borrow::Cow;

use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::catalog::Catalog;
use crate::event::{Answers, Channel, Event, EventKind, Feedback, Milestone, Offered, Segment};
use crate::pii::{contact_in_identifier, contact_in_region};
use crate::text::{clean_free_text, forbidden_in_identifier};

/// Longest accepted free-text comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;
/// How far in the future `occurred_at` may lie, to absorb client clock drift.
pub const MAX_FUTURE_SKEW: Duration = Duration::minutes(5);
/// Longest accepted identifier-like string (`case_ref`, `stage`, `region`, …).
pub const MAX_ID_CHARS: usize = 128;

/// Events older than this are refused as implausible (and could not be stored in
/// ClickHouse's 32-bit `DateTime` if before 1970): the start of [`crate::horizon`].
pub fn earliest_occurred_at() -> DateTime<Utc> {
    crate::horizon::first_instant()
}

/// A reason an event was rejected, naming the offending field with a dotted path
/// (`answers.trust`, `segment.age_band`); the empty path means the event as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.reason)
        } else {
            write!(f, "{}: {}", self.field, self.reason)
        }
    }
}

/// Validates events against the contracts and the service catalog.
#[derive(Debug, Clone)]
pub struct Validator<'a> {
    catalog: &'a Catalog,
}

impl<'a> Validator<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        Validator { catalog }
    }

    /// Parses and validates one event; `now` is the receiving clock, so tests can pin it.
    pub fn parse(&self, item: Value, now: DateTime<Utc>) -> Result<Event, Vec<FieldError>> {
        let mut event = parse_shape(item).map_err(|e| vec![e])?;
        clean_free_text_fields(&mut event);
        let errors = self.check(&event, now);
        if errors.is_empty() {
            Ok(event)
        } else {
            Err(errors)
        }
    }

    /// The rules beyond the JSON shape; returns every violation, not just the first.
    pub fn check(&self, event: &Event, now: DateTime<Utc>) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if event.event_id().is_nil() {
            errors.push(FieldError::new("event_id", "must not be the nil UUID"));
        }
        match event {
            Event::Feedback(f) => {
                self.check_common(&f.service_id, f.channel, f.occurred_at, now, &mut errors);
                check_declared_channel(f, &mut errors);
                check_feedback(f, &mut errors);
            }
            Event::Milestone(m) => {
                self.check_common(
                    &m.service_id,
                    Some(m.channel),
                    m.occurred_at,
                    now,
                    &mut errors,
                );
                check_milestone(m, &mut errors);
            }
            Event::Offered(o) => {
                self.check_common(
                    &o.service_id,
                    Some(o.channel),
                    o.occurred_at,
                    now,
                    &mut errors,
                );
                check_offered(o, &mut errors);
            }
        }
        errors
    }

    fn check_common(
        &self,
        service_id: &str,
        channel: Option<Channel>,
        occurred_at: DateTime<Utc>,
        now: DateTime<Utc>,
        errors: &mut Vec<FieldError>,
    ) {
        let well_formed = errors.len();
        check_id("service_id", service_id, errors);
        match self.catalog.service(service_id) {
            _ if errors.len() > well_formed => {}
            None => errors.push(FieldError::new(
                "service_id",
                format!("unknown service `{service_id}`: not in the service catalog"),
            )),
            Some(service) => match channel {
                Some(channel) if !service.channels.contains(&channel) => {
                    errors.push(FieldError::new(
                        "channel",
                        format!(
                            "service `{service_id}` is not offered through channel `{}`",
                            channel.as_str()
                        ),
                    ))
                }
                _ => {}
            },
        }
        if occurred_at < earliest_occurred_at() {
            errors.push(FieldError::new(
                "occurred_at",
                format!(
                    "{} is before {}: not a plausible event time",
                    occurred_at.to_rfc3339(),
                    earliest_occurred_at().to_rfc3339()
                ),
            ));
        }
        if occurred_at > now + MAX_FUTURE_SKEW {
            errors.push(FieldError::new(
                "occurred_at",
                format!(
                    "{} is more than {} minutes in the future (server time {})",
                    occurred_at.to_rfc3339(),
                    MAX_FUTURE_SKEW.num_minutes(),
                    now.to_rfc3339()
                ),
            ));
        }
    }
}

/// Step one: the JSON shape, with the `kind` tag read by hand so that serde's errors keep
/// their field path (an internally tagged enum would buffer the content and lose it).
fn parse_shape(item: Value) -> Result<Event, FieldError> {
    let Value::Object(mut fields) = item else {
        return Err(FieldError::new("", "an event must be a JSON object"));
    };
    let kind = match fields.remove("kind") {
        Some(Value::String(kind)) => kind,
        Some(_) => return Err(FieldError::new("kind", "must be a string")),
        None => {
            return Err(FieldError::new(
                "kind",
                "missing: one of `feedback`, `milestone`, `offered`",
            ))
        }
    };
    let Some(kind) = EventKind::parse(&kind) else {
        return Err(FieldError::new(
            "kind",
            format!("unknown kind `{kind}`: expected one of `feedback`, `milestone`, `offered`"),
        ));
    };
    let body = Value::Object(fields);
    refuse_lists(&body, "")?;
    Ok(match kind {
        EventKind::Feedback => Event::Feedback(deserialize_at_path(body)?),
        EventKind::Milestone => Event::Milestone(deserialize_at_path(body)?),
        EventKind::Offered => Event::Offered(deserialize_at_path(body)?),
    })
}

/// No field of an event is a list, and serde's derived structs would read a list as the
/// struct's fields in order (`"answers": [4]` as a satisfaction of 4): a list anywhere in an
/// event is refused, naming where it is.
fn refuse_lists(value: &Value, path: &str) -> Result<(), FieldError> {
    match value {
        Value::Array(_) => Err(FieldError::new(
            path,
            "a list is not accepted here: send an object or a single value",
        )),
        Value::Object(fields) => fields.iter().try_for_each(|(name, child)| {
            let child_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            refuse_lists(child, &child_path)
        }),
        _ => Ok(()),
    }
}

fn deserialize_at_path<T: DeserializeOwned>(body: Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(body).map_err(|error| {
        let path = error.path().to_string();
        let reason = error.inner().to_string();
        let field = if path == "." {
            field_named_in(&reason).unwrap_or_default()
        } else {
            path
        };
        FieldError::new(field, reason)
    })
}

/// serde reports a missing or unknown field at the parent's path, with the name in
/// backticks; lift it into the path so the client sees which field it was.
fn field_named_in(reason: &str) -> Option<String> {
    let start = reason.find('`')? + 1;
    let len = reason[start..].find('`')?;
    Some(reason[start..start + len].to_string())
}

/// A feedback's `channel` may be left out only where the person answered about a page
/// without saying how they were served (the widget, the form).
fn check_declared_channel(f: &Feedback, errors: &mut Vec<FieldError>) {
    let may_omit = f.given_through.is_some_and(|g| g.may_omit_channel());
    if f.channel.is_none() && !may_omit {
        errors.push(FieldError::new(
            "channel",
            "missing: how the service was delivered (only feedback given through the widget \
             or the form may leave it out)",
        ));
    }
}

fn check_feedback(f: &Feedback, errors: &mut Vec<FieldError>) {
    check_answers(&f.answers, errors);
    if f.answers.is_empty() && f.helpful.is_none() && f.comment.is_none() {
        errors.push(FieldError::new(
            "answers",
            "feedback must carry at least one answer, `helpful` or a `comment`",
        ));
    }
    if let Some(comment) = &f.comment {
        let chars = comment.chars().count();
        if chars > MAX_COMMENT_CHARS {
            errors.push(FieldError::new(
                "comment",
                format!("{chars} characters; at most {MAX_COMMENT_CHARS} are accepted"),
            ));
        }
    }
    check_optional_id("stage", f.stage.as_deref(), errors);
    check_optional_id("case_ref", f.case_ref.as_deref(), errors);
    if let Some(segment) = &f.segment {
        check_segment(segment, errors);
    }
}

fn check_answers(answers: &Answers, errors: &mut Vec<FieldError>) {
    for (name, answer) in answers.items() {
        if let Some(value) = answer {
            if !(1..=5).contains(&value) {
                errors.push(FieldError::new(
                    format!("answers.{name}"),
                    format!("rating {value} is out of range: answers are 1 to 5"),
                ));
            }
        }
    }
}

fn check_segment(segment: &Segment, errors: &mut Vec<FieldError>) {
    check_optional_region("segment.region", segment.region.as_deref(), errors);
    if let Some(language) = &segment.language {
        let well_formed = !language.is_empty()
            && language.len() <= 35
            && language
                .split('-')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
        if !well_formed {
            errors.push(FieldError::new(
                "segment.language",
                format!("`{language}` is not a language tag such as `en` or `fr-CA`"),
            ));
        }
    }
}

fn check_milestone(m: &Milestone, errors: &mut Vec<FieldError>) {
    check_id("case_ref", &m.case_ref, errors);
    check_optional_region("region", m.region.as_deref(), errors);
    // An option the standard does not offer is stored and judged by the default (flagged
    // as an anomaly): the case system knows what was applied for, the catalog may lag.
    check_optional_id("service_option", m.service_option.as_deref(), errors);
}

fn check_offered(o: &Offered, errors: &mut Vec<FieldError>) {
    check_optional_id("stage", o.stage.as_deref(), errors);
    check_optional_id("case_ref", o.case_ref.as_deref(), errors);
}

fn check_optional_id(field: &str, value: Option<&str>, errors: &mut Vec<FieldError>) {
    if let Some(value) = value {
        check_id_with(field, value, contact_in_identifier, errors);
    }
}

/// A region is an identifier that must not be a full postal code either.
fn check_optional_region(field: &str, value: Option<&str>, errors: &mut Vec<FieldError>) {
    if let Some(value) = value {
        check_id_with(field, value, contact_in_region, errors);
    }
}

fn check_id(field: &str, value: &str, errors: &mut Vec<FieldError>) {
    check_id_with(field, value, contact_in_identifier, errors);
}

/// Identifiers are short and free of white space, control and invisible characters (see
/// [`crate::text`]) and of the personal data `personal_data` finds: they are keys, not
/// places to put free text (which would escape PII scrubbing).
fn check_id_with(
    field: &str,
    value: &str,
    personal_data: fn(&str) -> Option<&'static str>,
    errors: &mut Vec<FieldError>,
) {
    let chars = value.chars().count();
    if chars == 0 {
        errors.push(FieldError::new(field, "must not be empty"));
    } else if chars > MAX_ID_CHARS {
        errors.push(FieldError::new(
            field,
            format!("{chars} characters; at most {MAX_ID_CHARS} are accepted"),
        ));
    } else if let Some(what) = personal_data(value) {
        errors.push(FieldError::new(
            field,
            format!(
                "looks like {what}: identifiers must not carry personal data \
                 (use a pseudonymous reference)"
            ),
        ));
    } else if let Some(c) = forbidden_in_identifier(value) {
        errors.push(FieldError::new(
            field,
            format!(
                "holds U+{:04X}: identifiers must not contain white space, control or \
                 invisible (Unicode default-ignorable or format) characters",
                u32::from(c)
            ),
        ));
    }
}

/// Free text keeps what the citizen wrote, less the characters [`crate::text`] strips; a
/// comment that held nothing else is no comment.
fn clean_free_text_fields(event: &mut Event) {
    if let Event::Feedback(feedback) = event {
        if let Some(comment) = &feedback.comment {
            if let Cow::Owned(cleaned) = clean_free_text(comment) {
                feedback.comment = (!cleaned.trim().is_empty()).then_some(cleaned);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog() -> Catalog {
        Catalog::from_toml_str(
            r#"
            [[calendars]]
            id = "ca"
            weekend = ["Sat", "Sun"]
            holidays = []

            [[services]]
            id = "passport-in-person"
            name = "Passport (in person)"
            category = "identity"
            jurisdiction = "CA"
            channels = ["in_person", "web"]
            time_zone = "America/Toronto"
            calendar = "ca"
            "#,
        )
        .expect("test catalog parses")
    }

    fn now() -> DateTime<Utc> {
        "2026-03-10T12:00:00Z".parse().unwrap()
    }

    fn feedback() -> Value {
        json!({
            "kind": "feedback",
            "event_id": "7f1c1a52-3f52-4d0e-9d4b-8a1de0f3c0a1",
            "occurred_at": "2026-03-10T06:30:00-05:00",
            "service_id": "passport-in-person",
            "channel": "in_person",
            "answers": {"satisfaction": 4, "trust": 5},
            "comment": "quick"
        })
    }

    fn errors_for(mut item: Value, patch: impl FnOnce(&mut Value)) -> Vec<FieldError> {
        patch(&mut item);
        let catalog = catalog();
        Validator::new(&catalog)
            .parse(item, now())
            .expect_err("the event must be rejected")
    }

    fn only_field(errors: &[FieldError]) -> &str {
        assert_eq!(errors.len(), 1, "expected one error, got {errors:?}");
        &errors[0].field
    }

    #[test]
    fn only_the_widget_and_the_form_may_leave_the_channel_out() {
        let catalog = catalog();
        let validator = Validator::new(&catalog);
        for given_through in ["widget", "form"] {
            let mut page = feedback();
            page.as_object_mut().unwrap().remove("channel");
            page["given_through"] = json!(given_through);
            let event = validator.parse(page, now()).unwrap();
            let Event::Feedback(f) = event else {
                panic!("feedback")
            };
            assert_eq!(f.channel, None, "{given_through}: not declared");
        }
        for given_through in [None, Some("survey")] {
            let errors = errors_for(feedback(), |v| {
                v.as_object_mut().unwrap().remove("channel");
                if let Some(g) = given_through {
                    v["given_through"] = json!(g);
                }
            });
            assert_eq!(only_field(&errors), "channel", "{given_through:?}");
            assert!(errors[0].reason.contains("missing"), "{errors:?}");
        }
        // Declared, it must still be one the service offers.
        let errors = errors_for(feedback(), |v| {
            v["channel"] = json!("mail");
            v["given_through"] = json!("widget");
        });
        assert_eq!(only_field(&errors), "channel");
        let errors = errors_for(feedback(), |v| v["given_through"] = json!("email"));
        assert_eq!(only_field(&errors), "given_through");
    }

    #[test]
    fn a_valid_feedback_parses_and_keeps_its_offset_as_utc() {
        let catalog = catalog();
        let event = Validator::new(&catalog).parse(feedback(), now()).unwrap();
        let Event::Feedback(f) = event else {
            panic!("expected feedback")
        };
        assert_eq!(
            f.occurred_at,
            "2026-03-10T11:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(f.answers.satisfaction, Some(4));
    }

    #[test]
    fn each_rule_names_its_field() {
        type Patch = Box<dyn FnOnce(&mut Value)>;
        let cases: Vec<(&str, Patch)> = vec![
            ("kind", Box::new(|v| v["kind"] = json!("complaint"))),
            (
                "kind",
                Box::new(|v| {
                    v.as_object_mut().unwrap().remove("kind");
                }),
            ),
            (
                "event_id",
                Box::new(|v| v["event_id"] = json!("not-a-uuid")),
            ),
            (
                "event_id",
                Box::new(|v| v["event_id"] = json!("00000000-0000-0000-0000-000000000000")),
            ),
            (
                "event_id",
                Box::new(|v| {
                    v.as_object_mut().unwrap().remove("event_id");
                }),
            ),
            (
                "occurred_at",
                Box::new(|v| v["occurred_at"] = json!("yesterday")),
            ),
            (
                "occurred_at",
                Box::new(|v| v["occurred_at"] = json!("2026-03-10T12:05:01Z")),
            ),
            (
                "occurred_at",
                Box::new(|v| v["occurred_at"] = json!("1999-12-31T23:59:59Z")),
            ),
            (
                "service_id",
                Box::new(|v| v["service_id"] = json!("moon-landing")),
            ),
            ("channel", Box::new(|v| v["channel"] = json!("fax"))),
            ("channel", Box::new(|v| v["channel"] = json!("mail"))),
            (
                "answers.trust",
                Box::new(|v| v["answers"]["trust"] = json!(6)),
            ),
            (
                "answers.ease",
                Box::new(|v| v["answers"]["ease"] = json!(0)),
            ),
            (
                "answers.fair",
                Box::new(|v| v["answers"]["fair"] = json!(-1)),
            ),
            (
                "answers.satisfaction",
                Box::new(|v| v["answers"]["satisfaction"] = json!("4")),
            ),
            (
                "answers.mood",
                Box::new(|v| v["answers"]["mood"] = json!(3)),
            ),
            (
                "answers",
                Box::new(|v| {
                    let o = v.as_object_mut().unwrap();
                    o.remove("answers");
                    o.remove("comment");
                }),
            ),
            (
                "comment",
                Box::new(|v| v["comment"] = json!("é".repeat(2001))),
            ),
            ("case_ref", Box::new(|v| v["case_ref"] = json!("has space"))),
            (
                "segment.age_band",
                Box::new(|v| v["segment"] = json!({"age_band": "old"})),
            ),
            (
                "segment.language",
                Box::new(|v| v["segment"] = json!({"language": "en_CA!"})),
            ),
            (
                "favourite_colour",
                Box::new(|v| v["favourite_colour"] = json!("blue")),
            ),
        ];
        for (field, patch) in cases {
            let errors = errors_for(feedback(), patch);
            assert_eq!(only_field(&errors), field, "{errors:?}");
            assert!(!errors[0].reason.is_empty());
        }
    }

    #[test]
    fn a_comment_of_exactly_the_limit_is_accepted() {
        let catalog = catalog();
        let mut item = feedback();
        item["comment"] = json!("é".repeat(MAX_COMMENT_CHARS));
        assert!(Validator::new(&catalog).parse(item, now()).is_ok());
    }

    #[test]
    fn five_minutes_of_clock_skew_is_accepted() {
        let catalog = catalog();
        let mut item = feedback();
        item["occurred_at"] = json!("2026-03-10T12:05:00Z");
        assert!(Validator::new(&catalog).parse(item, now()).is_ok());
    }

    #[test]
    fn all_semantic_errors_are_reported_together() {
        let errors = errors_for(feedback(), |v| {
            v["service_id"] = json!("nope");
            v["answers"]["trust"] = json!(9);
            v["occurred_at"] = json!("2027-01-01T00:00:00Z");
        });
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["service_id", "occurred_at", "answers.trust"]);
    }

    #[test]
    fn milestones_need_a_case_and_a_known_milestone() {
        let milestone = json!({
            "kind": "milestone",
            "event_id": "0e9b7b8e-8f7a-4d38-9a0e-3b9f3d8f9a10",
            "occurred_at": "2026-03-09T15:00:00Z",
            "service_id": "passport-in-person",
            "case_ref": "c-123",
            "milestone": "complete",
            "channel": "in_person",
        });
        let catalog = catalog();
        assert!(Validator::new(&catalog)
            .parse(milestone.clone(), now())
            .is_ok());
        let errors = errors_for(milestone.clone(), |v| v["milestone"] = json!("lost"));
        assert_eq!(only_field(&errors), "milestone");
        let errors = errors_for(milestone.clone(), |v| {
            v.as_object_mut().unwrap().remove("case_ref");
        });
        assert_eq!(only_field(&errors), "case_ref");
        let errors = errors_for(milestone.clone(), |v| v["outcome"] = json!("maybe"));
        assert_eq!(only_field(&errors), "outcome");
        let errors = errors_for(milestone.clone(), |v| {
            v["service_option"] = json!("express please")
        });
        assert_eq!(only_field(&errors), "service_option");
        let mut express = milestone;
        express["service_option"] = json!("express");
        let Event::Milestone(m) = Validator::new(&catalog).parse(express, now()).unwrap() else {
            panic!("a milestone")
        };
        assert_eq!(m.service_option.as_deref(), Some("express"));
    }

    #[test]
    fn offered_defaults_to_survey_offered() {
        let offered = json!({
            "kind": "offered",
            "event_id": "5b0f5c1e-1d0c-4e6f-a2b1-4c3d2e1f0a9b",
            "occurred_at": "2026-03-09T15:00:00Z",
            "service_id": "passport-in-person",
            "channel": "web",
        });
        let catalog = catalog();
        let Event::Offered(o) = Validator::new(&catalog).parse(offered, now()).unwrap() else {
            panic!("expected offered")
        };
        assert!(o.survey_offered);
    }

    #[test]
    fn an_object_sent_as_a_list_is_refused_not_read_positionally() {
        let cases: [(&str, Value); 4] = [
            ("answers", json!([4])),
            ("segment", json!(["75_plus", "ON", "fr", true])),
            ("answers", json!([])),
            ("service_id", json!(["passport-in-person"])),
        ];
        for (field, value) in cases {
            let errors = errors_for(feedback(), |v| v[field] = value.clone());
            assert_eq!(only_field(&errors), field, "{errors:?}");
            assert!(errors[0].reason.contains("list"), "{errors:?}");
        }
        let errors = errors_for(feedback(), |v| v["answers"]["trust"] = json!([5]));
        assert_eq!(only_field(&errors), "answers.trust");
    }

    /// The list rule above holds only while no contract field is a list: adding one must
    /// revisit it (and this test says so).
    #[test]
    fn no_contract_field_is_a_list() {
        let schema = crate::schema::event_schema_json();
        assert!(
            !schema.contains("\"array\""),
            "a contract field is now a list: update `refuse_lists` to allow it"
        );
    }

    #[test]
    fn comments_lose_control_and_bidi_characters_and_identifiers_refuse_them() {
        let catalog = catalog();
        let mut item = feedback();
        item["comment"] = json!("ok\u{0}\u{7}\u{1b}[2J \u{202E}sdrawkcab\u{202C}\r\nbye");
        let Ok(Event::Feedback(f)) = Validator::new(&catalog).parse(item, now()) else {
            panic!("a comment with control characters is still feedback")
        };
        assert_eq!(f.comment.as_deref(), Some("ok[2J sdrawkcab\nbye"));

        let mut item = feedback();
        item["comment"] = json!("\u{0}\u{1b}");
        item["answers"] = json!({});
        let errors = Validator::new(&catalog).parse(item, now()).unwrap_err();
        assert_eq!(
            only_field(&errors),
            "answers",
            "nothing but controls is no comment"
        );

        type Patch = Box<dyn FnOnce(&mut Value)>;
        let identifiers: Vec<(&str, Patch)> = vec![
            (
                "case_ref",
                Box::new(|v| v["case_ref"] = json!("c-1\u{202E}")),
            ),
            (
                "stage",
                Box::new(|v| v["stage"] = json!("app\u{0}lication")),
            ),
            (
                "segment.region",
                Box::new(|v| v["segment"] = json!({"region": "O\u{2066}N"})),
            ),
            (
                "case_ref",
                Box::new(|v| v["case_ref"] = json!("c\u{200B}1")),
            ),
            (
                "service_id",
                Box::new(|v| v["service_id"] = json!("passport-in-person\u{7}")),
            ),
        ];
        for (field, patch) in identifiers {
            let errors = errors_for(feedback(), patch);
            assert_eq!(only_field(&errors), field, "{errors:?}");
            assert!(errors[0].reason.contains("U+"), "{errors:?}");
        }
    }

    #[test]
    fn identifiers_carrying_contact_details_are_refused() {
        type Patch = Box<dyn FnOnce(&mut Value)>;
        let identifiers: Vec<(&str, Patch)> = vec![
            (
                "case_ref",
                Box::new(|v| v["case_ref"] = json!("jane.doe@example.ca")),
            ),
            ("stage", Box::new(|v| v["stage"] = json!("613-555-0199"))),
            (
                "segment.region",
                Box::new(|v| v["segment"] = json!({"region": "+1-613-555-0199"})),
            ),
            (
                "case_ref",
                Box::new(|v| v["case_ref"] = json!("rené@québec.ca")),
            ),
        ];
        for (field, patch) in identifiers {
            let errors = errors_for(feedback(), patch);
            assert_eq!(only_field(&errors), field, "{errors:?}");
            assert!(errors[0].reason.contains("personal data"), "{errors:?}");
        }
    }

    #[test]
    fn occurred_at_is_exactly_rfc_3339_in_every_kind() {
        let milestone = json!({
            "kind": "milestone",
            "event_id": "0e9b7b8e-8f7a-4d38-9a0e-3b9f3d8f9a10",
            "occurred_at": "2026-03-09T15:00:00Z",
            "service_id": "passport-in-person",
            "case_ref": "c-123",
            "milestone": "complete",
            "channel": "in_person",
        });
        let offered = json!({
            "kind": "offered",
            "event_id": "5b0f5c1e-1d0c-4e6f-a2b1-4c3d2e1f0a9b",
            "occurred_at": "2026-03-09T15:00:00Z",
            "service_id": "passport-in-person",
            "channel": "web",
        });
        let catalog = catalog();
        for event in [feedback(), milestone, offered] {
            for loose in [
                " 2026-03-10T06:30:00-05:00",
                "2026-03-10 11:30:00Z",
                "2026-03-10T11:30:00 UTC",
                "+002026-03-10T11:30:00Z",
                "2026-03-10T06:30:00-0500",
                "2026-03-10T11:30:00+0000",
            ] {
                let errors = errors_for(event.clone(), |v| v["occurred_at"] = json!(loose));
                assert_eq!(only_field(&errors), "occurred_at", "{loose:?}: {errors:?}");
                assert!(errors[0].reason.contains("RFC 3339"), "{errors:?}");
            }
            for strict in [
                "2026-03-10t06:30:00.250-05:00",
                "2026-03-10T11:30:00z",
                "2026-03-10T11:30:00-00:00",
            ] {
                let mut item = event.clone();
                item["occurred_at"] = json!(strict);
                let parsed = Validator::new(&catalog).parse(item, now());
                assert!(parsed.is_ok(), "{strict:?}: {parsed:?}");
            }
        }
    }

    #[test]
    fn identifiers_refuse_every_invisible_character() {
        for c in ['\u{00AD}', '\u{034F}', '\u{180E}', '\u{2061}', '\u{3164}'] {
            let errors = errors_for(feedback(), |v| v["case_ref"] = json!(format!("c{c}1")));
            assert_eq!(only_field(&errors), "case_ref", "{errors:?}");
            assert!(
                errors[0]
                    .reason
                    .contains(&format!("U+{:04X}", u32::from(c))),
                "{errors:?}"
            );
            let errors = errors_for(feedback(), |v| {
                v["segment"] = json!({"region": format!("O{c}N")})
            });
            assert_eq!(only_field(&errors), "segment.region", "{errors:?}");
        }
    }

    #[test]
    fn invisible_characters_cannot_hide_a_phone_number_from_the_scrubber() {
        let catalog = catalog();
        let mut item = feedback();
        item["comment"] = json!("call 613\u{2061}555\u{00AD}01\u{034F}99 👩\u{200D}💻");
        let Ok(Event::Feedback(f)) = Validator::new(&catalog).parse(item, now()) else {
            panic!("a comment with invisible characters is still feedback")
        };
        let comment = f.comment.unwrap();
        assert_eq!(crate::pii::scrub(&comment), "call ### 👩\u{200D}💻");
    }

    #[test]
    fn a_region_that_is_a_whole_postal_code_is_refused() {
        for region in [
            "K1A0B1",
            "K1A 0B1",
            "k1a-0b1",
            "SW1A1AA",
            "SW1A 1AA",
            "20500-0001",
        ] {
            let errors = errors_for(feedback(), |v| v["segment"] = json!({"region": region}));
            assert_eq!(
                only_field(&errors),
                "segment.region",
                "{region}: {errors:?}"
            );
            assert!(
                errors[0].reason.contains("looks like a postal code"),
                "{errors:?}"
            );
        }
        let milestone = json!({
            "kind": "milestone",
            "event_id": "0e9b7b8e-8f7a-4d38-9a0e-3b9f3d8f9a10",
            "occurred_at": "2026-03-09T15:00:00Z",
            "service_id": "passport-in-person",
            "case_ref": "c-123",
            "milestone": "complete",
            "channel": "in_person",
            "region": "M5V3L9",
        });
        let errors = errors_for(milestone, |_| {});
        assert_eq!(only_field(&errors), "region", "{errors:?}");

        let catalog = catalog();
        for region in ["ON", "CA-QC", "K1A", "SW1A", "M5V", "20500", "ottawa-east"] {
            let mut item = feedback();
            item["segment"] = json!({ "region": region });
            let parsed = Validator::new(&catalog).parse(item, now());
            assert!(parsed.is_ok(), "{region}: {parsed:?}");
        }
    }

    proptest::proptest! {
        /// Any time text and any values in the identifier and text fields: an event or
        /// field errors, never a panic.
        #[test]
        fn any_field_values_are_parsed_or_refused_never_a_panic(
            occurred_at in proptest::prop_oneof![
                "[+-]?[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})",
                proptest::prelude::any::<String>(),
            ],
            case_ref in proptest::prelude::any::<String>(),
            comment in proptest::prelude::any::<String>(),
            rating in proptest::prelude::any::<i64>(),
        ) {
            let catalog = catalog();
            let mut item = feedback();
            item["occurred_at"] = json!(occurred_at);
            item["case_ref"] = json!(case_ref);
            item["comment"] = json!(comment);
            item["answers"]["ease"] = json!(rating);
            if let Ok(Event::Feedback(f)) = Validator::new(&catalog).parse(item, now()) {
                proptest::prop_assert!(f.occurred_at >= earliest_occurred_at());
                let comment = f.comment.unwrap_or_default();
                proptest::prop_assert!(matches!(clean_free_text(&comment), Cow::Borrowed(_)));
            }
        }
    }

    #[test]
    fn a_non_object_is_rejected_as_a_whole() {
        let catalog = catalog();
        let errors = Validator::new(&catalog)
            .parse(json!([1, 2]), now())
            .unwrap_err();
        assert_eq!(only_field(&errors), "");
    }
}
