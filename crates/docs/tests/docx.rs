//! DOCX files read back with zip + quick-xml: page size, margins, font, the heading block,
//! the tables, and every total against the input data.

mod common;

use common::{default_font, fixture, read_docx, zip_part};
use qcdc_core::number::{Milli, parse_vn};
use qcdc_docs::model::{Document, FigureRow, TotalsRow};
use qcdc_docs::render_docx;

fn render(doc: &Document, name: &str) -> Vec<u8> {
    let bytes = render_docx(doc).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(common::out_dir().join(format!("{name}.docx")), &bytes)
        .unwrap_or_else(|e| panic!("{e}"));
    bytes
}

fn margin(d: &common::DocxText, k: &str) -> i32 {
    d.margins
        .iter()
        .find(|(n, _)| n == k)
        .map_or(-1, |(_, v)| *v)
}

fn has_para(d: &common::DocxText, text: &str) -> bool {
    d.paragraphs.iter().any(|p| p == text)
}

#[test]
fn state_report_page_setup_font_and_heading() {
    let doc = fixture("report-commune.json");
    let bytes = render(&doc, "report-commune");
    let d = read_docx(&bytes);
    // A4 portrait in twips
    assert_eq!((d.page_w, d.page_h), (Some(11906), Some(16838)));
    // Decree 30: top/bottom 20 mm, left 30 mm, right 15 mm
    assert_eq!(margin(&d, "top"), 1134);
    assert_eq!(margin(&d, "bottom"), 1134);
    assert_eq!(margin(&d, "left"), 1701);
    assert_eq!(margin(&d, "right"), 850);
    assert_eq!(default_font(&bytes).as_deref(), Some("Times New Roman"));
    let styles = zip_part(&bytes, "word/styles.xml").unwrap_or_default();
    assert!(styles.contains("w:styleId=\"QcdcBody\""), "body style");
    // the heading block, as printed
    for line in [
        "TỈNH LÂM VIÊN",
        "ỦY BAN NHÂN DÂN XÃ ĐAM RÔNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 109/BC-UBND",
        "Đam Rông, ngày 16 tháng 6 năm 2026",
        "BÁO CÁO",
        "Kết quả xây dựng và thực hiện quy chế dân chủ ở cơ sở 6 tháng đầu năm 2026",
        "Nơi nhận:",
        "- Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Trần Thị Ngọc Diễm",
        "PHỤ LỤC SỐ LIỆU",
        "(Kèm theo Báo cáo số 109/BC-UBND ngày 16/06/2026)",
    ] {
        assert!(has_para(&d, line), "missing paragraph {line:?}");
    }
    // the heading table: issuer left, national title right, number and date below
    let head = &d.tables[0];
    assert!(head[0][0].contains("ỦY BAN NHÂN DÂN XÃ ĐAM RÔNG"));
    assert!(head[0][1].starts_with("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert_eq!(head[1][0], "Số: 109/BC-UBND");
    assert_eq!(head[1][1], "Đam Rông, ngày 16 tháng 6 năm 2026");
    // the motto is underlined (the short rule under it)
    let xml = zip_part(&bytes, "word/document.xml").unwrap_or_default();
    let motto = xml.find("Độc lập - Tự do - Hạnh phúc").unwrap_or(0);
    let run_start = xml[..motto].rfind("<w:r>").unwrap_or(0);
    assert!(xml[run_start..motto].contains("<w:u w:val=\"single\""));
    // the short rules are top borders of narrowed empty paragraphs, nothing else
    assert!(xml.matches("<w:pBdr>").count() >= 2);
    for bdr in xml.split("<w:pBdr>").skip(1) {
        let bdr = &bdr[..bdr.find("</w:pBdr>").unwrap_or(0)];
        assert!(
            bdr.contains("<w:top ") && !bdr.contains("<w:left "),
            "{bdr}"
        );
    }
    // numbered outline headings with the parts' titles
    assert!(has_para(
        &d,
        "I. KHÁI QUÁT ĐẶC ĐIỂM, TÌNH HÌNH CỦA ĐỊA PHƯƠNG, ĐƠN VỊ CÓ LIÊN QUAN, TÁC ĐỘNG TRỰC TIẾP ĐẾN VIỆC XÂY DỰNG VÀ THỰC HIỆN QCDC Ở CƠ SỞ"
    ));
    assert!(has_para(
        &d,
        "1. Công tác lãnh đạo, chỉ đạo của cấp ủy đảng"
    ));
    assert!(has_para(&d, "(Không có nội dung)"), "empty section III.3");
}

#[test]
fn page_numbers_from_page_two() {
    let bytes = render(&fixture("report-commune.json"), "report-commune-2");
    let d = read_docx(&bytes);
    assert!(d.title_pg, "different first page");
    let kinds: Vec<&str> = d.header_refs.iter().map(|(k, _)| k.as_str()).collect();
    assert!(
        kinds.contains(&"default") && kinds.contains(&"first"),
        "{kinds:?}"
    );
    // the default header has a centred PAGE field, the first-page header none
    let rels = zip_part(&bytes, "word/_rels/document.xml.rels").unwrap_or_default();
    let target = |kind: &str| {
        let id = &d
            .header_refs
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, id)| id.clone())
            .unwrap_or_default();
        let at = rels.find(&format!("Id=\"{id}\"")).unwrap_or(0);
        let t = rels[at..]
            .find("Target=\"")
            .map(|i| at + i + 8)
            .unwrap_or(0);
        let end = rels[t..].find('"').map_or(t, |i| t + i);
        format!("word/{}", &rels[t..end])
    };
    let default = zip_part(&bytes, &target("default")).unwrap_or_default();
    let first = zip_part(&bytes, &target("first")).unwrap_or_default();
    assert!(default.contains("PAGE"), "{default}");
    assert!(default.contains("w:val=\"center\""), "{default}");
    assert!(!first.contains("PAGE"), "{first}");
}

