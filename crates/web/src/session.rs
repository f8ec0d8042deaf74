//! Sign-in, sessions kept in the database (they survive a restart), CSRF and the
//! rate limit on failed sign-ins.

use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use qcdc_core::access::Role;
use qcdc_store::{Actor, Store};
use serde::Deserialize;

use crate::WebState;
use crate::layout::{Flash, csrf, page};

pub const SESSION_COOKIE: &str = "qcdc_session";
const SESSION_HOURS: i64 = 10;
const MAX_FAILURES: usize = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(600);

/// The signed-in user of a request.
pub struct User {
    pub actor: Actor,
    pub token: String,
    pub csrf: String,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.actor.grants.iter().any(|g| g.role == role)
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// Why a page could not be shown to an anonymous or expired visitor.
pub struct NeedLogin {
    htmx: bool,
    next: String,
}

impl IntoResponse for NeedLogin {
    fn into_response(self) -> Response {
        if self.htmx {
            // keep the page (and what was typed): tell the form instead of navigating away
            let body = html! { span.err-text { "Phiên đăng nhập đã hết hạn. Nội dung vẫn còn trên trang này — hãy đăng nhập ở một thẻ khác rồi bấm «Lưu nháp»." } };
            return (
                StatusCode::UNAUTHORIZED,
                [("HX-Retarget", "#save-status")],
                body,
            )
                .into_response();
        }
        Redirect::to(&format!("/dang-nhap?next={}", urlencode(&self.next))).into_response()
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_./".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl FromRequestParts<WebState> for User {
    type Rejection = NeedLogin;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let reject = || NeedLogin {
            htmx: parts.headers.contains_key("hx-request"),
            next: parts.uri.path().to_string(),
        };
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(reject)?;
        let actor = state
            .store
            .actor_for_token(&token)
            .await
            .map_err(|_| reject())?;
        Ok(User {
            csrf: Store::csrf_for(&token),
            actor,
            token,
        })
    }
}

/// Checks the CSRF field of a posted form.
pub fn check_csrf(u: &User, fields: &[(String, String)]) -> Result<(), Response> {
    let ok = fields.iter().any(|(k, v)| k == "csrf" && *v == u.csrf);
    if ok {
        Ok(())
    } else {
        Err((StatusCode::FORBIDDEN, page("Yêu cầu không hợp lệ", Some(u), Some(Flash::Err("Biểu mẫu đã cũ hoặc không hợp lệ (mã chống giả mạo). Hãy tải lại trang và thử lại.".into())), html! {})).into_response())
    }
}

pub async fn home(u: Option<User>) -> Redirect {
    match u {
        None => Redirect::to("/dang-nhap"),
        Some(u) if u.has(Role::Office) || u.has(Role::Admin) || u.has(Role::Viewer) => {
            Redirect::to("/dot")
        }
        Some(_) => Redirect::to("/viec-can-lam"),
    }
}

impl axum::extract::OptionalFromRequestParts<WebState> for User {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(
            <User as FromRequestParts<WebState>>::from_request_parts(parts, state)
                .await
                .ok(),
        )
    }
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

fn login_form(next: &str, username: &str) -> maud::Markup {
    html! {
        div.card style="max-width:420px" {
            h1 { "Đăng nhập" }
            form method="post" action="/dang-nhap" {
                input type="hidden" name="next" value=(next);
                label for="username" { "Tên đăng nhập" }
                input #username type="text" name="username" value=(username) autocomplete="username" required autofocus;
                label for="password" { "Mật khẩu" }
                input #password type="password" name="password" autocomplete="current-password" required;
                p { button type="submit" { "Đăng nhập" } }
            }
        }
    }
}

pub async fn login_page(Query(q): Query<Next>) -> maud::Markup {
    page(
        "Đăng nhập",
        None,
        None,
        login_form(q.next.as_deref().unwrap_or("/"), ""),
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login(State(s): State<WebState>, Form(f): Form<LoginForm>) -> Response {
    let key = f.username.trim().to_lowercase();
    let next = f
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let blocked = {
        let mut failures = s.failures.lock().unwrap_or_else(|e| e.into_inner());
        let list = failures.entry(key.clone()).or_default();
        list.retain(|t| t.elapsed() < FAILURE_WINDOW);
        list.len() >= MAX_FAILURES
    };
    if blocked {
        let body = login_form(&next, &f.username);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            page(
                "Đăng nhập",
                None,
                Some(Flash::Err(
                    "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 10 phút.".into(),
                )),
                body,
            ),
        )
            .into_response();
    }
    match s.store.verify_password(&f.username, &f.password).await {
        Ok(actor) => {
            s.failures
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&key);
            let token = match s.store.issue_token(actor.user_id, SESSION_HOURS).await {
                Ok(t) => t,
                Err(e) => {
                    return (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        page("Lỗi", None, Some(Flash::Err(e.message)), html! {}),
                    )
                        .into_response();
                }
            };
            let secure = if s.secure_cookies { "; Secure" } else { "" };
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                SESSION_HOURS * 3600
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(e) => {
            s.failures
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(key)
                .or_default()
                .push(Instant::now());
            (
                StatusCode::UNAUTHORIZED,
                page(
                    "Đăng nhập",
                    None,
                    Some(Flash::Err(e.message)),
                    login_form(&next, &f.username),
                ),
            )
                .into_response()
        }
    }
}

pub async fn logout(
    State(s): State<WebState>,
    u: User,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&u, &f) {
        return r;
    }
    let _ = s.store.revoke_token(&u.token).await;
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/dang-nhap")).into_response()
}

fn password_form(u: &User) -> maud::Markup {
    html! {
        div.card style="max-width:420px" {
            h1 { "Đổi mật khẩu" }
            form method="post" action="/doi-mat-khau" {
                (csrf(u))
                label for="current" { "Mật khẩu hiện tại" }
                input #current type="password" name="current" required autocomplete="current-password";
                label for="new" { "Mật khẩu mới (ít nhất 8 ký tự)" }
                input #new type="password" name="new" required minlength="8" autocomplete="new-password";
                p { button type="submit" { "Đổi mật khẩu" } }
            }
        }
    }
}

pub async fn password_page(u: User) -> maud::Markup {
    page("Đổi mật khẩu", Some(&u), None, password_form(&u))
}

pub async fn change_password(
    State(s): State<WebState>,
    u: User,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&u, &f) {
        return r;
    }
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let flash = match s
        .store
        .change_password(u.actor.user_id, get("current"), get("new"))
        .await
    {
        Ok(()) => Flash::Ok("Đã đổi mật khẩu.".into()),
        Err(e) => Flash::Err(e.message),
    };
    page("Đổi mật khẩu", Some(&u), Some(flash), password_form(&u)).into_response()
}
