//! SLA policies: a service standard as configuration (never code). Which milestones start
//! and stop the clock, which pairs pause it, the limit and its unit, the share of cases
//! that must meet it, and the refund owed when a case is late. A standard may offer service
//! options (regular, express, urgent), each with its own limit, fee and refund tiers, and a
//! daily cut-off after which an application counts from the next business day.

use serde::{Deserialize, Serialize};

use crate::config::Language;
use crate::event::{MilestoneKind, Outcome};
use crate::money::{self, Currency, Money};
use crate::opening_hours::TimeOfDay;

/// How the limit is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitUnit {
    /// Dates that are neither weekend days nor holidays of the service's calendar.
    BusinessDays,
    /// Every date.
    CalendarDays,
    /// Time inside the calendar's opening hours, in whole hours (a started hour counts).
    BusinessHours,
    /// Time inside the calendar's opening hours, in whole minutes (a started minute counts).
    BusinessMinutes,
}

impl LimitUnit {
    /// Seconds in one unit, for units counted in opening time; none for day units.
    pub fn seconds(self) -> Option<i64> {
        match self {
            LimitUnit::BusinessHours => Some(3600),
            LimitUnit::BusinessMinutes => Some(60),
            LimitUnit::BusinessDays | LimitUnit::CalendarDays => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LimitUnit::BusinessDays => "business_days",
            LimitUnit::CalendarDays => "calendar_days",
            LimitUnit::BusinessHours => "business_hours",
            LimitUnit::BusinessMinutes => "business_minutes",
        }
    }
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
    /// Service options a case may start with (`service_option` on its milestones), each
    /// with its own limit, fee and tiers. None: every case is judged by the fields above.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ServiceOption>,
    /// The option of a case that names none; absent: the policy's own limit, fee and tiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_option: Option<String>,
    /// Local time after which a start counts from the next business day (day limits only).
    /// A start at the cut-off's exact second still counts that day ("by 15:00").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cutoff: Option<TimeOfDay>,
    /// How the standard is published (GC Service Inventory "service-std"): what only the
    /// department knows. Absent: the standard is left out of that export, and said so.
    #[serde(default)]
    pub published: Option<PublishedStandard>,
    /// What a report calls the standard, in English and French; absent: its published text,
    /// else its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_fr: Option<String>,
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

/// One service option of a standard: what is not given is the policy's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceOption {
    pub id: String,
    pub limit: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<LimitUnit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_risk_days: Option<u32>,
    /// The whole fee of the option (e.g. the regular fee plus the express surcharge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_tiers: Option<Vec<RefundTier>>,
    /// The option's own cut-off (urgent service often has an earlier one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cutoff: Option<TimeOfDay>,
}

/// What one case is judged by: its option's limit, unit, fee and tiers.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms<'a> {
    /// The option's id; empty for a policy without options.
    pub option: &'a str,
    pub limit: u32,
    pub unit: LimitUnit,
    pub at_risk: u32,
    /// The fee in the policy's currency, exact: refunds are computed from it.
    pub fee: Money,
    pub refund_tiers: &'a [RefundTier],
    pub cutoff: Option<TimeOfDay>,
    /// The case named an option the policy does not offer (it is judged by the default).
    pub unknown_option: bool,
}

impl Terms<'_> {
    /// The refund tier (1-based) and percent for a case `late` units late; none when on
    /// time or no tier applies.
    pub fn refund_tier(&self, late: u32) -> Option<(u8, f64)> {
        if late == 0 {
            return None;
        }
        self.refund_tiers
            .iter()
            .position(|t| late >= t.min_late_days && t.max_late_days.is_none_or(|max| late <= max))
            .map(|i| {
                (
                    u8::try_from(i + 1).unwrap_or(u8::MAX),
                    self.refund_tiers[i].percent,
                )
            })
    }
}

impl SlaPolicy {
    /// The standard as a reader is told of it: its name, else its published text, else its
    /// id.
    pub fn title(&self, lang: Language) -> &str {
        let (name, published) = match lang {
            Language::Fr => (&self.name_fr, self.published.as_ref().map(|p| &p.text_fr)),
            Language::En => (&self.name, self.published.as_ref().map(|p| &p.text_en)),
        };
        name.as_deref()
            .or(published.map(String::as_str))
            .unwrap_or(&self.id)
    }