#[test]
fn appendix_values_are_the_input_figures() {
    let doc = fixture("report-commune.json");
    let Document::UnitReport(r) = &doc else {
        panic!("fixture kind")
    };
    let d = read_docx(&render(&doc, "report-commune-3"));
    let appendix = d
        .tables
        .last()
        .unwrap_or_else(|| panic!("no appendix table"));
    assert_eq!(appendix[0], ["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu"]);
    let rows = &r
        .appendix
        .as_ref()
        .unwrap_or_else(|| panic!("appendix"))
        .rows;
    assert_eq!(appendix.len(), rows.len() + 1);
    for (printed, row) in appendix[1..].iter().zip(rows) {
        match row {
            FigureRow::Group { number, title } => {
                assert_eq!(printed[0], *number);
                assert_eq!(printed[1], *title);
            }
            FigureRow::Indicator {
                name, unit, value, ..
            } => {
                assert!(printed[1].ends_with(name.as_str()), "{printed:?}");
                assert_eq!(printed[2], *unit);
                let v = value.as_ref().map(|v| v.milli);
                let shown = (!printed[3].is_empty())
                    .then(|| parse_vn(&printed[3]).unwrap_or_else(|e| panic!("{e:?}")));
                assert_eq!(shown, v, "{printed:?}");
            }
        }
    }
    // breakdown rows: "Trong đó:" on the first, indented
    assert!(
        appendix
            .iter()
            .any(|r| r[1] == "Trong đó: Văn bản của cấp ủy"),
        "{:?}",
        appendix.iter().map(|r| r[1].clone()).collect::<Vec<_>>()
    );
}

#[test]
fn party_letter_heading_recipients_and_appendices() {
    let doc = fixture("letter-party.json");
    let bytes = render(&doc, "letter-party");
    let d = read_docx(&bytes);
    // HD 36: 25/25/35/15 mm
    assert_eq!(margin(&d, "top"), 1417);
    assert_eq!(margin(&d, "bottom"), 1417);
    assert_eq!(margin(&d, "left"), 1984);
    assert_eq!(margin(&d, "right"), 850);
    for line in [
        "TỈNH ỦY LÂM VIÊN",
        "BAN CHỈ ĐẠO THỰC HIỆN QUY CHẾ DÂN CHỦ Ở CƠ SỞ",
        "*",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 42-CV/BCĐ",
        "V/v báo cáo kết quả xây dựng và thực hiện quy chế dân chủ ở cơ sở 6 tháng đầu năm 2026",
        "Lâm Viên, ngày 02 tháng 6 năm 2026",
        "Kính gửi:",
        "- Ban Chỉ đạo thực hiện quy chế dân chủ ở cơ sở các xã, phường, đặc khu;",
        "- các sở, ban, ngành, đoàn thể tỉnh.",
        "KT. TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN THƯỜNG TRỰC",
        "ĐỀ CƯƠNG BÁO CÁO",
        "(Kèm theo Công văn số 42-CV/BCĐ ngày 02/06/2026)",
        "BIỂU MẪU SỐ LIỆU",
    ] {
        assert!(has_para(&d, line), "missing {line:?}");
    }
    assert!(!d.paragraphs.iter().any(|p| p.contains("CỘNG HÒA")));
    assert!(
        d.paragraphs
            .iter()
            .any(|p| p.contains("từ ngày 15/12/2025 đến hết ngày 14/06/2026")),
        "cut-off window"
    );
    // the blank form lists every indicator with its unit and an empty value column
    let t = qcdc_docs::sample::template().unwrap_or_else(|e| panic!("{e:?}"));
    let form = d.tables.last().unwrap_or_else(|| panic!("form"));
    for ind in t.indicators() {
        let row = form
            .iter()
            .find(|r| r[1].ends_with(ind.name.as_str()))
            .unwrap_or_else(|| panic!("{} missing", ind.code));
        assert_eq!(row[2], ind.unit);
        assert_eq!(row[3], "");
    }
    // the appendices start on new pages
    let xml = zip_part(&bytes, "word/document.xml").unwrap_or_default();
    assert_eq!(
        xml.matches("<w:pageBreakBefore />").count(),
        2,
        "two appendices"
    );
}

