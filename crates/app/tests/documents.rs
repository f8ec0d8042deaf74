//! Official documents through the use-case layer (issue 10), on SQLite and a
//! throwaway PostgreSQL: outgoing numbers under concurrent issuing, documents built
//! from the pages' view models (read back from the DOCX and the XLSX), the Excel
//! form round trip and its refusals, authorization, the unit's settings, the
//! consolidated narrative draft, and the checker reading a generated report.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use calamine::{Data, DataType, Reader, Xlsx};
use chrono::{NaiveDate, TimeZone, Utc};
use qcdc_app::documents::{self, DocumentSettings, FileFormat, Which};
use qcdc_app::rounds::{self, NewRound, RecipientSelector};
use qcdc_app::submissions::{self, DraftChange};
use qcdc_app::{
    App, AppOptions, Ctx, ErrorCode, PageReq, auth, consolidation, templates, units, users,
};
use qcdc_core::access::Role;
use qcdc_docs::DocumentFormat;
use qcdc_testkit::{fresh_pg_database, fresh_sqlite_database, sample_tree};

const SECTIONS: &[(&str, &str)] = &[
    ("I", "Đặc điểm tình hình ổn định."),
    (
        "II.1",
        "Cấp ủy ban hành 20 văn bản.\nĐoạn thứ hai của mục cấp ủy.",
    ),
    ("II.2", "Chính quyền ban hành 5 văn bản."),
    ("II.3", "Mặt trận giám sát 2 cuộc."),
    ("II.4", "Ban Chỉ đạo họp 2 lần."),
    ("IV.1", "Kết quả tốt."),
    ("IV.2", "Còn hạn chế."),
    ("IV.3", "Nguyên nhân chủ quan."),
    ("V.1", "Tiếp tục thực hiện."),
];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn change(values: &[(&str, i64)]) -> DraftChange {
    DraftChange {
        values: values
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v * 1000)))
            .collect(),
        sections: SECTIONS
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect(),
        reasons: Default::default(),
    }
}

async fn setup(url: &str) -> (App, Ctx) {
    let app = App::open(url, &AppOptions::default()).await.unwrap();
    let cx = app.system("test");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
    templates::load_files(&cx, &templates::read_dir(&dir).unwrap())
        .await
        .unwrap();
    units::import(&cx, sample_tree()).await.unwrap();
    (app, cx)
}

async fn round(cx: &Ctx, title: &str) -> i64 {
    rounds::create(
        cx,
        &NewRound {
            title: title.into(),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: "2026-H1".parse().unwrap(),
            issuer: "T".into(),
            deadline: day(2026, 6, 20),
            letter: String::new(),
            recipients: RecipientSelector {
                units: vec!["N1".into(), "N2".into(), "S1".into()],
                ..Default::default()
            },
            // a second round of the same request is deliberate in these tests
            confirm: true,
        },
        day(2026, 5, 1),
    )
    .await
    .unwrap()
    .id
}

/// Draft, submit (on time) and accept.
async fn accepted(cx: &Ctx, r: i64, unit: &str, values: &[(&str, i64)]) {
    submissions::save_draft(cx, r, unit, &change(values))
        .await
        .unwrap();
    submissions::submit(
        cx,
        r,
        unit,
        Utc.with_ymd_and_hms(2026, 6, 1, 3, 0, 0).unwrap(),
    )
    .await
    .unwrap();
    submissions::accept(cx, r, unit).await.unwrap();
}

const N1_VALUES: &[(&str, i64)] = &[
    ("vb_tong", 41),
    ("vb_cap_uy", 20),
    ("vb_chinh_quyen", 5),
    ("vb_bcd", 16),
    ("tcd_luot", 12),
];
const N2_VALUES: &[(&str, i64)] = &[
    ("vb_tong", 10),
    ("vb_cap_uy", 4),
    ("vb_chinh_quyen", 3),
    ("vb_bcd", 3),
    ("tcd_luot", 1234),
];

/// The text of a DOCX, read back by the checker's DOCX reader, one line per paragraph
/// or table cell.
fn docx_text(bytes: &[u8]) -> String {
    let d = qcdc_checker::read(bytes).unwrap();
    d.lines
        .iter()
        .map(|l| l.text.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(&super::fresh_sqlite_database()).await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(&super::fresh_pg_database()).await } )* }
    };
}

