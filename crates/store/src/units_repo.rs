//! Units (đơn vị): rows, lookups, lineage, lists in Vietnamese order with
//! pagination, succession links. The tree's closure table is `closure`.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use chrono::NaiveDate;
use qcdc_core::unit::{Succession, UnitKind, UnitRecord};
use qcdc_core::{CoreError, CoreResult, ErrorCode, text};
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::FromRow;

use crate::db::DbResult;
use crate::rows::{self, Val, bulk_insert, day_col, id_list, now, parse_col};

/// A stored unit.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub kind_label: &'static str,
    pub parent_id: Option<i64>,
    pub parent_code: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub predecessors: Vec<String>,
    pub succession: Option<Succession>,
}

impl Unit {
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|t| day <= t)
    }

    pub fn record(&self) -> UnitRecord {
        UnitRecord {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind,
            parent: self.parent_code.clone(),
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            predecessors: self.predecessors.clone(),
            succession: self.succession,
        }
    }
}

#[derive(FromRow)]
struct UnitRow {
    id: i64,
    code: String,
    name: String,
    kind: String,
    parent_id: Option<i64>,
    parent_code: Option<String>,
    valid_from: String,
    valid_to: Option<String>,
    succession: Option<String>,
}

impl UnitRow {
    fn into_unit(self, predecessors: Vec<String>) -> CoreResult<Unit> {
        let kind = parse_col("units", "kind", self.kind, |s| {
            UnitKind::parse(s).ok_or("loại đơn vị không biết")
        })?;
        Ok(Unit {
            id: self.id,
            code: self.code,
            name: self.name,
            kind,
            kind_label: kind.label_vi(),
            parent_id: self.parent_id,
            parent_code: self.parent_code,
            valid_from: day_col("units", "valid_from", &self.valid_from)?,
            valid_to: self
                .valid_to
                .map(|d| day_col("units", "valid_to", &d))
                .transpose()?,
            predecessors,
            succession: self
                .succession
                .map(|s| {
                    parse_col("units", "succession", s, |x| {
                        Succession::parse(x).ok_or("kiểu kế thừa không biết")
                    })
                })
                .transpose()?,
        })
    }
}

const SELECT: &str = "SELECT u.id, u.code, u.name, u.kind, u.parent_id, p.code AS parent_code, u.valid_from, u.valid_to, u.succession FROM units u LEFT JOIN units p ON p.id = u.parent_id";

#[derive(FromRow)]
struct PredRow {
    unit_id: i64,
    code: String,
}

async fn predecessors_of(
    c: &mut AnyConnection,
    ids: &[i64],
) -> CoreResult<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<PredRow> = rows::fetch_all(
            c,
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT x.unit_id, p.code FROM unit_predecessors x JOIN units p ON p.id = x.predecessor_id WHERE x.unit_id IN ({}) ORDER BY p.code",
                id_list(chunk)
            ))),
            "unit_predecessors",
        )
        .await?;
        for r in rows {
            out.entry(r.unit_id).or_default().push(r.code);
        }
    }
    Ok(out)
}

async fn finish(c: &mut AnyConnection, rows: Vec<UnitRow>) -> CoreResult<Vec<Unit>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut preds = predecessors_of(c, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let p = preds.remove(&r.id).unwrap_or_default();
            r.into_unit(p)
        })
        .collect()
}

fn unknown(code: &str) -> CoreError {
    CoreError::new(
        ErrorCode::UnknownUnit,
        format!("Không tìm thấy đơn vị có mã «{code}»"),
    )
}

/// The unit with this code, or an `unknown_unit` error.
pub async fn by_code(c: &mut AnyConnection, code: &str) -> CoreResult<Unit> {
    let row: Option<UnitRow> = rows::fetch_optional(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE u.code = $1")))
            .bind(code.to_string()),
        "units",
    )
    .await?;
    let row = row.ok_or_else(|| unknown(code))?;
    Ok(finish(c, vec![row]).await?.remove(0))
}

/// The unit with this id.
pub async fn by_id(c: &mut AnyConnection, id: i64) -> CoreResult<Unit> {
    let row: Option<UnitRow> = rows::fetch_optional(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE u.id = $1"))).bind(id),
        "units",
    )
    .await?;
    let row = row.ok_or_else(|| CoreError::not_found(format!("đơn vị #{id}")))?;
    Ok(finish(c, vec![row]).await?.remove(0))
}

