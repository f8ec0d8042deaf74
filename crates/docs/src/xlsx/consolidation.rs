//! A consolidation as a workbook: one sheet per table (totals with last year, one per-unit
//! table per indicator group, completeness), every figure a real number.
//!
//! Number formats: `#,##0` for counts, `#,##0.0##` for decimal units, `+#,##0.0##;-#,##0.0##;0`
//! for changes. They are locale-neutral in the file; a Vietnamese Excel shows `1.234,5`.

use qcdc_core::number::Milli;
use qcdc_core::template::allows_decimals;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use super::XlsxWriteError;
use crate::format::div_round;
use crate::model::{ConsolidatedReport, Figure, TotalsRow};

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    group: Format,
    part: Format,
    whole: Format,
    decimal: Format,
    change: Format,
    pct: Format,
    date: Format,
    total_label: Format,
    total_decimal: Format,
}

fn formats() -> Formats {
    let base = Format::new()
        .set_font_name("Times New Roman")
        .set_font_size(12);
    let cell = base.clone().set_border(FormatBorder::Thin);
    Formats {
        title: base.clone().set_bold().set_font_size(14),
        header: cell
            .clone()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color("D9E2F3"),
        text: cell.clone().set_text_wrap(),
        group: cell.clone().set_bold().set_background_color("F2F2F2"),
        part: cell.clone().set_italic().set_indent(2).set_text_wrap(),
        whole: cell.clone().set_num_format("#,##0"),
        decimal: cell.clone().set_num_format("#,##0.0##"),
        change: cell.clone().set_num_format("+#,##0.0##;-#,##0.0##;0"),
        pct: cell.clone().set_num_format("+0.0\"%\";-0.0\"%\";0\"%\""),
        date: cell.clone().set_num_format("dd/mm/yyyy"),
        total_label: cell.clone().set_bold(),
        total_decimal: cell.set_bold().set_num_format("#,##0.0##"),
    }
}

/// Thousandths as the number Excel stores (exact for every value the app accepts).
#[allow(clippy::cast_precision_loss)]
fn num(m: Milli) -> f64 {
    m as f64 / 1000.0
}

fn headers(
    ws: &mut Worksheet,
    row: u32,
    f: &Formats,
    cols: &[(&str, f64)],
) -> Result<(), XlsxWriteError> {
    for (i, (h, w)) in cols.iter().enumerate() {
        let c = u16::try_from(i).unwrap_or(u16::MAX);
        ws.set_column_width(c, *w)?;
        ws.write_string_with_format(row, c, *h, &f.header)?;
    }
    ws.set_freeze_panes(row + 1, 0)?;
    Ok(())
}

fn figure(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: Option<&Figure>,
    fmt: &Format,
) -> Result<(), XlsxWriteError> {
    match v {
        Some(v) => ws.write_number_with_format(row, col, num(v.milli), fmt)?,
        None => ws.write_blank(row, col, fmt)?,
    };
    Ok(())
}

