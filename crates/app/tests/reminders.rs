#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Reminders on SQLite and PostgreSQL, with e-mail delivered to a real SMTP
//! server started by the test (a small SMTP sink on loopback: EHLO/HELO, MAIL,
//! RCPT, DATA, QUIT): scheduled reminders go out once however often (and from
//! however many tasks at once) they run, only to the units that have not sent,
//! as in-app notices for their users and as Vietnamese e-mails naming the round,
//! the deadline (dd/mm/yyyy) and the link; the office reminds by hand; every
//! reminder and every e-mail, sent or failed, is in the round's history.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use qcdc_app::reminders::{self, Target};
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::submissions::DraftChange;
use qcdc_app::{
    App, AppOptions, Ctx, ErrorCode, MailConfig, Mailer, PageReq, auth, notices, rounds,
    submissions, templates, units, users,
};
use qcdc_core::access::Role;
use qcdc_core::reminder::Schedule;
use qcdc_testkit::{fresh_pg_database, fresh_sqlite_database, sample_tree};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const PW: &str = "mat-khau-demo";

/// One message the sink accepted: its recipients and raw text.
type Received = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// A tiny SMTP server on loopback that accepts every message and keeps it.
async fn smtp_sink() -> (u16, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got: Received = Arc::default();
    let keep = got.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            tokio::spawn(smtp_session(s, keep.clone()));
        }
    });
    (port, got)
}

async fn smtp_session(s: TcpStream, got: Received) {
    let (r, mut w) = s.into_split();
    let mut r = BufReader::new(r);
    let _ = w.write_all(b"220 sink.local ESMTP\r\n").await;
    let mut rcpt = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
            break;
        }
        let up = line.to_ascii_uppercase();
        let answer: &[u8] = if up.starts_with("EHLO") {
            b"250-sink.local\r\n250 8BITMIME\r\n"
        } else if up.starts_with("HELO") {
            b"250 sink.local\r\n"
        } else if up.starts_with("MAIL FROM") {
            rcpt.clear();
            b"250 OK\r\n"
        } else if up.starts_with("RCPT TO") {
            let addr = line
                .split_once('<')
                .and_then(|(_, a)| a.split_once('>'))
                .map(|(a, _)| a.to_string())
                .unwrap_or_default();
            rcpt.push(addr);
            b"250 OK\r\n"
        } else if up.starts_with("DATA") {
            let _ = w
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await;
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if r.read_line(&mut l).await.unwrap_or(0) == 0 || l == ".\r\n" {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
            }
            got.lock().unwrap().push((rcpt.clone(), data));
            b"250 OK queued\r\n"
        } else if up.starts_with("QUIT") {
            let _ = w.write_all(b"221 Bye\r\n").await;
            break;
        } else if up.starts_with("RSET") || up.starts_with("NOOP") {
            b"250 OK\r\n"
        } else {
            b"502 Command not implemented\r\n"
        };
        if w.write_all(answer).await.is_err() {
            break;
        }
    }
}

fn mailer(port: u16) -> Mailer {
    Mailer::new(MailConfig {
        smtp_url: format!("smtp://127.0.0.1:{port}"),
        from: "Ban Dân vận Tỉnh ủy <bdv@example.vn>".into(),
        public_url: "https://qcdc.example.vn/".into(),
    })
    .unwrap()
}

async fn user(app: &App, name: &str, role: Role, unit: &str, email: Option<&str>) -> Ctx {
    users::create_with_email(
        &app.system("test"),
        &users::NewUser {
            username: name.into(),
            full_name: name.into(),
            password: PW.into(),
            roles: vec![(role, unit.into())],
        },
        email,
    )
    .await
    .unwrap();
    auth::verify_password(app, name, PW).await.unwrap()
}

/// 10:00 in Vietnam on `day`.
fn at(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(3, 0, 0).unwrap())
}

struct Fixture {
    app: App,
    round: i64,
    deadline: NaiveDate,
    office: Ctx,
    rep_n1: Ctx,
    rep_n1b: Ctx,
    rep_s1: Ctx,
    admin_n1: Ctx,
}

