//! The registers read for counting: what the report figures are counted from,
//! without names, content or notes. One unit's records, or every unit's at once
//! in a few sequential scans (a national round's recount reads each table once
//! instead of once per recipient). Rows decode into domain values or are
//! refused with the table and column named, as in `registers_repo`.

use chrono::NaiveDate;
use futures_util::TryStreamExt;
use qcdc_core::CoreResult;
use qcdc_core::registers::reception::Receiver;
use qcdc_core::registers::source::InspectionKind;
use qcdc_core::registers::{Channel, Complexity, PetitionKind, Step, StepKind};
use sqlx::{AnyConnection, FromRow};

use crate::registers_repo::Simple;
use crate::rows::{self, day_col, parse_col};

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn count_col(table: &str, col: &str, v: i64) -> CoreResult<u32> {
    u32::try_from(v).map_err(|_| rows::corrupt(table, col, v))
}

/// Which units to read: one, or all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    One(i64),
    All,
}

impl Units {
    /// The SQL condition on `unit_id` (an integer from the database: no input
    /// reaches the text).
    fn clause(self, column: &str) -> String {
        match self {
            Units::One(id) => format!("{column} = {id}"),
            Units::All => "1 = 1".to_string(),
        }
    }
}

/// A petition as counted: no petitioners, summary or content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetitionFacts {
    pub id: i64,
    pub unit_id: i64,
    pub case_id: Option<i64>,
    pub kind: PetitionKind,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub remote: bool,
    pub complexity: Complexity,
    /// Its steps in order.
    pub steps: Vec<Step>,
}

#[derive(FromRow)]
struct FactsRow {
    id: i64,
    unit_id: i64,
    case_id: Option<i64>,
    kind: String,
    channel: String,
    received_on: String,
    remote: i64,
    complexity: String,
}

#[derive(FromRow)]
struct StepRow {
    petition_id: i64,
    seq: i64,
    step_on: String,
    kind: String,
    detail: Option<String>,
    result: Option<String>,
}

