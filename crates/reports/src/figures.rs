//! The numbers of one report, gathered once from the code that answers `/api/v1/matrix`,
//! `/api/v1/sla/summary`, the time series and the interventions, so a report never
//! disagrees with a dashboard:
//!
//! - the matrix of the period (whole services), built from the same rollup reads;
//! - the changes of every judged figure since the previous period and since the same
//!   period a year before, each with the verdict its interval supports;
//! - each service's trend of its key dimensions, with its peers' median per bucket;
//! - how each service standard was kept for cases closed in the period;
//! - the interventions evaluated as of the period's end.

use std::collections::BTreeMap;

use chrono::{DateTime, Months, NaiveDate, SecondsFormat, Utc};
use civicpulse_analytics::matrix::change::{self, Change};
use civicpulse_analytics::matrix::dimensions::{measure, not_applicable, Measured};
use civicpulse_analytics::matrix::stats::median;
use civicpulse_analytics::matrix::tally::Tally;
use civicpulse_analytics::matrix::{
    self, build, Bucket, Cell, GroupBy, InterventionRow, RollupQuery, Slices,
};
use civicpulse_analytics::matrix::{coverage, turn};
use civicpulse_analytics::period::Period;
use civicpulse_analytics::sla::summary;
use civicpulse_core::calendar::local_midnight;
use civicpulse_core::config::{Language, MatrixConfig};
use civicpulse_core::dimension::{Dimension, Kind, Question};
use civicpulse_core::Catalog;
use civicpulse_store::{StoreError, Stores};
use serde::Serialize;

use crate::freshness::Freshness;
use crate::records::SlaRecord;

#[derive(Debug, thiserror::Error)]
pub enum FiguresError {
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("unknown service `{0}`")]
    UnknownService(String),
    #[error("the period has no year before it inside the calendar")]
    NoYearBefore,
}

/// A service as the report names it, in both languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceNamed {
    pub id: String,
    pub name: String,
    pub name_fr: String,
    pub category: String,
    pub jurisdiction: String,
    /// Its service standards, as a reader is told of them.
    pub standards: Vec<StandardNamed>,
    /// The government delivering it, named (its code when the catalog has no name).
    pub jurisdiction_name: String,
    pub jurisdiction_name_fr: String,
    /// The services it is compared with (same category), by name.
    pub peers: Vec<String>,
    pub peers_fr: Vec<String>,
    /// The currency of the period's cost (`cost_per_transaction`), when the catalog has one.
    pub cost_currency: Option<String>,
}

/// An intervention as the report names and describes it, in both languages.
/// A theme of the catalog as the report names it, in both languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeNamed {
    pub id: String,
    pub name: String,
    pub name_fr: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterventionNamed {
    pub id: String,
    pub name: String,
    pub name_fr: String,
    pub description: String,
    pub description_fr: String,
}

/// A service standard as the report names it, in both languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandardNamed {
    pub id: String,
    pub title: String,
    pub title_fr: String,
    /// What its times count: `business_days`, `calendar_days`, `business_hours`, …
    pub unit: String,
}

/// When cases count as closed in the period: local midnights of its first day and of the
/// day after its last, in the deployment's zone (the first catalog service's, as periods
/// are everywhere).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaWindow {
    pub from: String,
    pub to: String,
}

/// What a change is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Against {
    PreviousPeriod,
    SamePeriodLastYear,
}

/// One figure's change for one service.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "crate::records::ComparisonRecord")]
pub struct Comparison {
    pub service_id: String,
    pub dimension: String,
    pub against: Against,
    pub earlier_from: String,
    pub earlier_to: String,
    pub change: Change,
}

/// A share that turned within the period: its value before and after the week it turned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TurnWithin {
    pub service_id: String,
    pub dimension: String,
    /// The days each side's shown figures cover (first and last, local): withheld weeks
    /// are left out of the figure and of the days claimed.
    pub before_from: String,
    pub before_to: String,
    pub after_from: String,
    pub after_to: String,
    pub before: f64,
    pub before_n: u64,
    pub after: f64,
    pub after_n: u64,
}

