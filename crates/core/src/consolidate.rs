//! Consolidation (tổng hợp): totals over a subtree and the comparison with last year.
//!
//! Sums add up; a ratio is re-computed from its summed numerator and denominator —
//! never an average of percentages; a non-aggregable indicator is listed per unit.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::number::{self, Milli};
use crate::template::{Aggregate, Template, allows_decimals};
use crate::validate::Values;

/// Running sums of one round over some set of units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Indicator → (sum in thousandths, number of units that reported it).
    pub sums: BTreeMap<String, (Milli, u32)>,
}

impl Totals {
    /// Adds one unit's figures. Every indicator of the template is counted (how
    /// many units reported it); only sums use the total (see [`Totals::value`]).
    pub fn add(&mut self, t: &Template, values: &Values) {
        for (code, v) in values {
            if t.indicator(code).is_some() {
                let e = self.sums.entry(code.clone()).or_insert((0, 0));
                e.0 += v;
                e.1 += 1;
            }
        }
    }

    /// Adds another set of totals (a child's subtree).
    pub fn merge(&mut self, other: &Totals) {
        for (code, (v, n)) in &other.sums {
            let e = self.sums.entry(code.clone()).or_insert((0, 0));
            e.0 += v;
            e.1 += n;
        }
    }

    pub fn get(&self, code: &str) -> Option<Milli> {
        self.sums.get(code).map(|(v, _)| *v)
    }

    /// A ratio recomputed from summed parts, in thousandths of a percent, rounded
    /// half up (exact integer arithmetic: the same on every machine).
    pub fn ratio_milli(&self, t: &Template, code: &str) -> Option<Milli> {
        let ind = t.indicator(code)?;
        if ind.aggregate != Aggregate::Ratio {
            return None;
        }
        let n = i128::from(self.get(ind.numerator.as_deref()?)?);
        let d = i128::from(self.get(ind.denominator.as_deref()?)?);
        if d == 0 {
            return None;
        }
        // n / d * 100 %, in thousandths: n * 100_000 / d, rounded half up
        let scaled = n * 100_000;
        let q = (2 * scaled + d).div_euclid(2 * d);
        i64::try_from(q).ok()
    }

    /// The value of any indicator: a sum, or a ratio recomputed from sums.
    pub fn value(&self, t: &Template, code: &str) -> Option<f64> {
        let ind = t.indicator(code)?;
        match ind.aggregate {
            Aggregate::Sum => self.get(code).map(number::to_f64),
            Aggregate::Ratio => {
                let n = self.get(ind.numerator.as_deref()?)?;
                let d = self.get(ind.denominator.as_deref()?)?;
                (d != 0).then(|| n as f64 / d as f64 * 100.0)
            }
            Aggregate::None => None,
        }
    }
}

/// The figures an office adopts as its own report upward, from its consolidated
/// totals: sums as they are; ratios recomputed from the summed numerator and
/// denominator, rounded to two decimals; non-aggregable indicators left out, as
/// are indicators the parent's template lacks or aggregates differently.
pub fn adoption(src: &Template, dst: &Template, totals: &Totals) -> Values {
    let mut out = Values::new();
    for ind in dst.indicators() {
        if src
            .indicator(&ind.code)
            .is_none_or(|s| s.aggregate != ind.aggregate)
        {
            continue;
        }
        let v = match ind.aggregate {
            Aggregate::Sum => totals.get(&ind.code),
            Aggregate::Ratio => totals
                .ratio_milli(src, &ind.code)
                .map(|m| (m + 5).div_euclid(10) * 10),
            Aggregate::None => None,
        };
        if let Some(v) = v {
            out.insert(ind.code.clone(), v);
        }
    }
    out
}

/// A non-aggregable value reported by one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitValue {
    pub unit_code: String,
    pub unit_name: String,
    pub value: f64,
    pub display: String,
}

/// One line of a consolidated form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub code: String,
    pub group: String,
    pub name: String,
    pub unit: String,
    pub aggregate: Aggregate,
    /// Breakdown depth (0 = whole, 1 = "trong đó" …).
    pub level: usize,
    pub value: Option<f64>,
    pub display: String,
    /// How many units reported this indicator.
    pub units_reporting: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numerator: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denominator: Option<f64>,
    /// This period's value over the units the comparison covers (like-for-like:
    /// the units that reported in both periods); `None` when it is `value`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compared: Option<f64>,
    /// Same period last year.
    pub previous: Option<f64>,
    /// How many units reported it in the same period last year.
    pub previous_units_reporting: u32,
    /// value − previous (percentage points for ratios).
    pub change: Option<f64>,
    /// Relative change in % (sums only).
    pub change_pct: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub per_unit: Vec<UnitValue>,
}

