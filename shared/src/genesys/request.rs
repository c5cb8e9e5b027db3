//! Client requests (PROTOCOL.md §1.4): flat JSON objects tagged by `action`, every one carrying
//! the session `token` and, from Parley, a `tracingId` so that the answer can be matched.
//!
//! Field names and omission rules follow the reference exactly (camelCase, optional fields left
//! out when absent), because the real service is the judge of the shape, not serde's defaults.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::content::{ButtonResponse, Content};
use super::event::{Event, Presence, PresenceType, Typing};
use super::lenient;
use super::message::{ChannelMetadata, MessageType};

/// Every action a guest client can send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum ClientRequest {
    /// Bind the socket to an anonymous guest session (new or resumed).
    ConfigureSession(ConfigureSession),
    /// Bind the socket to an authenticated guest session.
    ConfigureAuthenticatedSession(ConfigureAuthenticatedSession),
    /// Send a message or events.
    OnMessage(OnMessage),
    /// Application-level heartbeat; answered with an Inbound `StructuredMessage` response.
    Echo(Echo),
    /// Ask for a JWT to read history with.
    GetJwt(GetJwt),
    /// Ask for an upload URL.
    OnAttachment(OnAttachment),
    /// Refresh an attachment's download URL.
    GetAttachment(GetAttachment),
    /// Remove an uploaded, unsent attachment.
    DeleteAttachment(DeleteAttachment),
    /// Close the session (before starting a new chat).
    CloseSession(CloseSession),
    /// Ask for the deployment's supported content.
    GetConfiguration(GetConfiguration),
}

impl ClientRequest {
    /// The `action` string of this request.
    pub fn action(&self) -> &'static str {
        match self {
            ClientRequest::ConfigureSession(_) => "configureSession",
            ClientRequest::ConfigureAuthenticatedSession(_) => "configureAuthenticatedSession",
            ClientRequest::OnMessage(_) => "onMessage",
            ClientRequest::Echo(_) => "echo",
            ClientRequest::GetJwt(_) => "getJwt",
            ClientRequest::OnAttachment(_) => "onAttachment",
            ClientRequest::GetAttachment(_) => "getAttachment",
            ClientRequest::DeleteAttachment(_) => "deleteAttachment",
            ClientRequest::CloseSession(_) => "closeSession",
            ClientRequest::GetConfiguration(_) => "getConfiguration",
        }
    }

    /// The session token the request carries.
    pub fn token(&self) -> &str {
        match self {
            ClientRequest::ConfigureSession(r) => &r.token,
            ClientRequest::ConfigureAuthenticatedSession(r) => &r.token,
            ClientRequest::OnMessage(r) => &r.token,
            ClientRequest::Echo(r) => &r.token,
            ClientRequest::GetJwt(r) => &r.token,
            ClientRequest::OnAttachment(r) => &r.token,
            ClientRequest::GetAttachment(r) => &r.token,
            ClientRequest::DeleteAttachment(r) => &r.token,
            ClientRequest::CloseSession(r) => &r.token,
            ClientRequest::GetConfiguration(r) => &r.token,
        }
    }

    /// The request's tracingId, if it has one.
    pub fn tracing_id(&self) -> Option<&str> {
        match self {
            ClientRequest::ConfigureSession(r) => r.tracing_id.as_deref(),
            ClientRequest::ConfigureAuthenticatedSession(r) => r.tracing_id.as_deref(),
            ClientRequest::OnMessage(r) => r.tracing_id.as_deref(),
            ClientRequest::Echo(r) => r.tracing_id.as_deref(),
            ClientRequest::GetJwt(r) => r.tracing_id.as_deref(),
            ClientRequest::OnAttachment(r) => r.tracing_id.as_deref(),
            ClientRequest::GetAttachment(r) => r.tracing_id.as_deref(),
            ClientRequest::DeleteAttachment(r) => r.tracing_id.as_deref(),
            ClientRequest::CloseSession(r) => r.tracing_id.as_deref(),
            ClientRequest::GetConfiguration(r) => r.tracing_id.as_deref(),
        }
    }

    /// The request as JSON text, exactly as it goes on the wire.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a request always serialises")
    }
}

/// Who the guest is, for Genesys Predictive Engagement (optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JourneyContext {
    /// The customer.
    pub customer: JourneyCustomer,
    /// The web session.
    pub customer_session: JourneyCustomerSession,
}

/// `{id, idType}` of a journey customer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JourneyCustomer {
    /// Customer id (the transport uses the session token).
    pub id: String,
    /// `cookie` in the transport.
    pub id_type: String,
}

/// `{id, type}` of a journey session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JourneyCustomerSession {
    /// Session id (empty in the transport).
    pub id: String,
    /// `web`.
    #[serde(rename = "type")]
    pub session_type: String,
}

/// `configureSession`: bind this socket to the anonymous guest session `token`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigureSession {
    /// The deployment (the same as the socket URL's query parameter).
    pub deployment_id: String,
    /// The client-chosen session token: the guest's identity.
    pub token: String,
    /// True to abandon a read-only conversation and start a new one with the same token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_new: Option<bool>,
    /// Predictive Engagement context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_context: Option<JourneyContext>,
    /// Correlates the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_id: Option<String>,
}

/// The `data` of an authenticated configure: the Genesys JWT from the OAuth code exchange.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthData {
    /// The JWT.
    pub code: String,
}

