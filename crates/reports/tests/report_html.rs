//! The report page as a reader sees it, from a hand-made set of figures: `Figures::gather`
//! over an in-memory store holding September 2026 of two passport services, rendered in
//! English and in French. The sentences asserted are the ones a minister reads; every
//! figure in them is computed by hand below.

use civicpulse_analytics::period::Period;
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::Catalog;
use civicpulse_reports::freshness::{Freshness, Unknown};
use civicpulse_reports::{html, Figures, Language};
use civicpulse_store::tables::matrix_feedback_daily::AnswerSums;
use civicpulse_store::tables::sla_cases::SummaryRow;
use civicpulse_testkit::memory::{MemoryStore, Tables};
use civicpulse_testkit::rows;

const PASSPORT: &str = "passport-in-person";
const BY_MAIL: &str = "passport-by-mail";
const EI: &str = "employment-insurance";

fn catalog() -> Catalog {
    Catalog::from_toml_str(include_str!("../../../catalog.toml")).expect("catalog")
}

/// `responses` satisfaction answers on 1 September 2026, `satisfied` of them 5, the rest 2.
fn answers(service: &str, responses: u64, satisfied: u64) -> AnswerSums {
    rows::satisfaction(service, 20_697, responses, satisfied)
}

/// The processing standard's cases closed in the period: `met` of `met + breached`, each
/// breach owing `refund_cents`.
fn standard(service: &str, met: u64, breached: u64, refund_cents: i64) -> SummaryRow {
    SummaryRow {
        p50: 7.0,
        p90: 9.0,
        refunds_owed: breached,
        // Summed in ten-thousandths of the currency unit.
        refunds_owed_ten_thousandths: refund_cents * 100 * breached as i64,
        ..rows::closed_summary(
            service,
            if service == EI {
                "decision"
            } else {
                "processing"
            },
            met,
            breached,
        )
    }
}

/// In person: 40 answers, 32 satisfied → 80.0 %; its standard kept (20 of 20).
/// By mail: 6 answers, under the 10 a figure needs → every figure withheld; its standard
/// near target: 16 of 20 within it → 80.0 % against 90.0 %, whose 95 % interval (58 % to
/// 92 %) still reaches the target; 4 late cases owing 25 % of the $160 fee each →
/// 4 × $40.00 = $160.00.
/// Employment Insurance: 3 of 6 decisions on time (p90 9 days), one late owing $15.00 —
/// six cases, under the 10 a figure needs: only "6 closed" may be printed anywhere.
async fn september() -> Figures {
    let mut ei = standard(EI, 3, 3, 500);
    ei.p90 = 41.0;
    let store = MemoryStore::new(Tables {
        answer_sums: vec![answers(PASSPORT, 40, 32), answers(BY_MAIL, 6, 5)],
        summaries: vec![
            standard(PASSPORT, 20, 0, 0),
            standard(BY_MAIL, 16, 4, 4_000),
            ei,
        ],
        ..Tables::default()
    });
    let freshness = Freshness {
        latest_event_stored: Some("2026-10-01T05:59:00Z".into()),
        monitoring: "no Prometheus configured ([reports] prometheus_url)".into(),
        ..Freshness::default()
    }
    .unmonitored(Unknown::NotConfigured);
    Figures::gather(
        &store,
        &catalog(),
        &MatrixConfig::default(),
        &Period::parse("2026-09", catalog().fiscal_year_start()).expect("a month"),
        &[PASSPORT.to_string(), BY_MAIL.to_string(), EI.to_string()],
        freshness,
    )
    .await
    .expect("figures")
}

/// `sentence` is in the page's markup, or in its text as a person reads it.
fn assert_reads(html: &str, sentence: &str) {
    assert!(
        html.contains(sentence) || text_of(html).contains(sentence),
        "missing «{sentence}» in\n{html}"
    );
}

