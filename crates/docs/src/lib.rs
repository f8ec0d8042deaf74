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

/// A file name for the document, in Vietnamese without characters that break file systems
/// ("Bao-cao-…" is left to the integrator's RFC 5987 `filename*`): e.g. `Công văn 42-CV-BCĐ.pdf`.
pub fn file_stem(doc: &Document) -> String {
    let issuer = doc.issuer();
    let kind = doc.kind();
    let num = match doc.number() {
        Some(_) => {
            outgoing_number(issuer.format, doc.number(), kind, &issuer.symbol).replace('/', "-")
        }
        None => "du-thao".to_string(),
    };
    let name = match doc {
        Document::Letter(_) => "Công văn",
        Document::UnitReport(_) => "Báo cáo",
        Document::Consolidated(_) => "Báo cáo tổng hợp",
    };
    format!("{name} {num}")
}
