//! Guest file uploads as the UI shows them (PROTOCOL.md §1.4.7): the files the guest attached
//! that have not gone out in a message yet, each with where it stands.
//!
//! The flow, decided in the `attaching` rules: [`super::Engine::attach`] is checked against
//! the session's limits and becomes a [`UploadState::Pending`] upload; `onAttachment` asks for
//! an upload URL (sent once the connection is ready, again after a reconnect if unanswered);
//! the `PresignedUrlResponse` turns it [`UploadState::Uploading`] and asks the driver to `PUT`
//! the bytes ([`super::Effect::Upload`]); the driver reports progress or failure; the server's
//! `UploadSuccessEvent` makes it [`UploadState::Ready`] and it is sent at once as a guest
//! message of its own (text typed meanwhile travels separately), leaving this list.
//! `UploadFailureEvent`, `GenerateUrlError`, an error frame answering `onAttachment`, a failed
//! `PUT` or 60 s without news fail it; a failed upload stays listed (with its reason) until the
//! guest dismisses it ([`super::Engine::remove_attachment`]).

use crate::genesys::{Attachment, ErrorCode, MediaType};

use super::Millis;

/// How long an upload may go without news (an answer, a progress report) before it fails.
pub const UPLOAD_STALL_MS: Millis = 60_000;

/// One file the guest attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The attachment id the engine chose; [`super::Effect::Upload`] and the driver's inputs
    /// about this file name it.
    pub attachment_id: String,
    /// The file's name, as given.
    pub file_name: String,
    /// The MIME type sent to the server (`application/octet-stream` when none was known).
    pub mime: String,
    /// Size in bytes.
    pub size: u64,
    /// Where it stands.
    pub state: UploadState,
    /// Where the server offers it for download, once uploaded.
    pub download_url: Option<String>,
    pub(super) tracing_id: String,
    /// `onAttachment` went out on the current socket.
    pub(super) requested: bool,
    /// When it fails for lack of news.
    pub(super) deadline: Option<Millis>,
}

/// Where an upload stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadState {
    /// Waiting for the server's upload URL (or for a connection to ask for one).
    Pending,
    /// The driver is sending the bytes: `sent` of `total` as last reported.
    Uploading {
        /// Bytes sent so far.
        sent: u64,
        /// Bytes in all.
        total: u64,
    },
    /// The server has the file; it goes out as a message as soon as a message may be queued.
    Ready,
    /// It will not go out; dismiss it with [`super::Engine::remove_attachment`].
    Failed(UploadFailure),
}

/// Why an upload failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadFailure {
    /// The server refused the file (`GenerateUrlError`, `UploadFailureEvent` or an error frame
    /// answering `onAttachment`): 4001 type, 4002 size, 4003 content, 4004/4005 name, …
    Refused {
        /// The error code.
        code: u16,
        /// The server's text (wire text: render as text).
        message: String,
    },
    /// Sending the bytes failed, as the driver reported (network, HTTP status).
    Transfer(String),
    /// No news from the server or the driver for 60 s.
    NoAnswer,
}

impl UploadFailure {
    /// The known error code of a refusal, if any: lets a UI say "type not allowed" or "too
    /// large" in its own words.
    pub fn error_code(&self) -> Option<ErrorCode> {
        match self {
            UploadFailure::Refused { code, .. } => ErrorCode::from_code(*code),
            _ => None,
        }
    }

    /// The reason in plain (English) words, for a log line or a UI without its own texts.
    pub fn describe(&self) -> String {
        match self {
            UploadFailure::Refused { code, message } => match ErrorCode::from_code(*code) {
                Some(known) => known.meaning().to_owned(),
                None if !message.is_empty() => message.clone(),
                None => format!("refused with code {code}"),
            },
            UploadFailure::Transfer(reason) => format!("the upload failed: {reason}"),
            UploadFailure::NoAnswer => "the server did not answer".to_owned(),
        }
    }
}

impl Upload {
    pub(super) fn new(
        attachment_id: String,
        tracing_id: String,
        file_name: String,
        mime: String,
        size: u64,
    ) -> Upload {
        Upload {
            attachment_id,
            file_name,
            mime,
            size,
            state: UploadState::Pending,
            download_url: None,
            tracing_id,
            requested: false,
            deadline: None,
        }
    }

    /// Whether the upload is still on its way (not ready, not failed).
    pub fn in_progress(&self) -> bool {
        matches!(
            self.state,
            UploadState::Pending | UploadState::Uploading { .. }
        )
    }

    /// The attachment as the guest's own bubble shows it (name, type, download URL).
    pub(super) fn shown(&self) -> Attachment {
        let media_type = if self.mime.starts_with("image/") {
            MediaType::Image
        } else {
            MediaType::File
        };
        Attachment {
            id: self.attachment_id.clone(),
            media_type: Some(media_type),
            url: self.download_url.clone(),
            mime: Some(self.mime.clone()),
            filename: Some(self.file_name.clone()),
            file_size: Some(self.size),
            ..Attachment::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_described_by_their_code_meaning() {
        let refused = UploadFailure::Refused {
            code: 4001,
            message: "server text".into(),
        };
        assert_eq!(refused.error_code(), Some(ErrorCode::FileTypeInvalid));
        assert_eq!(refused.describe(), "this type of file is not allowed");
        let unknown = UploadFailure::Refused {
            code: 4999,
            message: "odd".into(),
        };
        assert_eq!(unknown.describe(), "odd");
    }

    #[test]
    fn images_show_inline_and_other_files_as_downloads() {
        let image = Upload::new(
            "1".into(),
            "t1".into(),
            "a.png".into(),
            "image/png".into(),
            3,
        );
        assert_eq!(image.shown().media_type, Some(MediaType::Image));
        let pdf = Upload::new(
            "2".into(),
            "t2".into(),
            "a.pdf".into(),
            "application/pdf".into(),
            3,
        );
        assert_eq!(pdf.shown().media_type, Some(MediaType::File));
        assert_eq!(pdf.shown().filename.as_deref(), Some("a.pdf"));
    }
}
