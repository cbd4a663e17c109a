//! What the API must show, computed here in plain Rust from the generated world (never
//! through the rollups' SQL).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::America::Toronto;
use civicpulse_analytics::sla::{evaluate, CaseMilestone, EvaluationContext};
use civicpulse_core::event::MilestoneKind;
use civicpulse_core::Catalog;
use serde_json::Value;

use super::world::*;

/// Each closed case's (local stop date, elapsed days, met?) under its service's first
/// standard, by the pure SLA rules.
pub(crate) fn closed_cases(
    catalog: &Catalog,
    world: &World,
) -> BTreeMap<(String, String), (NaiveDate, i64, bool)> {
    let mut milestones: BTreeMap<(String, String), Vec<CaseMilestone>> = BTreeMap::new();
    for step in &world.steps {
        milestones
            .entry((step.service.clone(), step.case_ref.clone()))
            .or_default()
            .push(CaseMilestone {
                at: step.at,
                kind: step.kind,
                outcome: step.outcome.and_then(|o| o.parse().ok()),
            });
    }
    let now = Utc::now();
    let mut closed = BTreeMap::new();
    for ((service_id, case_ref), steps) in milestones {
        let service = catalog.service(&service_id).unwrap();
        let Some(policy) = service.sla.first() else {
            continue;
        };
        let calendar = catalog.calendar(&service.calendar).unwrap();
        let context = EvaluationContext {
            policy,
            calendar,
            zone: service.time_zone,
            exceptions: &catalog.exceptions,
            remissions: &catalog.remissions,
            schedule: None,
        };
        let evaluation = evaluate(&context, &steps, None, now);
        let status = evaluation.status.as_str();
        if let (Some(stopped), status @ ("met" | "breached")) = (evaluation.stopped_at, status) {
            closed.insert(
                (service_id, case_ref),
                (local(stopped), evaluation.elapsed, status == "met"),
            );
        }
    }
    closed
}

pub(crate) fn local(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Toronto).date_naive()
}

/// (successes, n) of one segment group's responses.
pub(crate) type GroupShare<'a> = dyn Fn(&[&&Response]) -> Option<(usize, usize)> + 'a;

/// What the API must show for a cell: a value (None when withheld) and its n.
pub(crate) type Expected = BTreeMap<String, (Option<f64>, u64)>;

