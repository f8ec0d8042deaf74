//! The unit's pages: things to do, the report form (drafts saved automatically and
//! on demand, validation inline, submit with a confirmation, upload a Word
//! report), the read-only report with the office's return/accept, and the history.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use qcdc_app::documents::{self, Which};
use qcdc_app::submissions::{self, DraftChange, History};
use qcdc_app::views::{SubmissionView, VersionInfo};
use qcdc_app::{CoreError, PageReq, rounds};
use qcdc_core::number;
use qcdc_core::template::{Severity, Template};
use qcdc_core::validate::Finding;
use qcdc_core::workflow::Status;
use serde::Deserialize;

use crate::WebState;
use crate::layout::{
    Flash, csrf, error_fragment, error_page, page, pager, paragraphs, status_badge, when,
};
use crate::session::{User, check_csrf, csrf_refused, csrf_value_ok};

/// Messages passed through a redirect (`?tb=…`) and the page number (`?trang=`).
#[derive(Deserialize, Default)]
pub struct Notice {
    pub tb: Option<String>,
    pub trang: Option<i64>,
}

pub fn notice(n: &Notice) -> Option<Flash> {
    let m = match n.tb.as_deref()? {
        "luu" => "Đã lưu bản nháp.",
        "gui" => "Đã gửi báo cáo tới cơ quan thường trực.",
        "tra-lai" => "Đã trả lại báo cáo kèm lý do.",
        "tiep-nhan" => "Đã tiếp nhận báo cáo; số liệu đã vào tổng hợp.",
        "dieu-chinh" => "Đã mở phiên bản điều chỉnh; hãy sửa và gửi lại.",
        "tao-dot" => "Đã tạo đợt báo cáo.",
        "ket-thuc" => "Đã kết thúc đợt báo cáo.",
        "mo-lai" => "Đã mở lại đợt báo cáo.",
        "su-dung" => "Đã dùng số liệu tổng hợp làm báo cáo gửi cấp trên (bản nháp).",
        "phat-hanh" => "Đã phát hành; văn bản đã có số trong sổ văn bản đi.",
        "excel" => "Đã nhập số liệu từ biểu mẫu Excel vào bản nháp.",
        _ => return None,
    };
    Some(Flash::Ok(m.into()))
}

pub async fn todo(State(s): State<WebState>, u: User) -> Response {
    let rows = match rounds::todo(&u.cx, s.app.today()).await {
        Ok(r) => r,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        h1 { "Việc cần làm" }
        @if rows.is_empty() { p.muted { "Không có đợt báo cáo nào đang chờ đơn vị của bạn." } }
        @else {
            table {
                thead { tr { th { "Đợt báo cáo" } th { "Đơn vị" } th { "Kỳ" } th { "Hạn nộp" } th { "Còn lại" } th { "Trạng thái" } } }
                tbody {
                    @for t in &rows {
                        tr {
                            td { a href=(format!("/dot/{}/bao-cao/{}", t.round.id, t.unit_code)) { (t.round.title) } }
                            td { (t.unit_name) }
                            td { (t.round.period_label) }
                            td { (t.round.deadline_display) }
                            td class=(if t.days_left < 0 && !t.status.is_in() { "late" } else { "" }) {
                                @if t.status.is_in() { "—" } @else if t.days_left >= 0 { (t.days_left) " ngày" } @else { "quá hạn " (-t.days_left) " ngày" }
                            }
                            td { (status_badge(t.status)) }
                        }
                    }
                }
            }
        }
    };
    page("Việc cần làm", Some(&u), None, body).into_response()
}

fn findings_for<'a>(v: &'a SubmissionView, code: &str) -> Vec<&'a Finding> {
    v.findings
        .iter()
        .filter(|f| f.indicators.first().is_some_and(|i| i.code == code))
        .collect()
}

fn finding_line(f: &Finding) -> Markup {
    let class = if f.severity == Severity::Error {
        "err-text"
    } else {
        "warn-text"
    };
    html! { div class=(class) { (f.message) } }
}

