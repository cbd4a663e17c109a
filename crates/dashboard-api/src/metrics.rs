//! `/metrics`: the process's own metrics plus, refreshed at each scrape,
//! - the SLA figures per service and policy from the stored evaluation (30-day window), so
//!   Prometheus can alert on breaches and on at-risk backlogs before they become breaches;
//! - the breach forecast per service, day-limit standard and option (forecast breaches, the
//!   first one's moment, their burn rate, refunds, the throughput measured and the one
//!   needed), so an alert can fire before the first forecast breach;
//! - the quality matrix of the current month per service and dimension: value, status
//!   level (2 green, 1 amber, 0 red) and target. Withheld figures have no series;
//! - emerging issues today per service and theme (and the comments in all): whether the
//!   day is flagged, its count and the baseline's mean; each flagged phrase.

use std::sync::LazyLock;

use axum::extract::State;
use axum::http::header;
use chrono::{Duration, Utc};
use prometheus::{register_gauge_vec, GaugeVec};

use civicpulse_analytics::matrix::GroupBy;
use civicpulse_analytics::period::Period;
use civicpulse_analytics::sla::forecast::{OptionForecast, DEFAULT_WINDOW};
use civicpulse_analytics::sla::summary::PolicySummary;
use civicpulse_store::tables::comment_readings::MentionKind;

use civicpulse_core::access::Role;

use crate::auth::Caller;
use crate::peers;
use crate::routes::emerging::judged;
use crate::routes::matrix::cached_matrix;
use crate::routes::sla_forecast::forecasts;
use crate::routes::sla_summary::summarize_window;
use crate::wire;
use crate::ApiState;

fn gauge(name: &str, help: &str, labels: &[&str]) -> GaugeVec {
    register_gauge_vec!(name, help, labels).expect("metric registers once")
}

/// A gauge and the summary figure it shows (`None`: the figure is undefined, e.g. a ratio
/// of no closed cases, and the series is removed).
type SlaGauge = (GaugeVec, fn(&PolicySummary) -> Option<f64>);

static SLA: LazyLock<[SlaGauge; 9]> = LazyLock::new(|| {
    let labels = ["service_id", "policy"];
    [
        (
            gauge(
                "civicpulse_sla_open_cases",
                "Open cases (started, not stopped, not withdrawn).",
                &labels,
            ),
            |s| Some(s.open as f64),
        ),
        (
            gauge(
                "civicpulse_sla_at_risk_cases",
                "Open cases within at_risk_days of the limit.",
                &labels,
            ),
            |s| Some(s.at_risk as f64),
        ),
        (
            gauge(
                "civicpulse_sla_open_breached_cases",
                "Open cases already past the limit.",
                &labels,
            ),
            |s| Some(s.open_breached as f64),
        ),
        (
            gauge(
                "civicpulse_sla_compliance_ratio",
                "Met / closed over the last 30 days.",
                &labels,
            ),
            |s| s.compliance_ratio,
        ),
        (
            gauge(
                "civicpulse_sla_target_ratio",
                "The policy's target share of cases within the standard.",
                &labels,
            ),
            |s| Some(s.target_ratio),
        ),
        (
            gauge(
                "civicpulse_sla_error_budget_remaining",
                "1 − breached / allowed breaches over the last 30 days.",
                &labels,
            ),
            |s| Some(s.error_budget_remaining),
        ),
        (
            gauge(
                "civicpulse_sla_refunds_owed_amount",
                "Refunds owed for cases closed in the last 30 days.",
                &labels,
            ),
            |s| Some(s.refunds_owed_amount.to_major()),
        ),
        (
            gauge(
                "civicpulse_sla_anomalous_cases",
                "Cases whose milestones break the policy's order (e.g. a stop before any start).",
                &labels,
            ),
            |s| Some(s.anomalies as f64),
        ),
        (
            gauge(
                "civicpulse_sla_closed_cases",
                "Cases closed in the last 30 days.",
                &labels,
            ),
            |s| Some(s.closed as f64),
        ),
    ]
});

