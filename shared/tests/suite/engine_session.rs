//! The connection lifecycle rules of the engine, driven with a fake clock: configure, resume,
//! read-only, expiry, new chat, server close, reconnect back-off, heartbeat.

use crate::engine_harness::*;
use parley_shared::engine::{
    CloseReason, Delivery, Effect, EngineConfig, EntryKind, FailReason, Input, Notice, Phase,
    Refused, SocketId,
};
use parley_shared::genesys::{ClientRequest, HistoryQuery};
use serde_json::json;

#[test]
fn start_asks_for_a_session_resuming_the_stored_token() {
    for stored in [None, Some("stored-token".to_owned())] {
        let mut h = Harness::with_config(EngineConfig {
            stored_token: stored.clone(),
            ..EngineConfig::new(DEPLOYMENT)
        });
        h.start();
        assert_eq!(h.engine.phase(), &Phase::RequestingSession);
        assert!(h.take().contains(&Effect::RequestSession {
            resume_token: stored
        }));
    }
}

#[test]
fn grant_persists_the_token_opens_the_socket_and_configures_it() {
    let mut h = Harness::new();
    h.start();
    h.ok(Input::SessionGranted(grant(TOKEN)));
    let effects = h.take();
    assert!(effects.contains(&Effect::PersistToken {
        token: TOKEN.into()
    }));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::OpenSocket { url, .. }
        if url == "ws://emulator/v1?deploymentId=deployment-1"))
    );
    assert_eq!(h.engine.phase(), &Phase::Connecting);

    h.open();
    assert_eq!(h.engine.phase(), &Phase::Configuring);
    match h.sent().as_slice() {
        [ClientRequest::ConfigureSession(configure)] => {
            assert_eq!(configure.token, TOKEN);
            assert_eq!(configure.deployment_id, DEPLOYMENT);
            assert_eq!(configure.start_new, None);
        }
        other => panic!("expected one configureSession, got {other:?}"),
    }
}

#[test]
fn new_session_is_ready_at_once_and_records_the_limits() {
    let mut h = Harness::new();
    h.connect(true);
    assert_eq!(h.engine.phase(), &Phase::Ready);
    assert!(
        !h.sent()
            .iter()
            .any(|r| matches!(r, ClientRequest::GetJwt(_)))
    );
    let limits = h.engine.limits();
    assert_eq!(limits.max_custom_data_bytes, Some(2048));
    assert_eq!(limits.blocked_extensions, [".exe"]);
    let inbound = limits
        .allowed_media
        .as_ref()
        .unwrap()
        .inbound
        .as_ref()
        .unwrap();
    assert!(inbound.accepts("image/png"));
    assert_eq!(inbound.max_file_size_kb, Some(10240));
}

#[test]
fn resumed_session_fetches_a_fresh_jwt_then_history_and_merges_it() {
    let mut h = Harness::new();
    h.connect(false);
    assert!(
        h.sent()
            .iter()
            .any(|r| matches!(r, ClientRequest::GetJwt(g) if g.token == TOKEN))
    );
    h.frame(
        json!({"type": "response", "class": "JwtResponse", "code": 200,
                   "body": {"jwt": "jwt-1", "exp": 1}}),
    );
    assert!(h.take().contains(&Effect::FetchHistory {
        api_base_url: "http://emulator".into(),
        jwt: "jwt-1".into(),
        query: HistoryQuery::first(),
    }));
    h.history(history_page(
        vec![
            history_entry(
                "m2",
                "Outbound",
                "second",
                "2024-01-01T10:00:02Z",
                json!({}),
            ),
            history_entry("m1", "Inbound", "first", "2024-01-01T10:00:01Z", json!({})),
        ],
        1,
        1,
    ));
    assert_eq!(h.texts(), ["guest:first", "agent:second"]);
}

