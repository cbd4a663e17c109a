//! Life events (`[[life_events]]`): a journey a person makes through several services, of
//! one government or several, such as having a baby or dealing with a death. Each is an
//! ordered list of catalog services, some required, some that should start without the
//! person applying (the once-only path), with an optional standard for the whole journey.

use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

/// How a journey standard counts its days. Journeys cross governments, so opening hours
/// never apply: only days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JourneyDays {
    /// Days that are neither weekend days nor holidays of the first step's calendar.
    BusinessDays,
    CalendarDays,
}

/// The time a journey should take end to end: from the first step's start to the last
/// required step's stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyStandard {
    pub expected_days: u32,
    pub unit: JourneyDays,
}

/// One step of a life event: a catalog service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub service_id: String,
    /// A journey is complete when every required step has stopped.
    #[serde(default = "required_by_default")]
    pub required: bool,
    /// The step should start without the person applying (tell us once).
    #[serde(default)]
    pub automatic: bool,
}

fn required_by_default() -> bool {
    true
}

/// A life event as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifeEvent {
    pub id: String,
    pub name: String,
    pub name_fr: String,
    /// In the order a person usually takes them.
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<JourneyStandard>,
}

impl LifeEvent {
    /// The steps a journey must stop for it to be complete.
    pub fn required(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.required)
    }
}

/// Why a catalog's life events are refused: ids unique and named, at least two steps (one
/// service is not a journey), steps that are catalog services listed once, at least one
/// required step, and a standard of at least a day.
pub fn check(events: &[LifeEvent], services: &HashSet<&str>) -> Result<(), String> {
    let mut ids = BTreeSet::new();
    for event in events {
        let id = &event.id;
        if id.is_empty() || !ids.insert(id.as_str()) {
            return Err(format!("life event id `{id}` is empty or repeated"));
        }
        if event.name.trim().is_empty() || event.name_fr.trim().is_empty() {
            return Err(format!("life event `{id}` needs `name` and `name_fr`"));
        }
        if event.steps.len() < 2 {
            return Err(format!("life event `{id}` needs at least two steps"));
        }
        let mut seen = BTreeSet::new();
        for step in &event.steps {
            if !services.contains(step.service_id.as_str()) {
                return Err(format!(
                    "life event `{id}`: step `{}` is not a catalog service",
                    step.service_id
                ));
            }
            if !seen.insert(step.service_id.as_str()) {
                return Err(format!(
                    "life event `{id}`: step `{}` is listed twice",
                    step.service_id
                ));
            }
        }
        if event.required().next().is_none() {
            return Err(format!("life event `{id}` has no required step"));
        }
        if event.standard.is_some_and(|s| s.expected_days == 0) {
            return Err(format!(
                "life event `{id}`: `expected_days` must be at least 1"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> Vec<LifeEvent> {
        #[derive(Deserialize)]
        struct Doc {
            life_events: Vec<LifeEvent>,
        }
        toml::from_str::<Doc>(toml_text).unwrap().life_events
    }

    const BABY: &str = r#"
        [[life_events]]
        id = "having-a-baby"
        name = "Having a baby"
        name_fr = "Avoir un bébé"
        standard = { expected_days = 60, unit = "calendar_days" }
        steps = [
          { service_id = "birth-registration" },
          { service_id = "sin", automatic = true },
          { service_id = "child-benefit", automatic = true },
          { service_id = "health-card", required = false },
        ]
    "#;

    fn services() -> HashSet<&'static str> {
        ["birth-registration", "sin", "child-benefit", "health-card"]
            .into_iter()
            .collect()
    }

    #[test]
    fn steps_are_required_unless_said_and_automatic_only_when_said() {
        let events = parse(BABY);
        check(&events, &services()).unwrap();
        let baby = &events[0];
        let required: Vec<&str> = baby.required().map(|s| s.service_id.as_str()).collect();
        assert_eq!(required, ["birth-registration", "sin", "child-benefit"]);
        assert!(!baby.steps[0].automatic && baby.steps[1].automatic);
        assert_eq!(
            baby.standard,
            Some(JourneyStandard {
                expected_days: 60,
                unit: JourneyDays::CalendarDays
            })
        );
    }

    #[test]
    fn a_journey_the_catalog_cannot_measure_is_refused_naming_why() {
        let refused = |text: &str| check(&parse(text), &services()).unwrap_err();
        assert!(refused(&BABY.replace("\"sin\"", "\"passport\""))
            .contains("`passport` is not a catalog service"));
        assert!(refused(&BABY.replace("\"health-card\"", "\"sin\"")).contains("listed twice"));
        assert!(refused(&BABY.replace("60", "0")).contains("at least 1"));
        let one_step = r#"
            [[life_events]]
            id = "x"
            name = "X"
            name_fr = "X"
            steps = [{ service_id = "sin" }]
        "#;
        assert!(refused(one_step).contains("at least two steps"));
        let none_required = r#"
            [[life_events]]
            id = "x"
            name = "X"
            name_fr = "X"
            steps = [{ service_id = "sin", required = false }, { service_id = "health-card", required = false }]
        "#;
        assert!(refused(none_required).contains("no required step"));
    }

    #[test]
    fn a_misspelt_key_is_an_error_never_ignored() {
        #[derive(Deserialize, Debug)]
        struct Doc {
            #[allow(dead_code)]
            life_events: Vec<LifeEvent>,
        }
        let misspelt = BABY.replacen("automatic = true", "automatc = true", 1);
        let error = toml::from_str::<Doc>(&misspelt).unwrap_err().to_string();
        assert!(error.contains("automatc"), "{error}");
    }
}
