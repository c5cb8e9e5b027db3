//! How a conversation ends and the next one begins, driven with a fake clock: the guest's
//! "End chat" (closeSession, its answer or a timeout, the token forgotten, a fresh session
//! after), and expiry restarting a fresh session with a lasting notice.

use crate::engine_harness::*;
use parley_shared::engine::{
    Delivery, Effect, EntryKind, FailReason, Input, Notice, Phase, Refused,
};
use parley_shared::genesys::ClientRequest;
use serde_json::json;

fn closed_answer() -> serde_json::Value {
    json!({"type": "response", "class": "SessionResponse", "code": 200,
           "body": {"connected": false, "readOnly": true}})
}

fn ended_notice() -> String {
    format!("[{:?}]", Notice::ConversationEnded { read_only: true })
}

/// Asserts the chat ended by the guest: phase, notice, token forgotten, socket closed (when
/// there was one to close).
fn assert_ended(h: &mut Harness, socket_to_close: bool) {
    assert_eq!(h.engine.phase(), &Phase::Ended);
    assert!(h.texts().contains(&ended_notice()), "{:?}", h.texts());
    let effects = h.take();
    assert!(effects.contains(&Effect::ForgetToken), "{effects:?}");
    assert_eq!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::CloseSocket { .. })),
        socket_to_close,
        "{effects:?}"
    );
    assert_eq!(h.send_text("more"), Err(Refused::ReadOnly));
    // Nothing reconnects an ended chat.
    h.advance(120_000);
    assert!(
        !h.take()
            .iter()
            .any(|e| matches!(e, Effect::OpenSocket { .. } | Effect::RequestSession { .. }))
    );
}

#[test]
fn end_chat_sends_close_session_and_ends_on_its_answer() {
    let mut h = Harness::ready();
    h.end_chat().unwrap();
    assert!(matches!(h.sent().as_slice(),
        [ClientRequest::CloseSession(c)] if c.close_all_connections && c.token == TOKEN));
    assert_eq!(
        h.send_text("while ending"),
        Err(Refused::ReadOnly),
        "nothing new is accepted while the chat ends"
    );
    h.frame(closed_answer());
    assert_ended(&mut h, true);
}

#[test]
fn end_chat_without_an_answer_ends_after_five_seconds() {
    let mut h = Harness::ready();
    h.end_chat().unwrap();
    h.take();
    h.advance(4_999);
    assert_eq!(
        h.engine.phase(),
        &Phase::Ready,
        "still waiting for the answer"
    );
    h.advance(1);
    assert_ended(&mut h, true);
}

#[test]
fn end_chat_ends_when_the_server_closes_the_socket_instead_of_answering() {
    let mut h = Harness::ready();
    h.end_chat().unwrap();
    h.take();
    h.drop_socket();
    assert_ended(&mut h, true);
}

#[test]
fn end_chat_without_a_live_socket_ends_at_once() {
    let mut h = Harness::ready();
    h.drop_socket();
    assert!(matches!(h.engine.phase(), Phase::Reconnecting { .. }));
    h.take();
    h.end_chat().unwrap();
    assert!(
        !h.effects.iter().any(|e| matches!(e, Effect::Send { .. })),
        "no socket to send closeSession on"
    );
    assert_ended(&mut h, false);
}

#[test]
fn end_chat_fails_what_was_not_delivered() {
    let mut h = Harness::ready();
    h.say("unanswered");
    h.end_chat().unwrap();
    h.frame(closed_answer());
    let delivery = h
        .engine
        .transcript()
        .iter()
        .find_map(|entry| match &entry.kind {
            EntryKind::Guest(message) => Some(message.delivery.clone()),
            _ => None,
        });
    assert_eq!(delivery, Some(Delivery::Failed(FailReason::SessionEnded)));
}

#[test]
fn end_chat_before_any_session_is_refused() {
    let mut h = Harness::new();
    assert_eq!(h.end_chat(), Err(Refused::NoSession));
}

#[test]
fn new_chat_after_end_chat_asks_for_a_brand_new_session() {
    let mut h = Harness::ready();
    h.end_chat().unwrap();
    h.frame(closed_answer());
    h.take();
    h.start_new_chat();
    assert!(
        h.take()
            .contains(&Effect::RequestSession { resume_token: None })
    );
    h.grant_fresh_session("token-2");
    assert!(h.engine.transcript().is_empty(), "a new chat starts blank");
    h.say("hello");
    assert_eq!(h.sent_messages().len(), 1);
}

