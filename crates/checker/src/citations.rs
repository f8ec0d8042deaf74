//! Legal citations: the same document cited with two dates, a type name that
//! contradicts its symbol, a symbol missing its year, a date that cannot be (not in
//! the calendar, after the report, outside the issuing legislature's term, not the
//! year in the symbol), a text cited before it existed, and texts applied after they
//! stopped being in force (from `data/legal-documents.toml`, whose every entry is
//! recognised by its symbol, by its number and year, and by its title). A sentence
//! that reviews a text's history ("tổng kết 10 năm thực hiện …", "qua 16 năm thực
//! hiện …", "được thay thế bởi …") is not an application of it.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use serde::Deserialize;

use crate::checks::excerpt;
use crate::doc::{Document, Part};
use crate::{Finding, Kind, Severity};

/// The catalogue shipped with qcdc.
pub const CATALOGUE: &str = include_str!("../../../data/legal-documents.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalDoc {
    #[serde(rename = "type")]
    pub kind: String,
    pub number: String,
    pub title: String,
    /// When it was signed.
    #[serde(default)]
    pub issued: Option<NaiveDate>,
    pub effective: NaiveDate,
    #[serde(default)]
    pub ended: Option<NaiveDate>,
    #[serde(default)]
    pub replaced_by: Option<String>,
    /// Other ways reports cite it: by title, by number and year.
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Catalogue {
    document: Vec<LegalDoc>,
}

/// Parses a catalogue file.
pub fn load_catalogue(src: &str) -> Result<Vec<LegalDoc>, String> {
    toml::from_str::<Catalogue>(src)
        .map(|c| c.document)
        .map_err(|e| e.to_string())
}

/// The shipped catalogue's aliases, lowercase, with their entries (made once).
static SHIPPED_ALIAS_LIST: LazyLock<Vec<(String, usize)>> = LazyLock::new(|| alias_list(&SHIPPED));

static SHIPPED_ALIASES: LazyLock<Option<Regex>> =
    LazyLock::new(|| alias_regex(&SHIPPED_ALIAS_LIST));

/// The shipped catalogue's symbols as [`symbol_key`]s (made once).
static SHIPPED_KEYS: LazyLock<Vec<String>> =
    LazyLock::new(|| SHIPPED.iter().map(|e| symbol_key(&e.number)).collect());

/// Every alias of a catalogue, lowercase, with its entry.
fn alias_list(catalogue: &[LegalDoc]) -> Vec<(String, usize)> {
    catalogue
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.aliases.iter().map(move |a| (a.to_lowercase(), i)))
        .collect()
}

/// One pattern for every alias, longest first.
fn alias_regex(aliases: &[(String, usize)]) -> Option<Regex> {
    let mut sorted: Vec<&(String, usize)> = aliases.iter().collect();
    sorted.sort_by_key(|(a, _)| std::cmp::Reverse(a.len()));
    if sorted.is_empty() {
        return None;
    }
    Regex::new(
        &sorted
            .iter()
            .map(|(a, _)| regex::escape(a))
            .collect::<Vec<_>>()
            .join("|"),
    )
    .ok()
}

static SHIPPED: LazyLock<Vec<LegalDoc>> =
    LazyLock::new(|| load_catalogue(CATALOGUE).unwrap_or_default());

/// Document types and the abbreviations their symbols carry.
const TYPES: &[(&str, &[&str])] = &[
    ("Nghị quyết", &["NQ"]),
    ("Nghị định", &["NĐ", "ND"]),
    ("Chỉ thị", &["CT"]),
    ("Quyết định", &["QĐ", "QD"]),
    ("Quy định", &["QĐi", "QĐ", "QD"]),
    ("Kế hoạch", &["KH"]),
    ("Hướng dẫn", &["HD"]),
    ("Thông báo", &["TB"]),
    ("Chương trình", &["CTr", "CTPH", "CT"]),
    ("Kết luận", &["KL"]),
    ("Thông tư", &["TT"]),
    ("Pháp lệnh", &["PL"]),
    ("Luật", &["QH"]),
    ("Đề án", &["ĐA", "DA"]),
];

/// [`TYPES`]' names lowercased (`str::to_lowercase`), in the same order.
static TYPES_LOWER: LazyLock<Vec<String>> =
    LazyLock::new(|| TYPES.iter().map(|(t, _)| t.to_lowercase()).collect());

