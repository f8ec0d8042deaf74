//! The office's pages: the rounds it sees, creating a round, the round page with
//! every recipient's status (filtered, one page at a time), close and reopen,
//! return/accept, consolidation with drill-down and the same-period comparison,
//! the per-unit values and narrative of the units below, and adoption upward.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, Query, State};

use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
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
        Err(e) => return error_page(&u, e),
    };
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
            @if st.can_manage {
                " "
                @if st.round.is_open() {
                    form method="post" action=(format!("/dot/{id}/ket-thuc")) style="display:inline" { (csrf(&u)) button.secondary type="submit" { "Kết thúc đợt" } }
                } @else {
                    form method="post" action=(format!("/dot/{id}/mo-lai")) style="display:inline" { (csrf(&u)) button.secondary type="submit" { "Mở lại đợt" } }
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
                        td { @match rc.on_time { Some(true) => "đúng hạn", Some(false) => span.late { "trễ hạn" }, None => @if rc.overdue { span.late { "quá hạn" } } } }
                        td { (when(&rc.updated_at)) }
                        td { (rc.return_reason.clone().unwrap_or_default()) }
                    }
                }
            }
        }
        (pager(&st.recipients, &base))
    };
    page(
        &st.round.title,
        Some(&u),
        notice(&Notice {
            tb: q.tb.clone(),
            trang: None,
        }),
        body,
    )
    .into_response()
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
    match rounds::set_state(&u.cx, id, state).await {
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

pub async fn reopen_round(
    State(s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    set_state(&s, &u, id, &f, RoundState::Open).await
}

fn round_form(
    u: &User,
    templates: &[TemplateInfo],
    issuers: &[Unit],
    candidates: &[Unit],
    f: &BTreeMap<String, String>,
    picked: &[String],
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
    html! {
        form method="post" action="/dot/moi" {
            (csrf(u))
            div.grid2 {
                div {
                    label for="title" { "Tên đợt báo cáo" }
                    input #title type="text" name="title" required value=(get("title"));
                    label for="issuer" { "Đơn vị ra yêu cầu" }
                    select #issuer name="issuer" { @for i in issuers { option value=(i.code) selected[get("issuer") == i.code] { (i.name) } } }
                    label for="template" { "Mẫu báo cáo" }
                    select #template name="template" { @for t in templates { option value=(t.code) selected[get("template") == t.code] { (t.name) " (phiên bản " (t.version) ")" } } }
                    label for="period" { "Kỳ báo cáo" }
                    input #period type="text" name="period" placeholder="2026-H2 (Q1–Q4, H1, H2, 9M, Y)" required value=(get("period"));
                    label for="deadline" { "Hạn nộp (dd/mm/yyyy)" }
                    input #deadline type="text" name="deadline" placeholder="18/12/2026" required value=(get("deadline"));
                    label for="letter" { "Nội dung công văn (tuỳ chọn)" }
                    textarea #letter name="letter" { (get("letter")) }
                }
                div {
                    label { "Gửi tới các loại đơn vị" }
                    @for k in kinds { label style="font-weight:normal;margin:.1rem 0" { input type="checkbox" name="kind" value=(k.as_str()) checked[picked.iter().any(|p| p == k.as_str())]; " " (k.label_vi()) } }
                    label for="max_depth" { "Chỉ đến cấp (1 = trực thuộc trực tiếp; để trống = mọi cấp)" }
                    input #max_depth type="number" min="1" name="max_depth" value=(get("max_depth"));
                    label for="units" { "Hoặc chọn từng đơn vị" }
                    select #units name="unit" multiple size="10" { @for c in candidates { option value=(c.code) selected[picked.contains(&c.code)] { (c.name) } } }
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
    let list = templates::list(&u.cx).await?;
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
            html! { h1 { "Tạo đợt báo cáo" } (round_form(&u, &t, &i, &c, &BTreeMap::new(), &[])) },
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
        let period: Period = get("period").trim().parse()?;
        let deadline = parse_date(&get("deadline"))?;
        let max_depth = match get("max_depth").trim() {
            "" => None,
            d => Some(
                d.parse::<i64>()
                    .map_err(|_| CoreError::invalid("Cấp phải là số nguyên"))?,
            ),
        };
        let new = NewRound {
            title: get("title"),
            template: get("template"),
            template_version: None,
            period,
            issuer: get("issuer"),
            deadline,
            letter: get("letter"),
            recipients: RecipientSelector {
                kinds: kinds.iter().filter_map(|k| UnitKind::parse(k)).collect(),
                max_depth,
                units: picked_units.clone(),
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
            let status = crate::layout::status_of(e.code);
            (status, page("Tạo đợt báo cáo", Some(&u), Some(Flash::Err(e.message)), html! { h1 { "Tạo đợt báo cáo" } (round_form(&u, &t, &i, &c, &fields, &picked)) })).into_response()
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
}

pub async fn consolidation(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Query(q): Query<ConsolidationQuery>,
) -> Response {
    let c = match consolidation::get(
        &u.cx,
        id,
        Some(&unit),
        q.nhom.as_deref(),
        PageReq::new(q.trang.unwrap_or(1), 100),
        s.app.today(),
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
            p { "So với cùng kỳ: " a href=(format!("/dot/{}", p.id)) { (p.title) } " (" (p.period_label) ")"
                @if !c.previous_units.is_empty() { " — gồm các đơn vị trước sắp xếp: " (c.previous_units.join(", ")) }
                @if c.comparison_approximate { span.warn-text { " — có đơn vị chia tách, so sánh gần đúng" } } }
        }
        table {
            thead { tr { th { "Chỉ tiêu" } th { "ĐVT" } th.right { "Kỳ này" } th.right { "Số đơn vị" } th.right { "Cùng kỳ" } th.right { "Tăng/giảm" } } }
            tbody {
                @for r in &c.rows {
                    tr {
                        td style=(format!("padding-left:{}rem", 0.5 + (r.level as f64) * 1.5)) { (r.name) }
                        td.muted { (r.unit) }
                        td.num {
                            @if r.aggregate == qcdc_core::template::Aggregate::None {
                                @if r.units_reporting > 0 { a href=(format!("/dot/{}/tong-hop/{}/chi-tieu/{}", c.round.id, c.unit_code, r.code)) { "xem từng đơn vị" } }
                            } @else { (r.display) }
                        }
                        td.num { @if r.units_reporting > 0 { (r.units_reporting) } }
                        td.num { @if let Some(p) = r.previous { (num(p, if r.aggregate == qcdc_core::template::Aggregate::Ratio { 1 } else if qcdc_core::template::allows_decimals(&r.unit) { 3 } else { 0 })) @if r.previous_units_reporting > 0 { span.muted { " (" (r.previous_units_reporting) " đv)" } } } }
                        td.num { @if let Some(x) = r.change_pct { (pct(x)) } @else if let Some(x) = r.change { (num(x, 1)) " điểm %" } }
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
    match consolidation::adopt(&u.cx, id, &unit, parent).await {
        Ok(_) => Redirect::to(&format!("/dot/{parent}/bao-cao/{unit}?tb=su-dung")).into_response(),
        Err(e) => error_page(&u, e),
    }
}
