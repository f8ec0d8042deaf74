#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The register lists the pages show, on SQLite and PostgreSQL: the simple
//! registers by page (newest first, the whole window counted, the unit or its
//! subtree), the petition list by page (most urgent first, totals over the whole
//! list), a case and its petitions, linking refused before anything is counted,
//! and the registers' hub (the user's units, each register's count, the petitions
//! running late) — each with who may and who may not.

use std::path::Path;

use chrono::NaiveDate;
use qcdc_app::registers::hub;
use qcdc_app::registers::petitions::{self, ListFilter, PetitionInput};
use qcdc_app::registers::simple::{self, EntryInput, Register};
use qcdc_app::{App, AppOptions, Ctx, ErrorCode, PageReq, auth, templates, units, users};
use qcdc_core::access::Role;
use qcdc_core::registers::source::InspectionKind;
use qcdc_core::registers::{Channel, Complexity, PetitionKind};
use qcdc_testkit::{fresh_pg_database, fresh_sqlite_database, sample_tree};

const PW: &str = "mat-khau-demo";

fn d(s: &str) -> NaiveDate {
    qcdc_core::period::parse_date(s).unwrap()
}

async fn user(app: &App, name: &str, role: Role, unit: &str) -> Ctx {
    users::create(
        &app.system("test"),
        &users::NewUser {
            username: name.into(),
            full_name: name.into(),
            password: PW.into(),
            roles: vec![(role, unit.into())],
        },
    )
    .await
    .unwrap();
    auth::verify_password(app, name, PW).await.unwrap()
}

fn dialogue(on: &str, title: &str, people: u32) -> EntryInput {
    EntryInput {
        on: d(on),
        title: title.into(),
        number: people,
        kind: None,
        field: String::new(),
    }
}

fn petition(who: &str, summary: &str, received: &str) -> PetitionInput {
    PetitionInput {
        kind: PetitionKind::KienNghi,
        channel: Channel::Direct,
        received_on: d(received),
        petitioners: vec![who.into()],
        summary: summary.into(),
        content: String::new(),
        forwarded_from: String::new(),
        remote: false,
        complexity: Complexity::Normal,
    }
}

