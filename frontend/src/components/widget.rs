//! The embeddable chat: the launcher and the window, and the focus moves between them
//! (to the composer on open, back to the launcher on close).

use leptos::html::{Button, Textarea};
use leptos::prelude::*;

use super::chat_window::ChatWindow;
use super::composer::{ComposerFocus, focus};
use super::launcher::Launcher;
use crate::window_state::WindowState;

/// Launcher + window. Expects [`WindowState`], [`crate::chat_state::ChatState`] and
/// (optionally) [`crate::commands::Commands`] in context.
#[component]
pub fn ChatWidget() -> impl IntoView {
    let window = expect_context::<WindowState>();
    let launcher = NodeRef::<Button>::new();
    let input = NodeRef::<Textarea>::new();
    provide_context(ComposerFocus { input });
    Effect::new(move |previous: Option<bool>| {
        let open = window.open.get();
        if previous.is_some_and(|was| was != open) {
            request_animation_frame(move || {
                if open {
                    focus_composer(input);
                } else if let Some(button) = launcher.get_untracked() {
                    focus(&button);
                }
            });
        } else if previous.is_none() && open {
            request_animation_frame(move || focus_composer(input));
        }
        open
    });
    view! {
        <div class="parley-root">
            <ChatWindow/>
            <Launcher button_ref=launcher/>
        </div>
    }
}

/// Focuses the message box, or the first enabled button of the composer when it is disabled.
fn focus_composer(input: NodeRef<Textarea>) {
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
