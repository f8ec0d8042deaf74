//! Reading reports: plain text in any Unicode normalisation and in the encodings
//! Vietnamese offices still produce (UTF-8 with or without BOM, UTF-16, Windows-1258,
//! the TCVN3 and VNI font encodings), and .docx. Every line keeps the number a person
//! finds it under (text line, or docx paragraph); CR, LF and CRLF all end a line.
//! Formats that cannot be read (.doc, PDF, RTF, images, spreadsheets) get a message
//! that names the format and what to do.

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

/// Text decoded from bytes, with the encoding that was assumed.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// `UTF-8`, `UTF-8 (BOM)`, `UTF-16LE`, `UTF-16BE`, `Windows-1258`, `TCVN3`, `VNI-Windows`, …
    pub encoding: &'static str,
}

/// TCVN 5712:1993 (VN1; VN3 "ABC" uses the same lower half) bytes 0x80–0xFF.
const TCVN3: [char; 128] = [
    '\u{00C0}', '\u{1EA2}', '\u{00C3}', '\u{00C1}', '\u{1EA0}', '\u{1EB6}', '\u{1EAC}', '\u{00C8}',
    '\u{1EBA}', '\u{1EBC}', '\u{00C9}', '\u{1EB8}', '\u{1EC6}', '\u{00CC}', '\u{1EC8}', '\u{0128}',
    '\u{00CD}', '\u{1ECA}', '\u{00D2}', '\u{1ECE}', '\u{00D5}', '\u{00D3}', '\u{1ECC}', '\u{1ED8}',
    '\u{1EDC}', '\u{1EDE}', '\u{1EE0}', '\u{1EDA}', '\u{1EE2}', '\u{00D9}', '\u{1EE6}', '\u{0168}',
    '\u{00A0}', '\u{0102}', '\u{00C2}', '\u{00CA}', '\u{00D4}', '\u{01A0}', '\u{01AF}', '\u{0110}',
    '\u{0103}', '\u{00E2}', '\u{00EA}', '\u{00F4}', '\u{01A1}', '\u{01B0}', '\u{0111}', '\u{1EB0}',
    '\u{0300}', '\u{0309}', '\u{0303}', '\u{0301}', '\u{0323}', '\u{00E0}', '\u{1EA3}', '\u{00E3}',
    '\u{00E1}', '\u{1EA1}', '\u{1EB2}', '\u{1EB1}', '\u{1EB3}', '\u{1EB5}', '\u{1EAF}', '\u{1EB4}',
    '\u{1EAE}', '\u{1EA6}', '\u{1EA8}', '\u{1EAA}', '\u{1EA4}', '\u{1EC0}', '\u{1EB7}', '\u{1EA7}',
    '\u{1EA9}', '\u{1EAB}', '\u{1EA5}', '\u{1EAD}', '\u{00E8}', '\u{1EC2}', '\u{1EBB}', '\u{1EBD}',
    '\u{00E9}', '\u{1EB9}', '\u{1EC1}', '\u{1EC3}', '\u{1EC5}', '\u{1EBF}', '\u{1EC7}', '\u{00EC}',
    '\u{1EC9}', '\u{1EC4}', '\u{1EBE}', '\u{1ED2}', '\u{0129}', '\u{00ED}', '\u{1ECB}', '\u{00F2}',
    '\u{1ED4}', '\u{1ECF}', '\u{00F5}', '\u{00F3}', '\u{1ECD}', '\u{1ED3}', '\u{1ED5}', '\u{1ED7}',
    '\u{1ED1}', '\u{1ED9}', '\u{1EDD}', '\u{1EDF}', '\u{1EE1}', '\u{1EDB}', '\u{1EE3}', '\u{00F9}',
    '\u{1ED6}', '\u{1EE7}', '\u{0169}', '\u{00FA}', '\u{1EE5}', '\u{1EEB}', '\u{1EED}', '\u{1EEF}',
    '\u{1EE9}', '\u{1EF1}', '\u{1EF3}', '\u{1EF7}', '\u{1EF9}', '\u{00FD}', '\u{1EF5}', '\u{1ED0}',
];

