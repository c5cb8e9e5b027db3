//! `StructuredMessage`: every conversation message and event the server pushes (PROTOCOL.md
//! §1.5.2), and the entries of a history page (§1.12).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::content::Content;
use super::event::Event;
use super::lenient;

/// Who a message travels towards, from Genesys's point of view: `Inbound` comes from the guest
/// (including the echo of the guest's own message), `Outbound` goes to the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// From the guest to the contact centre.
    Inbound,
    /// From an agent, bot or flow to the guest.
    Outbound,
    /// A value this version does not know; kept so the frame still decodes.
    #[serde(other)]
    Unknown,
}

/// The kind of a message: text, structured content (quick replies, cards …) or events only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageType {
    /// Plain text, possibly with attachments or a button response.
    Text,
    /// Rich content: quick replies, cards, carousels, pickers.
    Structured,
    /// Events only (typing, presence); no text.
    Event,
    /// A delivery receipt; seen in history only.
    Receipt,
    /// Any other value.
    #[serde(other)]
    Unknown,
}

/// A person or bot on either end of a message; on Outbound agent messages `nickname` and
/// `image` carry the display name and avatar the UI shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// Given name (set on SignIn presence events of authenticated guests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Display name of the agent or bot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// Custom attributes (participant data) attached to a message's channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelMetadata {
    /// Free-form string attributes, bounded by `SessionResponse::max_custom_data_bytes`.
    #[serde(
        default,
        deserialize_with = "lenient::string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub custom_attributes: BTreeMap<String, String>,
}

/// Delivery details of a message: when the server saw it and who it is from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    /// Server time, ISO-8601 / RFC 3339 (`2024-01-01T10:00:00.000Z`); sometimes `null` in
    /// history. The transcript orders by it because Genesys guarantees no delivery order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// A provider message id; sometimes absent on Outbound messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// `Private` or `Public`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub channel_type: Option<String>,
    /// The sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Participant>,
    /// The recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Participant>,
    /// Custom attributes sent with the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ChannelMetadata>,
}

/// One conversation message or event (class `StructuredMessage`), also the entity type of a
/// history page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StructuredMessage {
    /// The platform message id; the transcript de-duplicates by it.
    #[serde(default)]
    pub id: String,
    /// Text, Structured or Event.
    #[serde(rename = "type")]
    pub message_type: MessageType,
    /// Inbound (from the guest) or Outbound (to the guest).
    pub direction: Direction,
    /// The message text, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Time, ids and participants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Rich content items; unknown kinds are kept as [`Content::Unknown`].
    #[serde(
        default,
        deserialize_with = "lenient::vec_or_null",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub content: Vec<Content>,
    /// Events (typing, presence); unknown kinds are kept as [`Event::Unknown`].
    #[serde(
        default,
        deserialize_with = "lenient::vec_or_null",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub events: Vec<Event>,
    /// Free-form metadata: `correlationId`, `readOnly` ("true" on a read-only Disconnect),
    /// `durationSeconds`, `expirationDate`, and whatever the guest put in its request.
    #[serde(
        default,
        deserialize_with = "lenient::string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub metadata: BTreeMap<String, String>,
    /// `Human`, `Bot`, or empty on Inbound echoes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originating_entity: Option<String>,
    /// The message this one answers (date pickers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originating_message_id: Option<String>,
}

impl StructuredMessage {
    /// The server time of the message, if the wire carried one.
    pub fn time(&self) -> Option<&str> {
        self.channel.as_ref()?.time.as_deref()
    }

    /// The sender, if the wire named one.
    pub fn sender(&self) -> Option<&Participant> {
        self.channel.as_ref()?.from.as_ref()
    }

    /// True when `metadata.readOnly` says the conversation became read-only.
    pub fn marks_read_only(&self) -> bool {
        self.metadata
            .get("readOnly")
            .is_some_and(|value| value.eq_ignore_ascii_case("true"))
    }
}
