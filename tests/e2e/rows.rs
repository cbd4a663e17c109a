//! Every stored row type against its table's columns, by name and order, after the
//! migrations: on 18.16 rows travel by position (RowBinary), so a field out of place would
//! write a value into its neighbour's column. Checked on the 18.16 server and on a current
//! ClickHouse (chDB), where the migrations must build the same tables.

use std::io::Write;
use std::process::Command;

use civicpulse_store::tables::{stored_rows, RowLayout};
use serde_json::Value;

use crate::support::*;

/// The rows whose fields do not follow `columns_of(table)`, explained.
fn mismatches(columns_of: impl Fn(&str) -> Vec<(String, bool)>) -> Vec<String> {
    let layouts: Vec<RowLayout> = stored_rows();
    assert!(layouts.len() >= 7, "{layouts:?}");
    layouts
        .iter()
        .filter_map(|layout| {
            let columns = columns_of(layout.table);
            assert!(!columns.is_empty(), "`{}` has no columns", layout.table);
            layout.mismatch(&columns)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_stored_row_follows_its_columns_on_18_16() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.migrate();
    let mut described = std::collections::HashMap::new();
    for layout in stored_rows() {
        // name, type, default_type, default_expression
        let tsv = pipeline
            .query(&format!("DESCRIBE TABLE {} FORMAT TSV", layout.table))
            .await
            .unwrap();
        let columns: Vec<(String, bool)> = tsv
            .lines()
            .map(|line| {
                let cells: Vec<&str> = line.split('\t').collect();
                (cells[0].to_string(), !cells[2].is_empty())
            })
            .collect();
        described.insert(layout.table, columns);
    }
    let wrong = mismatches(|table| described[table].clone());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_stored_row_follows_its_columns_on_a_current_clickhouse() {
    let python = dev_dir().join("chdb/bin/python");
    assert!(
        python.exists(),
        "chDB is missing from {}: run scripts/test (install_chdb)",
        python.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let statements = dir.path().join("statements.jsonl");
    let mut out = std::fs::File::create(&statements).unwrap();
    for migration in civicpulse_store::migrate::MIGRATIONS {
        for statement in civicpulse_store::migrate::statements(migration.sql) {
            writeln!(out, "{}", serde_json::to_string(&statement).unwrap()).unwrap();
        }
    }
    drop(out);
    let output = Command::new(&python)
        .arg(repo_root().join("tests/chdb/describe.py"))
        .arg(dir.path().join("chdb"))
        .arg(&statements)
        .args(stored_rows().iter().map(|layout| layout.table))
        .output()
        .expect("describe.py runs");
    assert!(
        output.status.success(),
        "describe.py: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let described: Value = serde_json::from_slice(&output.stdout).expect("describe.py prints JSON");
    assert!(
        described["engine"].as_str().unwrap().starts_with("26."),
        "{described}"
    );
    let wrong = mismatches(|table| {
        described["tables"][table]
            .as_array()
            .unwrap_or_else(|| panic!("`{table}` not described: {described}"))
            .iter()
            .map(|column| {
                (
                    column[0].as_str().unwrap().to_string(),
                    !column[1].as_str().unwrap().is_empty(),
                )
            })
            .collect()
    });
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
