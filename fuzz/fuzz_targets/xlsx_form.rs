//! The Excel form importer on any bytes (a unit's filled form, uploaded): the
//! whole file is refused with a reason or read, never a panic or a runaway
//! allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static T: std::sync::OnceLock<Option<qcdc_core::template::Template>> =
        std::sync::OnceLock::new();
    let t = T.get_or_init(|| {
        qcdc_core::template::Template::from_toml(include_str!(
            "../../templates/qcdc-dinh-ky.v1.toml"
        ))
        .ok()
    });
    if let Some(t) = t {
        let expected = qcdc_docs::xlsx::FormIdentity {
            round_id: 1,
            unit_code: "X".into(),
            template_code: t.def.code.clone(),
            template_version: 1,
        };
        let _ = qcdc_docs::xlsx::import_form(data, &expected, t);
    }
});
