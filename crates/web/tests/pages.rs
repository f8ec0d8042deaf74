#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The pages through the router, without a browser: sessions survive a restart,
//! forms need their CSRF token, failed sign-ins are rate-limited, and the
//! no-JavaScript path keeps what was typed.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::{App, AppOptions, auth, rounds, submissions, templates, units, users};
use qcdc_core::access::Role;
use qcdc_testkit::{fresh_sqlite_database, sample_tree};
use tower::ServiceExt;

async fn create_user(app: &App, username: &str, name: &str, role: Role, unit: &str) {
    users::create(
        &app.system("test"),
        &users::NewUser {
            username: username.into(),
            full_name: name.into(),
            password: "mat-khau-demo".into(),
            roles: vec![(role, unit.into())],
        },
    )
    .await
    .unwrap();
}

async fn setup(url: &str) -> (App, i64) {
    let store = App::open(url, &AppOptions::default()).await.unwrap();
    let cli = store.system("test");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
    templates::load_files(&cli, &templates::read_dir(&dir).unwrap())
        .await
        .unwrap();
    units::import(&cli, sample_tree()).await.unwrap();
    create_user(&store, "rep1", "Cán bộ N1", Role::Reporter, "N1").await;
    let r = rounds::create(
        &cli,
        &NewRound {
            confirm: false,
            title: "Đợt thử".into(),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: "2099-H1".parse().unwrap(),
            issuer: "T".into(),
            deadline: chrono::NaiveDate::from_ymd_opt(2099, 6, 20).unwrap(),
            letter: String::new(),
            recipients: RecipientSelector {
                kinds: vec![],
                max_depth: None,
                units: vec!["N1".into()],
            },
        },
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    )
    .await
    .unwrap();
    (store, r.id)
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Vec<(String, String)>, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body =
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, headers, body)
}

fn form(uri: &str, cookie: Option<&str>, body: String) -> Request<Body> {
    let mut r = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(body)).unwrap()
}

fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

