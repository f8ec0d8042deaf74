//! The number of a heading read by hand, with the answers of the heading patterns
//! of [`crate::doc`] (`ROMAN`, `DOTTED`, `NUMBERED`, `LETTERED`: a number, its
//! punctuation, then a title), without running a capturing regex engine on every
//! heading of every report.
//!
//! Each reader tries the ways its pattern can match in the order the pattern
//! prefers them (alternatives left to right, repetitions as long as they go), as a
//! backtracking engine would, and gives the first that matches — which is the match
//! the regex crate reports. A text starts with no white space (headings are read
//! from trimmed lines). Where the pattern's Unicode `\d` decides on a char that is
//! a digit outside ASCII, the reader answers [`Read::Ask`] and the caller runs the
//! pattern. Tests hold every reader to its pattern on generated texts.

/// What a reader found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// The pattern matches; its number is the text's first `n` bytes.
    Number(usize),
    /// The pattern does not match.
    No,
    /// A digit outside ASCII where the pattern's `\d` decides: ask the pattern.
    Ask,
}

/// Up to 24 chars of a text, as the heading patterns are given them.
struct Head {
    c: [char; 24],
    len: usize,
}

impl Head {
    fn new(text: &str) -> Head {
        let mut c = ['\0'; 24];
        let mut len = 0;
        for ch in text.chars().take(24) {
            c[len] = ch;
            len += 1;
        }
        Head { c, len }
    }

    fn at(&self, i: usize) -> Option<char> {
        (i < self.len).then(|| self.c[i])
    }

    /// Whether a char that is not white space comes at `i` or after (`\s*\S`
    /// from `i`, and `\.?\s*\S` when the char at `i` may be a dot).
    fn any_after(&self, i: usize) -> bool {
        self.c[i.min(self.len)..self.len]
            .iter()
            .any(|c| !c.is_whitespace())
    }

    /// The first char at or after `i` that is not white space (`\s*`).
    fn skip_space(&self, mut i: usize) -> usize {
        while i < self.len && self.c[i].is_whitespace() {
            i += 1;
        }
        i
    }

    /// Byte length of the first `n` chars (all ASCII but `đ`).
    fn bytes(&self, n: usize) -> usize {
        self.c[..n].iter().map(|c| c.len_utf8()).sum()
    }
}

/// The pattern's `\d` (a Unicode decimal digit) on `c`, when ASCII or plainly not
/// a digit decide it.
fn digit(c: Option<char>) -> Result<bool, ()> {
    match c {
        None => Ok(false),
        Some(c) if c.is_ascii_digit() => Ok(true),
        Some(c) if c.is_ascii() || !c.is_numeric() => Ok(false),
        Some(_) => Err(()),
    }
}

/// The ends of `\d{1,2}` at `i`, the longer first.
fn digits12(h: &Head, i: usize) -> Result<([usize; 2], usize), ()> {
    if !digit(h.at(i))? {
        return Ok(([0; 2], 0));
    }
    if digit(h.at(i + 1))? {
        Ok(([i + 2, i + 1], 2))
    } else {
        Ok(([i + 1, 0], 1))
    }
}

fn answer(h: &Head, found: Result<Option<usize>, ()>) -> Read {
    match found {
        Ok(Some(n)) => Read::Number(h.bytes(n)),
        Ok(None) => Read::No,
        Err(()) => Read::Ask,
    }
}

/// `^\s*((?:IX|IV|V?I{1,3}|VI{0,3}|X))\s*[\.\-–]\s*\S`
pub fn roman(text: &str) -> Read {
    let h = Head::new(text);
    let is = |i: usize, ch: char| h.at(i) == Some(ch);
    let run_of_i = |from: usize| (from..h.len).take_while(|&k| h.c[k] == 'I').count().min(3);
    let mut tries: Vec<usize> = Vec::with_capacity(12);
    if is(0, 'I') && is(1, 'X') {
        tries.push(2);
    }
    if is(0, 'I') && is(1, 'V') {
        tries.push(2);
    }
    if is(0, 'V') {
        tries.extend((1..=run_of_i(1)).rev().map(|k| 1 + k));
    }
    tries.extend((1..=run_of_i(0)).rev());
    if is(0, 'V') {
        tries.extend((0..=run_of_i(1)).rev().map(|k| 1 + k));
    }
    if is(0, 'X') {
        tries.push(1);
    }
    let fits = |end: usize| {
        let q = h.skip_space(end);
        matches!(h.at(q), Some('.' | '-' | '–')) && h.any_after(q + 1)
    };
    answer(&h, Ok(tries.into_iter().find(|&e| fits(e))))
}

