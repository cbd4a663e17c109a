//! Writes one report, in one language, into a folder: the open data, `report.html` and
//! (when Chromium is there) `report.pdf`, with each file's SHA-256 so a published copy
//! can be checked against what was generated; a later revision adds `changes.json`.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::i18n::Language;
use crate::open_data::{self, WriteError};
use crate::pdf::{self, PdfError};
use crate::revision::Revision;
use crate::Figures;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Render(#[from] crate::html::RenderError),
    #[error(transparent)]
    Revision(#[from] crate::revision::RevisionError),
    #[error("cannot read back {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One file written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WrittenFile {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: String,
}

/// What one report's generation left in its folder.
#[derive(Debug)]
pub struct Written {
    pub files: Vec<WrittenFile>,
    /// Why there is no `report.pdf`, when there is none.
    pub pdf_missing: Option<PdfError>,
}

/// Writes `figures` in `lang` into `dir`; `chromium` is the printer found (or why not).
pub async fn write(
    figures: &Figures,
    lang: Language,
    dir: &Path,
    chromium: Result<&Path, &PdfError>,
) -> Result<Written, PublishError> {
    write_revision(figures, lang, dir, chromium, None).await
}

/// Writes `figures` in `lang` into `dir` as `revision` (None: the first publication): a
/// later revision's page says what changed, and `changes.json` lists it beside the data.
pub async fn write_revision(
    figures: &Figures,
    lang: Language,
    dir: &Path,
    chromium: Result<&Path, &PdfError>,
    revision: Option<&Revision>,
) -> Result<Written, PublishError> {
    let mut paths = open_data::write(figures, dir)?;
    if let Some(revision) = revision {
        paths.push(crate::revision::write_changes(revision, dir)?);
    }
    let html = crate::html::render_revision(figures, lang, revision)?;
    let html_path = dir.join("report.html");
    std::fs::write(&html_path, html).map_err(|source| WriteError::Io {
        path: html_path.clone(),
        source,
    })?;
    paths.push(html_path.clone());
    let pdf_path = dir.join("report.pdf");
    let pdf_missing = match chromium {
        Ok(chromium) => match pdf::print(chromium, &html_path, &pdf_path).await {
            Ok(()) => {
                paths.push(pdf_path);
                None
            }
            Err(error) => Some(error),
        },
        Err(error) => Some(match error {
            PdfError::NotInstalled(looked) => PdfError::NotInstalled(looked.clone()),
            PdfError::Failed { path, reason } => PdfError::Failed {
                path: path.clone(),
                reason: reason.clone(),
            },
        }),
    };
    let files = paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).map_err(|source| PublishError::Read {
                path: path.clone(),
                source,
            })?;
            Ok(WrittenFile {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                bytes: bytes.len() as u64,
                sha256: format!("{:x}", Sha256::digest(&bytes)),
                path,
            })
        })
        .collect::<Result<_, PublishError>>()?;
    Ok(Written { files, pdf_missing })
}