static BURN_RATE: LazyLock<GaugeVec> = LazyLock::new(|| {
    gauge(
        "civicpulse_sla_burn_rate",
        "Breached share of cases closed in the window over the allowed share (1 = budget spent exactly).",
        &["service_id", "policy", "window"],
    )
});

/// A forecast gauge and the figure it shows (`None` removes the series).
type ForecastGauge = (GaugeVec, fn(&OptionForecast) -> Option<f64>);

static FORECAST: LazyLock<[ForecastGauge; 6]> = LazyLock::new(|| {
    let labels = ["service_id", "policy", "service_option"];
    [
        (
            gauge(
                "civicpulse_sla_forecast_breaches",
                "Open cases forecast to breach (the queue at the last 10 business days' throughput mixed with the durations of the cases due in them), not counting those already breached.",
                &labels,
            ),
            |f| Some(f.forecast_breaches as f64),
        ),
        (
            gauge(
                "civicpulse_sla_forecast_burn_rate",
                "Forecast breaches' share of the open cases not yet breached over the share the standard allows (1 = budget spent exactly); no series when no open case is left to judge.",
                &labels,
            ),
            |f| f.forecast_burn_rate,
        ),
        (
            gauge(
                "civicpulse_sla_forecast_first_breach_timestamp_seconds",
                "When the first forecast breach happens (its due moment); no series when none is forecast.",
                &labels,
            ),
            |f| f.first_breach_at.map(|t| t.timestamp() as f64),
        ),
        (
            gauge(
                "civicpulse_sla_forecast_refunds_amount",
                "Refunds the forecast breaches would owe.",
                &labels,
            ),
            |f| Some(f.forecast_refund.to_major()),
        ),
        (
            gauge(
                "civicpulse_sla_throughput",
                "Completions per business day over the last 10 business days.",
                &labels,
            ),
            |f| Some(f.throughput),
        ),
        (
            gauge(
                "civicpulse_sla_required_throughput",
                "Completions per business day from tomorrow for no further case to breach; no series when no case can still be saved.",
                &labels,
            ),
            |f| f.required_throughput,
        ),
    ]
});

/// Refreshes the forecast gauges; a database outage leaves the last values and is logged.
async fn refresh_forecast(state: &ApiState) {
    let forecasts = forecasts(state, |_| true, Utc::now(), DEFAULT_WINDOW).await;
    let forecasts = match forecasts {
        Ok(forecasts) => forecasts,
        Err(error) => {
            tracing::warn!(%error, "forecast gauges not refreshed");
            return;
        }
    };
    for forecast in &forecasts {
        let labels = [
            forecast.service_id.as_str(),
            forecast.policy.as_str(),
            forecast.service_option.as_str(),
        ];
        for (gauge, value) in FORECAST.iter() {
            match value(forecast) {
                Some(v) => gauge.with_label_values(&labels).set(v),
                None => {
                    let _ = gauge.remove_label_values(&labels);
                }
            }
        }
    }
}

static MATRIX: LazyLock<[GaugeVec; 3]> = LazyLock::new(|| {
    let labels = ["service_id", "dimension"];
    [
        gauge(
            "civicpulse_matrix_value",
            "The service's figure for the current month (shares as fractions).",
            &labels,
        ),
        gauge(
            "civicpulse_matrix_status_level",
            "Status of the figure for the current month: 2 green, 1 amber, 0 red.",
            &labels,
        ),
        gauge(
            "civicpulse_matrix_target",
            "The catalog's target for the figure.",
            &labels,
        ),
    ]
});

