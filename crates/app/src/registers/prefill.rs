//! Report figures counted from the registers: for a round and a unit, every
//! indicator of the round's template that carries a `source` is counted over the
//! unit's own registers inside the cut-off window of the round's period (Decree
//! 09/2019). The conventions are those of `core::registers::source` (a case once
//! whatever its number of petitions; a forwarded petition counted by the unit that
//! receives it). A unit counts its own registers only: the figures of the units
//! below reach it through their own reports and consolidation.
//!
//! A register the unit has never written to gives no figure (its zero would not
//! be a count): units that do not keep their books in qcdc type as before.
//!
//! The figures are offered, not written: [`RegisterCounts`] is the application's
//! `sources::PrefillProvider`; the report form shows the counted values and a
//! different typed value needs a written reason. [`records`] lists the records
//! behind one figure.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;

use chrono::NaiveDate;
use qcdc_core::access::Permission;
use qcdc_core::period::format_date;
use qcdc_core::registers::PetitionRules;
use qcdc_core::registers::source::{
    PetitionRecord, Register, RegisterData, SessionRecord, SimpleRegister, Source,
};
use qcdc_core::template::Template;
use qcdc_core::unit::UnitKind;
use qcdc_core::{CoreError, CoreResult};
use qcdc_store::registers_facts::{self, PetitionFacts, Units};
use qcdc_store::registers_repo::{self, Simple};
use qcdc_store::{Conn, rounds_repo, units_repo};
use serde::Serialize;

use super::{petition_rules, require_sight};
use crate::ctx::Ctx;
use crate::rounds::{load, require_visible};
use crate::sources::{PrefillProvider, PrefillRequest, Prefills};

/// One counted figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrefillItem {
    pub indicator: String,
    pub name: String,
    pub unit_of_measure: String,
    pub value: i64,
}

/// The figures a unit's registers give for a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prefill {
    pub round_id: i64,
    pub unit_code: String,
    pub from: String,
    pub to: String,
    pub items: Vec<PrefillItem>,
}

/// A stored petition replayed through the core's rules (every step checked
/// again: a stored history the rules refuse is a corrupt row, not a count).
fn petition_record(f: PetitionFacts, rules: &PetitionRules) -> CoreResult<PetitionRecord> {
    let far = NaiveDate::MAX;
    let mut p = qcdc_core::registers::Petition::new(
        f.kind,
        f.channel,
        f.received_on,
        f.remote,
        f.complexity,
        far,
    )?;
    for s in f.steps {
        p.apply_with(s, far, Some(rules)).map_err(|e| {
            qcdc_store::rows::corrupt(
                "petition_steps",
                "kind",
                format!("đơn #{}: {}", f.id, e.message),
            )
        })?;
    }
    Ok(PetitionRecord {
        id: f.id,
        case_id: f.case_id,
        petition: p,
    })
}

