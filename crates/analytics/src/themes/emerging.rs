//! Emerging issues: a theme (or a new phrase) that a service's comments suddenly mention far
//! more than usual. Each day's count is tested against the service's own trailing baseline
//! with a one-sided Poisson tail, P(X ≥ count | λ), where λ is the mean of the trailing days
//! (with half a comment added to the window so a theme never mentioned before still has a
//! finite surprise). A day is flagged when that probability is below `alpha` and the count
//! reaches `min_count`, so a quiet theme going from none to two is not news.
//!
//! The false-alarm rate on calm days is measured by the tests on simulated Poisson weeks.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use chrono::NaiveDate;
use civicpulse_store::tables::comment_readings::{DailyMentions, MentionKind};
use statrs::distribution::{DiscreteCDF, Poisson};

/// How a day is judged against its baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmergingRule {
    /// Days before the one tested that make its baseline.
    pub baseline_days: usize,
    /// The tail probability below which a day is flagged.
    pub alpha: f64,
    /// The fewest mentions in a day that can be flagged.
    pub min_count: u64,
}

impl Default for EmergingRule {
    fn default() -> Self {
        EmergingRule {
            baseline_days: 28,
            alpha: 0.001,
            min_count: 5,
        }
    }
}

/// One day judged.
#[derive(Debug, Clone, PartialEq)]
pub struct DayJudged {
    pub day: NaiveDate,
    pub count: u64,
    /// The baseline's mean per day.
    pub expected: f64,
    /// P(X ≥ count) under the baseline.
    pub tail_probability: f64,
    pub emerging: bool,
}

/// `count` against the trailing days `baseline` (oldest first).
pub fn judge(rule: &EmergingRule, day: NaiveDate, baseline: &[u64], count: u64) -> DayJudged {
    let days = baseline.len().max(1) as f64;
    let expected = (baseline.iter().sum::<u64>() as f64 + 0.5) / days;
    let tail_probability = if count == 0 {
        1.0
    } else {
        let poisson = Poisson::new(expected).expect("a positive mean");
        1.0 - poisson.cdf(count - 1)
    };
    DayJudged {
        day,
        count,
        expected,
        tail_probability,
        emerging: count >= rule.min_count && tail_probability < rule.alpha,
    }
}

/// The days `[from, to)`, oldest first, each with its count in `counts` (a day missing
/// there had none): the dense series [`scan`] reads, from the sparse rows a store returns.
pub fn series(
    from: NaiveDate,
    to: NaiveDate,
    counts: &[(NaiveDate, u64)],
) -> Vec<(NaiveDate, u64)> {
    let counted: std::collections::HashMap<NaiveDate, u64> = counts.iter().copied().collect();
    from.iter_days()
        .take_while(|day| *day < to)
        .map(|day| (day, counted.get(&day).copied().unwrap_or(0)))
        .collect()
}

/// Every day of `daily` (consecutive days, oldest first, one count each) that has a whole
/// baseline before it, judged.
pub fn scan(rule: &EmergingRule, daily: &[(NaiveDate, u64)]) -> Vec<DayJudged> {
    let counts: Vec<u64> = daily.iter().map(|(_, n)| *n).collect();
    daily
        .iter()
        .enumerate()
        .skip(rule.baseline_days)
        .map(|(i, (day, count))| judge(rule, *day, &counts[i - rule.baseline_days..i], *count))
        .collect()
}

/// One series of a service (a theme, a phrase, or all its comments) judged on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub service_id: String,
    pub kind: MentionKind,
    /// The theme's id, the phrase's stems, '' for all comments.
    pub key: String,
    /// The phrase as written on that day (else the key).
    pub text: String,
    pub judged: DayJudged,
}

/// The days `tested` judged for `services` (empty: all) from the stored readings, each
/// against its trailing baseline: what the API, the gauges and the report read.
pub async fn judged_stored(
    store: &dyn civicpulse_store::access::FeedbackStore,
    rule: &EmergingRule,
    services: &[String],
    zone: chrono_tz::Tz,
    tested: Range<NaiveDate>,
) -> Result<Vec<Judged>, civicpulse_store::StoreError> {
    let from = tested
        .start
        .checked_sub_days(chrono::Days::new(rule.baseline_days as u64))
        .unwrap_or(NaiveDate::MIN);
    let window = civicpulse_store::tables::comment_readings::MentionWindow {
        services,
        zone,
        from,
        tested_from: tested.start,
        to: tested.end,
        phrase_min_count: rule.min_count,
    };
    let mentions = store.daily_mentions(&window).await?;
    Ok(judge_mentions(rule, &mentions, from, tested))
}

