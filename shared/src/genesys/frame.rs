//! Server frames (PROTOCOL.md §1.3, §1.5): the envelope `{type, class, code, body, tracingId}`
//! and its typed bodies.
//!
//! Decoding is two-step, as the Kotlin transport does it: the envelope first, with the body
//! kept raw, then a dispatch on `class`. A frame whose envelope decodes is never lost: an unknown
//! class becomes [`FrameBody::Unknown`] and a known class whose body does not match its schema
//! becomes [`FrameBody::Undecodable`], both keeping the raw body. Only text that is not an
//! envelope at all (not JSON, no `class`) fails `serde_json::from_str::<ServerFrame>`.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::content::AllowedMediaType;
use super::error::ErrorCode;
use super::lenient;
use super::message::StructuredMessage;

/// Whether a frame answers a request (`response`) or is pushed (`message`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FrameType {
    /// A direct answer to a request.
    Response,
    /// An unsolicited push.
    #[default]
    Message,
}

/// A decoded server frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerFrame {
    /// `response` or `message`. Clients should dispatch on the body, not on this.
    pub frame_type: FrameType,
    /// 200 on success, otherwise an HTTP-like or 4xxx code (see [`ErrorCode`]).
    pub code: u16,
    /// The request's tracingId when the frame answers (or echoes) a request.
    pub tracing_id: Option<String>,
    /// The typed body, chosen by `class`.
    pub body: FrameBody,
}

/// The body of a frame, one variant per `class` (variant names are the class names).
#[derive(Debug, Clone, PartialEq)]
pub enum FrameBody {
    /// Answer to configureSession / closeSession.
    SessionResponse(SessionResponse),
    /// A conversation message or event, an echo of the guest's own message, or an echo reply.
    StructuredMessage(Box<StructuredMessage>),
    /// Answer to getJwt.
    JwtResponse(JwtResponse),
    /// Answer to onAttachment / getAttachment.
    PresignedUrlResponse(PresignedUrlResponse),
    /// An upload finished.
    UploadSuccessEvent(UploadSuccessEvent),
    /// An upload failed.
    UploadFailureEvent(UploadFailureEvent),
    /// No upload URL could be generated.
    GenerateUrlError(GenerateUrlError),
    /// Answer to deleteAttachment.
    AttachmentDeletedResponse(AttachmentDeletedResponse),
    /// The message rate was exceeded; retry after `retry_after` seconds.
    TooManyRequestsErrorMessage(TooManyRequestsErrorMessage),
    /// The session expired; the token is dead.
    SessionExpiredEvent,
    /// The conversation was cleared.
    SessionClearedEvent,
    /// Another connection or event closed this one; do not reconnect.
    ConnectionClosedEvent(ConnectionClosedEvent),
    /// An authenticated guest logged out elsewhere.
    LogoutEvent,
    /// Answer to getConfiguration.
    GetConfigurationResponse(GetConfigurationResponse),
    /// Answer to the schema-only resumeToken action.
    ResumeTokenResponse(ResumeTokenResponse),
    /// Class `Error` (schema only; never seen in fixtures).
    ErrorMessage(ErrorMessage),
    /// Class `string`: an error whose text is the body; the code is the frame's `code`.
    Error(String),
    /// A class this version does not know.
    Unknown {
        /// The class name.
        class: String,
        /// The raw body.
        body: Value,
    },
    /// A known class whose body did not match its schema.
    Undecodable {
        /// The class name.
        class: String,
        /// Why it did not decode.
        reason: String,
        /// The raw body.
        body: Value,
    },
}

