//! Users, role grants per unit, password hashing (argon2) and API tokens.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{Duration, Utc};
use qcdc_core::access::{Grant, Role};
use qcdc_core::{CoreError, CoreResult, ErrorCode};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::audit;
use crate::db::{DbResult, Store, get_i64, get_str, now};

/// Someone acting through the API, with the roles they hold.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub grants: Vec<Grant>,
}

/// A user as listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UserInfo {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub roles: Vec<(String, String)>,
}

fn hash_password(password: &str) -> CoreResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| {
            CoreError::new(
                ErrorCode::Internal,
                format!("Không mã hóa được mật khẩu: {e}"),
            )
        })
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Creates a user with roles given as (role, unit code).
    pub async fn create_user(
        &self,
        username: &str,
        full_name: &str,
        password: &str,
        roles: &[(Role, String)],
        actor: &str,
    ) -> CoreResult<i64> {
        let username = username.trim().to_lowercase();
        if username.is_empty()
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
        {
            return Err(CoreError::invalid(
                "Tên đăng nhập chỉ gồm chữ không dấu, số, «.», «_», «-»",
            ));
        }
        if password.chars().count() < 8 {
            return Err(CoreError::invalid("Mật khẩu phải có ít nhất 8 ký tự"));
        }
        let mut unit_ids = Vec::new();
        for (_, code) in roles {
            unit_ids.push(self.unit(code).await?.id);
        }
        let hash = hash_password(password)?;
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("INSERT INTO users (username, full_name, password_hash, active, created_at) VALUES ($1, $2, $3, 1, $4) RETURNING id")
            .bind(username.clone())
            .bind(full_name.to_string())
            .bind(hash)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .db()?;
        let id = get_i64(&row, "id");
        for ((role, code), unit_id) in roles.iter().zip(unit_ids) {
            sqlx::query("INSERT INTO user_roles (user_id, role, unit_id) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(role.as_str())
                .bind(unit_id)
                .execute(&mut *tx)
                .await
                .db()?;
            audit(
                &mut tx,
                actor,
                "grant",
                "user",
                &username,
                Some(role.as_str()),
                None,
                Some(code.clone()),
            )
            .await?;
        }
        tx.commit().await.db()?;
        Ok(id)
    }

    async fn actor(&self, user_id: i64) -> CoreResult<Actor> {
        let u =
            sqlx::query("SELECT id, username, full_name FROM users WHERE id = $1 AND active = 1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await
                .db()?;
        let u = u.ok_or_else(|| {
            CoreError::new(
                ErrorCode::Unauthorized,
                "Tài khoản không tồn tại hoặc đã bị khóa",
            )
        })?;
        let roles = sqlx::query("SELECT role, unit_id FROM user_roles WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
            .db()?;
        Ok(Actor {
            user_id,
            username: get_str(&u, "username"),
            full_name: get_str(&u, "full_name"),
            grants: roles
                .iter()
                .filter_map(|r| {
                    Role::parse(&get_str(r, "role")).map(|role| Grant {
                        role,
                        unit_id: get_i64(r, "unit_id"),
                    })
                })
                .collect(),
        })
    }

    /// Checks a password; the same error whether the user or the password is wrong.
    pub async fn verify_password(&self, username: &str, password: &str) -> CoreResult<Actor> {
        let wrong = || {
            CoreError::new(
                ErrorCode::Unauthorized,
                "Tên đăng nhập hoặc mật khẩu không đúng",
            )
        };
        let row =
            sqlx::query("SELECT id, password_hash FROM users WHERE username = $1 AND active = 1")
                .bind(username.trim().to_lowercase())
                .fetch_optional(&self.pool)
                .await
                .db()?;
        let Some(row) = row else {
            // spend the same time as a real check so usernames cannot be probed
            let _ = hash_password(password);
            return Err(wrong());
        };
        let stored = get_str(&row, "password_hash");
        let parsed = PasswordHash::new(&stored).map_err(|_| wrong())?;
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .map_err(|_| wrong())?;
        self.actor(get_i64(&row, "id")).await
    }

    /// Issues a bearer token valid for `hours`; only its hash is stored.
    pub async fn issue_token(&self, user_id: i64, hours: i64) -> CoreResult<String> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash(&token))
            .bind(user_id)
            .bind(now())
            .bind((Utc::now() + Duration::hours(hours)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .execute(&self.pool)
            .await
            .db()?;
        Ok(token)
    }

    /// The actor behind a bearer token, if it is valid and not expired.
    pub async fn actor_for_token(&self, token: &str) -> CoreResult<Actor> {
        let row = sqlx::query("SELECT user_id, expires_at FROM api_tokens WHERE token_hash = $1")
            .bind(token_hash(token))
            .fetch_optional(&self.pool)
            .await
            .db()?;
        let expired = || {
            CoreError::new(
                ErrorCode::Unauthorized,
                "Phiên làm việc đã hết hạn hoặc không hợp lệ; hãy đăng nhập lại",
            )
        };
        let row = row.ok_or_else(expired)?;
        if get_str(&row, "expires_at") < now() {
            return Err(expired());
        }
        self.actor(get_i64(&row, "user_id")).await
    }

    pub async fn list_users(&self) -> CoreResult<Vec<UserInfo>> {
        let users = sqlx::query("SELECT id, username, full_name FROM users ORDER BY username")
            .fetch_all(&self.pool)
            .await
            .db()?;
        let roles = sqlx::query(
            "SELECT r.user_id, r.role, u.code FROM user_roles r JOIN units u ON u.id = r.unit_id",
        )
        .fetch_all(&self.pool)
        .await
        .db()?;
        Ok(users
            .iter()
            .map(|u| {
                let id = get_i64(u, "id");
                UserInfo {
                    id,
                    username: get_str(u, "username"),
                    full_name: get_str(u, "full_name"),
                    roles: roles
                        .iter()
                        .filter(|r| get_i64(r, "user_id") == id)
                        .map(|r| (get_str(r, "role"), get_str(r, "code")))
                        .collect(),
                }
            })
            .collect())
    }
}

impl Store {
    /// Refuses unless the actor holds `perm` over the unit (roles reach the subtree).
    pub async fn authorize(
        &self,
        actor: &Actor,
        perm: qcdc_core::access::Permission,
        unit_id: i64,
    ) -> CoreResult<()> {
        let lineage = self.lineage(unit_id).await?;
        if qcdc_core::access::allowed(&actor.grants, perm, unit_id, &lineage) {
            Ok(())
        } else {
            Err(CoreError::new(
                ErrorCode::Forbidden,
                "Tài khoản không có quyền thực hiện thao tác này với đơn vị này",
            ))
        }
    }

    /// Ends a session or token.
    pub async fn revoke_token(&self, token: &str) -> CoreResult<()> {
        sqlx::query("DELETE FROM api_tokens WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await
            .db()?;
        Ok(())
    }

    /// Changes a password after checking the current one.
    pub async fn change_password(&self, user_id: i64, current: &str, new: &str) -> CoreResult<()> {
        let row = sqlx::query("SELECT username FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await
            .db()?;
        let username = get_str(
            &row.ok_or_else(|| CoreError::not_found("tài khoản"))?,
            "username",
        );
        self.verify_password(&username, current)
            .await
            .map_err(|_| CoreError::new(ErrorCode::Unauthorized, "Mật khẩu hiện tại không đúng"))?;
        if new.chars().count() < 8 {
            return Err(CoreError::invalid("Mật khẩu mới phải có ít nhất 8 ký tự"));
        }
        let hash = hash_password(new)?;
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .db()?;
        audit(
            &mut tx,
            &username,
            "password_change",
            "user",
            &username,
            None,
            None,
            None,
        )
        .await?;
        tx.commit().await.db()?;
        Ok(())
    }

    /// A CSRF token bound to a session token (derived, so nothing more to store).
    pub fn csrf_for(token: &str) -> String {
        hex::encode(Sha256::digest(format!("qcdc-csrf:{token}").as_bytes()))
    }
}

impl Store {
    /// Gives an existing user one more role on a unit.
    pub async fn grant_role(
        &self,
        username: &str,
        role: Role,
        unit_code: &str,
        actor: &str,
    ) -> CoreResult<()> {
        let unit = self.unit(unit_code).await?;
        let username = username.trim().to_lowercase();
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(username.clone())
            .fetch_optional(&mut *tx)
            .await
            .db()?;
        let id = get_i64(
            &row.ok_or_else(|| CoreError::not_found(format!("tài khoản «{username}»")))?,
            "id",
        );
        sqlx::query("INSERT INTO user_roles (user_id, role, unit_id) VALUES ($1, $2, $3) ON CONFLICT (user_id, role, unit_id) DO NOTHING")
            .bind(id)
            .bind(role.as_str())
            .bind(unit.id)
            .execute(&mut *tx)
            .await
            .db()?;
        audit(
            &mut tx,
            actor,
            "grant",
            "user",
            &username,
            Some(role.as_str()),
            None,
            Some(unit_code.to_string()),
        )
        .await?;
        tx.commit().await.db()?;
        Ok(())
    }
}

impl Store {
    /// Refuses unless the actor holds `perm` over the unit that issued the round
    /// (returning, accepting and closing belong to the issuing office).
    pub async fn authorize_round(
        &self,
        actor: &Actor,
        perm: qcdc_core::access::Permission,
        round_id: i64,
    ) -> CoreResult<crate::RoundInfo> {
        let round = self.round(round_id).await?;
        let issuer = self.unit(&round.issuer_code).await?;
        self.authorize(actor, perm, issuer.id).await?;
        Ok(round)
    }
}
