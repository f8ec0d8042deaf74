//! Report templates as data: outline (đề cương), indicator form (biểu mẫu) and rules.
//!
//! A template is a versioned TOML file (see `templates/`). [`Template::from_toml`]
//! checks it whole and lists every problem; a loaded template is always consistent
//! (every reference resolves, every rule parses).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, ErrorCode, Problem};
use crate::expr::Expr;
use crate::registers::source::Source;
use crate::unit::UnitKind;

/// Units of measure accepted in forms (đơn vị tính).
pub const UNITS_OF_MEASURE: &[&str] = &[
    "văn bản",
    "cuộc",
    "lượt",
    "người",
    "đơn",
    "vụ việc",
    "hồ sơ",
    "%",
    "triệu đồng",
    "đơn vị",
    "xã",
    "mô hình",
    "doanh nghiệp",
    "ý kiến",
    "nội dung",
    "đoàn",
    "dịch vụ",
    "lần",
    "hộ",
    "thôn, tổ dân phố",
    "điểm",
    "tập thể",
    "cá nhân",
    "kế hoạch",
    "quy chế",
    "hội nghị",
    "công trình",
    "tổ chức",
    "ban",
];

/// Units of measure that may carry decimals; every other one counts whole things.
pub fn allows_decimals(unit: &str) -> bool {
    matches!(unit, "%" | "triệu đồng" | "điểm")
}

/// How an indicator consolidates up the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// Counts and amounts: add up.
    Sum,
    /// Re-computed from summed numerator and denominator (never averaged).
    Ratio,
    /// Cannot be aggregated (a bare percentage, an index): listed per unit.
    None,
}

/// How the parts of a breakdown ("trong đó") relate to their whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parts {
    /// Parts add up exactly to the whole.
    Complete,
    /// Parts do not overlap: their sum may not exceed the whole.
    #[default]
    Disjoint,
    /// Parts may overlap: each part may not exceed the whole.
    Overlapping,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    #[default]
    Error,
    Warning,
}

/// An outline section (mục của đề cương), e.g. `II.3` with its guidance text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Outline number as printed: `I`, `II.1`, `III.3`.
    pub number: String,
    pub title: String,
    #[serde(default)]
    pub guidance: String,
    /// A submission cannot be sent with this section empty.
    #[serde(default)]
    pub required: bool,
}

/// A group of indicators in the form (e.g. "7. Tiếp công dân, đơn thư").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub code: String,
    pub title: String,
    /// The unit kinds that report this group (see [`applies_to`]); empty: every kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<String>,
}

/// Whether a form part limited to `audience` (unit kind codes such as `enterprise`,
/// or `commune_level` for every commune-level kind) is reported by a unit of `kind`.
/// An empty list means every kind; the consolidating levels (central, province,
/// district) see everything, since they add up their children's figures.
pub fn applies_to(audience: &[String], kind: UnitKind) -> bool {
    audience.is_empty()
        || matches!(
            kind,
            UnitKind::Central | UnitKind::Province | UnitKind::District
        )
        || audience
            .iter()
            .any(|a| a == kind.as_str() || (a == "commune_level" && kind.is_commune_level()))
}

fn is_audience(a: &str) -> bool {
    a == "commune_level" || UnitKind::parse(a).is_some()
}

/// An indicator (chỉ tiêu).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub code: String,
    pub group: String,
    pub name: String,
    pub unit: String,
    #[serde(default = "default_aggregate")]
    pub aggregate: Aggregate,
    /// For ratios: the indicators whose sums make the fraction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<String>,
    /// This indicator is a breakdown ("trong đó") of another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    /// For a whole with parts: how the parts relate to it.
    #[serde(default)]
    pub parts: Parts,
    /// A submission cannot be sent with this indicator empty.
    #[serde(default)]
    pub required: bool,
    /// Limits the indicator to these unit kinds (narrower than its group's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<String>,
    /// Where the figure can be counted from the unit's registers (see
    /// [`crate::registers::source`]); checked when the template is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

