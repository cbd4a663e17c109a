//! The SLA job: `evaluate` reads milestones, applies `civicpulse_analytics::sla::rules` and
//! writes `sla_cases` through the store's table modules.

pub mod evaluate;