/// Words frequent in Vietnamese reports, all with a non-ASCII letter, used to tell
/// which decoding of legacy bytes is the right one.
const COMMON: &[&str] = &[
    "và",
    "của",
    "các",
    "được",
    "thực",
    "hiện",
    "người",
    "đã",
    "năm",
    "dân",
    "chủ",
    "công",
    "tác",
    "đơn",
    "việc",
    "những",
    "với",
    "cơ",
    "sở",
    "xã",
    "có",
    "không",
    "là",
    "này",
    "để",
    "đến",
    "về",
    "phường",
    "huyện",
    "tỉnh",
    "đảng",
    "ủy",
    "quyết",
    "định",
    "báo",
    "cáo",
    "kết",
    "quả",
    "tổ",
    "chức",
    "nhân",
    "nội",
    "dung",
    "tiếp",
    "giải",
];

/// How Vietnamese a text looks: common words counted in its first 200.000 chars.
fn score(text: &str) -> usize {
    let mut n = 0;
    let mut word = String::new();
    for c in text.chars().take(200_000).chain(std::iter::once(' ')) {
        if c.is_alphabetic() {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            let w: String = word.nfc().collect();
            if COMMON.contains(&w.as_str()) {
                n += 1;
            }
            word.clear();
        }
    }
    n
}

fn decode_tcvn3(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b < 0x80 {
                char::from(b)
            } else {
                TCVN3[usize::from(b - 0x80)]
            }
        })
        .collect()
}

/// VNI-Windows: a base letter followed by a tone or shape byte, read through Windows-1252.
fn decode_vni(bytes: &[u8]) -> String {
    let (cp, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    vni_to_unicode(&cp)
}

/// The Unicode letter of a VNI pair (base, modifier), if it is one.
fn vni_pair(base: char, m: char) -> Option<char> {
    let lower = base.is_lowercase();
    let b = base.to_lowercase().next().unwrap_or(base);
    let ml = m.to_lowercase().next().unwrap_or(m);
    // modifier case must follow the base's case
    if m.is_alphabetic() && m.is_lowercase() != lower {
        return None;
    }
    let tones = ['ø', 'ù', 'û', 'õ', 'ï']; // grave, acute, hook, tilde, dot
    let circ = ['â', 'à', 'á', 'å', 'ã', 'ä']; // circumflex, then with tones
    let breve = ['ê', 'è', 'é', 'ú', 'ü', 'ë']; // breve, then with tones
    let table = |plain: &str, row: &[char]| -> Option<char> {
        row.iter()
            .position(|x| *x == ml)
            .and_then(|i| plain.chars().nth(i))
    };
    let out = match b {
        'a' => table("àáảãạ", &tones)
            .or_else(|| table("âầấẩẫậ", &circ))
            .or_else(|| table("ăằắẳẵặ", &breve)),
        'e' => table("èéẻẽẹ", &tones).or_else(|| table("êềếểễệ", &circ)),
        'o' => table("òóỏõọ", &tones).or_else(|| table("ôồốổỗộ", &circ)),
        'u' => table("ùúủũụ", &tones),
        'y' => table("ỳýỷỹ", &tones[..4]),
        'ô' => table("ờớởỡợ", &tones), // VNI "ô" is ơ
        'ö' => table("ừứửữự", &tones), // VNI "ö" is ư
        _ => None,
    }?;
    Some(if lower {
        out
    } else {
        out.to_uppercase().next().unwrap_or(out)
    })
}

fn vni_single(c: char) -> Option<char> {
    Some(match c {
        'ñ' => 'đ',
        'Ñ' => 'Đ',
        'ô' => 'ơ',
        'Ô' => 'Ơ',
        'ö' => 'ư',
        'Ö' => 'Ư',
        'ì' => 'ì',
        'í' => 'í',
        'æ' => 'ỉ',
        'Æ' => 'Ỉ',
        'ó' => 'ĩ',
        'Ó' => 'Ĩ',
        'ò' => 'ị',
        'Ò' => 'Ị',
        'î' => 'ỵ',
        'Î' => 'Ỵ',
        _ => return None,
    })
}

/// Converts text typed in VNI (as Windows-1252 characters) to Unicode.
pub fn vni_to_unicode(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(&m) = chars.get(i + 1)
            && let Some(v) = vni_pair(c, m)
        {
            out.push(v);
            i += 2;
            continue;
        }
        out.push(vni_single(c).unwrap_or(c));
        i += 1;
    }
    out
}

