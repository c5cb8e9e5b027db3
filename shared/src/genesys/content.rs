//! Content items inside a message (PROTOCOL.md §1.6.1): `{"contentType": "Card", "card": {…}}`.
//!
//! The body key is the content type in lower camel case, which serde's built-in enum
//! representations cannot express, so [`Content`] goes through `serde_json::Value`: a known
//! type decodes into its struct, anything else (or a body that does not decode) is kept whole as
//! [`Content::Unknown`], so that a newer server never makes a message disappear.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::lenient;

/// One content item of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A file or image, sent by the agent or uploaded by the guest.
    Attachment(Attachment),
    /// One quick-reply choice offered by a bot.
    QuickReply(QuickReply),
    /// The guest's answer to a quick reply, card button or picker.
    ButtonResponse(ButtonResponse),
    /// A card with image, title, description and buttons.
    Card(Card),
    /// Several cards side by side.
    Carousel(Carousel),
    /// Offered appointment slots.
    DatePicker(DatePicker),
    /// A list of selectable items.
    ListPicker(ListPicker),
    /// Any other content type, or a known type whose body did not decode: the raw item.
    Unknown(Value),
}

impl Content {
    /// The `contentType` string of this item.
    pub fn content_type(&self) -> &str {
        match self {
            Content::Attachment(_) => "Attachment",
            Content::QuickReply(_) => "QuickReply",
            Content::ButtonResponse(_) => "ButtonResponse",
            Content::Card(_) => "Card",
            Content::Carousel(_) => "Carousel",
            Content::DatePicker(_) => "DatePicker",
            Content::ListPicker(_) => "ListPicker",
            Content::Unknown(raw) => raw.get("contentType").and_then(Value::as_str).unwrap_or(""),
        }
    }

    fn from_value(raw: Value) -> Content {
        // Decoding from `&Value`, the deserializer frame bodies use too, keeps one compiled
        // copy of each body's decoder in the browser bundle (and clones nothing).
        fn body<T: DeserializeOwned>(raw: &Value, key: &str) -> Option<T> {
            T::deserialize(raw.get(key)?).ok()
        }
        let decoded = match raw.get("contentType").and_then(Value::as_str) {
            Some("Attachment") => body(&raw, "attachment").map(Content::Attachment),
            Some("QuickReply") => body(&raw, "quickReply").map(Content::QuickReply),
            Some("ButtonResponse") => body(&raw, "buttonResponse").map(Content::ButtonResponse),
            Some("Card") => body(&raw, "card").map(Content::Card),
            Some("Carousel") => body(&raw, "carousel").map(Content::Carousel),
            Some("DatePicker") => body(&raw, "datePicker").map(Content::DatePicker),
            Some("ListPicker") => body(&raw, "listPicker").map(Content::ListPicker),
            _ => None,
        };
        decoded.unwrap_or(Content::Unknown(raw))
    }

    fn to_value(&self) -> Result<Value, serde_json::Error> {
        let (key, body) = match self {
            Content::Attachment(body) => ("attachment", serde_json::to_value(body)?),
            Content::QuickReply(body) => ("quickReply", serde_json::to_value(body)?),
            Content::ButtonResponse(body) => ("buttonResponse", serde_json::to_value(body)?),
            Content::Card(body) => ("card", serde_json::to_value(body)?),
            Content::Carousel(body) => ("carousel", serde_json::to_value(body)?),
            Content::DatePicker(body) => ("datePicker", serde_json::to_value(body)?),
            Content::ListPicker(body) => ("listPicker", serde_json::to_value(body)?),
            Content::Unknown(raw) => return Ok(raw.clone()),
        };
        let mut item = Map::new();
        item.insert("contentType".into(), Value::from(self.content_type()));
        item.insert(key.into(), body);
        Ok(Value::Object(item))
    }
}

impl Serialize for Content {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value()
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Content::from_value(Value::deserialize(deserializer)?))
    }
}

/// What kind of media an attachment holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MediaType {
    /// Shown inline.
    Image,
    /// Played inline where supported.
    Video,
    /// Played inline where supported.
    Audio,
    /// Offered as a download.
    File,
    /// A link.
    Link,
    /// Any other value.
    #[serde(other)]
    Unknown,
}

/// A file: the agent's (with a download `url`) or the guest's (by `id` after upload).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// The attachment id (from the upload flow for guest files).
    #[serde(default)]
    pub id: String,
    /// Image, Video, Audio, File or Link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
    /// Where to download it; presigned URLs expire (refresh with `getAttachment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
    /// File name to show and to save as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    /// Size in bytes (the history model's name for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_size_bytes: Option<u64>,
    /// Content hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Attachment {
    /// The size in bytes, whichever field carried it.
    pub fn size(&self) -> Option<u64> {
        self.file_size.or(self.content_size_bytes)
    }
}

