//! Civic Pulse dashboard API: JSON for Grafana's Infinity datasource and for people.
//!
//! `/api/v1/*` (bearer token): the catalog, the quality matrix of any period and breakdown,
//! time series, intervention evaluations and SLA figures (cases, summaries, the remission
//! ledger, breach forecasts, exceptional circumstances), as flat JSON arrays or CSV, with
//! an OpenAPI document generated from this code at `/api/v1/openapi.json`. Open:
//! `/healthz`, `/readyz`, `/metrics` (per-service gauges for Prometheus).

mod audit;
mod auth;
mod cache;
mod error;
mod metrics;
pub mod openapi;
mod params;
mod peers;
mod request_id;
mod respond;
pub mod routes;
pub mod wire;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{NaiveDate, Utc};
use civicpulse_core::access::{Role, Token};
use civicpulse_core::calendar::local_date;
use civicpulse_core::config::{ClickHouseConfig, HttpLimits, MatrixConfig};
use civicpulse_core::{Catalog, Config};
use civicpulse_http_server::BodyBounds;
use civicpulse_store::{ClickHouseStore, Store, Stores};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

pub use error::ApiError;

/// Largest request body on any route (413 beyond it): only changes carry one, an exception
/// declaration or a comment's correction of a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Clone)]
pub struct ApiState {
    pub catalog: Arc<Catalog>,
    pub clickhouse: ClickHouseConfig,
    pub matrix: MatrixConfig,
    pub limits: HttpLimits,
    /// The whole configuration, for live reports (matrix rules, Prometheus to read).
    pub config: Arc<Config>,
    tokens: Arc<Vec<Token>>,
    cache: cache::Caches,
    /// Where the figures are read: ClickHouse, or the in-memory store of the tests.
    stores: Arc<dyn Stores>,
}

impl ApiState {
    /// A state reading ClickHouse, connected on first use (while it is unreachable each
    /// request tries again).
    pub fn new(catalog: Arc<Catalog>, config: &Config) -> Self {
        let stores = Arc::new(ClickHouseStore::lazy(config.clickhouse.clone()));
        ApiState::with_stores(catalog, config, stores)
    }

    /// A state reading `stores`.
    pub fn with_stores(catalog: Arc<Catalog>, config: &Config, stores: Arc<dyn Stores>) -> Self {
        ApiState {
            catalog,
            clickhouse: config.clickhouse.clone(),
            matrix: config.matrix.clone(),
            limits: config.dashboard.limits.clone(),
            config: Arc::new(config.clone()),
            tokens: Arc::new(config.dashboard.tokens.clone()),
            cache: cache::Caches::new(config.dashboard.cache_secs),
            stores,
        }
    }

    pub fn stores(&self) -> &dyn Stores {
        self.stores.as_ref()
    }

    /// The deployment's reporting time zone, in which request dates are read.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.catalog.reporting_zone()
    }

    /// Today in `zone`: periods and intervention windows are local dates.
    pub fn today(&self) -> NaiveDate {
        local_date(Utc::now(), self.zone())
    }
}

