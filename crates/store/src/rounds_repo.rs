//! Rounds (đợt báo cáo) and their recipients as stored: one `submissions` row per
//! recipient, made when the round is created.

use chrono::NaiveDate;
use qcdc_core::period::Period;
use qcdc_core::round::RoundState;
use qcdc_core::unit::UnitKind;
use qcdc_core::workflow::Status;
use qcdc_core::{CoreResult, text};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::db::DbResult;
use crate::rows::{self, Val, bulk_insert, day_col, id_list, now, parse_col};
use crate::units_repo::like_escape;

/// A round as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub id: i64,
    pub title: String,
    pub template_id: i64,
    pub template_code: String,
    pub template_version: i64,
    pub period: Period,
    pub issuer_id: i64,
    pub issuer_code: String,
    pub issuer_name: String,
    pub deadline: NaiveDate,
    pub letter: String,
    pub state: RoundState,
    pub created_at: String,
    pub created_by: String,
    pub recipients: i64,
}

#[derive(FromRow)]
struct RoundRow {
    id: i64,
    title: String,
    template_id: i64,
    template_code: String,
    template_version: i64,
    period: String,
    issuer_id: i64,
    issuer_code: String,
    issuer_name: String,
    deadline: String,
    letter: String,
    status: String,
    created_at: String,
    created_by: String,
    recipients: i64,
}

impl TryFrom<RoundRow> for Round {
    type Error = qcdc_core::CoreError;
    fn try_from(r: RoundRow) -> CoreResult<Round> {
        Ok(Round {
            id: r.id,
            title: r.title,
            template_id: r.template_id,
            template_code: r.template_code,
            template_version: r.template_version,
            period: parse_col("rounds", "period", r.period, |s| s.parse::<Period>())?,
            issuer_id: r.issuer_id,
            issuer_code: r.issuer_code,
            issuer_name: r.issuer_name,
            deadline: day_col("rounds", "deadline", &r.deadline)?,
            letter: r.letter,
            state: parse_col("rounds", "status", r.status, |s| {
                RoundState::parse(s).ok_or("trạng thái đợt không biết")
            })?,
            created_at: r.created_at,
            created_by: r.created_by,
            recipients: r.recipients,
        })
    }
}

const SELECT: &str = "SELECT r.id, r.title, r.template_id, t.code AS template_code, t.version AS template_version, r.period, r.issuer_id, u.code AS issuer_code, u.name AS issuer_name, r.deadline, r.letter, r.status, r.created_at, r.created_by, (SELECT COUNT(*) FROM submissions s WHERE s.round_id = r.id) AS recipients FROM rounds r JOIN templates t ON t.id = r.template_id JOIN units u ON u.id = r.issuer_id";

fn convert(rows: Vec<RoundRow>) -> CoreResult<Vec<Round>> {
    rows.into_iter().map(Round::try_from).collect()
}

pub async fn get(c: &mut AnyConnection, id: i64) -> CoreResult<Option<Round>> {
    let r: Option<RoundRow> = rows::fetch_optional(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.id = $1"))).bind(id),
        "rounds",
    )
    .await?;
    r.map(Round::try_from).transpose()
}

/// A new round's row.
pub struct NewRoundRow<'a> {
    pub title: &'a str,
    pub template_id: i64,
    pub period: Period,
    pub issuer_id: i64,
    pub deadline: NaiveDate,
    pub letter: &'a str,
    pub created_by: &'a str,
}

pub async fn insert(c: &mut AnyConnection, r: &NewRoundRow<'_>) -> CoreResult<i64> {
    #[derive(FromRow)]
    struct Id {
        id: i64,
    }
    let id: Id = rows::fetch_one(
        c,
        sqlx::query_as("INSERT INTO rounds (title, template_id, period, issuer_id, deadline, letter, status, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) RETURNING id")
            .bind(r.title.to_string())
            .bind(r.template_id)
            .bind(r.period.to_string())
            .bind(r.issuer_id)
            .bind(r.deadline.to_string())
            .bind(r.letter.to_string())
            .bind(now())
            .bind(r.created_by.to_string()),
        "rounds",
    )
    .await?;
    Ok(id.id)
}

