//! Access by bearer token (`dashboard.tokens`): each token has a role, an optional scope
//! and an optional expiry; only its SHA-256 is configured. With no token configured every
//! `/api/v1` request is refused: closed by default.
//!
//! The middleware checks the role an endpoint needs and puts the [`Caller`] in the request;
//! handlers narrow what they read with [`Caller::select`], so a scoped token sees only its
//! services and is refused (403) when it names another.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;
use civicpulse_core::access::{Role, Scope, Token};
use civicpulse_core::config::hash_secret;
use civicpulse_core::Catalog;

use crate::error::ApiError;
use crate::params::known_service;
use crate::ApiState;

/// Who is asking, as the middleware found it: the token's name (for logs and the audit,
/// never the secret), its role and the services it may see.
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    /// The services inside the scope; `None`: every service.
    services: Option<Arc<BTreeSet<String>>>,
}

impl Caller {
    fn of(token: &Token, catalog: &Catalog) -> Caller {
        Caller {
            name: token.name.clone(),
            role: token.role,
            scope: token.scope.clone(),
            services: token.scope.services_in(catalog).map(Arc::new),
        }
    }

    /// A reader of public reports (`[reports] public`): no token, every service.
    fn public() -> Caller {
        Caller {
            name: "public".into(),
            role: Role::Viewer,
            scope: Scope::default(),
            services: None,
        }
    }

    /// Whether the caller may see `service_id`.
    pub fn sees(&self, service_id: &str) -> bool {
        self.services
            .as_ref()
            .is_none_or(|services| services.contains(service_id))
    }

    pub fn is_scoped(&self) -> bool {
        self.services.is_some()
    }

    /// The services inside the scope, `None` for every service.
    pub fn services(&self) -> Option<&BTreeSet<String>> {
        self.services.as_deref()
    }

    /// 403 naming the scope, for a request about `what`.
    pub fn out_of_scope(&self, what: impl Into<String>) -> ApiError {
        ApiError::OutOfScope {
            what: what.into(),
            token: self.name.clone(),
            scope: self.scope.to_string(),
        }
    }

    /// The services a request's `service_id` selects for this caller: the one named (400
    /// when the catalog lacks it, 403 when it is outside the scope), else the scope's.
    pub fn select(
        &self,
        catalog: &Catalog,
        service_id: Option<String>,
    ) -> Result<Selection, ApiError> {
        let one = known_service(catalog, service_id)?;
        if let Some(id) = &one {
            if !self.sees(id) {
                return Err(self.out_of_scope(format!("service `{id}`")));
            }
        }
        Ok(Selection {
            one,
            within: self.services.clone(),
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_else(Caller::public))
    }
}

/// The services one request reads: the one it names, or every one the caller may see.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The service the request named.
    pub one: Option<String>,
    within: Option<Arc<BTreeSet<String>>>,
}

impl Selection {
    pub fn admits(&self, service_id: &str) -> bool {
        match &self.one {
            Some(one) => one == service_id,
            None => self
                .within
                .as_ref()
                .is_none_or(|services| services.contains(service_id)),
        }
    }

    /// The services as a store filter takes them: empty means every service.
    pub fn services(&self) -> Vec<String> {
        match (&self.one, &self.within) {
            (Some(one), _) => vec![one.clone()],
            (None, Some(within)) => within.iter().cloned().collect(),
            (None, None) => Vec::new(),
        }
    }
}

/// The middleware of every protected route: a valid, unexpired token whose role is at least
/// `least` (401 without one, 403 with a lesser role).
pub async fn require(
    State((state, least)): State<(ApiState, Role)>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let hash = presented_hash(&request)?;
    let token = state
        .tokens
        .iter()
        .find(|t| t.sha256.eq_ignore_ascii_case(&hash))
        .ok_or(ApiError::BadToken)?;
    if token.expired(Utc::now()) {
        tracing::info!(token = %token.name, "refused an expired token");
        return Err(ApiError::ExpiredToken(token.name.clone()));
    }
    let action = format!("{} {}", request.method(), request.uri().path());
    if token.role < least {
        return Err(ApiError::Forbidden {
            action,
            token: token.name.clone(),
            needs: least,
            has: token.role,
        });
    }
    tracing::debug!(token = %token.name, role = %token.role, %action, "authorized");
    request
        .extensions_mut()
        .insert(Caller::of(token, &state.catalog));
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
