//! The sans-I/O conversation engine (DESIGN.md "The engine"): every rule of a guest
//! conversation, decided once, for both drivers (the browser's Leptos app and the tokio
//! headless guest).
//!
//! The engine never touches a socket, a timer, storage or a clock. Its driver turns the world
//! into [`Input`]s, hands them to [`Engine::handle`] with the current time, then carries out the
//! [`Effect`]s the engine queued, in order. The UI renders from the engine's accessors.
//!
//! # Why a queue of effects
//!
//! This is the shape of quinn-proto and str0m: `handle` only mutates state and appends to an
//! internal queue; the driver drains it with [`Engine::poll_effect`] until `None`. A queue
//! (rather than a returned `Vec`) lets one input produce effects from several rules without
//! allocating per call, lets the driver stop midway (e.g. the socket errored) and resume, and
//! keeps the order of effects explicit: they are always executed in the order polled.
//!
//! # The driver contract
//!
//! 1. **Construct** with [`Engine::new`] and an [`EngineConfig`]: the deployment id, the token
//!    found in storage (or `None`), a seed for reconnect jitter (anything random: the clock,
//!    `crypto.getRandomValues`; tests use a constant), and limits (defaults are Genesys's).
//! 2. **Feed inputs** with `engine.handle(input, now_ms)`. `now_ms` is a monotonic millisecond
//!    clock of the driver's choosing (`performance.now()`, `tokio::time::Instant` since start);
//!    it only has to be the same clock for every call. `handle` returns `Err(`[`Refused`]`)`
//!    when a guest action was refused before anything was queued (empty or too long text,
//!    read-only conversation); show it, nothing else happened.
//!    Start with [`Input::Start`].
//! 3. **Execute effects** after every `handle`: `while let Some(effect) = engine.poll_effect()`.
//!    - [`Effect::RequestSession`] → obtain a grant (`POST /api/session`), answer with
//!      [`Input::SessionGranted`] or [`Input::SessionRefused`].
//!    - [`Effect::OpenSocket`] / [`Effect::CloseSocket`] / [`Effect::Send`] → the WebSocket.
//!      Report [`Input::SocketOpened`], each text frame (decode with [`Input::frame_text`]),
//!      and [`Input::SocketClosed`] (also when opening failed), always with the socket's id.
//!    - [`Effect::FetchHistory`] → an HTTP GET; answer with [`Input::HistoryReceived`] /
//!      [`Input::HistoryFailed`].
//!    - [`Effect::ArmTimer`] → one timer slot: "call me at `at`" (replaces the previous
//!      deadline); when it fires, `handle(Input::TimerFired, now)`. It is only emitted when the
//!      deadline changes; a timer left armed after the engine stopped needing it fires a
//!      harmless spurious `TimerFired`. Firing early or late is harmless; firing never is not.
//!    - [`Effect::PersistToken`] / [`Effect::ForgetToken`] → storage.
//!    - [`Effect::Upload`] → `PUT` the bytes of the file the driver kept when it reported
//!      [`Input::AttachFile`] (keyed by the attachment id it then reads from
//!      [`Engine::uploads`]); report [`Input::UploadProgress`] / [`Input::UploadFailed`].
//!      [`Effect::AbortUpload`] → stop that `PUT` and drop the bytes.
//!    - [`Effect::ViewChanged`] → re-read the view accessors below (at most one per `handle`).
//! 4. **Report the world**: [`Input::NetworkBack`] on `online` / `visibilitychange` to visible.
//!
//! ```
//! use parley_shared::engine::{Effect, Engine, EngineConfig, Grant, Input};
//!
//! let mut engine = Engine::new(EngineConfig {
//!     stored_token: None, // or the token read back from storage
//!     seed: 42,           // any randomness
//!     ..EngineConfig::new("deployment-id")
//! });
//! let mut now = 0; // the driver's monotonic clock, in ms
//! engine.handle(Input::Start, now).unwrap();
//! while let Some(effect) = engine.poll_effect() {
//!     match effect {
//!         Effect::RequestSession { .. } => {
//!             // POST /api/session, then:
//!             let grant = Grant {
//!                 token: "token".into(),
//!                 websocket_url: "wss://webmessaging.example/v1?deploymentId=deployment-id".into(),
//!                 api_base_url: "https://api.example".into(),
//!                 deployment_id: "deployment-id".into(),
//!             };
//!             now += 120;
//!             engine.handle(Input::SessionGranted(grant), now).unwrap();
//!         }
//!         Effect::OpenSocket { socket, url } => { /* open `url`, report as `socket` */ }
//!         Effect::Send { socket, request } => { /* send request.to_json() */ }
//!         Effect::ArmTimer { at } => { /* call back with Input::TimerFired at `at` */ }
//!         Effect::ViewChanged => { /* re-render from engine.transcript(), engine.phase() … */ }
//!         _ => {}
//!     }
//! }
//! ```
//!
//! # What the UI reads
//!
//! [`Engine::phase`] (status line, composer enabled?), [`Engine::transcript`] (entries with
//! stable [`Entry::key`]s for keyed lists), [`Engine::agent_typing`] (who, if anyone),
//! [`Engine::uploads`] (files on their way, with progress or the reason they failed),
//! [`Engine::quick_replies`], [`Engine::limits`] (upload rules from the `SessionResponse`),
//! [`Engine::diagnostics`] (ignored frames, last error), [`Engine::view_version`].
//!
//! # Rules at a glance (details in each module)
//!
//! - Guest messages show at once ([`Delivery::Queued`] → [`Delivery::Sending`]) and turn
//!   [`Delivery::Sent`] when the server's echo (matched on the request's tracingId) or a history
//!   entry (matched on [`CLIENT_MESSAGE_ID_KEY`] in `message.metadata`) proves them delivered.
//!   One is in flight at a time, at most 2 `onMessage` per second, a 429 waits `retryAfter`.
//!   After a reconnect an unconfirmed message is resent only once history did not show it.
//! - The transcript is ordered by server time and de-duplicated by message id and client id.
//! - Unexpected closes reconnect with jittered exponential back-off (0.5 s … 30 s); 30 s of
//!   silence sends an `echo`, 10 s more without a frame declares the socket dead.
//! - Read-only disconnects and the guest's [`Input::EndChat`] (`closeSession`, then the token
//!   forgotten) end the conversation ([`Phase::Ended`]); `ConnectionClosedEvent` stops for good
//!   ([`Phase::Closed`]); from both, [`Input::StartNewChat`] starts over. Expiry forgets the
//!   token and starts a fresh session at once under a lasting notice
//!   ([`EngineConfig::auto_restart_on_expiry`]; without it: [`Phase::Expired`]).
//! - Files ([`Input::AttachFile`]) are checked against the session's limits, uploaded through
//!   `onAttachment` and the driver's `PUT`, and sent as a message of their own once the server
//!   has them; the guest's bubble adopts the echo's content (the resolved attachment).
//!
//! # Modules
//!
//! Data flows input → rules → effects: [`input`] / [`effect`] are the vocabulary;
//! `session` (connection lifecycle, end chat, expiry), `frames` (server frames), `catch_up`
//! (history after a reconnect), `sending` (guest actions) and `attaching` (uploads) are the
//! rules, built on the small state machines [`transcript`], [`outbox`], [`uploads`], [`pacing`],
//! [`backoff`], [`jitter`], [`heartbeat`], [`typing`], [`history`] and [`timestamp`].