/// Back from characters to the single bytes a legacy font file had (Windows-1252).
fn to_cp1252_bytes(s: &str) -> Option<Vec<u8>> {
    let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode(s);
    (!bad).then(|| bytes.into_owned())
}

fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if bytes.len() < 8 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(4000)];
    let pairs = sample.len() / 2;
    let zero_hi = sample.chunks(2).filter(|p| p[1] == 0 && p[0] != 0).count();
    let zero_lo = sample.chunks(2).filter(|p| p[0] == 0 && p[1] != 0).count();
    if zero_hi * 10 >= pairs * 3 && zero_lo * 10 < pairs {
        Some(encoding_rs::UTF_16LE)
    } else if zero_lo * 10 >= pairs * 3 && zero_hi * 10 < pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Characters legacy fonts leave in text read as Latin-1 and Vietnamese never uses.
const fn legacy_signal(c: char) -> bool {
    matches!(c, '¨'..='®' | 'µ'..='¾' | '×' | 'Þ' | 'ß' | 'ø' | 'ù' | 'û' | 'ï' | 'ö' | 'ñ' | 'æ' | 'å' | 'ä' | 'ë' | 'ü' | 'Ø' | 'Ù' | 'Û' | 'Ï' | 'Ö' | 'Ñ' | 'Æ' | 'Å' | 'Ä' | 'Ë' | 'Ü')
}

/// [`legacy_signal`] of U+0080..U+00FF, by code point − 0x80: the chars a lead
/// byte 0xC2 or 0xC3 starts (the lead byte's last bit, then the next byte's six).
const LEGACY_LATIN1: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = match char::from_u32(0x80 + i as u32) {
            Some(c) => legacy_signal(c),
            None => false,
        };
        i += 1;
    }
    t
};

/// Decodes a text file, telling which encoding was assumed.
pub fn decode_text(bytes: &[u8]) -> Result<Decoded, ReadError> {
    decode(bytes).map(|(text, encoding)| Decoded {
        text: text.into_owned(),
        encoding,
    })
}

