//! The report checker: reads Vietnamese reports (plain text in any normalisation
//! and the encodings offices still use, .docx), recognises their structure and
//! figures, and finds the slips a careful reviewer would — while staying quiet on
//! what adds up and on what only looks like a figure. Every arithmetic finding
//! carries the figures it compared ([`Arith`]), and its message is written from them.

pub mod accuracy;
pub mod arith;
pub mod checks;
pub mod citations;
pub mod doc;
mod heading_number;
pub mod import;
pub mod numbers;
pub mod read;
pub mod submission;

use serde::Serialize;

pub use arith::{Arith, Op};
pub use doc::{DateSource, Document};
pub use read::ReadError;
pub use submission::check_submission;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    PercentMismatch,
    SumMismatch,
    NumberFormat,
    FractionOverWhole,
    Contradiction,
    CitationConflict,
    CitationSuperseded,
    CountMismatch,
    /// Results reported for another period than the report's.
    PeriodMismatch,
    /// A cited text that did not exist yet on its stated date or the report's date,
    /// or a date that cannot be.
    CitationAnachronism,
    /// Not a slip: something the reader should know (an empty file, checks skipped
    /// for want of a date).
    Notice,
}

impl Kind {
    /// Every kind, in order.
    pub const ALL: [Kind; 11] = [
        Kind::PercentMismatch,
        Kind::SumMismatch,
        Kind::NumberFormat,
        Kind::FractionOverWhole,
        Kind::Contradiction,
        Kind::CitationConflict,
        Kind::CitationSuperseded,
        Kind::CountMismatch,
        Kind::PeriodMismatch,
        Kind::CitationAnachronism,
        Kind::Notice,
    ];

    /// The snake_case name used in JSON and answer keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PercentMismatch => "percent_mismatch",
            Kind::SumMismatch => "sum_mismatch",
            Kind::NumberFormat => "number_format",
            Kind::FractionOverWhole => "fraction_over_whole",
            Kind::Contradiction => "contradiction",
            Kind::CitationConflict => "citation_conflict",
            Kind::CitationSuperseded => "citation_superseded",
            Kind::CountMismatch => "count_mismatch",
            Kind::PeriodMismatch => "period_mismatch",
            Kind::CitationAnachronism => "citation_anachronism",
            Kind::Notice => "notice",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// One finding, pointing at the line (text) or paragraph (.docx) a person can find.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub line: usize,
    pub kind: Kind,
    pub severity: Severity,
    pub message: String,
    pub excerpt: String,
    /// The figures compared and the operation, for arithmetic findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arith: Option<Arith>,
}

/// Reads a file's bytes as .docx (by its zip signature) or text in any supported
/// encoding; formats that cannot be read get an error naming them.
pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    if let Some(why) = read::unreadable_format(bytes) {
        return Err(ReadError(why));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let content = read::read_docx_full(bytes)?;
        let mut doc = Document::new(content.lines);
        doc.encoding = "docx";
        if let Some(d) = content.date {
            doc.set_date(d, DateSource::DocxProperties);
        }
        Ok(doc)
    } else {
        let (lines, encoding) = read::read_text_with_encoding(bytes)?;
        let mut doc = Document::new(lines);
        doc.encoding = encoding;
        Ok(doc)
    }
}

/// Every finding of a document, in line order; notices first say what could not be
/// checked (an empty file, no report date).
pub fn check(doc: &Document) -> Vec<Finding> {
    let mut out = Vec::new();
    if doc.lines.iter().all(|l| l.text.trim().is_empty()) {
        out.push(Finding {
            line: 1,
            kind: Kind::Notice,
            severity: Severity::Warning,
            message: "Tệp rỗng: không có nội dung nào để kiểm tra".into(),
            excerpt: String::new(),
            arith: None,
        });
        return out;
    }
    // the blocks read once, for the arithmetic and the citations
    let ctx = checks::Ctx::new(doc);
    checks::check_ctx(&ctx, &mut out);
    let lowered: Vec<&str> = ctx.blks.iter().map(|b| b.lower_text.as_str()).collect();
    citations::check_lowered(doc, &lowered, &mut out);
    match (doc.header.date, &doc.date_note) {
        (None, _) => out.push(Finding {
            line: 1,
            kind: Kind::Notice,
            severity: Severity::Info,
            message: "Không tìm thấy ngày của báo cáo (dòng «…, ngày … tháng … năm …» hoặc «Ngày dd/mm/yyyy», thuộc tính của tệp .docx, hoặc tham số --date dd/mm/yyyy): đã bỏ qua các kiểm tra cần ngày báo cáo — văn bản đã hết hiệu lực, văn bản chưa ban hành vào ngày báo cáo, ngày trích dẫn sau ngày báo cáo".into(),
            excerpt: String::new(),
            arith: None,
        }),
        (Some(d), Some(note)) => out.push(Finding {
            line: doc
                .lines
                .iter()
                .take(40)
                .find(|l| l.text.contains("ngày") || l.text.contains("Ngày"))
                .map_or(1, |l| l.no),
            kind: Kind::Notice,
            severity: Severity::Info,
            message: format!(
                "Ngày báo cáo đọc là {} ({note}); các kiểm tra trích dẫn dùng ngày này",
                qcdc_core::period::format_date(d)
            ),
            excerpt: String::new(),
            arith: None,
        }),
        _ => {}
    }
    out.sort_by(|a, b| {
        a.line
            .cmp(&b.line)
            .then(a.kind.cmp(&b.kind))
            .then(a.message.cmp(&b.message))
    });
    out.dedup();
    out
}

