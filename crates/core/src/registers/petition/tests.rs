//! Tests of the petition state machine and its deadlines.

use super::*;
use crate::registers::rules::PetitionRules;

fn d(s: &str) -> NaiveDate {
    crate::period::parse_date(s).unwrap()
}

fn rules() -> PetitionRules {
    PetitionRules::from_toml(include_str!("../../../../../data/petition-rules.toml")).unwrap()
}

fn cal() -> Calendar {
    Calendar::from_toml(include_str!("../../../../../data/holidays.toml")).unwrap()
}

fn step(date: &str, kind: StepKind) -> Step {
    Step {
        date: d(date),
        kind,
    }
}

const TODAY: &str = "15/06/2025";

fn petition(kind: PetitionKind, received: &str) -> Petition {
    Petition::new(
        kind,
        Channel::Direct,
        d(received),
        false,
        Complexity::Normal,
        d(TODAY),
    )
    .unwrap()
}

fn concluded(r: ConclusionResult) -> StepKind {
    StepKind::Concluded { result: r }
}

#[test]
fn a_complaint_goes_through_both_instances() {
    let mut p = petition(PetitionKind::KhieuNai, "03/03/2025");
    let t = d(TODAY);
    assert_eq!(
        p.apply(step("10/03/2025", StepKind::Accepted), t).unwrap(),
        PetitionState::Accepted
    );
    assert_eq!(
        p.apply(step("20/03/2025", StepKind::Verification), t)
            .unwrap(),
        PetitionState::Accepted
    );
    assert_eq!(
        p.apply(step("25/03/2025", StepKind::Dialogue), t).unwrap(),
        PetitionState::Accepted
    );
    assert_eq!(
        p.apply(
            step("02/04/2025", concluded(ConclusionResult::PartlyRight)),
            t
        )
        .unwrap(),
        PetitionState::Resolved
    );
    assert_eq!(
        p.conclusion(),
        Some((d("02/04/2025"), ConclusionResult::PartlyRight))
    );
    assert_eq!(
        p.apply(step("20/04/2025", StepKind::SecondInstance), t)
            .unwrap(),
        PetitionState::SecondInstance
    );
    assert_eq!(
        p.apply(step("20/05/2025", concluded(ConclusionResult::Wrong)), t)
            .unwrap(),
        PetitionState::ResolvedSecond
    );
    assert_eq!(p.steps().len(), 6);
    // and closing twice is refused
    let e = p
        .apply(step("21/05/2025", concluded(ConclusionResult::Right)), t)
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidTransition);
    assert_eq!(
        e.message,
        "Đơn đã có kết luận ngày 20/05/2025; không thể kết luận lần nữa"
    );
    assert_eq!(p.steps().len(), 6, "a refused step changes nothing");
}

#[test]
fn impossible_sequences_are_refused_in_vietnamese() {
    let t = d(TODAY);
    let p = petition(PetitionKind::KhieuNai, "03/03/2025");
    let refuse = |p: &Petition, s: Step| p.check(&s, t, Some(&rules())).unwrap_err();

    let e = refuse(&p, step("16/06/2025", StepKind::Accepted));
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            ErrorCode::InvalidDate,
            "Ngày 16/06/2025 của bước «Thụ lý» ở tương lai (hôm nay là 15/06/2025)"
        )
    );
    let e = refuse(&p, step("01/03/2025", StepKind::Accepted));
    assert_eq!(
        e.message,
        "Ngày 01/03/2025 của bước «Thụ lý» trước ngày nhận đơn 03/03/2025"
    );
    let e = refuse(&p, step("05/03/2025", concluded(ConclusionResult::Right)));
    assert_eq!(e.code, ErrorCode::InvalidTransition);
    assert_eq!(
        e.message,
        "Chưa thụ lý đơn nên chưa thể có kết luận, quyết định giải quyết"
    );
    assert!(
        refuse(&p, step("05/03/2025", StepKind::Verification))
            .message
            .contains("Chưa thụ lý")
    );
    assert!(
        refuse(&p, step("05/03/2025", StepKind::SecondInstance))
            .message
            .contains("lần đầu")
    );
    assert!(
        refuse(&p, step("05/03/2025", StepKind::Extended))
            .message
            .contains("Chỉ đơn tố cáo")
    );
    assert_eq!(
        refuse(
            &p,
            step(
                "05/03/2025",
                StepKind::Refused {
                    reason: "  ".into()
                }
            )
        )
        .code,
        ErrorCode::InvalidInput
    );

    let mut a = p.clone();
    a.apply(step("10/03/2025", StepKind::Accepted), t).unwrap();
    assert_eq!(
        refuse(&a, step("12/03/2025", StepKind::Accepted)).message,
        "Đơn đã được thụ lý"
    );
    assert!(
        refuse(&a, step("09/03/2025", StepKind::Verification))
            .message
            .contains("trước bước «Thụ lý» ngày 10/03/2025")
    );
    assert!(
        refuse(
            &a,
            step(
                "12/03/2025",
                StepKind::Forwarded {
                    to: "Thanh tra tỉnh".into()
                }
            )
        )
        .message
        .contains("sau khi đã thụ lý")
    );

    // closed petitions take nothing more
    for closing in [
        StepKind::Refused {
            reason: "Không thuộc thẩm quyền".into(),
        },
        StepKind::Forwarded {
            to: "UBND phường Ba Đình".into(),
        },
        StepKind::Withdrawn,
    ] {
        let mut c = p.clone();
        c.apply(step("05/03/2025", closing), t).unwrap();
        let e = refuse(&c, step("06/03/2025", StepKind::Accepted));
        assert_eq!(e.code, ErrorCode::InvalidTransition);
        assert!(e.message.starts_with("Đơn đã kết thúc"), "{}", e.message);
        assert!(
            refuse(&c, step("06/03/2025", StepKind::Withdrawn))
                .message
                .starts_with("Đơn đã kết thúc")
        );
    }
    // a second instance only for complaints
    let mut tc = petition(PetitionKind::ToCao, "03/03/2025");
    tc.apply(step("05/03/2025", StepKind::Accepted), t).unwrap();
    assert!(
        refuse(&tc, step("06/03/2025", StepKind::Dialogue))
            .message
            .contains("Luật Tố cáo")
    );
    tc.apply(step("06/03/2025", concluded(ConclusionResult::Wrong)), t)
        .unwrap();
    assert_eq!(
        refuse(&tc, step("07/03/2025", StepKind::SecondInstance)).code,
        ErrorCode::InvalidTransition
    );
    // a petition cannot be received in the future
    let e = Petition::new(
        PetitionKind::KienNghi,
        Channel::Online,
        d("16/06/2025"),
        false,
        Complexity::Normal,
        t,
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidDate);
}

