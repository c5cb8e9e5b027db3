//! What each server frame means for the conversation (PROTOCOL.md §1.5, §1.7, §1.8).
//!
//! Every frame from the current socket first proves the socket alive (heartbeat). Then:
//! - `SessionResponse` → ready (or ended if read-only); a resumed session fetches a fresh JWT
//!   and history; a new chat clears the transcript.
//! - `StructuredMessage` → Inbound: the echo of a guest message (matched by tracingId or the
//!   client id in metadata; unknown ones come from another tab and are added); Outbound: agent
//!   text and content, typing, presence Disconnect.
//! - **History without metadata.** Genesys treats `metadata` as free-form and no official
//!   client sends it, so a history entry may come back without Parley's client id. Such an
//!   Inbound entry confirms our *oldest unconfirmed* message (sent on a socket that died, or
//!   restored after a reload) when all of these hold: its message id is new to the transcript;
//!   its text equals what we sent (trimmed) and its content items match ours one for one (same
//!   attachment id, same button answer); and its server time is not older than the newest
//!   guest message the server already confirmed (the time window: what arrived before that
//!   cannot be a message we are still unsure about). Entries are read oldest first and one
//!   message is in flight at a time, so matching only the oldest keeps send order. The limit
//!   is candid: two identical texts sent in a row, the first lost and the second delivered,
//!   look alike; the engine then takes the delivered one for the first and sends the second
//!   again, so the agent sees that text twice rather than the guest losing one.
//! - `TooManyRequestsErrorMessage` → the message waits `retryAfter` and goes again.
//! - Upload answers (`PresignedUrlResponse`, `UploadSuccessEvent`, `UploadFailureEvent`,
//!   `GenerateUrlError`) move the upload they name along (see `attaching`), whatever the
//!   frame's code; an error frame whose tracingId is an `onAttachment`'s fails that upload.
//! - Error frames → 4006/4007 expire the session; 4011/4013 fail the message they answer; a
//!   403 answering a typing event turns guest typing off; an error answering `configureSession`
//!   closes the conversation with that reason; anything else is recorded for diagnostics.
//! - Unknown classes and undecodable bodies are counted and ignored.

use crate::genesys::{
    Content, Direction, ErrorCode, Event, FrameBody, FrameType, MessageType, PresenceType,
    ServerFrame, SessionResponse, StructuredMessage, TooManyRequestsErrorMessage, TypingType,
};

use super::heartbeat::HEARTBEAT_TRACING_PREFIX;
use super::timestamp::parse_millis;
use super::transcript::{
    CLIENT_MESSAGE_ID_KEY, Delivery, FailReason, Merge, Notice, OriginatingEntity,
};
use super::typing::Typist;
use super::uploads::UploadFailure;
use super::{CloseReason, Effect, Engine, Millis, NewChat, Phase, SessionLimits};

impl Engine {
    pub(super) fn frame(&mut self, frame: ServerFrame, now: Millis) {
        self.heartbeat.frame_received(now);
        let tracing_id = frame.tracing_id;
        let code = frame.code;
        let frame_type = frame.frame_type;
        match frame.body {
            FrameBody::PresignedUrlResponse(body) => {
                self.upload_url(&body.attachment_id, body.url, body.headers, now);
            }
            FrameBody::UploadSuccessEvent(body) => {
                self.upload_succeeded(&body.attachment_id, &body.download_url);
            }
            FrameBody::UploadFailureEvent(body) => {
                let failure = UploadFailure::Refused {
                    code: body.error_code,
                    message: body.error_message,
                };
                self.fail_upload(&body.attachment_id, failure);
            }
            FrameBody::GenerateUrlError(body) => {
                let failure = UploadFailure::Refused {
                    code: body.error_code,
                    message: body.error_message,
                };
                self.fail_upload(&body.attachment_id, failure);
            }
            FrameBody::TooManyRequestsErrorMessage(body) => {
                self.rate_limited(tracing_id.as_deref(), &body, now);
            }
            FrameBody::Error(text) => self.error_frame(code, text, tracing_id.as_deref(), now),
            FrameBody::ErrorMessage(body) => {
                let code = body.error_code.unwrap_or(code);
                let text = body.error_message.or(body.message).unwrap_or_default();
                self.error_frame(code, text, tracing_id.as_deref(), now);
            }
            body if code != 200 => {
                let text = format!("{} frame with code {code}", body.class());
                self.error_frame(code, text, tracing_id.as_deref(), now);
            }
            FrameBody::SessionResponse(body) => self.session_response(&body, now),
            FrameBody::StructuredMessage(message) => {
                self.structured(frame_type, &message, tracing_id.as_deref(), now);
            }
            FrameBody::JwtResponse(body) => self.jwt_received(body.jwt, now),
            FrameBody::SessionExpiredEvent => self.expire(now),
            FrameBody::SessionClearedEvent => {
                if self.clearing.is_some() {
                    self.finish_clear(now);
                } else {
                    self.reset_conversation(None);
                }
            }
            FrameBody::ConnectionClosedEvent(body) => {
                let signed_in = body.reason.as_deref() == Some("signedIn");
                self.closed_by_server(now, body.reason, signed_in);
            }
            FrameBody::LogoutEvent => self.closed_by_server(now, Some("loggedOut".into()), true),
            FrameBody::Unknown { class, .. } | FrameBody::Undecodable { class, .. } => {
                self.diagnostics.unknown_frames += 1;
                self.diagnostics.last_error = Some(format!("ignored frame of class {class}"));
                self.dirty = true;
            }
            // Removed uploads are forgotten when the guest removes them; the configuration
            // answer carries nothing the engine uses.
            _ => {}
        }
    }

