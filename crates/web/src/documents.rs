//! The document pages: downloads of the round's letter, a unit's report and the
//! consolidated report (DOCX/PDF, Excel), "Phát hành" (issue with the next number),
//! the consolidated narrative editor ("Soạn báo cáo tổng hợp"), the Excel form in
//! and out, and each unit's document settings under the admin area. Handlers parse
//! and render; the use cases in `qcdc_app::documents` authorize and decide.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use qcdc_api::documents::download;
use qcdc_app::documents::{
    self, AUTHORITY_PREFIXES, ConsolidatedDraftView, DocumentSettings, DocumentSettingsView,
    FileFormat, IssuedView, Which,
};
use qcdc_app::{CoreError, ErrorCode};
use qcdc_core::period::format_date;
use serde::Deserialize;

use crate::WebState;
use crate::layout::{Flash, csrf, enc, error_page, page, status_of};
use crate::session::{User, check_csrf, csrf_refused, csrf_value_ok};

/// The largest Excel form a page takes (the importer refuses above 5 MiB itself).
pub const XLSX_UPLOAD_LIMIT: usize = 6 * 1024 * 1024;

#[derive(Deserialize, Default)]
pub struct DownloadQuery {
    dinh_dang: Option<String>,
    du_thao: Option<String>,
}

impl DownloadQuery {
    fn parse(&self) -> Result<(FileFormat, bool), CoreError> {
        let f = FileFormat::parse(self.dinh_dang.as_deref().unwrap_or("docx"))?;
        Ok((f, self.du_thao.as_deref().is_some_and(|x| x == "1")))
    }
}

async fn send(u: &User, id: i64, which: Which, unit: Option<&str>, q: &DownloadQuery) -> Response {
    let r = async {
        let (format, draft) = q.parse()?;
        documents::render(&u.cx, id, which, unit, format, draft).await
    }
    .await;
    match r {
        Ok(f) => download(f),
        Err(e) => error_page(u, e),
    }
}

/// "Tải công văn (DOCX/PDF)" links, with the draft variant.
pub fn download_links(base: &str, issued: Option<&IssuedView>) -> Markup {
    let sep = if base.contains('?') { '&' } else { '?' };
    html! {
        a.button href=(format!("{base}{sep}dinh_dang=docx")) { "DOCX" }
        " "
        a.button href=(format!("{base}{sep}dinh_dang=pdf")) { "PDF" }
        @if let Some(i) = issued {
            " " span { "đã phát hành số " strong { (i.number_text) } " ngày " (format_date(i.issued_on)) }
            " · " a href=(format!("{base}{sep}dinh_dang=pdf&du_thao=1")) { "bản dự thảo theo số liệu hiện tại" }
        } @else {
            " " span.muted { "(dự thảo, chưa có số)" }
        }
    }
}

/// The block on the round page: download and issue the letter.
pub fn letter_block(u: &User, id: i64, can_manage: bool, issued: Option<&IssuedView>) -> Markup {
    html! {
        div.card {
            h2 { "Công văn yêu cầu báo cáo" }
            p { "Tải công văn (DOCX/PDF): " (download_links(&format!("/dot/{id}/cong-van"), issued)) }
            @if can_manage && issued.is_none() {
                form method="post" action=(format!("/dot/{id}/cong-van/phat-hanh")) {
                    (csrf(u))
                    button type="submit" { "Phát hành công văn (lấy số)" }
                }
            }
        }
    }
}

/// The block on a report page: download, issue, Excel form in and out.
pub fn report_block(
    u: &User,
    id: i64,
    unit: &str,
    issued: Option<&IssuedView>,
    may_issue: bool,
    may_import: bool,
) -> Markup {
    let base = format!("/dot/{id}/bao-cao/{}", enc(unit));
    html! {
        div.card {
            h2 { "Văn bản và biểu mẫu Excel" }
            p { "Tải báo cáo: " (download_links(&format!("{base}/tai"), issued)) }
            @if may_issue && issued.is_none() {
                form method="post" action=(format!("{base}/phat-hanh")) {
                    (csrf(u))
                    button.secondary type="submit" { "Phát hành báo cáo (lấy số)" }
                }
            }
            p { a.button href=(format!("{base}/bieu-mau")) { "Tải biểu mẫu Excel" } }
            @if may_import {
                form method="post" action=(format!("{base}/nop-excel")) enctype="multipart/form-data" {
                    (csrf(u))
                    label for="tep-excel" { "Nộp từ Excel (biểu mẫu đã điền, tối đa 5 MB)" }
                    input #tep-excel type="file" name="tep" accept=".xlsx" required;
                    p { button.secondary type="submit" { "Nộp từ Excel vào bản nháp" } }
                }
            }
        }
    }
}

