//! Property test: whatever the network does (drops, lost requests, reordered and duplicated
//! frames, rate limits, late or failed history pages), whatever the page does (reloads that
//! rebuild the engine from what it persisted) and whatever the server does (sessions that
//! expire, history that keeps or drops `metadata`), every message the guest sent reaches the
//! server, and is confirmed exactly once, in send order, once the network heals.
//!
//! A fake server inside the test keeps one conversation log per session token, answers
//! requests faithfully (SessionResponse, echo with tracingId and metadata, 429 above 2
//! messages per second, JWT, history pages newest first, 4007 for an expired token), and the
//! "network" between it and the engine is a pair of queues the strategy reorders, duplicates
//! and loses.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine_harness::*;
use parley_shared::engine::{
    Delivery, Effect, EngineConfig, EntryKind, Input, PendingMessage, Phase, SocketId,
};
use parley_shared::genesys::{ClientRequest, HistoryPage, HistoryQuery, StructuredMessage};
use proptest::prelude::*;
use serde_json::{Value, json};

/// One step of the network's and the guest's behaviour.
#[derive(Debug, Clone)]
enum Op {
    /// The guest sends a new message.
    Send,
    /// The server processes the `n`-th request in transit (reordering requests).
    ServerProcess(usize),
    /// The `n`-th frame in transit reaches the engine.
    Deliver(usize),
    /// The `n`-th frame in transit reaches the engine and stays in transit (a duplicate).
    Duplicate(usize),
    /// The socket dies: everything in transit is lost.
    Drop,
    /// The `n`-th pending history fetch is answered (with the log as it is now) or fails.
    History(usize, bool),
    /// Time passes.
    Advance(u64),
    /// The browser says the network is back.
    NetworkBack,
    /// The agent writes (pushed to the socket if one is configured, else only in the log).
    AgentSays,
    /// The page reloads: a new engine from the persisted token and outbox.
    Reload,
    /// The server expires the session (the event is pushed; the token is dead from now on).
    Expire,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Send),
        4 => (0..8usize).prop_map(Op::ServerProcess),
        4 => (0..8usize).prop_map(Op::Deliver),
        1 => (0..8usize).prop_map(Op::Duplicate),
        1 => Just(Op::Drop),
        1 => ((0..4usize), any::<bool>()).prop_map(|(n, ok)| Op::History(n, ok)),
        2 => (1..3_000u64).prop_map(Op::Advance),
        1 => Just(Op::NetworkBack),
        2 => Just(Op::AgentSays),
        1 => Just(Op::Reload),
        1 => Just(Op::Expire),
    ]
}

/// One message in the server's conversation log.
#[derive(Debug, Clone)]
struct Logged {
    id: String,
    direction: &'static str,
    text: String,
    metadata: BTreeMap<String, String>,
    time: String,
}

/// The fake server plus the network between it and the engine, and the page's storage.
struct World {
    h: Harness,
    socket: Option<SocketId>,
    to_server: Vec<ClientRequest>,
    to_client: Vec<Value>,
    history_requests: Vec<HistoryQuery>,
    /// Each session's conversation log, by token.
    sessions: BTreeMap<String, Vec<Logged>>,
    /// Tokens whose session expired.
    expired: BTreeSet<String>,
    /// The token the current socket configured.
    current: Option<String>,
    next_token: u32,
    configured: bool,
    accepted_at: Vec<u64>,
    sent_texts: Vec<String>,
    /// Whether history pages carry the messages' metadata (Genesys need not).
    metadata_in_history: bool,
    /// What the engine asked the page to store.
    stored_token: Option<String>,
    stored_outbox: (Option<String>, Vec<PendingMessage>),
    reloads: u64,
}

fn iso(ms: u64) -> String {
    format!(
        "2024-01-01T{:02}:{:02}:{:02}.{:03}Z",
        ms / 3_600_000 % 24,
        ms / 60_000 % 60,
        ms / 1_000 % 60,
        ms % 1_000
    )
}

/// The engine as a page would build it: a deep enough history for a reload to see it all.
fn config(seed: u64, token: Option<String>, outbox: Vec<PendingMessage>) -> EngineConfig {
    EngineConfig {
        seed,
        stored_token: token,
        restored_outbox: outbox,
        max_history_pages: 100,
        ..EngineConfig::new(DEPLOYMENT)
    }
}

