#![allow(clippy::unwrap_used, clippy::expect_used)]
//! User administration a province needs, on SQLite and PostgreSQL: disabling and
//! enabling accounts (sessions end at once), temporary passwords that must be
//! changed at the next sign-in, e-mail addresses — all within the admin's
//! subtree: a commune admin cannot touch a province user, nor a user who also
//! holds a role outside its commune, and a refusal changes nothing.

use std::path::Path;

use qcdc_app::{App, AppOptions, Ctx, ErrorCode, PageReq, auth, templates, units, users};
use qcdc_core::access::Role;
use qcdc_testkit::{fresh_pg_database, fresh_sqlite_database, sample_tree};

const PW: &str = "mat-khau-demo";

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

async fn user(app: &App, name: &str, roles: &[(Role, &str)]) -> Ctx {
    users::create(
        &app.system("test"),
        &users::NewUser {
            username: name.into(),
            full_name: name.into(),
            password: PW.into(),
            roles: roles.iter().map(|(r, u)| (*r, (*u).to_string())).collect(),
        },
    )
    .await
    .unwrap();
    auth::verify_password(app, name, PW).await.unwrap()
}

async fn info(app: &App, name: &str) -> qcdc_app::UserInfo {
    users::list(&app.system("test"), Some(name), PageReq::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|u| u.username == name)
        .unwrap()
}