#[tokio::test]
async fn the_english_report_names_the_services_states_the_figures_and_says_what_is_withheld() {
    let html = html::render(&september().await, Language::En).expect("rendered");
    assert_reads(&html, "<html lang=\"en\"");
    assert_reads(&html, "Service performance report, September 2026</h1>");
    assert_reads(&html, "Passport, applied for in person</h2>");
    assert_reads(&html, "Passport, applied for by mail</h2>");
    // The satisfaction share of the in-person service, in the matrix.
    assert_reads(&html, ">80.0%<");
    assert_reads(
        &html,
        "Near target: Passport, applied for by mail, “Passports applied for by mail are processed within 20 business days of a complete application”: 16 of 20 cases met it (80.0%), against a target of 90.0%, within the tolerance or the uncertainty of the target.",
    );
    assert_reads(
        &html,
        "One standard closed fewer than 10 cases; its figures are withheld and not counted above.",
    );
    assert_reads(&html, "<td class=\"number\">9 business days</td>");
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
    assert_reads(
        &html,
        "How many messages went to the dead-letter topic and how many events the gateway refused in the period is not known: no monitoring server is configured for reports.",
    );
}

#[tokio::test]
async fn the_french_report_says_the_same_in_french_with_french_numbers() {
    let html = html::render(&september().await, Language::Fr).expect("rendered");
    assert_reads(&html, "<html lang=\"fr\"");
    assert_reads(
        &html,
        "Rapport sur le rendement des services, septembre 2026</h1>",
    );
    assert_reads(&html, "Passeport, demande en personne</h2>");
    assert_reads(&html, "Passeport, demande par la poste</h2>");
    assert_reads(&html, ">80,0\u{202f}%<");
    assert_reads(
        &html,
        "Proche de la cible : Passeport, demande par la poste, « Les demandes de passeport envoyées par la poste sont traitées dans un délai de 20 jours ouvrables suivant la réception d'une demande complète » : 16 dossiers sur 20 l’ont respectée (80,0\u{202f}%), pour une cible de 90,0\u{202f}%, dans la tolérance ou l’incertitude de la cible.",
    );
    assert_reads(
        &html,
        "Une norme a fermé moins de 10 dossiers ; ses chiffres sont supprimés et ne sont pas comptés ci-dessus.",
    );
    assert_reads(&html, "<td class=\"number\">9 jours ouvrables</td>");
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
    assert_reads(
        &html,
        "Le nombre de messages mis de côté comme illisibles et d’événements refusés par la passerelle pendant la période n’est pas connu : aucun serveur de surveillance n’est configuré pour les rapports.",
    );
    assert!(
        !html.contains("Prometheus"),
        "no English server name in French prose"
    );
}

/// What a person can read of a report: its HTML's text, and each open-data file.
fn every_output(figures: &Figures) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut outputs: Vec<(String, String)> =
        civicpulse_reports::open_data::write(figures, dir.path())
            .expect("open data written")
            .into_iter()
            .map(|path| {
                let text = std::fs::read_to_string(&path).expect("readable");
                (path.display().to_string(), text)
            })
            .collect();
    for lang in [Language::En, Language::Fr] {
        let html = html::render(figures, lang).expect("rendered");
        outputs.push((format!("report.html ({lang:?})"), text_of(&html)));
    }
    outputs
}

/// The words of a page, tags dropped and entities left as they are.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    // Only ASCII spaces fold: French puts narrow no-break spaces before % and :.
    text.split_ascii_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn a_standard_with_too_few_closed_cases_is_withheld_in_every_output() {
    let figures = september().await;
    for (name, text) in every_output(&figures) {
        for leak in [
            "3 of 6",
            "3 dossiers sur 6",
            "50.0%",
            "50,0\u{202f}%",
            "41 ",
            "15.00",
            "15,00",
        ] {
            assert!(!text.contains(leak), "{name} shows «{leak}»:\n{text}");
        }
        if name.ends_with("sla.csv") {
            let row = text
                .lines()
                .find(|l| l.starts_with(EI))
                .expect("the standard has its row");
            assert_eq!(
                row,
                "employment-insurance,decision,6,,,,0.8,,,0,0,0,,,,,0,,,,,,calendar_days,\
                 too few closed cases to show: 6 (at least 10 needed),insufficient_data"
            );
        }
    }
}

