//! The message rules of the engine, driven with a fake clock: optimistic sends and echoes,
//! ordering and de-duplication, typing, quick replies, pacing, 429, errors, resends after a
//! reconnect.

use crate::engine_harness::*;
use parley_shared::engine::{
    CLIENT_MESSAGE_ID_KEY, ChoiceId, ChoiceKind, Delivery, Effect, EntryKind, FailReason,
    GuestMessage, Input, Notice, OriginatingEntity, Phase, Refused, Typist,
};
use parley_shared::genesys::{ButtonResponseType, Content, MessageType};
use serde_json::json;

fn guest(h: &Harness, index: usize) -> GuestMessage {
    match &h.engine.transcript()[index].kind {
        EntryKind::Guest(message) => message.clone(),
        other => panic!("entry {index} is not a guest message: {other:?}"),
    }
}

#[test]
fn send_shows_a_bubble_at_once_and_the_echo_confirms_it_without_a_second_one() {
    let mut h = Harness::ready();
    h.say("hello");
    assert_eq!(h.texts(), ["guest:hello"]);
    assert_eq!(guest(&h, 0).delivery, Delivery::Sending);
    let key = h.engine.transcript()[0].key.clone();

    let sent = h.sent_messages();
    let [message] = sent.as_slice() else {
        panic!("one onMessage expected, got {sent:?}")
    };
    let client_id = guest(&h, 0).client_id.unwrap();
    assert_eq!(message.tracing_id.as_deref(), Some(client_id.as_str()));
    assert!(uuid::Uuid::parse_str(&client_id).is_ok_and(|id| id.get_version_num() == 4));
    assert_eq!(
        message.message.metadata.get(CLIENT_MESSAGE_ID_KEY),
        Some(&client_id)
    );
    assert_eq!(message.message.text.as_deref(), Some("hello"));

    h.echo(message, "srv-1", "2024-01-01T10:00:00.000Z");
    h.echo(message, "srv-1", "2024-01-01T10:00:00.000Z");
    assert_eq!(h.texts(), ["guest:hello"]);
    let confirmed = guest(&h, 0);
    assert_eq!(confirmed.delivery, Delivery::Sent);
    assert_eq!(confirmed.message_id.as_deref(), Some("srv-1"));
    assert_eq!(
        h.engine.transcript()[0].key,
        key,
        "the key survives the echo"
    );
}

#[test]
fn echo_of_a_message_from_another_tab_is_added_once() {
    let mut h = Harness::ready();
    let other_tab = json!({"type": "message", "class": "StructuredMessage", "code": 200,
        "tracingId": "someone-elses-tracing-id",
        "body": {"id": "srv-9", "type": "Text", "direction": "Inbound", "text": "from tab 2",
                 "channel": {"time": "2024-01-01T10:00:00Z"}}});
    h.frame(other_tab.clone());
    h.frame(other_tab);
    assert_eq!(h.texts(), ["guest:from tab 2"]);
    assert_eq!(guest(&h, 0).delivery, Delivery::Sent);
}

#[test]
fn blank_and_over_long_text_is_refused_and_nothing_is_queued() {
    let long = "é".repeat(4_001);
    let cases = [
        (String::new(), Err(Refused::Empty)),
        ("  \n\t ".to_owned(), Err(Refused::Empty)),
        (
            long,
            Err(Refused::TooLong {
                chars: 4_001,
                max: 4_000,
            }),
        ),
        ("é".repeat(4_000), Ok(())),
    ];
    for (text, expected) in cases {
        let mut h = Harness::ready();
        let accepted = expected.is_ok();
        assert_eq!(h.send_text(text.clone()).map(drop), expected);
        assert_eq!(h.engine.transcript().len(), usize::from(accepted));
        assert_eq!(h.sent_messages().len(), usize::from(accepted));
    }
}

#[test]
fn transcript_is_ordered_by_server_time_not_by_arrival() {
    let mut h = Harness::ready();
    let arrivals = [
        ("a3", "third", "2024-01-01T10:00:02Z"),
        ("a1", "first", "2024-01-01T10:00:00.900Z"),
        ("a2", "second", "2024-01-01T11:00:01+01:00"),
        ("a4", "fourth (tie, arrived first)", "2024-01-01T10:00:03Z"),
        (
            "a5",
            "fifth (tie, arrived second)",
            "2024-01-01T10:00:03.000Z",
        ),
    ];
    for (id, text, time) in arrivals {
        h.frame(agent_text(id, text, time, "Ann"));
    }
    let texts: Vec<String> = h
        .texts()
        .into_iter()
        .filter(|t| !t.starts_with('['))
        .collect();
    assert_eq!(
        texts,
        [
            "agent:first",
            "agent:second",
            "agent:third",
            "agent:fourth (tie, arrived first)",
            "agent:fifth (tie, arrived second)"
        ]
    );
}

#[test]
fn messages_without_time_stay_where_they_arrived() {
    let mut h = Harness::ready();
    h.frame(agent_text("a1", "one", "2024-01-01T10:00:00Z", "Ann"));
    h.frame(
        json!({"type": "message", "class": "StructuredMessage", "code": 200,
        "body": {"id": "a2", "type": "Text", "direction": "Outbound", "text": "untimed"}}),
    );
    h.frame(agent_text("a3", "three", "2024-01-01T10:00:05Z", "Ann"));
    let texts: Vec<String> = h
        .texts()
        .into_iter()
        .filter(|t| !t.starts_with('['))
        .collect();
    assert_eq!(texts, ["agent:one", "agent:untimed", "agent:three"]);
}

#[test]
fn live_frames_and_history_pages_are_deduplicated_by_id() {
    let mut h = Harness::new();
    h.connect(false);
    h.frame(agent_text("a1", "live", "2024-01-01T10:00:01Z", "Ann"));
    h.jwt();
    let page = history_page(
        vec![
            history_entry("a1", "Outbound", "live", "2024-01-01T10:00:01Z", json!({})),
            history_entry("g0", "Inbound", "older", "2024-01-01T10:00:00Z", json!({})),
        ],
        1,
        1,
    );
    h.history(page.clone());
    h.history(page);
    let texts: Vec<String> = h
        .texts()
        .into_iter()
        .filter(|t| !t.starts_with('['))
        .collect();
    assert_eq!(texts, ["guest:older", "agent:live"]);
}

