//! The seed tagger: the cold start before any label exists. A comment carries a theme when
//! one of the theme's seed phrases occurs in it, read through the same pipeline, with the
//! same negation: "rude" does not tag "the staff were not rude", but the seed "not rude" does.
//! Seeds are matched in the comment's own language, with a service's own seeds added for its
//! comments.

use std::collections::HashMap;
use std::ops::Range;

use civicpulse_core::theme::{self, Theme};

use super::tag::{Evidence, Tag};
use super::text::{Analysed, Language};

/// Compiled seed phrases of a taxonomy's leaves.
#[derive(Debug, Clone, Default)]
pub struct SeedTagger {
    themes: Vec<String>,
    /// Seeds by language and first feature.
    all: HashMap<(Language, String), Vec<Seed>>,
    /// A service's own seeds, by service id, then as `all`.
    by_service: HashMap<String, HashMap<(Language, String), Vec<Seed>>>,
}

#[derive(Debug, Clone)]
struct Seed {
    theme: usize,
    features: Vec<String>,
}

/// A seed found in a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedMatch {
    /// Index of the theme in [`SeedTagger::themes`].
    pub theme: usize,
    /// The tokens it spans.
    pub tokens: Range<usize>,
}

impl SeedTagger {
    /// Seeds of the leaves of `themes` (the catalog's `[[themes]]`).
    pub fn new(themes: &[Theme]) -> SeedTagger {
        let mut tagger = SeedTagger::default();
        for leaf in theme::leaves(themes) {
            let index = tagger.themes.len();
            tagger.themes.push(leaf.id.clone());
            add(&mut tagger.all, index, &leaf.seeds, Language::En);
            add(&mut tagger.all, index, &leaf.seeds_fr, Language::Fr);
            for extra in &leaf.services {
                let seeds = tagger
                    .by_service
                    .entry(extra.service_id.clone())
                    .or_default();
                add(seeds, index, &extra.seeds, Language::En);
                add(seeds, index, &extra.seeds_fr, Language::Fr);
            }
        }
        tagger
    }

    pub fn from_catalog(catalog: &civicpulse_core::Catalog) -> SeedTagger {
        SeedTagger::new(&catalog.themes)
    }

    /// The leaves' ids, in taxonomy order.
    pub fn themes(&self) -> &[String] {
        &self.themes
    }

    /// Every seed occurrence in the comment, in token order.
    pub fn matches(&self, comment: &Analysed, service_id: Option<&str>) -> Vec<SeedMatch> {
        let mut found = Vec::new();
        let service = service_id.and_then(|s| self.by_service.get(s));
        for (i, token) in comment.tokens.iter().enumerate() {
            let key = (comment.language, token.feature().into_owned());
            let candidates = self
                .all
                .get(&key)
                .into_iter()
                .chain(service.and_then(|s| s.get(&key)))
                .flatten();
            for seed in candidates {
                let end = i + seed.features.len();
                let whole = comment.tokens.get(i..end).is_some_and(|tokens| {
                    tokens
                        .iter()
                        .zip(&seed.features)
                        .all(|(t, f)| t.feature() == f.as_str())
                });
                if whole {
                    found.push(SeedMatch {
                        theme: seed.theme,
                        tokens: i..end,
                    });
                }
            }
        }
        found
    }

    /// The themes whose seeds occur in `text`, with the matched phrases as evidence.
    pub fn tag(&self, text: &str, comment: &Analysed, service_id: Option<&str>) -> Vec<Tag> {
        let mut evidence: Vec<Vec<Evidence>> = vec![Vec::new(); self.themes.len()];
        for found in self.matches(comment, service_id) {
            let start = comment.tokens[found.tokens.start].start;
            let end = comment.tokens[found.tokens.end - 1].end;
            let spans = &mut evidence[found.theme];
            // A longer seed covering a shorter one ("long wait" over "wait") is one piece of
            // evidence, not two.
            spans.retain(|e| !(start <= e.start && e.end <= end));
            if !spans.iter().any(|e| e.start <= start && end <= e.end) {
                spans.push(Evidence::span(text, start, end, 1.0));
            }
        }
        evidence
            .into_iter()
            .enumerate()
            .filter(|(_, spans)| !spans.is_empty())
            .map(|(theme, spans)| Tag {
                theme: self.themes[theme].clone(),
                score: 1.0 - 0.5f64.powi(spans.len() as i32),
                evidence: spans,
            })
            .collect()
    }
}

