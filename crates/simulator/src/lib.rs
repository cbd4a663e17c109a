//! `civicpulse simulate`: realistic traffic through the gateway.
//!
//! A window of history (default 60 days up to now) is played back in time order at the
//! requested rate: cases of every catalog service go through their milestones (with holds,
//! refusals, rework and withdrawals), each transaction is offered the survey, a share of
//! citizens answer, and satisfaction falls as cases run late. One service (by default
//! `passport-in-person`) gets a surge of applications that pushes processing past its
//! service standard; older and disabled respondents rate lower (an equity gap). About 1 %
//! of events are invalid and about 1 % are re-sent, as real clients do.
//!
//! Respondents write comments from their own model ([`comments`]): in their language,
//! about waiting when their case ran late, and so on. A website outage on a chosen day
//! (`outage_days_ago`) adds a burst of comments from the web-channel services' users
//! ("site en panne", "can't log in"): an emerging issue to find.

pub mod comments;

use backon::BackoffBuilder;
use civicpulse_core::backoff;
use std::time::Duration;

use std::cell::RefCell;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use civicpulse_core::event::{Channel, MilestoneKind};
use civicpulse_core::Catalog;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct SimulateOptions {
    pub gateway_url: String,
    pub api_key: String,
    /// Events per second sent to the gateway.
    pub rate: f64,
    pub duration: Duration,
    pub seed: u64,
    /// Days of history the traffic covers, ending now.
    pub history_days: i64,
    pub surge_service: String,
    /// History events sent first, as fast as the gateway takes them, so that dashboards
    /// show a full picture at once.
    pub backfill: usize,
    /// Paced traffic is recent (spread over the last day) rather than spread over the
    /// whole history.
    pub live: bool,
    /// A website outage this many days before today (0: today), in the catalog's reporting
    /// zone: each service served on the web gets [`OUTAGE_COMMENTS`] comments about it that
    /// day, on top of the traffic. `None`: no outage.
    pub outage_days_ago: Option<u32>,
    /// Where the history ends (`None`: now), so a test or a demo can replay the very same
    /// days.
    pub until: Option<DateTime<Utc>>,
}

/// Comments each web-channel service gets on the outage's day.
pub const OUTAGE_COMMENTS: usize = 20;

/// How many events a back-filling request carries.
const BACKFILL_BATCH: usize = 500;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SimulationReport {
    pub sent: usize,
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub requests: usize,
    pub retried_requests: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("gateway refused the simulator's API key (401)")]
    Unauthorized,
    #[error("gateway answered {status}: {body}")]
    Unexpected { status: u16, body: String },
    #[error("simulation cancelled")]
    Cancelled,
}

/// Generates the traffic for `events` events, in time order, deterministically for a seed.
pub fn generate(
    catalog: &Catalog,
    options: &SimulateOptions,
    now: DateTime<Utc>,
    events: usize,
) -> Vec<Value> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let model = Model {
        words: RefCell::new(StdRng::seed_from_u64(options.seed ^ WORDS_STREAM)),
        now,
        start: now - chrono::Duration::days(options.history_days),
        surge_service: options.surge_service.clone(),
        interventions: catalog
            .interventions
            .iter()
            .map(|i| {
                let midnight = i.date.and_hms_opt(0, 0, 0).expect("midnight exists");
                (i.service_id.clone(), midnight.and_utc())
            })
            .collect(),
    };
    let mut timeline: Vec<(DateTime<Utc>, Value)> = Vec::with_capacity(events + 16);
    while timeline.len() < events {
        let service = catalog
            .services
            .choose(&mut rng)
            .expect("the catalog has services");
        let started = model.case_start(&mut rng, &service.id);
        let channel = *service
            .channels
            .choose(&mut rng)
            .expect("services have channels");
        model.case_events(
            &mut rng,
            &service.id,
            &service.category,
            channel,
            started,
            &mut timeline,
        );
    }
    timeline.sort_by_key(|(at, _)| *at);
    timeline.truncate(events);
    if let Some(days_ago) = options.outage_days_ago {
        let zone = catalog.reporting_zone();
        let day = civicpulse_core::calendar::local_date(now, zone)
            - chrono::Days::new(u64::from(days_ago));
        timeline.extend(outage(
            &mut model.words.borrow_mut(),
            catalog,
            day,
            zone,
            now,
        ));
        timeline.sort_by_key(|(at, _)| *at);
    }
    let mut traffic: Vec<Value> = timeline.into_iter().map(|(_, event)| event).collect();
    spoil(&mut rng, &mut traffic, now);
    traffic
}

