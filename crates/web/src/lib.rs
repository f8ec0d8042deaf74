//! The web pages of qcdc, in Vietnamese: server-rendered HTML (maud) with light
//! progressive enhancement (htmx, served by the binary — no CDN). Handlers sign
//! the user in, parse the form, call the use-case layer and render its view
//! models; permissions and rules live in `qcdc-app` and `qcdc-core`.
//!
//! Every page route is declared once in [`page_routes`] (method, path, whether a
//! sign-in is needed); the router is built from it and the tests walk it.

mod admin;
mod books;
mod documents;
mod layout;
pub mod observe;
mod office;
mod registers;
mod session;
mod unit;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::http::{Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get, post};
use qcdc_app::App;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use session::SESSION_COOKIE;

/// Shared state of the pages.
#[derive(Clone)]
pub struct WebState {
    pub app: App,
    /// Send cookies with `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
}

const HTMX: &str = include_str!("../static/htmx.min.js");
const CSS: &str = include_str!("../static/app.css");
const APP_JS: &str = include_str!("../static/app.js");

/// Who may open a page before the use case decides on the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAccess {
    Public,
    SignedIn,
}

/// One page route.
pub struct PageRoute {
    pub method: Method,
    pub path: &'static str,
    pub access: PageAccess,
    pub handler: MethodRouter<WebState>,
}

fn asset(body: &'static str, ct: &'static str, max_age: &'static str) -> MethodRouter<WebState> {
    get(move || async move {
        (
            [(header::CONTENT_TYPE, ct), (header::CACHE_CONTROL, max_age)],
            body,
        )
            .into_response()
    })
}

macro_rules! page {
    (GET $path:literal, $access:ident, $h:expr) => {
        PageRoute {
            method: Method::GET,
            path: $path,
            access: PageAccess::$access,
            handler: get($h),
        }
    };
    (POST $path:literal, $access:ident, $h:expr) => {
        PageRoute {
            method: Method::POST,
            path: $path,
            access: PageAccess::$access,
            handler: post($h),
        }
    };
}

