//! The report checker: reads Vietnamese reports (plain text in any normalisation,
//! .docx), recognises their structure and figures, and finds the slips a careful
//! reviewer would — while staying quiet on what adds up.

pub mod checks;
pub mod citations;
pub mod doc;
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
