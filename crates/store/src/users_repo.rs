//! Users, their role grants per unit, password hashes (the hashing itself is the
//! use-case layer's) and sign-in tokens (only their SHA-256 is stored).

use qcdc_core::access::{Grant, Role};
use qcdc_core::{CoreResult, text};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::db::DbResult;
use crate::rows::{self, id_list, now, parse_col};
use crate::units_repo::like_escape;

/// A user's account row.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub password_hash: String,
    pub active: i64,
    pub created_at: String,
    pub email: Option<String>,
    pub must_change_password: i64,
}

const USER_COLS: &str =
    "id, username, full_name, password_hash, active, created_at, email, must_change_password";

pub async fn by_username(c: &mut AnyConnection, username: &str) -> CoreResult<Option<UserRow>> {
    rows::fetch_optional(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users WHERE username = $1"
        )))
        .bind(username.to_string()),
        "users",
    )
    .await
}

pub async fn by_id(c: &mut AnyConnection, id: i64) -> CoreResult<Option<UserRow>> {
    rows::fetch_optional(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users WHERE id = $1"
        )))
        .bind(id),
        "users",
    )
    .await
}

/// A new account row.
pub struct NewUserRow<'a> {
    pub username: &'a str,
    pub full_name: &'a str,
    pub password_hash: &'a str,
    pub email: Option<&'a str>,
    /// The password is temporary: changed at the next sign-in.
    pub must_change_password: bool,
}

pub async fn insert(c: &mut AnyConnection, u: &NewUserRow<'_>) -> CoreResult<i64> {
    #[derive(FromRow)]
    struct Id {
        id: i64,
    }
    let r: Id = rows::fetch_one(
        c,
        sqlx::query_as("INSERT INTO users (username, full_name, password_hash, active, created_at, search_folded, email, must_change_password) VALUES ($1, $2, $3, 1, $4, $5, $6, $7) RETURNING id")
            .bind(u.username.to_string())
            .bind(u.full_name.to_string())
            .bind(u.password_hash.to_string())
            .bind(now())
            .bind(text::fold(&format!("{} {}", u.username, u.full_name)))
            .bind(u.email.map(str::to_string))
            .bind(i64::from(u.must_change_password)),
        "users",
    )
    .await?;
    Ok(r.id)
}

/// Sets the password hash; `must_change` marks a temporary password (set by an
/// admin) that the user must replace at the next sign-in.
pub async fn set_password_hash(
    c: &mut AnyConnection,
    id: i64,
    hash: &str,
    must_change: bool,
) -> CoreResult<()> {
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
        .bind(hash.to_string())
        .bind(i64::from(must_change))
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// Enables or disables an account.
pub async fn set_active(c: &mut AnyConnection, id: i64, active: bool) -> CoreResult<()> {
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// Sets (or clears) the e-mail address.
pub async fn set_email(c: &mut AnyConnection, id: i64, email: Option<&str>) -> CoreResult<()> {
    sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
        .bind(email.map(str::to_string))
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// Ends every sign-in token (web sessions and API tokens) of a user.
pub async fn delete_tokens_of(c: &mut AnyConnection, user_id: i64) -> CoreResult<()> {
    sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// An active user who reports for a unit, with the e-mail address if any.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Contact {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
}

/// Active users holding one of `roles` on exactly the unit (those who write its
/// report), by username.
pub async fn contacts_of_unit(
    c: &mut AnyConnection,
    unit_id: i64,
    roles: &[Role],
) -> CoreResult<Vec<Contact>> {
    let roles = roles
        .iter()
        .map(|r| format!("'{}'", r.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT u.id AS user_id, u.username, u.full_name, u.email FROM users u JOIN user_roles r ON r.user_id = u.id \
             WHERE r.unit_id = $1 AND r.role IN ({roles}) AND u.active = 1 ORDER BY u.username"
        )))
        .bind(unit_id),
        "users",
    )
    .await
}

#[derive(FromRow)]
struct GrantRow {
    user_id: i64,
    role: String,
    unit_id: i64,
    code: String,
}

/// A grant with its unit's code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantInfo {
    pub role: Role,
    pub unit_id: i64,
    pub unit_code: String,
}

