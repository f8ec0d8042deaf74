//! Turning a legacy report into a draft: narrative mapped to the round's outline
//! sections by heading, figures mapped to the form's indicators where the match is
//! confident, and a review list of what was and was not mapped.

use std::collections::{BTreeMap, BTreeSet};

use qcdc_core::template::{Aggregate, Template};
use qcdc_core::text::fold;
use serde::Serialize;

use crate::doc::{Document, Heading, Part};
use crate::numbers::{Kind as NumKind, scan};

/// One line of the review list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewItem {
    pub line: usize,
    /// `section`, `indicator`, `unmapped_heading`, `unmapped_figure`.
    pub kind: &'static str,
    pub target: Option<String>,
    pub detail: String,
}

/// What an import produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Mapped {
    pub sections: BTreeMap<String, String>,
    pub values: BTreeMap<String, f64>,
    pub review: Vec<ReviewItem>,
}

const STOP: &[&str] = &[
    "va", "cua", "cac", "o", "co", "trong", "cho", "voi", "ve", "la", "de", "tai", "theo", "the",
    "nhung", "mot", "so", "viec",
];

fn words(s: &str) -> BTreeSet<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1 && !STOP.contains(w) && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// Share of `want`'s words found in `have`.
fn cover(want: &BTreeSet<String>, have: &BTreeSet<String>) -> f64 {
    if want.is_empty() {
        return 0.0;
    }
    want.intersection(have).count() as f64 / want.len() as f64
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let u = a.union(b).count();
    if u == 0 {
        0.0
    } else {
        a.intersection(b).count() as f64 / u as f64
    }
}

/// Maps a document onto a template.
pub fn map_report(doc: &Document, t: &Template) -> Mapped {
    let mut m = Mapped::default();
    map_sections(doc, t, &mut m);
    map_figures(doc, t, &mut m);
    m
}

fn map_sections(doc: &Document, t: &Template, m: &mut Mapped) {
    let body_end = [doc.recipients_line, doc.appendix_line]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(usize::MAX);
    let heads: Vec<&Heading> = doc
        .headings
        .iter()
        .filter(|h| h.level <= 4 && h.line < body_end)
        .collect();
    let heading_lines: BTreeSet<usize> = heads.iter().map(|h| h.line).collect();
    let mut roman = String::new();
    // the section each open heading level was mapped to, for unmapped children
    let mut open: Vec<(u8, Option<String>)> = Vec::new();
    for (i, h) in heads.iter().enumerate() {
        if h.level == 1 {
            roman = h.number.clone();
        }
        let path = if h.level == 1 {
            h.number.clone()
        } else {
            format!("{roman}.{}", h.number)
        };
        let hw = words(&h.title);
        let best = if h.level <= 3 {
            t.sections()
                .iter()
                .map(|s| {
                    (
                        jaccard(&hw, &words(&s.title)).max(cover(&hw, &words(&s.title)) * 0.8)
                            + if s.number == path { 0.3 } else { 0.0 },
                        s,
                    )
                })
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .filter(|(score, _)| *score >= 0.45)
        } else {
            None
        };
        // the text up to the next heading
        let end = heads.get(i + 1).map_or(body_end, |n| n.line);
        let text: Vec<&str> = doc
            .blocks
            .iter()
            .filter(|b| {
                b.part == Part::Body
                    && b.footnote.is_none()
                    && b.first_line() > h.line
                    && b.first_line() < end
                    && !heading_lines.contains(&b.first_line())
            })
            .map(|b| b.text.as_str())
            .collect();
        open.retain(|(lvl, _)| *lvl < h.level);
        let target = match best {
            Some((_, s)) => {
                m.review.push(ReviewItem {
                    line: h.line,
                    kind: "section",
                    target: Some(s.number.clone()),
                    detail: format!(
                        "«{} {}» → mục {} «{}»",
                        h.number, h.title, s.number, s.title
                    ),
                });
                Some((s.number.clone(), text.join("\n\n")))
            }
            None => {
                if h.level <= 2 {
                    m.review.push(ReviewItem {
                        line: h.line,
                        kind: "unmapped_heading",
                        target: None,
                        detail: format!(
                            "«{} {}» không khớp mục nào của đề cương",
                            h.number, h.title
                        ),
                    });
                }
                // the text stays with the nearest mapped heading above, under its own title
                open.iter().rev().find_map(|(_, s)| s.clone()).map(|s| {
                    (
                        s,
                        format!("{}. {}\n\n{}", h.number, h.title, text.join("\n\n"))
                            .trim()
                            .to_string(),
                    )
                })
            }
        };
        open.push((h.level, best.map(|(_, s)| s.number.clone())));
        if let Some((number, body)) = target
            && !body.trim().is_empty()
        {
            let entry = m.sections.entry(number).or_default();
            if !entry.is_empty() {
                entry.push_str("\n\n");
            }
            entry.push_str(&body);
        }
    }
}

