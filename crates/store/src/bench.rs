//! Bulk loading for the generator and the two ways of consolidating the country
//! that `qcdc bench consolidate` compares.

use std::collections::{BTreeMap, HashMap};

use qcdc_core::consolidate::Totals;
use qcdc_core::validate::{Narrative, Values};
use qcdc_core::workflow::Status;
use qcdc_core::{CoreResult, template::Aggregate};

use crate::consolidation::rebuild_rollup;
use crate::db::{DbResult, Store, Val, bulk_insert, get_i64, get_str, now};
use crate::rounds::StatusCounts;

impl Store {
    /// Marks many submissions of a round accepted at once (generator only): writes
    /// accepted figures and versions, then recomputes the round's running totals.
    pub async fn bulk_accept(
        &self,
        round_id: i64,
        reports: &[(i64, Values, Narrative, bool)],
        actor: &str,
    ) -> CoreResult<()> {
        let mut tx = self.write_tx().await?;
        let ids: HashMap<i64, i64> =
            sqlx::query("SELECT id, unit_id FROM submissions WHERE round_id = $1")
                .bind(round_id)
                .fetch_all(&mut *tx)
                .await
                .db()?
                .iter()
                .map(|r| (get_i64(r, "unit_id"), get_i64(r, "id")))
                .collect();
        let at = now();
        let mut values = Vec::new();
        let mut versions = Vec::new();
        for (unit_id, vals, sections, on_time) in reports {
            let Some(&sid) = ids.get(unit_id) else {
                continue;
            };
            for (k, v) in vals {
                values.push(vec![Val::I(sid), Val::S(k.clone()), Val::I(*v)]);
            }
            versions.push(vec![
                Val::I(sid),
                Val::I(1),
                Val::S(serde_json::to_string(vals).unwrap_or_default()),
                Val::S(serde_json::to_string(sections).unwrap_or_default()),
                Val::S(at.clone()),
                Val::S(actor.to_string()),
            ]);
            sqlx::query("UPDATE submissions SET status = 'accepted', first_submitted_at = $1, submitted_at = $1, accepted_at = $1, on_time = $2, updated_at = $1, updated_by = $3 WHERE id = $4")
                .bind(at.clone())
                .bind(i64::from(*on_time))
                .bind(actor.to_string())
                .bind(sid)
                .execute(&mut *tx)
                .await
                .db()?;
        }
        bulk_insert(
            &mut tx,
            "accepted_values",
            &["submission_id", "indicator", "value"],
            &values,
            "",
        )
        .await?;
        bulk_insert(
            &mut tx,
            "submission_versions",
            &[
                "submission_id",
                "version",
                "values_json",
                "sections_json",
                "accepted_at",
                "accepted_by",
            ],
            &versions,
            "",
        )
        .await?;
        rebuild_rollup(&mut tx, round_id).await?;
        crate::consolidation::rebuild_status_rollup(&mut tx, round_id).await?;
        tx.commit().await.db()?;
        Ok(())
    }

    /// Recomputes a round's running totals and status counts from the raw accepted
    /// figures (what a tree change costs); returns nothing, changes nothing visible.
    pub async fn rebuild_round_totals(&self, round_id: i64) -> CoreResult<()> {
        let mut tx = self.write_tx().await?;
        rebuild_rollup(&mut tx, round_id).await?;
        crate::consolidation::rebuild_status_rollup(&mut tx, round_id).await?;
        tx.commit().await.db()
    }

    /// qcdc's way: read each unit's running totals and count statuses through the
    /// closure table.
    pub async fn bench_consolidate_qcdc(
        &self,
        round_id: i64,
        unit_ids: &[i64],
    ) -> CoreResult<HashMap<i64, (Totals, StatusCounts)>> {
        let totals = self.totals_many(round_id, unit_ids).await?;
        let counts = self.counts_many(round_id, unit_ids).await?;
        Ok(unit_ids
            .iter()
            .map(|u| {
                (
                    *u,
                    (
                        totals.get(u).cloned().unwrap_or_default(),
                        counts.get(u).cloned().unwrap_or_default(),
                    ),
                )
            })
            .collect())
    }

