#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The document pages through the router: the consolidation page and the documents
//! downloaded from it show the same totals (one view model: the page's table, the
//! .xlsx read back with calamine, the DOCX read back with the checker's reader);
//! "Soạn báo cáo tổng hợp" → edit → "Phát hành"; "Nộp từ Excel" shows every bad cell.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Data, DataType, Reader, Xlsx};
use chrono::{NaiveDate, TimeZone, Utc};
use http_body_util::BodyExt;
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::submissions::DraftChange;
use qcdc_app::{App, AppOptions, auth, rounds, submissions, templates, units, users};
use qcdc_core::access::Role;
use qcdc_core::number::parse_vn;
use qcdc_testkit::{fresh_sqlite_database, sample_tree};
use tower::ServiceExt;

const SECTIONS: &[&str] = &[
    "I", "II.1", "II.2", "II.3", "II.4", "IV.1", "IV.2", "IV.3", "V.1",
];

async fn report(app: &App, r: i64, unit: &str, values: &[(&str, i64)]) {
    let cx = app.system("test");
    let change = DraftChange {
        values: values
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v * 1000)))
            .collect(),
        sections: SECTIONS
            .iter()
            .map(|s| (s.to_string(), Some(format!("Mục {s} của {unit}."))))
            .collect(),
        reasons: Default::default(),
    };
    submissions::save_draft(&cx, r, unit, &change)
        .await
        .unwrap();
    submissions::submit(
        &cx,
        r,
        unit,
        Utc.with_ymd_and_hms(2026, 6, 1, 3, 0, 0).unwrap(),
    )
    .await
    .unwrap();
    submissions::accept(&cx, r, unit).await.unwrap();
}

async fn setup() -> (App, i64) {
    let app = App::open(&fresh_sqlite_database(), &AppOptions::default())
        .await
        .unwrap();
    let cx = app.system("test");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
    templates::load_files(&cx, &templates::read_dir(&dir).unwrap())
        .await
        .unwrap();
    units::import(&cx, sample_tree()).await.unwrap();
    for (u, role, unit) in [
        ("office", Role::Office, "T"),
        ("rep1", Role::Reporter, "N1"),
    ] {
        users::create(
            &cx,
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
    let r = rounds::create(
        &cx,
        &NewRound {
            title: "Báo cáo 6 tháng đầu năm 2026".into(),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: "2026-H1".parse().unwrap(),
            issuer: "T".into(),
            deadline: NaiveDate::from_ymd_opt(2026, 6, 20).unwrap(),
            letter: String::new(),
            recipients: RecipientSelector {
                units: vec!["N1".into(), "N2".into(), "S1".into()],
                ..Default::default()
            },
            confirm: false,
        },
        NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
    )
    .await
    .unwrap()
    .id;
    report(
        &app,
        r,
        "N1",
        &[
            ("vb_tong", 41),
            ("vb_cap_uy", 20),
            ("vb_chinh_quyen", 5),
            ("vb_bcd", 16),
            ("tcd_luot", 12),
        ],
    )
    .await;
    report(
        &app,
        r,
        "N2",
        &[
            ("vb_tong", 10),
            ("vb_cap_uy", 4),
            ("vb_chinh_quyen", 3),
            ("vb_bcd", 3),
            ("tcd_luot", 1234),
        ],
    )
    .await;
    (app, r)
}

struct Session {
    cookie: String,
    csrf: String,
}

async fn sign_in(app: &App, user: &str) -> Session {
    let (_, token) = auth::open_session(app, user, "mat-khau-demo", 1)
        .await
        .unwrap();
    Session {
        cookie: format!("{}={token}", qcdc_web::SESSION_COOKIE),
        csrf: auth::csrf_for(app, &token),
    }
}

async fn send(router: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let res = router.clone().oneshot(req).await.unwrap();
    let st = res.status();
    let h = res.headers().clone();
    (
        st,
        h,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

fn get(uri: &str, s: &Session) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .header(header::COOKIE, &s.cookie)
        .body(Body::empty())
        .unwrap()
}

fn post(uri: &str, s: &Session, body: String) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::COOKIE, &s.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The cells of each row of the first table after `marker`, tags stripped.
fn table_after(html: &str, marker: &str) -> Vec<Vec<String>> {
    let start = html.find(marker).unwrap();
    let end = start + html[start..].find("</table>").unwrap();
    html[start..end]
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = &cell[cell.find('>').unwrap() + 1..];
                    let inner = &inner[..inner.find("</td>").unwrap_or(inner.len())];
                    let mut text = String::new();
                    let mut in_tag = false;
                    for ch in inner.chars() {
                        match ch {
                            '<' => in_tag = true,
                            '>' => in_tag = false,
                            c if !in_tag => text.push(c),
                            _ => {}
                        }
                    }
                    unescape(text.trim())
                })
                .collect()
        })
        .collect()
}

