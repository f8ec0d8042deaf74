//! Bearer-token authentication and the permission checks every handler makes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use qcdc_core::access::Permission;
use qcdc_core::{CoreError, ErrorCode};
use qcdc_store::{Actor, Store};

use crate::AppState;
use crate::error::ApiError;

/// The authenticated caller.
pub struct Auth(pub Actor);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let Some(token) = token else {
            return Err(CoreError::new(
                ErrorCode::Unauthorized,
                "Cần đăng nhập (Authorization: Bearer <token>)",
            )
            .into());
        };
        Ok(Auth(state.store.actor_for_token(token).await?))
    }
}

/// Refuses unless the actor holds `perm` over the unit `unit_id`.
pub async fn require(
    store: &Store,
    actor: &Actor,
    perm: Permission,
    unit_id: i64,
) -> Result<(), ApiError> {
    Ok(store.authorize(actor, perm, unit_id).await?)
}
