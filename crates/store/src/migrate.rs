//! Versioned schema migrations, one directory per backend
//! (`migrations/sqlite`, `migrations/postgres`, same numbers and names), embedded
//! in the binary and applied at open with sqlx's migrator.
//!
//! - A database made by the first release (no migration table, `meta.schema_version`
//!   = 1) is adopted: migration 1 is recorded as applied, the rest run.
//! - A database migrated by a newer qcdc (a version this binary does not know) is
//!   refused with a clear message, before anything is touched.
//! - An applied migration is never edited (the checksum would refuse it): add one.
//! - Versions need not be contiguous: sqlx applies every known version not yet
//!   recorded, so two branches may add 3 and 4 independently.

use std::borrow::Cow;

use qcdc_core::{CoreError, CoreResult, ErrorCode};
use sqlx::migrate::{MigrateError, Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, Row, SqlSafeStr};

use crate::db::{Backend, Db, DbResult, OpenOptions};

/// (version, description, SQLite, PostgreSQL)
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../migrations/sqlite/0001_initial.sql"),
        include_str!("../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "foundation",
        include_str!("../migrations/sqlite/0002_foundation.sql"),
        include_str!("../migrations/postgres/0002_foundation.sql"),
    ),
    (
        3,
        "documents",
        include_str!("../migrations/sqlite/0003_documents.sql"),
        include_str!("../migrations/postgres/0003_documents.sql"),
    ),
    (
        4,
        "reminders_and_user_admin",
        include_str!("../migrations/sqlite/0004_reminders_and_user_admin.sql"),
        include_str!("../migrations/postgres/0004_reminders_and_user_admin.sql"),
    ),
    (
        5,
        "unit_deadlines",
        include_str!("../migrations/sqlite/0005_unit_deadlines.sql"),
        include_str!("../migrations/postgres/0005_unit_deadlines.sql"),
    ),
    (
        6,
        "registers",
        include_str!("../migrations/sqlite/0006_registers.sql"),
        include_str!("../migrations/postgres/0006_registers.sql"),
    ),
    (
        7,
        "register_prefill",
        include_str!("../migrations/sqlite/0007_register_prefill.sql"),
        include_str!("../migrations/postgres/0007_register_prefill.sql"),
    ),
    (
        8,
        "sign_in_kinds",
        include_str!("../migrations/sqlite/0008_sign_in_kinds.sql"),
        include_str!("../migrations/postgres/0008_sign_in_kinds.sql"),
    ),
    (
        9,
        "petition_forwarding",
        include_str!("../migrations/sqlite/0009_petition_forwarding.sql"),
        include_str!("../migrations/postgres/0009_petition_forwarding.sql"),
    ),
    (
        10,
        "register_details",
        include_str!("../migrations/sqlite/0010_register_details.sql"),
        include_str!("../migrations/postgres/0010_register_details.sql"),
    ),
];

/// The newest schema version this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

fn migrator(backend: Backend) -> Migrator {
    let list = MIGRATIONS
        .iter()
        .map(|(v, desc, sqlite, pg)| {
            let sql = match backend {
                Backend::Sqlite => *sqlite,
                Backend::Postgres => *pg,
            };
            Migration::new(
                *v,
                Cow::Borrowed(*desc),
                MigrationType::Simple,
                AssertSqlSafe(sql).into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(list)
}

async fn table_exists(db: &Db, name: &str) -> CoreResult<bool> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = $1"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1"
        }
    };
    let row = sqlx::query(sql)
        .bind(name.to_string())
        .fetch_one(db.pool())
        .await
        .db()?;
    Ok(row.try_get::<i64, _>("n").db()? > 0)
}

/// The schema version recorded in the database (0 for an empty one).
pub async fn current_version(db: &Db) -> CoreResult<i64> {
    if table_exists(db, "_sqlx_migrations").await? {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) AS v FROM _sqlx_migrations WHERE success = TRUE",
        )
        .fetch_one(db.pool())
        .await
        .db()?;
        return row.try_get::<i64, _>("v").db();
    }
    if table_exists(db, "meta").await? {
        let row = sqlx::query("SELECT value FROM meta WHERE key = 'schema_version'")
            .fetch_optional(db.pool())
            .await
            .db()?;
        let v: Option<String> = row.map(|r| r.try_get("value")).transpose().db()?;
        return v.as_deref().unwrap_or("0").parse().map_err(|_| {
            CoreError::new(
                ErrorCode::Internal,
                "Bảng meta ghi phiên bản lược đồ không hợp lệ",
            )
        });
    }
    Ok(0)
}

