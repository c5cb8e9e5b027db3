//! The connection lifecycle: grant → socket → `configureSession` → ready, and everything that
//! ends or restarts it (unexpected close, dead heartbeat, expiry, new chat, guest close).
//!
//! Rules decided here:
//! - An unexpected close (or a heartbeat left unanswered) leads to `Reconnecting` after a
//!   jittered exponential delay ([`super::backoff`]); [`Input::NetworkBack`] skips the wait.
//!   The same token is configured again; what happens next is in `frames` (the
//!   `SessionResponse`) and `catch_up` (history, then resends).
//! - `SessionResponse` must arrive within 10 s of `configureSession`, or the socket counts as
//!   dead, so a half-open socket cannot leave the guest in `Configuring` forever.
//! - "Start new chat" on a live socket runs `closeSession` → `SessionResponse{connected:false}`
//!   → `configureSession{startNew:true}` (PROTOCOL.md §1.8); without a live socket after a
//!   read-only end it configures with `startNew:true` on the next socket; after expiry or a
//!   close it asks the driver for a brand-new session grant.
//! - "End chat" ([`Engine::end_chat`]) sends `closeSession{closeAllConnections:true}` and waits
//!   for `SessionResponse{connected:false}` (or the socket closing, or 5 s): then the
//!   conversation is [`Phase::Ended`] with a "conversation ended" notice, the token forgotten and
//!   the socket closed. Without a live socket it ends at once. "Start new chat" from there asks
//!   for a brand-new session rather than `startNew` on the old token (PROTOCOL.md §1.8 allows
//!   either): the token is already forgotten, as UI-CONTRACT requires of an ended session.
//!   When the deployment enables `conversationClear` ([`super::DeploymentRules`]) it sends
//!   Presence `Clear` instead (PROTOCOL.md §1.4.4, §1.8) and its `SessionClearedEvent` ends it
//!   with nothing kept (transcript, unsent messages, token); a refused Clear falls back to
//!   `closeSession`.
//! - Expiry (`SessionExpiredEvent`, 4006, 4007) forgets the token. With
//!   [`super::EngineConfig::auto_restart_on_expiry`] (the default) the old transcript gives
//!   way to a lasting "session expired" notice, a fresh session is requested at once (no
//!   resume token), and the messages the old session did not confirm follow the notice and go
//!   out again in the new one, in order; otherwise the engine stays [`Phase::Expired`] with
//!   them failed, and a new chat keeps them failed with Retry. Nothing typed is dropped.
//!
//! [`Input::NetworkBack`]: super::Input::NetworkBack

use crate::genesys::{
    ClientRequest, CloseSession, ConfigureSession, Echo, IncomingMessage, OnMessage, PresenceType,
};

use super::heartbeat::{HEARTBEAT_TRACING_PREFIX, PROBE_TIMEOUT_MS, Pulse};
use super::transcript::{FailReason, Notice};
use super::{
    CloseReason, Effect, Engine, Grant, Millis, NewChat, Phase, Refused, Socket, SocketId,
};

/// How long a session grant may take before it counts as refused.
pub const GRANT_TIMEOUT_MS: Millis = 20_000;

/// How long "End chat" waits for the answer to its `closeSession`.
pub const END_CHAT_TIMEOUT_MS: Millis = 5_000;

impl Engine {
    /// Starts (or, after the guest closed the chat or no grant could be had, restarts) the
    /// conversation, resuming the known token.
    pub(super) fn start_session(&mut self, now: Millis) {
        let startable = matches!(
            self.phase,
            Phase::Idle | Phase::Closed(CloseReason::GuestLeft | CloseReason::NoSession(_))
        );
        if startable {
            self.request_session(self.token.clone(), now);
        }
    }

    pub(super) fn request_session(&mut self, resume_token: Option<String>, now: Millis) {
        self.grant_deadline = Some(now.saturating_add(GRANT_TIMEOUT_MS));
        self.fresh_session = resume_token.is_none();
        self.following = false;
        self.set_phase(Phase::RequestingSession);
        self.effects
            .push_back(Effect::RequestSession { resume_token });
    }

