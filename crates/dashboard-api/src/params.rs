//! Query parameters: each endpoint takes one typed struct (`Deserialize` + `IntoParams`, so
//! the OpenAPI document and the check are one list). An unknown or repeated parameter is a
//! 400 naming it (a misspelt `grop_by` must not silently fall back to a default), and values
//! are parsed into types before any of them reaches SQL, where they are bound, never spliced.

use std::collections::BTreeSet;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use civicpulse_analytics::matrix::GroupBy;
use civicpulse_analytics::period::{Label, Period};
use civicpulse_analytics::themes::Sentiment;
use civicpulse_core::{horizon, theme, Catalog, Dimension};
use civicpulse_store::tables::access_audit::AuditAction;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use utoipa::IntoParams;

use crate::error::ApiError;

/// An endpoint's query, as its typed struct `T`. The names `T` documents (`IntoParams`)
/// are the only ones taken; a name given twice, an unknown name or a value its type refuses
/// is a 400 naming the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned + IntoParams,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        check_names(query, &documented_names::<T>())?;
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|error| {
                let name = error.path().to_string();
                let name = if name == "." {
                    "query".to_string()
                } else {
                    name
                };
                ApiError::bad(name, error.into_inner().to_string())
            })
    }
}

/// The parameter names `T` documents in the OpenAPI document.
fn documented_names<T: IntoParams>() -> Vec<String> {
    T::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query))
        .into_iter()
        .map(|parameter| parameter.name)
        .collect()
}

/// Refuses a name given twice or not in `allowed`.
fn check_names(query: &str, allowed: &[String]) -> Result<(), ApiError> {
    let mut seen = BTreeSet::new();
    for (name, _) in form_urlencoded::parse(query.as_bytes()) {
        if !allowed.iter().any(|a| *a == name) {
            return Err(ApiError::bad(
                name,
                format!(
                    "unknown parameter; this endpoint takes {}",
                    allowed.join(", ")
                ),
            ));
        }
        if !seen.insert(name.clone()) {
            return Err(ApiError::bad(name, "given more than once"));
        }
    }
    Ok(())
}

/// Deserializes a parameter from its text with `parse`, whose message says what is wrong.
fn from_text<'de, D, T>(
    deserializer: D,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let text = String::deserialize(deserializer)?;
    parse(&text).map_err(D::Error::custom)
}

/// Implements `Deserialize` for a parameter newtype from a parse function.
macro_rules! parameter_from_text {
    ($name:ident, $parse:expr) => {
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                from_text(deserializer, $parse).map($name)
            }
        }
    };
}

/// An instant: `YYYY-MM-DD` (midnight UTC) or RFC 3339, inside the [`horizon`].
#[derive(Debug, Clone, Copy)]
pub struct Time(pub DateTime<Utc>);
parameter_from_text!(Time, |text| parse_time(text).and_then(horizon::check_time));

/// A period label (`civicpulse_analytics::period`): read here, given its days by
/// [`PeriodParam::period`] once the deployment's fiscal-year start is at hand.
#[derive(Debug, Clone, Copy)]
pub struct PeriodParam(pub Label);
parameter_from_text!(PeriodParam, |text| text
    .parse::<Label>()
    .map_err(|e| e.to_string()));

impl PeriodParam {
    /// The period's days under the catalog's fiscal-year start, inside the [`horizon`].
    pub fn period(self, catalog: &Catalog) -> Result<Period, ApiError> {
        Period::checked(self.0, catalog.fiscal_year_start())
            .map_err(|error| ApiError::bad("period", error.to_string()))
    }
}

/// A matrix dimension by its wire name.
#[derive(Debug, Clone, Copy)]
pub struct DimensionParam(pub Dimension);
parameter_from_text!(DimensionParam, |text| {
    Dimension::parse(text).ok_or_else(|| {
        format!("`{text}` is not a matrix dimension (see the `dimension` column of /api/v1/matrix)")
    })
});

/// A figure of the matrix by its wire name: a dimension, or the share of comments about a
/// theme (`theme_share:<theme id>`), whose theme is checked against the catalog by
/// [`FigureParam::checked`].
#[derive(Debug, Clone)]
pub struct FigureParam(pub String);
parameter_from_text!(FigureParam, |text| {
    if Dimension::parse(text).is_some() || theme::share_theme(text).is_some() {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{text}` is not a matrix dimension (see the `dimension` column of /api/v1/matrix)"
        ))
    }
});

impl FigureParam {
    /// The name, once a theme's share names a theme the catalog has and `shown` admits (the
    /// matrix shows top-level themes only; interventions every theme).
    pub fn checked(
        self,
        catalog: &Catalog,
        shown: impl Fn(&civicpulse_core::theme::Theme) -> bool,
    ) -> Result<String, ApiError> {
        let Some(id) = theme::share_theme(&self.0) else {
            return Ok(self.0);
        };
        match catalog.themes.iter().find(|t| t.id == id) {
            Some(found) if shown(found) => Ok(self.0),
            Some(_) => Err(ApiError::bad(
                "dimension",
                format!("the theme `{id}` has a parent: ask for the parent's share"),
            )),
            None => Err(ApiError::bad(
                "dimension",
                format!("`{id}` is not a theme of the catalog"),
            )),
        }
    }
}

/// A token's name as configured (`dashboard.tokens`), which may be a token since removed.
#[derive(Debug, Clone)]
pub struct TokenName(pub String);
parameter_from_text!(TokenName, |text| {
    if civicpulse_core::access::is_token_name(text) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{text}` cannot name a token (1 to 64 letters, digits, `.`, `_` or `-`)"
        ))
    }
});

