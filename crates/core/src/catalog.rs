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
use crate::dimension::{Dimension, Kind};
use crate::event::Channel;
use crate::exception::Exception;
use crate::remission::RemissionRules;
use crate::sla::SlaPolicy;
pub use crate::theme::Theme;

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
    /// The name in French, for bilingual reports (absent: reports use `name`).
    #[serde(default)]
    pub name_fr: Option<String>,
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
    /// Matrix targets for this service, by dimension name; they override `[targets]`.
    #[serde(default)]
    pub targets: BTreeMap<String, f64>,
    /// What delivering the service cost, by period: the numerator of cost per transaction
    /// (GOV.UK's KPI). A period without a cost has no cost per transaction, never 0.
    #[serde(default)]
    pub costs: Vec<Cost>,
    /// The service's id in a government's own inventory (the GC Service Inventory's
    /// `service_id`, e.g. `SRV0123`); exports fall back to `id`.
    #[serde(default)]
    pub inventory_id: Option<String>,
    /// The department that owns the service, as open data names it (`owner_org`, e.g.
    /// `esdc-edsc`) and its title (`owner_org_title`, bilingual).
    #[serde(default)]
    pub owner_org: Option<String>,
    #[serde(default)]
    pub owner_org_title: Option<String>,
    /// The journey stages the service's surveys are offered at, as its events name them
    /// (`stage`): the transaction points of the A-11 export. An event's stage is whatever
    /// its client sent; one not listed here is published as `unspecified`, never as sent.
    #[serde(default)]
    pub stages: Vec<String>,
}

/// What the exports write for a stage the catalog does not list (or an event without one).
pub const UNSPECIFIED_STAGE: &str = "unspecified";

/// The cost of delivering a service over `[from, to)` (local days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub amount: f64,
    pub currency: String,
}

impl Service {
    /// Whether any of the service's channels is digital (web, app): digital take-up only
    /// means something for such a service.
    pub fn has_digital_channel(&self) -> bool {
        self.channels.iter().any(|c| c.is_digital())
    }

    /// The service's cost over `[from, to)`: the sum of its cost entries when they tile
    /// the range exactly. A range only partly covered, or cut through an entry, has no
    /// cost: apportioning a quarter's cost to a month would invent a figure.
    pub fn cost(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Option<(f64, &str)> {
        let mut inside: Vec<&Cost> = self
            .costs
            .iter()
            .filter(|c| c.from < to && c.to > from)
            .collect();
        if inside.iter().any(|c| c.from < from || c.to > to) {
            return None;
        }
        inside.sort_by_key(|c| c.from);
        let mut reached = from;
        for cost in &inside {
            if cost.from != reached {
                return None;
            }
            reached = cost.to;
        }
        let currency = inside.first()?.currency.as_str();
        (reached == to && inside.iter().all(|c| c.currency == currency))
            .then(|| (inside.iter().map(|c| c.amount).sum(), currency))
    }
}

/// A change to a service whose effect the matrix measures (before/after, and against peer
/// services without it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    pub id: String,
    pub service_id: String,
    pub name: String,
    /// The first day of the change, in the service's time zone.
    pub date: chrono::NaiveDate,
    #[serde(default)]
    pub description: String,
    /// The name and description in French, for the French report; absent: the English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_fr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_fr: Option<String>,
}

