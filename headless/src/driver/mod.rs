//! The tokio driver of [`parley_shared::engine`]: one task per guest that turns socket frames,
//! timers and commands into engine inputs and the engine's effects into I/O, and reports what
//! changed as [`GuestEvent`]s. `chat`, `check` and `load` are all consumers of this one loop.
//!
//! It holds no conversation rules (ordering, resends, back-off, typing are the engine's). It
//! does hold two *tool* policies, both about giving up rather than about the conversation:
//! a guest whose very first socket cannot be opened, or whose grant is refused, stops with a
//! fatal [`GuestEvent::Error`] instead of retrying for ever, so that a wrong URL or deployment
//! id ends a command with a clear message. Once connected, reconnects are the engine's.

mod history;
mod socket;

use std::collections::HashMap;
use std::time::Duration;

use parley_shared::engine::{
    Delivery, Effect, Engine, EngineConfig, EntryKind, Input, Millis, Phase, SocketId,
};
use parley_shared::genesys::{
    ButtonResponse, Direction, Event, FrameBody, ServerFrame, StructuredMessage,
};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::events::{GuestEvent, ViewTracker};
use crate::grant::GrantSource;

/// Default limit for opening a socket (TCP, TLS and upgrade).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How a guest is set up.
#[derive(Debug, Clone)]
pub struct GuestConfig {
    /// Where grants come from.
    pub grants: GrantSource,
    /// The token of a conversation to resume.
    pub resume: Option<String>,
    /// Limit for opening each socket.
    pub connect_timeout: Duration,
    /// HTTP client for history pages (shared by all guests of a process).
    pub http: reqwest::Client,
    /// Reconnect jitter seed.
    pub seed: u64,
    /// Report the session token as a [`GuestEvent::Session`] (chat `--show-token`).
    pub report_token: bool,
}

impl GuestConfig {
    /// A new conversation from `grants` with default limits.
    pub fn new(grants: GrantSource) -> GuestConfig {
        GuestConfig {
            grants,
            resume: None,
            connect_timeout: CONNECT_TIMEOUT,
            http: crate::grant::http_client(),
            seed: rand_seed(),
            report_token: false,
        }
    }
}

/// What a consumer asks the guest to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Send this text.
    Say(String),
    /// Choose an offered quick reply or card button by its number (from 1).
    ChooseNumber(usize),
    /// Choose an offered quick reply or card button by its label (case-insensitive).
    ChooseText(String),
    /// Start a new conversation.
    NewChat,
    /// Leave once every message sent so far is delivered (or failed): end of input.
    Leave,
    /// Leave now: close the socket cleanly and stop.
    Close,
}

/// How a guest ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestExit {
    /// The reason it gave up, if it did (also sent as a fatal error event).
    pub fatal: Option<String>,
}

/// The consumer's end of a running guest.
#[derive(Debug)]
pub struct GuestHandle {
    /// Commands in.
    pub commands: mpsc::UnboundedSender<Command>,
    /// Events out; closes when the guest stops.
    pub events: mpsc::UnboundedReceiver<GuestEvent>,
}

/// Starts a guest on the current tokio runtime.
pub fn spawn(config: GuestConfig) -> (GuestHandle, tokio::task::JoinHandle<GuestExit>) {
    let (commands_tx, commands_rx) = mpsc::unbounded_channel();
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(Driver::new(config, events_tx).run(commands_rx));
    (
        GuestHandle {
            commands: commands_tx,
            events: events_rx,
        },
        task,
    )
}

/// What the driver's helper tasks report back.
#[derive(Debug)]
enum Report {
    /// An engine input, ready to hand over.
    Input(Input),
    /// A text frame from a socket (decoded by the driver).
    Frame(SocketId, String),
    /// Opening a socket failed; `refused_status` when the upgrade got an HTTP answer.
    ConnectFailed {
        socket: SocketId,
        message: String,
        refused_status: Option<u16>,
    },
    /// The grant request failed.
    GrantFailed(String),
}

struct Driver {
    engine: Engine,
    config: GuestConfig,
    start: Instant,
    events: mpsc::UnboundedSender<GuestEvent>,
    reports_tx: mpsc::UnboundedSender<Report>,
    reports: mpsc::UnboundedReceiver<Report>,
    sockets: HashMap<SocketId, mpsc::UnboundedSender<String>>,
    tasks: JoinSet<()>,
    deadline: Option<Millis>,
    tracker: ViewTracker,
    typing_sender: Option<String>,
    ever_opened: bool,
    fatal: Option<String>,
    leaving: bool,
    closing: bool,
}