/// Refreshes the matrix gauges from the current month's matrix (cached like the API's).
async fn refresh_matrix(state: &ApiState) {
    let period = Period::month_of(state.today());
    let cells = cached_matrix(state, &period, GroupBy::Service).await;
    let cells = match cells {
        Ok(cells) => cells,
        Err(error) => {
            tracing::warn!(%error, "matrix gauges not refreshed");
            return;
        }
    };
    let [value, level, target] = &*MATRIX;
    for cell in cells.iter() {
        let labels = [cell.service_id.as_str(), cell.dimension.as_str()];
        let level_value = (cell.status.level() >= 0).then(|| cell.status.level() as f64);
        for (gauge, figure) in [
            (value, cell.value),
            (level, level_value),
            (target, cell.target),
        ] {
            match figure {
                Some(v) => gauge.with_label_values(&labels).set(v),
                None => {
                    let _ = gauge.remove_label_values(&labels);
                }
            }
        }
    }
}

static EMERGING: LazyLock<[GaugeVec; 3]> = LazyLock::new(|| {
    let labels = ["service_id", "theme"];
    [
        gauge(
            "civicpulse_theme_emerging",
            "1 when today's comments carrying the theme (theme=\"all-comments\": every comment) are flagged against the service's trailing 28 days (Poisson tail < 0.001, at least 5), else 0.",
            &labels,
        ),
        gauge(
            "civicpulse_theme_mentions_today",
            "Today's comments of the service carrying the theme (all-comments: every comment).",
            &labels,
        ),
        gauge(
            "civicpulse_theme_mentions_expected",
            "Comments per day carrying the theme over the service's trailing 28 days.",
            &labels,
        ),
    ]
});

static PHRASE_EMERGING: LazyLock<GaugeVec> = LazyLock::new(|| {
    gauge(
        "civicpulse_phrase_emerging",
        "Today's comments using the phrase (as written), for each phrase flagged against the service's trailing 28 days; no other phrase has a series.",
        &["service_id", "phrase"],
    )
});

/// The `theme` label of the comments in all.
const ALL_COMMENTS: &str = "all-comments";

/// Refreshes the emerging-issue gauges from today's scan (cached like the API's); the
/// series of a theme no longer judged today go, as a new day starts with no count.
async fn refresh_emerging(state: &ApiState) {
    let today = state.today();
    let Some(tomorrow) = today.succ_opt() else {
        return;
    };
    let judged = match judged(state, &[], today, tomorrow).await {
        Ok(judged) => judged,
        Err(error) => {
            tracing::warn!(%error, "emerging-issue gauges not refreshed");
            return;
        }
    };
    let [emerging, mentions, expected] = &*EMERGING;
    for gauge in [emerging, mentions, expected, &*PHRASE_EMERGING] {
        gauge.reset();
    }
    for j in judged.iter() {
        let theme = match j.kind {
            MentionKind::Theme => j.key.as_str(),
            MentionKind::Comments => ALL_COMMENTS,
            MentionKind::Phrase => {
                if j.judged.emerging {
                    PHRASE_EMERGING
                        .with_label_values(&[j.service_id.as_str(), j.text.as_str()])
                        .set(j.judged.count as f64);
                }
                continue;
            }
        };
        let labels = [j.service_id.as_str(), theme];
        emerging
            .with_label_values(&labels)
            .set(if j.judged.emerging { 1.0 } else { 0.0 });
        mentions
            .with_label_values(&labels)
            .set(j.judged.count as f64);
        expected.with_label_values(&labels).set(j.judged.expected);
    }
}

/// Refreshes the SLA gauges; a database outage leaves the last values and is logged.
async fn refresh(state: &ApiState) {
    let to = Utc::now();
    match summarize_window(state, None, to - Duration::days(30), to).await {
        Ok(summaries) => {
            for summary in &summaries {
                let labels = [summary.service_id.as_str(), summary.policy.as_str()];
                for (gauge, value) in SLA.iter() {
                    match value(summary) {
                        Some(v) => gauge.with_label_values(&labels).set(v),
                        None => {
                            let _ = gauge.remove_label_values(&labels);
                        }
                    }
                }
                for (window, rate) in [
                    ("1d", summary.burn_rate_1d),
                    ("7d", summary.burn_rate_7d),
                    ("30d", summary.burn_rate_30d),
                ] {
                    let labels = [labels[0], labels[1], window];
                    match rate {
                        Some(v) => BURN_RATE.with_label_values(&labels).set(v),
                        None => {
                            let _ = BURN_RATE.remove_label_values(&labels);
                        }
                    }
                }
            }
        }
        Err(error) => tracing::warn!(%error, "SLA gauges not refreshed"),
    }
}

