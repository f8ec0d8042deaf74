//! Legal deadlines of petitions as data (`data/petition-rules.toml`): per kind of
//! petition and stage, the limit in calendar or working days with its legal source
//! and the date it took effect. A petition is governed by the rule in force on the
//! day it was received.

use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use super::PetitionKind;
use super::calendar::Calendar;
use crate::error::{CoreError, ErrorCode, Problem};
use crate::period::format_date;

/// A stage of processing that has a time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Thụ lý (or the initial handling of a denunciation), from receipt.
    Accept,
    /// Giải quyết (lần đầu).
    Resolve,
    /// Giải quyết lần hai (complaints).
    ResolveSecond,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Resolve => "resolve",
            Self::ResolveSecond => "resolve_second",
        }
    }

    fn parse(s: &str) -> Option<Stage> {
        [Self::Accept, Self::Resolve, Self::ResolveSecond]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Accept => "Hạn thụ lý, xử lý ban đầu",
            Self::Resolve => "Hạn giải quyết",
            Self::ResolveSecond => "Hạn giải quyết lần hai",
        }
    }
}

/// The event a limit is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountFrom {
    Received,
    Accepted,
    SecondInstance,
}

/// Calendar or working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Calendar,
    Working,
}

/// How hard a case is, as decided by the person resolving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Complexity {
    #[default]
    Normal,
    /// Phức tạp.
    Complex,
    /// Đặc biệt phức tạp.
    EspeciallyComplex,
}

impl Complexity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Complex => "complex",
            Self::EspeciallyComplex => "especially_complex",
        }
    }

    pub fn parse(s: &str) -> Option<Complexity> {
        [Self::Normal, Self::Complex, Self::EspeciallyComplex]
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Normal => "Thông thường",
            Self::Complex => "Phức tạp",
            Self::EspeciallyComplex => "Đặc biệt phức tạp",
        }
    }
}

/// One checked rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineRule {
    pub kind: PetitionKind,
    pub stage: Stage,
    pub from: CountFrom,
    pub days: u32,
    pub complex_days: Option<u32>,
    pub remote_days: Option<u32>,
    pub remote_complex_days: Option<u32>,
    pub extension_days: u32,
    pub max_extensions_complex: u32,
    pub max_extensions_especially_complex: u32,
    pub count: Count,
    pub roll_to_working_day: bool,
    pub source: String,
    pub effective_from: NaiveDate,
}

impl DeadlineRule {
    /// The limit in days for a petition of this complexity and remoteness.
    pub fn limit(&self, complexity: Complexity, remote: bool) -> u32 {
        let complex = complexity != Complexity::Normal;
        match (remote, complex) {
            (true, true) => self
                .remote_complex_days
                .or(self.remote_days)
                .or(self.complex_days)
                .unwrap_or(self.days),
            (true, false) => self.remote_days.unwrap_or(self.days),
            (false, true) => self.complex_days.unwrap_or(self.days),
            (false, false) => self.days,
        }
    }

    /// How many extensions a case of this complexity may receive.
    pub fn max_extensions(&self, complexity: Complexity) -> u32 {
        match complexity {
            Complexity::Normal => 0,
            Complexity::Complex => self.max_extensions_complex,
            Complexity::EspeciallyComplex => self.max_extensions_especially_complex,
        }
    }

    /// The due date counted from `start` for `days` days, in this rule's way of counting.
    pub fn due(&self, calendar: &Calendar, start: NaiveDate, days: u32) -> NaiveDate {
        match self.count {
            Count::Working => calendar.add_working_days(start, days),
            Count::Calendar => {
                let end = start + Duration::days(i64::from(days));
                if self.roll_to_working_day {
                    calendar.working_day_on_or_after(end)
                } else {
                    end
                }
            }
        }
    }