async fn setup(url: &str) -> Fixture {
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
    let office = user(&app, "office_t", Role::Office, "T", Some("vp@example.vn")).await;
    let rep_n1 = user(
        &app,
        "rep_n1",
        Role::Reporter,
        "N1",
        Some("rep1@example.vn"),
    )
    .await;
    let rep_n1b = user(&app, "rep_n1b", Role::Reporter, "N1", None).await;
    let _rep_n2 = user(
        &app,
        "rep_n2",
        Role::Reporter,
        "N2",
        Some("rep2@example.vn"),
    )
    .await;
    let rep_s1 = user(
        &app,
        "rep_s1",
        Role::Reporter,
        "S1",
        Some("rep3@example.vn"),
    )
    .await;
    let admin_n1 = user(&app, "admin_n1", Role::Admin, "N1", Some("it@example.vn")).await;
    let deadline = NaiveDate::from_ymd_opt(2099, 6, 20).unwrap();
    let round = rounds::create(
        &office,
        &NewRound {
            confirm: false,
            title: "Báo cáo 6 tháng đầu năm 2099".into(),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: "2099-H1".parse().unwrap(),
            issuer: "T".into(),
            deadline,
            letter: String::new(),
            recipients: RecipientSelector {
                units: vec!["N1".into(), "N2".into(), "S1".into()],
                ..Default::default()
            },
        },
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    )
    .await
    .unwrap()
    .id;
    // S1 has sent; N2 has a draft; N1 has not started
    let mut c = DraftChange::default();
    for s in [
        "I", "II.1", "II.2", "II.3", "II.4", "IV.1", "IV.2", "IV.3", "V.1",
    ] {
        c.sections.insert(s.into(), Some("Nội dung".into()));
    }
    c.values.insert("vb_tong".into(), Some(0));
    submissions::save_draft(&rep_s1, round, "S1", &c)
        .await
        .unwrap();
    submissions::submit(&rep_s1, round, "S1", Utc::now())
        .await
        .unwrap();
    let rep_n2 = auth::verify_password(&app, "rep_n2", PW).await.unwrap();
    submissions::save_draft(&rep_n2, round, "N2", &c)
        .await
        .unwrap();
    Fixture {
        app,
        round,
        deadline,
        office,
        rep_n1,
        rep_n1b,
        rep_s1,
        admin_n1,
    }
}

fn parsed(raw: &str) -> (String, String) {
    let m = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap();
    (
        m.subject().unwrap_or_default().to_string(),
        m.body_text(0).unwrap_or_default().to_string(),
    )
}

async fn history(f: &Fixture) -> Vec<String> {
    rounds::history(&f.office, f.round, PageReq::new(1, 500))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.action == "reminder")
        .map(|e| e.new_value.unwrap_or_default())
        .collect()
}

