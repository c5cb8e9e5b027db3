//! Error codes the guest API puts in a frame's `code` (PROTOCOL.md §1.7).
//!
//! Most errors arrive as `{"class":"string","code":<code>,"body":"<text>"}`; 429 arrives as a
//! `TooManyRequestsErrorMessage` whose body carries 4029. What a client must do depends on
//! whether the session survives the error, so each code says so.

/// A known guest-API error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 400: the request was malformed.
    BadRequest,
    /// 401: an authenticated session's JWT is bad or expired.
    Unauthorized,
    /// 403: a feature is switched off (typing, Clear) or authentication failed.
    Forbidden,
    /// 404: an object was not found.
    NotFound,
    /// 408: the server timed out.
    Timeout,
    /// 429: too many requests (class `TooManyRequestsErrorMessage`).
    TooManyRequests,
    /// 4000: the feature is not available for this deployment.
    FeatureUnavailable,
    /// 4001: the attachment's MIME type is not allowed.
    FileTypeInvalid,
    /// 4002: the attachment is too large.
    FileSizeInvalid,
    /// 4003: the attachment's content was rejected.
    FileContentInvalid,
    /// 4004: the attachment's file name is not allowed.
    FileNameInvalid,
    /// 4005: the attachment's file name is too long.
    FileNameTooLong,
    /// 4006: the session has expired; start over with a new token.
    SessionHasExpired,
    /// 4007: no session for this token; start over with a new token.
    SessionNotFound,
    /// 4008: the attachment expired before it was sent.
    AttachmentHasExpired,
    /// 4009: no attachment with that id.
    AttachmentNotFound,
    /// 4010: the attachment was not uploaded successfully.
    AttachmentNotSuccessfullyUploaded,
    /// 4011: the message text is too long.
    MessageTooLong,
    /// 4013: custom attributes exceed `maxCustomDataBytes`.
    CustomAttributeSizeTooLarge,
    /// 4017: an authenticated session cannot be continued unauthenticated.
    CannotDowngradeToUnauthenticated,
    /// 4020: a required parameter is missing.
    MissingParameter,
    /// 4029: the per-session message rate was exceeded (inside a 429 body).
    RequestRateTooHigh,
    /// 5000: an unexpected server error.
    UnexpectedError,
}

impl ErrorCode {
    /// Every known code, for tables and tests.
    pub const ALL: [ErrorCode; 23] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Timeout,
        ErrorCode::TooManyRequests,
        ErrorCode::FeatureUnavailable,
        ErrorCode::FileTypeInvalid,
        ErrorCode::FileSizeInvalid,
        ErrorCode::FileContentInvalid,
        ErrorCode::FileNameInvalid,
        ErrorCode::FileNameTooLong,
        ErrorCode::SessionHasExpired,
        ErrorCode::SessionNotFound,
        ErrorCode::AttachmentHasExpired,
        ErrorCode::AttachmentNotFound,
        ErrorCode::AttachmentNotSuccessfullyUploaded,
        ErrorCode::MessageTooLong,
        ErrorCode::CustomAttributeSizeTooLarge,
        ErrorCode::CannotDowngradeToUnauthenticated,
        ErrorCode::MissingParameter,
        ErrorCode::RequestRateTooHigh,
        ErrorCode::UnexpectedError,
    ];

    /// The numeric code on the wire.
    pub const fn code(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Timeout => 408,
            ErrorCode::TooManyRequests => 429,
            ErrorCode::FeatureUnavailable => 4000,
            ErrorCode::FileTypeInvalid => 4001,
            ErrorCode::FileSizeInvalid => 4002,
            ErrorCode::FileContentInvalid => 4003,
            ErrorCode::FileNameInvalid => 4004,
            ErrorCode::FileNameTooLong => 4005,
            ErrorCode::SessionHasExpired => 4006,
            ErrorCode::SessionNotFound => 4007,
            ErrorCode::AttachmentHasExpired => 4008,
            ErrorCode::AttachmentNotFound => 4009,
            ErrorCode::AttachmentNotSuccessfullyUploaded => 4010,
            ErrorCode::MessageTooLong => 4011,
            ErrorCode::CustomAttributeSizeTooLarge => 4013,
            ErrorCode::CannotDowngradeToUnauthenticated => 4017,
            ErrorCode::MissingParameter => 4020,
            ErrorCode::RequestRateTooHigh => 4029,
            ErrorCode::UnexpectedError => 5000,
        }
    }

    /// The code for a wire number, if it is a known one.
    pub fn from_code(code: u16) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|known| known.code() == code)
    }

    /// What the code means, in words fit for a log line or a developer.
    pub const fn meaning(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "the request was malformed",
            ErrorCode::Unauthorized => "the session's authentication is missing or expired",
            ErrorCode::Forbidden => "the feature is disabled or authentication failed",
            ErrorCode::NotFound => "the requested object was not found",
            ErrorCode::Timeout => "the server timed out",
            ErrorCode::TooManyRequests => "too many requests",
            ErrorCode::FeatureUnavailable => "the feature is not available",
            ErrorCode::FileTypeInvalid => "this type of file is not allowed",
            ErrorCode::FileSizeInvalid => "the file is too large",
            ErrorCode::FileContentInvalid => "the file's content was rejected",
            ErrorCode::FileNameInvalid => "the file name is not allowed",
            ErrorCode::FileNameTooLong => "the file name is too long",
            ErrorCode::SessionHasExpired => "the session has expired",
            ErrorCode::SessionNotFound => "the session was not found",
            ErrorCode::AttachmentHasExpired => "the attachment has expired",
            ErrorCode::AttachmentNotFound => "the attachment was not found",
            ErrorCode::AttachmentNotSuccessfullyUploaded => "the attachment was not uploaded",
            ErrorCode::MessageTooLong => "the message is too long",
            ErrorCode::CustomAttributeSizeTooLarge => "the custom attributes are too large",
            ErrorCode::CannotDowngradeToUnauthenticated => {
                "an authenticated session cannot continue unauthenticated"
            }
            ErrorCode::MissingParameter => "a required parameter is missing",
            ErrorCode::RequestRateTooHigh => "messages are being sent too fast",
            ErrorCode::UnexpectedError => "the server failed unexpectedly",
        }
    }

    /// Whether the session (and the token) can still be used after this error. When false the
    /// client must forget the token and start a new session (4006, 4007) or authenticate again
    /// (401, 4017); every other error fails only the request that caused it.
    pub const fn session_survives(self) -> bool {
        !matches!(
            self,
            ErrorCode::Unauthorized
                | ErrorCode::SessionHasExpired
                | ErrorCode::SessionNotFound
                | ErrorCode::CannotDowngradeToUnauthenticated
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.code(), self.meaning())
    }
}
