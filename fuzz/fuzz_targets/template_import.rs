//! The template importer (a TOML file uploaded by the top admin) on any bytes:
//! refused with a message or read, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = qcdc_core::template::Template::from_toml(s);
    }
});
