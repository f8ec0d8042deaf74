//! User administration, scoped: an admin lists the users holding a role in its
//! subtree, creates users and grants roles only on units it administers, and
//! disables, enables, resets the password of or sets the e-mail of a user only
//! when every role of that user lies in its scope (`access::may_administer_user`).

use qcdc_core::access::{self, Role};
use qcdc_core::error::Problem;
use qcdc_core::user_import::UserRecord;
use qcdc_core::{CoreError, CoreResult, ErrorCode, text};
use qcdc_store::users_repo::{self, UserInfo, UserRow};
use qcdc_store::{audit, units_repo};

use crate::ctx::{Ctx, forbidden};
use crate::passwords;
use crate::views::{Page, PageReq};

/// A user to create, with roles as (role, unit code).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub password: String,
    pub roles: Vec<(Role, String)>,
}

fn check_username(username: &str) -> CoreResult<()> {
    qcdc_core::user_import::check_username(username).map_err(CoreError::invalid)
}

/// Users the actor administers (holding a role in its subtrees; all for the
/// command line), by username, one page.
pub async fn list(cx: &Ctx, q: Option<&str>, page: PageReq) -> CoreResult<Page<UserInfo>> {
    let within = if cx.actor().is_system() {
        None
    } else {
        let units = cx.actor().units_with(&[Role::Admin]);
        if units.is_empty() {
            return Err(forbidden());
        }
        Some(units)
    };
    let mut tx = cx.app().db().read().await?;
    let r = users_repo::list(&mut tx, within.as_deref(), q, page.offset(), page.size()).await;
    let (items, total) = tx.finish(r).await?;
    Ok(Page::new(items, total, page))
}

/// Checks an e-mail address (empty = none) and returns it trimmed.
pub fn check_email(email: &str) -> CoreResult<Option<String>> {
    qcdc_core::user_import::check_email(email).map_err(CoreError::invalid)
}

/// Creates a user with its roles; every role on a unit the actor administers.
pub async fn create(cx: &Ctx, new: &NewUser) -> CoreResult<i64> {
    create_user(cx, new, None).await
}

/// [`create`] with an e-mail address (for reminders by e-mail).
pub async fn create_with_email(cx: &Ctx, new: &NewUser, email: Option<&str>) -> CoreResult<i64> {
    create_user(cx, new, email).await
}

async fn create_user(cx: &Ctx, new: &NewUser, email: Option<&str>) -> CoreResult<i64> {
    let email = check_email(email.unwrap_or(""))?;
    let username = new.username.trim().to_lowercase();
    check_username(&username)?;
    let full_name = text::nfc(new.full_name.trim());
    if full_name.is_empty() {
        return Err(CoreError::invalid("Thiếu họ tên"));
    }
    text::check_line("Họ tên", &full_name, 200)?;
    passwords::check_new(&new.password)?;
    if new.roles.is_empty() && !cx.actor().is_system() {
        return Err(CoreError::invalid(
            "Cần giao ít nhất một vai trò cho người dùng mới",
        ));
    }
    let hash = passwords::hash(&new.password).await?;
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let mut units = Vec::new();
        for (role, code) in &new.roles {
            let u = units_repo::by_code(&mut tx, code).await?;
            let lineage = units_repo::lineage(&mut tx, u.id).await?;
            if !access::may_grant(cx.actor(), &lineage) {
                return Err(CoreError::new(
                    ErrorCode::Forbidden,
                    format!(
                        "Không có quyền giao vai trò «{}» tại đơn vị «{}» (ngoài phạm vi quản trị)",
                        role.label_vi(),
                        u.name
                    ),
                ));
            }
            units.push((*role, u));
        }
        if users_repo::by_username(&mut tx, &username).await?.is_some() {
            return Err(CoreError::new(
                ErrorCode::Conflict,
                format!("Tên đăng nhập «{username}» đã có"),
            ));
        }
        let id = users_repo::insert(
            &mut tx,
            &users_repo::NewUserRow {
                username: &username,
                full_name: &full_name,
                password_hash: &hash,
                email: email.as_deref(),
                must_change_password: false,
            },
        )
        .await?;
        for (role, u) in &units {
            users_repo::add_grant(&mut tx, id, *role, u.id).await?;
            audit::write(
                &mut tx,
                audit::Change {
                    actor: cx.who(),
                    action: "grant",
                    entity: "user",
                    entity_id: &username,
                    field: Some(role.as_str()),
                    new_value: Some(u.code.clone()),
                    ..Default::default()
                },
            )
            .await?;
        }
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "user_create",
                entity: "user",
                entity_id: &username,
                ..Default::default()
            },
        )
        .await?;
        Ok(id)
    }
    .await;
    tx.finish(r).await
}

