//! The office's pages: dashboard of rounds, creating a round, the round page with
//! every recipient's status, return/accept, consolidation with drill-down and the
//! same-period comparison, adoption as its own report upward.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use qcdc_core::CoreError;
use qcdc_core::access::{Permission, Role};
use qcdc_core::period::{Period, format_date, parse_date};
use qcdc_core::unit::UnitKind;
use qcdc_store::{NewRound, RecipientSelector, StatusCounts};

use crate::WebState;
use crate::layout::{Flash, csrf, num, page, paragraphs, pct, status_badge, when};
use crate::session::{User, check_csrf};
use crate::unit::{Notice, error_page, notice};

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

/// Units where the user may manage (office or admin) or view.
fn managed(u: &User, roles: &[Role]) -> Vec<i64> {
    u.actor
        .grants
        .iter()
        .filter(|g| roles.contains(&g.role))
        .map(|g| g.unit_id)
        .collect()
}

pub async fn dashboard(State(s): State<WebState>, u: User, Query(n): Query<Notice>) -> Response {
    let mut rounds = Vec::new();
    let today = qcdc_store::today_vn();
    if let Ok(all) = s.store.list_rounds(None, None).await {
        for r in all {
            let Ok(issuer) = s.store.unit(&r.issuer_code).await else {
                continue;
            };
            if s.store
                .authorize(&u.actor, Permission::View, issuer.id)
                .await
                .is_ok()
                && let Ok(st) = s.store.round_status(r.id, None, today).await
            {
                rounds.push((r, st.counts));
            }
        }
    }
    let body = html! {
        h1 { "Đợt báo cáo" }
        @if rounds.is_empty() { p.muted { "Chưa có đợt báo cáo nào trong phạm vi của bạn." } }
        @for (r, c) in &rounds {
            div.card {
                h2 style="margin-top:0" { a href=(format!("/dot/{}", r.id)) { (r.title) } " " @if r.status == "open" { span.badge.b-submitted { "đang mở" } } @else { span.badge { "đã kết thúc" } } }
                p.muted { (r.period_label) " · đơn vị ra yêu cầu: " (r.issuer_name) " · hạn nộp " (r.deadline_display) }
                (counts_line(c))
            }
        }
    };
    page("Đợt báo cáo", Some(&u), notice(&n), body).into_response()
}

