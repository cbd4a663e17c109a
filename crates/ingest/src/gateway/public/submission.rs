//! What a person sends from the widget or the form, and the feedback event made of it.
//! The widget sends JSON, the form `application/x-www-form-urlencoded`; both carry the same
//! fields, so one struct reads both.

use chrono::{DateTime, Utc};
use civicpulse_core::event::Answers;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// One submission, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The site's public key.
    pub site: String,
    pub service_id: String,
    /// "Did you find what you were looking for?": `yes` or `no`.
    pub helpful: Option<String>,
    /// Why the page did not help: `cannot_find`, `hard_to_understand`,
    /// `something_broken`, `other`.
    pub reason: Option<String>,
    pub comment: Option<String>,
    /// `en` or `fr`, from the page.
    pub lang: Option<String>,
    /// A-11 items, 1–5, each optional.
    pub satisfaction: Option<u8>,
    pub trust: Option<u8>,
    pub need_met: Option<u8>,
    pub ease: Option<u8>,
    pub time_reasonable: Option<u8>,
    pub fair: Option<u8>,
    pub helpful_staff: Option<u8>,
    /// The honeypot: a field hidden from people (off-screen, `aria-hidden`, not
    /// focusable) that form-filling bots fill in.
    #[serde(default)]
    pub website: String,
    /// When the form was shown, in milliseconds since 1970 (the widget's clock, or the
    /// server's for the form page).
    pub shown_at: Option<i64>,
}

/// Why a submission is taken for a bot's: it is then dropped quietly (the answer looks
/// like a success, so a bot learns nothing), and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Automated {
    HoneypotFilled,
    TooFast,
    NoShownAt,
}

/// An invitation's survey form: the site and service come from the invitation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SurveyForm {
    helpful: Option<String>,
    comment: Option<String>,
    satisfaction: Option<u8>,
    trust: Option<u8>,
    need_met: Option<u8>,
    ease: Option<u8>,
    time_reasonable: Option<u8>,
    fair: Option<u8>,
    helpful_staff: Option<u8>,
    #[serde(default)]
    website: String,
    shown_at: Option<i64>,
}

impl Submission {
    /// Reads an invitation's survey form (`application/x-www-form-urlencoded`).
    pub fn parse_survey(body: &[u8]) -> Result<Submission, String> {
        let form: SurveyForm = serde_urlencoded::from_bytes(body).map_err(|e| e.to_string())?;
        Ok(Submission {
            helpful: form.helpful,
            comment: form.comment.filter(|c| !c.trim().is_empty()),
            satisfaction: form.satisfaction,
            trust: form.trust,
            need_met: form.need_met,
            ease: form.ease,
            time_reasonable: form.time_reasonable,
            fair: form.fair,
            helpful_staff: form.helpful_staff,
            website: form.website,
            shown_at: form.shown_at,
            ..Submission::default()
        })
    }

    /// Reads a JSON or form body.
    pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Submission, String> {
        let essence = content_type
            .and_then(|c| c.split(';').next())
            .map(str::trim)
            .unwrap_or_default();
        match essence {
            "application/json" => serde_json::from_slice(body).map_err(|e| e.to_string()),
            "application/x-www-form-urlencoded" => {
                let mut submission: Submission =
                    serde_urlencoded::from_bytes(body).map_err(|e| e.to_string())?;
                // An empty text box is no comment, and no choice is no reason.
                submission.comment = submission.comment.filter(|c| !c.trim().is_empty());
                submission.reason = submission.reason.filter(|r| !r.is_empty());
                Ok(submission)
            }
            other => Err(format!(
                "send application/json or application/x-www-form-urlencoded, not `{other}`"
            )),
        }
    }

    /// Whether this looks like a bot's: the honeypot filled, or sent back sooner than a
    /// person could (`min_fill_ms` after it was shown).
    pub fn automated(&self, now: DateTime<Utc>, min_fill_ms: u64) -> Option<Automated> {
        if !self.website.trim().is_empty() {
            return Some(Automated::HoneypotFilled);
        }
        let Some(shown_at) = self.shown_at else {
            return Some(Automated::NoShownAt);
        };
        let elapsed = now.timestamp_millis() - shown_at;
        (elapsed < min_fill_ms as i64).then_some(Automated::TooFast)
    }

