//! A fake driver for the engine's tests: a hand-driven clock, an effect log, and helpers that
//! build server frames as JSON text (so decoding is exercised exactly as a real driver would).
//! A module of the suite every `engine_*` module uses.
#![allow(dead_code, clippy::new_without_default)]

use std::collections::BTreeMap;

use parley_shared::engine::{
    ChoiceId, Effect, Engine, EngineConfig, Grant, Input, Millis, Phase, Refused, SocketId,
};
use parley_shared::genesys::{ClientRequest, HistoryPage, OnMessage};
use serde_json::{Value, json};

pub const TOKEN: &str = "token-1";
pub const DEPLOYMENT: &str = "deployment-1";

/// The engine plus everything a driver would see.
pub struct Harness {
    pub engine: Engine,
    pub now: Millis,
    /// Effects polled and not yet taken by a test.
    pub effects: Vec<Effect>,
    /// The socket the engine last asked to open.
    pub socket: Option<SocketId>,
    /// The deadline of the last `ArmTimer`, until it fires.
    pub armed: Option<Millis>,
}

pub fn grant(token: &str) -> Grant {
    Grant {
        token: token.into(),
        websocket_url: "ws://emulator/v1?deploymentId=deployment-1".into(),
        api_base_url: "http://emulator".into(),
        deployment_id: DEPLOYMENT.into(),
    }
}

impl Harness {
    pub fn new() -> Self {
        Self::with_config(EngineConfig {
            seed: 7,
            ..EngineConfig::new(DEPLOYMENT)
        })
    }

    pub fn with_config(config: EngineConfig) -> Self {
        Self {
            engine: Engine::new(config),
            now: 1_000,
            effects: Vec::new(),
            socket: None,
            armed: None,
        }
    }

    /// Feeds one input at the current time and collects the effects.
    pub fn handle(&mut self, input: Input) {
        let now = self.now;
        self.cmd(|engine, _| engine.handle(input, now));
    }

    /// [`Self::handle`], read as "this input is taken".
    pub fn ok(&mut self, input: Input) {
        self.handle(input);
    }

    /// Runs a guest command at the current time and collects the effects.
    pub fn cmd<R>(&mut self, command: impl FnOnce(&mut Engine, Millis) -> R) -> R {
        let result = command(&mut self.engine, self.now);
        while let Some(effect) = self.engine.poll_effect() {
            match &effect {
                Effect::OpenSocket { socket, .. } => self.socket = Some(*socket),
                Effect::ArmTimer { at } => self.armed = Some(*at),
                _ => {}
            }
            self.effects.push(effect);
        }
        result
    }

    pub fn start(&mut self) {
        self.cmd(|engine, now| engine.start(now));
    }

    pub fn send_text(&mut self, text: impl Into<String>) -> Result<String, Refused> {
        let text = text.into();
        self.cmd(|engine, now| engine.send_text(text, now))
    }

    /// Sends `text`, which must be accepted; its client id.
    pub fn say(&mut self, text: impl Into<String>) -> String {
        self.send_text(text).expect("text accepted")
    }

    pub fn choose(&mut self, choice: &ChoiceId) -> Result<String, Refused> {
        self.cmd(|engine, now| engine.choose(choice, now))
    }

    pub fn typing(&mut self) {
        self.cmd(|engine, now| engine.typing(now));
    }

    pub fn retry(&mut self, client_id: &str) -> Result<(), Refused> {
        self.cmd(|engine, now| engine.retry(client_id, now))
    }

    pub fn discard(&mut self, client_id: &str) -> Result<(), Refused> {
        self.cmd(|engine, now| engine.discard(client_id, now))
    }

    pub fn set_custom_attributes(&mut self, attributes: BTreeMap<String, String>) {
        self.cmd(|engine, now| engine.set_custom_attributes(attributes, now));
    }

    pub fn start_new_chat(&mut self) {
        self.cmd(|engine, now| engine.start_new_chat(now));
    }

    pub fn end_chat(&mut self) -> Result<(), Refused> {
        self.cmd(|engine, now| engine.end_chat(now))
    }

