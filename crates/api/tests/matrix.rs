#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every route of the router (listed from the router's own route list) × every
//! role, in scope and out of scope — admins scoped below the root included: the
//! actor the use case should refuse gets 403, the one it should allow never gets
//! 401/403, anonymous callers get 401 on every route that is not public.

use std::collections::HashMap;
use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use qcdc_api::{Access, router, routes};
use qcdc_app::rounds::{self, NewRound, RecipientSelector};
use qcdc_app::{App, AppOptions, templates, units, users};
use qcdc_core::access::Role;
use qcdc_core::unit::UnitKind;
use qcdc_testkit::{fresh_pg_database, fresh_sqlite_database, rec, sample_tree};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The actors of the matrix: (username, role, unit). T is the province (root) of
/// the sample tree, N1/N2 communes and S1 an agency below it; K is another root.
const ACTORS: &[(&str, Role, &str)] = &[
    ("admin_t", Role::Admin, "T"),
    ("office_t", Role::Office, "T"),
    ("viewer_t", Role::Viewer, "T"),
    ("rep_n1", Role::Reporter, "N1"),
    ("rep_n2", Role::Reporter, "N2"),
    ("admin_n1", Role::Admin, "N1"),
    ("office_k", Role::Office, "K"),
    ("admin_k", Role::Admin, "K"),
    ("viewer_k", Role::Viewer, "K"),
];

