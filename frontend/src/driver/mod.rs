//! The browser driver of `parley_shared::engine` (see the driver contract in the engine's
//! module docs): one thin loop that turns browser events into engine inputs and the engine's
//! effects into I/O, in order.
//!
//! ```text
//! Commands (components) ─┐  Engine::send_text …     ┌─▶ POST /api/session      (http)
//! WebSocket events ──────┼─▶ Engine::handle ─▶ effects ─▶ WebSocket open/send/close (socket)
//! timer, online, visible ┤        │                ├─▶ GET history with bearer (http)
//! other tabs' token ─────┘        │                ├─▶ one timer slot          (timer)
//!                                 ▼                ├─▶ local/sessionStorage    (storage)
//!                        ChatState::sync ◀─────────┘   ViewChanged
//! ```
//!
//! The engine and everything the driver holds live in one `Rc<Driver>`; the UI reads only the
//! signals of [`ChatState`]. No conversation rule lives here: what to send, when to reconnect,
//! what the transcript shows, how a chat ends or an upload goes are the engine's. The driver
//! only holds what is I/O: sockets, the timer, storage (the token, the unconfirmed messages),
//! and the picked files while their bytes are `PUT` (`upload`). A window command is one engine
//! method (`Driver::command` words a refusal through `i18n::words`); the world's events are
//! [`Input`]s.

mod clock;
mod http;
mod socket;
pub mod storage;
mod tabs;
mod timer;
mod upload;
mod world;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use parley_shared::api::WindowConfig;
use parley_shared::engine::{
    BackoffPolicy, DeploymentRules, Effect, Engine, EngineConfig, EntryKind, Grant, Input,
};

use crate::attention;
use crate::chat_state::ChatState;
use crate::commands::{Command, Commands, Rejection};
use crate::embed;
use crate::i18n::{Key, words};
use crate::window_state::WindowState;

pub use clock::now;
pub use storage::TOKEN_KEY;
pub use world::{WorldChange, watch as world_watch};

use socket::{SocketEvent, Sockets};
use timer::TimerSlot;

/// The reconnect policy: Parley's own, unless this bundle was built for the benchmark that
/// compares it with the vendor's fixed 5 s retry (`PARLEY_BENCH_RETRY=fixed-5s trunk build
/// --release --dist dist-fixed-5s`, BENCHMARKS.md). A build-time switch on purpose: no page,
/// attribute or visitor can choose it.
fn reconnect_policy() -> BackoffPolicy {
    match option_env!("PARLEY_BENCH_RETRY") {
        Some("fixed-5s") => BackoffPolicy::fixed(5_000),
        _ => BackoffPolicy::default(),
    }
}

/// The engine and the browser resources it drives.
pub struct Driver {
    me: Weak<Driver>,
    engine: RefCell<Engine>,
    state: ChatState,
    window: WindowState,
    sockets: Sockets,
    timer: TimerSlot,
    /// Files picked for upload, by attachment id, until their PUT ends.
    files: RefCell<upload::HeldFiles>,
    started: Cell<bool>,
    /// The Parley server's base URL (grants come from `{server}api/session`).
    server: String,
    /// Messages not yet confirmed could not be stored: leaving the page would lose them.
    unsaved: Cell<bool>,
    /// The loader's fresh-session request, sent while the window loaded; answers the first
    /// fresh [`Effect::RequestSession`] instead of a second request.
    prefetched_grant: RefCell<Option<js_sys::Promise>>,
}

impl Driver {
    /// A driver for a new engine, resuming the token in storage if there is one; grants come
    /// from the Parley server at `server`.
    pub fn new(state: ChatState, window: WindowState, server: String) -> Rc<Driver> {
        let mut config = EngineConfig::new("");
        config.stored_token = storage::load_token();
        config.restored_outbox = storage::load_outbox();
        config.seed = clock::seed();
        config.backoff = reconnect_policy();
        let driver = Rc::new_cyclic(|me| Driver {
            me: me.clone(),
            engine: RefCell::new(Engine::new(config)),
            state,
            window,
            sockets: Sockets::default(),
            timer: TimerSlot::default(),
            files: RefCell::new(upload::HeldFiles::new()),
            started: Cell::new(false),
            server,
            unsaved: Cell::new(false),
            prefetched_grant: RefCell::new(None),
        });
        // The browser asks "leave the page?" only when leaving would lose a message: something
        // is unsent and storage refused it (with storage, a reload restores it).
        let me = Rc::downgrade(&driver);
        world::warn_before_leaving(move || me.upgrade().is_some_and(|d| d.unsaved.get()));
        // Another tab ended the conversation or began another: the engine decides what follows.
        let me = Rc::downgrade(&driver);
        tabs::watch_stored_token(move |stored| {
            if let Some(driver) = me.upgrade() {
                driver.input(Input::StoredTokenChanged(stored));
            }
        });
        driver
    }

