//! The Excel layout of a register book (sổ đơn, sổ tiếp công dân) and the
//! parsing of one row of it: every cell arrives as text (dates dd/mm/yyyy,
//! labels in Vietnamese with or without diacritics, or the codes), and a row is
//! either read whole or refused with every reason in Vietnamese. Never panics,
//! whatever the cells.

use chrono::NaiveDate;

use super::PetitionKind;
use super::entries::{InspectionBody, ModelHolder, ModelLevel};
use super::petition::{Channel, ConclusionResult};
use super::reception::Receiver;
use super::source::InspectionKind;
use crate::text::fold;

/// The columns of the petitions book, in order.
pub const PETITION_COLUMNS: [&str; 10] = [
    "Ngày nhận",
    "Loại đơn",
    "Kênh tiếp nhận",
    "Người gửi đơn",
    "Tóm tắt nội dung",
    "Cơ quan chuyển đến",
    "Vùng sâu, vùng xa",
    "Ngày thụ lý",
    "Ngày kết luận",
    "Kết quả",
];

/// The columns of the citizen reception book, in order.
pub const SESSION_COLUMNS: [&str; 7] = [
    "Ngày tiếp",
    "Người tiếp",
    "Họ tên người tiếp",
    "Số lượt",
    "Số người",
    "Số đoàn đông người",
    "Ghi chú",
];

/// The columns of the dialogues book, in order.
pub const DIALOGUE_COLUMNS: [&str; 7] = [
    "Ngày đối thoại",
    "Chủ đề đối thoại",
    "Số người tham dự",
    "Người chủ trì",
    "Chức vụ người chủ trì",
    "Số vấn đề người dân nêu",
    "Số vấn đề đã trả lời",
];

/// The columns of the inspections and supervision book, in order.
pub const INSPECTION_COLUMNS: [&str; 9] = [
    "Ngày kiểm tra, giám sát",
    "Hình thức",
    "Nội dung kiểm tra, giám sát",
    "Cơ quan, tổ chức thực hiện",
    "Đoàn thực hiện",
    "Đơn vị được kiểm tra, giám sát",
    "Kết quả, phát hiện",
    "Số kiến nghị đã nêu",
    "Số kiến nghị đã thực hiện",
];

/// The columns of the "Dân vận khéo" models book, in order.
pub const MODEL_COLUMNS: [&str; 8] = [
    "Ngày công nhận",
    "Tên mô hình",
    "Lĩnh vực",
    "Tập thể hay cá nhân",
    "Cấp công nhận",
    "Năm đăng ký",
    "Được khen thưởng",
    "Nơi khen thưởng",
];

/// An entry of a simple register (dialogues, inspections, models) read from a
/// row: only what the cells themselves say is checked here (dates, choices,
/// numbers); what an entry needs (required fields, lengths, a part not above
/// its whole, a model's level and year) is checked by the use case that
/// records it, the same for a form and for a book.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryRow {
    pub on: Option<NaiveDate>,
    pub title: String,
    pub number: u32,
    pub kind: Option<InspectionKind>,
    pub field: String,
    pub leader_name: String,
    pub leader_position: String,
    pub issues_raised: u32,
    pub issues_answered: u32,
    pub body: Option<InspectionBody>,
    pub team: String,
    pub inspected: String,
    pub findings: String,
    pub recommendations_made: u32,
    pub recommendations_done: u32,
    pub holder: Option<ModelHolder>,
    pub level: Option<ModelLevel>,
    pub registered_year: Option<i32>,
    pub commended: bool,
    pub commended_by: String,
}

/// A petition read from a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetitionRow {
    pub received: NaiveDate,
    pub kind: PetitionKind,
    pub channel: Channel,
    pub petitioners: Vec<String>,
    pub summary: String,
    pub forwarded_from: String,
    pub remote: bool,
    pub accepted: Option<NaiveDate>,
    pub concluded: Option<(NaiveDate, ConclusionResult)>,
}

/// A reception session read from a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub held_on: NaiveDate,
    pub receiver: Receiver,
    pub receiver_name: String,
    pub turns: u32,
    pub people: u32,
    pub delegations: u32,
    pub note: String,
}

