//! Report figures counted from the registers: for a round and a unit, every
//! indicator of the round's template that carries a `source` is counted over the
//! unit's own registers inside the cut-off window of the round's period (Decree
//! 09/2019). The conventions are those of `core::registers::source` (a case once
//! whatever its number of petitions; a forwarded petition counted by the unit that
//! receives it). A unit counts its own registers only: the figures of the units
//! below reach it through their own reports and consolidation.
//!
//! The figures are offered, not written: the form shows them next to the typed
//! values and the reporter decides.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use qcdc_core::CoreResult;
use qcdc_core::period::format_date;
use qcdc_core::registers::source::{PetitionRecord, RegisterData, SessionRecord};
use qcdc_store::registers_repo::{self, Simple};
use qcdc_store::{Conn, units_repo};
use serde::Serialize;

use super::{petition_rules, require_sight};
use crate::ctx::Ctx;
use crate::rounds::{load, require_visible};

/// One counted figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrefillItem {
    pub indicator: String,
    pub name: String,
    pub unit_of_measure: String,
    pub value: i64,
}

/// The figures a unit's registers give for a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prefill {
    pub round_id: i64,
    pub unit_code: String,
    pub from: String,
    pub to: String,
    pub items: Vec<PrefillItem>,
}

/// Everything the unit's registers hold up to `to` (petitions) or in `[from, to]`.
pub(crate) async fn register_data(
    c: &mut Conn,
    unit_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<RegisterData> {
    let rules = petition_rules()?;
    let rows = registers_repo::petitions(c, &[unit_id], Some(to)).await?;
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let mut steps: BTreeMap<i64, Vec<_>> = BTreeMap::new();
    for s in registers_repo::steps(c, &ids).await? {
        steps.entry(s.petition_id).or_default().push(s);
    }
    let mut petitions = Vec::with_capacity(rows.len());
    for sp in rows {
        let st = steps.remove(&sp.id).unwrap_or_default();
        let far = NaiveDate::MAX;
        let mut p = qcdc_core::registers::Petition::new(
            sp.kind,
            sp.channel,
            sp.received_on,
            sp.remote,
            sp.complexity,
            far,
        )?;
        for s in st {
            p.apply_with(s.step, far, Some(&rules)).map_err(|e| {
                qcdc_store::rows::corrupt(
                    "petition_steps",
                    "kind",
                    format!("đơn #{}: {}", sp.id, e.message),
                )
            })?;
        }
        petitions.push(PetitionRecord {
            id: sp.id,
            case_id: sp.case_id,
            petition: p,
        });
    }
    let sessions = registers_repo::sessions(c, &[unit_id], from, to)
        .await?
        .into_iter()
        .map(|s| SessionRecord {
            date: s.held_on,
            receiver: s.receiver,
            turns: s.turns,
            people: s.people,
            delegations: s.delegations,
        })
        .collect();
    let simple =
        |v: Vec<registers_repo::SimpleEntry>| v.into_iter().map(|e| e.on).collect::<Vec<_>>();
    let dialogues =
        simple(registers_repo::simple(c, Simple::Dialogues, &[unit_id], from, to).await?);
    let models = simple(registers_repo::simple(c, Simple::Models, &[unit_id], from, to).await?);
    let inspections = registers_repo::simple(c, Simple::Inspections, &[unit_id], from, to)
        .await?
        .into_iter()
        .filter_map(|e| e.kind.map(|k| (e.on, k)))
        .collect();
    Ok(RegisterData {
        petitions,
        sessions,
        dialogues,
        inspections,
        models,
    })
}

/// The figures the unit's registers give for the indicators of the round's
/// template that name a source, over the round's cut-off window. Anyone who
/// sees the round and at least the counts of the unit's registers may ask.
pub async fn for_round(cx: &Ctx, round_id: i64, unit_code: &str) -> CoreResult<Prefill> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load(&mut tx, round_id).await?;
        require_visible(cx, &mut tx, &round).await?;
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        let unit = units_repo::by_id(&mut tx, unit.id).await?;
        let template = cx.app().template(&mut tx, round.template_id).await?;
        let (from, to) = round.period.cutoff();
        let data = register_data(&mut tx, unit.id, from, to).await?;
        let items = template
            .indicators_for(unit.kind)
            .filter_map(|i| {
                i.source.as_ref().map(|s| PrefillItem {
                    indicator: i.code.clone(),
                    name: i.name.clone(),
                    unit_of_measure: i.unit.clone(),
                    value: s.count(&data, from, to),
                })
            })
            .collect();
        Ok(Prefill {
            round_id,
            unit_code: unit.code,
            from: format_date(from),
            to: format_date(to),
            items,
        })
    }
    .await;
    tx.finish(r).await
}
