//! Finding quantities in Vietnamese report text: `3.731`, `13.536,5`, `138/157`,
//! `87,8%`, `113 đơn/149 đơn`, with the unit of measure that follows — and telling
//! them apart from what only looks like a figure: dates and times, document symbols
//! (`05-NQ/HU`, `34/2007/PL-UBTVQH11`, `42-CV/BCĐ`), article and section numbers
//! (`Điều 11`, `2.3.1`), ranges, years, telephone and account numbers, ID numbers,
//! vehicle plates, numbers that are part of a name (`Phường 3`), durations and
//! look-backs (`qua 16 năm`), averages and rates (`4,6 người/hộ`, `2 lượt/tháng`).
//!
//! Values are exact: [`Milli`] thousandths, as the text reads them.

pub use qcdc_core::number::Milli;

/// A likely reading of a malformed number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    Value(Milli),
    Fraction(Milli, Milli),
}

/// What a numeric token turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A count or amount.
    Plain,
    /// `a/b` (or `a UNIT/ b UNIT`).
    Fraction {
        num: Milli,
        den: Milli,
    },
    /// Written wrongly; `guess` is its most likely meaning when one can be read.
    Malformed {
        why: String,
        guess: Option<Guess>,
    },
    /// A comma that may be a decimal mark or an English thousands separator.
    Ambiguous {
        why: String,
        guess: Option<Milli>,
    },
    Date,
    Time,
    Symbol,
    Year,
    Range,
    /// An outline or section number (`2.3.1`, `4.1.`).
    Section,
    /// Telephone, fax, account, postal code, ID number, plate: digits that name, not count.
    Code,
    /// A number that is part of a name (`Phường 3`, `Tổ 5`).
    Name,
    /// A length of time (`16 năm`, `5 ngày làm việc`).
    Duration,
    /// An average or rate per something (`4,6 người/hộ`, `bình quân 3 lượt/tháng`).
    Rate,
}

/// A numeric token in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Num {
    /// Char offsets of the token in the text.
    pub start: usize,
    pub end: usize,
    pub raw: String,
    pub kind: Kind,
    /// The exact value of a plain number (or the stated percentage).
    pub value: Option<Milli>,
    pub percent: bool,
    /// Unit of measure right after it, normalised (`hồ sơ`, `cuộc`, …).
    pub unit: Option<&'static str>,
    /// Char offset just after the unit (or the token / `%`).
    pub tail: usize,
    /// Decimals shown (digits after the decimal comma).
    pub decimals: u32,
    /// Preceded by "trên", "hơn", "gần", "khoảng", "ước": not an exact figure.
    pub approx: bool,
}

impl Num {
    /// A count or amount whose exact value is known.
    pub fn is_quantity(&self) -> bool {
        matches!(self.kind, Kind::Plain) && self.value.is_some()
    }

    /// The value to compute with: the exact value, or a malformed number's likely value.
    pub fn reading(&self) -> Option<(Milli, bool)> {
        match (&self.kind, self.value) {
            (Kind::Plain, Some(v)) => Some((v, false)),
            (
                Kind::Malformed {
                    guess: Some(Guess::Value(v)),
                    ..
                }
                | Kind::Ambiguous { guess: Some(v), .. },
                _,
            ) => Some((*v, true)),
            _ => None,
        }
    }

    /// A fraction, reading a malformed `a/b/c` the likely way: (num, den, guessed).
    pub fn fraction(&self) -> Option<(Milli, Milli, bool)> {
        match &self.kind {
            Kind::Fraction { num, den } => Some((*num, *den, false)),
            Kind::Malformed {
                guess: Some(Guess::Fraction(a, b)),
                ..
            } => Some((*a, *b, true)),
            _ => None,
        }
    }

    /// A figure a checker may reason about (a quantity, fraction or percentage, even malformed).
    pub fn is_figure(&self) -> bool {
        matches!(
            self.kind,
            Kind::Plain | Kind::Fraction { .. } | Kind::Malformed { .. } | Kind::Ambiguous { .. }
        )
    }
}

/// Units of measure, longest first where one starts another.
pub const UNITS: &[&str] = &[
    "lượt công dân",
    "lượt người",
    "lượt cử tri",
    "lượt ý kiến",
    "lượt",
    "người lao động",
    "người",
    "hồ sơ",
    "đơn thư",
    "đơn vị",
    "đơn",
    "vụ việc",
    "vụ",
    "cuộc họp",
    "cuộc",
    "văn bản",
    "triệu đồng",
    "tỷ đồng",
    "nghìn đồng",
    "ngàn đồng",
    "đồng chí",
    "đồng",
    "hội nghị",
    "hội viên",
    "hội",
    "phường",
    "xã",
    "hộ gia đình",
    "hộ",
    "doanh nghiệp",
    "dn",
    "mô hình",
    "điển hình",
    "ý kiến",
    "nội dung",
    "đoàn viên",
    "đoàn",
    "dvc",
    "dịch vụ",
    "lao động",
    "nhân khẩu",
    "khu phố",
    "khu dân cư",
    "thôn",
    "tổ dân phố",
    "tổ chức",
    "tổ",
    "chi bộ",
    "chi hội",
    "đảng bộ",
    "đảng viên",
    "tcc đảng",
    "tccs đảng",
    "tccsđ",
    "kế hoạch",
    "quyết định",
    "công văn",
    "thông báo",
    "tập thể",
    "cá nhân",
    "công trình",
    "nhà",
    "suất",
    "tấn",
    "thùng",
    "đối tượng",
    "cơ quan",
    "cơ sở",
    "trường",
    "lần",
    "ban",
    "buổi",
    "lớp",
    "đợt",
    "trường hợp",
    "hoạt động",
    "kiến nghị",
    "phản ánh",
    "câu hỏi",
    "chi, đảng bộ",
    "điểm",
    "biên chế",
    "nghị quyết",
    "chỉ thị",
    "hướng dẫn",
    "báo cáo",
    "thành viên",
    "cán bộ",
    "công chức",
    "viên chức",
    "học sinh",
    "giáo viên",
    "gia đình",
    "thủ tục",
    "tthc",
    "dự án",
    "chương trình",
    "tin bài",
    "tin",
    "bài",
    "phiên",
    "ngày công",
    "hợp tác xã",
    "đại biểu",
    "cử tri",
    "học viên",
    "phiếu",
    "tỷ",
    "triệu",
];