    /// Hands over the grant request the loader sent while the window loaded: the first fresh
    /// session the engine asks for takes its answer.
    pub fn use_prefetched_grant(&self, request: js_sys::Promise) {
        self.prefetched_grant.replace(Some(request));
    }

    /// The deployment's settings (from the loader, then from each grant): the window shows
    /// them, and the engine learns whether to send the guest's typing events and the rules
    /// for uploads, disconnects and ending ([`DeploymentRules`]).
    pub fn apply_deployment(&self, config: WindowConfig) {
        let mut engine = self.engine.borrow_mut();
        engine.set_guest_typing(config.show_user_typing);
        engine.set_deployment_rules(DeploymentRules::from_window_config(&config));
        drop(engine);
        self.state.window_config.set(config);
    }

    /// Whether storage promises a conversation to resume: a token, or messages the visitor
    /// wrote that no session confirmed yet (they must go out even if the window stays shut).
    pub fn has_stored_token() -> bool {
        let token = storage::load_token();
        token.is_some() || !storage::load_outbox().is_empty()
    }

    /// Starts the conversation (once; later calls do nothing).
    pub fn start(&self) {
        if !self.started.replace(true) {
            self.engine.borrow_mut().start(clock::now());
            self.flush();
        }
    }

    /// The handle components send commands through.
    pub fn commands(self: &Rc<Self>) -> Commands {
        let me = Rc::downgrade(self);
        Commands::new(move |command| me.upgrade().and_then(|driver| driver.command(command)))
    }

    /// Reports a change of the network or page visibility.
    pub fn world(&self, change: WorldChange) {
        match change {
            WorldChange::Now { online, visible } => {
                self.state.online.set(online);
                self.window.page_visible.set(visible);
            }
            WorldChange::Online => {
                self.state.online.set(true);
                self.input(Input::NetworkBack);
            }
            WorldChange::Offline => self.state.online.set(false),
            WorldChange::Visibility(visible) => {
                self.window.page_visible.set(visible);
                if visible {
                    self.input(Input::NetworkBack);
                }
            }
        }
    }

    /// Carries out a command of the window: one engine method each (a picked file's bytes
    /// stay here for the upload), then the effects it queued.
    fn command(&self, command: Command) -> Rejection {
        let now = clock::now();
        let result = match command {
            Command::SendText(text) => self.engine.borrow_mut().send_text(text, now).map(drop),
            Command::Typing => {
                self.engine.borrow_mut().typing(now);
                Ok(())
            }
            Command::Retry(client_id) => self.engine.borrow_mut().retry(&client_id, now),
            Command::Discard(client_id) => self.engine.borrow_mut().discard(&client_id, now),
            Command::SetAttributes(attributes) => {
                self.engine
                    .borrow_mut()
                    .set_custom_attributes(attributes, now);
                Ok(())
            }
            Command::Choose(choice) => self.engine.borrow_mut().choose(&choice, now).map(drop),
            Command::RetryNow => {
                self.engine.borrow_mut().handle(Input::NetworkBack, now);
                Ok(())
            }
            Command::StartNewChat => {
                self.start();
                self.engine.borrow_mut().start_new_chat(now);
                Ok(())
            }
            Command::EndChat => self.engine.borrow_mut().end_chat(now),
            Command::ReadWholeHistory => self.engine.borrow_mut().read_whole_history(now),
            Command::Attach(file) => self.attach(file, now),
            Command::RemoveAttachment(attachment_id) => self
                .engine
                .borrow_mut()
                .remove_attachment(&attachment_id, now),
            Command::SharedComputer(on) => {
                storage::choose_shared_computer(on);
                Ok(())
            }
        };
        self.flush();
        result
            .err()
            .and_then(|refused| words::refusal(&refused, self.window.locale))
    }

    /// Hands `input` to the engine at the current time and executes the effects it queued.
    pub fn input(&self, input: Input) {
        self.engine.borrow_mut().handle(input, clock::now());
        self.flush();
    }

