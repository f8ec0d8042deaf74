//! Plausible figures for any template, driven by `demo/figures.toml`: wholes before
//! parts, numerators within their denominators, stated ratios computed. Used by the
//! demo and by `qcdc gen`; every report it makes passes the template's blocking rules.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use qcdc_core::expr::{Expr, Value};
use qcdc_core::number::{self, Milli, SCALE};
use qcdc_core::period::Period;
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
    book: NarrativeBook,
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
            book: NarrativeBook::load(DEFAULT_NARRATIVE)?,
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

    /// The narrative of one unit's report: for every section of the outline with
    /// paragraphs for the unit's kind in `demo/narrative.toml`, two to four of
    /// them, drawn without repetition and kept in the file's order, their figures
    /// taken from the report's own `values` (a paragraph citing a figure the report
    /// does not have, or has as zero, is not drawn). A section with nothing for the
    /// unit's kind (results in enterprises, for a commune's own report, say) is
    /// left out unless the outline requires it.
    pub fn narrative(
        &mut self,
        t: &Template,
        kind: UnitKind,
        unit_name: &str,
        period: Period,
        values: &Values,
    ) -> Narrative {
        let ctx = Fill {
            unit_name,
            commune_level: kind.is_commune_level(),
            period_label: period.label_vi(),
            next_label: next_period_label(period),
            year: period.year.to_string(),
            two_level: period.cutoff().1 >= TWO_LEVEL_FROM,
            values,
            t,
        };
        let mut out = Narrative::new();
        let mut pool: Vec<usize> = Vec::new();
        for s in t.sections() {
            let Some(paras) = self.book.section(t.code(), &s.number) else {
                if s.required {
                    out.insert(s.number.clone(), fallback(&s.title, &ctx));
                }
                continue;
            };
            pool.clear();
            pool.extend(
                paras
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.fits(kind, &ctx))
                    .map(|(i, _)| i),
            );
            if pool.is_empty() {
                if s.required {
                    out.insert(s.number.clone(), fallback(&s.title, &ctx));
                }
                continue;
            }
            let want = self.rng.random_range(2..=4).min(pool.len());
            // a partial Fisher–Yates shuffle draws `want` distinct paragraphs
            for i in 0..want {
                let j = self.rng.random_range(i..pool.len());
                pool.swap(i, j);
            }
            let chosen = &mut pool[..want];
            chosen.sort_unstable();
            let mut text = String::with_capacity(400 * want);
            for (n, &i) in chosen.iter().enumerate() {
                if n > 0 {
                    text.push_str("\n\n");
                }
                paras[i].render(&ctx, &mut text);
            }
            out.insert(s.number.clone(), text);
        }
        out
    }
}

/// The narrative paragraphs of the demo (`demo/narrative.toml`).
pub const DEFAULT_NARRATIVE: &str = include_str!("../../../demo/narrative.toml");

/// The first period whose data window ends under the two-level local government
/// (1 July 2025): paragraphs marked `two_level` are written for one side only.
const TWO_LEVEL_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2025, 7, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// One paragraph as written in `demo/narrative.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParagraph {
    /// Kind groups the paragraph is written for (`commune_level`, `state` for
    /// agencies and public service units, or a unit kind); empty: every kind.
    #[serde(default)]
    kinds: Vec<String>,
    /// `true`: only for periods under the two-level local government (from
    /// 1 July 2025); `false`: only before it.
    #[serde(default)]
    two_level: Option<bool>,
    text: String,
}

/// template code → section number → paragraphs, in the file's order.
type RawBook = BTreeMap<String, BTreeMap<String, Vec<RawParagraph>>>;

/// A piece of a pre-parsed paragraph.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Lit(String),
    /// `{don_vi}`; `start`: at the start of a sentence (keeps "Xã", "Phường").
    Unit {
        start: bool,
    },
    /// `{ky}`: "6 tháng đầu năm 2026", "năm 2026".
    Period,
    /// `{ky_toi}`: the period after the report's.
    Next,
    /// `{nam}`.
    Year,
    /// `{code}`: the report's value of an indicator, the Vietnamese way.
    Value(String),
}

