//! `matrix_feedback_daily`: survey answers by service, local day, breakdown group and the
//! linked case's SLA outcome — sums per question, so means, shares and intervals follow.

use civicpulse_core::dimension::{Question, TOP2_FROM};
use civicpulse_core::sla::Status;
use civicpulse_core::EventKind;
use clickhouse::{Client, Row};
use serde::Deserialize;

use super::{feedback, sla_cases, superseded_events, Engine, Table};
use crate::days::DayRange;
use crate::days::DaySlice;

pub const NAME: &str = "matrix_feedback_daily";

/// Sharded by `service_id`: per-service state, read and rewritten a service at a time.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(service_id)",
    engine: Engine::ReplacingMergeTree { version: "version" },
    views: &[],
};

/// Up to this many days, a refresh joins only the cases answered on them.
const FEW_DAYS: usize = 7;

/// Segment attributes compared by the equity gaps.
const SEGMENT_KINDS: &str = "('age_band', 'disability', 'language', 'region')";

/// Recomputes the slice's days from the deduplicated responses, inside ClickHouse.
pub async fn refresh(
    client: &Client,
    slice: &DaySlice<'_>,
) -> Result<(), clickhouse::error::Error> {
    let questions: Vec<String> = Question::ALL
        .iter()
        .map(|q| {
            let q = q.as_str();
            format!(
                "countIf(isNotNull({q})), sum(toUInt64(ifNull({q}, 0))), \
                 sum(toUInt64(ifNull({q}, 0)) * toUInt64(ifNull({q}, 0))), countIf(ifNull({q}, 0) >= {TOP2_FROM})"
            )
        })
        .collect();
    let on_days = slice.on_days();
    // A few days (the usual incremental run): join only the cases answered on them, so
    // the joined table stays small. Many days (a rebuild): most cases are answered
    // anyway, and gathering their references would cost more than it saves.
    let only_answered = slice.days.len() <= FEW_DAYS;
    let answered_cases = if only_answered {
        format!(
            "AND case_ref IN (SELECT case_ref FROM {feedback} WHERE {on_days})",
            feedback = feedback::NAME
        )
    } else {
        String::new()
    };
    // Both joined subqueries carry an alias: ClickHouse ≥ 20 refuses an unnamed one
    // (`joined_subquery_requires_alias`), 18.16 accepts either.
    let sql = format!(
        "INSERT INTO {NAME} \
         SELECT service_id, day, grp.1 AS group_kind, grp.2 AS group_value, sla_outcome, count(), {questions}, ? \
         FROM ( \
           SELECT *, arrayJoin([('all', ''), ('channel', channel), ('region', region), ('age_band', age_band), \
               ('disability', multiIf(isNull(disability), '', disability = 1, 'yes', 'no')), ('language', language)]) AS grp \
           FROM ( \
             SELECT *, toDate(occurred_at, ?) AS day FROM {feedback} FINAL WHERE {on_days} AND {live_feedback}) AS answered \
           ANY LEFT JOIN ( \
             SELECT case_ref, outcome AS sla_outcome FROM ( \
               SELECT case_ref, argMax(status, written_at) AS outcome, \
                 argMax(isNotNull(stopped_at), written_at) AS closed \
               FROM {sla_cases} \
               WHERE service_id = ? AND policy = ? AND case_ref != '' {answered_cases} \
               GROUP BY case_ref) \
             WHERE closed = 1 AND outcome IN ({closed})) AS outcomes \
           USING case_ref) \
         GROUP BY service_id, day, group_kind, group_value, sla_outcome",
        questions = questions.join(", "),
        feedback = feedback::NAME,
        sla_cases = sla_cases::NAME,
        live_feedback = superseded_events::live_rows(EventKind::Feedback),
        closed = Status::sql_list(&Status::CLOSED),
    );
    let query = client.query(&sql).bind(slice.version).bind(slice.zone());
    let mut query = slice
        .bind_on_days(query)
        .bind(&slice.service.id)
        .bind(slice.policy());
    if only_answered {
        query = slice.bind_on_days(query);
    }
    query.execute().await?;
    slice
        .zero_vanished(client, NAME, "group_kind, group_value, sla_outcome")
        .await
}

/// A bucket's answers for one group and SLA outcome.
#[derive(Clone, Debug, Row, Deserialize)]
pub struct AnswerSums {
    pub service_id: String,
    /// The bucket's first day, in days since 1970-01-01.
    pub bucket: u16,
    pub group_value: String,
    pub sla_outcome: String,
    /// responses, then n, sum, sum of squares, top-2 per question in `Question::ALL` order.
    pub sums: Vec<u64>,
}

/// The answers of the range's breakdown, by bucket, group and SLA outcome.
pub async fn answer_sums(
    client: &Client,
    range: &DayRange<'_>,
) -> Result<Vec<AnswerSums>, clickhouse::error::Error> {
    let sums: Vec<String> = Question::ALL
        .iter()
        .map(|q| {
            let q = q.as_str();
            format!("sum({q}_n), sum({q}_sum), sum({q}_sumsq), sum({q}_top2)")
        })
        .collect();
    let sql = format!(
        "SELECT service_id, toUInt16({bucket}) AS bucket, group_value, sla_outcome, [sum(responses), {sums}] \
         FROM {NAME} FINAL WHERE {filter} \
         GROUP BY service_id, bucket, group_value, sla_outcome",
        bucket = range.bucket.sql(),
        sums = sums.join(", "),
        filter = range.filter("(?)"),
    );
    range.bind(client.query(&sql), true).fetch_all().await
}

/// A bucket's satisfaction answers for one segment group (every segment kind at once).
#[derive(Clone, Debug, Row, Deserialize)]
pub struct SegmentSums {
    pub service_id: String,
    pub bucket: u16,
    pub group_kind: String,
    pub group_value: String,
    pub sla_outcome: String,
    pub responses: u64,
    /// n, sum, sum of squares, top-2.
    pub satisfaction: Vec<u64>,
}

/// Satisfaction by segment group, for the equity gaps of whole services.
pub async fn segment_sums(
    client: &Client,
    range: &DayRange<'_>,
) -> Result<Vec<SegmentSums>, clickhouse::error::Error> {
    let sql = format!(
        "SELECT service_id, toUInt16({bucket}) AS bucket, group_kind, group_value, sla_outcome, sum(responses), \
           [sum(satisfaction_n), sum(satisfaction_sum), sum(satisfaction_sumsq), sum(satisfaction_top2)] \
         FROM {NAME} FINAL WHERE {filter} \
         GROUP BY service_id, bucket, group_kind, group_value, sla_outcome",
        bucket = range.bucket.sql(),
        filter = range.filter(SEGMENT_KINDS),
    );
    range.bind(client.query(&sql), false).fetch_all().await
}
