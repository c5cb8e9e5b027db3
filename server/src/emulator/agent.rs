//! The scripted agent: the contact-centre side of every emulated conversation. After each guest
//! message it looks up its answer in `script`, and for each reply sends a Typing event
//! (`duration` = the configured typing duration), waits the configured reply delay, then sends the
//! reply, Outbound, to every connection of the token and into the log (history). Replies of one
//! session are serialised, so answers never interleave; a reply meant for a conversation that has
//! since been replaced (`startNew`, Clear) or expired is dropped.
//!
//! The bot speaks as "Parley Bot" (`originatingEntity: "Bot"`); after a hand-over the human
//! persona "Alex" (`originatingEntity: "Human"`) answers, each with a nickname and avatar in
//! `channel.from`. The delay is product behaviour (an agent takes time to type), not test
//! synchronisation: tests run with a zero delay and wait for frames.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parley_shared::genesys::{
    Direction, Event, MessageType, Presence, PresenceType, StructuredMessage, Typing, TypingType,
};

use super::Emulator;
use super::deployment::ConversationRules;
use super::frames;
use super::persona::Persona;
use super::script::{self, Reply, Step, Trigger};

/// Reacts to a guest message that was just echoed (no-op when the script has nothing to say).
pub fn on_guest_message(
    emulator: &Emulator,
    token: &str,
    conversation_id: &str,
    message: &StructuredMessage,
    backlog: Arc<AtomicUsize>,
) {
    let Some(trigger) = Trigger::from_message(message) else {
        return;
    };
    let Some(slot) = BacklogSlot::take(backlog) else {
        tracing::debug!("agent backlog full: message left unanswered");
        return;
    };
    let emulator = emulator.clone();
    let token = token.to_owned();
    let conversation_id = conversation_id.to_owned();
    tokio::spawn(async move {
        let _slot = slot;
        run(emulator, token, conversation_id, trigger).await;
    });
}

/// Most agent replies queued or running per session: a guest sending faster than the agent
/// types does not pile up tasks; the messages beyond stay unanswered, as a busy agent's would.
pub const MAX_AGENT_BACKLOG: usize = 4;

/// One place in a session's agent backlog, given back when dropped.
struct BacklogSlot(Arc<AtomicUsize>);

impl BacklogSlot {
    fn take(backlog: Arc<AtomicUsize>) -> Option<Self> {
        let taken = backlog
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |queued| {
                (queued < MAX_AGENT_BACKLOG).then_some(queued + 1)
            })
            .is_ok();
        taken.then(|| Self(backlog))
    }
}

impl Drop for BacklogSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

async fn run(emulator: Emulator, token: String, conversation_id: String, trigger: Trigger) {
    let turn = {
        let sessions = emulator.sessions();
        match sessions.live(&token) {
            Some(session) if session.conversation_id == conversation_id => {
                session.agent_turn.clone()
            }
            _ => return,
        }
    };
    let _turn = turn.lock_owned().await;
    let Some(persona) = with_conversation(&emulator, &token, &conversation_id, |s| s.persona)
    else {
        return;
    };
    let delay = emulator.config().agent_reply_delay;
    for step in script::respond(&trigger, persona) {
        let still_here = match step {
            Step::Say(reply) => {
                let typed = send_typing(&emulator, &token, &conversation_id, reply.persona);
                if typed && !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                typed && send_reply(&emulator, &token, &conversation_id, reply)
            }
            Step::HandOver => with_conversation(&emulator, &token, &conversation_id, |session| {
                session.persona = Persona::Human;
            })
            .is_some(),
            Step::Disconnect => disconnect(&emulator, &token, &conversation_id),
        };
        if !still_here {
            return;
        }
    }
}

/// Runs `change` on the session if it still holds `conversation_id`.
fn with_conversation<T>(
    emulator: &Emulator,
    token: &str,
    conversation_id: &str,
    change: impl FnOnce(&mut super::session::Session) -> T,
) -> Option<T> {
    let mut sessions = emulator.sessions();
    let session = sessions.live_mut(token)?;
    (session.conversation_id == conversation_id).then(|| change(session))
}

