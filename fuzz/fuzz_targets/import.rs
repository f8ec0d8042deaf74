//! The legacy import on any bytes: reading, heading mapping and figure matching.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static T: std::sync::OnceLock<Option<qcdc_core::template::Template>> = std::sync::OnceLock::new();
    let t = T.get_or_init(|| {
        qcdc_core::template::Template::from_toml(include_str!("../../templates/qcdc-dinh-ky.v1.toml")).ok()
    });
    if let (Ok(doc), Some(t)) = (qcdc_checker::read(data), t) {
        let m = qcdc_checker::import::map_report(&doc, t);
        for v in m.values.values() {
            assert!(v.line >= 1);
        }
    }
});
