//! Why an uploaded form was refused: one error per file, with a stable code and a
//! Vietnamese message; unreadable cells are all listed so the clerk fixes them in one go.

use serde::Serialize;

/// A cell that could not be read as a figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadCell {
    pub sheet: String,
    /// "D12".
    pub cell: String,
    /// What the cell holds, as typed (or its formula).
    pub value: String,
    /// Why it was refused, in Vietnamese.
    pub reason: String,
    /// The indicator of that row, if known.
    pub indicator: Option<String>,
}

/// An uploaded form was not imported; nothing of it was taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormImportError {
    /// The upload (or its content once unpacked) is larger than any real form.
    #[error("Tệp quá lớn ({what}: {size} byte, tối đa {limit} byte)")]
    FileTooLarge {
        what: &'static str,
        size: u64,
        limit: u64,
    },
    /// Not an Excel workbook, or a damaged one.
    #[error("Không đọc được tệp Excel: {0}")]
    Unreadable(String),
    /// A workbook, but not the form of this round and unit.
    #[error("Tệp không phải biểu mẫu của đợt báo cáo và đơn vị này: {0}")]
    WrongForm(String),
    /// The form, with cells that must be fixed first.
    #[error("Có {} ô không đọc được; chưa nhập số liệu nào, hãy sửa các ô này rồi nộp lại", .0.len())]
    BadCells(Vec<BadCell>),
}

impl FormImportError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            FormImportError::FileTooLarge { .. } => "file_too_large",
            FormImportError::Unreadable(_) => "xlsx_unreadable",
            FormImportError::WrongForm(_) => "xlsx_wrong_form",
            FormImportError::BadCells(_) => "xlsx_bad_cells",
        }
    }

    /// The unreadable cells (empty for other errors).
    pub fn bad_cells(&self) -> &[BadCell] {
        match self {
            FormImportError::BadCells(c) => c,
            _ => &[],
        }
    }
}