/// [`decode_text`], borrowing the bytes when they are the text (UTF-8): a file read
/// once is not copied whole for nothing.
fn decode(bytes: &[u8]) -> Result<(std::borrow::Cow<'_, str>, &'static str), ReadError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|t| (std::borrow::Cow::Borrowed(t), "UTF-8 (BOM)"))
            .map_err(|e| {
                ReadError(format!(
                    "tệp ghi là UTF-8 nhưng có byte sai ở vị trí {}",
                    e.valid_up_to() + 3
                ))
            });
    }
    for (bom, enc, name) in [
        (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE, "UTF-16LE"),
        (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE, "UTF-16BE"),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (t, _) = enc.decode_without_bom_handling(rest);
            return Ok((t.into_owned().into(), name));
        }
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (t, _) = enc.decode_without_bom_handling(bytes);
        return Ok((
            t.into_owned().into(),
            if enc == encoding_rs::UTF_16LE {
                "UTF-16LE"
            } else {
                "UTF-16BE"
            },
        ));
    }
    // the same answer as `std::str::from_utf8`, checked with SIMD
    if let Ok(t) = simdutf8::basic::from_utf8(bytes) {
        // text typed in a legacy font and saved as UTF-8 reads as Latin-1 soup
        // a cheap look first: characters legacy fonts leave and Vietnamese never uses
        // the sample: the first 65 536 chars
        let end = if t.len() <= 65_536 {
            t.len()
        } else {
            t.char_indices().nth(65_536).map_or(t.len(), |(i, _)| i)
        };
        let sample = &t[..end];
        // every signal is in U+00A8..U+00FF: two bytes, C2 or C3 then one more
        let bytes = sample.as_bytes();
        let signals = memchr::memchr2_iter(0xC2, 0xC3, &bytes[..bytes.len().saturating_sub(1)])
            .filter(|&i| {
                LEGACY_LATIN1
                    [(usize::from(bytes[i] & 0x01) << 6) | usize::from(bytes[i + 1] & 0x3F)]
            })
            .count();
        // signals in more than 1 % of the letters (counting no further than that)
        let few_letters = || {
            sample
                .chars()
                .filter(|c| c.is_alphabetic())
                .take(signals * 100)
                .count()
                < signals * 100
        };
        let own = if signals > 0 && few_letters() {
            score(t)
        } else {
            usize::MAX
        };
        if own < 3
            && let Some(raw) = to_cp1252_bytes(t)
        {
            let tcvn = decode_tcvn3(&raw);
            let vni = vni_to_unicode(t);
            let (st, sv) = (score(&tcvn), score(&vni));
            if st.max(sv) >= 5 && st.max(sv) > own * 3 {
                return Ok(if st >= sv {
                    (tcvn.into(), "TCVN3 (trong tệp UTF-8)")
                } else {
                    (vni.into(), "VNI-Windows (trong tệp UTF-8)")
                });
            }
        }
        return Ok((std::borrow::Cow::Borrowed(t), "UTF-8"));
    }
    // a single-byte legacy encoding: the one that reads as Vietnamese
    let (cp1258, _, _) = encoding_rs::WINDOWS_1258.decode(bytes);
    let candidates = [
        (cp1258.into_owned(), "Windows-1258"),
        (decode_tcvn3(bytes), "TCVN3"),
        (decode_vni(bytes), "VNI-Windows"),
    ];
    let best = candidates
        .into_iter()
        .map(|(t, name)| (score(&t), t, name))
        .max_by_key(|(s, _, _)| *s);
    match best {
        Some((s, text, encoding)) if s > 0 => Ok((text.into(), encoding)),
        _ => Err(ReadError(
            "tệp không phải văn bản UTF-8 và không nhận ra bảng mã tiếng Việt nào (Windows-1258, TCVN3, VNI); hãy lưu lại dưới dạng .docx hoặc .txt UTF-8".into(),
        )),
    }
}

/// Normalises a line: NFC, the legacy look-alike `Ð` (U+00D0) read as `Đ`.
pub fn normalize(s: &str) -> String {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    // chars below U+0300 and the precomposed Vietnamese letters (U+1E00..U+1EFF)
    // are each NFC and start no combination (checked by a test): a line of only
    // those is NFC without the table look-ups
    // one look at the chars, up to the first that is not plain or is `Ð`: a line
    // of plain chars has no U+FEFF (which is not plain) — with no `Ð` it is kept
    let (mut plain, mut d0) = (true, false);
    for c in s.chars() {
        if c == '\u{00D0}' {
            d0 = true;
            break;
        }
        if !((c as u32) < 0x300 || ('\u{1E00}'..='\u{1EFF}').contains(&c)) {
            plain = false;
            break;
        }
    }
    if !d0
        && (plain
            || is_nfc_quick(s.chars()) == IsNormalized::Yes
                && !s.contains('\u{00D0}')
                && !s.contains('\u{feff}'))
    {
        return s.to_string();
    }
    s.nfc()
        .map(|c| match c {
            '\u{00D0}' => 'Đ',
            '\u{feff}' => ' ',
            c => c,
        })
        .collect()
}

/// Splits text into lines at CR, LF, CRLF (and Word's vertical tab / page break).
pub fn split_lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    // the breaks found by memchr (three bytes at a time); a page break (rare) sends
    // the text to the byte-by-byte loop
    if memchr::memchr(0x0c, bytes).is_some() {
        return split_lines_bytewise(text);
    }
    let mut out = Vec::with_capacity(memchr::memchr3_iter(b'\n', b'\r', 0x0b, bytes).count() + 1);
    let mut start = 0;
    let mut from = 0;
    while let Some(k) = memchr::memchr3(b'\n', b'\r', 0x0b, &bytes[from..]) {
        let i = from + k;
        out.push(Line {
            no: out.len() + 1,
            text: normalize(&text[start..i]),
        });
        let crlf = bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n');
        start = i + 1 + usize::from(crlf);
        from = start;
    }
    out.push(Line {
        no: out.len() + 1,
        text: normalize(&text[start..]),
    });
    out
}

