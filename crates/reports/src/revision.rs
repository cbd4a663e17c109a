//! Revisions of a published report. Live traffic still brings events dated in a closed
//! period (a milestone sent late), so the figures the API answers with can move after a
//! report was written. A report regenerated with different figures is published again as
//! a new revision beside the earlier ones, never over them, with what changed; a
//! regeneration with the same figures writes nothing.
//!
//! On disk a report folder `D` holds revision 1 (as before revisions existed) and
//! revision n in `D/revisions/n/`: the whole report again, plus `changes.json` (this
//! module's [`Revision`]: the earlier revisions, both cut-offs and every figure changed,
//! old → new). The API serves each at `/api/v1/reports/{period}/{lang}/revisions/{n}/…`
//! ([`api_url`]) and the latest at `/api/v1/reports/{period}/{lang}/…`.
//!
//! What is compared is `report.json` without what says *when* rather than *what*: the
//! generation time, the cut-off, the pipeline's freshness, each cell's `computed_at`, and
//! the standards' open cases and anomalies (and the note that says which are withheld), which count every case as of the last
//! evaluation rather than the period (they move each day and would make a revision of
//! every re-check). Records are matched by their key, so a change reads "this service's
//! figure went from a to b", not "row 17".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::Figures;

/// The file beside a revision's report that lists what changed.
pub const CHANGES_FILE: &str = "changes.json";

/// Where later revisions go inside a report folder.
const REVISIONS_DIR: &str = "revisions";

/// Top-level fields of `report.json` that say when the report was made, not what it shows.
const WHEN: [&str; 3] = ["generated_at", "data_cut_off", "freshness"];

/// A list of records in `report.json`: how one is told from another, and which of its
/// fields describe the moment of generation rather than the period.
struct Table {
    name: &'static str,
    key: &'static [&'static str],
    now: &'static [&'static str],
}

/// Every list of `report.json`; `trends` is compared point by point.
const TABLES: [Table; 6] = [
    Table {
        name: "services",
        key: &["id"],
        now: &[],
    },
    Table {
        name: "matrix",
        key: &["service_id", "group_by", "group", "dimension"],
        now: &["computed_at"],
    },
    Table {
        name: "changes",
        key: &["service_id", "dimension", "against"],
        now: &[],
    },
    Table {
        name: "trends",
        key: &["service_id", "dimension", "start"],
        now: &[],
    },
    Table {
        name: "sla",
        key: &["service_id", "policy"],
        now: &["open", "at_risk", "open_breached", "anomalies", "note"],
    },
    Table {
        name: "interventions",
        key: &["intervention_id", "dimension"],
        now: &[],
    },
];

/// The table of the report's single fields (period, windows, suppression threshold).
pub const REPORT_TABLE: &str = "report";

#[derive(Debug, thiserror::Error)]
pub enum RevisionError {
    #[error("cannot read the published {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the published {path} is not a report's figures: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path} is the report of {found}, not of {wanted}: write this period elsewhere")]
    OtherPeriod {
        path: PathBuf,
        found: String,
        wanted: String,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// How a figure differs between two revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// One field of a record present in both.
    Changed,
    /// A record only the newer revision has (e.g. a standard's first closed case).
    Added,
    /// A record only the older revision has.
    Removed,
}

/// One figure that differs from the revision before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The list of `report.json` (`matrix`, `sla`, `trends`, …) or `report` for its
    /// single fields.
    pub table: String,
    /// The fields that identify the record (e.g. `service_id` and `dimension`).
    pub key: Map<String, Value>,
    pub kind: ChangeKind,
    /// The field that changed; absent when the whole record was added or removed.
    pub field: Option<String>,
    /// The value before (the whole record when removed; null when added).
    pub old: Value,
    /// The value now (the whole record when added; null when removed).
    pub new: Value,
}

/// A revision before this one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Earlier {
    pub number: u32,
    /// When it was published (RFC 3339, UTC).
    pub published_at: String,
    /// Its data cut-off (RFC 3339, UTC).
    pub data_cut_off: String,
    /// Where its `report.html` is read: a path relative to this revision's folder for a
    /// report written by hand, the API's URL for a scheduled one.
    pub href: String,
}

/// A revision after the first: `changes.json`, and what its page says it changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub period: String,
    pub number: u32,
    pub published_at: String,
    pub data_cut_off: String,
    /// SHA-256 of the compared figures ([`digest`]).
    pub figures_sha256: String,
    /// Every revision before this one, oldest first; the last is the one it replaces.
    pub earlier: Vec<Earlier>,
    /// Every figure that differs from the revision it replaces.
    pub changes: Vec<Change>,
}

