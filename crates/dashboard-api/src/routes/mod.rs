//! One module per endpoint family; each handler documents itself for the OpenAPI document.

pub mod audit;
pub mod comments;
pub mod corrections;
pub mod emerging;
pub mod erasures;
pub mod exports;
pub mod interventions;
pub mod matrix;
pub mod reports;
pub mod services;
pub mod sla_cases;
pub mod sla_exceptions;
pub mod sla_forecast;
pub mod sla_remissions;
pub mod sla_summary;
pub mod snapshots;
pub mod theme_suggestions;
pub mod themes;
pub mod timeseries;

use chrono::{Days, NaiveDate};
use civicpulse_core::horizon;

use crate::error::ApiError;
use crate::params::DayBound;
use crate::ApiState;

/// The longest range a request may cover (ten years of days).
const MAX_RANGE_DAYS: i64 = 3660;

/// `from`/`to` local days (to exclusive; dates or RFC 3339 times), checked for order and
/// size; missing ones default to the `default_days` before tomorrow.
pub(crate) fn date_range(
    from: Option<&DayBound>,
    to: Option<&DayBound>,
    state: &ApiState,
    default_days: u64,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let zone = state.zone();
    let to = match to {
        Some(to) => to.day("to", true, zone)?,
        None => state.today().succ_opt().unwrap_or(horizon::END_DAY),
    };
    // A default start never reaches before the horizon (nor a date chrono cannot hold).
    let from = match from {
        Some(from) => from.day("from", false, zone)?,
        None => to
            .checked_sub_days(Days::new(default_days))
            .map_or(horizon::FIRST_DAY, |from| from.max(horizon::FIRST_DAY)),
    };
    if from >= to {
        return Err(ApiError::bad("from", "must be before `to`"));
    }
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(ApiError::bad(
            "to",
            format!("the range may cover at most {MAX_RANGE_DAYS} days"),
        ));
    }
    Ok((from, to))
}