#[tokio::test]
async fn page_one_names_each_figure_off_or_near_target_with_its_value_and_target() {
    let mut figures = september().await;
    // The in-person service's satisfaction, made red: 60 % against its 80 % target.
    let cell = figures
        .matrix
        .iter_mut()
        .find(|c| c.service_id == PASSPORT && c.dimension == "satisfaction_top2_share")
        .expect("the satisfaction cell");
    cell.value = Some(0.6);
    cell.status = civicpulse_analytics::matrix::MatrixStatus::Red;
    let en = html::render(&figures, Language::En).expect("rendered");
    let page_one = &en[en.find("id=\"summary\"").unwrap()..en.find("id=\"matrix\"").unwrap()];
    assert_reads(
        &text_of(page_one),
        "Passport, applied for in person ✗ off target Satisfied share: overall satisfaction 60.0% against a target of 80.0% (40 observations)",
    );
    let fr = html::render(&figures, Language::Fr).expect("rendered");
    let page_one = &fr[fr.find("id=\"summary\"").unwrap()..fr.find("id=\"matrix\"").unwrap()];
    assert_reads(
        &text_of(page_one),
        "Passeport, demande en personne ✗ cible manquée",
    );
    assert_reads(
        &text_of(page_one),
        "60,0\u{202f}% pour une cible de 80,0\u{202f}% (40 observations)",
    );
}

#[tokio::test]
async fn a_withheld_week_of_a_chart_says_how_many_observations_it_had() {
    let figures = september().await;
    for (lang, withheld) in [(Language::En, "withheld"), (Language::Fr, "supprimé")] {
        let html = html::render(&figures, lang).expect("rendered");
        let chart = &html[html
            .find("id=\"chart-passport-by-mail-satisfaction_top2_share-caption\"")
            .expect("the by-mail satisfaction chart")..];
        let table = &chart[chart.find("<tbody>").unwrap()..chart.find("</tbody>").unwrap()];
        assert!(
            table.contains(&format!(
                "<td class=\"number\">{withheld}</td><td class=\"number\">6</td>"
            )),
            "{table}"
        );
    }
}

/// `html` printed by Chromium as `report.pdf` is: its page count and its text.
async fn printed(html: &str) -> (u32, String) {
    let chromium = civicpulse_reports::pdf::find_chromium(None)
        .expect("Chromium prints the PDF (Debian's chromium, installed by scripts/test)");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (page, pdf) = (
        dir.path().join("report.html"),
        dir.path().join("report.pdf"),
    );
    std::fs::write(&page, html).expect("written");
    civicpulse_reports::pdf::print(&chromium, &page, &pdf)
        .await
        .expect("printed");
    let run = |tool: &str, args: &[&std::ffi::OsStr]| {
        let output = std::process::Command::new(tool)
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!("{tool} (Debian poppler-utils, installed by scripts/test): {e}")
            });
        assert!(output.status.success(), "{tool}");
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let pages = run("pdfinfo", &[pdf.as_os_str()])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints Pages:");
    let text = run("pdftotext", &[pdf.as_os_str(), std::ffi::OsStr::new("-")]);
    (pages, text)
}

#[tokio::test]
async fn an_empty_quarter_is_said_in_words_on_at_most_two_pages() {
    let catalog = catalog();
    let figures = Figures::gather(
        &MemoryStore::new(Tables::default()),
        &catalog,
        &MatrixConfig::default(),
        &Period::parse("2025-Q1", catalog.fiscal_year_start()).expect("a quarter"),
        &[],
        Freshness::default().unmonitored(Unknown::NotConfigured),
    )
    .await
    .expect("figures");
    for (lang, said) in [
        (
            Language::En,
            "No response, transaction or closed case was recorded in this period",
        ),
        (
            Language::Fr,
            "Aucune réponse, aucune transaction et aucun dossier fermé",
        ),
    ] {
        let html = html::render(&figures, lang).expect("rendered");
        let (pages, text) = printed(&html).await;
        assert!(
            pages <= 2,
            "{pages} pages for an empty quarter ({lang:?}):\n{text}"
        );
        assert!(
            text.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .contains(said),
            "{text}"
        );
    }
}

