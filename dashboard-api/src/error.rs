//! API errors: JSON `{"error": {"code", "message"}}` with a fitting status.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// A query parameter is unknown, malformed or out of range; the message names it.
    #[error("parameter `{name}`: {reason}")]
    BadParameter { name: String, reason: String },
    #[error("a bearer token is required (Authorization: Bearer <token>)")]
    MissingToken,
    #[error("the bearer token is not valid")]
    BadToken,
    #[error("cannot answer in {0}: ask for application/json or text/csv")]
    NotAcceptable(String),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("cannot encode the answer: {0}")]
    Encode(String),
}

impl ApiError {
    pub fn bad(name: impl Into<String>, reason: impl Into<String>) -> ApiError {
        ApiError::BadParameter {
            name: name.into(),
            reason: reason.into(),
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadParameter { .. } => (StatusCode::BAD_REQUEST, "bad_parameter"),
            ApiError::MissingToken => (StatusCode::UNAUTHORIZED, "missing_token"),
            ApiError::BadToken => (StatusCode::UNAUTHORIZED, "bad_token"),
            ApiError::NotAcceptable(_) => (StatusCode::NOT_ACCEPTABLE, "not_acceptable"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Encode(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: `bad_parameter`, `missing_token`, `bad_token`,
    /// `not_acceptable`, `unavailable`, `internal`.
    pub code: String,
    /// What went wrong, naming the parameter at fault.
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message: self.to_string(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                "Bearer".parse().expect("valid header"),
            );
        }
        response
    }
}

impl From<clickhouse::error::Error> for ApiError {
    fn from(error: clickhouse::error::Error) -> Self {
        ApiError::Unavailable(error.to_string())
    }
}
