//! User administration, scoped: an admin lists the users holding a role in its
//! subtree, creates users and grants roles only on units it administers.

use qcdc_core::access::{self, Role};
use qcdc_core::{CoreError, CoreResult, ErrorCode, text};
use qcdc_store::users_repo::{self, UserInfo};
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
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
    {
        return Err(CoreError::invalid(
            "Tên đăng nhập chỉ gồm chữ không dấu, số, «.», «_», «-» (tối đa 64 ký tự)",
        ));
    }
    Ok(())
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

/// Creates a user with its roles; every role on a unit the actor administers.
pub async fn create(cx: &Ctx, new: &NewUser) -> CoreResult<i64> {
    let username = new.username.trim().to_lowercase();
    check_username(&username)?;
    let full_name = text::nfc(new.full_name.trim());
    if full_name.is_empty() {
        return Err(CoreError::invalid("Thiếu họ tên"));
    }
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
        let id = users_repo::insert(&mut tx, &username, &full_name, &hash).await?;
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
