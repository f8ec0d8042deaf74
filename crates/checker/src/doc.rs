//! The document model: lines joined into paragraphs (blocks), footnotes attached
//! to the paragraphs that cite them, the header, the outline headings, the
//! appendix, the recipients block and the signature.

use std::sync::LazyLock;

use crate::heading_number::{self, Read};

use chrono::NaiveDate;
use regex::Regex;
use serde::Serialize;

use crate::read::Line;

/// Where a block sits in the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Header,
    Body,
    Footnote,
    Appendix,
    Recipients,
}

/// A paragraph made of one or more source lines.
#[derive(Debug, Clone)]
pub struct Block {
    pub text: String,
    /// (char offset in `text`, source line number) for each joined line.
    pub lines: Vec<(usize, usize)>,
    pub part: Part,
    /// For a footnote: its marker (`2`, or `?` for `�`).
    pub footnote: Option<String>,
    /// Footnote markers cited in this block: (marker, char offset).
    pub refs: Vec<(String, usize)>,
}

impl Block {
    /// The source line of a char offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let k = self.lines.partition_point(|(o, _)| *o <= offset);
        self.lines
            .get(k.saturating_sub(1))
            .or(self.lines.first())
            .map_or(0, |(_, l)| *l)
    }

    pub fn first_line(&self) -> usize {
        self.lines.first().map_or(0, |x| x.1)
    }

    /// The text around a char range, for a finding's excerpt.
    pub fn excerpt(&self, start: usize, end: usize) -> String {
        let chars: Vec<char> = self.text.chars().take(end + 61).collect();
        crate::checks::excerpt(&chars, start, end)
    }
}

/// An outline heading (`I.`, `1.`, `4.1.`, `a)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heading {
    pub line: usize,
    pub level: u8,
    pub number: String,
    pub title: String,
}

/// The document header.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Header {
    pub issuer: Option<String>,
    /// `Số: 109/BC-UBND`, `Số 05 -BC/BCD`.
    pub number: Option<String>,
    pub place: Option<String>,
    pub date: Option<NaiveDate>,
    pub title: Option<String>,
    /// The period covered, as written (`6 tháng đầu năm 2022`).
    pub period: Option<String>,
}

/// Where the report's date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// The date line of the text (`Hà Nội, ngày 05 tháng 02 năm 2026`, `Ngày 05/02/2026`).
    Text,
    /// The .docx core properties (last modified).
    DocxProperties,
    /// Given by the user (`qcdc check --date`).
    Given,
}

/// A read document.
#[derive(Debug, Clone)]
pub struct Document {
    pub lines: Vec<Line>,
    pub blocks: Vec<Block>,
    pub header: Header,
    pub headings: Vec<Heading>,
    pub appendix_line: Option<usize>,
    pub recipients_line: Option<usize>,
    pub signature_line: Option<usize>,
    /// The encoding the file was read in (`UTF-8`, `Windows-1258`, `TCVN3`, …).
    pub encoding: &'static str,
    /// Where `header.date` came from, if it was found.
    pub date_source: Option<DateSource>,
    /// How a date written wrongly was read (`năm «202» đọc là 2025`).
    pub date_note: Option<String>,
    /// The block and char offset citing each footnote block.
    cites: Vec<Option<(usize, usize)>>,
}

static FOOTNOTE_DEF: LazyLock<Regex> = LazyLock::new(|| {
    crate::literal_regex(r"^\s*(?:⁽([0-9⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾|([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(\x{FFFD}))\s*")
});
static FOOTNOTE_REF: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(r"⁽([0-9⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾|([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(\x{FFFD})"));
/// Heading patterns: the number, then (after its punctuation) a title. Only the
/// number is captured; the title is read from the line. A title `(\S.*)$` is
/// written `\S` (anything may follow it on a line without `\n`), which finds the
/// same number and keeps the patterns small; the full forms serve a text with `\n`.
const ROMAN_P: &str = r"^\s*((?:IX|IV|V?I{1,3}|VI{0,3}|X))\s*[\.\-–]\s*";
const DOTTED_P: &str = r"^\s*(\d{1,2}(?:\.\d{1,2})+)\.?\s*";
const NUMBERED_P: &str = r"^\s*(\d{1,2})\.\s*";
const LETTERED_P: &str = r"^\s*([a-zđ])\)\s*";
pub(crate) static ROMAN: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!(r"{ROMAN_P}\S")));
pub(crate) static DOTTED: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!(r"{DOTTED_P}\S")));
pub(crate) static NUMBERED: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!(r"{NUMBERED_P}\D")));
pub(crate) static LETTERED: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!(r"{LETTERED_P}\S")));
static ROMAN_FULL: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!(r"{ROMAN_P}(\S.*)$")));
static DOTTED_FULL: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!(r"{DOTTED_P}(\S.*)$")));
static NUMBERED_FULL: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!(r"{NUMBERED_P}(\D.*)$")));
static LETTERED_FULL: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!(r"{LETTERED_P}(\S.*)$")));
const PLACE_DATE_BODY: &str =
    r"([\p{L}][\p{L} .'’-]{1,40}),\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})";
