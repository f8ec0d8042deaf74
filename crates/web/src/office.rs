//! The office's pages: the rounds it sees, creating a round, the round page with
//! every recipient's status (filtered, one page at a time), close and reopen,
//! return/accept, consolidation with drill-down and the same-period comparison,
//! the per-unit values and narrative of the units below, and adoption upward.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, Query, State};

use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use qcdc_app::reminders::{self, Target};
use qcdc_app::rounds::{self, NewRound, RecipientSelector};
use qcdc_app::views::TemplateInfo;
use qcdc_app::{
    CoreError, ErrorCode, PageReq, RecipientFilter, Role, Unit, consolidation, submissions,
    templates, units,
};
use qcdc_core::period::{Period, format_date, parse_date};
use qcdc_core::round::{RoundState, StatusCounts};
use qcdc_core::unit::UnitKind;
use qcdc_core::workflow::Status;
use serde::Deserialize;

use crate::WebState;
use crate::layout::{
    Flash, csrf, enc, error_page, num, page, pager, paragraphs, pct, status_badge, when,
};
use crate::session::{User, check_csrf};
use crate::unit::{Notice, notice};
use qcdc_app::documents::{self, Which};

fn counts_line(c: &StatusCounts) -> Markup {
    html! {
        div.counts {
            span { strong { (c.recipients) } " đơn vị" }
            span { span.badge.b-accepted { (c.accepted) } " đã tiếp nhận" }
            span { span.badge.b-submitted { (c.submitted) } " đã gửi" }
            span { span.badge.b-returned { (c.returned) } " bị trả lại" }
            span { span.badge.b-draft { (c.draft) } " đang soạn" }
            span { span.badge.b-not_started { (c.not_started) } " chưa bắt đầu" }
            span { "đúng hạn " strong { (c.on_time) } }
            span.late { "trễ " (c.late) }
            @if c.overdue > 0 { span.late { "quá hạn chưa nộp " (c.overdue) } }
            span { "đầy đủ " strong { (pct(c.completeness_pct)) } " · đúng hạn " strong { (pct(c.timeliness_pct)) } }
        }
    }
}

pub async fn dashboard(State(s): State<WebState>, u: User, Query(n): Query<Notice>) -> Response {
    let req = PageReq::new(n.trang.unwrap_or(1), 20);
    let list = match rounds::list(&u.cx, false, req, s.app.today()).await {
        Ok(l) => l,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        h1 { "Đợt báo cáo" }
        @if list.items.is_empty() { p.muted { "Chưa có đợt báo cáo nào trong phạm vi của bạn." } }
        @for r in &list.items {
            div.card {
                h2 style="margin-top:0" { a href=(format!("/dot/{}", r.round.id)) { (r.round.title) } " " @if r.round.is_open() { span.badge.b-submitted { "đang mở" } } @else { span.badge { "đã kết thúc" } } }
                p.muted { (r.round.period_label) " · đơn vị ra yêu cầu: " (r.round.issuer_name) " · hạn nộp " (r.round.deadline_display) }
                (counts_line(&r.counts))
            }
        }
        (pager(&list, "/dot?"))
    };
    page("Đợt báo cáo", Some(&u), notice(&n), body).into_response()
}

#[derive(Deserialize, Default)]
pub struct RoundQuery {
    tb: Option<String>,
    trang: Option<i64>,
    tt: Option<String>,
    loai: Option<String>,
    q: Option<String>,
    don_vi: Option<String>,
    /// After a reminder: units reminded, e-mails sent, e-mails failed, SMTP on.
    nhac_dv: Option<usize>,
    nhac_thu: Option<usize>,
    nhac_loi: Option<usize>,
    nhac_smtp: Option<u8>,
}

/// The flash after reminders were sent (counts carried in the redirect).
fn reminder_flash(q: &RoundQuery) -> Option<Flash> {
    let units = q.nhac_dv?;
    let mut m = format!("Đã nhắc {units} đơn vị chưa nộp (thông báo trong ứng dụng");
    if q.nhac_smtp == Some(1) {
        m.push_str(&format!("; {} thư điện tử đã gửi", q.nhac_thu.unwrap_or(0)));
        if let Some(n) = q.nhac_loi.filter(|n| *n > 0) {
            m.push_str(&format!(", {n} thư không gửi được — xem lịch sử đợt"));
        }
    } else {
        m.push_str("; chưa cấu hình máy chủ thư nên không gửi thư điện tử");
    }
    m.push_str(").");
    Some(Flash::Ok(m))
}

