//! The report's open data as published: `report.json`, `matrix.csv` and `sla.csv` rows,
//! each built from its typed figure in one place. Names, order (the CSV columns, see
//! `open_data::MATRIX_COLUMNS`) and formats are what publishers read; they match the
//! dashboard API's rows since the first release.

use chrono::SecondsFormat;
use civicpulse_analytics::matrix::stats::Estimate;
use civicpulse_analytics::matrix::status::{judge, MatrixStatus};
use civicpulse_analytics::matrix::{self, change::Change};
use civicpulse_analytics::sla::summary;
use civicpulse_analytics::suppression;
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::dimension::Dimension;
use civicpulse_core::money;
use serde::{Serialize, Serializer};

use crate::figures::{Against, Comparison};

/// One cell of the matrix, flat as `report.json` and `matrix.csv` show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixRecord {
    pub period: String,
    pub period_from: String,
    pub period_to: String,
    pub service_id: String,
    pub service_name: String,
    pub category: String,
    pub group_by: String,
    pub group: String,
    pub dimension: String,
    pub family: String,
    /// Absent when withheld (too few observations) or not measured for this breakdown.
    pub value: Option<f64>,
    pub n: u64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub target: Option<f64>,
    /// Median of the peer services (same category) with enough data.
    pub benchmark: Option<f64>,
    pub previous_value: Option<f64>,
    pub change: Option<f64>,
    pub status: &'static str,
    /// The status as a number for colour thresholds and alert rules: 2 green, 1 amber,
    /// 0 red, −1 not judged.
    pub status_level: i64,
    /// Why a value is missing, or what an equity gap compares.
    pub note: String,
    /// When the aggregator or the API computed the cell (RFC 3339, UTC): a snapshot's
    /// shows what was known then.
    pub computed_at: String,
}

