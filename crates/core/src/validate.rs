//! Validation of a submission against its template: blocking errors and warnings,
//! each naming the indicators in Vietnamese.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, ErrorCode, Problem};
use crate::expr::Value;
use crate::number::{self, Milli, SCALE};
use crate::template::{Aggregate, Indicator, Severity, Template};
use crate::unit::UnitKind;

/// Longest narrative section accepted, in characters (about 25 printed pages).
pub const MAX_SECTION_CHARS: usize = 60_000;

/// A unit's figures: indicator code → value in thousandths.
pub type Values = BTreeMap<String, Milli>;
/// A unit's narrative: section number → text.
pub type Narrative = BTreeMap<String, String>;

/// When validation runs: drafts only warn about what is still missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Draft,
    Submit,
}

/// An indicator mentioned by a finding, with its Vietnamese name and value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorRef {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// One validation finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub rule: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<IndicatorRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// True when some finding blocks submission.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

fn ind_ref(t: &Template, code: &str, values: &Values) -> IndicatorRef {
    let ind = t.indicator(code);
    IndicatorRef {
        code: code.to_string(),
        name: ind.map_or_else(|| code.to_string(), |i| i.name.clone()),
        value: values.get(code).map(|v| number::format_exact(*v)),
    }
}

/// Checks figures and narrative against the whole template (a consolidating unit).
pub fn validate(
    t: &Template,
    values: &Values,
    narrative: &Narrative,
    stage: Stage,
) -> Vec<Finding> {
    validate_for(t, None, values, narrative, stage)
}

/// Checks figures and narrative against the part of the template a unit of `kind`
/// reports (`None`: all of it): indicators that do not apply to it are neither
/// required nor accepted.
pub fn validate_for(
    t: &Template,
    kind: Option<UnitKind>,
    values: &Values,
    narrative: &Narrative,
    stage: Stage,
) -> Vec<Finding> {
    let applies = |i: &Indicator| kind.is_none_or(|k| t.applies(i, k));
    let mut out = Vec::new();
    let missing_sev = if stage == Stage::Submit {
        Severity::Error
    } else {
        Severity::Warning
    };
    for s in t.sections() {
        if s.required && narrative.get(&s.number).is_none_or(|x| x.trim().is_empty()) {
            out.push(Finding {
                severity: missing_sev,
                rule: "muc_bat_buoc".into(),
                message: format!("Mục {} «{}» chưa có nội dung", s.number, s.title),
                indicators: vec![],
                section: Some(s.number.clone()),
            });
        }
    }
    for (code, v) in values {
        let Some(ind) = t.indicator(code) else {
            out.push(Finding {
                severity: Severity::Error,
                rule: "chi_tieu_khong_ton_tai".into(),
                message: format!("Chỉ tiêu «{code}» không có trong biểu mẫu"),
                indicators: vec![],
                section: None,
            });
            continue;
        };
        let r = || vec![ind_ref(t, code, values)];
        if !applies(ind) {
            out.push(Finding {
                severity: Severity::Error,
                rule: "khong_ap_dung".into(),
                message: format!(
                    "«{}» không thuộc phần biểu mẫu của loại đơn vị này; hãy xóa số liệu ở ô này",
                    ind.name
                ),
                indicators: r(),
                section: None,
            });
        }
        if *v < 0 {
            out.push(Finding {
                severity: Severity::Error,
                rule: "so_am".into(),
                message: format!("«{}» không được âm", ind.name),
                indicators: r(),
                section: None,
            });
        }
        if ind.whole_numbers() && v % SCALE != 0 {
            out.push(Finding {
                severity: Severity::Error,
                rule: "so_nguyen".into(),
                message: format!(
                    "«{}» đếm theo «{}» nên phải là số nguyên",
                    ind.name, ind.unit
                ),
                indicators: r(),
                section: None,
            });
        }
        if ind.unit == "%" && *v > 100 * SCALE {
            out.push(Finding {
                severity: Severity::Error,
                rule: "ty_le_vuot_100".into(),
                message: format!("«{}» không được vượt quá 100%", ind.name),
                indicators: r(),
                section: None,
            });
        }
    }
    for ind in t.indicators().iter().filter(|i| applies(i)) {
        let computable =
            ind.aggregate == Aggregate::Ratio && computed_ratio(t, values, &ind.code).is_some();
        if ind.required && !values.contains_key(&ind.code) && !computable {
            out.push(Finding {
                severity: missing_sev,
                rule: "chi_tieu_bat_buoc".into(),
                message: format!("Chưa nhập «{}»", ind.name),
                indicators: vec![ind_ref(t, &ind.code, values)],
                section: None,
            });
        }
    }
    let lookup = |c: &str| values.get(c).map(|v| number::to_f64(*v));
    for rule in &t.rules {
        if rule.expr.eval(&lookup) == Value::Bool(false) {
            out.push(Finding {
                severity: rule.severity,
                rule: rule.code.clone(),
                message: rule.message.clone(),
                indicators: rule
                    .indicators
                    .iter()
                    .map(|c| ind_ref(t, c, values))
                    .collect(),
                section: None,
            });
        }
    }
    out
}

