//! Refusals of the public endpoint: JSON `{"error": {"code", "message"}}` like the rest of
//! the gateway, with the fields at fault for an invalid response and `Retry-After` when the
//! client should come back later. Each refusal also carries its `advice`: what the person
//! can do about it, never a cause that is not theirs (a page's misconfigured service is not
//! something they can fix, so they are told to try again later).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use civicpulse_core::FieldError;
use serde_json::json;

use super::sites::{Limit, Refusal};

#[derive(Debug, thiserror::Error)]
pub enum PublicError {
    #[error("request body exceeds {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("{0}")]
    Unreadable(String),
    #[error("no site has this key")]
    UnknownSite,
    #[error("pages of {0} may not send feedback for this site")]
    OriginNotAllowed(String),
    #[error("send feedback from a page: the request has no Origin")]
    OriginRequired,
    #[error("this site may not send feedback on service `{0}`")]
    ServiceNotAllowed(String),
    #[error("too many submissions {per}; try again in {retry_after_secs} s")]
    RateLimited {
        per: &'static str,
        retry_after_secs: u64,
    },
    #[error("choose an answer: `helpful` is `yes` or `no`")]
    NoAnswer,
    #[error("the response is not valid")]
    Invalid(Vec<FieldError>),
    #[error("the response could not be recorded now; try again later")]
    Unavailable { retry_after_secs: u64 },
}

/// What a person is told about a refusal; the code names the sentence in `Texts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Advice {
    /// The page question was not answered.
    ChooseAnswer,
    /// The survey was sent with nothing in it.
    AnswerSomething,
    CommentTooLong,
    Busy,
    /// Nothing the person did: try again later.
    NotRecorded,
}

impl Advice {
    pub fn code(self) -> &'static str {
        self.into()
    }

    /// The sentence in the person's language.
    pub fn text(self, t: &super::Texts) -> &'static str {
        match self {
            Advice::ChooseAnswer => t.choose_answer,
            Advice::AnswerSomething => t.answer_something,
            Advice::CommentTooLong => t.comment_too_long,
            Advice::Busy => t.busy,
            Advice::NotRecorded => t.not_recorded,
        }
    }
}

impl From<Refusal> for PublicError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::UnknownSite => PublicError::UnknownSite,
            Refusal::OriginNotAllowed(origin) => PublicError::OriginNotAllowed(origin),
            Refusal::OriginRequired => PublicError::OriginRequired,
            Refusal::ServiceNotAllowed(service) => PublicError::ServiceNotAllowed(service),
            Refusal::RateLimited { retry_after, per } => PublicError::RateLimited {
                per: match per {
                    Limit::Client => "from this address",
                    Limit::Site => "for this site",
                },
                // Whole seconds, rounded up: coming back on time must succeed.
                retry_after_secs: retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0),
            },
        }
    }
}

impl PublicError {
    pub fn status(&self) -> StatusCode {
        match self {
            PublicError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            PublicError::Unreadable(_) | PublicError::NoAnswer | PublicError::Invalid(_) => {
                StatusCode::BAD_REQUEST
            }
            PublicError::UnknownSite => StatusCode::UNAUTHORIZED,
            PublicError::OriginNotAllowed(_)
            | PublicError::OriginRequired
            | PublicError::ServiceNotAllowed(_) => StatusCode::FORBIDDEN,
            PublicError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            PublicError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            PublicError::BodyTooLarge { .. } => "body_too_large",
            PublicError::Unreadable(_) => "bad_request",
            PublicError::UnknownSite => "unknown_site",
            PublicError::OriginNotAllowed(_) => "origin_not_allowed",
            PublicError::OriginRequired => "origin_required",
            PublicError::ServiceNotAllowed(_) => "service_not_allowed",
            PublicError::RateLimited { .. } => "rate_limited",
            PublicError::NoAnswer => "no_answer",
            PublicError::Invalid(_) => "invalid",
            PublicError::Unavailable { .. } => "unavailable",
        }
    }

    /// What the person can fix: the answer, the empty survey, the comment's length, or
    /// waiting; anything else (a page's key, origin or service, storage) is not theirs.
    pub fn advice(&self) -> Advice {
        match self {
            PublicError::NoAnswer => Advice::ChooseAnswer,
            PublicError::BodyTooLarge { .. } => Advice::CommentTooLong,
            PublicError::RateLimited { .. } => Advice::Busy,
            PublicError::Invalid(fields) => {
                if fields.iter().any(|f| f.field == "comment") {
                    Advice::CommentTooLong
                } else if fields.iter().all(|f| f.field == "answers") {
                    Advice::AnswerSomething
                } else {
                    Advice::NotRecorded
                }
            }
            _ => Advice::NotRecorded,
        }
    }

    pub(super) fn retry_after_secs(&self) -> Option<u64> {
        match self {
            PublicError::RateLimited {
                retry_after_secs, ..
            }
            | PublicError::Unavailable { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl IntoResponse for PublicError {
    fn into_response(self) -> Response {
        let mut error = json!({
            "code": self.code(),
            "message": self.to_string(),
            "advice": self.advice().code(),
        });
        if let PublicError::Invalid(fields) = &self {
            error["fields"] = json!(fields);
        }
        let mut response = (self.status(), Json(json!({ "error": error }))).into_response();
        if let Some(secs) = self.retry_after_secs() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(field: &str) -> PublicError {
        PublicError::Invalid(vec![FieldError::new(field, "…")])
    }

    #[test]
    fn a_person_is_told_only_what_they_can_fix() {
        assert_eq!(PublicError::NoAnswer.advice(), Advice::ChooseAnswer);
        assert_eq!(invalid("comment").advice(), Advice::CommentTooLong);
        assert_eq!(invalid("answers").advice(), Advice::AnswerSomething);
        // A page about a service the catalog does not offer that way, or a site set up
        // wrong: not the person's doing.
        for error in [
            invalid("channel"),
            invalid("service_id"),
            PublicError::ServiceNotAllowed("passport-by-mail".into()),
            PublicError::OriginNotAllowed("https://x.test".into()),
            PublicError::UnknownSite,
            PublicError::Unavailable {
                retry_after_secs: 5,
            },
        ] {
            assert_eq!(error.advice(), Advice::NotRecorded, "{error}");
        }
    }
}