/// Excel's sheet names: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let mut base: String = clean.trim().chars().take(28).collect();
    if base.is_empty() {
        base = "Trang".into();
    }
    let mut name = base.clone();
    let mut n = 2;
    while taken
        .iter()
        .any(|t| t.to_lowercase() == name.to_lowercase())
    {
        name = format!("{base} {n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

fn totals_sheet(
    wb: &mut Workbook,
    c: &ConsolidatedReport,
    f: &Formats,
    taken: &mut Vec<String>,
) -> Result<(), XlsxWriteError> {
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name("Tổng hợp", taken))?;
    let t = &c.totals;
    ws.write_string_with_format(0, 0, t.title.as_str(), &f.title)?;
    ws.write_string(
        1,
        0,
        format!("{} — {}", c.issuer.body.trim(), c.period_label.trim()),
    )?;
    let last = format!("Cùng kỳ {}", t.last_period_label);
    headers(
        ws,
        3,
        f,
        &[
            ("STT", 6.0),
            ("Mã chỉ tiêu", 16.0),
            ("Chỉ tiêu", 60.0),
            ("Đơn vị tính", 12.0),
            (t.period_label.as_str(), 16.0),
            (last.as_str(), 16.0),
            ("Tăng (+), giảm (-)", 14.0),
            ("Tỷ lệ tăng, giảm", 14.0),
        ],
    )?;
    for (row, r) in (4u32..).zip(&t.rows) {
        match r {
            TotalsRow::Group { number, title } => {
                ws.write_string_with_format(row, 0, number.as_str(), &f.group)?;
                ws.write_string_with_format(row, 1, "", &f.group)?;
                ws.write_string_with_format(row, 2, title.as_str(), &f.group)?;
                for col in 3..8 {
                    ws.write_blank(row, col, &f.group)?;
                }
            }
            TotalsRow::Indicator {
                number,
                code,
                name,
                unit,
                depth,
                first_part,
                value,
                last_year,
            } => {
                let label = crate::format::part_label(name, *first_part);
                ws.write_string_with_format(row, 0, number.as_str(), &f.text)?;
                ws.write_string_with_format(row, 1, code.as_str(), &f.text)?;
                ws.write_string_with_format(
                    row,
                    2,
                    label,
                    if *depth > 0 { &f.part } else { &f.text },
                )?;
                ws.write_string_with_format(row, 3, unit.as_str(), &f.text)?;
                let fmt = if allows_decimals(unit) {
                    &f.decimal
                } else {
                    &f.whole
                };
                figure(ws, row, 4, value.as_ref(), fmt)?;
                figure(ws, row, 5, last_year.as_ref(), fmt)?;
                match (value, last_year) {
                    (Some(v), Some(l)) => {
                        let diff = v.milli.saturating_sub(l.milli);
                        ws.write_number_with_format(row, 6, num(diff), &f.change)?;
                        if unit != "%" && l.milli != 0 {
                            let tenths = div_round(i128::from(diff) * 1000, i128::from(l.milli));
                            #[allow(clippy::cast_precision_loss)]
                            let pct = tenths as f64 / 10.0;
                            ws.write_number_with_format(row, 7, pct, &f.pct)?;
                        } else {
                            ws.write_blank(row, 7, &f.pct)?;
                        }
                    }
                    _ => {
                        ws.write_blank(row, 6, &f.change)?;
                        ws.write_blank(row, 7, &f.pct)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn unit_sheets(
    wb: &mut Workbook,
    c: &ConsolidatedReport,
    f: &Formats,
    taken: &mut Vec<String>,
) -> Result<(), XlsxWriteError> {
    for t in &c.unit_tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&format!("Đơn vị - {}", t.title), taken))?;
        ws.write_string_with_format(0, 0, format!("Số liệu theo đơn vị: {}", t.title), &f.title)?;
        let heads: Vec<String> = t
            .columns
            .iter()
            .map(|k| format!("{} ({})", k.name, k.unit))
            .collect();
        let mut cols: Vec<(&str, f64)> = vec![("STT", 6.0), ("Đơn vị", 36.0)];
        cols.extend(heads.iter().map(|h| (h.as_str(), 18.0)));
        headers(ws, 2, f, &cols)?;
        ws.set_row_height(2, 60)?;
        let fmt_of = |i: usize| {
            if t.columns.get(i).is_some_and(|k| allows_decimals(&k.unit)) {
                &f.decimal
            } else {
                &f.whole
            }
        };
        let mut row = 3;
        for (n, l) in t.lines.iter().enumerate() {
            ws.write_number_with_format(row, 0, u32::try_from(n + 1).unwrap_or(0), &f.whole)?;
            ws.write_string_with_format(row, 1, l.unit_name.as_str(), &f.text)?;
            for (i, v) in l.values.iter().enumerate() {
                let col = u16::try_from(i + 2).unwrap_or(u16::MAX);
                figure(ws, row, col, v.as_ref(), fmt_of(i))?;
            }
            row += 1;
        }
        ws.write_blank(row, 0, &f.total_label)?;
        ws.write_string_with_format(row, 1, "Tổng cộng", &f.total_label)?;
        for (i, v) in t.total.iter().enumerate() {
            let col = u16::try_from(i + 2).unwrap_or(u16::MAX);
            figure(ws, row, col, v.as_ref(), &f.total_decimal)?;
        }
    }
    Ok(())
}

fn excel_date(d: chrono::NaiveDate) -> Result<ExcelDateTime, XlsxWriteError> {
    use chrono::Datelike;
    let month = u8::try_from(d.month()).unwrap_or(1);
    let day = u8::try_from(d.day()).unwrap_or(1);
    let year = u16::try_from(d.year()).unwrap_or(1900);
    Ok(ExcelDateTime::from_ymd(year, month, day)?)
}

fn completeness_sheet(
    wb: &mut Workbook,
    c: &ConsolidatedReport,
    f: &Formats,
    taken: &mut Vec<String>,
) -> Result<(), XlsxWriteError> {
    let k = &c.completeness;
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name("Tiến độ nộp", taken))?;
    ws.write_string_with_format(0, 0, k.title.as_str(), &f.title)?;
    headers(
        ws,
        2,
        f,
        &[("Nội dung", 40.0), ("Số đơn vị", 14.0), ("Ngày nộp", 14.0)],
    )?;
    let mut row = 3;
    for (label, n) in [
        ("Số đơn vị phải báo cáo", k.expected),
        ("Số đơn vị đã nộp", k.submitted),
        ("Nộp đúng hạn", k.on_time),
        ("Nộp muộn", k.late),
        ("Chưa nộp", k.missing),
    ] {
        ws.write_string_with_format(row, 0, label, &f.text)?;
        ws.write_number_with_format(row, 1, n, &f.whole)?;
        row += 1;
    }
    if let Some(d) = k.deadline {
        ws.write_string_with_format(row, 0, "Hạn nộp", &f.text)?;
        ws.write_datetime_with_format(row, 2, excel_date(d)?, &f.date)?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Đơn vị nộp muộn", &f.total_label)?;
    row += 1;
    for u in &k.late_units {
        ws.write_string_with_format(row, 0, u.name.as_str(), &f.text)?;
        ws.write_datetime_with_format(row, 2, excel_date(u.submitted_on)?, &f.date)?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Đơn vị chưa nộp", &f.total_label)?;
    row += 1;
    for u in &k.missing_units {
        ws.write_string_with_format(row, 0, u.as_str(), &f.text)?;
        row += 1;
    }
    Ok(())
}

/// Writes a consolidation as a workbook: "Tổng hợp", one "Đơn vị - …" sheet per
/// per-unit table, "Tiến độ nộp".
pub fn export_consolidation(c: &ConsolidatedReport) -> Result<Vec<u8>, XlsxWriteError> {
    let f = formats();
    let mut wb = Workbook::new();
    let mut taken = Vec::new();
    totals_sheet(&mut wb, c, &f, &mut taken)?;
    unit_sheets(&mut wb, c, &f, &mut taken)?;
    completeness_sheet(&mut wb, c, &f, &mut taken)?;
    Ok(wb.save_to_buffer()?)
}
