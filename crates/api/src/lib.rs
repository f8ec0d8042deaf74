//! The JSON API of qcdc (axum). Handlers are thin: they authenticate, check the
//! permission with `qcdc_core::access`, call the [`Store`], and answer JSON. The
//! OpenAPI document (`openapi.json`, served at `/api/v1/openapi.json`) lists every route.

mod auth;
mod error;
mod handlers;

use std::time::Duration;

use axum::Router;
use axum::routing::{get, post, put};
use qcdc_store::Store;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

pub use error::{ApiError, status_of};

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
}

/// The OpenAPI document.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Every route as (method, path) — the OpenAPI document must describe each one.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/health"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/units"),
    ("get", "/api/v1/units/export"),
    ("post", "/api/v1/units/import"),
    ("get", "/api/v1/units/{code}"),
    ("get", "/api/v1/templates"),
    ("post", "/api/v1/templates"),
    ("get", "/api/v1/templates/{code}"),
    ("get", "/api/v1/periods/{period}"),
    ("get", "/api/v1/rounds"),
    ("post", "/api/v1/rounds"),
    ("get", "/api/v1/rounds/{id}"),
    ("post", "/api/v1/rounds/{id}/close"),
    ("post", "/api/v1/rounds/{id}/reopen"),
    ("get", "/api/v1/rounds/{id}/status"),
    ("get", "/api/v1/rounds/{id}/submissions/{unit}"),
    ("put", "/api/v1/rounds/{id}/submissions/{unit}/draft"),
    ("post", "/api/v1/rounds/{id}/submissions/{unit}/submit"),
    ("post", "/api/v1/rounds/{id}/submissions/{unit}/return"),
    ("post", "/api/v1/rounds/{id}/submissions/{unit}/accept"),
    ("post", "/api/v1/rounds/{id}/submissions/{unit}/correction"),
    ("get", "/api/v1/rounds/{id}/submissions/{unit}/history"),
    ("post", "/api/v1/rounds/{id}/submissions/{unit}/import"),
    ("post", "/api/v1/check"),
    ("get", "/api/v1/rounds/{id}/consolidation/{unit}"),
    ("post", "/api/v1/rounds/{id}/consolidation/{unit}/adopt"),
];

/// Builds the application router.
pub fn router(store: Store) -> Router {
    use handlers::*;
    Router::new()
        .route("/api/v1/health", get(health))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/auth/token", post(token))
        .route("/api/v1/me", get(me))
        .route("/api/v1/units", get(list_units))
        .route("/api/v1/units/export", get(export_units))
        .route("/api/v1/units/import", post(import_units))
        .route("/api/v1/units/{code}", get(get_unit))
        .route(
            "/api/v1/templates",
            get(list_templates).post(import_template),
        )
        .route("/api/v1/templates/{code}", get(get_template))
        .route("/api/v1/periods/{period}", get(get_period))
        .route("/api/v1/rounds", get(list_rounds).post(create_round))
        .route("/api/v1/rounds/{id}", get(get_round))
        .route("/api/v1/rounds/{id}/close", post(close_round))
        .route("/api/v1/rounds/{id}/reopen", post(reopen_round))
        .route("/api/v1/rounds/{id}/status", get(round_status))
        .route(
            "/api/v1/rounds/{id}/submissions/{unit}",
            get(get_submission),
        )
        .route(
            "/api/v1/rounds/{id}/submissions/{unit}/draft",
            put(save_draft),
        )
        .route(
            "/api/v1/rounds/{id}/submissions/{unit}/submit",
            post(submit),
        )
        .route(
            "/api/v1/rounds/{id}/submissions/{unit}/return",
            post(return_submission),
        )
        .route(
            "/api/v1/rounds/{id}/submissions/{unit}/accept",
            post(accept),
        )
        .route(
            "/api/v1/rounds/{id}/submissions/{unit}/correction",
            post(correction),
        )
        .route(
            "/api/v1/rounds/{id}/submissions/{unit}/history",
            get(history),
        )
        .route(
            "/api/v1/rounds/{id}/submissions/{unit}/import",
            post(import_report),
        )
        .route("/api/v1/check", post(check_report))
        .route(
            "/api/v1/rounds/{id}/consolidation/{unit}",
            get(consolidation),
        )
        .route(
            "/api/v1/rounds/{id}/consolidation/{unit}/adopt",
            post(adopt),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(RequestBodyLimitLayer::new(16 * 1024 * 1024))
        .layer(TraceLayer::new_for_http())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .with_state(AppState { store })
}