/// Who may call each route (its target is commune N1 in round R issued by T).
fn allowed(method: &Method, path: &str) -> &'static [&'static str] {
    const ALL: &[&str] = &[
        "admin_t", "office_t", "viewer_t", "rep_n1", "rep_n2", "admin_n1", "office_k", "admin_k",
        "viewer_k",
    ];
    const VIEW_N1: &[&str] = &["admin_t", "office_t", "viewer_t", "rep_n1", "admin_n1"];
    const REPORT_N1: &[&str] = &["admin_t", "rep_n1", "admin_n1"];
    const MANAGE_T: &[&str] = &["admin_t", "office_t"];
    const VIEW_T: &[&str] = &["admin_t", "office_t", "viewer_t"];
    const ROUND_VISIBLE: &[&str] = &[
        "admin_t", "office_t", "viewer_t", "rep_n1", "rep_n2", "admin_n1",
    ];
    const ADMINS: &[&str] = &["admin_t", "admin_n1", "admin_k"];
    const ADMIN_OF_N1: &[&str] = &["admin_t", "admin_n1"];
    const ROOT_ADMINS: &[&str] = &["admin_t", "admin_k"];
    const ADOPT_N1: &[&str] = &["admin_t", "admin_n1"];
    const MANAGE_N1: &[&str] = &["admin_t", "office_t", "admin_n1"];
    const RECORD_N1: &[&str] = &["rep_n1"];
    match (method.as_str(), path) {
        (
            _,
            "/api/v1/health"
            | "/api/v1/ready"
            | "/api/v1/openapi.json"
            | "/api/v1/auth/token"
            | "/api/v1/periods/{period}",
        ) => ALL,
        (
            "GET",
            "/api/v1/me"
            | "/api/v1/todo"
            | "/api/v1/units"
            | "/api/v1/units/export"
            | "/api/v1/templates"
            | "/api/v1/templates/{code}"
            | "/api/v1/rounds",
        ) => ALL,
        ("POST", "/api/v1/check") => ALL,
        ("GET", "/api/v1/units/{code}") => VIEW_N1,
        ("POST", "/api/v1/units/import") => ADMIN_OF_N1,
        ("POST", "/api/v1/templates") => ROOT_ADMINS,
        ("POST", "/api/v1/rounds") => MANAGE_T,
        ("GET", "/api/v1/rounds/{id}") => ROUND_VISIBLE,
        ("POST", "/api/v1/rounds/{id}/close" | "/api/v1/rounds/{id}/reopen") => MANAGE_T,
        (
            "POST" | "PUT" | "GET",
            "/api/v1/rounds/{id}/deadline"
            | "/api/v1/rounds/{id}/submissions/{unit}/deadline"
            | "/api/v1/rounds/{id}/reminders/schedule"
            | "/api/v1/rounds/{id}/reminders",
        ) => MANAGE_T,
        ("GET", "/api/v1/rounds/{id}/history") => VIEW_T,
        ("GET", "/api/v1/notices" | "/api/v1/review-queue") | ("POST", "/api/v1/notices/read") => {
            ALL
        }
        ("GET", "/api/v1/rounds/{id}/status" | "/api/v1/rounds/{id}/registers") => VIEW_T,
        (
            "GET",
            "/api/v1/rounds/{id}/submissions/{unit}"
            | "/api/v1/rounds/{id}/submissions/{unit}/history",
        ) => VIEW_N1,
        (
            "PUT" | "POST",
            "/api/v1/rounds/{id}/submissions/{unit}/draft"
            | "/api/v1/rounds/{id}/submissions/{unit}/submit"
            | "/api/v1/rounds/{id}/submissions/{unit}/correction"
            | "/api/v1/rounds/{id}/submissions/{unit}/import",
        ) => REPORT_N1,
        (
            "POST",
            "/api/v1/rounds/{id}/submissions/{unit}/return"
            | "/api/v1/rounds/{id}/submissions/{unit}/accept",
        ) => MANAGE_T,
        (
            "GET",
            "/api/v1/rounds/{id}/consolidation/{unit}"
            | "/api/v1/rounds/{id}/consolidation/{unit}/values/{indicator}"
            | "/api/v1/rounds/{id}/consolidation/{unit}/narrative",
        ) => VIEW_N1,
        ("POST", "/api/v1/rounds/{id}/consolidation/{unit}/adopt") => ADOPT_N1,
        ("GET", "/api/v1/rounds/{id}/letter") => ROUND_VISIBLE,
        ("POST", "/api/v1/rounds/{id}/letter/issue") => MANAGE_T,
        (
            "GET",
            "/api/v1/rounds/{id}/submissions/{unit}/document"
            | "/api/v1/rounds/{id}/submissions/{unit}/form"
            | "/api/v1/rounds/{id}/consolidation/{unit}/document"
            | "/api/v1/rounds/{id}/consolidation/{unit}/draft"
            | "/api/v1/rounds/{id}/consolidation/{unit}/xlsx"
            | "/api/v1/units/{code}/document-settings",
        ) => VIEW_N1,
        (
            "POST",
            "/api/v1/rounds/{id}/submissions/{unit}/document/issue"
            | "/api/v1/rounds/{id}/submissions/{unit}/form",
        ) => REPORT_N1,
        ("PUT", "/api/v1/rounds/{id}/consolidation/{unit}/draft")
        | ("POST", "/api/v1/rounds/{id}/consolidation/{unit}/issue") => MANAGE_N1,
        ("PUT", "/api/v1/units/{code}/document-settings") => ADMIN_OF_N1,
        ("GET", "/api/v1/users") => ADMINS,
        ("POST", "/api/v1/users" | "/api/v1/users/{username}/roles" | "/api/v1/users/import") => {
            ADMIN_OF_N1
        }
        // the target user holds roles on N1 only
        (
            "POST" | "PUT",
            "/api/v1/users/{username}/disable"
            | "/api/v1/users/{username}/enable"
            | "/api/v1/users/{username}/password"
            | "/api/v1/users/{username}/email"
            | "/api/v1/users/{username}/sign-ins/revoke",
        )
        | ("GET", "/api/v1/users/{username}/sign-ins") => ADMIN_OF_N1,
        // registers: kept by the unit itself (its reporters and office), counts
        // seen by everyone who may view the unit
        (
            "GET",
            "/api/v1/units/{code}/petitions"
            | "/api/v1/petitions/{petition}"
            | "/api/v1/petitions/{petition}/case"
            | "/api/v1/units/{code}/registers"
            | "/api/v1/petitions/{petition}/forwarding"
            | "/api/v1/units/{code}/receptions"
            | "/api/v1/units/{code}/receptions/compliance"
            | "/api/v1/rounds/{id}/registers/{unit}"
            | "/api/v1/rounds/{id}/registers/{unit}/{indicator}"
            | "/api/v1/units/{code}/registers/{register}"
            | "/api/v1/units/{code}/registers/{register}/excel",
        ) => VIEW_N1,
        (
            "POST",
            "/api/v1/units/{code}/petitions"
            | "/api/v1/petitions/{petition}/steps"
            | "/api/v1/cases"
            | "/api/v1/units/{code}/receptions"
            | "/api/v1/units/{code}/registers/{register}"
            | "/api/v1/units/{code}/registers/{register}/excel",
        )
        | ("GET", "/api/v1/petitions/{petition}/duplicates") => RECORD_N1,
        ("GET", "/api/v1/calendar/{year}") => ALL,
        ("PUT", "/api/v1/calendar/{year}") => ROOT_ADMINS,
        _ => panic!("the matrix has no row for {method} {path}: add one"),
    }
}

