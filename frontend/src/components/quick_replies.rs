//! The latest agent message's quick replies as buttons; a click answers with a
//! `ButtonResponse` of type `QuickReply`, after which the engine stops offering them.

use leptos::prelude::*;
use parley_shared::genesys::{ButtonResponse, ButtonResponseType};

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
        let offer = state.quick_replies.get()?;
        let buttons = offer
            .replies
            .into_iter()
            .map(|reply| {
                let response = ButtonResponse {
                    text: reply.text.clone(),
                    payload: reply.payload.clone(),
                    response_type: ButtonResponseType::QuickReply,
                    originating_message_id: Some(offer.message_id.clone()),
                };
                view! {
                    <button type="button" class="parley-quick-reply" on:click=move |_| {
                        if let Some(commands) = commands {
                            commands.send(Command::Choose(response.clone()));
                        }
                    }>{reply.text}</button>
                }
            })
            .collect_view();
        Some(view! {
            <div class="parley-quick-replies" role="group" aria-label=window.t(Key::QuickReplies)
                data-parley-quick-replies="">{buttons}</div>
        })
    }
}
