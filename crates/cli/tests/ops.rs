#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Running qcdc as an operator does: settings from flags, environment and a TOML
//! file in that order; Prometheus metrics on their own address; request ids and
//! JSON log lines.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use common::{Server, http, http_with, json};

/// `serve --show-config` with only the given environment: key → (value, source).
fn show_config(
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<BTreeMap<String, (String, String)>, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qcdc"));
    cmd.env_clear();
    if let Ok(path) = std::env::var("PATH") {
        cmd.env("PATH", path);
    }
    let o = cmd
        .envs(env.iter().copied())
        .arg("serve")
        .args(args)
        .arg("--show-config")
        .output()
        .unwrap();
    if !o.status.success() {
        return Err(String::from_utf8_lossy(&o.stderr).to_string());
    }
    Ok(String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let (k, rest) = l.split_once(" = ")?;
            let (v, src) = rest.rsplit_once(" (")?;
            Some((
                k.trim().to_string(),
                (v.trim().to_string(), src.trim_end_matches(')').to_string()),
            ))
        })
        .collect())
}

#[test]
fn settings_come_from_flags_then_environment_then_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("qcdc.toml");
    let data = dir.path().join("du-lieu");
    std::fs::write(
        &file,
        format!(
            r#"
addr = "127.0.0.1:1111"
data = "{}"
backup_keep = 3
backup_every_hours = 6
reminders_every = 5
cookie_secure = true
log_format = "json"
smtp_url = "smtp://bdv:bi-mat@mail.example.vn:587"
"#,
            data.display()
        ),
    )
    .unwrap();
    let conf = file.to_str().unwrap();
    let s = show_config(
        &["--config", conf, "--reminders-every", "7"],
        &[("QCDC_BACKUP_KEEP", "4"), ("QCDC_REMINDERS_EVERY", "6")],
    )
    .unwrap();
    let get = |k: &str| {
        s.get(k)
            .unwrap_or_else(|| panic!("{k} missing: {s:?}"))
            .clone()
    };
    let (file_, env, flag, default) = (
        "tệp cấu hình",
        "biến môi trường",
        "tham số dòng lệnh",
        "mặc định",
    );
    // flag > env > file
    assert_eq!(get("reminders_every"), ("7".into(), flag.into()));
    // env > file
    assert_eq!(get("backup_keep"), ("4".into(), env.into()));
    // file > default
    assert_eq!(get("addr"), ("127.0.0.1:1111".into(), file_.into()));
    assert_eq!(get("backup_every_hours"), ("6".into(), file_.into()));
    assert_eq!(get("data"), (data.display().to_string(), file_.into()));
    assert_eq!(get("cookie_secure"), ("true".into(), file_.into()));
    assert_eq!(get("log_format"), ("json".into(), file_.into()));
    // defaults
    assert_eq!(get("db_acquire_timeout"), ("30".into(), default.into()));
    assert_eq!(get("demo").0, "false");
    // a password in a URL is never printed
    assert_eq!(get("smtp_url").0, "smtp://bdv:***@mail.example.vn:587");
    // the file given by the environment, a flag still winning over it
    let s = show_config(&["--addr", "127.0.0.1:2222"], &[("QCDC_CONFIG", conf)]).unwrap();
    assert_eq!(s["addr"], ("127.0.0.1:2222".into(), flag.into()));
    assert_eq!(s["backup_keep"], ("3".into(), file_.into()));
    // without a file: flags, environment and defaults only
    let s = show_config(&[], &[("QCDC_ADDR", "127.0.0.1:3333")]).unwrap();
    assert_eq!(s["addr"], ("127.0.0.1:3333".into(), env.into()));
    assert_eq!(s["backup_keep"], ("7".into(), default.into()));

    // an unknown key and a value of the wrong kind stop the start, naming them
    std::fs::write(&file, "adress = \"127.0.0.1:1\"\n").unwrap();
    let e = show_config(&["--config", conf], &[]).unwrap_err();
    assert!(e.contains("adress") && e.contains("unknown setting"), "{e}");
    std::fs::write(&file, "backup_keep = \"nhiều\"\n").unwrap();
    let e = show_config(&["--config", conf], &[]).unwrap_err();
    assert!(e.contains("backup-keep") && e.contains("nhiều"), "{e}");
    std::fs::write(&file, "demo = \"có\"\n").unwrap();
    let e = show_config(&["--config", conf], &[]).unwrap_err();
    assert!(e.contains("demo") && e.contains("true hoặc false"), "{e}");
    std::fs::write(&file, "addr = [\n").unwrap();
    let e = show_config(&["--config", conf], &[]).unwrap_err();
    assert!(e.contains("TOML"), "{e}");
}

