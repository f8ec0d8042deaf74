//! Sign-in, sessions kept in the database (they survive a restart; an API token
//! is not a session), the anti-forgery token of each form; failed sign-ins count
//! in the use-case layer's limit, shared with the API, by address and username.

use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use qcdc_api::Peer;
use qcdc_app::{Ctx, Role, auth};
use serde::Deserialize;

use crate::WebState;
use crate::layout::{Flash, csrf, page};

pub const SESSION_COOKIE: &str = "qcdc_session";
const SESSION_HOURS: i64 = 10;

/// The signed-in user of a request.
pub struct User {
    pub cx: Ctx,
    pub token: String,
    pub csrf: String,
    /// Unread notices (reminders), shown in the header.
    pub unread: i64,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.cx.actor().has_role(role)
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

/// Why a page could not be shown to an anonymous or expired visitor (or to a
/// user who must first replace the temporary password an admin set).
pub struct NeedLogin {
    htmx: bool,
    next: String,
    change_password: bool,
}

/// The pages a user with a temporary password may open: changing it, signing out.
const WHILE_TEMPORARY: &[&str] = &["/doi-mat-khau", "/dang-xuat"];

impl IntoResponse for NeedLogin {
    fn into_response(self) -> Response {
        if self.change_password {
            if self.htmx {
                return (
                    StatusCode::FORBIDDEN,
                    [("HX-Redirect", "/doi-mat-khau")],
                    html! { span.err-text { "Hãy đổi mật khẩu tạm trước khi tiếp tục." } },
                )
                    .into_response();
            }
            return Redirect::to("/doi-mat-khau").into_response();
        }
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
        Redirect::to(&format!(
            "/dang-nhap?next={}",
            crate::layout::enc(&self.next)
        ))
        .into_response()
    }
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
            change_password: false,
        };
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(reject)?;
        let cx = auth::from_session(&state.app, &token)
            .await
            .map_err(|_| reject())?;
        if cx.actor().must_change_password && !WHILE_TEMPORARY.contains(&parts.uri.path()) {
            return Err(NeedLogin {
                change_password: true,
                ..reject()
            });
        }
        let unread = qcdc_app::notices::unread_count(&cx).await.unwrap_or(0);
        Ok(User {
            csrf: auth::csrf_for(&state.app, &token),
            cx,
            token,
            unread,
        })
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

/// The refusal of a form without its anti-forgery token.
pub fn csrf_refused(u: &User) -> Response {
    (
        StatusCode::FORBIDDEN,
        page(
            "Yêu cầu không hợp lệ",
            Some(u),
            Some(Flash::Err("Biểu mẫu đã cũ hoặc không hợp lệ (mã chống giả mạo). Hãy tải lại trang và thử lại.".into())),
            html! {},
        ),
    )
        .into_response()
}

/// Checks the CSRF field of a posted form (the refusal is a whole page).
#[allow(clippy::result_large_err)]
pub fn check_csrf(s: &WebState, u: &User, fields: &[(String, String)]) -> Result<(), Response> {
    let given = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if auth::csrf_ok(&s.app, &u.token, given) {
        Ok(())
    } else {
        Err(csrf_refused(u))
    }
}

/// A multipart upload read whole: its anti-forgery check and the file field
/// `tep` (bytes, lower-case file name), or why it could not be read (over the
/// route's limit: `payload_too_large`; a damaged form: `invalid_input`) — never
/// "no file chosen" for a file that was too big.
pub struct Upload {
    pub csrf_ok: bool,
    pub bytes: Vec<u8>,
    pub name: String,
}

pub async fn read_upload(
    s: &WebState,
    u: &User,
    mp: &mut axum::extract::Multipart,
    limit_mb: usize,
) -> Result<Upload, qcdc_app::CoreError> {
    let refused = |status: StatusCode| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            qcdc_app::CoreError::new(
                qcdc_app::ErrorCode::PayloadTooLarge,
                format!("Tệp tải lên quá lớn (tối đa {limit_mb} MB); chưa nhập gì."),
            )
        } else {
            qcdc_app::CoreError::invalid(
                "Biểu mẫu tải lên bị hỏng hoặc bị cắt giữa chừng; hãy chọn tệp và gửi lại.",
            )
        }
    };
    let mut out = Upload {
        csrf_ok: false,
        bytes: Vec::new(),
        name: String::new(),
    };
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("csrf") => {
                    out.csrf_ok = field.text().await.is_ok_and(|t| csrf_value_ok(s, u, &t));
                }
                Some("tep") => {
                    out.name = field.file_name().unwrap_or_default().to_lowercase();
                    out.bytes = field
                        .bytes()
                        .await
                        .map_err(|e| refused(e.status()))?
                        .to_vec();
                }
                _ => {}
            },
            Ok(None) => return Ok(out),
            Err(e) => return Err(refused(e.status())),
        }
    }
}

/// Checks a CSRF value read from a multipart form.
pub fn csrf_value_ok(s: &WebState, u: &User, given: &str) -> bool {
    auth::csrf_ok(&s.app, &u.token, given)
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

/// Only same-site paths: `/x`, never `//host` or `/\host`.
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.starts_with("/\\")
            && !n.chars().any(char::is_control)
    })
    .unwrap_or_else(|| "/".into())
}

pub async fn login_page(Query(q): Query<Next>) -> maud::Markup {
    page("Đăng nhập", None, None, login_form(&safe_next(q.next), ""))
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(s): State<WebState>,
    Peer(address): Peer,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next);
    let attempt = auth::Attempt {
        address,
        username: &f.username,
        password: &f.password,
    };
    match auth::sign_in_from(&s.app, attempt, auth::TokenKind::Session, SESSION_HOURS).await {
        Ok((_, token)) => {
            let secure = if s.secure_cookies { "; Secure" } else { "" };
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                SESSION_HOURS * 3600
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(e) => (
            crate::layout::status_of(e.code),
            page(
                "Đăng nhập",
                None,
                Some(Flash::Err(e.message)),
                login_form(&next, &f.username),
            ),
        )
            .into_response(),
    }
}

pub async fn logout(
    State(s): State<WebState>,
    u: User,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let _ = auth::sign_out(&u.cx, &u.token).await;
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/dang-nhap")).into_response()
}

fn password_form(u: &User) -> maud::Markup {
    html! {
        div.card style="max-width:420px" {
            h1 { "Đổi mật khẩu" }
            @if u.cx.actor().must_change_password {
                p.flash.err { "Quản trị viên đã đặt cho tài khoản này một mật khẩu tạm. Hãy đặt mật khẩu mới của riêng bạn để tiếp tục." }
            }
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
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    match auth::change_password(&u.cx, get("current"), get("new")).await {
        Ok(()) if u.cx.actor().must_change_password => Redirect::to("/").into_response(),
        Ok(()) => page(
            "Đổi mật khẩu",
            Some(&u),
            Some(Flash::Ok("Đã đổi mật khẩu.".into())),
            password_form(&u),
        )
        .into_response(),
        Err(e) => (
            crate::layout::status_of(e.code),
            page(
                "Đổi mật khẩu",
                Some(&u),
                Some(Flash::Err(e.message)),
                password_form(&u),
            ),
        )
            .into_response(),
    }
}
