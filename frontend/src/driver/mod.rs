//! The browser driver of `parley_shared::engine` (see the driver contract in the engine's
//! module docs): one thin loop that turns browser events into engine inputs and the engine's
//! effects into I/O, in order.
//!
//! ```text
//! Commands (components) ─┐                         ┌─▶ POST /api/session      (http)
//! WebSocket events ──────┼─▶ Engine::handle ─▶ effects ─▶ WebSocket open/send/close (socket)
//! timer, online, visible ┘        │                ├─▶ GET history with bearer (http)
//!                                 │                ├─▶ one timer slot          (timer)
//!                                 ▼                ├─▶ localStorage token      (storage)
//!                        ChatState::sync ◀─────────┘   ViewChanged
//! ```
//!
//! The engine and everything the driver holds live in one `Rc<Driver>`; the UI reads only the
//! signals of [`ChatState`]. No conversation rule lives here: what to send, when to reconnect,
//! what the transcript shows, how a chat ends or an upload goes are the engine's. The driver
//! only holds what is I/O: sockets, the timer, the stored token, and the picked files while
//! their bytes are `PUT` ([`upload`]).

mod clock;
mod http;
mod socket;
mod storage;
mod timer;
pub mod upload;
mod world;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use parley_shared::engine::{Effect, Engine, EngineConfig, EntryKind, Grant, Input, Refused};

use crate::chat_state::ChatState;
use crate::commands::{Command, Commands, Rejection};
use crate::embed;
use crate::i18n::{Key, fill};
use crate::window_state::WindowState;

pub use clock::now;
pub use storage::TOKEN_KEY;
pub use world::{WorldChange, watch as world_watch};

use socket::{SocketEvent, Sockets};
use timer::TimerSlot;

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
}

impl Driver {
    /// A driver for a new engine, resuming the token in storage if there is one.
    pub fn new(state: ChatState, window: WindowState) -> Rc<Driver> {
        let mut config = EngineConfig::new("");
        config.stored_token = storage::load_token();
        config.seed = clock::seed();
        Rc::new_cyclic(|me| Driver {
            me: me.clone(),
            engine: RefCell::new(Engine::new(config)),
            state,
            window,
            sockets: Sockets::default(),
            timer: TimerSlot::default(),
            files: RefCell::new(upload::HeldFiles::new()),
            started: Cell::new(false),
        })
    }

    /// Whether a stored token promises a conversation to resume.
    pub fn has_stored_token() -> bool {
        storage::load_token().is_some()
    }

    /// Starts the conversation (once; later calls do nothing).
    pub fn start(&self) {
        if !self.started.replace(true) {
            let _ = self.input(Input::Start);
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
                let _ = self.input(Input::NetworkBack);
            }
            WorldChange::Offline => self.state.online.set(false),
            WorldChange::Visibility(visible) => {
                self.window.page_visible.set(visible);
                if visible {
                    let _ = self.input(Input::NetworkBack);
                }
            }
        }
    }

    fn command(&self, command: Command) -> Rejection {
        let locale = self.window.locale;
        let result = match command {
            Command::SendText(text) => self.input(Input::text(text)),
            Command::Typing => self.input(Input::Typing),
            Command::Retry(client_id) => self.input(Input::Retry(client_id)),
            Command::Discard(client_id) => self.input(Input::Discard(client_id)),
            Command::SetAttributes(attributes) => {
                self.input(Input::SetCustomAttributes(attributes))
            }
            Command::Choose(response) => self.input(Input::SendButtonResponse(response)),
            Command::RetryNow => self.input(Input::NetworkBack),
            Command::StartNewChat => {
                self.start();
                self.input(Input::StartNewChat)
            }
            Command::EndChat => self.input(Input::EndChat),
            Command::Attach(file) => self.attach(file),
            Command::RemoveAttachment(attachment_id) => {
                self.input(Input::RemoveAttachment(attachment_id))
            }
        };
        match result {
            Ok(()) | Err(Refused::Empty | Refused::NothingToRetry | Refused::NoSuchUpload) => None,
            Err(Refused::TooLong { max, .. }) => Some(fill(
                locale.text(Key::ReasonTooLong),
                &[("max", &max.to_string())],
            )),
            Err(Refused::ReadOnly) => Some(locale.text(Key::ReasonReadOnly).to_owned()),
            Err(Refused::NoSession) => Some(locale.text(Key::ReasonNoSession).to_owned()),
            Err(Refused::FileTypeNotAllowed { .. } | Refused::FileExtensionBlocked { .. }) => {
                Some(locale.text(Key::UploadTypeNotAllowed).to_owned())
            }
            Err(Refused::FileTooLarge { max_bytes, .. }) => Some(fill(
                locale.text(Key::UploadTooLarge),
                &[("max", &upload::human_size(max_bytes))],
            )),
        }
    }

    /// Hands `input` to the engine at the current time and executes the effects it queued.
    pub fn input(&self, input: Input) -> Result<(), Refused> {
        let result = self.engine.borrow_mut().handle(input, clock::now());
        loop {
            let effect = self.engine.borrow_mut().poll_effect();
            match effect {
                Some(effect) => self.execute(effect),
                None => break,
            }
        }
        result
    }

    fn execute(&self, effect: Effect) {
        match effect {
            Effect::RequestSession { resume_token } => {
                let me = self.me.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = http::request_session(resume_token).await;
                    let Some(driver) = me.upgrade() else { return };
                    let input = match answer {
                        Ok(grant) => {
                            driver.state.features.set(grant.features.clone());
                            if let Some(config) = &grant.window_config {
                                driver.state.window_config.set(config.clone());
                            }
                            Input::SessionGranted(Grant::from(&grant))
                        }
                        Err(reason) => Input::SessionRefused(reason),
                    };
                    let _ = driver.input(input);
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
                            let _ = driver.input(Input::SocketClosed {
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
                        let _ = driver.input(match answer {
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
                        let _ = driver.input(Input::TimerFired);
                    }
                });
            }
            Effect::PersistToken { token } => storage::save_token(&token),
            Effect::ForgetToken => storage::forget_token(),
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
        let _ = self.input(input);
    }

    fn view_changed(&self) {
        let arrivals = {
            let engine = self.engine.borrow();
            let upload = upload::upload_view(&engine, self.window.locale);
            self.state.set_upload(upload);
            self.state.sync(&engine, clock::now())
        };
        let mut agent_messages = 0;
        for view in &arrivals.entries {
            let fresh = view.at >= self.state_loaded_at() - 5_000.0;
            match &view.entry.kind {
                EntryKind::Agent(message) => {
                    if fresh {
                        agent_messages += 1;
                    }
                    embed::message("Outbound", message.text.as_deref().unwrap_or(""));
                }
                EntryKind::Guest(message) => embed::message("Inbound", &message.text),
                EntryKind::Notice(_) => {}
            }
        }
        self.window.arrived(agent_messages);
    }

    fn state_loaded_at(&self) -> f64 {
        thread_local! {
            static LOADED_AT: f64 = crate::format::wall_now();
        }
        LOADED_AT.with(|at| *at)
    }
}