#[tokio::test]
async fn the_printed_report_shows_no_withheld_figure() {
    let figures = september().await;
    for lang in [Language::En, Language::Fr] {
        let (_, text) = printed(&html::render(&figures, lang).expect("rendered")).await;
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for leak in ["3 of 6", "3 dossiers sur 6", "50.0%", "50,0", "41 "] {
            assert!(
                !text.contains(leak),
                "the PDF ({lang:?}) shows «{leak}»:\n{text}"
            );
        }
        assert!(
            text.contains("9 business days") || text.contains("9 jours ouvrables"),
            "{text}"
        );
    }
}

/// September with what a busy month adds: an equity gap by age, and the surge staffing
/// intervention, whose before/after decline of 49.1 points peers without it mostly shared.
async fn busy_september() -> Figures {
    use civicpulse_analytics::matrix::{Finding, InterventionRow, MatrixStatus};
    let mut figures = september().await;
    let gap = figures
        .matrix
        .iter_mut()
        .find(|c| c.service_id == PASSPORT && c.dimension == "equity_gap_satisfaction")
        .expect("the equity cell");
    gap.value = Some(0.531);
    gap.n = 160;
    gap.status = MatrixStatus::Red;
    gap.note = "age_band: 75_plus 0.395 vs 18_24 0.926".into();
    figures.interventions.push(InterventionRow {
        intervention_id: "passport-in-person-extra-staff".into(),
        service_id: PASSPORT.into(),
        name: "Surge staffing".into(),
        date: "2026-09-09".parse().unwrap(),
        description: "Temporary processing staff added after the autumn surge.".into(),
        dimension: "sla_compliance".into(),
        family: "timeliness".into(),
        window_days: 8,
        before_from: "2026-09-01".parse().ok(),
        after_to: "2026-09-17".parse().ok(),
        before_value: Some(0.95),
        before_n: 400,
        after_value: Some(0.459),
        after_n: 380,
        change: Some(-0.491),
        change_ci_low: Some(-0.55),
        change_ci_high: Some(-0.43),
        verdict: Finding::Worsened,
        peers: vec![BY_MAIL.into()],
        peer_change: Some(-0.42),
        did: Some(-0.071),
        did_ci_low: Some(-0.15),
        did_ci_high: Some(0.01),
        did_verdict: Finding::NoClearChange,
        note: String::new(),
    });
    figures
}

#[tokio::test]
async fn equity_and_interventions_are_said_in_words_beside_what_else_changed() {
    let figures = busy_september().await;
    let en = html::render(&figures, Language::En).expect("rendered");
    assert_reads(
        &en,
        "Passport, applied for in person, Equity gap, satisfaction: 39.5% of respondents aged 75 and over were satisfied, against 92.6% of respondents aged 18 to 24 (a gap of 53.1\u{a0}pts).",
    );
    assert_reads(
        &en,
        "Surge staffing (Passport, applied for in person, from 9 September 2026): Temporary processing staff added after the autumn surge.",
    );
    assert_reads(
        &en,
        "Standard met worsened: 95.0% before, 45.9% after (−49.1\u{a0}pts). Peers without the change moved by −42.0\u{a0}pts; the difference, −7.1\u{a0}pts, is within its uncertainty, so the change is not shown to be the cause.",
    );
    let fr = html::render(&figures, Language::Fr).expect("rendered");
    assert_reads(
        &fr,
        "Passeport, demande en personne, Écart d'équité, satisfaction : 39,5\u{202f}% des répondants de 75 ans et plus étaient satisfaits, contre 92,6\u{202f}% des répondants de 18 à 24 ans (un écart de 53,1\u{a0}pts).",
    );
    assert_reads(
        &fr,
        "Renfort de personnel pendant la hausse (Passeport, demande en personne, à partir du 9 septembre 2026) : Personnel de traitement temporaire ajouté après la hausse de la demande de l'automne.",
    );
    assert!(!en.contains("75_plus") && !fr.contains("75_plus"));
}