/// The type names, lowercase, for a cheap look before the pattern.
const TYPE_WORDS: &[&str] = &[
    "nghị quyết",
    "nghị định",
    "chỉ thị",
    "quyết định",
    "quy định",
    "kế hoạch",
    "hướng dẫn",
    "thông báo",
    "chương trình",
    "kết luận",
    "thông tư",
    "pháp lệnh",
    "luật",
    "đề án",
];

/// Any type name, in any case: a cheap look before the full pattern.
static TYPE_WORD: LazyLock<Regex> =
    LazyLock::new(|| crate::literal_regex(&format!("(?i){}", TYPE_WORDS.join("|"))));

/// [`TYPE_WORDS`] for a look in lowercased text.
static TYPE_WORDS_LOWER: LazyLock<crate::checks::Words> =
    LazyLock::new(|| crate::checks::Words::new(TYPE_WORDS));

static CITATION: LazyLock<Regex> = LazyLock::new(|| {
    let types = TYPES
        .iter()
        .map(|(t, _)| regex::escape(t))
        .collect::<Vec<_>>()
        .join("|");
    Regex::new(&format!(
        r"(?i)({types})\s+(?:số\s*:?\s*)?([0-9]{{1,5}}(?:\s*[-/–]\s*[\p{{L}}0-9]+)+)(?:\s*,?\s*(?:ban hành\s+)?ngày\s+(\d{{1,2}})\s*(?:/|-|\s+tháng\s+)\s*(\d{{1,2}})\s*(?:/|-|\s+năm\s+)\s*(\d{{4}}))?"
    ))
    .unwrap_or_else(|_| Regex::new("$^").unwrap_or_else(|_| unreachable!()))
});

/// One word character (`\w`, Unicode), to test the char before a match.
static WORD_CHAR: LazyLock<Regex> = LazyLock::new(|| crate::literal_regex(r"^\w$"));

/// Every match of [`CITATION`] starting at a word boundary, as `\b(…)` would find
/// them: the pattern itself has no `\b`, since a Unicode word boundary keeps the
/// fast (DFA) engines out on Vietnamese text; a match that does not start at one is
/// dropped and the search resumes at the next char.
fn citation_captures(text: &str) -> Vec<regex::Captures<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at <= text.len() {
        let Some(c) = CITATION.captures_at(text, at) else {
            break;
        };
        let Some(m) = c.get(0) else { break };
        let mut buf = [0u8; 4];
        let boundary = text[..m.start()]
            .chars()
            .next_back()
            .is_none_or(|p| !WORD_CHAR.is_match(p.encode_utf8(&mut buf)));
        let next = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
        if boundary {
            at = m.end().max(next);
            out.push(c);
        } else {
            at = next;
        }
    }
    out
}

/// A citation found in the text.
#[derive(Debug, Clone)]
pub struct Citation {
    pub block: usize,
    /// Char offsets in the block.
    pub start: usize,
    pub end: usize,
    pub kind: String,
    pub symbol: String,
    pub date: Option<NaiveDate>,
    /// A date written that is not in the calendar (`31/4/2020`).
    pub bad_date: Option<String>,
    /// The catalogue entry it names, when cited by title or number and year.
    pub entry: Option<usize>,
    /// Byte offsets in the block's text.
    pub start_byte: usize,
    pub end_byte: usize,
}

/// Up to `n` chars around a byte range of `text`: (chars, range start, range end) in chars.
fn window(text: &str, sb: usize, eb: usize, n: usize) -> (Vec<char>, usize, usize) {
    let sb = sb.min(text.len());
    let eb = eb.clamp(sb, text.len());
    let before: Vec<char> = text[..sb].chars().rev().take(n).collect();
    let mut chars: Vec<char> = before.into_iter().rev().collect();
    let a = chars.len();
    chars.extend(text[sb..eb].chars());
    let z = chars.len();
    chars.extend(text[eb..].chars().take(n));
    (chars, a, z)
}

fn norm_symbol(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '–' { '-' } else { c })
        .collect()
}

/// The same symbol however its separators are written: `17-NQ/TU` and `17/NQ-TU`.
/// In one pass: the parts between `-`, `–` and `/` (spaces dropped, empty parts
/// left out) joined by `|`, uppercased, `Đ` read as `D`.
fn symbol_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars().filter(|c| !c.is_whitespace()) {
        if matches!(c, '-' | '–' | '/') {
            pending = !out.is_empty();
            continue;
        }
        if pending {
            out.push('|');
            pending = false;
        }
        for u in c.to_uppercase() {
            out.push(if u == 'Đ' { 'D' } else { u });
        }
    }
    out
}

