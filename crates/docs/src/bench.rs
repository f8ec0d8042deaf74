//! The rendering benchmark behind `qcdc bench render`: the consolidated report of an office
//! with `n_units` submitting units (full form, about two pages of narrative each), rendered
//! as DOCX and as PDF.

use std::time::Instant;

use crate::model::{Document, DocumentFormat};
use crate::{DocError, sample};

/// Paragraphs per outline section and unit: 13 sections × 1 paragraph of ~60 words is
/// about two pages of narrative per unit.
pub const PARAGRAPHS_PER_SECTION: usize = 1;

/// Timings of one benchmark run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderBench {
    /// The process's one-off start (typst library, embedded fonts, first shaping) paid by
    /// [`crate::warm_up`] before the timed renders.
    pub warm_up_secs: f64,
    pub docx_secs: f64,
    pub pdf_secs: f64,
    pub pages: usize,
    pub docx_bytes: usize,
    pub pdf_bytes: usize,
}

impl RenderBench {
    /// The line printed by `qcdc bench render`.
    pub fn line(&self) -> String {
        format!(
            "render: docx {:.3} s, pdf {:.3} s, pages {}",
            self.docx_secs, self.pdf_secs, self.pages
        )
    }
}

/// The benchmark's document (also used by tests).
pub fn consolidated_document(n_units: usize) -> Result<Document, DocError> {
    let t = sample::template().map_err(|e| DocError::Pdf(e.message))?;
    let mut c = sample::consolidated(&t, n_units, PARAGRAPHS_PER_SECTION, Some(118));
    c.issuer = sample::province_issuer(DocumentFormat::State);
    Ok(Document::Consolidated(c))
}

/// Renders the consolidated report of `n_units` units as DOCX then PDF and times each
/// (building the input is not timed). The process is warmed up first, as a server is
/// after [`crate::warm_up`]; that one-off cost is reported as `warm_up_secs`.
pub fn render_consolidated(n_units: usize) -> Result<RenderBench, DocError> {
    let w = Instant::now();
    crate::warm_up()?;
    let warm_up_secs = w.elapsed().as_secs_f64();
    let doc = consolidated_document(n_units)?;
    let t0 = Instant::now();
    let docx = crate::render_docx(&doc)?;
    let docx_secs = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let (pdf, pages) = crate::render_pdf_counted(&doc)?;
    let pdf_secs = t1.elapsed().as_secs_f64();
    Ok(RenderBench {
        warm_up_secs,
        docx_secs,
        pdf_secs,
        pages,
        docx_bytes: docx.len(),
        pdf_bytes: pdf.len(),
    })
}
