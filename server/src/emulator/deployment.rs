//! `GET /webdeployments/v1/deployments/{deploymentId}/config.json`: the public Messenger
//! configuration Genesys serves from `api-cdn.<domain>` with no authentication (PROTOCOL.md
//! §1.13). Clients read it to learn the socket endpoint and which features are on.
//!
//! The emulator describes itself truthfully here: typing indicators on, auto-start off,
//! read-only disconnects, conversation clear enabled, and the same upload rules its sockets
//! enforce. Unknown deployment ids get 404. `EmulatorConfig::deployment_config_overlay`
//! (`PARLEY_EMULATOR_DEPLOYMENT_CONFIG`) is deep-merged over that default, so a test can play
//! any admin's choices; the overlay changes only the document, not what the sockets enforce.

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
    Json(document(config, &deployment_id, &base)).into_response()
}

impl Emulator {
    /// The `config.json` document of `deployment_id` (overlay applied), with endpoints under
    /// `base`; `None` for a deployment the emulator does not serve. parley-server reads it
    /// in-process for the window's settings.
    pub fn deployment_document(&self, deployment_id: &str, base: &str) -> Option<Value> {
        let config = self.config();
        config
            .knows_deployment(deployment_id)
            .then(|| document(config, deployment_id, base))
    }
}

/// The default document with the configured overlay merged over it.
fn document(config: &EmulatorConfig, deployment_id: &str, base: &str) -> Value {
    let mut document = deployment_config(config, deployment_id, base);
    if let Some(overlay) = &config.deployment_config_overlay {
        deep_merge(&mut document, overlay);
    }
    document
}

/// Merges `overlay` into `base`: objects key by key, recursively; any other overlay value
/// (scalars, arrays, `null`) replaces what `base` had.
pub fn deep_merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(key) {
                    Some(existing) => deep_merge(existing, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
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

    #[test]
    fn deep_merge_merges_objects_and_replaces_everything_else() {
        let mut base = json!({
            "a": {"b": 1, "c": {"d": 2, "e": 3}},
            "list": [1, 2, 3],
            "keep": "x"
        });
        let overlay = json!({
            "a": {"c": {"d": 20}, "new": true},
            "list": [9],
            "keep": null
        });
        deep_merge(&mut base, &overlay);
        assert_eq!(
            base,
            json!({
                "a": {"b": 1, "c": {"d": 20, "e": 3}, "new": true},
                "list": [9],
                "keep": null
            })
        );
    }

    #[test]
    fn the_overlay_changes_only_the_settings_it_names() {
        let config = EmulatorConfig {
            deployment_config_overlay: Some(json!({
                "defaultLanguage": "de",
                "messenger": {"styles": {"primaryColor": "#ff0000"}}
            })),
            ..EmulatorConfig::default()
        };
        let emulator = Emulator::new(config);
        let doc = emulator
            .deployment_document(super::super::DEFAULT_DEPLOYMENT_ID, "http://h")
            .unwrap();
        assert_eq!(doc["defaultLanguage"], "de");
        assert_eq!(doc["messenger"]["styles"]["primaryColor"], "#ff0000");
        assert_eq!(doc["messenger"]["launcherButton"]["visibility"], "On");
        assert_eq!(doc["languages"], json!(["en-us"]));
        assert!(
            emulator
                .deployment_document("unknown", "http://h")
                .is_none()
        );
    }
}