fn canonical_type(t: &str) -> String {
    let lower = t.to_lowercase();
    TYPES
        .iter()
        .zip(TYPES_LOWER.iter())
        .find(|(_, x)| **x == lower)
        .map(|(t, _)| t)
        .map_or_else(|| t.to_string(), |(x, _)| x.to_string())
}

/// Every citation in the document, outside its header.
pub fn citations(doc: &Document) -> Vec<Citation> {
    citations_with(doc, &SHIPPED, None)
}

/// The citations; `lowered`, when given, holds each block's text lowercased
/// (`str::to_lowercase`), made once by the caller.
fn citations_with(
    doc: &Document,
    catalogue: &[LegalDoc],
    lowered: Option<&[&str]>,
) -> Vec<Citation> {
    let mut out = Vec::new();
    // every alias in one automaton (built once for the shipped catalogue)
    let (own_list, own_re);
    let (aliases, alias_re): (&[(String, usize)], Option<&Regex>) =
        if std::ptr::eq(catalogue.as_ptr(), SHIPPED.as_ptr()) {
            (&SHIPPED_ALIAS_LIST, SHIPPED_ALIASES.as_ref())
        } else {
            own_list = alias_list(catalogue);
            own_re = alias_regex(&own_list);
            (&own_list, own_re.as_ref())
        };
    for (bi, b) in doc.blocks.iter().enumerate() {
        if b.part == Part::Header {
            continue;
        }
        // a citation names its type: look for one before anything else (in the
        // lowercased text when it is given: the same test as the pattern ignoring
        // case, since no type name has an `i`, `s` or another letter whose case
        // folding and lowercasing differ)
        let own_lower;
        let lower: &str = match lowered.and_then(|l| l.get(bi)) {
            Some(l) => {
                if !TYPE_WORDS_LOWER.any_in(l) {
                    continue;
                }
                l
            }
            None => {
                if !TYPE_WORD.is_match(&b.text) {
                    continue;
                }
                own_lower = b.text.to_lowercase();
                &own_lower
            }
        };
        // a symbol has digits next to "/" or "-"
        let bytes = b.text.as_bytes();
        let has_symbol = bytes.windows(2).any(|w| {
            w[0].is_ascii_digit() && matches!(w[1], b'/' | b'-')
                || matches!(w[0], b'/' | b'-') && w[1].is_ascii_digit()
        }) || b.text.contains('–');
        let alias_hits: Vec<(usize, usize, usize)> = match alias_re {
            Some(re) => re
                .find_iter(lower)
                .filter_map(|m| {
                    aliases
                        .iter()
                        .find(|(a, _)| a.as_str() == m.as_str())
                        .map(|(_, i)| (m.start(), m.end(), *i))
                })
                .collect(),
            None => Vec::new(),
        };
        let has_alias = !alias_hits.is_empty();
        if !has_symbol && !has_alias {
            continue;
        }
        // char offsets counted once, left to right
        let mut chars_before = 0;
        let mut byte_before = 0;
        let mut at = |byte: usize| {
            if byte >= byte_before {
                chars_before += b.text[byte_before..byte].chars().count();
            } else {
                chars_before = b.text[..byte].chars().count();
            }
            byte_before = byte;
            chars_before
        };
        let mut spans: Vec<(usize, usize)> = Vec::new();
        if has_symbol {
            for c in citation_captures(&b.text) {
                let (Some(m), Some(kind), Some(sym)) = (c.get(0), c.get(1), c.get(2)) else {
                    continue;
                };
                let (date, bad_date) = match (c.get(3), c.get(4), c.get(5)) {
                    (Some(d), Some(mo), Some(y)) => {
                        let parsed = NaiveDate::from_ymd_opt(
                            y.as_str().parse().unwrap_or(0),
                            mo.as_str().parse().unwrap_or(0),
                            d.as_str().parse().unwrap_or(0),
                        );
                        let bad = parsed
                            .is_none()
                            .then(|| format!("{}/{}/{}", d.as_str(), mo.as_str(), y.as_str()));
                        (parsed, bad)
                    }
                    _ => (None, None),
                };
                // "Thông báo kết luận số 160-TB/TW" is a Thông báo
                let from = b.text.floor_char_boundary(m.start().saturating_sub(48));
                let before = b.text[from..m.start()].trim_end().to_lowercase();
                let outer = TYPES
                    .iter()
                    .zip(TYPES_LOWER.iter())
                    .find(|(_, t)| before.ends_with(t.as_str()))
                    .map(|(t, _)| t)
                    .map(|(t, _)| t.to_string());
                spans.push((m.start(), m.end()));
                let start = at(m.start());
                let end = start + b.text[m.start()..m.end()].chars().count();
                let _ = sym;
                out.push(Citation {
                    block: bi,
                    start,
                    end,
                    kind: outer.unwrap_or_else(|| canonical_type(kind.as_str())),
                    symbol: norm_symbol(&c[2]),
                    date,
                    bad_date,
                    entry: None,
                    start_byte: m.start(),
                    end_byte: m.end(),
                });
            }
        }
        // by title or by number and year, where no symbol was matched
        let (mut alias_chars, mut alias_byte) = (0usize, 0usize);
        for &(p, e, i) in &alias_hits {
            if spans.iter().any(|(s, z)| p < *z && e > *s) {
                continue;
            }
            if lower[e..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric())
            {
                continue;
            }
            spans.push((p, e));
            // char offsets counted once, left to right (hits come in order)
            alias_chars += lower[alias_byte.min(p)..p].chars().count();
            alias_byte = p;
            let start = alias_chars;
            out.push(Citation {
                block: bi,
                start,
                end: start + lower[p..e].chars().count(),
                kind: catalogue[i].kind.clone(),
                symbol: norm_symbol(&catalogue[i].number),
                date: None,
                bad_date: None,
                entry: Some(i),
                start_byte: p,
                end_byte: e,
            });
        }
    }
    out
}

