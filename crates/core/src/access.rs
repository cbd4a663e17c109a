//! Who may read or change what through the dashboard API: a token's role, its scope and
//! its expiry. Pure rules; the API's middleware applies them to each request.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;

/// What a token may do. Each role includes the ones before it (`Ord` says so), so an
/// endpoint names the least role it needs.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::VariantArray,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    /// Figures only: the matrix, SLA figures, exports, reports.
    Viewer,
    /// Figures and what citizens wrote (comment text).
    Analyst,
    /// Everything, and changes: exceptional circumstances, erasures, the audit of reads.
    Admin,
}

/// The services a token may see, named by jurisdiction (`CA-ON`) or by service id. Both
/// empty: every service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scope {
    pub jurisdictions: Vec<String>,
    pub services: Vec<String>,
}

impl Scope {
    pub fn is_everything(&self) -> bool {
        self.jurisdictions.is_empty() && self.services.is_empty()
    }

    /// The catalog's services inside the scope; `None` when the scope is everything.
    pub fn services_in(&self, catalog: &Catalog) -> Option<BTreeSet<String>> {
        if self.is_everything() {
            return None;
        }
        Some(
            catalog
                .services
                .iter()
                .filter(|s| {
                    self.services.contains(&s.id) || self.jurisdictions.contains(&s.jurisdiction)
                })
                .map(|s| s.id.clone())
                .collect(),
        )
    }

    /// A name or jurisdiction the catalog does not know: a typo would otherwise narrow the
    /// scope silently.
    pub fn unknown_in(&self, catalog: &Catalog) -> Option<String> {
        let service = self
            .services
            .iter()
            .find(|id| catalog.service(id).is_none())
            .map(|id| format!("service `{id}`"));
        let jurisdiction = self
            .jurisdictions
            .iter()
            .find(|j| !catalog.services.iter().any(|s| &s.jurisdiction == *j))
            .map(|j| format!("jurisdiction `{j}`"));
        service.or(jurisdiction)
    }
}

impl fmt::Display for Scope {
    /// As an error message names it: "jurisdictions CA-ON; services passport-by-mail".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_everything() {
            return f.write_str("every service");
        }
        let mut parts = Vec::new();
        if !self.jurisdictions.is_empty() {
            parts.push(format!("jurisdictions {}", self.jurisdictions.join(", ")));
        }
        if !self.services.is_empty() {
            parts.push(format!("services {}", self.services.join(", ")));
        }
        f.write_str(&parts.join("; "))
    }
}

/// A bearer token of the dashboard API. Only its SHA-256 is kept, so the configuration
/// grants nothing to whoever reads it; several may be valid at once so a token can be
/// replaced before the old one expires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// Who holds it: logged and stored in the audit of reads and changes, never the secret.
    pub name: String,
    /// Lower-case hex SHA-256 of the token; `civicpulse hash-key` prints it.
    pub sha256: String,
    pub role: Role,
    #[serde(default)]
    pub scope: Scope,
    /// After this instant (RFC 3339) the token is refused with 401.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// This token's own `dashboard.comments_read_limit_per_day`, e.g. a dashboard whose
    /// comments panel refreshes all day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments_read_limit_per_day: Option<u64>,
}

/// Whether `name` can name a token: 1 to 64 letters, digits, `.`, `_` or `-`, so it reads
/// the same in logs, the audit, its CSV and a query string.
pub fn is_token_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl Token {
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::from_toml_str(include_str!("../../../catalog.toml")).expect("the catalog")
    }

    #[test]
    fn roles_include_the_ones_before() {
        assert!(Role::Viewer < Role::Analyst && Role::Analyst < Role::Admin);
        assert_eq!("analyst".parse::<Role>().unwrap(), Role::Analyst);
        assert_eq!(Role::Admin.to_string(), "admin");
    }

    #[test]
    fn a_scope_names_services_by_jurisdiction_or_id() {
        let catalog = catalog();
        let provincial: Vec<_> = catalog
            .services
            .iter()
            .filter(|s| s.jurisdiction == "CA-ON")
            .map(|s| s.id.clone())
            .collect();
        assert!(!provincial.is_empty());
        let federal = catalog
            .services
            .iter()
            .find(|s| s.jurisdiction == "CA")
            .unwrap();
        let scope = Scope {
            jurisdictions: vec!["CA-ON".into()],
            services: vec![federal.id.clone()],
        };
        let seen = scope.services_in(&catalog).unwrap();
        assert_eq!(seen.len(), provincial.len() + 1);
        assert!(seen.contains(&federal.id));
        assert_eq!(
            scope.to_string(),
            format!("jurisdictions CA-ON; services {}", federal.id)
        );
        assert_eq!(Scope::default().services_in(&catalog), None);
    }

    #[test]
    fn an_unknown_name_in_a_scope_is_named() {
        let scope = Scope {
            jurisdictions: vec!["CA-ZZ".into()],
            services: vec![],
        };
        assert_eq!(
            scope.unknown_in(&catalog()).as_deref(),
            Some("jurisdiction `CA-ZZ`")
        );
    }

    #[test]
    fn a_token_name_is_a_plain_word() {
        for name in ["grafana", "service-manager", "ontario_analysts.2"] {
            assert!(is_token_name(name), "{name}");
        }
        for name in ["", "two words", "o'brien", "x".repeat(65).as_str(), "é"] {
            assert!(!is_token_name(name), "{name}");
        }
    }

    #[test]
    fn a_token_expires_at_its_instant() {
        let at: DateTime<Utc> = "2026-12-31T00:00:00Z".parse().unwrap();
        let token = Token {
            name: "grafana".into(),
            sha256: String::new(),
            role: Role::Viewer,
            scope: Scope::default(),
            expires_at: Some(at),
            comments_read_limit_per_day: None,
        };
        assert!(!token.expired(at - chrono::Duration::seconds(1)));
        assert!(token.expired(at));
    }
}