/// One submission slot ("not started") per recipient.
pub async fn insert_recipients(
    c: &mut AnyConnection,
    round_id: i64,
    units: &[i64],
    actor: &str,
) -> CoreResult<()> {
    let at = now();
    let rows: Vec<Vec<Val>> = units
        .iter()
        .map(|&u| {
            vec![
                Val::I(round_id),
                Val::I(u),
                Val::S(Status::NotStarted.as_str().into()),
                Val::I(1),
                Val::S(at.clone()),
                Val::S(actor.to_string()),
            ]
        })
        .collect();
    bulk_insert(
        c,
        "submissions",
        &[
            "round_id",
            "unit_id",
            "status",
            "version",
            "updated_at",
            "updated_by",
        ],
        &rows,
        "",
    )
    .await
}

pub async fn set_state(c: &mut AnyConnection, id: i64, state: RoundState) -> CoreResult<()> {
    sqlx::query("UPDATE rounds SET status = $1 WHERE id = $2")
        .bind(state.as_str())
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// Which rounds a list shows: everything (the command line), or those issued
/// within `within` (units whose subtree the actor sees) or addressed to a unit
/// there or to one of `recipient_units` (a reporter's own units).
#[derive(Debug, Clone, Default)]
pub struct RoundScope {
    pub everything: bool,
    pub within: Vec<i64>,
    pub recipient_units: Vec<i64>,
}

fn scope_sql(s: &RoundScope) -> String {
    if s.everything {
        return "1 = 1".into();
    }
    let mut parts = vec!["1 = 0".to_string()];
    if !s.within.is_empty() {
        let w = id_list(&s.within);
        parts.push(format!(
            "r.issuer_id IN (SELECT descendant_id FROM unit_closure WHERE ancestor_id IN ({w}))"
        ));
        parts.push(format!("EXISTS (SELECT 1 FROM submissions s JOIN unit_closure c ON c.descendant_id = s.unit_id WHERE s.round_id = r.id AND c.ancestor_id IN ({w}))"));
    }
    if !s.recipient_units.is_empty() {
        parts.push(format!(
            "EXISTS (SELECT 1 FROM submissions s WHERE s.round_id = r.id AND s.unit_id IN ({}))",
            id_list(&s.recipient_units)
        ));
    }
    format!("({})", parts.join(" OR "))
}

/// Rounds in scope, newest first, one page, with the total.
pub async fn list(
    c: &mut AnyConnection,
    scope: &RoundScope,
    open_only: bool,
    offset: i64,
    limit: i64,
) -> CoreResult<(Vec<Round>, i64)> {
    let mut w = scope_sql(scope);
    if open_only {
        w.push_str(" AND r.status = 'open'");
    }
    #[derive(FromRow)]
    struct N {
        n: i64,
    }
    let total: N = rows::fetch_one(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM rounds r WHERE {w}"
        ))),
        "rounds",
    )
    .await?;
    let rows: Vec<RoundRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE {w} ORDER BY r.id DESC LIMIT {limit} OFFSET {offset}"
        ))),
        "rounds",
    )
    .await?;
    Ok((convert(rows)?, total.n))
}

/// Whether the round is in scope.
pub async fn is_visible(c: &mut AnyConnection, scope: &RoundScope, id: i64) -> CoreResult<bool> {
    #[derive(FromRow)]
    struct N {
        n: i64,
    }
    let w = scope_sql(scope);
    let r: N = rows::fetch_one(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM rounds r WHERE r.id = $1 AND {w}"
        )))
        .bind(id),
        "rounds",
    )
    .await?;
    Ok(r.n > 0)
}

/// Rounds of a template code and period (candidates for "the same period last year").
pub async fn by_template_period(
    c: &mut AnyConnection,
    template_code: &str,
    period: Period,
) -> CoreResult<Vec<Round>> {
    let rows: Vec<RoundRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE t.code = $1 AND r.period = $2 ORDER BY r.id"
        )))
        .bind(template_code.to_string())
        .bind(period.to_string()),
        "rounds",
    )
    .await?;
    convert(rows)
}

