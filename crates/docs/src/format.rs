//! Formatting rules of Vietnamese official documents that are plain text: the number and
//! symbol ("Số: 109/BC-UBND", "Số 42-CV/BCĐ"), the place-and-date line, list punctuation,
//! signer placeholders and the comparison cells. Both renderers use these, so the DOCX and
//! the PDF print the same words.

use chrono::{Datelike, NaiveDate};
use qcdc_core::number::{Milli, format_vn};

use crate::model::{DocKind, DocumentFormat, Figure, Signature};

/// Shown instead of the signer's title when the unit has not set one.
pub const TITLE_PLACEHOLDER: &str = "[Chức vụ người ký]";
/// Shown instead of the signer's name when the unit has not set one.
pub const NAME_PLACEHOLDER: &str = "[Họ và tên người ký]";
/// Heading of an unnumbered draft.
pub const DRAFT_MARK: &str = "DỰ THẢO";

/// Blank left for the number of an unnumbered draft (filled in by hand when issued).
const BLANK_NUMBER: &str = "\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}";

/// Document numbers below 10 get a leading zero (Decree 30/2020, Appendix I: "05").
fn number_digits(n: u32) -> String {
    format!("{n:02}")
}

/// The number and symbol without "Số": `109/BC-UBND` (state), `42-CV/BCĐ` (Party).
/// `None` (a draft) leaves the number blank: `     /BC-UBND`.
pub fn outgoing_number(
    format: DocumentFormat,
    number: Option<u32>,
    kind: DocKind,
    symbol: &str,
) -> String {
    let n = number.map_or_else(|| BLANK_NUMBER.to_string(), number_digits);
    let symbol = symbol.trim();
    match format {
        DocumentFormat::State => format!("{n}/{}-{symbol}", kind.code()),
        DocumentFormat::Party => format!("{n}-{}/{symbol}", kind.code()),
    }
}

/// The number line as printed under the issuer: "Số: 109/BC-UBND" (state, with a colon),
/// "Số 42-CV/BCĐ" (Party, without).
pub fn number_line(
    format: DocumentFormat,
    number: Option<u32>,
    kind: DocKind,
    symbol: &str,
) -> String {
    let num = outgoing_number(format, number, kind, symbol);
    match format {
        DocumentFormat::State => format!("Số: {num}"),
        DocumentFormat::Party => format!("Số {num}"),
    }
}

/// Day of the date line: leading zero for 1–9.
fn day_vi(d: NaiveDate) -> String {
    format!("{:02}", d.day())
}

/// Month of the date line: leading zero only for January and February.
fn month_vi(d: NaiveDate) -> String {
    match d.month() {
        m @ (1 | 2) => format!("{m:02}"),
        m => m.to_string(),
    }
}

/// The italic place-and-date line: "Lâm Viên, ngày 05 tháng 02 năm 2026"
/// (Decree 30/2020: a zero before days 1–9 and months 1 and 2).
pub fn date_line(place: &str, date: NaiveDate) -> String {
    let place = place.trim();
    let rest = format!(
        "ngày {} tháng {} năm {}",
        day_vi(date),
        month_vi(date),
        date.year()
    );
    if place.is_empty() {
        // "ngày" starts the line: capitalise it
        format!("N{}", &rest[1..])
    } else {
        format!("{place}, {rest}")
    }
}

/// Short date for running text: "25/05/2023".
pub fn short_date(date: NaiveDate) -> String {
    qcdc_core::period::format_date(date)
}

/// Punctuates a list the Vietnamese way: "- item;" for each, "- last." for the last one.
/// Items that already end with punctuation keep it.
pub fn dash_list(items: &[String]) -> Vec<String> {
    let items: Vec<&str> = items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    let n = items.len();
    items
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let s = s.trim_start_matches(['-', '–', '+']).trim_start();
            let s = s.trim_end_matches([';', ',']);
            let ends = s.ends_with(['.', ')', ':', '!', '?']);
            let tail = if ends && i + 1 == n {
                ""
            } else if i + 1 == n {
                "."
            } else {
                ";"
            };
            let s = if ends && i + 1 < n {
                s.trim_end_matches('.')
            } else {
                s
            };
            format!("- {s}{tail}")
        })
        .collect()
}

