//! Percentages against the figures they are a share of, whatever the percentage's
//! format (`95.13%` is also checked for its value): a fraction then its
//! percentage (`138/157 vụ việc (87,8%)`), a percentage then its fraction
//! (`đạt 82% (135/164)`), a count resolved out of a count received in the same
//! sentence (`tiếp nhận 26 đơn … đã giải quyết 24 đơn, đạt 92,3%`), and a part of a
//! breakdown with its share (`đúng hạn 7029 hồ sơ (tỷ lệ 99,17%)`).

use super::{Blk, Ctx, Role, role, same_unit};
use crate::arith::{Arith, Op, percent_ok, percent_rounded, vn};
use crate::numbers::{Num, is_person};

/// A whole and its part count the same things (people counted as "người" or by role).
fn comparable(a: Option<&str>, b: Option<&str>) -> bool {
    same_unit(a, b)
        || a.zip(b)
            .is_some_and(|(x, y)| (x == "người" || y == "người") && is_person(x) && is_person(y))
}
use crate::{Finding, Kind, Severity};

/// The stated percentage: its value (a malformed one read the likely way) and decimals.
fn stated(p: &Num) -> Option<(i64, u32)> {
    let (v, _) = p.reading()?;
    Some((v, p.decimals))
}

/// Words between a figure and a percentage that make the percentage a change or a
/// share of something else.
fn other_base(between: &str) -> bool {
    [
        "so với",
        "tăng",
        "giảm",
        "kế hoạch",
        "dự toán",
        "cùng kỳ",
        "chỉ tiêu",
        "trong đó",
        "còn lại",
    ]
    .iter()
    .any(|w| between.contains(w))
}

fn push(
    ctx: &Ctx,
    bi: usize,
    at: (usize, usize),
    (num, den): (i64, i64),
    p: &Num,
    note: String,
    out: &mut Vec<Finding>,
) {
    let Some((v, d)) = stated(p) else { return };
    if d > 3 || den <= 0 || percent_ok(num, den, v, d) {
        return;
    }
    let Some(expected) = percent_rounded(num, den, d) else {
        return;
    };
    let arith = Arith {
        op: Op::Percent,
        operands: vec![num, den],
        expected,
        stated: v,
        decimals: d,
        unit: None,
    };
    out.push(ctx.finding(
        bi,
        Kind::PercentMismatch,
        Severity::Error,
        at,
        format!("{}{note}", arith.describe()),
        Some(arith),
    ));
}

pub fn check(ctx: &Ctx, bi: usize, out: &mut Vec<Finding>) {
    let b = &ctx.blks[bi];
    let nums = &b.nums;
    let mut used = vec![false; nums.len()];
    for (i, n) in nums.iter().enumerate() {
        let Some((a, d, guessed)) = n.fraction() else {
            continue;
        };
        let note = if guessed {
            format!(" (đọc «{}» là {}/{})", n.raw, vn(a), vn(d))
        } else {
            String::new()
        };
        // a fraction then its percentage
        if let Some(j) = (i + 1..nums.len().min(i + 4))
            .take_while(|&j| nums[j].fraction().is_none())
            .find(|&j| nums[j].percent)
        {
            let p = &nums[j];
            if p.start > n.tail + 120 {
                continue;
            }
            let between = b.low(n.tail, p.start);
            if between.chars().count() <= 100
                && !between.contains(';')
                && !between.contains(". ")
                && !other_base(&between)
                && !used[j]
            {
                used[j] = true;
                push(ctx, bi, (n.start, p.tail), (a, d), p, note, out);
                continue;
            }
        }
        // a percentage then its fraction in parentheses: "đạt 82% (135/164)"
        if let Some(j) = i.checked_sub(1).filter(|&j| nums[j].percent && !used[j]) {
            let p = &nums[j];
            if n.start > p.tail + 8 {
                continue;
            }
            let between = b.low(p.tail, n.start);
            if between.trim() == "(" || between.trim() == "=" {
                used[j] = true;
                push(ctx, bi, (p.start, n.tail), (a, d), p, note, out);
            }
        }
    }
    // a count resolved out of a count received, then its share
    for (j, p) in nums.iter().enumerate() {
        if !p.percent || used[j] {
            continue;
        }
        let Some(y) = j.checked_sub(1) else { continue };
        let part = &nums[y];
        if !part.is_quantity() || part.percent || part.approx {
            continue;
        }
        if p.start > part.tail + 80 {
            continue;
        }
        let between = b.low(part.tail, p.start);
        let (s, _) = b.sentence(part.start);
        let s = s.max(part.start.saturating_sub(300));
        let share = between.trim_start().starts_with('(')
            || ["đạt", "bằng", "chiếm", "tỷ lệ", "="]
                .iter()
                .any(|w| between.contains(w));
        if !share || between.chars().count() > 60 || other_base(&between) || between.contains(';') {
            continue;
        }
        let Some((yv, _)) = part.reading() else {
            continue;
        };
        // the whole: a footnote's whole, a breakdown's whole, or one received count
        let wholes: Vec<i64> = whole_for(ctx, bi, b, y, s)
            .into_iter()
            .map(|x| x.0)
            .filter(|w| *w > 0 && yv <= *w)
            .collect();
        let Some(&w) = wholes.first() else { continue };
        used[j] = true;
        // any reading of the sentence that gives the stated share keeps it quiet
        if let Some((v, d)) = stated(p)
            && wholes.iter().any(|&x| percent_ok(yv, x, v, d))
        {
            continue;
        }
        push(
            ctx,
            bi,
            (part.start, p.tail),
            (yv, w),
            p,
            String::new(),
            out,
        );
    }
}