/// A cell's text: trimmed, with the apostrophe an export puts before a leading
/// `=`, `+`, `-` or `@` taken off.
pub fn cell(cells: &[String], i: usize) -> String {
    let t = cells.get(i).map_or("", |s| s.trim());
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => t.to_string(),
    }
}

/// A text as written into an exported cell: a leading `=`, `+`, `-` or `@` gets
/// an apostrophe so no spreadsheet reads it as a formula.
pub fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn date(col: &str, s: &str, errors: &mut Vec<String>) -> Option<NaiveDate> {
    if s.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
    {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(format!(
                "cột «{col}»: «{}» không phải ngày dd/mm/yyyy",
                short(s)
            ));
            None
        }
    }
}

fn short(s: &str) -> String {
    let head: String = s.chars().take(40).collect();
    if head.len() < s.len() {
        format!("{head}…")
    } else {
        head
    }
}

/// Matches a label (with or without diacritics) or a code against the choices.
fn choice<T: Copy>(
    col: &str,
    s: &str,
    all: &[T],
    label: impl Fn(T) -> &'static str,
    code: impl Fn(T) -> &'static str,
    extra: &[(&str, T)],
    errors: &mut Vec<String>,
) -> Option<T> {
    if s.is_empty() {
        errors.push(format!("thiếu cột «{col}»"));
        return None;
    }
    let f = fold(s);
    let found = all
        .iter()
        .copied()
        .find(|x| fold(label(*x)) == f || code(*x) == s)
        .or_else(|| extra.iter().find(|(k, _)| *k == f).map(|(_, v)| *v));
    if found.is_none() {
        let names: Vec<&str> = all.iter().map(|x| label(*x)).collect();
        errors.push(format!(
            "cột «{col}»: «{}» không phải một trong: {}",
            short(s),
            names.join("; ")
        ));
    }
    found
}

fn count(col: &str, s: &str, required: bool, errors: &mut Vec<String>) -> u32 {
    if s.is_empty() {
        if required {
            errors.push(format!("thiếu cột «{col}»"));
        }
        return 0;
    }
    let plain = s.replace('.', "");
    match plain.parse::<u32>() {
        Ok(n) if n <= 100_000 => n,
        _ => {
            errors.push(format!(
                "cột «{col}»: «{}» không phải số nguyên không âm",
                short(s)
            ));
            0
        }
    }
}

/// An optional choice: an empty cell is `None` (the use case says whether it
/// is required), anything else must be one of the choices.
fn opt_choice<T: Copy>(
    col: &str,
    s: &str,
    all: &[T],
    label: impl Fn(T) -> &'static str,
    code: impl Fn(T) -> &'static str,
    errors: &mut Vec<String>,
) -> Option<T> {
    if s.is_empty() {
        None
    } else {
        choice(col, s, all, label, code, &[], errors)
    }
}

fn yes_no(col: &str, s: &str, errors: &mut Vec<String>) -> bool {
    match fold(s).as_str() {
        "" | "khong" | "0" => false,
        "co" | "x" | "1" => true,
        _ => {
            errors.push(format!("cột «{col}»: ghi «Có» hoặc để trống"));
            false
        }
    }
}

fn entry_date(col: &str, s: &str, errors: &mut Vec<String>) -> Option<NaiveDate> {
    if s.is_empty() {
        errors.push(format!("thiếu cột «{col}»"));
        return None;
    }
    date(col, s, errors)
}

fn done(row: EntryRow, errors: Vec<String>) -> Result<EntryRow, Vec<String>> {
    if errors.is_empty() && row.on.is_some() {
        Ok(row)
    } else {
        Err(errors)
    }
}

/// Reads one row of the dialogues book.
pub fn parse_dialogue_row(cells: &[String]) -> Result<EntryRow, Vec<String>> {
    let c = |i: usize| cell(cells, i);
    let cols = DIALOGUE_COLUMNS;
    let mut errors = Vec::new();
    let row = EntryRow {
        on: entry_date(cols[0], &c(0), &mut errors),
        title: crate::text::nfc(&c(1)),
        number: count(cols[2], &c(2), false, &mut errors),
        leader_name: crate::text::nfc(&c(3)),
        leader_position: crate::text::nfc(&c(4)),
        issues_raised: count(cols[5], &c(5), false, &mut errors),
        issues_answered: count(cols[6], &c(6), false, &mut errors),
        ..Default::default()
    };
    done(row, errors)
}