/// The place-and-date pattern as written (the checker reads it with
/// [`place_date_groups`]; the tests hold the two to the same answers).
#[cfg(test)]
static PLACE_DATE: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!(r"{PLACE_DATE_BODY}\b")));
/// The same, ending where the text given ends (see [`matches_before_boundary`]).
static PLACE_DATE_END: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!(r"(?:{PLACE_DATE_BODY})$")));
/// "Ngày 05/02/2026", "…, ngày 5/2/202", "Ngày 05 tháng 02 năm 20226" (year as typed).
const LOOSE_DATE_BODY: &str = r"^\s*(?:([\p{L}][\p{L} .'’-]{1,40}),\s*)?[Nn]gày\s+(\d{1,2})\s*(?:[/.\-]|\s+tháng\s+)\s*(\d{1,2})\s*(?:[/.\-]|\s+năm\s+)\s*(\d{1,5})";
static LOOSE_DATE: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!(r"{LOOSE_DATE_BODY}\b")));
static LOOSE_DATE_END: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!(r"(?:{LOOSE_DATE_BODY})$")));
static WORD_CHAR: LazyLock<Regex> = LazyLock::new(|| crate::literal_regex(r"^\w$"));

/// Whether `body\b` matches in `t`, for a `body` ending in a digit (`\d`), given
/// `body_end` = `(?:body)$`: some match ends at a digit not followed by a word
/// char. Tested at each such place with the end-anchored pattern, which the fast
/// (DFA) engines run; a Unicode `\b` keeps them out on Vietnamese text.
fn matches_before_boundary(body_end: &Regex, t: &str) -> bool {
    first_boundary_end(body_end, t).is_some()
}

/// The first byte offset `end` at which `body_end` matches `t[..end]` and a word
/// boundary follows (see [`matches_before_boundary`]).
fn first_boundary_end(body_end: &Regex, t: &str) -> Option<usize> {
    let mut buf = [0u8; 4];
    let mut chars = t.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if !c.is_numeric() {
            continue;
        }
        let (end, next) = match chars.peek() {
            Some(&(i, n)) => (i, Some(n)),
            None => (t.len(), None),
        };
        if next.is_some_and(|n| WORD_CHAR.is_match(n.encode_utf8(&mut buf))) {
            continue;
        }
        if body_end.is_match(&t[..end]) {
            return Some(end);
        }
    }
    None
}

/// The date after the place in a place-and-date line, anchored at its end: the comma
/// ending the place, then the day, month and year.
static PLACE_DATE_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    crate::literal_regex(r",\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})$")
});
/// The place before that comma (at most 41 chars are looked at, as in
/// [`PLACE_DATE_BODY`]).
static PLACE_TAIL: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(r"[\p{L}][\p{L} .'’-]+$"));

