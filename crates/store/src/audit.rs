//! The audit log: who changed what, when, from which value to which. A leaf
//! module: entries are written in the caller's transaction.

use qcdc_core::CoreResult;
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::db::DbResult;
use crate::rows::{self, now};

/// One audit entry.
#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// What an entry records (the caller's transaction writes it).
#[derive(Debug, Clone, Default)]
pub struct Change<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub field: Option<&'a str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

pub async fn write(c: &mut AnyConnection, e: Change<'_>) -> CoreResult<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, entity, entity_id, field, old_value, new_value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(now())
        .bind(e.actor.to_string())
        .bind(e.action.to_string())
        .bind(e.entity.to_string())
        .bind(e.entity_id.to_string())
        .bind(e.field.map(str::to_string))
        .bind(e.old_value)
        .bind(e.new_value)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// Writes many entries at once (a whole imported file).
pub async fn write_many(c: &mut AnyConnection, entries: &[Change<'_>]) -> CoreResult<()> {
    let at = now();
    let rows: Vec<Vec<crate::rows::Val>> = entries
        .iter()
        .map(|e| {
            use crate::rows::Val;
            let opt = |v: &Option<String>| v.clone().map_or(Val::Null, Val::S);
            vec![
                Val::S(at.clone()),
                Val::S(e.actor.to_string()),
                Val::S(e.action.to_string()),
                Val::S(e.entity.to_string()),
                Val::S(e.entity_id.to_string()),
                e.field.map_or(Val::Null, |f| Val::S(f.to_string())),
                opt(&e.old_value),
                opt(&e.new_value),
            ]
        })
        .collect();
    crate::rows::bulk_insert(
        c,
        "audit_log",
        &[
            "at",
            "actor",
            "action",
            "entity",
            "entity_id",
            "field",
            "old_value",
            "new_value",
        ],
        &rows,
        "",
    )
    .await
}

const COLS: &str = "id, at, actor, action, entity, entity_id, field, old_value, new_value";

/// Entries of one entity (`unit`, `template`, `round`, `submission`, `user`),
/// newest first, one page, with the total.
pub async fn page(
    c: &mut AnyConnection,
    entity: &str,
    entity_id: &str,
    offset: i64,
    limit: i64,
) -> CoreResult<(Vec<AuditEntry>, i64)> {
    #[derive(FromRow)]
    struct N {
        n: i64,
    }
    let total: N = rows::fetch_one(
        c,
        sqlx::query_as("SELECT COUNT(*) AS n FROM audit_log WHERE entity = $1 AND entity_id = $2")
            .bind(entity.to_string())
            .bind(entity_id.to_string()),
        "audit_log",
    )
    .await?;
    let items = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id DESC LIMIT {limit} OFFSET {offset}"
        )))
        .bind(entity.to_string())
        .bind(entity_id.to_string()),
        "audit_log",
    )
    .await?;
    Ok((items, total.n))
}

/// Every entry of one entity, oldest first (tests, exports).
pub async fn all(
    c: &mut AnyConnection,
    entity: &str,
    entity_id: &str,
) -> CoreResult<Vec<AuditEntry>> {
    rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id"
        )))
        .bind(entity.to_string())
        .bind(entity_id.to_string()),
        "audit_log",
    )
    .await
}
