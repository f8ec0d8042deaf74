#![allow(clippy::unwrap_used, clippy::expect_used)]
//! .docx reading: text split across runs, deleted text skipped, footnotes attached,
//! findings numbered by paragraph.

use std::io::Write;

use qcdc_checker::{Kind, check, read};

fn docx(body: &str, notes: &str) -> Vec<u8> {
    docx_with(body, notes, None)
}

fn docx_with(body: &str, notes: &str, modified: Option<&str>) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opt = zip::write::SimpleFileOptions::default();
        z.start_file("[Content_Types].xml", opt).unwrap();
        z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#).unwrap();
        z.start_file("word/document.xml", opt).unwrap();
        write!(z, r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#).unwrap();
        z.start_file("word/footnotes.xml", opt).unwrap();
        write!(z, r#"<?xml version="1.0" encoding="UTF-8"?><w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="-1"><w:p><w:r><w:t>sep</w:t></w:r></w:p></w:footnote>{notes}</w:footnotes>"#).unwrap();
        if let Some(m) = modified {
            z.start_file("docProps/core.xml", opt).unwrap();
            write!(z, r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dcterms="http://purl.org/dc/terms/"><dcterms:created>2020-01-01T00:00:00Z</dcterms:created><dcterms:modified>{m}</dcterms:modified></cp:coreProperties>"#).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn reads_runs_deletions_and_footnotes() {
    let body = concat!(
        r#"<w:p><w:r><w:t>Đam Rông, ngày 22 tháng 6 năm 2022</w:t></w:r></w:p>"#,
        r#"<w:p><w:r><w:t xml:space="preserve">Đã giải quyết 138/</w:t></w:r><w:r><w:t>157 vụ việc (87,8%)</w:t></w:r><w:del><w:r><w:t>SAI 1/1 (5%)</w:t></w:r></w:del><w:r><w:t>.</w:t></w:r></w:p>"#,
        r#"<w:p><w:r><w:t>Đã giám sát được 02 cuộc</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r><w:r><w:t>.</w:t></w:r></w:p>"#,
    );
    let notes = r#"<w:footnote w:id="1"><w:p><w:r><w:t>Về giám sát (13 cuộc): huyện 13 cuộc.</w:t></w:r></w:p></w:footnote>"#;
    let d = read(&docx(body, notes)).unwrap();
    assert_eq!(d.lines[1].text, "Đã giải quyết 138/157 vụ việc (87,8%).");
    let f = check(&d);
    let kinds: Vec<(usize, Kind)> = f.iter().map(|x| (x.line, x.kind)).collect();
    assert_eq!(
        kinds,
        [(2, Kind::PercentMismatch), (3, Kind::Contradiction)],
        "{f:?}"
    );
}

#[test]
fn a_broken_docx_is_an_error_not_a_panic() {
    let mut bytes = docx("<w:p><w:r><w:t>x</w:t></w:r></w:p>", "");
    bytes.truncate(bytes.len() / 2);
    assert!(read(&bytes).is_err());
    assert!(read(b"PK\x03\x04garbage").is_err());
    // a UTF-16 BOM with half a character reads (with a replacement), never panics
    let _ = read(&[0xff, 0xfe, 0x00]);
    // Word 97–2003 and PDF are named, with what to do
    let e = read(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00").unwrap_err();
    assert!(e.0.contains(".doc") && e.0.contains(".docx"), "{}", e.0);
    assert!(read(b"%PDF-1.4 ...").unwrap_err().0.contains("PDF"));
}

/// The report's date from the .docx properties when the text has none; a date line
/// in the text wins; with neither, the output says which checks were skipped.
#[test]
fn date_from_docx_properties() {
    let body = r#"<w:p><w:r><w:t>BÁO CÁO</w:t></w:r></w:p><w:p><w:r><w:t>Kết quả năm 2024</w:t></w:r></w:p><w:p><w:r><w:t>Thực hiện Pháp lệnh số 34/2007/PL-UBTVQH11 trong năm.</w:t></w:r></w:p>"#;
    let d = read(&docx_with(body, "", Some("2024-12-10T08:00:00Z"))).unwrap();
    assert_eq!(d.header.date, chrono::NaiveDate::from_ymd_opt(2024, 12, 10));
    assert_eq!(
        d.date_source,
        Some(qcdc_checker::DateSource::DocxProperties)
    );
    let kinds: Vec<Kind> = check(&d).iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [Kind::CitationSuperseded]);
    let d = read(&docx(body, "")).unwrap();
    let f = check(&d);
    assert!(
        f.iter()
            .any(|x| x.kind == Kind::Notice && x.message.contains("bỏ qua")),
        "{f:?}"
    );
}

#[test]
fn date_lines_in_common_forms() {
    for (line, want) in [
        ("Ngày 05/02/2026", (2026, 2, 5)),
        ("Hà Nội, ngày 05/02/2026", (2026, 2, 5)),
        ("Hà Nội, ngày 5 tháng 2 năm 2026", (2026, 2, 5)),
        ("Hà Nội, ngày 05 tháng 02 năm 202", (2026, 2, 5)),
        ("Hà Nội, ngày 05 tháng 02 năm 20226", (2026, 2, 5)),
    ] {
        let text = format!(
            "UBND PHƯỜNG X\nSố: 5/BC-UBND\n{line}\n\nBÁO CÁO\nKết quả 6 tháng đầu năm 2026\n\nI. TÌNH HÌNH\nỔn định.\n"
        );
        let d = read(text.as_bytes()).unwrap();
        assert_eq!(
            d.header.date,
            chrono::NaiveDate::from_ymd_opt(want.0, want.1, want.2),
            "{line}"
        );
    }
    // a mistyped year is read by its likely meaning, and the output says so
    let d = read(
        "Hà Nội, ngày 05 tháng 02 năm 202\n\nBÁO CÁO\nKết quả 6 tháng đầu năm 2026\n".as_bytes(),
    )
    .unwrap();
    let f = check(&d);
    assert!(
        f.iter()
            .any(|x| x.kind == Kind::Notice && x.message.contains("«202»")),
        "{f:?}"
    );
}
