//! Exceptional circumstances: declared events (a labour disruption, a system outage, a
//! natural disaster) whose lateness a remission policy excuses. Declared in the catalog's
//! `[[exceptions]]` or through the dashboard API; either way the same record, and one rule
//! ([`effective`]) says which are in force for the evaluation, the API's list and the reports.

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

/// Where an exception in force was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Declaration {
    Catalog,
    Api { by: String, at: DateTime<Utc> },
}

/// One change made through the API: a declaration (`declared`), or the withdrawal of `id`.
/// A declaration this version cannot read (an effect it does not know) counts as neither,
/// so the change is kept out rather than guessed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionChange {
    pub id: String,
    /// The order of an id's changes: the highest is its current state.
    pub seq: u64,
    pub declared: Option<Exception>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// An exception in force, and where it was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InForce {
    pub exception: Exception,
    pub declaration: Declaration,
}

/// The exceptions in force, ordered by id: the catalog's, each overridden by the latest
/// change made through the API to the same id — a declaration replaces it, a withdrawal
/// removes it (the latest explicit decision wins; a withdrawal never brings back the
/// catalog's version behind the caller's back).
pub fn effective(
    catalog: &[Exception],
    changes: impl IntoIterator<Item = ExceptionChange>,
) -> Vec<InForce> {
    let mut latest: std::collections::BTreeMap<String, ExceptionChange> = Default::default();
    for change in changes {
        match latest.get(&change.id) {
            Some(kept) if kept.seq >= change.seq => {}
            _ => {
                latest.insert(change.id.clone(), change);
            }
        }
    }
    let mut in_force: Vec<InForce> = catalog
        .iter()
        .filter(|e| !latest.contains_key(&e.id))
        .map(|e| InForce {
            exception: e.clone(),
            declaration: Declaration::Catalog,
        })
        .collect();
    in_force.extend(latest.into_values().filter_map(|change| {
        change.declared.map(|exception| InForce {
            exception,
            declaration: Declaration::Api {
                by: change.by,
                at: change.at,
            },
        })
    }));
    in_force.sort_by(|a, b| a.exception.id.cmp(&b.exception.id));
    in_force
}

/// The exceptions in force that apply to one service, ordered by id.
pub fn for_service(in_force: &[InForce], service_id: &str) -> Vec<Exception> {
    in_force
        .iter()
        .map(|e| &e.exception)
        .filter(|e| e.applies_to(service_id))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strike(reason: &str) -> Exception {
        Exception {
            id: "2026-06-strike".into(),
            services: vec!["passport-in-person".into()],
            from: "2026-06-01T04:00:00Z".parse().unwrap(),
            to: "2026-06-06T04:00:00Z".parse().unwrap(),
            reason: reason.into(),
            effect: ExceptionEffect::PauseClock,
        }
    }

    fn change(seq: u64, declared: Option<Exception>) -> ExceptionChange {
        ExceptionChange {
            id: "2026-06-strike".into(),
            seq,
            declared,
            by: "service-manager".into(),
            at: "2026-06-02T12:00:00Z".parse().unwrap(),
        }
    }

    fn reasons(in_force: &[InForce]) -> Vec<(&str, bool)> {
        in_force
            .iter()
            .map(|e| {
                (
                    e.exception.reason.as_str(),
                    e.declaration == Declaration::Catalog,
                )
            })
            .collect()
    }

    #[test]
    fn the_api_overrides_the_catalog_by_id_and_its_withdrawal_removes_the_exception() {
        let catalog = [strike("from the catalog")];
        assert_eq!(
            reasons(&effective(&catalog, [])),
            [("from the catalog", true)]
        );
        let declared = change(1, Some(strike("declared through the API")));
        assert_eq!(
            reasons(&effective(&catalog, [declared.clone()])),
            [("declared through the API", false)]
        );
        // Withdrawn: gone, not the catalog's version back (in any order of reading).
        let withdrawn = change(2, None);
        assert!(effective(&catalog, [declared.clone(), withdrawn.clone()]).is_empty());
        assert!(effective(&catalog, [withdrawn.clone(), declared.clone()]).is_empty());
        // Declared again after the withdrawal: in force again.
        let again = change(3, Some(strike("again")));
        assert_eq!(
            reasons(&effective(&catalog, [again, withdrawn, declared])),
            [("again", false)]
        );
    }

    #[test]
    fn only_the_services_named_are_touched() {
        let in_force = effective(&[strike("x")], []);
        assert_eq!(for_service(&in_force, "passport-in-person").len(), 1);
        assert!(for_service(&in_force, "passport-by-mail").is_empty());
    }
}
