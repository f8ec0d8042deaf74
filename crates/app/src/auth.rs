//! Signing in and out, sign-in tokens of two kinds that never stand in for each
//! other (web sessions and API bearer tokens — only their SHA-256 is stored), the
//! one limit on failed sign-ins shared by the page and the API (per client
//! address and username, `core::signin`), password changes (which end every
//! other session and token), and the anti-forgery token of a web session (an
//! HMAC of the session token keyed by the server's secret).

use std::net::IpAddr;
use std::time::Instant;

use chrono::{Duration, Utc};
use hmac::{Hmac, Mac};
use qcdc_core::access::Actor;
use qcdc_core::signin::Throttle;
use qcdc_core::{CoreError, CoreResult, ErrorCode};
use qcdc_store::{audit, users_repo};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::ctx::{App, Ctx};
use crate::passwords;

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn wrong() -> CoreError {
    metrics::counter!("qcdc_sign_in_failures_total").increment(1);
    CoreError::new(
        ErrorCode::Unauthorized,
        "Tên đăng nhập hoặc mật khẩu không đúng",
    )
}

fn expired() -> CoreError {
    CoreError::new(
        ErrorCode::Unauthorized,
        "Phiên làm việc đã hết hạn hoặc không hợp lệ; hãy đăng nhập lại",
    )
}

async fn actor_of(c: &mut qcdc_store::Conn, user_id: i64) -> CoreResult<Actor> {
    let u = users_repo::by_id(c, user_id)
        .await?
        .filter(|u| u.active == 1)
        .ok_or_else(|| {
            CoreError::new(
                ErrorCode::Unauthorized,
                "Tài khoản không tồn tại hoặc đã bị khóa",
            )
        })?;
    let grants = users_repo::grants(c, user_id).await?;
    let mut actor = Actor::user(u.id, u.username, u.full_name, grants);
    actor.must_change_password = u.must_change_password == 1;
    Ok(actor)
}

/// Checks a username and password (the same answer, after the same work, whether
/// the user or the password is wrong).
pub async fn verify_password(app: &App, username: &str, password: &str) -> CoreResult<Ctx> {
    let username = username.trim().to_lowercase();
    let mut tx = app.db().read().await?;
    let row = users_repo::by_username(&mut tx, &username).await;
    let row = tx.finish(row).await?;
    let Some(row) = row.filter(|r| r.active == 1) else {
        // spend the same time as a real check so usernames cannot be probed
        let _ = passwords::hash(password).await;
        return Err(wrong());
    };
    if !passwords::verify(password, &row.password_hash).await? {
        return Err(wrong());
    }
    let mut tx = app.db().read().await?;
    let actor = actor_of(&mut tx, row.id).await;
    let actor = tx.finish(actor).await?;
    Ok(app.ctx(actor))
}

/// The two kinds of sign-in token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A web session (the cookie of the pages).
    Session,
    /// An API bearer token.
    Api,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Session => "session",
            TokenKind::Api => "api",
        }
    }

    pub fn parse(s: &str) -> Option<TokenKind> {
        match s {
            "session" => Some(TokenKind::Session),
            "api" => Some(TokenKind::Api),
            _ => None,
        }
    }

    /// In Vietnamese, for the admin page.
    pub fn label_vi(self) -> &'static str {
        match self {
            TokenKind::Session => "Phiên đăng nhập web",
            TokenKind::Api => "Mã truy cập API",
        }
    }
}

/// A wait in Vietnamese words ("45 giây", "2 phút").
pub fn wait_vi(d: std::time::Duration) -> String {
    let s = d.as_secs().max(1);
    if s < 60 {
        format!("{s} giây")
    } else {
        format!("{} phút", s.div_ceil(60))
    }
}

fn too_many(wait: std::time::Duration) -> CoreError {
    let mut e = CoreError::new(
        ErrorCode::TooManyRequests,
        format!(
            "Đăng nhập sai quá nhiều lần từ địa chỉ này. Hãy thử lại sau {}.",
            wait_vi(wait)
        ),
    );
    e.details = Some(serde_json::json!({ "retry_after_seconds": wait.as_secs().max(1) }));
    e
}

/// One sign-in attempt: from which client address (None when unknown), as whom.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub address: Option<IpAddr>,
    pub username: &'a str,
    pub password: &'a str,
}

