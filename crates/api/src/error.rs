//! API errors: the HTTP status of the error code plus
//! `{"code", "message", "problems"?, "details"?}` — also for every rejection of
//! the framework (bad path, query, JSON, oversized body), never plain text.

use axum::Json;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qcdc_core::{CoreError, ErrorCode};

/// An error answered to an API client.
#[derive(Debug)]
pub struct ApiError(pub CoreError);

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        ApiError(e)
    }
}

/// The HTTP status of each error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn too_large() -> CoreError {
    CoreError::new(
        ErrorCode::PayloadTooLarge,
        "Nội dung gửi lên quá lớn so với giới hạn của địa chỉ này",
    )
}

/// A framework rejection in Vietnamese: what was wrong, the field named when the
/// parser names one; the parser's own (English) words only under `details.detail`
/// for developers.
pub(crate) fn refusal(what: &str, detail: &str) -> CoreError {
    let field = detail
        .split('`')
        .nth(1)
        .filter(|f| !f.is_empty() && f.len() <= 64);
    let why = if detail.contains("missing field") {
        field.map(|f| format!(": thiếu trường «{f}»"))
    } else if detail.contains("unknown field") {
        field.map(|f| format!(": không có trường «{f}»"))
    } else if detail.contains("invalid type")
        || detail.contains("invalid digit")
        || detail.contains("invalid value")
    {
        Some(": sai kiểu giá trị".to_string())
    } else if detail.contains("EOF") {
        Some(": nội dung bị cắt giữa chừng".to_string())
    } else if detail.contains("Content-Type") {
        Some(": cần Content-Type: application/json".to_string())
    } else {
        None
    };
    let mut e = CoreError::invalid(format!("{what}{}", why.unwrap_or_default()));
    e.details = Some(serde_json::json!({ "detail": detail }));
    e
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError(too_large());
        }
        ApiError(refusal("Nội dung JSON không hợp lệ", &e.body_text()))
    }
}

impl From<BytesRejection> for ApiError {
    fn from(e: BytesRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError(too_large());
        }
        ApiError(CoreError::invalid("Không đọc được nội dung gửi lên"))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError(refusal("Tham số trên địa chỉ không hợp lệ", &e.body_text()))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = (self.0.code == ErrorCode::TooManyRequests)
            .then(|| {
                self.0
                    .details
                    .as_ref()
                    .and_then(|d| d["retry_after_seconds"].as_u64())
            })
            .flatten();
        let mut res = (status_of(self.0.code), Json(self.0)).into_response();
        if let Some(s) = retry {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, s.into());
        }
        res
    }
}

pub type ApiResult<T> = Result<Json<T>, ApiError>;

/// `axum::extract::Path` whose rejection is an [`ApiError`] (JSON, stable code).
pub struct P<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for P<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(P(v)),
            Err(e) => Err(ApiError(refusal(
                "Địa chỉ không hợp lệ (một phần của đường dẫn sai kiểu)",
                &e.body_text(),
            ))),
        }
    }
}
