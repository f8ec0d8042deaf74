//! The simple registers: dialogues (đối thoại), inspections and supervision
//! (kiểm tra, giám sát) and "Dân vận khéo" models — a dated entry with a title,
//! recorded by the unit and listed with its subtree.

use chrono::NaiveDate;
use qcdc_core::period::format_date;
use qcdc_core::registers::source::InspectionKind;
use std::collections::BTreeMap;

use qcdc_core::{CoreError, CoreResult, ErrorCode};
use qcdc_store::audit::{self, Change};
use qcdc_store::registers_repo::{self, Simple, SimpleEntry};
use qcdc_store::{Conn, units_repo};
use serde::Serialize;

use super::{require_record, require_sight, text, units_of};
use crate::ctx::Ctx;
use crate::views::{Page, PageReq};

pub use qcdc_store::registers_repo::Simple as Register;

/// An entry as typed in the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInput {
    pub on: NaiveDate,
    /// Topic of a dialogue, subject of an inspection, name of a model.
    pub title: String,
    /// Participants of a dialogue.
    pub number: u32,
    /// Inspections only.
    pub kind: Option<InspectionKind>,
    /// Models: the field (lĩnh vực).
    pub field: String,
}

/// An entry as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryView {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub on: String,
    pub title: String,
    pub number: u32,
    pub kind_label: Option<&'static str>,
    pub field: String,
}

fn name(which: Simple) -> &'static str {
    match which {
        Simple::Dialogues => "dialogue",
        Simple::Inspections => "inspection",
        Simple::Models => "mobilisation_model",
    }
}

/// Records an entry in one of the unit's simple registers.
pub async fn record(
    cx: &Ctx,
    which: Simple,
    unit_code: &str,
    input: &EntryInput,
) -> CoreResult<i64> {
    let today = cx.app().today();
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        require_record(cx, &mut tx, unit.id).await?;
        super::require_active(&unit, input.on)?;
        if input.on > today {
            return Err(CoreError::new(
                ErrorCode::InvalidDate,
                format!("Ngày {} ở tương lai", format_date(input.on)),
            ));
        }
        if which == Simple::Inspections && input.kind.is_none() {
            return Err(CoreError::invalid("Chọn kiểm tra hay giám sát"));
        }
        let e = SimpleEntry {
            id: 0,
            unit_id: unit.id,
            on: input.on,
            title: text("nội dung", &input.title, true, 500)?,
            number: input.number,
            kind: input.kind,
            field: text("lĩnh vực", &input.field, false, 200)?,
        };
        let id = registers_repo::insert_simple(&mut tx, which, &e, cx.who()).await?;
        audit::write(
            &mut tx,
            Change {
                actor: cx.who(),
                action: "record_register",
                entity: name(which),
                entity_id: &id.to_string(),
                new_value: Some(format!("{} {}", format_date(e.on), e.title)),
                ..Default::default()
            },
        )
        .await?;
        Ok(id)
    }
    .await;
    tx.finish(r).await
}

/// The entries of a unit (or its subtree) dated in `[from, to]`.
pub async fn list(
    cx: &Ctx,
    which: Simple,
    unit_code: &str,
    subtree: bool,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<EntryView>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        let ids = units_of(&mut tx, &unit, subtree).await?;
        let rows = registers_repo::simple(&mut tx, which, &ids, from, to).await?;
        views(&mut tx, rows).await
    };
    let r = r.await;
    tx.finish(r).await
}

/// One page of the entries of a unit (or its subtree) dated in `[from, to]`,
/// newest first, with the number of entries in the whole window.
pub async fn page(
    cx: &Ctx,
    which: Simple,
    unit_code: &str,
    subtree: bool,
    from: NaiveDate,
    to: NaiveDate,
    page: PageReq,
) -> CoreResult<Page<EntryView>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        let ids = units_of(&mut tx, &unit, subtree).await?;
        let (rows, total) =
            registers_repo::simple_page(&mut tx, which, &ids, from, to, page.size(), page.offset())
                .await?;
        Ok(Page::new(views(&mut tx, rows).await?, total, page))
    };
    let r = r.await;
    tx.finish(r).await
}

async fn views(c: &mut Conn, rows: Vec<SimpleEntry>) -> CoreResult<Vec<EntryView>> {
    let mut codes: BTreeMap<i64, String> = BTreeMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for e in rows {
        let code = match codes.get(&e.unit_id) {
            Some(c) => c.clone(),
            None => {
                let code = units_repo::by_id(c, e.unit_id).await?.code;
                codes.insert(e.unit_id, code.clone());
                code
            }
        };
        out.push(EntryView {
            id: e.id,
            unit_id: e.unit_id,
            unit_code: code,
            on: format_date(e.on),
            title: e.title,
            number: e.number,
            kind_label: e.kind.map(InspectionKind::label_vi),
            field: e.field,
        });
    }
    Ok(out)
}
