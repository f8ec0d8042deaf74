//! Figures a report form takes from elsewhere: an indicator of a template may
//! declare a `source`, and a [`PrefillProvider`] — supplied by the application,
//! not known to the report use cases — counts the value of every such indicator
//! for a unit over a round's cut-off window. The report use cases only show the
//! counted values, and refuse to save a different value without a written reason
//! (kept as an override that the office sees).
//!
//! The application's provider counts the unit's registers
//! (`registers::prefill::RegisterCounts`).

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use chrono::NaiveDate;
use qcdc_core::CoreResult;
use qcdc_core::number::Milli;
use qcdc_core::template::Template;
use qcdc_core::unit::UnitKind;
use qcdc_store::Conn;

/// Counted values by indicator code (thousandths, like every stored figure).
pub type Prefills = BTreeMap<String, Milli>;

/// What a provider is asked: the unit and the window to count over.
#[derive(Debug, Clone, Copy)]
pub struct PrefillRequest<'a> {
    pub template: &'a Template,
    pub unit_id: i64,
    pub unit_kind: UnitKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Counts the figures of the indicators that declare a `source`. Called inside
/// the caller's transaction, after the caller has authorized.
pub trait PrefillProvider: Send + Sync {
    fn prefill<'a>(
        &'a self,
        c: &'a mut Conn,
        req: PrefillRequest<'a>,
    ) -> Pin<Box<dyn Future<Output = CoreResult<Prefills>> + Send + 'a>>;
}

/// Whether any indicator of the template names a source (nothing to count
/// otherwise).
pub fn has_sources(t: &Template) -> bool {
    t.indicators().iter().any(|i| i.source.is_some())
}
