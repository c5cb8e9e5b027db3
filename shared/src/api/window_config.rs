//! [`WindowConfig`]: what the Genesys admin configured for the Messenger deployment, reduced to
//! the settings Parley's chat window obeys, validated so that the window can use every value as
//! it is.
//!
//! Data flow: parley-server fetches the deployment's public `config.json` (PROTOCOL.md §1.13),
//! maps it here with [`WindowConfig::from_deployment_document`], and hands the result to the
//! window in the session grant (`SessionGrant::window_config`) and from `GET /api/config`.
//! Host-page attributes still win over these values where both set one; that precedence is the
//! window's business, not this type's.
//!
//! Mapping is defensive because the document comes from the network: a missing, mistyped or
//! unknown field takes the default of that one setting and is named in
//! [`Mapped::ignored`]; nothing in the document makes mapping fail. Colours are
//! [`HexColor`]s, links are `http(s)` only, languages are tags, names are plain text: nothing
//! CSS- or HTML-shaped reaches the window.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::color::{HexColor, readable_text_on};

/// The Messenger settings the chat window obeys. JSON in camelCase; every field has a default,
/// so clients decode documents from older or newer servers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WindowConfig {
    /// Whether this reflects the deployment's document (`true`) or is Parley's defaults because
    /// the document could not be fetched or read (`false`).
    pub from_deployment: bool,
    /// `status` (and `messenger.enabled`): an inactive deployment shows no launcher and the
    /// window logs a console warning.
    pub status: DeploymentStatus,
    /// `messenger.styles.primaryColor` and the text colour that reads on it; `None` keeps the
    /// stylesheet's own accent (absent or not a hex colour in the document).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accent: Option<Accent>,
    /// `languages`: the language tags the visitor may choose from, lower case (`en-us`, `de`).
    /// Never empty; always contains `default_language`.
    pub languages: Vec<String>,
    /// `defaultLanguage`: the language used when the visitor's own is not in `languages`.
    pub default_language: String,
    /// `messenger.launcherButton.visibility`.
    pub launcher: LauncherVisibility,
    /// `messenger.fileUpload`: whether the window offers an attach button at all.
    pub attachments: bool,
    /// `messenger.fileUpload.modes`: what may be attached. Empty with `attachments` on means
    /// "no rules known here": the socket's `allowedMedia` still decides.
    pub upload_modes: Vec<UploadMode>,
    /// `messenger.apps.conversations.showAgentTypingIndicator`.
    pub show_agent_typing: bool,
    /// `messenger.apps.conversations.showUserTypingIndicator`: send the guest's typing events.
    pub show_user_typing: bool,
    /// `messenger.apps.conversations.conversationDisconnect`.
    pub disconnect: ConversationDisconnect,
    /// `messenger.apps.conversations.conversationClear.enabled`: ending the chat clears the
    /// conversation (Presence `Clear`) instead of only closing the session.
    pub conversation_clear: bool,
    /// `messenger.apps.conversations.markdown.enabled`: render agent text as limited markdown
    /// (bold, italic, links, lists, code; rendered as DOM, never as HTML).
    pub markdown: bool,
    /// `messenger.apps.conversations.humanize`: the bot's display name and avatar; `None` when
    /// humanize is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub humanize: Option<Humanize>,
}

impl Default for WindowConfig {
    /// Parley's behaviour when the deployment's document is unknown: what the window did before
    /// it read deployments (typing both ways, attachments as the socket allows, read-only after
    /// a disconnect, plain text).
    fn default() -> Self {
        Self {
            from_deployment: false,
            status: DeploymentStatus::Active,
            accent: None,
            languages: vec![DEFAULT_LANGUAGE.to_owned()],
            default_language: DEFAULT_LANGUAGE.to_owned(),
            launcher: LauncherVisibility::On,
            attachments: true,
            upload_modes: Vec::new(),
            show_agent_typing: true,
            show_user_typing: true,
            disconnect: ConversationDisconnect::default(),
            conversation_clear: false,
            markdown: false,
            humanize: None,
        }
    }
}

/// The language used when the document names none.
pub const DEFAULT_LANGUAGE: &str = "en-us";

