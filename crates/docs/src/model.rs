//! Document input models: plain, serializable data, one struct per official document.
//!
//! The integrator builds these from the application's view models (round, submission,
//! consolidation pages), so a page and its document show the same figures. Nothing here
//! reads a database; the renderers only lay out what they are given. Helpers at the
//! bottom build the outline and the figure tables from a [`Template`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use qcdc_core::number::{Milli, format_vn};
use qcdc_core::template::{Aggregate, Template};
use serde::{Deserialize, Serialize};

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

// ------------------------------------------------------------------ from templates

impl Outline {
    /// The outline of a template with its guidance.
    pub fn from_template(t: &Template, subtitle: impl Into<String>) -> Outline {
        Outline {
            subtitle: subtitle.into(),
            parts: Vec::new(),
            sections: t
                .sections()
                .iter()
                .map(|s| OutlineSection {
                    number: s.number.clone(),
                    title: s.title.clone(),
                    guidance: s.guidance.clone(),
                })
                .collect(),
        }
    }
}

/// Breakdown depth of an indicator (0 for a whole).
fn depth_of(t: &Template, code: &str) -> u8 {
    let mut depth = 0u8;
    let mut cur = t.indicator(code).and_then(|i| i.part_of.clone());
    while let Some(c) = cur {
        depth = depth.saturating_add(1);
        if usize::from(depth) > t.indicators().len() {
            break;
        }
        cur = t.indicator(&c).and_then(|i| i.part_of.clone());
    }
    depth
}

/// Template rows in form order: (group number, group title, indicators with STT, depth, first part).
struct FormLine<'a> {
    number: String,
    ind: &'a qcdc_core::template::Indicator,
    depth: u8,
    first_part: bool,
}

fn form_lines(t: &Template) -> Vec<(String, String, Vec<FormLine<'_>>)> {
    let mut out = Vec::new();
    for (gi, g) in t.def.groups.iter().enumerate() {
        let gnum = (gi + 1).to_string();
        let mut lines = Vec::new();
        let mut n = 0;
        let mut prev_parent: Option<&str> = None;
        for ind in t.indicators().iter().filter(|i| i.group == g.code) {
            let depth = depth_of(t, &ind.code);
            let parent = ind.part_of.as_deref();
            let number = if depth == 0 {
                n += 1;
                format!("{gnum}.{n}")
            } else {
                String::new()
            };
            let first_part = depth > 0 && prev_parent != parent;
            prev_parent = parent;
            lines.push(FormLine {
                number,
                ind,
                depth,
                first_part,
            });
        }
        if !lines.is_empty() {
            out.push((gnum, g.title.clone(), lines));
        }
    }
    out
}

impl FigureTable {
    /// The form of a template with the given values (empty map: a blank form).
    pub fn from_template(
        t: &Template,
        title: impl Into<String>,
        values: &BTreeMap<String, Milli>,
    ) -> FigureTable {
        let mut rows = Vec::new();
        for (number, title, lines) in form_lines(t) {
            rows.push(FigureRow::Group { number, title });
            for l in lines {
                rows.push(FigureRow::Indicator {
                    number: l.number,
                    code: l.ind.code.clone(),
                    name: l.ind.name.clone(),
                    unit: l.ind.unit.clone(),
                    depth: l.depth,
                    first_part: l.first_part,
                    value: values.get(&l.ind.code).map(|v| Figure::new(*v)),
                });
            }
        }
        FigureTable {
            title: title.into(),
            subtitle: String::new(),
            rows,
        }
    }

    /// Every indicator row's value, by code.
    pub fn values(&self) -> BTreeMap<String, Milli> {
        self.rows
            .iter()
            .filter_map(|r| match r {
                FigureRow::Indicator {
                    code,
                    value: Some(v),
                    ..
                } => Some((code.clone(), v.milli)),
                _ => None,
            })
            .collect()
    }
}