    fn session_response(&mut self, response: &SessionResponse, now: Millis) {
        if !response.connected {
            self.configure_deadline = None;
            self.session_closed_for_new_chat(now);
            return;
        }
        if self.new_chat == NewChat::Closing {
            // Answers a configureSession sent before the guest asked for a new chat; the
            // closeSession's answer follows.
            return;
        }
        self.configure_deadline = None;
        if !matches!(self.phase, Phase::Configuring) {
            return;
        }
        self.limits = SessionLimits {
            allowed_media: response.allowed_media.clone(),
            blocked_extensions: response.blocked_extensions.clone(),
            max_custom_data_bytes: response.max_custom_data_bytes,
        };
        self.ready_since = Some(now);
        let fresh = std::mem::take(&mut self.fresh_session);
        if self.new_chat == NewChat::Configure {
            self.new_chat = NewChat::No;
            self.reset_conversation(Some(Notice::NewConversation));
        } else if response.new_session && !fresh && !self.transcript.entries().is_empty() {
            // We expected to resume, but the server no longer knows the conversation.
            self.transcript.push_notice(Notice::NewConversation, None);
            self.attributes.delivered = false;
        }
        if response.read_only {
            self.end_read_only();
        } else {
            self.set_phase(Phase::Ready);
        }
        if response.new_session {
            self.history.reset();
            self.resolve_unconfirmed();
        } else {
            self.catch_up(now, true);
        }
        self.dirty = true;
    }

    fn end_read_only(&mut self) {
        for client_id in self.outbox.fail_all(FailReason::SessionEnded) {
            self.transcript
                .set_delivery(&client_id, Delivery::Failed(FailReason::SessionEnded));
        }
        self.agent_typing.stopped();
        self.set_phase(Phase::Ended);
    }

    fn structured(
        &mut self,
        frame_type: FrameType,
        message: &StructuredMessage,
        tracing_id: Option<&str>,
        now: Millis,
    ) {
        if self.ready_since.is_some() {
            // A message or an echo on a configured connection: it is healthy (see backoff).
            self.carried_traffic = true;
        }
        if is_heartbeat_reply(frame_type, message, tracing_id) {
            return;
        }
        match (message.direction, message.message_type) {
            // Echoes of our own typing / presence events carry nothing to show.
            (Direction::Inbound, MessageType::Event) => {}
            (Direction::Inbound, _) => self.guest_message(message, tracing_id, None, true),
            (_, MessageType::Event) => self.agent_events(message, now),
            (_, _) => self.agent_message(message, None, true),
        }
    }

    /// A guest message from a live echo (`live`) or history; confirms our own when it matches.
    pub(super) fn guest_message(
        &mut self,
        message: &StructuredMessage,
        tracing_id: Option<&str>,
        fallback: Option<i64>,
        live: bool,
    ) {
        let ours =
            tracing_id.filter(|id| self.outbox.contains(id) || self.transcript.guest(id).is_some());
        let client_id = ours
            .or_else(|| {
                message
                    .metadata
                    .get(CLIENT_MESSAGE_ID_KEY)
                    .map(String::as_str)
            })
            .map(str::to_owned)
            .or_else(|| {
                (!live)
                    .then(|| self.match_without_metadata(message))
                    .flatten()
            });
        if self
            .transcript
            .merge_guest(message, client_id.as_deref(), fallback, live)
            != Merge::Duplicate
        {
            self.dirty = true;
        }
        if let Some(client_id) = client_id
            && self.outbox.confirmed(&client_id)
        {
            self.transcript.set_delivery(&client_id, Delivery::Sent);
            self.attributes_confirmed(&client_id);
            self.dirty = true;
        }
    }

