//! Reporting periods (kỳ báo cáo) and their data cut-off windows under Decree 09/2019/NĐ-CP.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Offset, Utc, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{CoreError, ErrorCode};

/// The kind of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    /// Quý 1–4.
    Quarter(u8),
    /// 6 tháng đầu năm.
    FirstHalf,
    /// 6 tháng cuối năm.
    SecondHalf,
    /// 9 tháng.
    NineMonths,
    /// Năm.
    Year,
}

/// A reporting period: written `2026-Q1`, `2026-H1`, `2026-H2`, `2026-9M`, `2026-Y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    pub kind: PeriodKind,
}

impl Period {
    pub fn new(year: i32, kind: PeriodKind) -> Self {
        Self { year, kind }
    }

    /// The kind as used in templates' `period_kinds`: `quarter`, `half`, `nine_months`, `year`.
    pub fn family(&self) -> &'static str {
        match self.kind {
            PeriodKind::Quarter(_) => "quarter",
            PeriodKind::FirstHalf | PeriodKind::SecondHalf => "half",
            PeriodKind::NineMonths => "nine_months",
            PeriodKind::Year => "year",
        }
    }

    /// The data cut-off window (first and last day, both included).
    ///
    /// Decree 09/2019 art. 12: quarter = 15th of the month before → 14th of its last
    /// month; first half 15/12 → 14/6; second half 15/6 → 14/12; year 15/12 → 14/12;
    /// nine months 15/12 → 14/9.
    pub fn cutoff(&self) -> (NaiveDate, NaiveDate) {
        let y = self.year;
        // fixed days of months (14, 15) exist in every year chrono represents
        let d = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
        match self.kind {
            PeriodKind::Quarter(q) => {
                let last_month = u32::from(q) * 3;
                let start = if q == 1 {
                    d(y - 1, 12, 15)
                } else {
                    d(y, last_month - 3, 15)
                };
                (start, d(y, last_month, 14))
            }
            PeriodKind::FirstHalf => (d(y - 1, 12, 15), d(y, 6, 14)),
            PeriodKind::SecondHalf => (d(y, 6, 15), d(y, 12, 14)),
            PeriodKind::NineMonths => (d(y - 1, 12, 15), d(y, 9, 14)),
            PeriodKind::Year => (d(y - 1, 12, 15), d(y, 12, 14)),
        }
    }

    /// So với cùng kỳ: the same period one year earlier.
    pub fn same_period_last_year(&self) -> Period {
        Period {
            year: self.year - 1,
            kind: self.kind,
        }
    }

    /// The earliest lawful deadline: at least one working day after the cut-off.
    pub fn earliest_deadline(&self) -> NaiveDate {
        next_working_day(self.cutoff().1)
    }

    /// Vietnamese label: "6 tháng đầu năm 2026", "Quý II năm 2026", "năm 2025".
    pub fn label_vi(&self) -> String {
        match self.kind {
            PeriodKind::Quarter(q) => {
                let roman = ["I", "II", "III", "IV"][usize::from(q - 1)];
                format!("Quý {roman} năm {}", self.year)
            }
            PeriodKind::FirstHalf => format!("6 tháng đầu năm {}", self.year),
            PeriodKind::SecondHalf => format!("6 tháng cuối năm {}", self.year),
            PeriodKind::NineMonths => format!("9 tháng năm {}", self.year),
            PeriodKind::Year => format!("năm {}", self.year),
        }
    }
}

/// Vietnam's offset (UTC+7, no daylight saving).
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The calendar day in Vietnam at an instant.
pub fn today_in_vietnam(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&vietnam()).date_naive()
}

/// The last instant of a deadline day, Vietnam time: a report is on time when it
/// reaches the office before midnight in Vietnam.
pub fn deadline_end(d: NaiveDate) -> DateTime<Utc> {
    let next = d.succ_opt().unwrap_or(d);
    let midnight = next.and_time(NaiveTime::MIN);
    (midnight - chrono::Duration::milliseconds(1) - chrono::Duration::hours(7)).and_utc()
}

/// The next day that is not a Saturday or Sunday.
pub fn next_working_day(after: NaiveDate) -> NaiveDate {
    let mut d = after.succ_opt().unwrap_or(after);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    d
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Quarter(q) => write!(f, "{}-Q{q}", self.year),
            PeriodKind::FirstHalf => write!(f, "{}-H1", self.year),
            PeriodKind::SecondHalf => write!(f, "{}-H2", self.year),
            PeriodKind::NineMonths => write!(f, "{}-9M", self.year),
            PeriodKind::Year => write!(f, "{}-Y", self.year),
        }
    }
}