impl FrameBody {
    /// The `class` string this body travels under.
    pub fn class(&self) -> &str {
        match self {
            FrameBody::SessionResponse(_) => "SessionResponse",
            FrameBody::StructuredMessage(_) => "StructuredMessage",
            FrameBody::JwtResponse(_) => "JwtResponse",
            FrameBody::PresignedUrlResponse(_) => "PresignedUrlResponse",
            FrameBody::UploadSuccessEvent(_) => "UploadSuccessEvent",
            FrameBody::UploadFailureEvent(_) => "UploadFailureEvent",
            FrameBody::GenerateUrlError(_) => "GenerateUrlError",
            FrameBody::AttachmentDeletedResponse(_) => "AttachmentDeletedResponse",
            FrameBody::TooManyRequestsErrorMessage(_) => "TooManyRequestsErrorMessage",
            FrameBody::SessionExpiredEvent => "SessionExpiredEvent",
            FrameBody::SessionClearedEvent => "SessionClearedEvent",
            FrameBody::ConnectionClosedEvent(_) => "ConnectionClosedEvent",
            FrameBody::LogoutEvent => "LogoutEvent",
            FrameBody::GetConfigurationResponse(_) => "GetConfigurationResponse",
            FrameBody::ResumeTokenResponse(_) => "ResumeTokenResponse",
            FrameBody::ErrorMessage(_) => "Error",
            FrameBody::Error(_) => "string",
            FrameBody::Unknown { class, .. } | FrameBody::Undecodable { class, .. } => class,
        }
    }

    fn decode(class: &str, body: Value) -> FrameBody {
        fn typed<T: DeserializeOwned>(
            class: &str,
            body: Value,
            wrap: impl FnOnce(T) -> FrameBody,
        ) -> FrameBody {
            match T::deserialize(&body) {
                Ok(decoded) => wrap(decoded),
                Err(error) => FrameBody::Undecodable {
                    class: class.to_owned(),
                    reason: error.to_string(),
                    body,
                },
            }
        }
        match class {
            "SessionResponse" => typed(class, body, FrameBody::SessionResponse),
            "StructuredMessage" => typed(class, body, |message| {
                FrameBody::StructuredMessage(Box::new(message))
            }),
            "JwtResponse" => typed(class, body, FrameBody::JwtResponse),
            "PresignedUrlResponse" => typed(class, body, FrameBody::PresignedUrlResponse),
            "UploadSuccessEvent" => typed(class, body, FrameBody::UploadSuccessEvent),
            "UploadFailureEvent" => typed(class, body, FrameBody::UploadFailureEvent),
            "GenerateUrlError" => typed(class, body, FrameBody::GenerateUrlError),
            "AttachmentDeletedResponse" => typed(class, body, FrameBody::AttachmentDeletedResponse),
            "TooManyRequestsErrorMessage" => {
                typed(class, body, FrameBody::TooManyRequestsErrorMessage)
            }
            "SessionExpiredEvent" => FrameBody::SessionExpiredEvent,
            "SessionClearedEvent" => FrameBody::SessionClearedEvent,
            "ConnectionClosedEvent" => typed(class, body, FrameBody::ConnectionClosedEvent),
            "LogoutEvent" => FrameBody::LogoutEvent,
            "GetConfigurationResponse" => typed(class, body, FrameBody::GetConfigurationResponse),
            "ResumeTokenResponse" => typed(class, body, FrameBody::ResumeTokenResponse),
            "Error" => typed(class, body, FrameBody::ErrorMessage),
            "string" => match body {
                Value::String(text) => FrameBody::Error(text),
                Value::Null => FrameBody::Error(String::new()),
                other => FrameBody::Error(other.to_string()),
            },
            _ => FrameBody::Unknown {
                class: class.to_owned(),
                body,
            },
        }
    }

    fn encode(&self) -> Result<Value, serde_json::Error> {
        let empty = || Ok(Value::Object(serde_json::Map::new()));
        match self {
            FrameBody::SessionResponse(body) => serde_json::to_value(body),
            FrameBody::StructuredMessage(body) => serde_json::to_value(body),
            FrameBody::JwtResponse(body) => serde_json::to_value(body),
            FrameBody::PresignedUrlResponse(body) => serde_json::to_value(body),
            FrameBody::UploadSuccessEvent(body) => serde_json::to_value(body),
            FrameBody::UploadFailureEvent(body) => serde_json::to_value(body),
            FrameBody::GenerateUrlError(body) => serde_json::to_value(body),
            FrameBody::AttachmentDeletedResponse(body) => serde_json::to_value(body),
            FrameBody::TooManyRequestsErrorMessage(body) => serde_json::to_value(body),
            FrameBody::SessionExpiredEvent
            | FrameBody::SessionClearedEvent
            | FrameBody::LogoutEvent => empty(),
            FrameBody::ConnectionClosedEvent(body) => serde_json::to_value(body),
            FrameBody::GetConfigurationResponse(body) => serde_json::to_value(body),
            FrameBody::ResumeTokenResponse(body) => serde_json::to_value(body),
            FrameBody::ErrorMessage(body) => serde_json::to_value(body),
            FrameBody::Error(text) => Ok(Value::String(text.clone())),
            FrameBody::Unknown { body, .. } | FrameBody::Undecodable { body, .. } => {
                Ok(body.clone())
            }
        }
    }
}