impl Revision {
    /// The revision this one replaces.
    pub fn replaces(&self) -> Option<&Earlier> {
        self.earlier.last()
    }
}

/// `figures` as `report.json` reads back: through its text, so that numbers compare as
/// the published file's do.
pub fn as_published(figures: &Figures) -> Value {
    let text = serde_json::to_string(figures).expect("figures serialize");
    serde_json::from_str(&text).expect("serialized figures parse")
}

/// What revisions compare of a `report.json`: without the fields that say when.
pub fn comparable(report: &Value) -> Value {
    let Value::Object(fields) = report else {
        return report.clone();
    };
    let mut kept = Map::new();
    for (name, value) in fields {
        if WHEN.contains(&name.as_str()) {
            continue;
        }
        let value = match TABLES.iter().find(|t| t.name == name) {
            Some(table) => Value::Array(
                records(name, value)
                    .into_iter()
                    .map(|mut record| {
                        for field in table.now {
                            record.remove(*field);
                        }
                        Value::Object(record)
                    })
                    .collect(),
            ),
            None => value.clone(),
        };
        kept.insert(name.clone(), value);
    }
    Value::Object(kept)
}

/// A list's records; a trend is one record per point, carrying its trend's fields.
fn records(table: &str, value: &Value) -> Vec<Map<String, Value>> {
    let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
    if table != "trends" {
        return items
            .iter()
            .filter_map(|item| item.as_object().cloned())
            .collect();
    }
    let mut points = Vec::new();
    for trend in items.iter().filter_map(Value::as_object) {
        let mut common = trend.clone();
        let Some(Value::Array(each)) = common.remove("points") else {
            continue;
        };
        for point in each.iter().filter_map(Value::as_object) {
            let mut record = common.clone();
            record.extend(point.clone());
            points.push(record);
        }
    }
    points
}

/// SHA-256 (hex) of the compared figures of a `report.json`: equal digests, equal figures.
pub fn digest(report: &Value) -> String {
    let bytes = serde_json::to_vec(&comparable(report)).expect("a JSON value serializes");
    format!("{:x}", Sha256::digest(bytes))
}

/// Every figure that differs between two `report.json`s, in the newer one's order (the
/// removed records last). A field only one of them has is a change of format, not of
/// figures, and is left out.
pub fn changes(old: &Value, new: &Value) -> Vec<Change> {
    let (old, new) = (comparable(old), comparable(new));
    let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (name, now) in new {
        let Some(before) = old.get(name) else {
            continue;
        };
        match TABLES.iter().find(|t| t.name == name) {
            Some(table) => found.extend(table_changes(table, before, now)),
            None if before != now => found.push(Change {
                table: REPORT_TABLE.into(),
                key: Map::new(),
                kind: ChangeKind::Changed,
                field: Some(name.clone()),
                old: before.clone(),
                new: now.clone(),
            }),
            None => {}
        }
    }
    found
}

fn table_changes(table: &Table, old: &Value, new: &Value) -> Vec<Change> {
    let key_of = |record: &Map<String, Value>| -> Map<String, Value> {
        table
            .key
            .iter()
            .map(|k| {
                (
                    k.to_string(),
                    record.get(*k).cloned().unwrap_or(Value::Null),
                )
            })
            .collect()
    };
    let id = |key: &Map<String, Value>| serde_json::to_string(key).expect("a key serializes");
    let old_records: Vec<Map<String, Value>> = old.as_array().map_or_else(Vec::new, |items| {
        items
            .iter()
            .filter_map(|i| i.as_object().cloned())
            .collect()
    });
    let new_records: Vec<Map<String, Value>> = new.as_array().map_or_else(Vec::new, |items| {
        items
            .iter()
            .filter_map(|i| i.as_object().cloned())
            .collect()
    });
    let mut before: BTreeMap<String, &Map<String, Value>> = old_records
        .iter()
        .map(|record| (id(&key_of(record)), record))
        .collect();
    let change = |key: Map<String, Value>, kind, field, old, new| Change {
        table: table.name.into(),
        key,
        kind,
        field,
        old,
        new,
    };
    let mut found = Vec::new();
    for record in &new_records {
        let key = key_of(record);
        let Some(earlier) = before.remove(&id(&key)) else {
            found.push(change(
                key,
                ChangeKind::Added,
                None,
                Value::Null,
                Value::Object(record.clone()),
            ));
            continue;
        };
        for (field, now) in record {
            if table.key.contains(&field.as_str()) {
                continue;
            }
            match earlier.get(field) {
                Some(then) if then != now => found.push(change(
                    key.clone(),
                    ChangeKind::Changed,
                    Some(field.clone()),
                    then.clone(),
                    now.clone(),
                )),
                _ => {}
            }
        }
    }
    for record in &old_records {
        let key = key_of(record);
        if before.contains_key(&id(&key)) {
            found.push(change(
                key,
                ChangeKind::Removed,
                None,
                Value::Object(record.clone()),
                Value::Null,
            ));
        }
    }
    found
}

