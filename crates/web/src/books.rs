//! The simple registers of a unit — dialogues (sổ đối thoại), inspections and
//! supervision (sổ kiểm tra, giám sát), "Dân vận khéo" models (sổ mô hình) — and
//! the registers' hub (`/so-theo-doi`). Each register: a list of a date window,
//! by page, of the unit or its whole subtree, and an entry form for a clerk
//! (keyboard only, the date first and focused with today filled in, Enter or
//! Alt+G sends; counts start at 0, the year registered at this year, the fixed
//! lists — inspecting body, collective or individual, level — are selects); a
//! refused entry shows the Vietnamese reason above the form, which keeps what was
//! typed. The lists show each register's details ("—" where an entry recorded
//! before migration 10 did not know them). Rights and rules are the use cases'
//! (`registers::simple`, `registers::hub`).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};
use qcdc_app::registers::hub;
use qcdc_app::registers::simple::{self, EntryInput, Register};
use qcdc_app::{CoreError, ErrorCode, PageReq};
use qcdc_core::period::{format_date, parse_date};
use qcdc_core::registers::entries::{
    EntryDetail, InspectionBody, ModelHolder, ModelLevel, districts_abolished,
};
use qcdc_core::registers::source::InspectionKind;
use serde::Deserialize;

use crate::WebState;
use crate::layout::{Flash, csrf, enc, error_page, page, pager, status_of};
use crate::session::{User, check_csrf};

/// Rows on a page of a register.
pub const PER_PAGE: i64 = 50;

/// One simple register as the pages show it.
#[derive(Clone, Copy)]
struct Book {
    which: Register,
    /// The register's code for its Excel book (`excel::Book::parse`).
    code: &'static str,
    path: &'static str,
    title: &'static str,
    /// What one entry is, for "Chưa có … nào".
    entry: &'static str,
    date_label: &'static str,
    title_label: &'static str,
    saved: &'static str,
}

const DIALOGUES: Book = Book {
    which: Register::Dialogues,
    code: "dialogues",
    path: "/so-doi-thoai",
    title: "Sổ theo dõi đối thoại trực tiếp",
    entry: "cuộc đối thoại",
    date_label: "Ngày đối thoại",
    title_label: "Chủ đề, nội dung đối thoại",
    saved: "Đã ghi cuộc đối thoại vào sổ.",
};

const INSPECTIONS: Book = Book {
    which: Register::Inspections,
    code: "inspections",
    path: "/so-kiem-tra",
    title: "Sổ theo dõi kiểm tra, giám sát",
    entry: "cuộc kiểm tra, giám sát",
    date_label: "Ngày kiểm tra, giám sát",
    title_label: "Nội dung kiểm tra, giám sát",
    saved: "Đã ghi cuộc kiểm tra, giám sát vào sổ.",
};

const MODELS: Book = Book {
    which: Register::Models,
    code: "models",
    path: "/so-mo-hinh",
    title: "Sổ theo dõi mô hình «Dân vận khéo»",
    entry: "mô hình",
    date_label: "Ngày công nhận",
    title_label: "Tên mô hình",
    saved: "Đã ghi mô hình «Dân vận khéo» vào sổ.",
};

#[derive(Deserialize, Default)]
pub struct BookQuery {
    /// From (dd/mm/yyyy); by default 1 January of this year.
    pub tu: Option<String>,
    /// To (dd/mm/yyyy); by default today.
    pub den: Option<String>,
    /// `1`: the unit and every unit below it.
    pub cay: Option<String>,
    pub trang: Option<i64>,
    pub tb: Option<String>,
}

/// What the clerk typed, given back when an entry is refused.
#[derive(Default)]
struct Typed {
    date: String,
    title: String,
    number: String,
    kind: String,
    field: String,
    leader_name: String,
    leader_position: String,
    raised: String,
    answered: String,
    body: String,
    team: String,
    inspected: String,
    findings: String,
    made: String,
    done: String,
    holder: String,
    level: String,
    year: String,
    commended: bool,
    commended_by: String,
}

impl Typed {
    /// A fresh form: today's date, this year, zero counts, the usual choices.
    fn fresh(today: NaiveDate) -> Typed {
        Typed {
            date: format_date(today),
            raised: "0".into(),
            answered: "0".into(),
            made: "0".into(),
            done: "0".into(),
            holder: ModelHolder::Collective.as_str().into(),
            level: ModelLevel::Commune.as_str().into(),
            year: today.year().to_string(),
            ..Default::default()
        }
    }

