//! Live consolidation: running subtree totals kept in the accepting transaction,
//! drill-down, completeness, narrative side by side, comparison with the same
//! period last year across succession links, and adoption as the office's own report.

use std::collections::{BTreeMap, HashMap};

use qcdc_core::consolidate::{self, Row, Totals, UnitValue};
use qcdc_core::number::{self, Milli};
use qcdc_core::template::{Aggregate, Template, allows_decimals};
use qcdc_core::unit::UnitKind;
use qcdc_core::validate::Values;
use qcdc_core::{CoreError, CoreResult, ErrorCode, text};
use serde::Serialize;
use sqlx::{Any, Transaction};

use crate::db::{DbResult, Store, Val, bulk_insert, get_i64, get_str};
use crate::rounds::{RoundInfo, StatusCounts, today_vn};
use crate::submissions::{DraftChange, SubmissionView};
use crate::units::Unit;

/// A child's line in the drill-down.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChildTotals {
    pub unit_code: String,
    pub unit_name: String,
    pub kind: UnitKind,
    /// True when the child is itself a recipient (its own report), false when its
    /// figures are the totals of recipients below it.
    pub is_recipient: bool,
    pub counts: StatusCounts,
    pub values: BTreeMap<String, f64>,
}

/// One unit's narrative for one outline section.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NarrativeEntry {
    pub section: String,
    pub title: String,
    /// (unit code, unit name, text) of every accepted report below, side by side.
    pub entries: Vec<(String, String, String)>,
}

/// The consolidated picture of a round at one unit.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Consolidation {
    pub round: RoundInfo,
    pub unit_code: String,
    pub unit_name: String,
    pub completeness: StatusCounts,
    pub rows: Vec<Row>,
    pub previous_round: Option<RoundInfo>,
    /// Units of last year the comparison covers (after following succession links).
    pub previous_units: Vec<String>,
    /// True when a split makes the comparison cover more than this unit.
    pub comparison_approximate: bool,
    pub children: Vec<ChildTotals>,
    pub narrative: Vec<NarrativeEntry>,
}

/// Moves the running totals of every strict ancestor of `unit_id` by new − old.
pub(crate) async fn apply_rollup_delta(
    tx: &mut Transaction<'_, Any>,
    t: &Template,
    round_id: i64,
    unit_id: i64,
    old: &Values,
    new: &Values,
) -> CoreResult<()> {
    let mut delta: Vec<(String, Milli, i64)> = Vec::new();
    for ind in t
        .indicators()
        .iter()
        .filter(|i| i.aggregate == Aggregate::Sum)
    {
        let (o, n) = (old.get(&ind.code), new.get(&ind.code));
        let dv = n.copied().unwrap_or(0) - o.copied().unwrap_or(0);
        let dn = i64::from(n.is_some()) - i64::from(o.is_some());
        if dv != 0 || dn != 0 {
            delta.push((ind.code.clone(), dv, dn));
        }
    }
    if delta.is_empty() {
        return Ok(());
    }
    let ancestors =
        sqlx::query("SELECT ancestor_id FROM unit_closure WHERE descendant_id = $1 AND depth > 0")
            .bind(unit_id)
            .fetch_all(&mut **tx)
            .await
            .db()?;
    let mut rows = Vec::new();
    for a in &ancestors {
        for (code, dv, dn) in &delta {
            rows.push(vec![
                Val::I(round_id),
                Val::I(get_i64(a, "ancestor_id")),
                Val::S(code.clone()),
                Val::I(*dv),
                Val::I(*dn),
            ]);
        }
    }
    bulk_insert(
        tx,
        "rollup",
        &["round_id", "unit_id", "indicator", "total", "n"],
        &rows,
        "ON CONFLICT (round_id, unit_id, indicator) DO UPDATE SET total = rollup.total + excluded.total, n = rollup.n + excluded.n",
    )
    .await
}

fn on_time_key(on_time: Option<bool>) -> i64 {
    on_time.map_or(-1, i64::from)
}