    pub fn close(&mut self) {
        self.cmd(|engine, now| engine.close(now));
    }

    pub fn attach(&mut self, file_name: &str, mime: &str, size: u64) -> Result<String, Refused> {
        self.cmd(|engine, now| engine.attach(file_name, mime, size, now))
    }

    pub fn remove_attachment(&mut self, attachment_id: &str) -> Result<(), Refused> {
        self.cmd(|engine, now| engine.remove_attachment(attachment_id, now))
    }

    /// Moves the clock to `now + ms`, firing the engine's timer at each deadline on the way.
    pub fn advance(&mut self, ms: Millis) {
        let target = self.now + ms;
        for _ in 0..10_000 {
            match self.armed {
                Some(at) if at <= target => {
                    self.now = self.now.max(at);
                    self.armed = None;
                    self.ok(Input::TimerFired);
                }
                _ => break,
            }
        }
        self.now = target;
    }

    /// Takes all effects collected so far.
    pub fn take(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Answers a fresh `RequestSession` with `token`, and checks that the engine persists it,
    /// configures the new socket with it as a new session (not `startNew`) and is ready once
    /// the server answers.
    pub fn grant_fresh_session(&mut self, token: &str) {
        self.ok(Input::SessionGranted(grant(token)));
        assert!(self.take().contains(&Effect::PersistToken {
            token: token.into()
        }));
        self.open();
        assert!(matches!(self.sent().as_slice(),
            [ClientRequest::ConfigureSession(c)] if c.token == token && c.start_new.is_none()));
        self.frame(session_response(true, false));
        assert_eq!(self.engine.phase(), &Phase::Ready);
    }

    /// Takes all effects collected so far; whether one of them opens a socket.
    pub fn took_open_socket(&mut self) -> bool {
        self.take()
            .iter()
            .any(|effect| matches!(effect, Effect::OpenSocket { .. }))
    }

    /// Takes all effects collected so far; how many of them fetch a history page.
    pub fn took_history_fetches(&mut self) -> usize {
        self.take()
            .iter()
            .filter(|effect| matches!(effect, Effect::FetchHistory { .. }))
            .count()
    }

    /// The server answers `getJwt` (the history request's token).
    pub fn jwt(&mut self) {
        self.frame(
            json!({"type": "response", "class": "JwtResponse", "code": 200,
                          "body": {"jwt": "j", "exp": 1}}),
        );
    }

    /// Takes the requests sent so far (other effects are dropped).
    pub fn sent(&mut self) -> Vec<ClientRequest> {
        self.take()
            .into_iter()
            .filter_map(|effect| match effect {
                Effect::Send { request, .. } => Some(request),
                _ => None,
            })
            .collect()
    }

    /// Takes the `onMessage` requests that carry a guest message (not typing).
    pub fn sent_messages(&mut self) -> Vec<OnMessage> {
        self.sent()
            .into_iter()
            .filter_map(|request| match request {
                ClientRequest::OnMessage(message) if message.message.events.is_empty() => {
                    Some(message)
                }
                _ => None,
            })
            .collect()
    }

    /// Delivers a frame given as JSON on the current socket.
    pub fn frame(&mut self, frame: Value) {
        let socket = self.socket.expect("a socket");
        self.ok(Input::frame_text(socket, &frame.to_string()));
    }

    pub fn open(&mut self) {
        let socket = self.socket.expect("a socket was requested");
        self.ok(Input::SocketOpened(socket));
    }

    pub fn drop_socket(&mut self) {
        let socket = self.socket.expect("a socket");
        self.ok(Input::SocketClosed {
            socket,
            code: Some(1006),
            clean: false,
        });
    }

    /// Start → grant → open → SessionResponse (new or resumed). Effects are left collected.
    pub fn connect(&mut self, new_session: bool) {
        self.start();
        self.ok(Input::SessionGranted(grant(TOKEN)));
        self.open();
        self.frame(session_response(new_session, false));
    }

    /// A ready engine on a new session with nothing collected.
    pub fn ready() -> Self {
        let mut harness = Self::new();
        harness.connect(true);
        harness.take();
        harness
    }

    /// A ready engine on a new session, configured by `config`, with nothing collected.
    pub fn ready_with(config: EngineConfig) -> Self {
        let mut harness = Self::with_config(config);
        harness.connect(true);
        harness.take();
        harness
    }

    /// A ready engine that stays expired on expiry (no automatic new session).
    pub fn ready_without_auto_restart() -> Self {
        Self::ready_with(EngineConfig {
            seed: 7,
            auto_restart_on_expiry: false,
            ..EngineConfig::new(DEPLOYMENT)
        })
    }

    /// Echoes the guest message `message` the way the server would.
    pub fn echo(&mut self, message: &OnMessage, id: &str, time: &str) {
        self.frame(echo_frame(message, id, time));
    }

    pub fn history(&mut self, page: Value) {
        let page: HistoryPage = serde_json::from_value(page).expect("a history page");
        self.ok(Input::HistoryReceived(page));
    }

    /// Texts of the transcript entries, in display order (notices as `[notice]`).
    pub fn texts(&self) -> Vec<String> {
        use parley_shared::engine::EntryKind;
        self.engine
            .transcript()
            .iter()
            .map(|entry| match &entry.kind {
                EntryKind::Guest(message) => format!("guest:{}", message.text),
                EntryKind::Agent(message) => {
                    format!("agent:{}", message.text.clone().unwrap_or_default())
                }
                EntryKind::Notice(notice) => format!("[{notice:?}]"),
            })
            .collect()
    }
}

pub fn session_response(new_session: bool, read_only: bool) -> Value {
    json!({"type": "response", "class": "SessionResponse", "code": 200,
           "body": {"connected": true, "newSession": new_session, "readOnly": read_only,
                    "maxCustomDataBytes": 2048, "blockedExtensions": [".exe"],
                    "allowedMedia": {"inbound": {"fileTypes": [{"type": "image/png"}], "maxFileSizeKB": 10240}}}})
}

pub fn echo_frame(message: &OnMessage, id: &str, time: &str) -> Value {
    json!({"type": "message", "class": "StructuredMessage", "code": 200,
           "tracingId": message.tracing_id,
           "body": {"id": id, "type": "Text", "direction": "Inbound",
                    "text": message.message.text, "originatingEntity": "",
                    "metadata": message.message.metadata,
                    "channel": {"time": time, "messageId": id}}})
}

pub fn agent_text(id: &str, text: &str, time: &str, nickname: &str) -> Value {
    json!({"type": "message", "class": "StructuredMessage", "code": 200,
           "body": {"id": id, "type": "Text", "direction": "Outbound", "text": text,
                    "originatingEntity": "Human",
                    "channel": {"time": time, "from": {"nickname": nickname, "image": "https://a/x.png"}}}})
}

pub fn agent_event(id: &str, event: Value, metadata: Value) -> Value {
    json!({"type": "message", "class": "StructuredMessage", "code": 200,
           "body": {"id": id, "type": "Event", "direction": "Outbound", "events": [event],
                    "metadata": metadata, "channel": {"time": "2024-01-01T10:00:00Z"}}})
}

pub fn error_frame(code: u16, text: &str, tracing_id: Option<&str>) -> Value {
    json!({"type": "response", "class": "string", "code": code, "body": text, "tracingId": tracing_id})
}

pub fn history_page(entities: Vec<Value>, page_number: u32, page_count: u32) -> Value {
    json!({"entities": entities, "pageSize": 25, "pageNumber": page_number,
           "total": 0, "pageCount": page_count})
}

pub fn history_entry(id: &str, direction: &str, text: &str, time: &str, metadata: Value) -> Value {
    json!({"id": id, "type": "Text", "direction": direction, "text": text,
           "channel": {"time": time}, "metadata": metadata})
}

/// A guest message as history shows it: inbound, tagged with the client id it was sent under.
pub fn guest_history_entry(id: &str, text: &str, time: &str, client_id: &str) -> Value {
    history_entry(
        id,
        "Inbound",
        text,
        time,
        json!({ parley_shared::engine::CLIENT_MESSAGE_ID_KEY: client_id }),
    )
}
