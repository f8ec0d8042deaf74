//! Reading a filled form back: all or nothing.
//!
//! Order of checks: size of the upload; the zip container, unpacked under a hard cap (a zip
//! bomb stops at the cap); the workbook (calamine); the hidden identity sheet against the
//! expected round, unit and template; the layout checksum and the indicator codes; then
//! every value cell. Any unreadable cell refuses the whole file and lists every such cell.
//! Typed figures are taken exactly: never rounded, a fraction in a count is an error.

use std::io::{Cursor, Read};

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use qcdc_core::number::{Milli, parse_vn};
use qcdc_core::template::{Template, allows_decimals};

use super::form::{CODE_COL, FORM_LAYOUT_VERSION, HEADER_ROW, VALUE_COL};
use super::{BadCell, FORM_SHEET, FormIdentity, FormImportError, META_SHEET, cell_ref};

/// Largest upload accepted: a filled form is a few tens of kilobytes.
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
/// Largest unpacked content accepted (all parts of the workbook together).
pub const MAX_UNCOMPRESSED_BYTES: u64 = 50 * 1024 * 1024;
/// Most parts a workbook may have.
const MAX_ENTRIES: usize = 2_000;
/// Largest absolute value (as in `qcdc_core::number`): a thousand billion.
const MAX_ABS: f64 = 1e12;

/// One figure read from the form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportedValue {
    pub code: String,
    /// "D12".
    pub cell: String,
    /// `None`: the cell was left empty.
    pub value: Option<Milli>,
    /// The cell as typed: a text cell verbatim, a number in Vietnamese notation ("12,5").
    pub text: String,
    /// The formula, when the value is a formula's cached result.
    pub formula: Option<String>,
}

/// A form read back whole.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportedForm {
    pub identity: FormIdentity,
    /// One entry per indicator, in form order.
    pub values: Vec<ImportedValue>,
}

fn unreadable(why: impl Into<String>) -> FormImportError {
    FormImportError::Unreadable(why.into())
}

fn wrong(why: impl Into<String>) -> FormImportError {
    FormImportError::WrongForm(why.into())
}

/// Unpacks every part under a hard cap, so that nothing larger ever reaches calamine.
pub(crate) fn check_container(bytes: &[u8]) -> Result<(), FormImportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        unreadable("tệp không phải định dạng .xlsx (Excel 2007 trở lên) hoặc đã bị hỏng")
    })?;
    if zip.len() > MAX_ENTRIES {
        return Err(unreadable(format!(
            "tệp có {} thành phần, nhiều bất thường",
            zip.len()
        )));
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| unreadable(format!("thành phần thứ {} bị hỏng ({e})", i + 1)))?;
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| unreadable(format!("không giải nén được ({e})")))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_UNCOMPRESSED_BYTES {
                return Err(FormImportError::FileTooLarge {
                    what: "nội dung sau khi giải nén",
                    size: total,
                    limit: MAX_UNCOMPRESSED_BYTES,
                });
            }
        }
    }
    Ok(())
}

struct Book {
    meta: Range<Data>,
    form: Range<Data>,
    formulas: Range<String>,
    merged: Vec<calamine::Dimensions>,
}

fn open_book(bytes: &[u8]) -> Result<Book, FormImportError> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| unreadable(format!("cấu trúc bảng tính không hợp lệ ({e})")))?;
    let sheets = wb.sheet_names();
    if !sheets.iter().any(|s| s == META_SHEET) || !sheets.iter().any(|s| s == FORM_SHEET) {
        return Err(wrong(
            "không có trang «Biểu mẫu» và trang nhận dạng do qcdc tạo; hãy tải biểu mẫu Excel \
             của đợt báo cáo từ hệ thống và điền vào đó",
        ));
    }
    let meta = wb
        .worksheet_range(META_SHEET)
        .map_err(|e| unreadable(format!("trang nhận dạng không đọc được ({e})")))?;
    let form = wb
        .worksheet_range(FORM_SHEET)
        .map_err(|e| unreadable(format!("trang «{FORM_SHEET}» không đọc được ({e})")))?;
    let formulas = wb.worksheet_formula(FORM_SHEET).map_err(|e| {
        unreadable(format!(
            "công thức trong trang «{FORM_SHEET}» không đọc được ({e})"
        ))
    })?;
    let merged = wb
        .merge_cells_by_sheet_name(FORM_SHEET)
        .map_err(|e| unreadable(format!("ô gộp không đọc được ({e})")))?;
    Ok(Book {
        meta,
        form,
        formulas,
        merged,
    })
}

fn text_of(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Float(f)) => decimal_repr(*f),
        _ => String::new(),
    }
}

fn meta_value(meta: &Range<Data>, key: &str) -> Option<String> {
    meta.rows()
        .find(|r| text_of(r.first()) == key)
        .map(|r| text_of(r.get(1)))
}