fn fmt(d: NaiveDate) -> String {
    qcdc_core::period::format_date(d)
}

fn finding(
    doc: &Document,
    c: &Citation,
    kind: Kind,
    severity: Severity,
    message: String,
) -> Finding {
    let b = &doc.blocks[c.block];
    let (chars, a, z) = window(&b.text, c.start_byte, c.end_byte, 61);
    Finding {
        line: b.line_of(c.start),
        kind,
        severity,
        message,
        excerpt: excerpt(&chars, a, z),
        arith: None,
    }
}

/// The abbreviation block of a symbol: `17-NQ/TU` → `NQ`, `42/NQ-CP` → `NQ`, `34/2007/PL-UBTVQH11` → `PL`.
fn type_abbrev(symbol: &str) -> Option<String> {
    symbol
        .split(['/', '-'])
        .skip(1)
        .find(|p| p.chars().next().is_some_and(|c| c.is_alphabetic()))
        .map(str::to_string)
}

/// The year written inside a symbol (`04/2015/NĐ-CP` → 2015).
fn symbol_year(symbol: &str) -> Option<i32> {
    symbol
        .split('/')
        .nth(1)
        .filter(|p| p.len() == 4)
        .and_then(|p| p.parse().ok())
}

/// The years of a legislature (`QH15`, `UBTVQH11`): (first, last).
fn legislature(symbol: &str) -> Option<(u32, i32, i32)> {
    let p = symbol.find("QH")?;
    let n: u32 = symbol[p + 2..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()?;
    // the 11th legislature began in 2002, one every five years
    if !(9..=20).contains(&n) {
        return None;
    }
    let first = 2002 + 5 * (n as i32 - 11);
    // the 12th (2007–2011) ended a year early
    let (first, last) = match n {
        12 => (2007, 2011),
        13 => (2011, 2016),
        14 => (2016, 2021),
        15 => (2021, 2026),
        _ => (first, first + 5),
    };
    Some((n, first, last))
}

/// The catalogue entry a citation names.
fn entry_of<'c>(c: &Citation, catalogue: &'c [LegalDoc], keys: &[String]) -> Option<&'c LegalDoc> {
    if let Some(i) = c.entry {
        return catalogue.get(i);
    }
    let key = symbol_key(&c.symbol);
    if let Some((e, _)) = catalogue.iter().zip(keys).find(|(_, k)| **k == key) {
        return Some(e);
    }
    // "Pháp lệnh số 34/2007": the number and year of a catalogue entry of that type
    symbol_year(&c.symbol)?;
    let prefix = format!("{key}|");
    let mut hits = catalogue
        .iter()
        .zip(keys)
        .filter(|(e, k)| e.kind == c.kind && k.starts_with(&prefix))
        .map(|(e, _)| e);
    match (hits.next(), hits.next()) {
        (Some(e), None) => Some(e),
        _ => None,
    }
}

