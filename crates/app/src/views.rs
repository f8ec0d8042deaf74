//! View models: what a page, a JSON answer or a document shows, built once by the
//! use cases and rendered by thin handlers. Plain data, no behaviour beyond
//! formatting helpers.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use qcdc_core::consolidate::Row;
use qcdc_core::period::{Period, format_date};
use qcdc_core::round::StatusCounts;
use qcdc_core::unit::UnitKind;
use qcdc_core::validate::{Finding, Narrative};
use qcdc_core::workflow::Status;
use qcdc_store::rounds_repo::{Recipient, Round};
use serde::{Deserialize, Serialize};

/// A page request: 1-based page number and page size (bounded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageReq {
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub per_page: Option<i64>,
}

impl PageReq {
    pub const DEFAULT_SIZE: i64 = 50;
    pub const MAX_SIZE: i64 = 500;

    pub fn new(page: i64, per_page: i64) -> PageReq {
        PageReq {
            page: Some(page),
            per_page: Some(per_page),
        }
    }

    /// Everything up to the maximum page size.
    pub fn all() -> PageReq {
        PageReq::new(1, Self::MAX_SIZE)
    }

    pub fn number(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }

    pub fn size(&self) -> i64 {
        self.per_page
            .unwrap_or(Self::DEFAULT_SIZE)
            .clamp(1, Self::MAX_SIZE)
    }

    pub fn offset(&self) -> i64 {
        (self.number() - 1).saturating_mul(self.size())
    }
}

/// One page of a list, with the total so that nothing is silently cut.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub pages: i64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: i64, req: PageReq) -> Page<T> {
        let per_page = req.size();
        Page {
            items,
            total,
            page: req.number(),
            per_page,
            pages: ((total + per_page - 1) / per_page).max(1),
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
            pages: self.pages,
        }
    }
}

/// A round as shown.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoundView {
    pub id: i64,
    pub title: String,
    pub template_id: i64,
    pub template_code: String,
    pub template_version: i64,
    pub period: Period,
    pub period_label: String,
    pub cutoff_from: String,
    pub cutoff_to: String,
    pub issuer_code: String,
    pub issuer_name: String,
    pub deadline: NaiveDate,
    pub deadline_display: String,
    pub letter: String,
    /// `open` or `closed`.
    pub status: String,
    pub status_label: String,
    pub created_at: String,
    pub recipients: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl From<Round> for RoundView {
    fn from(r: Round) -> RoundView {
        let (a, b) = r.period.cutoff();
        RoundView {
            id: r.id,
            title: r.title,
            template_id: r.template_id,
            template_code: r.template_code,
            template_version: r.template_version,
            period: r.period,
            period_label: r.period.label_vi(),
            cutoff_from: format_date(a),
            cutoff_to: format_date(b),
            issuer_code: r.issuer_code,
            issuer_name: r.issuer_name,
            deadline: r.deadline,
            deadline_display: format_date(r.deadline),
            letter: r.letter,
            status: r.state.as_str().into(),
            status_label: r.state.label_vi().into(),
            created_at: r.created_at,
            recipients: r.recipients,
            warnings: Vec::new(),
        }
    }
}

impl RoundView {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }
}

/// A round in a list, with the counts over what the actor sees of it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoundSummary {
    #[serde(flatten)]
    pub round: RoundView,
    pub counts: StatusCounts,
}

/// One recipient's line on the round page.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecipientLine {
    pub unit_code: String,
    pub unit_name: String,
    pub kind: UnitKind,
    pub kind_label: &'static str,
    pub status: Status,
    pub status_label: &'static str,
    pub on_time: Option<bool>,
    pub overdue: bool,
    /// The unit's own deadline (dd/mm/yyyy) when the office extended it for it alone.
    pub own_deadline: Option<String>,
    pub version: i64,
    pub first_submitted_at: Option<String>,
    pub accepted_at: Option<String>,
    pub return_reason: Option<String>,
    pub updated_at: String,
}

impl RecipientLine {
    pub fn from_recipient(
        r: Recipient,
        round_deadline: NaiveDate,
        today: NaiveDate,
    ) -> RecipientLine {
        let deadline = qcdc_core::round::effective_deadline(round_deadline, r.deadline);
        RecipientLine {
            overdue: today > deadline && r.on_time.is_none(),
            own_deadline: r.deadline.filter(|d| *d > round_deadline).map(format_date),
            kind_label: r.kind.label_vi(),
            status_label: r.status.label_vi(),
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            kind: r.kind,
            status: r.status,
            on_time: r.on_time,
            version: r.version,
            first_submitted_at: r.first_submitted_at,
            accepted_at: r.accepted_at,
            return_reason: r.return_reason,
            updated_at: r.updated_at,
        }
    }
}

/// Counts of a child unit's subtree.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChildCounts {
    pub unit_code: String,
    pub unit_name: String,
    pub counts: StatusCounts,
}

/// The round page over one unit's subtree: counts from the running status
/// counts, recipients one page at a time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoundStatusView {
    pub round: RoundView,
    pub unit_code: String,
    pub unit_name: String,
    pub counts: StatusCounts,
    pub children: Vec<ChildCounts>,
    pub recipients: Page<RecipientLine>,
    /// The actor is the issuing office (may close, reopen, review).
    pub can_manage: bool,
}

/// What the actor may do with a report (pages offer only these).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct SubmissionRights {
    /// Edit the working copy and submit it.
    pub edit: bool,
    /// Return or accept it (the issuing office, while it waits).
    pub review: bool,
    /// Open a correction of accepted data.
    pub correct: bool,
}

