//! Citizen reception (tiếp công dân): who received, when, how many people, and
//! whether the leaders met the legal frequency (`data/reception-rules.toml`):
//! for each rule, the weeks or months of a period with fewer distinct reception
//! days than required.
//!
//! Conventions: only whole weeks (Monday–Sunday) or whole months inside the period
//! are judged; a week or month with no working day at all (a Tết week) is excused;
//! a week or month is judged by the rule in force on its first day.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use crate::error::{CoreError, ErrorCode, Problem};
use crate::period::format_date;
use crate::unit::UnitKind;

/// Who received citizens at a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Receiver {
    /// Chủ tịch Ủy ban nhân dân.
    Chairman,
    /// Phó Chủ tịch Ủy ban nhân dân (được ủy quyền).
    ViceChairman,
    /// Bí thư cấp ủy.
    PartySecretary,
    /// Tiếp thường xuyên (cán bộ tiếp công dân).
    Officer,
    /// Khác (đại biểu, đoàn thể…).
    Other,
}

impl Receiver {
    pub const ALL: [Receiver; 5] = [
        Self::Chairman,
        Self::ViceChairman,
        Self::PartySecretary,
        Self::Officer,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chairman => "chairman",
            Self::ViceChairman => "vice_chairman",
            Self::PartySecretary => "party_secretary",
            Self::Officer => "officer",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Receiver> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Chairman => "Chủ tịch UBND",
            Self::ViceChairman => "Phó Chủ tịch UBND",
            Self::PartySecretary => "Bí thư cấp ủy",
            Self::Officer => "Tiếp thường xuyên",
            Self::Other => "Khác",
        }
    }
}

/// The level a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Commune,
    District,
    Province,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        match s {
            "commune" => Some(Self::Commune),
            "district" => Some(Self::District),
            "province" => Some(Self::Province),
            _ => None,
        }
    }

    /// The level of a unit kind, if leaders of that kind have a frequency rule.
    pub fn of(kind: UnitKind) -> Option<Level> {
        match kind {
            UnitKind::Province => Some(Self::Province),
            UnitKind::District => Some(Self::District),
            k if k.is_commune_level() => Some(Self::Commune),
            _ => None,
        }
    }
}

/// Week or month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    Week,
    Month,
}

/// A frequency rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrequencyRule {
    pub code: String,
    pub level: Level,
    pub receiver: Receiver,
    pub per: Per,
    pub min_days: u32,
    pub source: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
}

impl FrequencyRule {
    fn in_force(&self, d: NaiveDate) -> bool {
        self.effective_from <= d && self.effective_to.is_none_or(|t| d <= t)
    }

    /// "Chủ tịch UBND tiếp ít nhất 1 ngày mỗi tuần".
    pub fn describe_vi(&self) -> String {
        format!(
            "{} tiếp công dân ít nhất {} ngày mỗi {}",
            self.receiver.label_vi(),
            self.min_days,
            match self.per {
                Per::Week => "tuần",
                Per::Month => "tháng",
            }
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    code: String,
    level: String,
    receiver: String,
    per: String,
    min_days: u32,
    source: String,
    effective_from: String,
    effective_to: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    rule: Vec<RuleDef>,
}

/// The checked frequency rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceptionRules {
    rules: Vec<FrequencyRule>,
}

/// A reception session as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub date: NaiveDate,
    pub receiver: Receiver,
}

/// A week or month that fell short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missed {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// "Tuần 02/06/2025 – 08/06/2025", "Tháng 06/2025".
    pub label_vi: String,
    pub days: u32,
}

/// How one rule was kept in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compliance {
    pub rule: FrequencyRule,
    /// Whole weeks or months judged (excused ones not counted).
    pub judged: u32,
    pub missed: Vec<Missed>,
}

impl Compliance {
    pub fn met(&self) -> bool {
        self.missed.is_empty()
    }
}