/// A period a service's figures are not compared with, because its data begin after the
/// period starts: its first month would read as a change (decisions lag applications, and
/// only the fastest cases have closed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incomplete {
    pub service_id: String,
    /// Which period: the report's own, or one of the earlier ones it is compared with.
    pub period: IncompletePeriod,
    /// The first local day with data.
    pub data_from: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum IncompletePeriod {
    ThisPeriod,
    PreviousPeriod,
    SamePeriodLastYear,
}

/// One bucket of a trend: the service's figure and its peers' median.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The bucket's first local day.
    pub start: String,
    pub value: Option<f64>,
    pub n: u64,
    pub peers: Option<f64>,
}

/// A key dimension of one service over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub service_id: String,
    pub dimension: String,
    pub bucket: &'static str,
    pub target: Option<f64>,
    pub points: Vec<TrendPoint>,
}

/// Everything a report shows, as of `generated_at`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub period: String,
    pub period_from: String,
    pub period_to: String,
    pub previous_from: String,
    pub previous_to: String,
    pub generated_at: String,
    /// The deployment's reporting time zone (IANA), in which the period's days are read.
    pub time_zone: String,
    /// The instant up to which stored data were read (RFC 3339, UTC): the newest event
    /// stored when the figures were gathered, else the generation instant. Events received
    /// later, even dated in the period, are not in these figures (`crate::revision`).
    pub data_cut_off: String,
    pub min_responses: u64,
    pub services: Vec<ServiceNamed>,
    pub sla_window: SlaWindow,
    #[serde(serialize_with = "crate::records::matrix")]
    pub matrix: Vec<Cell>,
    pub changes: Vec<Comparison>,
    /// The periods not compared, and why.
    pub incomplete: Vec<Incomplete>,
    pub trends: Vec<Trend>,
    /// The key figures that turned within the period.
    pub turns: Vec<TurnWithin>,
    /// Each standard as published, small cells withheld.
    pub sla: Vec<SlaRecord>,
    #[serde(serialize_with = "crate::records::interventions")]
    pub interventions: Vec<InterventionRow>,
    /// The interventions' names and descriptions, in both languages.
    pub intervention_names: Vec<InterventionNamed>,
    /// The themes the theme family's cells and the interventions' theme rows name.
    pub themes: Vec<ThemeNamed>,
    /// What people wrote about each service ([`crate::themes`]).
    pub themes_read: Vec<crate::themes::ServiceThemes>,
    pub freshness: Freshness,
}

/// The dimensions a service's page charts: satisfaction, timeliness, channel shift.
pub const KEY_DIMENSIONS: [Dimension; 3] = [
    Dimension::Top2Share(Question::Satisfaction),
    Dimension::SlaCompliance,
    Dimension::DigitalTakeUp,
];

