//! Exports in the formats governments publish: each file's header is the published one, in
//! its order, and every figure re-computes from what the matrix and SLA APIs answer for the
//! same period — with the formats' own rules for empty versus zero.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::api_with_data;
use crate::support::*;

/// The GC Service Inventory `service-std` columns, in the published order.
const GC_COLUMNS: [&str; 24] = [
    "fiscal_yr",
    "service_id",
    "service_name_en",
    "service_name_fr",
    "service_standard_id",
    "service_standard_en",
    "service_standard_fr",
    "type",
    "channel",
    "channel_comments_en",
    "channel_comments_fr",
    "target",
    "volume_meeting_target",
    "total_volume",
    "performance",
    "comments_en",
    "comments_fr",
    "target_met",
    "standards_targets_uri_en",
    "standards_targets_uri_fr",
    "performance_results_uri_en",
    "performance_results_uri_fr",
    "owner_org",
    "owner_org_title",
];

async fn get_text(pipeline: &Pipeline, path: &str) -> (u16, String, String) {
    let (status, kind, body) = pipeline.get_raw(&pipeline.api, path).await;
    (status, kind, String::from_utf8(body).expect("UTF-8"))
}

fn records(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

/// Matrix cells of a period keyed by (service, dimension).
async fn matrix(pipeline: &Pipeline, period: &str) -> BTreeMap<(String, String), Value> {
    let (status, cells) = pipeline
        .api_get(&format!("/api/v1/matrix?period={period}"))
        .await;
    assert_eq!(status, 200, "{cells}");
    cells
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                (
                    c["service_id"].as_str().unwrap().to_string(),
                    c["dimension"].as_str().unwrap().to_string(),
                ),
                c.clone(),
            )
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_carry_the_api_figures_in_each_governments_format() {
    require_shared_servers();
    let (mut pipeline, _api) = api_with_data().await;
    let catalog = civicpulse_core::Catalog::load(&repo_root().join("catalog.toml")).unwrap();

    // Canada: fiscal year 2026-2027 (1 April to 1 April, Toronto), one row per published
    // standard, UTF-8 with a byte-order mark.
    let (status, kind, text) =
        get_text(&pipeline, "/api/v1/exports/gc-service-std?period=2026-2027").await;
    assert_eq!(status, 200, "{text}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    let body = text.strip_prefix('\u{feff}').expect("UTF-8 with BOM");
    let (header, rows) = records(body);
    assert_eq!(header, GC_COLUMNS);
    let (status, summary) = pipeline
        .api_get("/api/v1/sla/summary?from=2026-04-01T04:00:00Z&to=2027-04-01T04:00:00Z")
        .await;
    assert_eq!(status, 200, "{summary}");
    let published = [
        "passport-in-person",
        "passport-by-mail",
        "employment-insurance",
    ];
    assert_eq!(rows.len(), published.len(), "{rows:?}");
    for row in &rows {
        assert_eq!(row["fiscal_yr"], "2026-2027");
        let service = catalog
            .services
            .iter()
            .find(|s| s.inventory_id.as_deref() == Some(row["service_id"].as_str()))
            .expect("the row names a catalog service by its inventory id");
        assert!(published.contains(&service.id.as_str()), "{}", service.id);
        let policy = summary
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["service_id"] == service.id.as_str())
            .unwrap_or_else(|| panic!("no SLA summary row for {}", service.id));
        let total = policy["closed"].as_u64().unwrap();
        // The API withholds what splits fewer than k closed cases; the GC dataset publishes
        // every standard's volumes, so then only the total is the API's to compare.
        let met = match policy["met"].as_u64() {
            Some(met) => met,
            None => {
                assert_eq!(policy["status"], "insufficient_data", "{policy}");
                row["volume_meeting_target"].parse().unwrap_or(0)
            }
        };
        // Blank is "no information", 0 "none issued": a year with nothing closed is
        // one or the other, never a 0 the pipeline cannot vouch for.
        if row["total_volume"].is_empty() {
            assert_eq!(total, 0, "{row:?}");
            assert_eq!(row["volume_meeting_target"], "");
        } else {
            assert_eq!(row["volume_meeting_target"], met.to_string());
            assert_eq!(row["total_volume"], total.to_string());
        }
        let target = policy["target_ratio"].as_f64().unwrap();
        assert_eq!(row["target"].parse::<f64>().unwrap(), target);
        if total == 0 {
            assert_eq!(row["performance"], "", "empty, never 0, without volume");
            assert_eq!(row["target_met"], "NA");
        } else {
            let performance = (met as f64 / total as f64 * 10_000.0).round() / 10_000.0;
            assert_eq!(row["performance"].parse::<f64>().unwrap(), performance);
            assert_eq!(
                row["target_met"],
                if performance >= target { "Y" } else { "N" }
            );
        }
        assert!(["EML", "FAX", "ONL", "OTH", "PERSON", "POST", "TEL"]
            .contains(&row["channel"].as_str()));
        // `OTH` is explained in both languages, as the schema asks.
        if row["channel"] == "OTH" {
            assert!(
                !row["channel_comments_en"].is_empty() && !row["channel_comments_fr"].is_empty(),
                "{row:?}"
            );
        }
        // A year still running says so, in both languages.
        let year_end: chrono::DateTime<chrono::Utc> = "2027-04-01T04:00:00Z".parse().unwrap();
        let running = chrono::Utc::now() < year_end;
        assert_eq!(
            row["comments_en"].contains("Fiscal year 2026-2027 in progress: figures as of "),
            running,
            "{row:?}"
        );
        assert_eq!(
            row["comments_fr"].contains("Exercice 2026-2027 en cours : chiffres au "),
            running,
            "{row:?}"
        );
        assert_eq!(row["type"], "TML");
        assert!(row["service_id"].starts_with("SRV") && !row["service_name_fr"].is_empty());
        assert_eq!(row["owner_org"], "esdc-edsc");
    }
    let channels: Vec<&str> = rows.iter().map(|r| r["channel"].as_str()).collect();
    assert!(
        channels.contains(&"PERSON") && channels.contains(&"POST"),
        "{channels:?}"
    );
    // Employment Insurance is served on the web, in the app and by phone.
    let insurance = rows.iter().find(|r| r["service_id"] == "SRV0202").unwrap();
    assert_eq!(
        (
            &*insurance["channel"],
            &*insurance["channel_comments_en"],
            &*insurance["channel_comments_fr"]
        ),
        ("OTH", "Online, Telephone", "En ligne, Téléphone")
    );

    // The CLI writes the same bytes.
    let file = pipeline.dir.path().join("service-std.csv");
    pipeline
        .spawn_args(
            &[
                "export",
                "--format",
                "gc-service-std",
                "--period",
                "2026-2027",
                "--out",
                file.to_str().unwrap(),
            ],
            &[],
        )
        .wait_success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);

    // US: FY2026-Q4 is July to September 2026, the matrix's 2026-Q3.
    let (status, kind, text) =
        get_text(&pipeline, "/api/v1/exports/omb-a11?period=FY2026-Q4").await;
    assert_eq!(status, 200, "{text}");
    assert!(kind.starts_with("text/csv"));
    let (header, rows) = records(&text);
    let mut expected_header: Vec<String> = [
        "fiscal_year",
        "quarter",
        "service_id",
        "service_provided",
        "transaction_point",
        "channel",
        "volume_of_customers",
        "volume_of_customers_provided_survey_opportunity",
        "volume_of_respondents",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    for n in 1..=7 {
        expected_header.push(format!("q{n}_text"));
        expected_header.extend((1..=5).map(|p| format!("q{n}_{p}")));
    }
    assert_eq!(header, expected_header);
    let cells = matrix(&pipeline, "2026-Q3").await;
    let questions = [
        "satisfaction",
        "trust",
        "need_met",
        "ease",
        "time_reasonable",
        "fair",
        "helpful_staff",
    ];
    let mut checked = 0;
    for service in [
        "passport-in-person",
        "passport-by-mail",
        "on-birth-certificate",
        "employment-insurance",
    ] {
        let own: Vec<&BTreeMap<String, String>> =
            rows.iter().filter(|r| r["service_id"] == service).collect();
        assert!(!own.is_empty(), "{service} has no A-11 row");
        let sum = |field: &str| {
            own.iter()
                .map(|r| r[field].parse::<u64>().unwrap())
                .sum::<u64>()
        };
        let cell = |d: &str| &cells[&(service.to_string(), d.to_string())];
        assert_eq!(
            Some(sum("volume_of_customers")),
            cell("transactions")["n"].as_u64(),
            "{service}"
        );
        assert_eq!(
            Some(sum("volume_of_customers_provided_survey_opportunity")),
            cell("surveys_offered")["n"].as_u64()
        );
        assert_eq!(
            Some(sum("volume_of_respondents")),
            cell("responses")["n"].as_u64()
        );
        for (i, question) in questions.iter().enumerate() {
            let q = i + 1;
            let counts: Vec<u64> = (1..=5).map(|p| sum(&format!("q{q}_{p}"))).collect();
            let answered: u64 = counts.iter().sum();
            let mean_cell = cell(&format!("{question}_mean"));
            assert_eq!(
                Some(answered),
                mean_cell["n"].as_u64(),
                "{service} {question}"
            );
            if let Some(mean) = mean_cell["value"].as_f64() {
                let from_counts = counts
                    .iter()
                    .zip(1..)
                    .map(|(n, p)| (n * p) as f64)
                    .sum::<f64>()
                    / answered as f64;
                assert!(
                    close(from_counts, mean),
                    "{service} {question}: {from_counts} vs {mean}"
                );
                checked += 1;
            }
        }
        assert!(own
            .iter()
            .all(|r| r["fiscal_year"] == "2026" && r["quarter"] == "4"));
        // The collection's channel codes; a transaction point the catalog lists or
        // `unspecified`; and offers and answers on one row per service, point and channel.
        let catalog_service = catalog.service(service).unwrap();
        let mut keys = std::collections::BTreeSet::new();
        for row in &own {
            assert!(
                ["website", "mobile_app", "phone", "in_person", "postal_mail"]
                    .contains(&row["channel"].as_str()),
                "{row:?}"
            );
            assert!(
                row["transaction_point"] == "unspecified"
                    || catalog_service.stages.contains(&row["transaction_point"]),
                "{row:?}"
            );
            assert!(
                keys.insert((row["transaction_point"].clone(), row["channel"].clone())),
                "{service}: a transaction point and channel twice"
            );
            let number = |field: &str| row[field].parse::<u64>().unwrap();
            if number("volume_of_respondents") > 0 {
                assert!(
                    number("volume_of_customers_provided_survey_opportunity") > 0,
                    "{service}: respondents on a row without offers: {row:?}"
                );
            }
        }
    }
    assert!(checked > 10, "too few means compared: {checked}");

    // UK: September 2026, one record per service.
    let (status, records) = pipeline
        .api_get("/api/v1/exports/govuk-kpis?period=2026-09")
        .await;
    assert_eq!(status, 200, "{records}");
    let cells = matrix(&pipeline, "2026-09").await;
    let records = records.as_array().unwrap();
    // The field order as written (serde_json's map would sort it).
    let (_, _, raw) = get_text(&pipeline, "/api/v1/exports/govuk-kpis?period=2026-09").await;
    let first = raw.split('}').next().unwrap();
    let field = regex::Regex::new(r#""(\w+)":"#).unwrap();
    let fields: Vec<&str> = field
        .captures_iter(first)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "_id",
            "_timestamp",
            "end_at",
            "period",
            "service_id",
            "number_of_transactions",
            "number_of_digital_transactions",
            "digital_takeup",
            "completion_rate",
            "rating_1",
            "rating_2",
            "rating_3",
            "rating_4",
            "rating_5",
            "num_responses",
            "score",
            "total_cost",
            "cost_per_transaction",
        ]
    );
    for record in records {
        let service = record["service_id"].as_str().unwrap();
        let cell = |d: &str| &cells[&(service.to_string(), d.to_string())];
        // Every catalog service sits in Toronto: midnights at EDT's offset.
        assert_eq!(record["_timestamp"], "2026-09-01T00:00:00-04:00");
        assert_eq!(record["end_at"], "2026-10-01T00:00:00-04:00");
        assert_eq!(record["period"], "month");
        assert_eq!(record["number_of_transactions"], cell("transactions")["n"]);
        assert_eq!(
            record["digital_takeup"],
            cell("digital_take_up")["value"],
            "{service}"
        );
        if cell("digital_take_up")["status"] == "not_available" {
            assert_eq!(
                record["number_of_digital_transactions"],
                Value::Null,
                "{service}"
            );
        }
        assert_eq!(record["completion_rate"], cell("completion_rate")["value"]);
        // Never above 1: decisions outnumbering applications give no rate at all.
        if let Some(rate) = record["completion_rate"].as_f64() {
            assert!((0.0..=1.0).contains(&rate), "{service}: {rate}");
        }
        if cell("completion_rate")["status"] == "not_available" {
            assert_eq!(record["completion_rate"], Value::Null, "{service}");
        }
        assert_eq!(
            record["num_responses"],
            cell("satisfaction_mean")["n"],
            "{service}"
        );
        match cell("satisfaction_mean")["value"].as_f64() {
            Some(mean) => assert!(close(record["score"].as_f64().unwrap(), (mean - 1.0) / 4.0)),
            None if record["num_responses"] == 0 => assert_eq!(record["score"], Value::Null),
            None => {}
        }
        assert_eq!(
            record["cost_per_transaction"],
            cell("cost_per_transaction")["value"],
            "{service}"
        );
        match record["total_cost"].as_f64() {
            // Over too few transactions the figure is withheld, as the matrix withholds it.
            Some(cost) => match record["cost_per_transaction"].as_f64() {
                Some(per) => assert!(close(
                    per,
                    cost / record["number_of_transactions"].as_f64().unwrap()
                )),
                None => assert_eq!(
                    cell("cost_per_transaction")["status"],
                    "insufficient_data",
                    "{record}"
                ),
            },
            None => assert_eq!(
                record["cost_per_transaction"],
                Value::Null,
                "no cost, never 0"
            ),
        }
    }
    let costed = records
        .iter()
        .filter(|r| r["total_cost"].is_number())
        .count();
    assert_eq!(costed, 2, "the two passport services have September's cost");

    // A period in the wrong form is a 400 naming `period`; an unknown format is a 404.
    let (status, error) = pipeline
        .api_get("/api/v1/exports/omb-a11?period=2026-Q3")
        .await;
    assert_eq!(status, 400, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`period`"),
        "{error}"
    );
    let (status, _) = pipeline
        .api_get("/api/v1/exports/xlsx?period=2026-09")
        .await;
    assert_eq!(status, 404);
}
