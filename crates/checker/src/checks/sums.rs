//! Wholes and their parts: a whole before its parts (`… 89 đơn, trong đó: khiếu
//! nại 14 đơn, …`, `gồm`, `trong tổng số X, có A, B, còn lại C`), a total after
//! its parts (`…, tổng cộng 27 cuộc`, `cả năm`), a list of lines under a total (one
//! figure per line or per `;` clause, malformed numbers read the likely way and
//! said so), and a part larger than its whole (`12/10 xã`, a single "trong đó").
//!
//! A breakdown is held to add up exactly when it says so ("gồm"), when its whole is
//! a "tổng số", when it ends with a "còn lại"/"khác" part, or when its parts name a
//! known partition (khiếu nại / tố cáo / kiến nghị; cũ / mới; đúng hạn / quá hạn;
//! tập thể / cá nhân …); otherwise only parts exceeding the whole are a slip.

use super::{Blk, Ctx, Role, role, same_unit};
use crate::arith::{Arith, Op, vn};
use crate::doc::Part;
use crate::numbers::Num;
use crate::{Finding, Kind, Severity};

/// Categories that together make a whole: parts naming two or more of one set, and
/// nothing else, are a complete breakdown.
const PARTITIONS: &[&[&[&str]]] = &[
    &[
        &["khiếu nại"],
        &["tố cáo"],
        &["kiến nghị", "phản ánh", "đề nghị"],
    ],
    &[
        &["cũ", "kỳ trước chuyển sang", "chuyển sang"],
        &["mới", "phát sinh"],
    ],
    &[
        &["đúng hạn", "trước hạn", "trước và đúng hạn"],
        &["quá hạn", "trễ hạn", "chậm"],
    ],
    &[&["tập thể"], &["cá nhân"]],
    &[&["riêng"], &["lồng ghép"]],
    &[&["nam"], &["nữ"]],
    &[&["định kỳ"], &["đột xuất"], &["thường xuyên"]],
    &[&["trực tiếp"], &["trực tuyến", "qua mạng"], &["bưu chính"]],
    &[
        &["cấp ủy", "cấp uỷ"],
        &["chính quyền", "ubnd"],
        &["ban chỉ đạo", "bcđ"],
        &["mttq", "mặt trận"],
    ],
    &[&["cấp huyện", "huyện"], &["cấp xã", "xã"]],
    &[
        &["cấp tỉnh", "tỉnh"],
        &["cấp huyện", "huyện"],
        &["cấp xã", "xã"],
    ],
    &[
        &["xuất sắc"],
        &["tốt"],
        &["hoàn thành nhiệm vụ"],
        &["không hoàn thành"],
    ],
];

/// Every word of [`PARTITIONS`] with its set and category, in one automaton that
/// reports every occurrence of every word.
struct PartitionWords {
    ac: Option<aho_corasick::AhoCorasick>,
    /// (set, category) of each word, by the automaton's pattern number.
    owner: Vec<(usize, usize)>,
}

static PARTITION_WORDS: std::sync::LazyLock<PartitionWords> = std::sync::LazyLock::new(|| {
    let mut words = Vec::new();
    let mut owner = Vec::new();
    for (s, set) in PARTITIONS.iter().enumerate() {
        for (c, cat) in set.iter().enumerate() {
            for w in *cat {
                words.push(*w);
                owner.push((s, c));
            }
        }
    }
    PartitionWords {
        ac: aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(&words)
            .ok(),
        owner,
    }
});