impl World {
    fn new(metadata_in_history: bool) -> Self {
        let mut world = World {
            h: Harness::with_config(config(7, None, Vec::new())),
            socket: None,
            to_server: Vec::new(),
            to_client: Vec::new(),
            history_requests: Vec::new(),
            sessions: BTreeMap::new(),
            expired: BTreeSet::new(),
            current: None,
            next_token: 0,
            configured: false,
            accepted_at: Vec::new(),
            sent_texts: Vec::new(),
            metadata_in_history,
            stored_token: None,
            stored_outbox: (None, Vec::new()),
            reloads: 0,
        };
        world.h.start();
        world.run_effects();
        world
    }

    /// The current session's log.
    fn log(&self) -> &[Logged] {
        self.current
            .as_ref()
            .and_then(|token| self.sessions.get(token))
            .map_or(&[], Vec::as_slice)
    }

    /// The current session's log, if the session is alive.
    fn log_mut(&mut self) -> Option<&mut Vec<Logged>> {
        let token = self.current.clone()?;
        if self.expired.contains(&token) {
            return None;
        }
        self.sessions.get_mut(&token)
    }

    /// The page reloads: the engine is rebuilt from storage, everything in transit is lost.
    fn reload(&mut self) {
        self.reloads += 1;
        let (outbox_token, messages) = self.stored_outbox.clone();
        // The browser driver's rule: an outbox written before any session, or in this one.
        let messages = if outbox_token.is_none() || outbox_token == self.stored_token {
            messages
        } else {
            Vec::new()
        };
        let now = self.h.now;
        self.h = Harness::with_config(config(
            100 + self.reloads,
            self.stored_token.clone(),
            messages,
        ));
        self.h.now = now;
        self.socket = None;
        self.configured = false;
        self.to_server.clear();
        self.to_client.clear();
        self.history_requests.clear();
        self.h.start();
        self.run_effects();
    }

    /// Feeds an input and carries out the effects like a driver would.
    fn input(&mut self, input: Input) {
        self.h.handle(input);
        self.run_effects();
    }

    fn run_effects(&mut self) {
        loop {
            let effects = self.h.take();
            if effects.is_empty() {
                break;
            }
            for effect in effects {
                match effect {
                    Effect::RequestSession { resume_token } => {
                        let token = resume_token.unwrap_or_else(|| {
                            self.next_token += 1;
                            format!("token-{}", self.next_token)
                        });
                        self.h.handle(Input::SessionGranted(grant(&token)));
                    }
                    Effect::PersistToken { token } => self.stored_token = Some(token),
                    Effect::ForgetToken => self.stored_token = None,
                    Effect::PersistOutbox { token, messages } => {
                        self.stored_outbox = (token, messages);
                    }
                    Effect::OpenSocket { socket, .. } => {
                        self.socket = Some(socket);
                        self.configured = false;
                        self.to_server.clear();
                        self.to_client.clear();
                        self.h.handle(Input::SocketOpened(socket));
                    }
                    Effect::CloseSocket { socket } if Some(socket) == self.socket => {
                        self.socket = None;
                        self.to_server.clear();
                        self.to_client.clear();
                    }
                    Effect::Send { socket, request } if Some(socket) == self.socket => {
                        self.to_server.push(request);
                    }
                    Effect::FetchHistory { query, .. } => self.history_requests.push(query),
                    _ => {}
                }
            }
        }
    }

    fn server_process(&mut self, index: usize) {
        if self.to_server.is_empty() {
            return;
        }
        let request = self.to_server.remove(index % self.to_server.len());
        let now = self.h.now;
        let frame = match request {
            ClientRequest::ConfigureSession(configure) => {
                if self.expired.contains(&configure.token) {
                    Some(error_frame(
                        4007,
                        "session not found",
                        configure.tracing_id.as_deref(),
                    ))
                } else {
                    let new_session = !self.sessions.contains_key(&configure.token);
                    self.sessions.entry(configure.token.clone()).or_default();
                    self.current = Some(configure.token);
                    self.configured = true;
                    Some(session_response(new_session, false))
                }
            }
            ClientRequest::GetJwt(_) => Some(json!({"type": "response", "class": "JwtResponse",
                "code": 200, "body": {"jwt": "jwt", "exp": 1}})),
            ClientRequest::Echo(echo) => {
                Some(json!({"type": "response", "class": "StructuredMessage",
                "code": 200, "tracingId": echo.tracing_id,
                "body": {"id": "ping", "type": "Text", "direction": "Inbound", "text": "ping"}}))
            }
            ClientRequest::OnMessage(message) if message.message.events.is_empty() => {
                self.accepted_at.retain(|&at| at + 1_000 > now);
                if self.accepted_at.len() >= 2 {
                    Some(
                        json!({"type": "response", "class": "TooManyRequestsErrorMessage",
                        "code": 429, "tracingId": message.tracing_id,
                        "body": {"retryAfter": 1, "errorCode": 4029}}),
                    )
                } else if let Some(log) = self.log_mut() {
                    let logged = Logged {
                        id: format!("{}-s{}", message.token, log.len()),
                        direction: "Inbound",
                        text: message.message.text.clone().unwrap_or_default(),
                        metadata: message.message.metadata.clone(),
                        time: iso(now),
                    };
                    log.push(logged.clone());
                    self.accepted_at.push(now);
                    Some(
                        json!({"type": "message", "class": "StructuredMessage", "code": 200,
                        "tracingId": message.tracing_id,
                        "body": {"id": logged.id, "type": "Text", "direction": "Inbound",
                                 "text": logged.text, "metadata": logged.metadata,
                                 "channel": {"time": logged.time}}}),
                    )
                } else {
                    Some(error_frame(
                        4006,
                        "session expired",
                        message.tracing_id.as_deref(),
                    ))
                }
            }
            _ => None,
        };
        self.to_client.extend(frame);
    }

