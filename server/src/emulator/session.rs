//! Per-token guest sessions (PROTOCOL.md §1.8): the conversation, its message log, its live
//! connections and its send window, plus the registry of every open socket and the guest JWTs.
//!
//! This is plain state behind one mutex in the [`Emulator`](super::Emulator); nothing here
//! awaits. The socket loop and the request handlers look sessions up by token, change them and
//! queue frames on connection channels while holding the lock; the per-connection writer tasks
//! do the actual sending. A session that expires leaves a tombstone so that its token keeps
//! answering 4006 instead of silently starting over.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use parley_shared::genesys::{ServerFrame, StructuredMessage};

use super::config::EmulatorConfig;
use super::message_log::{LogBounds, MessageLog};
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use super::persona::Persona;
use super::rate_limit::SendWindow;

/// Identifies one WebSocket connection for the emulator's lifetime.
pub type ConnId = u64;

/// Tombstones kept for expired tokens before the oldest are forgotten.
const MAX_TOMBSTONES: usize = 4096;

/// What a connection's writer task sends next.
#[derive(Debug)]
pub enum Outbound {
    /// A text frame, with when it was queued (the delay fault counts from there). The text is
    /// a `Box<str>`, not a `String`: the channel allocates its slots 32 at a time per
    /// connection whether or not they are used, and 8 bytes less per slot is 256 bytes less
    /// per connection.
    Frame { text: Box<str>, queued_at: Instant },
    /// A close frame (1000), after which the writer stops.
    Close,
}

/// The sending side of one live connection. Its queue is bounded
/// ([`EmulatorConfig::max_queued_frames`](super::EmulatorConfig)): a client that does not read
/// what it asked for fills it, and is then cut off rather than growing server memory.
#[derive(Debug, Clone)]
pub struct ConnHandle {
    tx: mpsc::Sender<Outbound>,
    kill: Arc<Notify>,
}

impl ConnHandle {
    /// A handle over the writer's channel and the reader's kill switch.
    pub fn new(tx: mpsc::Sender<Outbound>, kill: Arc<Notify>) -> Self {
        Self { tx, kill }
    }

    /// Queues `outbound`; a full queue cuts the connection (a gone one is skipped).
    fn queue(&self, outbound: Outbound) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(outbound) {
            self.kill();
        }
    }

    /// Queues a frame; a connection that is already gone is silently skipped.
    pub fn send(&self, frame: &ServerFrame) {
        self.send_text(frame.to_json());
    }

    /// Queues pre-serialised frame text.
    pub fn send_text(&self, text: String) {
        self.queue(Outbound::Frame {
            text: text.into_boxed_str(),
            queued_at: Instant::now(),
        });
    }

    /// Queues a close frame after whatever is already queued.
    pub fn close(&self) {
        self.queue(Outbound::Close);
    }

    /// Cuts the connection at once, without a close frame (the drop fault).
    pub fn kill(&self) {
        self.kill.notify_one();
    }
}

/// The live connections bound to one session: almost always one, seldom a few (tabs). A small
/// vector, not a map: a `BTreeMap`'s first node is ~280 bytes per session, the vector's first
/// allocation 96, and every operation scans at most a handful of entries.
#[derive(Debug, Default)]
pub struct SessionConnections {
    entries: Vec<(ConnId, ConnHandle)>,
}

impl SessionConnections {
    /// Binds connection `id` (replacing an earlier binding of the same id).
    pub fn insert(&mut self, id: ConnId, handle: ConnHandle) {
        self.remove(&id);
        self.entries.push((id, handle));
    }

    /// Unbinds connection `id`, if bound.
    pub fn remove(&mut self, id: &ConnId) {
        self.entries.retain(|(bound, _)| bound != id);
    }

    /// Keeps only the connections for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&ConnId, &ConnHandle) -> bool) {
        self.entries.retain(|(id, handle)| keep(id, handle));
    }

    /// Every bound connection, in binding order.
    pub fn values(&self) -> impl Iterator<Item = &ConnHandle> {
        self.entries.iter().map(|(_, handle)| handle)
    }

    /// How many connections are bound.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

