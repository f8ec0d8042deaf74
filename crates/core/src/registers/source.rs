//! Report figures counted from the registers. An indicator of a template may carry
//! a `source`, e.g.
//!
//! ```toml
//! source = { register = "petitions", kind = "khieu_nai", measure = "cases", filter = "resolved" }
//! source = { register = "receptions", measure = "turns", receiver = "chairman" }
//! ```
//!
//! which is checked when the template is loaded (an unknown register, measure,
//! kind, filter or receiver refuses the template) and counted over the records of
//! a unit inside a cut-off window `[from, to]` (both days included).
//!
//! Counting conventions:
//! - `measure = "petitions"` counts petitions (đơn); `measure = "cases"` counts
//!   cases (vụ việc): the petitions linked into one case count once, whatever their
//!   number; a petition linked to no case is a case of its own. A case counts when
//!   any of its petitions matches the kind and filter.
//! - a petition forwarded to another body (chuyển đơn) on or before `to` is counted
//!   by the receiving unit (which records it with the channel "chuyển đến"), not by
//!   the forwarding one: it is left out of every filter but `forwarded`.
//! - filters: `received` (received in the window, the default), `accepted`
//!   (thụ lý in the window), `resolved` (a conclusion in the window; `result`
//!   narrows to its finding), `pending` (received by `to` and still open on `to`),
//!   `forwarded` (forwarded by this unit in the window).
//! - receptions: `sessions` (buổi tiếp), `turns` (lượt), `people` (người),
//!   `delegations` (đoàn đông người) of sessions dated in the window, optionally of
//!   one `receiver`.
//! - dialogues, inspections (`kind` = inspection | supervision) and "Dân vận khéo"
//!   models (recognised in the window): `measure = "count"`.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::PetitionKind;
use super::petition::{ConclusionResult, Petition, PetitionState, StepKind};
use super::reception::Receiver;

/// The file form of a source (as written in a template).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    pub register: String,
    pub measure: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PetitionMeasure {
    Petitions,
    Cases,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PetitionFilter {
    Received,
    Accepted,
    Resolved,
    Pending,
    Forwarded,
}

impl PetitionFilter {
    const ALL: [PetitionFilter; 5] = [
        Self::Received,
        Self::Accepted,
        Self::Resolved,
        Self::Pending,
        Self::Forwarded,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::Resolved => "resolved",
            Self::Pending => "pending",
            Self::Forwarded => "forwarded",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceptionMeasure {
    Sessions,
    Turns,
    People,
    Delegations,
}

impl ReceptionMeasure {
    const ALL: [ReceptionMeasure; 4] =
        [Self::Sessions, Self::Turns, Self::People, Self::Delegations];

    fn as_str(self) -> &'static str {
        match self {
            Self::Sessions => "sessions",
            Self::Turns => "turns",
            Self::People => "people",
            Self::Delegations => "delegations",
        }
    }
}

/// Inspection or supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// Kiểm tra.
    Inspection,
    /// Giám sát.
    Supervision,
}

impl InspectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inspection => "inspection",
            Self::Supervision => "supervision",
        }
    }

    pub fn parse(s: &str) -> Option<InspectionKind> {
        match s.trim() {
            "inspection" => Some(Self::Inspection),
            "supervision" => Some(Self::Supervision),
            _ => None,
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Inspection => "Kiểm tra",
            Self::Supervision => "Giám sát",
        }
    }
}

/// A checked source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SourceDef", into = "SourceDef")]
pub enum Source {
    Petitions {
        kind: Option<PetitionKind>,
        measure: PetitionMeasure,
        filter: PetitionFilter,
        result: Option<ConclusionResult>,
    },
    Receptions {
        measure: ReceptionMeasure,
        receiver: Option<Receiver>,
    },
    Dialogues,
    Inspections {
        kind: Option<InspectionKind>,
    },
    Models,
}

fn one_of(what: &str, value: &str, allowed: &[&str]) -> String {
    format!("{what} «{value}» không hợp lệ ({})", allowed.join(", "))
}

