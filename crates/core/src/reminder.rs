//! Reminders to units that have not sent their report: the schedule of a round
//! (N days before the deadline, on the day, then every M days once overdue, at
//! most K times), which scheduled reminder is due on a given day, and the words
//! of a reminder. No I/O: the use-case layer records what was sent under the key
//! of each slot, so a slot goes out once.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::period::format_date;
use crate::{CoreError, CoreResult};

/// The reminder schedule of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Scheduled reminders go out at all.
    pub enabled: bool,
    /// Remind this many days before the deadline (0 = not before).
    pub days_before: u32,
    /// Remind on the deadline itself.
    pub on_the_day: bool,
    /// Once overdue, remind every this many days (0 = never when overdue).
    pub overdue_every: u32,
    /// At most this many overdue reminders.
    pub overdue_max: u32,
}

impl Default for Schedule {
    fn default() -> Schedule {
        Schedule {
            enabled: true,
            days_before: 3,
            on_the_day: true,
            overdue_every: 3,
            overdue_max: 3,
        }
    }
}

impl Schedule {
    /// Refuses values outside what makes sense for a reporting round.
    pub fn check(&self) -> CoreResult<()> {
        if self.days_before > 60 {
            return Err(CoreError::invalid(
                "Số ngày nhắc trước hạn phải từ 0 đến 60",
            ));
        }
        if self.overdue_every > 60 {
            return Err(CoreError::invalid(
                "Khoảng cách giữa các lần nhắc khi quá hạn phải từ 0 đến 60 ngày",
            ));
        }
        if self.overdue_max > 20 {
            return Err(CoreError::invalid("Số lần nhắc khi quá hạn tối đa là 20"));
        }
        Ok(())
    }

    /// The schedule in words, for the round page.
    pub fn describe_vi(&self) -> String {
        if !self.enabled {
            return "Không nhắc tự động".into();
        }
        let mut parts = Vec::new();
        if self.days_before > 0 {
            parts.push(format!("{} ngày trước hạn", self.days_before));
        }
        if self.on_the_day {
            parts.push("đúng ngày hạn".into());
        }
        if self.overdue_every > 0 && self.overdue_max > 0 {
            parts.push(format!(
                "khi quá hạn: {} ngày một lần, tối đa {} lần",
                self.overdue_every, self.overdue_max
            ));
        }
        if parts.is_empty() {
            "Không nhắc tự động".into()
        } else {
            format!("Tự động nhắc {}", parts.join("; "))
        }
    }
}

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Sent by the office from the round page.
    Manual,
    /// Scheduled, before the deadline.
    Before,
    /// Scheduled, on the deadline.
    OnTheDay,
    /// Scheduled, the n-th time once overdue (from 1).
    Overdue(u32),
}

impl Kind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Manual => "manual",
            Kind::Before => "before",
            Kind::OnTheDay => "on_the_day",
            Kind::Overdue(_) => "overdue",
        }
    }

    /// The kind in Vietnamese (round history).
    pub fn label_vi(self) -> String {
        match self {
            Kind::Manual => "Nhắc thủ công".into(),
            Kind::Before => "Nhắc trước hạn (tự động)".into(),
            Kind::OnTheDay => "Nhắc đúng ngày hạn (tự động)".into(),
            Kind::Overdue(n) => format!("Nhắc quá hạn lần {n} (tự động)"),
        }
    }
}

/// The scheduled reminder due on `today` for a round with this `deadline`, with
/// the part of its key that makes it unique within the round and unit (the
/// deadline is in the key: a new deadline starts a new schedule). A slot missed
/// (the server was down) is still sent later within its window: the "before"
/// slot until the deadline, an overdue slot until the next one starts.
pub fn due(s: &Schedule, deadline: NaiveDate, today: NaiveDate) -> Option<(Kind, String)> {
    if !s.enabled {
        return None;
    }
    let d = deadline.format("%Y-%m-%d");
    if today < deadline {
        let from = deadline - Duration::days(i64::from(s.days_before));
        return (s.days_before > 0 && today >= from).then(|| (Kind::Before, format!("before:{d}")));
    }
    if today == deadline {
        return s
            .on_the_day
            .then(|| (Kind::OnTheDay, format!("on_the_day:{d}")));
    }
    if s.overdue_every == 0 || s.overdue_max == 0 {
        return None;
    }
    // overdue reminders on deadline + 1, + 1 + every, + 1 + 2·every, …
    let late = (today - deadline).num_days() - 1;
    let n = u32::try_from(late / i64::from(s.overdue_every)).ok()? + 1;
    (n <= s.overdue_max).then(|| (Kind::Overdue(n), format!("overdue{n}:{d}")))
}

