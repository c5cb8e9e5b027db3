//! `getJwt` and `GET /api/v2/webmessaging/messages` against the emulator: paging newest first,
//! the empty shape, guest metadata kept for matching (or dropped with
//! `strip_history_metadata`), and 401 without a valid JWT.

use std::collections::BTreeMap;

use crate::emulator_support::*;
use parley_server::emulator::EmulatorConfig;
use parley_shared::genesys::{
    ClientRequest, Direction, FrameBody, GetJwt, HistoryPage, IncomingMessage,
};

async fn jwt_of(guest: &mut Guest, token: &str) -> (String, u64) {
    let request = GetJwt {
        token: token.to_owned(),
        tracing_id: Some("jwt".to_owned()),
    };
    guest.send(&ClientRequest::GetJwt(request)).await;
    let (frame, _) = guest.until(|f| f.body.class() == "JwtResponse").await;
    assert_eq!(frame.tracing_id.as_deref(), Some("jwt"));
    match frame.body {
        FrameBody::JwtResponse(response) => (response.jwt, response.exp),
        _ => unreachable!(),
    }
}

async fn history(server: &TestServer, jwt: &str, query: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(server.http(&format!("/api/v2/webmessaging/messages{query}")))
        .header("Authorization", format!("bearer {jwt}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn get_jwt_returns_a_jwt_shaped_token_with_a_future_expiry() {
    let server = start_default().await;
    let (mut guest, session) = server.guest("t").await;
    let (jwt, exp) = jwt_of(&mut guest, "t").await;
    assert_eq!(jwt.split('.').count(), 3);
    assert!(exp > session.expiration_date.unwrap() - 30 * 60);
}

#[tokio::test]
async fn empty_history_has_the_documented_shape() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let (jwt, _) = jwt_of(&mut guest, "t").await;
    let response = history(&server, &jwt, "").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"entities":[],"pageSize":0,"pageNumber":1,"total":0,"pageCount":0})
    );
}

#[tokio::test]
async fn history_pages_run_newest_first_and_keep_guest_metadata() {
    let server = start(EmulatorConfig {
        messages_per_second: 100,
        ..EmulatorConfig::deterministic()
    })
    .await;
    let (mut guest, _) = server.guest("t").await;
    for n in 0..3 {
        let mut message = IncomingMessage::text(format!("message {n}"));
        message.metadata = BTreeMap::from([("parleyId".to_owned(), format!("local-{n}"))]);
        guest
            .send(&message_request("t", message, &format!("m{n}")))
            .await;
        guest.until_message(is_agent_text).await;
        server
            .emulator
            .inject(parley_server::emulator::Fault::Reset);
        // The agent answers every message: 3 guest messages + 3 replies. Two sends per second
        // is the limit, so give the window room by waiting for each reply (an event, not time).
    }
    let (jwt, _) = jwt_of(&mut guest, "t").await;

    let first: HistoryPage = history(&server, &jwt, "?pageSize=4")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            first.total,
            first.page_count,
            first.page_size,
            first.page_number
        ),
        (6, 2, 4, 1)
    );
    assert_eq!(first.entities.len(), 4);
    assert_eq!(
        first.entities[0].direction,
        Direction::Outbound,
        "newest is the last reply"
    );
    assert_eq!(first.entities[1].text.as_deref(), Some("message 2"));
    assert_eq!(
        first.entities[1]
            .metadata
            .get("parleyId")
            .map(String::as_str),
        Some("local-2")
    );
    let times: Vec<_> = first
        .entities
        .iter()
        .map(|m| m.time().unwrap().to_owned())
        .collect();
    assert!(
        times.windows(2).all(|pair| pair[0] > pair[1]),
        "newest first: {times:?}"
    );

    let second: HistoryPage = history(&server, &jwt, "?pageSize=4&pageNumber=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second.entities.len(), 2);
    assert_eq!(second.entities[1].text.as_deref(), Some("message 0"));
    assert!(!second.has_older());

    let default: HistoryPage = history(&server, &jwt, "").await.json().await.unwrap();
    assert_eq!((default.page_size, default.entities.len()), (25, 6));
}

#[tokio::test]
async fn history_without_a_valid_jwt_is_401_json() {
    let server = start_default().await;
    let missing = reqwest::get(server.http("/api/v2/webmessaging/messages"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["status"], 401);
    let forged = history(&server, "not.a.jwt", "").await;
    assert_eq!(forged.status(), 401);
}

#[tokio::test]
async fn bad_paging_parameters_are_400() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let (jwt, _) = jwt_of(&mut guest, "t").await;
    assert_eq!(history(&server, &jwt, "?pageNumber=0").await.status(), 400);
    assert_eq!(history(&server, &jwt, "?pageSize=lots").await.status(), 400);
}

#[tokio::test]
async fn with_history_metadata_off_history_drops_guest_metadata_but_the_echo_keeps_it() {
    let server = start(EmulatorConfig {
        strip_history_metadata: true,
        ..EmulatorConfig::deterministic()
    })
    .await;
    let (mut guest, _) = server.guest("t").await;
    let mut message = IncomingMessage::text("hello");
    message.metadata = BTreeMap::from([("parleyId".to_owned(), "local-0".to_owned())]);
    guest.send(&message_request("t", message, "m0")).await;
    let echo = guest
        .until_message(|m| m.direction == Direction::Inbound && m.text.as_deref() == Some("hello"))
        .await;
    assert_eq!(
        echo.metadata.get("parleyId").map(String::as_str),
        Some("local-0"),
        "the live echo still carries the client's metadata"
    );
    guest.until_message(is_agent_text).await;
    let (jwt, _) = jwt_of(&mut guest, "t").await;

    let page: HistoryPage = history(&server, &jwt, "").await.json().await.unwrap();
    let sent = page
        .entities
        .iter()
        .find(|m| m.direction == Direction::Inbound && m.text.is_some())
        .expect("the guest's message is in history");
    assert_eq!(sent.text.as_deref(), Some("hello"));
    assert!(
        sent.metadata.is_empty(),
        "history lost it: {:?}",
        sent.metadata
    );
    assert!(sent.time().is_some(), "history still says when it was sent");
}
