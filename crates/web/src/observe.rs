//! Observing the server: a request id on every request (`x-request-id`, taken
//! from the client or a proxy when present, otherwise made here, and sent back),
//! one log line per request inside a span carrying that id, and Prometheus
//! metrics by route — the matched route pattern (`/api/v1/rounds/{id}`), never
//! the raw URL, so the number of series stays bounded.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tracing::Instrument;

/// The request-id header.
pub const REQUEST_ID: &str = "x-request-id";

/// Wraps the server's router: request ids, per-request span and log line,
/// request counts and latencies by route.
pub fn instrument(router: Router) -> Router {
    router
        // innermost: runs once the route is matched, so `MatchedPath` is known
        .layer(middleware::from_fn(track))
        .layer(PropagateRequestIdLayer::x_request_id())
        // outermost: every request has an id before anything else sees it
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().as_str().to_owned();
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let resp = next.run(req).instrument(span.clone()).await;
    let status = resp.status().as_u16();
    let elapsed = start.elapsed();
    metrics::counter!(
        "qcdc_http_requests_total",
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!(
        "qcdc_http_request_duration_seconds",
        "method" => method,
        "route" => route
    )
    .record(elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::info!(
            status,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request"
        )
    });
    resp
}
