//! The units tree (đơn vị) with validity dates and succession links, so the 2025
//! reorganisation (districts abolished, communes merged) is one tree with history.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, ErrorCode, Problem};
use crate::period::{format_date, parse_date};
use crate::text;

/// What kind of grassroots unit a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// Trung ương (the national steering committee).
    Central,
    /// Tỉnh / thành phố trực thuộc Trung ương.
    Province,
    /// Huyện / quận / thị xã / thành phố thuộc tỉnh — abolished on 1/7/2025.
    District,
    /// Xã.
    Commune,
    /// Phường.
    Ward,
    /// Thị trấn — abolished with the districts.
    Township,
    /// Đặc khu.
    SpecialZone,
    /// Sở, ban, ngành; cơ quan hành chính.
    Agency,
    /// Đơn vị sự nghiệp công lập.
    PublicService,
    /// Doanh nghiệp.
    Enterprise,
    /// Tổ chức đảng (đảng bộ, chi bộ).
    PartyOrg,
    /// Mặt trận Tổ quốc, đoàn thể.
    MassOrg,
}

impl UnitKind {
    pub const ALL: [UnitKind; 12] = [
        Self::Central,
        Self::Province,
        Self::District,
        Self::Commune,
        Self::Ward,
        Self::Township,
        Self::SpecialZone,
        Self::Agency,
        Self::PublicService,
        Self::Enterprise,
        Self::PartyOrg,
        Self::MassOrg,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Central => "central",
            Self::Province => "province",
            Self::District => "district",
            Self::Commune => "commune",
            Self::Ward => "ward",
            Self::Township => "township",
            Self::SpecialZone => "special_zone",
            Self::Agency => "agency",
            Self::PublicService => "public_service",
            Self::Enterprise => "enterprise",
            Self::PartyOrg => "party_org",
            Self::MassOrg => "mass_org",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Central => "Trung ương",
            Self::Province => "Tỉnh, thành phố",
            Self::District => "Huyện, quận (trước 01/7/2025)",
            Self::Commune => "Xã",
            Self::Ward => "Phường",
            Self::Township => "Thị trấn (trước 01/7/2025)",
            Self::SpecialZone => "Đặc khu",
            Self::Agency => "Cơ quan, sở, ngành",
            Self::PublicService => "Đơn vị sự nghiệp công lập",
            Self::Enterprise => "Doanh nghiệp",
            Self::PartyOrg => "Tổ chức đảng",
            Self::MassOrg => "Mặt trận, đoàn thể",
        }
    }

    /// Commune level (cấp xã): commune, ward, township, special zone.
    pub fn is_commune_level(self) -> bool {
        matches!(
            self,
            Self::Commune | Self::Ward | Self::Township | Self::SpecialZone
        )
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// How a unit came from its predecessors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Succession {
    /// Formed by merging the predecessors (sáp nhập).
    Merged,
    /// Split from the predecessor (chia tách).
    Split,
    /// The predecessor renamed or re-coded (đổi tên).
    Renamed,
}

impl Succession {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merged => "merged",
            Self::Split => "split",
            Self::Renamed => "renamed",
        }
    }

    pub fn parse(s: &str) -> Option<Succession> {
        match s.trim() {
            "merged" => Some(Self::Merged),
            "split" => Some(Self::Split),
            "renamed" => Some(Self::Renamed),
            _ => None,
        }
    }
}

/// A unit as imported and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRecord {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub valid_from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    /// Units this one succeeds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub predecessors: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succession: Option<Succession>,
}

impl UnitRecord {
    /// True when the unit exists on that day.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|t| day <= t)
    }
}

/// The column order of the CSV format.
pub const CSV_HEADER: [&str; 8] = [
    "code",
    "name",
    "kind",
    "parent",
    "valid_from",
    "valid_to",
    "predecessors",
    "succession",
];