both_backends!(
    numbers_never_repeat_or_skip_under_concurrent_issuing,
    excel_form_round_trip_and_refusals,
);

async fn numbers_never_repeat_or_skip_under_concurrent_issuing(url: &str) {
    let (app, cx) = setup(url).await;
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(round(&cx, &format!("Đợt {i}")).await);
    }
    // 20 letters of one issuer at once, plus 5 consolidated reports of the same issuer
    let mut tasks = Vec::new();
    for id in &ids {
        let cx = app.system("issuer");
        let id = *id;
        tasks.push(tokio::spawn(async move {
            documents::issue(&cx, id, Which::Letter, None).await
        }));
    }
    let mut reports = Vec::new();
    for id in ids.iter().take(5) {
        let cx = app.system("issuer");
        let id = *id;
        reports.push(tokio::spawn(async move {
            documents::issue(&cx, id, Which::Consolidated, Some("T")).await
        }));
    }
    let mut letters: Vec<i64> = Vec::new();
    let mut texts = BTreeMap::new();
    for t in tasks {
        let v = t.await.unwrap().unwrap();
        texts.insert(v.number, v.number_text.clone());
        letters.push(v.number);
    }
    letters.sort_unstable();
    assert_eq!(
        letters,
        (1..=20).collect::<Vec<i64>>(),
        "letters: no repeat, no gap"
    );
    let mut bc: Vec<i64> = Vec::new();
    for t in reports {
        bc.push(t.await.unwrap().unwrap().number);
    }
    bc.sort_unstable();
    assert_eq!(
        bc,
        (1..=5).collect::<Vec<i64>>(),
        "reports have their own register"
    );
    assert_eq!(
        texts[&7],
        qcdc_docs::outgoing_number(
            DocumentFormat::State,
            Some(7),
            qcdc_docs::DocKind::Letter,
            "BCĐ"
        )
    );
    // a document is issued once; the refusal takes no number
    let again = documents::issue(&cx, ids[0], Which::Letter, None)
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::Conflict);
    let extra = round(&cx, "Đợt thêm").await;
    assert_eq!(
        documents::issue(&cx, extra, Which::Letter, None)
            .await
            .unwrap()
            .number,
        21
    );
    // the issued letter prints its number; a draft of the same prints none
    let (_, issued) = documents::document(&cx, ids[6], Which::Letter, None, false)
        .await
        .unwrap();
    let issued = issued.unwrap();
    let f = documents::render(&cx, ids[6], Which::Letter, None, FileFormat::Docx, false)
        .await
        .unwrap();
    assert_eq!(f.number.as_deref(), Some(issued.number_text.as_str()));
    let text = docx_text(&f.bytes);
    assert!(text.contains(&issued.number_text), "{text}");
    assert!(!text.contains("DỰ THẢO"));
    let d = documents::render(&cx, ids[6], Which::Letter, None, FileFormat::Docx, true)
        .await
        .unwrap();
    assert_eq!(d.number, None);
    assert!(docx_text(&d.bytes).contains("DỰ THẢO"));
    assert!(d.file_name.ends_with("(dự thảo).docx"), "{}", d.file_name);
}

