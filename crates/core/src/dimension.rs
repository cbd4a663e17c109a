//! The quality matrix's columns: each dimension's wire name, family, kind of figure and
//! which direction is better. Shared so that the catalog can validate its targets and the
//! API can validate `metric=` without knowing how a dimension is computed.

use std::fmt;

/// The survey questions (OMB A-11 §280), in the order `Answers::items` gives them.
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
pub enum Question {
    Satisfaction,
    Trust,
    NeedMet,
    Ease,
    TimeReasonable,
    Fair,
    HelpfulStaff,
}

impl Question {
    pub const ALL: [Question; 7] = [
        Question::Satisfaction,
        Question::Trust,
        Question::NeedMet,
        Question::Ease,
        Question::TimeReasonable,
        Question::Fair,
        Question::HelpfulStaff,
    ];

    /// The answer's field name in events and its column prefix in ClickHouse.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The lowest 1–5 answer a top-2 share counts (4 and 5): the matrix's "satisfied". The
/// rollups' SQL and the tallies read this one constant.
pub const TOP2_FROM: u8 = 4;

/// The highest 1–5 answer counted as dissatisfied (1 and 2), the top-2's mirror.
pub const BOTTOM2_TO: u8 = 2;

// Nobody is both satisfied and dissatisfied.
const _: () = assert!(BOTTOM2_TO < TOP2_FROM);

/// Whether a respondent was dissatisfied: a satisfaction answer of 1–2, or "no" to the
/// page's "was this helpful?". None when they gave neither, so there is nothing to learn
/// from. The drivers of dissatisfaction read respondents through this rule alone.
pub fn dissatisfied(satisfaction: Option<u8>, helpful: Option<bool>) -> Option<bool> {
    if satisfaction.is_none() && helpful.is_none() {
        return None;
    }
    Some(satisfaction.is_some_and(|answer| answer <= BOTTOM2_TO) || helpful == Some(false))
}

/// What sort of figure a dimension is; decides its interval and whether it has a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A count (volume): no interval, no status.
    Count,
    /// A proportion in [0, 1] with a Wilson score interval.
    Share,
    /// A mean of 1–5 answers with a normal-approximation interval.
    Mean,
    /// Whole business days (p90): no interval.
    Days,
    /// An amount of money per unit (cost per transaction): no interval.
    Money,
    /// A difference between group shares (equity gap): no interval.
    Gap,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    /// Volumes: neither more nor less is "better".
    Neutral,
}

/// One column of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Transactions,
    SurveysOffered,
    Responses,
    ResponseRate,
    /// Mean of the 1–5 answer.
    Mean(Question),
    /// Share of answers that are 4 or 5.
    Top2Share(Question),
    /// Decisions / applications received in the period (a flow ratio, not a cohort).
    CompletionRate,
    /// Share of transactions through digital channels (web, app).
    DigitalTakeUp,
    /// Share of cases closed in the period that met their standard.
    SlaCompliance,
    /// 90th percentile of elapsed days of cases closed in the period.
    SlaP90ElapsedDays,
    /// Share of decisions recorded as `error` or `rework`.
    ErrorReworkShare,
    /// Largest difference in satisfaction (share 4–5) between segment groups.
    EquityGapSatisfaction,
    /// Largest difference in SLA compliance between segment groups of respondents.
    EquityGapTimeliness,
    /// Satisfaction (share 4–5) of respondents whose case met its standard…
    SatisfactionWhenMet,
    /// …and of those whose case breached it.
    SatisfactionWhenBreached,
    /// The period's cost (from the catalog) divided by its transactions (GOV.UK's KPI).
    CostPerTransaction,
}

impl Dimension {
    /// Every dimension, in the matrix's column order.
    pub fn all() -> Vec<Dimension> {
        let mut all = vec![
            Dimension::Transactions,
            Dimension::SurveysOffered,
            Dimension::Responses,
            Dimension::ResponseRate,
        ];
        for question in Question::ALL {
            all.push(Dimension::Mean(question));
            all.push(Dimension::Top2Share(question));
        }
        all.extend([
            Dimension::CompletionRate,
            Dimension::DigitalTakeUp,
            Dimension::SlaCompliance,
            Dimension::SlaP90ElapsedDays,
            Dimension::ErrorReworkShare,
            Dimension::EquityGapSatisfaction,
            Dimension::EquityGapTimeliness,
            Dimension::SatisfactionWhenMet,
            Dimension::SatisfactionWhenBreached,
            Dimension::CostPerTransaction,
        ]);
        all
    }

    pub fn name(self) -> String {
        match self {
            Dimension::Mean(q) => format!("{}_mean", q.as_str()),
            Dimension::Top2Share(q) => format!("{}_top2_share", q.as_str()),
            other => other.fixed_name().to_string(),
        }
    }

