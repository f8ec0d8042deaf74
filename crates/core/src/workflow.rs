//! Submission states and the transitions the office and the units may make.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, ErrorCode};

/// Per-recipient status of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    Draft,
    Submitted,
    Returned,
    Accepted,
}

/// What someone wants to do with a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SaveDraft,
    Submit,
    Return,
    Accept,
    /// Reopen accepted data as a new version, with a reason.
    Correct,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Self::NotStarted,
            Self::Draft,
            Self::Submitted,
            Self::Returned,
            Self::Accepted,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::NotStarted => "Chưa bắt đầu",
            Self::Draft => "Đang soạn",
            Self::Submitted => "Đã gửi",
            Self::Returned => "Bị trả lại",
            Self::Accepted => "Đã tiếp nhận",
        }
    }

    /// True when the report has reached the office (submitted or accepted).
    pub fn is_in(self) -> bool {
        matches!(self, Self::Submitted | Self::Accepted)
    }

    /// The state after `action`, or why it is not allowed.
    pub fn apply(self, action: Action) -> Result<Status, CoreError> {
        use Action::*;
        use Status::*;
        let next = match (self, action) {
            (NotStarted | Draft | Returned, SaveDraft) => Draft,
            (NotStarted | Draft | Returned, Submit) => Submitted,
            (Submitted, Return) => Returned,
            (Submitted, Accept) => Accepted,
            (Accepted, Correct) => Draft,
            (Accepted, SaveDraft | Submit) => {
                return Err(CoreError::new(
                    ErrorCode::SubmissionLocked,
                    "Báo cáo đã được tiếp nhận nên không sửa trực tiếp được; hãy tạo phiên bản điều chỉnh kèm lý do",
                ));
            }
            (s, a) => {
                return Err(CoreError::new(
                    ErrorCode::InvalidTransition,
                    format!(
                        "Không thể {} báo cáo đang ở trạng thái «{}»",
                        action_vi(a),
                        s.label_vi()
                    ),
                ));
            }
        };
        Ok(next)
    }
}

impl TryFrom<String> for Status {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Status::parse(&s).ok_or_else(|| format!("trạng thái không hợp lệ «{s}»"))
    }
}

fn action_vi(a: Action) -> &'static str {
    match a {
        Action::SaveDraft => "lưu nháp",
        Action::Submit => "gửi",
        Action::Return => "trả lại",
        Action::Accept => "tiếp nhận",
        Action::Correct => "điều chỉnh",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_and_the_return_loop() {
        let s = Status::NotStarted.apply(Action::SaveDraft).unwrap();
        let s = s.apply(Action::Submit).unwrap();
        let s = s.apply(Action::Return).unwrap();
        assert_eq!(s, Status::Returned);
        let s = s
            .apply(Action::Submit)
            .unwrap()
            .apply(Action::Accept)
            .unwrap();
        assert_eq!(s, Status::Accepted);
        assert_eq!(
            s.apply(Action::SaveDraft).unwrap_err().code,
            ErrorCode::SubmissionLocked
        );
        assert_eq!(s.apply(Action::Correct).unwrap(), Status::Draft);
    }

    #[test]
    fn statuses_read_back_from_their_names() {
        assert_eq!(
            Status::try_from("accepted".to_string()),
            Ok(Status::Accepted)
        );
        assert!(Status::try_from("gone".to_string()).is_err());
    }

    #[test]
    fn refuses_what_makes_no_sense() {
        assert_eq!(
            Status::Draft.apply(Action::Accept).unwrap_err().code,
            ErrorCode::InvalidTransition
        );
        assert_eq!(
            Status::Submitted.apply(Action::Submit).unwrap_err().code,
            ErrorCode::InvalidTransition
        );
        assert_eq!(
            Status::Returned.apply(Action::Return).unwrap_err().code,
            ErrorCode::InvalidTransition
        );
        assert_eq!(
            Status::NotStarted.apply(Action::Correct).unwrap_err().code,
            ErrorCode::InvalidTransition
        );
    }
}
