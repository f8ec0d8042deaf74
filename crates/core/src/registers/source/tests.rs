//! Tests of register sources: parsing and the counting conventions.

use super::*;
use crate::registers::petition::{Channel, Step};
use crate::registers::rules::Complexity;

fn d(s: &str) -> NaiveDate {
    crate::period::parse_date(s).unwrap()
}

fn src(toml_value: &str) -> Result<Source, String> {
    #[derive(Deserialize)]
    struct W {
        source: Source,
    }
    toml::from_str::<W>(&format!("source = {toml_value}"))
        .map(|w| w.source)
        .map_err(|e| e.message().to_string())
}

fn rec(
    id: i64,
    case_id: Option<i64>,
    kind: PetitionKind,
    received: &str,
    steps: &[(&str, StepKind)],
) -> PetitionRecord {
    let today = d("31/12/2025");
    let p = Petition::new(
        kind,
        Channel::Direct,
        d(received),
        false,
        Complexity::Normal,
        today,
    )
    .unwrap()
    .with_steps(
        steps
            .iter()
            .map(|(date, k)| Step {
                date: d(date),
                kind: k.clone(),
            })
            .collect(),
        today,
    )
    .unwrap();
    PetitionRecord {
        id,
        case_id,
        petition: p,
    }
}

fn concluded(r: ConclusionResult) -> StepKind {
    StepKind::Concluded { result: r }
}