    /// Executes the effects the engine queued, in order.
    fn flush(&self) {
        loop {
            let effect = self.engine.borrow_mut().poll_effect();
            match effect {
                Some(effect) => self.execute(effect),
                None => break,
            }
        }
    }

    fn execute(&self, effect: Effect) {
        match effect {
            Effect::RequestSession { resume_token } => {
                let me = self.me.clone();
                let server = self.server.clone();
                let prefetched = resume_token
                    .is_none()
                    .then(|| self.prefetched_grant.take())
                    .flatten();
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = match prefetched {
                        Some(request) => match http::prefetched_session(request).await {
                            Some(answer) => answer,
                            None => http::request_session(&server, None).await,
                        },
                        None => http::request_session(&server, resume_token).await,
                    };
                    let Some(driver) = me.upgrade() else { return };
                    let input = match answer {
                        Ok(grant) => {
                            driver.state.features.set(grant.features.clone());
                            if let Some(config) = &grant.window_config {
                                driver.apply_deployment(config.clone());
                            }
                            Input::SessionGranted(Grant::from(&grant))
                        }
                        Err(reason) => Input::SessionRefused(reason),
                    };
                    driver.input(input);
                });
            }
            Effect::OpenSocket { socket, url } => {
                let me = self.me.clone();
                let report = move |id, event| {
                    if let Some(driver) = me.upgrade() {
                        driver.socket_event(id, event);
                    }
                };
                if self.sockets.open(socket, &url, report).is_err() {
                    let me = self.me.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Some(driver) = me.upgrade() {
                            driver.input(Input::SocketClosed {
                                socket,
                                code: None,
                                clean: false,
                            });
                        }
                    });
                }
            }
            Effect::CloseSocket { socket } => self.sockets.close(socket),
            Effect::Send { socket, request } => {
                self.sockets.send(socket, &request.to_json());
            }
            Effect::FetchHistory {
                api_base_url,
                jwt,
                query,
            } => {
                let me = self.me.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = http::fetch_history(&api_base_url, &jwt, &query).await;
                    if let Some(driver) = me.upgrade() {
                        driver.input(match answer {
                            Ok(page) => Input::HistoryReceived(page),
                            Err(reason) => Input::HistoryFailed(reason),
                        });
                    }
                });
            }
            Effect::ArmTimer { at } => {
                let me = self.me.clone();
                self.timer.arm(at.saturating_sub(clock::now()), move || {
                    if let Some(driver) = me.upgrade() {
                        driver.input(Input::TimerFired);
                    }
                });
            }
            Effect::PersistToken { token } => storage::save_token(&token),
            Effect::ForgetToken => storage::forget_token(),
            Effect::PersistOutbox { token, messages } => {
                self.unsaved.set(!storage::save_outbox(token, messages));
            }
            Effect::Upload {
                attachment_id,
                url,
                headers,
            } => self.put_file(attachment_id, &url, &headers),
            Effect::AbortUpload { attachment_id } => self.drop_file(&attachment_id),
            Effect::ViewChanged => self.view_changed(),
        }
    }

    fn socket_event(&self, socket: parley_shared::engine::SocketId, event: SocketEvent) {
        let input = match event {
            SocketEvent::Opened => {
                self.sockets.opened(socket);
                Input::SocketOpened(socket)
            }
            SocketEvent::Text(text) => Input::frame_text(socket, &text),
            SocketEvent::Closed { code, clean } => {
                self.sockets.forget(socket);
                Input::SocketClosed {
                    socket,
                    code,
                    clean,
                }
            }
        };
        self.input(input);
    }

    fn view_changed(&self) {
        let arrivals = self
            .state
            .sync_changes(&mut self.engine.borrow_mut(), clock::now());
        let mut live_agent_messages = 0;
        let mut latest = None;
        for view in &arrivals.entries {
            match &view.entry.kind {
                EntryKind::Agent(message) => {
                    // Unread is what arrived live, never what history brought back.
                    if view.entry.live {
                        live_agent_messages += 1;
                        latest = Some(message);
                    }
                    embed::message("Outbound", message.text.as_deref().unwrap_or(""));
                }
                EntryKind::Guest(message) => embed::message("Inbound", &message.text),
                EntryKind::Notice(_) => {}
            }
        }
        if let Some(message) = latest {
            let name = message
                .nickname
                .as_deref()
                .unwrap_or_else(|| self.window.t(Key::Agent));
            attention::agent_replied(&self.window, name, message.text.as_deref().unwrap_or(""));
        }
        self.window.arrived(live_agent_messages);
    }
}