/// Gives an existing user one more role on a unit the actor administers.
pub async fn grant(cx: &Ctx, username: &str, role: Role, unit_code: &str) -> CoreResult<()> {
    let username = username.trim().to_lowercase();
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let u = units_repo::by_code(&mut tx, unit_code).await?;
        let lineage = units_repo::lineage(&mut tx, u.id).await?;
        if !access::may_grant(cx.actor(), &lineage) {
            return Err(CoreError::new(
                ErrorCode::Forbidden,
                format!(
                    "Không có quyền giao vai trò tại đơn vị «{}» (ngoài phạm vi quản trị)",
                    u.name
                ),
            ));
        }
        let user = users_repo::by_username(&mut tx, &username)
            .await?
            .ok_or_else(|| CoreError::not_found(format!("tài khoản «{username}»")))?;
        users_repo::add_grant(&mut tx, user.id, role, u.id).await?;
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "grant",
                entity: "user",
                entity_id: &username,
                field: Some(role.as_str()),
                new_value: Some(u.code.clone()),
                ..Default::default()
            },
        )
        .await
    }
    .await;
    tx.finish(r).await
}

/// Whether the actor holds the admin role on a root unit (such admins also
/// administer users holding no role at all).
async fn is_root_admin(cx: &Ctx, c: &mut qcdc_store::Conn) -> CoreResult<bool> {
    for unit in cx.actor().units_with(&[Role::Admin]) {
        if units_repo::lineage(c, unit).await?.len() == 1 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The user, when the actor administers every role it holds; refused otherwise.
async fn require_admin_of_user(
    cx: &Ctx,
    c: &mut qcdc_store::Conn,
    username: &str,
) -> CoreResult<UserRow> {
    let user = users_repo::by_username(c, username)
        .await?
        .ok_or_else(|| CoreError::not_found(format!("tài khoản «{username}»")))?;
    let mut lineages = Vec::new();
    for g in users_repo::grants(c, user.id).await? {
        lineages.push(units_repo::lineage(c, g.unit_id).await?);
    }
    let root_admin = !cx.actor().is_system() && is_root_admin(cx, c).await?;
    if !access::may_administer_user(cx.actor(), &lineages, root_admin) {
        return Err(CoreError::new(
            ErrorCode::Forbidden,
            format!(
                "Không có quyền quản trị tài khoản «{username}»: tài khoản này có vai trò ngoài phạm vi quản trị của bạn"
            ),
        ));
    }
    Ok(user)
}

/// Disables (`active` false) or enables an account the actor administers. A
/// disabled account cannot sign in, and its sessions and API tokens end at once.
pub async fn set_active(cx: &Ctx, username: &str, active: bool) -> CoreResult<()> {
    let username = username.trim().to_lowercase();
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let user = require_admin_of_user(cx, &mut tx, &username).await?;
        if !active && user.id == cx.actor().user_id {
            return Err(CoreError::invalid("Không thể tự khóa tài khoản đang dùng"));
        }
        if (user.active == 1) == active {
            return Ok(());
        }
        users_repo::set_active(&mut tx, user.id, active).await?;
        if !active {
            users_repo::delete_tokens_of(&mut tx, user.id).await?;
        }
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: if active {
                    "user_enable"
                } else {
                    "user_disable"
                },
                entity: "user",
                entity_id: &username,
                field: Some("active"),
                old_value: Some(user.active.to_string()),
                new_value: Some(i64::from(active).to_string()),
            },
        )
        .await
    }
    .await;
    tx.finish(r).await
}