/// Parses one CSV row (already split into fields) into a record; problems name the line.
pub fn record_from_fields(
    line: usize,
    f: &[String],
    problems: &mut Vec<Problem>,
) -> Option<UnitRecord> {
    let get = |i: usize| {
        f.get(i)
            .map(|s| text::nfc(unguard_formula(s.trim())))
            .unwrap_or_default()
    };
    let mut ok = true;
    let mut bad = |code: &'static str, message: String| {
        problems.push(Problem {
            line,
            code,
            message,
        });
        ok = false;
    };
    let code = get(0);
    if code.is_empty() || code.len() > 64 || code.chars().any(|c| c.is_whitespace()) {
        bad(
            "code",
            format!("Mã đơn vị «{code}» không hợp lệ (không để trống, không có khoảng trắng)"),
        );
    }
    let name = get(1);
    if name.is_empty() {
        bad("name", "Thiếu tên đơn vị".into());
    } else if name.chars().count() > MAX_NAME_CHARS {
        bad(
            "name",
            format!(
                "Tên đơn vị dài {} ký tự, tối đa {MAX_NAME_CHARS}",
                name.chars().count()
            ),
        );
    } else if name.chars().any(char::is_control) {
        bad(
            "name",
            "Tên đơn vị có ký tự điều khiển (không in được)".into(),
        );
    }
    let kind = UnitKind::parse(&get(2));
    if kind.is_none() {
        bad("kind", format!("Loại đơn vị «{}» không hợp lệ", get(2)));
    }
    let parent = Some(get(3)).filter(|s| !s.is_empty());
    let valid_from = parse_date(&get(4))
        .map_err(|e| bad("valid_from", format!("Ngày bắt đầu: {}", e.message)))
        .ok();
    let valid_to = match get(5) {
        s if s.is_empty() => Some(None),
        s => parse_date(&s)
            .map(Some)
            .map_err(|e| bad("valid_to", format!("Ngày kết thúc: {}", e.message)))
            .ok(),
    };
    let predecessors: Vec<String> = get(6)
        .split([';', ' ', '|'])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let succession = match get(7) {
        s if s.is_empty() => Some(None),
        s => Succession::parse(&s).map(Some).or_else(|| {
            bad(
                "succession",
                format!("Hình thức kế thừa «{s}» không hợp lệ (merged, split, renamed)"),
            );
            None
        }),
    };
    if !ok {
        return None;
    }
    Some(UnitRecord {
        code,
        name,
        kind: kind?,
        parent,
        valid_from: valid_from?,
        valid_to: valid_to?,
        predecessors,
        succession: succession?,
    })
}

/// Longest unit name accepted.
pub const MAX_NAME_CHARS: usize = 300;

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_LEAD: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A field written for spreadsheets: a value that would start a formula is
/// prefixed with `'` (shown as text by Excel and LibreOffice, never run).
pub fn guard_formula(v: &str) -> String {
    if v.starts_with(FORMULA_LEAD) {
        format!("'{v}")
    } else {
        v.to_string()
    }
}

/// Reads back a field written by [`guard_formula`]: the exact value typed.
fn unguard_formula(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_LEAD) => rest,
        _ => v,
    }
}

/// Writes a record as CSV fields.
pub fn record_to_fields(r: &UnitRecord) -> [String; 8] {
    [
        r.code.clone(),
        r.name.clone(),
        r.kind.as_str().to_string(),
        r.parent.clone().unwrap_or_default(),
        format_date(r.valid_from),
        r.valid_to.map(format_date).unwrap_or_default(),
        r.predecessors.join(";"),
        r.succession
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
    ]
}