/// One guest session: the conversation behind a token.
#[derive(Debug)]
pub struct Session {
    /// The conversation id; replaced by `startNew` and Clear.
    pub conversation_id: String,
    /// The conversation was disconnected (or closed); sending needs `startNew`.
    pub read_only: bool,
    /// Messages and presence events, oldest first (history and transcript), stored compactly.
    pub log: MessageLog,
    /// Connections bound to this token by configureSession.
    pub connections: SessionConnections,
    /// Accepted sends in the last second.
    pub window: SendWindow,
    /// Last guest activity; the TTL counts from here.
    pub last_activity: Instant,
    /// Who answers: the bot, or the human it handed over to.
    pub persona: Persona,
    /// Serialises the scripted agent's replies for this session.
    pub agent_turn: Arc<tokio::sync::Mutex<()>>,
    /// Agent replies queued or running for this session (bounded, see `agent`).
    pub agent_backlog: Arc<std::sync::atomic::AtomicUsize>,
    /// Base URL of the latest configuring connection (for avatar URLs in agent messages).
    pub base_url: String,
}

impl Session {
    /// A fresh conversation.
    pub fn new(conversation_id: String, now: Instant) -> Self {
        Self {
            conversation_id,
            read_only: false,
            log: MessageLog::default(),
            connections: SessionConnections::default(),
            window: SendWindow::default(),
            last_activity: now,
            persona: Persona::Bot,
            agent_turn: Arc::default(),
            agent_backlog: Arc::default(),
            base_url: String::new(),
        }
    }

    /// Replaces the conversation with a fresh one, keeping the live connections.
    pub fn restart(&mut self, conversation_id: String, now: Instant) {
        let connections = std::mem::take(&mut self.connections);
        let base_url = std::mem::take(&mut self.base_url);
        *self = Self::new(conversation_id, now);
        self.connections = connections;
        self.base_url = base_url;
    }

    /// Appends to the log, forgetting the oldest entries beyond the configured entry and byte
    /// bounds (history then starts later; memory per session stays bounded).
    pub fn record(&mut self, message: &StructuredMessage, config: &EmulatorConfig) {
        let bounds = LogBounds {
            entries: config.max_log_entries,
            bytes: config.max_log_bytes,
        };
        self.log.record(message, bounds);
    }

    /// Sends a frame to every connection of this session.
    pub fn broadcast(&self, frame: &ServerFrame) {
        let text = frame.to_json();
        for connection in self.connections.values() {
            connection.send_text(text.clone());
        }
    }
}

/// A token's slot: live, or expired (a tombstone).
#[derive(Debug)]
pub enum Slot {
    /// A usable session.
    Live(Box<Session>),
    /// The session expired at this instant; its token now answers 4006.
    Expired(Instant),
}

/// A guest JWT and what it grants.
#[derive(Debug, Clone)]
pub struct JwtGrant {
    /// The session token whose history it reads.
    pub token: String,
    /// When it stops working.
    pub expires_at: Instant,
}

/// All sessions, connections and JWTs.
///
/// Bounded and without whole-table scans on the hot paths: tombstones are forgotten oldest
/// first through `tombstones` (insertion order), JWTs are capped per session through
/// `jwts_by_token` (so one guest asking for JWTs in a loop only ever forgets its own), and
/// expired JWTs and idle sessions are swept by a periodic task (`lifecycle::sweep`).
#[derive(Debug, Default)]
pub struct Sessions {
    slots: HashMap<String, Slot>,
    /// Expired tokens, oldest first; each `Slot::Expired` exactly once.
    tombstones: VecDeque<String>,
    /// Every open socket, bound or not (the drop fault reaches them all).
    pub connections: HashMap<ConnId, ConnHandle>,
    jwts: HashMap<String, JwtGrant>,
    /// Each session's JWTs, oldest first.
    jwts_by_token: HashMap<String, VecDeque<String>>,
    next_conn_id: ConnId,
}

impl Sessions {
    /// Registers a new socket and returns its id.
    pub fn open_connection(&mut self, handle: ConnHandle) -> ConnId {
        self.next_conn_id += 1;
        self.connections.insert(self.next_conn_id, handle);
        self.next_conn_id
    }

    /// Forgets a socket, unbinding it from `token`'s session.
    pub fn close_connection(&mut self, id: ConnId, token: Option<&str>) {
        self.connections.remove(&id);
        if let Some(session) = token.and_then(|token| self.live_mut(token)) {
            session.connections.remove(&id);
        }
    }

    /// The slot of `token`, if any.
    pub fn slot(&self, token: &str) -> Option<&Slot> {
        self.slots.get(token)
    }

    /// The live session of `token`.
    pub fn live(&self, token: &str) -> Option<&Session> {
        match self.slots.get(token)? {
            Slot::Live(session) => Some(session),
            Slot::Expired(_) => None,
        }
    }

    /// The live session of `token`, mutably.
    pub fn live_mut(&mut self, token: &str) -> Option<&mut Session> {
        match self.slots.get_mut(token)? {
            Slot::Live(session) => Some(session),
            Slot::Expired(_) => None,
        }
    }

