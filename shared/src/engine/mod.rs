//! The sans-I/O conversation engine (DESIGN.md "The engine"): every rule of a guest
//! conversation, decided once, for both drivers (the browser's Leptos app and the tokio
//! headless guest).
//!
//! The engine never touches a socket, a timer, storage or a clock. Its methods come in the
//! four kinds quinn-proto names:
//!
//! - **guest commands** ([`Engine::start`], [`Engine::send_text`], [`Engine::choose`],
//!   [`Engine::attach`], [`Engine::typing`], [`Engine::retry`], [`Engine::end_chat`] …) return
//!   what they created (a [`ClientMessageId`], an [`AttachmentId`]) or why they were refused
//!   ([`Refused`]: nothing was queued, show the reason);
//! - **world events** go through [`Engine::handle`] as an [`Input`] (an answer to an effect, a
//!   socket event, the timer, the network coming back) and are never refused;
//! - **effects** are what the driver must do next: drain [`Engine::poll_effect`] after every
//!   command or input;
//! - **getters** are what the UI shows: [`Engine::phase`], [`Engine::transcript`], …
//!
//! Time is an argument of every command and input (`now`, milliseconds on a monotonic clock of
//! the driver's choosing), and the only randomness is [`EngineConfig::seed`]: the same seed and
//! the same calls give the same effects, ids included.
//!
//! # Why a queue of effects
//!
//! This is the shape of quinn-proto and str0m: commands and `handle` only mutate state and
//! append to an internal queue; the driver drains it until `None`. A queue (rather than a
//! returned `Vec`) lets one input produce effects from several rules without allocating per
//! call, lets the driver stop midway (e.g. the socket errored) and resume, and keeps the order
//! of effects explicit: they are always executed in the order polled.
//!
//! # Why the UI re-reads a snapshot, and the change log beside it
//!
//! One [`Effect::ViewChanged`] per call says "something you show changed"; the UI then reads
//! the getters, and each client diffs what it cares about (the terminal into printed events).
//! The snapshot is cheap (entries are borrowed) and cannot drift from the engine's truth; the
//! keys ([`Entry::key`]) make diffing it linear. Linear is too slow for a long transcript in a
//! browser (every message re-compared 2,000 entries), so the transcript also keeps a log of
//! typed changes ([`EntryChange`]: inserted / moved-and-changed / removed, or reset) that a UI
//! may take with [`Engine::take_entry_changes`] and apply to its rows in order; it is off until
//! first asked for and collapses into "reset, re-read the snapshot" when it grows long.
//!
//! # The driver contract
//!
//! 1. **Construct** with [`Engine::new`] and an [`EngineConfig`]: the deployment id, the token
//!    and the unconfirmed messages found in storage ([`EngineConfig::restored_outbox`]), a seed
//!    (real randomness: `crypto.getRandomValues`, a UUID; tabs of one conversation must not
//!    share it, see `ids`), and limits (defaults are Genesys's). Then call [`Engine::start`].
//! 2. **Carry out effects** after every command and every `handle`:
//!    `while let Some(effect) = engine.poll_effect()`.
//!    - [`Effect::RequestSession`] → obtain a grant (`POST /api/session`), answer with
//!      [`Input::SessionGranted`] or [`Input::SessionRefused`].
//!    - [`Effect::OpenSocket`] / [`Effect::CloseSocket`] / [`Effect::Send`] → the WebSocket.
//!      Report [`Input::SocketOpened`], each text frame (decode with [`Input::frame_text`]),
//!      and [`Input::SocketClosed`] (also when opening failed), always with the socket's id.
//!    - [`Effect::FetchHistory`] → an HTTP GET; answer with [`Input::HistoryReceived`] /
//!      [`Input::HistoryFailed`].
//!    - [`Effect::ArmTimer`] → the one timer: "call me at `at`" (replaces the previous
//!      deadline); when it fires, `handle(Input::TimerFired, now)`. It is the only way the
//!      engine asks for time: emitted whenever the earliest deadline changes. A timer left armed
//!      after the engine stopped needing it fires a harmless spurious `TimerFired`; firing early
//!      or late is harmless, firing never is not.
//!    - [`Effect::PersistToken`] / [`Effect::ForgetToken`] → storage.
//!    - [`Effect::PersistOutbox`] → store the unconfirmed messages (replacing the stored ones)
//!      before the effects that follow it: it always comes before the `Send` of a new message.
//!    - [`Effect::Upload`] → `PUT` the bytes of the file kept under the id [`Engine::attach`]
//!      returned; report [`Input::UploadProgress`] / [`Input::UploadFailed`].
//!      [`Effect::AbortUpload`] → stop that `PUT` and drop the bytes.
//!    - [`Effect::ViewChanged`] → re-read the getters below (at most one per call); for the
//!      transcript, [`Engine::take_entry_changes`] says which entries changed.
//! 3. **Report the world**: [`Input::NetworkBack`] on `online` / `visibilitychange` to visible;
//!    where several tabs share the stored token, [`Input::StoredTokenChanged`] with the token
//!    stored now whenever another tab changed it (`tabs`).
//!
//! ```
//! use parley_shared::engine::{Effect, Engine, EngineConfig, Grant, Input, Refused};
//!
//! let mut engine = Engine::new(EngineConfig {
//!     stored_token: None, // or the token read back from storage
//!     seed: 42,           // real randomness in a driver
//!     ..EngineConfig::new("deployment-id")
//! });
//! let mut now = 0; // the driver's monotonic clock, in ms
//! engine.start(now);
//! // Commands return what they created or why nothing happened.
//! assert_eq!(engine.send_text("   ", now), Err(Refused::Empty));
//! let client_id = engine.send_text("Hello", now).expect("queued until the session is ready");
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
//!             engine.handle(Input::SessionGranted(grant), now);
//!         }
//!         Effect::OpenSocket { socket, url } => { /* open `url`, report as `socket` */ }
//!         Effect::Send { socket, request } => { /* send request.to_json() */ }
//!         Effect::ArmTimer { at } => { /* call back with Input::TimerFired at `at` */ }
//!         Effect::ViewChanged => {
//!             // Re-render from the getters: engine.transcript(), engine.phase() … A button
//!             // for each choice on offer answers it by id: engine.choose(&choice.id, now).
//!             let _buttons: Vec<String> =
//!                 engine.choices().into_iter().map(|choice| choice.label).collect();
//!         }
//!         _ => {}
//!     }
//! }
//! // The bubble shows at once under its client id, and it is not delivered yet.
//! assert!(engine.transcript().iter().any(|entry| entry.key == format!("c:{client_id}")));
//! assert!(!engine.everything_delivered());
//! ```
//!
//! # What the UI reads
//!
//! [`Engine::phase`] (status line, composer enabled?), [`Engine::transcript`] (entries with
//! stable [`Entry::key`]s for keyed lists, and [`Entry::live`] for unread counts),
//! [`Engine::current_agent`], [`Engine::agent_typing`] (who, if anyone: the name may be unknown,
//! the UI has its word for "the agent"), [`Engine::uploads`] (files on their way, with progress
//! or the reason they failed), [`Engine::quick_replies`] and [`Engine::choices`] (answers on
//! offer; a card's buttons are in [`AgentMessage::choices`]), [`Engine::limits`] (upload rules
//! from the `SessionResponse`), [`Engine::max_text_chars`], [`Engine::can_attach`],
//! [`Engine::everything_delivered`], [`Engine::diagnostics`] (ignored frames, last error).
//!
//! # Rules at a glance (details in each module)
//!
//! - Guest messages show at once ([`Delivery::Queued`] → [`Delivery::Sending`]) and turn
//!   [`Delivery::Sent`] when the server's echo (matched on the request's tracingId) or a history
//!   entry (matched on [`CLIENT_MESSAGE_ID_KEY`] in `message.metadata`) proves them delivered.
//!   One is in flight at a time, at most 2 `onMessage` per second, a 429 waits `retryAfter`.
//!   After a reconnect an unconfirmed message is resent only once history did not show it.
//! - Guest typing never delays a message: it goes out only when nothing is queued and the
//!   pacing window is empty, at most once per 5 s, and takes no pacing slot; otherwise it is
//!   dropped.
//! - The transcript is ordered by server time and de-duplicated by message id and client id.
//! - Unexpected closes reconnect with jittered exponential back-off (0.25 s … 10 s, reset as
//!   soon as a connection was configured and carried traffic); 30 s of
//!   silence sends an `echo`, 10 s more without a frame declares the socket dead.
//! - Read-only disconnects and the guest's [`Engine::end_chat`] (`closeSession`, then the token
//!   forgotten) end the conversation ([`Phase::Ended`]); `ConnectionClosedEvent` stops for good
//!   ([`Phase::Closed`]); from both, [`Engine::start_new_chat`] starts over. Expiry forgets the
//!   token and starts a fresh session at once under a lasting notice
//!   ([`EngineConfig::auto_restart_on_expiry`]; without it: [`Phase::Expired`]).
//! - Tabs sharing a token each keep their socket and their outbox; another tab removing the
//!   stored token ends the conversation here too, storing another one is followed
//!   ([`Input::StoredTokenChanged`], `tabs`).
//! - Files ([`Engine::attach`], one at a time) are checked against the session's limits,
//!   uploaded through `onAttachment` and the driver's `PUT`, and sent as a message of their own
//!   once the server has them; the guest's bubble adopts the echo's content.
//! - The Messenger deployment's rules ([`DeploymentRules`], from the server's `WindowConfig`,
//!   set with [`Engine::set_deployment_rules`]): its upload modes refuse a file before
//!   anything is sent; `conversationDisconnect` `ReadOnly` ends the conversation on a Presence
//!   Disconnect, `Send` keeps it open (the next message starts a new one, attributes again);
//!   `conversationClear` makes "End chat" send Presence `Clear`, and its `SessionClearedEvent`
//!   wipes the transcript, the outbox and the token.
//! - A quick reply is answerable while its message is the latest; a card button while the
//!   conversation lasts; a card button without a payload answers with its label.
//!
//! # Modules
//!
//! Data flows input → rules → effects; every module is private and what callers need is
//! re-exported here. `input` / `effect` are the vocabulary; `commands` (the guest's methods),
//! `session` (connection lifecycle, end chat, expiry), `frames` (server frames), `catch_up`
//! (history after a reconnect), `sending` (messages and typing), `attaching` (uploads),
//! `choices` (answers on offer), `deployment` (the admin's settings) and `tabs` (other tabs
//! changing the token) are the rules, built on the small state machines `transcript`,
//! `outbox`, `uploads`, `pacing`, `backoff`, `jitter`, `ids`, `heartbeat`, `typing`, `history`
//! and `timestamp`.

