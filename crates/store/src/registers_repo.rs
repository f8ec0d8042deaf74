//! Registers as stored (migration 6): the holiday years an admin has stored,
//! reception sessions, petitions with their steps and cases, dialogues,
//! inspections and "Dân vận khéo" models. Rows decode into domain values or are
//! refused with the table and column named; no rule is applied here (the use
//! cases replay the steps through `core::registers::petition`).

use chrono::NaiveDate;
use qcdc_core::CoreResult;
use qcdc_core::registers::reception::Receiver;
use qcdc_core::registers::source::InspectionKind;
use qcdc_core::registers::{
    CalendarDay, Channel, Complexity, DayType, PetitionKind, Step, StepKind,
};
use sqlx::{AnyConnection, FromRow};

use crate::db::DbResult;
use crate::rows::{self, day_col, now, parse_col};

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn count_col(table: &str, col: &str, v: i64) -> CoreResult<u32> {
    u32::try_from(v).map_err(|_| rows::corrupt(table, col, v))
}

#[derive(FromRow)]
struct Id {
    id: i64,
}

// ---------------------------------------------------------------- holidays

#[derive(FromRow)]
struct YearRow {
    year: i64,
}

#[derive(FromRow)]
struct HolidayRow {
    day: String,
    day_type: String,
    name: String,
    provisional: i64,
}

/// The years whose calendar an admin has stored, and their days.
pub async fn stored_calendar(c: &mut AnyConnection) -> CoreResult<(Vec<i32>, Vec<CalendarDay>)> {
    let years: Vec<YearRow> = rows::fetch_all(
        c,
        sqlx::query_as("SELECT year FROM holiday_years ORDER BY year"),
        "holiday_years",
    )
    .await?;
    let years = years
        .into_iter()
        .map(|y| i32::try_from(y.year).map_err(|_| rows::corrupt("holiday_years", "year", y.year)))
        .collect::<CoreResult<Vec<i32>>>()?;
    let days: Vec<HolidayRow> = rows::fetch_all(
        c,
        sqlx::query_as("SELECT day, day_type, name, provisional FROM holidays ORDER BY day"),
        "holidays",
    )
    .await?;
    let days = days
        .into_iter()
        .map(|r| {
            Ok(CalendarDay {
                date: day_col("holidays", "day", &r.day)?,
                day_type: parse_col("holidays", "day_type", r.day_type, |s| {
                    DayType::parse(s).ok_or("không phải day_off/working_day")
                })?,
                name: r.name,
                provisional: r.provisional == 1,
            })
        })
        .collect::<CoreResult<Vec<_>>>()?;
    Ok((years, days))
}

/// Replaces the stored calendar of one year with `days` (all inside that year).
pub async fn replace_year(
    c: &mut AnyConnection,
    year: i32,
    days: &[CalendarDay],
    who: &str,
) -> CoreResult<()> {
    sqlx::query("DELETE FROM holidays WHERE year = $1")
        .bind(i64::from(year))
        .execute(&mut *c)
        .await
        .db()?;
    sqlx::query(
        "INSERT INTO holiday_years (year, updated_at, updated_by) VALUES ($1, $2, $3) \
         ON CONFLICT (year) DO UPDATE SET updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(i64::from(year))
    .bind(now())
    .bind(who.to_string())
    .execute(&mut *c)
    .await
    .db()?;
    let rows: Vec<Vec<rows::Val>> = days
        .iter()
        .map(|d| {
            use rows::Val;
            vec![
                Val::S(iso(d.date)),
                Val::I(i64::from(year)),
                Val::S(d.day_type.as_str().into()),
                Val::S(d.name.clone()),
                Val::I(i64::from(d.provisional)),
            ]
        })
        .collect();
    rows::bulk_insert(
        c,
        "holidays",
        &["day", "year", "day_type", "name", "provisional"],
        &rows,
        "",
    )
    .await
}

// ---------------------------------------------------------------- reception

/// A reception session to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub unit_id: i64,
    pub held_on: NaiveDate,
    pub receiver: Receiver,
    pub receiver_name: String,
    pub turns: u32,
    pub people: u32,
    pub delegations: u32,
    pub note: String,
}

