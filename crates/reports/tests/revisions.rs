//! A published report and the events that arrive after it: September 2026 of the passport
//! services is published on 6 October; a re-check the next day finds the same figures and
//! writes nothing; late events dated in September then change a figure, and the next
//! re-check publishes revision 2 beside the first, whose page says — in English and in
//! French — its data cut-off, what changed and where revision 1 is. Over the in-memory
//! store, through the scheduler's own tick; and by hand into a folder (`civicpulse
//! report --out`).

use std::path::Path;

use chrono::{DateTime, Utc};
use civicpulse_analytics::period::Period;
use civicpulse_core::config::{Config, Language, ReportEvery, ReportSchedule};
use civicpulse_core::Catalog;
use civicpulse_reports::revision::{self, InFolder};
use civicpulse_reports::scheduler::{self, Rechecks};
use civicpulse_reports::{generate, publish};
use civicpulse_store::tables::matrix_feedback_daily::AnswerSums;
use civicpulse_store::tables::sla_cases::SummaryRow;
use civicpulse_store::ReportRunStore;
use civicpulse_testkit::memory::{MemoryStore, Tables};
use civicpulse_testkit::rows;
use serde_json::Value;

const PASSPORT: &str = "passport-in-person";

fn catalog() -> Catalog {
    Catalog::from_toml_str(include_str!("../../../catalog.toml")).expect("catalog")
}

fn time(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 time")
}

/// `responses` answers to the satisfaction question on 1 September 2026, `satisfied` of
/// them 5 and the rest 2, in the rollup's layout.
fn answers(responses: u64, satisfied: u64) -> AnswerSums {
    rows::satisfaction(PASSPORT, 20_697, responses, satisfied)
}

/// The processing standard's cases closed in September: `met` of `closed`; `open` cases
/// still running today, which a later day will have fewer of.
fn standard(closed: u64, met: u64, open: u64) -> SummaryRow {
    SummaryRow {
        p50: 7.0,
        p90: 9.0,
        open,
        ..rows::closed_summary(PASSPORT, "processing", met, closed - met)
    }
}

/// As published on 6 October: 40 answers, 32 satisfied (80.0 %); 20 cases closed, 19 met
/// (95.0 %); the newest event stored at 14:59.
fn published_september() -> Tables {
    Tables {
        answer_sums: vec![answers(40, 32)],
        summaries: vec![standard(20, 19, 5)],
        newest_received_at: Some(time("2026-10-06T14:59:00Z")),
        ..Tables::default()
    }
}

/// Late events dated in September, stored by 8 October 14:00: 5 more answers, all
/// satisfied (37 of 45, 82.2 %), and a case closed late (19 of 21, 90.5 %).
fn late_events(tables: &mut Tables) {
    tables.answer_sums = vec![answers(45, 37)];
    tables.summaries = vec![standard(21, 19, 4)];
    tables.newest_received_at = Some(time("2026-10-08T14:00:00Z"));
}

