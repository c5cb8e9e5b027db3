//! Guest actions: send text, answer a quick reply or button, type, retry; and the pump that
//! moves the outbox onto the socket.
//!
//! A guest message is checked first (empty and over-long text are refused with a
//! [`Refused`], nothing queued), then shown at once as an optimistic bubble and queued in the
//! [`super::outbox`]. The pump sends it when the connection is ready, no resend is held by a
//! history catch-up, the previous message is echoed and the pacing window has room.
//!
//! **Messages before typing.** Typing events travel as `onMessage` too. They never make a
//! message wait: one is sent only when the line is quiet (nothing queued or in flight, no
//! message in the last second), at most once per 5 s (the transport's throttle, PROTOCOL.md
//! §1.4.4), and it does not draw from the messages' pacing budget, so the messages typed right
//! after it go out at once. Otherwise the keystroke is dropped, never queued. The cost, said
//! plainly: should Genesys count typing events against its 2-per-second limit (the emulator
//! does not, and Genesys's own transport sends typing without regard to it), a visitor who
//! sends two messages within a second of a typing event may see the second answered with a
//! 429, which the outbox retries after `retryAfter`.

use std::collections::BTreeMap;

use crate::genesys::{
    ChannelMetadata, ClientRequest, Content, IncomingChannel, IncomingMessage, MessageType,
    OnMessage,
};

use super::choices::ChoiceId;
use super::outbox::PendingMessage;
use super::transcript::{CLIENT_MESSAGE_ID_KEY, Delivery};
use super::{ClientMessageId, Engine, Millis, NewChat, Phase, Refused};

impl Engine {
    /// Checks and queues guest text; its client id, or why it was refused (nothing queued).
    pub(super) fn queue_text(&mut self, text: String) -> Result<ClientMessageId, Refused> {
        self.check_can_send()?;
        if text.trim().is_empty() {
            return Err(Refused::Empty);
        }
        let chars = text.chars().count();
        if chars > self.config.max_text_chars {
            return Err(Refused::TooLong {
                chars,
                max: self.config.max_text_chars,
            });
        }
        Ok(self.enqueue(MessageType::Text, text.clone(), text, Vec::new()))
    }

    /// Queues the answer to an offered choice (see [`super::choices`]).
    pub(super) fn queue_choice(&mut self, id: &ChoiceId) -> Result<ClientMessageId, Refused> {
        self.check_can_send()?;
        let choice = self.offered_choice(id).ok_or(Refused::ChoiceNotOffered)?;
        let label = choice.label.clone();
        let wire = IncomingMessage::button_response(choice.response());
        Ok(self.enqueue(
            wire.message_type,
            wire.text.unwrap_or_default(),
            label,
            wire.content,
        ))
    }

