//! The working-day calendar: Saturdays and Sundays off, public holidays off, swap
//! working days (ngày làm bù) on. The holidays are data (`data/holidays.toml`,
//! then the database, editable by an admin); this module parses and checks them
//! and counts working days.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, ErrorCode, Problem};
use crate::period::format_date;

/// Whether a listed date is a day off or a swap working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayType {
    /// Ngày nghỉ lễ, Tết, nghỉ bù, nghỉ hoán đổi.
    DayOff,
    /// Ngày làm bù: a Saturday or Sunday that is worked.
    WorkingDay,
}

impl DayType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DayOff => "day_off",
            Self::WorkingDay => "working_day",
        }
    }

    pub fn parse(s: &str) -> Option<DayType> {
        match s {
            "day_off" => Some(Self::DayOff),
            "working_day" => Some(Self::WorkingDay),
            _ => None,
        }
    }
}

/// One listed date of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub day_type: DayType,
    pub name: String,
    /// Not yet checked against the official notice.
    pub provisional: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDay {
    date: String,
    name: String,
    #[serde(default)]
    provisional: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileYear {
    year: i32,
    #[serde(default)]
    #[allow(dead_code)] // documentation for people reading the file
    source: String,
    #[serde(default)]
    days_off: Vec<FileDay>,
    #[serde(default)]
    working_days: Vec<FileDay>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    year: Vec<FileYear>,
}

/// A checked calendar of the years it covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, CalendarDay>,
    years: BTreeSet<i32>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn invalid(problems: Vec<Problem>) -> CoreError {
    CoreError::with_problems(
        ErrorCode::InvalidInput,
        format!("Lịch ngày nghỉ có {} lỗi", problems.len()),
        problems,
    )
}

impl Calendar {
    /// Parses `data/holidays.toml`, listing every problem at once.
    pub fn from_toml(src: &str) -> Result<Calendar, CoreError> {
        let file: File = toml::from_str(src).map_err(|e| {
            let line = e.span().map_or(0, |s| {
                src[..s.start.min(src.len())].matches('\n').count() + 1
            });
            invalid(vec![Problem {
                line,
                code: "toml",
                message: format!("Tệp lịch ngày nghỉ không đọc được: {}", e.message()),
            }])
        })?;
        let mut problems = Vec::new();
        let mut years = Vec::new();
        let mut days = Vec::new();
        for y in file.year {
            if years.contains(&y.year) {
                problems.push(Problem {
                    line: 0,
                    code: "duplicate_year",
                    message: format!("Năm {} được khai báo hai lần", y.year),
                });
            }
            years.push(y.year);
            let listed = y
                .days_off
                .into_iter()
                .map(|d| (DayType::DayOff, d))
                .chain(y.working_days.into_iter().map(|d| (DayType::WorkingDay, d)));
            for (day_type, d) in listed {
                match crate::period::parse_date(&d.date) {
                    Ok(date) if date.year() != y.year => problems.push(Problem {
                        line: 0,
                        code: "outside_year",
                        message: format!(
                            "Ngày {} («{}») không thuộc năm {}",
                            format_date(date),
                            d.name,
                            y.year
                        ),
                    }),
                    Ok(date) => days.push(CalendarDay {
                        date,
                        day_type,
                        name: d.name,
                        provisional: d.provisional,
                    }),
                    Err(e) => problems.push(Problem {
                        line: 0,
                        code: "date",
                        message: format!("Năm {}, «{}»: {}", y.year, d.name, e.message),
                    }),
                }
            }
        }
        match Calendar::from_days(years, days) {
            Ok(c) if problems.is_empty() => Ok(c),
            Ok(_) => Err(invalid(problems)),
            Err(e) => {
                problems.extend(e.problems);
                Err(invalid(problems))
            }
        }
    }

    /// Builds a calendar covering `years` from listed days (as stored in the
    /// database), refusing duplicates, dates outside the covered years, swap
    /// working days that are not weekends and nameless days.
    pub fn from_days(
        years: impl IntoIterator<Item = i32>,
        days: Vec<CalendarDay>,
    ) -> Result<Calendar, CoreError> {
        let years: BTreeSet<i32> = years.into_iter().collect();
        let mut problems = Vec::new();
        let mut map = BTreeMap::new();
        for d in days {
            let when = format_date(d.date);
            if !years.contains(&d.date.year()) {
                problems.push(Problem {
                    line: 0,
                    code: "outside_year",
                    message: format!("Ngày {when} không thuộc năm nào của lịch"),
                });
            }
            if d.name.trim().is_empty() {
                problems.push(Problem {
                    line: 0,
                    code: "name",
                    message: format!("Ngày {when} thiếu tên"),
                });
            }
            if d.day_type == DayType::WorkingDay && !is_weekend(d.date) {
                problems.push(Problem {
                    line: 0,
                    code: "working_day",
                    message: format!(
                        "Ngày làm bù {when} không phải thứ Bảy hoặc Chủ nhật (ngày thường vốn là ngày làm việc)"
                    ),
                });
            }
            if let Some(prev) = map.insert(d.date, d) {
                problems.push(Problem {
                    line: 0,
                    code: "duplicate_date",
                    message: format!("Ngày {when} được khai báo hai lần («{}»)", prev.name),
                });
            }
        }
        if problems.is_empty() {
            Ok(Calendar { days: map, years })
        } else {
            Err(invalid(problems))
        }
    }

    /// The years the calendar lists holidays for.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// True when the calendar lists the holidays of `year`. Outside those years
    /// only weekends are days off, which a deadline view should say.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Every listed day, in date order.
    pub fn days(&self) -> impl Iterator<Item = &CalendarDay> {
        self.days.values()
    }

    /// The listed entry of a date, if any.
    pub fn day(&self, d: NaiveDate) -> Option<&CalendarDay> {
        self.days.get(&d)
    }

    /// Saturdays, Sundays and listed days off are not working days; a listed swap
    /// working day is one.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.days.get(&d).map(|x| x.day_type) {
            Some(DayType::WorkingDay) => true,
            Some(DayType::DayOff) => false,
            None => !is_weekend(d),
        }
    }

    /// `d` itself when it is a working day, else the next working day.
    pub fn working_day_on_or_after(&self, d: NaiveDate) -> NaiveDate {
        let mut cur = d;
        // a calendar has at most a few weeks of consecutive days off; the bound
        // only guards against the end of chrono's range
        for _ in 0..400 {
            if self.is_working_day(cur) {
                return cur;
            }
            match cur.succ_opt() {
                Some(n) => cur = n,
                None => return cur,
            }
        }
        cur
    }

    /// The date `n` working days after `start` (the start day itself is not
    /// counted, as "within n working days of receipt" reads); `n = 0` is `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut cur = start;
        let mut left = n;
        while left > 0 {
            match cur.succ_opt() {
                Some(next) => cur = next,
                None => return cur,
            }
            if self.is_working_day(cur) {
                left -= 1;
            }
        }
        cur
    }

    /// The number of working days in `(a, b]`; negative when `b` is before `a`
    /// (then the working days in `(b, a]`).
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        if b < a {
            return -self.working_days_between(b, a);
        }
        a.iter_days()
            .skip(1)
            .take_while(|d| *d <= b)
            .filter(|d| self.is_working_day(*d))
            .count() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        crate::period::parse_date(s).unwrap_or_default()
    }

    fn shipped() -> Calendar {
        match Calendar::from_toml(include_str!("../../../../data/holidays.toml")) {
            Ok(c) => c,
            Err(e) => panic!("shipped calendar: {e:?}"),
        }
    }

    #[test]
    fn the_shipped_calendar_loads_and_covers_2025_to_2027() {
        let c = shipped();
        assert_eq!(c.years().collect::<Vec<_>>(), vec![2025, 2026, 2027]);
        assert!(!c.covers(2024));
        // Tết Ất Tỵ: Monday 27/01 to Friday 31/01/2025 off, back on Monday 03/02
        for day in 27..=31 {
            assert!(!c.is_working_day(d(&format!("{day:02}/01/2025"))));
        }
        assert!(c.is_working_day(d("24/01/2025")));
        assert!(c.is_working_day(d("03/02/2025")));
        // the swap: Friday 02/05/2025 off, Saturday 26/04/2025 worked
        assert!(!c.is_working_day(d("02/05/2025")));
        assert!(c.is_working_day(d("26/04/2025")));
        assert!(!c.is_working_day(d("27/04/2025")), "a plain Sunday");
        assert!(!c.is_working_day(d("01/09/2025")));
        assert!(!c.is_working_day(d("02/09/2025")));
        assert!(c.is_working_day(d("03/09/2025")));
        // every listed swap day is a weekend, every day off a weekday
        for day in c.days() {
            match day.day_type {
                DayType::WorkingDay => assert!(is_weekend(day.date), "{day:?}"),
                DayType::DayOff => assert!(!is_weekend(day.date), "{day:?}"),
            }
        }
    }

    #[test]
    fn working_days_skip_tet() {
        let c = shipped();
        // received Friday 24/01/2025: 7 working days are 03/02 .. 11/02
        assert_eq!(c.add_working_days(d("24/01/2025"), 1), d("03/02/2025"));
        assert_eq!(c.add_working_days(d("24/01/2025"), 7), d("11/02/2025"));
        assert_eq!(c.working_days_between(d("24/01/2025"), d("11/02/2025")), 7);
        assert_eq!(c.working_days_between(d("11/02/2025"), d("24/01/2025")), -7);
        // around 30/4: Friday 25/04 + 1 working day is the swap Saturday 26/04
        assert_eq!(c.add_working_days(d("25/04/2025"), 1), d("26/04/2025"));
        assert_eq!(c.add_working_days(d("26/04/2025"), 1), d("28/04/2025"));
        assert_eq!(c.add_working_days(d("29/04/2025"), 1), d("05/05/2025"));
        assert_eq!(c.add_working_days(d("29/04/2025"), 0), d("29/04/2025"));
        assert_eq!(c.working_day_on_or_after(d("30/04/2025")), d("05/05/2025"));
        assert_eq!(c.working_day_on_or_after(d("05/05/2025")), d("05/05/2025"));
    }

    #[test]
    fn bad_calendars_are_refused_with_every_problem() {
        let src = r#"
[[year]]
year = 2025
days_off = [
  { date = "2025-01-01", name = "Tết Dương lịch" },
  { date = "2025-01-01", name = "lặp" },
  { date = "2026-01-01", name = "năm sau" },
  { date = "31/02/2025", name = "không có" },
]
working_days = [ { date = "2025-04-28", name = "thứ Hai" } ]
"#;
        let e = match Calendar::from_toml(src) {
            Err(e) => e,
            Ok(_) => panic!("a bad calendar loaded"),
        };
        let codes: Vec<&str> = e.problems.iter().map(|p| p.code).collect();
        assert!(codes.contains(&"duplicate_date"), "{codes:?}");
        assert!(codes.contains(&"outside_year"), "{codes:?}");
        assert!(codes.contains(&"date"), "{codes:?}");
        assert!(codes.contains(&"working_day"), "{codes:?}");
        assert!(
            e.problems
                .iter()
                .any(|p| p.message == "Ngày 01/01/2026 («năm sau») không thuộc năm 2025"),
            "{:?}",
            e.problems
        );
        assert!(Calendar::from_toml("[[year]]\nyear = 2025\nyear = 2026\n").is_err());
        assert!(Calendar::from_toml("[[year]]\nyear = 2025\n[[year]]\nyear = 2025\n").is_err());
        assert!(Calendar::from_toml("[[year]]\nyear = 2025\nholidays = []\n").is_err());
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (0i64..(3 * 366 + 30)).prop_map(|n| d("01/12/2024") + chrono::Duration::days(n))
    }

    proptest! {
        #[test]
        fn adding_working_days_lands_on_a_working_day(start in any_date(), n in 1u32..80) {
            let c = shipped();
            let end = c.add_working_days(start, n);
            prop_assert!(c.is_working_day(end));
            prop_assert!(end > start);
            prop_assert_eq!(c.working_days_between(start, end), i64::from(n));
            // the day before the end is n-1 working days away
            prop_assert_eq!(c.working_days_between(start, end.pred_opt().unwrap_or(end)), i64::from(n) - 1);
        }

        #[test]
        fn adding_is_monotonic_and_composes(start in any_date(), a in 0u32..40, b in 0u32..40, later in 0i64..20) {
            let c = shipped();
            prop_assert!(c.add_working_days(start, a) <= c.add_working_days(start, a + b));
            prop_assert_eq!(
                c.add_working_days(c.add_working_days(start, a), b),
                c.add_working_days(start, a + b)
            );
            let start2 = start + chrono::Duration::days(later);
            prop_assert!(c.add_working_days(start, a) <= c.add_working_days(start2, a));
        }

        #[test]
        fn between_is_antisymmetric_and_additive(x in any_date(), y in any_date(), z in any_date()) {
            let c = shipped();
            prop_assert_eq!(c.working_days_between(x, y), -c.working_days_between(y, x));
            prop_assert_eq!(
                c.working_days_between(x, y) + c.working_days_between(y, z),
                c.working_days_between(x, z)
            );
            let w = c.working_day_on_or_after(x);
            prop_assert!(c.is_working_day(w) && w >= x);
        }
    }
}