pub async fn round_page(
    State(s): State<WebState>,
    u: User,
    Path(id): Path<i64>,
    Query(n): Query<Notice>,
) -> Response {
    let r = async {
        s.store
            .authorize_round(&u.actor, Permission::View, id)
            .await?;
        s.store.round_status(id, None, qcdc_store::today_vn()).await
    }
    .await;
    let st = match r {
        Ok(st) => st,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        h1 { (st.round.title) }
        p.muted { (st.round.period_label) " (số liệu từ " (st.round.cutoff_from) " đến " (st.round.cutoff_to) ") · hạn nộp " (st.round.deadline_display) " · mẫu " (st.round.template_code) " v" (st.round.template_version) }
        @if !st.round.letter.is_empty() { div.card { (paragraphs(&st.round.letter)) } }
        (counts_line(&st.counts))
        p { a.button href=(format!("/dot/{}/tong-hop/{}", id, st.unit_code)) { "Xem tổng hợp" } }
        table {
            thead { tr { th { "Đơn vị" } th { "Trạng thái" } th { "Nộp" } th { "Thay đổi lần cuối" } th { "Ghi chú" } } }
            tbody {
                @for rc in &st.recipients {
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
    };
    page(&st.round.title, Some(&u), notice(&n), body).into_response()
}

fn round_form(
    u: &User,
    templates: &[qcdc_store::TemplateInfo],
    issuers: &[qcdc_store::Unit],
    candidates: &[qcdc_store::Unit],
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
                    select #template name="template" { @for t in templates { option value=(t.code) selected[get("template") == t.code] { (t.name) " (v" (t.version) ")" } } }
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
) -> Result<
    (
        Vec<qcdc_store::TemplateInfo>,
        Vec<qcdc_store::Unit>,
        Vec<qcdc_store::Unit>,
    ),
    CoreError,
> {
    let templates = s.store.list_templates().await?;
    let mut issuers = Vec::new();
    let mut candidates = Vec::new();
    let today = qcdc_store::today_vn();
    for id in managed(u, &[Role::Office, Role::Admin]) {
        let unit = s.store.unit_by_id(id).await?;
        candidates.extend(
            s.store
                .units(&qcdc_store::UnitFilter {
                    q: None,
                    active_on: Some(today),
                    kind: None,
                    under: Some(unit.code.clone()),
                })
                .await?,
        );
        issuers.push(unit);
    }
    qcdc_core::text::sort_vi(&mut candidates, |c| &c.name);
    candidates.dedup_by(|a, b| a.id == b.id);
    Ok((templates, issuers, candidates))
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
                qcdc_core::ErrorCode::Forbidden,
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
    if let Err(r) = check_csrf(&u, &f) {
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
    let units: Vec<String> = f
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
                units: units.clone(),
            },
        };
        let issuer = s.store.unit(&new.issuer).await?;
        s.store
            .authorize(&u.actor, Permission::Manage, issuer.id)
            .await?;
        s.store
            .create_round(&new, &u.actor.username, qcdc_store::today_vn())
            .await
    }
    .await;
    match r {
        Ok(info) => Redirect::to(&format!("/dot/{}?tb=tao-dot", info.id)).into_response(),
        Err(e) => {
            let (t, i, c) = form_data(&s, &u).await.unwrap_or_default();
            let mut picked = kinds.clone();
            picked.extend(units);
            (StatusCode::BAD_REQUEST, page("Tạo đợt báo cáo", Some(&u), Some(Flash::Err(e.message)), html! { h1 { "Tạo đợt báo cáo" } (round_form(&u, &t, &i, &c, &fields, &picked)) })).into_response()
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
    if let Err(r) = check_csrf(u, f) {
        return r;
    }
    let reason = f
        .iter()
        .find(|(k, _)| k == "ly_do")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let r = async {
        s.store
            .authorize_round(&u.actor, Permission::Manage, id)
            .await?;
        if accept {
            s.store.accept(id, unit, &u.actor.username).await
        } else {
            s.store
                .return_submission(id, unit, &reason, &u.actor.username)
                .await
        }
    }
    .await;
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

pub async fn consolidation(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Query(n): Query<Notice>,
) -> Response {
    let r = async {
        let unit_row = s.store.unit(&unit).await?;
        s.store
            .authorize(&u.actor, Permission::View, unit_row.id)
            .await?;
        let c = s.store.consolidate(id, Some(&unit)).await?;
        // rounds above where this unit reports for the same period: adoption targets
        let parents: Vec<_> = s
            .store
            .list_rounds(None, Some(&unit))
            .await?
            .into_iter()
            .filter(|r| r.period == c.round.period && r.id != id && r.status == "open")
            .collect();
        let can_adopt = s
            .store
            .authorize(&u.actor, Permission::Manage, unit_row.id)
            .await
            .is_ok();
        Ok::<_, CoreError>((c, parents, can_adopt))
    }
    .await;
    let (c, parents, can_adopt) = match r {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    let t_rows = &c.rows;
    let body = html! {
        p.muted { a href=(format!("/dot/{}", c.round.id)) { (c.round.title) } }
        h1 { "Tổng hợp tại " (c.unit_name) }
        (counts_line(&c.completeness))
        @if let Some(p) = &c.previous_round {
            p { "So với cùng kỳ: " a href=(format!("/dot/{}", p.id)) { (p.title) } " (" (p.period_label) ")"
                @if !c.previous_units.is_empty() { " — gồm các đơn vị trước sắp xếp: " (c.previous_units.join(", ")) }
                @if c.comparison_approximate { span.warn-text { " — có đơn vị chia tách, so sánh gần đúng" } } }
        }
        table {
            thead { tr { th { "Chỉ tiêu" } th { "ĐVT" } th.right { "Kỳ này" } th.right { "Số đơn vị" } th.right { "Cùng kỳ" } th.right { "Tăng/giảm" } } }
            tbody {
                @for r in t_rows {
                    tr {
                        td style=(format!("padding-left:{}rem", 0.5 + r.level as f32 * 1.5)) { (r.name) }
                        td.muted { (r.unit) }
                        td.num {
                            @if r.per_unit.is_empty() { (r.display) }
                            @else { details { summary { (r.per_unit.len()) " đơn vị" } @for pu in &r.per_unit { div { (pu.unit_name) ": " (pu.display) } } } }
                        }
                        td.num { @if r.units_reporting > 0 { (r.units_reporting) } }
                        td.num { @if let Some(p) = r.previous { (num(p, if r.unit == "%" { 1 } else { 3 })) @if r.previous_units_reporting > 0 { span.muted { " (" (r.previous_units_reporting) " đv)" } } } }
                        td.num { @if let Some(x) = r.change_pct { (pct(x)) } @else if let Some(x) = r.change { (num(x, 1)) " điểm %" } }
                    }
                }
            }
        }
        h2 { "Chi tiết theo đơn vị trực thuộc" }
        table {
            thead { tr { th { "Đơn vị" } th { "Tiếp nhận / tổng" } th.right { "Tổng số văn bản" } th.right { "Lượt tiếp công dân" } } }
            tbody {
                @for ch in &c.children {
                    tr {
                        td { @if ch.is_recipient { a href=(format!("/dot/{}/bao-cao/{}", c.round.id, ch.unit_code)) { (ch.unit_name) } } @else { a href=(format!("/dot/{}/tong-hop/{}", c.round.id, ch.unit_code)) { (ch.unit_name) } } }
                        td { (ch.counts.accepted) " / " (ch.counts.recipients) }
                        td.num { @if let Some(v) = ch.values.get("vb_tong") { (num(*v, 0)) } }
                        td.num { @if let Some(v) = ch.values.get("tcd_luot") { (num(*v, 0)) } }
                    }
                }
            }
        }
        h2 { "Nội dung các đơn vị theo đề cương" }
        @for n in &c.narrative {
            details { summary { strong { (n.section) ". " (n.title) } " (" (n.entries.len()) " đơn vị)" }
                div.side { @for (_, name, text) in &n.entries { div.card { strong { (name) } (paragraphs(text)) } } } }
        }
        @if can_adopt && !parents.is_empty() {
            div.card style="margin-top:1rem" {
                h2 { "Dùng số liệu tổng hợp làm báo cáo gửi cấp trên" }
                form method="post" action=(format!("/dot/{}/tong-hop/{}/su-dung", c.round.id, c.unit_code)) {
                    (csrf(&u))
                    select name="parent_round" { @for p in &parents { option value=(p.id) { (p.title) " — " (p.issuer_name) } } }
                    p { button type="submit" { "Đưa vào bản nháp báo cáo cấp trên" } }
                }
            }
        }
        p.muted { "Số liệu cập nhật ngay khi một báo cáo được tiếp nhận. Ngày lập: " (format_date(qcdc_store::today_vn())) }
    };
    page(
        &format!("Tổng hợp — {}", c.unit_name),
        Some(&u),
        notice(&n),
        body,
    )
    .into_response()
}

pub async fn adopt(
    State(s): State<WebState>,
    u: User,
    Path((id, unit)): Path<(i64, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&u, &f) {
        return r;
    }
    let r = async {
        let parent: i64 = f
            .iter()
            .find(|(k, _)| k == "parent_round")
            .and_then(|(_, v)| v.parse().ok())
            .ok_or_else(|| CoreError::invalid("Chưa chọn đợt báo cáo cấp trên"))?;
        let unit_row = s.store.unit(&unit).await?;
        s.store
            .authorize(&u.actor, Permission::Manage, unit_row.id)
            .await?;
        s.store.adopt(id, &unit, parent, &u.actor.username).await?;
        Ok::<_, CoreError>(parent)
    }
    .await;
    match r {
        Ok(parent) => {
            Redirect::to(&format!("/dot/{parent}/bao-cao/{unit}?tb=su-dung")).into_response()
        }
        Err(e) => error_page(&u, e),
    }
}