/// Checks an import against the units already stored. The result is the set of
/// records to write (new and changed). A file with any problem is refused whole.
///
/// Problems: duplicate code, unknown parent or predecessor, a cycle, validity that
/// ends before it starts, a child valid outside its parent, a successor whose
/// validity overlaps its predecessor's.
pub fn check_import(
    existing: &[UnitRecord],
    incoming: &[(usize, UnitRecord)],
) -> Result<Vec<UnitRecord>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut line_of: HashMap<&str, usize> = HashMap::new();
    for (line, r) in incoming {
        if let Some(first) = line_of.insert(&r.code, *line) {
            problems.push(Problem {
                line: *line,
                code: "duplicate_code",
                message: format!("Mã «{}» trùng với dòng {first}", r.code),
            });
        }
    }
    let mut all: HashMap<&str, &UnitRecord> =
        existing.iter().map(|r| (r.code.as_str(), r)).collect();
    for (_, r) in incoming {
        all.insert(&r.code, r);
    }
    for (line, r) in incoming {
        let line = *line;
        if let Some(t) = r.valid_to
            && t < r.valid_from
        {
            problems.push(Problem {
                line,
                code: "validity",
                message: format!(
                    "«{}»: ngày kết thúc {} trước ngày bắt đầu {}",
                    r.code,
                    format_date(t),
                    format_date(r.valid_from)
                ),
            });
        }
        if let Some(p) = &r.parent {
            match all.get(p.as_str()) {
                None => problems.push(Problem {
                    line,
                    code: "unknown_parent",
                    message: format!("«{}»: đơn vị cấp trên «{p}» không tồn tại", r.code),
                }),
                Some(parent) => {
                    let starts_before = r.valid_from < parent.valid_from;
                    let ends_after = match (r.valid_to, parent.valid_to) {
                        (_, None) => false,
                        (None, Some(_)) => true,
                        (Some(a), Some(b)) => a > b,
                    };
                    if starts_before || ends_after {
                        problems.push(Problem {
                            line,
                            code: "overlapping_validity",
                            message: format!("«{}»: thời gian hiệu lực nằm ngoài thời gian hiệu lực của đơn vị cấp trên «{p}»", r.code),
                        });
                    }
                }
            }
        }
        if !r.predecessors.is_empty() && r.succession.is_none() {
            problems.push(Problem {
                line,
                code: "succession",
                message: format!(
                    "«{}»: có đơn vị tiền thân nhưng thiếu hình thức kế thừa",
                    r.code
                ),
            });
        }
        for pred in &r.predecessors {
            match all.get(pred.as_str()) {
                None => problems.push(Problem {
                    line,
                    code: "unknown_predecessor",
                    message: format!("«{}»: đơn vị tiền thân «{pred}» không tồn tại", r.code),
                }),
                Some(p) if pred == &r.code => {
                    let _ = p;
                    problems.push(Problem {
                        line,
                        code: "cycle",
                        message: format!("«{}» không thể kế thừa chính nó", r.code),
                    });
                }
                Some(p) => {
                    let split = r.succession == Some(Succession::Split);
                    // a split-off unit may start while its predecessor lives on
                    if !split && p.valid_to.is_none_or(|end| end >= r.valid_from) {
                        problems.push(Problem {
                            line,
                            code: "overlapping_validity",
                            message: format!("«{}» bắt đầu từ {} trong khi đơn vị tiền thân «{pred}» vẫn còn hiệu lực", r.code, format_date(r.valid_from)),
                        });
                    }
                }
            }
        }
    }
    // cycles in the parent chain, over the merged set
    for (line, r) in incoming {
        let mut seen = HashSet::new();
        let mut cur = Some(r.code.as_str());
        while let Some(c) = cur {
            if !seen.insert(c) {
                problems.push(Problem {
                    line: *line,
                    code: "cycle",
                    message: format!("«{}»: quan hệ cấp trên tạo thành vòng lặp", r.code),
                });
                break;
            }
            cur = all.get(c).and_then(|u| u.parent.as_deref());
        }
    }
    problems.sort_by_key(|p| p.line);
    if !problems.is_empty() {
        return Err(problems);
    }
    let existing_by: HashMap<&str, &UnitRecord> =
        existing.iter().map(|r| (r.code.as_str(), r)).collect();
    Ok(incoming
        .iter()
        .filter(|(_, r)| existing_by.get(r.code.as_str()) != Some(&r))
        .map(|(_, r)| r.clone())
        .collect())
}

