//! Feedback from people themselves, end to end: headless Chromium on a page that embeds
//! the widget from the running gateway (and on the gateway's no-JavaScript form) answers
//! like a person, by keyboard and by typing; the response lands in ClickHouse with the
//! right service and source and its comment scrubbed; axe-core finds no WCAG 2.1 A/AA
//! violation before or after answering, in English and French.

use std::time::Duration;

use civicpulse_core::config::Site;
use serde_json::Value;

use crate::support::*;

const KEY: &str = "pk-e2e";
const SERVICE: &str = "employment-insurance";

/// A government page embedding the widget from `gateway`, in `lang`.
fn host_page(lang: &str, gateway: &str) -> String {
    let (title, heading) = match lang {
        "fr" => ("Assurance-emploi", "Demander l'assurance-emploi"),
        _ => ("Employment Insurance", "Apply for Employment Insurance"),
    };
    format!(
        r#"<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{heading}</h1><p>{title}.</p>
<div data-civicpulse-site="{KEY}" data-service="{SERVICE}"></div></main>
<script src="{gateway}/widget.js" defer></script></body></html>"#
    )
}

/// Serves `/en` and `/fr` host pages on `port` until the test ends.
async fn serve_host_pages(port: u16, gateway: String) -> tokio::task::JoinHandle<()> {
    let pages = axum::Router::new()
        .route(
            "/en",
            axum::routing::get({
                let gateway = gateway.clone();
                move || async move { axum::response::Html(host_page("en", &gateway)) }
            }),
        )
        .route(
            "/fr",
            axum::routing::get(
                move || async move { axum::response::Html(host_page("fr", &gateway)) },
            ),
        );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move {
        axum::serve(listener, pages).await.unwrap();
    })
}

fn assert_accessible(summary: &Value, what: &str) {
    for moment in ["before", "after"] {
        let violations = summary[moment].as_array().unwrap();
        assert!(
            violations.is_empty(),
            "{what}, {moment} answering: {violations:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_answers_through_the_widget_and_the_form_in_both_languages() {
    require_shared_servers();
    let site_port = free_port();
    let site_origin = format!("http://127.0.0.1:{site_port}");
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.edit_config(|config| {
        config.gateway.public.min_fill_ms = 500;
        config.gateway.sites = vec![Site {
            name: "e2e".into(),
            key: KEY.into(),
            origins: vec![site_origin.clone()],
            services: vec![SERVICE.into()],
            per_client_per_minute: 20,
            per_site_per_minute: 100,
        }];
    });
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    let gateway = pipeline.gateway_url();

    // The host pages, served from the origin the site allows.
    let _pages = serve_host_pages(site_port, gateway.clone()).await;
    let origin = site_origin;

    let mut stored = 0;
    for (lang, confirmation) in [
        ("en", "Thank you for your feedback."),
        ("fr", "Merci de votre rétroaction."),
    ] {
        let comment = format!("Too long ({lang}), write to jane.doe@example.org");
        let widget = give_feedback("widget", &format!("{origin}/{lang}"), &comment);
        assert_eq!(widget["lang"], lang);
        assert_accessible(&widget, &format!("the widget in {lang}"));
        assert_eq!(
            widget["focusAfterAnswer"], "TEXTAREA",
            "focus moves to the comment"
        );
        assert_eq!(widget["confirmation"], confirmation);
        assert_eq!(
            widget["confirmationFocused"], true,
            "the confirmation is announced"
        );
        for request in widget["requests"].as_array().unwrap() {
            let url = request.as_str().unwrap();
            assert!(
                url.starts_with(&origin) || url.starts_with(&gateway),
                "no third-party request: {url}"
            );
        }

        let form = give_feedback(
            "form",
            &format!("{gateway}/feedback/form?site={KEY}&service={SERVICE}&lang={lang}"),
            &format!("Form ({lang}): call 613-555-0199"),
        );
        assert_eq!(form["lang"], lang);
        assert_accessible(&form, &format!("the form in {lang}"));
        assert_eq!(form["confirmation"], confirmation);
        stored += 2;
    }

    pipeline
        .wait_count("feedback", stored, Duration::from_secs(60))
        .await;
    let rows = pipeline
        .query(
            "SELECT source, service_id, channel, helpful, language, satisfaction FROM feedback FINAL \
             ORDER BY source, language, isNull(satisfaction) FORMAT TSV",
        )
        .await
        .unwrap();
    assert_eq!(
        rows,
        "site:e2e\temployment-insurance\tweb\t0\ten\t2\n\
         site:e2e\temployment-insurance\tweb\t0\ten\t\\N\n\
         site:e2e\temployment-insurance\tweb\t0\tfr\t2\n\
         site:e2e\temployment-insurance\tweb\t0\tfr\t\\N\n"
    );
    pipeline
        .wait_count("feedback_comments", stored, Duration::from_secs(30))
        .await;
    let comments = pipeline
        .query("SELECT comment FROM feedback_comments FINAL ORDER BY comment FORMAT TSV")
        .await
        .unwrap();
    assert_eq!(
        comments,
        "Form (en): call ###\nForm (fr): call ###\nToo long (en), write to ###\nToo long (fr), write to ###\n"
    );
}