/// What the registers of the units hold, by unit: petitions received up to
/// `to` (earlier ones may still be pending), the other records in `[from, to]`.
/// One scan per table whether for one unit or for all.
async fn register_data_of(
    c: &mut Conn,
    units: Units<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<HashMap<i64, RegisterData>> {
    let rules = petition_rules()?;
    let mut out: HashMap<i64, RegisterData> = HashMap::new();
    for f in registers_facts::petitions(c, units, to).await? {
        let unit = f.unit_id;
        let r = petition_record(f, &rules)?;
        out.entry(unit).or_default().petitions.push(r);
    }
    for s in registers_facts::sessions(c, units, from, to).await? {
        out.entry(s.unit_id)
            .or_default()
            .sessions
            .push(SessionRecord {
                date: s.held_on,
                receiver: s.receiver,
                turns: s.turns,
                people: s.people,
                delegations: s.delegations,
            });
    }
    for which in [Simple::Dialogues, Simple::Inspections, Simple::Models] {
        for e in registers_facts::entries(c, which, units, from, to).await? {
            let d = out.entry(e.unit_id).or_default();
            match which {
                Simple::Dialogues => d.dialogues.push(e.on),
                Simple::Models => d.models.push(e.on),
                Simple::Inspections => {
                    if let Some(k) = e.kind {
                        d.inspections.push((e.on, k));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Everything the unit's registers hold up to `to` (petitions) or in `[from, to]`.
pub(crate) async fn register_data(
    c: &mut Conn,
    unit_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<RegisterData> {
    Ok(register_data_of(c, Units::One(unit_id), from, to)
        .await?
        .remove(&unit_id)
        .unwrap_or_default())
}

/// Whether a unit keeps the register a source counts from, given which of its
/// registers it has written to (petitions, receptions, dialogues, inspections,
/// models).
fn keeps(kept: [bool; 5], s: &Source) -> bool {
    match s.register() {
        Register::Petitions => kept[0],
        Register::Receptions => kept[1],
        Register::Simple(SimpleRegister::Dialogues) => kept[2],
        Register::Simple(SimpleRegister::Inspections) => kept[3],
        Register::Simple(SimpleRegister::Models) => kept[4],
    }
}

/// The counted value of every sourced indicator of the template that applies
/// to the unit's kind and whose register the unit keeps.
fn count_unit(
    template: &Template,
    kind: UnitKind,
    kept: [bool; 5],
    data: &RegisterData,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(String, i64)> {
    template
        .indicators_for(kind)
        .filter_map(|i| {
            i.source
                .as_ref()
                .filter(|s| keeps(kept, s))
                .map(|s| (i.code.clone(), s.count(data, from, to)))
        })
        .collect()
}

/// The counted value of every indicator of the template that names a source,
/// for the unit over `[from, to]` (whole counts, not thousandths).
pub(crate) async fn counts(
    c: &mut Conn,
    template: &Template,
    unit_id: i64,
    kind: UnitKind,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<(String, i64)>> {
    if !template.indicators_for(kind).any(|i| i.source.is_some()) {
        return Ok(Vec::new());
    }
    // a register the unit has never written to counts nothing: its zero is not
    // a count, and the unit types the figure as before
    let kept = registers_repo::kept(c, unit_id).await?;
    if !template
        .indicators_for(kind)
        .any(|i| i.source.as_ref().is_some_and(|s| keeps(kept, s)))
    {
        return Ok(Vec::new());
    }
    let data = register_data(c, unit_id, from, to).await?;
    Ok(count_unit(template, kind, kept, &data, from, to))
}

/// The provider the application gives the report form: figures counted from the
/// unit's own registers.
pub struct RegisterCounts;

impl PrefillProvider for RegisterCounts {
    fn prefill<'a>(
        &'a self,
        c: &'a mut Conn,
        req: PrefillRequest<'a>,
    ) -> Pin<Box<dyn Future<Output = CoreResult<Prefills>> + Send + 'a>> {
        Box::pin(async move {
            Ok(counts(
                c,
                req.template,
                req.unit_id,
                req.unit_kind,
                req.from,
                req.to,
            )
            .await?
            .into_iter()
            .map(|(k, v)| (k, v.saturating_mul(1000)))
            .collect())
        })
    }
}

/// The figures the unit's registers give for the indicators of the round's
/// template that name a source, over the round's cut-off window. Anyone who
/// sees the round and at least the counts of the unit's registers may ask.
pub async fn for_round(cx: &Ctx, round_id: i64, unit_code: &str) -> CoreResult<Prefill> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load(&mut tx, round_id).await?;
        require_visible(cx, &mut tx, &round).await?;
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        let unit = units_repo::by_id(&mut tx, unit.id).await?;
        let template = cx.app().template(&mut tx, round.template_id).await?;
        let (from, to) = round.period.cutoff();
        let counted: BTreeMap<String, i64> =
            counts(&mut tx, &template, unit.id, unit.kind, from, to)
                .await?
                .into_iter()
                .collect();
        let items = template
            .indicators_for(unit.kind)
            .filter_map(|i| {
                counted.get(&i.code).map(|v| PrefillItem {
                    indicator: i.code.clone(),
                    name: i.name.clone(),
                    unit_of_measure: i.unit.clone(),
                    value: *v,
                })
            })
            .collect();
        Ok(Prefill {
            round_id,
            unit_code: unit.code,
            from: format_date(from),
            to: format_date(to),
            items,
        })
    }
    .await;
    tx.finish(r).await
}

/// A column of a round-wide recount: an indicator that names a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FigureColumn {
    pub indicator: String,
    pub name: String,
    pub unit_of_measure: String,
}

/// One recipient's row of a round-wide recount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitFigures {
    pub unit_code: String,
    pub unit_name: String,
    /// One per column; `None` where the indicator does not apply to the unit's
    /// kind or the unit does not keep the register it counts from.
    pub values: Vec<Option<i64>>,
}

/// The figures every recipient's registers give for a round: what each report
/// form offers, counted for the whole round at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundFigures {
    pub round_id: i64,
    pub from: String,
    pub to: String,
    pub columns: Vec<FigureColumn>,
    pub units: Vec<UnitFigures>,
    /// How many figures were counted (cells that are not `None`).
    pub counted: usize,
}

/// Recounts every sourced indicator for every recipient of the round over the
/// round's cut-off window — the same counts [`for_round`] gives one unit, from
/// one read of each register instead of one per recipient. For those who see
/// the issuing committee (its office, leaders and admins, and those above):
/// counts only, never names.
pub async fn for_round_all(cx: &Ctx, round_id: i64) -> CoreResult<RoundFigures> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load(&mut tx, round_id).await?;
        if !cx.may(&mut tx, Permission::View, round.issuer_id).await? {
            return Err(crate::ctx::forbidden());
        }
        let template = cx.app().template(&mut tx, round.template_id).await?;
        let (from, to) = round.period.cutoff();
        let columns: Vec<FigureColumn> = template
            .indicators()
            .iter()
            .filter(|i| i.source.is_some())
            .map(|i| FigureColumn {
                indicator: i.code.clone(),
                name: i.name.clone(),
                unit_of_measure: i.unit.clone(),
            })
            .collect();
        let (recipients, _) = rounds_repo::recipients(
            &mut tx,
            round_id,
            None,
            &Default::default(),
            0,
            i64::MAX / 4,
            None,
        )
        .await?;
        let (mut data, keeping) = if columns.is_empty() {
            (HashMap::new(), Default::default())
        } else {
            (
                register_data_of(&mut tx, Units::All, from, to).await?,
                registers_facts::keeping_units(&mut tx).await?,
            )
        };
        let empty = RegisterData::default();
        let mut counted = 0;
        let units = recipients
            .into_iter()
            .map(|r| {
                let kept: [bool; 5] =
                    std::array::from_fn(|i| keeping[i].binary_search(&r.unit_id).is_ok());
                let d = data.remove(&r.unit_id);
                let found: HashMap<String, i64> = if kept.iter().any(|k| *k) {
                    count_unit(
                        &template,
                        r.kind,
                        kept,
                        d.as_ref().unwrap_or(&empty),
                        from,
                        to,
                    )
                    .into_iter()
                    .collect()
                } else {
                    HashMap::new()
                };
                let values: Vec<Option<i64>> = columns
                    .iter()
                    .map(|c| found.get(&c.indicator).copied())
                    .collect();
                counted += values.iter().flatten().count();
                UnitFigures {
                    unit_code: r.unit_code,
                    unit_name: r.unit_name,
                    values,
                }
            })
            .collect();
        Ok(RoundFigures {
            round_id,
            from: format_date(from),
            to: format_date(to),
            columns,
            units,
            counted,
        })
    }
    .await;
    tx.finish(r).await
}

/// One record behind a counted figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRecord {
    pub date: String,
    /// What the record is, without names (anyone who sees the counts may look).
    pub label: String,
    /// How much it adds (sessions: turns, people or delegations; else 1).
    pub adds: i64,
    /// The petition's page, when the record is a petition.
    pub petition_id: Option<i64>,
    pub case_id: Option<i64>,
}

