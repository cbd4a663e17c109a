//! The quality matrix end to end: events generated here go through the gateway, Kafka, the
//! sink and `civicpulse aggregate`; the API's matrix is compared with one computed here in
//! plain Rust over the same events (local days, deduplication, suppression, benchmarks,
//! previous period, breakdowns), never through the rollups' SQL.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Toronto;
use civicpulse_aggregator::sla::{evaluate, CaseMilestone};
use civicpulse_core::event::MilestoneKind;
use civicpulse_core::Catalog;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

const QUESTIONS: [&str; 7] = [
    "satisfaction",
    "trust",
    "need_met",
    "ease",
    "time_reasonable",
    "fair",
    "helpful_staff",
];
const SERVICES: [&str; 4] = [
    "passport-in-person",
    "passport-by-mail",
    "on-birth-certificate",
    "employment-insurance",
];
/// Small-cell threshold for these tests: low enough that most figures show, high enough
/// that some segment groups and breakdown cells are withheld.
const K: u64 = 5;

struct Offer {
    service: String,
    at: DateTime<Utc>,
    channel: String,
    survey: bool,
}

struct Step {
    service: String,
    case_ref: String,
    kind: MilestoneKind,
    at: DateTime<Utc>,
    channel: String,
    outcome: Option<&'static str>,
}

struct Response {
    service: String,
    at: DateTime<Utc>,
    channel: String,
    case_ref: Option<String>,
    answers: [Option<u8>; 7],
    segment: BTreeMap<&'static str, String>,
}

#[derive(Default)]
pub(crate) struct World {
    offers: Vec<Offer>,
    steps: Vec<Step>,
    responses: Vec<Response>,
    events: Vec<Value>,
}

