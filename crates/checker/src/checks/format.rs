//! How numbers are written: malformed numbers (read by their likely meaning, which
//! the message says), commas that may be English thousands separators, and head
//! counts with decimals. Averages and rates (`4,6 người/hộ`) are not counts.

use super::Ctx;
use crate::numbers::{Kind as NumKind, is_count};
use crate::{Finding, Kind, Severity};

/// Units whose figures count whole things a person can count.
const HEAD_COUNTS: &[&str] = &[
    "người",
    "lượt",
    "lượt người",
    "lượt công dân",
    "đơn",
    "đơn thư",
    "vụ việc",
    "vụ",
    "hồ sơ",
    "cuộc",
    "văn bản",
    "hộ",
    "nhân khẩu",
    "đơn vị",
    "doanh nghiệp",
    "lao động",
    "đồng chí",
    "cán bộ",
    "hội nghị",
    "mô hình",
    "xã",
    "phường",
    "công chức",
    "viên chức",
    "cán bộ",
    "thành viên",
    "hội viên",
    "đoàn viên",
    "đảng viên",
    "học sinh",
    "giáo viên",
    "tập thể",
    "cá nhân",
];

pub fn check(ctx: &Ctx, bi: usize, out: &mut Vec<Finding>) {
    let b = &ctx.blks[bi];
    for n in &b.nums {
        match &n.kind {
            NumKind::Malformed { why, .. } => out.push(ctx.finding(
                bi,
                Kind::NumberFormat,
                Severity::Error,
                (n.start, n.tail),
                format!("Số viết sai: {why}"),
                None,
            )),
            NumKind::Ambiguous { why, .. } => out.push(ctx.finding(
                bi,
                Kind::NumberFormat,
                Severity::Warning,
                (n.start, n.tail),
                format!("Số dễ hiểu nhầm: {why}"),
                None,
            )),
            NumKind::Plain
                if !n.percent
                    && !n.approx
                    && n.unit
                        .is_some_and(|u| is_count(u) && HEAD_COUNTS.contains(&u))
                    && n.value.is_some_and(|v| v % 1000 != 0) =>
            {
                out.push(ctx.finding(
                    bi,
                    Kind::NumberFormat,
                    Severity::Error,
                    (n.start, n.tail),
                    format!(
                        "«{} {}»: số đếm không thể có phần thập phân",
                        n.raw,
                        n.unit.unwrap_or("")
                    ),
                    None,
                ));
            }
            _ => {}
        }
    }
}
