//! The page-independent layout of a document: every printed word decided once.
//!
//! [`Layout::of`] turns a [`Document`] into headings, paragraphs and tables with their
//! final text (numbers, dates, list punctuation, placeholders, "Trong đó:" rows). The DOCX
//! writer and the typst template only place these on the page, so the two formats cannot
//! say different things.

mod tables;

use serde::Serialize;

use tables::{completeness_blocks, figure_table, totals_table, unit_table_blocks};

use crate::format::{
    DRAFT_MARK, SignatureLines, dash_list, date_line, number_line, outgoing_number, short_date,
    signature_lines,
};
use crate::model::{
    ConsolidatedReport, DocKind, Document, DocumentFormat, Issuer, Letter, NarrativeSection,
    Outline, OutlinePart, UnitReport,
};

/// Page margins in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Margins {
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub right: f32,
}

impl Margins {
    /// Decree 30/2020: top/bottom 20–25, left 30–35, right 15–20 mm; HD 36: 25/25/35/15 mm.
    pub fn for_format(format: DocumentFormat) -> Margins {
        match format {
            DocumentFormat::State => Margins {
                top: 20.0,
                bottom: 20.0,
                left: 30.0,
                right: 15.0,
            },
            DocumentFormat::Party => Margins {
                top: 25.0,
                bottom: 25.0,
                left: 35.0,
                right: 15.0,
            },
        }
    }
}

/// Under the issuer's name: a short rule (state) or an asterisk (Party).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuerMark {
    Rule,
    Star,
}

/// The two-column block at the top of the first page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Head {
    /// Parent body (regular caps), may be empty.
    pub issuer_parent: String,
    /// Issuing body (bold caps).
    pub issuer_body: String,
    pub mark: IssuerMark,
    pub number: String,
    /// "V/v …" for letters.
    pub subject: Option<String>,
    /// Right column, bold: the national title (state) or the Party title.
    pub title: String,
    /// The motto under the national title (state only), underlined by a short rule.
    pub motto: Option<String>,
    pub date: String,
}

/// Text alignment in a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub header: String,
    /// Relative width (the widths of a table add up to 100).
    pub width: u16,
    pub align: Align,
}

/// How a table row looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStyle {
    /// A group title: bold.
    Group,
    /// An ordinary line.
    Item,
    /// A breakdown ("trong đó") line: italic, indented.
    Part,
    /// "Tổng cộng": bold.
    Total,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub cells: Vec<String>,
    pub style: RowStyle,
    /// Indentation of the label column, in steps.
    pub indent: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Which column carries the label (indented for breakdowns).
    pub label_column: usize,
    pub rows: Vec<Row>,
    /// Font size in points.
    pub size: f32,
}

/// A block of the body or of an appendix.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// Level 1: "I. KHÁI QUÁT …" (bold caps); level 2: "1. Công tác …" (bold);
    /// level 3: a table caption (bold, flush left).
    Heading {
        level: u8,
        text: String,
    },
    /// A justified body paragraph with its first line indented.
    Para {
        text: String,
        attribution: Option<String>,
    },
    /// An italic remark ("(Không có nội dung)", guidance text).
    Note {
        text: String,
    },
    /// Centred lines of an appendix title.
    Centered {
        text: String,
        bold: bool,
        italic: bool,
        size: f32,
    },
    Table(Table),
    /// A short centred rule under a title.
    Rule,
}

/// An appendix, starting on a new page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appendix {
    pub blocks: Vec<Block>,
}

