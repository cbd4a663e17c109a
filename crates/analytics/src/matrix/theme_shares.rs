//! The matrix's theme family: for each whole service and each top-level theme of the
//! catalog, the share of the service's comments read in the period that are about it (carry
//! the theme or one of its children), with the usual cell: n = comments, Wilson interval,
//! the peers' median, the previous period and a status. A theme has no target, so its
//! status compares it with the service's own previous period (`status::against_previous`):
//! a rise reads as worse, a fall in praise too.
//!
//! The shares are read from `comment_readings` for each period asked (`themes::read`), not
//! from a daily rollup: comments are a small part of the responses, and their readings
//! change whenever the model does.

use chrono::{DateTime, Utc};
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::dimension::{Direction, Family};
use civicpulse_core::theme::{self, Theme};
use civicpulse_core::Catalog;

use super::build::{Cell, WHOLE_SERVICE};
use super::dimensions::{share, GroupBy, Measured};
use super::stats::median;
use super::status::{against_previous, MatrixStatus};
use crate::period::Period;
use crate::themes::read::{ByService, Readings};

/// Which way is better for a theme's share: fewer comments about it, but more praise.
pub fn direction(theme: &Theme) -> Direction {
    if theme.praise {
        Direction::HigherIsBetter
    } else {
        Direction::LowerIsBetter
    }
}

/// The share of the comments of `readings` (None: none read) about `theme`, withheld below
/// `min_n` comments: the one rule of the matrix's cells and of the interventions.
pub fn measure(themes: &[Theme], theme: &str, readings: Option<&Readings>, min_n: u64) -> Measured {
    let covered = theme::covered(themes, theme);
    let (about, comments) = readings.map_or((0, 0), |r| (r.about(&covered), r.comments()));
    share(about, comments, "comments", min_n)
}

