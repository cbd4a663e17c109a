//! Answers as flat JSON arrays of objects (what Grafana's Infinity datasource reads best),
//! or CSV with `Accept: text/csv`, from the same rows.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::error::ApiError;

/// How a list is answered, JSON or CSV, from the `Accept` header (what is exported, and in
/// which government format, is `civicpulse_reports::exports::ExportFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseFormat {
    Json,
    Csv,
}

impl ResponseFormat {
    /// From the `Accept` header: CSV when it names `text/csv`, JSON for JSON, `*/*` or no
    /// header; anything else is 406.
    pub fn from_accept(accept: Option<&str>) -> Result<ResponseFormat, ApiError> {
        let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
            return Ok(ResponseFormat::Json);
        };
        let types: Vec<&str> = accept
            .split(',')
            .map(|t| t.split(';').next().unwrap_or("").trim())
            .collect();
        if types.contains(&"text/csv") {
            Ok(ResponseFormat::Csv)
        } else if types
            .iter()
            .any(|t| matches!(*t, "application/json" | "*/*" | "application/*"))
        {
            Ok(ResponseFormat::Json)
        } else {
            Err(ApiError::NotAcceptable(accept.to_string()))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ResponseFormat {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        ResponseFormat::from_accept(
            parts
                .headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok()),
        )
    }
}

/// Rows in the asked format, with extra headers (e.g. a paging cursor).
pub fn table<T: Serialize>(
    format: ResponseFormat,
    rows: &[T],
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut response = match format {
        ResponseFormat::Json => Json(rows).into_response(),
        ResponseFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            for row in rows {
                writer.serialize(row).map_err(|e| ApiError::internal(&e))?;
            }
            let body = writer.into_inner().map_err(|e| ApiError::internal(&e))?;
            (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                )],
                body,
            )
                .into_response()
        }
    };
    response.headers_mut().extend(headers);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_chooses_the_format() {
        assert_eq!(
            ResponseFormat::from_accept(None).unwrap(),
            ResponseFormat::Json
        );
        assert_eq!(
            ResponseFormat::from_accept(Some("*/*")).unwrap(),
            ResponseFormat::Json
        );
        assert_eq!(
            ResponseFormat::from_accept(Some("text/csv;q=0.9, application/json")).unwrap(),
            ResponseFormat::Csv
        );
        assert!(matches!(
            ResponseFormat::from_accept(Some("application/xml")),
            Err(ApiError::NotAcceptable(_))
        ));
    }
}
