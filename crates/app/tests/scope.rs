#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A hostile commune admin tries what the first release let it do, and an office
//! tries to act on a closed round: every attempt is refused, nothing changes.

use std::path::Path;

use chrono::{NaiveDate, Utc};
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::submissions::DraftChange;
use qcdc_app::{
    App, AppOptions, Ctx, ErrorCode, PageReq, auth, rounds, submissions, templates, units, users,
};
use qcdc_core::access::Role;
use qcdc_core::round::RoundState;
use qcdc_testkit::{fresh_pg_database, fresh_sqlite_database, sample_tree};

async fn user(app: &App, name: &str, role: Role, unit: &str) -> Ctx {
    users::create(
        &app.system("test"),
        &users::NewUser {
            username: name.into(),
            full_name: name.into(),
            password: "mat-khau-demo".into(),
            roles: vec![(role, unit.into())],
        },
    )
    .await
    .unwrap();
    auth::verify_password(app, name, "mat-khau-demo")
        .await
        .unwrap()
}

async fn setup(url: &str) -> App {
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
    app
}

async fn hostile_commune_admin(url: &str) {
    let app = setup(url).await;
    let admin_n1 = user(&app, "admin_n1", Role::Admin, "N1").await;
    let _other = user(&app, "rep_s1", Role::Reporter, "S1").await;
    let forbidden = |e: qcdc_core::CoreError| assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    // a province-level office user, a province admin
    for role in [Role::Office, Role::Admin] {
        let e = users::create(
            &admin_n1,
            &users::NewUser {
                username: format!("x{}", role.as_str()),
                full_name: "X".into(),
                password: "mat-khau-demo".into(),
                roles: vec![(role, "T".into())],
            },
        )
        .await
        .unwrap_err();
        forbidden(e);
    }
    forbidden(
        users::grant(&admin_n1, "rep_s1", Role::Admin, "T")
            .await
            .unwrap_err(),
    );
    // rename the province through an import
    let mut province = units::export(&app.system("test"))
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.code == "T")
        .unwrap();
    province.name = "Tỉnh Bị Đổi Tên".into();
    forbidden(
        units::import(&admin_n1, vec![(2, province)])
            .await
            .unwrap_err(),
    );
    // move a department under its own commune
    let mut dept = units::export(&app.system("test"))
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.code == "S1")
        .unwrap();
    dept.parent = Some("N1".into());
    forbidden(units::import(&admin_n1, vec![(2, dept)]).await.unwrap_err());
    // rename its own commune (its parent, the province, is not its to administer)
    let mut own = units::export(&app.system("test"))
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.code == "N1")
        .unwrap();
    own.name = "Xã Đổi Tên".into();
    forbidden(units::import(&admin_n1, vec![(2, own)]).await.unwrap_err());
    // a global template
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/qcdc-dinh-ky.v1.toml"),
    )
    .unwrap()
    .replace("version = 1", "version = 9");
    forbidden(templates::import(&admin_n1, &src).await.unwrap_err());
    // it sees only the users of its subtree
    let seen = users::list(&admin_n1, None, PageReq::default())
        .await
        .unwrap();
    assert_eq!(
        seen.items
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["admin_n1"]
    );
    // nothing changed
    let cli = app.system("test");
    assert_eq!(
        units::get(&cli, "T").await.unwrap().unit.name,
        "Tỉnh Lâm Viên"
    );
    assert_eq!(
        units::get(&cli, "S1")
            .await
            .unwrap()
            .unit
            .parent_code
            .as_deref(),
        Some("T")
    );
    // two templates, each in versions 1, 2 and 3
    assert_eq!(templates::list(&cli).await.unwrap().len(), 6);
    // what it may do: add a unit under its commune and give a role there
    let village = qcdc_testkit::rec(
        "N1V1",
        "Thôn 1",
        qcdc_core::unit::UnitKind::MassOrg,
        Some("N1"),
        "2025-07-01",
        None,
        &[],
        None,
    );
    units::import(&admin_n1, vec![(2, village)]).await.unwrap();
    users::create(
        &admin_n1,
        &users::NewUser {
            username: "canbo.thon1".into(),
            full_name: "Cán bộ thôn".into(),
            password: "mat-khau-demo".into(),
            roles: vec![(Role::Reporter, "N1V1".into())],
        },
    )
    .await
    .unwrap();
    users::grant(&admin_n1, "canbo.thon1", Role::Viewer, "N1")
        .await
        .unwrap();
    assert_eq!(
        users::list(&admin_n1, None, PageReq::default())
            .await
            .unwrap()
            .total,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commune_admin_stays_in_its_commune_sqlite() {
    hostile_commune_admin(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commune_admin_stays_in_its_commune_postgres() {
    hostile_commune_admin(&fresh_pg_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_round_takes_no_return_or_acceptance() {
    let app = setup(&fresh_sqlite_database()).await;
    let office = user(&app, "office", Role::Office, "T").await;
    let rep = user(&app, "rep", Role::Reporter, "N1").await;
    let r = rounds::create(
        &office,
        &NewRound {
            confirm: false,
            title: "Đợt".into(),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: "2099-H1".parse().unwrap(),
            issuer: "T".into(),
            deadline: NaiveDate::from_ymd_opt(2099, 6, 20).unwrap(),
            letter: String::new(),
            recipients: RecipientSelector {
                units: vec!["N1".into(), "N2".into()],
                ..Default::default()
            },
        },
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    )
    .await
    .unwrap()
    .id;
    let mut c = DraftChange::default();
    for s in [
        "I", "II.1", "II.2", "II.3", "II.4", "IV.1", "IV.2", "IV.3", "V.1",
    ] {
        c.sections.insert(s.into(), Some("Nội dung".into()));
    }
    c.values.insert("vb_tong".into(), Some(0));
    submissions::save_draft(&rep, r, "N1", &c).await.unwrap();
    submissions::submit(&rep, r, "N1", Utc::now())
        .await
        .unwrap();
    rounds::set_state(&office, r, RoundState::Closed)
        .await
        .unwrap();
    for e in [
        submissions::accept(&office, r, "N1").await.unwrap_err(),
        submissions::return_report(&office, r, "N1", "lý do")
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.code, ErrorCode::InvalidTransition, "{e:?}");
    }
    assert_eq!(
        submissions::view(&office, r, "N1").await.unwrap().status,
        qcdc_core::workflow::Status::Submitted
    );
    // reopened, the office accepts
    rounds::set_state(&office, r, RoundState::Open)
        .await
        .unwrap();
    assert_eq!(
        submissions::accept(&office, r, "N1").await.unwrap().status,
        qcdc_core::workflow::Status::Accepted
    );
    // a reporter cannot close the round
    assert_eq!(
        rounds::set_state(&rep, r, RoundState::Closed)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_template_file_never_stops_the_start() {
    let app = setup(&fresh_sqlite_database()).await;
    let cli = app.system("test");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/qcdc-dinh-ky.v1.toml");
    let changed = std::fs::read_to_string(path)
        .unwrap()
        .replace("Khái quát đặc điểm", "Đặc điểm");
    let loaded = templates::load_files(&cli, &[("qcdc-dinh-ky.v1.toml".into(), changed)])
        .await
        .unwrap();
    assert!(
        matches!(&loaded[0], templates::Loaded::Ignored { why, .. } if why.contains("phiên bản")),
        "{loaded:?}"
    );
    let (_, t) = templates::get(&cli, "qcdc-dinh-ky", Some(1)).await.unwrap();
    assert!(
        t.sections()[0].title.contains("Khái quát đặc điểm"),
        "the stored version is kept"
    );
}
