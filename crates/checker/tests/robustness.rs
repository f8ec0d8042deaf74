//! No input makes the readers or the checker panic.

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_text(s in "\\PC{0,400}") {
        if let Ok(d) = qcdc_checker::read(s.as_bytes()) {
            let _ = qcdc_checker::check(&d);
        }
    }

    #[test]
    fn report_like_text(lines in proptest::collection::vec("(I\\. |1\\. |- |⁽[1-3]⁾ |¹ |\u{FFFD} |PHỤ LỤC |Nơi nhận:)?[A-Za-zĐđà-ỹ ]{0,20}[0-9.,/%() ]{0,12}(hồ sơ|cuộc|đơn|trong đó|gồm|còn lại|Nghị định số 1/NQ-CP ngày 1/1/2020)?[ .;:]{0,3}", 0..30)) {
        let text = lines.join("\n");
        let d = qcdc_checker::read(text.as_bytes()).unwrap();
        for f in qcdc_checker::check(&d) {
            prop_assert!(f.line >= 1 && f.line <= d.lines.len());
        }
    }

    /// Arbitrary bytes: every decoder (UTF-8, UTF-16, Windows-1258, TCVN3, VNI) and the
    /// whole checker, never a panic; every finding points at a line of the document.
    #[test]
    fn any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(d) = qcdc_checker::read(&bytes) {
            for f in qcdc_checker::check(&d) {
                prop_assert!(f.line >= 1 && f.line <= d.lines.len().max(1));
            }
        }
    }

    /// Legacy single-byte text with digits and Vietnamese-looking bytes.
    #[test]
    fn legacy_like_bytes(bytes in proptest::collection::vec(prop_oneof![Just(b' '), Just(b'\r'), Just(b'\n'), 0x30u8..0x3a, 0x41u8..0x7b, 0xa0u8..=0xff], 0..600)) {
        if let Ok(d) = qcdc_checker::read(&bytes) {
            let _ = qcdc_checker::check(&d);
        }
    }

    #[test]
    fn any_bytes_as_docx(tail in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        let _ = qcdc_checker::read(&bytes);
    }
}
