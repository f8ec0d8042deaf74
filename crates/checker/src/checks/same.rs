//! The same indicator stated twice with different values, matched by its words —
//! what it is about (kind of petition, action), its status (received, resolved,
//! pending), who did it, its unit — not by position: a body figure and its own
//! footnote, a body figure and the appendix row, a summary and the detail in
//! another part of the report. A pair is compared only when each side states the
//! indicator once, and both speak of the same period and scope.

use std::collections::{BTreeMap, HashMap};

use std::sync::LazyLock;

use super::{Blk, Ctx, Role, Words, role, role_in};
use crate::arith::{Arith, Op, vn};
use crate::doc::Part;
use crate::numbers::{Num, is_event, unit_family};
use crate::{Finding, Kind, Severity};

/// What a figure is about.
const TOPICS: &[&str] = &[
    "giám sát",
    "phản biện",
    "tiếp xúc cử tri",
    "tiếp công dân",
    "tiếp dân",
    "đối thoại",
    "kiểm tra",
    "khiếu nại",
    "tố cáo",
    "kiến nghị",
    "phản ánh",
    "tuyên truyền",
    "tập huấn",
    "hòa giải",
    "hương ước",
    "dân vận khéo",
    "thỏa ước",
    "hội nghị người lao động",
    "hội nghị cán bộ",
    "dịch vụ công",
    "một cửa",
    "văn bản",
    "đơn thư",
];
/// Who did it.
const ACTORS: &[&str] = &[
    "mttq",
    "mặt trận",
    "bí thư",
    "chủ tịch",
    "ban chỉ đạo",
    "bcđ",
    "hđnd",
    "ban thanh tra nhân dân",
    "ban giám sát đầu tư",
    "hội nông dân",
    "công đoàn",
    "đoàn thanh niên",
    "hội liên hiệp phụ nữ",
    "cựu chiến binh",
];
/// Period and scope words: two figures with different ones are different indicators.
const QUALIFIERS: &[&str] = &[
    "quý",
    "trong tháng",
    "cùng kỳ",
    "lũy kế",
    "từ đầu năm",
    "năm trước",
    "cấp xã",
    "cấp huyện",
    "cấp tỉnh",
    "các xã",
    "các phường",
    "toàn huyện",
    "toàn tỉnh",
    "toàn thành phố",
    "cấp thành phố",
    "cấp cơ sở",
    "nhiệm kỳ",
    "giai đoạn",
];
/// A figure right after these is a change, not a level.
const DELTA: &[&str] = &[
    "tăng", "giảm", "hơn", "thêm", "lên", "xuống", "vượt", "bằng",
];

#[derive(Debug, Clone)]
struct Sig {
    block: usize,
    at: (usize, usize),
    topic: &'static str,
    status: Option<Role>,
    actors: Vec<&'static str>,
    quals: Vec<&'static str>,
    unit: &'static str,
    value: i64,
    /// The fraction, when the figure is one.
    frac: Option<(i64, i64)>,
    /// Its topic was read from the sentence, not its own clause: good enough to
    /// find it from the appendix, not to compare it with its neighbours.
    weak: bool,
}

static TOPIC_WORDS: LazyLock<Words> = LazyLock::new(|| Words::new(TOPICS));
static ACTOR_WORDS: LazyLock<Words> = LazyLock::new(|| Words::new(ACTORS));
static QUALIFIER_WORDS: LazyLock<Words> = LazyLock::new(|| Words::new(QUALIFIERS));