static COMMENTS_READ: LazyLock<GaugeVec> = LazyLock::new(|| {
    gauge(
        "civicpulse_comments_read_24h",
        "Comments a token was given in the last 24 hours, from the access audit.",
        &["token"],
    )
});

static COMMENTS_READ_LIMIT: LazyLock<GaugeVec> = LazyLock::new(|| {
    gauge(
        "civicpulse_comments_read_limit_24h",
        "Comments the token may read in 24 hours before CommentsReadInBulk alerts (its own comments_read_limit_per_day, else dashboard.comments_read_limit_per_day).",
        &["token"],
    )
});

/// The current month's cells whose benchmark a scoped caller may not see and that are judged
/// against it alone (no target): their status would say how its figure stands against too
/// few other governments' services, so their status series is left out of its scrape.
async fn judged_on_withheld_benchmarks(
    state: &ApiState,
    caller: &Caller,
) -> std::collections::HashSet<(String, String)> {
    if !caller.is_scoped() {
        return Default::default();
    }
    let period = Period::month_of(state.today());
    let Ok(cells) = cached_matrix(state, &period, GroupBy::Service).await else {
        return Default::default();
    };
    let mut rows: Vec<wire::Cell> = cells.iter().map(wire::Cell::from).collect();
    let withheld = peers::withhold_revealing_benchmarks(&state.catalog, caller, &mut rows);
    rows.iter()
        .filter(|row| row.target.is_none())
        .map(|row| (row.service_id.clone(), row.dimension.clone()))
        .filter(|key| withheld.contains(key))
        .collect()
}

/// Refreshes the comments each token that may read them was given in the last 24 hours,
/// counted from the audit table itself, so the figure holds whichever instance answered.
async fn refresh_comment_reads(state: &ApiState) {
    let since = Utc::now() - Duration::hours(24);
    for token in state.tokens.iter().filter(|t| t.role >= Role::Analyst) {
        let limit = token
            .comments_read_limit_per_day
            .unwrap_or(state.config.dashboard.comments_read_limit_per_day);
        COMMENTS_READ_LIMIT
            .with_label_values(&[&token.name])
            .set(limit as f64);
        match state.stores().comments_read_since(&token.name, since).await {
            Ok(read) => COMMENTS_READ
                .with_label_values(&[&token.name])
                .set(read as f64),
            Err(error) => {
                tracing::warn!(%error, "comment-read gauges not refreshed");
                return;
            }
        }
    }
}

/// The exposition; with `protect_metrics`, a scoped token's scrape holds only its
/// services' series (and the process's own, which name no service).
pub async fn handler(
    State(state): State<ApiState>,
    caller: Caller,
) -> ([(header::HeaderName, &'static str); 1], String) {
    refresh(&state).await;
    refresh_forecast(&state).await;
    refresh_matrix(&state).await;
    refresh_emerging(&state).await;
    refresh_comment_reads(&state).await;
    let judged_on_withheld = judged_on_withheld_benchmarks(&state, &caller).await;
    // A scoped scrape holds its own services' series, and of the tokens' only its own.
    let text = civicpulse_http_server::exposition::render_where(|metric, labels| {
        let label = |wanted: &str| labels.iter().find(|(n, _)| *n == wanted).map(|(_, v)| *v);
        if metric == "civicpulse_matrix_status_level" {
            if let (Some(service), Some(dimension)) = (label("service_id"), label("dimension")) {
                let key = (service.to_string(), dimension.to_string());
                if judged_on_withheld.contains(&key) {
                    return false;
                }
            }
        }
        labels.iter().all(|(name, value)| match *name {
            "service_id" => caller.sees(value),
            "token" => !caller.is_scoped() || *value == caller.name,
            _ => true,
        })
    });
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}