#[test]
fn read_only_session_ends_the_conversation_and_refuses_sends() {
    let mut h = Harness::new();
    h.start();
    h.ok(Input::SessionGranted(grant(TOKEN)));
    h.open();
    h.frame(session_response(false, true));
    assert_eq!(h.engine.phase(), &Phase::Ended);
    assert!(!h.engine.can_send());
    assert_eq!(h.send_text("hello"), Err(Refused::ReadOnly));
}

#[test]
fn unexpected_closes_back_off_exponentially_with_full_jitter() {
    let mut h = Harness::ready();
    let windows = [250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000];
    for (index, window) in windows.into_iter().enumerate() {
        h.drop_socket();
        let Phase::Reconnecting { attempt, at } = *h.engine.phase() else {
            panic!("expected Reconnecting, got {:?}", h.engine.phase());
        };
        assert_eq!(attempt as usize, index + 1);
        assert!(
            at - h.now <= window,
            "attempt {attempt}: delay {} > {window}",
            at - h.now
        );
        assert_eq!(h.armed, Some(at));
        h.take();
        h.advance(at - h.now);
        assert!(
            h.took_open_socket(),
            "attempt {attempt} reopens at its deadline"
        );
        assert_eq!(h.engine.phase(), &Phase::Connecting);
    }
}

#[test]
fn a_connection_ready_for_ten_seconds_resets_the_attempt_counter() {
    for (ready_for, expected_attempt) in [(10_000, 1), (3_000, 3)] {
        let mut h = Harness::ready();
        // Two quick failures first.
        for _ in 0..2 {
            h.drop_socket();
            let Phase::Reconnecting { at, .. } = *h.engine.phase() else {
                panic!()
            };
            h.advance(at - h.now);
            h.open();
            h.frame(session_response(true, false));
        }
        h.advance(ready_for);
        h.drop_socket();
        let Phase::Reconnecting { attempt, .. } = *h.engine.phase() else {
            panic!()
        };
        assert_eq!(attempt, expected_attempt, "after {ready_for} ms ready");
    }
}

#[test]
fn network_back_reconnects_at_once() {
    let mut h = Harness::ready();
    for _ in 0..5 {
        h.drop_socket();
        let Phase::Reconnecting { at, .. } = *h.engine.phase() else {
            panic!()
        };
        h.advance(at - h.now);
        h.drop_socket();
    }
    h.take();
    h.ok(Input::NetworkBack);
    assert!(h.took_open_socket());
    assert_eq!(h.engine.phase(), &Phase::Connecting);
}

#[test]
fn reconnect_configures_the_same_token_and_fetches_a_fresh_jwt() {
    let mut h = Harness::ready();
    h.drop_socket();
    h.ok(Input::NetworkBack);
    h.open();
    let configured = h.sent();
    assert!(
        matches!(configured.as_slice(), [ClientRequest::ConfigureSession(c)] if c.token == TOKEN && c.start_new.is_none())
    );
    h.frame(session_response(false, false));
    assert!(
        h.sent()
            .iter()
            .any(|r| matches!(r, ClientRequest::GetJwt(_)))
    );
    assert_eq!(h.engine.phase(), &Phase::Ready);
}

#[test]
fn heartbeat_probes_after_silence_and_reconnects_when_unanswered() {
    let mut h = Harness::ready();
    h.advance(29_999);
    assert!(h.sent().is_empty());
    h.advance(1);
    assert!(matches!(h.sent().as_slice(), [ClientRequest::Echo(_)]));
    let socket = h.socket.unwrap();
    h.advance(10_000);
    let effects = h.take();
    assert!(effects.contains(&Effect::CloseSocket { socket }));
    assert!(matches!(h.engine.phase(), Phase::Reconnecting { .. }));
    // The late close event of the socket we abandoned changes nothing.
    let phase = h.engine.phase().clone();
    h.ok(Input::SocketClosed {
        socket,
        code: Some(1000),
        clean: true,
    });
    assert_eq!(h.engine.phase(), &phase);
}

