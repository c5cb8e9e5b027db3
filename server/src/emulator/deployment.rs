//! `GET /webdeployments/v1/deployments/{deploymentId}/config.json`: the public Messenger
//! configuration Genesys serves from `api-cdn.<domain>` with no authentication (PROTOCOL.md
//! §1.13). Clients read it to learn the socket endpoint and which features are on.
//!
//! The emulator describes itself truthfully here: typing indicators on, auto-start off,
//! read-only disconnects, conversation clear enabled, and the same upload rules its sockets
//! enforce. Unknown deployment ids get 404. `EmulatorConfig::deployment_config_overlay`
//! (`PARLEY_EMULATOR_DEPLOYMENT_CONFIG`) is deep-merged over that default, so a test can play
//! any admin's choices. The overlay changes the document and, like a real deployment, two
//! things the sockets do ([`ConversationRules`]): whether an agent's disconnect makes the
//! conversation read-only (`conversationDisconnect.type`) and whether a guest may Clear it
//! (`conversationClear.enabled`, else 403 as PROTOCOL.md §1.4.4 shows). Upload limits stay
//! the emulator's own, so a test can show the window refusing before the server would.

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

/// What the deployment document (overlay included) makes the sockets do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationRules {
    /// An agent's disconnect makes the conversation read-only (`conversationDisconnect`
    /// `type: ReadOnly`, the default) rather than letting the guest keep writing (`Send`).
    pub disconnect_read_only: bool,
    /// Presence `Clear` is allowed (`conversationClear.enabled`).
    pub clear_enabled: bool,
}

impl ConversationRules {
    /// The rules `config`'s document states.
    pub fn of(config: &EmulatorConfig) -> ConversationRules {
        let document = document(config, "", "");
        let conversations = &document["messenger"]["apps"]["conversations"];
        let disconnect_type = conversations["conversationDisconnect"]["type"]
            .as_str()
            .unwrap_or("ReadOnly");
        ConversationRules {
            disconnect_read_only: !disconnect_type.eq_ignore_ascii_case("send"),
            clear_enabled: conversations["conversationClear"]["enabled"]
                .as_bool()
                .unwrap_or(false),
        }
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
    fn the_overlay_decides_what_disconnect_and_clear_do() {
        let mut config = EmulatorConfig::default();
        assert_eq!(
            ConversationRules::of(&config),
            ConversationRules {
                disconnect_read_only: true,
                clear_enabled: true
            }
        );
        config.deployment_config_overlay = Some(json!({"messenger": {"apps": {"conversations": {
            "conversationDisconnect": {"type": "Send"},
            "conversationClear": {"enabled": false}
        }}}}));
        assert_eq!(
            ConversationRules::of(&config),
            ConversationRules {
                disconnect_read_only: false,
                clear_enabled: false
            }
        );
    }

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