    /// Status counts below each unit, from the running counts.
    async fn counts_many(
        &self,
        round_id: i64,
        unit_ids: &[i64],
    ) -> CoreResult<HashMap<i64, StatusCounts>> {
        let list = unit_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT unit_id AS ancestor_id, status, CASE WHEN on_time < 0 THEN NULL ELSE on_time END AS on_time, n FROM status_rollup
             WHERE round_id = $1 AND n <> 0 AND unit_id IN ({list})
             UNION ALL SELECT unit_id AS ancestor_id, status, on_time, 1 AS n FROM submissions WHERE round_id = $1 AND unit_id IN ({list})"
        )))
        .bind(round_id)
        .fetch_all(&self.pool)
        .await
        .db()?;
        Ok(fold_counts(&rows))
    }

    /// The baseline: a plain recursive-CTE query over the raw accepted figures.
    pub async fn bench_consolidate_cte(
        &self,
        round_id: i64,
        unit_ids: &[i64],
    ) -> CoreResult<HashMap<i64, (Totals, StatusCounts)>> {
        let list = unit_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let cte = format!(
            "WITH RECURSIVE sub(root, id) AS (SELECT id, id FROM units WHERE id IN ({list}) UNION ALL SELECT sub.root, u.id FROM units u JOIN sub ON u.parent_id = sub.id)"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{cte} SELECT sub.root AS root, a.indicator, CAST(SUM(a.value) AS BIGINT) AS total, COUNT(*) AS n
             FROM sub JOIN submissions s ON s.unit_id = sub.id JOIN accepted_values a ON a.submission_id = s.id
             WHERE s.round_id = $1 GROUP BY sub.root, a.indicator"
        )))
        .bind(round_id)
        .fetch_all(&self.pool)
        .await
        .db()?;
        let counts = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{cte} SELECT sub.root AS ancestor_id, s.status, s.on_time, COUNT(*) AS n FROM sub JOIN submissions s ON s.unit_id = sub.id WHERE s.round_id = $1 GROUP BY sub.root, s.status, s.on_time"
        )))
        .bind(round_id)
        .fetch_all(&self.pool)
        .await
        .db()?;
        let tid = get_i64(
            &sqlx::query("SELECT template_id FROM rounds WHERE id = $1")
                .bind(round_id)
                .fetch_one(&self.pool)
                .await
                .db()?,
            "template_id",
        );
        let t = self.template(tid).await?;
        let mut out: HashMap<i64, (Totals, StatusCounts)> =
            unit_ids.iter().map(|u| (*u, Default::default())).collect();
        for r in &rows {
            let code = get_str(r, "indicator");
            if !t
                .indicator(&code)
                .is_some_and(|i| i.aggregate == Aggregate::Sum)
            {
                continue;
            }
            if let Some(e) = out.get_mut(&get_i64(r, "root")) {
                e.0.sums
                    .insert(code, (get_i64(r, "total"), get_i64(r, "n") as u32));
            }
        }
        for (u, c) in fold_counts(&counts) {
            if let Some(e) = out.get_mut(&u) {
                e.1 = c;
            }
        }
        Ok(out)
    }
}

fn fold_counts(rows: &[sqlx::any::AnyRow]) -> HashMap<i64, StatusCounts> {
    let mut out: HashMap<i64, StatusCounts> = HashMap::new();
    for r in rows {
        let c = out.entry(get_i64(r, "ancestor_id")).or_default();
        let status = Status::parse(&get_str(r, "status")).unwrap_or(Status::NotStarted);
        let on_time = crate::db::get_opt_i64(r, "on_time").map(|v| v == 1);
        for _ in 0..get_i64(r, "n") {
            c.add(status, on_time, false);
        }
    }
    for c in out.values_mut() {
        c.finish();
    }
    out
}

/// Sum indicators of a totals map as plain numbers, for comparing the two methods.
pub fn flatten(t: &Totals) -> BTreeMap<String, i64> {
    t.sums.iter().map(|(k, (v, _))| (k.clone(), *v)).collect()
}