/// Wraps import problems into one error.
pub fn import_error(problems: Vec<Problem>) -> CoreError {
    CoreError::with_problems(
        ErrorCode::InvalidUnits,
        format!(
            "Tệp đơn vị có {} lỗi; không có thay đổi nào được lưu",
            problems.len()
        ),
        problems,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(code: &str, parent: Option<&str>, from: &str, to: Option<&str>) -> UnitRecord {
        UnitRecord {
            code: code.into(),
            name: format!("Đơn vị {code}"),
            kind: UnitKind::Commune,
            parent: parent.map(str::to_string),
            valid_from: parse_date(from).unwrap(),
            valid_to: to.map(|t| parse_date(t).unwrap()),
            predecessors: vec![],
            succession: None,
        }
    }

    #[test]
    fn accepts_a_reorganised_tree() {
        let p = rec("T", None, "01/01/2000", None);
        let d = rec("H", Some("T"), "01/01/2000", Some("30/06/2025"));
        let x1 = rec("X1", Some("H"), "01/01/2000", Some("30/06/2025"));
        let x2 = rec("X2", Some("H"), "01/01/2000", Some("30/06/2025"));
        let mut n = rec("XN", Some("T"), "01/07/2025", None);
        n.predecessors = vec!["X1".into(), "X2".into()];
        n.succession = Some(Succession::Merged);
        let incoming: Vec<_> = [p, d, x1, x2, n]
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i + 2, r))
            .collect();
        assert_eq!(check_import(&[], &incoming).unwrap().len(), 5);
    }

    #[test]
    fn lists_every_problem_by_line() {
        let existing = vec![rec("T", None, "01/01/2000", None)];
        let mut bad_pred = rec("XN", Some("T"), "01/07/2025", None);
        bad_pred.predecessors = vec!["T".into()];
        bad_pred.succession = Some(Succession::Merged);
        let incoming = vec![
            (2, rec("A", Some("KHONG_CO"), "01/01/2020", None)),
            (3, rec("B", Some("C"), "01/01/2020", None)),
            (4, rec("C", Some("B"), "01/01/2020", None)),
            (5, rec("A", Some("T"), "01/01/2020", None)),
            (6, rec("D", Some("T"), "01/01/2020", Some("01/01/2019"))),
            (7, rec("E", Some("T"), "01/01/1990", None)),
            (8, bad_pred),
        ];
        let problems = check_import(&existing, &incoming).unwrap_err();
        let got: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.code)).collect();
        assert!(got.contains(&(2, "unknown_parent")), "{got:?}");
        assert!(got.contains(&(3, "cycle")), "{got:?}");
        assert!(got.contains(&(4, "cycle")), "{got:?}");
        assert!(got.contains(&(5, "duplicate_code")), "{got:?}");
        assert!(got.contains(&(6, "validity")), "{got:?}");
        assert!(got.contains(&(7, "overlapping_validity")), "{got:?}");
        assert!(got.contains(&(8, "overlapping_validity")), "{got:?}");
    }

    #[test]
    fn reimport_of_same_data_changes_nothing() {
        let existing = vec![rec("T", None, "01/01/2000", None)];
        let incoming = vec![(2, rec("T", None, "01/01/2000", None))];
        assert!(check_import(&existing, &incoming).unwrap().is_empty());
    }

    #[test]
    fn csv_fields_round_trip() {
        let mut r = rec("XN", Some("T"), "01/07/2025", None);
        r.predecessors = vec!["X1".into(), "X2".into()];
        r.succession = Some(Succession::Merged);
        let f = record_to_fields(&r);
        let mut problems = vec![];
        assert_eq!(record_from_fields(3, &f, &mut problems), Some(r));
        let bad: Vec<String> = ["", "", "xa", "", "32/13/2020", "", "", "gop"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(record_from_fields(9, &bad, &mut problems), None);
        assert_eq!(problems.len(), 5);
        assert!(problems.iter().all(|p| p.line == 9));
    }
}

