//! Official documents of qcdc (issue 10): the round's covering letter, a unit's report and
//! the consolidated report as DOCX and PDF in the state (Decree 30/2020/NĐ-CP) or Party
//! (HD 36-HD/VPTW) format, outgoing-number formatting, and the Excel forms in and out.
//!
//! **Architecture invariant:** this crate depends on `qcdc-core` only; it never calls the
//! store. Inputs are plain serializable structs ([`model`]) built by the integrator from the
//! application's view models. Rendering is synchronous and CPU-bound: run it in
//! `spawn_blocking`.
//!
//! ```text
//! Document ──Layout::of──▶ Layout ──docx::render──▶ .docx
//!                                 └─pdf::render───▶ .pdf (typst, fonts embedded)
//! ```

pub mod bench;
pub mod docx;
pub mod format;
pub mod layout;
pub mod model;
pub mod pdf;
pub mod sample;
pub mod xlsx;

pub use format::{date_line, number_line, outgoing_number};
pub use layout::Layout;
pub use model::{
    Completeness, ConsolidatedReport, DocKind, Document, DocumentFormat, Figure, FigureRow,
    FigureTable, Issuer, LateUnit, Letter, NarrativeParagraph, NarrativeSection, Outline,
    OutlinePart, OutlineSection, Signature, TotalsRow, TotalsTable, UnitColumn, UnitLine,
    UnitReport, UnitTable,
};

/// A document could not be rendered. Rendering does not fail on odd data; these are
/// internal failures of the writers, reported with a stable code.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("Không tạo được tệp DOCX: {0}")]
    Docx(String),
    #[error("Không tạo được tệp PDF: {0}")]
    Pdf(String),
}

impl DocError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DocError::Docx(_) => "docx_render_failed",
            DocError::Pdf(_) => "pdf_render_failed",
        }
    }
}

/// Renders a document as DOCX.
pub fn render_docx(doc: &Document) -> Result<Vec<u8>, DocError> {
    docx::render(&Layout::of(doc))
}

/// Renders a document as PDF.
pub fn render_pdf(doc: &Document) -> Result<Vec<u8>, DocError> {
    pdf::render(&Layout::of(doc)).map(|p| p.bytes)
}

/// Renders a document as PDF and returns its page count too.
pub fn render_pdf_counted(doc: &Document) -> Result<(Vec<u8>, usize), DocError> {
    pdf::render(&Layout::of(doc)).map(|p| (p.bytes, p.pages))
}

/// Pays a process's one-off rendering costs (typst's standard library, parsing the embedded
/// fonts, first shaping) by rendering a small letter; call it once at server start, e.g. in
/// `spawn_blocking`, so the first user's document is not slower than the next.
pub fn warm_up() -> Result<(), DocError> {
    let t = sample::template().map_err(|e| DocError::Pdf(e.message))?;
    let mut l = sample::letter(&t, DocumentFormat::State, Some(1));
    l.form = None;
    render_pdf(&Document::Letter(l))?;
    Ok(())
}

/// A file name for the document without extension, in Vietnamese ("Công văn 42-CV-BCĐ",
/// "Báo cáo 109-BC-UBND", "Báo cáo tổng hợp (dự thảo)"): no `/`, so it is safe as a file
/// name; the integrator sends it with RFC 5987 `filename*`.
pub fn file_stem(doc: &Document) -> String {
    let issuer = doc.issuer();
    let name = match doc {
        Document::Letter(_) => "Công văn",
        Document::UnitReport(_) => "Báo cáo",
        Document::Consolidated(_) => "Báo cáo tổng hợp",
    };
    match doc.number() {
        Some(n) => format!(
            "{name} {}",
            outgoing_number(issuer.format, Some(n), doc.kind(), &issuer.symbol)
                .replace(['/', '\\'], "-")
        ),
        None => format!("{name} (dự thảo)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems() {
        let t = sample::template().unwrap_or_else(|e| panic!("{e:?}"));
        let l = Document::Letter(sample::letter(&t, DocumentFormat::Party, Some(42)));
        assert_eq!(file_stem(&l), "Công văn 42-CV-BCĐ");
        let r = Document::UnitReport(sample::unit_report(&t, "Xã Đam Rông", Some(109), 1));
        assert_eq!(file_stem(&r), "Báo cáo 109-BC-UBND");
        let c = Document::Consolidated(sample::consolidated(&t, 2, 0, None));
        assert_eq!(file_stem(&c), "Báo cáo tổng hợp (dự thảo)");
    }
}