impl From<&matrix::Cell> for MatrixRecord {
    fn from(c: &matrix::Cell) -> MatrixRecord {
        MatrixRecord {
            period: c.period.clone(),
            period_from: c.period_from.to_string(),
            period_to: c.period_to.to_string(),
            service_id: c.service_id.clone(),
            service_name: c.service_name.clone(),
            category: c.category.clone(),
            group_by: c.group_by.as_str().to_string(),
            group: c.group.clone(),
            dimension: c.dimension.clone(),
            family: c.family.clone(),
            value: c.value,
            n: c.n,
            ci_low: c.ci_low,
            ci_high: c.ci_high,
            target: c.target,
            benchmark: c.benchmark,
            previous_value: c.previous_value,
            change: c.change,
            status: c.status.as_str(),
            status_level: c.status.level(),
            note: c.note.clone(),
            computed_at: c.computed_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }
}

/// One dimension of one intervention's evaluation, flat: a row of `report.json` and of the
/// dashboard API's `/api/v1/interventions`, which publish the same columns.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = InterventionRow)]
pub struct InterventionRecord {
    pub intervention_id: String,
    pub service_id: String,
    pub name: String,
    pub date: String,
    pub description: String,
    pub dimension: String,
    pub family: String,
    pub window_days: u64,
    pub before_from: Option<String>,
    pub after_to: Option<String>,
    pub before_value: Option<f64>,
    pub before_n: u64,
    pub after_value: Option<f64>,
    pub after_n: u64,
    pub change: Option<f64>,
    pub change_ci_low: Option<f64>,
    pub change_ci_high: Option<f64>,
    /// `improved`, `worsened`, `no_clear_change` (the interval includes 0),
    /// `no_interval` (a count, percentile or gap: the change is shown unjudged),
    /// `insufficient_data` or `too_early`.
    pub verdict: String,
    /// Comma-separated peer services pooled for the difference-in-differences.
    pub peers: String,
    pub peer_change: Option<f64>,
    pub did: Option<f64>,
    pub did_ci_low: Option<f64>,
    pub did_ci_high: Option<f64>,
    /// As `verdict`, or `no_peers`.
    pub did_verdict: String,
    pub note: String,
}

impl From<&matrix::InterventionRow> for InterventionRecord {
    fn from(r: &matrix::InterventionRow) -> InterventionRecord {
        InterventionRecord {
            intervention_id: r.intervention_id.clone(),
            service_id: r.service_id.clone(),
            name: r.name.clone(),
            date: r.date.to_string(),
            description: r.description.clone(),
            dimension: r.dimension.clone(),
            family: r.family.clone(),
            window_days: r.window_days,
            before_from: r.before_from.map(|d| d.to_string()),
            after_to: r.after_to.map(|d| d.to_string()),
            before_value: r.before_value,
            before_n: r.before_n,
            after_value: r.after_value,
            after_n: r.after_n,
            change: r.change,
            change_ci_low: r.change_ci_low,
            change_ci_high: r.change_ci_high,
            verdict: r.verdict.as_str().to_string(),
            peers: r.peers.join(","),
            peer_change: r.peer_change,
            did: r.did,
            did_ci_low: r.did_ci_low,
            did_ci_high: r.did_ci_high,
            did_verdict: r.did_verdict.as_str().to_string(),
            note: r.note.clone(),
        }
    }
}

/// How one standard of one service was kept over a window, as published: a row of
/// `sla.csv`, of `report.json`, of the report's tables and of the dashboard API's
/// `/api/v1/sla/summary`, which all show the same row. Figures that split fewer than k
/// closed (or open) cases are withheld by `civicpulse_analytics::suppression`, as the
/// matrix withholds them; the counts of closed and open cases are always shown.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[schema(as = PolicySummary)]
pub struct SlaRecord {
    pub service_id: String,
    pub policy: String,
    pub closed: u64,
    /// Empty when withheld (fewer closed cases than the suppression threshold).
    pub met: Option<u64>,
    pub breached: Option<u64>,
    pub compliance_ratio: Option<f64>,
    pub target_ratio: f64,
    pub p50_elapsed_days: Option<f64>,
    pub p90_elapsed_days: Option<f64>,
    pub open: u64,
    /// Empty when withheld (fewer open cases than the suppression threshold).
    pub at_risk: Option<u64>,
    pub open_breached: Option<u64>,
    pub refunds_owed: Option<u64>,
    /// What they were owed, exact; shown in major units (the field's unit since its
    /// first release) and again as `refunds_owed_minor`.
    #[serde(serialize_with = "major")]
    #[schema(value_type = Option<f64>)]
    pub refunds_owed_amount: Option<money::Money>,
    /// Closed late cases an exceptional circumstance excused: breached, owing no refund.
    pub refunds_excused: Option<u64>,
    pub currency: String,
    /// Cases whose milestones break the policy's order (e.g. a stop before any start).
    pub anomalies: u64,
    pub error_budget_remaining: Option<f64>,
    pub burn_rate_1d: Option<f64>,
    pub burn_rate_7d: Option<f64>,
    pub burn_rate_30d: Option<f64>,
    /// `refunds_owed_amount` in the currency's minor units (cents; yen have none): exact.
    /// Last, so that the CSV columns of the first release keep their positions.
    pub refunds_owed_minor: Option<i64>,
    /// What the elapsed percentiles count (`business_days`, …, or `mixed`).
    pub unit: String,
    /// Why figures of the row are withheld, if any are.
    pub note: String,
    /// The compliance judged against the target by the matrix's rules: `green`, `amber`,
    /// `red`, `insufficient_data` (withheld) or `not_available` (nothing closed).
    pub status: &'static str,
}

fn major<S: Serializer>(money: &Option<money::Money>, serializer: S) -> Result<S::Ok, S::Error> {
    match money {
        Some(money) => money::serialize_major(money, serializer),
        None => serializer.serialize_none(),
    }
}

impl SlaRecord {
    /// The published row of `s` under the matrix's suppression threshold and tolerance.
    pub fn published(s: &summary::PolicySummary, config: &MatrixConfig) -> SlaRecord {
        let min_n = config.min_responses;
        // Nothing to split, nothing to withhold: no case gives away no one.
        let closed = s.closed == 0 || !suppression::withholds(s.closed, min_n);
        let open = s.open == 0 || !suppression::withholds(s.open, min_n);
        let closed_shows = |v| closed.then_some(v);
        let mut notes = Vec::new();
        if !closed {
            notes.push(suppression::note(s.closed, "closed cases", min_n));
        }
        if !open {
            notes.push(suppression::note(s.open, "open cases", min_n));
        }
        SlaRecord {
            service_id: s.service_id.clone(),
            policy: s.policy.clone(),
            closed: s.closed,
            met: closed_shows(s.met),
            breached: closed_shows(s.breached),
            compliance_ratio: s.compliance_ratio.filter(|_| closed),
            target_ratio: s.target_ratio,
            p50_elapsed_days: s.p50_elapsed_days.filter(|_| closed),
            p90_elapsed_days: s.p90_elapsed_days.filter(|_| closed),
            open: s.open,
            at_risk: open.then_some(s.at_risk),
            open_breached: open.then_some(s.open_breached),
            refunds_owed: closed_shows(s.refunds_owed),
            refunds_owed_amount: closed.then_some(s.refunds_owed_amount),
            refunds_excused: closed_shows(s.refunds_excused),
            currency: s.currency.clone(),
            anomalies: s.anomalies,
            error_budget_remaining: closed.then_some(s.error_budget_remaining),
            burn_rate_1d: s.burn_rate_1d.filter(|_| closed),
            burn_rate_7d: s.burn_rate_7d.filter(|_| closed),
            burn_rate_30d: s.burn_rate_30d.filter(|_| closed),
            refunds_owed_minor: closed.then_some(s.refunds_owed_amount.amount_minor),
            unit: s.unit.clone(),
            note: notes.join("; "),
            status: status(s, closed, config).as_str(),
        }
    }

