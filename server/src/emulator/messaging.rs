//! `onMessage` (PROTOCOL.md §1.4.3–1.4.4): the guest's messages and events, checked, echoed as
//! Inbound `StructuredMessage`s to every connection of the token, logged for history, and handed
//! to the scripted agent.
//!
//! Checks, in order, each answered on the requesting connection only with its `tracingId`:
//! text over `max_text_chars` → 4011; custom attributes over `max_custom_data_bytes` (in either
//! place the SDKs put them) → 4013; `metadata`, `events` and button responses together over
//! `max_structured_bytes` → 400 (checked before anything is echoed or logged); empty message →
//! 400; session unknown / expired → 4007 /
//! 4006; read-only conversation → 403 (the reference names no code for this; 403 is what Genesys
//! uses for "not allowed in this state"); attachment unknown / not uploaded / forgotten → 4009 /
//! 4010 / 4008; content other than attachments and button responses (or malformed) → 400;
//! over the rate limit → `TooManyRequestsErrorMessage` 429 with `retryAfter` and
//! 4029. Checks run before the rate limit, so refused messages do not use up the budget.
//!
//! Guest typing is accepted silently: it is not echoed, not logged, not rate limited (the
//! client throttles it) and only keeps the session alive. Presence `Clear` goes to `lifecycle`.

use std::collections::BTreeMap;

use parley_shared::genesys::{
    Content, Direction, ErrorCode, Event, IncomingMessage, MessageType, OnMessage, PresenceType,
    ServerFrame,
};
use tokio::time::Instant;

use super::context::ConnCtx;
use super::lifecycle::live_session;
use super::{Emulator, agent, frames, lifecycle};

/// What kind of `onMessage` a request is.
enum Kind {
    /// Only typing events.
    Typing,
    /// A Presence Clear.
    Clear,
    /// Anything to echo: text, structured answers, attachments, Join and other events.
    Regular,
}

/// Handles one `onMessage`.
pub fn on_message(emulator: &Emulator, ctx: &mut ConnCtx, request: OnMessage) {
    match classify(&request.message) {
        Kind::Typing => typing(emulator, ctx, &request),
        Kind::Clear => lifecycle::clear(emulator, ctx, &request.token, request.tracing_id),
        Kind::Regular => send(emulator, ctx, request),
    }
}

fn classify(message: &IncomingMessage) -> Kind {
    let is_clear = |event: &Event| matches!(event, Event::Presence(presence) if presence.presence_type == PresenceType::Clear);
    if message.events.iter().any(is_clear) {
        Kind::Clear
    } else if message.message_type == MessageType::Event
        && !message.events.is_empty()
        && message
            .events
            .iter()
            .all(|event| matches!(event, Event::Typing(_)))
    {
        Kind::Typing
    } else {
        Kind::Regular
    }
}

fn typing(emulator: &Emulator, ctx: &mut ConnCtx, request: &OnMessage) {
    let mut sessions = emulator.sessions();
    match live_session(emulator, &mut sessions, &request.token, &request.tracing_id) {
        Ok(session) => session.last_activity = Instant::now(),
        Err(error) => ctx.reply(&error),
    }
}