    /// A history entry without a client id (Genesys need not keep `metadata`): is it the oldest
    /// of our unconfirmed messages? See the module docs for the rule.
    fn match_without_metadata(&self, message: &StructuredMessage) -> Option<String> {
        if message.id.is_empty() || self.transcript.knows_message(&message.id) {
            return None;
        }
        let candidate = self.outbox.oldest_unconfirmed()?;
        let same_text = message.text.as_deref().unwrap_or("").trim() == candidate.text.trim();
        let same_content = message.content.len() == candidate.content.len()
            && message
                .content
                .iter()
                .zip(&candidate.content)
                .all(|(theirs, ours)| same_item(theirs, ours));
        // The time window: only what the server received after the newest of our messages it
        // already confirmed can be a message we are still unsure about.
        let after_confirmed = match (
            message.time().and_then(parse_millis),
            self.transcript.latest_confirmed_guest_millis(),
        ) {
            (Some(at), Some(confirmed)) => at >= confirmed,
            _ => true,
        };
        (same_text && same_content && after_confirmed).then(|| candidate.client_id.clone())
    }

    /// Agent text or content; `live` frames may announce a handover.
    pub(super) fn agent_message(
        &mut self,
        message: &StructuredMessage,
        fallback: Option<i64>,
        live: bool,
    ) {
        if live {
            self.agent_typing.stopped();
            self.dirty = true;
        }
        if !message.id.is_empty() && self.transcript.knows_message(&message.id) {
            return;
        }
        let nickname = message
            .sender()
            .and_then(|from| from.nickname.clone())
            .filter(|nickname| !nickname.trim().is_empty());
        if let Some(nickname) = nickname
            && self.last_nickname.as_ref() != Some(&nickname)
        {
            let human = message
                .originating_entity
                .as_deref()
                .and_then(OriginatingEntity::from_wire)
                == Some(OriginatingEntity::Human);
            if live && (self.last_nickname.is_some() || human) {
                self.transcript.push_notice(
                    Notice::AgentJoined {
                        nickname: nickname.clone(),
                    },
                    message.time(),
                );
            }
            self.last_nickname = Some(nickname);
        }
        if self.transcript.merge_agent(message, fallback, live) == Merge::Added {
            self.dirty = true;
        }
    }

    fn agent_events(&mut self, message: &StructuredMessage, now: Millis) {
        if !self.transcript.remember_event(&message.id) {
            return;
        }
        for event in &message.events {
            match event {
                Event::Typing(typing) => match typing.typing_type {
                    TypingType::Off => self.agent_typing.stopped(),
                    _ => {
                        let who = self.typist(message);
                        self.agent_typing.started(now, typing.duration, who);
                    }
                },
                Event::Presence(presence) if presence.presence_type == PresenceType::Disconnect => {
                    let read_only = self
                        .config
                        .deployment
                        .after_disconnect
                        .ends_conversation(message.marks_read_only());
                    self.transcript
                        .push_notice(Notice::ConversationEnded { read_only }, message.time());
                    self.agent_typing.stopped();
                    if read_only {
                        self.end_read_only();
                    } else if self.config.deployment.after_disconnect
                        == super::AfterDisconnect::KeepWriting
                    {
                        // The next message starts a new conversation: it needs the attributes.
                        self.attributes.delivered = self.attributes.values.is_empty();
                        self.attributes.sent_with = None;
                    }
                }
                _ => {}
            }
        }
        self.dirty = true;
    }

    /// Who sent a typing event: its sender, else the last agent who wrote.
    fn typist(&self, message: &StructuredMessage) -> Typist {
        let from = message.sender();
        let name = from
            .and_then(|from| from.nickname.clone())
            .filter(|name| !name.trim().is_empty());
        let avatar = from.and_then(|from| from.image.clone());
        if name.is_some() {
            return Typist { name, avatar };
        }
        match self.transcript.current_agent() {
            Some(agent) => Typist {
                name: agent.nickname.clone(),
                avatar: avatar.or_else(|| agent.avatar.clone()),
            },
            None => Typist {
                name: self.last_nickname.clone(),
                avatar,
            },
        }
    }

    fn rate_limited(
        &mut self,
        tracing_id: Option<&str>,
        body: &TooManyRequestsErrorMessage,
        now: Millis,
    ) {
        let retry_ms = body.retry_after.max(1).saturating_mul(1_000);
        self.diagnostics.error_frames += 1;
        self.diagnostics.last_error =
            Some(format!("rate limited for {}s", body.retry_after.max(1)));
        let target = match tracing_id {
            Some(id) if self.guest_typing.owns(id) => None,
            Some(id) if self.outbox.contains(id) => Some(id.to_owned()),
            _ => self.outbox.in_flight().map(str::to_owned),
        };
        match target {
            Some(client_id) => {
                if let Some(delivery) = self.outbox.rate_limited(&client_id, retry_ms, now) {
                    self.transcript.set_delivery(&client_id, delivery);
                }
            }
            None => self
                .outbox
                .pacer()
                .pause_until(now.saturating_add(retry_ms)),
        }
        self.dirty = true;
    }