/// Units that count indivisible things (a decimal part is a slip).
pub fn is_count(unit: &str) -> bool {
    !matches!(
        unit,
        "triệu đồng"
            | "tỷ đồng"
            | "nghìn đồng"
            | "ngàn đồng"
            | "đồng"
            | "tấn"
            | "điểm"
            | "tỷ"
            | "triệu"
    )
}

/// The family a unit belongs to, for comparing two figures of the same measure.
pub fn unit_family(unit: &str) -> &'static str {
    match unit {
        "đơn thư" | "đơn" => "đơn",
        "lượt công dân" | "lượt người" | "lượt" => "lượt",
        "vụ" | "vụ việc" => "vụ việc",
        "dn" | "doanh nghiệp" => "doanh nghiệp",
        "tthc" | "thủ tục" => "thủ tục",
        "dvc" | "dịch vụ" => "dịch vụ",
        "tcc đảng" | "tccs đảng" | "tccsđ" | "chi, đảng bộ" => "tổ chức cơ sở đảng",
        "cuộc họp" | "cuộc" => "cuộc",
        "tỷ đồng" | "tỷ" => "tỷ đồng",
        "triệu đồng" | "triệu" => "triệu đồng",
        "người lao động" | "lao động" => "lao động",
        "hộ gia đình" | "hộ" => "hộ",
        other => UNITS.iter().find(|u| **u == other).copied().unwrap_or(""),
    }
}

/// Units that count people.
pub fn is_person(unit: &str) -> bool {
    matches!(
        unit,
        "người"
            | "viên chức"
            | "công chức"
            | "cán bộ"
            | "lao động"
            | "người lao động"
            | "học sinh"
            | "giáo viên"
            | "đảng viên"
            | "đoàn viên"
            | "hội viên"
            | "thành viên"
            | "đồng chí"
            | "đại biểu"
            | "cử tri"
            | "học viên"
    )
}

/// Units that all count events (a session counted in "cuộc", "buổi", "lần", "đợt").
pub fn is_event(unit: &str) -> bool {
    matches!(
        unit,
        "cuộc" | "cuộc họp" | "hoạt động" | "lần" | "đợt" | "buổi" | "hội nghị" | "phiên"
    )
}

const SUPERSCRIPTS: &str = "⁰¹²³⁴⁵⁶⁷⁸⁹";

/// Parses `1.234,5` / `1234` / `0,75` strictly into thousandths; None when malformed
/// or when more than three decimals are written.
pub fn parse_vn(s: &str) -> Option<Milli> {
    let (int, frac) = match split_once_ascii(s, b',') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if int.is_empty() {
        return None;
    }
    if let Some(f) = frac
        && (f.is_empty() || f.len() > 3 || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut groups = split_ascii(int, b'.');
    let first = groups.next()?;
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // the digits of the groups read as one number, without joining them in a
    // string: at most 15 digits, which an i64 holds (more are refused below)
    let read = |acc: i64, g: &str| {
        g.bytes().fold(acc, |a, b| {
            a.wrapping_mul(10).wrapping_add(i64::from(b - b'0'))
        })
    };
    let mut int = read(0, first);
    let mut len = first.len();
    let mut grouped = false;
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        grouped = true;
        int = read(int, g);
        len += g.len();
    }
    if grouped && first.len() > 3 {
        return None;
    }
    if len > 15 {
        return None;
    }
    let mut v = int.checked_mul(1000)?;
    if let Some(f) = frac {
        let mut x: i64 = f.parse().ok()?;
        for _ in f.len()..3 {
            x *= 10;
        }
        v = v.checked_add(x)?;
    }
    Some(v)
}

/// The likely meaning of a malformed plain number: `329.50` → 329,5, `1.124.5` →
/// 1.124,5, `95.13` → 95,13, `1,234,567` → 1.234.567.
pub fn likely_value(raw: &str) -> Option<Milli> {
    if !raw.contains(',') {
        // the last dot, followed by 1–2 digits, is a decimal mark typed English-style
        let (int, frac) = raw.rsplit_once('.')?;
        if (1..=2).contains(&frac.len()) && frac.bytes().all(|b| b.is_ascii_digit()) {
            return parse_vn(&format!("{int},{frac}"));
        }
        return None;
    }
    if !raw.contains('.') {
        // English thousands: 1,234,567
        let groups: Vec<&str> = raw.split(',').collect();
        if groups.len() >= 3 && groups[1..].iter().all(|g| g.len() == 3) && groups[0].len() <= 3 {
            return parse_vn(&groups.concat());
        }
        return None;
    }
    // English style 1,234.5
    let (int, frac) = raw.rsplit_once('.')?;
    if int.contains('.') || frac.contains(',') {
        return None;
    }
    let groups: Vec<&str> = int.split(',').collect();
    if groups[1..].iter().all(|g| g.len() == 3) {
        return parse_vn(&format!("{},{frac}", groups.concat()));
    }
    None
}

fn lower_starts_with(chars: &[char], at: usize, word: &str) -> bool {
    let mut i = at;
    for w in word.chars() {
        match chars.get(i) {
            // `word` is lowercase; most tries fail on the first char, cheaply
            // the first lowercase char first (no Unicode tables for Vietnamese
            // letters): a char whose lowercase is `w` alone lowercases to `w` first
            Some(c)
                if *c == w
                    || (crate::checks::lower_char(*c) == w
                        && c.is_uppercase()
                        && c.to_lowercase().eq(std::iter::once(w))) =>
            {
                i += 1
            }
            _ => return false,
        }
    }
    // a whole word (a footnote marker may follow)
    !chars
        .get(i)
        .is_some_and(|c| c.is_alphabetic() || c.is_ascii_digit())
}

