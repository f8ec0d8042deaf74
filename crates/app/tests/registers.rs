#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Registers on SQLite and PostgreSQL: who records and who sees what (role ×
//! scope), the protected identity of denouncers and the audit of every view of
//! it, the petition state machine refusing impossible steps without writing
//! anything, duplicates linked into one case, the deadline view of an office over
//! its subtree, citizen reception and its legal frequency, the holiday calendar,
//! and the figures a round's form takes from the registers.

use std::path::Path;

use chrono::NaiveDate;
use qcdc_app::registers::petitions::{self, ListFilter, PetitionInput, StepInput};
use qcdc_app::registers::reception::{self, SessionInput};
use qcdc_app::registers::simple::{self, EntryInput, Register};
use qcdc_app::registers::{calendar, prefill};
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::submissions::{self, DraftChange};
use qcdc_app::{App, AppOptions, Ctx, ErrorCode, auth, rounds, templates, units, users};
use qcdc_core::access::Role;
use qcdc_core::registers::entries::InspectionBody;
use qcdc_core::registers::reception::Receiver;
use qcdc_core::registers::source::InspectionKind;
use qcdc_core::registers::{
    CalendarDay, Channel, Complexity, ConclusionResult, DayType, DeadlineStatus, PetitionKind,
    PetitionState, StepKind,
};
use qcdc_testkit::{fresh_pg_database, fresh_sqlite_database, sample_tree};

const PW: &str = "mat-khau-demo";

fn d(s: &str) -> NaiveDate {
    qcdc_core::period::parse_date(s).unwrap()
}

async fn user(app: &App, name: &str, role: Role, unit: &str) -> Ctx {
    users::create_with_email(
        &app.system("test"),
        &users::NewUser {
            username: name.into(),
            full_name: name.into(),
            password: PW.into(),
            roles: vec![(role, unit.into())],
        },
        None,
    )
    .await
    .unwrap();
    auth::verify_password(app, name, PW).await.unwrap()
}

struct Fx {
    app: App,
    rep_n1: Ctx,
    office_n1: Ctx,
    viewer_n1: Ctx,
    admin_n1: Ctx,
    office_t: Ctx,
    viewer_t: Ctx,
    admin_t: Ctx,
    rep_n2: Ctx,
}

async fn setup(url: &str) -> Fx {
    let app = App::open(url, &AppOptions::default()).await.unwrap();
    let cli = app.system("test");
    templates::load_files(
        &cli,
        &templates::read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates"))
            .unwrap(),
    )
    .await
    .unwrap();
    units::import(&cli, sample_tree()).await.unwrap();
    Fx {
        rep_n1: user(&app, "rep_n1", Role::Reporter, "N1").await,
        office_n1: user(&app, "office_n1", Role::Office, "N1").await,
        viewer_n1: user(&app, "viewer_n1", Role::Viewer, "N1").await,
        admin_n1: user(&app, "admin_n1", Role::Admin, "N1").await,
        office_t: user(&app, "office_t", Role::Office, "T").await,
        viewer_t: user(&app, "viewer_t", Role::Viewer, "T").await,
        admin_t: user(&app, "admin_t", Role::Admin, "T").await,
        rep_n2: user(&app, "rep_n2", Role::Reporter, "N2").await,
        app,
    }
}

fn input(kind: PetitionKind, received: &str, who: &[&str], summary: &str) -> PetitionInput {
    PetitionInput {
        kind,
        channel: Channel::Direct,
        received_on: d(received),
        petitioners: who.iter().map(|s| s.to_string()).collect(),
        summary: summary.into(),
        content: String::new(),
        forwarded_from: String::new(),
        remote: false,
        complexity: Complexity::Normal,
    }
}

fn step(date: &str, kind: StepKind) -> StepInput {
    StepInput {
        date: d(date),
        kind,
        note: String::new(),
        complexity: None,
        to_unit: None,
    }
}