#[test]
fn a_recommendation_may_be_concluded_without_acceptance() {
    let mut p = petition(PetitionKind::KienNghi, "02/06/2025");
    assert_eq!(
        p.apply(
            step("05/06/2025", concluded(ConclusionResult::Right)),
            d(TODAY)
        )
        .unwrap(),
        PetitionState::Resolved
    );
    let dl = p.deadline(&rules(), &cal(), d(TODAY), 3).unwrap();
    // 10 working days from Monday 02/06/2025 = Monday 16/06/2025
    assert_eq!(dl.due, d("16/06/2025"));
    assert_eq!(dl.status, DeadlineStatus::DoneOnTime);
    assert_eq!(dl.days_left, 11);
}

#[test]
fn complaint_deadlines_follow_the_law_and_the_status_moves_with_today() {
    let (r, c) = (rules(), cal());
    let p = petition(PetitionKind::KhieuNai, "20/04/2025");
    // acceptance: 10 days → 30/04 holiday, rolled to Monday 05/05
    let at = |today: &str| p.deadline(&r, &c, d(today), 3).unwrap();
    assert_eq!(at("21/04/2025").due, d("05/05/2025"));
    assert_eq!(at("21/04/2025").stage, Stage::Accept);
    assert_eq!(at("21/04/2025").status, DeadlineStatus::OnTrack);
    assert_eq!(at("02/05/2025").status, DeadlineStatus::DueSoon);
    assert_eq!(at("05/05/2025").status, DeadlineStatus::DueSoon);
    assert_eq!(at("05/05/2025").days_left, 0);
    assert_eq!(at("06/05/2025").status, DeadlineStatus::Overdue);
    assert_eq!(at("06/05/2025").days_left, -1);

    // resolution: 30 days from acceptance; 45 when complex or remote; 60 both
    let mut a = p.clone();
    a.apply(step("28/04/2025", StepKind::Accepted), d(TODAY))
        .unwrap();
    let dl = a.deadline(&r, &c, d("01/05/2025"), 3).unwrap();
    assert_eq!(
        (dl.stage, dl.start, dl.due),
        (Stage::Resolve, d("28/04/2025"), d("28/05/2025"))
    );
    assert_eq!(dl.limit_vi, "30 ngày");
    assert!(dl.source.contains("Điều 28"));
    a.set_complexity(Complexity::Complex, &r).unwrap();
    assert_eq!(
        a.deadline(&r, &c, d("01/05/2025"), 3).unwrap().due,
        d("12/06/2025")
    );
    a.remote = true;
    // 28/04 + 60 = Friday 27/06/2025
    assert_eq!(
        a.deadline(&r, &c, d("01/05/2025"), 3).unwrap().due,
        d("27/06/2025")
    );
    a.set_complexity(Complexity::Normal, &r).unwrap();
    assert_eq!(
        a.deadline(&r, &c, d("01/05/2025"), 3).unwrap().due,
        d("12/06/2025")
    );

    // concluded late
    a.remote = false;
    a.apply(
        step("10/06/2025", concluded(ConclusionResult::Right)),
        d(TODAY),
    )
    .unwrap();
    let dl = a.deadline(&r, &c, d(TODAY), 3).unwrap();
    assert_eq!((dl.status, dl.days_left), (DeadlineStatus::DoneLate, -13));
    // second instance: 45 days from its acceptance
    a.apply(step("12/06/2025", StepKind::SecondInstance), d(TODAY))
        .unwrap();
    let dl = a.deadline(&r, &c, d(TODAY), 3).unwrap();
    assert_eq!(
        (dl.stage, dl.due, dl.status),
        (
            Stage::ResolveSecond,
            d("28/07/2025"),
            DeadlineStatus::OnTrack
        )
    );
}