/// A stored reception session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub unit_id: i64,
    pub held_on: NaiveDate,
    pub receiver: Receiver,
    pub receiver_name: String,
    pub turns: u32,
    pub people: u32,
    pub delegations: u32,
    pub note: String,
}

#[derive(FromRow)]
struct SessionRow {
    id: i64,
    unit_id: i64,
    held_on: String,
    receiver: String,
    receiver_name: String,
    turns: i64,
    people: i64,
    delegations: i64,
    note: String,
}

pub async fn insert_session(c: &mut AnyConnection, s: &NewSession, who: &str) -> CoreResult<i64> {
    let r: Id = rows::fetch_one(
        c,
        sqlx::query_as(
            "INSERT INTO reception_sessions (unit_id, held_on, receiver, receiver_name, turns, people, delegations, note, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(s.unit_id)
        .bind(iso(s.held_on))
        .bind(s.receiver.as_str().to_string())
        .bind(s.receiver_name.clone())
        .bind(i64::from(s.turns))
        .bind(i64::from(s.people))
        .bind(i64::from(s.delegations))
        .bind(s.note.clone())
        .bind(now())
        .bind(who.to_string()),
        "reception_sessions",
    )
    .await?;
    Ok(r.id)
}

/// The sessions of the units held in `[from, to]`, by date.
pub async fn sessions(
    c: &mut AnyConnection,
    unit_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<Session>> {
    let sql = format!(
        "SELECT id, unit_id, held_on, receiver, receiver_name, turns, people, delegations, note FROM reception_sessions \
         WHERE unit_id IN ({}) AND held_on >= $1 AND held_on <= $2 ORDER BY held_on, id",
        rows::id_list(unit_ids)
    );
    let rs: Vec<SessionRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(iso(from))
            .bind(iso(to)),
        "reception_sessions",
    )
    .await?;
    rs.into_iter()
        .map(|r| {
            let t = "reception_sessions";
            Ok(Session {
                id: r.id,
                unit_id: r.unit_id,
                held_on: day_col(t, "held_on", &r.held_on)?,
                receiver: parse_col(t, "receiver", r.receiver, |s| {
                    Receiver::parse(s).ok_or("người tiếp không hợp lệ")
                })?,
                receiver_name: r.receiver_name,
                turns: count_col(t, "turns", r.turns)?,
                people: count_col(t, "people", r.people)?,
                delegations: count_col(t, "delegations", r.delegations)?,
                note: r.note,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- petitions

/// A petition to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPetition {
    pub unit_id: i64,
    pub kind: PetitionKind,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub petitioners: Vec<String>,
    /// The petitioners folded for duplicate search (one per line).
    pub petitioners_folded: String,
    pub summary: String,
    pub content: String,
    pub forwarded_from: String,
    pub remote: bool,
    pub complexity: Complexity,
    pub state: String,
}

/// A stored petition (without its steps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPetition {
    pub id: i64,
    pub unit_id: i64,
    pub case_id: Option<i64>,
    pub kind: PetitionKind,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub petitioners: Vec<String>,
    pub summary: String,
    pub content: String,
    pub forwarded_from: String,
    pub remote: bool,
    pub complexity: Complexity,
    pub state: String,
}

#[derive(FromRow)]
struct PetitionRow {
    id: i64,
    unit_id: i64,
    case_id: Option<i64>,
    kind: String,
    channel: String,
    received_on: String,
    petitioners: String,
    summary: String,
    content: String,
    forwarded_from: String,
    remote: i64,
    complexity: String,
    state: String,
}

const PETITION_COLS: &str = "id, unit_id, case_id, kind, channel, received_on, petitioners, summary, content, forwarded_from, remote, complexity, state";

fn decode_petition(r: PetitionRow) -> CoreResult<StoredPetition> {
    let t = "petitions";
    Ok(StoredPetition {
        id: r.id,
        unit_id: r.unit_id,
        case_id: r.case_id,
        kind: parse_col(t, "kind", r.kind, |s| {
            PetitionKind::parse(s).ok_or("loại đơn không hợp lệ")
        })?,
        channel: parse_col(t, "channel", r.channel, |s| {
            Channel::parse(s).ok_or("kênh không hợp lệ")
        })?,
        received_on: day_col(t, "received_on", &r.received_on)?,
        petitioners: rows::json_col(t, "petitioners", &r.petitioners)?,
        summary: r.summary,
        content: r.content,
        forwarded_from: r.forwarded_from,
        remote: r.remote == 1,
        complexity: parse_col(t, "complexity", r.complexity, |s| {
            Complexity::parse(s).ok_or("mức độ không hợp lệ")
        })?,
        state: r.state,
    })
}

pub async fn insert_petition(c: &mut AnyConnection, p: &NewPetition, who: &str) -> CoreResult<i64> {
    let r: Id = rows::fetch_one(
        c,
        sqlx::query_as(
            "INSERT INTO petitions (unit_id, case_id, kind, channel, received_on, petitioners, petitioners_folded, summary, content, \
             forwarded_from, remote, complexity, state, created_at, created_by) \
             VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(p.unit_id)
        .bind(p.kind.as_str().to_string())
        .bind(p.channel.as_str().to_string())
        .bind(iso(p.received_on))
        .bind(serde_json::to_string(&p.petitioners).unwrap_or_else(|_| "[]".into()))
        .bind(p.petitioners_folded.clone())
        .bind(p.summary.clone())
        .bind(p.content.clone())
        .bind(p.forwarded_from.clone())
        .bind(i64::from(p.remote))
        .bind(p.complexity.as_str().to_string())
        .bind(p.state.clone())
        .bind(now())
        .bind(who.to_string()),
        "petitions",
    )
    .await?;
    Ok(r.id)
}

pub async fn petition(c: &mut AnyConnection, id: i64) -> CoreResult<Option<StoredPetition>> {
    let sql = format!("SELECT {PETITION_COLS} FROM petitions WHERE id = $1");
    let r: Option<PetitionRow> = rows::fetch_optional(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id),
        "petitions",
    )
    .await?;
    r.map(decode_petition).transpose()
}

/// The petitions of the units received on or before `to` (all when None), by
/// received date then id.
pub async fn petitions(
    c: &mut AnyConnection,
    unit_ids: &[i64],
    to: Option<NaiveDate>,
) -> CoreResult<Vec<StoredPetition>> {
    let sql = format!(
        "SELECT {PETITION_COLS} FROM petitions WHERE unit_id IN ({}) AND received_on <= $1 ORDER BY received_on, id",
        rows::id_list(unit_ids)
    );
    let to = to.map_or_else(|| "9999-12-31".to_string(), iso);
    let rs: Vec<PetitionRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(to),
        "petitions",
    )
    .await?;
    rs.into_iter().map(decode_petition).collect()
}

/// Ids of the petitions of a unit whose folded petitioners contain `folded_name`
/// (the candidates duplicate detection then compares).
pub async fn petitions_naming(
    c: &mut AnyConnection,
    unit_ids: &[i64],
    folded_name: &str,
) -> CoreResult<Vec<StoredPetition>> {
    let sql = format!(
        "SELECT {PETITION_COLS} FROM petitions WHERE unit_id IN ({}) AND petitioners_folded LIKE $1 ESCAPE '\\' ORDER BY id",
        rows::id_list(unit_ids)
    );
    let pattern = format!("%{}%", crate::units_repo::like_escape(folded_name));
    let rs: Vec<PetitionRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(pattern),
        "petitions",
    )
    .await?;
    rs.into_iter().map(decode_petition).collect()
}

/// Marks a petition as forwarded from another unit's petition.
pub async fn set_origin(c: &mut AnyConnection, id: i64, origin_id: i64) -> CoreResult<()> {
    sqlx::query("UPDATE petitions SET origin_petition_id = $1 WHERE id = $2")
        .bind(origin_id)
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

#[derive(FromRow)]
struct Link {
    id: i64,
    unit_id: i64,
}

/// The petition a petition was forwarded from: (petition id, its unit id).
pub async fn origin_of(c: &mut AnyConnection, id: i64) -> CoreResult<Option<(i64, i64)>> {
    let r: Option<Link> = rows::fetch_optional(
        c,
        sqlx::query_as(
            "SELECT o.id, o.unit_id FROM petitions p JOIN petitions o ON o.id = p.origin_petition_id WHERE p.id = $1",
        )
        .bind(id),
        "petitions",
    )
    .await?;
    Ok(r.map(|l| (l.id, l.unit_id)))
}

/// The petitions forwarded from a petition: (petition id, its unit id), by id.
pub async fn forwarded_copies(c: &mut AnyConnection, id: i64) -> CoreResult<Vec<(i64, i64)>> {
    let rs: Vec<Link> = rows::fetch_all(
        c,
        sqlx::query_as(
            "SELECT id, unit_id FROM petitions WHERE origin_petition_id = $1 ORDER BY id",
        )
        .bind(id),
        "petitions",
    )
    .await?;
    Ok(rs.into_iter().map(|l| (l.id, l.unit_id)).collect())
}

/// Stores the state and complexity of a petition after a step.
pub async fn set_petition_state(
    c: &mut AnyConnection,
    id: i64,
    state: &str,
    complexity: Complexity,
) -> CoreResult<()> {
    sqlx::query("UPDATE petitions SET state = $1, complexity = $2 WHERE id = $3")
        .bind(state.to_string())
        .bind(complexity.as_str().to_string())
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// A stored step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStep {
    pub petition_id: i64,
    pub seq: i64,
    pub step: Step,
    pub note: String,
}

#[derive(FromRow)]
struct StepRow {
    petition_id: i64,
    seq: i64,
    step_on: String,
    kind: String,
    detail: Option<String>,
    result: Option<String>,
    note: String,
}

/// The steps of the petitions, in order (by petition, then seq).
pub async fn steps(c: &mut AnyConnection, petition_ids: &[i64]) -> CoreResult<Vec<StoredStep>> {
    let sql = format!(
        "SELECT petition_id, seq, step_on, kind, detail, result, note FROM petition_steps \
         WHERE petition_id IN ({}) ORDER BY petition_id, seq",
        rows::id_list(petition_ids)
    );
    let rs: Vec<StepRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(sql)),
        "petition_steps",
    )
    .await?;
    rs.into_iter()
        .map(|r| {
            let t = "petition_steps";
            let kind = StepKind::from_parts(&r.kind, r.detail.as_deref(), r.result.as_deref())
                .map_err(|e| rows::corrupt(t, "kind", format!("«{}»: {}", r.kind, e.message)))?;
            Ok(StoredStep {
                petition_id: r.petition_id,
                seq: r.seq,
                step: Step {
                    date: day_col(t, "step_on", &r.step_on)?,
                    kind,
                },
                note: r.note,
            })
        })
        .collect()
}

/// Appends a step as number `seq` (unique per petition: two concurrent writers
/// cannot both append the same number).
pub async fn insert_step(
    c: &mut AnyConnection,
    petition_id: i64,
    seq: i64,
    step: &Step,
    note: &str,
    who: &str,
) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO petition_steps (petition_id, seq, step_on, kind, detail, result, note, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(petition_id)
    .bind(seq)
    .bind(iso(step.date))
    .bind(step.kind.code().to_string())
    .bind(step.kind.text().map(str::to_string))
    .bind(step.kind.result().map(|r| r.as_str().to_string()))
    .bind(note.to_string())
    .bind(now())
    .bind(who.to_string())
    .execute(&mut *c)
    .await
    .db()?;
    Ok(())
}

/// Makes a case for a unit.
pub async fn insert_case(
    c: &mut AnyConnection,
    unit_id: i64,
    title: &str,
    who: &str,
) -> CoreResult<i64> {
    let r: Id = rows::fetch_one(
        c,
        sqlx::query_as(
            "INSERT INTO cases (unit_id, title, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(unit_id)
        .bind(title.to_string())
        .bind(now())
        .bind(who.to_string()),
        "cases",
    )
    .await?;
    Ok(r.id)
}

/// Puts petitions into a case.
pub async fn set_case(c: &mut AnyConnection, petition_ids: &[i64], case_id: i64) -> CoreResult<()> {
    let sql = format!(
        "UPDATE petitions SET case_id = $1 WHERE id IN ({})",
        rows::id_list(petition_ids)
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(case_id)
        .execute(&mut *c)
        .await
        .db()?;
    Ok(())
}

/// A case: its unit and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCase {
    pub id: i64,
    pub unit_id: i64,
    pub title: String,
}

#[derive(FromRow)]
struct CaseRow {
    id: i64,
    unit_id: i64,
    title: String,
}

pub async fn case(c: &mut AnyConnection, id: i64) -> CoreResult<Option<StoredCase>> {
    let r: Option<CaseRow> = rows::fetch_optional(
        c,
        sqlx::query_as("SELECT id, unit_id, title FROM cases WHERE id = $1").bind(id),
        "cases",
    )
    .await?;
    Ok(r.map(|r| StoredCase {
        id: r.id,
        unit_id: r.unit_id,
        title: r.title,
    }))
}

/// The petitions of a case, by received date then id.
pub async fn case_petitions(
    c: &mut AnyConnection,
    case_id: i64,
) -> CoreResult<Vec<StoredPetition>> {
    let sql = format!(
        "SELECT {PETITION_COLS} FROM petitions WHERE case_id = $1 ORDER BY received_on, id"
    );
    let rs: Vec<PetitionRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case_id),
        "petitions",
    )
    .await?;
    rs.into_iter().map(decode_petition).collect()
}