impl Driver {
    fn new(config: GuestConfig, events: mpsc::UnboundedSender<GuestEvent>) -> Driver {
        let mut engine_config = EngineConfig::new(config.grants.deployment_id());
        engine_config.stored_token = config.resume.clone();
        engine_config.seed = config.seed;
        let (reports_tx, reports) = mpsc::unbounded_channel();
        Driver {
            engine: Engine::new(engine_config),
            config,
            start: Instant::now(),
            events,
            reports_tx,
            reports,
            sockets: HashMap::new(),
            tasks: JoinSet::new(),
            deadline: None,
            tracker: ViewTracker::default(),
            typing_sender: None,
            ever_opened: false,
            fatal: None,
            leaving: false,
            closing: false,
        }
    }

    fn now(&self) -> Millis {
        self.start.elapsed().as_millis() as Millis
    }

    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) -> GuestExit {
        self.input(Input::Start);
        let mut commands_open = true;
        while !self.closing {
            let timer = self
                .deadline
                .map(|at| self.start + Duration::from_millis(at));
            tokio::select! {
                Some(report) = self.reports.recv() => self.report(report),
                command = commands.recv(), if commands_open => match command {
                    Some(command) => self.command(command),
                    None => {
                        commands_open = false;
                        self.command(Command::Close);
                    }
                },
                () = sleep_until(timer), if timer.is_some() => {
                    self.deadline = None;
                    self.input(Input::TimerFired);
                }
            }
        }
        // Let sockets finish their close handshake (each has its own time limit).
        self.sockets.clear();
        while self.tasks.join_next().await.is_some() {}
        GuestExit { fatal: self.fatal }
    }

    fn command(&mut self, command: Command) {
        let input = match command {
            Command::Say(text) => Input::text(text),
            // With nothing on offer a number is just text ("2", as an answer to a question).
            Command::ChooseNumber(n) if self.tracker.choices().is_empty() => {
                Input::text(n.to_string())
            }
            Command::ChooseNumber(n) => match self.choice(|c| c.n == Some(n)) {
                Some(input) => input,
                None => return self.refused(format!("there is no choice numbered {n}")),
            },
            Command::ChooseText(text) => {
                match self.choice(|c| c.n.is_some() && c.text.eq_ignore_ascii_case(text.trim())) {
                    Some(input) => input,
                    None => return self.refused(format!("there is no choice \"{text}\"")),
                }
            }
            Command::NewChat => Input::StartNewChat,
            Command::Leave => {
                self.leaving = true;
                self.leave_when_delivered();
                return;
            }
            Command::Close => {
                self.input(Input::Close);
                self.closing = true;
                return;
            }
        };
        self.input(input);
    }

    /// The button response for the offered choice matching `wanted`.
    fn choice(&self, wanted: impl Fn(&crate::events::Choice) -> bool) -> Option<Input> {
        let choice = self.tracker.choices().iter().find(|c| wanted(c))?;
        Some(Input::SendButtonResponse(ButtonResponse {
            text: choice.text.clone(),
            payload: choice.payload.clone().unwrap_or_default(),
            response_type: choice.response_type()?,
            originating_message_id: self.tracker.choices_from().map(str::to_owned),
        }))
    }

    fn refused(&mut self, message: String) {
        self.emit(GuestEvent::Error {
            kind: "refused",
            message,
            fatal: false,
        });
    }

    fn report(&mut self, report: Report) {
        match report {
            Report::Input(input) => {
                if let Input::SocketOpened(socket) = &input
                    && self.sockets.contains_key(socket)
                {
                    self.ever_opened = true;
                }
                self.input(input);
            }
            Report::Frame(socket, text) => {
                let input = Input::frame_text(socket, &text);
                if let Input::Frame { frame, .. } = &input {
                    self.note_typing_sender(frame);
                }
                self.input(input);
            }
            Report::ConnectFailed {
                socket,
                message,
                refused_status,
            } => {
                let current = self.sockets.contains_key(&socket);
                let kind = if refused_status.is_some() {
                    "upgrade_refused"
                } else {
                    "connect"
                };
                let permanent = refused_status.is_some_and(|s| (400..500).contains(&s));
                let fatal = current && (!self.ever_opened || permanent);
                self.emit(GuestEvent::Error {
                    kind,
                    message: message.clone(),
                    fatal,
                });
                if fatal {
                    self.give_up(message);
                }
            }
            Report::GrantFailed(message) => {
                self.emit(GuestEvent::Error {
                    kind: "grant",
                    message: message.clone(),
                    fatal: true,
                });
                self.input(Input::SessionRefused(message.clone()));
                self.give_up(message);
            }
        }
    }

    fn give_up(&mut self, message: String) {
        self.fatal = Some(message);
        self.input(Input::Close);
        self.closing = true;
    }

    /// Remembers who is typing, for "Parley Bot is typing…" (the engine keeps only a flag).
    fn note_typing_sender(&mut self, frame: &ServerFrame) {
        let FrameBody::StructuredMessage(message) = &frame.body else {
            return;
        };
        let message: &StructuredMessage = message;
        let typing = message.direction == Direction::Outbound
            && message.events.iter().any(|e| matches!(e, Event::Typing(_)));
        if let Some(name) = typing
            .then(|| message.sender().and_then(|from| from.nickname.clone()))
            .flatten()
        {
            self.typing_sender = Some(name);
        }
    }

    fn input(&mut self, input: Input) {
        let now = self.now();
        if let Err(refused) = self.engine.handle(input, now) {
            self.refused(refused.to_string());
        }
        self.execute_effects();
    }

    fn execute_effects(&mut self) {
        while let Some(effect) = self.engine.poll_effect() {
            match effect {
                Effect::RequestSession { resume_token } => self.request_session(resume_token),
                Effect::OpenSocket { socket, url } => self.open_socket(socket, url),
                Effect::CloseSocket { socket } => {
                    self.sockets.remove(&socket);
                }
                Effect::Send { socket, request } => {
                    if let Some(sender) = self.sockets.get(&socket) {
                        let _ = sender.send(request.to_json());
                    }
                }
                Effect::FetchHistory {
                    api_base_url,
                    jwt,
                    query,
                } => {
                    let http = self.config.http.clone();
                    let reports = self.reports_tx.clone();
                    self.tasks.spawn(async move {
                        let input = history::fetch(&http, &api_base_url, &jwt, query).await;
                        let _ = reports.send(Report::Input(input));
                    });
                }
                Effect::ArmTimer { at } => self.deadline = Some(at),
                // The token lives in the engine for this process; `--resume` brings it back.
                Effect::PersistToken { token } if self.config.report_token => {
                    self.emit(GuestEvent::Session { token });
                }
                Effect::PersistToken { .. } | Effect::ForgetToken => {}
                Effect::ViewChanged => {
                    let now = self.now();
                    let changes =
                        self.tracker
                            .changes(&self.engine, now, self.typing_sender.as_deref());
                    for event in changes {
                        self.emit(event);
                    }
                    if !self.engine.agent_typing(now) {
                        self.typing_sender = None;
                    }
                }
            }
        }
        if matches!(self.engine.phase(), Phase::Closed(_)) && self.fatal.is_some() {
            self.closing = true;
        }
        self.leave_when_delivered();
    }

    /// After [`Command::Leave`]: closes once no guest message is queued or in flight (or the
    /// conversation is over, so none can be).
    fn leave_when_delivered(&mut self) {
        if !self.leaving || self.closing {
            return;
        }
        let in_flight = self.engine.transcript().iter().any(|entry| {
            matches!(
                &entry.kind,
                EntryKind::Guest(message)
                    if matches!(message.delivery, Delivery::Queued | Delivery::Sending)
            )
        });
        if !in_flight || self.engine.phase().is_over() {
            self.leaving = false;
            self.input(Input::Close);
            self.closing = true;
        }
    }

    fn request_session(&mut self, resume: Option<String>) {
        let grants = self.config.grants.clone();
        let reports = self.reports_tx.clone();
        self.tasks.spawn(async move {
            let report = match grants.obtain(resume).await {
                Ok(grant) => Report::Input(Input::SessionGranted(grant)),
                Err(error) => Report::GrantFailed(error.to_string()),
            };
            let _ = reports.send(report);
        });
    }

    fn open_socket(&mut self, socket: SocketId, url: String) {
        let (sender, outgoing) = mpsc::unbounded_channel();
        self.sockets.insert(socket, sender);
        let reports = self.reports_tx.clone();
        let timeout = self.config.connect_timeout;
        self.tasks
            .spawn(socket::run(socket, url, timeout, outgoing, reports));
    }

    fn emit(&mut self, event: GuestEvent) {
        let _ = self.events.send(event);
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn rand_seed() -> u64 {
    let id = uuid::Uuid::new_v4().as_u128();
    (id >> 64) as u64 ^ id as u64
}
