//! Errors of the gateway API: always JSON `{"error": {"code", "message"}}` with a status
//! that says whose fault it is and whether to retry.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use civicpulse_http_server::body_bounds::BodyError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
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

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::BodyCutOff(cut_off) => cut_off.status(),
            ApiError::TooManyEvents { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::BodyCutOff(cut_off) => cut_off.code(),
            ApiError::TooManyEvents { .. } => "too_many_events",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::Unavailable { .. } => "unavailable",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = Json(json!({"error": {"code": self.code(), "message": self.to_string()}}));
        let mut response = (status, body).into_response();
        match &self {
            ApiError::Unavailable {
                retry_after_secs, ..
            } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            ApiError::Unauthorized => {
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