/// The groups (place, day, month, year) of [`PLACE_DATE`]'s leftmost match in `t`,
/// read without running its large capturing automaton over the line.
///
/// A match of `BODY\b` ends at the first end [`first_boundary_end`] finds: the
/// place of a later match cannot reach back over the digits of an earlier one, so
/// the leftmost match is the one ending first. Its tail after the place's comma has
/// one reading (no comma in it), and the place is the longest run of 2 to 41 chars
/// before that comma that starts with a letter, which the leftmost match takes.
fn place_date_groups(t: &str) -> Option<(String, String, String, String)> {
    let end = first_boundary_end(&PLACE_DATE_END, t)?;
    let c = PLACE_DATE_TAIL.captures(&t[..end])?;
    let comma = c.get(0)?.start();
    let window = t[..comma]
        .char_indices()
        .rev()
        .take(41)
        .last()
        .map_or(comma, |(i, _)| i);
    let place = PLACE_TAIL.find(&t[window..comma])?;
    Some((
        place.as_str().to_string(),
        c[1].to_string(),
        c[2].to_string(),
        c[3].to_string(),
    ))
}
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    crate::literal_regex(r"(?i)^\s*Số\s*:?\s*([0-9]+\s*[-/]\s*[\p{L}0-9/\- ]+?)\s*$")
});
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    crate::literal_regex(
        r"(?i)0?(6 tháng đầu năm|6 tháng cuối năm|9 tháng (?:đầu )?năm|quý [IV1-4]+ năm)(?:\s+(\d{4}))?",
    )
});
static YEAR: LazyLock<Regex> = LazyLock::new(|| crate::literal_regex(r"(?:năm\s+)?(\d{4})"));

/// The years [`YEAR`] finds in a text, as its group 1: the last four chars of each
/// match (found without capture groups, which cost more to fill).
fn years(text: &str) -> impl Iterator<Item = &str> {
    YEAR.find_iter(text).map(|m| {
        let m = m.as_str();
        &m[m.char_indices().rev().nth(3).map_or(0, |(i, _)| i)..]
    })
}

/// The period a title covers: "6 tháng đầu năm 2022" even when the year comes later.
fn period_of(title: &str, fallback_year: Option<i32>) -> Option<String> {
    let year = years(title)
        .filter_map(|y| y.parse::<i32>().ok())
        .find(|y| (1990..=2200).contains(y))
        .or(fallback_year);
    match PERIOD.captures(title) {
        Some(c) => {
            let y = c.get(2).and_then(|m| m.as_str().parse().ok()).or(year)?;
            Some(format!("{} {y}", c[1].to_lowercase()))
        }
        None => year.map(|y| format!("năm {y}")),
    }
}

/// A hierarchical row or section number and nothing else: `1.1`, `15.2`, `2.3.1.`.
fn is_row_number(text: &str) -> bool {
    let t = text.trim();
    let t = t.strip_suffix('.').unwrap_or(t);
    let mut groups = 0;
    for g in t.split('.') {
        if !(1..=2).contains(&g.len()) || !g.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        groups += 1;
    }
    groups >= 2
}

fn is_superscript_digit(c: char) -> bool {
    "⁰¹²³⁴⁵⁶⁷⁸⁹".contains(c)
}

fn superscript_digits(s: &str) -> String {
    s.chars()
        .map(|c| {
            "⁰¹²³⁴⁵⁶⁷⁸⁹"
                .chars()
                .position(|x| x == c)
                .map_or(c, |d| char::from(b'0' + d as u8))
        })
        .collect()
}

fn marker_id(c: &regex::Captures) -> String {
    if let Some(m) = c.get(1) {
        superscript_digits(m.as_str())
    } else if let Some(m) = c.get(2) {
        superscript_digits(m.as_str())
    } else {
        "?".into()
    }
}

/// The chars a footnote marker is written with.
const FOOTNOTE_MARKS: [char; 12] = [
    '⁽', '⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹', '\u{FFFD}',
];

/// Three letters or more, none lowercase (a lowercase char is a letter: the look
/// stops at the first).
fn is_upper_line(s: &str) -> bool {
    let mut letters = 0;
    for c in s.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_alphabetic() {
            letters += 1;
        }
    }
    letters >= 3
}

/// Whether `t` lowercased starts with "số": only its first chars need lowercasing
/// (a char lowercases to one char or more).
fn lower_starts_with_so(t: &str) -> bool {
    t.chars()
        .flat_map(char::to_lowercase)
        .take(2)
        .eq("số".chars())
}