#[test]
fn history_fetches_older_pages_while_all_new_and_full() {
    let mut h = Harness::new();
    h.connect(false);
    h.jwt();
    h.take();
    let full_page = |page: u32| {
        let entries = (0..25)
            .map(|i| {
                let n = 100 - page * 25 - i;
                history_entry(
                    &format!("m{n}"),
                    "Outbound",
                    &format!("m{n}"),
                    &format!("2024-01-01T10:{:02}:{:02}Z", n / 60, n % 60),
                    json!({}),
                )
            })
            .collect();
        history_page(entries, page, 3)
    };
    h.history(full_page(1));
    let next: Vec<u32> = h
        .take()
        .into_iter()
        .filter_map(|e| match e {
            Effect::FetchHistory { query, jwt, .. } => {
                assert_eq!(jwt, "j");
                Some(query.page_number)
            }
            _ => None,
        })
        .collect();
    assert_eq!(next, [2]);
    h.history(full_page(2));
    assert_eq!(h.engine.transcript().len(), 50);
    let first = h.texts()[0].clone();
    assert_eq!(first, "agent:m26", "oldest first after merging page 2");
}

#[test]
fn agent_typing_lasts_its_duration_or_until_the_agent_writes() {
    let cases = [
        (Some(3_000), 2_999, false, true),
        (Some(3_000), 3_000, false, false),
        (None, 4_999, false, true),
        (None, 5_000, false, false),
        (Some(60_000), 100, true, false),
    ];
    for (duration, after, message_arrives, expected) in cases {
        let mut h = Harness::ready();
        let typing = match duration {
            Some(ms) => json!({"eventType": "Typing", "typing": {"type": "On", "duration": ms}}),
            None => json!({"eventType": "Typing", "typing": {"type": "On"}}),
        };
        h.frame(agent_event("t1", typing, json!({})));
        assert!(h.engine.agent_typing(h.now).is_some());
        if message_arrives {
            h.frame(agent_text("a1", "here", "2024-01-01T10:00:00Z", "Ann"));
        }
        h.advance(after);
        assert_eq!(
            h.engine.agent_typing(h.now).is_some(),
            expected,
            "duration {duration:?}, after {after} ms, message {message_arrives}"
        );
    }
}

#[test]
fn agent_typing_names_the_typist_or_the_last_agent_who_wrote() {
    let mut h = Harness::ready();
    let typing = json!({"eventType": "Typing", "typing": {"type": "On", "duration": 3000}});
    h.frame(agent_event("t1", typing.clone(), json!({})));
    assert_eq!(
        h.engine.agent_typing(h.now),
        Some(&Typist::default()),
        "no name known yet"
    );
    h.frame(agent_text("a1", "hi", "2024-01-01T10:00:01Z", "Ann"));
    h.frame(agent_event("t2", typing.clone(), json!({})));
    let typist = h.engine.agent_typing(h.now).expect("typing");
    assert_eq!(
        typist.name.as_deref(),
        Some("Ann"),
        "the last agent who wrote"
    );
    assert_eq!(typist.avatar.as_deref(), Some("https://a/x.png"));
    let mut from_bob = agent_event("t3", typing, json!({}));
    from_bob["body"]["channel"]["from"] = json!({"nickname": "Bob", "image": "https://a/b.png"});
    h.frame(from_bob);
    let typist = h.engine.agent_typing(h.now).expect("typing");
    assert_eq!(
        typist.name.as_deref(),
        Some("Bob"),
        "the event's own sender"
    );
    assert_eq!(typist.avatar.as_deref(), Some("https://a/b.png"));
}

#[test]
fn agent_typing_expiry_wakes_the_ui() {
    let mut h = Harness::ready();
    h.frame(agent_event(
        "t1",
        json!({"eventType": "Typing", "typing": {"type": "On", "duration": 2000}}),
        json!({}),
    ));
    h.take();
    h.advance(2_000);
    assert!(h.take().contains(&Effect::ViewChanged));
}

#[test]
fn guest_typing_is_sent_at_most_every_five_seconds_and_never_after_a_403() {
    let mut h = Harness::ready();
    let typing_sent = |h: &mut Harness| {
        h.sent()
            .into_iter()
            .filter(|r| matches!(r, parley_shared::genesys::ClientRequest::OnMessage(m) if m.message.message_type == MessageType::Event))
            .count()
    };
    h.typing();
    h.typing();
    assert_eq!(typing_sent(&mut h), 1);
    h.advance(4_999);
    h.typing();
    assert_eq!(typing_sent(&mut h), 0);
    h.advance(1);
    h.typing();
    let requests = h.sent();
    let [parley_shared::genesys::ClientRequest::OnMessage(typing)] = requests.as_slice() else {
        panic!("one typing request expected: {requests:?}")
    };
    // An unrelated 403 does not switch typing off; the one answering typing does.
    h.frame(error_frame(403, "Forbidden", Some("unrelated")));
    assert!(!h.engine.guest_typing_disabled());
    h.frame(error_frame(
        403,
        "Turn on the Feature Toggle or fix the configuration.",
        typing.tracing_id.as_deref(),
    ));
    assert!(h.engine.guest_typing_disabled());
    for _ in 0..5 {
        h.advance(6_000);
        h.typing();
    }
    assert_eq!(typing_sent(&mut h), 0);
}

#[test]
fn sends_are_paced_to_two_per_second() {
    let mut h = Harness::ready();
    for i in 0..6 {
        h.say(format!("m{i}"));
    }
    let mut send_times = Vec::new();
    for step in 0..400 {
        for message in h.sent_messages() {
            send_times.push(h.now);
            let id = format!("srv-{step}");
            h.echo(
                &message,
                &id,
                &format!("2024-01-01T10:00:{:02}Z", send_times.len()),
            );
        }
        h.advance(10);
    }
    assert_eq!(send_times.len(), 6);
    for window in send_times.windows(3) {
        assert!(
            window[2] - window[0] >= 1_000,
            "3 sends within a second: {send_times:?}"
        );
    }
    let texts: Vec<String> = h.texts();
    assert_eq!(
        texts,
        [
            "guest:m0", "guest:m1", "guest:m2", "guest:m3", "guest:m4", "guest:m5"
        ]
    );
}