/// Reads one row of the inspections and supervision book.
pub fn parse_inspection_row(cells: &[String]) -> Result<EntryRow, Vec<String>> {
    let c = |i: usize| cell(cells, i);
    let cols = INSPECTION_COLUMNS;
    let mut errors = Vec::new();
    let row = EntryRow {
        on: entry_date(cols[0], &c(0), &mut errors),
        kind: opt_choice(
            cols[1],
            &c(1),
            &[InspectionKind::Inspection, InspectionKind::Supervision],
            InspectionKind::label_vi,
            InspectionKind::as_str,
            &mut errors,
        ),
        title: crate::text::nfc(&c(2)),
        body: opt_choice(
            cols[3],
            &c(3),
            &InspectionBody::ALL,
            InspectionBody::label_vi,
            InspectionBody::as_str,
            &mut errors,
        ),
        team: crate::text::nfc(&c(4)),
        inspected: crate::text::nfc(&c(5)),
        findings: crate::text::nfc(&c(6)),
        recommendations_made: count(cols[7], &c(7), false, &mut errors),
        recommendations_done: count(cols[8], &c(8), false, &mut errors),
        ..Default::default()
    };
    done(row, errors)
}

/// Reads one row of the "Dân vận khéo" models book.
pub fn parse_model_row(cells: &[String]) -> Result<EntryRow, Vec<String>> {
    let c = |i: usize| cell(cells, i);
    let cols = MODEL_COLUMNS;
    let mut errors = Vec::new();
    let year = c(5);
    let registered_year = if year.is_empty() {
        None
    } else {
        match year.parse::<i32>() {
            Ok(y) => Some(y),
            Err(_) => {
                errors.push(format!(
                    "cột «{}»: «{}» không phải năm",
                    cols[5],
                    short(&year)
                ));
                None
            }
        }
    };
    let row = EntryRow {
        on: entry_date(cols[0], &c(0), &mut errors),
        title: crate::text::nfc(&c(1)),
        field: crate::text::nfc(&c(2)),
        holder: opt_choice(
            cols[3],
            &c(3),
            &ModelHolder::ALL,
            ModelHolder::label_vi,
            ModelHolder::as_str,
            &mut errors,
        ),
        level: opt_choice(
            cols[4],
            &c(4),
            &ModelLevel::ALL,
            ModelLevel::label_vi,
            ModelLevel::as_str,
            &mut errors,
        ),
        registered_year,
        commended: yes_no(cols[6], &c(6), &mut errors),
        commended_by: crate::text::nfc(&c(7)),
        ..Default::default()
    };
    done(row, errors)
}