/// Default largest upload when a mode names no `maxFileSizeKB` (Genesys' default, 10 MB).
pub const DEFAULT_MAX_FILE_SIZE_KB: u32 = 10 * 1024;

/// Whether the deployment is live.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeploymentStatus {
    /// Messenger is on.
    #[default]
    Active,
    /// Switched off by the admin (or `messenger.enabled: false`).
    Inactive,
}

/// The accent colour and the text colour painted on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Accent {
    /// The admin's primary colour, `#rrggbb`.
    pub color: HexColor,
    /// White or (near-)black, whichever keeps WCAG AA (4.5:1) on `color`.
    pub text_color: HexColor,
}

impl Accent {
    /// The accent for `color`, with its computed text colour.
    pub fn new(color: HexColor) -> Accent {
        Accent {
            color,
            text_color: readable_text_on(color),
        }
    }
}

/// When the launcher button shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LauncherVisibility {
    /// Always.
    #[default]
    On,
    /// Never; the host opens the window itself.
    Off,
    /// Hidden until the host calls `window.parley.open()`.
    OnDemand,
}

/// One upload rule: these MIME types, up to this size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadMode {
    /// MIME types or patterns (`image/png`, `image/*`), lower case; never empty.
    pub file_types: Vec<String>,
    /// Largest file, in KB.
    pub max_file_size_kb: u32,
}

/// What happens when the agent or bot disconnects the conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationDisconnect {
    /// Show the conversation's end to the visitor (`enabled`).
    pub enabled: bool,
    /// `type`: read-only after the end, or a new message starts a new conversation.
    pub mode: DisconnectMode,
}

impl Default for ConversationDisconnect {
    fn default() -> Self {
        Self {
            enabled: true,
            mode: DisconnectMode::ReadOnly,
        }
    }
}

/// `conversationDisconnect.type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DisconnectMode {
    /// The composer closes; the visitor reads but cannot write.
    #[default]
    ReadOnly,
    /// The visitor may send again, which starts a new conversation.
    Send,
}

/// The bot's human face.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Humanize {
    /// Display name (plain text, at most [`MAX_BOT_NAME_CHARS`] characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_name: Option<String>,
    /// Avatar image URL, `https://` (or `http://`) only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_avatar_url: Option<String>,
}

/// Longest bot name kept.
pub const MAX_BOT_NAME_CHARS: usize = 64;

/// Longest avatar URL kept.
const MAX_URL_CHARS: usize = 2048;

/// The result of mapping a deployment document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapped {
    /// The settings.
    pub config: WindowConfig,
    /// Document paths that were present but unusable and so took their default (for a warning
    /// in the server's log; never shown to visitors).
    pub ignored: Vec<&'static str>,
}

impl WindowConfig {
    /// Maps a Genesys deployment `config.json` (PROTOCOL.md §1.13). A document that is not a JSON
    /// object gives the defaults with `ignored == ["(document)"]`.
    pub fn from_deployment_document(document: &Value) -> Mapped {
        let mut ignored = Vec::new();
        if !document.is_object() {
            return Mapped {
                config: WindowConfig::default(),
                ignored: vec!["(document)"],
            };
        }
        let mut read = Reader {
            document,
            ignored: &mut ignored,
        };
        let config = read.window_config();
        Mapped { config, ignored }
    }
}

/// Reads one setting at a time; a present but unusable value is recorded in `ignored`.
struct Reader<'a> {
    document: &'a Value,
    ignored: &'a mut Vec<&'static str>,
}

const CONVERSATIONS: &str = "/messenger/apps/conversations";