/// Every page route.
pub fn page_routes() -> Vec<PageRoute> {
    vec![
        page!(GET "/", Public, session::home),
        PageRoute {
            method: Method::GET,
            path: "/static/htmx.min.js",
            access: PageAccess::Public,
            handler: asset(HTMX, "text/javascript; charset=utf-8", "max-age=86400"),
        },
        PageRoute {
            method: Method::GET,
            path: "/static/app.css",
            access: PageAccess::Public,
            handler: asset(CSS, "text/css; charset=utf-8", "max-age=3600"),
        },
        PageRoute {
            method: Method::GET,
            path: "/static/app.js",
            access: PageAccess::Public,
            handler: asset(APP_JS, "text/javascript; charset=utf-8", "max-age=3600"),
        },
        page!(GET "/dang-nhap", Public, session::login_page),
        page!(POST "/dang-nhap", Public, session::login),
        page!(POST "/dang-xuat", SignedIn, session::logout),
        page!(GET "/doi-mat-khau", SignedIn, session::password_page),
        page!(POST "/doi-mat-khau", SignedIn, session::change_password),
        page!(GET "/viec-can-lam", SignedIn, unit::todo),
        page!(POST "/thong-bao/da-doc", SignedIn, unit::mark_read),
        page!(GET "/dot", SignedIn, office::dashboard),
        page!(GET "/dot/moi", SignedIn, office::new_round_page),
        page!(POST "/dot/moi", SignedIn, office::create_round),
        page!(GET "/dot/{id}", SignedIn, office::round_page),
        page!(POST "/dot/{id}/ket-thuc", SignedIn, office::close_round),
        page!(POST "/dot/{id}/mo-lai", SignedIn, office::reopen_round),
        page!(POST "/dot/{id}/gia-han", SignedIn, office::extend_deadline),
        page!(POST "/dot/{id}/gia-han-don-vi", SignedIn, office::extend_unit_deadline),
        page!(POST "/dot/{id}/nhac", SignedIn, office::remind),
        page!(POST "/dot/{id}/lich-nhac", SignedIn, office::save_schedule),
        page!(GET "/dot/{id}/bao-cao/{unit}", SignedIn, unit::report_page),
        page!(POST "/dot/{id}/bao-cao/{unit}/luu", SignedIn, unit::save),
        page!(POST "/dot/{id}/bao-cao/{unit}/gui", SignedIn, unit::submit),
        page!(POST "/dot/{id}/bao-cao/{unit}/nhap-tep", SignedIn, unit::upload),
        page!(POST "/dot/{id}/bao-cao/{unit}/dieu-chinh", SignedIn, unit::correction),
        page!(POST "/dot/{id}/bao-cao/{unit}/tra-lai", SignedIn, office::return_report),
        page!(POST "/dot/{id}/bao-cao/{unit}/tiep-nhan", SignedIn, office::accept_report),
        page!(GET "/dot/{id}/tong-hop/{unit}", SignedIn, office::consolidation),
        page!(GET "/dot/{id}/tong-hop/{unit}/chi-tieu/{indicator}", SignedIn, office::per_unit),
        page!(GET "/dot/{id}/tong-hop/{unit}/noi-dung", SignedIn, office::narrative),
        page!(POST "/dot/{id}/tong-hop/{unit}/su-dung", SignedIn, office::adopt),
        page!(GET "/dot/{id}/cong-van", SignedIn, documents::letter),
        page!(POST "/dot/{id}/cong-van/phat-hanh", SignedIn, documents::issue_letter),
        page!(GET "/dot/{id}/bao-cao/{unit}/tai", SignedIn, documents::report),
        page!(POST "/dot/{id}/bao-cao/{unit}/phat-hanh", SignedIn, documents::issue_report),
        page!(GET "/dot/{id}/bao-cao/{unit}/bieu-mau", SignedIn, documents::form_xlsx),
        PageRoute {
            method: Method::POST,
            path: "/dot/{id}/bao-cao/{unit}/nop-excel",
            access: PageAccess::SignedIn,
            handler: post(unit::import_xlsx)
                .layer(DefaultBodyLimit::max(documents::XLSX_UPLOAD_LIMIT)),
        },
        page!(GET "/dot/{id}/tong-hop/{unit}/soan", SignedIn, documents::draft_page),
        page!(POST "/dot/{id}/tong-hop/{unit}/soan", SignedIn, documents::save_draft),
        page!(POST "/dot/{id}/tong-hop/{unit}/phat-hanh", SignedIn, documents::issue_consolidated),
        page!(GET "/dot/{id}/tong-hop/{unit}/tai", SignedIn, documents::consolidated),
        page!(GET "/dot/{id}/tong-hop/{unit}/excel", SignedIn, documents::consolidation_xlsx),
        page!(GET "/dot/{id}/bao-cao/{unit}/nguon/{indicator}", SignedIn, registers::source_records_page),
        page!(GET "/so-don/{unit}", SignedIn, registers::list_page),
        page!(POST "/so-don/{unit}", SignedIn, registers::record),
        page!(GET "/don/{petition}", SignedIn, registers::petition_page),
        page!(POST "/don/{petition}/buoc", SignedIn, registers::add_step),
        page!(GET "/so-tiep-dan/{unit}", SignedIn, registers::reception_page),
        page!(GET "/so-don/{unit}/excel", SignedIn, registers::petitions_xlsx),
        page!(GET "/so-tiep-dan/{unit}/excel", SignedIn, registers::receptions_xlsx),
        PageRoute {
            method: Method::POST,
            path: "/so-don/{unit}/excel",
            access: PageAccess::SignedIn,
            handler: post(registers::import_petitions)
                .layer(DefaultBodyLimit::max(documents::XLSX_UPLOAD_LIMIT)),
        },
        PageRoute {
            method: Method::POST,
            path: "/so-tiep-dan/{unit}/excel",
            access: PageAccess::SignedIn,
            handler: post(registers::import_receptions)
                .layer(DefaultBodyLimit::max(documents::XLSX_UPLOAD_LIMIT)),
        },
        page!(POST "/so-tiep-dan/{unit}", SignedIn, registers::record_reception),
        page!(POST "/don/{petition}/vu-viec", SignedIn, registers::link_case),
        page!(GET "/so-theo-doi", SignedIn, books::hub),
        page!(GET "/so-theo-doi/{unit}", SignedIn, books::unit_hub),
        page!(GET "/so-doi-thoai/{unit}", SignedIn, books::dialogues_page),
        page!(POST "/so-doi-thoai/{unit}", SignedIn, books::record_dialogue),
        page!(GET "/so-kiem-tra/{unit}", SignedIn, books::inspections_page),
        page!(POST "/so-kiem-tra/{unit}", SignedIn, books::record_inspection),
        page!(GET "/so-mo-hinh/{unit}", SignedIn, books::models_page),
        page!(POST "/so-mo-hinh/{unit}", SignedIn, books::record_model),
        page!(GET "/so-doi-thoai/{unit}/excel", SignedIn, books::dialogues_xlsx),
        PageRoute {
            method: Method::POST,
            path: "/so-doi-thoai/{unit}/excel",
            access: PageAccess::SignedIn,
            handler: post(books::import_dialogues)
                .layer(DefaultBodyLimit::max(documents::XLSX_UPLOAD_LIMIT)),
        },
        page!(GET "/so-kiem-tra/{unit}/excel", SignedIn, books::inspections_xlsx),
        PageRoute {
            method: Method::POST,
            path: "/so-kiem-tra/{unit}/excel",
            access: PageAccess::SignedIn,
            handler: post(books::import_inspections)
                .layer(DefaultBodyLimit::max(documents::XLSX_UPLOAD_LIMIT)),
        },
        page!(GET "/so-mo-hinh/{unit}/excel", SignedIn, books::models_xlsx),
        PageRoute {
            method: Method::POST,
            path: "/so-mo-hinh/{unit}/excel",
            access: PageAccess::SignedIn,
            handler: post(books::import_models)
                .layer(DefaultBodyLimit::max(documents::XLSX_UPLOAD_LIMIT)),
        },
        page!(GET "/quan-tri/van-ban/{code}", SignedIn, documents::settings_page),
        page!(POST "/quan-tri/van-ban/{code}", SignedIn, documents::save_settings),
        page!(GET "/quan-tri/don-vi", SignedIn, admin::units),
        page!(POST "/quan-tri/don-vi", SignedIn, admin::save_unit),
        page!(POST "/quan-tri/don-vi/nhap", SignedIn, admin::import_units),
        page!(GET "/quan-tri/nguoi-dung", SignedIn, admin::users),
        page!(POST "/quan-tri/nguoi-dung", SignedIn, admin::add_user),
        page!(POST "/quan-tri/nguoi-dung/vai-tro", SignedIn, admin::grant_role),
        page!(POST "/quan-tri/nguoi-dung/nhap", SignedIn, admin::import_users),
        page!(POST "/quan-tri/nguoi-dung/{username}/khoa", SignedIn, admin::disable_user),
        page!(POST "/quan-tri/nguoi-dung/{username}/mo-khoa", SignedIn, admin::enable_user),
        page!(POST "/quan-tri/nguoi-dung/{username}/dat-lai-mat-khau", SignedIn, admin::reset_password),
        page!(POST "/quan-tri/nguoi-dung/{username}/thu-dien-tu", SignedIn, admin::set_email),
        page!(GET "/quan-tri/nguoi-dung/{username}/phien", SignedIn, admin::sign_ins_page),
        page!(POST "/quan-tri/nguoi-dung/{username}/phien/thu-hoi", SignedIn, admin::revoke_sign_ins),
        page!(GET "/quan-tri/mau", SignedIn, admin::templates),
        page!(POST "/quan-tri/mau", SignedIn, admin::import_template),
        page!(GET "/quan-tri/mau/{code}", SignedIn, admin::template_page),
        page!(GET "/quan-tri/cai-dat", SignedIn, admin::settings),
    ]
}