impl TryFrom<SourceDef> for Source {
    type Error = String;

    fn try_from(d: SourceDef) -> Result<Source, String> {
        let unused = |field: &str, v: &Option<String>| -> Result<(), String> {
            match v {
                Some(_) => Err(format!(
                    "nguồn «{}» không dùng trường «{field}»",
                    d.register
                )),
                None => Ok(()),
            }
        };
        let count_only = |d: &SourceDef| -> Result<(), String> {
            if d.measure == "count" {
                Ok(())
            } else {
                Err(one_of("Cách đếm", &d.measure, &["count"]))
            }
        };
        match d.register.as_str() {
            "petitions" => {
                unused("receiver", &d.receiver)?;
                let kind = d
                    .kind
                    .as_deref()
                    .map(|k| {
                        PetitionKind::parse(k).ok_or_else(|| {
                            one_of("Loại đơn", k, &["khieu_nai", "to_cao", "kien_nghi"])
                        })
                    })
                    .transpose()?;
                let measure = match d.measure.as_str() {
                    "petitions" => PetitionMeasure::Petitions,
                    "cases" => PetitionMeasure::Cases,
                    m => return Err(one_of("Cách đếm", m, &["petitions", "cases"])),
                };
                let filter = match d.filter.as_deref() {
                    None => PetitionFilter::Received,
                    Some(f) => PetitionFilter::ALL
                        .into_iter()
                        .find(|x| x.as_str() == f)
                        .ok_or_else(|| {
                            one_of(
                                "Bộ lọc",
                                f,
                                &PetitionFilter::ALL.map(PetitionFilter::as_str),
                            )
                        })?,
                };
                let result = d
                    .result
                    .as_deref()
                    .map(|r| {
                        ConclusionResult::parse(r).ok_or_else(|| {
                            one_of("Kết quả", r, &["right", "partly_right", "wrong"])
                        })
                    })
                    .transpose()?;
                if result.is_some() && filter != PetitionFilter::Resolved {
                    return Err("«result» chỉ dùng với filter = \"resolved\"".into());
                }
                Ok(Source::Petitions {
                    kind,
                    measure,
                    filter,
                    result,
                })
            }
            "receptions" => {
                unused("kind", &d.kind)?;
                unused("filter", &d.filter)?;
                unused("result", &d.result)?;
                let measure = ReceptionMeasure::ALL
                    .into_iter()
                    .find(|m| m.as_str() == d.measure)
                    .ok_or_else(|| {
                        one_of(
                            "Cách đếm",
                            &d.measure,
                            &ReceptionMeasure::ALL.map(ReceptionMeasure::as_str),
                        )
                    })?;
                let receiver = d
                    .receiver
                    .as_deref()
                    .map(|r| {
                        Receiver::parse(r).ok_or_else(|| {
                            one_of("Người tiếp", r, &Receiver::ALL.map(Receiver::as_str))
                        })
                    })
                    .transpose()?;
                Ok(Source::Receptions { measure, receiver })
            }
            "dialogues" | "models" => {
                unused("kind", &d.kind)?;
                unused("filter", &d.filter)?;
                unused("result", &d.result)?;
                unused("receiver", &d.receiver)?;
                count_only(&d)?;
                Ok(if d.register == "dialogues" {
                    Source::Dialogues
                } else {
                    Source::Models
                })
            }
            "inspections" => {
                unused("filter", &d.filter)?;
                unused("result", &d.result)?;
                unused("receiver", &d.receiver)?;
                count_only(&d)?;
                let kind = d
                    .kind
                    .as_deref()
                    .map(|k| {
                        InspectionKind::parse(k)
                            .ok_or_else(|| one_of("Loại", k, &["inspection", "supervision"]))
                    })
                    .transpose()?;
                Ok(Source::Inspections { kind })
            }
            r => Err(one_of(
                "Sổ",
                r,
                &[
                    "petitions",
                    "receptions",
                    "dialogues",
                    "inspections",
                    "models",
                ],
            )),
        }
    }
}