impl FromStr for Period {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            CoreError::new(
                ErrorCode::InvalidPeriod,
                format!(
                    "Kỳ báo cáo «{s}» không hợp lệ (dạng 2026-Q1, 2026-H1, 2026-H2, 2026-9M, 2026-Y)"
                ),
            )
        };
        let (y, k) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        if !(1990..=2200).contains(&year) {
            return Err(bad());
        }
        let kind = match k.to_ascii_uppercase().as_str() {
            "Q1" => PeriodKind::Quarter(1),
            "Q2" => PeriodKind::Quarter(2),
            "Q3" => PeriodKind::Quarter(3),
            "Q4" => PeriodKind::Quarter(4),
            "H1" => PeriodKind::FirstHalf,
            "H2" => PeriodKind::SecondHalf,
            "9M" => PeriodKind::NineMonths,
            "Y" => PeriodKind::Year,
            _ => return Err(bad()),
        };
        Ok(Period { year, kind })
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Parses a date written `dd/mm/yyyy` (as users write it) or ISO `yyyy-mm-dd`.
pub fn parse_date(s: &str) -> Result<NaiveDate, CoreError> {
    let t = s.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
        .map_err(|_| {
            CoreError::new(
                ErrorCode::InvalidDate,
                format!("Ngày «{t}» không hợp lệ (dạng dd/mm/yyyy)"),
            )
        })
}

/// Formats a date as users read it: `05/08/2019`.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn deadlines_end_at_midnight_in_vietnam() {
        use chrono::TimeZone;
        let d = NaiveDate::from_ymd_opt(2026, 6, 20).unwrap();
        let end = deadline_end(d);
        // 20/06 23:59:59.999 in Hà Nội is 16:59:59.999 UTC
        assert_eq!(
            end,
            Utc.with_ymd_and_hms(2026, 6, 20, 16, 59, 59).unwrap()
                + chrono::Duration::milliseconds(999)
        );
        assert_eq!(
            today_in_vietnam(Utc.with_ymd_and_hms(2026, 6, 20, 17, 30, 0).unwrap()),
            NaiveDate::from_ymd_opt(2026, 6, 21).unwrap()
        );
        assert_eq!(
            today_in_vietnam(Utc.with_ymd_and_hms(2026, 6, 20, 16, 30, 0).unwrap()),
            d
        );
    }

    #[test]
    fn decree_09_windows() {
        let p: Period = "2026-H1".parse().unwrap();
        assert_eq!(p.cutoff(), (d("15/12/2025"), d("14/06/2026")));
        let p: Period = "2026-H2".parse().unwrap();
        assert_eq!(p.cutoff(), (d("15/06/2026"), d("14/12/2026")));
        let p: Period = "2025-Y".parse().unwrap();
        assert_eq!(p.cutoff(), (d("15/12/2024"), d("14/12/2025")));
        let p: Period = "2026-9M".parse().unwrap();
        assert_eq!(p.cutoff(), (d("15/12/2025"), d("14/09/2026")));
        let p: Period = "2026-Q1".parse().unwrap();
        assert_eq!(p.cutoff(), (d("15/12/2025"), d("14/03/2026")));
        let p: Period = "2026-Q3".parse().unwrap();
        assert_eq!(p.cutoff(), (d("15/06/2026"), d("14/09/2026")));
    }

    #[test]
    fn same_period_and_labels() {
        let p: Period = "2026-H1".parse().unwrap();
        assert_eq!(p.same_period_last_year().to_string(), "2025-H1");
        assert_eq!(p.label_vi(), "6 tháng đầu năm 2026");
        assert_eq!(
            "2026-q2".parse::<Period>().unwrap().label_vi(),
            "Quý II năm 2026"
        );
        // 14/6/2026 is a Sunday: the earliest deadline is Monday 15/6.
        assert_eq!(p.earliest_deadline(), d("15/06/2026"));
    }

    #[test]
    fn rejects_bad_periods() {
        for s in ["2026", "2026-H3", "26-H1", "2026-Q5", "abcd-H1", ""] {
            assert_eq!(
                s.parse::<Period>().unwrap_err().code,
                ErrorCode::InvalidPeriod,
                "{s}"
            );
        }
        assert_eq!(
            parse_date("31/02/2026").unwrap_err().code,
            ErrorCode::InvalidDate
        );
        assert_eq!(format_date(d("2019-08-05")), "05/08/2019");
    }

    proptest! {
        #[test]
        fn cutoff_is_ordered_and_round_trips(year in 2000i32..2100, k in 0usize..8) {
            let kinds = ["Q1","Q2","Q3","Q4","H1","H2","9M","Y"];
            let p: Period = format!("{year}-{}", kinds[k]).parse().unwrap();
            let (a, b) = p.cutoff();
            prop_assert!(a < b);
            prop_assert_eq!(p.to_string().parse::<Period>().unwrap(), p);
            prop_assert!(p.earliest_deadline() > b);
        }

        #[test]
        fn period_parse_never_panics(s in "\\PC{0,12}") {
            let _ = s.parse::<Period>();
            let _ = parse_date(&s);
        }
    }
}
