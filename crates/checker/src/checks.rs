//! The arithmetic a careful reviewer does: percentages against their fractions,
//! wholes against their parts and remainders, malformed numbers, parts larger than
//! wholes, a quantity given two values, counts against the lists that follow.

use crate::doc::{Block, Document, Part};
use crate::numbers::{Kind as NumKind, Num, is_count, scan};
use crate::{Finding, Kind, Severity};

fn vn(x: f64, decimals: u32) -> String {
    qcdc_core::number::format_f64(x, decimals)
}

fn slice(chars: &[char], a: usize, b: usize) -> String {
    chars[a.min(chars.len())..b.min(chars.len())]
        .iter()
        .collect()
}

fn find(b: &Block, kind: Kind, severity: Severity, at: (usize, usize), message: String) -> Finding {
    Finding {
        line: b.line_of(at.0),
        kind,
        severity,
        message,
        excerpt: b.excerpt(at.0, at.1),
    }
}

/// Whether `stated` (with `decimals` shown) is `exact` rounded; Some(explanation) if not.
pub fn percent_slip(exact: f64, stated: f64, decimals: u32) -> Option<String> {
    let f = 10f64.powi(decimals as i32);
    let rounded = (exact * f).round() / f;
    let eps = 1e-9 * (1.0 + exact.abs());
    if (rounded - stated).abs() < eps
        || ((exact * f).fract() - 0.5).abs() < 1e-9
            && ((exact * f).floor() / f - stated).abs() < eps
    {
        return None;
    }
    let truncated = (exact * f).floor() / f;
    let how = if (truncated - stated).abs() < eps {
        " — số ghi là kết quả cắt bớt chữ số, không phải làm tròn"
    } else {
        ""
    };
    Some(format!(
        "= {}% → làm tròn là {}%, nhưng báo cáo ghi {}%{how}",
        vn(exact, 3.max(decimals + 2)),
        vn(rounded, decimals),
        vn(stated, decimals)
    ))
}

/// A number's fraction, reading a malformed `a/b/c` the likely way.
fn fraction(n: &Num) -> Option<(f64, f64, bool)> {
    match &n.kind {
        NumKind::Fraction { num, den } => Some((*num, *den, false)),
        NumKind::Malformed {
            guess: Some((a, b)),
            ..
        } => Some((*a, *b, true)),
        _ => None,
    }
}

fn sentence_break(s: &str) -> bool {
    s.contains(';') || s.contains(". ") || s.trim_end().ends_with('.')
}

/// Runs every arithmetic check over the document.
pub fn check(doc: &Document, out: &mut Vec<Finding>) {
    let scanned: Vec<Vec<Num>> = doc
        .blocks
        .iter()
        .map(|b| {
            if b.part == Part::Header {
                vec![]
            } else {
                scan(&b.text)
            }
        })
        .collect();
    for (bi, b) in doc.blocks.iter().enumerate() {
        let nums = &scanned[bi];
        let chars: Vec<char> = b.text.chars().collect();
        // the whole a "Trong đó …" footnote breaks down: the quantity just before its marker
        let whole = if b.footnote.is_some() {
            doc.citing_block(bi).and_then(|(ci, off)| {
                scanned[ci]
                    .iter()
                    .rev()
                    .find(|n| {
                        n.end <= off && off - n.tail <= 2 && n.is_quantity() && n.value.is_some()
                    })
                    .map(|n| (n.value.unwrap_or(0.0), n.unit))
            })
        } else {
            None
        };
        formats(b, nums, out);
        percents(b, &chars, nums, whole, out);
        wholes_and_parts(doc, bi, &chars, &scanned, whole, out);
        remainders(b, &chars, nums, whole, out);
        counts(b, &chars, nums, out);
        if b.footnote.is_some()
            && let Some((ci, _)) = doc.citing_block(bi)
        {
            contradictions(&doc.blocks[ci], &scanned[ci], b, nums, out);
        }
    }
    appendix_against_body(doc, &scanned, out);
}