/// Parses a heading line.
pub fn heading(line: &Line) -> Option<Heading> {
    let t = line.text.trim();
    let mut it = t.chars();
    let first = it.next()?;
    if !(first.is_ascii_digit() || matches!(first, 'I' | 'V' | 'X') || first.is_lowercase()) {
        return None;
    }
    // cheap looks before the patterns: a number is followed by a dot within its
    // first two digits ("1.", "12."), a letter by its paren ("a)")
    let (second, third) = (it.next(), it.next());
    if first.is_ascii_digit() && second != Some('.') && third != Some('.')
        || first.is_lowercase() && second != Some(')')
        || t.len() > 300 && t.chars().count() > 300
    {
        return None;
    }
    let head = &t[..t.char_indices().nth(24).map_or(t.len(), |(i, _)| i)];
    let mk = |level: u8, re: &Regex| {
        re.captures(head).map(|c| {
            let number = c[1].to_string();
            Heading {
                line: line.no,
                level,
                title: title_after(t, number.len()),
                number,
            }
        })
    };
    let full = head.contains('\n');
    // a line without `\n` (all but some .docx ones): the number read by hand, as
    // the short pattern reads it (the pattern itself where a non-ASCII digit decides)
    let read =
        |level: u8, short: &'static LazyLock<Regex>, by_hand: fn(&str) -> Read| match by_hand(head)
        {
            Read::Number(n) => Some(Heading {
                line: line.no,
                level,
                number: head[..n].to_string(),
                title: title_after(t, n),
            }),
            Read::No => None,
            Read::Ask => mk(level, short),
        };
    if full {
        if first.is_ascii_digit() {
            mk(3, &DOTTED_FULL).or_else(|| mk(2, &NUMBERED_FULL))
        } else if first.is_lowercase() {
            mk(4, &LETTERED_FULL)
        } else {
            mk(1, &ROMAN_FULL)
        }
    } else if first.is_ascii_digit() {
        read(3, &DOTTED, heading_number::dotted)
            .or_else(|| read(2, &NUMBERED, heading_number::numbered))
    } else if first.is_lowercase() {
        read(4, &LETTERED, heading_number::lettered)
    } else {
        read(1, &ROMAN, heading_number::roman)
    }
}

/// A heading's title: everything after its number (`n` bytes) and punctuation.
fn title_after(t: &str, n: usize) -> String {
    t[n..]
        .trim_start_matches(|ch: char| ch.is_whitespace() || matches!(ch, '.' | '-' | '–' | ')'))
        .trim()
        .to_string()
}

/// A year as typed, read by its likely meaning given the years the header mentions.
fn likely_year(typed: &str, known: &[i32]) -> Option<(i32, Option<String>)> {
    if typed.len() == 4
        && let Ok(y) = typed.parse::<i32>()
        && (1990..=2200).contains(&y)
    {
        return Some((y, None));
    }
    // "202" (a digit dropped) or "20224" (one too many): the year it can only be
    let fits = |y: &i32| {
        let s = y.to_string();
        if typed.len() < 4 {
            s.starts_with(typed) || {
                // one digit dropped anywhere
                (0..s.len()).any(|k| format!("{}{}", &s[..k], &s[k + 1..]) == typed)
            }
        } else {
            (0..typed.len()).any(|k| format!("{}{}", &typed[..k], &typed[k + 1..]) == s)
        }
    };
    let mut c: Vec<i32> = known.iter().copied().filter(fits).collect();
    c.sort_unstable();
    c.dedup();
    match c[..] {
        [y] => Some((
            y,
            Some(format!(
                "năm ghi «{typed}», đọc là {y} theo năm của báo cáo"
            )),
        )),
        _ => None,
    }
}

