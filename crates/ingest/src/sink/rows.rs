//! What each envelope becomes in the raw tables; the row structs are the tables' own, in
//! `civicpulse_store::tables`.

use chrono::{DateTime, Utc};
use civicpulse_core::event::{Channel, Event, Feedback, Milestone, Offered};
use civicpulse_core::Envelope;
pub use civicpulse_store::tables::feedback::FeedbackRow;
pub use civicpulse_store::tables::feedback_comments::CommentRow;
pub use civicpulse_store::tables::milestones::MilestoneRow;
pub use civicpulse_store::tables::offered::OfferedRow;

/// When the gateway received the event a row holds: the sink's freshness gauge is the
/// newest of these it has stored.
pub trait Received {
    fn received_at(&self) -> DateTime<Utc>;
}

macro_rules! received_at_field {
    ($($row:ty),*) => {$(
        impl Received for $row {
            fn received_at(&self) -> DateTime<Utc> {
                self.received_at
            }
        }
    )*};
}
received_at_field!(FeedbackRow, CommentRow, MilestoneRow, OfferedRow);

/// The rows one envelope becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    /// Boxed: a response's row is twice the size of the others'.
    Feedback(Box<FeedbackRow>, Option<CommentRow>),
    Milestone(MilestoneRow),
    Offered(OfferedRow),
}

impl Rows {
    pub fn from_envelope(envelope: Envelope) -> Rows {
        let Envelope {
            received_at,
            source,
            event,
            ..
        } = envelope;
        match event {
            Event::Feedback(f) => feedback_rows(f, received_at, source),
            Event::Milestone(m) => Rows::Milestone(milestone_row(m, received_at, source)),
            Event::Offered(o) => Rows::Offered(offered_row(o, received_at, source)),
        }
    }
}

fn feedback_rows(f: Feedback, received_at: DateTime<Utc>, source: String) -> Rows {
    let segment = f.segment.unwrap_or_default();
    let case_ref = f.case_ref.unwrap_or_default();
    let comment = f.comment.map(|comment| CommentRow {
        event_id: f.event_id,
        service_id: f.service_id.clone(),
        channel: declared(f.channel),
        case_ref: case_ref.clone(),
        occurred_at: f.occurred_at,
        received_at,
        comment,
    });
    let row = FeedbackRow {
        event_id: f.event_id,
        service_id: f.service_id,
        channel: declared(f.channel),
        stage: f.stage.unwrap_or_default(),
        case_ref,
        occurred_at: f.occurred_at,
        received_at,
        source,
        satisfaction: f.answers.satisfaction,
        trust: f.answers.trust,
        need_met: f.answers.need_met,
        ease: f.answers.ease,
        time_reasonable: f.answers.time_reasonable,
        fair: f.answers.fair,
        helpful_staff: f.answers.helpful_staff,
        helpful: f.helpful.map(u8::from),
        has_comment: u8::from(comment.is_some()),
        age_band: segment
            .age_band
            .map(|a| a.as_str().to_string())
            .unwrap_or_default(),
        region: segment.region.unwrap_or_default(),
        language: segment.language.unwrap_or_default(),
        disability: segment.disability.map(u8::from),
        reason: f.reason.map(|r| r.as_str().to_string()).unwrap_or_default(),
        given_through: f
            .given_through
            .map(|g| g.as_str().to_string())
            .unwrap_or_default(),
    };
    Rows::Feedback(Box::new(row), comment)
}

/// A feedback's channel as stored: '' when not declared, as every absent string is.
fn declared(channel: Option<Channel>) -> String {
    channel.map(|c| c.as_str().to_string()).unwrap_or_default()
}

fn milestone_row(m: Milestone, received_at: DateTime<Utc>, source: String) -> MilestoneRow {
    MilestoneRow {
        event_id: m.event_id,
        service_id: m.service_id,
        case_ref: m.case_ref,
        milestone: m.milestone.as_str().to_string(),
        channel: m.channel.as_str().to_string(),
        region: m.region.unwrap_or_default(),
        outcome: m
            .outcome
            .map(|o| o.as_str().to_string())
            .unwrap_or_default(),
        occurred_at: m.occurred_at,
        received_at,
        source,
        service_option: m.service_option.unwrap_or_default(),
    }
}

fn offered_row(o: Offered, received_at: DateTime<Utc>, source: String) -> OfferedRow {
    OfferedRow {
        event_id: o.event_id,
        service_id: o.service_id,
        channel: o.channel.as_str().to_string(),
        stage: o.stage.unwrap_or_default(),
        case_ref: o.case_ref.unwrap_or_default(),
        survey_offered: u8::from(o.survey_offered),
        occurred_at: o.occurred_at,
        received_at,
        source,
    }
}
