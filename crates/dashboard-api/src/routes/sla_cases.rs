//! `GET /api/v1/sla/cases`: the stored SLA evaluation of each case, as a flat JSON array
//! (what Grafana's Infinity datasource reads best). Filters: `service_id`, `status`,
//! `from`/`to` (on the start date, `YYYY-MM-DD` or RFC 3339), `limit` (1–10000, default
//! 1000) and `cursor` (from the previous page's `X-Next-Cursor` header).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use chrono::{DateTime, NaiveDate};
use civicpulse_store::tables::sla_cases::{CaseFilter, CaseKey, CaseListed};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use civicpulse_core::sla::Status;
use strum::IntoEnumIterator;

use crate::auth::Caller;
use crate::params::{check_order, Limit, Query, Time};
use crate::respond::{table, ResponseFormat};
use crate::ApiState;

const MAX_LIMIT: u64 = 10_000;

/// The query of `/api/v1/sla/cases`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CasesQuery {
    /// One service.
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
    /// `not_started`, `on_track`, `at_risk`, `met`, `breached` or `withdrawn`.
    #[param(value_type = Option<String>, example = "breached")]
    status: Option<StatusParam>,
    /// Cases started at or after (`YYYY-MM-DD` or RFC 3339).
    #[param(value_type = Option<String>, example = "2026-01-01")]
    from: Option<Time>,
    /// Cases started before.
    #[param(value_type = Option<String>, example = "2027-01-01")]
    to: Option<Time>,
    /// Rows per page, 1-10000 (default 1000).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 10000, example = 100)]
    limit: Option<Limit<MAX_LIMIT>>,
    /// The previous page's `X-Next-Cursor` header.
    #[param(value_type = Option<String>)]
    cursor: Option<Cursor>,
}

/// A case status by its stored name.
#[derive(Debug, Clone, Copy)]
struct StatusParam(Status);

impl<'de> Deserialize<'de> for StatusParam {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse::<Status>().map(StatusParam).map_err(|_| {
            let names: Vec<&str> = Status::iter().map(Status::as_str).collect();
            D::Error::custom(format!("`{text}` is not one of {}", names.join(", ")))
        })
    }
}

/// Where the previous page ended.
#[derive(Debug, Clone)]
struct Cursor(CaseKey);

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        decode_cursor(&text).map(Cursor).map_err(D::Error::custom)
    }
}

/// One case, flat; times in ISO 8601 (UTC), dates as `YYYY-MM-DD`.
#[derive(Debug, Serialize, PartialEq, ToSchema)]
pub struct SlaCase {
    pub case_ref: String,
    pub service_id: String,
    pub policy: String,
    pub started_at: Option<String>,
    pub stopped_at: Option<String>,
    /// Deprecated (one release) name of `elapsed`: in `unit`, whatever the name says.
    pub elapsed_business_days: i32,
    /// Deprecated (one release) name of `paused`: in `unit`, whatever the name says.
    pub paused_business_days: i32,
    /// The standard's limit, in `unit`.
    pub limit: i32,
    /// What `elapsed`, `paused`, `limit` and `late` count: `business_days`, `calendar_days`,
    /// `business_hours` or `business_minutes`.
    pub unit: String,
    /// The option the case is judged by (`regular`, `express`…; empty without options).
    pub service_option: String,
    pub due_date: Option<String>,
    /// The due moment: the due date's closing time for day limits.
    pub due_at: Option<String>,
    pub status: String,
    /// Deprecated (one release) name of `late`: in `unit`, whatever the name says.
    pub late_days: i32,
    pub refund_percent: f64,
    pub refund_amount: f64,
    pub currency: String,
    /// Channel and region of the case's first milestone.
    pub channel: String,
    pub region: String,
    /// Comma-separated ids of the exceptional circumstances that changed the result.
    pub exceptions: String,
    /// A closed late case's remission: `owed`, `excused`, `paid` or `cancelled` (else empty).
    pub remission: String,
    /// Time on the clock, in `unit`. The unit-neutral names come last, so that the CSV
    /// columns of the first release keep their positions.
    pub elapsed: i32,
    /// Time the clock stood still (clock stops), in `unit`.
    pub paused: i32,
    /// How late (0 when on time), in `unit`.
    pub late: i32,
}

fn filter(state: &ApiState, caller: &Caller, query: CasesQuery) -> Result<CaseFilter, ApiError> {
    let (from, to) = (query.from.map(|t| t.0), query.to.map(|t| t.0));
    check_order(from, to)?;
    Ok(CaseFilter {
        services: caller.select(&state.catalog, query.service_id)?.services(),
        status: query.status.map(|s| s.0),
        started_from: from,
        started_before: to,
        limit: query.limit.map_or(1000, |l| l.0),
        after: query.cursor.map(|c| c.0),
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
    params(CasesQuery),
    responses(
        (status = 200, description = "One row per case, ordered by service, policy and case; `X-Next-Cursor` when more follow", body = [SlaCase]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "The token's role is below analyst (a case is one person's, by its reference), or the request is outside its scope (the message says which)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["analyst"]))
)]
pub async fn cases(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<CasesQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let filters = filter(&state, &caller, query)?;
    let rows = state.stores().cases(&filters).await?;

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
    let cases: Vec<SlaCase> = rows.into_iter().map(SlaCase::from).collect();
    table(format, &cases, headers)
}

impl From<CaseListed> for SlaCase {
    /// The wire shape of a listed case (JSON and CSV alike).
    fn from(row: CaseListed) -> SlaCase {
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
            due_at: time(row.due_at),
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
            unit: row.unit,
            service_option: row.service_option,
            exceptions: row.exceptions,
            remission: row.remission,
            elapsed: row.elapsed_days,
            paused: row.paused_days,
            late: row.late_days,
        }
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
