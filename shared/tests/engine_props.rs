//! Property test: whatever the network does (drops, lost requests, reordered and duplicated
//! frames, rate limits, late or failed history pages), every message the guest sent ends up in
//! the transcript exactly once, in send order, and delivered once the network heals.
//!
//! A fake server inside the test keeps the conversation log, answers requests faithfully
//! (SessionResponse, echo with tracingId and metadata, 429 above 2 messages per second, JWT,
//! history pages newest first), and the "network" between it and the engine is a pair of
//! queues the strategy reorders, duplicates and loses.

#[path = "engine_harness.rs"]
mod harness;

use std::collections::BTreeMap;

use harness::*;
use parley_shared::engine::{Delivery, Effect, EntryKind, Input, Phase, SocketId};
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

/// The fake server plus the network between it and the engine.
struct World {
    h: Harness,
    socket: Option<SocketId>,
    to_server: Vec<ClientRequest>,
    to_client: Vec<Value>,
    history_requests: Vec<HistoryQuery>,
    log: Vec<Logged>,
    session_exists: bool,
    configured: bool,
    accepted_at: Vec<u64>,
    sent_texts: Vec<String>,
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

impl World {
    fn new() -> Self {
        let mut world = World {
            h: Harness::new(),
            socket: None,
            to_server: Vec::new(),
            to_client: Vec::new(),
            history_requests: Vec::new(),
            log: Vec::new(),
            session_exists: false,
            configured: false,
            accepted_at: Vec::new(),
            sent_texts: Vec::new(),
        };
        world.h.start();
        world.run_effects();
        world.input(Input::SessionGranted(grant(TOKEN)));
        world
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
            ClientRequest::ConfigureSession(_) => {
                let new_session = !self.session_exists;
                self.session_exists = true;
                self.configured = true;
                Some(session_response(new_session, false))
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
                } else {
                    self.accepted_at.push(now);
                    let logged = Logged {
                        id: format!("s{}", self.log.len()),
                        direction: "Inbound",
                        text: message.message.text.clone().unwrap_or_default(),
                        metadata: message.message.metadata.clone(),
                        time: iso(now),
                    };
                    self.log.push(logged.clone());
                    Some(
                        json!({"type": "message", "class": "StructuredMessage", "code": 200,
                        "tracingId": message.tracing_id,
                        "body": {"id": logged.id, "type": "Text", "direction": "Inbound",
                                 "text": logged.text, "metadata": logged.metadata,
                                 "channel": {"time": logged.time}}}),
                    )
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
        let entities: Vec<StructuredMessage> = self
            .log
            .iter()
            .rev()
            .skip(skip)
            .take(size)
            .map(|m| {
                serde_json::from_value(json!({"id": m.id, "type": "Text", "direction": m.direction,
                    "text": m.text, "metadata": m.metadata, "channel": {"time": m.time}}))
                .unwrap()
            })
            .collect();
        let page = HistoryPage {
            entities,
            page_size: query.page_size,
            page_number: query.page_number,
            total: self.log.len() as u64,
            page_count: self.log.len().div_ceil(size) as u32,
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
            Op::AgentSays if self.session_exists => {
                let logged = Logged {
                    id: format!("s{}", self.log.len()),
                    direction: "Outbound",
                    text: format!("agent {}", self.log.len()),
                    metadata: BTreeMap::new(),
                    time: iso(self.h.now),
                };
                if self.socket.is_some() && self.configured {
                    self.to_client
                        .push(agent_text(&logged.id, &logged.text, &logged.time, "Ann"));
                }
                self.log.push(logged);
            }
            Op::AgentSays => {}
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
    fn every_sent_message_ends_up_once_in_order_and_delivered(ops in prop::collection::vec(op(), 1..120)) {
        let mut world = World::new();
        for op in ops {
            world.apply(op);
        }
        prop_assert!(world.heal(), "the conversation did not settle: {:?}", world.h.engine.phase());
        let shown = world.guest_messages();
        let texts: Vec<&str> = shown.iter().map(|(text, _, _)| text.as_str()).collect();
        let sent: Vec<&str> = world.sent_texts.iter().map(String::as_str).collect();
        prop_assert_eq!(&texts, &sent, "transcript {:?}", shown);
        for (text, _, delivery) in &shown {
            prop_assert_eq!(delivery, &Delivery::Sent, "{} not delivered", text);
        }
        for text in &sent {
            prop_assert!(world.log.iter().any(|m| m.text == *text), "{} never reached the server", text);
        }
        let agent_logged: Vec<&str> = world.log.iter().filter(|m| m.direction == "Outbound").map(|m| m.text.as_str()).collect();
        let mut agent_shown: Vec<String> = world.h.engine.transcript().iter().filter_map(|entry| match &entry.kind {
            EntryKind::Agent(m) => m.text.clone(),
            _ => None,
        }).collect();
        agent_shown.sort_by_key(|text| text[6..].parse::<usize>().unwrap());
        prop_assert_eq!(agent_shown, agent_logged, "every agent message shown exactly once");
    }
}
