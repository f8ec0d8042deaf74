#![allow(clippy::unwrap_used, clippy::expect_used)]
//! End-to-end flows in a real headless Chromium (Debian's chromium + chromium-driver):
//! a reporter drafts, saves, reloads, submits; the office returns; the reporter fixes
//! and resubmits; the office accepts and sees the totals change. Every role is refused
//! another unit's report. Bad input keeps what was typed. A clerk reaches the
//! registers from the menu and records a dialogue with the keyboard alone.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::{App, AppOptions, rounds, templates, units, users};
use qcdc_core::access::Role;
use qcdc_testkit::{fresh_sqlite_database, sample_tree};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver() -> (Driver, u16) {
    let port = free_port();
    let bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("chromedriver (Debian package chromium-driver) is installed by scripts/test");
    let child = Command::new(bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (Driver(child), port)
}

async fn browser(driver_port: u16) -> Client {
    let profile = tempfile::tempdir().unwrap().keep();
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1366,768",
                     format!("--user-data-dir={}", profile.display())]
        }
    });
    let caps = caps.as_object().unwrap().clone();
    ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("chromium starts")
}

/// A server with the sample province, a round, and users of every role.
async fn server() -> (String, i64) {
    let store = App::open(&fresh_sqlite_database(), &AppOptions::default())
        .await
        .unwrap();
    let cli = store.system("test");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
    templates::load_files(&cli, &templates::read_dir(&dir).unwrap())
        .await
        .unwrap();
    units::import(&cli, sample_tree()).await.unwrap();
    let users = [
        ("rep1", Role::Reporter, "N1"),
        ("office", Role::Office, "T"),
        ("viewer", Role::Viewer, "T"),
        ("admin", Role::Admin, "T"),
        ("rep2", Role::Reporter, "N2"),
        ("office2", Role::Office, "N2"),
        ("viewer2", Role::Viewer, "N2"),
        ("admin2", Role::Admin, "N2"),
    ];
    for (u, r, unit) in users {
        users::create(
            &cli,
            &users::NewUser {
                username: u.into(),
                full_name: format!("Người dùng {u}"),
                password: "mat-khau-demo".into(),
                roles: vec![(r, unit.into())],
            },
        )
        .await
        .unwrap();
    }
    let round = rounds::create(
        &cli,
        &NewRound {
            confirm: false,
            title: "Báo cáo QCDC 6 tháng đầu năm 2099".into(),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: "2099-H1".parse().unwrap(),
            issuer: "T".into(),
            deadline: chrono::NaiveDate::from_ymd_opt(2099, 6, 20).unwrap(),
            letter: "Đề nghị các đơn vị báo cáo.".into(),
            recipients: RecipientSelector {
                kinds: vec![],
                max_depth: None,
                units: vec!["N1".into(), "N2".into(), "S1".into()],
            },
        },
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    )
    .await
    .unwrap()
    .id;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = qcdc_web::server_router(store, false);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), round)
}