/// The editable report form.
fn form(
    u: &User,
    t: &Template,
    v: &SubmissionView,
    typed: Option<&BTreeMap<String, String>>,
    cell_errors: &BTreeMap<String, String>,
) -> Markup {
    let base = format!("/dot/{}/bao-cao/{}", v.round_id, v.unit_code);
    let value = |code: &str| {
        typed
            .and_then(|m| m.get(&format!("v.{code}")).cloned())
            .or_else(|| v.display.get(code).cloned())
            .unwrap_or_default()
    };
    let section = |n: &str| {
        typed
            .and_then(|m| m.get(&format!("s.{n}")).cloned())
            .or_else(|| v.sections.get(n).cloned())
            .unwrap_or_default()
    };
    html! {
        form #report method="post" action=(format!("{base}/luu")) data-draft-key=(format!("{}:{}", v.round_id, v.unit_code)) data-saved-at=(v.updated_at)
            hx-post=(format!("{base}/luu")) hx-trigger="autosave, submit" hx-target="#save-status" hx-swap="innerHTML" {
            (csrf(u))
            h2 { "Phần nội dung (theo đề cương)" }
            @for s in t.sections() {
                div.card {
                    label for=(format!("s.{}", s.number)) { (s.number) ". " (s.title) @if s.required { " *" } }
                    @if !s.guidance.is_empty() { p.guidance { (s.guidance) } }
                    textarea id=(format!("s.{}", s.number)) name=(format!("s.{}", s.number)) { (section(&s.number)) }
                    @for f in v.findings.iter().filter(|f| f.section.as_deref() == Some(s.number.as_str())) { (finding_line(f)) }
                    @for f in v.narrative_findings.iter().filter(|f| f.section == s.number) { div.warn-text { "Kiểm tra nội dung: " (f.finding.message) } }
                }
            }
            h2 { "Phụ lục số liệu" }
            p.guidance { "Nhập số theo cách viết Việt Nam: dấu chấm phân cách hàng nghìn, dấu phẩy thập phân (ví dụ 1.234,5). Để trống nếu không có số liệu." }
            @for g in &t.def.groups {
                @let inds: Vec<_> = t.indicators().iter().filter(|i| i.group == g.code).collect();
                @if !inds.is_empty() {
                    table style="margin-bottom:1rem" {
                        thead { tr { th colspan="3" { (g.code) ". " (g.title) } } }
                        tbody {
                            @for i in inds {
                                @let depth = { let mut d = 0; let mut c = i.part_of.as_deref(); while let Some(p) = c { d += 1; c = t.indicator(p).and_then(|x| x.part_of.as_deref()); } d };
                                tr {
                                    td style=(format!("padding-left:{}rem", 0.5 + f64::from(depth) * 1.5)) {
                                        label for=(format!("v.{}", i.code)) style="font-weight:normal;margin:0" { @if depth > 0 { "trong đó: " } (i.name) }
                                        @if let Some(e) = cell_errors.get(&i.code) { div.err-text { (e) } }
                                        @for f in findings_for(v, &i.code) { (finding_line(f)) }
                                    }
                                    td.muted style="width:8rem" { (i.unit) }
                                    td style="width:11rem" { input type="text" inputmode="decimal" id=(format!("v.{}", i.code)) name=(format!("v.{}", i.code)) value=(value(&i.code)); }
                                }
                            }
                        }
                    }
                }
            }
            p { button type="submit" name="luu" value="1" { "Lưu nháp" } " " span #save-status role="status" { "Lưu lần cuối: " (when(&v.updated_at)) } }
        }
        div.grid2 {
            div.card {
                h2 { "Gửi báo cáo" }
                form method="post" action=(format!("{base}/gui")) {
                    (csrf(u))
                    label style="font-weight:normal" { input type="checkbox" name="xac_nhan" value="1" required; " Tôi đã kiểm tra và xác nhận gửi báo cáo này" }
                    p { button type="submit" { "Gửi báo cáo" } }
                }
            }
            div.card {
                h2 { "Nhập từ tệp Word hoặc văn bản" }
                form method="post" action=(format!("{base}/nhap-tep")) enctype="multipart/form-data" {
                    (csrf(u))
                    input type="file" name="tep" accept=".docx,.txt" required;
                    p { button.secondary type="submit" { "Nhập vào bản nháp" } }
                }
            }
        }
    }
}

fn read_only(u: &User, t: &Template, v: &SubmissionView) -> Markup {
    let base = format!("/dot/{}/bao-cao/{}", v.round_id, v.unit_code);
    html! {
        h2 { "Nội dung" }
        @for s in t.sections() {
            div.card {
                strong { (s.number) ". " (s.title) }
                @match v.sections.get(&s.number) { Some(text) => (paragraphs(text)), None => p.muted { "(chưa có nội dung)" } }
                @for f in v.narrative_findings.iter().filter(|f| f.section == s.number) { div.warn-text { "Kiểm tra nội dung: " (f.finding.message) } }
            }
        }
        h2 { "Số liệu" }
        table {
            thead { tr { th { "Chỉ tiêu" } th { "Đơn vị tính" } th.right { "Số liệu" } } }
            tbody {
                @for i in t.indicators() {
                    @if let Some(d) = v.display.get(&i.code) {
                        tr { td { (i.name) @for f in findings_for(v, &i.code) { (finding_line(f)) } } td.muted { (i.unit) } td.num { (d) } }
                    }
                }
            }
        }
        @if !v.findings.is_empty() {
            h2 { "Kết quả kiểm tra" }
            ul { @for f in &v.findings { li { (finding_line(f)) } } }
        }
        @if v.can.review {
            div.grid2 style="margin-top:1rem" {
                div.card {
                    h2 { "Trả lại" }
                    form method="post" action=(format!("{base}/tra-lai")) {
                        (csrf(u))
                        label for="reason" { "Lý do trả lại" }
                        textarea #reason name="ly_do" required {}
                        p { button.danger type="submit" { "Trả lại báo cáo" } }
                    }
                }
                div.card {
                    h2 { "Tiếp nhận" }
                    form method="post" action=(format!("{base}/tiep-nhan")) {
                        (csrf(u))
                        p { "Số liệu sẽ vào tổng hợp ngay và không sửa trực tiếp được nữa." }
                        button type="submit" { "Tiếp nhận báo cáo" }
                    }
                }
            }
        }
        @if v.can.correct {
            div.card style="margin-top:1rem" {
                h2 { "Điều chỉnh số liệu đã tiếp nhận" }
                form method="post" action=(format!("{base}/dieu-chinh")) {
                    (csrf(u))
                    label for="reason2" { "Lý do điều chỉnh" }
                    textarea #reason2 name="ly_do" required {}
                    p { button.secondary type="submit" { "Tạo phiên bản điều chỉnh" } }
                }
            }
        }
    }
}

fn history_block(round: i64, unit: &str, versions: &[VersionInfo], h: &History) -> Markup {
    html! {
        h2 { "Lịch sử" }
        @if !versions.is_empty() {
            table { thead { tr { th { "Phiên bản" } th { "Tiếp nhận lúc" } th { "Người tiếp nhận" } th { "Lý do điều chỉnh" } } }
                tbody { @for ver in versions { tr { td { (ver.version) } td { (when(&ver.accepted_at)) } td { (ver.accepted_by) } td { (ver.reason.clone().unwrap_or_default()) } } } } }
        }
        details open[h.audit.page > 1] { summary { "Nhật ký thay đổi (" (h.audit.total) ")" }
            table { thead { tr { th { "Lúc" } th { "Người" } th { "Thao tác" } th { "Mục" } th { "Cũ" } th { "Mới" } } }
                tbody { @for e in &h.audit.items { tr { td { (when(&e.at)) } td { (e.actor) } td { (e.action) } td { (e.field.clone().unwrap_or_default()) } td { (e.old_value.clone().unwrap_or_default()) } td { (e.new_value.clone().unwrap_or_default()) } } } } }
            (pager(&h.audit, &format!("/dot/{round}/bao-cao/{unit}?")))
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn render(
    s: &WebState,
    u: &User,
    round_id: i64,
    unit: &str,
    flash: Option<Flash>,
    typed: Option<&BTreeMap<String, String>>,
    cell_errors: &BTreeMap<String, String>,
    status: StatusCode,
    audit_page: i64,
) -> Response {
    render_with(
        s,
        u,
        round_id,
        unit,
        flash,
        typed,
        cell_errors,
        status,
        audit_page,
        html! {},
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render_with(
    s: &WebState,
    u: &User,
    round_id: i64,
    unit: &str,
    flash: Option<Flash>,
    typed: Option<&BTreeMap<String, String>>,
    cell_errors: &BTreeMap<String, String>,
    status: StatusCode,
    audit_page: i64,
    extra: Markup,
) -> Response {
    let result = async {
        let v = submissions::view(&u.cx, round_id, unit).await?;
        let t = submissions::template_of(&u.cx, round_id).await?;
        let h = submissions::history(&u.cx, round_id, unit, PageReq::new(audit_page, 100)).await?;
        let issued = documents::issued(&u.cx, round_id, Which::Report, Some(unit)).await?;
        Ok::<_, CoreError>((v, t, h, issued))
    }
    .await;
    let (v, t, h, issued) = match result {
        Ok(x) => x,
        Err(e) => return error_page(u, e),
    };
    let days = (v.deadline_date - s.app.today()).num_days();
    let body = html! {
        p.muted { a href=(format!("/dot/{}", v.round_id)) { (v.round_title) } " · " (v.period_label) }
        h1 { "Báo cáo của " (v.unit_name) " " (status_badge(v.status)) }
        p {
            "Hạn nộp " strong { (v.deadline) }
            @if !v.status.is_in() { @if days >= 0 { " (còn " (days) " ngày)" } @else { span.late { " (quá hạn " (-days) " ngày)" } } }
            @if let Some(ot) = v.on_time { " · " @if ot { "nộp đúng hạn" } @else { span.late { "nộp trễ hạn" } } }
            " · phiên bản " (v.version)
        }
        @if v.status == Status::Returned { @if let Some(r) = &v.return_reason { div.flash.err { strong { "Báo cáo bị trả lại: " } (r) } } }
        @if let Some(r) = &v.correction_reason { @if v.status != Status::Accepted { p.muted { "Lý do điều chỉnh: " (r) } } }
        (extra)
        (crate::documents::report_block(u, v.round_id, &v.unit_code, issued.as_ref(), (v.can.edit || v.can.correct) && v.status != Status::NotStarted, v.can.edit))
        @if v.can.edit { (form(u, &t, &v, typed, cell_errors)) } @else { (read_only(u, &t, &v)) }
        (history_block(v.round_id, &v.unit_code, &h.versions, &h))
    };
    (
        status,
        page(
            &format!("Báo cáo của {}", v.unit_name),
            Some(u),
            flash,
            body,
        ),
    )
        .into_response()
}

pub async fn report_page(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Query(n): Query<Notice>,
) -> Response {
    render(
        &s,
        &u,
        id,
        &unit,
        notice(&n),
        None,
        &BTreeMap::new(),
        StatusCode::OK,
        n.trang.unwrap_or(1),
    )
    .await
}

/// The report page again with an error at the top (the form shows what is stored;
/// the browser keeps its own copy of what was typed).
async fn report_error(s: &WebState, u: &User, id: i64, unit: &str, e: CoreError) -> Response {
    let status = crate::layout::status_of(e.code);
    render(
        s,
        u,
        id,
        unit,
        Some(Flash::Err(e.message)),
        None,
        &BTreeMap::new(),
        status,
        1,
    )
    .await
}

/// Reads the form: figures typed the Vietnamese way, narrative by section.
fn read_form(
    t: &Template,
    fields: &[(String, String)],
) -> (
    DraftChange,
    BTreeMap<String, String>,
    BTreeMap<String, String>,
) {
    let mut change = DraftChange::default();
    let mut typed = BTreeMap::new();
    let mut errors = BTreeMap::new();
    for (k, v) in fields {
        typed.insert(k.clone(), v.clone());
        if let Some(code) = k.strip_prefix("v.") {
            if t.indicator(code).is_none() {
                continue;
            }
            if v.trim().is_empty() {
                change.values.insert(code.to_string(), None);
            } else {
                match number::parse_vn(v) {
                    Ok(x) => {
                        change.values.insert(code.to_string(), Some(x));
                    }
                    Err(e) => {
                        errors.insert(
                            code.to_string(),
                            format!("{} — ô này chưa được lưu", e.message),
                        );
                    }
                }
            }
        } else if let Some(sec) = k.strip_prefix("s.")
            && t.section(sec).is_some()
        {
            change.sections.insert(sec.to_string(), Some(v.clone()));
        }
    }
    (change, typed, errors)
}

pub async fn save(
    State(s): State<WebState>,
    u: User,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let htmx = headers.contains_key("hx-request");
    let result = async {
        let t = submissions::template_of(&u.cx, id).await?;
        let (change, typed, errors) = read_form(&t, &f);
        let v = submissions::save_draft(&u.cx, id, &unit, &change).await?;
        Ok::<_, CoreError>((v, typed, errors))
    }
    .await;
    match (result, htmx) {
        (Ok((v, _, errors)), true) => {
            let body = html! {
                "Đã lưu lúc " (when(&v.updated_at))
                @for (code, e) in &errors { div.err-text { (code) ": " (e) } }
                @let n = v.findings.iter().filter(|f| f.severity == Severity::Error).count();
                @if n > 0 { span.warn-text { " · còn " (n) " lỗi cần sửa trước khi gửi" } }
            };
            body.into_response()
        }
        (Ok((_, typed, errors)), false) if !errors.is_empty() => {
            render(
                &s,
                &u,
                id,
                &unit,
                Some(Flash::Err(
                    "Có số liệu không hợp lệ; các ô khác đã được lưu.".into(),
                )),
                Some(&typed),
                &errors,
                StatusCode::BAD_REQUEST,
                1,
            )
            .await
        }
        (Ok(_), false) => Redirect::to(&format!("/dot/{id}/bao-cao/{unit}?tb=luu")).into_response(),
        (Err(e), true) => error_fragment(&e),
        (Err(e), false) => {
            let typed: BTreeMap<String, String> = f.into_iter().collect();
            let status = crate::layout::status_of(e.code);
            render(
                &s,
                &u,
                id,
                &unit,
                Some(Flash::Err(e.message)),
                Some(&typed),
                &BTreeMap::new(),
                status,
                1,
            )
            .await
        }
    }
}

pub async fn submit(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    if !f.iter().any(|(k, v)| k == "xac_nhan" && v == "1") {
        return report_error(
            &s,
            &u,
            id,
            &unit,
            CoreError::invalid("Hãy đánh dấu ô xác nhận trước khi gửi."),
        )
        .await;
    }
    match submissions::submit(&u.cx, id, &unit, chrono::Utc::now()).await {
        Ok(_) => Redirect::to(&format!("/dot/{id}/bao-cao/{unit}?tb=gui")).into_response(),
        Err(e) if e.code == qcdc_app::ErrorCode::Forbidden => error_page(&u, e),
        Err(e) => report_error(&s, &u, id, &unit, e).await,
    }
}

pub async fn correction(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let reason = f
        .iter()
        .find(|(k, _)| k == "ly_do")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    match submissions::start_correction(&u.cx, id, &unit, &reason).await {
        Ok(_) => Redirect::to(&format!("/dot/{id}/bao-cao/{unit}?tb=dieu-chinh")).into_response(),
        Err(e) if e.code == qcdc_app::ErrorCode::Forbidden => error_page(&u, e),
        Err(e) => report_error(&s, &u, id, &unit, e).await,
    }
}

pub async fn upload(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    mut mp: Multipart,
) -> Response {
    let mut csrf_ok = false;
    let mut bytes = Vec::new();
    while let Ok(Some(field)) = mp.next_field().await {
        match field.name() {
            Some("csrf") => csrf_ok = field.text().await.is_ok_and(|t| csrf_value_ok(&s, &u, &t)),
            Some("tep") => bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            _ => {}
        }
    }
    if !csrf_ok {
        return csrf_refused(&u);
    }
    if bytes.is_empty() {
        return report_error(
            &s,
            &u,
            id,
            &unit,
            CoreError::invalid("Chưa chọn tệp hoặc tệp rỗng."),
        )
        .await;
    }
    match submissions::import_report(&u.cx, id, &unit, &bytes).await {
        Ok((_, review)) => {
            let mapped = review
                .iter()
                .filter(|r| matches!(r.kind, "section" | "indicator"))
                .count();
            let msg = format!(
                "Đã nhập tệp vào bản nháp: {mapped} mục/chỉ tiêu đã khớp. Cần xem lại: {}",
                review
                    .iter()
                    .filter(|r| !matches!(r.kind, "section" | "indicator"))
                    .map(|r| format!("dòng {} — {}", r.line, r.detail))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            render(
                &s,
                &u,
                id,
                &unit,
                Some(Flash::Ok(msg)),
                None,
                &BTreeMap::new(),
                StatusCode::OK,
                1,
            )
            .await
        }
        Err(e) if e.code == qcdc_app::ErrorCode::Forbidden => error_page(&u, e),
        Err(e) => report_error(&s, &u, id, &unit, e).await,
    }
}

/// "Nộp từ Excel": the filled form into the draft, all or nothing; a refusal shows
/// every unreadable cell (sheet, cell, value, why) above the form.
pub async fn import_xlsx(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    mp: Multipart,
) -> Response {
    let bytes = match crate::documents::read_xlsx_upload(&s, &u, mp).await {
        Ok(b) => b,
        Err(Ok(refusal)) => return refusal,
        Err(Err(e)) => return report_error(&s, &u, id, &unit, e).await,
    };
    match documents::import_form(&u.cx, id, &unit, bytes).await {
        Ok(_) => Redirect::to(&format!(
            "/dot/{id}/bao-cao/{}?tb=excel",
            crate::layout::enc(&unit)
        ))
        .into_response(),
        Err(e) if e.code == qcdc_app::ErrorCode::Forbidden => error_page(&u, e),
        Err(e) => {
            let status = crate::layout::status_of(e.code);
            let extra = crate::documents::import_problems(&e);
            render_with(
                &s,
                &u,
                id,
                &unit,
                Some(Flash::Err(format!(
                    "{} (mã lỗi {})",
                    e.message,
                    e.code.as_str()
                ))),
                None,
                &BTreeMap::new(),
                status,
                1,
                extra,
            )
            .await
        }
    }
}