/// The records behind one prefilled figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRecords {
    pub round_id: i64,
    pub unit_code: String,
    pub indicator: String,
    pub name: String,
    pub unit_of_measure: String,
    pub from: String,
    pub to: String,
    pub value: i64,
    /// Cases are counted once whatever their number of petitions.
    pub counts_cases: bool,
    pub records: Vec<SourceRecord>,
}

/// The records of the unit's registers that make up the figure of one indicator
/// in a round (the link next to a prefilled value). Same rights as [`for_round`].
pub async fn records(
    cx: &Ctx,
    round_id: i64,
    unit_code: &str,
    indicator: &str,
) -> CoreResult<SourceRecords> {
    let mut tx = cx.app().db().read().await?;
    let r = async {
        let round = load(&mut tx, round_id).await?;
        require_visible(cx, &mut tx, &round).await?;
        let (unit, _) = require_sight(cx, &mut tx, unit_code).await?;
        let template = cx.app().template(&mut tx, round.template_id).await?;
        let ind = template
            .indicator(indicator)
            .filter(|i| i.source.is_some())
            .ok_or_else(|| {
                CoreError::not_found(format!("chỉ tiêu «{indicator}» lấy số liệu từ sổ theo dõi"))
            })?;
        let Some(source) = ind.source.clone() else {
            return Err(CoreError::not_found(indicator.to_string()));
        };
        let (from, to) = round.period.cutoff();
        let mut out = Vec::new();
        match source.register() {
            Register::Petitions => {
                let data = register_data(&mut tx, unit.id, from, to).await?;
                for r in data
                    .petitions
                    .iter()
                    .filter(|r| source.petition_matches(r, from, to))
                {
                    out.push(SourceRecord {
                        date: format_date(r.petition.received),
                        label: format!(
                            "Đơn {} — {}",
                            r.petition.kind.label_vi().to_lowercase(),
                            r.petition.state().label_vi()
                        ),
                        adds: 1,
                        petition_id: Some(r.id),
                        case_id: r.case_id,
                    });
                }
            }
            Register::Receptions => {
                for s in registers_repo::sessions(&mut tx, &[unit.id], from, to).await? {
                    let rec = SessionRecord {
                        date: s.held_on,
                        receiver: s.receiver,
                        turns: s.turns,
                        people: s.people,
                        delegations: s.delegations,
                    };
                    if !source.session_matches(&rec, from, to) {
                        continue;
                    }
                    let one = RegisterData {
                        sessions: vec![rec],
                        ..Default::default()
                    };
                    out.push(SourceRecord {
                        date: format_date(s.held_on),
                        label: format!(
                            "Buổi tiếp công dân — {}: {} lượt, {} người",
                            s.receiver.label_vi(),
                            s.turns,
                            s.people
                        ),
                        adds: source.count(&one, from, to),
                        petition_id: None,
                        case_id: None,
                    });
                }
            }
            Register::Simple(which) => {
                let (repo, what) = match which {
                    SimpleRegister::Dialogues => (Simple::Dialogues, "Đối thoại"),
                    SimpleRegister::Inspections => (Simple::Inspections, "Kiểm tra, giám sát"),
                    SimpleRegister::Models => (Simple::Models, "Mô hình “Dân vận khéo”"),
                };
                for e in registers_repo::simple(&mut tx, repo, &[unit.id], from, to).await? {
                    if source.entry_matches(which, e.on, e.kind, from, to) {
                        out.push(SourceRecord {
                            date: format_date(e.on),
                            label: format!("{what}: {}", e.title),
                            adds: 1,
                            petition_id: None,
                            case_id: None,
                        });
                    }
                }
            }
        }
        let data_value = counts(&mut tx, &template, unit.id, unit.kind, from, to)
            .await?
            .into_iter()
            .find(|(k, _)| k == indicator)
            .map_or(0, |(_, v)| v);
        Ok(SourceRecords {
            round_id,
            unit_code: unit.code,
            indicator: ind.code.clone(),
            name: ind.name.clone(),
            unit_of_measure: ind.unit.clone(),
            from: format_date(from),
            to: format_date(to),
            value: data_value,
            counts_cases: matches!(
                source,
                qcdc_core::registers::source::Source::Petitions {
                    measure: qcdc_core::registers::source::PetitionMeasure::Cases,
                    ..
                }
            ),
            records: out,
        })
    }
    .await;
    tx.finish(r).await
}