/// Shortest decimal that reads back as this double ("12.5", "1000000"): what was typed.
fn decimal_repr(f: f64) -> String {
    let s = format!("{f}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Exact thousandths from a cell's double; `Err` with the Vietnamese reason.
fn milli_from_f64(f: f64) -> Result<Milli, String> {
    if !f.is_finite() {
        return Err("không phải là số".into());
    }
    if f.abs() > MAX_ABS {
        return Err("số quá lớn".into());
    }
    let s = decimal_repr(f.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if frac.len() > 3 {
        return Err("có quá 3 chữ số thập phân; hãy nhập đúng số cần báo cáo".into());
    }
    let int: i64 = int.parse().map_err(|_| "không phải là số".to_string())?;
    let mut milli_frac: i64 = 0;
    for (i, b) in frac.bytes().enumerate() {
        let digit = i64::from(
            b.checked_sub(b'0')
                .filter(|d| *d < 10)
                .ok_or("không phải là số")?,
        );
        milli_frac += digit * 10i64.pow(2 - u32::try_from(i).unwrap_or(2));
    }
    let v = int * 1000 + milli_frac;
    Ok(if f < 0.0 { -v } else { v })
}

/// Vietnamese notation of what a numeric cell holds, for messages: "12,5".
fn vn_text(d: &Data) -> String {
    match d {
        Data::Float(f) => decimal_repr(*f).replace('.', ","),
        Data::Int(i) => i.to_string(),
        Data::String(s) => s.clone(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e}"),
        Data::Empty => String::new(),
    }
}

/// Reads one value cell: `Ok(None)` when empty.
fn read_value(d: Option<&Data>, unit: &str) -> Result<Option<Milli>, String> {
    let v = match d {
        None | Some(Data::Empty) => return Ok(None),
        Some(Data::String(s)) => {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            parse_vn(s).map_err(|e| e.message)?
        }
        Some(Data::Int(i)) =>
        {
            #[allow(clippy::cast_precision_loss)]
            milli_from_f64(*i as f64)?
        }
        Some(Data::Float(f)) => milli_from_f64(*f)?,
        Some(Data::Bool(_)) => return Err("ô chứa giá trị đúng/sai, không phải số".into()),
        Some(Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_)) => {
            return Err(
                "Excel đã hiểu giá trị là ngày tháng hoặc thời gian; hãy nhập lại dưới dạng số"
                    .into(),
            );
        }
        Some(Data::Error(e)) => return Err(format!("ô có lỗi Excel ({e})")),
    };
    if v < 0 {
        return Err("số liệu không được âm".into());
    }
    if !allows_decimals(unit) && v % 1000 != 0 {
        return Err(format!(
            "chỉ tiêu tính bằng «{unit}» phải là số nguyên; không làm tròn số đã nhập"
        ));
    }
    Ok(Some(v))
}

/// Reads a filled form back, checking it is the form of `expected` on `template`.
///
/// Returns every value (exact thousandths, plus what was typed) or refuses the whole file.
pub fn import_form(
    bytes: &[u8],
    expected: &FormIdentity,
    template: &Template,
) -> Result<ImportedForm, FormImportError> {
    let size = bytes.len() as u64;
    if size > MAX_FILE_BYTES {
        return Err(FormImportError::FileTooLarge {
            what: "tệp tải lên",
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    check_container(bytes)?;
    // calamine is third-party parsing of untrusted input: a panic there must not take the
    // server thread down with it
    let book = std::panic::catch_unwind(|| open_book(bytes))
        .map_err(|_| unreadable("cấu trúc bảng tính không hợp lệ"))??;
    let meta = |k: &str| meta_value(&book.meta, k).unwrap_or_default();
    if meta("qcdc_form") != FORM_LAYOUT_VERSION {
        return Err(wrong("trang nhận dạng không đúng mẫu của qcdc"));
    }
    let found = FormIdentity {
        round_id: meta("round_id")
            .parse()
            .map_err(|_| wrong("thiếu mã đợt báo cáo"))?,
        unit_code: meta("unit_code"),
        template_code: meta("template_code"),
        template_version: meta("template_version")
            .parse()
            .map_err(|_| wrong("thiếu phiên bản mẫu báo cáo"))?,
    };
    if found.round_id != expected.round_id {
        return Err(wrong(format!(
            "tệp thuộc đợt báo cáo số {}, không phải đợt số {}",
            found.round_id, expected.round_id
        )));
    }
    if found.unit_code != expected.unit_code {
        return Err(wrong(format!(
            "tệp là biểu mẫu của đơn vị mã «{}», không phải «{}»",
            found.unit_code, expected.unit_code
        )));
    }
    if found.template_code != expected.template_code
        || found.template_version != expected.template_version
        || template.code() != expected.template_code
        || template.version() != expected.template_version
    {
        return Err(wrong(format!(
            "tệp theo mẫu «{}» phiên bản {}, đợt báo cáo dùng mẫu «{}» phiên bản {}",
            found.template_code,
            found.template_version,
            expected.template_code,
            expected.template_version
        )));
    }

    // the rows that carry an indicator code, as laid out
    let end_row = book.form.end().map_or(0, |(r, _)| r);
    let mut layout = Vec::new();
    for row in HEADER_ROW + 1..=end_row {
        let code = text_of(book.form.get_value((row, u32::from(CODE_COL))));
        if !code.is_empty() {
            layout.push((row, code));
        }
    }
    if super::layout_checksum(&found, &layout) != meta("checksum") {
        return Err(wrong(
            "cấu trúc biểu mẫu đã bị thay đổi (thêm, xóa hoặc di chuyển dòng, sửa mã chỉ tiêu); \
             hãy chép số liệu vào một biểu mẫu mới tải từ hệ thống",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (_, code) in &layout {
        if template.indicator(code).is_none() || !seen.insert(code.as_str()) {
            return Err(wrong(format!("chỉ tiêu «{code}» không thuộc mẫu báo cáo")));
        }
    }
    if let Some(missing) = template
        .indicators()
        .iter()
        .find(|i| !seen.contains(i.code.as_str()))
    {
        return Err(wrong(format!("thiếu chỉ tiêu «{}»", missing.code)));
    }

    let mut values = Vec::with_capacity(layout.len());
    let mut bad = Vec::new();
    let value_col = u32::from(VALUE_COL);
    for (row, code) in &layout {
        let Some(ind) = template.indicator(code) else {
            continue;
        };
        let cell = cell_ref(*row, VALUE_COL);
        let data = book.form.get_value((*row, value_col));
        let formula = book
            .formulas
            .get_value((*row, value_col))
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty());
        let typed = data.map(vn_text).unwrap_or_default();
        let mut refuse = |value: String, reason: String| {
            bad.push(BadCell {
                sheet: FORM_SHEET.to_string(),
                cell: cell.clone(),
                value,
                reason,
                indicator: Some(format!("{} — {}", ind.code, ind.name)),
            });
        };
        if book.merged.iter().any(|m| m.contains(*row, value_col)) {
            refuse(typed, "ô bị gộp với ô khác; hãy bỏ gộp ô (Unmerge)".into());
            continue;
        }
        if let Some(f) = &formula
            && matches!(data, None | Some(Data::Empty))
        {
            refuse(
                format!("={f}"),
                "ô chứa công thức chưa có kết quả tính; hãy nhập số trực tiếp".into(),
            );
            continue;
        }
        match read_value(data, &ind.unit) {
            Ok(value) => values.push(ImportedValue {
                code: code.clone(),
                cell: cell.clone(),
                value,
                text: typed,
                formula: formula.map(|f| format!("={f}")),
            }),
            Err(reason) => refuse(typed, reason),
        }
    }
    if !bad.is_empty() {
        return Err(FormImportError::BadCells(bad));
    }
    Ok(ImportedForm {
        identity: found,
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_convert_exactly() {
        assert_eq!(milli_from_f64(12.5), Ok(12_500));
        assert_eq!(milli_from_f64(0.1), Ok(100));
        assert_eq!(milli_from_f64(1234.567), Ok(1_234_567));
        assert_eq!(milli_from_f64(-3.0), Ok(-3000));
        assert_eq!(milli_from_f64(999_999_999_999.0), Ok(999_999_999_999_000));
        assert!(milli_from_f64(0.1 + 0.2).is_err());
        assert!(milli_from_f64(1.0005).is_err());
        assert!(milli_from_f64(f64::NAN).is_err());
        assert!(milli_from_f64(1e13).is_err());
    }

    #[test]
    fn counts_refuse_fractions_without_rounding() {
        let e = read_value(Some(&Data::Float(12.5)), "vụ việc");
        assert!(e.as_ref().is_err_and(|m| m.contains("số nguyên")), "{e:?}");
        assert_eq!(read_value(Some(&Data::Float(12.5)), "%"), Ok(Some(12_500)));
        assert_eq!(
            read_value(Some(&Data::String("1.234".into())), "hồ sơ"),
            Ok(Some(1_234_000))
        );
        assert!(read_value(Some(&Data::String("abc".into())), "hồ sơ").is_err());
        assert!(read_value(Some(&Data::String("12.5".into())), "%").is_err());
        assert_eq!(read_value(Some(&Data::String("  ".into())), "%"), Ok(None));
        assert!(read_value(Some(&Data::Int(-1)), "người").is_err());
        assert!(read_value(Some(&Data::Bool(true)), "người").is_err());
    }
}
