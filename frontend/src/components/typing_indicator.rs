//! "Alex is typing…" with animated dots (still under `prefers-reduced-motion`), shown only
//! while the engine says the agent types.

use leptos::prelude::*;

use super::shown::shown_when;

use crate::chat_state::ChatState;
use crate::i18n::{Key, fill};
use crate::window_state::WindowState;

/// The agent typing indicator (`[data-parley-typing]`, `role="status"`).
#[component]
pub fn TypingIndicator() -> impl IntoView {
    let state = expect_context::<ChatState>();
    let window = expect_context::<WindowState>();
    let label = move || {
        let name = state
            .agent_typing
            .with(|typist| typist.as_ref().and_then(|t| t.name.clone()))
            .or_else(|| state.agent.with(|a| a.as_ref().map(|a| a.name.clone())))
            .unwrap_or_else(|| window.t(Key::Agent).to_owned());
        fill(window.t(Key::Typing), &[("name", &name)])
    };
    view! {
        {shown_when(move || state.agent_typing.with(Option::is_some), move || view! {
            <div class="parley-typing" role="status" data-parley-typing="">
                <span class="parley-dots" aria-hidden="true"><i></i><i></i><i></i></span>
                <span class="parley-typing-label">{label}</span>
            </div>
        })}
    }
}