async fn grants_of(c: &mut AnyConnection, user_ids: &[i64]) -> CoreResult<Vec<(i64, GrantInfo)>> {
    let mut out = Vec::new();
    for chunk in user_ids.chunks(500) {
        let rows: Vec<GrantRow> = rows::fetch_all(
            c,
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT r.user_id, r.role, r.unit_id, u.code FROM user_roles r JOIN units u ON u.id = r.unit_id WHERE r.user_id IN ({}) ORDER BY r.user_id, r.role, u.code",
                id_list(chunk)
            ))),
            "user_roles",
        )
        .await?;
        for r in rows {
            let role = parse_col("user_roles", "role", r.role, |s| {
                Role::parse(s).ok_or("vai trò không biết")
            })?;
            out.push((
                r.user_id,
                GrantInfo {
                    role,
                    unit_id: r.unit_id,
                    unit_code: r.code,
                },
            ));
        }
    }
    Ok(out)
}

/// A user's grants.
pub async fn grants(c: &mut AnyConnection, user_id: i64) -> CoreResult<Vec<Grant>> {
    Ok(grants_of(c, &[user_id])
        .await?
        .into_iter()
        .map(|(_, g)| Grant {
            role: g.role,
            unit_id: g.unit_id,
        })
        .collect())
}

/// Grants a role (no-op when held already).
pub async fn add_grant(
    c: &mut AnyConnection,
    user_id: i64,
    role: Role,
    unit_id: i64,
) -> CoreResult<()> {
    sqlx::query("INSERT INTO user_roles (user_id, role, unit_id) VALUES ($1, $2, $3) ON CONFLICT (user_id, role, unit_id) DO NOTHING")
        .bind(user_id)
        .bind(role.as_str())
        .bind(unit_id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// A user as listed to an admin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserInfo {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub active: bool,
    pub email: Option<String>,
    /// A temporary password is waiting to be changed.
    pub must_change_password: bool,
    pub roles: Vec<GrantInfo>,
}

/// Users holding a role somewhere below one of `within` (all users when None),
/// matching `q` (username or name, with or without diacritics), by username,
/// one page, with the total.
pub async fn list(
    c: &mut AnyConnection,
    within: Option<&[i64]>,
    q: Option<&str>,
    offset: i64,
    limit: i64,
) -> CoreResult<(Vec<UserInfo>, i64)> {
    let mut w = vec!["1 = 1".to_string()];
    if let Some(units) = within {
        w.push(format!(
            "EXISTS (SELECT 1 FROM user_roles r JOIN unit_closure c ON c.descendant_id = r.unit_id WHERE r.user_id = users.id AND c.ancestor_id IN ({}))",
            id_list(units)
        ));
    }
    let mut binds = Vec::new();
    if let Some(q) = q {
        for word in text::fold(q).split_whitespace().take(8) {
            binds.push(format!("%{}%", like_escape(word)));
            w.push(format!("search_folded LIKE ${} ESCAPE '\\'", binds.len()));
        }
    }
    let w = w.join(" AND ");
    #[derive(FromRow)]
    struct N {
        n: i64,
    }
    let mut cq = sqlx::query_as::<_, N>(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM users WHERE {w}"
    )));
    for b in &binds {
        cq = cq.bind(b.clone());
    }
    let total = rows::fetch_one(c, cq, "users").await?;
    let mut lq = sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLS} FROM users WHERE {w} ORDER BY username LIMIT {limit} OFFSET {offset}"
    )));
    for b in &binds {
        lq = lq.bind(b.clone());
    }
    let users: Vec<UserRow> = rows::fetch_all(c, lq, "users").await?;
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let grants = grants_of(c, &ids).await?;
    let items = users
        .into_iter()
        .map(|u| UserInfo {
            id: u.id,
            roles: grants
                .iter()
                .filter(|(id, _)| *id == u.id)
                .map(|(_, g)| g.clone())
                .collect(),
            username: u.username,
            full_name: u.full_name,
            active: u.active == 1,
            email: u.email,
            must_change_password: u.must_change_password == 1,
        })
        .collect();
    Ok((items, total.n))
}