    pub(super) fn granted(&mut self, grant: Grant, now: Millis) {
        if self.phase != Phase::RequestingSession {
            return;
        }
        if self.following && self.token.as_deref() != Some(grant.token.as_str()) {
            // The answer to a request made before this tab followed another's token.
            return;
        }
        self.following = false;
        self.grant_deadline = None;
        if self.token.as_deref() != Some(grant.token.as_str()) {
            self.effects.push_back(Effect::PersistToken {
                token: grant.token.clone(),
            });
        }
        self.token = Some(grant.token.clone());
        self.grant = Some(grant);
        self.backoff.reset();
        self.open_socket(now);
    }

    pub(super) fn refused_grant(&mut self, reason: String) {
        if self.phase == Phase::RequestingSession {
            self.grant_deadline = None;
            // The phase carries the reason (typed): it is not also a diagnostic.
            self.set_phase(Phase::Closed(CloseReason::NoSession(reason)));
        }
    }

    fn open_socket(&mut self, _now: Millis) {
        let Some(grant) = &self.grant else { return };
        self.next_socket += 1;
        let id = SocketId(self.next_socket);
        self.socket = Some(Socket { id, open: false });
        self.effects.push_back(Effect::OpenSocket {
            socket: id,
            url: grant.websocket_url.clone(),
        });
        if !matches!(self.phase, Phase::Ended) {
            self.set_phase(Phase::Connecting);
        }
    }

    pub(super) fn socket_opened(&mut self, socket: SocketId, now: Millis) {
        if !self.is_current(socket) {
            // A socket we no longer want (the engine moved on before it opened).
            self.effects.push_back(Effect::CloseSocket { socket });
            return;
        }
        match &mut self.socket {
            Some(current) if !current.open => current.open = true,
            _ => return, // reported twice
        }
        self.heartbeat.start(now);
        self.configure(now);
    }

    /// Sends `configureSession` for the current token.
    fn configure(&mut self, now: Millis) {
        let Some(token) = self.token.clone() else {
            return;
        };
        let start_new = self.new_chat == NewChat::Configure;
        let deployment_id = match &self.grant {
            Some(grant) if !grant.deployment_id.is_empty() => grant.deployment_id.clone(),
            _ => self.config.deployment_id.clone(),
        };
        let request = ClientRequest::ConfigureSession(ConfigureSession {
            deployment_id,
            token,
            start_new: start_new.then_some(true),
            journey_context: None,
            tracing_id: Some(self.ids.next_id()),
        });
        self.send(request);
        self.configure_deadline = Some(now + PROBE_TIMEOUT_MS);
        self.set_phase(Phase::Configuring);
    }

    pub(super) fn socket_closed(
        &mut self,
        socket: SocketId,
        code: Option<u16>,
        clean: bool,
        now: Millis,
    ) {
        if !self.is_current(socket) {
            return;
        }
        if !clean || code.is_some_and(|code| code != 1000) {
            self.diagnostics.last_error = Some(match code {
                Some(code) => format!("socket closed with code {code}"),
                None => "socket failed".to_owned(),
            });
        }
        self.dirty = true;
        if self.ending.is_some() {
            // The server closed the socket after our closeSession: that ends it too.
            self.finish_end_chat(now);
            return;
        }
        self.connection_lost(now);
    }

