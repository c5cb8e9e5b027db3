//! The guest token in `localStorage["parley.token"]` (UI-CONTRACT.md), so a reload resumes
//! the conversation. Storage may be unavailable (privacy modes): then nothing is resumed.

/// The storage key, fixed by the UI contract.
pub const TOKEN_KEY: &str = "parley.token";

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
