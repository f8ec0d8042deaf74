//! Excel books of the registers: a unit imports its existing petitions or
//! reception book (the columns of `core::registers::book`), all or nothing —
//! every bad row listed with its row number and the reason, nothing written on
//! any error, the good book written in one transaction — and exports a register
//! in the same layout. An export carries no protected identity: a denouncer is
//! written as "(được giữ bí mật)", and an office above that sees counts only gets
//! no names at all; a text starting with `=`, `+`, `-` or `@` is neutralised.

use std::collections::{BTreeMap, HashMap};

use qcdc_core::access::RegisterSight;
use qcdc_core::period::format_date;
use qcdc_core::registers::book::{
    PETITION_COLUMNS, SESSION_COLUMNS, neutralise, parse_petition_row, parse_session_row,
};
use qcdc_core::registers::{Complexity, Step, StepKind};
use qcdc_core::{CoreError, CoreResult, ErrorCode, Problem};
use qcdc_store::audit::{self, Change};
use qcdc_store::registers_repo;
use serde::Serialize;

use super::bulk::{self, Batch, PetitionRecord, SessionRecord};
use super::{petition_rules, require_record, require_sight};
use crate::ctx::Ctx;
use crate::documents::form_import_error;

/// Which book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Book {
    Petitions,
    Receptions,
}

impl Book {
    /// `petitions` or `receptions` (as in the API and the command line).
    pub fn parse(s: &str) -> CoreResult<Book> {
        match s.trim() {
            "petitions" | "don" => Ok(Book::Petitions),
            "receptions" | "tiep-dan" => Ok(Book::Receptions),
            other => Err(CoreError::invalid(format!(
                "Sổ «{other}» không nhập, xuất Excel được (chỉ «petitions» — sổ đơn, «receptions» — sổ tiếp công dân)"
            ))),
        }
    }

    fn first_header(self) -> &'static str {
        match self {
            Book::Petitions => PETITION_COLUMNS[0],
            Book::Receptions => SESSION_COLUMNS[0],
        }
    }

    /// A file name for the export.
    pub fn file_name(self, unit: &str) -> String {
        match self {
            Book::Petitions => format!("so-theo-doi-don-{unit}.xlsx"),
            Book::Receptions => format!("so-tiep-cong-dan-{unit}.xlsx"),
        }
    }
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
        audit::write(
            &mut tx,
            Change {
                actor: cx.who(),
                action: "import_register",
                entity: "unit",
                entity_id: &unit.id.to_string(),
                field: Some(match which {
                    Book::Petitions => "petitions",
                    Book::Receptions => "receptions",
                }),
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
    let (sheet, title, headers): (&str, String, Vec<&str>) = match which {
        Book::Petitions => (
            "Sổ đơn",
            format!("SỔ THEO DÕI ĐƠN — {name}"),
            PETITION_COLUMNS.to_vec(),
        ),
        Book::Receptions => (
            "Sổ tiếp công dân",
            format!("SỔ TIẾP CÔNG DÂN — {name}"),
            SESSION_COLUMNS.to_vec(),
        ),
    };
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
