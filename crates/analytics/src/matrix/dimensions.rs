//! Each dimension as a pure function of a tally, with small-cell suppression: a figure on
//! fewer than k observations is never returned, only how many there were.

use civicpulse_core::dimension::{Dimension, Family, Kind};

use super::stats::{histogram_percentile, Estimate};
use super::tally::{SegmentSums, Tally};
use crate::suppression::{self, withholds};

/// The rollups that carry each breakdown: a dimension not measured for a breakdown is
/// "not available" there rather than zero.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[strum(serialize_all = "snake_case")]
pub enum GroupBy {
    Service,
    Channel,
    Region,
    AgeBand,
    Disability,
    Language,
}

impl GroupBy {
    pub const ALL: [GroupBy; 6] = [
        GroupBy::Service,
        GroupBy::Channel,
        GroupBy::Region,
        GroupBy::AgeBand,
        GroupBy::Disability,
        GroupBy::Language,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(text: &str) -> Option<GroupBy> {
        text.parse().ok()
    }

    /// The rollups' `group_kind` for this breakdown.
    pub fn group_kind(self) -> &'static str {
        match self {
            GroupBy::Service => "all",
            other => other.as_str(),
        }
    }

    /// Whether the dimension can be broken down this way: transactions carry a channel
    /// but no region; cases carry channel and region; only responses carry a segment;
    /// equity gaps compare segment groups of a whole service.
    pub fn measures(self, dimension: Dimension) -> bool {
        use Dimension as D;
        match self {
            GroupBy::Service => true,
            _ if matches!(dimension.family(), Family::Equity | Family::Cost) => false,
            GroupBy::Channel => true,
            GroupBy::Region => !matches!(
                dimension,
                D::Transactions | D::SurveysOffered | D::ResponseRate | D::DigitalTakeUp
            ),
            GroupBy::AgeBand | GroupBy::Disability | GroupBy::Language => {
                dimension.rests_on_responses() && dimension != D::ResponseRate
            }
        }
    }
}

/// Why `dimension` cannot mean what it says for `service` in `tally`, if it cannot: such
/// a cell is `not_available` with this note, never a value judged against a target.
///
/// - digital take-up of a service offered through no digital channel would read 0 % and be
///   judged red against a target it could never meet;
/// - a service with no service standard has no case to meet one: its timeliness figures
///   would read "withheld, n = 0" beside a page saying it has none;
/// - a cost per transaction without the period's cost would be a guess, or 0;
/// - a response rate whose responses outnumber the recorded survey offers has a numerator
///   that is not a subset of its denominator (responses from a page widget or a link
///   arrive without an offer), so it would read above 100 % and be judged green;
/// - a completion rate whose decisions outnumber the applications received in the period
///   counts decisions on applications received before it, so it would read above 100 %,
///   be judged on target and become a peer's benchmark.
pub fn not_applicable(
    service: &civicpulse_core::catalog::Service,
    dimension: Dimension,
    tally: &Tally,
) -> Option<String> {
    match dimension {
        Dimension::DigitalTakeUp if !service.has_digital_channel() => {
            Some("the service has no digital channel".to_string())
        }
        Dimension::SlaCompliance
        | Dimension::SlaP90ElapsedDays
        | Dimension::SatisfactionWhenMet
        | Dimension::SatisfactionWhenBreached
        | Dimension::EquityGapTimeliness
            if service.sla.is_empty() =>
        {
            Some("the service has no service standard".to_string())
        }
        Dimension::CostPerTransaction if tally.cost.is_none() => {
            Some("no cost recorded in the catalog for exactly this period".to_string())
        }
        Dimension::ResponseRate if tally.responses > tally.surveys_offered => Some(format!(
            "{} responses against {} recorded survey offers: responses arrived without a \
             recorded offer, so no rate is judged",
            tally.responses, tally.surveys_offered
        )),
        Dimension::CompletionRate if tally.cases_decided > tally.cases_received => Some(format!(
            "{} decisions against {} applications received in the period: decisions include \
             applications received before it, so no rate is judged",
            tally.cases_decided, tally.cases_received
        )),
        _ => None,
    }
}

