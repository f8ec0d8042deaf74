//! The register pages — petitions (sổ theo dõi đơn) and citizen reception (sổ
//! tiếp công dân, with the leaders' legal frequency). Petitions: the list of a unit (or of its
//! subtree for an office) with deadline badges, a keyboard-friendly entry form
//! (labels, tab order, the first field focused, dates typed dd/mm/yyyy, Enter
//! sends), and a petition's page with its steps and the form to add one. Names
//! and contents appear only as the use cases allow.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use qcdc_app::registers::petitions::{
    self, DeadlineBadge, ListFilter, PetitionInput, PetitionView, StepInput,
};
use qcdc_app::registers::reception::{self, SessionInput};
use qcdc_app::registers::{excel, prefill};
use qcdc_app::{CoreError, PageReq};
use qcdc_core::period::{format_date, parse_date};
use qcdc_core::registers::reception::Receiver;
use qcdc_core::registers::{Channel, Complexity, DeadlineStatus, PetitionKind, StepKind};
use serde::Deserialize;

use crate::WebState;
use crate::layout::{Flash, csrf, enc, error_page, page, pager};
use crate::session::{User, check_csrf};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    /// `1`: the unit and every unit below it.
    pub cay: Option<String>,
    /// `1`: only petitions being processed.
    pub mo: Option<String>,
    /// Part of a petitioner's name or of the summary, with or without diacritics.
    pub q: Option<String>,
    pub trang: Option<i64>,
    pub tb: Option<String>,
}

/// Petitions on a page of the list.
pub const PER_PAGE: i64 = 50;

fn flash(tb: Option<&str>) -> Option<Flash> {
    match tb? {
        "ghi" => Some(Flash::Ok("Đã ghi đơn vào sổ.".into())),
        "buoc" => Some(Flash::Ok("Đã ghi bước xử lý.".into())),
        "excel" => Some(Flash::Ok("Đã nhập sổ từ tệp Excel.".into())),
        "vu-viec" => Some(Flash::Ok("Đã gộp các đơn thành một vụ việc.".into())),
        _ => None,
    }
}

/// The badge of a deadline: its status in words, with the due date.
pub fn badge(d: &Option<DeadlineBadge>) -> Markup {
    match d {
        None => html! { span.muted { "Không có hạn" } },
        Some(d) => {
            let class = match d.status {
                DeadlineStatus::OnTrack => "badge b-accepted",
                DeadlineStatus::DueSoon => "badge b-submitted",
                DeadlineStatus::Overdue => "badge b-returned",
                DeadlineStatus::DoneOnTime | DeadlineStatus::DoneLate => "badge",
            };
            html! {
                span class=(class) title=(format!("{} ({}; {})", d.stage, d.limit, d.source)) { (d.status_label) }
                " " (d.due)
                @if d.calendar_incomplete { " " span.muted { "(lịch ngày nghỉ năm này chưa có)" } }
            }
        }
    }
}

fn who(p: &PetitionView) -> Markup {
    match (&p.petitioners, p.hidden) {
        (Some(names), _) => html! { (names.join("; ")) },
        (None, Some(why)) => html! { span.muted title=(why) { "(ẩn)" } },
        (None, None) => html! { span.muted { "(ẩn)" } },
    }
}

fn entry_form(u: &User, unit: &str) -> Markup {
    html! {
        h2 { "Ghi đơn mới" }
        form method="post" action=(format!("/so-don/{unit}")) {
            (csrf(u))
            div.grid {
                label { "Loại đơn "
                    select name="loai" autofocus required {
                        @for k in PetitionKind::ALL { option value=(k.as_str()) { (k.label_vi()) } }
                    }
                }
                label { "Kênh tiếp nhận "
                    select name="kenh" required {
                        @for c in Channel::ALL { option value=(c.as_str()) { (c.label_vi()) } }
                    }
                }
                label { "Ngày nhận (dd/mm/yyyy) "
                    input name="ngay_nhan" required placeholder="dd/mm/yyyy" inputmode="numeric" pattern="[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}";
                }
                label { "Người gửi đơn (mỗi người một dòng) "
                    textarea name="nguoi_gui" rows="2" required {}
                }
                label { "Tóm tắt nội dung "
                    input name="tom_tat" required maxlength="500";
                }
                label { "Nội dung chi tiết "
                    textarea name="noi_dung" rows="3" {}
                }
                label { "Cơ quan chuyển đến (nếu có) "
                    input name="chuyen_tu" maxlength="300";
                }
                label { input type="checkbox" name="vung_sau" value="1"; " Vùng sâu, vùng xa đi lại khó khăn" }
            }
            button type="submit" accesskey="g" { "Ghi vào sổ" }
            " " span.muted { "(Alt+G)" }
        }
    }
}

