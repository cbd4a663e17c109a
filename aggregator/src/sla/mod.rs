//! SLA guarantees: per case, how many days the clock ran against the service standard, its
//! due date, status and the refund owed. `rules` is pure; storage and scheduling come next.

pub mod evaluate;
pub mod rules;
pub mod store;

pub use civicpulse_core::sla::{Anomaly, Status};
pub use rules::{evaluate, CaseMilestone, Evaluation};
