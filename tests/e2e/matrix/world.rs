//! The generated world: cases of four services with their offers, milestones and answers,
//! and the events that carry them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use civicpulse_core::event::MilestoneKind;
use civicpulse_core::Catalog;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use uuid::Uuid;

pub(crate) const QUESTIONS: [&str; 7] = [
    "satisfaction",
    "trust",
    "need_met",
    "ease",
    "time_reasonable",
    "fair",
    "helpful_staff",
];
pub(crate) const SERVICES: [&str; 4] = [
    "passport-in-person",
    "passport-by-mail",
    "on-birth-certificate",
    "employment-insurance",
];
/// The service given a twenty-fourth of the others' cases: a few a month, under `K`.
pub(crate) const SMALL_SERVICE: &str = "passport-by-mail";
/// Small-cell threshold for these tests: low enough that most figures show, high enough
/// that some segment groups and breakdown cells are withheld.
pub(crate) const K: u64 = 5;

pub(crate) struct Offer {
    pub(crate) service: String,
    pub(crate) at: DateTime<Utc>,
    pub(crate) channel: String,
    pub(crate) survey: bool,
}

pub(crate) struct Step {
    pub(crate) service: String,
    pub(crate) case_ref: String,
    pub(crate) kind: MilestoneKind,
    pub(crate) at: DateTime<Utc>,
    pub(crate) channel: String,
    pub(crate) outcome: Option<&'static str>,
}

pub(crate) struct Response {
    pub(crate) service: String,
    pub(crate) at: DateTime<Utc>,
    pub(crate) channel: String,
    pub(crate) case_ref: Option<String>,
    pub(crate) answers: [Option<u8>; 7],
    pub(crate) segment: BTreeMap<&'static str, String>,
}

#[derive(Default)]
pub(crate) struct World {
    pub(crate) offers: Vec<Offer>,
    pub(crate) steps: Vec<Step>,
    pub(crate) responses: Vec<Response>,
    pub(crate) events: Vec<Value>,
}

pub(crate) fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// Cases of four services received in August and September 2026, with their offers,
/// milestones and survey answers; hours are spread over the whole day so that many
/// events fall on a different local (Toronto) date than their UTC one.
pub(crate) fn generate(catalog: &Catalog, seed: u64, cases_per_service: usize) -> World {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut world = World::default();
    let start = at("2026-08-01T00:00:00Z");
    for service_id in SERVICES {
        let service = catalog.service(service_id).unwrap();
        let channels: Vec<&str> = service.channels.iter().map(|c| c.as_str()).collect();
        // One small service, so that whole-service figures are withheld too.
        let cases = if service_id == SMALL_SERVICE {
            cases_per_service / 24
        } else {
            cases_per_service
        };
        for i in 0..cases {
            let case_ref = format!("{service_id}-{i}");
            let channel = channels.choose(&mut rng).unwrap().to_string();
            let received = start + chrono::Duration::minutes(rng.gen_range(0..61 * 24 * 60));
            world.offer(service_id, received, &channel, rng.gen_bool(0.75));
            let complete = received + chrono::Duration::hours(rng.gen_range(1..72));
            let decided = complete + chrono::Duration::hours(rng.gen_range(24..40 * 24));
            let outcome = *[
                "approved", "approved", "approved", "approved", "refused", "error", "rework",
            ]
            .choose(&mut rng)
            .unwrap();
            world.step(
                service_id,
                &case_ref,
                MilestoneKind::Received,
                received,
                &channel,
                None,
            );
            world.step(
                service_id,
                &case_ref,
                MilestoneKind::Complete,
                complete,
                &channel,
                None,
            );
            let open = rng.gen_bool(0.1);
            let mut last = complete;
            if !open && decided < at("2026-11-01T00:00:00Z") {
                world.step(
                    service_id,
                    &case_ref,
                    MilestoneKind::Decided,
                    decided,
                    &channel,
                    Some(outcome),
                );
                last = decided;
                if outcome != "refused" {
                    last = decided + chrono::Duration::hours(rng.gen_range(2..30));
                    world.step(
                        service_id,
                        &case_ref,
                        MilestoneKind::Dispatched,
                        last,
                        &channel,
                        None,
                    );
                }
            }
            if rng.gen_bool(0.8) {
                let answered = last + chrono::Duration::hours(rng.gen_range(1..48));
                world.respond(
                    &mut rng,
                    service_id,
                    answered,
                    &channel,
                    Some(case_ref.clone()),
                );
            }
        }
        for _ in 0..cases_per_service / 5 {
            let answered = start + chrono::Duration::minutes(rng.gen_range(0..61 * 24 * 60));
            let channel = channels.choose(&mut rng).unwrap().to_string();
            world.respond(&mut rng, service_id, answered, &channel, None);
        }
    }
    // Right at the month's edges: local 31 August and 30 September.
    world.offer(
        "passport-in-person",
        at("2026-09-01T02:00:00Z"),
        "in_person",
        true,
    );
    world.offer(
        "passport-in-person",
        at("2026-10-01T03:30:00Z"),
        "in_person",
        true,
    );
    world
}