/// The text just before `at` (up to `n` chars), lowercased, trailing spaces
/// removed, written into `s` (a buffer kept from figure to figure).
fn before(s: &mut String, chars: &[char], at: usize, n: usize) {
    s.clear();
    let from = at.saturating_sub(n);
    let slice = &chars[from..at];
    // a Vietnamese letter takes up to three bytes
    s.reserve(slice.len() * 3);
    // `str::to_lowercase` differs from lowercasing char by char only on a final sigma
    if slice.contains(&'Σ') {
        let low: String = slice.iter().collect::<String>().to_lowercase();
        s.push_str(low.trim_end());
        return;
    }
    for c in slice {
        if c.is_ascii() {
            s.push(c.to_ascii_lowercase());
        } else {
            // one char for every char but `İ` (`i` and a combining dot)
            match c {
                'İ' => s.extend(c.to_lowercase()),
                _ => s.push(crate::checks::lower_char(*c)),
            }
        }
    }
    s.truncate(s.trim_end().len());
}

/// Whether `text` (already lowercased and trimmed) ends with one of `words` as whole words.
pub fn ends_with_word(text: &str, words: &[&str]) -> bool {
    let last = text.as_bytes().last().copied();
    words.iter().any(|w| {
        // the last byte first: most words fail there, cheaply
        (w.is_empty() || w.as_bytes().last().copied() == last)
            && text.ends_with(w)
            && text[..text.len() - w.len()]
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// A list's words by their last byte, for [`ends_with_indexed`].
struct ByLast {
    words: Vec<Vec<&'static str>>,
    /// Whether the list has an empty word (which every text ends with).
    empty: bool,
}

impl ByLast {
    fn new(list: &[&'static str]) -> ByLast {
        let mut words = vec![Vec::new(); 256];
        let mut empty = false;
        for w in list {
            match w.as_bytes().last() {
                Some(&b) => words[b as usize].push(*w),
                None => empty = true,
            }
        }
        ByLast { words, empty }
    }
}

/// [`ends_with_word`] for a list indexed by last byte: only the words ending in
/// the text's last byte are tried (the others cannot end it).
fn ends_with_indexed(text: &str, list: &ByLast) -> bool {
    if list.empty && ends_with_word(text, &[""]) {
        return true;
    }
    match text.as_bytes().last() {
        Some(&b) => ends_with_word(text, &list.words[b as usize]),
        None => false,
    }
}

macro_rules! by_last {
    ($name:ident, $list:expr) => {
        static $name: std::sync::LazyLock<ByLast> = std::sync::LazyLock::new(|| ByLast::new($list));
    };
}
by_last!(CODE_LAST, CODE_BEFORE);
by_last!(PHONE_LAST, PHONE_BEFORE);
by_last!(SYMBOL_LAST, SYMBOL_BEFORE);
by_last!(APPROX_LAST, APPROX_BEFORE);
by_last!(RATE_LAST, RATE_BEFORE);
by_last!(NAME_LAST, NAME_BEFORE);

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while chars
        .get(i)
        .is_some_and(|c| *c == ' ' || *c == '\u{a0}' || *c == '\t')
    {
        i += 1;
    }
    i
}

/// Words after which a number is a symbol, an article or a level, not a count.
const SYMBOL_BEFORE: &[&str] = &[
    "số",
    "số:",
    "số hiệu",
    "khóa",
    "khoá",
    "kỳ họp thứ",
    "lần thứ",
    "quý",
    "điều",
    "khoản",
    "chương",
    "mục",
    "tiểu mục",
    "phụ lục",
    "thứ",
    "biểu",
    "biểu mẫu",
    "mẫu",
    "mẫu số",
    "mức độ",
    "cấp độ",
    "loại",
    "hạng",
    "đợt",
    "giai đoạn",
    "nghị định",
    "nghị quyết",
    "chỉ thị",
    "thông tư",
    "luật",
    "pháp lệnh",
    "quy định",
    "kết luận",
    "iso",
    "tcvn",
];
/// Nouns after which a number names a place or a body (`Phường 3`, `Tổ 5`).
const NAME_BEFORE: &[&str] = &[
    "phường",
    "quận",
    "khu phố",
    "khu",
    "tổ",
    "tổ dân phố",
    "thôn",
    "xóm",
    "ấp",
    "khóm",
    "đội",
    "lớp",
    "trường",
    "sư đoàn",
    "trung đoàn",
    "lữ đoàn",
    "tiểu đoàn",
    "binh đoàn",
    "xí nghiệp",
    "nhà máy",
    "khu công nghiệp",
    "cụm",
    "tổ dân cư",
    "chi bộ",
    "căn hộ",
    "đường",
    "quốc lộ",
    "tỉnh lộ",
    "phòng",
];
const PHONE_BEFORE: &[&str] = &[
    "điện thoại",
    "điện thoại:",
    "đt",
    "đt:",
    "tel",
    "tel:",
    "fax",
    "fax:",
    "sđt",
    "sđt:",
    "hotline",
    "hotline:",
    "tổng đài",
    "tổng đài:",
    "đường dây nóng",
    "đường dây nóng:",
    "di động",
    "zalo",
];
const CODE_BEFORE: &[&str] = &[
    "mã bưu chính",
    "mã bưu điện",
    "mã bưu chính:",
    "tài khoản",
    "tài khoản:",
    "tài khoản số",
    "tk",
    "tk:",
    "stk",
    "stk:",
    "cccd",
    "cccd:",
    "cccd số",
    "cmnd",
    "cmnd:",
    "cmnd số",
    "căn cước",
    "căn cước công dân",
    "mã số thuế",
    "mã số thuế:",
    "mst",
    "mst:",
    "mã số",
    "mã số:",
    "mã định danh",
    "hộ chiếu",
    "biển số",
    "biển kiểm soát",
];
const APPROX_BEFORE: &[&str] = &[
    "trên",
    "hơn",
    "gần",
    "khoảng",
    "ước",
    "ước đạt",
    "ước tính",
    "ước khoảng",
    "hàng",
    "dưới",
    "chưa đến",
    "tối thiểu",
    "ít nhất",
    "tối đa",
    "xấp xỉ",
    "gần như",
    "hơn một",
];
const RATE_BEFORE: &[&str] = &[
    "bình quân",
    "trung bình",
    "mỗi",
    "bình quân mỗi",
    "trung bình mỗi",
];
/// Units of time: a number before them is a length of time or a date part.
const TIME_UNITS: &[&str] = &["năm", "tháng", "ngày", "tuần", "giờ", "phút", "giây", "quý"];
/// Units written straight after the digits (`5km`, `11.000USD`).
const JOINED_UNITS: &[&str] = &["km", "ha", "m2", "m²", "m", "kg", "usd", "đ", "tr", "tỷ"];

/// Scans a text for numeric tokens.
pub fn scan(text: &str) -> Vec<Num> {
    let chars: Vec<char> = text.chars().collect();
    scan_chars(&chars)
}

/// Scans chars for numeric tokens (linear in the length).
pub fn scan_chars(chars: &[char]) -> Vec<Num> {
    scan_chars_lowered(chars, None)
}

/// [`scan_chars`] with the chars lowercased already, when that is a string in which
/// every char is one char of `chars` lowercased by [`crate::checks::lower_char`]
/// (no `İ`, no `Σ` in them): the text, and the byte offset of each char and of its
/// end. The words before each figure are then a slice of it, not a new string.
pub fn scan_chars_lowered(chars: &[char], lowered: Option<(&str, &[u32])>) -> Vec<Num> {
    let n = chars.len();
    let mut out: Vec<Num> = Vec::new();
    let mut back = String::new();
    let mut i = 0;
    while i < n {
        if !chars[i].is_ascii_digit()
            || (i > 0
                && (chars[i - 1].is_alphanumeric()
                    || chars[i - 1] == '_'
                    || SUPERSCRIPTS.contains(chars[i - 1])))
        {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i;
        while j < n
            && (chars[j].is_ascii_digit()
                || (matches!(chars[j], '.' | ',' | '/')
                    && j + 1 < n
                    && chars[j + 1].is_ascii_digit()))
        {
            j += 1;
        }
        i = j.max(start + 1);
        // digits glued to letters: a code (`29A`, `10A1`, `5G`), a time (`8h30`), or a joined unit
        if chars.get(j).is_some_and(|c| c.is_alphabetic()) {
            let word: String = chars[j..]
                .iter()
                .take_while(|c| c.is_alphabetic() || c.is_ascii_digit() || **c == '²')
                .collect::<String>()
                .to_lowercase();
            if !JOINED_UNITS.contains(&word.as_str()) {
                let mut k = j;
                while k < n
                    && (chars[k].is_alphanumeric()
                        || chars[k] == '-'
                        || chars[k] == '.' && chars.get(k + 1).is_some_and(|c| c.is_ascii_digit()))
                {
                    k += 1;
                }
                i = k.max(i);
                let kind = if word.starts_with('h') && word[1..].chars().all(|c| c.is_ascii_digit())
                {
                    Kind::Time
                } else {
                    Kind::Code
                };
                out.push(other(chars, start, j, kind, lowered));
                continue;
            }
        }
        out.push(classify(chars, start, j, &out, &mut back, lowered));
    }
    merge_unit_fractions(chars, &mut out);
    out
}

/// The first three pieces of `s` split at `sep`, and how many pieces there are.
/// `s.split(sep)` for an ASCII separator, by a plain byte loop: a figure's digits
/// are short, and the char searcher's setup costs more than the search.
fn split_ascii(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match bytes[start..].iter().position(|&b| b == sep) {
            Some(k) => {
                let part = &s[start..start + k];
                start += k + 1;
                Some(part)
            }
            None => {
                done = true;
                Some(&s[start..])
            }
        }
    })
}

/// `s.split_once(sep)` for an ASCII separator (see [`split_ascii`]).
fn split_once_ascii(s: &str, sep: u8) -> Option<(&str, &str)> {
    let k = s.as_bytes().iter().position(|&b| b == sep)?;
    Some((&s[..k], &s[k + 1..]))
}

/// `s.rsplit_once(sep)` for an ASCII separator (see [`split_ascii`]).
fn rsplit_once_ascii(s: &str, sep: u8) -> Option<(&str, &str)> {
    let k = s.as_bytes().iter().rposition(|&b| b == sep)?;
    Some((&s[..k], &s[k + 1..]))
}

/// `s.contains(sep)` for an ASCII separator (see [`split_ascii`]).
fn has_ascii(s: &str, sep: u8) -> bool {
    s.as_bytes().contains(&sep)
}

fn split3(s: &str, sep: u8) -> ([&str; 3], usize) {
    let mut first = [""; 3];
    let mut n = 0;
    for p in split_ascii(s, sep) {
        if let Some(slot) = first.get_mut(n) {
            *slot = p;
        }
        n += 1;
    }
    (first, n)
}

fn other(
    chars: &[char],
    start: usize,
    end: usize,
    kind: Kind,
    lowered: Option<(&str, &[u32])>,
) -> Num {
    Num {
        start,
        end,
        // digits, `.`, `,` and `/`, which lowercasing leaves as they are
        raw: match lowered {
            Some((low, at)) => low[at[start] as usize..at[end] as usize].to_string(),
            None => chars[start..end].iter().collect(),
        },
        kind,
        value: None,
        percent: false,
        unit: None,
        tail: end,
        decimals: 0,
        approx: false,
    }
}

fn classify(
    chars: &[char],
    start: usize,
    j: usize,
    prior: &[Num],
    buf: &mut String,
    lowered: Option<(&str, &[u32])>,
) -> Num {
    let n = chars.len();
    let next = chars.get(j).copied();
    let next2 = chars.get(j + 1).copied();
    let prev = start.checked_sub(1).map(|k| chars[k]);
    let prev2 = start.checked_sub(2).map(|k| chars[k]);
    let mut num = other(chars, start, j, Kind::Plain, lowered);
    // the digits as written, given back to the number at the end
    let raw = std::mem::take(&mut num.raw);
    // the same as `before` makes: with no `İ` nor `Σ`, lowercasing char by char
    let back: &str = match lowered {
        Some((low, at)) => {
            low[at[start.saturating_sub(28)] as usize..at[start] as usize].trim_end()
        }
        None => {
            before(buf, chars, start, 28);
            buf
        }
    };
    let digits = raw.bytes().filter(u8::is_ascii_digit).count();
    let slashes = raw.bytes().filter(|b| *b == b'/').count();
    let dots = raw.bytes().filter(|b| *b == b'.').count();
    let has_comma = has_ascii(&raw, b',');
    // the parts between slashes: their number and the first three (no allocation)
    let (parts, parts_len) = split3(&raw, b'/');
    let is_date_like = split_ascii(&raw, b'/')
        .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
        && ((parts_len == 3
            && parts[0].len() <= 2
            && parts[1].len() <= 2
            && matches!(parts[2].len(), 2 | 4))
            || (parts_len == 2
                && parts[0].len() <= 2
                && parts[1].len() == 4
                && parts[0].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m)))
            || (parts_len == 2
                && parts[0].len() <= 2
                && parts[1].len() <= 2
                && ends_with_word(
                    back,
                    &[
                        "ngày",
                        "từ ngày",
                        "đến ngày",
                        "từ",
                        "đến",
                        "đến hết",
                        "hết ngày",
                        "ngày:",
                    ],
                )));
    let (dotted, dotted_len) = split3(&raw, b'.');
    let dotted_date = slashes == 0
        && !has_comma
        && dotted_len == 3
        && dotted[0].len() <= 2
        && dotted[1].len() <= 2
        && dotted[2].len() == 4;
    let line_start = chars[..start]
        .iter()
        .rev()
        .take_while(|c| **c != '\n')
        .all(|c| c.is_whitespace() || matches!(c, '|' | '+' | '-' | '*' | '•'));
    let section_like = slashes == 0
        && !has_comma
        && dots >= 1
        && split_ascii(&raw, b'.').all(|g| !g.is_empty() && g.len() <= 2)
        && (dots >= 2
            || line_start && {
                let k = skip_spaces(chars, j);
                let rest = || chars[j..].iter().take_while(|c| **c != '\n');
                k > j && chars.get(k).is_some_and(|c| c.is_uppercase() || *c == '|')
                    || chars.get(j) == Some(&'.')
                    // a table's row number ("15.2" in the STT column): alone on its
                    // line or cell, or the row goes on in cells (`|`, tab)
                    || rest().all(|c| c.is_whitespace())
                    || rest().any(|c| matches!(c, '|' | '\t'))
            }
            || ends_with_word(back, &["mục", "tiểu mục", "phần", "điểm"]));
    let phone_back = back.trim_end_matches(['(', ' ']);
    // "Điều 11, 12", "mức độ 3, 4", "mục 2.3.1 và 4.2": the next of a run of symbols
    let continues = prior.last().filter(|p| {
        matches!(p.kind, Kind::Symbol | Kind::Section | Kind::Name)
            && p.tail <= start
            && [", ", ",", " và ", " hoặc ", " - ", "; "]
                .iter()
                .any(|sep| sep.chars().eq(chars[p.tail..start].iter().copied()))
            && !unit_follows(chars, j)
    });
    // "1900.1909", "0263.3822": groups of four digits are a telephone or a code
    let four_groups = slashes == 0
        && !has_comma
        && dots >= 1
        && split_ascii(&raw, b'.').skip(1).any(|g| g.len() == 4);
    let after_phone_run = prior.last().is_some_and(|p| {
        p.kind == Kind::Code
            && chars[p.end..start]
                .iter()
                .all(|c| matches!(c, ' ' | '.' | '-' | ')' | '('))
            && start - p.end <= 2
    });
    if let Some(p) = continues {
        num.kind = p.kind.clone();
    } else if line_start
        && next == Some('.')
        && !next2.is_some_and(|c| c.is_ascii_digit())
        && raw.len() <= 6
        && raw.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        // an outline number: "1.1.", "4.2.Việc…"
        num.kind = Kind::Section;
    } else if section_like {
        num.kind = Kind::Section;
    } else if next == Some(':') && next2.is_some_and(|c| c.is_ascii_digit()) && raw.len() <= 2
        || prev == Some(':') && prev2.is_some_and(|c| c.is_ascii_digit()) && raw.len() == 2
    {
        num.kind = Kind::Time;
    } else if four_groups
        || ends_with_indexed(phone_back, &PHONE_LAST)
        || after_phone_run
        || (raw.starts_with('0') && digits >= 9 && !has_comma)
        || ends_with_indexed(back, &CODE_LAST)
        || digits >= 12 && !has_comma && dots == 0
        || (digits >= 9 && slashes == 0 && dots == 0 && !has_comma)
    {
        num.kind = Kind::Code;
    } else if (next == Some('-') || next == Some('/') || next == Some('–'))
        && next2.is_some_and(|c| c.is_alphabetic())
        || matches!(prev, Some('-' | '–')) && prev2.is_some_and(|c| c.is_alphabetic())
        || prev == Some('/') && prev2.is_some_and(|c| c.is_uppercase())
        || ends_with_word(back, &["covid -", "covid-", "covid", "covid –"])
    {
        num.kind = Kind::Symbol;
    } else if (next == Some('-') || next == Some('–')) && next2.is_some_and(|c| c.is_ascii_digit())
        || (prev == Some('-') || prev == Some('–')) && prev2.is_some_and(|c| c.is_ascii_digit())
    {
        num.kind = Kind::Range;
    } else if is_date_like
        || dotted_date
        || ends_with_word(back, &["ngày", "tháng", "hôm"]) && slashes == 0 && digits <= 2
    {
        num.kind = Kind::Date;
    } else if !ends_with_word(
        back,
        &[
            "tổng số",
            "tổng số:",
            "với số",
            "có số",
            "trong số",
            "trong tổng số",
            "số lượng",
            "số lượng:",
        ],
    ) && ends_with_indexed(back, &SYMBOL_LAST)
    {
        num.kind = Kind::Symbol;
    } else if name_before(chars, start, back)
        && slashes == 0
        && !has_comma
        && digits <= 3
        && (!unit_follows(chars, j) || capital_name(chars, start, back))
    {
        num.kind = Kind::Name;
    } else if raw.len() == 4
        && raw.bytes().all(|b| b.is_ascii_digit())
        && (1900..=2100).contains(&raw.parse::<u32>().unwrap_or(0))
        && (ends_with_word(
            back,
            &[
                "năm",
                "từ",
                "đến",
                "cuối",
                "đầu",
                "khóa",
                "niên khóa",
                "nhiệm kỳ",
            ],
        ) || !unit_follows(chars, j))
    {
        num.kind = Kind::Year;
    } else if slashes == 1 {
        let (a, b) = raw.split_once('/').unwrap_or((&raw, ""));
        match (parse_vn(a), parse_vn(b)) {
            (Some(x), Some(y)) => num.kind = Kind::Fraction { num: x, den: y },
            (x, y) => {
                let guess = x
                    .or_else(|| likely_value(a))
                    .zip(y.or_else(|| likely_value(b)))
                    .map(|(x, y)| Guess::Fraction(x, y));
                num.kind = Kind::Malformed {
                    why: format!("«{raw}» không đọc được thành phân số"),
                    guess,
                }
            }
        }
    } else if slashes >= 2 {
        let guess = if parts_len == 3 && parts[2].len() == 3 {
            parse_vn(parts[0])
                .zip(parse_vn(&format!("{}.{}", parts[1], parts[2])))
                .map(|(a, b)| Guess::Fraction(a, b))
        } else {
            None
        };
        let why = match guess {
            Some(_) => format!(
                "«{raw}» có hai dấu «/»; có lẽ là {}/{}.{}",
                parts[0], parts[1], parts[2]
            ),
            None => format!("«{raw}» có nhiều dấu «/»"),
        };
        num.kind = Kind::Malformed { why, guess };
    } else {
        match parse_vn(&raw) {
            Some(v) => num.value = Some(v),
            None => {
                let guess = likely_value(&raw);
                let frac_len = rsplit_once_ascii(&raw, b',').map_or(0, |(_, f)| f.len());
                let why = if frac_len > 3 && !raw.contains('.') {
                    // many decimals: a measurement, not a slip
                    String::new()
                } else if raw.contains('.') && raw.rsplit('.').next().is_some_and(|g| g.len() != 3)
                {
                    "dấu chấm dùng để phân cách hàng nghìn (nhóm 3 chữ số), phần thập phân phải dùng dấu phẩy".to_string()
                } else {
                    "không đúng cách viết số".to_string()
                };
                if why.is_empty() {
                    num.kind = Kind::Code;
                } else {
                    num.kind = Kind::Malformed {
                        why: match guess {
                            Some(g) => format!(
                                "«{raw}»: {why}; đọc theo nghĩa có lẽ đúng là {}",
                                qcdc_core::number::format_vn(g, 3)
                            ),
                            None => format!("«{raw}»: {why}"),
                        },
                        guess: guess.map(Guess::Value),
                    };
                }
            }
        }
    }
    num.decimals = rsplit_once_ascii(&raw, b',')
        .map_or(0, |(_, f)| f.len() as u32)
        .min(6);
    num.approx = ends_with_indexed(back, &APPROX_LAST);
    // percent and unit
    let mut k = skip_spaces(chars, j);
    if chars.get(k) == Some(&'%') || lower_starts_with(chars, k, "phần trăm") {
        num.percent = true;
        k += if chars.get(k) == Some(&'%') { 1 } else { 9 };
        num.tail = k;
        if matches!(num.kind, Kind::Malformed { .. }) && raw.contains('.') && !has_comma {
            let guess = likely_value(&raw);
            num.decimals = raw.rsplit_once('.').map_or(0, |(_, f)| f.len() as u32);
            num.kind = Kind::Malformed {
                why: format!(
                    "«{raw}%»: phần thập phân của tỷ lệ phải dùng dấu phẩy{}",
                    guess.map_or(String::new(), |g| format!(
                        " ({}%)",
                        qcdc_core::number::format_vn(g, 3)
                    ))
                ),
                guess: guess.map(Guess::Value),
            };
        }
    } else if num.is_figure() {
        // a unit written straight after the digits
        if chars.get(j).is_some_and(|c| c.is_alphabetic()) {
            let mut e = j;
            while e < n
                && (chars[e].is_alphabetic() || chars[e] == '²' || chars[e].is_ascii_digit())
            {
                e += 1;
            }
            num.tail = e;
        } else {
            let first = chars.get(k).map(|c| crate::checks::lower_char(*c));
            // a unit's second char, lowercased, is the text's (a char matches a
            // unit's only when its lowercase is the unit's): most go by on it
            let second = chars.get(k + 1).map(|c| crate::checks::lower_char(*c));
            for u in units_from(first) {
                let mut uc = u.chars();
                uc.next();
                if uc.next().is_some_and(|w| Some(w) != second) {
                    continue;
                }
                if lower_starts_with(chars, k, u) {
                    num.unit = Some(u);
                    num.tail = k + u.chars().count();
                    break;
                }
            }
            if num.unit.is_none() {
                for u in TIME_UNITS {
                    if lower_starts_with(chars, k, u) && !lower_starts_with(chars, k, "ngày công")
                    {
                        num.kind = Kind::Duration;
                        num.value = None;
                        num.tail = k + u.chars().count();
                        break;
                    }
                }
            }
        }
        // a rate: "4,6 người/hộ", "2 lượt/tháng", "11.000USD/người/năm"
        let after = skip_spaces(chars, num.tail);
        if num.kind != Kind::Duration
            && (chars.get(after) == Some(&'/')
                && chars
                    .get(skip_spaces(chars, after + 1))
                    .is_some_and(|c| c.is_alphabetic())
                && num.fraction().is_none()
                || ends_with_indexed(back, &RATE_LAST)
                || ["bình quân", "trung bình"].iter().any(|w| back.contains(w)))
        {
            num.kind = Kind::Rate;
            num.value = None;
        }
    }
    if num.kind == Kind::Plain
        && let Some((int, f)) = raw.split_once(',')
        && f.len() == 3
        && !raw.contains('.')
        && int.len() <= 3
        && num.unit.is_some_and(is_count)
    {
        let guess = parse_vn(&format!("{int}.{f}"));
        num.kind = Kind::Ambiguous {
            why: format!(
                "«{raw}»: dấu phẩy trước 3 chữ số với đơn vị đếm «{}» — là phần thập phân hay phân cách hàng nghìn kiểu Anh (tức {})?",
                num.unit.unwrap_or(""),
                guess.map_or(String::new(), |g| qcdc_core::number::format_vn(g, 0))
            ),
            guess,
        };
        num.value = None;
    }
    num.raw = raw;
    num
}