async fn scenario(url: &str) {
    let app = setup(url).await;
    let admin_t = user(&app, "admin_t", &[(Role::Admin, "T")]).await;
    let admin_n1 = user(&app, "admin_n1", &[(Role::Admin, "N1")]).await;
    let _office_t = user(&app, "office_t", &[(Role::Office, "T")]).await;
    let _rep_n1 = user(&app, "rep_n1", &[(Role::Reporter, "N1")]).await;
    let _mixed = user(
        &app,
        "mixed",
        &[(Role::Reporter, "N1"), (Role::Viewer, "T")],
    )
    .await;
    let forbidden = |e: qcdc_core::CoreError| assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");

    // the commune admin cannot touch a province user, nor one with a role above it
    for name in ["office_t", "mixed", "admin_t"] {
        forbidden(users::set_active(&admin_n1, name, false).await.unwrap_err());
        forbidden(
            users::reset_password(&admin_n1, name, None)
                .await
                .unwrap_err(),
        );
        forbidden(
            users::set_email(&admin_n1, name, "x@example.vn")
                .await
                .unwrap_err(),
        );
    }
    // nothing changed: they still sign in with their passwords, no e-mail set
    for name in ["office_t", "mixed", "admin_t"] {
        auth::verify_password(&app, name, PW).await.unwrap();
        let i = info(&app, name).await;
        assert!(
            i.active && !i.must_change_password && i.email.is_none(),
            "{i:?}"
        );
    }
    // an unknown user is not found, not a leak of who exists elsewhere
    assert_eq!(
        users::set_active(&admin_n1, "khong-co", false)
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    // an office holder administers nobody
    let office = auth::verify_password(&app, "office_t", PW).await.unwrap();
    forbidden(
        users::set_active(&office, "rep_n1", false)
            .await
            .unwrap_err(),
    );
    // nobody disables itself
    assert_eq!(
        users::set_active(&admin_t, "admin_t", false)
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );

    // the commune admin disables its reporter: the session ends, sign-in refused
    let (_, token) = auth::sign_in(&app, "rep_n1", PW, 1).await.unwrap();
    auth::from_token(&app, &token).await.unwrap();
    users::set_active(&admin_n1, "rep_n1", false).await.unwrap();
    assert_eq!(
        auth::from_token(&app, &token).await.err().unwrap().code,
        ErrorCode::Unauthorized
    );
    assert_eq!(
        auth::sign_in(&app, "rep_n1", PW, 1)
            .await
            .err()
            .unwrap()
            .code,
        ErrorCode::Unauthorized
    );
    assert!(!info(&app, "rep_n1").await.active);
    // enabled again, it signs in
    users::set_active(&admin_n1, "rep_n1", true).await.unwrap();
    auth::sign_in(&app, "rep_n1", PW, 1).await.unwrap();

    // a typed temporary password: too short refused, then set; the old one stops
    assert_eq!(
        users::reset_password(&admin_n1, "rep_n1", Some("ngan"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    let (_, token) = auth::sign_in(&app, "rep_n1", PW, 1).await.unwrap();
    let tmp = users::reset_password(&admin_n1, "rep_n1", Some("tam-thoi-123"))
        .await
        .unwrap();
    assert_eq!(tmp, "tam-thoi-123");
    assert!(
        auth::from_token(&app, &token).await.is_err(),
        "sessions end"
    );
    assert!(auth::verify_password(&app, "rep_n1", PW).await.is_err());
    let cx = auth::verify_password(&app, "rep_n1", &tmp).await.unwrap();
    assert!(cx.actor().must_change_password);
    assert!(info(&app, "rep_n1").await.must_change_password);
    // changing it to the same is refused; to a new one lifts the obligation
    assert!(auth::change_password(&cx, &tmp, &tmp).await.is_err());
    auth::change_password(&cx, &tmp, "mat-khau-rieng-1")
        .await
        .unwrap();
    let cx = auth::verify_password(&app, "rep_n1", "mat-khau-rieng-1")
        .await
        .unwrap();
    assert!(!cx.actor().must_change_password);
    // a generated one: 12 characters, works once handed over
    let made = users::reset_password(&admin_t, "mixed", None)
        .await
        .unwrap();
    assert_eq!(made.chars().count(), 12);
    assert!(
        auth::verify_password(&app, "mixed", &made)
            .await
            .unwrap()
            .actor()
            .must_change_password
    );

    // e-mail: checked, set, cleared
    assert_eq!(
        users::set_email(&admin_n1, "rep_n1", "khong-phai-thu")
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    users::set_email(&admin_n1, "rep_n1", "canbo@damrong.example.vn")
        .await
        .unwrap();
    assert_eq!(
        info(&app, "rep_n1").await.email.as_deref(),
        Some("canbo@damrong.example.vn")
    );
    users::set_email(&admin_n1, "rep_n1", "").await.unwrap();
    assert_eq!(info(&app, "rep_n1").await.email, None);
    // a user created with an e-mail
    users::create_with_email(
        &admin_n1,
        &users::NewUser {
            username: "canbo.moi".into(),
            full_name: "Cán bộ mới".into(),
            password: PW.into(),
            roles: vec![(Role::Reporter, "N1".into())],
        },
        Some("moi@example.vn"),
    )
    .await
    .unwrap();
    assert_eq!(
        info(&app, "canbo.moi").await.email.as_deref(),
        Some("moi@example.vn")
    );
}

async fn import_scenario(url: &str) {
    use qcdc_core::user_import::parse_csv;
    let app = setup(url).await;
    let admin_n1 = user(&app, "admin_n1", &[(Role::Admin, "N1")]).await;
    let _rep = user(&app, "rep_n1", &[(Role::Reporter, "N1")]).await;
    let header = "username,full_name,email,role,unit,password\n";
    // a line above the commune: refused whole, as out of scope, the line named
    let file = format!(
        "{header}canbo.a,Cán bộ A,a@example.vn,reporter,N1,tam-thoi-123\nlanhdao.t,Lãnh đạo tỉnh,,viewer,T,tam-thoi-123\n"
    );
    let e = users::import(&admin_n1, parse_csv(&file).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    assert_eq!(e.problems.len(), 1);
    assert_eq!(e.problems[0].line, 3);
    assert!(e.message.contains("không nhập người nào"));
    // an existing username and an unknown unit: both listed, nothing imported
    let file = format!(
        "{header}canbo.a,Cán bộ A,,reporter,N1,tam-thoi-123\nrep_n1,Trùng,,reporter,N1,tam-thoi-123\ncanbo.c,Cán bộ C,,reporter,KHONG-CO,tam-thoi-123\n"
    );
    let e = users::import(&admin_n1, parse_csv(&file).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e:?}");
    let lines: Vec<usize> = e.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [3, 4], "{:?}", e.problems);
    assert!(e.problems[1].message.contains("KHONG-CO"));
    let cli = app.system("test");
    assert!(
        !users::list(&cli, Some("canbo.a"), PageReq::default())
            .await
            .unwrap()
            .items
            .iter()
            .any(|u| u.username == "canbo.a"),
        "all or nothing"
    );
    // an office holder imports nobody
    let office = user(&app, "office_t", &[(Role::Office, "T")]).await;
    let file = format!("{header}canbo.d,D,,reporter,N1,tam-thoi-123\n");
    assert_eq!(
        users::import(&office, parse_csv(&file).unwrap())
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    // a good file: every user with a temporary password to change
    let file = format!(
        "{header}canbo.a,Cán bộ A,a@example.vn,reporter,N1,tam-thoi-123\ncanbo.b,Cán bộ B,,Lãnh đạo,N1,tam-thoi-456\n"
    );
    let done = users::import(&admin_n1, parse_csv(&file).unwrap())
        .await
        .unwrap();
    assert_eq!(done.created, 2);
    let a = info(&app, "canbo.a").await;
    assert_eq!(a.email.as_deref(), Some("a@example.vn"));
    assert!(a.must_change_password);
    assert_eq!(info(&app, "canbo.b").await.roles[0].role, Role::Viewer);
    let cx = auth::verify_password(&app, "canbo.b", "tam-thoi-456")
        .await
        .unwrap();
    assert!(cx.actor().must_change_password);
    // importing it again is refused (the usernames are taken)
    assert!(
        users::import(&admin_n1, parse_csv(&file).unwrap())
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_import_is_all_or_nothing_and_scoped_sqlite() {
    import_scenario(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_import_is_all_or_nothing_and_scoped_postgres() {
    import_scenario(&fresh_pg_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_administration_stays_in_scope_sqlite() {
    scenario(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_administration_stays_in_scope_postgres() {
    scenario(&fresh_pg_database()).await;
}