pub fn router(state: ApiState) -> Router {
    let api = Router::new()
        .route("/api/v1/services", get(routes::services::list))
        .route("/api/v1/matrix", get(routes::matrix::matrix))
        .route(
            "/api/v1/matrix/snapshots",
            get(routes::snapshots::snapshots),
        )
        .route("/api/v1/timeseries", get(routes::timeseries::timeseries))
        .route("/api/v1/themes", get(routes::themes::themes))
        .route("/api/v1/themes/emerging", get(routes::emerging::emerging))
        .route(
            "/api/v1/interventions",
            get(routes::interventions::interventions),
        )
        // Deprecated alias of `/api/v1/interventions`, kept for one release (issue 23).
        .route(
            "/api/v1/innovations",
            get(routes::interventions::interventions),
        )
        .route("/api/v1/sla/summary", get(routes::sla_summary::summary))
        .route(
            "/api/v1/sla/remissions",
            get(routes::sla_remissions::remissions),
        )
        .route("/api/v1/sla/forecast", get(routes::sla_forecast::forecast))
        .route("/api/v1/sla/exceptions", get(routes::sla_exceptions::list))
        .route(
            "/api/v1/sla/exceptions/{id}/history",
            get(routes::sla_exceptions::history),
        )
        .route(
            "/api/v1/exports/gc-service-std",
            get(routes::exports::gc_service_std),
        )
        .route("/api/v1/exports/omb-a11", get(routes::exports::omb_a11))
        .route(
            "/api/v1/exports/govuk-kpis",
            get(routes::exports::govuk_kpis),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            (state.clone(), Role::Viewer),
            auth::require,
        ));
    // What citizens wrote (and correcting what was read in it), and single cases by their
    // reference, need the analyst role.
    let analyst = Router::new()
        .route("/api/v1/feedback/comments", get(routes::comments::comments))
        .route(
            "/api/v1/themes/suggestions",
            get(routes::theme_suggestions::suggestions),
        )
        .route(
            "/api/v1/feedback/comments/{event_id}/themes",
            post(routes::corrections::correct),
        )
        .route(
            "/api/v1/themes/corrections",
            get(routes::corrections::corrections),
        )
        .route("/api/v1/sla/cases", get(routes::sla_cases::cases))
        .route_layer(axum::middleware::from_fn_with_state(
            (state.clone(), Role::Analyst),
            auth::require,
        ));
    // Changes need an admin token; the same paths answer GET with a viewer's.
    let admin = Router::new()
        .route(
            "/api/v1/sla/exceptions",
            post(routes::sla_exceptions::declare),
        )
        .route(
            "/api/v1/sla/exceptions/{id}",
            delete(routes::sla_exceptions::withdraw),
        )
        .route("/api/v1/audit", get(routes::audit::audit))
        .route("/api/v1/erasures", post(routes::erasures::erase))
        .route_layer(axum::middleware::from_fn_with_state(
            (state.clone(), Role::Admin),
            auth::require,
        ));
    let reports = Router::new()
        .route("/api/v1/reports", get(routes::reports::list))
        .route(
            "/api/v1/reports/{period}/{lang}/{file}",
            get(routes::reports::file),
        )
        .route(
            "/api/v1/reports/{period}/{lang}/revisions/{revision}/{file}",
            get(routes::reports::revision_file),
        )
        .route("/reports/{period}", get(routes::reports::live));
    // Public reports need no token; by default they need one like the rest of the API.
    let reports = if state.config.reports.public {
        reports
    } else {
        reports.route_layer(axum::middleware::from_fn_with_state(
            (state.clone(), Role::Viewer),
            auth::require,
        ))
    };
    // Prometheus scrapes `/metrics` openly, or with a token when `protect_metrics` is on.
    let metrics = Router::new().route("/metrics", get(metrics::handler));
    let metrics = if state.config.dashboard.protect_metrics {
        metrics.route_layer(axum::middleware::from_fn_with_state(
            (state.clone(), Role::Viewer),
            auth::require,
        ))
    } else {
        metrics
    };
    let bounds = BodyBounds {
        deadline: state.limits.body_read_timeout(),
        max_bytes: MAX_BODY_BYTES,
    };
    let router = Router::new()
        .merge(api)
        .merge(analyst)
        .merge(admin)
        .merge(reports)
        .merge(metrics)
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .fallback(|uri: axum::http::Uri| async move { ApiError::NotFound(uri.path().to_string()) })
        .method_not_allowed_fallback(|method: axum::http::Method| async move {
            ApiError::MethodNotAllowed(method.to_string())
        })
        .layer(axum::middleware::from_fn(request_id::assign))
        .with_state(state);
    civicpulse_http_server::bound_bodies(router, bounds)
}

/// Ready when ClickHouse answers.
async fn readyz(State(state): State<ApiState>) -> (StatusCode, Json<Value>) {
    match Store::connect(&state.clickhouse).await {
        Ok(store) => (
            StatusCode::OK,
            Json(json!({"status": "ready", "clickhouse": store.server_version})),
        ),
        Err(error) => {
            let request_id = request_id::current();
            tracing::warn!(%request_id, %error, "readiness: ClickHouse unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "clickhouse_unreachable", "request_id": request_id})),
            )
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiServerError {
    #[error(transparent)]
    Listen(#[from] civicpulse_http_server::ServeError),
    #[error("{0}")]
    Scope(String),
}

pub async fn serve(
    addr: SocketAddr,
    state: ApiState,
    shutdown: CancellationToken,
) -> Result<(), ApiServerError> {
    if let Some((token, unknown)) = state
        .tokens
        .iter()
        .find_map(|t| Some((&t.name, t.scope.unknown_in(&state.catalog)?)))
    {
        return Err(ApiServerError::Scope(format!(
            "dashboard.tokens: the scope of `{token}` names {unknown}, which the catalog does not have"
        )));
    }
    let listener = civicpulse_http_server::bind(addr).await?;
    if state.tokens.is_empty() {
        tracing::warn!("no dashboard.tokens configured: every /api/v1 request will be refused");
    }
    tracing::info!(%addr, "dashboard API listening");
    let limits = state.limits.clone();
    civicpulse_http_server::serve(listener, router(state), &limits, shutdown).await;
    Ok(())
}
