//! Excel books of the registers: a unit imports its existing petitions,
//! reception, dialogues, inspections or models book (the columns of
//! `core::registers::book`), all or nothing —
//! every bad row listed with its row number and the reason, nothing written on
//! any error, the good book written in one transaction — and exports a register
//! in the same layout. An export carries no protected identity: a denouncer is
//! written as "(được giữ bí mật)", and an office above that sees counts only gets
//! no names at all; a text starting with `=`, `+`, `-` or `@` is neutralised.

use std::collections::{BTreeMap, HashMap};

use qcdc_core::access::RegisterSight;
use qcdc_core::period::format_date;
use qcdc_core::registers::book::{
    DIALOGUE_COLUMNS, EntryRow, INSPECTION_COLUMNS, MODEL_COLUMNS, PETITION_COLUMNS,
    SESSION_COLUMNS, neutralise, parse_dialogue_row, parse_inspection_row, parse_model_row,
    parse_petition_row, parse_session_row,
};
use qcdc_core::registers::entries::EntryDetail;
use qcdc_core::registers::{Complexity, Step, StepKind};
use qcdc_core::{CoreError, CoreResult, ErrorCode, Problem};
use qcdc_store::audit::{self, Change};
use qcdc_store::registers_repo::{self, Simple, SimpleEntry};
use serde::Serialize;

use super::bulk::{self, Batch, PetitionRecord, SessionRecord};
use super::simple::{self, EntryInput};
use super::{petition_rules, require_record, require_sight};
use crate::ctx::Ctx;
use crate::documents::form_import_error;

/// Which book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Book {
    Petitions,
    Receptions,
    Dialogues,
    Inspections,
    Models,
}

impl Book {
    /// `petitions` or `receptions` (as in the API and the command line).
    pub fn parse(s: &str) -> CoreResult<Book> {
        match s.trim() {
            "petitions" | "don" => Ok(Book::Petitions),
            "receptions" | "tiep-dan" => Ok(Book::Receptions),
            "dialogues" | "doi-thoai" => Ok(Book::Dialogues),
            "inspections" | "kiem-tra-giam-sat" => Ok(Book::Inspections),
            "models" | "dan-van-kheo" => Ok(Book::Models),
            other => Err(CoreError::invalid(format!(
                "Sổ «{other}» không nhập, xuất Excel được (chỉ «petitions» — sổ đơn, «receptions» — sổ tiếp công dân, «dialogues» — sổ đối thoại, «inspections» — sổ kiểm tra, giám sát, «models» — sổ mô hình «Dân vận khéo»)"
            ))),
        }
    }

    /// The code used in the API and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Book::Petitions => "petitions",
            Book::Receptions => "receptions",
            Book::Dialogues => "dialogues",
            Book::Inspections => "inspections",
            Book::Models => "models",
        }
    }

    /// The simple register this book holds, if it is one.
    fn simple(self) -> Option<Simple> {
        match self {
            Book::Petitions | Book::Receptions => None,
            Book::Dialogues => Some(Simple::Dialogues),
            Book::Inspections => Some(Simple::Inspections),
            Book::Models => Some(Simple::Models),
        }
    }

    /// The column headers, in order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Book::Petitions => &PETITION_COLUMNS,
            Book::Receptions => &SESSION_COLUMNS,
            Book::Dialogues => &DIALOGUE_COLUMNS,
            Book::Inspections => &INSPECTION_COLUMNS,
            Book::Models => &MODEL_COLUMNS,
        }
    }

    fn first_header(self) -> &'static str {
        self.columns()[0]
    }

    /// A file name for the export.
    pub fn file_name(self, unit: &str) -> String {
        match self {
            Book::Petitions => format!("so-theo-doi-don-{unit}.xlsx"),
            Book::Receptions => format!("so-tiep-cong-dan-{unit}.xlsx"),
            Book::Dialogues => format!("so-doi-thoai-{unit}.xlsx"),
            Book::Inspections => format!("so-kiem-tra-giam-sat-{unit}.xlsx"),
            Book::Models => format!("so-mo-hinh-dan-van-kheo-{unit}.xlsx"),
        }
    }

    /// The sheet name and the title above the headers.
    fn sheet_and_title(self, unit_name: &str) -> (&'static str, String) {
        let (sheet, title) = match self {
            Book::Petitions => ("Sổ đơn", "SỔ THEO DÕI ĐƠN"),
            Book::Receptions => ("Sổ tiếp công dân", "SỔ TIẾP CÔNG DÂN"),
            Book::Dialogues => ("Sổ đối thoại", "SỔ ĐỐI THOẠI"),
            Book::Inspections => ("Sổ kiểm tra, giám sát", "SỔ KIỂM TRA, GIÁM SÁT"),
            Book::Models => ("Mô hình Dân vận khéo", "SỔ MÔ HÌNH «DÂN VẬN KHÉO»"),
        };
        (sheet, format!("{title} — {unit_name}"))
    }
}

