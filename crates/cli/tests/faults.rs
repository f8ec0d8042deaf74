#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The real `qcdc serve` binary meeting the faults a server meets: killed with
//! SIGKILL in the middle of a load of saves and acceptances, started on a data
//! directory it cannot write, and PostgreSQL restarting under it. Each run is
//! bounded (a few seconds of load, a bounded wait for readiness).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Server, http, json, ok, qcdc};

/// The demo province's units, a round to every commune, and a token of a user
/// who reports for eight of them and manages the round: (round, units, token).
fn province_with_loader(d: &Path) -> (i64, Vec<String>, String) {
    let db = ["--data", d.to_str().unwrap()];
    let units = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/units.csv");
    ok(&qcdc(&db, &["units", "import", units.to_str().unwrap()]));
    let out = ok(&qcdc(
        &db,
        &[
            "rounds",
            "create",
            "--title",
            "Đợt thử tải",
            "--template",
            "qcdc-dinh-ky",
            "--period",
            "2099-H1",
            "--issuer",
            "LV",
            "--deadline",
            "20/06/2099",
            "--kinds",
            "commune",
        ],
    ));
    let round: i64 = out
        .split('#')
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("no round id in {out}"));
    let status = json(&ok(&qcdc(
        &db,
        &[
            "rounds",
            "status",
            "--round",
            &round.to_string(),
            "--format",
            "json",
        ],
    )));
    let units: Vec<String> = status["recipients"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "not_started")
        .map(|r| r["unit_code"].as_str().unwrap().to_string())
        .take(8)
        .collect();
    assert_eq!(units.len(), 8, "communes to load: {status}");
    let mut add = vec![
        "users",
        "add",
        "--username",
        "tai.thu",
        "--name",
        "Người thử tải",
        "--password",
        "Kiem-thu-tai-2026!x",
        "--role",
        "office:LV",
    ];
    let reporters: Vec<String> = units.iter().map(|u| format!("reporter:{u}")).collect();
    for r in &reporters {
        add.extend(["--role", r.as_str()]);
    }
    ok(&qcdc(&db, &add));
    let out = ok(&qcdc(&db, &["users", "token", "--username", "tai.thu"]));
    let token = out
        .split(|c: char| !c.is_ascii_hexdigit())
        .find(|w| w.len() == 64)
        .unwrap_or_else(|| panic!("no token in {out}"))
        .to_string();
    (round, units, token)
}

