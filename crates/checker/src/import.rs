//! Turning a legacy report into a draft: headings mapped to the round's outline by
//! meaning (abbreviations and words of the field from `data/headings.toml`, the
//! outline's numbering and order as evidence, a heading over several sections
//! split by its sub-headings), footnotes kept with the paragraph citing them, and
//! figures filled only where the label, its negation ("chưa", "không", "đang") and
//! the unit all match the indicator. Values are exact: what the text reads.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use qcdc_core::number::Milli;
use qcdc_core::template::{Aggregate, Template};
use qcdc_core::text::fold;
use serde::{Deserialize, Serialize};

use crate::checks::{Ctx, Role, role};
use crate::doc::{Document, Heading, Part};
use crate::numbers::unit_family;

/// One line of the review list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewItem {
    pub line: usize,
    /// `section`, `indicator`, `unmapped_heading`, `unmapped_figure`, `ambiguous_figure`.
    pub kind: &'static str,
    pub target: Option<String>,
    pub detail: String,
}

/// A figure filled into an indicator: exactly the value the text reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappedValue {
    /// Thousandths (`1.234` = 1234000, `12,5` = 12500).
    pub value: Milli,
    /// The number as written in the report.
    pub text: String,
    /// The line (text) or paragraph (.docx) it was read from.
    pub line: usize,
}

/// What an import produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Mapped {
    pub sections: BTreeMap<String, String>,
    pub values: BTreeMap<String, MappedValue>,
    pub review: Vec<ReviewItem>,
    /// The heading lines and the section (or group) each was mapped to; a heading
    /// not matched itself keeps its text with the nearest mapped heading above, and
    /// shows that section; `None`: its text went nowhere.
    pub headings: Vec<(usize, Option<String>)>,
}

#[derive(Debug, Deserialize)]
struct Lexicon {
    abbreviations: BTreeMap<String, String>,
    synonyms: Vec<Synonyms>,
    groups: Vec<GroupTitle>,
}

