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
use qcdc_core::template::{Severity, Template};
use qcdc_core::validate::Finding;
use qcdc_core::workflow::Status;
use qcdc_core::{number, text};
use serde::Deserialize;

use crate::WebState;
use crate::layout::{
    Flash, csrf, error_fragment, error_page, page, pager, paragraphs, status_badge, when,
};
use crate::session::{User, check_csrf, csrf_refused};

/// Messages passed through a redirect (`?tb=…`) and the page number (`?trang=`).
#[derive(Deserialize, Default)]
pub struct Notice {
    pub tb: Option<String>,
    pub trang: Option<i64>,
}

pub fn notice(n: &Notice) -> Option<Flash> {
    let m = match n.tb.as_deref()? {
        "luu" => "Đã lưu bản nháp.",
        "nhap-tep" => "Đã nhập nội dung của tệp vào bản nháp; hãy kiểm tra lại trước khi gửi.",
        "gui" => "Đã gửi báo cáo tới cơ quan thường trực.",
        "tra-lai" => "Đã trả lại báo cáo kèm lý do.",
        "tiep-nhan" => "Đã tiếp nhận báo cáo; số liệu đã vào tổng hợp.",
        "dieu-chinh" => "Đã mở phiên bản điều chỉnh; hãy sửa và gửi lại.",
        "tao-dot" => "Đã tạo đợt báo cáo.",
        "ket-thuc" => "Đã kết thúc đợt báo cáo.",
        "mo-lai" => "Đã mở lại đợt báo cáo.",
        "gia-han" => "Đã gia hạn nộp báo cáo; lý do đã ghi vào lịch sử đợt.",
        "gia-han-don-vi" => {
            "Đã gia hạn cho đơn vị; đơn vị nhận thông báo, lý do đã ghi vào lịch sử đợt."
        }
        "su-dung" => "Đã dùng số liệu tổng hợp làm báo cáo gửi cấp trên (bản nháp).",
        "lich-nhac" => "Đã lưu lịch nhắc nộp báo cáo; thay đổi đã ghi vào lịch sử đợt.",
        "phat-hanh" => "Đã phát hành; văn bản đã có số trong sổ văn bản đi.",
        "excel" => "Đã nhập số liệu từ biểu mẫu Excel vào bản nháp.",
        _ => return None,
    };
    Some(Flash::Ok(m.into()))
}

