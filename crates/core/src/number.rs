//! Vietnamese number notation (`1.234,5`): `.` groups thousands, `,` marks decimals.
//!
//! Values are kept as [`Milli`]: an `i64` of thousandths, so sums are exact and the
//! same on SQLite and PostgreSQL (which share no decimal type through sqlx `Any`).

use crate::error::{CoreError, ErrorCode};

/// A quantity in thousandths (1,5 is stored as 1500).
pub type Milli = i64;
/// Number of thousandths in one.
pub const SCALE: i64 = 1000;

/// Largest absolute value accepted from users: a thousand billion.
const MAX_ABS: i128 = 1_000_000_000_000 * SCALE as i128;

/// Parses a number written the Vietnamese way: `1.234`, `1.234,5`, `-12`, `0,75`.
///
/// Refuses ambiguous or malformed forms such as `1.5`, `1.124.5`, `95.13`, `1,2,3`,
/// which in real reports are usually typing slips, and anything with more than
/// three decimals.
pub fn parse_vn(input: &str) -> Result<Milli, CoreError> {
    let s = input.trim().replace('\u{a0}', "");
    let bad = |why: &str| {
        CoreError::new(
            ErrorCode::InvalidNumber,
            format!("Số «{}» không hợp lệ: {why}", input.trim()),
        )
    };
    if s.is_empty() {
        return Err(bad("ô trống"));
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    let (int_part, frac_part) = match body.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if int_part.is_empty() {
        return Err(bad("thiếu phần nguyên"));
    }
    let groups: Vec<&str> = int_part.split('.').collect();
    for (i, g) in groups.iter().enumerate() {
        if g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                "chỉ được dùng chữ số, dấu chấm phân cách hàng nghìn và dấu phẩy thập phân",
            ));
        }
        if groups.len() > 1 && ((i == 0 && g.len() > 3) || (i > 0 && g.len() != 3)) {
            return Err(bad(
                "dấu chấm chỉ dùng để phân cách hàng nghìn (nhóm 3 chữ số); phần thập phân dùng dấu phẩy",
            ));
        }
    }
    let digits: String = groups.concat();
    let mut value: i128 = 0;
    for b in digits.bytes() {
        value = value * 10 + i128::from(b - b'0');
        if value > MAX_ABS {
            return Err(bad("quá lớn"));
        }
    }
    value *= i128::from(SCALE);
    if let Some(f) = frac_part {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("phần thập phân sau dấu phẩy phải là chữ số"));
        }
        if f.len() > 3 {
            return Err(bad("tối đa 3 chữ số thập phân"));
        }
        let mut frac: i128 = 0;
        for b in f.bytes() {
            frac = frac * 10 + i128::from(b - b'0');
        }
        for _ in f.len()..3 {
            frac *= 10;
        }
        value += frac;
    }
    if value > MAX_ABS {
        return Err(bad("quá lớn"));
    }
    let v = value as i64;
    Ok(if neg { -v } else { v })
}

/// Parses a figure typed for an indicator: [`parse_vn`], and for an indicator that
/// counts whole things (`whole`), a refusal of any decimal part that quotes what was
/// typed. `1,234` typed for a count is ambiguous (a thousands separator in the
/// English way, or a slip): it is refused with the two readings, never guessed.
/// The value returned is exactly what the text says; nothing is rounded.
pub fn parse_figure(input: &str, whole: bool) -> Result<Milli, CoreError> {
    let v = parse_vn(input)?;
    if whole && v % SCALE != 0 {
        let typed = input.trim();
        let body = typed.trim_start_matches('-');
        let ambiguous = body
            .split_once(',')
            .is_some_and(|(i, f)| f.len() == 3 && !i.contains('.') && i.len() <= 3);
        let message = if ambiguous {
            let thousands = group_thousands(&body.replace(',', ""));
            format!(
                "Chỉ tiêu này phải là số nguyên — bạn đã nhập «{typed}». Dấu phẩy là dấu thập phân; nếu bạn muốn ghi {thousands}, hãy viết «{thousands}» (dấu chấm phân cách hàng nghìn)"
            )
        } else {
            format!("Chỉ tiêu này phải là số nguyên — bạn đã nhập «{typed}»")
        };
        return Err(CoreError::new(ErrorCode::InvalidNumber, message));
    }
    Ok(v)
}

