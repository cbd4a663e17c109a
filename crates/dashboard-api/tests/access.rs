//! Least privilege, for every operation of the OpenAPI document (so a new endpoint cannot
//! forget its check): each declares the least role it needs, the router admits that role
//! and the ones above and refuses the ones below (403), an expired token is refused (401),
//! and a token scoped to Ontario's services is refused a federal service by name (403
//! naming its scope) and otherwise reads only Ontario's services: no federal service's id
//! or name appears in any answer it gets.

mod support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use chrono::{Duration, Utc};
use civicpulse_core::access::{Role, Scope, Token};
use civicpulse_core::config::hash_secret;
use civicpulse_core::Catalog;
use civicpulse_dashboard_api::openapi::ApiDoc;
use civicpulse_dashboard_api::{router, ApiState};
use civicpulse_store::tables::comment_readings::{
    DayMentions, MentionKind, ReadSince, RespondentThemes, ThemeCount,
};
use civicpulse_store::tables::feedback_comments::CommentListed;
use civicpulse_store::tables::matrix_snapshots::SnapshotRow;
use civicpulse_store::tables::sla_exceptions::ExceptionRow;
use civicpulse_testkit::memory::ReadComment;
use civicpulse_testkit::rows::closed_summary;
use serde_json::Value;
use strum::VariantArray;
use support::{activity, answers, case, catalog, closed, config, MemoryStore, Tables};
use tower::ServiceExt;
use utoipa::OpenApi;

const ONTARIO: &str = "CA-ON";
const EXPIRED: &str = "expired-secret";
const STRIKE: &str = r#"{"id": "2026-postal-disruption", "services": ["passport-by-mail"],
  "from": "2026-11-16T00:00:00-05:00", "to": "2026-11-28T00:00:00-05:00",
  "reason": "Canada Post labour disruption", "effect": "pause_clock"}"#;

/// The secret of the token of `role`, scoped to Ontario or not.
fn secret(role: Role, scoped: bool) -> String {
    format!("{role}-{}", if scoped { "ontario" } else { "everything" })
}

fn tokens() -> Vec<Token> {
    let mut tokens = Vec::new();
    for role in Role::VARIANTS {
        for scoped in [false, true] {
            tokens.push(Token {
                name: secret(*role, scoped),
                sha256: hash_secret(&secret(*role, scoped)),
                role: *role,
                scope: if scoped {
                    Scope {
                        jurisdictions: vec![ONTARIO.into()],
                        services: vec![],
                    }
                } else {
                    Scope::default()
                },
                expires_at: None,
                comments_read_limit_per_day: None,
            });
        }
    }
    tokens.push(Token {
        name: "retired".into(),
        sha256: hash_secret(EXPIRED),
        role: Role::Admin,
        scope: Scope::default(),
        expires_at: Some(Utc::now() - Duration::hours(1)),
        comments_read_limit_per_day: None,
    });
    tokens
}

fn app(tables: Tables) -> Router {
    let mut config = config();
    config.dashboard.tokens = tokens();
    config.dashboard.protect_metrics = true;
    let store = Arc::new(MemoryStore::new(tables));
    router(ApiState::with_stores(Arc::new(catalog()), &config, store))
}

/// One operation of the document: method, path with its examples filled in, the role it
/// declares, and whether it takes `service_id`.
struct Operation {
    method: String,
    uri: String,
    role: Role,
    takes_service: bool,
}

