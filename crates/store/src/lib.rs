//! Storage for qcdc behind one narrow interface, [`Store`], with one sqlx `Any`
//! code path for SQLite (default, WAL) and PostgreSQL.
//!
//! Invariants:
//! - every multi-step write runs in one transaction;
//! - `rollup` holds, for each round and each unit, the sum of the accepted figures of
//!   the round's recipients strictly below it, and is changed in the same transaction
//!   that changes `accepted_values`;
//! - `unit_closure` is the transitive closure of `units.parent_id`.

mod audit;
pub mod bench;
mod consolidation;
mod db;
mod rounds;
mod schema;
mod submissions;
mod templates;
pub mod testing;
mod units;
mod users;

pub use audit::AuditEntry;
pub use consolidation::{ChildTotals, Consolidation, NarrativeEntry};
pub use db::{Backend, Store};
pub use rounds::{
    NewRound, RecipientSelector, RecipientStatus, RoundInfo, RoundStatus, StatusCounts, today_vn,
};
pub use submissions::{DraftChange, SubmissionView, VersionInfo};
pub use templates::TemplateInfo;
pub use units::{ImportSummary, Unit, UnitFilter};
pub use users::{Actor, UserInfo};
