//! What a person sends from the widget or the form, and the feedback event made of it.
//! The widget sends JSON, the form `application/x-www-form-urlencoded`; both carry the same
//! fields, so one struct reads both.

use chrono::{DateTime, Utc};
use civicpulse_core::event::{Answers, GivenThrough};
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
    /// A random id the form page (or the widget) made when it was shown: the same form
    /// sent again (a refresh, a double click) is the same event, stored once.
    pub token: Option<Uuid>,
}

/// Why a submission is taken for a bot's: it is then dropped quietly (the answer looks
/// like a success, so a bot learns nothing), and counted. Only what no person does: a
/// field they cannot see filled in, or a post that no page of ours made (every page and
/// the widget send `shown_at`). Speed is not one of them: a quick "Yes" is the commonest
/// real answer, so a fast submission is kept and only counted (see [`Submission::fast`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Automated {
    HoneypotFilled,
    NoShownAt,
}

/// An invitation's survey form: the site and service come from the invitation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SurveyForm {
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
                submission.helpful = submission.helpful.filter(|h| !h.is_empty());
                Ok(submission)
            }
            other => Err(format!(
                "send application/json or application/x-www-form-urlencoded, not `{other}`"
            )),
        }
    }

    /// Whether this is a bot's for certain: the honeypot filled, or no `shown_at`.
    pub fn automated(&self) -> Option<Automated> {
        if !self.website.trim().is_empty() {
            return Some(Automated::HoneypotFilled);
        }
        self.shown_at.is_none().then_some(Automated::NoShownAt)
    }

    /// Whether it came back sooner than `min_fill_ms` after it was shown: counted, so a
    /// wave of fast posts shows on the dashboard, but kept (a person can answer "Yes" in
    /// under a second).
    pub fn fast(&self, now: DateTime<Utc>, min_fill_ms: u64) -> bool {
        self.shown_at
            .is_some_and(|shown_at| now.timestamp_millis() - shown_at < min_fill_ms as i64)
    }

    /// Page feedback (the widget, the form) must answer its question.
    pub fn unanswered(&self) -> bool {
        self.helpful.as_deref().is_none_or(|h| h.trim().is_empty())
    }

    /// The event's id: from the page's token when there is one, so the same form sent
    /// twice is one event; scoped to the site (a UUID v5 of the site key and the token),
    /// so no page can name another site's event. A fresh id otherwise.
    pub fn event_id(&self) -> Uuid {
        match self.token {
            Some(token) => {
                let site = Uuid::new_v5(&Uuid::NAMESPACE_URL, self.site.as_bytes());
                Uuid::new_v5(&site, token.as_bytes())
            }
            None => Uuid::new_v4(),
        }
    }

    /// The feedback event of the public contract, for the gateway's own validation: where
    /// it was given, no channel (the person did not say how they were served; a survey
    /// adds its case's), its language as its segment, `helpful` from yes/no, and a reason
    /// only beside "no" (the no-JavaScript form shows the reasons to everyone).
    pub fn to_event(
        &self,
        event_id: Uuid,
        given_through: GivenThrough,
        now: DateTime<Utc>,
    ) -> Value {
        let mut event = Map::new();
        event.insert("kind".into(), json!("feedback"));
        event.insert("event_id".into(), json!(event_id.to_string()));
        event.insert("occurred_at".into(), json!(now.to_rfc3339()));
        event.insert("service_id".into(), json!(self.service_id));
        event.insert("given_through".into(), json!(given_through.as_str()));
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
        if let Some(reason) = self
            .reason
            .as_ref()
            .filter(|_| self.helpful.as_deref() == Some("no"))
        {
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

    fn form(body: &str) -> Submission {
        Submission::parse(Some("application/x-www-form-urlencoded"), body.as_bytes()).unwrap()
    }

    #[test]
    fn a_form_and_its_json_read_the_same() {
        let form = form(
            "site=pk&service_id=passport-in-person&helpful=no&comment=Le+formulaire+%C3%A9tait+long&lang=fr&satisfaction=2&website=&shown_at=1",
        );
        let json = Submission::parse(
            Some("application/json; charset=utf-8"),
            r#"{"site":"pk","service_id":"passport-in-person","helpful":"no","comment":"Le formulaire était long","lang":"fr","satisfaction":2,"shown_at":1}"#.as_bytes(),
        )
        .unwrap();
        let id = Uuid::nil();
        let given = GivenThrough::Form;
        assert_eq!(
            form.to_event(id, given, now()),
            json.to_event(id, given, now())
        );
        assert_eq!(
            form.to_event(id, given, now()),
            json!({
                "kind": "feedback", "event_id": id.to_string(), "occurred_at": "2026-12-02T15:00:00+00:00",
                "service_id": "passport-in-person", "given_through": "form", "helpful": false,
                "comment": "Le formulaire était long", "answers": {"satisfaction": 2},
                "segment": {"language": "fr"}
            })
        );
    }

    #[test]
    fn an_empty_comment_box_is_no_comment_and_unknown_fields_are_refused() {
        let form = form("site=pk&service_id=s&helpful=yes&comment=+&shown_at=1");
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
    fn a_form_without_an_answer_is_unanswered_and_a_reason_counts_only_beside_no() {
        assert!(form("site=pk&service_id=s&shown_at=1").unanswered());
        assert!(form("site=pk&service_id=s&helpful=&shown_at=1").unanswered());
        let yes = form("site=pk&service_id=s&helpful=yes&reason=cannot_find&shown_at=1");
        assert!(!yes.unanswered());
        let event = yes.to_event(Uuid::nil(), GivenThrough::Form, now());
        assert_eq!(event.get("reason"), None, "no reason beside yes: {event}");
        let no = form("site=pk&service_id=s&helpful=no&reason=cannot_find&shown_at=1");
        let event = no.to_event(Uuid::nil(), GivenThrough::Form, now());
        assert_eq!(event["reason"], "cannot_find");
    }

    #[test]
    fn the_same_form_sent_twice_is_the_same_event_and_sites_do_not_share_ids() {
        let body = "site=pk&service_id=s&helpful=yes&shown_at=1&token=6a2f41a3-c54c-4c8f-9d7e-3b9a1d5c2e10";
        assert_eq!(form(body).event_id(), form(body).event_id());
        let other_site = form(&body.replace("site=pk", "site=pk-other"));
        assert_ne!(form(body).event_id(), other_site.event_id());
        assert_ne!(
            form(body).event_id().to_string(),
            "6a2f41a3-c54c-4c8f-9d7e-3b9a1d5c2e10",
            "never the token itself"
        );
        let untokened = form("site=pk&service_id=s&helpful=yes&shown_at=1");
        assert_ne!(untokened.event_id(), untokened.event_id());
    }

    #[test]
    fn only_a_filled_honeypot_or_no_page_is_a_bot_and_a_quick_yes_is_a_person() {
        let shown = now().timestamp_millis();
        let quick = Submission {
            helpful: Some("yes".into()),
            shown_at: Some(shown - 500),
            ..Submission::default()
        };
        assert_eq!(quick.automated(), None, "a quick yes is kept");
        assert!(quick.fast(now(), 2_000), "and counted as fast");
        let slow = Submission {
            shown_at: Some(shown - 5_000),
            ..quick.clone()
        };
        assert!(!slow.fast(now(), 2_000));
        let filled = Submission {
            website: "http://spam".into(),
            ..slow.clone()
        };
        assert_eq!(filled.automated(), Some(Automated::HoneypotFilled));
        let bare = Submission::default();
        assert_eq!(bare.automated(), Some(Automated::NoShownAt));
    }
}