    fn of_form(f: &[(String, String)]) -> Typed {
        Typed {
            date: field(f, "ngay"),
            title: field(f, "noi_dung"),
            number: field(f, "so_nguoi"),
            kind: field(f, "loai"),
            field: field(f, "linh_vuc"),
            leader_name: field(f, "chu_tri"),
            leader_position: field(f, "chuc_vu"),
            raised: field(f, "van_de_neu"),
            answered: field(f, "van_de_tra_loi"),
            body: field(f, "co_quan"),
            team: field(f, "doan"),
            inspected: field(f, "doi_tuong"),
            findings: field(f, "ket_qua"),
            made: field(f, "kien_nghi"),
            done: field(f, "kien_nghi_xong"),
            holder: field(f, "chu_the"),
            level: field(f, "cap"),
            year: field(f, "nam_dang_ky"),
            commended: !field(f, "khen_thuong").is_empty(),
            commended_by: field(f, "khen_boi"),
        }
    }
}

/// A count as shown: "—" when the entry was recorded before it was kept.
fn opt_count(v: Option<u32>) -> String {
    v.map_or_else(|| "—".to_string(), |n| n.to_string())
}

fn level_label(l: ModelLevel) -> String {
    if l == ModelLevel::District {
        format!(
            "{} (trước {})",
            l.label_vi(),
            format_date(districts_abolished())
        )
    } else {
        l.label_vi().to_string()
    }
}

fn window(q: &BookQuery, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), CoreError> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(parse_date)
            .transpose()
    };
    let from = given(&q.tu)?
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = given(&q.den)?.unwrap_or(today);
    if from > to {
        return Err(CoreError::new(
            ErrorCode::InvalidDate,
            format!(
                "Từ ngày {} sau đến ngày {}",
                format_date(from),
                format_date(to)
            ),
        ));
    }
    Ok((from, to))
}

fn entry_form(u: &User, b: Book, unit: &str, t: &Typed) -> Markup {
    html! {
        h2 { "Ghi vào sổ" }
        form method="post" action=(format!("{}/{unit}", b.path)) {
            (csrf(u))
            div.grid {
                label { (b.date_label) " (dd/mm/yyyy) "
                    input name="ngay" value=(t.date) required autofocus placeholder="dd/mm/yyyy"
                        inputmode="numeric" pattern="[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}";
                }
                @if b.which == Register::Inspections {
                    label { "Hình thức "
                        select name="loai" required {
                            @for k in [InspectionKind::Inspection, InspectionKind::Supervision] {
                                option value=(k.as_str()) selected[t.kind == k.as_str()] { (k.label_vi()) }
                            }
                        }
                    }
                }
                @if b.which == Register::Inspections {
                    label { "Cơ quan, tổ chức thực hiện "
                        select name="co_quan" required {
                            option value="" selected[t.body.is_empty()] { "— Chọn —" }
                            @for k in InspectionBody::ALL {
                                option value=(k.as_str()) selected[t.body == k.as_str()] { (k.label_vi()) }
                            }
                        }
                    }
                }
                label { (b.title_label) " "
                    input name="noi_dung" value=(t.title) required maxlength="500";
                }
                @if b.which == Register::Dialogues {
                    label { "Người chủ trì (họ tên) "
                        input name="chu_tri" value=(t.leader_name) required maxlength="200";
                    }
                    label { "Chức vụ "
                        input name="chuc_vu" value=(t.leader_position) required maxlength="200"
                            placeholder="Chủ tịch UBND xã";
                    }
                    label { "Số người tham dự "
                        input name="so_nguoi" value=(t.number) inputmode="numeric" pattern="[0-9]*";
                    }
                    label { "Số vấn đề người dân nêu "
                        input name="van_de_neu" value=(t.raised) inputmode="numeric" pattern="[0-9]*";
                    }
                    label { "Số vấn đề đã trả lời "
                        input name="van_de_tra_loi" value=(t.answered) inputmode="numeric" pattern="[0-9]*";
                    }
                }
                @if b.which == Register::Inspections {
                    label { "Đoàn kiểm tra, giám sát "
                        input name="doan" value=(t.team) maxlength="500";
                    }
                    label { "Đơn vị được kiểm tra, giám sát "
                        input name="doi_tuong" value=(t.inspected) required maxlength="1000";
                    }
                    label { "Kết quả, phát hiện "
                        textarea name="ket_qua" rows="2" maxlength="4000" { (t.findings) }
                    }
                    label { "Số kiến nghị "
                        input name="kien_nghi" value=(t.made) inputmode="numeric" pattern="[0-9]*";
                    }
                    label { "Số kiến nghị đã thực hiện "
                        input name="kien_nghi_xong" value=(t.done) inputmode="numeric" pattern="[0-9]*";
                    }
                }
                @if b.which == Register::Models {
                    label { "Lĩnh vực "
                        input name="linh_vuc" value=(t.field) required maxlength="200";
                    }
                    label { "Tập thể hay cá nhân "
                        select name="chu_the" required {
                            @for h in ModelHolder::ALL {
                                option value=(h.as_str()) selected[t.holder == h.as_str()] { (h.label_vi()) }
                            }
                        }
                    }
                    label { "Cấp công nhận "
                        select name="cap" required {
                            @for l in ModelLevel::ALL {
                                option value=(l.as_str()) selected[t.level == l.as_str()] { (level_label(l)) }
                            }
                        }
                    }
                    label { "Năm đăng ký "
                        input name="nam_dang_ky" value=(t.year) required inputmode="numeric" pattern="[0-9]{4}";
                    }
                    label {
                        input type="checkbox" name="khen_thuong" value="1" checked[t.commended];
                        " Được khen thưởng"
                    }
                    label { "Cơ quan khen thưởng "
                        input name="khen_boi" value=(t.commended_by) maxlength="300";
                    }
                }
            }
            button type="submit" accesskey="g" { "Ghi vào sổ" }
            " " span.muted { "(Enter hoặc Alt+G)" }
        }
    }
}

