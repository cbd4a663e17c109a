//! Assembles the matrix from tallies: for every service (and group, when broken down) and
//! every dimension one cell with its value, n, interval, target, peer benchmark, the
//! previous period's value, the change and a status.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::dimension::Dimension;
use civicpulse_core::Catalog;

use super::dimensions::{measure, not_applicable, GroupBy, Measured};
use super::stats::median;
use super::status::{judge, MatrixStatus};
use super::tally::Tally;
use crate::period::Period;

/// Tallies by (service id, group value); the group is `all` for whole services.
pub type Slices = BTreeMap<(String, String), Tally>;

/// The group label of a whole service.
pub const WHOLE_SERVICE: &str = "all";
/// The group label of respondents or cases that declared no value.
pub const NOT_DECLARED: &str = "not_declared";

/// One cell of the matrix: a service (or one of its groups) and a dimension in a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The period's label (`2026-10`, `2026-Q4`, …).
    pub period: String,
    pub period_from: NaiveDate,
    /// The day after the period's last.
    pub period_to: NaiveDate,
    pub service_id: String,
    pub service_name: String,
    pub category: String,
    pub group_by: GroupBy,
    pub group: String,
    pub dimension: String,
    pub family: String,
    /// Absent when withheld (too few observations) or not measured for this breakdown.
    pub value: Option<f64>,
    pub n: u64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub target: Option<f64>,
    /// Median of the peer services (same category) with enough data.
    pub benchmark: Option<f64>,
    pub previous_value: Option<f64>,
    pub change: Option<f64>,
    pub status: MatrixStatus,
    /// Why a value is missing, or what an equity gap compares.
    pub note: String,
    /// When the aggregator or the API computed the cell: a snapshot's shows what was known
    /// then.
    pub computed_at: DateTime<Utc>,
}

/// The matrix of one period and breakdown.
pub fn build(
    catalog: &Catalog,
    config: &MatrixConfig,
    period: &Period,
    group_by: GroupBy,
    current: &Slices,
    previous: &Slices,
    computed_at: DateTime<Utc>,
) -> Vec<Cell> {
    let dimensions = Dimension::all();
    let rows = rows(catalog, group_by, current);
    // A whole service's tally carries the period's cost from the catalog.
    let costed = |slices: &Slices, service: &str, group: &str, from, to| {
        let mut tally = slices
            .get(&(service.to_string(), group.to_string()))
            .cloned()
            .unwrap_or_default();
        if group == WHOLE_SERVICE && group_by == GroupBy::Service {
            tally.cost = catalog
                .service(service)
                .and_then(|s| s.cost(from, to))
                .map(|(amount, _)| amount);
        }
        tally
    };
    // Each row's tally once: cells, peers and the applicability rules all read it.
    let tallies: BTreeMap<(&str, &str), Tally> = rows
        .iter()
        .map(|&(service, group)| {
            let tally = costed(current, service, group, period.from, period.to);
            ((service, group), tally)
        })
        .collect();
    let measured: BTreeMap<(&str, &str, Dimension), Measured> = tallies
        .iter()
        .flat_map(|(&(service, group), tally)| {
            dimensions.iter().map(move |&dimension| {
                (
                    (service, group, dimension),
                    measure(tally, dimension, config.min_responses),
                )
            })
        })
        .collect();

    let mut cells = Vec::with_capacity(measured.len());
    for (service_id, group) in &rows {
        let service = catalog
            .service(service_id)
            .expect("rows come from the catalog");
        for &dimension in &dimensions {
            let mut cell = Cell {
                period: period.to_string(),
                period_from: period.from,
                period_to: period.to,
                service_id: service.id.clone(),
                service_name: service.name.clone(),
                category: service.category.clone(),
                group_by,
                group: display_group(group),
                dimension: dimension.name(),
                family: dimension.family().as_str().to_string(),
                value: None,
                n: 0,
                ci_low: None,
                ci_high: None,
                target: catalog.target(service, dimension),
                benchmark: None,
                previous_value: None,
                change: None,
                status: MatrixStatus::NotAvailable,
                note: String::new(),
                computed_at,
            };
            if !group_by.measures(dimension) {
                cell.note = format!("not measured by {}", group_by.as_str());
                cells.push(cell);
                continue;
            }
            if let Some(note) = not_applicable(service, dimension, &tallies[&(*service_id, *group)])
            {
                cell.note = note;
                cells.push(cell);
                continue;
            }
            // A peer without this group has no figure to offer, as `measured` says too.
            let peers: Vec<f64> = catalog
                .peers(service)
                .filter(|peer| {
                    tallies
                        .get(&(peer.id.as_str(), *group))
                        .is_some_and(|tally| not_applicable(peer, dimension, tally).is_none())
                })
                .filter_map(|peer| {
                    measured
                        .get(&(peer.id.as_str(), *group, dimension))?
                        .estimate()
                        .map(|e| e.value)
                })
                .collect();
            cell.benchmark = median(&peers);
            match &measured[&(*service_id, *group, dimension)] {
                Measured::TooFew { n, note } => {
                    cell.n = *n;
                    cell.note = note.clone();
                    cell.status = MatrixStatus::InsufficientData;
                }
                Measured::Value { estimate, note } => {
                    cell.value = Some(estimate.value);
                    cell.n = estimate.n;
                    cell.ci_low = estimate.interval.map(|(low, _)| low);
                    cell.ci_high = estimate.interval.map(|(_, high)| high);
                    cell.note = note.clone();
                    let reference = cell.target.or(cell.benchmark);
                    cell.status = judge(dimension, estimate, reference, config.amber_tolerance);
                    cell.previous_value = previous
                        .contains_key(&(service_id.to_string(), group.to_string()))
                        .then(|| {
                            costed(
                                previous,
                                service_id,
                                group,
                                period.previous_from,
                                period.previous_to,
                            )
                        })
                        .filter(|tally| not_applicable(service, dimension, tally).is_none())
                        .and_then(|tally| {
                            measure(&tally, dimension, config.min_responses)
                                .estimate()
                                .map(|e| e.value)
                        });
                    cell.change = cell.previous_value.map(|before| estimate.value - before);
                }
            }
            cells.push(cell);
        }
    }
    cells
}

