//! The guest token in `localStorage["parley.token"]` (UI-CONTRACT.md), so a reload resumes
//! the conversation, and the messages not yet confirmed in `localStorage["parley.outbox"]`
//! (with the token they belong to), so a reload, a navigation or a crash cannot lose them:
//! the engine asks for both ([`Effect::PersistToken`], [`Effect::PersistOutbox`]) and gets them
//! back at construction. Storage may be unavailable (privacy modes): then nothing is resumed.
//!
//! [`Effect::PersistToken`]: parley_shared::engine::Effect::PersistToken
//! [`Effect::PersistOutbox`]: parley_shared::engine::Effect::PersistOutbox

use parley_shared::engine::PendingMessage;
use serde::{Deserialize, Serialize};

/// The storage key, fixed by the UI contract.
pub const TOKEN_KEY: &str = "parley.token";

/// Where the unconfirmed messages are kept.
pub const OUTBOX_KEY: &str = "parley.outbox";

/// The stored outbox: the messages and the session they were written in.
#[derive(Serialize, Deserialize)]
struct StoredOutbox {
    token: Option<String>,
    messages: Vec<PendingMessage>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The stored token, if any.
pub fn load_token() -> Option<String> {
    storage()?
        .get_item(TOKEN_KEY)
        .ok()
        .flatten()
        .filter(|t| !t.is_empty())
}

/// Stores the token (a secret: never logged).
pub fn save_token(token: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(TOKEN_KEY, token);
    }
}

/// Deletes the stored token.
pub fn forget_token() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(TOKEN_KEY);
    }
}

/// Stores the messages not yet confirmed (replacing what was there); deletes the entry when
/// there are none. False when messages could not be stored (no storage, storage full): a
/// reload would then lose them.
pub fn save_outbox(token: Option<String>, messages: Vec<PendingMessage>) -> bool {
    let storage = storage();
    if messages.is_empty() {
        if let Some(storage) = storage {
            let _ = storage.remove_item(OUTBOX_KEY);
        }
        return true;
    }
    let Some(storage) = storage else { return false };
    serde_json::to_string(&StoredOutbox { token, messages })
        .is_ok_and(|json| storage.set_item(OUTBOX_KEY, &json).is_ok())
}

/// The stored messages, if they belong to `token` (or were written before any session): those
/// of another conversation are not sent into this one.
pub fn load_outbox(token: Option<&str>) -> Vec<PendingMessage> {
    let stored = storage()
        .and_then(|storage| storage.get_item(OUTBOX_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str::<StoredOutbox>(&json).ok());
    match stored {
        Some(stored) if stored.token.is_none() || stored.token.as_deref() == token => {
            stored.messages
        }
        _ => Vec::new(),
    }
}
