//! Rendering never fails on odd data: a hundred pages of narrative, empty sections, 500
//! recipients, every Vietnamese diacritic in names, a unit without signer settings, empty
//! documents, and random documents (abacus-style smoke tests).

mod common;

use proptest::prelude::*;
use qcdc_docs::format::{NAME_PLACEHOLDER, TITLE_PLACEHOLDER};
use qcdc_docs::model::*;
use qcdc_docs::sample::{self, Rng};
use qcdc_docs::{render_docx, render_pdf_counted};

fn both(doc: &Document) -> (Vec<u8>, usize) {
    let docx = render_docx(doc).unwrap_or_else(|e| panic!("docx: {e}"));
    assert!(docx.starts_with(b"PK"));
    let (pdf, pages) = render_pdf_counted(doc).unwrap_or_else(|e| panic!("pdf: {e}"));
    assert!(pdf.starts_with(b"%PDF-"));
    (docx, pages)
}

fn template() -> qcdc_core::template::Template {
    sample::template().unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn a_hundred_pages_of_narrative() {
    let t = template();
    let mut r = sample::unit_report(&t, "Xã Đam Rông", Some(3), 1);
    let mut rng = Rng::new(9);
    // one very long section: 800 paragraphs ≈ 110 pages
    r.sections[1].paragraphs = (0..800)
        .map(|_| NarrativeParagraph {
            text: sample::sentence(&mut rng),
            attribution: None,
        })
        .collect();
    // and one paragraph of 20 000 characters without a line break
    r.sections[2].paragraphs = vec![NarrativeParagraph {
        text: "Nhân dân tham gia giám sát. ".repeat(700),
        attribution: None,
    }];
    let (_, pages) = both(&Document::UnitReport(r));
    assert!(pages >= 100, "{pages} pages");
}

#[test]
fn empty_sections_and_empty_documents() {
    let t = template();
    let mut r = sample::unit_report(&t, "Phường Ngọc Hà", None, 2);
    for s in &mut r.sections {
        s.paragraphs.clear();
    }
    r.intro.clear();
    r.appendix = Some(FigureTable::default());
    let (docx, _) = both(&Document::UnitReport(r.clone()));
    let d = common::read_docx(&docx);
    assert_eq!(
        d.paragraphs
            .iter()
            .filter(|p| *p == "(Không có nội dung)")
            .count(),
        t.sections().len()
    );
    // nothing at all
    r.sections.clear();
    r.parts.clear();
    r.distribution.clear();
    r.appendix = None;
    r.title = String::new();
    r.issuer = Issuer::default();
    r.signature = Signature::default();
    both(&Document::UnitReport(r));
    let mut l = sample::letter(&t, DocumentFormat::State, None);
    l.recipients.clear();
    l.body.clear();
    l.subject = String::new();
    l.outline = Some(Outline::default());
    l.form = Some(FigureTable::default());
    both(&Document::Letter(l));
    let mut c = sample::consolidated(&t, 0, 0, None);
    c.unit_tables = vec![UnitTable::default()];
    c.completeness = Completeness::default();
    both(&Document::Consolidated(c));
}

#[test]
fn five_hundred_recipients() {
    let t = template();
    let mut l = sample::letter(&t, DocumentFormat::Party, Some(1));
    l.recipients = sample::unit_names(500)
        .into_iter()
        .map(|n| format!("Ban Chỉ đạo thực hiện QCDC {n}"))
        .collect();
    let (docx, pages) = both(&Document::Letter(l));
    assert!(pages > 10);
    let d = common::read_docx(&docx);
    assert_eq!(
        d.paragraphs
            .iter()
            .filter(|p| p.starts_with("- Ban Chỉ đạo thực hiện QCDC"))
            .count(),
        500
    );
    assert!(
        d.paragraphs
            .iter()
            .any(|p| p.ends_with(&format!("{}.", sample::unit_names(500)[499])))
    );
}

#[test]
fn a_unit_without_signer_settings_gets_placeholders() {
    let t = template();
    let mut r = sample::unit_report(&t, "Xã Ỷ La", Some(5), 4);
    r.signature = Signature::default();
    let doc = Document::UnitReport(r);
    let (docx, _) = both(&doc);
    let d = common::read_docx(&docx);
    assert!(d.paragraphs.iter().any(|p| p == TITLE_PLACEHOLDER));
    assert!(d.paragraphs.iter().any(|p| p == NAME_PLACEHOLDER));
    let pdf = qcdc_docs::render_pdf(&doc).unwrap_or_else(|e| panic!("{e}"));
    let text = common::squash(&common::pdf_text(&pdf, "no-signer"));
    assert!(text.contains(TITLE_PLACEHOLDER) && text.contains(NAME_PLACEHOLDER));
}

#[test]
fn names_with_every_diacritic() {
    let t = template();
    let all = "Ằ Ắ Ẳ Ẵ Ặ Ầ Ấ Ẩ Ẫ Ậ Ề Ế Ể Ễ Ệ Ồ Ố Ổ Ỗ Ộ Ờ Ớ Ở Ỡ Ợ Ừ Ứ Ử Ữ Ự Ỳ Ý Ỷ Ỹ Ỵ Đ đ ỳ ỹ ữ ự";
    let mut c = sample::consolidated(&t, 3, 1, Some(9));
    c.issuer.body = format!("BAN CHỈ ĐẠO {all}");
    c.issuer.place = "Ỷ La".into();
    c.signature.signer_name = Some(format!("Nguyễn {all}"));
    c.completeness.missing_units = vec![format!("Xã {all}")];
    if let Some(u) = c.unit_tables.first_mut().and_then(|t| t.lines.first_mut()) {
        u.unit_name = format!("Phường {all}");
    }
    let doc = Document::Consolidated(c);
    let (docx, _) = both(&doc);
    let d = common::read_docx(&docx);
    assert!(d.paragraphs.iter().any(|p| p == &format!("Nguyễn {all}")));
    let pdf = qcdc_docs::render_pdf(&doc).unwrap_or_else(|e| panic!("{e}"));
    // pdftotext guesses word spaces between single letters from glyph distances: compare
    // without white space
    let bare = |s: &str| s.split_whitespace().collect::<String>();
    let text = bare(&common::pdf_text(&pdf, "diacritic-names"));
    assert!(text.contains(&bare(&format!("Phường {all}"))), "{text}");
    assert!(text.contains(&bare(&format!("Nguyễn {all}"))));
    assert!(text.contains(&bare(&all.to_uppercase())));
}

#[test]
fn characters_the_fonts_lack_become_squares_in_the_pdf_only() {
    let t = template();
    let mut r = sample::unit_report(&t, "Xã Đam Rông", Some(1), 6);
    let odd = "Ghi chú \u{1e08f}i 𐄀 漢字 🙂 a\u{0}b\tc";
    r.sections[0].paragraphs = vec![NarrativeParagraph {
        text: odd.into(),
        attribution: None,
    }];
    let doc = Document::UnitReport(r);
    let pdf = qcdc_docs::render_pdf(&doc).unwrap_or_else(|e| panic!("{e}"));
    let text = common::squash(&common::pdf_text(&pdf, "odd-characters"));
    assert!(text.contains("Ghi chú □i □ □□ □ a b c"), "{text}");
    let d = common::read_docx(&render_docx(&doc).unwrap_or_else(|e| panic!("{e}")));
    assert!(
        d.paragraphs.iter().any(|p| p.contains("漢字 🙂")),
        "the DOCX keeps the text"
    );
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,80}",
        "[a-zàáảãạăằắẳẵặâầấẩẫậđêềếểễệôồốổỗộơờớởỡợưừứửữựỳýỷỹỵ #*_$@<>\\]\\[\\\\]{0,60}",
        Just(String::new()),
    ]
}

