use serde_json::json;

use super::*;

/// The emulator's default document (server/src/emulator/deployment.rs), trimmed.
fn emulator_like() -> Value {
    json!({
        "id": "dep",
        "version": "1",
        "languages": ["en-us", "de"],
        "defaultLanguage": "de",
        "messenger": {
            "enabled": true,
            "apps": {"conversations": {
                "showAgentTypingIndicator": true,
                "showUserTypingIndicator": false,
                "conversationDisconnect": {"enabled": true, "type": "Send"},
                "conversationClear": {"enabled": true},
                "markdown": {"enabled": true},
                "humanize": {"enabled": true, "bot": {"name": "Parley Bot", "avatarUrl": "https://cdn.example/bot.png"}}
            }},
            "styles": {"primaryColor": "#FFD700"},
            "launcherButton": {"visibility": "OnDemand"},
            "fileUpload": {"enableAttachments": true, "modes": [
                {"fileTypes": ["image/png", "Image/JPEG"], "maxFileSizeKB": 2048}
            ]}
        },
        "status": "Active"
    })
}

#[test]
fn maps_every_setting_of_a_full_document() {
    let mapped = WindowConfig::from_deployment_document(&emulator_like());
    assert_eq!(mapped.ignored, Vec::<&str>::new());
    let config = mapped.config;
    assert!(config.from_deployment);
    assert_eq!(config.status, DeploymentStatus::Active);
    let accent = config.accent.unwrap();
    assert_eq!(accent.color.to_string(), "#ffd700");
    assert_eq!(accent.text_color, HexColor::NEAR_BLACK);
    assert_eq!(config.languages, ["en-us", "de"]);
    assert_eq!(config.default_language, "de");
    assert_eq!(config.launcher, LauncherVisibility::OnDemand);
    assert!(config.attachments);
    assert_eq!(
        config.upload_modes,
        [UploadMode {
            file_types: vec!["image/png".into(), "image/jpeg".into()],
            max_file_size_kb: 2048
        }]
    );
    assert!(config.show_agent_typing);
    assert!(!config.show_user_typing);
    assert_eq!(
        config.disconnect,
        ConversationDisconnect {
            enabled: true,
            mode: DisconnectMode::Send
        }
    );
    assert!(config.conversation_clear);
    assert!(config.markdown);
    assert_eq!(
        config.humanize,
        Some(Humanize {
            bot_name: Some("Parley Bot".into()),
            bot_avatar_url: Some("https://cdn.example/bot.png".into()),
        })
    );
}

#[test]
fn an_empty_document_takes_the_deployment_defaults_without_complaint() {
    let mapped = WindowConfig::from_deployment_document(&json!({}));
    assert!(mapped.ignored.is_empty());
    let config = mapped.config;
    assert!(config.from_deployment);
    assert_eq!(config.languages, [DEFAULT_LANGUAGE]);
    assert_eq!(config.default_language, DEFAULT_LANGUAGE);
    assert_eq!(config.launcher, LauncherVisibility::On);
    // A deployment that says nothing about uploads has none: no attach button.
    assert!(!config.attachments);
    assert!(config.upload_modes.is_empty());
    assert!(!config.markdown);
    assert!(!config.conversation_clear);
    assert_eq!(config.accent, None);
    assert_eq!(config.humanize, None);
}

#[test]
fn a_document_that_is_not_an_object_gives_parley_defaults() {
    for document in [json!(null), json!([1, 2]), json!("config"), json!(7)] {
        let mapped = WindowConfig::from_deployment_document(&document);
        assert_eq!(mapped.config, WindowConfig::default());
        assert!(!mapped.config.from_deployment);
        assert_eq!(mapped.ignored, ["(document)"]);
    }
}

#[test]
fn mistyped_or_unknown_values_fall_back_one_setting_at_a_time() {
    let document = json!({
        "status": 3,
        "languages": ["en-us", "<script>", 5],
        "defaultLanguage": "not a tag",
        "messenger": {
            "styles": {"primaryColor": "red; background: url(https://evil)"},
            "launcherButton": {"visibility": "Sometimes"},
            "fileUpload": {"modes": [{"fileTypes": ["image/png"], "maxFileSizeKB": -1}, "x"]},
            "apps": {"conversations": {
                "showAgentTypingIndicator": "yes",
                "conversationDisconnect": {"type": "Explode"},
                "markdown": {"enabled": true},
                "humanize": {"enabled": true, "bot": {"name": "\u{7}  ", "avatarUrl": "javascript:alert(1)"}}
            }}
        }
    });
    let mapped = WindowConfig::from_deployment_document(&document);
    let config = &mapped.config;
    assert_eq!(config.status, DeploymentStatus::Active);
    assert_eq!(config.languages, ["en-us"]);
    assert_eq!(config.default_language, "en-us");
    assert_eq!(config.accent, None);
    assert_eq!(config.launcher, LauncherVisibility::On);
    assert!(!config.attachments);
    assert!(config.show_agent_typing);
    assert_eq!(config.disconnect.mode, DisconnectMode::ReadOnly);
    assert!(
        config.markdown,
        "valid settings beside broken ones still apply"
    );
    assert_eq!(config.humanize, Some(Humanize::default()));
    for pointer in [
        "/status",
        "/languages",
        "/defaultLanguage",
        "/messenger/styles/primaryColor",
        "/messenger/launcherButton/visibility",
        "/messenger/fileUpload/modes",
        "/messenger/apps/conversations/showAgentTypingIndicator",
        "/messenger/apps/conversations/conversationDisconnect/type",
        "/messenger/apps/conversations/humanize/bot/name",
        "/messenger/apps/conversations/humanize/bot/avatarUrl",
    ] {
        assert!(mapped.ignored.contains(&pointer), "{pointer} not reported");
    }
}

