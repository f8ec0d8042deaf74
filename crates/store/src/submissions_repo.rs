//! Units' reports in a round (`submissions`), their working copy
//! (`draft_values`, `draft_sections`), the figures that count
//! (`accepted_values`) and the immutable accepted versions
//! (`submission_versions`).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use qcdc_core::number::Milli;
use qcdc_core::validate::{Narrative, Values};
use qcdc_core::workflow::Status;
use qcdc_core::{CoreError, CoreResult};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::db::DbResult;
use crate::rows::{self, Val, bulk_insert, id_list, json_col, now, parse_col};

/// A report's row with its unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submission {
    pub id: i64,
    pub round_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub status: Status,
    pub version: i64,
    pub first_submitted_at: Option<String>,
    pub submitted_at: Option<String>,
    pub on_time: Option<bool>,
    pub accepted_at: Option<String>,
    pub return_reason: Option<String>,
    pub correction_reason: Option<String>,
    pub adopted_from_round: Option<i64>,
    pub updated_at: String,
    pub updated_by: String,
    /// This unit's own deadline, when the office extended it for the unit alone.
    pub deadline: Option<NaiveDate>,
}

#[derive(FromRow)]
struct SubmissionRow {
    id: i64,
    round_id: i64,
    unit_id: i64,
    code: String,
    name: String,
    status: String,
    version: i64,
    first_submitted_at: Option<String>,
    submitted_at: Option<String>,
    on_time: Option<i64>,
    accepted_at: Option<String>,
    return_reason: Option<String>,
    correction_reason: Option<String>,
    adopted_from_round: Option<i64>,
    updated_at: String,
    updated_by: String,
    deadline: Option<String>,
}

impl TryFrom<SubmissionRow> for Submission {
    type Error = CoreError;
    fn try_from(r: SubmissionRow) -> CoreResult<Submission> {
        Ok(Submission {
            id: r.id,
            round_id: r.round_id,
            unit_id: r.unit_id,
            unit_code: r.code,
            unit_name: r.name,
            status: parse_col("submissions", "status", r.status, |s| {
                Status::parse(s).ok_or("trạng thái không biết")
            })?,
            version: r.version,
            first_submitted_at: r.first_submitted_at,
            submitted_at: r.submitted_at,
            on_time: r.on_time.map(|v| v == 1),
            accepted_at: r.accepted_at,
            return_reason: r.return_reason,
            correction_reason: r.correction_reason,
            adopted_from_round: r.adopted_from_round,
            updated_at: r.updated_at,
            updated_by: r.updated_by,
            deadline: r
                .deadline
                .map(|d| crate::rows::day_col("submissions", "deadline", &d))
                .transpose()?,
        })
    }
}

/// The report of `unit_id` in a round, if the unit is a recipient.
pub async fn get(
    c: &mut AnyConnection,
    round_id: i64,
    unit_id: i64,
) -> CoreResult<Option<Submission>> {
    let r: Option<SubmissionRow> = rows::fetch_optional(
        c,
        sqlx::query_as(
            "SELECT s.id, s.round_id, s.unit_id, u.code, u.name, s.status, s.version, s.first_submitted_at, s.submitted_at, s.on_time, s.accepted_at, s.return_reason, s.correction_reason, s.adopted_from_round, s.updated_at, s.updated_by, s.deadline
             FROM submissions s JOIN units u ON u.id = s.unit_id WHERE s.round_id = $1 AND s.unit_id = $2",
        )
        .bind(round_id)
        .bind(unit_id),
        "submissions",
    )
    .await?;
    r.map(Submission::try_from).transpose()
}