/// Signs in under the shared failure limit (keyed by address and username: a
/// stranger elsewhere cannot lock the user out) and issues a token of `kind`
/// valid for `hours`. While the key must wait the password is not even checked
/// (`too_many_requests`, with `retry_after_seconds` in the details). Expired
/// tokens of everyone are purged on the way.
pub async fn sign_in_from(
    app: &App,
    attempt: Attempt<'_>,
    kind: TokenKind,
    hours: i64,
) -> CoreResult<(Ctx, String)> {
    let key = Throttle::key(
        &attempt.address.map(|a| a.to_string()).unwrap_or_default(),
        attempt.username,
    );
    app.with_throttle(|t| t.check(&key, Instant::now()))
        .map_err(too_many)?;
    let cx = match verify_password(app, attempt.username, attempt.password).await {
        Ok(cx) => cx,
        Err(e) => {
            if e.code == ErrorCode::Unauthorized {
                app.count_sign_in_failure();
                app.with_throttle(|t| t.fail(&key, Instant::now()));
            }
            return Err(e);
        }
    };
    app.with_throttle(|t| t.succeed(&key));
    let token = issue(&cx, kind, hours, true).await?;
    Ok((cx, token))
}

/// Signs in (no client address known) and issues an API token valid for `hours`.
pub async fn sign_in(
    app: &App,
    username: &str,
    password: &str,
    hours: i64,
) -> CoreResult<(Ctx, String)> {
    sign_in_from(
        app,
        Attempt {
            address: None,
            username,
            password,
        },
        TokenKind::Api,
        hours,
    )
    .await
}

/// Signs in (no client address known) and opens a web session valid for `hours`.
pub async fn open_session(
    app: &App,
    username: &str,
    password: &str,
    hours: i64,
) -> CoreResult<(Ctx, String)> {
    sign_in_from(
        app,
        Attempt {
            address: None,
            username,
            password,
        },
        TokenKind::Session,
        hours,
    )
    .await
}

async fn issue(cx: &Ctx, kind: TokenKind, hours: i64, purge: bool) -> CoreResult<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let expires =
        (Utc::now() + Duration::hours(hours)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut tx = cx.app().db().write().await?;
    let r = async {
        if purge {
            users_repo::purge_expired_tokens(&mut tx, &qcdc_store::rows::now()).await?;
        }
        users_repo::insert_token(
            &mut tx,
            &token_hash(&token),
            cx.actor().user_id,
            kind.as_str(),
            &expires,
        )
        .await
    }
    .await;
    tx.finish(r).await?;
    Ok(token)
}

/// Issues a new API token for the signed-in actor (only its hash is stored).
pub async fn issue_token(cx: &Ctx, hours: i64) -> CoreResult<String> {
    cx.require_user()?;
    issue(cx, TokenKind::Api, hours, false).await
}

/// Issues an API token for a user from the command line (for scripts using the API).
pub async fn issue_for_user(cx: &Ctx, username: &str, hours: i64) -> CoreResult<String> {
    cx.require_system()?;
    let username = username.trim().to_lowercase();
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let u = users_repo::by_username(&mut tx, &username)
            .await?
            .ok_or_else(|| CoreError::not_found(format!("tài khoản «{username}»")))?;
        actor_of(&mut tx, u.id).await
    }
    .await;
    let actor = tx.finish(r).await?;
    issue_token(&cx.app().ctx(actor), hours).await
}

/// Opens a web session for a user from the command line (load tests driving the
/// pages).
pub async fn session_for_user(cx: &Ctx, username: &str, hours: i64) -> CoreResult<String> {
    cx.require_system()?;
    let username = username.trim().to_lowercase();
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let u = users_repo::by_username(&mut tx, &username)
            .await?
            .ok_or_else(|| CoreError::not_found(format!("tài khoản «{username}»")))?;
        actor_of(&mut tx, u.id).await
    }
    .await;
    let actor = tx.finish(r).await?;
    issue(&cx.app().ctx(actor), TokenKind::Session, hours, false).await
}

/// How long a token's "last seen" may lag (one write per token per interval).
const TOUCH_EVERY_SECONDS: i64 = 300;