pub async fn todo(State(s): State<WebState>, u: User) -> Response {
    let today = s.app.today();
    let result = async {
        let rows = rounds::todo(&u.cx, today).await?;
        let queue = rounds::office_queue(&u.cx, today).await?;
        let notices = qcdc_app::notices::list(&u.cx, 50).await?;
        Ok::<_, CoreError>((rows, queue, notices))
    }
    .await;
    let (rows, queue, notices) = match result {
        Ok(r) => r,
        Err(e) => return error_page(&u, e),
    };
    let is_office = !u
        .cx
        .actor()
        .units_with(&[
            qcdc_core::access::Role::Office,
            qcdc_core::access::Role::Admin,
        ])
        .is_empty();
    let unread = notices.iter().filter(|n| n.read_at.is_none()).count();
    let body = html! {
        h1 { "Việc cần làm" }
        @if !notices.is_empty() {
            h2 { "Thông báo (" (unread) " chưa đọc)" }
            @if unread > 0 {
                form method="post" action="/thong-bao/da-doc" {
                    (csrf(&u))
                    button.secondary type="submit" { "Đánh dấu tất cả đã đọc" }
                }
            }
            table {
                thead { tr { th { "Lúc" } th { "Thông báo" } th {} } }
                tbody {
                    @for n in &notices {
                        tr class=(if n.read_at.is_none() { "unread" } else { "muted" }) {
                            td { (when(&n.created_at)) }
                            td {
                                @if n.read_at.is_none() { strong { a href=(n.link) { (n.title) } } } @else { a href=(n.link) { (n.title) } }
                                br; (n.body)
                            }
                            td {
                                @if n.read_at.is_none() {
                                    form method="post" action="/thong-bao/da-doc" {
                                        (csrf(&u))
                                        input type="hidden" name="id" value=(n.id);
                                        button.secondary type="submit" { "Đã đọc" }
                                    }
                                } @else { "đã đọc" }
                            }
                        }
                    }
                }
            }
        }
        @if is_office {
            h2 { "Báo cáo chờ xem xét (" (queue.waiting_total) ")" }
            @if queue.waiting.is_empty() { p.muted { "Không có báo cáo nào đang chờ xem xét." } }
            @else {
                table {
                    thead { tr { th { "Đơn vị" } th { "Đợt báo cáo" } th { "Gửi lúc" } } }
                    tbody {
                        @for w in &queue.waiting {
                            tr {
                                td { a href=(format!("/dot/{}/bao-cao/{}", w.round_id, w.unit_code)) { (w.unit_name) } }
                                td { a href=(format!("/dot/{}?tt=submitted", w.round_id)) { (w.round_title) } }
                                td { (when(&w.submitted_at)) }
                            }
                        }
                    }
                }
                @if queue.waiting_total > queue.waiting.len() as i64 { p.muted { "Hiển thị " (queue.waiting.len()) " báo cáo gửi sớm nhất." } }
            }
            h2 { "Đợt báo cáo đang mở" }
            @if queue.open.is_empty() { p.muted { "Đơn vị chưa có đợt báo cáo nào đang mở." } }
            @else {
                table {
                    thead { tr { th { "Đợt báo cáo" } th { "Hạn nộp" } th { "Còn lại" } th.right { "Đơn vị chưa nộp" } } }
                    tbody {
                        @for o in &queue.open {
                            tr {
                                td { a href=(format!("/dot/{}", o.round.id)) { (o.round.title) } }
                                td { (o.round.deadline_display) }
                                td class=(if o.days_left < 0 && o.missing > 0 { "late" } else { "" }) {
                                    @if o.days_left >= 0 { (o.days_left) " ngày" } @else { "quá hạn " (-o.days_left) " ngày" }
                                }
                                td.num { @if o.missing > 0 { a href=(format!("/dot/{}?tt=chua_nop", o.round.id)) { (o.missing) } } @else { "0" } }
                            }
                        }
                    }
                }
            }
        }
        @if is_office || !rows.is_empty() { h2 { "Báo cáo đơn vị cần nộp" } }
        @if rows.is_empty() { p.muted { "Không có đợt báo cáo nào đang chờ đơn vị của bạn." } }
        @else {
            table {
                thead { tr { th { "Đợt báo cáo" } th { "Đơn vị" } th { "Kỳ" } th { "Hạn nộp" } th { "Còn lại" } th { "Trạng thái" } th { "Yêu cầu" } } }
                tbody {
                    @for t in &rows {
                        tr {
                            td { a href=(format!("/dot/{}/bao-cao/{}", t.round.id, t.unit_code)) { (t.round.title) } }
                            td { (t.unit_name) }
                            td { (t.round.period_label) }
                            td { (t.deadline_display) @if t.deadline_display != t.round.deadline_display { br; span.muted { "(được gia hạn riêng)" } } }
                            td class=(if t.days_left < 0 && !t.status.is_in() { "late" } else { "" }) {
                                @if t.status.is_in() { "—" } @else if t.days_left >= 0 { (t.days_left) " ngày" } @else { "quá hạn " (-t.days_left) " ngày" }
                            }
                            td { (status_badge(t.status)) }
                            td { a href=(format!("/dot/{}", t.round.id)) { "Xem công văn" } }
                        }
                    }
                }
            }
        }
    };
    page("Việc cần làm", Some(&u), None, body).into_response()
}

/// Marks one notice (field `id`) or all of the user's notices as read.
pub async fn mark_read(
    State(s): State<WebState>,
    u: User,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let id = f
        .iter()
        .find(|(k, _)| k == "id")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok());
    match qcdc_app::notices::mark_read(&u.cx, id).await {
        Ok(_) => Redirect::to("/viec-can-lam").into_response(),
        Err(e) => error_page(&u, e),
    }
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

/// What the form shows besides the stored report: the text as typed (after a
/// refused save), the cells that could not be read, and the findings of a refused
/// submission.
#[derive(Default)]
struct FormState<'a> {
    typed: Option<&'a BTreeMap<String, String>>,
    cell_errors: BTreeMap<String, String>,
    submit_findings: Vec<Finding>,
}

/// One blocking error of the form, with the id of the field it belongs to.
struct FormError {
    field: String,
    label: String,
    message: String,
}

/// The id of a section's feedback container (section numbers carry dots).
fn section_slot(number: &str) -> String {
    format!("fb-s-{}", number.replace('.', "-"))
}

/// Every blocking error, in form order: unreadable cells first, then the
/// validation errors (of the refused submission when there is one).
fn form_errors(t: &Template, v: &SubmissionView, st: &FormState) -> Vec<FormError> {
    let mut out = Vec::new();
    for i in t.indicators() {
        if let Some(e) = st.cell_errors.get(&i.code) {
            out.push(FormError {
                field: format!("v.{}", i.code),
                label: i.name.clone(),
                message: e.clone(),
            });
        }
    }
    let findings = if st.submit_findings.is_empty() {
        &v.findings
    } else {
        &st.submit_findings
    };
    for f in findings.iter().filter(|f| f.severity == Severity::Error) {
        let (field, label) = match (&f.section, f.indicators.first()) {
            (Some(sec), _) => (
                format!("s.{sec}"),
                t.section(sec).map_or_else(
                    || format!("Mục {sec}"),
                    |x| format!("Mục {sec}. {}", x.title),
                ),
            ),
            (None, Some(i)) => (format!("v.{}", i.code), i.name.clone()),
            (None, None) => ("phu-luc".into(), "Phụ lục số liệu".into()),
        };
        out.push(FormError {
            field,
            label,
            message: f.message.clone(),
        });
    }
    out
}