pub async fn letter(u: User, Path(id): Path<i64>, Query(q): Query<DownloadQuery>) -> Response {
    send(&u, id, Which::Letter, None, &q).await
}

pub async fn report(
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Query(q): Query<DownloadQuery>,
) -> Response {
    send(&u, id, Which::Report, Some(&unit), &q).await
}

pub async fn consolidated(
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Query(q): Query<DownloadQuery>,
) -> Response {
    send(&u, id, Which::Consolidated, Some(&unit), &q).await
}

async fn issue_then(
    s: &WebState,
    u: &User,
    f: &[(String, String)],
    id: i64,
    which: Which,
    unit: Option<&str>,
    back: String,
) -> Response {
    if let Err(r) = check_csrf(s, u, f) {
        return r;
    }
    match documents::issue(&u.cx, id, which, unit).await {
        Ok(_) => Redirect::to(&format!("{back}?tb=phat-hanh")).into_response(),
        Err(e) => error_page(u, e),
    }
}

pub async fn issue_letter(
    State(s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    issue_then(&s, &u, &f, id, Which::Letter, None, format!("/dot/{id}")).await
}

pub async fn issue_report(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let back = format!("/dot/{id}/bao-cao/{}", enc(&unit));
    issue_then(&s, &u, &f, id, Which::Report, Some(&unit), back).await
}

pub async fn issue_consolidated(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let back = format!("/dot/{id}/tong-hop/{}/soan", enc(&unit));
    issue_then(&s, &u, &f, id, Which::Consolidated, Some(&unit), back).await
}

pub async fn form_xlsx(u: User, Path((id, unit)): Path<(i64, String)>) -> Response {
    match documents::export_form(&u.cx, id, &unit).await {
        Ok(f) => download(f),
        Err(e) => error_page(&u, e),
    }
}

pub async fn consolidation_xlsx(u: User, Path((id, unit)): Path<(i64, String)>) -> Response {
    match documents::export_consolidation(&u.cx, id, Some(&unit)).await {
        Ok(f) => download(f),
        Err(e) => error_page(&u, e),
    }
}

/// Reads the Excel upload; `Err` is the Vietnamese refusal to show.
#[allow(clippy::result_large_err)]
pub async fn read_xlsx_upload(
    s: &WebState,
    u: &User,
    mut mp: Multipart,
) -> Result<Vec<u8>, Result<Response, CoreError>> {
    let mut csrf_ok = false;
    let mut bytes = Vec::new();
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("csrf") => {
                    csrf_ok = field.text().await.is_ok_and(|t| csrf_value_ok(s, u, &t));
                }
                Some("tep") => match field.bytes().await {
                    Ok(b) => bytes = b.to_vec(),
                    Err(_) => return Err(Err(too_large())),
                },
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return Err(Err(too_large())),
        }
    }
    if !csrf_ok {
        return Err(Ok(csrf_refused(u)));
    }
    if bytes.is_empty() {
        return Err(Err(CoreError::invalid(
            "Chưa chọn tệp Excel hoặc tệp rỗng.",
        )));
    }
    Ok(bytes)
}

fn too_large() -> CoreError {
    CoreError::new(
        ErrorCode::PayloadTooLarge,
        "Tệp tải lên quá lớn hoặc không đọc được (biểu mẫu Excel tối đa 5 MB); chưa nhập số liệu nào.",
    )
}

