//! `qcdc check`: the report checker from the command line.

use std::path::PathBuf;
use std::process::ExitCode;

use qcdc_checker::{Finding, Severity};
use serde_json::json;

use crate::cli::CheckFormat;

/// Checks files; 0 = no error-level finding, 1 = some, 2 = a file could not be read.
pub fn run(files: &[PathBuf], format: CheckFormat) -> ExitCode {
    let mut unreadable = false;
    let mut errors = false;
    let mut results = Vec::new();
    for f in files {
        let outcome = std::fs::read(f)
            .map_err(|e| e.to_string())
            .and_then(|b| qcdc_checker::read(&b).map_err(|e| e.0));
        match outcome {
            Ok(doc) => {
                let findings = qcdc_checker::check(&doc);
                errors |= findings.iter().any(|x| x.severity == Severity::Error);
                results.push((f.display().to_string(), Ok(findings)));
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
                    Ok(findings) => json!({ "path": path, "findings": findings }),
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
                    Ok(findings) if findings.is_empty() => outln!("{path}: không thấy sai sót."),
                    Ok(findings) => {
                        let n = |s: Severity| {
                            findings
                                .iter()
                                .filter(|f: &&Finding| f.severity == s)
                                .count()
                        };
                        outln!(
                            "{path}: {} lỗi, {} cảnh báo",
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

/// `qcdc bench check`: MB/s of the whole checker over the files, next to the
/// cost of only reading them (UTF-8 + NFC), in the same run.
pub fn bench(files: &[PathBuf]) -> anyhow::Result<()> {
    use std::time::Instant;
    let data: Vec<Vec<u8>> = files.iter().map(std::fs::read).collect::<Result<_, _>>()?;
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
        for d in &data {
            std::hint::black_box(qcdc_checker::read::read_text(d).ok());
        }
    });
    let mut findings = 0;
    for d in &data {
        findings += qcdc_checker::read(d)
            .map(|doc| qcdc_checker::check(&doc).len())
            .unwrap_or(0);
    }
    let full = time(&|| {
        for d in &data {
            if let Ok(doc) = qcdc_checker::read(d) {
                std::hint::black_box(qcdc_checker::check(&doc));
            }
        }
    });
    let mb = bytes as f64 / 1_000_000.0;
    outln!("{} tệp, {:.3} MB, {findings} phát hiện", files.len(), mb);
    outln!(
        "check: {:.1} ms ({:.1} MB/s); read+NFC only: {:.1} ms ({:.1} MB/s)",
        full * 1000.0,
        mb / full,
        read_only * 1000.0,
        mb / read_only
    );
    Ok(())
}
