//! The `civicpulse` binary's commands: each component runs alone (`gateway`, `sink`,
//! `dashboard-api`), or all together in one process (`run`).

pub mod cli;
pub mod commands;
pub mod erase;
pub mod shutdown;
pub mod themes;
