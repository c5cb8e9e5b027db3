//! Fault injection and the control endpoints: every fault's effect on a real socket, the OAuth
//! failures, transcripts, stats, and the loopback-only guard.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::emulator_support::*;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use base64::Engine;
use parley_server::emulator::{
    DEFAULT_OAUTH_CLIENT_ID, DEFAULT_OAUTH_CLIENT_SECRET, Emulator, EmulatorConfig, router,
};
use parley_shared::genesys::{ClientRequest, Echo};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Error as WsError;
use tower::ServiceExt;

async fn echo(guest: &mut Guest, token: &str, tracing_id: &str) {
    guest
        .send(&ClientRequest::Echo(Echo::ping(token, tracing_id)))
        .await;
}

async fn tracing_of_next(guest: &mut Guest) -> String {
    guest.next_frame().await.tracing_id.unwrap_or_default()
}

#[tokio::test]
async fn drop_sockets_cuts_every_connection_and_the_session_resumes() {
    let server = start_default().await;
    let (mut first, _) = server.guest("a").await;
    let (mut second, _) = server.guest("b").await;
    server.fault(json!({"fault": "drop_sockets"})).await;
    assert!(first.ends().await);
    assert!(second.ends().await);
    let (_back, response) = server.guest("a").await;
    assert!(
        !response.new_session,
        "dropping sockets does not end sessions"
    );
}

#[tokio::test]
async fn drop_sockets_for_one_token_spares_the_others() {
    let server = start_default().await;
    let (mut victim, _) = server.guest("a").await;
    let (mut bystander, _) = server.guest("b").await;
    server
        .fault(json!({"fault": "drop_sockets", "token": "a"}))
        .await;
    assert!(victim.ends().await);
    echo(&mut bystander, "b", "still-up").await;
    assert_eq!(tracing_of_next(&mut bystander).await, "still-up");
}

#[tokio::test]
async fn refuse_sockets_answers_503_until_lifted() {
    let server = start_default().await;
    server
        .fault(json!({"fault": "refuse_sockets", "seconds": 60}))
        .await;
    let url = server.ws_url_for(parley_server::emulator::DEFAULT_DEPLOYMENT_ID);
    match tokio_tungstenite::connect_async(&url).await {
        Err(WsError::Http(response)) => assert_eq!(response.status(), 503),
        other => panic!("expected 503, got {other:?}"),
    }
    server
        .fault(json!({"fault": "refuse_sockets", "seconds": 0}))
        .await;
    let (_guest, response) = server.guest("t").await;
    assert!(response.connected);
    assert_eq!(server.emulator.stats().sockets_refused, 1);
}

#[tokio::test]
async fn delay_frames_holds_frames_back_and_keeps_their_order() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    server
        .fault(json!({"fault": "delay_frames", "ms": 300}))
        .await;
    let sent = Instant::now();
    echo(&mut guest, "t", "first").await;
    echo(&mut guest, "t", "second").await;
    assert_eq!(tracing_of_next(&mut guest).await, "first");
    assert!(sent.elapsed() >= Duration::from_millis(300));
    assert_eq!(tracing_of_next(&mut guest).await, "second");
}

#[tokio::test]
async fn reorder_frames_swaps_consecutive_frames_until_switched_off() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    server
        .fault(json!({"fault": "reorder_frames", "enabled": true}))
        .await;
    echo(&mut guest, "t", "a").await;
    echo(&mut guest, "t", "b").await;
    assert_eq!(tracing_of_next(&mut guest).await, "b");
    assert_eq!(tracing_of_next(&mut guest).await, "a");
    echo(&mut guest, "t", "lonely").await;
    assert_eq!(
        tracing_of_next(&mut guest).await,
        "lonely",
        "a held frame is released"
    );

    server
        .fault(json!({"fault": "reorder_frames", "enabled": false}))
        .await;
    echo(&mut guest, "t", "c").await;
    echo(&mut guest, "t", "d").await;
    assert_eq!(tracing_of_next(&mut guest).await, "c");
    assert_eq!(tracing_of_next(&mut guest).await, "d");
}

#[tokio::test]
async fn force_rate_limit_refuses_the_next_sends_then_lets_them_through() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let (mut other, _) = server.guest("u").await;
    server
        .fault(json!({"fault": "force_rate_limit", "count": 1, "token": "t"}))
        .await;
    other.say("u", "unaffected", "u1").await;
    assert_eq!(other.next_frame().await.code, 200);
    guest.say("t", "first", "m1").await;
    let limited = guest.next_frame().await;
    assert_eq!(
        (limited.code, limited.tracing_id.as_deref()),
        (429, Some("m1"))
    );
    guest.say("t", "again", "m2").await;
    assert_eq!(guest.next_frame().await.code, 200);

    server
        .fault(json!({"fault": "force_rate_limit", "count": 1}))
        .await;
    other.say("u", "global", "u2").await;
    let (limited, _) = other.until(|f| f.tracing_id.as_deref() == Some("u2")).await;
    assert_eq!(limited.code, 429);
}

