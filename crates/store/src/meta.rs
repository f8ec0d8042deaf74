//! Server settings kept in the database (`meta`): e.g. the secret that keys the
//! anti-forgery tokens. A leaf module.

use qcdc_core::CoreResult;
use sqlx::{AnyConnection, FromRow};

use crate::db::DbResult;
use crate::rows;

#[derive(FromRow)]
struct V {
    value: String,
}

pub async fn get(c: &mut AnyConnection, key: &str) -> CoreResult<Option<String>> {
    let r: Option<V> = rows::fetch_optional(
        c,
        sqlx::query_as("SELECT value FROM meta WHERE key = $1").bind(key.to_string()),
        "meta",
    )
    .await?;
    Ok(r.map(|v| v.value))
}

/// Sets a key only when it is not set yet; returns the value in force.
pub async fn get_or_insert(c: &mut AnyConnection, key: &str, value: &str) -> CoreResult<String> {
    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key.to_string())
        .bind(value.to_string())
        .execute(&mut *c)
        .await
        .db()?;
    Ok(get(c, key).await?.unwrap_or_else(|| value.to_string()))
}

/// Sets a key, replacing its value.
pub async fn put(c: &mut AnyConnection, key: &str, value: &str) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key.to_string())
    .bind(value.to_string())
    .execute(&mut *c)
    .await
    .db()?;
    Ok(())
}
