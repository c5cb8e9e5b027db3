//! The guest socket, `GET /v1?deploymentId=…` (PROTOCOL.md §1.2): the upgrade checks, then one
//! loop per connection that reads frames, hands text to `dispatch`, and fires the session's
//! inactivity timer. Frames going out are queued on a channel and sent by `writer`, which is
//! where the delay and reorder faults act.
//!
//! The upgrade is refused before upgrading with 403 for an unknown deployment (as Genesys
//! does; clients map it to "check your deploymentId") or a missing or unknown `Origin` (when
//! the emulator has an allowlist; see `access`), and with 503 while the `refuse_sockets`
//! fault is on. WebSocket pings are answered with pongs by tungstenite as the reader polls; a
//! binary frame is answered with 400 and the socket stays up. Closing the socket leaves the
//! session alive for a later resume. With `socket_idle_timeout` set, a socket on which the client
//! sent nothing for that long is closed (close frame 1000); the session survives.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use parley_shared::genesys::{ErrorCode, ServerFrame};
use serde_json::json;
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use super::access::{OriginCheck, public_base_url};
use super::context::ConnCtx;
use super::dispatch;
use super::session::{ConnHandle, saturating_add};
use super::{Emulator, lifecycle, writer};

/// Largest frame a guest may send; real frames are a few KB (4,000 characters of text plus
/// 2 KB of custom attributes).
const MAX_FRAME_BYTES: usize = 256 * 1024;

/// Socket read buffer: guest frames are a few hundred bytes, and a larger frame just takes
/// several reads (the buffer grows for it). tungstenite zero-fills its whole read buffer
/// before each read, so every byte of it is resident: its default, 128 KiB per connection, made
/// the server's RSS per guest climb past a few thousand guests; 4 KiB cost ~3 KiB per guest
/// more than 1 KiB (BENCHMARKS.md, "Emulator capacity").
const READ_BUFFER_BYTES: usize = 1024;

/// Outbound bytes the socket may hold beyond what TCP accepted before a send fails: one
/// largest frame and some. Frames are written at once (no write buffering; the writer flushes
/// each frame anyway), so this only fills when the client stops reading.
const MAX_WRITE_BUFFER_BYTES: usize = 2 * MAX_FRAME_BYTES;

/// How long a connection the server closed waits for the client's close reply.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// `GET /v1?deploymentId=…`.
pub async fn upgrade(
    State(emulator): State<Emulator>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let deployment_id = query.get("deploymentId").cloned().unwrap_or_default();
    if !emulator.config().knows_deployment(&deployment_id) {
        emulator.count_socket(false);
        let body = json!({"error": "forbidden", "message": "unknown deploymentId"});
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    if let Err(refused) = OriginCheck::Required.verify(emulator.config(), &headers) {
        emulator.count_socket(false);
        return refused.into_response();
    }
    if emulator.faults().refusing_sockets(Instant::now()) {
        emulator.count_socket(false);
        let body = json!({"error": "unavailable", "message": "refusing sockets (injected fault)"});
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    }
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    emulator.count_socket(true);
    let base_url = public_base_url(emulator.config(), &headers);
    upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| serve(emulator, socket, deployment_id, base_url))
}

/// Runs one connection until it closes or is dropped.
async fn serve(emulator: Emulator, socket: WebSocket, deployment_id: String, base_url: String) {
    let (sink, mut stream) = socket.split();
    let (tx, rx) = mpsc::channel(emulator.config().max_queued_frames.max(1));
    let kill = Arc::new(Notify::new());
    let handle = ConnHandle::new(tx, Arc::clone(&kill));
    let id = emulator.sessions().open_connection(handle.clone());
    let mut writer = tokio::spawn(writer::run(emulator.clone(), sink, rx));
    let mut ctx = ConnCtx {
        id,
        deployment_id,
        base_url,
        token: None,
        handle,
    };
    // Set once the writer has stopped (it sent a close frame, or the socket failed): the reader
    // then only waits a moment for the client's close reply, so unread data is not reset away.
    let mut closing: Option<Instant> = None;
    let mut idle_timeout = emulator.config().socket_idle_timeout;
    let mut heard_at = Instant::now();
    loop {
        let idle_deadline = idle_timeout
            .filter(|_| closing.is_none())
            .map(|timeout| saturating_add(heard_at, timeout));
        let deadline = ctx
            .token
            .as_deref()
            .and_then(|token| lifecycle::expiry_deadline(&emulator, token));
        tokio::select! {
            () = kill.notified() => break,
            _ = &mut writer, if closing.is_none() => {
                closing = Some(Instant::now() + CLOSE_GRACE);
            }
            () = sleep_until(closing) => break,
            () = sleep_until(idle_deadline) => {
                idle_timeout = None;
                ctx.handle.close();
            }
            () = sleep_until(deadline) => {
                if let Some(token) = ctx.token.as_deref() {
                    lifecycle::expire_if_due(&emulator, token);
                }
            }
            frame = stream.next() => match frame.inspect(|_| heard_at = Instant::now()) {
                Some(Ok(Message::Text(text))) if closing.is_none() => {
                    dispatch::handle_text(&emulator, &mut ctx, text.as_str());
                }
                Some(Ok(Message::Binary(_))) if closing.is_none() => {
                    ctx.reply(&ServerFrame::error(
                        ErrorCode::BadRequest,
                        "Request failed: frames must be text",
                        None,
                    ));
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
    writer.abort();
    emulator
        .sessions()
        .close_connection(id, ctx.token.as_deref());
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
