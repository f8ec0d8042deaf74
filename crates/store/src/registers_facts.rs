//! The registers read for counting: what the report figures are counted from,
//! without names, content or notes. One unit's records, or every unit's at once
//! in a few sequential scans (a national round's recount reads each table once
//! instead of once per recipient). Rows decode into domain values or are
//! refused with the table and column named, as in `registers_repo`.

use chrono::NaiveDate;
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

/// Which units to read: one, some, or all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units<'a> {
    One(i64),
    Some(&'a [i64]),
    All,
}

impl Units<'_> {
    /// The SQL condition on `unit_id` (integers from the database: no input
    /// reaches the text).
    fn clause(self, column: &str) -> String {
        match self {
            Units::One(id) => format!("{column} = {id}"),
            Units::Some(ids) => format!("{column} IN ({})", rows::id_list(ids)),
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
struct UnitPetitionsRow {
    unit_id: i64,
    petitions: String,
}

/// What a step's text reads as when counting: the reason of a refusal and the
/// body a petition was forwarded to are not read (no count depends on them).
pub const UNREAD_TEXT: &str = "…";

/// The petitions of the units received on or before `to`, each with its steps.
///
/// The database folds each unit's petitions into one text — petitions joined by
/// `~`, a petition's fields by `|` (`id|case|kind|channel|received|remote|
/// complexity|steps`), its steps by `;` and a step's fields by `,`
/// (`seq,date,kind,result,text?`); every part is a number, an ISO date or a
/// fixed code, so no separator can occur inside one. A national recount then
/// reads one row per unit instead of one per petition and per step (the
/// per-row cost of the driver was most of its time). Petitions come back by id
/// within each unit, steps by their number.
pub async fn petitions(
    c: &mut AnyConnection,
    units: Units<'_>,
    to: NaiveDate,
) -> CoreResult<Vec<PetitionFacts>> {
    let fold = if c.backend_name() == "PostgreSQL" {
        "string_agg"
    } else {
        "group_concat"
    };
    let sql = format!(
        "SELECT p.unit_id AS unit_id, {fold}(CAST(p.id AS TEXT) || '|' || COALESCE(CAST(p.case_id AS TEXT), '') \
         || '|' || p.kind || '|' || p.channel || '|' || p.received_on || '|' || CAST(p.remote AS TEXT) \
         || '|' || p.complexity || '|' || COALESCE((SELECT {fold}(CAST(s.seq AS TEXT) || ',' || s.step_on \
         || ',' || s.kind || ',' || COALESCE(s.result, '') || ',' \
         || CASE WHEN COALESCE(s.detail, '') = '' THEN '' ELSE '+' END, ';') \
         FROM petition_steps s WHERE s.petition_id = p.id), ''), '~') AS petitions \
         FROM petitions p WHERE {} AND p.received_on <= $1 GROUP BY p.unit_id ORDER BY p.unit_id",
        units.clause("p.unit_id")
    );
    let rs: Vec<UnitPetitionsRow> = rows::fetch_all(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(iso(to)),
        "petitions",
    )
    .await?;
    let mut out = Vec::new();
    for r in rs {
        let start = out.len();
        for one in r.petitions.split('~') {
            out.push(unfold_petition(r.unit_id, one)?);
        }
        out[start..].sort_by_key(|p| p.id);
    }
    Ok(out)
}

/// One petition from its folded text.
fn unfold_petition(unit_id: i64, folded: &str) -> CoreResult<PetitionFacts> {
    let t = "petitions";
    let bad = || rows::corrupt(t, "*", format!("«{folded}»"));
    let f: Vec<&str> = folded.split('|').collect();
    let [id, case, kind, channel, received, remote, complexity, steps] = f[..] else {
        return Err(bad());
    };
    Ok(PetitionFacts {
        id: id.parse().map_err(|_| bad())?,
        unit_id,
        case_id: if case.is_empty() {
            None
        } else {
            Some(case.parse().map_err(|_| bad())?)
        },
        kind: parse_col(t, "kind", kind.to_string(), |s| {
            PetitionKind::parse(s).ok_or("loại đơn không hợp lệ")
        })?,
        channel: parse_col(t, "channel", channel.to_string(), |s| {
            Channel::parse(s).ok_or("kênh không hợp lệ")
        })?,
        received_on: day_col(t, "received_on", received)?,
        remote: match remote {
            "0" => false,
            "1" => true,
            _ => return Err(rows::corrupt(t, "remote", remote)),
        },
        complexity: parse_col(t, "complexity", complexity.to_string(), |s| {
            Complexity::parse(s).ok_or("mức độ không hợp lệ")
        })?,
        steps: if steps.is_empty() {
            Vec::new()
        } else {
            unfold_steps(steps)?
        },
    })
}

/// The steps of one petition from their folded text, in order of their number.
fn unfold_steps(folded: &str) -> CoreResult<Vec<Step>> {
    let t = "petition_steps";
    let mut steps = Vec::new();
    for one in folded.split(';') {
        let bad = || rows::corrupt(t, "*", format!("«{one}»"));
        let f: Vec<&str> = one.split(',').collect();
        let [seq, day, kind, result, text] = f[..] else {
            return Err(bad());
        };
        let seq: i64 = seq.parse().map_err(|_| bad())?;
        let text = (text == "+").then_some(UNREAD_TEXT);
        let result = (!result.is_empty()).then_some(result);
        let kind = StepKind::from_parts(kind, text, result)
            .map_err(|e| rows::corrupt(t, "kind", format!("«{kind}»: {}", e.message)))?;
        steps.push((
            seq,
            Step {
                date: day_col(t, "step_on", day)?,
                kind,
            },
        ));
    }
    steps.sort_by_key(|(seq, _)| *seq);
    Ok(steps.into_iter().map(|(_, s)| s).collect())
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
    units: Units<'_>,
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
    units: Units<'_>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use qcdc_core::registers::ConclusionResult;

    #[test]
    fn folded_steps_come_back_in_order_of_their_number() {
        let steps =
            unfold_steps("3,2026-03-20,concluded,partly_right,;1,2026-03-02,accepted,,;2,2026-03-05,verification,,")
                .unwrap();
        assert_eq!(
            steps.iter().map(|s| s.date.to_string()).collect::<Vec<_>>(),
            vec!["2026-03-02", "2026-03-05", "2026-03-20"]
        );
        assert_eq!(steps[0].kind, StepKind::Accepted);
        assert_eq!(
            steps[2].kind,
            StepKind::Concluded {
                result: ConclusionResult::PartlyRight
            }
        );
        // a refusal's reason is present but not read
        let r = unfold_steps("1,2026-01-05,refused,,+").unwrap();
        assert_eq!(
            r[0].kind,
            StepKind::Refused {
                reason: UNREAD_TEXT.to_string()
            }
        );
    }

    #[test]
    fn a_malformed_fold_is_refused_naming_the_table() {
        for bad in [
            "1,2026-01-05,accepted,",
            "x,2026-01-05,accepted,,",
            "1,2026-01-05,accepted,,,",
            "1,05/01/2026,accepted,,",
            "1,2026-01-05,flown,,",
            "1,2026-01-05,refused,,",
        ] {
            let e = unfold_steps(bad).unwrap_err();
            assert!(e.message.contains("petition_steps"), "{bad}: {}", e.message);
        }
        for bad in [
            "12|3|khieu_nai|direct|2026-01-05|0|normal",
            "12|3|khieu_nai|direct|2026-01-05|2|normal|",
            "12|x|khieu_nai|direct|2026-01-05|0|normal|",
            "12||khieu_nai|pigeon|2026-01-05|0|normal|",
        ] {
            let e = unfold_petition(7, bad).unwrap_err();
            assert!(e.message.contains("petitions"), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn a_folded_petition_reads_back_with_its_steps() {
        let p = unfold_petition(
            7,
            "12|3|khieu_nai|direct|2026-01-05|1|complex|2,2026-01-20,concluded,right,;1,2026-01-08,accepted,,",
        )
        .unwrap();
        assert_eq!(
            (p.id, p.unit_id, p.case_id, p.remote),
            (12, 7, Some(3), true)
        );
        assert_eq!(p.kind, PetitionKind::KhieuNai);
        assert_eq!(p.complexity, Complexity::Complex);
        assert_eq!(p.steps.len(), 2);
        assert_eq!(p.steps[0].kind, StepKind::Accepted);
        let q = unfold_petition(7, "13||kien_nghi|post|2026-02-01|0|normal|").unwrap();
        assert_eq!((q.case_id, q.steps.len()), (None, 0));
    }
}