/// Rewrites one part of a zip (as Excel would after an edit).
fn rewrite(bytes: &[u8], part: &str, f: impl Fn(String) -> String) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut e = zin.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        if name == part {
            data = f(String::from_utf8(data).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The value cell ("D12") of an indicator in an exported form, read with calamine.
fn value_cell(bytes: &[u8], code: &str) -> String {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range(qcdc_docs::xlsx::FORM_SHEET).unwrap();
    for (r, row) in range.rows().enumerate() {
        if matches!(row.first(), Some(Data::String(s)) if s == code) {
            let (r0, _) = range.start().unwrap();
            return format!("D{}", r0 as usize + r + 1);
        }
    }
    panic!("no row for {code}")
}

/// Writes a cell the way Excel stores a typed number or text.
fn fill(bytes: &[u8], cell: &str, xml: &str) -> Vec<u8> {
    let cell = cell.to_string();
    let xml = xml.replace("{r}", &cell);
    rewrite(bytes, "xl/worksheets/sheet1.xml", move |s| {
        let start = s
            .find(&format!("<c r=\"{cell}\""))
            .unwrap_or_else(|| panic!("cell {cell}"));
        let gt = start + s[start..].find('>').unwrap();
        let end = if s.as_bytes()[gt - 1] == b'/' {
            gt + 1
        } else {
            gt + s[gt..].find("</c>").unwrap() + 4
        };
        format!("{}{}{}", &s[..start], xml, &s[end..])
    })
}

async fn excel_form_round_trip_and_refusals(url: &str) {
    let (_app, cx) = setup(url).await;
    let r = round(&cx, "Báo cáo 6 tháng").await;
    let other = round(&cx, "Đợt khác").await;
    submissions::save_draft(&cx, r, "N1", &change(&[("vb_tong", 7), ("tcd_luot", 2)]))
        .await
        .unwrap();
    let f = documents::export_form(&cx, r, "N1").await.unwrap();
    assert_eq!(f.content_type, documents::XLSX_CONTENT_TYPE);
    assert!(f.file_name.contains("Xã Đam Rông 1"), "{}", f.file_name);
    // the clerk fills: a number, a number typed as Vietnamese text, clears one
    let mut filled = fill(
        &f.bytes,
        &value_cell(&f.bytes, "tcd_luot"),
        "<c r=\"{r}\"><v>25</v></c>",
    );
    filled = fill(
        &filled,
        &value_cell(&f.bytes, "vb_cap_uy"),
        "<c r=\"{r}\" t=\"inlineStr\"><is><t>1.234</t></is></c>",
    );
    filled = fill(&filled, &value_cell(&f.bytes, "vb_tong"), "<c r=\"{r}\"/>");
    let v = documents::import_form(&cx, r, "N1", filled.clone())
        .await
        .unwrap();
    assert_eq!(v.values.get("tcd_luot"), Some(&25.0));
    assert_eq!(v.values.get("vb_cap_uy"), Some(&1234.0));
    assert_eq!(
        v.values.get("vb_tong"),
        None,
        "an emptied cell clears the figure"
    );
    let before = submissions::view(&cx, r, "N1").await.unwrap();

    // refusals change nothing: another unit's form, another round's, unreadable cells, junk
    let n2 = documents::export_form(&cx, r, "N2").await.unwrap();
    let e = documents::import_form(&cx, r, "N1", n2.bytes)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::XlsxWrongForm, "{e:?}");
    let o = documents::export_form(&cx, other, "N1").await.unwrap();
    let e = documents::import_form(&cx, r, "N1", o.bytes)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::XlsxWrongForm, "{e:?}");
    let bad = fill(
        &filled,
        &value_cell(&f.bytes, "tcd_luot"),
        "<c r=\"{r}\" t=\"inlineStr\"><is><t>mười hai</t></is></c>",
    );
    let bad = fill(
        &bad,
        &value_cell(&f.bytes, "vb_bcd"),
        "<c r=\"{r}\"><v>2.5</v></c>",
    );
    let e = documents::import_form(&cx, r, "N1", bad).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::XlsxBadCells, "{e:?}");
    assert_eq!(e.problems.len(), 2, "{:?}", e.problems);
    let cells: Vec<&str> = e.problems.iter().map(|p| p.message.as_str()).collect();
    assert!(
        cells
            .iter()
            .any(|m| m.contains(&value_cell(&f.bytes, "tcd_luot")) && m.contains("mười hai")),
        "{cells:?}"
    );
    assert_eq!(
        e.details.as_ref().unwrap()["bad_cells"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let e = documents::import_form(&cx, r, "N1", b"PK\x03\x04 not a zip".to_vec())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::XlsxUnreadable, "{e:?}");
    let e = documents::import_form(&cx, r, "N1", vec![0u8; 6 * 1024 * 1024])
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::PayloadTooLarge, "{e:?}");
    let after = submissions::view(&cx, r, "N1").await.unwrap();
    assert_eq!(
        before.values, after.values,
        "a refused file changed the draft"
    );
    assert_eq!(before.updated_at, after.updated_at);
}