impl TotalsTable {
    /// Totals of a template's indicators with last year's figures.
    pub fn from_template(
        t: &Template,
        title: impl Into<String>,
        period_label: impl Into<String>,
        last_period_label: impl Into<String>,
        current: &BTreeMap<String, Milli>,
        last_year: &BTreeMap<String, Milli>,
    ) -> TotalsTable {
        let mut rows = Vec::new();
        for (number, title, lines) in form_lines(t) {
            rows.push(TotalsRow::Group { number, title });
            for l in lines {
                rows.push(TotalsRow::Indicator {
                    number: l.number,
                    code: l.ind.code.clone(),
                    name: l.ind.name.clone(),
                    unit: l.ind.unit.clone(),
                    depth: l.depth,
                    first_part: l.first_part,
                    value: current.get(&l.ind.code).map(|v| Figure::new(*v)),
                    last_year: last_year.get(&l.ind.code).map(|v| Figure::new(*v)),
                });
            }
        }
        TotalsTable {
            title: title.into(),
            period_label: period_label.into(),
            last_period_label: last_period_label.into(),
            rows,
        }
    }
}

impl UnitTable {
    /// A per-unit table of one indicator group; the total sums the summable columns and
    /// recomputes ratio columns from summed numerator and denominator.
    pub fn from_template(
        t: &Template,
        group_code: &str,
        units: &[(String, BTreeMap<String, Milli>)],
    ) -> Option<UnitTable> {
        let group = t.def.groups.iter().find(|g| g.code == group_code)?;
        let inds: Vec<_> = t
            .indicators()
            .iter()
            .filter(|i| i.group == group_code)
            .collect();
        if inds.is_empty() {
            return None;
        }
        let columns = inds
            .iter()
            .map(|i| UnitColumn {
                code: i.code.clone(),
                name: i.name.clone(),
                unit: i.unit.clone(),
            })
            .collect();
        let lines = units
            .iter()
            .map(|(name, vals)| UnitLine {
                unit_name: name.clone(),
                values: inds
                    .iter()
                    .map(|i| vals.get(&i.code).map(|v| Figure::new(*v)))
                    .collect(),
            })
            .collect();
        let sum = |code: &str| -> Option<Milli> {
            let mut any = false;
            let mut s: Milli = 0;
            for (_, vals) in units {
                if let Some(v) = vals.get(code) {
                    any = true;
                    s = s.saturating_add(*v);
                }
            }
            any.then_some(s)
        };
        let total = inds
            .iter()
            .map(|i| match i.aggregate {
                Aggregate::Sum => sum(&i.code).map(Figure::new),
                Aggregate::Ratio => {
                    let n = sum(i.numerator.as_deref()?)?;
                    let d = sum(i.denominator.as_deref()?)?;
                    ratio_milli(n, d).map(Figure::new)
                }
                Aggregate::None => None,
            })
            .collect();
        Some(UnitTable {
            title: format!("{}. {}", group.code, group.title),
            columns,
            lines,
            total,
        })
    }
}

/// n / d as a percentage in thousandths, rounded half away from zero to 0,1 %.
pub fn ratio_milli(n: Milli, d: Milli) -> Option<Milli> {
    if d == 0 {
        return None;
    }
    // percentage with one decimal = round(n * 1000 / d) tenths
    let tenths = crate::format::div_round(i128::from(n) * 1000, i128::from(d));
    i64::try_from(tenths * 100).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> Template {
        let src = include_str!("../../../templates/qcdc-dinh-ky.v1.toml");
        Template::from_toml(src).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn form_rows_follow_the_template() {
        let t = template();
        let f = FigureTable::from_template(&t, "Biểu mẫu", &BTreeMap::new());
        let n_ind = f
            .rows
            .iter()
            .filter(|r| matches!(r, FigureRow::Indicator { .. }))
            .count();
        assert_eq!(n_ind, t.indicators().len());
        // the three breakdowns of vb_tong are indented and the first says "trong đó"
        let parts: Vec<_> = f
            .rows
            .iter()
            .filter_map(|r| match r {
                FigureRow::Indicator {
                    code,
                    depth,
                    first_part,
                    number,
                    ..
                } if t.indicator(code).and_then(|i| i.part_of.as_deref()) == Some("vb_tong") => {
                    Some((*depth, *first_part, number.clone()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], (1, true, String::new()));
        assert_eq!(parts[1], (1, false, String::new()));
    }

    #[test]
    fn ratio_rounds_half_away() {
        // 138/157 = 87,898… % → 87,9
        assert_eq!(ratio_milli(138_000, 157_000), Some(87_900));
        assert_eq!(ratio_milli(834, 885), Some(94_200));
        assert_eq!(ratio_milli(1, 0), None);
    }
}
