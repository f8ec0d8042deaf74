//! Official documents over the API: downloads (DOCX, PDF, XLSX) with the right
//! content type and a `Content-Disposition` that carries the Vietnamese file name
//! (RFC 6266 / RFC 5987: an ASCII `filename=` fallback and `filename*=UTF-8''…`),
//! issuing ("Phát hành"), the consolidated narrative draft, the Excel form in and
//! out, and each unit's document settings. Handlers parse and render only.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use qcdc_app::documents::{self, DocumentSettings, FileFormat, RenderedFile, Which};
use serde::Deserialize;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, P};

/// RFC 5987 `attr-char`: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." /
/// "^" / "_" / "`" / "|" / "~"; everything else is percent-encoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The file name without diacritics, for clients that do not read `filename*`
/// ("Báo cáo 109-BC-UBND.docx" → "Bao cao 109-BC-UBND.docx").
pub fn ascii_file_name(name: &str) -> String {
    let out: String = name
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' => c,
            ' ' => ' ',
            _ => '_',
        })
        .collect();
    if out.trim().is_empty() {
        "qcdc".into()
    } else {
        out
    }
}

/// `attachment; filename="Bao cao.docx"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o.docx`
pub fn content_disposition(name: &str) -> String {
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_file_name(name),
        utf8_percent_encode(&name.nfc().collect::<String>(), ATTR_CHAR)
    )
}

/// A rendered file as a download, with the number it carries (`X-Qcdc-Number`).
pub fn download(f: RenderedFile) -> Response {
    let mut res = f.bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(f.content_type),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&f.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(n) = f.number {
        let encoded = utf8_percent_encode(&n, ATTR_CHAR).to_string();
        if let Ok(v) = HeaderValue::from_str(&encoded) {
            h.insert("x-qcdc-number", v);
        }
    }
    res
}

type Q<T> = Result<Query<T>, QueryRejection>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocQuery {
    format: Option<String>,
    draft: Option<bool>,
}

impl DocQuery {
    fn parse(q: Q<DocQuery>) -> Result<(FileFormat, bool), ApiError> {
        let q = q?.0;
        let format = FileFormat::parse(q.format.as_deref().unwrap_or("docx"))?;
        Ok((format, q.draft.unwrap_or(false)))
    }
}

fn ok<T: serde::Serialize>(v: T) -> ApiResult<Value> {
    Ok(Json(serde_json::to_value(v).map_err(|e| {
        qcdc_core::CoreError::new(qcdc_core::ErrorCode::Internal, e.to_string())
    })?))
}

pub async fn letter(Auth(cx): Auth, P(id): P<i64>, q: Q<DocQuery>) -> Result<Response, ApiError> {
    let (format, draft) = DocQuery::parse(q)?;
    Ok(download(
        documents::render(&cx, id, Which::Letter, None, format, draft).await?,
    ))
}

pub async fn issue_letter(Auth(cx): Auth, P(id): P<i64>) -> ApiResult<Value> {
    ok(documents::issue(&cx, id, Which::Letter, None).await?)
}

pub async fn report(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    q: Q<DocQuery>,
) -> Result<Response, ApiError> {
    let (format, draft) = DocQuery::parse(q)?;
    Ok(download(
        documents::render(&cx, id, Which::Report, Some(&unit), format, draft).await?,
    ))
}

pub async fn issue_report(Auth(cx): Auth, P((id, unit)): P<(i64, String)>) -> ApiResult<Value> {
    ok(documents::issue(&cx, id, Which::Report, Some(&unit)).await?)
}

pub async fn consolidated(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    q: Q<DocQuery>,
) -> Result<Response, ApiError> {
    let (format, draft) = DocQuery::parse(q)?;
    Ok(download(
        documents::render(&cx, id, Which::Consolidated, Some(&unit), format, draft).await?,
    ))
}

pub async fn issue_consolidated(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
) -> ApiResult<Value> {
    ok(documents::issue(&cx, id, Which::Consolidated, Some(&unit)).await?)
}

pub async fn consolidated_draft(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
) -> ApiResult<Value> {
    ok(documents::consolidated_draft(&cx, id, Some(&unit)).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftSections {
    sections: BTreeMap<String, String>,
}

pub async fn save_consolidated_draft(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    b: Result<Json<DraftSections>, JsonRejection>,
) -> ApiResult<Value> {
    let d = b?.0;
    ok(documents::save_consolidated_draft(&cx, id, Some(&unit), &d.sections).await?)
}

pub async fn consolidation_xlsx(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
) -> Result<Response, ApiError> {
    Ok(download(
        documents::export_consolidation(&cx, id, Some(&unit)).await?,
    ))
}

pub async fn form_xlsx(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
) -> Result<Response, ApiError> {
    Ok(download(documents::export_form(&cx, id, &unit).await?))
}

pub async fn import_form(
    Auth(cx): Auth,
    P((id, unit)): P<(i64, String)>,
    b: Result<Bytes, BytesRejection>,
) -> ApiResult<Value> {
    let b = b?;
    ok(documents::import_form(&cx, id, &unit, b.to_vec()).await?)
}

pub async fn get_settings(Auth(cx): Auth, P(code): P<String>) -> ApiResult<Value> {
    ok(documents::settings(&cx, &code).await?)
}

pub async fn save_settings(
    Auth(cx): Auth,
    P(code): P<String>,
    b: Result<Json<DocumentSettings>, JsonRejection>,
) -> ApiResult<Value> {
    let s = b?.0;
    ok(documents::save_settings(&cx, &code, &s).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_vietnamese_and_fall_back_to_ascii() {
        let h = content_disposition("Báo cáo 109-BC-UBND.docx");
        assert_eq!(
            h,
            "attachment; filename=\"Bao cao 109-BC-UBND.docx\"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20109-BC-UBND.docx"
        );
        assert_eq!(
            ascii_file_name("Công văn 42-CV-BCĐ.pdf"),
            "Cong van 42-CV-BCD.pdf"
        );
        assert_eq!(ascii_file_name("Ệ\"ử\\ẫ"), "E_u_a");
        assert_eq!(ascii_file_name("中文"), "__");
    }
}
