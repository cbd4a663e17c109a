//! Reads tallies from the daily rollups for a range of local days, whole or in time
//! buckets. The cost follows services × days × groups, never raw events.

use std::collections::BTreeMap;

use chrono::NaiveDate;
pub use civicpulse_store::days::Bucket;
use civicpulse_store::days::DayRange;
use civicpulse_store::{MatrixStore, StoreError};

use super::build::{Slices, WHOLE_SERVICE};
use super::dimensions::GroupBy;
use super::tally::{QuestionSums, SlaOutcome, Tally};

/// Tallies by (service id, bucket start, group value).
pub type Buckets = BTreeMap<(String, NaiveDate, String), Tally>;

/// A read of the rollups: which days, which breakdown, which services (None: all).
pub struct RollupQuery<'a> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
    pub bucket: Bucket,
    pub services: Option<&'a [String]>,
}

impl RollupQuery<'_> {
    /// The tallies of every (service, bucket, group) with data.
    pub async fn read(&self, store: &dyn MatrixStore) -> Result<Buckets, StoreError> {
        let mut buckets = Buckets::new();
        self.read_feedback(store, &mut buckets).await?;
        if self.group_by == GroupBy::Service {
            self.read_segments(store, &mut buckets).await?;
        }
        self.read_activity(store, &mut buckets).await?;
        self.read_sla(store, &mut buckets).await?;
        Ok(buckets)
    }

    /// The whole range's tallies by (service, group).
    pub async fn read_slices(&self, store: &dyn MatrixStore) -> Result<Slices, StoreError> {
        // One bucket per group from a store that buckets; a store that keeps days (the
        // in-memory one) is summed to the same tallies.
        let mut slices = Slices::new();
        for ((service, _, group), tally) in self.read(store).await? {
            let slice = slices.entry((service, group)).or_default();
            *slice += &tally;
            // The cost is the period's, set on its bucket, not a sum of days.
            slice.cost = slice.cost.or(tally.cost);
        }
        Ok(slices)
    }

    /// Whole services are keyed `all` (the rollups' group value is empty there).
    fn group_label<'a>(&self, value: &'a str) -> &'a str {
        if self.group_by == GroupBy::Service {
            WHOLE_SERVICE
        } else {
            value
        }
    }

    /// The store's view of this read.
    fn range(&self) -> DayRange<'_> {
        DayRange {
            from: self.from,
            to: self.to,
            group_kind: self.group_by.group_kind(),
            bucket: self.bucket,
            services: self.services,
        }
    }

    async fn read_feedback(
        &self,
        store: &dyn MatrixStore,
        buckets: &mut Buckets,
    ) -> Result<(), StoreError> {
        let rows = store.answer_sums(&self.range()).await?;
        for row in rows.into_iter().filter(|r| r.sums.iter().any(|&s| s > 0)) {
            let mut questions = [QuestionSums::default(); 7];
            for (i, question) in questions.iter_mut().enumerate() {
                let at = 1 + i * 4;
                *question = QuestionSums {
                    n: row.sums[at],
                    sum: row.sums[at + 1],
                    sum_of_squares: row.sums[at + 2],
                    top2: row.sums[at + 3],
                };
            }
            let group = self.group_label(&row.group_value);
            tally(buckets, &row.service_id, row.bucket, group).add_responses(
                SlaOutcome::parse(&row.sla_outcome),
                row.sums[0],
                questions,
            );
        }
        Ok(())
    }

    async fn read_segments(
        &self,
        store: &dyn MatrixStore,
        buckets: &mut Buckets,
    ) -> Result<(), StoreError> {
        let rows = store.segment_sums(&self.range()).await?;
        for row in rows.into_iter().filter(|r| r.responses > 0) {
            let satisfaction = QuestionSums {
                n: row.satisfaction[0],
                sum: row.satisfaction[1],
                sum_of_squares: row.satisfaction[2],
                top2: row.satisfaction[3],
            };
            tally(buckets, &row.service_id, row.bucket, WHOLE_SERVICE).add_segment(
                &row.group_kind,
                &row.group_value,
                SlaOutcome::parse(&row.sla_outcome),
                row.responses,
                satisfaction,
            );
        }
        Ok(())
    }

    async fn read_activity(
        &self,
        store: &dyn MatrixStore,
        buckets: &mut Buckets,
    ) -> Result<(), StoreError> {
        let rows = store.activity_sums(&self.range()).await?;
        for row in rows.into_iter().filter(|r| r.sums.iter().any(|&s| s > 0)) {
            let group = self.group_label(&row.group_value);
            let tally = tally(buckets, &row.service_id, row.bucket, group);
            tally.transactions += row.sums[0];
            tally.surveys_offered += row.sums[1];
            tally.digital_transactions += row.sums[2];
            tally.cases_received += row.sums[3];
            tally.cases_decided += row.sums[4];
            tally.decisions_error_or_rework += row.sums[5];
        }
        Ok(())
    }

    async fn read_sla(
        &self,
        store: &dyn MatrixStore,
        buckets: &mut Buckets,
    ) -> Result<(), StoreError> {
        let rows = store.closed_cases(&self.range()).await?;
        for row in rows {
            if row.met + row.breached == 0 {
                continue;
            }
            let group = self.group_label(&row.group_value);
            let tally = tally(buckets, &row.service_id, row.bucket, group);
            let entry = tally
                .elapsed_days
                .entry(i64::from(row.elapsed_days))
                .or_default();
            entry.0 += row.met;
            entry.1 += row.breached;
        }
        Ok(())
    }
}

/// The tally of a (service, bucket, group), created empty. Whole-service rows are stored
/// under `all`, whatever the rollups' empty group value.
fn tally<'a>(buckets: &'a mut Buckets, service: &str, bucket: u16, group: &str) -> &'a mut Tally {
    buckets
        .entry((
            service.to_string(),
            Bucket::start(bucket),
            group.to_string(),
        ))
        .or_default()
}
