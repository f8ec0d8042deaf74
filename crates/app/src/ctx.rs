//! The application handle ([`App`]: the database, the template cache, the server
//! secret) and the authenticated context every use case takes ([`Ctx`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{NaiveDate, Utc};
use qcdc_core::access::{Actor, Permission};
use qcdc_core::signin::Throttle;
use qcdc_core::template::Template;
use qcdc_core::{CoreError, CoreResult, ErrorCode};
use qcdc_store::Conn as AnyConnection;
use qcdc_store::{Db, OpenOptions, meta, templates_repo, units_repo};
use rand::RngCore;

/// How to open the application.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// Migrate only up to this schema version (upgrade tests).
    pub migrate_to: Option<i64>,
    /// How long a request waits for a database connection (default 30 s).
    pub acquire_timeout: Option<std::time::Duration>,
}

struct Inner {
    db: Db,
    templates: RwLock<HashMap<i64, Arc<Template>>>,
    secret: Vec<u8>,
    /// The SMTP sender for reminders, when configured.
    mailer: RwLock<Option<qcdc_mail::Mailer>>,
    /// Failed sign-ins by (address, username), for the web page and the API alike.
    throttle: Mutex<Throttle>,
    /// Failed sign-ins since start (a counter for monitoring).
    sign_in_failures: AtomicU64,
}

/// The application: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

impl App {
    /// Opens (creates, migrates) the database at `url` (`sqlite://…`, `postgres://…`).
    pub async fn open(url: &str, opts: &AppOptions) -> CoreResult<App> {
        let db = Db::open(
            url,
            &OpenOptions {
                migrate_to: opts.migrate_to,
                acquire_timeout: opts.acquire_timeout,
            },
        )
        .await?;
        App::with_db(db, opts).await
    }

    /// Opens the SQLite database `qcdc.db` in `dir`.
    pub async fn open_dir(dir: &Path, opts: &AppOptions) -> CoreResult<App> {
        let db = Db::open_dir(
            dir,
            &OpenOptions {
                migrate_to: opts.migrate_to,
                acquire_timeout: opts.acquire_timeout,
            },
        )
        .await?;
        App::with_db(db, opts).await
    }

    async fn with_db(db: Db, opts: &AppOptions) -> CoreResult<App> {
        let secret = if opts.migrate_to.is_some() {
            Vec::new()
        } else {
            let mut fresh = [0u8; 32];
            rand::rng().fill_bytes(&mut fresh);
            let mut tx = db.write().await?;
            let r = meta::get_or_insert(&mut tx, "server_secret", &hex::encode(fresh)).await;
            let s = tx.finish(r).await?;
            hex::decode(s).map_err(|_| {
                CoreError::new(
                    ErrorCode::Internal,
                    "Khóa bí mật của máy chủ bị hỏng (bảng meta)",
                )
            })?
        };
        Ok(App {
            inner: Arc::new(Inner {
                db,
                templates: RwLock::default(),
                secret,
                mailer: RwLock::default(),
                throttle: Mutex::default(),
                sign_in_failures: AtomicU64::new(0),
            }),
        })
    }

    /// The local command line on the server: every permission, no scope. Pages
    /// and the API never call this (a tidy test checks).
    pub fn system(&self, name: impl Into<String>) -> Ctx {
        Ctx {
            app: self.clone(),
            actor: Actor::system(name),
            token_hash: None,
        }
    }

    /// Sets (or removes) the SMTP sender used for reminders by e-mail; without
    /// one, reminders are in-app notices only.
    pub fn set_mailer(&self, mailer: Option<qcdc_mail::Mailer>) {
        *self.inner.mailer.write().unwrap_or_else(|e| e.into_inner()) = mailer;
    }

