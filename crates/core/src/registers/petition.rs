//! A petition (đơn) and its processing: the steps recorded with their dates, the
//! state machine that refuses impossible sequences (with Vietnamese messages), and
//! the running deadline from the legal rules and the working-day calendar.
//!
//! States: received → accepted (thụ lý) → resolved (kết luận); a complaint may go
//! on to a second instance → resolved again. Refused (không thụ lý), forwarded
//! (chuyển đơn) and withdrawn (rút đơn) close a petition; so does a conclusion
//! (except that a first-instance complaint may be taken to a second instance).
//! A recommendation (kiến nghị, phản ánh) may be concluded without an acceptance.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::PetitionKind;
use super::calendar::Calendar;
use super::rules::{Complexity, CountFrom, PetitionRules, Stage};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::period::format_date;

/// How the petition reached the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Nộp trực tiếp.
    Direct,
    /// Qua bưu chính.
    Post,
    /// Qua tiếp công dân.
    Reception,
    /// Chuyển đến từ cơ quan khác.
    Forwarded,
    /// Trực tuyến.
    Online,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Self::Direct,
        Self::Post,
        Self::Reception,
        Self::Forwarded,
        Self::Online,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Post => "post",
            Self::Reception => "reception",
            Self::Forwarded => "forwarded",
            Self::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Direct => "Trực tiếp",
            Self::Post => "Bưu chính",
            Self::Reception => "Qua tiếp công dân",
            Self::Forwarded => "Chuyển đến từ cơ quan khác",
            Self::Online => "Trực tuyến",
        }
    }
}

/// The finding of a conclusion or decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConclusionResult {
    /// Đúng.
    Right,
    /// Đúng một phần.
    PartlyRight,
    /// Sai.
    Wrong,
}

impl ConclusionResult {
    pub const ALL: [ConclusionResult; 3] = [Self::Right, Self::PartlyRight, Self::Wrong];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Right => "right",
            Self::PartlyRight => "partly_right",
            Self::Wrong => "wrong",
        }
    }

    pub fn parse(s: &str) -> Option<ConclusionResult> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Right => "Đúng",
            Self::PartlyRight => "Đúng một phần",
            Self::Wrong => "Sai",
        }
    }
}

/// What a step records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepKind {
    /// Thụ lý (for a denunciation: thụ lý after the initial handling).
    Accepted,
    /// Không thụ lý, with the reason.
    Refused { reason: String },
    /// Chuyển đơn to the competent body.
    Forwarded { to: String },
    /// Xác minh.
    Verification,
    /// Đối thoại.
    Dialogue,
    /// Gia hạn giải quyết (denunciations).
    Extended,
    /// Kết luận / quyết định giải quyết.
    Concluded { result: ConclusionResult },
    /// Rút đơn.
    Withdrawn,
    /// Thụ lý giải quyết lần hai (complaints).
    SecondInstance,
}

