//! Template use cases: list and view (any signed-in user), import a version
//! (admins of a root unit, or the command line), and the start-up load of the
//! shipped template files (never over a version already stored: a changed file
//! with the same version is reported and ignored, so start-up never fails on it).

use std::path::Path;
use std::sync::Arc;

use qcdc_core::access;
use qcdc_core::template::Template;
use qcdc_core::{CoreError, CoreResult, ErrorCode};
use qcdc_store::templates_repo::{self, TemplateRow};
use qcdc_store::{audit, units_repo};
use sha2::{Digest, Sha256};

use crate::ctx::{Ctx, forbidden};
use crate::views::TemplateInfo;

fn info(row: &TemplateRow, t: &Template) -> TemplateInfo {
    TemplateInfo {
        id: row.id,
        code: row.code.clone(),
        version: row.version,
        name: row.name.clone(),
        sections: t.sections().len(),
        indicators: t.indicators().len(),
        rules: t.rules.len(),
        in_use: row.in_use == 1,
        created_at: row.created_at.clone(),
    }
}

fn signed_in(cx: &Ctx) -> CoreResult<()> {
    // templates are shared knowledge: every signed-in actor may read them
    let _ = cx.actor();
    Ok(())
}

pub async fn list(cx: &Ctx) -> CoreResult<Vec<TemplateInfo>> {
    signed_in(cx)?;
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let rows = templates_repo::list(&mut tx).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let t = cx.app().template(&mut tx, row.id).await?;
            out.push(info(&row, &t));
        }
        Ok(out)
    }
    .await;
    tx.finish(r).await
}

/// A template by code (the latest version unless one is given).
pub async fn get(
    cx: &Ctx,
    code: &str,
    version: Option<i64>,
) -> CoreResult<(TemplateInfo, Arc<Template>)> {
    signed_in(cx)?;
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let row = match version {
            Some(v) => templates_repo::by_code_version(&mut tx, code, v).await?,
            None => templates_repo::latest(&mut tx, code).await?,
        }
        .ok_or_else(|| CoreError::not_found(format!("mẫu báo cáo «{code}»")))?;
        let t = cx.app().template(&mut tx, row.id).await?;
        Ok((info(&row, &t), t))
    }
    .await;
    tx.finish(r).await
}

/// Imports a template file. The same code and version with the same content is a
/// no-op; with different content it replaces the stored one only while no round
/// uses it — otherwise a new version must be made.
pub async fn import(cx: &Ctx, source: &str) -> CoreResult<TemplateInfo> {
    let t = Template::from_toml(source)?;
    let checksum = hex::encode(Sha256::digest(source.as_bytes()));
    let mut tx = cx.app().db().write().await?;
    let r = async {
        if !cx.actor().is_system() {
            let mut roots = Vec::new();
            for id in cx.actor().units_with(&[access::Role::Admin]) {
                if units_repo::is_root(&mut tx, id).await? {
                    roots.push(id);
                }
            }
            if !access::may_import_template(cx.actor(), |u| roots.contains(&u)) {
                return Err(CoreError::new(
                    ErrorCode::Forbidden,
                    "Chỉ quản trị viên của đơn vị cấp cao nhất được nhập mẫu báo cáo (mẫu dùng chung cho mọi đơn vị)",
                ));
            }
        }
        let version = i64::from(t.version());
        let existing = templates_repo::by_code_version(&mut tx, t.code(), version).await?;
        let (id, action) = match existing {
            Some(row) if row.checksum == checksum => (row.id, None),
            Some(row) if row.in_use == 1 => {
                return Err(CoreError::new(
                    ErrorCode::TemplateInUse,
                    format!(
                        "Mẫu «{}» phiên bản {} đang được dùng trong đợt báo cáo nên không sửa được; hãy tạo phiên bản {}",
                        t.code(),
                        version,
                        version + 1
                    ),
                ));
            }
            Some(row) => {
                templates_repo::replace(&mut tx, row.id, &t.def.name, source, &checksum).await?;
                (row.id, Some("template_replace"))
            }
            None => (
                templates_repo::insert(&mut tx, t.code(), version, &t.def.name, source, &checksum).await?,
                Some("template_create"),
            ),
        };
        if let Some(action) = action {
            audit::write(
                &mut tx,
                audit::Change {
                    actor: cx.who(),
                    action,
                    entity: "template",
                    entity_id: &format!("{}@{}", t.code(), version),
                    ..Default::default()
                },
            )
            .await?;
        }
        let row = templates_repo::by_id(&mut tx, id)
            .await?
            .ok_or_else(|| CoreError::not_found(format!("mẫu báo cáo #{id}")))?;
        Ok((id, row))
    }
    .await;
    let (id, row) = tx.finish(r).await?;
    let t = Arc::new(t);
    cx.app().cache(id, t.clone());
    Ok(info(&row, &t))
}

/// What the start-up load did with one file.
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    Imported(TemplateInfo),
    Unchanged(String),
    /// A file whose content differs from the stored version of the same number.
    Ignored {
        file: String,
        why: String,
    },
}

/// Loads template files at start-up (the command line only). A version already
/// stored is never replaced from a file here.
pub async fn load_files(cx: &Ctx, files: &[(String, String)]) -> CoreResult<Vec<Loaded>> {
    if !cx.actor().is_system() {
        return Err(forbidden());
    }
    let mut out = Vec::new();
    for (name, source) in files {
        let t = Template::from_toml(source).map_err(|mut e| {
            e.message = format!("{name}: {}", e.message);
            e
        })?;
        let checksum = hex::encode(Sha256::digest(source.as_bytes()));
        let mut tx = cx.app().db().read().await?;
        let r = templates_repo::by_code_version(&mut tx, t.code(), i64::from(t.version())).await;
        let existing = tx.finish(r).await?;
        match existing {
            Some(row) if row.checksum == checksum => out.push(Loaded::Unchanged(name.clone())),
            Some(_) => {
                let why = format!(
                    "tệp {name} khác với mẫu «{}» phiên bản {} đã lưu; bỏ qua tệp (muốn thay đổi thì tăng số phiên bản)",
                    t.code(),
                    t.version()
                );
                tracing::warn!("{why}");
                out.push(Loaded::Ignored {
                    file: name.clone(),
                    why,
                });
            }
            None => out.push(Loaded::Imported(import(cx, source).await?)),
        }
    }
    Ok(out)
}

/// Reads every `*.toml` of a directory, sorted by name.
pub fn read_dir(dir: &Path) -> CoreResult<Vec<(String, String)>> {
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
    files
        .into_iter()
        .map(|f| {
            std::fs::read_to_string(&f)
                .map(|s| (f.display().to_string(), s))
                .map_err(|e| {
                    CoreError::new(
                        ErrorCode::Internal,
                        format!("Không đọc được {}: {e}", f.display()),
                    )
                })
        })
        .collect()
}
