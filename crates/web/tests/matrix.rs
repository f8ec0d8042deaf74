#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every page route (listed from the router's own page list) × every role, in
//! scope and out of scope — admins scoped below the root included: refused
//! actors get 403 (pages and htmx answers alike), allowed ones never 401/403,
//! anonymous visitors are sent to sign in.

use std::collections::HashMap;
use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::{App, AppOptions, auth, rounds, templates, units, users};
use qcdc_core::access::Role;
use qcdc_core::unit::UnitKind;
use qcdc_testkit::{fresh_sqlite_database, rec, sample_tree};
use qcdc_web::{PageAccess, page_routes, server_router};
use tower::ServiceExt;

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

fn allowed(method: &Method, path: &str) -> &'static [&'static str] {
    const ALL: &[&str] = &[
        "admin_t", "office_t", "viewer_t", "rep_n1", "rep_n2", "admin_n1", "office_k", "admin_k",
        "viewer_k",
    ];
    const VIEW_N1: &[&str] = &["admin_t", "office_t", "viewer_t", "rep_n1", "admin_n1"];
    const REPORT_N1: &[&str] = &["admin_t", "rep_n1", "admin_n1"];
    const MANAGE_T: &[&str] = &["admin_t", "office_t"];
    const RECIPIENTS: &[&str] = &[
        "admin_t", "office_t", "viewer_t", "rep_n1", "rep_n2", "admin_n1",
    ];
    const OFFICES: &[&str] = &["admin_t", "office_t", "admin_n1", "office_k", "admin_k"];
    const ADMINS: &[&str] = &["admin_t", "admin_n1", "admin_k"];
    const ADMIN_OF_N1: &[&str] = &["admin_t", "admin_n1"];
    const ROOT_ADMINS: &[&str] = &["admin_t", "admin_k"];
    const MANAGE_N1: &[&str] = &["admin_t", "office_t", "admin_n1"];
    const ROUND_VISIBLE: &[&str] = &[
        "admin_t", "office_t", "viewer_t", "rep_n1", "rep_n2", "admin_n1",
    ];
    match (method.as_str(), path) {
        (_, "/" | "/static/htmx.min.js" | "/static/app.css" | "/static/app.js" | "/dang-nhap") => {
            ALL
        }
        (
            _,
            "/dang-xuat"
            | "/doi-mat-khau"
            | "/viec-can-lam"
            | "/so-theo-doi"
            | "/thong-bao/da-doc"
            | "/dot"
            | "/quan-tri/mau/{code}",
        ) => ALL,
        ("POST", "/dot/{id}/nhac" | "/dot/{id}/lich-nhac") => MANAGE_T,
        ("GET", "/quan-tri/cai-dat") => ADMINS,
        ("GET", "/dot/moi") => OFFICES,
        ("POST", "/dot/moi") => MANAGE_T,
        // recipients see the request addressed to them; the office the whole round
        ("GET", "/dot/{id}") => RECIPIENTS,
        (
            "POST",
            "/dot/{id}/ket-thuc"
            | "/dot/{id}/mo-lai"
            | "/dot/{id}/gia-han"
            | "/dot/{id}/gia-han-don-vi",
        ) => MANAGE_T,
        ("GET", "/dot/{id}/bao-cao/{unit}") => VIEW_N1,
        (
            "POST",
            "/dot/{id}/bao-cao/{unit}/luu"
            | "/dot/{id}/bao-cao/{unit}/gui"
            | "/dot/{id}/bao-cao/{unit}/nhap-tep"
            | "/dot/{id}/bao-cao/{unit}/dieu-chinh",
        ) => REPORT_N1,
        ("POST", "/dot/{id}/bao-cao/{unit}/tra-lai" | "/dot/{id}/bao-cao/{unit}/tiep-nhan") => {
            MANAGE_T
        }
        (
            "GET",
            "/dot/{id}/tong-hop/{unit}"
            | "/dot/{id}/tong-hop/{unit}/chi-tieu/{indicator}"
            | "/dot/{id}/tong-hop/{unit}/noi-dung",
        ) => VIEW_N1,
        ("POST", "/dot/{id}/tong-hop/{unit}/su-dung") => ADMIN_OF_N1,
        ("GET", "/quan-tri/don-vi" | "/quan-tri/nguoi-dung" | "/quan-tri/mau") => ADMINS,
        (
            "POST",
            "/quan-tri/don-vi"
            | "/quan-tri/don-vi/nhap"
            | "/quan-tri/nguoi-dung"
            | "/quan-tri/nguoi-dung/vai-tro"
            | "/quan-tri/nguoi-dung/nhap",
        ) => ADMIN_OF_N1,
        ("POST", "/quan-tri/mau") => ROOT_ADMINS,
        // the target user holds a role on N1 only
        (
            "POST",
            "/quan-tri/nguoi-dung/{username}/khoa"
            | "/quan-tri/nguoi-dung/{username}/mo-khoa"
            | "/quan-tri/nguoi-dung/{username}/dat-lai-mat-khau"
            | "/quan-tri/nguoi-dung/{username}/thu-dien-tu"
            | "/quan-tri/nguoi-dung/{username}/phien/thu-hoi",
        )
        | ("GET", "/quan-tri/nguoi-dung/{username}/phien") => ADMIN_OF_N1,
        ("GET", "/dot/{id}/cong-van") => ROUND_VISIBLE,
        ("POST", "/dot/{id}/cong-van/phat-hanh") => MANAGE_T,
        (
            "GET",
            "/dot/{id}/bao-cao/{unit}/tai"
            | "/dot/{id}/bao-cao/{unit}/bieu-mau"
            | "/dot/{id}/tong-hop/{unit}/soan"
            | "/dot/{id}/tong-hop/{unit}/tai"
            | "/dot/{id}/tong-hop/{unit}/excel"
            | "/quan-tri/van-ban/{code}",
        ) => VIEW_N1,
        ("POST", "/dot/{id}/bao-cao/{unit}/phat-hanh" | "/dot/{id}/bao-cao/{unit}/nop-excel") => {
            REPORT_N1
        }
        ("POST", "/dot/{id}/tong-hop/{unit}/soan" | "/dot/{id}/tong-hop/{unit}/phat-hanh") => {
            MANAGE_N1
        }
        ("POST", "/quan-tri/van-ban/{code}") => ADMIN_OF_N1,
        // the petition register is kept by the unit itself; viewers see counts
        (
            "GET",
            "/so-don/{unit}"
            | "/don/{petition}"
            | "/so-tiep-dan/{unit}"
            | "/so-don/{unit}/excel"
            | "/so-tiep-dan/{unit}/excel"
            | "/so-doi-thoai/{unit}/excel"
            | "/so-kiem-tra/{unit}/excel"
            | "/so-mo-hinh/{unit}/excel"
            | "/dot/{id}/bao-cao/{unit}/nguon/{indicator}"
            | "/so-theo-doi/{unit}"
            | "/so-doi-thoai/{unit}"
            | "/so-kiem-tra/{unit}"
            | "/so-mo-hinh/{unit}",
        ) => VIEW_N1,
        (
            "POST",
            "/so-don/{unit}"
            | "/don/{petition}/buoc"
            | "/so-tiep-dan/{unit}"
            | "/so-don/{unit}/excel"
            | "/so-tiep-dan/{unit}/excel"
            | "/so-doi-thoai/{unit}/excel"
            | "/so-kiem-tra/{unit}/excel"
            | "/so-mo-hinh/{unit}/excel"
            | "/don/{petition}/vu-viec"
            | "/so-doi-thoai/{unit}"
            | "/so-kiem-tra/{unit}"
            | "/so-mo-hinh/{unit}",
        ) => &["rep_n1"],
        _ => panic!("the page matrix has no row for {method} {path}: add one"),
    }
}

