//! Reads tallies from the daily rollups for a range of local days, whole or in time
//! buckets. The cost follows services × days × groups, never raw events.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use civicpulse_core::dimension::Question;
use clickhouse::{Client, Row};
use serde::Deserialize;

use super::build::{Slices, WHOLE_SERVICE};
use super::dimensions::GroupBy;
use super::tally::{QuestionSums, SlaOutcome, Tally};

/// How days are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// The whole range as one.
    Whole,
    Day,
    /// Weeks starting on Monday.
    Week,
    Month,
}

impl Bucket {
    fn sql(self) -> &'static str {
        match self {
            Bucket::Whole => "toDate('1970-01-01')",
            Bucket::Day => "day",
            Bucket::Week => "toMonday(day)",
            Bucket::Month => "toStartOfMonth(day)",
        }
    }
}

/// Tallies by (service id, bucket start, group value).
pub type Buckets = BTreeMap<(String, NaiveDate, String), Tally>;

/// Segment attributes compared by the equity gaps.
const SEGMENT_KINDS: &str = "('age_band', 'disability', 'language', 'region')";

#[derive(Debug, Row, Deserialize)]
struct FeedbackRead {
    service_id: String,
    bucket: u16,
    group_value: String,
    sla_outcome: String,
    /// responses, then n, sum, sum of squares, top-2 per question in `Question::ALL` order.
    sums: Vec<u64>,
}

#[derive(Debug, Row, Deserialize)]
struct SegmentRead {
    service_id: String,
    bucket: u16,
    group_kind: String,
    group_value: String,
    sla_outcome: String,
    responses: u64,
    satisfaction: Vec<u64>,
}

#[derive(Debug, Row, Deserialize)]
struct ActivityRead {
    service_id: String,
    bucket: u16,
    group_value: String,
    /// transactions, surveys offered, digital, received, decided, error or rework.
    sums: Vec<u64>,
}

#[derive(Debug, Row, Deserialize)]
struct SlaRead {
    service_id: String,
    bucket: u16,
    group_value: String,
    elapsed_days: i32,
    met: u64,
    breached: u64,
}

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
    pub async fn read(&self, client: &Client) -> Result<Buckets, clickhouse::error::Error> {
        let mut buckets = Buckets::new();
        self.read_feedback(client, &mut buckets).await?;
        if self.group_by == GroupBy::Service {
            self.read_segments(client, &mut buckets).await?;
        }
        self.read_activity(client, &mut buckets).await?;
        self.read_sla(client, &mut buckets).await?;
        Ok(buckets)
    }

    /// The whole range's tallies by (service, group).
    pub async fn read_slices(&self, client: &Client) -> Result<Slices, clickhouse::error::Error> {
        Ok(self
            .read(client)
            .await?
            .into_iter()
            .map(|((service, _, group), tally)| ((service, group), tally))
            .collect())
    }

    /// Whole services are keyed `all` (the rollups' group value is empty there).
    fn group_label<'a>(&self, value: &'a str) -> &'a str {
        if self.group_by == GroupBy::Service {
            WHOLE_SERVICE
        } else {
            value
        }
    }

    /// `WHERE` for a rollup: days, breakdown and services.
    fn filter(&self, group_kinds: &str) -> String {
        let services = if self.services.is_some() {
            " AND has(?, service_id)"
        } else {
            ""
        };
        format!("day >= toDate(?) AND day < toDate(?) AND group_kind IN {group_kinds}{services}")
    }

    fn bind(
        &self,
        mut query: clickhouse::query::Query,
        group_kind: bool,
    ) -> clickhouse::query::Query {
        query = query.bind(self.from.to_string()).bind(self.to.to_string());
        if group_kind {
            query = query.bind(self.group_by.group_kind());
        }
        if let Some(services) = self.services {
            query = query.bind(services);
        }
        query
    }

    async fn read_feedback(
        &self,
        client: &Client,
        buckets: &mut Buckets,
    ) -> Result<(), clickhouse::error::Error> {
        let sums: Vec<String> = Question::ALL
            .iter()
            .map(|q| {
                let q = q.as_str();
                format!("sum({q}_n), sum({q}_sum), sum({q}_sumsq), sum({q}_top2)")
            })
            .collect();
        let sql = format!(
            "SELECT service_id, toUInt16({bucket}) AS bucket, group_value, sla_outcome, [sum(responses), {sums}] \
             FROM matrix_feedback_daily FINAL WHERE {filter} \
             GROUP BY service_id, bucket, group_value, sla_outcome",
            bucket = self.bucket.sql(),
            sums = sums.join(", "),
            filter = self.filter("(?)"),
        );
        let rows: Vec<FeedbackRead> = self.bind(client.query(&sql), true).fetch_all().await?;
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
        client: &Client,
        buckets: &mut Buckets,
    ) -> Result<(), clickhouse::error::Error> {
        let sql = format!(
            "SELECT service_id, toUInt16({bucket}) AS bucket, group_kind, group_value, sla_outcome, sum(responses), \
               [sum(satisfaction_n), sum(satisfaction_sum), sum(satisfaction_sumsq), sum(satisfaction_top2)] \
             FROM matrix_feedback_daily FINAL WHERE {filter} \
             GROUP BY service_id, bucket, group_kind, group_value, sla_outcome",
            bucket = self.bucket.sql(),
            filter = self.filter(SEGMENT_KINDS),
        );
        let rows: Vec<SegmentRead> = self.bind(client.query(&sql), false).fetch_all().await?;
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
        client: &Client,
        buckets: &mut Buckets,
    ) -> Result<(), clickhouse::error::Error> {
        let sql = format!(
            "SELECT service_id, toUInt16({bucket}) AS bucket, group_value, \
               [sum(transactions), sum(surveys_offered), sum(digital_transactions), sum(cases_received), \
                sum(cases_decided), sum(decisions_error_or_rework)] \
             FROM matrix_activity_daily FINAL WHERE {filter} \
             GROUP BY service_id, bucket, group_value",
            bucket = self.bucket.sql(),
            filter = self.filter("(?)"),
        );
        let rows: Vec<ActivityRead> = self.bind(client.query(&sql), true).fetch_all().await?;
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
        client: &Client,
        buckets: &mut Buckets,
    ) -> Result<(), clickhouse::error::Error> {
        let sql = format!(
            "SELECT service_id, toUInt16({bucket}) AS bucket, group_value, elapsed_days, sum(met), sum(breached) \
             FROM matrix_sla_daily FINAL WHERE {filter} \
             GROUP BY service_id, bucket, group_value, elapsed_days",
            bucket = self.bucket.sql(),
            filter = self.filter("(?)"),
        );
        let rows: Vec<SlaRead> = self.bind(client.query(&sql), true).fetch_all().await?;
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
    let date =
        NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::Days::new(u64::from(bucket));
    buckets
        .entry((service.to_string(), date, group.to_string()))
        .or_default()
}
