//! Query parameters, checked by name: an unknown or repeated parameter is a 400 naming it
//! (a misspelt `grop_by` must not silently fall back to a default), and values are parsed
//! into types before any of them reaches SQL, where they are bound, never spliced.

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use civicpulse_aggregator::matrix::Period;
use civicpulse_core::{horizon, Catalog};

use crate::error::ApiError;

#[derive(Debug, Default)]
pub struct Params(BTreeMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|e| ApiError::bad("query", format!("not a valid query string: {e}")))?;
        let mut params = BTreeMap::new();
        for (name, value) in pairs {
            if params.insert(name.clone(), value).is_some() {
                return Err(ApiError::bad(name, "given more than once"));
            }
        }
        Ok(Params(params))
    }
}

impl Params {
    /// Refuses any parameter not in `allowed`.
    pub fn only(&self, allowed: &[&str]) -> Result<&Self, ApiError> {
        match self.0.keys().find(|name| !allowed.contains(&name.as_str())) {
            Some(name) => Err(ApiError::bad(
                name.clone(),
                format!(
                    "unknown parameter; this endpoint takes {}",
                    allowed.join(", ")
                ),
            )),
            None => Ok(self),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A value parsed by `parse`, whose error becomes a 400 naming the parameter.
    pub fn parse<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ApiError> {
        self.get(name)
            .map(|text| parse(text).map_err(|reason| ApiError::bad(name, reason)))
            .transpose()
    }

    /// A catalog service id.
    pub fn service(&self, catalog: &Catalog, name: &str) -> Result<Option<String>, ApiError> {
        self.parse(name, |id| {
            catalog
                .service(id)
                .map(|s| s.id.clone())
                .ok_or_else(|| format!("unknown service `{id}`"))
        })
    }

    /// `YYYY-MM-DD` (midnight UTC) or RFC 3339, inside the [`horizon`].
    pub fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.parse(name, |text| parse_time(text).and_then(horizon::check_time))
    }

    /// A month `YYYY-MM` or quarter `YYYY-Qn` inside the [`horizon`].
    pub fn period(&self, name: &str) -> Result<Option<Period>, ApiError> {
        self.parse(name, |text| {
            let period = Period::parse(text)
                .ok_or_else(|| format!("`{text}` is neither YYYY-MM nor YYYY-Qn"))?;
            horizon::check_day(period.from)?;
            horizon::check_day(period.to)?;
            Ok(period)
        })
    }

    /// A day bound of a range of local days: `YYYY-MM-DD`, or an RFC 3339 time (what
    /// Grafana's `${__from:date:iso}` sends) taken in `zone`. A range is [from, to): an end
    /// time after midnight includes its own day, so `to=now` covers today.
    pub fn day_bound(
        &self,
        name: &str,
        end: bool,
        zone: Tz,
    ) -> Result<Option<NaiveDate>, ApiError> {
        self.parse(name, |text| {
            day_bound(text, end, zone).and_then(horizon::check_day)
        })
    }

    /// One of a fixed set of words.
    pub fn choice<T: Copy>(
        &self,
        name: &str,
        choices: &[(&str, T)],
    ) -> Result<Option<T>, ApiError> {
        self.parse(name, |text| {
            choices
                .iter()
                .find(|(word, _)| *word == text)
                .map(|(_, value)| *value)
                .ok_or_else(|| {
                    let words: Vec<&str> = choices.iter().map(|(w, _)| *w).collect();
                    format!("`{text}` is not one of {}", words.join(", "))
                })
        })
    }
}

fn day_bound(text: &str, end: bool, zone: Tz) -> Result<NaiveDate, String> {
    if let Ok(date) = text.parse::<NaiveDate>() {
        return Ok(date);
    }
    let local = DateTime::parse_from_rfc3339(text)
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
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("`{text}` is neither YYYY-MM-DD nor an RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> Result<Params, ApiError> {
        let (mut parts, ()) = axum::http::Request::builder()
            .uri(format!("/x?{query}"))
            .body(())
            .unwrap()
            .into_parts();
        futures_lite(Params::from_request_parts(&mut parts, &()))
    }

    fn futures_lite<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn unknown_repeated_and_malformed_parameters_are_named() {
        let error = params("a=1&a=2").unwrap_err().to_string();
        assert!(
            error.contains("`a`") && error.contains("more than once"),
            "{error}"
        );
        let given = params("from=2026-01-01&grop_by=channel").unwrap();
        let error = given.only(&["from", "group_by"]).unwrap_err().to_string();
        assert!(error.contains("`grop_by`"), "{error}");
        let zone = chrono_tz::UTC;
        assert!(given.day_bound("from", false, zone).unwrap().is_some());
        let error = params("from=yesterday")
            .unwrap()
            .day_bound("from", false, zone)
            .unwrap_err()
            .to_string();
        assert!(error.contains("`from`"), "{error}");
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
    }
}
