//! The use-case layer of qcdc. Every page, API call and CLI command goes through
//! it: a use case takes the authenticated actor ([`Ctx`]), authorizes with
//! `qcdc_core::access` inside the transaction it owns, calls the repositories of
//! `qcdc-store` and the rules of `qcdc-core`, writes the audit entry, and returns
//! a view model that pages, JSON answers and documents render alike.
//!
//! Architecture invariants:
//! - the store is private to this crate: `qcdc-api` and `qcdc-web` depend on this
//!   crate, not on `qcdc-store` (a tidy test reads their manifests);
//! - every public use case authorizes before it reads or writes anything that is
//!   not public (the route × role matrix tests hold it);
//! - state rules (round open, submission status) are checked inside the write
//!   transaction that depends on them.

mod ctx;
mod passwords;
pub mod views;

pub mod auth;
pub mod backup;
pub mod check;
pub mod consolidation;
pub mod documents;
pub mod maintenance;
pub mod notices;
pub mod registers;
pub mod reminders;
pub mod rounds;
pub mod sources;
pub mod submissions;
pub mod templates;
pub mod units;
pub mod users;

pub use ctx::{App, AppOptions, Ctx};
pub use qcdc_core::access::{Actor, Grant, Permission, Role};
pub use qcdc_core::{CoreError, CoreResult, ErrorCode};
pub use qcdc_mail::{MailConfig, Mailer};
pub use qcdc_store::Backend;
pub use qcdc_store::audit::AuditEntry;
pub use qcdc_store::rounds_repo::{Recipient, RecipientFilter};
pub use qcdc_store::units_repo::Unit;
pub use qcdc_store::users_repo::{GrantInfo, UserInfo};
pub use views::{Page, PageReq};
