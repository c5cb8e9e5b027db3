//! The guest token in `localStorage["parley.token"]` (UI-CONTRACT.md), so a reload resumes
//! the conversation, and the messages not yet confirmed in `sessionStorage["parley.outbox"]`
//! (with the token they were written under), so a reload, a navigation, a discarded or crashed
//! tab cannot lose them: the engine asks for both ([`Effect::PersistToken`],
//! [`Effect::PersistOutbox`]) and gets them back at construction. Storage may be unavailable
//! (privacy modes): then nothing is resumed, and the driver warns before the page is left.
//!
//! Why the outbox is per tab: the token is the conversation, shared by every tab of the site,
//! but each tab has its own outbox; in `localStorage` a second tab would overwrite (or, with
//! nothing unsent, delete) the first tab's stored messages. `sessionStorage` survives reloads,
//! navigation within the tab and the browser restoring a discarded or crashed tab; it ends
//! with the tab, when the visitor closed it.
//!
//! [`Effect::PersistToken`]: parley_shared::engine::Effect::PersistToken
//! [`Effect::PersistOutbox`]: parley_shared::engine::Effect::PersistOutbox

use parley_shared::engine::PendingMessage;
use serde::{Deserialize, Serialize};

/// The storage key, fixed by the UI contract.
pub const TOKEN_KEY: &str = "parley.token";

/// Where the unconfirmed messages are kept (in `sessionStorage`).
pub const OUTBOX_KEY: &str = "parley.outbox";

/// Where the half-typed message is kept (in `localStorage`: like the conversation it belongs
/// to, it survives a navigation to another page of the site and is shared by its tabs).
pub const DRAFT_KEY: &str = "parley.draft";

/// Where the pre-chat answers are kept (with the token: they belong to the conversation).
pub const PRECHAT_KEY: &str = "parley.prechat";

/// The stored outbox: the messages and the session they were written in (kept for a reader
/// of the storage; restoring does not need it).
#[derive(Serialize, Deserialize)]
struct StoredOutbox {
    token: Option<String>,
    messages: Vec<PendingMessage>,
}

/// Set in `sessionStorage` while the visitor's "I'm on a shared computer" choice is on, so
/// that the tab's next page keeps the conversation in the tab too (and the loader looks for
/// the token there). It ends with the tab, like the choice.
pub const SHARED_COMPUTER_KEY: &str = "parley.sharedComputer";

thread_local! {
    /// `storage="session"` (a shared computer): the token and the draft stay in the tab.
    static TAB_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// From now on the token and the draft are kept in `sessionStorage`: nothing of the
/// conversation outlives the tab. Called at start, before the token is read.
pub fn keep_in_tab_only() {
    TAB_ONLY.with(|tab_only| tab_only.set(true));
}

/// Whether the token and the draft are kept in the tab only.
pub fn tab_only() -> bool {
    TAB_ONLY.with(std::cell::Cell::get)
}

/// Whether the visitor chose "I'm on a shared computer" earlier in this tab.
pub fn shared_computer_chosen() -> bool {
    tab_storage()
        .and_then(|storage| storage.get_item(SHARED_COMPUTER_KEY).ok().flatten())
        .is_some()
}

/// The visitor's "I'm on a shared computer" choice, made while the conversation runs: the
/// token, the draft and the pre-chat answers move to the tab's storage (`on`) — nothing is
/// left in `localStorage`, nothing survives the tab — or back (`off`).
pub fn choose_shared_computer(on: bool) {
    let (Some(local), Some(tab)) = (
        web_sys::window().and_then(|w| w.local_storage().ok().flatten()),
        tab_storage(),
    ) else {
        return;
    };
    let (from, to) = if on { (&local, &tab) } else { (&tab, &local) };
    for key in [TOKEN_KEY, DRAFT_KEY, PRECHAT_KEY] {
        if let Ok(Some(value)) = from.get_item(key) {
            let _ = to.set_item(key, &value);
        }
        let _ = from.remove_item(key);
    }
    let _ = if on {
        tab.set_item(SHARED_COMPUTER_KEY, "1")
    } else {
        tab.remove_item(SHARED_COMPUTER_KEY)
    };
    TAB_ONLY.with(|tab_only| tab_only.set(on));
}

/// Whether the token lives where every tab of the site sees it (`localStorage`), so another
/// tab's change to it concerns this one (`tabs`).
pub fn shared_across_tabs() -> bool {
    !tab_only()
}

/// Where the token and the draft live: `localStorage`, or the tab's with [`keep_in_tab_only`].
fn storage() -> Option<web_sys::Storage> {
    if tab_only() {
        return tab_storage();
    }
    web_sys::window()?.local_storage().ok().flatten()
}

/// This tab's storage.
fn tab_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
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
    let storage = tab_storage();
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

/// This tab's stored messages. They are restored whatever conversation is stored now: if
/// another tab started a new one meanwhile, they go into that one (the engine reconciles them
/// with its history and sends what it does not show), rather than being lost.
pub fn load_outbox() -> Vec<PendingMessage> {
    tab_storage()
        .and_then(|storage| storage.get_item(OUTBOX_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str::<StoredOutbox>(&json).ok())
        .map(|stored| stored.messages)
        .unwrap_or_default()
}

/// The stored draft ("" when none).
pub fn load_draft() -> String {
    storage()
        .and_then(|storage| storage.get_item(DRAFT_KEY).ok().flatten())
        .unwrap_or_default()
}

/// Stores the draft; an empty draft deletes the entry, so nothing is left once it was sent.
pub fn save_draft(draft: &str) {
    if let Some(storage) = storage() {
        let _ = if draft.is_empty() {
            storage.remove_item(DRAFT_KEY)
        } else {
            storage.set_item(DRAFT_KEY, draft)
        };
    }
}

/// The stored pre-chat answers, if the visitor gave them.
pub fn load_prechat() -> Option<std::collections::BTreeMap<String, String>> {
    storage()
        .and_then(|storage| storage.get_item(PRECHAT_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
}

/// Stores the pre-chat answers; `None` deletes them.
pub fn save_prechat(answers: Option<&std::collections::BTreeMap<String, String>>) {
    let Some(storage) = storage() else { return };
    let _ = match answers.and_then(|a| serde_json::to_string(a).ok()) {
        Some(json) => storage.set_item(PRECHAT_KEY, &json),
        None => storage.remove_item(PRECHAT_KEY),
    };
}

/// A stored on/off preference (off when absent).
pub fn load_flag(key: &str) -> bool {
    storage()
        .and_then(|storage| storage.get_item(key).ok().flatten())
        .is_some_and(|value| value == "1")
}

/// Stores an on/off preference; off deletes the entry.
pub fn save_flag(key: &str, on: bool) {
    if let Some(storage) = storage() {
        let _ = if on {
            storage.set_item(key, "1")
        } else {
            storage.remove_item(key)
        };
    }
}