/// Gives an account the actor administers a temporary password (typed by the
/// admin, or generated when `typed` is None or empty) that the user must change
/// at the next sign-in; every session and token of the user ends. Returns the
/// temporary password, to hand over once.
pub async fn reset_password(cx: &Ctx, username: &str, typed: Option<&str>) -> CoreResult<String> {
    let username = username.trim().to_lowercase();
    let password = match typed.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            passwords::check_new(t)?;
            t.to_string()
        }
        None => passwords::generate(),
    };
    let hash = passwords::hash(&password).await?;
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let user = require_admin_of_user(cx, &mut tx, &username).await?;
        users_repo::set_password_hash(&mut tx, user.id, &hash, true).await?;
        users_repo::delete_tokens_of(&mut tx, user.id).await?;
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "password_reset",
                entity: "user",
                entity_id: &username,
                ..Default::default()
            },
        )
        .await
    }
    .await;
    tx.finish(r).await?;
    Ok(password)
}

/// Sets or clears (empty) the e-mail address of an account the actor administers.
pub async fn set_email(cx: &Ctx, username: &str, email: &str) -> CoreResult<()> {
    let username = username.trim().to_lowercase();
    let email = check_email(email)?;
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let user = require_admin_of_user(cx, &mut tx, &username).await?;
        if user.email == email {
            return Ok(());
        }
        users_repo::set_email(&mut tx, user.id, email.as_deref()).await?;
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "user_email",
                entity: "user",
                entity_id: &username,
                field: Some("email"),
                old_value: user.email.clone(),
                new_value: email.clone(),
            },
        )
        .await
    }
    .await;
    tx.finish(r).await
}

/// A sign-in of a user as an admin sees it: its kind and times, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignInInfo {
    /// The id to revoke it by.
    pub id: i64,
    pub kind: crate::auth::TokenKind,
    pub created_at: String,
    pub expires_at: String,
    pub last_seen_at: Option<String>,
}

/// The live sessions and API tokens of a user the actor administers, newest first
/// (expired ones are left out).
pub async fn sign_ins(cx: &Ctx, username: &str) -> CoreResult<Vec<SignInInfo>> {
    let username = username.trim().to_lowercase();
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let user = require_admin_of_user(cx, &mut tx, &username).await?;
        users_repo::tokens_of(&mut tx, user.id).await
    }
    .await;
    let rows = tx.finish(r).await?;
    let now = qcdc_store::rows::now();
    Ok(rows
        .into_iter()
        .filter(|r| r.expires_at >= now)
        .filter_map(|r| {
            Some(SignInInfo {
                id: r.id,
                kind: crate::auth::TokenKind::parse(&r.kind)?,
                created_at: r.created_at,
                expires_at: r.expires_at,
                last_seen_at: r.last_seen_at,
            })
        })
        .collect())
}

/// Ends one session or API token (by its id) of a user the actor administers; in
/// the audit log.
pub async fn revoke_sign_in(cx: &Ctx, username: &str, id: i64) -> CoreResult<()> {
    let username = username.trim().to_lowercase();
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let user = require_admin_of_user(cx, &mut tx, &username).await?;
        if !users_repo::delete_token_by_id(&mut tx, user.id, id).await? {
            return Err(CoreError::not_found(format!(
                "phiên đăng nhập #{id} của tài khoản «{username}»"
            )));
        }
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "sign_in_revoke",
                entity: "user",
                entity_id: &username,
                field: Some("sign_in"),
                old_value: Some(id.to_string()),
                ..Default::default()
            },
        )
        .await
    }
    .await;
    tx.finish(r).await
}

/// Ends every session and API token of a user the actor administers (the user
/// stays enabled and signs in again); in the audit log.
pub async fn revoke_all_sign_ins(cx: &Ctx, username: &str) -> CoreResult<()> {
    let username = username.trim().to_lowercase();
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let user = require_admin_of_user(cx, &mut tx, &username).await?;
        users_repo::delete_tokens_of(&mut tx, user.id).await?;
        audit::write(
            &mut tx,
            audit::Change {
                actor: cx.who(),
                action: "sign_in_revoke_all",
                entity: "user",
                entity_id: &username,
                field: Some("sign_in"),
                ..Default::default()
            },
        )
        .await
    }
    .await;
    tx.finish(r).await
}

/// The audit log of a user the actor administers (grants, changes, revocations),
/// newest first.
pub async fn history(cx: &Ctx, username: &str) -> CoreResult<Vec<audit::AuditEntry>> {
    let username = username.trim().to_lowercase();
    let mut tx = cx.app().db().read().await?;
    let r = async {
        require_admin_of_user(cx, &mut tx, &username).await?;
        let (items, _) = audit::page(&mut tx, "user", &username, 0, 200).await?;
        Ok(items)
    }
    .await;
    tx.finish(r).await
}