/// The words of the English messages and of the catalog's English names a French reader
/// would not write: each message's text, placeables dropped, and every name, description
/// and standard the catalog also gives in French — less every word the French ones use.
fn english_only_words() -> std::collections::BTreeSet<String> {
    let catalog = catalog();
    let (mut names_en, mut names_fr) = (String::new(), String::new());
    let mut both = |en: &str, fr: Option<&str>| {
        if let Some(fr) = fr {
            names_en.push_str(&format!("x = {en}\n"));
            names_fr.push_str(&format!("x = {fr}\n"));
        }
    };
    for service in &catalog.services {
        both(&service.name, service.name_fr.as_deref());
        for standard in &service.sla {
            both(
                standard.title(Language::En),
                Some(standard.title(Language::Fr)),
            );
        }
    }
    for i in &catalog.interventions {
        both(&i.name, i.name_fr.as_deref());
        both(&i.description, i.description_fr.as_deref());
    }
    for j in &catalog.jurisdictions {
        both(&j.name, Some(&j.name_fr));
    }
    let words = |catalogue: &str| -> std::collections::BTreeSet<String> {
        let mut text = String::new();
        for line in catalogue.lines().filter(|l| !l.starts_with('#')) {
            let value = line.split_once(" = ").map_or(line, |(_, v)| v);
            let mut depth = 0;
            for c in value.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    c if depth == 0 => text.push(c),
                    _ => text.push(' '),
                }
            }
            text.push(' ');
        }
        text.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_lowercase)
            .collect()
    };
    let english = words(&format!(
        "{}\n{names_en}",
        include_str!("../locales/en.ftl")
    ));
    let french = words(&format!(
        "{}\n{names_fr}",
        include_str!("../locales/fr.ftl")
    ));
    english.difference(&french).cloned().collect()
}

/// The English-only words a rendered report's text holds.
fn english_in(html: &str) -> std::collections::BTreeSet<String> {
    // Identifiers (a figure's code in the definitions) are names, not English.
    let mut page = html.to_string();
    while let (Some(open), Some(close)) = (page.find("<code>"), page.find("</code>")) {
        page.replace_range(open..close + "</code>".len(), " ");
    }
    let body = &page[page.find("<body>").expect("a body")..];
    let english = english_only_words();
    text_of(body)
        .split(|c: char| !c.is_alphabetic())
        .map(str::to_lowercase)
        .filter(|w| english.contains(w))
        .collect()
}

#[tokio::test]
async fn the_french_report_has_no_english_words() {
    let figures = busy_september().await;
    let found = english_in(&html::render(&figures, Language::Fr).expect("rendered"));
    assert!(found.is_empty(), "English in the French report: {found:?}");
    // The same search finds the English report's words, names included.
    let found = english_in(&html::render(&figures, Language::En).expect("rendered"));
    for word in ["withheld", "staffing", "government", "passports"] {
        assert!(found.contains(word), "{word} not found in {found:?}");
    }
}