/// A government that delivers services, as reports name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    /// The code services give as their `jurisdiction` (e.g. `CA`, `CA-ON`).
    pub id: String,
    pub name: String,
    pub name_fr: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    #[serde(default)]
    pub calendars: Vec<Calendar>,
    #[serde(default)]
    pub services: Vec<Service>,
    /// Matrix targets for every service, by dimension name (e.g. `satisfaction_top2_share =
    /// 0.8`). A service's SLA policy sets its `sla_compliance` target unless given here.
    #[serde(default)]
    pub targets: BTreeMap<String, f64>,
    #[serde(default)]
    pub interventions: Vec<Intervention>,
    /// The jurisdictions' names; a service whose code is not listed is named by its code.
    #[serde(default)]
    pub jurisdictions: Vec<Jurisdiction>,
    /// Exceptional circumstances known when the catalog is written (more can be declared
    /// through the dashboard API).
    #[serde(default)]
    pub exceptions: Vec<Exception>,
    /// Fiscal years and payment due dates of remissions.
    #[serde(default)]
    pub remissions: RemissionRules,
    /// The one zone the deployment's own calendar is read in (today's date, the months and
    /// quarters of the matrix, reports and exports, the API's dates): services may sit in
    /// several zones, but a period must mean the same days to every reader. Left out, it is
    /// the first service's zone (else UTC), as before the key existed.
    #[serde(default)]
    pub reporting_time_zone: Option<chrono_tz::Tz>,
    /// The themes taxonomy comments are tagged with (see [`crate::theme`]).
    #[serde(default)]
    pub themes: Vec<Theme>,
    /// Journeys across services (see [`crate::life_event`]).
    #[serde(default)]
    pub life_events: Vec<crate::life_event::LifeEvent>,
    #[serde(skip)]
    index: BTreeMap<String, usize>,
}

impl Catalog {
    /// The deployment's reporting time zone: `reporting_time_zone`, else the first
    /// service's, else UTC. Every reader asks this, so the rule is written once.
    pub fn reporting_zone(&self) -> chrono_tz::Tz {
        self.reporting_time_zone
            .or_else(|| self.services.first().map(|s| s.time_zone))
            .unwrap_or(chrono_tz::UTC)
    }

    /// The month the deployment's fiscal years start in (`[remissions]
    /// fiscal_year_start_month`): the ledger, reports and the API read fiscal periods by it.
    pub fn fiscal_year_start(&self) -> crate::fiscal_year::FiscalYearStart {
        self.remissions.fiscal_year_start_month
    }

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

    /// The target of a dimension for a service: the service's own, else its first SLA
    /// policy's (for compliance), else the catalog-wide one.
    pub fn target(&self, service: &Service, dimension: Dimension) -> Option<f64> {
        let name = dimension.name();
        service
            .targets
            .get(&name)
            .copied()
            .or_else(|| {
                (dimension == Dimension::SlaCompliance)
                    .then(|| service.sla.first().map(|p| p.target_ratio))
                    .flatten()
            })
            .or_else(|| self.targets.get(&name).copied())
    }

    /// The jurisdiction services name by `id`, if the catalog names it.
    pub fn jurisdiction(&self, id: &str) -> Option<&Jurisdiction> {
        self.jurisdictions.iter().find(|j| j.id == id)
    }

    /// The catalog as a reader limited to `services` sees it: their interventions and
    /// exceptions only, peers among them only (so no figure of another service reaches a
    /// benchmark), and the same reporting zone and fiscal year as the whole catalog.
    pub fn within(&self, services: &std::collections::BTreeSet<String>) -> Catalog {
        let mut catalog = self.clone();
        catalog.reporting_time_zone = Some(self.reporting_zone());
        catalog.services.retain(|s| services.contains(&s.id));
        catalog
            .interventions
            .retain(|i| services.contains(&i.service_id));
        catalog
            .exceptions
            .retain(|e| e.services.iter().any(|s| services.contains(s)));
        for exception in &mut catalog.exceptions {
            exception.services.retain(|s| services.contains(s));
        }
        catalog.index = catalog
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        catalog
    }

