//! Official documents: each unit's document settings, the outgoing-number register
//! (sổ văn bản đi) and the documents issued with their number, and the office's
//! edited consolidated narrative. Plain rows; the rules (who may issue, what a
//! number looks like) live in the use-case layer and in `qcdc-docs`.
//!
//! [`next_number`] takes the next number of a register in the caller's write
//! transaction with one atomic upsert (`… ON CONFLICT DO UPDATE … RETURNING`), so
//! concurrent issuers queue on the counter's row: numbers never repeat, and a
//! transaction that rolls back gives its number back (none is skipped).

use std::collections::BTreeMap;

use qcdc_core::CoreResult;
use sqlx::{AnyConnection, FromRow};

use crate::db::DbResult;
use crate::rows::{self, now};

/// A unit's document settings as stored (`format`: `state` | `party`;
/// `authority_prefix`: empty, `TM.`, `KT.`, `TL.`, `TUQ.` or `Q.`).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromRow)]
pub struct SettingsRow {
    pub format: String,
    pub parent_body: String,
    pub body: String,
    pub symbol: String,
    pub place: String,
    pub signer_name: String,
    pub signer_title: String,
    pub authority_prefix: String,
    pub authority_body: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// The unit's settings, if any were saved.
pub async fn settings(c: &mut AnyConnection, unit_id: i64) -> CoreResult<Option<SettingsRow>> {
    rows::fetch_optional(
        c,
        sqlx::query_as(
            "SELECT format, parent_body, body, symbol, place, signer_name, signer_title, authority_prefix, authority_body, updated_at, updated_by
             FROM unit_document_settings WHERE unit_id = $1",
        )
        .bind(unit_id),
        "unit_document_settings",
    )
    .await
}

/// Saves (inserts or replaces) the unit's settings.
pub async fn save_settings(
    c: &mut AnyConnection,
    unit_id: i64,
    s: &SettingsRow,
    by: &str,
) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO unit_document_settings (unit_id, format, parent_body, body, symbol, place, signer_name, signer_title, authority_prefix, authority_body, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (unit_id) DO UPDATE SET format = excluded.format, parent_body = excluded.parent_body,
           body = excluded.body, symbol = excluded.symbol, place = excluded.place,
           signer_name = excluded.signer_name, signer_title = excluded.signer_title,
           authority_prefix = excluded.authority_prefix, authority_body = excluded.authority_body,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(unit_id)
    .bind(s.format.clone())
    .bind(s.parent_body.clone())
    .bind(s.body.clone())
    .bind(s.symbol.clone())
    .bind(s.place.clone())
    .bind(s.signer_name.clone())
    .bind(s.signer_title.clone())
    .bind(s.authority_prefix.clone())
    .bind(s.authority_body.clone())
    .bind(now())
    .bind(by.to_string())
    .execute(&mut *c)
    .await
    .db()?;
    Ok(())
}

#[derive(FromRow)]
struct Last {
    last_number: i64,
}

/// Takes the next number of the register (issuer, year, kind) in the caller's
/// transaction: 1 for the first document of the year.
pub async fn next_number(
    c: &mut AnyConnection,
    issuer_id: i64,
    year: i64,
    kind: &str,
) -> CoreResult<i64> {
    let r: Last = rows::fetch_one(
        c,
        sqlx::query_as(
            "INSERT INTO outgoing_counters (issuer_id, year, kind, last_number) VALUES ($1, $2, $3, 1)
             ON CONFLICT (issuer_id, year, kind) DO UPDATE SET last_number = outgoing_counters.last_number + 1
             RETURNING last_number",
        )
        .bind(issuer_id)
        .bind(year)
        .bind(kind.to_string()),
        "outgoing_counters",
    )
    .await?;
    Ok(r.last_number)
}

/// A document entered in the register.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Issued {
    pub id: i64,
    pub issuer_id: i64,
    pub round_id: i64,
    pub unit_id: i64,
    /// `letter`, `report` or `consolidated`.
    pub document: String,
    /// The kind in the number (`CV`, `BC`).
    pub kind: String,
    pub year: i64,
    pub number: i64,
    /// As printed: `42-CV/BCĐ`, `109/BC-UBND`.
    pub number_text: String,
    /// The date printed on the document (ISO).
    pub issued_on: String,
    pub issued_at: String,
    pub issued_by: String,
    /// The document's content as issued (JSON of the `qcdc-docs` model).
    pub content_json: String,
    /// SHA-256 of `content_json`.
    pub sha256: String,
}