fn operations() -> Vec<Operation> {
    let doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serializes");
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let parameters = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let mut uri = path.clone();
            for parameter in parameters.iter().filter(|p| p["in"] == "path") {
                let name = parameter["name"].as_str().expect("a name");
                let example = match &parameter["example"] {
                    Value::String(text) => text.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => "x".to_string(),
                };
                uri = uri.replace(&format!("{{{name}}}"), &example);
            }
            // Required query parameters with their examples, so the request is whole.
            let required: Vec<String> = parameters
                .iter()
                .filter(|p| p["in"] == "query" && p["required"] == true)
                .map(|p| {
                    let example = p["example"].as_str().unwrap_or_else(|| {
                        panic!("{method} {path}: `{}` needs an example", p["name"])
                    });
                    format!("{}={example}", p["name"].as_str().unwrap())
                })
                .collect();
            if !required.is_empty() {
                uri = format!("{uri}?{}", required.join("&"));
            }
            let roles: Vec<Role> = operation["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} declares no security"))
                .iter()
                .flat_map(|requirement| {
                    requirement["bearer"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                })
                .map(|role| {
                    role.as_str()
                        .and_then(|r| r.parse().ok())
                        .unwrap_or_else(|| panic!("{method} {path}: `{role}` is no role"))
                })
                .collect();
            assert_eq!(
                roles.len(),
                1,
                "{method} {path} must name the one least role it needs"
            );
            operations.push(Operation {
                method: method.to_uppercase(),
                uri,
                role: roles[0],
                takes_service: parameters.iter().any(|p| p["name"] == "service_id"),
            });
        }
    }
    assert!(operations.len() >= 20, "{} operations", operations.len());
    operations
}

struct Answer {
    status: StatusCode,
    body: String,
}

