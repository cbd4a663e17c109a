//! The report a person reads: one self-contained HTML file (inline CSS and SVG, no script,
//! nothing fetched), printable, in English or French. Every sentence is a message of the
//! language's catalogue filled with figures already formatted for the locale; a claim of
//! improvement or decline is made only when the change's interval supports it.

use std::collections::BTreeMap;

use civicpulse_analytics::matrix::change::Verdict;
use civicpulse_analytics::matrix::{Cell, Finding, InterventionRow, MatrixStatus};
use civicpulse_analytics::sla::summary::PolicySummary;
use civicpulse_core::dimension::{Dimension, Kind};
use fluent_bundle::FluentValue;
use minijinja::{context, Environment};
use serde::Serialize;

use crate::chart::{self, Chart};
use crate::figures::{Against, Comparison, Trend};
use crate::i18n::{Language, MessageError, Messages};
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
            title => self.t("report-title", &[("period", f.period.clone().into())])?,
            intro => self.t("report-intro", &[
                ("from", day(&f.period_from).into()),
                ("to", day(&f.period_to).into()),
                ("count", services.into()),
                ("count_text", m.count(services).into()),
                ("generated", f.generated_at.replace('T', " ").replace('Z', "").into()),
            ])?,
            cut_off => self.cut_off()?,
            revision => self.revision_shown()?,
            empty => empty.then(|| self.t("summary-empty", &[])).transpose()?,
            summary_services => self.services_line()?,
            summary_rule => self.t("summary-services-rule", &[])?,
            changes => self.changes()?,
            guarantees => self.guarantees()?,
            equity => self.equity_gaps()?,
            interventions => self.interventions()?,
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

    fn dimension_label(&self, name: &str) -> Result<String, MessageError> {
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
        match Dimension::parse(dimension).map(Dimension::kind) {
            Some(Kind::Share) => m.percent(v),
            Some(Kind::Gap) => m.points(v).trim_start_matches('+').to_string(),
            Some(Kind::Mean | Kind::Money) => m.decimal(v, 2),
            Some(Kind::Count | Kind::Days) | None => m.count(v.round().max(0.0) as u64),
        }
    }

    /// A change of `dimension` in its unit, signed.
    fn change(&self, dimension: &str, change: f64) -> String {
        match Dimension::parse(dimension).map(Dimension::kind) {
            Some(Kind::Share | Kind::Gap) => self.messages.points(change),
            _ => {
                let sign = if change > 0.0 { "+" } else { "" };
                format!("{sign}{}", self.messages.decimal(change, 2))
            }
        }
    }

    fn cell(&self, c: &Cell) -> Result<CellShown, MessageError> {
        let value = match c.value {
            None if c.status == MatrixStatus::InsufficientData => self.t("withheld", &[])?,
            value => self.value(&c.dimension, value),
        };
        let interval = match (c.ci_low, c.ci_high) {
            (Some(low), Some(high)) => format!(
                "{} – {}",
                self.value(&c.dimension, Some(low)),
                self.value(&c.dimension, Some(high))
            ),
            _ => "–".into(),
        };
        Ok(CellShown {
            service_name: self.service_name(&c.service_id),
            dimension: self.dimension_label(&c.dimension)?,
            value,
            n: self.messages.count(c.n),
            interval,
            target: self.value(&c.dimension, c.target),
            benchmark: self.value(&c.dimension, c.benchmark),
            previous: self.value(&c.dimension, c.previous_value),
            status: c.status.as_str().to_string(),
            status_text: self.t(&format!("status-{}", c.status.as_str()), &[])?,
        })
    }

    fn standard(&self, p: &PolicySummary) -> Result<StandardShown, MessageError> {
        let m = &self.messages;
        Ok(StandardShown {
            service_name: self.service_name(&p.service_id),
            policy: p.policy.clone(),
            closed: m.count(p.closed),
            met: m.count(p.met),
            breached: m.count(p.breached),
            compliance: p.compliance_ratio.map_or("–".into(), |c| m.percent(c)),
            target: m.percent(p.target_ratio),
            p90: p.p90_elapsed_days.map_or("–".into(), |d| m.decimal(d, 0)),
            refunds: m.money(p.refunds_owed_amount),
        })
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
            ],
        )
    }

    /// The largest changes the intervals support, shares and means on one scale (a mean
    /// of 1–5 answers spans 4).
    fn changes(&self) -> Result<Vec<String>, MessageError> {
        let scale = |c: &Comparison| match Dimension::parse(&c.dimension).map(Dimension::kind) {
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

    /// Guarantees broken, cases affected and refunds owed; the standards that missed.
    fn guarantees(&self) -> Result<Vec<String>, RenderError> {
        let sla = &self.figures.sla;
        let m = &self.messages;
        if sla.iter().all(|p| p.closed == 0) {
            return Ok(vec![self.t("summary-guarantees-none-closed", &[])?]);
        }
        let breached: u64 = sla.iter().map(|p| p.breached).sum();
        let mut lines = vec![self.t(
            "summary-guarantees-broken",
            &[
                ("count", breached.into()),
                ("count_text", m.count(breached).into()),
            ],
        )?];
        // Exact per currency: amounts of two currencies are listed, never added.
        let mut owed = PerCurrency::default();
        for p in sla.iter().filter(|p| p.refunds_owed > 0) {
            owed.add(p.refunds_owed_amount)?;
        }
        if !owed.is_empty() {
            let amounts: Vec<String> = owed.iter().map(|a| m.money(a)).collect();
            lines.push(self.t("summary-refunds", &[("amounts", amounts.join(", ").into())])?);
        }
        let excused: u64 = sla.iter().map(|p| p.refunds_excused).sum();
        if excused > 0 {
            lines.push(self.t(
                "summary-refunds-excused",
                &[
                    ("count", excused.into()),
                    ("count_text", m.count(excused).into()),
                ],
            )?);
        }
        let missed: Vec<&PolicySummary> = sla
            .iter()
            .filter(|p| p.closed > 0 && p.compliance_ratio.is_some_and(|c| c < p.target_ratio))
            .collect();
        if missed.is_empty() {
            lines.push(self.t("summary-standards-kept", &[])?);
        }
        for p in missed {
            lines.push(self.t(
                "summary-standard-missed",
                &[
                    ("service", self.service_name(&p.service_id).into()),
                    ("policy", p.policy.clone().into()),
                    ("met", m.count(p.met).into()),
                    ("closed", m.count(p.closed).into()),
                    (
                        "compliance",
                        m.percent(p.compliance_ratio.unwrap_or(0.0)).into(),
                    ),
                    ("target", m.percent(p.target_ratio).into()),
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
            .map(|c| {
                self.t(
                    "summary-equity-gap",
                    &[
                        ("service", self.service_name(&c.service_id).into()),
                        ("dimension", self.dimension_label(&c.dimension)?.into()),
                        ("gap", self.value(&c.dimension, c.value).into()),
                        ("note", c.note.clone().into()),
                    ],
                )
            })
            .collect()
    }

    /// Each intervention with the changes its intervals support.
    fn interventions(&self) -> Result<Vec<String>, MessageError> {
        let mut by_id: BTreeMap<&str, Vec<&InterventionRow>> = BTreeMap::new();
        for row in &self.figures.interventions {
            by_id.entry(&row.intervention_id).or_default().push(row);
        }
        if by_id.is_empty() {
            return Ok(vec![self.t("summary-interventions-none", &[])?]);
        }
        let mut lines = Vec::new();
        for rows in by_id.values() {
            let first = rows[0];
            let findings: Vec<String> = rows
                .iter()
                .filter(|r| r.verdict.is_supported())
                .map(|r| {
                    self.t(
                        "intervention-finding",
                        &[
                            ("dimension", self.dimension_label(&r.dimension)?.into()),
                            ("verdict", r.verdict.as_str().into()),
                            (
                                "change",
                                self.change(&r.dimension, r.change.unwrap_or(0.0)).into(),
                            ),
                        ],
                    )
                })
                .collect::<Result<_, _>>()?;
            let findings = if !findings.is_empty() {
                findings.join("; ")
            } else if rows.iter().all(|r| r.verdict == Finding::TooEarly) {
                self.t("intervention-too-early", &[])?
            } else if rows
                .iter()
                .all(|r| matches!(r.verdict, Finding::InsufficientData | Finding::NoInterval))
            {
                self.t("intervention-too-thin", &[])?
            } else {
                self.t("intervention-no-clear-change", &[])?
            };
            lines.push(self.t(
                "summary-intervention",
                &[
                    ("name", first.name.clone().into()),
                    ("service", self.service_name(&first.service_id).into()),
                    ("date", self.messages.date(first.date).into()),
                    ("findings", findings.into()),
                ],
            )?);
        }
        Ok(lines)
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
        let is_count =
            |c: &Cell| Dimension::parse(&c.dimension).map(Dimension::kind) == Some(Kind::Count);
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
            _ => self.t("service-feedback-timing-none", &[])?,
        };
        Ok(ServicePage {
            id: service_id.to_string(),
            name: self.service_name(service_id),
            facts: self.t(
                "service-facts",
                &[
                    ("category", service.category.clone().into()),
                    ("jurisdiction", service.jurisdiction.clone().into()),
                ],
            )?,
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
        let rows = trend
            .points
            .iter()
            .map(|p| {
                [
                    p.start
                        .parse()
                        .map_or_else(|_| p.start.clone(), |d| m.date(d)),
                    p.value.map_or("–".into(), |v| m.percent(v)),
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
            .collect()
    }

    fn freshness(&self) -> Result<Vec<String>, MessageError> {
        let fresh = &self.figures.freshness;
        let m = &self.messages;
        let mut lines = vec![match &fresh.latest_event_stored {
            Some(at) => self.t(
                "method-latest",
                &[("at", at.replace('T', " ").replace('Z', "").into())],
            )?,
            None => self.t("method-latest-none", &[])?,
        }];
        lines.push(match fresh.consumer_lag {
            Some(lag) => self.t(
                "method-lag",
                &[("count", lag.into()), ("count_text", m.count(lag).into())],
            )?,
            None => self.t(
                "method-lag-unknown",
                &[("why", fresh.monitoring.clone().into())],
            )?,
        });
        lines.push(match (fresh.dead_letters, fresh.rejected) {
            (Some(dead), Some(rejected)) => self.t(
                "method-completeness",
                &[
                    ("dead", m.count(dead).into()),
                    ("rejected", m.count(rejected).into()),
                    ("source", fresh.monitoring.clone().into()),
                ],
            )?,
            _ => self.t(
                "method-completeness-unknown",
                &[("why", fresh.monitoring.clone().into())],
            )?,
        });
        Ok(lines)
    }
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
    /// An RFC 3339 instant as the locale writes a day, with its time: `1 October 2026 05:59`.
    fn instant(&self, text: &str) -> String {
        match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(at) => format!(
                "{} {}",
                self.messages.date(at.date_naive()),
                at.format("%H:%M")
            ),
            Err(_) => text.to_string(),
        }
    }

    fn cut_off(&self) -> Result<String, MessageError> {
        self.t(
            "cut-off",
            &[("at", self.instant(&self.figures.data_cut_off).into())],
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