impl ServerFrame {
    /// A `type:"response"` frame with code 200 answering the request traced by `tracing_id`.
    pub fn response(body: FrameBody, tracing_id: Option<String>) -> ServerFrame {
        ServerFrame {
            frame_type: FrameType::Response,
            code: 200,
            tracing_id,
            body,
        }
    }

    /// A pushed `type:"message"` frame with code 200.
    pub fn message(body: FrameBody) -> ServerFrame {
        ServerFrame {
            frame_type: FrameType::Message,
            code: 200,
            tracing_id: None,
            body,
        }
    }

    /// A `string` error frame: `{"type":"response","class":"string","code":…,"body":"…"}`.
    pub fn error(code: ErrorCode, text: impl Into<String>, tracing_id: Option<String>) -> Self {
        ServerFrame {
            frame_type: FrameType::Response,
            code: code.code(),
            tracing_id,
            body: FrameBody::Error(text.into()),
        }
    }

    /// The known error code of this frame (its `code` when not 200; a rate-limit frame is 429).
    /// `None` for successes and unknown codes.
    pub fn error_code(&self) -> Option<ErrorCode> {
        if self.code == 200 {
            return None;
        }
        ErrorCode::from_code(self.code)
    }

    /// The frame as JSON text, exactly as the server sends it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a frame always serialises")
    }
}

#[derive(Deserialize)]
struct RawEnvelope {
    #[serde(rename = "type", default)]
    frame_type: Option<FrameType>,
    class: String,
    #[serde(default)]
    code: Option<u16>,
    #[serde(default)]
    body: Value,
    #[serde(rename = "tracingId", default)]
    tracing_id: Option<String>,
}

impl<'de> Deserialize<'de> for ServerFrame {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawEnvelope::deserialize(deserializer)?;
        Ok(ServerFrame {
            frame_type: raw.frame_type.unwrap_or_default(),
            code: raw.code.unwrap_or(200),
            tracing_id: raw.tracing_id,
            body: FrameBody::decode(&raw.class, raw.body),
        })
    }
}

impl Serialize for ServerFrame {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Envelope<'a> {
            #[serde(rename = "type")]
            frame_type: FrameType,
            class: &'a str,
            code: u16,
            body: Value,
            #[serde(rename = "tracingId", skip_serializing_if = "Option::is_none")]
            tracing_id: Option<&'a str>,
        }
        Envelope {
            frame_type: self.frame_type,
            class: self.body.class(),
            code: self.code,
            body: self.body.encode().map_err(serde::ser::Error::custom)?,
            tracing_id: self.tracing_id.as_deref(),
        }
        .serialize(serializer)
    }
}

/// What a deployment lets guests upload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundMedia {
    /// Accepted MIME patterns.
    #[serde(default, deserialize_with = "lenient::vec_or_null")]
    pub file_types: Vec<AllowedMediaType>,
    /// The size limit in KiB.
    #[serde(
        rename = "maxFileSizeKB",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub max_file_size_kb: Option<u64>,
}

impl InboundMedia {
    /// Whether a file of `mime` type is accepted.
    pub fn accepts(&self, mime: &str) -> bool {
        self.file_types.iter().any(|rule| rule.matches(mime))
    }
}

/// Upload rules of a session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedMedia {
    /// Guest → contact centre uploads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound: Option<InboundMedia>,
}

