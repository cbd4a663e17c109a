//! API errors: JSON `{"error": {"code", "message"}}` with a fitting status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter is malformed or out of range; the message names it.
    #[error("parameter `{name}`: {reason}")]
    BadParameter { name: &'static str, reason: String },
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            ApiError::BadParameter { .. } => (StatusCode::BAD_REQUEST, "bad_parameter"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        };
        (
            status,
            Json(json!({"error": {"code": code, "message": self.to_string()}})),
        )
            .into_response()
    }
}

impl From<clickhouse::error::Error> for ApiError {
    fn from(error: clickhouse::error::Error) -> Self {
        ApiError::Unavailable(error.to_string())
    }
}
