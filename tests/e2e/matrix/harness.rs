//! Loading a world into a pipeline, and the comparison of a month's cells.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDate;
use civicpulse_core::event::MilestoneKind;
use civicpulse_core::Catalog;
use serde_json::Value;

use super::expected::*;
use super::world::*;
use crate::support::*;

/// Sends the world (and 5 % of it again, as replays), waits for storage, aggregates.
pub(crate) async fn load(pipeline: &mut Pipeline, world: &World) -> String {
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    send_and_aggregate(pipeline, &world.events, &world.events).await
}

/// Posts `events` (and every 20th again), waits until storage holds every event of
/// `all_so_far`, then runs `civicpulse aggregate`; its output.
pub(crate) async fn send_and_aggregate(
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

/// The first local day with anything the rollups record for `service`: a transaction, a
/// response, an application received or a case closed.
fn first_day(
    world: &World,
    closed: &BTreeMap<(String, String), (NaiveDate, i64, bool)>,
    service: &str,
) -> Option<NaiveDate> {
    let offers = world
        .offers
        .iter()
        .filter(|o| o.service == service)
        .map(|o| local(o.at));
    let responses = world
        .responses
        .iter()
        .filter(|r| r.service == service)
        .map(|r| local(r.at));
    let received = world
        .steps
        .iter()
        .filter(|s| s.service == service && s.kind == MilestoneKind::Received)
        .map(|s| local(s.at));
    let stopped = closed
        .iter()
        .filter(|((s, _), _)| s == service)
        .map(|(_, (day, _, _))| *day);
    offers.chain(responses).chain(received).chain(stopped).min()
}

/// Compares every cell of September 2026 for the generated services with the
/// independent computation (value, n, previous month, peer benchmark); returns how many
/// cells were withheld.
pub(crate) async fn assert_september_matches(
    pipeline: &Pipeline,
    catalog: &Catalog,
    world: &World,
) -> usize {
    let closed = closed_cases(catalog, world);
    let (status, cells) = pipeline.api_get("/api/v1/matrix?period=2026-09").await;
    assert_eq!(status, 200, "{cells}");
    let cells = cells.as_array().unwrap();
    let september: BTreeMap<&str, Expected> = SERVICES
        .iter()
        .map(|s| {
            (
                *s,
                expected_row(catalog, world, &closed, s, None, (2026, 9)),
            )
        })
        .collect();
    let august: BTreeMap<&str, Expected> = SERVICES
        .iter()
        .map(|s| {
            (
                *s,
                expected_row(catalog, world, &closed, s, None, (2026, 8)),
            )
        })
        .collect();
    let mut compared = 0;
    let mut withheld = 0;
    for cell in cells {
        let service = cell["service_id"].as_str().unwrap();
        let Some(expected) = september.get(service) else {
            continue;
        };
        // The theme family rests on the themes model's readings, not on these events'
        // figures: the e2e test `themes` checks it.
        if cell["family"] == "themes" {
            continue;
        }
        let dimension = cell["dimension"].as_str().unwrap();
        let Some(&(value, n)) = expected.get(dimension) else {
            assert_eq!(cell["status"], "not_available", "{cell}");
            assert_eq!(cell["value"], Value::Null, "{cell}");
            compared += 1;
            continue;
        };
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
            // August is no "previous" for a service whose data begin after 1 August with
            // none in the 14 days before (analytics::matrix::coverage).
            let whole_august = first_day(world, &closed, service)
                .is_some_and(|day| day <= NaiveDate::from_ymd_opt(2026, 8, 1).unwrap());
            let previous = august[service]
                .get(dimension)
                .and_then(|v| v.0)
                .filter(|_| whole_august);
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
                Some(row) => row.get(dimension)?.0,
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
        SERVICES.len() * civicpulse_core::Dimension::all().len(),
        "every dimension of every generated service"
    );
    withheld
}
