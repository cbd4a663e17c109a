//! Signed survey invitations: feedback tied to a case without the person ever seeing it.
//!
//! `POST /v1/invitations` (an API key, from a case system when a case closes) records the
//! offer (an `offered` event with the case, so invitations count in the matrix's survey
//! offers and response rates) and returns a survey link whose token seals the service,
//! case, channel, stage, language and expiry (`token`). `GET /s/{token}` shows the
//! survey; `POST /s/{token}` stores one feedback event linked to the case. A token answers
//! once: its response's `event_id` derives from the invitation, so a second submission is
//! the same event (stored once whatever happens), and the gateway reports it as already
//! answered when it remembers the answer or finds it in storage (`is_answered`).

mod token;

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Json;
use chrono::Utc;
use civicpulse_core::config::InvitationsConfig;
use civicpulse_core::event::GivenThrough;
use civicpulse_core::{EventKind, Validator};
use civicpulse_http_server::RouteTable;
use civicpulse_store::tables::event_versions;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

pub use token::{Invitation, Sealer, TokenError};

use super::auth::Source;
use super::public::{self, Language, Submission};
use super::routes::{scrubbed, to_messages};
use super::{GatewayState, RequestError};
use crate::metrics;

/// The invitation service of one gateway: its sealer (none without a secret), the
/// invitations it saw answered, and storage, which knows the answers any gateway sent.
pub struct Invitations {
    sealer: Option<Sealer>,
    config: InvitationsConfig,
    answered: moka::sync::Cache<Uuid, ()>,
    storage: Option<clickhouse::Client>,
}

/// How long the survey waits for storage to say whether a link was answered.
const STORAGE_TIMEOUT: Duration = Duration::from_secs(2);

impl Invitations {
    /// `storage` answers "already answered" after a restart or at another gateway; without
    /// it (in-process tests) only this gateway's memory does.
    pub fn new(config: &InvitationsConfig, storage: Option<clickhouse::Client>) -> Invitations {
        Invitations {
            sealer: (!config.secret.is_empty()).then(|| Sealer::new(config.secret.expose())),
            config: config.clone(),
            storage,
            answered: moka::sync::Cache::builder()
                .max_capacity(1_000_000)
                .time_to_live(Duration::from_secs(
                    u64::from(config.valid_days.max(1)) * 86_400,
                ))
                .build(),
        }
    }
}

impl Invitations {
    /// Whether this invitation was answered: this gateway remembers its own answers, and
    /// storage holds every gateway's once the sink has written them. Storage down or slow
    /// means "not known to be answered": the answer is then sent, and storage still keeps
    /// one response per invitation (the same `event_id`).
    async fn is_answered(&self, invitation: &Invitation) -> bool {
        if self.answered.contains_key(&invitation.id) {
            return true;
        }
        let Some(storage) = &self.storage else {
            return false;
        };
        let event_id = token::response_event_id(invitation);
        let lookup = event_versions::is_stored(storage, EventKind::Feedback, event_id);
        match tokio::time::timeout(STORAGE_TIMEOUT, lookup).await {
            Ok(Ok(stored)) => {
                if stored {
                    self.answered.insert(invitation.id, ());
                }
                stored
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, "storage cannot say whether an invitation was answered");
                false
            }
            Err(_) => {
                tracing::warn!("storage did not say in time whether an invitation was answered");
                false
            }
        }
    }
}

pub fn routes() -> RouteTable<GatewayState> {
    RouteTable::new()
        .route("/v1/invitations", post(invite))
        .route("/s/{token}", get(survey).post(answer))
}

/// What a case system asks for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InvitationRequest {
    service_id: String,
    case_ref: String,
    channel: String,
    stage: Option<String>,
    lang: Option<String>,
}

/// The key is checked (`Source`, from the headers) before the body is read: an
/// unauthenticated request reads nothing.
async fn invite(
    State(state): State<GatewayState>,
    Source(source): Source,
    body: String,
) -> Result<(StatusCode, Json<Value>), RequestError> {
    let request: InvitationRequest = serde_json::from_str(&body)
        .map_err(|e| RequestError::BadRequest(format!("an invitation request: {e}")))?;
    let sealer = state
        .invitations
        .sealer
        .as_ref()
        .ok_or_else(|| RequestError::Unavailable {
            reason: "invitations are not configured (gateway.invitations.secret)".into(),
            retry_after_secs: 3_600,
        })?;
    let now = Utc::now();
    let mut offer = json!({
        "kind": "offered", "event_id": Uuid::new_v4().to_string(), "occurred_at": now.to_rfc3339(),
        "service_id": request.service_id, "channel": request.channel,
        "case_ref": request.case_ref, "survey_offered": true,
    });
    if let Some(stage) = &request.stage {
        offer["stage"] = json!(stage);
    }
    let offer = Validator::new(&state.catalog)
        .parse(offer, now)
        .map_err(|errors| RequestError::BadRequest(describe(&errors)))?;
    let valid = chrono::Duration::days(i64::from(state.invitations.config.valid_days.max(1)));
    let invitation = Invitation {
        id: Uuid::new_v4(),
        service_id: request.service_id,
        case_ref: request.case_ref,
        channel: request.channel,
        stage: request.stage,
        lang: Language::from_code(request.lang.as_deref())
            .as_str()
            .to_string(),
        expires_at: now + valid,
    };
    let messages = to_messages(&state, &[offer], &source, now);
    state
        .producer
        .send_all(&messages)
        .await
        .map_err(|_| RequestError::Unavailable {
            reason: "Kafka did not acknowledge the offer".into(),
            retry_after_secs: state.config.retry_after_secs,
        })?;
    let url = state
        .config
        .public_url(&format!("/s/{}", sealer.seal(&invitation)));
    Ok((
        StatusCode::CREATED,
        Json(json!({ "url": url, "expires_at": invitation.expires_at.to_rfc3339() })),
    ))
}