/// The value of the series of `name` whose labels include every one of `labels`.
fn series(metrics: &str, name: &str, labels: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| labels.iter().all(|x| l.contains(x)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[test]
fn metrics_request_ids_and_json_logs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("serve.log");
    let db = ["--data", data.to_str().unwrap()];
    let server = Server::start(
        &db,
        &["--log-format", "json", "--metrics-addr", "127.0.0.1:0"],
        &log,
    );
    let metrics_addr = server.lines[0]
        .split("http://")
        .nth(1)
        .unwrap()
        .trim()
        .trim_end_matches("/metrics")
        .to_string();

    // a request id given by the client (or a proxy) is kept and sent back
    let (st, head, _) = http_with(
        &server.addr,
        "GET",
        "/api/v1/health",
        &[("x-request-id", "kiem-tra-123")],
        None,
    )
    .unwrap();
    assert_eq!(st, 200);
    assert!(
        head.to_lowercase().contains("x-request-id: kiem-tra-123"),
        "{head}"
    );
    // otherwise one is made
    let (_, head, _) = http(&server.addr, "GET", "/api/v1/health", None, None).unwrap();
    let id = head
        .lines()
        .find_map(|l| {
            l.to_lowercase()
                .strip_prefix("x-request-id: ")
                .map(str::to_string)
        })
        .unwrap_or_else(|| panic!("no request id: {head}"));
    assert_eq!(id.trim().len(), 36, "a UUID: {id}");

    // failed sign-ins, and a route with a parameter
    for _ in 0..2 {
        let (st, _, _) = http(
            &server.addr,
            "POST",
            "/api/v1/auth/token",
            None,
            Some(r#"{"username": "khong-co", "password": "sai-mat-khau-2026"}"#),
        )
        .unwrap();
        assert_eq!(st, 401);
    }
    for id in [7, 8] {
        let (st, _, _) = http(
            &server.addr,
            "GET",
            &format!("/api/v1/rounds/{id}"),
            None,
            None,
        )
        .unwrap();
        assert_eq!(st, 401);
    }
    // not on the public address
    let (st, _, _) = http(&server.addr, "GET", "/metrics", None, None).unwrap();
    assert_eq!(st, 404, "/metrics is not public");

    let (st, head, m) = http(&metrics_addr, "GET", "/metrics", None, None).unwrap();
    assert_eq!(st, 200, "{head}");
    assert!(head.contains("text/plain"), "{head}");
    assert_eq!(
        series(
            &m,
            "qcdc_http_requests_total",
            &[
                r#"route="/api/v1/health""#,
                r#"status="200""#,
                r#"method="GET""#
            ]
        ),
        Some(2.0),
        "{m}"
    );
    // by route pattern, never the raw URL
    assert_eq!(
        series(
            &m,
            "qcdc_http_requests_total",
            &[r#"route="/api/v1/rounds/{id}""#, r#"status="401""#]
        ),
        Some(2.0),
        "{m}"
    );
    assert!(!m.contains("/api/v1/rounds/7"), "{m}");
    assert_eq!(
        series(
            &m,
            "qcdc_http_requests_total",
            &[r#"route="unmatched""#, r#"status="404""#]
        ),
        Some(1.0),
        "{m}"
    );
    assert!(
        series(
            &m,
            "qcdc_http_request_duration_seconds_bucket",
            &[r#"route="/api/v1/health""#, r#"le="+Inf""#]
        ) == Some(2.0),
        "{m}"
    );
    assert_eq!(
        series(&m, "qcdc_sign_in_failures_total", &[]),
        Some(2.0),
        "{m}"
    );
    assert!(
        series(&m, "qcdc_db_pool_connections", &[]).is_some_and(|n| n >= 1.0),
        "{m}"
    );
    assert!(
        series(&m, "qcdc_db_pool_idle_connections", &[]).is_some(),
        "{m}"
    );
    server.kill();

    // JSON log lines, the request's id on its line
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(json)
        .collect();
    let line = lines
        .iter()
        .find(|l| l["span"]["request_id"] == "kiem-tra-123")
        .unwrap_or_else(|| panic!("no log line with the request id: {text}"));
    assert_eq!(line["span"]["route"], "/api/v1/health", "{line}");
    assert_eq!(line["fields"]["status"], 200, "{line}");
    assert!(
        text.lines()
            .all(|l| l.trim().is_empty() || l.starts_with('{') || !l.contains("request")),
        "every request line is JSON: {text}"
    );
}