// ---------------------------------------------------------------- simple registers

/// Which simple register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simple {
    Dialogues,
    Inspections,
    Models,
}

/// An entry of a simple register: a date, a title, and for inspections a kind
/// and for dialogues the number of participants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleEntry {
    pub id: i64,
    pub unit_id: i64,
    pub on: NaiveDate,
    pub title: String,
    /// Dialogues: participants; models: unused (0).
    pub number: u32,
    /// Inspections: inspection or supervision; models: the field (lĩnh vực).
    pub kind: Option<InspectionKind>,
    pub field: String,
}

#[derive(FromRow)]
struct SimpleRow {
    id: i64,
    unit_id: i64,
    on_day: String,
    title: String,
    number: i64,
    extra: String,
}

pub async fn insert_simple(
    c: &mut AnyConnection,
    which: Simple,
    e: &SimpleEntry,
    who: &str,
) -> CoreResult<i64> {
    let (sql, table) = match which {
        Simple::Dialogues => (
            "INSERT INTO dialogues (unit_id, held_on, topic, participants, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            "dialogues",
        ),
        Simple::Inspections => (
            "INSERT INTO inspections (unit_id, held_on, subject, kind, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            "inspections",
        ),
        Simple::Models => (
            "INSERT INTO mobilisation_models (unit_id, recognised_on, name, field, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            "mobilisation_models",
        ),
    };
    let q = sqlx::query_as(sql)
        .bind(e.unit_id)
        .bind(iso(e.on))
        .bind(e.title.clone());
    let q = match which {
        Simple::Dialogues => q.bind(i64::from(e.number)),
        Simple::Inspections => q.bind(
            e.kind
                .unwrap_or(InspectionKind::Inspection)
                .as_str()
                .to_string(),
        ),
        Simple::Models => q.bind(e.field.clone()),
    };
    let r: Id = rows::fetch_one(c, q.bind(now()).bind(who.to_string()), table).await?;
    Ok(r.id)
}