#[test]
fn rate_limited_message_waits_retry_after_and_is_resent() {
    for correlated in [true, false] {
        let mut h = Harness::ready();
        h.say("hi");
        let first = h.sent_messages().remove(0);
        let tracing = correlated.then(|| first.tracing_id.clone().unwrap());
        h.frame(json!({"type": "response", "class": "TooManyRequestsErrorMessage", "code": 429,
            "tracingId": tracing,
            "body": {"retryAfter": 3, "errorCode": 4029, "errorMessage": "Message rate too high for this session"}}));
        assert_eq!(guest(&h, 0).delivery, Delivery::Queued);
        h.advance(2_999);
        assert!(h.sent_messages().is_empty(), "waits retryAfter");
        h.advance(1);
        let resent = h.sent_messages();
        assert_eq!(resent.len(), 1);
        assert_eq!(resent[0].tracing_id, first.tracing_id, "same client id");
        h.echo(&resent[0], "srv-1", "2024-01-01T10:00:00Z");
        assert_eq!(h.texts(), ["guest:hi"]);
        assert_eq!(guest(&h, 0).delivery, Delivery::Sent);
    }
}

#[test]
fn message_too_long_from_the_server_fails_the_message_and_retry_resends_it() {
    let mut h = Harness::ready();
    h.say("one");
    let first = h.sent_messages().remove(0);
    h.frame(error_frame(
        4011,
        "message too long",
        first.tracing_id.as_deref(),
    ));
    assert_eq!(guest(&h, 0).delivery, Delivery::Failed(FailReason::TooLong));
    assert_eq!(h.engine.phase(), &Phase::Ready, "the session survives");
    // A later message is not held up by the failed one.
    h.say("two");
    assert_eq!(h.sent_messages().len(), 1);

    let client_id = guest(&h, 0).client_id.unwrap();
    assert_eq!(h.retry("unknown"), Err(Refused::NothingToRetry));
    h.retry(&client_id).unwrap();
    assert_eq!(guest(&h, 0).delivery, Delivery::Queued);
}

#[test]
fn messages_written_while_disconnected_wait_and_go_out_in_order_once_ready() {
    let mut h = Harness::ready();
    h.drop_socket();
    h.say("a");
    h.say("b");
    assert!(h.sent_messages().is_empty());
    assert_eq!(guest(&h, 0).delivery, Delivery::Queued);
    h.ok(Input::NetworkBack);
    h.open();
    h.frame(session_response(true, false));
    let sent = h.sent_messages();
    assert_eq!(sent.len(), 1, "one in flight at a time");
    assert_eq!(sent[0].message.text.as_deref(), Some("a"));
    h.echo(&sent[0], "s1", "2024-01-01T10:00:00Z");
    let sent = h.sent_messages();
    assert_eq!(sent[0].message.text.as_deref(), Some("b"));
}

/// Drops the socket with `text` in flight, reconnects to a resumed session and answers the
/// catch-up with `history`.
fn reconnect_with_history(history: impl FnOnce(&str) -> Vec<serde_json::Value>) -> Harness {
    let mut h = Harness::ready();
    h.say("lost?");
    let sent = h.sent_messages();
    let client_id = sent[0].tracing_id.clone().unwrap();
    h.drop_socket();
    h.ok(Input::NetworkBack);
    h.open();
    h.frame(session_response(false, false));
    assert!(h.sent_messages().is_empty(), "held until history answers");
    h.jwt();
    h.history(history_page(history(&client_id), 1, 1));
    h
}

#[test]
fn unechoed_message_is_resent_after_reconnect_when_history_lacks_it() {
    let mut h = reconnect_with_history(|_| Vec::new());
    let resent = h.sent_messages();
    assert_eq!(resent.len(), 1);
    assert_eq!(resent[0].message.text.as_deref(), Some("lost?"));
    h.echo(&resent[0], "s1", "2024-01-01T10:00:00Z");
    assert_eq!(h.texts(), ["guest:lost?"]);
    assert_eq!(guest(&h, 0).delivery, Delivery::Sent);
}

#[test]
fn unechoed_message_that_history_shows_is_marked_sent_not_resent() {
    let mut h = reconnect_with_history(|client_id| {
        vec![guest_history_entry(
            "s1",
            "lost?",
            "2024-01-01T10:00:00Z",
            client_id,
        )]
    });
    assert!(h.sent_messages().is_empty());
    assert_eq!(h.texts(), ["guest:lost?"]);
    assert_eq!(guest(&h, 0).delivery, Delivery::Sent);
}

#[test]
fn held_resend_goes_out_when_history_fails_or_never_answers() {
    for fails in [true, false] {
        let mut h = Harness::ready();
        h.say("lost?");
        h.sent_messages();
        h.drop_socket();
        h.ok(Input::NetworkBack);
        h.open();
        h.frame(session_response(false, false));
        if fails {
            h.ok(Input::HistoryFailed("HTTP 500".into()));
        } else {
            h.advance(10_000);
        }
        assert_eq!(h.sent_messages().len(), 1, "history fails: {fails}");
    }
}

#[test]
fn a_duplicate_delivery_of_a_resent_message_still_shows_once() {
    let mut h = reconnect_with_history(|_| Vec::new());
    let resent = h.sent_messages().remove(0);
    let client_id = resent
        .tracing_id
        .clone()
        .expect("a message carries its client id");
    // The first send did arrive after all, and so does the resend: two server ids.
    h.echo(&resent, "s1", "2024-01-01T10:00:00Z");
    h.echo(&resent, "s2", "2024-01-01T10:00:01Z");
    h.history(history_page(
        vec![
            guest_history_entry("s2", "lost?", "2024-01-01T10:00:01Z", &client_id),
            guest_history_entry("s1", "lost?", "2024-01-01T10:00:00Z", &client_id),
        ],
        1,
        1,
    ));
    assert_eq!(h.texts(), ["guest:lost?"]);
}

