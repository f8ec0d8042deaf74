//! Registers as stored (migration 6): the holiday years an admin has stored,
//! reception sessions, petitions with their steps and cases, dialogues,
//! inspections and "Dân vận khéo" models. Rows decode into domain values or are
//! refused with the table and column named; no rule is applied here (the use
//! cases replay the steps through `core::registers::petition`).

use chrono::NaiveDate;
use qcdc_core::CoreResult;
use qcdc_core::registers::entries::{
    DialogueDetail, EntryDetail, InspectionBody, InspectionDetail, ModelDetail, ModelHolder,
    ModelLevel,
};
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

/// An entry of a simple register: a date, a title, for inspections a kind, for
/// dialogues the number of participants, for models the field, and the
/// register's details (migration 10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleEntry {
    pub id: i64,
    pub unit_id: i64,
    pub on: NaiveDate,
    pub title: String,
    /// Dialogues: participants; others: unused (0).
    pub number: u32,
    /// Inspections: inspection or supervision.
    pub kind: Option<InspectionKind>,
    /// Models: the field (lĩnh vực).
    pub field: String,
    /// The details; its variant must match the register.
    pub detail: EntryDetail,
}

fn opt_count(table: &str, col: &str, v: Option<i64>) -> CoreResult<Option<u32>> {
    v.map(|v| count_col(table, col, v)).transpose()
}

fn opt_i64(v: Option<u32>) -> Option<i64> {
    v.map(i64::from)
}

