//! The users importer (CSV uploaded by an admin) on any bytes: refused with the
//! bad lines listed or read, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = qcdc_core::user_import::parse_csv(s);
    }
});