#[test]
fn inactive_status_or_disabled_messenger_make_the_deployment_inactive() {
    let inactive = json!({"status": "Inactive"});
    assert_eq!(
        WindowConfig::from_deployment_document(&inactive)
            .config
            .status,
        DeploymentStatus::Inactive
    );
    let disabled = json!({"status": "Active", "messenger": {"enabled": false}});
    assert_eq!(
        WindowConfig::from_deployment_document(&disabled)
            .config
            .status,
        DeploymentStatus::Inactive
    );
}

#[test]
fn attachments_switched_off_hide_the_button_even_with_modes() {
    let document = json!({"messenger": {"fileUpload": {
        "enableAttachments": false,
        "modes": [{"fileTypes": ["image/png"], "maxFileSizeKB": 10}]
    }}});
    let config = WindowConfig::from_deployment_document(&document).config;
    assert!(!config.attachments);
    assert!(config.upload_modes.is_empty());
}

#[test]
fn a_mode_without_a_size_gets_the_default_size() {
    let document = json!({"messenger": {"fileUpload": {"modes": [{"fileTypes": ["*/*"]}]}}});
    let config = WindowConfig::from_deployment_document(&document).config;
    assert!(config.attachments);
    assert_eq!(
        config.upload_modes[0].max_file_size_kb,
        DEFAULT_MAX_FILE_SIZE_KB
    );
}

#[test]
fn the_default_language_joins_the_list_when_the_list_omits_it() {
    let document = json!({"languages": ["fr"], "defaultLanguage": "de_DE"});
    let config = WindowConfig::from_deployment_document(&document).config;
    assert_eq!(config.default_language, "de-de");
    assert_eq!(config.languages, ["de-de", "fr"]);
    let document = json!({"languages": ["fr", "nl"]});
    let config = WindowConfig::from_deployment_document(&document).config;
    assert_eq!(config.default_language, "fr");
}

#[test]
fn humanize_off_means_no_bot_face() {
    let document = json!({"messenger": {"apps": {"conversations": {
        "humanize": {"enabled": false, "bot": {"name": "Bot"}}
    }}}});
    assert_eq!(
        WindowConfig::from_deployment_document(&document)
            .config
            .humanize,
        None
    );
}

#[test]
fn serialises_in_camel_case_with_hex_colours() {
    let config = WindowConfig::from_deployment_document(&emulator_like()).config;
    let json = serde_json::to_value(&config).unwrap();
    assert_eq!(json["fromDeployment"], true);
    assert_eq!(json["status"], "Active");
    assert_eq!(
        json["accent"],
        json!({"color": "#ffd700", "textColor": "#111111"})
    );
    assert_eq!(json["defaultLanguage"], "de");
    assert_eq!(json["launcher"], "OnDemand");
    assert_eq!(json["uploadModes"][0]["maxFileSizeKb"], 2048);
    assert_eq!(json["showAgentTypingIndicator"], serde_json::Value::Null);
    assert_eq!(json["showAgentTyping"], true);
    assert_eq!(json["disconnect"], json!({"enabled": true, "mode": "Send"}));
    assert_eq!(json["conversationClear"], true);
    assert_eq!(json["humanize"]["botName"], "Parley Bot");
    let back: WindowConfig = serde_json::from_value(json).unwrap();
    assert_eq!(back, config);
}

#[test]
fn decoding_an_empty_object_gives_the_defaults() {
    let config: WindowConfig = serde_json::from_str("{}").unwrap();
    assert_eq!(config, WindowConfig::default());
}

#[test]
fn a_served_accent_that_is_not_hex_is_refused_by_the_client_decoder() {
    let bad = json!({"accent": {"color": "red;}", "textColor": "#fff"}});
    assert!(serde_json::from_value::<WindowConfig>(bad).is_err());
}