/// Reads one row of the petitions book.
pub fn parse_petition_row(cells: &[String]) -> Result<PetitionRow, Vec<String>> {
    let c = |i: usize| cell(cells, i);
    let mut errors = Vec::new();
    let received = date(PETITION_COLUMNS[0], &c(0), &mut errors);
    if c(0).is_empty() {
        errors.push(format!("thiếu cột «{}»", PETITION_COLUMNS[0]));
    }
    let kind = choice(
        PETITION_COLUMNS[1],
        &c(1),
        &PetitionKind::ALL,
        PetitionKind::label_vi,
        PetitionKind::as_str,
        &[
            ("kien nghi", PetitionKind::KienNghi),
            ("phan anh", PetitionKind::KienNghi),
        ],
        &mut errors,
    );
    let channel = choice(
        PETITION_COLUMNS[2],
        &c(2),
        &Channel::ALL,
        Channel::label_vi,
        Channel::as_str,
        &[
            ("buu dien", Channel::Post),
            ("qua buu dien", Channel::Post),
            ("chuyen den", Channel::Forwarded),
        ],
        &mut errors,
    );
    let petitioners: Vec<String> = c(3)
        .split(';')
        .map(|n| crate::text::nfc(n.trim()))
        .filter(|n| !n.is_empty())
        .collect();
    if petitioners.is_empty() {
        errors.push(format!("thiếu cột «{}»", PETITION_COLUMNS[3]));
    } else if petitioners.len() > 200 || petitioners.iter().any(|n| n.chars().count() > 200) {
        errors.push(format!("cột «{}»: danh sách quá dài", PETITION_COLUMNS[3]));
    }
    let summary = crate::text::nfc(&c(4));
    if summary.is_empty() {
        errors.push(format!("thiếu cột «{}»", PETITION_COLUMNS[4]));
    } else if summary.chars().count() > 500 {
        errors.push(format!("cột «{}» dài quá 500 ký tự", PETITION_COLUMNS[4]));
    }
    let forwarded_from = crate::text::nfc(&c(5));
    if forwarded_from.chars().count() > 300 {
        errors.push(format!("cột «{}» dài quá 300 ký tự", PETITION_COLUMNS[5]));
    }
    if channel == Some(Channel::Forwarded) && forwarded_from.is_empty() {
        errors.push("đơn chuyển đến phải ghi cơ quan chuyển đến".into());
    }
    let remote = match fold(&c(6)).as_str() {
        "" | "khong" | "0" => false,
        "co" | "x" | "1" => true,
        _ => {
            errors.push(format!(
                "cột «{}»: ghi «Có» hoặc để trống",
                PETITION_COLUMNS[6]
            ));
            false
        }
    };
    let accepted = date(PETITION_COLUMNS[7], &c(7), &mut errors);
    let concluded_on = date(PETITION_COLUMNS[8], &c(8), &mut errors);
    let result = if c(9).is_empty() {
        None
    } else {
        choice(
            PETITION_COLUMNS[9],
            &c(9),
            &[
                ConclusionResult::Right,
                ConclusionResult::PartlyRight,
                ConclusionResult::Wrong,
            ],
            ConclusionResult::label_vi,
            ConclusionResult::as_str,
            &[],
            &mut errors,
        )
    };
    let concluded = match (concluded_on, result) {
        (Some(d), Some(r)) => Some((d, r)),
        (None, None) => None,
        (Some(_), None) if c(9).is_empty() => {
            errors.push("có ngày kết luận nhưng thiếu kết quả".into());
            None
        }
        (None, Some(_)) if c(8).is_empty() => {
            errors.push("có kết quả nhưng thiếu ngày kết luận".into());
            None
        }
        _ => None,
    };
    match (received, kind, channel, errors.is_empty()) {
        (Some(received), Some(kind), Some(channel), true) => Ok(PetitionRow {
            received,
            kind,
            channel,
            petitioners,
            summary,
            forwarded_from,
            remote,
            accepted,
            concluded,
        }),
        _ => Err(errors),
    }
}

