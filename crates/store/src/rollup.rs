//! Running totals (`rollup`) and running status counts (`status_rollup`) of each
//! round at every unit, over the round's recipients strictly below it. They are
//! moved by the difference in the same transaction as the change that causes it
//! (an acceptance, a status change, a move in the tree), so a consolidation reads
//! a handful of rows whatever the size of the tree. A leaf module.
//!
//! Every indicator has a row: for sums the total counts; for ratios and
//! non-aggregable indicators only `n` (how many units reported it) is used.

use std::collections::{BTreeMap, HashMap};

use qcdc_core::CoreResult;
use qcdc_core::consolidate::Totals;
use qcdc_core::number::Milli;
use qcdc_core::round::{StatusCounts, on_time_key};
use qcdc_core::validate::Values;
use qcdc_core::workflow::Status;
use sqlx::{AnyConnection, FromRow};

use crate::db::DbResult;
use crate::rows::{self, Val, bulk_insert, id_list, parse_col};

#[derive(FromRow)]
struct AncestorRow {
    id: i64,
}

async fn strict_ancestors(c: &mut AnyConnection, unit_id: i64) -> CoreResult<Vec<i64>> {
    let rows: Vec<AncestorRow> = rows::fetch_all(
        c,
        sqlx::query_as(
            "SELECT ancestor_id AS id FROM unit_closure WHERE descendant_id = $1 AND depth > 0",
        )
        .bind(unit_id),
        "unit_closure",
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// (indicator, value delta, reporting-units delta) between two sets of figures.
pub fn value_delta(old: &Values, new: &Values) -> Vec<(String, Milli, i64)> {
    let mut codes: Vec<&String> = old.keys().chain(new.keys()).collect();
    codes.sort();
    codes.dedup();
    codes
        .into_iter()
        .filter_map(|code| {
            let (o, n) = (old.get(code), new.get(code));
            let dv = n.copied().unwrap_or(0) - o.copied().unwrap_or(0);
            let dn = i64::from(n.is_some()) - i64::from(o.is_some());
            (dv != 0 || dn != 0).then(|| (code.clone(), dv, dn))
        })
        .collect()
}

async fn upsert_values(
    c: &mut AnyConnection,
    round_id: i64,
    at: &[i64],
    delta: &[(String, Milli, i64)],
    sign: i64,
) -> CoreResult<()> {
    let mut rows = Vec::with_capacity(at.len() * delta.len());
    for a in at {
        for (code, dv, dn) in delta {
            rows.push(vec![
                Val::I(round_id),
                Val::I(*a),
                Val::S(code.clone()),
                Val::I(dv * sign),
                Val::I(dn * sign),
            ]);
        }
    }
    bulk_insert(
        c,
        "rollup",
        &["round_id", "unit_id", "indicator", "total", "n"],
        &rows,
        "ON CONFLICT (round_id, unit_id, indicator) DO UPDATE SET total = rollup.total + excluded.total, n = rollup.n + excluded.n",
    )
    .await
}

/// Moves the running totals of every strict ancestor of a recipient by new − old.
pub async fn apply_values(
    c: &mut AnyConnection,
    round_id: i64,
    unit_id: i64,
    old: &Values,
    new: &Values,
) -> CoreResult<()> {
    let delta = value_delta(old, new);
    if delta.is_empty() {
        return Ok(());
    }
    let anc = strict_ancestors(c, unit_id).await?;
    upsert_values(c, round_id, &anc, &delta, 1).await
}

type Bucket = (Status, Option<bool>);

async fn upsert_status(
    c: &mut AnyConnection,
    round_id: i64,
    at: &[i64],
    delta: &[(Bucket, i64)],
) -> CoreResult<()> {
    let mut rows = Vec::new();
    for a in at {
        for ((s, t), n) in delta {
            rows.push(vec![
                Val::I(round_id),
                Val::I(*a),
                Val::S(s.as_str().into()),
                Val::I(on_time_key(*t)),
                Val::I(*n),
            ]);
        }
    }
    bulk_insert(
        c,
        "status_rollup",
        &["round_id", "unit_id", "status", "on_time", "n"],
        &rows,
        "ON CONFLICT (round_id, unit_id, status, on_time) DO UPDATE SET n = status_rollup.n + excluded.n",
    )
    .await
}

/// Moves one recipient between status buckets in every strict ancestor's counts.
pub async fn apply_status(
    c: &mut AnyConnection,
    round_id: i64,
    unit_id: i64,
    from: Bucket,
    to: Bucket,
) -> CoreResult<()> {
    if from == to {
        return Ok(());
    }
    let anc = strict_ancestors(c, unit_id).await?;
    upsert_status(c, round_id, &anc, &[(from, -1), (to, 1)]).await
}

/// Adds new recipients (all "not started") to their ancestors' counts.
pub async fn add_recipients(c: &mut AnyConnection, round_id: i64) -> CoreResult<()> {
    rebuild_status(c, round_id).await
}

/// Recomputes a round's status counts from its submissions.
pub async fn rebuild_status(c: &mut AnyConnection, round_id: i64) -> CoreResult<()> {
    sqlx::query("DELETE FROM status_rollup WHERE round_id = $1")
        .bind(round_id)
        .execute(&mut *c)
        .await
        .db()?;
    sqlx::query(
        "INSERT INTO status_rollup (round_id, unit_id, status, on_time, n)
         SELECT s.round_id, c.ancestor_id, s.status, COALESCE(s.on_time, -1), COUNT(*) FROM submissions s JOIN unit_closure c ON c.descendant_id = s.unit_id
         WHERE s.round_id = $1 AND c.depth > 0 GROUP BY s.round_id, c.ancestor_id, s.status, COALESCE(s.on_time, -1)",
    )
    .bind(round_id)
    .execute(&mut *c)
    .await
    .db()?;
    Ok(())
}

/// Recomputes a round's running totals from its accepted figures.
pub async fn rebuild_values(c: &mut AnyConnection, round_id: i64) -> CoreResult<()> {
    sqlx::query("DELETE FROM rollup WHERE round_id = $1")
        .bind(round_id)
        .execute(&mut *c)
        .await
        .db()?;
    sqlx::query(
        "INSERT INTO rollup (round_id, unit_id, indicator, total, n)
         SELECT s.round_id, c.ancestor_id, a.indicator, CAST(SUM(a.value) AS BIGINT), COUNT(*)
         FROM accepted_values a JOIN submissions s ON s.id = a.submission_id JOIN unit_closure c ON c.descendant_id = s.unit_id
         WHERE s.round_id = $1 AND c.depth > 0 GROUP BY s.round_id, c.ancestor_id, a.indicator",
    )
    .bind(round_id)
    .execute(&mut *c)
    .await
    .db()?;
    Ok(())
}

#[derive(FromRow)]
struct TotalRow {
    unit_id: i64,
    indicator: String,
    total: i64,
    n: i64,
}

/// Totals of a round at each unit: the running totals below it, plus its own
/// accepted figures when it is itself a recipient.
pub async fn totals(
    c: &mut AnyConnection,
    round_id: i64,
    unit_ids: &[i64],
) -> CoreResult<HashMap<i64, Totals>> {
    totals_of(c, round_id, unit_ids, None).await
}

/// [`totals`] restricted to some indicators (a drill-down's columns).
pub async fn totals_of(
    c: &mut AnyConnection,
    round_id: i64,
    unit_ids: &[i64],
    codes: Option<&[String]>,
) -> CoreResult<HashMap<i64, Totals>> {
    let mut out: HashMap<i64, Totals> = unit_ids.iter().map(|&u| (u, Totals::default())).collect();
    // indicator codes are checked template codes ([a-z0-9_]), never user text
    let only = |col: &str| match codes {
        Some(list) if !list.is_empty() => format!(
            " AND {col} IN ({})",
            list.iter()
                .filter(|c| c
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'))
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(",")
        ),
        _ => String::new(),
    };
    let (only_r, only_a) = (only("indicator"), only("a.indicator"));
    for chunk in unit_ids.chunks(500) {
        let list = id_list(chunk);
        let rows: Vec<TotalRow> = rows::fetch_all(
            c,
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT unit_id, indicator, total, n FROM rollup WHERE round_id = $1 AND n <> 0 AND unit_id IN ({list}){only_r}
                 UNION ALL SELECT s.unit_id, a.indicator, a.value AS total, 1 AS n FROM accepted_values a JOIN submissions s ON s.id = a.submission_id WHERE s.round_id = $1 AND s.unit_id IN ({list}){only_a}"
            )))
            .bind(round_id),
            "rollup",
        )
        .await?;
        for r in rows {
            if let Some(t) = out.get_mut(&r.unit_id) {
                let e = t.sums.entry(r.indicator).or_insert((0, 0));
                e.0 += r.total;
                e.1 += u32::try_from(r.n).unwrap_or(0);
            }
        }
    }
    Ok(out)
}

