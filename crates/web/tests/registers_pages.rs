#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The register pages through the router: a reporter reaches its unit's
//! registers from the top menu, records a dialogue, an inspection and a model and
//! sees them listed; a bad or future date is refused in Vietnamese with what was
//! typed kept and nothing written; a reporter of another unit is refused; the
//! office above lists its subtree; the petition list goes by pages; petitions are
//! linked into one case from the petition's page.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Datelike;
use http_body_util::BodyExt;
use qcdc_app::registers::petitions::{self, PetitionInput};
use qcdc_app::{App, AppOptions, auth, templates, units, users};
use qcdc_core::access::Role;
use qcdc_core::period::format_date;
use qcdc_core::registers::{Channel, Complexity, PetitionKind};
use qcdc_testkit::{fresh_sqlite_database, sample_tree};
use tower::ServiceExt;

async fn setup() -> App {
    let store = App::open(&fresh_sqlite_database(), &AppOptions::default())
        .await
        .unwrap();
    let cli = store.system("test");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
    templates::load_files(&cli, &templates::read_dir(&dir).unwrap())
        .await
        .unwrap();
    units::import(&cli, sample_tree()).await.unwrap();
    for (u, role, unit) in [
        ("rep1", Role::Reporter, "N1"),
        ("rep2", Role::Reporter, "N2"),
        ("vanphong", Role::Office, "T"),
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
    store
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Option<String>, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body =
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, location, body)
}

fn post(uri: &str, cookie: &str, body: String) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap()
}

fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

async fn sign_in(store: &App, user: &str) -> (String, String) {
    let (_, token) = auth::open_session(store, user, "mat-khau-demo", 1)
        .await
        .unwrap();
    (
        format!("{}={token}", qcdc_web::SESSION_COOKIE),
        auth::csrf_for(store, &token),
    )
}