    /// Shows the bubble and queues the message under a fresh client id.
    fn enqueue(
        &mut self,
        message_type: MessageType,
        wire_text: String,
        shown_text: String,
        content: Vec<Content>,
    ) -> ClientMessageId {
        let shown = content.clone();
        self.enqueue_with(message_type, wire_text, shown_text, content, shown)
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
    ) -> ClientMessageId {
        let client_id = self.ids.next_id();
        self.transcript
            .push_guest(&client_id, shown_text.clone(), shown_content.clone());
        let custom_attributes = self.claim_attributes(&client_id);
        self.outbox.push(PendingMessage {
            client_id: client_id.clone(),
            message_type,
            text: wire_text,
            content,
            shown_text,
            shown_content,
            custom_attributes,
        });
        self.dirty = true;
        client_id
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

    /// Sends a typing event if it cannot delay a message (see the module docs): only on a
    /// live connection, at most one per [`GUEST_TYPING_INTERVAL_MS`], and only while no message
    /// is on its way and none went out in the last second; it takes no pacing slot. Otherwise
    /// the keystroke is dropped, never queued: a typing event that arrives late says nothing
    /// true.
    ///
    /// [`GUEST_TYPING_INTERVAL_MS`]: super::typing::GUEST_TYPING_INTERVAL_MS
    pub(super) fn guest_typed(&mut self, now: Millis) {
        if !self.may_send()
            || !self.guest_typing.may_send(now)
            || self.outbox.has_pending()
            || !self.outbox.pacer().idle(now)
        {
            return;
        }
        let Some(token) = self.token.clone() else {
            return;
        };
        let tracing_id = self.ids.next_id();
        self.send(ClientRequest::OnMessage(OnMessage {
            token,
            tracing_id: Some(tracing_id.clone()),
            message: IncomingMessage::typing(),
            channel: None,
            time: None,
        }));
        // Not recorded in the pacer: a typing event never takes a message's slot.
        self.guest_typing.sent(now, tracing_id);
    }

    pub(super) fn retry_failed(&mut self, client_id: &str) -> Result<(), Refused> {
        self.check_can_send()?;
        let delivery = self
            .outbox
            .retry(client_id)
            .ok_or(Refused::NothingToRetry)?;
        self.transcript.set_delivery(client_id, delivery);
        self.dirty = true;
        Ok(())
    }

    pub(super) fn discard_failed(&mut self, client_id: &str) -> Result<(), Refused> {
        let failed = matches!(
            self.transcript.guest(client_id).map(|m| &m.delivery),
            Some(Delivery::Failed(_))
        );
        if !failed {
            return Err(Refused::NothingToRetry);
        }
        self.outbox.remove(client_id);
        self.transcript.remove_guest(client_id);
        self.attributes_released(client_id);
        self.dirty = true;
        Ok(())
    }

    pub(super) fn store_custom_attributes(&mut self, values: BTreeMap<String, String>) {
        if values == self.attributes.values {
            // The same again (a host page setting them on every load): a message already
            // carrying them, or their delivery, still counts.
            return;
        }
        if !self.attributes_fit(&values) {
            return;
        }
        self.attributes.delivered = values.is_empty();
        self.attributes.values = values;
        self.attributes.sent_with = None;
    }

    /// Whether `values` fit the session's `maxCustomDataBytes` (as JSON, as the server counts
    /// them); when they do not, [`super::Diagnostics::last_error`] says so. Unknown before the
    /// first `SessionResponse`: then they fit.
    fn attributes_fit(&mut self, values: &BTreeMap<String, String>) -> bool {
        let bytes = serde_json::to_string(values).map_or(0, |json| json.len());
        match self.limits.max_custom_data_bytes {
            Some(max) if bytes as u64 > max => {
                self.diagnostics.last_error = Some(format!(
                    "custom attributes take {bytes} bytes, over the session's {max}: not sent"
                ));
                self.dirty = true;
                false
            }
            _ => true,
        }
    }

    /// The attributes a new message must carry: all of them while no earlier message carries
    /// them and none delivered them; that message then holds them until it is delivered.
    fn claim_attributes(&mut self, client_id: &str) -> BTreeMap<String, String> {
        let due = !self.attributes.delivered
            && !self.attributes.values.is_empty()
            && self.attributes.sent_with.is_none();
        if !due {
            return BTreeMap::new();
        }
        self.attributes.sent_with = Some(client_id.to_owned());
        self.attributes.values.clone()
    }

    /// A message restored after a reload carries attributes: they are on their way with it.
    pub(super) fn attributes_restored(
        &mut self,
        client_id: &str,
        values: &BTreeMap<String, String>,
    ) {
        if !values.is_empty() && self.attributes.sent_with.is_none() {
            self.attributes.values = values.clone();
            self.attributes.delivered = false;
            self.attributes.sent_with = Some(client_id.to_owned());
        }
    }

    /// The message holding the attributes was given up: the next message carries them.
    pub(super) fn attributes_released(&mut self, client_id: &str) {
        if self.attributes.sent_with.as_deref() == Some(client_id) {
            self.attributes.sent_with = None;
        }
    }

    /// The channel carrying a message's attributes, if it has some that fit the session (the
    /// limit may have become known only after the message was written).
    fn channel_for(&mut self, attributes: &BTreeMap<String, String>) -> Option<IncomingChannel> {
        if attributes.is_empty() || !self.attributes_fit(attributes) {
            return None;
        }
        Some(IncomingChannel {
            metadata: Some(ChannelMetadata {
                custom_attributes: attributes.clone(),
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
        self.outbox.drop_custom_attributes();
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
            let channel = self.channel_for(&message.custom_attributes);
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
