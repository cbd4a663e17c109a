//! The invitation token: what a survey link carries (service, case, channel, stage,
//! language, expiry), sealed with ChaCha20-Poly1305 under the gateway's secret. Sealing
//! both hides the case reference from the person holding the link and makes any change
//! to the token fail to open. The token is `base64url(nonce ‖ ciphertext ‖ tag)`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const NONCE_BYTES: usize = 12;

/// What an invitation says, inside its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// One per invitation: the response's `event_id` derives from it, so a second
    /// submission of the same link is the same event, stored once.
    pub id: Uuid,
    pub service_id: String,
    pub case_ref: String,
    pub channel: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    pub lang: String,
    pub expires_at: DateTime<Utc>,
}

/// Why a token does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token of ours, or changed: the link was mistyped or tampered with.
    Invalid,
    /// A real invitation past its expiry.
    Expired,
}

/// Seals and opens tokens under one secret.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl Sealer {
    /// The key is the SHA-256 of the configured secret, so any length of secret works.
    pub fn new(secret: &str) -> Sealer {
        let key = Sha256::digest(secret.as_bytes());
        Sealer {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
        }
    }

    pub fn seal(&self, invitation: &Invitation) -> String {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let plain = serde_json::to_vec(invitation).expect("an invitation serializes");
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_slice())
            .expect("encryption of a short message cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    pub fn open(&self, token: &str, now: DateTime<Utc>) -> Result<Invitation, TokenError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| TokenError::Invalid)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(TokenError::Invalid);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| TokenError::Invalid)?;
        let invitation: Invitation =
            serde_json::from_slice(&plain).map_err(|_| TokenError::Invalid)?;
        if invitation.expires_at <= now {
            return Err(TokenError::Expired);
        }
        Ok(invitation)
    }
}

/// The response's `event_id`: the same for every submission of one invitation.
pub fn response_event_id(invitation: &Invitation) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_OID, invitation.id.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation(expires_at: &str) -> Invitation {
        Invitation {
            id: Uuid::new_v4(),
            service_id: "passport-in-person".into(),
            case_ref: "P-2026-000123".into(),
            channel: "in_person".into(),
            stage: Some("delivery".into()),
            lang: "fr".into(),
            expires_at: DateTime::parse_from_rfc3339(expires_at).unwrap().to_utc(),
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-02T12:00:00Z")
            .unwrap()
            .to_utc()
    }

    #[test]
    fn a_sealed_invitation_opens_as_it_was_and_hides_the_case() {
        let sealer = Sealer::new("a long enough secret");
        let sent = invitation("2026-12-31T00:00:00Z");
        let token = sealer.seal(&sent);
        assert_eq!(sealer.open(&token, now()), Ok(sent.clone()));
        let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("P-2026"),
            "the case ref is hidden"
        );
        assert!(
            !token.contains('/') && !token.contains('+') && !token.contains('='),
            "URL-safe: {token}"
        );
    }

    #[test]
    fn a_changed_foreign_or_expired_token_does_not_open() {
        let sealer = Sealer::new("a long enough secret");
        let token = sealer.seal(&invitation("2026-12-31T00:00:00Z"));
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(
            sealer.open(&URL_SAFE_NO_PAD.encode(&bytes), now()),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            Sealer::new("another secret").open(&token, now()),
            Err(TokenError::Invalid)
        );
        assert_eq!(sealer.open("not-a-token", now()), Err(TokenError::Invalid));
        assert_eq!(sealer.open("", now()), Err(TokenError::Invalid));
        let expired = sealer.seal(&invitation("2026-12-01T00:00:00Z"));
        assert_eq!(sealer.open(&expired, now()), Err(TokenError::Expired));
    }

    #[test]
    fn every_submission_of_one_invitation_is_one_event() {
        let one = invitation("2026-12-31T00:00:00Z");
        let other = invitation("2026-12-31T00:00:00Z");
        assert_eq!(response_event_id(&one), response_event_id(&one.clone()));
        assert_ne!(response_event_id(&one), response_event_id(&other));
    }
}
