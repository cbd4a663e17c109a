//! The service catalog (`catalog.toml`): which services exist, through which channels, in
//! which time zone and under which business-day calendar.
//!
//! The catalog is configuration, never code: every service-specific number lives here, and
//! later features (SLA policies, targets, interventions) extend these structs.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub use crate::calendar::Calendar;
use crate::event::Channel;
use crate::sla::SlaPolicy;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalog {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("catalog is not valid TOML: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("catalog: {0}")]
    Invalid(String),
}

/// One public service as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Stable identifier used in events, topics' keys and tables.
    pub id: String,
    pub name: String,
    /// Peer group for benchmarks, e.g. `identity-documents`.
    pub category: String,
    /// Who delivers the service, e.g. `CA` (federal) or `CA-ON` (Ontario).
    pub jurisdiction: String,
    pub channels: Vec<Channel>,
    /// IANA time zone in which the service's dates are taken.
    pub time_zone: Tz,
    /// Id of the business-day calendar in `[[calendars]]`.
    pub calendar: String,
    /// Service standards the service promises (none: no SLA is tracked).
    #[serde(default)]
    pub sla: Vec<SlaPolicy>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    #[serde(default)]
    pub calendars: Vec<Calendar>,
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(skip)]
    index: BTreeMap<String, usize>,
}

impl Catalog {
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Catalog::from_toml_str(&text)
    }

    pub fn from_toml_str(text: &str) -> Result<Catalog, CatalogError> {
        let mut catalog: Catalog = toml::from_str(text)?;
        catalog.calendars.iter_mut().for_each(Calendar::normalize);
        catalog.check()?;
        catalog.index = catalog
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        Ok(catalog)
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.index.get(id).map(|&i| &self.services[i])
    }

    pub fn calendar(&self, id: &str) -> Option<&Calendar> {
        self.calendars.iter().find(|c| c.id == id)
    }

    /// Rejects a catalog that would make events unvalidatable or ambiguous.
    fn check(&self) -> Result<(), CatalogError> {
        let mut calendar_ids = HashSet::new();
        for calendar in &self.calendars {
            if !calendar_ids.insert(calendar.id.as_str()) {
                return Err(CatalogError::Invalid(format!(
                    "calendar `{}` is defined twice",
                    calendar.id
                )));
            }
        }
        let mut service_ids = HashSet::new();
        for service in &self.services {
            if service.id.is_empty() || service.id.contains(char::is_whitespace) {
                return Err(CatalogError::Invalid(format!(
                    "service id `{}` must be non-empty and free of white space",
                    service.id
                )));
            }
            if !service_ids.insert(service.id.as_str()) {
                return Err(CatalogError::Invalid(format!(
                    "service `{}` is defined twice",
                    service.id
                )));
            }
            if service.channels.is_empty() {
                return Err(CatalogError::Invalid(format!(
                    "service `{}` lists no channel",
                    service.id
                )));
            }
            for policy in &service.sla {
                policy.check().map_err(|reason| {
                    CatalogError::Invalid(format!(
                        "service `{}`, SLA policy `{}`: {reason}",
                        service.id, policy.id
                    ))
                })?;
            }
            if !calendar_ids.contains(service.calendar.as_str()) {
                return Err(CatalogError::Invalid(format!(
                    "service `{}` refers to unknown calendar `{}`",
                    service.id, service.calendar
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_SERVICES: &str = r#"
        [[calendars]]
        id = "ca"
        holidays = ["2026-07-01"]

        [[services]]
        id = "a"
        name = "A"
        category = "c"
        jurisdiction = "CA"
        channels = ["web"]
        time_zone = "America/Toronto"
        calendar = "ca"
    "#;

    #[test]
    fn services_are_found_by_id() {
        let catalog = Catalog::from_toml_str(TWO_SERVICES).unwrap();
        assert_eq!(
            catalog.service("a").unwrap().time_zone,
            chrono_tz::America::Toronto
        );
        assert!(catalog.service("b").is_none());
        let calendar = catalog.calendar("ca").unwrap();
        assert_eq!(
            calendar.weekend,
            [chrono::Weekday::Sat, chrono::Weekday::Sun]
        );
    }

    #[test]
    fn a_service_on_an_unknown_calendar_is_refused() {
        let text = TWO_SERVICES.replace("calendar = \"ca\"", "calendar = \"uk\"");
        let error = Catalog::from_toml_str(&text).unwrap_err().to_string();
        assert!(error.contains("unknown calendar `uk`"), "{error}");
    }

    #[test]
    fn a_duplicate_service_is_refused() {
        let text = format!(
            "{TWO_SERVICES}{}",
            &TWO_SERVICES[TWO_SERVICES.find("[[services]]").unwrap()..]
        );
        let error = Catalog::from_toml_str(&text).unwrap_err().to_string();
        assert!(error.contains("defined twice"), "{error}");
    }

    #[test]
    fn an_unknown_time_zone_is_refused() {
        let text = TWO_SERVICES.replace("America/Toronto", "Mars/Olympus");
        assert!(Catalog::from_toml_str(&text).is_err());
    }

    #[test]
    fn the_shipped_example_catalog_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog.toml");
        let catalog = Catalog::load(&path).unwrap();
        assert!(catalog.services.len() >= 8);
        let jurisdictions: HashSet<_> = catalog.services.iter().map(|s| &s.jurisdiction).collect();
        assert!(jurisdictions.len() >= 2);
        let passport = &catalog.service("passport-in-person").unwrap().sla[0];
        assert_eq!((passport.limit, passport.refund_percent(31)), (10, 100.0));
        assert_eq!(
            catalog.service("passport-by-mail").unwrap().sla[0].limit,
            20
        );
    }
}