/// The sentence of a citation reviews history rather than applying the text.
fn looks_back(sentence: &str) -> bool {
    const WORDS: &[&str] = &[
        "thay thế",
        "hết hiệu lực",
        "trước đây",
        "tổng kết",
        "sơ kết",
        "bãi bỏ",
        "năm thực hiện",
        "năm triển khai",
        "năm thi hành",
        "giai đoạn 20",
        "giai đoạn 19",
        "từ năm 20",
        "từ năm 19",
        "nay là",
        "được sửa đổi",
        "kế thừa",
    ];
    WORDS.iter().any(|w| sentence.contains(w))
}

/// The sentence around a citation, lowercased.
fn sentence_of(doc: &Document, c: &Citation) -> String {
    let (chars, start, end) = window(&doc.blocks[c.block].text, c.start_byte, c.end_byte, 400);
    let mut a = start;
    while a > 0 {
        if matches!(chars[a - 1], '.' | '!' | '?')
            && chars.get(a).is_some_and(|x| x.is_whitespace())
        {
            break;
        }
        a -= 1;
    }
    let mut z = end.min(chars.len());
    while z < chars.len()
        && !(matches!(chars[z], '.' | '!' | '?')
            && chars.get(z + 1).is_none_or(|x| x.is_whitespace()))
    {
        z += 1;
    }
    chars[a..z].iter().collect::<String>().to_lowercase()
}

/// Checks citations against each other and against the catalogue.
pub fn check(doc: &Document, out: &mut Vec<Finding>) {
    check_with(doc, &SHIPPED, out);
}

/// [`check`] with each block's text already lowercased (`str::to_lowercase`).
pub fn check_lowered(doc: &Document, lowered: &[&str], out: &mut Vec<Finding>) {
    check_with_lowered(doc, &SHIPPED, Some(lowered), out);
}

pub fn check_with(doc: &Document, catalogue: &[LegalDoc], out: &mut Vec<Finding>) {
    check_with_lowered(doc, catalogue, None, out);
}

