//! API keys per source system. The configuration stores only SHA-256 digests; a request's
//! key is hashed and looked up, and the matching source name is recorded on its events.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use civicpulse_core::config::{hash_secret, ApiKey};

use super::error::RequestError;
use super::GatewayState;

/// The source named by a request's API key, as an extractor: it runs on the headers, so a
/// handler taking it before its body refuses a request without a valid key (401) before
/// reading any of the body.
pub struct Source(pub String);

impl FromRequestParts<GatewayState> for Source {
    type Rejection = RequestError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &GatewayState,
    ) -> Result<Self, Self::Rejection> {
        state
            .api_keys
            .authenticate(&parts.headers)
            .map(|source| Source(source.to_string()))
    }
}

#[derive(Debug, Clone, Default)]
pub struct ApiKeys {
    by_digest: HashMap<String, ApiKey>,
}

impl ApiKeys {
    pub fn new(keys: &[ApiKey]) -> Self {
        ApiKeys {
            by_digest: keys
                .iter()
                .map(|k| (k.sha256.to_ascii_lowercase(), k.clone()))
                .collect(),
        }
    }

    /// The source named by the request's key, from `Authorization: Bearer <key>` or
    /// `X-Api-Key: <key>`; an expired key is refused like an unknown one.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<&str, RequestError> {
        self.authenticate_at(headers, Utc::now())
    }

    fn authenticate_at(
        &self,
        headers: &HeaderMap,
        now: DateTime<Utc>,
    ) -> Result<&str, RequestError> {
        let key = presented_key(headers).ok_or(RequestError::Unauthorized)?;
        let key = self
            .by_digest
            .get(&hash_secret(key))
            .ok_or(RequestError::Unauthorized)?;
        if key.expires_at.is_some_and(|at| now >= at) {
            tracing::info!(source = %key.source, "refused an expired API key");
            return Err(RequestError::Unauthorized);
        }
        Ok(&key.source)
    }
}

fn presented_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(value) = headers.get(axum::http::header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, key) = value.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then_some(key.trim());
    }
    headers.get("x-api-key")?.to_str().ok().map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> ApiKeys {
        ApiKeys::new(&[ApiKey {
            source: "passport-office".into(),
            sha256: hash_secret("s3cret"),
            expires_at: None,
        }])
    }

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, value.parse().unwrap());
        headers
    }

    #[test]
    fn a_known_key_names_its_source() {
        let keys = keys();
        assert_eq!(
            keys.authenticate(&headers("authorization", "Bearer s3cret"))
                .unwrap(),
            "passport-office"
        );
        assert_eq!(
            keys.authenticate(&headers("x-api-key", "s3cret")).unwrap(),
            "passport-office"
        );
    }

    #[test]
    fn two_keys_of_a_source_work_until_each_expires() {
        let at: DateTime<Utc> = "2026-12-31T00:00:00Z".parse().unwrap();
        let keys = ApiKeys::new(&[
            ApiKey {
                source: "passport-office".into(),
                sha256: hash_secret("old"),
                expires_at: Some(at),
            },
            ApiKey {
                source: "passport-office".into(),
                sha256: hash_secret("new"),
                expires_at: None,
            },
        ]);
        let before = at - chrono::Duration::hours(1);
        for key in ["old", "new"] {
            let presented = headers("x-api-key", key);
            assert_eq!(
                keys.authenticate_at(&presented, before).unwrap(),
                "passport-office"
            );
        }
        assert!(keys
            .authenticate_at(&headers("x-api-key", "old"), at)
            .is_err());
        assert!(keys
            .authenticate_at(&headers("x-api-key", "new"), at)
            .is_ok());
    }

    #[test]
    fn missing_wrong_or_malformed_keys_are_refused() {
        let keys = keys();
        assert!(keys.authenticate(&HeaderMap::new()).is_err());
        assert!(keys
            .authenticate(&headers("authorization", "Bearer wrong"))
            .is_err());
        assert!(keys
            .authenticate(&headers("authorization", "Basic s3cret"))
            .is_err());
        assert!(keys
            .authenticate(&headers("authorization", "s3cret"))
            .is_err());
    }
}
