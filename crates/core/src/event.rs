//! Event contracts v1: what clients send to `POST /v1/events`, and the envelope the gateway
//! writes to Kafka.
//!
//! Every event carries a client-made `event_id` (the idempotency key: a re-send with the
//! same id is stored once) and `occurred_at` (exactly RFC 3339, any offset; stored as UTC:
//! see [`crate::rfc3339`]).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Version of the event contracts, written into every envelope so consumers can tell
/// which shape they read.
pub const SCHEMA_VERSION: u16 = 1;

/// How a citizen dealt with the service.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Channel {
    Web,
    App,
    Phone,
    InPerson,
    Mail,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Web,
        Channel::App,
        Channel::Phone,
        Channel::InPerson,
        Channel::Mail,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Digital channels count towards digital take-up.
    pub fn is_digital(self) -> bool {
        matches!(self, Channel::Web | Channel::App)
    }
}

/// Where a person gave their feedback, apart from how the service was delivered
/// (`channel`): a widget on a web page about a mail service is normal.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum GivenThrough {
    /// The widget embedded in a page (`/widget.js`).
    Widget,
    /// The gateway's no-JavaScript form (`/feedback/form`).
    Form,
    /// An invitation's survey (`/s/{token}`), after a case.
    Survey,
}

impl GivenThrough {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether the person answered about a page without saying how they were served, so
    /// the feedback may leave `channel` undeclared.
    pub fn may_omit_channel(self) -> bool {
        matches!(self, GivenThrough::Widget | GivenThrough::Form)
    }
}

/// The OMB A-11 §280 questions, each answered on a 1–5 Likert scale; any subset may be
/// present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// "I am satisfied with the service I received."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 5))]
    pub satisfaction: Option<u8>,
    /// "This interaction increased my trust and confidence in the agency."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 5))]
    pub trust: Option<u8>,
    /// "My need was addressed."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 5))]
    pub need_met: Option<u8>,
    /// "It was easy to complete what I needed to do."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 5))]
    pub ease: Option<u8>,
    /// "It took a reasonable amount of time to do what I needed to do."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 5))]
    pub time_reasonable: Option<u8>,
    /// "I was treated fairly."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 5))]
    pub fair: Option<u8>,
    /// "Employees I interacted with were helpful."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 5))]
    pub helpful_staff: Option<u8>,
}

impl Answers {
    /// Each question's wire name with its answer, in a fixed order.
    pub fn items(&self) -> [(&'static str, Option<u8>); 7] {
        [
            ("satisfaction", self.satisfaction),
            ("trust", self.trust),
            ("need_met", self.need_met),
            ("ease", self.ease),
            ("time_reasonable", self.time_reasonable),
            ("fair", self.fair),
            ("helpful_staff", self.helpful_staff),
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.items().iter().all(|(_, answer)| answer.is_none())
    }
}

/// Why a page did not help, as page-feedback tools ask it (Canada.ca's among them): a
/// closed list, so reasons can be counted.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum FeedbackReason {
    /// The information was not there, or could not be found.
    CannotFind,
    HardToUnderstand,
    /// An error, or something did not work.
    SomethingBroken,
    Other,
}

impl FeedbackReason {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Age bands used for equity analysis; coarse on purpose, so a respondent is not identifiable.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
pub enum AgeBand {
    #[serde(rename = "under_18")]
    #[strum(serialize = "under_18")]
    Under18,
    #[serde(rename = "18_24")]
    #[strum(serialize = "18_24")]
    From18To24,
    #[serde(rename = "25_34")]
    #[strum(serialize = "25_34")]
    From25To34,
    #[serde(rename = "35_44")]
    #[strum(serialize = "35_44")]
    From35To44,
    #[serde(rename = "45_54")]
    #[strum(serialize = "45_54")]
    From45To54,
    #[serde(rename = "55_64")]
    #[strum(serialize = "55_64")]
    From55To64,
    #[serde(rename = "65_74")]
    #[strum(serialize = "65_74")]
    From65To74,
    #[serde(rename = "75_plus")]
    #[strum(serialize = "75_plus")]
    From75,
}

impl AgeBand {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Self-declared respondent attributes, for equity analysis only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<AgeBand>,
    /// Region code, e.g. a province or postal district prefix (at most 32 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Language of service, a BCP 47 tag such as `en` or `fr-CA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disability: Option<bool>,
}

/// A citizen's answer to the post-transaction survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    pub event_id: Uuid,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    #[schemars(schema_with = "crate::rfc3339::schema")]
    pub occurred_at: DateTime<Utc>,
    pub service_id: String,
    /// How the service was delivered; left out only by feedback given through the widget
    /// or the form, where the person did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Where the feedback was given (the gateway sets it for its own pages and surveys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_through: Option<GivenThrough>,
    /// Stage of the journey the survey was offered at, e.g. `application` or `delivery`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Pseudonymous case id, linking the answer to the case's milestones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_ref: Option<String>,
    #[serde(default)]
    pub answers: Answers,
    /// "Did you find what you were looking for?" style yes/no.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helpful: Option<bool>,
    /// What was wrong, when the page did not help (the widget's reasons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<FeedbackReason>,
    /// Free text, at most 2000 characters; personal data is scrubbed before storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
}

/// The steps of a case's life, as case systems report them.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum MilestoneKind {
    Received,
    Complete,
    OnHold,
    Resumed,
    Decided,
    Printed,
    Dispatched,
    Delivered,
    Withdrawn,
    /// The remission a late case was owed has been paid (by the finance system).
    RemissionPaid,
    /// The remission was cancelled (e.g. the fee was waived or refunded otherwise).
    RemissionCancelled,
}