/// [`split_lines`] a byte at a time, for texts with a page break.
fn split_lines_bytewise(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    // sized once: at most one line per break, and the last
    let breaks = bytes
        .iter()
        .filter(|b| matches!(b, b'\n' | b'\r' | 0x0b | 0x0c))
        .count();
    let mut out = Vec::with_capacity(breaks + 1);
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b'\n' | b'\r' | 0x0b | 0x0c) {
            out.push(Line {
                no: out.len() + 1,
                text: normalize(&text[start..i]),
            });
            if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    out.push(Line {
        no: out.len() + 1,
        text: normalize(&text[start..]),
    });
    out
}

/// Reads a text file in any supported encoding.
pub fn read_text(bytes: &[u8]) -> Result<Vec<Line>, ReadError> {
    Ok(read_text_with_encoding(bytes)?.0)
}

/// Reads a text file, with the encoding assumed.
pub fn read_text_with_encoding(bytes: &[u8]) -> Result<(Vec<Line>, &'static str), ReadError> {
    let (text, encoding) = decode(bytes)?;
    // control characters (other than line and tab breaks) say "binary", in bytes: cheap
    let head = &text.as_bytes()[..text.len().min(100_000)];
    let controls = head
        .iter()
        .filter(|b| **b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0b | 0x0c))
        .count();
    let total = head.len();
    if total > 0 && controls * 50 > total {
        return Err(ReadError(
            "tệp có vẻ là tệp nhị phân không rõ định dạng, không phải văn bản; hãy lưu báo cáo dưới dạng .docx hoặc .txt".into(),
        ));
    }
    Ok((split_lines(&text), encoding))
}

/// A format we recognise but do not read, named for the user with what to do.
pub fn unreadable_format(bytes: &[u8]) -> Option<String> {
    let starts = |p: &[u8]| bytes.starts_with(p);
    if starts(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Some("tệp Word 97–2003 (.doc) hoặc Excel 97–2003 (.xls) dạng OLE, chưa đọc được: hãy mở bằng Word hoặc LibreOffice, chọn «Lưu thành» định dạng .docx (hoặc .txt UTF-8) rồi kiểm tra lại".into());
    }
    if starts(b"%PDF") {
        return Some("tệp PDF chưa đọc được: hãy dùng bản .docx gốc của báo cáo, hoặc chép nội dung ra tệp .txt".into());
    }
    if starts(b"{\\rtf") {
        return Some("tệp RTF chưa đọc được: hãy mở bằng Word và lưu thành .docx".into());
    }
    if starts(b"\x89PNG")
        || starts(b"\xFF\xD8\xFF")
        || starts(b"GIF8")
        || starts(b"II*\x00")
        || starts(b"MM\x00*")
    {
        return Some("tệp ảnh (bản chụp, bản quét) không đọc được chữ: hãy dùng bản .docx hoặc .txt của báo cáo".into());
    }
    None
}

/// What a .docx holds: its paragraphs and the dates of its core properties.
pub struct DocxContent {
    pub lines: Vec<Line>,
    /// `dcterms:modified`, else `dcterms:created`.
    pub date: Option<chrono::NaiveDate>,
}

/// Reads the paragraphs of a .docx (text split across runs is joined; deleted
/// text is skipped); footnotes are appended after the body, each prefixed with
/// its superscript number so they attach to their markers.
pub fn read_docx(bytes: &[u8]) -> Result<Vec<Line>, ReadError> {
    Ok(read_docx_full(bytes)?.lines)
}