/// Reads figures typed as Vietnamese text (`"1.234,5"`); empty cells are left out.
/// Every bad cell is listed, naming its indicator.
pub fn parse_text_values(
    t: &Template,
    input: &BTreeMap<String, String>,
) -> Result<Values, CoreError> {
    let mut out = Values::new();
    let mut problems = Vec::new();
    for (code, raw) in input {
        let Some(ind) = t.indicator(code) else {
            problems.push(Problem {
                line: 0,
                code: "unknown_indicator",
                message: format!("Chỉ tiêu «{code}» không có trong biểu mẫu"),
            });
            continue;
        };
        if raw.trim().is_empty() {
            continue;
        }
        match number::parse_figure(raw, ind.whole_numbers()) {
            Ok(v) => {
                out.insert(code.clone(), v);
            }
            Err(e) => problems.push(Problem {
                line: 0,
                code: "invalid_number",
                message: format!("«{}»: {}", ind.name, e.message),
            }),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(CoreError::with_problems(
            ErrorCode::InvalidNumber,
            "Có số liệu không hợp lệ",
            problems,
        ))
    }
}

/// Checks that every code is in the form and that computed ratios are not typed over.
pub fn check_codes(t: &Template, values: &Values, narrative: &Narrative) -> Result<(), CoreError> {
    let mut problems = Vec::new();
    for code in values.keys() {
        if t.indicator(code).is_none() {
            problems.push(Problem {
                line: 0,
                code: "unknown_indicator",
                message: format!("Chỉ tiêu «{code}» không có trong biểu mẫu {}", t.code()),
            });
        }
    }
    for (number, text) in narrative {
        let chars = text.chars().count();
        if chars > MAX_SECTION_CHARS {
            problems.push(Problem {
                line: 0,
                code: "section_too_long",
                message: format!(
                    "Mục {number} dài {} ký tự, vượt giới hạn {} ký tự một mục; hãy rút gọn hoặc chuyển phần chi tiết sang phụ lục",
                    number::format_vn(chars as i64 * SCALE, 0),
                    number::format_vn(MAX_SECTION_CHARS as i64 * SCALE, 0)
                ),
            });
        }
        if t.section(number).is_none() {
            problems.push(Problem {
                line: 0,
                code: "unknown_section",
                message: format!("Mục «{number}» không có trong đề cương"),
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else if problems.iter().all(|p| p.code == "section_too_long") {
        Err(CoreError::with_problems(
            ErrorCode::InvalidInput,
            "Nội dung báo cáo quá dài; chưa lưu gì",
            problems,
        ))
    } else {
        Err(CoreError::with_problems(
            ErrorCode::UnknownIndicator,
            "Báo cáo có chỉ tiêu hoặc mục không thuộc mẫu",
            problems,
        ))
    }
}

/// Fills ratios that the unit left empty from their numerator and denominator.
pub fn computed_ratio(t: &Template, values: &Values, code: &str) -> Option<f64> {
    let ind = t.indicator(code)?;
    if ind.aggregate != Aggregate::Ratio {
        return None;
    }
    let n = values.get(ind.numerator.as_deref()?)?;
    let d = values.get(ind.denominator.as_deref()?)?;
    (*d != 0).then(|| *n as f64 / *d as f64 * 100.0)
}

/// Reads figures from JSON input: a number, a Vietnamese-formatted string
/// (`"1.234,5"`), or `null`/`""` to clear the cell. Every bad cell is listed.
pub fn parse_json_values(
    t: &Template,
    input: &BTreeMap<String, serde_json::Value>,
) -> Result<BTreeMap<String, Option<Milli>>, CoreError> {
    let mut out = BTreeMap::new();
    let mut problems = Vec::new();
    for (code, raw) in input {
        let Some(ind) = t.indicator(code) else {
            problems.push(Problem {
                line: 0,
                code: "unknown_indicator",
                message: format!("Chỉ tiêu «{code}» không có trong biểu mẫu {}", t.code()),
            });
            continue;
        };
        let parsed = match raw {
            serde_json::Value::Null => Ok(None),
            serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
            serde_json::Value::String(s) => number::parse_figure(s, ind.whole_numbers()).map(Some),
            serde_json::Value::Number(n) => number::from_json_number(n).and_then(|v| {
                if ind.whole_numbers() && v % SCALE != 0 {
                    Err(CoreError::new(
                        ErrorCode::InvalidNumber,
                        format!("Chỉ tiêu này phải là số nguyên — đã gửi {n}"),
                    ))
                } else {
                    Ok(Some(v))
                }
            }),
            _ => Err(CoreError::new(
                ErrorCode::InvalidNumber,
                "phải là số, chuỗi số hoặc null",
            )),
        };
        match parsed {
            Ok(v) => {
                out.insert(code.clone(), v);
            }
            Err(e) => problems.push(Problem {
                line: 0,
                code: "invalid_number",
                message: format!("«{}»: {}", ind.name, e.message),
            }),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(CoreError::with_problems(
            ErrorCode::InvalidNumber,
            "Có số liệu không hợp lệ; chưa lưu gì",
            problems,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = r#"
code = "t"
version = 1
name = "t"
[[sections]]
number = "I"
title = "Đặc điểm"
required = true
[[groups]]
code = "g"
title = "g"
[[indicators]]
code = "vb_tong"
group = "g"
name = "Tổng số văn bản"
unit = "văn bản"
parts = "complete"
[[indicators]]
code = "vb_cap_uy"
group = "g"
name = "Văn bản của cấp ủy"
unit = "văn bản"
part_of = "vb_tong"
[[indicators]]
code = "vb_chinh_quyen"
group = "g"
name = "Văn bản của chính quyền"
unit = "văn bản"
part_of = "vb_tong"
[[indicators]]
code = "kn_nhan"
group = "g"
name = "Số vụ việc tiếp nhận"
unit = "vụ việc"
[[indicators]]
code = "kn_xong"
group = "g"
name = "Số vụ việc đã giải quyết"
unit = "vụ việc"
[[indicators]]
code = "kn_ty_le"
group = "g"
name = "Tỷ lệ giải quyết"
unit = "%"
aggregate = "ratio"
numerator = "kn_xong"
denominator = "kn_nhan"
[[indicators]]
code = "kinh_phi"
group = "g"
name = "Kinh phí"
unit = "triệu đồng"
"#;

    fn vals(v: &[(&str, &str)]) -> Values {
        let t = Template::from_toml(T).unwrap();
        parse_text_values(
            &t,
            &v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
        .unwrap()
    }

    fn rules(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.rule.as_str()).collect()
    }

    #[test]
    fn quiet_when_right() {
        let t = Template::from_toml(T).unwrap();
        let v = vals(&[
            ("vb_tong", "41"),
            ("vb_cap_uy", "20"),
            ("vb_chinh_quyen", "21"),
            ("kn_nhan", "885"),
            ("kn_xong", "834"),
            ("kn_ty_le", "94,2"),
            ("kinh_phi", "6.322,25"),
        ]);
        let n: Narrative = [("I".to_string(), "Nội dung".to_string())].into();
        assert_eq!(validate(&t, &v, &n, Stage::Submit), vec![]);
    }

    #[test]
    fn catches_slips_and_names_indicators() {
        let t = Template::from_toml(T).unwrap();
        let v = vals(&[
            ("vb_tong", "41"),
            ("vb_cap_uy", "20"),
            ("vb_chinh_quyen", "22"),
            ("kn_nhan", "157"),
            ("kn_xong", "138"),
            ("kn_ty_le", "87,8"),
        ]);
        let f = validate(&t, &v, &Narrative::new(), Stage::Submit);
        assert_eq!(
            rules(&f),
            [
                "muc_bat_buoc",
                "vb_tong.tong_thanh_phan",
                "kn_ty_le.khop_ty_le"
            ]
        );
        assert!(
            f[1].indicators
                .iter()
                .any(|i| i.name == "Văn bản của chính quyền" && i.value.as_deref() == Some("22"))
        );
        assert!(has_errors(&f));
        // while drafting, the missing section is only a warning
        let f = validate(&t, &v, &Narrative::new(), Stage::Draft);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn counts_are_whole_and_not_negative() {
        let t = Template::from_toml(T).unwrap();
        // typed text with a decimal in a count is refused before it is stored …
        let typed = [("kn_nhan".to_string(), "1,5".to_string())].into();
        let e = parse_text_values(&t, &typed).unwrap_err();
        assert!(e.problems[0].message.contains("bạn đã nhập «1,5»"), "{e:?}");
        // … and a stored fraction (an older row) is still reported, not rounded
        let mut v = vals(&[("kn_xong", "-1")]);
        v.insert("kn_nhan".into(), 1_500);
        let f = validate(&t, &v, &Narrative::new(), Stage::Draft);
        assert!(f.iter().any(|x| {
            x.indicators
                .iter()
                .any(|i| i.value.as_deref() == Some("1,5"))
        }));
        assert!(rules(&f).contains(&"so_nguyen"));
        assert!(rules(&f).contains(&"so_am"));
        assert!(f.iter().any(|x| x.message.contains("Số vụ việc tiếp nhận")));
    }

    #[test]
    fn part_larger_than_whole_is_an_error() {
        let t = Template::from_toml(T).unwrap();
        let v = vals(&[("kn_nhan", "10"), ("kn_xong", "12")]);
        assert!(
            rules(&validate(&t, &v, &Narrative::new(), Stage::Draft))
                .contains(&"kn_ty_le.tu_khong_vuot_mau")
        );
    }

    #[test]
    fn bad_text_lists_each_cell() {
        let t = Template::from_toml(T).unwrap();
        let input = [
            ("vb_tong".to_string(), "1.124.5".to_string()),
            ("khong_co".to_string(), "1".to_string()),
            ("kn_nhan".to_string(), "".to_string()),
        ]
        .into();
        let e = parse_text_values(&t, &input).unwrap_err();
        assert_eq!(e.problems.len(), 2);
        assert!(
            e.problems
                .iter()
                .any(|p| p.message.contains("Tổng số văn bản"))
        );
    }
}
