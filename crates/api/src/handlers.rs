//! Request handlers: authenticate, authorise, call the store, answer JSON.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use qcdc_core::access::{Permission, Role};
use qcdc_core::period::{Period, format_date, parse_date};
use qcdc_core::unit::{self, UnitKind};
use qcdc_core::validate;
use qcdc_core::{CoreError, ErrorCode};
use qcdc_store::{DraftChange, NewRound, UnitFilter};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Auth, require};
use crate::error::{ApiError, ApiResult, P};
use crate::{AppState, OPENAPI};

type JsonBody<T> = Result<Json<T>, JsonRejection>;
type Q<T> = Result<Query<T>, QueryRejection>;

fn body<T>(b: JsonBody<T>) -> Result<T, ApiError> {
    Ok(b?.0)
}

fn query<T>(q: Q<T>) -> Result<T, ApiError> {
    Ok(q?.0)
}

fn ok<T: serde::Serialize>(v: T) -> ApiResult<Value> {
    Ok(Json(serde_json::to_value(v).map_err(|e| {
        CoreError::new(ErrorCode::Internal, e.to_string())
    })?))
}

pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
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

pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError(CoreError::new(
            ErrorCode::NotFound,
            "Không có địa chỉ này trong API",
        ))
        .into_response();
    }
    let body = "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Không tìm thấy — qcdc</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main><h1>Không tìm thấy trang</h1><p><a href=\"/\">Về trang chính</a></p></main></body></html>";
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    username: String,
    password: String,
}

pub async fn token(State(s): State<AppState>, b: JsonBody<Login>) -> ApiResult<Value> {
    let l = body(b)?;
    let actor = s.store.verify_password(&l.username, &l.password).await?;
    let token = s.store.issue_token(actor.user_id, 12).await?;
    ok(json!({ "token": token, "expires_in_hours": 12, "user": actor }))
}

pub async fn me(Auth(a): Auth) -> ApiResult<Value> {
    ok(a)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitQuery {
    q: Option<String>,
    active_on: Option<String>,
    kind: Option<String>,
    under: Option<String>,
}

pub async fn list_units(
    State(s): State<AppState>,
    Auth(_): Auth,
    q: Q<UnitQuery>,
) -> ApiResult<Value> {
    let q = query(q)?;
    let kind = match q.kind.as_deref() {
        Some(k) => Some(
            UnitKind::parse(k)
                .ok_or_else(|| CoreError::invalid(format!("Loại đơn vị «{k}» không hợp lệ")))?,
        ),
        None => None,
    };
    let active_on = q.active_on.as_deref().map(parse_date).transpose()?;
    ok(s.store
        .units(&UnitFilter {
            q: q.q,
            active_on,
            kind,
            under: q.under,
        })
        .await?)
}

pub async fn get_unit(
    State(s): State<AppState>,
    Auth(_): Auth,
    P(code): P<String>,
) -> ApiResult<Value> {
    let u = s.store.unit(&code).await?;
    let children = s.store.children(u.id).await?;
    ok(json!({ "unit": u, "children": children }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    format: Option<String>,
}

pub async fn export_units(
    State(s): State<AppState>,
    Auth(_): Auth,
    q: Q<ExportQuery>,
) -> Result<Response, ApiError> {
    let recs = s.store.unit_records().await?;
    match query(q)?.format.as_deref().unwrap_or("json") {
        "csv" => Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            unit::to_csv(&recs),
        )
            .into_response()),
        "json" => Ok(Json(json!({ "units": recs })).into_response()),
        f => Err(CoreError::invalid(format!("Định dạng «{f}» không hỗ trợ (csv, json)")).into()),
    }
}

/// Any admin grant allows editing the units tree.
async fn require_admin(a: &qcdc_store::Actor) -> Result<(), ApiError> {
    if a.grants.iter().any(|g| g.role == Role::Admin) {
        Ok(())
    } else {
        Err(CoreError::new(
            ErrorCode::Forbidden,
            "Chỉ quản trị viên được thực hiện thao tác này",
        )
        .into())
    }
}

pub async fn import_units(
    State(s): State<AppState>,
    Auth(a): Auth,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Value> {
    require_admin(&a).await?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| CoreError::invalid("Tệp phải mã hóa UTF-8"))?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let records = if ct.contains("csv") {
        unit::parse_csv(text)?
    } else {
        unit::parse_json(text)?
    };
    ok(s.store.import_units(records, &a.username).await?)
}

pub async fn list_templates(State(s): State<AppState>, Auth(_): Auth) -> ApiResult<Value> {
    ok(s.store.list_templates().await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    version: Option<i64>,
}

pub async fn get_template(
    State(s): State<AppState>,
    Auth(_): Auth,
    P(code): P<String>,
    q: Q<VersionQuery>,
) -> ApiResult<Value> {
    let (id, t) = s.store.template_by_code(&code, query(q)?.version).await?;
    ok(json!({ "info": s.store.template_info(id).await?, "template": t.def }))
}

pub async fn import_template(
    State(s): State<AppState>,
    Auth(a): Auth,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    require_admin(&a).await?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| CoreError::invalid("Tệp phải mã hóa UTF-8"))?;
    let info = s.store.import_template(text, &a.username).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::to_value(info).unwrap_or_default()),
    ))
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
pub struct RoundQuery {
    issuer: Option<String>,
    recipient: Option<String>,
}

