//! The breach forecast of each service, standard and option, from the stored evaluation:
//! the open cases' starts and due dates and the recent completions (the model is in
//! [`super::queue`] and [`super::durations`]).
//! Day limits only: a business-hours queue (a call centre) turns over within the day, and
//! its alerts are the burn rates.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use civicpulse_core::calendar::{local_date, local_midnight, Calendar};
use civicpulse_core::money::Money;
use civicpulse_core::remission;
use civicpulse_core::sla::{LimitUnit, SlaPolicy, Status};
use civicpulse_core::{error_budget, Catalog, Service};
use civicpulse_store::tables::sla_cases::QueuedRow;
use civicpulse_store::{SlaStore, StoreError};

use super::durations::{BusinessDayIndex, Duration, RecentDurations};
use super::queue::{self, QueuedCase, Rate};

/// Business days of completions the throughput is the mean of, unless asked otherwise.
pub const DEFAULT_WINDOW: usize = 10;

/// The forecast of one service, standard and option.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionForecast {
    pub service_id: String,
    pub policy: String,
    /// The option ('' for a standard without options).
    pub service_option: String,
    pub as_of: DateTime<Utc>,
    /// Business days the throughput is measured over, and the throughput (completions per
    /// business day).
    pub window_business_days: usize,
    pub throughput: f64,
    pub open: usize,
    pub already_breached: usize,
    pub due_now: usize,
    /// Open cases the queue alone (first in, first out at the throughput) completes late.
    pub fifo_breaches: usize,
    /// Expected breaches of the open cases not yet breached, the queue mixed with the
    /// recent spread of durations; `forecast_breaches` is it rounded.
    pub expected_breaches: f64,
    /// Open cases forecast to breach, and the moment the first of them does.
    pub forecast_breaches: usize,
    pub first_breach_at: Option<DateTime<Utc>>,
    /// The refunds the forecast breaches would owe, each weighed by its chance and the sum
    /// rounded to the minor unit once (an expectation, so not itself a sum of refunds).
    pub forecast_refund: Money,
    pub currency: String,
    /// Completions per business day from tomorrow for no further case to breach.
    pub required_throughput: Option<f64>,
    pub breaches_by_due_date: Vec<(NaiveDate, usize)>,
    /// The forecast breaches' share of the open cases not yet breached, over the share the
    /// standard allows (1 − target ratio): above 1, this queue will spend more than its
    /// budget. None when no open case can still be judged.
    pub forecast_burn_rate: Option<f64>,
    /// For a forecast as of the past: how many of the cases it could still judge (not
    /// already breached then) did breach. None for a forecast as of now.
    pub actual_breaches: Option<usize>,
}

/// The forecasts of every day-limit standard of `service` as of `as_of`.
pub async fn forecast_service(
    store: &dyn SlaStore,
    catalog: &Catalog,
    service: &Service,
    as_of: DateTime<Utc>,
    window: usize,
) -> Result<Vec<OptionForecast>, StoreError> {
    let Some(calendar) = catalog.calendar(&service.calendar) else {
        return Ok(Vec::new());
    };
    // The throughput window and the day are the service's, whatever the standard.
    let today = local_date(as_of, service.time_zone);
    let days = queue::business_days_before(calendar, today, window);
    let from = days
        .last()
        .map_or(as_of, |first| local_midnight(*first, service.time_zone));
    let backtest = as_of < Utc::now() - chrono::Duration::days(1);
    let mut out = Vec::new();
    for policy in service
        .sla
        .iter()
        .filter(|p| p.units().all(|u| u.seconds().is_none()))
    {
        let completed = store
            .completions(
                &service.id,
                &policy.id,
                from,
                local_midnight(today, service.time_zone),
            )
            .await?;
        let open = store.open_at(&service.id, &policy.id, as_of).await?;
        // The cases due in the throughput window: whether they were late is known today.
        let due = store
            .due_between(
                &service.id,
                &policy.id,
                days.last().copied().unwrap_or(today),
                today,
            )
            .await?;
        for (option, rows) in by_option(policy, open) {
            let done = completed
                .iter()
                .filter(|c| policy.terms(Some(&c.service_option)).option == option)
                .map(|c| local_date(c.stopped_at, service.time_zone));
            let mu = queue::throughput(calendar, today, window, done);
            let fell_due: Vec<Due> = due
                .iter()
                .filter(|c| policy.terms(Some(&c.service_option)).option == option)
                .map(|c| Due {
                    started: local_date(c.started_at, service.time_zone),
                    // Still open at `as_of` (a back-test): not stopped yet, as far as it knows.
                    stopped: c
                        .stopped_at
                        .filter(|t| *t < as_of)
                        .map(|t| local_date(t, service.time_zone)),
                    due: c.due_date,
                })
                .collect();
            let inputs = Inputs {
                service,
                policy,
                calendar,
                option: &option,
                as_of,
                today,
            };
            out.push(inputs.forecast(&rows, &fell_due, mu, days.len(), backtest));
        }
    }
    Ok(out)
}