fn name_before(_chars: &[char], _start: usize, back: &str) -> bool {
    ends_with_indexed(back, &NAME_LAST)
}

/// The name noun before `start` is written with a capital (`Tổ 5`, `Phường 3`).
fn capital_name(chars: &[char], start: usize, back: &str) -> bool {
    let Some(noun) = NAME_BEFORE
        .iter()
        .filter(|w| ends_with_word(back, &[w]))
        .max_by_key(|w| w.len())
    else {
        return false;
    };
    // walk back over spaces and the noun's chars
    let mut k = start;
    while k > 0 && chars[k - 1].is_whitespace() {
        k -= 1;
    }
    let len = noun.chars().count();
    k.checked_sub(len)
        .and_then(|at| chars.get(at))
        .is_some_and(|c| c.is_uppercase())
}

/// The units (in [`UNITS`] order) whose first char is `first`, looked up once.
fn units_from(first: Option<char>) -> &'static [&'static str] {
    // sorted by the first char, for a binary search (no hashing per figure)
    static BY_FIRST: std::sync::LazyLock<Vec<(char, Vec<&'static str>)>> =
        std::sync::LazyLock::new(|| {
            let mut m: Vec<(char, Vec<&'static str>)> = Vec::new();
            for u in UNITS {
                if let Some(c) = u.chars().next() {
                    match m.iter_mut().find(|(k, _)| *k == c) {
                        Some((_, v)) => v.push(u),
                        None => m.push((c, vec![u])),
                    }
                }
            }
            m.sort_by_key(|(c, _)| *c);
            m
        });
    first
        .and_then(|c| {
            BY_FIRST
                .binary_search_by_key(&c, |(k, _)| *k)
                .ok()
                .map(|i| BY_FIRST[i].1.as_slice())
        })
        .unwrap_or(&[])
}

/// Whether a unit of measure (not a unit of time) follows at `j`.
fn unit_follows(chars: &[char], j: usize) -> bool {
    let k = skip_spaces(chars, j);
    units_from(chars.get(k).map(|c| crate::checks::lower_char(*c)))
        .iter()
        .any(|u| lower_starts_with(chars, k, u) && !matches!(*u, "tỷ" | "triệu"))
}

/// `113 đơn/149 đơn` is the fraction 113/149.
fn merge_unit_fractions(chars: &[char], nums: &mut Vec<Num>) {
    let mut out: Vec<Num> = Vec::with_capacity(nums.len());
    let mut it = std::mem::take(nums).into_iter().peekable();
    while let Some(a) = it.next() {
        if let Some(b) = it.peek()
            && a.kind == Kind::Plain
            && b.kind == Kind::Plain
            && !a.percent
            && !b.percent
            && a.unit.is_some()
            && a.unit == b.unit
            && chars[a.tail.min(b.start)..b.start]
                .iter()
                .collect::<String>()
                .trim()
                == "/"
        {
            let (x, y) = (a.value.unwrap_or(0), b.value.unwrap_or(0));
            let b = it.next().unwrap_or_else(|| a.clone());
            out.push(Num {
                start: a.start,
                end: b.end,
                raw: chars[a.start..b.end].iter().collect(),
                kind: Kind::Fraction { num: x, den: y },
                value: None,
                percent: false,
                unit: b.unit,
                tail: b.tail,
                decimals: 0,
                approx: a.approx,
            });
            continue;
        }
        out.push(a);
    }
    *nums = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kinds(s: &str) -> Vec<(String, Kind, Option<&'static str>, bool)> {
        scan(s)
            .into_iter()
            .map(|n| (n.raw, n.kind, n.unit, n.percent))
            .collect()
    }

    fn plain(s: &str) -> Vec<String> {
        scan(s)
            .into_iter()
            .filter(|n| n.is_figure())
            .map(|n| n.raw)
            .collect()
    }

    #[test]
    fn tells_quantities_from_dates_and_symbols() {
        let s = "Nghị quyết số 05-NQ/HU, ngày 09/12/2021; Pháp lệnh 34/2007/PL-UBTVQH11; tiếp nhận 7.554 hồ sơ, 138/157 vụ việc (87,8%) năm 2022, giai đoạn 2014-2021, Covid-19, tháng 11/2020.";
        let k = kinds(s);
        let plain: Vec<_> = k
            .iter()
            .filter(|x| x.1 == Kind::Plain && !x.3)
            .map(|x| (x.0.as_str(), x.2))
            .collect();
        assert_eq!(plain, [("7.554", Some("hồ sơ"))]);
        assert!(k.iter().any(|x| x.0 == "138/157"
            && x.1
                == Kind::Fraction {
                    num: 138_000,
                    den: 157_000
                }
            && x.2 == Some("vụ việc")));
        assert!(k.iter().any(|x| x.0 == "87,8" && x.3));
        assert!(k.iter().any(|x| x.0 == "09/12/2021" && x.1 == Kind::Date));
        assert!(k.iter().any(|x| x.0 == "05" && x.1 == Kind::Symbol));
        assert!(k.iter().any(|x| x.0 == "34/2007" && x.1 == Kind::Symbol));
        assert!(k.iter().any(|x| x.0 == "2022" && x.1 == Kind::Year));
        assert!(k.iter().any(|x| x.0 == "11/2020" && x.1 == Kind::Date));
        assert!(!k.iter().any(|x| x.0 == "19" && x.1 == Kind::Plain));
    }

    #[test]
    fn what_is_not_a_figure() {
        for s in [
            "Điện thoại: 0233.3852.123, Fax: 0233.3852.456",
            "ĐT: (0236) 3821 456",
            "Mã bưu chính: 550000",
            "Tài khoản số 3711.0.1055.012 tại Kho bạc",
            "Số tài khoản 102010001234567",
            "CCCD số 045123456789",
            "Mã số thuế 3200123456",
            "lúc 8h30 ngày 05/02/2026, họp từ 14:00 đến 16:30",
            "Công văn số 42-CV/BCĐ ngày 25/5/2023 và Báo cáo 109/BC-UBND",
            "theo khoản 2 Điều 11, điểm a khoản 1 Điều 15 của Luật",
            "tại mục 2.3.1 và 4.2 của đề cương",
            "xe ô tô biển kiểm soát 74A-123.45 và 74C-05678",
            "Chi bộ Trường TH&THCS Phường 2, Tổ 5 khu phố 3",
            "Qua hơn 16 năm thực hiện Pháp lệnh, sau 5 ngày làm việc",
            "bình quân 4,6 người/hộ; tiếp 2 lượt/tháng; đạt 11.000USD/người/năm",
            "dịch vụ công trực tuyến mức độ 3, 4 và ISO 9001:2015",
        ] {
            assert_eq!(plain(s), Vec::<String>::new(), "{s}: {:?}", kinds(s));
        }
        let t = "2.3.1. Kết quả";
        assert_eq!(scan(t)[0].kind, Kind::Section);
    }

    #[test]
    fn table_row_numbers_are_numbering() {
        // the STT column of a table: alone in its cell, before the next cell, or
        // before the row's label (in any case)
        for s in [
            "15.2",
            "15.2 ",
            "15.2\tSố cuộc đối thoại\tcuộc\t12",
            "15.2\tsố cuộc đối thoại\tcuộc\t12",
            "15.2 | Số cuộc đối thoại | cuộc | 12",
            "| 15.2 | số cuộc đối thoại | cuộc | 12 |",
            "1.1 số cuộc đối thoại | cuộc | 12",
            "2.3.1 số người tham gia",
            "15.2 Số cuộc đối thoại: 12 cuộc",
        ] {
            let k = scan(s);
            assert_eq!(k[0].kind, Kind::Section, "{s}: {k:?}");
            assert!(
                !k.iter().any(|n| matches!(n.kind, Kind::Malformed { .. })),
                "{s}: {k:?}"
            );
        }
        // a figure written English-style stays a slip, at a line's start or not
        for s in [
            "15.2 triệu đồng kinh phí",
            "Kinh phí 15.2 triệu đồng",
            "329.50 triệu đồng | 12",
            "đạt 95.13%",
        ] {
            let k = scan(s);
            assert!(
                k.iter().any(|n| matches!(n.kind, Kind::Malformed { .. })),
                "{s}: {k:?}"
            );
        }
    }

    #[test]
    fn flags_malformed_numbers_with_their_likely_meaning() {
        for (s, bad, guess) in [
            (
                "44.708/45/964 hồ sơ",
                "44.708/45/964",
                Guess::Fraction(44_708_000, 45_964_000),
            ),
            ("1.124.5 triệu đồng", "1.124.5", Guess::Value(1_124_500)),
            ("329.50 triệu", "329.50", Guess::Value(329_500)),
            ("95.13%", "95.13", Guess::Value(95_130)),
        ] {
            let k = scan(s);
            match &k[0].kind {
                Kind::Malformed { guess: g, .. } => assert_eq!(*g, Some(guess), "{s}"),
                other => panic!("{s}: {other:?}"),
            }
            assert_eq!(k[0].raw, bad);
        }
        match &scan("300,267 nhân khẩu")[0].kind {
            Kind::Ambiguous { guess, .. } => assert_eq!(*guess, Some(300_267_000)),
            k => panic!("{k:?}"),
        }
        assert_eq!(scan("6.322,25 triệu đồng")[0].value, Some(6_322_250));
        assert_eq!(scan("1.234 người")[0].value, Some(1_234_000));
        assert_eq!(scan("12,5 tỷ đồng")[0].value, Some(12_500));
    }

    #[test]
    fn unit_fractions() {
        let k = scan("Kết quả giải quyết đơn thư khiếu nại: 113 đơn/149 đơn, đạt 75,84 %.");
        assert_eq!(
            k[0].kind,
            Kind::Fraction {
                num: 113_000,
                den: 149_000
            }
        );
        assert!(k[1].percent && k[1].decimals == 2);
        // amount per people is not a fraction
        let k = scan("4.450 triệu đồng/2.970 người");
        assert_eq!(k.len(), 2);
        assert_eq!(k[0].kind, Kind::Plain);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The byte-loop splits are the standard library's.
        #[test]
        fn ascii_splits_are_the_str_splits(s in "[0-9.,/đ]{0,12}", k in 0usize..3) {
            let (c, b) = [('.', b'.'), (',', b','), ('/', b'/')][k];
            prop_assert_eq!(split_ascii(&s, b).collect::<Vec<_>>(), s.split(c).collect::<Vec<_>>());
            prop_assert_eq!(split_once_ascii(&s, b), s.split_once(c));
            prop_assert_eq!(rsplit_once_ascii(&s, b), s.rsplit_once(c));
            prop_assert_eq!(has_ascii(&s, b), s.contains(c));
        }
    }

    proptest! {
        #[test]
        fn scan_never_panics(s in "\\PC{0,200}") {
            let _ = scan(&s);
        }

        #[test]
        fn number_like_text_never_panics(s in "[0-9.,/%: -]{0,40}[a-zđ ]{0,10}") {
            for n in scan(&s) {
                prop_assert!(n.start < n.end && n.end <= s.chars().count());
                prop_assert!(n.tail >= n.end && n.tail <= s.chars().count());
            }
        }

        #[test]
        fn vietnamese_numbers_read_back_exactly(m in 0i64..1_000_000_000_000_000i64) {
            let text = qcdc_core::number::format_vn(m, 3);
            prop_assert_eq!(parse_vn(&text), Some(m), "{}", text);
        }
    }
}