impl ReceptionRules {
    pub fn from_toml(src: &str) -> Result<ReceptionRules, CoreError> {
        let bad = |problems| {
            CoreError::with_problems(
                ErrorCode::InvalidInput,
                "Tệp quy định tần suất tiếp công dân có lỗi",
                problems,
            )
        };
        let file: File = toml::from_str(src).map_err(|e| {
            bad(vec![Problem {
                line: 0,
                code: "toml",
                message: e.message().to_string(),
            }])
        })?;
        let mut problems = Vec::new();
        let mut rules: Vec<FrequencyRule> = Vec::new();
        for r in file.rule {
            let mut p = |code: &'static str, message: String| {
                problems.push(Problem {
                    line: 0,
                    code,
                    message: format!("Quy định «{}»: {message}", r.code),
                })
            };
            let level = Level::parse(&r.level);
            if level.is_none() {
                p(
                    "level",
                    format!(
                        "cấp «{}» không hợp lệ (commune, province, district)",
                        r.level
                    ),
                );
            }
            let receiver = Receiver::parse(&r.receiver)
                .filter(|x| matches!(x, Receiver::Chairman | Receiver::PartySecretary));
            if receiver.is_none() {
                p(
                    "receiver",
                    format!(
                        "người tiếp «{}» không hợp lệ (chairman, party_secretary)",
                        r.receiver
                    ),
                );
            }
            let per = match r.per.as_str() {
                "week" => Some(Per::Week),
                "month" => Some(Per::Month),
                other => {
                    p(
                        "per",
                        format!("chu kỳ «{other}» không hợp lệ (week, month)"),
                    );
                    None
                }
            };
            if r.min_days == 0 || r.min_days > 7 {
                p("min_days", "số ngày tối thiểu phải từ 1 đến 7".into());
            }
            if r.source.trim().is_empty() {
                p("source", "thiếu căn cứ (source)".into());
            }
            let from = crate::period::parse_date(&r.effective_from)
                .map_err(|e| p("effective_from", e.message))
                .ok();
            let to = match r.effective_to.as_deref().map(crate::period::parse_date) {
                None => Some(None),
                Some(Ok(d)) => Some(Some(d)),
                Some(Err(e)) => {
                    p("effective_to", e.message);
                    None
                }
            };
            if let (Some(f), Some(Some(t))) = (from, to)
                && t < f
            {
                p(
                    "effective_to",
                    "ngày hết hiệu lực trước ngày có hiệu lực".into(),
                );
            }
            if rules.iter().any(|o| o.code == r.code) {
                p("duplicate", "mã quy định bị trùng".into());
            }
            if let (
                Some(level),
                Some(receiver),
                Some(per),
                Some(effective_from),
                Some(effective_to),
            ) = (level, receiver, per, from, to)
            {
                rules.push(FrequencyRule {
                    code: r.code,
                    level,
                    receiver,
                    per,
                    min_days: r.min_days,
                    source: r.source,
                    effective_from,
                    effective_to,
                });
            }
        }
        if problems.is_empty() {
            Ok(ReceptionRules { rules })
        } else {
            Err(bad(problems))
        }
    }

    pub fn all(&self) -> &[FrequencyRule] {
        &self.rules
    }

    /// For each rule of the level in force at some point of `[from, to]`, which
    /// whole weeks or months inside it had too few reception days.
    pub fn check(
        &self,
        level: Level,
        sessions: &[Session],
        from: NaiveDate,
        to: NaiveDate,
        calendar: &Calendar,
    ) -> Vec<Compliance> {
        let mut out = Vec::new();
        for rule in self.rules.iter().filter(|r| r.level == level) {
            let days: BTreeSet<NaiveDate> = sessions
                .iter()
                .filter(|s| s.receiver == rule.receiver)
                .map(|s| s.date)
                .collect();
            let mut judged = 0;
            let mut missed = Vec::new();
            let mut any = false;
            for (start, end) in buckets(rule.per, from, to) {
                if !rule.in_force(start) {
                    continue;
                }
                any = true;
                if !start
                    .iter_days()
                    .take_while(|d| *d <= end)
                    .any(|d| calendar.is_working_day(d))
                {
                    continue;
                }
                judged += 1;
                let n = days.range(start..=end).count() as u32;
                if n < rule.min_days {
                    missed.push(Missed {
                        from: start,
                        to: end,
                        label_vi: match rule.per {
                            Per::Week => {
                                format!("Tuần {} – {}", format_date(start), format_date(end))
                            }
                            Per::Month => format!("Tháng {}", start.format("%m/%Y")),
                        },
                        days: n,
                    });
                }
            }
            if any {
                out.push(Compliance {
                    rule: rule.clone(),
                    judged,
                    missed,
                });
            }
        }
        out
    }
}

