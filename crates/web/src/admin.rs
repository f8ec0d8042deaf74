//! The admin's pages: the units tree (browse, search with or without diacritics,
//! add, edit, import with the line-by-line error list), users and roles, templates.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use qcdc_core::access::Role;
use qcdc_core::period::{format_date, parse_date};
use qcdc_core::unit::{self, UnitKind, UnitRecord};
use qcdc_core::{CoreError, ErrorCode};
use serde::Deserialize;

use crate::WebState;
use crate::layout::{Flash, csrf, page};
use crate::session::{User, check_csrf};
use crate::unit::error_page;

fn admin_only(u: &User) -> Result<(), CoreError> {
    if u.has(Role::Admin) {
        Ok(())
    } else {
        Err(CoreError::new(
            ErrorCode::Forbidden,
            "Chỉ quản trị viên được vào trang này",
        ))
    }
}

fn problems(e: &CoreError) -> Markup {
    html! {
        @if !e.problems.is_empty() {
            table { thead { tr { th { "Dòng" } th { "Lỗi" } } } tbody { @for p in &e.problems { tr { td { (p.line) } td { (p.message) } } } } }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct UnitQuery {
    q: Option<String>,
    all: Option<String>,
}

async fn units_body(
    s: &WebState,
    u: &User,
    q: &UnitQuery,
    extra: Markup,
) -> Result<Markup, CoreError> {
    let active_on = if q.all.is_some() {
        None
    } else {
        Some(qcdc_store::today_vn())
    };
    let units = s
        .store
        .units(&qcdc_store::UnitFilter {
            q: q.q.clone(),
            active_on,
            kind: None,
            under: None,
        })
        .await?;
    // without a search, browse the tree: each unit under its parent, in Vietnamese order
    let rows: Vec<(usize, &qcdc_store::Unit)> =
        if q.q.as_deref().is_none_or(|x| x.trim().is_empty()) {
            tree_order(&units)
        } else {
            units.iter().map(|x| (0, x)).collect()
        };
    Ok(html! {
        h1 { "Đơn vị" }
        (extra)
        form method="get" action="/quan-tri/don-vi" {
            div.grid2 {
                div { label for="q" { "Tìm theo tên hoặc mã (có hoặc không dấu)" } input #q type="text" name="q" value=(q.q.clone().unwrap_or_default()); }
                div { label { input type="checkbox" name="all" value="1" checked[q.all.is_some()]; " Gồm cả đơn vị đã giải thể, sáp nhập" } button type="submit" { "Tìm" } }
            }
        }
        p.muted { (units.len()) " đơn vị" }
        table {
            thead { tr { th { "Mã" } th { "Tên" } th { "Loại" } th { "Cấp trên" } th { "Hiệu lực" } th { "Kế thừa" } } }
            tbody { @for (depth, x) in &rows { tr {
                td { (x.code) } td style=(format!("padding-left:{}rem", 0.5 + *depth as f32 * 1.5)) { (x.name) } td { (x.kind_label) } td { (x.parent_code.clone().unwrap_or_default()) }
                td { (format_date(x.valid_from)) " – " (x.valid_to.map(format_date).unwrap_or_default()) }
                td { @if !x.predecessors.is_empty() { (x.succession.map(|s| s.as_str()).unwrap_or("")) ": " (x.predecessors.join(", ")) } }
            } } }
        }
        div.grid2 style="margin-top:1rem" {
            div.card {
                h2 { "Thêm hoặc sửa một đơn vị" }
                form method="post" action="/quan-tri/don-vi" {
                    (csrf(u))
                    label for="code" { "Mã" } input #code type="text" name="code" required;
                    label for="name" { "Tên" } input #name type="text" name="name" required;
                    label for="kind" { "Loại" } select #kind name="kind" { @for k in UnitKind::ALL { option value=(k.as_str()) { (k.label_vi()) } } }
                    label for="parent" { "Mã đơn vị cấp trên" } input #parent type="text" name="parent";
                    label for="valid_from" { "Hiệu lực từ (dd/mm/yyyy)" } input #valid_from type="text" name="valid_from" required;
                    label for="valid_to" { "Đến (để trống nếu còn hiệu lực)" } input #valid_to type="text" name="valid_to";
                    p { button type="submit" { "Lưu" } }
                }
            }
            div.card {
                h2 { "Nhập từ tệp CSV hoặc JSON" }
                p.guidance { "Cột: code, name, kind, parent, valid_from, valid_to, predecessors, succession. Tệp có lỗi bị từ chối toàn bộ." }
                form method="post" action="/quan-tri/don-vi/nhap" enctype="multipart/form-data" {
                    (csrf(u))
                    input type="file" name="tep" accept=".csv,.json" required;
                    p { button type="submit" { "Nhập" } }
                }
            }
        }
    })
}

/// Units in tree order (depth, unit): roots first, each followed by its children.
/// `units` is already in Vietnamese order, so siblings stay in that order.
fn tree_order(units: &[qcdc_store::Unit]) -> Vec<(usize, &qcdc_store::Unit)> {
    let present: std::collections::HashSet<i64> = units.iter().map(|x| x.id).collect();
    let mut children: std::collections::HashMap<Option<i64>, Vec<&qcdc_store::Unit>> =
        std::collections::HashMap::new();
    for x in units {
        // a unit whose parent is filtered out shows as a root
        let parent = x.parent_id.filter(|p| present.contains(p));
        children.entry(parent).or_default().push(x);
    }
    let mut out = Vec::with_capacity(units.len());
    let mut stack: Vec<(usize, &qcdc_store::Unit)> = children
        .get(&None)
        .map(|v| v.iter().rev().map(|x| (0, *x)).collect())
        .unwrap_or_default();
    while let Some((d, x)) = stack.pop() {
        out.push((d, x));
        if let Some(kids) = children.get(&Some(x.id)) {
            stack.extend(kids.iter().rev().map(|k| (d + 1, *k)));
        }
    }
    out
}

pub async fn units(State(s): State<WebState>, u: User, Query(q): Query<UnitQuery>) -> Response {
    if let Err(e) = admin_only(&u) {
        return error_page(&u, e);
    }
    match units_body(&s, &u, &q, html! {}).await {
        Ok(b) => page("Đơn vị", Some(&u), None, b).into_response(),
        Err(e) => error_page(&u, e),
    }
}

pub async fn save_unit(
    State(s): State<WebState>,
    u: User,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&u, &f) {
        return r;
    }
    if let Err(e) = admin_only(&u) {
        return error_page(&u, e);
    }
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let r = async {
        let existing = s.store.unit(&get("code")).await.ok();
        let rec = UnitRecord {
            code: get("code"),
            name: get("name"),
            kind: UnitKind::parse(&get("kind"))
                .ok_or_else(|| CoreError::invalid("Loại đơn vị không hợp lệ"))?,
            parent: Some(get("parent")).filter(|p| !p.is_empty()),
            valid_from: parse_date(&get("valid_from"))?,
            valid_to: match get("valid_to").as_str() {
                "" => None,
                d => Some(parse_date(d)?),
            },
            predecessors: existing
                .as_ref()
                .map(|e| e.predecessors.clone())
                .unwrap_or_default(),
            succession: existing.and_then(|e| e.succession),
        };
        s.store
            .import_units(vec![(1, rec)], &u.actor.username)
            .await
    }
    .await;
    let (flash, status) = match &r {
        Ok(sum) => (
            Flash::Ok(format!(
                "Đã lưu ({} mới, {} cập nhật).",
                sum.created, sum.updated
            )),
            StatusCode::OK,
        ),
        Err(e) => (Flash::Err(e.message.clone()), StatusCode::BAD_REQUEST),
    };
    let extra = match &r {
        Err(e) => problems(e),
        Ok(_) => html! {},
    };
    match units_body(&s, &u, &UnitQuery::default(), extra).await {
        Ok(b) => (status, page("Đơn vị", Some(&u), Some(flash), b)).into_response(),
        Err(e) => error_page(&u, e),
    }
}

async fn file_field(mp: &mut Multipart, u: &User) -> Result<(Vec<u8>, String), Response> {
    let mut csrf_ok = false;
    let mut bytes = Vec::new();
    let mut name = String::new();
    while let Ok(Some(field)) = mp.next_field().await {
        match field.name() {
            Some("csrf") => csrf_ok = field.text().await.is_ok_and(|t| t == u.csrf),
            Some("tep") => {
                name = field.file_name().unwrap_or_default().to_lowercase();
                bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(check_csrf(u, &[])
            .err()
            .unwrap_or_else(|| StatusCode::FORBIDDEN.into_response()));
    }
    Ok((bytes, name))
}

pub async fn import_units(State(s): State<WebState>, u: User, mut mp: Multipart) -> Response {
    let (bytes, name) = match file_field(&mut mp, &u).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(e) = admin_only(&u) {
        return error_page(&u, e);
    }
    let r = async {
        let text =
            std::str::from_utf8(&bytes).map_err(|_| CoreError::invalid("Tệp phải mã hóa UTF-8"))?;
        let recs = if name.ends_with(".json") {
            unit::parse_json(text)?
        } else {
            unit::parse_csv(text)?
        };
        s.store.import_units(recs, &u.actor.username).await
    }
    .await;
    let (flash, extra, status) = match r {
        Ok(sum) => (
            Flash::Ok(format!(
                "Đã nhập {} đơn vị: {} mới, {} cập nhật, {} không đổi.",
                sum.received, sum.created, sum.updated, sum.unchanged
            )),
            html! {},
            StatusCode::OK,
        ),
        Err(e) => (
            Flash::Err(e.message.clone()),
            problems(&e),
            StatusCode::BAD_REQUEST,
        ),
    };
    match units_body(&s, &u, &UnitQuery::default(), extra).await {
        Ok(b) => (status, page("Đơn vị", Some(&u), Some(flash), b)).into_response(),
        Err(e) => error_page(&u, e),
    }
}

async fn users_body(s: &WebState, u: &User) -> Result<Markup, CoreError> {
    let users = s.store.list_users().await?;
    Ok(html! {
        h1 { "Người dùng" }
        table { thead { tr { th { "Tên đăng nhập" } th { "Họ tên" } th { "Vai trò" } } }
            tbody { @for x in &users { tr { td { (x.username) } td { (x.full_name) } td { @for (r, c) in &x.roles { div { (r) " — " (c) } } } } } } }
        div.card style="margin-top:1rem;max-width:520px" {
            h2 { "Giao thêm vai trò cho người dùng đã có" }
            form method="post" action="/quan-tri/nguoi-dung" {
                (csrf(u))
                input type="hidden" name="grant" value="1";
                label for="g_username" { "Tên đăng nhập" } input #g_username type="text" name="username" required;
                label for="g_role" { "Vai trò" }
                select #g_role name="role" { option value="reporter" { "Cán bộ báo cáo" } option value="office" { "Thường trực" } option value="viewer" { "Lãnh đạo" } option value="admin" { "Quản trị" } }
                label for="g_unit" { "Mã đơn vị" } input #g_unit type="text" name="unit" required;
                p { button type="submit" { "Giao vai trò" } }
            }
        }
        div.card style="margin-top:1rem;max-width:520px" {
            h2 { "Thêm người dùng" }
            form method="post" action="/quan-tri/nguoi-dung" {
                (csrf(u))
                label for="username" { "Tên đăng nhập" } input #username type="text" name="username" required;
                label for="full_name" { "Họ tên" } input #full_name type="text" name="full_name" required;
                label for="password" { "Mật khẩu ban đầu (ít nhất 8 ký tự)" } input #password type="password" name="password" required minlength="8";
                label for="role" { "Vai trò" }
                select #role name="role" { option value="reporter" { "Cán bộ báo cáo" } option value="office" { "Thường trực" } option value="viewer" { "Lãnh đạo" } option value="admin" { "Quản trị" } }
                label for="unit" { "Mã đơn vị" } input #unit type="text" name="unit" required;
                p { button type="submit" { "Thêm" } }
            }
        }
    })
}

pub async fn users(State(s): State<WebState>, u: User) -> Response {
    if let Err(e) = admin_only(&u) {
        return error_page(&u, e);
    }
    match users_body(&s, &u).await {
        Ok(b) => page("Người dùng", Some(&u), None, b).into_response(),
        Err(e) => error_page(&u, e),
    }
}

pub async fn add_user(
    State(s): State<WebState>,
    u: User,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&u, &f) {
        return r;
    }
    if let Err(e) = admin_only(&u) {
        return error_page(&u, e);
    }
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let r = async {
        let role =
            Role::parse(&get("role")).ok_or_else(|| CoreError::invalid("Vai trò không hợp lệ"))?;
        s.store
            .create_user(
                &get("username"),
                &get("full_name"),
                &get("password"),
                &[(role, get("unit"))],
                &u.actor.username,
            )
            .await
    }
    .await;
    let (flash, status) = match r {
        Ok(_) => (
            Flash::Ok(format!("Đã thêm «{}».", get("username"))),
            StatusCode::OK,
        ),
        Err(e) => (Flash::Err(e.message), StatusCode::BAD_REQUEST),
    };
    match users_body(&s, &u).await {
        Ok(b) => (status, page("Người dùng", Some(&u), Some(flash), b)).into_response(),
        Err(e) => error_page(&u, e),
    }
}

async fn templates_body(s: &WebState, u: &User, extra: Markup) -> Result<Markup, CoreError> {
    let list = s.store.list_templates().await?;
    Ok(html! {
        h1 { "Mẫu báo cáo" }
        (extra)
        table { thead { tr { th { "Mã" } th { "Phiên bản" } th { "Tên" } th { "Mục" } th { "Chỉ tiêu" } th { "Đang dùng" } } }
            tbody { @for t in &list { tr {
                td { a href=(format!("/quan-tri/mau/{}?version={}", t.code, t.version)) { (t.code) } } td { (t.version) } td { (t.name) } td { (t.sections) } td { (t.indicators) } td { @if t.in_use { "có" } }
            } } } }
        div.card style="margin-top:1rem;max-width:520px" {
            h2 { "Nhập phiên bản mới (TOML)" }
            form method="post" action="/quan-tri/mau" enctype="multipart/form-data" {
                (csrf(u))
                input type="file" name="tep" accept=".toml" required;
                p { button type="submit" { "Nhập" } }
            }
        }
    })
}

pub async fn templates(State(s): State<WebState>, u: User) -> Response {
    if let Err(e) = admin_only(&u) {
        return error_page(&u, e);
    }
    match templates_body(&s, &u, html! {}).await {
        Ok(b) => page("Mẫu báo cáo", Some(&u), None, b).into_response(),
        Err(e) => error_page(&u, e),
    }
}

pub async fn import_template(State(s): State<WebState>, u: User, mut mp: Multipart) -> Response {
    let (bytes, _) = match file_field(&mut mp, &u).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(e) = admin_only(&u) {
        return error_page(&u, e);
    }
    let r = async {
        let text =
            std::str::from_utf8(&bytes).map_err(|_| CoreError::invalid("Tệp phải mã hóa UTF-8"))?;
        s.store.import_template(text, &u.actor.username).await
    }
    .await;
    let (flash, extra, status) = match r {
        Ok(t) => (
            Flash::Ok(format!("Đã nhập mẫu «{}» phiên bản {}.", t.code, t.version)),
            html! {},
            StatusCode::OK,
        ),
        Err(e) => (
            Flash::Err(e.message.clone()),
            problems(&e),
            StatusCode::BAD_REQUEST,
        ),
    };
    match templates_body(&s, &u, extra).await {
        Ok(b) => (status, page("Mẫu báo cáo", Some(&u), Some(flash), b)).into_response(),
        Err(e) => error_page(&u, e),
    }
}

#[derive(Deserialize)]
pub struct Version {
    version: Option<i64>,
}

pub async fn template_page(
    State(s): State<WebState>,
    u: User,
    Path(code): Path<String>,
    Query(v): Query<Version>,
) -> Response {
    if let Err(e) = admin_only(&u) {
        return error_page(&u, e);
    }
    let t = match s.store.template_by_code(&code, v.version).await {
        Ok((_, t)) => t,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        h1 { (t.def.name) " (v" (t.version()) ")" }
        @if !t.def.source.is_empty() { p.muted { "Nguồn: " (t.def.source) } }
        h2 { "Đề cương" }
        @for s in t.sections() { div.card { strong { (s.number) ". " (s.title) } @if !s.guidance.is_empty() { p.guidance { (s.guidance) } } } }
        h2 { "Chỉ tiêu" }
        table { thead { tr { th { "Mã" } th { "Tên" } th { "ĐVT" } th { "Tổng hợp" } th { "Thuộc" } } }
            tbody { @for i in t.indicators() { tr { td { (i.code) } td { (i.name) } td { (i.unit) } td { (format!("{:?}", i.aggregate).to_lowercase()) } td { (i.part_of.clone().unwrap_or_default()) } } } } }
        h2 { "Quy tắc kiểm tra" }
        ul { @for r in &t.rules { li { (r.message) } } }
    };
    page(&t.def.name, Some(&u), None, body).into_response()
}
