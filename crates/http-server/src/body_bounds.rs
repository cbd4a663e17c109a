//! One deadline and one size limit for every request body a router reads, applied as one
//! layer over the whole router ([`bound_bodies`]), so that no route — nor one added later —
//! can keep a connection open with a body that never finishes or fill memory with one that
//! never ends.
//!
//! The deadline is total, counted from the request's arrival: a client sending one byte
//! every two seconds is cut off like one sending nothing (tower-http's `TimeoutBody` resets
//! its timer on every frame, so it cannot do this). A handler reading a body that misses
//! the deadline or exceeds the limit gets an error; whatever it answers then, the client
//! gets 408 or 413 in JSON (`{"error": {"code", "message"}}`) and the connection is closed.
//! A handler that never reads the body (or checks credentials first) reads nothing.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::{LengthLimitError, Limited};
use tokio::time::Sleep;

/// The bounds every request body of a router is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyBounds {
    /// The whole body must have arrived this long after the request did.
    pub deadline: Duration,
    /// Bodies longer than this are refused (a declared `Content-Length` before any read).
    pub max_bytes: usize,
}

/// Why a body was cut off: what the client is told, whatever the handler made of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("request body did not arrive whole within {secs} s; send it whole, promptly")]
    Timeout { secs: u64 },
    #[error("request body exceeds {limit} bytes")]
    TooLarge { limit: usize },
}

impl BodyError {
    /// The cut-off behind a failed body read, if that is why it failed (found among the
    /// error's sources, however a handler's reader wrapped it).
    pub fn behind(error: &(dyn std::error::Error + 'static)) -> Option<BodyError> {
        let mut current = Some(error);
        while let Some(error) = current {
            if let Some(&cut_off) = error.downcast_ref::<BodyError>() {
                return Some(cut_off);
            }
            current = error.source();
        }
        None
    }

    pub fn status(self) -> StatusCode {
        match self {
            BodyError::Timeout { .. } => StatusCode::REQUEST_TIMEOUT,
            BodyError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            BodyError::Timeout { .. } => "body_timeout",
            BodyError::TooLarge { .. } => "body_too_large",
        }
    }
}

impl IntoResponse for BodyError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code(), "message": self.to_string()}});
        let mut response = (self.status(), Json(body)).into_response();
        // The rest of the body is not worth waiting for: the connection is not reused.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        response
    }
}

/// `router` with every request body held to `bounds`. axum's own default limit (2 MB,
/// answered in plain text) is switched off: these bounds are the only ones.
pub fn bound_bodies(router: Router, bounds: BodyBounds) -> Router {
    router
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(bounds, enforce))
}

async fn enforce(State(bounds): State<BodyBounds>, request: Request, next: Next) -> Response {
    let failure = Arc::new(OnceLock::new());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let request = request.map(|body| {
        Body::new(BoundedBody {
            inner: Limited::new(body, bounds.max_bytes),
            deadline: Box::pin(tokio::time::sleep(bounds.deadline)),
            declared_too_large: declared.is_some_and(|n| n > bounds.max_bytes as u64),
            bounds,
            failure: Arc::clone(&failure),
        })
    });
    let response = next.run(request).await;
    match failure.get() {
        Some(error) => {
            tracing::info!(code = error.code(), "request body cut off");
            error.into_response()
        }
        None => response,
    }
}

/// A request body that fails once its deadline passes or its limit is exceeded, and
/// records why for [`enforce`] to answer.
struct BoundedBody {
    inner: Limited<Body>,
    deadline: Pin<Box<Sleep>>,
    declared_too_large: bool,
    bounds: BodyBounds,
    failure: Arc<OnceLock<BodyError>>,
}

impl BoundedBody {
    fn fail(&self, error: BodyError) -> Poll<Option<Result<Frame<Bytes>, axum::BoxError>>> {
        let error = *self.failure.get_or_init(|| error);
        Poll::Ready(Some(Err(Box::new(error))))
    }
}

