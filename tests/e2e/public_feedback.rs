//! Feedback from people themselves, end to end: headless Chromium on a page that embeds
//! the widget from the running gateway (and on the gateway's no-JavaScript form) answers
//! like a person, by keyboard and by typing; the response lands in ClickHouse with the
//! right service and source and its comment scrubbed; axe-core finds no WCAG 2.1 A/AA
//! violation before or after answering, in English and French. The gateway's own demo page
//! takes feedback about a mail-only service; a form sent twice is stored once.

use std::time::Duration;

use civicpulse_core::config::Site;
use serde_json::Value;

use crate::support::*;

const KEY: &str = "pk-e2e";
const SERVICE: &str = "employment-insurance";
/// A service offered by mail only, whose information page takes feedback all the same.
const BY_MAIL: &str = "passport-by-mail";

/// A government page embedding the widget from `gateway`, in `lang`.
fn host_page(lang: &str, gateway: &str) -> String {
    let (title, heading) = match lang {
        "fr" => ("Assurance-emploi", "Demander l'assurance-emploi"),
        _ => ("Employment Insurance", "Apply for Employment Insurance"),
    };
    format!(
        r#"<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{heading}</h1><p>{title}.</p>
<div data-civicpulse-site="{KEY}" data-service="{SERVICE}" data-items="satisfaction"></div></main>
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
    let gateway = pipeline.gateway_url();
    pipeline.edit_config(|config| {
        // The default minimum fill time: it must drop nobody.
        config.gateway.public.demo_site = KEY.into();
        config.gateway.sites = vec![Site {
            name: "e2e".into(),
            key: KEY.into(),
            // The host pages' origin, and the gateway's own (its demo page and form).
            origins: vec![site_origin.clone(), gateway.clone()],
            // The demo page shows the first: a service offered by mail only.
            services: vec![BY_MAIL.into(), SERVICE.into()],
            per_client_per_minute: 20,
            per_site_per_minute: 100,
        }];
    });
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");

    // The host pages, served from the origin the site allows.
    let _pages = serve_host_pages(site_port, gateway.clone()).await;
    let origin = site_origin;

    let mut stored = 0;
    let mut fill_ms = Vec::new();
    for (lang, confirmation, reason_question) in [
        (
            "en",
            "Thank you for your feedback.",
            "What was wrong? (optional)",
        ),
        (
            "fr",
            "Merci de votre rétroaction.",
            "Quel était le problème? (facultatif)",
        ),
    ] {
        let comment = format!("Too long ({lang}), write to jane.doe@example.org");
        for (page, what) in [
            (format!("{origin}/{lang}"), "a host page"),
            (format!("{gateway}/demo?lang={lang}"), "the demo page"),
        ] {
            let widget = give_feedback("widget", &page, &comment);
            assert_eq!(widget["lang"], lang);
            assert_accessible(&widget, &format!("the widget on {what} in {lang}"));
            assert_eq!(
                widget["focusAfterAnswer"], "FIELDSET",
                "after No, focus moves to the reason question"
            );
            assert_eq!(widget["focusedName"], reason_question);
            assert_eq!(widget["confirmation"], confirmation, "{what}");
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
            fill_ms.push(widget["fillMs"].as_u64().unwrap());
            stored += 1;
        }

        let form = give_feedback(
            "form",
            &format!("{gateway}/feedback/form?site={KEY}&service={SERVICE}&lang={lang}"),
            &format!("Form ({lang}): call 613-555-0199"),
        );
        assert_eq!(form["lang"], lang);
        assert_accessible(&form, &format!("the form in {lang}"));
        assert_eq!(form["confirmation"], confirmation);
        assert_eq!(
            form["landedOn"], "/feedback/thanks",
            "redirected after the post"
        );
        fill_ms.push(form["fillMs"].as_u64().unwrap());
        stored += 1;

        // Sent without an answer: the form comes back with what to fix and the comment
        // kept, accessible; answered there, it is taken.
        let kept = format!("Kept ({lang}) after the refusal");
        let refused = give_feedback(
            "refused",
            &format!("{gateway}/feedback/form?site={KEY}&service={SERVICE}&lang={lang}"),
            &kept,
        );
        assert_accessible(&refused, &format!("the refused form in {lang}"));
        let choose = if lang == "fr" {
            "Veuillez choisir Oui ou Non."
        } else {
            "Please choose Yes or No."
        };
        assert!(
            refused["error"].as_str().unwrap().contains(choose),
            "{refused}"
        );
        assert_eq!(refused["kept"], kept.as_str());
        assert_eq!(refused["confirmation"], confirmation);
        assert_eq!(refused["landedOn"], "/feedback/thanks");
        stored += 1;
    }
    let min_fill_ms = civicpulse_core::config::PublicFeedbackConfig::default().min_fill_ms;
    let quick = fill_ms.iter().filter(|ms| **ms < min_fill_ms).count();
    eprintln!(
        "fill times (ms) of the browser test's {} people: {fill_ms:?}; {quick} under the \
         {min_fill_ms} ms minimum, which dropped them before; all are stored now",
        fill_ms.len()
    );

    // The same form sent twice (a reload of the page a post landed on, before the
    // redirect): one response.
    let http = reqwest::Client::new();
    let shown_at = chrono::Utc::now().timestamp_millis() - 3_000;
    let twice = format!(
        "site={KEY}&service_id={BY_MAIL}&lang=en&helpful=yes&website=&shown_at={shown_at}\
         &token=0f6b6c1e-5d3c-4a8e-9b7f-2d4c6e8a0b1c"
    );
    for _ in 0..2 {
        let posted = http
            .post(format!("{gateway}/v1/public/feedback"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", &gateway)
            .body(twice.clone())
            .send()
            .await
            .unwrap();
        assert!(posted.status().is_success(), "{}", posted.status());
        assert!(posted.url().path().ends_with("/feedback/thanks"));
    }
    stored += 1;

    pipeline
        .wait_count("feedback", stored, Duration::from_secs(60))
        .await;
    let rows = pipeline
        .query(
            "SELECT source, service_id, channel, given_through, helpful, reason, language, satisfaction \
             FROM feedback FINAL ORDER BY service_id, given_through, language, helpful FORMAT TSV",
        )
        .await
        .unwrap();
    assert_eq!(
        rows,
        // No channel declared (the person did not say how they were served); where it
        // was given, apart. The widget's "Agree" (4) and the form's "Disagree" (2), on one
        // (agreement) scale; a "Yes" carries no reason.
        "site:e2e\temployment-insurance\t\tform\t0\thard_to_understand\ten\t2\n\
         site:e2e\temployment-insurance\t\tform\t1\t\ten\t\\N\n\
         site:e2e\temployment-insurance\t\tform\t0\thard_to_understand\tfr\t2\n\
         site:e2e\temployment-insurance\t\tform\t1\t\tfr\t\\N\n\
         site:e2e\temployment-insurance\t\twidget\t0\thard_to_understand\ten\t4\n\
         site:e2e\temployment-insurance\t\twidget\t0\thard_to_understand\tfr\t4\n\
         site:e2e\tpassport-by-mail\t\tform\t1\t\ten\t\\N\n\
         site:e2e\tpassport-by-mail\t\twidget\t0\thard_to_understand\ten\t4\n\
         site:e2e\tpassport-by-mail\t\twidget\t0\thard_to_understand\tfr\t4\n"
    );
    pipeline
        .wait_count("feedback_comments", 8, Duration::from_secs(30))
        .await;
    let comments = pipeline
        .query("SELECT comment FROM feedback_comments FINAL ORDER BY comment FORMAT TSV")
        .await
        .unwrap();
    assert_eq!(
        comments,
        "Form (en): call ###\nForm (fr): call ###\nKept (en) after the refusal\nKept (fr) after the refusal\n\
         Too long (en), write to ###\nToo long (en), write to ###\n\
         Too long (fr), write to ###\nToo long (fr), write to ###\n"
    );
}

/// A case system invites a person after a case closes; the person answers the survey in
/// Chromium (in the invitation's language, never seeing the case); the response is stored
/// once, linked to the case, and the invitation counts as a survey offer.
#[tokio::test(flavor = "multi_thread")]
async fn an_invited_person_answers_once_and_the_answer_is_linked_to_the_case() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    let gateway = pipeline.gateway_url();
    pipeline.edit_config(|config| {
        config.gateway.invitations.secret = "e2e-invitation-secret".into();
    });
    pipeline.migrate();
    let gateway_process = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    let http = reqwest::Client::new();

    let mut links = Vec::new();
    for (case_ref, lang) in [("P-2026-000123", "fr"), ("P-2026-000124", "en")] {
        let invited = http
            .post(format!("{gateway}/v1/invitations"))
            .bearer_auth(API_KEY)
            .json(&serde_json::json!({
                "service_id": "passport-in-person", "case_ref": case_ref,
                "channel": "in_person", "stage": "delivery", "lang": lang
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(invited.status(), 201);
        let body: Value = invited.json().await.unwrap();
        let url = body["url"].as_str().unwrap().to_string();
        assert!(url.starts_with(&format!("{gateway}/s/")), "{url}");
        assert!(!url.contains(case_ref), "the link hides the case: {url}");
        links.push((url, lang, case_ref));
    }

    // Each person names their own file, in their own way: the reference is masked whatever
    // its shape, since the survey knows the case it is about.
    for (url, lang, case_ref) in &links {
        let comment = format!("The wait was long; my file is {}", case_ref.to_lowercase());
        let survey = give_feedback("form", url, &comment);
        assert_eq!(survey["lang"], *lang);
        assert_accessible(&survey, &format!("the survey in {lang}"));
        let thanks = if *lang == "fr" {
            "Merci de votre rétroaction."
        } else {
            "Thank you for your feedback."
        };
        assert_eq!(survey["confirmation"], thanks);
        assert_eq!(
            survey["landedOn"], "/feedback/thanks",
            "redirected after the post"
        );
    }

    // The same link again: reported as answered, and nothing more is stored.
    let (first_link, _, _) = &links[0];
    let again = http
        .post(first_link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("satisfaction=5&shown_at=1000")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("Ce sondage a déjà été rempli"));
    let page = http.get(first_link).send().await.unwrap();
    assert_eq!(page.status(), 409);

    // A changed link opens nothing.
    let mut tampered = first_link.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let refused = http.get(&tampered).send().await.unwrap();
    assert_eq!(refused.status(), 400);

    pipeline
        .wait_count("feedback", 2, Duration::from_secs(60))
        .await;
    pipeline
        .wait_count("offered", 2, Duration::from_secs(60))
        .await;
    let answers = pipeline
        .query(
            "SELECT case_ref, channel, given_through, stage, source, helpful, satisfaction, language \
             FROM feedback FINAL ORDER BY case_ref FORMAT TSV",
        )
        .await
        .unwrap();
    assert_eq!(
        answers,
        // The survey asks about the service, not whether a page helped.
        "P-2026-000123\tin_person\tsurvey\tdelivery\tinvitation\t\\N\t2\tfr\n\
         P-2026-000124\tin_person\tsurvey\tdelivery\tinvitation\t\\N\t2\ten\n"
    );
    let offers = pipeline
        .query("SELECT case_ref, survey_offered, source FROM offered FINAL ORDER BY case_ref FORMAT TSV")
        .await
        .unwrap();
    assert_eq!(offers, "P-2026-000123\t1\te2e\nP-2026-000124\t1\te2e\n");
    let comments = pipeline
        .query("SELECT DISTINCT comment FROM feedback_comments FINAL FORMAT TSV")
        .await
        .unwrap();
    assert!(!comments.contains("P-2026"), "{comments}");

    // A restarted gateway remembers nothing, but storage knows: still "already answered",
    // and the first answer stands.
    drop(gateway_process);
    let _restarted = pipeline.start_gateway("gateway").await;
    let resent = http
        .post(first_link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("satisfaction=5&shown_at=1000")
        .send()
        .await
        .unwrap();
    assert_eq!(resent.status(), 409);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let raw = pipeline
        .query("SELECT count() FROM feedback")
        .await
        .unwrap();
    assert_eq!(raw.trim(), "2", "nothing was sent again");
    let kept = pipeline
        .query("SELECT helpful, satisfaction FROM feedback FINAL WHERE case_ref = 'P-2026-000123' FORMAT TSV")
        .await
        .unwrap();
    assert_eq!(kept, "\\N\t2\n");
}