impl World {
    pub(crate) fn offer(&mut self, service: &str, at: DateTime<Utc>, channel: &str, survey: bool) {
        self.events.push(json!({
            "kind": "offered", "event_id": Uuid::new_v4().to_string(), "occurred_at": at.to_rfc3339(),
            "service_id": service, "channel": channel, "survey_offered": survey,
        }));
        self.offers.push(Offer {
            service: service.into(),
            at,
            channel: channel.into(),
            survey,
        });
    }

    pub(crate) fn step(
        &mut self,
        service: &str,
        case_ref: &str,
        kind: MilestoneKind,
        at: DateTime<Utc>,
        channel: &str,
        outcome: Option<&'static str>,
    ) {
        let mut event = json!({
            "kind": "milestone", "event_id": Uuid::new_v4().to_string(), "occurred_at": at.to_rfc3339(),
            "service_id": service, "case_ref": case_ref, "milestone": kind.as_str(), "channel": channel,
        });
        if let Some(outcome) = outcome {
            event["outcome"] = json!(outcome);
        }
        self.events.push(event);
        self.steps.push(Step {
            service: service.into(),
            case_ref: case_ref.into(),
            kind,
            at,
            channel: channel.into(),
            outcome,
        });
    }

    pub(crate) fn respond(
        &mut self,
        rng: &mut StdRng,
        service: &str,
        at: DateTime<Utc>,
        channel: &str,
        case_ref: Option<String>,
    ) {
        let mut answers = [None; 7];
        let mut json_answers = json!({});
        for (i, question) in QUESTIONS.iter().enumerate() {
            if rng.gen_bool(0.85) {
                let answer = *[1u8, 2, 3, 4, 4, 5, 5, 5].choose(rng).unwrap();
                answers[i] = Some(answer);
                json_answers[question] = json!(answer);
            }
        }
        let mut segment = BTreeMap::new();
        let mut json_segment = json!({});
        if rng.gen_bool(0.9) {
            let band = *["25_34", "45_54", "75_plus"].choose(rng).unwrap();
            segment.insert("age_band", band.to_string());
            json_segment["age_band"] = json!(band);
        }
        if rng.gen_bool(0.8) {
            let region = *["ON", "QC"].choose(rng).unwrap();
            segment.insert("region", region.to_string());
            json_segment["region"] = json!(region);
        }
        if rng.gen_bool(0.7) {
            let disability = rng.gen_bool(0.3);
            segment.insert(
                "disability",
                if disability { "yes" } else { "no" }.to_string(),
            );
            json_segment["disability"] = json!(disability);
        }
        let language = *["en", "fr"].choose(rng).unwrap();
        segment.insert("language", language.to_string());
        json_segment["language"] = json!(language);
        let mut event = json!({
            "kind": "feedback", "event_id": Uuid::new_v4().to_string(), "occurred_at": at.to_rfc3339(),
            "service_id": service, "channel": channel, "answers": json_answers, "segment": json_segment,
        });
        if let Some(case_ref) = &case_ref {
            event["case_ref"] = json!(case_ref);
        }
        // Some respondents write a comment (the figures do not read it; the comments
        // endpoint does).
        if rng.gen_ratio(1, 5) {
            event["comment"] = json!("Thank you; the wait was long.");
        }
        self.events.push(event);
        self.responses.push(Response {
            service: service.into(),
            at,
            channel: channel.into(),
            case_ref,
            answers,
            segment,
        });
    }
}