    /// Creates a live session for `token`, replacing whatever was there.
    pub fn create(&mut self, token: &str, session: Session) -> &mut Session {
        let previous = self
            .slots
            .insert(token.to_owned(), Slot::Live(Box::new(session)));
        if matches!(previous, Some(Slot::Expired(_))) {
            self.tombstones.retain(|known| known != token);
        }
        self.live_mut(token).expect("just inserted")
    }

    /// Removes `token`'s session entirely (Clear): the token may start afresh.
    pub fn remove(&mut self, token: &str) -> Option<Session> {
        self.forget_jwts_of(token);
        match self.slots.remove(token)? {
            Slot::Live(session) => Some(*session),
            Slot::Expired(at) => {
                self.slots.insert(token.to_owned(), Slot::Expired(at));
                None
            }
        }
    }

    /// Turns `token`'s session into a tombstone and returns what it was.
    pub fn expire(&mut self, token: &str, now: Instant) -> Option<Session> {
        self.forget_jwts_of(token);
        let previous = self.slots.insert(token.to_owned(), Slot::Expired(now));
        match previous {
            Some(Slot::Expired(at)) => {
                self.slots.insert(token.to_owned(), Slot::Expired(at));
                None
            }
            previous => {
                self.tombstones.push_back(token.to_owned());
                self.forget_old_tombstones();
                match previous {
                    Some(Slot::Live(session)) => Some(*session),
                    _ => None,
                }
            }
        }
    }

    fn forget_old_tombstones(&mut self) {
        while self.tombstones.len() > MAX_TOMBSTONES {
            if let Some(oldest) = self.tombstones.pop_front() {
                self.slots.remove(&oldest);
            }
        }
    }

    /// Live sessions (O(1): every slot that is not a tombstone).
    pub fn live_count(&self) -> usize {
        self.slots.len() - self.tombstones.len()
    }

    /// Tokens whose live session has been idle for `ttl` or longer at `now`.
    pub fn idle_tokens(&self, now: Instant, ttl: std::time::Duration) -> Vec<String> {
        self.slots
            .iter()
            .filter_map(|(token, slot)| match slot {
                Slot::Live(session) if now >= saturating_add(session.last_activity, ttl) => {
                    Some(token.clone())
                }
                _ => None,
            })
            .collect()
    }

    /// (live sessions, expired tombstones).
    pub fn counts(&self) -> (usize, usize) {
        (self.live_count(), self.tombstones.len())
    }

    /// Remembers a guest JWT; beyond `max_per_session` JWTs of the same session, that
    /// session's oldest stops working (other sessions' JWTs are never touched).
    pub fn insert_jwt(&mut self, jwt: String, grant: JwtGrant, max_per_session: usize) {
        let of_token = self.jwts_by_token.entry(grant.token.clone()).or_default();
        of_token.push_back(jwt.clone());
        while of_token.len() > max_per_session.max(1) {
            if let Some(oldest) = of_token.pop_front() {
                self.jwts.remove(&oldest);
            }
        }
        self.jwts.insert(jwt, grant);
    }

    fn forget_jwts_of(&mut self, token: &str) {
        for jwt in self.jwts_by_token.remove(token).unwrap_or_default() {
            self.jwts.remove(&jwt);
        }
    }

    /// Drops every JWT that has expired at `now` (the periodic sweep).
    pub fn sweep_jwts(&mut self, now: Instant) {
        let jwts = &mut self.jwts;
        self.jwts_by_token.retain(|_, of_token| {
            of_token.retain(|jwt| {
                let alive = jwts.get(jwt).is_some_and(|grant| grant.expires_at > now);
                if !alive {
                    jwts.remove(jwt);
                }
                alive
            });
            !of_token.is_empty()
        });
    }

    /// The session token an unexpired JWT grants access to.
    pub fn token_for_jwt(&self, jwt: &str, now: Instant) -> Option<&str> {
        self.jwts
            .get(jwt)
            .filter(|grant| grant.expires_at > now)
            .map(|grant| grant.token.as_str())
    }
}