async fn sign_in(c: &Client, base: &str, user: &str) {
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/dang-nhap")).await.unwrap();
    c.find(Locator::Css("#username"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys("mat-khau-demo")
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/dang-nhap'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("header .who"))
        .await
        .unwrap();
}

async fn text(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn fill(c: &Client, name: &str, value: &str) {
    let el = c
        .find(Locator::Css(&format!("[name='{name}']")))
        .await
        .unwrap();
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

/// Words of the code that must never reach a page: status codes, English action
/// names, rule kinds, doubled labels.
const INTERNAL_WORDS: [&str; 14] = [
    "submit",
    "status",
    "merged:",
    "reporter —",
    "not_started",
    "draft",
    "accepted",
    "returned",
    "sum/ratio",
    "Trong đó: Trong đó",
    "trong đó: Trong đó",
    "undefined",
    "null",
    "round_",
];

async fn no_internal_words(c: &Client) {
    let t = text(c).await;
    for w in INTERNAL_WORDS {
        assert!(
            !t.contains(w),
            "«{w}» shows on {}: {t}",
            c.current_url().await.unwrap()
        );
    }
}

async fn wait_text(c: &Client, css: &str, needle: &str) -> String {
    for _ in 0..100 {
        if let Ok(el) = c.find(Locator::Css(css)).await
            && let Ok(t) = el.text().await
            && t.contains(needle)
        {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("«{needle}» never appeared in {css}: {}", text(c).await);
}

const SECTIONS: [&str; 9] = [
    "I", "II.1", "II.2", "II.3", "II.4", "IV.1", "IV.2", "IV.3", "V.1",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_return_fix_accept_and_permissions() {
    let (base, round) = server().await;
    let (_driver, port) = start_driver().await;
    let c = browser(port).await;
    let report = format!("{base}/dot/{round}/bao-cao/N1");

    // the reporter drafts and saves; a reload finds the draft
    sign_in(&c, &base, "rep1").await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/viec-can-lam")
    );
    assert!(text(&c).await.contains("Báo cáo QCDC 6 tháng đầu năm 2099"));
    c.goto(&report).await.unwrap();
    fill(
        &c,
        "s.I",
        "Tình hình chính trị ổn định, Nhân dân đồng thuận.",
    )
    .await;
    fill(&c, "v.vb_tong", "41").await;
    fill(&c, "v.vb_cap_uy", "20").await;
    fill(&c, "v.vb_chinh_quyen", "5").await;
    fill(&c, "v.vb_bcd", "17").await;
    fill(&c, "v.tcd_luot", "1.234").await;
    c.find(Locator::Css("button[name='luu']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#save-status", "Đã lưu").await;
    c.refresh().await.unwrap();
    let v = c
        .find(Locator::Css("[name='v.tcd_luot']"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(v.as_deref(), Some("1.234"));
    assert!(
        text(&c).await.contains("Tổng các thành phần"),
        "the parts do not add up: shown next to the figures"
    );

    // a report file uploaded into the draft: first old → new, the draft unchanged
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bao-cao.txt");
    std::fs::write(
        &file,
        "I. KHÁI QUÁT ĐẶC ĐIỂM, TÌNH HÌNH\nNội dung lấy từ tệp báo cáo của xã.\n\nII. KẾT QUẢ\n1. Công tác lãnh đạo của cấp ủy\nCấp ủy ban hành các văn bản chỉ đạo.\n",
    )
    .unwrap();
    c.find(Locator::Css("form[action$='/nhap-tep'] input[name='tep']"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("form[action$='/nhap-tep'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let preview = wait_text(&c, "main", "Xem trước khi nhập tệp").await;
    assert!(
        preview.contains("Tình hình chính trị ổn định") && preview.contains("Nội dung lấy từ tệp"),
        "{preview}"
    );
    no_internal_words(&c).await;
    c.goto(&report).await.unwrap();
    let kept = c
        .find(Locator::Css("[name='s.I']"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some("Tình hình chính trị ổn định, Nhân dân đồng thuận."),
        "nothing changed before confirming"
    );
    // upload again and confirm this time
    c.find(Locator::Css("form[action$='/nhap-tep'] input[name='tep']"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("form[action$='/nhap-tep'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "main", "Xem trước khi nhập tệp").await;
    c.find(Locator::XPath(
        "//button[contains(., 'Xác nhận nhập vào bản nháp')]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_text(&c, ".flash.ok", "Đã nhập nội dung của tệp").await;
    let now = c
        .find(Locator::Css("[name='s.I']"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert!(now.unwrap_or_default().contains("Nội dung lấy từ tệp"));
    fill(
        &c,
        "s.I",
        "Tình hình chính trị ổn định, Nhân dân đồng thuận.",
    )
    .await;

    // a malformed number: a clear message, the typed text stays on the page
    fill(&c, "v.tcd_nguoi", "1.124.5").await;
    c.find(Locator::Css("button[name='luu']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#fb-tcd_nguoi", "không hợp lệ").await;
    // the error summary at the top lists it as a link to the field
    let link = c
        .find(Locator::Css(".error-summary a[href='#v.tcd_nguoi']"))
        .await
        .unwrap();
    assert!(link.text().await.unwrap().contains("không hợp lệ"));
    let typed = c
        .find(Locator::Css("[name='v.tcd_nguoi']"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(typed.as_deref(), Some("1.124.5"));
    fill(&c, "v.tcd_nguoi", "1.300").await;

    // the session expires while typing: autosave says so, the text stays on the page
    c.delete_all_cookies().await.unwrap();
    fill(&c, "v.dth_cuoc", "7").await;
    c.find(Locator::Css("button[name='luu']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#save-status", "hết hạn").await;
    assert_eq!(
        c.find(Locator::Css("[name='v.dth_cuoc']"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("7")
    );
    let kept: serde_json::Value = c
        .execute(
            "return JSON.parse(localStorage.getItem(arguments[0])).data['v.dth_cuoc']",
            vec![serde_json::json!(format!("qcdc-draft:{round}:N1"))],
        )
        .await
        .unwrap();
    assert_eq!(kept, "7", "the browser keeps its own copy");
    sign_in(&c, &base, "rep1").await;
    c.execute("localStorage.clear()", vec![]).await.unwrap();
    c.goto(&report).await.unwrap();
    fill(&c, "v.tcd_nguoi", "1.300").await;

    // submit with the required sections missing: refused, nothing lost
    c.find(Locator::Css("input[name='xac_nhan']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("button#send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, ".flash.err", "lỗi cần sửa").await;
    for s in SECTIONS {
        fill(&c, &format!("s.{s}"), &format!("Nội dung mục {s}.")).await;
    }
    fill(&c, "v.vb_bcd", "16").await;
    c.find(Locator::Css("button[name='luu']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#save-status", "Đã lưu").await;
    c.find(Locator::Css("input[name='xac_nhan']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("button#send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, ".flash.ok", "Đã gửi").await;
    assert!(text(&c).await.contains("Đã gửi"));

    // the office sees it and returns it with a reason
    sign_in(&c, &base, "office").await;
    c.goto(&format!("{base}/dot/{round}")).await.unwrap();
    let t = text(&c).await;
    assert!(t.contains("Xã Đam Rông 1") && t.contains("Đã gửi"), "{t}");
    c.goto(&report).await.unwrap();
    fill(&c, "ly_do", "Đề nghị bổ sung số liệu đối thoại.").await;
    no_internal_words(&c).await;
    c.find(Locator::Css("form[action$='/tra-lai'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // returning asks for confirmation first
    c.accept_alert().await.unwrap();
    wait_text(&c, ".flash.ok", "trả lại").await;

    // the reporter sees why, fixes and resubmits
    sign_in(&c, &base, "rep1").await;
    c.goto(&report).await.unwrap();
    wait_text(&c, ".flash.err", "Đề nghị bổ sung số liệu đối thoại.").await;
    no_internal_words(&c).await;
    // the last keystrokes go with "Gửi" at once: no save in between, no waiting
    c.find(Locator::Css("input[name='xac_nhan']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&c, "v.dth_cuoc", "3").await;
    c.find(Locator::Css("button#send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, ".flash.ok", "Đã gửi").await;
    let sent = c
        .find(Locator::XPath(
            "//tr[td[starts-with(normalize-space(.), 'Số cuộc đối thoại trực tiếp')]]/td[3]",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        sent, "3",
        "the figure typed just before sending is in the sent report"
    );
    no_internal_words(&c).await;

    // the office accepts; the consolidated totals change
    sign_in(&c, &base, "office").await;
    c.goto(&format!("{base}/dot/{round}/tong-hop/T"))
        .await
        .unwrap();
    let before = text(&c).await;
    assert!(!before.contains("1.234"), "nothing accepted yet");
    c.goto(&report).await.unwrap();
    no_internal_words(&c).await;
    c.find(Locator::Css("form[action$='/tiep-nhan'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.accept_alert().await.unwrap();
    wait_text(&c, ".flash.ok", "tiếp nhận").await;
    no_internal_words(&c).await;
    c.goto(&format!("{base}/dot/{round}/tong-hop/T"))
        .await
        .unwrap();
    let after = text(&c).await;
    assert!(
        after.contains("1.234") && after.contains("1 / 1"),
        "{after}"
    );

    // a deadline in the past: a clear message, the form keeps what was typed
    c.goto(&format!("{base}/dot/moi")).await.unwrap();
    fill(&c, "title", "Đợt thử").await;
    c.find(Locator::Css(
        "select[name='period'] option[value='2026-H1']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    fill(&c, "deadline", "01/01/2020").await;
    c.find(Locator::Css(
        "select[name='template'] option[value='qcdc-dinh-ky']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.find(Locator::Css("input[name='kind'][value='commune']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/dot/moi'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, ".flash.err", "đã qua").await;
    assert_eq!(
        c.find(Locator::Css("[name='title']"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Đợt thử")
    );

    // every role is refused another unit's report
    for user in ["rep2", "office2", "viewer2", "admin2"] {
        sign_in(&c, &base, user).await;
        c.goto(&report).await.unwrap();
        let t = text(&c).await;
        assert!(t.contains("không có quyền"), "{user} saw N1's report: {t}");
        assert!(!t.contains("Tình hình chính trị ổn định"), "{user}");
    }
    // an expired session: the page asks to sign in again
    c.delete_all_cookies().await.unwrap();
    c.goto(&report).await.unwrap();
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/dang-nhap")
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_keeps_a_register_with_the_keyboard_only() {
    use fantoccini::key::Key;
    let (base, _) = server().await;
    let (_driver, port) = start_driver().await;
    let c = browser(port).await;
    sign_in(&c, &base, "rep1").await;
    // the top menu leads to the unit's registers
    c.find(Locator::LinkText("Sổ theo dõi"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "h1", "Sổ theo dõi").await;
    no_internal_words(&c).await;
    c.find(Locator::Css("a[href='/so-doi-thoai/N1']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "h1", "Sổ theo dõi đối thoại trực tiếp").await;
    // the date is focused and holds today; Tab to the topic, the leader's name and
    // position, the number of participants, Enter
    let today =
        qcdc_core::period::format_date(qcdc_core::period::today_in_vietnam(chrono::Utc::now()));
    let date = c.active_element().await.unwrap();
    assert_eq!(date.attr("name").await.unwrap().as_deref(), Some("ngay"));
    assert_eq!(date.prop("value").await.unwrap(), Some(today));
    let tab = char::from(Key::Tab).to_string();
    let enter = char::from(Key::Enter).to_string();
    date.send_keys(&tab).await.unwrap();
    let topic = c.active_element().await.unwrap();
    assert_eq!(
        topic.attr("name").await.unwrap().as_deref(),
        Some("noi_dung")
    );
    topic.send_keys("Đối thoại về nước sạch").await.unwrap();
    topic.send_keys(&tab).await.unwrap();
    let leader = c.active_element().await.unwrap();
    assert_eq!(
        leader.attr("name").await.unwrap().as_deref(),
        Some("chu_tri")
    );
    leader.send_keys("Nguyễn Văn Hùng").await.unwrap();
    leader.send_keys(&tab).await.unwrap();
    let position = c.active_element().await.unwrap();
    position.send_keys("Chủ tịch UBND xã").await.unwrap();
    position.send_keys(&tab).await.unwrap();
    let people = c.active_element().await.unwrap();
    assert_eq!(
        people.attr("name").await.unwrap().as_deref(),
        Some("so_nguoi")
    );
    people.send_keys("120").await.unwrap();
    people.send_keys(&enter).await.unwrap();
    wait_text(&c, ".flash.ok", "Đã ghi cuộc đối thoại vào sổ.").await;
    let t = text(&c).await;
    assert!(
        t.contains("Đối thoại về nước sạch")
            && t.contains("120")
            && t.contains("Nguyễn Văn Hùng, Chủ tịch UBND xã"),
        "{t}"
    );
    no_internal_words(&c).await;
    // a bad date: the reason in Vietnamese, what was typed kept
    let date = c.active_element().await.unwrap();
    assert_eq!(date.attr("name").await.unwrap().as_deref(), Some("ngay"));
    date.clear().await.unwrap();
    date.send_keys("32/13/2026").await.unwrap();
    date.send_keys(&tab).await.unwrap();
    let topic = c.active_element().await.unwrap();
    topic.send_keys("Đối thoại lỗi ngày").await.unwrap();
    topic.send_keys(&tab).await.unwrap();
    let leader = c.active_element().await.unwrap();
    leader.send_keys("Nguyễn Văn Hùng").await.unwrap();
    leader.send_keys(&tab).await.unwrap();
    let position = c.active_element().await.unwrap();
    position.send_keys("Chủ tịch UBND xã").await.unwrap();
    position.send_keys(&enter).await.unwrap();
    wait_text(&c, ".flash.err", "không hợp lệ").await;
    assert_eq!(
        c.find(Locator::Css("[name='noi_dung']"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Đối thoại lỗi ngày")
    );
    let t = text(&c).await;
    assert!(t.contains(": 1 cuộc đối thoại"), "nothing written: {t}");
    c.close().await.unwrap();
}
