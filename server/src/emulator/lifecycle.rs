//! The session lifecycle (PROTOCOL.md §1.8): configure (new, resumed, `startNew`), close,
//! Clear, inactivity expiry, plus the two session-level requests `echo` and `getConfiguration`.
//!
//! Decisions where the reference is silent, stated once here:
//! - Inactivity is measured from the last configure or `onMessage` (typing included); `echo`
//!   heartbeats and `getJwt` do not keep a session alive, otherwise an open tab never expires.
//! - On expiry every live connection gets `SessionExpiredEvent` and stays open; from then on
//!   every request with that token, `configureSession` included, is answered with 4006. The
//!   client must start over with a new token (as Messenger does, [COMM-TTL]).
//! - `closeSession` marks the conversation read-only: the caller gets
//!   `SessionResponse{connected:false, readOnly:true}`, a later plain configure resumes it
//!   read-only, and `startNew:true` replaces it with a fresh conversation (`newSession:true`).
//! - Clear removes the session entirely; the token may then configure a brand-new session.

use parley_shared::genesys::{
    CloseSession, ConnectionClosedEvent, Direction, Echo, ErrorCode, FrameBody, GetConfiguration,
    GetConfigurationResponse, MessageType, ServerFrame,
};
use tokio::time::Instant;

use super::Emulator;
use super::context::ConnCtx;
use super::deployment::ConversationRules;
use super::frames;
use super::session::{Session, Sessions, Slot, saturating_add};

/// `configureSession` / `configureAuthenticatedSession` with validated parameters.
pub fn configure(
    emulator: &Emulator,
    ctx: &mut ConnCtx,
    token: &str,
    start_new: bool,
    tracing_id: Option<String>,
) {
    let now = Instant::now();
    let config = emulator.config();
    let mut sessions = emulator.sessions();
    expire_if_due_locked(emulator, &mut sessions, token, now);
    if matches!(sessions.slot(token), Some(Slot::Expired(_))) {
        return ctx.reply(&expired_error(tracing_id));
    }
    if let Some(previous) = ctx.token.take()
        && let Some(session) = sessions.live_mut(&previous)
    {
        session.connections.remove(&ctx.id);
    }
    let at_capacity = sessions.live_count() >= config.max_sessions;
    let new_session = match sessions.live_mut(token) {
        None if at_capacity => {
            let text = "Request failed: too many sessions, try again later";
            return ctx.reply(&ServerFrame::error(
                ErrorCode::TooManyRequests,
                text,
                tracing_id,
            ));
        }
        None => {
            let conversation_id = emulator.ids().next("conv");
            sessions.create(token, Session::new(conversation_id, now));
            true
        }
        Some(session) if start_new => {
            session.restart(emulator.ids().next("conv"), now);
            true
        }
        Some(_) => false,
    };
    let Some(session) = sessions.live_mut(token) else {
        return;
    };
    session.last_activity = now;
    session.base_url.clone_from(&ctx.base_url);
    session.connections.insert(ctx.id, ctx.handle.clone());
    ctx.token = Some(token.to_owned());
    let expires = frames::epoch_secs_after(emulator.wall().now_ms(), config.session_ttl);
    let body = frames::session_response(config, true, new_session, session.read_only, expires);
    ctx.reply(&ServerFrame::response(
        FrameBody::SessionResponse(body),
        tracing_id,
    ));
}

