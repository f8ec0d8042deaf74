//! Legal citations: the same document cited with two dates, a type name that
//! contradicts its symbol, a symbol missing its year, and texts applied after
//! they stopped being in force (from `data/legal-documents.toml`).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde::Deserialize;

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
    pub effective: NaiveDate,
    #[serde(default)]
    pub ended: Option<NaiveDate>,
    #[serde(default)]
    pub replaced_by: Option<String>,
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

static SHIPPED: LazyLock<Vec<LegalDoc>> =
    LazyLock::new(|| load_catalogue(CATALOGUE).expect("shipped catalogue parses"));

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

static CITATION: LazyLock<Regex> = LazyLock::new(|| {
    let types = TYPES
        .iter()
        .map(|(t, _)| regex::escape(t))
        .collect::<Vec<_>>()
        .join("|");
    Regex::new(&format!(
        r"(?i)\b({types})\s+(?:số\s*:?\s*)?([0-9]{{1,5}}(?:\s*[-/]\s*[\p{{L}}0-9]+)+)(?:\s*,?\s*(?:ban hành\s+)?ngày\s+(\d{{1,2}})\s*(?:/|\s+tháng\s+)\s*(\d{{1,2}})\s*(?:/|\s+năm\s+)\s*(\d{{4}}))?"
    ))
    .expect("regex")
});

/// A citation found in the text.
#[derive(Debug, Clone)]
pub struct Citation {
    pub block: usize,
    pub start: usize,
    pub end: usize,
    pub kind: String,
    pub symbol: String,
    pub date: Option<NaiveDate>,
}

fn norm_symbol(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace('–', "-")
}

/// The same symbol however its separators are written: `17-NQ/TU` and `17/NQ-TU`.
fn symbol_key(s: &str) -> String {
    norm_symbol(s)
        .split(['-', '/'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("|")
        .to_uppercase()
}

fn canonical_type(t: &str) -> String {
    let lower = t.to_lowercase();
    TYPES
        .iter()
        .find(|(x, _)| x.to_lowercase() == lower)
        .map_or_else(|| t.to_string(), |(x, _)| x.to_string())
}

/// Every citation in the document, outside its header.
pub fn citations(doc: &Document) -> Vec<Citation> {
    let mut out = Vec::new();
    for (bi, b) in doc.blocks.iter().enumerate() {
        if b.part == Part::Header {
            continue;
        }
        // most paragraphs cite nothing: look for a symbol before running the full pattern
        if !b.text.contains('/') && !b.text.contains('-') {
            continue;
        }
        for c in CITATION.captures_iter(&b.text) {
            let m = c.get(0).expect("match");
            let date = match (c.get(3), c.get(4), c.get(5)) {
                (Some(d), Some(mo), Some(y)) => NaiveDate::from_ymd_opt(
                    y.as_str().parse().unwrap_or(0),
                    mo.as_str().parse().unwrap_or(0),
                    d.as_str().parse().unwrap_or(0),
                ),
                _ => None,
            };
            // "Thông báo kết luận số 160-TB/TW" is a Thông báo
            let before = b.text[..m.start()].trim_end().to_lowercase();
            let outer = TYPES
                .iter()
                .find(|(t, _)| before.ends_with(&t.to_lowercase()))
                .map(|(t, _)| t.to_string());
            out.push(Citation {
                block: bi,
                start: b.text[..m.start()].chars().count(),
                end: b.text[..m.end()].chars().count(),
                kind: outer.unwrap_or_else(|| canonical_type(&c[1])),
                symbol: norm_symbol(&c[2]),
                date,
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
    Finding {
        line: b.line_of(c.start),
        kind,
        severity,
        message,
        excerpt: b.excerpt(c.start, c.end),
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

/// Checks citations against each other and against the catalogue.
pub fn check(doc: &Document, out: &mut Vec<Finding>) {
    check_with(doc, &SHIPPED, out);
}

pub fn check_with(doc: &Document, catalogue: &[LegalDoc], out: &mut Vec<Finding>) {
    let cites = citations(doc);
    // a type name contradicting its symbol
    for c in &cites {
        let Some(abbr) = type_abbrev(&c.symbol) else {
            continue;
        };
        let Some((_, expected)) = TYPES.iter().find(|(t, _)| *t == c.kind) else {
            continue;
        };
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
    // the same document cited with two dates (in the same year: numbers restart yearly)
    let mut by_symbol: BTreeMap<(String, String), Vec<&Citation>> = BTreeMap::new();
    for c in &cites {
        by_symbol
            .entry((c.kind.clone(), symbol_key(&c.symbol)))
            .or_default()
            .push(c);
    }
    for ((kind, _), list) in &by_symbol {
        let symbol = &list[0].symbol;
        let dated: Vec<&&Citation> = list.iter().filter(|c| c.date.is_some()).collect();
        let Some(first) = dated.first() else { continue };
        let d0 = first.date.expect("dated");
        if let Some(other) = dated.iter().find(|c| {
            c.date.is_some_and(|d| {
                d != d0 && d.format("%Y").to_string() == d0.format("%Y").to_string()
            })
        }) {
            out.push(finding(
                doc,
                other,
                Kind::CitationConflict,
                Severity::Error,
                format!(
                    "{kind} số {symbol} được dẫn với hai ngày khác nhau: {} (dòng {}) và {}{}",
                    fmt(d0),
                    doc.blocks[first.block].line_of(first.start),
                    fmt(other.date.expect("dated")),
                    if other.symbol != *symbol {
                        format!(" (số hiệu còn được viết «{}»)", other.symbol)
                    } else {
                        String::new()
                    }
                ),
            ));
        }
    }
    // a state legal text cited without its year next to the full symbol
    for c in &cites {
        let parts: Vec<&str> = c.symbol.split('/').collect();
        if parts.len() == 2
            && (parts[1].starts_with("NĐ-CP")
                || parts[1].starts_with("QH")
                || parts[1].starts_with("PL-"))
        {
            let num = parts[0];
            if let Some(full) = cites.iter().find(|o| {
                o.kind == c.kind
                    && o.symbol.starts_with(&format!("{num}/"))
                    && o.symbol.ends_with(parts[1])
                    && o.symbol.split('/').count() == 3
            }) {
                out.push(finding(
                    doc,
                    c,
                    Kind::CitationConflict,
                    Severity::Warning,
                    format!(
                        "{} số «{}» thiếu năm ban hành; chỗ khác trong báo cáo ghi «{}»",
                        c.kind, c.symbol, full.symbol
                    ),
                ));
            }
        }
    }
    // texts applied after their end
    let Some(report_date) = doc.header.date else {
        return;
    };
    for c in &cites {
        let Some(entry) = catalogue.iter().find(|e| {
            norm_symbol(&e.number) == c.symbol
                || norm_symbol(&e.number).replace("Đ", "D") == c.symbol.replace("Đ", "D")
        }) else {
            continue;
        };
        let Some(ended) = entry.ended else { continue };
        if report_date <= ended {
            continue;
        }
        let b = &doc.blocks[c.block];
        let ctx = b.text.to_lowercase();
        // a mention of the replacement or of history is not an application
        if [
            "thay thế",
            "hết hiệu lực",
            "trước đây",
            "tổng kết",
            "sơ kết",
            "bãi bỏ",
        ]
        .iter()
        .any(|w| ctx.contains(w))
        {
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
        assert!(c.len() >= 10);
        for d in &c {
            if let Some(e) = d.ended {
                assert!(e > d.effective, "{}", d.number);
                assert!(d.replaced_by.is_some(), "{}", d.number);
            }
        }
    }
}