/// The whole document, ready to be placed on pages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    pub format: DocumentFormat,
    pub margins: Margins,
    /// Body font size in points.
    pub body_size: f32,
    /// Unnumbered draft: a "DỰ THẢO" mark.
    pub draft: bool,
    pub draft_mark: String,
    pub head: Head,
    /// "Kính gửi:" lines (letters); one recipient is written inline.
    pub recipients: Vec<String>,
    /// "BÁO CÁO" and its subject lines (reports).
    pub title: Option<(String, String)>,
    pub body: Vec<Block>,
    /// "Nơi nhận:" list, punctuated.
    pub distribution: Vec<String>,
    pub signature: SignatureLines,
    pub appendices: Vec<Appendix>,
    /// Title of the PDF / DOCX metadata.
    pub meta_title: String,
    /// The document's date (its date line), also in the file's properties.
    pub date: chrono::NaiveDate,
}

const NATIONAL_TITLE: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";
const PARTY_TITLE: &str = "ĐẢNG CỘNG SẢN VIỆT NAM";
const EMPTY_SECTION: &str = "(Không có nội dung)";

fn head(issuer: &Issuer, number: Option<u32>, kind: DocKind, date: chrono::NaiveDate) -> Head {
    let (title, motto, mark) = match issuer.format {
        DocumentFormat::State => (
            NATIONAL_TITLE.to_string(),
            Some(MOTTO.to_string()),
            IssuerMark::Rule,
        ),
        DocumentFormat::Party => (PARTY_TITLE.to_string(), None, IssuerMark::Star),
    };
    Head {
        issuer_parent: issuer.parent_body.trim().to_uppercase(),
        issuer_body: issuer.body.trim().to_uppercase(),
        mark,
        number: number_line(issuer.format, number, kind, &issuer.symbol),
        subject: None,
        title,
        motto,
        date: date_line(&issuer.place, date),
    }
}

/// "(Kèm theo Công văn số 42-CV/BCĐ ngày 25/05/2023)", as under the Hải Phòng outline.
fn attached_to(
    issuer: &Issuer,
    number: Option<u32>,
    kind: DocKind,
    date: chrono::NaiveDate,
) -> String {
    let num = outgoing_number(issuer.format, number, kind, &issuer.symbol);
    format!(
        "(Kèm theo {} số {num} ngày {})",
        kind.name_vi(),
        short_date(date)
    )
}

/// Narrative headings and paragraphs in the outline's numbering.
fn narrative(parts: &[OutlinePart], sections: &[NarrativeSection]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open_part: Option<String> = None;
    for s in sections {
        push_section_heading(&mut out, parts, &mut open_part, &s.number, &s.title);
        let paras: Vec<_> = s
            .paragraphs
            .iter()
            .filter(|p| !p.text.trim().is_empty())
            .collect();
        if paras.is_empty() {
            out.push(Block::Note {
                text: EMPTY_SECTION.into(),
            });
        }
        for p in paras {
            out.push(Block::Para {
                text: p.text.trim().to_string(),
                attribution: p
                    .attribution
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|a| format!("({a})")),
            });
        }
    }
    out
}

/// Emits the part heading ("II. CÔNG TÁC …") when a new part starts, then the section's own.
fn push_section_heading(
    out: &mut Vec<Block>,
    parts: &[OutlinePart],
    open_part: &mut Option<String>,
    number: &str,
    title: &str,
) {
    let number = number.trim();
    let title = title.trim();
    match number.split_once('.') {
        None => {
            *open_part = Some(number.to_string());
            out.push(Block::Heading {
                level: 1,
                text: join_number(number, &title.to_uppercase()),
            });
        }
        Some((part, rest)) => {
            let part_title = parts.iter().find(|p| p.number.trim() == part);
            if open_part.as_deref() != Some(part) {
                *open_part = Some(part.to_string());
                if let Some(p) = part_title {
                    out.push(Block::Heading {
                        level: 1,
                        text: join_number(part, &p.title.trim().to_uppercase()),
                    });
                }
            }
            let shown = if part_title.is_some() { rest } else { number };
            out.push(Block::Heading {
                level: 2,
                text: join_number(shown, title),
            });
        }
    }
}

fn join_number(number: &str, title: &str) -> String {
    if number.is_empty() {
        title.to_string()
    } else {
        format!("{number}. {title}")
    }
}

