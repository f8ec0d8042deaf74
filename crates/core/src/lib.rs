//! Domain core of qcdc: everything about grassroots-democracy reporting that needs
//! no I/O — units and succession, periods, templates, rule expressions, validation,
//! submission workflow, consolidation arithmetic, access decisions, Vietnamese text
//! and numbers. Storage and the web layer call into this crate; it calls nothing.

pub mod access;
pub mod consolidate;
pub mod error;
pub mod expr;
pub mod number;
pub mod period;
pub mod registers;
pub mod reminder;
pub mod round;
pub mod signin;
pub mod template;
pub mod text;
pub mod unit;
pub mod user_import;
pub mod validate;
pub mod workflow;

pub use error::{CoreError, CoreResult, ErrorCode, Problem};