fn outbound(emulator: &Emulator, message_type: MessageType) -> StructuredMessage {
    let mut message = frames::structured(
        emulator.ids().next("msg"),
        message_type,
        Direction::Outbound,
        emulator.wall().now_rfc3339(),
    );
    if let Some(channel) = message.channel.as_mut() {
        channel.channel_type = Some("Private".to_owned());
    }
    message
}

fn send_typing(emulator: &Emulator, token: &str, conversation_id: &str, persona: Persona) -> bool {
    let duration = emulator.config().typing_duration.as_millis() as u64;
    let mut typing = outbound(emulator, MessageType::Event);
    typing.events = vec![Event::Typing(Typing {
        typing_type: TypingType::On,
        duration: Some(duration),
    })];
    with_conversation(emulator, token, conversation_id, |session| {
        if let Some(channel) = typing.channel.as_mut() {
            channel.from = Some(persona.participant(&session.base_url));
        }
        session.broadcast(&frames::push(typing, None));
    })
    .is_some()
}

fn send_reply(emulator: &Emulator, token: &str, conversation_id: &str, reply: Reply) -> bool {
    let mut message = outbound(emulator, reply.message_type);
    message.text = Some(reply.text);
    message.content = reply.content;
    message.originating_entity = Some(reply.persona.originating_entity().to_owned());
    with_conversation(emulator, token, conversation_id, |session| {
        if let Some(channel) = message.channel.as_mut() {
            channel.from = Some(reply.persona.participant(&session.base_url));
        }
        session.record(&message, emulator.config());
        session.broadcast(&frames::push(message, None));
    })
    .is_some()
}

/// Presence Disconnect. With the deployment's `conversationDisconnect.type: ReadOnly` (the
/// default) it carries `metadata.readOnly = "true"` and the conversation becomes read-only;
/// with `Send` the guest may keep writing (PROTOCOL.md §1.5.2, §1.8).
fn disconnect(emulator: &Emulator, token: &str, conversation_id: &str) -> bool {
    let read_only = ConversationRules::of(emulator.config()).disconnect_read_only;
    let mut message = outbound(emulator, MessageType::Event);
    message.events = vec![Event::Presence(Presence::new(PresenceType::Disconnect))];
    if read_only {
        message
            .metadata
            .insert("readOnly".to_owned(), "true".to_owned());
    }
    with_conversation(emulator, token, conversation_id, |session| {
        session.read_only = read_only;
        session.record(&message, emulator.config());
        session.broadcast(&frames::push(message, None));
    })
    .is_some()
}

/// `GET /emulator/avatars/{name}`: the personas' avatars (small static SVGs).
pub async fn avatar(Path(name): Path<String>) -> Response {
    let (initial, colour) = match name.as_str() {
        "bot.svg" => ("B", "#1f6feb"),
        "human.svg" => ("A", "#2da44e"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 40 40\">\
         <circle cx=\"20\" cy=\"20\" r=\"20\" fill=\"{colour}\"/>\
         <text x=\"20\" y=\"26\" font-family=\"sans-serif\" font-size=\"18\" fill=\"#fff\" \
         text-anchor=\"middle\">{initial}</text></svg>"
    );
    let mut response = svg.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agent_backlog_is_bounded_and_given_back() {
        let backlog = Arc::new(AtomicUsize::new(0));
        let slots: Vec<_> = (0..MAX_AGENT_BACKLOG)
            .map(|_| BacklogSlot::take(Arc::clone(&backlog)).expect("room"))
            .collect();
        assert!(BacklogSlot::take(Arc::clone(&backlog)).is_none());
        drop(slots);
        assert_eq!(backlog.load(Ordering::Acquire), 0);
        assert!(BacklogSlot::take(backlog).is_some());
    }
}