    /// The limit in words: "30 ngày", "7 ngày làm việc".
    pub fn describe_vi(&self, days: u32) -> String {
        match self.count {
            Count::Calendar => format!("{days} ngày"),
            Count::Working => format!("{days} ngày làm việc"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    kind: String,
    stage: String,
    #[serde(default)]
    from: Option<String>,
    days: u32,
    complex_days: Option<u32>,
    remote_days: Option<u32>,
    remote_complex_days: Option<u32>,
    #[serde(default)]
    extension_days: u32,
    #[serde(default)]
    max_extensions_complex: u32,
    #[serde(default)]
    max_extensions_especially_complex: u32,
    count: String,
    #[serde(default)]
    roll_to_working_day: bool,
    source: String,
    effective_from: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    rule: Vec<RuleDef>,
}

/// The checked set of rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetitionRules {
    rules: Vec<DeadlineRule>,
}

impl PetitionRules {
    /// Parses and checks the rules file, listing every problem at once.
    pub fn from_toml(src: &str) -> Result<PetitionRules, CoreError> {
        let bad = |problems| {
            CoreError::with_problems(
                ErrorCode::InvalidInput,
                "Tệp quy định thời hạn xử lý đơn có lỗi",
                problems,
            )
        };
        let file: File = toml::from_str(src).map_err(|e| {
            let line = e.span().map_or(0, |s| {
                src[..s.start.min(src.len())].matches('\n').count() + 1
            });
            bad(vec![Problem {
                line,
                code: "toml",
                message: e.message().to_string(),
            }])
        })?;
        let mut problems = Vec::new();
        let mut rules: Vec<DeadlineRule> = Vec::new();
        for (i, r) in file.rule.into_iter().enumerate() {
            let n = i + 1;
            let mut p = |code: &'static str, message: String| {
                problems.push(Problem {
                    line: 0,
                    code,
                    message: format!("Quy định thứ {n}: {message}"),
                })
            };
            let kind = PetitionKind::parse(&r.kind);
            if kind.is_none() {
                p(
                    "kind",
                    format!(
                        "loại đơn «{}» không hợp lệ (khieu_nai, to_cao, kien_nghi)",
                        r.kind
                    ),
                );
            }
            let stage = Stage::parse(&r.stage);
            if stage.is_none() {
                p(
                    "stage",
                    format!(
                        "giai đoạn «{}» không hợp lệ (accept, resolve, resolve_second)",
                        r.stage
                    ),
                );
            }
            let from = match (stage, r.from.as_deref()) {
                (Some(Stage::Accept), None | Some("received")) => Some(CountFrom::Received),
                (Some(Stage::Resolve), Some("accepted")) => Some(CountFrom::Accepted),
                (Some(Stage::Resolve), Some("received")) => Some(CountFrom::Received),
                (Some(Stage::ResolveSecond), None | Some("second_instance")) => {
                    Some(CountFrom::SecondInstance)
                }
                (None, _) => None,
                (Some(s), f) => {
                    p(
                        "from",
                        format!(
                            "giai đoạn «{}» không tính từ «{}»",
                            s.as_str(),
                            f.unwrap_or("")
                        ),
                    );
                    None
                }
            };
            let count = match r.count.as_str() {
                "calendar" => Some(Count::Calendar),
                "working" => Some(Count::Working),
                other => {
                    p(
                        "count",
                        format!("cách tính «{other}» không hợp lệ (calendar, working)"),
                    );
                    None
                }
            };
            if r.roll_to_working_day && count == Some(Count::Working) {
                p(
                    "roll",
                    "roll_to_working_day chỉ dùng cho thời hạn tính theo ngày".into(),
                );
            }
            let all_days = [
                Some(r.days),
                r.complex_days,
                r.remote_days,
                r.remote_complex_days,
            ];
            if all_days.iter().flatten().any(|&d| d == 0 || d > 365) {
                p("days", "số ngày phải từ 1 đến 365".into());
            }
            if r.complex_days.is_some_and(|c| c < r.days)
                || r.remote_complex_days
                    .is_some_and(|c| c < r.remote_days.unwrap_or(r.days))
            {
                p(
                    "days",
                    "thời hạn cho vụ việc phức tạp không được ngắn hơn thời hạn thông thường"
                        .into(),
                );
            }
            let any_extension = r.max_extensions_complex + r.max_extensions_especially_complex > 0;
            if any_extension != (r.extension_days > 0) {
                p(
                    "extension",
                    "extension_days và số lần gia hạn phải cùng có hoặc cùng không".into(),
                );
            }
            if r.max_extensions_especially_complex < r.max_extensions_complex {
                p(
                    "extension",
                    "vụ việc đặc biệt phức tạp không thể được gia hạn ít lần hơn vụ việc phức tạp"
                        .into(),
                );
            }
            if r.source.trim().is_empty() {
                p("source", "thiếu căn cứ pháp lý (source)".into());
            }
            let effective_from = match crate::period::parse_date(&r.effective_from) {
                Ok(d) => Some(d),
                Err(e) => {
                    p("effective_from", e.message);
                    None
                }
            };
            if let (Some(kind), Some(stage), Some(from), Some(count), Some(effective_from)) =
                (kind, stage, from, count, effective_from)
            {
                if rules.iter().any(|o| {
                    o.kind == kind && o.stage == stage && o.effective_from == effective_from
                }) {
                    p(
                        "duplicate",
                        format!(
                            "trùng quy định «{} / {}» có hiệu lực từ {}",
                            kind.as_str(),
                            stage.as_str(),
                            format_date(effective_from)
                        ),
                    );
                }
                rules.push(DeadlineRule {
                    kind,
                    stage,
                    from,
                    days: r.days,
                    complex_days: r.complex_days,
                    remote_days: r.remote_days,
                    remote_complex_days: r.remote_complex_days,
                    extension_days: r.extension_days,
                    max_extensions_complex: r.max_extensions_complex,
                    max_extensions_especially_complex: r.max_extensions_especially_complex,
                    count,
                    roll_to_working_day: r.roll_to_working_day,
                    source: r.source,
                    effective_from,
                });
            }
        }
        for kind in PetitionKind::ALL {
            if !rules
                .iter()
                .any(|r| r.kind == kind && r.stage == Stage::Resolve)
            {
                problems.push(Problem {
                    line: 0,
                    code: "missing",
                    message: format!(
                        "Thiếu quy định thời hạn giải quyết đơn «{}»",
                        kind.label_vi()
                    ),
                });
            }
        }
        if problems.is_empty() {
            Ok(PetitionRules { rules })
        } else {
            Err(bad(problems))
        }
    }

    /// The rule for a kind and stage in force on `received`: the one with the
    /// latest effective date not after it. None when no rule covers that day.
    pub fn rule(
        &self,
        kind: PetitionKind,
        stage: Stage,
        received: NaiveDate,
    ) -> Option<&DeadlineRule> {
        self.rules
            .iter()
            .filter(|r| r.kind == kind && r.stage == stage && r.effective_from <= received)
            .max_by_key(|r| r.effective_from)
    }

    pub fn all(&self) -> &[DeadlineRule] {
        &self.rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::period::parse_date(s).unwrap()
    }

    pub(crate) fn shipped() -> PetitionRules {
        PetitionRules::from_toml(include_str!("../../../../data/petition-rules.toml")).unwrap()
    }

    fn cal() -> Calendar {
        Calendar::from_toml(include_str!("../../../../data/holidays.toml")).unwrap()
    }

    #[test]
    fn the_shipped_rules_encode_the_laws() {
        let r = shipped();
        let on = d("01/03/2025");
        let kn = r.rule(PetitionKind::KhieuNai, Stage::Resolve, on).unwrap();
        assert_eq!(kn.limit(Complexity::Normal, false), 30);
        assert_eq!(kn.limit(Complexity::Complex, false), 45);
        assert_eq!(kn.limit(Complexity::Normal, true), 45);
        assert_eq!(kn.limit(Complexity::EspeciallyComplex, true), 60);
        let kn2 = r
            .rule(PetitionKind::KhieuNai, Stage::ResolveSecond, on)
            .unwrap();
        assert_eq!(
            [
                kn2.limit(Complexity::Normal, false),
                kn2.limit(Complexity::Complex, false),
                kn2.limit(Complexity::Normal, true),
                kn2.limit(Complexity::Complex, true)
            ],
            [45, 60, 60, 70]
        );
        let tc = r.rule(PetitionKind::ToCao, Stage::Accept, on).unwrap();
        assert_eq!((tc.days, tc.count), (7, Count::Working));
        let tc = r.rule(PetitionKind::ToCao, Stage::Resolve, on).unwrap();
        assert_eq!(tc.max_extensions(Complexity::Normal), 0);
        assert_eq!(tc.max_extensions(Complexity::Complex), 1);
        assert_eq!(tc.max_extensions(Complexity::EspeciallyComplex), 2);
        assert_eq!(tc.extension_days, 30);
        assert!(r.rule(PetitionKind::KienNghi, Stage::Accept, on).is_none());
        assert!(
            r.rule(PetitionKind::ToCao, Stage::Resolve, d("31/12/2018"))
                .is_none(),
            "before the 2018 law took effect no rule of this file applies"
        );
    }

    #[test]
    fn calendar_limits_roll_over_days_off_and_working_limits_skip_them() {
        let (r, c) = (shipped(), cal());
        let accept = r
            .rule(PetitionKind::KhieuNai, Stage::Accept, d("20/04/2025"))
            .unwrap();
        // 20/04/2025 + 10 days = Wednesday 30/04 (holiday) → Monday 05/05
        assert_eq!(accept.due(&c, d("20/04/2025"), 10), d("05/05/2025"));
        // 21/04 + 10 = Thursday 01/05 (holiday), 02/05 swapped off, weekend → 05/05
        assert_eq!(accept.due(&c, d("21/04/2025"), 10), d("05/05/2025"));
        // 10/03/2025 + 10 = Thursday 20/03, a working day
        assert_eq!(accept.due(&c, d("10/03/2025"), 10), d("20/03/2025"));
        let tc = r
            .rule(PetitionKind::ToCao, Stage::Accept, d("24/01/2025"))
            .unwrap();
        assert_eq!(tc.due(&c, d("24/01/2025"), 7), d("11/02/2025"));
        assert_eq!(tc.describe_vi(7), "7 ngày làm việc");
    }

    #[test]
    fn a_later_rule_governs_petitions_received_after_it() {
        let mut src = include_str!("../../../../data/petition-rules.toml").to_string();
        src.push_str(
            r#"
[[rule]]
kind = "khieu_nai"
stage = "accept"
days = 7
count = "working"
source = "Luật sửa đổi (giả định để kiểm thử)"
effective_from = "2026-07-01"
"#,
        );
        let r = PetitionRules::from_toml(&src).unwrap();
        let old = r
            .rule(PetitionKind::KhieuNai, Stage::Accept, d("30/06/2026"))
            .unwrap();
        assert_eq!((old.days, old.count), (10, Count::Calendar));
        let new = r
            .rule(PetitionKind::KhieuNai, Stage::Accept, d("01/07/2026"))
            .unwrap();
        assert_eq!((new.days, new.count), (7, Count::Working));
    }

    #[test]
    fn bad_rules_are_refused_with_every_problem() {
        let src = r#"
[[rule]]
kind = "khieu_nai_x"
stage = "resolve"
from = "accepted"
days = 30
count = "calendar"
source = "x"
effective_from = "2012-07-01"

[[rule]]
kind = "to_cao"
stage = "accept"
from = "accepted"
days = 0
count = "weeks"
source = ""
effective_from = "31/13/2019"

[[rule]]
kind = "kien_nghi"
stage = "resolve"
from = "received"
days = 10
complex_days = 5
extension_days = 30
count = "working"
roll_to_working_day = true
source = "x"
effective_from = "2020-01-01"

[[rule]]
kind = "kien_nghi"
stage = "resolve"
from = "received"
days = 10
count = "working"
source = "x"
effective_from = "2020-01-01"
"#;
        let e = PetitionRules::from_toml(src).unwrap_err();
        let codes: Vec<&str> = e.problems.iter().map(|p| p.code).collect();
        for c in [
            "kind",
            "from",
            "days",
            "count",
            "source",
            "effective_from",
            "roll",
            "extension",
            "duplicate",
            "missing",
        ] {
            assert!(codes.contains(&c), "{c} missing from {codes:?}");
        }
        assert!(PetitionRules::from_toml("[[rule]]\nkind = 1\n").is_err());
        assert!(PetitionRules::from_toml("[[rule]]\nunknown = 1\n").is_err());
    }
}