#[derive(FromRow)]
struct CountRow {
    unit_id: i64,
    status: String,
    on_time: Option<i64>,
    n: i64,
}

/// Status counts of a round at each unit (recipients strictly below, plus itself
/// when it is a recipient). `past_deadline` turns "not in yet" into overdue.
pub async fn counts(
    c: &mut AnyConnection,
    round_id: i64,
    unit_ids: &[i64],
    past_deadline: bool,
) -> CoreResult<HashMap<i64, StatusCounts>> {
    let mut out: HashMap<i64, StatusCounts> = unit_ids
        .iter()
        .map(|&u| (u, StatusCounts::default()))
        .collect();
    for chunk in unit_ids.chunks(500) {
        let list = id_list(chunk);
        let rows: Vec<CountRow> = rows::fetch_all(
            c,
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT unit_id, status, CASE WHEN on_time < 0 THEN NULL ELSE on_time END AS on_time, n FROM status_rollup WHERE round_id = $1 AND n <> 0 AND unit_id IN ({list})
                 UNION ALL SELECT unit_id, status, on_time, 1 AS n FROM submissions WHERE round_id = $1 AND unit_id IN ({list})"
            )))
            .bind(round_id),
            "status_rollup",
        )
        .await?;
        for r in rows {
            let status = parse_col("status_rollup", "status", r.status, |s| {
                Status::parse(s).ok_or("trạng thái không biết")
            })?;
            if let Some(cnt) = out.get_mut(&r.unit_id) {
                cnt.add_n(status, r.on_time.map(|v| v == 1), r.n, past_deadline);
            }
        }
    }
    for cnt in out.values_mut() {
        cnt.finish();
    }
    Ok(out)
}

