//! Input hygiene in front of every handler, for the API and the pages alike:
//!
//! - the query string, a form body (`application/x-www-form-urlencoded`) and a
//!   JSON body must decode to valid UTF-8 (the framework's form and query
//!   parsers would silently replace bad bytes) and hold no NUL or other control
//!   character except newline, carriage return and tab;
//! - a body over the route's deliberate limit is refused before it is read whole;
//! - every rejection the framework answers itself in plain English text (bad path
//!   parameter, query, form or JSON, wrong content type, body over the route's
//!   limit) is rewritten: JSON `{code, message}` under `/api/`, a Vietnamese page
//!   elsewhere (the caller gives the renderer).
//!
//! Multipart uploads and raw files are left to their importers, which read them
//! strictly.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use qcdc_core::{CoreError, ErrorCode};

use crate::error::ApiError;

/// Renders a refusal: (path, error) → response.
pub type Render = fn(&str, CoreError) -> Response;

/// The guard of one route: how to answer a refusal, and the route's body limit
/// (a form or JSON body is read to check only up to it; beyond, 413).
#[derive(Clone, Copy)]
pub struct Guard {
    pub render: Render,
    pub limit: usize,
}

/// JSON answers for every path (the API alone).
pub fn render_json(_: &str, e: CoreError) -> Response {
    ApiError(e).into_response()
}

fn control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

fn bad(message: &str) -> CoreError {
    CoreError::invalid(message)
}

/// Checks an `application/x-www-form-urlencoded` text (a body or a query).
pub fn check_urlencoded(raw: &[u8]) -> Result<(), CoreError> {
    for pair in raw.split(|b| *b == b'&') {
        let bytes: Vec<u8> = pair
            .iter()
            .map(|b| if *b == b'+' { b' ' } else { *b })
            .collect();
        let decoded: Vec<u8> = percent_encoding::percent_decode(&bytes).collect();
        let text = std::str::from_utf8(&decoded).map_err(|_| {
            bad("Dữ liệu gửi lên không phải văn bản UTF-8 hợp lệ (có byte lỗi); hãy gõ lại hoặc dán lại nội dung")
        })?;
        if text.chars().any(control) {
            return Err(bad(
                "Dữ liệu gửi lên có ký tự điều khiển (NUL hoặc ký tự không in được); hãy xóa chúng rồi gửi lại",
            ));
        }
    }
    Ok(())
}

/// Checks the strings of a JSON text for escaped control characters (raw ones
/// and bad UTF-8 are already refused by the JSON parser).
pub fn check_json(raw: &[u8]) -> Result<(), CoreError> {
    let refuse = || {
        bad("Nội dung JSON có ký tự điều khiển (\\u0000 hoặc ký tự không in được) trong một chuỗi")
    };
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' {
            match raw.get(i + 1) {
                Some(b'b' | b'f') => return Err(refuse()),
                Some(b'u') => {
                    let hex = raw.get(i + 2..i + 6).unwrap_or(&[]);
                    let v = std::str::from_utf8(hex)
                        .ok()
                        .and_then(|h| u32::from_str_radix(h, 16).ok());
                    if let Some(v) = v
                        && (v < 0x20 && !matches!(v, 0x09 | 0x0a | 0x0d)
                            || (0x7f..=0x9f).contains(&v))
                    {
                        return Err(refuse());
                    }
                    i += 6;
                    continue;
                }
                _ => {
                    i += 2;
                    continue;
                }
            }
        }
        i += 1;
    }
    Ok(())
}

fn kind_of(req: &Request) -> Option<&'static str> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .to_ascii_lowercase();
    if ct.starts_with("application/x-www-form-urlencoded") {
        Some("form")
    } else if ct.starts_with("application/json") {
        Some("json")
    } else {
        None
    }
}