/// Sets (or clears, with None) the deadline of one recipient.
pub async fn set_deadline(
    c: &mut AnyConnection,
    sub_id: i64,
    deadline: Option<NaiveDate>,
) -> CoreResult<()> {
    sqlx::query("UPDATE submissions SET deadline = $1 WHERE id = $2")
        .bind(deadline.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(sub_id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// The recipients of a round with a deadline of their own, as (unit id, deadline).
pub async fn own_deadlines(
    c: &mut AnyConnection,
    round_id: i64,
) -> CoreResult<Vec<(i64, NaiveDate)>> {
    #[derive(FromRow)]
    struct D {
        unit_id: i64,
        deadline: String,
    }
    let rows: Vec<D> = rows::fetch_all(
        c,
        sqlx::query_as(
            "SELECT unit_id, deadline FROM submissions WHERE round_id = $1 AND deadline IS NOT NULL ORDER BY unit_id",
        )
        .bind(round_id),
        "submissions",
    )
    .await?;
    rows.into_iter()
        .map(|d| {
            Ok((
                d.unit_id,
                crate::rows::day_col("submissions", "deadline", &d.deadline)?,
            ))
        })
        .collect()
}

#[derive(FromRow)]
struct ValueRow {
    indicator: String,
    value: i64,
}

/// Which set of figures to read or write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figures {
    /// The working copy (draft, submitted, returned).
    Draft,
    /// The figures of the last accepted version: those that count.
    Accepted,
}

impl Figures {
    fn table(self) -> &'static str {
        match self {
            Figures::Draft => "draft_values",
            Figures::Accepted => "accepted_values",
        }
    }
}

pub async fn values(c: &mut AnyConnection, which: Figures, sub_id: i64) -> CoreResult<Values> {
    let table = which.table();
    let rows: Vec<ValueRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT indicator, value FROM {table} WHERE submission_id = $1"
        )))
        .bind(sub_id),
        table,
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.indicator, r.value)).collect())
}

#[derive(FromRow)]
struct SectionRow {
    section: String,
    body: String,
}

/// The working copy's narrative.
pub async fn draft_sections(c: &mut AnyConnection, sub_id: i64) -> CoreResult<Narrative> {
    let rows: Vec<SectionRow> = rows::fetch_all(
        c,
        sqlx::query_as("SELECT section, body FROM draft_sections WHERE submission_id = $1")
            .bind(sub_id),
        "draft_sections",
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.section, r.body)).collect())
}

/// One accepted version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    pub version: i64,
    pub accepted_at: String,
    pub accepted_by: String,
    pub reason: Option<String>,
    pub values: Values,
    pub sections: Narrative,
}

#[derive(FromRow)]
struct VersionRow {
    version: i64,
    values_json: String,
    sections_json: String,
    accepted_at: String,
    accepted_by: String,
    reason: Option<String>,
}

impl TryFrom<VersionRow> for Version {
    type Error = CoreError;
    fn try_from(r: VersionRow) -> CoreResult<Version> {
        Ok(Version {
            version: r.version,
            values: json_col("submission_versions", "values_json", &r.values_json)?,
            sections: json_col("submission_versions", "sections_json", &r.sections_json)?,
            accepted_at: r.accepted_at,
            accepted_by: r.accepted_by,
            reason: r.reason,
        })
    }
}

const VERSION_COLS: &str = "version, values_json, sections_json, accepted_at, accepted_by, reason";

/// Every accepted version of a report, oldest first.
pub async fn versions(c: &mut AnyConnection, sub_id: i64) -> CoreResult<Vec<Version>> {
    let rows: Vec<VersionRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLS} FROM submission_versions WHERE submission_id = $1 ORDER BY version"
        )))
        .bind(sub_id),
        "submission_versions",
    )
    .await?;
    rows.into_iter().map(Version::try_from).collect()
}

/// One accepted version.
pub async fn version(
    c: &mut AnyConnection,
    sub_id: i64,
    version: i64,
) -> CoreResult<Option<Version>> {
    let r: Option<VersionRow> = rows::fetch_optional(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLS} FROM submission_versions WHERE submission_id = $1 AND version = $2"
        )))
        .bind(sub_id)
        .bind(version),
        "submission_versions",
    )
    .await?;
    r.map(Version::try_from).transpose()
}