impl From<Source> for SourceDef {
    fn from(s: Source) -> SourceDef {
        let mut d = SourceDef {
            register: String::new(),
            measure: "count".into(),
            kind: None,
            filter: None,
            result: None,
            receiver: None,
        };
        match s {
            Source::Petitions {
                kind,
                measure,
                filter,
                result,
            } => {
                d.register = "petitions".into();
                d.measure = match measure {
                    PetitionMeasure::Petitions => "petitions",
                    PetitionMeasure::Cases => "cases",
                }
                .into();
                d.kind = kind.map(|k| k.as_str().into());
                d.filter = Some(filter.as_str().into());
                d.result = result.map(|r| r.as_str().into());
            }
            Source::Receptions { measure, receiver } => {
                d.register = "receptions".into();
                d.measure = measure.as_str().into();
                d.receiver = receiver.map(|r| r.as_str().into());
            }
            Source::Dialogues => d.register = "dialogues".into(),
            Source::Models => d.register = "models".into(),
            Source::Inspections { kind } => {
                d.register = "inspections".into();
                d.kind = kind.map(|k| k.as_str().into());
            }
        }
        d
    }
}

/// A petition as counted: its checked steps and the case it belongs to.
#[derive(Debug, Clone)]
pub struct PetitionRecord {
    pub id: i64,
    pub case_id: Option<i64>,
    pub petition: Petition,
}

/// A reception session as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRecord {
    pub date: NaiveDate,
    pub receiver: Receiver,
    pub turns: u32,
    pub people: u32,
    pub delegations: u32,
}

/// The records of a unit the figures are counted from.
#[derive(Debug, Clone, Default)]
pub struct RegisterData {
    pub petitions: Vec<PetitionRecord>,
    pub sessions: Vec<SessionRecord>,
    pub dialogues: Vec<NaiveDate>,
    pub inspections: Vec<(NaiveDate, InspectionKind)>,
    /// The dates "Dân vận khéo" models were recognised.
    pub models: Vec<NaiveDate>,
}

fn within(d: NaiveDate, from: NaiveDate, to: NaiveDate) -> bool {
    from <= d && d <= to
}

/// The state of a petition on a day, from its steps up to that day.
fn state_on(p: &Petition, day: NaiveDate) -> PetitionState {
    let mut st = PetitionState::Received;
    for s in p.steps().iter().take_while(|s| s.date <= day) {
        st = match (&s.kind, st) {
            (StepKind::Accepted, _) => PetitionState::Accepted,
            (StepKind::Refused { .. }, _) => PetitionState::Refused,
            (StepKind::Forwarded { .. }, _) => PetitionState::Forwarded,
            (StepKind::Withdrawn, _) => PetitionState::Withdrawn,
            (StepKind::SecondInstance, _) => PetitionState::SecondInstance,
            (StepKind::Concluded { .. }, PetitionState::SecondInstance) => {
                PetitionState::ResolvedSecond
            }
            (StepKind::Concluded { .. }, _) => PetitionState::Resolved,
            (_, st) => st,
        };
    }
    st
}

impl Source {
    /// Whether a petition is one of the records this source counts in `[from, to]`
    /// (for `measure = "cases"` the matching petitions are then counted by case).
    pub fn petition_matches(&self, r: &PetitionRecord, from: NaiveDate, to: NaiveDate) -> bool {
        let Source::Petitions {
            kind,
            filter,
            result,
            ..
        } = *self
        else {
            return false;
        };
        let p = &r.petition;
        if kind.is_some_and(|k| k != p.kind) || p.received > to {
            return false;
        }
        let forwarded = p.date_of("forwarded");
        if filter == PetitionFilter::Forwarded {
            return forwarded.is_some_and(|d| within(d, from, to));
        }
        if forwarded.is_some_and(|d| d <= to) {
            return false;
        }
        match filter {
            PetitionFilter::Received => within(p.received, from, to),
            PetitionFilter::Accepted => p
                .steps()
                .iter()
                .any(|s| s.kind == StepKind::Accepted && within(s.date, from, to)),
            PetitionFilter::Resolved => p
                .steps()
                .iter()
                .rev()
                .find_map(|s| s.kind.result().filter(|_| within(s.date, from, to)))
                .is_some_and(|found| result.is_none_or(|want| want == found)),
            PetitionFilter::Pending => !state_on(p, to).is_closed(),
            PetitionFilter::Forwarded => false,
        }
    }

