//! Canada's GC Service Inventory "Service Standards & Performance Results" (`service-std`,
//! open.canada.ca; schema in open-data/ckanext-canada `tables/service.yaml`): one row per
//! fiscal year × service × standard, in the published column order, UTF-8 with a byte-order
//! mark. The pipeline supplies the volumes; the catalog's `[services.sla.published]`
//! supplies what only the department knows (ids, bilingual texts, URIs, owner organisation).
//!
//! Published rules (the schema's, and the portal's own `service-std` processing):
//! - `volume_meeting_target` and `total_volume`: blank is "no information available", 0 is
//!   "no final output issued", so a year the pipeline holds nothing on is blank, never 0;
//! - `performance` = `volume_meeting_target / total_volume`, rounded to 4 decimals, empty
//!   when `total_volume` is 0 or blank;
//! - `target_met` = `NA` when there is no target or no performance, `Y` when performance
//!   ≥ target, else `N`;
//! - `channel` is one code of [`CHANNELS`]; `OTH` ("other channel not listed") is explained
//!   in `channel_comments_en`/`_fr`, and a comment is given in both languages or neither.

use chrono::NaiveDate;
use civicpulse_core::event::Channel;
use civicpulse_core::sla::{PublishedStandard, SlaPolicy};
use civicpulse_core::Service;

use super::ExportError;
use civicpulse_core::fiscal_year::FiscalYear;

pub const COLUMNS: [&str; 24] = [
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

/// The schema's channel codes with their English and French labels, in its order.
pub const CHANNELS: [(&str, &str, &str); 7] = [
    ("EML", "Email", "Courriel"),
    ("FAX", "Fax", "Télécopieur"),
    ("ONL", "Online", "En ligne"),
    (
        "OTH",
        "Other channel not listed",
        "Autre option qui n’est pas sur la liste",
    ),
    ("PERSON", "In-Person", "En personne"),
    ("POST", "Postal Mail", "Courrier postal"),
    ("TEL", "Telephone", "Téléphone"),
];

/// The schema's code for one catalog channel.
fn code_of(channel: Channel) -> &'static str {
    match channel {
        Channel::Web | Channel::App => "ONL",
        Channel::Phone => "TEL",
        Channel::InPerson => "PERSON",
        Channel::Mail => "POST",
    }
}

/// The code for a service's channels: one code when they all map to it, else `OTH`.
pub fn channel_code(channels: &[Channel]) -> &'static str {
    match channels.first().map(|c| code_of(*c)) {
        Some(first) if channels.iter().all(|c| code_of(*c) == first) => first,
        _ => "OTH",
    }
}

/// The codes' labels of `channels`, each once, in the service's order: what an `OTH`
/// derived from several channels stands for, as the schema's own example writes it
/// ("Mail, Online, Person").
fn channel_labels(channels: &[Channel]) -> (String, String) {
    let mut codes: Vec<&str> = Vec::new();
    for channel in channels {
        let code = code_of(*channel);
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    let label = |language: usize| {
        codes
            .iter()
            .filter_map(|code| CHANNELS.iter().find(|c| c.0 == *code))
            .map(|c| if language == 0 { c.1 } else { c.2 })
            .collect::<Vec<_>>()
            .join(", ")
    };
    (label(0), label(1))
}

/// `performance` and `target_met` by the published rule.
pub fn performance_and_target_met(
    met: u64,
    total: u64,
    target: Option<f64>,
) -> (Option<f64>, &'static str) {
    let performance =
        (total > 0).then(|| ((met as f64 / total as f64) * 10_000.0).round() / 10_000.0);
    let target_met = match (target.filter(|t| *t > 0.0), performance) {
        (Some(target), Some(performance)) if performance >= target => "Y",
        (Some(_), Some(_)) => "N",
        _ => "NA",
    };
    (performance, target_met)
}

/// A standard's cases of the year: closed, and of those within the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Volumes {
    pub met: u64,
    pub total: u64,
}

