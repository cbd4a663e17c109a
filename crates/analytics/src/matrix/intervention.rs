//! Did an intervention make things better? For every dimension: the change between equal
//! windows before and after its date, with a 95 % interval, and a difference-in-differences
//! against the pooled peer services (same category) without an intervention of their own in
//! those windows. The verdict says plainly when the evidence is too thin.

use chrono::{Days, NaiveDate};
use civicpulse_core::catalog::Intervention;
use civicpulse_core::dimension::{Dimension, Direction, Family, Kind};
use civicpulse_core::theme::{self, Theme};
use civicpulse_core::Catalog;

use super::change::{verdict_by, Verdict};
use super::dimensions::{has_interval, measure, Measured};
use super::stats::{difference, difference_in_differences};
use super::tally::Tally;
use super::theme_shares;
use crate::themes::read::Readings;

/// The shortest "after" window worth judging.
pub const MIN_WINDOW_DAYS: u64 = 7;

/// Equal windows around an intervention: [before_from, date) and [date, after_to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub days: u64,
    pub before_from: NaiveDate,
    pub date: NaiveDate,
    pub after_to: NaiveDate,
}

impl Windows {
    /// `window_days` each side, shortened to the complete days since the date (today is
    /// not complete); None while fewer than `MIN_WINDOW_DAYS` have passed.
    pub fn around(date: NaiveDate, today: NaiveDate, window_days: u64) -> Option<Windows> {
        let elapsed = u64::try_from((today - date).num_days()).unwrap_or(0);
        let days = window_days.min(elapsed);
        (days >= MIN_WINDOW_DAYS).then(|| Windows {
            days,
            before_from: date - Days::new(days),
            date,
            after_to: date + Days::new(days),
        })
    }
}

/// Peer services for an intervention: same category, not the treated service, and without
/// an intervention of their own within the windows.
pub fn peers(catalog: &Catalog, intervention: &Intervention, windows: &Windows) -> Vec<String> {
    let Some(service) = catalog.service(&intervention.service_id) else {
        return Vec::new();
    };
    catalog
        .peers(service)
        .filter(|peer| {
            !catalog.interventions.iter().any(|other| {
                other.service_id == peer.id
                    && other.date >= windows.before_from
                    && other.date < windows.after_to
            })
        })
        .map(|peer| peer.id.clone())
        .collect()
}

/// What the evidence says about an intervention's effect on one dimension: a change's
/// verdict, or why none was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub enum Finding {
    Improved,
    Worsened,
    /// The interval includes 0.
    NoClearChange,
    /// A count, percentile or gap: the change is shown unjudged.
    NoInterval,
    InsufficientData,
    /// Fewer than `MIN_WINDOW_DAYS` complete days since the intervention.
    TooEarly,
    /// No peer service to compare with (difference-in-differences only).
    NoPeers,
}

impl Finding {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Improved or worsened: a claim a report may make.
    pub fn is_supported(self) -> bool {
        matches!(self, Finding::Improved | Finding::Worsened)
    }
}

impl From<Verdict> for Finding {
    fn from(verdict: Verdict) -> Finding {
        match verdict {
            Verdict::Improved => Finding::Improved,
            Verdict::Worsened => Finding::Worsened,
            Verdict::NoClearChange => Finding::NoClearChange,
            Verdict::NoInterval => Finding::NoInterval,
            Verdict::InsufficientData => Finding::InsufficientData,
        }
    }
}

/// One dimension of one intervention's evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct InterventionRow {
    pub intervention_id: String,
    pub service_id: String,
    pub name: String,
    pub date: NaiveDate,
    pub description: String,
    pub dimension: String,
    pub family: String,
    pub window_days: u64,
    pub before_from: Option<NaiveDate>,
    pub after_to: Option<NaiveDate>,
    pub before_value: Option<f64>,
    pub before_n: u64,
    pub after_value: Option<f64>,
    pub after_n: u64,
    pub change: Option<f64>,
    pub change_ci_low: Option<f64>,
    pub change_ci_high: Option<f64>,
    /// Any finding but `NoPeers`.
    pub verdict: Finding,
    /// The peer services pooled for the difference-in-differences.
    pub peers: Vec<String>,
    pub peer_change: Option<f64>,
    pub did: Option<f64>,
    pub did_ci_low: Option<f64>,
    pub did_ci_high: Option<f64>,
    /// As `verdict`, or `NoPeers`.
    pub did_verdict: Finding,
    pub note: String,
}

