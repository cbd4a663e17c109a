//! `access_audit`: who read comment text and who erased what, one row per request (migration
//! 0012). A privacy office asks of it "who saw this person's words, when, by which filter";
//! the daily bulk-read limit sums its `rows`.

use chrono::{DateTime, Utc};
use clickhouse::{Client, Row};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Engine, StoredRow, Table};

pub const NAME: &str = "access_audit";

/// Kept on one shard (a constant key): one row per request that reads comments or erases,
/// read in time order, so one shard answers a listing whole.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "0",
    engine: Engine::MergeTree,
    views: &[],
};

/// What an audited request did. Stored as its name, so a new action is a new variant and
/// no migration.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[strum(serialize_all = "snake_case")]
pub enum AuditAction {
    /// Comment text returned to a token (`rows`: the comments returned).
    ReadComments,
    /// A case erased on request (`rows`: the rows removed).
    Erase,
    /// The audit itself read (`rows`: the entries returned): who looked at who read what.
    ReadAudit,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The action as the table stores it (the `clickhouse` crate has no unit enums).
mod action_name {
    use super::*;

    pub fn serialize<S: Serializer>(action: &AuditAction, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(action.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AuditAction, D::Error> {
        let name = String::deserialize(d)?;
        name.parse()
            .map_err(|_| serde::de::Error::custom(format!("unknown audit action `{name}`")))
    }
}

/// One audited request, in the table's column order.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct AuditEntry {
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub at: DateTime<Utc>,
    /// The token's configured name, never its secret.
    pub token_id: String,
    #[serde(with = "action_name")]
    pub action: AuditAction,
    /// The route, e.g. `/api/v1/feedback/comments`.
    pub endpoint: String,
    /// The request's query in canonical form; for an erasure, the SHA-256 of the case
    /// reference (`erasure::case_digest`).
    pub filter: String,
    /// Comments returned, or rows erased.
    pub rows: u64,
    pub request_id: String,
}

impl StoredRow for AuditEntry {
    const TABLE: &'static str = NAME;
}

/// Which entries a listing returns, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// `at >= from`.
    pub from: Option<DateTime<Utc>>,
    /// `at < to`.
    pub to: Option<DateTime<Utc>>,
    pub token_id: Option<String>,
    pub action: Option<AuditAction>,
    pub limit: u64,
}

impl AuditFilter {
    /// Whether `entry` passes the filter (the limit aside): the in-memory store's test, which
    /// [`list`]'s SQL states for ClickHouse.
    pub fn admits(&self, entry: &AuditEntry) -> bool {
        self.from.is_none_or(|from| entry.at >= from)
            && self.to.is_none_or(|to| entry.at < to)
            && self.token_id.as_ref().is_none_or(|t| *t == entry.token_id)
            && self.action.is_none_or(|a| a == entry.action)
    }
}

fn seconds(t: DateTime<Utc>) -> u32 {
    u32::try_from(t.timestamp().max(0)).unwrap_or(u32::MAX)
}

/// The entries `filter` admits, newest first (ties by token and action, so a listing is
/// stable), at most `filter.limit`.
pub async fn list(
    client: &Client,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>, clickhouse::error::Error> {
    // Absent bounds are the widest: the epoch and the end of DateTime.
    client
        .query(&format!(
            "SELECT ?fields FROM {NAME} \
             WHERE at >= toDateTime(?) AND at < toDateTime(?) \
               AND (? = '' OR token_id = ?) AND (? = '' OR action = ?) \
             ORDER BY at DESC, token_id, action, request_id LIMIT ?"
        ))
        .bind(filter.from.map_or(0, seconds))
        .bind(filter.to.map_or(u32::MAX, seconds))
        .bind(filter.token_id.as_deref().unwrap_or(""))
        .bind(filter.token_id.as_deref().unwrap_or(""))
        .bind(filter.action.map_or("", AuditAction::as_str))
        .bind(filter.action.map_or("", AuditAction::as_str))
        .bind(filter.limit)
        .fetch_all()
        .await
}

/// Comments `token_id` was given since `since`: what a daily bulk-read limit compares.
pub async fn comments_read_since(
    client: &Client,
    token_id: &str,
    since: DateTime<Utc>,
) -> Result<u64, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT toUInt64(sum(rows)) FROM {NAME} \
             WHERE token_id = ? AND action = ? AND at >= toDateTime(?)"
        ))
        .bind(token_id)
        .bind(AuditAction::ReadComments.as_str())
        .bind(seconds(since))
        .fetch_one()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(token: &str, action: AuditAction, at: i64) -> AuditEntry {
        AuditEntry {
            at: DateTime::from_timestamp(at, 0).unwrap(),
            token_id: token.into(),
            action,
            endpoint: "/api/v1/comments".into(),
            filter: "service=passport-by-mail".into(),
            rows: 3,
            request_id: "r1".into(),
        }
    }

    #[test]
    fn actions_are_stored_by_name() {
        assert_eq!(AuditAction::ReadComments.as_str(), "read_comments");
        assert_eq!(AuditAction::Erase.as_str(), "erase");
        assert_eq!("erase".parse::<AuditAction>().unwrap(), AuditAction::Erase);
        assert!("delete".parse::<AuditAction>().is_err());
    }

    #[test]
    fn the_filter_bounds_time_token_and_action() {
        let filter = AuditFilter {
            from: DateTime::from_timestamp(100, 0),
            to: DateTime::from_timestamp(200, 0),
            token_id: Some("analyst".into()),
            action: Some(AuditAction::ReadComments),
            limit: 10,
        };
        assert!(filter.admits(&entry("analyst", AuditAction::ReadComments, 100)));
        assert!(!filter.admits(&entry("analyst", AuditAction::ReadComments, 200)));
        assert!(!filter.admits(&entry("analyst", AuditAction::ReadComments, 99)));
        assert!(!filter.admits(&entry("grafana", AuditAction::ReadComments, 150)));
        assert!(!filter.admits(&entry("analyst", AuditAction::Erase, 150)));
        assert!(AuditFilter::default().admits(&entry("x", AuditAction::Erase, 0)));
    }
}