#[tokio::test]
async fn a_cost_carries_its_currency_and_a_time_its_unit() {
    let mut figures = september().await;
    for (dimension, value) in [
        ("cost_per_transaction", 41.5),
        ("sla_p90_elapsed_days", 12.0),
    ] {
        let cell = figures
            .matrix
            .iter_mut()
            .find(|c| c.service_id == PASSPORT && c.dimension == dimension)
            .expect("the cell");
        cell.value = Some(value);
        cell.n = 400;
        cell.status = civicpulse_analytics::matrix::MatrixStatus::Info;
    }
    if let Some(service) = figures.services.iter_mut().find(|s| s.id == PASSPORT) {
        service.cost_currency = Some("CAD".into());
    }
    let en = html::render(&figures, Language::En).expect("rendered");
    assert_reads(&en, "<td class=\"number\">41.50\u{a0}CAD</td>");
    assert_reads(&en, "<td class=\"number\">12 business days</td>");
    let fr = html::render(&figures, Language::Fr).expect("rendered");
    assert_reads(&fr, "<td class=\"number\">41,50\u{a0}CAD</td>");
    assert_reads(&fr, "<td class=\"number\">12 jours ouvrables</td>");
}

#[tokio::test]
async fn a_period_whose_data_begin_late_is_named_and_not_compared() {
    // The store holds September only: August, and September 2025, began before any data.
    let figures = september().await;
    assert!(
        figures.changes.iter().all(|c| c.service_id != PASSPORT),
        "{:?}",
        figures.changes
    );
    let en = html::render(&figures, Language::En).expect("rendered");
    assert_reads(
        &en,
        "Data for Passport, applied for in person; Passport, applied for by mail begin on 1 September 2026: the previous period is incomplete for them and is not compared with.",
    );
    let fr = html::render(&figures, Language::Fr).expect("rendered");
    assert_reads(
        &fr,
        "Les données de Passeport, demande en personne ; Passeport, demande par la poste commencent le 1er septembre 2026 : la période précédente est incomplète et n’est pas utilisée pour la comparaison.",
    );
}

#[tokio::test]
async fn a_figure_that_turned_within_the_period_is_said_with_when() {
    // In person, satisfied share by week: 100 % for three weeks, then 12 of 40 and 11 of 36.
    let week = |bucket: u16, responses: u64, satisfied: u64| AnswerSums {
        bucket,
        ..answers(PASSPORT, responses, satisfied)
    };
    let store = MemoryStore::new(Tables {
        answer_sums: vec![
            week(20_697, 40, 40),
            week(20_704, 40, 40),
            week(20_711, 40, 40),
            week(20_718, 40, 12),
            week(20_725, 36, 11),
        ],
        ..Tables::default()
    });
    let figures = Figures::gather(
        &store,
        &catalog(),
        &MatrixConfig::default(),
        &Period::parse("2026-09", catalog().fiscal_year_start()).expect("a month"),
        &[PASSPORT.to_string()],
        Freshness::default().unmonitored(Unknown::NotConfigured),
    )
    .await
    .expect("figures");
    // 143 of 196 satisfied over the month: 73.0 %.
    assert_reads(
        &html::render(&figures, Language::En).expect("rendered"),
        "Passport, applied for in person: Satisfied share: overall satisfaction was 100.0% from 1 September 2026 to 21 September 2026 (120 observations), then 30.3% from 22 September 2026 to 30 September 2026 (76 observations); the period's figure of 73.0% hides the turn.",
    );
    assert_reads(
        &html::render(&figures, Language::Fr).expect("rendered"),
        "Passeport, demande en personne : le chiffre « Proportion satisfaite : satisfaction générale » était de 100,0\u{202f}% du 1er septembre 2026 au 21 septembre 2026 (120 observations), puis de 30,3\u{202f}% du 22 septembre 2026 au 30 septembre 2026 (76 observations) ; le chiffre de la période, 73,0\u{202f}%, masque ce revirement.",
    );
}