/// Formats a stored figure exactly as the number it is: every decimal it has (up to
/// the three kept), none added, none rounded away. `parse_vn(format_exact(v)) == v`.
pub fn format_exact(v: Milli) -> String {
    format_vn(v, 3)
}

/// Converts a JSON number to [`Milli`] exactly: a number with more than three
/// decimals is refused, never rounded.
pub fn from_json_number(n: &serde_json::Number) -> Result<Milli, CoreError> {
    if let Some(i) = n.as_i64() {
        let m = i128::from(i) * i128::from(SCALE);
        if m.abs() > MAX_ABS {
            return Err(CoreError::new(
                ErrorCode::InvalidNumber,
                format!("Số {n} quá lớn"),
            ));
        }
        return Ok(m as i64);
    }
    // a float: read its decimal text so 0.1 stays 0.1
    let text = n.to_string();
    if text.contains(['e', 'E']) {
        return Err(CoreError::new(
            ErrorCode::InvalidNumber,
            format!("Số {text} viết dạng lũy thừa; hãy gửi số thập phân thường"),
        ));
    }
    parse_vn(&text.replace('.', ","))
}

/// Converts a JSON/float number to [`Milli`], rounding half away from zero.
pub fn from_f64(x: f64) -> Result<Milli, CoreError> {
    if !x.is_finite() || x.abs() > (MAX_ABS / i128::from(SCALE)) as f64 {
        return Err(CoreError::new(
            ErrorCode::InvalidNumber,
            format!("Số {x} không hợp lệ hoặc quá lớn"),
        ));
    }
    Ok((x * SCALE as f64).round() as i64)
}

/// Converts thousandths back to a float (for ratios and JSON).
pub fn to_f64(v: Milli) -> f64 {
    v as f64 / SCALE as f64
}

/// Formats thousandths the Vietnamese way with at most `max_decimals` decimals,
/// trailing zeros removed: `1234500` → `1.234,5`.
pub fn format_vn(v: Milli, max_decimals: u32) -> String {
    let max_decimals = max_decimals.min(3);
    let div = 10i128.pow(3 - max_decimals);
    let mut scaled = i128::from(v);
    // round half away from zero to the wanted precision
    let neg = scaled < 0;
    scaled = scaled.abs();
    scaled = (scaled + div / 2) / div;
    let unit = 10i128.pow(max_decimals);
    let int = scaled / unit;
    let mut frac = scaled % unit;
    let mut frac_digits = max_decimals;
    while frac_digits > 0 && frac % 10 == 0 {
        frac /= 10;
        frac_digits -= 1;
    }
    let mut out = String::new();
    if neg && (int != 0 || frac != 0) {
        out.push('-');
    }
    out.push_str(&group_thousands(&int.to_string()));
    if frac_digits > 0 {
        out.push(',');
        out.push_str(&format!("{:0width$}", frac, width = frac_digits as usize));
    }
    out
}

/// Formats a float (ratio, percentage) with `decimals` decimals, Vietnamese style.
pub fn format_f64(x: f64, decimals: u32) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    match from_f64(x) {
        Ok(m) => format_vn(m, decimals),
        Err(_) => "—".into(),
    }
}

