//! The emulator's bounds under abuse: a client that never reads is cut off instead of queueing
//! without limit, oversized message metadata is refused before it is logged, one guest asking
//! for JWTs in a loop cannot evict another guest's, the number of sessions is capped, and
//! extreme fault values saturate instead of panicking.

use std::time::Duration;

use crate::emulator_support::*;
use futures_util::SinkExt;
use parley_server::emulator::EmulatorConfig;
use parley_shared::genesys::{ClientRequest, FrameBody, GetJwt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

fn get_jwt(token: &str, tracing_id: &str) -> ClientRequest {
    ClientRequest::GetJwt(GetJwt {
        token: token.to_owned(),
        tracing_id: Some(tracing_id.to_owned()),
    })
}

async fn jwt_of(guest: &mut Guest, token: &str) -> String {
    guest.send(&get_jwt(token, "jwt")).await;
    match guest.until_class("JwtResponse").await.body {
        FrameBody::JwtResponse(response) => response.jwt,
        _ => unreachable!(),
    }
}

async fn history_status(server: &TestServer, jwt: &str) -> u16 {
    reqwest::Client::new()
        .get(server.http("/api/v2/webmessaging/messages"))
        .header("Authorization", format!("bearer {jwt}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_client_that_never_reads_is_cut_off() {
    let server = start(EmulatorConfig {
        max_queued_frames: 8,
        write_timeout: Duration::from_millis(500),
        ..EmulatorConfig::deterministic()
    })
    .await;
    let (mut guest, _) = server.guest("t").await;
    // Each echo asks for ~20 KB back; the client never reads. Once the TCP buffers are full
    // the writer blocks, the bounded queue fills, and the server drops the connection, which
    // the client sees as a failed send.
    let text = "x".repeat(20_000);
    let echo = json!({
        "action": "echo", "token": "t", "tracingId": "e",
        "message": {"type": "Text", "text": text},
    })
    .to_string();
    let cut = tokio::time::timeout(WAIT * 2, async {
        for _ in 0..20_000 {
            if guest.ws.send(Message::text(echo.clone())).await.is_err() {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(cut, Ok(true), "the server cut the connection");
    assert_eq!(server.emulator.stats().connections, 0);
}

#[tokio::test]
async fn oversized_metadata_is_refused_and_not_logged() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let request = json!({
        "action": "onMessage", "token": "t", "tracingId": "big",
        "message": {"type": "Text", "text": "hi", "metadata": {"k": "m".repeat(200_000)}},
    });
    guest.send_raw(&request.to_string()).await;
    let answer = guest.next_frame().await;
    assert_eq!(answer.code, 400, "{answer:?}");
    assert_eq!(answer.tracing_id.as_deref(), Some("big"));
    let transcript = server.transcript("t").await;
    assert_eq!(transcript["messages"], json!([]), "nothing was logged");
}

#[tokio::test]
async fn one_guest_asking_for_jwts_in_a_loop_leaves_another_guests_history_working() {
    let server = start_default().await;
    let (mut other, _) = server.guest("other").await;
    let other_jwt = jwt_of(&mut other, "other").await;
    let (mut greedy, _) = server.guest("greedy").await;
    let mut last = String::new();
    for n in 0..4_100 {
        greedy.send(&get_jwt("greedy", &n.to_string())).await;
        if let FrameBody::JwtResponse(response) = greedy.until_class("JwtResponse").await.body {
            last = response.jwt;
        }
    }
    assert_eq!(history_status(&server, &other_jwt).await, 200);
    assert_eq!(history_status(&server, &last).await, 200);
}

#[tokio::test]
async fn new_sessions_beyond_the_cap_are_refused_with_429() {
    let server = start(EmulatorConfig {
        max_sessions: 2,
        ..EmulatorConfig::deterministic()
    })
    .await;
    let _first = server.guest("a").await;
    let _second = server.guest("b").await;
    let mut third = server.connect().await;
    third.send(&configure_request("c", false)).await;
    let refused = third.next_frame().await;
    assert_eq!(refused.code, 429, "{refused:?}");
    // An existing session still configures on another socket.
    let (_again, response) = server.guest("a").await;
    assert!(response.connected);
}

#[tokio::test]
async fn extreme_fault_and_ttl_values_saturate() {
    let server = start(EmulatorConfig {
        session_ttl: Duration::MAX,
        jwt_lifetime: Duration::MAX,
        ..EmulatorConfig::deterministic()
    })
    .await;
    let (mut guest, _) = server.guest("t").await;
    let jwt = jwt_of(&mut guest, "t").await;
    assert_eq!(history_status(&server, &jwt).await, 200);
    server
        .fault(json!({"fault": "refuse_sockets", "seconds": u64::MAX}))
        .await;
    server
        .fault(json!({"fault": "delay_frames", "ms": u64::MAX}))
        .await;
    let refused = tokio_tungstenite::connect_async(
        server.ws_url_for(parley_server::emulator::DEFAULT_DEPLOYMENT_ID),
    )
    .await;
    assert!(
        refused.is_err(),
        "sockets are refused, and nothing panicked"
    );
    assert_eq!(server.emulator.stats().live_sessions, 1);
}

/// The socket reads through a 1 KiB buffer (memory per guest): a frame several times that size
/// must still arrive whole, and come back whole from the session's log, while a frame over the
/// 256 KiB frame limit ends the connection.
#[tokio::test]
async fn frames_larger_than_the_read_buffer_arrive_whole_and_oversized_frames_end_the_socket() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let text = "é✓".repeat(1_500); // 3,000 characters, 7,500 bytes of UTF-8
    guest.say("t", &text, "long").await;
    let echo = guest
        .until_message(|message| message.text.as_deref() == Some(text.as_str()))
        .await;
    let transcript = server.transcript("t").await;
    assert_eq!(transcript["messages"][0]["id"], json!(echo.id));
    assert_eq!(
        transcript["messages"][0]["text"],
        json!(text),
        "logged whole"
    );
    guest.send_raw(&"x".repeat(300 * 1024)).await;
    assert!(
        guest.ends().await,
        "a frame over the limit ends the connection"
    );
}
