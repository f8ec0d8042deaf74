//! The appendix tables of a layout: the form / appendix of figures, the totals against
//! last year, the completeness of reporting and the per-unit tables.

use super::{Align, Block, Column, Row, RowStyle, Table};
use crate::format::{change_cells, part_label, short_date};
use crate::model::{
    Completeness, Figure, FigureRow, FigureTable, TotalsRow, TotalsTable, UnitTable,
};

pub(super) fn col(header: &str, width: u16, align: Align) -> Column {
    Column {
        header: header.into(),
        width,
        align,
    }
}

/// The indicator form / appendix of figures.
pub(super) fn figure_table(t: &FigureTable, with_values: bool) -> Table {
    let columns = vec![
        col("STT", 8, Align::Center),
        col("Chỉ tiêu", 54, Align::Left),
        col("Đơn vị tính", 16, Align::Center),
        col("Số liệu", 22, Align::Right),
    ];
    let rows = t
        .rows
        .iter()
        .map(|r| match r {
            FigureRow::Group { number, title } => Row {
                cells: vec![number.clone(), title.clone(), String::new(), String::new()],
                style: RowStyle::Group,
                indent: 0,
            },
            FigureRow::Indicator {
                number,
                name,
                unit,
                depth,
                first_part,
                value,
                ..
            } => Row {
                cells: vec![
                    number.clone(),
                    part_label(name, *first_part),
                    unit.clone(),
                    if with_values {
                        value.as_ref().map(|v| v.text.clone()).unwrap_or_default()
                    } else {
                        String::new()
                    },
                ],
                style: if *depth > 0 {
                    RowStyle::Part
                } else {
                    RowStyle::Item
                },
                indent: *depth,
            },
        })
        .collect();
    Table {
        columns,
        label_column: 1,
        rows,
        size: 12.0,
    }
}

pub(super) fn totals_table(t: &TotalsTable) -> Table {
    let columns = vec![
        col("STT", 6, Align::Center),
        col("Chỉ tiêu", 34, Align::Left),
        col("Đơn vị tính", 11, Align::Center),
        col(&t.period_label, 13, Align::Right),
        col(
            &format!("Cùng kỳ {}", t.last_period_label),
            13,
            Align::Right,
        ),
        col("Tăng (+), giảm (-)", 11, Align::Right),
        col("Tỷ lệ tăng, giảm", 12, Align::Right),
    ];
    let rows = t
        .rows
        .iter()
        .map(|r| match r {
            TotalsRow::Group { number, title } => Row {
                cells: vec![
                    number.clone(),
                    title.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
                style: RowStyle::Group,
                indent: 0,
            },
            TotalsRow::Indicator {
                number,
                name,
                unit,
                depth,
                first_part,
                value,
                last_year,
                ..
            } => {
                let (change, pct) = change_cells(unit, value.as_ref(), last_year.as_ref());
                let show = |f: &Option<Figure>| {
                    f.as_ref()
                        .map_or_else(|| "-".to_string(), |f| f.text.clone())
                };
                Row {
                    cells: vec![
                        number.clone(),
                        part_label(name, *first_part),
                        unit.clone(),
                        show(value),
                        show(last_year),
                        change,
                        pct,
                    ],
                    style: if *depth > 0 {
                        RowStyle::Part
                    } else {
                        RowStyle::Item
                    },
                    indent: *depth,
                }
            }
        })
        .collect();
    Table {
        columns,
        label_column: 1,
        rows,
        size: 11.0,
    }
}

pub(super) fn completeness_blocks(c: &Completeness) -> Vec<Block> {
    let mut out = Vec::new();
    let count = |label: &str, n: u32| Row {
        cells: vec![label.to_string(), n.to_string()],
        style: RowStyle::Item,
        indent: 0,
    };
    let pct = |n: u32| {
        if c.expected == 0 {
            String::new()
        } else {
            let p = crate::model::ratio_milli(i64::from(n) * 1000, i64::from(c.expected) * 1000)
                .unwrap_or(0);
            format!(" ({}%)", qcdc_core::number::format_vn(p, 1))
        }
    };
    let mut rows = vec![count("Số đơn vị phải báo cáo", c.expected)];
    for (label, n) in [
        ("Số đơn vị đã nộp báo cáo", c.submitted),
        ("- Nộp đúng hạn", c.on_time),
        ("- Nộp muộn", c.late),
        ("Số đơn vị chưa nộp báo cáo", c.missing),
    ] {
        rows.push(Row {
            cells: vec![label.to_string(), format!("{n}{}", pct(n))],
            style: if label.starts_with('-') {
                RowStyle::Part
            } else {
                RowStyle::Item
            },
            indent: u8::from(label.starts_with('-')),
        });
    }
    out.push(Block::Table(Table {
        columns: vec![
            col("Nội dung", 70, Align::Left),
            col("Số đơn vị", 30, Align::Right),
        ],
        label_column: 0,
        rows,
        size: 12.0,
    }));
    if let Some(d) = c.deadline {
        out.push(Block::Note {
            text: format!("Hạn nộp báo cáo: {}.", short_date(d)),
        });
    }
    out.push(Block::Heading {
        level: 3,
        text: format!("Đơn vị nộp muộn ({})", c.late_units.len()),
    });
    if c.late_units.is_empty() {
        out.push(Block::Note {
            text: "(Không có)".into(),
        });
    } else {
        let rows = c
            .late_units
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let late = c
                    .deadline
                    .map(|d| (u.submitted_on - d).num_days().max(0).to_string())
                    .unwrap_or_default();
                Row {
                    cells: vec![
                        (i + 1).to_string(),
                        u.name.clone(),
                        short_date(u.submitted_on),
                        late,
                    ],
                    style: RowStyle::Item,
                    indent: 0,
                }
            })
            .collect();
        out.push(Block::Table(Table {
            columns: vec![
                col("STT", 8, Align::Center),
                col("Đơn vị", 52, Align::Left),
                col("Ngày nộp", 20, Align::Center),
                col("Số ngày muộn", 20, Align::Right),
            ],
            label_column: 1,
            rows,
            size: 12.0,
        }));
    }
    out.push(Block::Heading {
        level: 3,
        text: format!("Đơn vị chưa nộp báo cáo ({})", c.missing_units.len()),
    });
    if c.missing_units.is_empty() {
        out.push(Block::Note {
            text: "(Không có)".into(),
        });
    } else {
        let rows = c
            .missing_units
            .iter()
            .enumerate()
            .map(|(i, u)| Row {
                cells: vec![(i + 1).to_string(), u.clone()],
                style: RowStyle::Item,
                indent: 0,
            })
            .collect();
        out.push(Block::Table(Table {
            columns: vec![
                col("STT", 10, Align::Center),
                col("Đơn vị", 90, Align::Left),
            ],
            label_column: 1,
            rows,
            size: 12.0,
        }));
    }
    out
}

