//! Reports end to end: `civicpulse report` writes the figures of a period as open data, and
//! every figure equals what the dashboard API answers for the same period.

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::Digest;

use crate::api::api_with_data;
use crate::support::*;

/// Rows keyed by the fields that name them.
fn by_key<'a>(rows: &'a Value, keys: &[&str]) -> BTreeMap<String, &'a Value> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let key: Vec<String> = keys.iter().map(|k| row[*k].to_string()).collect();
            (key.join("|"), row)
        })
        .collect()
}

/// The fields two answers must agree on (`computed_at` and `generated_at` differ by when
/// each was computed).
fn same_figures(report: &Value, api: &Value, skip: &[&str]) -> Result<(), String> {
    for (field, value) in api.as_object().unwrap() {
        if skip.contains(&field.as_str()) {
            continue;
        }
        if report[field] != *value {
            return Err(format!(
                "`{field}`: report {} vs API {value}",
                report[field]
            ));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_carries_the_same_figures_as_the_api_cell_by_cell() {
    require_shared_servers();
    let (mut pipeline, _api) = api_with_data().await;
    let out = pipeline.dir.path().join("report-2026-09");
    let output = pipeline
        .spawn_args(
            &[
                "report",
                "--period",
                "2026-09",
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        )
        .wait_success();
    for file in [
        "report.json",
        "matrix.csv",
        "sla.csv",
        "csv-metadata.json",
        "report.html",
    ] {
        assert!(out.join(file).exists(), "{file} missing: {output}");
    }
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["period"], "2026-09");

    // The matrix, cell by cell.
    let (status, api) = pipeline.api_get("/api/v1/matrix?period=2026-09").await;
    assert_eq!(status, 200, "{api}");
    let (ours, theirs) = (
        by_key(&report["matrix"], &["service_id", "dimension"]),
        by_key(&api, &["service_id", "dimension"]),
    );
    assert_eq!(ours.len(), theirs.len());
    assert!(
        ours.values().filter(|c| !c["value"].is_null()).count() > 20,
        "too few figures"
    );
    for (key, cell) in &theirs {
        same_figures(ours[key], cell, &["computed_at"]).unwrap_or_else(|e| panic!("{key}: {e}"));
    }

    // How each standard was kept, for cases closed in the period as the report counts it.
    let window = &report["sla_window"];
    let (status, api) = pipeline
        .api_get(&format!(
            "/api/v1/sla/summary?from={}&to={}",
            window["from"].as_str().unwrap(),
            window["to"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "{api}");
    let (ours, theirs) = (
        by_key(&report["sla"], &["service_id", "policy"]),
        by_key(&api, &["service_id", "policy"]),
    );
    assert_eq!(ours.len(), theirs.len());
    assert!(
        ours.values().any(|p| p["closed"].as_u64() > Some(0)),
        "no closed cases"
    );
    for (key, policy) in &theirs {
        same_figures(ours[key], policy, &[]).unwrap_or_else(|e| panic!("{key}: {e}"));
    }

    // The CSV carries the JSON's numbers, row for row.
    let mut csv = csv_reader(&out.join("matrix.csv"));
    let headers = csv.headers().unwrap().clone();
    let value_at = headers.iter().position(|h| h == "value").unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), report["matrix"].as_array().unwrap().len());
    for (row, cell) in rows.iter().zip(report["matrix"].as_array().unwrap()) {
        let text = &row[value_at];
        match cell["value"].as_f64() {
            // serde_json's default float parsing can be one ulp off; the text is the same.
            Some(value) => {
                let written = text.parse::<f64>().unwrap();
                assert!(
                    (written - value).abs() <= 1e-12 * value.abs().max(1.0),
                    "{row:?}"
                );
            }
            None => assert_eq!(text, "", "a withheld figure is empty, never 0: {row:?}"),
        }
    }

    // csv-metadata.json describes every column of both files, in their order.
    let metadata: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("csv-metadata.json")).unwrap())
            .unwrap();
    for table in metadata["tables"].as_array().unwrap() {
        let file = table["url"].as_str().unwrap();
        let described: Vec<&str> = table["tableSchema"]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        let header = csv_reader(&out.join(file)).headers().unwrap().clone();
        assert_eq!(header.iter().collect::<Vec<_>>(), described, "{file}");
    }

    // The page a person reads: self-contained, structured, statuses in words.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(r#"<html lang="en">"#));
    let external = regex::Regex::new(r#"(src|href)\s*=\s*"(https?:)?//"#).unwrap();
    assert!(!external.is_match(&html), "the report fetches something");
    assert!(!html.contains("<script"), "the report needs no script");
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<caption>").count()
    );
    let heading = regex::Regex::new(r"<h([1-6])[ >]").unwrap();
    let levels: Vec<u32> = heading
        .captures_iter(&html)
        .map(|c| c[1].parse().unwrap())
        .collect();
    assert_eq!(levels.iter().filter(|l| **l == 1).count(), 1, "one h1");
    assert!(
        levels.windows(2).all(|w| w[1] <= w[0] + 1),
        "headings skip a level: {levels:?}"
    );
    let statuses = regex::Regex::new(r#"<td class="status-(\w+)">([^<]*)</td>"#).unwrap();
    let matrix_section = html
        .split(r#"<h2 id="matrix">"#)
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .expect("a matrix section");
    let shown: Vec<(String, String)> = statuses
        .captures_iter(matrix_section)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect();
    let judged = report["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] != "not_available")
        .count();
    assert_eq!(shown.len(), judged);
    for (status, text) in &shown {
        let word = match status.as_str() {
            "green" => "on target",
            "amber" => "near target",
            "red" => "off target",
            // A figure with no observation at all says so rather than "withheld".
            "insufficient_data" if text.contains("no observation") => "no observation",
            "insufficient_data" => "withheld",
            _ => "",
        };
        assert!(
            text.contains(word) && text.chars().any(char::is_alphabetic),
            "{status}: {text}"
        );
    }
    let (on, near, off) = services_by_worst_status(&report);
    assert!(
        html.contains(&format!(
            "{on} on target, {near} near target, {off} off target"
        )),
        "the summary counts the services by their matrix figures"
    );
    read_in_a_browser(&pipeline, &out, &report, "en").await;

    // One service only; and a period that is no period is refused, naming the option.
    let one = pipeline.dir.path().join("report-one");
    pipeline
        .spawn_args(
            &[
                "report",
                "--period",
                "2026-Q3",
                "--service",
                "passport-by-mail",
                "--out",
                one.to_str().unwrap(),
            ],
            &[],
        )
        .wait_success();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(one.join("report.json")).unwrap()).unwrap();
    assert!(report["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["service_id"] == "passport-by-mail"));
    // The same report in French: lang, names, numbers as French writes them.
    let french = pipeline.dir.path().join("report-fr");
    pipeline
        .spawn_args(
            &[
                "report",
                "--period",
                "2026-09",
                "--lang",
                "fr",
                "--out",
                french.to_str().unwrap(),
            ],
            &[],
        )
        .wait_success();
    let html = std::fs::read_to_string(french.join("report.html")).unwrap();
    assert!(html.contains(r#"<html lang="fr">"#));
    assert!(html.contains("Sommaire") && html.contains("Notes méthodologiques"));
    // The PDF is checked against its own report's figures (not the Q3 one's above).
    let french_report: Value =
        serde_json::from_str(&std::fs::read_to_string(french.join("report.json")).unwrap())
            .unwrap();
    read_in_a_browser(&pipeline, &french, &french_report, "fr").await;

    // An empty period, with no earlier one: said in words, no table of zeros.
    let empty = pipeline.dir.path().join("report-empty");
    pipeline
        .spawn_args(
            &[
                "report",
                "--period",
                "2025-02",
                "--out",
                empty.to_str().unwrap(),
            ],
            &[],
        )
        .wait_success();
    let html = std::fs::read_to_string(empty.join("report.html")).unwrap();
    assert!(html.contains("No response, transaction or closed case was recorded in this period"));
    // Said in words on one page: no matrix, guarantees or definitions to fill.
    assert!(!html.contains("id=\"matrix\"") && !html.contains("id=\"guarantees\""));
    assert!(
        !html.contains(r#"<td class="number">0</td>"#),
        "zeros shown for an empty period"
    );
    let summary = check_page(
        &format!("file://{}", empty.join("report.html").display()),
        &empty.join("first-screen.png"),
    );
    assert_accessible(&summary, "an empty report");

    // August has figures and nothing before it (the world starts on 1 August): no change
    // is claimed and no previous figure is made up.
    let august = pipeline.dir.path().join("report-august");
    pipeline
        .spawn_args(
            &[
                "report",
                "--period",
                "2026-08",
                "--out",
                august.to_str().unwrap(),
            ],
            &[],
        )
        .wait_success();
    let html = std::fs::read_to_string(august.join("report.html")).unwrap();
    // The world's first events fall on 31 July, Toronto time: July holds a day of data,
    // so it is an incomplete period, named and not compared.
    assert!(
        html.contains("No earlier period has complete data to compare with"),
        "{html}"
    );
    assert!(html.contains("the previous period is incomplete"));
    let figures: Value =
        serde_json::from_str(&std::fs::read_to_string(august.join("report.json")).unwrap())
            .unwrap();
    assert!(figures["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["dimension"] != "transactions"
            && c["dimension"] != "surveys_offered"
            && c["dimension"] != "responses")
        .all(|c| c["previous_value"].is_null()));

    // Without Chromium: the command says so plainly and writes everything else.
    let no_pdf = pipeline.dir.path().join("report-no-chromium");
    let log = pipeline
        .spawn_args(
            &[
                "report",
                "--period",
                "2026-09",
                "--out",
                no_pdf.to_str().unwrap(),
            ],
            &[(
                "CIVICPULSE_REPORTS__CHROMIUM",
                "/nonexistent/chromium".to_string(),
            )],
        )
        .wait_success();
    assert!(
        log.contains("no report.pdf: Chromium was not found"),
        "{log}"
    );
    assert!(no_pdf.join("report.html").exists() && !no_pdf.join("report.pdf").exists());

    // A service whose every figure is withheld (a threshold no figure reaches): said so
    // on its page, and its table shows "withheld", never a 0 share.
    let withheld = pipeline.dir.path().join("report-withheld");
    pipeline
        .spawn_args(
            &[
                "report",
                "--period",
                "2026-09",
                "--service",
                "passport-by-mail",
                "--out",
                withheld.to_str().unwrap(),
            ],
            &[("CIVICPULSE_MATRIX__MIN_RESPONSES", "1000000".to_string())],
        )
        .wait_success();
    let html = std::fs::read_to_string(withheld.join("report.html")).unwrap();
    let page = html
        .split(r#"<h2 id="service-passport-by-mail">"#)
        .nth(1)
        .unwrap();
    assert!(
        page.contains("rests on fewer than 1,000,000 observations and is withheld"),
        "{page}"
    );
    assert!(!page.contains(r#"<td class="number">0.0%</td>"#), "{page}");

    let mut refused = pipeline.spawn_args(
        &["report", "--period", "last quarter", "--out", "/tmp/x"],
        &[],
    );
    assert!(!refused.wait_exit(std::time::Duration::from_secs(30)).await);
    assert!(
        refused.log_text().contains("--period"),
        "{}",
        refused.log_text()
    );
}

/// Services whose worst judged figure is green, amber and red.
fn services_by_worst_status(report: &Value) -> (usize, usize, usize) {
    let (mut on, mut near, mut off) = (0, 0, 0);
    for service in report["services"].as_array().unwrap() {
        let statuses: Vec<&str> = report["matrix"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["service_id"] == service["id"])
            .map(|c| c["status"].as_str().unwrap())
            .collect();
        if statuses.contains(&"red") {
            off += 1;
        } else if statuses.contains(&"amber") {
            near += 1;
        } else if statuses.contains(&"green") {
            on += 1;
        }
    }
    (on, near, off)
}

/// Collapses runs of white space, as text laid out in a PDF wraps anywhere.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The report as a person gets it: accessible in Chromium (axe-core, WCAG 2.1 A/AA), not
/// blank on screen, fetching nothing; printed to a PDF whose pages and text carry every
/// service and its standards' headline figures.
async fn read_in_a_browser(pipeline: &Pipeline, out: &std::path::Path, report: &Value, lang: &str) {
    let png = out.join("first-screen.png");
    let summary = check_page(
        &format!("file://{}", out.join("report.html").display()),
        &png,
    );
    assert_eq!(summary["lang"], lang, "{summary}");
    assert_accessible(&summary, &format!("report.html ({lang})"));
    assert_eq!(
        summary["requests"],
        serde_json::json!([]),
        "the report fetched something"
    );
    let spread = pixel_spread(&png);
    assert!(
        spread > 10.0,
        "the first screen looks blank (grey spread {spread:.1})"
    );

    let (pages, text) = read_pdf(&out.join("report.pdf"));
    let services = report["services"].as_array().unwrap();
    // A summary, the matrix, the guarantees, one page or more per service, the method.
    assert!(
        pages as usize >= services.len() + 3 && pages as usize <= 12 * services.len() + 30,
        "{pages} pages for {} services",
        services.len()
    );
    let text = words(&text);
    let name_field = if lang == "fr" { "name_fr" } else { "name" };
    for service in services {
        let name = words(service[name_field].as_str().unwrap());
        assert!(text.contains(&name), "the PDF lacks {name}");
    }
    for policy in report["sla"].as_array().unwrap() {
        let Some(compliance) = policy["compliance_ratio"].as_f64() else {
            continue;
        };
        let shown = format!("{:.1}", compliance * 100.0);
        let shown = if lang == "fr" {
            shown.replace('.', ",")
        } else {
            shown
        };
        assert!(
            text.contains(&shown),
            "the PDF lacks {} {}'s compliance {shown}",
            policy["service_id"],
            policy["policy"]
        );
    }
    let _ = pipeline;
}

fn csv_reader(path: &std::path::Path) -> csv::Reader<std::fs::File> {
    csv::Reader::from_path(path).unwrap()
}

/// Rewrites the pipeline's configuration with `edit` applied to its `[reports]`.
fn configure_reports(
    pipeline: &Pipeline,
    edit: impl FnOnce(&mut civicpulse_core::config::ReportsConfig),
) {
    pipeline.edit_config(|config| edit(&mut config.reports));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_schedule_writes_each_due_report_once_and_retries_a_failed_one() {
    require_shared_servers();
    let (mut pipeline, api) = api_with_data().await;
    let reports = pipeline.dir.path().join("published");
    // 6 October 2026: September's report came due on the 3rd business day (Monday 5th).
    let first = pipeline.write_scheduled_report(&reports);
    assert!(
        first.contains("written: 2026-09 en") && first.contains("written: 2026-09 fr"),
        "{first}"
    );
    // A restart asks again and writes nothing twice.
    let again = pipeline
        .spawn_args(&["report-schedule", "--as-of", "2026-10-20T15:00:00Z"], &[])
        .wait_success();
    assert!(
        !again.lines().any(|l| l.starts_with("written:")) && again.contains("already written: 2"),
        "{again}"
    );
    // It re-checks them too: the same figures, so nothing is written or recorded.
    assert!(
        again.contains("unchanged: 2026-09 en") && again.contains("unchanged: 2026-09 fr"),
        "{again}"
    );
    let runs = pipeline
        .query("SELECT period, lang, status, files, checksums FROM report_runs ORDER BY lang FORMAT JSONEachRow")
        .await
        .unwrap();
    let runs: Vec<Value> = runs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        runs.len(),
        2,
        "exactly one run per period and language: {runs:?}"
    );
    for run in &runs {
        assert_eq!(run["status"], "succeeded");
        let dir = reports.join("2026-09").join(run["lang"].as_str().unwrap());
        let files = run["files"].as_array().unwrap();
        for (file, checksum) in files.iter().zip(run["checksums"].as_array().unwrap()) {
            let bytes = std::fs::read(dir.join(file.as_str().unwrap())).unwrap();
            assert_eq!(
                hex::encode(sha2::Sha256::digest(&bytes)),
                checksum.as_str().unwrap()
            );
        }
        assert!(files.iter().any(|f| f == "report.pdf"), "{run}");
    }
    let french = std::fs::read_to_string(reports.join("2026-09/fr/report.html")).unwrap();
    assert!(french.contains(r#"<html lang="fr">"#));

    // October's report, due 4 November, cannot be written (its folder would be inside a
    // file): the failure is recorded, not skipped, and retried once the cause is gone.
    let blocker = pipeline.dir.path().join("not-a-folder");
    std::fs::write(&blocker, "x").unwrap();
    configure_reports(&pipeline, |r| {
        r.dir = blocker.join("published");
        r.languages = vec![civicpulse_core::config::Language::En];
    });
    let failed = pipeline
        .spawn_args(&["report-schedule", "--as-of", "2026-11-05T15:00:00Z"], &[])
        .wait_success();
    assert!(failed.contains("failed: 2026-10 en"), "{failed}");
    let waiting = pipeline
        .spawn_args(&["report-schedule", "--as-of", "2026-11-05T15:01:00Z"], &[])
        .wait_success();
    assert!(waiting.contains("waiting to retry: 1"), "{waiting}");
    configure_reports(&pipeline, |r| {
        r.dir = reports.clone();
        r.languages = vec![civicpulse_core::config::Language::En];
    });
    let retried = pipeline
        .spawn_args(&["report-schedule", "--as-of", "2026-11-05T15:10:00Z"], &[])
        .wait_success();
    assert!(retried.contains("written: 2026-10 en"), "{retried}");
    let statuses = pipeline
        .query("SELECT status, count() FROM report_runs WHERE period = '2026-10' GROUP BY status ORDER BY status FORMAT TSV")
        .await
        .unwrap();
    assert_eq!(statuses.trim(), "failed\t1\nsucceeded\t1");

    // The dashboard API lists the runs and serves their files; the default needs a token.
    let (status, listed) = pipeline.api_get("/api/v1/reports").await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed.as_array().unwrap().len(), 4, "{listed}");
    let html_url = "/api/v1/reports/2026-09/fr/report.html";
    let served = pipeline.get_raw(&pipeline.api, html_url).await;
    assert_eq!(served.0, 200);
    assert_eq!(served.1, "text/html; charset=utf-8");
    assert_eq!(
        served.2,
        std::fs::read(reports.join("2026-09/fr/report.html")).unwrap()
    );
    let pdf = pipeline
        .get_raw(&pipeline.api, "/api/v1/reports/2026-09/en/report.pdf")
        .await;
    assert_eq!((pdf.0, pdf.1.as_str()), (200, "application/pdf"));
    assert!(pdf.2.starts_with(b"%PDF"));
    for missing in [
        "/api/v1/reports/2026-09/en/secret.txt",
        "/api/v1/reports/2026-09/en/..%2F..%2Fcivicpulse.toml",
        "/api/v1/reports/2026-10/fr/report.html",
    ] {
        let (status, _, body) = pipeline.get_raw(&pipeline.api, missing).await;
        assert_eq!(status, 404, "{missing}: {}", String::from_utf8_lossy(&body));
    }
    assert_eq!(
        pipeline.get_raw(&pipeline.http, html_url).await.0,
        401,
        "a token is needed"
    );
    let live = pipeline
        .get_raw(&pipeline.api, "/reports/2026-09?lang=fr")
        .await;
    assert_eq!(live.0, 200);
    let live = String::from_utf8(live.2).unwrap();
    assert!(live.contains(r#"<html lang="fr">"#) && live.contains("Sommaire"));
    assert_eq!(
        pipeline
            .get_raw(&pipeline.api, "/reports/2026-09?lang=de")
            .await
            .0,
        400
    );
    assert_eq!(
        pipeline
            .get_raw(&pipeline.api, "/reports/last-month")
            .await
            .0,
        400
    );

    // `[reports] public = true`: the same pages without a token.
    drop(api);
    configure_reports(&pipeline, |r| r.public = true);
    let _public = pipeline.start_dashboard().await;
    assert_eq!(pipeline.get_raw(&pipeline.http, html_url).await.0, 200);
    assert_eq!(
        pipeline.get_raw(&pipeline.http, "/reports/2026-09").await.0,
        200
    );
    let (status, _, _) = pipeline
        .get_raw(&pipeline.http, "/api/v1/matrix?period=2026-09")
        .await;
    assert_eq!(status, 401, "the rest of the API still needs a token");

    // Late events dated in September reach the API after its report was published: the
    // next re-check publishes revision 2 beside the first, and says what changed.
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    let stored = pipeline.count("feedback").await;
    let late: Vec<Value> = (0..30)
        .map(|_| {
            let mut event = feedback("passport-in-person", "in_person", 5, None);
            event["occurred_at"] = serde_json::json!("2026-09-15T15:00:00Z");
            event
        })
        .collect();
    let (status, body) = pipeline.post(&late).await;
    assert_eq!(status, 200, "{body}");
    pipeline
        .wait_count("feedback", stored + 30, std::time::Duration::from_secs(60))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    pipeline.spawn("aggregate").wait_success();
    let revised = pipeline
        .spawn_args(&["report-schedule", "--as-of", "2026-11-05T15:20:00Z"], &[])
        .wait_success();
    assert!(
        revised.contains("revised: 2026-09 en revision 2"),
        "{revised}"
    );
    let second = reports.join("2026-09/en/revisions/2");
    let page = std::fs::read_to_string(second.join("report.html")).unwrap();
    assert!(
        page.contains("<h2 id=\"revision\">Revision 2</h2>"),
        "{page}"
    );
    assert!(
        page.contains("Passport, applied for in person, Responses — Value "),
        "{page}"
    );
    let changes: Value =
        serde_json::from_slice(&std::fs::read(second.join("changes.json")).unwrap()).unwrap();
    assert_eq!(changes["earlier"][0]["number"], 1);
    let responses = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["table"] == "matrix"
                && c["key"]["service_id"] == "passport-in-person"
                && c["key"]["dimension"] == "responses"
                && c["field"] == "value"
        })
        .unwrap_or_else(|| panic!("the responses' change: {changes}"));
    assert_eq!(
        responses["new"].as_f64().unwrap() - responses["old"].as_f64().unwrap(),
        30.0
    );
    let revisions = pipeline
        .query("SELECT revision, changed_figures > 0, figures_sha256 != '', data_cut_off > toDateTime('2026-10-01 00:00:00') FROM report_runs WHERE period = '2026-09' AND lang = 'en' AND status = 'succeeded' ORDER BY revision FORMAT TSV")
        .await
        .unwrap();
    assert_eq!(revisions.trim(), "1\t0\t1\t1\n2\t1\t1\t1");
    // The latest link serves revision 2; revision 1 stays served as it was.
    let latest = pipeline
        .get_raw(&pipeline.http, "/api/v1/reports/2026-09/en/report.html")
        .await;
    assert_eq!(String::from_utf8(latest.2).unwrap(), page);
    let first = pipeline
        .get_raw(
            &pipeline.http,
            "/api/v1/reports/2026-09/en/revisions/1/report.html",
        )
        .await;
    assert_eq!(
        first.2,
        std::fs::read(reports.join("2026-09/en/report.html")).unwrap()
    );
    // Nothing new since: no revision 3.
    let settled = pipeline
        .spawn_args(&["report-schedule", "--as-of", "2026-11-06T15:20:00Z"], &[])
        .wait_success();
    assert!(settled.contains("unchanged: 2026-09 en"), "{settled}");
    assert!(!reports.join("2026-09/en/revisions/3").exists());
}
