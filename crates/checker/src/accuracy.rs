//! Accuracy on a labelled corpus: report texts with an answer key each, every slip
//! (line, kind, what) and every correct figure that must stay quiet (line, what).
//! [`evaluate`] runs the checker on each text and gives recall and precision per
//! kind and overall, every miss and false alarm, and — for the texts that carry
//! import labels — how well a legacy import maps headings and figures.
//!
//! An answer key is `NAME.key.toml` beside `NAME.txt`:
//!
//! ```toml
//! template = "qcdc-dinh-ky"         # optional: import labels below use it
//! [[slip]]
//! line = 12
//! kind = "sum_mismatch"
//! what = "14 + 3 + 71 = 88, không phải 89"
//! [[quiet]]
//! line = 14
//! what = "834/885 = 94,2 %"
//! [import]                          # optional
//! headings = { 9 = "I", 13 = "II", 14 = "II.1" }   # "" = not a section (kept above)
//! values = { vb_tong = "41" }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use qcdc_core::template::Template;
use serde::{Deserialize, Serialize};

use crate::{Kind, check, import::map_report, read};

/// The templates shipped with qcdc, for import labels.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "qcdc-dinh-ky",
        include_str!("../../../templates/qcdc-dinh-ky.v1.toml"),
    ),
    (
        "dan-van-chinh-quyen",
        include_str!("../../../templates/dan-van-chinh-quyen.v1.toml"),
    ),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Key {
    /// The text this key labels, relative to the key, when it is not `NAME.txt`
    /// beside it (import labels for the seeds); such a key scores the import only.
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    slip: Vec<Slip>,
    #[serde(default)]
    quiet: Vec<Quiet>,
    #[serde(default)]
    import: Option<ImportKey>,
    /// Written after the rules, to test them on text they were not written from.
    #[serde(default)]
    held_out: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Slip {
    line: usize,
    kind: String,
    what: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Quiet {
    line: usize,
    what: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportKey {
    #[serde(default)]
    headings: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, String>,
}

/// Counts for one kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KindScore {
    pub expected: usize,
    pub found: usize,
    pub false_alarms: usize,
}

impl KindScore {
    pub fn recall(&self) -> f64 {
        if self.expected == 0 {
            1.0
        } else {
            self.found as f64 / self.expected as f64
        }
    }
    pub fn precision(&self) -> f64 {
        let flagged = self.found + self.false_alarms;
        if flagged == 0 {
            1.0
        } else {
            self.found as f64 / flagged as f64
        }
    }
}

/// One miss, false alarm or flagged quiet figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub file: String,
    pub line: usize,
    pub kind: String,
    pub what: String,
}

/// Import mapping scores.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MappingScore {
    pub files: usize,
    /// Labelled headings that belong to a section, and how many were mapped there.
    pub headings_labelled: usize,
    pub headings_right: usize,
    /// Headings the import mapped (to any section), among the labelled ones.
    pub headings_mapped: usize,
    pub figures_labelled: usize,
    pub figures_filled_right: usize,
    pub figures_filled_wrong: usize,
    pub errors: Vec<Item>,
}