#[test]
fn any_frame_answers_the_heartbeat() {
    let mut h = Harness::ready();
    h.advance(30_000);
    let echo = match h.sent().as_slice() {
        [ClientRequest::Echo(echo)] => echo.clone(),
        other => panic!("expected an echo, got {other:?}"),
    };
    h.advance(2_000);
    h.frame(
        json!({"type": "response", "class": "StructuredMessage", "code": 200,
                   "tracingId": echo.tracing_id,
                   "body": {"id": "e1", "type": "Text", "direction": "Inbound", "text": "ping"}}),
    );
    h.advance(20_000);
    assert_eq!(h.engine.phase(), &Phase::Ready);
    assert!(
        h.engine.transcript().is_empty(),
        "the echo reply is not a message"
    );
}

#[test]
fn without_auto_restart_a_dead_session_forgets_the_token_and_new_chat_asks_for_a_fresh_one() {
    let cases = [
        json!({"type": "response", "class": "SessionExpiredEvent", "code": 200, "body": {}}),
        error_frame(4006, "session expired error message", None),
        error_frame(4007, "session not found error message", None),
    ];
    for frame in cases {
        let mut h = Harness::ready_without_auto_restart();
        h.say("pending");
        h.frame(frame.clone());
        assert_eq!(h.engine.phase(), &Phase::Expired, "{frame}");
        let effects = h.take();
        assert!(effects.contains(&Effect::ForgetToken));
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::CloseSocket { .. }))
        );
        assert!(
            h.texts()
                .contains(&format!("[{:?}]", Notice::SessionExpired))
        );
        assert_eq!(h.send_text("again"), Err(Refused::NoSession));
        // No reconnect is scheduled.
        h.advance(60_000);
        assert!(!h.took_open_socket());

        h.start_new_chat();
        assert!(
            h.take()
                .contains(&Effect::RequestSession { resume_token: None })
        );
        h.grant_fresh_session("token-2");
        assert_eq!(
            h.texts(),
            ["guest:pending"],
            "a new chat starts blank but for what the visitor must decide about"
        );
        let pending = h.engine.transcript()[0].clone();
        let EntryKind::Guest(message) = pending.kind else {
            panic!("a guest message")
        };
        assert_eq!(message.delivery, Delivery::Failed(FailReason::SessionEnded));
        h.take();
        h.retry(message.client_id.as_deref().unwrap()).unwrap();
        assert_eq!(
            h.sent_messages().len(),
            1,
            "Retry sends it in the new session"
        );
    }
}

#[test]
fn read_only_disconnect_ends_and_new_chat_runs_close_then_start_new() {
    let mut h = Harness::ready();
    h.frame(agent_event(
        "d1",
        json!({"eventType": "Presence", "presence": {"type": "Disconnect"}}),
        json!({"readOnly": "true"}),
    ));
    assert_eq!(h.engine.phase(), &Phase::Ended);
    assert!(h.texts().contains(&format!(
        "[{:?}]",
        Notice::ConversationEnded { read_only: true }
    )));
    assert_eq!(h.send_text("hi"), Err(Refused::ReadOnly));

    h.take();
    h.start_new_chat();
    assert!(matches!(h.sent().as_slice(),
        [ClientRequest::CloseSession(c)] if c.close_all_connections && c.token == TOKEN));
    h.frame(
        json!({"type": "response", "class": "SessionResponse", "code": 200,
                   "body": {"connected": false, "readOnly": true}}),
    );
    assert!(matches!(h.sent().as_slice(),
        [ClientRequest::ConfigureSession(c)] if c.start_new == Some(true) && c.token == TOKEN));
    h.frame(session_response(true, false));
    assert_eq!(h.engine.phase(), &Phase::Ready);
    assert_eq!(h.texts(), [format!("[{:?}]", Notice::NewConversation)]);
    h.say("hello again");
    assert_eq!(h.sent_messages().len(), 1);
}

#[test]
fn disconnect_without_read_only_only_says_so() {
    let mut h = Harness::ready();
    h.frame(agent_event(
        "d1",
        json!({"eventType": "Presence", "presence": {"type": "Disconnect"}}),
        json!({}),
    ));
    assert_eq!(h.engine.phase(), &Phase::Ready);
    assert!(h.engine.can_send());
}

