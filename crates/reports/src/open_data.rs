//! The report's numbers as open data: `report.json` (everything), `matrix.csv` (one row per
//! service and dimension), `sla.csv` (one row per service and standard), and
//! `csv-metadata.json` describing both tables in W3C CSV on the Web (each column's name,
//! title, datatype, whether it is required, its definition, and the primary key). The CSV
//! columns are the JSON fields, in the same order.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::records::MatrixRecord;
#[cfg(test)]
use crate::records::SlaRecord;
use crate::Figures;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
}

/// Writes the open-data files into `dir` (created); their paths.
pub fn write(figures: &Figures, dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    std::fs::create_dir_all(dir).map_err(|source| WriteError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let json = dir.join("report.json");
    let text = serde_json::to_string_pretty(figures).expect("figures serialize");
    std::fs::write(&json, text + "\n").map_err(|source| WriteError::Io {
        path: json.clone(),
        source,
    })?;
    let matrix: Vec<MatrixRecord> = figures.matrix.iter().map(MatrixRecord::from).collect();
    let matrix = write_csv(&dir.join("matrix.csv"), &matrix)?;
    let sla = write_csv(&dir.join("sla.csv"), &figures.sla)?;
    let metadata = dir.join("csv-metadata.json");
    let text = serde_json::to_string_pretty(&csvw_metadata()).expect("metadata serializes");
    std::fs::write(&metadata, text + "\n").map_err(|source| WriteError::Io {
        path: metadata.clone(),
        source,
    })?;
    Ok(vec![json, matrix, sla, metadata])
}

/// One column of an open-data table.
pub struct Column {
    pub name: &'static str,
    pub title: &'static str,
    /// A CSVW (XML Schema) datatype.
    pub datatype: &'static str,
    /// Empty cells are allowed (a withheld or undefined figure) unless required.
    pub required: bool,
    pub description: &'static str,
}

const fn column(
    name: &'static str,
    title: &'static str,
    datatype: &'static str,
    required: bool,
    description: &'static str,
) -> Column {
    Column {
        name,
        title,
        datatype,
        required,
        description,
    }
}

/// `matrix.csv`, in the order of its header.
pub const MATRIX_COLUMNS: &[Column] = &[
    column("period", "Period", "string", true, "The period: YYYY-MM, YYYY-Qn, YYYY, a fiscal year YYYY-YYYY or quarter YYYY-YYYY-Qn, or FROM..TO."),
    column("period_from", "First day", "date", true, "First local day of the period."),
    column("period_to", "Day after the last", "date", true, "The day after the period's last local day."),
    column("service_id", "Service id", "string", true, "The service's id in the catalog."),
    column("service_name", "Service", "string", true, "The service's name."),
    column("category", "Category", "string", true, "The catalog category; peers share it."),
    column("group_by", "Breakdown", "string", true, "Always `service` here: whole services."),
    column("group", "Group", "string", true, "Always `all` here."),
    column("dimension", "Dimension", "string", true, "The quality dimension, or `theme_share:<theme>` for the share of comments about a theme (see docs/analysts/quality-matrix.md and themes.md)."),
    column("family", "Family", "string", true, "The dimension's column group."),
    column("value", "Value", "double", false, "The figure; empty when withheld (fewer observations than the suppression threshold) or not measured."),
    column("n", "Observations", "nonNegativeInteger", true, "Responses, cases, transactions or comments the figure rests on."),
    column("ci_low", "95 % interval, low", "double", false, "Lower end of the 95 % interval (Wilson for shares, normal approximation for means)."),
    column("ci_high", "95 % interval, high", "double", false, "Upper end of the 95 % interval."),
    column("target", "Target", "double", false, "The catalog's target for the dimension, if any."),
    column("benchmark", "Peer benchmark", "double", false, "Median of the peer services in the same category that show a value."),
    column("previous_value", "Previous period", "double", false, "The figure of the previous month or quarter (else as many days just before)."),
    column("change", "Change", "double", false, "value − previous_value."),
    column("status", "Status", "string", true, "green, amber, red, no_reference, info, insufficient_data or not_available."),
    column("status_level", "Status level", "integer", true, "2 green, 1 amber, 0 red, −1 not judged."),
    column("note", "Note", "string", false, "Why a value is missing, or what an equity gap compares."),
    column("computed_at", "Computed at", "dateTime", true, "When the figure was computed (UTC)."),
];

/// `sla.csv`, in the order of its header.
pub const SLA_COLUMNS: &[Column] = &[
    column(
        "service_id",
        "Service id",
        "string",
        true,
        "The service's id in the catalog.",
    ),
    column(
        "policy",
        "Standard",
        "string",
        true,
        "The service standard's id in the catalog.",
    ),
    column(
        "closed",
        "Cases closed",
        "nonNegativeInteger",
        true,
        "Cases stopped in the period's window.",
    ),
    column(
        "met",
        "Met",
        "nonNegativeInteger",
        false,
        "Closed cases within the standard's limit.",
    ),
    column(
        "breached",
        "Breached",
        "nonNegativeInteger",
        false,
        "Closed cases beyond the limit.",
    ),
    column(
        "compliance_ratio",
        "Compliance",
        "double",
        false,
        "met / closed; empty when nothing closed.",
    ),
    column(
        "target_ratio",
        "Target",
        "double",
        true,
        "Share of cases the standard says must meet the limit.",
    ),
    column(
        "p50_elapsed_days",
        "Median elapsed",
        "double",
        false,
        "Median time on the clock of closed cases, in `unit`.",
    ),
    column(
        "p90_elapsed_days",
        "90th percentile elapsed",
        "double",
        false,
        "90th percentile of the time on the clock of closed cases, in `unit`.",
    ),
    column(
        "open",
        "Open",
        "nonNegativeInteger",
        true,
        "Cases whose clock runs, as of the last evaluation.",
    ),
    column(
        "at_risk",
        "At risk",
        "nonNegativeInteger",
        false,
        "Open cases within the standard's at-risk days of the limit.",
    ),
    column(
        "open_breached",
        "Open and breached",
        "nonNegativeInteger",
        false,
        "Open cases already past the limit.",
    ),
    column(
        "refunds_owed",
        "Refunds owed",
        "nonNegativeInteger",
        false,
        "Closed cases owed a refund.",
    ),
    column(
        "refunds_owed_amount",
        "Refunds owed, amount",
        "double",
        false,
        "Their total, in `currency`, in major units (dollars).",
    ),
    column(
        "refunds_excused",
        "Refunds excused",
        "nonNegativeInteger",
        false,
        "Closed late cases an exceptional circumstance excused: broken, owing no refund.",
    ),
    column(
        "currency",
        "Currency",
        "string",
        false,
        "ISO 4217 code of the refunds; empty when the standard charges no fee.",
    ),
    column(
        "anomalies",
        "Anomalous cases",
        "nonNegativeInteger",
        true,
        "Cases whose milestones break the standard's order.",
    ),
    column(
        "error_budget_remaining",
        "Error budget left",
        "double",
        false,
        "1 − breached / ((1 − target) × closed): 1 untouched, 0 spent, below 0 overspent.",
    ),
    column(
        "burn_rate_1d",
        "Burn rate, 1 day",
        "double",
        false,
        "Breached share of cases closed in the day before the window's end, over 1 − target.",
    ),
    column(
        "burn_rate_7d",
        "Burn rate, 7 days",
        "double",
        false,
        "The same over 7 days.",
    ),
    column(
        "burn_rate_30d",
        "Burn rate, 30 days",
        "double",
        false,
        "The same over 30 days.",
    ),
    column(
        "refunds_owed_minor",
        "Refunds owed, amount in minor units",
        "integer",
        false,
        "`refunds_owed_amount` exact in the minor units of `currency` (cents; yen have none).",
    ),
    column(
        "unit",
        "Unit",
        "string",
        true,
        "What the elapsed percentiles count: business_days, calendar_days, business_hours, business_minutes, or mixed when the standard's options differ.",
    ),
    column(
        "note",
        "Note",
        "string",
        false,
        "Why figures of the row are empty: fewer closed or open cases than the suppression threshold.",
    ),
    column(
        "status",
        "Status",
        "string",
        true,
        "The compliance against the target by the matrix's rules: green, amber, red, insufficient_data (withheld) or not_available (no case closed).",
    ),
];

/// The CSV on the Web description of both tables. A column's `titles` hold its readable
/// title and its name: the files' header cells are the names (the JSON fields), and CSVW
/// matches a header row against titles, never names, so a validator or portal reading the
/// header would otherwise find every column incompatible with its description.
pub fn csvw_metadata() -> serde_json::Value {
    let table = |url: &str, description: &str, columns: &[Column], key: &[&str]| {
        serde_json::json!({
            "url": url,
            "dc:description": description,
            "tableSchema": {
                "columns": columns.iter().map(|c| serde_json::json!({
                    "name": c.name,
                    "titles": [c.title, c.name],
                    "datatype": c.datatype,
                    "required": c.required,
                    "dc:description": c.description,
                })).collect::<Vec<_>>(),
                "primaryKey": key,
            },
        })
    };
    serde_json::json!({
        "@context": "http://www.w3.org/ns/csvw",
        "dc:title": "Civic Pulse report figures",
        "tables": [
            table("matrix.csv", "The quality matrix of the period: one row per service and dimension.", MATRIX_COLUMNS, &["service_id", "dimension"]),
            table("sla.csv", "How each service standard was kept for cases closed in the period.", SLA_COLUMNS, &["service_id", "policy"]),
        ],
    })
}

fn write_csv<T: Serialize>(path: &Path, rows: &[T]) -> Result<PathBuf, WriteError> {
    let error = |source| WriteError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut writer = csv::Writer::from_path(path).map_err(error)?;
    for row in rows {
        writer.serialize(row).map_err(error)?;
    }
    writer.flush().map_err(|source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_names_its_columns_once_and_keys_on_required_ones() {
        for (columns, key) in [
            (MATRIX_COLUMNS, ["service_id", "dimension"]),
            (SLA_COLUMNS, ["service_id", "policy"]),
        ] {
            let names: std::collections::BTreeSet<&str> = columns.iter().map(|c| c.name).collect();
            assert_eq!(names.len(), columns.len(), "a column name repeats");
            for part in key {
                assert!(
                    columns.iter().any(|c| c.name == part && c.required),
                    "{part}"
                );
            }
        }
        let metadata = csvw_metadata();
        assert_eq!(metadata["@context"], "http://www.w3.org/ns/csvw");
        assert_eq!(
            metadata["tables"][1]["tableSchema"]["columns"][2]["datatype"],
            "nonNegativeInteger"
        );
    }

    #[test]
    fn the_sla_columns_are_the_csv_header_and_amounts_are_exact() {
        use civicpulse_analytics::sla::summary::PolicySummary;
        use civicpulse_core::config::MatrixConfig;
        use civicpulse_core::money::{Currency, Money};
        let owed = Money::from_major(0.1, Currency::CAD)
            .checked_add(Money::from_major(0.2, Currency::CAD))
            .unwrap();
        let summary = PolicySummary {
            service_id: "passport".into(),
            policy: "processing".into(),
            closed: 2,
            met: 0,
            breached: 2,
            compliance_ratio: Some(0.0),
            target_ratio: 0.9,
            p50_elapsed_days: Some(12.0),
            p90_elapsed_days: Some(14.0),
            open: 0,
            at_risk: 0,
            open_breached: 0,
            refunds_owed: 2,
            refunds_owed_amount: owed,
            refunds_excused: 0,
            currency: "CAD".into(),
            anomalies: 0,
            error_budget_remaining: -19.0,
            burn_rate_1d: None,
            burn_rate_7d: None,
            burn_rate_30d: None,
            unit: "business_days".into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = write_csv(
            &dir.path().join("sla.csv"),
            &[SlaRecord::published(&summary, &{
                let mut config = MatrixConfig::default();
                config.min_responses = 1;
                config
            })],
        )
        .unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let mut lines = text.lines();
        let names: Vec<&str> = SLA_COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(lines.next().unwrap(), names.join(","));
        // 0.1 + 0.2 is 0.30000000000000004 as floats; the refunds are 0.3, 30 cents.
        let row = lines.next().unwrap();
        assert!(
            row.contains(",2,0.3,0,CAD,") && row.ends_with(",30,business_days,,red"),
            "{row}"
        );
        // Two closed cases under a threshold of ten: only the counts of cases remain.
        let path = write_csv(
            &dir.path().join("sla.csv"),
            &[SlaRecord::published(&summary, &MatrixConfig::default())],
        )
        .unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let row = text.lines().nth(1).unwrap();
        assert_eq!(
            row,
            "passport,processing,2,,,,0.9,,,0,0,0,,,,CAD,0,,,,,,business_days,\
             too few closed cases to show: 2 (at least 10 needed),insufficient_data"
        );
    }
}