impl StepKind {
    /// The code stored in the database.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Refused { .. } => "refused",
            Self::Forwarded { .. } => "forwarded",
            Self::Verification => "verification",
            Self::Dialogue => "dialogue",
            Self::Extended => "extended",
            Self::Concluded { .. } => "concluded",
            Self::Withdrawn => "withdrawn",
            Self::SecondInstance => "second_instance",
        }
    }

    /// The free text a step carries (a reason, a receiving body), if any.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Refused { reason } => Some(reason),
            Self::Forwarded { to } => Some(to),
            _ => None,
        }
    }

    pub fn result(&self) -> Option<ConclusionResult> {
        match self {
            Self::Concluded { result } => Some(*result),
            _ => None,
        }
    }

    /// Rebuilds a step from its stored parts, refusing what is incomplete.
    pub fn from_parts(
        code: &str,
        text: Option<&str>,
        result: Option<&str>,
    ) -> CoreResult<StepKind> {
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        Ok(match code.trim() {
            "accepted" => Self::Accepted,
            "refused" => Self::Refused {
                reason: text
                    .ok_or_else(|| CoreError::invalid("Không thụ lý phải ghi rõ lý do"))?
                    .to_string(),
            },
            "forwarded" => Self::Forwarded {
                to: text
                    .ok_or_else(|| CoreError::invalid("Chuyển đơn phải ghi rõ nơi nhận"))?
                    .to_string(),
            },
            "verification" => Self::Verification,
            "dialogue" => Self::Dialogue,
            "extended" => Self::Extended,
            "concluded" => Self::Concluded {
                result: result.and_then(ConclusionResult::parse).ok_or_else(|| {
                    CoreError::invalid("Kết luận phải ghi kết quả: đúng, đúng một phần hoặc sai")
                })?,
            },
            "withdrawn" => Self::Withdrawn,
            "second_instance" => Self::SecondInstance,
            other => {
                return Err(CoreError::invalid(format!(
                    "Bước xử lý «{other}» không hợp lệ"
                )));
            }
        })
    }

    pub fn label_vi(&self) -> &'static str {
        match self {
            Self::Accepted => "Thụ lý",
            Self::Refused { .. } => "Không thụ lý",
            Self::Forwarded { .. } => "Chuyển đơn",
            Self::Verification => "Xác minh",
            Self::Dialogue => "Đối thoại",
            Self::Extended => "Gia hạn giải quyết",
            Self::Concluded { .. } => "Kết luận, quyết định giải quyết",
            Self::Withdrawn => "Rút đơn",
            Self::SecondInstance => "Thụ lý giải quyết lần hai",
        }
    }
}

/// A dated step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub date: NaiveDate,
    #[serde(flatten)]
    pub kind: StepKind,
}

/// Where a petition stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PetitionState {
    Received,
    Accepted,
    Refused,
    Forwarded,
    Resolved,
    SecondInstance,
    ResolvedSecond,
    Withdrawn,
}

impl PetitionState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::Refused => "refused",
            Self::Forwarded => "forwarded",
            Self::Resolved => "resolved",
            Self::SecondInstance => "second_instance",
            Self::ResolvedSecond => "resolved_second",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Received => "Mới tiếp nhận",
            Self::Accepted => "Đang giải quyết",
            Self::Refused => "Không thụ lý",
            Self::Forwarded => "Đã chuyển đơn",
            Self::Resolved => "Đã giải quyết",
            Self::SecondInstance => "Đang giải quyết lần hai",
            Self::ResolvedSecond => "Đã giải quyết lần hai",
            Self::Withdrawn => "Đã rút đơn",
        }
    }

    /// No time limit runs any more (a first-instance conclusion may still be
    /// taken to a second instance, which opens a new one).
    pub fn is_closed(self) -> bool {
        !matches!(self, Self::Received | Self::Accepted | Self::SecondInstance)
    }

    /// Concluded at first or second instance.
    pub fn is_resolved(self) -> bool {
        matches!(self, Self::Resolved | Self::ResolvedSecond)
    }
}

/// Where the running limit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// Trong hạn.
    OnTrack,
    /// Sắp đến hạn (at most the warning number of days left).
    DueSoon,
    /// Quá hạn.
    Overdue,
    /// Closed on or before the limit.
    DoneOnTime,
    /// Closed after the limit.
    DoneLate,
}

impl DeadlineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnTrack => "on_track",
            Self::DueSoon => "due_soon",
            Self::Overdue => "overdue",
            Self::DoneOnTime => "done_on_time",
            Self::DoneLate => "done_late",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::OnTrack => "Trong hạn",
            Self::DueSoon => "Sắp đến hạn",
            Self::Overdue => "Quá hạn",
            Self::DoneOnTime => "Đã xong, đúng hạn",
            Self::DoneLate => "Đã xong, quá hạn",
        }
    }
}

