//! Reading comments for themes: each run reads the counting comments the current model has
//! not read (themes with their evidence, language, sentiment) and stores each reading in
//! `comment_readings` with the model's fingerprint and the comment's phrases (what emerging
//! issues count besides themes), a batch at a time. Ingest never waits for it, and a new
//! model or taxonomy (a new fingerprint) reads every comment again, but those an analyst
//! corrected: a person's label beats any model's.

use chrono::Utc;
use civicpulse_analytics::themes::phrases::phrases;
use civicpulse_analytics::themes::{Analysed, Model, ThemesError};
use civicpulse_store::tables::comment_readings::{self, ReadingRow};
use civicpulse_store::tables::insert_all;
use clickhouse::Client;
use serde::Serialize;

/// Comments read per query and insert: each query scans every comment to find the unread
/// ones, so a larger batch means fewer scans (10 000 comments hold about 2 MB of text).
pub const BATCH: u64 = 10_000;
/// Batches one run reads at most, so a new model's backlog spreads over runs.
pub const BATCHES_PER_RUN: usize = 10;

/// How much earlier than its comments were listed a batch's readings are stamped: a
/// correction made while the batch was being read is stamped when made, so it stays the
/// newest reading of its comment (`comment_readings` keeps the newest by `read_at`, to the
/// second) even when the batch is written after it. It holds while the clocks of the API and
/// the aggregator agree to within this margin.
pub const READ_AT_MARGIN: chrono::Duration = chrono::Duration::seconds(1);

/// The model comments are read with: the trained file `path`, else the catalog's seeds,
/// under the catalog's taxonomy either way (so a changed taxonomy is a new fingerprint).
pub fn model(
    path: Option<&std::path::Path>,
    catalog: &civicpulse_core::Catalog,
) -> Result<Model, ThemesError> {
    match path {
        Some(path) => Ok(Model::load(path)?.under(&catalog.themes)),
        None => Ok(Model::from_catalog(catalog)),
    }
}

/// One piece of evidence as stored: the theme it supports and where it is in the text.
#[derive(Serialize)]
struct Evidence<'a> {
    theme: &'a str,
    phrase: &'a str,
    start: usize,
    end: usize,
}

/// Reads what `model` has not read yet; how many comments it read.
pub async fn read_unread(
    client: &Client,
    model: &Model,
) -> Result<usize, clickhouse::error::Error> {
    let mut read = 0;
    for _ in 0..BATCHES_PER_RUN {
        let read_at = Utc::now() - READ_AT_MARGIN;
        let unread = comment_readings::unread(client, model.fingerprint(), BATCH).await?;
        if unread.is_empty() {
            break;
        }
        let rows: Vec<ReadingRow> = unread
            .iter()
            .map(|comment| {
                let reading = model.read(&comment.comment, None, Some(&comment.service_id));
                let evidence: Vec<Evidence> = reading
                    .tags
                    .iter()
                    .flat_map(|tag| {
                        tag.evidence.iter().map(|e| Evidence {
                            theme: &tag.theme,
                            phrase: &e.phrase,
                            start: e.start,
                            end: e.end,
                        })
                    })
                    .collect();
                let phrases = phrases(
                    &comment.comment,
                    &Analysed::new(&comment.comment, reading.language),
                );
                ReadingRow {
                    event_id: comment.event_id,
                    service_id: comment.service_id.clone(),
                    case_ref: comment.case_ref.clone(),
                    occurred_at: comment.occurred_at,
                    language: reading.language.code().to_string(),
                    themes: reading.tags.iter().map(|t| t.theme.clone()).collect(),
                    scores: reading.tags.iter().map(|t| t.score).collect(),
                    evidence: serde_json::to_string(&evidence).expect("evidence serialises"),
                    sentiment: reading.sentiment.sentiment.name().to_string(),
                    sentiment_score: reading.sentiment.score,
                    model: model.fingerprint().to_string(),
                    read_at,
                    phrase_texts: phrases.iter().map(|p| p.text.clone()).collect(),
                    phrases: phrases.into_iter().map(|p| p.key).collect(),
                }
            })
            .collect();
        insert_all(client, &rows, None).await?;
        read += rows.len();
        if (unread.len() as u64) < BATCH {
            break;
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> civicpulse_core::Catalog {
        civicpulse_core::Catalog::from_toml_str(include_str!("../../../catalog.toml")).unwrap()
    }

    #[test]
    fn a_trained_file_is_read_with_and_the_seeds_are_the_default() {
        let catalog = catalog();
        let seeds = model(None, &catalog).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("themes.json");
        seeds.save(&path).unwrap();
        let loaded = model(Some(&path), &catalog).unwrap();
        assert_eq!(loaded.fingerprint(), seeds.fingerprint());
        assert!(model(Some(&dir.path().join("missing.json")), &catalog).is_err());
        // The same file under an edited taxonomy reads by it: a new fingerprint.
        let mut edited = catalog.clone();
        let waiting = edited.themes.iter_mut().find(|t| t.id == "waiting-time");
        waiting.unwrap().seeds.push("zorblax".into());
        let under_edited = model(Some(&path), &edited).unwrap();
        assert_ne!(under_edited.fingerprint(), seeds.fingerprint());
    }
}
