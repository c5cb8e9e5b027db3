//! Carrying out the engine's effects: the driver's half of the contract in
//! `parley_shared::engine` ("execute effects after every `handle`, in order"). Sockets and
//! HTTP calls run as tasks that report back through the driver's channel; the timer is one
//! deadline slot; view changes become [`GuestEvent`]s.

use parley_shared::engine::{Effect, Input, Phase, SocketId};
use tokio::sync::mpsc;

use super::{Driver, Report, history, socket};
use crate::events::{ErrorKind, GuestEvent};

impl Driver {
    pub(super) fn execute_effects(&mut self) {
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
                    self.requests.spawn(async move {
                        let input = history::fetch(&http, &api_base_url, &jwt, query).await;
                        let _ = reports.send(Report::Input(input));
                    });
                }
                Effect::ArmTimer { at } => self.deadline = Some(at),
                // The token lives in the engine for this process; `--resume` or `--state`
                // brings it back.
                Effect::PersistToken { token } => {
                    if self.config.report_token {
                        self.emit(GuestEvent::Session {
                            token: token.clone(),
                        });
                    }
                    self.keep(|state| state.token = Some(token));
                }
                Effect::ForgetToken => self.keep(|state| state.token = None),
                Effect::PersistOutbox { token, messages } => self.keep(|state| {
                    state.outbox_token = token;
                    state.outbox = messages;
                }),
                // The headless guest never attaches files, so no upload is ever asked for.
                Effect::Upload { .. } | Effect::AbortUpload { .. } => {}
                Effect::ViewChanged => {
                    let now = self.now();
                    for event in self.tracker.changes(&self.engine, now) {
                        self.emit(event);
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
    pub(super) fn leave_when_delivered(&mut self) {
        if !self.leaving || self.closing {
            return;
        }
        if self.engine.everything_delivered() || self.engine.phase().is_over() {
            self.leaving = false;
            let now = self.now();
            self.engine.close(now);
            self.closing = true;
            self.execute_effects();
        }
    }

    /// Updates the `--state` file, if there is one; a failed write is reported, not fatal.
    fn keep(&mut self, change: impl FnOnce(&mut super::GuestState)) {
        let Some((path, state)) = &mut self.config.state else {
            return;
        };
        change(state);
        if let Err(message) = state.save(path) {
            self.emit(GuestEvent::Error {
                kind: ErrorKind::State,
                message,
                fatal: false,
            });
        }
    }

    fn request_session(&mut self, resume: Option<String>) {
        let grants = self.config.grants.clone();
        let reports = self.reports_tx.clone();
        self.requests.spawn(async move {
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
        let origin = self.config.grants.page_origin();
        self.sockets_running
            .spawn(socket::run(socket, url, origin, timeout, outgoing, reports));
    }
}
