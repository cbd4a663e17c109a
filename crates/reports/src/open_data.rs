//! The report's numbers as open data: `report.json` (everything), `matrix.csv` (one row per
//! service and dimension) and `sla.csv` (one row per service and standard). The CSV
//! columns are the JSON fields, in the same order, so one definition serves both.

use std::path::{Path, PathBuf};

use serde::Serialize;

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
    let matrix = write_csv(&dir.join("matrix.csv"), &figures.matrix)?;
    let sla = write_csv(&dir.join("sla.csv"), &figures.sla)?;
    Ok(vec![json, matrix, sla])
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