async fn signed_in(app: &App, cx: &Ctx, name: &str, role: Role, unit: &str) -> Ctx {
    users::create(
        cx,
        &users::NewUser {
            username: name.into(),
            full_name: name.into(),
            password: "mat-khau-demo".into(),
            roles: vec![(role, unit.into())],
        },
    )
    .await
    .unwrap();
    auth::sign_in(app, name, "mat-khau-demo", 1)
        .await
        .unwrap()
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_follow_the_view_models_and_the_rights() {
    let (app, cx) = setup(&fresh_sqlite_database()).await;
    let r = round(&cx, "Báo cáo 6 tháng đầu năm 2026").await;
    accepted(&cx, r, "N1", N1_VALUES).await;
    accepted(&cx, r, "N2", N2_VALUES).await;
    let rep_n1 = signed_in(&app, &cx, "rep_n1", Role::Reporter, "N1").await;
    let office = signed_in(&app, &cx, "office_t", Role::Office, "T").await;
    let viewer = signed_in(&app, &cx, "viewer_t", Role::Viewer, "T").await;

    // a unit's report: the submission view's figures in the appendix
    let view = submissions::view(&rep_n1, r, "N1").await.unwrap();
    let f = documents::render(
        &rep_n1,
        r,
        Which::Report,
        Some("N1"),
        FileFormat::Docx,
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        f.content_type,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let text = docx_text(&f.bytes);
    for (code, shown) in &view.display {
        assert!(
            text.contains(shown.as_str()),
            "{code} = {shown} missing from the report"
        );
    }
    assert!(text.contains("Cấp ủy ban hành 20 văn bản."));
    assert!(
        text.contains("[Họ và tên người ký]"),
        "no signer: a visible placeholder"
    );
    // the generated report passes its own checker: no error and no warning of any
    // kind (numbering such as the appendix's "15.2" is not a figure)
    let doc = qcdc_checker::read(&f.bytes).unwrap();
    let slips: Vec<_> = qcdc_checker::check(&doc)
        .into_iter()
        .filter(|x| x.severity != qcdc_checker::Severity::Info)
        .collect();
    assert!(slips.is_empty(), "{slips:#?}");
    let pdf = documents::render(
        &rep_n1,
        r,
        Which::Report,
        Some("N1"),
        FileFormat::Pdf,
        false,
    )
    .await
    .unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF"));
    assert!(pdf.pages.unwrap() >= 2);

    // the consolidated report: totals of the consolidation view, in the DOCX and the XLSX
    let c = consolidation::get(&office, r, Some("T"), None, PageReq::all(), app.today())
        .await
        .unwrap();
    let x = documents::export_consolidation(&office, r, Some("T"))
        .await
        .unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(x.bytes.clone())).unwrap();
    let sheet = wb.worksheet_range("Tổng hợp").unwrap();
    let mut in_xlsx: BTreeMap<String, f64> = BTreeMap::new();
    for row in sheet.rows() {
        if let (Some(Data::String(code)), Some(v)) = (row.get(1), row.get(4))
            && let Some(n) = v.as_f64()
        {
            in_xlsx.insert(code.clone(), n);
        }
    }
    let mut compared = 0;
    for row in &c.rows {
        if row.aggregate != qcdc_core::template::Aggregate::Sum {
            continue;
        }
        assert_eq!(in_xlsx.get(&row.code).copied(), row.value, "{}", row.code);
        compared += usize::from(row.value.is_some());
    }
    assert!(compared >= 5, "only {compared} totals compared");
    assert_eq!(in_xlsx.get("tcd_luot"), Some(&1246.0));
    let f = documents::render(
        &office,
        r,
        Which::Consolidated,
        Some("T"),
        FileFormat::Docx,
        false,
    )
    .await
    .unwrap();
    let text = docx_text(&f.bytes);
    assert!(text.contains("1.246"), "total of tcd_luot");
    assert!(text.contains("Sở Nội vụ"), "the missing unit is named");
    assert!(
        text.contains("Xã Đam Rông 1"),
        "paragraphs carry their unit"
    );

    // the consolidated narrative: assembled with attribution, edited, issued, then frozen
    let d = documents::consolidated_draft(&office, r, Some("T"))
        .await
        .unwrap();
    assert!(!d.edited);
    let i = d.sections.iter().find(|s| s.number == "II.1").unwrap();
    assert!(
        i.text
            .contains("Cấp ủy ban hành 20 văn bản. (Xã Đam Rông 1)"),
        "{}",
        i.text
    );
    assert!(i.text.contains("(Xã Đam Rông 2)"));
    let mut edited: BTreeMap<String, String> = BTreeMap::new();
    edited.insert(
        "II.1".into(),
        "Toàn tỉnh ban hành 24 văn bản. (Xã Đam Rông 1)".into(),
    );
    let refused = documents::save_consolidated_draft(&rep_n1, r, Some("T"), &edited)
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::Forbidden);
    let d = documents::save_consolidated_draft(&office, r, Some("T"), &edited)
        .await
        .unwrap();
    assert!(d.edited);
    let (doc, _) = documents::document(&office, r, Which::Consolidated, Some("T"), true)
        .await
        .unwrap();
    let qcdc_docs::Document::Consolidated(cr) = doc else {
        panic!()
    };
    let s = cr.sections.iter().find(|s| s.number == "II.1").unwrap();
    assert_eq!(s.paragraphs[0].text, "Toàn tỉnh ban hành 24 văn bản.");
    assert_eq!(
        s.paragraphs[0].attribution.as_deref(),
        Some("Xã Đam Rông 1")
    );

    // rights: a commune reporter reads its own report only and issues nothing of the office
    let e = documents::render(
        &rep_n1,
        r,
        Which::Report,
        Some("N2"),
        FileFormat::Docx,
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    for which in [Which::Consolidated, Which::Letter] {
        let e = documents::issue(&rep_n1, r, which, Some("T"))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden, "{which:?}");
    }
    let e = documents::issue(&viewer, r, Which::Consolidated, Some("T"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = documents::export_form(&rep_n1, r, "N2").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = documents::import_form(&rep_n1, r, "N2", vec![1, 2, 3])
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = documents::save_settings(&rep_n1, "N1", &DocumentSettings::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);

    // issuing freezes the consolidated report: its number on every download
    let issued = documents::issue(&office, r, Which::Consolidated, Some("T"))
        .await
        .unwrap();
    let e = documents::save_consolidated_draft(&office, r, Some("T"), &edited)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    let f = documents::render(
        &viewer,
        r,
        Which::Consolidated,
        Some("T"),
        FileFormat::Docx,
        false,
    )
    .await
    .unwrap();
    assert_eq!(f.number.as_deref(), Some(issued.number_text.as_str()));
    assert!(
        f.file_name.starts_with("Báo cáo tổng hợp 01-BC-BCĐ"),
        "{}",
        f.file_name
    );
    // the reporter issues its own report, once
    let mine = documents::issue(&rep_n1, r, Which::Report, Some("N1"))
        .await
        .unwrap();
    assert_eq!(mine.number, 1);
    assert!(mine.number_text.contains("UBND"), "{}", mine.number_text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unit_settings_shape_the_heading() {
    let (_app, cx) = setup(&fresh_sqlite_database()).await;
    let r = round(&cx, "Báo cáo 6 tháng").await;
    let defaults = documents::settings(&cx, "T").await.unwrap();
    assert!(!defaults.saved);
    assert_eq!(defaults.settings.symbol, "BCĐ");
    assert_eq!(defaults.settings.place, "Lâm Viên");
    let mut s = DocumentSettings {
        format: DocumentFormat::Party,
        parent_body: "TỈNH ỦY LÂM VIÊN".into(),
        body: "BAN CHỈ ĐẠO THỰC HIỆN QUY CHẾ DÂN CHỦ Ở CƠ SỞ".into(),
        symbol: "BCĐ".into(),
        place: "Lâm Viên".into(),
        signer_name: "Nguyễn Thị Hồng Nhung".into(),
        signer_title: "PHÓ TRƯỞNG BAN THƯỜNG TRỰC".into(),
        authority_prefix: "XX.".into(),
        authority_body: "BAN CHỈ ĐẠO".into(),
    };
    let e = documents::save_settings(&cx, "T", &s).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("thẩm quyền ký"), "{}", e.message);
    s.authority_prefix = "TM.".into();
    let v = documents::save_settings(&cx, "T", &s).await.unwrap();
    assert!(v.saved);
    let n = documents::issue(&cx, r, Which::Letter, None).await.unwrap();
    assert_eq!(n.number_text, "01-CV/BCĐ");
    let f = documents::render(&cx, r, Which::Letter, None, FileFormat::Docx, false)
        .await
        .unwrap();
    let text = docx_text(&f.bytes);
    for want in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 01-CV/BCĐ",
        "TỈNH ỦY LÂM VIÊN",
        "Nguyễn Thị Hồng Nhung",
        "TM. BAN CHỈ ĐẠO",
        "Kính gửi",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    // Kính gửi by kind, not by name
    assert!(
        text.contains("Ban Chỉ đạo thực hiện quy chế dân chủ ở cơ sở các xã"),
        "{text}"
    );
}