#[test]
fn connection_closed_event_stops_reconnecting_and_says_why() {
    let cases = [
        (
            json!({"reason": "signedIn"}),
            CloseReason::SignedInElsewhere,
            true,
        ),
        (
            json!({"reasonCode": "sessionLimitReached"}),
            CloseReason::ClosedByServer(Some("sessionLimitReached".into())),
            false,
        ),
        (json!({}), CloseReason::ClosedByServer(None), false),
    ];
    for (body, reason, forgets) in cases {
        let mut h = Harness::ready();
        h.frame(
            json!({"type": "message", "class": "ConnectionClosedEvent", "code": 200, "body": body}),
        );
        assert_eq!(h.engine.phase(), &Phase::Closed(reason.clone()));
        let effects = h.take();
        assert_eq!(
            effects.contains(&Effect::ForgetToken),
            forgets,
            "{reason:?}"
        );
        let socket = h.socket.unwrap();
        h.ok(Input::SocketClosed {
            socket,
            code: Some(1000),
            clean: true,
        });
        h.advance(120_000);
        assert!(!h.took_open_socket());
    }
}

#[test]
fn session_cleared_event_clears_the_transcript() {
    let mut h = Harness::ready();
    h.frame(agent_text("a1", "hello", "2024-01-01T10:00:00Z", "Ann"));
    assert!(!h.engine.transcript().is_empty());
    h.frame(json!({"type": "message", "class": "SessionClearedEvent", "code": 200, "body": {}}));
    assert!(h.engine.transcript().is_empty());
}

#[test]
fn error_answering_configure_closes_with_the_reason() {
    let mut h = Harness::new();
    h.start();
    h.ok(Input::SessionGranted(grant(TOKEN)));
    h.open();
    h.frame(error_frame(403, "Session authentication failed", None));
    assert_eq!(
        h.engine.phase(),
        &Phase::Closed(CloseReason::Rejected {
            code: 403,
            message: "Session authentication failed".into()
        })
    );
}

#[test]
fn configure_without_answer_counts_as_a_dead_socket() {
    let mut h = Harness::new();
    h.start();
    h.ok(Input::SessionGranted(grant(TOKEN)));
    h.open();
    h.advance(10_000);
    assert!(matches!(h.engine.phase(), Phase::Reconnecting { .. }));
}

#[test]
fn frames_from_an_abandoned_socket_are_ignored() {
    let mut h = Harness::ready();
    let old = h.socket.unwrap();
    h.drop_socket();
    h.ok(Input::NetworkBack);
    let new = h.socket.unwrap();
    assert_ne!(old, new);
    h.ok(Input::frame_text(
        old,
        &agent_text("a1", "stale", "2024-01-01T10:00:00Z", "Ann").to_string(),
    ));
    assert!(h.engine.transcript().is_empty());
    h.ok(Input::SocketOpened(SocketId(old.0)));
    assert!(h.take().contains(&Effect::CloseSocket { socket: old }));
}

#[test]
fn malformed_and_unknown_frames_are_counted_and_ignored() {
    let mut h = Harness::ready();
    let socket = h.socket.unwrap();
    for text in ["", "not json", "{\"type\":\"message\"}", "[1,2]", "\u{0}"] {
        h.ok(Input::frame_text(socket, text));
    }
    h.frame(json!({"type": "message", "class": "BrandNewEvent", "code": 200, "body": {"x": 1}}));
    h.frame(
        json!({"type": "response", "class": "SessionResponse", "code": 200, "body": "garbage"}),
    );
    let diagnostics = h.engine.diagnostics();
    assert_eq!(diagnostics.malformed_frames, 5);
    assert_eq!(diagnostics.unknown_frames, 2);
    assert_eq!(h.engine.phase(), &Phase::Ready);
}