/// Writes one figure of the working copy (`None` clears it).
pub async fn set_value(
    c: &mut AnyConnection,
    sub_id: i64,
    code: &str,
    v: Option<Milli>,
) -> CoreResult<()> {
    match v {
        Some(v) => sqlx::query("INSERT INTO draft_values (submission_id, indicator, value) VALUES ($1, $2, $3) ON CONFLICT (submission_id, indicator) DO UPDATE SET value = excluded.value")
            .bind(sub_id)
            .bind(code.to_string())
            .bind(v)
            .execute(&mut *c)
            .await
            .db()?,
        None => sqlx::query("DELETE FROM draft_values WHERE submission_id = $1 AND indicator = $2")
            .bind(sub_id)
            .bind(code.to_string())
            .execute(&mut *c)
            .await
            .db()?,
    };
    Ok(())
}

/// Writes one section of the working copy (`None` clears it).
pub async fn set_section(
    c: &mut AnyConnection,
    sub_id: i64,
    section: &str,
    body: Option<&str>,
) -> CoreResult<()> {
    match body {
        Some(b) => sqlx::query("INSERT INTO draft_sections (submission_id, section, body) VALUES ($1, $2, $3) ON CONFLICT (submission_id, section) DO UPDATE SET body = excluded.body")
            .bind(sub_id)
            .bind(section.to_string())
            .bind(b.to_string())
            .execute(&mut *c)
            .await
            .db()?,
        None => sqlx::query("DELETE FROM draft_sections WHERE submission_id = $1 AND section = $2")
            .bind(sub_id)
            .bind(section.to_string())
            .execute(&mut *c)
            .await
            .db()?,
    };
    Ok(())
}

/// Replaces the whole working copy (a correction starts from the accepted version).
pub async fn replace_draft(
    c: &mut AnyConnection,
    sub_id: i64,
    values: &Values,
    sections: &Narrative,
) -> CoreResult<()> {
    clear_draft(c, sub_id).await?;
    let v: Vec<Vec<Val>> = values
        .iter()
        .map(|(k, x)| vec![Val::I(sub_id), Val::S(k.clone()), Val::I(*x)])
        .collect();
    bulk_insert(
        c,
        "draft_values",
        &["submission_id", "indicator", "value"],
        &v,
        "",
    )
    .await?;
    let s: Vec<Vec<Val>> = sections
        .iter()
        .map(|(k, x)| vec![Val::I(sub_id), Val::S(k.clone()), Val::S(x.clone())])
        .collect();
    bulk_insert(
        c,
        "draft_sections",
        &["submission_id", "section", "body"],
        &s,
        "",
    )
    .await
}

pub async fn clear_draft(c: &mut AnyConnection, sub_id: i64) -> CoreResult<()> {
    for t in ["draft_values", "draft_sections"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {t} WHERE submission_id = $1"
        )))
        .bind(sub_id)
        .execute(&mut *c)
        .await
        .db()?;
    }
    Ok(())
}

/// The new accepted figures replace the old ones.
pub async fn replace_accepted(
    c: &mut AnyConnection,
    sub_id: i64,
    values: &Values,
) -> CoreResult<()> {
    sqlx::query("DELETE FROM accepted_values WHERE submission_id = $1")
        .bind(sub_id)
        .execute(&mut *c)
        .await
        .db()?;
    let v: Vec<Vec<Val>> = values
        .iter()
        .map(|(k, x)| vec![Val::I(sub_id), Val::S(k.clone()), Val::I(*x)])
        .collect();
    bulk_insert(
        c,
        "accepted_values",
        &["submission_id", "indicator", "value"],
        &v,
        "",
    )
    .await
}

