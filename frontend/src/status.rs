//! The connection line in the header: the engine's [`Phase`] as the contract's
//! `data-state` values and the words shown for them (UI-CONTRACT.md "Connection status").
//!
//! This is presentation only: which phase the conversation is in is decided by the engine;
//! here it is named. One fact from outside the engine refines the name: the browser says it is
//! offline (a pending reconnect is then shown as "Offline").

use parley_shared::engine::{CloseReason, Millis, Phase};

use crate::i18n::{Key, Locale, fill};

/// What the header says about the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// Asking for a grant or opening the socket.
    Connecting,
    /// Socket open, session being configured.
    Configuring,
    /// Live.
    Ready,
    /// Waiting to reconnect (the deadline, on the driver's clock).
    Reconnecting {
        /// When the next attempt opens.
        at: Millis,
    },
    /// No network, or no server to grant a session.
    Offline,
    /// Read-only: the agent, flow or guest ended the conversation.
    Ended,
    /// The session expired.
    Expired,
    /// Closed for another reason (another window, the server).
    Closed,
}

impl ConnectionState {
    /// The state for `phase`; `online` is `navigator.onLine`.
    pub fn of(phase: &Phase, online: bool) -> ConnectionState {
        match phase {
            Phase::Idle | Phase::RequestingSession | Phase::Connecting => {
                ConnectionState::Connecting
            }
            Phase::Configuring => ConnectionState::Configuring,
            Phase::Ready => ConnectionState::Ready,
            Phase::Reconnecting { .. } if !online => ConnectionState::Offline,
            Phase::Reconnecting { at, .. } => ConnectionState::Reconnecting { at: *at },
            Phase::Ended => ConnectionState::Ended,
            Phase::Expired => ConnectionState::Expired,
            Phase::Closed(CloseReason::NoSession(_)) => ConnectionState::Offline,
            Phase::Closed(_) => ConnectionState::Closed,
        }
    }

    /// The `data-state` attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "connecting",
            ConnectionState::Configuring => "configuring",
            ConnectionState::Ready => "ready",
            ConnectionState::Reconnecting { .. } => "reconnecting",
            ConnectionState::Offline => "offline",
            ConnectionState::Ended => "ended",
            ConnectionState::Expired => "expired",
            ConnectionState::Closed => "closed",
        }
    }

    /// The words shown, at `now` on the driver's clock (the reconnect countdown).
    pub fn label(self, locale: Locale, now: Millis) -> String {
        let key = match self {
            ConnectionState::Connecting | ConnectionState::Configuring => Key::Connecting,
            ConnectionState::Ready => Key::Connected,
            ConnectionState::Reconnecting { at } => {
                let seconds = at.saturating_sub(now).div_ceil(1000);
                if seconds == 0 {
                    Key::Reconnecting
                } else {
                    let n = seconds.to_string();
                    return fill(locale.text(Key::ReconnectingIn), &[("n", &n)]);
                }
            }
            ConnectionState::Offline => Key::Offline,
            ConnectionState::Ended => Key::ConversationEnded,
            ConnectionState::Expired => Key::SessionExpired,
            ConnectionState::Closed => Key::ChatClosed,
        };
        locale.text(key).to_owned()
    }

    /// Whether "Retry now" is offered.
    pub fn can_retry_now(self) -> bool {
        matches!(
            self,
            ConnectionState::Reconnecting { .. } | ConnectionState::Offline
        )
    }

    /// Whether the conversation is over and "Start new chat" is offered.
    pub fn is_over(self) -> bool {
        matches!(
            self,
            ConnectionState::Ended | ConnectionState::Expired | ConnectionState::Closed
        )
    }
}