impl Document {
    /// Builds the model from lines.
    pub fn new(lines: Vec<Line>) -> Document {
        let mut header = Header::default();
        let mut date_note = None;
        // the place-and-date line, looked for only where it can be (a cheap test first)
        let is_place_date = |t: &str| {
            t.contains("ngày")
                && t.contains("tháng")
                && t.chars().count() < 120
                && matches_before_boundary(&PLACE_DATE_END, t)
        };
        let is_loose_date = |t: &str| {
            (t.contains("ngày") || t.contains("Ngày"))
                && t.chars().count() < 90
                && matches_before_boundary(&LOOSE_DATE_END, t)
        };
        let date_index = lines
            .iter()
            .take(80)
            .position(|l| is_place_date(&l.text))
            .or_else(|| lines.iter().take(40).position(|l| is_loose_date(&l.text)));
        let head_end = date_index.map_or(25.min(lines.len()), |i| (i + 8).min(lines.len()));
        for l in &lines[..head_end] {
            let t = l.text.trim();
            // "Số": a look at the first letter before the pattern (which ignores case,
            // and in which `s` is also the long `ſ`)
            if header.number.is_none()
                && t.starts_with(['S', 's', 'ſ'])
                && let Some(c) = NUMBER.captures(t)
            {
                header.number = Some(c[1].split_whitespace().collect::<Vec<_>>().join(" "));
            }
        }
        let issuer: Vec<&str> = lines[..head_end]
            .iter()
            .map(|l| l.text.trim())
            .take_while(|t| !lower_starts_with_so(t))
            .filter(|t| {
                is_upper_line(t)
                    && !t.contains("CỘNG HÒA")
                    && !t.contains("ĐẢNG CỘNG SẢN")
                    && !t.contains("Độc lập")
            })
            .collect();
        if !issuer.is_empty() {
            header.issuer = Some(issuer.join(" "));
        }
        let mut title_year = None;
        if let Some(i) = lines.iter().take(60).position(|l| {
            matches!(
                l.text.trim().trim_matches('*'),
                "BÁO CÁO" | "ĐỀ CƯƠNG BÁO CÁO" | "ĐỀ CƯƠNG"
            )
        }) {
            let next: Vec<String> = lines[i + 1..]
                .iter()
                .filter(|l| !l.text.trim().is_empty())
                .take(2)
                .map(|l| l.text.trim().trim_matches('*').to_string())
                .collect();
            let title = next.join(" ");
            title_year = years(&title)
                .filter_map(|y| y.parse::<i32>().ok())
                .find(|y| (1990..=2200).contains(y));
            header.title = Some(
                format!(
                    "{} {}",
                    lines[i].text.trim(),
                    next.first().cloned().unwrap_or_default()
                )
                .trim()
                .to_string(),
            );
            header.period = period_of(&title, None);
        }
        // the date, its year read by likely meaning when mistyped
        if let Some(i) = date_index {
            let t = lines[i].text.trim();
            let caps = place_date_groups(t)
                .map(|(place, d, m, y)| (Some(place), d, m, y))
                .or_else(|| {
                    LOOSE_DATE.captures(t).map(|c| {
                        (
                            c.get(1).map(|m| m.as_str().to_string()),
                            c[2].to_string(),
                            c[3].to_string(),
                            c[4].to_string(),
                        )
                    })
                });
            if let Some((place, d, m, y)) = caps {
                let mut known: Vec<i32> = title_year.into_iter().collect();
                for l in &lines[..head_end] {
                    for y in years(&l.text) {
                        if let Ok(v) = y.parse::<i32>()
                            && (1990..=2200).contains(&v)
                        {
                            known.push(v);
                        }
                    }
                }
                if let Some(ty) = title_year {
                    known.retain(|k| *k == ty || (*k - ty).abs() <= 1);
                }
                if let Some((year, note)) = likely_year(&y, &known) {
                    header.date = NaiveDate::from_ymd_opt(
                        year,
                        m.parse().unwrap_or(0),
                        d.parse().unwrap_or(0),
                    );
                    if header.date.is_some() {
                        date_note = note;
                    }
                }
                header.place = place.map(|p| p.trim().to_string());
            }
        }
        if header.period.is_none() {
            header.period = None;
        } else if let Some(p) = &header.period
            && !p.chars().any(|c| c.is_ascii_digit())
            && let Some(d) = header.date
        {
            header.period = Some(format!("{p} {}", chrono::Datelike::year(&d)));
        }

        let appendix_line = lines
            .iter()
            .find(|l| l.text.trim_start().starts_with("PHỤ LỤC"))
            .map(|l| l.no);
        let recipients_line = lines
            .iter()
            .find(|l| l.text.trim_start().starts_with("Nơi nhận"))
            .map(|l| l.no);
        let signature_line = lines
            .iter()
            .rev()
            .take(60)
            .find(|l| {
                let t = l.text.trim();
                ["TM.", "T/M", "TM ", "KT.", "K/T", "TL.", "TUQ.", "Q. "]
                    .iter()
                    .any(|p| t.starts_with(p))
            })
            .map(|l| l.no);
        let date_line = date_index.map_or(0, |i| lines[i].no);
        let headings: Vec<Heading> = lines
            .iter()
            .filter(|l| l.no > date_line)
            .filter_map(heading)
            .collect();

        let mut blocks: Vec<Block> = Vec::new();
        let mut block_chars: usize = 0;
        let mut last_was_footnote = false;
        for l in &lines {
            let t = l.text.trim_end();
            if t.trim().is_empty() {
                continue;
            }
            let part = if l.no < date_line {
                Part::Header
            } else if recipients_line.is_some_and(|r| l.no >= r)
                && appendix_line.is_none_or(|a| l.no < a || a < recipients_line.unwrap_or(0))
            {
                Part::Recipients
            } else if appendix_line.is_some_and(|a| l.no >= a) {
                Part::Appendix
            } else {
                Part::Body
            };
            // a footnote starts with its marker (a cheap look before the pattern)
            let marker_first = t
                .trim_start()
                .starts_with(|c: char| matches!(c, '⁽' | '\u{FFFD}') || is_superscript_digit(c));
            if marker_first
                && let Some(c) = FOOTNOTE_DEF.captures(t)
                && let Some(m) = c.get(0)
            {
                let id = marker_id(&c);
                let rest = t[m.end()..].to_string();
                block_chars = rest.chars().count();
                blocks.push(Block {
                    text: rest,
                    lines: vec![(0, l.no)],
                    part: Part::Footnote,
                    footnote: Some(id),
                    refs: vec![],
                });
                last_was_footnote = true;
                continue;
            }
            let trimmed = t.trim_start();
            // "* Về phản biện…" right after a footnote continues it
            if last_was_footnote
                && (trimmed.starts_with("* ") || trimmed.starts_with("+ "))
                && let Some(b) = blocks.last_mut()
            {
                let off = block_chars + 1;
                b.text.push(' ');
                b.text.push_str(trimmed);
                b.lines.push((off, l.no));
                block_chars = off + trimmed.chars().count();
                continue;
            }
            last_was_footnote = false;
            let continues = blocks.last().is_some_and(|b| {
                b.part == part
                    && b.footnote.is_none()
                    // a table's row number alone on its line (a cell): the next cell is
                    // not its continuation
                    && !is_row_number(&b.text)
                    && !b
                        .text
                        .trim_end()
                        .ends_with(['.', ';', ':', '!', '?', ')', '”', '"', '…'])
                    && trimmed.starts_with(|c: char| c.is_lowercase())
            }) && heading(l).is_none();
            if continues && let Some(b) = blocks.last_mut() {
                let off = block_chars + 1;
                b.text.push(' ');
                b.text.push_str(trimmed);
                b.lines.push((off, l.no));
                block_chars = off + trimmed.chars().count();
            } else {
                block_chars = trimmed.chars().count();
                blocks.push(Block {
                    text: trimmed.to_string(),
                    lines: vec![(0, l.no)],
                    part,
                    footnote: None,
                    refs: vec![],
                });
            }
        }
        // markers cited in the body (char offsets counted once, left to right)
        let marks = FOOTNOTE_MARKS;
        for b in blocks.iter_mut().filter(|b| {
            // every mark is written with a byte C2, E2 or EF, which Vietnamese
            // letters are not: a look at the bytes first
            b.footnote.is_none()
                && memchr::memchr3(0xC2, 0xE2, 0xEF, b.text.as_bytes()).is_some()
                && b.text.contains(marks)
        }) {
            let mut refs = Vec::new();
            let mut chars_before = 0;
            let mut byte_before = 0;
            for c in FOOTNOTE_REF.captures_iter(&b.text) {
                let Some(m) = c.get(0) else { continue };
                chars_before += b.text[byte_before..m.start()].chars().count();
                byte_before = m.start();
                refs.push((marker_id(&c), chars_before));
            }
            b.refs = refs;
        }
        // which block cites each footnote (the k-th `�` note is cited by the k-th `�`)
        let mut first_ref: std::collections::HashMap<&str, (usize, usize)> =
            std::collections::HashMap::new();
        let mut unknown_refs = Vec::new();
        for (bi, b) in blocks.iter().enumerate() {
            if b.footnote.is_some() {
                continue;
            }
            for (rid, off) in &b.refs {
                if rid == "?" {
                    unknown_refs.push((bi, *off));
                } else {
                    first_ref.entry(rid.as_str()).or_insert((bi, *off));
                }
            }
        }
        let mut unknown_seen = 0;
        let cites = blocks
            .iter()
            .map(|b| match b.footnote.as_deref() {
                Some("?") => {
                    unknown_seen += 1;
                    unknown_refs.get(unknown_seen - 1).copied()
                }
                Some(id) => first_ref.get(id).copied(),
                None => None,
            })
            .collect();
        Document {
            lines,
            blocks,
            header,
            headings,
            appendix_line,
            recipients_line,
            signature_line,
            encoding: "UTF-8",
            date_source: None,
            date_note,
            cites,
        }
        .with_text_date_source()
    }