/// The categories a label names, per set of [`PARTITIONS`] (a bit per category):
/// the words found as whole words. No word of the sets overlaps itself (a test
/// holds it), so every occurrence of a word is one a left-to-right search finds.
fn named_categories(label: &str) -> [u8; PARTITIONS.len()] {
    let mut named = [0u8; PARTITIONS.len()];
    let pw = &*PARTITION_WORDS;
    for m in pw.ac.iter().flat_map(|ac| ac.find_overlapping_iter(label)) {
        let (p, e) = (m.start(), m.end());
        let ok_a = label[..p]
            .chars()
            .last()
            .is_none_or(|c| !c.is_alphanumeric());
        let ok_b = label[e..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if ok_a && ok_b {
            let (s, c) = pw.owner[m.pattern().as_usize()];
            named[s] |= 1 << c;
        }
    }
    named
}

/// The one category of a set a label names (none, or several, is no category).
fn category(named: u8) -> Option<usize> {
    (named.count_ones() == 1).then(|| named.trailing_zeros() as usize)
}

/// Whether the parts' labels name distinct categories of one known partition.
fn is_partition(labels: &[String]) -> bool {
    if labels.len() < 2 {
        return false;
    }
    let named: Vec<[u8; PARTITIONS.len()]> = labels.iter().map(|l| named_categories(l)).collect();
    (0..PARTITIONS.len()).any(|set| {
        // every label names one category, and no two the same
        let mut seen = 0u8;
        named.iter().all(|n| match category(n[set]) {
            Some(c) if seen & (1 << c) == 0 => {
                seen |= 1 << c;
                true
            }
            _ => false,
        })
    })
}

/// Whether a part's unit is a kind of the whole's unit.
pub fn is_kind_of(part: &str, whole: &str) -> bool {
    match whole {
        "văn bản" => matches!(
            part,
            "nghị quyết"
                | "chỉ thị"
                | "kế hoạch"
                | "quyết định"
                | "công văn"
                | "thông báo"
                | "hướng dẫn"
                | "báo cáo"
                | "văn bản"
        ),
        "đơn vị" => is_unit_kind(part),
        "tổ chức" | "tổ chức cơ sở đảng" => {
            matches!(part, "đảng bộ" | "chi bộ" | "hội" | "đoàn" | "tổ chức")
        }
        _ => false,
    }
}

fn is_unit_kind(u: &str) -> bool {
    matches!(
        u,
        "xã" | "phường"
            | "cơ quan"
            | "doanh nghiệp"
            | "dn"
            | "trường"
            | "chi bộ"
            | "đảng bộ"
            | "tổ chức"
            | "hợp tác xã"
            | "cơ sở"
    )
}

/// A list of words to find in lowercased chars, with the looks that let most
/// places go by cheaply; made once for a list searched in every block.
pub struct WordList<'a> {
    words: Vec<&'a str>,
    /// The words' first chars: a table for ASCII, a short list for the rest.
    ascii: [bool; 128],
    other: Vec<char>,
    /// Their second chars (`None`: a word of one char, which lets any through).
    seconds: Vec<Option<char>>,
}

