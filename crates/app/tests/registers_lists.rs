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
use qcdc_core::registers::entries::{
    DialogueDetail, EntryDetail, InspectionBody, InspectionDetail, ModelDetail, ModelHolder,
    ModelLevel,
};
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
        leader_name: "Nguyễn Văn Hùng".into(),
        leader_position: "Chủ tịch UBND xã".into(),
        issues_raised: 5,
        issues_answered: 4,
        ..Default::default()
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
            kind: Some(InspectionKind::Supervision),
            body: Some(InspectionBody::CommunityInvestment),
            team: "Ban Giám sát đầu tư của cộng đồng xã".into(),
            inspected: "Ban Quản lý dự án xã; nhà thầu".into(),
            findings: "Tường rào chưa đúng thiết kế".into(),
            recommendations_made: 3,
            recommendations_done: 2,
            ..Default::default()
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
            field: "Quốc phòng, an ninh".into(),
            holder: Some(ModelHolder::Collective),
            level: Some(ModelLevel::Commune),
            registered_year: Some(2025),
            commended: true,
            commended_by: "Ban Thường vụ Đảng ủy xã".into(),
            ..Default::default()
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
    details(url, &rep_n1, &office_t).await;
    search(&app, &rep_n1, &office_t).await;
    app.close().await;
}

/// The ids of the petitions a search finds in N1 (T: its whole subtree).
async fn found(who: &Ctx, unit: &str, q: &str) -> Vec<i64> {
    let f = ListFilter {
        subtree: unit == "T",
        query: q.into(),
        ..Default::default()
    };
    let mut ids: Vec<i64> = petitions::list(who, unit, &f)
        .await
        .unwrap()
        .items
        .iter()
        .map(|p| p.id)
        .collect();
    ids.sort_unstable();
    ids
}

/// The petition list searched by part of a name or of the summary, with or
/// without diacritics; names only where they are shown.
async fn search(app: &App, rep: &Ctx, office: &Ctx) {
    let viewer = &user(app, "viewer_n1", Role::Viewer, "N1").await;
    let rec = |input: PetitionInput| async move {
        petitions::record(rep, "N1", &input).await.unwrap().id
    };
    let a = rec(petition(
        "Nguyễn Văn An",
        "Kiến nghị sửa đường thôn 3",
        "05/03/2026",
    ))
    .await;
    let mut two = petition("Lê Thị Mai", "Kiến nghị nạo vét kênh mương", "06/03/2026");
    two.petitioners.push("NGUYỄN  VĂN BÌNH".into());
    let b = rec(two).await;
    let c = rec(petition(
        "Trần Thị Nguyệt",
        "Phản ánh biển tên đường Nguyễn Văn Cừ bị che khuất",
        "07/03/2026",
    ))
    .await;
    let mut denunciation = petition(
        "Nguyễn Văn Tố",
        "Tố cáo việc thu tiền sai quy định",
        "08/03/2026",
    );
    denunciation.kind = PetitionKind::ToCao;
    let d = rec(denunciation).await;
    let other = rec(petition(
        "Phạm Minh Tuấn",
        "Kiến nghị lắp đèn chiếu sáng",
        "09/03/2026",
    ))
    .await;
    // with or without diacritics, any case and spacing: the same petitions —
    // by a petitioner's name (also the second of two) or by the summary
    let all = vec![a, b, c, d];
    assert_eq!(found(rep, "N1", "nguyen van").await, all);
    assert_eq!(found(rep, "N1", "Nguyễn Văn").await, all);
    assert_eq!(found(rep, "N1", "  NGUYEN   van ").await, all);
    assert_eq!(found(rep, "N1", "van binh").await, vec![b]);
    assert_eq!(found(rep, "N1", "đèn chiếu").await, vec![other]);
    assert_eq!(found(rep, "N1", "Hoàng Văn Thụ").await, Vec::<i64>::new());
    // a leader of the unit sees names but not a denouncer's: the denunciation
    // cannot be found by its author's name
    assert_eq!(found(viewer, "N1", "nguyen van").await, vec![a, b, c]);
    assert_eq!(found(viewer, "N1", "van to").await, Vec::<i64>::new());
    // the office above sees counts only: neither names nor summaries can be probed
    assert_eq!(found(office, "T", "nguyen van").await, Vec::<i64>::new());
    assert_eq!(
        found(office, "T", "Phạm Minh Tuấn").await,
        Vec::<i64>::new()
    );
    assert_eq!(found(office, "T", "đèn chiếu").await, Vec::<i64>::new());
    assert!(
        found(office, "T", "").await.contains(&a),
        "no search: every petition"
    );
    // a search too long is refused in Vietnamese
    let e = petitions::list(
        rep,
        "N1",
        &ListFilter {
            query: "a".repeat(201),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("từ khóa tìm"), "{}", e.message);
}

/// Runs SQL on the database behind `url` (test set-up only: an old or a
/// corrupt row).
async fn exec(url: &str, sql: &str) {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url)
        .await
        .unwrap();
    conn.execute(sqlx::AssertSqlSafe(sql.to_string()))
        .await
        .unwrap();
}

