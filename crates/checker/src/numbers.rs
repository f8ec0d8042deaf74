//! Finding quantities in Vietnamese report text: `3.731`, `13.536,5`, `138/157`,
//! `87,8%`, `113 đơn/149 đơn`, with the unit of measure that follows — and telling
//! them apart from dates, document symbols (`05-NQ/HU`, `34/2007/PL-UBTVQH11`),
//! ranges and years.

/// What a numeric token turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A count or amount.
    Plain,
    /// `a/b` (or `a UNIT/ b UNIT`).
    Fraction {
        num: f64,
        den: f64,
    },
    /// Written wrongly; `guess` is the likely fraction when one can be read.
    Malformed {
        why: String,
        guess: Option<(f64, f64)>,
    },
    /// A comma that may be a decimal mark or an English thousands separator.
    Ambiguous {
        why: String,
    },
    Date,
    Symbol,
    Year,
    Range,
}

/// A numeric token in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Num {
    /// Char offsets of the token in the text.
    pub start: usize,
    pub end: usize,
    pub raw: String,
    pub kind: Kind,
    /// The value of a plain number (or the stated percentage).
    pub value: Option<f64>,
    pub percent: bool,
    /// Unit of measure right after it, normalised (`hồ sơ`, `cuộc`, …).
    pub unit: Option<&'static str>,
    /// Char offset just after the unit (or the token / `%`).
    pub tail: usize,
    /// Decimals shown (for percentages).
    pub decimals: u32,
}

impl Num {
    pub fn is_quantity(&self) -> bool {
        matches!(self.kind, Kind::Plain)
    }
}

/// Units of measure, longest first where one starts another.
pub const UNITS: &[&str] = &[
    "lượt công dân",
    "lượt người",
    "lượt",
    "người",
    "hồ sơ",
    "đơn thư",
    "đơn vị",
    "đơn",
    "vụ việc",
    "vụ",
    "cuộc",
    "văn bản",
    "triệu đồng",
    "tỷ đồng",
    "nghìn đồng",
    "đồng",
    "hội nghị",
    "phường",
    "xã",
    "hộ",
    "doanh nghiệp",
    "mô hình",
    "điển hình",
    "ý kiến",
    "nội dung",
    "đoàn",
    "dvc",
    "dịch vụ",
    "lao động",
    "nhân khẩu",
    "khu phố",
    "thôn",
    "chi bộ",
    "đảng bộ",
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
    "trường",
    "tổ",
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
    "hội",
    "điểm",
    "biên chế",
];

/// Units that count indivisible things (a decimal part is a slip).
pub fn is_count(unit: &str) -> bool {
    !matches!(
        unit,
        "triệu đồng" | "tỷ đồng" | "nghìn đồng" | "đồng" | "tấn" | "điểm"
    )
}

const SUPERSCRIPTS: &str = "⁰¹²³⁴⁵⁶⁷⁸⁹";