/// Units by id (in Vietnamese order of name).
pub async fn by_ids(c: &mut AnyConnection, ids: &[i64]) -> CoreResult<Vec<Unit>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<UnitRow> = rows::fetch_all(
            c,
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE u.id IN ({}) ORDER BY u.sort_key, u.code",
                id_list(chunk)
            ))),
            "units",
        )
        .await?;
        out.extend(finish(c, rows).await?);
    }
    text::sort_vi(&mut out, |u| &u.name);
    Ok(out)
}

#[derive(FromRow)]
struct IdRow {
    id: i64,
}

/// The unit and its ancestors, nearest first.
pub async fn lineage(c: &mut AnyConnection, unit_id: i64) -> CoreResult<Vec<i64>> {
    let rows: Vec<IdRow> = rows::fetch_all(
        c,
        sqlx::query_as(
            "SELECT ancestor_id AS id FROM unit_closure WHERE descendant_id = $1 ORDER BY depth",
        )
        .bind(unit_id),
        "unit_closure",
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Direct children, in Vietnamese order.
pub async fn children(c: &mut AnyConnection, unit_id: i64) -> CoreResult<Vec<Unit>> {
    let rows: Vec<UnitRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE u.parent_id = $1 ORDER BY u.sort_key, u.code"
        )))
        .bind(unit_id),
        "units",
    )
    .await?;
    finish(c, rows).await
}

/// True when the unit has no parent.
pub async fn is_root(c: &mut AnyConnection, unit_id: i64) -> CoreResult<bool> {
    let row: Option<IdRow> = rows::fetch_optional(
        c,
        sqlx::query_as("SELECT id FROM units WHERE id = $1 AND parent_id IS NULL").bind(unit_id),
        "units",
    )
    .await?;
    Ok(row.is_some())
}

/// Filters for listing units.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Words matched in code or name, with or without diacritics.
    pub q: Option<String>,
    pub active_on: Option<NaiveDate>,
    pub kinds: Vec<UnitKind>,
    /// Only units the actor sees (None: every unit).
    pub scope: Option<UnitScope>,
    /// Only units strictly below this one.
    pub under: Option<i64>,
}

/// The units an actor sees: whole subtrees, and single units (a reporter's own).
#[derive(Debug, Clone, Default)]
pub struct UnitScope {
    pub subtrees: Vec<i64>,
    pub exact: Vec<i64>,
}

/// Builds the WHERE clause of a unit list; binds are pushed in order.
fn where_clause(f: &UnitFilter, binds: &mut Vec<Val>) -> String {
    let mut w = vec!["1 = 1".to_string()];
    if let Some(scope) = &f.scope {
        w.push(format!(
            "(u.id IN (SELECT c.descendant_id FROM unit_closure c WHERE c.ancestor_id IN ({})) OR u.id IN ({}))",
            id_list(&scope.subtrees),
            id_list(&scope.exact)
        ));
    }
    if let Some(under) = f.under {
        w.push(format!(
            "u.id IN (SELECT c.descendant_id FROM unit_closure c WHERE c.ancestor_id = {under} AND c.depth > 0)"
        ));
    }
    if let Some(d) = f.active_on {
        binds.push(Val::S(d.to_string()));
        let n = binds.len();
        w.push(format!(
            "u.valid_from <= ${n} AND (u.valid_to IS NULL OR u.valid_to >= ${n})"
        ));
    }
    if !f.kinds.is_empty() {
        let list: Vec<String> = f
            .kinds
            .iter()
            .map(|k| format!("'{}'", k.as_str()))
            .collect();
        w.push(format!("u.kind IN ({})", list.join(",")));
    }
    if let Some(q) = f.q.as_deref() {
        for word in text::fold(q).split_whitespace().take(8) {
            binds.push(Val::S(format!("%{}%", like_escape(word))));
            let n = binds.len();
            w.push(format!(
                "(u.name_folded LIKE ${n} ESCAPE '\\' OR LOWER(u.code) LIKE ${n} ESCAPE '\\')"
            ));
        }
    }
    w.join(" AND ")
}

/// Escapes `%`, `_` and `\` for a LIKE pattern.
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn bind_all<'q, O>(
    mut q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    binds: &[Val],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    for b in binds {
        q = match b {
            Val::I(i) => q.bind(*i),
            Val::S(s) => q.bind(s.clone()),
            Val::B(v) => q.bind(v.clone()),
            Val::Null => q.bind(Option::<String>::None),
            Val::NullI => q.bind(Option::<i64>::None),
        };
    }
    q
}