/// Moves one recipient between status buckets in every strict ancestor's counts.
pub(crate) async fn apply_status_delta(
    tx: &mut Transaction<'_, Any>,
    round_id: i64,
    unit_id: i64,
    from: (qcdc_core::workflow::Status, Option<bool>),
    to: (qcdc_core::workflow::Status, Option<bool>),
) -> CoreResult<()> {
    if from == to {
        return Ok(());
    }
    let ancestors =
        sqlx::query("SELECT ancestor_id FROM unit_closure WHERE descendant_id = $1 AND depth > 0")
            .bind(unit_id)
            .fetch_all(&mut **tx)
            .await
            .db()?;
    let mut rows = Vec::new();
    for a in &ancestors {
        let a = get_i64(a, "ancestor_id");
        rows.push(vec![
            Val::I(round_id),
            Val::I(a),
            Val::S(from.0.as_str().into()),
            Val::I(on_time_key(from.1)),
            Val::I(-1),
        ]);
        rows.push(vec![
            Val::I(round_id),
            Val::I(a),
            Val::S(to.0.as_str().into()),
            Val::I(on_time_key(to.1)),
            Val::I(1),
        ]);
    }
    bulk_insert(tx, "status_rollup", &["round_id", "unit_id", "status", "on_time", "n"], &rows, "ON CONFLICT (round_id, unit_id, status, on_time) DO UPDATE SET n = status_rollup.n + excluded.n").await
}

/// Recomputes a round's status counts from its submissions.
pub(crate) async fn rebuild_status_rollup(
    tx: &mut Transaction<'_, Any>,
    round_id: i64,
) -> CoreResult<()> {
    sqlx::query("DELETE FROM status_rollup WHERE round_id = $1")
        .bind(round_id)
        .execute(&mut **tx)
        .await
        .db()?;
    sqlx::query(
        "INSERT INTO status_rollup (round_id, unit_id, status, on_time, n)
         SELECT s.round_id, c.ancestor_id, s.status, COALESCE(s.on_time, -1), COUNT(*) FROM submissions s JOIN unit_closure c ON c.descendant_id = s.unit_id
         WHERE s.round_id = $1 AND c.depth > 0 GROUP BY s.round_id, c.ancestor_id, s.status, COALESCE(s.on_time, -1)",
    )
    .bind(round_id)
    .execute(&mut **tx)
    .await
    .db()?;
    Ok(())
}

/// Recomputes a round's running totals from its accepted figures.
pub(crate) async fn rebuild_rollup(tx: &mut Transaction<'_, Any>, round_id: i64) -> CoreResult<()> {
    let rows = sqlx::query(
        "SELECT c.ancestor_id, a.indicator, CAST(SUM(a.value) AS BIGINT) AS total, COUNT(*) AS n
         FROM accepted_values a JOIN submissions s ON s.id = a.submission_id JOIN unit_closure c ON c.descendant_id = s.unit_id
         WHERE s.round_id = $1 AND c.depth > 0 GROUP BY c.ancestor_id, a.indicator",
    )
    .bind(round_id)
    .fetch_all(&mut **tx)
    .await
    .db()?;
    let tid = get_i64(
        &sqlx::query("SELECT template_id FROM rounds WHERE id = $1")
            .bind(round_id)
            .fetch_one(&mut **tx)
            .await
            .db()?,
        "template_id",
    );
    let src = get_str(
        &sqlx::query("SELECT source FROM templates WHERE id = $1")
            .bind(tid)
            .fetch_one(&mut **tx)
            .await
            .db()?,
        "source",
    );
    let t = Template::from_toml(&src)?;
    let out: Vec<Vec<Val>> = rows
        .iter()
        .filter(|r| {
            t.indicator(&get_str(r, "indicator"))
                .is_some_and(|i| i.aggregate == Aggregate::Sum)
        })
        .map(|r| {
            vec![
                Val::I(round_id),
                Val::I(get_i64(r, "ancestor_id")),
                Val::S(get_str(r, "indicator")),
                Val::I(get_i64(r, "total")),
                Val::I(get_i64(r, "n")),
            ]
        })
        .collect();
    sqlx::query("DELETE FROM rollup WHERE round_id = $1")
        .bind(round_id)
        .execute(&mut **tx)
        .await
        .db()?;
    bulk_insert(
        tx,
        "rollup",
        &["round_id", "unit_id", "indicator", "total", "n"],
        &out,
        "",
    )
    .await
}