/// Parses `1.234,5` / `1234` / `0,75` strictly; None when malformed.
pub fn parse_vn(s: &str) -> Option<f64> {
    let (int, frac) = match s.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if int.is_empty()
        || frac.is_some_and(|f| {
            f.is_empty() || f.contains(',') || !f.bytes().all(|b| b.is_ascii_digit())
        })
    {
        return None;
    }
    let groups: Vec<&str> = int.split('.').collect();
    if groups
        .iter()
        .any(|g| g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    if groups.len() > 1 && (groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return None;
    }
    let digits: String = groups.concat();
    if digits.len() > 15 {
        return None;
    }
    let mut v: f64 = digits.parse().ok()?;
    if let Some(f) = frac {
        if f.len() > 6 {
            return None;
        }
        v += f.parse::<f64>().ok()? / 10f64.powi(f.len() as i32);
    }
    Some(v)
}

fn lower_starts_with(chars: &[char], at: usize, word: &str) -> bool {
    let mut i = at;
    for w in word.chars() {
        match chars.get(i) {
            Some(c) if c.to_lowercase().eq(w.to_lowercase()) => i += 1,
            _ => return false,
        }
    }
    // a whole word (a footnote marker may follow)
    !chars
        .get(i)
        .is_some_and(|c| c.is_alphabetic() || c.is_ascii_digit())
}

fn prev_word_is(chars: &[char], at: usize, words: &[&str]) -> bool {
    // the text just before `at`, lowercased, without trailing spaces
    let from = at.saturating_sub(24);
    let before: String = chars[from..at].iter().collect::<String>().to_lowercase();
    let before = before.trim_end();
    words.iter().any(|w| {
        before.ends_with(w)
            && before[..before.len() - w.len()]
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\u{a0}') {
        i += 1;
    }
    i
}

/// Scans a text for numeric tokens.
pub fn scan(text: &str) -> Vec<Num> {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut out: Vec<Num> = Vec::new();
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
        let raw: String = chars[start..j].iter().collect();
        let next = chars.get(j).copied();
        let next2 = chars.get(j + 1).copied();
        let prev = if start > 0 {
            Some(chars[start - 1])
        } else {
            None
        };
        let prev2 = if start > 1 {
            Some(chars[start - 2])
        } else {
            None
        };
        let mut num = Num {
            start,
            end: j,
            raw: raw.clone(),
            kind: Kind::Plain,
            value: None,
            percent: false,
            unit: None,
            tail: j,
            decimals: 0,
        };
        let slashes = raw.matches('/').count();
        let is_date_like = {
            let p: Vec<&str> = raw.split('/').collect();
            let all_int = p
                .iter()
                .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()));
            all_int
                && ((p.len() == 3 && p[0].len() <= 2 && p[1].len() <= 2 && p[2].len() == 4)
                    || (p.len() == 2
                        && p[0].len() <= 2
                        && p[1].len() == 4
                        && p[0].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m)))
                    || (p.len() == 2
                        && p[0].len() <= 2
                        && p[1].len() <= 2
                        && prev_word_is(&chars, start, &["ngày"])))
        };
        let line_start = chars[..start]
            .iter()
            .rev()
            .take_while(|c| **c != '\n')
            .all(|c| c.is_whitespace());
        if line_start
            && next == Some('.')
            && !next2.is_some_and(|c| c.is_ascii_digit())
            && raw.len() <= 6
            && raw.chars().all(|c| c.is_ascii_digit() || c == '.')
        {
            // an outline number: "1.1.", "4.2.Việc…"
            num.kind = Kind::Symbol;
        } else if (next == Some('-') || next == Some('/') || next == Some('–'))
            && next2.is_some_and(|c| c.is_alphabetic())
        {
            num.kind = Kind::Symbol;
        } else if prev == Some('-') && prev2.is_some_and(|c| c.is_alphabetic())
            || prev_word_is(&chars, start, &["covid -", "covid-", "covid"])
        {
            num.kind = Kind::Symbol;
        } else if (next == Some('-') || next == Some('–'))
            && next2.is_some_and(|c| c.is_ascii_digit())
            || (prev == Some('-') || prev == Some('–')) && prev2.is_some_and(|c| c.is_ascii_digit())
        {
            num.kind = Kind::Range;
        } else if is_date_like {
            num.kind = Kind::Date;
        } else if !prev_word_is(&chars, start, &["tổng số", "tổng số:"])
            && prev_word_is(
                &chars,
                start,
                &[
                    "số",
                    "số:",
                    "khóa",
                    "khoá",
                    "kỳ họp thứ",
                    "lần thứ",
                    "quý",
                    "điều",
                    "khoản",
                    "chương",
                    "mục",
                    "phụ lục",
                    "thứ",
                ],
            )
        {
            num.kind = Kind::Symbol;
        } else if raw.len() == 4
            && raw.bytes().all(|b| b.is_ascii_digit())
            && (1900..=2100).contains(&raw.parse::<u32>().unwrap_or(0))
        {
            num.kind = Kind::Year;
        } else if slashes == 1 {
            let (a, b) = raw.split_once('/').expect("one slash");
            match (parse_vn(a), parse_vn(b)) {
                (Some(x), Some(y)) => num.kind = Kind::Fraction { num: x, den: y },
                _ => {
                    num.kind = Kind::Malformed {
                        why: format!("«{raw}» không đọc được thành phân số"),
                        guess: None,
                    }
                }
            }
        } else if slashes >= 2 {
            let p: Vec<&str> = raw.split('/').collect();
            let guess = if p.len() == 3 && p[2].len() == 3 {
                parse_vn(p[0]).zip(parse_vn(&format!("{}.{}", p[1], p[2])))
            } else {
                None
            };
            let why = match guess {
                Some(_) => format!(
                    "«{raw}» có hai dấu «/»; có lẽ là {}/{}.{}",
                    p[0], p[1], p[2]
                ),
                None => format!("«{raw}» có nhiều dấu «/»"),
            };
            num.kind = Kind::Malformed { why, guess };
        } else {
            match parse_vn(&raw) {
                Some(v) => num.value = Some(v),
                None => {
                    let why = if raw.contains('.')
                        && raw.rsplit('.').next().is_some_and(|g| g.len() != 3)
                    {
                        format!(
                            "«{raw}»: dấu chấm dùng để phân cách hàng nghìn (nhóm 3 chữ số), phần thập phân phải dùng dấu phẩy"
                        )
                    } else {
                        format!("«{raw}» không đúng cách viết số")
                    };
                    num.kind = Kind::Malformed { why, guess: None };
                }
            }
        }
        // percent and unit
        let mut k = skip_spaces(&chars, j);
        if chars.get(k) == Some(&'%') {
            num.percent = true;
            k += 1;
            num.tail = k;
            num.decimals = raw.split_once(',').map_or(0, |(_, f)| f.len() as u32);
            if matches!(num.kind, Kind::Malformed { .. }) && raw.contains('.') && !raw.contains(',')
            {
                num.kind = Kind::Malformed {
                    why: format!("«{raw}%»: phần thập phân của tỷ lệ phải dùng dấu phẩy"),
                    guess: None,
                };
            }
        } else if matches!(
            num.kind,
            Kind::Plain | Kind::Malformed { .. } | Kind::Fraction { .. }
        ) {
            for u in UNITS {
                if lower_starts_with(&chars, k, u) {
                    num.unit = Some(u);
                    num.tail = k + u.chars().count();
                    break;
                }
            }
        }
        if num.kind == Kind::Plain
            && let Some((_, f)) = raw.split_once(',')
            && f.len() == 3
            && !raw.contains('.')
            && num.unit.is_some_and(is_count)
        {
            num.kind = Kind::Ambiguous {
                why: format!(
                    "«{raw}»: dấu phẩy trước 3 chữ số với đơn vị đếm «{}» — là phần thập phân hay phân cách hàng nghìn kiểu Anh?",
                    num.unit.unwrap_or("")
                ),
            };
        }
        i = j.max(start + 1);
        out.push(num);
    }
    merge_unit_fractions(&chars, &mut out);
    out
}

