//! Backup and restore: one file holding a consistent copy of the database and a
//! manifest (program and schema version, rows per table, SHA-256 of the copy).
//! A restore goes only into an empty place, checks the checksum and every count,
//! and refuses a backup made by a newer program (a newer schema).
//!
//! SQLite copies itself while the server keeps writing (`VACUUM INTO`: one
//! snapshot). PostgreSQL is dumped with the machine's `pg_dump` and restored with
//! `pg_restore` into an empty database.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use qcdc_core::{CoreError, CoreResult, ErrorCode};
use qcdc_store::{Backend, backup as store_backup, migrate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ctx::Ctx;

/// What a backup file says about itself (`manifest.json` in the archive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format of the backup file (1).
    pub format: u32,
    pub program_version: String,
    pub schema_version: i64,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// When it was made (UTC, RFC 3339).
    pub created_at: String,
    /// The data file in the archive.
    pub data_file: String,
    pub sha256: String,
    pub tables: BTreeMap<String, i64>,
}

const FORMAT: u32 = 1;

fn bad(message: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::InvalidInput, message)
}

fn io(what: &str, e: std::io::Error) -> CoreError {
    CoreError::new(ErrorCode::Unavailable, format!("{what}: {e}"))
}

fn sha256_file(path: &Path) -> CoreResult<String> {
    let mut f = std::fs::File::open(path).map_err(|e| io("Không đọc được tệp", e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|e| io("Không đọc được tệp", e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// A scratch directory next to `near`, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(near: &Path) -> CoreResult<Scratch> {
        let parent = near
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir = parent.join(format!(".qcdc-backup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| io("Không tạo được thư mục tạm", e))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Makes a backup of the whole database into `out` (refused if it exists) while
/// the server may keep running. The command line only.
pub async fn backup(cx: &Ctx, out: &Path, pg_url: Option<&str>) -> CoreResult<Manifest> {
    cx.require_system()?;
    if out.exists() {
        return Err(bad(format!(
            "Tệp {} đã có; hãy chọn tên khác",
            out.display()
        )));
    }
    let db = cx.app().db();
    let scratch = Scratch::new(out)?;
    let (data_file, tables) = match db.backend() {
        Backend::Sqlite => {
            let copy = scratch.0.join("qcdc.db");
            store_backup::sqlite_copy(db, &copy).await?;
            // the counts of the copy itself: what a restore must find
            let (tables, _) = store_backup::sqlite_file_counts(&copy).await?;
            ("qcdc.db", tables)
        }
        Backend::Postgres => {
            let url = pg_url.ok_or_else(|| bad("Cần địa chỉ cơ sở dữ liệu PostgreSQL"))?;
            let dump = scratch.0.join("qcdc.pgdump");
            // the counts and the dump read one exported snapshot: the manifest
            // counts exactly the rows of the dump, however busy the server is
            let (snapshot_tx, snapshot, tables) = store_backup::pg_snapshot(db).await?;
            let dumped = run(
                "pg_dump",
                &[
                    "--format=custom",
                    "--no-owner",
                    "--snapshot",
                    &snapshot,
                    "--file",
                    &dump.to_string_lossy(),
                    url,
                ],
            );
            snapshot_tx.finish(Ok(())).await?;
            dumped?;
            ("qcdc.pgdump", tables)
        }
    };
    let data_path = scratch.0.join(data_file);
    let manifest = Manifest {
        format: FORMAT,
        program_version: env!("CARGO_PKG_VERSION").into(),
        schema_version: migrate::current_version(db).await?,
        backend: match db.backend() {
            Backend::Sqlite => "sqlite".into(),
            Backend::Postgres => "postgres".into(),
        },
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        data_file: data_file.into(),
        sha256: sha256_file(&data_path)?,
        tables,
    };
    let archive = scratch.0.join("backup.zip");
    {
        let f = std::fs::File::create(&archive).map_err(|e| io("Không ghi được tệp sao lưu", e))?;
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        let zerr = |e: zip::result::ZipError| {
            CoreError::new(
                ErrorCode::Unavailable,
                format!("Không ghi được tệp sao lưu: {e}"),
            )
        };
        z.start_file("manifest.json", opts).map_err(zerr)?;
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| bad(e.to_string()))?;
        z.write_all(&json)
            .map_err(|e| io("Không ghi được tệp sao lưu", e))?;
        z.start_file(data_file, opts).map_err(zerr)?;
        let mut src =
            std::fs::File::open(&data_path).map_err(|e| io("Không đọc được bản sao", e))?;
        std::io::copy(&mut src, &mut z).map_err(|e| io("Không ghi được tệp sao lưu", e))?;
        z.finish().map_err(zerr)?;
    }
    // the finished file appears at once, never half-written
    std::fs::rename(&archive, out).map_err(|e| io("Không ghi được tệp sao lưu", e))?;
    Ok(manifest)
}

fn run(program: &str, args: &[&str]) -> CoreResult<()> {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .map_err(|e| {
            CoreError::new(
                ErrorCode::Unavailable,
                format!("Không chạy được {program} (cài gói postgresql-client): {e}"),
            )
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(CoreError::new(
            ErrorCode::Unavailable,
            format!(
                "{program} báo lỗi: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ))
    }
}

/// Reads and checks a backup file: its manifest, the data file's checksum, a
/// schema this program knows. Returns the manifest and the extracted data file.
fn open_backup(file: &Path, scratch: &Scratch) -> CoreResult<(Manifest, PathBuf)> {
    let f = std::fs::File::open(file).map_err(|e| io("Không mở được tệp sao lưu", e))?;
    let mut z = zip::ZipArchive::new(f).map_err(|e| {
        bad(format!(
            "Tệp {} không phải tệp sao lưu của qcdc (hỏng hoặc sai định dạng): {e}",
            file.display()
        ))
    })?;
    let manifest: Manifest = {
        let mut m = z
            .by_name("manifest.json")
            .map_err(|_| bad("Tệp sao lưu thiếu bản kê (manifest.json)"))?;
        let mut s = String::new();
        m.read_to_string(&mut s)
            .map_err(|e| bad(format!("Bản kê hỏng: {e}")))?;
        serde_json::from_str(&s).map_err(|e| bad(format!("Bản kê hỏng: {e}")))?
    };
    if manifest.format != FORMAT {
        return Err(bad(format!(
            "Định dạng sao lưu {} không được hỗ trợ",
            manifest.format
        )));
    }
    if manifest.schema_version > migrate::latest_version() {
        return Err(bad(format!(
            "Bản sao lưu có lược đồ phiên bản {} do chương trình mới hơn tạo (chương trình này biết đến phiên bản {}); hãy nâng cấp qcdc trước",
            manifest.schema_version,
            migrate::latest_version()
        )));
    }
    if manifest.data_file.contains(['/', '\\']) || manifest.data_file.contains("..") {
        return Err(bad("Bản kê ghi tên tệp dữ liệu không hợp lệ"));
    }
    let data = scratch.0.join(&manifest.data_file);
    {
        let mut entry = z
            .by_name(&manifest.data_file)
            .map_err(|_| bad("Tệp sao lưu thiếu tệp dữ liệu"))?;
        let mut out = std::fs::File::create(&data).map_err(|e| io("Không ghi được tệp tạm", e))?;
        std::io::copy(&mut entry, &mut out)
            .map_err(|e| bad(format!("Tệp dữ liệu trong bản sao lưu bị hỏng: {e}")))?;
    }
    let sum = sha256_file(&data)?;
    if sum != manifest.sha256 {
        return Err(bad(
            "Tệp sao lưu bị hỏng: mã kiểm tra (SHA-256) không khớp với bản kê; không khôi phục",
        ));
    }
    Ok((manifest, data))
}

/// Checks a backup file without restoring it.
pub fn verify(file: &Path) -> CoreResult<Manifest> {
    let scratch = Scratch::new(file)?;
    open_backup(file, &scratch).map(|(m, _)| m)
}

/// Restores an SQLite backup into the data directory `dir`, which must not hold a
/// database yet. The counts of every table are checked before the file is put in
/// place; the program's migrations then bring an older schema up to date when the
/// application opens it.
pub async fn restore_sqlite(file: &Path, dir: &Path) -> CoreResult<Manifest> {
    let target = dir.join("qcdc.db");
    if target.exists() {
        return Err(bad(format!(
            "Thư mục {} đã có cơ sở dữ liệu; chỉ khôi phục vào thư mục trống",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| io("Không tạo được thư mục dữ liệu", e))?;
    let scratch = Scratch::new(&target)?;
    let (manifest, data) = open_backup(file, &scratch)?;
    if manifest.backend != "sqlite" {
        return Err(bad(
            "Bản sao lưu này của PostgreSQL; hãy khôi phục với --database-url",
        ));
    }
    let (counts, version) = store_backup::sqlite_file_counts(&data).await?;
    if counts != manifest.tables || version != manifest.schema_version {
        return Err(bad(
            "Số dòng các bảng trong tệp dữ liệu khác bản kê; không khôi phục",
        ));
    }
    std::fs::rename(&data, &target).map_err(|e| io("Không đặt được tệp dữ liệu", e))?;
    Ok(manifest)
}

/// Restores a PostgreSQL backup into the empty database at `url` with
/// `pg_restore`, then checks every table's count.
pub async fn restore_postgres(file: &Path, url: &str) -> CoreResult<Manifest> {
    let scratch = Scratch::new(file)?;
    let (manifest, data) = open_backup(file, &scratch)?;
    if manifest.backend != "postgres" {
        return Err(bad("Bản sao lưu này của SQLite; hãy khôi phục với --data"));
    }
    run(
        "pg_restore",
        &[
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            url,
            &data.to_string_lossy(),
        ],
    )?;
    // every table's rows as the manifest counted them (the dump's own snapshot)
    let db = qcdc_store::Db::open(
        url,
        &qcdc_store::OpenOptions {
            migrate_to: Some(manifest.schema_version),
            ..Default::default()
        },
    )
    .await?;
    let counts = store_backup::table_counts(&db).await;
    db.close().await;
    if counts? != manifest.tables {
        return Err(bad(
            "Số dòng các bảng sau khi khôi phục khác với bản kê khai của bản sao lưu; hãy khôi phục vào một cơ sở dữ liệu trống mới",
        ));
    }
    Ok(manifest)
}

/// Every table's rows as text (the command line only): what a restore must give back.
pub async fn table_dump(cx: &Ctx) -> CoreResult<BTreeMap<String, Vec<Vec<String>>>> {
    cx.require_system()?;
    let db = cx.app().db();
    let mut out = BTreeMap::new();
    // the migration ledger (checksums as blobs) is compared by schema version
    for t in store_backup::table_names(db)
        .await?
        .into_iter()
        .filter(|t| t != "_sqlx_migrations")
    {
        let rows = store_backup::table_rows(db, &t).await?;
        out.insert(t, rows);
    }
    Ok(out)
}
