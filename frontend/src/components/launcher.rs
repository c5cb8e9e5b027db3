//! The launcher bubble shown while the window is minimised, with the unread badge.

use leptos::html::Button;
use leptos::prelude::*;

use super::icon::{Icon, IconName};
use super::shown::shown_when;
use crate::window_state::WindowState;

/// "Open chat" (`[data-parley-launcher]`); its name carries the unread count.
#[component]
pub fn Launcher(
    /// Focus returns here when the window closes.
    button_ref: NodeRef<Button>,
) -> impl IntoView {
    let window = expect_context::<WindowState>();
    let unread = window.unread;
    view! {
        <button type="button" class="parley-launcher" data-parley-launcher="" node_ref=button_ref
            hidden=move || window.open.get() aria-label=move || window.launcher_label(unread.get())
            on:click=move |_| window.open.set(true)>
            <Icon name=IconName::Chat/>
            {shown_when(move || { unread.get() > 0 }, move || view! {
                <span class="parley-badge" data-parley-unread="" aria-hidden="true">{move || unread.get().to_string()}</span>
            })}
        </button>
    }
}