/// Ids of the open rounds.
pub async fn open_ids(c: &mut AnyConnection) -> CoreResult<Vec<i64>> {
    #[derive(FromRow)]
    struct Id {
        id: i64,
    }
    let rows: Vec<Id> = rows::fetch_all(
        c,
        sqlx::query_as("SELECT id FROM rounds WHERE status = 'open'"),
        "rounds",
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Every round id (maintenance).
pub async fn all_ids(c: &mut AnyConnection) -> CoreResult<Vec<i64>> {
    #[derive(FromRow)]
    struct Id {
        id: i64,
    }
    let rows: Vec<Id> = rows::fetch_all(
        c,
        sqlx::query_as("SELECT id FROM rounds ORDER BY id"),
        "rounds",
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Open rounds with a recipient among `units` (below one of `moved`'s new
/// ancestors and within its subtree): used to refuse tree moves that would nest
/// recipients.
pub async fn recipients_in(
    c: &mut AnyConnection,
    round_id: i64,
    units: &[i64],
) -> CoreResult<Vec<i64>> {
    #[derive(FromRow)]
    struct Id {
        id: i64,
    }
    let mut out = Vec::new();
    for chunk in units.chunks(500) {
        let rows: Vec<Id> = rows::fetch_all(
            c,
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT unit_id AS id FROM submissions WHERE round_id = $1 AND unit_id IN ({})",
                id_list(chunk)
            )))
            .bind(round_id),
            "submissions",
        )
        .await?;
        out.extend(rows.into_iter().map(|r| r.id));
    }
    Ok(out)
}

/// Filters of the recipients list.
#[derive(Debug, Clone, Default)]
pub struct RecipientFilter {
    pub status: Option<Status>,
    pub kind: Option<UnitKind>,
    /// Words of the name or code, with or without diacritics.
    pub q: Option<String>,
    /// Only those not yet in (not started, draft, returned).
    pub missing_only: bool,
}

/// One recipient's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recipient {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub kind: UnitKind,
    pub status: Status,
    pub on_time: Option<bool>,
    pub version: i64,
    pub first_submitted_at: Option<String>,
    pub accepted_at: Option<String>,
    pub return_reason: Option<String>,
    pub updated_at: String,
    /// The unit's own deadline (an extension for this unit alone).
    pub deadline: Option<NaiveDate>,
}

#[derive(FromRow)]
struct RecipientRow {
    unit_id: i64,
    code: String,
    name: String,
    kind: String,
    status: String,
    on_time: Option<i64>,
    version: i64,
    first_submitted_at: Option<String>,
    accepted_at: Option<String>,
    return_reason: Option<String>,
    updated_at: String,
    deadline: Option<String>,
}

impl TryFrom<RecipientRow> for Recipient {
    type Error = qcdc_core::CoreError;
    fn try_from(r: RecipientRow) -> CoreResult<Recipient> {
        Ok(Recipient {
            unit_id: r.unit_id,
            unit_code: r.code,
            unit_name: r.name,
            kind: parse_col("units", "kind", r.kind, |s| {
                UnitKind::parse(s).ok_or("loại đơn vị không biết")
            })?,
            status: parse_col("submissions", "status", r.status, |s| {
                Status::parse(s).ok_or("trạng thái không biết")
            })?,
            on_time: r.on_time.map(|v| v == 1),
            version: r.version,
            first_submitted_at: r.first_submitted_at,
            accepted_at: r.accepted_at,
            return_reason: r.return_reason,
            updated_at: r.updated_at,
            deadline: r
                .deadline
                .map(|d| day_col("submissions", "deadline", &d))
                .transpose()?,
        })
    }
}

/// Recipients of a round below (and including) `under` (every recipient when
/// None), in Vietnamese order, one page, with the total matching the filter (taken
/// from `known_total` when the caller knows it from the running counts).
#[allow(clippy::too_many_arguments)]
pub async fn recipients(
    c: &mut AnyConnection,
    round_id: i64,
    under: Option<i64>,
    f: &RecipientFilter,
    offset: i64,
    limit: i64,
    known_total: Option<i64>,
) -> CoreResult<(Vec<Recipient>, i64)> {
    // driven from the closure table below a unit, from the round's reports otherwise
    let from = if under.is_some() {
        "unit_closure c JOIN submissions s ON s.round_id = $1 AND s.unit_id = c.descendant_id JOIN units u ON u.id = s.unit_id"
    } else {
        "submissions s JOIN units u ON u.id = s.unit_id"
    };
    let mut w = vec![if under.is_some() {
        "c.ancestor_id = $2".to_string()
    } else {
        "s.round_id = $1 AND $2 IS NOT NULL".to_string()
    }];
    let under = under.unwrap_or(0);
    let mut binds: Vec<String> = Vec::new();
    if let Some(st) = f.status {
        w.push(format!("s.status = '{}'", st.as_str()));
    }
    if f.missing_only {
        w.push("s.status IN ('not_started', 'draft', 'returned')".into());
    }
    if let Some(k) = f.kind {
        w.push(format!("u.kind = '{}'", k.as_str()));
    }
    if let Some(q) = f.q.as_deref() {
        for word in text::fold(q).split_whitespace().take(8) {
            binds.push(format!("%{}%", like_escape(word)));
            let n = binds.len() + 2;
            w.push(format!(
                "(u.name_folded LIKE ${n} ESCAPE '\\' OR LOWER(u.code) LIKE ${n} ESCAPE '\\')"
            ));
        }
    }
    let w = w.join(" AND ");
    #[derive(FromRow)]
    struct N {
        n: i64,
    }
    let mut q = sqlx::query_as::<_, N>(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {from} WHERE {w}"
    )))
    .bind(round_id)
    .bind(under);
    for b in &binds {
        q = q.bind(b.clone());
    }
    let total = match known_total {
        Some(n) => n,
        None => rows::fetch_one(c, q, "submissions").await?.n,
    };
    let mut q = sqlx::query_as::<_, RecipientRow>(sqlx::AssertSqlSafe(format!(
        "SELECT s.unit_id, u.code, u.name, u.kind, s.status, s.on_time, s.version, s.first_submitted_at, s.accepted_at, s.return_reason, s.updated_at, s.deadline
         FROM {from} WHERE {w} ORDER BY u.sort_key, u.code LIMIT {limit} OFFSET {offset}"
    )))
    .bind(round_id)
    .bind(under);
    for b in &binds {
        q = q.bind(b.clone());
    }
    let rows = rows::fetch_all(c, q, "submissions").await?;
    let items = rows
        .into_iter()
        .map(Recipient::try_from)
        .collect::<CoreResult<Vec<_>>>()?;
    Ok((items, total))
}

