//! `GET /webdeployments/v1/deployments/{deploymentId}/config.json`: the public Messenger
//! configuration Genesys serves from `api-cdn.<domain>` with no authentication (PROTOCOL.md
//! §1.13). Clients read it to learn the socket endpoint and which features are on.
//!
//! The emulator describes itself truthfully here: typing indicators on, auto-start off,
//! read-only disconnects, conversation clear enabled, and the same upload rules its sockets
//! enforce. Unknown deployment ids get 404.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Emulator;
use super::access::{public_base_url, websocket_base_url};
use super::config::EmulatorConfig;

/// `GET /webdeployments/v1/deployments/{deploymentId}/config.json`.
pub async fn config_json(
    State(emulator): State<Emulator>,
    Path(deployment_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let config = emulator.config();
    if !config.knows_deployment(&deployment_id) {
        let body = json!({
            "message": "Deployment not found",
            "code": "not.found",
            "status": 404,
        });
        return (StatusCode::NOT_FOUND, Json(body)).into_response();
    }
    let base = public_base_url(config, &headers);
    Json(deployment_config(config, &deployment_id, &base)).into_response()
}

/// The config document for one deployment, with endpoints under `base`.
fn deployment_config(config: &EmulatorConfig, deployment_id: &str, base: &str) -> Value {
    let file_types: Vec<&str> = config.allowed_media.iter().map(String::as_str).collect();
    json!({
        "id": deployment_id,
        "version": "1",
        "languages": ["en-us"],
        "defaultLanguage": "en-us",
        "apiEndpoint": base,
        "messenger": {
            "enabled": true,
            "apps": {
                "conversations": {
                    "messagingEndpoint": websocket_base_url(base),
                    "showAgentTypingIndicator": true,
                    "showUserTypingIndicator": true,
                    "autoStart": {"enabled": false},
                    "conversationDisconnect": {"enabled": true, "type": "ReadOnly"},
                    "conversationClear": {"enabled": true},
                    "markdown": {"enabled": true},
                    "humanize": {"enabled": true, "bot": {"name": "Parley Bot"}},
                    "notifications": {"enabled": false}
                }
            },
            "styles": {"primaryColor": "#1f6feb"},
            "launcherButton": {"visibility": "On"},
            "fileUpload": {
                "enableAttachments": true,
                "modes": [{"fileTypes": file_types, "maxFileSizeKB": config.max_file_size_kb}]
            }
        },
        "journeyEvents": {"enabled": false},
        "status": "Active",
        "auth": {"enabled": false, "allowSessionUpgrade": false}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_points_clients_at_this_server() {
        let config = EmulatorConfig::default();
        let doc = deployment_config(&config, "dep", "http://127.0.0.1:9000");
        assert_eq!(doc["id"], "dep");
        assert_eq!(doc["apiEndpoint"], "http://127.0.0.1:9000");
        assert_eq!(
            doc["messenger"]["apps"]["conversations"]["messagingEndpoint"],
            "ws://127.0.0.1:9000"
        );
        assert_eq!(doc["status"], "Active");
    }
}