/// The largest upload of a report (a Word report with pictures).
pub const UPLOAD_LIMIT: usize = 32 * 1024 * 1024;
/// The largest units, users or template file an admin uploads.
pub const ADMIN_UPLOAD_LIMIT: usize = 16 * 1024 * 1024;
/// The largest report form (figures and narrative typed on the page).
pub const REPORT_FORM_LIMIT: usize = 4 * 1024 * 1024;
/// Every other form.
pub const FORM_LIMIT: usize = 256 * 1024;

/// The deliberate body limit of a page route: uploads take tens of MB, the
/// report and draft forms a few, everything else a small form.
pub fn body_limit(path: &str) -> usize {
    match path {
        "/dot/{id}/bao-cao/{unit}/nhap-tep" => UPLOAD_LIMIT,
        "/dot/{id}/bao-cao/{unit}/nop-excel" => documents::XLSX_UPLOAD_LIMIT,
        "/quan-tri/don-vi/nhap" | "/quan-tri/nguoi-dung/nhap" | "/quan-tri/mau" => {
            ADMIN_UPLOAD_LIMIT
        }
        "/dot/{id}/bao-cao/{unit}/luu"
        | "/dot/{id}/bao-cao/{unit}/gui"
        | "/dot/{id}/tong-hop/{unit}/soan" => REPORT_FORM_LIMIT,
        _ => FORM_LIMIT,
    }
}

/// The page routes alone.
pub fn router(app: App, secure_cookies: bool) -> Router {
    let state = WebState {
        app,
        secure_cookies,
    };
    let mut r: Router<WebState> = Router::new();
    for p in page_routes() {
        // bad bytes and control characters refused, the framework's own refusals
        // answered as Vietnamese pages, the body limit of the route
        r = r.route(
            p.path,
            qcdc_api::guard::guarded(p.handler, layout::render_refusal, body_limit(p.path)),
        );
    }
    r.with_state(state)
}

/// The whole server: the JSON API and the pages, unknown paths answered as JSON
/// under `/api/` and as a Vietnamese page elsewhere, with tracing and a timeout
/// on every request.
pub fn server_router(app: App, secure_cookies: bool) -> Router {
    qcdc_api::routes_router(app.clone())
        .merge(router(app, secure_cookies))
        .fallback(layout::fallback)
        .method_not_allowed_fallback(layout::method_not_allowed)
        // security headers on every answer: scripts only from the server itself
        // (no inline script anywhere), no framing, no referrer to other sites, no
        // content sniffing; pages and API answers are never cached (a signed-in
        // page can hold a unit's report), the static files set their own cache
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(TraceLayer::new_for_http())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
}