#[test]
fn unnumbered_draft_is_marked() {
    let d = read_docx(&render(
        &fixture("letter-state-draft.json"),
        "letter-state-draft",
    ));
    assert!(has_para(&d, "DỰ THẢO"));
    let number = d
        .paragraphs
        .iter()
        .find(|p| p.starts_with("Số:"))
        .unwrap_or_else(|| panic!("number line"));
    assert!(number.ends_with("/CV-BCĐ"), "{number}");
    assert!(!number.chars().any(|c| c.is_ascii_digit()), "{number}");
    assert!(has_para(&d, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
}

fn milli(cell: &str) -> Option<Milli> {
    (!cell.is_empty() && cell != "-")
        .then(|| parse_vn(cell).unwrap_or_else(|e| panic!("{cell}: {e:?}")))
}

#[test]
fn consolidated_totals_equal_the_data() {
    let doc = fixture("consolidated-100.json");
    let Document::Consolidated(c) = &doc else {
        panic!("fixture kind")
    };
    let d = read_docx(&render(&doc, "consolidated-100"));
    // per-unit tables: 100 unit lines + header + total; the printed total is the sum of the
    // printed lines and the input's total
    let mut checked = 0;
    for ut in &c.unit_tables {
        let printed: Vec<_> = d
            .tables
            .iter()
            .filter(|t| t.len() == ut.lines.len() + 2 && t[0][1] == "Đơn vị")
            .collect();
        assert!(!printed.is_empty());
        for (k, col) in ut.columns.iter().enumerate() {
            let header = format!("{} ({})", col.name, col.unit);
            let (table, j) = printed
                .iter()
                .find_map(|t| t[0].iter().position(|h| *h == header).map(|j| (t, j)))
                .unwrap_or_else(|| panic!("column {header}"));
            let sum: Milli = table[1..=ut.lines.len()]
                .iter()
                .filter_map(|r| milli(&r[j]))
                .sum();
            let total_row = table.last().unwrap_or_else(|| panic!("total"));
            assert_eq!(total_row[1], "Tổng cộng");
            let data: Milli = ut
                .lines
                .iter()
                .filter_map(|l| l.values[k].as_ref())
                .map(|v| v.milli)
                .sum();
            let ind = qcdc_docs::sample::template()
                .ok()
                .and_then(|t| t.indicator(&col.code).map(|i| i.aggregate));
            if ind == Some(qcdc_core::template::Aggregate::Sum) {
                assert_eq!(milli(&total_row[j]), Some(sum), "{header}");
                assert_eq!(sum, data, "{header}");
                assert_eq!(ut.total[k].as_ref().map(|f| f.milli), Some(data));
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "checked {checked} summed columns");
    // the totals table shows the input totals, last year's and the change
    let totals = d
        .tables
        .iter()
        .find(|t| t[0].len() == 7 && t[0][3] == "6 tháng đầu năm 2026")
        .unwrap_or_else(|| panic!("totals table"));
    let mut n = 0;
    for r in &c.totals.rows {
        if let TotalsRow::Indicator {
            name,
            value,
            last_year,
            ..
        } = r
        {
            let row = totals
                .iter()
                .find(|p| p[1].ends_with(name.as_str()))
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(milli(&row[3]), value.as_ref().map(|v| v.milli), "{name}");
            assert_eq!(
                milli(&row[4]),
                last_year.as_ref().map(|v| v.milli),
                "{name}"
            );
            if let (Some(v), Some(l)) = (value, last_year) {
                assert_eq!(
                    milli(row[5].trim_start_matches('+')),
                    Some(v.milli - l.milli),
                    "{name}"
                );
            }
            n += 1;
        }
    }
    assert_eq!(n, 74);
    // completeness: counts and every late and missing unit by name
    let text = d.paragraphs.join("\n");
    for u in &c.completeness.missing_units {
        assert!(text.contains(u.as_str()), "missing unit {u}");
    }
    for u in &c.completeness.late_units {
        assert!(text.contains(u.name.as_str()), "late unit {}", u.name);
    }
    assert!(d.tables.iter().any(|t| {
        t.iter()
            .any(|r| r[0] == "Số đơn vị phải báo cáo" && r[1] == "106")
    }));
    // attributed narrative
    assert!(text.contains("(Xã Phước Bình)"));
}