    /// The terms of a case that started with `option`: the option's own, the default
    /// option's when it names none, or one the policy lacks (then flagged).
    pub fn terms(&self, option: Option<&str>) -> Terms<'_> {
        let named = option.filter(|o| !o.is_empty());
        let found = named.and_then(|id| self.options.iter().find(|o| o.id == id));
        let unknown_option = named.is_some() && found.is_none();
        let chosen = found.or_else(|| {
            let default = self.default_option.as_deref()?;
            self.options.iter().find(|o| o.id == default)
        });
        let currency = self.currency();
        match chosen {
            Some(o) => Terms {
                option: &o.id,
                limit: o.limit,
                unit: o.unit.unwrap_or(self.unit),
                at_risk: o.at_risk_days.unwrap_or(self.at_risk_days),
                fee: Money::from_major(o.fee.unwrap_or(self.fee), currency),
                refund_tiers: o.refund_tiers.as_deref().unwrap_or(&self.refund_tiers),
                cutoff: o.cutoff.or(self.cutoff),
                unknown_option,
            },
            None => Terms {
                option: "",
                limit: self.limit,
                unit: self.unit,
                at_risk: self.at_risk_days,
                fee: Money::from_major(self.fee, currency),
                refund_tiers: &self.refund_tiers,
                cutoff: self.cutoff,
                unknown_option,
            },
        }
    }

    /// The policy's currency; none (`XXX`) for a standard without a fee, and for a code
    /// the catalog check rejects.
    pub fn currency(&self) -> Currency {
        money::currency(&self.currency).unwrap_or(Currency::XXX)
    }

    /// The refund percent for a case of the default terms `late_days` late (0 when on
    /// time or no tier applies).
    pub fn refund_percent(&self, late_days: u32) -> f64 {
        self.terms(None)
            .refund_tier(late_days)
            .map_or(0.0, |(_, p)| p)
    }

    /// Every unit the policy's cases can be counted in.
    pub fn units(&self) -> impl Iterator<Item = LimitUnit> + '_ {
        std::iter::once(self.unit).chain(self.options.iter().filter_map(|o| o.unit))
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
        if self.fee < 0.0 || self.options.iter().any(|o| o.fee.is_some_and(|f| f < 0.0)) {
            return Err("fee must not be negative".into());
        }
        // A fee in no currency could not be rounded to its minor units.
        money::currency(&self.currency).map_err(|e| e.to_string())?;
        let has_fee = self.fee > 0.0 || self.options.iter().any(|o| o.fee.is_some_and(|f| f > 0.0));
        if has_fee && self.currency().exponent().is_none() {
            return Err("a fee needs the ISO 4217 code of its currency".into());
        }
        check_tiers(&self.refund_tiers)?;
        for (i, option) in self.options.iter().enumerate() {
            if self.options[..i].iter().any(|o| o.id == option.id) || option.id.is_empty() {
                return Err(format!("option `{}` is empty or listed twice", option.id));
            }
            if let Some(tiers) = &option.refund_tiers {
                check_tiers(tiers).map_err(|e| format!("option `{}`: {e}", option.id))?;
            }
        }
        if let Some(default) = &self.default_option {
            if !self.options.iter().any(|o| &o.id == default) {
                return Err(format!(
                    "default_option `{default}` is not one of the options"
                ));
            }
        }
        let hourly_cutoff = std::iter::once(self.terms(None))
            .chain(self.options.iter().map(|o| self.terms(Some(&o.id))))
            .any(|t| t.cutoff.is_some() && t.unit.seconds().is_some());
        if hourly_cutoff {
            return Err(
                "a cut-off applies to day limits only; business hours start when the service opens"
                    .into(),
            );
        }
        Ok(())
    }
}

/// Tiers must be percents that do not overlap.
fn check_tiers(tiers: &[RefundTier]) -> Result<(), String> {
    for (i, tier) in tiers.iter().enumerate() {
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
        let overlaps = tiers[..i].iter().any(|other| {
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
    /// The case named a service option its standard does not offer: judged by the default.
    UnknownOption,
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

    #[test]
    fn a_fee_is_money_of_an_iso_4217_currency() {
        let policy = passport();
        assert_eq!(policy.terms(None).fee, Money::new(16_000, Currency::CAD));
        let mut policy = passport();
        policy.currency = "CAN".into();
        assert!(policy.check().unwrap_err().contains("ISO 4217"));
        let mut policy = passport();
        policy.currency = String::new();
        assert!(policy
            .check()
            .unwrap_err()
            .contains("needs the ISO 4217 code"));
        // Without a fee no currency is needed: the fee is zero of none (XXX).
        policy.fee = 0.0;
        assert!(policy.check().is_ok());
        assert_eq!(policy.terms(None).fee, Money::zero(Currency::XXX));
        // The yen has no minor unit: a fee of 3 000 yen is 3 000 minor units.
        let mut policy = passport();
        (policy.currency, policy.fee) = ("JPY".into(), 3_000.0);
        assert_eq!(policy.terms(None).fee, Money::new(3_000, Currency::JPY));
    }
}
