//! Other tabs of the site changing the stored conversation token (the browser's `storage`
//! event, which fires in every *other* tab of the origin when `localStorage` changes). The
//! driver hands the token stored *now* to the engine ([`Input::StoredTokenChanged`]), which
//! decides what it means (`shared/src/engine/tabs.rs`): removed → the conversation ended
//! elsewhere; another token → follow it. Nothing here interprets it.
//!
//! With `storage="session"` the token lives in the tab's `sessionStorage`, which no other tab
//! shares: there is nothing to listen to.
//!
//! [`Input::StoredTokenChanged`]: parley_shared::engine::Input::StoredTokenChanged

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::storage;

/// Calls `changed(stored)` with the token stored now whenever another tab changed (or cleared)
/// the stored token. The listener lives as long as the page (its closure is leaked on purpose).
pub fn watch_stored_token(changed: impl Fn(Option<String>) + 'static) {
    if !storage::shared_across_tabs() {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let handler =
        Closure::<dyn FnMut(web_sys::StorageEvent)>::new(move |event: web_sys::StorageEvent| {
            // `key` is null when the other tab cleared the whole storage. A tab whose visitor
            // chose "I'm on a shared computer" since keeps its token to itself.
            let about_token = event.key().is_none_or(|key| key == storage::TOKEN_KEY);
            if about_token && storage::shared_across_tabs() {
                changed(storage::load_token());
            }
        });
    let _ = window.add_event_listener_with_callback("storage", handler.as_ref().unchecked_ref());
    handler.forget();
}
