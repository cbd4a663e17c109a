//! Civic Pulse dashboard API: JSON for Grafana's Infinity datasource and for people.
//!
//! Serves the service catalog, the SLA evaluation of each case, health and readiness; the
//! quality matrix and SLA summary follow.

mod error;
mod metrics;
pub mod sla;
pub mod sla_summary;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use civicpulse_core::Catalog;
use civicpulse_ingest::store::Store;
use serde::Serialize;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

#[derive(Clone)]
pub struct ApiState {
    pub catalog: Arc<Catalog>,
    pub clickhouse: civicpulse_core::config::ClickHouseConfig,
    /// Connected on first use (the server version decides how rows are encoded), then
    /// shared; while ClickHouse is unreachable each request tries again.
    client: Arc<tokio::sync::OnceCell<clickhouse::Client>>,
}

impl ApiState {
    pub fn new(
        catalog: Arc<Catalog>,
        clickhouse: civicpulse_core::config::ClickHouseConfig,
    ) -> Self {
        ApiState {
            catalog,
            clickhouse,
            client: Arc::default(),
        }
    }

    pub async fn store(&self) -> Result<clickhouse::Client, error::ApiError> {
        self.client
            .get_or_try_init(|| async {
                Store::connect(&self.clickhouse)
                    .await
                    .map(|store| store.client)
                    .map_err(|e| error::ApiError::Unavailable(e.to_string()))
            })
            .await
            .cloned()
    }
}

/// One catalog service, flat for Grafana tables.
#[derive(Debug, Serialize)]
pub struct ServiceView {
    pub id: String,
    pub name: String,
    pub category: String,
    pub jurisdiction: String,
    pub channels: String,
    pub time_zone: String,
    pub calendar: String,
}

pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/api/v1/services", get(services))
        .route("/api/v1/sla/cases", get(sla::cases))
        .route("/api/v1/sla/summary", get(sla_summary::summary))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::handler))
        .with_state(state)
}

async fn services(State(state): State<ApiState>) -> Json<Vec<ServiceView>> {
    Json(
        state
            .catalog
            .services
            .iter()
            .map(|s| ServiceView {
                id: s.id.clone(),
                name: s.name.clone(),
                category: s.category.clone(),
                jurisdiction: s.jurisdiction.clone(),
                channels: s
                    .channels
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                time_zone: s.time_zone.name().to_string(),
                calendar: s.calendar.clone(),
            })
            .collect(),
    )
}

/// Ready when ClickHouse answers.
async fn readyz(State(state): State<ApiState>) -> (StatusCode, Json<Value>) {
    match Store::connect(&state.clickhouse).await {
        Ok(store) => (
            StatusCode::OK,
            Json(json!({"status": "ready", "clickhouse": store.server_version})),
        ),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "clickhouse_unreachable", "message": error.to_string()})),
        ),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiServerError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("HTTP server: {0}")]
    Serve(std::io::Error),
}

pub async fn serve(
    addr: SocketAddr,
    state: ApiState,
    shutdown: CancellationToken,
) -> Result<(), ApiServerError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ApiServerError::Bind { addr, source })?;
    tracing::info!(%addr, "dashboard API listening");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
        .map_err(ApiServerError::Serve)
}