/// The error summary at the top of the form: every error as a link to its field.
fn error_summary(errors: &[FormError], oob: bool) -> Markup {
    html! {
        div #error-summary hx-swap-oob=[oob.then_some("true")] {
            @if !errors.is_empty() {
                div.error-summary role="alert" tabindex="-1" {
                    h2 { "Báo cáo còn " (errors.len()) " lỗi cần sửa trước khi gửi" }
                    ul {
                        @for e in errors {
                            li { a href=(format!("#{}", e.field)) { strong { (e.label) } ": " (e.message) } }
                        }
                    }
                }
            }
        }
    }
}

/// Depth of an indicator in its breakdown chain (0 for a whole).
fn depth(t: &Template, code: &str) -> u32 {
    let mut d = 0;
    let mut c = t.indicator(code).and_then(|x| x.part_of.as_deref());
    while let Some(p) = c {
        d += 1;
        c = t.indicator(p).and_then(|x| x.part_of.as_deref());
    }
    d
}

/// An indicator's label: breakdown rows read "trong đó: …" unless the name says it.
fn indicator_label(t: &Template, i: &qcdc_core::template::Indicator) -> String {
    let says_it = text::fold(&i.name).starts_with("trong do");
    if depth(t, &i.code) > 0 && !says_it {
        format!("trong đó: {}", i.name)
    } else {
        i.name.clone()
    }
}

/// The feedback next to an indicator: an unreadable cell quotes what was typed, then
/// the validation findings.
fn indicator_feedback(v: &SubmissionView, st: &FormState, code: &str, oob: bool) -> Markup {
    html! {
        div id=(format!("fb-{code}")) hx-swap-oob=[oob.then_some("true")] {
            @if let Some(e) = st.cell_errors.get(code) { div.err-text { (e) } }
            @for f in findings_for(v, code) { (finding_line(f)) }
            @for f in st.submit_findings.iter().filter(|f| f.severity == Severity::Error && f.indicators.first().is_some_and(|i| i.code == code)) {
                @if !v.findings.contains(f) { (finding_line(f)) }
            }
        }
    }
}

fn section_feedback(v: &SubmissionView, st: &FormState, number: &str, oob: bool) -> Markup {
    html! {
        div id=(section_slot(number)) hx-swap-oob=[oob.then_some("true")] {
            @for f in v.findings.iter().chain(st.submit_findings.iter().filter(|f| !v.findings.contains(f))).filter(|f| f.section.as_deref() == Some(number)) { (finding_line(f)) }
            @for f in v.narrative_findings.iter().filter(|f| f.section == number) { div.warn-text { "Kiểm tra nội dung: " (f.finding.message) } }
        }
    }
}

