//! The report a person reads: one self-contained HTML file (inline CSS and SVG, no script,
//! nothing fetched), printable, in English or French. Every sentence is a message of the
//! language's catalogue filled with figures already formatted for the locale; a claim of
//! improvement or decline is made only when the change's interval supports it.

use std::collections::BTreeMap;

use chrono::Datelike;

use civicpulse_analytics::matrix::change::Verdict;
use civicpulse_analytics::matrix::dimensions::GapGroups;
use civicpulse_analytics::matrix::{Cell, Finding, InterventionRow, MatrixStatus};
use civicpulse_core::dimension::{Dimension, Kind};
use civicpulse_core::theme;
use fluent_bundle::FluentValue;
use minijinja::{context, Environment};
use serde::Serialize;

use crate::chart::{self, Chart};
use crate::figures::{Against, Comparison, IncompletePeriod, Trend};
use crate::freshness::Unknown;
use crate::i18n::{Language, MessageError, Messages};
use crate::records::SlaRecord;
use crate::revision::{Change, ChangeKind, Revision};
use crate::Figures;
use civicpulse_core::money::{MoneyError, PerCurrency};

const TEMPLATE: &str = include_str!("../templates/report.html");

/// How many changes and equity gaps the summary lists.
const LARGEST: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("report template: {0}")]
    Template(#[from] minijinja::Error),
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error("refunds owed: {0}")]
    Money(#[from] MoneyError),
}

/// Renders the report of `figures` in `lang`.
pub fn render(figures: &Figures, lang: Language) -> Result<String, RenderError> {
    render_revision(figures, lang, None)
}

/// Renders the report of `figures` in `lang` as `revision` (None: the first), which then
/// says what changed since the revision it replaces and links the earlier ones.
pub fn render_revision(
    figures: &Figures,
    lang: Language,
    revision: Option<&Revision>,
) -> Result<String, RenderError> {
    let mut view = View::new(figures, Messages::new(lang))?;
    view.revision = revision;
    let messages = view.messages.clone();
    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)?;
    env.add_function("t", move |key: &str| {
        messages.get(key, &[]).map_err(|error| {
            minijinja::Error::new(minijinja::ErrorKind::UndefinedError, error.to_string())
        })
    });
    Ok(env.get_template("report.html")?.render(context! {
        lang => lang.as_str(),
        report => view.shown()?,
    })?)
}

/// A matrix cell as a person reads it.
#[derive(Debug, Serialize)]
struct CellShown {
    service_name: String,
    dimension: String,
    value: String,
    n: String,
    interval: String,
    target: String,
    benchmark: String,
    previous: String,
    status: String,
    status_text: String,
}

/// One service's line of the page-one scorecard: its worst status and each figure off or
/// near its reference, with the value and the reference.
#[derive(Debug, Serialize)]
struct ScoreRow {
    service_name: String,
    status: String,
    status_text: String,
    off: Vec<String>,
    near: Vec<String>,
}

/// An intervention as the summary lists it: what it was, then what changed after it.
#[derive(Debug, Serialize)]
struct InterventionShown {
    heading: String,
    findings: Vec<String>,
}

#[derive(Debug, Serialize)]
struct StandardShown {
    service_name: String,
    policy: String,
    closed: String,
    met: String,
    breached: String,
    compliance: String,
    target: String,
    p90: String,
    refunds: String,
    status: String,
    status_text: String,
}

#[derive(Debug, Serialize)]
struct ChartShown {
    id: String,
    title: String,
    description: String,
    chart: Chart,
    legend_service: String,
    legend_peers: String,
    legend_target: Option<String>,
    table_caption: String,
    rows: Vec<[String; 4]>,
}

#[derive(Debug, Serialize)]
struct ServicePage {
    id: String,
    name: String,
    facts: String,
    all_withheld: Option<String>,
    charts: Vec<ChartShown>,
    standards: Vec<StandardShown>,
    no_standard: Option<String>,
    volumes: Vec<CellShown>,
    equity: Vec<CellShown>,
    feedback_timing: String,
    themes: ThemesShown,
}

/// What people wrote about a service, in sentences.
#[derive(Debug, Serialize)]
struct ThemesShown {
    intro: String,
    top: Vec<String>,
    emerging: Vec<String>,
    quotes_intro: Option<String>,
    quotes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Definition {
    name: String,
    code: String,
    definition: String,
    unit: String,
}

struct View<'a> {
    figures: &'a Figures,
    messages: Messages,
    revision: Option<&'a Revision>,
}