/// The open rounds in which `unit_id` is a recipient, nearest deadline first.
pub async fn addressed_to(
    c: &mut AnyConnection,
    unit_ids: &[i64],
    open_only: bool,
) -> CoreResult<Vec<(Round, i64)>> {
    #[derive(FromRow)]
    struct P {
        round_id: i64,
        unit_id: i64,
    }
    let open = if open_only {
        " AND r.status = 'open'"
    } else {
        ""
    };
    let pairs: Vec<P> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT s.round_id, s.unit_id FROM submissions s JOIN rounds r ON r.id = s.round_id WHERE s.unit_id IN ({}){open} ORDER BY r.deadline, r.id",
            id_list(unit_ids)
        ))),
        "submissions",
    )
    .await?;
    let mut out = Vec::with_capacity(pairs.len());
    for p in pairs {
        if let Some(r) = get(c, p.round_id).await? {
            out.push((r, p.unit_id));
        }
    }
    Ok(out)
}

/// Moves a round's deadline (the issuing office extends it).
pub async fn set_deadline(c: &mut AnyConnection, id: i64, deadline: NaiveDate) -> CoreResult<()> {
    sqlx::query("UPDATE rounds SET deadline = $1 WHERE id = $2")
        .bind(deadline.format("%Y-%m-%d").to_string())
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// Open rounds issued by `issuer_ids` with the same template code and period.
pub async fn same_request(
    c: &mut AnyConnection,
    issuer_id: i64,
    template_code: &str,
    period: Period,
) -> CoreResult<Vec<Round>> {
    let rows: Vec<RoundRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE r.issuer_id = $1 AND t.code = $2 AND r.period = $3 ORDER BY r.id"
        )))
        .bind(issuer_id)
        .bind(template_code.to_string())
        .bind(period.to_string()),
        "rounds",
    )
    .await?;
    convert(rows)
}