/// The limit that runs (or ran when the petition closed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineView {
    pub stage: Stage,
    pub start: NaiveDate,
    pub due: NaiveDate,
    /// "30 ngày", "7 ngày làm việc", with extensions included.
    pub limit_vi: String,
    pub source: String,
    pub status: DeadlineStatus,
    /// Calendar days from today to the due date (negative when overdue); for a
    /// closed petition, from the closing day.
    pub days_left: i64,
    /// The due date lies in a year the holiday calendar does not list.
    pub calendar_incomplete: bool,
}

impl serde::Serialize for Stage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A petition with its checked steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Petition {
    pub kind: PetitionKind,
    pub channel: Channel,
    pub received: NaiveDate,
    /// Vùng sâu, vùng xa đi lại khó khăn (longer limits for complaints).
    pub remote: bool,
    complexity: Complexity,
    steps: Vec<Step>,
    state: PetitionState,
}

fn transition(msg: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::InvalidTransition, msg)
}

fn bad_date(msg: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::InvalidDate, msg)
}

impl Petition {
    /// A petition received on `received`, which may not be after `today`.
    pub fn new(
        kind: PetitionKind,
        channel: Channel,
        received: NaiveDate,
        remote: bool,
        complexity: Complexity,
        today: NaiveDate,
    ) -> CoreResult<Petition> {
        if received > today {
            return Err(bad_date(format!(
                "Ngày nhận đơn {} ở tương lai (hôm nay là {})",
                format_date(received),
                format_date(today)
            )));
        }
        Ok(Petition {
            kind,
            channel,
            received,
            remote,
            complexity,
            steps: Vec::new(),
            state: PetitionState::Received,
        })
    }

    /// Rebuilds a stored petition, checking every step again.
    pub fn with_steps(mut self, steps: Vec<Step>, today: NaiveDate) -> CoreResult<Petition> {
        for s in steps {
            self.apply(s, today)?;
        }
        Ok(self)
    }

