//! Per-token guest sessions (PROTOCOL.md §1.8): the conversation, its message log, its live
//! connections and its send window, plus the registry of every open socket and the guest JWTs.
//!
//! This is plain state behind one mutex in the [`Emulator`](super::Emulator); nothing here
//! awaits. The socket loop and the request handlers look sessions up by token, change them and
//! queue frames on connection channels while holding the lock; the per-connection writer tasks
//! do the actual sending. A session that expires leaves a tombstone so that its token keeps
//! answering 4006 instead of silently starting over.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parley_shared::genesys::{ServerFrame, StructuredMessage};
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use super::agent::Persona;
use super::rate_limit::SendWindow;

/// Identifies one WebSocket connection for the emulator's lifetime.
pub type ConnId = u64;

/// Tombstones kept for expired tokens before the oldest are forgotten.
const MAX_TOMBSTONES: usize = 4096;

/// Guest JWTs remembered before the oldest are forgotten.
const MAX_JWTS: usize = 4096;

/// What a connection's writer task sends next.
#[derive(Debug)]
pub enum Outbound {
    /// A text frame, with when it was queued (the delay fault counts from there).
    Frame { text: String, queued_at: Instant },
    /// A close frame (1000), after which the writer stops.
    Close,
}

/// The sending side of one live connection.
#[derive(Debug, Clone)]
pub struct ConnHandle {
    tx: mpsc::UnboundedSender<Outbound>,
    kill: Arc<Notify>,
}

impl ConnHandle {
    /// A handle over the writer's channel and the reader's kill switch.
    pub fn new(tx: mpsc::UnboundedSender<Outbound>, kill: Arc<Notify>) -> Self {
        Self { tx, kill }
    }

    /// Queues a frame; a connection that is already gone is silently skipped.
    pub fn send(&self, frame: &ServerFrame) {
        self.send_text(frame.to_json());
    }

    /// Queues pre-serialised frame text.
    pub fn send_text(&self, text: String) {
        let _ = self.tx.send(Outbound::Frame {
            text,
            queued_at: Instant::now(),
        });
    }

    /// Queues a close frame after whatever is already queued.
    pub fn close(&self) {
        let _ = self.tx.send(Outbound::Close);
    }

    /// Cuts the connection at once, without a close frame (the drop fault).
    pub fn kill(&self) {
        self.kill.notify_one();
    }
}

/// One guest session: the conversation behind a token.
#[derive(Debug)]
pub struct Session {
    /// The conversation id; replaced by `startNew` and Clear.
    pub conversation_id: String,
    /// The conversation was disconnected (or closed); sending needs `startNew`.
    pub read_only: bool,
    /// Messages and presence events, oldest first (history and transcript).
    pub log: Vec<StructuredMessage>,
    /// Connections bound to this token by configureSession.
    pub connections: BTreeMap<ConnId, ConnHandle>,
    /// Accepted sends in the last second.
    pub window: SendWindow,
    /// Last guest activity; the TTL counts from here.
    pub last_activity: Instant,
    /// Who answers: the bot, or the human it handed over to.
    pub persona: Persona,
    /// Serialises the scripted agent's replies for this session.
    pub agent_turn: Arc<tokio::sync::Mutex<()>>,
    /// Base URL of the latest configuring connection (for avatar URLs in agent messages).
    pub base_url: String,
}

impl Session {
    /// A fresh conversation.
    pub fn new(conversation_id: String, now: Instant) -> Self {
        Self {
            conversation_id,
            read_only: false,
            log: Vec::new(),
            connections: BTreeMap::new(),
            window: SendWindow::default(),
            last_activity: now,
            persona: Persona::Bot,
            agent_turn: Arc::default(),
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
#[derive(Debug, Default)]
pub struct Sessions {
    slots: HashMap<String, Slot>,
    /// Every open socket, bound or not (the drop fault reaches them all).
    pub connections: HashMap<ConnId, ConnHandle>,
    jwts: HashMap<String, JwtGrant>,
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
        self.slots
            .insert(token.to_owned(), Slot::Live(Box::new(session)));
        self.live_mut(token).expect("just inserted")
    }

    /// Removes `token`'s session entirely (Clear): the token may start afresh.
    pub fn remove(&mut self, token: &str) -> Option<Session> {
        self.jwts.retain(|_, grant| grant.token != token);
        match self.slots.remove(token)? {
            Slot::Live(session) => Some(*session),
            Slot::Expired(_) => None,
        }
    }

    /// Turns `token`'s session into a tombstone and returns what it was.
    pub fn expire(&mut self, token: &str, now: Instant) -> Option<Session> {
        self.jwts.retain(|_, grant| grant.token != token);
        let previous = self.slots.insert(token.to_owned(), Slot::Expired(now));
        self.forget_old_tombstones();
        match previous? {
            Slot::Live(session) => Some(*session),
            Slot::Expired(at) => {
                self.slots.insert(token.to_owned(), Slot::Expired(at));
                None
            }
        }
    }

    fn forget_old_tombstones(&mut self) {
        let tombstones = self
            .slots
            .values()
            .filter(|slot| matches!(slot, Slot::Expired(_)))
            .count();
        if tombstones <= MAX_TOMBSTONES {
            return;
        }
        let oldest = self
            .slots
            .iter()
            .filter_map(|(token, slot)| match slot {
                Slot::Expired(at) => Some((*at, token.clone())),
                Slot::Live(_) => None,
            })
            .min();
        if let Some((_, token)) = oldest {
            self.slots.remove(&token);
        }
    }

    /// Tokens whose live session has been idle for `ttl` or longer at `now`.
    pub fn idle_tokens(&self, now: Instant, ttl: std::time::Duration) -> Vec<String> {
        self.slots
            .iter()
            .filter_map(|(token, slot)| match slot {
                Slot::Live(session) if now >= session.last_activity + ttl => Some(token.clone()),
                _ => None,
            })
            .collect()
    }

    /// (live sessions, expired tombstones).
    pub fn counts(&self) -> (usize, usize) {
        let live = self
            .slots
            .values()
            .filter(|slot| matches!(slot, Slot::Live(_)))
            .count();
        (live, self.slots.len() - live)
    }

    /// Remembers a guest JWT.
    pub fn insert_jwt(&mut self, jwt: String, grant: JwtGrant, now: Instant) {
        self.jwts.retain(|_, known| known.expires_at > now);
        if self.jwts.len() >= MAX_JWTS {
            let oldest = self
                .jwts
                .iter()
                .min_by_key(|(_, grant)| grant.expires_at)
                .map(|(jwt, _)| jwt.clone());
            if let Some(oldest) = oldest {
                self.jwts.remove(&oldest);
            }
        }
        self.jwts.insert(jwt, grant);
    }

    /// The session token an unexpired JWT grants access to.
    pub fn token_for_jwt(&self, jwt: &str, now: Instant) -> Option<&str> {
        self.jwts
            .get(jwt)
            .filter(|grant| grant.expires_at > now)
            .map(|grant| grant.token.as_str())
    }
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

    #[test]
    fn jwts_grant_their_token_until_they_expire() {
        let now = Instant::now();
        let mut sessions = Sessions::default();
        let grant = JwtGrant {
            token: "t".into(),
            expires_at: now + Duration::from_secs(5),
        };
        sessions.insert_jwt("jwt".into(), grant, now);
        assert_eq!(sessions.token_for_jwt("jwt", now), Some("t"));
        assert_eq!(
            sessions.token_for_jwt("jwt", now + Duration::from_secs(5)),
            None
        );
        sessions.remove("t");
        assert_eq!(sessions.token_for_jwt("jwt", now), None);
    }
}
