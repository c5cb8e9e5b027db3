//! The guest socket's session lifecycle against the emulator over a real socket: opening,
//! configure (new / resumed / startNew), closeSession, Clear, expiry, heartbeats, and how bad
//! input is answered without losing the socket.

use std::time::Duration;

use crate::emulator_support::*;
use futures_util::{SinkExt, StreamExt};
use parley_server::emulator::EmulatorConfig;
use parley_shared::genesys::{
    ClientRequest, CloseSession, Direction, Echo, FrameBody, FrameType, GetConfiguration,
    IncomingMessage, PresenceType,
};
use serde_json::json;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

#[tokio::test]
async fn first_configure_is_a_new_session_and_the_next_resumes_it() {
    let server = start_default().await;
    let (_first, created) = server.guest("token-a").await;
    assert!(created.connected);
    assert!(created.new_session);
    assert!(!created.read_only);
    assert!(created.allowed_media.is_some());
    assert!(!created.blocked_extensions.is_empty());
    assert_eq!(created.max_custom_data_bytes, Some(2048));
    assert_eq!(created.duration_seconds, Some(30 * 60));
    assert!(created.expiration_date.is_some());

    let (_second, resumed) = server.guest("token-a").await;
    assert!(resumed.connected);
    assert!(!resumed.new_session);
}

#[tokio::test]
async fn session_response_echoes_the_configure_tracing_id() {
    let server = start_default().await;
    let mut guest = server.connect().await;
    guest.send(&configure_request("t", false)).await;
    let frame = guest.next_frame().await;
    assert_eq!(frame.frame_type, FrameType::Response);
    assert_eq!(frame.tracing_id.as_deref(), Some("configure-t"));
}