/// The label of a breakdown row: "Trong đó: …" on the first part of a whole (unless the
/// indicator's own name already says so).
pub fn part_label(name: &str, first_part: bool) -> String {
    let says_it = name.trim_start().to_lowercase().starts_with("trong đó");
    if first_part && !says_it {
        format!("Trong đó: {name}")
    } else {
        name.to_string()
    }
}

/// The signature block as printed lines: authority ("TM. BAN CHỈ ĐẠO"), title, name,
/// with visible placeholders for what the unit has not set.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignatureLines {
    /// "KT. TRƯỞNG BAN" (empty when the signer signs in their own name).
    pub authority: String,
    pub title: String,
    pub name: String,
    /// True when the title or the name is a placeholder.
    pub placeholder: bool,
}

/// Builds the printed signature lines.
pub fn signature_lines(s: &Signature) -> SignatureLines {
    let prefix = s.authority_prefix.as_deref().map(str::trim).unwrap_or("");
    let body = s.authority_body.trim();
    let authority = match (prefix.is_empty(), body.is_empty()) {
        (true, true) => String::new(),
        (true, false) => body.to_uppercase(),
        (false, true) => prefix.to_uppercase(),
        (false, false) => {
            let p = if prefix.ends_with('.') {
                prefix.to_string()
            } else {
                format!("{prefix}.")
            };
            format!("{} {}", p.to_uppercase(), body.to_uppercase())
        }
    };
    let title = s.title.trim();
    let name = s.signer_name.as_deref().map(str::trim).unwrap_or("");
    SignatureLines {
        authority,
        title: if title.is_empty() {
            TITLE_PLACEHOLDER.to_string()
        } else {
            title.to_uppercase()
        },
        name: if name.is_empty() {
            NAME_PLACEHOLDER.to_string()
        } else {
            name.to_string()
        },
        placeholder: title.is_empty() || name.is_empty(),
    }
}

/// Change against last year and the % change, as printed in the totals table:
/// `("+12", "+4,5%")`. A percentage indicator changes by points and has no % change;
/// a missing side or a zero base leaves the cell "-".
pub fn change_cells(unit: &str, value: Option<&Figure>, last: Option<&Figure>) -> (String, String) {
    let (Some(v), Some(l)) = (value, last) else {
        return ("-".into(), "-".into());
    };
    let diff = v.milli.saturating_sub(l.milli);
    let change = signed(diff);
    if unit == "%" || l.milli == 0 {
        return (change, "-".into());
    }
    // percentage change in tenths of a percent, rounded half away from zero
    let tenths = div_round(i128::from(diff) * 1000, i128::from(l.milli));
    let pct = i64::try_from(tenths * 100).unwrap_or(i64::MAX);
    (change, format!("{}%", signed(pct)))
}

/// n / d rounded half away from zero (d ≠ 0).
pub(crate) fn div_round(n: i128, d: i128) -> i128 {
    if d == 0 {
        return 0;
    }
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() {
        q + if (n < 0) == (d < 0) { 1 } else { -1 }
    } else {
        q
    }
}