mod attaching;
pub mod backoff;
mod catch_up;
pub mod effect;
mod frames;
pub mod heartbeat;
pub mod history;
pub mod input;
pub mod jitter;
pub mod outbox;
pub mod pacing;
pub mod phase;
mod redact;
mod sending;
mod session;
pub mod timestamp;
pub mod transcript;
pub mod typing;
pub mod uploads;

use std::collections::VecDeque;

use crate::genesys::{AllowedMedia, Content, QuickReply};

pub use backoff::BackoffPolicy;
pub use effect::{Effect, SocketId};
pub use input::{Grant, Input, Refused};
pub use phase::{CloseReason, Phase};
pub use transcript::{
    AgentMessage, CLIENT_MESSAGE_ID_KEY, Delivery, Entry, EntryKind, FailReason, GuestMessage,
    Notice,
};

use backoff::Backoff;
use heartbeat::Heartbeat;
use history::HistorySync;
use jitter::Jitter;
use outbox::Outbox;
use transcript::Transcript;
use typing::{AgentTyping, GuestTyping};

pub use typing::Typist;
pub use uploads::{Upload, UploadFailure, UploadState};

/// Milliseconds on the driver's monotonic clock.
pub type Millis = u64;

/// How an engine is set up. Its `Debug` output hides the stored token.
#[derive(Clone)]
pub struct EngineConfig {
    /// The Genesys deployment id, sent in `configureSession`.
    pub deployment_id: String,
    /// The token found in storage, to resume that conversation; `None` for a new one.
    pub stored_token: Option<String>,
    /// Seed of the reconnect jitter; see [`jitter`].
    pub seed: u64,
    /// Longest guest text accepted, in characters (Unicode scalar values).
    pub max_text_chars: usize,
    /// `onMessage` requests per second (Genesys enforces 2).
    pub messages_per_second: usize,
    /// Reconnect back-off.
    pub backoff: BackoffPolicy,
    /// History page size.
    pub history_page_size: u32,
    /// Most history pages fetched per catch-up.
    pub max_history_pages: u32,
    /// On expiry, start a fresh session at once (true, the default: the browser's behaviour,
    /// UI-CONTRACT "a new chat will start"); false stays in [`Phase::Expired`] until
    /// [`Input::StartNewChat`] (the headless guest reports expiry as an outcome).
    pub auto_restart_on_expiry: bool,
}