#[test]
fn quick_replies_are_offered_until_the_guest_answers() {
    let mut h = Harness::ready();
    h.frame(json!({"type": "message", "class": "StructuredMessage", "code": 200,
        "body": {"direction": "Outbound", "id": "qr1", "type": "Structured", "text": "Pick one",
                 "originatingEntity": "Bot", "channel": {"time": "2024-01-01T10:00:00Z"},
                 "content": [
                    {"contentType": "QuickReply", "quickReply": {"text": "A", "payload": "a", "action": "Message"}},
                    {"contentType": "QuickReply", "quickReply": {"text": "B", "payload": "b", "action": "Message"}}]}}));
    let offered = h.engine.quick_replies();
    assert!(offered.iter().all(|choice| choice.id.message_id == "qr1"));
    let labels: Vec<&str> = offered.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["A", "B"]);

    h.choose(&offered[1].id).expect("on offer");
    assert!(h.engine.quick_replies().is_empty());
    assert_eq!(
        h.choose(&offered[0].id),
        Err(Refused::ChoiceNotOffered),
        "a quick reply is answered once"
    );
    assert_eq!(h.texts().last().unwrap(), "guest:B");
    let sent = h.sent_messages();
    assert_eq!(sent[0].message.text.as_deref(), Some(""));
    assert!(matches!(sent[0].message.content.as_slice(),
        [Content::ButtonResponse(r)] if r.payload == "b" && r.originating_message_id.as_deref() == Some("qr1")));
}

#[test]
fn quick_replies_disappear_when_the_guest_types_a_message_instead() {
    let mut h = Harness::ready();
    h.frame(json!({"type": "message", "class": "StructuredMessage", "code": 200,
        "body": {"direction": "Outbound", "id": "qr1", "type": "Structured", "text": "Pick",
                 "channel": {"time": "2024-01-01T10:00:00Z"},
                 "content": [{"contentType": "QuickReply", "quickReply": {"text": "A", "payload": "a"}}]}}));
    assert!(!h.engine.quick_replies().is_empty());
    h.say("neither");
    assert!(h.engine.quick_replies().is_empty());
}

#[test]
fn a_new_sender_nickname_announces_a_handover() {
    let mut h = Harness::ready();
    h.frame(
        json!({"type": "message", "class": "StructuredMessage", "code": 200,
        "body": {"id": "b1", "type": "Text", "direction": "Outbound", "text": "I am a bot",
                 "originatingEntity": "Bot",
                 "channel": {"time": "2024-01-01T10:00:00Z", "from": {"nickname": "Botty"}}}}),
    );
    h.frame(agent_text(
        "a1",
        "Hi, Ann here",
        "2024-01-01T10:00:05Z",
        "Ann",
    ));
    h.frame(agent_text("a2", "still Ann", "2024-01-01T10:00:06Z", "Ann"));
    let joined = format!(
        "[{:?}]",
        Notice::AgentJoined {
            nickname: "Ann".into()
        }
    );
    assert_eq!(
        h.texts(),
        [
            "agent:I am a bot".to_owned(),
            joined,
            "agent:Hi, Ann here".into(),
            "agent:still Ann".into()
        ]
    );
    let EntryKind::Agent(agent) = &h.engine.transcript()[2].kind else {
        panic!()
    };
    assert_eq!(agent.nickname.as_deref(), Some("Ann"));
    assert_eq!(agent.avatar.as_deref(), Some("https://a/x.png"));
    assert_eq!(agent.originating_entity, Some(OriginatingEntity::Human));
    let current = h.engine.current_agent().expect("an agent has written");
    assert_eq!(
        current.message_id, "a2",
        "the latest named sender is the current agent"
    );
    assert_eq!(current.nickname.as_deref(), Some("Ann"));
}

#[test]
fn a_nameless_bot_speaking_after_an_agent_is_the_current_speaker_not_the_current_agent() {
    let mut h = Harness::ready();
    assert!(h.engine.current_speaker().is_none(), "nobody wrote yet");
    h.frame(agent_text(
        "a1",
        "Hi, Ann here",
        "2024-01-01T10:00:00Z",
        "Ann",
    ));
    h.frame(
        json!({"type": "message", "class": "StructuredMessage", "code": 200,
        "body": {"id": "b1", "type": "Text", "direction": "Outbound", "text": "Back to the bot",
                 "originatingEntity": "Bot", "channel": {"time": "2024-01-01T10:00:05Z"}}}),
    );
    let speaker = h.engine.current_speaker().expect("the bot speaks");
    assert_eq!(speaker.message_id, "b1");
    assert_eq!(speaker.originating_entity, Some(OriginatingEntity::Bot));
    assert_eq!(
        h.engine
            .current_agent()
            .map(|agent| agent.message_id.as_str()),
        Some("a1"),
        "the latest named sender is still Ann"
    );
    h.frame(agent_text("a2", "Ann again", "2024-01-01T10:00:09Z", "Ann"));
    assert_eq!(
        h.engine.current_speaker().map(|m| m.message_id.as_str()),
        Some("a2")
    );
}

#[test]
fn the_guest_has_written_once_a_message_of_theirs_is_shown_sent_or_not() {
    let mut h = Harness::ready();
    h.frame(agent_text(
        "a1",
        "Hi, Ann here",
        "2024-01-01T10:00:00Z",
        "Ann",
    ));
    assert!(
        !h.engine.guest_has_written(),
        "an agent's message is not the guest's"
    );
    h.engine.send_text("hello", 10).unwrap();
    assert!(
        h.engine.guest_has_written(),
        "queued counts: the first message has gone"
    );
}

#[test]
fn unknown_content_kinds_are_kept_for_the_ui() {
    let mut h = Harness::ready();
    h.frame(
        json!({"type": "message", "class": "StructuredMessage", "code": 200,
        "body": {"id": "x1", "type": "Structured", "direction": "Outbound",
                 "channel": {"time": "2024-01-01T10:00:00Z"},
                 "content": [{"contentType": "Hologram", "hologram": {"beam": true}}]}}),
    );
    let EntryKind::Agent(agent) = &h.engine.transcript()[0].kind else {
        panic!()
    };
    assert!(
        matches!(agent.content.as_slice(), [Content::Unknown(raw)] if raw["contentType"] == "Hologram")
    );
}

