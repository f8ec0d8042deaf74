//! The report checker for any signed-in user: read a file, find the slips.

use qcdc_core::{CoreError, CoreResult};
use serde::Serialize;

use crate::ctx::Ctx;

/// What the checker found in one file.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub header: qcdc_checker::doc::Header,
    pub headings: Vec<qcdc_checker::doc::Heading>,
    pub findings: Vec<qcdc_checker::Finding>,
}

pub fn check_file(cx: &Ctx, bytes: &[u8]) -> CoreResult<CheckResult> {
    let _ = cx.actor();
    let doc = qcdc_checker::read(bytes)
        .map_err(|e| CoreError::invalid(format!("Không đọc được tệp báo cáo: {}", e.0)))?;
    let findings = qcdc_checker::check(&doc);
    Ok(CheckResult {
        header: doc.header.clone(),
        headings: doc.headings.clone(),
        findings,
    })
}