#[test]
fn guest_close_keeps_the_token_and_stops() {
    let mut h = Harness::ready();
    h.close();
    let effects = h.take();
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::CloseSocket { .. }))
    );
    assert!(!effects.contains(&Effect::ForgetToken));
    assert_eq!(h.engine.phase(), &Phase::Closed(CloseReason::GuestLeft));
    h.advance(60_000);
    assert!(!h.took_open_socket());
}

#[test]
fn every_input_that_changes_the_view_says_so_once() {
    let mut h = Harness::new();
    h.start();
    let changed = h
        .take()
        .iter()
        .filter(|e| **e == Effect::ViewChanged)
        .count();
    assert_eq!(changed, 1);
    h.ok(Input::TimerFired);
    assert!(!h.take().contains(&Effect::ViewChanged));
}

#[test]
fn heartbeat_replies_never_show_as_messages_however_late() {
    let mut h = Harness::ready();
    let mut echoes = Vec::new();
    for _ in 0..6 {
        h.ok(Input::NetworkBack);
        for request in h.sent() {
            if let ClientRequest::Echo(echo) = request {
                echoes.push(echo);
            }
        }
        h.frame(json!({"type": "message", "class": "BrandNewEvent", "code": 200, "body": {}}));
    }
    assert_eq!(echoes.len(), 6, "each network-back probes the live socket");
    for echo in echoes {
        h.frame(json!({"type": "response", "class": "StructuredMessage", "code": 200,
                       "tracingId": echo.tracing_id,
                       "body": {"id": "p", "type": "Text", "direction": "Inbound", "text": "ping"}}));
    }
    assert!(h.engine.transcript().is_empty());
}

#[test]
fn reopening_a_closed_chat_resumes_the_same_token() {
    let mut h = Harness::ready();
    h.close();
    h.take();
    h.start();
    assert!(h.take().contains(&Effect::RequestSession {
        resume_token: Some(TOKEN.into())
    }));
}

#[test]
fn failed_history_is_retried_and_network_back_catches_up_after_giving_up() {
    let mut h = Harness::new();
    h.connect(false);
    h.jwt();
    assert_eq!(h.took_history_fetches(), 1);
    for delay in [1_000, 2_000, 4_000] {
        h.ok(Input::HistoryFailed("HTTP 503".into()));
        h.advance(delay - 1);
        assert_eq!(h.took_history_fetches(), 0);
        h.advance(1);
        assert_eq!(h.took_history_fetches(), 1, "retried after {delay} ms");
    }
    h.ok(Input::HistoryFailed("HTTP 503".into()));
    h.advance(20_000);
    assert_eq!(h.took_history_fetches(), 0, "gave up");
    assert_eq!(h.engine.phase(), &Phase::Ready);
    h.ok(Input::NetworkBack);
    assert!(
        h.sent()
            .iter()
            .any(|r| matches!(r, ClientRequest::GetJwt(_)))
    );
}

#[test]
fn jwt_nobody_asked_for_fetches_nothing() {
    let mut h = Harness::ready();
    h.jwt();
    assert_eq!(h.took_history_fetches(), 0);
}

#[test]
fn server_forgetting_the_session_on_resume_is_announced() {
    let mut h = Harness::ready();
    h.frame(agent_text("a1", "hello", "2024-01-01T10:00:00Z", "Ann"));
    h.drop_socket();
    h.ok(Input::NetworkBack);
    h.open();
    h.frame(session_response(true, false));
    assert_eq!(
        h.texts().last().unwrap(),
        &format!("[{:?}]", Notice::NewConversation)
    );
}

#[test]
fn new_chat_asked_while_configuring_still_starts_a_new_conversation() {
    let mut h = Harness::new();
    h.start();
    h.ok(Input::SessionGranted(grant(TOKEN)));
    h.open();
    h.take();
    h.start_new_chat();
    assert!(matches!(
        h.sent().as_slice(),
        [ClientRequest::CloseSession(_)]
    ));
    // The answer to the first configure arrives first and changes nothing.
    h.frame(session_response(false, true));
    assert!(h.sent().is_empty());
    h.frame(
        json!({"type": "response", "class": "SessionResponse", "code": 200,
                   "body": {"connected": false}}),
    );
    assert!(matches!(h.sent().as_slice(),
        [ClientRequest::ConfigureSession(c)] if c.start_new == Some(true)));
    h.frame(session_response(true, false));
    assert_eq!(h.engine.phase(), &Phase::Ready);
}