/// The register of a unit, or of its subtree.
pub async fn list_page(
    State(_s): State<WebState>,
    u: User,
    Path(unit): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    let subtree = q.cay.as_deref() == Some("1");
    let f = ListFilter {
        subtree,
        open_only: q.mo.as_deref() == Some("1"),
        query: q.q.clone().unwrap_or_default(),
        ..Default::default()
    };
    let (list, may_record) = match async {
        Ok::<_, CoreError>((
            petitions::page(
                &u.cx,
                &unit,
                &f,
                PageReq::new(q.trang.unwrap_or(1), PER_PAGE),
            )
            .await?,
            petitions::can_record(&u.cx, &unit).await?,
        ))
    }
    .await
    {
        Ok(l) => l,
        Err(e) => return error_page(&u, e),
    };
    let open_only = q.mo.as_deref() == Some("1");
    let search = q.q.as_deref().map(str::trim).unwrap_or("");
    let base = format!(
        "/so-don/{unit}?{}{}{}",
        if subtree { "cay=1&" } else { "" },
        if open_only { "mo=1&" } else { "" },
        if search.is_empty() {
            String::new()
        } else {
            format!("q={}&", enc(search))
        }
    );
    let body = html! {
        p.muted { a href=(format!("/so-theo-doi/{unit}")) { "← Các sổ theo dõi của " (unit) } }
        h1 { "Sổ theo dõi đơn — " (unit) }
        p {
            "Tổng số: " strong { (list.items.total) } " đơn · "
            "Trong hạn: " strong { (list.on_track) } " · Sắp đến hạn: " strong { (list.due_soon) }
            " · Quá hạn: " strong { (list.overdue) } " · Số vụ việc: " strong { (list.cases) }
        }
        p {
            @if subtree { a href=(format!("/so-don/{unit}")) { "Chỉ đơn vị này" } }
            @else { a href=(format!("/so-don/{unit}?cay=1")) { "Cả các đơn vị trực thuộc" } }
            " · "
            a href=(format!("/so-don/{unit}?mo=1{}", if subtree { "&cay=1" } else { "" })) { "Chỉ đơn đang xử lý" }
        }
        form method="get" action=(format!("/so-don/{unit}")) role="search" {
            label { "Tìm đơn (họ tên người gửi hoặc tóm tắt, gõ có dấu hay không dấu) "
                input type="search" name="q" value=(search) maxlength="200" placeholder="vd: nguyen van";
            }
            @if subtree { input type="hidden" name="cay" value="1"; }
            @if open_only { input type="hidden" name="mo" value="1"; }
            " " button.secondary type="submit" { "Tìm" }
            @if !search.is_empty() {
                " " a href=(format!("/so-don/{unit}{}", if subtree { "?cay=1" } else { "" })) { "Bỏ tìm" }
            }
        }
        @if list.items.items.is_empty() {
            @if search.is_empty() { p.muted { "Chưa có đơn nào." } }
            @else { p.muted { "Không có đơn nào khớp với «" (search) "»." } }
        }
        @else {
            table {
                thead { tr { th { "Số" } th { "Đơn vị" } th { "Loại" } th { "Ngày nhận" } th { "Người gửi" } th { "Tóm tắt" } th { "Tình trạng" } th { "Hạn" } } }
                tbody {
                    @for p in &list.items.items {
                        tr {
                            td { a href=(format!("/don/{}", p.id)) { (p.id) } }
                            td { (p.unit_code) }
                            td { (p.kind_label) }
                            td { (p.received_on) }
                            td { (who(p)) }
                            td { (p.summary) }
                            td { (p.state_label) }
                            td { (badge(&p.deadline)) }
                        }
                    }
                }
            }
        }
        (pager(&list.items, &base))
        @if !subtree && may_record { (entry_form(&u, &unit)) }
        @if !subtree { (excel_block(&u, &format!("/so-don/{unit}"), may_record)) }
    };
    page("Sổ theo dõi đơn", Some(&u), flash(q.tb.as_deref()), body).into_response()
}

