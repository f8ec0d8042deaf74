//! The simple registers: dialogues (đối thoại), inspections and supervision
//! (kiểm tra, giám sát) and "Dân vận khéo" models — a dated entry with a title
//! and its register's details (`core::registers::entries`), recorded by the unit
//! and listed with its subtree.

use chrono::NaiveDate;
use qcdc_core::period::format_date;
use qcdc_core::registers::entries::{
    self as entries, DialogueDetail, EntryDetail, InspectionBody, InspectionDetail, ModelDetail,
    ModelHolder, ModelLevel,
};
use qcdc_core::registers::source::InspectionKind;
use std::collections::BTreeMap;

use qcdc_core::{CoreError, CoreResult, ErrorCode};
use qcdc_store::audit::{self, Change};
use qcdc_store::registers_repo::{self, Simple, SimpleEntry};
use qcdc_store::units_repo::Unit;
use qcdc_store::{Conn, units_repo};
use serde::Serialize;

use super::{require_record, require_sight, text, units_of};
use crate::ctx::Ctx;
use crate::views::{Page, PageReq};

pub use qcdc_store::registers_repo::Simple as Register;

/// An entry as typed in the form. Each register reads its own fields and
/// ignores the others'.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
    /// Dialogues: the leader who held it (name, position), issues raised and
    /// answered (answered ≤ raised).
    pub leader_name: String,
    pub leader_position: String,
    pub issues_raised: u32,
    pub issues_answered: u32,
    /// Inspections: the body that carried it out (required), the team, the
    /// units inspected (required), findings, recommendations made and carried
    /// out (carried out ≤ made).
    pub body: Option<InspectionBody>,
    pub team: String,
    pub inspected: String,
    pub findings: String,
    pub recommendations_made: u32,
    pub recommendations_done: u32,
    /// Models: collective or individual (required), level (required; no
    /// district level from 1 July 2025), year registered (required, at most the
    /// year recognised), commended and by whom.
    pub holder: Option<ModelHolder>,
    pub level: Option<ModelLevel>,
    pub registered_year: Option<i32>,
    pub commended: bool,
    pub commended_by: String,
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
    /// The register's details (codes; `None` where an entry recorded before
    /// they existed did not know them).
    pub detail: EntryDetail,
}

pub(crate) fn name(which: Simple) -> &'static str {
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
        let e = check(which, &unit, input, today)?;
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

/// Every check an entry of one register passes before it is stored — the unit
/// active on its date, a date not in the future, and the register's own
/// checks — whether it was typed in a form or read from an Excel book.
pub(crate) fn check(
    which: Simple,
    unit: &Unit,
    input: &EntryInput,
    today: NaiveDate,
) -> CoreResult<SimpleEntry> {
    super::require_active(unit, input.on)?;
    if input.on > today {
        return Err(CoreError::new(
            ErrorCode::InvalidDate,
            format!("Ngày {} ở tương lai", format_date(input.on)),
        ));
    }
    entry(which, unit.id, input)
}

/// Checks what was typed for one register and builds the entry to store.
fn entry(which: Simple, unit_id: i64, input: &EntryInput) -> CoreResult<SimpleEntry> {
    let title_label = match which {
        Simple::Dialogues => "chủ đề đối thoại",
        Simple::Inspections => "nội dung kiểm tra, giám sát",
        Simple::Models => "tên mô hình",
    };
    let title = text(title_label, &input.title, true, 500)?;
    let (number, kind, field, detail) = match which {
        Simple::Dialogues => {
            entries::check_part(
                input.issues_answered,
                input.issues_raised,
                "vấn đề đã trả lời",
                "vấn đề người dân nêu",
            )
            .map_err(CoreError::invalid)?;
            let d = DialogueDetail {
                leader_name: text("họ tên người chủ trì", &input.leader_name, true, 200)?,
                leader_position: text("chức vụ người chủ trì", &input.leader_position, true, 200)?,
                issues_raised: Some(input.issues_raised),
                issues_answered: Some(input.issues_answered),
            };
            (input.number, None, String::new(), EntryDetail::Dialogue(d))
        }
        Simple::Inspections => {
            let kind = input
                .kind
                .ok_or_else(|| CoreError::invalid("Chọn kiểm tra hay giám sát"))?;
            let body = input
                .body
                .ok_or_else(|| CoreError::invalid("Chưa chọn cơ quan, tổ chức thực hiện"))?;
            entries::check_part(
                input.recommendations_done,
                input.recommendations_made,
                "kiến nghị đã thực hiện",
                "kiến nghị đã nêu",
            )
            .map_err(CoreError::invalid)?;
            let d = InspectionDetail {
                body: Some(body),
                team: text("đoàn thực hiện", &input.team, false, 500)?,
                inspected: text(
                    "đơn vị được kiểm tra, giám sát",
                    &input.inspected,
                    true,
                    1000,
                )?,
                findings: text("kết quả, phát hiện", &input.findings, false, 4000)?,
                recommendations_made: Some(input.recommendations_made),
                recommendations_done: Some(input.recommendations_done),
            };
            (0, Some(kind), String::new(), EntryDetail::Inspection(d))
        }
        Simple::Models => {
            let holder = input
                .holder
                .ok_or_else(|| CoreError::invalid("Chọn mô hình của tập thể hay cá nhân"))?;
            let level = input
                .level
                .ok_or_else(|| CoreError::invalid("Chưa chọn cấp công nhận mô hình"))?;
            let year = input
                .registered_year
                .ok_or_else(|| CoreError::invalid("Chưa nhập năm đăng ký mô hình"))?;
            entries::check_model(level, year, input.on).map_err(CoreError::invalid)?;
            let commended_by = text("nơi khen thưởng", &input.commended_by, false, 300)?;
            if !input.commended && !commended_by.is_empty() {
                return Err(CoreError::invalid(
                    "Đã ghi nơi khen thưởng nhưng chưa đánh dấu mô hình được khen thưởng",
                ));
            }
            let d = ModelDetail {
                holder: Some(holder),
                level: Some(level),
                registered_year: Some(year),
                commended: Some(input.commended),
                commended_by,
            };
            (
                0,
                None,
                text("lĩnh vực", &input.field, true, 200)?,
                EntryDetail::Model(d),
            )
        }
    };
    Ok(SimpleEntry {
        id: 0,
        unit_id,
        on: input.on,
        title,
        number,
        kind,
        field,
        detail,
    })
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
            detail: e.detail,
        });
    }
    Ok(out)
}