    /// Other services of the same category: the peers for benchmarks and comparisons.
    pub fn peers<'a>(&'a self, service: &'a Service) -> impl Iterator<Item = &'a Service> + 'a {
        self.services
            .iter()
            .filter(move |s| s.category == service.category && s.id != service.id)
    }

    /// The theme `id` of the taxonomy, if the catalog has it.
    pub fn theme(&self, id: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.id == id)
    }

    pub fn calendar(&self, id: &str) -> Option<&Calendar> {
        self.calendars.iter().find(|c| c.id == id)
    }

    /// Rejects a catalog that would make events unvalidatable or ambiguous.
    fn check(&self) -> Result<(), CatalogError> {
        let mut calendar_ids = HashSet::new();
        for calendar in &self.calendars {
            calendar.check().map_err(|reason| {
                CatalogError::Invalid(format!("calendar `{}`: {reason}", calendar.id))
            })?;
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
            let mut stages = HashSet::new();
            for stage in &service.stages {
                if stage.is_empty() || stage.contains(char::is_whitespace) {
                    return Err(CatalogError::Invalid(format!(
                        "service `{}`: stage `{stage}` must be non-empty and free of white space",
                        service.id
                    )));
                }
                if stage == UNSPECIFIED_STAGE || !stages.insert(stage.as_str()) {
                    return Err(CatalogError::Invalid(format!(
                        "service `{}`: stage `{stage}` is listed twice or is `{UNSPECIFIED_STAGE}`",
                        service.id
                    )));
                }
            }
            let has_hours = self
                .calendar(&service.calendar)
                .is_some_and(Calendar::has_hours);
            for policy in &service.sla {
                if !has_hours && policy.units().any(|u| u.seconds().is_some()) {
                    return Err(CatalogError::Invalid(format!(
                        "service `{}`, SLA policy `{}`: a business-hours limit needs opening hours in calendar `{}`",
                        service.id, policy.id, service.calendar
                    )));
                }
                policy.check().map_err(|reason| {
                    CatalogError::Invalid(format!(
                        "service `{}`, SLA policy `{}`: {reason}",
                        service.id, policy.id
                    ))
                })?;
            }
            check_targets(&format!("service `{}`", service.id), &service.targets)?;
            if !calendar_ids.contains(service.calendar.as_str()) {
                return Err(CatalogError::Invalid(format!(
                    "service `{}` refers to unknown calendar `{}`",
                    service.id, service.calendar
                )));
            }
        }
        check_targets("[targets]", &self.targets)?;
        self.remissions
            .check()
            .map_err(|reason| CatalogError::Invalid(format!("[remissions]: {reason}")))?;
        let mut exception_ids = HashSet::new();
        for exception in &self.exceptions {
            exception.check().map_err(|reason| {
                CatalogError::Invalid(format!("exception `{}`: {reason}", exception.id))
            })?;
            if !exception_ids.insert(exception.id.as_str()) {
                return Err(CatalogError::Invalid(format!(
                    "exception `{}` is defined twice",
                    exception.id
                )));
            }
            if let Some(unknown) = exception
                .services
                .iter()
                .find(|s| !service_ids.contains(s.as_str()))
            {
                return Err(CatalogError::Invalid(format!(
                    "exception `{}` refers to unknown service `{unknown}`",
                    exception.id
                )));
            }
        }
        let mut intervention_ids = HashSet::new();
        for intervention in &self.interventions {
            if !intervention_ids.insert(intervention.id.as_str()) {
                return Err(CatalogError::Invalid(format!(
                    "intervention `{}` is defined twice",
                    intervention.id
                )));
            }
            if !service_ids.contains(intervention.service_id.as_str()) {
                return Err(CatalogError::Invalid(format!(
                    "intervention `{}` refers to unknown service `{}`",
                    intervention.id, intervention.service_id
                )));
            }
        }
        crate::theme::check(&self.themes, &service_ids)
            .map_err(|reason| CatalogError::Invalid(format!("[[themes]]: {reason}")))?;
        crate::life_event::check(&self.life_events, &service_ids)
            .map_err(|reason| CatalogError::Invalid(format!("[[life_events]]: {reason}")))?;
        Ok(())
    }
}