mod attaching;
mod backoff;
mod catch_up;
mod changes;
mod choices;
mod commands;
mod deployment;
mod effect;
mod frames;
mod heartbeat;
mod history;
mod ids;
mod input;
mod jitter;
mod outbox;
mod pacing;
mod phase;
mod redact;
mod sending;
mod session;
mod tabs;
mod timestamp;
mod transcript;
mod typing;
mod uploads;

use std::collections::VecDeque;

use crate::genesys::AllowedMedia;

pub use backoff::BackoffPolicy;
pub use changes::{EntryChange, MAX_CHANGES};
pub use choices::{Choice, ChoiceId, ChoiceKind, choices_in};
pub use deployment::{AfterDisconnect, DeploymentRules, UploadRules};
pub use effect::{Effect, SocketId};
pub use history::WholeHistory;
pub use input::{Grant, Input, Refused};
pub use outbox::PendingMessage;
pub use phase::{CloseReason, Phase};
pub use transcript::{
    AgentMessage, CLIENT_MESSAGE_ID_KEY, Delivery, Entry, EntryKind, FailReason, GuestMessage,
    Notice, OriginatingEntity,
};
pub use typing::Typist;
pub use uploads::{Upload, UploadFailure, UploadState};

use backoff::Backoff;
use heartbeat::Heartbeat;
use history::HistorySync;
use ids::Ids;
use jitter::Jitter;
use outbox::Outbox;
use transcript::Transcript;
use typing::{AgentTyping, GuestTyping};

