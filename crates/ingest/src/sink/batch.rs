//! A batch: the rows of consecutive Kafka messages, waiting to be written together, and the
//! offsets to commit once they are.
//!
//! A batch is written when it reaches `max_rows` messages or `max_bytes` of payload, or when
//! its first message has waited `max_wait`, whichever comes first.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use super::dead_letter::DeadLetter;
use super::rows::{CommentRow, FeedbackRow, MilestoneRow, OfferedRow, Rows};

#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    pub max_rows: usize,
    pub max_bytes: usize,
    pub max_wait: Duration,
}

/// Where a message was read: enough to commit past it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

#[derive(Debug, Default)]
pub struct Batch {
    pub feedback: Vec<FeedbackRow>,
    pub comments: Vec<CommentRow>,
    pub milestones: Vec<MilestoneRow>,
    pub offered: Vec<OfferedRow>,
    pub dead_letters: Vec<DeadLetter>,
    /// Highest offset read per (topic, partition).
    highest: BTreeMap<(String, i32), i64>,
    messages: usize,
    bytes: usize,
    opened_at: Option<Instant>,
}

impl Batch {
    pub fn add(&mut self, position: Position, bytes: usize, rows: Rows) {
        self.track(position, bytes);
        match rows {
            Rows::Feedback(row, comment) => {
                self.feedback.push(*row);
                self.comments.extend(comment);
            }
            Rows::Milestone(row) => self.milestones.push(row),
            Rows::Offered(row) => self.offered.push(row),
        }
    }

    pub fn add_dead_letter(&mut self, position: Position, bytes: usize, letter: DeadLetter) {
        self.track(position, bytes);
        self.dead_letters.push(letter);
    }

    fn track(&mut self, position: Position, bytes: usize) {
        self.opened_at.get_or_insert_with(Instant::now);
        self.messages += 1;
        self.bytes += bytes;
        let highest = self
            .highest
            .entry((position.topic, position.partition))
            .or_insert(position.offset);
        *highest = (*highest).max(position.offset);
    }

    pub fn is_empty(&self) -> bool {
        self.messages == 0
    }

    pub fn messages(&self) -> usize {
        self.messages
    }

    pub fn is_full(&self, limits: &BatchLimits) -> bool {
        self.messages >= limits.max_rows || self.bytes >= limits.max_bytes
    }

    /// When the batch must be written even if it is not full; `None` while empty.
    pub fn deadline(&self, limits: &BatchLimits) -> Option<Instant> {
        self.opened_at.map(|opened| opened + limits.max_wait)
    }

    /// The offsets to commit once the batch is stored: one past the highest read, per
    /// partition, as Kafka expects ("the next message to read").
    pub fn offsets_to_commit(&self) -> impl Iterator<Item = (&str, i32, i64)> {
        self.highest
            .iter()
            .map(|((topic, partition), offset)| (topic.as_str(), *partition, offset + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::rows::Rows;
    use civicpulse_core::Envelope;

    fn limits() -> BatchLimits {
        BatchLimits {
            max_rows: 3,
            max_bytes: 1000,
            max_wait: Duration::from_millis(500),
        }
    }

    fn milestone_rows() -> Rows {
        let envelope: Envelope = serde_json::from_value(serde_json::json!({
            "schema_version": 1, "received_at": "2026-03-10T12:00:00Z", "source": "t",
            "event": {"kind": "milestone", "event_id": "7f1c1a52-3f52-4d0e-9d4b-8a1de0f3c0a1",
                "occurred_at": "2026-03-10T11:00:00Z", "service_id": "s", "case_ref": "c",
                "milestone": "received", "channel": "web"}
        }))
        .unwrap();
        Rows::from_envelope(envelope)
    }

    fn at(partition: i32, offset: i64) -> Position {
        Position {
            topic: "t".into(),
            partition,
            offset,
        }
    }

    #[test]
    fn full_by_rows() {
        let mut batch = Batch::default();
        for offset in 0..2 {
            batch.add(at(0, offset), 10, milestone_rows());
        }
        assert!(!batch.is_full(&limits()));
        batch.add(at(0, 2), 10, milestone_rows());
        assert!(batch.is_full(&limits()));
        assert_eq!(batch.milestones.len(), 3);
    }

    #[test]
    fn full_by_bytes() {
        let mut batch = Batch::default();
        batch.add(at(0, 0), 999, milestone_rows());
        assert!(!batch.is_full(&limits()));
        batch.add(at(0, 1), 1, milestone_rows());
        assert!(batch.is_full(&limits()));
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_runs_from_the_first_message() {
        let mut batch = Batch::default();
        assert_eq!(batch.deadline(&limits()), None);
        let opened = Instant::now();
        batch.add(at(0, 0), 1, milestone_rows());
        tokio::time::advance(Duration::from_millis(300)).await;
        batch.add(at(0, 1), 1, milestone_rows());
        assert_eq!(
            batch.deadline(&limits()),
            Some(opened + Duration::from_millis(500))
        );
    }

    #[test]
    fn commits_one_past_the_highest_offset_of_each_partition() {
        let mut batch = Batch::default();
        batch.add(at(1, 7), 1, milestone_rows());
        batch.add(at(0, 4), 1, milestone_rows());
        batch.add(at(1, 9), 1, milestone_rows());
        batch.add_dead_letter(
            at(0, 5),
            1,
            DeadLetter {
                reason: "bad".into(),
                source: at(0, 5),
                key: None,
                payload: Some(b"x".to_vec()),
            },
        );
        let offsets: Vec<_> = batch.offsets_to_commit().collect();
        assert_eq!(offsets, [("t", 0, 6), ("t", 1, 10)]);
        assert_eq!(batch.messages(), 4);
    }
}