async fn login(app: &Router, store: &App) -> (String, String) {
    let (st, headers, _) = send(
        app,
        form(
            "/dang-nhap",
            None,
            "username=rep1&password=mat-khau-demo&next=/".into(),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let set = headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .unwrap()
        .1
        .clone();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_string();
    let token = cookie.split_once('=').unwrap().1.to_string();
    (cookie, auth::csrf_for(store, &token))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_csrf_and_rate_limit() {
    let url = fresh_sqlite_database();
    let (store, round) = setup(&url).await;
    let app = qcdc_web::server_router(store.clone(), false);
    let (cookie, csrf) = login(&app, &store).await;
    // the session survives a restart: a new store on the same database knows it
    store.close().await;
    let store = App::open(&url, &AppOptions::default()).await.unwrap();
    let app = qcdc_web::server_router(store.clone(), false);
    let (st, _, body) = send(&app, get("/viec-can-lam", &cookie)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("Đợt thử"));
    // a form without its CSRF token changes nothing
    let page = format!("/dot/{round}/bao-cao/N1");
    let (st, _, body) = send(
        &app,
        form(&format!("{page}/luu"), Some(&cookie), "v.vb_tong=5".into()),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(body.contains("chống giả mạo"));
    let (_, _, body) = send(&app, get(&page, &cookie)).await;
    assert!(!body.contains("value=\"5\""));
    // without JavaScript: a malformed number is refused, the typed text comes back, the rest is saved
    let (st, _, body) = send(
        &app,
        form(
            &format!("{page}/luu"),
            Some(&cookie),
            format!("csrf={csrf}&v.vb_tong=1.124.5&v.tcd_luot=12&s.I=T%C3%ACnh+h%C3%ACnh"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("value=\"1.124.5\"") && body.contains("chưa được lưu"),
        "{body}"
    );
    let v = store_view(&url, round).await;
    assert_eq!(v.values.get("tcd_luot"), Some(&12.0));
    assert_eq!(v.sections.get("I").map(String::as_str), Some("Tình hình"));
    assert!(!v.values.contains_key("vb_tong"));
    // a double submit: the second is refused with a clear message
    let sections: String = [
        "I", "II.1", "II.2", "II.3", "II.4", "IV.1", "IV.2", "IV.3", "V.1",
    ]
    .iter()
    .map(|x| format!("&s.{x}=N%E1%BB%99i+dung"))
    .collect();
    let (st, _, _) = send(
        &app,
        form(
            &format!("{page}/luu"),
            Some(&cookie),
            format!("csrf={csrf}&v.vb_tong=3{sections}"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, _) = send(
        &app,
        form(
            &format!("{page}/gui"),
            Some(&cookie),
            format!("csrf={csrf}&xac_nhan=1"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, body) = send(
        &app,
        form(
            &format!("{page}/gui"),
            Some(&cookie),
            format!("csrf={csrf}&xac_nhan=1"),
        ),
    )
    .await;
    // the same status as the API's invalid_transition (409)
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(
        body.contains("Không thể gửi báo cáo đang ở trạng thái «Đã gửi»"),
        "{body}"
    );
    // an autosave with an expired session keeps the page and says why
    let mut req = form(
        &format!("{page}/luu"),
        Some("qcdc_session=het-han"),
        format!("csrf={csrf}&v.vb_tong=4"),
    );
    req.headers_mut()
        .insert("hx-request", "true".parse().unwrap());
    let (st, headers, body) = send(&app, req).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(
        body.contains("Phiên đăng nhập đã hết hạn")
            && headers
                .iter()
                .any(|(k, v)| k == "hx-retarget" && v == "#save-status")
    );
    // signing out ends the session everywhere
    let (st, _, _) = send(
        &app,
        form("/dang-xuat", Some(&cookie), format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, headers, _) = send(&app, get("/viec-can-lam", &cookie)).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "location" && v.starts_with("/dang-nhap"))
    );
    // five wrong passwords, then even the right one waits
    for _ in 0..5 {
        let (st, _, body) = send(
            &app,
            form("/dang-nhap", None, "username=rep1&password=sai".into()),
        )
        .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        assert!(body.contains("không đúng"));
    }
    let (st, _, body) = send(
        &app,
        form(
            "/dang-nhap",
            None,
            "username=rep1&password=mat-khau-demo".into(),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("quá nhiều lần"));
}

async fn store_view(url: &str, round: i64) -> qcdc_app::views::SubmissionView {
    let app = App::open(url, &AppOptions::default()).await.unwrap();
    submissions::view(&app.system("test"), round, "N1")
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_vietnamese_and_assets_local() {
    let (store, _) = setup(&fresh_sqlite_database()).await;
    let app = qcdc_web::server_router(store, false);
    let (st, _, body) = send(
        &app,
        Request::builder()
            .uri("/dang-nhap")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("lang=\"vi\"")
            && body.contains("Đăng nhập")
            && body.contains("/static/htmx.min.js")
    );
    assert!(
        !body.contains("http://") && !body.contains("https://"),
        "no external assets"
    );
    let (st, headers, js) = send(
        &app,
        Request::builder()
            .uri("/static/htmx.min.js")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.contains("javascript"))
    );
    assert!(js.contains("htmx"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_units_tree_search_and_import_errors() {
    let url = fresh_sqlite_database();
    let (store, _) = setup(&url).await;
    create_user(&store, "quantri", "Quản trị", Role::Admin, "T").await;
    let app = qcdc_web::server_router(store.clone(), false);
    let (_, headers, _) = send(
        &app,
        form(
            "/dang-nhap",
            None,
            "username=quantri&password=mat-khau-demo".into(),
        ),
    )
    .await;
    let cookie = headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .unwrap()
        .1
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = auth::csrf_for(&store, cookie.split_once('=').unwrap().1);
    // the tree: the province, then its units in Vietnamese order, indented
    let (st, _, body) = send(&app, get("/quan-tri/don-vi", &cookie)).await;
    assert_eq!(st, StatusCode::OK);
    let pos = |s: &str| body.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(
        pos("Tỉnh Lâm Viên") < pos("Sở Nội vụ")
            && pos("Sở Nội vụ") < pos("Xã Đam Rông 1")
            && pos("Xã Đam Rông 1") < pos("Xã Đam Rông 2")
    );
    assert!(body.contains("padding-left:2rem"), "children are indented");
    assert!(
        !body.contains("Huyện Đam Rông"),
        "units gone since 01/07/2025 are hidden by default"
    );
    // search without diacritics
    let (_, _, body) = send(&app, get("/quan-tri/don-vi?q=dam+rong&all=1", &cookie)).await;
    assert!(
        body.contains("Huyện Đam Rông")
            && body.contains("Xã Đam Rông 2")
            && !body.contains("Sở Nội vụ")
    );
    // an import with a bad line is refused with the line-by-line list
    let boundary = "XyZ";
    let csv = "code,name,kind,parent,valid_from,valid_to,predecessors,succession\nA1,Xã A,commune,T,01/07/2025,,,\nA2,Xã B,commune,KHONG_CO,01/07/2025,,,\n";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"u.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let req = Request::builder()
        .method("POST")
        .uri("/quan-tri/don-vi/nhap")
        .header(header::COOKIE, &cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (st, _, page) = send(&app, req).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("<td>3</td>") && page.contains("KHONG_CO"),
        "{page}"
    );
    let (_, _, list) = send(&app, get("/quan-tri/don-vi?q=xa+a", &cookie)).await;
    assert!(!list.contains(">A1<"), "nothing imported");
}

/// Every answer carries the security headers: a CSP without inline scripts, no
/// framing, same-origin referrers, no sniffing; signed-in pages and API answers are
/// not cached; the static files keep their own cache time. No page has an inline
/// script for the CSP to block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_on_pages_api_and_assets() {
    let url = fresh_sqlite_database();
    let (store, round) = setup(&url).await;
    let app = qcdc_web::server_router(store.clone(), false);
    let (cookie, _) = login(&app, &store).await;
    let header_of = |h: &[(String, String)], k: &str| {
        h.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    for uri in [
        "/viec-can-lam".to_string(),
        format!("/dot/{round}/bao-cao/N1"),
        "/dang-nhap".to_string(),
        "/api/v1/rounds".to_string(),
        "/khong-co-trang-nay".to_string(),
    ] {
        let (_, h, body) = send(&app, get(&uri, &cookie)).await;
        let csp = header_of(&h, "content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{uri}: {csp}"
        );
        assert!(
            !csp.contains("unsafe-eval")
                && !csp
                    .split(';')
                    .any(|d| d.contains("script-src") && d.contains("unsafe-inline")),
            "{uri}: {csp}"
        );
        assert_eq!(header_of(&h, "x-frame-options"), "DENY", "{uri}");
        assert_eq!(header_of(&h, "referrer-policy"), "same-origin", "{uri}");
        assert_eq!(header_of(&h, "x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(header_of(&h, "cache-control"), "no-store", "{uri}");
        // an inline script would be blocked by the policy: there is none
        let inline = body
            .match_indices("<script")
            .any(|(i, _)| !body[i..].split('>').next().unwrap_or("").contains("src="));
        assert!(!inline, "{uri} has an inline script");
    }
    let (_, h, _) = send(&app, get("/static/app.js", "")).await;
    assert!(header_of(&h, "cache-control").contains("max-age"), "{h:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_temporary_password_must_be_changed_before_anything_else() {
    let url = fresh_sqlite_database();
    let (store, round) = setup(&url).await;
    create_user(&store, "quantri", "Quản trị", Role::Admin, "T").await;
    let admin = auth::verify_password(&store, "quantri", "mat-khau-demo")
        .await
        .unwrap();
    let tmp = users::reset_password(&admin, "rep1", Some("tam-thoi-123"))
        .await
        .unwrap();
    let app = qcdc_web::server_router(store.clone(), false);
    // the old password no longer works; the temporary one does
    let (st, _, _) = send(
        &app,
        form(
            "/dang-nhap",
            None,
            "username=rep1&password=mat-khau-demo&next=/".into(),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, headers, _) = send(
        &app,
        form(
            "/dang-nhap",
            None,
            format!("username=rep1&password={tmp}&next=/"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let cookie = headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .unwrap()
        .1
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = cookie.split_once('=').unwrap().1.to_string();
    let csrf = auth::csrf_for(&store, &token);
    // every page sends the user to change it
    for uri in ["/viec-can-lam", &format!("/dot/{round}/bao-cao/N1")] {
        let (st, headers, _) = send(&app, get(uri, &cookie)).await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{uri}");
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "location" && v == "/doi-mat-khau"),
            "{uri}: {headers:?}"
        );
    }
    let (st, _, body) = send(&app, get("/doi-mat-khau", &cookie)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("mật khẩu tạm"), "{body}");
    // changed, the pages open again
    let (st, headers, _) = send(
        &app,
        form(
            "/doi-mat-khau",
            Some(&cookie),
            format!("csrf={csrf}&current={tmp}&new=mat-khau-rieng-1"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{headers:?}");
    let (st, _, _) = send(&app, get("/viec-can-lam", &cookie)).await;
    assert_eq!(st, StatusCode::OK);
}

/// Signs `username` in and returns (cookie, csrf).
async fn sign_in_as(app: &Router, store: &App, username: &str) -> (String, String) {
    let (st, headers, _) = send(
        app,
        form(
            "/dang-nhap",
            None,
            format!("username={username}&password=mat-khau-demo&next=/"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let cookie = headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .unwrap()
        .1
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = cookie.split_once('=').unwrap().1.to_string();
    let csrf = auth::csrf_for(store, &token);
    (cookie, csrf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_reminds_from_the_round_page_and_the_unit_reads_it() {
    let (store, round) = setup(&fresh_sqlite_database()).await;
    create_user(&store, "vanphong", "Văn phòng", Role::Office, "T").await;
    let app = qcdc_web::server_router(store.clone(), false);
    let (office, office_csrf) = sign_in_as(&app, &store, "vanphong").await;
    let (_, _, body) = send(&app, get(&format!("/dot/{round}"), &office)).await;
    assert!(body.contains("Nhắc các đơn vị chưa nộp (1)"), "{body}");
    assert!(body.contains("Chưa cấu hình máy chủ thư"), "{body}");
    assert!(body.contains("3 ngày trước hạn"), "{body}");
    // the schedule is saved, the reminder goes out
    let (st, _, _) = send(
        &app,
        form(
            &format!("/dot/{round}/lich-nhac"),
            Some(&office),
            format!(
                "csrf={office_csrf}&bat=1&so_ngay_truoc=5&dung_han=1&qua_han_moi=2&qua_han_toi_da=4"
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, headers, _) = send(
        &app,
        form(
            &format!("/dot/{round}/nhac"),
            Some(&office),
            format!("csrf={office_csrf}"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let to = &headers.iter().find(|(k, _)| k == "location").unwrap().1;
    let (_, _, body) = send(&app, get(to, &office)).await;
    assert!(body.contains("Đã nhắc 1 đơn vị chưa nộp"), "{body}");
    assert!(body.contains("5 ngày trước hạn"), "{body}");
    assert!(
        body.contains("Nhắc nộp báo cáo"),
        "the history names it: {body}"
    );
    // a bad schedule is refused in Vietnamese
    let (st, _, body) = send(
        &app,
        form(
            &format!("/dot/{round}/lich-nhac"),
            Some(&office),
            format!("csrf={office_csrf}&bat=1&so_ngay_truoc=ba"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(body.contains("không phải «ba»"), "{body}");
    // the reporter sees the count in the header and the notice on its to-do page
    let (rep, rep_csrf) = sign_in_as(&app, &store, "rep1").await;
    let (_, _, body) = send(&app, get("/viec-can-lam", &rep)).await;
    assert!(body.contains("thông báo chưa đọc"), "{body}");
    assert!(body.contains("Thông báo (1 chưa đọc)"), "{body}");
    assert!(body.contains("hạn nộp 20/06/2099"), "{body}");
    let (st, _, _) = send(
        &app,
        form("/thong-bao/da-doc", Some(&rep), format!("csrf={rep_csrf}")),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, body) = send(&app, get("/viec-can-lam", &rep)).await;
    assert!(body.contains("Thông báo (0 chưa đọc)"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_petition_register_records_steps_and_shows_deadlines_in_vietnamese() {
    let (store, _) = setup(&fresh_sqlite_database()).await;
    create_user(&store, "vanphong", "Văn phòng", Role::Office, "T").await;
    let app = qcdc_web::server_router(store.clone(), false);
    let (rep, csrf) = login(&app, &store).await;
    // the entry form, keyboard first: the first field is focused, Alt+G sends
    let (st, _, body) = send(&app, get("/so-don/N1", &rep)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(
        body.contains("Sổ theo dõi đơn") && body.contains("Chưa có đơn nào."),
        "{body}"
    );
    assert!(
        body.contains("autofocus") && body.contains("accesskey=\"g\""),
        "{body}"
    );
    let (st, headers, _) = send(
        &app,
        form(
            "/so-don/N1",
            Some(&rep),
            format!("csrf={csrf}&loai=khieu_nai&kenh=direct&ngay_nhan=20/04/2025&nguoi_gui=Ph%E1%BA%A1m+V%C4%83n+B%C3%ACnh&tom_tat=Khi%E1%BA%BFu+n%E1%BA%A1i+v%E1%BB%81+b%E1%BB%93i+th%C6%B0%E1%BB%9Dng"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "location" && v == "/so-don/N1?tb=ghi")
    );
    let (_, _, body) = send(&app, get("/so-don/N1?tb=ghi", &rep)).await;
    assert!(body.contains("Đã ghi đơn vào sổ."), "{body}");
    assert!(
        body.contains("Phạm Văn Bình") && body.contains("Quá hạn") && body.contains("05/05/2025"),
        "{body}"
    );
    // an impossible step: refused with the Vietnamese reason and the conflict status
    let (st, _, body) = send(
        &app,
        form(
            "/don/1/buoc",
            Some(&rep),
            format!("csrf={csrf}&buoc=concluded&ngay=25/04/2025&ket_qua=right"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(
        body.contains("Chưa thụ lý đơn nên chưa thể có kết luận"),
        "{body}"
    );
    let (st, _, _) = send(
        &app,
        form(
            "/don/1/buoc",
            Some(&rep),
            format!("csrf={csrf}&buoc=accepted&ngay=28/04/2025"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, body) = send(&app, get("/don/1", &rep)).await;
    assert!(
        body.contains("Thụ lý") && body.contains("28/05/2025"),
        "{body}"
    );
    // the office above: the deadline, not the petitioner; no entry form
    let (office, _) = sign_in_as(&app, &store, "vanphong").await;
    let (st, _, body) = send(&app, get("/so-don/N1", &office)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        !body.contains("Phạm Văn Bình") && body.contains("(ẩn)") && body.contains("28/05/2025"),
        "{body}"
    );
    assert!(
        !body.contains("Ghi đơn mới"),
        "no entry form for the office above"
    );
    let (_, _, body) = send(&app, get("/don/1", &office)).await;
    assert!(
        !body.contains("Phạm Văn Bình") && !body.contains("Ghi bước xử lý"),
        "{body}"
    );
    // the reception register: a session recorded, the commune chairman's weeks judged
    let (st, _, _) = send(
        &app,
        form(
            "/so-tiep-dan/N1",
            Some(&rep),
            format!(
                "csrf={csrf}&ngay=03/06/2025&nguoi_tiep=chairman&ho_ten=&luot=2&so_nguoi=3&doan=0"
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, body) = send(
        &app,
        get("/so-tiep-dan/N1?tu=02/06/2025&den=15/06/2025&tb=ghi", &rep),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.contains("Đã ghi buổi tiếp công dân."), "{body}");
    assert!(
        body.contains("Chủ tịch UBND tiếp công dân ít nhất 1 ngày mỗi tuần"),
        "{body}"
    );
    assert!(
        body.contains("Tuần 09/06/2025 – 15/06/2025 (0 ngày)"),
        "{body}"
    );
    let (st, _, body) = send(
        &app,
        form(
            "/so-tiep-dan/N1",
            Some(&rep),
            format!("csrf={csrf}&ngay=03/06/2025&nguoi_tiep=chairman&luot=hai"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("Số lượt phải là số nguyên không âm, không phải «hai»"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_petition_forwarded_from_its_page_lands_in_the_receiving_register() {
    let (store, _) = setup(&fresh_sqlite_database()).await;
    create_user(&store, "rep2", "Cán bộ N2", Role::Reporter, "N2").await;
    let app = qcdc_web::server_router(store.clone(), false);
    let (rep, csrf) = login(&app, &store).await;
    let (st, _, _) = send(
        &app,
        form(
            "/so-don/N1",
            Some(&rep),
            format!("csrf={csrf}&loai=kien_nghi&kenh=direct&ngay_nhan=02/03/2026&nguoi_gui=L%C3%AA+Th%E1%BB%8B+Hoa&tom_tat=Ki%E1%BA%BFn+ngh%E1%BB%8B+s%E1%BB%ADa+%C4%91%C6%B0%E1%BB%9Dng+li%C3%AAn+x%C3%A3"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, body) = send(&app, get("/don/1", &rep)).await;
    assert!(
        body.contains("Mã đơn vị nhận (nếu trong hệ thống)"),
        "{body}"
    );
    // a code the system does not know: refused in Vietnamese, nothing written
    let (st, _, body) = send(
        &app,
        form(
            "/don/1/buoc",
            Some(&rep),
            format!("csrf={csrf}&buoc=forwarded&ngay=05/03/2026&chi_tiet=&ma_don_vi_nhan=ZZZ"),
        ),
    )
    .await;
    assert!(st.is_client_error(), "{st}");
    assert!(body.contains("Không có đơn vị mã «ZZZ»"), "{body}");
    let (_, _, body) = send(&app, get("/don/1", &rep)).await;
    assert!(body.contains("Chưa có bước nào."), "{body}");
    // to N2: the step names the receiver, N2's register holds the petition
    let (st, _, _) = send(
        &app,
        form(
            "/don/1/buoc",
            Some(&rep),
            format!("csrf={csrf}&buoc=forwarded&ngay=05/03/2026&chi_tiet=&ma_don_vi_nhan=N2"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, body) = send(&app, get("/don/1", &rep)).await;
    assert!(
        body.contains("Xã Đam Rông 2 (N2)") && body.contains("Đã chuyển vào sổ của"),
        "{body}"
    );
    let (rep2, _) = sign_in_as(&app, &store, "rep2").await;
    let (_, _, body) = send(&app, get("/so-don/N2", &rep2)).await;
    assert!(
        body.contains("Lê Thị Hoa") && body.contains("href=\"/don/2\""),
        "{body}"
    );
    let (st, _, body) = send(&app, get("/don/2", &rep2)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("Chuyển đến từ Xã Đam Rông 1")
            && body.contains("05/03/2026")
            && body.contains("Xã Đam Rông 1 (N1)"),
        "{body}"
    );
    // N2's reporter does not open N1's petition
    let (st, _, _) = send(&app, get("/don/1", &rep2)).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

/// A request from a client address (as `serve` provides it with `ConnectInfo`).
fn at(addr: &str, mut req: Request<Body>) -> Request<Body> {
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo::<std::net::SocketAddr>(
            addr.parse().unwrap(),
        ));
    req
}

fn cookie_of(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .unwrap()
        .1
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_limit_sessions_and_refusals_in_vietnamese() {
    let url = fresh_sqlite_database();
    let (store, _round) = setup(&url).await;
    create_user(&store, "quantri", "Quản trị", Role::Admin, "T").await;
    let app = qcdc_web::server_router(store.clone(), false);
    let login = |addr: &str, pw: &str| {
        at(
            addr,
            form(
                "/dang-nhap",
                None,
                format!("username=rep1&password={pw}&next=/"),
            ),
        )
    };
    // a stranger's wrong passwords slow the stranger, in Vietnamese…
    for _ in 0..5 {
        let (st, _, _) = send(&app, login("203.0.113.9:1", "sai")).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    let (st, _, body) = send(&app, login("203.0.113.9:2", "mat-khau-demo")).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        body.contains("Đăng nhập sai quá nhiều lần từ địa chỉ này") && body.contains("giây"),
        "{body}"
    );
    // …and do not lock the owner out
    let (st, headers, _) = send(&app, login("198.51.100.7:3", "mat-khau-demo")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let first = cookie_of(&headers);
    let (_, headers, _) = send(&app, login("198.51.100.7:4", "mat-khau-demo")).await;
    let second = cookie_of(&headers);
    // an API token is not a session cookie
    let (_, api_token) = auth::sign_in(&store, "rep1", "mat-khau-demo", 1)
        .await
        .unwrap();
    let (st, headers, _) = send(
        &app,
        get(
            "/viec-can-lam",
            &format!("{}={api_token}", qcdc_web::SESSION_COOKIE),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "location" && v.starts_with("/dang-nhap"))
    );
    // a common password is refused in Vietnamese; a good one ends the other sessions
    let csrf = auth::csrf_for(&store, first.split_once('=').unwrap().1);
    let (st, _, body) = send(
        &app,
        form(
            "/doi-mat-khau",
            Some(&first),
            format!("csrf={csrf}&current=mat-khau-demo&new=123456a%40"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(body.contains("quá phổ biến"), "{body}");
    let (st, _, body) = send(
        &app,
        form(
            "/doi-mat-khau",
            Some(&first),
            format!("csrf={csrf}&current=mat-khau-demo&new=mat-khau-moi-cua-toi"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.contains("Đã đổi mật khẩu"));
    let (st, _, _) = send(&app, get("/viec-can-lam", &first)).await;
    assert_eq!(st, StatusCode::OK, "the current session stays");
    let (st, _, _) = send(&app, get("/viec-can-lam", &second)).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "another session ends");
    let (st, _) = (
        auth::from_token(&store, &api_token).await.is_err(),
        "the API token ends",
    );
    assert!(st);
    // the admin sees the user's sessions (kind and times, never the secret) and revokes them
    let (admin, admin_csrf) = sign_in_as(&app, &store, "quantri").await;
    let (st, _, body) = send(&app, get("/quan-tri/nguoi-dung/rep1/phien", &admin)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.contains("Phiên đăng nhập web"), "{body}");
    assert!(body.contains("Tự đổi mật khẩu"), "{body}");
    assert!(!body.contains(first.split_once('=').unwrap().1));
    let (st, _, body) = send(
        &app,
        form(
            "/quan-tri/nguoi-dung/rep1/phien/thu-hoi",
            Some(&admin),
            format!("csrf={admin_csrf}"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.contains("Đã thu hồi mọi phiên"), "{body}");
    assert!(
        body.contains("Thu hồi mọi phiên đăng nhập"),
        "in the log: {body}"
    );
    let (st, _, _) = send(&app, get("/viec-can-lam", &first)).await;
    assert_eq!(st, StatusCode::SEE_OTHER);

    // refusals before any handler: Vietnamese pages, never the framework's English
    let raw = |method: &str, uri: &str, ct: &str, body: Vec<u8>| {
        let mut r = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, &admin);
        if !ct.is_empty() {
            r = r.header(header::CONTENT_TYPE, ct);
        }
        r.body(Body::from(body)).unwrap()
    };
    let form_ct = "application/x-www-form-urlencoded";
    let big = format!("csrf={admin_csrf}&title={}", "a".repeat(400 * 1024));
    let mut upload = format!(
        "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{admin_csrf}\r\n--b\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"u.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    upload.extend(std::iter::repeat_n(b'x', 17 * 1024 * 1024));
    upload.extend_from_slice(b"\r\n--b--\r\n");
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            raw(
                "POST",
                "/doi-mat-khau",
                form_ct,
                format!("csrf={admin_csrf}&current=%FF%FE&new=x").into_bytes(),
            ),
            StatusCode::BAD_REQUEST,
            "UTF-8",
        ),
        (
            raw(
                "POST",
                "/quan-tri/nguoi-dung",
                form_ct,
                format!("csrf={admin_csrf}&username=a&full_name=A%00B").into_bytes(),
            ),
            StatusCode::BAD_REQUEST,
            "ký tự điều khiển",
        ),
        (
            raw("GET", "/dot/abc", "", vec![]),
            StatusCode::BAD_REQUEST,
            "Địa chỉ không hợp lệ",
        ),
        (
            raw("GET", "/dot/1/bao-cao/N1?trang=%FF", "", vec![]),
            StatusCode::BAD_REQUEST,
            "UTF-8",
        ),
        (
            raw("POST", "/dang-nhap", form_ct, b"username=rep1".to_vec()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "không đọc được",
        ),
        (
            raw(
                "POST",
                "/dang-nhap",
                "text/plain",
                b"username=rep1&password=x".to_vec(),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Kiểu nội dung",
        ),
        (
            raw("POST", "/dot/moi", form_ct, big.into_bytes()),
            StatusCode::PAYLOAD_TOO_LARGE,
            "quá lớn",
        ),
        (
            raw(
                "POST",
                "/quan-tri/don-vi/nhap",
                "multipart/form-data; boundary=b",
                upload,
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "Tệp tải lên quá lớn (tối đa 16 MB)",
        ),
        (
            raw("GET", "/khong-co-trang-nay", "", vec![]),
            StatusCode::NOT_FOUND,
            "Không tìm thấy",
        ),
        (
            raw("DELETE", "/dang-nhap", "", vec![]),
            StatusCode::METHOD_NOT_ALLOWED,
            "không nhận kiểu yêu cầu",
        ),
    ];
    for (req, status, words) in cases {
        let what = format!("{} {}", req.method(), req.uri());
        let (st, headers, body) = send(&app, req).await;
        assert_eq!(st, status, "{what}: {body}");
        assert!(body.contains(words), "{what}: {body}");
        assert!(
            body.contains("<html"),
            "{what}: a page, not plain text: {body}"
        );
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "content-type" && v.starts_with("text/html")),
            "{what}"
        );
        for english in [
            "Failed to",
            "Expected",
            "missing field",
            "Invalid",
            "length limit",
        ] {
            assert!(!body.contains(english), "{what}: {body}");
        }
    }
}