#[test]
fn sources_parse_and_unknown_words_are_refused() {
    assert_eq!(
        src(r#"{ register = "petitions", kind = "khieu_nai", measure = "cases", filter = "resolved" }"#).unwrap(),
        Source::Petitions {
            kind: Some(PetitionKind::KhieuNai),
            measure: PetitionMeasure::Cases,
            filter: PetitionFilter::Resolved,
            result: None
        }
    );
    assert_eq!(
        src(r#"{ register = "receptions", measure = "turns", receiver = "chairman" }"#).unwrap(),
        Source::Receptions {
            measure: ReceptionMeasure::Turns,
            receiver: Some(Receiver::Chairman)
        }
    );
    assert_eq!(
        src(r#"{ register = "models", measure = "count" }"#).unwrap(),
        Source::Models
    );
    for (bad, says) in [
        (
            r#"{ register = "petition", measure = "cases" }"#,
            "Sổ «petition» không hợp lệ",
        ),
        (
            r#"{ register = "petitions", measure = "count" }"#,
            "Cách đếm «count» không hợp lệ",
        ),
        (
            r#"{ register = "petitions", measure = "cases", kind = "khieu nai" }"#,
            "Loại đơn «khieu nai»",
        ),
        (
            r#"{ register = "petitions", measure = "cases", filter = "done" }"#,
            "Bộ lọc «done»",
        ),
        (
            r#"{ register = "petitions", measure = "cases", result = "right" }"#,
            "«result» chỉ dùng",
        ),
        (
            r#"{ register = "petitions", measure = "cases", receiver = "chairman" }"#,
            "không dùng trường «receiver»",
        ),
        (
            r#"{ register = "receptions", measure = "cases" }"#,
            "Cách đếm «cases»",
        ),
        (
            r#"{ register = "receptions", measure = "turns", receiver = "mayor" }"#,
            "Người tiếp «mayor»",
        ),
        (
            r#"{ register = "inspections", measure = "count", kind = "audit" }"#,
            "Loại «audit»",
        ),
        (
            r#"{ register = "dialogues", measure = "count", kind = "x" }"#,
            "không dùng trường «kind»",
        ),
        (
            r#"{ register = "dialogues", measure = "count", colour = "x" }"#,
            "colour",
        ),
    ] {
        let e = src(bad).unwrap_err();
        assert!(e.contains(says), "{bad}: {e}");
    }
}

#[test]
fn sources_round_trip_through_their_file_form() {
    for s in [
        r#"{ register = "petitions", kind = "to_cao", measure = "petitions", filter = "resolved", result = "partly_right" }"#,
        r#"{ register = "petitions", measure = "cases" }"#,
        r#"{ register = "receptions", measure = "people" }"#,
        r#"{ register = "inspections", measure = "count", kind = "supervision" }"#,
        r#"{ register = "dialogues", measure = "count" }"#,
    ] {
        let parsed = src(s).unwrap();
        let json = serde_json::to_string(&parsed).unwrap();
        let back: Source = serde_json::from_str(&json).unwrap();
        assert_eq!(back, parsed, "{json}");
    }
}

fn sample() -> RegisterData {
    use PetitionKind::*;
    RegisterData {
        petitions: vec![
            // case 10: three petitions of the same people, one resolved in Q2
            rec(
                1,
                Some(10),
                KhieuNai,
                "05/04/2025",
                &[
                    ("10/04/2025", StepKind::Accepted),
                    ("20/05/2025", concluded(ConclusionResult::PartlyRight)),
                ],
            ),
            rec(2, Some(10), KhieuNai, "12/04/2025", &[]),
            rec(
                3,
                Some(10),
                KhieuNai,
                "15/05/2025",
                &[("16/05/2025", StepKind::Withdrawn)],
            ),
            // a petition of its own, accepted but not resolved by 30/06
            rec(
                4,
                None,
                KhieuNai,
                "01/06/2025",
                &[("05/06/2025", StepKind::Accepted)],
            ),
            // forwarded out in the window: counted by the receiving unit
            rec(
                5,
                None,
                KhieuNai,
                "02/06/2025",
                &[(
                    "03/06/2025",
                    StepKind::Forwarded {
                        to: "Thanh tra tỉnh".into(),
                    },
                )],
            ),
            // received before the window, resolved in it with "wrong"
            rec(
                6,
                None,
                ToCao,
                "20/03/2025",
                &[
                    ("25/03/2025", StepKind::Accepted),
                    ("15/04/2025", concluded(ConclusionResult::Wrong)),
                ],
            ),
            // received after the window
            rec(7, None, KienNghi, "01/07/2025", &[]),
            // forwarded after the window: still this unit's at the cut-off
            rec(
                8,
                None,
                KienNghi,
                "10/06/2025",
                &[(
                    "02/07/2025",
                    StepKind::Forwarded {
                        to: "Sở Xây dựng".into(),
                    },
                )],
            ),
            // a complaint resolved, then taken to a second instance before the cut-off
            rec(
                9,
                None,
                KhieuNai,
                "01/03/2025",
                &[
                    ("05/03/2025", StepKind::Accepted),
                    ("01/04/2025", concluded(ConclusionResult::Wrong)),
                    ("20/06/2025", StepKind::SecondInstance),
                ],
            ),
        ],
        sessions: vec![
            SessionRecord {
                date: d("02/04/2025"),
                receiver: Receiver::Chairman,
                turns: 3,
                people: 5,
                delegations: 0,
            },
            SessionRecord {
                date: d("09/04/2025"),
                receiver: Receiver::Officer,
                turns: 2,
                people: 12,
                delegations: 1,
            },
            SessionRecord {
                date: d("01/07/2025"),
                receiver: Receiver::Chairman,
                turns: 9,
                people: 9,
                delegations: 0,
            },
        ],
        dialogues: vec![d("01/04/2025"), d("31/03/2025")],
        inspections: vec![
            (d("10/04/2025"), InspectionKind::Inspection),
            (d("11/04/2025"), InspectionKind::Supervision),
        ],
        models: vec![d("30/06/2025"), d("01/07/2025")],
    }
}

#[test]
fn petitions_count_by_the_documented_conventions() {
    let data = sample();
    let (from, to) = (d("01/04/2025"), d("30/06/2025"));
    let n = |s: &str| src(s).unwrap().count(&data, from, to);
    // received in the window: 1, 2, 3, 4, 8 (5 forwarded out, 6 and 9 before, 7 after)
    assert_eq!(n(r#"{ register = "petitions", measure = "petitions" }"#), 5);
    // as cases: case 10 once, 4, 8
    assert_eq!(n(r#"{ register = "petitions", measure = "cases" }"#), 3);
    assert_eq!(
        n(r#"{ register = "petitions", kind = "khieu_nai", measure = "cases" }"#),
        2
    );
    assert_eq!(
        n(
            r#"{ register = "petitions", kind = "khieu_nai", measure = "petitions", filter = "accepted" }"#
        ),
        2
    );
    // resolved in the window: 1 (partly right), 6 (wrong) and 9 (wrong, on 01/04, the first day)
    assert_eq!(
        n(r#"{ register = "petitions", measure = "petitions", filter = "resolved" }"#),
        3
    );
    assert_eq!(
        n(r#"{ register = "petitions", measure = "cases", filter = "resolved" }"#),
        3
    );
    assert_eq!(
        n(
            r#"{ register = "petitions", measure = "cases", filter = "resolved", result = "wrong" }"#
        ),
        2
    );
    assert_eq!(
        n(
            r#"{ register = "petitions", kind = "to_cao", measure = "cases", filter = "resolved", result = "wrong" }"#
        ),
        1
    );
    // open on 30/06: 2, 4, 8 and 9 (second instance); 3 withdrawn, 5 forwarded
    assert_eq!(
        n(r#"{ register = "petitions", measure = "petitions", filter = "pending" }"#),
        4
    );
    // case 10 is open through petition 2
    assert_eq!(
        n(r#"{ register = "petitions", measure = "cases", filter = "pending" }"#),
        4
    );
    assert_eq!(
        n(r#"{ register = "petitions", measure = "petitions", filter = "forwarded" }"#),
        1
    );
    // the same petition 8 is forwarded in Q3
    assert_eq!(
        src(r#"{ register = "petitions", measure = "petitions", filter = "forwarded" }"#)
            .unwrap()
            .count(&data, d("01/07/2025"), d("30/09/2025")),
        1
    );
    // an empty window counts nothing
    assert_eq!(
        src(r#"{ register = "petitions", measure = "petitions" }"#)
            .unwrap()
            .count(&data, d("01/01/2020"), d("31/12/2020")),
        0
    );
}

#[test]
fn other_registers_count_inside_the_window() {
    let data = sample();
    let (from, to) = (d("01/04/2025"), d("30/06/2025"));
    let n = |s: &str| src(s).unwrap().count(&data, from, to);
    assert_eq!(n(r#"{ register = "receptions", measure = "sessions" }"#), 2);
    assert_eq!(n(r#"{ register = "receptions", measure = "turns" }"#), 5);
    assert_eq!(
        n(r#"{ register = "receptions", measure = "turns", receiver = "chairman" }"#),
        3
    );
    assert_eq!(n(r#"{ register = "receptions", measure = "people" }"#), 17);
    assert_eq!(
        n(r#"{ register = "receptions", measure = "delegations" }"#),
        1
    );
    assert_eq!(n(r#"{ register = "dialogues", measure = "count" }"#), 1);
    assert_eq!(n(r#"{ register = "inspections", measure = "count" }"#), 2);
    assert_eq!(
        n(r#"{ register = "inspections", measure = "count", kind = "supervision" }"#),
        1
    );
    assert_eq!(n(r#"{ register = "models", measure = "count" }"#), 1);
}
