//! Registers (sổ theo dõi): citizen reception, petitions and cases, dialogues,
//! inspections and supervision, "Dân vận khéo" models — the day-to-day records a
//! unit keeps and from which report figures can be counted. No I/O.
//!
//! - [`calendar`]: working days from the holiday calendar (`data/holidays.toml`);
//! - [`rules`]: legal deadlines for petitions (`data/petition-rules.toml`), chosen
//!   by the petition's received date, so a change of law is a change of data;
//! - [`reception`]: how often leaders must receive citizens
//!   (`data/reception-rules.toml`) and which weeks or months were missed;
//! - [`petition`]: a petition's steps, the state machine that refuses impossible
//!   sequences, and its running deadline;
//! - [`duplicates`]: petitions of the same people about the same thing, compared
//!   without diacritics, offered to be linked into one case;
//! - [`entries`]: the details of dialogues, inspections and models, and their
//!   fixed lists (inspecting bodies, model levels);
//! - [`source`]: where an indicator of a template takes its figure from a register,
//!   and the counting conventions.

pub mod book;
pub mod calendar;
pub mod duplicates;
pub mod entries;
pub mod petition;
pub mod reception;
pub mod rules;
pub mod source;

use serde::{Deserialize, Serialize};

pub use calendar::{Calendar, CalendarDay, DayType};
pub use petition::{
    Channel, ConclusionResult, DeadlineStatus, DeadlineView, Petition, PetitionState, Step,
    StepKind,
};
pub use rules::{Complexity, PetitionRules, Stage};

/// The kind of a petition (đơn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PetitionKind {
    /// Khiếu nại (Luật Khiếu nại 2011).
    KhieuNai,
    /// Tố cáo (Luật Tố cáo 2018): the petitioner's identity is protected.
    ToCao,
    /// Kiến nghị, phản ánh.
    KienNghi,
}

impl PetitionKind {
    pub const ALL: [PetitionKind; 3] = [Self::KhieuNai, Self::ToCao, Self::KienNghi];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::KhieuNai => "khieu_nai",
            Self::ToCao => "to_cao",
            Self::KienNghi => "kien_nghi",
        }
    }

    pub fn parse(s: &str) -> Option<PetitionKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::KhieuNai => "Khiếu nại",
            Self::ToCao => "Tố cáo",
            Self::KienNghi => "Kiến nghị, phản ánh",
        }
    }

    /// Whether the petitioner's identity must be kept from everyone who does not
    /// process the petition (Luật Tố cáo 2018 protects the denouncer).
    pub fn protects_identity(self) -> bool {
        self == Self::ToCao
    }
}
