//! Templates: import (versioned, immutable once used), listing, cached parsing.

use std::path::Path;
use std::sync::Arc;

use qcdc_core::template::Template;
use qcdc_core::{CoreError, CoreResult, ErrorCode};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::audit;
use crate::db::{DbResult, Store, get_i64, get_str, now};

/// A template as listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TemplateInfo {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub sections: usize,
    pub indicators: usize,
    pub rules: usize,
    pub in_use: bool,
    pub created_at: String,
}

impl Store {
    /// Imports a template file. The same code and version with the same content is a
    /// no-op; with different content it replaces the stored one only while no round
    /// uses it — otherwise a new version must be made.
    pub async fn import_template(&self, source: &str, actor: &str) -> CoreResult<TemplateInfo> {
        let t = Template::from_toml(source)?;
        let checksum = hex::encode(Sha256::digest(source.as_bytes()));
        let mut tx = self.write_tx().await?;
        let existing =
            sqlx::query("SELECT id, checksum FROM templates WHERE code = $1 AND version = $2")
                .bind(t.code().to_string())
                .bind(i64::from(t.version()))
                .fetch_optional(&mut *tx)
                .await
                .db()?;
        let id = match existing {
            Some(row) if get_str(&row, "checksum") == checksum => get_i64(&row, "id"),
            Some(row) => {
                let id = get_i64(&row, "id");
                let used = sqlx::query("SELECT id FROM rounds WHERE template_id = $1 LIMIT 1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await
                    .db()?
                    .is_some();
                if used {
                    return Err(CoreError::new(
                        ErrorCode::TemplateInUse,
                        format!(
                            "Mẫu «{}» phiên bản {} đang được dùng trong đợt báo cáo nên không sửa được; hãy tạo phiên bản {}",
                            t.code(),
                            t.version(),
                            t.version() + 1
                        ),
                    ));
                }
                sqlx::query(
                    "UPDATE templates SET name = $1, source = $2, checksum = $3 WHERE id = $4",
                )
                .bind(t.def.name.clone())
                .bind(source.to_string())
                .bind(checksum)
                .bind(id)
                .execute(&mut *tx)
                .await
                .db()?;
                audit(
                    &mut tx,
                    actor,
                    "template_replace",
                    "template",
                    &format!("{}@{}", t.code(), t.version()),
                    None,
                    None,
                    None,
                )
                .await?;
                id
            }
            None => {
                let row = sqlx::query("INSERT INTO templates (code, version, name, source, checksum, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                    .bind(t.code().to_string())
                    .bind(i64::from(t.version()))
                    .bind(t.def.name.clone())
                    .bind(source.to_string())
                    .bind(checksum)
                    .bind(now())
                    .fetch_one(&mut *tx)
                    .await
                    .db()?;
                let id = get_i64(&row, "id");
                audit(
                    &mut tx,
                    actor,
                    "template_create",
                    "template",
                    &format!("{}@{}", t.code(), t.version()),
                    None,
                    None,
                    None,
                )
                .await?;
                id
            }
        };
        tx.commit().await.db()?;
        self.templates
            .write()
            .expect("template cache lock")
            .insert(id, Arc::new(t));
        self.template_info(id).await
    }

    /// Imports every `*.toml` under `dir` (sorted by name).
    pub async fn load_template_dir(
        &self,
        dir: &Path,
        actor: &str,
    ) -> CoreResult<Vec<TemplateInfo>> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| {
                CoreError::new(
                    ErrorCode::Internal,
                    format!("Không đọc được thư mục mẫu {}: {e}", dir.display()),
                )
            })?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut out = Vec::new();
        for f in files {
            let src = std::fs::read_to_string(&f).map_err(|e| {
                CoreError::new(
                    ErrorCode::Internal,
                    format!("Không đọc được {}: {e}", f.display()),
                )
            })?;
            out.push(self.import_template(&src, actor).await.map_err(|mut e| {
                e.message = format!("{}: {}", f.display(), e.message);
                e
            })?);
        }
        Ok(out)
    }

    pub async fn list_templates(&self) -> CoreResult<Vec<TemplateInfo>> {
        let rows = sqlx::query("SELECT id FROM templates ORDER BY code, version")
            .fetch_all(&self.pool)
            .await
            .db()?;
        let mut out = Vec::new();
        for r in rows {
            out.push(self.template_info(get_i64(&r, "id")).await?);
        }
        Ok(out)
    }

    pub async fn template_info(&self, id: i64) -> CoreResult<TemplateInfo> {
        let row =
            sqlx::query("SELECT id, code, version, name, created_at FROM templates WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .db()?;
        let row = row.ok_or_else(|| CoreError::not_found(format!("mẫu báo cáo #{id}")))?;
        let t = self.template(id).await?;
        let in_use = sqlx::query("SELECT id FROM rounds WHERE template_id = $1 LIMIT 1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .db()?
            .is_some();
        Ok(TemplateInfo {
            id,
            code: get_str(&row, "code"),
            version: get_i64(&row, "version"),
            name: get_str(&row, "name"),
            sections: t.sections().len(),
            indicators: t.indicators().len(),
            rules: t.rules.len(),
            in_use,
            created_at: get_str(&row, "created_at"),
        })
    }

    /// The parsed template with this id (cached; templates never change once used).
    pub async fn template(&self, id: i64) -> CoreResult<Arc<Template>> {
        if let Some(t) = self.templates.read().expect("template cache lock").get(&id) {
            return Ok(t.clone());
        }
        let row = sqlx::query("SELECT source FROM templates WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .db()?;
        let src = get_str(
            &row.ok_or_else(|| CoreError::not_found(format!("mẫu báo cáo #{id}")))?,
            "source",
        );
        let t = Arc::new(Template::from_toml(&src)?);
        self.templates
            .write()
            .expect("template cache lock")
            .insert(id, t.clone());
        Ok(t)
    }

    /// Finds a template by code, the latest version unless one is given.
    pub async fn template_by_code(
        &self,
        code: &str,
        version: Option<i64>,
    ) -> CoreResult<(i64, Arc<Template>)> {
        let row = match version {
            Some(v) => {
                sqlx::query("SELECT id FROM templates WHERE code = $1 AND version = $2")
                    .bind(code.to_string())
                    .bind(v)
                    .fetch_optional(&self.pool)
                    .await
            }
            None => {
                sqlx::query(
                    "SELECT id FROM templates WHERE code = $1 ORDER BY version DESC LIMIT 1",
                )
                .bind(code.to_string())
                .fetch_optional(&self.pool)
                .await
            }
        }
        .db()?;
        let id = get_i64(
            &row.ok_or_else(|| CoreError::not_found(format!("mẫu báo cáo «{code}»")))?,
            "id",
        );
        Ok((id, self.template(id).await?))
    }

    /// The stored source of a template.
    pub async fn template_source(&self, id: i64) -> CoreResult<String> {
        let row = sqlx::query("SELECT source FROM templates WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .db()?;
        Ok(get_str(
            &row.ok_or_else(|| CoreError::not_found(format!("mẫu báo cáo #{id}")))?,
            "source",
        ))
    }
}