/// The placeholders other than indicator codes.
#[cfg(test)]
const NARRATIVE_PLACEHOLDERS: [&str; 4] = ["don_vi", "ky", "ky_toi", "nam"];

#[derive(Debug)]
struct Paragraph {
    kinds: Vec<String>,
    two_level: Option<bool>,
    segs: Vec<Seg>,
    /// Indicator codes the paragraph cites.
    needs: Vec<String>,
}

/// The paragraphs, pre-parsed once.
#[derive(Debug)]
pub struct NarrativeBook {
    sections: BTreeMap<(String, String), Vec<Paragraph>>,
}

impl NarrativeBook {
    pub fn load(src: &str) -> Result<NarrativeBook> {
        let raw: RawBook = toml::from_str(src).context("demo/narrative.toml")?;
        let mut sections = BTreeMap::new();
        for (template, by_section) in raw {
            for (number, paras) in by_section {
                let mut out = Vec::with_capacity(paras.len());
                for (i, p) in paras.into_iter().enumerate() {
                    for k in &p.kinds {
                        if !matches!(k.as_str(), "commune_level" | "state")
                            && UnitKind::parse(k).is_none()
                        {
                            bail!("{template} {number} #{}: unknown kind «{k}»", i + 1);
                        }
                    }
                    let segs = parse_segs(&p.text)
                        .with_context(|| format!("{template} {number} #{}", i + 1))?;
                    let mut needs: Vec<String> = segs
                        .iter()
                        .filter_map(|s| match s {
                            Seg::Value(c) => Some(c.clone()),
                            _ => None,
                        })
                        .collect();
                    needs.sort();
                    needs.dedup();
                    out.push(Paragraph {
                        kinds: p.kinds,
                        two_level: p.two_level,
                        segs,
                        needs,
                    });
                }
                sections.insert((template.clone(), number), out);
            }
        }
        Ok(NarrativeBook { sections })
    }

    fn section(&self, template: &str, number: &str) -> Option<&[Paragraph]> {
        self.sections
            .get(&(template.to_string(), number.to_string()))
            .map(Vec::as_slice)
    }

    /// Every (template, section, paragraph), for tests.
    #[cfg(test)]
    fn entries(&self) -> impl Iterator<Item = (&str, &str, &Paragraph)> {
        self.sections
            .iter()
            .flat_map(|((t, s), ps)| ps.iter().map(move |p| (t.as_str(), s.as_str(), p)))
    }
}

/// Splits a paragraph into text and placeholders (`{name}`); `{{` and `}}` are
/// literal braces.
fn parse_segs(text: &str) -> Result<Vec<Seg>> {
    let mut segs = Vec::new();
    let mut lit = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) if c.is_ascii_alphanumeric() || c == '_' => name.push(c),
                        _ => bail!("placeholder not closed or not a code: «{{{name}»"),
                    }
                }
                let start = {
                    let before = lit.trim_end();
                    before.is_empty() && segs.is_empty()
                        || before.ends_with(['.', ':', ';', '!', '?'])
                };
                if !lit.is_empty() {
                    segs.push(Seg::Lit(std::mem::take(&mut lit)));
                }
                segs.push(match name.as_str() {
                    "don_vi" => Seg::Unit { start },
                    "ky" => Seg::Period,
                    "ky_toi" => Seg::Next,
                    "nam" => Seg::Year,
                    "" => bail!("empty placeholder"),
                    _ => Seg::Value(name),
                });
            }
            '}' => bail!("unmatched «}}»"),
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        segs.push(Seg::Lit(lit));
    }
    Ok(segs)
}

/// What a paragraph is filled with.
struct Fill<'v> {
    unit_name: &'v str,
    commune_level: bool,
    period_label: String,
    next_label: String,
    year: String,
    two_level: bool,
    values: &'v Values,
    t: &'v Template,
}

impl Paragraph {
    fn fits(&self, kind: UnitKind, ctx: &Fill) -> bool {
        (self.kinds.is_empty()
            || self.kinds.iter().any(|k| {
                k == kind.as_str()
                    || (k == "commune_level" && kind.is_commune_level())
                    || (k == "state" && matches!(kind, UnitKind::Agency | UnitKind::PublicService))
            }))
            && self.two_level.is_none_or(|x| x == ctx.two_level)
            && self
                .needs
                .iter()
                .all(|c| ctx.values.get(c).is_some_and(|v| *v > 0))
    }

