//! "Alex is typing…" with animated dots (still under `prefers-reduced-motion`), shown only
//! while the engine says the agent types and the deployment shows agent typing.

use leptos::prelude::*;

use super::shown::shown_when;

use crate::chat_state::ChatState;
use crate::i18n::words;
use crate::window_state::WindowState;

/// The agent typing indicator (`[data-parley-typing]`, `role="status"`).
#[component]
pub fn TypingIndicator() -> impl IntoView {
    let state = expect_context::<ChatState>();
    let window = expect_context::<WindowState>();
    let label = move || {
        state.agent_typing.with(|typist| {
            typist
                .as_ref()
                .map(|typist| words::typing(typist, window.locale))
        })
    };
    view! {
        {shown_when(move || {
            state.agent_typing.with(Option::is_some)
                && state.window_config.with(|c| c.show_agent_typing)
        }, move || view! {
            <div class="parley-typing" role="status" data-parley-typing="">
                <span class="parley-dots" aria-hidden="true"><i></i><i></i><i></i></span>
                <span class="parley-typing-label">{label}</span>
            </div>
        })}
    }
}
