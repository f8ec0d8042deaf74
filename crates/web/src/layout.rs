//! The page shell, errors as pages, pagination, and small formatting helpers
//! (dates dd/mm/yyyy, numbers 1.234,5).

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use qcdc_app::{CoreError, ErrorCode, Page, Role};
use qcdc_core::workflow::Status;

use crate::session::User;

/// A message shown once at the top of a page.
pub enum Flash {
    Ok(String),
    Err(String),
}

/// A whole page.
pub fn page(title: &str, user: Option<&User>, flash: Option<Flash>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — qcdc" }
                link rel="stylesheet" href="/static/app.css";
                script src="/static/htmx.min.js" defer {}
                script src="/static/app.js" defer {}
            }
            body {
                header.top {
                    strong { "Báo cáo QCDC" }
                    @if let Some(u) = user {
                        nav {
                            a href="/viec-can-lam" title="Việc cần làm và thông báo nhắc nộp báo cáo" {
                                "Việc cần làm"
                                @if u.unread > 0 { " " span.badge.b-returned title="thông báo chưa đọc" { (u.unread) } }
                            }
                            @if u.has(Role::Office) || u.has(Role::Admin) || u.has(Role::Viewer) { a href="/dot" { "Đợt báo cáo" } }
                            @if !u.cx.actor().grants.is_empty() { a href="/so-theo-doi" title="Sổ theo dõi đơn, tiếp công dân, đối thoại, kiểm tra giám sát, mô hình Dân vận khéo" { "Sổ theo dõi" } }
                            @if u.has(Role::Office) || u.has(Role::Admin) { a href="/dot/moi" { "Tạo đợt" } }
                            @if u.has(Role::Admin) {
                                a href="/quan-tri/don-vi" { "Đơn vị" }
                                a href="/quan-tri/nguoi-dung" { "Người dùng" }
                                a href="/quan-tri/mau" { "Mẫu báo cáo" }
                                a href="/quan-tri/cai-dat" { "Cài đặt" }
                            }
                        }
                        span.who {
                            (u.cx.actor().full_name) " · "
                            a href="/doi-mat-khau" { "Đổi mật khẩu" }
                            form method="post" action="/dang-xuat" style="display:inline" {
                                input type="hidden" name="csrf" value=(u.csrf);
                                button.secondary type="submit" style="padding:.1rem .5rem;margin-left:.5rem" { "Đăng xuất" }
                            }
                        }
                    }
                }
                main {
                    @match flash {
                        Some(Flash::Ok(m)) => div.flash.ok role="status" { (m) },
                        Some(Flash::Err(m)) => div.flash.err role="alert" { (m) },
                        None => {},
                    }
                    (body)
                }
            }
        }
    }
}

/// The hidden CSRF field every form carries.
pub fn csrf(u: &User) -> Markup {
    html! { input type="hidden" name="csrf" value=(u.csrf); }
}

/// The HTTP status of a refused request (the same as the API's).
pub fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A refused request as a page: the message, with the status of its code.
pub fn error_page(u: &User, e: CoreError) -> Response {
    (
        status_of(e.code),
        page(
            "Không thực hiện được",
            Some(u),
            Some(Flash::Err(e.message)),
            html! { p { a href="/" { "Về trang chính" } } },
        ),
    )
        .into_response()
}

/// A refused htmx request: a fragment with the message, the status of its code.
pub fn error_fragment(e: &CoreError) -> Response {
    (status_of(e.code), html! { span.err-text { (e.message) } }).into_response()
}

fn not_found_page() -> Response {
    let body = page(
        "Không tìm thấy",
        None,
        None,
        html! { h1 { "Không tìm thấy trang" } p { a href="/" { "Về trang chính" } } },
    );
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body.into_string(),
    )
        .into_response()
}

/// A request refused before any handler (bad bytes, a framework rejection): JSON
/// under `/api/`, a Vietnamese page elsewhere.
pub fn render_refusal(path: &str, e: CoreError) -> Response {
    if path.starts_with("/api/") {
        return qcdc_api::guard::render_json(path, e);
    }
    (
        status_of(e.code),
        page(
            "Không thực hiện được",
            None,
            Some(Flash::Err(e.message)),
            html! { p { "Hãy quay lại trang trước, sửa rồi gửi lại. " a href="/" { "Về trang chính" } } },
        ),
    )
        .into_response()
}

/// Unknown paths: JSON under `/api/`, a Vietnamese page elsewhere.
pub async fn fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return qcdc_api::api_not_found().await;
    }
    not_found_page()
}

/// A method a path does not take.
pub async fn method_not_allowed(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return qcdc_api::api_method_not_allowed().await;
    }
    let body = page(
        "Không thực hiện được",
        None,
        Some(Flash::Err("Địa chỉ này không nhận kiểu yêu cầu đó.".into())),
        html! { p { a href="/" { "Về trang chính" } } },
    );
    (StatusCode::METHOD_NOT_ALLOWED, body).into_response()
}

pub fn status_badge(s: Status) -> Markup {
    html! { span class=(format!("badge b-{}", s.as_str())) { (s.label_vi()) } }
}

/// An RFC 3339 instant as dd/mm/yyyy HH:MM, Vietnam time.
pub fn when(ts: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(ts)
        .map(|d| {
            d.with_timezone(&qcdc_core::period::vietnam())
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

pub fn num(x: f64, decimals: u32) -> String {
    qcdc_core::number::format_f64(x, decimals)
}

pub fn pct(x: f64) -> String {
    format!("{}%", num(x, 1))
}

/// Escapes text into paragraphs.
pub fn paragraphs(text: &str) -> Markup {
    html! { @for p in text.split("\n\n") { p { (p) } } }
}

/// Page links under a list: "Trang 2/7 · ‹ trước · sau ›", keeping the other
/// query parameters (`base` ends with `?` or `&`).
pub fn pager<T>(p: &Page<T>, base: &str) -> Markup {
    html! {
        @if p.pages > 1 {
            nav.pager aria-label="Phân trang" {
                @if p.page > 1 { a href=(format!("{base}trang={}", p.page - 1)) { "‹ Trang trước" } " " }
                span { "Trang " (p.page) "/" (p.pages) " · " (p.total) " dòng" }
                @if p.page < p.pages { " " a href=(format!("{base}trang={}", p.page + 1)) { "Trang sau ›" } }
            }
        } @else {
            p.muted { (p.total) " dòng" }
        }
    }
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