fn at(text: &str) -> DateTime<Utc> {
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
        for i in 0..cases_per_service {
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
    fn offer(&mut self, service: &str, at: DateTime<Utc>, channel: &str, survey: bool) {
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

    fn step(
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

    fn respond(
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

/// Each closed case's (local stop date, elapsed days, met?) under its service's first
/// standard, by the pure SLA rules.
fn closed_cases(
    catalog: &Catalog,
    world: &World,
) -> BTreeMap<(String, String), (NaiveDate, i64, bool)> {
    let mut milestones: BTreeMap<(String, String), Vec<CaseMilestone>> = BTreeMap::new();
    for step in &world.steps {
        milestones
            .entry((step.service.clone(), step.case_ref.clone()))
            .or_default()
            .push(CaseMilestone {
                at: step.at,
                kind: step.kind,
                outcome: step
                    .outcome
                    .and_then(|o| serde_json::from_value(json!(o)).ok()),
            });
    }
    let today = Utc::now().with_timezone(&Toronto).date_naive();
    let mut closed = BTreeMap::new();
    for ((service_id, case_ref), steps) in milestones {
        let service = catalog.service(&service_id).unwrap();
        let Some(policy) = service.sla.first() else {
            continue;
        };
        let calendar = catalog.calendar(&service.calendar).unwrap();
        let evaluation = evaluate(policy, calendar, service.time_zone, &steps, today);
        let status = serde_json::to_value(evaluation.status).unwrap();
        if let (Some(stopped), Some(status @ ("met" | "breached"))) =
            (evaluation.stopped_at, status.as_str())
        {
            closed.insert(
                (service_id, case_ref),
                (local(stopped), evaluation.elapsed_days, status == "met"),
            );
        }
    }
    closed
}

fn local(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Toronto).date_naive()
}

/// (successes, n) of one segment group's responses.
type GroupShare<'a> = dyn Fn(&[&&Response]) -> Option<(usize, usize)> + 'a;

/// What the API must show for a cell: a value (None when withheld) and its n.
type Expected = BTreeMap<String, (Option<f64>, u64)>;

/// The matrix row of one service (and channel, if given) for local dates in `month`,
/// computed directly from the generated events.
fn expected_row(
    world: &World,
    closed: &BTreeMap<(String, String), (NaiveDate, i64, bool)>,
    service: &str,
    channel: Option<&str>,
    month: (i32, u32),
) -> Expected {
    let in_month = |t: DateTime<Utc>| {
        let d = local(t);
        (d.year(), d.month()) == month
    };
    let keep = |s: &str, c: &str| s == service && channel.is_none_or(|ch| ch == c);
    let mut row = Expected::new();
    let count = |row: &mut Expected, name: &str, n: usize| {
        row.insert(name.into(), (Some(n as f64), n as u64));
    };
    let share = |row: &mut Expected, name: &str, hits: usize, n: usize| {
        let shown = n as u64 >= K;
        row.insert(
            name.into(),
            (shown.then(|| hits as f64 / n as f64), n as u64),
        );
    };

    let offers: Vec<&Offer> = world
        .offers
        .iter()
        .filter(|o| keep(&o.service, &o.channel) && in_month(o.at))
        .collect();
    let responses: Vec<&Response> = world
        .responses
        .iter()
        .filter(|r| keep(&r.service, &r.channel) && in_month(r.at))
        .collect();
    let surveys = offers.iter().filter(|o| o.survey).count();
    count(&mut row, "transactions", offers.len());
    count(&mut row, "surveys_offered", surveys);
    count(&mut row, "responses", responses.len());
    share(&mut row, "response_rate", responses.len(), surveys);
    for (i, question) in QUESTIONS.iter().enumerate() {
        let answers: Vec<u8> = responses.iter().filter_map(|r| r.answers[i]).collect();
        let n = answers.len();
        let mean = answers.iter().map(|&a| f64::from(a)).sum::<f64>() / n as f64;
        row.insert(
            format!("{question}_mean"),
            ((n as u64 >= K).then_some(mean), n as u64),
        );
        let top2 = answers.iter().filter(|&&a| a >= 4).count();
        share(&mut row, &format!("{question}_top2_share"), top2, n);
    }

    let steps: Vec<&Step> = world
        .steps
        .iter()
        .filter(|s| keep(&s.service, &s.channel) && in_month(s.at))
        .collect();
    let received = steps
        .iter()
        .filter(|s| s.kind == MilestoneKind::Received)
        .count();
    let decided: Vec<&&Step> = steps
        .iter()
        .filter(|s| s.kind == MilestoneKind::Decided)
        .collect();
    let inaccurate = decided
        .iter()
        .filter(|s| matches!(s.outcome, Some("error" | "rework")))
        .count();
    share(&mut row, "completion_rate", decided.len(), received);
    let digital = offers
        .iter()
        .filter(|o| matches!(o.channel.as_str(), "web" | "app"))
        .count();
    share(&mut row, "digital_take_up", digital, offers.len());
    share(&mut row, "error_rework_share", inaccurate, decided.len());

    let case_channel: BTreeMap<&str, &str> = world
        .steps
        .iter()
        .filter(|s| s.service == service)
        .map(|s| (s.case_ref.as_str(), s.channel.as_str()))
        .collect();
    let mut elapsed: Vec<i64> = Vec::new();
    let mut met = 0;
    for ((s, case_ref), (stopped, days, was_met)) in closed {
        if s != service {
            continue;
        }
        let case_channel = case_channel[case_ref.as_str()];
        if keep(s, case_channel) && (stopped.year(), stopped.month()) == month {
            elapsed.push(*days);
            met += usize::from(*was_met);
        }
    }
    share(&mut row, "sla_compliance", met, elapsed.len());
    elapsed.sort_unstable();
    let p90 = (!elapsed.is_empty())
        .then(|| elapsed[((0.9 * elapsed.len() as f64).ceil() as usize).max(1) - 1] as f64);
    row.insert(
        "sla_p90_elapsed_days".into(),
        (
            p90.filter(|_| elapsed.len() as u64 >= K),
            elapsed.len() as u64,
        ),
    );

    // Responses linked to their case's closed outcome (whenever it closed).
    let outcome = |r: &Response| {
        r.case_ref
            .as_ref()
            .and_then(|c| closed.get(&(service.to_string(), c.clone())))
            .map(|(_, _, met)| *met)
    };
    for (name, want_met) in [
        ("satisfaction_when_met", true),
        ("satisfaction_when_breached", false),
    ] {
        let answers: Vec<u8> = responses
            .iter()
            .filter(|r| outcome(r) == Some(want_met))
            .filter_map(|r| r.answers[0])
            .collect();
        share(
            &mut row,
            name,
            answers.iter().filter(|&&a| a >= 4).count(),
            answers.len(),
        );
    }

    if channel.is_none() {
        let gap = |value_of: &GroupShare| {
            let mut best: Option<f64> = None;
            for attribute in ["age_band", "disability", "language", "region"] {
                let groups: BTreeSet<&String> = responses
                    .iter()
                    .filter_map(|r| r.segment.get(attribute))
                    .collect();
                let shares: Vec<f64> = groups
                    .into_iter()
                    .filter_map(|group| {
                        let members: Vec<&&Response> = responses
                            .iter()
                            .filter(|r| r.segment.get(attribute) == Some(group))
                            .collect();
                        let (hits, n) = value_of(&members)?;
                        (n as u64 >= K).then(|| hits as f64 / n as f64)
                    })
                    .collect();
                if shares.len() >= 2 {
                    let spread = shares.iter().cloned().fold(f64::MIN, f64::max)
                        - shares.iter().cloned().fold(f64::MAX, f64::min);
                    best = Some(best.map_or(spread, |b: f64| b.max(spread)));
                }
            }
            best
        };
        let satisfaction_gap = gap(&|members| {
            let answers: Vec<u8> = members.iter().filter_map(|r| r.answers[0]).collect();
            Some((answers.iter().filter(|&&a| a >= 4).count(), answers.len()))
        });
        let timeliness_gap = gap(&|members| {
            let linked: Vec<bool> = members.iter().filter_map(|r| outcome(r)).collect();
            Some((linked.iter().filter(|&&m| m).count(), linked.len()))
        });
        // Equity gaps are compared on value only (which pair is named may tie).
        row.insert(
            "equity_gap_satisfaction".into(),
            (satisfaction_gap, u64::MAX),
        );
        row.insert("equity_gap_timeliness".into(), (timeliness_gap, u64::MAX));
    }
    row
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let m = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[m - 1] + values[m]) / 2.0
    } else {
        values[m]
    })
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => false,
    }
}