/// A finding on one section of a submission's narrative.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionFinding {
    pub section: String,
    #[serde(flatten)]
    pub finding: Finding,
}

/// Builds a document from a submission's sections; returns it with the section
/// owning each line.
pub(crate) fn sections_document(
    sections: &[(String, String, String)],
    date: Option<chrono::NaiveDate>,
) -> (Document, Vec<String>) {
    let mut lines = Vec::new();
    let mut owner = Vec::new();
    let mut push = |text: String, section: &str, lines: &mut Vec<read::Line>| {
        lines.push(read::Line {
            no: lines.len() + 1,
            text: read::normalize(&text),
        });
        owner.push(section.to_string());
    };
    for (number, title, text) in sections {
        push(String::new(), number, &mut lines);
        push(format!("{number}. {title}"), number, &mut lines);
        for l in read::split_lines(text) {
            push(l.text, number, &mut lines);
        }
    }
    let mut doc = Document::new(lines);
    if let Some(d) = date {
        doc.set_date(d, DateSource::Given);
    }
    (doc, owner)
}

/// Checks a submission's narrative, section by section, as of `date` (for citations).
pub fn check_sections(
    sections: &[(String, String, String)],
    date: Option<chrono::NaiveDate>,
) -> Vec<SectionFinding> {
    let (doc, owner) = sections_document(sections, date);
    check(&doc)
        .into_iter()
        .filter(|f| f.kind != Kind::Notice)
        .filter_map(|f| {
            let section = owner
                .get(f.line.saturating_sub(1))
                .cloned()
                .unwrap_or_default();
            (!section.is_empty()).then_some(SectionFinding {
                section,
                finding: f,
            })
        })
        .collect()
}

/// A regular expression written as a literal in this crate. The patterns are
/// fixed text exercised by the test suite, so one that does not compile is a bug
/// to see at once, not an input error.
#[allow(clippy::expect_used)]
pub(crate) fn literal_regex(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).expect("a literal pattern of the checker compiles")
}

#[cfg(test)]
mod section_tests {
    use super::*;

    #[test]
    fn findings_name_their_section() {
        let s = vec![
            ("I".to_string(), "Đặc điểm".to_string(), "Tình hình ổn định.".to_string()),
            ("III.1".to_string(), "Kết quả ở xã".to_string(), "Thực hiện Pháp lệnh số 34/2007/PL-UBTVQH11.\nĐã giải quyết 138/157 vụ việc (87,8%).".to_string()),
        ];
        let f = check_sections(&s, chrono::NaiveDate::from_ymd_opt(2026, 6, 20));
        let got: Vec<(&str, Kind)> = f
            .iter()
            .map(|x| (x.section.as_str(), x.finding.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("III.1", Kind::CitationSuperseded),
                ("III.1", Kind::PercentMismatch)
            ]
        );
        assert!(
            check_sections(&s, chrono::NaiveDate::from_ymd_opt(2023, 1, 1))
                .iter()
                .all(|x| x.finding.kind != Kind::CitationSuperseded)
        );
    }

    #[test]
    fn empty_and_dateless_files_say_so() {
        let f = check(&read(b"").unwrap());
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].kind, f[0].severity),
            (Kind::Notice, Severity::Warning)
        );
        let f = check(&read("BÁO CÁO\n\nNăm 2024\n\nTiếp nhận 5 đơn.\n".as_bytes()).unwrap());
        assert!(
            f.iter()
                .any(|x| x.kind == Kind::Notice && x.message.contains("bỏ qua")),
            "{f:?}"
        );
    }
}
