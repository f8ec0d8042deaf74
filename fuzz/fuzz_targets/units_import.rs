//! The units importer (CSV and JSON, as uploaded by an admin) on any bytes: a
//! file is refused with a list of problems or read into records, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(recs) = qcdc_core::unit::parse_csv(s) {
            for (line, _) in &recs {
                assert!(*line >= 1);
            }
        }
        let _ = qcdc_core::unit::parse_json(s);
    }
});