/// Fills the folded search text of users made before migration 2.
pub async fn fill_search(c: &mut AnyConnection) -> CoreResult<()> {
    #[derive(FromRow)]
    struct Rec {
        id: i64,
        username: String,
        full_name: String,
    }
    let rows: Vec<Rec> = rows::fetch_all(
        c,
        sqlx::query_as("SELECT id, username, full_name FROM users WHERE search_folded = ''"),
        "users",
    )
    .await?;
    for r in rows {
        sqlx::query("UPDATE users SET search_folded = $1 WHERE id = $2")
            .bind(text::fold(&format!("{} {}", r.username, r.full_name)))
            .bind(r.id)
            .execute(&mut *c)
            .await
            .db()?;
    }
    Ok(())
}

/// A sign-in token's row (by its hash). `kind` is `session` (a web cookie) or
/// `api` (a bearer token).
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_seen_at: Option<String>,
}

const TOKEN_COLS: &str = "id, user_id, kind, created_at, expires_at, last_seen_at";

pub async fn insert_token(
    c: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    kind: &str,
    expires_at: &str,
) -> CoreResult<()> {
    sqlx::query("INSERT INTO api_tokens (token_hash, user_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash.to_string())
        .bind(user_id)
        .bind(kind.to_string())
        .bind(now())
        .bind(expires_at.to_string())
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

pub async fn token(c: &mut AnyConnection, token_hash: &str) -> CoreResult<Option<TokenRow>> {
    rows::fetch_optional(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = $1"
        )))
        .bind(token_hash.to_string()),
        "api_tokens",
    )
    .await
}

/// The sign-in tokens of a user (never their hashes), newest first.
pub async fn tokens_of(c: &mut AnyConnection, user_id: i64) -> CoreResult<Vec<TokenRow>> {
    rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC"
        )))
        .bind(user_id),
        "api_tokens",
    )
    .await
}

/// Records that a token was used at `at`.
pub async fn touch_token(c: &mut AnyConnection, token_hash: &str, at: &str) -> CoreResult<()> {
    sqlx::query("UPDATE api_tokens SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(at.to_string())
        .bind(token_hash.to_string())
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

pub async fn delete_token(c: &mut AnyConnection, token_hash: &str) -> CoreResult<()> {
    sqlx::query("DELETE FROM api_tokens WHERE token_hash = $1")
        .bind(token_hash.to_string())
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// Ends one token of a user by its id; whether there was one.
pub async fn delete_token_by_id(c: &mut AnyConnection, user_id: i64, id: i64) -> CoreResult<bool> {
    let r = sqlx::query("DELETE FROM api_tokens WHERE user_id = $1 AND id = $2")
        .bind(user_id)
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(r.rows_affected() > 0)
}

/// Ends every token of a user except the one with hash `keep`.
pub async fn delete_tokens_except(
    c: &mut AnyConnection,
    user_id: i64,
    keep: &str,
) -> CoreResult<()> {
    sqlx::query("DELETE FROM api_tokens WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep.to_string())
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// Removes every expired token (expiry before `at`); how many.
pub async fn purge_expired_tokens(c: &mut AnyConnection, at: &str) -> CoreResult<u64> {
    let r = sqlx::query("DELETE FROM api_tokens WHERE expires_at < $1")
        .bind(at.to_string())
        .execute(&mut *c)
        .await
        .db()?;
    Ok(r.rows_affected())
}