fn draft_body(i: i64) -> String {
    let sections: Vec<String> = [
        "I", "II.1", "II.2", "II.3", "II.4", "IV.1", "IV.2", "IV.3", "V.1",
    ]
    .iter()
    .map(|s| format!(r#""{s}": "Nội dung mục {s}, lần lưu {i}.""#))
    .collect();
    format!(
        r#"{{"values": {{"vb_tong": {}, "vb_cap_uy": {i}, "vb_chinh_quyen": {i}, "vb_bcd": {i}, "tcd_luot": {i}}}, "sections": {{{}}}}}"#,
        3 * i,
        sections.join(",")
    )
}

/// What the load saw for one unit.
#[derive(Debug, Default, Clone)]
struct Seen {
    /// The last save answered 2xx, and the last one sent.
    saved: Option<i64>,
    sent: i64,
    /// The figure of an accepted report (answered 2xx), or of an acceptance sent.
    accepted: Option<i64>,
    accept_sent: Option<i64>,
    submit_sent: Option<i64>,
    /// Answers that were neither 2xx nor a cut connection.
    refused: Vec<String>,
    /// Whether a request was cut by the kill.
    cut: bool,
}

#[test]
fn sigkill_during_saves_and_acceptances_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let (round, units, token) = province_with_loader(&d);
    let db = ["--data", d.to_str().unwrap()];
    let log = dir.path().join("serve.log");
    let server = Server::start(&db, &[], &log);
    let addr = server.addr.clone();

    let seen: Arc<Mutex<Vec<Seen>>> = Arc::new(Mutex::new(vec![Seen::default(); units.len()]));
    let workers: Vec<_> = units
        .iter()
        .enumerate()
        .map(|(k, unit)| {
            let (seen, unit, addr, token) =
                (seen.clone(), unit.clone(), addr.clone(), token.clone());
            std::thread::spawn(move || {
                let base = format!("/api/v1/rounds/{round}/submissions/{unit}");
                let note = |f: &dyn Fn(&mut Seen)| f(&mut seen.lock().unwrap()[k]);
                // half the units are accepted, at different moments; the others
                // keep saving until the kill
                let accept_at = (k % 2 == 0).then_some(3 + k as i64);
                for i in 1..=10_000 {
                    note(&|s| s.sent = i);
                    match http(
                        &addr,
                        "PUT",
                        &format!("{base}/draft"),
                        Some(&token),
                        Some(&draft_body(i)),
                    ) {
                        Ok((st, _, _)) if (200..300).contains(&st) => note(&|s| s.saved = Some(i)),
                        Ok((st, _, b)) => {
                            return note(&|s| s.refused.push(format!("save {st} {b}")));
                        }
                        Err(_) => return note(&|s| s.cut = true),
                    }
                    if Some(i) == accept_at {
                        note(&|s| s.submit_sent = Some(i));
                        match http(&addr, "POST", &format!("{base}/submit"), Some(&token), None) {
                            Ok((st, _, _)) if (200..300).contains(&st) => {}
                            Ok((st, _, b)) => {
                                return note(&|s| s.refused.push(format!("submit {st} {b}")));
                            }
                            Err(_) => return note(&|s| s.cut = true),
                        }
                        note(&|s| s.accept_sent = Some(i));
                        match http(&addr, "POST", &format!("{base}/accept"), Some(&token), None) {
                            Ok((st, _, _)) if (200..300).contains(&st) => {
                                return note(&|s| s.accepted = Some(i));
                            }
                            Ok((st, _, b)) => {
                                return note(&|s| s.refused.push(format!("accept {st} {b}")));
                            }
                            Err(_) => return note(&|s| s.cut = true),
                        }
                    }
                }
            })
        })
        .collect();

    // kill once the load is well under way: enough saves and acceptances
    // acknowledged (bounded wait; the test does not measure time)
    let start = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let s = seen.lock().unwrap();
        let saves: i64 = s.iter().filter_map(|u| u.saved).sum();
        let accepted = s.iter().filter(|u| u.accepted.is_some()).count();
        if (saves >= 40 && accepted >= 2) || start.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    server.kill();
    for w in workers {
        w.join().unwrap();
    }
    let seen = seen.lock().unwrap().clone();
    eprintln!(
        "killed after {} acknowledged saves and {} acceptances; {} requests cut",
        seen.iter().filter_map(|s| s.saved).sum::<i64>(),
        seen.iter().filter(|s| s.accepted.is_some()).count(),
        seen.iter().filter(|s| s.cut).count()
    );
    for (u, s) in units.iter().zip(&seen) {
        assert!(
            s.refused.is_empty(),
            "{u}: refused under load: {:?}",
            s.refused
        );
    }
    assert!(
        seen.iter().filter(|s| s.accepted.is_some()).count() >= 2,
        "acceptances before the kill: {seen:?}"
    );
    assert!(
        seen.iter().any(|s| s.accepted.is_none()),
        "some units were still saving when killed: {seen:?}"
    );
    assert!(
        seen.iter().any(|s| s.cut),
        "the kill cut requests in flight: {seen:?}"
    );

    // restart on the same directory: every acknowledged save and acceptance is there
    let server = Server::start(&db, &[], &dir.path().join("serve2.log"));
    for (unit, s) in units.iter().zip(&seen) {
        let (st, _, body) = http(
            &server.addr,
            "GET",
            &format!("/api/v1/rounds/{round}/submissions/{unit}"),
            Some(&token),
            None,
        )
        .unwrap();
        assert_eq!(st, 200, "{unit}: {body}");
        let v = json(&body);
        let status = v["status"].as_str().unwrap().to_string();
        let figure = v["values"]["tcd_luot"].as_f64().map(|f| f as i64);
        if let Some(i) = s.accepted {
            assert_eq!(
                status, "accepted",
                "{unit}: acknowledged acceptance lost: {v}"
            );
            assert_eq!(figure, Some(i), "{unit}: accepted figure");
        } else if let Some(i) = s.saved {
            // the acknowledged save, or a later one that was in flight
            let f = figure.unwrap_or_else(|| panic!("{unit}: acknowledged save {i} lost: {v}"));
            assert!(f >= i && f <= s.sent, "{unit}: {f} not in {i}..={}", s.sent);
            let allowed: &[&str] = match (s.submit_sent, s.accept_sent) {
                (_, Some(_)) => &["draft", "submitted", "accepted"],
                (Some(_), None) => &["draft", "submitted"],
                _ => &["draft"],
            };
            assert!(
                allowed.contains(&status.as_str()),
                "{unit}: {status} ({s:?})"
            );
        }
    }
    // the consolidation still works and the running totals equal a recomputation
    let (st, _, body) = http(&server.addr, "GET", "/api/v1/ready", None, None).unwrap();
    assert_eq!(st, 200, "{body}");
    drop(server);
    let out = ok(&qcdc(&db, &["verify-totals"]));
    assert!(out.contains("khớp"), "{out}");
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A read-only filesystem holding a copy of `src` (root: a read-only bind mount,
/// which root cannot write through); unmounted when dropped.
struct ReadOnly(PathBuf);

impl Drop for ReadOnly {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn bind_read_only(src: &Path, dst: &Path) -> Option<ReadOnly> {
    std::fs::create_dir_all(dst).ok()?;
    let run = |args: &[&str]| {
        Command::new("mount")
            .args(args)
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    if !run(&["--bind", src.to_str()?, dst.to_str()?]) {
        return None;
    }
    let guard = ReadOnly(dst.to_path_buf());
    run(&["-o", "remount,bind,ro", dst.to_str()?]).then_some(guard)
}

#[test]
fn a_read_only_data_directory_is_refused_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("data");
    // an existing database (migrated, templates loaded)
    ok(&qcdc(
        &["--data", src.to_str().unwrap()],
        &["templates", "list"],
    ));
    let (data, _guard) = if is_root() {
        // chmod does not stop root: use a read-only bind mount instead
        let dst = dir.path().join("ro");
        match bind_read_only(&src, &dst) {
            Some(g) => (dst, Some(g)),
            None => {
                eprintln!(
                    "SKIPPED: running as root and mount --bind/remount,ro is not permitted here, so no directory can be made read-only for root"
                );
                return;
            }
        }
    } else {
        let mut p = std::fs::metadata(&src).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut p, 0o555);
        std::fs::set_permissions(&src, p).unwrap();
        (src.clone(), None)
    };
    assert!(
        std::fs::File::create(data.join("probe")).is_err(),
        "the directory is really read-only"
    );
    let before = std::fs::read(data.join("qcdc.db")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_qcdc"))
        .arg("--data")
        .arg(&data)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        o.stdout.is_empty(),
        "it never listened: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(
        err.contains("không ghi được")
            && err.contains("not writable")
            && err.contains(data.to_str().unwrap()),
        "{err}"
    );
    assert_eq!(
        std::fs::read(data.join("qcdc.db")).unwrap(),
        before,
        "the database is untouched"
    );
    if !is_root() {
        let mut p = std::fs::metadata(&src).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut p, 0o755);
        std::fs::set_permissions(&src, p).unwrap();
    }
}

#[test]
fn postgres_restarting_under_the_server() {
    let pg = qcdc_testkit::OwnPg::start();
    let url = pg.database();
    let db = ["--database-url", url.as_str()];
    let units = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/units.csv");
    ok(&qcdc(&db, &["units", "import", units.to_str().unwrap()]));
    ok(&qcdc(
        &db,
        &[
            "users",
            "add",
            "--username",
            "xem",
            "--name",
            "Người xem",
            "--password",
            "Kiem-thu-xem-2026!x",
            "--role",
            "viewer:LV",
        ],
    ));
    let out = ok(&qcdc(&db, &["users", "token", "--username", "xem"]));
    let token = out
        .split(|c: char| !c.is_ascii_hexdigit())
        .find(|w| w.len() == 64)
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let mut server = Server::start(&db, &["--db-acquire-timeout", "2"], &log);
    let addr = server.addr.clone();
    let get = |path: &str, token: Option<&str>| http(&addr, "GET", path, token, None).unwrap();
    assert_eq!(get("/api/v1/ready", None).0, 200);
    let (st, _, before) = get("/api/v1/units", Some(&token));
    assert_eq!(st, 200, "{before}");

    pg.stop();
    for (path, token) in [
        ("/api/v1/ready", None),
        ("/api/v1/units", Some(token.as_str())),
    ] {
        let (st, _, body) = get(path, token);
        assert_eq!(st, 503, "{path} while PostgreSQL is down: {body}");
        assert_eq!(json(&body)["code"], "unavailable", "{path}: {body}");
    }
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "qcdc still runs"
    );

    pg.restart();
    // the pool reconnects by itself: wait (bounded) until the database answers
    let mut ready = false;
    for _ in 0..40 {
        if get("/api/v1/ready", None).0 == 200 {
            ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(
        ready,
        "ready again without restarting qcdc: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let (st, _, after) = get("/api/v1/units", Some(&token));
    assert_eq!(st, 200, "{after}");
    assert_eq!(
        json(&after),
        json(&before),
        "the same data after the restart"
    );
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the same qcdc process"
    );
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(!log.contains("panicked"), "{log}");
}
