//! SLA policies: a service standard as configuration (never code). Which milestones start
//! and stop the clock, which pairs pause it, the limit and its unit, the share of cases
//! that must meet it, and the refund owed when a case is late.

use serde::{Deserialize, Serialize};

use crate::event::{MilestoneKind, Outcome};

/// How the limit is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitUnit {
    /// Dates that are neither weekend days nor holidays of the service's calendar.
    BusinessDays,
    /// Every date.
    CalendarDays,
}

/// A pair of milestones between which the clock does not run (e.g. waiting on the citizen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockStop {
    pub pause: MilestoneKind,
    pub resume: MilestoneKind,
}

/// A milestone that also stops the clock, optionally only with a given outcome: a refused
/// passport application is decided and never dispatched, so `decided` with outcome
/// `refused` closes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopOn {
    pub milestone: MilestoneKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

impl StopOn {
    pub fn matches(&self, milestone: MilestoneKind, outcome: Option<Outcome>) -> bool {
        self.milestone == milestone && self.outcome.is_none_or(|wanted| outcome == Some(wanted))
    }
}

/// Share of the fee refunded when a case is between `min_late_days` and `max_late_days`
/// (inclusive; no maximum: open-ended) late.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundTier {
    pub min_late_days: u32,
    #[serde(default)]
    pub max_late_days: Option<u32>,
    pub percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    /// Name of the policy within its service, e.g. `processing`.
    pub id: String,
    pub start: MilestoneKind,
    pub stop: MilestoneKind,
    /// Other milestones that close a case, e.g. a refusal that is never dispatched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_stop: Vec<StopOn>,
    #[serde(default)]
    pub clock_stops: Vec<ClockStop>,
    pub limit: u32,
    pub unit: LimitUnit,
    /// Share of closed cases that must meet the standard, e.g. 0.9.
    pub target_ratio: f64,
    /// An open case this close to its limit (in the policy's unit) is at risk.
    pub at_risk_days: u32,
    #[serde(default)]
    pub fee: f64,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub refund_tiers: Vec<RefundTier>,
    /// How the standard is published (GC Service Inventory "service-std"): what only the
    /// department knows. Absent: the standard is left out of that export, and said so.
    #[serde(default)]
    pub published: Option<PublishedStandard>,
}

/// A service standard as a government publishes it, bilingual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedStandard {
    /// The department's id of the standard (`service_standard_id`).
    pub id: String,
    pub text_en: String,
    pub text_fr: String,
    /// `TML` (timeliness, the default), `ACY` (accuracy), `ACS` (access) or `OTH`.
    #[serde(default = "timeliness")]
    pub kind: String,
    /// The channel code (`ONL`, `PERSON`, `POST`, `TEL`, `EML`, `FAX`, `OTH`); absent:
    /// derived from the service's channels.
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub channel_comments_en: String,
    #[serde(default)]
    pub channel_comments_fr: String,
    #[serde(default)]
    pub comments_en: String,
    #[serde(default)]
    pub comments_fr: String,
    pub standards_targets_uri_en: String,
    pub standards_targets_uri_fr: String,
    pub performance_results_uri_en: String,
    pub performance_results_uri_fr: String,
}

fn timeliness() -> String {
    "TML".to_string()
}

impl SlaPolicy {
    /// The refund percent for a case `late_days` late (0 when on time or no tier applies).
    pub fn refund_percent(&self, late_days: u32) -> f64 {
        if late_days == 0 {
            return 0.0;
        }
        self.refund_tiers
            .iter()
            .find(|t| {
                late_days >= t.min_late_days && t.max_late_days.is_none_or(|max| late_days <= max)
            })
            .map_or(0.0, |t| t.percent)
    }

    /// Whether a milestone (with its outcome, if any) closes a case under this policy.
    pub fn stops(&self, milestone: MilestoneKind, outcome: Option<Outcome>) -> bool {
        milestone == self.stop || self.also_stop.iter().any(|s| s.matches(milestone, outcome))
    }

