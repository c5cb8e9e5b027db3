//! The tokio driver of [`parley_shared::engine`]: one task per guest that turns socket frames,
//! timers and commands into engine inputs and the engine's effects into I/O, and reports what
//! changed as [`GuestEvent`]s. `chat`, `check` and `load` are all consumers of this one loop.
//!
//! `effects` carries out what the engine asks; `socket` is one WebSocket task; `history` one
//! history page fetch.
//!
//! It holds no conversation rules (ordering, resends, back-off, typing are the engine's). It
//! does hold two *tool* policies, both about giving up rather than about the conversation:
//! a guest whose very first socket cannot be opened, or whose grant is refused, stops with a
//! fatal [`GuestEvent::Error`] instead of retrying for ever, so that a wrong URL or deployment
//! id ends a command with a clear message. Once connected, reconnects are the engine's.

mod effects;
mod history;
mod socket;
pub mod state;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use parley_shared::engine::{Engine, EngineConfig, Input, Millis, SocketId};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::events::{ErrorKind, GuestEvent, ViewTracker};
use crate::grant::GrantSource;
use state::GuestState;

/// How long a stopping guest waits for its sockets to close before dropping them.
const STOP_GRACE: Duration = Duration::from_secs(3);

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
    /// Where the token and the unconfirmed messages are kept between runs (chat `--state`),
    /// with what that file held at start.
    pub state: Option<(PathBuf, GuestState)>,
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
            state: None,
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
    /// End the conversation for good (`closeSession`); it becomes read-only.
    EndChat,
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
    /// Socket tasks: given a moment to close cleanly when the guest stops.
    sockets_running: JoinSet<()>,
    /// Grant and history requests: dropped when the guest stops.
    requests: JoinSet<()>,
    deadline: Option<Millis>,
    tracker: ViewTracker,
    ever_opened: bool,
    fatal: Option<String>,
    leaving: bool,
    closing: bool,
}

impl Driver {
    fn new(config: GuestConfig, events: mpsc::UnboundedSender<GuestEvent>) -> Driver {
        let mut engine_config = EngineConfig::new(config.grants.deployment_id());
        engine_config.stored_token = config.resume.clone();
        if let Some((_, state)) = &config.state {
            engine_config.restored_outbox = state.restorable_outbox();
        }
        engine_config.seed = config.seed;
        // Expiry is an outcome the headless guest reports (checks expect it, load counts it),
        // so it stays expired instead of starting a new session by itself.
        engine_config.auto_restart_on_expiry = false;
        let (reports_tx, reports) = mpsc::unbounded_channel();
        Driver {
            engine: Engine::new(engine_config),
            config,
            start: Instant::now(),
            events,
            reports_tx,
            reports,
            sockets: HashMap::new(),
            sockets_running: JoinSet::new(),
            requests: JoinSet::new(),
            deadline: None,
            tracker: ViewTracker::default(),
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
        let now = self.now();
        self.engine.start(now);
        self.execute_effects();
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
        // Let sockets finish their close handshake (each has its own 2 s limit); a grant or
        // history request still in flight is not worth waiting for.
        self.requests.abort_all();
        self.sockets.clear();
        let finishing = async { while self.sockets_running.join_next().await.is_some() {} };
        if tokio::time::timeout(STOP_GRACE, finishing).await.is_err() {
            self.sockets_running.abort_all();
        }
        GuestExit { fatal: self.fatal }
    }

    fn command(&mut self, command: Command) {
        let now = self.now();
        let result = match command {
            Command::Say(text) => self.engine.send_text(text, now).map(drop),
            Command::ChooseNumber(n) => {
                let choices = self.engine.choices();
                match choices.get(n.wrapping_sub(1)) {
                    Some(choice) => self.engine.choose(&choice.id, now).map(drop),
                    // With nothing on offer a number is just text ("2", as an answer).
                    None if choices.is_empty() => {
                        self.engine.send_text(n.to_string(), now).map(drop)
                    }
                    None => {
                        self.refused(format!("there is no choice numbered {n}"));
                        return;
                    }
                }
            }
            Command::ChooseText(text) => {
                let wanted = text.trim();
                let choice = self
                    .engine
                    .choices()
                    .into_iter()
                    .find(|choice| choice.label.eq_ignore_ascii_case(wanted));
                match choice {
                    Some(choice) => self.engine.choose(&choice.id, now).map(drop),
                    None => {
                        self.refused(format!("there is no choice \"{text}\""));
                        return;
                    }
                }
            }
            Command::NewChat => {
                self.engine.start_new_chat(now);
                Ok(())
            }
            Command::EndChat => self.engine.end_chat(now),
            Command::Leave => {
                self.leaving = true;
                self.leave_when_delivered();
                return;
            }
            Command::Close => {
                self.engine.close(now);
                self.closing = true;
                Ok(())
            }
        };
        if let Err(refused) = result {
            self.refused(refused.to_string());
        }
        self.execute_effects();
    }

    fn refused(&mut self, message: String) {
        self.emit(GuestEvent::Error {
            kind: ErrorKind::Refused,
            message,
            fatal: false,
        });
    }

    fn report(&mut self, report: Report) {
        match report {
            Report::Input(input) => {
                match &input {
                    Input::SocketOpened(socket) if self.sockets.contains_key(socket) => {
                        self.ever_opened = true;
                    }
                    Input::SocketClosed { socket, .. } => {
                        self.sockets.remove(socket);
                    }
                    _ => {}
                }
                self.input(input);
            }
            Report::Frame(socket, text) => self.input(Input::frame_text(socket, &text)),
            Report::ConnectFailed {
                socket,
                message,
                refused_status,
            } => {
                let current = self.sockets.contains_key(&socket);
                let kind = if refused_status.is_some() {
                    ErrorKind::UpgradeRefused
                } else {
                    ErrorKind::Connect
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
                    kind: ErrorKind::Grant,
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
        let now = self.now();
        self.engine.close(now);
        self.execute_effects();
        self.closing = true;
    }

    fn input(&mut self, input: Input) {
        let now = self.now();
        self.engine.handle(input, now);
        self.execute_effects();
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