/// Targets must name a dimension that can have one, with a value of its scale.
fn check_targets(owner: &str, targets: &BTreeMap<String, f64>) -> Result<(), CatalogError> {
    for (name, value) in targets {
        let dimension = Dimension::parse(name).ok_or_else(|| {
            CatalogError::Invalid(format!(
                "{owner}: target `{name}` is not a matrix dimension"
            ))
        })?;
        let in_range = match dimension.kind() {
            Kind::Count => {
                return Err(CatalogError::Invalid(format!(
                    "{owner}: `{name}` is a volume and takes no target"
                )))
            }
            Kind::Share | Kind::Gap => (0.0..=1.0).contains(value),
            Kind::Mean => (1.0..=5.0).contains(value),
            Kind::Days | Kind::Money => *value >= 0.0,
        };
        if !in_range {
            return Err(CatalogError::Invalid(format!(
                "{owner}: target `{name}` = {value} is outside the dimension's scale"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cost_counts_only_for_ranges_its_entries_tile_exactly() {
        let day = |d: &str| d.parse::<chrono::NaiveDate>().unwrap();
        let cost = |from: &str, to: &str, amount: f64| Cost {
            from: day(from),
            to: day(to),
            amount,
            currency: "CAD".into(),
        };
        let service: Service = toml::from_str(
            r#"
            id = "s"
            name = "S"
            category = "c"
            jurisdiction = "CA"
            channels = ["web"]
            time_zone = "America/Toronto"
            calendar = "ca"
            "#,
        )
        .unwrap();
        let service = Service {
            costs: vec![
                cost("2026-07-01", "2026-08-01", 100.0),
                cost("2026-08-01", "2026-09-01", 200.0),
                cost("2026-09-01", "2026-10-01", 300.0),
            ],
            ..service
        };
        // A month, and a quarter its three months tile.
        assert_eq!(
            service.cost(day("2026-08-01"), day("2026-09-01")),
            Some((200.0, "CAD"))
        );
        assert_eq!(
            service.cost(day("2026-07-01"), day("2026-10-01")),
            Some((600.0, "CAD"))
        );
        // Half a month would have to be apportioned; a month with no entry has no cost.
        assert_eq!(service.cost(day("2026-08-01"), day("2026-08-15")), None);
        assert_eq!(service.cost(day("2026-10-01"), day("2026-11-01")), None);
        // A range only partly covered has none either.
        assert_eq!(service.cost(day("2026-09-01"), day("2026-11-01")), None);
    }

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
    fn targets_come_from_the_service_then_its_policy_then_the_catalog() {
        let text = format!(
            "[targets]\nsatisfaction_top2_share = 0.8\nsla_compliance = 0.5\n{TWO_SERVICES}\n[services.targets]\nsatisfaction_top2_share = 0.7\n"
        );
        let catalog = Catalog::from_toml_str(&text).unwrap();
        let service = catalog.service("a").unwrap();
        assert_eq!(
            catalog.target(
                service,
                Dimension::parse("satisfaction_top2_share").unwrap()
            ),
            Some(0.7)
        );
        assert_eq!(catalog.target(service, Dimension::SlaCompliance), Some(0.5));
        assert_eq!(catalog.target(service, Dimension::DigitalTakeUp), None);
    }

    #[test]
    fn a_target_on_an_unknown_dimension_or_scale_is_refused() {
        for (targets, expected) in [
            ("happiness = 0.9", "not a matrix dimension"),
            ("responses = 10.0", "takes no target"),
            (
                "satisfaction_top2_share = 80.0",
                "outside the dimension's scale",
            ),
        ] {
            let text = format!("[targets]\n{targets}\n{TWO_SERVICES}");
            let error = Catalog::from_toml_str(&text).unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn stages_are_identifiers_listed_once_and_never_the_unspecified_one() {
        let with = |stages: &str| {
            Catalog::from_toml_str(&TWO_SERVICES.replace(
                "calendar = \"ca\"\n",
                &format!("calendar = \"ca\"\nstages = [{stages}]\n"),
            ))
        };
        let catalog = with("\"application\", \"outcome\"").unwrap();
        assert_eq!(
            catalog.service("a").unwrap().stages,
            ["application", "outcome"]
        );
        for (stages, expected) in [
            ("\"apply\", \"apply\"", "listed twice"),
            ("\"unspecified\"", "listed twice or is `unspecified`"),
            ("\"on hold\"", "free of white space"),
            ("\"\"", "non-empty"),
        ] {
            let error = with(stages).unwrap_err().to_string();
            assert!(error.contains(expected), "{stages}: {error}");
        }
    }

    #[test]
    fn an_intervention_on_an_unknown_service_is_refused() {
        let text = format!(
            "{TWO_SERVICES}\n[[interventions]]\nid = \"x\"\nservice_id = \"zz\"\nname = \"X\"\ndate = \"2026-03-01\"\n"
        );
        let error = Catalog::from_toml_str(&text).unwrap_err().to_string();
        assert!(error.contains("unknown service `zz`"), "{error}");
    }

    #[test]
    fn a_life_event_through_an_unknown_service_is_refused_by_the_catalog() {
        let repository = include_str!("../../../catalog.toml");
        let catalog = Catalog::from_toml_str(repository).unwrap();
        let (a, b) = (&catalog.services[0].id, &catalog.services[1].id);
        let event = |second: &str| {
            format!(
                "{repository}\n[[life_events]]\nid = \"e\"\nname = \"E\"\nname_fr = \"É\"\n\
                 steps = [{{ service_id = \"{a}\" }}, {{ service_id = \"{second}\" }}]\n"
            )
        };
        let with = Catalog::from_toml_str(&event(b)).unwrap();
        assert_eq!(with.life_events.len(), 1);
        let error = Catalog::from_toml_str(&event("zz"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("[[life_events]]") && error.contains("`zz` is not a catalog service"),
            "{error}"
        );
    }

    #[test]
    fn the_reporting_zone_is_the_key_else_the_first_service_else_utc() {
        let catalog = Catalog::from_toml_str(TWO_SERVICES).unwrap();
        assert_eq!(catalog.reporting_zone(), catalog.services[0].time_zone);
        let text = format!("reporting_time_zone = \"America/Vancouver\"\n{TWO_SERVICES}");
        assert_eq!(
            Catalog::from_toml_str(&text).unwrap().reporting_zone(),
            chrono_tz::America::Vancouver
        );
        assert_eq!(Catalog::default().reporting_zone(), chrono_tz::UTC);
        let text = format!("reporting_time_zone = \"Mars/Olympus\"\n{TWO_SERVICES}");
        assert!(Catalog::from_toml_str(&text).is_err());
    }

    #[test]
    fn an_unknown_time_zone_is_refused() {
        let text = TWO_SERVICES.replace("America/Toronto", "Mars/Olympus");
        assert!(Catalog::from_toml_str(&text).is_err());
    }

    #[test]
    fn the_shipped_example_catalog_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog.toml");
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
        let leaves: Vec<_> = crate::theme::leaves(&catalog.themes).collect();
        assert_eq!(leaves.len(), 19);
        assert!(leaves.iter().all(|t| t.parent.is_some()));
        assert_eq!(
            catalog.theme("waiting-time").unwrap().name_fr,
            "Temps d'attente"
        );
    }

    #[test]
    fn a_theme_under_an_unknown_parent_is_refused_by_the_catalog() {
        let text = format!(
            "{TWO_SERVICES}\n[[themes]]\nid = \"wait\"\nname = \"Wait\"\nname_fr = \"Attente\"\nparent = \"time\"\nseeds = [\"wait\"]\nseeds_fr = [\"attente\"]\n"
        );
        let error = Catalog::from_toml_str(&text).unwrap_err().to_string();
        assert!(
            error.contains("[[themes]]: theme `wait` has unknown parent `time`"),
            "{error}"
        );
    }
}
