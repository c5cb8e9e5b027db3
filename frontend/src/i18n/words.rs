//! The engine's values in the visitor's words: why a command was refused, why a message or an
//! upload failed, what a notice says, a file's size, who is typing. The one place where an
//! engine type meets a [`Key`]; components and the driver call these and never word an engine
//! value themselves. (The connection line is worded in [`crate::status`], next to the
//! contract's state names it also derives.)

use parley_shared::engine::{FailReason, Notice, Refused, Typist, UploadFailure};
use parley_shared::genesys::ErrorCode;

use super::{Key, Locale, fill};

/// Why a command was refused, or `None` when there is nothing worth saying (an empty message,
/// a click on something that is gone).
pub fn refusal(refused: &Refused, locale: Locale) -> Option<String> {
    match refused {
        // The attach button is disabled while a file is on its way, so a refusal for that
        // only answers a click that slipped through: the upload line already says enough.
        Refused::Empty
        | Refused::NothingToRetry
        | Refused::NoSuchUpload
        | Refused::ChoiceNotOffered
        | Refused::UploadInProgress => None,
        Refused::TooLong { max, .. } => Some(too_long(*max, locale)),
        Refused::ReadOnly => Some(locale.text(Key::ReasonReadOnly).to_owned()),
        Refused::NoSession => Some(locale.text(Key::ReasonNoSession).to_owned()),
        Refused::FileTypeNotAllowed { .. } | Refused::FileExtensionBlocked { .. } => {
            Some(locale.text(Key::UploadTypeNotAllowed).to_owned())
        }
        Refused::FileTooLarge { max_bytes, .. } => Some(fill(
            locale.text(Key::UploadTooLarge),
            &[("max", &human_size(*max_bytes))],
        )),
    }
}

/// "The message is longer than {max} characters."
pub fn too_long(max: usize, locale: Locale) -> String {
    fill(
        locale.text(Key::ReasonTooLong),
        &[("max", &max.to_string())],
    )
}

/// Why an upload failed, as the upload line shows it.
pub fn upload_failure(failure: &UploadFailure, locale: Locale) -> String {
    let reason = match failure.error_code() {
        Some(ErrorCode::FileTypeInvalid | ErrorCode::FileNameInvalid) => {
            locale.text(Key::UploadTypeNotAllowed).to_owned()
        }
        _ => failure.describe(),
    };
    fill(locale.text(Key::UploadFailed), &[("reason", &reason)])
}

/// Why a guest message failed, under its bubble.
pub fn message_failure(reason: &FailReason, locale: Locale) -> String {
    match reason {
        FailReason::TooLong => locale.text(Key::FailTooLong).to_owned(),
        FailReason::AttributesTooLarge => locale.text(Key::FailAttributes).to_owned(),
        FailReason::SessionEnded => locale.text(Key::FailSessionEnded).to_owned(),
        FailReason::Rejected { code, .. } => fill(
            locale.text(Key::FailRejected),
            &[("code", &code.to_string())],
        ),
    }
}

/// A notice in words.
pub fn notice(notice: &Notice, locale: Locale) -> String {
    match notice {
        Notice::AgentJoined { nickname } => {
            fill(locale.text(Key::NoticeJoined), &[("name", nickname)])
        }
        Notice::ConversationEnded { read_only: true } => locale.text(Key::NoticeEnded).to_owned(),
        Notice::ConversationEnded { read_only: false } => {
            locale.text(Key::NoticeEndedKeepWriting).to_owned()
        }
        Notice::SessionExpired => locale.text(Key::NoticeExpired).to_owned(),
        Notice::ConnectionClosed { .. } => locale.text(Key::NoticeClosed).to_owned(),
        Notice::NewConversation => locale.text(Key::NoticeNewConversation).to_owned(),
    }
}

/// "Alex is typing…"; the engine already fell back to the last agent who wrote, so a typist
/// without a name is "the agent" in the visitor's language.
pub fn typing(typist: &Typist, locale: Locale) -> String {
    let name = typist
        .name
        .clone()
        .unwrap_or_else(|| locale.text(Key::Agent).to_owned());
    fill(locale.text(Key::Typing), &[("name", &name)])
}

/// "2 MB", "1.5 MB", "640 KB", "512 B". (Integer arithmetic only: formatting a float would
/// pull the float printer into the bundle.)
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => {
            let tenths = (b * 10 + 512 * 1024) / (1024 * 1024);
            match tenths % 10 {
                0 => format!("{} MB", tenths / 10),
                d => format!("{}.{d} MB", tenths / 10),
            }
        }
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} B"),
    }
}