/// After `moved` changed parent: its subtree's contribution leaves the old strict
/// ancestors and joins the new ones, for each of `rounds` (open rounds only —
/// closed rounds keep the tree they were reported on).
pub async fn shift_subtree(
    c: &mut AnyConnection,
    rounds: &[i64],
    moved: i64,
    old_ancestors: &[i64],
    new_ancestors: &[i64],
) -> CoreResult<()> {
    for &round_id in rounds {
        let t = totals(c, round_id, &[moved])
            .await?
            .remove(&moved)
            .unwrap_or_default();
        let delta: Vec<(String, Milli, i64)> = t
            .sums
            .iter()
            .map(|(k, (v, n))| (k.clone(), *v, i64::from(*n)))
            .collect();
        if !delta.is_empty() {
            upsert_values(c, round_id, old_ancestors, &delta, -1).await?;
            upsert_values(c, round_id, new_ancestors, &delta, 1).await?;
        }
        let rows: Vec<CountRow> = rows::fetch_all(
            c,
            sqlx::query_as(
                "SELECT unit_id, status, CASE WHEN on_time < 0 THEN NULL ELSE on_time END AS on_time, n FROM status_rollup WHERE round_id = $1 AND n <> 0 AND unit_id = $2
                 UNION ALL SELECT unit_id, status, on_time, 1 AS n FROM submissions WHERE round_id = $1 AND unit_id = $2",
            )
            .bind(round_id)
            .bind(moved),
            "status_rollup",
        )
        .await?;
        let mut buckets: BTreeMap<(String, i64), i64> = BTreeMap::new();
        for r in rows {
            *buckets
                .entry((r.status, r.on_time.unwrap_or(-1)))
                .or_default() += r.n;
        }
        let mut delta_out = Vec::new();
        let mut delta_in = Vec::new();
        for ((s, t), n) in buckets {
            let status = parse_col("status_rollup", "status", s, |x| {
                Status::parse(x).ok_or("trạng thái không biết")
            })?;
            let on_time = (t >= 0).then_some(t == 1);
            delta_out.push(((status, on_time), -n));
            delta_in.push(((status, on_time), n));
        }
        upsert_status(c, round_id, old_ancestors, &delta_out).await?;
        upsert_status(c, round_id, new_ancestors, &delta_in).await?;
    }
    Ok(())
}