    fn render(&self, ctx: &Fill, out: &mut String) {
        for s in &self.segs {
            match s {
                Seg::Lit(x) => out.push_str(x),
                Seg::Unit { start } => {
                    if *start || !ctx.commune_level {
                        out.push_str(ctx.unit_name);
                    } else {
                        // "Đảng ủy xã Đam Rông 1", "tại phường Đà Lạt"
                        let mut cs = ctx.unit_name.chars();
                        if let Some(first) = cs.next() {
                            out.extend(first.to_lowercase());
                            out.push_str(cs.as_str());
                        }
                    }
                }
                Seg::Period => out.push_str(&ctx.period_label),
                Seg::Next => out.push_str(&ctx.next_label),
                Seg::Year => out.push_str(&ctx.year),
                Seg::Value(code) => {
                    let v = ctx.values.get(code).copied().unwrap_or(0);
                    let decimals = ctx
                        .t
                        .indicator(code)
                        .is_some_and(|i| allows_decimals(&i.unit));
                    out.push_str(&number::format_vn(v, if decimals { 1 } else { 0 }));
                }
            }
        }
    }
}

/// The period after `p`, as a report names it in its tasks ("6 tháng cuối năm 2026").
fn next_period_label(p: Period) -> String {
    use qcdc_core::period::PeriodKind::*;
    let next = match p.kind {
        Quarter(4) | Year | SecondHalf => Period::new(p.year + 1, Year),
        Quarter(q) => Period::new(p.year, Quarter(q + 1)),
        FirstHalf => Period::new(p.year, SecondHalf),
        NineMonths => Period::new(p.year, Quarter(4)),
    };
    next.label_vi()
}

