//! Guest actions: send text, answer a quick reply or button, type, retry; and the pump that
//! moves the outbox onto the socket.
//!
//! A guest message is checked first (empty and over-long text are refused with a
//! [`Refused`], nothing queued), then shown at once as an optimistic bubble and queued in the
//! [`super::outbox`]. The pump sends it when the connection is ready, no resend is held by a
//! history catch-up, the previous message is echoed and the pacing window has room.

use std::collections::BTreeMap;

use crate::genesys::{
    Attachment, ButtonResponse, ChannelMetadata, ClientRequest, Content, IncomingChannel,
    IncomingMessage, MessageType, OnMessage,
};

use super::outbox::OutgoingMessage;
use super::transcript::{CLIENT_MESSAGE_ID_KEY, Delivery};
use super::{Engine, Millis, NewChat, Phase, Refused};

impl Engine {
    pub(super) fn send_text(
        &mut self,
        text: String,
        attachment_ids: Vec<String>,
        _now: Millis,
    ) -> Result<(), Refused> {
        self.check_can_send()?;
        if text.trim().is_empty() && attachment_ids.is_empty() {
            return Err(Refused::Empty);
        }
        let chars = text.chars().count();
        if chars > self.config.max_text_chars {
            return Err(Refused::TooLong {
                chars,
                max: self.config.max_text_chars,
            });
        }
        let wire: Vec<Content> = attachment_ids
            .iter()
            .map(|id| {
                Content::Attachment(Attachment {
                    id: id.clone(),
                    ..Attachment::default()
                })
            })
            .collect();
        // Files uploaded through the engine show with their name and URL at once.
        let shown = attachment_ids
            .iter()
            .map(|id| {
                let upload = self.uploads.iter().find(|u| &u.attachment_id == id);
                Content::Attachment(upload.map_or_else(
                    || Attachment {
                        id: id.clone(),
                        ..Attachment::default()
                    },
                    |upload| upload.shown(),
                ))
            })
            .collect();
        self.uploads
            .retain(|upload| !attachment_ids.contains(&upload.attachment_id));
        self.enqueue_with(MessageType::Text, text.clone(), text, wire, shown);
        Ok(())
    }

    pub(super) fn send_button_response(
        &mut self,
        response: ButtonResponse,
        _now: Millis,
    ) -> Result<(), Refused> {
        self.check_can_send()?;
        let label = response.text.clone();
        let wire = IncomingMessage::button_response(response);
        self.enqueue(
            wire.message_type,
            wire.text.unwrap_or_default(),
            label,
            wire.content,
        );
        Ok(())
    }

    /// Shows the bubble and queues the message under a fresh client id.
    fn enqueue(
        &mut self,
        message_type: MessageType,
        wire_text: String,
        shown_text: String,
        content: Vec<Content>,
    ) {
        let shown = content.clone();
        self.enqueue_with(message_type, wire_text, shown_text, content, shown);
    }

    /// [`Self::enqueue`] with content shown differently from what is sent (an attachment is
    /// sent by id and shown with its name and URL).
    pub(super) fn enqueue_with(
        &mut self,
        message_type: MessageType,
        wire_text: String,
        shown_text: String,
        content: Vec<Content>,
        shown_content: Vec<Content>,
    ) {
        let client_id = Self::tracing_id();
        self.transcript
            .push_guest(&client_id, shown_text, shown_content);
        self.outbox.push(OutgoingMessage {
            client_id,
            message_type,
            text: wire_text,
            content,
        });
        self.dirty = true;
    }

    pub(super) fn check_can_send(&self) -> Result<(), Refused> {
        if self.ending.is_some() {
            return Err(Refused::ReadOnly);
        }
        match self.phase {
            Phase::Ended => Err(Refused::ReadOnly),
            Phase::Idle | Phase::Expired | Phase::Closed(_) => Err(Refused::NoSession),
            _ => Ok(()),
        }
    }