#[derive(FromRow)]
struct CountRow {
    n: i64,
}

/// One page of units matching a filter, in Vietnamese order, with the total.
pub async fn list(
    c: &mut AnyConnection,
    f: &UnitFilter,
    offset: i64,
    limit: i64,
) -> CoreResult<(Vec<Unit>, i64)> {
    let mut binds = Vec::new();
    let w = where_clause(f, &mut binds);
    let total: CountRow = rows::fetch_one(
        c,
        bind_all(
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) AS n FROM units u WHERE {w}"
            ))),
            &binds,
        ),
        "units",
    )
    .await?;
    let rows: Vec<UnitRow> = rows::fetch_all(
        c,
        bind_all(
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE {w} ORDER BY u.sort_key, u.code LIMIT {limit} OFFSET {offset}"
            ))),
            &binds,
        ),
        "units",
    )
    .await?;
    Ok((finish(c, rows).await?, total.n))
}

/// Every unit matching a filter (exports, the admin tree), in Vietnamese order.
pub async fn all(c: &mut AnyConnection, f: &UnitFilter) -> CoreResult<Vec<Unit>> {
    let mut binds = Vec::new();
    let w = where_clause(f, &mut binds);
    let rows: Vec<UnitRow> = rows::fetch_all(
        c,
        bind_all(
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE {w} ORDER BY u.sort_key, u.code"
            ))),
            &binds,
        ),
        "units",
    )
    .await?;
    finish(c, rows).await
}

/// Units as import records, parents before children (for export and import checks).
pub fn records_parents_first(units: &[Unit]) -> Vec<UnitRecord> {
    let by_id: HashMap<i64, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    let depth = |u: &Unit| {
        let mut d = 0;
        let mut cur = u.parent_id;
        while let Some(p) = cur {
            d += 1;
            cur = by_id.get(&p).and_then(|x| x.parent_id);
            if d > 64 {
                break;
            }
        }
        d
    };
    let mut v: Vec<(usize, &Unit)> = units.iter().map(|u| (depth(u), u)).collect();
    v.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.valid_from.cmp(&b.1.valid_from))
            .then(a.1.code.cmp(&b.1.code))
    });
    v.into_iter().map(|(_, u)| u.record()).collect()
}

/// The units that `unit_id` came from and that existed on `day`, following
/// succession links backwards. The flag is true when some link was a split, so
/// the comparison covers more than the unit's own territory.
pub async fn predecessors_on(
    c: &mut AnyConnection,
    unit_id: i64,
    day: NaiveDate,
) -> CoreResult<(Vec<i64>, bool)> {
    let mut out = BTreeSet::new();
    let mut approximate = false;
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from([unit_id]);
    while let Some(id) = queue.pop_front() {
        if !seen.insert(id) || seen.len() > 10_000 {
            continue;
        }
        let u = by_id(c, id).await?;
        if u.active_on(day) {
            out.insert(id);
            continue;
        }
        if u.succession == Some(Succession::Split) {
            approximate = true;
        }
        let preds: Vec<IdRow> = rows::fetch_all(
            c,
            sqlx::query_as("SELECT predecessor_id AS id FROM unit_predecessors WHERE unit_id = $1")
                .bind(id),
            "unit_predecessors",
        )
        .await?;
        queue.extend(preds.into_iter().map(|p| p.id));
    }
    Ok((out.into_iter().collect(), approximate))
}

/// Inserts new units with their parent's id (links: see [`set_predecessors`]).
pub async fn insert_many(
    c: &mut AnyConnection,
    recs: &[(&UnitRecord, Option<i64>)],
) -> CoreResult<()> {
    let at = now();
    let rows: Vec<Vec<Val>> = recs
        .iter()
        .map(|(r, parent)| {
            vec![
                parent.map_or(Val::NullI, Val::I),
                Val::S(r.code.clone()),
                Val::S(r.name.clone()),
                Val::S(text::fold(&r.name)),
                Val::B(text::sort_key(&r.name)),
                Val::S(r.kind.as_str().into()),
                Val::S(r.valid_from.to_string()),
                r.valid_to.map_or(Val::Null, |d| Val::S(d.to_string())),
                r.succession
                    .map_or(Val::Null, |s| Val::S(s.as_str().into())),
                Val::S(at.clone()),
            ]
        })
        .collect();
    bulk_insert(
        c,
        "units",
        &[
            "parent_id",
            "code",
            "name",
            "name_folded",
            "sort_key",
            "kind",
            "valid_from",
            "valid_to",
            "succession",
            "updated_at",
        ],
        &rows,
        "",
    )
    .await
}