/// The words of one reminder to one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub subject: String,
    pub body: String,
}

/// What is said to a unit about a round, given the day it is sent.
#[allow(clippy::too_many_arguments)]
pub fn message(
    round_title: &str,
    period_label: &str,
    issuer_name: &str,
    unit_name: &str,
    deadline: NaiveDate,
    today: NaiveDate,
    link: &str,
) -> Message {
    let left = (deadline - today).num_days();
    let when = match left {
        0 => "Hôm nay là hạn nộp.".to_string(),
        n if n > 0 => format!("Còn {n} ngày đến hạn nộp."),
        n => format!("Báo cáo đã quá hạn {} ngày.", -n),
    };
    let deadline = format_date(deadline);
    Message {
        subject: format!("Nhắc nộp báo cáo «{round_title}» — hạn nộp {deadline}"),
        body: format!(
            "Kính gửi {unit_name},\n\n\
             {issuer_name} nhắc đơn vị nộp báo cáo «{round_title}» ({period_label}), hạn nộp {deadline}. {when}\n\n\
             Mở báo cáo của đơn vị: {link}\n\n\
             Nếu đơn vị đã gửi báo cáo, xin bỏ qua thư này.\n\
             (Thư gửi tự động từ hệ thống báo cáo thực hiện quy chế dân chủ ở cơ sở; xin không trả lời thư này.)\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn the_default_schedule_over_a_month() {
        let s = Schedule::default();
        let deadline = day(2026, 6, 20);
        let mut sent = Vec::new();
        for offset in -10..30 {
            let today = deadline + Duration::days(offset);
            if let Some((kind, key)) = due(&s, deadline, today)
                && !sent.iter().any(|(_, k): &(i64, String)| *k == key)
            {
                let _ = kind;
                sent.push((offset, key));
            }
        }
        let offsets: Vec<i64> = sent.iter().map(|(o, _)| *o).collect();
        // 3 days before, on the day, then the day after and every 3 days, 3 times
        assert_eq!(offsets, [-3, 0, 1, 4, 7]);
        assert!(sent[0].1.starts_with("before:2026-06-20"));
    }

    #[test]
    fn a_missed_slot_is_caught_up_and_a_new_deadline_starts_over() {
        let s = Schedule::default();
        let deadline = day(2026, 6, 20);
        // the server was down 3 days before: the reminder goes out the next day
        assert_eq!(
            due(&s, deadline, day(2026, 6, 18)).map(|x| x.0),
            Some(Kind::Before)
        );
        assert_eq!(due(&s, deadline, day(2026, 6, 16)), None);
        // the second overdue reminder is due from day 4 to day 6 after
        assert_eq!(
            due(&s, deadline, day(2026, 6, 26)).map(|x| x.0),
            Some(Kind::Overdue(2))
        );
        assert_eq!(due(&s, deadline, day(2026, 7, 30)), None, "at most 3");
        let other = due(&s, day(2026, 6, 30), day(2026, 6, 28)).unwrap().1;
        assert_ne!(other, due(&s, deadline, day(2026, 6, 18)).unwrap().1);
        assert_eq!(
            due(
                &Schedule {
                    enabled: false,
                    ..s
                },
                deadline,
                day(2026, 6, 20)
            ),
            None
        );
        let none = Schedule {
            overdue_every: 0,
            ..s
        };
        assert_eq!(due(&none, deadline, day(2026, 6, 21)), None);
    }

    #[test]
    fn the_words_name_the_round_the_deadline_and_the_link() {
        let m = message(
            "Báo cáo 6 tháng đầu năm 2026",
            "6 tháng đầu năm 2026",
            "Ban Dân vận Tỉnh ủy",
            "Xã Đam Rông 1",
            day(2026, 6, 5),
            day(2026, 6, 8),
            "https://qcdc.example.vn/dot/3/bao-cao/LV-XDR01",
        );
        assert!(m.subject.contains("05/06/2026"), "{}", m.subject);
        assert!(m.body.contains("quá hạn 3 ngày"), "{}", m.body);
        assert!(m.body.contains("Kính gửi Xã Đam Rông 1"));
        assert!(
            m.body
                .contains("https://qcdc.example.vn/dot/3/bao-cao/LV-XDR01")
        );
        assert!(
            Schedule::default()
                .describe_vi()
                .contains("3 ngày trước hạn")
        );
        assert!(
            Schedule {
                days_before: 61,
                ..Schedule::default()
            }
            .check()
            .is_err()
        );
    }
}