impl Indicator {
    /// True when the indicator counts whole things (no decimals may be typed).
    pub fn whole_numbers(&self) -> bool {
        self.aggregate != Aggregate::Ratio && !allows_decimals(&self.unit)
    }

    /// How many decimals its values are shown with: ratios one, amounts and
    /// percentages up to three, counts none.
    pub fn decimals(&self) -> u32 {
        if self.aggregate == Aggregate::Ratio {
            1
        } else if allows_decimals(&self.unit) {
            3
        } else {
            0
        }
    }
}

fn default_aggregate() -> Aggregate {
    Aggregate::Sum
}

/// An explicit validation rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub code: String,
    /// Boolean expression that must hold.
    pub check: String,
    #[serde(default)]
    pub severity: Severity,
    /// Vietnamese message shown when the check fails.
    pub message: String,
}

/// The file format of a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateDef {
    pub code: String,
    pub version: u32,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Where the outline comes from (the request letter).
    #[serde(default)]
    pub source: String,
    /// Period families this template is meant for: quarter, half, nine_months, year.
    #[serde(default)]
    pub period_kinds: Vec<String>,
    pub sections: Vec<Section>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub rules: Vec<RuleDef>,
}

/// A compiled rule: explicit or derived from the form's structure.
#[derive(Debug, Clone)]
pub struct Rule {
    pub code: String,
    pub expr: Expr,
    pub severity: Severity,
    pub message: String,
    /// Indicators the rule reads, in form order.
    pub indicators: Vec<String>,
}