/// For a template the narrative file does not know: one plain sentence.
fn fallback(title: &str, ctx: &Fill) -> String {
    let unit = ctx.unit_name;
    let period = &ctx.period_label;
    format!("Trong {period}, {unit} đã triển khai nội dung «{title}» theo kế hoạch đề ra.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_gets_valid_figures_for_every_shipped_template() {
        let p = Profile::load(DEFAULT_PROFILE).unwrap();
        for file in [
            "qcdc-dinh-ky.v1.toml",
            "dan-van-chinh-quyen.v1.toml",
            "qcdc-dinh-ky.v3.toml",
            "dan-van-chinh-quyen.v3.toml",
        ] {
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
    fn shipped(file: &str) -> Template {
        let src = std::fs::read_to_string(format!(
            "{}/../../templates/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        Template::from_toml(&src).unwrap()
    }

    const V2: [&str; 2] = ["qcdc-dinh-ky.v2.toml", "dan-van-chinh-quyen.v2.toml"];

    /// The kinds that receive reporting rounds.
    const REPORTING: [UnitKind; 8] = [
        UnitKind::Commune,
        UnitKind::Ward,
        UnitKind::Township,
        UnitKind::SpecialZone,
        UnitKind::Agency,
        UnitKind::PublicService,
        UnitKind::Enterprise,
        UnitKind::MassOrg,
    ];

    #[test]
    fn the_narrative_file_parses_and_is_nfc() {
        let book = NarrativeBook::load(DEFAULT_NARRATIVE).unwrap();
        assert!(book.sections.len() >= 19);
        assert_eq!(
            qcdc_core::text::nfc(DEFAULT_NARRATIVE),
            DEFAULT_NARRATIVE,
            "demo/narrative.toml must be NFC"
        );
        // no paragraph twice: a report never repeats one
        let mut seen = std::collections::BTreeSet::new();
        for (t, s, p) in book.entries() {
            assert!(seen.insert(format!("{:?}", p.segs)), "{t} {s}: duplicate");
        }
    }

    #[test]
    fn every_section_has_paragraphs_and_every_placeholder_exists() {
        let book = NarrativeBook::load(DEFAULT_NARRATIVE).unwrap();
        for file in V2 {
            let t = shipped(file);
            for s in t.sections() {
                let paras = book
                    .section(t.code(), &s.number)
                    .unwrap_or_else(|| panic!("{} {}: no paragraphs", t.code(), s.number));
                assert!(
                    paras.len() >= 8,
                    "{} {}: {}",
                    t.code(),
                    s.number,
                    paras.len()
                );
                // a required section can always be written without figures, for
                // every kind, from at least two paragraphs
                if s.required {
                    for kind in REPORTING {
                        for two_level in [false, true] {
                            let n = paras
                                .iter()
                                .filter(|p| p.needs.is_empty())
                                .filter(|p| p.two_level.is_none_or(|x| x == two_level))
                                .filter(|p| {
                                    p.kinds.is_empty()
                                        || p.kinds.iter().any(|k| {
                                            k == kind.as_str()
                                                || (k == "commune_level" && kind.is_commune_level())
                                                || (k == "state"
                                                    && matches!(
                                                        kind,
                                                        UnitKind::Agency | UnitKind::PublicService
                                                    ))
                                        })
                                })
                                .count();
                            assert!(n >= 2, "{} {} {kind:?}: {n}", t.code(), s.number);
                        }
                    }
                }
            }
            let numbers: Vec<&str> = t.sections().iter().map(|s| s.number.as_str()).collect();
            for (code, s, p) in book.entries() {
                if code != t.code() {
                    continue;
                }
                assert!(numbers.contains(&s), "{code}: no section {s}");
                for c in &p.needs {
                    let ind = t
                        .indicator(c)
                        .unwrap_or_else(|| panic!("{code} {s}: unknown placeholder {{{c}}}"));
                    // the paragraph is written for kinds that report the figure
                    for k in &p.kinds {
                        let kinds: Vec<UnitKind> = match k.as_str() {
                            "commune_level" => vec![UnitKind::Commune],
                            "state" => vec![UnitKind::Agency, UnitKind::PublicService],
                            k => vec![UnitKind::parse(k).unwrap()],
                        };
                        assert!(
                            kinds.iter().any(|kind| t.applies(ind, *kind)),
                            "{code} {s}: {{{c}}} is not reported by {k}"
                        );
                    }
                }
            }
        }
        let known: Vec<&str> = V2.iter().map(|f| f.split('.').next().unwrap()).collect();
        for (code, _, _) in book.entries() {
            assert!(known.contains(&code), "unknown template {code}");
        }
        for name in NARRATIVE_PLACEHOLDERS {
            assert!(parse_segs(&format!("{{{name}}}")).is_ok());
        }
        assert!(parse_segs("{chưa}").is_err());
        assert!(parse_segs("{mở").is_err());
    }

    /// Reports as the demo makes them: figures for the kind, then the narrative.
    fn reports(
        t: &Template,
        kind: UnitKind,
        period: Period,
        seed: u64,
        n: usize,
    ) -> Vec<(Values, Narrative)> {
        let p = Profile::load(DEFAULT_PROFILE).unwrap();
        let mut f = Figures::new(&p, seed).unwrap();
        let name = match kind {
            UnitKind::Commune => "Xã Đam Rông 1",
            UnitKind::Ward => "Phường Đà Lạt",
            UnitKind::Township => "Thị trấn Lạc Dương",
            UnitKind::SpecialZone => "Đặc khu Phú Quý",
            UnitKind::Agency => "Sở Nội vụ",
            UnitKind::PublicService => "Bệnh viện Đa khoa tỉnh",
            UnitKind::Enterprise => "Công ty Cổ phần Chè Cầu Đất",
            _ => "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
        };
        (0..n)
            .map(|_| {
                let mut v = f.report(t, kind, 1.0).unwrap();
                v.retain(|code, _| t.indicator(code).is_some_and(|i| t.applies(i, kind)));
                let text = f.narrative(t, kind, name, period, &v);
                (v, text)
            })
            .collect()
    }

    fn titled(t: &Template, n: &Narrative) -> Vec<(String, String, String)> {
        t.sections()
            .iter()
            .filter_map(|s| {
                n.get(&s.number)
                    .map(|x| (s.number.clone(), s.title.clone(), x.clone()))
            })
            .collect()
    }

    #[test]
    fn the_narrative_is_filled_and_agrees_with_the_report() {
        use qcdc_core::period::PeriodKind;
        for file in V2 {
            let t = shipped(file);
            let periods = if t.code() == "qcdc-dinh-ky" {
                vec![
                    Period::new(2025, PeriodKind::FirstHalf),
                    Period::new(2026, PeriodKind::FirstHalf),
                    Period::new(2026, PeriodKind::Year),
                ]
            } else {
                vec![Period::new(2025, PeriodKind::Year)]
            };
            for period in periods {
                let date = Some(period.earliest_deadline());
                for kind in REPORTING {
                    for (v, n) in reports(&t, kind, period, 11, 12) {
                        for s in t.sections().iter().filter(|s| s.required) {
                            assert!(n.contains_key(&s.number), "{kind:?} lacks {}", s.number);
                        }
                        for (num, text) in &n {
                            assert!(
                                !text.contains(['{', '}']),
                                "{kind:?} {num}: unfilled placeholder in «{text}»"
                            );
                            assert_eq!(&qcdc_core::text::nfc(text), text);
                            let paras = text.split("\n\n").count();
                            assert!((1..=4).contains(&paras), "{kind:?} {num}: {paras}");
                        }
                        let findings =
                            qcdc_checker::check_submission(&t, &titled(&t, &n), &v, date);
                        assert!(
                            findings.is_empty(),
                            "{} {kind:?} {period:?}: {findings:#?}\n{n:#?}\n{v:?}",
                            t.code()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_narrative_is_deterministic_and_varied() {
        use qcdc_core::period::PeriodKind;
        let t = shipped("qcdc-dinh-ky.v2.toml");
        let period = Period::new(2026, PeriodKind::FirstHalf);
        for kind in REPORTING {
            let a = reports(&t, kind, period, 5, 60);
            let b = reports(&t, kind, period, 5, 60);
            assert_eq!(
                a.iter().map(|x| &x.1).collect::<Vec<_>>(),
                b.iter().map(|x| &x.1).collect::<Vec<_>>()
            );
            // no two reports of a round share all their paragraphs
            let mut seen = std::collections::BTreeSet::new();
            for (_, n) in &a {
                let paras: Vec<&str> = n.values().flat_map(|x| x.split("\n\n")).collect();
                assert!(
                    seen.insert(paras),
                    "{kind:?}: two reports with the same narrative"
                );
                // and none repeats a paragraph
                let mut own = std::collections::BTreeSet::new();
                for p in n.values().flat_map(|x| x.split("\n\n")) {
                    assert!(own.insert(p), "{kind:?}: «{p}» twice");
                }
            }
        }
        // figures in a commune's narrative are its own, the Vietnamese way
        let (v, n) = &reports(&t, UnitKind::Commune, period, 3, 1)[0];
        let all: String = n.values().cloned().collect::<Vec<_>>().join("\n");
        assert!(all.contains("xã Đam Rông 1") || all.contains("Xã Đam Rông 1"));
        let hs = number::format_vn(v["hs_tiep_nhan"], 0);
        if all.contains("hồ sơ thủ tục hành chính") && all.contains("tiếp nhận") {
            assert!(hs.contains('.') || v["hs_tiep_nhan"] < 1_000_000);
        }
    }

    #[test]
    fn a_narrative_for_the_national_scale_is_cheap() {
        let t = shipped("qcdc-dinh-ky.v2.toml");
        let p = Profile::load(DEFAULT_PROFILE).unwrap();
        let mut f = Figures::new(&p, 1).unwrap();
        let v = f.report(&t, UnitKind::Commune, 1.0).unwrap();
        let period = Period::new(2026, qcdc_core::period::PeriodKind::FirstHalf);
        let start = std::time::Instant::now();
        let mut bytes = 0;
        for _ in 0..3_000 {
            bytes += f
                .narrative(&t, UnitKind::Commune, "Xã Lát", period, &v)
                .values()
                .map(String::len)
                .sum::<usize>();
        }
        assert!(bytes > 0);
        // generous even for an unoptimised build on a shared machine
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }
}