/// The entries of the units dated in `[from, to]`, by date.
pub async fn simple(
    c: &mut AnyConnection,
    which: Simple,
    unit_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<SimpleEntry>> {
    simple_rows(c, which, unit_ids, from, to, None).await
}

/// One page of the entries of the units dated in `[from, to]`, newest first,
/// with the number of entries in the whole window.
pub async fn simple_page(
    c: &mut AnyConnection,
    which: Simple,
    unit_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
    offset: i64,
) -> CoreResult<(Vec<SimpleEntry>, i64)> {
    let (table, col) = simple_table(which);
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {table} WHERE unit_id IN ({}) AND {col} >= $1 AND {col} <= $2",
        rows::id_list(unit_ids)
    );
    let total: Count = rows::fetch_one(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(iso(from))
            .bind(iso(to)),
        table,
    )
    .await?;
    let items = simple_rows(c, which, unit_ids, from, to, Some((limit, offset))).await?;
    Ok((items, total.n))
}

fn simple_table(which: Simple) -> (&'static str, &'static str) {
    match which {
        Simple::Dialogues => ("dialogues", "held_on"),
        Simple::Inspections => ("inspections", "held_on"),
        Simple::Models => ("mobilisation_models", "recognised_on"),
    }
}

/// All the entries by date, or one page of them newest first.
async fn simple_rows(
    c: &mut AnyConnection,
    which: Simple,
    unit_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
    page: Option<(i64, i64)>,
) -> CoreResult<Vec<SimpleEntry>> {
    let select = match which {
        Simple::Dialogues => {
            "SELECT id, unit_id, held_on AS on_day, topic AS title, participants AS number, CAST('' AS TEXT) AS extra FROM dialogues"
        }
        Simple::Inspections => {
            "SELECT id, unit_id, held_on AS on_day, subject AS title, CAST(0 AS BIGINT) AS number, kind AS extra FROM inspections"
        }
        Simple::Models => {
            "SELECT id, unit_id, recognised_on AS on_day, name AS title, CAST(0 AS BIGINT) AS number, field AS extra FROM mobilisation_models"
        }
    };
    let (table, col) = simple_table(which);
    let order = match page {
        None => format!("ORDER BY {col}, id"),
        Some((limit, offset)) => format!(
            "ORDER BY {col} DESC, id DESC LIMIT {} OFFSET {}",
            limit.max(0),
            offset.max(0)
        ),
    };
    let sql = format!(
        "{select} WHERE unit_id IN ({}) AND {col} >= $1 AND {col} <= $2 {order}",
        rows::id_list(unit_ids)
    );
    let rs: Vec<SimpleRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(iso(from))
            .bind(iso(to)),
        table,
    )
    .await?;
    rs.into_iter()
        .map(|r| {
            let kind = match which {
                Simple::Inspections => Some(parse_col(table, "kind", r.extra.clone(), |s| {
                    InspectionKind::parse(s).ok_or("loại không hợp lệ")
                })?),
                _ => None,
            };
            Ok(SimpleEntry {
                id: r.id,
                unit_id: r.unit_id,
                on: day_col(table, col, &r.on_day)?,
                title: r.title,
                number: count_col(table, "number", r.number)?,
                kind,
                field: if which == Simple::Models {
                    r.extra
                } else {
                    String::new()
                },
            })
        })
        .collect()
}