async fn who_records_and_who_sees(f: &Fx) {
    let complaint = input(
        PetitionKind::KhieuNai,
        "03/03/2025",
        &["Nguyễn Văn Đạt"],
        "Khiếu nại quyết định thu hồi đất tại thôn Đông",
    );
    // role × scope for recording in N1's register
    for (cx, ok) in [
        (&f.rep_n1, true),
        (&f.office_n1, true),
        (&f.viewer_n1, false),
        (&f.admin_n1, false),
        (&f.office_t, false),
        (&f.viewer_t, false),
        (&f.admin_t, false),
        (&f.rep_n2, false),
    ] {
        let r = petitions::record(cx, "N1", &complaint).await;
        match (ok, r) {
            (true, Ok(_)) => {}
            (false, Err(e)) => assert_eq!(e.code, ErrorCode::Forbidden, "{}", cx.actor().username),
            (ok, r) => panic!("{}: expected ok={ok}, got {r:?}", cx.actor().username),
        }
    }
    // the two recorded complaints are the same people and matter: the second
    // was offered the first as a duplicate
    let list = petitions::list(&f.rep_n1, "N1", &ListFilter::default())
        .await
        .unwrap();
    assert_eq!(list.items.len(), 2);
    assert_eq!(list.cases, 2);
    let (first, second) = (
        list.items[0].id.min(list.items[1].id),
        list.items[0].id.max(list.items[1].id),
    );
    let dups = petitions::duplicates(&f.rep_n1, second).await.unwrap();
    assert_eq!(dups.iter().map(|c| c.id).collect::<Vec<_>>(), vec![first]);

    // a denunciation: its petitioner is seen only by those who process it
    let den = petitions::record(
        &f.rep_n1,
        "N1",
        &input(
            PetitionKind::ToCao,
            "10/03/2025",
            &["Trần Thị Hoa"],
            "Tố cáo cán bộ địa chính nhận tiền",
        ),
    )
    .await
    .unwrap();
    assert!(den.duplicates.is_empty());
    for (cx, names, content) in [
        (&f.rep_n1, true, true),
        (&f.office_n1, true, true),
        (&f.viewer_n1, false, true),
        (&f.office_t, false, false),
        (&f.viewer_t, false, false),
        (&f.admin_n1, false, false),
        (&f.admin_t, false, false),
    ] {
        let v = petitions::get(cx, den.id).await.unwrap();
        let who = &cx.actor().username;
        assert_eq!(v.petitioners.is_some(), names, "{who}");
        assert_eq!(v.hidden.is_some(), !names, "{who}");
        assert_eq!(!v.summary.is_empty(), content, "{who}");
        assert_eq!(v.kind_label, "Tố cáo");
    }
    let e = petitions::get(&f.rep_n2, den.id).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    // the leaders of the unit see a complaint's petitioner, the office above does not
    let c = petitions::get(&f.viewer_n1, first).await.unwrap();
    assert_eq!(c.petitioners, Some(vec!["Nguyễn Văn Đạt".to_string()]));
    assert!(
        petitions::get(&f.office_t, first)
            .await
            .unwrap()
            .petitioners
            .is_none()
    );
    // every view of the denouncer's identity is in the audit log, nothing else is
    let views = petitions::identity_views(&f.office_n1, den.id)
        .await
        .unwrap();
    let seen_by: Vec<&str> = views.iter().map(|e| e.actor.as_str()).collect();
    assert_eq!(seen_by, vec!["rep_n1", "office_n1"]);
    assert!(
        petitions::identity_views(&f.rep_n1, first)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        petitions::identity_views(&f.office_t, den.id)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    // lists audit too: the unit's own list shows the denouncer to its reporter
    petitions::list(&f.rep_n1, "N1", &ListFilter::default())
        .await
        .unwrap();
    assert_eq!(
        petitions::identity_views(&f.rep_n1, den.id)
            .await
            .unwrap()
            .len(),
        3
    );
    // the office above lists the subtree without names and writes no identity view
    let all = petitions::list(
        &f.office_t,
        "T",
        &ListFilter {
            subtree: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(all.items.len(), 3);
    assert!(
        all.items
            .iter()
            .all(|p| p.petitioners.is_none() && p.summary.is_empty())
    );
    assert_eq!(
        petitions::identity_views(&f.rep_n1, den.id)
            .await
            .unwrap()
            .len(),
        3
    );
    // out of scope entirely
    assert_eq!(
        petitions::list(&f.rep_n2, "N1", &ListFilter::default())
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );

    // linking the duplicates into one case: counted once
    let case = petitions::link_case(&f.rep_n1, &[first, second], "Thu hồi đất thôn Đông")
        .await
        .unwrap();
    let list = petitions::list(
        &f.office_t,
        "T",
        &ListFilter {
            subtree: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(list.cases, 2);
    assert!(
        list.items
            .iter()
            .filter(|p| p.case_id == Some(case))
            .count()
            == 2
    );
    // the office above cannot link, a petition of another unit cannot join
    assert_eq!(
        petitions::link_case(&f.office_t, &[first, den.id], "x")
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    let other = petitions::record(
        &f.rep_n2,
        "N2",
        &input(
            PetitionKind::KienNghi,
            "05/03/2025",
            &["Lê Văn Tám"],
            "Kiến nghị sửa đường",
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        petitions::link_case(&f.rep_n1, &[first, other.id], "x")
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    let third = petitions::record(
        &f.rep_n1,
        "N1",
        &input(
            PetitionKind::KienNghi,
            "05/03/2025",
            &["Lê Văn Tám"],
            "Kiến nghị sửa đường",
        ),
    )
    .await
    .unwrap();
    let case2 = petitions::link_case(&f.rep_n1, &[third.id, den.id], "Vụ khác")
        .await
        .unwrap();
    assert_ne!(case, case2);
    assert_eq!(
        petitions::link_case(&f.rep_n1, &[first, third.id], "x")
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
}

async fn steps_and_deadlines(f: &Fx) {
    let p = petitions::record(
        &f.office_n1,
        "N1",
        &input(
            PetitionKind::KhieuNai,
            "20/04/2025",
            &["Phạm Văn Bình"],
            "Khiếu nại về bồi thường",
        ),
    )
    .await
    .unwrap();
    // not accepted: the acceptance limit ran out on Monday 05/05/2025 (30/04 holiday)
    let v = petitions::get(&f.rep_n1, p.id).await.unwrap();
    let dl = v.deadline.clone().unwrap();
    assert_eq!(
        (dl.due.as_str(), dl.status),
        ("05/05/2025", DeadlineStatus::Overdue)
    );
    assert_eq!(dl.status_label, "Quá hạn");
    // impossible steps are refused and change nothing
    for (bad, code) in [
        (
            step(
                "25/04/2025",
                StepKind::Concluded {
                    result: ConclusionResult::Right,
                },
            ),
            ErrorCode::InvalidTransition,
        ),
        (
            step("19/04/2025", StepKind::Accepted),
            ErrorCode::InvalidDate,
        ),
        (
            step("01/01/2099", StepKind::Accepted),
            ErrorCode::InvalidDate,
        ),
        (
            step("25/04/2025", StepKind::Refused { reason: " ".into() }),
            ErrorCode::InvalidInput,
        ),
        (
            step("25/04/2025", StepKind::SecondInstance),
            ErrorCode::InvalidTransition,
        ),
    ] {
        let e = petitions::add_step(&f.rep_n1, p.id, &bad)
            .await
            .unwrap_err();
        assert_eq!(e.code, code, "{bad:?}: {}", e.message);
    }
    assert!(
        petitions::get(&f.rep_n1, p.id)
            .await
            .unwrap()
            .steps
            .is_empty()
    );
    // the office above may not process it
    assert_eq!(
        petitions::add_step(&f.office_t, p.id, &step("25/04/2025", StepKind::Accepted))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    let v = petitions::add_step(&f.rep_n1, p.id, &step("28/04/2025", StepKind::Accepted))
        .await
        .unwrap();
    assert_eq!(v.state, PetitionState::Accepted);
    assert_eq!(v.deadline.as_ref().unwrap().due, "28/05/2025");
    let v = petitions::add_step(
        &f.rep_n1,
        p.id,
        &StepInput {
            complexity: Some(Complexity::Complex),
            ..step("05/05/2025", StepKind::Verification)
        },
    )
    .await
    .unwrap();
    assert_eq!(v.deadline.as_ref().unwrap().due, "12/06/2025");
    assert_eq!(v.complexity_label, "Phức tạp");
    let v = petitions::add_step(
        &f.rep_n1,
        p.id,
        &step(
            "10/06/2025",
            StepKind::Concluded {
                result: ConclusionResult::PartlyRight,
            },
        ),
    )
    .await
    .unwrap();
    assert_eq!(v.state, PetitionState::Resolved);
    assert_eq!(
        v.deadline.as_ref().unwrap().status,
        DeadlineStatus::DoneOnTime
    );
    let e = petitions::add_step(
        &f.rep_n1,
        p.id,
        &step(
            "11/06/2025",
            StepKind::Concluded {
                result: ConclusionResult::Right,
            },
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidTransition);
    assert_eq!(
        petitions::get(&f.rep_n1, p.id).await.unwrap().steps.len(),
        3
    );
    // the office above sees the steps without their details
    let seen = petitions::get(&f.office_t, p.id).await.unwrap();
    assert_eq!(seen.steps.len(), 3);
    assert!(seen.steps.iter().all(|s| s.detail.is_empty()));
    let resolved_id = p.id;
    // a petition received today is within its limit
    let today = f.app.today();
    let fresh = petitions::record(
        &f.rep_n1,
        "N1",
        &PetitionInput {
            received_on: today,
            ..input(
                PetitionKind::KhieuNai,
                "01/01/2025",
                &["Hồ Văn Nam"],
                "Khiếu nại mới",
            )
        },
    )
    .await
    .unwrap();
    let v = petitions::get(&f.rep_n1, fresh.id).await.unwrap();
    assert_ne!(v.deadline.unwrap().status, DeadlineStatus::Overdue);
    // the office's deadline view: only open ones, most urgent first
    let open = petitions::list(
        &f.office_t,
        "T",
        &ListFilter {
            subtree: true,
            open_only: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(open.items.iter().all(|p| !p.state.is_closed()));
    assert!(open.items.iter().any(|p| p.id == fresh.id));
    assert!(!open.items.iter().any(|x| x.id == resolved_id));
    let overdue = petitions::list(
        &f.office_t,
        "T",
        &ListFilter {
            subtree: true,
            status: Some(DeadlineStatus::Overdue),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        overdue
            .items
            .iter()
            .all(|x| x.deadline.as_ref().unwrap().status == DeadlineStatus::Overdue)
    );
    assert_eq!(overdue.overdue, overdue.items.len());
    assert!(!overdue.items.is_empty());
}

async fn reception_and_calendar(f: &Fx) {
    let s = |date: &str, receiver: Receiver| SessionInput {
        held_on: d(date),
        receiver,
        receiver_name: "Ông Nguyễn Văn A".into(),
        turns: 2,
        people: 3,
        delegations: 0,
        note: String::new(),
    };
    // the chairman of N1 received citizens every Tuesday of June 2025 but one
    for date in ["03/06/2025", "17/06/2025", "24/06/2025"] {
        reception::record(&f.rep_n1, "N1", &s(date, Receiver::Chairman))
            .await
            .unwrap();
    }
    reception::record(
        &f.office_n1,
        "N1",
        &s("05/06/2025", Receiver::PartySecretary),
    )
    .await
    .unwrap();
    assert_eq!(
        reception::record(&f.office_t, "N1", &s("05/06/2025", Receiver::Chairman))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        reception::record(&f.rep_n1, "N1", &s("01/01/2099", Receiver::Chairman))
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidDate
    );
    let c = reception::compliance(&f.office_t, "N1", d("02/06/2025"), d("29/06/2025"))
        .await
        .unwrap();
    let chairman = c.iter().find(|c| c.rule.code == "chu_tich_xa").unwrap();
    assert_eq!(chairman.judged, 4);
    assert_eq!(
        chairman
            .missed
            .iter()
            .map(|m| m.label_vi.as_str())
            .collect::<Vec<_>>(),
        vec!["Tuần 09/06/2025 – 15/06/2025"]
    );
    // an agency has no frequency rule
    assert!(
        reception::compliance(&f.office_t, "S1", d("02/06/2025"), d("29/06/2025"))
            .await
            .unwrap()
            .is_empty()
    );
    let mine = reception::list(&f.rep_n1, "N1", false, d("01/06/2025"), d("30/06/2025"))
        .await
        .unwrap();
    assert_eq!(mine.len(), 4);
    assert!(mine.iter().all(|s| !s.receiver_name.is_empty()));
    let above = reception::list(&f.office_t, "T", true, d("01/06/2025"), d("30/06/2025"))
        .await
        .unwrap();
    assert_eq!(above.len(), 4);
    assert!(above.iter().all(|s| s.receiver_name.is_empty()));
    assert_eq!(
        reception::list(&f.rep_n2, "N1", false, d("01/06/2025"), d("30/06/2025"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );

    // the calendar: the file's years until an admin of the root stores one
    let y = calendar::year(&f.rep_n1, 2027).await.unwrap();
    assert!(
        y.covered
            && y.days
                .iter()
                .any(|x| x.date == "16/04/2027" && x.provisional)
    );
    let day = |date: &str, t: DayType, name: &str| CalendarDay {
        date: d(date),
        day_type: t,
        name: name.into(),
        provisional: false,
    };
    let days = vec![
        day("01/01/2027", DayType::DayOff, "Tết Dương lịch"),
        day(
            "15/04/2027",
            DayType::DayOff,
            "Giỗ Tổ Hùng Vương (đã đối chiếu)",
        ),
    ];
    for cx in [&f.admin_n1, &f.office_t, &f.rep_n1] {
        assert_eq!(
            calendar::save_year(cx, 2027, days.clone())
                .await
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
    }
    let mut bad = days.clone();
    bad.push(day("02/01/2028", DayType::DayOff, "năm sau"));
    bad.push(day("15/04/2027", DayType::DayOff, "lặp"));
    let e = calendar::save_year(&f.admin_t, 2027, bad)
        .await
        .unwrap_err();
    assert_eq!(e.problems.len(), 2, "{:?}", e.problems);
    assert_eq!(
        calendar::year(&f.rep_n1, 2027).await.unwrap().days.len(),
        11,
        "nothing changed"
    );
    let y = calendar::save_year(&f.admin_t, 2027, days).await.unwrap();
    assert_eq!(
        y.days.iter().map(|x| x.date.as_str()).collect::<Vec<_>>(),
        vec!["01/01/2027", "15/04/2027"]
    );
    // the other years still follow the file
    assert!(calendar::year(&f.viewer_t, 2025).await.unwrap().days.len() > 5);
}

const SOURCED: &str = r#"
code = "so-theo-doi"
version = 1
name = "Mẫu thử số liệu từ sổ theo dõi"
period_kinds = ["half"]
[[sections]]
number = "I"
title = "Tình hình"
[[groups]]
code = "1"
title = "Tiếp công dân, đơn thư"
[[indicators]]
code = "luot_tiep"
group = "1"
name = "Số lượt tiếp công dân"
unit = "lượt"
source = { register = "receptions", measure = "turns" }
[[indicators]]
code = "kn_vu_viec"
group = "1"
name = "Số vụ việc khiếu nại đã tiếp nhận"
unit = "vụ việc"
source = { register = "petitions", kind = "khieu_nai", measure = "cases" }
[[indicators]]
code = "kn_giai_quyet"
group = "1"
name = "Số đơn khiếu nại đã giải quyết"
unit = "đơn"
source = { register = "petitions", kind = "khieu_nai", measure = "petitions", filter = "resolved" }
[[indicators]]
code = "kiem_tra"
group = "1"
name = "Số cuộc kiểm tra"
unit = "cuộc"
source = { register = "inspections", measure = "count", kind = "inspection" }
[[indicators]]
code = "ghi_tay"
group = "1"
name = "Chỉ tiêu nhập tay"
unit = "cuộc"
"#;

async fn prefill_from_registers(f: &Fx) {
    let cli = f.app.system("test");
    templates::import(&cli, SOURCED).await.unwrap();
    let round = rounds::create(
        &f.office_t,
        &NewRound {
            confirm: true,
            title: "Báo cáo 6 tháng cuối năm 2025".into(),
            template: "so-theo-doi".into(),
            template_version: None,
            period: "2025-H2".parse().unwrap(),
            issuer: "T".into(),
            deadline: d("20/12/2025"),
            letter: String::new(),
            recipients: RecipientSelector {
                units: vec!["N1".into(), "N2".into()],
                ..Default::default()
            },
        },
        d("01/07/2025"),
    )
    .await
    .unwrap()
    .id;
    // complaints in the window 15/06 – 14/12/2025: two of one case, one resolved
    let c1 = petitions::record(
        &f.rep_n1,
        "N1",
        &input(
            PetitionKind::KhieuNai,
            "01/08/2025",
            &["Lý Văn Sơn"],
            "Khiếu nại việc cấp giấy chứng nhận quyền sử dụng đất",
        ),
    )
    .await
    .unwrap();
    let c2 = petitions::record(
        &f.rep_n1,
        "N1",
        &input(
            PetitionKind::KhieuNai,
            "05/08/2025",
            &["LY VAN SON"],
            "Khieu nai viec cap giay chung nhan quyen su dung dat",
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        c2.duplicates.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![c1.id]
    );
    petitions::link_case(&f.rep_n1, &[c1.id, c2.id], "Cấp giấy chứng nhận")
        .await
        .unwrap();
    let c3 = petitions::record(
        &f.rep_n1,
        "N1",
        &input(
            PetitionKind::KhieuNai,
            "10/08/2025",
            &["Đỗ Thị Mai"],
            "Khiếu nại về hỗ trợ tái định cư",
        ),
    )
    .await
    .unwrap();
    petitions::add_step(&f.rep_n1, c3.id, &step("12/08/2025", StepKind::Accepted))
        .await
        .unwrap();
    petitions::add_step(
        &f.rep_n1,
        c3.id,
        &step(
            "30/08/2025",
            StepKind::Concluded {
                result: ConclusionResult::Wrong,
            },
        ),
    )
    .await
    .unwrap();
    // the same kind of complaint in a unit below another: not N1's
    petitions::record(
        &f.rep_n2,
        "N2",
        &input(
            PetitionKind::KhieuNai,
            "01/09/2025",
            &["Lý Văn Sơn"],
            "Khiếu nại khác",
        ),
    )
    .await
    .unwrap();
    simple::record(
        &f.rep_n1,
        Register::Inspections,
        "N1",
        &EntryInput {
            on: d("10/07/2025"),
            title: "Kiểm tra việc công khai ngân sách".into(),
            kind: Some(InspectionKind::Inspection),
            body: Some(InspectionBody::PeoplesInspection),
            inspected: "Văn phòng UBND xã".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    simple::record(
        &f.rep_n1,
        Register::Inspections,
        "N1",
        &EntryInput {
            on: d("11/07/2025"),
            title: "Giám sát đầu tư".into(),
            kind: Some(InspectionKind::Supervision),
            body: Some(InspectionBody::PeoplesInspection),
            inspected: "Văn phòng UBND xã".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // after the cut-off (14/12/2025): not counted
    simple::record(
        &f.rep_n1,
        Register::Inspections,
        "N1",
        &EntryInput {
            on: d("20/12/2025"),
            title: "Kiểm tra sau kỳ".into(),
            kind: Some(InspectionKind::Inspection),
            body: Some(InspectionBody::PeoplesInspection),
            inspected: "Văn phòng UBND xã".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        simple::record(
            &f.office_t,
            Register::Models,
            "N1",
            &EntryInput {
                on: d("20/03/2025"),
                title: "Mô hình".into(),
                ..Default::default()
            }
        )
        .await
        .unwrap_err()
        .code,
        ErrorCode::Forbidden
    );
    let p = prefill::for_round(&f.office_t, round, "N1").await.unwrap();
    assert_eq!(
        (p.from.as_str(), p.to.as_str()),
        ("15/06/2025", "14/12/2025")
    );
    let v = |code: &str| {
        p.items
            .iter()
            .find(|i| i.indicator == code)
            .map(|i| i.value)
    };
    // sessions of 17/06 and 24/06 (2 turns each); 03/06 and 05/06 fall before the window
    assert_eq!(v("luot_tiep"), Some(4));
    // complaints of N1 received in the window: the case of two petitions once, and
    // the resolved one; those of March–April lie before it, N2's is not N1's
    assert_eq!(v("kn_vu_viec"), Some(2));
    assert_eq!(v("kn_giai_quyet"), Some(1));
    assert_eq!(v("kiem_tra"), Some(1));
    assert_eq!(
        v("ghi_tay"),
        None,
        "an indicator without a source is not counted"
    );
    // the whole round at once gives each recipient what it gets alone
    let all = prefill::for_round_all(&f.office_t, round).await.unwrap();
    assert_eq!(
        all.units
            .iter()
            .map(|u| u.unit_code.as_str())
            .collect::<Vec<_>>(),
        vec!["N1", "N2"]
    );
    assert!(all.columns.iter().all(|c| c.indicator != "ghi_tay"));
    for row in &all.units {
        let one = prefill::for_round(&f.office_t, round, &row.unit_code)
            .await
            .unwrap();
        for (c, v) in all.columns.iter().zip(&row.values) {
            let alone = one
                .items
                .iter()
                .find(|i| i.indicator == c.indicator)
                .map(|i| i.value);
            assert_eq!(alone, *v, "{} {}", row.unit_code, c.indicator);
        }
    }
    let cell = |unit: &str, code: &str| {
        let col = all
            .columns
            .iter()
            .position(|c| c.indicator == code)
            .unwrap();
        all.units
            .iter()
            .find(|u| u.unit_code == unit)
            .unwrap()
            .values[col]
    };
    assert_eq!(cell("N1", "kn_vu_viec"), Some(2));
    assert_eq!(cell("N1", "kiem_tra"), Some(1));
    // N2 keeps a petitions book and nothing else: no inspection figure, and its
    // complaint of 01/09 counted
    assert_eq!(cell("N2", "kiem_tra"), None);
    assert_eq!(cell("N2", "kn_vu_viec"), Some(1));
    assert_eq!(
        all.counted,
        all.units.iter().flat_map(|u| &u.values).flatten().count()
    );
    // a recipient's reporter does not see the whole round's figures
    assert_eq!(
        prefill::for_round_all(&f.rep_n1, round)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    // a unit out of the actor's scope
    assert_eq!(
        prefill::for_round(&f.rep_n2, round, "N1")
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    report_form_takes_the_counts(f, round).await;
}

fn figures(values: &[(&str, Option<i64>)], reasons: &[(&str, &str)]) -> DraftChange {
    DraftChange {
        values: values
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(|v| v * 1000)))
            .collect(),
        sections: Default::default(),
        reasons: reasons
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// The report form offers the counted figures; a different figure needs a
/// written reason (nothing saved without one), the office sees old → new and the
/// reason, and a typed figure is never replaced by a later count.
async fn report_form_takes_the_counts(f: &Fx, round: i64) {
    let v = submissions::view(&f.rep_n1, round, "N1").await.unwrap();
    assert_eq!(v.prefilled.get("luot_tiep").map(String::as_str), Some("4"));
    assert_eq!(v.prefilled.get("kn_vu_viec").map(String::as_str), Some("2"));
    assert_eq!(v.prefilled.get("ghi_tay"), None);
    assert!(v.display.is_empty(), "nothing is written by offering");
    // the office above sees the report but no form, hence no counts offered
    let seen = submissions::view(&f.office_t, round, "N1").await.unwrap();
    assert!(seen.prefilled.is_empty() && seen.overrides.is_empty());

    // an import preview says which figures differ from the counts (a reason will
    // be asked for those) and which agree
    let lines = submissions::preview_change(
        &f.rep_n1,
        round,
        "N1",
        &figures(&[("luot_tiep", Some(4)), ("kn_vu_viec", Some(3))], &[]),
    )
    .await
    .unwrap();
    let counted = |code: &str| {
        lines
            .iter()
            .find(|l| l.field == format!("v.{code}"))
            .map(|l| l.counted.clone())
    };
    assert_eq!(counted("kn_vu_viec"), Some(Some("2".to_string())));
    assert_eq!(counted("luot_tiep"), Some(None));

    // a different figure without a reason: refused in Vietnamese, nothing saved
    let e = submissions::save_draft(
        &f.rep_n1,
        round,
        "N1",
        &figures(
            &[
                ("luot_tiep", Some(4)),
                ("kn_vu_viec", Some(3)),
                ("ghi_tay", Some(7)),
            ],
            &[],
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("phải ghi lý do"), "{}", e.message);
    assert!(
        e.message.contains("Số vụ việc khiếu nại đã tiếp nhận"),
        "{}",
        e.message
    );
    let v = submissions::view(&f.rep_n1, round, "N1").await.unwrap();
    assert!(v.display.is_empty(), "a refused save writes nothing");
    // sending with it is refused the same way
    let e = submissions::submit_with(
        &f.rep_n1,
        round,
        "N1",
        &figures(&[("kn_vu_viec", Some(3))], &[("kn_vu_viec", "   ")]),
        chrono::Utc::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);

    // with a reason: saved as typed, the reason kept
    let reason = "Một vụ việc tiếp nhận qua đường dây nóng chưa vào sổ";
    let v = submissions::save_draft(
        &f.rep_n1,
        round,
        "N1",
        &figures(
            &[
                ("luot_tiep", Some(4)),
                ("kn_vu_viec", Some(3)),
                ("ghi_tay", Some(7)),
            ],
            &[("kn_vu_viec", reason)],
        ),
    )
    .await
    .unwrap();
    assert_eq!(v.display.get("kn_vu_viec").map(String::as_str), Some("3"));
    assert_eq!(v.display.get("luot_tiep").map(String::as_str), Some("4"));
    let office = submissions::view(&f.office_t, round, "N1").await.unwrap();
    assert_eq!(office.overrides.len(), 1);
    let o = &office.overrides[0];
    assert_eq!(
        (
            o.indicator.as_str(),
            o.counted.as_str(),
            o.typed.as_str(),
            o.reason.as_str(),
            o.by.as_str()
        ),
        ("kn_vu_viec", "2", "3", reason, "rep_n1")
    );
    assert_eq!(o.name, "Số vụ việc khiếu nại đã tiếp nhận");
    // a later save of other figures keeps the reason without asking again
    submissions::save_draft(
        &f.rep_n1,
        round,
        "N1",
        &figures(&[("ghi_tay", Some(8))], &[]),
    )
    .await
    .unwrap();
    assert_eq!(
        submissions::view(&f.office_t, round, "N1")
            .await
            .unwrap()
            .overrides
            .len(),
        1
    );

    // a new record changes the count, never the typed figure
    petitions::record(
        &f.rep_n1,
        "N1",
        &input(
            PetitionKind::KhieuNai,
            "01/10/2025",
            &["Hà Văn Lâm"],
            "Khiếu nại về bồi thường",
        ),
    )
    .await
    .unwrap();
    let v = submissions::view(&f.rep_n1, round, "N1").await.unwrap();
    assert_eq!(v.prefilled.get("kn_vu_viec").map(String::as_str), Some("3"));
    assert_eq!(v.display.get("kn_vu_viec").map(String::as_str), Some("3"));
    // brought back to the count: the override goes
    submissions::save_draft(
        &f.rep_n1,
        round,
        "N1",
        &figures(&[("luot_tiep", Some(4))], &[]),
    )
    .await
    .unwrap();
    submissions::save_draft(
        &f.rep_n1,
        round,
        "N1",
        &figures(&[("kn_vu_viec", Some(3))], &[]),
    )
    .await
    .unwrap();
    assert!(
        submissions::view(&f.office_t, round, "N1")
            .await
            .unwrap()
            .overrides
            .is_empty()
    );

    // the records behind a figure: every petition counted, a case once
    let r = prefill::records(&f.office_t, round, "N1", "kn_vu_viec")
        .await
        .unwrap();
    assert_eq!(r.value, 3);
    assert!(r.counts_cases);
    assert_eq!(r.records.len(), 4);
    assert!(r.records.iter().all(|x| x.petition_id.is_some()));
    assert!(
        r.records.iter().all(|x| !x.label.contains("Lý Văn Sơn")),
        "the office above sees no names"
    );
    let r = prefill::records(&f.rep_n1, round, "N1", "kiem_tra")
        .await
        .unwrap();
    assert_eq!((r.value, r.records.len()), (1, 1));
    let r = prefill::records(&f.rep_n1, round, "N1", "luot_tiep")
        .await
        .unwrap();
    assert_eq!(r.records.iter().map(|x| x.adds).sum::<i64>(), r.value);
    assert_eq!(
        prefill::records(&f.rep_n1, round, "N1", "ghi_tay")
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        prefill::records(&f.rep_n2, round, "N1", "kn_vu_viec")
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
}

/// The shipped templates' version 3 carries sources: a round created on it offers
/// counted figures; a round on version 2 keeps version 2 (and offers none) even
/// after version 3 is loaded again.
async fn shipped_versions(f: &Fx) {
    let make = |version: Option<i64>, title: &str| NewRound {
        confirm: true,
        title: title.into(),
        template: "qcdc-dinh-ky".into(),
        template_version: version,
        period: "2025-Y".parse().unwrap(),
        issuer: "T".into(),
        deadline: d("20/12/2025"),
        letter: String::new(),
        recipients: RecipientSelector {
            units: vec!["N1".into()],
            ..Default::default()
        },
    };
    let old = rounds::create(
        &f.office_t,
        &make(Some(2), "Năm 2025 (mẫu cũ)"),
        d("01/07/2025"),
    )
    .await
    .unwrap();
    let new = rounds::create(&f.office_t, &make(None, "Năm 2025"), d("01/07/2025"))
        .await
        .unwrap();
    // loading the files again (a restart) changes neither
    templates::load_files(
        &f.app.system("test"),
        &templates::read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates"))
            .unwrap(),
    )
    .await
    .unwrap();
    let old_v = submissions::view(&f.rep_n1, old.id, "N1").await.unwrap();
    let new_v = submissions::view(&f.rep_n1, new.id, "N1").await.unwrap();
    assert_eq!((old_v.template_version, new_v.template_version), (2, 3));
    assert!(old_v.prefilled.is_empty());
    // N1 recorded receptions and complaints in 2025 (above): counted on version 3
    assert!(new_v.prefilled.contains_key("tcd_luot"));
    assert!(new_v.prefilled.contains_key("dt_khieu_nai"));
    assert!(!new_v.prefilled.contains_key("vb_tong"));
    // N2 keeps a petitions book only: its reception figures are typed as before
    let n2 = rounds::create(
        &f.office_t,
        &NewRound {
            recipients: RecipientSelector {
                units: vec!["N2".into()],
                ..Default::default()
            },
            ..make(None, "Năm 2025 — N2")
        },
        d("01/07/2025"),
    )
    .await
    .unwrap();
    let rep_n2 = submissions::view(&f.rep_n2, n2.id, "N2").await.unwrap();
    assert!(rep_n2.prefilled.contains_key("dt_khieu_nai"));
    assert!(!rep_n2.prefilled.contains_key("tcd_luot"));
    let mut c = DraftChange::default();
    c.values.insert("tcd_luot".into(), Some(12_000));
    submissions::save_draft(&f.rep_n2, n2.id, "N2", &c)
        .await
        .unwrap();
}

/// Generated registers load in one transaction: every petition replayed through
/// the state machine first (one impossible step refuses the whole batch), cases
/// linked, and the ids given in bulk never collide with later records.
async fn bulk_loading(f: &Fx) {
    use qcdc_app::registers::bulk::{self, Batch, CaseRecord, PetitionRecord, SessionRecord};
    use qcdc_core::registers::Step;
    let cli = f.app.system("test");
    let before = bulk::totals(&cli).await.unwrap();
    let petition = |received: &str, steps: Vec<Step>, case: Option<usize>| PetitionRecord {
        unit: "X3".into(),
        kind: PetitionKind::KhieuNai,
        channel: Channel::Direct,
        received_on: d(received),
        petitioners: vec!["Ka Thị Brếu".into()],
        summary: "Khiếu nại việc thu hồi đất".into(),
        content: String::new(),
        forwarded_from: String::new(),
        remote: false,
        complexity: Complexity::Normal,
        steps,
        case,
    };
    let good = Batch {
        cases: vec![CaseRecord {
            unit: "X3".into(),
            title: "Thu hồi đất thôn 2".into(),
        }],
        petitions: vec![
            petition(
                "02/03/2026",
                vec![
                    Step {
                        date: d("05/03/2026"),
                        kind: StepKind::Accepted,
                    },
                    Step {
                        date: d("20/03/2026"),
                        kind: StepKind::Concluded {
                            result: ConclusionResult::PartlyRight,
                        },
                    },
                ],
                Some(0),
            ),
            petition("10/03/2026", vec![], Some(0)),
        ],
        sessions: vec![SessionRecord {
            unit: "X3".into(),
            held_on: d("05/03/2026"),
            receiver: Receiver::Chairman,
            receiver_name: "Chủ tịch".into(),
            turns: 3,
            people: 4,
            delegations: 0,
            note: String::new(),
        }],
    };
    // the command line only
    assert_eq!(
        bulk::load_generated(&f.office_t, &good)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    // a conclusion before acceptance anywhere in the batch: nothing written
    let mut bad = good.clone();
    bad.petitions.push(petition(
        "01/03/2026",
        vec![Step {
            date: d("02/03/2026"),
            kind: StepKind::Concluded {
                result: ConclusionResult::Right,
            },
        }],
        None,
    ));
    let e = bulk::load_generated(&cli, &bad).await.unwrap_err();
    assert!(e.message.starts_with("Đơn thứ 3"), "{}", e.message);
    assert_eq!(bulk::totals(&cli).await.unwrap(), before);
    assert_eq!(bulk::load_generated(&cli, &good).await.unwrap(), 3);
    assert_eq!(
        bulk::totals(&cli).await.unwrap(),
        (before.0 + 2, before.1 + 1)
    );
    let list = petitions::list(&cli, "X3", &ListFilter::default())
        .await
        .unwrap();
    assert_eq!((list.items.len(), list.cases), (2, 1));
    assert!(
        list.items
            .iter()
            .any(|p| p.state == PetitionState::Resolved && p.steps.len() == 2)
    );
    // X3 ended on 30/06/2025 (renamed into N2): nothing is recorded in its books
    // after that day, and nothing is written when it is tried
    let e = petitions::record(
        &cli,
        "X3",
        &input(
            PetitionKind::KienNghi,
            "11/03/2026",
            &["Điểu Kră"],
            "Kiến nghị sửa đường",
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidDate);
    assert!(e.message.contains("30/06/2025"), "{}", e.message);
    assert_eq!(
        bulk::totals(&cli).await.unwrap(),
        (before.0 + 2, before.1 + 1)
    );
    // a petition recorded afterwards gets a fresh id (PostgreSQL's sequence moved on)
    let later = petitions::record(
        &cli,
        "X3",
        &input(
            PetitionKind::KienNghi,
            "20/06/2025",
            &["Điểu Kră"],
            "Kiến nghị sửa đường",
        ),
    )
    .await
    .unwrap();
    assert!(list.items.iter().all(|p| p.id < later.id));
}

fn cells_of(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let first = wb.sheet_names()[0].clone();
    let r = wb.worksheet_range(&first).unwrap();
    r.rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn book(headers: &[&str], rows: &[&[&str]]) -> Vec<u8> {
    qcdc_docs::xlsx::write_table(
        "Sổ",
        "SỔ THEO DÕI",
        headers,
        &rows
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect::<Vec<_>>(),
    )
    .unwrap()
}

/// Excel books: every bad row listed with its number and nothing imported; a
/// good book imported whole; exports keep denouncers secret, show an office
/// above no names, and neutralise formulas.
async fn excel_books(f: &Fx) {
    use qcdc_app::registers::bulk;
    use qcdc_app::registers::excel;
    use qcdc_core::registers::book::{PETITION_COLUMNS, SESSION_COLUMNS};
    let cli = f.app.system("test");
    let before = bulk::totals(&cli).await.unwrap();
    let bad = book(
        &PETITION_COLUMNS,
        &[
            &[
                "02/03/2026",
                "Khiếu nại",
                "Trực tiếp",
                "Lê Văn An",
                "Khiếu nại việc cấp đất",
                "",
                "",
                "",
                "",
                "",
            ],
            &[
                "31/02/2026",
                "Khiếu nại",
                "Trực tiếp",
                "Lê Văn An",
                "Sai ngày",
                "",
                "",
                "",
                "",
                "",
            ],
            &[
                "03/03/2026",
                "Đơn lạ",
                "Trực tiếp",
                "",
                "Thiếu người gửi",
                "",
                "",
                "",
                "",
                "",
            ],
            &[
                "04/03/2026",
                "To cao",
                "Truc tiep",
                "Ka Brếu",
                "Tố cáo",
                "",
                "",
                "",
                "10/03/2026",
                "Đúng",
            ],
        ],
    );
    let e = excel::import(&f.rep_n1, "N1", "petitions", bad)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("chưa nhập dòng nào"), "{}", e.message);
    let lines: Vec<usize> = e.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![4, 5, 6], "{:?}", e.problems);
    assert!(
        e.problems[0].message.contains("Ngày nhận"),
        "{}",
        e.problems[0].message
    );
    assert!(e.problems[1].message.contains("Loại đơn"));
    assert!(e.problems[1].message.contains("Người gửi đơn"));
    // a conclusion with no acceptance: refused by the state machine
    assert!(
        e.problems[2].message.contains("thụ lý"),
        "{}",
        e.problems[2].message
    );
    assert_eq!(
        bulk::totals(&cli).await.unwrap(),
        before,
        "nothing imported"
    );
    // not an Excel file at all
    assert_eq!(
        excel::import(&f.rep_n1, "N1", "petitions", b"xin chao".to_vec())
            .await
            .unwrap_err()
            .code,
        ErrorCode::XlsxUnreadable
    );
    // only the unit's own reporters and office write
    let good = book(
        &PETITION_COLUMNS,
        &[
            &[
                "02/03/2026",
                "Khiếu nại",
                "Trực tiếp",
                "Lê Văn An; Lò Thị Hoa",
                "=HYPERLINK(\"http://x\")",
                "",
                "Có",
                "05/03/2026",
                "25/03/2026",
                "Sai",
            ],
            &[
                "04/03/2026",
                "Tố cáo",
                "Bưu chính",
                "Ka Brếu",
                "Tố cáo việc thu tiền",
                "",
                "",
                "06/03/2026",
                "",
                "",
            ],
        ],
    );
    assert_eq!(
        excel::import(&f.rep_n2, "N1", "petitions", good.clone())
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        excel::import(&f.office_t, "N1", "petitions", good.clone())
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    let done = excel::import(&f.rep_n1, "N1", "petitions", good)
        .await
        .unwrap();
    assert_eq!(done.rows, 2);
    assert_eq!(bulk::totals(&cli).await.unwrap(), (before.0 + 2, before.1));

    // the export: the layout of the import, denouncers kept secret, formulas neutralised
    let out = cells_of(&excel::export(&f.rep_n1, "N1", "petitions").await.unwrap());
    assert_eq!(out[1], PETITION_COLUMNS.map(String::from).to_vec());
    let text = format!("{out:?}");
    assert!(
        !text.contains("Ka Brếu"),
        "a denouncer never leaves in a file"
    );
    assert!(text.contains("(được giữ bí mật)"));
    assert!(text.contains("Lê Văn An; Lò Thị Hoa"));
    assert!(
        out.iter().any(|r| r[4] == "'=HYPERLINK(\"http://x\")"),
        "{text}"
    );
    assert!(out.iter().all(|r| !r.iter().any(|c| c.starts_with('='))));
    // the office above sees counts: no names, no contents
    let above = format!(
        "{:?}",
        cells_of(&excel::export(&f.office_t, "N1", "petitions").await.unwrap())
    );
    assert!(!above.contains("Lê Văn An") && !above.contains("Ka Brếu"));
    // an exported book imports back into another unit as it was
    let again = excel::export(&f.rep_n1, "N1", "petitions").await.unwrap();
    let n = out.len() - 2;
    // not into a unit that had ended before the book's dates: every row listed
    let x1 = user(&f.app, "rep_x1", Role::Reporter, "X1").await;
    let e = excel::import(&x1, "X1", "petitions", again.clone())
        .await
        .unwrap_err();
    assert!(
        !e.problems.is_empty()
            && e.problems
                .iter()
                .all(|p| p.message.contains("thôi hoạt động")),
        "{e:?}"
    );
    assert!(
        petitions::list(&x1, "X1", &ListFilter::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let s1 = user(&f.app, "rep_s1", Role::Reporter, "S1").await;
    assert_eq!(
        excel::import(&s1, "S1", "petitions", again)
            .await
            .unwrap()
            .rows,
        n
    );

    // the reception book
    let sessions = book(
        &SESSION_COLUMNS,
        &[
            &[
                "05/03/2026",
                "Chủ tịch UBND",
                "Nguyễn Văn Hùng",
                "3",
                "4",
                "",
                "",
            ],
            &["12/03/2026", "Bi thu", "", "2", "1", "", ""],
        ],
    );
    let e = excel::import(&f.rep_n1, "N1", "receptions", sessions)
        .await
        .unwrap_err();
    assert_eq!(
        e.problems.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![4]
    );
    let sessions = book(
        &SESSION_COLUMNS,
        &[&[
            "05/03/2026",
            "Chủ tịch UBND",
            "Nguyễn Văn Hùng",
            "3",
            "4",
            "",
            "",
        ]],
    );
    assert_eq!(
        excel::import(&f.rep_n1, "N1", "receptions", sessions)
            .await
            .unwrap()
            .rows,
        1
    );
    let out = cells_of(&excel::export(&f.rep_n1, "N1", "receptions").await.unwrap());
    assert!(
        out.iter()
            .any(|r| r[0] == "05/03/2026" && r[2] == "Nguyễn Văn Hùng")
    );
    assert_eq!(
        excel::export(&f.rep_n1, "N1", "cases")
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
}

/// The simple registers' books: labels read with or without diacritics, every
/// bad row listed with its line and nothing written, the checks of a typed
/// entry applied to every row, and an export that imports back into another
/// unit as the same entries.
async fn excel_simple_books(f: &Fx) {
    use qcdc_app::registers::excel;
    use qcdc_core::registers::book::{DIALOGUE_COLUMNS, INSPECTION_COLUMNS, MODEL_COLUMNS};
    let far = (d("01/01/2000"), d("31/12/2099"));
    let count = |cx: &Ctx, unit: &'static str, reg: Register| {
        let cx = cx.clone();
        async move {
            simple::list(&cx, reg, unit, false, far.0, far.1)
                .await
                .unwrap()
                .len()
        }
    };
    let sorted = |bytes: &[u8]| {
        let mut rows = cells_of(bytes).split_off(2);
        rows.sort();
        rows
    };
    // two bad rows among good ones: both listed, nothing written
    let before = count(&f.rep_n1, "N1", Register::Dialogues).await;
    let dialogues = book(
        &DIALOGUE_COLUMNS,
        &[
            &[
                "05/03/2026",
                "Đối thoại về đất đai",
                "40",
                "Nguyễn Văn Hùng",
                "Chủ tịch UBND",
                "6",
                "5",
            ],
            &[
                "06/03/2026",
                "Đối thoại về môi trường",
                "25",
                "Lê Thị Mai",
                "Phó Chủ tịch UBND",
                "3",
                "4",
            ],
            &[
                "07/03/2026",
                "=cmd",
                "12",
                "Lê Thị Mai",
                "Phó Chủ tịch UBND",
                "",
                "",
            ],
            &["31/02/2026", "Ngày sai", "", "", "", "", ""],
        ],
    );
    let e = excel::import(&f.rep_n1, "N1", "dialogues", dialogues)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    let lines: Vec<usize> = e.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![4, 6], "{:?}", e.problems);
    assert!(e.problems.iter().all(|p| p.code == "register_bad_row"));
    // the same check as a typed entry: answered above raised
    assert!(
        e.problems[0].message.contains("lớn hơn"),
        "{}",
        e.problems[0].message
    );
    assert!(e.problems[1].message.contains("Ngày đối thoại"));
    assert_eq!(count(&f.rep_n1, "N1", Register::Dialogues).await, before);

    let dialogues = book(
        &DIALOGUE_COLUMNS,
        &[
            &[
                "05/03/2026",
                "Đối thoại về đất đai",
                "40",
                "Nguyễn Văn Hùng",
                "Chủ tịch UBND",
                "6",
                "5",
            ],
            &[
                "07/03/2026",
                "=cmd",
                "12",
                "Lê Thị Mai",
                "Phó Chủ tịch UBND",
                "",
                "",
            ],
        ],
    );
    assert_eq!(
        excel::import(&f.rep_n2, "N1", "dialogues", dialogues.clone())
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        excel::import(&f.rep_n1, "N1", "dialogues", dialogues)
            .await
            .unwrap()
            .rows,
        2
    );
    assert_eq!(
        count(&f.rep_n1, "N1", Register::Dialogues).await,
        before + 2
    );
    let inspections = book(
        &INSPECTION_COLUMNS,
        &[
            &[
                "10/03/2026",
                "Giam sat",
                "Giám sát việc thu quỹ",
                "Ban Thanh tra nhan dan",
                "Tổ 3 người",
                "Thôn 1",
                "Thu đúng quy định",
                "3",
                "2",
            ],
            &[
                "11/03/2026",
                "Kiểm tra",
                "Kiểm tra công khai",
                "Cấp ủy Đảng",
                "",
                "Văn phòng UBND xã",
                "",
                "",
                "",
            ],
        ],
    );
    let bad_inspections = book(
        &INSPECTION_COLUMNS,
        &[
            &[
                "10/03/2026",
                "Giam sat",
                "Giám sát việc thu quỹ",
                "Công an",
                "",
                "Thôn 1",
                "",
                "3",
                "2",
            ],
            &[
                "11/03/2026",
                "Kiểm tra",
                "Kiểm tra công khai",
                "Cấp ủy Đảng",
                "",
                "",
                "",
                "",
                "",
            ],
        ],
    );
    let e = excel::import(&f.rep_n1, "N1", "inspections", bad_inspections)
        .await
        .unwrap_err();
    let lines: Vec<usize> = e.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![3, 4], "{:?}", e.problems);
    assert!(e.problems[0].message.contains("Cơ quan, tổ chức thực hiện"));
    assert!(
        e.problems[1].message.contains("đơn vị được kiểm tra"),
        "{}",
        e.problems[1].message
    );
    let before_i = count(&f.rep_n1, "N1", Register::Inspections).await;
    excel::import(&f.rep_n1, "N1", "inspections", inspections)
        .await
        .unwrap();
    assert_eq!(
        count(&f.rep_n1, "N1", Register::Inspections).await,
        before_i + 2
    );
    let models = book(
        &MODEL_COLUMNS,
        &[
            &[
                "01/03/2026",
                "Dân vận khéo trong xây dựng nông thôn mới",
                "Kinh tế",
                "Tap the",
                "Cap xa",
                "2025",
                "Có",
                "UBND xã",
            ],
            &[
                "02/03/2026",
                "Người tốt việc tốt",
                "Văn hóa",
                "Cá nhân",
                "Cấp tỉnh",
                "2026",
                "",
                "",
            ],
        ],
    );
    // no district level after July 2025, and a year after the recognition: the form's checks
    let bad_models = book(
        &MODEL_COLUMNS,
        &[
            &[
                "01/03/2026",
                "Mô hình",
                "Kinh tế",
                "Tập thể",
                "Cấp huyện",
                "2025",
                "",
                "",
            ],
            &[
                "02/03/2026",
                "Mô hình 2",
                "Văn hóa",
                "Cá nhân",
                "Cấp tỉnh",
                "2027",
                "",
                "",
            ],
        ],
    );
    let e = excel::import(&f.rep_n1, "N1", "models", bad_models)
        .await
        .unwrap_err();
    let lines: Vec<usize> = e.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![3, 4], "{:?}", e.problems);
    assert!(
        e.problems[0].message.contains("cấp huyện"),
        "{}",
        e.problems[0].message
    );
    assert!(e.problems[1].message.contains("Năm đăng ký 2027"));
    excel::import(&f.rep_n1, "N1", "models", models)
        .await
        .unwrap();

    // export → import into another unit: the same entries
    let s1 = user(&f.app, "rep_s1_books", Role::Reporter, "S1").await;
    let x1 = user(&f.app, "rep_x1_books", Role::Reporter, "X1").await;
    for (reg, code, headers) in [
        (Register::Dialogues, "dialogues", &DIALOGUE_COLUMNS[..]),
        (
            Register::Inspections,
            "inspections",
            &INSPECTION_COLUMNS[..],
        ),
        (Register::Models, "models", &MODEL_COLUMNS[..]),
    ] {
        let out = excel::export(&f.rep_n1, "N1", code).await.unwrap();
        let cells = cells_of(&out);
        assert_eq!(
            cells[1],
            headers.iter().map(|h| h.to_string()).collect::<Vec<_>>()
        );
        assert!(
            cells
                .iter()
                .all(|r| !r.iter().any(|c| c.starts_with(['=', '@'])))
        );
        let n = count(&f.rep_n1, "N1", reg).await;
        assert_eq!(cells.len() - 2, n);
        let s1_before = sorted(&excel::export(&s1, "S1", code).await.unwrap());
        assert_eq!(
            excel::import(&s1, "S1", code, out.clone())
                .await
                .unwrap()
                .rows,
            n
        );
        let mut expected = s1_before;
        expected.extend(sorted(&out));
        expected.sort();
        assert_eq!(
            sorted(&excel::export(&s1, "S1", code).await.unwrap()),
            expected,
            "{code}"
        );
        // a unit that had ended before the book's dates: every row refused, nothing written
        let e = excel::import(&x1, "X1", code, out).await.unwrap_err();
        assert_eq!(e.problems.len(), n, "{code}: {e:?}");
        assert!(
            e.problems
                .iter()
                .all(|p| p.message.contains("thôi hoạt động"))
        );
        assert_eq!(count(&x1, "X1", reg).await, 0);
    }
    let text = format!(
        "{:?}",
        cells_of(&excel::export(&f.rep_n1, "N1", "dialogues").await.unwrap())
    );
    assert!(text.contains("'=cmd"), "{text}");
    let text = format!(
        "{:?}",
        cells_of(&excel::export(&f.rep_n1, "N1", "models").await.unwrap())
    );
    assert!(
        text.contains("Tập thể") && text.contains("Cấp xã"),
        "{text}"
    );
}

/// A petition forwarded to a unit of the system lands in its register with the
/// history; to a code the system does not know, or to a unit that had ended, it
/// is refused and nothing is written.
async fn forwarding(f: &Fx) {
    let p = petitions::record(
        &f.rep_n1,
        "N1",
        &input(
            PetitionKind::KhieuNai,
            "02/02/2026",
            &["Phạm Văn Tư"],
            "Khiếu nại quyết định thu hồi đất của huyện",
        ),
    )
    .await
    .unwrap();
    let fwd = |to: &str, unit: Option<&str>| StepInput {
        to_unit: unit.map(str::to_string),
        ..step("09/02/2026", StepKind::Forwarded { to: to.to_string() })
    };
    let before = petitions::list(&f.rep_n2, "N2", &ListFilter::default())
        .await
        .unwrap()
        .items
        .len();
    // a code the system does not know: a clear error, nothing written
    let e = petitions::add_step(&f.rep_n1, p.id, &fwd("Sở Tài nguyên", Some("STNMT")))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownUnit);
    assert!(e.message.contains("«STNMT»"), "{}", e.message);
    // a unit that ended on 30/06/2025
    let e = petitions::add_step(&f.rep_n1, p.id, &fwd("X3", Some("X3")))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidDate);
    // itself
    assert_eq!(
        petitions::add_step(&f.rep_n1, p.id, &fwd("N1", Some("N1")))
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    assert!(
        petitions::get(&f.rep_n1, p.id)
            .await
            .unwrap()
            .steps
            .is_empty()
    );
    // not N1's to settle: forwarded to N2
    let v = petitions::add_step(&f.rep_n1, p.id, &fwd("N2", Some("N2")))
        .await
        .unwrap();
    assert_eq!(v.state, PetitionState::Forwarded);
    // the typed code became the receiving unit's name in the sender's step
    assert_eq!(v.steps.last().unwrap().detail, "Xã Đam Rông 2 (N2)");
    let list = petitions::list(&f.rep_n2, "N2", &ListFilter::default())
        .await
        .unwrap();
    assert_eq!(list.items.len(), before + 1);
    let got = list
        .items
        .iter()
        .find(|q| q.summary == "Khiếu nại quyết định thu hồi đất của huyện")
        .unwrap();
    assert_eq!(got.received_on, "09/02/2026");
    assert_eq!(got.state, PetitionState::Received);
    assert_eq!(
        got.petitioners.as_deref(),
        Some(&["Phạm Văn Tư".to_string()][..])
    );
    // the receiver sees where it came from and the steps recorded there
    let seen = petitions::forwarding(&f.rep_n2, got.id).await.unwrap();
    let o = seen.origin.unwrap();
    assert_eq!((o.petition_id, o.unit_code.as_str()), (p.id, "N1"));
    assert!(!o.visible, "N2's reporter does not open N1's petition");
    assert_eq!(
        o.steps.iter().map(|s| s.date.as_str()).collect::<Vec<_>>(),
        vec!["09/02/2026"]
    );
    // the sender sees where it went
    let sent = petitions::forwarding(&f.rep_n1, p.id).await.unwrap();
    assert_eq!(sent.forwarded_to.len(), 1);
    assert_eq!(sent.forwarded_to[0].petition_id, got.id);
    // forwarded once: a second forwarding of a closed petition is refused
    assert!(
        petitions::add_step(&f.rep_n1, p.id, &fwd("N2", Some("N2")))
            .await
            .is_err()
    );
    assert_eq!(
        petitions::list(&f.rep_n2, "N2", &ListFilter::default())
            .await
            .unwrap()
            .items
            .len(),
        before + 1
    );
}

/// A page of the list (read the cheap way: ranked without names, full rows for
/// the page only) is exactly the slice of the whole list, with the same totals,
/// for every actor, unit, subtree and filter.
async fn pages_are_slices_of_the_list(f: &Fx) {
    let filters = [
        ListFilter::default(),
        ListFilter {
            subtree: true,
            ..Default::default()
        },
        ListFilter {
            open_only: true,
            ..Default::default()
        },
        ListFilter {
            kind: Some(PetitionKind::KhieuNai),
            ..Default::default()
        },
        ListFilter {
            subtree: true,
            status: Some(DeadlineStatus::Overdue),
            ..Default::default()
        },
    ];
    for (who, unit) in [
        (&f.rep_n1, "N1"),
        (&f.office_t, "T"),
        (&f.office_t, "N1"),
        (&f.viewer_n1, "N1"),
        (&f.rep_n2, "N2"),
    ] {
        for flt in &filters {
            let all = petitions::list(who, unit, flt).await.unwrap();
            let ids: Vec<i64> = all.items.iter().map(|p| p.id).collect();
            for size in [1, 2, 50] {
                let mut at = 0;
                for n in 1.. {
                    let pg = petitions::page(who, unit, flt, qcdc_app::PageReq::new(n, size))
                        .await
                        .unwrap();
                    assert_eq!(pg.items.total as usize, ids.len(), "{unit} {flt:?}");
                    assert_eq!(
                        (pg.on_track, pg.due_soon, pg.overdue, pg.cases),
                        (all.on_track, all.due_soon, all.overdue, all.cases),
                        "{unit} {flt:?}"
                    );
                    if pg.items.items.is_empty() {
                        break;
                    }
                    for v in &pg.items.items {
                        assert_eq!(Some(v), all.items.get(at), "{unit} {flt:?} page {n}");
                        at += 1;
                    }
                }
                assert_eq!(at, ids.len(), "{unit} {flt:?} size {size}");
            }
        }
    }
}

async fn all(url: &str) {
    let f = setup(url).await;
    who_records_and_who_sees(&f).await;
    steps_and_deadlines(&f).await;
    reception_and_calendar(&f).await;
    prefill_from_registers(&f).await;
    shipped_versions(&f).await;
    bulk_loading(&f).await;
    excel_books(&f).await;
    excel_simple_books(&f).await;
    forwarding(&f).await;
    pages_are_slices_of_the_list(&f).await;
    f.app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_sqlite() {
    all(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_postgres() {
    all(&fresh_pg_database()).await;
}
