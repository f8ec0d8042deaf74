//! Plausible figures for any template, driven by `demo/figures.toml`: wholes before
//! parts, numerators within their denominators, stated ratios computed. Used by the
//! demo and by `qcdc gen`; every report it makes passes the template's blocking rules.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use qcdc_core::expr::{Expr, Value};
use qcdc_core::number::{self, Milli, SCALE};
use qcdc_core::template::{Aggregate, Parts, Template, allows_decimals};
use qcdc_core::unit::UnitKind;
use qcdc_core::validate::{self, Narrative, Stage, Values};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;

/// The figures profile (`demo/figures.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    by_unit_of_measure: BTreeMap<String, [f64; 2]>,
    #[serde(default)]
    ranges: BTreeMap<String, [f64; 2]>,
    #[serde(default)]
    derive: BTreeMap<String, String>,
    #[serde(default)]
    kinds: BTreeMap<String, Vec<String>>,
}

pub const DEFAULT_PROFILE: &str = include_str!("../../../demo/figures.toml");

impl Profile {
    pub fn load(src: &str) -> Result<Profile> {
        toml::from_str(src).context("demo/figures.toml")
    }

    fn reports(&self, kind: UnitKind, code: &str) -> bool {
        match self.kinds.get(kind.as_str()) {
            Some(prefixes) => prefixes.iter().any(|p| code.starts_with(p.as_str())),
            None => true,
        }
    }
}

/// A deterministic generator of report figures.
pub struct Figures<'a> {
    profile: &'a Profile,
    derived: Vec<(String, Expr)>,
    rng: StdRng,
}

fn milli(x: f64, decimals: bool) -> Milli {
    if decimals {
        ((x * 10.0).round() / 10.0 * SCALE as f64).round() as i64
    } else {
        x.round() as i64 * SCALE
    }
}

