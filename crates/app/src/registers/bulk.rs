//! Many register records at once: generated registers (`qcdc gen --registers`)
//! and the rows of an imported Excel book. Every petition is replayed through
//! the petition state machine before anything is written (an impossible step
//! refuses the whole batch), and the batch is written with multi-row statements
//! in one transaction.

use std::collections::HashMap;

use chrono::NaiveDate;
use qcdc_core::registers::reception::Receiver;
use qcdc_core::registers::{
    Channel, Complexity, Petition, PetitionKind, PetitionRules, Step, duplicates,
};
use qcdc_core::{CoreError, CoreResult};
use qcdc_store::registers_repo::{self, BulkCase, BulkPetition, NewPetition, NewSession};
use qcdc_store::{Conn, units_repo};

use super::petition_rules;
use crate::ctx::Ctx;

/// A petition with its steps, for a unit known by code.
#[derive(Debug, Clone)]
pub struct PetitionRecord {
    pub unit: String,
    pub kind: PetitionKind,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub petitioners: Vec<String>,
    pub summary: String,
    pub content: String,
    pub forwarded_from: String,
    pub remote: bool,
    pub complexity: Complexity,
    pub steps: Vec<Step>,
    /// Index of its case in the batch's cases.
    pub case: Option<usize>,
}

/// A case (vụ việc) several petitions of the batch belong to.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub unit: String,
    pub title: String,
}

/// A reception session, for a unit known by code.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub unit: String,
    pub held_on: NaiveDate,
    pub receiver: Receiver,
    pub receiver_name: String,
    pub turns: u32,
    pub people: u32,
    pub delegations: u32,
    pub note: String,
}

/// What to load.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub cases: Vec<CaseRecord>,
    pub petitions: Vec<PetitionRecord>,
    pub sessions: Vec<SessionRecord>,
}

/// Checks one petition and its steps as the registers' forms would; the
/// petition as stored (unit still to set) or the reason in Vietnamese.
pub(crate) fn check_petition(
    p: &PetitionRecord,
    today: NaiveDate,
    rules: &PetitionRules,
) -> CoreResult<(NewPetition, Vec<Step>)> {
    let mut pet = Petition::new(
        p.kind,
        p.channel,
        p.received_on,
        p.remote,
        p.complexity,
        today,
    )?;
    let petitioners: Vec<String> = p
        .petitioners
        .iter()
        .map(|n| qcdc_core::text::nfc(n.trim()))
        .filter(|n| !n.is_empty())
        .collect();
    if petitioners.is_empty() {
        return Err(CoreError::invalid("Chưa có họ tên người gửi đơn"));
    }
    if petitioners.len() > 200 || petitioners.iter().any(|n| n.chars().count() > 200) {
        return Err(CoreError::invalid("Danh sách người gửi đơn quá dài"));
    }
    let summary = super::text("tóm tắt nội dung", &p.summary, true, 500)?;
    let content = super::text("nội dung", &p.content, false, 20_000)?;
    let forwarded_from = super::text("cơ quan chuyển đến", &p.forwarded_from, false, 300)?;
    if p.channel == Channel::Forwarded && forwarded_from.is_empty() {
        return Err(CoreError::invalid(
            "Đơn chuyển đến từ cơ quan khác phải ghi tên cơ quan chuyển đến",
        ));
    }
    for s in &p.steps {
        pet.apply_with(s.clone(), today, Some(rules))?;
    }
    let folded = petitioners
        .iter()
        .map(|n| duplicates::fold_name(n))
        .collect::<Vec<_>>()
        .join("\n");
    Ok((
        NewPetition {
            unit_id: 0,
            kind: pet.kind,
            channel: pet.channel,
            received_on: pet.received,
            petitioners,
            petitioners_folded: folded,
            summary,
            content,
            forwarded_from,
            remote: pet.remote,
            complexity: pet.complexity(),
            state: pet.state().as_str().into(),
        },
        p.steps.clone(),
    ))
}