    /// The current socket is gone (closed, failed, or declared dead by us).
    fn connection_lost(&mut self, now: Millis) {
        self.socket = None;
        self.heartbeat.stop();
        self.configure_deadline = None;
        self.history.cancel();
        self.jwt = None;
        self.outbox.connection_lost();
        self.uploads_connection_lost();
        if self.agent_typing.deadline().is_some() {
            self.agent_typing.stopped();
        }
        self.backoff
            .connection_ended(self.ready_since, self.carried_traffic, now);
        self.ready_since = None;
        self.carried_traffic = false;
        let reconnect = match self.phase {
            Phase::Connecting | Phase::Configuring | Phase::Ready | Phase::Reconnecting { .. } => {
                true
            }
            // A read-only conversation has nothing more to receive; a new chat reconnects.
            Phase::Ended => self.new_chat != NewChat::No,
            Phase::Idle | Phase::RequestingSession | Phase::Expired | Phase::Closed(_) => false,
        };
        if reconnect {
            if self.new_chat == NewChat::Closing {
                // The closeSession may or may not have landed; startNew works either way.
                self.new_chat = NewChat::Configure;
            }
            let delay = self.backoff.next_delay(&mut self.jitter);
            self.set_phase(Phase::Reconnecting {
                attempt: self.backoff.attempt(),
                at: now.saturating_add(delay),
            });
        }
    }

    /// Closes our socket ourselves and handles it as lost.
    pub(super) fn drop_socket(&mut self, now: Millis) {
        if let Some(socket) = self.socket {
            self.effects
                .push_back(Effect::CloseSocket { socket: socket.id });
            self.connection_lost(now);
        }
    }

    /// Timer work of the connection: reconnect due, configure timeout, heartbeat.
    pub(super) fn session_timer(&mut self, now: Millis) {
        if self.grant_deadline.is_some_and(|deadline| now >= deadline) {
            // A grant request the network swallowed: closed like a refusal, so that the
            // status line says so and `NetworkBack` or a new chat asks again.
            self.refused_grant("no answer from the session service".to_owned());
            return;
        }
        if self.ending.is_some_and(|deadline| now >= deadline) {
            self.diagnostics.last_error = Some("no answer to closeSession".to_owned());
            self.finish_end_chat(now);
            return;
        }
        if let Phase::Reconnecting { at, .. } = self.phase
            && now >= at
        {
            self.open_socket(now);
            return;
        }
        if self
            .configure_deadline
            .is_some_and(|deadline| now >= deadline)
        {
            self.diagnostics.last_error = Some("no answer to configureSession".to_owned());
            self.drop_socket(now);
            return;
        }
        if !self.socket_open() || !matches!(self.phase, Phase::Ready | Phase::Ended) {
            return;
        }
        match self.heartbeat.poll(now) {
            Pulse::Quiet => {}
            Pulse::Probe => self.probe(now),
            Pulse::Dead => {
                self.diagnostics.last_error = Some("heartbeat unanswered".to_owned());
                self.drop_socket(now);
            }
        }
    }

    /// Sends an `echo`; any frame in reply proves the socket alive.
    fn probe(&mut self, now: Millis) {
        let Some(token) = self.token.clone() else {
            return;
        };
        let tracing_id = format!("{HEARTBEAT_TRACING_PREFIX}{}", self.ids.next_id());
        self.send(ClientRequest::Echo(Echo::ping(token, tracing_id)));
        self.heartbeat.probe_sent(now);
    }

    pub(super) fn network_back(&mut self, now: Millis) {
        match self.phase {
            Phase::Reconnecting { .. } => self.open_socket(now),
            Phase::Ready | Phase::Ended if self.socket_open() => {
                if !self.heartbeat.probing() {
                    self.probe(now);
                }
                if self.history.needs_catch_up() {
                    self.catch_up(now, false);
                }
            }
            Phase::Closed(CloseReason::NoSession(_)) => {
                self.request_session(self.token.clone(), now);
            }
            _ => {}
        }
    }

    pub(super) fn begin_new_chat(&mut self, now: Millis) {
        if self.ending.is_some() {
            // "End chat" is still waiting for its answer: finish it, then start over.
            self.finish_end_chat(now);
        }
        match self.phase {
            Phase::Idle | Phase::RequestingSession => {}
            Phase::Ended if self.token.is_none() => self.restart_fresh(now),
            Phase::Expired | Phase::Closed(_) => self.restart_fresh(now),
            Phase::Ready | Phase::Ended | Phase::Configuring if self.socket_open() => {
                let Some(token) = self.token.clone() else {
                    return;
                };
                self.new_chat = NewChat::Closing;
                let tracing_id = self.ids.next_id();
                self.send(ClientRequest::CloseSession(CloseSession {
                    token,
                    close_all_connections: true,
                    tracing_id: Some(tracing_id),
                }));
                self.configure_deadline = Some(now + PROBE_TIMEOUT_MS);
                self.set_phase(Phase::Configuring);
            }
            _ => {
                // No live socket: the next configureSession starts the new conversation.
                self.new_chat = NewChat::Configure;
                if self.phase == Phase::Ended {
                    self.open_socket(now);
                }
            }
        }
    }

