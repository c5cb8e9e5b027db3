//! Several tabs, one conversation (`shared/src/engine/tabs.rs`): another tab removing the
//! stored token ends the conversation here; another tab storing a token of its own is followed,
//! and no tab ever stores a token it learned from another.

use crate::engine_harness::*;
use parley_shared::engine::{
    Delivery, Effect, EntryKind, FailReason, Input, Notice, Phase, Refused,
};
use parley_shared::genesys::ClientRequest;
use serde_json::json;

fn notice(notice: Notice) -> String {
    format!("[{notice:?}]")
}

fn stored(token: Option<&str>) -> Input {
    Input::StoredTokenChanged(token.map(str::to_owned))
}

/// No effect stores or forgets a token: only a tab's own grants are stored.
fn assert_storage_untouched(effects: &[Effect]) {
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::PersistToken { .. } | Effect::ForgetToken)),
        "{effects:?}"
    );
}

fn ended_notice() -> String {
    notice(Notice::ConversationEnded { read_only: true })
}

/// Ended as "End chat" ends it, minus what the other tab did (closeSession, forgetting).
fn assert_ended_here_too(h: &mut Harness, unsent: &str) {
    let effects = h.take();
    assert_eq!(h.engine.phase(), &Phase::Ended);
    assert_eq!(h.texts().last(), Some(&ended_notice()), "{:?}", h.texts());
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Send { .. })),
        "no closeSession: the other tab ended it: {effects:?}"
    );
    assert_storage_untouched(&effects);
    let delivery = h
        .engine
        .transcript()
        .iter()
        .find(|entry| entry.key == format!("c:{unsent}"))
        .and_then(|entry| match &entry.kind {
            EntryKind::Guest(message) => Some(message.delivery.clone()),
            _ => None,
        });
    assert_eq!(
        delivery,
        Some(Delivery::Failed(FailReason::SessionEnded)),
        "what was not confirmed stays, with Retry"
    );
    assert_eq!(h.send_text("more"), Err(Refused::ReadOnly));
    h.advance(120_000);
    assert!(
        !h.take()
            .iter()
            .any(|e| matches!(e, Effect::OpenSocket { .. } | Effect::RequestSession { .. })),
        "nothing reconnects the ended conversation"
    );
}

#[test]
fn a_live_tab_ends_two_seconds_after_another_removed_the_token_if_the_server_said_nothing() {
    let mut h = Harness::ready();
    let unsent = h.say("typed here");
    h.take();
    h.ok(stored(None));
    h.advance(1_999);
    assert_eq!(
        h.engine.phase(),
        &Phase::Ready,
        "the server may still report an expiry"
    );
    h.advance(1);
    assert!(
        h.effects
            .iter()
            .any(|e| matches!(e, Effect::CloseSocket { .. }))
    );
    assert_ended_here_too(&mut h, &unsent);
}

#[test]
fn the_token_stored_again_within_the_grace_keeps_the_conversation() {
    let mut h = Harness::ready();
    h.ok(stored(None));
    h.ok(stored(Some(TOKEN)));
    h.advance(10_000);
    assert_eq!(h.engine.phase(), &Phase::Ready);
    assert!(!h.texts().contains(&ended_notice()));
}

#[test]
fn a_tab_without_a_live_socket_ends_at_once() {
    let mut h = Harness::ready();
    let unsent = h.say("typed here");
    h.drop_socket();
    assert!(matches!(h.engine.phase(), Phase::Reconnecting { .. }));
    h.take();
    h.ok(stored(None));
    assert_ended_here_too(&mut h, &unsent);
}

#[test]
fn an_expiry_the_server_reports_during_the_grace_is_an_expiry_not_an_end() {
    let mut h = Harness::ready();
    h.ok(stored(None));
    h.frame(json!({"type": "response", "class": "SessionExpiredEvent", "code": 200, "body": {}}));
    h.advance(10_000);
    assert_eq!(
        h.engine.phase(),
        &Phase::RequestingSession,
        "a fresh session is on its way"
    );
    assert_eq!(h.texts(), [notice(Notice::SessionExpired)]);
}

#[test]
fn closed_by_the_other_tabs_end_chat_then_its_token_leaving_shows_the_conversation_ended() {
    let mut h = Harness::ready();
    // The other tab's closeSession{closeAllConnections} reaches this socket first.
    h.frame(json!({"type": "message", "class": "ConnectionClosedEvent", "code": 200, "body": {}}));
    assert!(matches!(h.engine.phase(), Phase::Closed(_)));
    h.take();
    h.ok(stored(None));
    assert_eq!(h.engine.phase(), &Phase::Ended);
    assert_eq!(h.texts().last(), Some(&ended_notice()));
    assert_storage_untouched(&h.take());
}

#[test]
fn the_token_this_tab_holds_changes_nothing() {
    let mut h = Harness::ready();
    h.ok(stored(Some(TOKEN)));
    assert_eq!(h.engine.phase(), &Phase::Ready);
    assert!(h.take().is_empty());
}

#[test]
fn another_tabs_token_is_followed_and_what_was_unconfirmed_goes_out_in_it() {
    let mut h = Harness::ready();
    h.frame(agent_text(
        "a1",
        "of the old conversation",
        "2024-01-01T10:00:00Z",
        "Ann",
    ));
    h.say("typed here");
    h.take();
    h.ok(stored(Some("token-2")));
    let effects = h.take();
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::CloseSocket { .. }))
    );
    assert!(
        effects.contains(&Effect::RequestSession {
            resume_token: Some("token-2".into())
        }),
        "{effects:?}"
    );
    assert_storage_untouched(&effects);
    assert_eq!(
        h.texts(),
        [notice(Notice::NewConversation), "guest:typed here".into()]
    );

    h.ok(Input::SessionGranted(grant("token-2")));
    assert_storage_untouched(&h.take());
    h.open();
    assert!(matches!(h.sent().as_slice(),
        [ClientRequest::ConfigureSession(c)] if c.token == "token-2" && c.start_new.is_none()));
    h.frame(session_response(true, false));
    assert_eq!(h.engine.phase(), &Phase::Ready);
    let resent = h.sent_messages();
    assert_eq!(resent.len(), 1, "sent once in the followed conversation");
    assert_eq!(resent[0].token, "token-2");
}

#[test]
fn after_expiry_a_grant_answering_the_request_made_before_following_is_ignored() {
    let mut h = Harness::ready();
    h.frame(error_frame(4006, "session expired", None));
    assert!(
        h.take()
            .contains(&Effect::RequestSession { resume_token: None })
    );
    // Another tab's fresh session was stored first: follow it, keeping the expiry notice.
    h.ok(stored(Some("token-2")));
    assert!(h.take().contains(&Effect::RequestSession {
        resume_token: Some("token-2".into())
    }));
    assert_eq!(h.texts(), [notice(Notice::SessionExpired)]);

    h.ok(Input::SessionGranted(grant("token-3")));
    let effects = h.take();
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::OpenSocket { .. })),
        "the older request's grant is not used: {effects:?}"
    );
    assert_storage_untouched(&effects);
    assert_eq!(h.engine.phase(), &Phase::RequestingSession);

    h.ok(Input::SessionGranted(grant("token-2")));
    let effects = h.take();
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::OpenSocket { .. }))
    );
    assert_storage_untouched(&effects);
}

#[test]
fn before_the_start_the_stored_token_is_simply_the_one_to_resume() {
    let mut h = Harness::new();
    h.ok(stored(Some("token-2")));
    h.start();
    assert!(h.take().contains(&Effect::RequestSession {
        resume_token: Some("token-2".into())
    }));
}
