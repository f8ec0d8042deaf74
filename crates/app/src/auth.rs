//! Signing in and out, sign-in tokens (web sessions and API bearer tokens — only
//! their SHA-256 is stored), password changes, and the anti-forgery token of a
//! web session (an HMAC of the session token keyed by the server's secret).

use chrono::{Duration, Utc};
use hmac::{Hmac, Mac};
use qcdc_core::access::Actor;
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

/// Signs in and issues a token valid for `hours`.
pub async fn sign_in(
    app: &App,
    username: &str,
    password: &str,
    hours: i64,
) -> CoreResult<(Ctx, String)> {
    let cx = verify_password(app, username, password).await?;
    let token = issue_token(&cx, hours).await?;
    Ok((cx, token))
}

/// Issues a new token for the signed-in actor (only its hash is stored).
pub async fn issue_token(cx: &Ctx, hours: i64) -> CoreResult<String> {
    cx.require_user()?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let expires =
        (Utc::now() + Duration::hours(hours)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut tx = cx.app().db().write().await?;
    let r =
        users_repo::insert_token(&mut tx, &token_hash(&token), cx.actor().user_id, &expires).await;
    tx.finish(r).await?;
    Ok(token)
}

/// Issues a token for a user from the command line (for scripts using the API).
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

/// The actor behind a token, if it is valid and not expired.
pub async fn from_token(app: &App, token: &str) -> CoreResult<Ctx> {
    let mut tx = app.db().read().await?;
    let r = async {
        let row = users_repo::token(&mut tx, &token_hash(token))
            .await?
            .ok_or_else(expired)?;
        if row.expires_at < qcdc_store::rows::now() {
            return Err(expired());
        }
        actor_of(&mut tx, row.user_id).await
    }
    .await;
    Ok(app.ctx(tx.finish(r).await?))
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
/// from the current one.
pub async fn change_password(cx: &Ctx, current: &str, new: &str) -> CoreResult<()> {
    cx.require_user()?;
    let username = cx.actor().username.clone();
    verify_password(cx.app(), &username, current)
        .await
        .map_err(|_| CoreError::new(ErrorCode::Unauthorized, "Mật khẩu hiện tại không đúng"))?;
    passwords::check_new(new).map_err(|_| {
        CoreError::invalid(format!(
            "Mật khẩu mới phải có ít nhất {} ký tự",
            passwords::MIN_LENGTH
        ))
    })?;
    if new == current {
        return Err(CoreError::invalid(
            "Mật khẩu mới phải khác mật khẩu hiện tại",
        ));
    }
    let hash = passwords::hash(new).await?;
    let mut tx = cx.app().db().write().await?;
    let r = async {
        users_repo::set_password_hash(&mut tx, cx.actor().user_id, &hash, false).await?;
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
