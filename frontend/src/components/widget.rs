//! The embeddable chat window and where focus goes when it opens (the message box). The
//! launcher belongs to the loader (`loader/parley.js`), which draws it before the wasm exists
//! and moves focus back to it when the window reports `close`.

use leptos::html::Textarea;
use leptos::prelude::*;

use super::chat_window::ChatWindow;
use super::composer::{ComposerFocus, focus};
use crate::window_state::WindowState;

/// The window. Expects [`WindowState`], [`crate::chat_state::ChatState`] and (optionally)
/// [`crate::commands::Commands`] in context.
#[component]
pub fn ChatWidget() -> impl IntoView {
    let window = expect_context::<WindowState>();
    let input = NodeRef::<Textarea>::new();
    let prechat = NodeRef::new();
    provide_context(ComposerFocus { input, prechat });
    Effect::new(move |previous: Option<bool>| {
        let open = window.open.get();
        if open && previous != Some(true) {
            request_animation_frame(move || focus_composer(window, input, prechat));
        }
        open
    });
    view! { <ChatWindow/> }
}

/// Focuses the message box, or the first enabled button of the composer when it is disabled,
/// or the pre-chat form's first field while it stands in the composer's place.
fn focus_composer(
    window: WindowState,
    input: NodeRef<Textarea>,
    prechat: NodeRef<leptos::html::Form>,
) {
    if window.prechat_pending() {
        if let Some(Ok(Some(field))) = prechat.get_untracked().map(|f| f.query_selector("input")) {
            focus(&field);
        }
        return;
    }
    let Some(textarea) = input.get_untracked() else {
        return;
    };
    if !textarea.disabled() {
        focus(&textarea);
    } else if let Some(area) = textarea.closest(".parley-composer-area").ok().flatten()
        && let Ok(Some(button)) = area.query_selector("button:not([disabled])")
    {
        focus(&button);
    }
}
