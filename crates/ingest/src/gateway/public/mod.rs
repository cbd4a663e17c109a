//! Feedback straight from people: the embeddable widget (`GET /widget.js`), the form
//! that does the same without JavaScript (`GET /feedback/form`), and the endpoint both
//! send to (`POST /v1/public/feedback`).
//!
//! A browser can hold no secret, so a site's key only names the site. What protects the
//! endpoint: the `Origin` (browsers always send it on a POST; a request without one is no
//! page's), CORS answered only for configured origins, the site's services, rate limits
//! per client address and per site (429 with `Retry-After`), a small body limit, and
//! checks against naive bots that no person fails (a honeypot field, a post no page made),
//! whose catches are answered like successes and counted. What passes goes through the
//! same validation and personal-data scrubbing as `POST /v1/events`, to the same topics,
//! with `source = "site:<name>"` and `given_through` (`widget` or `form`) instead of a
//! channel: the person said where they answered, not how they were served.
//!
//! A form post is answered with a redirect (303) to a thank-you page, and carries a token
//! that becomes its event id: reloading or resending stores nothing twice.

mod error;
mod pages;
mod sites;
mod submission;
mod texts;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use chrono::Utc;
use civicpulse_core::event::GivenThrough;
use civicpulse_core::Validator;
use civicpulse_http_server::RouteTable;
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use error::{Advice, PublicError};
pub use pages::{message_page, see_thanks, survey_page};
pub use sites::{SiteError, Sites};
pub use submission::Submission;
pub use texts::{Language, Texts};

use super::routes::{scrubbed, to_messages};
use super::GatewayState;
use crate::metrics;

/// The public routes, with CORS for every configured site's origins.
pub fn routes(sites: &Arc<Sites>) -> RouteTable<GatewayState> {
    let allowed = Arc::clone(sites);
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin
                .to_str()
                .is_ok_and(|origin| allowed.any_allows_origin(origin))
        }))
        .allow_methods([Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(std::time::Duration::from_secs(600));
    RouteTable::new()
        // The OPTIONS route puts preflights inside the CORS layer, which answers them.
        .route(
            "/v1/public/feedback",
            post(post_feedback)
                .options(|| async { StatusCode::NO_CONTENT })
                .layer(cors),
        )
        .route("/widget.js", get(pages::widget))
        .route("/feedback/form", get(pages::form))
        .route("/feedback/thanks", get(pages::thanks))
        .route("/demo", get(pages::demo))
}

/// `POST /v1/public/feedback`: JSON from the widget (answered in JSON) or a form post
/// (answered with a page in the form's language).
async fn post_feedback(State(state): State<GatewayState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    // The server puts the connection's address in each request (see http-server).
    let connection = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let form = is_form(&headers);
    let client = client_address(&state, &headers, connection);
    match receive(&state, &headers, body, client).await {
        Ok((site, outcome, lang)) => {
            metrics::PUBLIC_FEEDBACK
                .with_label_values(&[&site, outcome])
                .inc();
            if form {
                pages::see_thanks(lang)
            } else {
                (StatusCode::ACCEPTED, Json(json!({"status": "received"}))).into_response()
            }
        }
        Err(refused) => {
            let Refused {
                site,
                error,
                lang,
                submission,
            } = *refused;
            metrics::PUBLIC_FEEDBACK
                .with_label_values(&[site.as_deref().unwrap_or("unknown"), error.code()])
                .inc();
            if form {
                pages::form_refused(lang, submission.as_ref(), &error)
            } else {
                error.into_response()
            }
        }
    }
}

type Received = (String, &'static str, Language);

/// A refusal, with the submission when it was read (a refused form comes back filled in).
struct Refused {
    site: Option<String>,
    error: PublicError,
    lang: Language,
    submission: Option<Submission>,
}

fn unread(error: PublicError) -> Box<Refused> {
    Box::new(Refused {
        site: None,
        error,
        lang: Language::En,
        submission: None,
    })
}

async fn receive(
    state: &GatewayState,
    headers: &HeaderMap,
    body: Body,
    client: IpAddr,
) -> Result<Received, Box<Refused>> {
    let limit = state.config.public.max_body_bytes;
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| unread(PublicError::BodyTooLarge { limit }))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let submission = Submission::parse(content_type, &bytes)
        .map_err(|reason| unread(PublicError::Unreadable(reason)))?;
    let lang = Language::from_code(submission.lang.as_deref());
    let refused = |site: Option<&str>, error| {
        Box::new(Refused {
            site: site.map(str::to_string),
            error,
            lang,
            submission: Some(submission.clone()),
        })
    };
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let site = state
        .sites
        .admit(
            &submission.site,
            origin,
            Some(&state.config.public_origin()),
            &submission.service_id,
            client,
        )
        .map_err(|refusal| refused(None, PublicError::from(refusal)))?;
    let site_name = site.name.clone();
    let now = Utc::now();
    if let Some(automated) = submission.automated() {
        tracing::info!(site = %site_name, reason = <&str>::from(automated), "public feedback taken for a bot's, dropped");
        return Ok((site_name, discarded(automated), lang));
    }
    if submission.unanswered() {
        return Err(refused(Some(&site_name), PublicError::NoAnswer));
    }
    let given_through = if is_form(headers) {
        GivenThrough::Form
    } else {
        GivenThrough::Widget
    };
    let outcome = if submission.fast(now, state.config.public.min_fill_ms) {
        "accepted_fast"
    } else {
        "accepted"
    };
    let event = Validator::new(&state.catalog)
        .parse(
            submission.to_event(submission.event_id(), given_through, now),
            now,
        )
        .map_err(|errors| {
            // Nothing the person did is refused here but the comment's length or the
            // answer's range: anything else is the page's or the catalog's, and logged.
            tracing::warn!(site = %site_name, service = %submission.service_id, ?errors, "public feedback refused by validation");
            refused(Some(&site_name), PublicError::Invalid(errors))
        })?;
    let source = format!("site:{site_name}");
    let messages = to_messages(state, &[scrubbed(event)], &source, now);
    state.producer.send_all(&messages).await.map_err(|error| {
        tracing::warn!(%error, site = %site_name, "Kafka did not take a public response");
        refused(
            Some(&site_name),
            PublicError::Unavailable {
                retry_after_secs: state.config.retry_after_secs,
            },
        )
    })?;
    metrics::EVENTS_ACCEPTED
        .with_label_values(&["feedback"])
        .inc();
    Ok((site_name, outcome, lang))
}

fn discarded(reason: submission::Automated) -> &'static str {
    match reason {
        submission::Automated::HoneypotFilled => "discarded_honeypot_filled",
        submission::Automated::NoShownAt => "discarded_no_shown_at",
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
}

/// Whom the rate limit counts: the connection's address, or the first address of
/// `X-Forwarded-For` behind a trusted proxy. Without either (an in-process test), one
/// shared address.
fn client_address(
    state: &GatewayState,
    headers: &HeaderMap,
    connection: Option<SocketAddr>,
) -> IpAddr {
    let forwarded = state
        .config
        .public
        .trust_forwarded_for
        .then(|| headers.get("x-forwarded-for")?.to_str().ok())
        .flatten()
        .and_then(|list| list.split(',').next()?.trim().parse().ok());
    forwarded
        .or(connection.map(|c| c.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}
