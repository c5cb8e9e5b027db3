//! Parley's own HTTP API between the browser (or headless guest) and parley-server.
//!
//! The client asks the server for a session grant (`POST /api/session`) and then talks to
//! Genesys (or the emulator) directly with what the grant says: which socket to open, which API
//! base to fetch history from, and which guest token identifies the conversation. Nothing here
//! is secret: the server keeps its OAuth credentials to itself and only hands out what a browser
//! may see. All bodies are JSON with camelCase field names.

use serde::{Deserialize, Serialize};

use crate::genesys::{MAX_TEXT_CHARS, MAX_TOKEN_CHARS};

mod window_config;

pub use window_config::{
    Accent, ConversationDisconnect, DEFAULT_LANGUAGE, DEFAULT_MAX_FILE_SIZE_KB, DeploymentStatus,
    DisconnectMode, Humanize, LauncherVisibility, MAX_BOT_NAME_CHARS, Mapped, UploadMode,
    WindowConfig,
};

/// Body of `POST /api/session`. An empty object asks for a fresh session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionGrantRequest {
    /// The guest token of a session the client wants to resume (e.g. read back from storage
    /// after a page reload). The server echoes it back when it is well formed
    /// ([`is_valid_guest_token`]) and issues a fresh token otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<String>,
}

/// Answer to `POST /api/session`: everything a client needs to open a guest conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionGrant {
    /// The guest session token to send in every `configureSession` / request frame. It *is* the
    /// guest's identity towards Genesys, so the client should persist it to resume later.
    pub token: String,
    /// Full guest WebSocket URL including the `deploymentId` query parameter,
    /// e.g. `wss://webmessaging.mypurecloud.com/v1?deploymentId=…`.
    pub websocket_url: String,
    /// Base URL for the guest REST calls (history), e.g. `https://api.mypurecloud.com`,
    /// without a trailing slash.
    pub api_base_url: String,
    /// The Messenger deployment the socket is opened for.
    pub deployment_id: String,
    /// What the client UI may offer.
    pub features: Features,
    /// Queue availability, present only when the server is configured with a queue and OAuth
    /// credentials and could ask Genesys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
    /// The Messenger deployment's settings for the window (also served by `GET /api/config`).
    /// Absent from servers that predate it and while the server has not yet read the
    /// deployment's `config.json` (the first moments after start-up); a client then asks
    /// `GET /api/config` or uses [`WindowConfig::default`]. Never delays or fails a grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_config: Option<WindowConfig>,
}

/// Capabilities the client may use. These are Parley's UI switches; the deployment's own
/// limits (e.g. `allowedMedia` in the `SessionResponse`) still apply on top.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Features {
    /// Show the agent's typing indicator and send the guest's typing events (throttled).
    pub typing_indicators: bool,
    /// Offer file attachments (upload through the presigned URL flow).
    pub attachments: bool,
    /// Longest guest text message, in characters. Longer input is refused by the client rather
    /// than rejected by Genesys (error 4011).
    pub max_message_length: u32,
}

impl Features {
    /// Longest guest message Parley sends: [`MAX_TEXT_CHARS`] (4000), the limit Genesys
    /// documents for web messaging replies.
    pub const MAX_MESSAGE_LENGTH: u32 = MAX_TEXT_CHARS as u32;
}

impl Default for Features {
    fn default() -> Self {
        Self {
            typing_indicators: true,
            attachments: true,
            max_message_length: Self::MAX_MESSAGE_LENGTH,
        }
    }
}

/// Queue availability at the time of the grant.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Availability {
    /// Genesys' estimated wait time for the configured queue, in seconds, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_wait_seconds: Option<u32>,
}

/// Body of every error answer from parley-server. `error` is a stable machine-readable code
/// (e.g. `rate_limited`, `origin_not_allowed`); `message` is for humans and may change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorBody {
    /// Stable error code.
    pub error: String,
    /// Human-readable explanation.
    pub message: String,
}

/// Whether `token` is acceptable as a guest session token: non-empty, at most
/// [`MAX_TOKEN_CHARS`] characters, and only characters that are safe in URLs, headers and
/// logs (ASCII letters, digits, `-`, `_`, `.`, `~`). Genesys itself accepts any string, but a
/// token Parley hands back must never carry markup or control characters.
pub fn is_valid_guest_token(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= MAX_TOKEN_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_serialises_in_camel_case_without_absent_availability() {
        let grant = SessionGrant {
            token: "t".into(),
            websocket_url: "ws://h/v1?deploymentId=d".into(),
            api_base_url: "http://h".into(),
            deployment_id: "d".into(),
            features: Features::default(),
            availability: None,
            window_config: None,
        };
        let json = serde_json::to_value(&grant).unwrap();
        assert_eq!(json["websocketUrl"], "ws://h/v1?deploymentId=d");
        assert_eq!(json["apiBaseUrl"], "http://h");
        assert_eq!(json["deploymentId"], "d");
        assert_eq!(json["features"]["maxMessageLength"], 4000);
        assert_eq!(json["features"]["typingIndicators"], true);
        assert!(json.get("availability").is_none());
        assert!(json.get("windowConfig").is_none());
    }

    #[test]
    fn grants_without_a_window_config_still_decode() {
        let old = r#"{"token":"t","websocketUrl":"ws://h/v1","apiBaseUrl":"http://h",
            "deploymentId":"d","features":{"typingIndicators":true,"attachments":true,
            "maxMessageLength":4000}}"#;
        let grant: SessionGrant = serde_json::from_str(old).unwrap();
        assert_eq!(grant.window_config, None);
    }

    #[test]
    fn availability_serialises_estimated_wait_seconds() {
        let json = serde_json::to_value(Availability {
            estimated_wait_seconds: Some(42),
        })
        .unwrap();
        assert_eq!(json, serde_json::json!({"estimatedWaitSeconds": 42}));
    }

    #[test]
    fn empty_request_body_means_no_resume() {
        let req: SessionGrantRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(req.resume, None);
    }

    #[test]
    fn guest_token_validation_accepts_uuids_and_rejects_unsafe_or_oversized() {
        assert!(is_valid_guest_token("3f2c1a9e-0000-4000-8000-000000000000"));
        assert!(is_valid_guest_token(&"a".repeat(MAX_TOKEN_CHARS)));
        assert!(!is_valid_guest_token(""));
        assert!(!is_valid_guest_token(&"a".repeat(MAX_TOKEN_CHARS + 1)));
        assert!(!is_valid_guest_token("<script>"));
        assert!(!is_valid_guest_token("with space"));
        assert!(!is_valid_guest_token("line\nbreak"));
        assert!(!is_valid_guest_token("ünïcode"));
    }
}