/// A report waiting for the office's review.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct Waiting {
    pub round_id: i64,
    pub round_title: String,
    pub unit_code: String,
    pub unit_name: String,
    pub submitted_at: String,
}

/// Submitted reports of the open rounds issued by `issuer_ids`, oldest first.
pub async fn waiting_review(
    c: &mut AnyConnection,
    issuer_ids: &[i64],
    limit: i64,
) -> CoreResult<(Vec<Waiting>, i64)> {
    if issuer_ids.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let from = format!(
        "FROM submissions s JOIN rounds r ON r.id = s.round_id JOIN units u ON u.id = s.unit_id \
         WHERE r.issuer_id IN ({}) AND r.status = 'open' AND s.status = 'submitted'",
        id_list(issuer_ids)
    );
    let items: Vec<Waiting> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT r.id AS round_id, r.title AS round_title, u.code AS unit_code, u.name AS unit_name, \
             COALESCE(s.submitted_at, '') AS submitted_at {from} ORDER BY s.submitted_at, s.id LIMIT {}",
            limit.clamp(1, 500)
        ))),
        "submissions",
    )
    .await?;
    #[derive(FromRow)]
    struct N {
        n: i64,
    }
    let total: Vec<N> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n {from}"))),
        "submissions",
    )
    .await?;
    Ok((items, total.first().map_or(0, |t| t.n)))
}

/// Open rounds issued by `issuer_ids` with how many recipients have not sent yet.
pub async fn open_with_missing(
    c: &mut AnyConnection,
    issuer_ids: &[i64],
) -> CoreResult<Vec<(Round, i64)>> {
    if issuer_ids.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(FromRow)]
    struct M {
        round_id: i64,
        missing: i64,
    }
    let counts: Vec<M> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT r.id AS round_id, \
             CAST(SUM(CASE WHEN s.status IN ('not_started', 'draft', 'returned') THEN 1 ELSE 0 END) AS BIGINT) AS missing \
             FROM rounds r JOIN submissions s ON s.round_id = r.id \
             WHERE r.issuer_id IN ({}) AND r.status = 'open' GROUP BY r.id ORDER BY r.id",
            id_list(issuer_ids)
        ))),
        "rounds",
    )
    .await?;
    let mut out = Vec::with_capacity(counts.len());
    for m in counts {
        if let Some(r) = get(c, m.round_id).await? {
            out.push((r, m.missing));
        }
    }
    out.sort_by_key(|(r, _)| (r.deadline, r.id));
    Ok(out)
}

/// The recipients of a round counted by unit kind, with one name per kind (the
/// letter's "Kính gửi:" names a kind's only recipient, and groups the others).
pub async fn recipient_kinds(
    c: &mut AnyConnection,
    round_id: i64,
) -> CoreResult<Vec<(UnitKind, i64, String)>> {
    #[derive(FromRow)]
    struct K {
        kind: String,
        n: i64,
        name: String,
    }
    let rows: Vec<K> = rows::fetch_all(
        c,
        sqlx::query_as(
            "SELECT u.kind, COUNT(*) AS n, MIN(u.name) AS name FROM submissions s JOIN units u ON u.id = s.unit_id
             WHERE s.round_id = $1 GROUP BY u.kind",
        )
        .bind(round_id),
        "submissions",
    )
    .await?;
    rows.into_iter()
        .map(|k| {
            let kind = parse_col("units", "kind", k.kind, |s| {
                UnitKind::parse(s).ok_or("loại đơn vị không biết")
            })?;
            Ok((kind, k.n, k.name))
        })
        .collect()
}
