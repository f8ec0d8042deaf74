//! Checking a submission as a whole: its narrative, section by section, and the
//! narrative against the unit's own form — a figure the narrative states for an
//! indicator (matched by the indicator's words, negation and unit of measure) that
//! differs from the value the unit entered in its form is a contradiction.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use qcdc_core::number::Milli;
use qcdc_core::template::Template;

use crate::arith::{Arith, Op, vn};
use crate::checks::{Ctx, excerpt};
use crate::doc::Part;
use crate::import::figures_for;
use crate::{Finding, Kind, SectionFinding, Severity, check_sections, sections_document};

/// Checks a submission's narrative and its figures together.
pub fn check_submission(
    template: &Template,
    sections: &[(String, String, String)],
    values: &BTreeMap<String, Milli>,
    date: Option<NaiveDate>,
) -> Vec<SectionFinding> {
    let mut out = check_sections(sections, date);
    let (doc, owner) = sections_document(sections, date);
    let ctx = Ctx::new(&doc);
    for m in figures_for(&doc, &ctx, template) {
        let Some(&form) = values.get(&m.indicator) else {
            continue;
        };
        if form == m.value || doc.blocks[m.block].part != Part::Body {
            continue;
        }
        let Some(ind) = template.indicator(&m.indicator) else {
            continue;
        };
        let arith = Arith {
            op: Op::Same,
            operands: vec![m.value, form],
            expected: form,
            stated: m.value,
            decimals: 0,
            unit: Some(ind.unit.clone()),
        };
        let b = &doc.blocks[m.block];
        let line = b.line_of(m.start);
        let section = owner
            .get(line.saturating_sub(1))
            .cloned()
            .unwrap_or_default();
        if section.is_empty() {
            continue;
        }
        out.push(SectionFinding {
            section,
            finding: Finding {
                line,
                kind: Kind::Contradiction,
                severity: Severity::Warning,
                message: format!(
                    "Thuyết minh ghi {} {} cho «{}», nhưng biểu số liệu của đơn vị ghi {} {}",
                    vn(m.value),
                    ind.unit,
                    ind.name,
                    vn(form),
                    ind.unit
                ),
                excerpt: excerpt(&ctx.blks[m.block].chars, m.start, m.end),
                arith: Some(arith),
            },
        });
    }
    out
}