#[test]
fn a_failed_message_can_be_discarded() {
    let mut h = Harness::ready();
    h.say("doomed");
    let sent = h.sent_messages().remove(0);
    let client_id = sent.tracing_id.clone().unwrap();
    assert_eq!(
        h.discard(&client_id),
        Err(Refused::NothingToRetry),
        "only failed messages can be discarded"
    );
    h.frame(error_frame(4011, "message too long", Some(&client_id)));
    h.discard(&client_id).unwrap();
    assert!(h.engine.transcript().is_empty());
}

#[test]
fn pending_messages_fail_when_the_session_ends() {
    let mut h = Harness::ready_without_auto_restart();
    h.say("one");
    h.say("two");
    h.frame(json!({"type": "response", "class": "SessionExpiredEvent", "code": 200, "body": {}}));
    assert_eq!(
        guest(&h, 0).delivery,
        Delivery::Failed(FailReason::SessionEnded)
    );
    assert_eq!(
        guest(&h, 1).delivery,
        Delivery::Failed(FailReason::SessionEnded)
    );
}

#[test]
fn an_uncorrelated_403_right_after_typing_switches_typing_off() {
    let mut h = Harness::ready();
    h.typing();
    h.sent();
    h.advance(200);
    h.frame(error_frame(
        403,
        "Turn on the Feature Toggle or fix the configuration.",
        None,
    ));
    assert!(h.engine.guest_typing_disabled());
    assert_eq!(h.engine.phase(), &Phase::Ready);
}

#[test]
fn quick_replies_are_withdrawn_when_the_conversation_ends() {
    let mut h = Harness::ready();
    h.frame(json!({"type": "message", "class": "StructuredMessage", "code": 200,
        "body": {"direction": "Outbound", "id": "qr1", "type": "Structured", "text": "Pick",
                 "channel": {"time": "2024-01-01T10:00:00Z"},
                 "content": [{"contentType": "QuickReply", "quickReply": {"text": "A", "payload": "a"}}]}}));
    h.frame(agent_event(
        "d1",
        json!({"eventType": "Presence", "presence": {"type": "Disconnect"}}),
        json!({"readOnly": "true"}),
    ));
    assert!(h.engine.quick_replies().is_empty());
}

fn attributes_of(message: &parley_shared::genesys::OnMessage) -> Option<Vec<(String, String)>> {
    let channel = message.message.channel.as_ref()?;
    let metadata = channel.metadata.as_ref()?;
    Some(metadata.custom_attributes.clone().into_iter().collect())
}

#[test]
fn custom_attributes_travel_with_the_first_message_until_delivered() {
    let mut h = Harness::ready();
    let attributes =
        std::collections::BTreeMap::from([("customerName".to_owned(), "Jane".to_owned())]);
    h.set_custom_attributes(attributes);
    h.say("first");
    let first = h.sent_messages().remove(0);
    let expected = Some(vec![("customerName".to_owned(), "Jane".to_owned())]);
    assert_eq!(attributes_of(&first), expected);
    // Lost with the socket: the resend carries them again.
    h.drop_socket();
    h.ok(Input::NetworkBack);
    h.open();
    h.frame(session_response(true, false));
    let resent = h.sent_messages().remove(0);
    assert_eq!(attributes_of(&resent), expected);
    h.echo(&resent, "s1", "2024-01-01T10:00:00Z");
    h.say("second");
    h.advance(1_000); // two sends already in this second
    let second = h.sent_messages().remove(0);
    assert_eq!(attributes_of(&second), None, "delivered once is enough");
}

#[test]
fn custom_attributes_over_the_session_limit_are_not_kept_and_4013_drops_them() {
    let mut h = Harness::ready();
    let huge = std::collections::BTreeMap::from([("blob".to_owned(), "x".repeat(3_000))]);
    h.set_custom_attributes(huge);
    assert!(
        h.engine
            .diagnostics()
            .last_error
            .as_ref()
            .unwrap()
            .contains("2048")
    );
    h.say("without the blob");
    let plain = h.sent_messages().remove(0);
    assert_eq!(
        attributes_of(&plain),
        None,
        "oversized attributes are not sent"
    );
    h.echo(&plain, "s0", "2024-01-01T10:00:00Z");
    h.advance(1_000);
    let fine = std::collections::BTreeMap::from([("a".to_owned(), "b".to_owned())]);
    h.set_custom_attributes(fine);
    h.say("hi");
    let sent = h.sent_messages().remove(0);
    h.frame(error_frame(
        4013,
        "Custom Attributes in channel metadata is larger than 2048 bytes",
        sent.tracing_id.as_deref(),
    ));
    assert_eq!(
        guest(&h, 1).delivery,
        Delivery::Failed(FailReason::AttributesTooLarge)
    );
    let client_id = guest(&h, 1).client_id.unwrap();
    h.retry(&client_id).unwrap();
    let retried = h.sent_messages().remove(0);
    assert_eq!(attributes_of(&retried), None, "the retry goes without them");
}

#[test]
fn custom_attributes_are_persisted_with_their_message_and_its_resend_after_a_reload_carries_them() {
    let attributes = std::collections::BTreeMap::from([
        ("name".to_owned(), "Jane".to_owned()),
        ("email".to_owned(), "jane@example.com".to_owned()),
    ]);
    let mut before = Harness::ready();
    before.set_custom_attributes(attributes.clone());
    before.say("first");
    let (token, messages) = persisted(&before.take()).pop().expect("persisted");
    assert_eq!(
        messages[0].custom_attributes, attributes,
        "stored with the message"
    );

    let mut h = Harness::with_config(parley_shared::engine::EngineConfig {
        seed: 9,
        stored_token: token,
        restored_outbox: messages,
        ..parley_shared::engine::EngineConfig::new(DEPLOYMENT)
    });
    // The window hands the same attributes again at start: that is no second carrier.
    h.set_custom_attributes(attributes.clone());
    h.start();
    h.ok(Input::SessionGranted(grant(TOKEN)));
    h.open();
    h.frame(session_response(true, false));
    let resent = h.sent_messages().remove(0);
    let expected: Vec<_> = attributes.into_iter().collect();
    assert_eq!(attributes_of(&resent), Some(expected));
    h.echo(&resent, "s1", "2024-01-01T10:00:00Z");
    h.advance(1_000);
    h.say("second");
    let second = h.sent_messages().remove(0);
    assert_eq!(attributes_of(&second), None, "delivered with the first");
}