impl<'a> Figures<'a> {
    pub fn new(profile: &'a Profile, seed: u64) -> Result<Figures<'a>> {
        let mut derived = Vec::new();
        for (k, src) in &profile.derive {
            derived.push((
                k.clone(),
                Expr::parse(src).map_err(|e| anyhow::anyhow!("derive {k}: {}", e.message))?,
            ));
        }
        Ok(Figures {
            profile,
            derived,
            rng: StdRng::seed_from_u64(seed),
        })
    }

    fn draw(&mut self, t: &Template, code: &str, scale: f64) -> Milli {
        let Some(ind) = t.indicator(code) else {
            return 0;
        };
        let [lo, hi] = self
            .profile
            .ranges
            .get(code)
            .or_else(|| self.profile.by_unit_of_measure.get(&ind.unit))
            .copied()
            .unwrap_or([0.0, 10.0]);
        let x = if hi > lo {
            self.rng.random_range(lo..=hi)
        } else {
            lo
        };
        let x = if ind.unit == "%" || lo == hi {
            x
        } else {
            x * scale
        };
        milli(x, allows_decimals(&ind.unit))
    }

    /// One unit's figures: tries a few draws until no blocking rule fails.
    pub fn report(&mut self, t: &Template, kind: UnitKind, scale: f64) -> Result<Values> {
        for _ in 0..50 {
            let v = self.draw_report(t, kind, scale);
            let findings = validate::validate(t, &v, &Narrative::new(), Stage::Draft);
            if !validate::has_errors(&findings) {
                return Ok(v);
            }
        }
        bail!(
            "could not draw valid figures for template {} and kind {}",
            t.code(),
            kind.as_str()
        )
    }

    fn draw_report(&mut self, t: &Template, kind: UnitKind, scale: f64) -> Values {
        let mut v = Values::new();
        let wanted: Vec<&str> = t
            .indicators()
            .iter()
            .map(|i| i.code.as_str())
            .filter(|c| self.profile.reports(kind, c))
            .collect();
        let wants = |c: &str| wanted.contains(&c);
        // denominators first, then the other roots
        let numerators: BTreeMap<&str, &str> = t
            .indicators()
            .iter()
            .filter(|i| i.aggregate == Aggregate::Ratio)
            .filter_map(|i| Some((i.numerator.as_deref()?, i.denominator.as_deref()?)))
            .collect();
        for ind in t.indicators() {
            if !wants(&ind.code)
                || ind.part_of.is_some()
                || ind.aggregate != Aggregate::Sum
                || numerators.contains_key(ind.code.as_str())
                || self.profile.derive.contains_key(&ind.code)
            {
                continue;
            }
            let x = self.draw(t, &ind.code, scale);
            v.insert(ind.code.clone(), x);
        }
        // derived twice so one derived figure may use another
        for (code, e) in self.derived.iter().chain(self.derived.iter()) {
            if t.indicator(code).is_none() || !wants(code) {
                continue;
            }
            let lookup = |c: &str| v.get(c).map(|x| number::to_f64(*x));
            if let Value::Num(x) = e.eval(&lookup) {
                let dec = t.indicator(code).is_some_and(|i| allows_decimals(&i.unit));
                v.insert(code.clone(), milli(x.max(0.0), dec));
            }
        }
        for (num, den) in &numerators {
            if !wants(num)
                || self.profile.derive.contains_key(*num)
                || t.indicator(num).is_some_and(|i| i.part_of.is_some())
            {
                continue;
            }
            if let Some(d) = v.get(*den).copied() {
                let f = self.rng.random_range(0.75..=1.0);
                v.insert(
                    num.to_string(),
                    ((d / SCALE) as f64 * f).floor() as i64 * SCALE,
                );
            }
        }
        // breakdowns, whole by whole in form order (a part may itself be a whole)
        for whole in t.indicators() {
            let parts: Vec<&str> = t
                .indicators()
                .iter()
                .filter(|i| i.part_of.as_deref() == Some(whole.code.as_str()) && wants(&i.code))
                .map(|i| i.code.as_str())
                .collect();
            let Some(total) = v.get(&whole.code).copied() else {
                continue;
            };
            if parts.is_empty() {
                continue;
            }
            let units = total / SCALE;
            match whole.parts {
                Parts::Complete | Parts::Disjoint => {
                    let budget = if whole.parts == Parts::Complete {
                        units
                    } else {
                        (units as f64 * self.rng.random_range(0.6..=1.0)).floor() as i64
                    };
                    let mut left = budget;
                    for (i, p) in parts.iter().enumerate() {
                        let share = if i + 1 == parts.len() {
                            left
                        } else {
                            self.rng.random_range(0..=left.max(0))
                        };
                        left -= share;
                        v.insert(p.to_string(), share * SCALE);
                    }
                }
                Parts::Overlapping => {
                    for p in parts {
                        let share =
                            (units as f64 * self.rng.random_range(0.3..=1.0)).floor() as i64;
                        v.insert(p.to_string(), share * SCALE);
                    }
                }
            }
        }
        for ind in t.indicators() {
            if ind.aggregate == Aggregate::None && wants(&ind.code) {
                let x = self.draw(t, &ind.code, scale);
                v.insert(ind.code.clone(), x);
            }
        }
        for ind in t.indicators() {
            if ind.aggregate == Aggregate::Ratio
                && wants(&ind.code)
                && let Some(p) = validate::computed_ratio(t, &v, &ind.code)
            {
                v.insert(ind.code.clone(), milli(p, true));
            }
        }
        v
    }

    /// A short narrative for every section of the outline.
    pub fn narrative(&mut self, t: &Template, unit_name: &str, period_label: &str) -> Narrative {
        t.sections()
            .iter()
            .map(|s| {
                let lead = [
                    "Cơ bản hoàn thành",
                    "Triển khai nghiêm túc",
                    "Tiếp tục duy trì",
                    "Có chuyển biến tích cực trong",
                ][self.rng.random_range(0..4)];
                (
                    s.number.clone(),
                    format!(
                        "{lead} nội dung «{}» trong {period_label} tại {unit_name}.",
                        s.title
                    ),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_gets_valid_figures_for_every_shipped_template() {
        let p = Profile::load(DEFAULT_PROFILE).unwrap();
        for file in ["qcdc-dinh-ky.v1.toml", "dan-van-chinh-quyen.v1.toml"] {
            let src = std::fs::read_to_string(format!(
                "{}/../../templates/{file}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            let t = Template::from_toml(&src).unwrap();
            let mut f = Figures::new(&p, 7).unwrap();
            for kind in UnitKind::ALL {
                for _ in 0..20 {
                    let v = f.report(&t, kind, 1.0).unwrap();
                    assert!(!v.is_empty());
                    let findings = validate::validate(&t, &v, &Narrative::new(), Stage::Draft);
                    assert!(!validate::has_errors(&findings), "{kind:?} {findings:?}");
                }
            }
        }
    }
}
