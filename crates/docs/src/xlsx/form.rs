//! A unit's form as a workbook to fill offline.
//!
//! Sheet "Biểu mẫu": codes, Vietnamese names, units of measure, breakdown rows indented;
//! every cell locked (sheet protection, no password) except the value column, which carries
//! data validation (whole numbers for counts, decimals for %, amounts and scores, never
//! negative). Hidden sheet "_qcdc": round, template code and version, unit, and a checksum
//! of the layout, read back by [`super::import_form`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use qcdc_core::number::Milli;
use qcdc_core::template::{Template, allows_decimals};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign,
    FormatBorder, Workbook,
};

use super::{FormIdentity, XlsxWriteError, layout_checksum};
use crate::format::short_date;
use crate::model::{FigureRow, FigureTable};

/// Name of the sheet the clerk fills.
pub const FORM_SHEET: &str = "Biểu mẫu";
/// Name of the hidden sheet that identifies the form.
pub const META_SHEET: &str = "_qcdc";
/// Version of the file layout written in the hidden sheet.
pub(crate) const FORM_LAYOUT_VERSION: &str = "1";
/// Zero-based row of the column headers; data starts on the next row.
pub(crate) const HEADER_ROW: u32 = 5;
pub(crate) const CODE_COL: u16 = 0;
pub(crate) const NAME_COL: u16 = 1;
pub(crate) const UNIT_COL: u16 = 2;
pub(crate) const VALUE_COL: u16 = 3;

/// Everything printed on an exported form.
#[derive(Debug, Clone)]
pub struct FormExport<'a> {
    pub identity: FormIdentity,
    pub template: &'a Template,
    pub unit_name: String,
    pub round_title: String,
    pub period_label: String,
    pub deadline: Option<NaiveDate>,
    /// Current draft values (pre-filled).
    pub values: BTreeMap<String, Milli>,
}

/// Largest whole number accepted by the validation (Excel's rule takes an `i32`).
const MAX_WHOLE: i32 = 2_000_000_000;

/// Writes the form workbook.
pub fn export_form(f: &FormExport<'_>) -> Result<Vec<u8>, XlsxWriteError> {
    let t = f.template;
    let table = FigureTable::from_template(t, "", &f.values);
    let mut wb = Workbook::new();
    let base = Format::new()
        .set_font_name("Times New Roman")
        .set_font_size(12);
    let border = base.clone().set_border(FormatBorder::Thin).set_text_wrap();
    let title = base.clone().set_bold().set_font_size(14);
    let bold = base.clone().set_bold();
    let italic = base.clone().set_italic().set_text_wrap();
    let header = border
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color("D9E2F3");
    let group = border.clone().set_bold().set_background_color("F2F2F2");
    let input = border.clone().set_unlocked().set_background_color("FFF2CC");

    let ws = wb.add_worksheet();
    ws.set_name(FORM_SHEET)?;
    ws.set_column_width(CODE_COL, 20)?;
    ws.set_column_width(NAME_COL, 70)?;
    ws.set_column_width(UNIT_COL, 14)?;
    ws.set_column_width(VALUE_COL, 16)?;
    ws.write_string_with_format(0, 0, format!("BIỂU MẪU SỐ LIỆU — {}", t.def.name), &title)?;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Đơn vị: {} (mã {})",
            f.unit_name.trim(),
            f.identity.unit_code
        ),
        &bold,
    )?;
    let deadline = f
        .deadline
        .map(|d| format!("; hạn nộp: {}", short_date(d)))
        .unwrap_or_default();
    ws.write_string_with_format(
        2,
        0,
        format!(
            "Đợt báo cáo: {}; kỳ: {}{deadline}",
            f.round_title.trim(),
            f.period_label.trim()
        ),
        &base,
    )?;
    ws.write_string_with_format(
        3,
        0,
        "Chỉ nhập số vào các ô màu vàng ở cột «Số liệu» (số nguyên với chỉ tiêu đếm; \
         dấu thập phân theo thiết lập của máy). Không thêm, xóa hay di chuyển dòng.",
        &italic,
    )?;
    for (c, h) in ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Số liệu"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(HEADER_ROW, u16::try_from(c).unwrap_or(0), *h, &header)?;
    }

    let whole = DataValidation::new()
        .allow_whole_number(DataValidationRule::Between(0, MAX_WHOLE))
        .set_error_style(DataValidationErrorStyle::Stop)
        .set_input_title("Số nguyên")?
        .set_input_message("Nhập số nguyên không âm.")?
        .set_error_title("Số liệu không hợp lệ")?
        .set_error_message("Chỉ tiêu này chỉ nhận số nguyên không âm.")?;
    let decimal = DataValidation::new()
        .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
        .set_error_style(DataValidationErrorStyle::Stop)
        .set_input_title("Số thập phân")?
        .set_input_message("Nhập số không âm, tối đa 3 chữ số thập phân.")?
        .set_error_title("Số liệu không hợp lệ")?
        .set_error_message("Chỉ tiêu này chỉ nhận số không âm.")?;

    let mut layout = Vec::new();
    for (row, r) in (HEADER_ROW + 1..).zip(&table.rows) {
        match r {
            FigureRow::Group { number, title } => {
                ws.write_string_with_format(row, CODE_COL, "", &group)?;
                ws.write_string_with_format(row, NAME_COL, format!("{number}. {title}"), &group)?;
                ws.write_string_with_format(row, UNIT_COL, "", &group)?;
                ws.write_string_with_format(row, VALUE_COL, "", &group)?;
            }
            FigureRow::Indicator {
                code,
                name,
                unit,
                depth,
                first_part,
                value,
                ..
            } => {
                let label = crate::format::part_label(name, *first_part);
                let name_fmt = if *depth > 0 {
                    border
                        .clone()
                        .set_indent(depth.saturating_mul(2))
                        .set_italic()
                } else {
                    border.clone()
                };
                ws.write_string_with_format(row, CODE_COL, code, &border)?;
                ws.write_string_with_format(row, NAME_COL, label, &name_fmt)?;
                ws.write_string_with_format(row, UNIT_COL, unit, &border)?;
                match value {
                    // thousandths to a double: exact for every value the app accepts
                    // (< 10^12), and read back exactly by the importer
                    #[allow(clippy::cast_precision_loss)]
                    Some(v) => ws.write_number_with_format(
                        row,
                        VALUE_COL,
                        v.milli as f64 / 1000.0,
                        &input,
                    )?,
                    None => ws.write_blank(row, VALUE_COL, &input)?,
                };
                let dv = if allows_decimals(unit) {
                    &decimal
                } else {
                    &whole
                };
                ws.add_data_validation(row, VALUE_COL, row, VALUE_COL, dv)?;
                layout.push((row, code.clone()));
            }
        }
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    ws.protect();

    let meta = wb.add_worksheet();
    meta.set_name(META_SHEET)?;
    let id = &f.identity;
    let entries = [
        ("qcdc_form", FORM_LAYOUT_VERSION.to_string()),
        ("round_id", id.round_id.to_string()),
        ("template_code", id.template_code.clone()),
        ("template_version", id.template_version.to_string()),
        ("unit_code", id.unit_code.clone()),
        ("checksum", layout_checksum(id, &layout)),
    ];
    for (i, (k, v)) in entries.iter().enumerate() {
        let r = u32::try_from(i).unwrap_or(0);
        meta.write_string(r, 0, *k)?;
        meta.write_string(r, 1, v)?;
    }
    meta.set_hidden(true);
    meta.protect();
    Ok(wb.save_to_buffer()?)
}