/// A unit's report in a round, as the unit or the office sees it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SubmissionView {
    pub round_id: i64,
    pub round_title: String,
    pub round_status: String,
    pub period_label: String,
    pub deadline: String,
    pub deadline_date: NaiveDate,
    pub template_code: String,
    pub template_version: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// The unit's kind: the form shows the indicators that apply to it.
    pub unit_kind: qcdc_core::unit::UnitKind,
    pub status: Status,
    pub status_label: &'static str,
    pub version: i64,
    /// Ratios computed from their numerator and denominator (written the Vietnamese
    /// way, one decimal), for every ratio whose parts are filled.
    pub computed: BTreeMap<String, String>,
    /// Figures of the working copy (or of the accepted version when accepted).
    pub values: BTreeMap<String, f64>,
    /// The same figures written the Vietnamese way.
    pub display: BTreeMap<String, String>,
    pub sections: Narrative,
    pub findings: Vec<Finding>,
    /// What the report checker finds in the narrative (percentages, sums, citations…).
    pub narrative_findings: Vec<qcdc_checker::SectionFinding>,
    pub return_reason: Option<String>,
    pub correction_reason: Option<String>,
    pub on_time: Option<bool>,
    pub first_submitted_at: Option<String>,
    pub submitted_at: Option<String>,
    pub accepted_at: Option<String>,
    pub updated_at: String,
    pub updated_by: String,
    pub adopted_from_round: Option<i64>,
    pub can: SubmissionRights,
    /// The values counted for indicators that declare a `source` (written the
    /// Vietnamese way), offered in the form; filled while the report is editable.
    pub prefilled: BTreeMap<String, String>,
    /// Figures that differ from the counted value, with the reporter's reason.
    pub overrides: Vec<OverrideLine>,
}

/// A figure typed differently from the value counted for its source.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OverrideLine {
    pub indicator: String,
    pub name: String,
    /// The counted value when the reason was written.
    pub counted: String,
    /// The typed value (empty: left blank).
    pub typed: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

/// An accepted version in the history.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VersionInfo {
    pub version: i64,
    pub accepted_at: String,
    pub accepted_by: String,
    pub reason: Option<String>,
    pub values: BTreeMap<String, f64>,
    pub sections: Narrative,
}

/// A child's line in the drill-down.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChildTotals {
    pub unit_code: String,
    pub unit_name: String,
    pub kind: UnitKind,
    /// The child is itself a recipient (its own report), not a sum of reports below.
    pub is_recipient: bool,
    pub counts: StatusCounts,
    pub values: BTreeMap<String, f64>,
    pub display: BTreeMap<String, String>,
}

/// A column of the drill-down table (chosen from the template by group).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Column {
    pub code: String,
    pub name: String,
    pub unit: String,
}

/// A group of the template's form, to choose the drill-down columns.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupRef {
    pub code: String,
    pub title: String,
}

/// The consolidated picture of a round at one unit.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConsolidationView {
    pub round: RoundView,
    pub unit_code: String,
    pub unit_name: String,
    /// The way down from the round's issuer (or the highest unit the actor sees).
    pub breadcrumb: Vec<(String, String)>,
    pub completeness: StatusCounts,
    pub rows: Vec<Row>,
    pub previous_round: Option<RoundView>,
    /// Names of last year's units the comparison covers (after following
    /// succession links).
    pub previous_units: Vec<String>,
    /// What the same-period comparison covers.
    pub comparison: Option<ComparisonCoverage>,
    /// True when a split makes the comparison cover more than this unit.
    pub comparison_approximate: bool,
    pub groups: Vec<GroupRef>,
    pub group: String,
    pub columns: Vec<Column>,
    /// Children with recipients below them, one page at a time; their values are
    /// the columns' indicators.
    pub children: Page<ChildTotals>,
    /// How many accepted reports lie below (the narrative is paged over them).
    pub accepted_reports: i64,
    pub can_adopt: bool,
    pub adoption_targets: Vec<RoundView>,
}

/// How many units each side of the same-period comparison covers.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ComparisonCoverage {
    /// True: only the units with an accepted report in both periods (across the
    /// succession links) are compared; false: every accepted report on each side.
    pub like_for_like: bool,
    /// Accepted reports this period below the unit.
    pub current_reports: i64,
    /// Accepted reports in the same period last year below its predecessors.
    pub previous_reports: i64,
    /// This period's units that had every predecessor report last year.
    pub matched_units: i64,
}

/// One unit's value of a non-aggregable indicator.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnitValueLine {
    pub unit_code: String,
    pub unit_name: String,
    pub value: f64,
    pub display: String,
}

/// The per-unit values of one indicator, one page at a time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PerUnitView {
    pub round_id: i64,
    pub unit_code: String,
    pub indicator: String,
    pub indicator_name: String,
    pub unit_of_measure: String,
    pub values: Page<UnitValueLine>,
}

/// One unit's narrative of a section.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NarrativeLine {
    pub unit_code: String,
    pub unit_name: String,
    pub text: String,
}

/// One outline section of the narrative side by side.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NarrativeEntry {
    pub section: String,
    pub title: String,
    pub entries: Vec<NarrativeLine>,
}

/// The children's narrative, paged by unit (one page of accepted reports below,
/// every section or one).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NarrativeView {
    pub round_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub sections: Vec<NarrativeEntry>,
    /// Outline sections to choose from: (number, title).
    pub outline: Vec<(String, String)>,
    pub section: Option<String>,
    pub page: i64,
    pub pages: i64,
    pub total_units: i64,
}

/// A template as listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TemplateInfo {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub sections: usize,
    pub indicators: usize,
    pub rules: usize,
    pub in_use: bool,
    pub created_at: String,
}

/// What a units import changed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    pub received: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}