fn describe(errors: &[civicpulse_core::FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The invitation behind a link; `TokenError::Invalid` too when invitations are off.
fn open(state: &GatewayState, token: &str) -> Result<Invitation, TokenError> {
    let sealer = state
        .invitations
        .sealer
        .as_ref()
        .ok_or(TokenError::Invalid)?;
    sealer.open(token, Utc::now())
}

/// The page for a link that opens nothing: 400 for a mistyped or changed one, 410 for an
/// expired one. The language is unknown (the token did not open), so English.
fn link_problem(error: TokenError) -> Response {
    match error {
        TokenError::Invalid => public::message_page(Language::En, StatusCode::BAD_REQUEST, |t| {
            (t.error_title, t.link_invalid)
        }),
        TokenError::Expired => public::message_page(Language::En, StatusCode::GONE, |t| {
            (t.error_title, t.link_expired)
        }),
    }
}

async fn survey(State(state): State<GatewayState>, Path(token): Path<String>) -> Response {
    let invitation = match open(&state, &token) {
        Ok(invitation) => invitation,
        Err(error) => return link_problem(error),
    };
    let lang = Language::from_code(Some(&invitation.lang));
    if state.invitations.is_answered(&invitation).await {
        return public::message_page(lang, StatusCode::CONFLICT, |t| {
            (t.thanks, t.already_answered)
        });
    }
    public::survey_page(lang, None)
}

/// The link is opened (from the path) before the body is read, and the body is read
/// within the public endpoint's limit: a bad link reads nothing.
async fn answer(
    State(state): State<GatewayState>,
    Path(token): Path<String>,
    body: Body,
) -> Response {
    let invitation = match open(&state, &token) {
        Ok(invitation) => invitation,
        Err(error) => return link_problem(error),
    };
    let lang = Language::from_code(Some(&invitation.lang));
    if state.invitations.is_answered(&invitation).await {
        return public::message_page(lang, StatusCode::CONFLICT, |t| {
            (t.thanks, t.already_answered)
        });
    }
    let limit = state.config.public.max_body_bytes;
    // A person answering in a browser reads a page, never JSON.
    let Ok(body) = axum::body::to_bytes(body, limit).await else {
        return public::message_page(lang, StatusCode::PAYLOAD_TOO_LARGE, |t| {
            (t.error_title, t.not_recorded)
        });
    };
    let submission = match Submission::parse_survey(&body) {
        Ok(mut submission) => {
            submission.service_id = invitation.service_id.clone();
            submission.lang = Some(lang.as_str().to_string());
            submission
        }
        Err(_) => {
            return public::message_page(lang, StatusCode::BAD_REQUEST, |t| {
                (t.error_title, t.not_recorded)
            })
        }
    };
    let now = Utc::now();
    if submission.automated().is_some() {
        return public::see_thanks(lang);
    }
    let mut event = submission.to_event(
        token::response_event_id(&invitation),
        GivenThrough::Survey,
        now,
    );
    event["channel"] = json!(invitation.channel);
    event["case_ref"] = json!(invitation.case_ref);
    if let Some(stage) = &invitation.stage {
        event["stage"] = json!(stage);
    }
    let event = match Validator::new(&state.catalog).parse(event, now) {
        Ok(event) => event,
        Err(errors) => {
            return public::survey_page(
                lang,
                Some((&submission, &public::PublicError::Invalid(errors))),
            )
        }
    };
    let messages = to_messages(&state, &[scrubbed(event)], "invitation", now);
    if state.producer.send_all(&messages).await.is_err() {
        let unavailable = public::PublicError::Unavailable {
            retry_after_secs: state.config.retry_after_secs,
        };
        return public::survey_page(lang, Some((&submission, &unavailable)));
    }
    state.invitations.answered.insert(invitation.id, ());
    metrics::EVENTS_ACCEPTED
        .with_label_values(&["feedback"])
        .inc();
    public::see_thanks(lang)
}