pub async fn list_rounds(
    State(s): State<AppState>,
    Auth(a): Auth,
    q: Q<RoundQuery>,
) -> ApiResult<Value> {
    let q = query(q)?;
    let unit = q.issuer.as_deref().or(q.recipient.as_deref());
    match unit {
        Some(code) => {
            let u = s.store.unit(code).await?;
            require(&s.store, &a, Permission::View, u.id).await?;
            ok(s.store
                .list_rounds(q.issuer.as_deref(), q.recipient.as_deref())
                .await?)
        }
        None => {
            // rounds the caller may see: issued within or addressed to its units
            let mut out = Vec::new();
            for r in s.store.list_rounds(None, None).await? {
                let issuer = s.store.unit(&r.issuer_code).await?;
                if require(&s.store, &a, Permission::View, issuer.id)
                    .await
                    .is_ok()
                    || visible_as_recipient(&s, &a, r.id).await
                {
                    out.push(r);
                }
            }
            ok(out)
        }
    }
}

async fn visible_as_recipient(s: &AppState, a: &qcdc_store::Actor, round: i64) -> bool {
    for g in &a.grants {
        if let Ok(u) = s.store.unit_by_id(g.unit_id).await
            && s.store.submission(round, &u.code).await.is_ok()
        {
            return true;
        }
    }
    false
}

pub async fn create_round(
    State(s): State<AppState>,
    Auth(a): Auth,
    b: JsonBody<NewRound>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = body(b)?;
    let issuer = s.store.unit(&new.issuer).await?;
    require(&s.store, &a, Permission::Manage, issuer.id).await?;
    let info = s
        .store
        .create_round(&new, &a.username, qcdc_store::today_vn())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::to_value(info).unwrap_or_default()),
    ))
}

async fn round_for(
    s: &AppState,
    a: &qcdc_store::Actor,
    id: i64,
    perm: Permission,
) -> Result<qcdc_store::RoundInfo, ApiError> {
    Ok(s.store.authorize_round(a, perm, id).await?)
}

pub async fn get_round(
    State(s): State<AppState>,
    Auth(a): Auth,
    P(id): P<i64>,
) -> ApiResult<Value> {
    let r = s.store.round(id).await?;
    let issuer = s.store.unit(&r.issuer_code).await?;
    if require(&s.store, &a, Permission::View, issuer.id)
        .await
        .is_err()
        && !visible_as_recipient(&s, &a, id).await
    {
        return Err(CoreError::new(
            ErrorCode::Forbidden,
            "Tài khoản không có quyền xem đợt báo cáo này",
        )
        .into());
    }
    ok(r)
}

pub async fn close_round(
    State(s): State<AppState>,
    Auth(a): Auth,
    P(id): P<i64>,
) -> ApiResult<Value> {
    round_for(&s, &a, id, Permission::Manage).await?;
    ok(s.store.set_round_status(id, false, &a.username).await?)
}

