//! The emulator's settings: which deployments exist, how the scripted agent paces itself, the
//! session and upload limits it announces in `SessionResponse`, and the test OAuth client.
//!
//! Everything the emulator decides from configuration is read from one [`EmulatorConfig`], parsed
//! once by the server at start-up (or built by a test) and never changed afterwards; runtime
//! changes go through fault injection instead (see `faults`).

use std::fmt;
use std::time::Duration;

/// The deployment id the emulator accepts out of the box. Any UUID-shaped string works; this one
/// is easy to recognise in logs and URLs.
pub const DEFAULT_DEPLOYMENT_ID: &str = "e0000000-0000-4000-8000-00000000e1a7";

/// The OAuth client id the emulator's `/oauth/token` accepts by default.
pub const DEFAULT_OAUTH_CLIENT_ID: &str = "parley-emulator-client";

/// The OAuth client secret the emulator's `/oauth/token` accepts by default. It guards nothing
/// real: the emulator only issues tokens for its own routing endpoint.
pub const DEFAULT_OAUTH_CLIENT_SECRET: &str = "parley-emulator-secret";

/// Settings of the embedded Genesys emulator. `Default` gives sensible development values.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Deployment ids whose guest sockets and `config.json` the emulator serves; any other id is
    /// refused with 403 (socket) or 404 (config).
    pub deployment_ids: Vec<String>,
    /// Deterministic mode for tests: predictable ids (`emu-msg-000001` …). The agent's delays
    /// are fixed in every mode and nothing else is random, except bearer secrets (JWT
    /// signatures, OAuth tokens, upload tags, download keys).
    pub deterministic: bool,
    /// How long the scripted agent "types" before each reply.
    pub agent_reply_delay: Duration,
    /// The `duration` announced in the agent's Typing events.
    pub typing_duration: Duration,
    /// Inactivity after which a guest session expires (`SessionExpiredEvent`, then error 4006).
    pub session_ttl: Duration,
    /// Close a socket on which the client sent nothing (no frame, no ping) for this long. Genesys's
    /// value is unknown (PROTOCOL.md §1.9); `None` (the default) never closes idle sockets.
    pub socket_idle_timeout: Option<Duration>,
    /// History serves guest messages without the `metadata` they were sent with (the client
    /// message id among it), as a real org might: no official client sends metadata, so whether
    /// Genesys keeps it in history is unproven (PROTOCOL.md). Live echoes keep it either way.
    /// Off by default (history keeps it).
    pub strip_history_metadata: bool,
    /// Guest `onMessage` sends accepted per session in any one-second window (Genesys: 2).
    pub messages_per_second: u32,
    /// MIME patterns guests may upload (`image/*`, `application/pdf`, `*/*` …).
    pub allowed_media: Vec<String>,
    /// Largest upload accepted, in KB (announced as `maxFileSizeKB`).
    pub max_file_size_kb: u32,
    /// File extensions refused whatever their MIME type (`.exe` …), lower case with the dot.
    pub blocked_extensions: Vec<String>,
    /// How many uploaded files the emulator keeps in memory at once; the oldest are forgotten
    /// (error 4008 afterwards), so stored bytes stay below `max_file_size_kb` × this.
    pub max_stored_attachments: usize,
    /// Budget for a message's custom attributes, in bytes of JSON (announced as
    /// `maxCustomDataBytes`); larger → error 4013.
    pub max_custom_data_bytes: usize,
    /// Longest guest text accepted, in characters; longer → error 4011.
    pub max_text_chars: usize,
    /// Client id accepted by `POST /oauth/token`.
    pub oauth_client_id: String,
    /// Client secret accepted by `POST /oauth/token`. Never logged (see the `Debug` impl).
    pub oauth_client_secret: String,
    /// Lifetime of the access tokens `/oauth/token` issues (`expires_in`).
    pub oauth_token_lifetime: Duration,
    /// Lifetime of the guest JWTs `getJwt` issues (`exp`).
    pub jwt_lifetime: Duration,
    /// Base URL (`http://127.0.0.1:8080`) used in presigned upload and download URLs and in
    /// `config.json`. `None` derives it from the request's `Host` header.
    pub public_base_url: Option<String>,
    /// The estimated wait the routing endpoint reports for every queue, in seconds.
    pub estimated_wait_seconds: u64,
    /// Whether the control endpoints (`/emulator/faults`, transcripts, stats) exist at all.
    /// Parley turns them off when it has a public URL (it is exposed) unless told otherwise.
    pub control_endpoints: bool,
    /// Browser origins allowed to open guest sockets and call history and upload; `None`
    /// checks nothing (the emulator on its own, in tests). See `access::OriginCheck`.
    pub allowed_origins: Option<Vec<String>>,
    /// Frames queued for one connection before it is closed as too slow a reader.
    pub max_queued_frames: usize,
    /// Longest time one frame write may take before the connection is dropped.
    pub write_timeout: Duration,
    /// Live sessions kept at once; a new token beyond it is answered 429.
    pub max_sessions: usize,
    /// Guest JWTs kept per session; older ones of that session stop working.
    pub max_jwts_per_session: usize,
    /// Log entries (messages and events) kept per session, the oldest forgotten first.
    pub max_log_entries: usize,
    /// Bytes of log (as JSON) kept per session, the oldest entries forgotten first: with
    /// `max_sessions`, this bounds what sessions kept for their TTL after their guests left
    /// can cost, whatever the guests sent.
    pub max_log_bytes: usize,
    /// Budget for a guest message's `metadata`, `events` and button responses together, in
    /// bytes of JSON; larger → 400 before anything is logged or echoed.
    pub max_structured_bytes: usize,
    /// A JSON object deep-merged over the default `config.json` document (objects merge key
    /// by key, every other value replaces), so tests and developers can change any Messenger
    /// setting (`PARLEY_EMULATOR_DEPLOYMENT_CONFIG`). `None` serves the default document.
    pub deployment_config_overlay: Option<serde_json::Value>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            deployment_ids: vec![DEFAULT_DEPLOYMENT_ID.to_owned()],
            deterministic: false,
            agent_reply_delay: Duration::from_millis(900),
            typing_duration: Duration::from_millis(3000),
            session_ttl: Duration::from_secs(30 * 60),
            socket_idle_timeout: None,
            strip_history_metadata: false,
            messages_per_second: 2,
            allowed_media: [
                "image/png",
                "image/jpeg",
                "image/gif",
                "image/webp",
                "application/pdf",
                "text/plain",
            ]
            .map(String::from)
            .to_vec(),
            max_file_size_kb: 10 * 1024,
            blocked_extensions: [
                ".ade", ".adp", ".bat", ".cmd", ".com", ".exe", ".hta", ".js", ".msi", ".scr",
                ".vbs", ".html", ".htm", ".svg",
            ]
            .map(String::from)
            .to_vec(),
            max_stored_attachments: 16,
            max_custom_data_bytes: 2048,
            max_text_chars: 4000,
            oauth_client_id: DEFAULT_OAUTH_CLIENT_ID.to_owned(),
            oauth_client_secret: DEFAULT_OAUTH_CLIENT_SECRET.to_owned(),
            oauth_token_lifetime: Duration::from_secs(86_400),
            jwt_lifetime: Duration::from_secs(3600),
            public_base_url: None,
            estimated_wait_seconds: 42,
            control_endpoints: true,
            allowed_origins: None,
            max_queued_frames: 256,
            write_timeout: Duration::from_secs(10),
            max_sessions: 100_000,
            max_jwts_per_session: 8,
            max_log_entries: 1000,
            max_log_bytes: 256 * 1024,
            max_structured_bytes: 8 * 1024,
            deployment_config_overlay: None,
        }
    }
}