fn add(
    index: &mut HashMap<(Language, String), Vec<Seed>>,
    theme: usize,
    phrases: &[String],
    language: Language,
) {
    for phrase in phrases {
        let features: Vec<String> = Analysed::new(phrase, language)
            .tokens
            .iter()
            .map(|t| t.feature().into_owned())
            .collect();
        if let Some(first) = features.first() {
            index
                .entry((language, first.clone()))
                .or_default()
                .push(Seed { theme, features });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog_tagger() -> SeedTagger {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog.toml");
        SeedTagger::from_catalog(&civicpulse_core::Catalog::load(&path).unwrap())
    }

    fn themes_of(tagger: &SeedTagger, text: &str, language: Language) -> Vec<String> {
        let comment = Analysed::new(text, language);
        tagger
            .tag(text, &comment, None)
            .into_iter()
            .map(|t| t.theme)
            .collect()
    }

    #[test]
    fn a_seed_tags_its_theme_with_the_phrase_as_evidence() {
        let tagger = catalog_tagger();
        let text = "Waited almost 3 hours and the agent was very rude.";
        let comment = Analysed::new(text, Language::En);
        let tags = tagger.tag(text, &comment, None);
        let manner = tags.iter().find(|t| t.theme == "staff-manner").unwrap();
        assert!(manner.evidence.iter().any(|e| e.phrase == "rude"));
        let waiting = tags.iter().find(|t| t.theme == "waiting-time").unwrap();
        assert_eq!(
            &text[waiting.evidence[0].start..waiting.evidence[0].end],
            "Waited"
        );
        assert!(waiting.score > 0.5, "two phrases score above one");
    }

    #[test]
    fn a_negated_word_is_not_its_seed_but_a_negated_seed_matches() {
        let tagger = catalog_tagger();
        // "great" under negation is no praise.
        assert!(
            !themes_of(&tagger, "The service was not great.", Language::En)
                .contains(&"praise".to_string())
        );
        assert!(themes_of(&tagger, "The service was great.", Language::En)
            .contains(&"praise".to_string()));
        // Not rude is still about the staff's manner.
        let text = "the staff were not rude at all";
        let comment = Analysed::new(text, Language::En);
        let tags = tagger.tag(text, &comment, None);
        let manner = tags.iter().find(|t| t.theme == "staff-manner").unwrap();
        assert!(
            manner.evidence.iter().any(|e| e.phrase == "not rude"),
            "{manner:?}"
        );
    }

    #[test]
    fn french_seeds_match_with_or_without_accents() {
        let tagger = catalog_tagger();
        for text in [
            "Mon passeport est jamais arrivé par la poste",
            "mon passeport est jamais arrive par la poste",
        ] {
            assert!(
                themes_of(&tagger, text, Language::Fr).contains(&"mail-delivery".to_string()),
                "{text}"
            );
        }
        assert!(
            themes_of(&tagger, "Le commis était très impoli", Language::Fr)
                .contains(&"staff-manner".to_string())
        );
    }

    #[test]
    fn a_service_seed_counts_for_its_service_only() {
        let themes: Vec<Theme> = toml::from_str::<toml::Table>(
            r#"
            [[themes]]
            id = "sign-in"
            name = "Sign in"
            name_fr = "Connexion"
            seeds = ["password"]
            seeds_fr = ["mot de passe"]
            services = [{ service_id = "tax", seeds = ["netfile"] }]
            "#,
        )
        .unwrap()["themes"]
            .clone()
            .try_into()
            .unwrap();
        let tagger = SeedTagger::new(&themes);
        let comment = Analysed::new("netfile refused me", Language::En);
        assert_eq!(tagger.matches(&comment, Some("tax")).len(), 1);
        assert!(tagger.matches(&comment, Some("passport")).is_empty());
    }
}
