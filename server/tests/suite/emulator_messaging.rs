//! Guest messages against the emulator over a real socket: Inbound echoes to every connection,
//! the per-session rate limit, size limits, typing and presence events.

use std::collections::BTreeMap;

use crate::emulator_support::*;
use parley_shared::genesys::{
    ButtonResponse, ButtonResponseType, ChannelMetadata, Content, Direction, FrameBody, FrameType,
    IncomingChannel, IncomingMessage, MessageType, PresenceType,
};

fn is_rfc3339_millis(time: &str) -> bool {
    let bytes = time.as_bytes();
    time.len() == 24
        && bytes[4] == b'-'
        && bytes[10] == b'T'
        && bytes[19] == b'.'
        && time.ends_with('Z')
}

#[tokio::test]
async fn echo_reaches_every_connection_of_the_token_with_tracing_id_and_metadata() {
    let server = start_default().await;
    let (mut sender, _) = server.guest("t").await;
    let (mut other_tab, _) = server.guest("t").await;
    let (mut stranger, _) = server.guest("someone-else").await;
    let mut message = IncomingMessage::text("Hello world");
    message.metadata = BTreeMap::from([("parleyId".to_owned(), "local-1".to_owned())]);
    sender.send(&message_request("t", message, "trace-1")).await;

    let mut ids = Vec::new();
    for guest in [&mut sender, &mut other_tab] {
        let frame = guest.next_frame().await;
        assert_eq!(frame.frame_type, FrameType::Message);
        assert_eq!(frame.tracing_id.as_deref(), Some("trace-1"));
        let echo = message_of(&frame);
        assert_eq!(echo.direction, Direction::Inbound);
        assert_eq!(echo.message_type, MessageType::Text);
        assert_eq!(echo.text.as_deref(), Some("Hello world"));
        assert_eq!(
            echo.metadata.get("parleyId").map(String::as_str),
            Some("local-1")
        );
        assert!(is_rfc3339_millis(echo.time().unwrap()), "{:?}", echo.time());
        ids.push(echo.id.clone());
    }
    assert_eq!(ids[0], ids[1], "both tabs see the same message");
    assert!(!ids[0].is_empty());

    stranger.say("someone-else", "mine", "s-1").await;
    let first = stranger.next_frame().await;
    assert_eq!(
        first.tracing_id.as_deref(),
        Some("s-1"),
        "no foreign echo arrived first"
    );
}

#[tokio::test]
async fn each_message_gets_a_fresh_id_and_a_later_time() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    guest.say("t", "one", "m1").await;
    let first = guest
        .until(|f| f.tracing_id.as_deref() == Some("m1"))
        .await
        .0;
    guest.say("t", "two", "m2").await;
    let second = guest
        .until(|f| f.tracing_id.as_deref() == Some("m2"))
        .await
        .0;
    let (first, second) = (message_of(&first), message_of(&second));
    assert_ne!(first.id, second.id);
    assert!(second.time().unwrap() > first.time().unwrap());
}

#[tokio::test]
async fn a_third_send_within_a_second_gets_429_on_the_sending_connection_only() {
    let server = start_default().await;
    let (mut sender, _) = server.guest("t").await;
    let (mut other_tab, _) = server.guest("t").await;
    for (n, text) in ["one", "two", "three"].iter().enumerate() {
        sender.say("t", text, &format!("m{n}")).await;
    }
    let (limited, before) = sender.until(|frame| frame.code == 429).await;
    assert_eq!(limited.tracing_id.as_deref(), Some("m2"));
    assert_eq!(limited.frame_type, FrameType::Response);
    match &limited.body {
        FrameBody::TooManyRequestsErrorMessage(body) => {
            assert!(body.retry_after >= 1);
            assert_eq!(body.error_code, Some(4029));
        }
        other => panic!("expected TooManyRequestsErrorMessage, got {other:?}"),
    }
    let echoed: Vec<_> = before
        .iter()
        .filter_map(|f| f.tracing_id.as_deref())
        .collect();
    assert_eq!(echoed, ["m0", "m1"]);

    other_tab
        .send(&parley_shared::genesys::ClientRequest::Echo(
            parley_shared::genesys::Echo::ping("t", "probe"),
        ))
        .await;
    let (_, seen) = other_tab
        .until(|f| f.tracing_id.as_deref() == Some("probe"))
        .await;
    assert!(
        seen.iter().all(|frame| frame.code != 429),
        "429 went to the sender only"
    );
    let transcript = server.transcript("t").await;
    let inbound = transcript["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "Inbound")
        .count();
    assert_eq!(inbound, 2, "the refused message was not kept");
}

#[tokio::test]
async fn text_over_4000_characters_is_refused_with_4011() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    guest.say("t", &"é".repeat(4001), "long").await;
    let refused = guest.next_frame().await;
    assert_eq!(refused.code, 4011);
    assert_eq!(refused.tracing_id.as_deref(), Some("long"));
    guest.say("t", &"é".repeat(4000), "max").await;
    let echo = guest.next_frame().await;
    assert_eq!(echo.tracing_id.as_deref(), Some("max"));
    assert_eq!(echo.code, 200);
}

