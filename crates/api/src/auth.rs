//! Bearer-token authentication: the extractor that turns `Authorization: Bearer …`
//! into the use-case layer's [`Ctx`]. Permissions are decided by the use cases.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use qcdc_app::{Ctx, auth};
use qcdc_core::{CoreError, ErrorCode};

use crate::AppState;
use crate::error::ApiError;

/// The authenticated caller.
pub struct Auth(pub Ctx);

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
        let cx = auth::from_token(&state.app, token).await?;
        // a temporary password set by an admin is changed on the web first; the
        // caller may still see who it is and sign out
        let path = parts.uri.path();
        if cx.actor().must_change_password && path != "/api/v1/me" && path != "/api/v1/auth/token" {
            return Err(CoreError::new(
                ErrorCode::Forbidden,
                "Tài khoản đang dùng mật khẩu tạm do quản trị đặt: hãy đăng nhập trang web và đổi mật khẩu (trang /doi-mat-khau) trước khi dùng API",
            )
            .into());
        }
        Ok(Auth(cx))
    }
}

/// The client's address, from the connection (`ConnectInfo`, which `serve` sets);
/// None when the server was built without it (tests calling the router directly).
/// Behind a reverse proxy this is the proxy's address.
pub struct Peer(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}
