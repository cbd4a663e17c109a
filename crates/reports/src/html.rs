//! The report a person reads: one self-contained HTML file (inline CSS, no script, nothing
//! fetched), printable, with every status said in words and a symbol as well as a colour.
//! Every sentence is a template filled with the figures; nothing is written by hand.

use minijinja::{context, Environment};
use serde::Serialize;

use crate::Figures;

const TEMPLATE: &str = include_str!("../templates/report.html");

/// A number as the report prints it: a share as a percentage, a count or days as is, and
/// an absent figure as "withheld" or "–".
fn shown(value: Option<f64>, share: bool) -> String {
    match value {
        Some(v) if share => format!("{:.1} %", v * 100.0),
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.2}"),
        None => "–".to_string(),
    }
}

/// A status in words and a symbol, so colour is never the only signal.
fn status_text(status: &str) -> &'static str {
    match status {
        "green" => "✓ on target",
        "amber" => "◐ near target",
        "red" => "✗ off target",
        "insufficient_data" => "withheld: too few observations",
        "no_reference" => "no target or peers",
        "info" => "for information",
        _ => "not measured",
    }
}

#[derive(Serialize)]
struct CellShown {
    service_name: String,
    dimension: String,
    value: String,
    n: u64,
    interval: String,
    target: String,
    benchmark: String,
    previous: String,
    status: String,
    status_text: &'static str,
}

#[derive(Serialize)]
struct StandardShown {
    service_name: String,
    policy: String,
    closed: u64,
    met: u64,
    compliance: String,
    target: String,
    p90: String,
    refunds_owed: u64,
    refunds_owed_amount: String,
    currency: String,
}

/// Renders the report of `figures`; `min_responses` is the suppression threshold used.
pub fn render(figures: &Figures, min_responses: u64) -> Result<String, minijinja::Error> {
    let share = |dimension: &str| {
        dimension.contains("share")
            || dimension.contains("rate")
            || dimension.contains("compliance")
            || dimension.starts_with("equity_gap")
            || dimension.starts_with("satisfaction_when")
            || dimension == "digital_take_up"
    };
    let cells: Vec<CellShown> = figures
        .matrix
        .iter()
        .filter(|c| c.status.as_str() != "not_available")
        .map(|c| {
            let is_share = share(&c.dimension);
            CellShown {
                service_name: c.service_name.clone(),
                dimension: c.dimension.clone(),
                value: match c.value {
                    None if c.status.as_str() == "insufficient_data" => "withheld".into(),
                    value => shown(value, is_share),
                },
                n: c.n,
                interval: match (c.ci_low, c.ci_high) {
                    (Some(low), Some(high)) => format!(
                        "{} – {}",
                        shown(Some(low), is_share),
                        shown(Some(high), is_share)
                    ),
                    _ => "–".into(),
                },
                target: shown(c.target, is_share),
                benchmark: shown(c.benchmark, is_share),
                previous: shown(c.previous_value, is_share),
                status: c.status.as_str().to_string(),
                status_text: status_text(c.status.as_str()),
            }
        })
        .collect();
    let name = |id: &str| {
        figures
            .services
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| id.to_string(), |s| s.name.clone())
    };
    let standards: Vec<StandardShown> = figures
        .sla
        .iter()
        .map(|p| StandardShown {
            service_name: name(&p.service_id),
            policy: p.policy.clone(),
            closed: p.closed,
            met: p.met,
            compliance: shown(p.compliance_ratio, true),
            target: shown(Some(p.target_ratio), true),
            p90: shown(p.p90_elapsed_days, false),
            refunds_owed: p.refunds_owed,
            refunds_owed_amount: format!("{:.2}", p.refunds_owed_amount),
            currency: p.currency.clone(),
        })
        .collect();
    let missed: Vec<&StandardShown> = figures
        .sla
        .iter()
        .zip(&standards)
        .filter(|(p, _)| p.closed > 0 && p.compliance_ratio.is_some_and(|c| c < p.target_ratio))
        .map(|(_, shown)| shown)
        .collect();
    let count = |status: &str| {
        figures
            .matrix
            .iter()
            .filter(|c| c.status.as_str() == status)
            .count()
    };
    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)?;
    env.get_template("report.html")?.render(context! {
        figures => figures,
        cells => cells,
        standards => standards,
        standards_missed => missed,
        judged => count("green") + count("amber") + count("red"),
        on_target => count("green"),
        near_target => count("amber"),
        off_target => count("red"),
        withheld => count("insufficient_data"),
        min_responses => min_responses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_shown_with_their_unit_and_statuses_in_words() {
        assert_eq!(shown(Some(0.8125), true), "81.2 %");
        assert_eq!(shown(Some(12.0), false), "12");
        assert_eq!(shown(None, true), "–");
        for status in ["green", "amber", "red", "insufficient_data"] {
            assert!(status_text(status).chars().any(char::is_alphabetic));
        }
        assert_ne!(status_text("green"), status_text("red"));
    }
}
