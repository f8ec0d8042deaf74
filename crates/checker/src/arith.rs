//! The arithmetic behind a finding, kept as data: the figures compared, the
//! operation, what the operation gives and what the report states. Every message
//! about arithmetic is written from this, so a reviewer can redo the sum, and a
//! test can recompute it.

use serde::Serialize;

use crate::numbers::Milli;

/// The operation a finding checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// `expected` = sum of `operands` (the parts); `stated` = the total written.
    Sum,
    /// `expected` = `operands[0]` − the other operands; `stated` = the remainder written.
    Difference,
    /// `expected` = `operands[0]` / `operands[1]` × 100 rounded to `decimals`; `stated` = the percentage written.
    Percent,
    /// A part (`stated`) larger than its whole (`expected` = `operands[1]`); `operands` = [part, whole].
    PartOfWhole,
    /// The same indicator given twice: `stated` = `operands[0]` here, `expected` = `operands[1]` elsewhere.
    Same,
    /// A count (`stated`) against the items listed (`expected` = `operands[0]`).
    Count,
}

/// The figures of a finding and what they should give.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arith {
    pub op: Op,
    pub operands: Vec<Milli>,
    pub expected: Milli,
    pub stated: Milli,
    /// Decimals shown in the stated figure (percentages).
    pub decimals: u32,
    pub unit: Option<String>,
}

/// A number written the Vietnamese way with exactly `decimals` decimals (`94,0`).
pub fn fixed(v: Milli, decimals: u32) -> String {
    let d = decimals.min(3);
    let div = 10i128.pow(3 - d);
    let neg = v < 0;
    let mut x = i128::from(v).abs();
    x = (x + div / 2) / div;
    let unit = 10i128.pow(d);
    let int = x / unit;
    let frac = x % unit;
    let mut s = qcdc_core::number::format_vn((int * 1000) as i64, 0);
    if d > 0 {
        s.push(',');
        s.push_str(&format!("{:0width$}", frac, width = d as usize));
    }
    if neg && x != 0 {
        s.insert(0, '-');
    }
    s
}

/// A figure as a reader writes it (`1.234`, `12,5`).
pub fn vn(v: Milli) -> String {
    qcdc_core::number::format_vn(v, 3)
}

/// `num / den × 100` rounded half up to `decimals`, in thousandths; None for a zero whole.
pub fn percent_rounded(num: Milli, den: Milli, decimals: u32) -> Option<Milli> {
    if den == 0 || decimals > 3 {
        return None;
    }
    let scale = 10i128.pow(decimals);
    let n = i128::from(num) * 100 * scale;
    let d = i128::from(den);
    let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
    // round half away from zero
    let q = if n >= 0 {
        (2 * n + d) / (2 * d)
    } else {
        -((2 * -n + d) / (2 * d))
    };
    Some((q * 1000 / scale) as Milli)
}

/// `num / den × 100` cut (not rounded) to `decimals`.
pub fn percent_truncated(num: Milli, den: Milli, decimals: u32) -> Option<Milli> {
    if den <= 0 || decimals > 3 || num < 0 {
        return None;
    }
    let scale = 10i128.pow(decimals);
    let q = i128::from(num) * 100 * scale / i128::from(den);
    Some((q * 1000 / scale) as Milli)
}

/// The exact quotient shown with more decimals, for messages.
pub fn percent_exact(num: Milli, den: Milli, decimals: u32) -> String {
    match percent_rounded(num, den, (decimals + 2).min(3)) {
        Some(v) => fixed(v, (decimals + 2).min(3)),
        None => "—".into(),
    }
}

/// Whether a stated percentage is its fraction rounded (a tie may go either way).
pub fn percent_ok(num: Milli, den: Milli, stated: Milli, decimals: u32) -> bool {
    let Some(r) = percent_rounded(num, den, decimals) else {
        return true;
    };
    if r == stated {
        return true;
    }
    // exactly half way: rounding down is accepted too
    let scale = 10i128.pow(decimals);
    let n = i128::from(num) * 100 * scale * 2;
    let d = i128::from(den);
    d != 0
        && n % d == 0
        && (n / d) % 2 == 1
        && percent_truncated(num, den, decimals) == Some(stated)
}

impl Arith {
    /// Recomputes `expected` from the operands (what a test checks).
    pub fn recompute(&self) -> Option<Milli> {
        match self.op {
            Op::Sum => Some(self.operands.iter().sum()),
            Op::Difference => {
                let (first, rest) = self.operands.split_first()?;
                Some(first - rest.iter().sum::<Milli>())
            }
            Op::Percent => percent_rounded(
                *self.operands.first()?,
                *self.operands.get(1)?,
                self.decimals,
            ),
            Op::PartOfWhole => self.operands.get(1).copied(),
            Op::Same => self.operands.get(1).copied(),
            Op::Count => self.operands.first().copied(),
        }
    }

    fn u(&self) -> String {
        self.unit
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default()
    }

    /// The arithmetic in words: every operand, the result and what is written.
    pub fn describe(&self) -> String {
        let u = self.u();
        match self.op {
            Op::Sum => format!(
                "{} = {}{u}, nhưng báo cáo ghi tổng {}{u}",
                self.operands
                    .iter()
                    .map(|x| vn(*x))
                    .collect::<Vec<_>>()
                    .join(" + "),
                vn(self.expected),
                vn(self.stated)
            ),
            Op::Difference => format!(
                "{} = {}{u}, nhưng báo cáo ghi {}{u}",
                self.operands
                    .iter()
                    .map(|x| vn(*x))
                    .collect::<Vec<_>>()
                    .join(" − "),
                vn(self.expected),
                vn(self.stated)
            ),
            Op::Percent => {
                let (n, d) = (self.operands[0], self.operands[1]);
                let trunc = percent_truncated(n, d, self.decimals) == Some(self.stated);
                format!(
                    "{}/{} = {}% → làm tròn {} chữ số thập phân là {}%, nhưng báo cáo ghi {}%{}",
                    vn(n),
                    vn(d),
                    percent_exact(n, d, self.decimals),
                    self.decimals,
                    fixed(self.expected, self.decimals),
                    fixed(self.stated, self.decimals),
                    if trunc {
                        " — số ghi là kết quả cắt bớt chữ số, không phải làm tròn"
                    } else {
                        ""
                    }
                )
            }
            Op::PartOfWhole => format!(
                "phần ({}{u}) lớn hơn tổng ({}{u})",
                vn(self.stated),
                vn(self.expected)
            ),
            Op::Same => format!(
                "{}{u} ở chỗ này, {}{u} ở chỗ kia",
                vn(self.stated),
                vn(self.expected)
            ),
            Op::Count => format!(
                "ghi {} nhưng liệt kê {} tên",
                vn(self.stated),
                vn(self.expected)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_exact() {
        assert_eq!(percent_rounded(138_000, 157_000, 1), Some(87_900));
        assert_eq!(percent_rounded(834_000, 885_000, 1), Some(94_200));
        assert_eq!(percent_rounded(2_799_000, 2_942_000, 2), Some(95_140));
        assert_eq!(percent_truncated(2_799_000, 2_942_000, 2), Some(95_130));
        assert!(percent_ok(1_000, 8_000, 12_000, 0)); // 12,5 → 12 or 13
        assert!(percent_ok(1_000, 8_000, 13_000, 0));
        assert!(!percent_ok(138_000, 157_000, 87_800, 1));
        assert_eq!(fixed(94_000, 1), "94,0");
        assert_eq!(fixed(1_234_500, 1), "1.234,5");
        assert_eq!(fixed(0, 2), "0,00");
    }
}