fn config(dir: &Path) -> Config {
    let mut config = Config::default();
    config.reports.dir = dir.to_path_buf();
    config.reports.prometheus_url = None;
    // No PDF: the page and the open data are the report.
    config.reports.chromium = Some(dir.join("no-chromium"));
    config.reports.schedules = vec![ReportSchedule {
        every: ReportEvery::Monthly,
        business_day: 3,
    }];
    config
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn assert_reads(html: &str, sentence: &str) {
    assert!(html.contains(sentence), "missing «{sentence}» in\n{html}");
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    found.sort();
    found
}

#[tokio::test]
async fn late_events_make_a_revision_beside_the_first_and_the_same_figures_make_none() {
    let out = tempfile::tempdir().unwrap();
    let config = config(out.path());
    let catalog = catalog();
    let store = MemoryStore::new(published_september());
    let mut rechecks = Rechecks::default();
    let en = out.path().join("2026-09/en");
    let fr = out.path().join("2026-09/fr");

    // 6 October: September's report is due (3rd business day, the 5th) and written.
    let first = scheduler::tick(
        &store,
        &catalog,
        &config,
        time("2026-10-06T15:00:00Z"),
        &mut rechecks,
    )
    .await
    .unwrap();
    assert_eq!(
        first.written,
        [
            ("2026-09".to_string(), Language::En),
            ("2026-09".to_string(), Language::Fr)
        ]
    );
    let report: Value = serde_json::from_str(&read(&en.join("report.json"))).unwrap();
    assert_eq!(report["data_cut_off"], "2026-10-06T14:59:00Z");
    assert_reads(
        &read(&en.join("report.html")),
        "Data cut-off: 6 October 2026, 10:59 (Toronto time). These figures count the events stored by then; events received later, even those dated in the period, are not in them.",
    );
    assert_reads(
        &read(&fr.join("report.html")),
        "Données arrêtées au 6 octobre 2026, 10 h 59 (heure de Toronto).",
    );
    let first_html = read(&en.join("report.html"));
    assert!(
        !first_html.contains("Revision 1"),
        "the first says no revision"
    );
    let runs = store.tables().report_runs;
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r.revision == 1
        && r.data_cut_off == time("2026-10-06T14:59:00Z")
        && r.figures_sha256.len() == 64));
    let published = files(out.path());

    // 7 October: a day on, the same figures (only today's open cases moved): nothing new.
    store.edit(|t| t.summaries = vec![standard(20, 19, 3)]);
    let same = scheduler::tick(
        &store,
        &catalog,
        &config,
        time("2026-10-07T15:00:00Z"),
        &mut rechecks,
    )
    .await
    .unwrap();
    assert_eq!(same.unchanged.len(), 2, "{same:?}");
    assert!(
        same.revised.is_empty() && same.written.is_empty(),
        "{same:?}"
    );
    assert_eq!(
        files(out.path()),
        published,
        "an identical re-run writes nothing"
    );
    assert_eq!(store.tables().report_runs.len(), 2, "nor records anything");

    // Late events dated in September arrive; an hour later it is not yet time to look.
    store.edit(late_events);
    let early = scheduler::tick(
        &store,
        &catalog,
        &config,
        time("2026-10-07T16:00:00Z"),
        &mut rechecks,
    )
    .await
    .unwrap();
    assert!(
        early.unchanged.is_empty() && early.revised.is_empty(),
        "{early:?}"
    );

    // 8 October: the daily re-check finds them and publishes revision 2 beside the first.
    let revised = scheduler::tick(
        &store,
        &catalog,
        &config,
        time("2026-10-08T15:00:00Z"),
        &mut rechecks,
    )
    .await
    .unwrap();
    assert_eq!(
        revised
            .revised
            .iter()
            .map(|(p, l, n, _)| (p.as_str(), *l, *n))
            .collect::<Vec<_>>(),
        [("2026-09", Language::En, 2), ("2026-09", Language::Fr, 2)]
    );
    assert_eq!(
        read(&en.join("report.html")),
        first_html,
        "revision 1 stays as it was"
    );
    let second = en.join("revisions/2");
    for file in [
        "report.html",
        "report.json",
        "matrix.csv",
        "sla.csv",
        "changes.json",
    ] {
        assert!(second.join(file).is_file(), "{file}");
    }

    // What a person reads in revision 2.
    let html = read(&second.join("report.html"));
    assert_reads(&html, "<h2 id=\"revision\">Revision 2</h2>");
    assert_reads(
        &html,
        "This is revision 2 of this report, published 8 October 2026, 11:00 (Toronto time) with data up to 8 October 2026, 10:00 (Toronto time). It replaces revision 1, published 6 October 2026, 11:00 (Toronto time) with data up to 6 October 2026, 10:59 (Toronto time): events received since changed ",
    );
    assert_reads(&html, "Data cut-off: 8 October 2026, 10:00 (Toronto time).");
    assert_reads(
        &html,
        "Passport, applied for in person, Satisfied share: overall satisfaction — Value 80.0% → 82.2%, Observations 40 → 45.",
    );
    assert_reads(
        &html,
        "Passport, applied for in person, processing — Closed 20 → 21, Broken 1 → 2, Compliance 95.0% → 90.5%.",
    );
    assert_reads(&html, "changes.json beside this page lists every change");
    let link = html
        .split("<a href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to revision 1")
        .replace("&#x2f;", "/");
    assert_eq!(link, "/api/v1/reports/2026-09/en/revisions/1/report.html");
    assert_reads(
        &html,
        "Revision 1, published 6 October 2026, 11:00 (Toronto time), data up to 6 October 2026, 10:59 (Toronto time)</a>",
    );
    let french = read(&fr.join("revisions/2/report.html"));
    assert_reads(
        &french,
        "Ceci est la révision 2 de ce rapport, publiée le 8 octobre 2026, 11 h 00 (heure de Toronto) avec les données arrêtées au 8 octobre 2026, 10 h 00 (heure de Toronto). Elle remplace la révision 1, publiée le 6 octobre 2026, 11 h 00 (heure de Toronto) avec les données arrêtées au 6 octobre 2026, 10 h 59 (heure de Toronto) : des événements reçus depuis ont modifié ",
    );
    assert_reads(
        &french,
        "Passeport, demande en personne, Proportion satisfaite : satisfaction générale — Valeur 80,0\u{202f}% → 82,2\u{202f}%, Observations 40 → 45.",
    );
    assert_reads(
        &french,
        "Données arrêtées au 8 octobre 2026, 10 h 00 (heure de Toronto).",
    );

    // What a machine reads: changes.json, and the run store.
    let changes: Value = serde_json::from_str(&read(&second.join("changes.json"))).unwrap();
    assert_eq!(changes["number"], 2);
    assert_eq!(changes["data_cut_off"], "2026-10-08T14:00:00Z");
    assert_eq!(changes["earlier"][0]["number"], 1);
    assert_eq!(
        changes["earlier"][0]["data_cut_off"],
        "2026-10-06T14:59:00Z"
    );
    let satisfaction = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["table"] == "matrix"
                && c["key"]["dimension"] == "satisfaction_top2_share"
                && c["field"] == "value"
        })
        .expect("the satisfied share's change");
    assert_eq!(satisfaction["old"], 0.8);
    assert!((satisfaction["new"].as_f64().unwrap() - 37.0 / 45.0).abs() < 1e-12);
    let revisions = store.report_revisions("2026-09", "en").await.unwrap();
    assert_eq!(
        revisions.iter().map(|r| r.revision).collect::<Vec<_>>(),
        [1, 2]
    );
    let latest = &revisions[1];
    assert_eq!(latest.dir, second.display().to_string());
    assert_eq!(latest.data_cut_off, time("2026-10-08T14:00:00Z"));
    assert_eq!(
        latest.changed_figures as usize,
        changes["changes"].as_array().unwrap().len()
    );
    assert!(latest.files.contains(&"changes.json".to_string()));
    assert_eq!(
        store
            .report_succeeded("2026-09", "en")
            .await
            .unwrap()
            .unwrap()
            .revision,
        2,
        "the latest link serves revision 2"
    );

    // 9 October: nothing new since revision 2, so no revision 3.
    let settled = scheduler::tick(
        &store,
        &catalog,
        &config,
        time("2026-10-09T15:00:00Z"),
        &mut rechecks,
    )
    .await
    .unwrap();
    assert_eq!(settled.unchanged.len(), 2, "{settled:?}");
    assert!(!en.join("revisions/3").exists());
}