    fn with_text_date_source(mut self) -> Document {
        if self.header.date.is_some() {
            self.date_source = Some(DateSource::Text);
        }
        self
    }

    /// Sets the report's date from outside the text (the .docx properties, `--date`);
    /// a date given by the user wins over the text's, the file's properties do not.
    pub fn set_date(&mut self, date: NaiveDate, source: DateSource) {
        if source == DateSource::DocxProperties && self.header.date.is_some() {
            return;
        }
        self.header.date = Some(date);
        self.date_source = Some(source);
        if source == DateSource::Given {
            self.date_note = None;
        }
        if let Some(p) = &self.header.period
            && !p.chars().any(|c| c.is_ascii_digit())
        {
            self.header.period = Some(format!("{p} {}", chrono::Datelike::year(&date)));
        }
    }

    /// The body block citing footnote block `footnote_index`, and the marker's char offset.
    pub fn citing_block(&self, footnote_index: usize) -> Option<(usize, usize)> {
        self.cites.get(footnote_index).copied().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_text;

    #[test]
    fn footnote_marks_start_with_the_bytes_looked_for() {
        for m in FOOTNOTE_MARKS {
            let mut buf = [0u8; 4];
            let first = m.encode_utf8(&mut buf).as_bytes()[0];
            assert!(matches!(first, 0xC2 | 0xE2 | 0xEF), "{m}");
        }
    }

    #[test]
    fn place_date_groups_are_the_patterns() {
        let mut lines: Vec<String> = vec![
            "Đam Rông, ngày 22 tháng 6 năm 2022".into(),
            "  Hà Nội, ngày 5 tháng 12 năm 2024  ".into(),
            "UBND xã A, ngày 1 tháng 2 năm 2020 và Xã B, ngày 3 tháng 4 năm 2021".into(),
            "Thành phố Hồ Chí Minh - Quận Một - Phường Bến Thành, ngày 09 tháng 09 năm 2023".into(),
            "x, ngày 1 tháng 1 năm 2020".into(),
            "Ab, ngày 1 tháng 1 năm 20201, Cd, ngày 2 tháng 2 năm 2021.".into(),
            "Ab, ngày 1 tháng 1 năm 2020a, Cd, ngày 2 tháng 2 năm 2021".into(),
            "Ab,ngày 1  tháng 1 năm 2020".into(),
            "Ab, ngày 123 tháng 1 năm 2020".into(),
            "O'Neil’s-Town., ngày 1 tháng 1 năm 2020".into(),
            "12 Ab, ngày 1 tháng 1 năm 2020".into(),
            ", ngày 1 tháng 1 năm 2020".into(),
            "Ngày 1 tháng 1 năm 2020".into(),
        ];
        for dir in ["tests/corpus", "tests/fixtures"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                if e.path().extension().is_some_and(|x| x == "txt") {
                    let text = std::fs::read_to_string(e.path()).unwrap();
                    lines.extend(
                        text.lines()
                            .filter(|l| l.contains("ngày"))
                            .map(str::to_string),
                    );
                }
            }
        }
        // long places, near and over the 41 chars a place may have
        for n in 38..44 {
            lines.push(format!("{}, ngày 1 tháng 1 năm 2020", "a".repeat(n)));
            lines.push(format!("1{}, ngày 1 tháng 1 năm 2020", "ă".repeat(n)));
        }
        for t in &lines {
            let want = PLACE_DATE.captures(t).map(|c| {
                (
                    c[1].to_string(),
                    c[2].to_string(),
                    c[3].to_string(),
                    c[4].to_string(),
                )
            });
            assert_eq!(place_date_groups(t), want, "{t}");
        }
    }

