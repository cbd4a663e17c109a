//! The themes taxonomy (`[[themes]]` in the catalog): what people's comments are about, in
//! two levels (parents such as "time" or "staff", and the leaves comments are tagged with),
//! named in English and French, with the seed phrases that tag comments before any label
//! exists.
//!
//! Seeds are plain phrases; the analytics crate reads them through the same text pipeline as
//! the comments (stemmed, accents folded, negation marked), so "not rude" is a seed of its own
//! and "rude" never matches a comment that says the staff were *not* rude.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

/// One theme of the taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Stable identifier, as labelled files name their columns (e.g. `waiting-time`).
    pub id: String,
    pub name: String,
    pub name_fr: String,
    /// The parent theme's id; a parent groups leaves for reading and is never a child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// English seed phrases.
    #[serde(default)]
    pub seeds: Vec<String>,
    /// French seed phrases.
    #[serde(default)]
    pub seeds_fr: Vec<String>,
    /// Seeds that only mean this theme for one service (a service's own product names).
    #[serde(default)]
    pub services: Vec<ServiceSeeds>,
    /// Comments with this theme praise the service. The matrix reads a rise in its share
    /// as better, where a rise in any other theme reads as worse: what people raise in a
    /// comment is mostly what went wrong.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub praise: bool,
}

/// A service's additional seeds for a theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSeeds {
    pub service_id: String,
    #[serde(default)]
    pub seeds: Vec<String>,
    #[serde(default)]
    pub seeds_fr: Vec<String>,
}

impl Theme {
    /// A leaf is a theme no other theme names as its parent: comments are tagged with leaves.
    pub fn is_leaf(&self, themes: &[Theme]) -> bool {
        !themes
            .iter()
            .any(|t| t.parent.as_deref() == Some(self.id.as_str()))
    }
}

/// The leaves of `themes`, in catalog order.
pub fn leaves(themes: &[Theme]) -> impl Iterator<Item = &Theme> {
    themes.iter().filter(|t| t.is_leaf(themes))
}

/// The leaves `id` stands for: itself when a leaf, its children when a parent (comments are
/// tagged with leaves, so asking for a parent asks for any of them); None when `themes`
/// has no theme `id`.
pub fn leaves_of<'a>(themes: &'a [Theme], id: &str) -> Option<Vec<&'a Theme>> {
    let theme = themes.iter().find(|t| t.id == id)?;
    Some(if theme.is_leaf(themes) {
        vec![theme]
    } else {
        themes
            .iter()
            .filter(|t| t.parent.as_deref() == Some(id))
            .collect()
    })
}

/// The themes without a parent (the parents, and any leaf standing alone), in catalog
/// order: the matrix shows one share per top-level theme.
pub fn top_level(themes: &[Theme]) -> impl Iterator<Item = &Theme> {
    themes.iter().filter(|t| t.parent.is_none())
}

/// The leaves a comment may carry that count as being about `id`: the theme itself when it
/// is a leaf, its children when it is a parent.
pub fn covered<'a>(themes: &'a [Theme], id: &str) -> Vec<&'a str> {
    leaves_of(themes, id)
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.id.as_str())
        .collect()
}

/// How the matrix and the interventions name the share of comments about a theme.
const SHARE_PREFIX: &str = "theme_share:";

/// The matrix's name of the share of comments about theme `id` (family `themes`).
pub fn share_name(id: &str) -> String {
    format!("{SHARE_PREFIX}{id}")
}

/// The theme a matrix name of a theme's share is about, if it is one.
pub fn share_theme(name: &str) -> Option<&str> {
    name.strip_prefix(SHARE_PREFIX).filter(|id| !id.is_empty())
}