/// How many entries a register of N1 holds over 2025–2026.
async fn held(rep: &Ctx, which: Register) -> usize {
    simple::list(rep, which, "N1", false, d("01/01/2025"), d("31/12/2026"))
        .await
        .unwrap()
        .len()
}

/// The registers' details: kept and shown as typed; inconsistent counts, unknown
/// choices, a district level after 1 July 2025, a year registered after the
/// recognition are refused with a Vietnamese reason and nothing is written.
async fn details(url: &str, rep: &Ctx, office: &Ctx) {
    let (from, to) = (d("01/01/2025"), d("31/12/2026"));
    let list = simple::list(rep, Register::Dialogues, "N1", false, from, to)
        .await
        .unwrap();
    let e = list
        .iter()
        .find(|e| e.title == "Đối thoại đầu năm")
        .unwrap();
    assert_eq!(
        e.detail,
        EntryDetail::Dialogue(DialogueDetail {
            leader_name: "Nguyễn Văn Hùng".into(),
            leader_position: "Chủ tịch UBND xã".into(),
            issues_raised: Some(5),
            issues_answered: Some(4),
        })
    );
    let i = simple::list(rep, Register::Inspections, "N1", false, from, to)
        .await
        .unwrap();
    assert_eq!(
        i[0].detail,
        EntryDetail::Inspection(InspectionDetail {
            body: Some(InspectionBody::CommunityInvestment),
            team: "Ban Giám sát đầu tư của cộng đồng xã".into(),
            inspected: "Ban Quản lý dự án xã; nhà thầu".into(),
            findings: "Tường rào chưa đúng thiết kế".into(),
            recommendations_made: Some(3),
            recommendations_done: Some(2),
        })
    );
    let m = simple::list(rep, Register::Models, "N1", false, from, to)
        .await
        .unwrap();
    assert_eq!(
        m[0].detail,
        EntryDetail::Model(ModelDetail {
            holder: Some(ModelHolder::Collective),
            level: Some(ModelLevel::Commune),
            registered_year: Some(2025),
            commended: Some(true),
            commended_by: "Ban Thường vụ Đảng ủy xã".into(),
        })
    );
    // the office above sees the details too (no personal data in them)
    let above = simple::list(office, Register::Models, "N1", false, from, to)
        .await
        .unwrap();
    assert_eq!(above[0].detail, m[0].detail);

    let before = [
        held(rep, Register::Dialogues).await,
        held(rep, Register::Inspections).await,
        held(rep, Register::Models).await,
    ];
    let refused = |which: Register, input: EntryInput, says: &'static str| async move {
        let e = simple::record(rep, which, "N1", &input).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "{}", e.message);
        assert!(
            e.message.contains(says),
            "«{}» should say «{says}»",
            e.message
        );
    };
    // answered > raised
    let mut x = dialogue("06/01/2026", "Đối thoại về môi trường", 30);
    x.issues_raised = 3;
    x.issues_answered = 4;
    refused(
        Register::Dialogues,
        x,
        "Số vấn đề đã trả lời (4) lớn hơn số vấn đề người dân nêu (3)",
    )
    .await;
    // no leader
    let mut x = dialogue("06/01/2026", "Đối thoại về môi trường", 30);
    x.leader_name = "  ".into();
    refused(Register::Dialogues, x, "Chưa nhập họ tên người chủ trì").await;
    // a leader's name too long
    let mut x = dialogue("06/01/2026", "Đối thoại về môi trường", 30);
    x.leader_name = "A".repeat(201);
    refused(Register::Dialogues, x, "dài quá 200 ký tự").await;
    let inspection = || EntryInput {
        on: d("04/03/2026"),
        title: "Kiểm tra công khai tài chính".into(),
        kind: Some(InspectionKind::Inspection),
        body: Some(InspectionBody::PeoplesInspection),
        inspected: "Bộ phận kế toán".into(),
        recommendations_made: 2,
        recommendations_done: 2,
        ..Default::default()
    };
    // carried out > made
    let mut x = inspection();
    x.recommendations_done = 3;
    refused(
        Register::Inspections,
        x,
        "Số kiến nghị đã thực hiện (3) lớn hơn số kiến nghị đã nêu (2)",
    )
    .await;
    // no body, no units inspected
    let mut x = inspection();
    x.body = None;
    refused(
        Register::Inspections,
        x,
        "Chưa chọn cơ quan, tổ chức thực hiện",
    )
    .await;
    let mut x = inspection();
    x.inspected = String::new();
    refused(Register::Inspections, x, "đơn vị được kiểm tra, giám sát").await;
    let model = || EntryInput {
        on: d("04/03/2026"),
        title: "Mô hình dân vận khéo".into(),
        field: "Kinh tế".into(),
        holder: Some(ModelHolder::Individual),
        level: Some(ModelLevel::Commune),
        registered_year: Some(2026),
        ..Default::default()
    };
    // no district level after 1 July 2025
    let mut x = model();
    x.level = Some(ModelLevel::District);
    refused(Register::Models, x, "không còn cấp huyện").await;
    // registered after it was recognised
    let mut x = model();
    x.registered_year = Some(2027);
    refused(Register::Models, x, "Năm đăng ký 2027 không hợp lệ").await;
    // commended by someone but not commended
    let mut x = model();
    x.commended_by = "UBND tỉnh".into();
    refused(
        Register::Models,
        x,
        "chưa đánh dấu mô hình được khen thưởng",
    )
    .await;
    let mut x = model();
    x.holder = None;
    refused(Register::Models, x, "tập thể hay cá nhân").await;
    let after = [
        held(rep, Register::Dialogues).await,
        held(rep, Register::Inspections).await,
        held(rep, Register::Models).await,
    ];
    assert_eq!(before, after, "nothing written");
    // a district-level model recognised before July 2025 is kept as it was
    let mut x = model();
    x.on = d("10/03/2025");
    x.registered_year = Some(2024);
    x.level = Some(ModelLevel::District);
    simple::record(rep, Register::Models, "N1", &x)
        .await
        .unwrap();
    assert_eq!(held(rep, Register::Models).await, before[2] + 1);

    // an entry stored before the details existed reads with unknowns, and a
    // corrupt code is refused naming its column
    exec(
        url,
        "INSERT INTO dialogues (unit_id, held_on, topic, participants, created_at, created_by) \
         SELECT id, '2026-01-02', 'Đối thoại cũ', 12, '2026-01-02T00:00:00Z', 'x' FROM units WHERE code = 'N1'",
    )
    .await;
    let old = simple::list(rep, Register::Dialogues, "N1", false, from, to)
        .await
        .unwrap();
    let old = old.iter().find(|e| e.title == "Đối thoại cũ").unwrap();
    assert_eq!(
        old.detail,
        EntryDetail::Dialogue(DialogueDetail {
            issues_raised: None,
            issues_answered: None,
            ..Default::default()
        })
    );
    exec(url, "UPDATE inspections SET body = 'police'").await;
    let e = simple::list(rep, Register::Inspections, "N1", false, from, to)
        .await
        .unwrap_err();
    assert!(
        e.message.contains("bảng inspections, cột body"),
        "{}",
        e.message
    );
    exec(url, "UPDATE inspections SET body = 'community_investment'").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_lists_sqlite() {
    all(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_lists_postgres() {
    all(&fresh_pg_database()).await;
}