impl http_body::Body for BoundedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let too_large = BodyError::TooLarge {
            limit: self.bounds.max_bytes,
        };
        if let Some(&error) = self.failure.get() {
            return self.fail(error);
        }
        if self.declared_too_large {
            return self.fail(too_large);
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Err(error))) if error.is::<LengthLimitError>() => self.fail(too_large),
            Poll::Pending => {
                if self.deadline.as_mut().poll(cx).is_ready() {
                    let secs = self.bounds.deadline.as_secs_f64().ceil() as u64;
                    self.fail(BodyError::Timeout { secs })
                } else {
                    Poll::Pending
                }
            }
            ready => ready,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.failure.get().is_none() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::{get, post};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    const BOUNDS: BodyBounds = BodyBounds {
        deadline: Duration::from_secs(30),
        max_bytes: 1_000,
    };

    fn app() -> Router {
        let router = Router::new()
            .route("/echo", post(|body: String| async move { body }))
            .route("/healthz", get(|| async { "ok" }));
        bound_bodies(router, BOUNDS)
    }

    /// A body sending one byte every two seconds for ever, counting what was read.
    fn dribble(read: Arc<AtomicUsize>) -> Body {
        Body::from_stream(futures::stream::unfold(read, |read| async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            read.fetch_add(1, Ordering::SeqCst);
            Some((Ok::<_, std::io::Error>(Bytes::from_static(b" ")), read))
        }))
    }

    async fn answer(app: Router, request: Request) -> (StatusCode, serde_json::Value, Response) {
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 16).await.unwrap();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, json, Response::from_parts(parts, Body::empty()))
    }

    #[tokio::test(start_paused = true)]
    async fn a_dribbled_body_is_cut_off_at_the_total_deadline_with_408() {
        let read = Arc::new(AtomicUsize::new(0));
        let started = tokio::time::Instant::now();
        let seen = Arc::new(std::sync::Mutex::new(None));
        let reader = {
            let seen = Arc::clone(&seen);
            move |body: Body| async move {
                let error = axum::body::to_bytes(body, usize::MAX).await.unwrap_err();
                *seen.lock().unwrap() = BodyError::behind(&error);
                "ignored"
            }
        };
        let app = bound_bodies(Router::new().route("/read", post(reader)), BOUNDS);
        let request = Request::post("/read").body(dribble(read.clone())).unwrap();
        let (status, json, response) = answer(app, request).await;
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(json["error"]["code"], "body_timeout");
        assert_eq!(
            json["error"]["message"],
            "request body did not arrive whole within 30 s; send it whole, promptly"
        );
        assert_eq!(response.headers()[header::CONNECTION], "close");
        assert_eq!(*seen.lock().unwrap(), Some(BodyError::Timeout { secs: 30 }));
        // A byte every 2 s never resets the clock: cut off at 30 s, not later.
        assert_eq!(started.elapsed(), Duration::from_secs(30));
        assert!(read.load(Ordering::SeqCst) <= 15);
    }

    #[tokio::test]
    async fn a_body_over_the_limit_gets_413_declared_or_streamed() {
        let declared = Request::post("/echo")
            .header(header::CONTENT_LENGTH, "64000000")
            .body(Body::empty())
            .unwrap();
        let (status, json, _) = answer(app(), declared).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(json["error"]["message"], "request body exceeds 1000 bytes");

        let chunks = futures::stream::repeat_with(|| {
            Ok::<_, std::io::Error>(Bytes::from_static(&[b'x'; 100]))
        });
        let streamed = Request::post("/echo")
            .body(Body::from_stream(chunks))
            .unwrap();
        let (status, json, _) = answer(app(), streamed).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(json["error"]["code"], "body_too_large");

        let fits = Request::post("/echo").body(Body::from("hello")).unwrap();
        let (status, _, _) = answer(app(), fits).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test(start_paused = true)]
    async fn a_route_that_never_reads_the_body_answers_at_once() {
        let read = Arc::new(AtomicUsize::new(0));
        let started = tokio::time::Instant::now();
        let request = Request::get("/healthz")
            .body(dribble(read.clone()))
            .unwrap();
        let (status, _, _) = answer(app(), request).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(started.elapsed(), Duration::ZERO);
        let request = Request::post("/nowhere")
            .body(dribble(read.clone()))
            .unwrap();
        let (status, _, _) = answer(app(), request).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(read.load(Ordering::SeqCst), 0);
    }
}
