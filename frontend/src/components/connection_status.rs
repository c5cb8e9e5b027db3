//! The connection line under the header title (`[data-parley-connection]`): "Connecting…",
//! "Reconnecting in 4 s" counting down with "Retry now", "Offline", "Conversation ended" …

use gloo_timers::callback::Interval;
use leptos::prelude::*;

use super::shown::shown_when;

use crate::chat_state::ChatState;
use crate::commands::{Command, Commands};
use crate::format::monotonic_now;
use crate::i18n::Key;
use crate::status::ConnectionState;
use crate::window_state::WindowState;

/// The connection state as the window names it: the one memo of [`ChatState`] every
/// component shares.
pub fn connection_state(state: ChatState) -> Memo<ConnectionState> {
    state.connection
}

/// The status line and its "Retry now" button.
#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let state = expect_context::<ChatState>();
    let window = expect_context::<WindowState>();
    let commands = use_context::<Commands>();
    let connection = state.connection;
    // A countdown needs a clock that ticks while reconnecting, and only then.
    let now = RwSignal::new(monotonic_now());
    let ticker = StoredValue::new_local(None::<Interval>);
    Effect::new(move |_| {
        let counting = matches!(connection.get(), ConnectionState::Reconnecting { .. });
        ticker.set_value(counting.then(|| Interval::new(250, move || now.set(monotonic_now()))));
        now.set(monotonic_now());
    });
    let label = move || connection.get().label(window.locale, now.get());
    view! {
        <p class="parley-status" data-parley-connection="" data-state=move || connection.get().as_str()>
            <span class="parley-status-dot" aria-hidden="true"></span>
            <span class="parley-status-text">{label}</span>
            {shown_when(move || connection.get().can_retry_now(), move || view! {
                <button type="button" class="parley-link-button" on:click=move |_| {
                    if let Some(commands) = commands {
                        commands.send(Command::RetryNow);
                    }
                }>{window.t(Key::RetryNow)}</button>
            })}
        </p>
    }
}
