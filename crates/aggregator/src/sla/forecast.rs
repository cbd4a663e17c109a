//! The breach forecast of each service, standard and option, from the stored evaluation:
//! the open cases' due dates and the recent completions (the model is in [`super::queue`]).
//! Day limits only: a business-hours queue (a call centre) turns over within the day, and
//! its alerts are the burn rates.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use civicpulse_core::calendar::{local_date, local_midnight, Calendar};
use civicpulse_core::remission;
use civicpulse_core::sla::{LimitUnit, SlaPolicy, Status};
use civicpulse_core::{Catalog, Service};
use civicpulse_store::tables::sla_cases::{self, QueuedRow};
use clickhouse::Client;
use serde::Serialize;

use super::queue::{self, QueuedCase};

/// Business days of completions the throughput is the mean of, unless asked otherwise.
pub const DEFAULT_WINDOW: usize = 10;

/// The forecast of one service, standard and option.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// Open cases forecast to breach, and the moment the first of them does.
    pub forecast_breaches: usize,
    pub first_breach_at: Option<DateTime<Utc>>,
    /// The refunds the forecast breaches would owe, in whole cents (exact sums, and no
    /// negative zero, which an empty `f64` sum is).
    pub forecast_refund_cents: i64,
    pub currency: String,
    /// Completions per business day from tomorrow for no further case to breach.
    pub required_throughput: Option<f64>,
    pub breaches_by_due_date: Vec<(NaiveDate, usize)>,
    /// For a forecast as of the past: how many of the cases it could still judge (not
    /// already breached then) did breach. None for a forecast as of now.
    pub actual_breaches: Option<usize>,
}

/// The forecasts of every day-limit standard of `service` as of `as_of`.
pub async fn forecast_service(
    client: &Client,
    catalog: &Catalog,
    service: &Service,
    as_of: DateTime<Utc>,
    window: usize,
) -> Result<Vec<OptionForecast>, clickhouse::error::Error> {
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
        let completed = sla_cases::completions(
            client,
            &service.id,
            &policy.id,
            from,
            local_midnight(today, service.time_zone),
        )
        .await?;
        let open = sla_cases::open_at(client, &service.id, &policy.id, as_of).await?;
        for (option, rows) in by_option(policy, open) {
            let done = completed
                .iter()
                .filter(|c| policy.terms(Some(&c.service_option)).option == option)
                .map(|c| local_date(c.stopped_at, service.time_zone));
            let mu = queue::throughput(calendar, today, window, done);
            let inputs = Inputs {
                service,
                policy,
                calendar,
                option: &option,
                as_of,
                today,
            };
            out.push(inputs.forecast(&rows, mu, days.len(), backtest));
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

struct Inputs<'a> {
    service: &'a Service,
    policy: &'a SlaPolicy,
    calendar: &'a Calendar,
    option: &'a str,
    as_of: DateTime<Utc>,
    today: NaiveDate,
}

impl Inputs<'_> {
    fn forecast(
        &self,
        rows: &[QueuedRow],
        mu: f64,
        window: usize,
        backtest: bool,
    ) -> OptionForecast {
        let cases: Vec<QueuedCase> = rows
            .iter()
            .map(|row| QueuedCase {
                started_at: row.started_at,
                due_date: row.due_date,
                breached: row.due_date < self.today,
            })
            .collect();
        let f = queue::forecast(self.calendar, self.today, mu, &cases);
        let terms = self
            .policy
            .terms(Some(self.option).filter(|o| !o.is_empty()));
        let breaching = || f.completions.iter().filter(|c| c.breaches);
        let forecast_refund_cents: i64 = breaching()
            .filter_map(|c| Some((cases[c.case].due_date, c.completes_on?)))
            .map(|(due_date, completes_on)| {
                let late = match terms.unit {
                    LimitUnit::CalendarDays => (completes_on - due_date).num_days(),
                    _ => self.calendar.business_days_between(due_date, completes_on),
                };
                let percent = terms
                    .refund_tier(u32::try_from(late).unwrap_or(u32::MAX))
                    .map_or(0.0, |(_, p)| p);
                remission::refund_owed_cents(remission::cents(terms.fee), percent)
            })
            .sum();
        let first_breach_at = breaching()
            .map(|c| &rows[c.case])
            .map(|row| {
                row.due_at.unwrap_or_else(|| {
                    self.calendar
                        .end_of_business(row.due_date, self.service.time_zone)
                })
            })
            .min();
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
            throughput: mu,
            open: f.open,
            already_breached: f.already_breached,
            due_now: f.due_now,
            forecast_breaches: f.breaches,
            first_breach_at,
            forecast_refund_cents,
            currency: self.policy.currency.clone(),
            required_throughput: f.required_throughput,
            breaches_by_due_date: f.breaches_by_due_date,
            actual_breaches,
        }
    }
}