/// Lays out totals as form rows, with the comparison where last year's totals exist.
pub fn rows(
    t: &Template,
    current: &Totals,
    previous: Option<&Totals>,
    per_unit: &BTreeMap<String, Vec<UnitValue>>,
) -> Vec<Row> {
    t.indicators()
        .iter()
        .map(|ind| {
            let value = current.value(t, &ind.code);
            let prev = previous.and_then(|p| p.value(t, &ind.code));
            let (num, den) = if ind.aggregate == Aggregate::Ratio {
                (
                    ind.numerator
                        .as_deref()
                        .and_then(|c| current.get(c))
                        .map(number::to_f64),
                    ind.denominator
                        .as_deref()
                        .and_then(|c| current.get(c))
                        .map(number::to_f64),
                )
            } else {
                (None, None)
            };
            let change = match (value, prev) {
                (Some(v), Some(p)) => Some(v - p),
                _ => None,
            };
            let change_pct = match (ind.aggregate, value, prev) {
                (Aggregate::Sum, Some(v), Some(p)) if p != 0.0 => Some((v - p) / p * 100.0),
                _ => None,
            };
            let decimals = if ind.aggregate == Aggregate::Ratio {
                1
            } else if allows_decimals(&ind.unit) {
                3
            } else {
                0
            };
            let mut level = 0;
            let mut cur = ind.part_of.as_deref();
            while let Some(c) = cur {
                level += 1;
                cur = t.indicator(c).and_then(|i| i.part_of.as_deref());
            }
            Row {
                code: ind.code.clone(),
                group: ind.group.clone(),
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                aggregate: ind.aggregate,
                level,
                value,
                display: value.map_or_else(String::new, |v| number::format_f64(v, decimals)),
                units_reporting: current.sums.get(&ind.code).map_or(0, |(_, n)| *n),
                numerator: num,
                denominator: den,
                compared: None,
                previous: prev,
                previous_units_reporting: previous
                    .and_then(|p| p.sums.get(&ind.code))
                    .map_or(0, |(_, n)| *n),
                change,
                change_pct,
                per_unit: per_unit.get(&ind.code).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// Replaces each row's comparison with one over a subset of units (like-for-like):
/// `compared` is this period's value over the units in both periods, `previous`
/// last year's over their predecessors, and the change is between those two.
pub fn compare_like_for_like(t: &Template, rows: &mut [Row], current: &Totals, previous: &Totals) {
    let like = self::rows(t, current, Some(previous), &BTreeMap::new());
    for (row, l) in rows.iter_mut().zip(like) {
        row.compared = l.value;
        row.previous = l.previous;
        row.previous_units_reporting = l.previous_units_reporting;
        row.change = l.change;
        row.change_pct = l.change_pct;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T: &str = r#"
code = "t"
version = 1
name = "t"
[[sections]]
number = "I"
title = "I"
[[groups]]
code = "g"
title = "g"
[[indicators]]
code = "nhan"
group = "g"
name = "Tiếp nhận"
unit = "đơn"
[[indicators]]
code = "xong"
group = "g"
name = "Đã giải quyết"
unit = "đơn"
[[indicators]]
code = "ty_le"
group = "g"
name = "Tỷ lệ"
unit = "%"
aggregate = "ratio"
numerator = "xong"
denominator = "nhan"
[[indicators]]
code = "ho_ngheo"
group = "g"
name = "Tỷ lệ hộ nghèo"
unit = "%"
aggregate = "none"
"#;

    fn v(pairs: &[(&str, i64)]) -> Values {
        pairs
            .iter()
            .map(|(c, x)| (c.to_string(), x * 1000))
            .collect()
    }

    #[test]
    fn ratios_are_recomputed_not_averaged() {
        let t = Template::from_toml(T).unwrap();
        let mut tot = Totals::default();
        // 1/1 = 100 % and 1/99 ≈ 1 %: the average of percentages would be 50,5 %
        tot.add(
            &t,
            &v(&[("nhan", 1), ("xong", 1), ("ty_le", 100), ("ho_ngheo", 2)]),
        );
        tot.add(&t, &v(&[("nhan", 99), ("xong", 1)]));
        assert_eq!(tot.get("nhan"), Some(100_000));
        assert_eq!(tot.value(&t, "ty_le"), Some(2.0));
        assert_eq!(tot.value(&t, "ho_ngheo"), None);
        let r = rows(&t, &tot, None, &BTreeMap::new());
        assert_eq!(r[2].display, "2");
        assert_eq!(r[0].units_reporting, 2);
    }

    #[test]
    fn compares_with_last_year() {
        let t = Template::from_toml(T).unwrap();
        let mut now = Totals::default();
        now.add(&t, &v(&[("nhan", 120), ("xong", 90)]));
        let mut before = Totals::default();
        before.add(&t, &v(&[("nhan", 100), ("xong", 80)]));
        let r = rows(&t, &now, Some(&before), &BTreeMap::new());
        assert_eq!(r[0].change, Some(20.0));
        assert_eq!(r[0].change_pct, Some(20.0));
        assert_eq!(r[2].change, Some(75.0 - 80.0));
        assert_eq!(r[2].change_pct, None);
    }

    #[test]
    fn adoption_takes_sums_and_recomputed_ratios() {
        let t = Template::from_toml(T).unwrap();
        let mut tot = Totals::default();
        tot.add(&t, &v(&[("nhan", 3), ("xong", 1), ("ho_ngheo", 2)]));
        let a = adoption(&t, &t, &tot);
        assert_eq!(a.get("nhan"), Some(&3000));
        // 1/3 = 33,333… % → 33,33 %
        assert_eq!(a.get("ty_le"), Some(&33_330));
        assert!(!a.contains_key("ho_ngheo"));
        let mut two_thirds = Totals::default();
        two_thirds.add(&t, &v(&[("nhan", 3), ("xong", 2)]));
        // 66,666… % → 66,67 %
        assert_eq!(adoption(&t, &t, &two_thirds).get("ty_le"), Some(&66_670));
    }

    proptest! {
        #[test]
        fn merge_equals_adding_all(parts in proptest::collection::vec((0i64..10_000, 0i64..10_000), 1..40), split in 0usize..40) {
            let t = Template::from_toml(T).unwrap();
            let mut all = Totals::default();
            let (mut a, mut b) = (Totals::default(), Totals::default());
            for (i, (n, x)) in parts.iter().enumerate() {
                let vals = v(&[("nhan", *n), ("xong", *x)]);
                all.add(&t, &vals);
                if i < split { a.add(&t, &vals) } else { b.add(&t, &vals) }
            }
            a.merge(&b);
            prop_assert_eq!(a, all);
        }
    }
}
