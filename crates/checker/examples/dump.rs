//! Dumps every finding (with its figures) of a fixed set of inputs, to compare the
//! checker's output byte for byte before and after a change that must not alter it
//! (a development aid):
//!
//! ```text
//! cargo run --release -p qcdc-checker --example dump [SEEDS_DIR] > /tmp/findings.txt
//! ```
//!
//! The inputs: the seed texts (`SEEDS_DIR/*.txt`, default `/work/shared/seeds`),
//! every text of `tests/corpus/` and `tests/fixtures/`, each file also as one
//! paragraph (its lines trimmed and joined by spaces), and each of the three sets
//! joined into one paragraph; also an empty text and a one-line one.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn txt_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The lines of the texts, trimmed, joined by spaces (as `qcdc bench check` does).
fn paragraph(data: &[&[u8]]) -> Vec<u8> {
    let mut text = String::new();
    for d in data {
        if let Ok(doc) = qcdc_checker::read(d) {
            for l in &doc.lines {
                let t = l.text.trim();
                if !t.is_empty() {
                    text.push_str(t);
                    text.push(' ');
                }
            }
        }
    }
    text.into_bytes()
}

fn dump(out: &mut String, name: &str, bytes: &[u8]) {
    match qcdc_checker::read(bytes) {
        Ok(d) => {
            let _ = writeln!(
                out,
                "== {name} ({}, date {:?} {:?}, period {:?})",
                d.encoding, d.header.date, d.date_note, d.header.period
            );
            for f in qcdc_checker::check(&d) {
                let _ = writeln!(out, "{f:?}");
            }
        }
        Err(e) => {
            let _ = writeln!(out, "== {name}: {}", e.0);
        }
    }
}

fn main() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds_dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/seeds"));
    let sets = [
        ("seeds", txt_files(&seeds_dir)),
        ("corpus", txt_files(&here.join("tests/corpus"))),
        ("fixtures", txt_files(&here.join("tests/fixtures"))),
    ];
    let mut out = String::new();
    dump(&mut out, "empty", b"");
    dump(
        &mut out,
        "one line",
        "Tiếp nhận 89 đơn, trong đó: khiếu nại 14 đơn, tố cáo 3 đơn, kiến nghị 72 đơn; đã giải quyết 74 đơn, còn lại 15 đơn.".as_bytes(),
    );
    for (set, files) in &sets {
        let data: Vec<Vec<u8>> = files
            .iter()
            .map(|p| std::fs::read(p).unwrap_or_default())
            .collect();
        for (p, d) in files.iter().zip(&data) {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            dump(&mut out, &format!("{set}/{name}"), d);
            dump(
                &mut out,
                &format!("{set}/{name} as one paragraph"),
                &paragraph(&[d]),
            );
        }
        let all: Vec<&[u8]> = data.iter().map(Vec::as_slice).collect();
        dump(
            &mut out,
            &format!("{set}, all as one paragraph"),
            &paragraph(&all),
        );
    }
    print!("{out}");
}