/// The petitions of the units received on or before `to`, by id, each with its
/// steps. Reads the petitions, then streams the steps in petition order and
/// attaches them (steps of later petitions are skipped).
pub async fn petitions(
    c: &mut AnyConnection,
    units: Units,
    to: NaiveDate,
) -> CoreResult<Vec<PetitionFacts>> {
    let t = "petitions";
    let sql = format!(
        "SELECT id, unit_id, case_id, kind, channel, received_on, remote, complexity FROM petitions \
         WHERE {} AND received_on <= $1 ORDER BY id",
        units.clause("unit_id")
    );
    let rs: Vec<FactsRow> =
        rows::fetch_all(c, sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(iso(to)), t).await?;
    let mut out = Vec::with_capacity(rs.len());
    for r in rs {
        out.push(PetitionFacts {
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
            remote: r.remote == 1,
            complexity: parse_col(t, "complexity", r.complexity, |s| {
                Complexity::parse(s).ok_or("mức độ không hợp lệ")
            })?,
            steps: Vec::new(),
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    let t = "petition_steps";
    // read in storage order (no sort, no index walk) and put each step with its
    // petition by id; each petition's steps are then ordered by their number
    let sql = match units {
        Units::One(_) => format!(
            "SELECT petition_id, seq, step_on, kind, detail, result FROM petition_steps \
             WHERE petition_id IN (SELECT id FROM petitions WHERE {})",
            units.clause("unit_id")
        ),
        Units::All => {
            "SELECT petition_id, seq, step_on, kind, detail, result FROM petition_steps".to_string()
        }
    };
    let mut numbered: Vec<Vec<(i64, Step)>> = Vec::new();
    numbered.resize_with(out.len(), Vec::new);
    let mut stream = sqlx::query_as::<_, StepRow>(sqlx::AssertSqlSafe(sql)).fetch(&mut *c);
    while let Some(r) = stream
        .try_next()
        .await
        .map_err(|e| rows::corrupt(t, "*", e))?
    {
        // a step of a petition received after `to` has no place here
        let Ok(at) = out.binary_search_by_key(&r.petition_id, |p| p.id) else {
            continue;
        };
        let kind = StepKind::from_parts(&r.kind, r.detail.as_deref(), r.result.as_deref())
            .map_err(|e| rows::corrupt(t, "kind", format!("«{}»: {}", r.kind, e.message)))?;
        numbered[at].push((
            r.seq,
            Step {
                date: day_col(t, "step_on", &r.step_on)?,
                kind,
            },
        ));
    }
    drop(stream);
    for (p, mut steps) in out.iter_mut().zip(numbered) {
        steps.sort_by_key(|(seq, _)| *seq);
        p.steps = steps.into_iter().map(|(_, s)| s).collect();
    }
    Ok(out)
}

/// A reception session as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFacts {
    pub unit_id: i64,
    pub held_on: NaiveDate,
    pub receiver: Receiver,
    pub turns: u32,
    pub people: u32,
    pub delegations: u32,
}

#[derive(FromRow)]
struct SessionRow {
    unit_id: i64,
    held_on: String,
    receiver: String,
    turns: i64,
    people: i64,
    delegations: i64,
}

/// The reception sessions of the units held in `[from, to]`, by date then id.
pub async fn sessions(
    c: &mut AnyConnection,
    units: Units,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<SessionFacts>> {
    let t = "reception_sessions";
    let sql = format!(
        "SELECT unit_id, held_on, receiver, turns, people, delegations FROM reception_sessions \
         WHERE {} AND held_on >= $1 AND held_on <= $2 ORDER BY held_on, id",
        units.clause("unit_id")
    );
    let rs: Vec<SessionRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(iso(from))
            .bind(iso(to)),
        t,
    )
    .await?;
    rs.into_iter()
        .map(|r| {
            Ok(SessionFacts {
                unit_id: r.unit_id,
                held_on: day_col(t, "held_on", &r.held_on)?,
                receiver: parse_col(t, "receiver", r.receiver, |s| {
                    Receiver::parse(s).ok_or("người tiếp không hợp lệ")
                })?,
                turns: count_col(t, "turns", r.turns)?,
                people: count_col(t, "people", r.people)?,
                delegations: count_col(t, "delegations", r.delegations)?,
            })
        })
        .collect()
}

/// A dated entry of a simple register as counted (inspections: their kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryFacts {
    pub unit_id: i64,
    pub on: NaiveDate,
    pub kind: Option<InspectionKind>,
}

#[derive(FromRow)]
struct EntryRow {
    unit_id: i64,
    on_day: String,
    extra: String,
}

/// The entries of a simple register of the units dated in `[from, to]`, by date
/// then id.
pub async fn entries(
    c: &mut AnyConnection,
    which: Simple,
    units: Units,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<EntryFacts>> {
    let (table, col, extra) = match which {
        Simple::Dialogues => ("dialogues", "held_on", "CAST('' AS TEXT)"),
        Simple::Inspections => ("inspections", "held_on", "kind"),
        Simple::Models => ("mobilisation_models", "recognised_on", "CAST('' AS TEXT)"),
    };
    let sql = format!(
        "SELECT unit_id, {col} AS on_day, {extra} AS extra FROM {table} \
         WHERE {} AND {col} >= $1 AND {col} <= $2 ORDER BY {col}, id",
        units.clause("unit_id")
    );
    let rs: Vec<EntryRow> = rows::fetch_all(
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
                Simple::Inspections => Some(parse_col(table, "kind", r.extra, |s| {
                    InspectionKind::parse(s).ok_or("loại không hợp lệ")
                })?),
                _ => None,
            };
            Ok(EntryFacts {
                unit_id: r.unit_id,
                on: day_col(table, col, &r.on_day)?,
                kind,
            })
        })
        .collect()
}

#[derive(FromRow)]
struct UnitRow {
    unit_id: i64,
}

/// The units that have ever written to each register: (petitions, reception
/// sessions, dialogues, inspections, models), each sorted.
pub async fn keeping_units(c: &mut AnyConnection) -> CoreResult<[Vec<i64>; 5]> {
    let mut out: [Vec<i64>; 5] = Default::default();
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
        let rs: Vec<UnitRow> = rows::fetch_all(
            c,
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT DISTINCT unit_id FROM {table} ORDER BY unit_id"
            ))),
            table,
        )
        .await?;
        out[i] = rs.into_iter().map(|r| r.unit_id).collect();
    }
    Ok(out)
}
