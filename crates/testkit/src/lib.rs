//! Test support, used only as a dev-dependency (it never ships in the binary).
//!
//! A throwaway PostgreSQL server for tests, started from the machine's
//! `initdb`/`pg_ctl` (Debian's postgresql package). One server per test process,
//! one fresh database per call; a watchdog stops the server and removes its files
//! when the test process exits.

// test support: a failed set-up step should stop the test loudly
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use qcdc_core::unit::{Succession, UnitKind, UnitRecord};

struct Server {
    port: u16,
}

static SERVER: Mutex<Option<Server>> = Mutex::new(None);
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

fn pg_bin(name: &str) -> PathBuf {
    if let Ok(dirs) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = dirs
            .filter_map(Result::ok)
            .map(|d| d.path().join("bin").join(name))
            .filter(|p| p.exists())
            .collect();
        versions.sort();
        if let Some(p) = versions.pop() {
            return p;
        }
    }
    PathBuf::from(name)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL tool, as the `postgres` user when we are root (the server refuses root).
fn run_pg(tool: &str, args: &[&str]) -> std::process::Output {
    let bin = pg_bin(tool);
    let out = if is_root() {
        Command::new("runuser")
            .arg("-u")
            .arg("postgres")
            .arg("--")
            .arg(&bin)
            .args(args)
            .output()
    } else {
        Command::new(&bin).args(args).output()
    };
    out.unwrap_or_else(|e| {
        panic!(
            "cannot run {} (install Debian's postgresql package): {e}",
            bin.display()
        )
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start() -> Server {
    let own = OwnPg::launch();
    spawn_watchdog(&own.base, &own.data);
    let port = own.port;
    // the shared server lives as long as the process (the watchdog removes it)
    std::mem::forget(own);
    Server { port }
}

/// A throwaway PostgreSQL server of one test's own, which the test may stop and
/// start again (on the same port and data directory); stopped and removed when
/// dropped.
pub struct OwnPg {
    pub port: u16,
    base: PathBuf,
    data: String,
    opts: String,
    log: String,
}

impl OwnPg {
    /// Starts a new server (initdb + pg_ctl start).
    pub fn start() -> OwnPg {
        OwnPg::launch()
    }

    fn launch() -> OwnPg {
        let base =
            std::env::temp_dir().join(format!("qcdc-pg-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&base).expect("temp dir");
        let data = base.join("data");
        if is_root() {
            let ok = Command::new("chown")
                .arg("-R")
                .arg("postgres:postgres")
                .arg(&base)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "chown of the throwaway PostgreSQL directory failed");
        }
        let data_s = data.to_string_lossy().to_string();
        let out = run_pg(
            "initdb",
            &[
                "-D",
                &data_s,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let opts = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            base.display()
        );
        let log = base.join("log").to_string_lossy().to_string();
        let pg = OwnPg {
            port,
            base,
            data: data_s,
            opts,
            log,
        };
        pg.restart();
        pg
    }

    /// Starts the (stopped) server again on the same port and data directory.
    pub fn restart(&self) {
        let out = run_pg(
            "pg_ctl",
            &[
                "-D", &self.data, "-o", &self.opts, "-l", &self.log, "-w", "-t", "60", "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start failed: {} {}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    /// Stops the server the way an operator's restart does (`pg_ctl stop -m fast`:
    /// open connections are ended).
    pub fn stop(&self) {
        let out = run_pg("pg_ctl", &["-D", &self.data, "-m", "fast", "-w", "stop"]);
        assert!(
            out.status.success(),
            "pg_ctl stop failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// URL of a new empty database on this server.
    pub fn database(&self) -> String {
        let base = format!("postgres://postgres@127.0.0.1:{}", self.port);
        create_database(&base)
    }
}

impl Drop for OwnPg {
    fn drop(&mut self) {
        let _ = run_pg("pg_ctl", &["-D", &self.data, "-m", "immediate", "stop"]);
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// Stops the server and removes its files once this process is gone.
fn spawn_watchdog(base: &Path, data: &str) {
    let pg_ctl = pg_bin("pg_ctl");
    let stop = if is_root() {
        format!(
            "runuser -u postgres -- {} -D {data} -m immediate stop",
            pg_ctl.display()
        )
    } else {
        format!("{} -D {data} -m immediate stop", pg_ctl.display())
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {base}",
        pid = std::process::id(),
        base = base.display()
    );
    let _ = Command::new("setsid")
        .arg("sh")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// URL of a new empty database on the throwaway server (or on `QCDC_TEST_PG_URL`'s
/// server when set: a base URL such as `postgres://postgres@127.0.0.1:5432`).
pub fn fresh_pg_database() -> String {
    let base = match std::env::var("QCDC_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => u.trim_end_matches('/').to_string(),
        _ => {
            let mut guard = SERVER.lock().unwrap_or_else(|e| e.into_inner());
            let server = guard.get_or_insert_with(start);
            format!("postgres://postgres@127.0.0.1:{}", server.port)
        }
    };
    create_database(&base)
}

/// Creates a new database on the server at `base` and returns its URL.
fn create_database(base: &str) -> String {
    let name = format!(
        "qcdc_test_{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::SeqCst)
    );
    let port = base.rsplit(':').next().unwrap_or("5432").to_string();
    let out = Command::new(pg_bin("psql"))
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            &format!("CREATE DATABASE {name}"),
        ])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "CREATE DATABASE failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!("{base}/{name}")
}

/// URL of a new SQLite database in a temporary directory (kept until process exit).
pub fn fresh_sqlite_database() -> String {
    let dir = tempfile::Builder::new()
        .prefix("qcdc-test-")
        .tempdir()
        .expect("temp dir");
    let path = dir.path().join("qcdc.db");
    // the directory must outlive the pool; it is removed with the OS temp dir
    std::mem::forget(dir);
    format!("sqlite://{}", path.display())
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("ISO date in fixture")
}

/// A unit record for fixtures (ISO dates).
#[allow(clippy::too_many_arguments)]
pub fn rec(
    code: &str,
    name: &str,
    kind: UnitKind,
    parent: Option<&str>,
    from: &str,
    to: Option<&str>,
    preds: &[&str],
    succ: Option<Succession>,
) -> UnitRecord {
    UnitRecord {
        code: code.into(),
        name: name.into(),
        kind,
        parent: parent.map(str::to_string),
        valid_from: day(from),
        valid_to: to.map(day),
        predecessors: preds.iter().map(|s| s.to_string()).collect(),
        succession: succ,
    }
}

/// A province whose district was abolished on 1/7/2025 and whose communes merged.
pub fn sample_tree() -> Vec<(usize, UnitRecord)> {
    use UnitKind::*;
    let old = Some("2025-06-30");
    vec![
        rec(
            "T",
            "Tỉnh Lâm Viên",
            Province,
            None,
            "2000-01-01",
            None,
            &[],
            None,
        ),
        rec(
            "H",
            "Huyện Đam Rông",
            District,
            Some("T"),
            "2004-01-01",
            old,
            &[],
            None,
        ),
        rec(
            "X1",
            "Xã Đạ Tông",
            Commune,
            Some("H"),
            "2004-01-01",
            old,
            &[],
            None,
        ),
        rec(
            "X2",
            "Xã Đạ Long",
            Commune,
            Some("H"),
            "2004-01-01",
            old,
            &[],
            None,
        ),
        rec(
            "X3",
            "Xã Rô Men",
            Commune,
            Some("H"),
            "2004-01-01",
            old,
            &[],
            None,
        ),
        rec(
            "N1",
            "Xã Đam Rông 1",
            Commune,
            Some("T"),
            "2025-07-01",
            None,
            &["X1", "X2"],
            Some(Succession::Merged),
        ),
        rec(
            "N2",
            "Xã Đam Rông 2",
            Commune,
            Some("T"),
            "2025-07-01",
            None,
            &["X3"],
            Some(Succession::Renamed),
        ),
        rec(
            "S1",
            "Sở Nội vụ",
            Agency,
            Some("T"),
            "2000-01-01",
            None,
            &[],
            None,
        ),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, r)| (i + 2, r))
    .collect()
}