/// What was read for one intervention: the treated service's and the pooled peers'
/// tallies before and after.
pub struct Observed<'a> {
    pub treated_before: &'a Tally,
    pub treated_after: &'a Tally,
    pub peers: &'a [String],
    pub peers_before: &'a Tally,
    pub peers_after: &'a Tally,
}

/// What was read of comments for one intervention: the treated service's and the pooled
/// peers' readings before and after (None: no comment read).
pub struct ObservedComments<'a> {
    pub treated_before: Option<&'a Readings>,
    pub treated_after: Option<&'a Readings>,
    pub peers: &'a [String],
    pub peers_before: &'a Readings,
    pub peers_after: &'a Readings,
}

/// How a figure's change is judged: with an interval or not, Newcombe's for a share, and
/// which way is better.
#[derive(Debug, Clone, Copy)]
struct Judged {
    has_interval: bool,
    is_share: bool,
    direction: Direction,
}

impl Judged {
    fn of(dimension: Dimension) -> Judged {
        Judged {
            has_interval: has_interval(dimension),
            is_share: dimension.kind() == Kind::Share,
            direction: dimension.direction(),
        }
    }

    fn theme(theme: &Theme) -> Judged {
        Judged {
            has_interval: true,
            is_share: true,
            direction: theme_shares::direction(theme),
        }
    }
}

/// One figure measured four ways: the treated service and the pooled peers, before and
/// after.
struct Measures {
    treated_before: Measured,
    treated_after: Measured,
    peers_before: Measured,
    peers_after: Measured,
}

/// The names and families of every figure an intervention is evaluated on: the matrix's
/// dimensions, then the share of comments about each catalog theme (parents and leaves, so
/// that "forms and documents" has an answer of its own).
fn figures(themes: &[Theme]) -> Vec<(String, &'static str)> {
    Dimension::all()
        .into_iter()
        .map(|d| (d.name(), d.family().as_str()))
        .chain(
            themes
                .iter()
                .map(|t| (theme::share_name(&t.id), Family::Themes.as_str())),
        )
        .collect()
}

/// Rows for an intervention that is too recent to judge.
pub fn too_early(
    intervention: &Intervention,
    themes: &[Theme],
    today: NaiveDate,
) -> Vec<InterventionRow> {
    let elapsed = (today - intervention.date).num_days().max(0);
    figures(themes)
        .into_iter()
        .map(|(name, family)| {
            let mut row = empty_row(intervention, name, family, None);
            row.verdict = Finding::TooEarly;
            row.did_verdict = Finding::TooEarly;
            row.note = format!(
                "{elapsed} complete days since the intervention; at least {MIN_WINDOW_DAYS} are needed"
            );
            row
        })
        .collect()
}

pub fn evaluate(
    intervention: &Intervention,
    windows: &Windows,
    observed: &Observed<'_>,
    min_n: u64,
) -> Vec<InterventionRow> {
    Dimension::all()
        .into_iter()
        .map(|dimension| evaluate_dimension(intervention, windows, observed, min_n, dimension))
        .collect()
}

/// Each catalog theme's share of comments before and after, by the same rule as every
/// dimension.
pub fn evaluate_themes(
    intervention: &Intervention,
    themes: &[Theme],
    windows: &Windows,
    observed: &ObservedComments<'_>,
    min_n: u64,
) -> Vec<InterventionRow> {
    themes
        .iter()
        .map(|theme| {
            let share = |readings: Option<&Readings>| {
                theme_shares::measure(themes, &theme.id, readings, min_n)
            };
            let row = empty_row(
                intervention,
                theme::share_name(&theme.id),
                Family::Themes.as_str(),
                Some(windows),
            );
            let measures = Measures {
                treated_before: share(observed.treated_before),
                treated_after: share(observed.treated_after),
                peers_before: share(Some(observed.peers_before)),
                peers_after: share(Some(observed.peers_after)),
            };
            judge(row, observed.peers, measures, Judged::theme(theme), min_n)
        })
        .collect()
}

