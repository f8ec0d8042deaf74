//! PDF files checked with poppler (Debian `poppler-utils`): the text extracted by
//! `pdftotext` against the data (every Vietnamese letter, user text with typst's special
//! characters), A4 pages and embedded fonts by `pdfinfo`/`pdffonts`, page 1 rendered to PNG
//! by `pdftoppm` for a person to look at.

mod common;

use common::{fixture, out_dir, pdf_text, poppler, squash};
use qcdc_docs::model::{Document, NarrativeParagraph};
use qcdc_docs::{render_pdf, render_pdf_counted};

fn save(pdf: &[u8], name: &str) -> String {
    let path = out_dir().join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap_or_else(|e| panic!("{e}"));
    path.to_string_lossy().into_owned()
}

#[test]
fn report_text_page_size_fonts_and_png() {
    let doc = fixture("report-commune.json");
    let pdf = render_pdf(&doc).unwrap_or_else(|e| panic!("{e}"));
    assert!(pdf.starts_with(b"%PDF-"));
    let path = save(&pdf, "report-commune");
    let text = squash(&pdf_text(&pdf, "report-commune"));
    for s in [
        "ỦY BAN NHÂN DÂN XÃ ĐAM RÔNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 109/BC-UBND",
        "Đam Rông, ngày 16 tháng 6 năm 2026",
        "BÁO CÁO",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "Trần Thị Ngọc Diễm",
        "PHỤ LỤC SỐ LIỆU",
        "Trong đó: Văn bản của cấp ủy",
        "(Không có nội dung)",
    ] {
        assert!(text.contains(s), "PDF text lacks {s:?}");
    }
    // every figure of the appendix is in the text as formatted
    let Document::UnitReport(r) = &doc else {
        panic!("kind")
    };
    let figures = r.appendix.as_ref().map(|a| a.values()).unwrap_or_default();
    assert!(figures.len() > 60);
    for (code, v) in &figures {
        let shown = qcdc_core::number::format_vn(*v, 3);
        assert!(text.contains(&shown), "{code} = {shown}");
    }
    let info = poppler("pdfinfo", &[&path]);
    assert!(
        info.contains("595.2") && info.contains("841.89 pts (A4)"),
        "{info}"
    );
    let fonts = poppler("pdffonts", &[&path]);
    for face in [
        "LiberationSerif",
        "LiberationSerif-Bold",
        "LiberationSerif-Italic",
    ] {
        assert!(
            fonts
                .lines()
                .any(|l| l.contains(&format!("+{face} ")) && l.contains(" yes ")),
            "{face} not embedded:\n{fonts}"
        );
    }
    let png = out_dir().join("report-commune-p1");
    poppler(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            &path,
            &png.to_string_lossy(),
        ],
    );
    let png = png.with_extension("png");
    let meta = std::fs::metadata(&png).unwrap_or_else(|e| panic!("{png:?}: {e}"));
    assert!(meta.len() > 10_000, "page 1 rendered");
}

#[test]
fn every_vietnamese_letter_and_typst_specials_print_as_typed() {
    let t = qcdc_docs::sample::template().unwrap_or_else(|e| panic!("{e:?}"));
    let mut r = qcdc_docs::sample::unit_report(&t, "Xã Ỷ La", Some(7), 3);
    let letters =
        "aàáảãạ ăằắẳẵặ âầấẩẫậ eèéẻẽẹ êềếểễệ iìíỉĩị oòóỏõọ ôồốổỗộ ơờớởỡợ uùúủũụ ưừứửữự yỳýỷỹỵ đ";
    let caps = letters.to_uppercase();
    let specials =
        r"#set page(width: 1cm) *đậm* _nghiêng_ $x^2$ @nhãn <nhãn> ] [ \ // /* ` ~ {} 100% #(1+1)";
    r.sections[0].paragraphs = vec![
        NarrativeParagraph {
            text: letters.into(),
            attribution: None,
        },
        NarrativeParagraph {
            text: caps.clone(),
            attribution: None,
        },
        NarrativeParagraph {
            text: specials.into(),
            attribution: Some("Thôn Ẩm Thượng #2".into()),
        },
    ];
    r.signature.signer_name = Some("Lữ Thị Ngọc Diệp".into());
    let doc = Document::UnitReport(r);
    let text = squash(&pdf_text(
        &render_pdf(&doc).unwrap_or_else(|e| panic!("{e}")),
        "diacritics",
    ));
    assert!(text.contains(letters), "lower-case letters:\n{text}");
    assert!(text.contains(&caps), "capitals");
    assert!(text.contains(specials), "typst specials printed verbatim");
    assert!(text.contains("(Thôn Ẩm Thượng #2)"));
    for w in ["ệ", "ử", "ẫ", "Đ", "Lữ Thị Ngọc Diệp"] {
        assert!(text.contains(w), "{w}");
    }
    // and the DOCX keeps them too
    let d = common::read_docx(&qcdc_docs::render_docx(&doc).unwrap_or_else(|e| panic!("{e}")));
    assert!(
        d.paragraphs
            .iter()
            .any(|p| *p == format!("{specials} (Thôn Ẩm Thượng #2)"))
    );
    assert!(d.paragraphs.iter().any(|p| p == &caps));
}

