//! The remission ledger: each closed late case's remission (from the stored evaluation)
//! and the totals per fiscal year, service, standard, option and fee that a Service Fees
//! Act annual report needs.

use chrono::{DateTime, NaiveDate, Utc};
use civicpulse_core::remission::{self, LedgerCase, LedgerTotal, RemissionStatus};
use civicpulse_store::tables::sla_cases::RemissionRow;
use civicpulse_store::{SlaStore, StoreError};

/// One remission as the ledger shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Remission {
    pub fiscal_year: i32,
    pub service_id: String,
    pub policy: String,
    pub case_ref: String,
    pub service_option: String,
    pub stopped_at: Option<DateTime<Utc>>,
    pub late: i32,
    pub fee: f64,
    pub currency: String,
    /// 1-based tier, 0 when none.
    pub refund_tier: u8,
    pub refund_percent: f64,
    pub amount: f64,
    pub status: RemissionStatus,
    pub payment_due: Option<NaiveDate>,
    /// The exceptions that changed the case's result (an excused one names its own).
    pub exceptions: String,
}

/// Every remission of a service (or all) and a fiscal year (or all).
pub async fn remissions(
    store: &dyn SlaStore,
    service_id: Option<&str>,
    fiscal_year: Option<u16>,
) -> Result<Vec<Remission>, StoreError> {
    let rows = store.remissions(service_id, fiscal_year).await?;
    Ok(rows.into_iter().filter_map(to_remission).collect())
}

/// A stored row as a remission; a status this version does not know is left out, and so
/// is a late case that owes no refund (a row evaluated before that rule): a breach, not a
/// remission line.
fn to_remission(row: RemissionRow) -> Option<Remission> {
    if !remission::is_remission(remission::cents(row.fee), row.refund_percent) {
        return None;
    }
    Some(Remission {
        status: row.remission.parse().ok()?,
        fiscal_year: i32::from(row.fiscal_year),
        service_id: row.service_id,
        policy: row.policy,
        case_ref: row.case_ref,
        service_option: row.service_option,
        stopped_at: row.stopped_at,
        late: row.late_days,
        fee: row.fee,
        currency: row.currency,
        refund_tier: row.refund_tier,
        refund_percent: row.refund_percent,
        amount: row.refund_amount,
        payment_due: row.payment_due,
        exceptions: row.exceptions,
    })
}

/// The ledger's totals of `remissions`, amounts in cents (exact sums).
pub fn totals(remissions: &[Remission]) -> Vec<LedgerTotal> {
    let cases: Vec<LedgerCase> = remissions
        .iter()
        .map(|r| LedgerCase {
            fiscal_year: r.fiscal_year,
            service_id: r.service_id.clone(),
            policy: r.policy.clone(),
            service_option: r.service_option.clone(),
            currency: r.currency.clone(),
            fee_cents: remission::cents(r.fee),
            amount_cents: remission::cents(r.amount),
            status: r.status,
        })
        .collect();
    remission::totals(&cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fee: f64, tier: u8, percent: f64, amount: f64, status: &str) -> RemissionRow {
        RemissionRow {
            service_id: "on-driver-licence-renewal".into(),
            policy: "card-mailed".into(),
            case_ref: "R-1".into(),
            service_option: String::new(),
            currency: "CAD".into(),
            fee,
            refund_tier: tier,
            refund_percent: percent,
            refund_amount: amount,
            late_days: 4,
            remission: status.into(),
            fiscal_year: 2026,
            payment_due: None,
            stopped_at: None,
            exceptions: String::new(),
        }
    }

    #[test]
    fn a_stored_late_case_owing_nothing_is_no_remission_line() {
        // Rows as an evaluation before the rule stored them: a standard with a fee but no
        // tiers, and one with tiers but no fee.
        assert_eq!(to_remission(row(90.0, 0, 0.0, 0.0, "owed")), None);
        assert_eq!(to_remission(row(0.0, 1, 25.0, 0.0, "owed")), None);
        let owed = to_remission(row(160.0, 1, 25.0, 40.0, "owed")).expect("a remission");
        let excused = to_remission(row(160.0, 1, 25.0, 0.0, "excused")).expect("excused");
        let totals = totals(&[owed, excused]);
        assert_eq!(totals.len(), 1);
        assert_eq!(
            (totals[0].cases, totals[0].owed_cents, totals[0].excused),
            (2, 4_000, 1)
        );
    }
}
