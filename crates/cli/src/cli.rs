//! Command-line arguments and their handlers.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::units::UnitQuery;
use qcdc_app::views::{ConsolidationView, RoundStatusView};
use qcdc_app::{
    App, AppOptions, PageReq, RecipientFilter, auth, backup, consolidation, documents, maintenance,
    reminders, rounds, submissions, templates, units, users,
};
use qcdc_core::access::Role;
use qcdc_core::number;
use qcdc_core::period::{Period, format_date, parse_date};
use qcdc_core::round::RoundState;
use qcdc_core::unit::{self, UnitKind};
use serde::Deserialize;

/// The templates shipped with qcdc, used when no `templates/` directory is found.
const SHIPPED_TEMPLATES: &[&str] = &[
    include_str!("../../../templates/qcdc-dinh-ky.v1.toml"),
    include_str!("../../../templates/dan-van-chinh-quyen.v1.toml"),
    include_str!("../../../templates/qcdc-dinh-ky.v2.toml"),
    include_str!("../../../templates/dan-van-chinh-quyen.v2.toml"),
];

#[derive(Parser)]
#[command(
    name = "qcdc",
    version,
    about = "Báo cáo thực hiện quy chế dân chủ ở cơ sở — máy chủ và công cụ dòng lệnh"
)]
pub struct Cli {
    #[command(flatten)]
    pub db: DbArgs,
    /// Log lines as text (default) or one JSON object per line (for a log collector).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        env = "QCDC_LOG_FORMAT"
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub cmd: Cmd,
    /// `serve`'s settings as resolved: (key, value, where it came from).
    #[arg(skip)]
    pub settings: Vec<(String, String, String)>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// `qcdc serve`'s settings (each also a `QCDC_*` variable and a key of the
/// `--config` TOML file; see the README's table).
#[derive(Args)]
pub struct ServeArgs {
    /// TOML file of settings (keys as below with `_`); flags and QCDC_* variables win over it.
    #[arg(long, env = "QCDC_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print the settings in force and where each came from, then stop.
    #[arg(long)]
    pub show_config: bool,
    #[arg(long, default_value = "127.0.0.1:8080", env = "QCDC_ADDR")]
    pub addr: SocketAddr,
    /// Create the demo province, rounds and users if the database is empty.
    #[arg(long, env = "QCDC_DEMO")]
    pub demo: bool,
    /// Mark session cookies `Secure` (set when qcdc is served over HTTPS).
    #[arg(long, env = "QCDC_COOKIE_SECURE")]
    pub cookie_secure: bool,
    /// Make a backup into this directory every `--backup-every-hours` while serving.
    #[arg(long, env = "QCDC_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    #[arg(long, env = "QCDC_BACKUP_EVERY_HOURS", default_value_t = 24)]
    pub backup_every_hours: u64,
    /// How many scheduled backups to keep (the oldest are removed).
    #[arg(long, env = "QCDC_BACKUP_KEEP", default_value_t = 7)]
    pub backup_keep: usize,
    #[command(flatten)]
    pub mail: MailArgs,
    /// Run the scheduled reminders every this many minutes (0: never).
    #[arg(long, default_value_t = 10, env = "QCDC_REMINDERS_EVERY")]
    pub reminders_every: u64,
    /// Serve Prometheus metrics at http://ADDR/metrics on this separate address
    /// (off by default; keep it on loopback or a private network).
    #[arg(long, env = "QCDC_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Seconds a request waits for a database connection before answering 503.
    #[arg(long, default_value_t = 30, env = "QCDC_DB_ACQUIRE_TIMEOUT")]
    pub db_acquire_timeout: u64,
}

#[derive(Args, Clone)]
pub struct DbArgs {
    /// Data directory (SQLite file `qcdc.db` lives here).
    #[arg(long, global = true, default_value = "./qcdc-data", env = "QCDC_DATA")]
    pub data: PathBuf,
    /// Database URL (`postgres://…` or `sqlite://…`); overrides --data.
    #[arg(long, global = true, env = "QCDC_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Directory of template TOML files loaded at start.
    #[arg(long, global = true, env = "QCDC_TEMPLATES")]
    pub templates: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// Run the web server (pages and JSON API).
    Serve(Box<ServeArgs>),
    /// Check that every round's running totals and counts equal a recomputation
    /// from the raw accepted figures (after a crash, a restore, an upgrade).
    VerifyTotals,
    /// Reminders to units that have not sent their report.
    #[command(subcommand)]
    Reminders(RemindersCmd),
    /// Create the demo province, rounds and users (once).
    Demo,
    /// Back up the whole database into one file (while the server runs): a
    /// consistent copy with a manifest (versions, rows per table, SHA-256).
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a backup file (checksum, schema version) without restoring it.
    VerifyBackup { file: PathBuf },
    /// Restore a backup into an empty data directory (`--data`) or an empty
    /// PostgreSQL database (`--database-url`).
    Restore { file: PathBuf },
    /// Units tree: import and export.
    #[command(subcommand)]
    Units(UnitsCmd),
    /// Report templates.
    #[command(subcommand)]
    Templates(TemplatesCmd),
    /// Reporting rounds.
    #[command(subcommand)]
    Rounds(RoundsCmd),
    /// Units' reports.
    #[command(subcommand)]
    Submissions(SubmissionsCmd),
    /// Registers (sổ theo dõi): Excel books in and out.
    #[command(subcommand)]
    Registers(RegistersCmd),
    /// Consolidate a round at a unit.
    Consolidate {
        #[arg(long)]
        round: i64,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Users and their roles.
    #[command(subcommand)]
    Users(UsersCmd),
    /// Generate a large dataset (`--scale national`: 34 provinces, 3.321 communes, ~30.000 units).
    Gen {
        #[arg(long, value_enum, default_value = "national")]
        scale: Scale,
        /// Also a year of registers for every commune (national: about 2 million
        /// petitions and 500 thousand reception sessions).
        #[arg(long)]
        registers: bool,
    },
    /// Benchmarks.
    #[command(subcommand)]
    Bench(BenchCmd),
    /// Check reports (.txt, .docx) for arithmetic slips, malformed numbers and stale citations.
    /// Exit status: 0 no error-level finding, 1 some, 2 a file could not be read.
    Check {
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
        /// The report's date (dd/mm/yyyy) when the file does not say it.
        #[arg(long)]
        date: Option<String>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Render an official document of a round as DOCX or PDF: the round's letter, a
    /// unit's report, or the consolidated report at a unit. An issued document prints
    /// with its number; `--draft` renders an unnumbered draft of the current data.
    Render {
        #[arg(value_enum)]
        document: DocumentArg,
        #[arg(long)]
        round: i64,
        /// The report's unit (report), the consolidating unit (consolidated; default the issuer).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value = "pdf")]
        format: FileFormatArg,
        #[arg(long)]
        draft: bool,
        /// Output file (default: the document's Vietnamese file name in the current directory).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Issue a document ("Phát hành"): takes the next number of the issuer's register.
    Issue {
        #[arg(value_enum)]
        document: DocumentArg,
        #[arg(long)]
        round: i64,
        #[arg(long)]
        unit: Option<String>,
    },
    /// A unit's Excel form: export it to fill offline, import it into the draft.
    #[command(subcommand)]
    Form(FormCmd),
    /// Turn a legacy report (.txt, .docx) into a unit's draft in a round, with a review list.
    ImportReport {
        file: PathBuf,
        #[arg(long)]
        round: i64,
        #[arg(long)]
        unit: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DocumentArg {
    Letter,
    Report,
    Consolidated,
}

impl DocumentArg {
    fn which(self) -> documents::Which {
        match self {
            DocumentArg::Letter => documents::Which::Letter,
            DocumentArg::Report => documents::Which::Report,
            DocumentArg::Consolidated => documents::Which::Consolidated,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FileFormatArg {
    Docx,
    Pdf,
}

#[derive(Subcommand)]
pub enum FormCmd {
    /// Write the unit's form of a round as .xlsx, pre-filled with its draft.
    Export {
        #[arg(long)]
        round: i64,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Read a filled form into the unit's draft (all or nothing; every unreadable cell listed).
    Import {
        file: PathBuf,
        #[arg(long)]
        round: i64,
        #[arg(long)]
        unit: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Table,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Scale {
    National,
    Province,
}

#[derive(Subcommand)]
pub enum UnitsCmd {
    /// Import a CSV or JSON file (by extension); a file with any problem is refused whole.
    Import { file: PathBuf },
    /// Export every unit.
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List units (search with or without diacritics).
    List {
        #[arg(long)]
        q: Option<String>,
        #[arg(long)]
        under: Option<String>,
        /// Only units active on this day (dd/mm/yyyy).
        #[arg(long)]
        active_on: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum TemplatesCmd {
    List,
    /// Import a template TOML file (a used template cannot change: bump its version).
    Import {
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum RoundsCmd {
    /// Create a round.
    Create {
        #[arg(long)]
        title: String,
        #[arg(long)]
        template: String,
        #[arg(long)]
        template_version: Option<i64>,
        /// 2026-H1, 2026-Y, 2026-Q3, 2026-9M …
        #[arg(long)]
        period: String,
        /// Issuing unit code.
        #[arg(long)]
        issuer: String,
        /// dd/mm/yyyy
        #[arg(long)]
        deadline: String,
        /// Recipient kinds, comma separated (commune,ward,agency,…).
        #[arg(long, value_delimiter = ',')]
        kinds: Vec<String>,
        #[arg(long)]
        max_depth: Option<i64>,
        /// Recipient unit codes, comma separated.
        #[arg(long, value_delimiter = ',')]
        units: Vec<String>,
        /// File with the covering letter text.
        #[arg(long)]
        letter: Option<PathBuf>,
        /// Create it even with a cut-off warning or when the same request exists.
        #[arg(long)]
        confirm: bool,
    },
    List {
        #[arg(long)]
        issuer: Option<String>,
    },
    /// Status of every recipient, completeness and timeliness.
    Status {
        #[arg(long)]
        round: i64,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    Close {
        #[arg(long)]
        round: i64,
    },
    /// Extend the deadline of a round for every unit, or for one unit with --unit
    /// (its own deadline, after the round's); the reason goes into the round's history.
    Extend {
        #[arg(long)]
        round: i64,
        /// dd/mm/yyyy
        #[arg(long)]
        deadline: String,
        #[arg(long)]
        reason: String,
        /// Only this unit (code), which has not sent yet.
        #[arg(long)]
        unit: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum RegistersCmd {
    /// Import an Excel book into a unit's register (all or nothing; every bad row listed).
    Import {
        #[arg(long)]
        unit: String,
        /// petitions (sổ đơn), receptions (sổ tiếp công dân), dialogues (sổ đối
        /// thoại), inspections (sổ kiểm tra, giám sát) or models (mô hình «Dân vận khéo»).
        #[arg(long)]
        register: String,
        file: PathBuf,
    },
    /// Export a unit's register as an Excel book (denouncers anonymised).
    Export {
        #[arg(long)]
        unit: String,
        /// petitions, receptions, dialogues, inspections or models.
        #[arg(long)]
        register: String,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum SubmissionsCmd {
    /// Save a report from a JSON file {"round", "unit", "values", "sections"}; --submit sends it.
    Import {
        file: PathBuf,
        #[arg(long)]
        submit: bool,
    },
    /// Print a unit's report as JSON.
    Export {
        #[arg(long)]
        round: i64,
        #[arg(long)]
        unit: String,
    },
    Return {
        #[arg(long)]
        round: i64,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        reason: String,
    },
    Accept {
        #[arg(long)]
        round: i64,
        #[arg(long)]
        unit: String,
    },
}

/// How reminders reach people by e-mail (no SMTP server: in-app notices only).
#[derive(Args, Clone, Default)]
pub struct MailArgs {
    /// SMTP server: `smtp://host:25`, `smtp://user:pass@host:587?tls=required`, `smtps://user:pass@host:465`.
    #[arg(long, env = "QCDC_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Sender of reminder e-mails, e.g. "Ban Dân vận <bdv@example.vn>".
    #[arg(long, env = "QCDC_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// The address users open qcdc at, for links in e-mails (default http://ADDR).
    #[arg(long, env = "QCDC_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl MailArgs {
    /// The mailer these options describe (None without --smtp-url).
    pub fn mailer(&self, default_url: &str) -> Result<Option<qcdc_app::Mailer>> {
        let Some(url) = self.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let from = self
            .smtp_from
            .clone()
            .filter(|f| !f.trim().is_empty())
            .ok_or_else(|| anyhow::anyhow!("--smtp-url cần kèm địa chỉ người gửi --smtp-from"))?;
        let m = qcdc_app::Mailer::new(qcdc_app::MailConfig {
            smtp_url: url.trim().to_string(),
            from,
            public_url: self
                .public_url
                .clone()
                .unwrap_or_else(|| default_url.to_string()),
        })
        .map_err(|e| anyhow::anyhow!(e))?;
        Ok(Some(m))
    }
}

#[derive(Subcommand)]
pub enum RemindersCmd {
    /// Send the scheduled reminders due now, once (those already sent are skipped).
    Run {
        #[command(flatten)]
        mail: MailArgs,
    },
}

#[derive(Subcommand)]
pub enum UsersCmd {
    /// Add a user; roles as ROLE:UNIT (admin, office, reporter, viewer).
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long, env = "QCDC_NEW_PASSWORD")]
        password: String,
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    List {
        #[arg(long)]
        q: Option<String>,
    },
    /// Disable an account: its sessions and API tokens end at once.
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        username: String,
    },
    /// Set a temporary password (generated unless --password is given); the user
    /// must change it at the next sign-in. Prints the temporary password.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long, env = "QCDC_NEW_PASSWORD")]
        password: Option<String>,
    },
    /// Issue an API token for a user (for scripts calling the JSON API).
    Token {
        #[arg(long)]
        username: String,
        #[arg(long, default_value_t = 12)]
        hours: i64,
    },
}

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Concurrent reporters saving drafts through the web form (autosave), on loopback.
    Saves {
        #[arg(long, default_value_t = 50)]
        reporters: usize,
        #[arg(long, default_value_t = 15)]
        seconds: u64,
    },
    /// Checker throughput over report files, against reading them alone.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Checker accuracy on a labelled corpus: recall and precision per kind, misses, false alarms, import mapping.
    CheckAccuracy {
        #[arg(long, default_value = "crates/checker/tests/corpus")]
        corpus: PathBuf,
    },
    /// Consolidate the whole country: qcdc's running totals vs a recursive-CTE query.
    Consolidate {
        #[arg(long, default_value_t = 5)]
        iterations: usize,
    },
    /// Figures from the registers on a generated national dataset (`qcdc gen
    /// --registers`): one commune's prefill, and every recipient's of the round.
    Registers {
        #[arg(long, default_value_t = 20)]
        repeat: usize,
    },
    /// Render the consolidated report of an office with N submitting units (full form,
    /// two pages of narrative each) as DOCX and PDF.
    Render {
        #[arg(long, default_value_t = 100)]
        units: usize,
    },
    /// The pages users open, over HTTP, on a generated national dataset: the round
    /// page, the consolidation page and API (country, province, commune), a form.
    Pages {
        #[arg(long, default_value_t = 50)]
        requests: usize,
    },
}

/// The actor name written in the audit log for CLI changes.
pub fn cli_actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "local".into())
    )
}

/// Opens the database (migrating it) and loads the template files; a file whose
/// version is already stored with other content is reported and ignored.
pub async fn open(db: &DbArgs) -> Result<App> {
    open_with(db, &AppOptions::default()).await
}

/// [`open`] with options (the server's connection wait).
pub async fn open_with(db: &DbArgs, opts: &AppOptions) -> Result<App> {
    let app = match &db.database_url {
        Some(url) => App::open(url, opts).await?,
        None => App::open_dir(&db.data, opts).await?,
    };
    let dir = db
        .templates
        .clone()
        .or_else(|| Some(PathBuf::from("templates")).filter(|p| p.is_dir()));
    let files = match dir {
        Some(d) => templates::read_dir(&d)?,
        None => SHIPPED_TEMPLATES
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("mẫu đóng gói #{}", i + 1), s.to_string()))
            .collect(),
    };
    for loaded in templates::load_files(&app.system("system"), &files).await? {
        if let templates::Loaded::Ignored { why, .. } = loaded {
            eprintln!("Lưu ý: {why}");
        }
    }
    Ok(app)
}

fn read(path: &Path) -> Result<String> {
    let bytes =
        std::fs::read(path).with_context(|| format!("không đọc được {}", path.display()))?;
    String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{} không phải văn bản UTF-8", path.display()))
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    outln!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmissionFile {
    round: i64,
    unit: String,
    #[serde(default)]
    values: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    sections: BTreeMap<String, Option<String>>,
    /// Why a figure differs from the value counted from the registers.
    #[serde(default)]
    reasons: BTreeMap<String, String>,
}

pub async fn run(cli: Cli) -> Result<ExitCode> {
    let actor = cli_actor();
    match cli.cmd {
        Cmd::Check {
            format,
            date,
            files,
        } => return Ok(crate::check::run(&files, format, date.as_deref())),
        Cmd::Serve(args) => {
            let ServeArgs {
                show_config,
                addr,
                demo,
                cookie_secure,
                backup_dir,
                backup_every_hours,
                backup_keep,
                mail,
                reminders_every,
                metrics_addr,
                db_acquire_timeout,
                config: _,
            } = *args;
            if show_config {
                for (key, value, source) in &cli.settings {
                    outln!("{key:<20} = {value:<30} ({source})");
                }
                return Ok(ExitCode::SUCCESS);
            }
            if cli.db.database_url.is_none() {
                ensure_writable(&cli.db.data)?;
            }
            let opts = AppOptions {
                acquire_timeout: Some(std::time::Duration::from_secs(db_acquire_timeout.max(1))),
                ..Default::default()
            };
            let store = open_with(&cli.db, &opts).await?;
            if demo {
                crate::demo::ensure(&store).await?;
            }
            if let Some(dir) = backup_dir {
                let (app, url) = (store.clone(), cli.db.database_url.clone());
                let every = std::time::Duration::from_secs(backup_every_hours.max(1) * 3600);
                tokio::spawn(
                    async move { scheduled_backups(app, dir, url, every, backup_keep).await },
                );
            }
            let mailer = mail.mailer(&format!("http://{addr}"))?;
            // said on stderr once the server listens (stdout's first line is the address)
            let note = match &mailer {
                Some(m) => format!(
                    "Nhắc nộp báo cáo: trong ứng dụng và bằng thư điện tử qua {} (người gửi {}).",
                    m.server(),
                    m.from()
                ),
                None => "Nhắc nộp báo cáo: chỉ trong ứng dụng (chưa cấu hình máy chủ thư; xem --smtp-url).".to_string(),
            };
            store.set_mailer(mailer);
            if reminders_every > 0 {
                spawn_reminders(store.clone(), reminders_every);
            }
            serve(store, addr, cookie_secure, metrics_addr, &note).await?;
        }
        Cmd::VerifyTotals => {
            let store = open(&cli.db).await?;
            let cx = store.system(&actor);
            let ids: Vec<i64> = units::all(&cx, &UnitQuery::default())
                .await?
                .into_iter()
                .map(|u| u.id)
                .collect();
            let today = store.today();
            let rounds = maintenance::round_ids(&cx).await?;
            let mut bad = Vec::new();
            for &r in &rounds {
                let running = maintenance::consolidate_running(&cx, r, &ids, today).await?;
                let recomputed = maintenance::consolidate_recomputed(&cx, r, &ids, today).await?;
                let units_off = ids
                    .iter()
                    .filter(|u| running.get(u) != recomputed.get(u))
                    .count();
                if units_off > 0 {
                    bad.push((r, units_off));
                }
            }
            if !bad.is_empty() {
                for (r, n) in &bad {
                    eprintln!(
                        "Đợt #{r}: tổng chạy của {n} đơn vị khác với tính lại từ số liệu gốc"
                    );
                }
                eprintln!(
                    "Sửa bằng: qcdc bench consolidate (tính lại) hoặc khôi phục bản sao lưu."
                );
                return Ok(ExitCode::from(1));
            }
            outln!(
                "Tổng chạy khớp với tính lại từ số liệu gốc: {} đợt, {} đơn vị.",
                rounds.len(),
                ids.len()
            );
        }
        Cmd::Backup { out } => {
            let store = open(&cli.db).await?;
            let m =
                backup::backup(&store.system(&actor), &out, cli.db.database_url.as_deref()).await?;
            outln!(
                "Đã sao lưu vào {}: lược đồ phiên bản {}, {} bảng, {} dòng, SHA-256 {}",
                out.display(),
                m.schema_version,
                m.tables.len(),
                m.tables.values().sum::<i64>(),
                &m.sha256[..16]
            );
        }
        Cmd::VerifyBackup { file } => {
            let m = backup::verify(&file)?;
            outln!(
                "Tệp sao lưu hợp lệ: tạo lúc {}, chương trình {}, lược đồ phiên bản {}, {} bảng, {} dòng",
                m.created_at,
                m.program_version,
                m.schema_version,
                m.tables.len(),
                m.tables.values().sum::<i64>()
            );
        }
        Cmd::Restore { file } => {
            let m = match &cli.db.database_url {
                Some(url) => backup::restore_postgres(&file, url).await?,
                None => backup::restore_sqlite(&file, &cli.db.data).await?,
            };
            // open once: migrations bring an older schema up to date
            let store = open(&cli.db).await?;
            store.close().await;
            outln!(
                "Đã khôi phục bản sao lưu lúc {} ({} bảng, {} dòng, đã kiểm tra mã SHA-256 và số dòng từng bảng).",
                m.created_at,
                m.tables.len(),
                m.tables.values().sum::<i64>()
            );
        }
        Cmd::Reminders(RemindersCmd::Run { mail }) => {
            let store = open(&cli.db).await?;
            store.set_mailer(mail.mailer("http://127.0.0.1:8080")?);
            let r = reminders::run_due(&store.system(&actor), Utc::now()).await?;
            outln!(
                "{} đợt báo cáo có lời nhắc đến hạn. {}",
                r.rounds,
                r.sent.describe_vi()
            );
        }
        Cmd::Demo => {
            let store = open(&cli.db).await?;
            crate::demo::ensure(&store).await?;
        }
        Cmd::Units(c) => {
            let store = open(&cli.db).await?;
            match c {
                UnitsCmd::Import { file } => {
                    let text = read(&file)?;
                    let recs = if file.extension().is_some_and(|e| e == "json") {
                        unit::parse_json(&text)?
                    } else {
                        unit::parse_csv(&text)?
                    };
                    let s = units::import(&store.system(&actor), recs).await?;
                    outln!(
                        "Đã nhập {} đơn vị: {} mới, {} cập nhật, {} không đổi.",
                        s.received,
                        s.created,
                        s.updated,
                        s.unchanged
                    );
                }
                UnitsCmd::Export { format, out } => {
                    let recs = units::export(&store.system(&actor)).await?;
                    let text = match format {
                        Format::Json => {
                            serde_json::to_string_pretty(&serde_json::json!({ "units": recs }))?
                        }
                        _ => unit::to_csv(&recs),
                    };
                    match out {
                        Some(p) => std::fs::write(&p, text)
                            .with_context(|| format!("không ghi được {}", p.display()))?,
                        None => out!("{text}"),
                    }
                }
                UnitsCmd::List {
                    q,
                    under,
                    active_on,
                } => {
                    let active_on = active_on.as_deref().map(parse_date).transpose()?;
                    for u in units::all(
                        &store.system(&actor),
                        &UnitQuery {
                            q,
                            active_on,
                            kinds: vec![],
                            under,
                        },
                    )
                    .await?
                    {
                        let to = u.valid_to.map(format_date).unwrap_or_default();
                        outln!(
                            "{:<14} {:<45} {:<28} {} – {}",
                            u.code,
                            u.name,
                            u.kind_label,
                            format_date(u.valid_from),
                            to
                        );
                    }
                }
            }
        }
        Cmd::Templates(c) => {
            let store = open(&cli.db).await?;
            match c {
                TemplatesCmd::List => {
                    for t in templates::list(&store.system(&actor)).await? {
                        outln!(
                            "{:<22} v{:<3} {:>3} mục {:>3} chỉ tiêu {:>3} quy tắc{}  {}",
                            t.code,
                            t.version,
                            t.sections,
                            t.indicators,
                            t.rules,
                            if t.in_use { " (đang dùng)" } else { "" },
                            t.name
                        );
                    }
                }
                TemplatesCmd::Import { file } => {
                    let t = templates::import(&store.system(&actor), &read(&file)?).await?;
                    outln!(
                        "Đã nhập mẫu «{}» phiên bản {} ({} chỉ tiêu).",
                        t.code,
                        t.version,
                        t.indicators
                    );
                }
            }
        }
        Cmd::Rounds(c) => {
            let store = open(&cli.db).await?;
            match c {
                RoundsCmd::Create {
                    title,
                    template,
                    template_version,
                    period,
                    issuer,
                    deadline,
                    kinds,
                    max_depth,
                    units,
                    letter,
                    confirm,
                } => {
                    let kinds = kinds
                        .iter()
                        .filter(|k| !k.is_empty())
                        .map(|k| {
                            UnitKind::parse(k)
                                .ok_or_else(|| anyhow::anyhow!("loại đơn vị «{k}» không hợp lệ"))
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let new = NewRound {
                        confirm,
                        title,
                        template,
                        template_version,
                        period: period.parse::<Period>()?,
                        issuer,
                        deadline: parse_date(&deadline)?,
                        letter: letter.map(|p| read(&p)).transpose()?.unwrap_or_default(),
                        recipients: RecipientSelector {
                            kinds,
                            max_depth,
                            units: units.into_iter().filter(|u| !u.is_empty()).collect(),
                        },
                    };
                    let r = rounds::create(&store.system(&actor), &new, store.today()).await?;
                    outln!(
                        "Đã tạo đợt #{} «{}»: {} đơn vị nhận, hạn nộp {}.",
                        r.id,
                        r.title,
                        r.recipients,
                        r.deadline_display
                    );
                    for w in &r.warnings {
                        outln!("Lưu ý: {w}");
                    }
                }
                RoundsCmd::List { issuer } => {
                    let all = rounds::list(
                        &store.system(&actor),
                        false,
                        PageReq::new(1, PageReq::MAX_SIZE),
                        store.today(),
                    )
                    .await?;
                    for r in all
                        .items
                        .into_iter()
                        .map(|x| x.round)
                        .filter(|r| issuer.as_deref().is_none_or(|i| r.issuer_code == i))
                    {
                        outln!(
                            "#{:<4} {:<8} {:<6} hạn {} {:>5} đơn vị  {}",
                            r.id,
                            r.period,
                            r.status,
                            r.deadline_display,
                            r.recipients,
                            r.title
                        );
                    }
                }
                RoundsCmd::Status {
                    round,
                    unit,
                    format,
                } => {
                    let st = rounds::status(
                        &store.system(&actor),
                        round,
                        unit.as_deref(),
                        &RecipientFilter::default(),
                        PageReq::new(1, PageReq::MAX_SIZE),
                        store.today(),
                    )
                    .await?;
                    match format {
                        Format::Json => print_json(&st)?,
                        _ => print_status(&st),
                    }
                }
                RoundsCmd::Close { round } => {
                    let r =
                        rounds::set_state(&store.system(&actor), round, RoundState::Closed).await?;
                    outln!("Đợt #{} đã kết thúc.", r.id);
                }
                RoundsCmd::Extend {
                    round,
                    deadline,
                    reason,
                    unit,
                } => {
                    let day = qcdc_core::period::parse_date(&deadline)?;
                    let cx = store.system(&actor);
                    match unit {
                        Some(code) => {
                            rounds::extend_unit_deadline(
                                &cx,
                                round,
                                &code,
                                day,
                                &reason,
                                store.today(),
                            )
                            .await?;
                            outln!(
                                "Đợt #{round}: đơn vị {code} được gia hạn đến {}.",
                                qcdc_core::period::format_date(day)
                            );
                        }
                        None => {
                            let r =
                                rounds::extend_deadline(&cx, round, day, &reason, store.today())
                                    .await?;
                            outln!("Đợt #{}: hạn nộp mới {}.", r.id, r.deadline_display);
                        }
                    }
                }
            }
        }
        Cmd::Registers(c) => {
            let store = open(&cli.db).await?;
            let cx = store.system(&actor);
            match c {
                RegistersCmd::Import {
                    unit,
                    register,
                    file,
                } => {
                    let bytes = std::fs::read(&file)
                        .with_context(|| format!("không đọc được {}", file.display()))?;
                    let done =
                        qcdc_app::registers::excel::import(&cx, &unit, &register, bytes).await?;
                    outln!(
                        "Đã nhập {} dòng vào sổ của «{}».",
                        done.rows,
                        done.unit_code
                    );
                }
                RegistersCmd::Export {
                    unit,
                    register,
                    out,
                } => {
                    let bytes = qcdc_app::registers::excel::export(&cx, &unit, &register).await?;
                    std::fs::write(&out, &bytes)
                        .with_context(|| format!("không ghi được {}", out.display()))?;
                    outln!("Đã ghi {} ({} byte).", out.display(), bytes.len());
                }
            }
        }
        Cmd::Submissions(c) => {
            let store = open(&cli.db).await?;
            match c {
                SubmissionsCmd::Import { file, submit } => {
                    let f: SubmissionFile = serde_json::from_str(&read(&file)?).map_err(|e| {
                        qcdc_core::CoreError::invalid(format!("Tệp báo cáo không hợp lệ: {e}"))
                    })?;
                    let cx = store.system(&actor);
                    let mut v = submissions::save_draft_json(
                        &cx, f.round, &f.unit, &f.values, f.sections, f.reasons,
                    )
                    .await?;
                    if submit {
                        v = submissions::submit(&cx, f.round, &f.unit, Utc::now()).await?;
                    }
                    outln!(
                        "Báo cáo của «{}» trong đợt #{}: {}.",
                        v.unit_name,
                        v.round_id,
                        v.status_label
                    );
                    for f in &v.findings {
                        outln!("  [{:?}] {}", f.severity, f.message);
                    }
                }
                SubmissionsCmd::Export { round, unit } => {
                    print_json(&submissions::view(&store.system(&actor), round, &unit).await?)?
                }
                SubmissionsCmd::Return {
                    round,
                    unit,
                    reason,
                } => {
                    let v =
                        submissions::return_report(&store.system(&actor), round, &unit, &reason)
                            .await?;
                    outln!("Đã trả lại báo cáo của «{}».", v.unit_name);
                }
                SubmissionsCmd::Accept { round, unit } => {
                    let v = submissions::accept(&store.system(&actor), round, &unit).await?;
                    outln!(
                        "Đã tiếp nhận báo cáo của «{}» (phiên bản {}).",
                        v.unit_name,
                        v.version
                    );
                }
            }
        }
        Cmd::Consolidate {
            round,
            unit,
            format,
        } => {
            let store = open(&cli.db).await?;
            let c = consolidation::get(
                &store.system(&actor),
                round,
                unit.as_deref(),
                None,
                PageReq::all(),
                store.today(),
            )
            .await?;
            match format {
                Format::Json => print_json(&c)?,
                _ => print_consolidation(&c),
            }
        }
        Cmd::Users(c) => {
            let store = open(&cli.db).await?;
            match c {
                UsersCmd::Add {
                    username,
                    name,
                    password,
                    roles,
                } => {
                    let mut parsed = Vec::new();
                    for r in roles {
                        let (role, unit) = r.split_once(':').ok_or_else(|| {
                            anyhow::anyhow!("vai trò «{r}» phải có dạng ROLE:UNIT")
                        })?;
                        parsed.push((
                            Role::parse(role)
                                .ok_or_else(|| anyhow::anyhow!("vai trò «{role}» không hợp lệ"))?,
                            unit.to_string(),
                        ));
                    }
                    users::create(
                        &store.system(&actor),
                        &users::NewUser {
                            username: username.clone(),
                            full_name: name,
                            password,
                            roles: parsed,
                        },
                    )
                    .await?;
                    outln!("Đã tạo tài khoản «{username}».");
                }
                UsersCmd::Disable { username } => {
                    users::set_active(&store.system(&actor), &username, false).await?;
                    outln!(
                        "Đã khóa tài khoản {username}; các phiên đăng nhập và mã truy cập đã kết thúc."
                    );
                }
                UsersCmd::Enable { username } => {
                    users::set_active(&store.system(&actor), &username, true).await?;
                    outln!("Đã mở khóa tài khoản {username}.");
                }
                UsersCmd::ResetPassword { username, password } => {
                    let p = users::reset_password(
                        &store.system(&actor),
                        &username,
                        password.as_deref(),
                    )
                    .await?;
                    outln!("Mật khẩu tạm của {username}: {p}");
                    eprintln!("Người dùng phải đổi mật khẩu khi đăng nhập lần sau.");
                }
                UsersCmd::Token { username, hours } => {
                    let token =
                        auth::issue_for_user(&store.system(&actor), &username, hours).await?;
                    outln!("{token}");
                }
                UsersCmd::List { q } => {
                    let list = users::list(
                        &store.system(&actor),
                        q.as_deref(),
                        PageReq::new(1, PageReq::MAX_SIZE),
                    )
                    .await?;
                    if list.total > list.items.len() as i64 {
                        eprintln!(
                            "Hiển thị {} trên {} người dùng; thu hẹp bằng --q",
                            list.items.len(),
                            list.total
                        );
                    }
                    for u in list.items {
                        let roles: Vec<String> = u
                            .roles
                            .iter()
                            .map(|g| format!("{}:{}", g.role.as_str(), g.unit_code))
                            .collect();
                        outln!(
                            "{:<20} {:<30} {}",
                            u.username,
                            u.full_name,
                            roles.join(", ")
                        );
                    }
                }
            }
        }
        Cmd::Gen { scale, registers } => {
            let store = open(&cli.db).await?;
            crate::generate::generate(&store, scale, registers).await?;
        }
        Cmd::ImportReport { file, round, unit } => {
            let store = open(&cli.db).await?;
            let bytes = std::fs::read(&file)
                .with_context(|| format!("không đọc được {}", file.display()))?;
            let (v, review) =
                submissions::import_report(&store.system(&actor), round, &unit, &bytes).await?;
            outln!(
                "Đã nhập «{}» thành bản nháp của «{}» trong đợt #{}: {} mục, {} chỉ tiêu.",
                file.display(),
                v.unit_name,
                v.round_id,
                v.sections.len(),
                v.values.len()
            );
            for r in &review {
                let mark = match r.kind {
                    "section" | "indicator" => "✓",
                    _ => "?",
                };
                outln!("  {mark} dòng {:>4}: {}", r.line, r.detail);
            }
            for f in &v.findings {
                outln!("  [{:?}] {}", f.severity, f.message);
            }
            for f in &v.narrative_findings {
                outln!(
                    "  [kiểm tra nội dung, mục {}] {}",
                    f.section,
                    f.finding.message
                );
            }
        }
        Cmd::Render {
            document,
            round,
            unit,
            format,
            draft,
            out,
        } => {
            let store = open(&cli.db).await?;
            let format = match format {
                FileFormatArg::Docx => documents::FileFormat::Docx,
                FileFormatArg::Pdf => documents::FileFormat::Pdf,
            };
            let f = documents::render(
                &store.system(&actor),
                round,
                document.which(),
                unit.as_deref(),
                format,
                draft,
            )
            .await?;
            let path = out.unwrap_or_else(|| PathBuf::from(&f.file_name));
            std::fs::write(&path, &f.bytes)
                .with_context(|| format!("không ghi được {}", path.display()))?;
            let pages = f.pages.map(|p| format!(", {p} trang")).unwrap_or_default();
            match &f.number {
                Some(n) => outln!("Đã ghi {} (số {n}{pages}).", path.display()),
                None => outln!("Đã ghi {} (dự thảo, chưa có số{pages}).", path.display()),
            }
        }
        Cmd::Issue {
            document,
            round,
            unit,
        } => {
            let store = open(&cli.db).await?;
            let d = documents::issue(
                &store.system(&actor),
                round,
                document.which(),
                unit.as_deref(),
            )
            .await?;
            outln!(
                "Đã phát hành số {} ngày {} ({}).",
                d.number_text,
                format_date(d.issued_on),
                d.unit_code
            );
        }
        Cmd::Form(c) => {
            let store = open(&cli.db).await?;
            match c {
                FormCmd::Export { round, unit, out } => {
                    let f = documents::export_form(&store.system(&actor), round, &unit).await?;
                    let path = out.unwrap_or_else(|| PathBuf::from(&f.file_name));
                    std::fs::write(&path, &f.bytes)
                        .with_context(|| format!("không ghi được {}", path.display()))?;
                    outln!("Đã ghi biểu mẫu {}.", path.display());
                }
                FormCmd::Import { file, round, unit } => {
                    let bytes = std::fs::read(&file)
                        .with_context(|| format!("không đọc được {}", file.display()))?;
                    match documents::import_form(&store.system(&actor), round, &unit, bytes).await {
                        Ok(v) => {
                            outln!(
                                "Đã nhập biểu mẫu vào bản nháp của «{}» trong đợt #{}: {} chỉ tiêu có số liệu.",
                                v.unit_name,
                                v.round_id,
                                v.values.len()
                            );
                            for f in &v.findings {
                                outln!("  [{:?}] {}", f.severity, f.message);
                            }
                        }
                        Err(e) => {
                            eprintln!("Lỗi ({}): {}", e.code.as_str(), e.message);
                            for p in &e.problems {
                                eprintln!("  {}", p.message);
                            }
                            return Ok(ExitCode::from(1));
                        }
                    }
                }
            }
        }
        Cmd::Bench(BenchCmd::Render { units }) => {
            let r =
                tokio::task::spawn_blocking(move || qcdc_docs::bench::render_consolidated(units))
                    .await??;
            outln!("{}", r.line());
        }
        Cmd::Bench(BenchCmd::Check { files }) => crate::check::bench(&files)?,
        Cmd::Bench(BenchCmd::CheckAccuracy { corpus }) => {
            return Ok(crate::check::accuracy(&corpus));
        }
        Cmd::Bench(BenchCmd::Saves { reporters, seconds }) => {
            let store = open(&cli.db).await?;
            crate::bench::saves(store, reporters, seconds).await?;
        }
        Cmd::Bench(BenchCmd::Registers { repeat }) => {
            let store = open(&cli.db).await?;
            crate::bench::registers(&store, repeat).await?;
        }
        Cmd::Bench(BenchCmd::Consolidate { iterations }) => {
            let store = open(&cli.db).await?;
            crate::bench::consolidate(&store, iterations).await?;
        }
        Cmd::Bench(BenchCmd::Pages { requests }) => {
            let store = open(&cli.db).await?;
            crate::bench::pages(store, requests).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Backs up every `every` into `dir` (`qcdc-YYYYMMDD-HHMMSS.qcdcbak`), keeping the
/// newest `keep`; a failure is logged and tried again at the next turn.
async fn scheduled_backups(
    app: App,
    dir: PathBuf,
    url: Option<String>,
    every: std::time::Duration,
    keep: usize,
) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(e) = std::fs::create_dir_all(&dir) {
            tracing::error!(error = %e, "backup directory");
            continue;
        }
        let name = format!(
            "qcdc-{}.qcdcbak",
            chrono::Utc::now().format("%Y%m%d-%H%M%S")
        );
        let out = dir.join(name);
        match backup::backup(&app.system("sao-luu-tu-dong"), &out, url.as_deref()).await {
            Ok(m) => {
                tracing::info!(file = %out.display(), rows = m.tables.values().sum::<i64>(), "backup made")
            }
            Err(e) => tracing::error!(error = %e.message, "scheduled backup failed"),
        }
        let mut old: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "qcdcbak"))
                    .collect()
            })
            .unwrap_or_default();
        old.sort();
        while old.len() > keep.max(1) {
            let p = old.remove(0);
            let _ = std::fs::remove_file(&p);
        }
    }
}

/// The server's own task: the scheduled reminders every `minutes` (first run a
/// minute after start). A failed run is logged and retried at the next tick;
/// reminders already sent are never sent again (`reminders::run_due`).
fn spawn_reminders(store: App, minutes: u64) {
    tokio::spawn(async move {
        let cx = store.system("máy chủ (lịch nhắc tự động)");
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(minutes * 60));
        loop {
            tick.tick().await;
            match reminders::run_due(&cx, Utc::now()).await {
                Ok(r) if r.sent.units > 0 => tracing::info!(
                    rounds = r.rounds,
                    units = r.sent.units,
                    notices = r.sent.notices,
                    mails_sent = r.sent.mails_sent,
                    mails_failed = r.sent.mails_failed,
                    "scheduled reminders sent"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "scheduled reminders failed"),
            }
        }
    });
}

/// Refuses a data directory the server could not write to (read-only disk or
/// mount, wrong owner, full disk): better a clear stop at start-up than every
/// sign-in and save failing later.
pub fn ensure_writable(dir: &Path) -> Result<()> {
    use std::io::Write as _;
    let refuse = |e: std::io::Error| {
        anyhow::anyhow!(
            "thư mục dữ liệu {d} không ghi được ({e}); qcdc không khởi động. Hãy cho người dùng chạy qcdc quyền ghi vào thư mục này (và còn chỗ trống trên đĩa) hoặc chọn --data khác.\n\
             The data directory {d} is not writable ({e}); qcdc will not start.",
            d = dir.display()
        )
    };
    std::fs::create_dir_all(dir).map_err(refuse)?;
    let probe = dir.join(format!(".qcdc-write-probe-{}", std::process::id()));
    let written = std::fs::File::create(&probe).and_then(|mut f| {
        f.write_all(b"qcdc")?;
        f.sync_all()
    });
    let _ = std::fs::remove_file(&probe);
    written.map_err(refuse)?;
    // the database and its journal files themselves (a read-only file in a writable directory)
    for name in ["qcdc.db", "qcdc.db-wal", "qcdc.db-shm"] {
        let p = dir.join(name);
        if p.exists() {
            std::fs::OpenOptions::new()
                .append(true)
                .open(&p)
                .map_err(refuse)?;
        }
    }
    Ok(())
}

/// Installs the Prometheus recorder and serves `/metrics` on its own listener.
async fn serve_metrics(store: App, listener: tokio::net::TcpListener) -> Result<()> {
    use metrics_exporter_prometheus::PrometheusBuilder;
    let handle = PrometheusBuilder::new()
        .set_buckets(&[
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ])?
        .install_recorder()
        .context("không cài được bộ ghi số liệu giám sát")?;
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    let router = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let (handle, store) = (handle.clone(), store.clone());
            async move {
                let (open, idle) = store.pool_stats();
                metrics::gauge!("qcdc_db_pool_connections").set(f64::from(open));
                metrics::gauge!("qcdc_db_pool_idle_connections").set(idle as f64);
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    handle.render(),
                )
            }
        }),
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "metrics listener stopped");
        }
    });
    Ok(())
}

async fn serve(
    store: App,
    addr: SocketAddr,
    cookie_secure: bool,
    metrics_addr: Option<SocketAddr>,
    note: &str,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("không mở được cổng {addr}"))?;
    let local = listener.local_addr()?;
    let metrics = match metrics_addr {
        Some(a) => Some(
            tokio::net::TcpListener::bind(a)
                .await
                .with_context(|| format!("không mở được cổng số liệu giám sát {a}"))?,
        ),
        None => None,
    };
    outln!("qcdc đang chạy tại http://{local}  (API: http://{local}/api/v1/openapi.json)");
    if let Some(l) = metrics {
        outln!(
            "Số liệu giám sát (Prometheus): http://{}/metrics",
            l.local_addr()?
        );
        serve_metrics(store.clone(), l).await?;
    }
    // on stderr: a script may read the address line and close stdout
    eprintln!("{note}");
    let app = qcdc_web::observe::instrument(qcdc_web::server_router(store, cookie_secure));
    // typst's one-off costs (standard library, fonts) paid now, not by the first user
    tokio::task::spawn_blocking(|| {
        if let Err(e) = qcdc_docs::warm_up() {
            tracing::warn!(error = %e, "document renderer warm-up failed");
        }
    });
    // the peer address reaches the sign-in limit (keyed by address and username)
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

fn pct(x: f64) -> String {
    format!("{}%", number::format_f64(x, 1))
}

fn print_status(st: &RoundStatusView) {
    let c = &st.counts;
    outln!(
        "Đợt #{} «{}» — {} — hạn nộp {}",
        st.round.id,
        st.round.title,
        st.round.period_label,
        st.round.deadline_display
    );
    outln!("Phạm vi: {} — {} đơn vị nhận", st.unit_name, c.recipients);
    outln!(
        "Đã tiếp nhận {} · đã gửi {} · bị trả lại {} · đang soạn {} · chưa bắt đầu {} · đúng hạn {} · trễ hạn {} · quá hạn chưa nộp {}",
        c.accepted,
        c.submitted,
        c.returned,
        c.draft,
        c.not_started,
        c.on_time,
        c.late,
        c.overdue
    );
    outln!(
        "Tỷ lệ đầy đủ {} · tỷ lệ đúng hạn {}",
        pct(c.completeness_pct),
        pct(c.timeliness_pct)
    );
    outln!("");
    for r in &st.recipients.items {
        let when = match r.on_time {
            Some(true) => "đúng hạn",
            Some(false) => "trễ hạn",
            None if r.overdue => "QUÁ HẠN",
            None => "",
        };
        outln!(
            "  {:<14} {:<45} {:<14} {}",
            r.unit_code,
            r.unit_name,
            r.status_label,
            when
        );
    }
}

fn print_consolidation(c: &ConsolidationView) {
    outln!(
        "Tổng hợp đợt #{} «{}» — {} — tại {}",
        c.round.id,
        c.round.title,
        c.round.period_label,
        c.unit_name
    );
    let k = &c.completeness;
    outln!(
        "Đầy đủ {} ({} đã tiếp nhận / {} đơn vị) · đúng hạn {}",
        pct(k.completeness_pct),
        k.accepted,
        k.recipients,
        pct(k.timeliness_pct)
    );
    if let Some(p) = &c.previous_round {
        outln!(
            "So với cùng kỳ: đợt #{} ({}){}",
            p.id,
            p.period_label,
            if c.comparison_approximate {
                " — có đơn vị chia tách, so sánh gần đúng"
            } else {
                ""
            }
        );
    }
    outln!("");
    outln!(
        "{:<24} {:<62} {:>14} {:>14} {:>10}",
        "Chỉ tiêu",
        "Tên",
        "Kỳ này",
        "Cùng kỳ",
        "Tăng/giảm"
    );
    for r in &c.rows {
        let name: String = format!("{}{}", "  ".repeat(r.level), r.name)
            .chars()
            .take(60)
            .collect();
        let prev = r
            .previous
            .map(|p| {
                number::format_f64(
                    p,
                    if r.aggregate == qcdc_core::template::Aggregate::Ratio {
                        1
                    } else if qcdc_core::template::allows_decimals(&r.unit) {
                        3
                    } else {
                        0
                    },
                )
            })
            .unwrap_or_default();
        let ch = r
            .change_pct
            .map(pct)
            .or_else(|| r.change.map(|x| number::format_f64(x, 1)))
            .unwrap_or_default();
        let value = if r.aggregate == qcdc_core::template::Aggregate::None {
            format!("({} đơn vị)", r.units_reporting)
        } else {
            r.display.clone()
        };
        outln!(
            "{:<24} {:<62} {:>14} {:>14} {:>10}",
            r.code,
            name,
            value,
            prev,
            ch
        );
    }
}

/// Parses dd/mm/yyyy for the demo's and the generator's fixed dates (literals in
/// this program: a typo is a bug to see at once).
#[allow(clippy::expect_used)]
pub fn date(s: &str) -> NaiveDate {
    parse_date(s).expect("fixed date")
}