#[tokio::test]
async fn re_checks_reach_only_the_configured_number_of_periods() {
    let out = tempfile::tempdir().unwrap();
    let mut config = config(out.path());
    config.reports.languages = vec![Language::En];
    config.reports.recheck_periods = 0;
    let catalog = catalog();
    let store = MemoryStore::new(published_september());
    let mut rechecks = Rechecks::default();
    scheduler::tick(
        &store,
        &catalog,
        &config,
        time("2026-10-06T15:00:00Z"),
        &mut rechecks,
    )
    .await
    .unwrap();
    store.edit(late_events);
    let later = scheduler::tick(
        &store,
        &catalog,
        &config,
        time("2026-10-08T15:00:00Z"),
        &mut rechecks,
    )
    .await
    .unwrap();
    assert!(
        later.revised.is_empty() && later.unchanged.is_empty(),
        "{later:?}"
    );
    assert_eq!(later.already_written, 1);
    assert!(!out.path().join("2026-09/en/revisions").exists());
}

#[tokio::test]
async fn a_report_written_by_hand_into_its_folder_again_is_revised_not_overwritten() {
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("september");
    let config = config(out.path());
    let catalog = catalog();
    let store = MemoryStore::new(published_september());
    let period = Period::parse("2026-09", catalog.fiscal_year_start()).unwrap();
    let no_pdf = Err(&civicpulse_reports::pdf::PdfError::NotInstalled(
        "none".into(),
    ));

    let figures = generate::figures(&store, &catalog, &config, &period, &[])
        .await
        .unwrap();
    assert!(matches!(
        revision::in_folder_next(&folder, &figures),
        Ok(InFolder::First)
    ));
    publish::write(&figures, Language::En, &folder, no_pdf)
        .await
        .unwrap();

    let again = generate::figures(&store, &catalog, &config, &period, &[])
        .await
        .unwrap();
    assert!(matches!(
        revision::in_folder_next(&folder, &again),
        Ok(InFolder::Unchanged { number: 1, .. })
    ));

    store.edit(late_events);
    let later = generate::figures(&store, &catalog, &config, &period, &[])
        .await
        .unwrap();
    let Ok(InFolder::Next(revision)) = revision::in_folder_next(&folder, &later) else {
        panic!("late events make revision 2");
    };
    assert_eq!(revision.number, 2);
    let dir = revision::folder(&folder, 2);
    publish::write_revision(&later, Language::En, &dir, no_pdf, Some(&revision))
        .await
        .unwrap();
    let html = read(&dir.join("report.html"));
    assert_reads(&html, "<h2 id=\"revision\">Revision 2</h2>");
    assert_reads(&html, "Data cut-off: 8 October 2026, 10:00 (Toronto time).");
    // On disk, revision 2 links revision 1 in the folder above it.
    assert!(
        html.replace("&#x2f;", "/")
            .contains("<a href=\"../../report.html\">Revision 1, published "),
        "{html}"
    );

    // A folder holds one period: another period is refused, not revised.
    let october = Period::parse("2026-10", catalog.fiscal_year_start()).unwrap();
    let other = generate::figures(&store, &catalog, &config, &october, &[])
        .await
        .unwrap();
    let refused = revision::in_folder_next(&folder, &other).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("is the report of 2026-09, not of 2026-10"),
        "{refused}"
    );
}
