//! Every request gets an id: the client's `X-Request-Id` when it sent a sane one, else a new
//! UUID. It is answered in the `X-Request-Id` header and is what error bodies and log lines
//! quote, so a user's report leads to the log line without the answer carrying internals.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use uuid::Uuid;

const HEADER: &str = "x-request-id";
/// A client's id is kept only when short and plain, so it is safe to log and echo.
const MAX_CLIENT_ID_LEN: usize = 64;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being answered (a fresh one outside any request, e.g. in a test).
pub fn current() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| Uuid::new_v4().to_string())
}

/// Middleware: runs the rest of the stack with the request's id in scope.
pub async fn assign(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| is_plain(id))
        .map_or_else(|| Uuid::new_v4().to_string(), str::to_string);
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

fn is_plain(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_CLIENT_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_client_ids_are_kept() {
        assert!(is_plain("3f2a-9c0d_1.2"));
        for id in ["", "has space", "new\nline", "é", &"x".repeat(65)] {
            assert!(!is_plain(id), "{id:?}");
        }
    }
}