/// The whole weeks (Monday–Sunday) or months inside `[from, to]`.
fn buckets(per: Per, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    match per {
        Per::Week => {
            let back = from.weekday().num_days_from_monday();
            let mut start = if back == 0 {
                from
            } else {
                from + Duration::days(7 - i64::from(back))
            };
            while start + Duration::days(6) <= to {
                out.push((start, start + Duration::days(6)));
                start += Duration::days(7);
            }
        }
        Per::Month => {
            let mut start = if from.day() == 1 {
                Some(from)
            } else {
                next_month(from)
            };
            while let Some(s) = start {
                let next = next_month(s);
                let end = match next {
                    Some(n) => n - Duration::days(1),
                    None => break,
                };
                if end > to {
                    break;
                }
                out.push((s, end));
                start = next;
            }
        }
    }
    out
}

fn next_month(d: NaiveDate) -> Option<NaiveDate> {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::period::parse_date(s).unwrap()
    }

    fn shipped() -> ReceptionRules {
        ReceptionRules::from_toml(include_str!("../../../../data/reception-rules.toml")).unwrap()
    }

    fn cal() -> Calendar {
        Calendar::from_toml(include_str!("../../../../data/holidays.toml")).unwrap()
    }

    fn s(date: &str, receiver: Receiver) -> Session {
        Session {
            date: d(date),
            receiver,
        }
    }

    #[test]
    fn a_commune_chairman_must_receive_every_week_except_tet() {
        let r = shipped();
        // Q1 2025 (cut-off 15/12/2024 – 14/03/2025): whole weeks 16/12/2024 .. 03/03/2025
        let mut sessions: Vec<Session> = Vec::new();
        let mut day = d("16/12/2024");
        while day <= d("14/03/2025") {
            // every Tuesday, except the week of 06/01 and the week of 17/02
            if day.weekday() == chrono::Weekday::Tue
                && day != d("07/01/2025")
                && day != d("18/02/2025")
            {
                sessions.push(s(&format_date(day), Receiver::Chairman));
            }
            day += Duration::days(1);
        }
        // the vice chairman's sessions do not count for the chairman
        sessions.push(s("08/01/2025", Receiver::ViceChairman));
        let c = r.check(
            Level::Commune,
            &sessions,
            d("15/12/2024"),
            d("14/03/2025"),
            &cal(),
        );
        let chairman = c.iter().find(|c| c.rule.code == "chu_tich_xa").unwrap();
        assert_eq!(
            chairman
                .missed
                .iter()
                .map(|m| m.label_vi.as_str())
                .collect::<Vec<_>>(),
            vec![
                "Tuần 06/01/2025 – 12/01/2025",
                "Tuần 17/02/2025 – 23/02/2025"
            ]
        );
        assert!(!chairman.met());
        // 12 whole weeks from 16/12/2024 to 09/03/2025, less the Tết week
        // 27/01 – 02/02/2025, which has no working day and is excused
        assert_eq!(chairman.judged, 11);
        // the party secretary (2 days a month) received nobody: 2 whole months missed
        let secretary = c.iter().find(|c| c.rule.code == "bi_thu_xa").unwrap();
        assert_eq!(
            secretary
                .missed
                .iter()
                .map(|m| (m.label_vi.as_str(), m.days))
                .collect::<Vec<_>>(),
            vec![("Tháng 01/2025", 0), ("Tháng 02/2025", 0)]
        );
        // the district rules ended with the district level
        assert!(
            r.check(
                Level::District,
                &sessions,
                d("01/07/2025"),
                d("30/09/2025"),
                &cal()
            )
            .is_empty()
        );
        assert_eq!(
            r.check(
                Level::District,
                &sessions,
                d("01/01/2025"),
                d("30/06/2025"),
                &cal()
            )
            .len(),
            2
        );
    }

    #[test]
    fn two_sessions_on_one_day_count_once_and_met_rules_list_nothing() {
        let r = shipped();
        let sessions = [
            s("05/06/2025", Receiver::PartySecretary),
            s("05/06/2025", Receiver::PartySecretary),
            s("20/06/2025", Receiver::PartySecretary),
            s("10/06/2025", Receiver::Chairman),
        ];
        let c = r.check(
            Level::Province,
            &sessions,
            d("01/06/2025"),
            d("30/06/2025"),
            &cal(),
        );
        assert!(c.iter().all(Compliance::met), "{c:?}");
        let c = r.check(
            Level::Commune,
            &sessions[..2],
            d("01/06/2025"),
            d("30/06/2025"),
            &cal(),
        );
        let secretary = c.iter().find(|c| c.rule.code == "bi_thu_xa").unwrap();
        assert_eq!(secretary.missed[0].days, 1);
    }

    #[test]
    fn a_week_with_no_working_day_is_excused() {
        let days = vec![super::super::calendar::CalendarDay {
            date: d("03/02/2025"),
            day_type: super::super::DayType::DayOff,
            name: "x".into(),
            provisional: false,
        }];
        let mut all = days;
        for n in 4..=7 {
            all.push(super::super::calendar::CalendarDay {
                date: d(&format!("{n:02}/02/2025")),
                day_type: super::super::DayType::DayOff,
                name: "x".into(),
                provisional: false,
            });
        }
        let c = Calendar::from_days([2025], all).unwrap();
        let r = shipped();
        let out = r.check(Level::Commune, &[], d("03/02/2025"), d("16/02/2025"), &c);
        let chairman = out.iter().find(|c| c.rule.code == "chu_tich_xa").unwrap();
        assert_eq!(chairman.judged, 1);
        assert_eq!(chairman.missed.len(), 1);
        assert_eq!(chairman.missed[0].from, d("10/02/2025"));
    }

    #[test]
    fn buckets_are_whole_weeks_and_months() {
        assert_eq!(
            buckets(Per::Week, d("01/06/2025"), d("15/06/2025")),
            vec![
                (d("02/06/2025"), d("08/06/2025")),
                (d("09/06/2025"), d("15/06/2025"))
            ]
        );
        assert!(buckets(Per::Week, d("03/06/2025"), d("08/06/2025")).is_empty());
        assert_eq!(
            buckets(Per::Month, d("15/12/2024"), d("14/06/2025")).len(),
            5
        );
        assert_eq!(
            buckets(Per::Month, d("01/12/2024"), d("31/12/2024")),
            vec![(d("01/12/2024"), d("31/12/2024"))]
        );
    }

    #[test]
    fn bad_rules_are_refused() {
        let e = ReceptionRules::from_toml(
            "[[rule]]\ncode = \"x\"\nlevel = \"hamlet\"\nreceiver = \"officer\"\nper = \"year\"\nmin_days = 0\nsource = \"\"\neffective_from = \"2025-01-01\"\neffective_to = \"2024-01-01\"\n",
        )
        .unwrap_err();
        let codes: Vec<&str> = e.problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            vec![
                "level",
                "receiver",
                "per",
                "min_days",
                "source",
                "effective_to"
            ]
        );
    }
}
