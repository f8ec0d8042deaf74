//! The web pages of qcdc, in Vietnamese: server-rendered HTML (maud) with light
//! progressive enhancement (htmx, served by the binary — no CDN). Handlers sign
//! the user in, check the role with the store, call the store and render; the
//! domain rules stay in `qcdc-core` and `qcdc-store`.

mod admin;
mod layout;
mod office;
mod session;
mod unit;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use qcdc_store::Store;

pub use session::SESSION_COOKIE;

/// Shared state of the pages.
#[derive(Clone)]
pub struct WebState {
    pub store: Store,
    /// Send cookies with `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Recent failed sign-ins per (address, username), for rate limiting.
    pub failures: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
}

const HTMX: &str = include_str!("../static/htmx.min.js");
const CSS: &str = include_str!("../static/app.css");
const APP_JS: &str = include_str!("../static/app.js");

/// The page routes (to be merged with the API router).
pub fn router(store: Store, secure_cookies: bool) -> Router {
    let state = WebState {
        store,
        secure_cookies,
        failures: Arc::default(),
    };
    Router::new()
        .route("/", get(session::home))
        .route(
            "/static/htmx.min.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, "max-age=86400"),
                    ],
                    HTMX,
                )
                    .into_response()
            }),
        )
        .route(
            "/static/app.css",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, "max-age=3600"),
                    ],
                    CSS,
                )
                    .into_response()
            }),
        )
        .route(
            "/static/app.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, "max-age=3600"),
                    ],
                    APP_JS,
                )
                    .into_response()
            }),
        )
        .route("/dang-nhap", get(session::login_page).post(session::login))
        .route("/dang-xuat", post(session::logout))
        .route(
            "/doi-mat-khau",
            get(session::password_page).post(session::change_password),
        )
        .route("/viec-can-lam", get(unit::todo))
        .route("/dot", get(office::dashboard))
        .route(
            "/dot/moi",
            get(office::new_round_page).post(office::create_round),
        )
        .route("/dot/{id}", get(office::round_page))
        .route("/dot/{id}/bao-cao/{unit}", get(unit::report_page))
        .route("/dot/{id}/bao-cao/{unit}/luu", post(unit::save))
        .route("/dot/{id}/bao-cao/{unit}/gui", post(unit::submit))
        .route("/dot/{id}/bao-cao/{unit}/nhap-tep", post(unit::upload))
        .route(
            "/dot/{id}/bao-cao/{unit}/dieu-chinh",
            post(unit::correction),
        )
        .route(
            "/dot/{id}/bao-cao/{unit}/tra-lai",
            post(office::return_report),
        )
        .route(
            "/dot/{id}/bao-cao/{unit}/tiep-nhan",
            post(office::accept_report),
        )
        .route("/dot/{id}/tong-hop/{unit}", get(office::consolidation))
        .route("/dot/{id}/tong-hop/{unit}/su-dung", post(office::adopt))
        .route("/quan-tri/don-vi", get(admin::units).post(admin::save_unit))
        .route("/quan-tri/don-vi/nhap", post(admin::import_units))
        .route(
            "/quan-tri/nguoi-dung",
            get(admin::users).post(admin::add_user),
        )
        .route(
            "/quan-tri/mau",
            get(admin::templates).post(admin::import_template),
        )
        .route("/quan-tri/mau/{code}", get(admin::template_page))
        .with_state(state)
}