/// The id the engine gave a guest message: its `tracingId` on every send, the key of its
/// bubble ([`GuestMessage::client_id`]) and what [`Engine::retry`] and [`Engine::discard`]
/// take. A UUID drawn from the engine's seeded generator.
pub type ClientMessageId = String;

/// The id the engine gave an attached file: [`Effect::Upload`] and the upload inputs name it.
pub type AttachmentId = String;

/// Milliseconds on the driver's monotonic clock.
pub type Millis = u64;

/// How an engine is set up. Its `Debug` output hides the stored token.
#[derive(Clone)]
pub struct EngineConfig {
    /// The Genesys deployment id, sent in `configureSession`.
    pub deployment_id: String,
    /// The token found in storage, to resume that conversation; `None` for a new one.
    pub stored_token: Option<String>,
    /// Seed of the engine's only randomness: reconnect jitter and the ids it makes up
    /// (client message ids, tracingIds, attachment ids). Give each engine real randomness:
    /// two tabs of one conversation must not draw the same ids.
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
    /// [`Engine::start_new_chat`] (the headless guest reports expiry as an outcome).
    pub auto_restart_on_expiry: bool,
    /// The guest messages a previous run persisted ([`Effect::PersistOutbox`]) and did not see
    /// confirmed: they show at once and are reconciled with history exactly as after a
    /// reconnect (confirmed if history has them, sent once more if not), in order.
    pub restored_outbox: Vec<PendingMessage>,
    /// Send the guest's typing events (Messenger's `showUserTypingIndicator`, on by default);
    /// off, [`Engine::typing`] sends nothing. [`Engine::set_guest_typing`] changes it later.
    pub guest_typing: bool,
    /// The Messenger deployment's rules for uploads, disconnects and ending
    /// ([`DeploymentRules`]); [`Engine::set_deployment_rules`] changes them later.
    pub deployment: DeploymentRules,
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
            restored_outbox: Vec::new(),
            guest_typing: true,
            deployment: DeploymentRules::default(),
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
    /// When a session grant asked for counts as refused.
    grant_deadline: Option<Millis>,
    ready_since: Option<Millis>,
    /// The current connection carried a message or an echo after it was configured.
    carried_traffic: bool,
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
    /// "End chat" sent `closeSession` (or Presence `Clear`); the deadline for its answer.
    ending: Option<Millis>,
    /// "End chat" sent Presence `Clear` with this tracingId; its `SessionClearedEvent` wipes
    /// everything.
    clearing: Option<String>,
    /// The session being requested or configured is a fresh one we asked for (no token to
    /// resume), so `newSession:true` is expected, not news.
    fresh_session: bool,
    /// The token being requested was learned from another tab (see `tabs`): a grant for any
    /// other token answers an older request and is ignored.
    following: bool,
    /// Another tab removed the token while this one was live (see `tabs`).
    end_elsewhere: Option<tabs::EndElsewhere>,
    uploads: Vec<Upload>,
    limits: SessionLimits,
    attributes: CustomAttributes,
    diagnostics: Diagnostics,
    effects: VecDeque<Effect>,
    armed: Option<Millis>,
    dirty: bool,
    ids: Ids,
    /// What the driver last persisted: the token and the client ids of the outbox.
    persisted: (Option<String>, Vec<ClientMessageId>),
}