    /// Every line of the corpus, the fixtures and the seeds gives the heading the
    /// short patterns give (the numbers are read by hand in `heading`).
    #[test]
    fn headings_read_by_hand_are_the_patterns() {
        let by_patterns = |line: &Line| -> Option<(u8, String)> {
            let t = line.text.trim();
            let first = t.chars().next()?;
            let head = &t[..t.char_indices().nth(24).map_or(t.len(), |(i, _)| i)];
            let cap = |re: &Regex| re.captures(head).map(|c| c[1].to_string());
            if first.is_ascii_digit() {
                cap(&DOTTED)
                    .map(|n| (3, n))
                    .or_else(|| cap(&NUMBERED).map(|n| (2, n)))
            } else if first.is_lowercase() {
                cap(&LETTERED).map(|n| (4, n))
            } else if matches!(first, 'I' | 'V' | 'X') {
                cap(&ROMAN).map(|n| (1, n))
            } else {
                None
            }
        };
        let mut dirs = vec![
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"),
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        ];
        dirs.push(std::path::PathBuf::from("/work/shared/seeds"));
        let mut seen = 0;
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for e in entries.flatten() {
                if e.path().extension().is_none_or(|x| x != "txt") {
                    continue;
                }
                let text = std::fs::read_to_string(e.path()).unwrap();
                for l in crate::read::split_lines(&text) {
                    let got = heading(&l).map(|h| (h.level, h.number));
                    // the cheap looks of `heading` may turn a line down first
                    if got.is_some() || by_patterns(&l).is_none() {
                        seen += usize::from(got.is_some());
                        if got.is_some() {
                            assert_eq!(got, by_patterns(&l), "{}", l.text);
                        }
                    } else {
                        let t = l.text.trim();
                        let mut it = t.chars();
                        let (f, s2, s3) = (it.next(), it.next(), it.next());
                        let turned_down = f.is_some_and(|f| f.is_ascii_digit())
                            && s2 != Some('.')
                            && s3 != Some('.')
                            || f.is_some_and(char::is_lowercase) && s2 != Some(')')
                            || t.chars().count() > 300;
                        assert!(turned_down, "{}", l.text);
                    }
                }
            }
        }
        assert!(seen > 300, "{seen} headings");
    }

    #[test]
    fn header_headings_footnotes() {
        let text = "HUYỆN ỦY ĐAM RÔNG\nBAN CHỈ ĐẠO\n\nSố 05 -BC/BCD\n\nĐam Rông, ngày 22 tháng 6 năm 2022\n\nBÁO CÁO\n\nKết quả 6 tháng đầu năm 2022\n\nI. KHÁI QUÁT\n\n1. Công tác lãnh đạo\n\nTiếp nhận 89 đơn⁷ trong kỳ và\nđã giải quyết.\n\n⁷ Trong đó có 14 đơn khiếu nại, 75 đơn kiến nghị.\n\n4.1. Mục con\n\na) Ý nhỏ\n\nNơi nhận:\n- Lưu.\n";
        let d = Document::new(read_text(text.as_bytes()).unwrap());
        assert_eq!(d.header.number.as_deref(), Some("05 -BC/BCD"));
        assert_eq!(d.header.place.as_deref(), Some("Đam Rông"));
        assert_eq!(d.header.date, NaiveDate::from_ymd_opt(2022, 6, 22));
        assert_eq!(d.header.period.as_deref(), Some("6 tháng đầu năm 2022"));
        assert_eq!(
            d.headings
                .iter()
                .map(|h| (h.level, h.number.as_str()))
                .collect::<Vec<_>>(),
            [(1, "I"), (2, "1"), (3, "4.1"), (4, "a")]
        );
        let note = d
            .blocks
            .iter()
            .position(|b| b.footnote.as_deref() == Some("7"))
            .unwrap();
        let (bi, _) = d.citing_block(note).unwrap();
        assert!(
            d.blocks[bi]
                .text
                .contains("89 đơn⁷ trong kỳ và đã giải quyết."),
            "{}",
            d.blocks[bi].text
        );
        assert_eq!(d.blocks[bi].line_of(5), 16);
        assert_eq!(d.blocks[bi].line_of(31), 17);
        assert!(d.recipients_line.is_some());
    }
}