impl<'a> WordList<'a> {
    pub fn new(words: &[&'a str]) -> WordList<'a> {
        let mut ascii = [false; 128];
        let mut other: Vec<char> = Vec::new();
        for w in words {
            match w.chars().next() {
                Some(c) if c.is_ascii() => ascii[c as usize] = true,
                Some(c) => other.push(c),
                None => {}
            }
        }
        let mut seconds: Vec<Option<char>> = words.iter().map(|w| w.chars().nth(1)).collect();
        seconds.sort_unstable();
        seconds.dedup();
        WordList {
            words: words.to_vec(),
            ascii,
            other,
            seconds,
        }
    }

    /// (char offset, index of the word) of every whole-word occurrence, by offset,
    /// then by the word's index.
    pub fn positions(&self, lower: &[char]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (i, &c) in lower.iter().enumerate() {
            let first = if c.is_ascii() {
                self.ascii[c as usize]
            } else {
                self.other.contains(&c)
            };
            if !first {
                continue;
            }
            let next = lower.get(i + 1).copied();
            if !self.seconds.iter().any(|s| s.is_none() || *s == next)
                || (i > 0 && lower[i - 1].is_alphanumeric())
            {
                continue;
            }
            for (k, w) in self.words.iter().enumerate() {
                let mut j = i;
                let mut whole = true;
                for wc in w.chars() {
                    if lower.get(j) != Some(&wc) {
                        whole = false;
                        break;
                    }
                    j += 1;
                }
                if whole && j > i && lower.get(j).is_none_or(|c| !c.is_alphanumeric()) {
                    out.push((i, k));
                }
            }
        }
        out
    }
}

pub fn word_positions(lower: &[char], word: &str) -> Vec<usize> {
    let w: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    if w.is_empty() || w.len() > lower.len() {
        return out;
    }
    let first = w[0];
    for i in 0..=lower.len() - w.len() {
        if lower[i] != first {
            continue;
        }
        if lower[i..i + w.len()] == w[..]
            && (i == 0 || !lower[i - 1].is_alphanumeric())
            && lower.get(i + w.len()).is_none_or(|c| !c.is_alphanumeric())
        {
            out.push(i);
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Trigger {
    InWhich,
    Consists,
    OutOf,
}

/// A part's value to add: exact, or a malformed number's likely value (noted).
fn part_value(n: &Num, notes: &mut Vec<String>) -> Option<i64> {
    let (v, guessed) = n.reading()?;
    if guessed {
        notes.push(format!("«{}» đọc là {}", n.raw, vn(v)));
    }
    Some(v)
}

fn depth_at(b: &Blk, at: usize) -> i32 {
    b.depth_at(at)
}

struct Breakdown {
    whole: i64,
    unit: Option<&'static str>,
    whole_at: Option<(usize, usize)>,
    whole_label: String,
    parts: Vec<(i64, usize, usize)>,
    /// Whether each part follows a `;` (a new clause group).
    seps: Vec<bool>,
    labels: Vec<String>,
    notes: Vec<String>,
    remainder_part: bool,
    trigger: Trigger,
    /// A "Trong đó" opening its sentence: the whole is one of the figures of the
    /// sentence before (these, `whole` the largest), which one is not said. The
    /// parts are a slip only when their sum is none of them and exceeds them all.
    before_sentence: Option<Vec<i64>>,
}

fn evaluate(ctx: &Ctx, bi: usize, bd: Breakdown, list: bool, out: &mut Vec<Finding>) {
    let Breakdown {
        whole: w,
        unit,
        whole_at,
        whole_label,
        parts,
        seps,
        labels,
        notes,
        remainder_part,
        trigger,
        before_sentence,
    } = bd;
    if parts.is_empty() {
        return;
    }
    if let Some(wholes) = &before_sentence {
        let total: i64 = parts.iter().map(|p| p.0).sum();
        if parts.len() < 2 || wholes.contains(&total) || total <= w {
            return;
        }
    }
    // a prefix adding up exactly: the rest belongs elsewhere, unless the parts name a partition
    let mut acc = 0;
    let partition = is_partition(&labels);
    let prefix_fits = !partition
        && parts[..parts.len() - 1].iter().enumerate().any(|(k, p)| {
            acc += p.0;
            acc == w && seps.get(k + 1).copied().unwrap_or(true)
        });
    if prefix_fits {
        return;
    }
    let total: i64 = parts.iter().map(|p| p.0).sum();
    let at = match whole_at {
        Some((s, e)) if !list => (s, parts.last().map_or(e, |p| p.2.max(e))),
        Some(x) => x,
        None => (parts[0].1, parts.last().map_or(0, |p| p.2)),
    };
    let u = unit.map(str::to_string);
    let note = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    };
    if parts.len() == 1 {
        if parts[0].0 > w {
            let arith = Arith {
                op: Op::PartOfWhole,
                operands: vec![parts[0].0, w],
                expected: w,
                stated: parts[0].0,
                decimals: 0,
                unit: u,
            };
            out.push(ctx.finding(
                bi,
                Kind::FractionOverWhole,
                Severity::Error,
                (parts[0].1, parts[0].2),
                format!("«Trong đó»: {}{note}", arith.describe()),
                Some(arith),
            ));
        }
        return;
    }
    let complete = trigger == Trigger::Consists
        || trigger == Trigger::OutOf
        || remainder_part
        || whole_label.contains("tổng")
        || partition;
    if total == w || (!complete && total < w) {
        return;
    }
    let arith = Arith {
        op: Op::Sum,
        operands: parts.iter().map(|p| p.0).collect(),
        expected: total,
        stated: w,
        decimals: 0,
        unit: u,
    };
    let what = match trigger {
        Trigger::Consists => "Các thành phần «gồm»",
        Trigger::OutOf => "Các phần của tổng số",
        Trigger::InWhich if list => "Các dòng liệt kê dưới tổng",
        Trigger::InWhich => "Các phần «trong đó»",
    };
    let how = if total > w {
        "vượt"
    } else {
        "thiếu so với"
    };
    out.push(ctx.finding(
        bi,
        Kind::SumMismatch,
        Severity::Error,
        at,
        format!(
            "{what} cộng lại {} ({how} tổng {}){note}",
            arith.describe(),
            vn(w)
        ),
        Some(arith),
    ));
}

/// What starts a breakdown.
const WORDS: [(&str, Trigger); 6] = [
    ("trong đó", Trigger::InWhich),
    ("cụ thể", Trigger::InWhich),
    ("bao gồm", Trigger::Consists),
    ("gồm", Trigger::Consists),
    ("trong tổng số", Trigger::OutOf),
    ("trong số", Trigger::OutOf),
];
/// Words every trigger of a breakdown holds one of.
const TRIGGER_PARTS: [&str; 3] = ["trong", "cụ thể", "gồm"];
/// What states a total after its parts.
const AFTER: [&str; 12] = [
    "tổng cộng",
    "cộng chung",
    "tổng số",
    "tổng",
    "cả năm",
    "cả 6 tháng",
    "cả sáu tháng",
    "cả 9 tháng",
    "cả quý",
    "cả kỳ",
    "tính chung",
    "tất cả",
];
/// Words every trigger of a total after its parts holds one of.
const AFTER_PARTS: [&str; 4] = ["tổng", "cộng", "cả", "tính chung"];

pub fn check(ctx: &Ctx, bi: usize, out: &mut Vec<Finding>) {
    let b = &ctx.blks[bi];
    if b.nums.is_empty() {
        return;
    }
    fractions_over_whole(ctx, bi, out);
    let mut triggers: Vec<(usize, usize, Trigger)> = Vec::new();
    static TRIGGERS: std::sync::LazyLock<WordList<'static>> =
        std::sync::LazyLock::new(|| WordList::new(&WORDS.map(|x| x.0)));
    // every trigger holds one of these (`lower_text` is `lower` as a string when
    // so marked): most blocks hold none, and are passed over cheaply
    let may = !b.lower_text_is_lower || TRIGGER_PARTS.iter().any(|w| b.lower_text.contains(w));
    let found = if may {
        TRIGGERS.positions(&b.lower)
    } else {
        Vec::new()
    };
    for (idx, (w, t)) in WORDS.iter().enumerate() {
        let (w, t) = (*w, *t);
        for p in found.iter().filter(|x| x.1 == idx).map(|x| x.0) {
            let after = b.low(p, p + w.chars().count() + 4);
            if after.contains(" cả") || (w == "gồm" && p >= 4 && b.low(p - 4, p) == "bao ") {
                continue; // "gồm cả": only some
            }
            triggers.push((p, w.chars().count(), t));
        }
    }
    triggers.sort_by_key(|x| x.0);
    for (k, &(t, len, kind)) in triggers.iter().enumerate() {
        if let Some(bd) = breakdown(ctx, bi, t, len, kind, triggers.get(k + 1).map(|x| x.0)) {
            evaluate(ctx, bi, bd, false, out);
        }
    }
    totals_after(ctx, bi, out);
}

fn breakdown(
    ctx: &Ctx,
    bi: usize,
    t: usize,
    len: usize,
    kind: Trigger,
    next_trigger: Option<usize>,
) -> Option<Breakdown> {
    let b = &ctx.blks[bi];
    let nums = &b.nums;
    let td = depth_at(b, t);
    let first_after = nums.partition_point(|n| n.start < t + len);
    let mut before_sentence: Option<Vec<(i64, Option<&'static str>)>> = None;
    // the whole
    let (w_idx, w_val, w_unit, w_at, w_role, w_label, parts_from) = if kind == Trigger::OutOf {
        let wi = first_after;
        let n = nums.get(wi)?;
        if n.start > t + len + 12 || !n.is_quantity() || n.approx || n.percent {
            return None;
        }
        (
            Some(wi),
            n.value?,
            n.unit,
            Some((n.start, n.tail)),
            Role::Whole,
            "tổng số".to_string(),
            wi + 1,
        )
    } else {
        // "116 điển hình (gồm 83 …)": the whole sits outside the paren the trigger opens
        let wd = if b.low(t.saturating_sub(2), t).contains('(') {
            td - 1
        } else {
            td
        };
        let before = (0..first_after)
            .rev()
            .take(8)
            .find(|&k| nums[k].tail <= t && b.depth[k].0 == wd);
        let near = before.filter(|&wi| {
            let n = &nums[wi];
            if t > n.tail + 300 {
                return false;
            }
            let gap = b.low(n.tail, t);
            let outside: usize = {
                let mut d = 0;
                let mut c = 0;
                for ch in gap.chars() {
                    match ch {
                        '(' => d += 1,
                        ')' => d -= 1,
                        _ if d == 0 => c += 1,
                        _ => {}
                    }
                }
                c
            };
            outside <= 70 && !gap.contains(". ") && (!gap.contains(';') || gap.trim() == ";")
        });
        match near {
            Some(wi) => {
                let n = &nums[wi];
                if !n.is_quantity() || n.percent || n.approx {
                    return None;
                }
                (
                    Some(wi),
                    n.value?,
                    n.unit,
                    Some((n.start, n.tail)),
                    role(b, wi),
                    b.context_before(wi).into_owned(),
                    first_after,
                )
            }
            None => {
                // a note that breaks down the figure it is attached to
                if let Some(Some(nc)) = ctx.notes.get(bi).filter(|_| t <= 12)
                    && let Some(wi) = nc.whole
                {
                    let cb = &ctx.blks[nc.block];
                    let n = &cb.nums[wi];
                    (
                        None,
                        n.value?,
                        n.unit,
                        None,
                        role(cb, wi),
                        cb.context_before(wi).into_owned(),
                        first_after,
                    )
                } else if t <= 12
                    && bi > 0
                    // the last figure of the paragraph before, when its sentence
                    // has no other of a unit (else which one is meant is not said)
                    && sentence_before(ctx, bi, t).len() <= 1
                    && ctx.doc.blocks[bi].footnote.is_none()
                    && ctx.doc.blocks[bi - 1].footnote.is_none()
                    && ctx.doc.blocks[bi - 1].part == ctx.doc.blocks[bi].part
                    && let Some(n) = ctx.blks[bi - 1].nums.last()
                    && n.is_quantity()
                    && !n.percent
                    && ctx.blks[bi - 1].chars.len() - n.tail <= 3
                {
                    let pb = &ctx.blks[bi - 1];
                    let wi = pb.nums.len() - 1;
                    (
                        None,
                        n.value?,
                        n.unit,
                        None,
                        role(pb, wi),
                        pb.context_before(wi).into_owned(),
                        first_after,
                    )
                } else if kind == Trigger::InWhich
                    && let wholes = sentence_before(ctx, bi, t)
                    && !wholes.is_empty()
                {
                    // "…, còn lại 4 đơn. Trong đó có 3 đơn khiếu nại, …": the whole is
                    // a figure of the sentence before; which one is read after the parts
                    before_sentence = Some(wholes);
                    (None, 0, None, None, Role::Whole, String::new(), first_after)
                } else {
                    return None;
                }
            }
        }
    };
    let _ = w_idx;
    // where the parts end: the sentence, the closing paren, the next breakdown
    let (_, sent_end) = b.sentence(t);
    let mut end = sent_end.min(next_trigger.unwrap_or(usize::MAX));
    if td > 0 {
        let mut d = 0;
        for (k, c) in b.chars[t..end.min(b.chars.len())].iter().enumerate() {
            match c {
                '(' => d += 1,
                ')' if d == 0 => {
                    end = t + k;
                    break;
                }
                ')' => d -= 1,
                _ => {}
            }
        }
    }
    let mut parts = Vec::new();
    let mut seps = Vec::new();
    let mut labels = Vec::new();
    let mut notes = Vec::new();
    let mut remainder_part = false;
    let mut unit = w_unit;
    for (k, n) in nums.iter().enumerate().skip(parts_from) {
        if n.start >= end || n.start > t + 1200 || k > parts_from + 60 {
            break;
        }
        if !n.is_figure() || n.percent || n.fraction().is_some() {
            continue;
        }
        if b.depth[k].0 != td {
            continue;
        }
        let unit_ok = same_unit(n.unit, unit)
            || unit.zip(n.unit).is_some_and(|(w, p)| is_kind_of(p, w))
            || (w_unit.is_none() && parts.is_empty() && n.unit.is_some())
            || (n.unit.is_none()
                && w_unit.is_some()
                && b.chars[..n.start].iter().rev().take(3).any(|c| *c == ':'));
        if !unit_ok {
            continue;
        }
        if w_unit.is_none() && unit.is_none() {
            unit = n.unit;
        }
        if n.approx {
            return None;
        }
        let r = role(b, k);
        if r == Role::Remainder && w_role == Role::Done {
            continue;
        }
        // "tiếp nhận 42 đơn, trong đó …; đã giải quyết 35 đơn": the resolved count is no category
        if r == Role::Done && w_role == Role::Whole && !parts.is_empty() {
            break;
        }
        if matches!(r, Role::Remainder) || b.label_before(k).contains("khác") {
            remainder_part = true;
        }
        let v = part_value(n, &mut notes)?;
        seps.push(
            parts
                .last()
                .is_some_and(|p: &(i64, usize, usize)| b.low(p.2, n.start).contains(';')),
        );
        parts.push((v, n.start, n.tail));
        labels.push(format!("{} | {}", b.label_before(k), b.label_after(k)));
    }
    // the sentence before: its figures of the parts' unit
    let (w_val, before_sentence) = match before_sentence {
        None => (w_val, None),
        Some(all) => {
            let wholes: Vec<i64> = all
                .iter()
                .filter(|(_, u)| same_unit(*u, unit))
                .map(|(v, _)| *v)
                .collect();
            (*wholes.iter().max()?, Some(wholes))
        }
    };
    Some(Breakdown {
        whole: w_val,
        unit: unit.or(w_unit),
        whole_at: w_at,
        whole_label: w_label,
        parts,
        seps,
        labels,
        notes,
        remainder_part,
        trigger: kind,
        before_sentence,
    })
}

/// When a breakdown word opens its sentence (after a bullet at most): the counted
/// figures of the sentence before it — in its block, or the last sentence of the
/// paragraph before when it opens the block (same part, no heading or footnote
/// between). Empty otherwise.
fn sentence_before(ctx: &Ctx, bi: usize, t: usize) -> Vec<(i64, Option<&'static str>)> {
    let b = &ctx.blks[bi];
    let (s0, _) = b.sentence(t);
    let lead = b.low(s0, t);
    if !lead
        .trim()
        .trim_start_matches(['-', '+', '*', '•'])
        .trim()
        .is_empty()
    {
        return Vec::new();
    }
    let (pb, range) = if s0 > 0 {
        let (ps, _) = b.sentence(s0 - 1);
        (b, (ps, s0))
    } else {
        let doc = ctx.doc;
        let (here, Some(prev)) = (&doc.blocks[bi], bi.checked_sub(1).map(|p| &doc.blocks[p]))
        else {
            return Vec::new();
        };
        let heading = doc.headings.iter().any(|h| h.line == prev.first_line());
        if prev.part != here.part || prev.footnote.is_some() || here.footnote.is_some() || heading {
            return Vec::new();
        }
        let pb = &ctx.blks[bi - 1];
        let (ps, pe) = pb.sentence(pb.chars.len().saturating_sub(1));
        (pb, (ps, pe.max(pb.chars.len())))
    };
    pb.nums
        .iter()
        .filter(|n| n.start >= range.0 && n.start < range.1)
        .filter(|n| n.is_quantity() && !n.percent && !n.approx && n.unit.is_some())
        .filter_map(|n| Some((n.value?, n.unit)))
        .collect()
}

/// `a/b` with a part larger than its whole, for counts of something.
fn fractions_over_whole(ctx: &Ctx, bi: usize, out: &mut Vec<Finding>) {
    let b = &ctx.blks[bi];
    for n in &b.nums {
        let Some((a, d, guessed)) = n.fraction() else {
            continue;
        };
        if guessed || d <= 0 || a <= d || n.unit.is_none() {
            continue;
        }
        let arith = Arith {
            op: Op::PartOfWhole,
            operands: vec![a, d],
            expected: d,
            stated: a,
            decimals: 0,
            unit: n.unit.map(str::to_string),
        };
        out.push(ctx.finding(
            bi,
            Kind::FractionOverWhole,
            Severity::Error,
            (n.start, n.tail),
            format!("«{}»: {}", n.raw, arith.describe()),
            Some(arith),
        ));
    }
}

/// A total stated after its parts: "…, tổng cộng 27 cuộc", "cả năm 40 lượt".
fn totals_after(ctx: &Ctx, bi: usize, out: &mut Vec<Finding>) {
    let b = &ctx.blks[bi];
    let nums = &b.nums;
    // a total and at least two parts before it, all in this block
    if nums.len() < 3 {
        return;
    }
    let mut seen: std::collections::HashSet<usize> = std::collections::HashSet::new();
    static AFTER_WORDS: std::sync::LazyLock<WordList<'static>> =
        std::sync::LazyLock::new(|| WordList::new(&AFTER));
    // every word holds one of these (see `check`)
    let may = !b.lower_text_is_lower || AFTER_PARTS.iter().any(|w| b.lower_text.contains(w));
    let found = if may {
        AFTER_WORDS.positions(&b.lower)
    } else {
        Vec::new()
    };
    for (idx, w) in AFTER.iter().enumerate() {
        let w = *w;
        for t in found.iter().filter(|x| x.1 == idx).map(|x| x.0) {
            // a shorter word where a longer one starts ("tổng" in "tổng cộng")
            if !seen.insert(t) {
                continue;
            }
            // a new clause starts with the total
            let mut p = t;
            while p > 0 && b.chars[p - 1] == ' ' {
                p -= 1;
            }
            let sep = p.checked_sub(1).map(|k| b.chars[k]);
            if !matches!(sep, Some(',' | ';' | '–' | '-')) {
                continue;
            }
            let back = b.low(p.saturating_sub(12), p);
            if back.contains("nâng") || back.contains("lên") {
                continue;
            }
            // the total: the first quantity after the trigger ("cả 6 tháng tiếp 180 lượt")
            let first = nums.partition_point(|n| n.start < t + w.chars().count());
            let Some(k) = (first..nums.len().min(first + 3)).find(|&k| nums[k].is_quantity())
            else {
                continue;
            };
            let total = &nums[k];
            if total.start > t + w.chars().count() + 25
                || !total.is_quantity()
                || total.percent
                || total.approx
                || total.unit.is_none()
            {
                continue;
            }
            let gap = b.low(t + w.chars().count(), total.start);
            if gap.contains(',') || gap.contains(';') || gap.contains('(') {
                continue;
            }
            let after = b.low(total.tail, total.tail + 14);
            if after.contains("trong đó") || after.contains("gồm") {
                continue;
            }
            // the parts: same-unit figures back to the clause group start
            let strong = matches!(sep, Some(';')) || w != "tổng số" && w != "tổng";
            let mut parts = Vec::new();
            let mut notes = Vec::new();
            let mut ok = true;
            for j in (0..k).rev() {
                let n = &nums[j];
                let between = b.low(n.tail, p);
                if between.contains(". ")
                    || between.contains(':')
                    || (!strong && between.contains(';'))
                    || between.chars().count() > 400
                {
                    break;
                }
                if !n.is_figure()
                    || n.percent
                    || n.fraction().is_some()
                    || !(same_unit(n.unit, total.unit)
                        || n.unit
                            .zip(total.unit)
                            .is_some_and(|(p, w)| is_kind_of(p, w)))
                {
                    continue;
                }
                if b.depth[j].0 != 0 {
                    continue;
                }
                if n.approx {
                    ok = false;
                    break;
                }
                let before = b.label_before(j);
                if ["tổng", "nâng", "cả năm"]
                    .iter()
                    .any(|x| before.contains(x))
                {
                    break;
                }
                match part_value(n, &mut notes) {
                    Some(v) => parts.push((v, n.start, n.tail)),
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if !ok || parts.len() < 2 {
                continue;
            }
            parts.reverse();
            let sum: i64 = parts.iter().map(|x| x.0).sum();
            let tv = total.value.unwrap_or(0);
            if sum == tv {
                continue;
            }
            let arith = Arith {
                op: Op::Sum,
                operands: parts.iter().map(|x| x.0).collect(),
                expected: sum,
                stated: tv,
                decimals: 0,
                unit: total.unit.map(str::to_string),
            };
            let note = if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join("; "))
            };
            out.push(ctx.finding(
                bi,
                Kind::SumMismatch,
                Severity::Error,
                (parts[0].1, total.tail),
                format!("Tổng ghi sau các phần: {}{note}", arith.describe()),
                Some(arith),
            ));
        }
    }
}

/// The bullet a list line starts with, if any.
fn is_bullet(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("- ")
        || t.starts_with("+ ")
        || t.starts_with("• ")
        || t.starts_with("* ")
        || t.starts_with("– ")
        || t.starts_with('-') && t.chars().nth(1).is_some_and(|c| c.is_alphabetic())
        || {
            let mut c = t.chars();
            matches!((c.next(), c.next()), (Some(x), Some(')')) if x.is_lowercase())
        }
}

/// Lists of lines under a total: "Tổng số kinh phí: 22.075 triệu đồng; trong đó:"
/// then one line per part.
pub fn lists(ctx: &Ctx, out: &mut Vec<Finding>) {
    let doc = ctx.doc;
    for (bi, blk) in ctx.blks.iter().enumerate() {
        let part = &doc.blocks[bi].part;
        if *part == Part::Header || *part == Part::Footnote || blk.nums.is_empty() {
            continue;
        }
        // lowercase, then trimmed: the same as trimmed, then lowercased
        let lower = blk.lower_text.trim_end();
        let trig = [
            "trong đó:",
            "gồm:",
            "cụ thể như sau:",
            "cụ thể:",
            "như sau:",
            "bao gồm:",
            "trong đó",
        ]
        .iter()
        .find(|t| lower.ends_with(*t));
        let Some(trig) = trig else { continue };
        // the whole: the last figure before the trigger
        let Some(wi) = blk.nums.iter().rposition(|n| n.is_quantity() && !n.percent) else {
            continue;
        };
        let wn = &blk.nums[wi];
        if wn.approx || blk.chars.len() - wn.tail > trig.chars().count() + 6 {
            continue;
        }
        let w_label = blk.context_before(wi).into_owned();
        let mut parts = Vec::new();
        let mut labels = Vec::new();
        let mut notes = Vec::new();
        let mut ok = true;
        let mut remainder_part = false;
        for (nb, next) in doc.blocks.iter().enumerate().skip(bi + 1) {
            if next.part != *part || !is_bullet(&next.text) || next.footnote.is_some() {
                break;
            }
            let nbk = &ctx.blks[nb];
            // the first figure of the whole's unit in each ";" clause, outside parentheses
            let mut clause_done = false;
            for (k, n) in nbk.nums.iter().enumerate() {
                if k > 0 && nbk.low(nbk.nums[k - 1].tail, n.start).contains(';') {
                    clause_done = false;
                }
                if clause_done
                    || !n.is_figure()
                    || n.percent
                    || n.fraction().is_some()
                    || !same_unit(n.unit, wn.unit)
                    || nbk.depth[k].0 != 0
                {
                    continue;
                }
                if n.approx {
                    ok = false;
                }
                match part_value(n, &mut notes) {
                    Some(v) => {
                        parts.push((v, usize::MAX, usize::MAX));
                        let l = nbk.label_before(k);
                        if l.contains("còn lại") || l.contains("khác") {
                            remainder_part = true;
                        }
                        labels.push(l.into_owned());
                    }
                    None => ok = false,
                }
                clause_done = true;
            }
        }
        if !ok || parts.len() < 2 {
            continue;
        }
        let kind = if trig.starts_with("gồm")
            || trig.starts_with("bao gồm")
            || trig.starts_with("cụ thể như sau")
        {
            Trigger::Consists
        } else {
            Trigger::InWhich
        };
        let bd = Breakdown {
            before_sentence: None,
            whole: wn.value.unwrap_or(0),
            unit: wn.unit,
            whole_at: Some((wn.start, wn.tail)),
            whole_label: w_label,
            seps: vec![true; parts.len()],
            parts,
            labels,
            notes,
            remainder_part,
            trigger: kind,
        };
        evaluate(ctx, bi, bd, true, out);
    }
}

#[cfg(test)]
mod gate_tests {
    use super::*;

    #[test]
    fn every_trigger_holds_a_word_looked_for_first() {
        for (w, _) in WORDS {
            assert!(TRIGGER_PARTS.iter().any(|p| w.contains(p)), "{w}");
        }
        for w in AFTER {
            assert!(AFTER_PARTS.iter().any(|p| w.contains(p)), "{w}");
        }
    }
}

#[cfg(test)]
mod partition_tests {
    use super::*;

    /// [`named_categories`] looks at every occurrence of a word; a left-to-right
    /// search skips those starting inside the previous one. The two agree: a
    /// word that begins with its own ending ("tốt") has a letter before that
    /// ending, so an occurrence starting there is never a whole word.
    #[test]
    fn overlapping_occurrences_are_never_whole_words() {
        for set in PARTITIONS {
            for cat in *set {
                for w in *cat {
                    let b = w.as_bytes();
                    for k in 1..b.len() {
                        if w.is_char_boundary(k) && b.starts_with(&b[k..]) {
                            let before = w[..k].chars().next_back();
                            assert!(
                                before.is_some_and(char::is_alphanumeric),
                                "«{w}» may overlap itself at a word start"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn labels_name_categories_as_whole_words() {
        let l = |x: &str| x.to_string();
        assert!(is_partition(&[l("đơn khiếu nại"), l("đơn tố cáo")]));
        assert!(is_partition(&[l("khiếu nại"), l("kiến nghị, phản ánh")]));
        // two labels naming the same category, a label naming two, a word inside another
        assert!(!is_partition(&[l("khiếu nại"), l("khiếu nại lần hai")]));
        assert!(!is_partition(&[l("khiếu nại, tố cáo"), l("kiến nghị")]));
        assert!(!is_partition(&[l("namđịnh"), l("nữ")]));
        assert!(is_partition(&[l("nam"), l("nữ")]));
        assert!(!is_partition(&[l("nam")]));
        assert_eq!(category(named_categories("cấp xã")[9]), Some(1));
    }
}