    fn error_frame(&mut self, code: u16, text: String, tracing_id: Option<&str>, now: Millis) {
        self.diagnostics.error_frames += 1;
        self.diagnostics.last_error = Some(format!("error {code}: {text}"));
        self.dirty = true;
        let known = ErrorCode::from_code(code);
        // Genesys's 403 for disabled typing may come without a tracingId: a 403 with none,
        // while ready and right after a typing event, is taken to answer it.
        let answers_typing = match tracing_id {
            Some(id) => self.guest_typing.owns(id),
            None => {
                known == Some(ErrorCode::Forbidden)
                    && self.phase == Phase::Ready
                    && self.guest_typing.sent_recently(now)
            }
        };
        if answers_typing {
            if known == Some(ErrorCode::Forbidden) {
                self.guest_typing.disable();
            }
            return;
        }
        if tracing_id.is_some() && tracing_id == self.clearing.as_deref() {
            // The server refuses Clear (403 when the deployment does not enable it): end the
            // way it does allow.
            self.clear_refused();
            return;
        }
        match known {
            Some(ErrorCode::SessionHasExpired | ErrorCode::SessionNotFound) => {
                self.expire(now);
                return;
            }
            Some(ErrorCode::TooManyRequests | ErrorCode::RequestRateTooHigh) => {
                let body = TooManyRequestsErrorMessage {
                    retry_after: 1,
                    ..Default::default()
                };
                self.rate_limited(tracing_id, &body, now);
                return;
            }
            _ => {}
        }
        if let Some(id) = tracing_id
            && self.upload_error(id, code, &text)
        {
            return;
        }
        let ours = tracing_id
            .filter(|id| self.outbox.contains(id))
            .map(str::to_owned);
        let reason = match known {
            Some(ErrorCode::MessageTooLong) => Some(FailReason::TooLong),
            Some(ErrorCode::CustomAttributeSizeTooLarge) => Some(FailReason::AttributesTooLarge),
            _ if ours.is_some() => Some(FailReason::Rejected {
                code,
                message: text.clone(),
            }),
            _ => None,
        };
        if reason == Some(FailReason::AttributesTooLarge) {
            self.attributes_refused();
        }
        if let Some(reason) = reason {
            let target = ours.or_else(|| self.outbox.in_flight().map(str::to_owned));
            if let Some(client_id) = target
                && let Some(delivery) = self.outbox.fail(&client_id, reason)
            {
                self.transcript.set_delivery(&client_id, delivery);
            }
            return;
        }
        if self.phase == Phase::Configuring {
            // configureSession (or closeSession) refused: there is no session to talk in.
            self.closed_rejected(code, text);
        }
    }

    fn closed_rejected(&mut self, code: u16, message: String) {
        self.new_chat = NewChat::No;
        self.configure_deadline = None;
        self.set_phase(Phase::Closed(CloseReason::Rejected { code, message }));
        if let Some(socket) = self.socket {
            self.effects
                .push_back(Effect::CloseSocket { socket: socket.id });
        }
        self.socket = None;
        self.heartbeat.stop();
        self.outbox.connection_lost();
        // No session will take them: they fail, with Retry, instead of "sending" for ever
        // (a new chat carries them into its session).
        for client_id in self.outbox.fail_all(FailReason::SessionEnded) {
            self.transcript
                .set_delivery(&client_id, Delivery::Failed(FailReason::SessionEnded));
        }
    }
}

/// Whether a content item in history is the one we sent: the same kind, and for the kinds we
/// send the same attachment id or the same button answer.
fn same_item(theirs: &Content, ours: &Content) -> bool {
    match (theirs, ours) {
        (Content::Attachment(a), Content::Attachment(b)) => a.id == b.id,
        (Content::ButtonResponse(a), Content::ButtonResponse(b)) => {
            a.payload == b.payload && a.text == b.text
        }
        (a, b) => a.content_type() == b.content_type(),
    }
}

/// The reply to our `echo`: carries our heartbeat tracingId, or is a `response`-type Inbound
/// "ping" (guest messages and their echoes are always pushed as `message`).
fn is_heartbeat_reply(
    frame_type: FrameType,
    message: &StructuredMessage,
    tracing_id: Option<&str>,
) -> bool {
    tracing_id.is_some_and(|id| id.starts_with(HEARTBEAT_TRACING_PREFIX))
        || (frame_type == FrameType::Response
            && message.direction == Direction::Inbound
            && message.text.as_deref() == Some("ping"))
}