/// A checked, ready-to-use template.
#[derive(Debug, Clone)]
pub struct Template {
    pub def: TemplateDef,
    index: HashMap<String, usize>,
    pub rules: Vec<Rule>,
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Template {
    /// Parses and checks a template file, listing every problem at once.
    pub fn from_toml(src: &str) -> Result<Template, CoreError> {
        let def: TemplateDef = toml::from_str(src).map_err(|e| {
            let line = e.span().map_or(0, |s| {
                src[..s.start.min(src.len())].matches('\n').count() + 1
            });
            CoreError::with_problems(
                ErrorCode::InvalidTemplate,
                "Tệp mẫu báo cáo không đọc được",
                vec![Problem {
                    line,
                    code: "toml",
                    message: e.message().to_string(),
                }],
            )
        })?;
        Template::from_def(def)
    }

    /// Checks a parsed definition.
    pub fn from_def(def: TemplateDef) -> Result<Template, CoreError> {
        let mut problems = Vec::new();
        let mut p = |code: &'static str, message: String| {
            problems.push(Problem {
                line: 0,
                code,
                message,
            })
        };
        if !is_code(&def.code.replace('-', "_")) {
            p(
                "code",
                format!(
                    "Mã mẫu «{}» chỉ gồm chữ thường không dấu, số, «-» và «_»",
                    def.code
                ),
            );
        }
        if def.version == 0 {
            p("version", "Phiên bản phải từ 1 trở lên".into());
        }
        if def.sections.is_empty() {
            p("sections", "Đề cương phải có ít nhất một mục".into());
        }
        for k in &def.period_kinds {
            if !matches!(k.as_str(), "quarter" | "half" | "nine_months" | "year") {
                p(
                    "period_kinds",
                    format!("Loại kỳ «{k}» không hợp lệ (quarter, half, nine_months, year)"),
                );
            }
        }
        let mut seen = HashSet::new();
        for s in &def.sections {
            if s.number.trim().is_empty() || s.title.trim().is_empty() {
                p(
                    "section",
                    format!("Mục «{}» thiếu số thứ tự hoặc tiêu đề", s.number),
                );
            }
            if !seen.insert(s.number.clone()) {
                p("duplicate_section", format!("Mục «{}» bị trùng", s.number));
            }
        }
        let groups: HashSet<&str> = def.groups.iter().map(|g| g.code.as_str()).collect();
        if groups.len() != def.groups.len() {
            p("duplicate_group", "Có nhóm chỉ tiêu trùng mã".into());
        }
        let audiences = def
            .groups
            .iter()
            .map(|g| (format!("nhóm «{}»", g.code), &g.applies_to))
            .chain(
                def.indicators
                    .iter()
                    .map(|i| (format!("chỉ tiêu «{}»", i.code), &i.applies_to)),
            );
        for (owner, list) in audiences {
            for a in list.iter().filter(|a| !is_audience(a)) {
                p(
                    "applies_to",
                    format!(
                        "Loại đơn vị «{a}» của {owner} không hợp lệ (mã loại đơn vị hoặc commune_level)"
                    ),
                );
            }
        }
        let mut index = HashMap::new();
        for (i, ind) in def.indicators.iter().enumerate() {
            if !is_code(&ind.code) {
                p(
                    "indicator_code",
                    format!(
                        "Mã chỉ tiêu «{}» chỉ gồm chữ thường không dấu, số và «_»",
                        ind.code
                    ),
                );
            }
            if index.insert(ind.code.clone(), i).is_some() {
                p(
                    "duplicate_indicator",
                    format!("Chỉ tiêu «{}» bị trùng mã", ind.code),
                );
            }
            if !groups.contains(ind.group.as_str()) {
                p(
                    "unknown_group",
                    format!(
                        "Chỉ tiêu «{}» thuộc nhóm «{}» không tồn tại",
                        ind.code, ind.group
                    ),
                );
            }
            if !UNITS_OF_MEASURE.contains(&ind.unit.as_str()) {
                p(
                    "unit",
                    format!(
                        "Đơn vị tính «{}» của chỉ tiêu «{}» không có trong danh mục",
                        ind.unit, ind.code
                    ),
                );
            }
            if ind.source.is_some() && !(ind.aggregate == Aggregate::Sum && ind.whole_numbers()) {
                p(
                    "source",
                    format!(
                        "Chỉ tiêu «{}» lấy số liệu từ sổ theo dõi nên phải là số đếm cộng dồn",
                        ind.code
                    ),
                );
            }
            if ind.name.trim().is_empty() {
                p(
                    "indicator_name",
                    format!("Chỉ tiêu «{}» thiếu tên", ind.code),
                );
            }
        }
        for ind in &def.indicators {
            let kind_of = |c: &Option<String>| {
                c.as_ref()
                    .and_then(|c| index.get(c))
                    .map(|&i| &def.indicators[i])
            };
            match ind.aggregate {
                Aggregate::Ratio => {
                    for (label, r) in [("tử số", &ind.numerator), ("mẫu số", &ind.denominator)]
                    {
                        match kind_of(r) {
                            None => p(
                                "ratio",
                                format!("Tỷ lệ «{}» thiếu hoặc sai {label}", ind.code),
                            ),
                            Some(t) if t.aggregate != Aggregate::Sum => p(
                                "ratio",
                                format!("{label} của «{}» phải là chỉ tiêu cộng dồn", ind.code),
                            ),
                            _ => {}
                        }
                    }
                    if ind.unit != "%" {
                        p(
                            "ratio",
                            format!("Tỷ lệ «{}» phải có đơn vị tính «%»", ind.code),
                        );
                    }
                }
                _ => {
                    if ind.numerator.is_some() || ind.denominator.is_some() {
                        p(
                            "ratio",
                            format!(
                                "Chỉ tiêu «{}» không phải tỷ lệ nên không có tử số/mẫu số",
                                ind.code
                            ),
                        );
                    }
                }
            }
            if let Some(parent) = &ind.part_of {
                match index.get(parent).map(|&i| &def.indicators[i]) {
                    None => p(
                        "part_of",
                        format!(
                            "Chỉ tiêu «{}» là thành phần của «{parent}» không tồn tại",
                            ind.code
                        ),
                    ),
                    Some(w)
                        if w.aggregate == Aggregate::Ratio || ind.aggregate == Aggregate::Ratio =>
                    {
                        p(
                            "part_of",
                            format!("Tỷ lệ không thể là thành phần hoặc tổng của «{}»", ind.code),
                        )
                    }
                    _ => {}
                }
            }
        }
        // breakdown chains must not loop
        for ind in &def.indicators {
            let mut cur = ind.part_of.clone();
            let mut steps = 0;
            while let Some(c) = cur {
                steps += 1;
                if c == ind.code || steps > def.indicators.len() {
                    p(
                        "part_of_cycle",
                        format!("Chỉ tiêu «{}» là thành phần của chính nó", ind.code),
                    );
                    break;
                }
                cur = index
                    .get(&c)
                    .and_then(|&i| def.indicators[i].part_of.clone());
            }
        }
        let mut rules = Vec::new();
        let mut rule_codes = HashSet::new();
        for r in &def.rules {
            if !rule_codes.insert(r.code.clone()) {
                p(
                    "duplicate_rule",
                    format!("Quy tắc «{}» bị trùng mã", r.code),
                );
            }
            match Expr::parse(&r.check) {
                Err(e) => p("rule", format!("Quy tắc «{}»: {}", r.code, e.message)),
                Ok(expr) => {
                    let vars = expr.variables();
                    let unknown: Vec<_> = vars.iter().filter(|v| !index.contains_key(*v)).collect();
                    if !unknown.is_empty() {
                        p(
                            "rule",
                            format!(
                                "Quy tắc «{}» dùng chỉ tiêu không tồn tại: {unknown:?}",
                                r.code
                            ),
                        );
                    }
                    let mut inds: Vec<String> = vars.into_iter().collect();
                    inds.sort_by_key(|c| index.get(c).copied().unwrap_or(usize::MAX));
                    rules.push(Rule {
                        code: r.code.clone(),
                        expr,
                        severity: r.severity,
                        message: r.message.clone(),
                        indicators: inds,
                    });
                }
            }
        }
        if !problems.is_empty() {
            return Err(CoreError::with_problems(
                ErrorCode::InvalidTemplate,
                format!("Mẫu báo cáo «{}» có {} lỗi", def.code, problems.len()),
                problems,
            ));
        }
        let mut t = Template { def, index, rules };
        let derived = t.structural_rules()?;
        t.rules.extend(derived);
        Ok(t)
    }

