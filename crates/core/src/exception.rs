//! Exceptional circumstances: declared events (a labour disruption, a system outage, a
//! natural disaster) whose lateness a remission policy excuses. Declared in the catalog's
//! `[[exceptions]]` or through the dashboard API; either way the same record.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What an exception does to the cases it touches.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ExceptionEffect {
    /// A late case is still `breached`, but owes no refund (reported apart).
    NoRemission,
    /// The period counts like a hold: the clock does not run.
    PauseClock,
}

impl ExceptionEffect {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One declared exceptional circumstance over `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    pub id: String,
    /// The services it applies to.
    pub services: Vec<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Why, in words a report can print (e.g. "Canada Post labour disruption").
    pub reason: String,
    pub effect: ExceptionEffect,
}

impl Exception {
    pub fn applies_to(&self, service_id: &str) -> bool {
        self.services.iter().any(|s| s == service_id)
    }

    /// Whether the exception's period meets the span `[from, to]`.
    pub fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.from <= to && from < self.to
    }

    /// Rejects an exception that cannot apply to anything.
    pub fn check(&self) -> Result<(), String> {
        if self.id.trim().is_empty() || self.id.len() > 64 {
            return Err("id must be 1 to 64 characters".into());
        }
        if self.services.is_empty() {
            return Err("services must name at least one service".into());
        }
        if self.from >= self.to {
            return Err("`from` must be before `to`".into());
        }
        if self.reason.trim().is_empty() || self.reason.chars().count() > 500 {
            return Err("reason must be 1 to 500 characters".into());
        }
        Ok(())
    }
}
