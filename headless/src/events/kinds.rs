//! The schema's words for kinds, as types: each enum serialises to the same snake_case string
//! `chat --json` has always printed, and code in this crate matches the variant, never the word.

use serde::Serialize;

/// Implements `as_str` (the schema's word) and `Display` (the same word) for a kind.
macro_rules! words {
    ($kind:ident { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl $kind {
            /// The word the JSON schema uses.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($kind::$variant => $word),+
                }
            }
        }

        impl std::fmt::Display for $kind {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// The connection phase (`state` of a `connection` event): the engine's
/// [`parley_shared::engine::Phase`] without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Not started.
    Idle,
    /// Waiting for a session grant.
    RequestingSession,
    /// Opening the socket.
    Connecting,
    /// Socket open, `configureSession` sent.
    Configuring,
    /// The conversation is live.
    Ready,
    /// The socket dropped; trying again.
    Reconnecting,
    /// The conversation ended (read-only).
    Ended,
    /// The session expired.
    Expired,
    /// Stopped for good (the event's `reason` says why).
    Closed,
}

words!(ConnectionState {
    Idle => "idle",
    RequestingSession => "requesting_session",
    Connecting => "connecting",
    Configuring => "configuring",
    Ready => "ready",
    Reconnecting => "reconnecting",
    Ended => "ended",
    Expired => "expired",
    Closed => "closed",
});

impl ConnectionState {
    /// Whether the conversation is over (`ended`, `expired` or `closed`).
    pub fn is_over(self) -> bool {
        matches!(
            self,
            ConnectionState::Ended | ConnectionState::Expired | ConnectionState::Closed
        )
    }
}

/// Where one of the guest's messages is (`state` of a `delivery` event): the engine's
/// [`parley_shared::engine::Delivery`] without the failure's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for the session.
    Queued,
    /// On the wire, not yet echoed.
    Sending,
    /// Echoed by the server.
    Sent,
    /// Given up (the event's `reason` says why).
    Failed,
}

words!(DeliveryState {
    Queued => "queued",
    Sending => "sending",
    Sent => "sent",
    Failed => "failed",
});

/// What a shown choice is (`kind` of a choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceKind {
    /// A quick reply of the latest message.
    QuickReply,
    /// A card's postback button.
    Postback,
    /// A card's link: shown, not choosable.
    Link,
}

words!(ChoiceKind {
    QuickReply => "quick_reply",
    Postback => "postback",
    Link => "link",
});

/// Who sent an agent message (`role` of a `message` event), from `originatingEntity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A bot (`Bot`).
    Bot,
    /// A person (`Human`).
    Human,
    /// The platform did not say.
    Unknown,
}

words!(Role {
    Bot => "bot",
    Human => "human",
    Unknown => "unknown",
});

/// What went wrong (`kind` of an `error` event), stable for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A guest action the engine refused.
    Refused,
    /// No session grant.
    Grant,
    /// The socket could not be opened.
    Connect,
    /// The server refused the WebSocket upgrade.
    UpgradeRefused,
    /// The engine's last error changed (its words are the message).
    Engine,
    /// The `--state` file could not be written.
    State,
}

words!(ErrorKind {
    Refused => "refused",
    Grant => "grant",
    Connect => "connect",
    UpgradeRefused => "upgrade_refused",
    Engine => "engine",
    State => "state",
});

#[cfg(test)]
mod tests {
    use super::*;

    /// `as_str` and serde name every kind the same way, so what is printed is what is matched.
    #[test]
    fn the_words_are_the_serialised_names() {
        fn same<T: Serialize + Copy>(kinds: &[T], word: impl Fn(T) -> &'static str) {
            for &kind in kinds {
                assert_eq!(
                    serde_json::to_value(kind).unwrap(),
                    serde_json::Value::from(word(kind))
                );
            }
        }
        use ConnectionState as C;
        let states = [
            C::Idle,
            C::RequestingSession,
            C::Connecting,
            C::Configuring,
            C::Ready,
            C::Reconnecting,
            C::Ended,
            C::Expired,
            C::Closed,
        ];
        same(&states, C::as_str);
        use DeliveryState as D;
        same(&[D::Queued, D::Sending, D::Sent, D::Failed], D::as_str);
        use ChoiceKind as K;
        same(&[K::QuickReply, K::Postback, K::Link], K::as_str);
        same(&[Role::Bot, Role::Human, Role::Unknown], Role::as_str);
        use ErrorKind as E;
        let errors = [
            E::Refused,
            E::Grant,
            E::Connect,
            E::UpgradeRefused,
            E::Engine,
            E::State,
        ];
        same(&errors, E::as_str);
    }
}
