//! The public feedback endpoint, the widget and the form in-process (`oneshot`, no
//! servers): what a page, a foreign page, a bot or a flood meets. Kafka does not answer
//! here, so a response that reaches it gets 503 — which tells a submission dropped as a
//! bot's (answered 202 at once) from one that was sent on.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use civicpulse_core::config::{Config, Site};
use civicpulse_core::Catalog;
use civicpulse_ingest::gateway::public::Sites;
use civicpulse_ingest::gateway::{router, ApiKeys, GatewayState};
use civicpulse_ingest::producer::KafkaProducer;
use serde_json::{json, Value};
use tower::ServiceExt;

const ORIGIN: &str = "https://www.canada.ca";

fn app(per_client_per_minute: u32) -> Router {
    let mut config = Config::default();
    config.gateway.public.max_body_bytes = 4_000;
    config.gateway.public_base_url = "http://gateway.example".parse().unwrap();
    config.gateway.sites = vec![Site {
        name: "canada".into(),
        key: "pk-canada".into(),
        origins: vec![ORIGIN.into()],
        services: vec!["employment-insurance".into()],
        per_client_per_minute,
        per_site_per_minute: 1_000,
    }];
    gateway(config, None)
}

/// The gateway's router for `config`, its Kafka unreachable (nothing listens on port 9).
fn gateway(mut config: Config, storage: Option<clickhouse::Client>) -> Router {
    config.kafka.brokers = "127.0.0.1:9".into();
    config.gateway.delivery_timeout_ms = 1_000;
    let catalog = Catalog::from_toml_str(include_str!("../../../catalog.toml")).expect("catalog");
    let producer =
        Arc::new(KafkaProducer::new(&config.kafka, &config.gateway).expect("a producer"));
    router(GatewayState {
        catalog: Arc::new(catalog.clone()),
        producer,
        kafka: Arc::new(config.kafka.clone()),
        api_keys: Arc::new(ApiKeys::new(&config.gateway.api_keys)),
        sites: Arc::new(Sites::new(&config.gateway.sites, &catalog).expect("the sites")),
        invitations: Arc::new(civicpulse_ingest::gateway::invitations::Invitations::new(
            &config.gateway.invitations,
            storage,
        )),
        config: Arc::new(config.gateway),
    })
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
    /// The body as sent (`text` reads an HTML page as a browser shows it).
    raw: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("the router answers");
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let html = headers
        .get("content-type")
        .is_some_and(|c| c.to_str().unwrap_or_default().starts_with("text/html"));
    Answer {
        status,
        headers,
        // Pages escape every value; read them as a browser shows them.
        text: if html { unescape(&text) } else { text.clone() },
        raw: text,
    }
}

fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// A person's answer, shown 5 s ago.
fn answer() -> Value {
    json!({
        "site": "pk-canada", "service_id": "employment-insurance", "helpful": "no",
        "comment": "The page was unclear", "lang": "en", "website": "",
        "shown_at": chrono::Utc::now().timestamp_millis() - 5_000
    })
}