/// An entry read from a simple register's row, as the form would have typed it.
fn entry_input(r: EntryRow) -> Option<EntryInput> {
    Some(EntryInput {
        on: r.on?,
        title: r.title,
        number: r.number,
        kind: r.kind,
        field: r.field,
        leader_name: r.leader_name,
        leader_position: r.leader_position,
        issues_raised: r.issues_raised,
        issues_answered: r.issues_answered,
        body: r.body,
        team: r.team,
        inspected: r.inspected,
        findings: r.findings,
        recommendations_made: r.recommendations_made,
        recommendations_done: r.recommendations_done,
        holder: r.holder,
        level: r.level,
        registered_year: r.registered_year,
        commended: r.commended,
        commended_by: r.commended_by,
    })
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A simple register's entry as a row of its book.
fn entry_cells(e: SimpleEntry) -> Vec<String> {
    let on = format_date(e.on);
    let cells = match e.detail {
        EntryDetail::Dialogue(d) => vec![
            on,
            e.title,
            e.number.to_string(),
            d.leader_name,
            d.leader_position,
            opt(d.issues_raised),
            opt(d.issues_answered),
        ],
        EntryDetail::Inspection(d) => vec![
            on,
            e.kind.map(|k| k.label_vi()).unwrap_or_default().to_string(),
            e.title,
            d.body.map(|b| b.label_vi()).unwrap_or_default().to_string(),
            d.team,
            d.inspected,
            d.findings,
            opt(d.recommendations_made),
            opt(d.recommendations_done),
        ],
        EntryDetail::Model(d) => vec![
            on,
            e.title,
            e.field,
            d.holder
                .map(|h| h.label_vi())
                .unwrap_or_default()
                .to_string(),
            d.level
                .map(|l| l.label_vi())
                .unwrap_or_default()
                .to_string(),
            opt(d.registered_year),
            if d.commended == Some(true) {
                "Có".into()
            } else {
                String::new()
            },
            d.commended_by,
        ],
    };
    cells.iter().map(|c| neutralise(c)).collect()
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub unit_code: String,
    pub rows: usize,
}

/// Imports a book into the unit's register: all or nothing.
pub async fn import(
    cx: &Ctx,
    unit_code: &str,
    register: &str,
    bytes: Vec<u8>,
) -> CoreResult<Imported> {
    // who may write is checked before the file is even read
    let unit = {
        let mut tx = cx.app().db().read().await?;
        let r = async {
            let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
            require_record(cx, &mut tx, unit.id).await?;
            Ok(unit)
        }
        .await;
        tx.finish(r).await?
    };
    let which = Book::parse(register)?;
    let header = which.first_header();
    let rows = tokio::task::spawn_blocking(move || qcdc_docs::xlsx::read_table(&bytes, header))
        .await
        .map_err(|e| {
            CoreError::new(
                ErrorCode::Internal,
                format!("Đọc tệp Excel bị gián đoạn: {e}"),
            )
        })?
        .map_err(|e| form_import_error(&e))?;
    let today = cx.app().today();
    let rules = petition_rules()?;
    let mut batch = Batch::default();
    let mut entries: Vec<SimpleEntry> = Vec::new();
    let mut problems = Vec::new();
    let mut bad = |line: u32, reasons: Vec<String>| {
        problems.push(Problem {
            line: line as usize,
            code: "register_bad_row",
            message: format!("Dòng {line}: {}", reasons.join("; ")),
        });
    };
    for (line, cells) in &rows {
        match which {
            Book::Petitions => match parse_petition_row(cells) {
                Err(e) => bad(*line, e),
                Ok(p) => {
                    let mut steps = Vec::new();
                    if let Some(d) = p.accepted {
                        steps.push(Step {
                            date: d,
                            kind: StepKind::Accepted,
                        });
                    }
                    if let Some((d, result)) = p.concluded {
                        steps.push(Step {
                            date: d,
                            kind: StepKind::Concluded { result },
                        });
                    }
                    let rec = PetitionRecord {
                        unit: unit_code.to_string(),
                        kind: p.kind,
                        channel: p.channel,
                        received_on: p.received,
                        petitioners: p.petitioners,
                        summary: p.summary,
                        content: String::new(),
                        forwarded_from: p.forwarded_from,
                        remote: p.remote,
                        complexity: Complexity::Normal,
                        steps,
                        case: None,
                    };
                    match super::require_active(&unit, rec.received_on)
                        .and_then(|()| bulk::check_petition(&rec, today, &rules))
                    {
                        Ok(_) => batch.petitions.push(rec),
                        Err(e) => bad(*line, vec![e.message]),
                    }
                }
            },
            Book::Receptions => match parse_session_row(cells) {
                Err(e) => bad(*line, e),
                Ok(s) => {
                    let rec = SessionRecord {
                        unit: unit_code.to_string(),
                        held_on: s.held_on,
                        receiver: s.receiver,
                        receiver_name: s.receiver_name,
                        turns: s.turns,
                        people: s.people,
                        delegations: s.delegations,
                        note: s.note,
                    };
                    match super::require_active(&unit, rec.held_on)
                        .and_then(|()| bulk::check_session(&rec, today))
                    {
                        Ok(()) => batch.sessions.push(rec),
                        Err(e) => bad(*line, vec![e.message]),
                    }
                }
            },
            Book::Dialogues | Book::Inspections | Book::Models => {
                let (reg, parsed) = match which {
                    Book::Dialogues => (Simple::Dialogues, parse_dialogue_row(cells)),
                    Book::Inspections => (Simple::Inspections, parse_inspection_row(cells)),
                    _ => (Simple::Models, parse_model_row(cells)),
                };
                match parsed.map(entry_input) {
                    Err(e) => bad(*line, e),
                    Ok(None) => bad(*line, vec![format!("thiếu cột «{header}»")]),
                    Ok(Some(input)) => match simple::check(reg, &unit, &input, today) {
                        Ok(e) => entries.push(e),
                        Err(e) => bad(*line, vec![e.message]),
                    },
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(CoreError::with_problems(
            ErrorCode::InvalidInput,
            format!(
                "Có {} dòng không đọc được; chưa nhập dòng nào, hãy sửa các dòng này rồi nhập lại",
                problems.len()
            ),
            problems,
        ));
    }
    if rows.is_empty() {
        return Err(CoreError::invalid(
            "Tệp không có dòng số liệu nào dưới dòng tiêu đề",
        ));
    }
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        require_record(cx, &mut tx, unit.id).await?;
        let ids = HashMap::from([(unit_code.to_string(), unit.id)]);
        bulk::write(&mut tx, &batch, &ids, today, cx.who()).await?;
        if let Some(reg) = which.simple() {
            for e in &entries {
                let e = SimpleEntry {
                    unit_id: unit.id,
                    ..e.clone()
                };
                registers_repo::insert_simple(&mut tx, reg, &e, cx.who()).await?;
            }
        }
        audit::write(
            &mut tx,
            Change {
                actor: cx.who(),
                action: "import_register",
                entity: "unit",
                entity_id: &unit.id.to_string(),
                field: Some(which.as_str()),
                new_value: Some(format!("{} dòng", rows.len())),
                ..Default::default()
            },
        )
        .await?;
        Ok(Imported {
            unit_code: unit.code,
            rows: rows.len(),
        })
    }
    .await;
    tx.finish(r).await
}

/// Exports the unit's register as a book in the import layout.
pub async fn export(cx: &Ctx, unit_code: &str, register: &str) -> CoreResult<Vec<u8>> {
    let mut tx = cx.app().db().read().await?;
    let mut which = Book::Petitions;
    let r = async {
        let (unit, sight) = require_sight(cx, &mut tx, unit_code).await?;
        which = Book::parse(register)?;
        let names = sight >= RegisterSight::Names;
        let mut rows = Vec::new();
        match which {
            Book::Petitions => {
                let ps = registers_repo::petitions(&mut tx, &[unit.id], None).await?;
                let ids: Vec<i64> = ps.iter().map(|p| p.id).collect();
                let mut steps: BTreeMap<i64, Vec<_>> = BTreeMap::new();
                for s in registers_repo::steps(&mut tx, &ids).await? {
                    steps.entry(s.petition_id).or_default().push(s);
                }
                for p in ps {
                    let st = steps.remove(&p.id).unwrap_or_default();
                    let accepted = st.iter().find(|s| s.step.kind == StepKind::Accepted);
                    let concluded = st
                        .iter()
                        .rev()
                        .find_map(|s| s.step.kind.result().map(|r| (s.step.date, r)));
                    let who = if p.kind.protects_identity() {
                        "(được giữ bí mật)".to_string()
                    } else if names {
                        p.petitioners.join("; ")
                    } else {
                        "(ẩn)".to_string()
                    };
                    rows.push(
                        [
                            format_date(p.received_on),
                            p.kind.label_vi().to_string(),
                            p.channel.label_vi().to_string(),
                            who,
                            if names {
                                p.summary.clone()
                            } else {
                                "(ẩn)".into()
                            },
                            p.forwarded_from.clone(),
                            if p.remote {
                                "Có".into()
                            } else {
                                String::new()
                            },
                            accepted
                                .map(|s| format_date(s.step.date))
                                .unwrap_or_default(),
                            concluded.map(|c| format_date(c.0)).unwrap_or_default(),
                            concluded
                                .map(|c| c.1.label_vi().to_string())
                                .unwrap_or_default(),
                        ]
                        .iter()
                        .map(|c| neutralise(c))
                        .collect(),
                    );
                }
            }
            Book::Dialogues | Book::Inspections | Book::Models => {
                let reg = which.simple().unwrap_or(Simple::Dialogues);
                let from = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
                for e in
                    registers_repo::simple(&mut tx, reg, &[unit.id], from, cx.app().today()).await?
                {
                    rows.push(entry_cells(e));
                }
            }
            Book::Receptions => {
                let from = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
                for s in
                    registers_repo::sessions(&mut tx, &[unit.id], from, cx.app().today()).await?
                {
                    rows.push(
                        [
                            format_date(s.held_on),
                            s.receiver.label_vi().to_string(),
                            if names {
                                s.receiver_name.clone()
                            } else {
                                String::new()
                            },
                            s.turns.to_string(),
                            s.people.to_string(),
                            s.delegations.to_string(),
                            if names { s.note.clone() } else { String::new() },
                        ]
                        .iter()
                        .map(|c| neutralise(c))
                        .collect(),
                    );
                }
            }
        }
        Ok((unit.name, rows))
    }
    .await;
    let (name, rows) = tx.finish(r).await?;
    let (sheet, title) = which.sheet_and_title(&name);
    let headers = which.columns().to_vec();
    tokio::task::spawn_blocking(move || {
        qcdc_docs::xlsx::write_table(sheet, &title, &headers, &rows)
    })
    .await
    .map_err(|e| {
        CoreError::new(
            ErrorCode::Internal,
            format!("Tạo tệp Excel bị gián đoạn: {e}"),
        )
    })?
    .map_err(|e| CoreError::new(ErrorCode::Internal, e.to_string()))
}
