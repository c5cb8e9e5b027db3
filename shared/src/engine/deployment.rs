//! What the Genesys admin decided in the Messenger deployment (PROTOCOL.md §1.13, mapped to
//! [`WindowConfig`] by the server) that changes conversation rules, not only looks:
//!
//! - **Uploads** (`messenger.fileUpload`): which MIME types may be attached and how large, so
//!   a file the deployment refuses is refused before any byte leaves the browser, in the
//!   visitor's words, rather than after a round trip as a server error. The session's own
//!   `allowedMedia` (checked in `attaching`) still applies on top.
//! - **After a disconnect** (`conversationDisconnect.type`, §1.8): `ReadOnly` ends the
//!   conversation when the agent or flow disconnects — the composer closes until "Start new
//!   chat" — even if the Presence event carries no `readOnly` mark; `Send` lets the visitor
//!   keep writing, and the next message starts a new conversation server-side (PROTOCOL.md
//!   §1.8: "with type `Send` the guest may keep writing and a new conversation starts"), so the
//!   custom attributes go again with it. A `readOnly` mark from the server always wins: the
//!   server would refuse the message.
//! - **Ending clears** (`conversationClear.enabled`, §1.4.4): "End chat" sends Presence `Clear`
//!   instead of `closeSession`; its `SessionClearedEvent` wipes everything the engine holds.
//!
//! Parley's defaults (no deployment document) keep the engine's earlier behaviour: uploads as
//! the session allows, the server's `readOnly` mark decides, ending closes the session.

use crate::api::{DisconnectMode, UploadMode, WindowConfig};

use super::Refused;

/// The deployment's rules the engine applies; see the module docs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeploymentRules {
    /// What may be attached.
    pub uploads: UploadRules,
    /// What a Presence Disconnect does.
    pub after_disconnect: AfterDisconnect,
    /// "End chat" clears the conversation (Presence `Clear`) instead of closing the session.
    pub clear_on_end: bool,
}

impl DeploymentRules {
    /// The rules of a deployment's [`WindowConfig`]. A config that is Parley's defaults (the
    /// document could not be read) gives [`DeploymentRules::default`]: nothing is refused or
    /// decided on the strength of settings nobody made.
    pub fn from_window_config(config: &WindowConfig) -> DeploymentRules {
        if !config.from_deployment {
            return DeploymentRules::default();
        }
        let uploads = if !config.attachments {
            UploadRules::Off
        } else if config.upload_modes.is_empty() {
            UploadRules::AsTheSessionAllows
        } else {
            UploadRules::Modes(config.upload_modes.clone())
        };
        let after_disconnect = match (config.disconnect.enabled, config.disconnect.mode) {
            (false, _) => AfterDisconnect::AsTheServerSays,
            (true, DisconnectMode::ReadOnly) => AfterDisconnect::ReadOnly,
            (true, DisconnectMode::Send) => AfterDisconnect::KeepWriting,
        };
        DeploymentRules {
            uploads,
            after_disconnect,
            clear_on_end: config.conversation_clear,
        }
    }
}

/// What the deployment lets the visitor attach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum UploadRules {
    /// No rules known here: the session's `allowedMedia` decides.
    #[default]
    AsTheSessionAllows,
    /// Attachments are switched off: every file is refused.
    Off,
    /// A file must match one of these modes' types and be within that mode's size.
    Modes(Vec<UploadMode>),
}

impl UploadRules {
    /// Whether a file of `mime` type and `size` bytes may be attached. A file whose type several
    /// modes accept may be as large as the most generous of them.
    pub fn check(&self, mime: &str, size: u64) -> Result<(), Refused> {
        let modes = match self {
            UploadRules::AsTheSessionAllows => return Ok(()),
            UploadRules::Off => &[][..],
            UploadRules::Modes(modes) => modes.as_slice(),
        };
        let max_kb = modes
            .iter()
            .filter(|mode| {
                mode.file_types
                    .iter()
                    .any(|pattern| mime_matches(pattern, mime))
            })
            .map(|mode| u64::from(mode.max_file_size_kb))
            .max();
        let Some(max_kb) = max_kb else {
            return Err(Refused::FileTypeNotAllowed {
                mime: mime.to_owned(),
            });
        };
        let max_bytes = max_kb.saturating_mul(1024);
        if size > max_bytes {
            return Err(Refused::FileTooLarge { size, max_bytes });
        }
        Ok(())
    }

    /// The file input's `accept` list (`image/png,image/*`), or `None` when any type may be
    /// picked here (no rules, or a mode accepting `*/*`).
    pub fn accept(&self) -> Option<String> {
        let UploadRules::Modes(modes) = self else {
            return None;
        };
        let patterns: Vec<&str> = modes
            .iter()
            .flat_map(|mode| mode.file_types.iter().map(String::as_str))
            .collect();
        (!patterns.contains(&"*/*")).then(|| patterns.join(","))
    }
}

/// `type/subtype`, `type/*` or `*/*` against a file's MIME type, ignoring case and parameters
/// (`text/plain; charset=utf-8`).
fn mime_matches(pattern: &str, mime: &str) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    let mime = mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match pattern.split_once('/') {
        Some(("*", "*")) => true,
        Some((kind, "*")) => mime.split_once('/').is_some_and(|(k, _)| k == kind),
        _ => pattern == mime,
    }
}