    pub(super) fn guest_typed(&mut self, now: Millis) {
        if self.phase != Phase::Ready
            || !self.socket_open()
            || !self.guest_typing.may_send(now)
            || !self.outbox.pacer().ready(now)
        {
            return;
        }
        let Some(token) = self.token.clone() else {
            return;
        };
        let tracing_id = Self::tracing_id();
        self.send(ClientRequest::OnMessage(OnMessage {
            token,
            tracing_id: Some(tracing_id.clone()),
            message: IncomingMessage::typing(),
            channel: None,
            time: None,
        }));
        self.outbox.pacer().record(now);
        self.guest_typing.sent(now, tracing_id);
    }

    pub(super) fn retry(&mut self, client_id: &str, _now: Millis) -> Result<(), Refused> {
        self.check_can_send()?;
        let delivery = self
            .outbox
            .retry(client_id)
            .ok_or(Refused::NothingToRetry)?;
        self.transcript.set_delivery(client_id, delivery);
        self.dirty = true;
        Ok(())
    }

    pub(super) fn discard(&mut self, client_id: &str) -> Result<(), Refused> {
        let failed = matches!(
            self.transcript.guest(client_id).map(|m| &m.delivery),
            Some(Delivery::Failed(_))
        );
        if !failed {
            return Err(Refused::NothingToRetry);
        }
        self.outbox.remove(client_id);
        self.transcript.remove_guest(client_id);
        self.dirty = true;
        Ok(())
    }

    pub(super) fn set_custom_attributes(
        &mut self,
        values: BTreeMap<String, String>,
    ) -> Result<(), Refused> {
        let bytes = serde_json::to_string(&values).map_or(0, |json| json.len());
        if let Some(max) = self.limits.max_custom_data_bytes
            && bytes as u64 > max
        {
            self.diagnostics.last_error = Some(format!(
                "custom attributes take {bytes} bytes, over the session's {max}: not sent"
            ));
            self.dirty = true;
            return Ok(());
        }
        self.attributes.delivered = values.is_empty();
        self.attributes.values = values;
        self.attributes.sent_with = None;
        Ok(())
    }

    /// The channel carrying the custom attributes, while they still have to be delivered.
    fn attributes_for(&mut self, client_id: &str) -> Option<IncomingChannel> {
        if self.attributes.delivered || self.attributes.values.is_empty() {
            return None;
        }
        self.attributes.sent_with = Some(client_id.to_owned());
        Some(IncomingChannel {
            metadata: Some(ChannelMetadata {
                custom_attributes: self.attributes.values.clone(),
            }),
        })
    }

    /// A message was confirmed: if it carried the attributes, they are delivered.
    pub(super) fn attributes_confirmed(&mut self, client_id: &str) {
        if self.attributes.sent_with.as_deref() == Some(client_id) {
            self.attributes.delivered = true;
            self.attributes.sent_with = None;
        }
    }

    /// The server refused the attributes (4013): they would fail every message, so drop them.
    pub(super) fn attributes_refused(&mut self) {
        self.attributes = Default::default();
        self.attributes.delivered = true;
    }

    /// Whether the outbox may put messages on the socket now.
    pub(super) fn may_send(&self) -> bool {
        self.phase == Phase::Ready
            && self.socket_open()
            && !self.history.gated()
            && self.new_chat == NewChat::No
            && self.ending.is_none()
    }

    /// Sends what the outbox has due.
    pub(super) fn pump(&mut self, now: Millis) {
        self.request_uploads(now);
        while self.may_send() {
            let Some(message) = self.outbox.due(now).cloned() else {
                break;
            };
            let Some(token) = self.token.clone() else {
                break;
            };
            let metadata =
                BTreeMap::from([(CLIENT_MESSAGE_ID_KEY.to_owned(), message.client_id.clone())]);
            let channel = self.attributes_for(&message.client_id);
            self.send(ClientRequest::OnMessage(OnMessage {
                token,
                tracing_id: Some(message.client_id.clone()),
                message: IncomingMessage {
                    message_type: message.message_type,
                    text: Some(message.text.clone()),
                    content: message.content.clone(),
                    events: Vec::new(),
                    metadata,
                    channel,
                },
                channel: None,
                time: None,
            }));
            self.outbox.sent(&message.client_id, now);
            self.transcript
                .set_delivery(&message.client_id, Delivery::Sending);
            self.dirty = true;
        }
    }
}