impl EmulatorConfig {
    /// Settings for tests: deterministic, no agent delay, everything else as `Default`.
    pub fn deterministic() -> Self {
        Self {
            deterministic: true,
            agent_reply_delay: Duration::ZERO,
            ..Self::default()
        }
    }

    /// The upload size limit in bytes.
    pub fn max_file_size_bytes(&self) -> u64 {
        u64::from(self.max_file_size_kb) * 1024
    }

    /// True when `deployment_id` is one the emulator serves.
    pub fn knows_deployment(&self, deployment_id: &str) -> bool {
        self.deployment_ids
            .iter()
            .any(|known| known == deployment_id)
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("deployment_ids", &self.deployment_ids)
            .field("deterministic", &self.deterministic)
            .field("agent_reply_delay", &self.agent_reply_delay)
            .field("typing_duration", &self.typing_duration)
            .field("session_ttl", &self.session_ttl)
            .field("socket_idle_timeout", &self.socket_idle_timeout)
            .field("strip_history_metadata", &self.strip_history_metadata)
            .field("messages_per_second", &self.messages_per_second)
            .field("allowed_media", &self.allowed_media)
            .field("max_file_size_kb", &self.max_file_size_kb)
            .field("blocked_extensions", &self.blocked_extensions)
            .field("max_stored_attachments", &self.max_stored_attachments)
            .field("max_custom_data_bytes", &self.max_custom_data_bytes)
            .field("max_text_chars", &self.max_text_chars)
            .field("oauth_client_id", &self.oauth_client_id)
            .field("oauth_client_secret", &"[redacted]")
            .field("oauth_token_lifetime", &self.oauth_token_lifetime)
            .field("jwt_lifetime", &self.jwt_lifetime)
            .field("public_base_url", &self.public_base_url)
            .field("estimated_wait_seconds", &self.estimated_wait_seconds)
            .field("control_endpoints", &self.control_endpoints)
            .field("allowed_origins", &self.allowed_origins)
            .field("max_queued_frames", &self.max_queued_frames)
            .field("write_timeout", &self.write_timeout)
            .field("max_sessions", &self.max_sessions)
            .field("max_jwts_per_session", &self.max_jwts_per_session)
            .field("max_log_entries", &self.max_log_entries)
            .field("max_log_bytes", &self.max_log_bytes)
            .field("max_structured_bytes", &self.max_structured_bytes)
            .field("deployment_config_overlay", &self.deployment_config_overlay)
            .finish()
    }
}
