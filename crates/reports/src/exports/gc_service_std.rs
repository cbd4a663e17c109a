//! Canada's GC Service Inventory "Service Standards & Performance Results" (`service-std`,
//! open.canada.ca; schema in open-data/ckanext-canada): one row per fiscal year × service ×
//! standard, in the published column order, UTF-8 with a byte-order mark. The pipeline
//! supplies the volumes; the catalog's `[services.sla.published]` supplies what only the
//! department knows (ids, bilingual texts, URIs, owner organisation).
//!
//! Published rules (the portal's own `service-std` processing):
//! - `performance` = `volume_meeting_target / total_volume`, rounded to 4 decimals, empty
//!   when `total_volume` is 0;
//! - `target_met` = `NA` when there is no target or no performance, `Y` when performance
//!   ≥ target, else `N`.

use civicpulse_analytics::sla::summary::PolicySummary;
use civicpulse_core::event::Channel;
use civicpulse_core::Catalog;

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

/// The schema's channel codes.
const CHANNELS: [&str; 7] = ["EML", "FAX", "ONL", "OTH", "PERSON", "POST", "TEL"];

/// The code for a service's channels: one code when they all map to it, else `OTH`.
pub fn channel_code(channels: &[Channel]) -> &'static str {
    let code = |c: &Channel| match c {
        Channel::Web | Channel::App => "ONL",
        Channel::Phone => "TEL",
        Channel::InPerson => "PERSON",
        Channel::Mail => "POST",
    };
    match channels.first().map(code) {
        Some(first) if channels.iter().all(|c| code(c) == first) => first,
        _ => "OTH",
    }
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

/// The rows of `year` for the published standards among `summaries` (the fiscal year's
/// SLA summary); `left_out` receives the standards not published in the catalog.
pub fn rows(
    catalog: &Catalog,
    year: FiscalYear,
    summaries: &[PolicySummary],
    left_out: &mut Vec<String>,
) -> Result<Vec<Vec<String>>, ExportError> {
    let mut rows = Vec::new();
    for summary in summaries {
        let service = catalog
            .service(&summary.service_id)
            .expect("summaries come from the catalog");
        let policy = service
            .sla
            .iter()
            .find(|p| p.id == summary.policy)
            .expect("summaries come from the catalog's policies");
        let Some(published) = &policy.published else {
            left_out.push(format!("{}/{}", service.id, policy.id));
            continue;
        };
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
        if !CHANNELS.contains(&channel.as_str()) {
            return Err(ExportError::Catalog(format!(
                "standard `{}/{}`: channel `{channel}` is not one of {CHANNELS:?}",
                service.id, policy.id
            )));
        }
        let (performance, target_met) =
            performance_and_target_met(summary.met, summary.closed, Some(summary.target_ratio));
        rows.push(vec![
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
            published.channel_comments_en.clone(),
            published.channel_comments_fr.clone(),
            summary.target_ratio.to_string(),
            summary.met.to_string(),
            summary.closed.to_string(),
            performance.map_or_else(String::new, |p| p.to_string()),
            published.comments_en.clone(),
            published.comments_fr.clone(),
            target_met.to_string(),
            published.standards_targets_uri_en.clone(),
            published.standards_targets_uri_fr.clone(),
            published.performance_results_uri_en.clone(),
            published.performance_results_uri_fr.clone(),
            owner_org,
            owner_org_title,
        ]);
    }
    Ok(rows)
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

    #[test]
    fn channels_map_to_one_code_or_other() {
        assert_eq!(channel_code(&[Channel::InPerson]), "PERSON");
        assert_eq!(channel_code(&[Channel::Web, Channel::App]), "ONL");
        assert_eq!(channel_code(&[Channel::Web, Channel::Mail]), "OTH");
        assert_eq!(channel_code(&[]), "OTH");
    }
}