impl MappingScore {
    pub fn heading_recall(&self) -> f64 {
        ratio(self.headings_right, self.headings_labelled)
    }
    pub fn heading_precision(&self) -> f64 {
        ratio(self.headings_right, self.headings_mapped)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// The accuracy report of a corpus.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AccuracyReport {
    pub files: usize,
    pub held_out_files: usize,
    pub per_kind: BTreeMap<String, KindScore>,
    pub slips: usize,
    pub found: usize,
    pub false_alarms: usize,
    pub quiet_figures: usize,
    pub quiet_flagged: usize,
    /// Recall on the held-out files alone.
    pub held_out_slips: usize,
    pub held_out_found: usize,
    pub misses: Vec<Item>,
    pub alarms: Vec<Item>,
    pub flagged_quiet: Vec<Item>,
    pub mapping: MappingScore,
    pub errors: Vec<String>,
}

impl AccuracyReport {
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.slips)
    }
    pub fn precision(&self) -> f64 {
        ratio(self.found, self.found + self.false_alarms)
    }
    pub fn held_out_recall(&self) -> f64 {
        ratio(self.held_out_found, self.held_out_slips)
    }

    /// The report as text, in Vietnamese.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let pct = |x: f64| qcdc_core::number::format_f64(x * 100.0, 1);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} tệp ({} tệp viết sau khi có luật, để kiểm tra độc lập); {} sai sót đã đánh dấu, {} số liệu đúng phải im lặng",
            self.files, self.held_out_files, self.slips, self.quiet_figures
        );
        let _ = writeln!(
            s,
            "Tổng: tìm thấy {}/{} (độ phủ {}%), báo nhầm {} (độ chính xác {}%); số liệu đúng bị báo: {}",
            self.found,
            self.slips,
            pct(self.recall()),
            self.false_alarms,
            pct(self.precision()),
            self.quiet_flagged
        );
        let _ = writeln!(
            s,
            "Riêng các tệp viết sau: tìm thấy {}/{} (độ phủ {}%)",
            self.held_out_found,
            self.held_out_slips,
            pct(self.held_out_recall())
        );
        let _ = writeln!(
            s,
            "{:<22} {:>6} {:>6} {:>8} {:>9} {:>9}",
            "loại", "có", "thấy", "báo nhầm", "độ phủ", "chính xác"
        );
        for (k, v) in &self.per_kind {
            let _ = writeln!(
                s,
                "{k:<22} {:>6} {:>6} {:>8} {:>8}% {:>8}%",
                v.expected,
                v.found,
                v.false_alarms,
                pct(v.recall()),
                pct(v.precision())
            );
        }
        let m = &self.mapping;
        let _ = writeln!(
            s,
            "Nhập báo cáo cũ ({} tệp): đề mục đúng mục {}/{} (độ phủ {}%, độ chính xác {}%); số liệu điền đúng {}/{}, điền sai {}",
            m.files,
            m.headings_right,
            m.headings_labelled,
            pct(m.heading_recall()),
            pct(m.heading_precision()),
            m.figures_filled_right,
            m.figures_labelled,
            m.figures_filled_wrong
        );
        for (title, list) in [
            ("Bỏ sót", &self.misses),
            ("Báo nhầm", &self.alarms),
            ("Số liệu đúng bị báo", &self.flagged_quiet),
            ("Nhập sai", &m.errors),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(s, "{title}:");
            for i in list {
                let _ = writeln!(s, "  {} dòng {} [{}] {}", i.file, i.line, i.kind, i.what);
            }
        }
        for e in &self.errors {
            let _ = writeln!(s, "Lỗi: {e}");
        }
        s
    }
}

/// Evaluates the checker on every `*.txt` with a `*.key.toml` in `dir`.
pub fn evaluate(dir: &Path) -> AccuracyReport {
    let mut r = AccuracyReport::default();
    for k in Kind::ALL {
        if k != Kind::Notice {
            r.per_kind
                .insert(k.as_str().to_string(), KindScore::default());
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    files.sort();
    // import labels of texts kept elsewhere (the seeds), in `import/`
    let mut elsewhere: Vec<PathBuf> = std::fs::read_dir(dir.join("import"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    elsewhere.retain(|p| p.to_string_lossy().ends_with(".key.toml"));
    elsewhere.sort();
    for key_path in elsewhere {
        let parsed = std::fs::read_to_string(&key_path)
            .map_err(|e| e.to_string())
            .and_then(|s| toml::from_str::<Key>(&s).map_err(|e| e.to_string()));
        let key = match parsed {
            Ok(k) => k,
            Err(e) => {
                r.errors.push(format!("{}: {e}", key_path.display()));
                continue;
            }
        };
        let Some(file) = &key.file else {
            r.errors
                .push(format!("{}: thiếu «file»", key_path.display()));
            continue;
        };
        let path = key_path.parent().unwrap_or(dir).join(file);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        match std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| read(&b).map_err(|e| e.0))
        {
            Ok(doc) => {
                if let (Some(imp), Some(tcode)) = (&key.import, &key.template) {
                    score_import(&name, &doc, tcode, imp, &mut r);
                }
            }
            Err(e) => r.errors.push(format!("{}: {e}", path.display())),
        }
    }
    if files.is_empty() {
        r.errors
            .push(format!("không có tệp .txt nào trong {}", dir.display()));
    }
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let key_path = path.with_extension("key.toml");
        let key: Key = match std::fs::read_to_string(&key_path)
            .map_err(|e| e.to_string())
            .and_then(|s| toml::from_str(&s).map_err(|e| e.to_string()))
        {
            Ok(k) => k,
            Err(e) => {
                r.errors.push(format!("{}: {e}", key_path.display()));
                continue;
            }
        };
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                r.errors.push(format!("{name}: {e}"));
                continue;
            }
        };
        let doc = match read(&bytes) {
            Ok(d) => d,
            Err(e) => {
                r.errors.push(format!("{name}: {}", e.0));
                continue;
            }
        };
        r.files += 1;
        if key.held_out {
            r.held_out_files += 1;
        }
        let findings: Vec<_> = check(&doc)
            .into_iter()
            .filter(|f| f.kind != Kind::Notice)
            .collect();
        let mut used = vec![false; findings.len()];
        for s in &key.slip {
            r.slips += 1;
            if key.held_out {
                r.held_out_slips += 1;
            }
            let e = r.per_kind.entry(s.kind.clone()).or_default();
            e.expected += 1;
            let hit = findings
                .iter()
                .enumerate()
                .find(|(i, f)| !used[*i] && f.line == s.line && f.kind.as_str() == s.kind);
            match hit {
                Some((i, _)) => {
                    used[i] = true;
                    e.found += 1;
                    r.found += 1;
                    if key.held_out {
                        r.held_out_found += 1;
                    }
                }
                None => r.misses.push(Item {
                    file: name.clone(),
                    line: s.line,
                    kind: s.kind.clone(),
                    what: s.what.clone(),
                }),
            }
        }
        // a second finding on a line with a slip of that kind is not a false alarm
        for (i, f) in findings.iter().enumerate() {
            if used[i] {
                continue;
            }
            if key
                .slip
                .iter()
                .any(|s| s.line == f.line && s.kind == f.kind.as_str())
            {
                continue;
            }
            r.false_alarms += 1;
            r.per_kind
                .entry(f.kind.as_str().to_string())
                .or_default()
                .false_alarms += 1;
            r.alarms.push(Item {
                file: name.clone(),
                line: f.line,
                kind: f.kind.as_str().to_string(),
                what: f.message.clone(),
            });
        }
        for q in &key.quiet {
            r.quiet_figures += 1;
            if let Some(f) = findings.iter().find(|f| {
                f.line == q.line
                    && !key
                        .slip
                        .iter()
                        .any(|s| s.line == f.line && s.kind == f.kind.as_str())
            }) {
                r.quiet_flagged += 1;
                r.flagged_quiet.push(Item {
                    file: name.clone(),
                    line: q.line,
                    kind: f.kind.as_str().to_string(),
                    what: format!("{} — {}", q.what, f.message),
                });
            }
        }
        if let (Some(imp), Some(tcode)) = (&key.import, &key.template) {
            score_import(&name, &doc, tcode, imp, &mut r);
        }
    }
    r
}