#[test]
fn a_discarded_message_hands_its_custom_attributes_to_the_next_one() {
    let mut h = Harness::ready();
    let attributes = std::collections::BTreeMap::from([("name".to_owned(), "Jane".to_owned())]);
    h.set_custom_attributes(attributes);
    h.say("too long, say");
    let first = h.sent_messages().remove(0);
    assert!(attributes_of(&first).is_some());
    h.frame(error_frame(
        4011,
        "message too long",
        first.tracing_id.as_deref(),
    ));
    let client_id = guest(&h, 0).client_id.unwrap();
    h.discard(&client_id).unwrap();
    h.advance(1_000);
    h.say("short");
    let next = h.sent_messages().remove(0);
    let expected = Some(vec![("name".to_owned(), "Jane".to_owned())]);
    assert_eq!(attributes_of(&next), expected);
}

#[test]
fn attributes_written_before_the_session_announced_its_limit_are_checked_when_sent() {
    let mut h = Harness::new();
    h.start();
    h.ok(Input::SessionGranted(grant(TOKEN)));
    // No limit known yet: kept, and the message written now carries them.
    h.set_custom_attributes(std::collections::BTreeMap::from([(
        "blob".to_owned(),
        "x".repeat(3_000),
    )]));
    h.say("early");
    h.open();
    h.frame(session_response(true, false)); // announces 2048 bytes
    let sent = h.sent_messages().remove(0);
    assert_eq!(sent.message.text.as_deref(), Some("early"));
    assert_eq!(
        attributes_of(&sent),
        None,
        "over the announced limit: not sent"
    );
    assert!(
        h.engine
            .diagnostics()
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("2048"))
    );
}

fn card_frame(id: &str) -> serde_json::Value {
    json!({"type": "message", "class": "StructuredMessage", "code": 200,
        "body": {"direction": "Outbound", "id": id, "type": "Structured", "text": "Plans",
                 "originatingEntity": "Bot", "channel": {"time": "2024-01-01T10:00:00Z"},
                 "content": [{"contentType": "Carousel", "carousel": {"cards": [
                    {"title": "Basic", "actions": [
                        {"type": "Postback", "text": "Pick basic"},
                        {"type": "Link", "text": "Read more", "url": "https://example.com"}]},
                    {"title": "Pro", "actions": [
                        {"type": "Postback", "text": "Pick pro", "payload": "pro"}]}]}}]}})
}

#[test]
fn a_card_button_is_chosen_by_id_and_without_a_payload_answers_with_its_label() {
    let mut h = Harness::ready();
    h.frame(card_frame("card1"));
    let choices = h.engine.choices();
    let offered: Vec<(&str, &str, ChoiceKind)> = choices
        .iter()
        .map(|c| (c.label.as_str(), c.payload.as_str(), c.kind))
        .collect();
    assert_eq!(
        offered,
        [
            ("Pick basic", "Pick basic", ChoiceKind::Button),
            ("Pick pro", "pro", ChoiceKind::Button)
        ],
        "postback buttons across the carousel, links are not choices"
    );
    let client_id = h.choose(&choices[0].id).expect("on offer");
    let sent = h.sent_messages();
    assert_eq!(sent[0].tracing_id.as_deref(), Some(client_id.as_str()));
    assert_eq!(sent[0].message.message_type, MessageType::Structured);
    assert!(matches!(sent[0].message.content.as_slice(),
        [Content::ButtonResponse(r)] if r.text == "Pick basic" && r.payload == "Pick basic"
            && r.response_type == ButtonResponseType::Button
            && r.originating_message_id.as_deref() == Some("card1")));
    assert_eq!(h.texts().last().unwrap(), "guest:Pick basic");
    assert_eq!(
        h.engine.choices().len(),
        2,
        "card buttons stay answerable after the guest wrote"
    );
    let unknown = ChoiceId {
        message_id: "card1".into(),
        index: 9,
    };
    assert_eq!(h.choose(&unknown), Err(Refused::ChoiceNotOffered));
}

#[test]
fn quick_replies_come_before_card_buttons_in_the_choices_on_offer() {
    let mut h = Harness::ready();
    h.frame(card_frame("card1"));
    h.frame(json!({"type": "message", "class": "StructuredMessage", "code": 200,
        "body": {"direction": "Outbound", "id": "qr1", "type": "Structured", "text": "Pick",
                 "channel": {"time": "2024-01-01T10:00:01Z"},
                 "content": [{"contentType": "QuickReply", "quickReply": {"text": "Yes", "payload": "y"}}]}}));
    let labels = |h: &Harness| -> Vec<String> {
        h.engine
            .choices()
            .into_iter()
            .map(|choice| choice.label)
            .collect()
    };
    assert_eq!(labels(&h), ["Yes"]);
    h.say("something else");
    assert_eq!(labels(&h), ["Pick basic", "Pick pro"], "the latest card's");
    h.frame(agent_event(
        "d1",
        json!({"eventType": "Presence", "presence": {"type": "Disconnect"}}),
        json!({"readOnly": "true"}),
    ));
    assert!(h.engine.choices().is_empty(), "nothing once it is over");
}

#[test]
fn entries_say_whether_they_arrived_live_or_from_history() {
    let mut h = Harness::new();
    h.connect(false); // a resumed conversation catches up with history
    h.jwt();
    h.history(history_page(
        vec![history_entry(
            "old",
            "Outbound",
            "before the reload",
            "2024-01-01T09:00:00Z",
            json!({}),
        )],
        1,
        1,
    ));
    h.frame(agent_text("new", "live", "2024-01-01T10:00:00Z", "Ann"));
    h.say("mine");
    let live = |key: &str| {
        h.engine
            .transcript()
            .iter()
            .find(|entry| entry.key == key)
            .map(|entry| entry.live)
    };
    assert_eq!(live("m:old"), Some(false), "from a history page");
    assert_eq!(live("m:new"), Some(true), "from a live frame");
    let mine = h.engine.transcript().last().unwrap();
    assert!(matches!(mine.kind, EntryKind::Guest(_)) && mine.live);
}