/// Every catalog service for whole services; for a breakdown, each service's groups seen
/// in the period, in catalog order.
fn rows<'a>(
    catalog: &'a Catalog,
    group_by: GroupBy,
    current: &'a Slices,
) -> Vec<(&'a str, &'a str)> {
    let mut rows = Vec::new();
    for service in &catalog.services {
        if group_by == GroupBy::Service {
            rows.push((service.id.as_str(), WHOLE_SERVICE));
            continue;
        }
        let groups: BTreeSet<&str> = current
            .keys()
            .filter(|(s, _)| *s == service.id)
            .map(|(_, group)| group.as_str())
            .collect();
        rows.extend(groups.into_iter().map(|group| (service.id.as_str(), group)));
    }
    rows
}

/// A group as people read it: a value nobody declared (a respondent's segment, the channel
/// of page feedback) is named, not left blank. Every reader of stored groups uses it.
pub fn display_group(group: &str) -> String {
    if group.is_empty() {
        NOT_DECLARED.to_string()
    } else {
        group.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::tally::{QuestionSums, SlaOutcome};
    use civicpulse_core::dimension::Question;

    const CATALOG: &str = r#"
        [targets]
        satisfaction_top2_share = 0.8

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

        [[services]]
        id = "c"
        name = "C"
        category = "docs"
        jurisdiction = "CA"
        channels = ["web"]
        time_zone = "America/Toronto"
        calendar = "ca"
    "#;

    fn tally(answers: &[u8], transactions: u64, digital: u64) -> Tally {
        let mut tally = Tally::default();
        let mut questions = [QuestionSums::default(); 7];
        questions[0] = QuestionSums::of(answers);
        tally.add_responses(SlaOutcome::Unknown, answers.len() as u64, questions);
        tally.transactions = transactions;
        tally.digital_transactions = digital;
        tally
    }

    fn cell<'a>(cells: &'a [Cell], service: &str, dimension: Dimension) -> &'a Cell {
        cells
            .iter()
            .find(|c| c.service_id == service && c.dimension == dimension.name())
            .unwrap()
    }

    #[test]
    fn cells_carry_target_benchmark_previous_and_status() {
        let catalog = Catalog::from_toml_str(CATALOG).unwrap();
        let config = MatrixConfig::default();
        let period = Period::month(2026, 10).unwrap();
        let slice = |s: &str| (s.to_string(), WHOLE_SERVICE.to_string());
        let current: Slices = [
            (slice("a"), tally(&[5, 5, 5, 5, 5, 5, 5, 5, 4, 1], 100, 70)), // 0.9
            (slice("b"), tally(&[5, 5, 5, 5, 5, 5, 1, 1, 1, 1], 100, 50)), // 0.6
            (slice("c"), tally(&[5, 1, 1], 100, 30)),                      // too few
        ]
        .into_iter()
        .collect();
        let previous: Slices = [(slice("a"), tally(&[5, 5, 5, 5, 5, 5, 5, 1, 1, 1], 80, 40))]
            .into_iter()
            .collect();
        let cells = build(
            &catalog,
            &config,
            &period,
            GroupBy::Service,
            &current,
            &previous,
            Utc::now(),
        );
        assert_eq!(cells.len(), 3 * Dimension::all().len());

        let top2 = Dimension::Top2Share(Question::Satisfaction);
        let a = cell(&cells, "a", top2);
        assert_eq!(a.value, Some(0.9));
        assert_eq!((a.target, a.status), (Some(0.8), MatrixStatus::Green));
        assert_eq!(a.benchmark, Some(0.6), "c has too few answers to count");
        assert_eq!(a.previous_value, Some(0.7));
        assert!((a.change.unwrap() - 0.2).abs() < 1e-12);
        assert!(a.ci_low.unwrap() < 0.9 && a.ci_high.unwrap() > 0.9);

        let c = cell(&cells, "c", top2);
        assert_eq!(
            (c.value, c.n, c.status),
            (None, 3, MatrixStatus::InsufficientData)
        );
        assert!(c.note.contains("too few"), "{}", c.note);

        // No service here has a service standard: its timeliness does not apply, rather
        // than being "withheld, n = 0".
        for dimension in [
            Dimension::SlaCompliance,
            Dimension::SlaP90ElapsedDays,
            Dimension::SatisfactionWhenMet,
            Dimension::EquityGapTimeliness,
        ] {
            let timeliness = cell(&cells, "a", dimension);
            assert_eq!(timeliness.status, MatrixStatus::NotAvailable, "{dimension}");
            assert_eq!(timeliness.note, "the service has no service standard");
        }

        // No target for digital take-up: judged against the peers' median (0.5 and 0.3 for
        // a; 0.7 and 0.3 for b).
        let digital = cell(&cells, "a", Dimension::DigitalTakeUp);
        assert_eq!(
            (digital.benchmark, digital.status),
            (Some(0.4), MatrixStatus::Green)
        );
        let digital_b = cell(&cells, "b", Dimension::DigitalTakeUp);
        assert_eq!(digital_b.benchmark, Some(0.5));
        assert_eq!(digital_b.status, MatrixStatus::Green);
        let digital_c = cell(&cells, "c", Dimension::DigitalTakeUp);
        assert_eq!(
            (digital_c.benchmark, digital_c.status),
            (Some(0.6), MatrixStatus::Red)
        );
    }

    #[test]
    fn figures_that_cannot_mean_what_they_say_are_not_judged() {
        // Service "d" is offered in person only: its digital take-up is not 0 % (red), it
        // does not apply. Service "a" got more responses than recorded offers (a widget):
        // no response rate above 100 % is judged green.
        let in_person = CATALOG.to_string()
            + r#"
        [[services]]
        id = "d"
        name = "D"
        category = "docs"
        jurisdiction = "CA"
        channels = ["in_person"]
        time_zone = "America/Toronto"
        calendar = "ca"
        "#;
        let catalog = Catalog::from_toml_str(&in_person).unwrap();
        let slice = |s: &str| (s.to_string(), WHOLE_SERVICE.to_string());
        let mut widget = tally(&[5; 12], 100, 60);
        widget.surveys_offered = 3;
        // More decisions than applications received in the period (a backlog cleared).
        widget.cases_received = 30;
        widget.cases_decided = 31;
        let mut offered = tally(&[5; 12], 100, 60);
        offered.surveys_offered = 40;
        offered.cases_received = 20;
        offered.cases_decided = 18;
        let mut in_person_only = tally(&[5; 12], 100, 0);
        in_person_only.cases_received = 20;
        in_person_only.cases_decided = 10;
        let current: Slices = [
            (slice("a"), widget),
            (slice("b"), offered),
            (slice("d"), in_person_only),
        ]
        .into_iter()
        .collect();
        let cells = build(
            &catalog,
            &MatrixConfig::default(),
            &Period::month(2026, 10).unwrap(),
            GroupBy::Service,
            &current,
            &current,
            Utc::now(),
        );
        let digital = cell(&cells, "d", Dimension::DigitalTakeUp);
        assert_eq!(
            (digital.value, digital.status),
            (None, MatrixStatus::NotAvailable)
        );
        assert!(
            digital.note.contains("no digital channel"),
            "{}",
            digital.note
        );
        let rate = cell(&cells, "a", Dimension::ResponseRate);
        assert_eq!(
            (rate.value, rate.status),
            (None, MatrixStatus::NotAvailable)
        );
        assert!(
            rate.note.contains("12 responses against 3"),
            "{}",
            rate.note
        );
        let completion = cell(&cells, "a", Dimension::CompletionRate);
        assert_eq!(
            (completion.value, completion.status),
            (None, MatrixStatus::NotAvailable)
        );
        assert!(
            completion.note.contains("31 decisions against 30"),
            "{}",
            completion.note
        );
        // b's peers: a's 103 % is no benchmark, d's 50 % is.
        assert_eq!(
            cell(&cells, "b", Dimension::CompletionRate).benchmark,
            Some(0.5)
        );
        let peer = cell(&cells, "b", Dimension::ResponseRate);
        assert_eq!(peer.value, Some(0.3));
        assert_eq!(peer.benchmark, None, "a's rate is no benchmark for b");
        assert_eq!(
            cell(&cells, "a", Dimension::DigitalTakeUp).benchmark,
            Some(0.6),
            "d's 0 % is no benchmark either"
        );
    }

    #[test]
    fn cost_per_transaction_comes_from_the_catalog_or_is_not_available() {
        // The last service ("c") has October's cost; "a" has none, so no figure, never 0.
        let costed = CATALOG.to_string()
            + r#"
        [[services.costs]]
        from = "2026-10-01"
        to = "2026-11-01"
        amount = 2500.0
        currency = "CAD"
        "#;
        let catalog = Catalog::from_toml_str(&costed).unwrap();
        let slice = |s: &str| (s.to_string(), WHOLE_SERVICE.to_string());
        let current: Slices = [
            (slice("a"), tally(&[5; 12], 100, 60)),
            (slice("c"), tally(&[5; 12], 200, 60)),
        ]
        .into_iter()
        .collect();
        let cells = build(
            &catalog,
            &MatrixConfig::default(),
            &Period::month(2026, 10).unwrap(),
            GroupBy::Service,
            &current,
            &current,
            Utc::now(),
        );
        let c = cell(&cells, "c", Dimension::CostPerTransaction);
        assert_eq!((c.value, c.n), (Some(12.5), 200));
        assert_eq!(c.previous_value, None, "September has no cost");
        let a = cell(&cells, "a", Dimension::CostPerTransaction);
        assert_eq!((a.value, a.status), (None, MatrixStatus::NotAvailable));
        assert!(a.note.contains("no cost"), "{}", a.note);
    }

    #[test]
    fn breakdown_rows_follow_the_data_and_mark_what_they_cannot_measure() {
        let catalog = Catalog::from_toml_str(CATALOG).unwrap();
        let config = MatrixConfig::default();
        let period = Period::month(2026, 10).unwrap();
        let current: Slices = [
            (("a".to_string(), "ON".to_string()), tally(&[5; 12], 0, 0)),
            (("a".to_string(), String::new()), tally(&[4; 12], 0, 0)),
        ]
        .into_iter()
        .collect();
        let cells = build(
            &catalog,
            &config,
            &period,
            GroupBy::Region,
            &current,
            &Slices::new(),
            Utc::now(),
        );
        let groups: BTreeSet<&str> = cells.iter().map(|c| c.group.as_str()).collect();
        assert_eq!(groups, BTreeSet::from(["ON", NOT_DECLARED]));
        let transactions = cells
            .iter()
            .find(|c| c.dimension == "transactions")
            .unwrap();
        assert_eq!(transactions.status, MatrixStatus::NotAvailable);
    }

    #[test]
    fn page_feedback_without_a_declared_channel_is_its_own_row_by_channel() {
        let catalog = Catalog::from_toml_str(CATALOG).unwrap();
        let current: Slices = [
            (("a".to_string(), "web".to_string()), tally(&[5; 12], 0, 0)),
            (("a".to_string(), String::new()), tally(&[4; 12], 0, 0)),
        ]
        .into_iter()
        .collect();
        let cells = build(
            &catalog,
            &MatrixConfig::default(),
            &Period::month(2026, 10).unwrap(),
            GroupBy::Channel,
            &current,
            &Slices::new(),
            Utc::now(),
        );
        let groups: BTreeSet<&str> = cells.iter().map(|c| c.group.as_str()).collect();
        assert_eq!(groups, BTreeSet::from(["web", NOT_DECLARED]));
        assert_eq!(display_group(""), NOT_DECLARED);
    }

    #[test]
    fn a_stored_cell_reads_back_as_the_cell_the_api_showed() {
        let catalog = Catalog::from_toml_str(CATALOG).unwrap();
        let period = Period::month(2026, 10).unwrap();
        let slice = |s: &str| (s.to_string(), WHOLE_SERVICE.to_string());
        let current: Slices = [
            (slice("a"), tally(&[5, 5, 5, 5, 5, 5, 5, 5, 4, 1], 100, 70)),
            (slice("c"), tally(&[5, 1, 1], 100, 30)),
        ]
        .into_iter()
        .collect();
        let computed_at = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let cells = build(
            &catalog,
            &MatrixConfig::default(),
            &period,
            GroupBy::Service,
            &current,
            &Slices::new(),
            computed_at,
        );
        assert!(cells.iter().any(|c| c.value.is_some()));
        for shown in cells {
            let stored = crate::matrix::snapshot::row(&period, shown.clone(), computed_at);
            assert_eq!(crate::matrix::snapshot::cell(stored, &catalog), shown);
        }
    }
}