/// Brings the database to the latest schema (or to `to`).
pub async fn run(db: &Db, to: Option<i64>) -> CoreResult<()> {
    let latest = latest_version();
    let current = current_version(db).await?;
    if current > latest {
        return Err(CoreError::new(
            ErrorCode::Internal,
            format!(
                "Cơ sở dữ liệu đã được nâng lên lược đồ phiên bản {current} bởi một bản qcdc mới hơn; bản này chỉ biết đến phiên bản {latest}. Hãy chạy bản qcdc mới hơn (không hạ cấp được)."
            ),
        ));
    }
    let m = migrator(db.backend());
    let mut conn = db.pool().acquire().await.db()?;
    let legacy = current >= 1 && !table_exists(db, "_sqlx_migrations").await?;
    if legacy {
        // the first release wrote its schema without the migrator: record migration 1
        m.skip(&mut *conn, Some(1)).await.map_err(migrate_error)?;
    }
    let r = match to {
        Some(v) => m.run_to(v, &mut *conn).await,
        None => m.run(&mut *conn).await,
    };
    r.map_err(migrate_error)?;
    drop(conn);
    let now = current_version(db).await?;
    if current < 2 && now >= 2 {
        after_v2(db).await?;
    }
    Ok(())
}

/// The data steps of migration 2, in one transaction: sort keys and folded
/// search text for existing rows, and running totals rebuilt so that every
/// indicator (not only sums) counts its reporting units.
async fn after_v2(db: &Db) -> CoreResult<()> {
    let mut tx = db.write().await?;
    let r = async {
        crate::units_repo::fill_sort_keys(&mut tx).await?;
        crate::users_repo::fill_search(&mut tx).await?;
        for id in crate::rounds_repo::all_ids(&mut tx).await? {
            crate::rollup::rebuild_values(&mut tx, id).await?;
            crate::rollup::rebuild_status(&mut tx, id).await?;
        }
        Ok(())
    }
    .await;
    tx.finish(r).await
}

fn migrate_error(e: MigrateError) -> CoreError {
    let msg = match &e {
        MigrateError::VersionMissing(v) => format!(
            "Cơ sở dữ liệu có lược đồ phiên bản {v} mà bản qcdc này không biết; hãy chạy bản qcdc mới hơn"
        ),
        MigrateError::VersionMismatch(v) => format!(
            "Lược đồ phiên bản {v} trong cơ sở dữ liệu khác với bản qcdc này (tệp migration đã bị sửa)"
        ),
        MigrateError::Dirty(v) => format!(
            "Lần nâng cấp lược đồ phiên bản {v} trước đây bị gián đoạn; cần khôi phục từ bản sao lưu"
        ),
        other => format!("Không nâng cấp được lược đồ cơ sở dữ liệu: {other}"),
    };
    tracing::error!(error = %e, "migration");
    CoreError::new(ErrorCode::Internal, msg)
}

/// Migration versions and their names, for `qcdc` status output.
pub fn known() -> Vec<(i64, &'static str)> {
    MIGRATIONS.iter().map(|m| (m.0, m.1)).collect()
}

// Opening lives here, not in `db`: the connection module stays a leaf that the
// repositories depend on, and migrating (which fills derived columns through the
// repositories) sits above them.
impl Db {
    /// Opens (and creates, and migrates) the database at `url`: `sqlite://path` or
    /// `postgres://…`.
    pub async fn open(url: &str, opts: &OpenOptions) -> CoreResult<Db> {
        let db = Db::connect(url, opts.acquire_timeout).await?;
        run(&db, opts.migrate_to).await?;
        Ok(db)
    }

    /// Opens the SQLite file `qcdc.db` under `dir`, creating the directory.
    pub async fn open_dir(dir: &std::path::Path, opts: &OpenOptions) -> CoreResult<Db> {
        std::fs::create_dir_all(dir).map_err(|e| {
            CoreError::new(
                ErrorCode::Unavailable,
                format!("Không tạo được thư mục dữ liệu {}: {e}", dir.display()),
            )
        })?;
        Db::open(&format!("sqlite://{}", dir.join("qcdc.db").display()), opts).await
    }
}
