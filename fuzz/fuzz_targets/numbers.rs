//! The Vietnamese number parsers: strict (forms, API) and tolerant (report text).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = qcdc_core::number::parse_vn(s);
        for n in qcdc_checker::numbers::scan(s) {
            assert!(n.start < n.end);
        }
    }
});