fn group_thousands(digits: &str) -> String {
    let bytes = digits.as_bytes();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && (bytes.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(*b as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn figures_for_counts_are_whole_and_never_guessed() {
        assert_eq!(parse_figure("1.234", true).unwrap(), 1_234_000);
        assert_eq!(parse_figure("12,5", false).unwrap(), 12_500);
        let e = parse_figure("12,5", true).unwrap_err();
        assert!(e.message.contains("bạn đã nhập «12,5»"), "{}", e.message);
        let e = parse_figure("1,234", true).unwrap_err();
        assert!(e.message.contains("«1.234»"), "{}", e.message);
        assert!(parse_figure("-3", true).is_ok());
        assert_eq!(format_exact(12_500), "12,5");
        assert_eq!(format_exact(1_234_000), "1.234");
        assert_eq!(format_exact(1), "0,001");
    }

    #[test]
    fn json_numbers_are_exact_or_refused() {
        let n = |s: &str| serde_json::from_str::<serde_json::Number>(s).unwrap();
        assert_eq!(from_json_number(&n("12")).unwrap(), 12_000);
        assert_eq!(from_json_number(&n("0.1")).unwrap(), 100);
        assert_eq!(from_json_number(&n("-2.125")).unwrap(), -2_125);
        assert!(from_json_number(&n("1.2345")).is_err());
        assert_eq!(from_json_number(&n("1e3")).unwrap(), 1_000_000);
        assert!(from_json_number(&n("1.5e-4")).is_err());
        assert!(from_json_number(&n("99999999999999999")).is_err());
    }

    #[test]
    fn parses_vietnamese_forms() {
        assert_eq!(parse_vn("1.234,5").unwrap(), 1_234_500);
        assert_eq!(parse_vn("3.731").unwrap(), 3_731_000);
        assert_eq!(parse_vn("13.536,5").unwrap(), 13_536_500);
        assert_eq!(parse_vn("0,75").unwrap(), 750);
        assert_eq!(parse_vn("-12").unwrap(), -12_000);
        assert_eq!(parse_vn("1234,5").unwrap(), 1_234_500);
        assert_eq!(parse_vn(" 09 ").unwrap(), 9_000);
    }

    #[test]
    fn refuses_slips_seen_in_real_reports() {
        for s in [
            "1.124.5",
            "329.50",
            "95.13",
            "44.708/45/964",
            "1,2,3",
            "",
            "1.5",
            "12a",
            ",5",
            "1,",
            "1,2345",
            "--1",
        ] {
            let e = parse_vn(s).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidNumber, "{s}");
            assert!(e.message.contains("không hợp lệ"), "{s}: {}", e.message);
        }
    }

    #[test]
    fn formats_vietnamese() {
        assert_eq!(format_vn(1_234_500, 1), "1.234,5");
        assert_eq!(format_vn(1_234_000, 1), "1.234");
        assert_eq!(format_vn(999, 0), "1");
        assert_eq!(format_vn(-1_234_567_000, 0), "-1.234.567");
        assert_eq!(format_vn(0, 2), "0");
        assert_eq!(format_f64(87.898, 1), "87,9");
    }

    proptest! {
        #[test]
        /// Every accepted figure reads back to itself: parse → display → parse.
        fn accepted_figures_round_trip(s in "-?[0-9]{1,4}(\\.[0-9]{3}){0,3}(,[0-9]{1,3})?", whole in any::<bool>()) {
            if let Ok(v) = parse_figure(&s, whole) {
                let shown = format_exact(v);
                prop_assert_eq!(parse_figure(&shown, whole).unwrap(), v);
                prop_assert_eq!(parse_vn(&shown).unwrap(), v);
            }
        }

        #[test]
        fn any_milli_round_trips(v in -1_000_000_000_000_000i64..=1_000_000_000_000_000i64) {
            prop_assert_eq!(parse_vn(&format_exact(v)).unwrap(), v);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = parse_vn(&s);
        }

        #[test]
        fn format_then_parse_round_trips(v in -1_000_000_000_000_000i64..=1_000_000_000_000_000i64) {
            prop_assert_eq!(parse_vn(&format_vn(v, 3)).unwrap(), v);
        }

        #[test]
        fn digit_strings_parse(s in "[0-9]{1,12}(,[0-9]{1,3})?") {
            prop_assert!(parse_vn(&s).is_ok());
        }
    }
}
