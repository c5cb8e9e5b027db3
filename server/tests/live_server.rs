//! The real server on an ephemeral port, called over HTTP with reqwest: grants, health, and the
//! per-peer rate limit fed by `ConnectInfo` (the secrets check lives in `no_secrets_leak.rs`).

mod common;

use common::{config, post_grant, serve};

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