/// `113 đơn/149 đơn` is the fraction 113/149.
fn merge_unit_fractions(chars: &[char], nums: &mut Vec<Num>) {
    let mut k = 0;
    while k + 1 < nums.len() {
        let (a, b) = (&nums[k], &nums[k + 1]);
        let between: String = chars[a.tail..b.start].iter().collect();
        if a.kind == Kind::Plain
            && b.kind == Kind::Plain
            && !a.percent
            && !b.percent
            && a.unit.is_some()
            && a.unit == b.unit
            && between.trim() == "/"
        {
            let (x, y) = (a.value.unwrap_or(0.0), b.value.unwrap_or(0.0));
            let merged = Num {
                start: a.start,
                end: b.end,
                raw: chars[a.start..b.end].iter().collect(),
                kind: Kind::Fraction { num: x, den: y },
                value: None,
                percent: false,
                unit: b.unit,
                tail: b.tail,
                decimals: 0,
            };
            nums[k] = merged;
            nums.remove(k + 1);
        }
        k += 1;
    }
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
                    num: 138.0,
                    den: 157.0
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
    fn flags_malformed_numbers() {
        for (s, bad) in [
            ("44.708/45/964 hồ sơ", "44.708/45/964"),
            ("1.124.5 triệu đồng", "1.124.5"),
            ("329.50 triệu", "329.50"),
            ("95.13%", "95.13"),
        ] {
            let k = scan(s);
            assert!(
                matches!(k[0].kind, Kind::Malformed { .. }),
                "{s}: {:?}",
                k[0]
            );
            assert_eq!(k[0].raw, bad);
        }
        assert!(matches!(
            scan("300,267 nhân khẩu")[0].kind,
            Kind::Ambiguous { .. }
        ));
        assert_eq!(scan("6.322,25 triệu đồng")[0].value, Some(6322.25));
        match &scan("44.708/45/964 hồ sơ")[0].kind {
            Kind::Malformed { guess, .. } => assert_eq!(*guess, Some((44708.0, 45964.0))),
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn unit_fractions() {
        let k = scan("Kết quả giải quyết đơn thư khiếu nại: 113 đơn/149 đơn, đạt 75,84 %.");
        assert_eq!(
            k[0].kind,
            Kind::Fraction {
                num: 113.0,
                den: 149.0
            }
        );
        assert!(k[1].percent && k[1].decimals == 2);
        // amount per people is not a fraction
        let k = scan("4.450 triệu đồng/2.970 người");
        assert_eq!(k.len(), 2);
        assert_eq!(k[0].kind, Kind::Plain);
    }

    proptest! {
        #[test]
        fn scan_never_panics(s in "\\PC{0,200}") {
            let _ = scan(&s);
        }

        #[test]
        fn number_like_text_never_panics(s in "[0-9.,/% -]{0,40}[a-zđ ]{0,10}") {
            for n in scan(&s) {
                prop_assert!(n.start < n.end && n.end <= s.chars().count());
            }
        }

        #[test]
        fn vietnamese_numbers_read_back(m in 0i64..10_000_000_000_000i64) {
            let text = qcdc_core::number::format_vn(m, 3);
            let parsed = parse_vn(&text).unwrap();
            prop_assert!((parsed - m as f64 / 1000.0).abs() < 1e-6 * (1.0 + m as f64 / 1000.0), "{text} -> {parsed}");
        }
    }
}
