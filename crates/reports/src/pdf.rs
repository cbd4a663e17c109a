//! `report.pdf`, printed from `report.html` by headless Chromium (`--print-to-pdf`): the
//! page numbers come from the report's own `@page` margin boxes, so Chromium's header and
//! footer (file path, date) are turned off. Chromium is optional: without it the report
//! says so and the HTML stands alone.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long one print may take before it is abandoned.
const PRINT_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "Chromium was not found (looked for {0}); report.html was written, report.pdf was not. \
         Install Debian's `chromium` or set [reports] chromium to its path"
    )]
    NotInstalled(String),
    #[error("Chromium could not print {path}: {reason}")]
    Failed { path: PathBuf, reason: String },
}

/// The Chromium executable to print with: `configured` if set, else the first of the
/// usual names found on `PATH`.
pub fn find_chromium(configured: Option<&Path>) -> Result<PathBuf, PdfError> {
    if let Some(path) = configured {
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else {
            Err(PdfError::NotInstalled(path.display().to_string()))
        };
    }
    const NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| NAMES.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| PdfError::NotInstalled(NAMES.join(", ")))
}

/// Prints `html` to `pdf` with `chromium`, in a fresh profile, with no network.
pub async fn print(chromium: &Path, html: &Path, pdf: &Path) -> Result<(), PdfError> {
    let failed = |reason: String| PdfError::Failed {
        path: html.to_path_buf(),
        reason,
    };
    let html = std::path::absolute(html).map_err(|e| failed(e.to_string()))?;
    let profile = std::env::temp_dir().join(format!(
        "civicpulse-chromium-{}-{}",
        std::process::id(),
        uuid_like()
    ));
    let output = tokio::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .kill_on_drop(true)
        .output();
    let outcome = tokio::time::timeout(PRINT_TIMEOUT, output).await;
    let _ = std::fs::remove_dir_all(&profile);
    let output = outcome
        .map_err(|_| failed(format!("no answer within {PRINT_TIMEOUT:?}")))?
        .map_err(|e| failed(e.to_string()))?;
    let printed = std::fs::metadata(pdf).map(|m| m.len() > 0).unwrap_or(false);
    if !output.status.success() || !printed {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
        return Err(failed(format!("{} ({last})", output.status)));
    }
    Ok(())
}

/// A name part unique enough for concurrent prints of one process.
fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_chromium_that_is_not_there_is_named() {
        let error = find_chromium(Some(Path::new("/nonexistent/chromium"))).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("/nonexistent/chromium"), "{text}");
        assert!(text.contains("report.html was written"), "{text}");
    }
}