    /// A blank conversation on a brand-new session (the old token is forgotten). Messages the
    /// old one failed stay, with Retry: the visitor decides.
    fn restart_fresh(&mut self, now: Millis) {
        self.drop_socket(now);
        self.reset_conversation(None);
        self.new_chat = NewChat::No;
        self.grant = None;
        if self.token.take().is_some() {
            self.effects.push_back(Effect::ForgetToken);
        }
        self.request_session(None, now);
    }

    /// "End chat": `closeSession` and wait for its answer, or end at once without a socket.
    pub(super) fn begin_end_chat(&mut self, now: Millis) -> Result<(), Refused> {
        if self.phase == Phase::Idle {
            return Err(Refused::NoSession);
        }
        if self.ending.is_some() {
            return Ok(());
        }
        self.new_chat = NewChat::No;
        match self.token.clone() {
            Some(token) if self.socket_open() => {
                let tracing_id = self.ids.next_id();
                if self.config.deployment.clear_on_end {
                    self.clearing = Some(tracing_id.clone());
                    self.send(ClientRequest::OnMessage(OnMessage {
                        token,
                        tracing_id: Some(tracing_id),
                        message: IncomingMessage::presence(PresenceType::Clear),
                        channel: None,
                        time: None,
                    }));
                } else {
                    self.send(ClientRequest::CloseSession(CloseSession {
                        token,
                        close_all_connections: true,
                        tracing_id: Some(tracing_id),
                    }));
                }
                self.configure_deadline = None;
                self.ending = Some(now + END_CHAT_TIMEOUT_MS);
                self.dirty = true;
            }
            _ => self.finish_end_chat(now),
        }
        Ok(())
    }

    /// The server refused the guest's Clear: "End chat" closes the session instead, within the
    /// same deadline.
    pub(super) fn clear_refused(&mut self) {
        self.clearing = None;
        if let Some(token) = self.token.clone() {
            let tracing_id = self.ids.next_id();
            self.send(ClientRequest::CloseSession(CloseSession {
                token,
                close_all_connections: true,
                tracing_id: Some(tracing_id),
            }));
        }
    }

    /// `SessionClearedEvent` answered the guest's Clear: nothing of the conversation is kept —
    /// not the transcript, not the messages still on their way, not the token.
    pub(super) fn finish_clear(&mut self, now: Millis) {
        self.outbox.clear();
        self.transcript.clear();
        self.last_nickname = None;
        self.attributes.delivered = self.attributes.values.is_empty();
        self.attributes.sent_with = None;
        self.finish_end_chat(now);
    }

    /// The guest's "End chat" is complete: ended, token forgotten, socket closed.
    pub(super) fn finish_end_chat(&mut self, now: Millis) {
        self.ending = None;
        self.clearing = None;
        let forget = self.token.is_some();
        self.end_session(now, Notice::ConversationEnded { read_only: true }, forget);
        self.agent_typing.stopped();
        self.set_phase(Phase::Ended);
    }

    /// `SessionResponse{connected:false}` answered our closeSession: configure anew.
    pub(super) fn session_closed_for_new_chat(&mut self, now: Millis) {
        if self.ending.is_some() {
            self.finish_end_chat(now);
            return;
        }
        if self.new_chat == NewChat::Closing {
            self.new_chat = NewChat::Configure;
            self.configure(now);
        }
    }