fn signed(v: Milli) -> String {
    let s = format_vn(v, 3);
    if v > 0 { format!("+{s}") } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn date_line_pads_days_and_first_two_months_only() {
        assert_eq!(
            date_line("Lâm Viên", d(2026, 2, 5)),
            "Lâm Viên, ngày 05 tháng 02 năm 2026"
        );
        assert_eq!(
            date_line("Hải Phòng", d(2023, 5, 25)),
            "Hải Phòng, ngày 25 tháng 5 năm 2023"
        );
        assert_eq!(
            date_line("Ba Đình", d(2024, 11, 22)),
            "Ba Đình, ngày 22 tháng 11 năm 2024"
        );
        assert_eq!(
            date_line("X", d(2026, 1, 9)),
            "X, ngày 09 tháng 01 năm 2026"
        );
        assert_eq!(
            date_line("X", d(2026, 3, 10)),
            "X, ngày 10 tháng 3 năm 2026"
        );
        assert_eq!(date_line("X", d(2026, 9, 1)), "X, ngày 01 tháng 9 năm 2026");
        assert_eq!(
            date_line("X", d(2026, 12, 31)),
            "X, ngày 31 tháng 12 năm 2026"
        );
        assert_eq!(date_line("", d(2026, 12, 31)), "Ngày 31 tháng 12 năm 2026");
    }

    #[test]
    fn numbers_by_format() {
        use DocKind::*;
        use DocumentFormat::*;
        assert_eq!(
            number_line(State, Some(109), Report, "UBND"),
            "Số: 109/BC-UBND"
        );
        assert_eq!(number_line(Party, Some(42), Letter, "BCĐ"), "Số 42-CV/BCĐ");
        assert_eq!(number_line(Party, Some(5), Report, "BCĐ"), "Số 05-BC/BCĐ");
        assert_eq!(outgoing_number(State, Some(7), Letter, "BCĐ"), "07/CV-BCĐ");
        let draft = number_line(State, None, Report, "UBND");
        assert!(draft.starts_with("Số: ") && draft.ends_with("/BC-UBND"));
        assert!(!draft.chars().any(|c| c.is_ascii_digit()), "{draft}");
        let draft = number_line(Party, None, Letter, "BCĐ");
        assert!(draft.starts_with("Số ") && draft.ends_with("-CV/BCĐ"));
    }

    #[test]
    fn dash_lists_end_with_a_full_stop() {
        let l = dash_list(&[
            "Như trên".into(),
            "- Thường trực Tỉnh ủy (để b/c);".into(),
            "  ".into(),
            "Lưu: VT, BCĐ".into(),
        ]);
        assert_eq!(
            l,
            [
                "- Như trên;",
                "- Thường trực Tỉnh ủy (để b/c);",
                "- Lưu: VT, BCĐ."
            ]
        );
        assert_eq!(dash_list(&["Lưu: VT.".into()]), ["- Lưu: VT."]);
        assert!(dash_list(&[]).is_empty());
    }

    #[test]
    fn signature_placeholders() {
        let s = signature_lines(&Signature::default());
        assert_eq!(s.title, TITLE_PLACEHOLDER);
        assert_eq!(s.name, NAME_PLACEHOLDER);
        assert!(s.placeholder);
        assert_eq!(s.authority, "");
        let s = signature_lines(&Signature {
            authority_prefix: Some("KT".into()),
            authority_body: "Trưởng ban".into(),
            title: "Phó Trưởng ban".into(),
            signer_name: Some("Nguyễn Văn Thành".into()),
        });
        assert_eq!(s.authority, "KT. TRƯỞNG BAN");
        assert_eq!(s.title, "PHÓ TRƯỞNG BAN");
        assert_eq!(s.name, "Nguyễn Văn Thành");
        assert!(!s.placeholder);
    }

    #[test]
    fn change_cells_round_and_sign() {
        let f = Figure::new;
        assert_eq!(
            change_cells("vụ việc", Some(&f(157_000)), Some(&f(138_000))),
            ("+19".to_string(), "+13,8%".to_string())
        );
        assert_eq!(
            change_cells("vụ việc", Some(&f(100_000)), Some(&f(300_000))),
            ("-200".to_string(), "-66,7%".to_string())
        );
        assert_eq!(
            change_cells("%", Some(&f(94_200)), Some(&f(90_000))),
            ("+4,2".to_string(), "-".to_string())
        );
        assert_eq!(
            change_cells("hồ sơ", Some(&f(5_000)), Some(&f(0))),
            ("+5".to_string(), "-".to_string())
        );
        assert_eq!(
            change_cells("hồ sơ", None, Some(&f(0))),
            ("-".to_string(), "-".to_string())
        );
        assert_eq!(
            change_cells("hồ sơ", Some(&f(7_000)), Some(&f(7_000))),
            ("0".to_string(), "0%".to_string())
        );
    }
}