#[test]
fn denunciations_count_working_days_then_extensions() {
    let (r, c) = (rules(), cal());
    let today = d("30/06/2025");
    let mut p = Petition::new(
        PetitionKind::ToCao,
        Channel::Post,
        d("24/01/2025"),
        false,
        Complexity::Normal,
        today,
    )
    .unwrap();
    let dl = p.deadline(&r, &c, d("27/01/2025"), 3).unwrap();
    assert_eq!((dl.stage, dl.due), (Stage::Accept, d("11/02/2025")));
    assert_eq!(dl.limit_vi, "7 ngày làm việc");
    p.apply_with(step("10/02/2025", StepKind::Accepted), today, Some(&r))
        .unwrap();
    assert_eq!(p.deadline(&r, &c, today, 3).unwrap().due, d("12/03/2025"));
    // a normal case is not extended
    let e = p
        .apply_with(step("11/03/2025", StepKind::Extended), today, Some(&r))
        .unwrap_err();
    assert!(e.message.contains("không được gia hạn"), "{}", e.message);
    p.set_complexity(Complexity::Complex, &r).unwrap();
    p.apply_with(step("11/03/2025", StepKind::Extended), today, Some(&r))
        .unwrap();
    let dl = p.deadline(&r, &c, today, 3).unwrap();
    assert_eq!(dl.due, d("11/04/2025"));
    assert_eq!(dl.limit_vi, "30 ngày, gia hạn 1 lần × 30 ngày");
    let e = p
        .apply_with(step("10/04/2025", StepKind::Extended), today, Some(&r))
        .unwrap_err();
    assert_eq!(e.message, "Vụ việc mức «Phức tạp» chỉ được gia hạn 1 lần");
    p.set_complexity(Complexity::EspeciallyComplex, &r).unwrap();
    p.apply_with(step("10/04/2025", StepKind::Extended), today, Some(&r))
        .unwrap();
    // 10/02 + 90 = Sunday 11/05/2025 → Monday 12/05
    assert_eq!(p.deadline(&r, &c, today, 3).unwrap().due, d("12/05/2025"));
    assert!(
        p.apply_with(step("11/04/2025", StepKind::Extended), today, Some(&r))
            .is_err()
    );
    // the complexity cannot drop below what the extensions granted need
    assert!(p.set_complexity(Complexity::Complex, &r).is_err());
    assert_eq!(p.complexity(), Complexity::EspeciallyComplex);
    // stored steps are checked again when rebuilt; without rules an extension is refused
    let stored = p.steps().to_vec();
    let base = Petition::new(
        PetitionKind::ToCao,
        Channel::Post,
        d("24/01/2025"),
        false,
        Complexity::EspeciallyComplex,
        today,
    )
    .unwrap();
    assert!(base.clone().with_steps(stored.clone(), today).is_err());
    let again = stored
        .into_iter()
        .try_fold(base, |mut p, s| p.apply_with(s, today, Some(&r)).map(|_| p));
    assert_eq!(
        again.unwrap().deadline(&r, &c, today, 3).unwrap().due,
        d("12/05/2025")
    );
}

#[test]
fn step_kinds_round_trip_through_their_stored_parts() {
    let kinds = [
        StepKind::Accepted,
        StepKind::Refused {
            reason: "Đơn nặc danh".into(),
        },
        StepKind::Forwarded {
            to: "Thanh tra tỉnh".into(),
        },
        StepKind::Verification,
        StepKind::Dialogue,
        StepKind::Extended,
        concluded(ConclusionResult::Right),
        concluded(ConclusionResult::PartlyRight),
        concluded(ConclusionResult::Wrong),
        StepKind::Withdrawn,
        StepKind::SecondInstance,
    ];
    for k in kinds {
        let back =
            StepKind::from_parts(k.code(), k.text(), k.result().map(ConclusionResult::as_str))
                .unwrap();
        assert_eq!(back, k);
    }
    assert!(StepKind::from_parts("refused", None, None).is_err());
    assert!(StepKind::from_parts("forwarded", Some(" "), None).is_err());
    assert!(StepKind::from_parts("concluded", None, Some("maybe")).is_err());
    assert!(StepKind::from_parts("closed", None, None).is_err());
}