impl MilestoneKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// How a decided case turned out; `error` and `rework` feed the accuracy measure.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Outcome {
    Approved,
    Refused,
    Error,
    Rework,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A service timing: one step of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub event_id: Uuid,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    #[schemars(schema_with = "crate::rfc3339::schema")]
    pub occurred_at: DateTime<Utc>,
    pub service_id: String,
    pub case_ref: String,
    pub milestone: MilestoneKind,
    pub channel: Channel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The service option the case was applied for (e.g. `regular`, `express`, `urgent`),
    /// on its `received` or `complete` milestone; the case is judged by the first one given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_option: Option<String>,
}

/// A transaction served, and whether the survey was offered for it: the denominators of
/// volumes and response rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Offered {
    pub event_id: Uuid,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    #[schemars(schema_with = "crate::rfc3339::schema")]
    pub occurred_at: DateTime<Utc>,
    pub service_id: String,
    pub channel: Channel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_ref: Option<String>,
    /// Whether the survey was offered to the citizen for this transaction.
    #[serde(default = "default_true")]
    pub survey_offered: bool,
}

fn default_true() -> bool {
    true
}

/// One event as sent by a client, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    Feedback(Feedback),
    Milestone(Milestone),
    Offered(Offered),
}

/// The kinds of event, each with its own Kafka topic and ClickHouse table.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EventKind {
    Feedback,
    Milestone,
    Offered,
}

impl EventKind {
    pub const ALL: [EventKind; 3] = [
        EventKind::Feedback,
        EventKind::Milestone,
        EventKind::Offered,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(kind: &str) -> Option<EventKind> {
        kind.parse().ok()
    }
}

impl Event {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Feedback(_) => EventKind::Feedback,
            Event::Milestone(_) => EventKind::Milestone,
            Event::Offered(_) => EventKind::Offered,
        }
    }

    pub fn event_id(&self) -> Uuid {
        match self {
            Event::Feedback(e) => e.event_id,
            Event::Milestone(e) => e.event_id,
            Event::Offered(e) => e.event_id,
        }
    }

    pub fn occurred_at(&self) -> DateTime<Utc> {
        match self {
            Event::Feedback(e) => e.occurred_at,
            Event::Milestone(e) => e.occurred_at,
            Event::Offered(e) => e.occurred_at,
        }
    }

    pub fn service_id(&self) -> &str {
        match self {
            Event::Feedback(e) => &e.service_id,
            Event::Milestone(e) => &e.service_id,
            Event::Offered(e) => &e.service_id,
        }
    }

    pub fn case_ref(&self) -> Option<&str> {
        match self {
            Event::Feedback(e) => e.case_ref.as_deref(),
            Event::Milestone(e) => Some(&e.case_ref),
            Event::Offered(e) => e.case_ref.as_deref(),
        }
    }

    /// The Kafka message key: the case when there is one, so all of a case's events land in
    /// one partition in order; otherwise the service.
    pub fn partition_key(&self) -> &str {
        self.case_ref().unwrap_or_else(|| self.service_id())
    }
}

/// What the gateway writes to Kafka: the validated, scrubbed event plus where and when it
/// was received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub schema_version: u16,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub received_at: DateTime<Utc>,
    /// The API key's source name, i.e. which system sent the event.
    pub source: String,
    pub event: Event,
}

impl Envelope {
    pub fn new(event: Event, source: impl Into<String>, received_at: DateTime<Utc>) -> Self {
        Envelope {
            schema_version: SCHEMA_VERSION,
            received_at,
            source: source.into(),
            event,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    /// Every name stored in ClickHouse or shown in the API is the serde (wire) name; strum
    /// derives the same names, so both must agree, both ways.
    fn names_agree<E>()
    where
        E: IntoEnumIterator
            + Serialize
            + Copy
            + Into<&'static str>
            + std::str::FromStr
            + PartialEq
            + std::fmt::Debug,
    {
        for value in E::iter() {
            let wire = serde_json::to_value(value).unwrap();
            let name: &'static str = value.into();
            assert_eq!(wire, name, "serde and strum agree on {value:?}");
            assert!(name.parse::<E>().ok() == Some(value), "{name} parses back");
        }
    }

    #[test]
    fn wire_names_and_stored_names_are_one_list() {
        names_agree::<Channel>();
        names_agree::<AgeBand>();
        names_agree::<MilestoneKind>();
        names_agree::<Outcome>();
        names_agree::<EventKind>();
        assert_eq!(Channel::ALL.to_vec(), Channel::iter().collect::<Vec<_>>());
        assert_eq!(
            EventKind::ALL.to_vec(),
            EventKind::iter().collect::<Vec<_>>()
        );
    }
}
