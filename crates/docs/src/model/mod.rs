//! Document input models: plain, serializable data, one struct per official document.
//!
//! The integrator builds these from the application's view models (round, submission,
//! consolidation pages), so a page and its document show the same figures. Nothing here
//! reads a database; the renderers only lay out what they are given. `from_template` builds
//! the outline and the figure tables from a `qcdc_core::template::Template`.

use chrono::NaiveDate;
use qcdc_core::number::{Milli, format_vn};
use serde::{Deserialize, Serialize};

mod from_template;

pub use from_template::ratio_milli;

/// Which formatting rules apply: state (Decree 30/2020/NĐ-CP) or Party (HD 36-HD/VPTW).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DocumentFormat {
    #[default]
    State,
    Party,
}

/// The kind of an outgoing document, as written in its number ("CV", "BC").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Công văn.
    Letter,
    /// Báo cáo.
    Report,
}

impl DocKind {
    /// The abbreviation used in the number and symbol: `CV`, `BC`.
    pub fn code(self) -> &'static str {
        match self {
            DocKind::Letter => "CV",
            DocKind::Report => "BC",
        }
    }

    /// The name used in "Kèm theo Công văn số …".
    pub fn name_vi(self) -> &'static str {
        match self {
            DocKind::Letter => "Công văn",
            DocKind::Report => "Báo cáo",
        }
    }
}

/// The issuing body, as printed top left, and its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Issuer {
    pub format: DocumentFormat,
    /// The body above the issuer ("UBND TỈNH LÂM VIÊN", "TỈNH ỦY LÂM VIÊN"); empty if none.
    #[serde(default)]
    pub parent_body: String,
    /// The issuing body ("BAN CHỈ ĐẠO THỰC HIỆN QCDC Ở CƠ SỞ").
    pub body: String,
    /// Place name for the date line ("Lâm Viên").
    pub place: String,
    /// Abbreviation in numbers ("BCĐ", "UBND").
    pub symbol: String,
}

/// Who signs and in what capacity.
///
/// Empty `title` or missing `signer_name` render a visible placeholder
/// ("[Chức vụ người ký]", "[Họ và tên người ký]") so an unconfigured unit still gets a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Signature {
    /// TM., KT., TL., TUQ., Q. — or none when the head signs in their own name.
    #[serde(default)]
    pub authority_prefix: Option<String>,
    /// Who the prefix refers to ("BAN CHỈ ĐẠO", "TRƯỞNG BAN", "CHỦ TỊCH").
    #[serde(default)]
    pub authority_body: String,
    /// The signer's own title ("PHÓ TRƯỞNG BAN").
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub signer_name: Option<String>,
}

/// A Roman-numbered part of an outline ("II" → "Công tác lãnh đạo, chỉ đạo …"), used to
/// print the part heading above its numbered sections ("II.1", "II.2").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutlinePart {
    pub number: String,
    pub title: String,
}

/// One outline section with the guidance shown in the letter's appendix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutlineSection {
    /// As in the template: `I`, `II.1`.
    pub number: String,
    pub title: String,
    #[serde(default)]
    pub guidance: String,
}

/// The outline (đề cương) appended to the letter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Outline {
    /// Second title line ("kết quả xây dựng và thực hiện QCDC ở cơ sở 6 tháng đầu năm 2026").
    pub subtitle: String,
    #[serde(default)]
    pub parts: Vec<OutlinePart>,
    pub sections: Vec<OutlineSection>,
}

/// A value as shown (already formatted `1.234,5`) and as data (exact thousandths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    pub milli: Milli,
    pub text: String,
}

impl Figure {
    /// A figure formatted the Vietnamese way with up to three decimals.
    pub fn new(milli: Milli) -> Figure {
        Figure {
            milli,
            text: format_vn(milli, 3),
        }
    }
}

/// One line of an indicator table: a group title or an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FigureRow {
    Group {
        /// Printed in the STT column ("1", "2", …).
        number: String,
        title: String,
    },
    Indicator {
        /// STT ("1.1"); empty for breakdown rows.
        #[serde(default)]
        number: String,
        code: String,
        name: String,
        /// Unit of measure (đơn vị tính).
        unit: String,
        /// 0 for a whole, 1 for a "trong đó" breakdown, 2 for a breakdown of a breakdown.
        #[serde(default)]
        depth: u8,
        /// The first breakdown row under its whole (printed "Trong đó: …").
        #[serde(default)]
        first_part: bool,
        #[serde(default)]
        value: Option<Figure>,
    },
}

/// The form or the appendix of figures (phụ lục số liệu).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FigureTable {
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    pub rows: Vec<FigureRow>,
}

/// A paragraph of narrative, possibly attributed to the unit it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NarrativeParagraph {
    pub text: String,
    /// "Xã Đam Rông 1" → printed "(Xã Đam Rông 1)" after the paragraph.
    #[serde(default)]
    pub attribution: Option<String>,
}

impl NarrativeParagraph {
    /// Splits free text into paragraphs at line breaks, dropping blank lines.
    pub fn split(text: &str, attribution: Option<&str>) -> Vec<NarrativeParagraph> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| NarrativeParagraph {
                text: l.to_string(),
                attribution: attribution.map(str::to_string),
            })
            .collect()
    }
}

/// The narrative of one outline section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NarrativeSection {
    pub number: String,
    pub title: String,
    #[serde(default)]
    pub paragraphs: Vec<NarrativeParagraph>,
}