fn number(value: &Value) -> Option<f64> {
    value.as_f64()
}

/// Sends the world (and 5 % of it again, as replays), waits for storage, aggregates.
pub(crate) async fn load(pipeline: &mut Pipeline, world: &World) -> String {
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    send_and_aggregate(pipeline, &world.events, &world.events).await
}

/// Posts `events` (and every 20th again), waits until storage holds every event of
/// `all_so_far`, then runs `civicpulse aggregate`; its output.
async fn send_and_aggregate(
    pipeline: &mut Pipeline,
    events: &[Value],
    all_so_far: &[Value],
) -> String {
    let client = pipeline.client();
    client.post_all(events, 500).await;
    let replays: Vec<Value> = events.iter().step_by(20).cloned().collect();
    client.post_all(&replays, 500).await;
    let timeout = Duration::from_secs(90);
    for (kind, table) in [
        ("offered", "offered"),
        ("milestone", "milestones"),
        ("feedback", "feedback"),
    ] {
        let expected = all_so_far.iter().filter(|e| e["kind"] == kind).count();
        pipeline.wait_count(table, expected as u64, timeout).await;
    }
    // A run re-reads rows inserted in the second it starts: let that second pass.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    pipeline.spawn("aggregate").wait_success()
}

/// Compares every cell of September 2026 for the generated services with the
/// independent computation (value, n, previous month, peer benchmark); returns how many
/// cells were withheld.
async fn assert_september_matches(pipeline: &Pipeline, catalog: &Catalog, world: &World) -> usize {
    let closed = closed_cases(catalog, world);
    let (status, cells) = pipeline.api_get("/api/v1/matrix?period=2026-09").await;
    assert_eq!(status, 200, "{cells}");
    let cells = cells.as_array().unwrap();
    let september: BTreeMap<&str, Expected> = SERVICES
        .iter()
        .map(|s| (*s, expected_row(world, &closed, s, None, (2026, 9))))
        .collect();
    let august: BTreeMap<&str, Expected> = SERVICES
        .iter()
        .map(|s| (*s, expected_row(world, &closed, s, None, (2026, 8))))
        .collect();
    let mut compared = 0;
    let mut withheld = 0;
    for cell in cells {
        let service = cell["service_id"].as_str().unwrap();
        let Some(expected) = september.get(service) else {
            continue;
        };
        let dimension = cell["dimension"].as_str().unwrap();
        let (value, n) = expected[dimension];
        assert!(
            close(number(&cell["value"]), value),
            "{service} {dimension}: API {} vs expected {value:?}\n{cell}",
            cell["value"]
        );
        if n != u64::MAX {
            assert_eq!(
                cell["n"].as_u64(),
                Some(n),
                "{service} {dimension}: n\n{cell}"
            );
        }
        if value.is_none() {
            withheld += 1;
            assert_eq!(cell["status"], "insufficient_data", "{cell}");
            let note = cell["note"].as_str().unwrap();
            assert!(
                note.contains("too few") || note.contains("no two groups"),
                "{cell}"
            );
        } else {
            let previous = august[service][dimension].0;
            assert!(
                close(number(&cell["previous_value"]), previous),
                "{service} {dimension}: previous {} vs {previous:?}",
                cell["previous_value"]
            );
        }
        // The benchmark is the median of the peers (same category) that show a value.
        let category = catalog.service(service).unwrap().category.clone();
        let mut peers: Vec<f64> = catalog
            .services
            .iter()
            .filter(|p| p.category == category && p.id != service)
            .filter_map(|p| match september.get(p.id.as_str()) {
                Some(row) => row[dimension].0,
                // A peer without events: only its counts (zero) are shown.
                None => ["transactions", "surveys_offered", "responses"]
                    .contains(&dimension)
                    .then_some(0.0),
            })
            .collect();
        assert!(
            close(number(&cell["benchmark"]), median(&mut peers)),
            "{service} {dimension}: benchmark {} vs {peers:?}",
            cell["benchmark"]
        );
        compared += 1;
    }
    assert_eq!(
        compared,
        SERVICES.len() * 27,
        "every dimension of every generated service"
    );
    withheld
}