pub async fn reopen_round(
    State(s): State<AppState>,
    Auth(a): Auth,
    P(id): P<i64>,
) -> ApiResult<Value> {
    round_for(&s, &a, id, Permission::Manage).await?;
    ok(s.store.set_round_status(id, true, &a.username).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitParam {
    unit: Option<String>,
}

pub async fn round_status(
    State(s): State<AppState>,
    Auth(a): Auth,
    P(id): P<i64>,
    q: Q<UnitParam>,
) -> ApiResult<Value> {
    let r = s.store.round(id).await?;
    let unit = s
        .store
        .unit(query(q)?.unit.as_deref().unwrap_or(&r.issuer_code))
        .await?;
    require(&s.store, &a, Permission::View, unit.id).await?;
    ok(s.store
        .round_status(id, Some(&unit.code), qcdc_store::today_vn())
        .await?)
}

async fn unit_check(
    s: &AppState,
    a: &qcdc_store::Actor,
    code: &str,
    perm: Permission,
) -> Result<(), ApiError> {
    let u = s.store.unit(code).await?;
    require(&s.store, a, perm, u.id).await
}

pub async fn get_submission(
    State(s): State<AppState>,
    Auth(a): Auth,
    P((id, unit)): P<(i64, String)>,
) -> ApiResult<Value> {
    unit_check(&s, &a, &unit, Permission::View).await?;
    ok(s.store.submission(id, &unit).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    #[serde(default)]
    values: BTreeMap<String, Value>,
    #[serde(default)]
    sections: BTreeMap<String, Option<String>>,
}

pub async fn save_draft(
    State(s): State<AppState>,
    Auth(a): Auth,
    P((id, unit)): P<(i64, String)>,
    b: JsonBody<DraftBody>,
) -> ApiResult<Value> {
    let d = body(b)?;
    unit_check(&s, &a, &unit, Permission::Report).await?;
    let r = s.store.round(id).await?;
    let t = s.store.template(r.template_id).await?;
    let values = validate::parse_json_values(&t, &d.values)?;
    ok(s.store
        .save_draft(
            id,
            &unit,
            &DraftChange {
                values,
                sections: d.sections,
            },
            &a.username,
        )
        .await?)
}

pub async fn submit(
    State(s): State<AppState>,
    Auth(a): Auth,
    P((id, unit)): P<(i64, String)>,
) -> ApiResult<Value> {
    unit_check(&s, &a, &unit, Permission::Report).await?;
    ok(s.store.submit(id, &unit, &a.username, Utc::now()).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    reason: String,
}

pub async fn return_submission(
    State(s): State<AppState>,
    Auth(a): Auth,
    P((id, unit)): P<(i64, String)>,
    b: JsonBody<Reason>,
) -> ApiResult<Value> {
    let reason = body(b)?.reason;
    round_for(&s, &a, id, Permission::Manage).await?;
    ok(s.store
        .return_submission(id, &unit, &reason, &a.username)
        .await?)
}

pub async fn accept(
    State(s): State<AppState>,
    Auth(a): Auth,
    P((id, unit)): P<(i64, String)>,
) -> ApiResult<Value> {
    round_for(&s, &a, id, Permission::Manage).await?;
    ok(s.store.accept(id, &unit, &a.username).await?)
}

pub async fn correction(
    State(s): State<AppState>,
    Auth(a): Auth,
    P((id, unit)): P<(i64, String)>,
    b: JsonBody<Reason>,
) -> ApiResult<Value> {
    let reason = body(b)?.reason;
    unit_check(&s, &a, &unit, Permission::Report).await?;
    ok(s.store
        .start_correction(id, &unit, &reason, &a.username)
        .await?)
}

pub async fn history(
    State(s): State<AppState>,
    Auth(a): Auth,
    P((id, unit)): P<(i64, String)>,
) -> ApiResult<Value> {
    unit_check(&s, &a, &unit, Permission::View).await?;
    let (versions, audit) = s.store.submission_history(id, &unit).await?;
    ok(json!({ "versions": versions, "audit": audit }))
}

pub async fn consolidation(
    State(s): State<AppState>,
    Auth(a): Auth,
    P((id, unit)): P<(i64, String)>,
) -> ApiResult<Value> {
    unit_check(&s, &a, &unit, Permission::View).await?;
    ok(s.store.consolidate(id, Some(&unit)).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adopt {
    parent_round: i64,
}

pub async fn adopt(
    State(s): State<AppState>,
    Auth(a): Auth,
    P((id, unit)): P<(i64, String)>,
    b: JsonBody<Adopt>,
) -> ApiResult<Value> {
    let p = body(b)?.parent_round;
    unit_check(&s, &a, &unit, Permission::Manage).await?;
    unit_check(&s, &a, &unit, Permission::Report).await?;
    ok(s.store.adopt(id, &unit, p, &a.username).await?)
}

pub async fn import_report(
    State(s): State<AppState>,
    Auth(a): Auth,
    P((id, unit)): P<(i64, String)>,
    bytes: Bytes,
) -> ApiResult<Value> {
    unit_check(&s, &a, &unit, Permission::Report).await?;
    let (submission, review) = s
        .store
        .import_report(id, &unit, &bytes, &a.username)
        .await?;
    ok(json!({ "submission": submission, "review": review }))
}

pub async fn check_report(Auth(_): Auth, bytes: Bytes) -> ApiResult<Value> {
    let doc = qcdc_checker::read(&bytes)
        .map_err(|e| CoreError::invalid(format!("Không đọc được tệp báo cáo: {}", e.0)))?;
    let findings = qcdc_checker::check(&doc);
    ok(json!({ "header": doc.header, "headings": doc.headings, "findings": findings }))
}
