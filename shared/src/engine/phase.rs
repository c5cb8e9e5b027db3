//! Where the conversation's connection stands, as the UI shows it (a status line, a disabled
//! composer, a "start new chat" button).
//!
//! ```text
//! Idle ─Start─▶ RequestingSession ─grant─▶ Connecting ─open─▶ Configuring ─SessionResponse─▶ Ready
//!                                              ▲                                  │ readOnly      │ unexpected close,
//!                                              └──── Reconnecting{attempt, at} ◀──┼───────────────┘ dead heartbeat
//!                                                                                 ▼
//!   Ended (read-only: history readable, sends refused) · Expired (token dead) · Closed(reason)
//! ```
//!
//! From `Ended`, `Expired` and `Closed`, [`super::Engine::start_new_chat`] begins a new
//! conversation; nothing else leaves them.

use super::Millis;

/// The connection phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Constructed, not started.
    Idle,
    /// Waiting for the driver to obtain a session grant ([`super::Effect::RequestSession`]).
    RequestingSession,
    /// The socket is opening.
    Connecting,
    /// `configureSession` sent; waiting for the `SessionResponse`.
    Configuring,
    /// Configured and live: messages flow.
    Ready,
    /// The socket dropped; the next attempt (number `attempt`, from 1) opens at `at`.
    Reconnecting {
        /// How many attempts in a row this is.
        attempt: u32,
        /// When the socket will be opened again (driver clock, ms).
        at: Millis,
    },
    /// The agent or flow ended the conversation read-only, or the guest ended it
    /// ([`super::Engine::end_chat`], token forgotten): the transcript stays readable, sends are
    /// refused until a new chat starts.
    Ended,
    /// The session expired (SessionExpiredEvent, 4006, 4007): the token was forgotten. Only
    /// without [`super::EngineConfig::auto_restart_on_expiry`]; with it, a fresh session is
    /// requested at once instead.
    Expired,
    /// Stopped for good; the reason says why. No reconnects.
    Closed(CloseReason),
}

impl Phase {
    /// Whether this phase is one of the terminal ones a new chat can leave.
    pub fn is_over(&self) -> bool {
        matches!(self, Phase::Ended | Phase::Expired | Phase::Closed(_))
    }
}

/// Why the conversation stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The server closed this connection (`ConnectionClosedEvent`): another tab started a new
    /// chat, a session limit, a cleared conversation. The server's reason, if any.
    ClosedByServer(Option<String>),
    /// The same guest signed in elsewhere (`ConnectionClosedEvent` reason `signedIn`) or logged
    /// out (`LogoutEvent`); the token was forgotten.
    SignedInElsewhere,
    /// The guest closed the chat window ([`super::Engine::close`]); the token is kept for a
    /// later resume. (Ending the conversation is [`Phase::Ended`].)
    GuestLeft,
    /// The server refused the session (an error answering `configureSession`).
    Rejected {
        /// The error frame's code.
        code: u16,
        /// The error text (wire text: render as text).
        message: String,
    },
    /// The driver could not obtain a session grant.
    NoSession(String),
}
