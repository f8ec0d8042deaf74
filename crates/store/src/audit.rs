//! The audit log: who changed what, when, from which value to which.

use qcdc_core::CoreResult;
use serde::Serialize;
use sqlx::{Any, Transaction};

use crate::db::{DbResult, Store, get_i64, get_opt_str, get_str, now};

/// One audit entry.
#[derive(Debug, Clone, Serialize, PartialEq)]
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

#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit(
    tx: &mut Transaction<'_, Any>,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    field: Option<&str>,
    old_value: Option<String>,
    new_value: Option<String>,
) -> CoreResult<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, entity, entity_id, field, old_value, new_value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(now())
        .bind(actor.to_string())
        .bind(action.to_string())
        .bind(entity.to_string())
        .bind(entity_id.to_string())
        .bind(field.map(str::to_string))
        .bind(old_value)
        .bind(new_value)
        .execute(&mut **tx)
        .await
        .db()?;
    Ok(())
}

impl Store {
    /// Audit entries of one entity (`unit`, `template`, `round`, `submission`), oldest first.
    pub async fn audit_log(&self, entity: &str, entity_id: &str) -> CoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT id, at, actor, action, entity, entity_id, field, old_value, new_value FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id")
            .bind(entity.to_string())
            .bind(entity_id.to_string())
            .fetch_all(&self.pool)
            .await
            .db()?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                id: get_i64(r, "id"),
                at: get_str(r, "at"),
                actor: get_str(r, "actor"),
                action: get_str(r, "action"),
                entity: get_str(r, "entity"),
                entity_id: get_str(r, "entity_id"),
                field: get_opt_str(r, "field"),
                old_value: get_opt_str(r, "old_value"),
                new_value: get_opt_str(r, "new_value"),
            })
            .collect())
    }
}