/// The whole a part's share is of: for a part of a breakdown ("trong đó") the
/// breakdown's whole; for a resolved count, the one received count of the sentence.
fn whole_for(ctx: &Ctx, bi: usize, b: &Blk, y: usize, s: usize) -> Vec<(i64, usize)> {
    let part = &b.nums[y];
    // a resolved count: the "whole" figures before it (in jurisdiction, received), nearest first
    if role(b, y) == Role::Done && !b.low(s, part.start).contains("trong đó") {
        let ws: Vec<(i64, usize)> = (0..y)
            .rev()
            .take_while(|&k| b.nums[k].start >= s)
            .filter(|&k| {
                let n = &b.nums[k];
                n.is_quantity()
                    && !n.percent
                    && !n.approx
                    && comparable(n.unit, part.unit)
                    && role(b, k) == Role::Whole
            })
            .filter_map(|k| b.nums[k].value.map(|v| (v, k)))
            .collect();
        if !ws.is_empty() {
            return ws;
        }
    }
    let mut out: Vec<(i64, usize)> = whole_one(ctx, bi, b, y, s).into_iter().collect();
    // a resolved count inside a breakdown: the nearest "whole" figure too
    if role(b, y) == Role::Done
        && let Some(k) = (0..y)
            .rev()
            .take_while(|&k| b.nums[k].start >= s)
            .find(|&k| {
                let n = &b.nums[k];
                n.is_quantity() && comparable(n.unit, part.unit) && role(b, k) == Role::Whole
            })
        && let Some(v) = b.nums[k].value
    {
        out.insert(0, (v, k));
    }
    out
}

fn whole_one(ctx: &Ctx, bi: usize, b: &Blk, y: usize, s: usize) -> Option<(i64, usize)> {
    let part = &b.nums[y];
    let ctx_before = b.low(s, part.start);
    // a breakdown in this sentence: its whole
    if let Some(t) = ctx_before.rfind("trong đó") {
        let t_off = s + ctx_before[..t].chars().count();
        let w = (0..y).rev().take(12).find(|&k| {
            let n = &b.nums[k];
            n.tail <= t_off
                && n.is_quantity()
                && !n.percent
                && same_unit(n.unit, part.unit)
                && t_off - n.tail <= 40
        });
        if let Some(w) = w {
            return b.nums[w].value.map(|v| (v, w));
        }
        if t < 12
            && let Some(Some(nc)) = ctx.notes.get(bi)
            && let Some(wi) = nc.whole
        {
            let wn = &ctx.blks[nc.block].nums[wi];
            if same_unit(wn.unit, part.unit) {
                return wn.value.map(|v| (v, usize::MAX));
            }
        }
        return None;
    }
    // a note that breaks down its citing figure
    if let Some(Some(nc)) = ctx.notes.get(bi)
        && let Some(wi) = nc.whole
        && ctx_before.trim_start().starts_with("trong đó")
    {
        let wn = &ctx.blks[nc.block].nums[wi];
        return wn.value.map(|v| (v, usize::MAX));
    }
    let r = role(b, y);
    if r == Role::Whole || r == Role::Remainder {
        return None;
    }
    let before: Vec<usize> = (0..y)
        .rev()
        .take_while(|&k| b.nums[k].start >= s)
        .filter(|&k| {
            let n = &b.nums[k];
            n.is_quantity()
                && !n.percent
                && !n.approx
                && comparable(n.unit, part.unit)
                && b.same_level(k, y)
        })
        .collect();
    if r == Role::Other {
        // "Có 2.310 doanh nghiệp …; 1.986 doanh nghiệp ký thỏa ước, đạt 86%": the one figure before
        return match before[..] {
            [w] if b.nums[w].value > part.value => b.nums[w].value.map(|v| (v, w)),
            _ => None,
        };
    }
    let wholes: Vec<usize> = (0..y)
        .rev()
        .take_while(|&k| b.nums[k].start >= s)
        .filter(|&k| {
            let n = &b.nums[k];
            n.is_quantity()
                && !n.percent
                && !n.approx
                && same_unit(n.unit, part.unit)
                && role(b, k) == Role::Whole
        })
        .collect();
    match wholes[..] {
        [w] => b.nums[w].value.map(|v| (v, w)),
        _ => None,
    }
}