/// The words of a list a text names, in the list's order, once each.
fn found(text: &str, list: &Words, words: &[&'static str]) -> Vec<&'static str> {
    let hits: Vec<&str> = list.iter(text).map(|h| h.2).collect();
    words.iter().copied().filter(|w| hits.contains(w)).collect()
}

fn nearest_topic(text: &str) -> Option<&'static str> {
    let hit = TOPIC_WORDS.iter(text).last()?.2;
    TOPICS.iter().copied().find(|t| *t == hit)
}

fn sig(b: &Blk, bi: usize, k: usize, extra: &str, appendix: bool) -> Option<Sig> {
    let n: &Num = &b.nums[k];
    if n.percent || n.approx || n.unit.is_none() {
        return None;
    }
    let (value, frac) = match n.fraction() {
        Some((a, d, false)) => (a, Some((a, d))),
        Some(_) => return None,
        None if n.is_quantity() => (n.value?, None),
        None => return None,
    };
    let before = b.label_before(k);
    let after = b.label_after(k);
    if DELTA.iter().any(|d| {
        before.ends_with(d)
            && before[..before.len() - d.len()]
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric())
    }) {
        return None;
    }
    let ctx_text = b.context_before(k);
    // "38 cuộc phản biện": the words right after the unit name it first
    let right_after = TOPICS
        .iter()
        .filter(|t| after.starts_with(*t))
        .max_by_key(|t| t.len())
        .copied();
    let topic = right_after
        .or_else(|| nearest_topic(&b.clause_before(k)))
        .or_else(|| {
            let hit = TOPIC_WORDS.iter(&after).next()?.2;
            TOPICS.iter().copied().find(|t| *t == hit)
        })
        .or_else(|| {
            if appendix {
                nearest_topic(&ctx_text)
            } else {
                None
            }
        })
        .or_else(|| (n.unit == Some("đơn thư")).then_some("đơn thư"));
    let (topic, weak) = match topic {
        Some(t) => (t, false),
        None => match nearest_topic(&ctx_text) {
            Some(t) => (t, true),
            // a petition count named by its unit alone
            None if n.unit == Some("đơn") => ("đơn thư", true),
            None => return None,
        },
    };
    let mut wide =
        String::with_capacity(extra.len() + ctx_text.len() + before.len() + after.len() + 3);
    for (k, part) in [extra, &ctx_text, &before, &after].into_iter().enumerate() {
        if k > 0 {
            wide.push(' ');
        }
        wide.push_str(part);
    }
    let status = match role(b, k) {
        Role::Other => role_in(&ctx_text, true).map(|x| x.0),
        r => Some(r),
    };
    let unit = n.unit.map(unit_family).unwrap_or("");
    Some(Sig {
        block: bi,
        at: (n.start, n.tail),
        topic,
        status,
        actors: found(&wide, &ACTOR_WORDS, ACTORS),
        // the same words without `extra`: the end of `wide`
        quals: found(&wide[extra.len() + 1..], &QUALIFIER_WORDS, QUALIFIERS),
        unit: if is_event(unit) { "cuộc" } else { unit },
        value,
        frac,
        weak,
    })
}

fn shown(s: &Sig) -> String {
    match s.frac {
        Some((a, d)) => format!("{}/{}", vn(a), vn(d)),
        None => vn(s.value),
    }
}

