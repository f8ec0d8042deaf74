//! `qcdc check`: the report checker from the command line.

use std::path::PathBuf;
use std::process::ExitCode;

use qcdc_checker::{Finding, Severity};
use serde_json::json;

use crate::cli::CheckFormat;

/// Checks files; 0 = no error-level finding, 1 = some, 2 = a file could not be read
/// (or the date given is not a date).
pub fn run(files: &[PathBuf], format: CheckFormat, date: Option<&str>) -> ExitCode {
    let mut unreadable = false;
    let mut errors = false;
    let mut results = Vec::new();
    let date = match date.map(qcdc_core::period::parse_date) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            outln!("Lỗi [invalid_date]: --date: {e}");
            return ExitCode::from(2);
        }
    };
    for f in files {
        let outcome = std::fs::read(f)
            .map_err(|e| e.to_string())
            .and_then(|b| qcdc_checker::read(&b).map_err(|e| e.0));
        match outcome {
            Ok(mut doc) => {
                if let Some(d) = date {
                    doc.set_date(d, qcdc_checker::DateSource::Given);
                }
                let findings = qcdc_checker::check(&doc);
                errors |= findings.iter().any(|x| x.severity == Severity::Error);
                results.push((f.display().to_string(), Ok((doc.encoding, findings))));
            }
            Err(e) => {
                unreadable = true;
                results.push((f.display().to_string(), Err(e)));
            }
        }
    }
    match format {
        CheckFormat::Json => {
            let files: Vec<_> = results
                .iter()
                .map(|(path, r)| match r {
                    Ok((encoding, findings)) => {
                        json!({ "path": path, "encoding": encoding, "findings": findings })
                    }
                    Err(e) => json!({ "path": path, "error": e, "findings": [] }),
                })
                .collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&json!({ "files": files })).unwrap_or_default()
            );
        }
        CheckFormat::Text => {
            for (path, r) in &results {
                match r {
                    Err(e) => outln!("{path}: không đọc được tệp: {e}"),
                    Ok((encoding, findings)) if findings.is_empty() => {
                        outln!("{path}{}: không thấy sai sót.", encoding_note(encoding))
                    }
                    Ok((encoding, findings)) => {
                        let n = |s: Severity| {
                            findings
                                .iter()
                                .filter(|f: &&Finding| f.severity == s)
                                .count()
                        };
                        outln!(
                            "{path}{}: {} lỗi, {} cảnh báo",
                            encoding_note(encoding),
                            n(Severity::Error),
                            n(Severity::Warning)
                        );
                        for f in findings {
                            let sev = match f.severity {
                                Severity::Error => "lỗi",
                                Severity::Warning => "cảnh báo",
                                Severity::Info => "lưu ý",
                            };
                            let kind = serde_json::to_value(f.kind)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default();
                            outln!("  dòng {:>4} [{sev}] {kind}: {}", f.line, f.message);
                            outln!("            «{}»", f.excerpt);
                        }
                    }
                }
            }
        }
    }
    ExitCode::from(if unreadable {
        2
    } else if errors {
        1
    } else {
        0
    })
}

fn encoding_note(encoding: &str) -> String {
    if matches!(encoding, "UTF-8" | "docx") {
        String::new()
    } else {
        format!(" (mã hóa: {encoding})")
    }
}

/// `qcdc bench check-accuracy`: the checker against a labelled corpus.
pub fn accuracy(corpus: &std::path::Path) -> ExitCode {
    let r = qcdc_checker::accuracy::evaluate(corpus);
    outln!("{}", r.render());
    ExitCode::from(if r.errors.is_empty() { 0 } else { 2 })
}

/// Files given, with every `.txt`/`.docx` of a directory given.
fn expand(files: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for f in files {
        if f.is_dir() {
            let mut inner: Vec<PathBuf> = std::fs::read_dir(f)?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "txt" || e == "docx"))
                .collect();
            inner.sort();
            out.extend(inner);
        } else {
            out.push(f.clone());
        }
    }
    Ok(out)
}

/// One paragraph of about `mb` megabytes made of the files' text, lines joined by
/// spaces: the worst case for anything that grows with a paragraph's length.
pub fn single_paragraph(data: &[Vec<u8>], mb: usize) -> Vec<u8> {
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
    if text.is_empty() {
        text.push_str("Tiếp nhận 89 đơn, trong đó: khiếu nại 14 đơn, tố cáo 3 đơn, kiến nghị 72 đơn; đã giải quyết 74 đơn, còn lại 15 đơn. ");
    }
    let mut out = String::with_capacity(mb * 1_000_000 + text.len());
    while out.len() < mb * 1_000_000 {
        out.push_str(&text);
    }
    out.into_bytes()
}

/// `qcdc bench check`: MB/s of the whole checker over the files (or the `.txt` of
/// directories), next to the cost of only reading them, in the same run; then the
/// same text as one 5 MB paragraph.
pub fn bench(files: &[PathBuf]) -> anyhow::Result<()> {
    let files = expand(files)?;
    let data: Vec<Vec<u8>> = files.iter().map(std::fs::read).collect::<Result<_, _>>()?;
    measure(&format!("{} tệp", files.len()), &data)?;
    let one = vec![single_paragraph(&data, 5)];
    measure("1 đoạn văn liền (không xuống dòng)", &one)
}

fn measure(what: &str, data: &[Vec<u8>]) -> anyhow::Result<()> {
    use std::time::Instant;
    let bytes: usize = data.iter().map(Vec::len).sum();
    let time = |f: &dyn Fn()| {
        // repeat for at least one second, keep the best of the rounds
        let mut best = f64::MAX;
        let start = Instant::now();
        let mut rounds = 0;
        while start.elapsed().as_secs_f64() < 1.0 || rounds < 5 {
            let s = Instant::now();
            f();
            best = best.min(s.elapsed().as_secs_f64());
            rounds += 1;
        }
        best
    };
    let read_only = time(&|| {
        for d in data {
            std::hint::black_box(qcdc_checker::read::read_text(d).ok());
        }
    });
    let mut findings = 0;
    for d in data {
        findings += qcdc_checker::read(d)
            .map(|doc| qcdc_checker::check(&doc).len())
            .unwrap_or(0);
    }
    let full = time(&|| {
        for d in data {
            if let Ok(doc) = qcdc_checker::read(d) {
                std::hint::black_box(qcdc_checker::check(&doc));
            }
        }
    });
    let mb = bytes as f64 / 1_000_000.0;
    outln!("{what}, {:.3} MB, {findings} phát hiện", mb);
    outln!(
        "check: {:.1} ms ({:.1} MB/s); read+NFC only: {:.1} ms ({:.1} MB/s)",
        full * 1000.0,
        mb / full,
        read_only * 1000.0,
        mb / read_only
    );
    Ok(())
}
