//! Each table's SQL has one home: its module under `crates/store/src/tables/` (and the migration
//! that creates it). Outside those, a crate's code names a table only through the module's
//! `NAME` (or a row's `StoredRow::TABLE`), and a status name reaches SQL only through
//! `civicpulse_core::sla::Status`.
//!
//! Tests and benchmarks under `tests/` and `bench/` are left out on purpose: they read the
//! tables as an operator would, by the names the schema documents, so a rename breaks them
//! loudly instead of following along.

use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the store crate sits in the workspace's crates/")
        .to_path_buf()
}

/// Every table the migrations create, read from the migrations themselves.
fn tables() -> Vec<String> {
    let create = Regex::new(r"CREATE TABLE IF NOT EXISTS (\w+)").unwrap();
    let mut names = Vec::new();
    for entry in fs::read_dir(workspace().join("crates/store/migrations")).unwrap() {
        let sql = fs::read_to_string(entry.unwrap().path()).unwrap();
        names.extend(create.captures_iter(&sql).map(|c| c[1].to_string()));
    }
    names.sort();
    names.dedup();
    names
}

/// The Rust sources of every crate's `src/`, but the table modules and the migrations
/// runner (which owns `schema_migrations`).
fn crate_sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, into: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs") {
                into.push(path);
            }
        }
    }
    let root = workspace();
    let mut sources = Vec::new();
    walk(&root.join("src"), &mut sources);
    for entry in fs::read_dir(root.join("crates")).unwrap() {
        let src = entry.unwrap().path().join("src");
        if src.is_dir() {
            walk(&src, &mut sources);
        }
    }
    let owned = [
        root.join("crates/store/src/tables"),
        root.join("crates/store/src/migrate.rs"),
    ];
    sources.retain(|path| !owned.iter().any(|o| path.starts_with(o)));
    assert!(
        sources.len() > 50,
        "found the workspace's sources: {}",
        sources.len()
    );
    sources
}

#[test]
fn table_names_appear_only_in_their_store_module() {
    let tables = tables();
    assert!(tables.len() >= 14, "read the migrations: {tables:?}");
    let mut found = Vec::new();
    for path in crate_sources() {
        let text = fs::read_to_string(&path).unwrap();
        for table in &tables {
            let in_sql = Regex::new(&format!(r"(?i)\b(FROM|INTO|JOIN|TABLE)\s+{table}\b")).unwrap();
            for (n, line) in text.lines().enumerate() {
                if in_sql.is_match(line) {
                    found.push(format!("{}:{}: {table}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "table names outside their module:\n{}",
        found.join("\n")
    );
}

#[test]
fn status_names_reach_sql_only_through_the_enum() {
    let quoted = Regex::new(r"'(not_started|on_track|at_risk|met|breached|withdrawn)'").unwrap();
    let sla = workspace().join("crates/core/src/sla.rs");
    let mut found = Vec::new();
    for path in crate_sources().into_iter().filter(|p| *p != sla) {
        let text = fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            if quoted.is_match(line) {
                found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "status names written into SQL by hand:\n{}",
        found.join("\n")
    );
}