impl Reader<'_> {
    fn window_config(&mut self) -> WindowConfig {
        let defaults = WindowConfig::default();
        let inactive = self.text("/status").is_some_and(|s| s == "inactive")
            || self.flag("/messenger/enabled") == Some(false);
        let accent = self.field("/messenger/styles/primaryColor", |value| {
            value.as_str().and_then(HexColor::parse).map(Accent::new)
        });
        let (languages, default_language) = self.languages();
        let launcher = self.field("/messenger/launcherButton/visibility", |value| match value
            .as_str()?
            .to_ascii_lowercase()
            .as_str()
        {
            "on" => Some(LauncherVisibility::On),
            "off" => Some(LauncherVisibility::Off),
            "ondemand" => Some(LauncherVisibility::OnDemand),
            _ => None,
        });
        let upload_modes = self.upload_modes();
        let attachments_enabled = self.flag("/messenger/fileUpload/enableAttachments");
        let disconnect_mode = self.field(
            &format!("{CONVERSATIONS}/conversationDisconnect/type"),
            |value| match value.as_str()?.to_ascii_lowercase().as_str() {
                "readonly" => Some(DisconnectMode::ReadOnly),
                "send" => Some(DisconnectMode::Send),
                _ => None,
            },
        );
        WindowConfig {
            from_deployment: true,
            status: if inactive {
                DeploymentStatus::Inactive
            } else {
                DeploymentStatus::Active
            },
            accent,
            languages,
            default_language,
            launcher: launcher.unwrap_or_default(),
            attachments: attachments_enabled != Some(false) && !upload_modes.is_empty(),
            upload_modes: if attachments_enabled == Some(false) {
                Vec::new()
            } else {
                upload_modes
            },
            show_agent_typing: self
                .flag(&format!("{CONVERSATIONS}/showAgentTypingIndicator"))
                .unwrap_or(defaults.show_agent_typing),
            show_user_typing: self
                .flag(&format!("{CONVERSATIONS}/showUserTypingIndicator"))
                .unwrap_or(defaults.show_user_typing),
            disconnect: ConversationDisconnect {
                enabled: self
                    .flag(&format!("{CONVERSATIONS}/conversationDisconnect/enabled"))
                    .unwrap_or(defaults.disconnect.enabled),
                mode: disconnect_mode.unwrap_or_default(),
            },
            conversation_clear: self
                .flag(&format!("{CONVERSATIONS}/conversationClear/enabled"))
                .unwrap_or(false),
            markdown: self
                .flag(&format!("{CONVERSATIONS}/markdown/enabled"))
                .unwrap_or(false),
            humanize: self.humanize(),
        }
    }

    /// The value at `pointer` mapped by `parse`; a present value `parse` refuses is recorded.
    fn field<T>(&mut self, pointer: &str, parse: impl FnOnce(&Value) -> Option<T>) -> Option<T> {
        let value = self.document.pointer(pointer).filter(|v| !v.is_null())?;
        let parsed = parse(value);
        if parsed.is_none() {
            self.ignore(pointer);
        }
        parsed
    }

    fn flag(&mut self, pointer: &str) -> Option<bool> {
        self.field(pointer, Value::as_bool)
    }

    fn text(&mut self, pointer: &str) -> Option<String> {
        self.field(pointer, |v| {
            v.as_str().map(|s| s.trim().to_ascii_lowercase())
        })
    }

    /// Records `pointer` as ignored. Pointers are matched against a fixed list so that the log
    /// carries only `'static` names chosen by Parley, never text from the document.
    fn ignore(&mut self, pointer: &str) {
        let known = KNOWN_POINTERS
            .iter()
            .find(|known| **known == pointer)
            .copied()
            .unwrap_or("(other)");
        if !self.ignored.contains(&known) {
            self.ignored.push(known);
        }
    }

    fn languages(&mut self) -> (Vec<String>, String) {
        let mut languages: Vec<String> = Vec::new();
        if let Some(list) = self.field("/languages", |v| v.as_array().cloned()) {
            for tag in list
                .iter()
                .filter_map(|v| v.as_str().and_then(language_tag))
            {
                if !languages.contains(&tag) {
                    languages.push(tag);
                }
            }
            if languages.len() < list.len() {
                self.ignore("/languages");
            }
        }
        let default = self
            .field("/defaultLanguage", |v| v.as_str().and_then(language_tag))
            .or_else(|| languages.first().cloned())
            .unwrap_or_else(|| DEFAULT_LANGUAGE.to_owned());
        if !languages.contains(&default) {
            languages.insert(0, default.clone());
        }
        (languages, default)
    }

    fn upload_modes(&mut self) -> Vec<UploadMode> {
        let Some(modes) = self.field("/messenger/fileUpload/modes", |v| v.as_array().cloned())
        else {
            return Vec::new();
        };
        let mut usable = Vec::new();
        for mode in &modes {
            let file_types: Vec<String> = mode
                .get("fileTypes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().and_then(mime_pattern))
                .collect();
            let max_file_size_kb = match mode.get("maxFileSizeKB") {
                None | Some(Value::Null) => Some(DEFAULT_MAX_FILE_SIZE_KB),
                Some(size) => size.as_u64().and_then(|kb| u32::try_from(kb).ok()),
            };
            match max_file_size_kb {
                Some(max_file_size_kb) if !file_types.is_empty() && max_file_size_kb > 0 => usable
                    .push(UploadMode {
                        file_types,
                        max_file_size_kb,
                    }),
                _ => self.ignore("/messenger/fileUpload/modes"),
            }
        }
        usable
    }

    fn humanize(&mut self) -> Option<Humanize> {
        let enabled = self.flag(&format!("{CONVERSATIONS}/humanize/enabled"))?;
        if !enabled {
            return None;
        }
        let bot_name = self.field(&format!("{CONVERSATIONS}/humanize/bot/name"), |v| {
            v.as_str().and_then(display_name)
        });
        let bot_avatar_url = self.field(&format!("{CONVERSATIONS}/humanize/bot/avatarUrl"), |v| {
            v.as_str().and_then(image_url)
        });
        Some(Humanize {
            bot_name,
            bot_avatar_url,
        })
    }
}