enum Payload {
    None,
    Form(String),
    File(&'static str, String),
}

fn payload(method: &Method, path: &str, csrf: &str, n: usize) -> Payload {
    if method == Method::GET {
        return Payload::None;
    }
    let f = |rest: &str| Payload::Form(format!("csrf={csrf}{rest}"));
    match path {
        "/dang-nhap" => Payload::Form("username=rep_n1&password=mat-khau-demo".into()),
        "/doi-mat-khau" => f("&current=mat-khau-demo&new=mat-khau-demo"),
        "/dot/moi" => f(
            "&title=Th%E1%BB%AD&issuer=T&template=qcdc-dinh-ky&period=2098-H2&deadline=20/06/2099&unit=N1&xac_nhan=1",
        ),
        "/dot/{id}/bao-cao/{unit}/luu" => f("&v.tcd_luot=3"),
        "/dot/{id}/gia-han" => f(&format!(
            "&han_moi={:02}/07/2099&ly_do=l%C3%BD+do",
            n % 28 + 1
        )),
        "/dot/{id}/gia-han-don-vi" => f(&format!(
            "&don_vi=N2&han_moi={:02}/09/2099&ly_do=l%C3%BD+do",
            n % 28 + 1
        )),
        "/dot/{id}/bao-cao/{unit}/gui" => f("&xac_nhan=1"),
        "/dot/{id}/lich-nhac" => {
            f("&bat=1&so_ngay_truoc=3&dung_han=1&qua_han_moi=3&qua_han_toi_da=3")
        }
        "/dot/{id}/bao-cao/{unit}/dieu-chinh" | "/dot/{id}/bao-cao/{unit}/tra-lai" => {
            f("&ly_do=l%C3%BD+do")
        }
        "/dot/{id}/tong-hop/{unit}/su-dung" => f("&parent_round=999999"),
        "/quan-tri/don-vi" => f(&format!(
            "&code=N1V{n}&name=Th%C3%B4n+{n}&kind=mass_org&parent=N1&valid_from=01/07/2025"
        )),
        "/quan-tri/nguoi-dung" => f(&format!(
            "&username=moi{n}&full_name=Ng%C6%B0%E1%BB%9Di+m%E1%BB%9Bi&password=mat-khau-moi-1&role=reporter&unit=N1"
        )),
        "/quan-tri/nguoi-dung/vai-tro" => f("&username=rep_n2&role=viewer&unit=N1"),
        "/quan-tri/nguoi-dung/{username}/thu-dien-tu" => f("&email=canbo%40example.vn"),
        "/dot/{id}/tong-hop/{unit}/soan" => {
            f("&s.I=N%E1%BB%99i+dung+%28X%C3%A3+%C4%90am+R%C3%B4ng+1%29")
        }
        "/quan-tri/van-ban/{code}" => f(
            "&format=state&body=%E1%BB%A6Y+BAN+NH%C3%82N+D%C3%82N+X%C3%83&symbol=UBND&place=%C4%90am+R%C3%B4ng&authority_prefix=TM.",
        ),
        "/dot/{id}/bao-cao/{unit}/nop-excel"
        | "/so-don/{unit}/excel"
        | "/so-tiep-dan/{unit}/excel"
        | "/so-doi-thoai/{unit}/excel"
        | "/so-kiem-tra/{unit}/excel"
        | "/so-mo-hinh/{unit}/excel" => Payload::File("f.xlsx", "không phải tệp Excel".into()),
        "/dot/{id}/bao-cao/{unit}/nhap-tep" => {
            Payload::File("r.txt", "I. KHÁI QUÁT\n\nNội dung.".into())
        }
        "/quan-tri/don-vi/nhap" => Payload::File(
            "u.csv",
            format!(
                "code,name,kind,parent,valid_from,valid_to,predecessors,succession\nN1W{n},Thôn {n},mass_org,N1,01/07/2025,,,\n"
            ),
        ),
        "/quan-tri/nguoi-dung/nhap" => Payload::File(
            "u.csv",
            format!(
                "username,full_name,email,role,unit,password\nnhap{n},Người nhập {n},,reporter,N1,tam-thoi-123\n"
            ),
        ),
        "/so-don/{unit}" => f(&format!(
            "&loai=khieu_nai&kenh=direct&ngay_nhan=01/06/2026&nguoi_gui=Ng%C6%B0%E1%BB%9Di+{n}&tom_tat=Khi%E1%BA%BFu+n%E1%BA%A1i"
        )),
        "/don/{petition}/buoc" => f("&buoc=verification&ngay=02/06/2026"),
        "/so-tiep-dan/{unit}" => f("&ngay=02/06/2026&nguoi_tiep=chairman&luot=1&so_nguoi=1"),
        "/so-doi-thoai/{unit}" => f(
            "&ngay=02/06/2026&noi_dung=%C4%90%E1%BB%91i+tho%E1%BA%A1i&chu_tri=L%C3%AA+V%C4%83n+An&chuc_vu=Ch%E1%BB%A7+t%E1%BB%8Bch&so_nguoi=30&van_de_neu=3&van_de_tra_loi=2",
        ),
        "/so-kiem-tra/{unit}" => f(
            "&ngay=02/06/2026&loai=supervision&co_quan=front&noi_dung=Gi%C3%A1m+s%C3%A1t&doi_tuong=Th%C3%B4n+1&kien_nghi=1&kien_nghi_xong=0",
        ),
        "/so-mo-hinh/{unit}" => f(
            "&ngay=02/06/2026&noi_dung=M%C3%B4+h%C3%ACnh&linh_vuc=Kinh+t%E1%BA%BF&chu_the=collective&cap=commune&nam_dang_ky=2026",
        ),
        "/don/{petition}/vu-viec" => f("&ten=V%E1%BB%A5+vi%E1%BB%87c"),
        "/quan-tri/mau" => Payload::File(
            "t.toml",
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/qcdc-dinh-ky.v1.toml"),
            )
            .unwrap(),
        ),
        _ => f(""),
    }
}

