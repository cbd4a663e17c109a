//! `GET /api/v1/sla/cases`: the stored SLA evaluation of each case, as a flat JSON array
//! (what Grafana's Infinity datasource reads best). Filters: `service_id`, `status`,
//! `from`/`to` (on the start date, `YYYY-MM-DD` or RFC 3339), `limit` (1–10000, default
//! 1000) and `cursor` (from the previous page's `X-Next-Cursor` header).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use chrono::{DateTime, NaiveDate};
use civicpulse_store::tables::sla_cases::{self, CaseFilter, CaseKey, CaseListed};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use civicpulse_core::sla::Status;
use strum::IntoEnumIterator;

use crate::params::Params;
use crate::respond::{table, Format};
use crate::ApiState;

/// The query parameters this endpoint takes; any other is a 400.
pub const PARAMS: &[&str] = &["service_id", "status", "from", "to", "limit", "cursor"];

const MAX_LIMIT: u64 = 10_000;

/// One case, flat; times in ISO 8601 (UTC), dates as `YYYY-MM-DD`.
#[derive(Debug, Serialize, PartialEq, ToSchema)]
pub struct SlaCase {
    pub case_ref: String,
    pub service_id: String,
    pub policy: String,
    pub started_at: Option<String>,
    pub stopped_at: Option<String>,
    pub elapsed_business_days: i32,
    pub paused_business_days: i32,
    pub limit: i32,
    pub due_date: Option<String>,
    pub status: String,
    pub late_days: i32,
    pub refund_percent: f64,
    pub refund_amount: f64,
    pub currency: String,
    /// Channel and region of the case's first milestone.
    pub channel: String,
    pub region: String,
}

fn parse_filters(state: &ApiState, params: &Params) -> Result<CaseFilter, ApiError> {
    params.only(PARAMS)?;
    let status = params.parse("status", |status| {
        status.parse::<Status>().map_err(|_| {
            let names: Vec<&str> = Status::iter().map(Status::as_str).collect();
            format!("`{status}` is not one of {}", names.join(", "))
        })
    })?;
    let limit = params
        .parse("limit", |text| {
            text.parse::<u64>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| format!("`{text}` is not a whole number from 1 to {MAX_LIMIT}"))
        })?
        .unwrap_or(1000);
    let (from, to) = (params.time("from")?, params.time("to")?);
    if let (Some(from), Some(to)) = (from, to) {
        if from >= to {
            return Err(ApiError::bad("from", "must be before `to`"));
        }
    }
    Ok(CaseFilter {
        service_id: params.service(&state.catalog, "service_id")?,
        status,
        started_from: from,
        started_before: to,
        limit,
        after: params.parse("cursor", decode_cursor)?,
    })
}

/// The cursor is the last row's key, hex-encoded so it is opaque and URL-safe.
fn encode_cursor(service_id: &str, policy: &str, case_ref: &str) -> String {
    hex::encode(format!("{service_id}\n{policy}\n{case_ref}"))
}

fn decode_cursor(text: &str) -> Result<CaseKey, String> {
    let bad = || "not a cursor returned by this API".to_string();
    let bytes = hex::decode(text).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.splitn(3, '\n').map(str::to_string);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(service_id), Some(policy), Some(case_ref)) => Ok(CaseKey {
            service_id,
            policy,
            case_ref,
        }),
        _ => Err(bad()),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/sla/cases",
    tag = "sla",
    params(
        ("service_id" = Option<String>, Query, description = "One service.", example = "passport-in-person"),
        ("status" = Option<String>, Query, description = "`not_started`, `on_track`, `at_risk`, `met`, `breached` or `withdrawn`.", example = "breached"),
        ("from" = Option<String>, Query, description = "Cases started at or after (`YYYY-MM-DD` or RFC 3339).", example = "2026-01-01"),
        ("to" = Option<String>, Query, description = "Cases started before.", example = "2027-01-01"),
        ("limit" = Option<u64>, Query, description = "Rows per page, 1-10000 (default 1000).", example = 100),
        ("cursor" = Option<String>, Query, description = "The previous page's `X-Next-Cursor` header."),
    ),
    responses(
        (status = 200, description = "One row per case, ordered by service, policy and case; `X-Next-Cursor` when more follow", body = [SlaCase]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn cases(
    State(state): State<ApiState>,
    params: Params,
    format: Format,
) -> Result<Response, ApiError> {
    let filters = parse_filters(&state, &params)?;
    let client = state.store().await?;
    let rows = sla_cases::list(&client, &filters).await?;

    let mut headers = HeaderMap::new();
    if rows.len() as u64 == filters.limit {
        if let Some(last) = rows.last() {
            let cursor = encode_cursor(&last.service_id, &last.policy, &last.case_ref);
            headers.insert(
                "x-next-cursor",
                HeaderValue::from_str(&cursor).expect("hex is a valid header"),
            );
        }
    }
    let cases: Vec<SlaCase> = rows.into_iter().map(to_case).collect();
    table(format, &cases, headers)
}

fn to_case(row: CaseListed) -> SlaCase {
    let time = |secs: u32| {
        (secs > 0)
            .then(|| {
                DateTime::from_timestamp(i64::from(secs), 0)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            })
            .flatten()
    };
    let date = |days: u16| {
        (days > 0)
            .then(|| {
                NaiveDate::from_ymd_opt(1970, 1, 1)
                    .map(|epoch| (epoch + chrono::Duration::days(i64::from(days))).to_string())
            })
            .flatten()
    };
    SlaCase {
        started_at: time(row.started_at),
        stopped_at: time(row.stopped_at),
        due_date: date(row.due_date),
        case_ref: row.case_ref,
        service_id: row.service_id,
        policy: row.policy,
        elapsed_business_days: row.elapsed_days,
        paused_business_days: row.paused_days,
        limit: row.limit_days,
        status: row.status,
        late_days: row.late_days,
        refund_percent: row.refund_percent,
        refund_amount: row.refund_amount,
        currency: row.currency,
        channel: row.channel,
        region: row.region,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = encode_cursor("passport-in-person", "processing", "case-7");
        assert_eq!(
            decode_cursor(&cursor).unwrap(),
            CaseKey {
                service_id: "passport-in-person".into(),
                policy: "processing".into(),
                case_ref: "case-7".into()
            }
        );
        assert!(decode_cursor("zz").is_err());
        assert!(decode_cursor(&hex::encode("no separators")).is_err());
    }
}