pub async fn round_page(
    State(s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
    Query(q): Query<RoundQuery>,
) -> Response {
    let status = q.tt.as_deref().and_then(Status::parse);
    let kind = q.loai.as_deref().and_then(UnitKind::parse);
    let filter = RecipientFilter {
        status,
        kind,
        q: q.q.clone().filter(|x| !x.trim().is_empty()),
        missing_only: q.tt.as_deref() == Some("chua_nop"),
    };
    let req = PageReq::new(q.trang.unwrap_or(1), 100);
    let st = match rounds::status(&u.cx, id, q.don_vi.as_deref(), &filter, req, s.app.today()).await
    {
        Ok(st) => st,
        // a recipient does not see the whole round: it sees the request addressed to it
        Err(e) if e.code == ErrorCode::Forbidden && q.don_vi.is_none() => {
            return request_page(&s, &u, id).await;
        }
        Err(e) => return error_page(&u, e),
    };
    let history = if st.can_manage {
        rounds::history(&u.cx, id, PageReq::new(1, 50)).await.ok()
    } else {
        None
    };
    let schedule = if st.can_manage {
        reminders::schedule(&u.cx, id).await.ok()
    } else {
        None
    };
    let can_remind = st.can_manage && st.round.is_open();
    let letter_issued = match documents::issued(&u.cx, id, Which::Letter, None).await {
        Ok(i) => i,
        Err(e) => return error_page(&u, e),
    };
    let base = format!(
        "/dot/{id}?tt={}&loai={}&q={}&don_vi={}&",
        enc(q.tt.as_deref().unwrap_or("")),
        enc(q.loai.as_deref().unwrap_or("")),
        enc(q.q.as_deref().unwrap_or("")),
        enc(q.don_vi.as_deref().unwrap_or(""))
    );
    let statuses = [
        Status::NotStarted,
        Status::Draft,
        Status::Submitted,
        Status::Returned,
        Status::Accepted,
    ];
    let body = html! {
        h1 { (st.round.title) }
        p.muted { (st.round.period_label) " (số liệu từ " (st.round.cutoff_from) " đến " (st.round.cutoff_to) ") · hạn nộp " (st.round.deadline_display) " · mẫu " (st.round.template_code) " phiên bản " (st.round.template_version) " · " (st.round.status_label) }
        @if !st.round.letter.is_empty() { div.card { (paragraphs(&st.round.letter)) } }
        (crate::documents::letter_block(&u, id, st.can_manage, letter_issued.as_ref()))
        p { "Phạm vi: " strong { (st.unit_name) } }
        (counts_line(&st.counts))
        p {
            a.button href=(format!("/dot/{}/tong-hop/{}", id, st.unit_code)) { "Xem tổng hợp" }
            " " a.button.secondary href=(format!("/dot/{id}?tt=submitted")) { "Báo cáo chờ xem xét (" (st.counts.submitted) ")" }
        }
        @if st.can_manage {
            details.card { summary { strong { "Quản lý đợt: gia hạn, kết thúc, mở lại" } }
                div.grid2 {
                    @if st.round.is_open() {
                        form method="post" action=(format!("/dot/{id}/gia-han")) {
                            (csrf(&u))
                            label for="han_moi" { "Hạn nộp mới (dd/mm/yyyy) cho mọi đơn vị" }
                            input #han_moi type="text" name="han_moi" placeholder=(st.round.deadline_display) required;
                            label for="ly_do_gh" { "Lý do gia hạn" }
                            input #ly_do_gh type="text" name="ly_do" required;
                            p { button.secondary type="submit" { "Gia hạn" } }
                        }
                        form method="post" action=(format!("/dot/{id}/gia-han-don-vi")) {
                            (csrf(&u))
                            label for="gh_don_vi" { "Gia hạn riêng cho một đơn vị chưa nộp (mã hoặc chọn trong danh sách)" }
                            input #gh_don_vi type="text" name="don_vi" list="ds_chua_nop" required autocomplete="off";
                            datalist #ds_chua_nop { @for rc in st.recipients.items.iter().filter(|rc| !rc.status.is_in()) { option value=(rc.unit_code) { (rc.unit_name) } } }
                            label for="gh_han" { "Hạn nộp riêng (dd/mm/yyyy), sau hạn chung " (st.round.deadline_display) }
                            input #gh_han type="text" name="han_moi" required;
                            label for="gh_ly_do" { "Lý do gia hạn" }
                            input #gh_ly_do type="text" name="ly_do" required;
                            p { button.secondary type="submit" { "Gia hạn cho đơn vị" } }
                        }
                        form method="post" action=(format!("/dot/{id}/ket-thuc")) data-confirm="Kết thúc đợt báo cáo? Đơn vị sẽ không sửa, gửi được nữa; cơ quan không trả lại, tiếp nhận được nữa." {
                            (csrf(&u))
                            label for="ly_do_kt" { "Lý do kết thúc (ghi vào lịch sử)" }
                            input #ly_do_kt type="text" name="ly_do";
                            p { button.danger type="submit" { "Kết thúc đợt" } }
                        }
                    } @else {
                        form method="post" action=(format!("/dot/{id}/mo-lai")) {
                            (csrf(&u))
                            label for="ly_do_ml" { "Lý do mở lại (ghi vào lịch sử)" }
                            input #ly_do_ml type="text" name="ly_do";
                            p { button.secondary type="submit" { "Mở lại đợt" } }
                        }
                    }
                }
            }
        }
        @if let Some(sc) = &schedule {
            div.card {
                h2 style="margin-top:0" { "Nhắc nộp báo cáo" }
                p.muted { (sc.mail.explanation) }
                @if can_remind {
                    form method="post" action=(format!("/dot/{id}/nhac")) data-confirm="Gửi lời nhắc tới các đơn vị chưa nộp báo cáo?" {
                        (csrf(&u))
                        label { input type="checkbox" name="chi_qua_han" value="1"; " Chỉ các đơn vị đã quá hạn (" (st.counts.overdue) ")" }
                        p { button type="submit" disabled[st.counts.missing() == 0] { "Nhắc các đơn vị chưa nộp (" (st.counts.missing()) ")" } }
                    }
                }
                details { summary { "Lịch nhắc tự động: " (sc.description) @if !sc.stored { " (mặc định)" } }
                    form method="post" action=(format!("/dot/{id}/lich-nhac")) {
                        (csrf(&u))
                        label { input type="checkbox" name="bat" value="1" checked[sc.schedule.enabled]; " Tự động nhắc các đơn vị chưa nộp" }
                        div.grid2 {
                            div {
                                label for="ln_truoc" { "Nhắc trước hạn (số ngày; 0 = không nhắc)" }
                                input #ln_truoc type="number" min="0" max="60" name="so_ngay_truoc" value=(sc.schedule.days_before);
                                label { input type="checkbox" name="dung_han" value="1" checked[sc.schedule.on_the_day]; " Nhắc đúng ngày hạn nộp" }
                            }
                            div {
                                label for="ln_moi" { "Khi quá hạn, nhắc mỗi (số ngày; 0 = không nhắc)" }
                                input #ln_moi type="number" min="0" max="60" name="qua_han_moi" value=(sc.schedule.overdue_every);
                                label for="ln_toida" { "Số lần nhắc khi quá hạn, tối đa" }
                                input #ln_toida type="number" min="0" max="20" name="qua_han_toi_da" value=(sc.schedule.overdue_max);
                            }
                        }
                        p { button.secondary type="submit" { "Lưu lịch nhắc" } }
                    }
                }
            }
        }
        @if !st.children.is_empty() {
            details { summary { "Theo đơn vị trực thuộc (" (st.children.len()) ")" }
                table { thead { tr { th { "Đơn vị" } th.right { "Đơn vị nhận" } th.right { "Đã tiếp nhận" } th.right { "Đã gửi" } th.right { "Chưa nộp" } th.right { "Đầy đủ" } } }
                    tbody { @for ch in &st.children { tr {
                        td { a href=(format!("/dot/{id}?don_vi={}", enc(&ch.unit_code))) { (ch.unit_name) } }
                        td.num { (ch.counts.recipients) } td.num { (ch.counts.accepted) } td.num { (ch.counts.submitted) } td.num { (ch.counts.missing()) } td.num { (pct(ch.counts.completeness_pct)) }
                    } } } }
            }
        }
        form method="get" action=(format!("/dot/{id}")) {
            input type="hidden" name="don_vi" value=(q.don_vi.clone().unwrap_or_default());
            div.grid2 {
                div {
                    label for="q" { "Tìm đơn vị (có hoặc không dấu)" }
                    input #q type="text" name="q" value=(q.q.clone().unwrap_or_default());
                }
                div {
                    label for="tt" { "Trạng thái" }
                    select #tt name="tt" {
                        option value="" { "Tất cả" }
                        option value="chua_nop" selected[q.tt.as_deref() == Some("chua_nop")] { "Chưa nộp (chưa bắt đầu, đang soạn, bị trả lại)" }
                        @for x in statuses { option value=(x.as_str()) selected[status == Some(x)] { (x.label_vi()) } }
                    }
                    label for="loai" { "Loại đơn vị" }
                    select #loai name="loai" {
                        option value="" { "Tất cả" }
                        @for k in UnitKind::ALL { option value=(k.as_str()) selected[kind == Some(k)] { (k.label_vi()) } }
                    }
                    p { button type="submit" { "Lọc" } }
                }
            }
        }
        table {
            thead { tr { th { "Đơn vị" } th { "Trạng thái" } th { "Nộp" } th { "Thay đổi lần cuối" } th { "Ghi chú" } } }
            tbody {
                @for rc in &st.recipients.items {
                    tr {
                        td { a href=(format!("/dot/{}/bao-cao/{}", id, rc.unit_code)) { (rc.unit_name) } }
                        td { (status_badge(rc.status)) }
                        td { @match rc.on_time { Some(true) => "đúng hạn", Some(false) => span.late { "trễ hạn" }, None => @if rc.overdue { span.late { "quá hạn" } } }
                            @if let Some(d) = &rc.own_deadline { br; span.muted { "hạn riêng " (d) } } }
                        td { (when(&rc.updated_at)) }
                        td {
                            (rc.return_reason.clone().unwrap_or_default())
                            @if can_remind && !rc.status.is_in() {
                                form method="post" action=(format!("/dot/{id}/nhac")) style="display:inline" {
                                    (csrf(&u))
                                    input type="hidden" name="don_vi" value=(rc.unit_code);
                                    button.secondary type="submit" style="padding:.1rem .5rem" title=(format!("Nhắc {} nộp báo cáo", rc.unit_name)) { "Nhắc" }
                                }
                            }
                        }
                    }
                }
            }
        }
        (pager(&st.recipients, &base))
        @if let Some(h) = &history {
            @if !h.items.is_empty() {
                details { summary { "Lịch sử đợt báo cáo (" (h.total) ")" }
                    table { thead { tr { th { "Lúc" } th { "Người" } th { "Việc" } th { "Nội dung" } } }
                        tbody { @for e in &h.items { tr { td { (when(&e.at)) } td { (e.actor) } td { (round_action(&e.action)) } td { (round_change(e)) } } } } }
                }
            }
        }
    };
    let flash = reminder_flash(&q).or_else(|| {
        notice(&Notice {
            tb: q.tb.clone(),
            trang: None,
        })
    });
    page(&st.round.title, Some(&u), flash, body).into_response()
}