/// The baseline the running totals are tested and benchmarked against: a plain
/// recursive query over the raw accepted figures and statuses.
pub async fn recompute(
    c: &mut AnyConnection,
    round_id: i64,
    unit_ids: &[i64],
    past_deadline: bool,
) -> CoreResult<HashMap<i64, (Totals, StatusCounts)>> {
    let list = id_list(unit_ids);
    let cte = format!(
        "WITH RECURSIVE sub(root, id) AS (SELECT id, id FROM units WHERE id IN ({list}) UNION ALL SELECT sub.root, u.id FROM units u JOIN sub ON u.parent_id = sub.id)"
    );
    let rows: Vec<TotalRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{cte} SELECT sub.root AS unit_id, a.indicator, CAST(SUM(a.value) AS BIGINT) AS total, COUNT(*) AS n
             FROM sub JOIN submissions s ON s.unit_id = sub.id JOIN accepted_values a ON a.submission_id = s.id
             WHERE s.round_id = $1 GROUP BY sub.root, a.indicator"
        )))
        .bind(round_id),
        "accepted_values",
    )
    .await?;
    let counts_rows: Vec<CountRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{cte} SELECT sub.root AS unit_id, s.status, s.on_time, COUNT(*) AS n FROM sub JOIN submissions s ON s.unit_id = sub.id WHERE s.round_id = $1 GROUP BY sub.root, s.status, s.on_time"
        )))
        .bind(round_id),
        "submissions",
    )
    .await?;
    let mut out: HashMap<i64, (Totals, StatusCounts)> =
        unit_ids.iter().map(|u| (*u, Default::default())).collect();
    for r in rows {
        if let Some(e) = out.get_mut(&r.unit_id) {
            e.0.sums
                .insert(r.indicator, (r.total, u32::try_from(r.n).unwrap_or(0)));
        }
    }
    for r in counts_rows {
        let status = parse_col("submissions", "status", r.status, |s| {
            Status::parse(s).ok_or("trạng thái không biết")
        })?;
        if let Some(e) = out.get_mut(&r.unit_id) {
            e.1.add_n(status, r.on_time.map(|v| v == 1), r.n, past_deadline);
        }
    }
    for e in out.values_mut() {
        e.1.finish();
    }
    Ok(out)
}

/// For each of `unit_ids`: how many recipients in its subtree (itself included)
/// have not sent yet and hold a deadline of their own that is not past on
/// `today` — units the office gave more time, not overdue although the round's
/// deadline is past. Extensions are few: the query starts from them.
pub async fn not_due_yet(
    c: &mut AnyConnection,
    round_id: i64,
    unit_ids: &[i64],
    today: chrono::NaiveDate,
) -> CoreResult<HashMap<i64, i64>> {
    #[derive(FromRow)]
    struct N {
        unit_id: i64,
        n: i64,
    }
    let mut out = HashMap::new();
    for chunk in unit_ids.chunks(500) {
        let rows: Vec<N> = rows::fetch_all(
            c,
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT cl.ancestor_id AS unit_id, COUNT(*) AS n FROM submissions s \
                 JOIN unit_closure cl ON cl.descendant_id = s.unit_id \
                 WHERE s.round_id = $1 AND s.deadline IS NOT NULL AND s.deadline >= $2 \
                 AND s.on_time IS NULL AND cl.ancestor_id IN ({}) GROUP BY cl.ancestor_id",
                id_list(chunk)
            )))
            .bind(round_id)
            .bind(today.format("%Y-%m-%d").to_string()),
            "submissions",
        )
        .await?;
        for r in rows {
            out.insert(r.unit_id, r.n);
        }
    }
    Ok(out)
}

/// [`counts`] on `today` for a round due on `deadline`: a recipient not in yet is
/// overdue once the round's deadline has passed, unless its own deadline has not.
pub async fn counts_on(
    c: &mut AnyConnection,
    round_id: i64,
    unit_ids: &[i64],
    deadline: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> CoreResult<HashMap<i64, StatusCounts>> {
    let past = today > deadline;
    let mut out = counts(c, round_id, unit_ids, past).await?;
    if past {
        for (unit, n) in not_due_yet(c, round_id, unit_ids, today).await? {
            if let Some(x) = out.get_mut(&unit) {
                x.excuse(n);
            }
        }
    }
    Ok(out)
}
