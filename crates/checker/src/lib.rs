//! The report checker: reads Vietnamese reports (plain text in any normalisation,
//! .docx), recognises their structure and figures, and finds the slips a careful
//! reviewer would — while staying quiet on what adds up.

pub mod checks;
pub mod citations;
pub mod doc;
pub mod import;
pub mod numbers;
pub mod read;

use serde::Serialize;

pub use doc::Document;
pub use read::ReadError;

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
}

/// Reads a file's bytes as .docx (by its zip signature) or text.
pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    let lines = if bytes.starts_with(b"PK\x03\x04") {
        read::read_docx(bytes)?
    } else {
        read::read_text(bytes)?
    };
    Ok(Document::new(lines))
}

/// Every finding of a document, in line order.
pub fn check(doc: &Document) -> Vec<Finding> {
    let mut out = Vec::new();
    checks::check(doc, &mut out);
    citations::check(doc, &mut out);
    out.sort_by(|a, b| a.line.cmp(&b.line).then(a.kind.cmp(&b.kind)));
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

/// Checks a submission's narrative, section by section, as of `date` (for citations).
pub fn check_sections(
    sections: &[(String, String, String)],
    date: Option<chrono::NaiveDate>,
) -> Vec<SectionFinding> {
    use chrono::Datelike;
    let mut lines = Vec::new();
    let mut owner = Vec::new();
    let mut push = |text: String, section: &str, lines: &mut Vec<read::Line>| {
        lines.push(read::Line {
            no: lines.len() + 1,
            text: unicode_normalization::UnicodeNormalization::nfc(text.as_str()).collect(),
        });
        owner.push(section.to_string());
    };
    if let Some(d) = date {
        push(
            format!(
                "Nơi lập, ngày {} tháng {} năm {}",
                d.day(),
                d.month(),
                d.year()
            ),
            "",
            &mut lines,
        );
    }
    for (number, title, text) in sections {
        push(String::new(), number, &mut lines);
        push(format!("{number}. {title}"), number, &mut lines);
        for l in text.lines() {
            push(l.to_string(), number, &mut lines);
        }
    }
    let doc = Document::new(lines);
    check(&doc)
        .into_iter()
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
}