fn outline_blocks(o: &Outline) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open_part = None;
    for s in &o.sections {
        push_section_heading(&mut out, &o.parts, &mut open_part, &s.number, &s.title);
        for g in s.guidance.lines().map(str::trim).filter(|g| !g.is_empty()) {
            out.push(Block::Para {
                text: g.to_string(),
                attribution: None,
            });
        }
    }
    out
}

fn centered(text: impl Into<String>, bold: bool, italic: bool, size: f32) -> Block {
    Block::Centered {
        text: text.into(),
        bold,
        italic,
        size,
    }
}

fn appendix_title(lines: &[(&str, bool, bool, f32)]) -> Vec<Block> {
    let mut out: Vec<Block> = lines
        .iter()
        .filter(|(t, ..)| !t.trim().is_empty())
        .map(|(t, b, i, s)| centered(*t, *b, *i, *s))
        .collect();
    out.push(Block::Rule);
    out
}

fn letter(l: &Letter) -> Layout {
    let mut head = head(&l.issuer, l.number, DocKind::Letter, l.date);
    let subject = l.subject.trim();
    head.subject = (!subject.is_empty()).then(|| format!("V/v {subject}"));
    let recipients: Vec<String> = l
        .recipients
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    let recipients = if recipients.len() == 1 {
        let r = recipients[0].trim_end_matches(['.', ';']).to_string();
        vec![format!("{r}.")]
    } else {
        dash_list(&recipients)
    };
    let body = l
        .body
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| Block::Para {
            text: p.trim().to_string(),
            attribution: None,
        })
        .collect();
    let attached = attached_to(&l.issuer, l.number, DocKind::Letter, l.date);
    let mut appendices = Vec::new();
    if let Some(o) = &l.outline {
        let mut blocks = appendix_title(&[
            ("ĐỀ CƯƠNG BÁO CÁO", true, false, 14.0),
            (&o.subtitle, true, false, 14.0),
            (&attached, false, true, 13.0),
        ]);
        blocks.extend(outline_blocks(o));
        appendices.push(Appendix { blocks });
    }
    if let Some(f) = &l.form {
        let mut blocks = appendix_title(&[
            (f.title.as_str(), true, false, 14.0),
            (&f.subtitle, true, false, 13.0),
            (&attached, false, true, 13.0),
        ]);
        blocks.push(Block::Table(figure_table(f, false)));
        appendices.push(Appendix { blocks });
    }
    Layout {
        format: l.issuer.format,
        margins: Margins::for_format(l.issuer.format),
        body_size: 14.0,
        draft: l.number.is_none(),
        draft_mark: DRAFT_MARK.into(),
        head,
        recipients,
        title: None,
        body,
        distribution: dash_list(&l.distribution),
        signature: signature_lines(&l.signature),
        appendices,
        meta_title: format!("Công văn V/v {subject}"),
        date: l.date,
    }
}

#[allow(clippy::too_many_arguments)]
fn report_common(
    issuer: &Issuer,
    number: Option<u32>,
    date: chrono::NaiveDate,
    title: &str,
    intro: &[String],
    parts: &[OutlinePart],
    sections: &[NarrativeSection],
    distribution: &[String],
    signature: &crate::model::Signature,
) -> Layout {
    let mut body: Vec<Block> = intro
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| Block::Para {
            text: p.trim().to_string(),
            attribution: None,
        })
        .collect();
    body.extend(narrative(parts, sections));
    Layout {
        format: issuer.format,
        margins: Margins::for_format(issuer.format),
        body_size: 14.0,
        draft: number.is_none(),
        draft_mark: DRAFT_MARK.into(),
        head: head(issuer, number, DocKind::Report, date),
        recipients: Vec::new(),
        title: Some(("BÁO CÁO".into(), title.trim().to_string())),
        body,
        distribution: dash_list(distribution),
        signature: signature_lines(signature),
        appendices: Vec::new(),
        meta_title: format!("Báo cáo {}", title.trim()),
        date,
    }
}