/// The folder of revision `number` of the report folder `base`.
pub fn folder(base: &Path, number: u32) -> PathBuf {
    if number <= 1 {
        base.to_path_buf()
    } else {
        base.join(REVISIONS_DIR).join(number.to_string())
    }
}

/// From the folder of revision `from` (a later one), the path of revision `to`'s file.
pub fn relative_href(from: u32, to: u32, file: &str) -> String {
    match (from, to) {
        (0 | 1, 0 | 1) => file.to_string(),
        (0 | 1, to) => format!("{REVISIONS_DIR}/{to}/{file}"),
        (_, 0 | 1) => format!("../../{file}"),
        (_, to) => format!("../{to}/{file}"),
    }
}

/// Where the dashboard API serves a file of one revision of a scheduled report.
pub fn api_url(period: &str, lang: &str, revision: u32, file: &str) -> String {
    format!("/api/v1/reports/{period}/{lang}/{REVISIONS_DIR}/{revision}/{file}")
}

/// One revision found in a report folder.
#[derive(Debug, Clone)]
pub struct Published {
    pub number: u32,
    pub dir: PathBuf,
    /// Its `report.json`.
    pub report: Value,
}

impl Published {
    /// A string field of its `report.json` (empty when absent).
    fn text(&self, field: &str) -> String {
        self.report[field].as_str().unwrap_or_default().to_string()
    }

