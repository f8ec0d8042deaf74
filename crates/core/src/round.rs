//! Rounds (đợt báo cáo) as rules: whether a round takes changes, which recipients
//! may be chosen together, completeness and timeliness, and which earlier round a
//! consolidation compares with. No I/O: the use-case layer loads what they need.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::workflow::Status;

/// Whether a round still takes drafts, submissions, returns and acceptances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundState {
    Open,
    Closed,
}

impl RoundState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Open => "đang mở",
            Self::Closed => "đã kết thúc",
        }
    }

    pub fn parse(s: &str) -> Option<RoundState> {
        match s {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    /// Refuses any change to the round's reports once it is closed.
    pub fn require_open(self, title: &str) -> CoreResult<()> {
        match self {
            Self::Open => Ok(()),
            Self::Closed => Err(CoreError::new(
                ErrorCode::InvalidTransition,
                format!("Đợt báo cáo «{title}» đã kết thúc; không nhận thêm thay đổi"),
            )),
        }
    }
}

impl TryFrom<String> for RoundState {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RoundState::parse(&s).ok_or_else(|| format!("trạng thái đợt không hợp lệ «{s}»"))
    }
}

/// Counts of recipients by status, with the two rates offices watch.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct StatusCounts {
    pub recipients: i64,
    pub not_started: i64,
    pub draft: i64,
    pub submitted: i64,
    pub returned: i64,
    pub accepted: i64,
    /// Reports that reached the office by the deadline.
    pub on_time: i64,
    /// Reports that reached the office after it.
    pub late: i64,
    /// Not yet in and the deadline has passed.
    pub overdue: i64,
    /// (submitted + accepted) / recipients, %.
    pub completeness_pct: f64,
    /// on time / recipients, %.
    pub timeliness_pct: f64,
}

/// Timeliness as stored: reached the office on time, late, or not yet.
pub fn on_time_key(on_time: Option<bool>) -> i64 {
    on_time.map_or(-1, i64::from)
}

impl StatusCounts {
    /// Adds `n` recipients in one bucket (status, timeliness). `overdue` says the
    /// deadline has passed for them.
    pub fn add_n(&mut self, status: Status, on_time: Option<bool>, n: i64, past_deadline: bool) {
        self.recipients += n;
        match status {
            Status::NotStarted => self.not_started += n,
            Status::Draft => self.draft += n,
            Status::Submitted => self.submitted += n,
            Status::Returned => self.returned += n,
            Status::Accepted => self.accepted += n,
        }
        match on_time {
            Some(true) => self.on_time += n,
            Some(false) => self.late += n,
            None if past_deadline => self.overdue += n,
            None => {}
        }
    }

    /// Takes `n` not-yet-sent recipients out of the overdue ones (their own
    /// deadline has not passed).
    pub fn excuse(&mut self, n: i64) {
        self.overdue = (self.overdue - n).max(0);
    }

    /// Adds another set of counts.
    pub fn merge(&mut self, o: &StatusCounts) {
        self.recipients += o.recipients;
        self.not_started += o.not_started;
        self.draft += o.draft;
        self.submitted += o.submitted;
        self.returned += o.returned;
        self.accepted += o.accepted;
        self.on_time += o.on_time;
        self.late += o.late;
        self.overdue += o.overdue;
    }

    /// Computes the two rates, one decimal.
    pub fn finish(&mut self) {
        if self.recipients > 0 {
            let r = self.recipients as f64;
            self.completeness_pct =
                ((self.submitted + self.accepted) as f64 / r * 1000.0).round() / 10.0;
            self.timeliness_pct = (self.on_time as f64 / r * 1000.0).round() / 10.0;
        } else {
            self.completeness_pct = 0.0;
            self.timeliness_pct = 0.0;
        }
    }

    /// Reports that have not reached the office: not started, drafting or returned.
    pub fn missing(&self) -> i64 {
        self.not_started + self.draft + self.returned
    }
}

/// A recipient chosen for a round, with its strict ancestors up to the issuer
/// (nearest first, the issuer excluded).
pub struct Candidate<'a> {
    pub id: i64,
    pub ancestors: &'a [i64],
}

/// Pairs (recipient, recipient above it) that would count the lower one twice: no
/// recipient of a round may lie below another recipient.
pub fn nested_recipients(chosen: &[Candidate<'_>]) -> Vec<(i64, i64)> {
    let set: HashSet<i64> = chosen.iter().map(|c| c.id).collect();
    chosen
        .iter()
        .filter_map(|c| {
            c.ancestors
                .iter()
                .find(|a| set.contains(a))
                .map(|&a| (c.id, a))
        })
        .collect()
}

/// An earlier round that may serve as "the same period last year".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EarlierRound {
    pub id: i64,
    pub issuer_id: i64,
}