    fn deliver(&mut self, index: usize, keep: bool) {
        let (Some(socket), false) = (self.socket, self.to_client.is_empty()) else {
            return;
        };
        let index = index % self.to_client.len();
        let frame = if keep {
            self.to_client[index].clone()
        } else {
            self.to_client.remove(index)
        };
        self.input(Input::frame_text(socket, &frame.to_string()));
    }

    fn history(&mut self, index: usize, ok: bool) {
        if self.history_requests.is_empty() {
            return;
        }
        let query = self
            .history_requests
            .remove(index % self.history_requests.len());
        if !ok {
            self.input(Input::HistoryFailed("HTTP 503".into()));
            return;
        }
        let size = query.page_size as usize;
        let skip = (query.page_number.max(1) as usize - 1) * size;
        let with_metadata = self.metadata_in_history;
        let log = self.log();
        let entities: Vec<StructuredMessage> = log
            .iter()
            .rev()
            .skip(skip)
            .take(size)
            .map(|m| {
                let metadata = if with_metadata {
                    m.metadata.clone()
                } else {
                    BTreeMap::new()
                };
                serde_json::from_value(json!({"id": m.id, "type": "Text", "direction": m.direction,
                    "text": m.text, "metadata": metadata, "channel": {"time": m.time}}))
                .unwrap()
            })
            .collect();
        let page = HistoryPage {
            entities,
            page_size: query.page_size,
            page_number: query.page_number,
            total: log.len() as u64,
            page_count: log.len().div_ceil(size) as u32,
        };
        self.input(Input::HistoryReceived(page));
    }