#[test]
fn expiry_starts_a_fresh_session_at_once_under_a_lasting_notice() {
    let cases = [
        json!({"type": "response", "class": "SessionExpiredEvent", "code": 200, "body": {}}),
        error_frame(4006, "session expired error message", None),
        error_frame(4007, "session not found error message", None),
    ];
    let expired = format!("[{:?}]", Notice::SessionExpired);
    for frame in cases {
        let mut h = Harness::ready();
        h.frame(agent_text("a1", "old", "2024-01-01T10:00:00Z", "Ann"));
        h.take();
        h.frame(frame.clone());
        let effects = h.take();
        let forget = effects.iter().position(|e| *e == Effect::ForgetToken);
        let request = effects
            .iter()
            .position(|e| *e == Effect::RequestSession { resume_token: None });
        assert!(
            forget.is_some() && request.is_some() && forget < request,
            "{frame}: the token is forgotten, then a fresh session asked for: {effects:?}"
        );
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::CloseSocket { .. }))
        );
        assert_eq!(h.engine.phase(), &Phase::RequestingSession);
        assert_eq!(h.texts(), std::slice::from_ref(&expired), "{frame}");

        h.grant_fresh_session("token-2");
        assert_eq!(
            h.texts(),
            std::slice::from_ref(&expired),
            "{frame}: the notice stays, alone (no 'new conversation' on top)"
        );
        h.say("hello");
        assert_eq!(h.sent_messages().len(), 1);
    }
}

#[test]
fn quick_replies_of_a_conversation_the_server_forgot_are_not_offered() {
    let mut h = Harness::ready();
    h.frame(json!({"type": "message", "class": "StructuredMessage", "code": 200,
        "body": {"direction": "Outbound", "id": "qr1", "type": "Structured", "text": "Pick one",
                 "originatingEntity": "Bot", "channel": {"time": "2024-01-01T10:00:00Z"},
                 "content": [
                    {"contentType": "QuickReply", "quickReply": {"text": "A", "payload": "a", "action": "Message"}}]}}));
    assert!(!h.engine.quick_replies().is_empty());
    h.drop_socket();
    h.ok(Input::NetworkBack);
    h.open();
    h.frame(session_response(true, false));
    assert_eq!(h.engine.phase(), &Phase::Ready);
    assert!(
        h.engine.quick_replies().is_empty(),
        "the old conversation's choices answer nothing in the new one"
    );
}

#[test]
fn expiry_carries_unconfirmed_messages_into_the_new_session_in_order_behind_the_notice() {
    let mut h = Harness::ready();
    h.say("sent before");
    let sent = h.sent_messages().remove(0);
    h.echo(&sent, "s1", "2024-01-01T10:00:00Z");
    h.advance(1_000);
    h.say("typed while the laptop slept");
    h.say("and another");
    h.sent_messages();
    h.frame(json!({"type": "response", "class": "SessionExpiredEvent", "code": 200, "body": {}}));
    let expired = format!("[{:?}]", Notice::SessionExpired);
    assert_eq!(
        h.texts(),
        [
            expired.as_str(),
            "guest:typed while the laptop slept",
            "guest:and another"
        ],
        "the confirmed one went with the old conversation; the others follow the notice"
    );
    h.ok(Input::SessionGranted(grant("token-2")));
    h.open();
    h.frame(session_response(true, false));
    let resent = h.sent_messages();
    assert_eq!(resent.len(), 1, "one at a time");
    assert_eq!(resent[0].token, "token-2");
    assert_eq!(
        resent[0].message.text.as_deref(),
        Some("typed while the laptop slept")
    );
    h.echo(&resent[0], "n1", "2024-01-01T11:00:00Z");
    h.advance(1_000);
    let next = h.sent_messages();
    assert_eq!(next[0].message.text.as_deref(), Some("and another"));
}

#[test]
fn a_cleared_session_keeps_what_is_on_its_way() {
    let mut h = Harness::ready();
    h.frame(agent_text("a1", "old", "2024-01-01T10:00:00Z", "Ann"));
    h.say("in flight");
    let sent = h.sent_messages().remove(0);
    h.frame(json!({"type": "response", "class": "SessionClearedEvent", "code": 200, "body": {}}));
    assert_eq!(
        h.texts(),
        ["guest:in flight"],
        "the old conversation goes, not the text"
    );
    h.echo(&sent, "s1", "2024-01-01T10:00:05Z");
    assert!(h.engine.everything_delivered());
    assert_eq!(
        h.texts(),
        ["guest:in flight"],
        "confirmed once, not added again"
    );
}