#[derive(Debug, Deserialize)]
struct Synonyms {
    words: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct GroupTitle {
    template: String,
    number: String,
    title: String,
}

/// The words of the field shipped with the checker.
pub const LEXICON: &str = include_str!("../data/headings.toml");

static LEX: LazyLock<Option<Lexicon>> = LazyLock::new(|| toml::from_str(LEXICON).ok());

const STOP: &[&str] = &[
    "va", "cua", "cac", "o", "co", "trong", "cho", "voi", "ve", "la", "de", "tai", "theo", "the",
    "nhung", "mot", "so", "viec", "nam", "thang", "dau", "cong", "tac", "thuc", "hien", "tren",
    "dia", "ban", "nay", "duoc", "nhu", "sau", "gan",
];

/// The meanings of a text: synonym groups it names (`#n`) and its other words.
fn concepts(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(lex) = LEX.as_ref() else {
        return out;
    };
    let mut text = format!(" {} ", s.to_lowercase());
    for (a, full) in &lex.abbreviations {
        for pat in [format!(" {a} "), format!(" {a},"), format!(" {a}.")] {
            if text.contains(&pat) {
                let rep = format!(" {full}{}", &pat[pat.len() - 1..]);
                text = text.replace(&pat, &rep);
            }
        }
    }
    let mut folded = fold(&text);
    // longer phrases first: "ban chỉ đạo" before "chỉ đạo"
    let mut phrases: Vec<(String, usize)> = lex
        .synonyms
        .iter()
        .enumerate()
        .flat_map(|(i, g)| g.words.iter().map(move |w| (fold(w), i)))
        .collect();
    phrases.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
    for (fw, i) in &phrases {
        if folded.contains(&format!(" {fw}")) || folded.contains(&format!("{fw} ")) {
            out.insert(format!("#{i}"));
            folded = folded.replace(fw.as_str(), " ");
        }
    }
    // words every heading of this field carries say nothing about which section it is
    for noise in ["quy che dan chu", "dan chu", "co so", "xay dung"] {
        folded = folded.replace(noise, " ");
    }
    for w in folded.split(|c: char| !c.is_alphanumeric()) {
        if w.len() > 1 && !STOP.contains(&w) && !w.chars().all(|c| c.is_ascii_digit()) {
            out.insert(w.to_string());
        }
    }
    out
}

fn score(heading: &BTreeSet<String>, target: &BTreeSet<String>) -> f64 {
    if heading.is_empty() || target.is_empty() {
        return 0.0;
    }
    let common = heading.intersection(target).count() as f64;
    let cover = common / heading.len() as f64;
    let jac = common / heading.union(target).count() as f64;
    // meanings (synonym groups) weigh more than plain words
    let meanings = heading
        .intersection(target)
        .filter(|w| w.starts_with('#'))
        .count() as f64;
    0.55 * cover + 0.3 * jac + 0.08 * meanings
}

/// A place a heading may map to: a section (leaf) or a group of sections.
struct Target {
    number: String,
    concepts: BTreeSet<String>,
    /// Words of the section's guidance: weaker evidence than its title.
    guidance: BTreeSet<String>,
    leaf: bool,
    order: usize,
}

fn targets(t: &Template) -> Vec<Target> {
    let mut out: Vec<Target> = t
        .sections()
        .iter()
        .enumerate()
        .map(|(i, s)| Target {
            number: s.number.clone(),
            concepts: concepts(&s.title),
            guidance: concepts(&s.guidance),
            leaf: true,
            order: i * 10 + 5,
        })
        .collect();
    // every numbered group of the outline, named by the data file or by its sections
    let mut groups: BTreeMap<String, String> = BTreeMap::new();
    for s in t.sections() {
        if let Some((g, _)) = s.number.split_once('.') {
            let e = groups.entry(g.to_string()).or_default();
            e.push(' ');
            e.push_str(&s.title);
        }
    }
    if let Some(lex) = LEX.as_ref() {
        for g in lex.groups.iter().filter(|g| g.template == t.code()) {
            groups.insert(g.number.clone(), g.title.clone());
        }
    }
    {
        for (number, title) in &groups {
            let g = GroupTitle {
                template: t.code().to_string(),
                number: number.clone(),
                title: title.clone(),
            };
            let order = t
                .sections()
                .iter()
                .position(|s| s.number.starts_with(&format!("{}.", g.number)))
                .unwrap_or(0)
                * 10;
            out.push(Target {
                number: g.number.clone(),
                concepts: concepts(&g.title),
                guidance: BTreeSet::new(),
                leaf: false,
                order,
            });
        }
    }
    out
}

/// Maps a document onto a template.
pub fn map_report(doc: &Document, t: &Template) -> Mapped {
    let mut m = Mapped::default();
    map_sections(doc, t, &mut m);
    let ctx = Ctx::new(doc);
    map_figures(doc, &ctx, t, &mut m);
    m.review.sort_by_key(|r| r.line);
    m
}

fn body_end(doc: &Document) -> usize {
    [doc.recipients_line, doc.appendix_line]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(usize::MAX)
}

/// The headings of the body that are headings (numbered list items of a paragraph's
/// length are not).
fn outline(doc: &Document) -> Vec<&Heading> {
    let end = body_end(doc);
    doc.headings
        .iter()
        .filter(|h| {
            let n = h.title.chars().count();
            let upper = h
                .title
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(|c| !c.is_lowercase());
            h.level <= 3 && h.line < end && (n <= 110 || upper && n <= 300)
        })
        .collect()
}

fn map_sections(doc: &Document, t: &Template, m: &mut Mapped) {
    let heads = outline(doc);
    let end = body_end(doc);
    let tg = targets(t);
    let heading_lines: BTreeSet<usize> = heads.iter().map(|h| h.line).collect();
    // the parent (index into heads) of every heading
    let mut parent: Vec<Option<usize>> = Vec::with_capacity(heads.len());
    for (i, h) in heads.iter().enumerate() {
        parent.push((0..i).rev().find(|&j| heads[j].level < h.level));
    }
    // sub-headings, not numbered sentences of a list ("1. Tiếp tục tuyên truyền … .")
    let has_children: Vec<bool> = (0..heads.len())
        .map(|i| {
            heads[i + 1..]
                .iter()
                .take_while(|n| n.level > heads[i].level)
                .any(|n| !n.title.trim_end().ends_with('.') || n.title.chars().count() < 60)
        })
        .collect();
    // choose a target per heading, top-down
    let mut chosen: Vec<Option<usize>> = vec![None; heads.len()];
    let mut last_order = 0;
    for (i, h) in heads.iter().enumerate() {
        let hc = concepts(&h.title);
        let up = parent[i].and_then(|p| chosen[p]).map(|k| &tg[k]);
        // under a heading mapped to a section, a sub-heading stays there unless it
        // clearly names another section of the same group
        let path = match parent[i].map(|p| heads[p]) {
            Some(p) if p.level == 1 => format!("{}.{}", p.number, h.number),
            _ => h.number.clone(),
        };
        let scored: Vec<(f64, usize, bool)> = tg
            .iter()
            .enumerate()
            .map(|(k, x)| {
                let mut s = score(&hc, &x.concepts);
                if !hc.is_empty() && !x.guidance.is_empty() {
                    s += 0.15 * hc.intersection(&x.guidance).count() as f64 / hc.len() as f64;
                }
                if x.number == path {
                    s += 0.12;
                }
                if x.order >= last_order {
                    s += 0.05;
                }
                if h.level == 1 && !x.leaf && !x.number.contains('.') {
                    s += 0.03;
                }
                // a heading over several sections is split by its sub-headings
                if has_children[i] && !x.leaf {
                    s += 0.45;
                } else if !has_children[i] && x.leaf {
                    s += 0.1;
                }
                let inside = match up {
                    // under a heading mapped to a section: that section or a sibling of it
                    Some(u) if u.leaf => {
                        x.leaf
                            && match u.number.split_once('.') {
                                Some((g, _)) => x.number.starts_with(&format!("{g}.")),
                                None => x.number == u.number,
                            }
                    }
                    Some(u) => x.leaf && x.number.starts_with(&format!("{}.", u.number)),
                    None => true,
                };
                if up.is_some_and(|u| u.leaf && u.number == x.number) {
                    s += 0.12;
                }
                (s, k, inside)
            })
            .collect();
        let top = scored
            .iter()
            .filter(|x| x.2)
            .map(|x| x.0)
            .fold(f64::MIN, f64::max);
        // a heading naming two sections ("hạn chế … và nguyên nhân") goes to the first
        let best_in = scored
            .iter()
            .filter(|x| x.2 && x.0 >= top - 0.12 && x.0 >= 0.3)
            .min_by_key(|x| (!tg[x.1].leaf, tg[x.1].order))
            .map(|x| (x.0, x.1));
        // a sub-heading may leave its parent's group when it clearly names another part
        let best_all = scored
            .iter()
            .filter(|_| up.is_some_and(|u| !u.leaf))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|x| (x.0, x.1));
        let best = match (best_in, best_all) {
            (Some(i), Some(a)) if a.0 >= i.0 + 0.15 => Some(a),
            (None, a) => a,
            (i, _) => i,
        };
        if let Some((s, k)) = best
            && s >= 0.3
        {
            chosen[i] = Some(k);
            last_order = tg[k].order;
        }
    }
    // the text of each heading, with the footnotes its paragraphs cite
    let text_of = |i: usize| -> String {
        let h = heads[i];
        let stop = heads.get(i + 1).map_or(end, |n| n.line).min(end);
        let mut parts: Vec<String> = Vec::new();
        for (bi, b) in doc.blocks.iter().enumerate() {
            if b.part != Part::Body
                || b.footnote.is_some()
                || b.first_line() <= h.line
                || b.first_line() >= stop
                || heading_lines.contains(&b.first_line())
            {
                continue;
            }
            parts.push(b.text.clone());
            for (ni, nb) in doc.blocks.iter().enumerate() {
                if nb.footnote.is_some() && doc.citing_block(ni).is_some_and(|(c, _)| c == bi) {
                    parts.push(format!(
                        "({}) {}",
                        nb.footnote.as_deref().unwrap_or(""),
                        nb.text
                    ));
                }
            }
        }
        parts.join("\n\n")
    };
    for (i, h) in heads.iter().enumerate() {
        let text = text_of(i);
        let own = chosen[i].map(|k| &tg[k]);
        // a container keeps its own text in its first section
        let (target, shown) = match own {
            Some(x) if x.leaf => (Some(x.number.clone()), true),
            // a group heading without sub-headings: the section of the group its text is about
            Some(x) if !has_children[i] => {
                let tc = concepts(&text.chars().take(600).collect::<String>());
                let best = tg
                    .iter()
                    .filter(|y| y.leaf && y.number.starts_with(&format!("{}.", x.number)))
                    .map(|y| {
                        (
                            score(&tc, &y.concepts) + 0.5 * score(&tc, &y.guidance),
                            y.order,
                            &y.number,
                        )
                    })
                    .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
                (best.map(|b| b.2.clone()), true)
            }
            Some(x) => (
                t.sections()
                    .iter()
                    .find(|s| s.number.starts_with(&format!("{}.", x.number)))
                    .map(|s| s.number.clone()),
                false,
            ),
            None => {
                // kept under the nearest mapped heading above
                let mut p = parent[i];
                let mut found = None;
                while let Some(j) = p {
                    if let Some(k) = chosen[j] {
                        found = Some(k);
                        break;
                    }
                    p = parent[j];
                }
                let sibling = (0..i)
                    .rev()
                    .take_while(|&j| heads[j].level >= h.level)
                    .find_map(|j| chosen[j].filter(|&k| tg[k].leaf && heads[j].level == h.level));
                let target = match (found, sibling) {
                    (_, Some(k)) => Some(tg[k].number.clone()),
                    (Some(k), None) if tg[k].leaf => Some(tg[k].number.clone()),
                    (Some(k), None) => t
                        .sections()
                        .iter()
                        .find(|s| s.number.starts_with(&format!("{}.", tg[k].number)))
                        .map(|s| s.number.clone()),
                    (None, None) => None,
                };
                (target, false)
            }
        };
        match own {
            Some(x) => {
                m.review.push(ReviewItem {
                    line: h.line,
                    kind: "section",
                    target: Some(x.number.clone()),
                    detail: format!(
                        "«{} {}» → mục {}{}",
                        h.number,
                        h.title,
                        x.number,
                        t.section(&x.number)
                            .map(|s| format!(" «{}»", s.title))
                            .unwrap_or_else(|| " (nhóm mục)".into())
                    ),
                });
                // a group heading without sub-headings: its text went to one section of the group
                let shown_as = if x.leaf || has_children[i] {
                    Some(x.number.clone())
                } else {
                    target.clone()
                };
                m.headings.push((h.line, shown_as));
            }
            None => {
                if h.level <= 2 && target.is_none() {
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
                // where its text went: the section of the nearest mapped heading above
                m.headings.push((h.line, target.clone()));
            }
        }
        let Some(number) = target else { continue };
        if text.trim().is_empty() {
            continue;
        }
        let body = if shown {
            text
        } else {
            format!("{}. {}\n\n{}", h.number, h.title, text)
                .trim()
                .to_string()
        };
        if body.trim().is_empty() {
            continue;
        }
        let entry = m.sections.entry(number).or_default();
        if !entry.is_empty() {
            entry.push_str("\n\n");
        }
        entry.push_str(&body);
    }
}

/// A figure matched to an indicator.
#[derive(Debug, Clone)]
pub struct FigMatch {
    pub indicator: String,
    pub value: Milli,
    pub raw: String,
    pub block: usize,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub score: f64,
}

const NEGATIONS: &[&str] = &["chua", "khong", "dang"];

/// Who a figure is about (folded words): a figure naming one belongs to an
/// indicator that names it too.
const ACTOR_WORDS: &[&[&str]] = &[
    &["bi", "thu"],
    &["chu", "tich"],
    &["mat", "tran"],
    &["doan", "the"],
];

fn negated(folded_words: &BTreeSet<String>) -> bool {
    NEGATIONS.iter().any(|n| folded_words.contains(*n))
}

fn words(s: &str) -> BTreeSet<String> {
    let mut text = format!(" {} ", s.to_lowercase());
    if let Some(lex) = LEX.as_ref() {
        for (a, full) in &lex.abbreviations {
            let pat = format!(" {a} ");
            if text.contains(&pat) {
                text = text.replace(&pat, &format!(" {full} "));
            }
        }
    }
    fold(&text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// Words of an indicator's name that say what it counts (not "số", "tổng").
fn key_words(name: &str) -> BTreeSet<String> {
    const GENERIC: &[&str] = &[
        "so", "tong", "cua", "va", "cac", "trong", "do", "duoc", "theo", "tai", "voi", "ve", "la",
        "cho",
    ];
    words(name)
        .into_iter()
        .filter(|w| !GENERIC.contains(&w.as_str()))
        .collect()
}

fn unit_matches(fig: Option<&str>, ind: &str, label: &BTreeSet<String>) -> bool {
    match fig {
        Some(u) => {
            let a = unit_family(u);
            let b = unit_family(ind);
            (!a.is_empty() && a == b) || fold(u) == fold(ind) || (ind == "đơn" && u == "đơn thư")
        }
        // "- Tổng số đoàn kiểm tra: 03": the unit is named in the label
        None => ind.split_whitespace().all(|w| label.contains(&fold(w))),
    }
}

/// Every confident figure → indicator match of a document.
pub fn figures_for(doc: &Document, ctx: &Ctx, t: &Template) -> Vec<FigMatch> {
    struct Fig {
        block: usize,
        k: usize,
        label: BTreeSet<String>,
        value: Milli,
        unit: Option<&'static str>,
        role: Role,
    }
    let mut figs = Vec::new();
    for (bi, b) in ctx.blks.iter().enumerate() {
        if !matches!(
            doc.blocks[bi].part,
            Part::Body | Part::Appendix | Part::Footnote
        ) {
            continue;
        }
        for (k, n) in b.nums.iter().enumerate() {
            if !n.is_quantity() || n.percent || n.approx {
                continue;
            }
            let label = format!(
                "{} {} {}",
                b.colon_label(k),
                n.unit.unwrap_or(""),
                b.label_after(k)
            );
            figs.push(Fig {
                block: bi,
                k,
                label: words(&label),
                value: n.value.unwrap_or(0),
                unit: n.unit,
                role: role(b, k),
            });
        }
    }
    let mut out: Vec<FigMatch> = Vec::new();
    // "Số hồ sơ đã giải quyết", "Giải quyết đúng hạn" count what was done;
    // "Số vụ việc thuộc thẩm quyền giải quyết" counts what is to be done
    let done_words = |name: &str| {
        let f = fold(name);
        !f.contains("tham quyen")
            && (f.contains("da ") || f.starts_with("giai quyet") || f.contains("hoan thanh"))
    };
    for ind in t
        .indicators()
        .iter()
        .filter(|i| i.aggregate != Aggregate::Ratio && i.unit != "%")
    {
        let mut key = key_words(&ind.name);
        let ind_neg = negated(&key);
        let whole = ind.part_of.as_deref().and_then(|p| t.indicator(p));
        let ind_done = done_words(&ind.name) || whole.is_some_and(|w| done_words(&w.name));
        // a part is named by its own words, and read only next to its whole
        let whole_at = match whole {
            Some(w) => {
                let own: BTreeSet<String> = key.difference(&key_words(&w.name)).cloned().collect();
                if !own.is_empty() {
                    key = own;
                }
                match out.iter().find(|m| m.indicator == w.code) {
                    Some(m) => Some((m.block, m.start)),
                    None => continue,
                }
            }
            None => None,
        };
        if key.is_empty() {
            continue;
        }
        let ind_words = words(&ind.name);
        let mut scored: Vec<(f64, &Fig)> = figs
            .iter()
            .filter(|f| negated(&f.label) == ind_neg)
            // "của Bí thư cấp ủy: 412 lượt" is not the generic count
            .filter(|f| {
                ACTOR_WORDS.iter().all(|a| {
                    !a.iter().all(|w| f.label.contains(*w))
                        || a.iter().all(|w| ind_words.contains(*w))
                })
            })
            .filter(|f| match f.role {
                Role::Remainder => ind_neg,
                Role::Done => ind_done,
                Role::Whole => !ind_done || whole_at.is_some(),
                Role::Other => true,
            })
            .filter(|f| match whole_at {
                // after its whole, in the same paragraph or a footnote citing it
                Some((wb, ws)) => {
                    (f.block == wb && ctx.blks[f.block].nums[f.k].start > ws)
                        || ctx
                            .notes
                            .get(f.block)
                            .copied()
                            .flatten()
                            .is_some_and(|n| n.block == wb)
                }
                None => true,
            })
            .filter(|f| {
                unit_matches(f.unit, &ind.unit, &f.label) || whole_at.is_some() && f.unit.is_none()
            })
            .map(|f| {
                (
                    key.intersection(&f.label).count() as f64 / key.len() as f64,
                    f,
                )
            })
            // a short name must be read whole: "xã nông thôn mới nâng cao" is not "xã đạt chuẩn"
            .filter(|x| x.0 >= if key.len() <= 6 { 0.999 } else { 0.8 })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let Some(&(best, f)) = scored.first() else {
            continue;
        };
        // two equally good figures with different values: not confident
        if scored.iter().any(|(s, g)| *s == best && g.value != f.value) {
            continue;
        }
        let b = &ctx.blks[f.block];
        let n = &b.nums[f.k];
        out.push(FigMatch {
            indicator: ind.code.clone(),
            value: f.value,
            raw: n.raw.clone(),
            block: f.block,
            start: n.start,
            end: n.tail,
            line: doc.blocks[f.block].line_of(n.start),
            score: best,
        });
    }
    out
}

fn map_figures(doc: &Document, ctx: &Ctx, t: &Template, m: &mut Mapped) {
    let matches = figures_for(doc, ctx, t);
    let mut used: BTreeSet<(usize, usize)> = BTreeSet::new();
    for f in matches {
        if !used.insert((f.block, f.start)) {
            continue;
        }
        let name = t
            .indicator(&f.indicator)
            .map(|i| i.name.clone())
            .unwrap_or_default();
        m.review.push(ReviewItem {
            line: f.line,
            kind: "indicator",
            target: Some(f.indicator.clone()),
            detail: format!("«{name}» = {} (độ khớp {:.0}%)", f.raw, f.score * 100.0),
        });
        m.values.insert(
            f.indicator,
            MappedValue {
                value: f.value,
                text: f.raw,
                line: f.line,
            },
        );
    }
    for (bi, b) in ctx.blks.iter().enumerate() {
        if doc.blocks[bi].part != Part::Appendix {
            continue;
        }
        for n in b.nums.iter().filter(|n| n.is_quantity() && !n.percent) {
            if used.contains(&(bi, n.start)) {
                continue;
            }
            m.review.push(ReviewItem {
                line: doc.blocks[bi].line_of(n.start),
                kind: "unmapped_figure",
                target: None,
                detail: format!(
                    "Số liệu {}{} ở phụ lục chưa gán vào chỉ tiêu nào",
                    n.raw,
                    n.unit.map(|u| format!(" {u}")).unwrap_or_default()
                ),
            });
        }
    }
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
[[sections]]
number = "II.3"
title = "Vai trò của Mặt trận Tổ quốc Việt Nam, các tổ chức chính trị - xã hội"
[[sections]]
number = "IV.2"
title = "Những hạn chế, yếu kém"
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
[[indicators]]
code = "hs_da_giai_quyet"
group = "1"
name = "Số hồ sơ đã giải quyết"
unit = "hồ sơ"
[[indicators]]
code = "tcd_luot"
group = "1"
name = "Số lượt tiếp công dân"
unit = "lượt"
"#;

    #[test]
    fn lexicon_parses() {
        assert!(
            LEX.is_some(),
            "{:?}",
            toml::from_str::<Lexicon>(LEXICON).err()
        );
        assert!(concepts("MTTQ").contains("#9"));
    }

    #[test]
    fn maps_headings_by_meaning_and_figures_exactly() {
        let text = "Hà Nội, ngày 1 tháng 7 năm 2024\n\nI. KHÁI QUÁT ĐẶC ĐIỂM TÌNH HÌNH\n\nTình hình ổn định.\n\nII. CÔNG TÁC CHỈ ĐẠO\n\n1. Công tác lãnh đạo, chỉ đạo của cấp ủy\n\nCấp ủy ban hành nghị quyết; Chủ tịch tiếp công dân 2 ngày mỗi tháng.\n\n2. Vai trò của MTTQ và các đoàn thể\n\nMặt trận giám sát¹.\n\n¹ Giám sát 3 cuộc.\n\nIII. KHÓ KHĂN, HẠN CHẾ\n\nCòn chậm; hồ sơ chưa giải quyết 216 hồ sơ.\n\nPHỤ LỤC SỐ LIỆU\n\n1. Tổng số văn bản đã ban hành trong năm 2024: 41 văn bản, trong đó: cấp ủy: 20 văn bản; chính quyền: 21 văn bản\n\n- Tổng số đoàn kiểm tra: 03\n\n- Số hộ được hỗ trợ: 1.234 hộ\n";
        let doc = Document::new(read_text(text.as_bytes()).unwrap());
        let t = Template::from_toml(T).unwrap();
        let m = map_report(&doc, &t);
        assert_eq!(
            m.sections.get("I").map(String::as_str),
            Some("Tình hình ổn định.")
        );
        assert!(
            m.sections["II.1"].starts_with("Cấp ủy ban hành nghị quyết"),
            "{:?}",
            m.sections
        );
        // MTTQ = Mặt trận Tổ quốc; the footnote stays with its paragraph
        assert!(
            m.sections["II.3"].contains("Mặt trận giám sát¹.")
                && m.sections["II.3"].contains("Giám sát 3 cuộc"),
            "{:?}",
            m.sections
        );
        // khó khăn ≈ hạn chế
        assert!(m.sections["IV.2"].contains("Còn chậm"), "{:?}", m.sections);
        let v: BTreeMap<&str, i64> = m
            .values
            .iter()
            .map(|(k, v)| (k.as_str(), v.value))
            .collect();
        assert_eq!(
            v,
            [
                ("kt_so_doan", 3_000),
                ("vb_cap_uy", 20_000),
                ("vb_chinh_quyen", 21_000),
                ("vb_tong", 41_000)
            ]
            .into()
        );
        // "chưa giải quyết" is not "đã giải quyết"; "2 ngày" is not "lượt"
        assert!(!m.values.contains_key("hs_da_giai_quyet") && !m.values.contains_key("tcd_luot"));
        assert!(
            m.review
                .iter()
                .any(|r| r.kind == "unmapped_figure" && r.detail.contains("1.234 hộ"))
        );
    }
}
