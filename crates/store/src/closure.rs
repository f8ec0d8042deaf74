//! The closure table of the units tree (`unit_closure`: every ancestor/descendant
//! pair with its depth, depth 0 included), kept incrementally: a new unit adds its
//! own rows, a move rewrites only the rows between the moved subtree and its old
//! and new ancestors. A leaf module: it takes the caller's connection.

use qcdc_core::CoreResult;
use sqlx::{AnyConnection, FromRow};

use crate::db::DbResult;
use crate::rows::{self, Val, bulk_insert, id_list};

#[derive(FromRow)]
struct Pair {
    id: i64,
    depth: i64,
}

/// Ancestors of `unit_id` (itself at depth 0), nearest first.
async fn ancestors(c: &mut AnyConnection, unit_id: i64) -> CoreResult<Vec<Pair>> {
    rows::fetch_all(
        c,
        sqlx::query_as("SELECT ancestor_id AS id, depth FROM unit_closure WHERE descendant_id = $1 ORDER BY depth")
            .bind(unit_id),
        "unit_closure",
    )
    .await
}

/// Descendants of `unit_id` (itself at depth 0).
pub async fn subtree(c: &mut AnyConnection, unit_id: i64) -> CoreResult<Vec<(i64, i64)>> {
    let rows: Vec<Pair> = rows::fetch_all(
        c,
        sqlx::query_as(
            "SELECT descendant_id AS id, depth FROM unit_closure WHERE ancestor_id = $1",
        )
        .bind(unit_id),
        "unit_closure",
    )
    .await?;
    Ok(rows.into_iter().map(|p| (p.id, p.depth)).collect())
}

/// The ancestors (with depth, itself at 0) of many units at once.
pub async fn ancestors_of(
    c: &mut AnyConnection,
    unit_ids: &[i64],
) -> CoreResult<std::collections::HashMap<i64, Vec<(i64, i64)>>> {
    #[derive(FromRow)]
    struct Row {
        ancestor_id: i64,
        descendant_id: i64,
        depth: i64,
    }
    let mut out: std::collections::HashMap<i64, Vec<(i64, i64)>> = std::collections::HashMap::new();
    for chunk in unit_ids.chunks(500) {
        let rows: Vec<Row> = rows::fetch_all(
            c,
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT ancestor_id, descendant_id, depth FROM unit_closure WHERE descendant_id IN ({})",
                id_list(chunk)
            ))),
            "unit_closure",
        )
        .await?;
        for r in rows {
            out.entry(r.descendant_id)
                .or_default()
                .push((r.ancestor_id, r.depth));
        }
    }
    Ok(out)
}

/// Writes closure rows (ancestor, descendant, depth) for new units.
pub async fn insert(c: &mut AnyConnection, rows: &[(i64, i64, i64)]) -> CoreResult<()> {
    let rows: Vec<Vec<Val>> = rows
        .iter()
        .map(|(a, d, n)| vec![Val::I(*a), Val::I(*d), Val::I(*n)])
        .collect();
    bulk_insert(
        c,
        "unit_closure",
        &["ancestor_id", "descendant_id", "depth"],
        &rows,
        "",
    )
    .await
}

/// Adds a new unit (no descendants yet) under `parent`.
pub async fn add(c: &mut AnyConnection, unit_id: i64, parent: Option<i64>) -> CoreResult<()> {
    let mut rows = vec![vec![Val::I(unit_id), Val::I(unit_id), Val::I(0)]];
    if let Some(p) = parent {
        for a in ancestors(c, p).await? {
            rows.push(vec![Val::I(a.id), Val::I(unit_id), Val::I(a.depth + 1)]);
        }
    }
    bulk_insert(
        c,
        "unit_closure",
        &["ancestor_id", "descendant_id", "depth"],
        &rows,
        "",
    )
    .await
}

/// Moves `unit_id` and its subtree from its current parent to `new_parent`:
/// rows linking the subtree to its old strict ancestors go, rows linking it to
/// the new ones come. Returns (old strict ancestors, new strict ancestors).
pub async fn move_subtree(
    c: &mut AnyConnection,
    unit_id: i64,
    new_parent: Option<i64>,
) -> CoreResult<(Vec<i64>, Vec<i64>)> {
    let old: Vec<i64> = ancestors(c, unit_id)
        .await?
        .into_iter()
        .filter(|a| a.depth > 0)
        .map(|a| a.id)
        .collect();
    let sub = subtree(c, unit_id).await?;
    let sub_ids: Vec<i64> = sub.iter().map(|s| s.0).collect();
    if !old.is_empty() {
        for chunk in sub_ids.chunks(500) {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM unit_closure WHERE ancestor_id IN ({}) AND descendant_id IN ({})",
                id_list(&old),
                id_list(chunk)
            )))
            .execute(&mut *c)
            .await
            .db()?;
        }
    }
    let new_anc = match new_parent {
        Some(p) => ancestors(c, p).await?,
        None => Vec::new(),
    };
    let mut rows = Vec::with_capacity(new_anc.len() * sub.len());
    for a in &new_anc {
        for (s, d) in &sub {
            rows.push(vec![Val::I(a.id), Val::I(*s), Val::I(a.depth + 1 + d)]);
        }
    }
    bulk_insert(
        c,
        "unit_closure",
        &["ancestor_id", "descendant_id", "depth"],
        &rows,
        "",
    )
    .await?;
    Ok((old, new_anc.into_iter().map(|a| a.id).collect()))
}

#[derive(FromRow)]
struct Edge {
    id: i64,
    parent_id: Option<i64>,
}

/// Recomputes the whole table from `units.parent_id` (a fresh database, a repair).
pub async fn rebuild_all(c: &mut AnyConnection) -> CoreResult<()> {
    let edges: Vec<Edge> = rows::fetch_all(
        c,
        sqlx::query_as("SELECT id, parent_id FROM units"),
        "units",
    )
    .await?;
    let parent: std::collections::HashMap<i64, Option<i64>> =
        edges.iter().map(|e| (e.id, e.parent_id)).collect();
    let mut out = Vec::with_capacity(parent.len() * 4);
    for &id in parent.keys() {
        let mut depth = 0;
        let mut cur = Some(id);
        while let Some(x) = cur {
            out.push(vec![Val::I(x), Val::I(id), Val::I(depth)]);
            depth += 1;
            cur = parent.get(&x).copied().flatten();
            if depth > 64 {
                break;
            }
        }
    }
    sqlx::query("DELETE FROM unit_closure")
        .execute(&mut *c)
        .await
        .db()?;
    bulk_insert(
        c,
        "unit_closure",
        &["ancestor_id", "descendant_id", "depth"],
        &out,
        "",
    )
    .await
}
