//! The window's own state, apart from the conversation: open or minimised, whether the page
//! is visible, how many agent messages arrived unseen, and the language.

use leptos::prelude::*;

use crate::i18n::{Key, Locale};

/// Open/minimised, visibility and unread count (all `Copy`; provided as context).
#[derive(Clone, Copy)]
pub struct WindowState {
    /// The chat window is open (else only the loader's launcher shows).
    pub open: RwSignal<bool>,
    /// The page is visible (`document.visibilityState`).
    pub page_visible: RwSignal<bool>,
    /// Agent messages the visitor has not seen.
    pub unread: RwSignal<u32>,
    /// The language.
    pub locale: Locale,
    /// The header title.
    pub title: StoredValue<String>,
    /// The half-typed message: the composer's own state (not the conversation's), kept in
    /// storage by the window so it survives a reload or a navigation.
    pub draft: RwSignal<String>,
    /// The host set `storage="session"`: the shared-computer choice is made and cannot be
    /// undone by the visitor.
    pub session_only_by_host: StoredValue<bool>,
    /// Nothing of the conversation outlives the tab (the host's `storage="session"` or the
    /// visitor's shared-computer choice).
    pub tab_only: RwSignal<bool>,
}

impl WindowState {
    /// Minimised, visible, nothing unread.
    pub fn new(locale: Locale, title: Option<String>) -> WindowState {
        WindowState {
            open: RwSignal::new(false),
            page_visible: RwSignal::new(true),
            unread: RwSignal::new(0),
            locale,
            title: StoredValue::new(title.unwrap_or_else(|| locale.text(Key::HeaderTitle).into())),
            draft: RwSignal::new(String::new()),
            session_only_by_host: StoredValue::new(false),
            tab_only: RwSignal::new(false),
        }
    }

    /// Whether the visitor can see the transcript right now.
    pub fn seen(&self) -> bool {
        self.open.get_untracked() && self.page_visible.get_untracked()
    }

    /// Counts `n` agent messages that arrived; unseen ones become unread.
    pub fn arrived(&self, n: u32) {
        if n > 0 && !self.seen() {
            self.unread.update(|u| *u += n);
        }
    }

    /// The transcript is visible again: nothing is unread.
    pub fn mark_seen(&self) {
        if self.seen() && self.unread.get_untracked() != 0 {
            self.unread.set(0);
        }
    }

    /// The string for `key` in the window's language.
    pub fn t(&self, key: Key) -> &'static str {
        self.locale.text(key)
    }
}
