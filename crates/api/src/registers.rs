//! JSON routes of the registers (sổ theo dõi): petitions and cases, citizen
//! reception and its legal frequency, dialogues, inspections and "Dân vận khéo"
//! models, the holiday calendar, and the figures a
//! round's form takes from the registers. Handlers parse and render only; the
//! use cases in `qcdc_app::registers` authorize.

use axum::Json;
use axum::extract::Query;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use qcdc_app::registers::petitions::{self, ListFilter, PetitionInput, StepInput};
use qcdc_app::registers::reception::{self, SessionInput};
use qcdc_app::registers::simple::{self, EntryInput};
use qcdc_app::registers::{calendar, prefill};
use qcdc_core::period::parse_date;
use qcdc_core::registers::entries::{InspectionBody, ModelHolder, ModelLevel};
use qcdc_core::registers::reception::Receiver;
use qcdc_core::registers::source::InspectionKind;
use qcdc_core::registers::{
    CalendarDay, Channel, Complexity, DayType, DeadlineStatus, PetitionKind, StepKind,
};
use qcdc_core::{CoreError, ErrorCode};
use serde::Deserialize;
use serde_json::Value;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, P};

type Q<T> = Result<Query<T>, QueryRejection>;
type JsonBody<T> = Result<Json<T>, JsonRejection>;

fn ok<T: serde::Serialize>(v: T) -> ApiResult<Value> {
    Ok(Json(serde_json::to_value(v).map_err(|e| {
        CoreError::new(ErrorCode::Internal, e.to_string())
    })?))
}

fn created<T: serde::Serialize>(v: T) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((StatusCode::CREATED, ok(v)?))
}