/// An action of the access audit by its name.
#[derive(Debug, Clone, Copy)]
pub struct ActionParam(pub AuditAction);
parameter_from_text!(ActionParam, |text| text.parse::<AuditAction>().map_err(
    |_| format!("`{text}` is not one of read_comments, erase, read_audit")
));

/// A comment's sentiment by its name, as readings store it: `negative`, `mixed` (also
/// `neutral`) or `positive`.
#[derive(Debug, Clone, Copy)]
pub struct SentimentParam(pub Sentiment);
parameter_from_text!(SentimentParam, |text| Sentiment::parse(text).ok_or_else(
    || format!("`{text}` is not one of negative, neutral (or mixed), positive")
));

/// A theme of the catalog by its id; [`theme_leaves`] checks it against the catalog.
#[derive(Debug, Clone)]
pub struct ThemeParam(pub String);
parameter_from_text!(ThemeParam, |text| Ok(text.to_string()));

/// The leaf ids a theme parameter stands for (a parent: its leaves), or a 400 naming
/// `name` and listing the catalog's themes.
pub fn theme_leaves(catalog: &Catalog, name: &str, id: &str) -> Result<Vec<String>, ApiError> {
    civicpulse_core::theme::leaves_of(&catalog.themes, id)
        .map(|leaves| leaves.iter().map(|t| t.id.clone()).collect())
        .ok_or_else(|| {
            let ids: Vec<&str> = catalog.themes.iter().map(|t| t.id.as_str()).collect();
            ApiError::bad(
                name,
                format!("unknown theme `{id}`; the themes are {}", ids.join(", ")),
            )
        })
}

/// A breakdown of the matrix.
#[derive(Debug, Clone, Copy)]
pub struct GroupByParam(pub GroupBy);
parameter_from_text!(GroupByParam, |text| {
    GroupBy::parse(text).ok_or_else(|| {
        let names: Vec<&str> = GroupBy::ALL.iter().map(|g| g.as_str()).collect();
        format!("`{text}` is not one of {}", names.join(", "))
    })
});

/// Rows per answer, from 1 to `MAX`.
#[derive(Debug, Clone, Copy)]
pub struct Limit<const MAX: u64>(pub u64);

impl<'de, const MAX: u64> Deserialize<'de> for Limit<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        from_text(deserializer, |text| {
            text.parse::<u64>()
                .ok()
                .filter(|n| (1..=MAX).contains(n))
                .map(Limit)
                .ok_or_else(|| format!("`{text}` is not a whole number from 1 to {MAX}"))
        })
    }
}

/// A bound of a range of local days, resolved in the service zone by [`DayBound::day`]:
/// `YYYY-MM-DD`, or an RFC 3339 time (what Grafana's `${__from:date:iso}` sends).
#[derive(Debug, Clone)]
pub struct DayBound(String);
parameter_from_text!(DayBound, |text| {
    // Checked here so a malformed bound is refused whatever the zone.
    day_bound(text, false, chrono_tz::UTC)?;
    Ok(text.to_string())
});

impl DayBound {
    /// The local day in `zone`. A range is [from, to): an end time after midnight includes
    /// its own day, so `to=now` covers today. `name` is the parameter, for the error.
    pub fn day(&self, name: &str, end: bool, zone: Tz) -> Result<NaiveDate, ApiError> {
        day_bound(&self.0, end, zone)
            .and_then(horizon::check_day)
            .map_err(|reason| ApiError::bad(name, reason))
    }
}

/// The query of an endpoint that takes none: any parameter is a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoParameters {}

/// `service_id`, when given, must be a catalog service.
pub fn known_service(catalog: &Catalog, id: Option<String>) -> Result<Option<String>, ApiError> {
    match id {
        Some(id) if catalog.service(&id).is_none() => Err(ApiError::bad(
            "service_id",
            format!("unknown service `{id}`"),
        )),
        other => Ok(other),
    }
}

