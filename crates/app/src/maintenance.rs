//! Maintenance use cases for the command line on the server only: bulk loading of
//! generated data, recomputing running totals, and the two ways of consolidating
//! that the benchmark and the tests compare.

use std::collections::HashMap;

use chrono::NaiveDate;
use qcdc_core::CoreResult;
use qcdc_core::consolidate::Totals;
use qcdc_core::round::StatusCounts;
use qcdc_core::validate::{Narrative, Values};
use qcdc_store::{rollup, rounds_repo, submissions_repo, units_repo};

use crate::ctx::Ctx;

/// Marks many reports of a round accepted at once (the generator only), then
/// recomputes the round's running totals and counts.
pub async fn bulk_accept(
    cx: &Ctx,
    round_id: i64,
    reports: &[(i64, Values, Narrative, bool)],
) -> CoreResult<()> {
    cx.require_system()?;
    let mut tx = cx.app().db().write().await?;
    let r = async {
        submissions_repo::bulk_accept(&mut tx, round_id, reports, cx.who()).await?;
        rollup::rebuild_values(&mut tx, round_id).await?;
        rollup::rebuild_status(&mut tx, round_id).await
    }
    .await;
    tx.finish(r).await
}

/// Recomputes a round's running totals and counts from the raw figures.
pub async fn rebuild_round(cx: &Ctx, round_id: i64) -> CoreResult<()> {
    cx.require_system()?;
    let mut tx = cx.app().db().write().await?;
    let r = async {
        rollup::rebuild_values(&mut tx, round_id).await?;
        rollup::rebuild_status(&mut tx, round_id).await
    }
    .await;
    tx.finish(r).await
}

/// qcdc's way: each unit's running totals and counts.
pub async fn consolidate_running(
    cx: &Ctx,
    round_id: i64,
    unit_ids: &[i64],
    today: NaiveDate,
) -> CoreResult<HashMap<i64, (Totals, StatusCounts)>> {
    cx.require_system()?;
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = crate::rounds::load(&mut tx, round_id).await?;
        let past = today > round.deadline;
        let mut totals = rollup::totals(&mut tx, round_id, unit_ids).await?;
        let mut counts = rollup::counts(&mut tx, round_id, unit_ids, past).await?;
        Ok(unit_ids
            .iter()
            .map(|u| {
                (
                    *u,
                    (
                        totals.remove(u).unwrap_or_default(),
                        counts.remove(u).unwrap_or_default(),
                    ),
                )
            })
            .collect())
    }
    .await;
    tx.finish(r).await
}

/// The baseline: a recursive query over the raw accepted figures.
pub async fn consolidate_recomputed(
    cx: &Ctx,
    round_id: i64,
    unit_ids: &[i64],
    today: NaiveDate,
) -> CoreResult<HashMap<i64, (Totals, StatusCounts)>> {
    cx.require_system()?;
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = crate::rounds::load(&mut tx, round_id).await?;
        rollup::recompute(&mut tx, round_id, unit_ids, today > round.deadline).await
    }
    .await;
    tx.finish(r).await
}

/// Every recipient of a round: (unit id, code, name, kind), in Vietnamese order.
pub async fn recipients(
    cx: &Ctx,
    round_id: i64,
) -> CoreResult<Vec<(i64, String, String, qcdc_core::unit::UnitKind)>> {
    cx.require_system()?;
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = crate::rounds::load(&mut tx, round_id).await?;
        let _ = round;
        let (list, _) = rounds_repo::recipients(
            &mut tx,
            round_id,
            None,
            &Default::default(),
            0,
            i64::MAX / 4,
            None,
        )
        .await?;
        Ok(list
            .into_iter()
            .map(|r| (r.unit_id, r.unit_code, r.unit_name, r.kind))
            .collect())
    }
    .await;
    tx.finish(r).await
}

/// Whether any unit exists (the generator refuses a non-empty database).
pub async fn is_empty(cx: &Ctx) -> CoreResult<bool> {
    cx.require_system()?;
    let mut tx = cx.app().db().read().await?;
    let r = units_repo::list(&mut tx, &Default::default(), 0, 1).await;
    let (_, total) = tx.finish(r).await?;
    Ok(total == 0)
}

/// Unit ids by code (the command line's benchmarks and generator).
pub async fn unit_ids(cx: &Ctx, codes: &[String]) -> CoreResult<HashMap<String, i64>> {
    cx.require_system()?;
    let mut tx = cx.app().db().read().await?;
    let r = units_repo::ids_by_code(&mut tx, codes).await;
    tx.finish(r).await
}

/// Every round id.
pub async fn round_ids(cx: &Ctx) -> CoreResult<Vec<i64>> {
    cx.require_system()?;
    let mut tx = cx.app().db().read().await?;
    let r = rounds_repo::all_ids(&mut tx).await;
    tx.finish(r).await
}

/// The schema version of the database and the newest this binary knows.
pub async fn schema_versions(cx: &Ctx) -> CoreResult<(i64, i64)> {
    cx.require_system()?;
    Ok((
        qcdc_store::migrate::current_version(cx.app().db()).await?,
        qcdc_store::migrate::latest_version(),
    ))
}

/// Readiness: the database takes a write now (a full disk, a read-only data
/// directory or a database that is down answer `unavailable`). No sign-in needed;
/// nothing but a probe time is written.
pub async fn ready(app: &crate::App) -> CoreResult<()> {
    let mut tx = app.db().write().await?;
    let now = chrono::Utc::now().to_rfc3339();
    let r = qcdc_store::meta::put(&mut tx, "ready_probe", &now).await;
    tx.finish(r).await
}