#[tokio::test]
async fn unknown_deployment_is_refused_with_403_before_upgrading() {
    let server = start_default().await;
    let refused = tokio_tungstenite::connect_async(server.ws_url_for("no-such-deployment")).await;
    match refused {
        Err(WsError::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("expected an HTTP 403, got {other:?}"),
    }
}

#[tokio::test]
async fn requests_before_configure_get_4007_and_the_socket_stays_up() {
    let server = start_default().await;
    let mut guest = server.connect().await;
    guest.say("never-configured", "hello", "tr-1").await;
    let frame = guest.next_frame().await;
    assert_eq!(frame.code, 4007);
    assert_eq!(frame.tracing_id.as_deref(), Some("tr-1"));
    assert!(matches!(frame.body, FrameBody::Error(_)));
    let response = guest.configure("now-configured", false).await;
    assert!(response.new_session);
}

#[tokio::test]
async fn malformed_and_unknown_requests_get_error_frames_and_the_socket_stays_up() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let cases = [
        ("this is not json", 400),
        ("[]", 400),
        (r#"{"token":"t","tracingId":"x"}"#, 4020),
        (r#"{"action":"dance","token":"t"}"#, 400),
        (r#"{"action":"onMessage","token":"t"}"#, 4020),
        (
            r#"{"action":"onMessage","token":"t","message":{"type":"Text","text":7}}"#,
            400,
        ),
        (r#"{"action":"echo","message":"keep-alive"}"#, 400),
        (r#"{"action":"getJwt","tracingId":"x"}"#, 4020),
    ];
    for (text, code) in cases {
        guest.send_raw(text).await;
        let frame = guest.next_frame().await;
        assert_eq!(frame.code, code, "answer to {text}");
        assert_eq!(frame.body.class(), "string", "answer to {text}");
    }
    let deeply_nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let adversarial = [
        deeply_nested,
        r#"{"action":"onAttachment","token":"t","fileName":"a","fileType":"image/png","fileSize":-1}"#
            .to_owned(),
        r#"{"action":"configureSession","deploymentId":null,"token":null}"#.to_owned(),
        r#"{"action":"onMessage","token":"t","message":{"type":"Text","text":"x","content":[{"contentType":"Attachment"}]}}"#
            .to_owned(),
        r#"{"action":"onAttachment","token":"t","attachmentId":"../../etc","fileName":"a.png","fileType":"image/png","fileSize":1}"#
            .to_owned(),
    ];
    for text in &adversarial {
        guest.send_raw(text).await;
        let frame = guest.next_frame().await;
        let refused = frame.code != 200 || frame.body.class() == "GenerateUrlError";
        assert!(
            refused,
            "answer to {}: {frame:?}",
            &text[..text.len().min(80)]
        );
    }
    guest.ws.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    assert_eq!(guest.next_frame().await.code, 400);
    guest.say("t", "still here?", "after-errors").await;
    let echo = guest.until_class("StructuredMessage").await;
    assert_eq!(echo.tracing_id.as_deref(), Some("after-errors"));
}

#[tokio::test]
async fn websocket_pings_are_answered_with_pongs() {
    let server = start_default().await;
    let mut guest = server.connect().await;
    guest
        .ws
        .send(Message::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    let pong = tokio::time::timeout(WAIT, guest.ws.next())
        .await
        .expect("an answer in time");
    match pong {
        Some(Ok(Message::Pong(payload))) => assert_eq!(&payload[..], b"are you there"),
        other => panic!("expected a pong, got {other:?}"),
    }
}

#[tokio::test]
async fn echo_answers_with_an_inbound_ping_response_and_the_session_window() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    guest
        .send(&ClientRequest::Echo(Echo::ping(
            "t",
            "SGVhbHRoQ2hlY2tNZXNzYWdlSWQ=",
        )))
        .await;
    let frame = guest.next_frame().await;
    assert_eq!(frame.frame_type, FrameType::Response);
    assert_eq!(
        frame.tracing_id.as_deref(),
        Some("SGVhbHRoQ2hlY2tNZXNzYWdlSWQ=")
    );
    let message = message_of(&frame);
    assert_eq!(message.direction, Direction::Inbound);
    assert_eq!(message.text.as_deref(), Some("ping"));
    assert_eq!(
        message.metadata.get("durationSeconds").map(String::as_str),
        Some("1800")
    );
    assert!(message.metadata.contains_key("expirationDate"));
}

#[tokio::test]
async fn get_configuration_reports_the_upload_rules() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let request = GetConfiguration {
        token: "t".into(),
        deployment_id: parley_server::emulator::DEFAULT_DEPLOYMENT_ID.into(),
        tracing_id: Some("cfg".into()),
    };
    guest.send(&ClientRequest::GetConfiguration(request)).await;
    match guest.next_frame().await.body {
        FrameBody::GetConfigurationResponse(config) => {
            assert_eq!(config.max_custom_data_bytes, Some(2048));
            assert!(config.allowed_media.is_some());
        }
        other => panic!("expected GetConfigurationResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn close_session_notifies_the_other_connections_and_start_new_begins_afresh() {
    let server = start_default().await;
    let (mut closer, _) = server.guest("t").await;
    let (mut other, _) = server.guest("t").await;
    closer.say("t", "remember me", "m1").await;
    closer.until_message(is_agent_text).await;
    let before = server.transcript("t").await;

    let close = CloseSession {
        token: "t".into(),
        close_all_connections: true,
        tracing_id: Some("close".into()),
    };
    closer.send(&ClientRequest::CloseSession(close)).await;
    let (answer, _) = closer
        .until(|frame| frame.body.class() == "SessionResponse")
        .await;
    match answer.body {
        FrameBody::SessionResponse(response) => {
            assert!(!response.connected);
            assert!(response.read_only);
        }
        _ => unreachable!(),
    }
    other.until_class("ConnectionClosedEvent").await;
    assert!(other.ends().await, "the other connection is closed");

    let resumed = closer.configure("t", false).await;
    assert!(resumed.read_only, "a closed conversation resumes read-only");

    let fresh = closer.configure("t", true).await;
    assert!(fresh.new_session);
    assert!(!fresh.read_only);
    let after = server.transcript("t").await;
    assert_ne!(after["conversationId"], before["conversationId"]);
    assert_eq!(after["messages"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn clear_wipes_the_conversation_and_closes_every_connection() {
    let server = start_default().await;
    let (mut first, _) = server.guest("t").await;
    let (mut second, _) = server.guest("t").await;
    first.say("t", "something private", "m1").await;
    first.until_message(is_agent_text).await;
    let clear = IncomingMessage::presence(PresenceType::Clear);
    first.send(&message_request("t", clear, "clear")).await;
    for guest in [&mut first, &mut second] {
        guest.until_class("SessionClearedEvent").await;
        let closed = guest.next_frame().await;
        assert_eq!(closed.body.class(), "ConnectionClosedEvent");
        assert!(guest.ends().await);
    }
    let (_again, response) = server.guest("t").await;
    assert!(response.new_session, "the token starts a brand-new session");
    assert_eq!(server.transcript("t").await["messages"], json!([]));
}

#[tokio::test]
async fn forced_expiry_pushes_session_expired_and_the_token_then_gets_4006() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    server
        .fault(json!({"fault": "expire_session", "token": "t"}))
        .await;
    let expired = guest.next_frame().await;
    assert_eq!(expired.body, FrameBody::SessionExpiredEvent);
    guest.say("t", "hello?", "late").await;
    let refused = guest.next_frame().await;
    assert_eq!(refused.code, 4006);
    assert_eq!(refused.tracing_id.as_deref(), Some("late"));
    let mut again = server.connect().await;
    again.send(&configure_request("t", false)).await;
    assert_eq!(again.next_frame().await.code, 4006);
}

#[tokio::test]
async fn an_idle_session_expires_after_its_ttl() {
    let server = start(EmulatorConfig {
        session_ttl: Duration::from_millis(300),
        ..EmulatorConfig::deterministic()
    })
    .await;
    let (mut guest, response) = server.guest("t").await;
    assert_eq!(response.duration_seconds, Some(0));
    let expired = guest.next_frame().await;
    assert_eq!(expired.body, FrameBody::SessionExpiredEvent);
    guest.send(&configure_request("t", false)).await;
    assert_eq!(guest.next_frame().await.code, 4006);
}

#[tokio::test]
async fn closing_the_socket_keeps_the_session_for_a_later_resume() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    guest.say("t", "before leaving", "m1").await;
    guest.until_message(is_agent_text).await;
    guest.ws.close(None).await.unwrap();
    let (_back, response) = server.guest("t").await;
    assert!(!response.new_session);
    assert_eq!(
        server.transcript("t").await["messages"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn configure_with_another_deployment_than_the_socket_is_refused() {
    let server = start_default().await;
    let mut guest = server.connect().await;
    guest
        .send_raw(r#"{"action":"configureSession","deploymentId":"other","token":"t"}"#)
        .await;
    assert_eq!(guest.next_frame().await.code, 400);
}

#[tokio::test]
async fn a_silent_socket_is_closed_after_the_idle_timeout_and_the_session_survives() {
    let server = start(EmulatorConfig {
        socket_idle_timeout: Some(Duration::from_millis(200)),
        ..EmulatorConfig::deterministic()
    })
    .await;
    let (mut guest, _) = server.guest("t").await;
    assert!(guest.ends().await, "the idle socket is closed");
    let (_back, response) = server.guest("t").await;
    assert!(!response.new_session);
}

#[tokio::test]
async fn configure_authenticated_session_is_accepted_like_an_anonymous_one() {
    let server = start_default().await;
    let mut guest = server.connect().await;
    let request = format!(
        r#"{{"action":"configureAuthenticatedSession","deploymentId":"{}","token":"t","data":{{"code":"a.jwt.here"}}}}"#,
        parley_server::emulator::DEFAULT_DEPLOYMENT_ID
    );
    guest.send_raw(&request).await;
    match guest.next_frame().await.body {
        FrameBody::SessionResponse(response) => assert!(response.new_session),
        other => panic!("expected SessionResponse, got {other:?}"),
    }
}