/// The round's covering letter (công văn) with the outline and the form appended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Letter {
    pub issuer: Issuer,
    /// `None`: an unnumbered draft ("DỰ THẢO").
    #[serde(default)]
    pub number: Option<u32>,
    pub date: NaiveDate,
    /// Printed after "V/v " ("báo cáo kết quả xây dựng và thực hiện QCDC … 6 tháng đầu năm 2026").
    pub subject: String,
    /// "Kính gửi:" — grouped labels ("Ban Chỉ đạo các xã, phường").
    pub recipients: Vec<String>,
    /// Body paragraphs, including the data cut-off window and the deadline.
    pub body: Vec<String>,
    /// "Nơi nhận:" list.
    #[serde(default)]
    pub distribution: Vec<String>,
    #[serde(default)]
    pub signature: Signature,
    #[serde(default)]
    pub outline: Option<Outline>,
    /// The blank form to fill (values ignored).
    #[serde(default)]
    pub form: Option<FigureTable>,
}

/// A unit's report (báo cáo) with its appendix of figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitReport {
    pub issuer: Issuer,
    #[serde(default)]
    pub number: Option<u32>,
    pub date: NaiveDate,
    /// The line under "BÁO CÁO" ("Kết quả xây dựng và thực hiện QCDC ở cơ sở 6 tháng đầu năm 2026").
    pub title: String,
    /// "6 tháng đầu năm 2026" (Period::label_vi).
    pub period_label: String,
    /// Opening paragraphs before section I.
    #[serde(default)]
    pub intro: Vec<String>,
    #[serde(default)]
    pub parts: Vec<OutlinePart>,
    pub sections: Vec<NarrativeSection>,
    #[serde(default)]
    pub distribution: Vec<String>,
    #[serde(default)]
    pub signature: Signature,
    #[serde(default)]
    pub appendix: Option<FigureTable>,
}

/// One line of the totals table: a group or an indicator with last year's figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TotalsRow {
    Group {
        number: String,
        title: String,
    },
    Indicator {
        #[serde(default)]
        number: String,
        code: String,
        name: String,
        unit: String,
        #[serde(default)]
        depth: u8,
        #[serde(default)]
        first_part: bool,
        #[serde(default)]
        value: Option<Figure>,
        /// Same period last year (across the succession links).
        #[serde(default)]
        last_year: Option<Figure>,
    },
}

/// Totals by indicator compared with the same period last year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TotalsTable {
    pub title: String,
    /// Column header for this period ("6 tháng đầu năm 2026").
    pub period_label: String,
    /// Column header for last year ("6 tháng đầu năm 2025").
    pub last_period_label: String,
    pub rows: Vec<TotalsRow>,
}

/// A unit that submitted after the deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LateUnit {
    pub name: String,
    pub submitted_on: NaiveDate,
}

/// Who reported and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Completeness {
    pub title: String,
    pub deadline: Option<NaiveDate>,
    pub expected: u32,
    pub submitted: u32,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    #[serde(default)]
    pub late_units: Vec<LateUnit>,
    #[serde(default)]
    pub missing_units: Vec<String>,
}

/// A column of a per-unit table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitColumn {
    pub code: String,
    pub name: String,
    pub unit: String,
}

/// One unit's line in a per-unit table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitLine {
    pub unit_name: String,
    /// One cell per column; `None` when the unit left it empty.
    pub values: Vec<Option<Figure>>,
}

/// Figures of one indicator group, one line per unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct UnitTable {
    pub title: String,
    pub columns: Vec<UnitColumn>,
    pub lines: Vec<UnitLine>,
    /// "Tổng cộng" line (a ratio column shows the recomputed ratio, a non-aggregable one nothing).
    #[serde(default)]
    pub total: Vec<Option<Figure>>,
}

/// The office's consolidated report (báo cáo tổng hợp).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsolidatedReport {
    pub issuer: Issuer,
    #[serde(default)]
    pub number: Option<u32>,
    pub date: NaiveDate,
    pub title: String,
    pub period_label: String,
    #[serde(default)]
    pub intro: Vec<String>,
    #[serde(default)]
    pub parts: Vec<OutlinePart>,
    /// The assembled (and possibly edited) narrative; paragraphs carry their unit.
    pub sections: Vec<NarrativeSection>,
    #[serde(default)]
    pub distribution: Vec<String>,
    #[serde(default)]
    pub signature: Signature,
    pub totals: TotalsTable,
    pub completeness: Completeness,
    #[serde(default)]
    pub unit_tables: Vec<UnitTable>,
}

/// Every official document qcdc renders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "document", rename_all = "snake_case")]
pub enum Document {
    Letter(Letter),
    UnitReport(UnitReport),
    Consolidated(ConsolidatedReport),
}

impl Document {
    pub fn kind(&self) -> DocKind {
        match self {
            Document::Letter(_) => DocKind::Letter,
            _ => DocKind::Report,
        }
    }

    pub fn issuer(&self) -> &Issuer {
        match self {
            Document::Letter(l) => &l.issuer,
            Document::UnitReport(r) => &r.issuer,
            Document::Consolidated(c) => &c.issuer,
        }
    }

    pub fn number(&self) -> Option<u32> {
        match self {
            Document::Letter(l) => l.number,
            Document::UnitReport(r) => r.number,
            Document::Consolidated(c) => c.number,
        }
    }
}