impl EngineConfig {
    /// Genesys's limits and Parley's policies for `deployment_id`.
    pub fn new(deployment_id: impl Into<String>) -> Self {
        Self {
            deployment_id: deployment_id.into(),
            stored_token: None,
            seed: 0,
            max_text_chars: crate::genesys::MAX_TEXT_CHARS,
            messages_per_second: crate::genesys::MAX_MESSAGES_PER_SECOND as usize,
            backoff: BackoffPolicy::default(),
            history_page_size: crate::genesys::HistoryQuery::DEFAULT_PAGE_SIZE,
            max_history_pages: 4,
            auto_restart_on_expiry: true,
        }
    }
}

/// Session limits from the last `SessionResponse`, for the upload UI and custom attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionLimits {
    /// Accepted upload MIME types and maximum size.
    pub allowed_media: Option<AllowedMedia>,
    /// Blocked file extensions.
    pub blocked_extensions: Vec<String>,
    /// Byte budget for custom attributes.
    pub max_custom_data_bytes: Option<u64>,
}

/// Counters for the things the engine ignored, so a developer can see them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// Text frames that were not server frames.
    pub malformed_frames: u64,
    /// Frames of an unknown class, or of a known class with an undecodable body.
    pub unknown_frames: u64,
    /// Error frames received.
    pub error_frames: u64,
    /// The last thing that went wrong, in words (no secrets).
    pub last_error: Option<String>,
}

/// The quick replies currently offered, and the message that offered them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickReplies<'a> {
    /// Put this in the [`crate::genesys::ButtonResponse::originating_message_id`].
    pub message_id: &'a str,
    /// The choices, in order.
    pub replies: Vec<&'a QuickReply>,
}

/// The socket the engine currently uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Socket {
    id: SocketId,
    open: bool,
}

/// What "start new chat" is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NewChat {
    /// Nothing.
    No,
    /// `closeSession` sent; waiting for `SessionResponse{connected:false}`.
    Closing,
    /// The next `configureSession` carries `startNew:true`.
    Configure,
}

/// Custom attributes and whether this conversation has them yet.
#[derive(Debug, Clone, Default)]
struct CustomAttributes {
    values: std::collections::BTreeMap<String, String>,
    delivered: bool,
    /// The message they were last sent with.
    sent_with: Option<String>,
}

/// One guest conversation. See the module docs for how to drive it. Its `Debug` output is a
/// summary without secrets.
pub struct Engine {
    config: EngineConfig,
    phase: Phase,
    grant: Option<Grant>,
    token: Option<String>,
    socket: Option<Socket>,
    next_socket: u64,
    configure_deadline: Option<Millis>,
    ready_since: Option<Millis>,
    backoff: Backoff,
    jitter: Jitter,
    heartbeat: Heartbeat,
    agent_typing: AgentTyping,
    guest_typing: GuestTyping,
    last_nickname: Option<String>,
    transcript: Transcript,
    outbox: Outbox,
    history: HistorySync,
    /// The JWT of the current connection's catch-up (for older pages); a secret.
    jwt: Option<String>,
    new_chat: NewChat,
    /// "End chat" sent `closeSession`; the deadline for its answer.
    ending: Option<Millis>,
    /// The session being requested or configured is a fresh one we asked for (no token to
    /// resume), so `newSession:true` is expected, not news.
    fresh_session: bool,
    uploads: Vec<Upload>,
    limits: SessionLimits,
    attributes: CustomAttributes,
    diagnostics: Diagnostics,
    effects: VecDeque<Effect>,
    armed: Option<Millis>,
    dirty: bool,
    view_version: u64,
}