/// `from`/`to` instants: `to` defaults to now, `from` to `default_days` before `to` (never
/// before the horizon), and `from` must come before `to`.
pub fn time_window(
    from: Option<Time>,
    to: Option<Time>,
    default_days: i64,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let to = to.map_or_else(Utc::now, |t| t.0);
    let from = from.map_or_else(
        || horizon::days_before(to, default_days).max(horizon::first_instant()),
        |t| t.0,
    );
    check_order(Some(from), Some(to))?;
    Ok((from, to))
}

/// The end of a range must come after its start; the error names `from`.
pub fn check_order<T: PartialOrd>(from: Option<T>, to: Option<T>) -> Result<(), ApiError> {
    match (from, to) {
        (Some(from), Some(to)) if from >= to => Err(ApiError::bad("from", "must be before `to`")),
        _ => Ok(()),
    }
}

fn day_bound(text: &str, end: bool, zone: Tz) -> Result<NaiveDate, String> {
    if let Ok(date) = text.parse::<NaiveDate>() {
        return Ok(date);
    }
    let local = civicpulse_core::rfc3339::parse(text)
        .map_err(|_| format!("`{text}` is neither YYYY-MM-DD nor an RFC 3339 time"))?
        .with_timezone(&zone);
    let date = local.date_naive();
    let after_midnight = local.time() != chrono::NaiveTime::MIN;
    if end && after_midnight {
        date.succ_opt()
            .ok_or_else(|| format!("`{text}` is the last day chrono can represent"))
    } else {
        Ok(date)
    }
}

/// `YYYY-MM-DD` (midnight UTC) or RFC 3339.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(date) = text.parse::<NaiveDate>() {
        return Ok(date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc());
    }
    civicpulse_core::rfc3339::parse(text)
        .map_err(|_| format!("`{text}` is neither YYYY-MM-DD nor an RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, IntoParams)]
    #[into_params(parameter_in = Query)]
    #[allow(dead_code)]
    struct Example {
        #[param(value_type = Option<String>)]
        from: Option<DayBound>,
        #[param(value_type = Option<String>)]
        group_by: Option<GroupByParam>,
    }

    fn query(query: &str) -> Result<Query<Example>, ApiError> {
        let (mut parts, ()) = axum::http::Request::builder()
            .uri(format!("/x?{query}"))
            .body(())
            .unwrap()
            .into_parts();
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(Query::from_request_parts(&mut parts, &()))
    }

    #[test]
    fn unknown_repeated_and_malformed_parameters_are_named() {
        let error = query("from=2026-01-01&from=2026-01-02")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`from`") && error.contains("more than once"),
            "{error}"
        );
        let error = query("from=2026-01-01&grop_by=channel")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`grop_by`") && error.contains("from, group_by"),
            "{error}"
        );
        let error = query("from=yesterday").unwrap_err().to_string();
        assert!(
            error.contains("`from`") && error.contains("`yesterday`"),
            "{error}"
        );
        let error = query("group_by=colour").unwrap_err().to_string();
        assert!(
            error.contains("`group_by`") && error.contains("`colour` is not one of"),
            "{error}"
        );
        let Query(given) = query("from=2026-01-01&group_by=age_band").unwrap();
        assert_eq!(given.group_by.map(|g| g.0), Some(GroupBy::AgeBand));
        let from = given
            .from
            .unwrap()
            .day("from", false, chrono_tz::UTC)
            .unwrap();
        assert_eq!(from.to_string(), "2026-01-01");
        assert!(query("").unwrap().0.from.is_none());
    }

    #[test]
    fn day_bounds_take_times_in_the_zone_and_ends_include_their_day() {
        let toronto = chrono_tz::America::Toronto;
        let d = |t: &str, end: bool| day_bound(t, end, toronto).unwrap().to_string();
        assert_eq!(d("2026-03-02", true), "2026-03-02");
        // 02:00 UTC on the 2nd is the evening of the 1st in Toronto.
        assert_eq!(d("2026-03-02T02:00:00Z", false), "2026-03-01");
        assert_eq!(d("2026-03-02T02:00:00Z", true), "2026-03-02");
        // Local midnight ends the range before its day.
        assert_eq!(d("2026-03-02T05:00:00Z", true), "2026-03-02");
        assert_eq!(d("2026-03-02T05:00:01Z", true), "2026-03-03");
        assert!(day_bound("next week", false, toronto).is_err());
    }

    #[test]
    fn times_accept_dates_and_rfc3339() {
        assert_eq!(
            parse_time("2026-03-02").unwrap().to_rfc3339(),
            "2026-03-02T00:00:00+00:00"
        );
        assert_eq!(
            parse_time("2026-03-02T05:00:00-05:00")
                .unwrap()
                .to_rfc3339(),
            "2026-03-02T10:00:00+00:00"
        );
        assert!(parse_time("yesterday").is_err());
        // RFC 3339 exactly, as the event contracts read it.
        for loose in ["2026-03-02 05:00:00Z", "2026-03-02T05:00:00+0000"] {
            assert!(parse_time(loose).is_err(), "{loose}");
        }
    }
}