/// What [`insert_issued`] writes.
#[derive(Debug, Clone)]
pub struct NewIssued<'a> {
    pub issuer_id: i64,
    pub round_id: i64,
    pub unit_id: i64,
    pub document: &'a str,
    pub kind: &'a str,
    pub year: i64,
    pub number: i64,
    pub number_text: &'a str,
    pub issued_on: &'a str,
    pub issued_by: &'a str,
    pub content_json: &'a str,
    pub sha256: &'a str,
}

pub async fn insert_issued(c: &mut AnyConnection, d: &NewIssued<'_>) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO issued_documents (issuer_id, round_id, unit_id, document, kind, year, number, number_text, issued_on, issued_at, issued_by, content_json, sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(d.issuer_id)
    .bind(d.round_id)
    .bind(d.unit_id)
    .bind(d.document.to_string())
    .bind(d.kind.to_string())
    .bind(d.year)
    .bind(d.number)
    .bind(d.number_text.to_string())
    .bind(d.issued_on.to_string())
    .bind(now())
    .bind(d.issued_by.to_string())
    .bind(d.content_json.to_string())
    .bind(d.sha256.to_string())
    .execute(&mut *c)
    .await
    .db()?;
    Ok(())
}

const ISSUED_COLS: &str = "id, issuer_id, round_id, unit_id, document, kind, year, number, number_text, issued_on, issued_at, issued_by, content_json, sha256";

/// The issued document of a round about a unit, if any.
pub async fn issued(
    c: &mut AnyConnection,
    round_id: i64,
    unit_id: i64,
    document: &str,
) -> CoreResult<Option<Issued>> {
    rows::fetch_optional(
        c,
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ISSUED_COLS} FROM issued_documents WHERE round_id = $1 AND unit_id = $2 AND document = $3"
        )))
        .bind(round_id)
        .bind(unit_id)
        .bind(document.to_string()),
        "issued_documents",
    )
    .await
}

/// One line of the register (without the content).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RegisterLine {
    pub round_id: i64,
    pub unit_id: i64,
    pub document: String,
    pub kind: String,
    pub year: i64,
    pub number: i64,
    pub number_text: String,
    pub issued_on: String,
    pub issued_by: String,
}

/// The register of an issuer, in number order.
pub async fn register(c: &mut AnyConnection, issuer_id: i64) -> CoreResult<Vec<RegisterLine>> {
    rows::fetch_all(
        c,
        sqlx::query_as(
            "SELECT round_id, unit_id, document, kind, year, number, number_text, issued_on, issued_by
             FROM issued_documents WHERE issuer_id = $1 ORDER BY year, kind, number",
        )
        .bind(issuer_id),
        "issued_documents",
    )
    .await
}

#[derive(FromRow)]
struct Sec {
    section: String,
    body: String,
}

/// The office's edited consolidated narrative of a round at a unit: section → text
/// (empty when never saved).
pub async fn consolidated_narrative(
    c: &mut AnyConnection,
    round_id: i64,
    unit_id: i64,
) -> CoreResult<BTreeMap<String, String>> {
    let rows: Vec<Sec> = rows::fetch_all(
        c,
        sqlx::query_as(
            "SELECT section, body FROM consolidation_narratives WHERE round_id = $1 AND unit_id = $2",
        )
        .bind(round_id)
        .bind(unit_id),
        "consolidation_narratives",
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.section, r.body)).collect())
}

/// Replaces the office's consolidated narrative of a round at a unit.
pub async fn replace_consolidated_narrative(
    c: &mut AnyConnection,
    round_id: i64,
    unit_id: i64,
    sections: &BTreeMap<String, String>,
    by: &str,
) -> CoreResult<()> {
    sqlx::query("DELETE FROM consolidation_narratives WHERE round_id = $1 AND unit_id = $2")
        .bind(round_id)
        .bind(unit_id)
        .execute(&mut *c)
        .await
        .db()?;
    let at = now();
    for (section, body) in sections {
        sqlx::query(
            "INSERT INTO consolidation_narratives (round_id, unit_id, section, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(round_id)
        .bind(unit_id)
        .bind(section.clone())
        .bind(body.clone())
        .bind(at.clone())
        .bind(by.to_string())
        .execute(&mut *c)
        .await
        .db()?;
    }
    Ok(())
}
