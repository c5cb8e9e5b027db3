//! The emulator's own control surface, for tests and developers on this machine only
//! (`ControlAccess`): `POST /emulator/faults` injects a [`Fault`], `GET
//! /emulator/sessions/{token}/transcript` shows what the emulator logged for a session (so an
//! end-to-end test can assert each message exists exactly once server-side), and
//! `GET /emulator/stats` counts sessions, connections and OAuth traffic.

use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parley_shared::genesys::StructuredMessage;
use serde::Serialize;
use serde_json::json;
use tokio::time::Instant;

use super::access::ControlAccess;
use super::faults::Fault;
use super::session::Slot;
use super::{Emulator, lifecycle};

/// Counters the emulator keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmulatorStats {
    /// Sessions that can be used.
    pub live_sessions: usize,
    /// Tokens whose session expired (they answer 4006).
    pub expired_sessions: usize,
    /// Open guest sockets, configured or not.
    pub connections: usize,
    /// Socket upgrades accepted since start.
    pub sockets_accepted: u64,
    /// Socket upgrades refused (unknown deployment, injected refusal).
    pub sockets_refused: u64,
    /// `POST /oauth/token` requests received, failed ones included.
    pub oauth_token_requests: u64,
    /// Access tokens issued.
    pub oauth_tokens_issued: u64,
}

/// A session's log, for `GET /emulator/sessions/{token}/transcript`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Transcript {
    conversation_id: Option<String>,
    state: &'static str,
    read_only: bool,
    connections: usize,
    messages: Vec<StructuredMessage>,
}

/// Applies a fault (shared by the endpoint and [`Emulator::inject`]).
pub fn inject(emulator: &Emulator, fault: Fault) {
    match &fault {
        Fault::DropSockets { token: None } => {
            for connection in emulator.sessions().connections.values() {
                connection.kill();
            }
        }
        Fault::DropSockets { token: Some(token) } => {
            if let Some(session) = emulator.sessions().live(token) {
                for connection in session.connections.values() {
                    connection.kill();
                }
            }
        }
        Fault::ExpireSession { token } => lifecycle::expire_now(emulator, token),
        _ => emulator.faults().apply(&fault, Instant::now()),
    }
}

/// The current counters.
pub fn stats(emulator: &Emulator) -> EmulatorStats {
    let sessions = emulator.sessions();
    let (live_sessions, expired_sessions) = sessions.counts();
    let counters = &emulator.shared.counters;
    EmulatorStats {
        live_sessions,
        expired_sessions,
        connections: sessions.connections.len(),
        sockets_accepted: counters.sockets_accepted.load(Ordering::Relaxed),
        sockets_refused: counters.sockets_refused.load(Ordering::Relaxed),
        oauth_token_requests: counters.oauth_requests.load(Ordering::Relaxed),
        oauth_tokens_issued: counters.oauth_tokens_issued.load(Ordering::Relaxed),
    }
}

/// `POST /emulator/faults`.
pub async fn faults(
    _local: ControlAccess,
    State(emulator): State<Emulator>,
    fault: Result<Json<Fault>, JsonRejection>,
) -> Response {
    match fault {
        Ok(Json(fault)) => {
            inject(&emulator, fault.clone());
            Json(json!({"applied": fault})).into_response()
        }
        Err(rejection) => {
            let body = json!({"error": "bad_fault", "message": rejection.body_text()});
            (StatusCode::BAD_REQUEST, Json(body)).into_response()
        }
    }
}

/// `GET /emulator/sessions/{token}/transcript`.
pub async fn transcript(
    _local: ControlAccess,
    State(emulator): State<Emulator>,
    Path(token): Path<String>,
) -> Response {
    let sessions = emulator.sessions();
    let transcript = match sessions.slot(&token) {
        None => {
            let body = json!({"error": "not_found", "message": "no session for this token"});
            return (StatusCode::NOT_FOUND, Json(body)).into_response();
        }
        Some(Slot::Expired(_)) => Transcript {
            conversation_id: None,
            state: "expired",
            read_only: true,
            connections: 0,
            messages: Vec::new(),
        },
        Some(Slot::Live(session)) => Transcript {
            conversation_id: Some(session.conversation_id.clone()),
            state: "live",
            read_only: session.read_only,
            connections: session.connections.len(),
            messages: session.log.messages(),
        },
    };
    Json(transcript).into_response()
}

/// `GET /emulator/stats`.
pub async fn stats_handler(_local: ControlAccess, State(emulator): State<Emulator>) -> Response {
    Json(stats(&emulator)).into_response()
}
