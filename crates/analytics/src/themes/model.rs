//! The themes model: seeds for the cold start, then one-vs-rest logistic regressions on the
//! pipeline's TF-IDF n-grams where labels exist, and sentiment beside them.
//!
//! How seeds and labels combine: each theme's seed matches are a feature of the learned
//! model (so it learns how far to trust a theme's seeds), and a theme with fewer than
//! `min_positives` labelled comments keeps its seeds alone. Each learned theme's cost and
//! decision threshold are chosen by cross-validated F1 on the training comments, so a rare
//! theme is not drowned by its negatives. The model is plain data (serde JSON) with a
//! fingerprint, the SHA-256 of its taxonomy and weights, so tags say which model made them.

use std::ops::Range;
use std::path::Path;

use civicpulse_core::theme::Theme;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::crossval;
use super::features::{comment_terms, Vectoriser};
use super::labels::LabelledSet;
use super::linear::{self, Linear, Row, Solver};
use super::seeds::SeedTagger;
use super::sentiment::{self, SentimentModel, SentimentScore};
use super::tag::{Evidence, Tag};
use super::text::{Analysed, Language};
use super::ThemesError;

/// The model file's format; a newer one is refused rather than misread.
const FORMAT: u32 = 1;

/// How a model is trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainOptions {
    /// Logistic regression costs (C) tried per theme by cross-validation.
    pub costs: Vec<f64>,
    /// Folds of the cross-validation that picks each theme's cost and threshold.
    pub folds: usize,
    /// Terms found in fewer comments are left out of the vocabulary.
    pub min_df: usize,
    /// A theme with fewer labelled comments keeps its seeds alone.
    pub min_positives: usize,
    /// Seeds the folds; the same seed and data give the same model.
    pub seed: u64,
    /// Training threads (0: the machine's cores).
    pub threads: usize,
    /// The language of a comment whose language cannot be told.
    pub fallback_language: Language,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            costs: vec![1.0, 4.0, 16.0],
            folds: 3,
            min_df: 1,
            min_positives: 3,
            seed: 0,
            threads: 0,
            fallback_language: Language::En,
        }
    }
}

/// How one theme is decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// Seed phrases alone (no or too few labels).
    Seeds,
    /// A learned logistic model and its threshold.
    Learned {
        model: Linear,
        threshold: f64,
        cost: f64,
        /// The cross-validated F1 the threshold was chosen at.
        cv_f1: f64,
    },
}

/// One theme of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeModel {
    pub id: String,
    /// Labelled comments carrying it when trained.
    pub positives: usize,
    pub decision: Decision,
}

/// A trained (or cold-start) themes model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    format: u32,
    /// The taxonomy whose seeds the model reads (its leaves may be fewer than `themes`).
    taxonomy: Vec<Theme>,
    themes: Vec<ThemeModel>,
    vectoriser: Vectoriser,
    sentiment: Option<SentimentModel>,
    fallback_language: Language,
    fingerprint: String,
    #[serde(skip)]
    seeds: SeedTagger,
}

/// What the model reads in one comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub language: Language,
    /// The themes the comment carries, strongest first.
    pub tags: Vec<Tag>,
    /// Every theme's score, in [`Model::themes`] order (for evaluation and exports).
    pub scores: Vec<f64>,
    pub sentiment: SentimentScore,
}

impl Model {
    /// The cold start: the taxonomy's seeds and the sentiment lexicon, before any label.
    pub fn cold_start(taxonomy: &[Theme]) -> Model {
        let seeds = SeedTagger::new(taxonomy);
        let themes = seeds
            .themes()
            .iter()
            .map(|id| ThemeModel {
                id: id.clone(),
                positives: 0,
                decision: Decision::Seeds,
            })
            .collect();
        Model::assemble(
            taxonomy.to_vec(),
            themes,
            Vectoriser::default(),
            None,
            Language::En,
        )
    }

    pub fn from_catalog(catalog: &civicpulse_core::Catalog) -> Model {
        Model::cold_start(&catalog.themes)
    }