    /// The feedback event of the public contract, for the gateway's own validation: a web
    /// response, its language as its segment, `helpful` from yes/no.
    pub fn to_event(&self, event_id: Uuid, now: DateTime<Utc>) -> Value {
        let mut event = Map::new();
        event.insert("kind".into(), json!("feedback"));
        event.insert("event_id".into(), json!(event_id.to_string()));
        event.insert("occurred_at".into(), json!(now.to_rfc3339()));
        event.insert("service_id".into(), json!(self.service_id));
        event.insert("channel".into(), json!("web"));
        match self.helpful.as_deref() {
            Some("yes") => {
                event.insert("helpful".into(), json!(true));
            }
            Some("no") => {
                event.insert("helpful".into(), json!(false));
            }
            // Anything else goes to validation as given, to be refused by name.
            Some(other) => {
                event.insert("helpful".into(), json!(other));
            }
            None => {}
        }
        if let Some(reason) = &self.reason {
            event.insert("reason".into(), json!(reason));
        }
        if let Some(comment) = &self.comment {
            event.insert("comment".into(), json!(comment));
        }
        let answers = Answers {
            satisfaction: self.satisfaction,
            trust: self.trust,
            need_met: self.need_met,
            ease: self.ease,
            time_reasonable: self.time_reasonable,
            fair: self.fair,
            helpful_staff: self.helpful_staff,
        };
        if !answers.is_empty() {
            // Only the answered items: the contract's own serialization skips the rest.
            event.insert("answers".into(), json!(answers));
        }
        if let Some(lang) = &self.lang {
            event.insert("segment".into(), json!({ "language": lang }));
        }
        Value::Object(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-02T15:00:00Z")
            .unwrap()
            .to_utc()
    }

    #[test]
    fn a_form_and_its_json_read_the_same() {
        let form = Submission::parse(
            Some("application/x-www-form-urlencoded"),
            b"site=pk&service_id=passport-in-person&helpful=no&comment=Le+formulaire+%C3%A9tait+long&lang=fr&satisfaction=2&website=&shown_at=1",
        )
        .unwrap();
        let json = Submission::parse(
            Some("application/json; charset=utf-8"),
            r#"{"site":"pk","service_id":"passport-in-person","helpful":"no","comment":"Le formulaire était long","lang":"fr","satisfaction":2,"shown_at":1}"#.as_bytes(),
        )
        .unwrap();
        let id = Uuid::nil();
        assert_eq!(form.to_event(id, now()), json.to_event(id, now()));
        assert_eq!(
            form.to_event(id, now()),
            json!({
                "kind": "feedback", "event_id": id.to_string(), "occurred_at": "2026-12-02T15:00:00+00:00",
                "service_id": "passport-in-person", "channel": "web", "helpful": false,
                "comment": "Le formulaire était long", "answers": {"satisfaction": 2},
                "segment": {"language": "fr"}
            })
        );
    }

    #[test]
    fn an_empty_comment_box_is_no_comment_and_unknown_fields_are_refused() {
        let form = Submission::parse(
            Some("application/x-www-form-urlencoded"),
            b"site=pk&service_id=s&helpful=yes&comment=+&shown_at=1",
        )
        .unwrap();
        assert_eq!(form.comment, None);
        let error = Submission::parse(
            Some("application/json"),
            br#"{"site":"pk","service_id":"s","email":"a@b.c"}"#,
        )
        .unwrap_err();
        assert!(error.contains("email"), "{error}");
        assert!(Submission::parse(Some("text/plain"), b"hi")
            .unwrap_err()
            .contains("text/plain"));
    }

    #[test]
    fn a_filled_honeypot_or_a_form_sent_too_soon_is_a_bot() {
        let shown = now().timestamp_millis();
        let person = Submission {
            shown_at: Some(shown - 5_000),
            ..Submission::default()
        };
        assert_eq!(person.automated(now(), 2_000), None);
        let quick = Submission {
            shown_at: Some(shown - 500),
            ..Submission::default()
        };
        assert_eq!(quick.automated(now(), 2_000), Some(Automated::TooFast));
        let filled = Submission {
            website: "http://spam".into(),
            ..person.clone()
        };
        assert_eq!(
            filled.automated(now(), 2_000),
            Some(Automated::HoneypotFilled)
        );
        let bare = Submission::default();
        assert_eq!(bare.automated(now(), 2_000), Some(Automated::NoShownAt));
    }
}
