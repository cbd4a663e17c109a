//! Access by bearer token. Tokens are configured as SHA-256 hashes (`dashboard.read_tokens`
//! read; `dashboard.admin_tokens` read and declare exceptions), so the configuration grants
//! nothing to whoever reads it. With no token configured every `/api/v1` request is
//! refused: closed by default.

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
    let hash = presented_hash(&request)?;
    let reader = state
        .read_tokens
        .iter()
        .chain(state.admin_tokens.iter())
        .find(|t| t.sha256.eq_ignore_ascii_case(&hash))
        .ok_or(ApiError::BadToken)?;
    tracing::debug!(reader = %reader.name, path = %request.uri().path(), "read");
    Ok(next.run(request).await)
}

/// Who changes what: the name of an admin token, put in the request for the handler to
/// store beside the change. A read token is refused with 403, no token with 401.
#[derive(Debug, Clone)]
pub struct Admin(pub String);

pub async fn require_admin(
    State(state): State<ApiState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let hash = presented_hash(&request)?;
    let admin = state
        .admin_tokens
        .iter()
        .find(|t| t.sha256.eq_ignore_ascii_case(&hash));
    let Some(admin) = admin else {
        let reader = state
            .read_tokens
            .iter()
            .any(|t| t.sha256.eq_ignore_ascii_case(&hash));
        return Err(if reader {
            ApiError::Forbidden(format!("{} {}", request.method(), request.uri().path()))
        } else {
            ApiError::BadToken
        });
    };
    tracing::info!(admin = %admin.name, method = %request.method(), path = %request.uri().path(), "change");
    request.extensions_mut().insert(Admin(admin.name.clone()));
    Ok(next.run(request).await)
}

/// The SHA-256 of the request's bearer token.
fn presented_hash(request: &Request) -> Result<String, ApiError> {
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
    Ok(hash_secret(token))
}