#[tokio::test(flavor = "multi_thread")]
async fn the_matrix_matches_an_independent_computation_over_the_same_events() {
    require_shared_servers();
    let catalog = Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let world = generate(&catalog, 7, 120);
    let mut pipeline = Pipeline::new(Settings {
        min_responses: K,
        ..Settings::default()
    });
    load(&mut pipeline, &world).await;
    let _api = pipeline.start_dashboard().await;
    let withheld = assert_september_matches(&pipeline, &catalog, &world).await;
    assert!(withheld > 0, "some cells are small enough to be withheld");
    let closed = closed_cases(&catalog, &world);

    // Broken down by channel (on-birth-certificate is web and mail).
    let (status, cells) = pipeline
        .api_get("/api/v1/matrix?period=2026-09&group_by=channel&service_id=on-birth-certificate")
        .await;
    assert_eq!(status, 200, "{cells}");
    let cells = cells.as_array().unwrap();
    let groups: BTreeSet<&str> = cells.iter().map(|c| c["group"].as_str().unwrap()).collect();
    assert_eq!(groups, BTreeSet::from(["mail", "web"]));
    for cell in cells {
        let channel = cell["group"].as_str().unwrap();
        let dimension = cell["dimension"].as_str().unwrap();
        if cell["status"] == "not_available" {
            assert_eq!(cell["family"], "equity", "{cell}");
            continue;
        }
        let expected = expected_row(
            &world,
            &closed,
            "on-birth-certificate",
            Some(channel),
            (2026, 9),
        );
        let (value, n) = expected[dimension];
        assert!(
            close(number(&cell["value"]), value),
            "{channel} {dimension}: API {} vs expected {value:?}",
            cell["value"]
        );
        assert_eq!(cell["n"].as_u64(), Some(n), "{channel} {dimension}");
    }

    // CSV carries the same rows.
    let csv = pipeline
        .api
        .get(format!(
            "http://127.0.0.1:{}/api/v1/matrix?period=2026-09&dimension=sla_compliance",
            pipeline.dashboard_port
        ))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("period,period_from,period_to,service_id"));
    assert_eq!(lines.count(), catalog.services.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn time_series_buckets_agree_with_the_matrix_and_gauges_reach_prometheus() {
    require_shared_servers();
    let catalog = Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let world = generate(&catalog, 11, 40);
    let mut pipeline = Pipeline::new(Settings {
        min_responses: K,
        ..Settings::default()
    });
    load(&mut pipeline, &world).await;
    let _api = pipeline.start_dashboard().await;

    // Monthly buckets of a count are the matrix's monthly counts.
    let (status, points) = pipeline
        .api_get("/api/v1/timeseries?metric=transactions&service_id=passport-by-mail&from=2026-08-01&to=2026-10-01&interval=month")
        .await;
    assert_eq!(status, 200, "{points}");
    let points = points.as_array().unwrap();
    let times: Vec<&str> = points.iter().map(|p| p["time"].as_str().unwrap()).collect();
    assert_eq!(times, ["2026-08-01T00:00:00Z", "2026-09-01T00:00:00Z"]);
    for (point, month) in points.iter().zip([8, 9]) {
        let expected = world
            .offers
            .iter()
            .filter(|o| {
                o.service == "passport-by-mail"
                    && local(o.at).month() == month
                    && local(o.at).year() == 2026
            })
            .count();
        assert_eq!(point["value"].as_f64(), Some(expected as f64), "{point}");
    }
    // Daily buckets of a share withhold days with fewer than K answers, and say so.
    let (_, daily) = pipeline
        .api_get("/api/v1/timeseries?metric=satisfaction_top2_share&service_id=passport-by-mail&from=2026-08-01&to=2026-10-01")
        .await;
    let daily = daily.as_array().unwrap();
    assert!(!daily.is_empty());
    for point in daily {
        let n = point["n"].as_u64().unwrap();
        assert_eq!(point["value"].is_null(), n < K, "{point}");
    }

    // Each run snapshots this month's matrix (whole services) as the API computes it.
    let month = civicpulse_aggregator::matrix::Period::month_of(
        Utc::now().with_timezone(&Toronto).date_naive(),
    );
    let (status, stored) = pipeline
        .api_get(&format!(
            "/api/v1/matrix/snapshots?period={}&dimension=transactions",
            month.label
        ))
        .await;
    assert_eq!(status, 200, "{stored}");
    let (_, live) = pipeline
        .api_get(&format!(
            "/api/v1/matrix?period={}&dimension=transactions",
            month.label
        ))
        .await;
    let by_service = |rows: &Value| -> BTreeMap<String, Option<f64>> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["service_id"].as_str().unwrap().to_string(),
                    r["value"].as_f64(),
                )
            })
            .collect()
    };
    assert_eq!(
        by_service(&stored).len(),
        catalog.services.len(),
        "{stored}"
    );
    assert_eq!(by_service(&stored), by_service(&live));

    // Bad parameters are named.
    for (query, parameter) in [
        ("metric=happiness", "metric"),
        ("metric=responses&interval=hourly", "interval"),
        ("metric=responses&from=2026-09-01&to=2026-08-01", "from"),
        ("metric=responses&service_id=nope", "service_id"),
    ] {
        let (status, body) = pipeline
            .api_get(&format!("/api/v1/timeseries?{query}"))
            .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{parameter}`")),
            "{query}: {body}"
        );
    }

    // /metrics carries the current month's matrix per service and dimension.
    let metrics = pipeline.metrics(pipeline.dashboard_port).await;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("civicpulse_matrix_target{")
                && l.contains("dimension=\"satisfaction_top2_share\"")
                && l.ends_with(" 0.8")),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_intervention_is_judged_before_and_after_and_against_its_peers() {
    require_shared_servers();
    let today = Utc::now().with_timezone(&Toronto).date_naive();
    let recent = today - chrono::Days::new(3);
    let catalog_text = format!(
        "{}\n[[interventions]]\nid = \"birth-online\"\nservice_id = \"on-birth-certificate\"\nname = \"Online ordering\"\ndate = \"2026-06-01\"\n\n[[interventions]]\nid = \"birth-too-new\"\nservice_id = \"on-birth-certificate\"\nname = \"New form\"\ndate = \"{recent}\"\n",
        std::fs::read_to_string(repo_root().join("catalog.toml")).unwrap()
    );
    let mut pipeline = Pipeline::new(Settings {
        catalog: Some(catalog_text),
        ..Settings::default()
    });
    // 28-day windows: before 4–31 May, after 1–28 June (local noon each day).
    let mut events = Vec::new();
    let mut answer = |service: &str, day: NaiveDate, satisfaction: u8| {
        let noon = Toronto
            .from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
            .unwrap();
        let channel = match service {
            "passport-in-person" => "in_person",
            "passport-by-mail" => "mail",
            _ => "web",
        };
        events.push(json!({
            "kind": "feedback", "event_id": Uuid::new_v4().to_string(),
            "occurred_at": noon.with_timezone(&Utc).to_rfc3339(), "service_id": service,
            "channel": channel, "answers": {"satisfaction": satisfaction},
        }));
    };
    let before: NaiveDate = "2026-05-04".parse().unwrap();
    let after: NaiveDate = "2026-06-01".parse().unwrap();
    let spread = |i: usize| chrono::Days::new((i % 28) as u64);
    // Treated: 20 of 40 satisfied before, 32 of 40 after.
    for i in 0..40 {
        answer(
            "on-birth-certificate",
            before + spread(i),
            if i < 20 { 5 } else { 2 },
        );
        answer(
            "on-birth-certificate",
            after + spread(i),
            if i < 32 { 4 } else { 1 },
        );
    }
    // Peers pooled: 40 of 80 before, 48 of 80 after.
    for (i, service) in (0..80).map(|i| (i, ["passport-in-person", "passport-by-mail"][i % 2])) {
        answer(service, before + spread(i), if i < 40 { 5 } else { 2 });
        answer(service, after + spread(i), if i < 48 { 5 } else { 2 });
    }
    // Outside both windows: must not count.
    answer("on-birth-certificate", "2026-06-29".parse().unwrap(), 1);
    answer("on-birth-certificate", "2026-05-03".parse().unwrap(), 1);
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    pipeline.client().post_all(&events, 500).await;
    pipeline
        .wait_count("feedback", events.len() as u64, Duration::from_secs(60))
        .await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    pipeline.spawn("aggregate").wait_success();
    let _api = pipeline.start_dashboard().await;

    let (status, rows) = pipeline
        .api_get(
            "/api/v1/innovations?intervention_id=birth-online&dimension=satisfaction_top2_share",
        )
        .await;
    assert_eq!(status, 200, "{rows}");
    let row = &rows[0];
    assert_eq!(row["window_days"], 28);
    assert_eq!(
        (row["before_from"].as_str(), row["after_to"].as_str()),
        (Some("2026-05-04"), Some("2026-06-29"))
    );
    assert_eq!(
        (row["before_n"].as_u64(), row["after_n"].as_u64()),
        (Some(40), Some(40))
    );
    assert!(close(number(&row["before_value"]), Some(0.5)));
    assert!(close(number(&row["after_value"]), Some(0.8)));
    assert!(close(number(&row["change"]), Some(0.3)));
    // Newcombe's interval for 32/40 − 20/40, computed by hand from the two Wilson
    // intervals: it excludes zero, so the change is an improvement.
    let (a_low, a_high) = civicpulse_aggregator::matrix::stats::wilson(32, 40).unwrap();
    let (b_low, b_high) = civicpulse_aggregator::matrix::stats::wilson(20, 40).unwrap();
    let low = 0.3 - ((0.8 - a_low).powi(2) + (b_high - 0.5).powi(2)).sqrt();
    let high = 0.3 + ((a_high - 0.8).powi(2) + (0.5 - b_low).powi(2)).sqrt();
    assert!(close(number(&row["change_ci_low"]), Some(low)), "{row}");
    assert!(close(number(&row["change_ci_high"]), Some(high)), "{row}");
    assert_eq!(row["verdict"], "improved");
    // Peers rose 10 points, so 20 are the intervention's; with these numbers the 95 %
    // interval still includes zero, and the API says so instead of claiming an effect.
    assert_eq!(row["peers"], "passport-in-person,passport-by-mail");
    assert!(close(number(&row["peer_change"]), Some(0.1)), "{row}");
    assert!(close(number(&row["did"]), Some(0.2)), "{row}");
    let half = 1.959_963_984_540_054
        * (0.5 * 0.5 / 40.0 + 0.8 * 0.2 / 40.0 + 0.5 * 0.5 / 80.0 + 0.6 * 0.4 / 80.0f64).sqrt();
    assert!(
        close(number(&row["did_ci_high"]), Some(0.2 + half)),
        "{row}"
    );
    assert_eq!(row["did_verdict"], "no_clear_change");

    // A dimension without data, and an intervention too recent to judge, say so.
    let (_, rows) = pipeline
        .api_get("/api/v1/innovations?intervention_id=birth-online&dimension=sla_compliance")
        .await;
    assert_eq!(rows[0]["verdict"], "insufficient_data", "{rows}");
    let (_, rows) = pipeline
        .api_get(
            "/api/v1/innovations?intervention_id=birth-too-new&dimension=satisfaction_top2_share",
        )
        .await;
    assert_eq!(rows[0]["verdict"], "too_early", "{rows}");
    assert!(
        rows[0]["note"].as_str().unwrap().contains("at least 7"),
        "{rows}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn incremental_rollups_end_where_a_full_computation_does() {
    require_shared_servers();
    let catalog = Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let world = generate(&catalog, 5, 60);
    let mut pipeline = Pipeline::new(Settings {
        min_responses: K,
        ..Settings::default()
    });
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    // First everything that happened before 15 September, then the rest: cases open at the
    // first run close later (their responses move from unlinked to met or breached).
    let cut = at("2026-09-15T00:00:00Z");
    let (early, late): (Vec<Value>, Vec<Value>) = world
        .events
        .iter()
        .cloned()
        .partition(|e| at(e["occurred_at"].as_str().unwrap()) < cut);
    let first = send_and_aggregate(&mut pipeline, &early, &early).await;
    assert!(
        first.contains("matrix passport-by-mail:") && first.contains("(full)"),
        "{first}"
    );
    let second = send_and_aggregate(&mut pipeline, &late, &world.events).await;
    let refreshed: u64 = second
        .lines()
        .filter(|l| l.starts_with("matrix passport-by-mail:"))
        .map(|l| {
            assert!(l.ends_with("(incremental)"), "{l}");
            l.split_whitespace().nth(2).unwrap().parse::<u64>().unwrap()
        })
        .sum();
    assert!(refreshed > 0 && refreshed < 120, "{second}");
    let _api = pipeline.start_dashboard().await;
    assert_september_matches(&pipeline, &catalog, &world).await;

    // A trickle on one day (the usual run between two others): one slice is recomputed,
    // joining only the cases answered that day.
    let mut world = world;
    let before = world.events.len();
    let mut rng = StdRng::seed_from_u64(99);
    for i in 0..30 {
        let case_ref = format!("passport-by-mail-{i}");
        world.respond(
            &mut rng,
            "passport-by-mail",
            at("2026-09-20T15:00:00Z"),
            "mail",
            Some(case_ref),
        );
    }
    let trickle = world.events[before..].to_vec();
    let third = send_and_aggregate(&mut pipeline, &trickle, &world.events).await;
    assert!(
        third.contains("matrix passport-by-mail: 1 days refreshed (incremental)"),
        "{third}"
    );
    assert_september_matches(&pipeline, &catalog, &world).await;
}