/// The middleware (a layer on each route, see [`Guard`]): checks the input, then
/// rewrites the framework's own refusals.
pub async fn guard(State(g): State<Guard>, req: Request, next: Next) -> Response {
    let render = g.render;
    let path = req.uri().path().to_string();
    if let Some(q) = req.uri().query()
        && let Err(e) = check_urlencoded(q.as_bytes())
    {
        return render(&path, e);
    }
    let req = match kind_of(&req) {
        Some(kind) => {
            let (parts, body) = req.into_parts();
            let bytes = match to_bytes(body, g.limit).await {
                Ok(b) => b,
                Err(_) => return render(&path, too_large()),
            };
            let checked = if kind == "form" {
                check_urlencoded(&bytes)
            } else {
                check_json(&bytes)
            };
            if let Err(e) = checked {
                return render(&path, e);
            }
            Request::from_parts(parts, Body::from(bytes))
        }
        None => req,
    };
    let res = next.run(req).await;
    rewrite(&path, res, render).await
}

fn too_large() -> CoreError {
    CoreError::new(
        ErrorCode::PayloadTooLarge,
        "Nội dung gửi lên quá lớn so với giới hạn của địa chỉ này",
    )
}

/// A refusal the framework wrote in plain text, in the project's words.
async fn rewrite(path: &str, res: Response, render: Render) -> Response {
    let status = res.status();
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() && plain) {
        return res;
    }
    let detail = to_bytes(res.into_body(), 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => return render(path, too_large()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorCode::InvalidInput,
            "Kiểu nội dung gửi lên không đúng (Content-Type): địa chỉ này nhận dữ liệu khác".to_string(),
        ),
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "Không tìm thấy địa chỉ này".to_string()),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::InvalidInput,
            "Phương thức HTTP không được hỗ trợ ở địa chỉ này".to_string(),
        ),
        _ if detail.contains("URL") || detail.contains("path") || detail.contains("Path") => (
            ErrorCode::InvalidInput,
            "Địa chỉ không hợp lệ: một phần của đường dẫn không đúng kiểu (ví dụ số đợt phải là số)".to_string(),
        ),
        _ if detail.contains("query") || detail.contains("Query") => (
            ErrorCode::InvalidInput,
            "Tham số trên địa chỉ không hợp lệ".to_string(),
        ),
        _ => (
            ErrorCode::InvalidInput,
            "Dữ liệu gửi lên không đọc được (thiếu trường, sai kiểu hoặc sai định dạng)".to_string(),
        ),
    };
    tracing::debug!(%status, %detail, "framework rejection rewritten");
    // keep the framework's status (415, 405, 422…) even where the code's differs
    let mut res = render(path, CoreError::new(code, message));
    *res.status_mut() = status;
    res
}

/// `handler` with its body limit and the guard in front of it.
pub fn guarded<S>(
    handler: axum::routing::MethodRouter<S>,
    render: Render,
    limit: usize,
) -> axum::routing::MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    handler
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            Guard { render, limit },
            guard,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded_bad_utf8_and_controls_are_refused() {
        assert!(check_urlencoded(b"a=T%C3%ACnh+h%C3%ACnh&b=x%0Ay%09z").is_ok());
        assert!(check_urlencoded(b"a=%FF%FE").is_err());
        assert!(check_urlencoded(b"a=x%00y").is_err());
        assert!(check_urlencoded(b"a=x%1By").is_err());
        assert!(check_urlencoded(b"a=%C2%85").is_err());
    }

    #[test]
    fn json_escaped_controls_are_refused_and_text_like_them_is_not() {
        assert!(check_json(br#"{"a":"x\ny\tz","b":"\\u0000 is text"}"#).is_ok());
        assert!(check_json(br#"{"a":"x\u0000y"}"#).is_err());
        assert!(check_json(br#"{"a":"x\u001by"}"#).is_err());
        assert!(check_json(br#"{"a":"x\by"}"#).is_err());
        assert!(check_json(br#"{"a":"\u00e1"}"#).is_ok());
    }
}
