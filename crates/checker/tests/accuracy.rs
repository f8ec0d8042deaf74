//! The checker on the labelled corpus: overall recall at least 90 %, no correct
//! figure flagged, every key readable; and every finding explains its arithmetic.

use std::path::Path;

use qcdc_checker::{Op, accuracy, arith, check, read};

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

#[test]
fn recall_and_quiet_figures() {
    let r = accuracy::evaluate(&corpus());
    let report = r.render();
    assert!(r.errors.is_empty(), "{report}");
    assert!(r.files >= 40, "{report}");
    assert!(r.slips >= 150 && r.quiet_figures >= 150, "{report}");
    // every kind of slip is in the corpus
    for (k, v) in &r.per_kind {
        assert!(v.expected > 0, "no slip of kind {k}: {report}");
    }
    assert!(r.recall() >= 0.90, "{report}");
    assert_eq!(r.quiet_flagged, 0, "{report}");
    assert!(r.precision() >= 0.95, "{report}");
    // legacy import: the four seeds and ten corpus reports, hand-labelled
    let m = &r.mapping;
    assert!(m.files >= 14, "{report}");
    assert!(
        m.heading_recall() >= 0.90 && m.heading_precision() >= 0.90,
        "{report}"
    );
    assert_eq!(m.figures_filled_wrong, 0, "{report}");
    assert!(m.figures_filled_right >= 20, "{report}");
}

/// Every finding on the corpus and the seeds: the arithmetic recomputed from its
/// structured data is what it says, and its message states every figure of it.
#[test]
fn every_finding_explains_its_arithmetic() {
    let mut dirs = vec![
        corpus(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
    ];
    let mut checked = 0;
    for dir in dirs.drain(..) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.extension().is_none_or(|x| x != "txt") {
                continue;
            }
            let doc = read(&std::fs::read(&p).unwrap()).unwrap();
            for f in check(&doc) {
                let Some(a) = &f.arith else { continue };
                checked += 1;
                assert_eq!(a.recompute(), Some(a.expected), "{}: {f:?}", p.display());
                assert_ne!(a.expected, a.stated, "{}: {f:?}", p.display());
                let shown = |v: i64| match a.op {
                    Op::Percent => arith::fixed(v, a.decimals),
                    _ => arith::vn(v),
                };
                for v in &a.operands {
                    let t = arith::vn(*v);
                    assert!(f.message.contains(&t), "{t} missing in: {}", f.message);
                }
                for v in [a.expected, a.stated] {
                    assert!(
                        f.message.contains(&shown(v)),
                        "{} missing in: {}",
                        shown(v),
                        f.message
                    );
                }
            }
        }
    }
    assert!(checked >= 60, "{checked}");
}