    pub fn state(&self) -> PetitionState {
        self.state
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn complexity(&self) -> Complexity {
        self.complexity
    }

    fn extensions(&self) -> u32 {
        self.steps
            .iter()
            .filter(|s| s.kind == StepKind::Extended)
            .count() as u32
    }

    /// Changes the complexity, refused when it would leave more extensions than
    /// the new complexity allows.
    pub fn set_complexity(&mut self, c: Complexity, rules: &PetitionRules) -> CoreResult<()> {
        let max = rules
            .rule(self.kind, Stage::Resolve, self.received)
            .map_or(0, |r| r.max_extensions(c));
        if self.extensions() > max {
            return Err(transition(format!(
                "Đơn đã được gia hạn {} lần; mức «{}» chỉ cho phép {} lần",
                self.extensions(),
                c.label_vi(),
                max
            )));
        }
        self.complexity = c;
        Ok(())
    }

    /// The date of the last step of a kind.
    pub fn date_of(&self, code: &str) -> Option<NaiveDate> {
        self.steps
            .iter()
            .rev()
            .find(|s| s.kind.code() == code)
            .map(|s| s.date)
    }

    /// The last conclusion, with its date.
    pub fn conclusion(&self) -> Option<(NaiveDate, ConclusionResult)> {
        self.steps
            .iter()
            .rev()
            .find_map(|s| s.kind.result().map(|r| (s.date, r)))
    }

    /// The state the petition would be in after `step`, or why the step is refused.
    pub fn check(
        &self,
        step: &Step,
        today: NaiveDate,
        rules: Option<&PetitionRules>,
    ) -> CoreResult<PetitionState> {
        let when = format_date(step.date);
        let what = step.kind.label_vi();
        if step.date > today {
            return Err(bad_date(format!(
                "Ngày {when} của bước «{what}» ở tương lai (hôm nay là {})",
                format_date(today)
            )));
        }
        if step.date < self.received {
            return Err(bad_date(format!(
                "Ngày {when} của bước «{what}» trước ngày nhận đơn {}",
                format_date(self.received)
            )));
        }
        if let Some(last) = self.steps.last()
            && step.date < last.date
        {
            return Err(bad_date(format!(
                "Ngày {when} của bước «{what}» trước bước «{}» ngày {}",
                last.kind.label_vi(),
                format_date(last.date)
            )));
        }
        if let Some(text) = step.kind.text()
            && text.trim().is_empty()
        {
            return Err(CoreError::invalid(match step.kind {
                StepKind::Refused { .. } => "Không thụ lý phải ghi rõ lý do",
                _ => "Chuyển đơn phải ghi rõ nơi nhận",
            }));
        }
        use PetitionKind as K;
        use PetitionState as S;
        let kind = self.kind;
        let st = self.state;
        if st.is_closed()
            && !(st == S::Resolved && kind == K::KhieuNai && step.kind == StepKind::SecondInstance)
        {
            let closed_on = self
                .steps
                .last()
                .map(|s| format_date(s.date))
                .unwrap_or_default();
            return Err(transition(match step.kind {
                StepKind::Concluded { .. } if st.is_resolved() => {
                    format!("Đơn đã có kết luận ngày {closed_on}; không thể kết luận lần nữa")
                }
                _ => format!(
                    "Đơn đã kết thúc («{}» ngày {closed_on}); không thể thêm bước «{what}»",
                    st.label_vi()
                ),
            }));
        }
        let next = match (&step.kind, st) {
            (StepKind::Accepted, S::Received) => S::Accepted,
            (StepKind::Accepted, _) => {
                return Err(transition("Đơn đã được thụ lý"));
            }
            (StepKind::Refused { .. }, S::Received) => S::Refused,
            (StepKind::Forwarded { .. }, S::Received) => S::Forwarded,
            (StepKind::Refused { .. } | StepKind::Forwarded { .. }, _) => {
                return Err(transition(format!(
                    "Đơn đang được giải quyết; không thể «{what}» sau khi đã thụ lý"
                )));
            }
            (StepKind::Verification, S::Accepted | S::SecondInstance) => st,
            (StepKind::Dialogue, S::Accepted | S::SecondInstance) if kind != K::ToCao => st,
            (StepKind::Dialogue, _) if kind == K::ToCao => {
                return Err(transition(
                    "Luật Tố cáo không quy định đối thoại với người tố cáo; hãy ghi là bước xác minh",
                ));
            }
            (StepKind::Verification | StepKind::Dialogue, _) => {
                return Err(transition(format!("Chưa thụ lý đơn nên chưa thể «{what}»")));
            }
            (StepKind::Extended, _) if kind != K::ToCao => {
                return Err(transition(format!(
                    "Chỉ đơn tố cáo được gia hạn giải quyết; đơn «{}» thì không",
                    kind.label_vi()
                )));
            }
            (StepKind::Extended, S::Accepted) => {
                let max = rules
                    .and_then(|r| r.rule(kind, Stage::Resolve, self.received))
                    .map_or(0, |r| r.max_extensions(self.complexity));
                if self.extensions() >= max {
                    return Err(transition(if max == 0 {
                        format!(
                            "Vụ việc mức «{}» không được gia hạn; chỉ vụ việc phức tạp hoặc đặc biệt phức tạp mới được gia hạn",
                            self.complexity.label_vi()
                        )
                    } else {
                        format!(
                            "Vụ việc mức «{}» chỉ được gia hạn {max} lần",
                            self.complexity.label_vi()
                        )
                    }));
                }
                st
            }
            (StepKind::Extended, _) => {
                return Err(transition("Chưa thụ lý đơn nên chưa thể gia hạn"));
            }
            (StepKind::Concluded { .. }, S::Accepted) => S::Resolved,
            (StepKind::Concluded { .. }, S::Received) if kind == K::KienNghi => S::Resolved,
            (StepKind::Concluded { .. }, S::SecondInstance) => S::ResolvedSecond,
            (StepKind::Concluded { .. }, _) => {
                return Err(transition(
                    "Chưa thụ lý đơn nên chưa thể có kết luận, quyết định giải quyết",
                ));
            }
            (StepKind::Withdrawn, _) => S::Withdrawn,
            (StepKind::SecondInstance, S::Resolved) if kind == K::KhieuNai => S::SecondInstance,
            (StepKind::SecondInstance, _) if kind != K::KhieuNai => {
                return Err(transition("Chỉ đơn khiếu nại có giải quyết lần hai"));
            }
            (StepKind::SecondInstance, _) => {
                return Err(transition(
                    "Chỉ giải quyết lần hai sau khi có quyết định giải quyết lần đầu",
                ));
            }
        };
        Ok(next)
    }

    /// Records a step after [`Petition::check`].
    pub fn apply_with(
        &mut self,
        step: Step,
        today: NaiveDate,
        rules: Option<&PetitionRules>,
    ) -> CoreResult<PetitionState> {
        let next = self.check(&step, today, rules)?;
        self.steps.push(step);
        self.state = next;
        Ok(next)
    }

    /// Records a step, with no rules at hand (an extension is then refused).
    pub fn apply(&mut self, step: Step, today: NaiveDate) -> CoreResult<PetitionState> {
        self.apply_with(step, today, None)
    }

    /// The limit that runs now — or, once the petition is closed, the one that ran
    /// when it closed, met or missed. None when no rule of the file covers the
    /// stage (e.g. no acceptance limit for recommendations) or the received date.
    pub fn deadline(
        &self,
        rules: &PetitionRules,
        calendar: &Calendar,
        today: NaiveDate,
        warn_days: u32,
    ) -> Option<DeadlineView> {
        // the stage running after each step, and when it started
        let mut stage = match self.kind {
            PetitionKind::KienNghi => Stage::Resolve,
            _ => Stage::Accept,
        };
        let mut start = self.received;
        let mut closed_on = None;
        for s in &self.steps {
            match s.kind {
                StepKind::Accepted => {
                    stage = Stage::Resolve;
                    start = s.date;
                }
                StepKind::SecondInstance => {
                    stage = Stage::ResolveSecond;
                    start = s.date;
                    closed_on = None;
                }
                StepKind::Refused { .. }
                | StepKind::Forwarded { .. }
                | StepKind::Withdrawn
                | StepKind::Concluded { .. } => closed_on = Some(s.date),
                StepKind::Verification | StepKind::Dialogue | StepKind::Extended => {}
            }
        }
        let rule = rules.rule(self.kind, stage, self.received)?;
        let start = match rule.from {
            CountFrom::Received => self.received,
            CountFrom::Accepted | CountFrom::SecondInstance => start,
        };
        let mut days = rule.limit(self.complexity, self.remote);
        let mut limit_vi = rule.describe_vi(days);
        if stage == Stage::Resolve && rule.extension_days > 0 {
            let n = self.extensions();
            if n > 0 {
                days += n * rule.extension_days;
                limit_vi = format!("{limit_vi}, gia hạn {n} lần × {} ngày", rule.extension_days);
            }
        }
        let due = rule.due(calendar, start, days);
        let (status, from) = match closed_on {
            Some(c) if c <= due => (DeadlineStatus::DoneOnTime, c),
            Some(c) => (DeadlineStatus::DoneLate, c),
            None if today > due => (DeadlineStatus::Overdue, today),
            None if (due - today).num_days() <= i64::from(warn_days) => {
                (DeadlineStatus::DueSoon, today)
            }
            None => (DeadlineStatus::OnTrack, today),
        };
        use chrono::Datelike;
        Some(DeadlineView {
            stage,
            start,
            due,
            limit_vi,
            source: rule.source.clone(),
            status,
            days_left: (due - from).num_days(),
            calendar_incomplete: !calendar.covers(due.year()) || !calendar.covers(start.year()),
        })
    }
}

#[cfg(test)]
mod tests;
