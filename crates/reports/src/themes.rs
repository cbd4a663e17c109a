//! What people wrote about each service in the report's period, as a minister's office reads
//! it: the most mentioned themes with their share of the comments (withheld below the
//! matrix's small-cell threshold, as `/api/v1/themes` withholds them), the issues that
//! emerged against the service's own baseline (`/api/v1/themes/emerging`'s rule), and a few
//! short comments about the most mentioned theme, quoted as scrubbed at the gateway.

use chrono::NaiveDate;
use civicpulse_analytics::suppression;
use civicpulse_analytics::themes::emerging::{judged_stored, EmergingRule};
use civicpulse_analytics::themes::read;
use civicpulse_analytics::themes::Language;
use civicpulse_core::calendar::local_midnight;
use civicpulse_core::Catalog;
use civicpulse_store::tables::comment_readings::{MentionExamples, MentionKind, ThemeWindow};
use civicpulse_store::{StoreError, Stores};
use serde::Serialize;

/// Themes shown per service, the most mentioned first.
pub const TOP_THEMES: usize = 3;
/// Emerging issues shown per service, the most surprising first.
pub const EMERGING_SHOWN: usize = 3;
/// Quotes per language, and the longest quoted (characters): a quote illustrates, it is
/// not a sample of opinion.
pub const QUOTES: usize = 2;
pub const QUOTE_MAX_CHARS: usize = 160;

/// One theme's share of a service's comments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeShare {
    pub theme: String,
    pub name: String,
    pub name_fr: String,
    pub mentions: u64,
    /// Absent when the service has too few comments to show a share.
    pub share: Option<f64>,
}

/// A theme or phrase that emerged on a day of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmergedDay {
    pub day: NaiveDate,
    /// The theme's names, or the phrase as written (then both the same).
    pub name: String,
    pub name_fr: String,
    pub phrase: bool,
    pub count: u64,
    pub expected_per_day: f64,
}

/// A short comment quoted, in the language it was written in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    pub theme: String,
    pub language: String,
    pub text: String,
}

/// What people wrote about one service in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceThemes {
    pub service_id: String,
    /// Comments read in the period.
    pub comments: u64,
    pub top: Vec<ThemeShare>,
    pub emerging: Vec<EmergedDay>,
    pub quotes: Vec<Quote>,
    /// Whether any day of the period could be compared with the service's previous 28
    /// days: without them nothing is checked, which is not the same as nothing emerging.
    pub checked: bool,
}

/// Gathers each wanted service's themes for the local days [from, to).
pub async fn gather(
    store: &dyn Stores,
    catalog: &Catalog,
    min_responses: u64,
    services: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ServiceThemes>, StoreError> {
    let zone = catalog.reporting_zone();
    let window = ThemeWindow {
        services,
        from: local_midnight(from, zone),
        to: local_midnight(to, zone),
    };
    // Each service's days in its own time zone, as the matrix and `/api/v1/themes` count them.
    let wanted = (!services.is_empty()).then_some(services);
    let judged = judged_stored(store, &EmergingRule::default(), services, zone, from..to).await?;
    let named = |id: &str| {
        catalog.themes.iter().find(|t| t.id == id).map_or_else(
            || (id.to_owned(), id.to_owned()),
            |t| (t.name.clone(), t.name_fr.clone()),
        )
    };

    // One read gives each service's comments and each theme's mentions, a service whose
    // comments named no theme included.
    let readings = read::over_days(store, catalog, wanted, from, to).await?;
    let mut out = Vec::new();
    for (service_id, read) in &readings {
        let service_id = service_id.as_str();
        let mut mine: Vec<(String, u64)> = read
            .themes()
            .into_iter()
            .map(|theme| {
                let mentions = read.about(&[theme.as_str()]);
                (theme, mentions)
            })
            .collect();
        mine.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let comments = read.comments();
        let withheld = suppression::withholds(comments, min_responses);
        let top: Vec<ThemeShare> = mine
            .iter()
            .take(TOP_THEMES)
            .map(|(theme, mentions)| {
                let (name, name_fr) = named(theme);
                ThemeShare {
                    theme: theme.clone(),
                    name,
                    name_fr,
                    mentions: *mentions,
                    share: (!withheld && comments > 0).then(|| *mentions as f64 / comments as f64),
                }
            })
            .collect();

        let mut emerged: Vec<_> = judged
            .iter()
            .filter(|j| j.service_id == service_id && j.judged.emerging)
            .filter(|j| j.kind != MentionKind::Comments)
            .collect();
        emerged.sort_by(|a, b| {
            a.judged
                .tail_probability
                .total_cmp(&b.judged.tail_probability)
                .then(a.judged.day.cmp(&b.judged.day))
        });
        let emerging = emerged
            .into_iter()
            .take(EMERGING_SHOWN)
            .map(|j| {
                let phrase = j.kind == MentionKind::Phrase;
                let (name, name_fr) = if phrase {
                    (j.text.clone(), j.text.clone())
                } else {
                    named(&j.key)
                };
                EmergedDay {
                    day: j.judged.day,
                    name,
                    name_fr,
                    phrase,
                    count: j.judged.count,
                    expected_per_day: j.judged.expected,
                }
            })
            .collect();

        // Quotes only where the share itself is shown: a handful of comments is not quoted.
        let quotes = match top.first().filter(|t| t.share.is_some()) {
            Some(theme) => quotes(store, service_id, &theme.theme, &window).await?,
            None => Vec::new(),
        };
        out.push(ServiceThemes {
            service_id: service_id.to_owned(),
            comments,
            top,
            emerging,
            quotes,
            checked: judged.iter().any(|j| j.service_id == service_id),
        });
    }
    Ok(out)
}

/// Up to [`QUOTES`] short comments about `theme` in each language, the newest first.
async fn quotes(
    store: &dyn Stores,
    service_id: &str,
    theme: &str,
    window: &ThemeWindow<'_>,
) -> Result<Vec<Quote>, StoreError> {
    let examples = store
        .mention_examples(&MentionExamples {
            service_id,
            kind: MentionKind::Theme,
            key: theme,
            from: window.from,
            to: window.to,
            limit: 50,
        })
        .await?;
    let mut out = Vec::new();
    for language in [Language::En, Language::Fr] {
        out.extend(
            examples
                .iter()
                .map(|c| c.comment.trim())
                .filter(|text| text.chars().count() <= QUOTE_MAX_CHARS && !text.is_empty())
                .filter(|text| Language::detect(text, Language::En) == language)
                .take(QUOTES)
                .map(|text| Quote {
                    theme: theme.to_owned(),
                    language: language.code().to_owned(),
                    text: text.to_owned(),
                }),
        );
    }
    Ok(out)
}