#[test]
fn party_letter_and_page_numbers() {
    let doc = fixture("letter-party.json");
    let (pdf, pages) = render_pdf_counted(&doc).unwrap_or_else(|e| panic!("{e}"));
    let path = save(&pdf, "letter-party");
    assert!(pages >= 4, "letter, outline, form: {pages} pages");
    let info = poppler("pdfinfo", &[&path]);
    assert!(
        info.contains(&format!("Pages:           {pages}")),
        "{info}"
    );
    let text = pdf_text(&pdf, "letter-party");
    let flat = squash(&text);
    for s in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 42-CV/BCĐ",
        "TỈNH ỦY LÂM VIÊN",
        "Kính gửi:",
        "ĐỀ CƯƠNG BÁO CÁO",
        "II. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO",
        "BIỂU MẪU SỐ LIỆU",
    ] {
        assert!(flat.contains(s), "{s}");
    }
    assert!(!flat.contains("Số: 42"), "no colon in Party numbers");
    // page numbers: none on page 1, "2" alone at the top of page 2
    let pages_text: Vec<&str> = text.split('\u{c}').collect();
    let first_line = |p: &str| {
        p.lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .to_string()
    };
    assert_ne!(first_line(pages_text[0]), "1");
    assert_eq!(first_line(pages_text[1]), "2");
    assert_eq!(first_line(pages_text[2]), "3");
    let png = out_dir().join("letter-party-p1");
    poppler(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            &path,
            &png.to_string_lossy(),
        ],
    );
}

#[test]
fn draft_has_a_visible_mark() {
    let pdf = render_pdf(&fixture("letter-state-draft.json")).unwrap_or_else(|e| panic!("{e}"));
    let path = save(&pdf, "letter-state-draft");
    let text = squash(&pdf_text(&pdf, "letter-state-draft"));
    assert!(text.contains("DỰ THẢO"));
    assert!(text.contains("/CV-BCĐ"));
    let png = out_dir().join("letter-state-draft-p1");
    poppler(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            &path,
            &png.to_string_lossy(),
        ],
    );
}

#[test]
fn consolidated_pdf_lists_units_and_totals() {
    let doc = fixture("consolidated-100.json");
    let Document::Consolidated(c) = &doc else {
        panic!("kind")
    };
    let (pdf, pages) = render_pdf_counted(&doc).unwrap_or_else(|e| panic!("{e}"));
    assert!(pages > 50, "{pages}");
    let path = save(&pdf, "consolidated-100");
    let text = squash(&pdf_text(&pdf, "consolidated-100"));
    for u in &c.completeness.missing_units {
        assert!(text.contains(u.as_str()), "missing unit {u}");
    }
    for t in &c.unit_tables {
        for (k, total) in t.total.iter().enumerate() {
            if let Some(f) = total {
                assert!(
                    text.contains(&f.text),
                    "total of {} = {}",
                    t.columns[k].code,
                    f.text
                );
            }
        }
    }
    let png = out_dir().join("consolidated-100-p1");
    poppler(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            &path,
            &png.to_string_lossy(),
        ],
    );
}
