//! Remainders ("còn lại", "chưa giải quyết", "đang giải quyết") against the pair
//! they come from, anchored by the words around the figures: the count done is the
//! nearest figure with a "done" word ("đã giải quyết", "hoàn thành") at the
//! remainder's level (a breakdown of it in parentheses is not the pair), the whole
//! is the nearest figure with a "whole" word ("tiếp nhận", "thuộc thẩm quyền",
//! "tổng số") before it — or, for a footnote, the figures of the sentence citing
//! it. When no confident pair is found, or any reading of the sentence adds up,
//! the check stays quiet.

use super::{Blk, Ctx, Role, role, same_unit};
use crate::arith::{Arith, Op};
use crate::{Finding, Kind, Severity};

/// A figure the remainder may come from: (value, unit, role, where, label).
#[derive(Clone)]
struct Cand {
    value: i64,
    unit: Option<&'static str>,
    role: Role,
    /// (num, den) when it is a fraction.
    frac: Option<(i64, i64)>,
    label: String,
}

fn cand(b: &Blk, k: usize) -> Option<Cand> {
    let n = &b.nums[k];
    if n.percent || n.approx {
        return None;
    }
    let (value, frac) = match n.fraction() {
        Some((a, d, _)) => (d, Some((a, d))),
        None => (n.reading()?.0, None),
    };
    Some(Cand {
        value,
        unit: n.unit,
        role: role(b, k),
        frac,
        label: b.label_before(k).into_owned(),
    })
}

static REMAINDER_HINTS: std::sync::LazyLock<super::Words> =
    std::sync::LazyLock::new(|| super::Words::new(&["còn", "chưa", "đang", "tồn"]));

