//! The "Alerts" menu of the window's header: the visitor's opt-in to a chime and to browser
//! notifications for agent messages they have not seen ([`crate::attention`]). Both are off
//! until turned on here; notifications ask the browser's permission only at that moment.

use leptos::prelude::*;

use super::icon::{Icon, IconName};
use super::shown::shown_when;
use crate::attention;
use crate::i18n::Key;
use crate::window_state::WindowState;

/// The header button that shows the menu.
#[component]
pub fn AlertSettingsButton(
    /// Whether the menu shows.
    showing: RwSignal<bool>,
) -> impl IntoView {
    let window = expect_context::<WindowState>();
    view! {
        <button type="button" class="parley-icon-button" data-parley-alerts=""
            aria-label=window.t(Key::AlertSettings) title=window.t(Key::AlertSettings)
            aria-expanded=move || showing.get().to_string()
            on:click=move |_| showing.update(|s| *s = !*s)>
            <Icon name=IconName::Bell/>
        </button>
    }
}

/// The menu, below the header while shown: two checkboxes.
#[component]
pub fn AlertSettings(
    /// Whether it shows.
    showing: RwSignal<bool>,
) -> impl IntoView {
    let window = expect_context::<WindowState>();
    shown_when(
        move || showing.get(),
        move || {
            view! {
                <div class="parley-confirm parley-alert-settings" role="group"
                    aria-label=window.t(Key::AlertSettings) data-parley-alert-settings=""
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            ev.stop_propagation();
                            showing.set(false);
                        }
                    }>
                    <label>
                        <input type="checkbox" data-parley-sound="" checked=window.sound.get_untracked()
                            on:change=move |ev| attention::set_sound(&window, event_target_checked(&ev))/>
                        {window.t(Key::SoundToggle)}
                    </label>
                    <label>
                        <input type="checkbox" data-parley-notify="" checked=window.notify.get_untracked()
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                leptos::task::spawn_local(attention::set_notify(window, on));
                            }/>
                        {window.t(Key::NotifyToggle)}
                    </label>
                    {move || window.notify_blocked.get().then(|| view! {
                        <span role="status">{window.t(Key::NotifyBlocked)}</span>
                    })}
                </div>
            }
        },
    )
}
