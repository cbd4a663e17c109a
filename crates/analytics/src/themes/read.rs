//! The typed read behind the drivers and the theme shares: each service's respondents whose
//! comment was read, grouped by the themes of the comment's newest reading and by whether
//! they were dissatisfied. Dissatisfaction is `civicpulse_core::dimension::dissatisfied`,
//! the one rule, applied here to the answers the store returns.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use civicpulse_core::calendar::local_midnight;
use civicpulse_core::dimension::dissatisfied;
use civicpulse_core::Catalog;
use civicpulse_store::tables::comment_readings::{RespondentThemes, ThemeCount, ThemeWindow};
use civicpulse_store::{FeedbackStore, StoreError};

use super::drivers::Respondent;

/// Respondents who share a theme set and an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Sorted theme ids.
    pub themes: Vec<String>,
    /// None when the respondent gave neither a satisfaction answer nor a yes/no.
    pub dissatisfied: Option<bool>,
    pub respondents: u64,
}

/// One service's comments read over a window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Readings {
    pub groups: Vec<Group>,
}

/// Readings by service id; a service without a comment read is absent.
pub type ByService = BTreeMap<String, Readings>;

impl Readings {
    /// Pools another service's readings into these (peers pooled for a comparison).
    pub fn pool(&mut self, other: &Readings) {
        self.groups.extend(other.groups.iter().cloned());
    }

    /// Comments read.
    pub fn comments(&self) -> u64 {
        self.groups.iter().map(|g| g.respondents).sum()
    }

    /// Comments carrying any of `themes`.
    pub fn about(&self, themes: &[&str]) -> u64 {
        self.groups
            .iter()
            .filter(|g| g.themes.iter().any(|t| themes.contains(&t.as_str())))
            .map(|g| g.respondents)
            .sum()
    }

    /// Every theme some comment carries, sorted.
    pub fn themes(&self) -> Vec<String> {
        let themes: BTreeSet<&String> = self.groups.iter().flat_map(|g| &g.themes).collect();
        themes.into_iter().cloned().collect()
    }

    /// One respondent per comment whose response says how they felt, with its themes as
    /// indices into `themes` (a theme not listed is left out).
    pub fn respondents(&self, themes: &[String]) -> Vec<Respondent> {
        let mut respondents = Vec::new();
        for group in &self.groups {
            let Some(dissatisfied) = group.dissatisfied else {
                continue;
            };
            let indices: Vec<usize> = group
                .themes
                .iter()
                .filter_map(|t| themes.iter().position(|known| known == t))
                .collect();
            for _ in 0..group.respondents {
                respondents.push(Respondent {
                    themes: indices.clone(),
                    dissatisfied,
                });
            }
        }
        respondents
    }
}

/// The readings of comments made on local days [from, to) of each service (all catalog
/// services when `services` is None), each service's days in its own time zone as the
/// matrix's rollups count them: one read per time zone.
pub async fn over_days(
    store: &dyn FeedbackStore,
    catalog: &Catalog,
    services: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<ByService, StoreError> {
    let mut by_service = ByService::new();
    for (zone, ids) in by_zone(catalog, services) {
        let window = ThemeWindow {
            services: &ids,
            from: local_midnight(from, zone),
            to: local_midnight(to, zone),
        };
        add(&mut by_service, store.respondent_themes(&window).await?);
    }
    Ok(by_service)
}

/// Each service's theme counts (comments read, mentions, negative) over local days
/// [from, to), its days in its own time zone as [`over_days`] and the matrix count them, so
/// a share agrees wherever it is shown.
pub async fn counts_over_days(
    store: &dyn FeedbackStore,
    catalog: &Catalog,
    services: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ThemeCount>, StoreError> {
    let mut counts = Vec::new();
    for (zone, ids) in by_zone(catalog, services) {
        let window = ThemeWindow {
            services: &ids,
            from: local_midnight(from, zone),
            to: local_midnight(to, zone),
        };
        counts.extend(store.theme_counts(&window).await?);
    }
    counts.sort_by(|a, b| (&a.service_id, &a.theme).cmp(&(&b.service_id, &b.theme)));
    Ok(counts)
}

/// The wanted catalog services (all when None) grouped by time zone: one read per zone.
fn by_zone(catalog: &Catalog, services: Option<&[String]>) -> Vec<(chrono_tz::Tz, Vec<String>)> {
    let mut by_zone: BTreeMap<&str, (chrono_tz::Tz, Vec<String>)> = BTreeMap::new();
    for service in &catalog.services {
        if services.is_some_and(|wanted| !wanted.contains(&service.id)) {
            continue;
        }
        by_zone
            .entry(service.time_zone.name())
            .or_insert_with(|| (service.time_zone, Vec::new()))
            .1
            .push(service.id.clone());
    }
    by_zone.into_values().collect()
}

fn add(by_service: &mut ByService, rows: Vec<RespondentThemes>) {
    for row in rows {
        let mut themes = row.themes;
        themes.sort();
        themes.dedup();
        by_service
            .entry(row.service_id)
            .or_default()
            .groups
            .push(Group {
                themes,
                dissatisfied: dissatisfied(row.satisfaction, row.helpful.map(|h| h != 0)),
                respondents: row.respondents,
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readings() -> Readings {
        let mut by_service = ByService::new();
        let row = |themes: &[&str], satisfaction, helpful, respondents| RespondentThemes {
            service_id: "a".into(),
            themes: themes.iter().map(|t| t.to_string()).collect(),
            satisfaction,
            helpful,
            respondents,
        };
        add(
            &mut by_service,
            vec![
                row(&["waiting-time", "forms-documents"], Some(1), None, 3),
                row(&["praise"], Some(5), None, 4),
                row(&["forms-documents"], None, Some(0), 2),
                row(&["fees-cost"], None, None, 5),
                row(&[], Some(3), None, 1),
            ],
        );
        by_service.remove("a").unwrap()
    }

    #[test]
    fn respondents_are_read_by_the_one_dissatisfaction_rule() {
        let readings = readings();
        assert_eq!(readings.comments(), 15);
        assert_eq!(readings.about(&["forms-documents", "fees-cost"]), 10);
        let themes = readings.themes();
        assert_eq!(
            themes,
            ["fees-cost", "forms-documents", "praise", "waiting-time"]
        );
        let respondents = readings.respondents(&themes);
        // The 5 who gave neither a rating nor a yes/no have no outcome.
        assert_eq!(respondents.len(), 10);
        assert_eq!(respondents.iter().filter(|r| r.dissatisfied).count(), 5);
        // A rating of 3 is not dissatisfied.
        assert!(respondents
            .iter()
            .any(|r| r.themes.is_empty() && !r.dissatisfied));
        let forms = themes.iter().position(|t| t == "forms-documents").unwrap();
        assert_eq!(
            respondents
                .iter()
                .filter(|r| r.dissatisfied && r.themes.contains(&forms))
                .count(),
            5
        );
    }
}
