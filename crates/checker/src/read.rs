//! Reading reports: plain text in any Unicode normalisation, and .docx. Every line
//! keeps the number a person finds it under (text line, or docx paragraph).

use std::io::Read;

use unicode_normalization::UnicodeNormalization;

/// One line of the source, NFC-normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// 1-based line number (text) or paragraph number (.docx).
    pub no: usize,
    pub text: String,
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError(pub String);

/// Reads UTF-8 text (a BOM, CRLF and decomposed letters are fine).
pub fn read_text(bytes: &[u8]) -> Result<Vec<Line>, ReadError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ReadError(format!("tệp không phải UTF-8 (byte {})", e.valid_up_to())))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok(text
        .split('\n')
        .enumerate()
        .map(|(i, l)| Line {
            no: i + 1,
            text: l.trim_end_matches('\r').nfc().collect(),
        })
        .collect())
}

/// Reads the paragraphs of a .docx (text split across runs is joined; deleted
/// text is skipped); footnotes are appended after the body, each prefixed with
/// its superscript number so they attach to their markers.
pub fn read_docx(bytes: &[u8]) -> Result<Vec<Line>, ReadError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| ReadError(format!("không mở được tệp .docx: {e}")))?;
    let part = |zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
                name: &str|
     -> Result<Option<String>, ReadError> {
        let mut f = match zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(ReadError(format!("{name}: {e}"))),
        };
        if f.size() > 64 * 1024 * 1024 {
            return Err(ReadError(format!("{name} quá lớn")));
        }
        let mut s = String::new();
        f.read_to_string(&mut s)
            .map_err(|e| ReadError(format!("{name}: {e}")))?;
        Ok(Some(s))
    };
    let doc = part(&mut zip, "word/document.xml")?
        .ok_or_else(|| ReadError("tệp .docx thiếu word/document.xml".into()))?;
    let mut paras = paragraphs(&doc, "p")?;
    if let Some(notes) = part(&mut zip, "word/footnotes.xml")? {
        for (id, text) in footnotes(&notes)? {
            paras.push(format!("{} {}", superscript(&id), text.trim()));
        }
    }
    Ok(paras
        .into_iter()
        .enumerate()
        .map(|(i, t)| Line {
            no: i + 1,
            text: t.nfc().collect(),
        })
        .collect())
}

fn superscript(n: &str) -> String {
    n.chars()
        .map(|c| match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            '9' => '⁹',
            c => c,
        })
        .collect()
}

/// Text of every `w:p`; footnote references become superscript markers.
fn paragraphs(xml: &str, _tag: &str) -> Result<Vec<String>, ReadError> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut in_t, mut in_del, mut in_p, mut in_footnotes) = (false, 0usize, false, false);
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"p" => {
                    in_p = true;
                    cur.clear();
                }
                b"t" if in_del == 0 => in_t = true,
                b"del" => in_del += 1,
                b"footnote" => in_footnotes = true,
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                b"tab" if in_p => cur.push('\t'),
                b"br" if in_p => cur.push(' '),
                b"footnoteReference" => {
                    if let Some(id) = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == b"id")
                    {
                        cur.push_str(&superscript(&String::from_utf8_lossy(&id.value)));
                    }
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_t => {
                cur.push_str(&t.unescape().map_err(|e| ReadError(format!("XML: {e}")))?)
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                b"t" => in_t = false,
                b"del" => in_del = in_del.saturating_sub(1),
                b"p" => {
                    in_p = false;
                    out.push(std::mem::take(&mut cur));
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => return Err(ReadError(format!("XML không hợp lệ: {e}"))),
            _ => {}
        }
    }
    let _ = in_footnotes;
    Ok(out)
}

/// (id, text) of every real footnote (ids ≥ 1; 0 and -1 are separators).
fn footnotes(xml: &str) -> Result<Vec<(String, String)>, ReadError> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut id = String::new();
    let mut text = String::new();
    let mut in_t = false;
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"footnote" => {
                    id = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == b"id")
                        .map(|a| String::from_utf8_lossy(&a.value).to_string())
                        .unwrap_or_default();
                    text.clear();
                }
                b"t" => in_t = true,
                _ => {}
            },
            Ok(Event::Text(t)) if in_t => {
                text.push_str(&t.unescape().map_err(|e| ReadError(format!("XML: {e}")))?)
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                b"t" => in_t = false,
                b"p" => text.push(' '),
                b"footnote" => {
                    if id.parse::<i64>().is_ok_and(|n| n >= 1) {
                        out.push((id.clone(), text.trim().to_string()));
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => return Err(ReadError(format!("XML không hợp lệ: {e}"))),
            _ => {}
        }
    }
    Ok(out)
}