/// Reads one row of the citizen reception book.
pub fn parse_session_row(cells: &[String]) -> Result<SessionRow, Vec<String>> {
    let c = |i: usize| cell(cells, i);
    let mut errors = Vec::new();
    if c(0).is_empty() {
        errors.push(format!("thiếu cột «{}»", SESSION_COLUMNS[0]));
    }
    let held_on = date(SESSION_COLUMNS[0], &c(0), &mut errors);
    let receiver = choice(
        SESSION_COLUMNS[1],
        &c(1),
        &Receiver::ALL,
        Receiver::label_vi,
        Receiver::as_str,
        &[
            ("chu tich", Receiver::Chairman),
            ("pho chu tich", Receiver::ViceChairman),
            ("bi thu", Receiver::PartySecretary),
            ("cong chuc tiep cong dan", Receiver::Officer),
        ],
        &mut errors,
    );
    let receiver_name = crate::text::nfc(&c(2));
    if receiver_name.chars().count() > 200 {
        errors.push(format!("cột «{}» dài quá 200 ký tự", SESSION_COLUMNS[2]));
    }
    let turns = count(SESSION_COLUMNS[3], &c(3), true, &mut errors);
    let people = count(SESSION_COLUMNS[4], &c(4), true, &mut errors);
    let delegations = count(SESSION_COLUMNS[5], &c(5), false, &mut errors);
    if people < turns {
        errors.push("số người ít hơn số lượt".into());
    }
    let note = crate::text::nfc(&c(6));
    if note.chars().count() > 2000 {
        errors.push(format!("cột «{}» dài quá 2.000 ký tự", SESSION_COLUMNS[6]));
    }
    match (held_on, receiver, errors.is_empty()) {
        (Some(held_on), Some(receiver), true) => Ok(SessionRow {
            held_on,
            receiver,
            receiver_name,
            turns,
            people,
            delegations,
            note,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn row(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rows_read_with_or_without_diacritics() {
        let p = parse_petition_row(&row(&[
            "05/03/2026",
            "Khieu nai",
            "Trực tiếp",
            "Lê Văn An; Trần Thị Bình",
            "Khiếu nại việc thu hồi đất",
            "",
            "Có",
            "09/03/2026",
            "30/03/2026",
            "Đúng một phần",
        ]))
        .unwrap();
        assert_eq!(p.kind, PetitionKind::KhieuNai);
        assert_eq!(p.petitioners.len(), 2);
        assert!(p.remote);
        assert_eq!(
            p.concluded.map(|c| c.1),
            Some(ConclusionResult::PartlyRight)
        );
        let s = parse_session_row(&row(&[
            "12/03/2026",
            "Chủ tịch UBND",
            "Nguyễn Văn A",
            "3",
            "5",
            "",
            "",
        ]))
        .unwrap();
        assert_eq!((s.receiver, s.turns, s.people), (Receiver::Chairman, 3, 5));
    }

    #[test]
    fn every_problem_of_a_row_is_listed() {
        let e = parse_petition_row(&row(&["31/02/2026", "Đơn thư", "", "", ""])).unwrap_err();
        assert_eq!(e.len(), 5, "{e:?}");
        assert!(e[0].contains("Ngày nhận"));
        let e =
            parse_session_row(&row(&["12/03/2026", "Chủ tịch", "", "5", "2", "-1"])).unwrap_err();
        assert!(e.iter().any(|m| m.contains("ít hơn")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("Số đoàn")), "{e:?}");
    }

    #[test]
    fn simple_register_rows_read_labels_with_or_without_diacritics() {
        let i = parse_inspection_row(&row(&[
            "10/03/2026",
            "Giam sat",
            "Giám sát việc thu quỹ",
            "Ban Thanh tra nhan dan",
            "",
            "Thôn 1",
            "",
            "3",
            "2",
        ]))
        .unwrap();
        assert_eq!(i.kind, Some(InspectionKind::Supervision));
        assert_eq!(i.body, Some(InspectionBody::PeoplesInspection));
        assert_eq!((i.recommendations_made, i.recommendations_done), (3, 2));
        let m = parse_model_row(&row(&[
            "01/03/2026",
            "Mô hình",
            "Kinh tế",
            "Ca nhan",
            "Cấp xã",
            "2025",
            "Có",
            "UBND xã",
        ]))
        .unwrap();
        assert_eq!(m.holder, Some(ModelHolder::Individual));
        assert_eq!(m.level, Some(ModelLevel::Commune));
        assert_eq!(m.registered_year, Some(2025));
        assert!(m.commended);
        let e = parse_model_row(&row(&["", "x", "", "Nhóm", "", "năm ngoái", "hơi"])).unwrap_err();
        assert_eq!(e.len(), 4, "{e:?}");
        let e = parse_dialogue_row(&row(&["01/13/2026", "Chủ đề", "-2"])).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
    }

    #[test]
    fn formulas_are_neutralised_and_read_back() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@cmd"), "'@cmd");
        assert_eq!(neutralise("Lê Văn An"), "Lê Văn An");
        assert_eq!(cell(&[neutralise("-5")], 0), "-5");
    }

    proptest! {
        #[test]
        fn the_row_parsers_never_panic(cells in proptest::collection::vec(".{0,60}", 0..14)) {
            let _ = parse_petition_row(&cells);
            let _ = parse_session_row(&cells);
            let _ = parse_dialogue_row(&cells);
            let _ = parse_inspection_row(&cells);
            let _ = parse_model_row(&cells);
        }

        #[test]
        fn a_refused_row_always_says_why(cells in proptest::collection::vec("[0-9/;a-zđ ]{0,12}", 0..11)) {
            if let Err(e) = parse_petition_row(&cells) {
                prop_assert!(!e.is_empty());
            }
            if let Err(e) = parse_session_row(&cells) {
                prop_assert!(!e.is_empty());
            }
            for r in [parse_dialogue_row(&cells), parse_inspection_row(&cells), parse_model_row(&cells)] {
                if let Err(e) = r {
                    prop_assert!(!e.is_empty());
                }
            }
        }
    }
}
