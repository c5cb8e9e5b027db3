//! "I'm on a shared computer": a checkbox under the composer that keeps the conversation in
//! the tab only ([`Command::SharedComputer`]: the driver moves the token and the draft to
//! `sessionStorage`), so nothing of it is left on the computer once
//! the tab is closed. The same as the host's `storage="session"`, for the visitor to choose;
//! with that attribute set the box shows checked and cannot be unchecked.

use leptos::prelude::*;

use crate::commands::{Command, Commands};
use crate::i18n::Key;
use crate::window_state::WindowState;

/// The choice.
#[component]
pub fn SharedComputerChoice() -> impl IntoView {
    let window = expect_context::<WindowState>();
    let commands = use_context::<Commands>();
    let chosen = window.tab_only;
    let locked = window.session_only_by_host.get_value();
    view! {
        <label class="parley-shared-computer">
            <input type="checkbox" data-parley-shared-computer="" prop:checked=move || chosen.get()
                disabled=locked on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    if let Some(commands) = commands {
                        commands.send(Command::SharedComputer(on));
                    }
                    chosen.set(on);
                }/>
            <span>{window.t(Key::SharedComputer)}</span>
        </label>
    }
}