fn evaluate_dimension(
    intervention: &Intervention,
    windows: &Windows,
    observed: &Observed<'_>,
    min_n: u64,
    dimension: Dimension,
) -> InterventionRow {
    let row = empty_row(
        intervention,
        dimension.name(),
        dimension.family().as_str(),
        Some(windows),
    );
    let measures = Measures {
        treated_before: measure(observed.treated_before, dimension, min_n),
        treated_after: measure(observed.treated_after, dimension, min_n),
        peers_before: measure(observed.peers_before, dimension, min_n),
        peers_after: measure(observed.peers_after, dimension, min_n),
    };
    judge(row, observed.peers, measures, Judged::of(dimension), min_n)
}

/// The change of one figure, its verdict, and the difference-in-differences with peers.
fn judge(
    mut row: InterventionRow,
    peers: &[String],
    measures: Measures,
    judged: Judged,
    min_n: u64,
) -> InterventionRow {
    row.peers = peers.to_vec();
    let before = measures.treated_before;
    let after = measures.treated_after;
    row.before_n = n_of(&before);
    row.after_n = n_of(&after);
    let (Some(before), Some(after)) = (before.estimate(), after.estimate()) else {
        row.verdict = Finding::InsufficientData;
        row.did_verdict = Finding::InsufficientData;
        row.note = format!(
            "evidence too thin: {} before and {} after (at least {min_n} each needed)",
            row.before_n, row.after_n
        );
        return row;
    };
    row.before_value = Some(before.value);
    row.after_value = Some(after.value);
    row.change = Some(after.value - before.value);
    if !judged.has_interval {
        row.verdict = Finding::NoInterval;
        row.did_verdict = Finding::NoInterval;
        row.note = "a count, percentile or gap: the change is shown without an interval".into();
        return row;
    }
    let interval = difference(after, before, judged.is_share);
    row.change_ci_low = interval.map(|(low, _)| low);
    row.change_ci_high = interval.map(|(_, high)| high);
    row.verdict = verdict_by(judged.direction, interval).into();

    if peers.is_empty() {
        row.did_verdict = Finding::NoPeers;
        row.note = "no peer service in the category without an intervention of its own".into();
        return row;
    }
    let peers_before = measures.peers_before;
    let peers_after = measures.peers_after;
    let (Some(peers_before), Some(peers_after)) = (peers_before.estimate(), peers_after.estimate())
    else {
        row.did_verdict = Finding::InsufficientData;
        row.note = format!(
            "peers' evidence too thin: {} before and {} after",
            n_of(&peers_before),
            n_of(&peers_after)
        );
        return row;
    };
    row.peer_change = Some(peers_after.value - peers_before.value);
    let (did, did_interval) = difference_in_differences(before, after, peers_before, peers_after);
    row.did = Some(did);
    row.did_ci_low = did_interval.map(|(low, _)| low);
    row.did_ci_high = did_interval.map(|(_, high)| high);
    row.did_verdict = verdict_by(judged.direction, did_interval).into();
    row
}

fn n_of(measured: &Measured) -> u64 {
    match measured {
        Measured::Value { estimate, .. } => estimate.n,
        Measured::TooFew { n, .. } => *n,
    }
}

