//! The deployment's Messenger settings reach the window: `GET /api/config` and the grant's
//! `windowConfig`, driven in-process with `oneshot` against the emulator (with a changed
//! `config.json`) and against sources that fail or never answer.

use std::sync::Arc;

use crate::common::{config, fast_options, grant_request, json, send, temp_dir, test_app};
use axum::body::Body;
use axum::http::{Request, header};
use parley_server::clock::Clock;
use parley_server::deployment_config::{DocumentFuture, DocumentSource, FetchError};
use parley_server::{AppState, app};
use serde_json::{Value, json};

const BOUND: &str = "127.0.0.1:8080";

fn config_request(origin: Option<&str>) -> Request<Body> {
    let mut request = Request::get("/api/config").header(header::HOST, BOUND);
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    request.body(Body::empty()).unwrap()
}

/// An emulator whose `config.json` is the default with `overlay` merged over it, set through
/// `--emulator-deployment-config` as an operator would.
fn app_with_overlay(overlay: Value) -> axum::Router {
    let path = temp_dir().join("deployment.json");
    std::fs::write(&path, overlay.to_string()).unwrap();
    let flag = format!("--emulator-deployment-config={}", path.display());
    test_app(&config(&[&flag]), BOUND.parse().unwrap())
}

#[tokio::test]
async fn api_config_serves_the_emulators_settings_with_short_caching() {
    let app = test_app(&config(&[]), BOUND.parse().unwrap());
    let (status, headers, body) = send(&app, config_request(None)).await;
    assert_eq!(status, 200);
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=60");
    let config = json(&body);
    assert_eq!(config["fromDeployment"], true);
    assert_eq!(config["status"], "Active");
    assert_eq!(
        config["accent"],
        json!({"color": "#1f6feb", "textColor": "#ffffff"})
    );
    assert_eq!(config["launcher"], "On");
    assert_eq!(config["attachments"], true);
    assert_eq!(config["markdown"], true);
    assert_eq!(config["humanize"]["botName"], "Parley Bot");
}

#[tokio::test]
async fn a_changed_emulator_config_json_changes_what_the_window_is_told() {
    let app = app_with_overlay(json!({
        "languages": ["en-us", "de"],
        "defaultLanguage": "de",
        "messenger": {
            "styles": {"primaryColor": "#FFD700"},
            "launcherButton": {"visibility": "Off"},
            "fileUpload": {"enableAttachments": false},
            "apps": {"conversations": {
                "conversationDisconnect": {"enabled": true, "type": "Send"},
                "markdown": {"enabled": false}
            }}
        }
    }));
    let (_, _, body) = send(&app, config_request(None)).await;
    let config = json(&body);
    assert_eq!(config["defaultLanguage"], "de");
    assert_eq!(config["languages"], json!(["en-us", "de"]));
    assert_eq!(
        config["accent"],
        json!({"color": "#ffd700", "textColor": "#111111"})
    );
    assert_eq!(config["launcher"], "Off");
    assert_eq!(config["attachments"], false);
    assert_eq!(config["uploadModes"], json!([]));
    assert_eq!(
        config["disconnect"],
        json!({"enabled": true, "mode": "Send"})
    );
    assert_eq!(config["markdown"], false);
}

#[tokio::test]
async fn api_config_answers_allowed_origins_with_cors_headers_only() {
    let app = test_app(
        &config(&["--allowed-origins=https://shop.example.com"]),
        BOUND.parse().unwrap(),
    );
    let (status, headers, _) = send(&app, config_request(Some("https://shop.example.com"))).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://shop.example.com"
    );
    let (_, headers, _) = send(&app, config_request(Some("https://evil.example"))).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn grants_carry_the_window_config_once_it_is_known() {
    let app = app_with_overlay(json!({"defaultLanguage": "de"}));
    // Reading /api/config settles the cache; the next grant carries the same settings.
    let (_, _, settings) = send(&app, config_request(None)).await;
    let (status, _, grant) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    assert_eq!(status, 200);
    let grant = json(&grant);
    assert_eq!(grant["windowConfig"], json(&settings));
    assert_eq!(grant["windowConfig"]["defaultLanguage"], "de");
}

/// A source that never answers, or answers something that is not a config.
#[derive(Debug)]
enum OddSource {
    Silent,
    NotAnObject,
    Broken,
}

impl DocumentSource for OddSource {
    fn fetch(&self) -> DocumentFuture {
        match self {
            OddSource::Silent => Box::pin(std::future::pending()),
            OddSource::NotAnObject => Box::pin(async { Ok(json!("<html>")) }),
            OddSource::Broken => Box::pin(async { Err(FetchError::Status(500)) }),
        }
    }
}

fn app_with_source(source: OddSource) -> axum::Router {
    let mut options = fast_options(Clock::system());
    options.deployment_document_source = Some(Arc::new(source));
    app(AppState::with_options(
        &config(&[]),
        BOUND.parse().unwrap(),
        options,
    ))
}

#[tokio::test(start_paused = true)]
async fn a_grant_never_waits_for_a_silent_cdn() {
    let app = app_with_source(OddSource::Silent);
    let (status, _, grant) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    assert_eq!(status, 200);
    // Had the grant waited, the (paused-time) timeout would have put the defaults in it.
    assert!(json(&grant).get("windowConfig").is_none());
    // /api/config waits for the one bounded fetch and then answers the defaults.
    let (status, _, body) = send(&app, config_request(None)).await;
    assert_eq!(status, 200);
    assert_eq!(json(&body)["fromDeployment"], false);
}

#[tokio::test]
async fn unusable_documents_give_defaults_and_never_fail_a_grant() {
    for source in [OddSource::NotAnObject, OddSource::Broken] {
        let app = app_with_source(source);
        let (status, _, body) = send(&app, config_request(None)).await;
        assert_eq!(status, 200);
        let settings = json(&body);
        assert_eq!(settings["fromDeployment"], false);
        assert_eq!(settings["launcher"], "On");
        let (status, _, grant) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
        assert_eq!(status, 200);
        assert_eq!(json(&grant)["windowConfig"], settings);
    }
}