impl Store {
    /// Totals of a round at each of `unit_ids`: the running totals for units above
    /// recipients, the accepted figures for recipients themselves.
    pub async fn totals_many(
        &self,
        round_id: i64,
        unit_ids: &[i64],
    ) -> CoreResult<HashMap<i64, Totals>> {
        let mut out: HashMap<i64, Totals> =
            unit_ids.iter().map(|&u| (u, Totals::default())).collect();
        for chunk in unit_ids.chunks(500) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT unit_id, indicator, total, n FROM rollup WHERE round_id = $1 AND n <> 0 AND unit_id IN ({list})"))).bind(round_id).fetch_all(&self.pool).await.db()?;
            for r in &rows {
                if let Some(t) = out.get_mut(&get_i64(r, "unit_id")) {
                    t.sums.insert(
                        get_str(r, "indicator"),
                        (get_i64(r, "total"), get_i64(r, "n") as u32),
                    );
                }
            }
            let own = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT s.unit_id, a.indicator, a.value FROM accepted_values a JOIN submissions s ON s.id = a.submission_id WHERE s.round_id = $1 AND s.unit_id IN ({list})"
            )))
            .bind(round_id)
            .fetch_all(&self.pool)
            .await
            .db()?;
            let tid = self.round_template(round_id).await?;
            let t = self.template(tid).await?;
            for r in &own {
                let code = get_str(r, "indicator");
                if t.indicator(&code)
                    .is_some_and(|i| i.aggregate == Aggregate::Sum)
                    && let Some(tot) = out.get_mut(&get_i64(r, "unit_id"))
                {
                    tot.sums.insert(code, (get_i64(r, "value"), 1));
                }
            }
        }
        Ok(out)
    }

    async fn round_template(&self, round_id: i64) -> CoreResult<i64> {
        let r = sqlx::query("SELECT template_id FROM rounds WHERE id = $1")
            .bind(round_id)
            .fetch_optional(&self.pool)
            .await
            .db()?;
        Ok(get_i64(
            &r.ok_or_else(|| CoreError::not_found(format!("đợt báo cáo #{round_id}")))?,
            "template_id",
        ))
    }

    /// The same round one year earlier for the comparison: same template code,
    /// period one year back, issued by this round's issuer or a unit it succeeds.
    async fn previous_round(&self, round: &RoundInfo) -> CoreResult<Option<RoundInfo>> {
        let prev_period = round.period.same_period_last_year();
        let rows = sqlx::query("SELECT r.id, r.issuer_id FROM rounds r JOIN templates t ON t.id = r.template_id WHERE r.period = $1 AND t.code = $2 ORDER BY r.id")
            .bind(prev_period.to_string())
            .bind(round.template_code.clone())
            .fetch_all(&self.pool)
            .await
            .db()?;
        if rows.is_empty() {
            return Ok(None);
        }
        let issuer = self.unit(&round.issuer_code).await?;
        let (preds, _) = self
            .predecessors_on(issuer.id, prev_period.cutoff().1)
            .await?;
        let lineage = self.lineage(issuer.id).await?;
        let pick = rows
            .iter()
            .find(|r| {
                preds.contains(&get_i64(r, "issuer_id")) || get_i64(r, "issuer_id") == issuer.id
            })
            .or_else(|| {
                rows.iter()
                    .find(|r| lineage.contains(&get_i64(r, "issuer_id")))
            });
        match pick {
            Some(r) => Ok(Some(self.round(get_i64(r, "id")).await?)),
            None => Ok(None),
        }
    }

    /// Consolidates a round at a unit (the issuer when None).
    pub async fn consolidate(
        &self,
        round_id: i64,
        unit: Option<&str>,
    ) -> CoreResult<Consolidation> {
        let round = self.round(round_id).await?;
        let t = self.template(round.template_id).await?;
        let root = self.unit(unit.unwrap_or(&round.issuer_code)).await?;
        let status = self
            .round_status(round_id, Some(&root.code), today_vn())
            .await?;
        let children: Vec<Unit> = self.children(root.id).await?;
        let mut ids: Vec<i64> = children.iter().map(|c| c.id).collect();
        ids.push(root.id);
        let totals = self.totals_many(round_id, &ids).await?;
        let current = totals.get(&root.id).cloned().unwrap_or_default();

        // comparison with the same period last year, through succession links
        let previous_round = self.previous_round(&round).await?;
        let mut previous_units = Vec::new();
        let mut approximate = false;
        let previous = match &previous_round {
            Some(pr) => {
                let (preds, approx) = self.predecessors_on(root.id, pr.period.cutoff().1).await?;
                approximate = approx;
                let pt = self.totals_many(pr.id, &preds).await?;
                let mut sum = Totals::default();
                for p in &preds {
                    if let Some(x) = pt.get(p) {
                        sum.merge(x);
                    }
                    previous_units.push(self.unit_by_id(*p).await?.code);
                }
                Some(sum)
            }
            None => None,
        };

        // non-aggregable indicators, listed per reporting unit
        let none_codes: Vec<&str> = t
            .indicators()
            .iter()
            .filter(|i| i.aggregate == Aggregate::None)
            .map(|i| i.code.as_str())
            .collect();
        let mut per_unit: BTreeMap<String, Vec<UnitValue>> = BTreeMap::new();
        let accepted = sqlx::query(
            "SELECT u.code, u.name, s.id AS sid, s.version FROM submissions s JOIN unit_closure c ON c.descendant_id = s.unit_id JOIN units u ON u.id = s.unit_id
             WHERE s.round_id = $1 AND c.ancestor_id = $2 AND s.accepted_at IS NOT NULL",
        )
        .bind(round_id)
        .bind(root.id)
        .fetch_all(&self.pool)
        .await
        .db()?;
        let mut narrative: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
        if !accepted.is_empty() && accepted.len() <= 2000 {
            let ids = accepted
                .iter()
                .map(|r| get_i64(r, "sid").to_string())
                .collect::<Vec<_>>()
                .join(",");
            let names: HashMap<i64, (String, String)> = accepted
                .iter()
                .map(|r| (get_i64(r, "sid"), (get_str(r, "code"), get_str(r, "name"))))
                .collect();
            if !none_codes.is_empty() {
                let list = none_codes
                    .iter()
                    .map(|c| format!("'{c}'"))
                    .collect::<Vec<_>>()
                    .join(",");
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT submission_id, indicator, value FROM accepted_values WHERE submission_id IN ({ids}) AND indicator IN ({list})")))
                    .fetch_all(&self.pool)
                    .await
                    .db()?;
                for r in &rows {
                    let (code, name) = names[&get_i64(r, "submission_id")].clone();
                    let ind = get_str(r, "indicator");
                    let v = get_i64(r, "value");
                    let d = t
                        .indicator(&ind)
                        .map_or(3, |i| if allows_decimals(&i.unit) { 3 } else { 0 });
                    per_unit.entry(ind).or_default().push(UnitValue {
                        unit_code: code,
                        unit_name: name,
                        value: number::to_f64(v),
                        display: number::format_vn(v, d),
                    });
                }
                for v in per_unit.values_mut() {
                    text::sort_vi(v, |x| &x.unit_name);
                }
            }
            // narrative of the last accepted version of each report
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT v.submission_id, v.sections_json FROM submission_versions v WHERE v.submission_id IN ({ids})
                 AND v.version = (SELECT MAX(v2.version) FROM submission_versions v2 WHERE v2.submission_id = v.submission_id)"
            )))
            .fetch_all(&self.pool)
            .await
            .db()?;
            let mut by_unit: Vec<((String, String), BTreeMap<String, String>)> = rows
                .iter()
                .map(|r| {
                    (
                        names[&get_i64(r, "submission_id")].clone(),
                        serde_json::from_str(&get_str(r, "sections_json")).unwrap_or_default(),
                    )
                })
                .collect();
            text::sort_vi(&mut by_unit, |x| &x.0.1);
            for ((code, name), sections) in by_unit {
                for (sec, body) in sections {
                    narrative
                        .entry(sec)
                        .or_default()
                        .push((code.clone(), name.clone(), body));
                }
            }
        }
        let narrative = t
            .sections()
            .iter()
            .filter_map(|s| {
                narrative.remove(&s.number).map(|entries| NarrativeEntry {
                    section: s.number.clone(),
                    title: s.title.clone(),
                    entries,
                })
            })
            .collect();

        let counts_by_code: HashMap<&str, &StatusCounts> = status
            .children
            .iter()
            .map(|(c, _, s)| (c.as_str(), s))
            .collect();
        let recipient_codes: HashMap<&str, &crate::RecipientStatus> = status
            .recipients
            .iter()
            .map(|r| (r.unit_code.as_str(), r))
            .collect();
        let mut child_rows = Vec::new();
        for ch in &children {
            let Some(counts) = counts_by_code.get(ch.code.as_str()) else {
                continue;
            };
            let tot = totals.get(&ch.id).cloned().unwrap_or_default();
            let values = t
                .indicators()
                .iter()
                .filter_map(|i| tot.value(&t, &i.code).map(|v| (i.code.clone(), v)))
                .collect();
            child_rows.push(ChildTotals {
                unit_code: ch.code.clone(),
                unit_name: ch.name.clone(),
                kind: ch.kind,
                is_recipient: recipient_codes.contains_key(ch.code.as_str()),
                counts: (*counts).clone(),
                values,
            });
        }
        let rows = consolidate::rows(&t, &current, previous.as_ref(), &per_unit);
        Ok(Consolidation {
            round,
            unit_code: root.code,
            unit_name: root.name,
            completeness: status.counts,
            rows,
            previous_round,
            previous_units,
            comparison_approximate: approximate,
            children: child_rows,
            narrative,
        })
    }

    /// The office adopts its consolidated figures as its own report in the parent's
    /// round: summable figures and recomputed ratios go into its draft there.
    pub async fn adopt(
        &self,
        round_id: i64,
        unit_code: &str,
        parent_round_id: i64,
        actor: &str,
    ) -> CoreResult<SubmissionView> {
        let round = self.round(round_id).await?;
        let parent_round = self.round(parent_round_id).await?;
        if parent_round.period != round.period {
            return Err(CoreError::new(
                ErrorCode::InvalidInput,
                format!(
                    "Kỳ của đợt cấp trên ({}) khác kỳ của đợt tổng hợp ({})",
                    parent_round.period_label, round.period_label
                ),
            ));
        }
        let t = self.template(round.template_id).await?;
        let pt = self.template(parent_round.template_id).await?;
        let unit = self.unit(unit_code).await?;
        let totals = self
            .totals_many(round_id, &[unit.id])
            .await?
            .remove(&unit.id)
            .unwrap_or_default();
        let mut change = DraftChange::default();
        for ind in pt.indicators() {
            if t.indicator(&ind.code)
                .is_none_or(|src| src.aggregate != ind.aggregate)
            {
                continue;
            }
            let v = match ind.aggregate {
                Aggregate::Sum => totals.get(&ind.code),
                // ratios are stated with two decimals, recomputed from the summed parts
                Aggregate::Ratio => totals
                    .value(&t, &ind.code)
                    .map(|x| ((x * 100.0).round() / 100.0 * 1000.0).round() as i64),
                Aggregate::None => None,
            };
            if let Some(v) = v {
                change.values.insert(ind.code.clone(), Some(v));
            }
        }
        self.save_draft_from(parent_round_id, unit_code, &change, actor, Some(round_id))
            .await
    }
}
