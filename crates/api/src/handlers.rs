//! Request handlers: parse input, call the use-case layer, answer JSON.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use qcdc_app::rounds::NewRound;
use qcdc_app::units::UnitQuery;
use qcdc_app::{
    PageReq, RecipientFilter, auth, check, consolidation, notices, reminders, rounds, submissions,
    templates, units, users,
};
use qcdc_core::access::Role;
use qcdc_core::period::{Period, format_date, parse_date};
use qcdc_core::round::RoundState;
use qcdc_core::unit::{self, UnitKind};
use qcdc_core::workflow::Status;
use qcdc_core::{CoreError, ErrorCode};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Auth, Peer};
use crate::error::{ApiError, ApiResult, P};

type JsonBody<T> = Result<Json<T>, JsonRejection>;
type Q<T> = Result<Query<T>, QueryRejection>;
type Body = Result<Bytes, BytesRejection>;

fn body<T>(b: JsonBody<T>) -> Result<T, ApiError> {
    Ok(b?.0)
}

fn query<T>(q: Q<T>) -> Result<T, ApiError> {
    Ok(q?.0)
}

fn bytes(b: Body) -> Result<Bytes, ApiError> {
    Ok(b?)
}

fn ok<T: serde::Serialize>(v: T) -> ApiResult<Value> {
    Ok(Json(serde_json::to_value(v).map_err(|e| {
        CoreError::new(ErrorCode::Internal, e.to_string())
    })?))
}

fn created<T: serde::Serialize>(v: T) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((StatusCode::CREATED, ok(v)?))
}

fn utf8(b: &[u8]) -> Result<&str, ApiError> {
    Ok(std::str::from_utf8(b).map_err(|_| CoreError::invalid("Tệp phải mã hóa UTF-8"))?)
}

fn page(p: Option<i64>, per: Option<i64>) -> PageReq {
    PageReq {
        page: p,
        per_page: per,
    }
}

pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// Readiness: 200 when the database takes a write, 503 (`unavailable`) otherwise.
pub async fn ready(State(s): State<AppState>) -> ApiResult<Value> {
    qcdc_app::maintenance::ready(&s.app).await?;
    ok(json!({ "status": "ready" }))
}

pub async fn openapi() -> Response {
    static DOC: OnceLock<String> = OnceLock::new();
    let doc = DOC.get_or_init(|| crate::openapi::document().to_string());
    ([(header::CONTENT_TYPE, "application/json")], doc.clone()).into_response()
}

pub async fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(CoreError::new(
            ErrorCode::InvalidInput,
            "Phương thức HTTP không được hỗ trợ ở địa chỉ này",
        )),
    )
        .into_response()
}

pub async fn not_found() -> Response {
    ApiError(CoreError::new(
        ErrorCode::NotFound,
        "Không có địa chỉ này trong API",
    ))
    .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    username: String,
    password: String,
}

pub async fn token(
    State(s): State<AppState>,
    Peer(address): Peer,
    b: JsonBody<Login>,
) -> ApiResult<Value> {
    let l = body(b)?;
    let (cx, token) = auth::sign_in_from(
        &s.app,
        auth::Attempt {
            address,
            username: &l.username,
            password: &l.password,
        },
        auth::TokenKind::Api,
        12,
    )
    .await?;
    ok(json!({ "token": token, "expires_in_hours": 12, "user": cx.actor() }))
}

pub async fn revoke(Auth(cx): Auth, headers: HeaderMap) -> ApiResult<Value> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("")
        .trim()
        .to_string();
    auth::sign_out(&cx, &token).await?;
    ok(json!({ "status": "ok" }))
}

pub async fn me(Auth(cx): Auth) -> ApiResult<Value> {
    ok(cx.actor())
}

