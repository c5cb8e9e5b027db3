//! What the engine asks its driver to do. Effects are executed in the order they are polled.

use std::collections::BTreeMap;

use crate::genesys::{ClientRequest, HistoryQuery};

use super::Millis;
use super::outbox::PendingMessage;

/// Identifies one WebSocket the engine asked for. Every socket input names the socket it comes
/// from, so that events of a socket the engine already gave up on (a late close, a frame still
/// in flight) cannot be mistaken for events of its successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketId(pub u64);

/// One thing for the driver to do. Its `Debug` output hides tokens, JWTs and request bodies
/// (see the `redact` module), so effects may be logged.
#[derive(Clone, PartialEq, Eq)]
pub enum Effect {
    /// Obtain a session grant (Parley server: `POST /api/session`, body carrying
    /// `resume_token` when present) and answer with [`super::Input::SessionGranted`] or
    /// [`super::Input::SessionRefused`].
    RequestSession {
        /// The token of the session to resume, if any.
        resume_token: Option<String>,
    },
    /// Open a WebSocket to `url` (verbatim) and report it as `socket`:
    /// [`super::Input::SocketOpened`], then frames, then [`super::Input::SocketClosed`] (also
    /// when opening fails).
    OpenSocket {
        /// The id to tag this socket's inputs with.
        socket: SocketId,
        /// The guest WebSocket URL from the grant.
        url: String,
    },
    /// Close `socket` (code 1000). The engine already considers it gone: its close event may
    /// still be reported and is ignored.
    CloseSocket {
        /// The socket to close.
        socket: SocketId,
    },
    /// Serialise `request` (`ClientRequest::to_json`) and send it as one text frame on
    /// `socket`. If that socket is not open any more, drop it: the engine resends what matters.
    Send {
        /// The socket to send on.
        socket: SocketId,
        /// The request.
        request: ClientRequest,
    },
    /// `GET query.url(api_base_url)` with `Authorization: bearer <jwt>` and answer with
    /// [`super::Input::HistoryReceived`] or [`super::Input::HistoryFailed`].
    FetchHistory {
        /// The grant's API base URL.
        api_base_url: String,
        /// The guest JWT (a secret: never log it).
        jwt: String,
        /// Which page.
        query: HistoryQuery,
    },
    /// Call back with [`super::Input::TimerFired`] at `at` (driver clock, ms), replacing any
    /// timer armed before. `at` may already be past: fire as soon as possible.
    ArmTimer {
        /// The deadline.
        at: Millis,
    },
    /// Store the session token (e.g. `localStorage`) so a reload can resume the conversation.
    /// A secret: never log it.
    PersistToken {
        /// The token.
        token: String,
    },
    /// Delete the stored token: the session is dead and must not be resumed.
    ForgetToken,
    /// Store these guest messages (replacing what was stored) so that a reload, a navigation
    /// or a crash cannot lose them: hand them back in [`super::EngineConfig::restored_outbox`]
    /// with the token stored next to them. Emitted whenever the set of unconfirmed messages or
    /// the token changes, always before the `Send` and the `ViewChanged` that show and send a
    /// new message; empty when nothing is unconfirmed (delete the stored copy). Message text is
    /// the visitor's: keep it with the token, never in a log.
    PersistOutbox {
        /// The session the messages belong to (`None` before the first grant or after expiry:
        /// they go to whatever session comes next). A secret: never log it.
        token: Option<String>,
        /// The messages, oldest first.
        messages: Vec<PendingMessage>,
    },
    /// `PUT` the bytes of the file attached as `attachment_id` to `url` with exactly these
    /// `headers` (the driver kept the bytes under the id [`super::Engine::attach`] returned).
    /// Report progress with [`super::Input::UploadProgress`] and a failure with
    /// [`super::Input::UploadFailed`]; success comes from the server. The URL and headers are
    /// a credential for this one file: never log them.
    Upload {
        /// Which upload.
        attachment_id: String,
        /// The presigned URL.
        url: String,
        /// Headers to send verbatim (e.g. `x-amz-tagging`).
        headers: BTreeMap<String, String>,
    },
    /// Stop the `PUT` of `attachment_id` if it runs and forget its bytes: the upload failed,
    /// was removed, or its conversation ended.
    AbortUpload {
        /// Which upload.
        attachment_id: String,
    },
    /// Something the UI shows changed; re-read the engine's accessors.
    ViewChanged,
}