/// The matrix row of one service (and channel, if given) for local dates in `month`,
/// computed directly from the generated events.
pub(crate) fn expected_row(
    catalog: &Catalog,
    world: &World,
    closed: &BTreeMap<(String, String), (NaiveDate, i64, bool)>,
    service: &str,
    channel: Option<&str>,
    month: (i32, u32),
) -> Expected {
    let in_month = |t: DateTime<Utc>| {
        let d = local(t);
        (d.year(), d.month()) == month
    };
    let keep = |s: &str, c: &str| s == service && channel.is_none_or(|ch| ch == c);
    let mut row = Expected::new();
    let count = |row: &mut Expected, name: &str, n: usize| {
        row.insert(name.into(), (Some(n as f64), n as u64));
    };
    let share = |row: &mut Expected, name: &str, hits: usize, n: usize| {
        let shown = n as u64 >= K;
        row.insert(
            name.into(),
            (shown.then(|| hits as f64 / n as f64), n as u64),
        );
    };

    let offers: Vec<&Offer> = world
        .offers
        .iter()
        .filter(|o| keep(&o.service, &o.channel) && in_month(o.at))
        .collect();
    let responses: Vec<&Response> = world
        .responses
        .iter()
        .filter(|r| keep(&r.service, &r.channel) && in_month(r.at))
        .collect();
    let surveys = offers.iter().filter(|o| o.survey).count();
    count(&mut row, "transactions", offers.len());
    count(&mut row, "surveys_offered", surveys);
    count(&mut row, "responses", responses.len());
    // A rate whose responses outnumber the offers is not a rate: the matrix leaves it
    // out (not_available) rather than judging a figure above 100 %.
    if responses.len() <= surveys {
        share(&mut row, "response_rate", responses.len(), surveys);
    }
    for (i, question) in QUESTIONS.iter().enumerate() {
        let answers: Vec<u8> = responses.iter().filter_map(|r| r.answers[i]).collect();
        let n = answers.len();
        let mean = answers.iter().map(|&a| f64::from(a)).sum::<f64>() / n as f64;
        row.insert(
            format!("{question}_mean"),
            ((n as u64 >= K).then_some(mean), n as u64),
        );
        let top2 = answers.iter().filter(|&&a| a >= 4).count();
        share(&mut row, &format!("{question}_top2_share"), top2, n);
    }

    let steps: Vec<&Step> = world
        .steps
        .iter()
        .filter(|s| keep(&s.service, &s.channel) && in_month(s.at))
        .collect();
    let received = steps
        .iter()
        .filter(|s| s.kind == MilestoneKind::Received)
        .count();
    let decided: Vec<&&Step> = steps
        .iter()
        .filter(|s| s.kind == MilestoneKind::Decided)
        .collect();
    let inaccurate = decided
        .iter()
        .filter(|s| matches!(s.outcome, Some("error" | "rework")))
        .count();
    // Likewise a completion rate whose decisions outnumber the applications received in the
    // month (decisions on earlier applications).
    if decided.len() <= received {
        share(&mut row, "completion_rate", decided.len(), received);
    }
    let digital = offers
        .iter()
        .filter(|o| matches!(o.channel.as_str(), "web" | "app"))
        .count();
    // A service with no digital channel has no digital take-up to judge.
    let has_digital = catalog
        .service(service)
        .is_some_and(|s| s.has_digital_channel());
    if has_digital {
        share(&mut row, "digital_take_up", digital, offers.len());
    }
    share(&mut row, "error_rework_share", inaccurate, decided.len());
    // Cost per transaction: the month's catalog cost over its transactions (whole
    // services only; a month without a cost is not_available, so absent here).
    let first = NaiveDate::from_ymd_opt(month.0, month.1, 1).unwrap();
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap();
    let cost = catalog
        .service(service)
        .and_then(|s| s.cost(first, next))
        .filter(|_| channel.is_none());
    if let Some((amount, _)) = cost {
        let n = offers.len() as u64;
        row.insert(
            "cost_per_transaction".into(),
            ((n >= K).then(|| amount / n as f64), n),
        );
    }

    let case_channel: BTreeMap<&str, &str> = world
        .steps
        .iter()
        .filter(|s| s.service == service)
        .map(|s| (s.case_ref.as_str(), s.channel.as_str()))
        .collect();
    let mut elapsed: Vec<i64> = Vec::new();
    let mut met = 0;
    for ((s, case_ref), (stopped, days, was_met)) in closed {
        if s != service {
            continue;
        }
        let case_channel = case_channel[case_ref.as_str()];
        if keep(s, case_channel) && (stopped.year(), stopped.month()) == month {
            elapsed.push(*days);
            met += usize::from(*was_met);
        }
    }
    share(&mut row, "sla_compliance", met, elapsed.len());
    elapsed.sort_unstable();
    let p90 = (!elapsed.is_empty())
        .then(|| elapsed[((0.9 * elapsed.len() as f64).ceil() as usize).max(1) - 1] as f64);
    row.insert(
        "sla_p90_elapsed_days".into(),
        (
            p90.filter(|_| elapsed.len() as u64 >= K),
            elapsed.len() as u64,
        ),
    );

    // Responses linked to their case's closed outcome (whenever it closed).
    let outcome = |r: &Response| {
        r.case_ref
            .as_ref()
            .and_then(|c| closed.get(&(service.to_string(), c.clone())))
            .map(|(_, _, met)| *met)
    };
    for (name, want_met) in [
        ("satisfaction_when_met", true),
        ("satisfaction_when_breached", false),
    ] {
        let answers: Vec<u8> = responses
            .iter()
            .filter(|r| outcome(r) == Some(want_met))
            .filter_map(|r| r.answers[0])
            .collect();
        share(
            &mut row,
            name,
            answers.iter().filter(|&&a| a >= 4).count(),
            answers.len(),
        );
    }

    if channel.is_none() {
        let gap = |value_of: &GroupShare| {
            let mut best: Option<f64> = None;
            for attribute in ["age_band", "disability", "language", "region"] {
                let groups: BTreeSet<&String> = responses
                    .iter()
                    .filter_map(|r| r.segment.get(attribute))
                    .collect();
                let shares: Vec<f64> = groups
                    .into_iter()
                    .filter_map(|group| {
                        let members: Vec<&&Response> = responses
                            .iter()
                            .filter(|r| r.segment.get(attribute) == Some(group))
                            .collect();
                        let (hits, n) = value_of(&members)?;
                        (n as u64 >= K).then(|| hits as f64 / n as f64)
                    })
                    .collect();
                if shares.len() >= 2 {
                    let spread = shares.iter().cloned().fold(f64::MIN, f64::max)
                        - shares.iter().cloned().fold(f64::MAX, f64::min);
                    best = Some(best.map_or(spread, |b: f64| b.max(spread)));
                }
            }
            best
        };
        let satisfaction_gap = gap(&|members| {
            let answers: Vec<u8> = members.iter().filter_map(|r| r.answers[0]).collect();
            Some((answers.iter().filter(|&&a| a >= 4).count(), answers.len()))
        });
        let timeliness_gap = gap(&|members| {
            let linked: Vec<bool> = members.iter().filter_map(|r| outcome(r)).collect();
            Some((linked.iter().filter(|&&m| m).count(), linked.len()))
        });
        // Equity gaps are compared on value only (which pair is named may tie).
        row.insert(
            "equity_gap_satisfaction".into(),
            (satisfaction_gap, u64::MAX),
        );
        row.insert("equity_gap_timeliness".into(), (timeliness_gap, u64::MAX));
    }
    // A service with no service standard has no timeliness to show: not_available.
    if catalog.service(service).is_some_and(|s| s.sla.is_empty()) {
        for timeliness in [
            "sla_compliance",
            "sla_p90_elapsed_days",
            "satisfaction_when_met",
            "satisfaction_when_breached",
            "equity_gap_timeliness",
        ] {
            row.remove(timeliness);
        }
    }
    row
}

pub(crate) fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let m = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[m - 1] + values[m]) / 2.0
    } else {
        values[m]
    })
}

pub(crate) fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => false,
    }
}

pub(crate) fn number(value: &Value) -> Option<f64> {
    value.as_f64()
}
