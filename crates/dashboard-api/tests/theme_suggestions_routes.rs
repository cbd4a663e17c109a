//! `/api/v1/themes/suggestions` over the in-memory store: what an analyst reads when deciding
//! whether the taxonomy needs a new theme.

mod support;

use std::sync::Arc;

use civicpulse_core::access::Role;
use civicpulse_dashboard_api::{router, ApiState};
use civicpulse_store::tables::comment_readings::Unclaimed;
use civicpulse_testkit::config::token_of;
use support::{
    catalog, config, epoch, get_as, get_csv, get_json, MemoryStore, Tables, BY_MAIL, PASSPORT,
};

/// Comments about parking and about a missing ramp, which no theme of the catalog names
/// by these words, spread over two services in November 2026.
fn unclaimed() -> Vec<Unclaimed> {
    let parking = [
        "The parking lot was full and I circled for an hour",
        "No parking near the office, the parking lot is tiny",
        "Parking lot closed, had to park three streets away",
        "Paid twelve dollars for parking downtown",
    ];
    let french = [
        "Le stationnement est payant et trop cher",
        "Aucun stationnement gratuit près du bureau",
        "Stationnement payant au centre-ville, c'est abusif",
    ];
    let mut rows = Vec::new();
    for i in 0..8 {
        for (j, text) in parking.iter().chain(french.iter()).enumerate() {
            rows.push(Unclaimed {
                occurred_at: epoch("2026-11-10T12:00:00Z") + (i * 10 + j) as u32 * 60,
                service_id: if j % 2 == 0 { PASSPORT } else { BY_MAIL }.into(),
                comment: format!("{text} (visit {i})"),
            });
        }
    }
    rows
}

fn store() -> Arc<MemoryStore> {
    Arc::new(MemoryStore::new(Tables {
        unclaimed_comments: unclaimed(),
        ..Tables::default()
    }))
}

#[tokio::test]
async fn unclaimed_comments_are_grouped_and_described_by_their_own_words() {
    let store = store();
    let app = router(ApiState::with_stores(
        Arc::new(catalog()),
        &config(),
        store.clone(),
    ));
    let rows = get_json(&app, "/api/v1/themes/suggestions?period=2026-11").await;
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty(), "no suggestion");
    let parking = rows
        .iter()
        .find(|r| r["terms"].as_str().unwrap().contains("parking"))
        .unwrap_or_else(|| panic!("no parking cluster in {rows:?}"));
    assert!(parking["comments"].as_u64().unwrap() >= 5, "{parking}");
    assert_eq!(parking["unclaimed"], 56);
    assert!(parking["example_1"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("park"));
    assert!(rows
        .iter()
        .any(|r| r["terms"].as_str().unwrap().contains("stationnement")));
    assert_eq!(rows[0]["rank"], 1);
    assert_eq!(rows[0]["period"], "2026-11");
    // Showing example comments is a read of comment text, and is kept.
    let audit = store.tables().audit_entries;
    let read = audit.last().expect("an audit entry");
    assert_eq!(read.endpoint, "/api/v1/themes/suggestions");
    assert!(read.rows > 0);

    // One service: only its comments are clustered.
    let one = get_json(
        &app,
        "/api/v1/themes/suggestions?period=2026-11&service_id=passport-by-mail",
    )
    .await;
    assert!(one
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["unclaimed"].as_u64().unwrap() < 56));

    let csv = get_csv(&app, "/api/v1/themes/suggestions?period=2026-11").await;
    assert_eq!(
        csv.lines().next(),
        Some("period,rank,comments,unclaimed,terms,cohesion,example_1,example_2,example_3")
    );
}

#[tokio::test]
async fn a_month_with_too_few_unclaimed_comments_suggests_nothing() {
    let app = router(ApiState::with_stores(
        Arc::new(catalog()),
        &config(),
        store(),
    ));
    let rows = get_json(&app, "/api/v1/themes/suggestions?period=2026-10").await;
    assert_eq!(rows, serde_json::json!([]));
}

#[tokio::test]
async fn a_viewer_may_not_read_example_comments_and_a_broken_store_says_so() {
    let mut config = config();
    config.dashboard.tokens = vec![token_of("viewer", support::TOKEN, Role::Viewer)];
    let store = store();
    let app = router(ApiState::with_stores(
        Arc::new(catalog()),
        &config,
        store.clone(),
    ));
    let answer = get_as(&app, "/api/v1/themes/suggestions", None).await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert!(answer.body.contains("analyst"), "{}", answer.body);

    let app = router(ApiState::with_stores(
        Arc::new(catalog()),
        &support::config(),
        store.clone(),
    ));
    let bad = get_as(&app, "/api/v1/themes/suggestions?period=2026-13", None).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("period"), "{}", bad.body);
    let unknown = get_as(&app, "/api/v1/themes/suggestions?service_id=nope", None).await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    store.set_unavailable(true);
    let down = get_as(&app, "/api/v1/themes/suggestions?period=2026-11", None).await;
    assert_eq!(down.status, 503, "{}", down.body);
    assert!(!down.body.contains("parking"), "{}", down.body);
}
