#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Style and structure rules written as tests (as rust-analyzer's tidy does):
//! module docs everywhere, heavy or I/O dependencies kept out of the core and the
//! store, the store reachable only through the use-case layer, the command line's
//! all-powerful context never used by the pages or the API, and every public use
//! case authorizing before it works.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn crates() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    v.sort();
    v
}

/// The `[dependencies]` section of a manifest (not dev-dependencies).
fn dependencies(manifest: &Path) -> String {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut out = String::new();
    let mut on = false;
    for line in text.lines() {
        if line.starts_with('[') {
            on = line.trim() == "[dependencies]";
            continue;
        }
        if on {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn every_source_file_starts_with_a_module_doc() {
    let mut missing = Vec::new();
    for c in crates() {
        let mut files = Vec::new();
        rust_files(&c.join("src"), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            if !text.trim_start().starts_with("//!") {
                missing.push(f.display().to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "files without a //! module doc: {missing:?}"
    );
}

#[test]
fn core_and_store_carry_no_heavy_or_web_dependency() {
    let heavy = [
        "axum",
        "maud",
        "typst",
        "tantivy",
        "lettre",
        "docx-rs",
        "rust_xlsxwriter",
        "calamine",
        "tower",
        "hyper",
    ];
    for (krate, extra) in [
        ("core", vec!["sqlx", "tokio", "qcdc-store"]),
        ("store", vec!["qcdc-app", "qcdc-checker"]),
    ] {
        let deps = dependencies(&root().join("crates").join(krate).join("Cargo.toml"));
        for d in heavy.iter().chain(extra.iter()) {
            assert!(
                !deps
                    .lines()
                    .any(|l| l.trim_start().starts_with(&format!("{d} "))
                        || l.trim_start().starts_with(&format!("{d}."))),
                "crates/{krate} depends on {d}"
            );
        }
    }
}

#[test]
fn pages_and_api_reach_storage_only_through_the_use_case_layer() {
    for krate in ["api", "web", "checker"] {
        let deps = dependencies(&root().join("crates").join(krate).join("Cargo.toml"));
        assert!(
            !deps.contains("qcdc-store"),
            "crates/{krate} depends on qcdc-store directly"
        );
        assert!(!deps.contains("sqlx"), "crates/{krate} depends on sqlx");
    }
    for krate in ["api", "web"] {
        let mut files = Vec::new();
        rust_files(&root().join("crates").join(krate).join("src"), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            assert!(
                !text.contains(".system(") && !text.contains("Actor::system"),
                "{} uses the command line's context",
                f.display()
            );
        }
    }
}

#[test]
fn nothing_depends_back_on_the_binary() {
    for c in crates() {
        if c.ends_with("cli") {
            continue;
        }
        let deps = dependencies(&c.join("Cargo.toml"));
        assert!(!deps.lines().any(|l| l.trim_start().starts_with("qcdc ") || l.trim_start().starts_with("qcdc.")), "{} depends on the binary crate", c.display());
    }
}

/// The bodies of `pub async fn name(cx: &Ctx, …)` in a file: (name, body).
fn use_cases(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("pub async fn ") {
        rest = &rest[i + "pub async fn ".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let Some(open) = rest.find('{') else { break };
        let sig = &rest[..open];
        if !sig.contains("cx: &Ctx") {
            continue;
        }
        let mut depth = 0;
        let mut end = open;
        for (j, ch) in rest[open..].char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + j;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push((name, rest[open..end].to_string()));
        rest = &rest[end..];
    }
    out
}

#[test]
fn every_public_use_case_authorizes() {
    // what counts as authorizing: a permission check, or handing the actor to a use
    // case (or helper) that checks
    let checks = [
        "cx.require(",
        "cx.may(",
        "require_system",
        "require_visible",
        "signed_in(",
        "require_some_admin",
        "may_grant",
        "may_import_template",
        "view(cx",
        "view_in(cx",
        "save_draft(cx",
        "save_draft_from(cx",
        "all(cx",
        "import(cx",
        "verify_password(",
        "actor_of(",
        "units_with(",
        "require_user",
        "scoped_filter(cx",
        "may_place_unit",
        // delegating to the use case that checks
        "submit_with(cx",
        "set_state_with(cx",
        "get_with(cx",
        "adopt_confirmed(cx",
        "adoption_change(cx",
        "create_user(cx",
        "require_admin_of_user(cx",
        "document(cx",
        "get_in(cx",
        "require_read(cx",
        "require_issue(cx",
        "read_form(cx",
        // registers: core::access::register_sight / may_record_register
        "require_sight(cx",
        "require_record(cx",
        "sight_of(cx",
        // the petition list and its pages: `collect_shown` checks with require_sight
        "collect_shown(cx",
    ];
    let dir = root().join("crates/app/src");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    let mut unchecked = Vec::new();
    let mut seen = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (name, body) in use_cases(&text) {
            seen += 1;
            // compared without whitespace: rustfmt may break a call over lines
            let compact: String = body.split_whitespace().collect();
            if !checks
                .iter()
                .any(|c| compact.contains(&c.split_whitespace().collect::<String>()))
            {
                unchecked.push(format!(
                    "{}::{name}",
                    f.file_stem().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(seen > 30, "only {seen} use cases found: the scan is broken");
    assert!(
        unchecked.is_empty(),
        "use cases that authorize nothing: {unchecked:?}"
    );
}