    /// Rules implied by the form: breakdowns against wholes, stated ratios against fractions.
    fn structural_rules(&self) -> Result<Vec<Rule>, CoreError> {
        let mut out = Vec::new();
        let mut parts: BTreeMap<usize, Vec<&Indicator>> = BTreeMap::new();
        for ind in &self.def.indicators {
            if let Some(w) = &ind.part_of {
                parts.entry(self.index[w]).or_default().push(ind);
            }
        }
        for (wi, ps) in parts {
            let whole = &self.def.indicators[wi];
            let names = ps
                .iter()
                .map(|i| format!("«{}»", i.name))
                .collect::<Vec<_>>()
                .join(" + ");
            let codes = ps
                .iter()
                .map(|i| i.code.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let mut inds: Vec<String> = ps.iter().map(|i| i.code.clone()).collect();
            inds.insert(0, whole.code.clone());
            match whole.parts {
                Parts::Complete => out.push(Rule {
                    code: format!("{}.tong_thanh_phan", whole.code),
                    expr: Expr::parse(&format!("sum({codes}) == {}", whole.code))?,
                    severity: Severity::Error,
                    message: format!("Tổng các thành phần {names} phải bằng «{}»", whole.name),
                    indicators: inds,
                }),
                Parts::Disjoint => out.push(Rule {
                    code: format!("{}.tong_thanh_phan", whole.code),
                    expr: Expr::parse(&format!(
                        "sum({}) <= {}",
                        ps.iter()
                            .map(|i| format!("coalesce({}, 0)", i.code))
                            .collect::<Vec<_>>()
                            .join(", "),
                        whole.code
                    ))?,
                    severity: Severity::Error,
                    message: format!(
                        "Tổng các thành phần {names} không được lớn hơn «{}»",
                        whole.name
                    ),
                    indicators: inds,
                }),
                Parts::Overlapping => {
                    for part in ps {
                        out.push(Rule {
                            code: format!("{}.khong_vuot_{}", part.code, whole.code),
                            expr: Expr::parse(&format!("{} <= {}", part.code, whole.code))?,
                            severity: Severity::Error,
                            message: format!("«{}» không được lớn hơn «{}»", part.name, whole.name),
                            indicators: vec![part.code.clone(), whole.code.clone()],
                        });
                    }
                }
            }
        }
        for ind in &self.def.indicators {
            if ind.aggregate == Aggregate::Ratio {
                let (n, d) = (
                    ind.numerator.as_deref().unwrap_or(""),
                    ind.denominator.as_deref().unwrap_or(""),
                );
                let (nn, dn) = (
                    self.indicator(n).map_or(n, |i| i.name.as_str()),
                    self.indicator(d).map_or(d, |i| i.name.as_str()),
                );
                out.push(Rule {
                    code: format!("{}.khop_ty_le", ind.code),
                    // a stated percentage must be its fraction rounded to the decimals shown
                    expr: Expr::parse(&format!("round_eq({}, pct({n}, {d}))", ind.code))?,
                    severity: Severity::Error,
                    message: format!("Tỷ lệ «{}» không khớp với «{nn}» / «{dn}»", ind.name),
                    indicators: vec![ind.code.clone(), n.to_string(), d.to_string()],
                });
                out.push(Rule {
                    code: format!("{}.tu_khong_vuot_mau", ind.code),
                    expr: Expr::parse(&format!("{n} <= {d}"))?,
                    severity: Severity::Error,
                    message: format!("«{nn}» không được lớn hơn «{dn}»"),
                    indicators: vec![n.to_string(), d.to_string()],
                });
            }
        }
        Ok(out)
    }

    pub fn code(&self) -> &str {
        &self.def.code
    }

    pub fn version(&self) -> u32 {
        self.def.version
    }

    pub fn indicators(&self) -> &[Indicator] {
        &self.def.indicators
    }

    pub fn sections(&self) -> &[Section] {
        &self.def.sections
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.index.get(code).map(|&i| &self.def.indicators[i])
    }

    /// Position of the indicator in form order.
    pub fn position(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    /// Whether a unit of `kind` reports the indicator `ind` (its group's and its own
    /// limits both hold).
    pub fn applies(&self, ind: &Indicator, kind: UnitKind) -> bool {
        applies_to(&ind.applies_to, kind)
            && self
                .def
                .groups
                .iter()
                .find(|g| g.code == ind.group)
                .is_none_or(|g| applies_to(&g.applies_to, kind))
    }

    /// The indicators a unit of `kind` reports, in form order.
    pub fn indicators_for(&self, kind: UnitKind) -> impl Iterator<Item = &Indicator> {
        self.indicators()
            .iter()
            .filter(move |i| self.applies(i, kind))
    }

    pub fn section(&self, number: &str) -> Option<&Section> {
        self.def.sections.iter().find(|s| s.number == number)
    }

    /// True when the template is meant for periods of this family.
    pub fn fits_period(&self, family: &str) -> bool {
        self.def.period_kinds.is_empty() || self.def.period_kinds.iter().any(|k| k == family)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"
code = "mini"
version = 1
name = "Mẫu thử"
period_kinds = ["half"]
[[sections]]
number = "I"
title = "Tình hình"
required = true
[[groups]]
code = "1"
title = "Văn bản"
[[indicators]]
code = "vb_tong"
group = "1"
name = "Tổng số văn bản"
unit = "văn bản"
parts = "complete"
[[indicators]]
code = "vb_cap_uy"
group = "1"
name = "Cấp ủy"
unit = "văn bản"
part_of = "vb_tong"
[[indicators]]
code = "vb_chinh_quyen"
group = "1"
name = "Chính quyền"
unit = "văn bản"
part_of = "vb_tong"
"#;

    #[test]
    fn loads_and_derives_rules() {
        let t = Template::from_toml(MINI).unwrap();
        assert_eq!(t.indicators().len(), 3);
        assert_eq!(t.rules.len(), 1);
        assert_eq!(t.rules[0].code, "vb_tong.tong_thanh_phan");
        assert!(t.fits_period("half") && !t.fits_period("year"));
    }

    #[test]
    fn lists_every_problem() {
        let bad = MINI
            .replace(
                "part_of = \"vb_tong\"\n[[indicators]]\ncode = \"vb_chinh_quyen\"",
                "part_of = \"khong_co\"\n[[indicators]]\ncode = \"vb_cap_uy\"",
            )
            .replace("unit = \"văn bản\"\nparts", "unit = \"cái\"\nparts");
        let e = Template::from_toml(&bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidTemplate);
        let codes: Vec<_> = e.problems.iter().map(|p| p.code).collect();
        assert!(codes.contains(&"duplicate_indicator"), "{codes:?}");
        assert!(codes.contains(&"part_of"), "{codes:?}");
        assert!(codes.contains(&"unit"), "{codes:?}");
    }

    proptest::proptest! {
        #[test]
        fn from_toml_never_panics(s in "\\PC{0,300}") {
            let _ = Template::from_toml(&s);
        }

        #[test]
        fn mutated_templates_never_panic(cut in 0usize..2000, insert in "[a-z_\\[\\]=\"\n .0-9]{0,20}") {
            let mut src = MINI.to_string();
            let at = (0..=cut.min(src.len())).rev().find(|i| src.is_char_boundary(*i)).unwrap_or(0);
            src.insert_str(at, &insert);
            let _ = Template::from_toml(&src);
            let _ = Template::from_toml(&src[..at]);
        }
    }

    #[test]
    fn indicators_may_count_from_registers_and_bad_sources_refuse_the_template() {
        let with = |source: &str| {
            MINI.replace(
                "code = \"vb_chinh_quyen\"\ngroup = \"1\"\nname = \"Chính quyền\"\nunit = \"văn bản\"",
                &format!(
                    "code = \"vb_chinh_quyen\"\ngroup = \"1\"\nname = \"Chính quyền\"\nunit = \"văn bản\"\nsource = {source}"
                ),
            )
        };
        let good = with(
            r#"{ register = "petitions", kind = "khieu_nai", measure = "cases", filter = "resolved" }"#,
        );
        assert_ne!(good, MINI, "the replacement applied");
        let t = Template::from_toml(&good).unwrap();
        let ind = t
            .indicators()
            .iter()
            .find(|i| i.code == "vb_chinh_quyen")
            .unwrap();
        assert!(matches!(
            ind.source,
            Some(crate::registers::source::Source::Petitions { .. })
        ));
        // stored as JSON and read back, the source is the same
        let json = serde_json::to_string(&t.def).unwrap();
        let back: TemplateDef = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t.def);
        // an unknown register or measure refuses the whole template, naming its line
        for bad in [
            r#"{ register = "phieu", measure = "count" }"#,
            r#"{ register = "receptions", measure = "cases" }"#,
        ] {
            let e = Template::from_toml(&with(bad)).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidTemplate);
            assert!(e.problems[0].line > 0, "{:?}", e.problems);
            assert!(
                e.problems[0].message.contains("không hợp lệ"),
                "{:?}",
                e.problems
            );
        }
        // a percentage cannot be counted from a register
        let pct = format!(
            "{MINI}[[indicators]]\ncode = \"ty_le\"\ngroup = \"1\"\nname = \"Tỷ lệ\"\nunit = \"%\"\naggregate = \"none\"\nsource = {{ register = \"models\", measure = \"count\" }}\n"
        );
        let e = Template::from_toml(&pct).unwrap_err();
        assert_eq!(
            e.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
            vec!["source"]
        );
    }

    #[test]
    fn toml_syntax_error_has_line() {
        let e = Template::from_toml("code = \"x\"\nversion = \n").unwrap_err();
        assert_eq!(e.problems[0].line, 2);
    }
}