/// `instant + duration`, or `instant` far in the future when that overflows (a huge TTL or
/// `Retry-After` must not panic: it means "not in this process's lifetime").
pub fn saturating_add(instant: Instant, duration: std::time::Duration) -> Instant {
    instant.checked_add(duration).unwrap_or_else(|| {
        // About 30 years; still representable wherever `instant` is.
        instant
            .checked_add(std::time::Duration::from_secs(30 * 365 * 24 * 3600))
            .unwrap_or(instant)
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn idle_sessions_are_found_and_expired_tokens_stay_dead() {
        let start = Instant::now();
        let ttl = Duration::from_secs(60);
        let mut sessions = Sessions::default();
        sessions.create("old", Session::new("c1".into(), start));
        sessions.create("fresh", Session::new("c2".into(), start + ttl));
        assert_eq!(sessions.idle_tokens(start + ttl, ttl), ["old"]);
        assert!(sessions.expire("old", start + ttl).is_some());
        assert!(matches!(sessions.slot("old"), Some(Slot::Expired(_))));
        assert!(
            sessions.expire("old", start + ttl).is_none(),
            "expiring twice is a no-op"
        );
        assert_eq!(sessions.counts(), (1, 1));
    }

    #[tokio::test]
    async fn a_full_outbound_queue_cuts_the_connection() {
        let (tx, mut rx) = mpsc::channel(2);
        let kill = Arc::new(Notify::new());
        let handle = ConnHandle::new(tx, Arc::clone(&kill));
        handle.send_text("one".into());
        handle.send_text("two".into());
        let killed = kill.notified();
        tokio::pin!(killed);
        assert!(
            futures_util::FutureExt::now_or_never(killed.as_mut()).is_none(),
            "not cut while the queue has room"
        );
        handle.send_text("three".into());
        assert!(
            futures_util::FutureExt::now_or_never(killed).is_some(),
            "the third frame found the queue full and cut the connection"
        );
        assert!(matches!(rx.recv().await, Some(Outbound::Frame { text, .. }) if &*text == "one"));
    }

    #[test]
    fn jwts_grant_their_token_until_they_expire() {
        let now = Instant::now();
        let mut sessions = Sessions::default();
        let grant = JwtGrant {
            token: "t".into(),
            expires_at: now + Duration::from_secs(5),
        };
        sessions.insert_jwt("jwt".into(), grant, 8);
        assert_eq!(sessions.token_for_jwt("jwt", now), Some("t"));
        assert_eq!(
            sessions.token_for_jwt("jwt", now + Duration::from_secs(5)),
            None
        );
        sessions.remove("t");
        assert_eq!(sessions.token_for_jwt("jwt", now), None);
    }

    #[test]
    fn jwts_are_capped_per_session_without_touching_other_sessions() {
        let now = Instant::now();
        let mut sessions = Sessions::default();
        let grant = |token: &str| JwtGrant {
            token: token.into(),
            expires_at: now + Duration::from_secs(60),
        };
        sessions.insert_jwt("other".into(), grant("b"), 2);
        for n in 0..4100 {
            sessions.insert_jwt(format!("jwt-{n}"), grant("a"), 2);
        }
        assert_eq!(sessions.token_for_jwt("other", now), Some("b"));
        assert_eq!(sessions.token_for_jwt("jwt-4099", now), Some("a"));
        assert_eq!(sessions.token_for_jwt("jwt-4097", now), None);
        assert_eq!(sessions.jwts.len(), 3);
        sessions.sweep_jwts(now + Duration::from_secs(60));
        assert!(sessions.jwts.is_empty() && sessions.jwts_by_token.is_empty());
    }

    #[test]
    fn tombstones_are_bounded_oldest_first() {
        let now = Instant::now();
        let mut sessions = Sessions::default();
        for n in 0..=MAX_TOMBSTONES {
            let token = format!("t{n}");
            sessions.create(&token, Session::new("c".into(), now));
            sessions.expire(&token, now);
        }
        assert_eq!(sessions.counts(), (0, MAX_TOMBSTONES));
        assert!(sessions.slot("t0").is_none(), "the oldest is forgotten");
        assert!(sessions.slot("t1").is_some());
    }

    #[test]
    fn an_expired_or_cleared_session_is_freed_not_kept_behind_its_tombstone() {
        let now = Instant::now();
        let mut sessions = Sessions::default();
        let expiring = Arc::downgrade(
            &sessions
                .create("a", Session::new("c1".into(), now))
                .agent_turn,
        );
        let cleared = Arc::downgrade(
            &sessions
                .create("b", Session::new("c2".into(), now))
                .agent_turn,
        );
        sessions.insert_jwt(
            "jwt".into(),
            JwtGrant {
                token: "a".into(),
                expires_at: now + Duration::from_secs(60),
            },
            8,
        );
        drop(sessions.expire("a", now));
        drop(sessions.remove("b"));
        assert!(
            expiring.upgrade().is_none(),
            "the expired session's state is dropped"
        );
        assert!(
            cleared.upgrade().is_none(),
            "the cleared session's state is dropped"
        );
        assert_eq!(
            sessions.token_for_jwt("jwt", now),
            None,
            "its JWTs are forgotten too"
        );
    }
}
