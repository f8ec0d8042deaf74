//! The JSON fixtures are the sample generators' output, committed for the integrator and for
//! the other tests. `QCDC_WRITE_FIXTURES=1 cargo test -p qcdc-docs --test fixtures` rewrites them.

mod common;

use std::path::PathBuf;

use qcdc_docs::model::{Document, DocumentFormat};
use qcdc_docs::sample;

fn expected() -> Vec<(&'static str, Document)> {
    let t = sample::template().unwrap_or_else(|e| panic!("{e:?}"));
    vec![
        (
            "letter-party.json",
            Document::Letter(sample::letter(&t, DocumentFormat::Party, Some(42))),
        ),
        (
            "letter-state-draft.json",
            Document::Letter(sample::letter(&t, DocumentFormat::State, None)),
        ),
        (
            "report-commune.json",
            Document::UnitReport(sample::unit_report(&t, "Xã Đam Rông", Some(109), 11)),
        ),
        (
            "consolidated-100.json",
            Document::Consolidated(sample::consolidated(&t, 100, 1, Some(118))),
        ),
    ]
}

#[test]
fn fixtures_are_current_and_deserialize() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let write = std::env::var_os("QCDC_WRITE_FIXTURES").is_some();
    for (name, doc) in expected() {
        let path = dir.join(name);
        if write {
            // the 100-unit report is large: compact JSON
            let json = if name.starts_with("consolidated") {
                serde_json::to_string(&doc)
            } else {
                serde_json::to_string_pretty(&doc)
            }
            .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(&path, json + "\n").unwrap_or_else(|e| panic!("{path:?}: {e}"));
        }
        let read = common::fixture(name);
        assert_eq!(
            read, doc,
            "{name} differs from the generator; rerun with QCDC_WRITE_FIXTURES=1"
        );
    }
}