/// How many records each register of the units holds: (petitions, reception
/// sessions, dialogues, inspections, models).
pub async fn counts(c: &mut AnyConnection, unit_ids: &[i64]) -> CoreResult<[i64; 5]> {
    let mut out = [0; 5];
    for (i, table) in [
        "petitions",
        "reception_sessions",
        "dialogues",
        "inspections",
        "mobilisation_models",
    ]
    .into_iter()
    .enumerate()
    {
        let r: Count = rows::fetch_one(
            c,
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) AS n FROM {table} WHERE unit_id IN ({})",
                rows::id_list(unit_ids)
            ))),
            table,
        )
        .await?;
        out[i] = r.n;
    }
    Ok(out)
}

/// Which registers a unit has ever written to: (petitions, reception sessions,
/// dialogues, inspections, models).
pub async fn kept(c: &mut AnyConnection, unit_id: i64) -> CoreResult<[bool; 5]> {
    let mut out = [false; 5];
    for (i, table) in [
        "petitions",
        "reception_sessions",
        "dialogues",
        "inspections",
        "mobilisation_models",
    ]
    .into_iter()
    .enumerate()
    {
        let r: Count = rows::fetch_one(
            c,
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM {table} WHERE unit_id = $1 LIMIT 1) x"
            )))
            .bind(unit_id),
            table,
        )
        .await?;
        out[i] = r.n > 0;
    }
    Ok(out)
}

