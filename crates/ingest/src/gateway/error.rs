//! `RequestError`: what the gateway answers a request it refuses (the dashboard API's is
//! `ApiError`; the gateway failing to start is `GatewayError`). Always JSON
//! `{"error": {"code", "message"}}` with a status that says whose fault it is and whether
//! to retry.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use civicpulse_http_server::body_bounds::BodyError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("missing or unknown API key: send `Authorization: Bearer <key>`")]
    Unauthorized,
    /// The body missed the router's deadline or size limit (which answers for itself).
    #[error(transparent)]
    BodyCutOff(BodyError),
    #[error("request holds {count} events; at most {limit} are accepted per request")]
    TooManyEvents { count: usize, limit: usize },
    #[error("{0}")]
    BadRequest(String),
    #[error("no endpoint at {0}; events are sent with POST /v1/events")]
    NotFound(String),
    #[error("{method} is not answered at {path}")]
    MethodNotAllowed { method: String, path: String },
    #[error("events could not be made durable ({reason}); nothing from this request is accepted, retry it whole")]
    Unavailable {
        reason: String,
        retry_after_secs: u64,
    },
}

impl RequestError {
    pub fn status(&self) -> StatusCode {
        match self {
            RequestError::Unauthorized => StatusCode::UNAUTHORIZED,
            RequestError::BodyCutOff(cut_off) => cut_off.status(),
            RequestError::TooManyEvents { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            RequestError::BadRequest(_) => StatusCode::BAD_REQUEST,
            RequestError::NotFound(_) => StatusCode::NOT_FOUND,
            RequestError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            RequestError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            RequestError::Unauthorized => "unauthorized",
            RequestError::BodyCutOff(cut_off) => cut_off.code(),
            RequestError::TooManyEvents { .. } => "too_many_events",
            RequestError::BadRequest(_) => "bad_request",
            RequestError::NotFound(_) => "not_found",
            RequestError::MethodNotAllowed { .. } => "method_not_allowed",
            RequestError::Unavailable { .. } => "unavailable",
        }
    }
}

impl IntoResponse for RequestError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = Json(json!({"error": {"code": self.code(), "message": self.to_string()}}));
        let mut response = (status, body).into_response();
        match &self {
            RequestError::Unavailable {
                retry_after_secs, ..
            } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            RequestError::Unauthorized => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"civicpulse\""),
                );
            }
            _ => {}
        }
        response
    }
}