/// A dimension's figure for one tally.
#[derive(Debug, Clone, PartialEq)]
pub enum Measured {
    /// Shown; the note explains what it is built from where that is not obvious.
    Value { estimate: Estimate, note: String },
    /// Fewer than k observations: the figure is withheld.
    TooFew { n: u64, note: String },
}

impl Measured {
    pub fn estimate(&self) -> Option<&Estimate> {
        match self {
            Measured::Value { estimate, .. } => Some(estimate),
            Measured::TooFew { .. } => None,
        }
    }
}

/// The figure of `dimension` in `tally`, withheld when it rests on fewer than `min_n`
/// observations (volumes are always shown: a count identifies nobody).
pub fn measure(tally: &Tally, dimension: Dimension, min_n: u64) -> Measured {
    use Dimension as D;
    let share = |successes: u64, n: u64, what: &str| share(successes, n, what, min_n);
    match dimension {
        D::Transactions => count(tally.transactions),
        D::SurveysOffered => count(tally.surveys_offered),
        D::Responses => count(tally.responses),
        D::ResponseRate => share(tally.responses, tally.surveys_offered, "surveys offered"),
        D::Mean(question) => {
            let sums = tally.question(question);
            if withholds(sums.n, min_n) {
                return too_few(sums.n, "answers", min_n);
            }
            let estimate = Estimate::mean(sums.n, sums.sum as f64, sums.sum_of_squares as f64)
                .expect("n is positive");
            Measured::Value {
                estimate,
                note: String::new(),
            }
        }
        D::Top2Share(question) => {
            let sums = tally.question(question);
            share(sums.top2, sums.n, "answers")
        }
        D::CompletionRate => share(
            tally.cases_decided,
            tally.cases_received,
            "applications received",
        ),
        D::DigitalTakeUp => share(
            tally.digital_transactions,
            tally.transactions,
            "transactions",
        ),
        D::SlaCompliance => {
            let (met, breached) = tally.closed_cases();
            share(met, met + breached, "closed cases")
        }
        D::SlaP90ElapsedDays => {
            let (met, breached) = tally.closed_cases();
            let closed = met + breached;
            if withholds(closed, min_n) {
                return too_few(closed, "closed cases", min_n);
            }
            let histogram: Vec<(i64, u64)> = tally
                .elapsed_days
                .iter()
                .map(|(days, (m, b))| (*days, m + b))
                .collect();
            let p90 = histogram_percentile(&histogram, 0.9).expect("closed cases exist");
            Measured::Value {
                estimate: Estimate::plain(p90 as f64, closed),
                note: String::new(),
            }
        }
        D::ErrorReworkShare => share(
            tally.decisions_error_or_rework,
            tally.cases_decided,
            "decisions",
        ),
        D::EquityGapSatisfaction => equity_gap(tally, min_n, "satisfaction", |s| {
            (s.satisfaction.top2, s.satisfaction.n)
        }),
        D::EquityGapTimeliness => equity_gap(tally, min_n, "SLA compliance", |s| {
            (s.linked_met, s.linked_met + s.linked_breached)
        }),
        D::SatisfactionWhenMet => {
            let sums = tally.satisfaction_when_met;
            share(
                sums.top2,
                sums.n,
                "answers from cases that met their standard",
            )
        }
        D::SatisfactionWhenBreached => {
            let sums = tally.satisfaction_when_breached;
            share(
                sums.top2,
                sums.n,
                "answers from cases that breached their standard",
            )
        }
        D::CostPerTransaction => match tally.cost {
            Some(cost) if !withholds(tally.transactions, min_n) => Measured::Value {
                estimate: Estimate::plain(cost / tally.transactions as f64, tally.transactions),
                note: String::new(),
            },
            _ => too_few(tally.transactions, "transactions", min_n),
        },
    }
}

/// `successes` of `n` `what` (e.g. "comments") as a share with its Wilson interval, withheld
/// when it rests on fewer than `min_n`: every share of the matrix, the theme family's too.
pub fn share(successes: u64, n: u64, what: &str, min_n: u64) -> Measured {
    if withholds(n, min_n) {
        return too_few(n, what, min_n);
    }
    match Estimate::share(successes, n) {
        Some(estimate) => Measured::Value {
            estimate,
            note: String::new(),
        },
        None => too_few(n, what, min_n),
    }
}