impl Engine {
    /// A new engine in [`Phase::Idle`]; begin with [`Engine::start`].
    pub fn new(mut config: EngineConfig) -> Self {
        let restored = std::mem::take(&mut config.restored_outbox);
        let mut engine = Self {
            phase: Phase::Idle,
            grant: None,
            token: config.stored_token.clone(),
            socket: None,
            next_socket: 0,
            configure_deadline: None,
            grant_deadline: None,
            ready_since: None,
            carried_traffic: false,
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
            clearing: None,
            fresh_session: false,
            following: false,
            end_elsewhere: None,
            uploads: Vec::new(),
            limits: SessionLimits::default(),
            attributes: CustomAttributes::default(),
            diagnostics: Diagnostics::default(),
            effects: VecDeque::new(),
            armed: None,
            dirty: false,
            ids: Ids::new(config.seed),
            persisted: (config.stored_token.clone(), Vec::new()),
            config,
        };
        for message in restored {
            engine.transcript.push_guest(
                &message.client_id,
                message.shown_text.clone(),
                message.shown_content.clone(),
            );
            engine.attributes_restored(&message.client_id, &message.custom_attributes);
            engine.outbox.restore(message);
        }
        engine.persisted.1 = engine.outbox_ids();
        engine
    }

    /// Applies one event of the world at `now`. Effects are queued for
    /// [`Engine::poll_effect`]. Never refused: whatever the state, the engine takes note.
    pub fn handle(&mut self, input: Input, now: Millis) {
        match input {
            Input::SessionGranted(grant) => self.granted(grant, now),
            Input::SessionRefused(reason) => self.refused_grant(reason),
            Input::UploadProgress {
                attachment_id,
                sent,
                total,
            } => self.upload_progress(&attachment_id, sent, total, now),
            Input::UploadFailed {
                attachment_id,
                reason,
            } => self.fail_upload(&attachment_id, UploadFailure::Transfer(reason)),
            Input::SocketOpened(socket) => self.socket_opened(socket, now),
            Input::SocketClosed {
                socket,
                code,
                clean,
            } => self.socket_closed(socket, code, clean, now),
            Input::Frame { socket, frame } => {
                if self.is_current(socket) {
                    self.frame(frame, now);
                }
            }
            Input::MalformedFrame { socket, error } => {
                if self.is_current(socket) {
                    self.heartbeat.frame_received(now);
                    self.diagnostics.malformed_frames += 1;
                    self.diagnostics.last_error = Some(format!("malformed frame: {error}"));
                    self.dirty = true;
                }
            }
            Input::HistoryReceived(page) => self.history_received(&page, now),
            Input::HistoryFailed(reason) => self.history_failed(reason, now),
            Input::TimerFired => {
                self.armed = None;
                self.timer(now);
            }
            Input::NetworkBack => self.network_back(now),
            Input::StoredTokenChanged(stored) => self.stored_token_changed(stored, now),
        }
        self.settle(now);
    }

