//! The window's own state, apart from the conversation: open or minimised, whether the page
//! is visible, how many agent messages arrived unseen, and the language.

use std::collections::BTreeMap;

use leptos::prelude::*;
use parley_shared::prechat::{Field, unfilled};

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
    /// The pre-chat form's fields (empty: no form).
    pub prechat_fields: StoredValue<Vec<Field>>,
    /// Custom attributes from the host page (`window.parley.setAttributes`); they also fill
    /// pre-chat fields of the same key.
    pub host_attributes: RwSignal<BTreeMap<String, String>>,
    /// The visitor's answers to the pre-chat form (kept in storage until the conversation is
    /// over).
    pub prechat_answers: RwSignal<BTreeMap<String, String>>,
    /// The visitor has answered the pre-chat form (the answers may all be empty and optional).
    pub prechat_answered: RwSignal<bool>,
    /// The visitor asked for a chime when an agent message arrives unseen.
    pub sound: RwSignal<bool>,
    /// The visitor asked for a browser notification while the tab is hidden.
    pub notify: RwSignal<bool>,
    /// The visitor asked for notifications and the browser refused them.
    pub notify_blocked: RwSignal<bool>,
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
            prechat_fields: StoredValue::new(Vec::new()),
            host_attributes: RwSignal::new(BTreeMap::new()),
            prechat_answers: RwSignal::new(BTreeMap::new()),
            prechat_answered: RwSignal::new(false),
            sound: RwSignal::new(false),
            notify: RwSignal::new(false),
            notify_blocked: RwSignal::new(false),
        }
    }

    /// Whether the pre-chat form stands before the first message: it has fields that the host
    /// did not fill and the visitor did not answer yet.
    pub fn prechat_pending(&self) -> bool {
        !self.prechat_answered.get()
            && self.host_attributes.with(|host| {
                self.prechat_fields
                    .with_value(|fields| !unfilled(fields, host).is_empty())
            })
    }

    /// The custom attributes the conversation carries: the host's, and the visitor's answers
    /// (for the fields the host left to them).
    pub fn custom_attributes(&self) -> BTreeMap<String, String> {
        let mut attributes = self.prechat_answers.get();
        attributes.retain(|_, value| !value.is_empty());
        attributes.extend(self.host_attributes.get());
        attributes
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