impl<'a> View<'a> {
    fn new(figures: &'a Figures, messages: Messages) -> Result<View<'a>, MessageError> {
        Ok(View {
            figures,
            messages,
            revision: None,
        })
    }

    fn t(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> Result<String, MessageError> {
        self.messages.get(key, args)
    }

    fn shown(&self) -> Result<minijinja::Value, RenderError> {
        let f = self.figures;
        let m = &self.messages;
        let day = |text: &str| {
            text.parse()
                .map(|d| m.date(d))
                .unwrap_or_else(|_| text.to_string())
        };
        let services = f.services.len() as u64;
        let empty = self.is_empty();
        Ok(context! {
            title => self.t("report-title", &[("period", self.period_words().into())])?,
            intro => self.t("report-intro", &[
                ("from", day(&f.period_from).into()),
                ("to", self.last_day().into()),
                ("count", services.into()),
                ("count_text", m.count(services).into()),
                ("generated", self.instant(&f.generated_at).into()),
                ("zone", self.zone_words().into()),
            ])?,
            cut_off => self.cut_off()?,
            revision => self.revision_shown()?,
            empty => empty.then(|| self.t("summary-empty", &[])).transpose()?,
            summary_services => self.services_line()?,
            scorecard => self.scorecard()?,
            summary_rule => self.t("summary-services-rule", &[])?,
            changes => self.changes()?,
            incomplete => self.incomplete()?,
            turns => self.turns()?,
            guarantees => self.guarantees()?,
            equity => self.equity_gaps()?,
            interventions => self.interventions()?,
            intervention_caveat => self.t("intervention-caveat", &[])?,
            // An empty period shows no table of zeros.
            cells => f.matrix.iter()
                .filter(|c| !empty && c.status != MatrixStatus::NotAvailable)
                .map(|c| self.cell(c))
                .collect::<Result<Vec<_>, _>>()?,
            standards => f.sla.iter()
                .filter(|_| !empty)
                .map(|p| self.standard(p))
                .collect::<Result<Vec<_>, _>>()?,
            pages => f.services.iter()
                .filter(|_| !empty)
                .map(|s| self.page(&s.id))
                .collect::<Result<Vec<_>, _>>()?,
            definitions => self.definitions()?,
            suppression => self.t("method-suppression", &[("k", m.count(f.min_responses).into())])?,
            intervals => self.t("method-intervals", &[])?,
            change_rule => self.t("method-changes", &[])?,
            freshness => self.freshness()?,
            open_data => self.t("method-open-data", &[])?,
        })
    }

    /// The reporting zone as a reader names it: "Toronto time", "heure de Toronto".
    fn zone_words(&self) -> String {
        let city = self
            .figures
            .time_zone
            .rsplit('/')
            .next()
            .unwrap_or(&self.figures.time_zone)
            .replace('_', " ");
        self.t("zone-time", &[("city", city.into())])
            .unwrap_or_else(|_| self.figures.time_zone.clone())
    }

    /// The period in words: "November 2026", "July to September 2026", else its label.
    fn period_words(&self) -> String {
        let f = self.figures;
        let (Ok(from), Ok(to)) = (
            f.period_from.parse::<chrono::NaiveDate>(),
            f.period_to.parse::<chrono::NaiveDate>(),
        ) else {
            return f.period.clone();
        };
        let months = |n| from.checked_add_months(chrono::Months::new(n)) == Some(to);
        if from.day() != 1 {
            return f.period.clone();
        }
        if months(1) {
            return self.messages.month(from, true);
        }
        if months(3) || months(12) {
            let last = to.pred_opt().unwrap_or(to);
            return self
                .t(
                    "period-months",
                    &[
                        (
                            "first",
                            self.messages.month(from, from.year() != last.year()).into(),
                        ),
                        ("last", self.messages.month(last, true).into()),
                    ],
                )
                .unwrap_or_else(|_| f.period.clone());
        }
        f.period.clone()
    }

    /// The period's last local day (periods are stored with the day after it).
    fn last_day(&self) -> String {
        let to = &self.figures.period_to;
        to.parse::<chrono::NaiveDate>()
            .ok()
            .and_then(|d| d.pred_opt())
            .map_or_else(|| to.clone(), |d| self.messages.date(d))
    }

    /// An RFC 3339 instant of the figures, in the report's zone and the reader's words.
    fn instant(&self, at: &str) -> String {
        let zone: chrono_tz::Tz = self.figures.time_zone.parse().unwrap_or(chrono_tz::UTC);
        chrono::DateTime::parse_from_rfc3339(at)
            .map(|t| self.messages.instant(t.with_timezone(&zone)))
            .unwrap_or_else(|_| at.to_string())
    }

    /// No response, transaction or closed case at all in the period.
    fn is_empty(&self) -> bool {
        let counted = |name: &str| {
            self.figures
                .matrix
                .iter()
                .any(|c| c.dimension == name && c.value.is_some_and(|v| v > 0.0))
        };
        !counted("transactions")
            && !counted("responses")
            && self.figures.sla.iter().all(|p| p.closed == 0)
    }

    fn service_name(&self, id: &str) -> String {
        self.figures
            .services
            .iter()
            .find(|s| s.id == id)
            .map_or_else(
                || id.to_string(),
                |s| match self.messages.lang() {
                    Language::En => s.name.clone(),
                    Language::Fr => s.name_fr.clone(),
                },
            )
    }

    /// A theme's name in the report's language (its id when the catalog no longer has it).
    fn theme_name(&self, id: &str) -> String {
        self.figures.themes.iter().find(|t| t.id == id).map_or_else(
            || id.to_string(),
            |t| match self.messages.lang() {
                Language::En => t.name.clone(),
                Language::Fr => t.name_fr.clone(),
            },
        )
    }

    fn dimension_label(&self, name: &str) -> Result<String, MessageError> {
        if let Some(theme) = theme::share_theme(name) {
            return self.t(
                "dim-theme-share",
                &[("theme", self.theme_name(theme).into())],
            );
        }
        match Dimension::parse(name) {
            Some(Dimension::Mean(q)) => self.t(
                "dim-mean",
                &[(
                    "question",
                    self.t(&format!("question-{}", q.as_str()), &[])?.into(),
                )],
            ),
            Some(Dimension::Top2Share(q)) => self.t(
                "dim-top2",
                &[(
                    "question",
                    self.t(&format!("question-{}", q.as_str()), &[])?.into(),
                )],
            ),
            _ => self.t(&format!("dim-{name}"), &[]),
        }
    }

    /// A figure of `dimension` in its unit.
    fn value(&self, dimension: &str, value: Option<f64>) -> String {
        let Some(v) = value else {
            return "–".to_string();
        };
        let m = &self.messages;
        match kind(dimension) {
            Some(Kind::Share) => m.percent(v),
            Some(Kind::Gap) => m.points(v).trim_start_matches('+').to_string(),
            Some(Kind::Mean | Kind::Money) => m.decimal(v, 2),
            Some(Kind::Count | Kind::Days) | None => m.count(v.round().max(0.0) as u64),
        }
    }

    /// A service's figure with the unit a reader needs to read it: a cost in its currency,
    /// a time in its standard's unit.
    fn with_unit(
        &self,
        service_id: &str,
        dimension: &str,
        value: Option<f64>,
    ) -> Result<String, MessageError> {
        let service = self.figures.services.iter().find(|s| s.id == service_id);
        match (Dimension::parse(dimension), value, service) {
            (Some(Dimension::CostPerTransaction), Some(v), Some(service)) => {
                match service
                    .cost_currency
                    .as_deref()
                    .and_then(|code| civicpulse_core::money::currency(code).ok())
                {
                    Some(currency) => Ok(self
                        .messages
                        .money(civicpulse_core::money::Money::from_major(v, currency))),
                    None => Ok(self.value(dimension, value)),
                }
            }
            (Some(Dimension::SlaP90ElapsedDays), Some(v), Some(service)) => {
                let mut units = service.standards.iter().map(|s| s.unit.as_str());
                let unit = units.next().filter(|first| units.all(|u| u == *first));
                self.elapsed(v, unit.unwrap_or("mixed"))
            }
            _ => Ok(self.value(dimension, value)),
        }
    }

    /// A change of `dimension` in its unit, signed.
    fn change(&self, dimension: &str, change: f64) -> String {
        match kind(dimension) {
            Some(Kind::Share | Kind::Gap) => self.messages.points(change),
            _ => {
                let sign = if change > 0.0 { "+" } else { "" };
                format!("{sign}{}", self.messages.decimal(change, 2))
            }
        }
    }

    fn cell(&self, c: &Cell) -> Result<CellShown, MessageError> {
        // Nothing observed is nothing to withhold: "no observation", not "withheld".
        let nothing = c.n == 0 && c.status == MatrixStatus::InsufficientData;
        let value = match c.value {
            None if nothing => "–".to_string(),
            None if c.status == MatrixStatus::InsufficientData => self.t("withheld", &[])?,
            value => self.with_unit(&c.service_id, &c.dimension, value)?,
        };
        let interval = match (c.ci_low, c.ci_high) {
            (Some(low), Some(high)) => format!(
                "{} – {}",
                self.value(&c.dimension, Some(low)),
                self.value(&c.dimension, Some(high))
            ),
            _ => "–".into(),
        };
        let applies = c.status != MatrixStatus::NotAvailable;
        let status_text = if nothing {
            self.t("status-no-observation", &[])?
        } else {
            self.t(&format!("status-{}", c.status.as_str()), &[])?
        };
        Ok(CellShown {
            service_name: self.service_name(&c.service_id),
            dimension: self.dimension_label(&c.dimension)?,
            value,
            n: self.messages.count(c.n),
            interval,
            target: self.with_unit(&c.service_id, &c.dimension, c.target.filter(|_| applies))?,
            benchmark: self.with_unit(&c.service_id, &c.dimension, c.benchmark)?,
            previous: self.with_unit(&c.service_id, &c.dimension, c.previous_value)?,
            status: c.status.as_str().to_string(),
            status_text,
        })
    }

    fn standard(&self, p: &SlaRecord) -> Result<StandardShown, MessageError> {
        let m = &self.messages;
        let withheld = self.t("withheld", &[])?;
        let shown = |value: Option<String>| {
            value.unwrap_or_else(|| {
                if p.closed_withheld() {
                    withheld.clone()
                } else {
                    "–".into()
                }
            })
        };
        Ok(StandardShown {
            service_name: self.service_name(&p.service_id),
            policy: self.standard_title(&p.service_id, &p.policy),
            closed: m.count(p.closed),
            met: shown(p.met.map(|n| m.count(n))),
            breached: shown(p.breached.map(|n| m.count(n))),
            compliance: shown(p.compliance_ratio.map(|c| m.percent(c))),
            target: m.percent(p.target_ratio),
            p90: shown(
                p.p90_elapsed_days
                    .map(|d| self.elapsed(d, &p.unit))
                    .transpose()?,
            ),
            refunds: shown(p.refunds_owed_amount.map(|a| m.money(a))),
            status: p.status.to_string(),
            status_text: self.t(&format!("status-{}", p.status), &[])?,
        })
    }

    /// A time on a standard's clock with its unit ("41 business days").
    fn elapsed(&self, value: f64, unit: &str) -> Result<String, MessageError> {
        self.t(
            "elapsed",
            &[
                ("value", self.messages.decimal(value, 0).into()),
                ("count", value.round().into()),
                ("unit", unit.to_string().into()),
            ],
        )
    }

    /// What the report calls a service's standard, in its language.
    fn standard_title(&self, service_id: &str, policy: &str) -> String {
        self.figures
            .services
            .iter()
            .find(|s| s.id == service_id)
            .and_then(|s| s.standards.iter().find(|p| p.id == policy))
            .map_or_else(
                || policy.to_string(),
                |p| {
                    let title = match self.messages.lang() {
                        Language::En => &p.title,
                        Language::Fr => &p.title_fr,
                    };
                    // A published sentence is quoted inside the report's own sentences.
                    title.trim_end_matches('.').to_string()
                },
            )
    }

    /// Services on, near and off target, by their worst judged figure.
    fn services_line(&self) -> Result<String, MessageError> {
        let (mut on, mut near, mut off, mut unjudged) = (0u64, 0u64, 0u64, 0u64);
        for service in &self.figures.services {
            let statuses: Vec<MatrixStatus> = self
                .figures
                .matrix
                .iter()
                .filter(|c| c.service_id == service.id)
                .map(|c| c.status)
                .collect();
            if statuses.contains(&MatrixStatus::Red) {
                off += 1;
            } else if statuses.contains(&MatrixStatus::Amber) {
                near += 1;
            } else if statuses.contains(&MatrixStatus::Green) {
                on += 1;
            } else {
                unjudged += 1;
            }
        }
        let m = &self.messages;
        let count = self.figures.services.len() as u64;
        self.t(
            "summary-services",
            &[
                ("count", count.into()),
                ("count_text", m.count(count).into()),
                ("on", m.count(on).into()),
                ("near", m.count(near).into()),
                ("off", m.count(off).into()),
                ("unjudged", m.count(unjudged).into()),
                ("on_n", on.into()),
                ("near_n", near.into()),
                ("off_n", off.into()),
                ("unjudged_n", unjudged.into()),
            ],
        )
    }

    /// Per service, the figures that made it off or near target, each with its value, its
    /// reference (the target, else the peers' median) and its observations.
    fn scorecard(&self) -> Result<Vec<ScoreRow>, MessageError> {
        let mut rows = Vec::new();
        for service in &self.figures.services {
            let cells: Vec<&Cell> = self
                .figures
                .matrix
                .iter()
                .filter(|c| c.service_id == service.id)
                .collect();
            let listed = |status: MatrixStatus| -> Result<Vec<String>, MessageError> {
                cells
                    .iter()
                    .filter(|c| c.status == status)
                    .map(|c| self.scored(c))
                    .collect()
            };
            let (off, near) = (listed(MatrixStatus::Red)?, listed(MatrixStatus::Amber)?);
            let judged = cells
                .iter()
                .any(|c| matches!(c.status, MatrixStatus::Green));
            let status = if !off.is_empty() {
                MatrixStatus::Red
            } else if !near.is_empty() {
                MatrixStatus::Amber
            } else if judged {
                MatrixStatus::Green
            } else {
                MatrixStatus::NoReference
            };
            let status_text = match status {
                MatrixStatus::NoReference => self.t("scorecard-unjudged", &[])?,
                other => self.t(&format!("status-{}", other.as_str()), &[])?,
            };
            rows.push(ScoreRow {
                service_name: self.service_name(&service.id),
                status: status.as_str().to_string(),
                status_text,
                off,
                near,
            });
        }
        Ok(rows)
    }

    /// "Standard met 86.0% against a target of 90.0% (n = 412)".
    fn scored(&self, c: &Cell) -> Result<String, MessageError> {
        // A theme's share is judged against its previous period, not its peers.
        let theme_share = theme::share_theme(&c.dimension).is_some();
        let (reference, key) = match (c.target, c.benchmark, c.previous_value) {
            (_, _, Some(previous)) if theme_share => (previous, "scorecard-figure-previous"),
            (Some(target), _, _) => (target, "scorecard-figure-target"),
            (None, Some(peers), _) if !theme_share => (peers, "scorecard-figure-peers"),
            _ => (f64::NAN, "scorecard-figure-alone"),
        };
        self.t(
            key,
            &[
                ("dimension", self.dimension_label(&c.dimension)?.into()),
                (
                    "value",
                    self.with_unit(&c.service_id, &c.dimension, c.value)?.into(),
                ),
                (
                    "reference",
                    self.with_unit(&c.service_id, &c.dimension, Some(reference))?
                        .into(),
                ),
                ("n", self.messages.count(c.n).into()),
            ],
        )
    }

    /// The largest changes the intervals support, shares and means on one scale (a mean
    /// of 1–5 answers spans 4).
    fn changes(&self) -> Result<Vec<String>, MessageError> {
        let scale = |c: &Comparison| match kind(&c.dimension) {
            Some(Kind::Mean) => c.change.change.unwrap_or(0.0).abs() / 4.0,
            _ => c.change.change.unwrap_or(0.0).abs(),
        };
        let mut supported: Vec<&Comparison> = self
            .figures
            .changes
            .iter()
            .filter(|c| c.change.verdict.is_supported())
            .collect();
        supported.sort_by(|a, b| scale(b).total_cmp(&scale(a)));
        if supported.is_empty() {
            let any_earlier = self
                .figures
                .changes
                .iter()
                .any(|c| c.change.before.is_some());
            let key = if any_earlier {
                "summary-changes-none"
            } else if self
                .figures
                .incomplete
                .iter()
                .any(|i| i.period != IncompletePeriod::ThisPeriod)
            {
                "summary-changes-incomplete"
            } else {
                "summary-changes-no-earlier"
            };
            return Ok(vec![self.t(key, &[])?]);
        }
        supported
            .into_iter()
            .take(LARGEST)
            .map(|c| {
                let d = &c.dimension;
                self.t(
                    "summary-change",
                    &[
                        ("service", self.service_name(&c.service_id).into()),
                        ("dimension", self.dimension_label(d)?.into()),
                        ("verdict", verdict_key(c.change.verdict).into()),
                        ("before", self.value(d, c.change.before).into()),
                        ("after", self.value(d, c.change.after).into()),
                        (
                            "against",
                            match c.against {
                                Against::PreviousPeriod => "previous_period",
                                Against::SamePeriodLastYear => "same_period_last_year",
                            }
                            .into(),
                        ),
                        (
                            "change",
                            self.change(d, c.change.change.unwrap_or(0.0)).into(),
                        ),
                        ("low", self.change(d, c.change.ci_low.unwrap_or(0.0)).into()),
                        (
                            "high",
                            self.change(d, c.change.ci_high.unwrap_or(0.0)).into(),
                        ),
                    ],
                )
            })
            .collect()
    }

    /// The key figures that turned within the period, each with its level before and
    /// after and the period's whole figure it hides behind.
    fn turns(&self) -> Result<Vec<String>, MessageError> {
        let m = &self.messages;
        let day = |text: &str| {
            text.parse()
                .map_or_else(|_| text.to_string(), |d| m.date(d))
        };
        self.figures
            .turns
            .iter()
            .map(|t| {
                let whole = self
                    .figures
                    .matrix
                    .iter()
                    .find(|c| c.service_id == t.service_id && c.dimension == t.dimension)
                    .and_then(|c| c.value);
                self.t(
                    "summary-turn",
                    &[
                        ("service", self.service_name(&t.service_id).into()),
                        ("dimension", self.dimension_label(&t.dimension)?.into()),
                        ("before", m.percent(t.before).into()),
                        ("before_n", m.count(t.before_n).into()),
                        ("after", m.percent(t.after).into()),
                        ("after_n", m.count(t.after_n).into()),
                        ("from", day(&t.before_from).into()),
                        ("until", day(&t.before_to).into()),
                        ("since", day(&t.after_from).into()),
                        ("to", day(&t.after_to).into()),
                        ("whole", self.value(&t.dimension, whole).into()),
                    ],
                )
            })
            .collect()
    }

    /// The periods left out of the comparisons because their data begin after they start,
    /// one line per period and first day.
    fn incomplete(&self) -> Result<Vec<String>, MessageError> {
        let mut by_start: BTreeMap<(&'static str, &str), Vec<String>> = BTreeMap::new();
        // In the report's order of services.
        let ordered = self.figures.services.iter().flat_map(|s| {
            self.figures
                .incomplete
                .iter()
                .filter(move |i| i.service_id == s.id)
        });
        for i in ordered {
            by_start
                .entry((i.period.into(), i.data_from.as_str()))
                .or_default()
                .push(self.service_name(&i.service_id));
        }
        let apart = match self.messages.lang() {
            Language::En => "; ",
            Language::Fr => " ; ",
        };
        by_start
            .into_iter()
            .map(|((period, from), services)| {
                let date = from
                    .parse()
                    .map_or_else(|_| from.to_string(), |d| self.messages.date(d));
                self.t(
                    "summary-incomplete",
                    &[
                        ("period", period.into()),
                        ("date", date.into()),
                        ("count", (services.len() as u64).into()),
                        ("services", services.join(apart).into()),
                    ],
                )
            })
            .collect()
    }

    /// Guarantees broken, cases affected and refunds owed; the standards off and near their
    /// target, judged as the matrix judges; the standards whose figures are withheld.
    fn guarantees(&self) -> Result<Vec<String>, RenderError> {
        let sla = &self.figures.sla;
        let m = &self.messages;
        if sla.iter().all(|p| p.closed == 0) {
            return Ok(vec![self.t("summary-guarantees-none-closed", &[])?]);
        }
        let breached: u64 = sla.iter().filter_map(|p| p.breached).sum();
        let mut lines = vec![self.t(
            "summary-guarantees-broken",
            &[
                ("count", breached.into()),
                ("count_text", m.count(breached).into()),
            ],
        )?];
        // Exact per currency: amounts of two currencies are listed, never added.
        let mut owed = PerCurrency::default();
        for amount in sla.iter().filter_map(SlaRecord::refunds_shown) {
            owed.add(amount)?;
        }
        if !owed.is_empty() {
            let amounts: Vec<String> = owed.iter().map(|a| m.money(a)).collect();
            lines.push(self.t("summary-refunds", &[("amounts", amounts.join(", ").into())])?);
        }
        let excused: u64 = sla.iter().filter_map(|p| p.refunds_excused).sum();
        if excused > 0 {
            lines.push(self.t(
                "summary-refunds-excused",
                &[
                    ("count", excused.into()),
                    ("count_text", m.count(excused).into()),
                ],
            )?);
        }
        let judged = |status: MatrixStatus| sla.iter().filter(move |p| p.status == status.as_str());
        if judged(MatrixStatus::Red).next().is_none()
            && judged(MatrixStatus::Amber).next().is_none()
        {
            lines.push(self.t("summary-standards-kept", &[])?);
        }
        for (status, key) in [
            (MatrixStatus::Red, "summary-standard-missed"),
            (MatrixStatus::Amber, "summary-standard-near"),
        ] {
            for p in judged(status) {
                lines.push(self.t(
                    key,
                    &[
                        ("service", self.service_name(&p.service_id).into()),
                        (
                            "policy",
                            self.standard_title(&p.service_id, &p.policy).into(),
                        ),
                        ("met", m.count(p.met.unwrap_or(0)).into()),
                        ("closed", m.count(p.closed).into()),
                        (
                            "compliance",
                            m.percent(p.compliance_ratio.unwrap_or(0.0)).into(),
                        ),
                        ("target", m.percent(p.target_ratio).into()),
                    ],
                )?);
            }
        }
        let withheld = sla.iter().filter(|p| p.closed_withheld()).count() as u64;
        if withheld > 0 {
            lines.push(self.t(
                "summary-standards-withheld",
                &[
                    ("count", withheld.into()),
                    ("count_text", m.count(withheld).into()),
                    ("k", m.count(self.figures.min_responses).into()),
                ],
            )?);
        }
        Ok(lines)
    }

    fn equity_gaps(&self) -> Result<Vec<String>, MessageError> {
        let mut gaps: Vec<&Cell> = self
            .figures
            .matrix
            .iter()
            .filter(|c| c.family == "equity" && c.value.is_some())
            .collect();
        if gaps.is_empty() {
            return Ok(vec![self.t("summary-equity-none", &[])?]);
        }
        gaps.sort_by(|a, b| b.value.unwrap_or(0.0).total_cmp(&a.value.unwrap_or(0.0)));
        gaps.into_iter()
            .take(LARGEST)
            .map(|c| self.equity_gap(c))
            .collect()
    }

    /// An equity gap in words: which groups, and each one's share.
    fn equity_gap(&self, c: &Cell) -> Result<String, MessageError> {
        let m = &self.messages;
        let Ok(groups) = c.note.parse::<GapGroups>() else {
            return self.t(
                "summary-equity-gap-note",
                &[
                    ("service", self.service_name(&c.service_id).into()),
                    ("dimension", self.dimension_label(&c.dimension)?.into()),
                    ("gap", self.value(&c.dimension, c.value).into()),
                    ("note", c.note.clone().into()),
                ],
            );
        };
        let group = |(name, _): &(String, f64)| -> Result<String, MessageError> {
            match groups.attribute.as_str() {
                "age_band" | "disability" => {
                    self.t(&format!("group-{}-{name}", groups.attribute), &[])
                }
                "language" => self.t(
                    "group-language",
                    &[(
                        "language",
                        match name.split('-').next() {
                            Some("en") => self.t("language-en", &[])?,
                            Some("fr") => self.t("language-fr", &[])?,
                            _ => name.clone(),
                        }
                        .into(),
                    )],
                ),
                _ => self.t("group-region", &[("region", name.clone().into())]),
            }
        };
        self.t(
            "summary-equity-gap",
            &[
                ("service", self.service_name(&c.service_id).into()),
                ("dimension", self.dimension_label(&c.dimension)?.into()),
                (
                    "of",
                    if c.dimension == "equity_gap_timeliness" {
                        "timeliness"
                    } else {
                        "satisfaction"
                    }
                    .into(),
                ),
                ("gap", self.value(&c.dimension, c.value).into()),
                ("low_group", group(&groups.low)?.into()),
                ("low", m.percent(groups.low.1).into()),
                ("high_group", group(&groups.high)?.into()),
                ("high", m.percent(groups.high.1).into()),
            ],
        )
    }

    /// Each intervention: what it was, then each change its intervals support, each beside
    /// the change of peers without it, since a before/after change is not an effect.
    fn interventions(&self) -> Result<Vec<InterventionShown>, MessageError> {
        let mut by_id: BTreeMap<&str, Vec<&InterventionRow>> = BTreeMap::new();
        for row in &self.figures.interventions {
            by_id.entry(&row.intervention_id).or_default().push(row);
        }
        let mut shown = Vec::new();
        for (id, rows) in by_id {
            let first = rows[0];
            let named = self.figures.intervention_names.iter().find(|n| n.id == id);
            let (name, description) = match (named, self.messages.lang()) {
                (Some(n), Language::En) => (n.name.clone(), n.description.clone()),
                (Some(n), Language::Fr) => (n.name_fr.clone(), n.description_fr.clone()),
                (None, _) => (first.name.clone(), first.description.clone()),
            };
            let mut findings: Vec<String> = rows
                .iter()
                .filter(|r| r.verdict.is_supported())
                .map(|r| self.intervention_finding(r))
                .collect::<Result<_, _>>()?;
            if findings.is_empty() {
                findings.push(if rows.iter().all(|r| r.verdict == Finding::TooEarly) {
                    self.t("intervention-too-early", &[])?
                } else if rows
                    .iter()
                    .all(|r| matches!(r.verdict, Finding::InsufficientData | Finding::NoInterval))
                {
                    self.t("intervention-too-thin", &[])?
                } else {
                    self.t("intervention-no-clear-change", &[])?
                });
            }
            shown.push(InterventionShown {
                heading: self.t(
                    "summary-intervention",
                    &[
                        ("name", name.into()),
                        ("service", self.service_name(&first.service_id).into()),
                        ("date", self.messages.date(first.date).into()),
                        ("description", description.into()),
                    ],
                )?,
                findings,
            });
        }
        Ok(shown)
    }

    /// One supported change after an intervention, with its peers' change beside it.
    fn intervention_finding(&self, r: &InterventionRow) -> Result<String, MessageError> {
        let d = &r.dimension;
        let did = match r.did_verdict {
            Finding::Improved | Finding::Worsened | Finding::NoClearChange | Finding::NoPeers => {
                r.did_verdict.as_str()
            }
            _ => "none",
        };
        self.t(
            "intervention-finding",
            &[
                ("dimension", self.dimension_label(d)?.into()),
                ("verdict", r.verdict.as_str().into()),
                ("before", self.value(d, r.before_value).into()),
                ("after", self.value(d, r.after_value).into()),
                ("change", self.change(d, r.change.unwrap_or(0.0)).into()),
                ("did", did.into()),
                ("peers", self.change(d, r.peer_change.unwrap_or(0.0)).into()),
                ("difference", self.change(d, r.did.unwrap_or(0.0)).into()),
            ],
        )
    }

    fn page(&self, service_id: &str) -> Result<ServicePage, MessageError> {
        let f = self.figures;
        let service = f
            .services
            .iter()
            .find(|s| s.id == service_id)
            .expect("pages are made for the report's services");
        let cells: Vec<&Cell> = f
            .matrix
            .iter()
            .filter(|c| c.service_id == service_id)
            .collect();
        let cell = |name: &str| cells.iter().copied().find(|c| c.dimension == name);
        let shown = |names: &[&str]| -> Result<Vec<CellShown>, MessageError> {
            names
                .iter()
                .filter_map(|n| cell(n))
                .map(|c| self.cell(c))
                .collect()
        };
        // Counts are always shown; every other figure withheld is what a reader must be told.
        let is_count = |c: &Cell| kind(&c.dimension) == Some(Kind::Count);
        let any_figure = cells.iter().any(|c| !is_count(c) && c.value.is_some());
        let any_withheld = cells
            .iter()
            .any(|c| c.status == MatrixStatus::InsufficientData);
        let all_withheld = (!any_figure && any_withheld)
            .then(|| {
                self.t(
                    "service-all-withheld",
                    &[("k", self.messages.count(f.min_responses).into())],
                )
            })
            .transpose()?;
        let standards: Vec<StandardShown> = f
            .sla
            .iter()
            .filter(|p| p.service_id == service_id)
            .map(|p| self.standard(p))
            .collect::<Result<_, _>>()?;
        let no_standard = standards
            .is_empty()
            .then(|| self.t("service-no-standard", &[]))
            .transpose()?;
        let met = cell("satisfaction_when_met").and_then(|c| c.value);
        let breached = cell("satisfaction_when_breached").and_then(|c| c.value);
        let feedback_timing = match (met, breached) {
            (Some(met), Some(breached)) => self.t(
                "service-feedback-timing-text",
                &[
                    ("met", self.messages.percent(met).into()),
                    ("breached", self.messages.percent(breached).into()),
                ],
            )?,
            (Some(met), None) => self.t(
                "service-feedback-timing-met-only",
                &[("met", self.messages.percent(met).into())],
            )?,
            _ => self.t("service-feedback-timing-none", &[])?,
        };
        Ok(ServicePage {
            id: service_id.to_string(),
            name: self.service_name(service_id),
            facts: {
                // Service names hold commas: peers are set apart by semicolons.
                let (jurisdiction, peers, apart) = match self.messages.lang() {
                    Language::En => (&service.jurisdiction_name, &service.peers, "; "),
                    Language::Fr => (&service.jurisdiction_name_fr, &service.peers_fr, " ; "),
                };
                self.t(
                    "service-facts",
                    &[
                        ("jurisdiction", jurisdiction.clone().into()),
                        ("peers", peers.join(apart).into()),
                        ("peer_count", (peers.len() as u64).into()),
                    ],
                )?
            },
            all_withheld,
            charts: f
                .trends
                .iter()
                .filter(|t| t.service_id == service_id)
                .map(|t| self.chart(t))
                .collect::<Result<_, _>>()?,
            standards,
            no_standard,
            volumes: shown(&[
                "transactions",
                "surveys_offered",
                "responses",
                "response_rate",
                "digital_take_up",
                "completion_rate",
            ])?,
            equity: shown(&["equity_gap_satisfaction", "equity_gap_timeliness"])?,
            feedback_timing,
            themes: self.themes(service_id)?,
        })
    }

    fn themes(&self, service_id: &str) -> Result<ThemesShown, MessageError> {
        let m = &self.messages;
        let fr = m.lang() == Language::Fr;
        let Some(read) = self
            .figures
            .themes_read
            .iter()
            .find(|t| t.service_id == service_id && t.comments > 0)
        else {
            return Ok(ThemesShown {
                intro: self.t("service-themes-none", &[])?,
                top: Vec::new(),
                emerging: Vec::new(),
                quotes_intro: None,
                quotes: Vec::new(),
            });
        };
        let name = |en: &str, fr_name: &str| if fr { fr_name } else { en }.to_owned();
        let top = read
            .top
            .iter()
            .map(|t| match t.share {
                Some(share) => self.t(
                    "service-themes-share",
                    &[
                        ("theme", name(&t.name, &t.name_fr).into()),
                        ("share", m.percent(share).into()),
                        ("mentions", t.mentions.into()),
                        ("mentions_text", m.count(t.mentions).into()),
                    ],
                ),
                None => self.t(
                    "service-themes-withheld",
                    &[
                        ("theme", name(&t.name, &t.name_fr).into()),
                        ("mentions", t.mentions.into()),
                        ("mentions_text", m.count(t.mentions).into()),
                        ("k", m.count(self.figures.min_responses).into()),
                    ],
                ),
            })
            .collect::<Result<_, _>>()?;
        let emerging = if !read.checked {
            vec![self.t("service-themes-emerging-unchecked", &[])?]
        } else if read.emerging.is_empty() {
            vec![self.t("service-themes-emerging-none", &[])?]
        } else {
            read.emerging
                .iter()
                .map(|e| {
                    let key = if e.phrase {
                        "service-themes-emerging-phrase"
                    } else {
                        "service-themes-emerging"
                    };
                    self.t(
                        key,
                        &[
                            ("day", m.date(e.day).into()),
                            ("theme", name(&e.name, &e.name_fr).into()),
                            ("count", e.count.into()),
                            ("count_text", m.count(e.count).into()),
                            ("expected", m.decimal(e.expected_per_day, 1).into()),
                            (
                                "rare",
                                if e.expected_per_day < 0.1 {
                                    "yes"
                                } else {
                                    "no"
                                }
                                .into(),
                            ),
                        ],
                    )
                })
                .collect::<Result<_, _>>()?
        };
        let language = if fr { "fr" } else { "en" };
        let quotes: Vec<String> = read
            .quotes
            .iter()
            .filter(|q| q.language == language)
            .map(|q| q.text.clone())
            .collect();
        let quotes_intro = match (read.top.first(), quotes.is_empty()) {
            (Some(t), false) => Some(self.t(
                "service-themes-quotes",
                &[("theme", name(&t.name, &t.name_fr).into())],
            )?),
            _ => None,
        };
        let intro = if read.top.is_empty() {
            "service-themes-intro-unnamed"
        } else {
            "service-themes-intro"
        };
        Ok(ThemesShown {
            intro: self.t(
                intro,
                &[
                    ("comments", read.comments.into()),
                    ("comments_text", m.count(read.comments).into()),
                ],
            )?,
            top,
            emerging,
            quotes_intro,
            quotes,
        })
    }

    fn chart(&self, trend: &Trend) -> Result<ChartShown, MessageError> {
        let m = &self.messages;
        let dimension = self.dimension_label(&trend.dimension)?;
        let service = self.service_name(&trend.service_id);
        let title = self.t(
            "chart-title",
            &[
                ("dimension", dimension.clone().into()),
                ("bucket", trend.bucket.into()),
            ],
        )?;
        let labels: Vec<String> = trend
            .points
            .iter()
            .map(|p| {
                p.start.parse().map_or_else(
                    |_| p.start.clone(),
                    |d: chrono::NaiveDate| d.format("%d/%m").to_string(),
                )
            })
            .collect();
        let values: Vec<Option<f64>> = trend.points.iter().map(|p| p.value).collect();
        let peers: Vec<Option<f64>> = trend.points.iter().map(|p| p.peers).collect();
        let shown: Vec<f64> = values.iter().flatten().copied().collect();
        let description = match (shown.first(), shown.last()) {
            (Some(first), Some(last)) => self.t(
                "chart-desc",
                &[
                    ("service", service.clone().into()),
                    ("dimension", dimension.clone().into()),
                    ("shown", m.count(shown.len() as u64).into()),
                    ("buckets", m.count(values.len() as u64).into()),
                    ("first", m.percent(*first).into()),
                    ("last", m.percent(*last).into()),
                    (
                        "target",
                        match trend.target {
                            Some(t) => {
                                self.t("chart-desc-target", &[("target", m.percent(t).into())])?
                            }
                            None => self.t("chart-desc-no-target", &[])?,
                        }
                        .into(),
                    ),
                    (
                        "peers",
                        if peers.iter().any(Option::is_some) {
                            self.t("chart-desc-peers", &[])?
                        } else {
                            self.t("chart-desc-no-peers", &[])?
                        }
                        .into(),
                    ),
                ],
            )?,
            _ => self.t(
                "chart-desc-empty",
                &[
                    ("service", service.clone().into()),
                    ("dimension", dimension.clone().into()),
                ],
            )?,
        };
        let withheld = self.t("withheld", &[])?;
        let rows = trend
            .points
            .iter()
            .map(|p| {
                [
                    p.start
                        .parse()
                        .map_or_else(|_| p.start.clone(), |d| m.date(d)),
                    match p.value {
                        Some(v) => m.percent(v),
                        None if p.n > 0 => withheld.clone(),
                        None => "–".into(),
                    },
                    m.count(p.n),
                    p.peers.map_or("–".into(), |v| m.percent(v)),
                ]
            })
            .collect();
        let percent = |share: f64| m.percent(share).replace(",0", "").replace(".0", "");
        Ok(ChartShown {
            id: format!("chart-{}-{}", trend.service_id, trend.dimension),
            table_caption: self.t("chart-table-caption", &[("title", title.clone().into())])?,
            title,
            description,
            chart: chart::layout(&values, &peers, trend.target, &labels, percent),
            legend_service: self.t("chart-legend-service", &[])?,
            legend_peers: self.t("chart-legend-peers", &[])?,
            legend_target: trend
                .target
                .map(|_| self.t("chart-legend-target", &[]))
                .transpose()?,
            rows,
        })
    }

    fn definitions(&self) -> Result<Vec<Definition>, MessageError> {
        let themes = Definition {
            name: self.t("dim-theme-family", &[])?,
            code: theme::share_name("…"),
            definition: self.t("def-theme-share", &[])?,
            unit: self.t("unit-share", &[])?,
        };
        Dimension::all()
            .into_iter()
            .map(|d| {
                let question = |q: civicpulse_core::dimension::Question| {
                    self.t(&format!("question-{}", q.as_str()), &[])
                };
                let definition = match d {
                    Dimension::Mean(q) => {
                        self.t("def-mean", &[("question", question(q)?.into())])?
                    }
                    Dimension::Top2Share(q) => {
                        self.t("def-top2", &[("question", question(q)?.into())])?
                    }
                    other => self.t(&format!("def-{}", other.name()), &[])?,
                };
                let unit = match d.kind() {
                    Kind::Count => "unit-count",
                    Kind::Share => "unit-share",
                    Kind::Mean => "unit-mean",
                    Kind::Days => "unit-days",
                    Kind::Gap => "unit-gap",
                    Kind::Money => "unit-money",
                };
                Ok(Definition {
                    name: self.dimension_label(&d.name())?,
                    code: d.name(),
                    definition,
                    unit: self.t(unit, &[])?,
                })
            })
            .chain(std::iter::once(Ok(themes)))
            .collect()
    }

    fn freshness(&self) -> Result<Vec<String>, MessageError> {
        let fresh = &self.figures.freshness;
        let m = &self.messages;
        let mut lines = vec![match &fresh.latest_event_stored {
            Some(at) => self.t(
                "method-latest",
                &[
                    ("at", self.instant(at).into()),
                    ("zone", self.zone_words().into()),
                ],
            )?,
            None => self.t("method-latest-none", &[])?,
        }];
        let why = |unknown: Option<Unknown>| unknown.unwrap_or(Unknown::NotRecorded).as_str();
        lines.push(match fresh.consumer_lag {
            Some(lag) => self.t(
                "method-lag",
                &[("count", lag.into()), ("count_text", m.count(lag).into())],
            )?,
            None => self.t(
                "method-lag-unknown",
                &[("why", why(fresh.lag_unknown).into())],
            )?,
        });
        lines.push(match (fresh.dead_letters, fresh.rejected) {
            (Some(dead), Some(rejected)) => self.t(
                "method-completeness",
                &[
                    ("dead", m.count(dead).into()),
                    ("rejected", m.count(rejected).into()),
                ],
            )?,
            _ => self.t(
                "method-completeness-unknown",
                &[("why", why(fresh.completeness_unknown).into())],
            )?,
        });
        Ok(lines)
    }
}

/// What sort of figure a cell's dimension is: a theme's share is a share.
fn kind(dimension: &str) -> Option<Kind> {
    Dimension::parse(dimension)
        .map(Dimension::kind)
        .or_else(|| theme::share_theme(dimension).map(|_| Kind::Share))
}

fn verdict_key(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Improved => "improved",
        _ => "worsened",
    }
}

/// What a revision's page says about it.
#[derive(Debug, Serialize)]
struct RevisionShown {
    heading: String,
    intro: String,
    /// The figures the report's tables show, one line per record changed.
    changes: Vec<String>,
    /// How many other figures changed, said in words.
    others: Option<String>,
    earlier: Vec<EarlierShown>,
}

/// A matrix cell or standard a revision changed, as its line will say it.
struct RecordLine {
    service: String,
    figure: String,
    kind: ChangeKind,
    /// Each field shown, with its column's place.
    fields: Vec<(usize, String)>,
}

#[derive(Debug, Serialize)]
struct EarlierShown {
    text: String,
    href: String,
}

/// The data cut-off and the revision's account of itself (`crate::revision`).
impl View<'_> {
    fn cut_off(&self) -> Result<String, MessageError> {
        self.t(
            "cut-off",
            &[
                ("at", self.instant(&self.figures.data_cut_off).into()),
                ("zone", self.zone_words().into()),
            ],
        )
    }

    fn revision_shown(&self) -> Result<Option<RevisionShown>, MessageError> {
        let Some(revision) = self.revision else {
            return Ok(None);
        };
        let m = &self.messages;
        let count = revision.changes.len() as u64;
        let (previous, previous_published, previous_cut_off) = match revision.replaces() {
            Some(e) => (
                e.number,
                self.instant(&e.published_at),
                self.instant(&e.data_cut_off),
            ),
            None => (revision.number.saturating_sub(1), "–".into(), "–".into()),
        };
        let intro = self.t(
            "revision-intro",
            &[
                ("number", revision.number.into()),
                ("published", self.instant(&revision.published_at).into()),
                ("cut_off", self.instant(&revision.data_cut_off).into()),
                ("previous", previous.into()),
                ("previous_published", previous_published.into()),
                ("previous_cut_off", previous_cut_off.into()),
                ("count", count.into()),
                ("count_text", m.count(count).into()),
                ("zone", self.zone_words().into()),
            ],
        )?;
        // One line per matrix cell or standard changed, with the fields its tables show
        // in their order; every other change is counted.
        let mut lines: Vec<RecordLine> = Vec::new();
        let mut others = 0u64;
        for change in &revision.changes {
            let text = |field: &str| {
                change
                    .key
                    .get(field)
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let (service, figure) = match change.table.as_str() {
                "matrix" => (
                    text("service_id"),
                    self.dimension_label(&text("dimension"))?,
                ),
                "sla" => (text("service_id"), text("policy")),
                _ => {
                    others += 1;
                    continue;
                }
            };
            let service = self.service_name(&service);
            let shown = match (change.kind, change.field.as_deref()) {
                (ChangeKind::Changed, Some(field)) => {
                    let dimension = text("dimension");
                    match self.changed_field(&change.table, &dimension, field, change)? {
                        Some(shown) => Some(shown),
                        None => {
                            others += 1;
                            continue;
                        }
                    }
                }
                _ => None,
            };
            let at = match lines
                .iter()
                .position(|l| l.service == service && l.figure == figure)
            {
                Some(at) => at,
                None => {
                    lines.push(RecordLine {
                        service,
                        figure,
                        kind: change.kind,
                        fields: Vec::new(),
                    });
                    lines.len() - 1
                }
            };
            lines[at].fields.extend(shown);
        }
        let changes = lines
            .into_iter()
            .map(|mut line| {
                let key = match line.kind {
                    ChangeKind::Added => "revision-added",
                    ChangeKind::Removed => "revision-removed",
                    ChangeKind::Changed => "revision-change",
                };
                line.fields.sort();
                let fields: Vec<String> = line.fields.into_iter().map(|(_, text)| text).collect();
                self.t(
                    key,
                    &[
                        ("service", line.service.into()),
                        ("figure", line.figure.into()),
                        ("fields", fields.join(", ").into()),
                    ],
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let others = (others > 0)
            .then(|| {
                self.t(
                    "revision-others",
                    &[
                        ("count", others.into()),
                        ("count_text", m.count(others).into()),
                    ],
                )
            })
            .transpose()?;
        let earlier = revision
            .earlier
            .iter()
            .map(|e| {
                Ok(EarlierShown {
                    text: self.t(
                        "revision-earlier-item",
                        &[
                            ("number", e.number.into()),
                            ("published", self.instant(&e.published_at).into()),
                            ("cut_off", self.instant(&e.data_cut_off).into()),
                            ("zone", self.zone_words().into()),
                        ],
                    )?,
                    href: e.href.clone(),
                })
            })
            .collect::<Result<Vec<_>, MessageError>>()?;
        Ok(Some(RevisionShown {
            heading: self.t("revision-heading", &[("number", revision.number.into())])?,
            intro,
            changes,
            others,
            earlier,
        }))
    }

    /// `Value 80.0% → 78.9%` for a field the report's tables show, with its column's
    /// place; None for the others.
    fn changed_field(
        &self,
        table: &str,
        dimension: &str,
        field: &str,
        change: &Change,
    ) -> Result<Option<(usize, String)>, MessageError> {
        let m = &self.messages;
        let (old, new) = (&change.old, &change.new);
        let count = |v: &serde_json::Value| v.as_u64().map_or("–".into(), |n| m.count(n));
        let share = |v: &serde_json::Value| v.as_f64().map_or("–".into(), |c| m.percent(c));
        let days = |v: &serde_json::Value| v.as_f64().map_or("–".into(), |d| m.decimal(d, 0));
        let status = |v: &serde_json::Value| {
            self.t(&format!("status-{}", v.as_str().unwrap_or_default()), &[])
        };
        let (place, label, old, new) = match (table, field) {
            ("matrix", "value") => (
                0,
                "col-value",
                self.value(dimension, old.as_f64()),
                self.value(dimension, new.as_f64()),
            ),
            ("matrix", "n") => (1, "col-n", count(old), count(new)),
            ("matrix", "status") => (2, "col-status", status(old)?, status(new)?),
            ("sla", "closed") => (0, "col-closed", count(old), count(new)),
            ("sla", "met") => (1, "col-met", count(old), count(new)),
            ("sla", "breached") => (2, "col-breached", count(old), count(new)),
            ("sla", "compliance_ratio") => (3, "col-compliance", share(old), share(new)),
            ("sla", "p90_elapsed_days") => (4, "col-p90", days(old), days(new)),
            _ => return Ok(None),
        };
        let text = self.t(
            "revision-change-field",
            &[
                ("field", self.t(label, &[])?.into()),
                ("old", old.into()),
                ("new", new.into()),
            ],
        )?;
        Ok(Some((place, text)))
    }
}