prop_compose! {
    fn any_report()(
        title in any_text(),
        name in any_text(),
        prefix in proptest::option::of(any_text()),
        texts in proptest::collection::vec(any_text(), 0..8),
        numbers in proptest::collection::vec(any_text(), 0..5),
        party in any::<bool>(),
        number in proptest::option::of(0u32..100_000),
        figure in any::<i64>(),
    ) -> Document {
        let sections = numbers.iter().map(|n| NarrativeSection {
            number: n.clone(),
            title: title.clone(),
            paragraphs: texts.iter().map(|t| NarrativeParagraph { text: t.clone(), attribution: Some(name.clone()) }).collect(),
        }).collect();
        Document::UnitReport(UnitReport {
            issuer: Issuer {
                format: if party { DocumentFormat::Party } else { DocumentFormat::State },
                parent_body: name.clone(),
                body: title.clone(),
                place: name.clone(),
                symbol: name.clone(),
            },
            number,
            date: chrono::NaiveDate::from_ymd_opt(2026, 2, 5).unwrap_or_default(),
            title: title.clone(),
            period_label: name.clone(),
            intro: texts.clone(),
            parts: vec![OutlinePart { number: "II".into(), title: name.clone() }],
            sections,
            distribution: texts.clone(),
            signature: Signature {
                authority_prefix: prefix,
                authority_body: name.clone(),
                title: title.clone(),
                signer_name: Some(name.clone()),
            },
            appendix: Some(FigureTable {
                title: title.clone(),
                subtitle: name.clone(),
                rows: vec![
                    FigureRow::Group { number: name.clone(), title: title.clone() },
                    FigureRow::Indicator {
                        number: String::new(), code: name.clone(), name: title.clone(), unit: name.clone(),
                        depth: 7, first_part: true, value: Some(Figure::new(figure)),
                    },
                ],
            }),
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn random_documents_always_render(doc in any_report()) {
        prop_assert!(render_docx(&doc).is_ok());
        let pdf = render_pdf_counted(&doc);
        prop_assert!(pdf.is_ok(), "{:?}", pdf.err());
    }
}