impl Engine {
    /// A new engine in [`Phase::Idle`]; feed it [`Input::Start`].
    pub fn new(config: EngineConfig) -> Self {
        Self {
            phase: Phase::Idle,
            grant: None,
            token: config.stored_token.clone(),
            socket: None,
            next_socket: 0,
            configure_deadline: None,
            ready_since: None,
            backoff: Backoff::new(config.backoff),
            jitter: Jitter::new(config.seed),
            heartbeat: Heartbeat::default(),
            agent_typing: AgentTyping::default(),
            guest_typing: GuestTyping::default(),
            last_nickname: None,
            transcript: Transcript::default(),
            outbox: Outbox::new(config.messages_per_second),
            history: HistorySync::new(config.history_page_size, config.max_history_pages),
            jwt: None,
            new_chat: NewChat::No,
            ending: None,
            fresh_session: false,
            uploads: Vec::new(),
            limits: SessionLimits::default(),
            attributes: CustomAttributes::default(),
            diagnostics: Diagnostics::default(),
            effects: VecDeque::new(),
            armed: None,
            dirty: false,
            view_version: 0,
            config,
        }
    }

    /// Applies one input at `now`. Effects are queued for [`Engine::poll_effect`]. `Err` means
    /// a guest action was refused and nothing changed.
    pub fn handle(&mut self, input: Input, now: Millis) -> Result<(), Refused> {
        let result = match input {
            Input::Start => {
                self.start(now);
                Ok(())
            }
            Input::SessionGranted(grant) => {
                self.granted(grant, now);
                Ok(())
            }
            Input::SessionRefused(reason) => {
                self.refused_grant(reason);
                Ok(())
            }
            Input::SendText {
                text,
                attachment_ids,
            } => self.send_text(text, attachment_ids, now),
            Input::SendButtonResponse(response) => self.send_button_response(response, now),
            Input::SetCustomAttributes(attributes) => self.set_custom_attributes(attributes),
            Input::Typing => {
                self.guest_typed(now);
                Ok(())
            }
            Input::Retry(client_id) => self.retry(&client_id, now),
            Input::Discard(client_id) => self.discard(&client_id),
            Input::StartNewChat => {
                self.start_new_chat(now);
                Ok(())
            }
            Input::Close => {
                self.close_by_guest();
                Ok(())
            }
            Input::EndChat => self.end_chat(now),
            Input::AttachFile {
                file_name,
                mime,
                size,
            } => self.attach_file(file_name, mime, size, now),
            Input::UploadProgress {
                attachment_id,
                sent,
                total,
            } => {
                self.upload_progress(&attachment_id, sent, total, now);
                Ok(())
            }
            Input::UploadFailed {
                attachment_id,
                reason,
            } => {
                self.fail_upload(&attachment_id, UploadFailure::Transfer(reason));
                Ok(())
            }
            Input::RemoveAttachment(attachment_id) => self.remove_upload(&attachment_id),
            Input::SocketOpened(socket) => {
                self.socket_opened(socket, now);
                Ok(())
            }
            Input::SocketClosed {
                socket,
                code,
                clean,
            } => {
                self.socket_closed(socket, code, clean, now);
                Ok(())
            }
            Input::Frame { socket, frame } => {
                if self.is_current(socket) {
                    self.frame(frame, now);
                }
                Ok(())
            }
            Input::MalformedFrame { socket, error } => {
                if self.is_current(socket) {
                    self.heartbeat.frame_received(now);
                    self.diagnostics.malformed_frames += 1;
                    self.diagnostics.last_error = Some(format!("malformed frame: {error}"));
                    self.dirty = true;
                }
                Ok(())
            }
            Input::HistoryReceived(page) => {
                self.history_received(&page, now);
                Ok(())
            }
            Input::HistoryFailed(reason) => {
                self.history_failed(reason, now);
                Ok(())
            }
            Input::TimerFired => {
                self.armed = None;
                self.timer(now);
                Ok(())
            }
            Input::NetworkBack => {
                self.network_back(now);
                Ok(())
            }
        };
        self.pump(now);
        self.rearm(now);
        if std::mem::take(&mut self.dirty) {
            self.view_version += 1;
            self.effects.push_back(Effect::ViewChanged);
        }
        result
    }