/// Reminds the units that have not sent (all, only the overdue ones, or the one
/// in `don_vi`), then back to the round page with the counts.
pub async fn remind(
    State(s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let target = match get("don_vi") {
        code if !code.is_empty() => Target::Unit(code),
        _ => Target::NotSent {
            overdue_only: get("chi_qua_han") == "1",
        },
    };
    match reminders::send(&u.cx, id, &target, chrono::Utc::now()).await {
        Ok(r) => Redirect::to(&format!(
            "/dot/{id}?nhac_dv={}&nhac_thu={}&nhac_loi={}&nhac_smtp={}",
            r.units,
            r.mails_sent,
            r.mails_failed,
            u8::from(r.mail_configured)
        ))
        .into_response(),
        Err(e) => error_page(&u, e),
    }
}

/// Saves the reminder schedule of a round.
pub async fn save_schedule(
    State(s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let days = |k: &str, what: &str| -> Result<u32, CoreError> {
        let v = get(k);
        if v.is_empty() {
            return Ok(0);
        }
        v.parse::<u32>().map_err(|_| {
            CoreError::invalid(format!(
                "{what} phải là số ngày (số nguyên không âm), không phải «{v}»"
            ))
        })
    };
    let r = async {
        let schedule = qcdc_core::reminder::Schedule {
            enabled: get("bat") == "1",
            days_before: days("so_ngay_truoc", "Số ngày nhắc trước hạn")?,
            on_the_day: get("dung_han") == "1",
            overdue_every: days("qua_han_moi", "Khoảng cách nhắc khi quá hạn")?,
            overdue_max: days("qua_han_toi_da", "Số lần nhắc khi quá hạn")?,
        };
        reminders::set_schedule(&u.cx, id, schedule).await
    }
    .await;
    match r {
        Ok(_) => Redirect::to(&format!("/dot/{id}?tb=lich-nhac")).into_response(),
        Err(e) => error_page(&u, e),
    }
}

/// A round's history entry in words.
fn round_action(action: &str) -> &'static str {
    match action {
        "round_create" => "Tạo đợt",
        "round_status" => "Kết thúc / mở lại",
        "round_deadline" => "Gia hạn",
        "unit_deadline" => "Gia hạn cho đơn vị",
        "reminder" => "Nhắc nộp báo cáo",
        "reminder_schedule" => "Lịch nhắc",
        _ => "Thay đổi khác",
    }
}

fn round_change(e: &qcdc_app::AuditEntry) -> String {
    let new = e.new_value.clone().unwrap_or_default();
    match e.action.as_str() {
        "round_create" => String::new(),
        "reminder_schedule" => format!("{} → {new}", e.old_value.clone().unwrap_or_default()),
        "round_status" => {
            let (state, reason) = new
                .split_once(':')
                .map_or((new.as_str(), ""), |(a, b)| (a, b.trim()));
            let word = if state == "open" {
                "Mở lại"
            } else {
                "Kết thúc"
            };
            if reason.is_empty() {
                word.to_string()
            } else {
                format!("{word} — {reason}")
            }
        }
        "round_deadline" | "unit_deadline" => format!(
            "{} → {}",
            e.old_value.clone().unwrap_or_default(),
            new.replacen(':', " —", 1)
        ),
        _ => new,
    }
}

/// The request as a recipient sees it: the letter, the deadline, the outline with
/// its guidance, the form's groups, and its own reports with their status.
async fn request_page(s: &WebState, u: &User, id: i64) -> Response {
    let v = match rounds::request(&u.cx, id, s.app.today()).await {
        Ok(v) => v,
        Err(e) => return error_page(u, e),
    };
    let body = html! {
        h1 { (v.round.title) }
        p { "Đơn vị ra yêu cầu: " strong { (v.round.issuer_name) } " · " (v.round.period_label) " (số liệu từ " (v.round.cutoff_from) " đến " (v.round.cutoff_to) ")" }
        p { "Hạn nộp: " strong { (v.round.deadline_display) } @if !v.round.is_open() { " · " span.badge { "đã kết thúc" } } }
        @for m in &v.mine {
            p { a.button href=(format!("/dot/{}/bao-cao/{}", id, m.unit_code)) { "Báo cáo của " (m.unit_name) } " " (status_badge(m.status)) }
        }
        @if !v.round.letter.is_empty() { h2 { "Công văn" } div.card { (paragraphs(&v.round.letter)) } }
        h2 { "Đề cương báo cáo" }
        @for sec in &v.sections {
            div.card { strong { (sec.number) ". " (sec.title) } @if sec.required { " *" } @if !sec.guidance.is_empty() { p.guidance { (sec.guidance) } } }
        }
        h2 { "Phụ lục số liệu" }
        ul { @for g in &v.groups { li { (g) } } }
    };
    page(&v.round.title, Some(u), None, body).into_response()
}

async fn set_state(
    s: &WebState,
    u: &User,
    id: i64,
    f: &[(String, String)],
    state: RoundState,
) -> Response {
    if let Err(r) = check_csrf(s, u, f) {
        return r;
    }
    let reason = f
        .iter()
        .find(|(k, _)| k == "ly_do")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    match rounds::set_state_with(&u.cx, id, state, reason).await {
        Ok(_) => Redirect::to(&format!(
            "/dot/{id}?tb={}",
            if state == RoundState::Open {
                "mo-lai"
            } else {
                "ket-thuc"
            }
        ))
        .into_response(),
        Err(e) => error_page(u, e),
    }
}

pub async fn close_round(
    State(s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    set_state(&s, &u, id, &f, RoundState::Closed).await
}

pub async fn extend_deadline(
    State(s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
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
    let r = async {
        let day = parse_date(&get("han_moi"))?;
        rounds::extend_deadline(&u.cx, id, day, &get("ly_do"), s.app.today()).await
    }
    .await;
    match r {
        Ok(_) => Redirect::to(&format!("/dot/{id}?tb=gia-han")).into_response(),
        Err(e) => error_page(&u, e),
    }
}

/// "Gia hạn cho đơn vị": one recipient's own deadline.
pub async fn extend_unit_deadline(
    State(s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let r = async {
        let day = parse_date(&get("han_moi"))?;
        rounds::extend_unit_deadline(&u.cx, id, &get("don_vi"), day, &get("ly_do"), s.app.today())
            .await
    }
    .await;
    match r {
        Ok(_) => Redirect::to(&format!("/dot/{id}?tb=gia-han-don-vi")).into_response(),
        Err(e) => error_page(&u, e),
    }
}

pub async fn reopen_round(
    State(s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    set_state(&s, &u, id, &f, RoundState::Open).await
}

/// The periods offered when creating a round: last year, this year and next, each
/// written the Vietnamese way ("6 tháng đầu năm 2026").
fn period_choices(today: chrono::NaiveDate) -> Vec<Period> {
    use chrono::Datelike;
    use qcdc_core::period::PeriodKind;
    let mut out = Vec::new();
    for year in [today.year() - 1, today.year(), today.year() + 1] {
        for kind in [
            PeriodKind::Quarter(1),
            PeriodKind::FirstHalf,
            PeriodKind::Quarter(2),
            PeriodKind::Quarter(3),
            PeriodKind::NineMonths,
            PeriodKind::Quarter(4),
            PeriodKind::SecondHalf,
            PeriodKind::Year,
        ] {
            out.push(Period::new(year, kind));
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn round_form(
    u: &User,
    today: chrono::NaiveDate,
    templates: &[TemplateInfo],
    issuers: &[Unit],
    candidates: &[Unit],
    f: &BTreeMap<String, String>,
    picked: &[String],
    warnings: &[String],
) -> Markup {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let kinds = [
        UnitKind::Commune,
        UnitKind::Ward,
        UnitKind::SpecialZone,
        UnitKind::Agency,
        UnitKind::PublicService,
        UnitKind::Enterprise,
        UnitKind::PartyOrg,
        UnitKind::MassOrg,
        UnitKind::District,
        UnitKind::Province,
    ];
    let count = |k: UnitKind| candidates.iter().filter(|c| c.kind == k).count();
    let chosen_period = get("period");
    html! {
        form method="post" action="/dot/moi" {
            (csrf(u))
            @if !warnings.is_empty() {
                div.error-summary role="alert" {
                    h2 { "Cần xác nhận trước khi tạo đợt" }
                    ul { @for w in warnings { li { (w) } } }
                    label style="font-weight:normal" { input type="checkbox" name="xac_nhan" value="1"; " Tôi đã đọc các cảnh báo trên và vẫn tạo đợt báo cáo này" }
                }
            }
            div.grid2 {
                div {
                    label for="title" { "Tên đợt báo cáo" }
                    input #title type="text" name="title" required value=(get("title"));
                    label for="issuer" { "Đơn vị ra yêu cầu" }
                    select #issuer name="issuer" { @for i in issuers { option value=(i.code) selected[get("issuer") == i.code] { (i.name) } } }
                    label for="template" { "Mẫu báo cáo" }
                    select #template name="template" required {
                        option value="" { "— Chọn mẫu báo cáo —" }
                        @for t in templates { option value=(t.code) selected[get("template") == t.code] { (t.name) " (phiên bản " (t.version) ")" } }
                    }
                    label for="period" { "Kỳ báo cáo" }
                    select #period name="period" required {
                        option value="" { "— Chọn kỳ báo cáo —" }
                        @for p in period_choices(today) { @let code = p.to_string(); option value=(code) selected[chosen_period == code] { (p.label_vi()) } }
                    }
                    label for="deadline" { "Hạn nộp (dd/mm/yyyy)" }
                    input #deadline type="text" name="deadline" placeholder="18/12/2026" required value=(get("deadline"));
                    label for="letter" { "Nội dung công văn (tuỳ chọn)" }
                    textarea #letter name="letter" { (get("letter")) }
                }
                div {
                    label { "Gửi tới" }
                    label style="font-weight:normal;margin:.1rem 0" { input type="checkbox" name="tat_ca" value="1" checked[get("tat_ca") == "1"]; " Tất cả đơn vị trực thuộc (" (candidates.len()) ")" }
                    p.guidance { "hoặc theo loại đơn vị:" }
                    @for k in kinds {
                        @let n = count(k);
                        @if n > 0 { label style="font-weight:normal;margin:.1rem 0" { input type="checkbox" name="kind" value=(k.as_str()) checked[picked.iter().any(|p| p == k.as_str())]; " " (k.label_vi()) " (" (n) ")" } }
                    }
                    label for="max_depth" { "Chỉ đến cấp (1 = trực thuộc trực tiếp; để trống = mọi cấp)" }
                    input #max_depth type="number" min="1" name="max_depth" value=(get("max_depth"));
                    label for="loc-don-vi" { "Hoặc chọn từng đơn vị (gõ để tìm, có hoặc không dấu)" }
                    input #loc-don-vi type="text" data-filter="#ds-don-vi label" placeholder="Tìm đơn vị…";
                    div #ds-don-vi style="max-height:16rem;overflow:auto;border:1px solid #d0d5dd;padding:.3rem;background:#fff" {
                        @for c in candidates {
                            label style="font-weight:normal;margin:0" data-fold=(qcdc_core::text::fold(&c.name)) {
                                input type="checkbox" name="unit" value=(c.code) checked[picked.contains(&c.code)]; " " (c.name) " " span.muted { "(" (c.kind.label_vi()) ")" }
                            }
                        }
                    }
                }
            }
            p { button type="submit" { "Tạo đợt báo cáo" } }
        }
    }
}

async fn form_data(
    s: &WebState,
    u: &User,
) -> Result<(Vec<TemplateInfo>, Vec<Unit>, Vec<Unit>), CoreError> {
    // a new round takes the newest version of each template
    let mut list = templates::list(&u.cx).await?;
    list.sort_by(|a, b| a.code.cmp(&b.code).then(b.version.cmp(&a.version)));
    list.dedup_by(|a, b| a.code == b.code);
    let mut issuers = Vec::new();
    let mut candidates = Vec::new();
    for id in u.cx.actor().units_with(&[Role::Office, Role::Admin]) {
        let all = units::all(
            &u.cx,
            &units::UnitQuery {
                active_on: Some(s.app.today()),
                ..Default::default()
            },
        )
        .await?;
        if let Some(unit) = all.iter().find(|x| x.id == id).cloned() {
            candidates.extend(all.into_iter().filter(|x| x.id != id));
            issuers.push(unit);
        }
    }
    qcdc_core::text::sort_vi(&mut candidates, |c| &c.name);
    candidates.dedup_by(|a, b| a.id == b.id);
    Ok((list, issuers, candidates))
}

pub async fn new_round_page(State(s): State<WebState>, u: User) -> Response {
    match form_data(&s, &u).await {
        Ok((t, i, c)) if !i.is_empty() => page(
            "Tạo đợt báo cáo",
            Some(&u),
            None,
            html! { h1 { "Tạo đợt báo cáo" } (round_form(&u, s.app.today(), &t, &i, &c, &BTreeMap::new(), &[], &[])) },
        )
        .into_response(),
        Ok(_) => error_page(
            &u,
            CoreError::new(
                ErrorCode::Forbidden,
                "Chỉ cơ quan thường trực được tạo đợt báo cáo",
            ),
        ),
        Err(e) => error_page(&u, e),
    }
}

pub async fn create_round(
    State(s): State<WebState>,
    u: User,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let fields: BTreeMap<String, String> = f
        .iter()
        .filter(|(k, _)| k != "kind" && k != "unit")
        .cloned()
        .collect();
    let kinds: Vec<String> = f
        .iter()
        .filter(|(k, _)| k == "kind")
        .map(|(_, v)| v.clone())
        .collect();
    let picked_units: Vec<String> = f
        .iter()
        .filter(|(k, _)| k == "unit")
        .map(|(_, v)| v.clone())
        .collect();
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let r = async {
        if get("template").is_empty() {
            return Err(CoreError::invalid("Hãy chọn mẫu báo cáo"));
        }
        if get("period").is_empty() {
            return Err(CoreError::invalid("Hãy chọn kỳ báo cáo"));
        }
        let period: Period = get("period").trim().parse()?;
        let deadline = parse_date(&get("deadline"))?;
        let max_depth = match get("max_depth").trim() {
            "" => None,
            d => Some(
                d.parse::<i64>()
                    .map_err(|_| CoreError::invalid("Cấp phải là số nguyên"))?,
            ),
        };
        let all = get("tat_ca") == "1";
        if !all && kinds.is_empty() && picked_units.is_empty() {
            return Err(CoreError::new(
                ErrorCode::InvalidRecipients,
                "Hãy chọn đơn vị nhận: tất cả đơn vị trực thuộc, theo loại đơn vị, hoặc từng đơn vị",
            ));
        }
        let new = NewRound {
            confirm: get("xac_nhan") == "1",
            title: get("title"),
            template: get("template"),
            template_version: None,
            period,
            issuer: get("issuer"),
            deadline,
            letter: get("letter"),
            recipients: RecipientSelector {
                kinds: if all { vec![] } else { kinds.iter().filter_map(|k| UnitKind::parse(k)).collect() },
                max_depth,
                units: if all { vec![] } else { picked_units.clone() },
            },
        };
        rounds::create(&u.cx, &new, s.app.today()).await
    }
    .await;
    match r {
        Ok(info) => Redirect::to(&format!("/dot/{}?tb=tao-dot", info.id)).into_response(),
        Err(e) => {
            let (t, i, c) = form_data(&s, &u).await.unwrap_or_default();
            let mut picked = kinds.clone();
            picked.extend(picked_units);
            let warnings: Vec<String> = if e.code == ErrorCode::NeedsConfirmation {
                e.details
                    .as_ref()
                    .and_then(|d| d.get("warnings"))
                    .and_then(|w| serde_json::from_value(w.clone()).ok())
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let status = crate::layout::status_of(e.code);
            let flash = if warnings.is_empty() {
                Some(Flash::Err(e.message))
            } else {
                None
            };
            (status, page("Tạo đợt báo cáo", Some(&u), flash, html! { h1 { "Tạo đợt báo cáo" } (round_form(&u, s.app.today(), &t, &i, &c, &fields, &picked, &warnings)) })).into_response()
        }
    }
}

async fn office_action(
    s: &WebState,
    u: &User,
    id: i64,
    unit: &str,
    f: &[(String, String)],
    accept: bool,
) -> Response {
    if let Err(r) = check_csrf(s, u, f) {
        return r;
    }
    let reason = f
        .iter()
        .find(|(k, _)| k == "ly_do")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let r = if accept {
        submissions::accept(&u.cx, id, unit).await
    } else {
        submissions::return_report(&u.cx, id, unit, &reason).await
    };
    match r {
        Ok(_) => Redirect::to(&format!(
            "/dot/{id}/bao-cao/{unit}?tb={}",
            if accept { "tiep-nhan" } else { "tra-lai" }
        ))
        .into_response(),
        Err(e) => error_page(u, e),
    }
}

pub async fn return_report(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    office_action(&s, &u, id, &unit, &f, false).await
}

pub async fn accept_report(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    office_action(&s, &u, id, &unit, &f, true).await
}

#[derive(Deserialize, Default)]
pub struct ConsolidationQuery {
    tb: Option<String>,
    nhom: Option<String>,
    trang: Option<i64>,
    /// `tat-ca`: compare every accepted report on each side (default: like-for-like).
    so_sanh: Option<String>,
}

/// A change written for its kind: a relative change for sums, a difference in
/// percentage points for ratios (never "%" for those).
fn change_cell(r: &qcdc_core::consolidate::Row) -> Markup {
    let signed = |x: f64, d: u32| {
        let t = num(x, d);
        if x > 0.0 { format!("+{t}") } else { t }
    };
    html! {
        @if let Some(x) = r.change_pct { (signed(x, 1)) "%" }
        @else if r.aggregate == qcdc_core::template::Aggregate::Ratio { @if let Some(x) = r.change { (signed(x, 1)) " điểm phần trăm" } }
        @else if let Some(x) = r.change { (signed(x, 3)) }
    }
}

pub async fn consolidation(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Query(q): Query<ConsolidationQuery>,
) -> Response {
    let like = q.so_sanh.as_deref() != Some("tat-ca");
    let c = match consolidation::get_with(
        &u.cx,
        id,
        Some(&unit),
        q.nhom.as_deref(),
        PageReq::new(q.trang.unwrap_or(1), 100),
        s.app.today(),
        like,
    )
    .await
    {
        Ok(c) => c,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        p.muted { a href=(format!("/dot/{}", c.round.id)) { (c.round.title) } }
        nav.crumbs aria-label="Cấp đơn vị" {
            @for (i, (code, name)) in c.breadcrumb.iter().enumerate() {
                @if i > 0 { " › " }
                @if *code == c.unit_code { strong { (name) } } @else { a href=(format!("/dot/{}/tong-hop/{}", c.round.id, code)) { (name) } }
            }
        }
        h1 { "Tổng hợp tại " (c.unit_name) }
        (counts_line(&c.completeness))
        p {
            a.button href=(format!("/dot/{}/tong-hop/{}/soan", c.round.id, enc(&c.unit_code))) { "Soạn báo cáo tổng hợp" }
            " "
            a.button href=(format!("/dot/{}/tong-hop/{}/excel", c.round.id, enc(&c.unit_code))) { "Tải bảng tổng hợp Excel" }
        }
        @if let Some(p) = &c.previous_round {
            div.card {
                p style="margin-top:0" { "So với cùng kỳ: " a href=(format!("/dot/{}", p.id)) { (p.title) } " (" (p.period_label) ")"
                    @if !c.previous_units.is_empty() && c.previous_units != [c.unit_name.clone()] { " — đơn vị trước sắp xếp: " (c.previous_units.join(", ")) }
                    @if c.comparison_approximate { span.warn-text { " — có đơn vị chia tách, so sánh gần đúng" } } }
                @if let Some(cov) = &c.comparison {
                    @if cov.like_for_like {
                        p { strong { "So sánh trên cùng phạm vi: " } (cov.matched_units) " đơn vị có báo cáo được tiếp nhận ở cả hai kỳ (kỳ này " (cov.current_reports) " báo cáo, cùng kỳ " (cov.previous_reports) " báo cáo). "
                            a href=(format!("/dot/{}/tong-hop/{}?so_sanh=tat-ca", c.round.id, c.unit_code)) { "So sánh toàn bộ báo cáo" } }
                    } @else {
                        p { strong { "So sánh toàn bộ báo cáo: " } "kỳ này " (cov.current_reports) " báo cáo, cùng kỳ " (cov.previous_reports) " báo cáo"
                            @if cov.current_reports != cov.previous_reports { span.warn-text { " — số đơn vị hai kỳ khác nhau nên mức tăng, giảm phản ánh cả phạm vi báo cáo" } } ". "
                            a href=(format!("/dot/{}/tong-hop/{}", c.round.id, c.unit_code)) { "So sánh trên cùng phạm vi" } }
                    }
                }
            }
        }
        @let like_cols = c.comparison.as_ref().is_some_and(|x| x.like_for_like);
        table {
            thead { tr { th { "Chỉ tiêu" } th { "ĐVT" } th.right { "Kỳ này" } th.right { "Số đơn vị" }
                @if like_cols { th.right { "Kỳ này (cùng phạm vi)" } }
                th.right { "Cùng kỳ" } th.right { "Tăng/giảm" } } }
            tbody {
                @for r in &c.rows {
                    @let d = if r.aggregate == qcdc_core::template::Aggregate::Ratio { 1 } else if qcdc_core::template::allows_decimals(&r.unit) { 3 } else { 0 };
                    tr {
                        td style=(format!("padding-left:{}rem", 0.5 + (r.level as f64) * 1.5)) { (r.name) }
                        td.muted { (r.unit) }
                        td.num {
                            @if r.aggregate == qcdc_core::template::Aggregate::None {
                                @if r.units_reporting > 0 { a href=(format!("/dot/{}/tong-hop/{}/chi-tieu/{}", c.round.id, c.unit_code, r.code)) { "xem từng đơn vị" } }
                            } @else { (r.display) }
                        }
                        td.num { @if r.units_reporting > 0 { (r.units_reporting) } }
                        @if like_cols { td.num { @if let Some(x) = r.compared { (num(x, d)) } } }
                        td.num { @if let Some(p) = r.previous { (num(p, d)) @if r.previous_units_reporting > 0 { span.muted { " (" (r.previous_units_reporting) " đv)" } } } }
                        td.num { (change_cell(r)) }
                    }
                }
            }
        }
        h2 { "Chi tiết theo đơn vị trực thuộc" }
        form method="get" action=(format!("/dot/{}/tong-hop/{}", c.round.id, c.unit_code)) {
            label for="nhom" { "Nhóm chỉ tiêu hiển thị" }
            select #nhom name="nhom" { @for g in &c.groups { option value=(g.code) selected[g.code == c.group] { (g.code) ". " (g.title) } } }
            " " button.secondary type="submit" { "Xem" }
        }
        table {
            thead { tr { th { "Đơn vị" } th { "Tiếp nhận / tổng" } @for col in &c.columns { th.right { (col.name) " (" (col.unit) ")" } } } }
            tbody {
                @for ch in &c.children.items {
                    tr {
                        td { @if ch.is_recipient { a href=(format!("/dot/{}/bao-cao/{}", c.round.id, ch.unit_code)) { (ch.unit_name) } } @else { a href=(format!("/dot/{}/tong-hop/{}", c.round.id, ch.unit_code)) { (ch.unit_name) } } }
                        td { (ch.counts.accepted) " / " (ch.counts.recipients) }
                        @for col in &c.columns { td.num { (ch.display.get(&col.code).cloned().unwrap_or_default()) } }
                    }
                }
            }
        }
        (pager(&c.children, &format!("/dot/{}/tong-hop/{}?nhom={}&", c.round.id, c.unit_code, enc(&c.group))))
        h2 { "Nội dung các đơn vị theo đề cương" }
        p { (c.accepted_reports) " báo cáo đã tiếp nhận. " @if c.accepted_reports > 0 { a href=(format!("/dot/{}/tong-hop/{}/noi-dung", c.round.id, c.unit_code)) { "Xem nội dung từng đơn vị theo mục" } } }
        @if c.can_adopt && !c.adoption_targets.is_empty() {
            div.card style="margin-top:1rem" {
                h2 { "Dùng số liệu tổng hợp làm báo cáo gửi cấp trên" }
                form method="post" action=(format!("/dot/{}/tong-hop/{}/su-dung", c.round.id, c.unit_code)) {
                    (csrf(&u))
                    select name="parent_round" { @for p in &c.adoption_targets { option value=(p.id) { (p.title) " — " (p.issuer_name) } } }
                    p { button type="submit" { "Đưa vào bản nháp báo cáo cấp trên" } }
                }
            }
        }
        p.muted { "Số liệu cập nhật ngay khi một báo cáo được tiếp nhận. Ngày lập: " (format_date(s.app.today())) }
    };
    page(
        &format!("Tổng hợp — {}", c.unit_name),
        Some(&u),
        notice(&Notice {
            tb: q.tb.clone(),
            trang: None,
        }),
        body,
    )
    .into_response()
}

pub async fn per_unit(
    State(_s): State<WebState>,
    u: User,
    Path((id, unit, indicator)): Path<(i64, String, String)>,
    Query(n): Query<Notice>,
) -> Response {
    let v = match consolidation::per_unit(
        &u.cx,
        id,
        &unit,
        &indicator,
        PageReq::new(n.trang.unwrap_or(1), 100),
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        p.muted { a href=(format!("/dot/{id}/tong-hop/{}", v.unit_code)) { "‹ Về trang tổng hợp" } }
        h1 { (v.indicator_name) }
        p { "Chỉ tiêu này không cộng dồn được; giá trị của từng đơn vị (" (v.unit_of_measure) "):" }
        table { thead { tr { th { "Đơn vị" } th.right { "Giá trị" } } }
            tbody { @for l in &v.values.items { tr { td { a href=(format!("/dot/{id}/bao-cao/{}", l.unit_code)) { (l.unit_name) } } td.num { (l.display) } } } } }
        (pager(&v.values, &format!("/dot/{id}/tong-hop/{}/chi-tieu/{}?", v.unit_code, v.indicator)))
    };
    page(&v.indicator_name, Some(&u), None, body).into_response()
}

#[derive(Deserialize, Default)]
pub struct NarrativeQuery {
    muc: Option<String>,
    trang: Option<i64>,
}

pub async fn narrative(
    State(_s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Query(q): Query<NarrativeQuery>,
) -> Response {
    let v = match consolidation::narrative(
        &u.cx,
        id,
        &unit,
        q.muc.as_deref(),
        PageReq::new(q.trang.unwrap_or(1), 20),
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(&u, e),
    };
    let muc = v.section.clone().unwrap_or_default();
    let base = format!(
        "/dot/{id}/tong-hop/{}/noi-dung?muc={}&",
        v.unit_code,
        enc(&muc)
    );
    let pageinfo = qcdc_app::Page::new(Vec::<()>::new(), v.total_units, PageReq::new(v.page, 20));
    let body = html! {
        p.muted { a href=(format!("/dot/{id}/tong-hop/{}", v.unit_code)) { "‹ Về trang tổng hợp" } }
        h1 { "Nội dung các đơn vị tại " (v.unit_name) }
        form method="get" action=(format!("/dot/{id}/tong-hop/{}/noi-dung", v.unit_code)) {
            label for="muc" { "Mục của đề cương" }
            select #muc name="muc" {
                option value="" { "Tất cả các mục" }
                @for (n, t) in &v.outline { option value=(n) selected[*n == muc] { (n) ". " (t) } }
            }
            " " button.secondary type="submit" { "Xem" }
        }
        @for sec in &v.sections {
            h2 { (sec.section) ". " (sec.title) }
            table.narrative {
                thead { tr { th style="width:14rem" { "Đơn vị" } th { "Nội dung" } } }
                tbody { @for e in &sec.entries { tr { td { (e.unit_name) } td { (paragraphs(&e.text)) } } } }
            }
        }
        @if v.sections.is_empty() { p.muted { "Chưa có nội dung." } }
        (pager(&pageinfo, &base))
    };
    page(&format!("Nội dung — {}", v.unit_name), Some(&u), None, body).into_response()
}

pub async fn adopt(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let parent: Option<i64> = f
        .iter()
        .find(|(k, _)| k == "parent_round")
        .and_then(|(_, v)| v.parse().ok());
    let Some(parent) = parent else {
        return error_page(&u, CoreError::invalid("Chưa chọn đợt báo cáo cấp trên"));
    };
    let confirmed = f
        .iter()
        .find(|(k, _)| k == "xac_nhan")
        .map(|(_, v)| v.clone());
    if let Some(fp) = confirmed {
        return match consolidation::adopt_confirmed(&u.cx, id, &unit, parent, Some(&fp)).await {
            Ok(_) => {
                Redirect::to(&format!("/dot/{parent}/bao-cao/{unit}?tb=su-dung")).into_response()
            }
            Err(e) => error_page(&u, e),
        };
    }
    // first the old → new of every figure; nothing changes until confirmed
    match consolidation::adopt_preview(&u.cx, id, &unit, parent).await {
        Ok((lines, fp)) => {
            let body = html! {
                p.muted { a href=(format!("/dot/{id}/tong-hop/{unit}")) { "← Trở lại tổng hợp" } }
                h1 { "Xem trước: dùng số liệu tổng hợp làm báo cáo gửi cấp trên" }
                p { "Bản nháp báo cáo của đơn vị trong đợt cấp trên chưa thay đổi. Khi xác nhận, mọi chỉ tiêu sẽ lấy theo số liệu tổng hợp hiện tại (chỉ tiêu không có trong tổng hợp sẽ được để trống), và các mục nội dung đã biên tập trong báo cáo tổng hợp sẽ thành nội dung báo cáo của đơn vị." }
                (crate::unit::preview_table(&lines))
                form method="post" action=(format!("/dot/{id}/tong-hop/{unit}/su-dung")) {
                    (csrf(&u))
                    input type="hidden" name="parent_round" value=(parent);
                    input type="hidden" name="xac_nhan" value=(fp);
                    p { button type="submit" { "Xác nhận dùng số liệu này" } " " a.button.secondary href=(format!("/dot/{id}/tong-hop/{unit}")) { "Hủy" } }
                }
            };
            page("Xem trước khi dùng số liệu tổng hợp", Some(&u), None, body).into_response()
        }
        Err(e) => error_page(&u, e),
    }
}
