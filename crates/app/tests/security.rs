#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Sign-in hardening on SQLite and PostgreSQL: one failure limit per (address,
//! username) with backoff that a stranger elsewhere cannot turn into a lock-out;
//! web sessions and API tokens never stand in for each other; a password change
//! ends every other session and token; admins list and revoke a user's sessions
//! within their scope, in the audit log; expired tokens are purged; common
//! passwords, over-long names and absurd deadlines are refused; admin actions
//! (grants, user changes, revocations, template and unit imports) are audited
//! with who and when.

use std::net::IpAddr;
use std::path::Path;

use qcdc_app::auth::{self, Attempt, TokenKind};
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::{App, AppOptions, ErrorCode, rounds, templates, units, users};
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
    for (name, role, unit) in [
        ("admin_n1", Role::Admin, "N1"),
        ("admin_n2", Role::Admin, "N2"),
        ("rep_n1", Role::Reporter, "N1"),
    ] {
        users::create(
            &cli,
            &users::NewUser {
                username: name.into(),
                full_name: name.into(),
                password: PW.into(),
                roles: vec![(role, unit.into())],
            },
        )
        .await
        .unwrap();
    }
    app
}

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

async fn attempt(
    app: &App,
    from: &str,
    user: &str,
    pw: &str,
    kind: TokenKind,
) -> Result<String, qcdc_app::CoreError> {
    auth::sign_in_from(
        app,
        Attempt {
            address: ip(from),
            username: user,
            password: pw,
        },
        kind,
        1,
    )
    .await
    .map(|(_, t)| t)
}

async fn count(url: &str, sql: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(url)
        .await
        .unwrap();
    let row: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut c)
        .await
        .unwrap();
    row.0
}