    /// Whether the row's figures on closed cases are withheld.
    pub fn closed_withheld(&self) -> bool {
        self.met.is_none()
    }

    /// Refunds owed, when shown and not zero.
    pub fn refunds_shown(&self) -> Option<money::Money> {
        self.refunds_owed_amount
            .filter(|_| self.refunds_owed.is_some_and(|n| n > 0))
    }
}

/// A standard's compliance judged as the matrix judges its `sla_compliance` cell.
fn status(s: &summary::PolicySummary, shown: bool, config: &MatrixConfig) -> MatrixStatus {
    if s.closed == 0 {
        return MatrixStatus::NotAvailable;
    }
    if !shown {
        return MatrixStatus::InsufficientData;
    }
    match Estimate::share(s.met, s.closed) {
        Some(estimate) => judge(
            Dimension::SlaCompliance,
            &estimate,
            Some(s.target_ratio),
            config.amber_tolerance,
        ),
        None => MatrixStatus::NotAvailable,
    }
}

/// A figure's change for one service, flat: the change's fields beside what it compares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRecord {
    pub service_id: String,
    pub dimension: String,
    pub against: Against,
    pub earlier_from: String,
    pub earlier_to: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub change: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// `improved`, `worsened`, `no_clear_change`, `no_interval` or `insufficient_data`.
    pub verdict: &'static str,
}

impl From<Comparison> for ComparisonRecord {
    fn from(c: Comparison) -> ComparisonRecord {
        let Change {
            before,
            after,
            change,
            ci_low,
            ci_high,
            verdict,
        } = c.change;
        ComparisonRecord {
            service_id: c.service_id,
            dimension: c.dimension,
            against: c.against,
            earlier_from: c.earlier_from,
            earlier_to: c.earlier_to,
            before,
            after,
            change,
            ci_low,
            ci_high,
            verdict: verdict.as_str(),
        }
    }
}

/// `Figures::matrix` as records.
pub fn matrix<S: Serializer>(cells: &[matrix::Cell], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(cells.iter().map(MatrixRecord::from))
}

/// `Figures::interventions` as records.
pub fn interventions<S: Serializer>(
    rows: &[matrix::InterventionRow],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(rows.iter().map(InterventionRecord::from))
}