/// The editable report form. "Gửi báo cáo" posts the whole form, so what is typed
/// in the last second before sending is in the sent report.
fn form(u: &User, t: &Template, v: &SubmissionView, st: &FormState) -> Markup {
    let base = format!("/dot/{}/bao-cao/{}", v.round_id, v.unit_code);
    // the stored figure, else the value counted for the indicator's source: a
    // typed value is never replaced by a count
    let value = |code: &str| {
        st.typed
            .and_then(|m| m.get(&format!("v.{code}")).cloned())
            .or_else(|| v.display.get(code).cloned())
            .or_else(|| v.prefilled.get(code).cloned())
            .unwrap_or_default()
    };
    let reason = |code: &str| {
        st.typed
            .and_then(|m| m.get(&format!("lydo.{code}")).cloned())
            .or_else(|| {
                v.overrides
                    .iter()
                    .find(|o| o.indicator == code)
                    .map(|o| o.reason.clone())
            })
            .unwrap_or_default()
    };
    let section = |n: &str| {
        st.typed
            .and_then(|m| m.get(&format!("s.{n}")).cloned())
            .or_else(|| v.sections.get(n).cloned())
            .unwrap_or_default()
    };
    let errors = form_errors(t, v, st);
    html! {
        (error_summary(&errors, false))
        form #report method="post" action=(format!("{base}/luu")) data-draft-key=(format!("{}:{}", v.round_id, v.unit_code)) data-saved-at=(v.updated_at)
            hx-post=(format!("{base}/luu")) hx-trigger="autosave" hx-target="#save-status" hx-swap="innerHTML" {
            (csrf(u))
            h2 { "Phần nội dung (theo đề cương)" }
            p.guidance { "Mỗi mục tối đa " (qcdc_core::number::format_vn(qcdc_core::validate::MAX_SECTION_CHARS as i64 * 1000, 0)) " ký tự." }
            @for s in t.sections() {
                div.card {
                    label for=(format!("s.{}", s.number)) { (s.number) ". " (s.title) @if s.required { " *" } }
                    @if !s.guidance.is_empty() { p.guidance { (s.guidance) } }
                    (section_feedback(v, st, &s.number, false))
                    textarea id=(format!("s.{}", s.number)) name=(format!("s.{}", s.number)) { (section(&s.number)) }
                }
            }
            h2 #phu-luc { "Phụ lục số liệu" }
            p.guidance { "Nhập số theo cách viết Việt Nam: dấu chấm phân cách hàng nghìn, dấu phẩy thập phân (ví dụ 1.234,5). Để trống nếu không có số liệu. Tỷ lệ để trống sẽ được tính tự động từ số liệu thành phần." }
            @for g in &t.def.groups {
                @let inds: Vec<_> = t.indicators_for(v.unit_kind).filter(|i| i.group == g.code).collect();
                @if !inds.is_empty() {
                    table style="margin-bottom:1rem" {
                        thead { tr { th colspan="3" { (g.code) ". " (g.title) } } }
                        tbody {
                            @for i in inds {
                                tr {
                                    td style=(format!("padding-left:{}rem", 0.5 + f64::from(depth(t, &i.code)) * 1.5)) {
                                        label for=(format!("v.{}", i.code)) style="font-weight:normal;margin:0" { (indicator_label(t, i)) }
                                        (indicator_feedback(v, st, &i.code, false))
                                    }
                                    td.muted style="width:8rem" { (i.unit) }
                                    td style="width:11rem" {
                                        input type="text" inputmode="decimal" id=(format!("v.{}", i.code)) name=(format!("v.{}", i.code)) value=(value(&i.code))
                                            placeholder=[v.computed.get(&i.code).map(|c| format!("tự tính: {c}"))]
                                            aria-invalid=[st.cell_errors.contains_key(&i.code).then_some("true")];
                                        @if let Some(counted) = v.prefilled.get(&i.code) {
                                            div.source-line {
                                                span.muted { "Từ sổ theo dõi: " strong { (counted) } " · " }
                                                a href=(format!("{base}/nguon/{}", i.code)) { "xem các bản ghi" }
                                            }
                                            label.muted for=(format!("lydo.{}", i.code)) style="font-weight:normal;margin:0" { "Lý do nếu số nhập khác số từ sổ" }
                                            input type="text" id=(format!("lydo.{}", i.code)) name=(format!("lydo.{}", i.code)) value=(reason(&i.code)) maxlength="2000";
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p { button.secondary type="submit" name="luu" value="1" hx-post=(format!("{base}/luu")) hx-target="#save-status" hx-swap="innerHTML" { "Lưu nháp" } " " span #save-status role="status" { "Lưu lần cuối: " (when(&v.updated_at)) } }
            div.card {
                h2 { "Gửi báo cáo" }
                p.guidance { "Báo cáo được gửi với đúng nội dung đang hiển thị trên trang này." }
                label style="font-weight:normal" { input type="checkbox" name="xac_nhan" value="1"; " Tôi đã kiểm tra và xác nhận gửi báo cáo này" }
                p { button #send type="submit" formaction=(format!("{base}/gui")) { "Gửi báo cáo" } }
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

/// Old → new of every figure and section a change would alter (long texts shown
/// by their start and length).
pub fn preview_table(lines: &[submissions::PreviewLine]) -> Markup {
    let short = |t: &Option<String>| -> Markup {
        match t {
            None => html! { span.muted { "(trống)" } },
            Some(x) if x.chars().count() > 240 => {
                let head: String = x.chars().take(240).collect();
                html! { (head) "… " span.muted { "(" (number::format_vn(x.chars().count() as i64 * 1000, 0)) " ký tự)" } }
            }
            Some(x) => html! { (x) },
        }
    };
    html! {
        @if lines.is_empty() { p { "Không có số liệu hay nội dung nào thay đổi." } }
        @else {
            table {
                thead { tr { th { "Mục, chỉ tiêu" } th { "Hiện có" } th { "Sẽ thành" } } }
                tbody { @for l in lines { tr { td { (l.label) } td { (short(&l.old)) } td { strong { (short(&l.new)) } } } } }
            }
        }
    }
}

/// The office's decision block: accept or return, each asking for confirmation.
fn review_block(u: &User, v: &SubmissionView) -> Markup {
    let base = format!("/dot/{}/bao-cao/{}", v.round_id, v.unit_code);
    let errors = v
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    html! {
        div.grid2 style="margin-bottom:1rem" {
            div.card {
                h2 style="margin-top:0" { "Tiếp nhận" }
                @if errors > 0 { p.err-text { "Báo cáo còn " (errors) " lỗi số liệu (xem bên dưới)." } }
                form method="post" action=(format!("{base}/tiep-nhan")) data-confirm=(format!("Tiếp nhận báo cáo của {}? Số liệu sẽ vào tổng hợp ngay.", v.unit_name)) {
                    (csrf(u))
                    p.guidance { "Số liệu sẽ vào tổng hợp ngay và không sửa trực tiếp được nữa." }
                    button type="submit" { "Tiếp nhận báo cáo" }
                }
            }
            div.card {
                h2 style="margin-top:0" { "Trả lại" }
                form method="post" action=(format!("{base}/tra-lai")) data-confirm=(format!("Trả lại báo cáo của {} kèm lý do đã ghi?", v.unit_name)) {
                    (csrf(u))
                    label for="reason" { "Lý do trả lại" }
                    textarea #reason name="ly_do" required style="min-height:4rem" {}
                    p { button.danger type="submit" { "Trả lại báo cáo" } }
                }
            }
        }
    }
}

fn read_only(u: &User, t: &Template, v: &SubmissionView) -> Markup {
    let base = format!("/dot/{}/bao-cao/{}", v.round_id, v.unit_code);
    // what needs the reviewer's eye comes first: blocking findings, then warnings,
    // then the checker's reading of the narrative
    let mut findings: Vec<&Finding> = v.findings.iter().collect();
    findings.sort_by_key(|f| if f.severity == Severity::Error { 0 } else { 1 });
    html! {
        @if v.can.review { (review_block(u, v)) }
        @if !findings.is_empty() || !v.narrative_findings.is_empty() {
            div.card {
                h2 style="margin-top:0" { "Cần xem kỹ" }
                ul {
                    @for f in &findings { li { (finding_line(f)) } }
                    @for f in &v.narrative_findings { li.warn-text { "Mục " (f.section) ": " (f.finding.message) } }
                }
            }
        }
        h2 { "Nội dung" }
        @for s in t.sections() {
            div.card {
                strong { (s.number) ". " (s.title) }
                @match v.sections.get(&s.number) { Some(text) => (paragraphs(text)), None => p.muted { "(chưa có nội dung)" } }
            }
        }
        @if !v.overrides.is_empty() {
            div.card #so-lieu-sua {
                h2 style="margin-top:0" { "Số liệu khác số đếm từ sổ theo dõi" }
                table {
                    thead { tr { th { "Chỉ tiêu" } th.right { "Số đếm từ sổ" } th.right { "Số đơn vị nhập" } th { "Lý do" } th { "Người ghi" } } }
                    tbody {
                        @for o in &v.overrides {
                            tr {
                                td { (o.name) " " a href=(format!("{base}/nguon/{}", o.indicator)) { "(bản ghi)" } }
                                td.num { (o.counted) }
                                td.num { strong { @if o.typed.is_empty() { "(trống)" } @else { (o.typed) } } }
                                td { (o.reason) }
                                td { (o.by) ", " (when(&o.at)) }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Số liệu" }
        table {
            thead { tr { th { "Chỉ tiêu" } th { "Đơn vị tính" } th.right { "Số liệu" } } }
            tbody {
                @for i in t.indicators() {
                    @if let Some(d) = v.display.get(&i.code) {
                        tr { td style=(format!("padding-left:{}rem", 0.5 + f64::from(depth(t, &i.code)) * 1.5)) { (indicator_label(t, i)) @for f in findings_for(v, &i.code) { (finding_line(f)) } } td.muted { (i.unit) } td.num { (d) } }
                    } @else if let Some(c) = v.computed.get(&i.code) {
                        tr { td { (indicator_label(t, i)) } td.muted { (i.unit) } td.num { (c) " " span.muted { "(tự tính)" } } }
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

/// An audit action in words.
fn action_label(action: &str) -> &'static str {
    match action {
        "value" => "Sửa số liệu",
        "section" => "Sửa nội dung",
        "status" => "Đổi trạng thái",
        "submit" => "Gửi báo cáo",
        "return" => "Trả lại",
        "accept" => "Tiếp nhận",
        "correction" => "Mở điều chỉnh",
        "adopt" => "Dùng số liệu tổng hợp",
        "import" => "Nhập từ tệp",
        _ => "Thay đổi khác",
    }
}

/// A status word as stored in the audit log (`returned: lý do`, `accepted v2`),
/// read back in Vietnamese.
fn status_words(raw: &str) -> String {
    let (head, rest) = match raw.split_once([':', ' ']) {
        Some((h, r)) => (h, Some(r.trim())),
        None => (raw, None),
    };
    match Status::parse(head) {
        Some(st) => match rest {
            Some(r) if !r.is_empty() => {
                format!("{} — {}", st.label_vi(), r.trim_start_matches('v').trim())
            }
            _ => st.label_vi().to_string(),
        },
        None => raw.to_string(),
    }
}

/// One row of the change log in words: the action, the field (an indicator's name,
/// a section's number), the old and new values.
fn audit_row(t: &Template, e: &qcdc_app::AuditEntry) -> (String, String, String, String) {
    let field = match (e.action.as_str(), e.field.as_deref()) {
        ("value", Some(code)) => t
            .indicator(code)
            .map_or_else(|| code.to_string(), |i| i.name.clone()),
        ("section", Some(n)) => format!("Mục {n}"),
        (_, Some("status")) | (_, None) => String::new(),
        (_, Some(f)) => f.to_string(),
    };
    let words = |v: &Option<String>| {
        let v = v.clone().unwrap_or_default();
        if e.action == "value" || e.action == "section" {
            v
        } else {
            status_words(&v)
        }
    };
    (
        action_label(&e.action).to_string(),
        field,
        words(&e.old_value),
        words(&e.new_value),
    )
}

fn history_block(
    t: &Template,
    round: i64,
    unit: &str,
    versions: &[VersionInfo],
    h: &History,
) -> Markup {
    html! {
        h2 { "Lịch sử" }
        @if !versions.is_empty() {
            table { thead { tr { th { "Phiên bản" } th { "Tiếp nhận lúc" } th { "Người tiếp nhận" } th { "Lý do điều chỉnh" } } }
                tbody { @for ver in versions { tr { td { (ver.version) } td { (when(&ver.accepted_at)) } td { (ver.accepted_by) } td { (ver.reason.clone().unwrap_or_default()) } } } } }
        }
        details open[h.audit.page > 1] { summary { "Nhật ký thay đổi (" (h.audit.total) ")" }
            table { thead { tr { th { "Lúc" } th { "Người" } th { "Thao tác" } th { "Mục" } th { "Cũ" } th { "Mới" } } }
                tbody { @for e in &h.audit.items { @let (a, f, o, n) = audit_row(t, e); tr { td { (when(&e.at)) } td { (e.actor) } td { (a) } td { (f) } td { (o) } td { (n) } } } } }
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
    st: &FormState<'_>,
    status: StatusCode,
    audit_page: i64,
) -> Response {
    render_with(
        s,
        u,
        round_id,
        unit,
        flash,
        st,
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
    st: &FormState<'_>,
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
    let next = if v.can.edit {
        None
    } else {
        rounds::next_to_review(&u.cx, round_id, unit)
            .await
            .ok()
            .flatten()
    };
    let body = html! {
        p.muted { a href=(format!("/dot/{}", v.round_id)) { (v.round_title) } " · " (v.period_label)
            @if let Some(n) = &next { " · " a href=(format!("/dot/{}/bao-cao/{}", v.round_id, n)) { "Báo cáo tiếp theo cần xem xét →" } } }
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
        @if v.can.edit { (form(u, &t, &v, st)) } @else { (read_only(u, &t, &v)) }
        (history_block(&t, v.round_id, &v.unit_code, &h.versions, &h))
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
        &FormState::default(),
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
        &FormState::default(),
        status,
        1,
    )
    .await
}

/// Reads the form: figures typed the Vietnamese way (each checked against its
/// indicator: a count takes no decimals), narrative by section. Cells that cannot be
/// read are listed with their message and left out of the change.
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
            let Some(ind) = t.indicator(code) else {
                continue;
            };
            if v.trim().is_empty() {
                change.values.insert(code.to_string(), None);
            } else {
                match number::parse_figure(v, ind.whole_numbers()) {
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
        } else if let Some(code) = k.strip_prefix("lydo.") {
            if t.indicator(code).is_some() && !v.trim().is_empty() {
                change
                    .reasons
                    .insert(code.to_string(), v.trim().to_string());
            }
        } else if let Some(sec) = k.strip_prefix("s.")
            && t.section(sec).is_some()
        {
            change.sections.insert(sec.to_string(), Some(v.clone()));
        }
    }
    (change, typed, errors)
}

/// The autosave answer: the save time, and (out of band) the error summary and the
/// feedback next to every field, so errors stay where the eye is while typing.
fn autosave_answer(t: &Template, v: &SubmissionView, st: &FormState) -> Markup {
    let errors = form_errors(t, v, st);
    html! {
        "Đã lưu lúc " (when(&v.updated_at))
        @if !errors.is_empty() { span.warn-text { " · còn " (errors.len()) " lỗi, xem danh sách ở đầu trang" } }
        (error_summary(&errors, true))
        @for i in t.indicators_for(v.unit_kind) { (indicator_feedback(v, st, &i.code, true)) }
        @for sec in t.sections() { (section_feedback(v, st, &sec.number, true)) }
    }
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
        Ok::<_, CoreError>((t, v, typed, errors))
    }
    .await;
    match (result, htmx) {
        (Ok((t, v, _, errors)), true) => {
            let st = FormState {
                cell_errors: errors,
                ..Default::default()
            };
            autosave_answer(&t, &v, &st).into_response()
        }
        (Ok((_, _, typed, errors)), false) if !errors.is_empty() => {
            let st = FormState {
                typed: Some(&typed),
                cell_errors: errors,
                ..Default::default()
            };
            render(
                &s,
                &u,
                id,
                &unit,
                Some(Flash::Err(
                    "Có số liệu chưa đọc được (xem danh sách lỗi); các ô khác đã được lưu.".into(),
                )),
                &st,
                StatusCode::BAD_REQUEST,
                1,
            )
            .await
        }
        (Ok(_), false) => {
            let tb = match f
                .iter()
                .find(|(k, _)| k == "nguon")
                .map(|(_, v)| v.as_str())
            {
                Some("tep") => "nhap-tep",
                Some("excel") => "excel",
                _ => "luu",
            };
            Redirect::to(&format!("/dot/{id}/bao-cao/{unit}?tb={tb}")).into_response()
        }
        (Err(e), true) => error_fragment(&e),
        (Err(e), false) => {
            let typed: BTreeMap<String, String> = f.into_iter().collect();
            let status = crate::layout::status_of(e.code);
            let st = FormState {
                typed: Some(&typed),
                ..Default::default()
            };
            render(
                &s,
                &u,
                id,
                &unit,
                Some(Flash::Err(e.message)),
                &st,
                status,
                1,
            )
            .await
        }
    }
}

/// "Gửi báo cáo": the whole form arrives; its values are saved and the report sent
/// in one transaction. When it cannot be sent, what was typed is still saved as the
/// draft and the page lists every error as a link to its field.
pub async fn submit(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let t = match submissions::template_of(&u.cx, id).await {
        Ok(t) => t,
        Err(e) => return error_page(&u, e),
    };
    let (change, typed, cell_errors) = read_form(&t, &f);
    let confirmed = f.iter().any(|(k, v)| k == "xac_nhan" && v == "1");
    if !cell_errors.is_empty() || !confirmed {
        // keep what could be read, then show the form as typed
        let saved = submissions::save_draft(&u.cx, id, &unit, &change).await;
        if let Err(e) = saved {
            let st = FormState {
                typed: Some(&typed),
                ..Default::default()
            };
            let status = crate::layout::status_of(e.code);
            return render(
                &s,
                &u,
                id,
                &unit,
                Some(Flash::Err(e.message)),
                &st,
                status,
                1,
            )
            .await;
        }
        let msg = if cell_errors.is_empty() {
            "Chưa gửi: hãy đánh dấu ô xác nhận trước khi gửi. Nội dung đã được lưu vào bản nháp."
        } else {
            "Chưa gửi: có số liệu chưa đọc được (xem danh sách lỗi ở đầu trang)."
        };
        let st = FormState {
            typed: Some(&typed),
            cell_errors,
            ..Default::default()
        };
        return render(
            &s,
            &u,
            id,
            &unit,
            Some(Flash::Err(msg.into())),
            &st,
            StatusCode::BAD_REQUEST,
            1,
        )
        .await;
    }
    match submissions::submit_with(&u.cx, id, &unit, &change, chrono::Utc::now()).await {
        Ok(_) => Redirect::to(&format!("/dot/{id}/bao-cao/{unit}?tb=gui")).into_response(),
        Err(e) if e.code == qcdc_app::ErrorCode::Forbidden => error_page(&u, e),
        Err(e) if e.code == qcdc_app::ErrorCode::ValidationFailed => {
            let findings: Vec<Finding> = e
                .details
                .as_ref()
                .and_then(|d| d.get("findings"))
                .and_then(|f| serde_json::from_value::<Vec<Finding>>(f.clone()).ok())
                .unwrap_or_default();
            let saved = submissions::save_draft(&u.cx, id, &unit, &change).await;
            let st = FormState {
                typed: None,
                submit_findings: findings,
                ..Default::default()
            };
            let msg = match saved {
                Ok(_) => format!(
                    "Chưa gửi: {}. Nội dung đã được lưu vào bản nháp.",
                    e.message
                ),
                Err(e2) => format!("Chưa gửi: {}. {}", e.message, e2.message),
            };
            render(
                &s,
                &u,
                id,
                &unit,
                Some(Flash::Err(msg)),
                &st,
                StatusCode::UNPROCESSABLE_ENTITY,
                1,
            )
            .await
        }
        Err(e) => {
            let st = FormState {
                typed: Some(&typed),
                ..Default::default()
            };
            let status = crate::layout::status_of(e.code);
            render(
                &s,
                &u,
                id,
                &unit,
                Some(Flash::Err(e.message)),
                &st,
                status,
                1,
            )
            .await
        }
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
    let up = match crate::session::read_upload(&s, &u, &mut mp, crate::UPLOAD_LIMIT >> 20).await {
        Ok(up) => up,
        Err(e) => return report_error(&s, &u, id, &unit, e).await,
    };
    if !up.csrf_ok {
        return csrf_refused(&u);
    }
    let bytes = up.bytes;
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
    // nothing is written yet: the page shows old → new and the writer confirms
    let p = match submissions::import_preview(&u.cx, id, &unit, &bytes).await {
        Ok(p) => p,
        Err(e) if e.code == qcdc_app::ErrorCode::Forbidden => return error_page(&u, e),
        Err(e) => return report_error(&s, &u, id, &unit, e).await,
    };
    import_preview_page(&u, id, &unit, &p, "tep")
}

/// The old → new page in front of an import into the draft (a report file or an
/// Excel form): nothing is written until "Xác nhận" posts the values as a draft save.
fn import_preview_page(
    u: &User,
    id: i64,
    unit: &str,
    p: &submissions::ImportPreview,
    source: &str,
) -> Response {
    let base = format!("/dot/{id}/bao-cao/{}", crate::layout::enc(unit));
    let what = if source == "excel" {
        "biểu mẫu Excel"
    } else {
        "tệp"
    };
    let body = html! {
        p.muted { a href=(base.clone()) { "← Trở lại báo cáo" } }
        h1 { "Xem trước khi nhập " (what) " vào bản nháp" }
        p { "Đã đọc " (what) "; bản nháp chưa thay đổi. Các mục và chỉ tiêu dưới đây sẽ được thay bằng nội dung của " (what) " khi bạn xác nhận." }
        @if p.lines.is_empty() { p.muted { "Nội dung " (what) " trùng với bản nháp: không có gì thay đổi." } }
        (preview_table(&p.lines))
        @let other: Vec<_> = p.review.iter().filter(|r| !matches!(r.kind, "section" | "indicator")).collect();
        @if !other.is_empty() {
            h2 { "Cần xem lại (không nhập tự động)" }
            ul { @for r in other { li { "Dòng " (r.line) ": " (r.detail) } } }
        }
        form method="post" action=(format!("{base}/luu")) {
            (csrf(u))
            input type="hidden" name="nguon" value=(source);
            @for (code, v) in &p.change.values { input type="hidden" name=(format!("v.{code}")) value=(v.map(number::format_exact).unwrap_or_default()); }
            @for (n, t) in &p.change.sections { input type="hidden" name=(format!("s.{n}")) value=(t.clone().unwrap_or_default()); }
            @let to_explain: Vec<_> = p.lines.iter().filter(|l| l.counted.is_some()).collect();
            @if !to_explain.is_empty() {
                h2 { "Số liệu khác số đếm từ sổ theo dõi" }
                p { "Các chỉ tiêu dưới đây lấy số liệu từ sổ theo dõi của đơn vị; số trong " (what) " khác số đếm được, nên cần ghi lý do cho từng chỉ tiêu." }
                @for l in &to_explain {
                    @let code = l.field.trim_start_matches("v.");
                    label {
                        (l.label) ": sổ đếm được " strong { (l.counted.clone().unwrap_or_default()) } ", " (what) " ghi " strong { (l.new.clone().unwrap_or_else(|| "(trống)".into())) } ". Lý do "
                        input name=(format!("lydo.{code}")) required maxlength="1000" value=(p.change.reasons.get(code).cloned().unwrap_or_default());
                    }
                }
            }
            p { button type="submit" disabled[p.lines.is_empty()] { "Xác nhận nhập vào bản nháp" } " " a.button.secondary href=(base.clone()) { "Hủy" } }
        }
    };
    page(&format!("Xem trước khi nhập {what}"), Some(u), None, body).into_response()
}

/// "Nộp từ Excel": the filled form is read (all or nothing; a refusal shows every
/// unreadable cell — sheet, cell, value, why — above the form), then old → new is
/// shown and nothing is written until confirmed.
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
    match documents::import_form_preview(&u.cx, id, &unit, bytes).await {
        Ok(p) => import_preview_page(&u, id, &unit, &p, "excel"),
        Err(e) if e.code == qcdc_app::ErrorCode::Forbidden => error_page(&u, e),
        Err(e) => {
            let status = crate::layout::status_of(e.code);
            let extra = crate::documents::import_problems(&e);
            render_with(
                &s,
                &u,
                id,
                &unit,
                Some(Flash::Err(e.message.clone())),
                &FormState::default(),
                status,
                1,
                extra,
            )
            .await
        }
    }
}
