//! Helpers shared by the tests that run the real `qcdc` binary: running a
//! command, starting `qcdc serve` and speaking HTTP/1.1 to it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub fn templates() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates")
}

/// `qcdc` with a data directory (SQLite) or a database URL.
pub fn qcdc(db: &[&str], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qcdc"))
        .args(db)
        .arg("--templates")
        .arg(templates())
        .args(args)
        .output()
        .expect("qcdc runs")
}

pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A running `qcdc serve`; its stderr goes to `log`.
pub struct Server {
    pub child: Child,
    pub addr: String,
    /// Further lines the server printed on stdout (the metrics address).
    pub lines: Vec<String>,
}

impl Server {
    pub fn start(db: &[&str], extra: &[&str], log: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qcdc"))
            .args(db)
            .arg("--templates")
            .arg(templates())
            .args(["serve", "--addr", "127.0.0.1:0", "--reminders-every", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .unwrap_or_else(|| {
                panic!(
                    "no address in {line:?}: {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                )
            })
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        let mut lines = Vec::new();
        if extra.contains(&"--metrics-addr") {
            let mut l = String::new();
            out.read_line(&mut l).unwrap();
            lines.push(l);
        }
        // keep reading stdout so the server never writes into a closed pipe
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = out.read_to_string(&mut rest);
        });
        Server { child, addr, lines }
    }

    /// SIGKILL: no shutdown, no flush, nothing the program can do.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request; `Err` when the connection fails (the server is gone).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> std::io::Result<(u16, String, String)> {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|a| vec![("Authorization", a)])
        .unwrap_or_default();
    http_with(addr, method, path, &headers, body)
}

/// [`http`] with any headers; answers (status, head, body).
pub fn http_with(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<(u16, String, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let auth: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: qcdc\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let resp = String::from_utf8_lossy(&resp).to_string();
    let Some((head, rest)) = resp.split_once("\r\n\r\n") else {
        return Err(std::io::Error::other(format!("cut answer: {resp:?}")));
    };
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status: {head:?}")))?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Ok((status, head.to_string(), body))
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

pub fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}
