//! Everything that can happen to a conversation, as the driver reports it.

use crate::genesys::{HistoryPage, ServerFrame};

use super::effect::SocketId;

/// A session grant: what the Parley server's `POST /api/session` returns, reduced to what the
/// engine needs. (The headless guest may build one itself when it talks to Genesys directly.)
/// Its `Debug` output hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Grant {
    /// The guest session token: a new one, or the resumed one. A secret: never log it.
    pub token: String,
    /// The guest WebSocket URL, opened verbatim (it carries `?deploymentId=…`).
    pub websocket_url: String,
    /// Base of the REST API for history, e.g. `https://api.mypurecloud.com`.
    pub api_base_url: String,
    /// The deployment the socket is for; when empty, [`super::EngineConfig::deployment_id`]
    /// is used in `configureSession`.
    pub deployment_id: String,
}

impl From<&crate::api::SessionGrant> for Grant {
    fn from(grant: &crate::api::SessionGrant) -> Self {
        Grant {
            token: grant.token.clone(),
            websocket_url: grant.websocket_url.clone(),
            api_base_url: grant.api_base_url.clone(),
            deployment_id: grant.deployment_id.clone(),
        }
    }
}

/// One thing the world reports to [`super::Engine::handle`]: an answer to an effect, a socket
/// event, the timer, the network. (What the *guest* asks for is a method of the engine, which
/// returns what it created or why it was refused; see the module docs.) Its `Debug` output
/// hides tokens and JWTs (a `JwtResponse` frame carries one), so inputs may be logged.
#[derive(Clone, PartialEq)]
pub enum Input {
    /// The driver obtained a grant (answer to [`super::Effect::RequestSession`]).
    SessionGranted(Grant),
    /// The driver could not obtain a grant; the conversation closes with this reason.
    /// [`super::Engine::start_new_chat`] or [`Input::NetworkBack`] try again.
    SessionRefused(String),
    /// The driver's `PUT` of an upload's bytes made progress.
    UploadProgress {
        /// Which upload.
        attachment_id: String,
        /// Bytes sent so far.
        sent: u64,
        /// Bytes in all.
        total: u64,
    },
    /// The driver's `PUT` failed (network error, non-2xx status): the upload fails.
    UploadFailed {
        /// Which upload.
        attachment_id: String,
        /// Why, in words (e.g. `HTTP 403`).
        reason: String,
    },
    /// `socket` is open.
    SocketOpened(SocketId),
    /// `socket` closed or failed to open.
    SocketClosed {
        /// Which socket.
        socket: SocketId,
        /// The close code, if there was a close frame.
        code: Option<u16>,
        /// Whether the close handshake completed.
        clean: bool,
    },
    /// A text frame from `socket` decoded into a [`ServerFrame`] (see [`Input::frame_text`]).
    Frame {
        /// Which socket.
        socket: SocketId,
        /// The frame.
        frame: ServerFrame,
    },
    /// A text frame from `socket` that is not a server frame; it is counted and ignored.
    MalformedFrame {
        /// Which socket.
        socket: SocketId,
        /// Why it did not decode.
        error: String,
    },
    /// A history page arrived (answer to [`super::Effect::FetchHistory`]).
    HistoryReceived(HistoryPage),
    /// A history fetch failed (network, 401, bad JSON). The conversation carries on.
    HistoryFailed(String),
    /// The timer armed by [`super::Effect::ArmTimer`] fired. Spurious calls are harmless.
    TimerFired,
    /// The network came back or the tab became visible: retry a pending reconnect now, or check
    /// a live socket with a heartbeat.
    NetworkBack,
    /// Another tab of the site changed the stored conversation token: this is the token stored
    /// *now* (read when the change is handled, not the value the change carried), `None` when
    /// it was removed. See `tabs` for what the conversation does with it. A secret: never log.
    StoredTokenChanged(Option<String>),
}

impl Input {
    /// Decodes one text frame received on `socket` into [`Input::Frame`], or
    /// [`Input::MalformedFrame`] when it is not a server frame. Never panics.
    pub fn frame_text(socket: SocketId, text: &str) -> Input {
        match serde_json::from_str::<ServerFrame>(text) {
            Ok(frame) => Input::Frame { socket, frame },
            Err(error) => Input::MalformedFrame {
                socket,
                error: error.to_string(),
            },
        }
    }
}

/// Why a guest action was refused before anything was queued. The UI shows it next to the
/// composer; nothing was lost because nothing was accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Empty or whitespace-only text without attachments.
    #[error("the message is empty")]
    Empty,
    /// Longer than the configured maximum (4,000 characters by default).
    #[error("the message is {chars} characters long; the limit is {max}")]
    TooLong {
        /// Characters in the text.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// The conversation is read-only: start a new chat to write again.
    #[error("the conversation has ended; start a new chat to write again")]
    ReadOnly,
    /// There is no live session (not started, expired or closed).
    #[error("there is no conversation; start a new chat")]
    NoSession,
    /// [`super::Engine::retry`] or [`super::Engine::discard`] named a message that is not failed.
    #[error("no failed message with that id")]
    NothingToRetry,
    /// [`super::Engine::attach`]: the session does not accept files of this MIME type.
    #[error("files of type {mime} cannot be sent")]
    FileTypeNotAllowed {
        /// The file's MIME type.
        mime: String,
    },
    /// [`super::Engine::attach`]: files with this extension are blocked.
    #[error("files ending in {extension} cannot be sent")]
    FileExtensionBlocked {
        /// The blocked extension, as the server listed it (e.g. `.exe`).
        extension: String,
    },
    /// [`super::Engine::attach`]: the file is larger than the session allows.
    #[error("the file has {size} bytes; the limit is {max_bytes}")]
    FileTooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The limit in bytes.
        max_bytes: u64,
    },
    /// [`super::Engine::remove_attachment`] named no upload the engine knows.
    #[error("no upload with that id")]
    NoSuchUpload,
    /// [`super::Engine::attach`]: another file is still on its way; one upload at a time.
    #[error("another file is still being sent")]
    UploadInProgress,
    /// [`super::Engine::choose`] named a choice that is not on offer (quick replies of an
    /// older message, a message the transcript does not have, an index out of range).
    #[error("that choice is not on offer")]
    ChoiceNotOffered,
}