fn count(n: u64) -> Measured {
    Measured::Value {
        estimate: Estimate::plain(n as f64, n),
        note: String::new(),
    }
}

fn too_few(n: u64, what: &str, min_n: u64) -> Measured {
    Measured::TooFew {
        n,
        note: suppression::note(n, what, min_n),
    }
}

/// The two groups an equity gap compares, as its cell's note writes them
/// (`age_band: 75_plus 0.395 vs 18_24 0.926`) and as the reports read them back to say it
/// in words; the note may go on after them (groups left out).
#[derive(Debug, Clone, PartialEq)]
pub struct GapGroups {
    pub attribute: String,
    /// The group with the lowest share, and its share.
    pub low: (String, f64),
    pub high: (String, f64),
}

impl std::fmt::Display for GapGroups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} {:.3} vs {} {:.3}",
            self.attribute, self.low.0, self.low.1, self.high.0, self.high.1
        )
    }
}

impl std::str::FromStr for GapGroups {
    type Err = String;

    fn from_str(note: &str) -> Result<GapGroups, String> {
        let bad = || format!("not an equity gap's groups: {note}");
        let (attribute, rest) = note.split_once(": ").ok_or_else(bad)?;
        let (low, high) = rest.split_once(" vs ").ok_or_else(bad)?;
        let group = |text: &str| -> Result<(String, f64), String> {
            let mut words = text.split(' ');
            let name = words.next().ok_or_else(bad)?;
            let share = words.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
            Ok((name.to_string(), share))
        };
        Ok(GapGroups {
            attribute: attribute.to_string(),
            low: group(low)?,
            high: group(high)?,
        })
    }
}

/// The largest difference between two groups of one segment attribute (age band,
/// disability, language, region) in a share, among groups with at least k observations;
/// smaller groups are left out and never named.
fn equity_gap(
    tally: &Tally,
    min_n: u64,
    what: &str,
    share_of: impl Fn(&SegmentSums) -> (u64, u64),
) -> Measured {
    let mut best: Option<(f64, String, u64)> = None;
    let mut suppressed = 0;
    let mut attributes: Vec<&str> = tally.segments.keys().map(|(a, _)| a.as_str()).collect();
    attributes.dedup();
    for attribute in attributes {
        let mut groups: Vec<(f64, &str, u64)> = Vec::new();
        for ((a, group), sums) in &tally.segments {
            if a != attribute || group.is_empty() {
                continue;
            }
            let (successes, n) = share_of(sums);
            if n == 0 {
                continue;
            }
            if withholds(n, min_n) {
                suppressed += 1;
                continue;
            }
            groups.push((successes as f64 / n as f64, group, n));
        }
        if groups.len() < 2 {
            continue;
        }
        groups.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (low, high) = (groups[0], groups[groups.len() - 1]);
        let gap = high.0 - low.0;
        if best.as_ref().is_none_or(|(b, _, _)| gap > *b) {
            let groups = GapGroups {
                attribute: attribute.to_string(),
                low: (low.1.to_string(), low.0),
                high: (high.1.to_string(), high.0),
            };
            best = Some((gap, groups.to_string(), low.2 + high.2));
        }
    }
    let suppressed_note = if suppressed > 0 {
        format!(" ({suppressed} groups under {min_n} left out)")
    } else {
        String::new()
    };
    match best {
        Some((gap, note, n)) => Measured::Value {
            estimate: Estimate::plain(gap, n),
            note: format!("{note}{suppressed_note}"),
        },
        None => Measured::TooFew {
            n: 0,
            note: format!(
                "no two groups of one segment with at least {min_n} {what} observations{suppressed_note}"
            ),
        },
    }
}

