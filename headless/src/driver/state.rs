//! `chat --state FILE`: the headless guest's storage, what `localStorage` is to the browser.
//! The engine asks for the token and the unconfirmed messages to be kept
//! ([`Effect::PersistToken`], [`Effect::PersistOutbox`]); this file keeps them between runs, so
//! a guest stopped mid-conversation (Ctrl-C, a crash, a killed CI job) resumes it and sends
//! what it had not seen confirmed, once, when started again with the same file.
//!
//! The file is JSON and holds the session token: a secret, so it is written with owner-only
//! permissions where the platform has them. Each write replaces the file through a rename, so a
//! crash mid-write leaves the previous state, never half of one.
//!
//! [`Effect::PersistToken`]: parley_shared::engine::Effect::PersistToken
//! [`Effect::PersistOutbox`]: parley_shared::engine::Effect::PersistOutbox

use std::path::{Path, PathBuf};

use parley_shared::engine::PendingMessage;
use serde::{Deserialize, Serialize};

/// What a guest keeps between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestState {
    /// The session token to resume (a secret).
    #[serde(default)]
    pub token: Option<String>,
    /// The session the unconfirmed messages were written in.
    #[serde(default)]
    pub outbox_token: Option<String>,
    /// Messages not yet confirmed, oldest first.
    #[serde(default)]
    pub outbox: Vec<PendingMessage>,
}

impl GuestState {
    /// The state in `path`; empty when the file does not exist yet. A file that exists but
    /// cannot be read is an error (better than silently starting over).
    pub fn load(path: &Path) -> Result<GuestState, String> {
        match std::fs::read_to_string(path) {
            Ok(json) => serde_json::from_str(&json)
                .map_err(|error| format!("{}: not a state file: {error}", path.display())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(GuestState::default()),
            Err(error) => Err(format!("{}: {error}", path.display())),
        }
    }

    /// The messages to restore: those written in the stored session or before any session
    /// (the browser driver's rule).
    pub fn restorable_outbox(&self) -> Vec<PendingMessage> {
        if self.outbox_token.is_none() || self.outbox_token == self.token {
            self.outbox.clone()
        } else {
            Vec::new()
        }
    }

    /// Writes the state to `path` (through a temporary file and a rename).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let json = serde_json::to_string_pretty(self).map_err(|error| error.to_string())?;
        let temporary = temporary_path(path);
        write_private(&temporary, json.as_bytes())
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|error| format!("{}: {error}", path.display()))
    }
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley_shared::genesys::MessageType;

    fn message(id: &str) -> PendingMessage {
        PendingMessage {
            client_id: id.into(),
            message_type: MessageType::Text,
            text: "hi".into(),
            content: Vec::new(),
            shown_text: "hi".into(),
            shown_content: Vec::new(),
            custom_attributes: Default::default(),
        }
    }

    #[test]
    fn a_state_survives_a_round_trip_and_a_missing_file_is_empty() {
        let path = std::env::temp_dir().join(format!("parley-state-{}.json", std::process::id()));
        let _ = std::fs::remove_file(&path);
        assert_eq!(GuestState::load(&path), Ok(GuestState::default()));
        let state = GuestState {
            token: Some("t1".into()),
            outbox_token: Some("t1".into()),
            outbox: vec![message("c1")],
        };
        state.save(&path).expect("saved");
        assert_eq!(GuestState::load(&path), Ok(state));
        std::fs::write(&path, "not json").unwrap();
        assert!(
            GuestState::load(&path).is_err(),
            "a broken file is not a fresh start"
        );
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn only_messages_of_the_stored_session_or_of_none_are_restored() {
        let mut state = GuestState {
            token: Some("t2".into()),
            outbox_token: Some("t1".into()),
            outbox: vec![message("c1")],
        };
        assert!(state.restorable_outbox().is_empty());
        state.outbox_token = None;
        assert_eq!(state.restorable_outbox().len(), 1);
        state.outbox_token = Some("t2".into());
        assert_eq!(state.restorable_outbox().len(), 1);
    }
}
