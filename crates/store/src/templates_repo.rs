//! Templates (mẫu báo cáo) as stored: the TOML source of each (code, version),
//! its checksum, and whether a round uses it.

use qcdc_core::CoreResult;
use sqlx::{AnyConnection, FromRow};

use crate::db::DbResult;
use crate::rows::{self, now};

/// A stored template version (its source is read separately).
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TemplateRow {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub checksum: String,
    pub created_at: String,
    /// 1 when some round uses this version.
    pub in_use: i64,
}

const SELECT: &str = "SELECT t.id, t.code, t.version, t.name, t.checksum, t.created_at, CASE WHEN EXISTS (SELECT 1 FROM rounds r WHERE r.template_id = t.id) THEN 1 ELSE 0 END AS in_use FROM templates t";

pub async fn by_code_version(
    c: &mut AnyConnection,
    code: &str,
    version: i64,
) -> CoreResult<Option<TemplateRow>> {
    rows::fetch_optional(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE t.code = $1 AND t.version = $2"
        )))
        .bind(code.to_string())
        .bind(version),
        "templates",
    )
    .await
}

/// The latest version of a code.
pub async fn latest(c: &mut AnyConnection, code: &str) -> CoreResult<Option<TemplateRow>> {
    rows::fetch_optional(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE t.code = $1 ORDER BY t.version DESC LIMIT 1"
        )))
        .bind(code.to_string()),
        "templates",
    )
    .await
}

pub async fn by_id(c: &mut AnyConnection, id: i64) -> CoreResult<Option<TemplateRow>> {
    rows::fetch_optional(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE t.id = $1"))).bind(id),
        "templates",
    )
    .await
}

pub async fn list(c: &mut AnyConnection) -> CoreResult<Vec<TemplateRow>> {
    rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} ORDER BY t.code, t.version"
        ))),
        "templates",
    )
    .await
}

#[derive(FromRow)]
struct Src {
    source: String,
}

pub async fn source(c: &mut AnyConnection, id: i64) -> CoreResult<Option<String>> {
    let r: Option<Src> = rows::fetch_optional(
        c,
        sqlx::query_as("SELECT source FROM templates WHERE id = $1").bind(id),
        "templates",
    )
    .await?;
    Ok(r.map(|s| s.source))
}

/// Inserts a new version; returns its id.
pub async fn insert(
    c: &mut AnyConnection,
    code: &str,
    version: i64,
    name: &str,
    source: &str,
    checksum: &str,
) -> CoreResult<i64> {
    #[derive(FromRow)]
    struct Id {
        id: i64,
    }
    let r: Id = rows::fetch_one(
        c,
        sqlx::query_as("INSERT INTO templates (code, version, name, source, checksum, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(code.to_string())
            .bind(version)
            .bind(name.to_string())
            .bind(source.to_string())
            .bind(checksum.to_string())
            .bind(now()),
        "templates",
    )
    .await?;
    Ok(r.id)
}

/// Replaces the source of a version no round uses yet.
pub async fn replace(
    c: &mut AnyConnection,
    id: i64,
    name: &str,
    source: &str,
    checksum: &str,
) -> CoreResult<()> {
    sqlx::query("UPDATE templates SET name = $1, source = $2, checksum = $3 WHERE id = $4")
        .bind(name.to_string())
        .bind(source.to_string())
        .bind(checksum.to_string())
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}
