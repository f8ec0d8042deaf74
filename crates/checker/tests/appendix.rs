#![allow(clippy::unwrap_used, clippy::expect_used)]
//! An appendix table numbered hierarchically (the STT column: `1.1`, `15.2`,
//! `2.3.1`) is numbering, not figures written with a dot: a report whose figures
//! are right gets no error and no warning, however the table was typed or saved.

use std::io::Write;

use qcdc_checker::{Finding, Severity, check, read};

const HEAD: &str = "ỦY BAN NHÂN DÂN XÃ TÂN LẬP
Số: 12/BC-UBND
Tân Lập, ngày 05 tháng 01 năm 2025

BÁO CÁO
Kết quả thực hiện dân chủ ở cơ sở năm 2024

I. KẾT QUẢ THỰC HIỆN
1. Tổ chức 4 hội nghị và 12 cuộc đối thoại với Nhân dân.
2. Tiếp nhận 89 đơn, trong đó: khiếu nại 14 đơn, tố cáo 3 đơn, kiến nghị 72 đơn; đã giải quyết 74 đơn, còn lại 15 đơn.
3. Có 350 người tham gia góp ý dự thảo.

PHỤ LỤC
Số liệu thực hiện dân chủ ở cơ sở năm 2024
";

/// Rows: (STT, indicator, unit, value), figures as in the body.
const ROWS: &[(&str, &str, &str, &str)] = &[
    ("1.1", "Số hội nghị", "cuộc", "4"),
    ("1.2", "Số cuộc đối thoại", "cuộc", "12"),
    ("2.3.1", "Số người tham gia góp ý", "người", "350"),
    ("15.1", "Số đơn tiếp nhận", "đơn", "89"),
    ("15.2", "Số đơn đã giải quyết", "đơn", "74"),
    ("15.3", "số đơn còn lại", "đơn", "15"),
];

fn slips(bytes: &[u8]) -> Vec<Finding> {
    let doc = read(bytes).unwrap();
    check(&doc)
        .into_iter()
        .filter(|f| matches!(f.severity, Severity::Error | Severity::Warning))
        .collect()
}

fn text_with(row: impl Fn(&(&str, &str, &str, &str)) -> String) -> String {
    let mut t = HEAD.to_string();
    for r in ROWS {
        t.push_str(&row(r));
        t.push('\n');
    }
    t
}

#[test]
fn table_rows_typed_with_bars() {
    let t = text_with(|(n, l, u, v)| format!("{n} | {l} | {u} | {v}"));
    let f = slips(t.as_bytes());
    assert!(f.is_empty(), "{t}\n{f:#?}");
    let t = text_with(|(n, l, u, v)| format!("| {n} | {l} | {u} | {v} |"));
    let f = slips(t.as_bytes());
    assert!(f.is_empty(), "{t}\n{f:#?}");
}

#[test]
fn table_rows_separated_by_tabs() {
    let t = text_with(|(n, l, u, v)| format!("{n}\t{l}\t{u}\t{v}"));
    let f = slips(t.as_bytes());
    assert!(f.is_empty(), "{t}\n{f:#?}");
}

#[test]
fn one_cell_per_line() {
    // a table copied out of Word: each cell on its own line
    let t = text_with(|(n, l, u, v)| format!("{n}\n{l}\n{u}\n{v}"));
    let f = slips(t.as_bytes());
    assert!(f.is_empty(), "{t}\n{f:#?}");
}

#[test]
fn a_docx_table() {
    // a generated .docx: every cell of the table is a paragraph of its own
    let p = |s: &str| format!("<w:p><w:r><w:t xml:space=\"preserve\">{s}</w:t></w:r></w:p>");
    let mut body: String = HEAD.lines().map(p).collect();
    body.push_str("<w:tbl>");
    for (n, l, u, v) in ROWS {
        body.push_str("<w:tr>");
        for cell in [n, l, u, v] {
            body.push_str(&format!("<w:tc>{}</w:tc>", p(cell)));
        }
        body.push_str("</w:tr>");
    }
    body.push_str("</w:tbl>");
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opt = zip::write::SimpleFileOptions::default();
        z.start_file("[Content_Types].xml", opt).unwrap();
        z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#).unwrap();
        z.start_file("word/document.xml", opt).unwrap();
        write!(z, r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#).unwrap();
        z.finish().unwrap();
    }
    let f = slips(&buf.into_inner());
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn a_figure_typed_english_style_in_the_table_is_still_found() {
    // the numbering is quiet, the value cell with a dot before two digits is not
    let t = text_with(|(n, l, u, v)| {
        let v = if *n == "1.2" { "12.50" } else { v };
        format!("{n} | {l} | {u} | {v}")
    });
    let f = slips(t.as_bytes());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].kind, qcdc_checker::Kind::NumberFormat);
    assert!(f[0].message.contains("12.50"), "{f:#?}");
}