/// Mixed into the seed of the comments' own stream.
const WORDS_STREAM: u64 = 0x636f_6d6d_656e_7473;

/// The outage's comments: [`OUTAGE_COMMENTS`] per service served on the web, from page
/// feedback (the widget), spread over the local working day `day` up to `now`; none when
/// the day has not begun. Unhappy, a quarter in French, as the traffic's respondents.
fn outage(
    rng: &mut StdRng,
    catalog: &Catalog,
    day: NaiveDate,
    zone: Tz,
    now: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, Value)> {
    let at = |hour: u32| {
        civicpulse_core::calendar::local_midnight(day, zone) + chrono::Duration::hours(hour.into())
    };
    // 08:00–20:00 local; on today's morning, from midnight to now.
    let end = at(20).min(now - chrono::Duration::minutes(1));
    let start = if end > at(9) { at(8) } else { at(0) };
    if end <= start {
        return Vec::new();
    }
    let span = (end - start).num_seconds();
    let mut out = Vec::new();
    for service in catalog
        .services
        .iter()
        .filter(|s| s.channels.contains(&Channel::Web))
    {
        for _ in 0..OUTAGE_COMMENTS {
            let when = start + chrono::Duration::seconds(rng.gen_range(0..span));
            let french = rng.gen_bool(0.25);
            let event = json!({
                "kind": "feedback", "event_id": Uuid::from_u128(rng.gen()).to_string(),
                "occurred_at": when.to_rfc3339(), "service_id": service.id,
                "channel": "web", "given_through": "widget",
                "answers": {"satisfaction": rng.gen_range(1..=2), "ease": 1},
                "helpful": false, "reason": "something_broken",
                "segment": {"language": if french { "fr" } else { "en" }},
                "comment": comments::outage(rng, french),
            });
            out.push((when, event));
        }
    }
    out
}

struct Model {
    /// The comments' own random stream ([`comments`]).
    words: RefCell<StdRng>,
    now: DateTime<Utc>,
    start: DateTime<Utc>,
    surge_service: String,
    /// The catalog's interventions (service, start): from then on the service's
    /// respondents are more satisfied, so the matrix has an effect to find.
    interventions: Vec<(String, DateTime<Utc>)>,
}

impl Model {
    /// Points added to the mean answer once an intervention on the service has started.
    fn improvement(&self, service: &str, at: DateTime<Utc>) -> f64 {
        let started = self
            .interventions
            .iter()
            .any(|(s, from)| s == service && *from <= at);
        if started {
            0.6
        } else {
            0.0
        }
    }

    fn window_fraction(&self, at: DateTime<Utc>) -> f64 {
        (at - self.start).num_seconds() as f64 / (self.now - self.start).num_seconds().max(1) as f64
    }

    /// The surge occupies 55–80 % of the window: intake there is three times as dense.
    fn in_surge(&self, service: &str, at: DateTime<Utc>) -> bool {
        let f = self.window_fraction(at);
        service == self.surge_service && (0.55..0.80).contains(&f)
    }

