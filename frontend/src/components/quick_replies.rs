//! The latest agent message's quick replies as buttons; a click chooses it by the engine's id
//! (the engine sends the answer), after which the engine stops offering them.

use leptos::prelude::*;

use crate::chat_state::ChatState;
use crate::commands::{Command, Commands};
use crate::i18n::Key;
use crate::window_state::WindowState;

/// The quick-reply group (`role="group"`, `[data-parley-quick-replies]`).
#[component]
pub fn QuickReplies() -> impl IntoView {
    let state = expect_context::<ChatState>();
    let window = expect_context::<WindowState>();
    let commands = use_context::<Commands>();
    move || {
        let offer = state.quick_replies.get();
        if offer.is_empty() {
            return None;
        }
        let buttons = offer
            .into_iter()
            .map(|choice| {
                let id = choice.id;
                view! {
                    <button type="button" class="parley-quick-reply" on:click=move |_| {
                        if let Some(commands) = commands {
                            commands.send(Command::Choose(id.clone()));
                        }
                    }>{choice.label}</button>
                }
            })
            .collect_view();
        Some(view! {
            <div class="parley-quick-replies" role="group" aria-label=window.t(Key::QuickReplies)
                data-parley-quick-replies="">{buttons}</div>
        })
    }
}