#[tokio::test]
async fn custom_attributes_over_the_budget_are_refused_with_4013_in_either_place() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let big = ChannelMetadata {
        custom_attributes: BTreeMap::from([("blob".to_owned(), "x".repeat(3000))]),
    };
    let mut in_message = IncomingMessage::text("hi");
    in_message.channel = Some(IncomingChannel {
        metadata: Some(big.clone()),
    });
    guest.send(&message_request("t", in_message, "a")).await;
    assert_eq!(guest.next_frame().await.code, 4013);

    let mut top_level = message_request("t", IncomingMessage::text("hi"), "b");
    if let parley_shared::genesys::ClientRequest::OnMessage(request) = &mut top_level {
        request.channel = Some(IncomingChannel {
            metadata: Some(big),
        });
    }
    guest.send(&top_level).await;
    assert_eq!(guest.next_frame().await.code, 4013);
}

#[tokio::test]
async fn custom_attributes_within_the_budget_travel_on_the_echo() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let mut message = IncomingMessage::text("hi");
    message.channel = Some(IncomingChannel {
        metadata: Some(ChannelMetadata {
            custom_attributes: BTreeMap::from([("customerName".to_owned(), "Jane".to_owned())]),
        }),
    });
    guest.send(&message_request("t", message, "a")).await;
    let frame = guest.next_frame().await;
    let attributes = &message_of(&frame)
        .channel
        .as_ref()
        .unwrap()
        .metadata
        .as_ref()
        .unwrap()
        .custom_attributes;
    assert_eq!(
        attributes.get("customerName").map(String::as_str),
        Some("Jane")
    );
}

#[tokio::test]
async fn guest_typing_is_accepted_silently_and_not_rate_limited() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    for n in 0..3 {
        guest
            .send(&message_request(
                "t",
                IncomingMessage::typing(),
                &format!("typing-{n}"),
            ))
            .await;
    }
    guest.say("t", "first", "m1").await;
    let next = guest.next_frame().await;
    assert_eq!(
        next.tracing_id.as_deref(),
        Some("m1"),
        "typing is not echoed"
    );
    guest.say("t", "second", "m2").await;
    let (second, _) = guest.until(|f| f.tracing_id.as_deref() == Some("m2")).await;
    assert_eq!(second.code, 200, "typing did not use the send budget");
}

#[tokio::test]
async fn presence_join_is_echoed_and_kept_in_history() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let join = IncomingMessage::presence(PresenceType::Join);
    guest.send(&message_request("t", join, "join")).await;
    let frame = guest.next_frame().await;
    let echo = message_of(&frame);
    assert_eq!(echo.message_type, MessageType::Event);
    assert_eq!(echo.direction, Direction::Inbound);
    let transcript = server.transcript("t").await;
    assert_eq!(
        transcript["messages"][0]["events"][0]["presence"]["type"],
        "Join"
    );
}

#[tokio::test]
async fn a_quick_reply_answer_is_echoed_with_its_button_response() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let answer = IncomingMessage::button_response(ButtonResponse {
        text: "Billing".into(),
        payload: "billing".into(),
        response_type: ButtonResponseType::QuickReply,
        originating_message_id: None,
    });
    guest.send(&message_request("t", answer, "qr")).await;
    let frame = guest.next_frame().await;
    match &message_of(&frame).content[..] {
        [Content::ButtonResponse(response)] => assert_eq!(response.payload, "billing"),
        other => panic!("expected the button response, got {other:?}"),
    }
}

#[tokio::test]
async fn an_empty_message_is_refused_with_400() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    guest.say("t", "", "empty").await;
    assert_eq!(guest.next_frame().await.code, 400);
}