impl Figures {
    /// Gathers the figures of `period` for `services` (empty: every catalog service).
    /// `freshness` is what the caller observed of the pipeline at generation time.
    pub async fn gather(
        store: &dyn Stores,
        catalog: &Catalog,
        config: &MatrixConfig,
        period: &Period,
        services: &[String],
        freshness: Freshness,
    ) -> Result<Figures, FiguresError> {
        for id in services {
            if catalog.service(id).is_none() {
                return Err(FiguresError::UnknownService(id.clone()));
            }
        }
        let wanted = |id: &str| services.is_empty() || services.iter().any(|s| s == id);
        let year = Months::new(12);
        let (Some(year_from), Some(year_to)) = (
            period.from.checked_sub_months(year),
            period.to.checked_sub_months(year),
        ) else {
            return Err(FiguresError::NoYearBefore);
        };
        let whole = |from, to| RollupQuery {
            from,
            to,
            group_by: GroupBy::Service,
            bucket: Bucket::Whole,
            services: None,
        };
        let current = whole(period.from, period.to).read_slices(store).await?;
        let previous = whole(period.previous_from, period.previous_to)
            .read_slices(store)
            .await?;
        let last_year = whole(year_from, year_to).read_slices(store).await?;
        let now = Utc::now();
        let mut incomplete = Vec::new();
        let mut late_previous = BTreeMap::new();
        for (which, from, to) in [
            (IncompletePeriod::ThisPeriod, period.from, period.to),
            (
                IncompletePeriod::PreviousPeriod,
                period.previous_from,
                period.previous_to,
            ),
            (IncompletePeriod::SamePeriodLastYear, year_from, year_to),
        ] {
            let late = coverage::late_starts(store, from, to).await?;
            if which == IncompletePeriod::PreviousPeriod {
                late_previous = late.clone();
            }
            for (service_id, first) in late {
                incomplete.push(Incomplete {
                    service_id,
                    period: which,
                    data_from: first.to_string(),
                });
            }
        }
        // A previous period whose data begin late is no "previous" figure, as in the API.
        let mut previous = previous;
        coverage::drop_late(&mut previous, &late_previous);
        let mut cells = build::build(
            catalog,
            config,
            period,
            GroupBy::Service,
            &current,
            &previous,
            now,
        );
        cells.extend(
            matrix::theme_cells(store, catalog, config, period, &late_previous, now).await?,
        );
        let whole = |service: &str, which: IncompletePeriod| {
            !incomplete
                .iter()
                .any(|i| i.service_id == service && i.period == which)
        };
        let changes: Vec<Comparison> = comparisons(
            catalog,
            config.min_responses,
            &current,
            [
                (
                    Against::PreviousPeriod,
                    &previous,
                    period.previous_from,
                    period.previous_to,
                ),
                (Against::SamePeriodLastYear, &last_year, year_from, year_to),
            ],
        )
        .into_iter()
        .filter(|c| {
            let earlier = match c.against {
                Against::PreviousPeriod => IncompletePeriod::PreviousPeriod,
                Against::SamePeriodLastYear => IncompletePeriod::SamePeriodLastYear,
            };
            whole(&c.service_id, IncompletePeriod::ThisPeriod) && whole(&c.service_id, earlier)
        })
        .collect();
        let bucket = trend_bucket(period);
        let buckets = RollupQuery {
            from: period.from,
            to: period.to,
            group_by: GroupBy::Service,
            bucket,
            services: None,
        }
        .read(store)
        .await?;
        let trends = trends(catalog, config.min_responses, bucket, &buckets);

        let zone = catalog.reporting_zone();
        let (from, to) = (
            local_midnight(period.from, zone),
            local_midnight(period.to, zone),
        );
        let sla = summary::summarize_window(store, catalog, None, from, to).await?;
        let last_day = period.to.pred_opt().unwrap_or(period.to);
        let interventions = matrix::interventions(store, catalog, config, last_day).await?;
        let themes = crate::themes::gather(
            store,
            catalog,
            config.min_responses,
            services,
            period.from,
            period.to,
        )
        .await?;
        Ok(Figures {
            period: period.to_string(),
            period_from: period.from.to_string(),
            period_to: period.to.to_string(),
            previous_from: period.previous_from.to_string(),
            previous_to: period.previous_to.to_string(),
            generated_at: instant(now),
            time_zone: zone.name().to_string(),
            data_cut_off: freshness
                .latest_event_stored
                .clone()
                .unwrap_or_else(|| instant(now)),
            min_responses: config.min_responses,
            services: catalog
                .services
                .iter()
                .filter(|s| wanted(&s.id))
                .map(|s| ServiceNamed {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    name_fr: s.name_fr.clone().unwrap_or_else(|| s.name.clone()),
                    category: s.category.clone(),
                    jurisdiction: s.jurisdiction.clone(),
                    standards: s
                        .sla
                        .iter()
                        .map(|p| StandardNamed {
                            id: p.id.clone(),
                            title: p.title(Language::En).to_string(),
                            title_fr: p.title(Language::Fr).to_string(),
                            unit: p.unit.as_str().to_string(),
                        })
                        .collect(),
                    jurisdiction_name: catalog
                        .jurisdiction(&s.jurisdiction)
                        .map_or_else(|| s.jurisdiction.clone(), |j| j.name.clone()),
                    jurisdiction_name_fr: catalog
                        .jurisdiction(&s.jurisdiction)
                        .map_or_else(|| s.jurisdiction.clone(), |j| j.name_fr.clone()),
                    peers: catalog.peers(s).map(|p| p.name.clone()).collect(),
                    cost_currency: s
                        .cost(period.from, period.to)
                        .map(|(_, currency)| currency.to_string()),
                    peers_fr: catalog
                        .peers(s)
                        .map(|p| p.name_fr.clone().unwrap_or_else(|| p.name.clone()))
                        .collect(),
                })
                .collect(),
            sla_window: SlaWindow {
                from: instant(from),
                to: instant(to),
            },
            matrix: cells
                .into_iter()
                .filter(|c| wanted(&c.service_id))
                .collect(),
            changes: changes
                .into_iter()
                .filter(|c| wanted(&c.service_id))
                .collect(),
            incomplete: incomplete
                .into_iter()
                .filter(|i| wanted(&i.service_id))
                .collect(),
            turns: trends
                .iter()
                .filter(|t| wanted(&t.service_id))
                .filter_map(|t| turned(t, config.min_responses, period.from, period.to))
                .collect(),
            trends: trends
                .into_iter()
                .filter(|t| wanted(&t.service_id))
                .collect(),
            sla: sla
                .iter()
                .filter(|p| wanted(&p.service_id))
                .map(|p| SlaRecord::published(p, config))
                .collect(),
            interventions: interventions
                .into_iter()
                .filter(|i| wanted(&i.service_id) && i.date < period.to)
                .collect(),
            intervention_names: catalog
                .interventions
                .iter()
                .map(|i| InterventionNamed {
                    id: i.id.clone(),
                    name: i.name.clone(),
                    name_fr: i.name_fr.clone().unwrap_or_else(|| i.name.clone()),
                    description: i.description.clone(),
                    description_fr: i
                        .description_fr
                        .clone()
                        .unwrap_or_else(|| i.description.clone()),
                })
                .collect(),
            themes: catalog
                .themes
                .iter()
                .map(|t| ThemeNamed {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    name_fr: t.name_fr.clone(),
                })
                .collect(),
            themes_read: themes
                .into_iter()
                .filter(|t| wanted(&t.service_id))
                .collect(),
            freshness,
        })
    }
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Weeks for up to four months, months beyond: enough points to show a trend, few enough
/// to read.
pub fn trend_bucket(period: &Period) -> Bucket {
    if (period.to - period.from).num_days() <= 124 {
        Bucket::Week
    } else {
        Bucket::Month
    }
}

/// Every service's change of every judged dimension (shares and means) against each
/// earlier period.
fn comparisons(
    catalog: &Catalog,
    min_n: u64,
    current: &Slices,
    earlier: [(Against, &Slices, NaiveDate, NaiveDate); 2],
) -> Vec<Comparison> {
    let empty = Tally::default();
    let whole = |slices: &'_ Slices, id: &str| {
        slices
            .get(&(id.to_string(), build::WHOLE_SERVICE.to_string()))
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let mut rows = Vec::new();
    for service in &catalog.services {
        let now = whole(current, &service.id);
        for dimension in Dimension::all() {
            if !matches!(dimension.kind(), Kind::Share | Kind::Mean) {
                continue;
            }
            for (against, slices, from, to) in &earlier {
                let then = whole(slices, &service.id);
                if not_applicable(service, dimension, &now).is_some()
                    || not_applicable(service, dimension, &then).is_some()
                {
                    continue;
                }
                rows.push(Comparison {
                    service_id: service.id.clone(),
                    dimension: dimension.name(),
                    against: *against,
                    earlier_from: from.to_string(),
                    earlier_to: to.to_string(),
                    change: change::between(&then, &now, dimension, min_n),
                });
            }
        }
    }
    rows
}

/// Where a trend's share turned within the period, if it did by more than its noise.
fn turned(trend: &Trend, min_n: u64, from: NaiveDate, to: NaiveDate) -> Option<TurnWithin> {
    let buckets: Vec<Option<(u64, u64)>> = trend
        .points
        .iter()
        .map(|p| p.value.map(|v| ((v * p.n as f64).round() as u64, p.n)))
        .collect();
    let found = turn::turn(&buckets, min_n)?;
    // Each bucket's days inside the period: a week may start before it or end after it.
    let starts: Vec<NaiveDate> = trend
        .points
        .iter()
        .map(|p| p.start.parse().unwrap_or(from))
        .collect();
    let days = |i: usize| {
        let end = starts.get(i + 1).copied().unwrap_or(to).min(to);
        (starts[i].max(from), end)
    };
    // The days the shown buckets of one side cover: the sentence claims only those.
    let side = |range: std::ops::Range<usize>| {
        let shown: Vec<(NaiveDate, NaiveDate)> = range
            .filter(|&i| trend.points[i].value.is_some())
            .map(days)
            .collect();
        let covered: i64 = shown.iter().map(|(a, b)| (*b - *a).num_days()).sum();
        let first = shown.first()?.0;
        let last = shown.last()?.1.pred_opt()?;
        (covered >= MIN_TURN_SIDE_DAYS).then_some((first, last))
    };
    let (before_from, before_to) = side(0..found.split)?;
    let (after_from, after_to) = side(found.split..trend.points.len())?;
    Some(TurnWithin {
        service_id: trend.service_id.clone(),
        dimension: trend.dimension.clone(),
        before_from: before_from.to_string(),
        before_to: before_to.to_string(),
        after_from: after_from.to_string(),
        after_to: after_to.to_string(),
        before: found.before.value,
        before_n: found.before.n,
        after: found.after.value,
        after_n: found.after.n,
    })
}

/// The fewest days each side of a turn must cover: a turn claims weeks, not a day.
const MIN_TURN_SIDE_DAYS: i64 = 7;

/// Each service's key dimensions by bucket, with the median of its peers' figures.
fn trends(
    catalog: &Catalog,
    min_n: u64,
    bucket: Bucket,
    buckets: &matrix::read::Buckets,
) -> Vec<Trend> {
    let mut by_service: BTreeMap<&str, BTreeMap<NaiveDate, &Tally>> = BTreeMap::new();
    for ((service, start, group), tally) in buckets {
        if group == build::WHOLE_SERVICE {
            by_service.entry(service).or_default().insert(*start, tally);
        }
    }
    let starts: Vec<NaiveDate> = by_service
        .values()
        .flat_map(|b| b.keys().copied())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    // The figure of a bucket, if shown, and always the observations it rests on: a
    // withheld week still says how many it had.
    let value = |service: &civicpulse_core::catalog::Service, day: &NaiveDate, dimension| {
        let tally = by_service.get(service.id.as_str())?.get(day)?;
        if not_applicable(service, dimension, tally).is_some() {
            return None;
        }
        Some(match measure(tally, dimension, min_n) {
            Measured::Value { estimate, .. } => (Some(estimate.value), estimate.n),
            Measured::TooFew { n, .. } => (None, n),
        })
    };
    let mut trends = Vec::new();
    for service in &catalog.services {
        for dimension in KEY_DIMENSIONS {
            if dimension == Dimension::SlaCompliance && service.sla.is_empty() {
                continue;
            }
            if dimension == Dimension::DigitalTakeUp && !service.has_digital_channel() {
                continue;
            }
            let points = starts
                .iter()
                .map(|day| {
                    let own = value(service, day, dimension);
                    let peers: Vec<f64> = catalog
                        .peers(service)
                        .filter_map(|peer| value(peer, day, dimension).and_then(|(v, _)| v))
                        .collect();
                    TrendPoint {
                        start: day.to_string(),
                        value: own.and_then(|(v, _)| v),
                        n: own.map_or(0, |(_, n)| n),
                        peers: median(&peers),
                    }
                })
                .collect();
            trends.push(Trend {
                service_id: service.id.clone(),
                dimension: dimension.name(),
                bucket: match bucket {
                    Bucket::Month => "month",
                    Bucket::Day => "day",
                    _ => "week",
                },
                target: catalog.target(service, dimension),
                points,
            });
        }
    }
    trends
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_starts_at_local_midnight() {
        let day: NaiveDate = "2026-10-01".parse().unwrap();
        let toronto = local_midnight(day, chrono_tz::America::Toronto);
        assert_eq!(toronto.to_rfc3339(), "2026-10-01T04:00:00+00:00");
        assert_eq!(
            local_midnight(day, chrono_tz::UTC).to_rfc3339(),
            "2026-10-01T00:00:00+00:00"
        );
    }

    #[test]
    fn quarters_are_charted_by_week_and_years_by_month() {
        let quarter = Period::quarter(2026, 3).unwrap();
        assert_eq!(trend_bucket(&quarter), Bucket::Week);
        let year =
            Period::between("2026-01-01".parse().unwrap(), "2027-01-01".parse().unwrap()).unwrap();
        assert_eq!(trend_bucket(&year), Bucket::Month);
    }
}
