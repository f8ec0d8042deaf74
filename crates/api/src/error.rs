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

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError(too_large());
        }
        ApiError(CoreError::new(
            ErrorCode::InvalidInput,
            format!("Nội dung JSON không hợp lệ: {}", e.body_text()),
        ))
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
        ApiError(CoreError::new(
            ErrorCode::InvalidInput,
            format!("Tham số không hợp lệ: {}", e.body_text()),
        ))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (status_of(self.0.code), Json(self.0)).into_response()
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
            Err(e) => Err(ApiError(CoreError::new(
                ErrorCode::InvalidInput,
                format!("Địa chỉ không hợp lệ: {}", e.body_text()),
            ))),
        }
    }
}