fn push(
    ctx: &Ctx,
    here: &Sig,
    there: &Sig,
    what: &str,
    severity: Severity,
    out: &mut Vec<Finding>,
) {
    let there_line = ctx.doc.blocks[there.block].line_of(there.at.0);
    let arith = Arith {
        op: Op::Same,
        operands: vec![here.value, there.value],
        expected: there.value,
        stated: here.value,
        decimals: 0,
        unit: Some(here.unit.to_string()),
    };
    out.push(ctx.finding(
        here.block,
        Kind::Contradiction,
        severity,
        here.at,
        format!(
            "«{}»: {what} — chỗ này ghi {} {}, dòng {there_line} ghi {} {}",
            here.topic,
            shown(here),
            here.unit,
            shown(there),
            there.unit
        ),
        Some(arith),
    ));
}

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let doc = ctx.doc;
    // every figure that names its topic, per block
    let mut sigs: Vec<Vec<Sig>> = Vec::with_capacity(doc.blocks.len());
    let mut heading_extra = String::new();
    for (bi, b) in ctx.blks.iter().enumerate() {
        let block = &doc.blocks[bi];
        if block.part == Part::Appendix && block.text.starts_with(|c: char| c.is_ascii_digit()) {
            heading_extra.clone_from(&b.lower_text);
        }
        let extra = if block.part == Part::Appendix {
            heading_extra.as_str()
        } else {
            ""
        };
        // a block naming no topic and no petition has nothing to compare (nor one
        // without figures, or outside the parts compared: looked at first, cheaply)
        let any_topic = !b.nums.is_empty()
            && matches!(block.part, Part::Body | Part::Footnote | Part::Appendix)
            && (block.part == Part::Appendix
                || b.nums
                    .iter()
                    .any(|n| n.unit.is_some_and(|u| u.starts_with("đơn")))
                || if b.lower_text_is_lower {
                    TOPIC_WORDS.any_in(&b.lower_text)
                } else {
                    let low: String = b.lower.iter().collect();
                    TOPIC_WORDS.any_in(&low)
                });
        let v = if any_topic && matches!(block.part, Part::Body | Part::Footnote | Part::Appendix) {
            (0..b.nums.len())
                .filter_map(|k| sig(b, bi, k, extra, block.part == Part::Appendix))
                .collect()
        } else {
            Vec::new()
        };
        sigs.push(v);
    }
    type Key = (&'static str, &'static str, Option<Role>);
    let key = |s: &Sig| -> Key { (s.topic, s.unit, s.status) };
    let measure = |s: &Sig| (s.topic, s.unit);
    // a footnote against the paragraph citing it
    for (bi, note) in ctx.notes.iter().enumerate() {
        let Some(nc) = note else { continue };
        let mut in_body: HashMap<(&str, &str), Vec<&Sig>> = HashMap::new();
        for s in sigs[nc.block].iter().filter(|s| !s.weak) {
            in_body.entry(measure(s)).or_default().push(s);
        }
        let mut in_note: HashMap<(&str, &str), Vec<&Sig>> = HashMap::new();
        for s in sigs[bi].iter().filter(|s| !s.weak) {
            in_note.entry(measure(s)).or_default().push(s);
        }
        for (m, list) in &in_body {
            if let ([s], Some([x])) = (&list[..], in_note.get(m).map(Vec::as_slice))
                && x.value != s.value
                && s.frac.is_none()
                && x.frac.is_none()
            {
                push(
                    ctx,
                    s,
                    x,
                    "thân bài và chú thích của nó ghi khác nhau",
                    Severity::Error,
                    out,
                );
            }
        }
    }
    // the appendix against the body
    let mut by_measure: HashMap<(&str, &str), Vec<&Sig>> = HashMap::new();
    for (bi, v) in sigs.iter().enumerate() {
        if doc.blocks[bi].part == Part::Body {
            for s in v {
                by_measure.entry(measure(s)).or_default().push(s);
            }
        }
    }
    let mut body: HashMap<Key, Vec<&Sig>> = HashMap::new();
    for (bi, v) in sigs.iter().enumerate() {
        if doc.blocks[bi].part == Part::Body {
            for s in v {
                body.entry(key(s)).or_default().push(s);
            }
        }
    }
    let mut appendix: HashMap<Key, Vec<&Sig>> = HashMap::new();
    for (bi, v) in sigs.iter().enumerate() {
        if doc.blocks[bi].part == Part::Appendix {
            for s in v {
                appendix.entry(key(s)).or_default().push(s);
            }
        }
    }
    let compatible = |a: Option<Role>, b: Option<Role>| {
        a == b || a.is_none_or(|r| r == Role::Other) || b.is_none_or(|r| r == Role::Other)
    };
    for list in appendix.values() {
        let [a] = list[..] else { continue };
        let Some(candidates) = by_measure.get(&measure(a)) else {
            continue;
        };
        let matches: Vec<&&Sig> = candidates
            .iter()
            .filter(|x| {
                compatible(x.status, a.status)
                    && (a.actors.is_empty() && x.actors.is_empty()
                        || a.actors.iter().any(|y| x.actors.contains(y)))
            })
            .collect();
        // several candidates: the one of the same status, else the one named in its own clause
        let exact: Vec<&&Sig> = matches
            .iter()
            .copied()
            .filter(|x| x.status == a.status)
            .collect();
        let strong: Vec<&&Sig> = matches.iter().copied().filter(|x| !x.weak).collect();
        let pick = match (&matches[..], &exact[..], &strong[..]) {
            ([x], _, _) | (_, [x], _) | (_, _, [x]) => Some(*x),
            _ => None,
        };
        if let Some(x) = pick
            && x.value != a.value
        {
            push(
                ctx,
                a,
                x,
                "phụ lục và thân bài ghi khác nhau",
                Severity::Warning,
                out,
            );
        }
    }
    // a summary against the detail in another part of the report
    let mut section = Vec::with_capacity(doc.blocks.len());
    let mut h = 0;
    // the level-1 headings among the first `h`
    let mut level1 = 0;
    for b in &doc.blocks {
        let line = b.first_line();
        while h < doc.headings.len() && doc.headings[h].line <= line {
            level1 += usize::from(doc.headings[h].level == 1);
            h += 1;
        }
        section.push(level1);
    }
    for (k, list) in &body {
        if k.2.is_none_or(|r| r == Role::Other) {
            continue;
        }
        // one statement per section, without fractions
        let mut per: BTreeMap<usize, Vec<&Sig>> = BTreeMap::new();
        for s in list.iter().filter(|s| s.frac.is_none() && !s.weak) {
            per.entry(section[s.block]).or_default().push(s);
        }
        let singles: Vec<&Sig> = per
            .values()
            .filter(|v| v.len() == 1)
            .map(|v| v[0])
            .collect();
        for (i, a) in singles.iter().enumerate().take(20) {
            for b in singles[i + 1..].iter().take(20) {
                if a.actors == b.actors && a.quals == b.quals && a.value != b.value {
                    let (first, second) = if a.at.0 <= b.at.0 && a.block <= b.block {
                        (a, b)
                    } else {
                        (b, a)
                    };
                    push(
                        ctx,
                        second,
                        first,
                        "phần tổng hợp và phần chi tiết ghi khác nhau",
                        Severity::Warning,
                        out,
                    );
                }
            }
        }
    }
}
