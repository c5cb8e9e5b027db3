//! Events inside a message (PROTOCOL.md §1.6.3): `{"eventType": "Typing", "typing": {…}}`.
//!
//! Like content items, the body key is the lower-camel event type, so [`Event`] decodes through
//! `serde_json::Value` and keeps unknown kinds (CoBrowse, Video, Reactions …) whole.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// One event of an `Event`-type message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Someone is typing.
    Typing(Typing),
    /// Join, Disconnect, Clear, SignIn …
    Presence(Presence),
    /// Any other event type, or a known one whose body did not decode: the raw item.
    Unknown(Value),
}

/// `On` is the only value Genesys documents; a transport fixture also shows `Off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypingType {
    /// Typing started; it lasts `duration` ms.
    On,
    /// Typing stopped (undocumented but seen in a fixture).
    Off,
    /// Any other value.
    #[serde(other)]
    Unknown,
}

/// A typing indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typing {
    /// On (or Off).
    #[serde(rename = "type")]
    pub typing_type: TypingType,
    /// How long to show the indicator, in milliseconds; clients assume 5000 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
}

impl Typing {
    /// What clients show when the server gives no duration (the transport's fallback).
    pub const DEFAULT_DURATION_MS: u64 = 5000;

    /// A typing-on event with no duration, as a guest sends it.
    pub fn on() -> Typing {
        Typing {
            typing_type: TypingType::On,
            duration: None,
        }
    }
}

/// Presence event kinds (PROTOCOL.md §1.4.4, `EventPresenceType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PresenceType {
    /// Start of an authenticated flow.
    Authenticate,
    /// Authentication cancelled.
    AuthenticateCancel,
    /// Authentication failed.
    AuthenticateFailure,
    /// The guest wiped the conversation.
    Clear,
    /// The agent or flow ended the conversation.
    Disconnect,
    /// The guest auto-started the conversation.
    Join,
    /// The session expired.
    SessionExpired,
    /// An authenticated guest signed in.
    SignIn,
    /// Any other value.
    #[serde(other)]
    Unknown,
}

/// A presence event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Presence {
    /// What happened.
    #[serde(rename = "type")]
    pub presence_type: PresenceType,
    /// Extra fields some presence events carry, kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_message: Option<Value>,
    /// Extra fields some presence events carry, kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_message: Option<Value>,
}

impl Presence {
    /// A bare presence event of `presence_type`.
    pub fn new(presence_type: PresenceType) -> Presence {
        Presence {
            presence_type,
            received_message: None,
            reply_message: None,
        }
    }
}

impl Event {
    /// The `eventType` string of this event.
    pub fn event_type(&self) -> &str {
        match self {
            Event::Typing(_) => "Typing",
            Event::Presence(_) => "Presence",
            Event::Unknown(raw) => raw.get("eventType").and_then(Value::as_str).unwrap_or(""),
        }
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (key, body) = match self {
            Event::Typing(body) => ("typing", serde_json::to_value(body)),
            Event::Presence(body) => ("presence", serde_json::to_value(body)),
            Event::Unknown(raw) => return raw.serialize(serializer),
        };
        let mut item = Map::new();
        item.insert("eventType".into(), Value::from(self.event_type()));
        item.insert(key.into(), body.map_err(serde::ser::Error::custom)?);
        Value::Object(item).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(deserializer)?;
        let decoded = match raw.get("eventType").and_then(Value::as_str) {
            Some("Typing") => raw
                .get("typing")
                .and_then(|body| Deserialize::deserialize(body).ok())
                .map(Event::Typing),
            Some("Presence") => raw
                .get("presence")
                .and_then(|body| Deserialize::deserialize(body).ok())
                .map(Event::Presence),
            _ => None,
        };
        Ok(decoded.unwrap_or(Event::Unknown(raw)))
    }
}