fn send(emulator: &Emulator, ctx: &mut ConnCtx, request: OnMessage) {
    let tracing_id = request.tracing_id.clone();
    let custom_attributes = match validate(emulator, &request) {
        Ok(attributes) => attributes,
        Err(error) => {
            return ctx.reply(&ServerFrame {
                tracing_id,
                ..*error
            });
        }
    };
    let config = emulator.config();
    let mut sessions = emulator.sessions();
    let session = match live_session(emulator, &mut sessions, &request.token, &tracing_id) {
        Ok(session) => session,
        Err(error) => return ctx.reply(&error),
    };
    if session.read_only {
        let text =
            "Conversation is read-only: start a new chat (configureSession startNew) to send";
        return ctx.reply(&ServerFrame::error(ErrorCode::Forbidden, text, tracing_id));
    }
    let message = request.message;
    let mut content = Vec::with_capacity(message.content.len());
    for item in message.content {
        match item {
            Content::Attachment(reference) => {
                let resolved = emulator
                    .attachments()
                    .resolve(&request.token, &reference.id);
                match resolved {
                    Ok(attachment) => content.push(Content::Attachment(attachment)),
                    Err(code) => {
                        let text = code.meaning();
                        return ctx.reply(&ServerFrame::error(code, text, tracing_id));
                    }
                }
            }
            Content::ButtonResponse(_) => content.push(item),
            other => {
                let shown: String = other.content_type().chars().take(40).collect();
                let text = format!("Request failed: guests cannot send {shown:?} content");
                return ctx.reply(&ServerFrame::error(ErrorCode::BadRequest, text, tracing_id));
            }
        }
    }
    let now = Instant::now();
    let forced = emulator.faults().take_forced_429(&request.token);
    let allowed = if forced {
        Err(1)
    } else {
        session.window.try_send(now, config.messages_per_second)
    };
    if let Err(retry_after) = allowed {
        return ctx.reply(&frames::rate_limited(retry_after, tracing_id));
    }
    let mut echo = frames::structured(
        emulator.ids().next("msg"),
        message.message_type,
        Direction::Inbound,
        emulator.wall().now_rfc3339(),
    );
    echo.text = message.text;
    echo.content = content;
    echo.events = message.events;
    echo.metadata = message.metadata;
    if !custom_attributes.is_empty()
        && let Some(channel) = echo.channel.as_mut()
    {
        channel.metadata = Some(parley_shared::genesys::ChannelMetadata { custom_attributes });
    }
    session.last_activity = now;
    session.record(&echo, config);
    session.broadcast(&frames::push(echo.clone(), tracing_id));
    let conversation_id = session.conversation_id.clone();
    let backlog = std::sync::Arc::clone(&session.agent_backlog);
    drop(sessions);
    agent::on_guest_message(emulator, &request.token, &conversation_id, &echo, backlog);
}

/// Checks that need no session; returns the merged custom attributes.
fn validate(
    emulator: &Emulator,
    request: &OnMessage,
) -> Result<BTreeMap<String, String>, Box<ServerFrame>> {
    let config = emulator.config();
    let message = &request.message;
    let text_chars = message
        .text
        .as_deref()
        .map_or(0, |text| text.chars().count());
    if text_chars > config.max_text_chars {
        let text = format!(
            "message too long: {text_chars} > {} characters",
            config.max_text_chars
        );
        return Err(frames::boxed_error(ErrorCode::MessageTooLong, text, None));
    }
    let mut attributes = BTreeMap::new();
    for channel in [&request.channel, &message.channel].into_iter().flatten() {
        if let Some(metadata) = &channel.metadata {
            attributes.extend(metadata.custom_attributes.clone());
        }
    }
    let size = serde_json::to_string(&attributes).map_or(0, |json| json.len());
    if !attributes.is_empty() && size > config.max_custom_data_bytes {
        let text = format!(
            "Custom Attributes in channel metadata is larger than {} bytes",
            config.max_custom_data_bytes
        );
        return Err(frames::boxed_error(
            ErrorCode::CustomAttributeSizeTooLarge,
            text,
            None,
        ));
    }
    let structured = [
        serde_json::to_string(&message.metadata),
        serde_json::to_string(&message.events),
        serde_json::to_string(&message.content),
    ]
    .iter()
    .map(|json| json.as_ref().map_or(0, String::len))
    .sum::<usize>();
    if structured > config.max_structured_bytes {
        let text = format!(
            "Request failed: metadata, events and content are larger than {} bytes",
            config.max_structured_bytes
        );
        return Err(frames::boxed_error(ErrorCode::BadRequest, text, None));
    }
    let has_text = message.text.as_deref().is_some_and(|text| !text.is_empty());
    if !has_text && message.content.is_empty() && message.events.is_empty() {
        let text = "Request failed: the message has no text, content or events";
        return Err(frames::boxed_error(ErrorCode::BadRequest, text, None));
    }
    Ok(attributes)
}