/// Chooses the round to compare with: among rounds of the same template and the
/// period one year back, the one issued by this issuer or by a unit it succeeds;
/// failing that, one issued by an ancestor (a wider round that covered it). Ties
/// go to the earliest round.
pub fn pick_previous(
    candidates: &[EarlierRound],
    issuer_id: i64,
    issuer_predecessors: &[i64],
    issuer_lineage: &[i64],
) -> Option<i64> {
    let mut sorted = candidates.to_vec();
    sorted.sort_by_key(|c| c.id);
    sorted
        .iter()
        .find(|c| c.issuer_id == issuer_id || issuer_predecessors.contains(&c.issuer_id))
        .or_else(|| {
            sorted
                .iter()
                .find(|c| issuer_lineage.contains(&c.issuer_id))
        })
        .map(|c| c.id)
}

/// Days left until a deadline (negative when past).
pub fn days_left(deadline: NaiveDate, today: NaiveDate) -> i64 {
    (deadline - today).num_days()
}

/// May the unit edit its working copy now? Only while it holds the report (not
/// started, drafting, returned) and the round is open.
pub fn editable(status: Status, round: RoundState) -> bool {
    round == RoundState::Open
        && matches!(
            status,
            Status::NotStarted | Status::Draft | Status::Returned
        )
}

/// The deadline that binds one recipient: its own when the office extended it
/// for the unit (never earlier than the round's, which may itself move later).
pub fn effective_deadline(round: NaiveDate, own: Option<NaiveDate>) -> NaiveDate {
    own.map_or(round, |d| d.max(round))
}

/// The earliest deadline taken.
pub const EARLIEST_DEADLINE_YEAR: i32 = 2000;
/// How long after the end of its period's cut-off a deadline may fall, in years.
pub const LATEST_DEADLINE_YEARS: i32 = 2;

/// Refuses a deadline outside a sane range: before 2000, or more than two years
/// after the cut-off of the period it reports on (a typo such as 2206 for 2026).
pub fn check_deadline_range(deadline: NaiveDate, period: crate::period::Period) -> CoreResult<()> {
    use crate::period::format_date;
    use chrono::Datelike;
    let (_, cut_to) = period.cutoff();
    let latest = cut_to
        .with_year(cut_to.year() + LATEST_DEADLINE_YEARS)
        .unwrap_or(cut_to);
    if deadline.year() < EARLIEST_DEADLINE_YEAR || deadline > latest {
        return Err(CoreError::new(
            ErrorCode::InvalidDate,
            format!(
                "Hạn nộp {} không hợp lý: phải từ năm {EARLIEST_DEADLINE_YEAR} và không quá {LATEST_DEADLINE_YEARS} năm sau ngày chốt số liệu của kỳ ({})",
                format_date(deadline),
                format_date(cut_to)
            ),
        ));
    }
    Ok(())
}