pub fn check(ctx: &Ctx, bi: usize, out: &mut Vec<Finding>) {
    let b = &ctx.blks[bi];
    // every remainder word holds one of these: most paragraphs have none
    if b.nums.is_empty() || !REMAINDER_HINTS.any_in(&b.lower_text) {
        return;
    }
    for (ri, r) in b.nums.iter().enumerate() {
        if !r.is_quantity() || r.percent || r.approx || role(b, ri) != Role::Remainder {
            continue;
        }
        let rv = r.value.unwrap_or(0);
        let (s, e) = b.sentence(r.start);
        let s = s.max(r.start.saturating_sub(600));
        // inside a breakdown ("trong đó", "trong tổng số", "gồm") the sums check it
        let lead = b.low(s, r.start);
        let done_seen = (0..ri)
            .rev()
            .take_while(|&k| b.nums[k].start >= s)
            .any(|k| role(b, k) == Role::Done);
        if !done_seen
            && ["trong tổng số", "trong số", "gồm", "trong đó"]
                .iter()
                .any(|w| lead.contains(w))
        {
            continue;
        }
        // candidates before the remainder, at its paren level, of its unit
        let mut before: Vec<Cand> = (0..ri)
            .rev()
            .take_while(|&k| b.nums[k].start >= s)
            .filter(|&k| b.same_level(k, ri))
            .filter_map(|k| cand(b, k))
            .filter(|c| {
                r.unit.is_none()
                    || same_unit(c.unit, r.unit)
                    || c.frac.is_some() && c.unit.is_none()
            })
            .collect();
        before.reverse();
        // a footnote: the figures of the sentence citing it come first
        if let Some(Some(nc)) = ctx.notes.get(bi) {
            let cb = &ctx.blks[nc.block];
            let (cs, _) = cb.sentence(nc.marker);
            let k = cb.nums.partition_point(|n| n.start < nc.marker);
            let mut prior: Vec<Cand> = (0..k)
                .rev()
                .take_while(|&j| cb.nums[j].start >= cs.max(nc.marker.saturating_sub(600)))
                .filter_map(|j| cand(cb, j))
                .filter(|c| r.unit.is_none() || same_unit(c.unit, r.unit))
                .collect();
            prior.reverse();
            if let Some(wi) = nc.whole
                && let Some(c) = cand(cb, wi)
                && prior.is_empty()
            {
                prior.push(Cand {
                    role: Role::Whole,
                    ..c
                });
            }
            prior.extend(before);
            before = prior;
        }
        // a remainder in its own sentence or paragraph ("Còn lại 15 đơn đang giải quyết."):
        // the pair comes from the sentences before it, back to the previous heading
        let has_whole = before.iter().any(|c| c.role == Role::Whole);
        if (!has_whole || !before.iter().any(|c| c.role == Role::Done))
            && ctx.notes.get(bi).is_none_or(|n| n.is_none())
        {
            let mut prior: Vec<Cand> = Vec::new();
            // earlier sentences of this block
            let ks: Vec<usize> = (0..ri)
                .rev()
                .skip_while(|&k| b.nums[k].start >= s)
                .take_while(|&k| b.nums[k].start + 800 >= r.start)
                .collect();
            for &k in ks.iter().rev() {
                if let Some(c) = cand(b, k) {
                    prior.push(c);
                }
            }
            // and up to two paragraphs before, if no heading comes between
            let mut pb = bi;
            let mut taken = 0;
            while pb > 0 && taken < 2 && prior.len() < 12 {
                pb -= 1;
                let blk = &ctx.doc.blocks[pb];
                let is_heading = ctx.doc.headings.iter().any(|h| h.line == blk.first_line());
                if blk.part != ctx.doc.blocks[bi].part || blk.footnote.is_some() || is_heading {
                    break;
                }
                let pbk = &ctx.blks[pb];
                let mut these: Vec<Cand> =
                    (0..pbk.nums.len()).filter_map(|k| cand(pbk, k)).collect();
                these.append(&mut prior);
                prior = these;
                taken += 1;
            }
            let unit_ok = |c: &Cand| r.unit.is_none() || same_unit(c.unit, r.unit);
            prior.retain(|c| unit_ok(c));
            prior.extend(before);
            before = prior;
        }
        // the count done: a footnote breaking down a "done" figure means that one,
        // else the nearest "done" figure
        let note_done = ctx.notes.get(bi).copied().flatten().and_then(|nc| {
            let wi = nc.whole?;
            (role(&ctx.blks[nc.block], wi) == Role::Done
                && lead.trim_start().starts_with("trong đó"))
            .then(|| cand(&ctx.blks[nc.block], wi))
            .flatten()
        });
        let Some(di) = (match &note_done {
            Some(nd) => before
                .iter()
                .position(|c| c.role == Role::Done && c.value == nd.value),
            None => None,
        })
        .or_else(|| before.iter().rposition(|c| c.role == Role::Done)) else {
            continue;
        };
        let done = before[di].clone();
        let unit = r.unit.or(done.unit);
        // figures after the remainder in the sentence ("216 hồ sơ (250 hồ sơ …)")
        let after: i64 = b.nums[ri + 1..]
            .iter()
            .take_while(|n| n.start < e && n.start < r.start + 300)
            .filter(|n| n.is_quantity() && !n.percent && same_unit(n.unit, unit))
            .filter_map(|n| n.value)
            .sum();
        let fits = |w: i64, d: i64| w - d == rv || w - d == rv + after;
        // every reading that adds up keeps the check quiet
        let wholes: Vec<&Cand> = before[..di]
            .iter()
            .filter(|c| c.value >= done.value && same_unit(c.unit, unit) || c.frac.is_some())
            .collect();
        let mut quiet = wholes.iter().any(|w| fits(w.value, done.value));
        // any "done" figure with any larger figure before it
        for (j, d) in before
            .iter()
            .enumerate()
            .filter(|(_, c)| c.role == Role::Done)
        {
            quiet |= before[..j]
                .iter()
                .any(|w| w.value >= d.value && fits(w.value, d.value));
        }
        if let Some((a, d)) = done.frac {
            quiet |= fits(d, a);
        }
        // sequential: whole minus every figure between it and the remainder
        if let Some(w) = before[..di].iter().rposition(|c| c.role == Role::Whole) {
            let taken: i64 = before[w + 1..].iter().map(|c| c.value).sum();
            quiet |= before[w].value - taken == rv;
        }
        if quiet {
            continue;
        }
        // the pair to report: a "whole" figure, else the only figure before the done one
        let whole = before[..di]
            .iter()
            .rev()
            .find(|c| c.role == Role::Whole && c.value >= done.value && same_unit(c.unit, unit))
            .or_else(|| match &before[..di] {
                [only]
                    if same_unit(only.unit, unit)
                        && only.frac.is_none()
                        && only.value >= done.value =>
                {
                    Some(only)
                }
                _ => None,
            });
        let (w, d) = match (whole, done.frac) {
            (Some(w), _) => (w.value, done.value),
            (None, Some((a, d))) if done.label.contains("giải quyết") && a <= d => (d, a),
            _ => continue,
        };
        if w < d {
            continue;
        }
        let arith = Arith {
            op: Op::Difference,
            operands: vec![w, d],
            expected: w - d,
            stated: rv,
            decimals: 0,
            unit: unit.map(str::to_string),
        };
        out.push(ctx.finding(
            bi,
            Kind::SumMismatch,
            Severity::Error,
            (r.start, r.tail),
            format!("Số còn lại sai: {}", arith.describe()),
            Some(arith),
        ));
    }
}
