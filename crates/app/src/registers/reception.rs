//! Citizen reception sessions: recorded by the unit, listed, and checked against
//! the legal frequency of its leaders' reception.

use chrono::NaiveDate;
use qcdc_core::access::RegisterSight;
use qcdc_core::period::format_date;
use qcdc_core::registers::reception::{Compliance, Level, Receiver, Session as RuleSession};
use qcdc_core::{CoreError, CoreResult};
use qcdc_store::audit::{self, Change};
use qcdc_store::registers_repo::{self, NewSession, Session};
use serde::Serialize;

use super::{load_calendar, reception_rules, require_record, require_sight, text, units_of};
use crate::ctx::Ctx;

/// A session as typed in the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInput {
    pub held_on: NaiveDate,
    pub receiver: Receiver,
    pub receiver_name: String,
    pub turns: u32,
    pub people: u32,
    pub delegations: u32,
    pub note: String,
}

/// A session as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionView {
    pub id: i64,
    pub unit_id: i64,
    pub held_on: String,
    pub receiver: Receiver,
    pub receiver_label: &'static str,
    /// Empty when the actor sees counts only.
    pub receiver_name: String,
    pub turns: u32,
    pub people: u32,
    pub delegations: u32,
    pub note: String,
}

fn view(s: Session, sight: RegisterSight) -> SessionView {
    let full = sight >= RegisterSight::Names;
    SessionView {
        id: s.id,
        unit_id: s.unit_id,
        held_on: format_date(s.held_on),
        receiver: s.receiver,
        receiver_label: s.receiver.label_vi(),
        receiver_name: if full { s.receiver_name } else { String::new() },
        turns: s.turns,
        people: s.people,
        delegations: s.delegations,
        note: if full { s.note } else { String::new() },
    }
}

/// Records a reception session of the unit (its reporters and office).
pub async fn record(cx: &Ctx, unit_code: &str, input: &SessionInput) -> CoreResult<i64> {
    let today = cx.app().today();
    let mut tx = cx.app().db().write().await?;
    let r = async {
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        require_record(cx, &mut tx, unit.id).await?;
        super::require_active(&unit, input.held_on)?;
        if input.held_on > today {
            return Err(CoreError::new(
                qcdc_core::ErrorCode::InvalidDate,
                format!("Ngày tiếp {} ở tương lai", format_date(input.held_on)),
            ));
        }
        if input.people < input.turns.min(1) || input.delegations > input.turns {
            return Err(CoreError::invalid(
                "Số người phải có khi có lượt tiếp, và số đoàn đông người không vượt quá số lượt",
            ));
        }
        let s = NewSession {
            unit_id: unit.id,
            held_on: input.held_on,
            receiver: input.receiver,
            receiver_name: text("người tiếp", &input.receiver_name, false, 200)?,
            turns: input.turns,
            people: input.people,
            delegations: input.delegations,
            note: text("ghi chú", &input.note, false, 2000)?,
        };
        let id = registers_repo::insert_session(&mut tx, &s, cx.who()).await?;
        audit::write(
            &mut tx,
            Change {
                actor: cx.who(),
                action: "record_reception",
                entity: "reception_session",
                entity_id: &id.to_string(),
                new_value: Some(format!(
                    "{} {} {} lượt",
                    format_date(s.held_on),
                    s.receiver.as_str(),
                    s.turns
                )),
                ..Default::default()
            },
        )
        .await?;
        Ok(id)
    }
    .await;
    tx.finish(r).await
}

/// The sessions of a unit (or its subtree) in `[from, to]`; names only for those
/// who see them.
pub async fn list(
    cx: &Ctx,
    unit_code: &str,
    subtree: bool,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<SessionView>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (unit, sight) = require_sight(cx, &mut tx, unit_code).await?;
        let ids = units_of(&mut tx, &unit, subtree).await?;
        let rows = registers_repo::sessions(&mut tx, &ids, from, to).await?;
        let mut out = Vec::with_capacity(rows.len());
        for s in rows {
            // below the unit, each row is shown as its own unit allows
            let own = if s.unit_id == unit.id {
                sight
            } else {
                super::sight_of(cx, &mut tx, s.unit_id).await?
            };
            out.push(view(s, own));
        }
        Ok(out)
    };
    let r = r.await;
    tx.finish(r).await
}

/// How the unit's leaders kept the legal frequency of reception in `[from, to]`
/// (empty for units whose kind has no rule).
pub async fn compliance(
    cx: &Ctx,
    unit_code: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<Compliance>> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        let Some(level) = Level::of(unit.kind) else {
            return Ok(Vec::new());
        };
        let calendar = load_calendar(&mut tx).await?;
        let sessions: Vec<RuleSession> = registers_repo::sessions(&mut tx, &[unit.id], from, to)
            .await?
            .into_iter()
            .map(|s| RuleSession {
                date: s.held_on,
                receiver: s.receiver,
            })
            .collect();
        Ok(reception_rules()?.check(level, &sessions, from, to, &calendar))
    };
    let r = r.await;
    tx.finish(r).await
}
