//! Deciding when the group has partitions nobody reads: the pure rule, apart from Kafka.
//!
//! A group coordinator should move a dead member's partitions to the survivors; tansu 0.6
//! sometimes hands a survivor only its own partitions back, and the dead member's are then
//! never read (nothing is lost: their offsets stay uncommitted), and a member has been seen
//! assigned partitions it then never fetched. A sink that sees a partition with messages
//! waiting (lag > 0) whose committed offset has not moved for `stall_after` forces a
//! rebalance by leaving and rejoining the group — at most once per `stall_after`.
//!
//! A ClickHouse outage stalls every member alike; it causes at most one rebalance per
//! `stall_after`, which only makes the members re-read what they had not committed.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One partition of the group's topics as measured now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionLag {
    pub topic: String,
    pub partition: i32,
    /// The group's committed offset (the low watermark when nothing was committed yet).
    pub committed: i64,
    /// Messages between the committed offset and the end of the partition.
    pub lag: i64,
}

/// What the detector concluded from one measurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Healthy,
    /// Partitions with messages waiting and no commit for the stall time: rejoin the group.
    Rebalance {
        stalled: Vec<(String, i32)>,
    },
}

/// Remembers when each partition's committed offset last moved.
#[derive(Debug)]
pub struct StallDetector {
    stall_after: Duration,
    /// Partition → (committed offset, when it was first seen at that offset).
    seen: HashMap<(String, i32), (i64, Instant)>,
    last_rebalance: Option<Instant>,
}

impl StallDetector {
    pub fn new(stall_after: Duration) -> Self {
        StallDetector {
            stall_after,
            seen: HashMap::new(),
            last_rebalance: None,
        }
    }

    /// Takes one measurement made at `now`.
    pub fn observe(&mut self, now: Instant, partitions: &[PartitionLag]) -> Verdict {
        let mut stalled = Vec::new();
        for p in partitions {
            let key = (p.topic.clone(), p.partition);
            let since = match self.seen.get(&key) {
                Some(&(offset, since)) if offset == p.committed => since,
                _ => {
                    self.seen.insert(key, (p.committed, now));
                    now
                }
            };
            if p.lag > 0 && now.duration_since(since) >= self.stall_after {
                stalled.push((p.topic.clone(), p.partition));
            }
        }
        let cooled_down = self
            .last_rebalance
            .is_none_or(|at| now.duration_since(at) >= self.stall_after);
        if stalled.is_empty() || !cooled_down {
            return Verdict::Healthy;
        }
        self.last_rebalance = Some(now);
        // The rejoin reassigns partitions: their clocks start again from it.
        self.seen.clear();
        Verdict::Rebalance { stalled }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STALL: Duration = Duration::from_secs(30);

    fn partition(partition: i32, committed: i64, lag: i64) -> PartitionLag {
        PartitionLag {
            topic: "t".into(),
            partition,
            committed,
            lag,
        }
    }

    #[test]
    fn an_unread_partition_of_another_member_forces_one_rebalance_after_the_stall_time() {
        let mut detector = StallDetector::new(STALL);
        let start = Instant::now();
        let at = |secs| start + Duration::from_secs(secs);
        let measure = |mine: i64| [partition(0, mine, 0), partition(1, 100, 50)];
        for secs in (0..30).step_by(5) {
            assert_eq!(
                detector.observe(at(secs), &measure(secs as i64)),
                Verdict::Healthy
            );
        }
        assert_eq!(
            detector.observe(at(30), &measure(30)),
            Verdict::Rebalance {
                stalled: vec![("t".into(), 1)]
            }
        );
        // Not again before another stall time has passed since.
        // The rejoin restarts the clocks, from the next measurement on.
        for secs in (35..65).step_by(5) {
            assert_eq!(
                detector.observe(at(secs), &measure(secs as i64)),
                Verdict::Healthy
            );
        }
        assert!(matches!(
            detector.observe(at(65), &measure(65)),
            Verdict::Rebalance { .. }
        ));
    }

    #[test]
    fn partitions_that_advance_or_have_nothing_waiting_are_fine() {
        let mut detector = StallDetector::new(STALL);
        let start = Instant::now();
        for secs in (0..120).step_by(5) {
            let now = start + Duration::from_secs(secs);
            let partitions = [partition(0, secs as i64, 5), partition(1, 7, 0)];
            assert_eq!(
                detector.observe(now, &partitions),
                Verdict::Healthy,
                "at {secs}s"
            );
        }
    }

    #[test]
    fn its_own_partitions_stalled_make_a_sink_rejoin_too() {
        // Assigned but never fetched (seen on tansu): rejoining is the remedy as well.
        let mut detector = StallDetector::new(STALL);
        let start = Instant::now();
        let partitions = [partition(0, 10, 5)];
        for secs in (0..30).step_by(5) {
            let now = start + Duration::from_secs(secs);
            assert_eq!(detector.observe(now, &partitions), Verdict::Healthy);
        }
        let now = start + Duration::from_secs(30);
        assert!(matches!(
            detector.observe(now, &partitions),
            Verdict::Rebalance { .. }
        ));
    }
}