    /// How a later revision names this one, from the later one's folder.
    pub fn earlier(&self, later: u32) -> Earlier {
        let generated = self.text("generated_at");
        let cut_off = Some(self.text("data_cut_off"))
            .filter(|t| !t.is_empty())
            .or_else(|| {
                self.report["freshness"]["latest_event_stored"]
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_else(|| generated.clone());
        Earlier {
            number: self.number,
            published_at: generated,
            data_cut_off: cut_off,
            href: relative_href(later, self.number, "report.html"),
        }
    }
}

/// Reads the `report.json` of a published revision in `dir`.
pub fn read_report(dir: &Path) -> Result<Value, RevisionError> {
    let path = dir.join("report.json");
    let text = std::fs::read_to_string(&path).map_err(|source| RevisionError::Read {
        path: path.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| RevisionError::Parse { path, source })
}

/// The revisions a report folder holds, oldest first (none when it holds no report), all
/// of `period`: a folder is one period's report.
pub fn in_folder(base: &Path, period: &str) -> Result<Vec<Published>, RevisionError> {
    let mut found = Vec::new();
    let mut number = 1;
    loop {
        let dir = folder(base, number);
        if !dir.join("report.json").is_file() {
            break;
        }
        let report = read_report(&dir)?;
        let of = report["period"].as_str().unwrap_or_default();
        if of != period {
            return Err(RevisionError::OtherPeriod {
                path: dir.join("report.json"),
                found: of.to_string(),
                wanted: period.to_string(),
            });
        }
        found.push(Published {
            number,
            dir,
            report,
        });
        number += 1;
    }
    Ok(found)
}

/// The revision `figures` make after `earlier` (oldest first, at least one), whose last
/// published `report.json` is `latest`; none when no figure differs from it.
pub fn next(
    figures: &Figures,
    published_at: &str,
    earlier: Vec<Earlier>,
    latest: &Value,
) -> Option<Revision> {
    let now = as_published(figures);
    let changes = changes(latest, &now);
    if changes.is_empty() {
        return None;
    }
    Some(Revision {
        period: figures.period.clone(),
        number: earlier.last().map_or(1, |e| e.number) + 1,
        published_at: published_at.to_string(),
        data_cut_off: figures.data_cut_off.clone(),
        figures_sha256: digest(&now),
        earlier,
        changes,
    })
}

/// What writing a report into a folder by hand (`civicpulse report --out`) comes to.
#[derive(Debug)]
pub enum InFolder {
    /// The folder holds no report: revision 1, into the folder itself.
    First,
    /// The folder's latest revision has the same figures: nothing is written.
    Unchanged { number: u32, dir: PathBuf },
    /// Some figure changed: this revision, into `folder(base, number)`.
    Next(Revision),
}

/// What writing `figures` into the report folder `base` comes to: a folder is one period's
/// report in one language, and a report already there is revised, never overwritten.
pub fn in_folder_next(base: &Path, figures: &Figures) -> Result<InFolder, RevisionError> {
    let published = in_folder(base, &figures.period)?;
    let Some(latest) = published.last() else {
        return Ok(InFolder::First);
    };
    let number = latest.number + 1;
    let earlier = published.iter().map(|p| p.earlier(number)).collect();
    Ok(
        match next(figures, &figures.generated_at, earlier, &latest.report) {
            Some(revision) => InFolder::Next(revision),
            None => InFolder::Unchanged {
                number: latest.number,
                dir: latest.dir.clone(),
            },
        },
    )
}

/// Writes `changes.json` into `dir`; its path.
pub fn write_changes(revision: &Revision, dir: &Path) -> Result<PathBuf, RevisionError> {
    let path = dir.join(CHANGES_FILE);
    let text = serde_json::to_string_pretty(revision).expect("a revision serializes");
    std::fs::write(&path, text + "\n").map_err(|source| RevisionError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(value: f64, n: u64, open: u64, generated: &str) -> Value {
        json!({
            "period": "2026-09",
            "generated_at": generated,
            "data_cut_off": generated,
            "min_responses": 10,
            "matrix": [
                {"service_id": "a", "group_by": "service", "group": "all", "dimension": "responses",
                 "value": value, "n": n, "computed_at": generated},
                {"service_id": "b", "group_by": "service", "group": "all", "dimension": "responses",
                 "value": 3.0, "n": 3, "computed_at": generated},
            ],
            "trends": [{"service_id": "a", "dimension": "responses", "bucket": "week",
                        "points": [{"start": "2026-09-07", "value": value, "n": n}]}],
            "sla": [{"service_id": "a", "policy": "p", "closed": 4, "open": open}],
            "freshness": {"latest_event_stored": generated},
        })
    }

    #[test]
    fn the_time_of_generation_and_the_open_cases_of_today_are_not_figures_of_the_period() {
        let first = report(40.0, 40, 7, "2026-10-06T15:00:00Z");
        let later = report(40.0, 40, 2, "2026-10-07T15:00:00Z");
        assert_eq!(changes(&first, &later), Vec::new());
        assert_eq!(digest(&first), digest(&later));
    }

    #[test]
    fn a_changed_figure_is_named_by_its_record_with_old_and_new() {
        let first = report(40.0, 40, 7, "2026-10-06T15:00:00Z");
        let later = report(41.0, 41, 7, "2026-10-07T15:00:00Z");
        assert_ne!(digest(&first), digest(&later));
        let found = changes(&first, &later);
        let fields: Vec<(&str, Option<&str>, &Value, &Value)> = found
            .iter()
            .map(|c| (c.table.as_str(), c.field.as_deref(), &c.old, &c.new))
            .collect();
        assert_eq!(
            fields,
            [
                ("matrix", Some("n"), &json!(40), &json!(41)),
                ("matrix", Some("value"), &json!(40.0), &json!(41.0)),
                ("trends", Some("n"), &json!(40), &json!(41)),
                ("trends", Some("value"), &json!(40.0), &json!(41.0)),
            ]
        );
        assert_eq!(found[0].key["service_id"], "a");
        assert_eq!(found[2].key["start"], "2026-09-07");
    }

    #[test]
    fn records_added_and_removed_are_whole_and_new_fields_are_not_changes() {
        let first = report(40.0, 40, 7, "2026-10-06T15:00:00Z");
        let mut later = first.clone();
        later["sla"] = json!([{"service_id": "b", "policy": "p", "closed": 1}]);
        later["a_field_a_later_release_adds"] = json!(1);
        let found = changes(&first, &later);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].kind, ChangeKind::Added);
        assert_eq!(found[0].key["service_id"], "b");
        assert_eq!(found[1].kind, ChangeKind::Removed);
        assert_eq!(found[1].old["closed"], 4);
    }

    #[test]
    fn revisions_link_each_other_inside_a_report_folder() {
        let base = Path::new("/reports/2026-09/en");
        assert_eq!(folder(base, 1), base);
        assert_eq!(folder(base, 3), base.join("revisions/3"));
        assert_eq!(relative_href(3, 1, "report.html"), "../../report.html");
        assert_eq!(relative_href(3, 2, "report.html"), "../2/report.html");
        assert_eq!(
            api_url("2026-09", "en", 2, "changes.json"),
            "/api/v1/reports/2026-09/en/revisions/2/changes.json"
        );
    }
}
