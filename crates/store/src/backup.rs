//! A consistent copy of the whole database and its row counts, for backup and
//! restore. SQLite copies itself with `VACUUM INTO` (one consistent snapshot while
//! the server keeps writing); PostgreSQL is dumped by `pg_dump` (see `app::backup`).

use std::collections::BTreeMap;
use std::path::Path;

use qcdc_core::{CoreError, CoreResult, ErrorCode};
use sqlx::{Executor, FromRow};

use crate::db::{Backend, Db, DbResult, Tx};
use crate::rows;

/// The tables of the schema (sqlx's migration table included), in name order.
pub async fn table_names(db: &Db) -> CoreResult<Vec<String>> {
    #[derive(FromRow)]
    struct N {
        name: String,
    }
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            // `name` is PostgreSQL's own type, which the Any driver cannot read: cast to text
            "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    };
    let mut tx = db.read().await?;
    let r = rows::fetch_all(&mut tx, sqlx::query_as::<_, N>(sql), "sqlite_master").await;
    let names = tx.finish(r).await?;
    Ok(names.into_iter().map(|n| n.name).collect())
}

/// Rows per table, read in one snapshot.
pub async fn table_counts(db: &Db) -> CoreResult<BTreeMap<String, i64>> {
    let names = table_names(db).await?;
    let mut tx = db.read().await?;
    let r = counts_in(&mut tx, names).await;
    tx.finish(r).await
}

async fn counts_in(tx: &mut Tx, names: Vec<String>) -> CoreResult<BTreeMap<String, i64>> {
    #[derive(FromRow)]
    struct C {
        n: i64,
    }
    let mut out = BTreeMap::new();
    for name in names {
        // names come from the catalogue, quoted as identifiers
        let q = format!(
            "SELECT COUNT(*) AS n FROM \"{}\"",
            name.replace('"', "\"\"")
        );
        let c: C = rows::fetch_one(tx, sqlx::query_as(sqlx::AssertSqlSafe(q)), "backup").await?;
        out.insert(name, c.n);
    }
    Ok(out)
}

/// PostgreSQL: a snapshot exported for `pg_dump --snapshot` and the rows per
/// table in that same snapshot, so the manifest counts exactly what the dump
/// holds while the server keeps writing. The transaction must stay open until
/// the dump has finished (then `finish(Ok(()))` it).
pub async fn pg_snapshot(db: &Db) -> CoreResult<(Tx, String, BTreeMap<String, i64>)> {
    #[derive(FromRow)]
    struct S {
        id: String,
    }
    let names = table_names(db).await?;
    // REPEATABLE READ: the exported snapshot is the transaction's own
    let mut tx = db.read().await?;
    let r = async {
        let s: S = rows::fetch_one(
            &mut tx,
            sqlx::query_as("SELECT pg_export_snapshot() AS id"),
            "snapshot",
        )
        .await?;
        let counts = counts_in(&mut tx, names).await?;
        CoreResult::Ok((s.id, counts))
    }
    .await;
    match r {
        Ok((id, counts)) => Ok((tx, id, counts)),
        Err(e) => {
            // rolled back; the error is the query's
            let _ = tx.finish::<()>(Err(e.clone())).await;
            Err(e)
        }
    }
}

/// Writes a consistent copy of an SQLite database to `out` (which must not exist).
pub async fn sqlite_copy(db: &Db, out: &Path) -> CoreResult<()> {
    if db.backend() != Backend::Sqlite {
        return Err(CoreError::new(
            ErrorCode::InvalidInput,
            "Sao lưu bằng VACUUM INTO chỉ dùng cho SQLite",
        ));
    }
    let path = out.to_string_lossy().replace('\'', "''");
    let mut conn = db.pool().acquire().await.db()?;
    conn.execute(sqlx::AssertSqlSafe(format!("VACUUM INTO '{path}'")))
        .await
        .db()?;
    Ok(())
}

/// Row counts and schema version of an SQLite file (a backup being checked),
/// opened read-only and apart from any pool.
pub async fn sqlite_file_counts(path: &Path) -> CoreResult<(BTreeMap<String, i64>, i64)> {
    use sqlx::Connection;
    #[derive(FromRow)]
    struct N {
        name: String,
    }
    #[derive(FromRow)]
    struct C {
        n: i64,
    }
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", path.display());
    let mut c = sqlx::AnyConnection::connect(&url).await.map_err(|e| {
        CoreError::new(
            ErrorCode::InvalidInput,
            format!("Tệp sao lưu không phải cơ sở dữ liệu đọc được: {e}"),
        )
    })?;
    let names: Vec<N> = rows::fetch_all(
        &mut c,
        sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ),
        "sqlite_master",
    )
    .await?;
    let mut out = BTreeMap::new();
    for n in names {
        let q = format!(
            "SELECT COUNT(*) AS n FROM \"{}\"",
            n.name.replace('"', "\"\"")
        );
        let r: C =
            rows::fetch_one(&mut c, sqlx::query_as(sqlx::AssertSqlSafe(q)), "backup").await?;
        out.insert(n.name, r.n);
    }
    let v: C = rows::fetch_one(
        &mut c,
        sqlx::query_as("SELECT COALESCE(MAX(version), 0) AS n FROM _sqlx_migrations WHERE success"),
        "_sqlx_migrations",
    )
    .await?;
    let _ = c.close().await;
    Ok((out, v.n))
}

/// Every row of a table as text, in a stable order (to compare a restored
/// database with its source, column by column).
pub async fn table_rows(db: &Db, table: &str) -> CoreResult<Vec<Vec<String>>> {
    use sqlx::{Column, Row, ValueRef};
    let q = format!("SELECT * FROM \"{}\"", table.replace('"', "\"\""));
    let mut tx = db.read().await?;
    let r = sqlx::query(sqlx::AssertSqlSafe(q))
        .fetch_all(&mut *tx)
        .await
        .db();
    let rows = tx.finish(r).await?;
    let mut out: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            (0..row.columns().len())
                .map(|i| {
                    let raw = row.try_get_raw(i);
                    if raw.as_ref().is_ok_and(|v| v.is_null()) {
                        return "NULL".to_string();
                    }
                    row.try_get::<String, _>(i)
                        .or_else(|_| row.try_get::<i64, _>(i).map(|v| v.to_string()))
                        .or_else(|_| row.try_get::<f64, _>(i).map(|v| v.to_string()))
                        .or_else(|_| row.try_get::<bool, _>(i).map(|v| v.to_string()))
                        .or_else(|_| row.try_get::<Vec<u8>, _>(i).map(|v| format!("{v:?}")))
                        .unwrap_or_else(|_| format!("?{}", row.column(i).name()))
                })
                .collect()
        })
        .collect();
    out.sort();
    Ok(out)
}
