//! Builders of the document inputs from a [`Template`]: the outline, the form or appendix
//! of figures, the totals table and the per-unit tables, in the template's order with its
//! breakdowns ("trong đó") indented.

use std::collections::BTreeMap;

use qcdc_core::number::Milli;
use qcdc_core::template::{Aggregate, Template};

use super::{
    Figure, FigureRow, FigureTable, Outline, OutlineSection, TotalsRow, TotalsTable, UnitColumn,
    UnitLine, UnitTable,
};

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
        crate::sample::template().unwrap_or_else(|e| panic!("{e:?}"))
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
