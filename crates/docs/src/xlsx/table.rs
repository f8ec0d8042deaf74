//! A register book as a plain table: one header row, one record per row. Written
//! with rust_xlsxwriter (every cell a text, so nothing is read as a formula),
//! read with calamine into the text of every cell (a date cell as dd/mm/yyyy,
//! numbers without a decimal tail), each row with its Excel row number.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::{Format, Workbook};

use super::{FormImportError, MAX_FILE_BYTES, XlsxWriteError};

/// Writes `rows` under `headers` on a sheet named `sheet`, with a title line.
pub fn write_table(
    sheet: &str,
    title: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, XlsxWriteError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_font_name("Times New Roman");
    let base = Format::new().set_font_name("Times New Roman");
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    ws.write_string_with_format(0, 0, title, &bold)?;
    for (c, h) in headers.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(1, c, *h, &bold)?;
        ws.set_column_width(c, if c == 4 { 50.0 } else { 18.0 })?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 2).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            ws.write_string_with_format(r, u16::try_from(c).unwrap_or(u16::MAX), v, &base)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "Có" } else { "" }.into(),
        Data::DateTime(dt) => {
            let days = dt.as_f64().floor();
            if (1.0..2_958_466.0).contains(&days) {
                let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
                (base + chrono::Duration::days(days as i64))
                    .format("%d/%m/%Y")
                    .to_string()
            } else {
                dt.as_f64().to_string()
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The rows of the first sheet after the header row (the first row whose first
/// cell is `first_header`, compared without diacritics), each with its Excel
/// row number; empty rows are left out.
pub fn read_table(
    bytes: &[u8],
    first_header: &str,
) -> Result<Vec<(u32, Vec<String>)>, FormImportError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(FormImportError::FileTooLarge {
            what: "tệp tải lên",
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    super::import::check_container(bytes)?;
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        FormImportError::Unreadable(format!("cấu trúc bảng tính không hợp lệ ({e})"))
    })?;
    let first = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| FormImportError::Unreadable("bảng tính không có trang nào".into()))?;
    let range = wb.worksheet_range(&first).map_err(|e| {
        FormImportError::Unreadable(format!("trang «{first}» không đọc được ({e})"))
    })?;
    let start = range.start().map_or(0, |(r, _)| r);
    let want = qcdc_core::text::fold(first_header);
    let mut out = Vec::new();
    let mut in_table = false;
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row.iter().map(|d| text(d).trim().to_string()).collect();
        if !in_table {
            in_table = cells
                .first()
                .is_some_and(|c| qcdc_core::text::fold(c) == want);
            continue;
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let number = start + u32::try_from(i).unwrap_or(u32::MAX) + 1;
        out.push((number, cells));
    }
    if !in_table {
        return Err(FormImportError::WrongForm(format!(
            "không thấy dòng tiêu đề bắt đầu bằng «{first_header}» ở trang đầu tiên"
        )));
    }
    Ok(out)
}