/// What a Presence Disconnect from the agent or flow does to the conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AfterDisconnect {
    /// Read-only only when the event carries `metadata.readOnly:"true"` (no deployment known,
    /// or the deployment does not show disconnects).
    #[default]
    AsTheServerSays,
    /// `ReadOnly`: the conversation ends; "Start new chat" to write again.
    ReadOnly,
    /// `Send`: the visitor may keep writing; the next message starts a new conversation.
    KeepWriting,
}

impl AfterDisconnect {
    /// Whether a disconnect the server marked (or not) `readOnly` ends the conversation.
    pub fn ends_conversation(self, marked_read_only: bool) -> bool {
        marked_read_only || self == AfterDisconnect::ReadOnly
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ConversationDisconnect, WindowConfig};

    fn mode(types: &[&str], max_kb: u32) -> UploadMode {
        UploadMode {
            file_types: types.iter().map(|t| (*t).to_owned()).collect(),
            max_file_size_kb: max_kb,
        }
    }

    #[test]
    fn a_file_must_match_a_mode_type_and_fit_that_modes_size() {
        let rules = UploadRules::Modes(vec![mode(&["image/png", "image/jpeg"], 100)]);
        assert_eq!(rules.check("image/png", 100 * 1024), Ok(()));
        assert_eq!(rules.check("IMAGE/JPEG", 1), Ok(()), "case does not matter");
        assert_eq!(
            rules.check("image/png", 100 * 1024 + 1),
            Err(Refused::FileTooLarge {
                size: 100 * 1024 + 1,
                max_bytes: 100 * 1024
            })
        );
        assert_eq!(
            rules.check("application/pdf", 1),
            Err(Refused::FileTypeNotAllowed {
                mime: "application/pdf".into()
            })
        );
    }

    #[test]
    fn wildcards_match_and_the_most_generous_matching_mode_sets_the_size() {
        let rules = UploadRules::Modes(vec![
            mode(&["image/*"], 10),
            mode(&["image/png", "text/plain"], 50),
        ]);
        assert_eq!(rules.check("image/gif", 10 * 1024), Ok(()));
        assert!(rules.check("image/gif", 10 * 1024 + 1).is_err());
        assert_eq!(rules.check("image/png", 50 * 1024), Ok(()));
        assert_eq!(rules.check("text/plain; charset=utf-8", 5), Ok(()));
        assert!(rules.check("video/mp4", 1).is_err());
        let any = UploadRules::Modes(vec![mode(&["*/*"], 1)]);
        assert_eq!(any.check("application/x-whatever", 1024), Ok(()));
        assert_eq!(any.accept(), None, "every type may be picked");
    }

    #[test]
    fn off_refuses_everything_and_no_rules_refuse_nothing() {
        assert!(matches!(
            UploadRules::Off.check("image/png", 1),
            Err(Refused::FileTypeNotAllowed { .. })
        ));
        assert_eq!(
            UploadRules::AsTheSessionAllows.check("application/x-msdownload", u64::MAX),
            Ok(())
        );
    }

    #[test]
    fn accept_lists_every_modes_types() {
        let rules = UploadRules::Modes(vec![mode(&["image/png"], 1), mode(&["text/plain"], 1)]);
        assert_eq!(rules.accept().as_deref(), Some("image/png,text/plain"));
        assert_eq!(UploadRules::Off.accept().as_deref(), None);
    }

    #[test]
    fn rules_follow_the_deployment_and_only_a_real_one() {
        let mut config = WindowConfig {
            from_deployment: true,
            attachments: true,
            upload_modes: vec![mode(&["image/png"], 5)],
            disconnect: ConversationDisconnect {
                enabled: true,
                mode: DisconnectMode::Send,
            },
            conversation_clear: true,
            ..WindowConfig::default()
        };
        let rules = DeploymentRules::from_window_config(&config);
        assert_eq!(
            rules.uploads,
            UploadRules::Modes(vec![mode(&["image/png"], 5)])
        );
        assert_eq!(rules.after_disconnect, AfterDisconnect::KeepWriting);
        assert!(rules.clear_on_end);

        config.attachments = false;
        config.disconnect.mode = DisconnectMode::ReadOnly;
        let rules = DeploymentRules::from_window_config(&config);
        assert_eq!(rules.uploads, UploadRules::Off);
        assert_eq!(rules.after_disconnect, AfterDisconnect::ReadOnly);

        config.disconnect.enabled = false;
        let rules = DeploymentRules::from_window_config(&config);
        assert_eq!(rules.after_disconnect, AfterDisconnect::AsTheServerSays);

        config.from_deployment = false;
        assert_eq!(
            DeploymentRules::from_window_config(&config),
            DeploymentRules::default()
        );
    }

    #[test]
    fn a_servers_read_only_mark_always_ends_the_conversation() {
        assert!(AfterDisconnect::KeepWriting.ends_conversation(true));
        assert!(!AfterDisconnect::KeepWriting.ends_conversation(false));
        assert!(AfterDisconnect::ReadOnly.ends_conversation(false));
        assert!(!AfterDisconnect::AsTheServerSays.ends_conversation(false));
    }
}