fn field(f: &[(String, String)], k: &str) -> String {
    f.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

fn choice<T>(what: &str, raw: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, CoreError> {
    parse(raw).ok_or_else(|| CoreError::invalid(format!("Chưa chọn {what}")))
}

/// Records a petition from the entry form.
pub async fn record(
    State(s): State<WebState>,
    u: User,
    Path(unit): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let r = async {
        let input = PetitionInput {
            kind: choice("loại đơn", &field(&f, "loai"), PetitionKind::parse)?,
            channel: choice("kênh tiếp nhận", &field(&f, "kenh"), Channel::parse)?,
            received_on: parse_date(&field(&f, "ngay_nhan"))?,
            petitioners: field(&f, "nguoi_gui").lines().map(str::to_string).collect(),
            summary: field(&f, "tom_tat"),
            content: field(&f, "noi_dung"),
            forwarded_from: field(&f, "chuyen_tu"),
            remote: field(&f, "vung_sau") == "1",
            complexity: Complexity::Normal,
        };
        petitions::record(&u.cx, &unit, &input).await
    }
    .await;
    match r {
        Ok(rec) if rec.duplicates.is_empty() => {
            Redirect::to(&format!("/so-don/{unit}?tb=ghi")).into_response()
        }
        Ok(rec) => Redirect::to(&format!("/don/{}?tb=ghi", rec.id)).into_response(),
        Err(e) => error_page(&u, e),
    }
}

#[derive(Deserialize, Default)]
pub struct PetitionQuery {
    pub tb: Option<String>,
}

/// One petition: its steps, deadline, possible duplicates and the step form.
pub async fn petition_page(
    State(_s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
    Query(q): Query<PetitionQuery>,
) -> Response {
    let p = match petitions::get(&u.cx, id).await {
        Ok(p) => p,
        Err(e) => return error_page(&u, e),
    };
    // duplicates are offered to those who record in the unit only
    let dups = petitions::duplicates(&u.cx, id).await.ok();
    let case = match petitions::case_of(&u.cx, id).await {
        Ok(c) => c,
        Err(e) => return error_page(&u, e),
    };
    let fw = petitions::forwarding(&u.cx, id).await.ok();
    let body = html! {
        h1 { "Đơn số " (p.id) " — " (p.kind_label) }
        dl {
            dt { "Đơn vị" } dd { (p.unit_code) }
            dt { "Ngày nhận" } dd { (p.received_on) " (" (p.channel_label) ")" }
            dt { "Người gửi" } dd { (who(&p)) }
            @if !p.summary.is_empty() { dt { "Tóm tắt" } dd { (p.summary) } }
            dt { "Tình trạng" } dd { (p.state_label) " · mức độ: " (p.complexity_label) }
            dt { "Hạn" } dd { (badge(&p.deadline)) }
            @if let Some(c) = p.case_id { dt { "Vụ việc" } dd { "số " (c) } }
        }
        @if let Some(c) = &case {
            h2 { "Vụ việc số " (c.id) @if !c.title.is_empty() { ": " (c.title) } }
            p { "Các đơn cùng vụ việc (vụ việc chỉ tính một lần trong số liệu báo cáo):" }
            table {
                thead { tr { th { "Số" } th { "Loại" } th { "Ngày nhận" } th { "Tình trạng" } } }
                tbody {
                    @for m in &c.petitions {
                        tr {
                            td { @if m.id == p.id { strong { (m.id) " (đơn này)" } } @else { a href=(format!("/don/{}", m.id)) { (m.id) } } }
                            td { (m.kind_label) } td { (m.received_on) } td { (m.state_label) }
                        }
                    }
                }
            }
        }
        @if let Some(d) = &dups {
            @if !d.is_empty() {
                div.flash.err role="alert" {
                    "Có thể trùng với đơn: "
                    @for c in d { a href=(format!("/don/{}", c.id)) { "số " (c.id) } " (" (c.similarity) "% giống) " }
                }
            }
        }
        @if let Some(d) = &dups { (link_form(&u, &p, d, case.as_ref())) }
        @if let Some(fw) = &fw {
            @if let Some(o) = &fw.origin {
                section.origin {
                    h2 { "Chuyển đến từ " (o.unit_name) }
                    p {
                        @if o.visible { a href=(format!("/don/{}", o.petition_id)) { "Đơn số " (o.petition_id) } }
                        @else { "Đơn số " (o.petition_id) }
                        " của " (o.unit_name) " (" (o.unit_code) "); các bước đơn vị đó đã ghi:"
                    }
                    table {
                        thead { tr { th { "Ngày" } th { "Bước" } th { "Chi tiết" } } }
                        tbody { @for s in &o.steps { tr { td { (s.date) } td { (s.label) } td { (s.detail) } } } }
                    }
                }
            }
            @if !fw.forwarded_to.is_empty() {
                p {
                    "Đã chuyển vào sổ của: "
                    @for t in &fw.forwarded_to {
                        @if t.visible { a href=(format!("/don/{}", t.petition_id)) { (t.unit_name) } }
                        @else { (t.unit_name) }
                        " (" (t.unit_code) ") "
                    }
                }
            }
        }
        h2 { "Các bước xử lý" }
        @if p.steps.is_empty() { p.muted { "Chưa có bước nào." } }
        @else {
            table {
                thead { tr { th { "Ngày" } th { "Bước" } th { "Chi tiết" } th { "Ghi chú" } } }
                tbody { @for s in &p.steps { tr { td { (s.date) } td { (s.label) } td { (s.detail) } td { (s.note) } } } }
            }
        }
        @if dups.is_some() && (!p.state.is_closed() || p.state == qcdc_core::registers::PetitionState::Resolved) {
            h2 { "Ghi bước xử lý" }
            form method="post" action=(format!("/don/{}/buoc", p.id)) {
                (csrf(&u))
                div.grid {
                    label { "Bước "
                        select name="buoc" autofocus required {
                            option value="accepted" { "Thụ lý" }
                            option value="refused" { "Không thụ lý" }
                            option value="forwarded" { "Chuyển đơn" }
                            option value="verification" { "Xác minh" }
                            option value="dialogue" { "Đối thoại" }
                            option value="extended" { "Gia hạn giải quyết" }
                            option value="concluded" { "Kết luận, quyết định giải quyết" }
                            option value="withdrawn" { "Rút đơn" }
                            option value="second_instance" { "Thụ lý giải quyết lần hai" }
                        }
                    }
                    label { "Ngày (dd/mm/yyyy) " input name="ngay" required placeholder="dd/mm/yyyy" inputmode="numeric"; }
                    label { "Lý do / nơi chuyển đến " input name="chi_tiet" maxlength="300"; }
                    label title="Khi cơ quan nhận đơn có trong hệ thống: đơn vào sổ của cơ quan đó, kèm các bước đã ghi" {
                        "Mã đơn vị nhận (nếu trong hệ thống) " input name="ma_don_vi_nhan" maxlength="64" autocomplete="off";
                    }
                    label { "Kết quả (khi kết luận) "
                        select name="ket_qua" {
                            option value="" { "—" }
                            option value="right" { "Đúng" }
                            option value="partly_right" { "Đúng một phần" }
                            option value="wrong" { "Sai" }
                        }
                    }
                    label { "Mức độ "
                        select name="muc_do" {
                            option value="" { "giữ nguyên" }
                            option value="normal" { "Thông thường" }
                            option value="complex" { "Phức tạp" }
                            option value="especially_complex" { "Đặc biệt phức tạp" }
                        }
                    }
                    label { "Ghi chú " input name="ghi_chu" maxlength="2000"; }
                }
                button type="submit" accesskey="g" { "Ghi bước" }
                " " span.muted { "(Alt+G)" }
            }
        }
        p { a href=(format!("/so-don/{}", p.unit_code)) { "← Sổ theo dõi đơn của đơn vị" } }
    };
    page("Đơn", Some(&u), flash(q.tb.as_deref()), body).into_response()
}

/// Records a step from the petition's page.
pub async fn add_step(
    State(s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let r = async {
        let to_unit = field(&f, "ma_don_vi_nhan").trim().to_string();
        let mut detail = field(&f, "chi_tiet");
        if detail.trim().is_empty() {
            // the receiving unit's code stands for its name; the use case names it
            detail.clone_from(&to_unit);
        }
        let result = field(&f, "ket_qua");
        let input = StepInput {
            date: parse_date(&field(&f, "ngay"))?,
            kind: StepKind::from_parts(
                &field(&f, "buoc"),
                Some(detail.as_str()),
                Some(result.as_str()),
            )?,
            note: field(&f, "ghi_chu"),
            complexity: match field(&f, "muc_do").as_str() {
                "" => None,
                c => Some(choice("mức độ", c, Complexity::parse)?),
            },
            to_unit: (!to_unit.is_empty()).then_some(to_unit),
        };
        petitions::add_step(&u.cx, id, &input).await
    }
    .await;
    match r {
        Ok(_) => Redirect::to(&format!("/don/{id}?tb=buoc")).into_response(),
        Err(e) => error_page(&u, e),
    }
}

#[derive(Deserialize, Default)]
pub struct WindowQuery {
    /// From (dd/mm/yyyy), by default the first day of this month.
    pub tu: Option<String>,
    /// To (dd/mm/yyyy), by default today.
    pub den: Option<String>,
    pub tb: Option<String>,
}

/// The citizen reception register of a unit: the sessions of a period, whether
/// its leaders kept the legal frequency (weeks or months missed), and the form.
pub async fn reception_page(
    State(s): State<WebState>,
    u: User,
    Path(unit): Path<String>,
    Query(q): Query<WindowQuery>,
) -> Response {
    use chrono::Datelike;
    let today = s.app.today();
    let r = async {
        let from = match q.tu.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => parse_date(t)?,
            None => today.with_day(1).unwrap_or(today),
        };
        let to = match q.den.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => parse_date(t)?,
            None => today,
        };
        Ok::<_, CoreError>((
            from,
            to,
            reception::list(&u.cx, &unit, false, from, to).await?,
            reception::compliance(&u.cx, &unit, from, to).await?,
            petitions::can_record(&u.cx, &unit).await?,
        ))
    }
    .await;
    let (from, to, sessions, compliance, may_record) = match r {
        Ok(v) => v,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        p.muted { a href=(format!("/so-theo-doi/{unit}")) { "← Các sổ theo dõi của " (unit) } }
        h1 { "Sổ tiếp công dân — " (unit) }
        form method="get" action=(format!("/so-tiep-dan/{unit}")) {
            label { "Từ ngày " input name="tu" value=(format_date(from)) placeholder="dd/mm/yyyy"; }
            " "
            label { "đến ngày " input name="den" value=(format_date(to)) placeholder="dd/mm/yyyy"; }
            " " button.secondary type="submit" { "Xem" }
        }
        h2 { "Tần suất tiếp công dân theo quy định" }
        @if compliance.is_empty() { p.muted { "Không có quy định tần suất cho loại đơn vị này." } }
        @for c in &compliance {
            p {
                (c.rule.describe_vi()) " (" (c.rule.source) "): "
                @if c.judged == 0 { span.muted { "chưa có tuần hoặc tháng trọn vẹn trong khoảng này" } }
                @else if c.met() { span class="badge b-accepted" { "Đủ" } }
                @else {
                    span class="badge b-returned" { "Còn thiếu" } " "
                    @for (i, m) in c.missed.iter().enumerate() {
                        @if i > 0 { "; " }
                        (m.label_vi) " (" (m.days) " ngày)"
                    }
                }
            }
        }
        h2 { "Các buổi tiếp" }
        @if sessions.is_empty() { p.muted { "Chưa có buổi tiếp nào trong khoảng này." } }
        @else {
            table {
                thead { tr { th { "Ngày" } th { "Người tiếp" } th { "Họ tên" } th { "Lượt" } th { "Người" } th { "Đoàn đông người" } } }
                tbody {
                    @for x in &sessions {
                        tr { td { (x.held_on) } td { (x.receiver_label) } td { (x.receiver_name) } td { (x.turns) } td { (x.people) } td { (x.delegations) } }
                    }
                }
            }
        }
        @if may_record {
            h2 { "Ghi buổi tiếp" }
            form method="post" action=(format!("/so-tiep-dan/{unit}")) {
                (csrf(&u))
                div.grid {
                    label { "Ngày tiếp (dd/mm/yyyy) " input name="ngay" required autofocus placeholder="dd/mm/yyyy" inputmode="numeric"; }
                    label { "Người tiếp "
                        select name="nguoi_tiep" required {
                            @for r in Receiver::ALL { option value=(r.as_str()) { (r.label_vi()) } }
                        }
                    }
                    label { "Họ tên người tiếp " input name="ho_ten" maxlength="200"; }
                    label { "Số lượt " input name="luot" required inputmode="numeric" value="1"; }
                    label { "Số người " input name="so_nguoi" required inputmode="numeric" value="1"; }
                    label { "Số đoàn đông người " input name="doan" inputmode="numeric" value="0"; }
                    label { "Ghi chú " input name="ghi_chu" maxlength="2000"; }
                }
                button type="submit" accesskey="g" { "Ghi vào sổ" }
                " " span.muted { "(Alt+G)" }
            }
        }
        (excel_block(&u, &format!("/so-tiep-dan/{unit}"), may_record))
    };
    let flash = match q.tb.as_deref() {
        Some("ghi") => Some(Flash::Ok("Đã ghi buổi tiếp công dân.".into())),
        Some("excel") => Some(Flash::Ok("Đã nhập sổ từ tệp Excel.".into())),
        _ => None,
    };
    page("Sổ tiếp công dân", Some(&u), flash, body).into_response()
}

fn count(f: &[(String, String)], k: &str, what: &str) -> Result<u32, CoreError> {
    let v = field(f, k);
    if v.is_empty() {
        return Ok(0);
    }
    v.parse::<u32>().map_err(|_| {
        CoreError::invalid(format!(
            "{what} phải là số nguyên không âm, không phải «{v}»"
        ))
    })
}

/// Records a reception session from the form.
pub async fn record_reception(
    State(s): State<WebState>,
    u: User,
    Path(unit): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let r = async {
        let input = SessionInput {
            held_on: parse_date(&field(&f, "ngay"))?,
            receiver: choice("người tiếp", &field(&f, "nguoi_tiep"), Receiver::parse)?,
            receiver_name: field(&f, "ho_ten"),
            turns: count(&f, "luot", "Số lượt")?,
            people: count(&f, "so_nguoi", "Số người")?,
            delegations: count(&f, "doan", "Số đoàn đông người")?,
            note: field(&f, "ghi_chu"),
        };
        reception::record(&u.cx, &unit, &input).await
    }
    .await;
    match r {
        Ok(_) => Redirect::to(&format!("/so-tiep-dan/{unit}?tb=ghi")).into_response(),
        Err(e) => error_page(&u, e),
    }
}

/// The records of the unit's registers behind one prefilled figure of a report
/// (the link next to the figure in the form and on the review page).
pub async fn source_records_page(
    State(_s): State<WebState>,
    u: User,
    Path((round, unit, indicator)): Path<(i64, String, String)>,
) -> Response {
    let r = match prefill::records(&u.cx, round, &unit, &indicator).await {
        Ok(r) => r,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        p.muted { a href=(format!("/dot/{round}/bao-cao/{unit}")) { "← Báo cáo của " (unit) } }
        h1 { (r.name) }
        p {
            "Số đếm từ sổ theo dõi của " (r.unit_code) " từ " (r.from) " đến " (r.to) " (khoảng chốt số liệu của kỳ báo cáo): "
            strong { (r.value) } " " (r.unit_of_measure)
        }
        @if r.counts_cases { p.guidance { "Các đơn cùng một vụ việc chỉ tính một vụ việc." } }
        @if r.records.is_empty() { p.muted { "Không có bản ghi nào trong khoảng này." } }
        @else {
            table {
                thead { tr { th { "Ngày" } th { "Bản ghi" } th.right { "Tính" } th { "Vụ việc" } } }
                tbody {
                    @for x in &r.records {
                        tr {
                            td { (x.date) }
                            td { @if let Some(id) = x.petition_id { a href=(format!("/don/{id}")) { "Đơn số " (id) } ": " } (x.label) }
                            td.num { (x.adds) }
                            td { @if let Some(c) = x.case_id { "#" (c) } }
                        }
                    }
                }
            }
        }
    };
    page(&format!("Nguồn số liệu — {}", r.name), Some(&u), None, body).into_response()
}

/// The Excel block of a register page: download the book, upload one (all or
/// nothing).
pub(crate) fn excel_block(u: &User, base: &str, may_record: bool) -> Markup {
    excel_card(u, base, may_record, true)
}

/// The Excel block; `secret_note` says that denouncers stay secret in the file
/// (for the books that hold people's names).
pub(crate) fn excel_card(u: &User, base: &str, may_record: bool, secret_note: bool) -> Markup {
    html! {
        div.card {
            h2 { "Excel" }
            p { a href=(format!("{base}/excel")) { "Tải sổ về (Excel)" } @if secret_note { " " span.muted { "— người tố cáo được giữ bí mật" } } }
            @if may_record {
                form method="post" action=(format!("{base}/excel")) enctype="multipart/form-data" {
                    (csrf(u))
                    label { "Nhập sổ từ tệp Excel theo bố cục của tệp tải về (mọi dòng lỗi được liệt kê, có lỗi thì không nhập dòng nào) " input type="file" name="tep" accept=".xlsx" required; }
                    p { button.secondary type="submit" { "Nhập từ Excel" } }
                }
            }
        }
    }
}

pub(crate) async fn book_download(u: &User, unit: &str, register: &str, base: &str) -> Response {
    match excel::export(&u.cx, unit, register).await {
        Ok(bytes) => {
            let name = excel::Book::parse(register)
                .map_or_else(|_| "so.xlsx".into(), |b| b.file_name(unit));
            qcdc_api::documents::download(qcdc_app::documents::RenderedFile {
                bytes,
                file_name: name,
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                number: None,
                pages: None,
            })
        }
        Err(e) => {
            let _ = base;
            error_page(u, e)
        }
    }
}

pub(crate) async fn book_upload(
    s: &WebState,
    u: &User,
    unit: &str,
    register: &str,
    base: &str,
    mp: Multipart,
) -> Response {
    let bytes = match crate::documents::read_xlsx_upload(s, u, mp).await {
        Ok(b) => b,
        Err(Ok(refusal)) => return refusal,
        Err(Err(e)) => return error_page(u, e),
    };
    match excel::import(&u.cx, unit, register, bytes).await {
        Ok(_) => Redirect::to(&format!("{base}?tb=excel")).into_response(),
        Err(e) => {
            let status = crate::layout::status_of(e.code);
            let body = html! {
                p { a href=(base) { "← Về sổ" } }
                @if !e.problems.is_empty() {
                    h2 { "Các dòng cần sửa trong tệp Excel" }
                    ul { @for p in &e.problems { li { (p.message) } } }
                }
                @if let Some(cells) = e.details.as_ref().and_then(|d| d.get("bad_cells")).and_then(|b| b.as_array()) {
                    ul { @for c in cells { li { (c["reason"].as_str().unwrap_or("")) } } }
                }
            };
            (
                status,
                page(
                    "Chưa nhập được sổ từ Excel",
                    Some(u),
                    Some(Flash::Err(e.message)),
                    body,
                ),
            )
                .into_response()
        }
    }
}

pub async fn petitions_xlsx(u: User, Path(unit): Path<String>) -> Response {
    book_download(&u, &unit, "petitions", &format!("/so-don/{unit}")).await
}

pub async fn receptions_xlsx(u: User, Path(unit): Path<String>) -> Response {
    book_download(&u, &unit, "receptions", &format!("/so-tiep-dan/{unit}")).await
}

pub async fn import_petitions(
    State(s): State<WebState>,
    u: User,
    Path(unit): Path<String>,
    mp: Multipart,
) -> Response {
    book_upload(&s, &u, &unit, "petitions", &format!("/so-don/{unit}"), mp).await
}

pub async fn import_receptions(
    State(s): State<WebState>,
    u: User,
    Path(unit): Path<String>,
    mp: Multipart,
) -> Response {
    book_upload(
        &s,
        &u,
        &unit,
        "receptions",
        &format!("/so-tiep-dan/{unit}"),
        mp,
    )
    .await
}

/// The form that links this petition and others of the unit into one case: the
/// duplicate candidates to tick, other petition numbers to type, the case title.
fn link_form(
    u: &User,
    p: &PetitionView,
    candidates: &[qcdc_core::registers::duplicates::Candidate],
    case: Option<&petitions::CaseView>,
) -> Markup {
    let in_case = |id: i64| case.is_some_and(|c| c.petitions.iter().any(|m| m.id == id));
    html! {
        details open[!candidates.is_empty()] {
            summary { "Gộp đơn thành một vụ việc" }
            form method="post" action=(format!("/don/{}/vu-viec", p.id)) {
                (csrf(u))
                @if candidates.is_empty() { p.muted { "Không thấy đơn nào có thể trùng với đơn này." } }
                @else {
                    fieldset {
                        legend { "Các đơn có thể trùng (cùng người gửi, nội dung giống)" }
                        @for c in candidates {
                            @if !in_case(c.id) {
                                label {
                                    input type="checkbox" name="don" value=(c.id);
                                    " Đơn số " (c.id) " (" (c.similarity) "% giống)"
                                }
                            }
                        }
                    }
                }
                div.grid {
                    label { "Số đơn khác của đơn vị (cách nhau bằng dấu phẩy) "
                        input name="so_don" inputmode="numeric" maxlength="200";
                    }
                    @if case.is_none() {
                        label { "Tên vụ việc "
                            input name="ten" value=(p.summary) maxlength="300";
                        }
                    }
                }
                button.secondary type="submit" { "Gộp vào một vụ việc" }
            }
        }
    }
}

/// Links the petition with the ticked and typed ones into one case.
pub async fn link_case(
    State(s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let r = async {
        let mut ids = vec![id];
        for (k, v) in &f {
            let list = match k.as_str() {
                "don" | "so_don" => v,
                _ => continue,
            };
            for part in list
                .split([',', ';', ' '])
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                let n = part
                    .trim_start_matches('#')
                    .parse::<i64>()
                    .map_err(|_| CoreError::invalid(format!("Số đơn «{part}» không phải là số")))?;
                ids.push(n);
            }
        }
        petitions::link_case(&u.cx, &ids, &field(&f, "ten")).await
    }
    .await;
    match r {
        Ok(_) => Redirect::to(&format!("/don/{id}?tb=vu-viec")).into_response(),
        Err(e) => error_page(&u, e),
    }
}