/// One quick-reply choice; clicking it sends a [`ButtonResponse`] of type `QuickReply`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuickReply {
    /// The label.
    #[serde(default)]
    pub text: String,
    /// What the bot receives when chosen.
    #[serde(default)]
    pub payload: String,
    /// An optional icon URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// `Message` in practice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// Which control a [`ButtonResponse`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ButtonResponseType {
    /// A card or carousel postback button.
    Button,
    /// A quick reply.
    QuickReply,
    /// A date-picker slot.
    DatePicker,
    /// A list-picker item.
    ListPicker,
    /// A form.
    Form,
    /// Any other value.
    #[serde(other)]
    Unknown,
}

/// The guest's answer to a quick reply, postback button or picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ButtonResponse {
    /// The label the guest chose.
    #[serde(default)]
    pub text: String,
    /// The payload of the chosen control.
    #[serde(default)]
    pub payload: String,
    /// Which kind of control it answers.
    #[serde(rename = "type")]
    pub response_type: ButtonResponseType,
    /// The message that offered the control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originating_message_id: Option<String>,
}

/// Link or Postback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardActionType {
    /// Opens `url` (in a new tab, with `rel="noopener noreferrer"`).
    Link,
    /// Sends a [`ButtonResponse`] of type `Button` with `payload`.
    Postback,
    /// Any other value.
    #[serde(other)]
    Unknown,
}

/// A button on a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardAction {
    /// Link or Postback.
    #[serde(rename = "type")]
    pub action_type: CardActionType,
    /// The label.
    #[serde(default)]
    pub text: String,
    /// Postback payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// Link target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A card: image, title, description and buttons.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    /// The heading.
    #[serde(default)]
    pub title: String,
    /// Body text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Video URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<String>,
    /// What clicking the card itself does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_action: Option<CardAction>,
    /// The buttons.
    #[serde(
        default,
        deserialize_with = "lenient::vec_or_null",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub actions: Vec<CardAction>,
}

/// Cards shown side by side.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Carousel {
    /// The cards, in order.
    #[serde(default, deserialize_with = "lenient::vec_or_null")]
    pub cards: Vec<Card>,
}

/// One offered appointment slot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatePickerTime {
    /// ISO-8601 start; sent back as the ButtonResponse payload.
    #[serde(default)]
    pub date_time: String,
    /// Length in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
}

/// Offered appointment slots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatePicker {
    /// Heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Sub-heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Earliest selectable date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_minimum: Option<String>,
    /// Latest selectable date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_maximum: Option<String>,
    /// The slots.
    #[serde(default, deserialize_with = "lenient::vec_or_null")]
    pub available_times: Vec<DatePickerTime>,
}

/// The header shown above or after a list picker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPickerMessage {
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Subtitle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// Image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// The label of the button that opens the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button_label: Option<String>,
}

/// One selectable item of a list picker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPickerItem {
    /// Item id, sent back as payload.
    #[serde(default)]
    pub id: String,
    /// Label.
    #[serde(default)]
    pub title: String,
    /// Secondary text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

/// A titled group of list-picker items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPickerSection {
    /// Section title.
    #[serde(default)]
    pub title: String,
    /// Whether several items may be chosen.
    #[serde(default)]
    pub multiple_selection: bool,
    /// The items.
    #[serde(default, deserialize_with = "lenient::vec_or_null")]
    pub items: Vec<ListPickerItem>,
}

/// A list of selectable items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPicker {
    /// Picker id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Shown with the offer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_message: Option<ListPickerMessage>,
    /// Shown after the choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_message: Option<ListPickerMessage>,
    /// The sections.
    #[serde(default, deserialize_with = "lenient::vec_or_null")]
    pub sections: Vec<ListPickerSection>,
}

/// One MIME pattern a deployment accepts for guest uploads (`image/png`, `image/*`, `*/*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedMediaType {
    /// The MIME pattern.
    #[serde(rename = "type", default)]
    pub mime_pattern: String,
}

impl AllowedMediaType {
    /// Whether `mime` matches this pattern (`*/*`, `type/*` or exact, case-insensitive).
    pub fn matches(&self, mime: &str) -> bool {
        let pattern = self.mime_pattern.to_ascii_lowercase();
        let mime = mime.to_ascii_lowercase();
        match pattern.split_once('/') {
            Some(("*", "*")) => true,
            Some((major, "*")) => mime.split_once('/').is_some_and(|(m, _)| m == major),
            _ => pattern == mime,
        }
    }
}