/// Checks an extension for one recipient: the new deadline is not past, falls
/// after the round's deadline and changes something.
pub fn check_unit_extension(
    round: NaiveDate,
    own: Option<NaiveDate>,
    new: NaiveDate,
    today: NaiveDate,
) -> CoreResult<()> {
    use crate::period::format_date;
    if new < today {
        return Err(CoreError::new(
            ErrorCode::DeadlineInPast,
            format!("Hạn nộp mới {} đã qua", format_date(new)),
        ));
    }
    if new <= round {
        return Err(CoreError::new(
            ErrorCode::InvalidInput,
            format!(
                "Hạn riêng của đơn vị phải sau hạn chung của đợt ({})",
                format_date(round)
            ),
        ));
    }
    if Some(new) == own {
        return Err(CoreError::new(
            ErrorCode::InvalidInput,
            format!("Đơn vị đã có hạn nộp {}", format_date(new)),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn editing_needs_the_report_in_hand_and_an_open_round() {
        use RoundState::{Closed, Open};
        assert!(editable(Status::Draft, Open));
        assert!(editable(Status::Returned, Open));
        assert!(editable(Status::NotStarted, Open));
        assert!(!editable(Status::Submitted, Open));
        assert!(!editable(Status::Accepted, Open));
        assert!(!editable(Status::Draft, Closed));
    }

    #[test]
    fn a_unit_deadline_only_extends() {
        let round = d(2026, 12, 10);
        assert_eq!(effective_deadline(round, None), round);
        assert_eq!(
            effective_deadline(round, Some(d(2026, 12, 20))),
            d(2026, 12, 20)
        );
        // the round's deadline moved past the unit's: the later one binds
        assert_eq!(
            effective_deadline(d(2026, 12, 25), Some(d(2026, 12, 20))),
            d(2026, 12, 25)
        );
        let today = d(2026, 12, 1);
        assert!(check_unit_extension(round, None, d(2026, 12, 15), today).is_ok());
        let e = check_unit_extension(round, None, d(2026, 12, 10), today).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("10/12/2026"), "{}", e.message);
        let e = check_unit_extension(round, None, d(2026, 11, 30), today).unwrap_err();
        assert!(e.message.contains("đã qua"), "{}", e.message);
        let e =
            check_unit_extension(round, Some(d(2026, 12, 15)), d(2026, 12, 15), today).unwrap_err();
        assert!(e.message.contains("đã có hạn"), "{}", e.message);
    }

    #[test]
    fn excused_units_leave_the_overdue_count() {
        let mut c = StatusCounts::default();
        c.add_n(Status::NotStarted, None, 3, true);
        c.excuse(1);
        assert_eq!(c.overdue, 2);
        c.excuse(5);
        assert_eq!(c.overdue, 0);
        assert_eq!(c.missing(), 3);
    }

    #[test]
    fn counts_and_rates() {
        let mut c = StatusCounts::default();
        c.add_n(Status::Accepted, Some(true), 1, true);
        c.add_n(Status::NotStarted, None, 2, true);
        c.finish();
        assert_eq!(
            (c.recipients, c.accepted, c.not_started, c.overdue),
            (3, 1, 2, 2)
        );
        assert_eq!(c.completeness_pct, 33.3);
        assert_eq!(c.timeliness_pct, 33.3);
        assert_eq!(c.missing(), 2);
        let mut d = StatusCounts::default();
        d.add_n(Status::Submitted, Some(false), 1, false);
        c.merge(&d);
        c.finish();
        assert_eq!((c.recipients, c.late, c.completeness_pct), (4, 1, 50.0));
        let mut empty = StatusCounts::default();
        empty.finish();
        assert_eq!(empty.completeness_pct, 0.0);
    }

    #[test]
    fn deadlines_outside_a_sane_range_are_refused() {
        let p: crate::period::Period = "2026-H1".parse().unwrap();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert!(check_deadline_range(d(2026, 6, 20), p).is_ok());
        assert!(check_deadline_range(d(2027, 12, 31), p).is_ok());
        assert!(check_deadline_range(d(2206, 6, 20), p).is_err());
        assert!(check_deadline_range(d(1999, 12, 31), p).is_err());
        assert!(check_deadline_range(d(1, 1, 1), p).is_err());
    }

    #[test]
    fn nested_recipients_are_found() {
        // district 10 > communes 11, 12; agency 20
        let chosen = [
            Candidate {
                id: 10,
                ancestors: &[],
            },
            Candidate {
                id: 11,
                ancestors: &[10],
            },
            Candidate {
                id: 20,
                ancestors: &[],
            },
        ];
        assert_eq!(nested_recipients(&chosen), [(11, 10)]);
        let flat = [
            Candidate {
                id: 11,
                ancestors: &[10],
            },
            Candidate {
                id: 12,
                ancestors: &[10],
            },
        ];
        assert!(nested_recipients(&flat).is_empty());
    }

    #[test]
    fn previous_round_prefers_own_issuer_then_predecessors_then_ancestors() {
        let c = [
            EarlierRound {
                id: 5,
                issuer_id: 1,
            },
            EarlierRound {
                id: 3,
                issuer_id: 7,
            },
            EarlierRound {
                id: 4,
                issuer_id: 9,
            },
        ];
        assert_eq!(pick_previous(&c, 9, &[], &[9, 1]), Some(4));
        assert_eq!(pick_previous(&c, 8, &[7], &[8, 1]), Some(3));
        assert_eq!(pick_previous(&c, 8, &[], &[8, 1]), Some(5));
        assert_eq!(pick_previous(&c, 8, &[], &[8, 2]), None);
    }

    #[test]
    fn closed_rounds_refuse_changes() {
        assert!(RoundState::Open.require_open("x").is_ok());
        assert_eq!(
            RoundState::Closed.require_open("x").unwrap_err().code,
            ErrorCode::InvalidTransition
        );
    }
}
