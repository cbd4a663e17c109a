//! Service standards (SLAs): per case, how long the clock ran against its standard (in the
//! standard's unit), its due date, status and the refund owed (`rules`, pure; the
//! aggregator's evaluation job applies them); what readers see of the stored cases:
//! `summary`, `ledger`, `queue`, `durations`, `forecast`.

pub mod durations;
pub mod forecast;
pub mod ledger;
pub mod queue;
pub mod rules;
pub mod summary;

pub use civicpulse_core::sla::{Anomaly, Status};
pub use rules::{evaluate, CaseMilestone, Evaluation, EvaluationContext};