fn map_figures(doc: &Document, t: &Template, m: &mut Mapped) {
    // labelled figures: the words before each quantity, within its clause
    struct Fig {
        line: usize,
        label: BTreeSet<String>,
        value: f64,
        unit: Option<&'static str>,
        sentence: usize,
        order: usize,
    }
    let mut figs = Vec::new();
    let mut sentence = 0;
    for b in doc
        .blocks
        .iter()
        .filter(|b| matches!(b.part, Part::Body | Part::Appendix | Part::Footnote))
    {
        sentence += 1;
        let chars: Vec<char> = b.text.chars().collect();
        let mut clause_start = 0;
        for (order, n) in scan(&b.text).into_iter().enumerate() {
            if n.kind != NumKind::Plain || n.percent {
                continue;
            }
            let mut a = n.start;
            while a > clause_start && !matches!(chars[a - 1], ',' | ';' | '.' | '(') {
                a -= 1;
            }
            let label: String = chars[a..n.start].iter().collect();
            clause_start = n.tail.min(chars.len());
            if let Some(v) = n.value {
                figs.push(Fig {
                    line: b.line_of(n.start),
                    label: words(&label),
                    value: v,
                    unit: n.unit,
                    sentence,
                    order,
                });
            }
        }
    }
    let mut used = BTreeSet::new();
    let mut matched_at: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for ind in t
        .indicators()
        .iter()
        .filter(|i| i.aggregate != Aggregate::Ratio)
    {
        let name = words(&ind.name);
        let unit_ok = |u: Option<&str>| {
            u.is_none_or(|u| fold(u) == fold(&ind.unit) || (ind.unit == "đơn" && u == "đơn thư"))
        };
        let candidates = figs
            .iter()
            .enumerate()
            .filter(|(i, f)| !used.contains(i) && unit_ok(f.unit));
        let best = match ind
            .part_of
            .as_deref()
            .and_then(|p| matched_at.get(p).copied().zip(t.indicator(p)))
        {
            // a breakdown: its own words, after its whole, in the same sentence
            Some(((sentence, order), whole)) => {
                let own: BTreeSet<String> = name.difference(&words(&whole.name)).cloned().collect();
                candidates
                    .filter(|(_, f)| f.sentence == sentence && f.order > order)
                    .map(|(i, f)| (cover(&own, &f.label), i, f))
                    .filter(|x| x.0 >= 0.99)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
            }
            None => candidates
                .map(|(i, f)| (cover(&name, &f.label), i, f))
                .filter(|x| x.0 >= 0.75)
                .max_by(|a, b| a.0.total_cmp(&b.0)),
        };
        if let Some((score, i, f)) = best {
            used.insert(i);
            matched_at.insert(ind.code.clone(), (f.sentence, f.order));
            m.values.insert(ind.code.clone(), f.value);
            m.review.push(ReviewItem {
                line: f.line,
                kind: "indicator",
                target: Some(ind.code.clone()),
                detail: format!(
                    "«{}» = {} (độ khớp {:.0}%)",
                    ind.name,
                    qcdc_core::number::format_f64(f.value, 3),
                    score * 100.0
                ),
            });
        }
    }
    for (i, f) in figs.iter().enumerate() {
        if !used.contains(&i) && doc.appendix_line.is_some_and(|a| f.line > a) {
            m.review.push(ReviewItem {
                line: f.line,
                kind: "unmapped_figure",
                target: None,
                detail: format!(
                    "Số liệu {}{} ở phụ lục chưa gán vào chỉ tiêu nào",
                    qcdc_core::number::format_f64(f.value, 3),
                    f.unit.map(|u| format!(" {u}")).unwrap_or_default()
                ),
            });
        }
    }
    m.review.sort_by_key(|r| r.line);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_text;

    const T: &str = r#"
code = "t"
version = 1
name = "t"
[[sections]]
number = "I"
title = "Khái quát đặc điểm, tình hình"
[[sections]]
number = "II.1"
title = "Công tác lãnh đạo, chỉ đạo của cấp ủy đảng"
[[groups]]
code = "1"
title = "Văn bản"
[[indicators]]
code = "vb_tong"
group = "1"
name = "Tổng số văn bản đã ban hành"
unit = "văn bản"
parts = "complete"
[[indicators]]
code = "vb_cap_uy"
group = "1"
name = "Văn bản của cấp ủy"
unit = "văn bản"
part_of = "vb_tong"
[[indicators]]
code = "vb_chinh_quyen"
group = "1"
name = "Văn bản của chính quyền"
unit = "văn bản"
part_of = "vb_tong"
[[indicators]]
code = "kt_so_doan"
group = "1"
name = "Tổng số đoàn kiểm tra"
unit = "đoàn"
"#;

    #[test]
    fn maps_headings_and_appendix_figures() {
        let text = "Hà Nội, ngày 1 tháng 7 năm 2024\n\nI. KHÁI QUÁT ĐẶC ĐIỂM TÌNH HÌNH\n\nTình hình ổn định.\n\nII. CÔNG TÁC CHỈ ĐẠO\n\n1. Công tác lãnh đạo, chỉ đạo của cấp ủy\n\nCấp ủy ban hành nghị quyết.\n\n2. Một việc lạ\n\nNội dung lạ.\n\nPHỤ LỤC SỐ LIỆU\n\n1. Tổng số văn bản đã ban hành trong năm 2024: 41 trong đó: cấp ủy: 20; chính quyền: 21\n\n- Tổng số đoàn kiểm tra: 03\n\n- Số hộ được hỗ trợ: 12 hộ\n";
        let doc = Document::new(read_text(text.as_bytes()).unwrap());
        let t = Template::from_toml(T).unwrap();
        let m = map_report(&doc, &t);
        assert_eq!(
            m.sections.get("I").map(String::as_str),
            Some("Tình hình ổn định.")
        );
        assert!(
            m.sections["II.1"].starts_with("Cấp ủy ban hành nghị quyết."),
            "{:?}",
            m.sections
        );
        assert_eq!(
            m.values,
            [
                ("kt_so_doan".to_string(), 3.0),
                ("vb_cap_uy".to_string(), 20.0),
                ("vb_chinh_quyen".to_string(), 21.0),
                ("vb_tong".to_string(), 41.0)
            ]
            .into()
        );
        assert!(
            m.review
                .iter()
                .any(|r| r.kind == "unmapped_heading" && r.detail.contains("Một việc lạ"))
        );
        // no text is lost: an unmapped heading's text stays under the nearest mapped heading above
        assert!(m.sections["II.1"].contains("2. Một việc lạ\n\nNội dung lạ."));
        assert!(
            m.review
                .iter()
                .any(|r| r.kind == "unmapped_figure" && r.detail.contains("12 hộ"))
        );
    }
}