async fn all(url: &str) {
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
    let rep_n1 = user(&app, "rep_n1", Role::Reporter, "N1").await;
    let rep_n2 = user(&app, "rep_n2", Role::Reporter, "N2").await;
    let office_t = user(&app, "office_t", Role::Office, "T").await;
    let viewer_t = user(&app, "viewer_t", Role::Viewer, "T").await;

    // ---- the simple registers by page
    for (on, title, n) in [
        ("05/01/2026", "Đối thoại đầu năm", 40),
        ("10/02/2026", "Đối thoại về đất đai", 25),
        ("15/03/2026", "Đối thoại với thanh niên", 60),
    ] {
        simple::record(&rep_n1, Register::Dialogues, "N1", &dialogue(on, title, n))
            .await
            .unwrap();
    }
    simple::record(
        &rep_n2,
        Register::Dialogues,
        "N2",
        &dialogue("20/02/2026", "Đối thoại ở N2", 10),
    )
    .await
    .unwrap();
    // outside the window asked for below
    simple::record(
        &rep_n1,
        Register::Dialogues,
        "N1",
        &dialogue("20/12/2025", "Đối thoại năm trước", 5),
    )
    .await
    .unwrap();
    let (from, to) = (d("01/01/2026"), d("31/03/2026"));
    let p1 = simple::page(
        &rep_n1,
        Register::Dialogues,
        "N1",
        false,
        from,
        to,
        PageReq::new(1, 2),
    )
    .await
    .unwrap();
    assert_eq!((p1.total, p1.pages, p1.page), (3, 2, 1));
    assert_eq!(
        p1.items
            .iter()
            .map(|e| e.title.as_str())
            .collect::<Vec<_>>(),
        ["Đối thoại với thanh niên", "Đối thoại về đất đai"],
        "newest first"
    );
    assert_eq!(p1.items[0].number, 60);
    assert_eq!(p1.items[0].unit_code, "N1");
    let p2 = simple::page(
        &rep_n1,
        Register::Dialogues,
        "N1",
        false,
        from,
        to,
        PageReq::new(2, 2),
    )
    .await
    .unwrap();
    assert_eq!(
        p2.items.iter().map(|e| e.on.as_str()).collect::<Vec<_>>(),
        ["05/01/2026"]
    );
    // the office's subtree: both units, each entry with its unit
    let above = simple::page(
        &office_t,
        Register::Dialogues,
        "T",
        true,
        from,
        to,
        PageReq::new(1, 50),
    )
    .await
    .unwrap();
    assert_eq!(above.total, 4);
    assert_eq!(
        above
            .items
            .iter()
            .filter(|e| e.unit_code == "N2")
            .map(|e| e.title.as_str())
            .collect::<Vec<_>>(),
        ["Đối thoại ở N2"]
    );
    // only the unit itself without the subtree
    assert_eq!(
        simple::page(
            &office_t,
            Register::Dialogues,
            "T",
            false,
            from,
            to,
            PageReq::new(1, 50)
        )
        .await
        .unwrap()
        .total,
        0
    );
    // another unit's reporter sees nothing of N1
    assert_eq!(
        simple::page(
            &rep_n2,
            Register::Dialogues,
            "N1",
            false,
            from,
            to,
            PageReq::new(1, 50)
        )
        .await
        .unwrap_err()
        .code,
        ErrorCode::Forbidden
    );
    // inspections carry their kind, models their field
    simple::record(
        &rep_n1,
        Register::Inspections,
        "N1",
        &EntryInput {
            on: d("02/03/2026"),
            title: "Giám sát công trình nhà văn hóa".into(),
            number: 0,
            kind: Some(InspectionKind::Supervision),
            field: String::new(),
        },
    )
    .await
    .unwrap();
    simple::record(
        &rep_n1,
        Register::Models,
        "N1",
        &EntryInput {
            on: d("03/03/2026"),
            title: "Mô hình tổ tự quản an ninh".into(),
            number: 0,
            kind: None,
            field: "Quốc phòng, an ninh".into(),
        },
    )
    .await
    .unwrap();
    let i = simple::page(
        &rep_n1,
        Register::Inspections,
        "N1",
        false,
        from,
        to,
        PageReq::new(1, 50),
    )
    .await
    .unwrap();
    assert_eq!(i.items[0].kind_label, Some("Giám sát"));
    let m = simple::page(
        &rep_n1,
        Register::Models,
        "N1",
        false,
        from,
        to,
        PageReq::new(1, 50),
    )
    .await
    .unwrap();
    assert_eq!(m.items[0].field, "Quốc phòng, an ninh");

    // ---- petitions by page
    let mut ids = Vec::new();
    for (i, day) in ["02/03/2026", "09/03/2026", "16/03/2026"]
        .iter()
        .enumerate()
    {
        ids.push(
            petitions::record(
                &rep_n1,
                "N1",
                &petition(
                    &format!("Người {i}"),
                    &format!("Kiến nghị riêng số {i}"),
                    day,
                ),
            )
            .await
            .unwrap()
            .id,
        );
    }
    let whole = petitions::list(&rep_n1, "N1", &ListFilter::default())
        .await
        .unwrap();
    let first = petitions::page(&rep_n1, "N1", &ListFilter::default(), PageReq::new(1, 2))
        .await
        .unwrap();
    let second = petitions::page(&rep_n1, "N1", &ListFilter::default(), PageReq::new(2, 2))
        .await
        .unwrap();
    assert_eq!((first.items.total, first.items.pages), (3, 2));
    let paged: Vec<i64> = first
        .items
        .items
        .iter()
        .chain(second.items.items.iter())
        .map(|p| p.id)
        .collect();
    assert_eq!(
        paged,
        whole.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        "the pages follow the list's order"
    );
    assert_eq!(
        (first.on_track, first.due_soon, first.overdue, first.cases),
        (whole.on_track, whole.due_soon, whole.overdue, whole.cases),
        "totals over the whole list on every page"
    );
    assert_eq!(
        petitions::page(&rep_n2, "N1", &ListFilter::default(), PageReq::new(1, 2))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );

    // ---- cases
    assert_eq!(petitions::case_of(&rep_n1, ids[0]).await.unwrap(), None);
    // refused before the choice is judged: a stranger is told it may not
    assert_eq!(
        petitions::link_case(&rep_n2, &[ids[0]], "x")
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        petitions::link_case(&rep_n1, &[ids[0], ids[0]], "x")
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput,
        "the same petition twice is one petition"
    );
    let case = petitions::link_case(&rep_n1, &[ids[0], ids[1]], "Vụ việc cầu treo")
        .await
        .unwrap();
    let c = petitions::case_of(&rep_n1, ids[1]).await.unwrap().unwrap();
    assert_eq!(c.id, case);
    assert_eq!(c.title, "Vụ việc cầu treo");
    assert_eq!(
        c.petitions.iter().map(|m| m.id).collect::<Vec<_>>(),
        [ids[0], ids[1]]
    );
    assert_eq!(c.petitions[0].state_label, "Mới tiếp nhận");
    // the office above sees the case's petitions, not its title
    let c = petitions::case_of(&office_t, ids[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c.title.as_str(), c.petitions.len()), ("", 2));
    assert_eq!(
        petitions::case_of(&rep_n2, ids[0]).await.unwrap_err().code,
        ErrorCode::Forbidden
    );
    // a third joins the case it finds (the title is the case's)
    assert_eq!(
        petitions::link_case(&rep_n1, &[ids[2], ids[0]], "")
            .await
            .unwrap(),
        case
    );
    assert_eq!(
        petitions::list(&rep_n1, "N1", &ListFilter::default())
            .await
            .unwrap()
            .cases,
        1
    );

    // ---- the hub
    let mine = hub::my_units(&rep_n1).await.unwrap();
    assert_eq!(
        mine.iter()
            .map(|u| (u.code.as_str(), u.may_record))
            .collect::<Vec<_>>(),
        [("N1", true)]
    );
    let theirs = hub::my_units(&viewer_t).await.unwrap();
    assert_eq!(
        theirs
            .iter()
            .map(|u| (u.code.as_str(), u.may_record))
            .collect::<Vec<_>>(),
        [("T", false)]
    );
    let o = hub::overview(&rep_n1, "N1").await.unwrap();
    assert!(o.may_record && !o.counts_only);
    assert_eq!(
        (
            o.own.petitions,
            o.own.receptions,
            o.own.dialogues,
            o.own.inspections,
            o.own.models
        ),
        (3, 0, 4, 1, 1)
    );
    // received in March with a 10 working day limit to accept: overdue by now
    assert_eq!(o.overdue + o.due_soon, 3);
    let o = hub::overview(&office_t, "T").await.unwrap();
    assert!(o.may_record, "the office keeps its own unit's registers");
    let below = o.subtree.unwrap();
    assert_eq!((below.dialogues, below.petitions), (5, 3));
    assert_eq!(o.own.dialogues, 0);
    assert!(o.units_below >= 2);
    let o = hub::overview(&office_t, "N1").await.unwrap();
    assert!(o.counts_only && !o.may_record);
    assert_eq!(
        hub::overview(&rep_n2, "N1").await.unwrap_err().code,
        ErrorCode::Forbidden
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_lists_sqlite() {
    all(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_lists_postgres() {
    all(&fresh_pg_database()).await;
}
