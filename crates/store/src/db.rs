//! Connection, schema set-up and small helpers shared by the store modules.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use qcdc_core::template::Template;
use qcdc_core::{CoreError, CoreResult, ErrorCode};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};

use crate::schema;

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The store: a pool plus a cache of parsed templates (templates are immutable).
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    pub(crate) templates: Arc<RwLock<HashMap<i64, Arc<Template>>>>,
}

/// Maps a database error to an internal error (logged, never shown raw to users).
pub(crate) fn dberr(e: sqlx::Error) -> CoreError {
    if let sqlx::Error::Database(d) = &e
        && d.is_unique_violation()
    {
        return CoreError::new(
            ErrorCode::Conflict,
            "Dữ liệu đã tồn tại hoặc vừa bị thay đổi bởi người khác; hãy tải lại và thử lại",
        );
    }
    tracing::error!(error = %e, "database error");
    CoreError::new(
        ErrorCode::Internal,
        "Lỗi cơ sở dữ liệu; thao tác chưa được thực hiện",
    )
}

pub(crate) trait DbResult<T> {
    fn db(self) -> CoreResult<T>;
}

impl<T> DbResult<T> for Result<T, sqlx::Error> {
    fn db(self) -> CoreResult<T> {
        self.map_err(dberr)
    }
}

/// Current time as RFC 3339 UTC text.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A value for bulk inserts.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    I(i64),
    S(String),
    Null,
}

/// Inserts many rows with multi-row `VALUES` statements (`suffix` may add `ON CONFLICT …`).
pub(crate) async fn bulk_insert(
    tx: &mut Transaction<'_, Any>,
    table: &str,
    cols: &[&str],
    rows: &[Vec<Val>],
    suffix: &str,
) -> CoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let per_row = cols.len();
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
            for c in 0..per_row {
                if c > 0 {
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
                    Val::Null => q.bind(Option::<String>::None),
                };
            }
        }
        q.execute(&mut **tx).await.db()?;
    }
    Ok(())
}

pub(crate) fn get_i64(r: &AnyRow, col: &str) -> i64 {
    r.try_get::<i64, _>(col).unwrap_or_default()
}

pub(crate) fn get_str(r: &AnyRow, col: &str) -> String {
    r.try_get::<String, _>(col).unwrap_or_default()
}

pub(crate) fn get_opt_str(r: &AnyRow, col: &str) -> Option<String> {
    r.try_get::<Option<String>, _>(col).ok().flatten()
}

pub(crate) fn get_opt_i64(r: &AnyRow, col: &str) -> Option<i64> {
    r.try_get::<Option<i64>, _>(col).ok().flatten()
}

impl Store {
    /// Opens (and creates) the database at `url`: `sqlite://path` or `postgres://…`.
    pub async fn open(url: &str) -> CoreResult<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let mut url = url.to_string();
        if backend == Backend::Sqlite && !url.contains("mode=") {
            url.push_str(if url.contains('?') {
                "&mode=rwc"
            } else {
                "?mode=rwc"
            });
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| CoreError::new(ErrorCode::Internal, format!("Không kết nối được cơ sở dữ liệu: {e}")))?;
        let store = Store {
            pool,
            backend,
            templates: Arc::default(),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the SQLite file `qcdc.db` under `dir`, creating the directory.
    pub async fn open_dir(dir: &Path) -> CoreResult<Store> {
        std::fs::create_dir_all(dir).map_err(|e| {
            CoreError::new(
                ErrorCode::Internal,
                format!("Không tạo được thư mục dữ liệu {}: {e}", dir.display()),
            )
        })?;
        Store::open(&format!("sqlite://{}", dir.join("qcdc.db").display())).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn ddl(&self, sql: &str) -> String {
        sql.replace(
            "{id}",
            match self.backend {
                Backend::Sqlite => "INTEGER PRIMARY KEY",
                Backend::Postgres => "BIGSERIAL PRIMARY KEY",
            },
        )
    }

    async fn migrate(&self) -> CoreResult<()> {
        let exists = match self.backend {
            Backend::Sqlite => sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetch_optional(&self.pool).await.db()?.is_some(),
            Backend::Postgres => sqlx::query("SELECT 1 AS present FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'meta'").fetch_optional(&self.pool).await.db()?.is_some(),
        };
        if exists {
            let v: String = sqlx::query("SELECT value FROM meta WHERE key = 'schema_version'")
                .fetch_one(&self.pool)
                .await
                .db()?
                .try_get("value")
                .db()?;
            if v != schema::VERSION.to_string() {
                return Err(CoreError::new(
                    ErrorCode::Internal,
                    format!("Phiên bản lược đồ {v} không được hỗ trợ"),
                ));
            }
            return Ok(());
        }
        let mut tx = self.pool.begin().await.db()?;
        for stmt in schema::SCHEMA {
            sqlx::query(sqlx::AssertSqlSafe(self.ddl(stmt)))
                .execute(&mut *tx)
                .await
                .db()?;
        }
        sqlx::query("INSERT INTO meta (key, value) VALUES ('schema_version', $1)")
            .bind(schema::VERSION.to_string())
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        Ok(())
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`), so concurrent writers wait for each other (busy
    /// timeout) instead of failing when a read snapshot would have to be upgraded.
    pub(crate) async fn write_tx(&self) -> CoreResult<Transaction<'static, Any>> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await.db(),
            Backend::Postgres => self.pool.begin().await.db(),
        }
    }

    /// Closes the pool (waits for connections to finish).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