/// Indicator columns per printed table: more would not fit a portrait page.
const UNIT_TABLE_COLUMNS: usize = 5;

pub(super) fn unit_table_blocks(t: &UnitTable) -> Vec<Block> {
    let mut out = Vec::new();
    let n = t.columns.len();
    let chunks = n.div_ceil(UNIT_TABLE_COLUMNS).max(1);
    for c in 0..chunks {
        let from = c * UNIT_TABLE_COLUMNS;
        let to = (from + UNIT_TABLE_COLUMNS).min(n);
        let cols = t.columns.get(from..to).unwrap_or(&[]);
        let caption = if c == 0 {
            t.title.clone()
        } else {
            format!("{} (tiếp theo)", t.title)
        };
        out.push(Block::Heading {
            level: 3,
            text: caption,
        });
        let value_width = u16::try_from(62 / cols.len().max(1)).unwrap_or(12);
        let mut columns = vec![col("STT", 7, Align::Center), col("Đơn vị", 31, Align::Left)];
        for k in cols {
            columns.push(col(
                &format!("{} ({})", k.name, k.unit),
                value_width,
                Align::Right,
            ));
        }
        let cell = |vals: &[Option<Figure>], i: usize| {
            vals.get(i)
                .and_then(|v| v.as_ref())
                .map(|f| f.text.clone())
                .unwrap_or_default()
        };
        let mut rows: Vec<Row> = t
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut cells = vec![(i + 1).to_string(), l.unit_name.clone()];
                cells.extend((from..to).map(|k| cell(&l.values, k)));
                Row {
                    cells,
                    style: RowStyle::Item,
                    indent: 0,
                }
            })
            .collect();
        let mut cells = vec![String::new(), "Tổng cộng".to_string()];
        cells.extend((from..to).map(|k| cell(&t.total, k)));
        rows.push(Row {
            cells,
            style: RowStyle::Total,
            indent: 0,
        });
        out.push(Block::Table(Table {
            columns,
            label_column: 1,
            rows,
            size: 10.0,
        }));
    }
    out
}
