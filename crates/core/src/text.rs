//! Vietnamese text: NFC normalisation, diacritic folding for search, collation for sorting.

use std::cmp::Ordering;
use std::sync::OnceLock;

use icu_collator::{CollatorBorrowed, options::CollatorOptions};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Returns the text in Unicode NFC (one seed arrives decomposed).
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Folds text for diacritic-insensitive search: strips tone and vowel marks,
/// maps đ→d, lowercases. `"Đam Rông"` → `"dam rong"`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// True when every word of `query` occurs in `text`, ignoring case and diacritics.
pub fn matches(text_folded: &str, query: &str) -> bool {
    let q = fold(query);
    q.split_whitespace().all(|w| text_folded.contains(w))
}

// The collation data is compiled into the binary: building the collator can only
// fail if the binary itself is broken, so a panic at first use is the honest answer.
#[allow(clippy::expect_used)]
fn collator() -> &'static CollatorBorrowed<'static> {
    static C: OnceLock<CollatorBorrowed<'static>> = OnceLock::new();
    C.get_or_init(|| {
        let locale: icu_locale_core::Locale = "vi".parse().expect("static locale parses");
        CollatorBorrowed::try_new(locale.into(), CollatorOptions::default())
            .expect("compiled collation data for vi")
    })
}

/// Compares two strings in Vietnamese dictionary order (Đ after D, tones ordered).
pub fn compare_vi(a: &str, b: &str) -> Ordering {
    collator().compare(a, b)
}

/// A binary sort key: comparing keys byte by byte gives Vietnamese order, so
/// databases can `ORDER BY` it (stored in a BLOB/bytea column).
pub fn sort_key(s: &str) -> Vec<u8> {
    let mut key = Vec::new();
    // writing into a Vec cannot fail
    let _ = collator().write_sort_key_to(s, &mut key);
    key
}

/// Sorts items by a text key in Vietnamese order.
pub fn sort_vi<T>(items: &mut [T], key: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| compare_vi(key(a), key(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_diacritics_and_d_bar() {
        assert_eq!(fold("Đam Rông"), "dam rong");
        assert_eq!(fold("Phường Ngọc Hà"), "phuong ngoc ha");
        let decomposed = "Hà Nội".nfd().collect::<String>();
        assert_eq!(fold(&decomposed), "ha noi");
        assert!(matches(&fold("Xã Đam Rông 1"), "dam rong"));
        assert!(matches(&fold("Xã Đam Rông 1"), "Đam"));
        assert!(!matches(&fold("Xã Đa Lộc"), "dam"));
    }

    #[test]
    fn vietnamese_order_puts_d_bar_after_d() {
        let mut v = vec![
            "Đông Hà",
            "Dương Nội",
            "Ba Đình",
            "Ân Thi",
            "Anh Sơn",
            "Ăn Lâu",
            "Zô",
        ];
        sort_vi(&mut v, |s| s);
        assert_eq!(
            v,
            [
                "Anh Sơn",
                "Ăn Lâu",
                "Ân Thi",
                "Ba Đình",
                "Dương Nội",
                "Đông Hà",
                "Zô"
            ]
        );
    }

    #[test]
    fn sort_keys_order_like_the_collator() {
        let names = [
            "Đông Hà",
            "Dương Nội",
            "Ba Đình",
            "Ân Thi",
            "Anh Sơn",
            "Ăn Lâu",
            "Zô",
            "Xã Đam Rông 1",
            "Xã Đam Rông 10",
            "Xã Đa Lộc",
        ];
        for a in names {
            for b in names {
                assert_eq!(
                    sort_key(a).cmp(&sort_key(b)),
                    compare_vi(a, b),
                    "{a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn nfc_composes() {
        let decomposed: String = "Quảng Trị".nfd().collect();
        assert_ne!(decomposed, "Quảng Trị");
        assert_eq!(nfc(&decomposed), "Quảng Trị");
    }
}

/// The longest one-line name a person types (a title, a full name, a subject).
pub const MAX_LINE_CHARS: usize = 500;

/// Refuses a one-line value (a name, a title) with a control character (NUL,
/// newline, tab…) or longer than `max` characters; `label` names the field.
pub fn check_line(label: &str, value: &str, max: usize) -> Result<(), crate::CoreError> {
    if value.chars().any(char::is_control) {
        return Err(crate::CoreError::invalid(format!(
            "{label} không được chứa ký tự điều khiển (xuống dòng, tab, NUL…)"
        )));
    }
    let n = value.chars().count();
    if n > max {
        return Err(crate::CoreError::invalid(format!(
            "{label} dài {n} ký tự, quá giới hạn {max} ký tự"
        )));
    }
    Ok(())
}

/// Refuses a narrative text (newlines and tabs allowed) with another control
/// character or longer than `max` characters.
pub fn check_text(label: &str, value: &str, max: usize) -> Result<(), crate::CoreError> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(crate::CoreError::invalid(format!(
            "{label} có ký tự điều khiển không in được (NUL…)"
        )));
    }
    let n = value.chars().count();
    if n > max {
        return Err(crate::CoreError::invalid(format!(
            "{label} dài {n} ký tự, quá giới hạn {max} ký tự"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod hygiene_tests {
    use super::*;

    #[test]
    fn names_with_controls_or_too_long_are_refused() {
        assert!(check_line("Họ tên", "Nguyễn Văn A", 200).is_ok());
        assert!(check_line("Họ tên", "Nguyễn\0Văn A", 200).is_err());
        assert!(check_line("Họ tên", "Nguyễn\nVăn A", 200).is_err());
        assert!(check_line("Họ tên", &"a".repeat(201), 200).is_err());
        assert!(check_text("Nội dung", "Dòng 1\n\tDòng 2", 100).is_ok());
        assert!(check_text("Nội dung", "x\u{0}y", 100).is_err());
    }
}
