//! The platform endpoints the emulator answers besides the guest socket: `POST /oauth/token`,
//! estimated wait time (needs an emulator-issued token) and the public deployment config.

use crate::emulator_support::*;
use base64::Engine;
use parley_server::emulator::{
    DEFAULT_DEPLOYMENT_ID, DEFAULT_OAUTH_CLIENT_ID, DEFAULT_OAUTH_CLIENT_SECRET,
};
use serde_json::Value;

fn basic(id: &str, secret: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    format!("Basic {encoded}")
}

async fn token_request(server: &TestServer, authorization: &str, form: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.http("/oauth/token"))
        .header("Authorization", authorization)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .send()
        .await
        .unwrap()
}

async fn good_token(server: &TestServer) -> reqwest::Response {
    let authorization = basic(DEFAULT_OAUTH_CLIENT_ID, DEFAULT_OAUTH_CLIENT_SECRET);
    token_request(server, &authorization, "grant_type=client_credentials").await
}

#[tokio::test]
async fn client_credentials_with_the_test_client_get_a_bearer_token() {
    let server = start_default().await;
    let response = good_token(&server).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(!body["access_token"].as_str().unwrap().is_empty());
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86_400);
}

#[tokio::test]
async fn bad_credentials_are_401_invalid_client() {
    let server = start_default().await;
    let wrong = basic(DEFAULT_OAUTH_CLIENT_ID, "not-the-secret");
    let response = token_request(&server, &wrong, "grant_type=client_credentials").await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    let garbage = token_request(&server, "Basic !!!", "grant_type=client_credentials").await;
    assert_eq!(garbage.status(), 401);
}

#[tokio::test]
async fn a_wrong_grant_type_is_400() {
    let server = start_default().await;
    let authorization = basic(DEFAULT_OAUTH_CLIENT_ID, DEFAULT_OAUTH_CLIENT_SECRET);
    let response = token_request(&server, &authorization, "grant_type=password").await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn estimated_wait_time_needs_an_emulator_issued_token() {
    let server = start_default().await;
    let url = server.http("/api/v2/routing/queues/queue-1/estimatedwaittime");
    let anonymous = reqwest::get(&url).await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let forged = reqwest::Client::new()
        .get(&url)
        .bearer_auth("made-up")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    let token: Value = good_token(&server).await.json().await.unwrap();
    let access_token = token["access_token"].as_str().unwrap();
    let response = reqwest::Client::new()
        .get(&url)
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let result = &body["results"][0];
    assert_eq!(result["intent"], "MESSAGE");
    assert_eq!(result["formula"], "BEST");
    assert_eq!(result["estimatedWaitTimeSeconds"], 42);
}

#[tokio::test]
async fn deployment_config_describes_the_emulator_and_unknown_ids_are_404() {
    let server = start_default().await;
    let path = format!("/webdeployments/v1/deployments/{DEFAULT_DEPLOYMENT_ID}/config.json");
    let response = reqwest::get(server.http(&path)).await.unwrap();
    assert_eq!(response.status(), 200);
    let config: Value = response.json().await.unwrap();
    assert_eq!(config["id"], DEFAULT_DEPLOYMENT_ID);
    assert_eq!(config["status"], "Active");
    let conversations = &config["messenger"]["apps"]["conversations"];
    assert_eq!(
        conversations["messagingEndpoint"],
        format!("ws://{}", server.addr)
    );
    assert_eq!(conversations["conversationDisconnect"]["type"], "ReadOnly");
    assert!(config["messenger"]["fileUpload"]["modes"][0]["maxFileSizeKB"].is_number());

    let unknown = reqwest::get(server.http("/webdeployments/v1/deployments/nope/config.json"))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}