/// Who did it: an appendix item and a body paragraph about the same actor.
const ACTORS: &[&str] = &[
    "mttq",
    "mặt trận",
    "bí thư",
    "chủ tịch",
    "ban chỉ đạo",
    "bcđ",
    "hđnd",
    "ban thanh tra nhân dân",
];
/// Units that all count events.
const EVENTS: &[&str] = &["cuộc", "hoạt động", "lần", "đợt", "buổi"];

fn same_measure(a: &str, b: &str) -> bool {
    a == b || EVENTS.contains(&a) && EVENTS.contains(&b)
}

/// A figure of the appendix that the body gives differently (same topic, same
/// actor, one mention on each side).
fn appendix_against_body(doc: &Document, scanned: &[Vec<Num>], out: &mut Vec<Finding>) {
    // every body figure that names its topic, once
    let body: Vec<(
        usize,
        String,
        Vec<(&'static str, &'static str, f64, usize, usize)>,
    )> = doc
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| b.part == Part::Body && b.footnote.is_none())
        .map(|(bi, b)| {
            let chars: Vec<char> = b.text.chars().collect();
            (bi, b.text.to_lowercase(), topical(&chars, &scanned[bi]))
        })
        .filter(|(_, _, t)| !t.is_empty())
        .collect();
    let mut section_actors: Vec<&str> = Vec::new();
    for (ai, a) in doc.blocks.iter().enumerate() {
        if a.part != Part::Appendix {
            continue;
        }
        let lower = a.text.to_lowercase();
        if a.text.starts_with(|c: char| c.is_ascii_digit()) {
            section_actors = ACTORS
                .iter()
                .copied()
                .filter(|x| lower.contains(x))
                .collect();
        }
        let actors: Vec<&str> = ACTORS
            .iter()
            .copied()
            .filter(|x| lower.contains(x))
            .chain(section_actors.iter().copied())
            .collect();
        if actors.is_empty() {
            continue;
        }
        let ac: Vec<char> = a.text.chars().collect();
        for (topic, unit, v, s, e) in topical(&ac, &scanned[ai]) {
            let mut matches = Vec::new();
            for (bi, bl, topics) in &body {
                if !actors.iter().any(|x| bl.contains(x)) {
                    continue;
                }
                for t in topics {
                    if t.0 == topic && same_measure(t.1, unit) {
                        matches.push((*bi, *t));
                    }
                }
            }
            if let [(bi, (_, bu, bv, bs, _))] = matches[..]
                && (bv - v).abs() > 1e-9
            {
                out.push(find(
                    a,
                    Kind::Contradiction,
                    Severity::Warning,
                    (s, e),
                    format!(
                        "«{topic}»: phụ lục ghi {} {unit}, thân bài (dòng {}) ghi {} {bu}",
                        vn(v, 3),
                        doc.blocks[bi].line_of(bs),
                        vn(bv, 3)
                    ),
                ));
            }
        }
    }
}

fn formats(b: &Block, nums: &[Num], out: &mut Vec<Finding>) {
    for n in nums {
        match &n.kind {
            NumKind::Malformed { why, .. } => out.push(find(
                b,
                Kind::NumberFormat,
                Severity::Error,
                (n.start, n.tail),
                format!("Số viết sai: {why}"),
            )),
            NumKind::Ambiguous { why } => out.push(find(
                b,
                Kind::NumberFormat,
                Severity::Warning,
                (n.start, n.tail),
                format!("Số dễ hiểu nhầm: {why}"),
            )),
            NumKind::Plain
                if !n.percent
                    && n.unit.is_some_and(|u| {
                        is_count(u)
                            && matches!(
                                u,
                                "người"
                                    | "lượt"
                                    | "đơn"
                                    | "vụ việc"
                                    | "hồ sơ"
                                    | "cuộc"
                                    | "văn bản"
                                    | "hộ"
                                    | "nhân khẩu"
                                    | "đơn vị"
                                    | "doanh nghiệp"
                                    | "lao động"
                            )
                    })
                    && n.value.is_some_and(|v| v.fract() != 0.0) =>
            {
                out.push(find(
                    b,
                    Kind::NumberFormat,
                    Severity::Error,
                    (n.start, n.tail),
                    format!(
                        "«{} {}»: số đếm không thể có phần thập phân",
                        n.raw,
                        n.unit.unwrap_or("")
                    ),
                ));
            }
            _ => {}
        }
    }
}