#[test]
fn everything_delivered_waits_for_the_echo_but_not_for_failed_messages() {
    let mut h = Harness::ready();
    assert!(h.engine.everything_delivered());
    h.say("one");
    assert!(!h.engine.everything_delivered(), "sending");
    let sent = h.sent_messages().remove(0);
    h.echo(&sent, "s1", "2024-01-01T10:00:00Z");
    assert!(h.engine.everything_delivered());
    h.advance(1_000);
    h.say("two");
    let sent = h.sent_messages().remove(0);
    h.frame(error_frame(4011, "too long", sent.tracing_id.as_deref()));
    assert!(
        h.engine.everything_delivered(),
        "a failed message waits for the guest, not for the network"
    );
}

#[test]
fn the_composer_limit_is_the_engines_configured_one() {
    let mut h = Harness::ready_with(parley_shared::engine::EngineConfig {
        max_text_chars: 10,
        ..parley_shared::engine::EngineConfig::new(DEPLOYMENT)
    });
    assert_eq!(h.engine.max_text_chars(), 10);
    assert!(matches!(
        h.send_text("x".repeat(11)),
        Err(Refused::TooLong { max: 10, .. })
    ));
}

#[test]
fn guest_typing_never_delays_a_message() {
    let mut h = Harness::ready();
    let mut typing_at = Vec::new();
    // A visitor who sends every 600 ms and types between sends, for 30 s.
    for round in 0..50 {
        for _ in 0..3 {
            h.advance(150);
            h.typing();
            for request in h.sent() {
                if let parley_shared::genesys::ClientRequest::OnMessage(m) = request {
                    assert_eq!(m.message.message_type, MessageType::Event);
                    typing_at.push(h.now);
                }
            }
        }
        h.advance(150);
        let client_id = h.say(format!("m{round}"));
        let sent = h.sent_messages();
        assert_eq!(
            sent.len(),
            1,
            "message {round} went out at once, not behind a typing event"
        );
        assert_eq!(sent[0].tracing_id.as_deref(), Some(client_id.as_str()));
        h.echo(&sent[0], &format!("s{round}"), "2024-01-01T10:00:00Z");
    }
    assert!(
        typing_at.windows(2).all(|pair| pair[1] - pair[0] >= 5_000),
        "at most one typing event per 5 s: {typing_at:?}"
    );
}

#[test]
fn typing_goes_out_when_the_line_is_quiet() {
    let mut h = Harness::ready();
    h.say("hello");
    let sent = h.sent_messages().remove(0);
    h.typing();
    assert!(h.sent().is_empty(), "dropped while a message is on its way");
    h.echo(&sent, "s1", "2024-01-01T10:00:00Z");
    h.typing();
    assert!(
        h.sent().is_empty(),
        "dropped while the pacing window is in use"
    );
    h.advance(1_000);
    h.typing();
    assert_eq!(h.sent().len(), 1, "sent once the window is empty");
}

#[test]
fn the_resend_gate_waits_for_every_history_page_the_catch_up_needs() {
    let mut h = Harness::ready();
    h.say("lost?");
    let client_id = h.sent_messages()[0].tracing_id.clone().unwrap();
    h.drop_socket();
    h.ok(Input::NetworkBack);
    h.open();
    h.frame(session_response(false, false));
    h.jwt();
    // Page 1 is full of agent messages the guest never saw: the lost message may be older.
    let newer: Vec<serde_json::Value> = (0..25)
        .map(|i| {
            history_entry(
                &format!("a{i}"),
                "Outbound",
                "busy agent",
                &format!("2024-01-01T10:01:{i:02}Z"),
                json!({}),
            )
        })
        .collect();
    h.history(history_page(newer, 1, 2));
    assert!(
        h.sent_messages().is_empty(),
        "not resent while page 2 is still to come"
    );
    h.history(history_page(
        vec![guest_history_entry(
            "s1",
            "lost?",
            "2024-01-01T10:00:00Z",
            &client_id,
        )],
        2,
        2,
    ));
    assert!(h.sent_messages().is_empty(), "page 2 showed it delivered");
    assert_eq!(guest(&h, 0).delivery, Delivery::Sent);
}

#[test]
fn wire_durations_and_retry_afters_of_any_size_do_not_overflow() {
    let mut h = Harness::ready();
    h.frame(agent_event(
        "t1",
        json!({"eventType": "Typing", "typing": {"type": "On", "duration": u64::MAX}}),
        json!({}),
    ));
    assert!(h.engine.agent_typing(h.now).is_some());
    h.say("hello");
    let sent = h.sent_messages();
    h.frame(
        json!({"type": "response", "class": "TooManyRequestsErrorMessage", "code": 429,
        "tracingId": sent[0].tracing_id, "body": {"retryAfter": u64::MAX, "errorCode": 4029}}),
    );
    assert_eq!(guest(&h, 0).delivery, Delivery::Queued);
    h.advance(60_000);
    assert!(h.sent_messages().is_empty(), "it waits, it does not wrap");
}

