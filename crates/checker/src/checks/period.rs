//! Results reported for the wrong period: an annual report for 2024 whose results
//! section reports figures "năm 2023" (a sentence copied from last year's report),
//! or a report for the first six months citing figures "đến 31/12". Comparisons
//! and look-backs ("so với năm 2023", "giai đoạn 2019–2023", "kết quả xếp loại năm
//! 2023") are not results of another period.

use std::sync::LazyLock;

use super::{Ctx, Words};

static NOT_RESULT_WORDS: LazyLock<Words> = LazyLock::new(|| Words::new(NOT_RESULTS));
use crate::doc::Part;
use crate::{Finding, Kind, Severity};

/// Words that make a past year a comparison or a look-back, not the period reported.
const NOT_RESULTS: &[&str] = &[
    "so với",
    "cùng kỳ",
    "tăng",
    "giảm",
    "năm trước",
    "từ năm",
    "giai đoạn",
    "đến năm",
    "kế hoạch",
    "xếp loại",
    "phân loại",
    "đánh giá",
    "năm học",
    "nhiệm kỳ",
    "chuyển sang",
    "chuyển tiếp",
    "tồn",
    "cũ",
    "công nhận",
    "tổng kết",
    "sơ kết",
    "dự toán",
    "chỉ tiêu",
    "kỳ trước",
];

/// (year, last day-month of the period) read from the header's period.
fn period(ctx: &Ctx) -> Option<(i32, (u32, u32), &'static str)> {
    let p = ctx.doc.header.period.as_deref()?.to_lowercase();
    let year: i32 = p
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|x| x.parse().ok())
        .find(|y| (1990..=2200).contains(y))?;
    let end = if p.contains("6 tháng đầu") {
        ((30, 6), "6 tháng đầu năm")
    } else if p.contains("9 tháng") {
        ((30, 9), "9 tháng")
    } else if p.contains("quý i") && !p.contains("quý ii") && !p.contains("quý iv")
        || p.contains("quý 1")
    {
        ((31, 3), "quý I")
    } else if p.contains("quý ii") && !p.contains("quý iii") || p.contains("quý 2") {
        ((30, 6), "quý II")
    } else if p.contains("quý iii") || p.contains("quý 3") {
        ((30, 9), "quý III")
    } else {
        ((31, 12), "năm")
    };
    Some((year, end.0, end.1))
}

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some((year, (end_d, end_m), label)) = period(ctx) else {
        return;
    };
    let doc = ctx.doc;
    // the results section: a level-1 heading saying "KẾT QUẢ"
    let mut ranges = Vec::new();
    let tops: Vec<&crate::doc::Heading> = doc.headings.iter().filter(|h| h.level == 1).collect();
    for (i, h) in tops.iter().enumerate() {
        let t = h.title.to_lowercase();
        if t.contains("kết quả") && !t.contains("phương hướng") && !t.contains("nhiệm vụ")
        {
            ranges.push((h.line, tops.get(i + 1).map_or(usize::MAX, |n| n.line)));
        }
    }
    if ranges.is_empty() {
        return;
    }
    for (bi, b) in doc.blocks.iter().enumerate() {
        if b.part != Part::Body
            || !ranges
                .iter()
                .any(|(a, z)| b.first_line() > *a && b.first_line() < *z)
        {
            continue;
        }
        let blk = &ctx.blks[bi];
        if !blk
            .nums
            .iter()
            .any(|n| n.is_quantity() || n.fraction().is_some())
        {
            continue;
        }
        let chars = &blk.chars;
        // "năm 2023" as the time frame of a sentence with figures
        for at in super::sums::word_positions(&blk.lower, "năm") {
            if label != "năm" {
                break;
            }
            let y: String = blk.lower[(at + 4).min(blk.lower.len())..]
                .iter()
                .take(5)
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let Ok(y) = y.parse::<i32>() else { continue };
            if y >= year || y < year - 3 || blk.lower.get(at + 3) != Some(&' ') {
                continue;
            }
            let (s, e) = blk.sentence(at);
            let (s, e) = (s.max(at.saturating_sub(300)), e.min(at + 300));
            let sentence = blk.low(s, e);
            let lead = blk.low(s, at);
            let frame = lead.trim().is_empty()
                || ["trong", "kết quả", "tính đến hết", "đến hết", "cả"]
                    .iter()
                    .any(|w| lead.trim_end().ends_with(w));
            let k = blk.nums.partition_point(|n| n.start <= at);
            let has_figure = blk.nums[k..]
                .iter()
                .take_while(|n| n.start < e)
                .any(|n| n.is_quantity() || n.fraction().is_some());
            if !frame || !has_figure || NOT_RESULT_WORDS.any_in(&sentence) {
                continue;
            }
            out.push(ctx.finding(
                bi,
                Kind::PeriodMismatch,
                Severity::Error,
                (at, (at + 8).min(chars.len())),
                format!(
                    "Báo cáo năm {year} nhưng phần kết quả nêu số liệu «năm {y}» — có lẽ chép từ báo cáo kỳ trước"
                ),
                None,
            ));
        }
        // a cut-off after the period's end: "đến 31/12" in a six-month report
        for n in &blk.nums {
            if n.kind != crate::numbers::Kind::Date || label == "năm" {
                continue;
            }
            let lead = blk.low(n.start.saturating_sub(16), n.start);
            if !(lead.ends_with("đến ")
                || lead.ends_with("đến ngày ")
                || lead.ends_with("đến hết ngày ")
                || lead.ends_with("hết ngày "))
            {
                continue;
            }
            let parts: Vec<u32> = n.raw.split('/').filter_map(|x| x.parse().ok()).collect();
            let (d, m) = match parts[..] {
                [d, m] | [d, m, _] => (d, m),
                _ => continue,
            };
            let y = parts.get(2).copied().map_or(year, |y| y as i32);
            // a plan is not a result; a result has figures
            let (ss, se) = blk.sentence(n.start);
            let (ss, se) = (ss.max(n.start.saturating_sub(300)), se.min(n.end + 300));
            let sentence = blk.low(ss, se);
            let figures = blk.nums[blk.nums.partition_point(|m| m.start < ss)..]
                .iter()
                .take_while(|m| m.start < se)
                .any(|m| m.start != n.start && (m.is_quantity() || m.fraction().is_some()));
            if !figures
                || ["sẽ", "dự kiến", "phấn đấu", "kế hoạch"]
                    .iter()
                    .any(|w| sentence.contains(w))
            {
                continue;
            }
            if y == year && (m > end_m || m == end_m && d > end_d) {
                out.push(ctx.finding(
                    bi,
                    Kind::PeriodMismatch,
                    Severity::Error,
                    (n.start, n.end),
                    format!(
                        "Báo cáo {label} {year} nhưng nêu số liệu tính đến {}, sau khi kỳ báo cáo kết thúc ({end_d:02}/{end_m:02}/{year})",
                        n.raw
                    ),
                    None,
                ));
            }
        }
    }
}
