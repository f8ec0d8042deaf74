//! The document model: lines joined into paragraphs (blocks), footnotes attached
//! to the paragraphs that cite them, the header, the outline headings, the
//! appendix, the recipients block and the signature.

use std::sync::LazyLock;

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
        self.lines
            .iter()
            .rev()
            .find(|(o, _)| *o <= offset)
            .map_or(self.lines[0].1, |(_, l)| *l)
    }

    pub fn first_line(&self) -> usize {
        self.lines[0].1
    }

    /// The text around a char range, for a finding's excerpt.
    pub fn excerpt(&self, start: usize, end: usize) -> String {
        let chars: Vec<char> = self.text.chars().collect();
        let a = start.saturating_sub(60);
        let b = (end + 60).min(chars.len());
        let mut s: String = chars[a..b].iter().collect();
        if a > 0 {
            s.insert(0, '…');
        }
        if b < chars.len() {
            s.push('…');
        }
        s
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
}

static FOOTNOTE_DEF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:⁽([0-9⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾|([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(\x{FFFD}))\s*").expect("regex")
});
static FOOTNOTE_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"⁽([0-9⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾|([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(\x{FFFD})").expect("regex")
});
static ROMAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*((?:IX|IV|V?I{1,3}|VI{0,3}|X))\s*[\.\-–]\s*(\S.*)$").expect("regex")
});
static DOTTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,2}(?:\.\d{1,2})+)\.?\s*(\S.*)$").expect("regex"));
static NUMBERED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,2})\.\s*(\D.*)$").expect("regex"));
static LETTERED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([a-zđ])\)\s*(\S.*)$").expect("regex"));
static PLACE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"([\p{L}][\p{L} .'’-]{1,40}),\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})",
    )
    .expect("regex")
});
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*Số\s*:?\s*([0-9]+\s*[-/]\s*[\p{L}0-9/\- ]+?)\s*$").expect("regex")
});
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)0?(6 tháng đầu năm|6 tháng cuối năm|9 tháng (?:đầu )?năm|quý [IV1-4]+ năm)(?:\s+(\d{4}))?").expect("regex")
});
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:năm\s+)?(\d{4})").expect("regex"));

