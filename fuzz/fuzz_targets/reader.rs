//! The readers (text in every encoding, .docx) and the whole checker on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = qcdc_checker::read(data) {
        let _ = qcdc_checker::check(&doc);
    }
});
