//! The database handle: one sqlx `Any` pool over SQLite (WAL) or PostgreSQL,
//! versioned migrations at open, and transactions that never leak.
//!
//! A [`Tx`] owns its pooled connection. It ends in exactly one of three ways:
//! committed, rolled back, or — when a COMMIT or ROLLBACK fails, or the future
//! holding it is dropped mid-way (a client gone, a timeout) — its connection is
//! closed instead of going back to the pool. So a connection is never returned
//! to the pool inside a transaction (a full disk cannot poison the pool).

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use qcdc_core::{CoreError, CoreResult, ErrorCode};
use sqlx::AnyConnection;
use sqlx::any::AnyPoolOptions;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor};

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The pool and its backend.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// Maps a database error to a coded error (logged; the raw text is never shown).
pub fn dberr(e: sqlx::Error) -> CoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.is_unique_violation() {
            return CoreError::new(
                ErrorCode::Conflict,
                "Dữ liệu đã tồn tại hoặc vừa bị thay đổi bởi người khác; hãy tải lại và thử lại",
            );
        }
        // PostgreSQL going away under us: an administrator or crash shutdown
        // (57P01–57P03) or a broken connection (class 08) is "try again later"
        if let Some(code) = d.code()
            && (code.starts_with("57P") || code.starts_with("08"))
        {
            tracing::error!(error = %e, "database going away");
            return CoreError::new(
                ErrorCode::Unavailable,
                "Không kết nối được cơ sở dữ liệu; hãy thử lại sau ít phút",
            );
        }
        let msg = d.message().to_ascii_lowercase();
        if msg.contains("full") || msg.contains("no space") {
            tracing::error!(error = %e, "database full");
            return CoreError::new(
                ErrorCode::Unavailable,
                "Ổ đĩa của máy chủ đã đầy; thao tác chưa được thực hiện. Hãy báo quản trị hệ thống.",
            );
        }
        if msg.contains("readonly") || msg.contains("read-only") || msg.contains("read only") {
            tracing::error!(error = %e, "database read-only");
            return CoreError::new(
                ErrorCode::Unavailable,
                "Cơ sở dữ liệu đang ở chế độ chỉ đọc; thao tác chưa được thực hiện. Hãy báo quản trị hệ thống.",
            );
        }
    }
    if matches!(
        e,
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed
    ) {
        tracing::error!(error = %e, "database unavailable");
        return CoreError::new(
            ErrorCode::Unavailable,
            "Không kết nối được cơ sở dữ liệu; hãy thử lại sau ít phút",
        );
    }
    tracing::error!(error = %e, "database error");
    CoreError::new(
        ErrorCode::Internal,
        "Lỗi cơ sở dữ liệu; thao tác chưa được thực hiện",
    )
}

/// `?`-friendly conversion of sqlx results.
pub trait DbResult<T> {
    fn db(self) -> CoreResult<T>;
}

impl<T> DbResult<T> for Result<T, sqlx::Error> {
    fn db(self) -> CoreResult<T> {
        self.map_err(dberr)
    }
}

/// Options for opening a database.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Only migrate up to this version (tests of upgrades).
    pub migrate_to: Option<i64>,
    /// How long a request waits for a connection before answering "unavailable"
    /// (default 30 s; a database that is down is retried until then).
    pub acquire_timeout: Option<Duration>,
}

impl Db {
    /// Connects to (and creates) the database at `url`: `sqlite://path` or
    /// `postgres://…`, without migrating it (`Db::open` in `migrate` does both).
    pub(crate) async fn connect(url: &str, acquire_timeout: Option<Duration>) -> CoreResult<Db> {
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
            .acquire_timeout(acquire_timeout.unwrap_or(Duration::from_secs(30)))
            // a connection that died with its server (a restart) is found and
            // replaced before it is handed out
            .test_before_acquire(true)
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
            .map_err(|e| {
                CoreError::new(
                    ErrorCode::Unavailable,
                    format!("Không mở được cơ sở dữ liệu: {}", redact(&e.to_string())),
                )
            })?;
        Ok(Db { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): concurrent writers queue on the busy timeout instead of
    /// failing when a read snapshot would have to be upgraded.
    pub async fn write(&self) -> CoreResult<Tx> {
        self.begin(match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        })
        .await
    }

    /// A read-only transaction: one consistent snapshot for a whole view.
    pub async fn read(&self) -> CoreResult<Tx> {
        self.begin(match self.backend {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        })
        .await
    }

    async fn begin(&self, sql: &'static str) -> CoreResult<Tx> {
        let mut conn = self.pool.acquire().await.db()?;
        if let Err(e) = conn.execute(sql).await {
            conn.close_on_drop();
            return Err(dberr(e));
        }
        Ok(Tx { conn, done: false })
    }

    /// Closes the pool (waits for connections to finish).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Pool figures for monitoring: (connections open, idle).
    pub fn pool_size(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }
}

/// Hides a password in a database URL before it is shown.
fn redact(s: &str) -> String {
    match (s.find("://"), s.find('@')) {
        (Some(a), Some(b)) if a < b => format!("{}://…{}", &s[..a], &s[b..]),
        _ => s.to_string(),
    }
}

/// A transaction on one pooled connection (see the module comment).
pub struct Tx {
    conn: PoolConnection<Any>,
    done: bool,
}

impl Tx {
    /// Commits. When COMMIT fails the connection is closed, not pooled.
    pub async fn commit(mut self) -> CoreResult<()> {
        match self.conn.execute("COMMIT").await {
            Ok(_) => {
                self.done = true;
                Ok(())
            }
            Err(e) => Err(dberr(e)), // Drop closes the connection
        }
    }

    /// Rolls back. When ROLLBACK fails the connection is closed, not pooled.
    pub async fn rollback(mut self) {
        if self.conn.execute("ROLLBACK").await.is_ok() {
            self.done = true;
        }
    }

    /// Commits on `Ok`, rolls back on `Err`, and hands the result on.
    pub async fn finish<T>(self, result: CoreResult<T>) -> CoreResult<T> {
        match result {
            Ok(v) => {
                self.commit().await?;
                Ok(v)
            }
            Err(e) => {
                self.rollback().await;
                Err(e)
            }
        }
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if !self.done {
            // unfinished (failed COMMIT/ROLLBACK, or dropped mid-way): never pool it
            self.conn.close_on_drop();
        }
    }
}
