//! Builders for the frames the emulator sends, so that every handler produces the same shapes
//! (PROTOCOL.md §1.5) from the shared wire types and none writes JSON by hand.

use std::collections::BTreeMap;
use std::time::Duration;

use parley_shared::genesys::{
    AllowedMedia, AllowedMediaType, Attachment, AttachmentDeletedResponse, Channel, Direction,
    ErrorCode, FrameBody, FrameType, GenerateUrlError, InboundMedia, MessageType, OnAttachment,
    PresignedUrlResponse, ServerFrame, SessionResponse, StructuredMessage,
    TooManyRequestsErrorMessage, UploadFailureEvent, UploadSuccessEvent,
};

use super::Emulator;
use super::config::EmulatorConfig;
use super::tagging::TAGGING_HEADER;

/// A message with the fields every emulator message has: id, type, direction and server time
/// (`channel.messageId` repeats the id, as Genesys does on Inbound echoes).
pub fn structured(
    id: String,
    message_type: MessageType,
    direction: Direction,
    time: String,
) -> StructuredMessage {
    StructuredMessage {
        channel: Some(Channel {
            time: Some(time),
            message_id: Some(id.clone()),
            ..Channel::default()
        }),
        id,
        message_type,
        direction,
        text: None,
        content: Vec::new(),
        events: Vec::new(),
        metadata: BTreeMap::new(),
        originating_entity: None,
        originating_message_id: None,
    }
}

/// A pushed `StructuredMessage` frame (`type:"message"`).
pub fn push(message: StructuredMessage, tracing_id: Option<String>) -> ServerFrame {
    ServerFrame {
        tracing_id,
        ..ServerFrame::message(FrameBody::StructuredMessage(Box::new(message)))
    }
}

/// A `string` error frame, boxed (frames are large; errors travel in `Result`s).
pub fn boxed_error(
    code: ErrorCode,
    text: impl Into<String>,
    tracing_id: Option<String>,
) -> Box<ServerFrame> {
    Box::new(ServerFrame::error(code, text, tracing_id))
}

/// The upload rules every session announces.
pub fn allowed_media(config: &EmulatorConfig) -> AllowedMedia {
    AllowedMedia {
        inbound: Some(InboundMedia {
            file_types: config
                .allowed_media
                .iter()
                .map(|pattern| AllowedMediaType {
                    mime_pattern: pattern.clone(),
                })
                .collect(),
            max_file_size_kb: Some(u64::from(config.max_file_size_kb)),
        }),
    }
}

/// The `SessionResponse` for a (re)configured or closed session.
pub fn session_response(
    config: &EmulatorConfig,
    connected: bool,
    new_session: bool,
    read_only: bool,
    expiration_epoch_secs: u64,
) -> SessionResponse {
    SessionResponse {
        connected,
        new_session,
        read_only,
        cleared_existing_session: false,
        allowed_media: Some(allowed_media(config)),
        blocked_extensions: config.blocked_extensions.clone(),
        max_custom_data_bytes: Some(config.max_custom_data_bytes as u64),
        duration_seconds: Some(config.session_ttl.as_secs()),
        expiration_date: Some(expiration_epoch_secs),
        auto_started: None,
    }
}

/// The 429 answer to a send over the rate limit.
pub fn rate_limited(retry_after_secs: u64, tracing_id: Option<String>) -> ServerFrame {
    ServerFrame {
        frame_type: FrameType::Response,
        code: ErrorCode::TooManyRequests.code(),
        tracing_id,
        body: FrameBody::TooManyRequestsErrorMessage(TooManyRequestsErrorMessage {
            retry_after: retry_after_secs,
            error_code: Some(ErrorCode::RequestRateTooHigh.code()),
            error_message: Some("Message rate too high for this session".to_owned()),
        }),
    }
}

/// Epoch seconds `remaining` from `now_ms`.
pub fn epoch_secs_after(now_ms: u64, remaining: Duration) -> u64 {
    (now_ms / 1000).saturating_add(remaining.as_secs())
}

/// `GenerateUrlError` (pushed, code 200, as in the transport's fixtures).
pub fn generate_url_error(id: &str, code: ErrorCode, tracing_id: Option<String>) -> ServerFrame {
    ServerFrame {
        tracing_id,
        ..ServerFrame::message(FrameBody::GenerateUrlError(GenerateUrlError {
            attachment_id: id.to_owned(),
            error_code: code.code(),
            error_message: code.meaning().to_owned(),
        }))
    }
}

/// The `PresignedUrlResponse` answering `onAttachment`: where to PUT, and the header to repeat.
pub fn upload_url(
    id: &str,
    request: &OnAttachment,
    url: String,
    tagging: String,
    tracing_id: Option<String>,
) -> ServerFrame {
    let body = PresignedUrlResponse {
        attachment_id: id.to_owned(),
        headers: BTreeMap::from([(TAGGING_HEADER.to_owned(), tagging)]),
        url,
        file_name: Some(request.file_name.clone()),
        file_size: Some(request.file_size),
        file_type: Some(request.file_type.clone()),
    };
    ServerFrame::response(FrameBody::PresignedUrlResponse(body), tracing_id)
}

/// The `PresignedUrlResponse` answering `getAttachment`: a download URL, empty headers.
pub fn download_url(attachment: Attachment, tracing_id: Option<String>) -> ServerFrame {
    let body = PresignedUrlResponse {
        attachment_id: attachment.id,
        headers: BTreeMap::new(),
        url: attachment.url.unwrap_or_default(),
        file_name: attachment.filename,
        file_size: attachment.file_size,
        file_type: attachment.mime,
    };
    ServerFrame::response(FrameBody::PresignedUrlResponse(body), tracing_id)
}

/// `AttachmentDeletedResponse` (pushed, as in the transport's fixtures, with the tracingId).
pub fn deleted(id: &str, tracing_id: Option<String>) -> ServerFrame {
    ServerFrame {
        tracing_id,
        ..ServerFrame::message(FrameBody::AttachmentDeletedResponse(
            AttachmentDeletedResponse {
                attachment_id: id.to_owned(),
            },
        ))
    }
}

/// `UploadSuccessEvent` after a PUT.
pub fn upload_success(emulator: &Emulator, id: &str, download_url: String) -> ServerFrame {
    ServerFrame::message(FrameBody::UploadSuccessEvent(UploadSuccessEvent {
        attachment_id: id.to_owned(),
        download_url,
        timestamp: Some(emulator.wall().now_rfc3339()),
    }))
}

/// `UploadFailureEvent` after a refused PUT.
pub fn upload_failure(emulator: &Emulator, id: &str, code: ErrorCode) -> ServerFrame {
    ServerFrame::message(FrameBody::UploadFailureEvent(UploadFailureEvent {
        attachment_id: id.to_owned(),
        error_code: code.code(),
        error_message: code.meaning().to_owned(),
        timestamp: Some(emulator.wall().now_rfc3339()),
    }))
}