/// Whether a figure of this kind carries an interval that changes can be judged with.
pub fn has_interval(dimension: Dimension) -> bool {
    matches!(dimension.kind(), Kind::Share | Kind::Mean)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_equity_gaps_groups_read_back_from_its_note() {
        let groups = super::GapGroups {
            attribute: "age_band".into(),
            low: ("75_plus".into(), 0.395),
            high: ("18_24".into(), 0.926),
        };
        let note = format!("{groups} (2 groups under 10 left out)");
        assert_eq!(note.parse::<super::GapGroups>(), Ok(groups));
        assert!("too few answers".parse::<super::GapGroups>().is_err());
    }

    use super::*;

    #[test]
    fn breakdown_names_parse_back_and_all_lists_every_one() {
        use strum::IntoEnumIterator;
        assert_eq!(GroupBy::ALL.to_vec(), GroupBy::iter().collect::<Vec<_>>());
        for group_by in GroupBy::ALL {
            assert_eq!(GroupBy::parse(group_by.as_str()), Some(group_by));
        }
        assert_eq!(GroupBy::AgeBand.as_str(), "age_band");
        assert_eq!(GroupBy::parse("nonsense"), None);
    }
    use crate::matrix::tally::{QuestionSums, SlaOutcome};
    use civicpulse_core::dimension::Question;

    fn satisfaction(answers: &[u8]) -> [QuestionSums; 7] {
        let mut questions = [QuestionSums::default(); 7];
        questions[0] = QuestionSums::of(answers);
        questions
    }

    #[test]
    fn a_figure_on_fewer_than_k_answers_is_withheld() {
        let mut tally = Tally::default();
        tally.add_responses(SlaOutcome::Unknown, 9, satisfaction(&[5; 9]));
        let dimension = Dimension::Top2Share(Question::Satisfaction);
        match measure(&tally, dimension, 10) {
            Measured::TooFew { n, note } => {
                assert_eq!(n, 9);
                assert!(note.contains("at least 10"), "{note}");
            }
            other => panic!("shown: {other:?}"),
        }
        tally.add_responses(SlaOutcome::Unknown, 1, satisfaction(&[1]));
        let shown = measure(&tally, dimension, 10);
        assert_eq!(shown.estimate().unwrap().value, 0.9);
        // Volumes are shown however small.
        assert_eq!(
            measure(&tally, Dimension::Responses, 1000)
                .estimate()
                .unwrap()
                .value,
            10.0
        );
    }

    #[test]
    fn equity_gap_leaves_small_groups_out_and_never_names_them() {
        let mut tally = Tally::default();
        let add = |tally: &mut Tally, group: &str, answers: &[u8]| {
            tally.add_segment(
                "age_band",
                group,
                SlaOutcome::Unknown,
                answers.len() as u64,
                QuestionSums::of(answers),
            )
        };
        add(&mut tally, "25_34", &[5, 5, 5, 5, 4, 4, 4, 4, 2, 2]); // 0.8
        add(&mut tally, "75_plus", &[5, 5, 5, 4, 2, 2, 2, 2, 1, 1]); // 0.4
        add(&mut tally, "18_24", &[1, 1, 1]); // 0.0 but only 3 answers
        let gap = measure(&tally, Dimension::EquityGapSatisfaction, 10);
        let Measured::Value { estimate, note } = gap else {
            panic!("withheld: {gap:?}")
        };
        assert!((estimate.value - 0.4).abs() < 1e-12);
        assert!(note.contains("75_plus") && note.contains("25_34"), "{note}");
        assert!(
            !note.contains("18_24") && note.contains("1 groups under 10"),
            "{note}"
        );

        // With k above every group, no gap can be shown.
        assert!(matches!(
            measure(&tally, Dimension::EquityGapSatisfaction, 11),
            Measured::TooFew { .. }
        ));
    }

    #[test]
    fn breakdowns_only_offer_what_their_rollup_carries() {
        assert!(!GroupBy::Region.measures(Dimension::Transactions));
        assert!(GroupBy::Region.measures(Dimension::SlaCompliance));
        assert!(GroupBy::AgeBand.measures(Dimension::Top2Share(Question::Trust)));
        assert!(!GroupBy::AgeBand.measures(Dimension::SlaCompliance));
        assert!(!GroupBy::Channel.measures(Dimension::EquityGapSatisfaction));
        assert!(GroupBy::Service.measures(Dimension::EquityGapSatisfaction));
    }
}