#[test]
fn a_socket_reported_open_twice_is_configured_once() {
    let mut h = Harness::new();
    h.start();
    h.ok(Input::SessionGranted(grant(TOKEN)));
    h.open();
    h.open();
    assert_eq!(h.sent().len(), 1);
}

#[test]
fn the_same_seed_and_inputs_give_the_same_effects_ids_included() {
    let run = |seed: u64| {
        let mut h = Harness::with_config(parley_shared::engine::EngineConfig {
            seed,
            ..parley_shared::engine::EngineConfig::new(DEPLOYMENT)
        });
        h.connect(false);
        h.say("hello");
        h.attach("pixel.png", "image/png", 10).expect("accepted");
        h.drop_socket();
        h.advance(60_000);
        format!("{:?}", h.sent())
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4), "the seed decides the ids");
}

#[test]
fn a_connection_that_carried_traffic_resets_the_back_off_at_once() {
    // A proxy that cuts every connection after two seconds: with traffic on each, every
    // reconnect is a first attempt again; without, the attempts keep counting.
    for (traffic, expected_attempt) in [(true, 1), (false, 4)] {
        let mut h = Harness::ready();
        for round in 0..4 {
            if traffic {
                h.frame(agent_text(
                    &format!("a{round}"),
                    "hi",
                    "2024-01-01T10:00:00Z",
                    "Ann",
                ));
            }
            h.advance(2_000);
            h.drop_socket();
            let Phase::Reconnecting { attempt, at } = *h.engine.phase() else {
                panic!("expected Reconnecting, got {:?}", h.engine.phase());
            };
            if round == 3 {
                assert_eq!(attempt, expected_attempt, "traffic {traffic}");
            }
            h.advance(at - h.now);
            h.open();
            h.frame(session_response(false, false));
        }
    }
}

#[test]
fn a_refused_configure_session_leaves_no_message_sending() {
    let mut h = Harness::new();
    h.start();
    h.say("written while connecting");
    h.ok(Input::SessionGranted(grant(TOKEN)));
    h.open();
    h.frame(error_frame(403, "Session authentication failed", None));
    let EntryKind::Guest(message) = &h.engine.transcript()[0].kind else {
        panic!("a guest message")
    };
    assert_eq!(
        message.delivery,
        Delivery::Failed(FailReason::SessionEnded),
        "failed with Retry, not sending for ever"
    );
}

#[test]
fn a_grant_request_without_answer_closes_and_network_back_asks_again() {
    let mut h = Harness::new();
    h.start();
    h.take();
    h.advance(19_999);
    assert_eq!(h.engine.phase(), &Phase::RequestingSession);
    h.advance(1);
    assert!(matches!(
        h.engine.phase(),
        Phase::Closed(CloseReason::NoSession(_))
    ));
    h.ok(Input::SessionGranted(grant(TOKEN)));
    assert!(
        !h.took_open_socket(),
        "a grant nobody waits for any more opens nothing"
    );
    h.ok(Input::NetworkBack);
    assert!(
        h.take()
            .contains(&Effect::RequestSession { resume_token: None })
    );
    assert_eq!(h.engine.phase(), &Phase::RequestingSession);
}

#[test]
fn a_history_fetch_without_answer_is_retried() {
    let mut h = Harness::new();
    h.connect(false);
    h.jwt();
    assert_eq!(h.took_history_fetches(), 1);
    h.advance(14_999);
    assert_eq!(h.took_history_fetches(), 0, "still waiting");
    h.advance(1 + 1_000);
    assert_eq!(
        h.took_history_fetches(),
        1,
        "timed out after 15 s, retried a second later"
    );
}