fn percents(
    b: &Block,
    chars: &[char],
    nums: &[Num],
    whole: Option<(f64, Option<&'static str>)>,
    out: &mut Vec<Finding>,
) {
    for (i, n) in nums.iter().enumerate() {
        if let Some((a, d, guessed)) = fraction(n) {
            // "24/7" and the like carry no unit: only counts of something can exceed their whole
            if a > d && d > 0.0 && !guessed && n.unit.is_some() {
                out.push(find(
                    b,
                    Kind::FractionOverWhole,
                    Severity::Error,
                    (n.start, n.tail),
                    format!(
                        "«{}»: phần ({}) lớn hơn tổng ({})",
                        n.raw,
                        vn(a, 3),
                        vn(d, 3)
                    ),
                ));
            }
            let Some(p) = nums[i + 1..]
                .iter()
                .take_while(|m| fraction(m).is_none())
                .find(|m| m.percent)
            else {
                continue;
            };
            let between = slice(chars, n.tail, p.start);
            if between.chars().count() > 60 || sentence_break(&between) || d == 0.0 {
                continue;
            }
            let Some(stated) = crate::numbers::parse_vn(&p.raw) else {
                continue;
            };
            if let Some(why) = percent_slip(a / d * 100.0, stated, p.decimals) {
                let note = if guessed {
                    format!(" (đọc «{}» là {}/{})", n.raw, vn(a, 0), vn(d, 0))
                } else {
                    String::new()
                };
                out.push(find(
                    b,
                    Kind::PercentMismatch,
                    Severity::Error,
                    (n.start, p.tail),
                    format!("{}/{} {why}{note}", vn(a, 3), vn(d, 3)),
                ));
            }
        }
    }
    // "7029 hồ sơ (tỷ lệ 99,17%)" in a footnote that breaks down a whole
    let Some((w, wu)) = whole else { return };
    if w <= 0.0 {
        return;
    }
    for (i, n) in nums.iter().enumerate() {
        if !n.is_quantity() || n.percent || n.unit.is_none() || n.unit != wu {
            continue;
        }
        let Some(p) = nums.get(i + 1).filter(|m| m.percent) else {
            continue;
        };
        let between = slice(chars, n.tail, p.start);
        if !between.trim_start().starts_with('(') || between.chars().count() > 14 {
            continue;
        }
        let (Some(v), Some(stated)) = (n.value, crate::numbers::parse_vn(&p.raw)) else {
            continue;
        };
        if let Some(why) = percent_slip(v / w * 100.0, stated, p.decimals) {
            out.push(find(
                b,
                Kind::PercentMismatch,
                Severity::Error,
                (n.start, p.tail),
                format!("{}/{} {why}", vn(v, 3), vn(w, 3)),
            ));
        }
    }
}

/// The text lowercased char by char (offsets unchanged).
fn lowered(chars: &[char]) -> Vec<char> {
    chars
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect()
}

/// Finds `word` (lowercase, whole word) in a lowercased text: char offsets.
fn word_positions(lower: &[char], word: &str) -> Vec<usize> {
    let w: Vec<char> = word.chars().collect();
    if !lower.contains(&w[0]) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if w.len() > lower.len() {
        return out;
    }
    for i in 0..=lower.len() - w.len() {
        if lower[i..i + w.len()] == w[..]
            && (i == 0 || !lower[i - 1].is_alphanumeric())
            && lower.get(i + w.len()).is_none_or(|c| !c.is_alphanumeric())
        {
            out.push(i);
        }
    }
    out
}

fn wholes_and_parts(
    doc: &Document,
    bi: usize,
    chars: &[char],
    scanned: &[Vec<Num>],
    fwhole: Option<(f64, Option<&'static str>)>,
    out: &mut Vec<Finding>,
) {
    let b = &doc.blocks[bi];
    let nums = &scanned[bi];
    let lower = lowered(chars);
    let mut triggers: Vec<(usize, bool)> = word_positions(&lower, "trong đó")
        .into_iter()
        .map(|t| (t, false))
        .collect();
    // "gồm" lists everything; "bao gồm cả" / "gồm cả" only some
    triggers.extend(word_positions(&lower, "gồm").into_iter().map(|t| {
        (
            t,
            !slice(chars, t, t + 8).to_lowercase().starts_with("gồm cả"),
        )
    }));
    triggers.sort_unstable();
    for (t, complete) in triggers {
        // the whole: the quantity right before the trigger, or the footnote's whole
        let before = nums
            .iter()
            .rev()
            .find(|n| n.tail <= t && n.is_quantity() && !n.percent && n.value.is_some());
        let (w, unit, w_at) = match before {
            Some(n)
                if slice(chars, n.tail, t).chars().count() <= 40
                    && !slice(chars, n.tail, t).contains(". ") =>
            {
                (n.value.unwrap_or(0.0), n.unit, (n.start, n.tail))
            }
            _ => match fwhole {
                Some((w, u)) if t < 12 => (w, u, (0, 0)),
                _ => continue,
            },
        };
        // the parts: quantities of the same unit up to the end of the sentence
        let mut parts: Vec<(f64, usize, usize)> = Vec::new();
        let mut depth = 0i32;
        let mut malformed = false;
        let open_paren = complete && slice(chars, t.saturating_sub(2), t).contains('(');
        let mut k = t;
        let end = {
            let mut e = chars.len();
            let mut i = t;
            while i < chars.len() {
                if chars[i] == '.'
                    && chars.get(i + 1).is_none_or(|c| *c == ' ')
                    && !chars.get(i.wrapping_sub(1)).is_some_and(|c| {
                        c.is_ascii_digit() && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())
                    })
                {
                    e = i;
                    break;
                }
                if open_paren && chars[i] == ')' {
                    e = i;
                    break;
                }
                i += 1;
            }
            e
        };
        for n in nums.iter().filter(|n| n.start > t && n.start < end) {
            while k < n.start {
                match chars[k] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                k += 1;
            }
            if depth > 0 || n.percent || n.unit != unit {
                continue;
            }
            match n.kind {
                NumKind::Plain => parts.push((n.value.unwrap_or(0.0), n.start, n.tail)),
                NumKind::Malformed { .. } | NumKind::Ambiguous { .. } => malformed = true,
                _ => {}
            }
        }
        // a list of lines after "trong đó:" at the end of the paragraph
        if parts.is_empty()
            && chars[t..]
                .iter()
                .collect::<String>()
                .trim()
                .trim_end_matches(':')
                .trim()
                == "trong đó"
            && unit.is_some()
        {
            for (nb, next) in doc.blocks.iter().enumerate().skip(bi + 1) {
                if !(next.text.starts_with("- ") || next.text.starts_with("+ ")) {
                    break;
                }
                match scanned[nb].iter().find(|n| n.unit == unit && !n.percent) {
                    Some(n) if n.kind == NumKind::Plain => {
                        parts.push((n.value.unwrap_or(0.0), usize::MAX, usize::MAX))
                    }
                    Some(_) => malformed = true,
                    None => {}
                }
            }
        }
        if malformed || parts.is_empty() {
            continue;
        }
        let total: f64 = parts.iter().map(|p| p.0).sum();
        let mut acc = 0.0;
        let prefix_fits = parts.iter().any(|p| {
            acc += p.0;
            (acc - w).abs() < 1e-6
        });
        let at = if w_at.1 > 0 {
            (
                w_at.0,
                parts
                    .last()
                    .map_or(w_at.1, |p| if p.2 == usize::MAX { w_at.1 } else { p.2 }),
            )
        } else {
            (
                parts[0].1.min(chars.len()),
                parts.last().map_or(0, |p| p.2.min(chars.len())),
            )
        };
        let u = unit.map(|u| format!(" {u}")).unwrap_or_default();
        if parts.len() == 1 {
            if parts[0].0 > w + 1e-6 {
                out.push(find(
                    b,
                    Kind::FractionOverWhole,
                    Severity::Error,
                    at,
                    format!(
                        "Phần «trong đó» ({}{u}) lớn hơn tổng ({}{u})",
                        vn(parts[0].0, 3),
                        vn(w, 3)
                    ),
                ));
            }
            continue;
        }
        let list = parts
            .iter()
            .map(|p| vn(p.0, 3))
            .collect::<Vec<_>>()
            .join(" + ");
        if prefix_fits {
            continue;
        }
        if complete {
            out.push(find(
                b,
                Kind::SumMismatch,
                Severity::Error,
                at,
                format!(
                    "Tổng {}{u} nhưng các thành phần «gồm» cộng lại {list} = {}{u}",
                    vn(w, 3),
                    vn(total, 3)
                ),
            ));
        } else if total > w + 1e-6 {
            out.push(find(
                b,
                Kind::SumMismatch,
                Severity::Error,
                at,
                format!(
                    "Các phần «trong đó» cộng lại {list} = {}{u}, lớn hơn tổng {}{u}",
                    vn(total, 3),
                    vn(w, 3)
                ),
            ));
        }
    }
}

const WHOLE_WORDS: &[&str] = &[
    "tiếp nhận",
    "thẩm quyền",
    "tổng số",
    "tổng",
    "phải giải quyết",
    "thụ lý",
    "nhận được",
];

fn remainders(
    b: &Block,
    chars: &[char],
    nums: &[Num],
    fwhole: Option<(f64, Option<&'static str>)>,
    out: &mut Vec<Finding>,
) {
    for t in word_positions(&lowered(chars), "còn lại") {
        let Some(rest) = nums
            .iter()
            .find(|n| n.start > t && n.start - t <= 12 && n.is_quantity() && !n.percent)
        else {
            continue;
        };
        let unit = rest.unit;
        let Some(r) = rest.value else { continue };
        // what was taken away: the nearest quantity or fraction of the same unit before
        let before: Vec<&Num> = nums
            .iter()
            .filter(|n| {
                n.tail <= t
                    && !n.percent
                    && (unit.is_none()
                        || n.unit == unit
                        || n.unit.is_none() && fraction(n).is_some())
            })
            .collect();
        let Some(s_num) = before.last() else { continue };
        let s = match fraction(s_num) {
            Some((_, den, _)) => den,
            None => match s_num.value {
                Some(v) if s_num.is_quantity() => v,
                _ => continue,
            },
        };
        let mut candidates: Vec<(f64, (usize, usize), bool)> = before[..before.len() - 1]
            .iter()
            .filter(|n| n.is_quantity() && n.value.is_some())
            .map(|n| {
                let ctx = slice(chars, n.start.saturating_sub(40), n.start).to_lowercase();
                (
                    n.value.unwrap_or(0.0),
                    (n.start, n.tail),
                    WHOLE_WORDS.iter().any(|w| ctx.contains(w)),
                )
            })
            .collect();
        if let Some((w, wu)) = fwhole
            && (wu == unit || unit.is_none())
        {
            candidates.insert(0, (w, (0, 0), true));
        }
        if candidates.iter().any(|(w, _, _)| (w - s - r).abs() < 1e-6) {
            continue;
        }
        let Some((w, at, _)) = candidates.iter().rev().find(|c| c.2 && c.0 >= s) else {
            continue;
        };
        let u = unit.map(|u| format!(" {u}")).unwrap_or_default();
        let start = if at.1 > 0 { at.0 } else { s_num.start };
        out.push(find(
            b,
            Kind::SumMismatch,
            Severity::Error,
            (start, rest.tail),
            format!(
                "{}{u} − {}{u} = {}{u}, nhưng báo cáo ghi còn lại {}{u}",
                vn(*w, 3),
                vn(s, 3),
                vn(w - s, 3),
                vn(r, 3)
            ),
        ));
    }
}

/// Nouns whose count can be checked against a list of names.
const LISTED: &[&str] = &[
    "đơn vị",
    "xã",
    "phường",
    "chi bộ",
    "đảng bộ",
    "doanh nghiệp",
    "cơ quan",
    "trường",
    "khu phố",
    "thôn",
    "tccs đảng",
    "tcc đảng",
    "hội",
    "tổ",
];

fn counts(b: &Block, chars: &[char], nums: &[Num], out: &mut Vec<Finding>) {
    for n in nums {
        let (Some(v), Some(u)) = (n.value, n.unit) else {
            continue;
        };
        if !n.is_quantity()
            || !LISTED.contains(&u)
            || v.fract() != 0.0
            || !(2.0..=60.0).contains(&v)
        {
            continue;
        }
        // a short qualifier, then ":" / "(" / "gồm" / "là", then the list
        let mut i = n.tail;
        let mut qualifier = 0;
        while i < chars.len() && !matches!(chars[i], ':' | '(' | ',' | ';' | '.') && qualifier < 40
        {
            if chars[i].is_ascii_digit() {
                break;
            }
            i += 1;
            qualifier += 1;
        }
        let q = slice(chars, n.tail, i).to_lowercase();
        let (list_start, closer) = if chars.get(i) == Some(&':') {
            (i + 1, '.')
        } else if chars.get(i) == Some(&'(') {
            (i + 1, ')')
        } else if let Some(p) = q.find(" gồm ").or_else(|| q.find(" là ")) {
            (
                n.tail + q[..p].chars().count() + if q[p..].starts_with(" gồm ") { 5 } else { 4 },
                '.',
            )
        } else {
            continue;
        };
        let mut j = list_start;
        while j < chars.len() && chars[j] != closer && !(closer == '.' && chars[j] == ';') {
            j += 1;
        }
        let list = slice(chars, list_start, j);
        if list.chars().any(|c| c.is_ascii_digit()) || list.trim().is_empty() {
            continue;
        }
        let items: Vec<&str> = list
            .split([',', ';'])
            .flat_map(|s| s.split(" và "))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items.len() >= 2 && items.len() != v as usize {
            out.push(find(
                b,
                Kind::CountMismatch,
                Severity::Error,
                (n.start, j),
                format!("Ghi {} {u} nhưng liệt kê {} tên", n.raw, items.len()),
            ));
        }
    }
}

const TOPICS: &[&str] = &[
    "giám sát",
    "phản biện",
    "tiếp xúc cử tri",
    "tiếp công dân",
    "đối thoại",
    "kiểm tra",
    "khiếu nại",
    "tố cáo",
    "kiến nghị",
    "tuyên truyền",
    "tập huấn",
];

/// (topic, unit, value, offset) of quantities that name what they count.
fn topical(chars: &[char], nums: &[Num]) -> Vec<(&'static str, &'static str, f64, usize, usize)> {
    let mut out = Vec::new();
    for n in nums {
        let (Some(v), Some(u)) = (n.value, n.unit) else {
            continue;
        };
        if !n.is_quantity() || n.percent {
            continue;
        }
        // the clause around the number, cut at , ; :
        let mut a = n.start;
        while a > 0 && !matches!(chars[a - 1], ',' | ';' | ':' | '.') {
            a -= 1;
        }
        let mut z = n.tail;
        while z < chars.len() && !matches!(chars[z], ',' | ';' | ':' | '.') {
            z += 1;
        }
        let before = slice(chars, a, n.start).to_lowercase();
        let after = slice(chars, n.tail, z).to_lowercase();
        let topic = TOPICS
            .iter()
            .filter(|t| before.contains(*t))
            .max_by_key(|t| before.rfind(*t))
            .or_else(|| {
                TOPICS
                    .iter()
                    .filter(|t| after.contains(*t))
                    .min_by_key(|t| after.find(*t))
            });
        if let Some(t) = topic {
            out.push((*t, u, v, n.start, n.tail));
        }
    }
    out
}

fn contradictions(
    body: &Block,
    body_nums: &[Num],
    note: &Block,
    note_nums: &[Num],
    out: &mut Vec<Finding>,
) {
    let bc: Vec<char> = body.text.chars().collect();
    let nc: Vec<char> = note.text.chars().collect();
    let in_body = topical(&bc, body_nums);
    let in_note = topical(&nc, note_nums);
    for (topic, unit, v, s, e) in &in_body {
        let same_body: Vec<_> = in_body
            .iter()
            .filter(|x| x.0 == *topic && x.1 == *unit)
            .collect();
        let same_note: Vec<_> = in_note
            .iter()
            .filter(|x| x.0 == *topic && x.1 == *unit)
            .collect();
        if same_body.len() != 1 || same_note.len() != 1 {
            continue;
        }
        let nv = same_note[0].2;
        if (nv - v).abs() > 1e-9 {
            out.push(find(
                body,
                Kind::Contradiction,
                Severity::Error,
                (*s, *e),
                format!(
                    "«{topic}»: thân bài ghi {} {unit}, chú thích {} (dòng {}) ghi {} {unit}",
                    vn(*v, 3),
                    note.footnote.as_deref().unwrap_or(""),
                    note.line_of(same_note[0].3),
                    vn(nv, 3)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_text;

    fn run(text: &str) -> Vec<Finding> {
        let doc = Document::new(read_text(text.as_bytes()).unwrap());
        let mut out = vec![];
        check(&doc, &mut out);
        out
    }

    fn kinds(f: &[Finding]) -> Vec<Kind> {
        f.iter().map(|x| x.kind).collect()
    }

    #[test]
    fn percentages_rounding_and_truncation() {
        let f = run("Đã giải quyết 138/157 vụ việc (87,8%).\n");
        assert_eq!(kinds(&f), [Kind::PercentMismatch]);
        assert!(
            f[0].message.contains("87,9") && f[0].message.contains("cắt bớt"),
            "{}",
            f[0].message
        );
        assert!(run("Doanh nghiệp ký thỏa ước 834/885 bằng 94,2%; 9/9 phường, tỷ lệ 100%; 10/12 xã, đạt 83,33%; 113 đơn/149 đơn, đạt 75,84 %.\n").is_empty());
        let f = run("Có 10/12 xã đạt chuẩn, tỷ lệ 80%.\n");
        assert_eq!(kinds(&f), [Kind::PercentMismatch]);
        assert!(!f[0].message.contains("cắt bớt"));
    }

    #[test]
    fn footnote_breakdown_against_body_whole() {
        let text = "Tiếp nhận là 7.554 hồ sơ, đã giải quyết 7.088 hồ sơ⁶.\n\n⁶ Trong đó: Giải quyết đúng hạn 7029 hồ sơ (tỷ lệ 99,17%), quá hạn 59 hồ sơ (tỷ lệ 0,83%), hồ sơ chưa giải quyết 216 hồ sơ (250 hồ sơ không đủ điều kiện).\n";
        assert_eq!(run(text), vec![]);
        let bad = text.replace("99,17", "99,71");
        assert_eq!(kinds(&run(&bad)), [Kind::PercentMismatch]);
        let text = "Tiếp nhận 89 đơn⁷.\n\n⁷ Trong đó có 14 đơn khiếu nại, 75 đơn kiến nghị; hiện nay đã giải quyết 74 đơn, còn lại 15 đang tiếp tục giải quyết.\n";
        assert_eq!(run(text), vec![]);
        assert_eq!(
            kinds(&run(&text.replace("còn lại 15", "còn lại 25"))),
            [Kind::SumMismatch]
        );
    }

    #[test]
    fn wholes_and_parts() {
        assert!(run("1. Tổng số văn bản đã ban hành trong năm 2020: 41 trong đó: cấp ủy: 20; chính quyền: 05; Ban chỉ đạo: 16\n").is_empty());
        let f = run(
            "1. Tổng số văn bản đã ban hành trong năm 2020: 41 trong đó: cấp ủy: 20; chính quyền: 06; Ban chỉ đạo: 16\n",
        );
        assert_eq!(kinds(&f), [Kind::SumMismatch]);
        assert!(f[0].message.contains("42"), "{}", f[0].message);
        assert!(run("Đăng ký 116 điển hình (gồm 83 tập thể và 33 cá nhân), trong đó: 27/33 đảng bộ phường đăng ký 68 điển hình tập thể và 27 điển hình cá nhân.\n").is_empty());
        assert_eq!(
            kinds(&run(
                "Có 116 điển hình (gồm 80 điển hình tập thể và 33 điển hình cá nhân).\n"
            )),
            [Kind::SumMismatch]
        );
        assert_eq!(
            kinds(&run("Tổng số 257 DVC; trong đó mức độ 4: 300 DVC.\n")),
            [Kind::FractionOverWhole]
        );
        let list = "Tổng số kinh phí hỗ trợ: 22.075 triệu đồng; trong đó:\n\n- Người có công: 12.450 triệu đồng/2.970 người.\n\n- Người lao động: 10.159,8 triệu đồng/5.924 người\n";
        assert_eq!(kinds(&run(list)), [Kind::SumMismatch]);
    }

    #[test]
    fn remainder_with_a_malformed_number() {
        let text = "+ Tiếp nhận và chuyển tiếp 288.805 hồ sơ, tỷ lệ giải quyết đúng hạn đạt 98,39% trong đó: Thuộc thẩm quyền của Thành phố 48.231 hồ sơ, đã giải quyết\n\ntrước và đúng hạn 44.708/45/964 hồ sơ, đạt tỷ lệ 97,27%, tỷ lệ giải quyết quá hạn là 2,73%, còn lại 2.537 hồ sơ đang giải quyết.\n";
        let f = run(text);
        assert_eq!(kinds(&f), [Kind::NumberFormat, Kind::SumMismatch], "{f:?}");
        assert!(
            f[1].message.contains("48.231")
                && f[1].message.contains("45.964")
                && f[1].message.contains("2.267")
                && f[1].message.contains("2.537"),
            "{}",
            f[1].message
        );
        assert_eq!(f[1].line, 1);
        assert_eq!(f[0].line, 3);
        assert!(
            run(&text
                .replace("44.708/45/964", "44.708/45.964")
                .replace("2.537", "2.267"))
            .is_empty()
        );
    }

    #[test]
    fn counts_against_lists() {
        assert_eq!(
            kinds(&run(
                "Kiểm tra tại 09 đơn vị: Trường A, Trường B, Công ty C.\n"
            )),
            [Kind::CountMismatch]
        );
        assert!(run("Kiểm tra tại 03 đơn vị: Trường A, Trường B và Công ty C.\n").is_empty());
        assert!(
            run("Tổ chức 4 hội nghị tại xã Đạ Long, Đạ M'Rông, Rô Men và Phi Liêng.\n").is_empty()
        );
    }

    #[test]
    fn body_against_its_footnote() {
        let text = "Mặt trận đăng ký các nội dung giám sát tại địa phương⁽²⁾. Trong 06 tháng đầu năm 2022, đã tiến hành giám sát được 02 cuộc, phản biện xã hội được 01 cuộc theo kế hoạch đề ra.\n\n⁽²⁾ Về giám sát (13 cuộc): Ủy ban MTTQ Việt Nam huyện 04 cuộc; Hội Nông dân huyện 09 cuộc.\n\n* Về phản biện xã hội (02 cuộc): Ủy ban MTTQ phản biện dự thảo Nghị quyết.\n";
        let f = run(text);
        assert_eq!(
            kinds(&f),
            [Kind::Contradiction, Kind::Contradiction],
            "{f:?}"
        );
        assert!(f[0].message.contains("13") && f[1].message.contains("phản biện"));
        assert!(
            run(&text
                .replace("02 cuộc, phản", "13 cuộc, phản")
                .replace("01 cuộc theo", "02 cuộc theo"))
            .is_empty()
        );
    }

    #[test]
    fn appendix_against_body() {
        let text = "Năm 2020, Khối MTTQ đã hoàn thành thực hiện 04 hoạt động giám sát, cụ thể: giám sát hộ nghèo.\n\nPHỤ LỤC SỐ LIỆU\n\n8. Giám sát, phản biện của MTTQ, các tổ chức chính trị - xã hội\n\n- Số cuộc giám sát 06 cuộc/06 nội dung.\n";
        let f = run(text);
        assert_eq!(kinds(&f), [Kind::Contradiction], "{f:?}");
        assert_eq!(f[0].line, 7);
        assert!(run(&text.replace("06 cuộc/06", "04 cuộc/04")).is_empty());
    }

    #[test]
    fn malformed_numbers() {
        let f = run(
            "- Người nghèo: 329.50 triệu đồng/440 người; cận nghèo: 1.124.5 triệu đồng/1.500 người; 300,267 nhân khẩu; 2,5 người.\n",
        );
        assert_eq!(kinds(&f), [Kind::NumberFormat; 4], "{f:?}");
        assert_eq!(
            f.iter().filter(|x| x.severity == Severity::Warning).count(),
            1
        );
    }
}
