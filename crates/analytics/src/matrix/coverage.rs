//! Whether a period's data are whole for a service: a period whose data begin after it
//! starts (the deployment started recording later, or the service joined later) holds
//! part of a period, and its first weeks hold only the fastest cases and few decisions, so
//! it is never the "previous" figure a change is measured from.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use civicpulse_store::{MatrixStore, StoreError};

use super::build::{Slices, WHOLE_SERVICE};
use super::dimensions::GroupBy;
use super::read::{Bucket, RollupQuery};

/// How many days before a period the data must already run for the period to count as
/// whole: enough for a weekend, a holiday and a quiet day or two.
pub const COVERAGE_LEAD_DAYS: u64 = 14;

/// The services whose data begin inside `[from, to)` with none in the
/// `COVERAGE_LEAD_DAYS` before it, each with its first day with data.
pub async fn late_starts(
    store: &dyn MatrixStore,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<String, NaiveDate>, StoreError> {
    let lead = from - chrono::Days::new(COVERAGE_LEAD_DAYS);
    let days = RollupQuery {
        from: lead,
        to,
        group_by: GroupBy::Service,
        bucket: Bucket::Day,
        services: None,
    }
    .read(store)
    .await?;
    let mut first: BTreeMap<String, NaiveDate> = BTreeMap::new();
    for ((service, day, group), tally) in &days {
        let recorded = tally.transactions + tally.responses + tally.cases_received + {
            let (met, breached) = tally.closed_cases();
            met + breached
        } > 0;
        if group == WHOLE_SERVICE && recorded {
            let entry = first.entry(service.clone()).or_insert(*day);
            *entry = (*entry).min(*day);
        }
    }
    Ok(first.into_iter().filter(|(_, day)| *day > from).collect())
}

/// `slices` without the services whose data begin late (`late_starts`).
pub fn drop_late(slices: &mut Slices, late: &BTreeMap<String, NaiveDate>) {
    slices.retain(|(service, _), _| !late.contains_key(service));
}