async fn from_kind(app: &App, token: &str, kind: TokenKind) -> CoreResult<Ctx> {
    let hash = token_hash(token);
    let mut tx = app.db().read().await?;
    let r = async {
        let row = users_repo::token(&mut tx, &hash)
            .await?
            .filter(|r| r.kind == kind.as_str())
            .ok_or_else(expired)?;
        let now = qcdc_store::rows::now();
        if row.expires_at < now {
            return Err(expired());
        }
        let stale = (Utc::now() - Duration::seconds(TOUCH_EVERY_SECONDS))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let touch = row
            .last_seen_at
            .as_deref()
            .is_none_or(|t| t < stale.as_str());
        Ok((actor_of(&mut tx, row.user_id).await?, touch.then_some(now)))
    }
    .await;
    let (actor, touch) = tx.finish(r).await?;
    if let Some(at) = touch {
        let mut tx = app.db().write().await?;
        let r = users_repo::touch_token(&mut tx, &hash, &at).await;
        tx.finish(r).await?;
    }
    let mut cx = app.ctx(actor);
    cx.token_hash = Some(hash);
    Ok(cx)
}

/// The actor behind an API bearer token, if it is valid, not expired, and an API
/// token (a web session's id is refused here).
pub async fn from_token(app: &App, token: &str) -> CoreResult<Ctx> {
    from_kind(app, token, TokenKind::Api).await
}

/// The actor behind a web session cookie, if it is valid, not expired, and a
/// session (an API token is refused here).
pub async fn from_session(app: &App, token: &str) -> CoreResult<Ctx> {
    from_kind(app, token, TokenKind::Session).await
}

/// Ends a token (sign-out).
pub async fn sign_out(cx: &Ctx, token: &str) -> CoreResult<()> {
    cx.require_user()?;
    let mut tx = cx.app().db().write().await?;
    let r = users_repo::delete_token(&mut tx, &token_hash(token)).await;
    tx.finish(r).await
}

/// Changes the actor's own password after checking the current one (which ends
/// the obligation to replace a temporary password). The new password must differ
/// from the current one and pass [`passwords::check_new`]. Every other session
/// and token of the user ends; the one the request came with stays.
pub async fn change_password(cx: &Ctx, current: &str, new: &str) -> CoreResult<()> {
    cx.require_user()?;
    let username = cx.actor().username.clone();
    verify_password(cx.app(), &username, current)
        .await
        .map_err(|_| CoreError::new(ErrorCode::Unauthorized, "Mật khẩu hiện tại không đúng"))?;
    passwords::check_new(new)?;
    if new == current {
        return Err(CoreError::invalid(
            "Mật khẩu mới phải khác mật khẩu hiện tại",
        ));
    }
    let hash = passwords::hash(new).await?;
    let mut tx = cx.app().db().write().await?;
    let r = async {
        users_repo::set_password_hash(&mut tx, cx.actor().user_id, &hash, false).await?;
        match &cx.token_hash {
            Some(keep) => {
                users_repo::delete_tokens_except(&mut tx, cx.actor().user_id, keep).await?
            }
            None => users_repo::delete_tokens_of(&mut tx, cx.actor().user_id).await?,
        }
        audit::write(
            &mut tx,
            audit::Change {
                actor: &username,
                action: "password_change",
                entity: "user",
                entity_id: &username,
                ..Default::default()
            },
        )
        .await
    }
    .await;
    tx.finish(r).await
}

type HmacSha256 = Hmac<Sha256>;

/// The anti-forgery token of a web session: HMAC-SHA256 of the session token under
/// the server's secret (nothing more to store; useless without the secret).
pub fn csrf_for(app: &App, session_token: &str) -> String {
    match HmacSha256::new_from_slice(app.secret()) {
        Ok(mut mac) => {
            mac.update(b"qcdc-csrf:");
            mac.update(session_token.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// Checks an anti-forgery token in constant time.
pub fn csrf_ok(app: &App, session_token: &str, given: &str) -> bool {
    let Ok(mut mac) = HmacSha256::new_from_slice(app.secret()) else {
        return false;
    };
    mac.update(b"qcdc-csrf:");
    mac.update(session_token.as_bytes());
    match hex::decode(given) {
        Ok(bytes) => mac.verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}