async fn scenario(url: &str) {
    let app = setup(url).await;
    let before = app.sign_in_failures();

    // --- one failure limit, keyed by address and username, with backoff
    for i in 0..50 {
        let e = attempt(
            &app,
            "203.0.113.9",
            "rep_n1",
            "sai-mat-khau",
            TokenKind::Api,
        )
        .await
        .unwrap_err();
        let want = if i < 5 {
            ErrorCode::Unauthorized
        } else {
            ErrorCode::TooManyRequests
        };
        assert_eq!(e.code, want, "attempt {i}: {e:?}");
    }
    // the right password from the attacker's address still waits (not even checked)…
    let e = attempt(&app, "203.0.113.9", "rep_n1", PW, TokenKind::Api)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::TooManyRequests);
    assert!(e.message.contains("quá nhiều lần"), "{}", e.message);
    assert!(e.details.unwrap()["retry_after_seconds"].as_u64().unwrap() >= 1);
    // …the web page shares the counter…
    let e = attempt(&app, "203.0.113.9", "rep_n1", PW, TokenKind::Session)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::TooManyRequests);
    // …and the owner at another address is not locked out
    let session = attempt(&app, "198.51.100.7", "rep_n1", PW, TokenKind::Session)
        .await
        .unwrap();
    // the refused attempts were not checked: only the five real failures count
    assert_eq!(app.sign_in_failures() - before, 5);

    // --- sessions and API tokens are different kinds
    let token = attempt(&app, "198.51.100.7", "rep_n1", PW, TokenKind::Api)
        .await
        .unwrap();
    assert!(auth::from_session(&app, &session).await.is_ok());
    assert!(auth::from_token(&app, &token).await.is_ok());
    assert_eq!(
        auth::from_token(&app, &session).await.err().unwrap().code,
        ErrorCode::Unauthorized
    );
    assert_eq!(
        auth::from_session(&app, &token).await.err().unwrap().code,
        ErrorCode::Unauthorized
    );

    // --- admins list a user's sign-ins (kind and times, never the secret), in scope
    let admin_n1 = auth::verify_password(&app, "admin_n1", PW).await.unwrap();
    let admin_n2 = auth::verify_password(&app, "admin_n2", PW).await.unwrap();
    let list = users::sign_ins(&admin_n1, "rep_n1").await.unwrap();
    assert_eq!(list.len(), 2);
    let kinds: Vec<TokenKind> = list.iter().map(|t| t.kind).collect();
    assert!(kinds.contains(&TokenKind::Api) && kinds.contains(&TokenKind::Session));
    assert!(list.iter().all(|t| t.last_seen_at.is_some()), "{list:?}");
    let shown = serde_json::to_string(&list).unwrap();
    assert!(!shown.contains(&session) && !shown.contains(&token));
    assert_eq!(
        users::sign_ins(&admin_n2, "rep_n1")
            .await
            .err()
            .unwrap()
            .code,
        ErrorCode::Forbidden
    );
    let api_id = list.iter().find(|t| t.kind == TokenKind::Api).unwrap().id;
    assert_eq!(
        users::revoke_sign_in(&admin_n2, "rep_n1", api_id)
            .await
            .err()
            .unwrap()
            .code,
        ErrorCode::Forbidden
    );
    assert!(auth::from_token(&app, &token).await.is_ok());
    users::revoke_sign_in(&admin_n1, "rep_n1", api_id)
        .await
        .unwrap();
    assert!(auth::from_token(&app, &token).await.is_err());
    assert!(auth::from_session(&app, &session).await.is_ok());
    assert_eq!(
        users::revoke_sign_in(&admin_n1, "rep_n1", api_id)
            .await
            .err()
            .unwrap()
            .code,
        ErrorCode::NotFound
    );

    // --- a password change ends every other session and token, not the current one
    let other = attempt(&app, "198.51.100.8", "rep_n1", PW, TokenKind::Session)
        .await
        .unwrap();
    let token = attempt(&app, "198.51.100.8", "rep_n1", PW, TokenKind::Api)
        .await
        .unwrap();
    let cx = auth::from_session(&app, &session).await.unwrap();
    // common passwords are refused, in Vietnamese
    for common in ["123456a@", "matkhau123", "Password1", "anhyeuem123"] {
        let e = auth::change_password(&cx, PW, common).await.unwrap_err();
        assert!(e.message.contains("phổ biến"), "{common}: {}", e.message);
    }
    auth::change_password(&cx, PW, "Mây trắng 1975 bay")
        .await
        .unwrap();
    assert!(auth::from_session(&app, &session).await.is_ok());
    assert!(auth::from_session(&app, &other).await.is_err());
    assert!(auth::from_token(&app, &token).await.is_err());
    // an admin's temporary password is checked too
    assert!(
        users::reset_password(&admin_n1, "rep_n1", Some("12345678a"))
            .await
            .unwrap_err()
            .message
            .contains("phổ biến")
    );
    let tmp = users::reset_password(&admin_n1, "rep_n1", None)
        .await
        .unwrap();
    assert!(!tmp.is_empty());
    users::revoke_all_sign_ins(&admin_n1, "rep_n1")
        .await
        .unwrap();
    // the reset ended the sessions already; revoking all again is harmless
    assert!(auth::from_session(&app, &session).await.is_err());

    // --- expired tokens are purged at the next sign-in (of anyone)
    auth::sign_in_from(
        &app,
        Attempt {
            address: None,
            username: "admin_n2",
            password: PW,
        },
        TokenKind::Api,
        -1,
    )
    .await
    .unwrap();
    let expired_sql = "SELECT COUNT(*) FROM api_tokens WHERE expires_at < created_at";
    assert_eq!(count(url, expired_sql).await, 1);
    attempt(&app, "198.51.100.7", "admin_n1", PW, TokenKind::Session)
        .await
        .unwrap();
    assert_eq!(count(url, expired_sql).await, 0);

    // --- names and deadlines
    let e = users::create(
        &app.system("test"),
        &users::NewUser {
            username: "dai".into(),
            full_name: "A".repeat(5000),
            password: PW.into(),
            roles: vec![(Role::Reporter, "N1".into())],
        },
    )
    .await
    .unwrap_err();
    assert!(e.message.contains("quá giới hạn"), "{}", e.message);
    let e = users::create(
        &app.system("test"),
        &users::NewUser {
            username: "nul".into(),
            full_name: "Nguyễn\0Văn".into(),
            password: PW.into(),
            roles: vec![(Role::Reporter, "N1".into())],
        },
    )
    .await
    .unwrap_err();
    assert!(e.message.contains("ký tự điều khiển"), "{}", e.message);
    let round = |deadline| NewRound {
        confirm: true,
        title: "Đợt thử hạn".into(),
        template: "qcdc-dinh-ky".into(),
        template_version: None,
        period: "2099-H1".parse().unwrap(),
        issuer: "T".into(),
        deadline,
        letter: String::new(),
        recipients: RecipientSelector {
            kinds: vec![],
            max_depth: None,
            units: vec!["N1".into()],
        },
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let e = rounds::create(
        &app.system("test"),
        &round(chrono::NaiveDate::from_ymd_opt(2206, 6, 20).unwrap()),
        today,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidDate, "{e:?}");
    rounds::create(
        &app.system("test"),
        &round(chrono::NaiveDate::from_ymd_opt(2099, 6, 20).unwrap()),
        today,
    )
    .await
    .unwrap();

    // --- admin actions are in the audit log, with who and when
    users::grant(&admin_n1, "rep_n1", Role::Viewer, "N1")
        .await
        .unwrap();
    users::set_email(&admin_n1, "rep_n1", "rep@example.vn")
        .await
        .unwrap();
    let history = users::history(&admin_n1, "rep_n1").await.unwrap();
    for (action, actor) in [
        ("user_create", "test"),
        ("grant", "admin_n1"),
        ("user_email", "admin_n1"),
        ("password_change", "rep_n1"),
        ("password_reset", "admin_n1"),
        ("sign_in_revoke", "admin_n1"),
        ("sign_in_revoke_all", "admin_n1"),
    ] {
        let e = history
            .iter()
            .find(|h| h.action == action)
            .unwrap_or_else(|| panic!("{action} missing from {history:?}"));
        assert_eq!(e.actor, actor, "{action}");
        assert!(e.at.starts_with("20"), "{e:?}");
    }
    assert!(
        users::history(&admin_n2, "rep_n1").await.is_err(),
        "another commune's admin reads nothing"
    );
    // imports of templates and units (here by the command line "test")
    assert!(
        count(
            url,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'template' AND action = 'template_create' AND actor = 'test'"
        )
        .await
            >= 1
    );
    assert!(
        count(
            url,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'unit' AND action = 'unit_create' AND actor = 'test'"
        )
        .await
            >= 3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_hardening_sqlite() {
    scenario(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_hardening_postgres() {
    scenario(&fresh_pg_database()).await;
}