/// Reads units from CSV text (header [`CSV_HEADER`]; dates dd/mm/yyyy or ISO).
/// Every problem is listed with its line; any problem refuses the whole file.
pub fn parse_csv(text: &str) -> Result<Vec<(usize, UnitRecord)>, CoreError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut problems = Vec::new();
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_lowercase()).collect(),
        Err(e) => {
            return Err(import_error(vec![Problem {
                line: 1,
                code: "csv",
                message: format!("Không đọc được dòng tiêu đề: {e}"),
            }]));
        }
    };
    let pos: Vec<Option<usize>> = CSV_HEADER
        .iter()
        .map(|h| headers.iter().position(|x| x == h))
        .collect();
    for (i, h) in CSV_HEADER.iter().enumerate().take(5) {
        if pos[i].is_none() {
            problems.push(Problem {
                line: 1,
                code: "header",
                message: format!("Thiếu cột «{h}»"),
            });
        }
    }
    if !problems.is_empty() {
        return Err(import_error(problems));
    }
    let mut out = Vec::new();
    for rec in rdr.records() {
        match rec {
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(Problem {
                    line,
                    code: "csv",
                    message: format!("Dòng CSV không hợp lệ: {e}"),
                });
            }
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                if r.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let fields: Vec<String> = pos
                    .iter()
                    .map(|p| p.and_then(|i| r.get(i)).unwrap_or("").to_string())
                    .collect();
                if let Some(u) = record_from_fields(line, &fields, &mut problems) {
                    out.push((line, u));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(import_error(problems));
    }
    if out.is_empty() {
        return Err(import_error(vec![Problem {
            line: 0,
            code: "empty",
            message: "Tệp không có đơn vị nào".into(),
        }]));
    }
    Ok(out)
}

