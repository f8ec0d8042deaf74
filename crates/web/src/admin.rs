//! The admin's pages, scoped to what the admin administers: the units tree
//! (browse one unit's children at a time, search with or without diacritics,
//! add, edit, import with the line-by-line error list), users and role grants,
//! templates.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use qcdc_app::units::UnitQuery;
use qcdc_app::{CoreError, PageReq, Role, templates, units, users};
use qcdc_core::period::{format_date, parse_date};
use qcdc_core::unit::{self, UnitKind, UnitRecord};
use serde::Deserialize;

use crate::WebState;
use crate::layout::{Flash, csrf, enc, error_page, page, pager, status_of};
use crate::session::{User, check_csrf, csrf_refused};

fn problems(e: &CoreError) -> Markup {
    html! {
        @if !e.problems.is_empty() {
            table { thead { tr { th { "Dòng" } th { "Lỗi" } } } tbody { @for p in &e.problems { tr { td { (p.line) } td { (p.message) } } } } }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct UnitQueryForm {
    q: Option<String>,
    all: Option<String>,
    don_vi: Option<String>,
    trang: Option<i64>,
}

async fn units_body(
    s: &WebState,
    u: &User,
    q: &UnitQueryForm,
    extra: Markup,
) -> Result<Markup, CoreError> {
    units::require_some_admin(&u.cx)?;
    let active_on = if q.all.is_some() {
        None
    } else {
        Some(s.app.today())
    };
    let req = PageReq::new(q.trang.unwrap_or(1), 100);
    let searching = q.q.as_deref().is_some_and(|x| !x.trim().is_empty());
    // without a search, browse the tree: one unit and its children, in Vietnamese order
    let current = match (&q.don_vi, searching) {
        (_, true) => None,
        (Some(code), false) => Some(units::get(&u.cx, code).await?.unit),
        (None, false) => {
            let mine = u.cx.actor().units_with(&[Role::Admin]);
            let roots = units::all(&u.cx, &UnitQuery::default()).await?;
            roots.into_iter().find(|x| mine.contains(&x.id))
        }
    };
    let list = units::list(
        &u.cx,
        &UnitQuery {
            q: q.q.clone().filter(|_| searching),
            active_on,
            kinds: vec![],
            under: current.as_ref().map(|c| c.code.clone()),
        },
        req,
    )
    .await?;
    let rows: Vec<_> = if searching {
        list.items.iter().map(|x| (0usize, x)).collect()
    } else {
        list.items
            .iter()
            .filter(|x| x.parent_id == current.as_ref().map(|c| c.id))
            .map(|x| (1usize, x))
            .collect()
    };
    let base = format!(
        "/quan-tri/don-vi?q={}&don_vi={}&{}",
        enc(q.q.as_deref().unwrap_or("")),
        enc(q.don_vi.as_deref().unwrap_or("")),
        if q.all.is_some() { "all=1&" } else { "" }
    );
    Ok(html! {
        h1 { "Đơn vị" }
        (extra)
        form method="get" action="/quan-tri/don-vi" {
            div.grid2 {
                div { label for="q" { "Tìm theo tên hoặc mã (có hoặc không dấu)" } input #q type="text" name="q" value=(q.q.clone().unwrap_or_default()); }
                div { label { input type="checkbox" name="all" value="1" checked[q.all.is_some()]; " Gồm cả đơn vị đã giải thể, sáp nhập" } button type="submit" { "Tìm" } }
            }
        }
        table {
            thead { tr { th { "Mã" } th { "Tên" } th { "Loại" } th { "Cấp trên" } th { "Hiệu lực" } th { "Kế thừa" } } }
            tbody {
                @if let Some(c) = &current {
                    tr {
                        td { (c.code) } td style="padding-left:.5rem" { strong { (c.name) } " " a href=(format!("/quan-tri/van-ban/{}", enc(&c.code))) { "Thiết lập văn bản" } } td { (c.kind_label) }
                        td { @if let Some(p) = &c.parent_code { a href=(format!("/quan-tri/don-vi?don_vi={}", enc(p))) { "‹ " (p) } } }
                        td { (format_date(c.valid_from)) " – " (c.valid_to.map(format_date).unwrap_or_default()) } td {}
                    }
                }
                @for (depth, x) in &rows { tr {
                    td { (x.code) } td style=(format!("padding-left:{}rem", 0.5 + (*depth as f64) * 1.5)) { a href=(format!("/quan-tri/don-vi?don_vi={}", enc(&x.code))) { (x.name) } " · " a.muted href=(format!("/quan-tri/van-ban/{}", enc(&x.code))) { "văn bản" } } td { (x.kind_label) } td { (x.parent_code.clone().unwrap_or_default()) }
                    td { (format_date(x.valid_from)) " – " (x.valid_to.map(format_date).unwrap_or_default()) }
                    td { @if !x.predecessors.is_empty() { (x.succession.map(|s| match s { qcdc_core::unit::Succession::Merged => "sáp nhập từ", qcdc_core::unit::Succession::Split => "chia tách từ", qcdc_core::unit::Succession::Renamed => "đổi tên từ" }).unwrap_or("kế thừa")) " " (x.predecessors.join(", ")) } }
                } }
            }
        }
        (pager(&list, &base))
        div.grid2 style="margin-top:1rem" {
            div.card {
                h2 { "Thêm hoặc sửa một đơn vị" }
                form method="post" action="/quan-tri/don-vi" {
                    (csrf(u))
                    label for="code" { "Mã" } input #code type="text" name="code" required;
                    label for="name" { "Tên" } input #name type="text" name="name" required;
                    label for="kind" { "Loại" } select #kind name="kind" { @for k in UnitKind::ALL { option value=(k.as_str()) { (k.label_vi()) } } }
                    label for="parent" { "Mã đơn vị cấp trên" } input #parent type="text" name="parent" value=(current.as_ref().map(|c| c.code.clone()).unwrap_or_default());
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

pub async fn units(State(s): State<WebState>, u: User, Query(q): Query<UnitQueryForm>) -> Response {
    match units_body(&s, &u, &q, html! {}).await {
        Ok(b) => page("Đơn vị", Some(&u), None, b).into_response(),
        Err(e) => error_page(&u, e),
    }
}

async fn units_after(
    s: &WebState,
    u: &User,
    r: Result<qcdc_app::views::ImportSummary, CoreError>,
    ok: impl Fn(&qcdc_app::views::ImportSummary) -> String,
) -> Response {
    let (flash, extra, status) = match r {
        Ok(sum) => (Flash::Ok(ok(&sum)), html! {}, StatusCode::OK),
        Err(e) => (
            Flash::Err(e.message.clone()),
            problems(&e),
            status_of(e.code),
        ),
    };
    match units_body(s, u, &UnitQueryForm::default(), extra).await {
        Ok(b) => (status, page("Đơn vị", Some(u), Some(flash), b)).into_response(),
        Err(e) => error_page(u, e),
    }
}

pub async fn save_unit(
    State(s): State<WebState>,
    u: User,
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
        units::require_some_admin(&u.cx)?;
        let existing = units::get(&u.cx, &get("code")).await.ok().map(|d| d.unit);
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
        units::import(&u.cx, vec![(1, rec)]).await
    }
    .await;
    units_after(&s, &u, r, |sum| {
        format!("Đã lưu ({} mới, {} cập nhật).", sum.created, sum.updated)
    })
    .await
}

async fn file_field(
    s: &WebState,
    mp: &mut Multipart,
    u: &User,
) -> Result<(Vec<u8>, String), Response> {
    let up = crate::session::read_upload(s, u, mp, crate::ADMIN_UPLOAD_LIMIT >> 20)
        .await
        .map_err(|e| crate::layout::error_page(u, e))?;
    if !up.csrf_ok {
        return Err(csrf_refused(u));
    }
    Ok((up.bytes, up.name))
}

pub async fn import_units(State(s): State<WebState>, u: User, mut mp: Multipart) -> Response {
    let (bytes, name) = match file_field(&s, &mut mp, &u).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = async {
        units::require_some_admin(&u.cx)?;
        let text =
            std::str::from_utf8(&bytes).map_err(|_| CoreError::invalid("Tệp phải mã hóa UTF-8"))?;
        let recs = if name.ends_with(".json") {
            unit::parse_json(text)?
        } else {
            unit::parse_csv(text)?
        };
        units::import(&u.cx, recs).await
    }
    .await;
    units_after(&s, &u, r, |sum| {
        format!(
            "Đã nhập {} đơn vị: {} mới, {} cập nhật, {} không đổi.",
            sum.received, sum.created, sum.updated, sum.unchanged
        )
    })
    .await
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    q: Option<String>,
    trang: Option<i64>,
}

async fn users_body(u: &User, q: &UsersQuery, extra: Markup) -> Result<Markup, CoreError> {
    let list = users::list(
        &u.cx,
        q.q.as_deref().filter(|x| !x.trim().is_empty()),
        PageReq::new(q.trang.unwrap_or(1), 100),
    )
    .await?;
    let role_options = html! { @for r in [Role::Reporter, Role::Office, Role::Viewer, Role::Admin] { option value=(r.as_str()) { (r.label_vi()) } } };
    Ok(html! {
        h1 { "Người dùng" }
        (extra)
        form method="get" action="/quan-tri/nguoi-dung" {
            label for="uq" { "Tìm theo tên đăng nhập hoặc họ tên (có hoặc không dấu)" }
            input #uq type="text" name="q" value=(q.q.clone().unwrap_or_default());
            p { button.secondary type="submit" { "Tìm" } }
        }
        table { thead { tr { th { "Tên đăng nhập" } th { "Họ tên" } th { "Thư điện tử" } th { "Vai trò" } th { "Tình trạng" } th { "Thao tác" } } }
            tbody { @for x in &list.items { tr {
                td { (x.username) } td { (x.full_name) } td { (x.email.clone().unwrap_or_default()) }
                td { @for g in &x.roles { div { (g.role.label_vi()) " — " (g.unit_code) } } }
                td {
                    @if x.active { "đang dùng" } @else { span.late { "đã khóa" } }
                    @if x.must_change_password { br; span.muted { "chờ đổi mật khẩu tạm" } }
                }
                td { (user_actions(u, x)) }
            } } } }
        (pager(&list, &format!("/quan-tri/nguoi-dung?q={}&", enc(q.q.as_deref().unwrap_or("")))))
        div.card style="margin-top:1rem;max-width:520px" {
            h2 { "Giao thêm vai trò cho người dùng đã có" }
            form method="post" action="/quan-tri/nguoi-dung/vai-tro" {
                (csrf(u))
                label for="g_username" { "Tên đăng nhập" } input #g_username type="text" name="username" required;
                label for="g_role" { "Vai trò" } select #g_role name="role" { (role_options) }
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
                label for="email" { "Thư điện tử (không bắt buộc; để nhận thư nhắc nộp báo cáo)" } input #email type="email" name="email";
                label for="password" { "Mật khẩu ban đầu (ít nhất 8 ký tự)" } input #password type="password" name="password" required minlength="8";
                label for="role" { "Vai trò" } select #role name="role" { (role_options) }
                label for="unit" { "Mã đơn vị" } input #unit type="text" name="unit" required;
                p { button type="submit" { "Thêm" } }
            }
        }
        div.card style="margin-top:1rem;max-width:720px" {
            h2 { "Nhập nhiều người dùng từ tệp CSV" }
            p.guidance {
                "Dòng đầu: " code { "username,full_name,email,role,unit,password" }
                ". Vai trò: reporter, office, viewer, admin (hoặc Cán bộ báo cáo, Thường trực, Lãnh đạo, Quản trị); unit là mã đơn vị trong phạm vi quản trị của bạn; password là mật khẩu tạm (ít nhất 8 ký tự) — người dùng phải đổi khi đăng nhập lần đầu. "
                "Tệp có bất kỳ dòng lỗi nào bị từ chối toàn bộ, kèm danh sách lỗi theo dòng."
            }
            form method="post" action="/quan-tri/nguoi-dung/nhap" enctype="multipart/form-data" {
                (csrf(u))
                input type="file" name="tep" accept=".csv" required;
                p { button type="submit" { "Nhập" } }
            }
        }
    })
}

/// The actions on one user: disable or enable, a temporary password, the e-mail.
fn user_actions(u: &User, x: &qcdc_app::UserInfo) -> Markup {
    let base = format!("/quan-tri/nguoi-dung/{}", enc(&x.username));
    html! {
        details { summary { "Thao tác" }
            p { a href=(format!("{base}/phien")) { "Phiên đăng nhập, mã truy cập và nhật ký" } }
            @if x.active {
                form method="post" action=(format!("{base}/khoa")) data-confirm=(format!("Khóa tài khoản «{}»? Người này sẽ bị đăng xuất và không đăng nhập được nữa.", x.username)) {
                    (csrf(u)) button.danger type="submit" { "Khóa tài khoản" }
                }
            } @else {
                form method="post" action=(format!("{base}/mo-khoa")) { (csrf(u)) button.secondary type="submit" { "Mở khóa" } }
            }
            form method="post" action=(format!("{base}/dat-lai-mat-khau")) {
                (csrf(u))
                label for=(format!("tmp-{}", x.id)) { "Mật khẩu tạm (để trống để tạo tự động)" }
                input id=(format!("tmp-{}", x.id)) type="text" name="password" minlength="8" autocomplete="off";
                button.secondary type="submit" { "Đặt lại mật khẩu" }
            }
            form method="post" action=(format!("{base}/thu-dien-tu")) {
                (csrf(u))
                label for=(format!("em-{}", x.id)) { "Thư điện tử" }
                input id=(format!("em-{}", x.id)) type="email" name="email" value=(x.email.clone().unwrap_or_default());
                button.secondary type="submit" { "Lưu thư điện tử" }
            }
        }
    }
}

async fn users_after(u: &User, r: Result<String, CoreError>) -> Response {
    let (flash, extra, status) = match r {
        Ok(m) => (Flash::Ok(m), html! {}, StatusCode::OK),
        Err(e) => (
            Flash::Err(e.message.clone()),
            problems(&e),
            status_of(e.code),
        ),
    };
    match users_body(u, &UsersQuery::default(), extra).await {
        Ok(b) => (status, page("Người dùng", Some(u), Some(flash), b)).into_response(),
        Err(e) => error_page(u, e),
    }
}

pub async fn users(u: User, Query(q): Query<UsersQuery>) -> Response {
    match users_body(&u, &q, html! {}).await {
        Ok(b) => page("Người dùng", Some(&u), None, b).into_response(),
        Err(e) => error_page(&u, e),
    }
}

fn field<'a>(f: &'a [(String, String)], k: &str) -> &'a str {
    f.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

pub async fn add_user(
    State(s): State<WebState>,
    u: User,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let r = async {
        let role = Role::parse(field(&f, "role"))
            .ok_or_else(|| CoreError::invalid("Vai trò không hợp lệ"))?;
        users::create_with_email(
            &u.cx,
            &users::NewUser {
                username: field(&f, "username").into(),
                full_name: field(&f, "full_name").into(),
                password: field(&f, "password").into(),
                roles: vec![(role, field(&f, "unit").into())],
            },
            Some(field(&f, "email")),
        )
        .await?;
        Ok(format!("Đã thêm «{}».", field(&f, "username")))
    }
    .await;
    users_after(&u, r).await
}

pub async fn grant_role(
    State(s): State<WebState>,
    u: User,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let r = async {
        let role = Role::parse(field(&f, "role"))
            .ok_or_else(|| CoreError::invalid("Vai trò không hợp lệ"))?;
        users::grant(&u.cx, field(&f, "username"), role, field(&f, "unit")).await?;
        Ok(format!(
            "Đã giao vai trò «{}» tại «{}» cho «{}».",
            role.label_vi(),
            field(&f, "unit"),
            field(&f, "username")
        ))
    }
    .await;
    users_after(&u, r).await
}

/// Imports users from a CSV file: all or nothing, errors listed by line.
pub async fn import_users(State(s): State<WebState>, u: User, mut mp: Multipart) -> Response {
    let (bytes, _) = match file_field(&s, &mut mp, &u).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = async {
        let text =
            std::str::from_utf8(&bytes).map_err(|_| CoreError::invalid("Tệp phải mã hóa UTF-8"))?;
        let recs = qcdc_core::user_import::parse_csv(text)?;
        users::import(&u.cx, recs).await
    }
    .await
    .map(|sum| {
        format!(
            "Đã nhập {} người dùng: {}. Mỗi người phải đổi mật khẩu tạm khi đăng nhập lần đầu.",
            sum.created,
            sum.usernames.join(", ")
        )
    });
    users_after(&u, r).await
}

/// Disables an account (its sessions end).
pub async fn disable_user(
    State(s): State<WebState>,
    u: User,
    Path(username): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let r = users::set_active(&u.cx, &username, false).await.map(|()| {
        format!("Đã khóa tài khoản «{username}»; các phiên đăng nhập của tài khoản đã kết thúc.")
    });
    users_after(&u, r).await
}

/// Enables an account again.
pub async fn enable_user(
    State(s): State<WebState>,
    u: User,
    Path(username): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let r = users::set_active(&u.cx, &username, true)
        .await
        .map(|()| format!("Đã mở khóa tài khoản «{username}»."));
    users_after(&u, r).await
}

/// Gives a temporary password, shown once to the admin.
pub async fn reset_password(
    State(s): State<WebState>,
    u: User,
    Path(username): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let r = users::reset_password(&u.cx, &username, Some(field(&f, "password")))
        .await
        .map(|p| {
            format!(
                "Mật khẩu tạm của «{username}»: {p} — hãy trao tận tay cho người dùng; khi đăng nhập họ phải đổi mật khẩu này."
            )
        });
    users_after(&u, r).await
}

/// Sets or clears a user's e-mail address.
pub async fn set_email(
    State(s): State<WebState>,
    u: User,
    Path(username): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let r = users::set_email(&u.cx, &username, field(&f, "email"))
        .await
        .map(|()| format!("Đã lưu thư điện tử của «{username}»."));
    users_after(&u, r).await
}

async fn templates_body(u: &User, extra: Markup) -> Result<Markup, CoreError> {
    units::require_some_admin(&u.cx)?;
    let list = templates::list(&u.cx).await?;
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

pub async fn templates(u: User) -> Response {
    match templates_body(&u, html! {}).await {
        Ok(b) => page("Mẫu báo cáo", Some(&u), None, b).into_response(),
        Err(e) => error_page(&u, e),
    }
}

pub async fn import_template(State(s): State<WebState>, u: User, mut mp: Multipart) -> Response {
    let (bytes, _) = match file_field(&s, &mut mp, &u).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = async {
        let text =
            std::str::from_utf8(&bytes).map_err(|_| CoreError::invalid("Tệp phải mã hóa UTF-8"))?;
        templates::import(&u.cx, text).await
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
            status_of(e.code),
        ),
    };
    match templates_body(&u, extra).await {
        Ok(b) => (status, page("Mẫu báo cáo", Some(&u), Some(flash), b)).into_response(),
        Err(e) => error_page(&u, e),
    }
}

#[derive(Deserialize)]
pub struct Version {
    version: Option<i64>,
}

pub async fn template_page(
    u: User,
    Path(code): Path<String>,
    Query(v): Query<Version>,
) -> Response {
    let t = match templates::get(&u.cx, &code, v.version).await {
        Ok((_, t)) => t,
        Err(e) => return error_page(&u, e),
    };
    let agg = |a: qcdc_core::template::Aggregate| match a {
        qcdc_core::template::Aggregate::Sum => "cộng dồn",
        qcdc_core::template::Aggregate::Ratio => "tỷ lệ tính lại từ tử số, mẫu số",
        qcdc_core::template::Aggregate::None => "không cộng dồn (liệt kê từng đơn vị)",
    };
    let body = html! {
        h1 { (t.def.name) " (phiên bản " (t.version()) ")" }
        @if !t.def.source.is_empty() { p.muted { "Nguồn: " (t.def.source) } }
        h2 { "Đề cương" }
        @for s in t.sections() { div.card { strong { (s.number) ". " (s.title) } @if !s.guidance.is_empty() { p.guidance { (s.guidance) } } } }
        h2 { "Chỉ tiêu" }
        table { thead { tr { th { "Mã" } th { "Tên" } th { "Đơn vị tính" } th { "Cách tổng hợp" } th { "Thuộc chỉ tiêu" } } }
            tbody { @for i in t.indicators() { tr { td { (i.code) } td { (i.name) } td { (i.unit) } td { (agg(i.aggregate)) } td { (i.part_of.clone().unwrap_or_default()) } } } } }
        h2 { "Quy tắc kiểm tra" }
        ul { @for r in &t.rules { li { (r.message) } } }
    };
    page(&t.def.name, Some(&u), None, body).into_response()
}

/// The server's settings an admin should know: whether reminders go out by
/// e-mail, and how to turn it on.
pub async fn settings(u: User) -> Response {
    let r = async {
        units::require_some_admin(&u.cx)?;
        qcdc_app::reminders::mail_status(&u.cx).await
    }
    .await;
    let st = match r {
        Ok(st) => st,
        Err(e) => return error_page(&u, e),
    };
    let body = html! {
        h1 { "Cài đặt" }
        div.card {
            h2 style="margin-top:0" { "Thư điện tử nhắc nộp báo cáo" }
            @if st.configured {
                p { span.badge.b-accepted { "đang bật" } " " (st.explanation) }
                table { tbody {
                    tr { th { "Máy chủ thư" } td { (st.server.clone().unwrap_or_default()) } }
                    tr { th { "Người gửi" } td { (st.from.clone().unwrap_or_default()) } }
                    tr { th { "Địa chỉ trang trong thư" } td { (st.public_url.clone().unwrap_or_default()) } }
                } }
            } @else {
                p { span.badge.b-returned { "chưa bật" } " " (st.explanation) }
            }
            p.guidance {
                "Cấu hình khi chạy máy chủ: «qcdc serve --smtp-url smtp://máy-chủ:587?tls=required --smtp-from \"Ban Dân vận <bdv@…>\" --public-url https://…» "
                "(hoặc biến môi trường QCDC_SMTP_URL, QCDC_SMTP_FROM, QCDC_PUBLIC_URL). "
                "Người dùng nhận thư khi tài khoản có địa chỉ thư điện tử (trang Người dùng)."
            }
        }
        div.card {
            h2 style="margin-top:0" { "Lịch nhắc tự động" }
            p { "Máy chủ kiểm tra lịch nhắc 10 phút một lần. Mặc định mỗi đợt báo cáo nhắc các đơn vị chưa nộp 3 ngày trước hạn, đúng ngày hạn và khi quá hạn 3 ngày một lần, tối đa 3 lần; thường trực sửa lịch của từng đợt trên trang đợt báo cáo." }
        }
    };
    page("Cài đặt", Some(&u), None, body).into_response()
}

fn sign_ins_body(
    u: &User,
    username: &str,
    list: &[users::SignInInfo],
    history: &[qcdc_app::AuditEntry],
) -> Markup {
    let base = format!("/quan-tri/nguoi-dung/{}", enc(username));
    html! {
        p.muted { a href="/quan-tri/nguoi-dung" { "← Người dùng" } }
        h1 { "Tài khoản «" (username) "»" }
        section.card {
            h2 { "Phiên đăng nhập và mã truy cập còn hiệu lực" }
            @if list.is_empty() {
                p.muted { "Không có phiên đăng nhập hay mã truy cập nào còn hiệu lực." }
            } @else {
                table { thead { tr { th { "Loại" } th { "Tạo lúc" } th { "Dùng gần nhất" } th { "Hết hạn" } th {} } }
                    tbody { @for t in list { tr {
                        td { (t.kind.label_vi()) }
                        td { (crate::layout::when(&t.created_at)) }
                        td { (t.last_seen_at.as_deref().map(crate::layout::when).unwrap_or_else(|| "chưa dùng".into())) }
                        td { (crate::layout::when(&t.expires_at)) }
                        td { form method="post" action=(format!("{base}/phien/thu-hoi")) {
                            (csrf(u)) input type="hidden" name="id" value=(t.id);
                            button.secondary type="submit" { "Thu hồi" }
                        } }
                    } } }
                }
                form method="post" action=(format!("{base}/phien/thu-hoi")) data-confirm=(format!("Thu hồi mọi phiên đăng nhập và mã truy cập của «{username}»?")) {
                    (csrf(u)) button.danger type="submit" { "Thu hồi tất cả" }
                }
            }
        }
        section.card style="margin-top:1rem" {
            h2 { "Nhật ký quản trị tài khoản" }
            @if history.is_empty() { p.muted { "Chưa có thao tác nào." } } @else {
                table { thead { tr { th { "Lúc" } th { "Người thực hiện" } th { "Thao tác" } th { "Chi tiết" } } }
                    tbody { @for h in history { tr {
                        td { (crate::layout::when(&h.at)) }
                        td { (h.actor) }
                        td { (action_vi(&h.action)) }
                        td { (h.field.clone().unwrap_or_default()) " " (h.new_value.clone().unwrap_or_default()) }
                    } } }
                }
            }
        }
    }
}

/// A user-administration action of the audit log, in Vietnamese.
fn action_vi(action: &str) -> &str {
    match action {
        "user_create" => "Tạo tài khoản",
        "grant" => "Giao vai trò",
        "user_disable" => "Khóa tài khoản",
        "user_enable" => "Mở khóa tài khoản",
        "password_reset" => "Đặt mật khẩu tạm",
        "password_change" => "Tự đổi mật khẩu",
        "user_email" => "Đổi thư điện tử",
        "sign_in_revoke" => "Thu hồi một phiên đăng nhập",
        "sign_in_revoke_all" => "Thu hồi mọi phiên đăng nhập",
        _ => "Thao tác khác",
    }
}

async fn sign_ins_response(
    u: &User,
    username: &str,
    flash: Option<Flash>,
    status: StatusCode,
) -> Response {
    let r = async {
        Ok::<_, CoreError>((
            users::sign_ins(&u.cx, username).await?,
            users::history(&u.cx, username).await?,
        ))
    }
    .await;
    match r {
        Ok((list, history)) => (
            status,
            page(
                "Phiên đăng nhập",
                Some(u),
                flash,
                sign_ins_body(u, username, &list, &history),
            ),
        )
            .into_response(),
        Err(e) => error_page(u, e),
    }
}

/// A user's live sessions and API tokens, with revoke buttons, and the user's
/// administration log.
pub async fn sign_ins_page(u: User, Path(username): Path<String>) -> Response {
    sign_ins_response(&u, &username, None, StatusCode::OK).await
}

/// Revokes one session or token (`id`), or all of them (no `id`).
pub async fn revoke_sign_ins(
    State(s): State<WebState>,
    u: User,
    Path(username): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = check_csrf(&s, &u, &f) {
        return r;
    }
    let id = f
        .iter()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty());
    let r = match id {
        Some(v) => match v.parse::<i64>() {
            Ok(id) => users::revoke_sign_in(&u.cx, &username, id)
                .await
                .map(|()| "Đã thu hồi phiên đăng nhập.".to_string()),
            Err(_) => Err(CoreError::invalid("Số phiên đăng nhập không hợp lệ")),
        },
        None => users::revoke_all_sign_ins(&u.cx, &username)
            .await
            .map(|()| format!("Đã thu hồi mọi phiên đăng nhập và mã truy cập của «{username}».")),
    };
    match r {
        Ok(m) => sign_ins_response(&u, &username, Some(Flash::Ok(m)), StatusCode::OK).await,
        Err(e) if e.code == qcdc_app::ErrorCode::Forbidden => error_page(&u, e),
        Err(e) => {
            let status = status_of(e.code);
            sign_ins_response(&u, &username, Some(Flash::Err(e.message)), status).await
        }
    }
}