/// The body each route gets (aimed at N1, round R).
fn body(method: &Method, path: &str, n: usize) -> Option<Value> {
    Some(match (method.as_str(), path) {
        ("POST", "/api/v1/auth/token") => {
            json!({"username": "rep_n1", "password": "mat-khau-demo"})
        }
        ("POST", "/api/v1/units/import") => {
            json!({"units": [{"code": format!("N1V{n}"), "name": format!("Thôn {n}"), "kind": "mass_org", "parent": "N1", "valid_from": "2025-07-01"}]})
        }
        ("POST", "/api/v1/templates") => {
            return Some(Value::String(
                std::fs::read_to_string(
                    Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("../../templates/qcdc-dinh-ky.v1.toml"),
                )
                .unwrap(),
            ));
        }
        ("POST", "/api/v1/rounds") => {
            json!({"title": "Đợt thử", "template": "qcdc-dinh-ky", "period": "2098-H2", "issuer": "T", "deadline": "2099-06-20", "recipients": {"units": ["N1"]}})
        }
        ("PUT", "/api/v1/rounds/{id}/submissions/{unit}/draft") => {
            json!({"values": {"tcd_luot": 3}})
        }
        (
            "POST",
            "/api/v1/rounds/{id}/submissions/{unit}/return"
            | "/api/v1/rounds/{id}/submissions/{unit}/correction",
        ) => json!({"reason": "lý do"}),
        ("POST", "/api/v1/rounds/{id}/submissions/{unit}/import" | "/api/v1/check") => {
            return Some(Value::String("I. KHÁI QUÁT\n\nNội dung.".into()));
        }
        ("POST", "/api/v1/rounds/{id}/consolidation/{unit}/adopt") => {
            json!({"parent_round": 999_999})
        }
        ("POST", "/api/v1/users") => {
            json!({"username": format!("moi{n}"), "full_name": "Người mới", "password": "mat-khau-moi-123", "roles": [{"role": "reporter", "unit": "N1"}]})
        }
        ("POST", "/api/v1/users/{username}/roles") => json!({"role": "viewer", "unit": "N1"}),
        ("POST", "/api/v1/rounds/{id}/deadline") => {
            json!({"deadline": format!("{:02}/07/2099", n % 28 + 1), "reason": "lý do"})
        }
        ("POST", "/api/v1/rounds/{id}/submissions/{unit}/deadline") => {
            json!({"deadline": format!("{:02}/09/2099", n % 28 + 1), "reason": "lý do"})
        }
        ("PUT", "/api/v1/rounds/{id}/reminders/schedule") => {
            json!({"enabled": true, "days_before": 3, "on_the_day": true, "overdue_every": 3, "overdue_max": 3})
        }
        ("POST", "/api/v1/rounds/{id}/reminders") => json!({"target": "not_sent"}),
        ("POST", "/api/v1/notices/read") => json!({}),
        ("POST", "/api/v1/users/{username}/password") => json!({}),
        ("POST", "/api/v1/users/import") => {
            return Some(Value::String(format!(
                "username,full_name,email,role,unit,password\nnhap{n},Người nhập,,reporter,N1,tam-thoi-123\n"
            )));
        }
        ("PUT", "/api/v1/users/{username}/email") => json!({"email": "canbo@example.vn"}),
        ("POST", "/api/v1/users/{username}/sign-ins/revoke") => json!({}),
        ("PUT", "/api/v1/rounds/{id}/consolidation/{unit}/draft") => {
            json!({"sections": {"I": "Nội dung tổng hợp (Xã Đam Rông 1)"}})
        }
        ("PUT", "/api/v1/units/{code}/document-settings") => {
            json!({"format": "state", "parent_body": "TỈNH LÂM VIÊN", "body": "ỦY BAN NHÂN DÂN XÃ ĐAM RÔNG 1", "symbol": "UBND", "place": "Đam Rông", "signer_name": "Nguyễn Văn A", "signer_title": "CHỦ TỊCH", "authority_prefix": "TM.", "authority_body": "ỦY BAN NHÂN DÂN"})
        }
        ("POST", "/api/v1/rounds/{id}/submissions/{unit}/form") => {
            return Some(Value::String("không phải tệp Excel".into()));
        }
        ("POST", "/api/v1/units/{code}/petitions") => {
            json!({"kind": "khieu_nai", "channel": "direct", "received_on": "01/06/2026", "petitioners": [format!("Người gửi {n}")], "summary": "Khiếu nại việc thu hồi đất"})
        }
        ("POST", "/api/v1/petitions/{petition}/steps") => {
            json!({"date": "02/06/2026", "kind": "verification"})
        }
        ("POST", "/api/v1/cases") => json!({"petitions": [1, 2], "title": "Vụ việc thử"}),
        ("POST", "/api/v1/units/{code}/receptions") => {
            json!({"held_on": "02/06/2026", "receiver": "chairman", "turns": 1, "people": 1})
        }
        ("POST", "/api/v1/units/{code}/registers/{register}") => {
            json!({"on": "02/06/2026", "title": "Kiểm tra việc công khai ngân sách", "kind": "inspection", "body": "peoples_inspection", "team": "Ban Thanh tra nhân dân xã", "inspected": "Bộ phận kế toán", "recommendations_made": 2, "recommendations_done": 1})
        }
        ("PUT", "/api/v1/calendar/{year}") => {
            json!({"days": [{"date": "01/01/2027", "day_type": "day_off", "name": "Tết Dương lịch"}]})
        }
        _ => return None,
    })
}