/// What an import of users did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsersImported {
    pub created: usize,
    pub usernames: Vec<String>,
}

/// Creates every user of a file (see `core::user_import`) with its role and a
/// temporary password to change at the first sign-in — all or nothing, in one
/// transaction. Every line is checked (unit known and in the actor's scope,
/// username free) and every problem listed by line; when any role lies outside
/// the actor's scope the refusal is `forbidden`.
pub async fn import(cx: &Ctx, recs: Vec<(usize, UserRecord)>) -> CoreResult<UsersImported> {
    if recs.is_empty() {
        return Err(CoreError::invalid("Tệp không có người dùng nào"));
    }
    if !cx.actor().is_system() && cx.actor().units_with(&[Role::Admin]).is_empty() {
        return Err(forbidden());
    }
    let mut hashes = Vec::with_capacity(recs.len());
    for (_, r) in &recs {
        hashes.push(passwords::hash(&r.password).await?);
    }
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let mut problems = Vec::new();
        let mut out_of_scope = false;
        let mut units = Vec::with_capacity(recs.len());
        for (line, r) in &recs {
            let bad = |message: String| Problem {
                line: *line,
                code: "user",
                message,
            };
            let unit = match units_repo::by_code(&mut tx, &r.unit_code).await {
                Ok(u) => Some(u),
                Err(e) if matches!(e.code, ErrorCode::UnknownUnit | ErrorCode::NotFound) => {
                    problems.push(bad(format!("Không có đơn vị mã «{}»", r.unit_code)));
                    None
                }
                Err(e) => return Err(e),
            };
            if let Some(u) = &unit {
                let lineage = units_repo::lineage(&mut tx, u.id).await?;
                if !access::may_grant(cx.actor(), &lineage) {
                    out_of_scope = true;
                    problems.push(bad(format!(
                        "Không có quyền giao vai trò «{}» tại đơn vị «{}» (ngoài phạm vi quản trị)",
                        r.role.label_vi(),
                        u.name
                    )));
                }
            }
            if users_repo::by_username(&mut tx, &r.username)
                .await?
                .is_some()
            {
                problems.push(bad(format!("Tên đăng nhập «{}» đã có", r.username)));
            }
            if let Err(e) = passwords::check_new(&r.password) {
                problems.push(bad(e.message));
            }
            units.push(unit);
        }
        if !problems.is_empty() {
            let n = problems.len();
            return Err(CoreError::with_problems(
                if out_of_scope {
                    ErrorCode::Forbidden
                } else {
                    ErrorCode::InvalidInput
                },
                format!(
                    "Tệp người dùng có {n} lỗi{}; không nhập người nào",
                    if out_of_scope {
                        " (có dòng ngoài phạm vi quản trị)"
                    } else {
                        ""
                    }
                ),
                problems,
            ));
        }
        let mut usernames = Vec::with_capacity(recs.len());
        for (((_, r), hash), unit) in recs.iter().zip(&hashes).zip(&units) {
            let Some(unit) = unit else { continue };
            let id = users_repo::insert(
                &mut tx,
                &users_repo::NewUserRow {
                    username: &r.username,
                    full_name: &r.full_name,
                    password_hash: hash,
                    email: r.email.as_deref(),
                    must_change_password: true,
                },
            )
            .await?;
            users_repo::add_grant(&mut tx, id, r.role, unit.id).await?;
            usernames.push(r.username.clone());
        }
        let entries: Vec<audit::Change<'_>> = recs
            .iter()
            .zip(&units)
            .flat_map(|((_, r), u)| {
                [
                    audit::Change {
                        actor: cx.who(),
                        action: "user_create",
                        entity: "user",
                        entity_id: &r.username,
                        field: Some("import"),
                        ..Default::default()
                    },
                    audit::Change {
                        actor: cx.who(),
                        action: "grant",
                        entity: "user",
                        entity_id: &r.username,
                        field: Some(r.role.as_str()),
                        new_value: u.as_ref().map(|u| u.code.clone()),
                        ..Default::default()
                    },
                ]
            })
            .collect();
        audit::write_many(&mut tx, &entries).await?;
        Ok(UsersImported {
            created: usernames.len(),
            usernames,
        })
    }
    .await;
    tx.finish(r).await
}