fn unit_report(r: &UnitReport) -> Layout {
    let mut l = report_common(
        &r.issuer,
        r.number,
        r.date,
        &r.title,
        &r.intro,
        &r.parts,
        &r.sections,
        &r.distribution,
        &r.signature,
    );
    if let Some(a) = &r.appendix {
        let attached = attached_to(&r.issuer, r.number, DocKind::Report, r.date);
        let mut blocks = appendix_title(&[
            (a.title.as_str(), true, false, 14.0),
            (&a.subtitle, true, false, 13.0),
            (&attached, false, true, 13.0),
        ]);
        blocks.push(Block::Table(figure_table(a, true)));
        l.appendices.push(Appendix { blocks });
    }
    l
}

fn consolidated(c: &ConsolidatedReport) -> Layout {
    let mut l = report_common(
        &c.issuer,
        c.number,
        c.date,
        &c.title,
        &c.intro,
        &c.parts,
        &c.sections,
        &c.distribution,
        &c.signature,
    );
    let attached = attached_to(&c.issuer, c.number, DocKind::Report, c.date);
    let mut blocks = appendix_title(&[
        ("PHỤ LỤC I", true, false, 14.0),
        (&c.totals.title, true, false, 14.0),
        (&attached, false, true, 13.0),
    ]);
    blocks.push(Block::Table(totals_table(&c.totals)));
    l.appendices.push(Appendix { blocks });
    let mut blocks = appendix_title(&[
        ("PHỤ LỤC II", true, false, 14.0),
        (&c.completeness.title, true, false, 14.0),
        (&attached, false, true, 13.0),
    ]);
    blocks.extend(completeness_blocks(&c.completeness));
    l.appendices.push(Appendix { blocks });
    if !c.unit_tables.is_empty() {
        let mut blocks = appendix_title(&[
            ("PHỤ LỤC III", true, false, 14.0),
            ("SỐ LIỆU CHI TIẾT THEO ĐƠN VỊ", true, false, 14.0),
            (&attached, false, true, 13.0),
        ]);
        for t in &c.unit_tables {
            blocks.extend(unit_table_blocks(t));
        }
        l.appendices.push(Appendix { blocks });
    }
    l
}

impl Layout {
    /// Decides every printed word of a document.
    pub fn of(doc: &Document) -> Layout {
        match doc {
            Document::Letter(l) => letter(l),
            Document::UnitReport(r) => unit_report(r),
            Document::Consolidated(c) => consolidated(c),
        }
    }

    /// Every table of the layout, in order (used by tests and the benchmark).
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.body
            .iter()
            .chain(self.appendices.iter().flat_map(|a| a.blocks.iter()))
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_headings_come_from_the_parts() {
        let parts = vec![OutlinePart {
            number: "II".into(),
            title: "Công tác lãnh đạo, chỉ đạo".into(),
        }];
        let sections = vec![
            NarrativeSection {
                number: "I".into(),
                title: "Khái quát đặc điểm".into(),
                paragraphs: vec![],
            },
            NarrativeSection {
                number: "II.1".into(),
                title: "Của cấp ủy".into(),
                paragraphs: vec![],
            },
            NarrativeSection {
                number: "II.2".into(),
                title: "Của chính quyền".into(),
                paragraphs: vec![],
            },
            NarrativeSection {
                number: "III.1".into(),
                title: "Ở xã, phường".into(),
                paragraphs: vec![],
            },
        ];
        let heads: Vec<String> = narrative(&parts, &sections)
            .into_iter()
            .filter_map(|b| match b {
                Block::Heading { text, .. } => Some(text),
                _ => None,
            })
            .collect();
        assert_eq!(
            heads,
            [
                "I. KHÁI QUÁT ĐẶC ĐIỂM",
                "II. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO",
                "1. Của cấp ủy",
                "2. Của chính quyền",
                "III.1. Ở xã, phường"
            ]
        );
    }
}
