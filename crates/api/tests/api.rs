#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The JSON API through the real router: every route documented, authentication,
//! per-role permissions, stable error codes, and the reporting flow.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use qcdc_api::{Access, openapi_document, router, routes};
use qcdc_app::{App, AppOptions, templates, units, users};
use qcdc_core::access::Role;
use qcdc_testkit::{fresh_pg_database, fresh_sqlite_database, sample_tree};
use serde_json::{Value, json};
use tower::ServiceExt;

async fn app(url: &str) -> Router {
    let app = App::open(url, &AppOptions::default()).await.unwrap();
    let cli = app.system("test");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
    templates::load_files(&cli, &templates::read_dir(&dir).unwrap())
        .await
        .unwrap();
    units::import(&cli, sample_tree()).await.unwrap();
    for (u, role, unit) in [
        ("admin", Role::Admin, "T"),
        ("office", Role::Office, "T"),
        ("viewer", Role::Viewer, "T"),
        ("rep1", Role::Reporter, "N1"),
        ("rep2", Role::Reporter, "N2"),
    ] {
        users::create(
            &cli,
            &users::NewUser {
                username: u.into(),
                full_name: u.into(),
                password: "mat-khau-demo".into(),
                roles: vec![(role, unit.into())],
            },
        )
        .await
        .unwrap();
    }
    router(app)
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

async fn login(app: &Router, user: &str) -> String {
    let (st, v) = call(
        app,
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"username": user, "password": "mat-khau-demo"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["token"].as_str().unwrap().to_string()
}

const SECTIONS: [&str; 9] = [
    "I", "II.1", "II.2", "II.3", "II.4", "IV.1", "IV.2", "IV.3", "V.1",
];

fn full_sections() -> Value {
    Value::Object(
        SECTIONS
            .iter()
            .map(|s| (s.to_string(), json!(format!("Nội dung mục {s}"))))
            .collect(),
    )
}

#[test]
fn openapi_documents_every_route_of_the_router() {
    // the document is generated from the same list the router is built from
    let doc = openapi_document();
    let list = routes();
    for r in &list {
        let op = &doc["paths"][r.path][r.method.as_str().to_lowercase()];
        assert!(op.is_object(), "{} {} is not documented", r.method, r.path);
        assert!(
            !r.summary.is_empty(),
            "{} {} has no summary",
            r.method,
            r.path
        );
        assert_eq!(op["summary"], r.summary);
        assert_eq!(
            op["security"] == json!([]),
            r.access == Access::Public,
            "{} {}",
            r.method,
            r.path
        );
    }
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented,
        list.len(),
        "the document describes routes the router does not have"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_mounted_and_asks_for_sign_in() {
    let app = app(&fresh_sqlite_database()).await;
    for r in routes() {
        let uri = r
            .path
            .replace("{id}", "1")
            .replace("{unit}", "N1")
            .replace("{code}", "N1")
            .replace("{period}", "2026-H1")
            .replace("{indicator}", "vb_tong")
            .replace("{username}", "rep1")
            .replace("{petition}", "1")
            .replace("{year}", "2026")
            .replace("{register}", "dialogues");
        let (st, v) = call(&app, r.method.clone(), &uri, None, None).await;
        assert_ne!(
            v["message"], "Không có địa chỉ này trong API",
            "{} {} is not mounted",
            r.method, r.path
        );
        assert_ne!(
            st,
            StatusCode::METHOD_NOT_ALLOWED,
            "{} {}",
            r.method,
            r.path
        );
        if r.access == Access::SignedIn {
            assert_eq!(
                (st, v["code"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("unauthorized")),
                "{} {}",
                r.method,
                r.path
            );
        } else {
            assert_ne!(st, StatusCode::UNAUTHORIZED, "{} {}", r.method, r.path);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_get_a_json_413() {
    let app = app(&fresh_sqlite_database()).await;
    let token = login(&app, "admin").await;
    let big = "x".repeat(2 * 1024 * 1024);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/templates")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(big))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(v["code"], "payload_too_large");
}

async fn flow_and_permissions(url: &str) {
    let app = app(url).await;
    // no token, bad token, bad password
    let (st, v) = call(&app, Method::GET, "/api/v1/units", None, None).await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    assert_eq!(
        call(&app, Method::GET, "/api/v1/units", Some("x"), None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (st, v) = call(
        &app,
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"username": "rep1", "password": "sai"})),
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (office, rep1, rep2, viewer, admin) = (
        login(&app, "office").await,
        login(&app, "rep1").await,
        login(&app, "rep2").await,
        login(&app, "viewer").await,
        login(&app, "admin").await,
    );

    // search without diacritics
    let (_, v) = call(
        &app,
        Method::GET,
        "/api/v1/units?q=dam%20rong&active_on=01/01/2026",
        Some(&rep1),
        None,
    )
    .await;
    assert_eq!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["code"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["N1"],
        "a reporter sees its own unit only"
    );
    let (_, v) = call(
        &app,
        Method::GET,
        "/api/v1/units?q=dam%20rong&active_on=01/01/2026",
        Some(&office),
        None,
    )
    .await;
    assert_eq!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["code"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["N1", "N2"]
    );
    assert_eq!(v["total"], 2);

    // a round: reporters and viewers may not create one; the office may
    let body = json!({"title": "Báo cáo 6 tháng", "template": "qcdc-dinh-ky", "period": "2026-H1", "issuer": "T", "deadline": "2099-06-20", "recipients": {"units": ["N1", "N2", "S1"]}});
    assert_eq!(
        call(
            &app,
            Method::POST,
            "/api/v1/rounds",
            Some(&rep1),
            Some(body.clone())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            &app,
            Method::POST,
            "/api/v1/rounds",
            Some(&viewer),
            Some(body.clone())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (st, v) = call(
        &app,
        Method::POST,
        "/api/v1/rounds",
        Some(&office),
        Some(json!({"title": "x"})),
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_input"))
    );
    let mut past = body.clone();
    past["deadline"] = json!("2020-01-01");
    assert_eq!(
        call(
            &app,
            Method::POST,
            "/api/v1/rounds",
            Some(&office),
            Some(past)
        )
        .await
        .1["code"],
        "deadline_in_past"
    );
    let (st, v) = call(
        &app,
        Method::POST,
        "/api/v1/rounds",
        Some(&office),
        Some(body),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let r = v["id"].as_i64().unwrap();
    let sub = |unit: &str, tail: &str| format!("/api/v1/rounds/{r}/submissions/{unit}{tail}");

    // a reporter drafts its own report only; viewers draft nothing
    let draft = json!({"values": {"vb_tong": "41", "vb_cap_uy": 20, "vb_chinh_quyen": "05", "vb_bcd": 16}, "sections": {"I": "Tình hình"}});
    assert_eq!(
        call(
            &app,
            Method::PUT,
            &sub("N2", "/draft"),
            Some(&rep1),
            Some(draft.clone())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, Method::GET, &sub("N2", ""), Some(&rep1), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            &app,
            Method::PUT,
            &sub("N1", "/draft"),
            Some(&viewer),
            Some(draft.clone())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (st, v) = call(
        &app,
        Method::PUT,
        &sub("N1", "/draft"),
        Some(&rep1),
        Some(draft),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "draft");
    assert_eq!(v["display"]["vb_tong"], "41");
    // malformed numbers are refused whole, naming the indicator
    let (st, v) = call(
        &app,
        Method::PUT,
        &sub("N1", "/draft"),
        Some(&rep1),
        Some(json!({"values": {"vb_tong": "1.124.5", "vb_bcd": 3}})),
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_number"))
    );
    assert!(
        v["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Tổng số văn bản")
    );
    assert_eq!(
        call(&app, Method::GET, &sub("N1", ""), Some(&rep1), None)
            .await
            .1["values"]["vb_bcd"],
        16.0,
        "nothing changed"
    );
    // submitting with a missing required section is refused with the findings
    let (st, v) = call(&app, Method::POST, &sub("N1", "/submit"), Some(&rep1), None).await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed"))
    );
    assert!(
        v["details"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "muc_bat_buoc")
    );
    call(
        &app,
        Method::PUT,
        &sub("N1", "/draft"),
        Some(&rep1),
        Some(json!({"sections": full_sections()})),
    )
    .await;
    assert_eq!(
        call(&app, Method::POST, &sub("N1", "/submit"), Some(&rep1), None)
            .await
            .1["status"],
        "submitted"
    );
    assert_eq!(
        call(&app, Method::POST, &sub("N1", "/submit"), Some(&rep1), None)
            .await
            .1["code"],
        "invalid_transition"
    );
    // only the office returns and accepts
    assert_eq!(
        call(&app, Method::POST, &sub("N1", "/accept"), Some(&rep1), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, Method::POST, &sub("N1", "/accept"), Some(&rep2), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (st, v) = call(
        &app,
        Method::POST,
        &sub("N1", "/return"),
        Some(&office),
        Some(json!({"reason": "Bổ sung số liệu"})),
    )
    .await;
    assert_eq!(
        (st, v["status"].as_str()),
        (StatusCode::OK, Some("returned"))
    );
    call(
        &app,
        Method::PUT,
        &sub("N1", "/draft"),
        Some(&rep1),
        Some(json!({"values": {"tcd_luot": 12}})),
    )
    .await;
    call(&app, Method::POST, &sub("N1", "/submit"), Some(&rep1), None).await;
    let (st, v) = call(
        &app,
        Method::POST,
        &sub("N1", "/accept"),
        Some(&office),
        None,
    )
    .await;
    assert_eq!(
        (st, v["status"].as_str()),
        (StatusCode::OK, Some("accepted"))
    );
    assert_eq!(
        call(
            &app,
            Method::PUT,
            &sub("N1", "/draft"),
            Some(&rep1),
            Some(json!({"values": {"tcd_luot": 1}}))
        )
        .await
        .1["code"],
        "submission_locked"
    );
    // consolidation, status, history: the viewer may read them
    let (st, v) = call(
        &app,
        Method::GET,
        &format!("/api/v1/rounds/{r}/consolidation/T"),
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let tcd = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "tcd_luot")
        .unwrap();
    assert_eq!(tcd["value"], 12.0);
    assert_eq!(
        call(
            &app,
            Method::GET,
            &format!("/api/v1/rounds/{r}/consolidation/T"),
            Some(&rep1),
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (_, v) = call(
        &app,
        Method::GET,
        &format!("/api/v1/rounds/{r}/status"),
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(v["counts"]["accepted"], 1);
    let (_, v) = call(&app, Method::GET, &sub("N1", "/history"), Some(&rep1), None).await;
    assert_eq!(v["versions"].as_array().unwrap().len(), 1);
    assert!(
        v["audit"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "return")
    );
    // the reporter sees the round addressed to it, not others' rounds
    let (_, v) = call(&app, Method::GET, "/api/v1/rounds", Some(&rep1), None).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    // admin-only operations
    let (st, _) = call(
        &app,
        Method::POST,
        "/api/v1/units/import",
        Some(&office),
        Some(json!({"units": []})),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = call(&app, Method::POST, "/api/v1/units/import", Some(&admin), Some(json!({"units": [{"code": "Z", "name": "Phường Z", "kind": "ward", "parent": "KHONG", "valid_from": "2025-07-01"}]}))).await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_units"))
    );
    assert_eq!(v["problems"][0]["code"], "unknown_parent");
    // the checker, and a legacy report imported as a draft
    let req = |path: &str, token: &str, body: &'static str| {
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body))
            .unwrap()
    };
    let res = app
        .clone()
        .oneshot(req(
            "/api/v1/check",
            &rep1,
            "Đã giải quyết 138/157 vụ việc (87,8%).",
        ))
        .await
        .unwrap();
    let v: Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(v["findings"][0]["kind"], "percent_mismatch");
    let legacy = "Xã X, ngày 10 tháng 6 năm 2026\n\nI. KHÁI QUÁT ĐẶC ĐIỂM, TÌNH HÌNH\n\nTình hình ổn định.\n\nPHỤ LỤC SỐ LIỆU\n\n1. Tổng số văn bản đã ban hành: 12 trong đó: cấp ủy: 5; chính quyền: 4; Ban Chỉ đạo: 3\n";
    let res = app
        .clone()
        .oneshot(req(&sub("N2", "/import"), &rep1, legacy))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .clone()
        .oneshot(req(&sub("N2", "/import"), &rep2, legacy))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(v["submission"]["values"]["vb_tong"], 12.0);
    assert_eq!(v["submission"]["values"]["vb_bcd"], 3.0);
    assert_eq!(v["submission"]["sections"]["I"], "Tình hình ổn định.");
    assert!(
        v["review"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "indicator")
    );

    // periods and unknown routes
    let (_, v) = call(&app, Method::GET, "/api/v1/periods/2026-H1", None, None).await;
    assert_eq!(
        (v["cutoff_from"].as_str(), v["cutoff_to"].as_str()),
        (Some("15/12/2025"), Some("14/06/2026"))
    );
    assert_eq!(
        call(&app, Method::GET, "/api/v1/periods/2026-H7", None, None)
            .await
            .1["code"],
        "invalid_period"
    );
    assert_eq!(
        call(&app, Method::GET, "/api/v1/khong-co", None, None)
            .await
            .1["code"],
        "not_found"
    );
    let (st, v) = call(
        &app,
        Method::GET,
        "/api/v1/rounds/999999",
        Some(&office),
        None,
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_and_permissions_sqlite() {
    flow_and_permissions(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_and_permissions_postgres() {
    flow_and_permissions(&fresh_pg_database()).await;
}

/// A raw request: (status, headers, body bytes).
async fn raw(
    app: &Router,
    method: Method,
    uri: &str,
    token: &str,
    body: Vec<u8>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_download_with_vietnamese_file_names() {
    let app = app(&fresh_sqlite_database()).await;
    let office = login(&app, "office").await;
    let rep1 = login(&app, "rep1").await;
    let (st, v) = call(
        &app,
        Method::POST,
        "/api/v1/rounds",
        Some(&office),
        Some(json!({"title": "Báo cáo 6 tháng", "template": "qcdc-dinh-ky", "period": "2099-H1", "issuer": "T", "deadline": "2099-06-20", "recipients": {"units": ["N1", "N2"]}})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let r = v["id"].as_i64().unwrap();
    // the letter as a PDF draft: content type, both file names
    let (st, h, body) = raw(
        &app,
        Method::GET,
        &format!("/api/v1/rounds/{r}/letter?format=pdf"),
        &rep1,
        vec![],
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    assert!(body.starts_with(b"%PDF"));
    let cd = h[header::CONTENT_DISPOSITION].to_str().unwrap().to_string();
    assert_eq!(
        cd,
        "attachment; filename=\"Cong van (du thao).pdf\"; filename*=UTF-8''C%C3%B4ng%20v%C4%83n%20%28d%E1%BB%B1%20th%E1%BA%A3o%29.pdf"
    );
    let star = cd.split("filename*=UTF-8''").nth(1).unwrap();
    assert_eq!(
        percent_encoding::percent_decode_str(star)
            .decode_utf8()
            .unwrap(),
        "Công văn (dự thảo).pdf"
    );
    assert!(cd.is_ascii());
    // issued: the number in the file name and in a header
    let (st, v) = call(
        &app,
        Method::POST,
        &format!("/api/v1/rounds/{r}/letter/issue"),
        Some(&office),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["number_text"], "01/CV-BCĐ");
    let (st, v) = call(
        &app,
        Method::POST,
        &format!("/api/v1/rounds/{r}/letter/issue"),
        Some(&office),
        None,
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (st, h, _) = raw(
        &app,
        Method::GET,
        &format!("/api/v1/rounds/{r}/letter"),
        &rep1,
        vec![],
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        h[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let cd = h[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(cd.contains("filename=\"Cong van 01-CV-BCD.docx\""), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''C%C3%B4ng%20v%C4%83n%2001-CV-BC%C4%90.docx"),
        "{cd}"
    );
    assert_eq!(h["x-qcdc-number"], "01%2FCV-BC%C4%90");
    // the Excel form: content type; an upload over the limit is 413 with a stable code
    let (st, h, body) = raw(
        &app,
        Method::GET,
        &format!("/api/v1/rounds/{r}/submissions/N1/form"),
        &rep1,
        vec![],
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        h[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let (st, _, back) = raw(
        &app,
        Method::POST,
        &format!("/api/v1/rounds/{r}/submissions/N1/form"),
        &rep1,
        body,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&back));
    let (st, _, back) = raw(
        &app,
        Method::POST,
        &format!("/api/v1/rounds/{r}/submissions/N1/form"),
        &rep1,
        vec![b'x'; 50 * 1024 * 1024],
    )
    .await;
    let v: Value = serde_json::from_slice(&back).unwrap();
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let (st, _, back) = raw(
        &app,
        Method::POST,
        &format!("/api/v1/rounds/{r}/submissions/N1/form"),
        &rep1,
        b"PK\x03\x04junk".to_vec(),
    )
    .await;
    let v: Value = serde_json::from_slice(&back).unwrap();
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("xlsx_unreadable")),
        "{v}"
    );
    // another unit's report is refused to a commune reporter
    let (st, _, _) = raw(
        &app,
        Method::GET,
        &format!("/api/v1/rounds/{r}/submissions/N2/document"),
        &rep1,
        vec![],
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // the OpenAPI document names the attachment's content types
    let doc = openapi_document();
    let op = &doc["paths"]["/api/v1/rounds/{id}/letter"]["get"]["responses"]["200"]["content"];
    assert!(op["application/pdf"].is_object(), "{op}");
    assert!(
        op["application/vnd.openxmlformats-officedocument.wordprocessingml.document"].is_object()
    );
}

/// The register routes end to end: a denunciation recorded by the commune, its
/// steps (an impossible one refused with a Vietnamese message and a stable code),
/// the office above seeing the deadline but not the denouncer, bad input refused.
async fn registers_over_the_api(url: &str) {
    let app = app(url).await;
    let rep = login(&app, "rep1").await;
    let office = login(&app, "office").await;
    let (st, v) = call(
        &app,
        Method::POST,
        "/api/v1/units/N1/petitions",
        Some(&rep),
        Some(json!({"kind": "to_cao", "channel": "post", "received_on": "24/01/2025", "petitioners": ["Trần Thị Hoa"], "summary": "Tố cáo cán bộ địa chính"})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["id"].as_i64().unwrap();
    // initial handling: 7 working days after Friday 24/01/2025, across Tết
    let (st, v) = call(
        &app,
        Method::GET,
        &format!("/api/v1/petitions/{id}"),
        Some(&rep),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["deadline"]["due"], "11/02/2025");
    assert_eq!(v["deadline"]["limit"], "7 ngày làm việc");
    assert_eq!(v["petitioners"], json!(["Trần Thị Hoa"]));
    // a conclusion before acceptance
    let (st, v) = call(
        &app,
        Method::POST,
        &format!("/api/v1/petitions/{id}/steps"),
        Some(&rep),
        Some(json!({"date": "05/02/2025", "kind": "concluded", "result": "wrong"})),
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("invalid_transition")),
        "{v}"
    );
    assert_eq!(
        v["message"],
        "Chưa thụ lý đơn nên chưa thể có kết luận, quyết định giải quyết"
    );
    let (st, v) = call(
        &app,
        Method::POST,
        &format!("/api/v1/petitions/{id}/steps"),
        Some(&rep),
        Some(json!({"date": "05/02/2025", "kind": "accepted"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "accepted");
    assert_eq!(v["deadline"]["due"], "07/03/2025");
    // the office above: deadline yes, denouncer and summary no
    let (st, v) = call(
        &app,
        Method::GET,
        "/api/v1/units/T/petitions?subtree=true",
        Some(&office),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let item = &v["items"][0];
    assert_eq!(item["id"], id);
    assert_eq!(item["petitioners"], Value::Null);
    assert_eq!(item["summary"], "");
    assert_eq!(item["deadline"]["due"], "07/03/2025");
    assert_eq!(item["deadline"]["status"], "overdue");
    // bad input: an unknown kind, a bad date, an unknown step
    for (body, code) in [
        (
            json!({"kind": "khieu-nai", "channel": "post", "received_on": "24/01/2025", "petitioners": ["A"], "summary": "x"}),
            "invalid_input",
        ),
        (
            json!({"kind": "khieu_nai", "channel": "post", "received_on": "31/02/2025", "petitioners": ["A"], "summary": "x"}),
            "invalid_date",
        ),
        (
            json!({"kind": "khieu_nai", "channel": "post", "received_on": "24/01/2025", "petitioners": [], "summary": "x"}),
            "invalid_input",
        ),
    ] {
        let (st, v) = call(
            &app,
            Method::POST,
            "/api/v1/units/N1/petitions",
            Some(&rep),
            Some(body),
        )
        .await;
        assert_eq!(
            (st, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{v}"
        );
    }
    let (st, v) = call(
        &app,
        Method::POST,
        &format!("/api/v1/petitions/{id}/steps"),
        Some(&rep),
        Some(json!({"date": "06/02/2025", "kind": "closed"})),
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_input")),
        "{v}"
    );
    // a simple register: an inspection recorded, listed, an unknown register refused
    let (st, v) = call(
        &app,
        Method::POST,
        "/api/v1/units/N1/registers/inspections",
        Some(&rep),
        Some(json!({"on": "10/03/2025", "title": "Kiểm tra việc công khai ngân sách", "kind": "inspection"})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, v) = call(
        &app,
        Method::GET,
        "/api/v1/units/T/registers/inspections?subtree=true&from=01/01/2025&to=31/12/2025",
        Some(&office),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v[0]["on"], "10/03/2025");
    assert_eq!(v[0]["kind_label"], "Kiểm tra");
    let (st, v) = call(
        &app,
        Method::GET,
        "/api/v1/units/N1/registers/phieu",
        Some(&rep),
        None,
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_input")),
        "{v}"
    );
    // the calendar of a year, read by anyone signed in
    let (st, v) = call(&app, Method::GET, "/api/v1/calendar/2025", Some(&rep), None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(
        v["days"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "26/04/2025" && d["day_type"] == "working_day")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_over_the_api_sqlite() {
    registers_over_the_api(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_over_the_api_postgres() {
    registers_over_the_api(&fresh_pg_database()).await;
}