/// Records an accepted version.
pub async fn insert_version(c: &mut AnyConnection, sub_id: i64, v: &Version) -> CoreResult<()> {
    sqlx::query("INSERT INTO submission_versions (submission_id, version, values_json, sections_json, accepted_at, accepted_by, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(sub_id)
        .bind(v.version)
        .bind(serde_json::to_string(&v.values).map_err(|e| CoreError::new(qcdc_core::ErrorCode::Internal, e.to_string()))?)
        .bind(serde_json::to_string(&v.sections).map_err(|e| CoreError::new(qcdc_core::ErrorCode::Internal, e.to_string()))?)
        .bind(v.accepted_at.clone())
        .bind(v.accepted_by.clone())
        .bind(v.reason.clone())
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// What a status change writes on the report's row (only the fields given change).
#[derive(Debug, Clone, Default)]
pub struct RowChange {
    pub status: Option<Status>,
    pub version: Option<i64>,
    pub first_submitted_at: Option<String>,
    pub submitted_at: Option<String>,
    pub on_time: Option<bool>,
    pub accepted_at: Option<String>,
    /// `Some(None)` clears the reason.
    pub return_reason: Option<Option<String>>,
    pub correction_reason: Option<String>,
    pub adopted_from_round: Option<i64>,
}

/// Updates the report's row and stamps who changed it and when.
pub async fn update(
    c: &mut AnyConnection,
    sub_id: i64,
    ch: &RowChange,
    actor: &str,
) -> CoreResult<()> {
    let mut sets = vec!["updated_at = $1".to_string(), "updated_by = $2".to_string()];
    let mut binds: Vec<Val> = vec![Val::S(now()), Val::S(actor.to_string())];
    let mut push = |col: &str, v: Val, binds: &mut Vec<Val>| {
        binds.push(v);
        sets.push(format!("{col} = ${}", binds.len()));
    };
    if let Some(s) = ch.status {
        push("status", Val::S(s.as_str().into()), &mut binds);
    }
    if let Some(v) = ch.version {
        push("version", Val::I(v), &mut binds);
    }
    if let Some(v) = &ch.first_submitted_at {
        push("first_submitted_at", Val::S(v.clone()), &mut binds);
    }
    if let Some(v) = &ch.submitted_at {
        push("submitted_at", Val::S(v.clone()), &mut binds);
    }
    if let Some(v) = ch.on_time {
        push("on_time", Val::I(i64::from(v)), &mut binds);
    }
    if let Some(v) = &ch.accepted_at {
        push("accepted_at", Val::S(v.clone()), &mut binds);
    }
    if let Some(v) = &ch.return_reason {
        push(
            "return_reason",
            v.clone().map_or(Val::Null, Val::S),
            &mut binds,
        );
    }
    if let Some(v) = &ch.correction_reason {
        push("correction_reason", Val::S(v.clone()), &mut binds);
    }
    if let Some(v) = ch.adopted_from_round {
        push("adopted_from_round", Val::I(v), &mut binds);
    }
    binds.push(Val::I(sub_id));
    let sql = format!(
        "UPDATE submissions SET {} WHERE id = ${}",
        sets.join(", "),
        binds.len()
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = match b {
            Val::I(i) => q.bind(i),
            Val::S(s) => q.bind(s),
            Val::B(v) => q.bind(v),
            Val::Null => q.bind(Option::<String>::None),
            Val::NullI => q.bind(Option::<i64>::None),
        };
    }
    q.execute(&mut *c).await.db()?;
    Ok(())
}

/// An accepted report below a unit, for the per-unit tables and the narrative.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct AcceptedRef {
    pub submission_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub version: i64,
}

/// The reports of round `$1` below unit `$2` as (FROM, WHERE): driven from the
/// closure table when a unit is given (a province's thousand rows, not the
/// country's thirty thousand), from the round's reports otherwise.
fn under_sql(under: Option<i64>) -> (&'static str, &'static str, i64) {
    match under {
        Some(u) => (
            "unit_closure c JOIN submissions s ON s.round_id = $1 AND s.unit_id = c.descendant_id",
            "c.ancestor_id = $2",
            u,
        ),
        None => ("submissions s", "s.round_id = $1 AND $2 IS NOT NULL", 0),
    }
}

/// Accepted reports of a round below (and including) `under` (all when None), in
/// Vietnamese order, one page, with the total.
pub async fn accepted_below(
    c: &mut AnyConnection,
    round_id: i64,
    under: Option<i64>,
    offset: i64,
    limit: i64,
) -> CoreResult<(Vec<AcceptedRef>, i64)> {
    let (from, scope, under) = under_sql(under);
    #[derive(FromRow)]
    struct N {
        n: i64,
    }
    let w = format!("{scope} AND s.accepted_at IS NOT NULL");
    let total: N = rows::fetch_one(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {from} WHERE {w}"
        )))
        .bind(round_id)
        .bind(under),
        "submissions",
    )
    .await?;
    let items = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT s.id AS submission_id, s.unit_id, u.code AS unit_code, u.name AS unit_name, (SELECT MAX(v.version) FROM submission_versions v WHERE v.submission_id = s.id) AS version
             FROM {from} JOIN units u ON u.id = s.unit_id WHERE {w} ORDER BY u.sort_key, u.code LIMIT {limit} OFFSET {offset}"
        )))
        .bind(round_id)
        .bind(under),
        "submissions",
    )
    .await?;
    Ok((items, total.n))
}