async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    cookie: Option<&str>,
    csrf: &str,
    p: Payload,
    htmx: bool,
) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    if htmx {
        req = req.header("hx-request", "true");
    }
    let req = match p {
        Payload::None => req.body(Body::empty()).unwrap(),
        Payload::Form(b) => req
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(b))
            .unwrap(),
        Payload::File(name, content) => {
            let b = "XyZ";
            let body = format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{b}\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}\r\n--{b}--\r\n"
            );
            req.header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={b}"),
            )
            .body(Body::from(body))
            .unwrap()
        }
    };
    let res = app.clone().oneshot(req).await.unwrap();
    let st = res.status();
    let body =
        String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).to_string();
    (st, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_by_role_matrix() {
    let app = App::open(&fresh_sqlite_database(), &AppOptions::default())
        .await
        .unwrap();
    let cli = app.system("test");
    templates::load_files(
        &cli,
        &templates::read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates"))
            .unwrap(),
    )
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
    // the user the user-administration pages act on (not an actor: disabling it
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
    // a petition of N1 (id 1) for the register pages
    qcdc_app::registers::petitions::record(
        &cli,
        "N1",
        &qcdc_app::registers::petitions::PetitionInput {
            kind: qcdc_core::registers::PetitionKind::KhieuNai,
            channel: qcdc_core::registers::Channel::Direct,
            received_on: NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(),
            petitioners: vec!["Nguyễn Văn A".into()],
            summary: "Khiếu nại việc thu hồi đất".into(),
            content: String::new(),
            forwarded_from: String::new(),
            remote: false,
            complexity: qcdc_core::registers::Complexity::Normal,
        },
    )
    .await
    .unwrap();
    let router = server_router(app.clone(), false);
    let mut sessions: HashMap<&str, (String, String)> = HashMap::new();
    for (u, _, _) in ACTORS {
        let (_, token) = auth::open_session(&app, u, "mat-khau-demo", 1)
            .await
            .unwrap();
        sessions.insert(
            *u,
            (
                format!("{}={token}", qcdc_web::SESSION_COOKIE),
                auth::csrf_for(&app, &token),
            ),
        );
    }
    let mut checked = 0;
    for (n, route) in page_routes().into_iter().enumerate() {
        if route.path == "/dang-xuat" {
            continue; // checked at the end: it would end the session the other rows use
        }
        let uri = route
            .path
            .replace("{id}", &r.to_string())
            .replace("{unit}", "N1")
            .replace(
                "{code}",
                if route.path.starts_with("/quan-tri/van-ban") {
                    "N1"
                } else {
                    "qcdc-dinh-ky"
                },
            )
            .replace("{indicator}", "xh_ty_le_ho_ngheo")
            .replace("{username}", "target_n1")
            .replace("{petition}", "1");
        let ok = allowed(&route.method, route.path);
        if route.access == PageAccess::SignedIn {
            let (st, _) = send(
                &router,
                route.method.clone(),
                &uri,
                None,
                "",
                payload(&route.method, route.path, "", n),
                false,
            )
            .await;
            assert!(
                st == StatusCode::SEE_OTHER || st == StatusCode::UNAUTHORIZED,
                "anonymous {} {} got {st}",
                route.method,
                route.path
            );
        }
        for (i, (u, _, _)) in ACTORS.iter().enumerate() {
            let (cookie, csrf) = &sessions[u];
            let (st, body) = send(
                &router,
                route.method.clone(),
                &uri,
                Some(cookie),
                csrf,
                payload(&route.method, route.path, csrf, n * 100 + i),
                false,
            )
            .await;
            if ok.contains(u) {
                assert!(
                    st != StatusCode::FORBIDDEN && st != StatusCode::UNAUTHORIZED,
                    "{u} should be allowed {} {} but got {st}",
                    route.method,
                    route.path
                );
            } else {
                assert_eq!(
                    st,
                    StatusCode::FORBIDDEN,
                    "{u} should be refused {} {}: {}",
                    route.method,
                    route.path,
                    &body[..body.len().min(400)]
                );
                assert!(
                    body.to_lowercase().contains("quyền")
                        || body.contains("phạm vi")
                        || body.contains("Chỉ "),
                    "{u} {} {}: a Vietnamese refusal",
                    route.method,
                    route.path
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 250, "only {checked} calls checked");
    // htmx answers refuse with the same 403
    let (cookie, csrf) = &sessions["viewer_t"];
    let (st, body) = send(
        &router,
        Method::POST,
        &format!("/dot/{r}/bao-cao/N1/luu"),
        Some(cookie),
        csrf,
        Payload::Form(format!("csrf={csrf}&v.tcd_luot=1")),
        true,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    // signing out ends the session
    let (cookie, csrf) = &sessions["viewer_k"];
    let (st, _) = send(
        &router,
        Method::POST,
        "/dang-xuat",
        Some(cookie),
        csrf,
        Payload::Form(format!("csrf={csrf}")),
        false,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _) = send(
        &router,
        Method::GET,
        "/viec-can-lam",
        Some(cookie),
        csrf,
        Payload::None,
        false,
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "signed out");
}