pub async fn insert_simple(
    c: &mut AnyConnection,
    which: Simple,
    e: &SimpleEntry,
    who: &str,
) -> CoreResult<i64> {
    let at = now();
    let who = who.to_string();
    let r: Id = match (which, &e.detail) {
        (Simple::Dialogues, EntryDetail::Dialogue(d)) => {
            rows::fetch_one(
                c,
                sqlx::query_as(
                    "INSERT INTO dialogues (unit_id, held_on, topic, participants, leader_name, leader_position, \
                     issues_raised, issues_answered, created_at, created_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(e.unit_id)
                .bind(iso(e.on))
                .bind(e.title.clone())
                .bind(i64::from(e.number))
                .bind(d.leader_name.clone())
                .bind(d.leader_position.clone())
                .bind(opt_i64(d.issues_raised))
                .bind(opt_i64(d.issues_answered))
                .bind(at)
                .bind(who),
                "dialogues",
            )
            .await?
        }
        (Simple::Inspections, EntryDetail::Inspection(d)) => {
            rows::fetch_one(
                c,
                sqlx::query_as(
                    "INSERT INTO inspections (unit_id, held_on, subject, kind, body, team, inspected, findings, \
                     recommendations_made, recommendations_done, created_at, created_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                )
                .bind(e.unit_id)
                .bind(iso(e.on))
                .bind(e.title.clone())
                .bind(
                    e.kind
                        .unwrap_or(InspectionKind::Inspection)
                        .as_str()
                        .to_string(),
                )
                .bind(d.body.map(|b| b.as_str().to_string()))
                .bind(d.team.clone())
                .bind(d.inspected.clone())
                .bind(d.findings.clone())
                .bind(opt_i64(d.recommendations_made))
                .bind(opt_i64(d.recommendations_done))
                .bind(at)
                .bind(who),
                "inspections",
            )
            .await?
        }
        (Simple::Models, EntryDetail::Model(d)) => {
            rows::fetch_one(
                c,
                sqlx::query_as(
                    "INSERT INTO mobilisation_models (unit_id, recognised_on, name, field, holder, level, \
                     registered_year, commended, commended_by, created_at, created_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(e.unit_id)
                .bind(iso(e.on))
                .bind(e.title.clone())
                .bind(e.field.clone())
                .bind(d.holder.map(|h| h.as_str().to_string()))
                .bind(d.level.map(|l| l.as_str().to_string()))
                .bind(d.registered_year.map(i64::from))
                .bind(d.commended.map(i64::from))
                .bind(d.commended_by.clone())
                .bind(at)
                .bind(who),
                "mobilisation_models",
            )
            .await?
        }
        _ => {
            return Err(qcdc_core::CoreError::invalid(
                "Nội dung ghi không khớp với sổ",
            ));
        }
    };
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

#[derive(FromRow)]
struct DialogueRow {
    id: i64,
    unit_id: i64,
    held_on: String,
    topic: String,
    participants: i64,
    leader_name: String,
    leader_position: String,
    issues_raised: Option<i64>,
    issues_answered: Option<i64>,
}

#[derive(FromRow)]
struct InspectionRow {
    id: i64,
    unit_id: i64,
    held_on: String,
    subject: String,
    kind: String,
    body: Option<String>,
    team: String,
    inspected: String,
    findings: String,
    recommendations_made: Option<i64>,
    recommendations_done: Option<i64>,
}

#[derive(FromRow)]
struct ModelRow {
    id: i64,
    unit_id: i64,
    recognised_on: String,
    name: String,
    field: String,
    holder: Option<String>,
    level: Option<String>,
    registered_year: Option<i64>,
    commended: Option<i64>,
    commended_by: String,
}

fn decode_dialogue(r: DialogueRow) -> CoreResult<SimpleEntry> {
    let t = "dialogues";
    Ok(SimpleEntry {
        id: r.id,
        unit_id: r.unit_id,
        on: day_col(t, "held_on", &r.held_on)?,
        title: r.topic,
        number: count_col(t, "participants", r.participants)?,
        kind: None,
        field: String::new(),
        detail: EntryDetail::Dialogue(DialogueDetail {
            leader_name: r.leader_name,
            leader_position: r.leader_position,
            issues_raised: opt_count(t, "issues_raised", r.issues_raised)?,
            issues_answered: opt_count(t, "issues_answered", r.issues_answered)?,
        }),
    })
}

fn decode_inspection(r: InspectionRow) -> CoreResult<SimpleEntry> {
    let t = "inspections";
    Ok(SimpleEntry {
        id: r.id,
        unit_id: r.unit_id,
        on: day_col(t, "held_on", &r.held_on)?,
        title: r.subject,
        number: 0,
        kind: Some(parse_col(t, "kind", r.kind, |s| {
            InspectionKind::parse(s).ok_or("loại không hợp lệ")
        })?),
        field: String::new(),
        detail: EntryDetail::Inspection(InspectionDetail {
            body: r
                .body
                .map(|b| {
                    parse_col(t, "body", b, |s| {
                        InspectionBody::parse(s).ok_or("cơ quan thực hiện không hợp lệ")
                    })
                })
                .transpose()?,
            team: r.team,
            inspected: r.inspected,
            findings: r.findings,
            recommendations_made: opt_count(t, "recommendations_made", r.recommendations_made)?,
            recommendations_done: opt_count(t, "recommendations_done", r.recommendations_done)?,
        }),
    })
}

fn decode_model(r: ModelRow) -> CoreResult<SimpleEntry> {
    let t = "mobilisation_models";
    Ok(SimpleEntry {
        id: r.id,
        unit_id: r.unit_id,
        on: day_col(t, "recognised_on", &r.recognised_on)?,
        title: r.name,
        number: 0,
        kind: None,
        field: r.field,
        detail: EntryDetail::Model(ModelDetail {
            holder: r
                .holder
                .map(|h| {
                    parse_col(t, "holder", h, |s| {
                        ModelHolder::parse(s).ok_or("tập thể/cá nhân không hợp lệ")
                    })
                })
                .transpose()?,
            level: r
                .level
                .map(|l| {
                    parse_col(t, "level", l, |s| {
                        ModelLevel::parse(s).ok_or("cấp không hợp lệ")
                    })
                })
                .transpose()?,
            registered_year: r
                .registered_year
                .map(|y| i32::try_from(y).map_err(|_| rows::corrupt(t, "registered_year", y)))
                .transpose()?,
            commended: match r.commended {
                None => None,
                Some(0) => Some(false),
                Some(1) => Some(true),
                Some(v) => return Err(rows::corrupt(t, "commended", v)),
            },
            commended_by: r.commended_by,
        }),
    })
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
    let cols = match which {
        Simple::Dialogues => {
            "id, unit_id, held_on, topic, participants, leader_name, leader_position, issues_raised, issues_answered"
        }
        Simple::Inspections => {
            "id, unit_id, held_on, subject, kind, body, team, inspected, findings, recommendations_made, recommendations_done"
        }
        Simple::Models => {
            "id, unit_id, recognised_on, name, field, holder, level, registered_year, commended, commended_by"
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
        "SELECT {cols} FROM {table} WHERE unit_id IN ({}) AND {col} >= $1 AND {col} <= $2 {order}",
        rows::id_list(unit_ids)
    );
    match which {
        Simple::Dialogues => {
            let rs: Vec<DialogueRow> = rows::fetch_all(
                c,
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(iso(from))
                    .bind(iso(to)),
                table,
            )
            .await?;
            rs.into_iter().map(decode_dialogue).collect()
        }
        Simple::Inspections => {
            let rs: Vec<InspectionRow> = rows::fetch_all(
                c,
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(iso(from))
                    .bind(iso(to)),
                table,
            )
            .await?;
            rs.into_iter().map(decode_inspection).collect()
        }
        Simple::Models => {
            let rs: Vec<ModelRow> = rows::fetch_all(
                c,
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(iso(from))
                    .bind(iso(to)),
                table,
            )
            .await?;
            rs.into_iter().map(decode_model).collect()
        }
    }
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