/// Why a taxonomy is refused; the catalog prefixes it with the theme's id.
pub fn check(themes: &[Theme], service_ids: &HashSet<&str>) -> Result<(), String> {
    let by_id: BTreeMap<&str, &Theme> = themes.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut seen = HashSet::new();
    for theme in themes {
        let id = theme.id.as_str();
        if id.is_empty() || id.contains(|c: char| c.is_whitespace() || c == ',') {
            return Err(format!(
                "theme id `{id}` must be non-empty and free of white space and commas"
            ));
        }
        if !seen.insert(id) {
            return Err(format!("theme `{id}` is defined twice"));
        }
        if let Some(parent) = &theme.parent {
            let Some(parent_theme) = by_id.get(parent.as_str()) else {
                return Err(format!("theme `{id}` has unknown parent `{parent}`"));
            };
            if parent_theme.parent.is_some() {
                return Err(format!(
                    "theme `{id}`: parent `{parent}` is itself a child (two levels at most)"
                ));
            }
        }
        let blank = |seeds: &[String]| seeds.iter().any(|s| s.trim().is_empty());
        if blank(&theme.seeds) || blank(&theme.seeds_fr) {
            return Err(format!("theme `{id}` has a blank seed phrase"));
        }
        if theme.is_leaf(themes) && (theme.seeds.is_empty() || theme.seeds_fr.is_empty()) {
            return Err(format!(
                "theme `{id}` is a leaf and needs seed phrases in English (`seeds`) and French (`seeds_fr`)"
            ));
        }
        for extra in &theme.services {
            if !service_ids.contains(extra.service_id.as_str()) {
                return Err(format!(
                    "theme `{id}` has seeds for unknown service `{}`",
                    extra.service_id
                ));
            }
            if blank(&extra.seeds) || blank(&extra.seeds_fr) {
                return Err(format!(
                    "theme `{id}`, service `{}`: blank seed phrase",
                    extra.service_id
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(id: &str, parent: Option<&str>, seeds: &[&str], seeds_fr: &[&str]) -> Theme {
        Theme {
            id: id.into(),
            name: id.into(),
            name_fr: id.into(),
            parent: parent.map(Into::into),
            seeds: seeds.iter().map(|s| s.to_string()).collect(),
            seeds_fr: seeds_fr.iter().map(|s| s.to_string()).collect(),
            services: vec![],
            praise: false,
        }
    }

    #[test]
    fn a_two_level_taxonomy_with_seeds_in_both_languages_passes() {
        let themes = [
            theme("time", None, &[], &[]),
            theme(
                "waiting-time",
                Some("time"),
                &["long wait"],
                &["longue attente"],
            ),
        ];
        assert_eq!(check(&themes, &HashSet::new()), Ok(()));
        let leaves: Vec<_> = leaves(&themes).map(|t| t.id.as_str()).collect();
        assert_eq!(leaves, ["waiting-time"]);
        let ids = |id: &str| -> Option<Vec<String>> {
            leaves_of(&themes, id).map(|l| l.iter().map(|t| t.id.clone()).collect())
        };
        assert_eq!(ids("time"), Some(vec!["waiting-time".to_string()]));
        assert_eq!(ids("waiting-time"), Some(vec!["waiting-time".to_string()]));
        assert_eq!(ids("wait"), None);
    }

    #[test]
    fn a_parent_covers_its_children_and_a_leaf_itself() {
        let themes = [
            theme("time", None, &[], &[]),
            theme("waiting-time", Some("time"), &["wait"], &["attente"]),
            theme("appointments", Some("time"), &["slot"], &["rendez-vous"]),
            theme("fees", None, &["fee"], &["frais"]),
        ];
        assert_eq!(covered(&themes, "time"), ["waiting-time", "appointments"]);
        assert_eq!(covered(&themes, "appointments"), ["appointments"]);
        assert_eq!(covered(&themes, "fees"), ["fees"]);
        assert!(covered(&themes, "nowhere").is_empty());
        let top: Vec<&str> = top_level(&themes).map(|t| t.id.as_str()).collect();
        assert_eq!(top, ["time", "fees"]);
        assert_eq!(
            share_theme(&share_name("waiting-time")),
            Some("waiting-time")
        );
        assert_eq!(share_theme("theme_share:"), None);
        assert_eq!(share_theme("satisfaction_top2_share"), None);
    }

    #[test]
    fn broken_taxonomies_are_refused_with_the_reason() {
        let ok = || theme("wait", None, &["wait"], &["attente"]);
        let cases = [
            (vec![ok(), ok()], "defined twice"),
            (
                vec![theme("a", Some("nowhere"), &["x"], &["x"])],
                "unknown parent `nowhere`",
            ),
            (
                vec![
                    theme("top", None, &[], &[]),
                    theme("mid", Some("top"), &["x"], &["x"]),
                    theme("low", Some("mid"), &["x"], &["x"]),
                ],
                "is itself a child",
            ),
            (vec![theme("a", None, &["x"], &[])], "needs seed phrases"),
            (
                vec![theme("a b", None, &["x"], &["x"])],
                "free of white space",
            ),
            (vec![theme("a", None, &["x", " "], &["x"])], "blank seed"),
        ];
        for (themes, expected) in cases {
            let error = check(&themes, &HashSet::new()).unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
        let mut extra = ok();
        extra.services.push(ServiceSeeds {
            service_id: "ghost".into(),
            seeds: vec!["x".into()],
            seeds_fr: vec![],
        });
        let error = check(&[extra], &HashSet::new()).unwrap_err();
        assert!(error.contains("unknown service `ghost`"), "{error}");
    }
}