/// The refusal of an Excel import as a block listing every unreadable cell.
pub fn import_problems(e: &CoreError) -> Markup {
    html! {
        @if !e.problems.is_empty() {
            div.card {
                h2 { "Các ô cần sửa trong tệp Excel" }
                table {
                    thead { tr { th { "Trang tính" } th { "Ô" } th { "Giá trị" } th { "Lý do" } } }
                    tbody {
                        @for c in e.details.as_ref().and_then(|d| d.get("bad_cells")).and_then(|b| b.as_array()).into_iter().flatten() {
                            tr {
                                td { (c["sheet"].as_str().unwrap_or("")) }
                                td { (c["cell"].as_str().unwrap_or("")) }
                                td { (c["value"].as_str().unwrap_or("")) }
                                td { (c["reason"].as_str().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

// ------------------------------------------------------- consolidated narrative

fn draft_body(u: &User, v: &ConsolidatedDraftView) -> Markup {
    let base = format!("/dot/{}/tong-hop/{}", v.round.id, enc(&v.unit_code));
    html! {
        p.muted { a href=(format!("/dot/{}", v.round.id)) { (v.round.title) } " · " a href=(base.clone()) { "Tổng hợp tại " (v.unit_name) } }
        h1 { "Soạn báo cáo tổng hợp — " (v.unit_name) }
        p { "Nội dung ghép từ " strong { (v.accepted_reports) } " báo cáo đã tiếp nhận, theo từng mục của đề cương; mỗi đoạn ghi tên đơn vị trong ngoặc ở cuối. "
            @if v.edited { "Đang hiển thị bản đã sửa của cơ quan thường trực." } @else { "Chưa sửa: đang hiển thị bản ghép tự động." } }
        div.card {
            p { "Tải báo cáo tổng hợp: " (download_links(&format!("{base}/tai"), v.issued.as_ref())) }
            p { a.button href=(format!("{base}/excel")) { "Tải bảng tổng hợp Excel" } }
            @if v.can_edit && v.issued.is_none() {
                form method="post" action=(format!("{base}/phat-hanh")) {
                    (csrf(u))
                    p.muted { "Phát hành lấy số tiếp theo trong sổ văn bản đi và giữ nguyên nội dung, số liệu tại thời điểm phát hành." }
                    button type="submit" { "Phát hành" }
                }
            }
        }
        @if v.can_edit && v.issued.is_none() {
            form method="post" action=(format!("{base}/soan")) {
                (csrf(u))
                @for s in &v.sections {
                    div.card {
                        label for=(format!("s.{}", s.number)) { (s.number) ". " (s.title) }
                        textarea id=(format!("s.{}", s.number)) name=(format!("s.{}", s.number)) rows="8" { (s.text) }
                        @if v.edited && !s.assembled.is_empty() && s.assembled != s.text {
                            details { summary { "Bản ghép tự động của mục này" } pre style="white-space:pre-wrap" { (s.assembled) } }
                        }
                    }
                }
                p { button type="submit" { "Lưu nội dung báo cáo tổng hợp" } }
            }
        } @else {
            @for s in &v.sections {
                div.card {
                    strong { (s.number) ". " (s.title) }
                    @if s.text.is_empty() { p.muted { "(chưa có nội dung)" } } @else { @for l in s.text.lines() { p { (l) } } }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct Tb {
    tb: Option<String>,
}

fn flash_of(tb: Option<&str>) -> Option<Flash> {
    match tb? {
        "phat-hanh" => Some(Flash::Ok(
            "Đã phát hành; văn bản đã có số trong sổ văn bản đi.".into(),
        )),
        "luu" => Some(Flash::Ok("Đã lưu nội dung báo cáo tổng hợp.".into())),
        _ => None,
    }
}

pub async fn draft_page(
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Query(q): Query<Tb>,
) -> Response {
    match documents::consolidated_draft(&u.cx, id, Some(&unit)).await {
        Ok(v) => page(
            &format!("Soạn báo cáo tổng hợp — {}", v.unit_name),
            Some(&u),
            flash_of(q.tb.as_deref()),
            draft_body(&u, &v),
        )
        .into_response(),
        Err(e) => error_page(&u, e),
    }
}

pub async fn save_draft(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let sections: BTreeMap<String, String> = f
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("s.").map(|n| (n.to_string(), v.clone())))
        .collect();
    match documents::save_consolidated_draft(&u.cx, id, Some(&unit), &sections).await {
        Ok(_) => {
            Redirect::to(&format!("/dot/{id}/tong-hop/{}/soan?tb=luu", enc(&unit))).into_response()
        }
        Err(e) => error_page(&u, e),
    }
}

// ------------------------------------------------------------------ settings

fn settings_form(u: &User, v: &DocumentSettingsView, typed: Option<&DocumentSettings>) -> Markup {
    let s = typed.unwrap_or(&v.settings);
    let action = format!("/quan-tri/van-ban/{}", enc(&v.unit_code));
    let party = s.format == qcdc_app::documents::DocumentFormat::Party;
    html! {
        p.muted { a href="/quan-tri/don-vi" { "Đơn vị" } }
        h1 { "Thiết lập văn bản — " (v.unit_name) }
        p { "Các thông tin in ở phần đầu, số ký hiệu, dòng địa danh — ngày tháng và khối chữ ký của công văn, báo cáo do đơn vị phát hành. "
            @if v.saved { "Cập nhật lần cuối bởi " (v.updated_by.clone().unwrap_or_default()) "." } @else { strong { "Chưa thiết lập: đang dùng giá trị mặc định suy từ tên đơn vị; văn bản in chỗ trống cho người ký." } } }
        @if v.can_edit {
            form.card method="post" action=(action) {
                (csrf(u))
                label for="format" { "Thể thức" }
                select #format name="format" {
                    option value="state" selected[!party] { "Văn bản hành chính (Nghị định 30/2020/NĐ-CP)" }
                    option value="party" selected[party] { "Văn bản của Đảng (Hướng dẫn 36-HD/VPTW)" }
                }
                label for="parent_body" { "Tên cơ quan cấp trên (dòng trên, có thể để trống)" }
                input #parent_body type="text" name="parent_body" value=(s.parent_body);
                label for="body" { "Tên cơ quan ban hành" }
                input #body type="text" name="body" value=(s.body) required;
                label for="symbol" { "Ký hiệu cơ quan trong số văn bản (ví dụ BCĐ, UBND)" }
                input #symbol type="text" name="symbol" value=(s.symbol) required;
                label for="place" { "Địa danh (dòng ngày tháng)" }
                input #place type="text" name="place" value=(s.place) required;
                label for="authority_prefix" { "Thẩm quyền ký" }
                select #authority_prefix name="authority_prefix" {
                    option value="" selected[s.authority_prefix.is_empty()] { "(người đứng đầu ký)" }
                    @for p in AUTHORITY_PREFIXES { option value=(p) selected[s.authority_prefix == p] { (p) } }
                }
                label for="authority_body" { "Ký thay mặt / thay cho (ví dụ BAN CHỈ ĐẠO, ỦY BAN NHÂN DÂN, TRƯỞNG BAN)" }
                input #authority_body type="text" name="authority_body" value=(s.authority_body);
                label for="signer_title" { "Chức vụ người ký" }
                input #signer_title type="text" name="signer_title" value=(s.signer_title);
                label for="signer_name" { "Họ và tên người ký" }
                input #signer_name type="text" name="signer_name" value=(s.signer_name);
                p { button type="submit" { "Lưu thiết lập" } }
            }
        } @else {
            table { tbody {
                tr { th { "Thể thức" } td { @if party { "Văn bản của Đảng" } @else { "Văn bản hành chính" } } }
                tr { th { "Cơ quan cấp trên" } td { (s.parent_body) } }
                tr { th { "Cơ quan ban hành" } td { (s.body) } }
                tr { th { "Ký hiệu" } td { (s.symbol) } }
                tr { th { "Địa danh" } td { (s.place) } }
                tr { th { "Người ký" } td { (s.authority_prefix) " " (s.authority_body) " — " (s.signer_title) " " (s.signer_name) } }
            } }
        }
    }
}

pub async fn settings_page(u: User, Path(code): Path<String>, Query(q): Query<Tb>) -> Response {
    match documents::settings(&u.cx, &code).await {
        Ok(v) => page(
            &format!("Thiết lập văn bản — {}", v.unit_name),
            Some(&u),
            q.tb.as_deref()
                .filter(|t| *t == "luu")
                .map(|_| Flash::Ok("Đã lưu thiết lập văn bản.".into())),
            settings_form(&u, &v, None),
        )
        .into_response(),
        Err(e) => error_page(&u, e),
    }
}

pub async fn save_settings(
    State(s): State<WebState>,
    u: User,
    Path(code): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let typed = DocumentSettings {
        format: if get("format") == "party" {
            qcdc_app::documents::DocumentFormat::Party
        } else {
            qcdc_app::documents::DocumentFormat::State
        },
        parent_body: get("parent_body"),
        body: get("body"),
        symbol: get("symbol"),
        place: get("place"),
        signer_name: get("signer_name"),
        signer_title: get("signer_title"),
        authority_prefix: get("authority_prefix"),
        authority_body: get("authority_body"),
    };
    match documents::save_settings(&u.cx, &code, &typed).await {
        Ok(_) => Redirect::to(&format!("/quan-tri/van-ban/{}?tb=luu", enc(&code))).into_response(),
        Err(e) if e.code == ErrorCode::Forbidden || e.code == ErrorCode::NotFound => {
            error_page(&u, e)
        }
        Err(e) => match documents::settings(&u.cx, &code).await {
            Ok(v) => (
                status_of(e.code),
                page(
                    &format!("Thiết lập văn bản — {}", v.unit_name),
                    Some(&u),
                    Some(Flash::Err(e.message)),
                    settings_form(&u, &v, Some(&typed)),
                ),
            )
                .into_response(),
            Err(e) => error_page(&u, e),
        },
    }
}