    /// The next effect to execute, oldest first; `None` when the queue is empty.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        self.effects.pop_front()
    }

    /// The connection phase.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The transcript in display order.
    pub fn transcript(&self) -> &[Entry] {
        self.transcript.entries()
    }

    /// The agent the guest is talking to (name and avatar for the header): the latest agent or
    /// bot message that named its sender.
    pub fn current_agent(&self) -> Option<&AgentMessage> {
        self.transcript.current_agent()
    }

    /// Who is typing at `now`, if the agent's typing indicator shows: the typing event's
    /// sender, else the last agent who wrote (the name may still be unknown).
    pub fn agent_typing(&self, now: Millis) -> Option<&Typist> {
        self.agent_typing.typist(now)
    }

    /// The files attached and not sent yet, in the order attached: an accepted
    /// [`Input::AttachFile`] appends one (the driver reads its attachment id from the last).
    /// A failed one stays until [`Input::RemoveAttachment`].
    pub fn uploads(&self) -> &[Upload] {
        &self.uploads
    }

    /// The quick replies to offer: those of the latest message, if it is an agent message
    /// that carries some. They disappear once the guest sends anything (a choice included),
    /// because the guest's message becomes the latest, and when the conversation is over.
    pub fn quick_replies(&self) -> Option<QuickReplies<'_>> {
        if !self.can_send() {
            return None;
        }
        // Notices are skipped ("Alex joined" comes before Alex's message), except those that
        // begin another conversation: nothing before them is on offer any more.
        let latest = self.transcript.entries().iter().rev().find(|entry| {
            !matches!(
                entry.kind,
                EntryKind::Notice(
                    Notice::AgentJoined { .. }
                        | Notice::ConversationEnded { .. }
                        | Notice::ConnectionClosed { .. }
                )
            )
        })?;
        let EntryKind::Agent(message) = &latest.kind else {
            return None;
        };
        let replies: Vec<&QuickReply> = message
            .content
            .iter()
            .filter_map(|content| match content {
                Content::QuickReply(reply) => Some(reply),
                _ => None,
            })
            .collect();
        (!replies.is_empty()).then_some(QuickReplies {
            message_id: &message.message_id,
            replies,
        })
    }

    /// Upload and custom-attribute limits of the session.
    pub fn limits(&self) -> &SessionLimits {
        &self.limits
    }

    /// Whether the guest may send now or later (false when read-only, expired or closed).
    pub fn can_send(&self) -> bool {
        !matches!(self.phase, Phase::Idle) && !self.phase.is_over()
    }

    /// Whether guest typing notifications were switched off by the server (403).
    pub fn guest_typing_disabled(&self) -> bool {
        self.guest_typing.is_disabled()
    }

    /// What the engine ignored or saw go wrong.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// Increases whenever the view changed; cheap to compare in a UI.
    pub fn view_version(&self) -> u64 {
        self.view_version
    }

    /// The deadline of the timer the driver should have armed, if any.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.armed
    }

    /// Computes the earliest deadline any rule needs and asks for a timer when it changed.
    fn rearm(&mut self, now: Millis) {
        let live = matches!(self.phase, Phase::Ready | Phase::Ended) && self.socket_open();
        let candidates = [
            match self.phase {
                Phase::Reconnecting { at, .. } => Some(at),
                _ => None,
            },
            self.configure_deadline,
            live.then(|| self.heartbeat.deadline()).flatten(),
            self.agent_typing.deadline(),
            self.history.deadline(),
            self.may_send().then(|| self.outbox.deadline(now)).flatten(),
            self.ending,
            self.uploads_deadline(),
        ];
        let deadline = candidates.into_iter().flatten().min();
        if deadline != self.armed {
            self.armed = deadline;
            if let Some(at) = deadline {
                self.effects.push_back(Effect::ArmTimer { at });
            }
        }
    }

    /// Runs every rule whose deadline has come.
    fn timer(&mut self, now: Millis) {
        if self.agent_typing.expire(now) {
            self.dirty = true;
        }
        if self.history.expire_gate(now) {
            self.resolve_unconfirmed();
        }
        self.history_timer(now);
        self.uploads_timer(now);
        self.session_timer(now);
    }

    fn is_current(&self, socket: SocketId) -> bool {
        self.socket.is_some_and(|current| current.id == socket)
    }

    fn socket_open(&self) -> bool {
        self.socket.is_some_and(|socket| socket.open)
    }

    fn tracing_id() -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_can_move_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Engine>();
        assert_send_sync::<Effect>();
        assert_send_sync::<Input>();
    }

    #[test]
    fn default_config_carries_genesys_limits() {
        let config = EngineConfig::new("d");
        assert_eq!(config.max_text_chars, 4_000);
        assert_eq!(config.messages_per_second, 2);
        assert_eq!(config.backoff, BackoffPolicy::default());
    }
}