/// Every pointer [`Reader::ignore`] may name.
const KNOWN_POINTERS: &[&str] = &[
    "/status",
    "/languages",
    "/defaultLanguage",
    "/messenger/enabled",
    "/messenger/styles/primaryColor",
    "/messenger/launcherButton/visibility",
    "/messenger/fileUpload/enableAttachments",
    "/messenger/fileUpload/modes",
    "/messenger/apps/conversations/showAgentTypingIndicator",
    "/messenger/apps/conversations/showUserTypingIndicator",
    "/messenger/apps/conversations/conversationDisconnect/enabled",
    "/messenger/apps/conversations/conversationDisconnect/type",
    "/messenger/apps/conversations/conversationClear/enabled",
    "/messenger/apps/conversations/markdown/enabled",
    "/messenger/apps/conversations/humanize/enabled",
    "/messenger/apps/conversations/humanize/bot/name",
    "/messenger/apps/conversations/humanize/bot/avatarUrl",
];

/// A language tag (`en-us`, `de`, `zh-hant-tw`) in lower case, or `None`.
fn language_tag(text: &str) -> Option<String> {
    let tag = text.trim().to_ascii_lowercase();
    let mut subtags = tag.split(['-', '_']);
    let primary = subtags.next()?;
    let plausible = (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
        && tag.len() <= 35;
    plausible.then(|| tag.replace('_', "-"))
}

/// A MIME type or pattern (`image/png`, `image/*`, `*/*`) in lower case, or `None`.
fn mime_pattern(text: &str) -> Option<String> {
    let mime = text.trim().to_ascii_lowercase();
    let token = |part: &str| {
        !part.is_empty()
            && part.len() <= 127
            && part.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(
                        b,
                        b'!' | b'#' | b'$' | b'&' | b'^' | b'_' | b'.' | b'+' | b'-' | b'*'
                    )
            })
    };
    let (kind, subtype) = mime.split_once('/')?;
    (token(kind) && token(subtype)).then_some(mime)
}

/// A display name: trimmed, control characters dropped, at most [`MAX_BOT_NAME_CHARS`].
fn display_name(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_BOT_NAME_CHARS)
        .collect::<String>()
        .trim()
        .to_owned();
    (!name.is_empty()).then_some(name)
}

/// An absolute `https://` or `http://` URL without whitespace, quotes or angle brackets.
fn image_url(text: &str) -> Option<String> {
    let url = text.trim();
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let clean = !rest.is_empty()
        && !rest.starts_with('/')
        && url.len() <= MAX_URL_CHARS
        && url
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`'));
    clean.then(|| url.to_owned())
}

#[cfg(test)]
#[path = "window_config_tests.rs"]
mod tests;
