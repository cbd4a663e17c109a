//! The widget's script and the pages of the no-JavaScript form, in the person's language.

use std::sync::LazyLock;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::{context, Environment};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::{Advice, PublicError};
use super::submission::Submission;
use super::texts::{texts, Language, Texts, EN, FR};
use crate::gateway::GatewayState;

/// The A-11 items the form asks (by wire name), worded and scaled as the widget and the
/// survey ask them (`Texts::items`, `Texts::agree_scale`).
const FORM_ITEMS: [&str; 1] = ["satisfaction"];

/// The widget with both languages' texts filled in (one source for the widget and the
/// form: `texts.rs`).
static WIDGET: LazyLock<String> = LazyLock::new(|| {
    let texts = serde_json::json!({ "en": &EN, "fr": &FR });
    include_str!("../../../assets/widget.js").replace("__CIVICPULSE_TEXTS__", &texts.to_string())
});

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // Escape every value: a refused form shows back what the person typed. (The template
    // names carry no `.html`, from which minijinja would otherwise guess it.)
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
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
    env.add_template("demo", include_str!("../../../templates/demo.html"))
        .expect("the demo template parses");
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

/// What the person had chosen and typed, put back into a form refused for a reason they
/// can fix (and the token and time it was first shown, so it stays one submission).
#[derive(Debug, Default, Serialize)]
pub struct Typed {
    helpful: Option<String>,
    reason: Option<String>,
    comment: Option<String>,
    /// The chosen point of each asked A-11 item, by wire name.
    items: std::collections::BTreeMap<&'static str, u8>,
    token: String,
    shown_at: i64,
}

impl Typed {
    fn fresh() -> Typed {
        Typed {
            token: Uuid::new_v4().to_string(),
            shown_at: Utc::now().timestamp_millis(),
            ..Typed::default()
        }
    }

    fn of(submission: &Submission) -> Typed {
        let answers = [
            ("satisfaction", submission.satisfaction),
            ("trust", submission.trust),
            ("need_met", submission.need_met),
            ("ease", submission.ease),
            ("time_reasonable", submission.time_reasonable),
            ("fair", submission.fair),
            ("helpful_staff", submission.helpful_staff),
        ];
        let fresh = Typed::fresh();
        Typed {
            helpful: submission.helpful.clone(),
            reason: submission.reason.clone(),
            comment: submission.comment.clone(),
            items: answers
                .into_iter()
                .filter_map(|(name, point)| Some((name, point?)))
                .collect(),
            token: submission.token.map_or(fresh.token, |t| t.to_string()),
            shown_at: submission.shown_at.unwrap_or(fresh.shown_at),
        }
    }
}

/// `GET /feedback/form?site=KEY&service=ID&lang=fr`: the same questions as the widget, as
/// a plain form posting to `/v1/public/feedback`.
pub async fn form(State(state): State<GatewayState>, Query(query): Query<FormQuery>) -> Response {
    let lang = Language::from_code(query.lang.as_deref());
    let allowed = state
        .sites
        .get(&query.site)
        .is_some_and(|site| site.services.contains(&query.service));
    if !allowed {
        return message_page(lang, StatusCode::NOT_FOUND, |t| {
            (t.error_title, t.not_recorded)
        });
    }
    form_page(
        lang,
        StatusCode::OK,
        &query.site,
        &query.service,
        &Typed::fresh(),
        None,
    )
}

