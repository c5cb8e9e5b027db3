//! The real server on an ephemeral port, called over HTTP with reqwest: grants, health, and the
//! per-peer rate limit fed by `ConnectInfo` (the secrets check lives in `../no_secrets_leak.rs`).

use crate::common::{QUEUE_ID, config, post_grant, serve};
use parley_server::emulator::Fault;

#[tokio::test]
async fn serves_grants_over_http_and_limits_by_peer_address() {
    let server = serve(&config(&["--grant-rate-per-minute=2"]), None).await;
    let client = reqwest::Client::new();
    let response = post_grant(&client, &server.base, "{}").await;
    assert_eq!(response.status(), 200);
    let grant: serde_json::Value = response.json().await.unwrap();
    let ws_base = server.base.replace("http://", "ws://");
    assert!(
        grant["websocketUrl"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{ws_base}/v1?deploymentId=")),
        "{grant}"
    );
    assert_eq!(grant["apiBaseUrl"], server.base.as_str());

    assert_eq!(post_grant(&client, &server.base, "{}").await.status(), 200);
    let limited = post_grant(&client, &server.base, "{}").await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));

    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
}

fn emulator_with_oauth() -> parley_server::Config {
    config(&[
        "--genesys-client-id=parley-test-client",
        "--genesys-client-secret=parley-test-secret",
        "--genesys-queue-id",
        QUEUE_ID,
    ])
}

#[tokio::test]
async fn emulator_mode_grants_carry_the_estimated_wait_from_one_oauth_token() {
    let server = serve(&emulator_with_oauth(), None).await;
    let client = reqwest::Client::new();
    let grants: Vec<_> = (0..8)
        .map(|_| {
            let (client, base) = (client.clone(), server.base.clone());
            tokio::spawn(async move { post_grant(&client, &base, "{}").await })
        })
        .collect();
    for grant in grants {
        let response = grant.await.unwrap();
        assert_eq!(response.status(), 200);
        let grant: serde_json::Value = response.json().await.unwrap();
        assert_eq!(grant["availability"]["estimatedWaitSeconds"], 42, "{grant}");
    }
    let stats = server.emulator.as_ref().unwrap().stats();
    assert_eq!(stats.oauth_token_requests, 1);
    assert_eq!(stats.oauth_tokens_issued, 1);
}

#[tokio::test]
async fn emulator_oauth_outage_gives_grants_without_availability_and_one_bounded_refresh() {
    let server = serve(&emulator_with_oauth(), None).await;
    let emulator = server.emulator.as_ref().unwrap();
    emulator.inject(Fault::OauthFailure {
        status: 500,
        count: 3,
        retry_after: None,
    });
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let response = post_grant(&client, &server.base, "{}").await;
        assert_eq!(response.status(), 200);
        let grant: serde_json::Value = response.json().await.unwrap();
        assert!(grant.get("availability").is_none(), "{grant}");
    }
    assert_eq!(
        emulator.stats().oauth_token_requests,
        3,
        "one refresh of 3 attempts; the failure is remembered for the second grant"
    );
}

#[tokio::test]
async fn emulator_oauth_429_gives_grants_without_availability_and_is_not_retried_early() {
    let server = serve(&emulator_with_oauth(), None).await;
    let emulator = server.emulator.as_ref().unwrap();
    emulator.inject(Fault::OauthFailure {
        status: 429,
        count: 1,
        retry_after: Some(7),
    });
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let response = post_grant(&client, &server.base, "{}").await;
        assert_eq!(response.status(), 200);
    }
    assert_eq!(emulator.stats().oauth_token_requests, 1);
}