    fn advance(&mut self, ms: u64) {
        let target = self.h.now + ms;
        while let Some(at) = self.h.armed.filter(|&at| at <= target) {
            self.h.now = self.h.now.max(at);
            self.h.armed = None;
            self.input(Input::TimerFired);
        }
        self.h.now = target;
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Send => {
                let text = format!("m{}", self.sent_texts.len());
                if self.h.send_text(text.clone()).is_ok() {
                    self.sent_texts.push(text);
                }
                self.run_effects();
            }
            Op::ServerProcess(n) => self.server_process(n),
            Op::Deliver(n) => self.deliver(n, false),
            Op::Duplicate(n) => self.deliver(n, true),
            Op::Drop => {
                if let Some(socket) = self.socket.take() {
                    self.to_server.clear();
                    self.to_client.clear();
                    self.input(Input::SocketClosed {
                        socket,
                        code: Some(1006),
                        clean: false,
                    });
                }
            }
            Op::History(n, ok) => self.history(n, ok),
            Op::Advance(ms) => self.advance(ms),
            Op::NetworkBack => self.input(Input::NetworkBack),
            // An agent can only write into a conversation that exists.
            Op::AgentSays => {
                let now = self.h.now;
                let live = self.socket.is_some() && self.configured;
                let Some(log) = self.log_mut() else { return };
                let logged = Logged {
                    id: format!("a{now}-{}", log.len()),
                    direction: "Outbound",
                    text: format!("agent {now}-{}", log.len()),
                    metadata: BTreeMap::new(),
                    time: iso(now),
                };
                log.push(logged.clone());
                if live {
                    self.to_client
                        .push(agent_text(&logged.id, &logged.text, &logged.time, "Ann"));
                }
            }
            Op::Reload => self.reload(),
            Op::Expire => {
                if let (Some(token), true) = (self.current.clone(), self.configured) {
                    self.expired.insert(token);
                    self.to_client.push(json!({"type": "response",
                        "class": "SessionExpiredEvent", "code": 200, "body": {}}));
                }
            }
        }
    }

    /// The network heals: everything is delivered promptly, in order, for at least 10 s of
    /// simulated time, and the guest presses "retry" on anything that failed.
    fn heal(&mut self) -> bool {
        for round in 0..200 {
            // Reconnects at once, or probes a live socket and catches up on missed history.
            self.input(Input::NetworkBack);
            while !self.to_server.is_empty() {
                self.server_process(0);
            }
            while !self.to_client.is_empty() {
                self.deliver(0, false);
            }
            while !self.history_requests.is_empty() {
                self.history(0, true);
            }
            let failed: Vec<String> = self
                .guest_messages()
                .into_iter()
                .filter_map(|(_, client_id, delivery)| {
                    matches!(delivery, Delivery::Failed(_))
                        .then_some(client_id)
                        .flatten()
                })
                .collect();
            for client_id in failed {
                let _ = self.h.retry(&client_id);
                self.run_effects();
            }
            let settled = self.h.engine.phase() == &Phase::Ready
                && self.to_server.is_empty()
                && self.to_client.is_empty()
                && self
                    .guest_messages()
                    .iter()
                    .all(|(_, _, d)| *d == Delivery::Sent);
            // Give retries scheduled on the engine's timer (history: 1 + 2 + 4 s) time to run.
            if settled && round >= 20 {
                return true;
            }
            self.advance(500);
        }
        false
    }

    fn guest_messages(&self) -> Vec<(String, Option<String>, Delivery)> {
        self.h
            .engine
            .transcript()
            .iter()
            .filter_map(|entry| match &entry.kind {
                EntryKind::Guest(m) => {
                    Some((m.text.clone(), m.client_id.clone(), m.delivery.clone()))
                }
                _ => None,
            })
            .collect()
    }
}

proptest! {
    #[test]
    fn every_sent_message_is_confirmed_exactly_once_in_order(
        ops in prop::collection::vec(op(), 1..120),
        metadata_in_history in any::<bool>(),
    ) {
        let mut world = World::new(metadata_in_history);
        for op in ops {
            world.apply(op);
        }
        prop_assert!(world.heal(), "the conversation did not settle: {:?}", world.h.engine.phase());
        let shown = world.guest_messages();
        for (text, _, delivery) in &shown {
            prop_assert_eq!(delivery, &Delivery::Sent, "{} not delivered", text);
        }
        // Nothing lost: every message reached a session (a message carried over an expiry
        // may have reached the old one too).
        for text in &world.sent_texts {
            prop_assert!(
                world.sessions.values().flatten().any(|m| m.text == *text),
                "{} never reached the server", text
            );
        }
        // The view is the current conversation: the messages that reached it, each once, in
        // send order. Without metadata a copy the server really holds twice (a resend after
        // history could not tell) shows as often as the server has it, never more.
        let current: Vec<&Logged> = world.log().iter().collect();
        let expected: Vec<&str> = world
            .sent_texts
            .iter()
            .filter(|text| current.iter().any(|m| m.text == **text))
            .map(String::as_str)
            .collect();
        let mut first_seen: Vec<&str> = Vec::new();
        for (text, _, _) in &shown {
            let copies = shown.iter().filter(|(t, _, _)| t == text).count();
            let held = current.iter().filter(|m| m.text == *text).count();
            if world.metadata_in_history {
                prop_assert_eq!(copies, 1, "{} shown {} times: {:?}", text, copies, shown);
            } else {
                prop_assert!(copies <= held.max(1), "{} shown {} times, held {}", text, copies, held);
            }
            if !first_seen.contains(&text.as_str()) {
                first_seen.push(text);
            }
        }
        prop_assert_eq!(&first_seen, &expected, "transcript {:?}", shown);
        let mut agent_logged: Vec<&str> = current
            .iter()
            .filter(|m| m.direction == "Outbound")
            .map(|m| m.text.as_str())
            .collect();
        let mut agent_shown: Vec<String> = world.h.engine.transcript().iter().filter_map(|entry| match &entry.kind {
            EntryKind::Agent(m) => m.text.clone(),
            _ => None,
        }).collect();
        agent_logged.sort_unstable();
        agent_shown.sort_unstable();
        prop_assert_eq!(agent_shown, agent_logged, "every agent message shown exactly once");
    }
}