/// Writes units as CSV with the [`CSV_HEADER`] columns.
pub fn to_csv(records: &[UnitRecord]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(CSV_HEADER);
    for r in records {
        let _ = w.write_record(record_to_fields(r).iter().map(|f| guard_formula(f)));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Reads units from JSON: an array of records or `{"units": [...]}`; the line of
/// each problem is the record's 1-based position.
pub fn parse_json(text: &str) -> Result<Vec<(usize, UnitRecord)>, CoreError> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum File {
        List(Vec<serde_json::Value>),
        Wrapped { units: Vec<serde_json::Value> },
    }
    let file: File = serde_json::from_str(text).map_err(|e| {
        import_error(vec![Problem {
            line: e.line(),
            code: "json",
            message: format!("JSON không hợp lệ: {e}"),
        }])
    })?;
    let items = match file {
        File::List(v) | File::Wrapped { units: v } => v,
    };
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (i, v) in items.into_iter().enumerate() {
        match serde_json::from_value::<UnitRecord>(v) {
            Ok(mut r) => {
                r.name = text::nfc(r.name.trim());
                if r.code.trim().is_empty() || r.code.chars().any(char::is_whitespace) {
                    problems.push(Problem {
                        line: i + 1,
                        code: "code",
                        message: format!("Mã đơn vị «{}» không hợp lệ", r.code),
                    });
                } else if r.name.is_empty() {
                    problems.push(Problem {
                        line: i + 1,
                        code: "name",
                        message: "Thiếu tên đơn vị".into(),
                    });
                } else {
                    out.push((i + 1, r));
                }
            }
            Err(e) => problems.push(Problem {
                line: i + 1,
                code: "record",
                message: format!("Bản ghi thứ {} không hợp lệ: {e}", i + 1),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(import_error(problems));
    }
    Ok(out)
}

#[cfg(test)]
mod file_tests {
    use super::*;
    use proptest::prelude::*;

    /// A name that a spreadsheet would run as a formula is written guarded and read
    /// back exactly; control characters and over-long names are refused.
    #[test]
    fn csv_export_never_carries_a_formula_and_reads_back_exactly() {
        let text = "code,name,kind,parent,valid_from,valid_to,predecessors,succession\nT,=cmd|' /C calc'!A0,province,,01/01/2000,,,\nX,-Xã B,commune,T,2025-07-01,,,\n";
        let recs: Vec<UnitRecord> = parse_csv(text)
            .unwrap()
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        let out = to_csv(&recs);
        assert!(out.contains(",'=cmd|") && out.contains(",'-Xã B,"), "{out}");
        assert!(
            !out.lines()
                .any(|l| l.split(',').any(|f| f.starts_with('='))),
            "{out}"
        );
        let back: Vec<UnitRecord> = parse_csv(&out)
            .unwrap()
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        assert_eq!(back, recs);
        assert_eq!(back[0].name, "=cmd|' /C calc'!A0");
        let bad = format!(
            "code,name,kind,parent,valid_from,valid_to,predecessors,succession\nA,Xã\u{1}B,commune,,01/01/2000,,,\nB,{},commune,,01/01/2000,,,\n",
            "x".repeat(MAX_NAME_CHARS + 1)
        );
        let e = parse_csv(&bad).unwrap_err();
        assert_eq!(
            e.problems.iter().filter(|p| p.code == "name").count(),
            2,
            "{:?}",
            e.problems
        );
    }

    #[test]
    fn csv_round_trip_and_line_numbers() {
        let text = "code,name,kind,parent,valid_from,valid_to,predecessors,succession\nT,Tỉnh A,province,,01/01/2000,,,\nX,Xã B,commune,T,2025-07-01,,,\nY,,xa,T,32/01/2025,,,\n";
        let e = parse_csv(text).unwrap_err();
        assert!(e.problems.iter().all(|p| p.line == 4), "{:?}", e.problems);
        assert_eq!(e.problems.len(), 3);
        let ok = parse_csv(&text.replace("Y,,xa,T,32/01/2025,,,\n", "")).unwrap();
        assert_eq!(ok.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 3]);
        let recs: Vec<UnitRecord> = ok.into_iter().map(|(_, r)| r).collect();
        let again: Vec<UnitRecord> = parse_csv(&to_csv(&recs))
            .unwrap()
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        assert_eq!(again, recs);
        assert_eq!(
            parse_csv("name,code\n").unwrap_err().problems[0].code,
            "header"
        );
    }

    #[test]
    fn json_forms() {
        let one = r#"[{"code":"T","name":"Tỉnh A","kind":"province","valid_from":"2000-01-01"}]"#;
        assert_eq!(parse_json(one).unwrap().len(), 1);
        let wrapped = format!(r#"{{"units": {one}}}"#);
        assert_eq!(parse_json(&wrapped).unwrap().len(), 1);
        let e = parse_json(
            r#"[{"code":"T"}, {"code":"X","name":"x","kind":"nope","valid_from":"2000-01-01"}]"#,
        )
        .unwrap_err();
        assert_eq!(
            e.problems.iter().map(|p| p.line).collect::<Vec<_>>(),
            [1, 2]
        );
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,200}") {
            let _ = parse_csv(&s);
            let _ = parse_json(&s);
        }

        #[test]
        fn csv_like_input_never_panics(rows in proptest::collection::vec("[A-Za-z0-9,/\\-;\" ]{0,60}", 0..8)) {
            let text = format!("code,name,kind,parent,valid_from,valid_to,predecessors,succession\n{}", rows.join("\n"));
            let _ = parse_csv(&text);
        }
    }
}