/// Form encoding of a value.
fn e(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reporter_keeps_the_simple_registers_and_others_are_refused() {
    let store = setup().await;
    let app = qcdc_web::server_router(store.clone(), false);
    let (rep, csrf) = sign_in(&store, "rep1").await;
    let today = format_date(store.today());
    let tomorrow = format_date(store.today().succ_opt().unwrap());

    // the top menu leads to the unit's registers
    let (st, _, body) = send(&app, get("/viec-can-lam", &rep)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("href=\"/so-theo-doi\""), "{body}");
    let (st, loc, _) = send(&app, get("/so-theo-doi", &rep)).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/so-theo-doi/N1"));
    let (st, _, body) = send(&app, get("/so-theo-doi/N1", &rep)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    for link in [
        "/so-don/N1",
        "/so-tiep-dan/N1",
        "/so-doi-thoai/N1",
        "/so-kiem-tra/N1",
        "/so-mo-hinh/N1",
    ] {
        assert!(body.contains(&format!("href=\"{link}\"")), "{link}: {body}");
    }

    // the entry form: the date first, focused, today filled in
    let (st, _, body) = send(&app, get("/so-doi-thoai/N1", &rep)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.contains("Chưa có cuộc đối thoại nào"), "{body}");
    assert!(
        body.contains(&format!(
            "name=\"ngay\" value=\"{today}\" required autofocus"
        )),
        "{body}"
    );
    let (st, loc, _) = send(
        &app,
        post(
            "/so-doi-thoai/N1",
            &rep,
            format!(
                "csrf={csrf}&ngay={}&noi_dung={}&chu_tri={}&chuc_vu={}&so_nguoi=45&van_de_neu=7&van_de_tra_loi=6",
                e(&today),
                e("Đối thoại về giải phóng mặt bằng đường liên xã"),
                e("Trần Văn Bình"),
                e("Chủ tịch UBND xã")
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/so-doi-thoai/N1?tb=ghi"));
    let (_, _, body) = send(&app, get("/so-doi-thoai/N1?tb=ghi", &rep)).await;
    assert!(body.contains("Đã ghi cuộc đối thoại vào sổ."), "{body}");
    assert!(
        body.contains("Đối thoại về giải phóng mặt bằng đường liên xã") && body.contains(">45<"),
        "{body}"
    );
    assert!(
        body.contains("<td>Trần Văn Bình, Chủ tịch UBND xã</td>")
            && body.contains("<td class=\"num\">7</td><td class=\"num\">6</td>"),
        "{body}"
    );
    // the Excel block: the book downloads in the import layout
    assert!(
        body.contains("href=\"/so-doi-thoai/N1/excel\"")
            && body.contains("action=\"/so-doi-thoai/N1/excel\""),
        "{body}"
    );
    let res = app
        .clone()
        .oneshot(get("/so-doi-thoai/N1/excel", &rep))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cd = res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cd.contains("so-doi-thoai-N1.xlsx"), "{cd}");
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    let rows = {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let first = wb.sheet_names()[0].clone();
        let r = wb.worksheet_range(&first).unwrap();
        r.rows()
            .map(|row| row.iter().map(|c| c.to_string()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    assert_eq!(rows[1][0], "Ngày đối thoại");
    assert!(
        rows.iter()
            .any(|r| r[1] == "Đối thoại về giải phóng mặt bằng đường liên xã"
                && r[3] == "Trần Văn Bình"
                && r[6] == "6"),
        "{rows:?}"
    );
    // the form's counts start at 0, the fixed lists are chosen from
    assert!(body.contains("name=\"van_de_neu\" value=\"0\""), "{body}");
    // more issues answered than raised: the reason, every typed value kept, nothing written
    let (st, _, body) = send(
        &app,
        post(
            "/so-doi-thoai/N1",
            &rep,
            format!(
                "csrf={csrf}&ngay={}&noi_dung={}&chu_tri={}&chuc_vu={}&so_nguoi=20&van_de_neu=3&van_de_tra_loi=5",
                e(&today),
                e("Đối thoại về nước sạch"),
                e("Lê Thị Hoa"),
                e("Bí thư Đảng ủy xã")
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("Số vấn đề đã trả lời (5) lớn hơn số vấn đề người dân nêu (3)"),
        "{body}"
    );
    assert!(
        body.contains("value=\"Đối thoại về nước sạch\"")
            && body.contains("name=\"chu_tri\" value=\"Lê Thị Hoa\"")
            && body.contains("name=\"chuc_vu\" value=\"Bí thư Đảng ủy xã\"")
            && body.contains("name=\"van_de_neu\" value=\"3\"")
            && body.contains("name=\"van_de_tra_loi\" value=\"5\""),
        "{body}"
    );

    // a bad date: the reason in Vietnamese, what was typed kept, nothing written
    let (st, _, body) = send(
        &app,
        post(
            "/so-doi-thoai/N1",
            &rep,
            format!(
                "csrf={csrf}&ngay=31/02/2026&noi_dung={}&chu_tri=X&chuc_vu=Y&so_nguoi=12",
                e("Đối thoại lần hai")
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("Ngày «31/02/2026» không hợp lệ (dạng dd/mm/yyyy)"),
        "{body}"
    );
    assert!(
        body.contains("value=\"31/02/2026\"")
            && body.contains("value=\"Đối thoại lần hai\"")
            && body.contains("value=\"12\""),
        "{body}"
    );
    // a date in the future: refused by the use case, the form kept
    let (st, _, body) = send(
        &app,
        post(
            "/so-doi-thoai/N1",
            &rep,
            format!(
                "csrf={csrf}&ngay={}&noi_dung={}&chu_tri=X&chuc_vu=Y",
                e(&tomorrow),
                e("Đối thoại lần ba")
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("ở tương lai"), "{body}");
    assert!(body.contains("value=\"Đối thoại lần ba\""), "{body}");
    let (_, _, body) = send(&app, get("/so-doi-thoai/N1", &rep)).await;
    assert!(
        !body.contains("Đối thoại lần hai")
            && !body.contains("Đối thoại lần ba")
            && !body.contains("<td>Đối thoại về nước sạch</td>"),
        "nothing written: {body}"
    );
    assert!(body.contains("<strong>1</strong> cuộc đối thoại"), "{body}");

    // an inspection and a model
    let (st, _, _) = send(
        &app,
        post(
            "/so-kiem-tra/N1",
            &rep,
            format!(
                "csrf={csrf}&ngay={}&loai=supervision&co_quan=front&noi_dung={}&doan={}&doi_tuong={}&ket_qua={}&kien_nghi=4&kien_nghi_xong=3",
                e(&today),
                e("Giám sát thực hiện quy chế dân chủ ở cơ sở"),
                e("Đoàn giám sát của Ủy ban MTTQ xã"),
                e("Thôn Đông, thôn Tây"),
                e("Hai thôn chưa công khai biên bản họp")
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, body) = send(&app, get("/so-kiem-tra/N1?tb=ghi", &rep)).await;
    assert!(
        body.contains("Giám sát thực hiện quy chế dân chủ ở cơ sở")
            && body.contains("<td>Giám sát</td>")
            && body.contains("<td>Mặt trận Tổ quốc</td>")
            && body.contains("<td>Thôn Đông, thôn Tây</td>")
            && body.contains("<td>Hai thôn chưa công khai biên bản họp</td>")
            && body.contains("<td class=\"num\">4</td><td class=\"num\">3</td>"),
        "{body}"
    );
    // the bodies are offered as a list, none chosen in advance
    assert!(
        body.contains("<option value=\"\" selected>— Chọn —</option>")
            && body.contains(
                "<option value=\"community_investment\">Ban Giám sát đầu tư của cộng đồng</option>"
            ),
        "{body}"
    );
    // more recommendations carried out than made, and an unknown body
    let (st, _, body) = send(
        &app,
        post(
            "/so-kiem-tra/N1",
            &rep,
            format!(
                "csrf={csrf}&ngay={}&loai=inspection&co_quan=peoples_inspection&noi_dung={}&doi_tuong={}&kien_nghi=1&kien_nghi_xong=2",
                e(&today),
                e("Kiểm tra công khai tài chính"),
                e("Bộ phận kế toán")
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("Số kiến nghị đã thực hiện (2) lớn hơn số kiến nghị đã nêu (1)"),
        "{body}"
    );
    assert!(
        body.contains("<option value=\"peoples_inspection\" selected>")
            && body.contains("name=\"kien_nghi_xong\" value=\"2\""),
        "{body}"
    );
    let (st, _, body) = send(
        &app,
        post(
            "/so-kiem-tra/N1",
            &rep,
            format!(
                "csrf={csrf}&ngay={}&loai=inspection&co_quan=cong_an&noi_dung=x&doi_tuong=y",
                e(&today)
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("«cong_an» không có trong danh sách"),
        "{body}"
    );
    let (st, _, body) = send(
        &app,
        post(
            "/so-kiem-tra/N1",
            &rep,
            format!("csrf={csrf}&ngay={}&loai=&noi_dung=x", e(&today)),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("Chưa chọn hình thức"), "{body}");
    let (st, _, _) = send(
        &app,
        post(
            "/so-mo-hinh/N1",
            &rep,
            format!(
                "csrf={csrf}&ngay={}&noi_dung={}&linh_vuc={}&chu_the=collective&cap=commune&nam_dang_ky={}&khen_thuong=1&khen_boi={}",
                e(&today),
                e("Tuyến đường hoa nông thôn mới"),
                e("Xây dựng nông thôn mới"),
                store.today().year(),
                e("Ban Thường vụ Đảng ủy xã")
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, body) = send(&app, get("/so-mo-hinh/N1", &rep)).await;
    assert!(
        body.contains("Tuyến đường hoa nông thôn mới") && body.contains("Xây dựng nông thôn mới"),
        "{body}"
    );
    assert!(
        body.contains("<td>Tập thể</td><td>Cấp xã</td>")
            && body.contains(&format!("<td class=\"num\">{}</td>", store.today().year()))
            && body.contains("<td>Có (Ban Thường vụ Đảng ủy xã)</td>"),
        "{body}"
    );
    // a fresh form: this year, commune level, collective
    assert!(
        body.contains(&format!(
            "name=\"nam_dang_ky\" value=\"{}\"",
            store.today().year()
        )) && body.contains("<option value=\"commune\" selected>Cấp xã</option>")
            && body.contains("Cấp huyện (trước 01/07/2025)"),
        "{body}"
    );
    // a district-level model recognised today (after July 2025): refused, kept
    let (st, _, body) = send(
        &app,
        post(
            "/so-mo-hinh/N1",
            &rep,
            format!(
                "csrf={csrf}&ngay={}&noi_dung={}&linh_vuc=x&chu_the=individual&cap=district&nam_dang_ky={}",
                e(&today),
                e("Mô hình cấp huyện"),
                store.today().year()
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("không còn cấp huyện"), "{body}");
    assert!(
        body.contains("<option value=\"district\" selected>")
            && body.contains("<option value=\"individual\" selected>"),
        "{body}"
    );
    let (_, _, body) = send(&app, get("/so-theo-doi/N1", &rep)).await;
    assert!(body.contains("<td class=\"num\">1</td>"), "{body}");

    // a reporter of another unit: refused, nothing written
    let (rep2, csrf2) = sign_in(&store, "rep2").await;
    for path in [
        "/so-doi-thoai/N1",
        "/so-kiem-tra/N1",
        "/so-mo-hinh/N1",
        "/so-theo-doi/N1",
    ] {
        let (st, _, _) = send(&app, get(path, &rep2)).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path}");
    }
    let (st, _, body) = send(
        &app,
        post(
            "/so-doi-thoai/N1",
            &rep2,
            format!(
                "csrf={csrf2}&ngay={}&noi_dung={}&chu_tri=X&chuc_vu=Y",
                e(&today),
                e("Ghi nhầm sổ")
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(body.contains("không có quyền"), "{body}");
    let (_, _, body) = send(&app, get("/so-doi-thoai/N1", &rep)).await;
    assert!(!body.contains("Ghi nhầm sổ"));

    // the office above: its subtree, with the unit of each entry, and no entry form
    let (office, _) = sign_in(&store, "vanphong").await;
    let (st, loc, _) = send(&app, get("/so-theo-doi", &office)).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/so-theo-doi/T"));
    let (st, _, body) = send(&app, get("/so-theo-doi/T", &office)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(
        body.contains("href=\"/so-doi-thoai/T?cay=1\">1</a>"),
        "the subtree's count links to the subtree's list: {body}"
    );
    let (st, loc, _) = send(&app, get("/so-theo-doi?don_vi=N1", &office)).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/so-theo-doi/N1"));
    let (st, _, body) = send(&app, get("/so-doi-thoai/T?cay=1", &office)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains("Đối thoại về giải phóng mặt bằng đường liên xã")
            && body.contains("<td>N1</td>"),
        "{body}"
    );
    assert!(!body.contains("Ghi vào sổ"), "{body}");
    let (_, _, body) = send(&app, get("/so-doi-thoai/N1", &office)).await;
    assert!(!body.contains("name=\"noi_dung\""), "no form above: {body}");
}

fn petition(who: &str, summary: &str, day: u32) -> PetitionInput {
    PetitionInput {
        kind: PetitionKind::KienNghi,
        channel: Channel::Direct,
        received_on: chrono::NaiveDate::from_ymd_opt(2026, 3, day).unwrap(),
        petitioners: vec![who.into()],
        summary: summary.into(),
        content: String::new(),
        forwarded_from: String::new(),
        remote: false,
        complexity: Complexity::Normal,
    }
}

fn rows_in(body: &str) -> usize {
    body.matches("<td><a href=\"/don/").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_petition_list_goes_by_pages_and_petitions_join_one_case() {
    let store = setup().await;
    let app = qcdc_web::server_router(store.clone(), false);
    let cli = store.system("test");
    for i in 0..53u32 {
        petitions::record(
            &cli,
            "N1",
            &petition(
                &format!("Người gửi số {i}"),
                &format!("Kiến nghị số {i} về việc {i}"),
                1 + i % 28,
            ),
        )
        .await
        .unwrap();
    }
    let (rep, csrf) = sign_in(&store, "rep1").await;
    let (st, _, body) = send(&app, get("/so-don/N1", &rep)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(rows_in(&body), 50, "{body}");
    assert!(
        body.contains("Tổng số: <strong>53</strong> đơn") && body.contains("Trang 1/2 · 53 dòng"),
        "{body}"
    );
    assert!(body.contains("href=\"/so-don/N1?trang=2\""), "{body}");
    let (_, _, body2) = send(&app, get("/so-don/N1?trang=2", &rep)).await;
    assert_eq!(rows_in(&body2), 3, "{body2}");
    assert!(body2.contains("Trang 2/2"), "{body2}");
    // no petition on both pages
    for i in 0..53 {
        let id = format!("<td><a href=\"/don/{}\">", i + 1);
        assert_eq!(
            body.contains(&id) as u8 + body2.contains(&id) as u8,
            1,
            "petition {} once",
            i + 1
        );
    }
    // the office's subtree view keeps its filter across pages
    let (office, _) = sign_in(&store, "vanphong").await;
    let (_, _, body) = send(&app, get("/so-don/T?cay=1", &office)).await;
    assert!(
        body.contains("href=\"/so-don/T?cay=1&amp;trang=2\""),
        "{body}"
    );

    // two petitions of the same people about the same matter: linked into one case
    let a = petitions::record(
        &cli,
        "N1",
        &petition(
            "Trần Thị Lan",
            "Kiến nghị sửa chữa cầu treo thôn Đông bị hư hỏng",
            2,
        ),
    )
    .await
    .unwrap()
    .id;
    let b = petitions::record(
        &cli,
        "N1",
        &petition(
            "Trần Thị Lan",
            "Kiến nghị sửa chữa cầu treo thôn Đông hư hỏng nặng",
            20,
        ),
    )
    .await
    .unwrap();
    assert_eq!(b.duplicates.iter().map(|c| c.id).collect::<Vec<_>>(), [a]);
    let b = b.id;
    let (_, _, body) = send(&app, get(&format!("/don/{b}"), &rep)).await;
    assert!(
        body.contains("Gộp đơn thành một vụ việc")
            && body.contains(&format!("name=\"don\" value=\"{a}\"")),
        "{body}"
    );
    // a typed number that is not one: refused in Vietnamese, nothing linked
    let (st, _, body) = send(
        &app,
        post(
            &format!("/don/{b}/vu-viec"),
            &rep,
            format!("csrf={csrf}&so_don=abc&ten=x"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("Số đơn «abc» không phải là số"), "{body}");
    // a reporter of another unit cannot link
    let (rep2, csrf2) = sign_in(&store, "rep2").await;
    let (st, _, _) = send(
        &app,
        post(
            &format!("/don/{b}/vu-viec"),
            &rep2,
            format!("csrf={csrf2}&don={a}&ten=x"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, _, body) = send(&app, get(&format!("/don/{a}"), &rep)).await;
    assert!(!body.contains("Vụ việc số"), "nothing linked yet: {body}");
    let (st, loc, _) = send(
        &app,
        post(
            &format!("/don/{b}/vu-viec"),
            &rep,
            format!("csrf={csrf}&don={a}&ten={}", e("Cầu treo thôn Đông")),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(loc, Some(format!("/don/{b}?tb=vu-viec")));
    let (_, _, body) = send(&app, get(&format!("/don/{b}?tb=vu-viec"), &rep)).await;
    assert!(
        body.contains("Đã gộp các đơn thành một vụ việc.")
            && body.contains("Cầu treo thôn Đông")
            && body.contains(&format!("href=\"/don/{a}\"")),
        "{body}"
    );
    let (_, _, body) = send(&app, get(&format!("/don/{a}"), &rep)).await;
    assert!(
        body.contains("Vụ việc số") && body.contains(&format!("href=\"/don/{b}\"")),
        "the other petition shows the case too: {body}"
    );
    // the list counts the case once: 53 single petitions + 1 case
    let (_, _, body) = send(&app, get("/so-don/N1", &rep)).await;
    assert!(
        body.contains("Tổng số: <strong>55</strong> đơn")
            && body.contains("Số vụ việc: <strong>54</strong>"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_petition_list_is_searched_by_name_with_or_without_diacritics() {
    let store = setup().await;
    let app = qcdc_web::server_router(store.clone(), false);
    let cli = store.system("test");
    for (who, summary, day) in [
        ("Nguyễn Văn An", "Kiến nghị sửa đường liên thôn", 2),
        ("Nguyễn Văn Bình", "Phản ánh ô nhiễm từ trại chăn nuôi", 3),
        ("Phạm Minh Tuấn", "Kiến nghị lắp đèn chiếu sáng", 4),
    ] {
        petitions::record(&cli, "N1", &petition(who, summary, day))
            .await
            .unwrap();
    }
    let (rep, _) = sign_in(&store, "rep1").await;
    let (st, _, body) = send(&app, get("/so-don/N1", &rep)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(rows_in(&body), 3, "{body}");
    assert!(
        body.contains("type=\"search\" name=\"q\" value=\"\""),
        "{body}"
    );
    for q in ["nguyen van", "Nguyễn Văn", "NGUYEN  VAN"] {
        let (st, _, body) = send(&app, get(&format!("/so-don/N1?q={}", e(q)), &rep)).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(rows_in(&body), 2, "{q}: {body}");
        assert!(
            body.contains("Nguyễn Văn An")
                && body.contains("Nguyễn Văn Bình")
                && !body.contains("Phạm Minh Tuấn"),
            "{q}: {body}"
        );
        // the search stays in the box, with a way back to the whole list
        assert!(
            body.contains(&format!("name=\"q\" value=\"{}\"", q.trim())) && body.contains("Bỏ tìm"),
            "{q}: {body}"
        );
    }
    // the summary is searched too
    let (_, _, body) = send(
        &app,
        get(&format!("/so-don/N1?q={}", e("den chieu sang")), &rep),
    )
    .await;
    assert_eq!(rows_in(&body), 1, "{body}");
    assert!(body.contains("Phạm Minh Tuấn"), "{body}");
    // the office above cannot find a petition by a name it is not shown
    let (office, _) = sign_in(&store, "vanphong").await;
    let (_, _, body) = send(&app, get("/so-don/T?cay=1", &office)).await;
    assert_eq!(rows_in(&body), 3, "{body}");
    let (st, _, body) = send(
        &app,
        get(&format!("/so-don/T?cay=1&q={}", e("nguyen van")), &office),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(rows_in(&body), 0, "{body}");
    assert!(
        body.contains("Không có đơn nào khớp với «nguyen van»"),
        "{body}"
    );
}
