#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The checker in the product: a submission's narrative against its own figures,
//! and a report generated in the official layout passing its own checker.

use std::collections::BTreeMap;

use qcdc_checker::{Kind, Severity, check, check_submission, read};
use qcdc_core::template::Template;

fn template() -> Template {
    Template::from_toml(include_str!("../../../templates/qcdc-dinh-ky.v1.toml")).unwrap()
}

fn sections(text: &str) -> Vec<(String, String, String)> {
    vec![
        (
            "I".into(),
            "Khái quát".into(),
            "Xã có 9 thôn, tình hình ổn định.".into(),
        ),
        ("III.1".into(), "Kết quả ở xã".into(), text.into()),
    ]
}

#[test]
fn narrative_against_the_form() {
    let t = template();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 6, 20);
    let text =
        "Trong 6 tháng, tiếp nhận 52 đơn thư của công dân; số lượt tiếp công dân là 40 lượt.";
    let mut values = BTreeMap::new();
    values.insert("dt_tiep_nhan".to_string(), 50_000);
    values.insert("tcd_luot".to_string(), 40_000);
    let f = check_submission(&t, &sections(text), &values, date);
    let c: Vec<_> = f
        .iter()
        .filter(|x| x.finding.kind == Kind::Contradiction)
        .collect();
    assert_eq!(c.len(), 1, "{f:?}");
    assert_eq!(c[0].section, "III.1");
    assert!(
        c[0].finding.message.contains("52") && c[0].finding.message.contains("50"),
        "{}",
        c[0].finding.message
    );
    let a = c[0].finding.arith.as_ref().unwrap();
    assert_eq!((a.stated, a.expected), (52_000, 50_000));
    // the same figures: quiet
    values.insert("dt_tiep_nhan".to_string(), 52_000);
    assert!(check_submission(&t, &sections(text), &values, date).is_empty());
    // the narrative's own slips are still found
    let f = check_submission(
        &t,
        &sections("Đã giải quyết 138/157 vụ việc (87,8%)."),
        &values,
        date,
    );
    assert_eq!(
        f.iter().map(|x| x.finding.kind).collect::<Vec<_>>(),
        [Kind::PercentMismatch]
    );
}

#[test]
fn a_report_generated_in_the_official_layout_passes_its_checker() {
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/generated-official-layout.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let doc = read(&bytes).unwrap();
    assert!(doc.header.date.is_some());
    let f = check(&doc);
    assert!(f.iter().all(|x| x.severity != Severity::Error), "{f:#?}");
    assert!(f.iter().all(|x| x.severity == Severity::Info), "{f:#?}");
}