fn score_import(
    name: &str,
    doc: &crate::Document,
    tcode: &str,
    imp: &ImportKey,
    r: &mut AccuracyReport,
) {
    let Some(t) = TEMPLATES
        .iter()
        .find(|(c, _)| *c == tcode)
        .and_then(|(_, src)| Template::from_toml(src).ok())
    else {
        r.errors.push(format!("{name}: không có mẫu {tcode}"));
        return;
    };
    let m = map_report(doc, &t);
    let s = &mut r.mapping;
    s.files += 1;
    let got: BTreeMap<usize, Option<String>> = m.headings.iter().cloned().collect();
    for (line, want) in &imp.headings {
        let Ok(line) = line.parse::<usize>() else {
            continue;
        };
        let have = got.get(&line).cloned().flatten();
        if want.is_empty() {
            if let Some(h) = have {
                s.headings_mapped += 1;
                s.errors.push(Item {
                    file: name.into(),
                    line,
                    kind: "heading".into(),
                    what: format!("không phải một mục, nhưng được gán vào {h}"),
                });
            }
            continue;
        }
        s.headings_labelled += 1;
        if have.is_some() {
            s.headings_mapped += 1;
        }
        if have.as_deref() == Some(want.as_str()) {
            s.headings_right += 1;
        } else {
            s.errors.push(Item {
                file: name.into(),
                line,
                kind: "heading".into(),
                what: format!(
                    "phải là {want}, được gán {}",
                    have.as_deref().unwrap_or("(không)")
                ),
            });
        }
    }
    s.figures_labelled += imp.values.len();
    for (code, v) in &m.values {
        match imp.values.get(code) {
            // "2|13": the report itself gives either (a contradiction), both are right
            Some(want)
                if want
                    .split('|')
                    .any(|w| qcdc_core::number::parse_vn(w.trim()).ok() == Some(v.value)) =>
            {
                s.figures_filled_right += 1
            }
            other => {
                s.figures_filled_wrong += 1;
                s.errors.push(Item {
                    file: name.into(),
                    line: v.line,
                    kind: "figure".into(),
                    what: format!(
                        "{code} = {} điền sai (đúng là {})",
                        v.text,
                        other.map_or("để trống", String::as_str)
                    ),
                });
            }
        }
    }
}