fn persisted(
    effects: &[Effect],
) -> Vec<(Option<String>, Vec<parley_shared::engine::PendingMessage>)> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::PersistOutbox { token, messages } => Some((token.clone(), messages.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_message_is_persisted_before_it_is_sent_or_shown_and_forgotten_once_confirmed() {
    let mut h = Harness::ready();
    let client_id = h.say("keep me");
    let effects = h.take();
    let persist = effects
        .iter()
        .position(|e| matches!(e, Effect::PersistOutbox { .. }))
        .expect("persisted");
    let send = effects
        .iter()
        .position(|e| matches!(e, Effect::Send { .. }))
        .expect("sent");
    let shown = effects
        .iter()
        .position(|e| *e == Effect::ViewChanged)
        .expect("shown");
    assert!(persist < send && persist < shown, "{effects:?}");
    let stored = persisted(&effects);
    assert_eq!(stored[0].0.as_deref(), Some(TOKEN), "stored with its token");
    assert_eq!(stored[0].1[0].client_id, client_id);
    assert_eq!(stored[0].1[0].shown_text, "keep me");

    let sent = OnMessageFrom::new(&effects);
    h.echo(&sent.0, "s1", "2024-01-01T10:00:00Z");
    let stored = persisted(&h.take());
    assert_eq!(stored.len(), 1);
    assert!(stored[0].1.is_empty(), "confirmed: nothing left to keep");
}

/// The `onMessage` among some effects.
struct OnMessageFrom(parley_shared::genesys::OnMessage);

impl OnMessageFrom {
    fn new(effects: &[Effect]) -> Self {
        effects
            .iter()
            .find_map(|effect| match effect {
                Effect::Send {
                    request: parley_shared::genesys::ClientRequest::OnMessage(m),
                    ..
                } => Some(OnMessageFrom(m.clone())),
                _ => None,
            })
            .expect("an onMessage")
    }
}

/// An engine rebuilt after a reload from what the last one persisted (a message sent, its
/// echo lost with the page), reconnected to its conversation (`resumed`) and, when resumed,
/// answered by history page 1 built from `history(client_id)`.
fn reloaded(
    resumed: bool,
    history: impl FnOnce(&str) -> Vec<serde_json::Value>,
) -> (Harness, String) {
    let mut before = Harness::ready();
    let client_id = before.say("typed offline");
    let (token, messages) = persisted(&before.take()).pop().expect("persisted");
    let mut h = Harness::with_config(parley_shared::engine::EngineConfig {
        seed: 8,
        stored_token: token,
        restored_outbox: messages,
        ..parley_shared::engine::EngineConfig::new(DEPLOYMENT)
    });
    assert_eq!(h.texts(), ["guest:typed offline"], "shown at once");
    h.start();
    h.ok(Input::SessionGranted(grant(TOKEN)));
    h.open();
    h.frame(session_response(!resumed, false));
    if resumed {
        assert!(h.sent_messages().is_empty(), "held until history answers");
        h.jwt();
        h.history(history_page(history(&client_id), 1, 1));
    }
    (h, client_id)
}

#[test]
fn a_restored_message_that_history_shows_is_confirmed_not_resent() {
    let (mut h, client_id) = reloaded(true, |client_id| {
        vec![guest_history_entry(
            "s1",
            "typed offline",
            "2024-01-01T10:00:00Z",
            client_id,
        )]
    });
    assert!(h.sent_messages().is_empty());
    assert_eq!(h.texts(), ["guest:typed offline"]);
    assert_eq!(guest(&h, 0).client_id.as_deref(), Some(client_id.as_str()));
    assert_eq!(guest(&h, 0).delivery, Delivery::Sent);
}

#[test]
fn a_restored_message_that_history_lacks_is_resent_once_under_its_client_id() {
    for resumed in [true, false] {
        let (mut h, client_id) = reloaded(resumed, |_| Vec::new());
        let resent = h.sent_messages();
        assert_eq!(resent.len(), 1, "resumed {resumed}");
        assert_eq!(resent[0].tracing_id.as_deref(), Some(client_id.as_str()));
        h.echo(&resent[0], "s1", "2024-01-01T10:00:00Z");
        h.advance(5_000);
        assert!(h.sent_messages().is_empty(), "once");
        let guests: Vec<String> = h
            .texts()
            .into_iter()
            .filter(|text| text.starts_with("guest:"))
            .collect();
        assert_eq!(guests, ["guest:typed offline"], "resumed {resumed}");
        assert!(h.engine.everything_delivered());
    }
}

#[test]
fn history_without_metadata_confirms_by_content_after_the_last_confirmed_message() {
    let (mut h, _) = reloaded(true, |_| {
        vec![
            // The same text long before: already confirmed below, so it cannot be ours now.
            history_entry(
                "s0",
                "Inbound",
                "typed offline",
                "2024-01-01T09:00:00Z",
                json!({}),
            ),
            history_entry("a1", "Outbound", "noted", "2024-01-01T09:30:00Z", json!({})),
            history_entry(
                "s1",
                "Inbound",
                "typed offline",
                "2024-01-01T10:00:00Z",
                json!({}),
            ),
        ]
    });
    assert!(
        h.sent_messages().is_empty(),
        "matched on content, not resent"
    );
    let guests: Vec<(Option<String>, Delivery)> = h
        .engine
        .transcript()
        .iter()
        .filter_map(|entry| match &entry.kind {
            EntryKind::Guest(m) => Some((m.message_id.clone(), m.delivery.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        guests,
        [
            (Some("s0".to_owned()), Delivery::Sent),
            (Some("s1".to_owned()), Delivery::Sent)
        ],
        "the older copy is another message; the newer one is ours"
    );
    assert!(h.engine.everything_delivered());
}

#[test]
fn two_messages_right_after_a_typing_event_both_go_at_once() {
    let mut h = Harness::ready();
    h.typing();
    assert_eq!(h.sent().len(), 1, "the typing event");
    h.advance(100);
    let first = h.say("one");
    let sent = h.sent_messages();
    assert_eq!(sent[0].tracing_id.as_deref(), Some(first.as_str()));
    h.echo(&sent[0], "s1", "2024-01-01T10:00:00Z");
    h.advance(400);
    let second = h.say("two");
    let sent = h.sent_messages();
    assert_eq!(
        sent.first().and_then(|m| m.tracing_id.as_deref()),
        Some(second.as_str()),
        "the typing event took no slot of the messages' budget"
    );
}

#[test]
fn a_deployment_without_the_user_typing_indicator_sends_no_typing_events() {
    let mut h = Harness::ready();
    h.cmd(|engine, _| engine.set_guest_typing(false));
    h.advance(10_000);
    h.sent(); // whatever the quiet seconds brought
    h.typing();
    assert!(h.sent().is_empty(), "no typing event while switched off");

    h.cmd(|engine, _| engine.set_guest_typing(true));
    h.advance(10_000);
    h.sent();
    h.typing();
    let sent = h.sent();
    assert_eq!(sent.len(), 1, "typing is sent again once allowed: {sent:?}");
}