/// One unit's accepted value of an indicator.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct UnitValue {
    pub unit_code: String,
    pub unit_name: String,
    pub value: i64,
}

/// The accepted values of one indicator in the reports below (and including)
/// `under` (all when None) that state it, in Vietnamese order, one page, with the total.
pub async fn accepted_values_page(
    c: &mut AnyConnection,
    round_id: i64,
    under: Option<i64>,
    indicator: &str,
    offset: i64,
    limit: i64,
) -> CoreResult<(Vec<UnitValue>, i64)> {
    let (from, scope, under) = under_sql(under);
    #[derive(FromRow)]
    struct N {
        n: i64,
    }
    let from = format!("FROM {from} JOIN units u ON u.id = s.unit_id JOIN accepted_values a ON a.submission_id = s.id AND a.indicator = $3
                WHERE {scope}");
    let total: N = rows::fetch_one(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n {from}")))
            .bind(round_id)
            .bind(under)
            .bind(indicator.to_string()),
        "accepted_values",
    )
    .await?;
    let items = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT u.code AS unit_code, u.name AS unit_name, a.value {from} ORDER BY u.sort_key, u.code LIMIT {limit} OFFSET {offset}"
        )))
        .bind(round_id)
        .bind(under)
        .bind(indicator.to_string()),
        "accepted_values",
    )
    .await?;
    Ok((items, total.n))
}

/// Accepted values of some indicators for some reports: submission → code → value.
pub async fn accepted_values_of(
    c: &mut AnyConnection,
    sub_ids: &[i64],
    codes: &[String],
) -> CoreResult<HashMap<i64, BTreeMap<String, Milli>>> {
    #[derive(FromRow)]
    struct Rec {
        submission_id: i64,
        indicator: String,
        value: i64,
    }
    let mut out: HashMap<i64, BTreeMap<String, Milli>> = HashMap::new();
    if sub_ids.is_empty() || codes.is_empty() {
        return Ok(out);
    }
    for chunk in sub_ids.chunks(500) {
        let mut sql = format!(
            "SELECT submission_id, indicator, value FROM accepted_values WHERE submission_id IN ({}) AND indicator IN (",
            id_list(chunk)
        );
        for i in 0..codes.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", i + 1));
        }
        sql.push(')');
        let mut q = sqlx::query_as::<_, Rec>(sqlx::AssertSqlSafe(sql));
        for code in codes {
            q = q.bind(code.clone());
        }
        for r in rows::fetch_all(c, q, "accepted_values").await? {
            out.entry(r.submission_id)
                .or_default()
                .insert(r.indicator, r.value);
        }
    }
    Ok(out)
}

/// The narrative of given accepted versions: (submission, version) → sections.
pub async fn accepted_narratives(
    c: &mut AnyConnection,
    refs: &[(i64, i64)],
) -> CoreResult<HashMap<i64, Narrative>> {
    let mut out = HashMap::new();
    for (sub, ver) in refs {
        if let Some(v) = version(c, *sub, *ver).await? {
            out.insert(*sub, v.sections);
        }
    }
    Ok(out)
}