/// The open cases by the option they are judged by; every option of the policy appears,
/// so an option with no open case reports zeros rather than vanishing.
fn by_option(policy: &SlaPolicy, rows: Vec<QueuedRow>) -> BTreeMap<String, Vec<QueuedRow>> {
    let mut options: BTreeMap<String, Vec<QueuedRow>> = BTreeMap::new();
    if policy.options.is_empty() {
        options.insert(String::new(), Vec::new());
    }
    for option in &policy.options {
        options.insert(option.id.clone(), Vec::new());
    }
    for row in rows {
        let option = policy.terms(Some(&row.service_option)).option.to_string();
        options.entry(option).or_default().push(row);
    }
    options
}

/// A case that fell due in the throughput window: its clock's start, stop (none while open)
/// and due dates.
#[derive(Debug, Clone, Copy)]
struct Due {
    started: NaiveDate,
    stopped: Option<NaiveDate>,
    due: NaiveDate,
}

struct Inputs<'a> {
    service: &'a Service,
    policy: &'a SlaPolicy,
    calendar: &'a Calendar,
    option: &'a str,
    as_of: DateTime<Utc>,
    today: NaiveDate,
}

impl Inputs<'_> {
    /// The forecast of the open `rows`, from the cases that fell due in the last `window`
    /// business days (`fell_due`) and the throughput `mu` over those days.
    fn forecast(
        &self,
        rows: &[QueuedRow],
        fell_due: &[Due],
        mu: Rate,
        window: usize,
        backtest: bool,
    ) -> OptionForecast {
        let zone = self.service.time_zone;
        let starts = || {
            rows.iter()
                .map(|row| local_date(row.started_at, zone))
                .chain(fell_due.iter().map(|d| d.started))
        };
        let first = starts().min().unwrap_or(self.today);
        let last = rows
            .iter()
            .map(|row| row.due_date)
            .chain(
                fell_due
                    .iter()
                    .flat_map(|d| [d.stopped, Some(d.due)])
                    .flatten(),
            )
            .fold(self.today, NaiveDate::max);
        let index = BusinessDayIndex::new(self.calendar, first, last);
        let recent = RecentDurations::new(fell_due.iter().map(|d| {
            Duration {
                lasted: d
                    .stopped
                    .map_or(u64::MAX, |stop| index.between(d.started, stop)),
                allowed: index.between(d.started, d.due),
            }
        }));
        let judged = rows.iter().filter(|r| r.due_date >= self.today).count();
        let stretch = recent.stretch(judged, window);
        let cases: Vec<QueuedCase> = rows
            .iter()
            .map(|row| {
                let start = local_date(row.started_at, zone);
                QueuedCase {
                    started_at: row.started_at,
                    due_date: row.due_date,
                    breached: row.due_date < self.today,
                    breach_chance: recent.breach_chance(index.between(start, self.today), stretch),
                }
            })
            .collect();
        let f = queue::forecast(self.calendar, self.today, mu, &cases);
        let terms = self
            .policy
            .terms(Some(self.option).filter(|o| !o.is_empty()));
        // Each case's refund at the late days the queue gives it (at least one), weighed
        // by its chance to breach, summed in minor units.
        let forecast_refund_minor = f
            .completions
            .iter()
            .filter(|c| c.chance > 0.0)
            .filter_map(|c| Some((cases[c.case].due_date, c.completes_on?, c.chance)))
            .map(|(due_date, completes_on, chance)| {
                let late = match terms.unit {
                    LimitUnit::CalendarDays => (completes_on - due_date).num_days(),
                    _ => self.calendar.business_days_between(due_date, completes_on),
                };
                let percent = terms
                    .refund_tier(u32::try_from(late.max(1)).unwrap_or(u32::MAX))
                    .map_or(0.0, |(_, p)| p);
                chance * remission::refund_owed(terms.fee, percent).amount_minor as f64
            })
            .sum::<f64>()
            .round() as i64;
        let first_breach_at = f.first_breach.map(|case| {
            let row = &rows[case];
            row.due_at
                .unwrap_or_else(|| self.calendar.end_of_business(row.due_date, zone))
        });
        // The same burn rate as the closed cases' (the house rule), on the open ones.
        let forecast_burn_rate = error_budget::burn_rate(
            f.breaches as u64,
            (f.open - f.already_breached) as u64,
            self.policy.target_ratio,
        );
        let breached = Status::Breached.as_str();
        let actual_breaches = backtest.then(|| {
            cases
                .iter()
                .zip(rows)
                .filter(|(case, row)| !case.breached && row.status == breached)
                .count()
        });
        OptionForecast {
            service_id: self.service.id.clone(),
            policy: self.policy.id.clone(),
            service_option: self.option.to_string(),
            as_of: self.as_of,
            window_business_days: window,
            throughput: f.throughput,
            open: f.open,
            already_breached: f.already_breached,
            due_now: f.due_now,
            fifo_breaches: f.fifo_breaches,
            expected_breaches: f.expected_breaches,
            forecast_breaches: f.breaches,
            first_breach_at,
            forecast_refund: Money::new(forecast_refund_minor, terms.fee.currency),
            currency: self.policy.currency.clone(),
            required_throughput: f.required_throughput,
            breaches_by_due_date: f.breaches_by_due_date,
            forecast_burn_rate,
            actual_breaches,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` business days after (positive) or before (negative) `day`.
    fn shift(calendar: &Calendar, day: NaiveDate, n: i64) -> NaiveDate {
        let mut d = day;
        for _ in 0..n.abs() {
            loop {
                d = if n > 0 { d.succ_opt() } else { d.pred_opt() }.unwrap();
                if calendar.is_business_day(d) {
                    break;
                }
            }
        }
        d
    }

    #[test]
    fn open_cases_are_judged_by_the_cases_that_fell_due_recently_at_their_age() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalog.toml");
        let catalog = Catalog::load(std::path::Path::new(path)).unwrap();
        let service = catalog.service("passport-in-person").unwrap();
        let calendar = catalog.calendar(&service.calendar).unwrap();
        let zone = service.time_zone;
        // Monday 15 June 2026; no federal holiday from mid-May to July.
        let today: NaiveDate = "2026-06-15".parse().unwrap();
        let noon = |d: NaiveDate| local_midnight(d, zone) + chrono::Duration::hours(12);
        // Ten cases fell due on Friday 12 June, allowed 10 business days: eight stopped
        // on time after 2, 3, 4, 4, 5, 6, 7 and 8 business days, two are still open.
        let due = shift(calendar, today, -1);
        let started = shift(calendar, due, -10);
        let mut fell_due: Vec<Due> = [2, 3, 4, 4, 5, 6, 7, 8]
            .into_iter()
            .map(|d| Due {
                started,
                stopped: Some(shift(calendar, started, d)),
                due,
            })
            .collect();
        fell_due.extend([None, None].map(|stopped| Due {
            started,
            stopped,
            due,
        }));
        // Open: D 13 days old, allowed 20 (only the two late cases lasted that long: 1, though
        // the queue, at 1 a day, does it first, tomorrow, on time); C 9 days old, allowed 10
        // (likewise: 1); A 7 days old (2 of 4: 0.5); B new (2 of 10: 0.2). 2.7 expected, 3
        // forecast; the queue alone breaches only C (second, done the day after tomorrow,
        // due tomorrow). Four open cases against the 59 days (10 for the late ones) those
        // ten spent open and on time over 10 business days: no stretch.
        let open = |age: i64, allowed: i64| {
            let start = shift(calendar, today, -age);
            QueuedRow {
                service_option: "regular".into(),
                started_at: noon(start),
                due_date: shift(calendar, start, allowed),
                due_at: None,
                status: Status::OnTrack.as_str().into(),
            }
        };
        let rows = [open(13, 20), open(9, 10), open(7, 10), open(0, 10)];
        let inputs = Inputs {
            service,
            policy: &service.sla[0],
            calendar,
            option: "regular",
            as_of: noon(today),
            today,
        };
        let f = inputs.forecast(&rows, &fell_due, Rate::new(10, 10), DEFAULT_WINDOW, false);
        assert_eq!(f.throughput, 1.0);
        assert!((f.expected_breaches - 2.7).abs() < 1e-9, "{f:?}");
        assert_eq!((f.forecast_breaches, f.fifo_breaches), (3, 1));
        // 3 of 4 against the 10 % the standard allows.
        assert_eq!(f.forecast_burn_rate, Some(7.5));
        // The first breach is C's, due tomorrow at closing.
        assert_eq!(
            f.first_breach_at,
            Some(calendar.end_of_business(rows[1].due_date, zone))
        );
    }
}