async fn scheduled_reminders(url: &str) {
    let f = setup(url).await;
    let (port, got) = smtp_sink().await;
    f.app.set_mailer(Some(mailer(port)));
    let server = f.app.system("lich-nhac");
    let d = f.deadline;

    // five days before: nothing due yet
    let r = reminders::run_due(&server, at(d - Duration::days(5)))
        .await
        .unwrap();
    assert_eq!(r.sent.units, 0);
    // three days before: N1 (two users) and N2 (one), not S1 which has sent
    let r = reminders::run_due(&server, at(d - Duration::days(3)))
        .await
        .unwrap();
    assert_eq!((r.rounds, r.sent.units, r.sent.notices), (1, 2, 3), "{r:?}");
    assert_eq!((r.sent.mails_sent, r.sent.mails_failed), (2, 0), "{r:?}");
    assert_eq!(r.sent.without_mail, 1, "rep_n1b has no address");
    {
        let got = got.lock().unwrap();
        let mut to: Vec<&str> = got
            .iter()
            .flat_map(|(r, _)| r.iter().map(|s| s.as_str()))
            .collect();
        to.sort_unstable();
        assert_eq!(to, ["rep1@example.vn", "rep2@example.vn"]);
        let raw = &got
            .iter()
            .find(|(r, _)| r == &["rep1@example.vn"])
            .unwrap()
            .1;
        let (subject, body) = parsed(raw);
        assert_eq!(
            subject,
            "Nhắc nộp báo cáo «Báo cáo 6 tháng đầu năm 2099» — hạn nộp 20/06/2099"
        );
        assert!(body.contains("Kính gửi Xã Đam Rông 1,"), "{body}");
        assert!(
            body.contains("hạn nộp 20/06/2099. Còn 3 ngày đến hạn nộp."),
            "{body}"
        );
        assert!(
            body.contains(&format!(
                "https://qcdc.example.vn/dot/{}/bao-cao/N1",
                f.round
            )),
            "{body}"
        );
        assert!(raw.contains("bdv@example.vn"), "{raw}");
    }
    // run again the same day, the next day, twice at once: nothing more
    for day in [d - Duration::days(3), d - Duration::days(2)] {
        let r = reminders::run_due(&server, at(day)).await.unwrap();
        assert_eq!(r.sent.units, 0, "{day}");
    }
    let other_server = f.app.system("lich-nhac-2");
    let (a, b) = tokio::join!(
        reminders::run_due(&server, at(d)),
        reminders::run_due(&other_server, at(d))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent.units + b.sent.units, 2, "{a:?} {b:?}");
    assert_eq!(a.sent.mails_sent + b.sent.mails_sent, 2);
    assert_eq!(got.lock().unwrap().len(), 4, "one e-mail per user per slot");
    let (subject, body) = parsed(&got.lock().unwrap()[3].1);
    assert!(subject.contains("20/06/2099"));
    assert!(body.contains("Hôm nay là hạn nộp."), "{body}");

    // the notices: rep_n1 and rep_n1b have two each; S1 and the commune admin none
    for cx in [&f.rep_n1, &f.rep_n1b] {
        assert_eq!(notices::unread_count(cx).await.unwrap(), 2);
    }
    for cx in [&f.rep_s1, &f.admin_n1, &f.office] {
        assert_eq!(notices::unread_count(cx).await.unwrap(), 0);
    }
    let list = notices::list(&f.rep_n1, 50).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].link, format!("/dot/{}/bao-cao/N1", f.round));
    assert!(
        list[0].title.contains("hạn nộp 20/06/2099"),
        "{:?}",
        list[0]
    );
    // marking: someone else's notice changes nothing; one, then all
    assert_eq!(
        notices::mark_read(&f.rep_s1, Some(list[0].id))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        notices::mark_read(&f.rep_n1, Some(list[0].id))
            .await
            .unwrap(),
        1
    );
    assert_eq!(notices::unread_count(&f.rep_n1).await.unwrap(), 1);
    notices::mark_read(&f.rep_n1, None).await.unwrap();
    assert_eq!(notices::unread_count(&f.rep_n1).await.unwrap(), 0);
    assert_eq!(notices::unread_count(&f.rep_n1b).await.unwrap(), 2);

    // the history: each reminder, each e-mail
    let h = history(&f).await;
    assert_eq!(
        h.iter()
            .filter(|x| x.starts_with(
                "Nhắc trước hạn (tự động) — Xã Đam Rông 1: thông báo trong ứng dụng cho 2 tài khoản"
            ))
            .count(),
        1,
        "{h:#?}"
    );
    assert_eq!(
        h.iter()
            .filter(|x| x.starts_with("Thư điện tử tới rep1@example.vn") && x.ends_with("đã gửi"))
            .count(),
        2,
        "{h:#?}"
    );
    assert!(!h.iter().any(|x| x.contains("Sở Nội vụ")), "{h:#?}");

    // overdue: the day after, then every 3 days, at most 3 times
    let mut overdue = 0;
    for n in 1..=15 {
        overdue += reminders::run_due(&server, at(d + Duration::days(n)))
            .await
            .unwrap()
            .sent
            .units;
    }
    assert_eq!(overdue, 3 * 2);

    // a schedule turned off sends nothing; a new deadline starts a new schedule
    let s = reminders::set_schedule(
        &f.office,
        f.round,
        Schedule {
            enabled: false,
            ..Schedule::default()
        },
    )
    .await
    .unwrap();
    assert!(s.stored && s.description.contains("Không nhắc"));
    let new_deadline = d + Duration::days(40);
    rounds::extend_deadline(&f.office, f.round, new_deadline, "gia hạn", d)
        .await
        .unwrap();
    assert_eq!(
        reminders::run_due(&server, at(new_deadline))
            .await
            .unwrap()
            .sent
            .units,
        0
    );
    reminders::set_schedule(&f.office, f.round, Schedule::default())
        .await
        .unwrap();
    assert_eq!(
        reminders::run_due(&server, at(new_deadline))
            .await
            .unwrap()
            .sent
            .units,
        2
    );
    // only the office of the issuer changes the schedule; only the server runs it
    for cx in [&f.rep_n1, &f.admin_n1] {
        assert_eq!(
            reminders::set_schedule(cx, f.round, Schedule::default())
                .await
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
    }
    assert_eq!(
        reminders::run_due(&f.office, at(d)).await.unwrap_err().code,
        ErrorCode::Forbidden
    );
    assert!(
        reminders::set_schedule(
            &f.office,
            f.round,
            Schedule {
                overdue_max: 99,
                ..Schedule::default()
            }
        )
        .await
        .is_err()
    );
}