    fn fixed_name(self) -> &'static str {
        match self {
            Dimension::Transactions => "transactions",
            Dimension::SurveysOffered => "surveys_offered",
            Dimension::Responses => "responses",
            Dimension::ResponseRate => "response_rate",
            Dimension::CompletionRate => "completion_rate",
            Dimension::DigitalTakeUp => "digital_take_up",
            Dimension::SlaCompliance => "sla_compliance",
            Dimension::SlaP90ElapsedDays => "sla_p90_elapsed_days",
            Dimension::ErrorReworkShare => "error_rework_share",
            Dimension::EquityGapSatisfaction => "equity_gap_satisfaction",
            Dimension::EquityGapTimeliness => "equity_gap_timeliness",
            Dimension::SatisfactionWhenMet => "satisfaction_when_met",
            Dimension::SatisfactionWhenBreached => "satisfaction_when_breached",
            Dimension::CostPerTransaction => "cost_per_transaction",
            Dimension::Mean(_) | Dimension::Top2Share(_) => unreachable!("named from the question"),
        }
    }

    pub fn parse(name: &str) -> Option<Dimension> {
        Dimension::all().into_iter().find(|d| d.name() == name)
    }

    /// The column group the matrix shows it under.
    pub fn family(self) -> Family {
        match self {
            Dimension::Transactions
            | Dimension::SurveysOffered
            | Dimension::Responses
            | Dimension::ResponseRate => Family::Volume,
            Dimension::Mean(_) | Dimension::Top2Share(_) => Family::Satisfaction,
            Dimension::CompletionRate | Dimension::DigitalTakeUp => Family::Completion,
            Dimension::SlaCompliance | Dimension::SlaP90ElapsedDays => Family::Timeliness,
            Dimension::ErrorReworkShare => Family::Accuracy,
            Dimension::EquityGapSatisfaction | Dimension::EquityGapTimeliness => Family::Equity,
            Dimension::SatisfactionWhenMet | Dimension::SatisfactionWhenBreached => {
                Family::FeedbackAndTiming
            }
            Dimension::CostPerTransaction => Family::Cost,
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Dimension::Transactions | Dimension::SurveysOffered | Dimension::Responses => {
                Kind::Count
            }
            Dimension::Mean(_) => Kind::Mean,
            Dimension::SlaP90ElapsedDays => Kind::Days,
            Dimension::CostPerTransaction => Kind::Money,
            Dimension::EquityGapSatisfaction | Dimension::EquityGapTimeliness => Kind::Gap,
            _ => Kind::Share,
        }
    }

    pub fn direction(self) -> Direction {
        match self.kind() {
            Kind::Count => Direction::Neutral,
            Kind::Days | Kind::Gap | Kind::Money => Direction::LowerIsBetter,
            _ if self == Dimension::ErrorReworkShare => Direction::LowerIsBetter,
            _ => Direction::HigherIsBetter,
        }
    }

    /// Whether the figure rests on survey responses, so that small-cell suppression (fewer
    /// than k responses) applies; case and transaction figures are not about people's answers
    /// but still need k observations to be shown.
    pub fn rests_on_responses(self) -> bool {
        matches!(
            self.family(),
            Family::Satisfaction | Family::Equity | Family::FeedbackAndTiming
        ) || self == Dimension::ResponseRate
    }
}

/// The column groups of the matrix; the API shows their snake-case names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub enum Family {
    Volume,
    Satisfaction,
    Completion,
    Timeliness,
    Accuracy,
    Equity,
    FeedbackAndTiming,
    Cost,
    /// What comments are about: one figure per catalog theme (`civicpulse_core::theme`),
    /// not a [`Dimension`], since the catalog names the themes.
    Themes,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_has_dimensions_and_the_names_the_api_shows() {
        use strum::IntoEnumIterator;
        let names: Vec<&str> = Family::iter().map(Family::as_str).collect();
        assert_eq!(
            names,
            [
                "volume",
                "satisfaction",
                "completion",
                "timeliness",
                "accuracy",
                "equity",
                "feedback_and_timing",
                "cost",
                "themes"
            ]
        );
        for family in Family::iter().filter(|f| *f != Family::Themes) {
            assert!(
                Dimension::all().iter().any(|d| d.family() == family),
                "{family:?}"
            );
        }
    }

    #[test]
    fn one_to_two_or_not_helpful_is_dissatisfied() {
        assert_eq!(dissatisfied(None, None), None);
        for (satisfaction, helpful, expected) in [
            (Some(1), None, true),
            (Some(2), None, true),
            (Some(3), None, false),
            (Some(5), None, false),
            (None, Some(false), true),
            (None, Some(true), false),
            (Some(5), Some(false), true),
            (Some(1), Some(true), true),
        ] {
            assert_eq!(
                dissatisfied(satisfaction, helpful),
                Some(expected),
                "{satisfaction:?} {helpful:?}"
            );
        }
    }

    #[test]
    fn names_round_trip_and_are_unique() {
        let all = Dimension::all();
        let names: std::collections::HashSet<String> = all.iter().map(|d| d.name()).collect();
        assert_eq!(names.len(), all.len());
        for dimension in all {
            assert_eq!(Dimension::parse(&dimension.name()), Some(dimension));
        }
        assert_eq!(
            Dimension::parse("trust_top2_share"),
            Some(Dimension::Top2Share(Question::Trust))
        );
        assert_eq!(Dimension::parse("happiness"), None);
    }

    #[test]
    fn lower_is_better_for_delays_errors_and_gaps() {
        assert_eq!(
            Dimension::SlaP90ElapsedDays.direction(),
            Direction::LowerIsBetter
        );
        assert_eq!(
            Dimension::ErrorReworkShare.direction(),
            Direction::LowerIsBetter
        );
        assert_eq!(
            Dimension::EquityGapTimeliness.direction(),
            Direction::LowerIsBetter
        );
        assert_eq!(
            Dimension::SlaCompliance.direction(),
            Direction::HigherIsBetter
        );
        assert_eq!(Dimension::Responses.direction(), Direction::Neutral);
    }
}