/// `^\s*(\d{1,2}(?:\.\d{1,2})+)\.?\s*\S`
pub fn dotted(text: &str) -> Read {
    let h = Head::new(text);
    // the repetition `(?:\.\d{1,2})+` from `p`, `done` times so far: one more
    // first, then stopping there
    fn more(h: &Head, p: usize, done: usize) -> Result<Option<usize>, ()> {
        if h.at(p) == Some('.') {
            let (ends, n) = digits12(h, p + 1)?;
            for &e in &ends[..n] {
                if let Some(end) = more(h, e, done + 1)? {
                    return Ok(Some(end));
                }
            }
        }
        // `\.?\s*\S` after the number: a dot here is itself the `\S`
        Ok((done >= 1 && h.any_after(p)).then_some(p))
    }
    let found = (|| {
        let (ends, n) = digits12(&h, 0)?;
        for &e in &ends[..n] {
            if let Some(end) = more(&h, e, 0)? {
                return Ok(Some(end));
            }
        }
        Ok(None)
    })();
    answer(&h, found)
}

/// `^\s*(\d{1,2})\.\s*\D`
pub fn numbered(text: &str) -> Read {
    let h = Head::new(text);
    let found = (|| {
        let (ends, n) = digits12(&h, 0)?;
        for &e in &ends[..n] {
            if h.at(e) != Some('.') {
                continue;
            }
            // `\s*\D`: white space is itself a `\D`, so the char right after the
            // dot decides
            if e + 1 < h.len && !digit(h.at(e + 1))? {
                return Ok(Some(e));
            }
        }
        Ok(None)
    })();
    answer(&h, found)
}

/// `^\s*([a-zđ])\)\s*\S`
pub fn lettered(text: &str) -> Read {
    let h = Head::new(text);
    let ok = h.at(0).is_some_and(|c| c.is_ascii_lowercase() || c == 'đ')
        && h.at(1) == Some(')')
        && h.any_after(2);
    answer(&h, Ok(ok.then_some(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The pattern's answer: the number (group 1) or none.
    fn by_pattern(re: &regex::Regex, text: &str) -> Option<String> {
        re.captures(text).map(|c| c[1].to_string())
    }

    fn by_hand(read: fn(&str) -> Read, text: &str) -> Option<Option<String>> {
        match read(text) {
            Read::Number(n) => Some(Some(text[..n].to_string())),
            Read::No => Some(None),
            Read::Ask => None,
        }
    }

    fn same(read: fn(&str) -> Read, re: &regex::Regex, text: &str) -> Result<(), TestCaseError> {
        // the patterns are given at most 24 chars of a trimmed line
        let text = text.trim();
        let head = &text[..text.char_indices().nth(24).map_or(text.len(), |(i, _)| i)];
        if let Some(hand) = by_hand(read, head) {
            prop_assert_eq!(hand, by_pattern(re, head), "{:?}", head);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn roman_reads_as_its_pattern(s in "[IVXL]{1,5}[ \t\u{a0}]{0,2}[-–.:)]?[ \u{2003}]{0,2}[A-Za-zĐđ.0-9 ]{0,6}") {
            same(roman, &crate::doc::ROMAN, &s)?;
        }

        #[test]
        fn dotted_reads_as_its_pattern(s in "[0-9]{1,3}([.][0-9٣]{0,3}){0,4}[. ]{0,3}[A-Za-zđ0-9٣.)]{0,4}") {
            same(dotted, &crate::doc::DOTTED, &s)?;
        }

        #[test]
        fn numbered_reads_as_its_pattern(s in "[0-9]{1,3}[.٣0-9]{0,2}[ \u{a0}]{0,2}[A-Za-zđ0-9٣.²]{0,4}") {
            same(numbered, &crate::doc::NUMBERED, &s)?;
        }

        #[test]
        fn lettered_reads_as_its_pattern(s in "[a-zđA-Z][)]?[ ]{0,2}[A-Za-zđ0-9 ]{0,4}") {
            same(lettered, &crate::doc::LETTERED, &s)?;
        }
    }

    #[test]
    fn headings_as_written() {
        assert_eq!(roman("IV. KẾT QUẢ"), Read::Number(2));
        assert_eq!(roman("V- Phương hướng"), Read::Number(1));
        assert_eq!(roman("VIII – Kiến nghị"), Read::Number(4));
        assert_eq!(roman("XI. Khác"), Read::No);
        assert_eq!(roman("III."), Read::No);
        assert_eq!(dotted("2.3.1. Công khai"), Read::Number(5));
        assert_eq!(dotted("1.2.345 abc"), Read::Number(6));
        // nothing after the number: no title, no heading
        assert_eq!(dotted("12.5"), Read::No);
        assert_eq!(by_pattern(&crate::doc::DOTTED, "12.5"), None);
        assert_eq!(numbered("3. Dân kiểm tra"), Read::Number(1));
        assert_eq!(numbered("12.5 triệu"), Read::No);
        assert_eq!(numbered("3. 5 đơn"), Read::Number(1));
        assert_eq!(numbered("1.٣ x"), Read::Ask);
        assert_eq!(lettered("đ) Về giám sát"), Read::Number(2));
        assert_eq!(lettered("a)"), Read::No);
    }
}
