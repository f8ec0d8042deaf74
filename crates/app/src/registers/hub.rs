//! The registers' hub (sổ theo dõi): the units whose registers the actor keeps
//! or sees, and for one unit how many records each register holds — the unit's
//! own and, for a unit with units below it, its whole subtree — with the
//! petitions of the unit running late or about to.

use std::collections::BTreeSet;

use qcdc_core::CoreResult;
use qcdc_core::access::RegisterSight;
use qcdc_store::{registers_repo, units_repo};
use serde::Serialize;

use super::{require_record, require_sight, sight_of, units_of};
use crate::ctx::Ctx;

/// A unit whose registers the actor reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitLink {
    pub code: String,
    pub name: String,
    /// The actor records in its registers (not only reads them).
    pub may_record: bool,
}

/// The units the actor holds a role on and sees the registers of, with whether
/// it records in them.
pub async fn my_units(cx: &Ctx) -> CoreResult<Vec<UnitLink>> {
    let ids: BTreeSet<i64> = cx.actor().grants.iter().map(|g| g.unit_id).collect();
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let mut out = Vec::new();
        for id in ids {
            if sight_of(cx, &mut tx, id).await? == RegisterSight::None {
                continue;
            }
            let unit = units_repo::by_id(&mut tx, id).await?;
            out.push(UnitLink {
                code: unit.code,
                name: unit.name,
                may_record: require_record(cx, &mut tx, id).await.is_ok(),
            });
        }
        Ok(out)
    }
    .await;
    tx.finish(r).await
}

/// How many records each register holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RegisterCounts {
    pub petitions: i64,
    pub receptions: i64,
    pub dialogues: i64,
    pub inspections: i64,
    pub models: i64,
}

impl RegisterCounts {
    fn from_row(r: [i64; 5]) -> RegisterCounts {
        RegisterCounts {
            petitions: r[0],
            receptions: r[1],
            dialogues: r[2],
            inspections: r[3],
            models: r[4],
        }
    }
}

/// One unit's registers at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overview {
    pub unit_code: String,
    pub unit_name: String,
    pub may_record: bool,
    /// The actor sees counts and deadlines only (an office or leader above).
    pub counts_only: bool,
    /// The unit's own registers.
    pub own: RegisterCounts,
    /// The unit and every unit below it (None: no unit below).
    pub subtree: Option<RegisterCounts>,
    /// Units below the unit.
    pub units_below: usize,
    /// The unit's own petitions whose running limit is near (sắp đến hạn).
    pub due_soon: usize,
    /// The unit's own petitions past their running limit (quá hạn).
    pub overdue: usize,
}

/// The registers of a unit at a glance, for whoever sees them.
pub async fn overview(cx: &Ctx, unit_code: &str) -> CoreResult<Overview> {
    let today = cx.app().today();
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let (unit, sight) = require_sight(cx, &mut tx, unit_code).await?;
        let may_record = require_record(cx, &mut tx, unit.id).await.is_ok();
        let own = RegisterCounts::from_row(registers_repo::counts(&mut tx, &[unit.id]).await?);
        let ids = units_of(&mut tx, &unit, true).await?;
        let subtree = if ids.len() > 1 {
            Some(RegisterCounts::from_row(
                registers_repo::counts(&mut tx, &ids).await?,
            ))
        } else {
            None
        };
        let (due_soon, overdue) =
            super::petitions::deadline_counts(&mut tx, &[unit.id], today).await?;
        Ok(Overview {
            unit_code: unit.code,
            unit_name: unit.name,
            may_record,
            counts_only: sight == RegisterSight::Counts,
            own,
            subtree,
            units_below: ids.len().saturating_sub(1),
            due_soon,
            overdue,
        })
    }
    .await;
    tx.finish(r).await
}