fn post(body: &Value, origin: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/v1/public/feedback")
        .header("content-type", "application/json")
        .header("host", "gateway.example");
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn cors_preflight_is_answered_for_a_site_s_origin_only() {
    let app = app(10);
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/v1/public/feedback")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = send(&app, preflight(ORIGIN)).await;
    assert!(allowed.status.is_success(), "{}", allowed.status);
    assert_eq!(allowed.headers["access-control-allow-origin"], ORIGIN);
    assert!(allowed.headers["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    let foreign = send(&app, preflight("https://evil.example")).await;
    assert!(
        !foreign.headers.contains_key("access-control-allow-origin"),
        "a foreign origin is not allowed: {:?}",
        foreign.headers
    );
}

#[tokio::test]
async fn a_wrong_key_a_foreign_page_or_no_page_is_refused_in_json() {
    let app = app(10);
    let mut wrong_key = answer();
    wrong_key["site"] = json!("pk-guess");
    let refused = send(&app, post(&wrong_key, Some(ORIGIN))).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.json()["error"]["code"], "unknown_site");

    let foreign = send(&app, post(&answer(), Some("https://evil.example"))).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert_eq!(foreign.json()["error"]["code"], "origin_not_allowed");

    let scripted = send(&app, post(&answer(), None)).await;
    assert_eq!(scripted.status, StatusCode::FORBIDDEN);
    assert_eq!(scripted.json()["error"]["code"], "origin_required");

    let mut other_service = answer();
    other_service["service_id"] = json!("old-age-security");
    let other = send(&app, post(&other_service, Some(ORIGIN))).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert_eq!(other.json()["error"]["code"], "service_not_allowed");
}

#[tokio::test]
async fn a_bot_s_submission_is_answered_like_a_success_and_never_sent() {
    let app = app(10);
    let mut honeypot = answer();
    honeypot["website"] = json!("http://cheap-pills.example");
    let mut no_page = answer();
    no_page.as_object_mut().unwrap().remove("shown_at");
    for bot in [honeypot, no_page] {
        let dropped = send(&app, post(&bot, Some(ORIGIN))).await;
        assert_eq!(dropped.status, StatusCode::ACCEPTED, "{}", dropped.text);
        assert_eq!(dropped.json()["status"], "received");
    }
    // A person's answer goes on to Kafka, which does not answer here.
    let person = send(&app, post(&answer(), Some(ORIGIN))).await;
    assert_eq!(
        person.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        person.text
    );
    assert_eq!(person.json()["error"]["code"], "unavailable");
    assert_eq!(person.json()["error"]["advice"], "not_recorded");
    assert!(person.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn a_quick_yes_is_a_person_s_and_is_sent_on() {
    let app = app(10);
    let mut quick = answer();
    quick["helpful"] = json!("yes");
    quick.as_object_mut().unwrap().remove("comment");
    quick["shown_at"] = json!(chrono::Utc::now().timestamp_millis() - 400);
    let sent = send(&app, post(&quick, Some(ORIGIN))).await;
    // Sent on to Kafka (down here), not dropped with a 202.
    assert_eq!(
        sent.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        sent.text
    );
}

/// A gateway whose site sits on a mail-only service's information page.
fn passport_app() -> Router {
    let mut config = Config::default();
    config.gateway.sites = vec![Site {
        name: "passports".into(),
        key: "pk-passports".into(),
        origins: vec![ORIGIN.into()],
        services: vec!["passport-by-mail".into()],
        per_client_per_minute: 100,
        per_site_per_minute: 1_000,
    }];
    config.gateway.public.demo_site = "pk-passports".into();
    gateway(config, None)
}

#[tokio::test]
async fn feedback_on_a_page_about_a_mail_service_is_taken() {
    let app = passport_app();
    let mut about_mail = answer();
    about_mail["site"] = json!("pk-passports");
    about_mail["service_id"] = json!("passport-by-mail");
    let sent = send(&app, post(&about_mail, Some(ORIGIN))).await;
    // Valid, so sent on to Kafka (down here): not 400 "not offered through channel web".
    assert_eq!(
        sent.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        sent.text
    );
    assert_eq!(sent.json()["error"]["advice"], "not_recorded");
}

#[tokio::test]
async fn the_demo_page_embeds_the_widget_in_both_languages_and_only_when_configured() {
    let app = passport_app();
    for (lang, heading) in [
        ("en", "<h1>Passport, applied for by mail</h1>"),
        ("fr", "<h1>Passeport, demande par la poste</h1>"),
    ] {
        let page = send(
            &app,
            Request::get(format!("/demo?lang={lang}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains(&format!(r#"<html lang="{lang}">"#)));
        assert!(page.text.contains(heading), "{}", page.text);
        assert!(page.text.contains(
            r#"<div data-civicpulse-site="pk-passports" data-service="passport-by-mail""#
        ));
        assert!(page.text.contains(r#"<script src="/widget.js" defer>"#));
        assert!(
            page.text.contains(&format!(
                "/feedback/form?site=pk-passports&service=passport-by-mail&lang={lang}"
            )),
            "{}",
            page.text
        );
    }
    let none = send(
        &crate::app(10),
        Request::get("/demo").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}

fn form_post(body: &str) -> Request<Body> {
    Request::post("/v1/public/feedback")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "gateway.example")
        .header("origin", "http://gateway.example")
        .body(Body::from(body.to_string()))
        .unwrap()
}

const TOKEN: &str = "6a2f41a3-c54c-4c8f-9d7e-3b9a1d5c2e10";

/// A comment at the length limit, in characters the form percent-encodes as 12 bytes each
/// (Inuktitut, emoji), is under the default body limit: the person is never told their
/// comment is too long when it is not.
#[tokio::test]
async fn a_full_length_comment_in_any_script_fits_the_default_body_limit() {
    let mut config = Config::default();
    config.gateway.public_base_url = "http://gateway.example".parse().unwrap();
    config.gateway.sites = vec![Site {
        name: "canada".into(),
        key: "pk-canada".into(),
        origins: vec![ORIGIN.into()],
        services: vec!["employment-insurance".into()],
        per_client_per_minute: 10,
        per_site_per_minute: 1_000,
    }];
    let app = gateway(config, None);
    let shown = chrono::Utc::now().timestamp_millis() - 5_000;
    let comment = "%F0%9D%84%9E".repeat(civicpulse_core::validate::MAX_COMMENT_CHARS);
    // The honeypot is filled so that nothing is sent on: the body limit is what is tested.
    let taken = send(
        &app,
        form_post(&format!(
            "site=pk-canada&service_id=employment-insurance&lang=en&helpful=no&reason=other&shown_at={shown}&token={TOKEN}&website=spam&comment={comment}"
        )),
    )
    .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.text);
}

#[tokio::test]
async fn a_refused_form_comes_back_filled_in_with_what_to_fix() {
    let app = app(10);
    let shown = chrono::Utc::now().timestamp_millis() - 5_000;
    // No answer at all: refused, not stored.
    let empty = send(
        &app,
        form_post(&format!(
            "site=pk-canada&service_id=employment-insurance&lang=fr&shown_at={shown}&token={TOKEN}&website=&comment=Rien+%C3%A0+dire"
        )),
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(
        empty.text.contains("Veuillez choisir Oui ou Non."),
        "{}",
        empty.text
    );
    assert!(empty.text.contains(r##"<a href="#helpful-yes">"##));
    assert!(
        empty.text.contains(">Rien à dire</textarea>"),
        "what was typed is kept"
    );
    let script = send(
        &app,
        form_post(&format!(
            "site=pk-canada&service_id=employment-insurance&lang=en&shown_at={shown}&website=&comment=%3C%2Ftextarea%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E"
        )),
    )
    .await;
    assert!(
        !script.raw.contains("<script>alert(1)") && script.text.contains("<script>alert(1)"),
        "what was typed is shown as text, never run"
    );
    assert!(empty
        .text
        .contains(&format!(r#"name="token" value="{TOKEN}""#)));
    assert!(empty
        .text
        .contains(&format!(r#"name="shown_at" value="{shown}""#)));
    assert!(empty
        .text
        .contains(r#"<form method="post" action="/v1/public/feedback">"#));

    // Too long a comment: the choices come back checked.
    let long = "x".repeat(2_001);
    let too_long = send(
        &app,
        form_post(&format!(
            "site=pk-canada&service_id=employment-insurance&lang=en&helpful=no&reason=cannot_find&satisfaction=2&shown_at={shown}&token={TOKEN}&website=&comment={long}"
        )),
    )
    .await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
    assert!(too_long
        .text
        .contains("Please keep your comment under 2000 characters."));
    assert!(too_long.text.contains(r#"value="no" checked"#));
    assert!(too_long.text.contains(r#"value="cannot_find" checked"#));
    assert!(too_long
        .text
        .contains(r#"name="satisfaction" value="2" checked"#));
    assert!(!too_long.text.contains("not offered"), "no internals");

    // Accepted (a bot's here, so nothing is sent): redirected to the thank-you page,
    // which a reload only shows again.
    let taken = send(
        &app,
        form_post(&format!(
            "site=pk-canada&service_id=employment-insurance&lang=fr&helpful=yes&shown_at={shown}&token={TOKEN}&website=spam"
        )),
    )
    .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER);
    assert_eq!(taken.headers["location"], "/feedback/thanks?lang=fr");
    let thanks = send(
        &app,
        Request::get("/feedback/thanks?lang=fr")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(thanks.status, StatusCode::OK);
    assert!(thanks.text.contains("Merci de votre rétroaction."));
}

#[tokio::test]
async fn the_form_asks_each_a11_item_as_the_widget_and_the_survey_do() {
    let app = app(10);
    let page = send(
        &app,
        Request::get("/feedback/form?site=pk-canada&service=employment-insurance")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(page
        .text
        .contains("<legend>I am satisfied with the service I received.</legend>"));
    assert!(page
        .text
        .contains(r#"name="satisfaction" value="2"> Disagree"#));
    assert!(!page.text.contains("Dissatisfied"), "one scale");
    assert!(page.text.contains(r#"name="token" value=""#));
}

#[tokio::test]
async fn a_flood_from_one_address_gets_429_with_retry_after() {
    let app = app(2);
    let mut bot = answer();
    bot["website"] = json!("x");
    for _ in 0..2 {
        assert_eq!(
            send(&app, post(&bot, Some(ORIGIN))).await.status,
            StatusCode::ACCEPTED
        );
    }
    let limited = send(&app, post(&bot, Some(ORIGIN))).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.json()["error"]["code"], "rate_limited");
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry), "Retry-After {retry}");
}

#[tokio::test]
async fn an_oversized_unreadable_or_invalid_answer_is_a_clear_4xx() {
    let app = app(10);
    let mut huge = answer();
    huge["comment"] = json!("x".repeat(5_000));
    let oversized = send(&app, post(&huge, Some(ORIGIN))).await;
    assert_eq!(oversized.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(oversized.json()["error"]["code"], "body_too_large");

    let mut extra = answer();
    extra["email"] = json!("someone@example.org");
    let unreadable = send(&app, post(&extra, Some(ORIGIN))).await;
    assert_eq!(unreadable.status, StatusCode::BAD_REQUEST);
    assert!(unreadable.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("email"));

    let mut invalid = answer();
    invalid["satisfaction"] = json!(9);
    let refused = send(&app, post(&invalid, Some(ORIGIN))).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json()["error"]["code"], "invalid");
    assert_eq!(
        refused.json()["error"]["fields"][0]["field"],
        "answers.satisfaction"
    );
}

#[tokio::test]
async fn the_form_is_served_in_french_and_its_post_answers_with_a_french_page() {
    let app = app(10);
    let page = send(
        &app,
        Request::get("/feedback/form?site=pk-canada&service=employment-insurance&lang=fr")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(r#"<html lang="fr">"#));
    assert!(page
        .text
        .contains("Avez-vous trouvé ce que vous cherchiez?"));
    assert!(page.text.contains(r#"name="website""#), "the honeypot");
    assert!(page.text.contains(r#"name="shown_at""#));

    // The honeypot filled on the gateway's own page: taken for a bot's, thanked anyway.
    let form = "site=pk-canada&service_id=employment-insurance&lang=fr&helpful=yes&shown_at=1&website=spam";
    let thanked = send(&app, form_post(form)).await;
    assert_eq!(thanked.status, StatusCode::SEE_OTHER, "{}", thanked.text);
    assert_eq!(thanked.headers["location"], "/feedback/thanks?lang=fr");

    let foreign = send(
        &app,
        Request::post("/v1/public/feedback")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "https://evil.example")
            .body(Body::from(form))
            .unwrap(),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert!(foreign
        .text
        .contains("Votre rétroaction n'a pas été envoyée"));
    assert!(
        foreign.text.contains("Veuillez réessayer plus tard."),
        "nothing the person did: {}",
        foreign.text
    );

    // DNS rebinding: a page of x.test whose name now points at the gateway sends its own
    // name as Host. The gateway's own origin is configured, never read from Host.
    let rebound = send(
        &app,
        Request::post("/v1/public/feedback")
            .header("content-type", "application/json")
            .header("host", "x.test")
            .header("origin", "http://x.test")
            .body(Body::from(answer().to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(rebound.status, StatusCode::FORBIDDEN, "{}", rebound.text);
    assert_eq!(rebound.json()["error"]["code"], "origin_not_allowed");
    assert_eq!(
        rebound.json()["error"]["message"],
        "pages of http://x.test may not send feedback for this site"
    );

    let unknown = send(
        &app,
        Request::get("/feedback/form?site=pk-guess&service=employment-insurance")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_widget_script_is_small_and_speaks_both_languages() {
    let app = app(10);
    let script = send(
        &app,
        Request::get("/widget.js").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(script
        .text
        .contains("Did you find what you were looking for?"));
    assert!(script
        .text
        .contains("Avez-vous trouvé ce que vous cherchiez?"));
    assert!(!script.text.contains("__CIVICPULSE_TEXTS__"));
    assert!(!script.text.contains("document.cookie"), "no cookies");
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gzip, script.text.as_bytes()).unwrap();
    let compressed = gzip.finish().unwrap().len();
    assert!(compressed <= 10 * 1024, "{compressed} bytes compressed");
}

mod invitations {
    use super::*;
    use civicpulse_core::config::{hash_secret, ApiKey};

    const API_KEY: &str = "case-system-key";

    /// A gateway with invitations on (and Kafka down, as above).
    fn app() -> Router {
        app_with_storage(None)
    }

    fn app_with_storage(storage: Option<clickhouse::Client>) -> Router {
        let mut config = Config::default();
        config.gateway.api_keys = vec![ApiKey {
            source: "cases".into(),
            sha256: hash_secret(API_KEY),
            expires_at: None,
        }];
        config.gateway.invitations.secret = "router-test-secret".into();
        config.gateway.public_base_url = "https://feedback.example".parse().unwrap();
        gateway(config, storage)
    }

    fn invite(key: Option<&str>, body: &Value) -> Request<Body> {
        let mut request =
            Request::post("/v1/invitations").header("content-type", "application/json");
        if let Some(key) = key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        request.body(Body::from(body.to_string())).unwrap()
    }

    fn case() -> Value {
        json!({"service_id": "passport-in-person", "case_ref": "P-2026-000123", "channel": "in_person", "lang": "fr"})
    }

    #[tokio::test]
    async fn invitations_need_an_api_key_and_a_valid_case() {
        let app = app();
        let anonymous = send(&app, invite(None, &case())).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        assert_eq!(anonymous.json()["error"]["code"], "unauthorized");
        let mut web = case();
        web["channel"] = json!("web");
        let refused = send(&app, invite(Some(API_KEY), &web)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("channel"));
        // A valid one records the offer first: Kafka is down here, so 503.
        let unrecorded = send(&app, invite(Some(API_KEY), &case())).await;
        assert_eq!(unrecorded.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(unrecorded.headers.contains_key("retry-after"));
    }

    #[tokio::test]
    async fn a_tampered_or_foreign_link_gets_a_clear_page_and_a_4xx() {
        let app = app();
        for token in [
            "not-a-token",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            let page = send(
                &app,
                Request::get(format!("/s/{token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST);
            assert!(
                page.text.contains("This survey link is not valid"),
                "{}",
                page.text
            );
        }
    }

    fn link(expires_in: chrono::Duration) -> String {
        use civicpulse_ingest::gateway::invitations::{Invitation, Sealer};
        let token = Sealer::new("router-test-secret").seal(&Invitation {
            id: uuid::Uuid::new_v4(),
            service_id: "passport-in-person".into(),
            case_ref: "P-2026-000123".into(),
            channel: "in_person".into(),
            stage: None,
            lang: "fr".into(),
            expires_at: chrono::Utc::now() + expires_in,
        });
        format!("/s/{token}")
    }

    #[tokio::test]
    async fn a_valid_link_shows_the_survey_in_its_language_and_an_expired_one_says_so() {
        let app = app();
        let page = send(
            &app,
            Request::get(link(chrono::Duration::days(1)))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains(r#"<html lang="fr">"#));
        assert!(page
            .text
            .contains("Je suis satisfait du service que j'ai reçu."));
        // After a case it asks about the service, not about a page.
        assert!(!page
            .text
            .contains("Avez-vous trouvé ce que vous cherchiez?"));
        assert!(!page.text.contains(r#"name="helpful""#));
        assert!(!page.text.contains("P-2026"), "the case is never shown");
        let expired = send(
            &app,
            Request::get(link(chrono::Duration::seconds(-1)))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(expired.status, StatusCode::GONE);
        assert!(expired.text.contains("expired"), "{}", expired.text);
    }

    #[tokio::test]
    async fn an_empty_or_unrecorded_survey_comes_back_filled_in() {
        let app = app();
        let post = |body: &str| {
            Request::post(link(chrono::Duration::days(1)))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let empty = send(&app, post("shown_at=1000&website=")).await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST);
        assert!(empty
            .text
            .contains("Veuillez répondre à au moins une question ou laisser un commentaire."));
        // Kafka is down here: the answers come back, with a message about trying later.
        let unrecorded = send(
            &app,
            post("shown_at=1000&website=&ease=4&comment=Long+d%C3%A9lai"),
        )
        .await;
        assert_eq!(unrecorded.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(unrecorded.headers.contains_key("retry-after"));
        assert!(unrecorded.text.contains("Veuillez réessayer plus tard."));
        assert!(unrecorded.text.contains(r#"name="ease" value="4" checked"#));
        assert!(unrecorded.text.contains(">Long délai</textarea>"));
    }

    #[tokio::test]
    async fn with_storage_down_the_survey_is_still_shown() {
        // Nothing listens on port 9: storage cannot say whether the link was answered.
        let storage = clickhouse::Client::default().with_url("http://127.0.0.1:9");
        let app = app_with_storage(Some(storage));
        let page = send(
            &app,
            Request::get(link(chrono::Duration::days(1)))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("Je suis satisfait du service"));
    }
}

/// The development configuration `scripts/dev-up` runs with: its site takes feedback on
/// every service it lists, its demo page shows the widget, its form answers, and
/// invitations are on.
#[tokio::test]
async fn the_development_config_shows_the_citizen_s_side_from_the_first_run() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/civicpulse.toml");
    let config = Config::load(Some(std::path::Path::new(path))).expect("the dev config");
    assert!(
        !config.gateway.invitations.secret.is_empty(),
        "invitations on"
    );
    let catalog = Catalog::from_toml_str(include_str!("../../../catalog.toml")).unwrap();
    let sites = Sites::new(&config.gateway.sites, &catalog).expect("the dev site is valid");
    sites
        .check_demo(&config.gateway.public.demo_site)
        .expect("the demo page's site exists");
    let app = gateway(config, None);
    for url in [
        "/demo",
        "/demo?lang=fr",
        "/feedback/form?site=pk-dev-demo&service=passport-by-mail&lang=en",
    ] {
        let page = send(&app, Request::get(url).body(Body::empty()).unwrap()).await;
        assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.text);
    }
}