    pub(crate) fn mailer(&self) -> Option<qcdc_mail::Mailer> {
        self.inner
            .mailer
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Connections of the database pool: (open, idle) — for monitoring.
    pub fn pool_stats(&self) -> (u32, usize) {
        self.db().pool_size()
    }

    /// Today in Vietnam.
    pub fn today(&self) -> NaiveDate {
        qcdc_core::period::today_in_vietnam(Utc::now())
    }

    pub fn backend(&self) -> qcdc_store::Backend {
        self.inner.db.backend()
    }

    /// Closes the database pool.
    pub async fn close(&self) {
        self.inner.db.close().await;
    }

    pub(crate) fn db(&self) -> &Db {
        &self.inner.db
    }

    pub(crate) fn secret(&self) -> &[u8] {
        &self.inner.secret
    }

    pub(crate) fn ctx(&self, actor: Actor) -> Ctx {
        Ctx {
            app: self.clone(),
            actor,
            token_hash: None,
        }
    }

    /// Runs `f` on the sign-in failure counters.
    pub(crate) fn with_throttle<R>(&self, f: impl FnOnce(&mut Throttle) -> R) -> R {
        f(&mut self
            .inner
            .throttle
            .lock()
            .unwrap_or_else(|e| e.into_inner()))
    }

    pub(crate) fn count_sign_in_failure(&self) {
        self.inner.sign_in_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Failed sign-ins (web page and API) since the server started.
    pub fn sign_in_failures(&self) -> u64 {
        self.inner.sign_in_failures.load(Ordering::Relaxed)
    }

    /// The parsed template with this id (cached: a stored version never changes
    /// once used, and the cache is refreshed when an unused one is replaced).
    pub(crate) async fn template(
        &self,
        c: &mut AnyConnection,
        id: i64,
    ) -> CoreResult<Arc<Template>> {
        if let Some(t) = self.cached(id) {
            return Ok(t);
        }
        let src = templates_repo::source(c, id)
            .await?
            .ok_or_else(|| CoreError::not_found(format!("mẫu báo cáo #{id}")))?;
        let t = Arc::new(Template::from_toml(&src)?);
        self.cache(id, t.clone());
        Ok(t)
    }

    fn cached(&self, id: i64) -> Option<Arc<Template>> {
        self.inner
            .templates
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .cloned()
    }

    pub(crate) fn cache(&self, id: i64, t: Arc<Template>) {
        self.inner
            .templates
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, t);
    }
}

/// The authenticated actor of one request, with the application.
#[derive(Clone)]
pub struct Ctx {
    app: App,
    actor: Actor,
    /// The hash of the session or token the request came with (kept when the
    /// user changes the password; every other one ends).
    pub(crate) token_hash: Option<String>,
}

/// The refusal every use case answers when the actor lacks the right.
pub(crate) fn forbidden() -> CoreError {
    CoreError::new(
        ErrorCode::Forbidden,
        "Tài khoản không có quyền thực hiện thao tác này với đơn vị này",
    )
}

impl Ctx {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn app(&self) -> &App {
        &self.app
    }

    /// The name written in the audit log.
    pub(crate) fn who(&self) -> &str {
        &self.actor.username
    }

    /// Refuses unless the actor may do `perm` on the unit; returns its lineage.
    pub(crate) async fn require(
        &self,
        c: &mut AnyConnection,
        perm: Permission,
        unit_id: i64,
    ) -> CoreResult<Vec<i64>> {
        let lineage = units_repo::lineage(c, unit_id).await?;
        if self.actor.may(perm, &lineage) {
            Ok(lineage)
        } else {
            Err(forbidden())
        }
    }

    /// Whether the actor may do `perm` on the unit.
    pub(crate) async fn may(
        &self,
        c: &mut AnyConnection,
        perm: Permission,
        unit_id: i64,
    ) -> CoreResult<bool> {
        let lineage = units_repo::lineage(c, unit_id).await?;
        Ok(self.actor.may(perm, &lineage))
    }

    /// Refuses the command line where only a signed-in person makes sense (their
    /// own tokens, their own password): the operation acts on the actor's account.
    pub(crate) fn require_user(&self) -> CoreResult<()> {
        if self.actor.is_system() {
            Err(CoreError::invalid(
                "Thao tác này dành cho người dùng đã đăng nhập, không dành cho dòng lệnh",
            ))
        } else {
            Ok(())
        }
    }

    /// Refuses anyone but the local command line.
    pub(crate) fn require_system(&self) -> CoreResult<()> {
        if self.actor.is_system() {
            Ok(())
        } else {
            Err(forbidden())
        }
    }
}