    /// What every input and command ends with: send what became due, ask for the timer the
    /// rules now need, and say once that the view changed.
    fn settle(&mut self, now: Millis) {
        self.persist_outbox();
        self.pump(now);
        self.rearm(now);
        if std::mem::take(&mut self.dirty) {
            self.effects.push_back(Effect::ViewChanged);
        }
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

    /// What changed in [`Engine::transcript`] since the last call, in order: a UI applying
    /// these to its rows touches only the rows that changed. The first call answers
    /// [`EntryChange::Reset`] (read the snapshot) and turns the log on; see [`EntryChange`].
    pub fn take_entry_changes(&mut self) -> Vec<EntryChange> {
        self.transcript.take_changes()
    }

    /// The agent the guest is talking to (name and avatar for the header): the latest agent or
    /// bot message that named its sender.
    pub fn current_agent(&self) -> Option<&AgentMessage> {
        self.transcript.current_agent()
    }

    /// Who speaks for the other side now: [`Engine::current_agent`], or a bot that wrote after
    /// it without a name (a window that humanizes bots shows the deployment's bot then).
    pub fn current_speaker(&self) -> Option<&AgentMessage> {
        self.transcript.current_speaker()
    }

    /// Who is typing at `now`, if the agent's typing indicator shows: the typing event's
    /// sender, else the last agent who wrote (the name may still be unknown).
    pub fn agent_typing(&self, now: Millis) -> Option<&Typist> {
        self.agent_typing.typist(now)
    }

    /// The files attached and not sent yet, in the order attached: an accepted
    /// [`Engine::attach`] appends one. A failed one stays until [`Engine::remove_attachment`].
    pub fn uploads(&self) -> &[Upload] {
        &self.uploads
    }

    /// Upload and custom-attribute limits of the session.
    pub fn limits(&self) -> &SessionLimits {
        &self.limits
    }

    /// Whether the guest may send now or later (false when read-only, expired or closed).
    pub fn can_send(&self) -> bool {
        !matches!(self.phase, Phase::Idle) && !self.phase.is_over()
    }

    /// Longest text [`Engine::send_text`] accepts, in characters (Unicode scalar values), for
    /// the composer's counter.
    pub fn max_text_chars(&self) -> usize {
        self.config.max_text_chars
    }

    /// Whether offering "attach a file" makes sense now: the session is live and no other file
    /// is on its way (one upload at a time). [`Engine::attach`] decides for good; it also
    /// accepts a file while reconnecting (the request waits for the connection).
    pub fn can_attach(&self) -> bool {
        self.phase == Phase::Ready && self.check_can_send().is_ok() && !self.upload_in_progress()
    }

    /// Whether nothing the guest sent is still on its way: no message queued, sending or
    /// awaiting confirmation after a reconnect, and no file uploading. Failed messages do not
    /// count (they wait for the guest's Retry). A client that leaves when its input ends waits
    /// for this.
    pub fn everything_delivered(&self) -> bool {
        !self.outbox.has_pending() && !self.upload_in_progress()
    }

    /// Whether the guest has written in the conversation shown (a message of theirs is in the
    /// transcript, sent or not). A pre-chat form belongs before the first message: once this
    /// holds, it would come too late.
    pub fn guest_has_written(&self) -> bool {
        self.transcript
            .entries()
            .iter()
            .any(|entry| matches!(entry.kind, EntryKind::Guest(_)))
    }

    /// Whether guest typing notifications were switched off by the server (403).
    pub fn guest_typing_disabled(&self) -> bool {
        self.guest_typing.is_disabled()
    }

    /// What the engine ignored or saw go wrong.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
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
            self.grant_deadline,
            live.then(|| self.heartbeat.deadline()).flatten(),
            self.agent_typing.deadline(),
            self.history.deadline(),
            self.may_send().then(|| self.outbox.deadline(now)).flatten(),
            self.ending,
            self.uploads_deadline(),
            self.end_elsewhere.as_ref().map(|pending| pending.at),
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
        if self.history.fetch_timed_out(now) {
            self.history_failed("no answer".to_owned(), now);
        }
        self.history_timer(now);
        self.uploads_timer(now);
        self.session_timer(now);
        self.tabs_timer(now);
    }

    /// Asks the driver to store the outbox when its messages or the token changed since the
    /// last time (before the pump, so a message is stored before it is sent).
    fn persist_outbox(&mut self) {
        let ids = self.outbox_ids();
        let nothing_either_way = ids.is_empty() && self.persisted.1.is_empty();
        if nothing_either_way || (self.persisted.0 == self.token && self.persisted.1 == ids) {
            return;
        }
        self.persisted = (self.token.clone(), ids);
        self.effects.push_back(Effect::PersistOutbox {
            token: self.token.clone(),
            messages: self.outbox.messages().cloned().collect(),
        });
    }

    fn outbox_ids(&self) -> Vec<ClientMessageId> {
        self.outbox
            .messages()
            .map(|message| message.client_id.clone())
            .collect()
    }

    fn is_current(&self, socket: SocketId) -> bool {
        self.socket.is_some_and(|current| current.id == socket)
    }

    /// Where the read of the whole history the guest asked for
    /// ([`Engine::read_whole_history`]) stands.
    pub fn whole_history(&self) -> WholeHistory {
        self.history.whole()
    }

    fn socket_open(&self) -> bool {
        self.socket.is_some_and(|socket| socket.open)
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