/// The list page of a register, with the entry form (filled with `typed`) and an
/// optional message; the status is the message's when it is an error.
async fn render(
    s: &WebState,
    u: &User,
    b: Book,
    unit: &str,
    q: &BookQuery,
    typed: Option<Typed>,
    flash: Option<(StatusCode, Flash)>,
) -> Response {
    let today = s.app.today();
    let subtree = q.cay.as_deref() == Some("1");
    let r = async {
        let (from, to) = window(q, today)?;
        let list = simple::page(
            &u.cx,
            b.which,
            unit,
            subtree,
            from,
            to,
            PageReq::new(q.trang.unwrap_or(1), PER_PAGE),
        )
        .await?;
        let may_record = qcdc_app::registers::petitions::can_record(&u.cx, unit).await?;
        Ok::<_, CoreError>((from, to, list, may_record))
    }
    .await;
    let (from, to, list, may_record) = match r {
        Ok(v) => v,
        Err(e) => return error_page(u, e),
    };
    let typed = typed.unwrap_or_else(|| Typed::fresh(today));
    let (tu, den) = (format_date(from), format_date(to));
    let here = format!("{}/{unit}", b.path);
    let window_q = format!("tu={}&den={}", enc(&tu), enc(&den));
    let base = format!("{here}?{window_q}{}&", if subtree { "&cay=1" } else { "" });
    let body = html! {
        p.muted { a href=(format!("/so-theo-doi/{unit}")) { "← Các sổ theo dõi của " (unit) } }
        h1 { (b.title) " — " (unit) }
        form method="get" action=(here) {
            label { "Từ ngày " input name="tu" value=(tu) placeholder="dd/mm/yyyy"; }
            " "
            label { "đến ngày " input name="den" value=(den) placeholder="dd/mm/yyyy"; }
            @if subtree { input type="hidden" name="cay" value="1"; }
            " " button.secondary type="submit" { "Xem" }
        }
        p {
            @if subtree { a href=(format!("{here}?{window_q}")) { "Chỉ đơn vị này" } }
            @else { a href=(format!("{here}?{window_q}&cay=1")) { "Cả các đơn vị trực thuộc" } }
        }
        p { "Từ " (tu) " đến " (den) ": " strong { (list.total) } " " (b.entry) }
        @if list.items.is_empty() { p.muted { "Chưa có " (b.entry) " nào trong khoảng này." } }
        @else {
            table {
                thead { tr {
                    th { (b.date_label) }
                    @if subtree { th { "Đơn vị" } }
                    @match b.which {
                        Register::Dialogues => {
                            th { (b.title_label) }
                            th { "Người chủ trì" }
                            th.right { "Người tham dự" }
                            th.right { "Vấn đề nêu" }
                            th.right { "Đã trả lời" }
                        }
                        Register::Inspections => {
                            th { "Hình thức" }
                            th { "Cơ quan thực hiện" }
                            th { (b.title_label) }
                            th { "Đoàn" }
                            th { "Đơn vị được kiểm tra, giám sát" }
                            th { "Kết quả, phát hiện" }
                            th.right { "Kiến nghị" }
                            th.right { "Đã thực hiện" }
                        }
                        Register::Models => {
                            th { (b.title_label) }
                            th { "Lĩnh vực" }
                            th { "Tập thể / cá nhân" }
                            th { "Cấp" }
                            th.right { "Năm đăng ký" }
                            th { "Khen thưởng" }
                        }
                    }
                } }
                tbody {
                    @for e in &list.items {
                        tr {
                            td { (e.on) }
                            @if subtree { td { (e.unit_code) } }
                            @match &e.detail {
                                EntryDetail::Dialogue(d) => {
                                    td { (e.title) }
                                    td {
                                        @if d.leader_name.is_empty() { "—" }
                                        @else { (d.leader_name) @if !d.leader_position.is_empty() { ", " (d.leader_position) } }
                                    }
                                    td.num { (e.number) }
                                    td.num { (opt_count(d.issues_raised)) }
                                    td.num { (opt_count(d.issues_answered)) }
                                }
                                EntryDetail::Inspection(d) => {
                                    td { (e.kind_label.unwrap_or("")) }
                                    td { (d.body.map_or("—", InspectionBody::label_vi)) }
                                    td { (e.title) }
                                    td { (d.team) }
                                    td { (d.inspected) }
                                    td { (d.findings) }
                                    td.num { (opt_count(d.recommendations_made)) }
                                    td.num { (opt_count(d.recommendations_done)) }
                                }
                                EntryDetail::Model(d) => {
                                    td { (e.title) }
                                    td { (e.field) }
                                    td { (d.holder.map_or("—", ModelHolder::label_vi)) }
                                    td { (d.level.map_or("—", ModelLevel::label_vi)) }
                                    td.num { (d.registered_year.map_or_else(|| "—".to_string(), |y| y.to_string())) }
                                    td {
                                        @match d.commended {
                                            None => { "—" }
                                            Some(false) => { "Chưa" }
                                            Some(true) => {
                                                "Có" @if !d.commended_by.is_empty() { " (" (d.commended_by) ")" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        (pager(&list, &base))
        @if !subtree && may_record { (entry_form(u, b, unit, &typed)) }
        @if !subtree { (crate::registers::excel_card(u, &here, may_record, false)) }
    };
    let (status, flash) = match flash {
        Some((st, f)) => (st, Some(f)),
        None => (
            StatusCode::OK,
            match q.tb.as_deref() {
                Some("ghi") => Some(Flash::Ok(b.saved.into())),
                Some("excel") => Some(Flash::Ok("Đã nhập sổ từ tệp Excel.".into())),
                _ => None,
            },
        ),
    };
    (status, page(b.title, Some(u), flash, body)).into_response()
}

fn field(f: &[(String, String)], k: &str) -> String {
    f.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// A count typed in the form: blank is 0.
fn count(label: &str, v: &str) -> Result<u32, CoreError> {
    match v {
        "" => Ok(0),
        n => n.parse::<u32>().map_err(|_| {
            CoreError::invalid(format!(
                "{label} phải là số nguyên không âm, không phải «{n}»"
            ))
        }),
    }
}

/// A code of a fixed list chosen in the form: blank is none.
fn choice<T>(label: &str, v: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>, CoreError> {
    if v.is_empty() {
        return Ok(None);
    }
    parse(v)
        .map(Some)
        .ok_or_else(|| CoreError::invalid(format!("{label} «{v}» không có trong danh sách")))
}

fn input_of(b: Book, t: &Typed) -> Result<EntryInput, CoreError> {
    let kind = match b.which {
        Register::Inspections => Some(
            InspectionKind::parse(&t.kind)
                .ok_or_else(|| CoreError::invalid("Chưa chọn hình thức (kiểm tra hay giám sát)"))?,
        ),
        _ => None,
    };
    let mut input = EntryInput {
        on: parse_date(&t.date)?,
        title: t.title.clone(),
        kind,
        ..Default::default()
    };
    match b.which {
        Register::Dialogues => {
            input.number = count("Số người tham dự", &t.number)?;
            input.leader_name = t.leader_name.clone();
            input.leader_position = t.leader_position.clone();
            input.issues_raised = count("Số vấn đề người dân nêu", &t.raised)?;
            input.issues_answered = count("Số vấn đề đã trả lời", &t.answered)?;
        }
        Register::Inspections => {
            input.body = choice("Cơ quan thực hiện", &t.body, InspectionBody::parse)?;
            input.team = t.team.clone();
            input.inspected = t.inspected.clone();
            input.findings = t.findings.clone();
            input.recommendations_made = count("Số kiến nghị", &t.made)?;
            input.recommendations_done = count("Số kiến nghị đã thực hiện", &t.done)?;
        }
        Register::Models => {
            input.field = t.field.clone();
            input.holder = choice("Tập thể hay cá nhân", &t.holder, ModelHolder::parse)?;
            input.level = choice("Cấp công nhận", &t.level, ModelLevel::parse)?;
            input.registered_year = match t.year.as_str() {
                "" => None,
                y => Some(y.parse::<i32>().map_err(|_| {
                    CoreError::invalid(format!(
                        "Năm đăng ký phải là một năm (4 chữ số), không phải «{y}»"
                    ))
                })?),
            };
            input.commended = t.commended;
            input.commended_by = t.commended_by.clone();
        }
    }
    Ok(input)
}

async fn record(s: &WebState, u: &User, b: Book, unit: &str, f: &[(String, String)]) -> Response {
    let typed = Typed::of_form(f);
    let r = async {
        let input = input_of(b, &typed)?;
        simple::record(&u.cx, b.which, unit, &input).await
    }
    .await;
    match r {
        Ok(_) => Redirect::to(&format!("{}/{unit}?tb=ghi", b.path)).into_response(),
        Err(e) if e.code == ErrorCode::Forbidden => error_page(u, e),
        Err(e) => {
            let status = status_of(e.code);
            render(
                s,
                u,
                b,
                unit,
                &BookQuery::default(),
                Some(typed),
                Some((status, Flash::Err(e.message))),
            )
            .await
        }
    }
}

macro_rules! book_handlers {
    ($list:ident, $post:ident, $xlsx:ident, $import:ident, $book:expr) => {
        pub async fn $xlsx(u: User, Path(unit): Path<String>) -> Response {
            let b: Book = $book;
            crate::registers::book_download(&u, &unit, b.code, &format!("{}/{unit}", b.path)).await
        }

        pub async fn $import(
            State(s): State<WebState>,
            u: User,
            Path(unit): Path<String>,
            mp: axum::extract::Multipart,
        ) -> Response {
            let b: Book = $book;
            crate::registers::book_upload(&s, &u, &unit, b.code, &format!("{}/{unit}", b.path), mp)
                .await
        }

        pub async fn $list(
            State(s): State<WebState>,
            u: User,
            Path(unit): Path<String>,
            Query(q): Query<BookQuery>,
        ) -> Response {
            render(&s, &u, $book, &unit, &q, None, None).await
        }

        pub async fn $post(
            State(s): State<WebState>,
            u: User,
            Path(unit): Path<String>,
            Form(f): Form<Vec<(String, String)>>,
        ) -> Response {
            if let Err(r) = check_csrf(&s, &u, &f) {
                return r;
            }
            record(&s, &u, $book, &unit, &f).await
        }
    };
}

book_handlers!(
    dialogues_page,
    record_dialogue,
    dialogues_xlsx,
    import_dialogues,
    DIALOGUES
);
book_handlers!(
    inspections_page,
    record_inspection,
    inspections_xlsx,
    import_inspections,
    INSPECTIONS
);
book_handlers!(
    models_page,
    record_model,
    models_xlsx,
    import_models,
    MODELS
);

#[derive(Deserialize, Default)]
pub struct HubQuery {
    /// A unit code typed in the picker.
    pub don_vi: Option<String>,
}

fn picker(current: &str) -> Markup {
    html! {
        form method="get" action="/so-theo-doi" {
            label { "Xem sổ của đơn vị (mã đơn vị) "
                input name="don_vi" value=(current) required maxlength="64";
            }
            " " button.secondary type="submit" { "Xem" }
        }
    }
}

/// The registers' entry point: a unit picked by its code, the only unit of the
/// user, or the list of the user's units.
pub async fn hub(u: User, Query(q): Query<HubQuery>) -> Response {
    if let Some(code) = q.don_vi.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        return Redirect::to(&format!("/so-theo-doi/{}", enc(code))).into_response();
    }
    let units = match hub::my_units(&u.cx).await {
        Ok(l) => l,
        Err(e) => return error_page(&u, e),
    };
    if let [only] = units.as_slice() {
        return Redirect::to(&format!("/so-theo-doi/{}", enc(&only.code))).into_response();
    }
    let body = html! {
        h1 { "Sổ theo dõi" }
        @if units.is_empty() { p.muted { "Tài khoản chưa được giao đơn vị nào có sổ theo dõi." } }
        @else {
            ul {
                @for x in &units {
                    li {
                        a href=(format!("/so-theo-doi/{}", enc(&x.code))) { (x.name) " (" (x.code) ")" }
                        @if x.may_record { " " span.muted { "— ghi sổ" } } @else { " " span.muted { "— xem" } }
                    }
                }
            }
        }
        (picker(""))
    };
    page("Sổ theo dõi", Some(&u), None, body).into_response()
}

/// A line of the hub: a register, its list (the unit's, the subtree's) and counts.
struct HubRow {
    name: &'static str,
    own: String,
    all: Option<String>,
    count: i64,
    below: Option<i64>,
}

impl HubRow {
    fn book(b: Book, unit: &str, count: i64, below: Option<i64>) -> HubRow {
        HubRow {
            name: b.title,
            own: format!("{}/{unit}", b.path),
            all: Some(format!("{}/{unit}?cay=1", b.path)),
            count,
            below,
        }
    }
}

/// One unit's registers: how many records each holds (the unit's own and its
/// subtree's), the petitions running late, links to each register.
pub async fn unit_hub(u: User, Path(unit): Path<String>) -> Response {
    let o = match hub::overview(&u.cx, &unit).await {
        Ok(o) => o,
        Err(e) => return error_page(&u, e),
    };
    let c = |v: i64| qcdc_core::number::format_f64(v as f64, 0);
    let sub = |f: fn(&hub::RegisterCounts) -> i64| o.subtree.as_ref().map(f);
    let rows = [
        HubRow {
            name: "Sổ theo dõi đơn (khiếu nại, tố cáo, kiến nghị, phản ánh)",
            own: format!("/so-don/{unit}"),
            all: Some(format!("/so-don/{unit}?cay=1")),
            count: o.own.petitions,
            below: sub(|s| s.petitions),
        },
        HubRow {
            name: "Sổ tiếp công dân",
            own: format!("/so-tiep-dan/{unit}"),
            all: None,
            count: o.own.receptions,
            below: sub(|s| s.receptions),
        },
        HubRow::book(DIALOGUES, &unit, o.own.dialogues, sub(|s| s.dialogues)),
        HubRow::book(
            INSPECTIONS,
            &unit,
            o.own.inspections,
            sub(|s| s.inspections),
        ),
        HubRow::book(MODELS, &unit, o.own.models, sub(|s| s.models)),
    ];
    let body = html! {
        h1 { "Sổ theo dõi — " (o.unit_name) " (" (o.unit_code) ")" }
        @if o.may_record { p { "Cán bộ của đơn vị ghi sổ; mỗi sổ có mẫu nhập ở cuối trang." } }
        @else if o.counts_only { p.muted { "Cấp trên xem số liệu và thời hạn, không xem họ tên người gửi đơn." } }
        @if o.overdue > 0 || o.due_soon > 0 {
            div.flash.err role="alert" {
                "Đơn của đơn vị: " strong { (o.overdue) } " quá hạn, " strong { (o.due_soon) } " sắp đến hạn. "
                a href=(format!("/so-don/{unit}?mo=1")) { "Xem các đơn đang xử lý" }
            }
        } @else {
            p.muted { "Không có đơn nào của đơn vị quá hạn hay sắp đến hạn." }
        }
        table {
            thead { tr {
                th { "Sổ" }
                th.right { "Của đơn vị" }
                @if o.subtree.is_some() { th.right { "Cả đơn vị và " (o.units_below) " đơn vị trực thuộc" } }
            } }
            tbody {
                @for r in &rows {
                    tr {
                        td { a href=(r.own) { (r.name) } }
                        td.num { (c(r.count)) }
                        @if o.subtree.is_some() {
                            td.num {
                                @if let (Some(all), Some(b)) = (&r.all, r.below) { a href=(all) { (c(b)) } }
                                @else if let Some(b) = r.below { (c(b)) }
                            }
                        }
                    }
                }
            }
        }
        @if o.subtree.is_some() { (picker("")) }
    };
    page("Sổ theo dõi", Some(&u), None, body).into_response()
}