    /// Rejects policies that cannot be evaluated or that are ambiguous.
    pub fn check(&self) -> Result<(), String> {
        if self.start == self.stop || self.also_stop.iter().any(|s| s.milestone == self.start) {
            return Err("start and stop must be different milestones".into());
        }
        if !(0.0..=1.0).contains(&self.target_ratio) {
            return Err(format!(
                "target_ratio {} must be between 0 and 1",
                self.target_ratio
            ));
        }
        if self.fee < 0.0 {
            return Err("fee must not be negative".into());
        }
        for (i, tier) in self.refund_tiers.iter().enumerate() {
            if !(0.0..=100.0).contains(&tier.percent) {
                return Err(format!("refund tier {i}: percent must be 0 to 100"));
            }
            if tier
                .max_late_days
                .is_some_and(|max| max < tier.min_late_days)
            {
                return Err(format!(
                    "refund tier {i}: max_late_days below min_late_days"
                ));
            }
            let overlaps = self.refund_tiers[..i].iter().any(|other| {
                let other_max = other.max_late_days.unwrap_or(u32::MAX);
                let max = tier.max_late_days.unwrap_or(u32::MAX);
                tier.min_late_days <= other_max && other.min_late_days <= max
            });
            if overlaps {
                return Err(format!("refund tier {i} overlaps an earlier tier"));
            }
        }
        Ok(())
    }
}

/// A case's standing under its standard. The wire and stored names come from one place
/// (`strum`, snake case), and so do the sets that SQL filters on.
///
/// `not_started` (no start milestone yet) is **not open**: the standard's clock has not
/// started, so the case is neither counted among open cases nor re-read as the date turns
/// (its evaluation cannot change until a milestone arrives, which the watermark catches).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Status {
    NotStarted,
    OnTrack,
    AtRisk,
    Met,
    Breached,
    Withdrawn,
}

impl Status {
    /// Cases whose clock runs: not stopped, started, not withdrawn.
    pub const OPEN: [Status; 3] = [Status::OnTrack, Status::AtRisk, Status::Breached];
    /// Statuses a stopped case can have under its standard.
    pub const CLOSED: [Status; 2] = [Status::Met, Status::Breached];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The statuses as a SQL list, `'on_track', 'at_risk'`, for `status IN (…)`: the only
    /// way status names reach SQL.
    pub fn sql_list(statuses: &[Status]) -> String {
        statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Anomaly {
    /// A stop milestone earlier than the first start milestone (or with no start at all).
    StopBeforeStart,
    /// A resume milestone with no hold open.
    ResumeWithoutHold,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_come_from_one_place_and_not_started_is_not_open() {
        use strum::IntoEnumIterator;
        for status in Status::iter() {
            let wire = serde_json::to_value(status).unwrap();
            assert_eq!(wire, status.as_str(), "serde and strum agree");
            assert_eq!(status.as_str().parse::<Status>().unwrap(), status);
        }
        assert!(!Status::OPEN.contains(&Status::NotStarted));
        assert!(!Status::OPEN.contains(&Status::Withdrawn));
        assert_eq!(Status::sql_list(&Status::CLOSED), "'met', 'breached'");
    }

    fn passport() -> SlaPolicy {
        toml::from_str(
            r#"
            id = "processing"
            start = "complete"
            stop = "printed"
            clock_stops = [{ pause = "on_hold", resume = "resumed" }]
            limit = 10
            unit = "business_days"
            target_ratio = 0.9
            at_risk_days = 2
            fee = 160.0
            currency = "CAD"
            refund_tiers = [
              { min_late_days = 1, max_late_days = 10, percent = 25.0 },
              { min_late_days = 11, percent = 50.0 },
            ]
            "#,
        )
        .unwrap()
    }

    #[test]
    fn refund_tiers_apply_by_lateness() {
        let policy = passport();
        let percents: Vec<f64> = [0, 1, 10, 11, 300]
            .iter()
            .map(|d| policy.refund_percent(*d))
            .collect();
        assert_eq!(percents, [0.0, 25.0, 25.0, 50.0, 50.0]);
        assert!(policy.check().is_ok());
    }

    #[test]
    fn overlapping_tiers_and_bad_ratios_are_refused() {
        let mut policy = passport();
        policy.refund_tiers[1].min_late_days = 10;
        assert!(policy.check().unwrap_err().contains("overlaps"));
        let mut policy = passport();
        policy.target_ratio = 1.5;
        assert!(policy.check().is_err());
        let mut policy = passport();
        policy.stop = policy.start;
        assert!(policy.check().is_err());
        let mut policy = passport();
        policy.also_stop = vec![StopOn {
            milestone: policy.start,
            outcome: None,
        }];
        assert!(policy.check().is_err());
    }

    #[test]
    fn an_alternative_stop_may_require_an_outcome() {
        let mut policy = passport();
        policy.also_stop = vec![StopOn {
            milestone: MilestoneKind::Decided,
            outcome: Some(Outcome::Refused),
        }];
        assert!(policy.stops(MilestoneKind::Printed, None));
        assert!(policy.stops(MilestoneKind::Decided, Some(Outcome::Refused)));
        assert!(!policy.stops(MilestoneKind::Decided, Some(Outcome::Approved)));
        assert!(!policy.stops(MilestoneKind::Decided, None));
    }
}