/// September with comments: the passport service's 40 comments, a quarter about waiting, a
/// website outage on 18 September against a month of one mention a day, and quotes in both
/// languages; the mail service's 6 comments are too few to show a share.
async fn september_with_comments() -> Figures {
    use chrono::NaiveDate;
    use civicpulse_store::tables::comment_readings::{
        DayMentions, MentionKind, ReadSince, RespondentThemes,
    };
    use civicpulse_store::tables::feedback_comments::CommentListed;
    use civicpulse_testkit::memory::ReadComment;
    // `respondents` comments of `service` read in September carrying `theme` (none: "").
    let read = |service: &str, theme: &str, respondents: u64| {
        (
            "2026-09-10T12:00:00Z".parse().unwrap(),
            RespondentThemes {
                service_id: service.into(),
                themes: [theme]
                    .iter()
                    .filter(|t| !t.is_empty())
                    .map(|t| t.to_string())
                    .collect(),
                satisfaction: None,
                helpful: None,
                respondents,
            },
        )
    };
    let first: NaiveDate = "2026-08-01".parse().unwrap();
    let mut mention_days = Vec::new();
    for offset in 0..60u64 {
        let day = first + chrono::Days::new(offset);
        let outage = day == "2026-09-18".parse::<NaiveDate>().unwrap();
        mention_days.push(DayMentions {
            service_id: PASSPORT.into(),
            kind: MentionKind::Theme,
            key: "website-app".into(),
            text: "website-app".into(),
            day,
            count: if outage { 20 } else { 1 },
        });
    }
    let quote = |text: &str, seconds: u32| ReadComment {
        comment: CommentListed {
            occurred_at: 1_789_000_000 + seconds,
            service_id: PASSPORT.into(),
            channel: "in_person".into(),
            comment: text.into(),
            ..CommentListed::default()
        },
        themes: vec!["waiting-time".into()],
        phrases: vec![],
    };
    let store = MemoryStore::new(Tables {
        answer_sums: vec![answers(PASSPORT, 40, 32), answers(BY_MAIL, 6, 5)],
        respondent_themes: [
            (PASSPORT, "waiting-time", 10),
            (PASSPORT, "staff-manner", 6),
            (PASSPORT, "website-app", 4),
            (PASSPORT, "fees-cost", 1),
            (PASSPORT, "", 19),
            (BY_MAIL, "mail-delivery", 3),
            (BY_MAIL, "", 3),
        ]
        .into_iter()
        .map(|(service, theme, respondents)| read(service, theme, respondents))
        .collect(),
        mention_days,
        read_since: vec![ReadSince {
            service_id: PASSPORT.into(),
            comments: first,
            phrases: Some(first),
        }],
        read_comments: vec![
            quote("Waited three hours in line, the queue never moved.", 10),
            quote(
                "J'ai attendu deux heures au comptoir, c'est beaucoup trop long.",
                20,
            ),
            quote(&"Far too long a wait. ".repeat(12), 30),
        ],
        ..Tables::default()
    });
    let freshness = Freshness::default().unmonitored(Unknown::NotConfigured);
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

#[tokio::test]
async fn each_service_page_says_what_people_wrote_emerged_and_quotes_them_in_its_language() {
    let figures = september_with_comments().await;
    let en = html::render(&figures, Language::En).expect("rendered");
    assert_reads(&en, "What people wrote</h3>");
    assert_reads(
        &en,
        "40 comments were analysed for their themes in this period.",
    );
    assert_reads(
        &en,
        "Waiting and processing time: 25.0% of the comments analysed (10 comments)",
    );
    assert_reads(
        &en,
        "On 18 September 2026, 20 comments mentioned Website and app",
    );
    assert_reads(&en, "Waited three hours in line, the queue never moved.");
    assert!(
        !en.contains("J'ai attendu deux heures"),
        "a French quote in English"
    );
    assert!(
        !en.contains("Far too long a wait. Far"),
        "a long comment quoted"
    );
    // Six comments: the counts, never a share.
    assert_reads(
        &en,
        "6 comments were analysed for their themes in this period.",
    );
    assert_reads(
        &en,
        "3 comments (too few comments to publish a percentage: at least 10 are needed)",
    );

    let fr = html::render(&figures, Language::Fr).expect("rendered");
    // The mail service has no 28 days of readings: nothing was checked, and it says so.
    assert_reads(&en, "Not checked yet: a day is compared with the service");
    assert_reads(&fr, "Ce que les gens ont écrit</h3>");
    assert_reads(&fr, "Le 18 septembre 2026, 20 commentaires ont mentionné");
    assert_reads(
        &fr,
        "J'ai attendu deux heures au comptoir, c'est beaucoup trop long.",
    );
    assert!(
        !fr.contains("Waited three hours"),
        "an English quote in French"
    );
}

/// `waiting` of `comments` comments of `service` on `at` are about waiting, the rest about
/// nothing the model knows.
fn comments(
    service: &str,
    at: &str,
    waiting: u64,
    comments: u64,
) -> Vec<(
    chrono::DateTime<chrono::Utc>,
    civicpulse_store::tables::comment_readings::RespondentThemes,
)> {
    let at: chrono::DateTime<chrono::Utc> = at.parse().expect("a time");
    [
        (vec!["waiting-time".to_string()], waiting),
        (vec![], comments - waiting),
    ]
    .into_iter()
    .map(|(themes, respondents)| {
        (
            at,
            civicpulse_store::tables::comment_readings::RespondentThemes {
                service_id: service.into(),
                themes,
                satisfaction: None,
                helpful: None,
                respondents,
            },
        )
    })
    .collect()
}

async fn figures_of(period: &str, tables: Tables) -> Figures {
    Figures::gather(
        &MemoryStore::new(tables),
        &catalog(),
        &MatrixConfig::default(),
        &Period::parse(period, catalog().fiscal_year_start()).expect("a period"),
        &[PASSPORT.to_string(), BY_MAIL.to_string()],
        Freshness::default().unmonitored(Unknown::NotConfigured),
    )
    .await
    .expect("figures")
}

#[tokio::test]
async fn a_theme_written_about_more_than_last_period_is_off_on_the_scorecard() {
    // In person: 20 of 100 comments about waiting in August, 80 of 200 in September.
    // Answers since 1 July (days since 1970), so that August is a whole previous period.
    let mut tables = Tables {
        answer_sums: vec![rows::satisfaction(PASSPORT, 20_635, 40, 32)],
        ..Tables::default()
    };
    tables
        .respondent_themes
        .extend(comments(PASSPORT, "2026-08-15T15:00:00Z", 20, 100));
    tables
        .respondent_themes
        .extend(comments(PASSPORT, "2026-09-15T15:00:00Z", 80, 200));
    let figures = figures_of("2026-09", tables).await;
    let html = html::render(&figures, Language::En).expect("rendered");
    assert_reads(
        &html,
        "Comments about “Time” 40.0% against 20.0% in the previous period (200 comments)",
    );
    assert_reads(&html, "Comments about a theme");
    let html = html::render(&figures, Language::Fr).expect("rendered");
    assert_reads(&html, "Commentaires sur « Délais »");
}

#[tokio::test]
async fn an_intervention_is_said_to_have_cut_the_comments_about_a_theme() {
    // Surge staffing on 9 November: before it, 30 of 100 comments about waiting, after it
    // 10 of 100; by mail, 20 of 100 each side.
    let mut tables = Tables {
        // 40 answers on 1 November (days since 1970), so that the period is not empty.
        answer_sums: vec![rows::satisfaction(PASSPORT, 20_758, 40, 32)],
        ..Tables::default()
    };
    for (service, at, waiting) in [
        (PASSPORT, "2026-10-25T15:00:00Z", 30),
        (PASSPORT, "2026-11-20T15:00:00Z", 10),
        (BY_MAIL, "2026-10-25T15:00:00Z", 20),
        (BY_MAIL, "2026-11-20T15:00:00Z", 20),
    ] {
        tables
            .respondent_themes
            .extend(comments(service, at, waiting, 100));
    }
    let html = html::render(&figures_of("2026-11", tables).await, Language::En).expect("rendered");
    assert_reads(
        &html,
        "Comments about “Waiting and processing time” improved: 30.0% before, 10.0% after",
    );
}