/// Reads a .docx with its core-property date.
pub fn read_docx_full(bytes: &[u8]) -> Result<DocxContent, ReadError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| ReadError(format!("không mở được tệp .docx: {e}")))?;
    let part = |zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
                name: &str|
     -> Result<Option<String>, ReadError> {
        let f = match zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(ReadError(format!("{name}: {e}"))),
        };
        if f.size() > 64 * 1024 * 1024 {
            return Err(ReadError(format!("{name} quá lớn")));
        }
        let mut s = String::new();
        f.take(64 * 1024 * 1024)
            .read_to_string(&mut s)
            .map_err(|e| ReadError(format!("{name}: {e}")))?;
        Ok(Some(s))
    };
    let Some(doc) = part(&mut zip, "word/document.xml")? else {
        let names: Vec<String> = zip.file_names().map(str::to_string).collect();
        let what = if names.iter().any(|n| n.starts_with("xl/")) {
            "bảng tính Excel (.xlsx)"
        } else if names.iter().any(|n| n.starts_with("ppt/")) {
            "bản trình chiếu PowerPoint (.pptx)"
        } else if names.iter().any(|n| n == "content.xml") {
            "văn bản OpenDocument (.odt/.ods)"
        } else {
            "tệp nén .zip"
        };
        return Err(ReadError(format!(
            "đây là {what}, không phải báo cáo .docx: hãy lưu báo cáo dưới dạng .docx hoặc .txt"
        )));
    };
    let mut paras = paragraphs(&doc)?;
    if let Some(notes) = part(&mut zip, "word/footnotes.xml")? {
        for (id, text) in footnotes(&notes)? {
            paras.push(format!("{} {}", superscript(&id), text.trim()));
        }
    }
    let date = part(&mut zip, "docProps/core.xml")?.and_then(|core| core_date(&core));
    Ok(DocxContent {
        lines: paras
            .into_iter()
            .enumerate()
            .map(|(i, t)| Line {
                no: i + 1,
                text: normalize(&t),
            })
            .collect(),
        date,
    })
}