pub async fn todo(State(s): State<AppState>, Auth(cx): Auth) -> ApiResult<Value> {
    ok(rounds::todo(&cx, s.app.today()).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitParams {
    q: Option<String>,
    active_on: Option<String>,
    kind: Option<String>,
    under: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

fn kind(k: Option<&str>) -> Result<Option<UnitKind>, ApiError> {
    match k {
        Some(k) if !k.is_empty() => {
            Ok(Some(UnitKind::parse(k).ok_or_else(|| {
                CoreError::invalid(format!("Loại đơn vị «{k}» không hợp lệ"))
            })?))
        }
        _ => Ok(None),
    }
}

pub async fn list_units(Auth(cx): Auth, q: Q<UnitParams>) -> ApiResult<Value> {
    let q = query(q)?;
    let uq = UnitQuery {
        q: q.q,
        active_on: q.active_on.as_deref().map(parse_date).transpose()?,
        kinds: kind(q.kind.as_deref())?.into_iter().collect(),
        under: q.under,
    };
    ok(units::list(&cx, &uq, page(q.page, q.per_page)).await?)
}

pub async fn get_unit(Auth(cx): Auth, P(code): P<String>) -> ApiResult<Value> {
    ok(units::get(&cx, &code).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    format: Option<String>,
}

pub async fn export_units(Auth(cx): Auth, q: Q<ExportQuery>) -> Result<Response, ApiError> {
    let format = query(q)?.format.unwrap_or_else(|| "json".into());
    if format != "csv" && format != "json" {
        return Err(
            CoreError::invalid(format!("Định dạng «{format}» không hỗ trợ (csv, json)")).into(),
        );
    }
    let recs = units::export(&cx).await?;
    Ok(if format == "csv" {
        (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            unit::to_csv(&recs),
        )
            .into_response()
    } else {
        Json(json!({ "units": recs })).into_response()
    })
}

pub async fn import_units(Auth(cx): Auth, headers: HeaderMap, b: Body) -> ApiResult<Value> {
    let b = bytes(b)?;
    let text = utf8(&b)?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let records = if ct.contains("csv") {
        unit::parse_csv(text)?
    } else {
        unit::parse_json(text)?
    };
    ok(units::import(&cx, records).await?)
}

pub async fn list_templates(Auth(cx): Auth) -> ApiResult<Value> {
    ok(templates::list(&cx).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    version: Option<i64>,
}

pub async fn get_template(
    Auth(cx): Auth,
    P(code): P<String>,
    q: Q<VersionQuery>,
) -> ApiResult<Value> {
    let (info, t) = templates::get(&cx, &code, query(q)?.version).await?;
    ok(json!({ "info": info, "template": t.def }))
}

pub async fn import_template(
    Auth(cx): Auth,
    b: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b = bytes(b)?;
    created(templates::import(&cx, utf8(&b)?).await?)
}

pub async fn get_period(P(p): P<String>) -> ApiResult<Value> {
    let p: Period = p.parse()?;
    let (a, b) = p.cutoff();
    ok(json!({
        "period": p, "label": p.label_vi(), "cutoff_from": format_date(a), "cutoff_to": format_date(b),
        "earliest_deadline": format_date(p.earliest_deadline()), "same_period_last_year": p.same_period_last_year(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundsQuery {
    open: Option<bool>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn list_rounds(
    State(s): State<AppState>,
    Auth(cx): Auth,
    q: Q<RoundsQuery>,
) -> ApiResult<Value> {
    let q = query(q)?;
    ok(rounds::list(
        &cx,
        q.open.unwrap_or(false),
        page(q.page, q.per_page),
        s.app.today(),
    )
    .await?)
}

pub async fn create_round(
    State(s): State<AppState>,
    Auth(cx): Auth,
    b: JsonBody<NewRound>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = body(b)?;
    created(rounds::create(&cx, &new, s.app.today()).await?)
}

pub async fn get_round(Auth(cx): Auth, P(id): P<i64>) -> ApiResult<Value> {
    ok(rounds::get(&cx, id).await?)
}

pub async fn close_round(Auth(cx): Auth, P(id): P<i64>) -> ApiResult<Value> {
    ok(rounds::set_state(&cx, id, RoundState::Closed).await?)
}

pub async fn reopen_round(Auth(cx): Auth, P(id): P<i64>) -> ApiResult<Value> {
    ok(rounds::set_state(&cx, id, RoundState::Open).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    unit: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    q: Option<String>,
    missing: Option<bool>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn round_status(
    State(s): State<AppState>,
    Auth(cx): Auth,
    P(id): P<i64>,
    q: Q<StatusQuery>,
) -> ApiResult<Value> {
    let q = query(q)?;
    let status = match q.status.as_deref() {
        Some(x) if !x.is_empty() => Some(
            Status::parse(x)
                .ok_or_else(|| CoreError::invalid(format!("Trạng thái «{x}» không hợp lệ")))?,
        ),
        _ => None,
    };
    let filter = RecipientFilter {
        status,
        kind: kind(q.kind.as_deref())?,
        q: q.q,
        missing_only: q.missing.unwrap_or(false),
    };
    ok(rounds::status(
        &cx,
        id,
        q.unit.as_deref(),
        &filter,
        page(q.page, q.per_page),
        s.app.today(),
    )
    .await?)
}

pub async fn get_submission(Auth(cx): Auth, P((id, unit)): P<(i64, String)>) -> ApiResult<Value> {
    ok(submissions::view(&cx, id, &unit).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    #[serde(default)]
    values: BTreeMap<String, Value>,
    #[serde(default)]
    sections: BTreeMap<String, Option<String>>,
    /// Why a figure differs from the value counted for its source, by indicator.
    #[serde(default)]
    reasons: BTreeMap<String, String>,
}

pub async fn save_draft(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    b: JsonBody<DraftBody>,
) -> ApiResult<Value> {
    let d = body(b)?;
    ok(submissions::save_draft_json(&cx, id, &unit, &d.values, d.sections, d.reasons).await?)
}

pub async fn submit(Auth(cx): Auth, P((id, unit)): P<(i64, String)>) -> ApiResult<Value> {
    ok(submissions::submit(&cx, id, &unit, Utc::now()).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    reason: String,
}

pub async fn return_submission(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    b: JsonBody<Reason>,
) -> ApiResult<Value> {
    let reason = body(b)?.reason;
    ok(submissions::return_report(&cx, id, &unit, &reason).await?)
}

pub async fn accept(Auth(cx): Auth, P((id, unit)): P<(i64, String)>) -> ApiResult<Value> {
    ok(submissions::accept(&cx, id, &unit).await?)
}

pub async fn correction(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    b: JsonBody<Reason>,
) -> ApiResult<Value> {
    let reason = body(b)?.reason;
    ok(submissions::start_correction(&cx, id, &unit, &reason).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn history(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    q: Q<PageQuery>,
) -> ApiResult<Value> {
    let q = query(q)?;
    ok(submissions::history(&cx, id, &unit, page(q.page, q.per_page)).await?)
}

pub async fn import_report(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    b: Body,
) -> ApiResult<Value> {
    let b = bytes(b)?;
    let (submission, review) = submissions::import_report(&cx, id, &unit, &b).await?;
    ok(json!({ "submission": submission, "review": review }))
}

pub async fn check_report(Auth(cx): Auth, b: Body) -> ApiResult<Value> {
    let b = bytes(b)?;
    ok(check::check_file(&cx, &b)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupQuery {
    group: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn consolidation(
    State(s): State<AppState>,
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    q: Q<GroupQuery>,
) -> ApiResult<Value> {
    let q = query(q)?;
    ok(consolidation::get(
        &cx,
        id,
        Some(&unit),
        q.group.as_deref(),
        page(q.page, q.per_page),
        s.app.today(),
    )
    .await?)
}

pub async fn per_unit(
    Auth(cx): Auth,
    P((id, unit, indicator)): P<(i64, String, String)>,
    q: Q<PageQuery>,
) -> ApiResult<Value> {
    let q = query(q)?;
    ok(consolidation::per_unit(&cx, id, &unit, &indicator, page(q.page, q.per_page)).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NarrativeQuery {
    section: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn narrative(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    q: Q<NarrativeQuery>,
) -> ApiResult<Value> {
    let q = query(q)?;
    ok(consolidation::narrative(
        &cx,
        id,
        &unit,
        q.section.as_deref(),
        page(q.page, q.per_page),
    )
    .await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adopt {
    parent_round: i64,
}

pub async fn adopt(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    b: JsonBody<Adopt>,
) -> ApiResult<Value> {
    let p = body(b)?.parent_round;
    ok(consolidation::adopt(&cx, id, &unit, p).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsersQuery {
    q: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn list_users(Auth(cx): Auth, q: Q<UsersQuery>) -> ApiResult<Value> {
    let q = query(q)?;
    ok(users::list(&cx, q.q.as_deref(), page(q.page, q.per_page)).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: String,
    unit: String,
}

fn role(s: &str) -> Result<Role, ApiError> {
    Ok(Role::parse(s).ok_or_else(|| {
        CoreError::invalid(format!(
            "Vai trò «{s}» không hợp lệ (admin, office, reporter, viewer)"
        ))
    })?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    username: String,
    full_name: String,
    password: String,
    #[serde(default)]
    email: Option<String>,
    roles: Vec<RoleBody>,
}

pub async fn create_user(
    Auth(cx): Auth,
    b: JsonBody<NewUserBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b = body(b)?;
    let roles = b
        .roles
        .iter()
        .map(|r| Ok((role(&r.role)?, r.unit.clone())))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let id = users::create_with_email(
        &cx,
        &users::NewUser {
            username: b.username,
            full_name: b.full_name,
            password: b.password,
            roles,
        },
        b.email.as_deref(),
    )
    .await?;
    created(json!({ "id": id }))
}

pub async fn grant_role(
    Auth(cx): Auth,
    P(username): P<String>,
    b: JsonBody<RoleBody>,
) -> ApiResult<Value> {
    let b = body(b)?;
    users::grant(&cx, &username, role(&b.role)?, &b.unit).await?;
    ok(json!({ "status": "ok" }))
}

pub async fn disable_user(Auth(cx): Auth, P(username): P<String>) -> ApiResult<Value> {
    users::set_active(&cx, &username, false).await?;
    ok(json!({ "username": username, "active": false }))
}

pub async fn enable_user(Auth(cx): Auth, P(username): P<String>) -> ApiResult<Value> {
    users::set_active(&cx, &username, true).await?;
    ok(json!({ "username": username, "active": true }))
}

pub async fn list_sign_ins(Auth(cx): Auth, P(username): P<String>) -> ApiResult<Value> {
    ok(json!({ "username": username, "items": users::sign_ins(&cx, &username).await? }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RevokeBody {
    id: Option<i64>,
}

pub async fn revoke_sign_ins(
    Auth(cx): Auth,
    P(username): P<String>,
    b: JsonBody<RevokeBody>,
) -> ApiResult<Value> {
    match body(b)?.id {
        Some(id) => users::revoke_sign_in(&cx, &username, id).await?,
        None => users::revoke_all_sign_ins(&cx, &username).await?,
    }
    ok(json!({ "status": "ok" }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    #[serde(default)]
    password: Option<String>,
}

pub async fn reset_password(
    Auth(cx): Auth,
    P(username): P<String>,
    b: JsonBody<ResetBody>,
) -> ApiResult<Value> {
    let b = body(b)?;
    let password = users::reset_password(&cx, &username, b.password.as_deref()).await?;
    ok(
        json!({ "username": username, "temporary_password": password, "must_change_password": true }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailBody {
    email: String,
}

pub async fn set_email(
    Auth(cx): Auth,
    P(username): P<String>,
    b: JsonBody<EmailBody>,
) -> ApiResult<Value> {
    let b = body(b)?;
    users::set_email(&cx, &username, &b.email).await?;
    ok(json!({ "status": "ok" }))
}

pub async fn import_users(Auth(cx): Auth, b: Body) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b = bytes(b)?;
    let recs = qcdc_core::user_import::parse_csv(utf8(&b)?)?;
    created(users::import(&cx, recs).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineBody {
    /// dd/mm/yyyy or yyyy-mm-dd
    deadline: String,
    reason: String,
}

pub async fn extend_deadline(
    State(s): State<AppState>,
    Auth(cx): Auth,
    P(id): P<i64>,
    b: JsonBody<DeadlineBody>,
) -> ApiResult<Value> {
    let b = body(b)?;
    let day = parse_date(&b.deadline)?;
    ok(rounds::extend_deadline(&cx, id, day, &b.reason, s.app.today()).await?)
}

pub async fn extend_unit_deadline(
    State(s): State<AppState>,
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    b: JsonBody<DeadlineBody>,
) -> ApiResult<Value> {
    let b = body(b)?;
    let day = parse_date(&b.deadline)?;
    ok(rounds::extend_unit_deadline(&cx, id, &unit, day, &b.reason, s.app.today()).await?)
}

pub async fn round_history(Auth(cx): Auth, P(id): P<i64>, q: Q<PageQuery>) -> ApiResult<Value> {
    let q = query(q)?;
    ok(rounds::history(
        &cx,
        id,
        PageReq::new(q.page.unwrap_or(1), q.per_page.unwrap_or(50)),
    )
    .await?)
}

pub async fn reminder_schedule(Auth(cx): Auth, P(id): P<i64>) -> ApiResult<Value> {
    ok(reminders::schedule(&cx, id).await?)
}

pub async fn set_reminder_schedule(
    Auth(cx): Auth,
    P(id): P<i64>,
    b: JsonBody<qcdc_core::reminder::Schedule>,
) -> ApiResult<Value> {
    let b = body(b)?;
    ok(reminders::set_schedule(&cx, id, b).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemindBody {
    /// "not_sent" (every unit that has not sent), "overdue" (only those past their
    /// deadline) or "unit" with `unit` = its code
    target: String,
    unit: Option<String>,
}

pub async fn send_reminders(
    Auth(cx): Auth,
    P(id): P<i64>,
    b: JsonBody<RemindBody>,
) -> ApiResult<Value> {
    let b = body(b)?;
    let target =
        match (b.target.as_str(), b.unit) {
            ("not_sent", None) => reminders::Target::NotSent {
                overdue_only: false,
            },
            ("overdue", None) => reminders::Target::NotSent { overdue_only: true },
            ("unit", Some(code)) if !code.trim().is_empty() => {
                reminders::Target::Unit(code.trim().to_string())
            }
            _ => return Err(CoreError::invalid(
                "target phải là \"not_sent\", \"overdue\" hoặc \"unit\" kèm mã đơn vị trong unit",
            )
            .into()),
        };
    ok(reminders::send(&cx, id, &target, Utc::now()).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticesQuery {
    limit: Option<i64>,
}

pub async fn list_notices(Auth(cx): Auth, q: Q<NoticesQuery>) -> ApiResult<Value> {
    let q = query(q)?;
    let items = notices::list(&cx, q.limit.unwrap_or(50).clamp(1, 500)).await?;
    let unread = notices::unread_count(&cx).await?;
    ok(json!({ "unread": unread, "items": items }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadBody {
    /// one notice; all of the user's when absent
    id: Option<i64>,
}

pub async fn read_notices(Auth(cx): Auth, b: JsonBody<ReadBody>) -> ApiResult<Value> {
    let b = body(b)?;
    let n = notices::mark_read(&cx, b.id).await?;
    ok(json!({ "marked_read": n }))
}

pub async fn review_queue(State(s): State<AppState>, Auth(cx): Auth) -> ApiResult<Value> {
    ok(rounds::office_queue(&cx, s.app.today()).await?)
}