fn check_with_lowered(
    doc: &Document,
    catalogue: &[LegalDoc],
    lowered: Option<&[&str]>,
    out: &mut Vec<Finding>,
) {
    let cites = citations_with(doc, catalogue, lowered);
    let report_date = doc.header.date;
    for c in &cites {
        // a type name contradicting its symbol
        if c.entry.is_none()
            && let Some(abbr) = type_abbrev(&c.symbol)
            && let Some((_, expected)) = TYPES.iter().find(|(t, _)| *t == c.kind)
        {
            let is_known_abbr = TYPES.iter().any(|(_, a)| a.contains(&abbr.as_str()));
            let fits =
                expected.contains(&abbr.as_str()) || (c.kind == "Luật" && abbr.starts_with("QH"));
            if is_known_abbr && !fits {
                let real = TYPES
                    .iter()
                    .find(|(_, a)| a[0] == abbr)
                    .map_or(abbr.clone(), |(t, _)| t.to_string());
                out.push(finding(
                    doc,
                    c,
                    Kind::CitationConflict,
                    Severity::Error,
                    format!(
                        "Gọi là «{}» nhưng số hiệu «{}» là của một {}",
                        c.kind,
                        c.symbol,
                        real.to_lowercase()
                    ),
                ));
            }
        }
        // a date not in the calendar, after the report, or not the symbol's year
        if let Some(bad) = &c.bad_date {
            out.push(finding(
                doc,
                c,
                Kind::CitationAnachronism,
                Severity::Error,
                format!(
                    "{} số {}: ngày «{bad}» không có trong lịch",
                    c.kind, c.symbol
                ),
            ));
        }
        if let Some(d) = c.date {
            if let Some(r) = report_date
                && d > r
            {
                out.push(finding(
                    doc,
                    c,
                    Kind::CitationAnachronism,
                    Severity::Error,
                    format!(
                        "{} số {} ghi ngày {}, sau ngày của báo cáo ({})",
                        c.kind,
                        c.symbol,
                        fmt(d),
                        fmt(r)
                    ),
                ));
            }
            if let Some(y) = symbol_year(&c.symbol)
                && y != d.year()
            {
                out.push(finding(
                    doc,
                    c,
                    Kind::CitationConflict,
                    Severity::Error,
                    format!(
                        "{} số {}: năm trong số hiệu là {y} nhưng ngày ban hành ghi {}",
                        c.kind,
                        c.symbol,
                        fmt(d)
                    ),
                ));
            }
        }
        // a legislature's symbol with a year outside its term
        if let (Some((n, first, last)), Some(y)) = (legislature(&c.symbol), symbol_year(&c.symbol))
            && (y < first || y > last)
        {
            out.push(finding(
                doc,
                c,
                Kind::CitationAnachronism,
                Severity::Error,
                format!(
                    "{} số {}: Quốc hội khóa {n} làm việc {first}–{last}, không thể ban hành văn bản năm {y}",
                    c.kind, c.symbol
                ),
            ));
        }
        // the symbol's year after the report
        if c.entry.is_none()
            && let (Some(y), Some(r)) = (symbol_year(&c.symbol), report_date)
            && y > r.year()
        {
            out.push(finding(
                doc,
                c,
                Kind::CitationAnachronism,
                Severity::Error,
                format!(
                    "{} số {} ban hành năm {y}, sau ngày của báo cáo ({})",
                    c.kind,
                    c.symbol,
                    fmt(r)
                ),
            ));
        }
    }
    // the same document cited with two dates (in the same year: numbers restart yearly)
    let mut by_symbol: BTreeMap<(String, String), Vec<&Citation>> = BTreeMap::new();
    for c in cites.iter().filter(|c| c.entry.is_none()) {
        by_symbol
            .entry((c.kind.clone(), symbol_key(&c.symbol)))
            .or_default()
            .push(c);
    }
    for ((kind, _), list) in &by_symbol {
        let symbol = &list[0].symbol;
        let dated: Vec<&&Citation> = list.iter().filter(|c| c.date.is_some()).collect();
        let Some(first) = dated.first() else { continue };
        let Some(d0) = first.date else { continue };
        if let Some(other) = dated
            .iter()
            .find(|c| c.date.is_some_and(|d| d != d0 && d.year() == d0.year()))
            && let Some(d1) = other.date
        {
            out.push(finding(
                doc,
                other,
                Kind::CitationConflict,
                Severity::Error,
                format!(
                    "{kind} số {symbol} được dẫn với hai ngày khác nhau: {} (dòng {}) và {}{}",
                    fmt(d0),
                    doc.blocks[first.block].line_of(first.start),
                    fmt(d1),
                    if other.symbol != *symbol {
                        format!(" (số hiệu còn được viết «{}»)", other.symbol)
                    } else {
                        String::new()
                    }
                ),
            ));
        }
    }
    // a state legal text cited without the year its symbol must carry
    let mut full_symbols: std::collections::HashMap<(&str, &str, &str), &str> =
        std::collections::HashMap::new();
    for o in cites.iter().filter(|c| c.entry.is_none()) {
        let p: Vec<&str> = o.symbol.split('/').collect();
        if p.len() == 3 {
            full_symbols
                .entry((o.kind.as_str(), p[0], p[2]))
                .or_insert(o.symbol.as_str());
        }
    }
    for c in cites.iter().filter(|c| c.entry.is_none()) {
        let parts: Vec<&str> = c.symbol.split('/').collect();
        let needs_year = parts.len() == 2
            && (parts[1].starts_with("NĐ-CP")
                || parts[1].starts_with("ND-CP")
                || parts[1].starts_with("QH")
                || parts[1].starts_with("PL-")
                || parts[1].starts_with("TT-"));
        if !needs_year {
            continue;
        }
        let num = parts[0];
        let full = full_symbols
            .get(&(c.kind.as_str(), num, parts[1]))
            .map(|s| s.to_string())
            .or_else(|| {
                catalogue
                    .iter()
                    .find(|e| {
                        let n = norm_symbol(&e.number);
                        n.starts_with(&format!("{num}/"))
                            && n.ends_with(parts[1])
                            && n.split('/').count() == 3
                    })
                    .map(|e| e.number.clone())
            });
        out.push(finding(
            doc,
            c,
            Kind::CitationConflict,
            Severity::Warning,
            match full {
                Some(f) => format!("{} số «{}» thiếu năm ban hành; đúng là «{f}»", c.kind, c.symbol),
                None => format!(
                    "{} số «{}» thiếu năm ban hành (số hiệu văn bản quy phạm pháp luật phải có năm)",
                    c.kind, c.symbol
                ),
            },
        ));
    }
    // against the catalogue: cited before it existed, on a wrong date, after its end
    let Some(report_date) = report_date else {
        return;
    };
    let mut reported: std::collections::HashSet<(usize, String)> = std::collections::HashSet::new();
    let own_keys;
    let keys: &[String] = if std::ptr::eq(catalogue.as_ptr(), SHIPPED.as_ptr()) {
        &SHIPPED_KEYS
    } else {
        own_keys = catalogue
            .iter()
            .map(|e| symbol_key(&e.number))
            .collect::<Vec<_>>();
        &own_keys
    };
    for c in &cites {
        let Some(entry) = entry_of(c, catalogue, keys) else {
            continue;
        };
        if let (Some(d), Some(issued)) = (c.date, entry.issued)
            && d != issued
            && (d.year() == issued.year()
                || symbol_year(&entry.number).is_none() && (d.year() - issued.year()).abs() <= 3)
        {
            out.push(finding(
                doc,
                c,
                Kind::CitationConflict,
                Severity::Warning,
                format!(
                    "{} {} ban hành ngày {}, báo cáo ghi ngày {}",
                    entry.kind,
                    entry.number,
                    fmt(issued),
                    fmt(d)
                ),
            ));
        }
        if let Some(issued) = entry.issued
            && report_date < issued
        {
            out.push(finding(
                doc,
                c,
                Kind::CitationAnachronism,
                Severity::Error,
                format!(
                    "{} {} ban hành ngày {}, sau ngày của báo cáo ({}): báo cáo không thể dẫn văn bản chưa có",
                    entry.kind,
                    entry.number,
                    fmt(issued),
                    fmt(report_date)
                ),
            ));
            continue;
        }
        let Some(ended) = entry.ended else { continue };
        if report_date <= ended || looks_back(&sentence_of(doc, c)) {
            continue;
        }
        // one finding per text per line
        let key = (doc.blocks[c.block].line_of(c.start), entry.number.clone());
        if !reported.insert(key) {
            continue;
        }
        out.push(finding(
            doc,
            c,
            Kind::CitationSuperseded,
            Severity::Error,
            format!(
                "{} {} hết hiệu lực từ {}{}; báo cáo ngày {} vẫn dẫn chiếu để thực hiện",
                entry.kind,
                entry.number,
                fmt(ended.succ_opt().unwrap_or(ended)),
                entry
                    .replaced_by
                    .as_deref()
                    .map(|r| format!(", được thay bằng {r}"))
                    .unwrap_or_default(),
                fmt(report_date)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_text;

    fn run(text: &str) -> Vec<Finding> {
        let doc = Document::new(read_text(text.as_bytes()).unwrap());
        let mut out = vec![];
        check(&doc, &mut out);
        out
    }

    const HEAD: &str =
        "PHƯỜNG X\n\nSố: 1/BC-UBND\n\nHà Nội, ngày 10 tháng 12 năm 2024\n\nBÁO CÁO\n\nNăm 2024\n\n";

    #[test]
    fn superseded_only_after_the_end() {
        let f = run(&format!(
            "{HEAD}Thực hiện Pháp lệnh số 34/2007/PL-UBTVQH11, ngày 20/4/2007 về dân chủ ở xã.\n"
        ));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, Kind::CitationSuperseded);
        assert!(
            f[0].message.contains("01/07/2023") && f[0].message.contains("10/2022/QH15"),
            "{}",
            f[0].message
        );
        let before = HEAD
            .replace("năm 2024", "năm 2023")
            .replace("tháng 12", "tháng 5");
        assert!(
            run(&format!(
                "{before}Thực hiện Pháp lệnh số 34/2007/PL-UBTVQH11.\n"
            ))
            .is_empty()
        );
        assert!(
            run(&format!(
                "{HEAD}Luật 10/2022/QH15 thay thế Pháp lệnh 34/2007/PL-UBTVQH11.\n"
            ))
            .is_empty()
        );
    }

    #[test]
    fn every_citation_form_and_per_sentence_lookback() {
        // by title, by number and year, with an en-dash, with the legacy Đ
        for cited in [
            "Pháp lệnh thực hiện dân chủ ở xã, phường, thị trấn",
            "Pháp lệnh số 34/2007",
            "Pháp lệnh số 34/2007/PL–UBTVQH11",
            "Nghị định số 04/2015/NĐ-CP",
        ] {
            let f = run(&format!(
                "{HEAD}Phường tiếp tục thực hiện {cited} trong năm.\n"
            ));
            assert_eq!(
                f.iter()
                    .filter(|x| x.kind == Kind::CitationSuperseded)
                    .count(),
                1,
                "{cited}: {f:?}"
            );
        }
        // a look-back in one sentence does not silence an application in the next
        let f = run(&format!(
            "{HEAD}Tổng kết 15 năm thực hiện Pháp lệnh số 34/2007/PL-UBTVQH11 cho thấy nhiều kết quả. Năm nay phường vẫn thực hiện Pháp lệnh số 34/2007/PL-UBTVQH11 về công khai.\n"
        ));
        assert_eq!(
            f.iter()
                .filter(|x| x.kind == Kind::CitationSuperseded)
                .count(),
            1,
            "{f:?}"
        );
        let f = run(&format!(
            "{HEAD}Qua hơn 16 năm thực hiện Pháp lệnh số 34/2007/PL-UBTVQH11, nhận thức được nâng lên.\n"
        ));
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn impossible_and_future_dates() {
        let early = HEAD
            .replace("năm 2024", "năm 2021")
            .replace("Năm 2024", "Năm 2021");
        let f = run(&format!(
            "{early}Triển khai Luật Thực hiện dân chủ ở cơ sở trên địa bàn.\n"
        ));
        assert_eq!(
            f.iter().map(|x| x.kind).collect::<Vec<_>>(),
            [Kind::CitationAnachronism],
            "{f:?}"
        );
        let f = run(&format!(
            "{HEAD}Kế hoạch số 12/KH-UBND ngày 31/4/2024 của UBND phường; Luật số 15/2019/QH15; Kế hoạch số 20/KH-UBND ngày 05/01/2025.\n"
        ));
        assert_eq!(
            f.iter()
                .filter(|x| x.kind == Kind::CitationAnachronism)
                .count(),
            3,
            "{f:?}"
        );
        let f = run(&format!(
            "{HEAD}Thực hiện Nghị định số 59/NĐ-CP của Chính phủ.\n"
        ));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("59/2023/NĐ-CP"), "{}", f[0].message);
    }

    #[test]
    fn two_dates_and_wrong_types() {
        let f = run(&format!(
            "{HEAD}Theo Nghị quyết số 17-NQ/TU ngày 05/8/2019 của Tỉnh ủy.\nThực hiện Nghị quyết số 17/NQ-TU, ngày 05/5/2019.\nNghị định 42/NQ-CP ngày 9/4/2020.\n"
        ));
        assert_eq!(
            f.iter()
                .filter(|x| x.kind == Kind::CitationConflict)
                .count(),
            2,
            "{f:?}"
        );
        // different years: two different documents with the same number
        assert!(run(&format!("{HEAD}Kế hoạch số 03/KH-UBND ngày 04/01/2023; Kế hoạch số 03/KH-UBND ngày 05/01/2024.\n")).is_empty());
        // consistent citations are fine
        assert!(run(&format!("{HEAD}Quy định số 11-QĐi/TW ngày 18/02/2019; Quyết định 217-QĐ/TW; Luật số 10/2022/QH15.\n")).is_empty());
    }

    #[test]
    fn catalogue_is_well_formed() {
        let c = load_catalogue(CATALOGUE).unwrap();
        assert!(c.len() >= 15);
        for d in &c {
            if let Some(e) = d.ended {
                assert!(e > d.effective, "{}", d.number);
                assert!(d.replaced_by.is_some(), "{}", d.number);
            }
            if let Some(i) = d.issued {
                assert!(i <= d.effective, "{}", d.number);
            }
            if let Some(y) = symbol_year(&d.number) {
                assert_eq!(Some(y), d.issued.map(|i| i.year()), "{}", d.number);
            }
        }
    }
}

#[cfg(test)]
mod symbol_key_tests {
    use super::*;
    use proptest::prelude::*;

    /// The key as first written: normalise, split, join, uppercase, `Đ` → `D`.
    fn plain(s: &str) -> String {
        norm_symbol(s)
            .split(['-', '/'])
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("|")
            .to_uppercase()
            .replace('Đ', "D")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn one_pass_key_is_the_plain_key(s in "[0-9a-zA-ZđĐßİ/\\- –]{0,24}") {
            prop_assert_eq!(symbol_key(&s), plain(&s));
        }
    }

    #[test]
    fn keys_of_written_forms() {
        assert_eq!(symbol_key("17-NQ/TU"), symbol_key("17/NQ-TU"));
        assert_eq!(symbol_key(" 34/2007/PL–UBTVQH11 "), "34|2007|PL|UBTVQH11");
        assert_eq!(symbol_key("04-BC/bcđ"), "04|BC|BCD");
        assert_eq!(symbol_key("--/"), "");
    }
}
