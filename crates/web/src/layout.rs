//! The page shell and small formatting helpers (dates dd/mm/yyyy, numbers 1.234,5).

use maud::{DOCTYPE, Markup, PreEscaped, html};
use qcdc_core::access::Role;
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
                            a href="/viec-can-lam" { "Việc cần làm" }
                            @if u.has(Role::Office) || u.has(Role::Admin) || u.has(Role::Viewer) { a href="/dot" { "Đợt báo cáo" } }
                            @if u.has(Role::Office) || u.has(Role::Admin) { a href="/dot/moi" { "Tạo đợt" } }
                            @if u.has(Role::Admin) {
                                a href="/quan-tri/don-vi" { "Đơn vị" }
                                a href="/quan-tri/nguoi-dung" { "Người dùng" }
                                a href="/quan-tri/mau" { "Mẫu báo cáo" }
                            }
                        }
                        span.who {
                            (u.actor.full_name) " · "
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

pub fn status_badge(s: Status) -> Markup {
    html! { span class=(format!("badge b-{}", s.as_str())) { (s.label_vi()) } }
}

/// An RFC 3339 instant as dd/mm/yyyy HH:MM, Vietnam time.
pub fn when(ts: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(ts)
        .map(|d| {
            d.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("offset"))
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

/// Escapes text into a preformatted narrative block.
pub fn paragraphs(text: &str) -> Markup {
    html! { @for p in text.split("\n\n") { p { (p) } } }
}

#[allow(dead_code)]
pub fn raw(s: &str) -> PreEscaped<String> {
    PreEscaped(s.to_string())
}