/// Updates a unit's own fields (not its parent or links).
pub async fn update(c: &mut AnyConnection, r: &UnitRecord) -> CoreResult<()> {
    sqlx::query("UPDATE units SET name = $1, name_folded = $2, sort_key = $3, kind = $4, valid_from = $5, valid_to = $6, succession = $7, updated_at = $8 WHERE code = $9")
        .bind(r.name.clone())
        .bind(text::fold(&r.name))
        .bind(text::sort_key(&r.name))
        .bind(r.kind.as_str())
        .bind(r.valid_from.to_string())
        .bind(r.valid_to.map(|d| d.to_string()))
        .bind(r.succession.map(|s| s.as_str().to_string()))
        .bind(now())
        .bind(r.code.clone())
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// Ids by code for the given codes.
pub async fn ids_by_code(
    c: &mut AnyConnection,
    codes: &[String],
) -> CoreResult<HashMap<String, i64>> {
    #[derive(FromRow)]
    struct Rec {
        id: i64,
        code: String,
    }
    let mut out = HashMap::new();
    for chunk in codes.chunks(400) {
        let mut sql = String::from("SELECT id, code FROM units WHERE code IN (");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", i + 1));
        }
        sql.push(')');
        let mut q = sqlx::query_as::<_, Rec>(sqlx::AssertSqlSafe(sql));
        for code in chunk {
            q = q.bind(code.clone());
        }
        for r in rows::fetch_all(c, q, "units").await? {
            out.insert(r.code, r.id);
        }
    }
    Ok(out)
}

pub async fn set_parent(c: &mut AnyConnection, id: i64, parent: Option<i64>) -> CoreResult<()> {
    sqlx::query("UPDATE units SET parent_id = $1 WHERE id = $2")
        .bind(parent)
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// Adds succession links of new units: (unit, predecessor).
pub async fn add_predecessors(c: &mut AnyConnection, links: &[(i64, i64)]) -> CoreResult<()> {
    let rows: Vec<Vec<Val>> = links
        .iter()
        .map(|(u, p)| vec![Val::I(*u), Val::I(*p)])
        .collect();
    bulk_insert(
        c,
        "unit_predecessors",
        &["unit_id", "predecessor_id"],
        &rows,
        "",
    )
    .await
}

pub async fn set_predecessors(c: &mut AnyConnection, id: i64, preds: &[i64]) -> CoreResult<()> {
    sqlx::query("DELETE FROM unit_predecessors WHERE unit_id = $1")
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?;
    let rows: Vec<Vec<Val>> = preds.iter().map(|p| vec![Val::I(id), Val::I(*p)]).collect();
    bulk_insert(
        c,
        "unit_predecessors",
        &["unit_id", "predecessor_id"],
        &rows,
        "",
    )
    .await
}

/// Fills the Vietnamese sort keys that are missing (after migration 2).
pub async fn fill_sort_keys(c: &mut AnyConnection) -> CoreResult<usize> {
    #[derive(FromRow)]
    struct Rec {
        id: i64,
        name: String,
    }
    let rows: Vec<Rec> = rows::fetch_all(
        c,
        sqlx::query_as("SELECT id, name FROM units WHERE sort_key IS NULL"),
        "units",
    )
    .await?;
    for r in &rows {
        sqlx::query("UPDATE units SET sort_key = $1 WHERE id = $2")
            .bind(text::sort_key(&r.name))
            .bind(r.id)
            .execute(&mut *c)
            .await
            .db()?;
    }
    Ok(rows.len())
}

/// Every succession link as unit → its predecessors (a few thousand rows at
/// national scale; read once to follow links in memory).
pub async fn predecessor_links(c: &mut AnyConnection) -> CoreResult<HashMap<i64, Vec<i64>>> {
    #[derive(FromRow)]
    struct L {
        unit_id: i64,
        predecessor_id: i64,
    }
    let rows: Vec<L> = rows::fetch_all(
        c,
        sqlx::query_as("SELECT unit_id, predecessor_id FROM unit_predecessors"),
        "unit_predecessors",
    )
    .await?;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for l in rows {
        out.entry(l.unit_id).or_default().push(l.predecessor_id);
    }
    Ok(out)
}