/// `configureAuthenticatedSession`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigureAuthenticatedSession {
    /// The deployment.
    pub deployment_id: String,
    /// The session token.
    pub token: String,
    /// The JWT.
    pub data: AuthData,
    /// True to start a new conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_new: Option<bool>,
    /// Predictive Engagement context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_context: Option<JourneyContext>,
    /// Correlates the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_id: Option<String>,
}

/// `channel` of an outgoing message: custom attributes (participant data).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingChannel {
    /// The attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ChannelMetadata>,
}

/// The message inside `onMessage` / `echo` (`IncomingNormalizedMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingMessage {
    /// Text, Structured (postbacks) or Event.
    #[serde(rename = "type")]
    pub message_type: MessageType,
    /// The text; empty for quick-reply clicks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Attachments and button responses.
    #[serde(
        default,
        deserialize_with = "lenient::vec_or_null",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub content: Vec<Content>,
    /// Events, for `Event` messages.
    #[serde(
        default,
        deserialize_with = "lenient::vec_or_null",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub events: Vec<Event>,
    /// Free-form metadata. Parley puts its client message id here so that a message can be
    /// recognised in history after a reconnect.
    #[serde(
        default,
        deserialize_with = "lenient::string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub metadata: BTreeMap<String, String>,
    /// Custom attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<IncomingChannel>,
}

impl IncomingMessage {
    /// A plain text message.
    pub fn text(text: impl Into<String>) -> IncomingMessage {
        IncomingMessage {
            message_type: MessageType::Text,
            text: Some(text.into()),
            content: Vec::new(),
            events: Vec::new(),
            metadata: BTreeMap::new(),
            channel: None,
        }
    }

    /// An answer to a quick reply (`Text`, empty text) or postback button (`Structured`, the
    /// button's text), as the official transport sends them.
    pub fn button_response(response: ButtonResponse) -> IncomingMessage {
        use super::content::ButtonResponseType;
        let (message_type, text) = match response.response_type {
            ButtonResponseType::Button => (MessageType::Structured, response.text.clone()),
            _ => (MessageType::Text, String::new()),
        };
        IncomingMessage {
            message_type,
            text: Some(text),
            content: vec![Content::ButtonResponse(response)],
            ..IncomingMessage::text("")
        }
    }

    /// One event, e.g. guest typing.
    pub fn event(event: Event) -> IncomingMessage {
        IncomingMessage {
            message_type: MessageType::Event,
            text: None,
            events: vec![event],
            ..IncomingMessage::text("")
        }
    }

    /// The guest-typing event.
    pub fn typing() -> IncomingMessage {
        IncomingMessage::event(Event::Typing(Typing::on()))
    }

    /// A presence event (`Join` to auto-start, `Clear` to wipe the conversation).
    pub fn presence(presence_type: PresenceType) -> IncomingMessage {
        IncomingMessage::event(Event::Presence(Presence::new(presence_type)))
    }
}

/// `onMessage`: send a message or events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnMessage {
    /// The session token.
    pub token: String,
    /// Echoed on the Inbound echo of this message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_id: Option<String>,
    /// The message.
    pub message: IncomingMessage,
    /// Custom attributes where the Java SDK puts them (the emulator accepts both places).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<IncomingChannel>,
    /// Optional client time (Java schema only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// `echo`: the application heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Echo {
    /// The session token.
    pub token: String,
    /// Correlates the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_id: Option<String>,
    /// `{"type":"Text","text":"ping"}`.
    pub message: IncomingMessage,
}

impl Echo {
    /// The heartbeat as the transport sends it.
    pub fn ping(token: impl Into<String>, tracing_id: impl Into<String>) -> Echo {
        Echo {
            token: token.into(),
            tracing_id: Some(tracing_id.into()),
            message: IncomingMessage::text("ping"),
        }
    }
}

/// `getJwt`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetJwt {
    /// The session token.
    pub token: String,
    /// Correlates the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_id: Option<String>,
}

/// `onAttachment`: ask for a presigned upload URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnAttachment {
    /// The session token.
    pub token: String,
    /// Correlates the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_id: Option<String>,
    /// Client-chosen attachment id (the server assigns one when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_id: Option<String>,
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub file_type: String,
    /// Size in bytes.
    pub file_size: u64,
    /// MD5 of the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_md5: Option<String>,
    /// Report failures as JSON (`GenerateUrlError`) rather than `string` errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors_as_json: Option<bool>,
}

/// `getAttachment`: refresh an attachment's download URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetAttachment {
    /// The session token.
    pub token: String,
    /// The attachment.
    pub attachment_id: String,
    /// Correlates the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_id: Option<String>,
}

/// `deleteAttachment`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteAttachment {
    /// The session token.
    pub token: String,
    /// The attachment.
    pub attachment_id: String,
    /// Correlates the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_id: Option<String>,
}

/// `closeSession`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseSession {
    /// The session token.
    pub token: String,
    /// Also close the token's other connections (they get `ConnectionClosedEvent`).
    #[serde(default)]
    pub close_all_connections: bool,
    /// Correlates the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_id: Option<String>,
}

/// `getConfiguration`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetConfiguration {
    /// The session token.
    pub token: String,
    /// The deployment.
    pub deployment_id: String,
    /// Correlates the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_id: Option<String>,
}
