//! Excel forms exported, edited the way Excel stores cells, and read back with calamine;
//! the consolidation workbook read back; the importer never panics on any bytes.

mod common;

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use proptest::prelude::*;
use qcdc_core::number::Milli;
use qcdc_core::template::Template;
use qcdc_docs::sample;
use qcdc_docs::xlsx::{
    FORM_SHEET, FormExport, FormIdentity, FormImportError, ImportedForm, META_SHEET,
    export_consolidation, export_form, import_form,
};
use zip::write::SimpleFileOptions;

fn template() -> Template {
    sample::template().unwrap_or_else(|e| panic!("{e:?}"))
}

fn identity() -> FormIdentity {
    FormIdentity {
        round_id: 41,
        unit_code: "lv.dam-rong".into(),
        template_code: "qcdc-dinh-ky".into(),
        template_version: 1,
    }
}

fn values(t: &Template) -> BTreeMap<String, Milli> {
    let mut v = sample::unit_values(t, &mut sample::Rng::new(5));
    v.insert("hs_tiep_nhan".into(), 1_234_567_000);
    v.insert("xh_ty_le_ho_ngheo".into(), 1_234);
    v.remove("tcd_luot");
    v
}

fn export(t: &Template, id: FormIdentity, values: BTreeMap<String, Milli>) -> Vec<u8> {
    export_form(&FormExport {
        identity: id,
        template: t,
        unit_name: "Xã Đam Rông".into(),
        round_title: "Báo cáo QCDC 6 tháng đầu năm 2026".into(),
        period_label: "6 tháng đầu năm 2026".into(),
        deadline: chrono::NaiveDate::from_ymd_opt(2026, 6, 18),
        values,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn import(bytes: &[u8]) -> Result<ImportedForm, FormImportError> {
    import_form(bytes, &identity(), &template())
}

/// Rewrites one part of a zip (as Excel would after an edit).
fn rewrite(bytes: &[u8], part: &str, f: impl Fn(String) -> String) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut e = zin.by_index(i).unwrap_or_else(|e| panic!("{e}"));
        let name = e
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap_or_else(|e| panic!("{e}"));
        if name == part {
            data = f(String::from_utf8(data).unwrap_or_default()).into_bytes();
        }
        out.start_file(name, SimpleFileOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        out.write_all(&data).unwrap_or_else(|e| panic!("{e}"));
    }
    out.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

const SHEET: &str = "xl/worksheets/sheet1.xml";

/// Replaces the XML of one cell ("D12") of the form sheet.
fn set_cell(bytes: &[u8], cell: &str, xml: &str) -> Vec<u8> {
    let cell = cell.to_string();
    let xml = xml.replace("{r}", &cell);
    rewrite(bytes, SHEET, move |s| {
        let start = s
            .find(&format!("<c r=\"{cell}\""))
            .unwrap_or_else(|| panic!("cell {cell}"));
        let gt = start + s[start..].find('>').unwrap_or(0);
        let end = if s.as_bytes()[gt - 1] == b'/' {
            gt + 1
        } else {
            gt + s[gt..].find("</c>").unwrap_or(0) + 4
        };
        format!("{}{}{}", &s[..start], xml, &s[end..])
    })
}

fn cell_of(form: &ImportedForm, code: &str) -> String {
    form.values
        .iter()
        .find(|v| v.code == code)
        .map(|v| v.cell.clone())
        .unwrap_or_else(|| panic!("{code}"))
}

fn bad(r: Result<ImportedForm, FormImportError>) -> FormImportError {
    match r {
        Ok(_) => panic!("imported a file that should be refused"),
        Err(e) => e,
    }
}

#[test]
fn round_trip_is_exact() {
    let t = template();
    let v = values(&t);
    let bytes = export(&t, identity(), v.clone());
    std::fs::write(common::out_dir().join("form-dam-rong.xlsx"), &bytes)
        .unwrap_or_else(|e| panic!("{e}"));
    let form = import(&bytes).unwrap_or_else(|e| panic!("{e}: {:?}", e.bad_cells()));
    assert_eq!(form.identity, identity());
    assert_eq!(form.values.len(), t.indicators().len());
    let read: BTreeMap<String, Milli> = form
        .values
        .iter()
        .filter_map(|x| x.value.map(|m| (x.code.clone(), m)))
        .collect();
    assert_eq!(read, v);
    let empty = form.values.iter().find(|x| x.code == "tcd_luot");
    assert_eq!(empty.map(|x| x.value), Some(None));
    let pct = form.values.iter().find(|x| x.code == "xh_ty_le_ho_ngheo");
    assert_eq!(pct.map(|x| x.text.as_str()), Some("1,234"));
    // the first indicator sits right under the headers, in column D
    assert_eq!(form.values[0].cell, "D8");
}

#[test]
fn form_is_protected_validated_and_identified() {
    let t = template();
    let bytes = export(&t, identity(), BTreeMap::new());
    let sheet = common::zip_part(&bytes, SHEET).unwrap_or_default();
    assert!(sheet.contains("<sheetProtection"), "protected");
    assert!(sheet.contains("type=\"whole\""), "whole-number validation");
    assert!(sheet.contains("type=\"decimal\""), "decimal validation");
    let styles = common::zip_part(&bytes, "xl/styles.xml").unwrap_or_default();
    assert!(styles.contains("locked=\"0\""), "value cells unlocked");
    let wb = common::zip_part(&bytes, "xl/workbook.xml").unwrap_or_default();
    assert!(
        wb.contains(&format!(
            "name=\"{META_SHEET}\" sheetId=\"2\" state=\"hidden\""
        )),
        "{wb}"
    );
    let mut x: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
    let r = x
        .worksheet_range(FORM_SHEET)
        .unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<Vec<String>> = r
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.first().map(String::as_str) == Some("vb_tong")
                && r[1] == "Tổng số văn bản đã ban hành"
                && r[2] == "văn bản")
    );
    assert!(rows.iter().any(|r| r[1] == "Trong đó: Văn bản của cấp ủy"));
    let meta = x
        .worksheet_range(META_SHEET)
        .unwrap_or_else(|e| panic!("{e}"));
    let meta: Vec<String> = meta.rows().map(|r| format!("{}={}", r[0], r[1])).collect();
    for kv in [
        "round_id=41",
        "template_code=qcdc-dinh-ky",
        "template_version=1",
        "unit_code=lv.dam-rong",
    ] {
        assert!(meta.iter().any(|m| m == kv), "{kv} in {meta:?}");
    }
}

#[test]
fn text_in_number_cells_is_read_the_vietnamese_way() {
    let t = template();
    let bytes = export(&t, identity(), values(&t));
    let good = import(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let d = cell_of(&good, "hs_tiep_nhan");
    let edited = set_cell(
        &bytes,
        &d,
        r#"<c r="{r}" t="inlineStr"><is><t xml:space="preserve"> 1.234 </t></is></c>"#,
    );
    let form = import(&edited).unwrap_or_else(|e| panic!("{e}: {:?}", e.bad_cells()));
    let v = form.values.iter().find(|v| v.code == "hs_tiep_nhan");
    assert_eq!(v.map(|v| v.value), Some(Some(1_234_000)));
    assert_eq!(v.map(|v| v.text.as_str()), Some(" 1.234 "));
}

#[test]
fn every_unreadable_cell_is_listed_and_nothing_imported() {
    let t = template();
    let bytes = export(&t, identity(), values(&t));
    let good = import(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let (a, b, c, d) = (
        cell_of(&good, "vb_tong"),
        cell_of(&good, "dt_tiep_nhan"),
        cell_of(&good, "tt_hoi_nghi"),
        cell_of(&good, "xh_ty_le_bhyt"),
    );
    let mut edited = set_cell(
        &bytes,
        &a,
        r#"<c r="{r}" t="inlineStr"><is><t>abc</t></is></c>"#,
    );
    edited = set_cell(&edited, &b, r#"<c r="{r}"><v>12.5</v></c>"#);
    edited = set_cell(&edited, &c, r#"<c r="{r}"><f>B3+1</f></c>"#);
    edited = set_cell(&edited, &d, r#"<c r="{r}"><v>-3</v></c>"#);
    let e = bad(import(&edited));
    assert_eq!(e.code(), "xlsx_bad_cells");
    let cells = e.bad_cells();
    assert_eq!(cells.len(), 4, "{cells:?}");
    let by = |cell: &str| {
        cells
            .iter()
            .find(|x| x.cell == cell)
            .unwrap_or_else(|| panic!("{cell}"))
    };
    assert_eq!(by(&a).value, "abc");
    assert!(by(&a).reason.contains("không hợp lệ"), "{:?}", by(&a));
    assert_eq!(by(&a).sheet, FORM_SHEET);
    // typed figures are sacred: 12,5 for a count is an error quoting it, not 13
    assert_eq!(by(&b).value, "12,5");
    assert!(by(&b).reason.contains("số nguyên"), "{:?}", by(&b));
    assert!(
        by(&b)
            .indicator
            .as_deref()
            .is_some_and(|i| i.starts_with("dt_tiep_nhan"))
    );
    assert_eq!(by(&c).value, "=B3+1");
    assert!(by(&c).reason.contains("công thức"));
    assert!(by(&d).reason.contains("âm"));
    assert!(e.to_string().contains("Có 4 ô không đọc được"), "{e}");
}

#[test]
fn a_formula_with_its_cached_result_is_taken() {
    let t = template();
    let bytes = export(&t, identity(), values(&t));
    let good = import(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let cell = cell_of(&good, "dth_cuoc");
    let edited = set_cell(&bytes, &cell, r#"<c r="{r}"><f>SUM(2,3)</f><v>5</v></c>"#);
    let form = import(&edited).unwrap_or_else(|e| panic!("{e}: {:?}", e.bad_cells()));
    let v = form
        .values
        .iter()
        .find(|v| v.code == "dth_cuoc")
        .unwrap_or_else(|| panic!("dth_cuoc"));
    assert_eq!(v.value, Some(5_000));
    assert_eq!(v.formula.as_deref(), Some("=SUM(2,3)"));
}

#[test]
fn merged_value_cells_are_refused() {
    let t = template();
    let bytes = export(&t, identity(), values(&t));
    let good = import(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let cell = cell_of(&good, "vb_tong");
    let row = cell.trim_start_matches('D').to_string();
    let edited = rewrite(&bytes, SHEET, |s| {
        s.replacen(
            "<dataValidations",
            &format!("<mergeCells count=\"1\"><mergeCell ref=\"C{row}:D{row}\"/></mergeCells><dataValidations"),
            1,
        )
    });
    let e = bad(import(&edited));
    assert_eq!(e.code(), "xlsx_bad_cells");
    assert_eq!(e.bad_cells().len(), 1);
    assert_eq!(e.bad_cells()[0].cell, cell);
    assert!(e.bad_cells()[0].reason.contains("gộp"));
}

#[test]
fn another_round_unit_or_template_is_the_wrong_form() {
    let t = template();
    for (id, why) in [
        (
            FormIdentity {
                round_id: 40,
                ..identity()
            },
            "đợt báo cáo số 40",
        ),
        (
            FormIdentity {
                unit_code: "lv.phuoc-binh".into(),
                ..identity()
            },
            "lv.phuoc-binh",
        ),
        (
            FormIdentity {
                template_version: 2,
                ..identity()
            },
            "phiên bản 2",
        ),
    ] {
        let e = bad(import(&export(&t, id, BTreeMap::new())));
        assert_eq!(e.code(), "xlsx_wrong_form");
        assert!(e.to_string().contains(why), "{e}");
    }
}

#[test]
fn moved_rows_or_an_edited_identity_fail_the_checksum() {
    let t = template();
    let bytes = export(&t, identity(), values(&t));
    // swap the codes of two rows (shared strings 'vb_tong' and 'vb_cap_uy')
    let swapped = rewrite(&bytes, "xl/sharedStrings.xml", |s| {
        s.replace("<t>vb_tong</t>", "<t>@@</t>")
            .replace("<t>vb_cap_uy</t>", "<t>vb_tong</t>")
            .replace("<t>@@</t>", "<t>vb_cap_uy</t>")
    });
    let e = bad(import(&swapped));
    assert_eq!(e.code(), "xlsx_wrong_form");
    assert!(e.to_string().contains("cấu trúc"), "{e}");
    // someone edits the hidden sheet to pass the file off as another unit's
    let other = FormIdentity {
        unit_code: "lv.khac".into(),
        ..identity()
    };
    let forged = rewrite(&bytes, "xl/sharedStrings.xml", |s| {
        s.replace("<t>lv.dam-rong</t>", "<t>lv.khac</t>")
    });
    let e = import_form(&forged, &other, &t)
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code(), "xlsx_wrong_form");
}

#[test]
fn foreign_corrupt_huge_and_bomb_files() {
    // another workbook
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Bảng lương")
        .unwrap_or_else(|e| panic!("{e}"));
    let foreign = wb.save_to_buffer().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bad(import(&foreign)).code(), "xlsx_wrong_form");
    // a Word file (a zip, but no workbook)
    let docx = qcdc_docs::render_docx(&common::fixture("report-commune.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bad(import(&docx)).code(), "xlsx_unreadable");
    // not a zip at all; a truncated form
    assert_eq!(
        bad(import(b"PK\x03\x04 not really")).code(),
        "xlsx_unreadable"
    );
    let t = template();
    let form = export(&t, identity(), values(&t));
    assert_eq!(
        bad(import(&form[..form.len() / 2])).code(),
        "xlsx_unreadable"
    );
    assert_eq!(bad(import(&[])).code(), "xlsx_unreadable");
    // an upload over the limit is refused before anything is parsed
    let huge = vec![0u8; 6 * 1024 * 1024];
    let e = bad(import(&huge));
    assert_eq!(e.code(), "file_too_large");
    // a zip bomb: 60 MB of zeros packed into a few dozen kilobytes
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    z.start_file("xl/worksheets/sheet1.xml", SimpleFileOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..60 {
        z.write_all(&zeros).unwrap_or_else(|e| panic!("{e}"));
    }
    let bomb = z.finish().unwrap_or_else(|e| panic!("{e}")).into_inner();
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    let e = bad(import(&bomb));
    assert_eq!(e.code(), "file_too_large");
    assert!(e.to_string().contains("giải nén"), "{e}");
}

#[test]
fn consolidation_workbook_has_real_numbers() {
    let doc = common::fixture("consolidated-100.json");
    let qcdc_docs::Document::Consolidated(c) = &doc else {
        panic!("kind")
    };
    let bytes = export_consolidation(c).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(common::out_dir().join("consolidated-100.xlsx"), &bytes)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut x: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
    let names = x.sheet_names();
    assert_eq!(names.first().map(String::as_str), Some("Tổng hợp"));
    assert_eq!(names.last().map(String::as_str), Some("Tiến độ nộp"));
    assert_eq!(names.len(), 2 + c.unit_tables.len());
    // totals: each indicator's value is a number equal to the input
    let totals = x
        .worksheet_range("Tổng hợp")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut n = 0;
    for r in &c.totals.rows {
        if let qcdc_docs::TotalsRow::Indicator {
            code,
            value: Some(v),
            ..
        } = r
        {
            let row = totals
                .rows()
                .find(|row| row.get(1).map(|c| c.to_string()) == Some(code.clone()))
                .unwrap_or_else(|| panic!("{code}"));
            assert!(matches!(row[4], Data::Float(_)), "{code}: {:?}", row[4]);
            #[allow(clippy::cast_precision_loss)]
            let want = v.milli as f64 / 1000.0;
            assert_eq!(row[4], Data::Float(want), "{code}");
            n += 1;
        }
    }
    assert!(n > 60);
    // per-unit sheet: the total line equals the sum of the unit lines
    let ut = &c.unit_tables[0];
    let name = &names[1];
    let sheet = x.worksheet_range(name).unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<_> = sheet.rows().collect();
    let total = rows
        .iter()
        .find(|r| r.get(1).map(|c| c.to_string()).as_deref() == Some("Tổng cộng"))
        .unwrap_or_else(|| panic!("total"));
    let unit_rows: Vec<_> = rows
        .iter()
        .filter(|r| matches!(r.first(), Some(Data::Float(_))))
        .collect();
    assert_eq!(unit_rows.len(), ut.lines.len());
    let col = 2;
    let sum: f64 = unit_rows.iter().filter_map(|r| r[col].get_float()).sum();
    assert_eq!(total[col].get_float(), Some(sum));
    let late = x
        .worksheet_range("Tiến độ nộp")
        .unwrap_or_else(|e| panic!("{e}"));
    let text: Vec<String> = late.rows().map(|r| r[0].to_string()).collect();
    for u in &c.completeness.missing_units {
        assert!(text.contains(u), "{u}");
    }
    assert!(
        late.rows().any(|r| matches!(r[2], Data::DateTime(_))),
        "dates as dates"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn importer_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = import(&bytes);
    }

    #[test]
    fn importer_never_panics_on_damaged_forms(at in 0usize..100_000, junk in proptest::collection::vec(any::<u8>(), 1..64)) {
        let t = template();
        let mut bytes = export(&t, identity(), BTreeMap::new());
        let at = at % bytes.len();
        for (i, b) in junk.iter().enumerate() {
            if let Some(x) = bytes.get_mut(at + i) {
                *x = *b;
            }
        }
        let _ = import(&bytes);
    }

    #[test]
    fn importer_never_panics_on_odd_cells(text in "\\PC{0,40}", num in any::<f64>()) {
        let t = template();
        let bytes = export(&t, identity(), BTreeMap::new());
        let text = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let a = set_cell(&bytes, "D8", &format!("<c r=\"{{r}}\" t=\"inlineStr\"><is><t>{text}</t></is></c>"));
        let r = import(&a);
        prop_assert!(r.is_ok() || r.as_ref().err().map(FormImportError::code) == Some("xlsx_bad_cells"));
        let b = set_cell(&bytes, "D9", &format!("<c r=\"{{r}}\"><v>{num}</v></c>"));
        let _ = import(&b);
    }

    #[test]
    fn exported_values_read_back_exactly(m in 0i64..1_000_000_000_000_000, whole in 0i64..2_000_000_000) {
        let t = template();
        let mut v = BTreeMap::new();
        v.insert("xh_ty_le_ho_ngheo".to_string(), m);
        v.insert("vb_tong".to_string(), whole * 1000);
        let form = import(&export(&t, identity(), v.clone())).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let read: BTreeMap<String, Milli> = form.values.iter().filter_map(|x| x.value.map(|m| (x.code.clone(), m))).collect();
        prop_assert_eq!(read, v);
    }
}