impl Answer {
    fn code(&self) -> String {
        serde_json::from_str::<Value>(&self.body)
            .ok()
            .and_then(|v| v["error"]["code"].as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

async fn send(app: &Router, method: &str, uri: &str, secret: &str) -> Answer {
    let body = if method == "POST" { STRIKE } else { "" };
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {secret}"))
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("a request");
    let response = app.clone().oneshot(request).await.expect("an answer");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .expect("a body");
    Answer {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn with_query(uri: &str, query: &str) -> String {
    format!("{uri}{}{query}", if uri.contains('?') { '&' } else { '?' })
}

#[tokio::test]
async fn every_operation_admits_its_role_and_refuses_the_ones_below() {
    let app = app(Tables::default());
    for operation in operations() {
        let Operation {
            method, uri, role, ..
        } = &operation;
        for held in Role::VARIANTS {
            let answer = send(&app, method, uri, &secret(*held, false)).await;
            if held < role {
                assert_eq!(
                    answer.status,
                    StatusCode::FORBIDDEN,
                    "{method} {uri} as {held}: {}",
                    answer.body
                );
                assert_eq!(answer.code(), "forbidden", "{method} {uri}");
                assert!(
                    answer.body.contains(&format!("needs the {role} role")),
                    "{method} {uri}: {}",
                    answer.body
                );
            } else {
                assert!(
                    !matches!(
                        answer.status,
                        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                    ),
                    "{method} {uri} as {held}: {} {}",
                    answer.status,
                    answer.body
                );
            }
        }
        let answer = send(&app, method, uri, EXPIRED).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(answer.code(), "expired_token", "{method} {uri}");
    }
}

/// Every service of the catalog has figures, cases, comments, remissions and snapshots, so
/// an answer that forgets the scope shows another government's services.
fn every_service_has_data(catalog: &Catalog) -> Tables {
    let mut tables = Tables::default();
    let now = Utc::now();
    let today = now.date_naive();
    let this_month = today.format("%Y-%m-01").to_string();
    let last_month = (today - Duration::days(35)).format("%Y-%m-15").to_string();
    for service in &catalog.services {
        let id = service.id.as_str();
        for day in [&this_month, &last_month] {
            tables.answer_sums.push(answers(id, day, "", 40, 30));
            tables.activity_sums.push(activity(id, day, 100, 50, 50));
            tables.closed_cases.push(closed(id, day, 5, 18, 2));
        }
        tables
            .cases
            .push(civicpulse_store::tables::sla_cases::CaseListed {
                service_id: id.to_string(),
                ..case(&format!("case-of-{id}"), "open", &now.to_rfc3339())
            });
        tables.theme_counts.push(ThemeCount {
            service_id: id.to_string(),
            theme: "waiting-time".into(),
            comments: 40,
            mentions: 20,
            negative: 15,
        });
        for (satisfaction, respondents) in [(1, 20), (5, 20)] {
            tables.respondent_themes.push((
                now - Duration::hours(1),
                RespondentThemes {
                    service_id: id.to_string(),
                    themes: vec!["waiting-time".into()],
                    satisfaction: Some(satisfaction),
                    helpful: None,
                    respondents,
                },
            ));
        }
        tables.comments.push(CommentListed {
            occurred_at: u32::try_from((now - Duration::hours(1)).timestamp()).unwrap(),
            service_id: id.to_string(),
            channel: "online".into(),
            comment: format!("what a person wrote about {id}"),
            event_id: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, id.as_bytes()),
            ..CommentListed::default()
        });
        // A month without a word about the website, then a burst today: an emerging issue.
        let local_today = civicpulse_core::calendar::local_date(now, catalog.reporting_zone());
        for days_ago in 0..40u64 {
            tables.mention_days.push(DayMentions {
                service_id: id.to_string(),
                kind: MentionKind::Theme,
                key: "website-app".into(),
                text: "website-app".into(),
                day: local_today - chrono::Days::new(days_ago),
                count: if days_ago == 0 { 12 } else { 0 },
            });
        }
        tables.read_since.push(ReadSince {
            service_id: id.to_string(),
            comments: local_today - chrono::Days::new(60),
            phrases: None,
        });
        tables.read_comments.push(ReadComment {
            comment: tables.comments.last().unwrap().clone(),
            themes: vec!["website-app".into()],
            phrases: vec![],
        });
        for policy in &service.sla {
            tables.summaries.push(closed_summary(id, &policy.id, 18, 2));
        }
        tables.snapshots.push(SnapshotRow {
            period: "2026-11".into(),
            period_from: "2026-11-01".parse().unwrap(),
            period_to: "2026-12-01".parse().unwrap(),
            group_by: "service".into(),
            service_id: id.to_string(),
            group_value: String::new(),
            dimension: "satisfaction_top2_share".into(),
            value: Some(0.75),
            n: 40,
            ci_low: Some(0.6),
            ci_high: Some(0.85),
            target: None,
            benchmark: Some(0.7),
            previous_value: None,
            change: None,
            status: "green".into(),
            note: String::new(),
            computed_at: now,
        });
    }
    // One exception for a federal and an Ontario service at once.
    let ontario = catalog
        .services
        .iter()
        .find(|s| s.jurisdiction == ONTARIO)
        .expect("an Ontario service");
    tables.exception_changes.push(ExceptionRow {
        id: "winter-storm".into(),
        services: vec!["passport-by-mail".into(), ontario.id.clone()],
        from_at: now - Duration::days(2),
        to_at: now + Duration::days(2),
        reason: "Winter storm".into(),
        effect: "pause_clock".into(),
        withdrawn: 0,
        declared_by: "service-manager".into(),
        declared_at: now - Duration::days(2),
        seq: 1,
    });
    tables
}

/// The federal services' ids and names: none may reach a reader scoped to Ontario.
fn outside_ontario(catalog: &Catalog) -> Vec<String> {
    catalog
        .services
        .iter()
        .filter(|s| s.jurisdiction != ONTARIO)
        .flat_map(|s| [s.id.clone(), s.name.clone()])
        .collect()
}

#[tokio::test]
async fn a_scoped_token_is_refused_another_governments_service_by_name() {
    let catalog = catalog();
    let app = app(every_service_has_data(&catalog));
    let ontario = catalog
        .services
        .iter()
        .find(|s| s.jurisdiction == ONTARIO)
        .unwrap();
    let mut checked = 0;
    for operation in operations().iter().filter(|o| o.takes_service) {
        let secret = secret(operation.role, true);
        let federal = with_query(&operation.uri, "service_id=passport-by-mail");
        let answer = send(&app, &operation.method, &federal, &secret).await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{federal}: {}",
            answer.body
        );
        assert_eq!(answer.code(), "out_of_scope", "{federal}");
        assert!(
            answer.body.contains("jurisdictions CA-ON") && answer.body.contains("passport-by-mail"),
            "{federal}: the refusal names the scope and the service: {}",
            answer.body
        );
        let own = with_query(&operation.uri, &format!("service_id={}", ontario.id));
        let answer = send(&app, &operation.method, &own, &secret).await;
        assert!(
            !matches!(
                answer.status,
                StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED
            ),
            "{own}: {} {}",
            answer.status,
            answer.body
        );
        checked += 1;
    }
    assert!(checked >= 12, "{checked} operations take service_id");
}

#[tokio::test]
async fn a_scoped_token_reads_only_its_services_everywhere() {
    let catalog = catalog();
    let app = app(every_service_has_data(&catalog));
    let hidden = outside_ontario(&catalog);
    let mut reads: Vec<(String, Role)> = operations()
        .into_iter()
        .filter(|o| o.method == "GET")
        .map(|o| (o.uri, o.role))
        .collect();
    reads.push(("/metrics".into(), Role::Viewer));
    reads.push(("/reports/2026-11".into(), Role::Viewer));
    reads.push(("/api/v1/matrix?period=2026-11".into(), Role::Viewer));
    for (uri, role) in reads {
        for held in Role::VARIANTS.iter().filter(|r| **r >= role) {
            let answer = send(&app, "GET", &uri, &secret(*held, true)).await;
            if answer.status == StatusCode::FORBIDDEN {
                // Only what covers every service at once is refused whole: a written
                // report, and the access audit.
                assert_eq!(answer.code(), "out_of_scope", "{uri}: {}", answer.body);
                assert!(
                    uri.starts_with("/api/v1/reports") || uri.starts_with("/api/v1/audit"),
                    "{uri}: {}",
                    answer.body
                );
                continue;
            }
            for name in &hidden {
                assert!(
                    !answer.body.contains(name.as_str()),
                    "{uri} as a scoped {held} shows `{name}`: {} {}",
                    answer.status,
                    &answer.body[..answer.body.len().min(2000)]
                );
            }
        }
    }
}

#[tokio::test]
async fn a_scoped_reader_sees_its_own_rows_with_their_figures() {
    let catalog = catalog();
    let app = app(every_service_has_data(&catalog));
    let ontario: Vec<&str> = catalog
        .services
        .iter()
        .filter(|s| s.jurisdiction == ONTARIO)
        .map(|s| s.id.as_str())
        .collect();
    let secret = secret(Role::Analyst, true);
    let comments = send(&app, "GET", "/api/v1/feedback/comments", &secret).await;
    assert_eq!(comments.status, StatusCode::OK, "{}", comments.body);
    let comments: Vec<Value> = serde_json::from_str(&comments.body).unwrap();
    assert_eq!(
        comments.len(),
        ontario.len(),
        "one comment per Ontario service"
    );
    let services = send(&app, "GET", "/api/v1/services", &secret).await;
    let services: Vec<Value> = serde_json::from_str(&services.body).unwrap();
    assert_eq!(services.len(), ontario.len());
    // Each Ontario service's burst about the website, with its own comment as the example.
    let emerging = send(&app, "GET", "/api/v1/themes/emerging", &secret).await;
    assert_eq!(emerging.status, StatusCode::OK, "{}", emerging.body);
    let emerging: Vec<Value> = serde_json::from_str(&emerging.body).unwrap();
    assert_eq!(emerging.len(), ontario.len(), "{emerging:?}");
    for row in &emerging {
        let id = row["service_id"].as_str().unwrap();
        assert!(ontario.contains(&id), "{row}");
        assert_eq!(row["example_1"], format!("what a person wrote about {id}"));
    }
    // The exception of a federal and an Ontario service is listed with the Ontario one only.
    let exceptions = send(&app, "GET", "/api/v1/sla/exceptions", &secret).await;
    let exceptions: Vec<Value> = serde_json::from_str(&exceptions.body).unwrap();
    let storm = exceptions
        .iter()
        .find(|e| e["id"] == "winter-storm")
        .expect("the shared exception is listed");
    assert!(
        ontario.contains(&storm["services"].as_str().unwrap()),
        "{storm}"
    );

    // The birth certificate's peers are Ontario's none and two federal passports: their
    // median would be a passport's figure, so the scoped reader gets no benchmark.
    let uri = "/api/v1/matrix?service_id=on-birth-certificate&dimension=satisfaction_top2_share";
    let benchmark = |body: &str| -> Value {
        let rows: Vec<Value> = serde_json::from_str(body).unwrap();
        assert_eq!(rows.len(), 1, "{body}");
        rows[0].clone()
    };
    let everyone = benchmark(&send(&app, "GET", uri, &secret_of_everything()).await.body);
    assert!(everyone["benchmark"].is_number(), "{everyone}");
    let scoped = benchmark(&send(&app, "GET", uri, &secret).await.body);
    assert!(scoped["benchmark"].is_null(), "{scoped}");
    assert!(
        scoped["note"]
            .as_str()
            .unwrap()
            .contains("benchmark withheld"),
        "{scoped}"
    );
    assert_eq!(
        scoped["value"], everyone["value"],
        "its own figure is the same"
    );
}

#[tokio::test]
async fn a_scoped_scrape_leaves_out_a_judgement_made_on_a_withheld_benchmark() {
    let app = app(every_service_has_data(&catalog()));
    let uri = "/api/v1/matrix?service_id=on-birth-certificate";
    let cells: Vec<Value> =
        serde_json::from_str(&send(&app, "GET", uri, &secret_of_everything()).await.body).unwrap();
    let judged_on_peers: Vec<String> = cells
        .iter()
        .filter(|c| {
            c["target"].is_null()
                && c["benchmark"].is_number()
                && c["status_level"].as_i64() >= Some(0)
        })
        .map(|c| c["dimension"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !judged_on_peers.is_empty(),
        "no cell judged on its peers alone: {cells:?}"
    );
    let series = |dimension: &str| {
        format!("civicpulse_matrix_status_level{{dimension=\"{dimension}\",service_id=\"on-birth-certificate\"}}")
    };
    let everyone = send(&app, "GET", "/metrics", &secret(Role::Viewer, false))
        .await
        .body;
    let scoped = send(&app, "GET", "/metrics", &secret(Role::Viewer, true))
        .await
        .body;
    for dimension in &judged_on_peers {
        assert!(
            everyone.contains(&series(dimension)),
            "{dimension}: {everyone}"
        );
        assert!(
            !scoped.contains(&series(dimension)),
            "{dimension} is judged on two passports"
        );
    }
    assert!(
        scoped.contains("service_id=\"on-birth-certificate\""),
        "its other series stay"
    );
}

#[tokio::test]
async fn single_cases_need_an_analyst() {
    let app = app(every_service_has_data(&catalog()));
    for uri in ["/api/v1/sla/cases", "/api/v1/sla/remissions?view=cases"] {
        let answer = send(&app, "GET", uri, &secret(Role::Viewer, false)).await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{uri}: {}",
            answer.body
        );
        assert!(
            answer.body.contains("needs the analyst role"),
            "{uri}: {}",
            answer.body
        );
        let answer = send(&app, "GET", uri, &secret(Role::Analyst, false)).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
    }
    let totals = send(
        &app,
        "GET",
        "/api/v1/sla/remissions",
        &secret(Role::Viewer, false),
    )
    .await;
    assert_eq!(totals.status, StatusCode::OK, "{}", totals.body);
}

fn secret_of_everything() -> String {
    secret(Role::Analyst, false)
}

#[tokio::test]
async fn a_scoped_admin_changes_only_its_own_services() {
    let app = app(every_service_has_data(&catalog()));
    let answer = send(
        &app,
        "POST",
        "/api/v1/sla/exceptions",
        &secret(Role::Admin, true),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    assert_eq!(answer.code(), "out_of_scope");
    let answer = send(
        &app,
        "DELETE",
        "/api/v1/sla/exceptions/winter-storm",
        &secret(Role::Admin, true),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    let answer = send(
        &app,
        "POST",
        "/api/v1/sla/exceptions",
        &secret(Role::Admin, false),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}