fn code_of<T>(what: &str, raw: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, ApiError> {
    parse(raw).ok_or_else(|| ApiError(CoreError::invalid(format!("{what} «{raw}» không hợp lệ"))))
}

fn opt_date(s: &Option<String>, default: NaiveDate) -> Result<NaiveDate, ApiError> {
    Ok(match s {
        Some(s) if !s.trim().is_empty() => parse_date(s)?,
        _ => default,
    })
}

#[derive(Deserialize)]
pub struct ListQ {
    subtree: Option<bool>,
    kind: Option<String>,
    open: Option<bool>,
    status: Option<String>,
    q: Option<String>,
}

pub async fn list_petitions(Auth(cx): Auth, P(code): P<String>, q: Q<ListQ>) -> ApiResult<Value> {
    let q = q?.0;
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(code_of("Trạng thái hạn", s, |s| {
            [
                DeadlineStatus::OnTrack,
                DeadlineStatus::DueSoon,
                DeadlineStatus::Overdue,
            ]
            .into_iter()
            .find(|x| x.as_str() == s)
        })?),
    };
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(code_of("Loại đơn", k, PetitionKind::parse)?),
    };
    let f = ListFilter {
        subtree: q.subtree.unwrap_or(false),
        kind,
        open_only: q.open.unwrap_or(false),
        status,
        query: q.q.unwrap_or_default(),
    };
    ok(petitions::list(&cx, &code, &f).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PetitionBody {
    kind: String,
    channel: String,
    received_on: String,
    petitioners: Vec<String>,
    summary: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    forwarded_from: String,
    #[serde(default)]
    remote: bool,
    complexity: Option<String>,
}

pub async fn record_petition(
    Auth(cx): Auth,
    P(code): P<String>,
    b: JsonBody<PetitionBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b = b?.0;
    let input = PetitionInput {
        kind: code_of("Loại đơn", &b.kind, PetitionKind::parse)?,
        channel: code_of("Kênh tiếp nhận", &b.channel, Channel::parse)?,
        received_on: parse_date(&b.received_on)?,
        petitioners: b.petitioners,
        summary: b.summary,
        content: b.content,
        forwarded_from: b.forwarded_from,
        remote: b.remote,
        complexity: match b.complexity.as_deref() {
            None => Complexity::Normal,
            Some(c) => code_of("Mức độ", c, Complexity::parse)?,
        },
    };
    created(petitions::record(&cx, &code, &input).await?)
}

pub async fn get_petition(Auth(cx): Auth, P(id): P<i64>) -> ApiResult<Value> {
    ok(petitions::get(&cx, id).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    date: String,
    kind: String,
    detail: Option<String>,
    result: Option<String>,
    #[serde(default)]
    note: String,
    complexity: Option<String>,
    /// Forwarding to a unit of the system: its code.
    to_unit: Option<String>,
}

pub async fn add_step(Auth(cx): Auth, P(id): P<i64>, b: JsonBody<StepBody>) -> ApiResult<Value> {
    let b = b?.0;
    let input = StepInput {
        date: parse_date(&b.date)?,
        kind: StepKind::from_parts(&b.kind, b.detail.as_deref(), b.result.as_deref())?,
        note: b.note,
        complexity: b
            .complexity
            .as_deref()
            .map(|c| code_of("Mức độ", c, Complexity::parse))
            .transpose()?,
        to_unit: b.to_unit,
    };
    ok(petitions::add_step(&cx, id, &input).await?)
}

pub async fn forwarding(Auth(cx): Auth, P(id): P<i64>) -> ApiResult<Value> {
    ok(petitions::forwarding(&cx, id).await?)
}

pub async fn round_figures(Auth(cx): Auth, P(id): P<i64>) -> ApiResult<Value> {
    ok(qcdc_app::registers::prefill::for_round_all(&cx, id).await?)
}

pub async fn duplicates(Auth(cx): Auth, P(id): P<i64>) -> ApiResult<Value> {
    ok(petitions::duplicates(&cx, id).await?)
}

pub async fn petition_case(Auth(cx): Auth, P(id): P<i64>) -> ApiResult<Value> {
    ok(petitions::case_of(&cx, id).await?)
}

pub async fn overview(Auth(cx): Auth, P(code): P<String>) -> ApiResult<Value> {
    ok(qcdc_app::registers::hub::overview(&cx, &code).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseBody {
    petitions: Vec<i64>,
    #[serde(default)]
    title: String,
}

pub async fn link_case(
    Auth(cx): Auth,
    b: JsonBody<CaseBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b = b?.0;
    let id = petitions::link_case(&cx, &b.petitions, &b.title).await?;
    created(serde_json::json!({ "case_id": id }))
}

#[derive(Deserialize)]
pub struct WindowQ {
    from: Option<String>,
    to: Option<String>,
    subtree: Option<bool>,
}

/// The window asked for, by default the current year up to today.
fn window(cx: &qcdc_app::Ctx, q: &WindowQ) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let today = cx.app().today();
    let start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    Ok((opt_date(&q.from, start)?, opt_date(&q.to, today)?))
}

pub async fn list_receptions(
    Auth(cx): Auth,
    P(code): P<String>,
    q: Q<WindowQ>,
) -> ApiResult<Value> {
    let q = q?.0;
    let (from, to) = window(&cx, &q)?;
    ok(reception::list(&cx, &code, q.subtree.unwrap_or(false), from, to).await?)
}

pub async fn reception_compliance(
    Auth(cx): Auth,
    P(code): P<String>,
    q: Q<WindowQ>,
) -> ApiResult<Value> {
    let q = q?.0;
    let (from, to) = window(&cx, &q)?;
    ok(reception::compliance(&cx, &code, from, to).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionBody {
    held_on: String,
    receiver: String,
    #[serde(default)]
    receiver_name: String,
    turns: u32,
    people: u32,
    #[serde(default)]
    delegations: u32,
    #[serde(default)]
    note: String,
}

pub async fn record_reception(
    Auth(cx): Auth,
    P(code): P<String>,
    b: JsonBody<SessionBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b = b?.0;
    let input = SessionInput {
        held_on: parse_date(&b.held_on)?,
        receiver: code_of("Người tiếp", &b.receiver, Receiver::parse)?,
        receiver_name: b.receiver_name,
        turns: b.turns,
        people: b.people,
        delegations: b.delegations,
        note: b.note,
    };
    let id = reception::record(&cx, &code, &input).await?;
    created(serde_json::json!({ "id": id }))
}

pub async fn get_calendar(Auth(cx): Auth, P(year): P<i32>) -> ApiResult<Value> {
    ok(calendar::year(&cx, year).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayBody {
    date: String,
    day_type: String,
    name: String,
    #[serde(default)]
    provisional: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarBody {
    days: Vec<DayBody>,
}

pub async fn save_calendar(
    Auth(cx): Auth,
    P(year): P<i32>,
    b: JsonBody<CalendarBody>,
) -> ApiResult<Value> {
    let b = b?.0;
    let days = b
        .days
        .into_iter()
        .map(|d| -> Result<CalendarDay, ApiError> {
            Ok(CalendarDay {
                date: parse_date(&d.date)?,
                day_type: code_of("Loại ngày", &d.day_type, DayType::parse)?,
                name: d.name,
                provisional: d.provisional,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    ok(calendar::save_year(&cx, year, days).await?)
}

pub async fn round_prefill(Auth(cx): Auth, P((id, unit)): P<(i64, String)>) -> ApiResult<Value> {
    ok(prefill::for_round(&cx, id, &unit).await?)
}

pub async fn source_records(
    Auth(cx): Auth,
    P((id, unit, indicator)): P<(i64, String, String)>,
) -> ApiResult<Value> {
    ok(prefill::records(&cx, id, &unit, &indicator).await?)
}

fn simple_register(name: &str) -> Result<simple::Register, ApiError> {
    code_of("Sổ", name, |s| match s {
        "dialogues" => Some(simple::Register::Dialogues),
        "inspections" => Some(simple::Register::Inspections),
        "models" => Some(simple::Register::Models),
        _ => None,
    })
}

pub async fn list_simple(
    Auth(cx): Auth,
    P((code, register)): P<(String, String)>,
    q: Q<WindowQ>,
) -> ApiResult<Value> {
    let q = q?.0;
    let which = simple_register(&register)?;
    let (from, to) = window(&cx, &q)?;
    ok(simple::list(&cx, which, &code, q.subtree.unwrap_or(false), from, to).await?)
}

/// An entry of a simple register. Each register reads its own fields:
/// dialogues `leader_name`, `leader_position`, `number` (participants),
/// `issues_raised`, `issues_answered`; inspections `kind`, `body`, `team`,
/// `inspected`, `findings`, `recommendations_made`, `recommendations_done`;
/// models `field`, `holder`, `level`, `registered_year`, `commended`,
/// `commended_by`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryBody {
    on: String,
    title: String,
    #[serde(default)]
    number: u32,
    kind: Option<String>,
    #[serde(default)]
    field: String,
    #[serde(default)]
    leader_name: String,
    #[serde(default)]
    leader_position: String,
    #[serde(default)]
    issues_raised: u32,
    #[serde(default)]
    issues_answered: u32,
    body: Option<String>,
    #[serde(default)]
    team: String,
    #[serde(default)]
    inspected: String,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    recommendations_made: u32,
    #[serde(default)]
    recommendations_done: u32,
    holder: Option<String>,
    level: Option<String>,
    registered_year: Option<i32>,
    #[serde(default)]
    commended: bool,
    #[serde(default)]
    commended_by: String,
}

pub async fn record_simple(
    Auth(cx): Auth,
    P((code, register)): P<(String, String)>,
    b: JsonBody<EntryBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b = b?.0;
    let which = simple_register(&register)?;
    let input = EntryInput {
        on: parse_date(&b.on)?,
        title: b.title,
        number: b.number,
        kind: b
            .kind
            .as_deref()
            .map(|k| code_of("Loại", k, InspectionKind::parse))
            .transpose()?,
        field: b.field,
        leader_name: b.leader_name,
        leader_position: b.leader_position,
        issues_raised: b.issues_raised,
        issues_answered: b.issues_answered,
        body: b
            .body
            .as_deref()
            .map(|k| code_of("Cơ quan thực hiện", k, InspectionBody::parse))
            .transpose()?,
        team: b.team,
        inspected: b.inspected,
        findings: b.findings,
        recommendations_made: b.recommendations_made,
        recommendations_done: b.recommendations_done,
        holder: b
            .holder
            .as_deref()
            .map(|k| code_of("Tập thể/cá nhân", k, ModelHolder::parse))
            .transpose()?,
        level: b
            .level
            .as_deref()
            .map(|k| code_of("Cấp", k, ModelLevel::parse))
            .transpose()?,
        registered_year: b.registered_year,
        commended: b.commended,
        commended_by: b.commended_by,
    };
    let id = simple::record(&cx, which, &code, &input).await?;
    created(serde_json::json!({ "id": id }))
}

/// A unit's register (petitions, receptions, dialogues, inspections or models)
/// as an Excel book.
pub async fn export_book(
    Auth(cx): Auth,
    P((code, register)): P<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    use qcdc_app::registers::excel::{self, Book};
    let bytes = excel::export(&cx, &code, &register).await?;
    Ok(crate::documents::download(
        qcdc_app::documents::RenderedFile {
            bytes,
            file_name: Book::parse(&register)?.file_name(&code),
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            number: None,
            pages: None,
        },
    ))
}

/// Imports an Excel book into a unit's register: all or nothing, every bad row
/// listed.
pub async fn import_book(
    Auth(cx): Auth,
    P((code, register)): P<(String, String)>,
    b: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Value> {
    let b = b?;
    ok(qcdc_app::registers::excel::import(&cx, &code, &register, b.to_vec()).await?)
}
