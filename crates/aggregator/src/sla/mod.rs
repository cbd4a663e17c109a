//! SLA guarantees: per case, how many days the clock ran against the service standard, its
//! due date, status and the refund owed. `rules` is pure;
//! `evaluate` reads milestones and writes `sla_cases` through the store's table modules.

pub mod durations;
pub mod evaluate;
pub mod forecast;
pub mod ledger;
pub mod queue;
pub mod rules;
pub mod summary;

pub use civicpulse_core::sla::{Anomaly, Status};
pub use rules::{evaluate, CaseMilestone, Evaluation, Standard};