fn empty_row(
    intervention: &Intervention,
    dimension: String,
    family: &str,
    windows: Option<&Windows>,
) -> InterventionRow {
    InterventionRow {
        intervention_id: intervention.id.clone(),
        service_id: intervention.service_id.clone(),
        name: intervention.name.clone(),
        date: intervention.date,
        description: intervention.description.clone(),
        dimension,
        family: family.to_string(),
        window_days: windows.map_or(0, |w| w.days),
        before_from: windows.map(|w| w.before_from),
        after_to: windows.map(|w| w.after_to),
        before_value: None,
        before_n: 0,
        after_value: None,
        after_n: 0,
        change: None,
        change_ci_low: None,
        change_ci_high: None,
        verdict: Finding::InsufficientData,
        peers: Vec::new(),
        peer_change: None,
        did: None,
        did_ci_low: None,
        did_ci_high: None,
        did_verdict: Finding::InsufficientData,
        note: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::tally::{QuestionSums, SlaOutcome};
    use civicpulse_core::dimension::Question;

    fn intervention() -> Intervention {
        Intervention {
            id: "i".into(),
            service_id: "a".into(),
            name: "Online renewal".into(),
            date: "2026-03-01".parse().unwrap(),
            description: String::new(),
            name_fr: None,
            description_fr: None,
        }
    }

    /// `top2` answers of 5 and the rest 1, out of `n`.
    fn tally(top2: usize, n: usize) -> Tally {
        let answers: Vec<u8> = (0..n).map(|i| if i < top2 { 5 } else { 1 }).collect();
        let mut questions = [QuestionSums::default(); 7];
        questions[0] = QuestionSums::of(&answers);
        let mut tally = Tally::default();
        tally.add_responses(SlaOutcome::Unknown, n as u64, questions);
        tally
    }

    fn row(rows: &[InterventionRow], dimension: Dimension) -> &InterventionRow {
        rows.iter()
            .find(|r| r.dimension == dimension.name())
            .unwrap()
    }

    #[test]
    fn windows_are_equal_and_shortened_while_the_after_one_fills() {
        let date: NaiveDate = "2026-03-01".parse().unwrap();
        let w = Windows::around(date, "2026-03-11".parse().unwrap(), 28).unwrap();
        assert_eq!(w.days, 10);
        assert_eq!(w.before_from.to_string(), "2026-02-19");
        assert_eq!(w.after_to.to_string(), "2026-03-11");
        let full = Windows::around(date, "2026-06-01".parse().unwrap(), 28).unwrap();
        assert_eq!(full.days, 28);
        assert_eq!(
            Windows::around(date, "2026-03-05".parse().unwrap(), 28),
            None
        );
    }

    #[test]
    fn did_on_a_constructed_case() {
        // Treated: 60/100 → 80/100 top-2; peers: 600/1000 → 700/1000. DiD = +0.10.
        let windows =
            Windows::around(intervention().date, "2026-04-01".parse().unwrap(), 28).unwrap();
        let peers = ["b".to_string()];
        let (tb, ta, pb, pa) = (
            tally(60, 100),
            tally(80, 100),
            tally(600, 1000),
            tally(700, 1000),
        );
        let observed = Observed {
            treated_before: &tb,
            treated_after: &ta,
            peers: &peers,
            peers_before: &pb,
            peers_after: &pa,
        };
        let rows = evaluate(&intervention(), &windows, &observed, 10);
        assert_eq!(rows.len(), Dimension::all().len());
        let top2 = row(&rows, Dimension::Top2Share(Question::Satisfaction));
        assert!((top2.change.unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(top2.verdict, Finding::Improved);
        assert!((top2.peer_change.unwrap() - 0.1).abs() < 1e-12);
        assert!((top2.did.unwrap() - 0.1).abs() < 1e-12);
        // ±0.13: the intervention's own 10 points cannot be told from zero at n = 100.
        assert_eq!(top2.did_verdict, Finding::NoClearChange);
        assert_eq!(top2.peers, ["b"]);

        // Dimensions with no data before or after say so instead of a number.
        let digital = row(&rows, Dimension::DigitalTakeUp);
        assert_eq!(digital.verdict, Finding::InsufficientData);
        assert!(digital.note.contains("too thin"), "{}", digital.note);
        assert_eq!(digital.change, None);
    }

    #[test]
    fn a_themes_share_is_judged_before_and_after_by_the_same_rule() {
        use crate::themes::read::{Group, Readings};
        let themes: Vec<Theme> = toml::from_str::<toml::Table>(
            r#"
            [[themes]]
            id = "process"
            name = "Process"
            name_fr = "Démarches"

            [[themes]]
            id = "forms"
            name = "Forms"
            name_fr = "Formulaires"
            parent = "process"
            seeds = ["form"]
            seeds_fr = ["formulaire"]
            "#,
        )
        .unwrap()["themes"]
            .clone()
            .try_into()
            .unwrap();
        // `about` of `n` comments are about forms.
        let comments = |about: u64, n: u64| Readings {
            groups: vec![
                Group {
                    themes: vec!["forms".into()],
                    dissatisfied: None,
                    respondents: about,
                },
                Group {
                    themes: vec![],
                    dissatisfied: None,
                    respondents: n - about,
                },
            ],
        };
        let windows =
            Windows::around(intervention().date, "2026-04-01".parse().unwrap(), 28).unwrap();
        let (before, after) = (comments(120, 300), comments(45, 300));
        let (peers_before, peers_after) = (comments(100, 400), comments(96, 400));
        let peers = ["b".to_string()];
        let rows = evaluate_themes(
            &intervention(),
            &themes,
            &windows,
            &ObservedComments {
                treated_before: Some(&before),
                treated_after: Some(&after),
                peers: &peers,
                peers_before: &peers_before,
                peers_after: &peers_after,
            },
            10,
        );
        assert_eq!(rows.len(), 2, "the parent and the leaf");
        let forms = rows
            .iter()
            .find(|r| r.dimension == "theme_share:forms")
            .unwrap();
        assert_eq!(forms.family, "themes");
        assert_eq!(
            (forms.before_value, forms.after_value),
            (Some(0.4), Some(0.15))
        );
        assert_eq!((forms.before_n, forms.after_n), (300, 300));
        // Fewer comments about forms is better, beyond chance and beyond the peers' drift.
        assert_eq!(forms.verdict, Finding::Improved);
        assert!((forms.did.unwrap() - (-0.25 + 0.01)).abs() < 1e-12);
        assert_eq!(forms.did_verdict, Finding::Improved);
        assert_eq!(forms.window_days, windows.days);
        let none_read = evaluate_themes(
            &intervention(),
            &themes,
            &windows,
            &ObservedComments {
                treated_before: None,
                ..ObservedComments {
                    treated_before: Some(&before),
                    treated_after: Some(&after),
                    peers: &peers,
                    peers_before: &peers_before,
                    peers_after: &peers_after,
                }
            },
            10,
        );
        assert_eq!(none_read[1].verdict, Finding::InsufficientData);
        assert_eq!(none_read[1].before_n, 0);
    }

    #[test]
    fn thin_evidence_and_missing_peers_are_said_plainly() {
        let windows =
            Windows::around(intervention().date, "2026-04-01".parse().unwrap(), 28).unwrap();
        let (tb, ta, empty) = (tally(3, 5), tally(900, 1000), Tally::default());
        let observed = Observed {
            treated_before: &tb,
            treated_after: &ta,
            peers: &[],
            peers_before: &empty,
            peers_after: &empty,
        };
        let rows = evaluate(&intervention(), &windows, &observed, 10);
        let top2 = row(&rows, Dimension::Top2Share(Question::Satisfaction));
        assert_eq!(top2.verdict, Finding::InsufficientData);
        assert_eq!((top2.before_n, top2.after_n), (5, 1000));

        let (tb, ta) = (tally(500, 1000), tally(900, 1000));
        let observed = Observed {
            treated_before: &tb,
            treated_after: &ta,
            ..observed
        };
        let rows = evaluate(&intervention(), &windows, &observed, 10);
        let top2 = row(&rows, Dimension::Top2Share(Question::Satisfaction));
        assert_eq!(
            (top2.verdict, top2.did_verdict),
            (Finding::Improved, Finding::NoPeers)
        );
        let responses = row(&rows, Dimension::Responses);
        assert_eq!(responses.verdict, Finding::NoInterval);
        assert_eq!(responses.change, Some(0.0));
    }
}