    /// Learns from `labels` (whose themes may be the taxonomy's or any others): themes of the
    /// taxonomy without labels keep their seeds.
    pub fn train(
        taxonomy: &[Theme],
        labels: &LabelledSet,
        options: &TrainOptions,
    ) -> Result<Model, ThemesError> {
        linear::quiet();
        let seeds = SeedTagger::new(taxonomy);
        let fallback = options.fallback_language;
        let read: Vec<(Analysed, Vec<String>)> = labels
            .comments
            .iter()
            .map(|c| {
                let language = Language::detect(&c.text, c.language.unwrap_or(fallback));
                let comment = Analysed::new(&c.text, language);
                let found = seeds.matches(&comment, c.service_id.as_deref());
                let terms = comment_terms(&comment, &found, seeds.themes())
                    .into_iter()
                    .map(|(t, _)| t)
                    .collect();
                (comment, terms)
            })
            .collect();
        let vectoriser =
            Vectoriser::fit(read.iter().map(|(_, t)| t.as_slice()), options.min_df, true);
        let rows: Vec<Row> = read.iter().map(|(_, t)| vectoriser.transform(t)).collect();

        // Every theme of the labels, then the taxonomy's leaves without labels.
        let mut ids = labels.themes.clone();
        let unlabelled: Vec<String> = seeds
            .themes()
            .iter()
            .filter(|t| !ids.contains(t))
            .cloned()
            .collect();
        ids.extend(unlabelled);
        let folds = crossval::fold_of(rows.len(), options.folds.max(2), options.seed);
        let jobs: Vec<(usize, Option<Vec<bool>>)> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let column = labels.themes.iter().position(|t| t == id);
                let truth = column.map(|c| labels.comments.iter().map(|x| x.labels[c]).collect());
                (i, truth)
            })
            .collect();
        let themes = crossval::in_parallel(jobs.len(), options.threads, |job| {
            let (i, truth) = &jobs[job];
            let id = ids[*i].clone();
            match truth {
                Some(truth) => learn_theme(id, &rows, truth, &folds, options),
                None => Ok(ThemeModel {
                    id,
                    positives: 0,
                    decision: Decision::Seeds,
                }),
            }
        })?;

        let sentiment = if labels.has_sentiment() {
            let rows: Vec<Row> = rows
                .iter()
                .zip(&read)
                .map(|(row, (comment, _))| {
                    sentiment::with_lexicon(row.clone(), comment, vectoriser.len())
                })
                .collect();
            let truth: Vec<_> = labels.comments.iter().filter_map(|c| c.sentiment).collect();
            Some(SentimentModel::train(&rows, &truth, 1.0)?)
        } else {
            None
        };
        Ok(Model::assemble(
            taxonomy.to_vec(),
            themes,
            vectoriser,
            sentiment,
            fallback,
        ))
    }

    fn assemble(
        taxonomy: Vec<Theme>,
        themes: Vec<ThemeModel>,
        vectoriser: Vectoriser,
        sentiment: Option<SentimentModel>,
        fallback_language: Language,
    ) -> Model {
        let seeds = SeedTagger::new(&taxonomy);
        let mut model = Model {
            format: FORMAT,
            taxonomy,
            themes,
            vectoriser,
            sentiment,
            fallback_language,
            fingerprint: String::new(),
            seeds,
        };
        model.fingerprint = model.compute_fingerprint();
        model
    }

    /// The model reading under `taxonomy` (the catalog's, which may have changed since the
    /// model was trained): its seeds are the taxonomy's, a leaf the model lacks starts from
    /// its seeds, a theme the taxonomy no longer has as a leaf is dropped, and learned themes
    /// from labels outside any taxonomy stay. The fingerprint covers the taxonomy, so a
    /// changed catalog is a new fingerprint and every comment is read again; the same
    /// taxonomy gives back the same model and fingerprint.
    pub fn under(self, taxonomy: &[Theme]) -> Model {
        if self.taxonomy == taxonomy {
            return self;
        }
        let leaves: Vec<&str> = civicpulse_core::theme::leaves(taxonomy)
            .map(|t| t.id.as_str())
            .collect();
        let was_taxonomy = |id: &str| self.taxonomy.iter().any(|t| t.id == id);
        let is_taxonomy = |id: &str| taxonomy.iter().any(|t| t.id == id);
        let mut themes: Vec<ThemeModel> = self
            .themes
            .into_iter()
            .filter(|t| {
                leaves.contains(&t.id.as_str()) || !(was_taxonomy(&t.id) || is_taxonomy(&t.id))
            })
            .collect();
        for leaf in leaves {
            if !themes.iter().any(|t| t.id == leaf) {
                themes.push(ThemeModel {
                    id: leaf.to_string(),
                    positives: 0,
                    decision: Decision::Seeds,
                });
            }
        }
        Model::assemble(
            taxonomy.to_vec(),
            themes,
            self.vectoriser,
            self.sentiment,
            self.fallback_language,
        )
    }

    /// SHA-256 (hex) of the taxonomy, the vocabulary and every weight and threshold: two
    /// models with the same fingerprint tag every comment alike.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn compute_fingerprint(&self) -> String {
        let content = serde_json::to_vec(&(
            self.format,
            &self.taxonomy,
            &self.themes,
            &self.vectoriser,
            &self.sentiment,
            self.fallback_language,
        ))
        .unwrap_or_default();
        hex::encode(Sha256::digest(content))
    }

    /// The themes the model tags, in score order of [`Reading::scores`].
    pub fn themes(&self) -> &[ThemeModel] {
        &self.themes
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a model written by [`Model::save`]; a file whose content does not match its
    /// fingerprint (edited, truncated) is refused.
    pub fn from_json(text: &str) -> Result<Model, ThemesError> {
        let mut model: Model =
            serde_json::from_str(text).map_err(|e| ThemesError::Model(e.to_string()))?;
        if model.format != FORMAT {
            return Err(ThemesError::Model(format!(
                "format {} is not {FORMAT}: retrain with this version",
                model.format
            )));
        }
        model.vectoriser.reindex();
        model.seeds = SeedTagger::new(&model.taxonomy);
        let stored = std::mem::take(&mut model.fingerprint);
        model.fingerprint = model.compute_fingerprint();
        if stored != model.fingerprint {
            return Err(ThemesError::Model(format!(
                "its content does not match its fingerprint {stored}"
            )));
        }
        Ok(model)
    }

    pub fn save(&self, path: &Path) -> Result<(), ThemesError> {
        Ok(std::fs::write(path, self.to_json())?)
    }

    pub fn load(path: &Path) -> Result<Model, ThemesError> {
        Model::from_json(&std::fs::read_to_string(path)?)
    }

    /// The themes of one comment (see [`Model::read`]).
    pub fn tag(
        &self,
        text: &str,
        language: Option<Language>,
        service_id: Option<&str>,
    ) -> Vec<Tag> {
        self.read(text, language, service_id).tags
    }

    /// Reads one comment: its language (detected; `language`, else the model's fallback, when
    /// the comment is too short to tell), themes with scores and evidence, and sentiment.
    pub fn read(
        &self,
        text: &str,
        language: Option<Language>,
        service_id: Option<&str>,
    ) -> Reading {
        let language = Language::detect(text, language.unwrap_or(self.fallback_language));
        let comment = Analysed::new(text, language);
        let found = self.seeds.matches(&comment, service_id);
        let seed_tags = self.seeds.tag(text, &comment, service_id);
        let terms = comment_terms(&comment, &found, self.seeds.themes());
        let row = self
            .vectoriser
            .transform(&terms.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>());
        let mut tags = Vec::new();
        let mut scores = Vec::with_capacity(self.themes.len());
        for theme in &self.themes {
            match &theme.decision {
                Decision::Seeds => {
                    let tag = seed_tags.iter().find(|t| t.theme == theme.id);
                    scores.push(tag.map_or(0.0, |t| t.score));
                    tags.extend(tag.cloned());
                }
                Decision::Learned {
                    model, threshold, ..
                } => {
                    let score = model.probability(&row);
                    scores.push(score);
                    if score >= *threshold {
                        tags.push(Tag {
                            theme: theme.id.clone(),
                            score,
                            evidence: self.evidence(text, &comment, &terms, &row, model),
                        });
                    }
                }
            }
        }
        tags.sort_by(|a, b| b.score.total_cmp(&a.score));
        let sentiment = match &self.sentiment {
            Some(learned) => learned.predict(&sentiment::with_lexicon(
                row,
                &comment,
                self.vectoriser.len(),
            )),
            None => sentiment::from_lexicon(&comment),
        };
        Reading {
            language,
            tags,
            scores,
            sentiment,
        }
    }

    /// The three terms present that raised the theme's score most, as spans of the text.
    fn evidence(
        &self,
        text: &str,
        comment: &Analysed,
        terms: &[(String, Range<usize>)],
        row: &[(u32, f64)],
        model: &Linear,
    ) -> Vec<Evidence> {
        let mut weighed: Vec<(u32, f64)> = row
            .iter()
            .map(|&(i, x)| {
                (
                    i,
                    x * f64::from(model.weights.get(i as usize - 1).copied().unwrap_or(0.0)),
                )
            })
            .filter(|&(_, w)| w > 0.0)
            .collect();
        weighed.sort_by(|a, b| b.1.total_cmp(&a.1));
        weighed
            .into_iter()
            .take(3)
            .filter_map(|(i, weight)| {
                let (_, tokens) = terms
                    .iter()
                    .find(|(t, _)| self.vectoriser.feature(t) == Some(i))?;
                let start = comment.tokens.get(tokens.start)?.start;
                let end = comment.tokens.get(tokens.end.checked_sub(1)?)?.end;
                Some(Evidence::span(text, start, end, weight))
            })
            .collect()
    }
}

/// One theme: the cost and threshold with the best out-of-fold F1, then a model on all rows.
fn learn_theme(
    id: String,
    rows: &[Row],
    truth: &[bool],
    fold: &[usize],
    options: &TrainOptions,
) -> Result<ThemeModel, ThemesError> {
    let positives = truth.iter().filter(|&&t| t).count();
    if positives < options.min_positives {
        return Ok(ThemeModel {
            id,
            positives,
            decision: Decision::Seeds,
        });
    }
    let (cv_f1, cost, threshold) =
        match crossval::choose(rows, truth, fold, &options.costs, Solver::Logistic)? {
            Some(chosen) => (chosen.f1, chosen.cost, chosen.threshold),
            None => (0.0, 1.0, 0.5),
        };
    match linear::train_binary(rows, truth, Solver::Logistic, cost)? {
        Some(model) => Ok(ThemeModel {
            id,
            positives,
            decision: Decision::Learned {
                model,
                threshold,
                cost,
                cv_f1,
            },
        }),
        None => Ok(ThemeModel {
            id,
            positives,
            decision: Decision::Seeds,
        }),
    }
}
