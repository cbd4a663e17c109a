//! How each service standard is kept over a window: the figures of
//! `/api/v1/sla/summary`, the SLA gauges and the reports, computed once.
//!
//! - compliance_ratio = met / closed;
//! - error_budget_remaining and burn_rate_Nd (cases stopped in the N days before `to`) as
//!   `civicpulse_core::error_budget` defines them.

use chrono::{DateTime, Utc};
use civicpulse_core::horizon::days_before;
use civicpulse_core::money::Money;
use civicpulse_core::{error_budget, Catalog};
use civicpulse_store::tables::sla_cases::{SummaryRow, SummaryWindow};
use civicpulse_store::{SlaStore, StoreError};

/// How one standard of one service was kept over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySummary {
    pub service_id: String,
    pub policy: String,
    pub closed: u64,
    pub met: u64,
    pub breached: u64,
    pub compliance_ratio: Option<f64>,
    pub target_ratio: f64,
    /// Median time on the clock of the closed cases, in `unit` (the name keeps its first
    /// unit, days).
    pub p50_elapsed_days: Option<f64>,
    /// 90th percentile of the same, in `unit`.
    pub p90_elapsed_days: Option<f64>,
    pub open: u64,
    pub at_risk: u64,
    pub open_breached: u64,
    pub refunds_owed: u64,
    /// What they were owed, exact, in the policy's currency.
    pub refunds_owed_amount: Money,
    /// Closed late cases an exceptional circumstance excused: breached, owing no refund.
    pub refunds_excused: u64,
    /// The policy's ISO 4217 code (also `refunds_owed_amount`'s).
    pub currency: String,
    /// Cases whose milestones break the policy's order (e.g. a stop before any start).
    pub anomalies: u64,
    pub error_budget_remaining: f64,
    pub burn_rate_1d: Option<f64>,
    pub burn_rate_7d: Option<f64>,
    pub burn_rate_30d: Option<f64>,
    /// What `p50_elapsed_days` and `p90_elapsed_days` count: the standard's unit
    /// (`business_days`, `calendar_days`, `business_hours`, `business_minutes`), or `mixed`
    /// when its options count in different units (the percentiles then mix them).
    pub unit: String,
}

/// The summary of every policy (or one service's) for cases closed in [from, to); burn
/// windows end at `to`.
pub async fn summarize_window(
    store: &dyn SlaStore,
    catalog: &Catalog,
    service_id: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<PolicySummary>, StoreError> {
    let window = SummaryWindow {
        from,
        to,
        since_1d: days_before(to, 1),
        since_7d: days_before(to, 7),
        since_30d: days_before(to, 30),
        service_id,
    };
    let rows = store.summary(&window).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| summarize(catalog, row))
        .collect())
}

/// Adds the policy's target and derived ratios; rows of policies no longer in the catalog
/// are left out.
fn summarize(catalog: &Catalog, row: SummaryRow) -> Option<PolicySummary> {
    let policy = catalog
        .service(&row.service_id)?
        .sla
        .iter()
        .find(|p| p.id == row.policy)?;
    let target = policy.target_ratio;
    let refunds_owed_amount =
        Money::from_ten_thousandths(row.refunds_owed_ten_thousandths, policy.currency());
    let burn = |breached: u64, closed: u64| error_budget::burn_rate(breached, closed, target);
    let unit = if policy.units().all(|u| u == policy.unit) {
        policy.unit.as_str().to_string()
    } else {
        "mixed".to_string()
    };
    Some(PolicySummary {
        unit,
        compliance_ratio: error_budget::ratio(row.met, row.closed),
        target_ratio: policy.target_ratio,
        p50_elapsed_days: (row.closed > 0).then_some(row.p50),
        p90_elapsed_days: (row.closed > 0).then_some(row.p90),
        error_budget_remaining: error_budget::remaining(row.breached, row.closed, target),
        burn_rate_1d: burn(row.breached_1d, row.closed_1d),
        burn_rate_7d: burn(row.breached_7d, row.closed_7d),
        burn_rate_30d: burn(row.breached_30d, row.closed_30d),
        currency: policy.currency.clone(),
        service_id: row.service_id,
        policy: row.policy,
        closed: row.closed,
        met: row.met,
        breached: row.breached,
        open: row.open,
        at_risk: row.at_risk,
        open_breached: row.open_breached,
        refunds_owed: row.refunds_owed,
        refunds_owed_amount,
        anomalies: row.anomalies,
        refunds_excused: row.excused,
    })
}
