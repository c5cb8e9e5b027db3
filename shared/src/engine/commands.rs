//! What the guest asks of the conversation, as methods of the engine (quinn-proto's
//! "mutators"): each returns what it created (a client message id, an attachment id) or why
//! it was refused, and queues its effects like [`Engine::handle`] does. A refused command
//! changed nothing, so the UI shows the reason and the visitor's text stays where it was.
//!
//! The world's events (the socket, the timer, answers to effects) are [`super::Input`]s and
//! cannot be refused: the engine takes note of them whatever its state.

use std::collections::BTreeMap;

use super::choices::ChoiceId;
use super::{AttachmentId, ClientMessageId, Engine, Millis, Refused};

impl Engine {
    /// Begins: asks for a session grant, resuming the stored token given at construction.
    /// Also reopens a chat the guest closed ([`Engine::close`]), resuming the same
    /// conversation, and retries after a refused grant. Otherwise does nothing.
    pub fn start(&mut self, now: Millis) {
        self.start_session(now);
        self.settle(now);
    }

    /// The guest sends `text`: shown at once, queued, sent when the connection allows.
    /// Refused when empty, longer than [`super::EngineConfig::max_text_chars`], or when the
    /// conversation cannot take messages (over, or not started).
    pub fn send_text(
        &mut self,
        text: impl Into<String>,
        now: Millis,
    ) -> Result<ClientMessageId, Refused> {
        let result = self.queue_text(text.into());
        self.settle(now);
        result
    }

    /// The guest clicked a quick reply or a card button (read from [`Engine::quick_replies`],
    /// [`Engine::choices`] or [`super::AgentMessage::choices`]): its answer is sent as a guest
    /// message showing the label. Refused when the choice is not on offer.
    pub fn choose(&mut self, choice: &ChoiceId, now: Millis) -> Result<ClientMessageId, Refused> {
        let result = self.queue_choice(choice);
        self.settle(now);
        result
    }

    /// The guest picked a file: checked against the session's limits ([`Engine::limits`])
    /// and one-at-a-time ([`Engine::can_attach`]), then uploaded through
    /// [`super::Effect::Upload`] (keep the bytes under the returned id) and sent as a message
    /// of its own once the server has it.
    pub fn attach(
        &mut self,
        file_name: impl Into<String>,
        mime: impl Into<String>,
        size: u64,
        now: Millis,
    ) -> Result<AttachmentId, Refused> {
        let result = self.queue_attachment(file_name.into(), mime.into(), size, now);
        self.settle(now);
        result
    }

    /// The guest removed a file not sent yet (or dismissed a failed one).
    pub fn remove_attachment(&mut self, attachment_id: &str, now: Millis) -> Result<(), Refused> {
        let result = self.remove_upload(attachment_id);
        self.settle(now);
        result
    }

    /// The guest typed a key. Cheap to call on every keystroke: the engine throttles, and
    /// drops the event whenever sending it could delay a message.
    pub fn typing(&mut self, now: Millis) {
        if self.config.guest_typing {
            self.guest_typed(now);
        }
        self.settle(now);
    }

    /// Whether the guest's typing events are sent at all: the deployment's
    /// `showUserTypingIndicator`, which may arrive after the engine started (with a grant).
    pub fn set_guest_typing(&mut self, send: bool) {
        self.config.guest_typing = send;
    }

    /// The Messenger deployment's rules ([`super::DeploymentRules`], from the deployment's
    /// settings, which may arrive after the engine started): what may be attached, what a
    /// disconnect does, whether "End chat" clears. They apply to what happens next.
    pub fn set_deployment_rules(&mut self, rules: super::DeploymentRules) {
        self.config.deployment = rules;
    }

    /// The guest retries a failed message (its [`super::GuestMessage::client_id`]).
    pub fn retry(&mut self, client_id: &str, now: Millis) -> Result<(), Refused> {
        let result = self.retry_failed(client_id);
        self.settle(now);
        result
    }

    /// The guest gives up on a failed message: it leaves the transcript and the outbox.
    pub fn discard(&mut self, client_id: &str, now: Millis) -> Result<(), Refused> {
        let result = self.discard_failed(client_id);
        self.settle(now);
        result
    }

    /// Custom attributes (participant data, e.g. the visitor's name from the host page) to
    /// send with the next guest message of this and every later conversation, until a message
    /// carrying them is delivered: the first message written after they were set carries them
    /// (persisted with it, so a resend after a reload does too). Replaces any set before;
    /// the same values again change nothing. Attributes larger (as JSON) than
    /// the session's `maxCustomDataBytes` are not kept, and [`super::Diagnostics::last_error`]
    /// says so: they would only make the guest's message fail with 4013.
    pub fn set_custom_attributes(&mut self, attributes: BTreeMap<String, String>, now: Millis) {
        self.store_custom_attributes(attributes);
        self.settle(now);
    }

    /// The guest wants a fresh conversation (after the agent ended it, the session expired, or
    /// whenever they like).
    pub fn start_new_chat(&mut self, now: Millis) {
        self.begin_new_chat(now);
        self.settle(now);
    }

    /// The guest ends the conversation for good ("End chat"): `closeSession` on a live socket
    /// (Presence `Clear` when the deployment enables `conversationClear`: its
    /// `SessionClearedEvent` then wipes the transcript and every unsent message too), then (on `SessionResponse{connected:false}`, the socket closing, or 5 s without an
    /// answer) [`super::Phase::Ended`] with a notice, the token forgotten and the socket closed.
    /// [`Engine::start_new_chat`] then asks for a brand-new session. Refused before
    /// [`Engine::start`].
    pub fn end_chat(&mut self, now: Millis) -> Result<(), Refused> {
        let result = self.begin_end_chat(now);
        self.settle(now);
        result
    }

    /// The guest wants to save the conversation: every page of its history is read into the
    /// transcript (past what a catch-up reads), so that a saved transcript has all of it, not
    /// only what the window showed. Follow [`Engine::whole_history`]. Refused when no
    /// connection is live to ask for the history on: the transcript then holds what it can.
    pub fn read_whole_history(&mut self, now: Millis) -> Result<(), Refused> {
        let started = self.begin_whole_history(now);
        self.settle(now);
        if started {
            Ok(())
        } else {
            Err(Refused::NoSession)
        }
    }

    /// The guest closed the chat: the socket closes, the token is kept for a later
    /// [`Engine::start`].
    pub fn close(&mut self, now: Millis) {
        self.close_by_guest();
        self.settle(now);
    }
}