    /// Whether a reception session is one this source counts in `[from, to]`.
    pub fn session_matches(&self, s: &SessionRecord, from: NaiveDate, to: NaiveDate) -> bool {
        match *self {
            Source::Receptions { receiver, .. } => {
                within(s.date, from, to) && receiver.is_none_or(|r| r == s.receiver)
            }
            _ => false,
        }
    }

    /// Whether an entry of a simple register (dialogue, inspection, model) dated
    /// `on` is one this source counts in `[from, to]`.
    pub fn entry_matches(
        &self,
        register: SimpleRegister,
        on: NaiveDate,
        inspection: Option<InspectionKind>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> bool {
        if !within(on, from, to) {
            return false;
        }
        match (self, register) {
            (Source::Dialogues, SimpleRegister::Dialogues)
            | (Source::Models, SimpleRegister::Models) => true,
            (Source::Inspections { kind }, SimpleRegister::Inspections) => {
                kind.is_none_or(|w| Some(w) == inspection)
            }
            _ => false,
        }
    }

    /// The register this source counts from.
    pub fn register(&self) -> Register {
        match self {
            Source::Petitions { .. } => Register::Petitions,
            Source::Receptions { .. } => Register::Receptions,
            Source::Dialogues => Register::Simple(SimpleRegister::Dialogues),
            Source::Inspections { .. } => Register::Simple(SimpleRegister::Inspections),
            Source::Models => Register::Simple(SimpleRegister::Models),
        }
    }

    /// The figure of this source over `data` in the window `[from, to]`.
    pub fn count(&self, data: &RegisterData, from: NaiveDate, to: NaiveDate) -> i64 {
        match *self {
            Source::Petitions { measure, .. } => {
                let matching = data
                    .petitions
                    .iter()
                    .filter(|r| self.petition_matches(r, from, to));
                match measure {
                    PetitionMeasure::Petitions => matching.count() as i64,
                    PetitionMeasure::Cases => matching
                        .map(|r| r.case_id.map_or((1, r.id), |c| (0, c)))
                        .collect::<BTreeSet<_>>()
                        .len() as i64,
                }
            }
            Source::Receptions { measure, .. } => data
                .sessions
                .iter()
                .filter(|s| self.session_matches(s, from, to))
                .map(|s| match measure {
                    ReceptionMeasure::Sessions => 1,
                    ReceptionMeasure::Turns => i64::from(s.turns),
                    ReceptionMeasure::People => i64::from(s.people),
                    ReceptionMeasure::Delegations => i64::from(s.delegations),
                })
                .sum(),
            Source::Dialogues => data
                .dialogues
                .iter()
                .filter(|d| self.entry_matches(SimpleRegister::Dialogues, **d, None, from, to))
                .count() as i64,
            Source::Models => data
                .models
                .iter()
                .filter(|d| self.entry_matches(SimpleRegister::Models, **d, None, from, to))
                .count() as i64,
            Source::Inspections { .. } => data
                .inspections
                .iter()
                .filter(|(d, k)| {
                    self.entry_matches(SimpleRegister::Inspections, *d, Some(*k), from, to)
                })
                .count() as i64,
        }
    }
}

/// The register a source counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Register {
    Petitions,
    Receptions,
    Simple(SimpleRegister),
}

/// The registers whose entries are a date, a title and little else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimpleRegister {
    Dialogues,
    Inspections,
    Models,
}

#[cfg(test)]
mod tests;