    fn case_start(&self, rng: &mut StdRng, service: &str) -> DateTime<Utc> {
        loop {
            let seconds = rng.gen_range(0..(self.now - self.start).num_seconds().max(1));
            let at = self.start + chrono::Duration::seconds(seconds);
            // Accept surge-window starts always, others a third of the time: 3x density.
            if self.in_surge(service, at) || rng.gen_bool(1.0 / 3.0) {
                return office_hours(rng, at);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn case_events(
        &self,
        rng: &mut StdRng,
        service: &str,
        category: &str,
        channel: Channel,
        received: DateTime<Utc>,
        out: &mut Vec<(DateTime<Utc>, Value)>,
    ) {
        let case_ref = format!("case-{}", Uuid::from_u128(rng.gen()).simple());
        let region = *["ON", "QC", "BC", "AB", "NS", "MB"]
            .choose(rng)
            .expect("non-empty");
        let push = |out: &mut Vec<(DateTime<Utc>, Value)>, at: DateTime<Utc>, event: Value| {
            if at <= self.now {
                out.push((at, event));
            }
        };
        let milestone =
            |rng: &mut StdRng, kind: MilestoneKind, at: DateTime<Utc>, outcome: Option<&str>| {
                let mut event = json!({
                    "kind": "milestone", "event_id": Uuid::from_u128(rng.gen()).to_string(),
                    "occurred_at": at.to_rfc3339(), "service_id": service, "case_ref": case_ref,
                    "milestone": kind.as_str(), "channel": channel.as_str(), "region": region,
                });
                if let Some(outcome) = outcome {
                    event["outcome"] = json!(outcome);
                }
                event
            };

        push(
            out,
            received,
            milestone(rng, MilestoneKind::Received, received, None),
        );
        let complete = if rng.gen_bool(0.8) {
            received
        } else {
            add_business_days(received, rng.gen_range(1..=3))
        };
        push(
            out,
            complete,
            milestone(rng, MilestoneKind::Complete, complete, None),
        );

        let surge = self.in_surge(service, complete);
        let typical = typical_working_days(category);
        let spread = (typical / 2).max(1);
        let mut working_days = typical
            + rng.gen_range(-spread..=spread)
            + if surge { rng.gen_range(8..=16) } else { 0 };
        working_days = working_days.max(1);

        let mut cursor = complete;
        let mut held_days = 0;
        if rng.gen_bool(0.15) {
            let hold = add_business_days(complete, rng.gen_range(1..=3));
            held_days = rng.gen_range(1..=6);
            let resume = add_business_days(hold, held_days);
            push(out, hold, milestone(rng, MilestoneKind::OnHold, hold, None));
            push(
                out,
                resume,
                milestone(rng, MilestoneKind::Resumed, resume, None),
            );
            cursor = resume;
            working_days = (working_days - 2).max(1);
        }
        if rng.gen_bool(0.02) {
            let withdrawn = add_business_days(cursor, rng.gen_range(1..=5));
            push(
                out,
                withdrawn,
                milestone(rng, MilestoneKind::Withdrawn, withdrawn, None),
            );
            return;
        }
        let decided = office_hours(rng, add_business_days(cursor, working_days));
        let outcome = *[
            ("approved", 92),
            ("refused", 3),
            ("error", 2),
            ("rework", 3),
        ]
        .choose_weighted(rng, |(_, weight)| *weight)
        .expect("weights are positive");
        push(
            out,
            decided,
            milestone(rng, MilestoneKind::Decided, decided, Some(outcome.0)),
        );
        let mut finished = decided;
        if matches!(category, "identity-documents" | "licensing" | "health")
            && outcome.0 == "approved"
        {
            let printed = add_business_days(decided, 1);
            let dispatched = add_business_days(printed, 1);
            let delivered = dispatched + chrono::Duration::days(rng.gen_range(2..=5));
            push(
                out,
                printed,
                milestone(rng, MilestoneKind::Printed, printed, None),
            );
            push(
                out,
                dispatched,
                milestone(rng, MilestoneKind::Dispatched, dispatched, None),
            );
            push(
                out,
                delivered,
                milestone(rng, MilestoneKind::Delivered, delivered, None),
            );
            finished = delivered;
        }

        let offered_survey = rng.gen_bool(0.7);
        push(
            out,
            finished,
            json!({
                "kind": "offered", "event_id": Uuid::from_u128(rng.gen()).to_string(),
                "occurred_at": finished.to_rfc3339(), "service_id": service, "channel": channel.as_str(),
                "case_ref": case_ref, "survey_offered": offered_survey,
            }),
        );
        if offered_survey && rng.gen_bool(0.35) {
            let answered = finished + chrono::Duration::minutes(rng.gen_range(5..2880));
            let lateness = (working_days + held_days - typical * 10 / 6).max(0) as f64;
            let mood = Mood {
                lateness,
                improvement: self.improvement(service, answered),
            };
            push(
                out,
                answered,
                feedback(
                    rng,
                    &mut self.words.borrow_mut(),
                    service,
                    channel,
                    &case_ref,
                    answered,
                    mood,
                    outcome.0,
                ),
            );
        }
    }
}

/// Business days a case of the category usually takes from complete to decided: outside
/// the surge, services keep the example catalog's standards (passports print and dispatch
/// within 10 business days, licences mail within 5).
fn typical_working_days(category: &str) -> i64 {
    match category {
        "identity-documents" => 5,
        "licensing" => 2,
        "health" => 3,
        _ => 8,
    }
}

/// What moves a respondent's answers besides who they are.
struct Mood {
    /// Business days the case ran late.
    lateness: f64,
    /// Points gained from an intervention on the service.
    improvement: f64,
}

/// One survey response; satisfaction falls with lateness, rises after an intervention, and
/// is lower for groups facing barriers. Its comment comes from `words`.
#[allow(clippy::too_many_arguments)]
fn feedback(
    rng: &mut StdRng,
    words: &mut StdRng,
    service: &str,
    channel: Channel,
    case_ref: &str,
    at: DateTime<Utc>,
    mood: Mood,
    outcome: &str,
) -> Value {
    let lateness = mood.lateness;
    let age_band = *[
        "18_24", "25_34", "35_44", "45_54", "55_64", "65_74", "75_plus",
    ]
    .choose(rng)
    .expect("non-empty");
    let disability = rng.gen_bool(0.12);
    let barrier = if age_band == "75_plus" || disability {
        0.7
    } else {
        0.0
    };
    let refused = if outcome == "refused" { 1.0 } else { 0.0 };
    let mean = 4.3 + mood.improvement - 0.18 * lateness - barrier - refused;
    let mut rate = |shift: f64| -> u8 {
        (mean + shift + rng.gen_range(-1.0..1.0))
            .round()
            .clamp(1.0, 5.0) as u8
    };
    let satisfaction = rate(0.0);
    let answers = json!({
        "satisfaction": satisfaction, "trust": rate(-0.3), "need_met": rate(0.1), "ease": rate(0.0),
        "time_reasonable": rate(-0.2 * lateness.min(5.0)), "fair": rate(0.2), "helpful_staff": rate(0.3),
    });
    // Drawn in the order the event's fields always were, so a seed's traffic is unchanged.
    let event_id = Uuid::from_u128(rng.gen()).to_string();
    let region = *["ON", "QC", "BC", "AB"].choose(rng).expect("non-empty");
    let french = rng.gen_bool(0.25);
    let mut event = json!({
        "kind": "feedback", "event_id": event_id,
        "occurred_at": at.to_rfc3339(), "service_id": service, "channel": channel.as_str(),
        "stage": "outcome", "case_ref": case_ref, "answers": answers, "helpful": satisfaction >= 3,
        "segment": {
            "age_band": age_band, "region": region,
            "language": if french { "fr" } else { "en" }, "disability": disability,
        },
    });
    // The draws of the fixed list of comments this replaced, kept for the same reason.
    if rng.gen_bool(0.2) {
        let _ = rng.gen_range(0..3u32);
    }
    let respondent = comments::Respondent {
        french,
        satisfaction,
        lateness,
        channel,
    };
    if let Some(comment) = comments::write(words, &respondent) {
        event["comment"] = json!(comment);
    }
    event
}

/// About 1 % of events are spoiled the way real clients spoil them, and about 1 % are
/// re-sent later (cross-request duplicates) or twice in one request.
fn spoil(rng: &mut StdRng, traffic: &mut Vec<Value>, now: DateTime<Utc>) {
    let spoils: [fn(&mut Value, DateTime<Utc>); 5] = [
        |e, _| e["service_id"] = json!("unknown-service"),
        |e, _| e["channel"] = json!("carrier-pigeon"),
        |e, _| e["event_id"] = json!("not-a-uuid"),
        |e, now| e["occurred_at"] = json!((now + chrono::Duration::hours(2)).to_rfc3339()),
        |e, _| e["kind"] = json!("complaint"),
    ];
    let len = traffic.len();
    for i in 0..len {
        let roll: f64 = rng.gen();
        if roll < 0.01 {
            let spoil = spoils.choose(rng).expect("non-empty");
            spoil(&mut traffic[i], now);
        } else if roll < 0.02 && i + 1 < len {
            let copy = traffic[i].clone();
            let later = rng.gen_range(i + 1..=(i + 500).min(len));
            traffic.insert(later, copy);
        }
    }
}

fn office_hours(rng: &mut StdRng, at: DateTime<Utc>) -> DateTime<Utc> {
    let day = at.date_naive();
    // 13:00–21:00 UTC is 09:00–17:00 in Toronto for most of the year.
    let seconds = rng.gen_range(13 * 3600..21 * 3600);
    day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
        + chrono::Duration::seconds(seconds)
}

fn add_business_days(from: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    let mut at = from;
    let mut left = days;
    while left > 0 {
        at += chrono::Duration::days(1);
        if !matches!(at.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    at
}

/// Sends the traffic through the gateway at the configured rate, re-sending whole requests
/// on 503 (safe: events are idempotent by `event_id`).
pub async fn run(
    catalog: &Catalog,
    options: &SimulateOptions,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<SimulationReport, SimulateError> {
    let client = reqwest::Client::new();
    let url = format!("{}/v1/events", options.gateway_url.trim_end_matches('/'));
    let mut report = SimulationReport::default();
    let now = options.until.unwrap_or_else(Utc::now);
    if options.backfill > 0 {
        let history = generate(catalog, options, now, options.backfill);
        tracing::info!(events = history.len(), %url, "back-filling history");
        for chunk in history.chunks(BACKFILL_BATCH) {
            if cancel.is_cancelled() {
                return Err(SimulateError::Cancelled);
            }
            send_chunk(&client, &url, &options.api_key, chunk, &mut report, cancel).await?;
            report.sent += chunk.len();
        }
    }
    let total = (options.rate * options.duration.as_secs_f64()).ceil() as usize;
    if total == 0 {
        tracing::info!(?report, "simulation finished");
        return Ok(report);
    }
    let paced = paced_options(options);
    let traffic = generate(catalog, &paced, now, total);
    let batch_size = ((options.rate / 4.0).ceil() as usize).clamp(1, 500);
    let pause = Duration::from_secs_f64(batch_size as f64 / options.rate.max(0.001));
    let mut ticker = tokio::time::interval(pause);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tracing::info!(events = traffic.len(), batch_size, %url, "simulating");
    for chunk in traffic.chunks(batch_size) {
        tokio::select! {
            _ = cancel.cancelled() => return Err(SimulateError::Cancelled),
            _ = ticker.tick() => {}
        }
        send_chunk(&client, &url, &options.api_key, chunk, &mut report, cancel).await?;
        report.sent += chunk.len();
    }
    tracing::info!(?report, "simulation finished");
    Ok(report)
}

/// The paced traffic's options: live traffic covers the last day, with cases of its own
/// (another seed) so that it never repeats the back-filled ones.
fn paced_options(options: &SimulateOptions) -> SimulateOptions {
    if options.live {
        SimulateOptions {
            history_days: 1,
            seed: options.seed.wrapping_add(1),
            ..options.clone()
        }
    } else {
        options.clone()
    }
}

async fn send_chunk(
    client: &reqwest::Client,
    url: &str,
    api_key: &str,
    chunk: &[Value],
    report: &mut SimulationReport,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<(), SimulateError> {
    // The gateway's Retry-After when it gives one, else the product's backoff.
    let mut waits =
        backoff::exponential(Duration::from_millis(250), Duration::from_secs(10)).build();
    loop {
        report.requests += 1;
        let response = client
            .post(url)
            .bearer_auth(api_key)
            .json(chunk)
            .send()
            .await;
        let retry_after = match response {
            Ok(response) => {
                let status = response.status().as_u16();
                match status {
                    // 400 also carries per-item results: every item was rejected.
                    200 | 207 | 400 => {
                        let body: Value = response.json().await.unwrap_or_default();
                        let count = |field: &str| body[field].as_u64().unwrap_or(0) as usize;
                        report.accepted += count("accepted");
                        report.duplicates += count("duplicates");
                        report.rejected += count("rejected");
                        return Ok(());
                    }
                    401 => return Err(SimulateError::Unauthorized),
                    503 => response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok()?.parse().ok())
                        .map(Duration::from_secs),
                    _ => {
                        let body = response.text().await.unwrap_or_default();
                        return Err(SimulateError::Unexpected { status, body });
                    }
                }
            }
            Err(error) => {
                tracing::warn!(%error, "gateway unreachable; retrying");
                None
            }
        };
        report.retried_requests += 1;
        let pause = retry_after
            .or_else(|| waits.next())
            .unwrap_or(Duration::from_secs(10));
        tokio::select! {
            _ = cancel.cancelled() => return Err(SimulateError::Cancelled),
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../catalog.toml"
        )))
        .unwrap()
    }

    fn options() -> SimulateOptions {
        SimulateOptions {
            gateway_url: String::new(),
            api_key: String::new(),
            rate: 100.0,
            duration: Duration::from_secs(10),
            seed: 7,
            history_days: 60,
            surge_service: "passport-in-person".into(),
            backfill: 0,
            live: false,
            outage_days_ago: None,
            until: None,
        }
    }

    #[test]
    fn live_traffic_is_recent_and_never_repeats_the_backfill() {
        let now: DateTime<Utc> = "2026-11-20T12:00:00Z".parse().unwrap();
        let live = SimulateOptions {
            live: true,
            ..options()
        };
        let history = generate(&catalog(), &live, now, 2000);
        let recent = generate(&catalog(), &paced_options(&live), now, 2000);
        let day_before = now - chrono::Duration::days(1) - chrono::Duration::hours(1);
        let times = |events: &[Value]| -> Vec<DateTime<Utc>> {
            events
                .iter()
                .filter_map(|e| e["occurred_at"].as_str()?.parse().ok())
                .collect()
        };
        // Spoiled events may carry odd times; nearly all live ones are of the last day.
        let recent_times = times(&recent);
        let within = recent_times.iter().filter(|t| **t >= day_before).count();
        assert!(
            within * 100 >= recent_times.len() * 95,
            "{within} of {}",
            recent_times.len()
        );
        assert!(times(&history)
            .iter()
            .any(|t| *t < now - chrono::Duration::days(30)));
        // Spoiled events carry made-up ids; the real ones are random UUIDs.
        let ids = |events: &[Value]| -> std::collections::BTreeSet<Uuid> {
            events
                .iter()
                .filter_map(|e| e["event_id"].as_str()?.parse().ok())
                .collect()
        };
        assert!(ids(&history).is_disjoint(&ids(&recent)));
    }

    #[test]
    fn the_same_seed_gives_the_same_traffic() {
        let now = "2026-11-20T12:00:00Z".parse().unwrap();
        let a = generate(&catalog(), &options(), now, 2000);
        let b = generate(&catalog(), &options(), now, 2000);
        assert_eq!(a, b);
        assert!(a.len() >= 2000);
    }

    #[test]
    fn traffic_mixes_kinds_and_carries_some_invalid_events() {
        let catalog = catalog();
        let now: DateTime<Utc> = "2026-11-20T12:00:00Z".parse().unwrap();
        let traffic = generate(&catalog, &options(), now, 20_000);
        let validator = civicpulse_core::Validator::new(&catalog);
        let invalid = traffic
            .iter()
            .filter(|e| validator.parse((*e).clone(), now).is_err())
            .count();
        assert!((50..=400).contains(&invalid), "{invalid} invalid events");
        for kind in ["feedback", "milestone", "offered"] {
            assert!(traffic.iter().any(|e| e["kind"] == kind), "no {kind}");
        }
    }

    #[test]
    fn an_outage_is_a_burst_of_comments_about_the_website_on_its_day() {
        let catalog = catalog();
        let now: DateTime<Utc> = "2026-11-20T22:00:00Z".parse().unwrap();
        let with = SimulateOptions {
            outage_days_ago: Some(2),
            ..options()
        };
        let traffic = generate(&catalog, &with, now, 20_000);
        let zone = catalog.reporting_zone();
        let outage_day: NaiveDate = "2026-11-18".parse().unwrap();
        let about_the_site = |e: &&Value| {
            let comment = e["comment"].as_str().unwrap_or_default();
            ["panne", "log in", "connecter", "down"]
                .iter()
                .any(|w| comment.contains(w))
        };
        let on = |day: NaiveDate| {
            move |e: &&Value| {
                e["occurred_at"]
                    .as_str()
                    .and_then(|t| t.parse::<DateTime<Utc>>().ok())
                    .is_some_and(|t| civicpulse_core::calendar::local_date(t, zone) == day)
            }
        };
        let web_services = catalog
            .services
            .iter()
            .filter(|s| s.channels.contains(&Channel::Web))
            .count();
        let burst: Vec<&Value> = traffic
            .iter()
            .filter(about_the_site)
            .filter(on(outage_day))
            .collect();
        // Spoiled or re-sent copies aside, every web service's outage comments are there.
        assert!(
            burst.len() >= web_services * OUTAGE_COMMENTS * 95 / 100,
            "{} of {}",
            burst.len(),
            web_services * OUTAGE_COMMENTS
        );
        assert!(burst
            .iter()
            .any(|e| e["comment"].as_str().unwrap().contains("panne")));
        // The days before: hardly a word about it.
        let before = traffic
            .iter()
            .filter(about_the_site)
            .filter(on(outage_day.pred_opt().unwrap()))
            .count();
        assert!(before <= 2, "{before} the day before");
        // The same seed, the same outage.
        assert_eq!(traffic, generate(&catalog, &with, now, 20_000));
    }

    #[test]
    fn the_surge_service_is_slower_during_the_surge() {
        let now: DateTime<Utc> = "2026-11-20T12:00:00Z".parse().unwrap();
        let model = Model {
            words: RefCell::new(StdRng::seed_from_u64(1)),
            now,
            start: now - chrono::Duration::days(60),
            surge_service: "s".into(),
            interventions: vec![("s".into(), now - chrono::Duration::days(10))],
        };
        assert!(model.in_surge("s", now - chrono::Duration::days(20)));
        assert!(!model.in_surge("s", now - chrono::Duration::days(50)));
        assert!(!model.in_surge("other", now - chrono::Duration::days(20)));
        // Respondents are happier once the service's intervention has started.
        assert_eq!(
            model.improvement("s", now - chrono::Duration::days(11)),
            0.0
        );
        assert!(model.improvement("s", now - chrono::Duration::days(9)) > 0.0);
        assert_eq!(model.improvement("other", now), 0.0);
    }
}
