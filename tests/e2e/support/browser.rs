//! What a person would see: a page loaded in headless Chromium (Debian's), checked by
//! axe-core's WCAG 2.1 A/AA rules, photographed to PNG; PDFs read back with poppler's
//! `pdfinfo` and `pdftotext`. Every tool is installed by `scripts/test`; a missing one
//! fails the test with that hint, never skips it.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{dev_dir, repo_root};

/// Loads `url` and returns check-page.mjs's summary (title, lang, violations, requests);
/// the first screen is saved to `png`.
pub fn check_page(url: &str, png: &Path) -> Value {
    run_browser_script(
        "check-page.mjs",
        &[url, png.to_str().expect("a UTF-8 path")],
    )
}

/// Answers like a person on a page embedding the widget (`widget`) or on the gateway's
/// form (`form`), typing `comment`; give-feedback.mjs's summary (violations before and
/// after, the confirmation and where focus went).
pub fn give_feedback(mode: &str, url: &str, comment: &str) -> Value {
    run_browser_script("give-feedback.mjs", &[mode, url, comment])
}

/// Runs one of `tests/browser/` in Debian's Chromium; the JSON it prints.
fn run_browser_script(script: &str, args: &[&str]) -> Value {
    let tools = dev_dir().join("browser-tools");
    assert!(
        tools.join("node_modules/puppeteer-core").is_dir()
            && tools.join("node_modules/axe-core").is_dir(),
        "puppeteer-core and axe-core are missing from {}: run scripts/test (install_browser_tools)",
        tools.display()
    );
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "Debian's chromium is missing: run scripts/test (it installs it)"
    );
    let output = Command::new("node")
        .arg(repo_root().join("tests/browser").join(script))
        .args(args)
        .env("BROWSER_TOOLS", &tools)
        .output()
        .expect("node runs (Debian's nodejs)");
    assert!(
        output.status.success(),
        "{script} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{script} prints JSON ({e})"))
}

/// Fails with every WCAG 2.1 A/AA violation axe found, named.
pub fn assert_accessible(summary: &Value, what: &str) {
    let violations = summary["violations"].as_array().expect("a list");
    assert!(
        violations.is_empty(),
        "{what}: axe-core found WCAG 2.1 A/AA violations:\n{}",
        serde_json::to_string_pretty(violations).unwrap()
    );
    assert!(
        summary["passes"].as_u64() > Some(5),
        "{what}: axe ran almost no rule: {summary}"
    );
}

/// The standard deviation of a PNG's grey levels: a blank page is 0.
pub fn pixel_spread(png: &Path) -> f64 {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png).expect("the screenshot exists"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).expect("one frame");
    let channels = info.color_type.samples();
    let greys: Vec<f64> = pixels[..info.buffer_size()]
        .chunks(channels)
        .map(|px| px.iter().take(3).map(|&c| f64::from(c)).sum::<f64>() / px.len().min(3) as f64)
        .collect();
    let mean = greys.iter().sum::<f64>() / greys.len() as f64;
    (greys.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / greys.len() as f64).sqrt()
}

/// A PDF's page count (`pdfinfo`) and its text (`pdftotext`, layout kept loosely).
pub fn read_pdf(pdf: &Path) -> (u32, String) {
    let run = |tool: &str, args: &[&std::ffi::OsStr]| {
        let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
            panic!("{tool} (Debian poppler-utils, installed by scripts/test): {e}")
        });
        assert!(output.status.success(), "{tool} {}", pdf.display());
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let info = run("pdfinfo", &[pdf.as_os_str()]);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints Pages:");
    let text = run("pdftotext", &[pdf.as_os_str(), std::ffi::OsStr::new("-")]);
    (pages, text)
}
