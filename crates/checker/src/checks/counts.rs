//! A count and the list that follows it: "09 đơn vị: A, B, C", "05 đồng chí: ông
//! …, bà …", "08 xã, phường (…)". Items are split at commas, semicolons and "và" —
//! but not at a "và" inside a name ("Công ty TNHH Xây dựng và Thương mại …").

use super::Ctx;
use crate::arith::{Arith, Op};
use crate::{Finding, Kind, Severity};

/// Nouns whose count can be checked against a list of names.
const LISTED: &[&str] = &[
    "đơn vị",
    "xã",
    "phường",
    "chi bộ",
    "đảng bộ",
    "doanh nghiệp",
    "dn",
    "cơ quan",
    "trường",
    "khu phố",
    "thôn",
    "tổ dân phố",
    "tccs đảng",
    "tcc đảng",
    "hội",
    "tổ",
    "tổ chức",
    "đồng chí",
    "cán bộ",
    "thành viên",
    "người",
    "tập thể",
    "cá nhân",
    "hợp tác xã",
    "công trình",
];

/// Words that start the name of a body: a "và" before one of these separates two names.
const HEADS: &[&str] = &[
    "trường",
    "công ty",
    "xã",
    "phường",
    "thị trấn",
    "hội",
    "chi bộ",
    "đảng bộ",
    "đảng ủy",
    "ban",
    "trung tâm",
    "hợp tác xã",
    "htx",
    "ubnd",
    "ủy ban",
    "phòng",
    "sở",
    "bệnh viện",
    "trạm",
    "thôn",
    "khu phố",
    "tổ",
    "đoàn",
    "liên đoàn",
    "chi nhánh",
    "ngân hàng",
    "kho bạc",
    "viện",
    "tòa án",
    "công an",
    "ban quản lý",
    "cơ quan",
    "văn phòng",
    "mặt trận",
    "thành đoàn",
    "huyện đoàn",
    "ông",
    "bà",
    "đồng chí",
    "đ/c",
    "anh",
    "chị",
];

fn has_head(item: &str) -> bool {
    let l = item.trim().to_lowercase();
    HEADS.iter().any(|h| {
        l.starts_with(h)
            && l[h.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Splits a list into items.
pub fn items(list: &str) -> Vec<String> {
    let pieces: Vec<&str> = list
        .split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let any_head = pieces.iter().any(|p| has_head(p));
    let mut out = Vec::new();
    for p in pieces {
        let mut rest = p;
        loop {
            match rest.find(" và ") {
                Some(k) => {
                    let after = &rest[k + " và ".len()..];
                    // inside a name ("Xây dựng và Thương mại") the "và" stays
                    if any_head && !has_head(after) {
                        out.push(rest.to_string());
                        break;
                    }
                    out.push(rest[..k].trim().to_string());
                    rest = after;
                }
                None => {
                    out.push(rest.trim().to_string());
                    break;
                }
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

pub fn check(ctx: &Ctx, bi: usize, out: &mut Vec<Finding>) {
    let b = &ctx.blks[bi];
    let chars = &b.chars;
    for n in &b.nums {
        let (Some(v), Some(u)) = (n.value, n.unit) else {
            continue;
        };
        if !n.is_quantity()
            || n.approx
            || !LISTED.contains(&u)
            || v % 1000 != 0
            || !(2_000..=60_000).contains(&v)
        {
            continue;
        }
        let count = (v / 1000) as usize;
        // a short qualifier, then ":" / "(" / "gồm" / "là", then the list
        let mut i = n.tail;
        while i < chars.len() && i < n.tail + 40 && !matches!(chars[i], ':' | '(' | ';' | '.') {
            if chars[i].is_ascii_digit() || chars[i] == ',' && i > n.tail + 20 {
                break;
            }
            i += 1;
        }
        let q = b.low(n.tail, i);
        // "33 xã, phường có: A, B" names some of them, not all
        let pre = b.low(n.start.saturating_sub(8), n.start);
        if [
            " có",
            "tiêu biểu",
            " như",
            "trong đó",
            "nổi bật",
            "điển hình",
        ]
        .iter()
        .any(|w| q.contains(w))
            || pre.trim_end().ends_with("khối")
        {
            continue;
        }
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
        let mut depth = 0;
        while j < chars.len() && j < list_start + 1500 {
            let c = chars[j];
            if c == '(' {
                depth += 1;
            } else if c == ')' && depth > 0 {
                depth -= 1;
            } else if depth == 0 && (c == closer || closer == '.' && c == ';') {
                break;
            }
            j += 1;
        }
        let list: String = chars[list_start..j.min(chars.len())].iter().collect();
        // a list of names: no figures in it (numbers inside names are fine)
        if list.trim().is_empty()
            || b.nums[b.nums.partition_point(|m| m.start < list_start)..]
                .iter()
                .take_while(|m| m.start < j)
                .any(|m| m.is_figure() && m.unit.is_some() || m.percent || m.fraction().is_some())
        {
            continue;
        }
        let found = items(&list);
        let person = matches!(
            u,
            "đồng chí" | "cán bộ" | "thành viên" | "người" | "cá nhân"
        );
        if person {
            // people: each item a name ("ông …", "bà …", "đồng chí …" or a capitalised name)
            let names = found.iter().all(|it| {
                let w: Vec<&str> = it.split_whitespace().collect();
                has_head(it)
                    || (2..=5).contains(&w.len())
                        && w.iter()
                            .all(|x| x.chars().next().is_some_and(char::is_uppercase))
            });
            if !names {
                continue;
            }
        }
        if found.len() >= 2 && found.len() != count {
            let arith = Arith {
                op: Op::Count,
                operands: vec![found.len() as i64 * 1000],
                expected: found.len() as i64 * 1000,
                stated: v,
                decimals: 0,
                unit: Some(u.to_string()),
            };
            out.push(ctx.finding(
                bi,
                Kind::CountMismatch,
                Severity::Error,
                (n.start, j),
                format!(
                    "Ghi {} {u} nhưng liệt kê {} tên: {}",
                    n.raw,
                    found.len(),
                    found.join("; ")
                ),
                Some(arith),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::items;

    #[test]
    fn names_keep_their_and() {
        assert_eq!(
            items("Công ty TNHH Xây dựng và Thương mại Hoàng Long, Công ty cổ phần Sông Đà và Trường THCS Lê Lợi").len(),
            3
        );
        assert_eq!(items("Đạ Long, Đạ M'Rông, Rô Men và Phi Liêng").len(), 4);
        assert_eq!(
            items("ông Nguyễn Văn An, bà Trần Thị Bình và ông Lê Văn Cường").len(),
            3
        );
    }
}
