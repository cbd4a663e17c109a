//! Read access by bearer token. Tokens are configured as SHA-256 hashes
//! (`dashboard.read_tokens`), so the configuration grants nothing to whoever reads it. With
//! no token configured every `/api/v1` request is refused: closed by default.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use civicpulse_core::config::hash_secret;

use crate::error::ApiError;
use crate::ApiState;

pub async fn require_token(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::MissingToken)?;
    let hash = hash_secret(token);
    let reader = state
        .read_tokens
        .iter()
        .find(|t| t.sha256.eq_ignore_ascii_case(&hash))
        .ok_or(ApiError::BadToken)?;
    tracing::debug!(reader = %reader.name, path = %request.uri().path(), "read");
    Ok(next.run(request).await)
}