/// One published standard of one service, with what the pipeline knows of its year:
/// `volumes` is `None` when it holds no information on it (no case closed in the year and
/// none open at its end), so the row says "no information", not "none issued".
pub struct Standard<'a> {
    pub service: &'a Service,
    pub policy: &'a SlaPolicy,
    pub published: &'a PublishedStandard,
    pub volumes: Option<Volumes>,
}

/// The fiscal year's state when exported: a year not over has its volumes to date only,
/// which the row's comments say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearState {
    Over,
    /// In progress on `today` (reporting zone): figures to date.
    InProgress {
        today: NaiveDate,
    },
    /// Not begun: nothing is known of it yet.
    NotStarted,
}

/// The row of one standard for `year`.
pub fn row(
    year: FiscalYear,
    state: YearState,
    standard: &Standard<'_>,
) -> Result<Vec<String>, ExportError> {
    let Standard {
        service,
        policy,
        published,
        volumes,
    } = standard;
    let missing = |field: &str| {
        ExportError::Catalog(format!(
            "service `{}` publishes standard `{}` but has no `{field}`",
            service.id, policy.id
        ))
    };
    let name_fr = service.name_fr.clone().ok_or_else(|| missing("name_fr"))?;
    let owner_org = service
        .owner_org
        .clone()
        .ok_or_else(|| missing("owner_org"))?;
    let owner_org_title = service
        .owner_org_title
        .clone()
        .ok_or_else(|| missing("owner_org_title"))?;
    let channel = published
        .channel
        .clone()
        .unwrap_or_else(|| channel_code(&service.channels).to_string());
    if !CHANNELS.iter().any(|c| c.0 == channel) {
        let codes: Vec<&str> = CHANNELS.iter().map(|c| c.0).collect();
        return Err(ExportError::Catalog(format!(
            "standard `{}/{}`: channel `{channel}` is not one of {codes:?}",
            service.id, policy.id
        )));
    }
    let (channel_en, channel_fr) = channel_comments(standard, &channel)?;
    let target = policy.target_ratio;
    let (performance, target_met) = match volumes {
        Some(v) => performance_and_target_met(v.met, v.total, Some(target)),
        None => (None, "NA"),
    };
    let (comments_en, comments_fr) = comments(standard, year, state)?;
    Ok(vec![
        year.to_string(),
        service
            .inventory_id
            .clone()
            .unwrap_or_else(|| service.id.clone()),
        service.name.clone(),
        name_fr,
        published.id.clone(),
        published.text_en.clone(),
        published.text_fr.clone(),
        published.kind.clone(),
        channel,
        channel_en,
        channel_fr,
        target.to_string(),
        volumes.map_or_else(String::new, |v| v.met.to_string()),
        volumes.map_or_else(String::new, |v| v.total.to_string()),
        performance.map_or_else(String::new, |p| p.to_string()),
        comments_en,
        comments_fr,
        target_met.to_string(),
        published.standards_targets_uri_en.clone(),
        published.standards_targets_uri_fr.clone(),
        published.performance_results_uri_en.clone(),
        published.performance_results_uri_fr.clone(),
        owner_org,
        owner_org_title,
    ])
}

/// A bilingual pair of the catalog: both or neither, as the portal refuses one alone.
fn both_languages(
    standard: &Standard<'_>,
    field: &str,
    en: &str,
    fr: &str,
) -> Result<(), ExportError> {
    if en.trim().is_empty() != fr.trim().is_empty() {
        return Err(ExportError::Catalog(format!(
            "standard `{}/{}`: `{field}_en` and `{field}_fr` are given together or not at all",
            standard.service.id, standard.policy.id
        )));
    }
    Ok(())
}

