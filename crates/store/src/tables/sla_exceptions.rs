//! `sla_exceptions`: exceptional circumstances declared through the dashboard API,
//! append-only. Each declaration or withdrawal is a row with who made it and when, so the
//! table is its own audit trail; an id's latest row is its current state.

use chrono::{DateTime, Utc};
use civicpulse_core::exception::{Exception, ExceptionEffect};
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

use super::StoredRow;

pub const NAME: &str = "sla_exceptions";

#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct ExceptionRow {
    pub id: String,
    pub services: Vec<String>,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub from_at: DateTime<Utc>,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub to_at: DateTime<Utc>,
    pub reason: String,
    /// `no_remission` or `pause_clock`.
    pub effect: String,
    /// 1: this row withdraws the exception.
    pub withdrawn: u8,
    /// The name of the token that made the change.
    pub declared_by: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub declared_at: DateTime<Utc>,
}

impl StoredRow for ExceptionRow {
    const TABLE: &'static str = NAME;
}

impl ExceptionRow {
    /// The exception this row declares; none for a withdrawal or an effect this version
    /// does not know.
    pub fn exception(&self) -> Option<Exception> {
        let effect: ExceptionEffect = self.effect.parse().ok()?;
        (self.withdrawn == 0).then(|| Exception {
            id: self.id.clone(),
            services: self.services.clone(),
            from: self.from_at,
            to: self.to_at,
            reason: self.reason.clone(),
            effect,
        })
    }
}

/// Each id's latest row (withdrawals included), by id.
pub async fn latest(client: &Client) -> Result<Vec<ExceptionRow>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT ?fields FROM {NAME} ORDER BY id, declared_at DESC LIMIT 1 BY id"
        ))
        .fetch_all()
        .await
}

/// The exceptions in force (declared and not withdrawn).
pub async fn in_force(client: &Client) -> Result<Vec<Exception>, clickhouse::error::Error> {
    Ok(latest(client)
        .await?
        .iter()
        .filter_map(ExceptionRow::exception)
        .collect())
}

/// Every row of one id, oldest first: its audit trail.
pub async fn history(
    client: &Client,
    id: &str,
) -> Result<Vec<ExceptionRow>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT ?fields FROM {NAME} WHERE id = ? ORDER BY declared_at"
        ))
        .bind(id)
        .fetch_all()
        .await
}