/// `v` appears as a whole number in `text` (not inside a longer one).
fn printed(text: &str, v: &str) -> bool {
    let digit = |c: char| c.is_ascii_digit() || c == '.' || c == ',';
    text.match_indices(v).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(digit)
            && !text[i + v.len()..].chars().next().is_some_and(digit)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consolidation_page_and_its_documents_show_the_same_totals() {
    let (app, r) = setup().await;
    let router = qcdc_web::server_router(app.clone(), false);
    let office = sign_in(&app, "office").await;
    let (st, _, page) = send(&router, get(&format!("/dot/{r}/tong-hop/T"), &office)).await;
    assert_eq!(st, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("Soạn báo cáo tổng hợp"));
    // the page's totals by indicator name: name → shown value
    let t = submissions::template_of(&app.system("test"), r)
        .await
        .unwrap();
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in t.indicators() {
        by_name
            .entry(i.name.clone())
            .or_default()
            .push(i.code.clone());
    }
    let mut shown: BTreeMap<String, String> = BTreeMap::new();
    for cells in table_after(&page, "Kỳ này") {
        if cells.len() == 6
            && !cells[2].is_empty()
            && cells[2] != "xem từng đơn vị"
            && let Some([code]) = by_name.get(&cells[0]).map(Vec::as_slice)
            && t.indicator(code)
                .is_some_and(|i| i.aggregate == qcdc_core::template::Aggregate::Sum)
        {
            shown.insert(code.clone(), cells[2].clone());
        }
    }
    assert!(shown.len() >= 5, "{shown:?}");
    assert_eq!(shown.get("tcd_luot").map(String::as_str), Some("1.246"));
    // the same totals in the workbook, as numbers
    let (st, h, xlsx) = send(&router, get(&format!("/dot/{r}/tong-hop/T/excel"), &office)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        h[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(xlsx)).unwrap();
    let sheet = wb.worksheet_range("Tổng hợp").unwrap();
    let mut in_xlsx: BTreeMap<String, f64> = BTreeMap::new();
    for row in sheet.rows() {
        if let (Some(Data::String(code)), Some(v)) = (row.get(1), row.get(4))
            && let Some(n) = v.as_f64()
        {
            in_xlsx.insert(code.clone(), n);
        }
    }
    for (code, text) in &shown {
        let on_page = qcdc_core::number::to_f64(parse_vn(text).unwrap());
        assert_eq!(
            in_xlsx.get(code).copied(),
            Some(on_page),
            "{code}: page {text}"
        );
    }
    // and in the DOCX, as printed
    let (st, h, docx) = send(
        &router,
        get(&format!("/dot/{r}/tong-hop/T/tai?dinh_dang=docx"), &office),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        h[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let text: String = qcdc_checker::read(&docx)
        .unwrap()
        .lines
        .iter()
        .map(|l| format!("{}\n", l.text))
        .collect();
    for (code, v) in &shown {
        assert!(printed(&text, v), "{code} = {v} not printed in the DOCX");
    }

    // "Soạn báo cáo tổng hợp" → edit → "Phát hành"
    let (st, _, draft) = send(&router, get(&format!("/dot/{r}/tong-hop/T/soan"), &office)).await;
    assert_eq!(st, StatusCode::OK);
    let draft = String::from_utf8(draft).unwrap();
    assert!(
        draft.contains("Mục II.1 của N1. (Xã Đam Rông 1)"),
        "assembled with attribution"
    );
    let (st, _, _) = send(
        &router,
        post(
            &format!("/dot/{r}/tong-hop/T/soan"),
            &office,
            format!(
                "csrf={}&s.I=%C4%90%C3%A3+s%E1%BB%ADa+n%E1%BB%99i+dung.",
                office.csrf
            ),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, draft) = send(&router, get(&format!("/dot/{r}/tong-hop/T/soan"), &office)).await;
    assert!(
        String::from_utf8(draft)
            .unwrap()
            .contains("Đã sửa nội dung.")
    );
    let (st, _, _) = send(
        &router,
        post(
            &format!("/dot/{r}/tong-hop/T/phat-hanh"),
            &office,
            format!("csrf={}", office.csrf),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, draft) = send(
        &router,
        get(&format!("/dot/{r}/tong-hop/T/soan?tb=phat-hanh"), &office),
    )
    .await;
    let draft = String::from_utf8(draft).unwrap();
    assert!(
        draft.contains("đã phát hành số") && draft.contains("01/BC-BCĐ"),
        "{draft}"
    );
    let (_, h, _) = send(
        &router,
        get(&format!("/dot/{r}/tong-hop/T/tai?dinh_dang=docx"), &office),
    )
    .await;
    assert!(
        h[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("01-BC-BCD.docx")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excel_upload_lists_every_bad_cell_in_vietnamese() {
    let (app, r) = setup().await;
    let router = qcdc_web::server_router(app.clone(), false);
    // a fresh round so that N1's report is editable
    let cx = app.system("test");
    let r2 = rounds::create(
        &cx,
        &NewRound {
            title: "Đợt 2".into(),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: "2099-H1".parse().unwrap(),
            issuer: "T".into(),
            deadline: NaiveDate::from_ymd_opt(2099, 6, 20).unwrap(),
            letter: String::new(),
            recipients: RecipientSelector {
                units: vec!["N1".into()],
                ..Default::default()
            },
            confirm: false,
        },
        NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
    )
    .await
    .unwrap()
    .id;
    let rep = sign_in(&app, "rep1").await;
    let (st, _, page) = send(&router, get(&format!("/dot/{r2}/bao-cao/N1"), &rep)).await;
    assert_eq!(st, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("Tải biểu mẫu Excel") && page.contains("Nộp từ Excel"));
    assert!(page.contains("Tải báo cáo"));
    // the form of the other round is refused on the page, with its code, nothing saved
    let (st, _, other) = send(&router, get(&format!("/dot/{r}/bao-cao/N1/bieu-mau"), &rep)).await;
    assert_eq!(st, StatusCode::OK);
    let b = "XyZ";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{b}\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"bieu-mau.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n",
        rep.csrf
    )
    .into_bytes();
    body.extend_from_slice(&other);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let req = Request::builder()
        .method("POST")
        .uri(format!("/dot/{r2}/bao-cao/N1/nop-excel"))
        .header(header::COOKIE, &rep.cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={b}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (st, _, page) = send(&router, req).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains("không phải biểu mẫu của đợt báo cáo"),
        "{page}"
    );
    // no internal code reaches the page
    assert!(!page.contains("xlsx_wrong_form"), "{page}");
    let v = submissions::view(&cx, r2, "N1").await.unwrap();
    assert!(v.values.is_empty());

    // the round's own form: old → new is shown first and nothing is written until
    // confirmed. The form is downloaded with 3 lượt, the draft then says 5.
    let draft = |n: i64| DraftChange {
        values: [("tcd_luot".to_string(), Some(n * 1000))].into(),
        sections: Default::default(),
        reasons: Default::default(),
    };
    submissions::save_draft(&cx, r2, "N1", &draft(3))
        .await
        .unwrap();
    let (st, _, form) = send(
        &router,
        get(&format!("/dot/{r2}/bao-cao/N1/bieu-mau"), &rep),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    submissions::save_draft(&cx, r2, "N1", &draft(5))
        .await
        .unwrap();
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{b}\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"bieu-mau.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n",
        rep.csrf
    )
    .into_bytes();
    body.extend_from_slice(&form);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let req = Request::builder()
        .method("POST")
        .uri(format!("/dot/{r2}/bao-cao/N1/nop-excel"))
        .header(header::COOKIE, &rep.cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={b}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (st, _, page) = send(&router, req).await;
    assert_eq!(st, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("Xem trước khi nhập biểu mẫu Excel"), "{page}");
    assert!(page.contains("Xác nhận nhập vào bản nháp"), "{page}");
    let v = submissions::view(&cx, r2, "N1").await.unwrap();
    assert_eq!(
        v.values.get("tcd_luot"),
        Some(&5.0),
        "nothing written before confirming"
    );
    // confirming posts the form's figures as a draft save
    let (st, h, _) = send(
        &router,
        post(
            &format!("/dot/{r2}/bao-cao/N1/luu"),
            &rep,
            format!("csrf={}&nguon=excel&v.tcd_luot=3", rep.csrf),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(h[header::LOCATION].to_str().unwrap().ends_with("?tb=excel"));
    let v = submissions::view(&cx, r2, "N1").await.unwrap();
    assert_eq!(v.values.get("tcd_luot"), Some(&3.0));
    // an upload over the limit: a Vietnamese message, 413
    let mut big = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{b}\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"x.xlsx\"\r\n\r\n",
        rep.csrf
    )
    .into_bytes();
    big.extend(std::iter::repeat_n(b'x', 50 * 1024 * 1024));
    big.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let req = Request::builder()
        .method("POST")
        .uri(format!("/dot/{r2}/bao-cao/N1/nop-excel"))
        .header(header::COOKIE, &rep.cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={b}"),
        )
        .body(Body::from(big))
        .unwrap();
    let (st, _, page) = send(&router, req).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(String::from_utf8(page).unwrap().contains("quá lớn"));
}