#[derive(FromRow)]
struct Count {
    n: i64,
}

// ---------------------------------------------------------------- bulk loading

/// A petition to load in bulk, with its (already checked) steps and the index of
/// its case in the batch's cases.
#[derive(Debug, Clone)]
pub struct BulkPetition {
    pub petition: NewPetition,
    pub case: Option<usize>,
    pub steps: Vec<Step>,
}

/// A case to load in bulk.
#[derive(Debug, Clone)]
pub struct BulkCase {
    pub unit_id: i64,
    pub title: String,
}

#[derive(FromRow)]
struct MaxId {
    n: i64,
}

async fn max_id(c: &mut AnyConnection, table: &str) -> CoreResult<i64> {
    let r: MaxId = rows::fetch_one(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COALESCE(MAX(id), 0) AS n FROM {table}"
        ))),
        table,
    )
    .await?;
    Ok(r.n)
}

/// PostgreSQL: moves a table's id sequence past ids written explicitly.
async fn bump_sequence(c: &mut AnyConnection, table: &str) -> CoreResult<()> {
    if c.backend_name() == "PostgreSQL" {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )))
        .execute(&mut *c)
        .await
        .db()?;
    }
    Ok(())
}

/// Writes many cases, petitions (with their steps) and reception sessions with
/// multi-row statements, in the caller's transaction. Returns the ids given to
/// the petitions, in order.
pub async fn bulk_load(
    c: &mut AnyConnection,
    cases: &[BulkCase],
    petitions: &[BulkPetition],
    sessions: &[NewSession],
    who: &str,
) -> CoreResult<Vec<i64>> {
    use crate::rows::{Val, bulk_insert};
    let at = now();
    let case_base = max_id(c, "cases").await?;
    let rows_c: Vec<Vec<Val>> = cases
        .iter()
        .enumerate()
        .map(|(i, k)| {
            vec![
                Val::I(case_base + 1 + i as i64),
                Val::I(k.unit_id),
                Val::S(k.title.clone()),
                Val::S(at.clone()),
                Val::S(who.to_string()),
            ]
        })
        .collect();
    bulk_insert(
        c,
        "cases",
        &["id", "unit_id", "title", "created_at", "created_by"],
        &rows_c,
        "",
    )
    .await?;
    let pet_base = max_id(c, "petitions").await?;
    let mut rows_p = Vec::with_capacity(petitions.len());
    let mut rows_s = Vec::new();
    let mut ids = Vec::with_capacity(petitions.len());
    for (i, b) in petitions.iter().enumerate() {
        let id = pet_base + 1 + i as i64;
        ids.push(id);
        let p = &b.petition;
        rows_p.push(vec![
            Val::I(id),
            Val::I(p.unit_id),
            match b.case {
                Some(k) => Val::I(case_base + 1 + k as i64),
                None => Val::NullI,
            },
            Val::S(p.kind.as_str().into()),
            Val::S(p.channel.as_str().into()),
            Val::S(iso(p.received_on)),
            Val::S(serde_json::to_string(&p.petitioners).unwrap_or_else(|_| "[]".into())),
            Val::S(p.petitioners_folded.clone()),
            Val::S(p.summary.clone()),
            Val::S(p.content.clone()),
            Val::S(p.forwarded_from.clone()),
            Val::I(i64::from(p.remote)),
            Val::S(p.complexity.as_str().into()),
            Val::S(p.state.clone()),
            Val::S(at.clone()),
            Val::S(who.to_string()),
        ]);
        for (seq, s) in b.steps.iter().enumerate() {
            rows_s.push(vec![
                Val::I(id),
                Val::I(seq as i64 + 1),
                Val::S(iso(s.date)),
                Val::S(s.kind.code().into()),
                s.kind.text().map_or(Val::Null, |t| Val::S(t.into())),
                s.kind
                    .result()
                    .map_or(Val::Null, |r| Val::S(r.as_str().into())),
                Val::S(String::new()),
                Val::S(at.clone()),
                Val::S(who.to_string()),
            ]);
        }
    }
    bulk_insert(
        c,
        "petitions",
        &[
            "id",
            "unit_id",
            "case_id",
            "kind",
            "channel",
            "received_on",
            "petitioners",
            "petitioners_folded",
            "summary",
            "content",
            "forwarded_from",
            "remote",
            "complexity",
            "state",
            "created_at",
            "created_by",
        ],
        &rows_p,
        "",
    )
    .await?;
    bulk_insert(
        c,
        "petition_steps",
        &[
            "petition_id",
            "seq",
            "step_on",
            "kind",
            "detail",
            "result",
            "note",
            "created_at",
            "created_by",
        ],
        &rows_s,
        "",
    )
    .await?;
    let rows_r: Vec<Vec<Val>> = sessions
        .iter()
        .map(|s| {
            vec![
                Val::I(s.unit_id),
                Val::S(iso(s.held_on)),
                Val::S(s.receiver.as_str().into()),
                Val::S(s.receiver_name.clone()),
                Val::I(i64::from(s.turns)),
                Val::I(i64::from(s.people)),
                Val::I(i64::from(s.delegations)),
                Val::S(s.note.clone()),
                Val::S(at.clone()),
                Val::S(who.to_string()),
            ]
        })
        .collect();
    bulk_insert(
        c,
        "reception_sessions",
        &[
            "unit_id",
            "held_on",
            "receiver",
            "receiver_name",
            "turns",
            "people",
            "delegations",
            "note",
            "created_at",
            "created_by",
        ],
        &rows_r,
        "",
    )
    .await?;
    if !cases.is_empty() {
        bump_sequence(c, "cases").await?;
    }
    if !petitions.is_empty() {
        bump_sequence(c, "petitions").await?;
    }
    Ok(ids)
}

/// Rows in the petitions and reception sessions registers, all units together.
pub async fn totals(c: &mut AnyConnection) -> CoreResult<(i64, i64)> {
    let p: Count = rows::fetch_one(
        c,
        sqlx::query_as("SELECT COUNT(*) AS n FROM petitions"),
        "petitions",
    )
    .await?;
    let s: Count = rows::fetch_one(
        c,
        sqlx::query_as("SELECT COUNT(*) AS n FROM reception_sessions"),
        "reception_sessions",
    )
    .await?;
    Ok((p.n, s.n))
}