/// The period a title covers: "6 tháng đầu năm 2022" even when the year comes later.
fn period_of(title: &str, fallback_year: Option<i32>) -> Option<String> {
    let year = YEAR
        .captures_iter(title)
        .filter_map(|c| c[1].parse::<i32>().ok())
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

fn is_upper_line(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 3 && letters.iter().all(|c| !c.is_lowercase())
}

/// Parses a heading line.
pub fn heading(line: &Line) -> Option<Heading> {
    let t = line.text.trim();
    let first = t.chars().next()?;
    if t.chars().count() > 300
        || !(first.is_ascii_digit() || matches!(first, 'I' | 'V' | 'X') || first.is_lowercase())
    {
        return None;
    }
    let head: String = t.chars().take(24).collect();
    let mk = |level: u8, re: &Regex| {
        re.captures(&head).map(|c| {
            let number = c[1].to_string();
            // the title: everything after the number and its punctuation
            let rest = t[number.len()..].trim_start_matches(|ch: char| {
                ch.is_whitespace() || matches!(ch, '.' | '-' | '–' | ')')
            });
            Heading {
                line: line.no,
                level,
                number,
                title: rest.trim().to_string(),
            }
        })
    };
    mk(1, &ROMAN)
        .or_else(|| mk(3, &DOTTED))
        .or_else(|| mk(2, &NUMBERED))
        .or_else(|| mk(4, &LETTERED))
}

impl Document {
    /// Builds the model from lines.
    pub fn new(lines: Vec<Line>) -> Document {
        let mut header = Header::default();
        // the place-and-date line, looked for only where it can be (a cheap test first)
        let is_place_date = |t: &str| {
            t.contains("ngày")
                && t.contains("tháng")
                && t.chars().count() < 120
                && PLACE_DATE.is_match(t)
        };
        let date_index = lines.iter().take(80).position(|l| is_place_date(&l.text));
        let head_end = date_index.map_or(25.min(lines.len()), |i| (i + 8).min(lines.len()));
        for l in &lines[..head_end] {
            let t = l.text.trim();
            if header.number.is_none()
                && let Some(c) = NUMBER.captures(t)
            {
                header.number = Some(c[1].split_whitespace().collect::<Vec<_>>().join(" "));
            }
            if header.date.is_none()
                && is_place_date(t)
                && let Some(c) = PLACE_DATE.captures(t)
            {
                header.place = Some(c[1].trim().to_string());
                header.date = NaiveDate::from_ymd_opt(
                    c[4].parse().unwrap_or(0),
                    c[3].parse().unwrap_or(0),
                    c[2].parse().unwrap_or(0),
                );
            }
        }
        let issuer: Vec<&str> = lines[..head_end]
            .iter()
            .map(|l| l.text.trim())
            .take_while(|t| !t.to_lowercase().starts_with("số"))
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
        if let Some(i) = lines
            .iter()
            .take(60)
            .position(|l| matches!(l.text.trim(), "BÁO CÁO" | "ĐỀ CƯƠNG BÁO CÁO" | "ĐỀ CƯƠNG"))
        {
            let next = lines[i + 1..]
                .iter()
                .find(|l| !l.text.trim().is_empty())
                .map(|l| l.text.trim().to_string())
                .unwrap_or_default();
            header.period = period_of(&next, header.date.map(|d| chrono::Datelike::year(&d)));
            header.title = Some(
                format!("{} {}", lines[i].text.trim(), next)
                    .trim()
                    .to_string(),
            );
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
            if let Some(c) = FOOTNOTE_DEF.captures(t) {
                let id = marker_id(&c);
                let rest = t[c.get(0).expect("match").end()..].to_string();
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
            if last_was_footnote && (trimmed.starts_with("* ") || trimmed.starts_with("+ ")) {
                let b = blocks.last_mut().expect("footnote block");
                let off = b.text.chars().count() + 1;
                b.text.push(' ');
                b.text.push_str(trimmed);
                b.lines.push((off, l.no));
                continue;
            }
            last_was_footnote = false;
            let continues = blocks.last().is_some_and(|b| {
                b.part == part
                    && b.footnote.is_none()
                    && !b
                        .text
                        .trim_end()
                        .ends_with(['.', ';', ':', '!', '?', ')', '”', '"', '…'])
                    && trimmed.starts_with(|c: char| c.is_lowercase())
            }) && heading(l).is_none();
            if continues {
                let b = blocks.last_mut().expect("block");
                let off = b.text.chars().count() + 1;
                b.text.push(' ');
                b.text.push_str(trimmed);
                b.lines.push((off, l.no));
            } else {
                blocks.push(Block {
                    text: trimmed.to_string(),
                    lines: vec![(0, l.no)],
                    part,
                    footnote: None,
                    refs: vec![],
                });
            }
        }
        // markers cited in the body
        for b in blocks.iter_mut().filter(|b| b.footnote.is_none()) {
            let mut refs = Vec::new();
            for c in FOOTNOTE_REF.captures_iter(&b.text) {
                let m = c.get(0).expect("match");
                let off = b.text[..m.start()].chars().count();
                refs.push((marker_id(&c), off));
            }
            b.refs = refs;
        }
        Document {
            lines,
            blocks,
            header,
            headings,
            appendix_line,
            recipients_line,
            signature_line,
        }
    }

    /// The body block citing footnote `id` (the k-th `�` cites the k-th `�` note).
    pub fn citing_block(&self, footnote_index: usize) -> Option<(usize, usize)> {
        let note = &self.blocks[footnote_index];
        let id = note.footnote.as_deref()?;
        if id == "?" {
            let k = self.blocks[..footnote_index]
                .iter()
                .filter(|b| b.footnote.as_deref() == Some("?"))
                .count();
            let mut seen = 0;
            for (bi, b) in self.blocks.iter().enumerate() {
                for (rid, off) in &b.refs {
                    if rid == "?" {
                        if seen == k {
                            return Some((bi, *off));
                        }
                        seen += 1;
                    }
                }
            }
            return None;
        }
        self.blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| b.footnote.is_none())
            .find_map(|(bi, b)| {
                b.refs
                    .iter()
                    .find(|(r, _)| r == id)
                    .map(|(_, off)| (bi, *off))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_text;

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