fn form_page(
    lang: Language,
    status: StatusCode,
    site: &str,
    service_id: &str,
    typed: &Typed,
    advice: Option<Advice>,
) -> Response {
    let t = texts(lang);
    let items: Vec<_> = t
        .items
        .iter()
        .filter(|(name, _)| FORM_ITEMS.contains(name))
        .collect();
    render(
        "form",
        status,
        context! {
            lang => lang.as_str(),
            t => t,
            items => items,
            site => site,
            service_id => service_id,
            typed => typed,
            error => advice.map(|a| a.text(t)),
            error_target => advice.map(|a| match a {
                Advice::ChooseAnswer => "helpful-yes",
                Advice::CommentTooLong => "comment",
                _ => "send",
            }),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// `GET /feedback/thanks?lang=fr`: where a form post is redirected (303), so reloading the
/// page a person lands on never posts again.
pub async fn thanks(Query(query): Query<LangQuery>) -> Response {
    message_page(
        Language::from_code(query.lang.as_deref()),
        StatusCode::OK,
        |t| (t.thanks, t.thanks_detail),
    )
}

/// After a form post (or a survey's) is taken: see the thank-you page.
pub fn see_thanks(lang: Language) -> Response {
    Redirect::to(&format!("/feedback/thanks?lang={}", lang.as_str())).into_response()
}

/// A refused form post: the form again, with what the person typed and what they can do
/// about it; a body that could not be read is answered with the advice alone.
pub fn form_refused(
    lang: Language,
    submission: Option<&Submission>,
    error: &PublicError,
) -> Response {
    let mut response = match submission {
        Some(submission) => form_page(
            lang,
            error.status(),
            &submission.site,
            &submission.service_id,
            &Typed::of(submission),
            Some(error.advice()),
        ),
        None => message_page(lang, error.status(), |t| {
            (t.error_title, error.advice().text(t))
        }),
    };
    if let Some(secs) = error.retry_after_secs() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.into());
    }
    response
}

/// `GET /demo?lang=fr`: a service's information page with the widget embedded, served by
/// the gateway itself for the site `gateway.public.demo_site` names (404 without one), so
/// the citizen's side can be tried from the first `scripts/dev-up`.
pub async fn demo(State(state): State<GatewayState>, Query(query): Query<LangQuery>) -> Response {
    let lang = Language::from_code(query.lang.as_deref());
    let key = &state.config.public.demo_site;
    let Some((site, service)) = state
        .sites
        .get(key)
        .and_then(|site| Some((site, state.catalog.service(site.services.first()?)?)))
    else {
        return message_page(lang, StatusCode::NOT_FOUND, |t| {
            (t.error_title, t.not_recorded)
        });
    };
    let name = match lang {
        Language::Fr => service.name_fr.as_deref().unwrap_or(&service.name),
        Language::En => &service.name,
    };
    let query = serde_urlencoded::to_string([
        ("site", site.key.as_str()),
        ("service", service.id.as_str()),
        ("lang", lang.as_str()),
    ])
    .unwrap_or_default();
    render(
        "demo",
        StatusCode::OK,
        context! {
            lang => lang.as_str(),
            t => texts(lang),
            name => name,
            site => site.key,
            service_id => service.id,
            form_url => format!("/feedback/form?{query}"),
        },
    )
}

/// A page with one heading and one sentence, chosen from the language's texts.
pub fn message_page(
    lang: Language,
    status: StatusCode,
    choose: impl FnOnce(&Texts) -> (&'static str, &'static str),
) -> Response {
    let (heading, detail) = choose(texts(lang));
    render(
        "answer",
        status,
        context! { lang => lang.as_str(), heading => heading, detail => detail },
    )
}

/// An invitation's survey, in its language: the A-11 items about the service and a
/// comment (no question about a page: the person came from a case, not a page). Refused
/// for a reason the person can fix, it comes back with what they chose and typed.
pub fn survey_page(lang: Language, refused: Option<(&Submission, &PublicError)>) -> Response {
    let typed = refused.map_or_else(Typed::fresh, |(submission, _)| Typed::of(submission));
    let advice = refused.map(|(_, error)| error.advice());
    let t = texts(lang);
    let mut response = render(
        "survey",
        refused.map_or(StatusCode::OK, |(_, error)| error.status()),
        context! {
            lang => lang.as_str(),
            t => t,
            typed => typed,
            error => advice.map(|a| a.text(t)),
        },
    );
    if let Some(secs) = refused.and_then(|(_, error)| error.retry_after_secs()) {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.into());
    }
    response
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
