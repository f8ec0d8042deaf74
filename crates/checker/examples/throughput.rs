//! MB/s of `read` + `check` (release build) on the three inputs of the performance
//! goal, in one run:
//!
//! ```text
//! cargo run --release -p qcdc-checker --example throughput [SEEDS_DIR]
//! ```
//!
//! (a) the seed texts (`SEEDS_DIR/*.txt`, default `/work/shared/seeds`, else
//! `tests/fixtures` without the generated layout), (b) every report text of
//! `tests/corpus/` (the `*.txt` beside the answer keys), (c) one ~5 MB paragraph made
//! the way `qcdc bench check` makes it: the seeds' lines, trimmed, joined by spaces,
//! repeated up to 5 000 000 bytes.
//!
//! Each input is timed for at least one second (and five rounds); the best round is
//! reported (wall time), with the CPU time per pass beside it, since the machine may
//! be shared.

/// The allocator of the `qcdc` binary, which `qcdc bench check` runs with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::time::Instant;

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

/// Same construction as `qcdc_cli::check::single_paragraph`.
fn single_paragraph(data: &[Vec<u8>], mb: usize) -> Vec<u8> {
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
    let mut out = String::with_capacity(mb * 1_000_000 + text.len());
    while out.len() < mb * 1_000_000 {
        out.push_str(&text);
    }
    out.into_bytes()
}

/// User CPU seconds of this process so far.
fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = s
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    f.get(11).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0) / 100.0
}

fn measure(what: &str, data: &[Vec<u8>]) {
    let pass = || {
        let mut n = 0;
        for d in data {
            if let Ok(doc) = qcdc_checker::read(d) {
                n += std::hint::black_box(qcdc_checker::check(&doc)).len();
            }
        }
        n
    };
    let findings = pass();
    let mut best = f64::MAX;
    let start = Instant::now();
    let c0 = cpu();
    let mut rounds = 0;
    while start.elapsed().as_secs_f64() < 1.0 || rounds < 5 {
        let s = Instant::now();
        pass();
        best = best.min(s.elapsed().as_secs_f64());
        rounds += 1;
    }
    let cpu_per = (cpu() - c0) / rounds as f64;
    let mb = data.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    println!(
        "{what}: {} files, {mb:.3} MB, {findings} findings: best {:.1} ms = {:.1} MB/s \
         (CPU {:.1} ms/pass = {:.1} MB/s, {rounds} rounds)",
        data.len(),
        best * 1000.0,
        mb / best,
        cpu_per * 1000.0,
        mb / cpu_per
    );
}

fn main() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds_dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/seeds"));
    let mut seeds = txt_files(&seeds_dir);
    if seeds.is_empty() {
        seeds = txt_files(&here.join("tests/fixtures"));
        seeds.retain(|p| !p.to_string_lossy().contains("generated"));
    }
    let read = |v: &[PathBuf]| -> Vec<Vec<u8>> {
        v.iter()
            .map(|p| std::fs::read(p).unwrap_or_default())
            .collect()
    };
    let seeds = read(&seeds);
    let corpus = read(&txt_files(&here.join("tests/corpus")));
    measure("(a) seeds", &seeds);
    measure("(b) corpus", &corpus);
    let one = vec![single_paragraph(&seeds, 5)];
    measure("(c) 5 MB paragraph", &one);
}
