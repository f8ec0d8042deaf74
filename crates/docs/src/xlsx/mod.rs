//! Excel files: a unit's form to fill offline ([`export_form`]) and read back
//! ([`import_form`]), and any consolidation as a workbook ([`export_consolidation`]).
//!
//! Writing uses rust_xlsxwriter, reading calamine. Number formats in .xlsx are
//! locale-neutral: `#,##0.0` is shown as `1.234,5` by an Excel or LibreOffice set to
//! Vietnamese (and as `1,234.5` under an English locale) — the stored number is the same.

mod consolidation;
mod error;
mod form;
mod import;
mod table;

pub use consolidation::export_consolidation;
pub use error::{BadCell, FormImportError};
pub use form::{FORM_SHEET, FormExport, META_SHEET, export_form};
pub use import::{
    ImportedForm, ImportedValue, MAX_FILE_BYTES, MAX_UNCOMPRESSED_BYTES, import_form,
};
pub use table::{read_table, write_table};

use serde::{Deserialize, Serialize};

/// Which form a file is: the round, the unit and the template it was exported for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormIdentity {
    pub round_id: i64,
    pub unit_code: String,
    pub template_code: String,
    pub template_version: u32,
}

/// Failure to write a workbook (internal: inputs cannot cause it except absurd sizes).
#[derive(Debug, thiserror::Error)]
#[error("Không tạo được tệp Excel: {0}")]
pub struct XlsxWriteError(pub String);

impl XlsxWriteError {
    pub fn code(&self) -> &'static str {
        "xlsx_write_failed"
    }
}

impl From<rust_xlsxwriter::XlsxError> for XlsxWriteError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        XlsxWriteError(e.to_string())
    }
}

/// "D12" from zero-based row and column.
pub fn cell_ref(row: u32, col: u16) -> String {
    let mut name = String::new();
    let mut c = u32::from(col) + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        // rem < 26: always an ASCII capital
        name.insert(0, char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        c = (c - 1) / 26;
    }
    format!("{name}{}", u64::from(row) + 1)
}

/// Checksum of a form's identity and layout (which indicator sits on which row): catches a
/// file whose rows were moved, added or removed, or whose hidden sheet was edited. It is a
/// consistency check, not a signature.
pub(crate) fn layout_checksum(id: &FormIdentity, rows: &[(u32, String)]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(format!(
        "qcdc-form-v1\n{}\n{}\n{}\n{}\n",
        id.round_id, id.template_code, id.template_version, id.unit_code
    ));
    for (row, code) in rows {
        h.update(format!("{row}:{code}\n"));
    }
    hex::encode(&h.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_refs() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(11, 3), "D12");
        assert_eq!(cell_ref(0, 25), "Z1");
        assert_eq!(cell_ref(0, 26), "AA1");
        assert_eq!(cell_ref(9, 701), "ZZ10");
    }
}
