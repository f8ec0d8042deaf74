//! Row decoding and writing helpers shared by the repositories.
//!
//! Rows are decoded into `#[derive(FromRow)]` structs of plain column types; a row
//! that cannot be decoded is an error naming its table and column, never a silent
//! default. Text columns holding domain values (dates, kinds, statuses) are turned
//! into domain types by the repositories with [`parse_col`] / [`day_col`], which
//! name the column when the value is bad.

use chrono::NaiveDate;
use qcdc_core::{CoreError, CoreResult, ErrorCode};
use sqlx::AnyConnection;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::QueryAs;
use sqlx::{Any, FromRow};

use crate::db::dberr;

/// A row that cannot be read: logged with the table and column, answered as an
/// internal error (nothing is guessed).
pub fn corrupt(table: &str, column: &str, detail: impl std::fmt::Display) -> CoreError {
    tracing::error!(table, column, %detail, "row cannot be decoded");
    CoreError::new(
        ErrorCode::Internal,
        format!(
            "Dữ liệu lưu trữ bị hỏng (bảng {table}, cột {column}); thao tác dừng lại để không dùng số liệu sai"
        ),
    )
}

fn decode_err(table: &str, e: sqlx::Error) -> CoreError {
    match e {
        sqlx::Error::ColumnDecode { index, source } => corrupt(table, &index, source),
        sqlx::Error::ColumnNotFound(col) => corrupt(table, &col, "không có cột này"),
        sqlx::Error::ColumnIndexOutOfBounds { index, len } => {
            corrupt(table, &index.to_string(), format!("chỉ có {len} cột"))
        }
        sqlx::Error::Decode(source) => corrupt(table, "?", source),
        other => dberr(other),
    }
}

/// Decodes one row.
pub fn decode<T>(row: &AnyRow, table: &str) -> CoreResult<T>
where
    T: for<'r> FromRow<'r, AnyRow>,
{
    T::from_row(row).map_err(|e| decode_err(table, e))
}

/// Runs a typed query and decodes every row.
pub async fn fetch_all<'q, T>(
    c: &mut AnyConnection,
    q: QueryAs<'q, Any, T, AnyArguments>,
    table: &str,
) -> CoreResult<Vec<T>>
where
    T: Send + Unpin + for<'r> FromRow<'r, AnyRow>,
{
    q.fetch_all(&mut *c).await.map_err(|e| decode_err(table, e))
}

/// Runs a typed query and decodes the row, if any.
pub async fn fetch_optional<'q, T>(
    c: &mut AnyConnection,
    q: QueryAs<'q, Any, T, AnyArguments>,
    table: &str,
) -> CoreResult<Option<T>>
where
    T: Send + Unpin + for<'r> FromRow<'r, AnyRow>,
{
    q.fetch_optional(&mut *c)
        .await
        .map_err(|e| decode_err(table, e))
}

/// Runs a typed query that must return one row.
pub async fn fetch_one<'q, T>(
    c: &mut AnyConnection,
    q: QueryAs<'q, Any, T, AnyArguments>,
    table: &str,
) -> CoreResult<T>
where
    T: Send + Unpin + for<'r> FromRow<'r, AnyRow>,
{
    q.fetch_one(&mut *c).await.map_err(|e| decode_err(table, e))
}

/// Parses a text column into a domain value, naming the column when it is bad.
pub fn parse_col<T, E: std::fmt::Display>(
    table: &str,
    column: &str,
    raw: String,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> CoreResult<T> {
    parse(&raw).map_err(|e| corrupt(table, column, format!("«{raw}»: {e}")))
}

/// An ISO date column (`YYYY-MM-DD`).
pub fn day_col(table: &str, column: &str, raw: &str) -> CoreResult<NaiveDate> {
    if let Some(d) = iso_day(raw) {
        return Ok(d);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|e| corrupt(table, column, format!("«{raw}»: {e}")))
}

/// The date of exactly `YYYY-MM-DD` (what the store writes), read without
/// interpreting a format string: registers are read by the million when a
/// round is recounted. Anything else is left to chrono's parser.
fn iso_day(raw: &str) -> Option<NaiveDate> {
    let b = raw.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)
}

/// A JSON text column.
pub fn json_col<T: serde::de::DeserializeOwned>(
    table: &str,
    column: &str,
    raw: &str,
) -> CoreResult<T> {
    serde_json::from_str(raw).map_err(|e| corrupt(table, column, e))
}

/// Current time as RFC 3339 UTC text (milliseconds).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A value for bulk inserts.
#[derive(Debug, Clone)]
pub enum Val {
    I(i64),
    S(String),
    B(Vec<u8>),
    /// A NULL text.
    Null,
    /// A NULL integer (PostgreSQL types parameters: a text NULL cannot go to a BIGINT).
    NullI,
}

/// Inserts many rows with multi-row `VALUES` statements (`suffix` may add `ON CONFLICT …`).
/// `table` and `cols` are fixed names from the repositories, never user input.
pub async fn bulk_insert(
    c: &mut AnyConnection,
    table: &str,
    cols: &[&str],
    rows: &[Vec<Val>],
    suffix: &str,
) -> CoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let per_row = cols.len().max(1);
    // large statements cost more to prepare than they save; ~1.000 parameters is the sweet spot
    let chunk = (1_000 / per_row).max(1);
    for part in rows.chunks(chunk) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for (i, _) in part.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for col in 0..per_row {
                if col > 0 {
                    sql.push(',');
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(suffix);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in part {
            for v in row {
                q = match v {
                    Val::I(i) => q.bind(*i),
                    Val::S(s) => q.bind(s.clone()),
                    Val::B(b) => q.bind(b.clone()),
                    Val::Null => q.bind(Option::<String>::None),
                    Val::NullI => q.bind(Option::<i64>::None),
                };
            }
        }
        q.execute(&mut *c).await.map_err(dberr)?;
    }
    Ok(())
}

/// A comma-separated list of ids for `IN (…)` (integers only, so no injection).
pub fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "NULL".into();
    }
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn iso_day_agrees_with_chrono() {
        // every day of four years, padded as the store writes them
        let mut d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        while d.year() < 2027 {
            let s = d.format("%Y-%m-%d").to_string();
            assert_eq!(iso_day(&s), Some(d), "{s}");
            d = d.succ_opt().unwrap();
        }
        // impossible days are refused; other spellings go to chrono (None), and
        // whenever it answers, it answers as chrono does
        for s in [
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-0a-05",
            "2025/01/05",
        ] {
            assert_eq!(iso_day(s), None, "{s}");
        }
        for s in [
            "2024-02-29",
            "2025-1-05",
            "2025-01-5",
            "20250105",
            "2025-01-05 ",
            " 2025-01-05",
            "+025-01-05",
            "",
            "0000-01-01",
            "9999-12-31",
        ] {
            if let Some(d) = iso_day(s) {
                assert_eq!(
                    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
                    Some(d),
                    "{s}"
                );
            }
        }
        assert_eq!(iso_day("0000-01-01"), NaiveDate::from_ymd_opt(0, 1, 1));
    }
}