/// Checks a session's counts as the reception form would.
pub(crate) fn check_session(s: &SessionRecord, today: NaiveDate) -> CoreResult<()> {
    if s.held_on > today {
        return Err(CoreError::new(
            qcdc_core::ErrorCode::InvalidDate,
            format!(
                "Ngày tiếp {} ở tương lai",
                qcdc_core::period::format_date(s.held_on)
            ),
        ));
    }
    if s.people < s.turns {
        return Err(CoreError::invalid("Số người được tiếp ít hơn số lượt tiếp"));
    }
    Ok(())
}

/// Writes a checked batch in the caller's transaction; every record is checked
/// first and the first bad one refuses the whole batch (its position named).
pub(crate) async fn write(
    c: &mut Conn,
    batch: &Batch,
    ids: &HashMap<String, i64>,
    today: NaiveDate,
    who: &str,
) -> CoreResult<Vec<i64>> {
    let rules = petition_rules()?;
    let unit = |code: &str| {
        ids.get(code)
            .copied()
            .ok_or_else(|| CoreError::not_found(format!("đơn vị «{code}»")))
    };
    let cases = batch
        .cases
        .iter()
        .map(|k| {
            Ok(BulkCase {
                unit_id: unit(&k.unit)?,
                title: k.title.clone(),
            })
        })
        .collect::<CoreResult<Vec<_>>>()?;
    let mut petitions = Vec::with_capacity(batch.petitions.len());
    for (i, p) in batch.petitions.iter().enumerate() {
        let (mut np, steps) = check_petition(p, today, &rules)
            .map_err(|e| CoreError::new(e.code, format!("Đơn thứ {}: {}", i + 1, e.message)))?;
        np.unit_id = unit(&p.unit)?;
        if let Some(k) = p.case
            && batch.cases.get(k).is_none_or(|kc| kc.unit != p.unit)
        {
            return Err(CoreError::invalid(format!(
                "Đơn thứ {}: vụ việc không thuộc cùng đơn vị",
                i + 1
            )));
        }
        petitions.push(BulkPetition {
            petition: np,
            case: p.case,
            steps,
        });
    }
    let mut sessions = Vec::with_capacity(batch.sessions.len());
    for (i, s) in batch.sessions.iter().enumerate() {
        check_session(s, today).map_err(|e| {
            CoreError::new(e.code, format!("Buổi tiếp thứ {}: {}", i + 1, e.message))
        })?;
        sessions.push(NewSession {
            unit_id: unit(&s.unit)?,
            held_on: s.held_on,
            receiver: s.receiver,
            receiver_name: s.receiver_name.clone(),
            turns: s.turns,
            people: s.people,
            delegations: s.delegations,
            note: s.note.clone(),
        });
    }
    registers_repo::bulk_load(c, &cases, &petitions, &sessions, who).await
}

/// Loads generated registers (the command line only), in one transaction.
pub async fn load_generated(cx: &Ctx, batch: &Batch) -> CoreResult<usize> {
    cx.require_system()?;
    let today = cx.app().today();
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let mut ids = HashMap::new();
        let codes = batch
            .cases
            .iter()
            .map(|k| &k.unit)
            .chain(batch.petitions.iter().map(|p| &p.unit))
            .chain(batch.sessions.iter().map(|s| &s.unit));
        for code in codes {
            if !ids.contains_key(code) {
                let u = units_repo::by_code(&mut tx, code).await?;
                ids.insert(code.clone(), u.id);
            }
        }
        write(&mut tx, batch, &ids, today, cx.who()).await?;
        Ok(batch.petitions.len() + batch.sessions.len())
    }
    .await;
    tx.finish(r).await
}

/// How many petitions and reception sessions all registers hold (the command
/// line only).
pub async fn totals(cx: &Ctx) -> CoreResult<(i64, i64)> {
    cx.require_system()?;
    let mut tx = cx.app().db().read().await?;
    let r = registers_repo::totals(&mut tx).await;
    tx.finish(r).await
}
