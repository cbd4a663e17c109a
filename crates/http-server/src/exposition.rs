//! The Prometheus text exposition of every metric registered in the process-wide default
//! registry, so that one `/metrics` shows every component running in the process; and a
//! `/metrics`-only server for components without an HTTP API of their own.

use prometheus::{Encoder, TextEncoder};

/// The text exposition of every registered metric.
pub fn render() -> String {
    render_where(|_, _| true)
}

/// The text exposition of the series `keep` accepts by metric name and labels (name, value
/// pairs), e.g. only some services' series for a reader limited to them.
pub fn render_where(keep: impl Fn(&str, &[(&str, &str)]) -> bool) -> String {
    let mut families = prometheus::gather();
    for family in &mut families {
        let name = family.name().to_string();
        let metrics: Vec<_> = family
            .take_metric()
            .into_iter()
            .filter(|metric| {
                let labels: Vec<(&str, &str)> = metric
                    .get_label()
                    .iter()
                    .map(|l| (l.name(), l.value()))
                    .collect();
                keep(&name, &labels)
            })
            .collect();
        family.set_metric(metrics);
    }
    families.retain(|family| !family.get_metric().is_empty());
    let mut buffer = Vec::new();
    TextEncoder::new()
        .encode(&families, &mut buffer)
        .expect("text encoding into a Vec cannot fail");
    String::from_utf8(buffer).expect("the text format is UTF-8")
}

/// An axum handler serving the exposition, for any component's router.
pub async fn handler() -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        render(),
    )
}

/// Serves only `/metrics` on `addr` until `stop`, for components without their own HTTP API,
/// with the same bounds on slow clients as the APIs (their defaults).
pub async fn serve(
    addr: std::net::SocketAddr,
    stop: tokio_util::sync::CancellationToken,
) -> Result<(), crate::ServeError> {
    let app = axum::Router::new().route("/metrics", axum::routing::get(handler));
    let listener = crate::bind(addr).await?;
    tracing::info!(%addr, "metrics listening");
    let limits = civicpulse_core::config::HttpLimits::default();
    crate::serve(listener, app, &limits, stop).await;
    Ok(())
}
