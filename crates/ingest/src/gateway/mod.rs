//! The HTTP gateway: clients' only way in. Authenticates each source, validates and scrubs
//! events, and hands them to Kafka durably before answering.

mod auth;
mod body;
mod error;
pub mod invitations;
pub mod public;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use civicpulse_core::config::{Config, GatewayConfig, KafkaConfig};
use civicpulse_core::Catalog;
use civicpulse_http_server::{BodyBounds, RouteTable};
use serde_json::json;
use tokio_util::sync::CancellationToken;

pub use auth::ApiKeys;
pub use error::RequestError;
pub use routes::{IngestResponse, ItemResult, ItemStatus};

use crate::metrics;
use crate::producer::{EventProducer, KafkaProducer, ProduceError};
use crate::topics::{ensure_topics, TopicError};

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error(transparent)]
    Producer(#[from] ProduceError),
    #[error(transparent)]
    Topics(#[from] TopicError),
    #[error(transparent)]
    Listen(#[from] civicpulse_http_server::ServeError),
    #[error(transparent)]
    Sites(#[from] public::SiteError),
}

#[derive(Clone)]
pub struct GatewayState {
    pub catalog: Arc<Catalog>,
    pub producer: Arc<dyn EventProducer>,
    pub kafka: Arc<KafkaConfig>,
    pub config: Arc<GatewayConfig>,
    pub api_keys: Arc<ApiKeys>,
    /// The sites that may embed the widget (`gateway.sites`), with their rate limits.
    pub sites: Arc<public::Sites>,
    /// Survey invitations (`gateway.invitations`).
    pub invitations: Arc<invitations::Invitations>,
}

/// Every route the gateway serves, in the one place they are listed.
pub fn route_table(state: &GatewayState) -> RouteTable<GatewayState> {
    RouteTable::new()
        .merge(public::routes(&state.sites))
        .merge(invitations::routes())
        .route("/v1/events", post(routes::post_events))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(civicpulse_http_server::exposition::handler))
}

/// The bounds on every request body: `limits.body_read_timeout_secs` and `max_body_bytes`.
pub fn body_bounds(config: &GatewayConfig) -> BodyBounds {
    BodyBounds {
        deadline: config.limits.body_read_timeout(),
        max_bytes: config.max_body_bytes,
    }
}

/// The gateway's routes, every request body bounded by one layer over them all.
pub fn router(state: GatewayState) -> Router {
    let bounds = body_bounds(&state.config);
    let router = route_table(&state)
        .into_router()
        .fallback(
            |uri: axum::http::Uri| async move { RequestError::NotFound(uri.path().to_string()) },
        )
        .method_not_allowed_fallback(
            |method: axum::http::Method, uri: axum::http::Uri| async move {
                RequestError::MethodNotAllowed {
                    method: method.to_string(),
                    path: uri.path().to_string(),
                }
            },
        )
        .with_state(state);
    civicpulse_http_server::bound_bodies(router, bounds)
}

/// Ready when Kafka answers a metadata request.
async fn readyz(State(state): State<GatewayState>) -> (StatusCode, Json<serde_json::Value>) {
    if state.producer.reachable().await {
        (StatusCode::OK, Json(json!({"status": "ready"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "kafka_unreachable"})),
        )
    }
}

/// Creates the topics, then serves until `shutdown` is cancelled, then flushes the producer.
pub async fn serve(
    config: &Config,
    catalog: Arc<Catalog>,
    shutdown: CancellationToken,
) -> Result<(), GatewayError> {
    metrics::register_all();
    // A site that could never take its feedback is refused before anyone meets it.
    let sites = public::Sites::new(&config.gateway.sites, &catalog)?;
    sites.check_demo(&config.gateway.public.demo_site)?;
    ensure_topics(&config.kafka, &config.retention).await?;
    let producer = KafkaProducer::new(&config.kafka, &config.gateway)?;
    let state = GatewayState {
        catalog,
        producer: Arc::new(producer.clone()),
        kafka: Arc::new(config.kafka.clone()),
        config: Arc::new(config.gateway.clone()),
        api_keys: Arc::new(ApiKeys::new(&config.gateway.api_keys)),
        sites: Arc::new(sites),
        invitations: Arc::new(invitations::Invitations::new(
            &config.gateway.invitations,
            Some(
                civicpulse_store::Store::server_client(&config.clickhouse)
                    .with_database(&config.clickhouse.database),
            ),
        )),
    };
    // The sinks' lag, measured here too, so it is seen when every sink is down.
    let lag_watcher = {
        let (kafka, sink) = (config.kafka.clone(), config.sink.clone());
        let stop = shutdown.child_token();
        tokio::spawn(async move {
            let topics = crate::sink::group_lag::event_topics(&kafka);
            if let Err(error) =
                crate::sink::group_lag::watch(&kafka, &sink, topics, None, stop).await
            {
                tracing::warn!(%error, "the gateway cannot measure the sinks' lag");
            }
        })
    };
    let addr = config.gateway.listen;
    let listener = civicpulse_http_server::bind(addr).await?;
    tracing::info!(%addr, "gateway listening");
    civicpulse_http_server::serve(listener, router(state), &config.gateway.limits, shutdown).await;
    lag_watcher.abort();
    producer.flush(Duration::from_secs(10));
    tracing::info!("gateway stopped");
    Ok(())
}