    /// Forgets the conversation shown (a new one begins, or the server cleared it), opening it
    /// with `notice`. The guest's messages not yet confirmed are never dropped with it: they
    /// stay in the outbox and show again behind the notice, in order (see `expire` for
    /// expiry, where they are also queued for the fresh session).
    pub(super) fn reset_conversation(&mut self, notice: Option<Notice>) {
        self.transcript.clear();
        if let Some(notice) = notice {
            self.transcript.push_notice(notice, None);
        }
        for (message, delivery) in self.outbox.deliveries() {
            self.transcript.push_guest(
                &message.client_id,
                message.shown_text.clone(),
                message.shown_content.clone(),
            );
            self.transcript.set_delivery(&message.client_id, delivery);
        }
        self.abandon_uploads();
        self.agent_typing.stopped();
        self.last_nickname = None;
        self.limits = Default::default();
        // A new conversation needs the custom attributes again.
        self.attributes.delivered = self.attributes.values.is_empty();
        self.attributes.sent_with = None;
        self.dirty = true;
    }

    pub(super) fn close_by_guest(&mut self) {
        if let Some(socket) = self.socket.take() {
            self.effects
                .push_back(Effect::CloseSocket { socket: socket.id });
        }
        self.heartbeat.stop();
        self.configure_deadline = None;
        self.history.cancel();
        self.agent_typing.stopped();
        self.outbox.connection_lost();
        self.set_phase(Phase::Closed(CloseReason::GuestLeft));
    }

    /// The session is dead (SessionExpiredEvent, 4006, 4007): forget the token.
    pub(super) fn expire(&mut self, now: Millis) {
        if self.phase == Phase::Expired {
            return;
        }
        self.ending = None;
        if !self.config.auto_restart_on_expiry {
            self.end_session(now, Notice::SessionExpired, true);
            self.set_phase(Phase::Expired);
            return;
        }
        self.end_session(now, Notice::SessionExpired, true);
        // A blank new conversation, introduced by the lasting notice, carrying what the old
        // session did not confirm: it goes out again, in order, in the new one.
        self.outbox.carry_into_new_session();
        self.reset_conversation(Some(Notice::SessionExpired));
        self.new_chat = NewChat::No;
        self.grant = None;
        self.request_session(None, now);
    }

    /// The server closed this connection for good (`ConnectionClosedEvent`, `LogoutEvent`).
    pub(super) fn closed_by_server(
        &mut self,
        now: Millis,
        reason: Option<String>,
        forget_token: bool,
    ) {
        let notice = Notice::ConnectionClosed {
            reason: reason.clone(),
        };
        self.end_session(now, notice, forget_token);
        let reason = if forget_token {
            CloseReason::SignedInElsewhere
        } else {
            CloseReason::ClosedByServer(reason)
        };
        self.set_phase(Phase::Closed(reason));
    }

    /// Fails whatever cannot be delivered any more, says why, and stops the connection.
    pub(super) fn end_session(&mut self, now: Millis, notice: Notice, forget_token: bool) {
        for client_id in self.outbox.fail_all(FailReason::SessionEnded) {
            self.transcript.set_delivery(
                &client_id,
                super::Delivery::Failed(FailReason::SessionEnded),
            );
        }
        self.abandon_uploads();
        self.transcript.push_notice(notice, None);
        if forget_token {
            self.token = None;
            self.effects.push_back(Effect::ForgetToken);
        }
        self.new_chat = NewChat::No;
        // Leave a terminal phase first so that losing the socket does not schedule a reconnect.
        self.set_phase(Phase::Closed(CloseReason::GuestLeft));
        self.drop_socket(now);
        self.dirty = true;
    }

    /// Queues a request on the current socket.
    pub(super) fn send(&mut self, request: ClientRequest) {
        if let Some(socket) = self.socket {
            self.effects.push_back(Effect::Send {
                socket: socket.id,
                request,
            });
        }
    }

    pub(super) fn set_phase(&mut self, phase: Phase) {
        if self.phase != phase {
            self.phase = phase;
            self.dirty = true;
        }
    }
}