/// `closeSession`: the caller's conversation ends (read-only); with `closeAllConnections` the
/// token's other connections get `ConnectionClosedEvent` and are closed.
pub fn close(emulator: &Emulator, ctx: &mut ConnCtx, request: CloseSession) {
    let tracing_id = request.tracing_id;
    let mut sessions = emulator.sessions();
    let session = match live_session(emulator, &mut sessions, &request.token, &tracing_id) {
        Ok(session) => session,
        Err(error) => return ctx.reply(&error),
    };
    session.read_only = true;
    if request.close_all_connections {
        let closed = ServerFrame::message(FrameBody::ConnectionClosedEvent(
            ConnectionClosedEvent::default(),
        ));
        session.connections.retain(|id, connection| {
            if *id == ctx.id {
                return true;
            }
            connection.send(&closed);
            connection.close();
            false
        });
    }
    let config = emulator.config();
    let remaining = config
        .session_ttl
        .saturating_sub(session.last_activity.elapsed());
    let expires = frames::epoch_secs_after(emulator.wall().now_ms(), remaining);
    let body = frames::session_response(config, false, false, true, expires);
    ctx.reply(&ServerFrame::response(
        FrameBody::SessionResponse(body),
        tracing_id,
    ));
}

/// Presence `Clear`: `SessionClearedEvent` then `ConnectionClosedEvent` to every connection of
/// the token, which are then closed; the conversation and its history are wiped.
/// Refused with 403 when the deployment does not enable `conversationClear` (PROTOCOL.md
/// §1.4.4).
pub fn clear(emulator: &Emulator, ctx: &mut ConnCtx, token: &str, tracing_id: Option<String>) {
    if !ConversationRules::of(emulator.config()).clear_enabled {
        let text = "Presence events Conversation Clear are not supported";
        return ctx.reply(&ServerFrame::error(ErrorCode::Forbidden, text, tracing_id));
    }
    let mut sessions = emulator.sessions();
    if let Err(error) = live_session(emulator, &mut sessions, token, &tracing_id) {
        return ctx.reply(&error);
    }
    let Some(session) = sessions.remove(token) else {
        return;
    };
    drop(sessions);
    emulator.attachments().forget_token(token);
    let cleared = ServerFrame::message(FrameBody::SessionClearedEvent);
    let closed = ServerFrame::message(FrameBody::ConnectionClosedEvent(
        ConnectionClosedEvent::default(),
    ));
    for connection in session.connections.values() {
        connection.send(&cleared);
        connection.send(&closed);
        connection.close();
    }
}

/// `echo`: the heartbeat, answered on this connection with an Inbound `ping` carrying the
/// session window in `metadata` (PROTOCOL.md §1.4.5).
pub fn echo(emulator: &Emulator, ctx: &mut ConnCtx, request: Echo) {
    let tracing_id = request.tracing_id;
    let mut sessions = emulator.sessions();
    let session = match live_session(emulator, &mut sessions, &request.token, &tracing_id) {
        Ok(session) => session,
        Err(error) => return ctx.reply(&error),
    };
    let ttl = emulator.config().session_ttl;
    let remaining = ttl.saturating_sub(session.last_activity.elapsed());
    let now_ms = emulator.wall().now_ms();
    let mut message = frames::structured(
        emulator.ids().next("msg"),
        MessageType::Text,
        Direction::Inbound,
        wall_time(now_ms),
    );
    message.text = Some(request.message.text.unwrap_or_else(|| "ping".to_owned()));
    message
        .metadata
        .insert("durationSeconds".to_owned(), ttl.as_secs().to_string());
    message.metadata.insert(
        "expirationDate".to_owned(),
        frames::epoch_secs_after(now_ms, remaining).to_string(),
    );
    ctx.reply(&ServerFrame::response(
        FrameBody::StructuredMessage(Box::new(message)),
        tracing_id,
    ));
}

/// `getConfiguration`: the deployment's upload rules and limits.
pub fn get_configuration(emulator: &Emulator, ctx: &mut ConnCtx, request: GetConfiguration) {
    let tracing_id = request.tracing_id;
    let mut sessions = emulator.sessions();
    if let Err(error) = live_session(emulator, &mut sessions, &request.token, &tracing_id) {
        return ctx.reply(&error);
    }
    let config = emulator.config();
    let body = GetConfigurationResponse {
        allowed_media: Some(frames::allowed_media(config)),
        blocked_extensions: config.blocked_extensions.clone(),
        max_custom_data_bytes: Some(config.max_custom_data_bytes as u64),
        message_routing_enabled: Some(true),
        session_duration_seconds: Some(config.session_ttl.as_secs()),
    };
    ctx.reply(&ServerFrame::response(
        FrameBody::GetConfigurationResponse(body),
        tracing_id,
    ));
}