/// The family's cells of whole services, in catalog order of services and themes.
pub fn cells(
    catalog: &Catalog,
    config: &MatrixConfig,
    period: &Period,
    current: &ByService,
    previous: &ByService,
    computed_at: DateTime<Utc>,
) -> Vec<Cell> {
    let min_n = config.min_responses;
    let mut cells = Vec::new();
    for service in &catalog.services {
        for theme in theme::top_level(&catalog.themes) {
            let measured = measure(&catalog.themes, &theme.id, current.get(&service.id), min_n);
            let peers: Vec<f64> = catalog
                .peers(service)
                .filter_map(|peer| {
                    measure(&catalog.themes, &theme.id, current.get(&peer.id), min_n)
                        .estimate()
                        .map(|e| e.value)
                })
                .collect();
            let mut cell = Cell {
                period: period.to_string(),
                period_from: period.from,
                period_to: period.to,
                service_id: service.id.clone(),
                service_name: service.name.clone(),
                category: service.category.clone(),
                group_by: GroupBy::Service,
                group: WHOLE_SERVICE.to_string(),
                dimension: theme::share_name(&theme.id),
                family: Family::Themes.as_str().to_string(),
                value: None,
                n: 0,
                ci_low: None,
                ci_high: None,
                target: None,
                benchmark: median(&peers),
                previous_value: None,
                change: None,
                status: MatrixStatus::InsufficientData,
                note: String::new(),
                computed_at,
            };
            match measured {
                Measured::TooFew { n, note } => {
                    cell.n = n;
                    cell.note = note;
                }
                Measured::Value { estimate, note } => {
                    let before =
                        measure(&catalog.themes, &theme.id, previous.get(&service.id), min_n);
                    let before = before.estimate();
                    cell.value = Some(estimate.value);
                    cell.n = estimate.n;
                    cell.ci_low = estimate.interval.map(|(low, _)| low);
                    cell.ci_high = estimate.interval.map(|(_, high)| high);
                    cell.note = note;
                    cell.previous_value = before.map(|e| e.value);
                    cell.change = before.map(|e| estimate.value - e.value);
                    cell.status = against_previous(direction(theme), &estimate, before);
                }
            }
            cells.push(cell);
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::read::Group;

    const CATALOG: &str = r#"
        [[calendars]]
        id = "ca"

        [[services]]
        id = "a"
        name = "A"
        category = "docs"
        jurisdiction = "CA"
        channels = ["web"]
        time_zone = "America/Toronto"
        calendar = "ca"

        [[services]]
        id = "b"
        name = "B"
        category = "docs"
        jurisdiction = "CA"
        channels = ["web"]
        time_zone = "America/Toronto"
        calendar = "ca"

        [[themes]]
        id = "process"
        name = "Process"
        name_fr = "Démarches"

        [[themes]]
        id = "forms"
        name = "Forms"
        name_fr = "Formulaires"
        parent = "process"
        seeds = ["form"]
        seeds_fr = ["formulaire"]

        [[themes]]
        id = "fees"
        name = "Fees"
        name_fr = "Frais"
        parent = "process"
        seeds = ["fee"]
        seeds_fr = ["frais"]

        [[themes]]
        id = "praise"
        name = "Praise"
        name_fr = "Éloges"
        praise = true
        seeds = ["thanks"]
        seeds_fr = ["merci"]
    "#;

    /// Comments carrying some themes, and how many.
    type Comments<'a> = &'a [(&'a [&'a str], u64)];

    /// Each service's comments.
    fn readings(entries: &[(&str, Comments<'_>)]) -> ByService {
        entries
            .iter()
            .map(|(service, groups)| {
                let groups = groups
                    .iter()
                    .map(|(themes, respondents)| Group {
                        themes: themes.iter().map(|t| t.to_string()).collect(),
                        dissatisfied: None,
                        respondents: *respondents,
                    })
                    .collect();
                (service.to_string(), Readings { groups })
            })
            .collect()
    }

    fn cell<'a>(cells: &'a [Cell], service: &str, theme: &str) -> &'a Cell {
        cells
            .iter()
            .find(|c| c.service_id == service && c.dimension == theme::share_name(theme))
            .unwrap()
    }

    #[test]
    fn a_parent_counts_each_comment_about_any_child_once() {
        let catalog = Catalog::from_toml_str(CATALOG).unwrap();
        let config = MatrixConfig::default();
        let period = Period::month(2026, 10).unwrap();
        let current = readings(&[
            (
                "a",
                &[
                    (&["forms", "fees"], 60),
                    (&["forms"], 20),
                    (&["praise"], 20),
                    (&[], 100),
                ],
            ),
            ("b", &[(&["fees"], 30), (&[], 170)]),
        ]);
        let previous = readings(&[("a", &[(&["forms"], 40), (&["praise"], 60), (&[], 100)])]);
        let cells = cells(&catalog, &config, &period, &current, &previous, Utc::now());
        assert_eq!(cells.len(), 4, "two services × two top-level themes");
        let process = cell(&cells, "a", "process");
        assert_eq!(process.family, "themes");
        assert_eq!((process.value, process.n), (Some(0.4), 200));
        assert_eq!(process.previous_value, Some(0.2));
        assert_eq!(process.benchmark, Some(0.15), "b's share");
        assert_eq!(process.target, None);
        assert_eq!(process.status, MatrixStatus::Red, "20 % → 40 % of 200");
        let (low, high) = (process.ci_low.unwrap(), process.ci_high.unwrap());
        assert!(low < 0.4 && 0.4 < high);
        // Praise fell from 30 % to 10 %: worse, since praise is better higher.
        let praise = cell(&cells, "a", "praise");
        assert_eq!(praise.status, MatrixStatus::Red);
        // b has no previous period.
        assert_eq!(
            cell(&cells, "b", "process").status,
            MatrixStatus::NoReference
        );
    }

    #[test]
    fn too_few_comments_withhold_the_share() {
        let catalog = Catalog::from_toml_str(CATALOG).unwrap();
        let config = MatrixConfig::default();
        let period = Period::month(2026, 10).unwrap();
        let few = config.min_responses - 1;
        let current = readings(&[("a", &[(&["forms"], few)])]);
        let cells = cells(
            &catalog,
            &config,
            &period,
            &current,
            &ByService::new(),
            Utc::now(),
        );
        let process = cell(&cells, "a", "process");
        assert_eq!((process.value, process.n), (None, few));
        assert_eq!(process.status, MatrixStatus::InsufficientData);
        assert!(process.note.contains("comments"), "{}", process.note);
        assert_eq!(cell(&cells, "b", "process").n, 0);
    }
}
