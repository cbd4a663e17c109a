//! API errors: JSON `{"error": {"code", "message"}}` with a fitting status.
//!
//! A client never sees what the database or an encoder said: that text is logged with the
//! request's id, and the answer carries only the id (also in the `X-Request-Id` header), so
//! an operator can find the log line from what a user reports.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use civicpulse_core::access::Role;

use crate::request_id;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// A query parameter is unknown, malformed or out of range; the message names it.
    #[error("parameter `{name}`: {reason}")]
    BadParameter { name: String, reason: String },
    #[error("a bearer token is required (Authorization: Bearer <token>)")]
    MissingToken,
    #[error("the bearer token is not valid")]
    BadToken,
    #[error("the bearer token `{0}` has expired; ask for its replacement")]
    ExpiredToken(String),
    /// The token's role is below what the endpoint needs.
    #[error("{action} needs the {needs} role; the token `{token}` has the {has} role")]
    Forbidden {
        action: String,
        token: String,
        needs: Role,
        has: Role,
    },
    /// The request names something outside the token's scope: refused rather than answered
    /// empty, which would read as "no data".
    #[error("{what} is outside the scope of the token `{token}` ({scope})")]
    OutOfScope {
        what: String,
        token: String,
        scope: String,
    },
    #[error("cannot answer in {0}: ask for application/json or text/csv")]
    NotAcceptable(String),
    #[error("no endpoint at {0}; the endpoints are listed at /api/v1/openapi.json")]
    NotFound(String),
    /// A thing the request names does not exist (the message says which).
    #[error("{0}")]
    Missing(String),
    /// The request contradicts what is configured (the message says how to proceed).
    #[error("{0}")]
    Conflict(String),
    #[error("{0} is not answered here; the endpoints and their methods are listed at /api/v1/openapi.json")]
    MethodNotAllowed(String),
    /// The catalog lacks what an export format requires (a configuration matter, named).
    #[error("the catalog cannot fill this export: {0}")]
    CatalogIncomplete(String),
    #[error("the database is unavailable; try again later (request id {request_id})")]
    Unavailable { request_id: String },
    #[error("the answer could not be produced (request id {request_id})")]
    Internal { request_id: String },
}

impl ApiError {
    pub fn bad(name: impl Into<String>, reason: impl Into<String>) -> ApiError {
        ApiError::BadParameter {
            name: name.into(),
            reason: reason.into(),
        }
    }

    /// The database failed: `detail` goes to the log with the request id, not to the client.
    pub fn unavailable(detail: &dyn std::fmt::Display) -> ApiError {
        let request_id = request_id::current();
        tracing::warn!(%request_id, error = %detail, "the database did not answer");
        ApiError::Unavailable { request_id }
    }

    /// Anything else that is our fault, logged the same way.
    pub fn internal(detail: &dyn std::fmt::Display) -> ApiError {
        let request_id = request_id::current();
        tracing::error!(%request_id, error = %detail, "cannot produce the answer");
        ApiError::Internal { request_id }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadParameter { .. } => (StatusCode::BAD_REQUEST, "bad_parameter"),
            ApiError::MissingToken => (StatusCode::UNAUTHORIZED, "missing_token"),
            ApiError::BadToken => (StatusCode::UNAUTHORIZED, "bad_token"),
            ApiError::ExpiredToken(_) => (StatusCode::UNAUTHORIZED, "expired_token"),
            ApiError::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::OutOfScope { .. } => (StatusCode::FORBIDDEN, "out_of_scope"),
            ApiError::NotAcceptable(_) => (StatusCode::NOT_ACCEPTABLE, "not_acceptable"),
            ApiError::NotFound(_) | ApiError::Missing(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::CatalogIncomplete(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "catalog_incomplete")
            }
            ApiError::Unavailable { .. } => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Internal { .. } => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
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
    /// `expired_token`, `forbidden`, `out_of_scope`,
    /// `not_acceptable`, `not_found`, `conflict`, `method_not_allowed`, `catalog_incomplete`,
    /// `unavailable`, `internal`.
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
        ApiError::unavailable(&error)
    }
}

impl From<civicpulse_store::StoreError> for ApiError {
    fn from(error: civicpulse_store::StoreError) -> Self {
        ApiError::unavailable(&error)
    }
}