/// Marks many reports of a round accepted at once (the generator of large test
/// data only): their figures, narrative and version 1, timeliness as given.
pub async fn bulk_accept(
    c: &mut AnyConnection,
    round_id: i64,
    reports: &[(i64, Values, Narrative, bool)],
    actor: &str,
) -> CoreResult<()> {
    #[derive(FromRow)]
    struct Rec {
        id: i64,
        unit_id: i64,
    }
    let ids: HashMap<i64, i64> = rows::fetch_all::<Rec>(
        c,
        sqlx::query_as("SELECT id, unit_id FROM submissions WHERE round_id = $1").bind(round_id),
        "submissions",
    )
    .await?
    .into_iter()
    .map(|r| (r.unit_id, r.id))
    .collect();
    let at = now();
    let mut values = Vec::new();
    let mut versions = Vec::new();
    let mut on_time_ids = Vec::new();
    let mut late_ids = Vec::new();
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
        if *on_time {
            on_time_ids.push(sid)
        } else {
            late_ids.push(sid)
        }
    }
    bulk_insert(
        c,
        "accepted_values",
        &["submission_id", "indicator", "value"],
        &values,
        "",
    )
    .await?;
    bulk_insert(
        c,
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
    for (list, flag) in [(on_time_ids, 1), (late_ids, 0)] {
        for chunk in list.chunks(500) {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE submissions SET status = 'accepted', first_submitted_at = $1, submitted_at = $1, accepted_at = $1, on_time = {flag}, updated_at = $1, updated_by = $2 WHERE id IN ({})",
                id_list(chunk)
            )))
            .bind(at.clone())
            .bind(actor.to_string())
            .execute(&mut *c)
            .await
            .db()?;
        }
    }
    Ok(())
}

/// The accepted figures of some reports added up: indicator → (sum, number of
/// reports stating it).
pub async fn sum_accepted(
    c: &mut AnyConnection,
    sub_ids: &[i64],
) -> CoreResult<BTreeMap<String, (Milli, u32)>> {
    #[derive(FromRow)]
    struct S {
        indicator: String,
        total: i64,
        n: i64,
    }
    let mut out: BTreeMap<String, (Milli, u32)> = BTreeMap::new();
    for chunk in sub_ids.chunks(500) {
        let rows: Vec<S> = rows::fetch_all(
            c,
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT indicator, CAST(SUM(value) AS BIGINT) AS total, COUNT(*) AS n FROM accepted_values WHERE submission_id IN ({}) GROUP BY indicator",
                id_list(chunk)
            ))),
            "accepted_values",
        )
        .await?;
        for r in rows {
            let e = out.entry(r.indicator).or_insert((0, 0));
            e.0 += r.total;
            e.1 += u32::try_from(r.n).unwrap_or(u32::MAX);
        }
    }
    Ok(out)
}

/// A figure of a report that differs from the value counted from the unit's
/// registers, with the reporter's reason (values in thousandths; `typed` None:
/// left empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ValueOverride {
    pub indicator: String,
    pub counted: i64,
    pub typed: Option<i64>,
    pub reason: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// The overridden figures of a report, by indicator.
pub async fn overrides(c: &mut AnyConnection, sub_id: i64) -> CoreResult<Vec<ValueOverride>> {
    rows::fetch_all(
        c,
        sqlx::query_as(
            "SELECT indicator, counted, typed, reason, updated_at, updated_by FROM value_overrides WHERE submission_id = $1 ORDER BY indicator",
        )
        .bind(sub_id),
        "value_overrides",
    )
    .await
}

/// Records (or replaces) the override of one figure.
pub async fn set_override(
    c: &mut AnyConnection,
    sub_id: i64,
    indicator: &str,
    counted: Milli,
    typed: Option<Milli>,
    reason: &str,
    who: &str,
) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO value_overrides (submission_id, indicator, counted, typed, reason, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (submission_id, indicator) DO UPDATE SET counted = excluded.counted, typed = excluded.typed, reason = excluded.reason, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(sub_id)
    .bind(indicator.to_string())
    .bind(counted)
    .bind(typed)
    .bind(reason.to_string())
    .bind(now())
    .bind(who.to_string())
    .execute(&mut *c)
    .await
    .db()?;
    Ok(())
}

/// Removes the override of one figure (the typed value is the counted one again).
pub async fn clear_override(c: &mut AnyConnection, sub_id: i64, indicator: &str) -> CoreResult<()> {
    sqlx::query("DELETE FROM value_overrides WHERE submission_id = $1 AND indicator = $2")
        .bind(sub_id)
        .bind(indicator.to_string())
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}