async fn setup(url: &str) -> (Router, i64) {
    let app = App::open(url, &AppOptions::default()).await.unwrap();
    let cli = app.system("test");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
    templates::load_files(&cli, &templates::read_dir(&dir).unwrap())
        .await
        .unwrap();
    let mut tree = sample_tree();
    tree.push((
        20,
        rec(
            "K",
            "Tỉnh Khác",
            UnitKind::Province,
            None,
            "2000-01-01",
            None,
            &[],
            None,
        ),
    ));
    tree.push((
        21,
        rec(
            "K1",
            "Xã Khác",
            UnitKind::Commune,
            Some("K"),
            "2000-01-01",
            None,
            &[],
            None,
        ),
    ));
    units::import(&cli, tree).await.unwrap();
    // the user the user-administration routes act on (not an actor: disabling it
    // must not end a session the matrix uses)
    let targets = [("target_n1", Role::Reporter, "N1")];
    for (u, role, unit) in ACTORS.iter().chain(targets.iter()) {
        users::create(
            &cli,
            &users::NewUser {
                username: (*u).into(),
                full_name: (*u).into(),
                password: "mat-khau-demo".into(),
                roles: vec![(*role, (*unit).into())],
            },
        )
        .await
        .unwrap();
    }
    let r = rounds::create(
        &cli,
        &NewRound {
            confirm: false,
            title: "Báo cáo 6 tháng".into(),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: "2099-H1".parse().unwrap(),
            issuer: "T".into(),
            deadline: NaiveDate::from_ymd_opt(2099, 6, 20).unwrap(),
            letter: String::new(),
            recipients: RecipientSelector {
                units: vec!["N1".into(), "N2".into(), "S1".into()],
                ..Default::default()
            },
        },
        NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
    )
    .await
    .unwrap()
    .id;
    // two petitions of N1 (ids 1 and 2) for the register routes
    for who in ["Nguyễn Văn A", "Trần Thị B"] {
        qcdc_app::registers::petitions::record(
            &cli,
            "N1",
            &qcdc_app::registers::petitions::PetitionInput {
                kind: qcdc_core::registers::PetitionKind::KhieuNai,
                channel: qcdc_core::registers::Channel::Direct,
                received_on: NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(),
                petitioners: vec![who.into()],
                summary: "Khiếu nại việc thu hồi đất".into(),
                content: String::new(),
                forwarded_from: String::new(),
                remote: false,
                complexity: qcdc_core::registers::Complexity::Normal,
            },
        )
        .await
        .unwrap();
    }
    (router(app), r)
}

