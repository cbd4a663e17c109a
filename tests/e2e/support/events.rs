//! Events as clients send them, and a mix of the three kinds with its counts.

use serde_json::{json, Value};
use uuid::Uuid;

pub fn recent() -> String {
    (chrono::Utc::now() - chrono::Duration::hours(3)).to_rfc3339()
}

pub fn feedback(service: &str, channel: &str, satisfaction: u8, comment: Option<&str>) -> Value {
    let mut event = json!({
        "kind": "feedback", "event_id": Uuid::new_v4().to_string(), "occurred_at": recent(),
        "service_id": service, "channel": channel,
        "answers": {"satisfaction": satisfaction, "ease": 4},
        "segment": {"age_band": "35_44", "language": "fr"},
    });
    if let Some(comment) = comment {
        event["comment"] = json!(comment);
    }
    event
}

pub fn milestone(service: &str, case_ref: &str, kind: &str) -> Value {
    json!({
        "kind": "milestone", "event_id": Uuid::new_v4().to_string(), "occurred_at": recent(),
        "service_id": service, "case_ref": case_ref, "milestone": kind, "channel": "in_person",
    })
}

pub fn offered(service: &str) -> Value {
    json!({
        "kind": "offered", "event_id": Uuid::new_v4().to_string(), "occurred_at": recent(),
        "service_id": service, "channel": "web", "survey_offered": true,
    })
}

/// Valid events spread over the three kinds, with how many of each were made.
pub struct Mix {
    pub events: Vec<Value>,
    pub feedback: u64,
    pub milestones: u64,
    pub offered: u64,
}

/// `n` valid events spread over kinds.
pub fn valid_mix(n: usize) -> Mix {
    let mut mix = Mix {
        events: Vec::with_capacity(n),
        feedback: 0,
        milestones: 0,
        offered: 0,
    };
    for i in 0..n {
        match i % 3 {
            0 => {
                mix.events.push(feedback(
                    "passport-in-person",
                    "in_person",
                    (i % 5 + 1) as u8,
                    None,
                ));
                mix.feedback += 1;
            }
            1 => {
                mix.events.push(milestone(
                    "passport-in-person",
                    &format!("case-{i}"),
                    "received",
                ));
                mix.milestones += 1;
            }
            _ => {
                mix.events.push(offered("old-age-security"));
                mix.offered += 1;
            }
        }
    }
    mix
}
