//! Errors with a stable machine-readable code and a Vietnamese message for people.

use serde::Serialize;

/// Stable error codes shared by the API (`"code"` field), the CLI and the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidNumber,
    InvalidDate,
    InvalidPeriod,
    InvalidExpression,
    InvalidTemplate,
    InvalidUnits,
    InvalidInput,
    UnknownUnit,
    UnknownIndicator,
    UnknownSection,
    NotFound,
    Conflict,
    TemplateInUse,
    InvalidRecipients,
    InvalidTransition,
    SubmissionLocked,
    ValidationFailed,
    DeadlineInPast,
    /// The request is possible but needs the user's explicit confirmation (a
    /// warning to acknowledge, a duplicate to allow); the details say what.
    NeedsConfirmation,
    Unauthorized,
    Forbidden,
    /// The request body is larger than the route accepts.
    PayloadTooLarge,
    /// Too many failed sign-ins from this address for this user: wait (the
    /// details carry `retry_after_seconds`).
    TooManyRequests,
    /// The database or the disk cannot take the request now (full, read-only, down).
    Unavailable,
    /// An uploaded workbook is not a readable .xlsx (damaged, another format, zip bomb).
    XlsxUnreadable,
    /// An uploaded workbook is not the form of this round, unit and template version.
    XlsxWrongForm,
    /// Some value cells of an uploaded form cannot be read (each one listed).
    XlsxBadCells,
    Internal,
}

impl ErrorCode {
    /// The code as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidNumber => "invalid_number",
            Self::InvalidDate => "invalid_date",
            Self::InvalidPeriod => "invalid_period",
            Self::InvalidExpression => "invalid_expression",
            Self::InvalidTemplate => "invalid_template",
            Self::InvalidUnits => "invalid_units",
            Self::InvalidInput => "invalid_input",
            Self::UnknownUnit => "unknown_unit",
            Self::UnknownIndicator => "unknown_indicator",
            Self::UnknownSection => "unknown_section",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::TemplateInUse => "template_in_use",
            Self::InvalidRecipients => "invalid_recipients",
            Self::InvalidTransition => "invalid_transition",
            Self::SubmissionLocked => "submission_locked",
            Self::ValidationFailed => "validation_failed",
            Self::DeadlineInPast => "deadline_in_past",
            Self::NeedsConfirmation => "needs_confirmation",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::PayloadTooLarge => "payload_too_large",
            Self::TooManyRequests => "too_many_requests",
            Self::Unavailable => "unavailable",
            Self::XlsxUnreadable => "xlsx_unreadable",
            Self::XlsxWrongForm => "xlsx_wrong_form",
            Self::XlsxBadCells => "xlsx_bad_cells",
            Self::Internal => "internal",
        }
    }

    /// The HTTP status a request refused with this code answers (pages and API alike).
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            InvalidNumber | InvalidDate | InvalidPeriod | InvalidExpression | InvalidTemplate
            | InvalidUnits | InvalidInput | UnknownIndicator | UnknownSection
            | InvalidRecipients | DeadlineInPast | XlsxUnreadable | XlsxWrongForm => 400,
            Unauthorized => 401,
            Forbidden => 403,
            UnknownUnit | NotFound => 404,
            Conflict | TemplateInUse | InvalidTransition | SubmissionLocked | NeedsConfirmation => {
                409
            }
            PayloadTooLarge => 413,
            TooManyRequests => 429,
            ValidationFailed | XlsxBadCells => 422,
            Internal => 500,
            Unavailable => 503,
        }
    }
}

/// One problem in an imported file, pointing at its line (1-based; 0 = whole file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub line: usize,
    pub code: &'static str,
    pub message: String,
}

/// A domain error: a code, a Vietnamese message, and for imports every problem found.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct CoreError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl CoreError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            problems: Vec::new(),
            details: None,
        }
    }

    pub fn with_problems(
        code: ErrorCode,
        message: impl Into<String>,
        problems: Vec<Problem>,
    ) -> Self {
        Self {
            code,
            message: message.into(),
            problems,
            details: None,
        }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(
            ErrorCode::NotFound,
            format!("Không tìm thấy {}", what.into()),
        )
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