async fn reminders_by_hand(url: &str) {
    let f = setup(url).await;
    let (port, got) = smtp_sink().await;
    f.app.set_mailer(Some(mailer(port)));
    let before = at(f.deadline - Duration::days(10));
    // only overdue: none yet
    assert_eq!(
        reminders::send(
            &f.office,
            f.round,
            &Target::NotSent { overdue_only: true },
            before
        )
        .await
        .unwrap_err()
        .code,
        ErrorCode::InvalidInput
    );
    // a unit that has sent is not reminded
    assert_eq!(
        reminders::send(&f.office, f.round, &Target::Unit("S1".into()), before)
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidTransition
    );
    // the reporters and the commune admin may not remind
    for cx in [&f.rep_n1, &f.admin_n1] {
        assert_eq!(
            reminders::send(cx, f.round, &Target::Unit("N1".into()), before)
                .await
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
    }
    assert!(got.lock().unwrap().is_empty(), "refusals send nothing");
    // one unit, then all that have not sent (twice by hand is twice)
    let r = reminders::send(&f.office, f.round, &Target::Unit("N2".into()), before)
        .await
        .unwrap();
    assert_eq!((r.units, r.notices, r.mails_sent), (1, 1, 1));
    assert!(r.describe_vi().contains("Đã nhắc 1 đơn vị"));
    let r = reminders::send(
        &f.office,
        f.round,
        &Target::NotSent {
            overdue_only: false,
        },
        before,
    )
    .await
    .unwrap();
    assert_eq!((r.units, r.notices, r.mails_sent), (2, 3, 2));
    assert_eq!(got.lock().unwrap().len(), 3);
    // overdue ones after the deadline
    let late = at(f.deadline + Duration::days(2));
    let r = reminders::send(
        &f.office,
        f.round,
        &Target::NotSent { overdue_only: true },
        late,
    )
    .await
    .unwrap();
    assert_eq!(r.units, 2);
    let (_, body) = parsed(&got.lock().unwrap().last().unwrap().1);
    assert!(body.contains("quá hạn 2 ngày"), "{body}");

    // the SMTP server is gone: the notice stays, the failure is in the history
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    f.app.set_mailer(Some(mailer(closed)));
    let r = reminders::send(&f.office, f.round, &Target::Unit("N1".into()), late)
        .await
        .unwrap();
    assert_eq!(
        (r.units, r.notices, r.mails_sent, r.mails_failed),
        (1, 2, 0, 1)
    );
    assert!(r.describe_vi().contains("không gửi được"));
    let h = history(&f).await;
    assert!(
        h.iter()
            .any(|x| x.starts_with("Thư điện tử tới rep1@example.vn")
                && x.contains("không gửi được")),
        "{h:#?}"
    );
    assert!(
        h.iter()
            .any(|x| x.starts_with("Nhắc thủ công — Xã Đam Rông 2")),
        "{h:#?}"
    );

    // no SMTP server: in-app only, said in words
    f.app.set_mailer(None);
    let st = reminders::mail_status(&f.office).await.unwrap();
    assert!(!st.configured && st.explanation.contains("Chưa cấu hình"));
    assert_eq!(
        reminders::mail_status(&f.rep_n1).await.unwrap_err().code,
        ErrorCode::Forbidden
    );
    let r = reminders::send(&f.office, f.round, &Target::Unit("N1".into()), late)
        .await
        .unwrap();
    assert_eq!(
        (r.units, r.notices, r.mails_sent, r.mails_failed),
        (1, 2, 0, 0)
    );
    assert!(!r.mail_configured);
    assert!(r.describe_vi().contains("chưa cấu hình máy chủ thư"));
    let h = history(&f).await;
    assert!(
        h[0].contains("không gửi thư điện tử vì chưa cấu hình máy chủ thư"),
        "{h:#?}"
    );
    // a closed round takes no reminder
    rounds::set_state(&f.office, f.round, qcdc_core::round::RoundState::Closed)
        .await
        .unwrap();
    assert_eq!(
        reminders::send(
            &f.office,
            f.round,
            &Target::NotSent {
                overdue_only: false
            },
            late
        )
        .await
        .unwrap_err()
        .code,
        ErrorCode::InvalidTransition
    );
    assert_eq!(
        reminders::run_due(&f.app.system("lich-nhac"), late)
            .await
            .unwrap()
            .sent
            .units,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_reminders_go_out_once_sqlite() {
    scheduled_reminders(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_reminders_go_out_once_postgres() {
    scheduled_reminders(&fresh_pg_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_reminds_by_hand_sqlite() {
    reminders_by_hand(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_reminds_by_hand_postgres() {
    reminders_by_hand(&fresh_pg_database()).await;
}

/// One unit given more time: its own deadline after the round's, with the reason
/// in the history and a notice to its reporters; it is not overdue, not reminded
/// as overdue, and sends on time before its own deadline — while the others stay
/// overdue. Refusals change nothing.
async fn one_unit_extended(url: &str) {
    let f = setup(url).await;
    let d = f.deadline;
    let day = |n: i64| d + Duration::days(n);
    let today = day(-10);
    // refusals: not the office, not after the round's deadline, a unit that has
    // sent, a unit that is not in the tree, no reason
    let e = rounds::extend_unit_deadline(&f.rep_n1, f.round, "N1", day(10), "ốm", today)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = rounds::extend_unit_deadline(&f.office, f.round, "N1", d, "lý do", today)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("20/06/2099"), "{}", e.message);
    let e = rounds::extend_unit_deadline(&f.office, f.round, "S1", day(10), "lý do", today)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidTransition);
    let e = rounds::extend_unit_deadline(&f.office, f.round, "KHONG-CO", day(10), "lý do", today)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownUnit);
    let e = rounds::extend_unit_deadline(&f.office, f.round, "N1", day(10), "  ", today)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    let v = submissions::view(&f.office, f.round, "N1").await.unwrap();
    assert_eq!(v.deadline, "20/06/2099", "a refusal changes nothing");

    rounds::extend_unit_deadline(&f.office, f.round, "N1", day(10), "Xã bị ngập lụt", today)
        .await
        .unwrap();
    // the history and the unit's notice
    let h = rounds::history(&f.office, f.round, PageReq::new(1, 500))
        .await
        .unwrap();
    let entry = h
        .items
        .iter()
        .find(|e| e.action == "unit_deadline")
        .expect("history entry");
    assert_eq!(entry.old_value.as_deref(), Some("20/06/2099"));
    let new = entry.new_value.clone().unwrap_or_default();
    assert!(
        new.contains("30/06/2099") && new.contains("Xã bị ngập lụt"),
        "{new}"
    );
    for rep in [&f.rep_n1, &f.rep_n1b] {
        let n = notices::list(rep, 50).await.unwrap();
        assert!(
            n.iter()
                .any(|x| x.title.contains("30/06/2099") && x.body.contains("ngập lụt")),
            "{n:?}"
        );
    }
    assert!(
        notices::list(&f.rep_s1, 50)
            .await
            .unwrap()
            .iter()
            .all(|x| !x.title.contains("gia hạn")),
        "only the extended unit is told"
    );

    // past the round's deadline: N2 (a draft) is overdue, N1 is not
    let st = rounds::status(
        &f.office,
        f.round,
        None,
        &Default::default(),
        PageReq::new(1, 50),
        day(5),
    )
    .await
    .unwrap();
    assert_eq!(st.counts.overdue, 1, "{:?}", st.counts);
    let line = |code: &str| {
        st.recipients
            .items
            .iter()
            .find(|l| l.unit_code == code)
            .cloned()
            .unwrap()
    };
    assert!(!line("N1").overdue);
    assert_eq!(line("N1").own_deadline.as_deref(), Some("30/06/2099"));
    assert!(line("N2").overdue);
    assert_eq!(line("N2").own_deadline, None);
    // the unit's to-do counts down to its own deadline
    let todo = rounds::todo(&f.rep_n1, day(5)).await.unwrap();
    let t = todo.iter().find(|t| t.round.id == f.round).unwrap();
    assert_eq!(
        (t.days_left, t.deadline_display.as_str()),
        (5, "30/06/2099")
    );

    // scheduled reminders the day after the round's deadline: N2 only
    let server = f.app.system("lich-nhac");
    let r = reminders::run_due(&server, at(day(1))).await.unwrap();
    assert_eq!(r.sent.units, 1, "{r:?}");
    // "remind the overdue ones" by hand: N2 only
    let r = reminders::send(
        &f.office,
        f.round,
        &Target::NotSent { overdue_only: true },
        at(day(5)),
    )
    .await
    .unwrap();
    assert_eq!(r.units, 1, "{r:?}");
    let reminded: Vec<String> = history(&f).await;
    assert_eq!(reminded.len(), 2, "{reminded:?}");
    assert!(
        reminded.iter().all(|h| !h.contains("Xã Đam Rông 1")),
        "{reminded:?}"
    );
    // three days before its own deadline, N1's scheduled reminder names it
    let r = reminders::run_due(&server, at(day(7))).await.unwrap();
    assert!(r.sent.units >= 1, "{r:?}");
    let n = notices::list(&f.rep_n1, 50).await.unwrap();
    assert!(
        n.iter().any(|x| x.title.contains("hạn nộp 30/06/2099")),
        "{n:?}"
    );

    // N1 sends before its own deadline: on time
    let mut c = DraftChange::default();
    for s in [
        "I", "II.1", "II.2", "II.3", "II.4", "IV.1", "IV.2", "IV.3", "V.1",
    ] {
        c.sections.insert(s.into(), Some("Nội dung".into()));
    }
    c.values.insert("vb_tong".into(), Some(0));
    submissions::save_draft(&f.rep_n1, f.round, "N1", &c)
        .await
        .unwrap();
    let v = submissions::submit(&f.rep_n1, f.round, "N1", at(day(8)))
        .await
        .unwrap();
    assert_eq!(v.deadline, "30/06/2099");
    let st = rounds::status(
        &f.office,
        f.round,
        None,
        &Default::default(),
        PageReq::new(1, 50),
        day(9),
    )
    .await
    .unwrap();
    assert_eq!(
        (st.counts.on_time, st.counts.late, st.counts.overdue),
        (2, 0, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_unit_extended_sqlite() {
    one_unit_extended(&fresh_sqlite_database()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_unit_extended_postgres() {
    one_unit_extended(&fresh_pg_database()).await;
}