fn basic() -> String {
    let pair = format!("{DEFAULT_OAUTH_CLIENT_ID}:{DEFAULT_OAUTH_CLIENT_SECRET}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

async fn token_status(server: &TestServer) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.http("/oauth/token"))
        .header("Authorization", basic())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn oauth_failures_answer_429_with_retry_after_then_500_and_are_counted() {
    let server = start_default().await;
    server
        .fault(json!({"fault": "oauth_failure", "status": 429, "count": 1, "retry_after": 7}))
        .await;
    let limited = token_status(&server).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "7");

    server
        .fault(json!({"fault": "oauth_failure", "status": 500, "count": 1}))
        .await;
    assert_eq!(token_status(&server).await.status(), 500);
    assert_eq!(token_status(&server).await.status(), 200);

    let stats: Value = reqwest::get(server.http("/emulator/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["oauthTokenRequests"], 3);
    assert_eq!(stats["oauthTokensIssued"], 1);
}

#[tokio::test]
async fn reset_lifts_every_fault() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    server
        .fault(json!({"fault": "reorder_frames", "enabled": true}))
        .await;
    server
        .fault(json!({"fault": "force_rate_limit", "count": 5}))
        .await;
    server.fault(json!({"fault": "reset"})).await;
    echo(&mut guest, "t", "x").await;
    echo(&mut guest, "t", "y").await;
    assert_eq!(tracing_of_next(&mut guest).await, "x");
    assert_eq!(tracing_of_next(&mut guest).await, "y");
    guest.say("t", "hello", "m").await;
    assert_eq!(guest.next_frame().await.code, 200);
}

#[tokio::test]
async fn stats_count_sessions_and_connections() {
    let server = start_default().await;
    let (_a1, _) = server.guest("a").await;
    let (_a2, _) = server.guest("a").await;
    let (_b, _) = server.guest("b").await;
    let stats = server.emulator.stats();
    assert_eq!(stats.live_sessions, 2);
    assert_eq!(stats.connections, 3);
    assert_eq!(stats.sockets_accepted, 3);
    server
        .fault(json!({"fault": "expire_session", "token": "b"}))
        .await;
    let stats = server.emulator.stats();
    assert_eq!((stats.live_sessions, stats.expired_sessions), (1, 1));
}

#[tokio::test]
async fn transcript_lists_each_message_once_and_unknown_tokens_are_404() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    guest.say("t", "only once", "m1").await;
    guest.until_message(is_agent_text).await;
    let transcript = server.transcript("t").await;
    assert_eq!(transcript["state"], "live");
    let copies = transcript["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["text"] == "only once")
        .count();
    assert_eq!(copies, 1);
    let unknown = reqwest::get(server.http("/emulator/sessions/nobody/transcript"))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn a_malformed_fault_is_400() {
    let server = start_default().await;
    let response = reqwest::Client::new()
        .post(server.http("/emulator/faults"))
        .json(&json!({"fault": "set_everything_on_fire"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

async fn control_status(peer: Option<SocketAddr>, uri: &str) -> u16 {
    control_status_with(
        EmulatorConfig::deterministic(),
        peer,
        uri,
        &[("host", "127.0.0.1:8080")],
    )
    .await
}

async fn control_status_with(
    config: EmulatorConfig,
    peer: Option<SocketAddr>,
    uri: &str,
    headers: &[(&str, &str)],
) -> u16 {
    let app = router(Emulator::new(config));
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::empty()).unwrap();
    if let Some(peer) = peer {
        request.extensions_mut().insert(ConnectInfo(peer));
    }
    app.oneshot(request).await.unwrap().status().as_u16()
}

#[tokio::test]
async fn control_endpoints_refuse_non_loopback_callers() {
    let remote: SocketAddr = "203.0.113.9:4000".parse().unwrap();
    let local: SocketAddr = "127.0.0.1:4000".parse().unwrap();
    assert_eq!(control_status(Some(remote), "/emulator/stats").await, 403);
    assert_eq!(control_status(None, "/emulator/stats").await, 403);
    assert_eq!(control_status(Some(local), "/emulator/stats").await, 200);
    let transcript = "/emulator/sessions/t/transcript";
    assert_eq!(control_status(Some(remote), transcript).await, 403);

    let app = router(Emulator::new(EmulatorConfig::deterministic()));
    let mut request = Request::post("/emulator/faults")
        .header("content-type", "application/json")
        .header("host", "127.0.0.1:8080")
        .body(Body::from(r#"{"fault":"reset"}"#))
        .unwrap();
    request.extensions_mut().insert(ConnectInfo(remote));
    assert_eq!(app.oneshot(request).await.unwrap().status(), 403);
}

#[tokio::test]
async fn control_requests_through_a_proxy_or_a_rebound_name_are_refused() {
    let local: SocketAddr = "127.0.0.1:4000".parse().unwrap();
    let config = EmulatorConfig::deterministic;
    let stats = "/emulator/stats";
    let host = ("host", "localhost:8080");
    assert_eq!(
        control_status_with(config(), Some(local), stats, &[host]).await,
        200
    );
    let v6_host = ("host", "[::1]:8080");
    assert_eq!(
        control_status_with(config(), Some(local), stats, &[v6_host]).await,
        200
    );
    for proxy_header in [
        ("x-forwarded-for", "203.0.113.9"),
        ("forwarded", "for=203.0.113.9"),
        ("x-real-ip", "203.0.113.9"),
    ] {
        let status = control_status_with(config(), Some(local), stats, &[host, proxy_header]).await;
        assert_eq!(status, 403, "{proxy_header:?}");
    }
    let rebound = ("host", "attacker.example:8080");
    assert_eq!(
        control_status_with(config(), Some(local), stats, &[rebound]).await,
        403
    );
    assert_eq!(
        control_status_with(config(), Some(local), stats, &[]).await,
        403,
        "no Host at all"
    );
}

#[tokio::test]
async fn control_endpoints_switched_off_do_not_exist() {
    let local: SocketAddr = "127.0.0.1:4000".parse().unwrap();
    let config = EmulatorConfig {
        control_endpoints: false,
        ..EmulatorConfig::deterministic()
    };
    let status = control_status_with(
        config,
        Some(local),
        "/emulator/stats",
        &[("host", "127.0.0.1:8080")],
    )
    .await;
    assert_eq!(status, 404);
}
