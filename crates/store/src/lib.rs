//! Storage for qcdc: one sqlx `Any` code path over SQLite (default, WAL) and
//! PostgreSQL, as repositories of free functions over the caller's connection.
//!
//! Architecture invariants:
//! - the store holds no business rule and knows nothing of HTTP; the use-case
//!   layer (`qcdc-app`) owns every transaction and calls these functions;
//! - no repository calls another; `closure`, `rollup`, `audit` and `meta` are
//!   leaves the use cases call inside the same transaction;
//! - rows are decoded into typed structs or refused with the table and column
//!   named ([`rows`]); nothing becomes a silent zero;
//! - the schema changes only by versioned migrations ([`migrate`]).

pub mod audit;
pub mod backup;
pub mod closure;
pub mod db;
pub mod documents_repo;
pub mod meta;
pub mod migrate;
pub mod registers_facts;
pub mod registers_repo;
pub mod reminders_repo;
pub mod rollup;
pub mod rounds_repo;
pub mod rows;
pub mod submissions_repo;
pub mod templates_repo;
pub mod units_repo;
pub mod users_repo;

pub use db::{Backend, Db, DbResult, OpenOptions, Tx};
pub use sqlx::AnyConnection as Conn;