/// The channel comments: the catalog's; for an `OTH` derived from several channels, the
/// codes it stands for; an `OTH` the catalog declares must say itself what it is.
fn channel_comments(
    standard: &Standard<'_>,
    channel: &str,
) -> Result<(String, String), ExportError> {
    let published = standard.published;
    let (en, fr) = (
        published.channel_comments_en.trim(),
        published.channel_comments_fr.trim(),
    );
    both_languages(standard, "channel_comments", en, fr)?;
    if channel != "OTH" || !en.is_empty() {
        return Ok((en.to_string(), fr.to_string()));
    }
    if published.channel.is_some() {
        return Err(ExportError::Catalog(format!(
            "standard `{}/{}`: channel `OTH` needs `channel_comments_en` and \
             `channel_comments_fr` saying which channel it is",
            standard.service.id, standard.policy.id
        )));
    }
    Ok(channel_labels(&standard.service.channels))
}

/// The general comments: the catalog's, then, for a year in progress, that its figures
/// run to date (the schema has no field for it, and a portal would read a part year as a
/// whole one).
fn comments(
    standard: &Standard<'_>,
    year: FiscalYear,
    state: YearState,
) -> Result<(String, String), ExportError> {
    let published = standard.published;
    let (en, fr) = (published.comments_en.trim(), published.comments_fr.trim());
    both_languages(standard, "comments", en, fr)?;
    let flag = match state {
        YearState::Over => None,
        YearState::InProgress { today } => Some((
            format!("Fiscal year {year} in progress: figures as of {today}."),
            format!("Exercice {year} en cours : chiffres au {today}."),
        )),
        YearState::NotStarted => Some((
            format!("Fiscal year {year} has not begun: no figures yet."),
            format!("L’exercice {year} n’a pas commencé : aucun chiffre pour l’instant."),
        )),
    };
    let join = |catalog: &str, added: Option<String>| match added {
        Some(added) if catalog.is_empty() => added,
        Some(added) => format!("{catalog} {added}"),
        None => catalog.to_string(),
    };
    let (flag_en, flag_fr) = flag.unzip();
    Ok((join(en, flag_en), join(fr, flag_fr)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn performance_and_target_met_follow_the_published_rule() {
        assert_eq!(
            performance_and_target_met(9, 10, Some(0.9)),
            (Some(0.9), "Y")
        );
        assert_eq!(
            performance_and_target_met(2, 3, Some(0.9)),
            (Some(0.6667), "N")
        );
        // No volume: no performance (empty, not 0) and target_met NA.
        assert_eq!(performance_and_target_met(0, 0, Some(0.9)), (None, "NA"));
        // No target: NA.
        assert_eq!(
            performance_and_target_met(5, 10, Some(0.0)),
            (Some(0.5), "NA")
        );
        assert_eq!(performance_and_target_met(5, 10, None), (Some(0.5), "NA"));
    }

    fn catalog() -> civicpulse_core::Catalog {
        civicpulse_core::Catalog::from_toml_str(include_str!("../../../../catalog.toml")).unwrap()
    }

    fn year() -> FiscalYear {
        FiscalYear::new(civicpulse_core::fiscal_year::FiscalYearStart::APRIL, 2026)
    }

    /// The row of `service`'s first standard as (column, cell) pairs.
    fn cells(
        catalog: &civicpulse_core::Catalog,
        service: &str,
        state: YearState,
        volumes: Option<Volumes>,
    ) -> Result<std::collections::BTreeMap<&'static str, String>, ExportError> {
        let service = catalog.service(service).unwrap();
        let policy = &service.sla[0];
        let row = row(
            year(),
            state,
            &Standard {
                service,
                policy,
                published: policy.published.as_ref().unwrap(),
                volumes,
            },
        )?;
        Ok(COLUMNS.into_iter().zip(row).collect())
    }

    /// Blank is "no information available", 0 "no final output issued": a year the
    /// pipeline holds nothing on is blank, a year with nothing closed is 0 of 0.
    #[test]
    fn a_year_without_information_is_blank_and_one_without_outputs_is_zero() {
        let catalog = catalog();
        let unknown = cells(&catalog, "passport-in-person", YearState::Over, None).unwrap();
        for column in ["volume_meeting_target", "total_volume", "performance"] {
            assert_eq!(unknown[column], "", "{column}");
        }
        assert_eq!(unknown["target_met"], "NA");
        assert_eq!(unknown["target"], "0.9");
        let none = Some(Volumes { met: 0, total: 0 });
        let zero = cells(&catalog, "passport-in-person", YearState::Over, none).unwrap();
        assert_eq!(
            (&*zero["volume_meeting_target"], &*zero["total_volume"]),
            ("0", "0")
        );
        assert_eq!((&*zero["performance"], &*zero["target_met"]), ("", "NA"));
        let some = Some(Volumes { met: 9, total: 10 });
        let met = cells(&catalog, "passport-in-person", YearState::Over, some).unwrap();
        assert_eq!((&*met["performance"], &*met["target_met"]), ("0.9", "Y"));
        assert_eq!(met["comments_en"], "");
    }

    /// Employment Insurance is served on the web, in the app and by phone: `OTH`, which
    /// its comments spell out with the schema's own channel labels, in both languages.
    #[test]
    fn an_other_channel_says_which_channels_it_stands_for() {
        let catalog = catalog();
        let row = cells(&catalog, "employment-insurance", YearState::Over, None).unwrap();
        assert_eq!(row["channel"], "OTH");
        assert_eq!(row["channel_comments_en"], "Online, Telephone");
        assert_eq!(row["channel_comments_fr"], "En ligne, Téléphone");
        let single = cells(&catalog, "passport-in-person", YearState::Over, None).unwrap();
        assert_eq!(single["channel"], "PERSON");
        assert_eq!(single["channel_comments_en"], "");

        // An `OTH` the department declares must say what it is; a comment in one
        // language only is refused as the portal refuses it.
        let declared = catalog_with(&catalog, |p| p.channel = Some("OTH".into()));
        let error = cells(&declared, "employment-insurance", YearState::Over, None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("channel `OTH` needs"), "{error}");
        let half = catalog_with(&catalog, |p| p.comments_en = "Excludes appeals.".into());
        let error = cells(&half, "employment-insurance", YearState::Over, None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("`comments_en` and `comments_fr`"), "{error}");
    }

    fn catalog_with(
        catalog: &civicpulse_core::Catalog,
        change: impl Fn(&mut PublishedStandard),
    ) -> civicpulse_core::Catalog {
        let mut changed = catalog.clone();
        for service in &mut changed.services {
            for policy in &mut service.sla {
                if let Some(published) = &mut policy.published {
                    change(published);
                }
            }
        }
        changed
    }

    /// A part year reads as a whole one unless it says so: its comments do, after the
    /// department's own.
    #[test]
    fn a_year_in_progress_or_not_begun_says_so_in_both_languages() {
        let catalog = catalog();
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let some = Some(Volumes { met: 5, total: 6 });
        let row = cells(
            &catalog,
            "passport-in-person",
            YearState::InProgress { today },
            some,
        )
        .unwrap();
        assert_eq!(
            row["comments_en"],
            "Fiscal year 2026-2027 in progress: figures as of 2026-12-03."
        );
        assert_eq!(
            row["comments_fr"],
            "Exercice 2026-2027 en cours : chiffres au 2026-12-03."
        );
        let commented = catalog_with(&catalog, |p| {
            p.comments_en = "Excludes appeals.".into();
            p.comments_fr = "Exclut les appels.".into();
        });
        let row = cells(
            &commented,
            "passport-in-person",
            YearState::InProgress { today },
            some,
        )
        .unwrap();
        assert_eq!(
            row["comments_en"],
            "Excludes appeals. Fiscal year 2026-2027 in progress: figures as of 2026-12-03."
        );
        let row = cells(&catalog, "passport-in-person", YearState::NotStarted, None).unwrap();
        assert!(row["comments_en"].contains("has not begun"), "{row:?}");
        assert_eq!(row["total_volume"], "");
    }

    #[test]
    fn channels_map_to_one_code_or_other() {
        assert_eq!(channel_code(&[Channel::InPerson]), "PERSON");
        assert_eq!(channel_code(&[Channel::Web, Channel::App]), "ONL");
        assert_eq!(channel_code(&[Channel::Web, Channel::Mail]), "OTH");
        assert_eq!(channel_code(&[]), "OTH");
    }
}
