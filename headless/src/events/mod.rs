//! What a headless guest reports: the stable event schema that `chat --json` prints one per line,
//! that `check` matches steps against and that `load` times.
//!
//! Events are not invented here: they are the *differences* between two readings of the
//! engine's view (phase, transcript, typing, quick replies, last error), taken after every
//! [`parley_shared::engine::Effect::ViewChanged`] by a [`ViewTracker`] (`tracker`). The engine
//! decides what the conversation looks like; this module only says what changed since the
//! last look.
//!
//! The JSON schema (one object per line, `event` names the kind; fields marked `?` are omitted
//! when absent) is documented in `headless/README.md` and must stay stable for scripts.

mod kinds;
mod tracker;

use parley_shared::engine::CloseReason;
use serde::{Serialize, Serializer};

pub use kinds::{ChoiceKind, ConnectionState, DeliveryState, ErrorKind, Role};
pub use tracker::{ViewTracker, close_reason};

/// One thing that happened in a conversation, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum GuestEvent {
    /// The connection phase changed.
    Connection {
        /// The phase, named in the schema's words.
        state: ConnectionState,
        /// Reconnect attempt number (`reconnecting` only).
        #[serde(skip_serializing_if = "Option::is_none")]
        attempt: Option<u32>,
        /// Why (`closed` only): the engine's reason, printed in words ([`close_reason`]), so
        /// that readers match the reason's kind and never its wording.
        #[serde(
            skip_serializing_if = "Option::is_none",
            serialize_with = "close_reason_in_words"
        )]
        reason: Option<CloseReason>,
    },
    /// An agent or bot message arrived.
    Message(AgentLine),
    /// The agent's typing indicator went on or off.
    Typing {
        /// Who is typing (the sender of the typing event, else the last sender).
        from: String,
        /// On or off.
        typing: bool,
    },
    /// The latest message offers quick replies; the guest may choose one by number.
    QuickReplies {
        /// The message that offered them.
        message_id: String,
        /// The choices, numbered from 1.
        replies: Vec<Choice>,
    },
    /// One of the guest's own messages changed delivery state.
    Delivery {
        /// The client message id (the request's tracingId).
        id: String,
        /// The text as the guest wrote it.
        text: String,
        /// Where it is.
        state: DeliveryState,
        /// Why it failed (`failed` only).
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Something the engine says about the conversation itself (agent joined, ended …).
    Notice {
        /// The notice in words.
        text: String,
    },
    /// The guest session token (only with `chat --show-token`): a secret.
    Session {
        /// Give it to `--resume` to continue this conversation.
        token: String,
    },
    /// Something went wrong; `fatal` errors end the guest.
    Error {
        /// A stable machine-readable kind.
        kind: ErrorKind,
        /// What happened, in words.
        message: String,
        /// Whether the guest gives up because of it.
        fatal: bool,
    },
}

fn close_reason_in_words<S: Serializer>(
    reason: &Option<CloseReason>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match reason {
        Some(reason) => serializer.serialize_str(&close_reason(reason)),
        None => serializer.serialize_none(),
    }
}

/// An agent or bot message as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentLine {
    /// The platform message id.
    pub id: String,
    /// The sender's display name (`Agent` when the server gave none).
    pub from: String,
    /// Bot, human or unknown (from `originatingEntity`).
    pub role: Role,
    /// The text (may be empty for pure structured content).
    pub text: String,
    /// Server time as on the wire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Cards (a carousel is flattened into its cards).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cards: Vec<CardView>,
}

/// A card as printed: its postback buttons are numbered choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardView {
    /// The heading.
    pub title: String,
    /// Body text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The buttons in order.
    pub buttons: Vec<Choice>,
}

/// A numbered choice: a quick reply, a card postback button, or a link (not choosable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The number to type to choose it; `None` for links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    /// The label.
    pub text: String,
    /// Quick reply, postback button or link.
    pub kind: ChoiceKind,
    /// What the bot receives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// Link target (`link` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl GuestEvent {
    /// The event as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{\"event\":\"error\"}".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialise_with_a_kind_tag_and_without_absent_fields() {
        let event = GuestEvent::Connection {
            state: ConnectionState::Ready,
            attempt: None,
            reason: None,
        };
        assert_eq!(event.to_json(), r#"{"event":"connection","state":"ready"}"#);
        let closed = GuestEvent::Connection {
            state: ConnectionState::Closed,
            attempt: None,
            reason: Some(CloseReason::NoSession("grant refused".into())),
        };
        assert_eq!(
            closed.to_json(),
            r#"{"event":"connection","state":"closed","reason":"no session: grant refused"}"#
        );
        let reconnecting = GuestEvent::Connection {
            state: ConnectionState::RequestingSession,
            attempt: Some(2),
            reason: None,
        };
        assert_eq!(
            reconnecting.to_json(),
            r#"{"event":"connection","state":"requesting_session","attempt":2}"#
        );
        let typing = GuestEvent::Typing {
            from: "Parley Bot".into(),
            typing: true,
        };
        assert_eq!(
            typing.to_json(),
            r#"{"event":"typing","from":"Parley Bot","typing":true}"#
        );
    }
}