/// The live session of `token`, expiring it first if its TTL ran out; otherwise the error frame
/// to answer with (4006 expired, 4007 unknown).
pub fn live_session<'a>(
    emulator: &Emulator,
    sessions: &'a mut Sessions,
    token: &str,
    tracing_id: &Option<String>,
) -> Result<&'a mut Session, Box<ServerFrame>> {
    expire_if_due_locked(emulator, sessions, token, Instant::now());
    if matches!(sessions.slot(token), Some(Slot::Expired(_))) {
        return Err(Box::new(expired_error(tracing_id.clone())));
    }
    sessions.live_mut(token).ok_or_else(|| {
        frames::boxed_error(
            ErrorCode::SessionNotFound,
            "session not found",
            tracing_id.clone(),
        )
    })
}

/// When `token`'s session will expire if nothing happens, for the socket loop's timer.
pub fn expiry_deadline(emulator: &Emulator, token: &str) -> Option<Instant> {
    let sessions = emulator.sessions();
    let session = sessions.live(token)?;
    Some(saturating_add(
        session.last_activity,
        emulator.config().session_ttl,
    ))
}

/// Expires `token`'s session if its TTL has run out (called when the socket loop's timer fires).
pub fn expire_if_due(emulator: &Emulator, token: &str) {
    let mut sessions = emulator.sessions();
    expire_if_due_locked(emulator, &mut sessions, token, Instant::now());
}

/// Expires `token`'s session now (the `expire_session` fault).
pub fn expire_now(emulator: &Emulator, token: &str) {
    let mut sessions = emulator.sessions();
    expire_locked(emulator, &mut sessions, token, Instant::now());
}

/// The periodic sweep: expires every idle session, so sessions nobody comes back to do not pile
/// up in memory (a session with a live socket also expires on its socket's timer), and drops
/// expired JWTs. Runs every [`sweep_interval`] on a task of its own, instead of scanning every
/// session under the lock whenever a new one is created.
pub fn sweep(emulator: &Emulator, now: Instant) {
    let mut sessions = emulator.sessions();
    for token in sessions.idle_tokens(now, emulator.config().session_ttl) {
        expire_locked(emulator, &mut sessions, &token, now);
    }
    sessions.sweep_jwts(now);
}

/// How often [`sweep`] runs: a quarter of the session TTL, between 1 s and 60 s.
pub fn sweep_interval(session_ttl: std::time::Duration) -> std::time::Duration {
    (session_ttl / 4).clamp(
        std::time::Duration::from_secs(1),
        std::time::Duration::from_secs(60),
    )
}

fn expire_if_due_locked(emulator: &Emulator, sessions: &mut Sessions, token: &str, now: Instant) {
    let ttl = emulator.config().session_ttl;
    let due = sessions
        .live(token)
        .is_some_and(|session| now >= saturating_add(session.last_activity, ttl));
    if due {
        expire_locked(emulator, sessions, token, now);
    }
}

fn expire_locked(emulator: &Emulator, sessions: &mut Sessions, token: &str, now: Instant) {
    if let Some(session) = sessions.expire(token, now) {
        session.broadcast(&ServerFrame::response(FrameBody::SessionExpiredEvent, None));
        emulator.attachments().forget_token(token);
    }
}

fn expired_error(tracing_id: Option<String>) -> ServerFrame {
    ServerFrame::error(
        ErrorCode::SessionHasExpired,
        "session expired: start a new session with a new token",
        tracing_id,
    )
}

fn wall_time(now_ms: u64) -> String {
    super::wall::rfc3339_millis(now_ms)
}