/// Answer to configureSession (and to closeSession, with `connected:false`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionResponse {
    /// False only after closeSession.
    #[serde(default)]
    pub connected: bool,
    /// True when the token had no conversation yet; false when one was resumed.
    #[serde(default)]
    pub new_session: bool,
    /// The conversation was disconnected read-only; sending needs a new chat (`startNew`).
    #[serde(default)]
    pub read_only: bool,
    /// An existing authenticated session was cleared.
    #[serde(default)]
    pub cleared_existing_session: bool,
    /// Upload rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_media: Option<AllowedMedia>,
    /// Blocked file extensions (`.exe`, …).
    #[serde(
        default,
        deserialize_with = "lenient::vec_or_null",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub blocked_extensions: Vec<String>,
    /// Byte budget for custom attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_custom_data_bytes: Option<u64>,
    /// Inactivity TTL of the guest session, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    /// When the session expires, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<u64>,
    /// Schema only; meaning unverified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_started: Option<bool>,
}

/// Answer to getJwt: a bearer token for the history endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtResponse {
    /// The JWT.
    pub jwt: String,
    /// Expiry, epoch seconds.
    #[serde(default)]
    pub exp: u64,
}

/// Where to PUT an upload (or the refreshed download URL for getAttachment).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresignedUrlResponse {
    /// The attachment id.
    #[serde(default)]
    pub attachment_id: String,
    /// Headers the PUT must carry verbatim; empty for a getAttachment answer.
    #[serde(default, deserialize_with = "lenient::string_map")]
    pub headers: BTreeMap<String, String>,
    /// The presigned URL.
    #[serde(default)]
    pub url: String,
    /// File name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    /// MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
}

/// An upload finished.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadSuccessEvent {
    /// The attachment id.
    #[serde(default)]
    pub attachment_id: String,
    /// Where the file can be downloaded.
    #[serde(default)]
    pub download_url: String,
    /// When, ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// An upload failed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadFailureEvent {
    /// The attachment id.
    #[serde(default)]
    pub attachment_id: String,
    /// A 4xxx code (see [`ErrorCode`]).
    #[serde(default)]
    pub error_code: u16,
    /// Why.
    #[serde(default)]
    pub error_message: String,
    /// When, ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// No upload URL could be generated (type, size or name rejected).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateUrlError {
    /// The attachment id.
    #[serde(default)]
    pub attachment_id: String,
    /// A 4xxx code (see [`ErrorCode`]).
    #[serde(default)]
    pub error_code: u16,
    /// Why.
    #[serde(default)]
    pub error_message: String,
}

/// Answer to deleteAttachment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentDeletedResponse {
    /// The deleted attachment's id.
    #[serde(default)]
    pub attachment_id: String,
}

/// 429: the message was refused; send it again after `retry_after` seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TooManyRequestsErrorMessage {
    /// Seconds to wait.
    #[serde(default)]
    pub retry_after: u64,
    /// 4029.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u16>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// This connection was closed by the server; do not reconnect. The transport calls the field
/// `reason`, the Java schema `reasonCode`: both are accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionClosedEvent {
    /// `signedIn`, or another reason; absent when the server gives none.
    #[serde(default, alias = "reasonCode", skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Answer to getConfiguration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetConfigurationResponse {
    /// Upload rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_media: Option<AllowedMedia>,
    /// Blocked file extensions.
    #[serde(
        default,
        deserialize_with = "lenient::vec_or_null",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub blocked_extensions: Vec<String>,
    /// Byte budget for custom attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_custom_data_bytes: Option<u64>,
    /// Whether messages are routed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_routing_enabled: Option<bool>,
    /// Guest session TTL in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_duration_seconds: Option<u64>,
}

/// Answer to the schema-only resumeToken action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeTokenResponse {
    /// The resume token.
    #[serde(default)]
    pub resume_token: String,
    /// Expiry, epoch seconds.
    #[serde(default)]
    pub exp: u64,
}

/// Class `Error` body (schema only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorMessage {
    /// Error name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A 4xxx code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u16>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}
