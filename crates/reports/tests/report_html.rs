//! The report page as a reader sees it, from a hand-made set of figures: `Figures::gather`
//! over an in-memory store holding September 2026 of two passport services, rendered in
//! English and in French. The sentences asserted are the ones a minister reads; every
//! figure in them is computed by hand below.

use civicpulse_analytics::period::Period;
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::Catalog;
use civicpulse_reports::freshness::Freshness;
use civicpulse_reports::{html, Figures, Language};
use civicpulse_store::tables::matrix_feedback_daily::AnswerSums;
use civicpulse_store::tables::sla_cases::SummaryRow;
use civicpulse_testkit::memory::{MemoryStore, Tables};

const PASSPORT: &str = "passport-in-person";
const BY_MAIL: &str = "passport-by-mail";

fn catalog() -> Catalog {
    Catalog::from_toml_str(include_str!("../../../catalog.toml")).expect("catalog")
}

/// `responses` answers to the satisfaction question, `satisfied` of them 5 and the rest 2,
/// in the rollup's layout `[responses, then n, sum, sum of squares, top-2 per question]`.
fn answers(service: &str, responses: u64, satisfied: u64) -> AnswerSums {
    let others = responses - satisfied;
    let mut sums = vec![0; 1 + 7 * 4];
    sums[..5].copy_from_slice(&[
        responses,
        responses,
        satisfied * 5 + others * 2,
        satisfied * 25 + others * 4,
        satisfied,
    ]);
    AnswerSums {
        service_id: service.into(),
        // 1 September 2026, in days since 1970-01-01.
        bucket: 20_697,
        group_value: String::new(),
        sla_outcome: String::new(),
        sums,
    }
}

/// The processing standard's cases closed in the period: `met` of `met + breached`, each
/// breach owing `refund_cents`.
fn standard(service: &str, met: u64, breached: u64, refund_cents: i64) -> SummaryRow {
    SummaryRow {
        service_id: service.into(),
        policy: "processing".into(),
        closed: met + breached,
        met,
        breached,
        p50: 7.0,
        p90: 9.0,
        open: 0,
        at_risk: 0,
        open_breached: 0,
        refunds_owed: breached,
        // Summed in ten-thousandths of the currency unit.
        refunds_owed_ten_thousandths: refund_cents * 100 * breached as i64,
        anomalies: 0,
        closed_1d: 0,
        breached_1d: 0,
        closed_7d: 0,
        breached_7d: 0,
        closed_30d: met + breached,
        breached_30d: breached,
        excused: 0,
    }
}

/// In person: 40 answers, 32 satisfied → 80.0 %; its standard kept (20 of 20).
/// By mail: 6 answers, under the 10 a figure needs → every figure withheld; its standard
/// missed: 16 of 20 within it → 80.0 % against 90.0 %, 4 late cases owing 25 % of the
/// $160 fee each → 4 × $40.00 = $160.00.
async fn september() -> Figures {
    let store = MemoryStore::new(Tables {
        answer_sums: vec![answers(PASSPORT, 40, 32), answers(BY_MAIL, 6, 5)],
        summaries: vec![
            standard(PASSPORT, 20, 0, 0),
            standard(BY_MAIL, 16, 4, 4_000),
        ],
        ..Tables::default()
    });
    let freshness = Freshness {
        latest_event_stored: Some("2026-10-01T05:59:00Z".into()),
        monitoring: "no Prometheus configured ([reports] prometheus_url)".into(),
        ..Freshness::default()
    };
    Figures::gather(
        &store,
        &catalog(),
        &MatrixConfig::default(),
        &Period::parse("2026-09", catalog().fiscal_year_start()).expect("a month"),
        &[PASSPORT.to_string(), BY_MAIL.to_string()],
        freshness,
    )
    .await
    .expect("figures")
}

fn assert_reads(html: &str, sentence: &str) {
    assert!(html.contains(sentence), "missing «{sentence}» in\n{html}");
}

#[tokio::test]
async fn the_english_report_names_the_services_states_the_figures_and_says_what_is_withheld() {
    let html = html::render(&september().await, Language::En).expect("rendered");
    assert_reads(&html, "<html lang=\"en\"");
    assert_reads(&html, "Service performance report, ");
    assert_reads(&html, "Passport, applied for in person</h2>");
    assert_reads(&html, "Passport, applied for by mail</h2>");
    // The satisfaction share of the in-person service, in the matrix.
    assert_reads(&html, ">80.0%<");
    assert_reads(
        &html,
        "Passport, applied for by mail, processing: 16 of 20 cases met the standard (80.0%), against a target of 90.0%.",
    );
    assert_reads(
        &html,
        "4 cases closed in the period broke their service guarantee.",
    );
    assert_reads(&html, "Refunds owed for them: 160.00\u{a0}CAD.");
    assert_reads(
        &html,
        "Every figure of this service rests on fewer than 10 observations and is withheld.",
    );
    assert_reads(&html, ">withheld<");
}

#[tokio::test]
async fn the_french_report_says_the_same_in_french_with_french_numbers() {
    let html = html::render(&september().await, Language::Fr).expect("rendered");
    assert_reads(&html, "<html lang=\"fr\"");
    assert_reads(&html, "Rapport sur le rendement des services, ");
    assert_reads(&html, "Passeport, demande en personne</h2>");
    assert_reads(&html, "Passeport, demande par la poste</h2>");
    assert_reads(&html, ">80,0\u{202f}%<");
    assert_reads(
        &html,
        "Passeport, demande par la poste, processing : 16 dossiers sur 20 ont respecté la norme (80,0\u{202f}%), pour une cible de 90,0\u{202f}%.",
    );
    assert_reads(
        &html,
        "4 dossiers fermés pendant la période ont manqué leur garantie de service.",
    );
    assert_reads(&html, "Remboursements dus : 160,00\u{a0}CAD.");
    assert_reads(
        &html,
        "Chaque chiffre de ce service repose sur moins de 10 observations et est supprimé.",
    );
    assert_reads(&html, ">supprimé<");
}