/// The date of `dcterms:modified` (else `created`) in docProps/core.xml.
fn core_date(xml: &str) -> Option<chrono::NaiveDate> {
    let get = |tag: &str| {
        let open = xml.find(&format!("<dcterms:{tag}"))?;
        let body = &xml[open..];
        let start = body.find('>')? + 1;
        let end = body.find("</")?;
        let v = body.get(start..end)?.trim();
        chrono::NaiveDate::parse_from_str(v.get(..10)?, "%Y-%m-%d").ok()
    };
    get("modified").or_else(|| get("created"))
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
fn paragraphs(xml: &str) -> Result<Vec<String>, ReadError> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut in_t, mut in_del, mut in_p) = (false, 0usize, false);
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"p" => {
                    in_p = true;
                    cur.clear();
                }
                b"t" if in_del == 0 => in_t = true,
                b"del" => in_del += 1,
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
                b"footnote" if id.parse::<i64>().is_ok_and(|n| n >= 1) => {
                    out.push((id.clone(), text.trim().to_string()));
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    #[test]
    fn legacy_table_is_the_legacy_test() {
        for cp in 0x80u32..=0xFF {
            let c = char::from_u32(cp).unwrap_or('\0');
            let mut buf = [0u8; 2];
            let b = c.encode_utf8(&mut buf).as_bytes();
            let idx = (usize::from(b[0] & 0x01) << 6) | usize::from(b[1] & 0x3F);
            assert_eq!(super::LEGACY_LATIN1[idx], super::legacy_signal(c), "{c}");
            assert_eq!(idx as u32 + 0x80, cp);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The breaks found three bytes at a time give the lines of the byte loop.
        #[test]
        fn memchr_lines_are_the_bytewise_lines(
            s in "([a-zđĐ ]|\\r|\\n|\r\n|\u{0b}){0,40}",
        ) {
            let a: Vec<(usize, String)> =
                super::split_lines(&s).into_iter().map(|l| (l.no, l.text)).collect();
            let b: Vec<(usize, String)> =
                super::split_lines_bytewise(&s).into_iter().map(|l| (l.no, l.text)).collect();
            prop_assert_eq!(a, b);
        }
    }

    /// The shortcut of `normalize`: every char below U+0300 or in U+1E00..U+1EFF is
    /// NFC on its own, with combining class 0, so any line of them is NFC.
    #[test]
    fn plain_chars_are_nfc_on_their_own() {
        use unicode_normalization::char::canonical_combining_class;
        use unicode_normalization::{IsNormalized, is_nfc_quick};
        for c in (0..0x300u32)
            .chain(0x1E00..=0x1EFF)
            .filter_map(char::from_u32)
        {
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
        }
    }

    use super::*;

    const SAMPLE: &str = "Báo cáo kết quả thực hiện quy chế dân chủ ở cơ sở của phường năm 2024: đã tiếp nhận và giải quyết đơn thư của công dân; Đảng ủy, chính quyền và Nhân dân.";

    #[test]
    fn line_endings_all_work() {
        for sep in ["\n", "\r\n", "\r"] {
            let t = ["a", "b", "", "c"].join(sep);
            let l = read_text(t.as_bytes()).unwrap();
            assert_eq!(
                l.iter().map(|x| x.text.as_str()).collect::<Vec<_>>(),
                ["a", "b", "", "c"],
                "{sep:?}"
            );
            assert_eq!(l[3].no, 4);
        }
    }

    #[test]
    fn utf16_and_bom() {
        let mut le = vec![0xFF, 0xFE];
        for u in SAMPLE.encode_utf16() {
            le.extend(u.to_le_bytes());
        }
        let d = decode_text(&le).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (SAMPLE, "UTF-16LE"));
        let mut be = vec![];
        for u in SAMPLE.encode_utf16() {
            be.extend(u.to_be_bytes());
        }
        let d = decode_text(&be).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (SAMPLE, "UTF-16BE"));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(SAMPLE.as_bytes());
        assert_eq!(decode_text(&bom).unwrap().encoding, "UTF-8 (BOM)");
    }

    #[test]
    fn windows_1258() {
        // base letters with combining tone marks, as Windows-1258 writes them
        let bytes =
            b"C\xF4ng t\xE1c d\xE2n v\xE2\xF2n v\xE0 c\xE1c \xF0o\xE0n th\xEA\xD2 c\xF4ng t\xE1c";
        let d = decode_text(bytes).unwrap();
        assert_eq!(d.encoding, "Windows-1258");
        assert_eq!(
            normalize(&d.text),
            "Công tác dân vận và các đoàn thể công tác"
        );
    }

    fn to_tcvn3(s: &str) -> Vec<u8> {
        s.nfc()
            .map(|c| {
                if (c as u32) < 0x80 {
                    c as u8
                } else {
                    let lower = c.to_lowercase().next().unwrap();
                    let pos = TCVN3.iter().position(|x| *x == c).or_else(|| {
                        // TCVN3 (ABC) has no capital toned letters: fonts show the lower code in capitals
                        TCVN3.iter().position(|x| *x == lower)
                    });
                    pos.map_or(b'?', |p| 0x80 + p as u8)
                }
            })
            .collect()
    }

    #[test]
    fn tcvn3_bytes_and_tcvn3_inside_utf8() {
        let bytes = to_tcvn3(SAMPLE);
        let d = decode_text(&bytes).unwrap();
        assert_eq!(d.encoding, "TCVN3");
        assert_eq!(d.text, SAMPLE);
        // the same bytes shown through Windows-1252 and saved as UTF-8
        let (soup, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
        let d = decode_text(soup.as_bytes()).unwrap();
        assert_eq!(d.encoding, "TCVN3 (trong tệp UTF-8)");
        assert_eq!(d.text, SAMPLE);
    }

    #[test]
    fn vni() {
        // "Báo cáo kết quả … của phường" typed in VNI
        let typed = "Baùo caùo keát quaû thöïc hieän quy cheá daân chuû ôû cô sôû cuûa phöôøng naêm 2024: ñaõ tieáp nhaän vaø giaûi quyeát ñôn thö cuûa coâng daân; Ñaûng uûy, chính quyeàn vaø Nhaân daân.";
        let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode(typed);
        assert!(!bad);
        let d = decode_text(&bytes).unwrap();
        assert_eq!(d.encoding, "VNI-Windows");
        assert_eq!(d.text, SAMPLE);
    }

    #[test]
    fn formats_named() {
        assert!(
            unreadable_format(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest")
                .unwrap()
                .contains(".doc")
        );
        assert!(unreadable_format(b"%PDF-1.7").unwrap().contains("PDF"));
        assert!(unreadable_format(b"plain").is_none());
        assert_eq!(normalize("ÐẢNG"), "ĐẢNG");
    }
}