async fn call(
    app: &Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(Value::String(s)) => req.body(Body::from(s)).unwrap(),
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => req.body(Body::empty()).unwrap(),
    };
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn matrix(url: &str) {
    let (app, r) = setup(url).await;
    let mut tokens = HashMap::new();
    for (u, _, _) in ACTORS {
        let (st, v) = call(
            &app,
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": u, "password": "mat-khau-demo"})),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        tokens.insert(*u, v["token"].as_str().unwrap().to_string());
    }
    let mut checked = 0;
    for (n, route) in routes().into_iter().enumerate() {
        let uri = route
            .path
            .replace("{id}", &r.to_string())
            .replace("{unit}", "N1")
            .replace(
                "{code}",
                if route.path.starts_with("/api/v1/templates") {
                    "qcdc-dinh-ky"
                } else {
                    "N1"
                },
            )
            .replace("{period}", "2026-H1")
            .replace("{indicator}", "xh_ty_le_ho_ngheo")
            .replace("{username}", "target_n1")
            .replace("{petition}", "1")
            .replace("{year}", "2027")
            .replace("{register}", "inspections");
        let ok = allowed(&route.method, route.path);
        // anonymous
        let (st, _) = call(
            &app,
            route.method.clone(),
            &uri,
            None,
            body(&route.method, route.path, n),
        )
        .await;
        if route.access == Access::SignedIn {
            assert_eq!(
                st,
                StatusCode::UNAUTHORIZED,
                "anonymous {} {}",
                route.method,
                route.path
            );
        }
        for (i, (u, _, _)) in ACTORS.iter().enumerate() {
            if route.method == Method::DELETE {
                continue; // signing out would end the token the other rows use
            }
            let (st, v) = call(
                &app,
                route.method.clone(),
                &uri,
                Some(&tokens[u]),
                body(&route.method, route.path, n * 100 + i),
            )
            .await;
            if ok.contains(u) {
                assert!(
                    st != StatusCode::FORBIDDEN && st != StatusCode::UNAUTHORIZED,
                    "{u} should be allowed {} {} but got {st}: {v}",
                    route.method,
                    route.path
                );
            } else {
                assert_eq!(
                    (st, v["code"].as_str()),
                    (StatusCode::FORBIDDEN, Some("forbidden")),
                    "{u} should be refused {} {}: {v}",
                    route.method,
                    route.path
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 250, "only {checked} calls checked");
    // signing out ends the token
    let t = &tokens["viewer_k"];
    assert_eq!(
        call(&app, Method::DELETE, "/api/v1/auth/token", Some(t), None)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, Method::GET, "/api/v1/me", Some(t), None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_by_role_matrix_sqlite() {
    matrix(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_by_role_matrix_postgres() {
    matrix(&fresh_pg_database()).await;
}
