//! The widget's script and the pages of the no-JavaScript form, in the person's language.

use std::sync::LazyLock;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use minijinja::{context, Environment};
use serde::Deserialize;

use super::error::PublicError;
use super::texts::{Lang, Texts, EN, FR};
use crate::gateway::GatewayState;

/// The widget with both languages' texts filled in (one source for the widget and the
/// form: `texts.rs`).
static WIDGET: LazyLock<String> = LazyLock::new(|| {
    let texts = serde_json::json!({ "en": &EN, "fr": &FR });
    include_str!("../../../assets/widget.js").replace("__CIVICPULSE_TEXTS__", &texts.to_string())
});

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // The layout and style every page shares.
    env.add_template("page", include_str!("../../../templates/page.html"))
        .expect("the page template parses");
    env.add_template(
        "form",
        include_str!("../../../templates/feedback_form.html"),
    )
    .expect("the form template parses");
    env.add_template(
        "answer",
        include_str!("../../../templates/feedback_answer.html"),
    )
    .expect("the answer template parses");
    env.add_template("survey", include_str!("../../../templates/survey.html"))
        .expect("the survey template parses");
    env
});

/// `GET /widget.js`: cached for an hour by browsers and proxies.
pub async fn widget() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        WIDGET.as_str(),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct FormQuery {
    site: String,
    service: String,
    lang: Option<String>,
}

/// `GET /feedback/form?site=KEY&service=ID&lang=fr`: the same questions as the widget, as
/// a plain form posting to `/v1/public/feedback`.
pub async fn form(State(state): State<GatewayState>, Query(query): Query<FormQuery>) -> Response {
    let lang = Lang::from_code(query.lang.as_deref());
    let allowed = state
        .sites
        .get(&query.site)
        .is_some_and(|site| site.services.contains(&query.service));
    if !allowed {
        return answer(lang, StatusCode::NOT_FOUND, Some(&PublicError::UnknownSite));
    }
    render(
        "form",
        StatusCode::OK,
        context! {
            lang => lang.code(),
            t => lang.texts(),
            site => query.site,
            service_id => query.service,
            shown_at => Utc::now().timestamp_millis(),
            error => Option::<&str>::None,
        },
    )
}

/// The page a form post lands on: thanks, or what went wrong, in the form's language.
pub fn answer(lang: Lang, status: StatusCode, error: Option<&PublicError>) -> Response {
    let mut response = message_page(lang, status, |t| match error {
        None => (t.thanks, t.thanks_detail),
        Some(PublicError::RateLimited { .. }) => (t.error_title, t.busy),
        Some(PublicError::Unavailable { .. }) => (t.error_title, t.unavailable),
        Some(PublicError::Invalid(_) | PublicError::Unreadable(_)) => (t.error_title, t.invalid),
        Some(_) => (t.error_title, t.refused),
    });
    if let Some(secs) = error.and_then(PublicError::retry_after_secs) {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.into());
    }
    response
}

/// A page with one heading and one sentence, chosen from the language's texts.
pub fn message_page(
    lang: Lang,
    status: StatusCode,
    choose: impl FnOnce(&Texts) -> (&'static str, &'static str),
) -> Response {
    let (heading, detail) = choose(lang.texts());
    render(
        "answer",
        status,
        context! { lang => lang.code(), heading => heading, detail => detail },
    )
}

/// An invitation's survey, in its language.
pub fn survey_page(lang: Lang) -> Response {
    render(
        "survey",
        StatusCode::OK,
        context! { lang => lang.code(), t => lang.texts(), shown_at => Utc::now().timestamp_millis() },
    )
}

fn render(name: &str, status: StatusCode, context: minijinja::Value) -> Response {
    match TEMPLATES.get_template(name).and_then(|t| t.render(context)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, template = name, "a feedback page did not render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