/// Every series of `mentions` (counted from `from`) judged on each day of `tested` that has
/// a whole baseline of days with readings before it: a service's days before its first
/// reading (its first with phrases, for phrases) are no data, not days without mentions.
/// The newest day first, then by service, kind and surprise.
pub fn judge_mentions(
    rule: &EmergingRule,
    mentions: &DailyMentions,
    from: NaiveDate,
    tested: Range<NaiveDate>,
) -> Vec<Judged> {
    type Series<'a> = BTreeMap<NaiveDate, (u64, &'a str)>;
    let mut groups: BTreeMap<(&str, MentionKind, &str), Series> = BTreeMap::new();
    for m in &mentions.days {
        groups
            .entry((m.service_id.as_str(), m.kind, m.key.as_str()))
            .or_default()
            .insert(m.day, (m.count, m.text.as_str()));
    }
    let since: HashMap<&str, _> = mentions
        .since
        .iter()
        .map(|s| (s.service_id.as_str(), s))
        .collect();
    let mut out = Vec::new();
    for ((service_id, kind, key), days) in groups {
        let Some(read) = since.get(service_id) else {
            continue;
        };
        let first = match kind {
            MentionKind::Phrase => read.phrases,
            MentionKind::Theme | MentionKind::Comments => Some(read.comments),
        };
        let Some(first) = first else {
            continue;
        };
        let counts: Vec<(NaiveDate, u64)> = days.iter().map(|(d, (n, _))| (*d, *n)).collect();
        let daily = series(from.max(first), tested.end, &counts);
        for judged in scan(rule, &daily) {
            if judged.day < tested.start {
                continue;
            }
            let text = days
                .get(&judged.day)
                .map(|(_, text)| *text)
                .or_else(|| days.values().next().map(|(_, text)| *text))
                .unwrap_or(key);
            out.push(Judged {
                service_id: service_id.to_string(),
                kind,
                key: key.to_string(),
                text: text.to_string(),
                judged,
            });
        }
    }
    out.sort_by(|a, b| {
        b.judged
            .day
            .cmp(&a.judged.day)
            .then_with(|| a.service_id.cmp(&b.service_id))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| {
                a.judged
                    .tail_probability
                    .total_cmp(&b.judged.tail_probability)
            })
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

#[cfg(test)]
mod tests {
    use civicpulse_store::tables::comment_readings::{DayMentions, ReadSince};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use statrs::distribution::Poisson as PoissonDraws;

    use super::*;

    fn days(counts: &[u64]) -> Vec<(NaiveDate, u64)> {
        let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        counts
            .iter()
            .enumerate()
            .map(|(i, n)| (first + chrono::Days::new(i as u64), *n))
            .collect()
    }

    #[test]
    fn a_monday_outage_stands_out_from_a_calm_month() {
        // About 2 mentions of "can't log in" a day, then 14 on the outage's day.
        let mut counts = vec![
            2, 1, 3, 2, 2, 0, 1, 2, 3, 2, 1, 2, 2, 4, 1, 2, 2, 3, 1, 2, 2, 1, 3, 2, 2, 1, 2, 3,
        ];
        counts.extend([2, 14, 3]);
        let judged = scan(&EmergingRule::default(), &days(&counts));
        let flagged: Vec<u64> = judged
            .iter()
            .filter(|d| d.emerging)
            .map(|d| d.count)
            .collect();
        assert_eq!(flagged, [14]);
        let outage = judged.iter().find(|d| d.count == 14).unwrap();
        let window: u64 = counts[1..29].iter().sum();
        assert!(
            (outage.expected - (window as f64 + 0.5) / 28.0).abs() < 1e-9,
            "{outage:?}"
        );
        assert!(outage.tail_probability < 1e-6, "{outage:?}");
    }

    fn mentions(
        service: &str,
        kind: MentionKind,
        key: &str,
        first: NaiveDate,
        counts: &[u64],
    ) -> Vec<DayMentions> {
        counts
            .iter()
            .enumerate()
            .map(|(i, n)| DayMentions {
                service_id: service.into(),
                kind,
                key: key.into(),
                text: format!("{key} as written"),
                day: first + chrono::Days::new(i as u64),
                count: *n,
            })
            .collect()
    }

    #[test]
    fn mentions_are_judged_per_series_from_each_services_first_reading() {
        let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let day = |i: u64| first + chrono::Days::new(i);
        let calm: Vec<u64> = (0..35).map(|i| [1, 2, 1, 3][i % 4]).collect();
        let mut outage = calm.clone();
        outage[33] = 20;
        let mut days = mentions("a", MentionKind::Theme, "website-app", first, &outage);
        days.extend(mentions("a", MentionKind::Theme, "praise", first, &calm));
        days.extend(mentions(
            "a",
            MentionKind::Phrase,
            "sit pann",
            day(30),
            &[0, 0, 0, 9],
        ));
        // Service b's readings began ten days ago: no day of it has a whole baseline.
        days.extend(mentions(
            "b",
            MentionKind::Theme,
            "website-app",
            day(25),
            &[0, 0, 0, 0, 0, 0, 0, 0, 30],
        ));
        let read = DailyMentions {
            days,
            since: vec![
                ReadSince {
                    service_id: "a".into(),
                    comments: first,
                    phrases: Some(first),
                },
                ReadSince {
                    service_id: "b".into(),
                    comments: day(25),
                    phrases: Some(day(25)),
                },
            ],
        };
        let judged = judge_mentions(&EmergingRule::default(), &read, first, day(28)..day(35));
        let flagged: Vec<(&str, &str, NaiveDate, u64)> = judged
            .iter()
            .filter(|j| j.judged.emerging)
            .map(|j| {
                (
                    j.service_id.as_str(),
                    j.key.as_str(),
                    j.judged.day,
                    j.judged.count,
                )
            })
            .collect();
        assert_eq!(
            flagged,
            [
                ("a", "website-app", day(33), 20),
                ("a", "sit pann", day(33), 9)
            ]
        );
        let phrase = judged
            .iter()
            .find(|j| j.key == "sit pann" && j.judged.emerging)
            .unwrap();
        assert_eq!(phrase.text, "sit pann as written");
        // Every tested day of a's themes is judged, none of b's.
        assert_eq!(judged.iter().filter(|j| j.key == "praise").count(), 7);
        assert!(judged.iter().all(|j| j.service_id == "a"));
        // Without phrases stored yet, phrases are not judged at all.
        let mut read = read;
        read.since[0].phrases = None;
        let judged = judge_mentions(&EmergingRule::default(), &read, first, day(28)..day(35));
        assert!(judged.iter().all(|j| j.kind != MentionKind::Phrase));
    }

    #[test]
    fn a_series_fills_the_days_without_mentions() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
        assert_eq!(
            series(day(1), day(5), &[(day(2), 3), (day(4), 1), (day(9), 7)]),
            [(day(1), 0), (day(2), 3), (day(3), 0), (day(4), 1)]
        );
        assert!(series(day(5), day(5), &[]).is_empty());
    }

    #[test]
    fn a_theme_never_mentioned_before_needs_the_minimum_count() {
        let mut counts = vec![0; 28];
        counts.push(3);
        assert!(!scan(&EmergingRule::default(), &days(&counts))[0].emerging);
        counts[28] = 5;
        assert!(scan(&EmergingRule::default(), &days(&counts))[0].emerging);
    }

    /// On calm simulated months the rule flags about as often as `alpha` says, across the
    /// volumes services see; measured here so the documentation can state it.
    #[test]
    fn calm_weeks_raise_few_false_alarms() {
        let rule = EmergingRule::default();
        let mut rng = StdRng::seed_from_u64(7);
        for mean in [0.5, 2.0, 8.0, 30.0] {
            let draws = PoissonDraws::new(mean).unwrap();
            let counts: Vec<u64> = (0..20_000)
                .map(|_| rng.sample::<f64, _>(&draws) as u64)
                .collect();
            let judged = scan(&rule, &days(&counts));
            let alarms = judged.iter().filter(|d| d.emerging).count() as f64;
            let rate = alarms / judged.len() as f64;
            println!("calm days at {mean} mentions a day: {rate:.5} flagged");
            assert!(rate < 0.005, "mean {mean}: {rate} of calm days flagged");
        }
    }
}
