//! Lists `migrations/NNNN_name.sql` for `migrate::MIGRATIONS`, so a new migration is a new
//! file and nothing else; a file that does not follow the naming, or a gap in the numbers,
//! fails the build rather than being skipped at run time.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("migrations");
    println!("cargo:rerun-if-changed={}", dir.display());

    let mut migrations: Vec<(u32, String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| {
            let entry = entry.expect("a readable directory entry");
            let file = entry.file_name().to_string_lossy().into_owned();
            let (version, name) = parse(&file).unwrap_or_else(|why| {
                panic!("crates/store/migrations/{file}: {why} (expected NNNN_name.sql)")
            });
            let path = entry.path().to_string_lossy().into_owned();
            (version, name, path)
        })
        .collect();
    migrations.sort();
    for (i, (version, name, _)) in migrations.iter().enumerate() {
        assert_eq!(
            *version as usize,
            i + 1,
            "crates/store/migrations: {version:04}_{name}.sql is not migration {} (numbers must run 1, 2, 3… without gaps or repeats)",
            i + 1
        );
    }

    let mut out = String::from("&[\n");
    for (version, name, path) in &migrations {
        writeln!(
            out,
            "    Migration {{ version: {version}, name: {name:?}, sql: include_str!({path:?}) }},"
        )
        .expect("writing to a String");
    }
    out.push_str("]\n");
    let target =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    std::fs::write(&target, out)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
}

/// `0007_feedback_reason.sql` → (7, "feedback_reason").
fn parse(file: &str) -> Result<(u32, String), &'static str> {
    let stem = file.strip_suffix(".sql").ok_or("not a .sql file")?;
    let (digits, name) = stem.split_once('_').ok_or("no `_` after the number")?;
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the number must be four digits");
    }
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err("the name must be lowercase letters, digits and underscores");
    }
    let version: u32 = digits
        .parse()
        .map_err(|_| "the number must be four digits")?;
    Ok((version, name.to_string()))
}
