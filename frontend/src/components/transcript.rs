//! The conversation (`role="log"`): a keyed list of rows, the agent typing indicator, and
//! auto-scroll to the newest message unless the visitor scrolled up to read, in which case a
//! "New messages" pill offers the way back down.

use leptos::html::Div;
use leptos::prelude::*;

use super::entry::RowView;
use super::shown::shown_when;
use super::typing_indicator::TypingIndicator;
use crate::chat_state::{ChatState, Row};
use crate::i18n::Key;
use crate::window_state::WindowState;

/// How close to the bottom (px) still counts as "reading the newest messages".
const STICK_DISTANCE: i32 = 48;

/// The transcript with its scroll behaviour.
#[component]
pub fn Transcript() -> impl IntoView {
    let state = expect_context::<ChatState>();
    let window = expect_context::<WindowState>();
    let scroller = NodeRef::<Div>::new();
    let stuck = RwSignal::new(true);
    let pill = RwSignal::new(false);

    let scroll_to_bottom = move || {
        if let Some(element) = scroller.get_untracked() {
            element.set_scroll_top(element.scroll_height());
        }
    };
    let on_scroll = move |_| {
        if let Some(element) = scroller.get_untracked() {
            let distance = element.scroll_height() - element.scroll_top() - element.client_height();
            let at_bottom = distance <= STICK_DISTANCE;
            stuck.set(at_bottom);
            if at_bottom {
                pill.set(false);
            }
        }
    };
    // New rows, the typing indicator or opening the window: follow the newest message.
    let row_count = Memo::new(move |_| state.rows.with(Vec::len));
    Effect::new(move |previous: Option<usize>| {
        let count = row_count.get();
        state.agent_typing.track();
        window.open.track();
        // The visitor's own new message always brings them to the bottom.
        let own = previous.is_some_and(|p| count > p)
            && state.rows.with_untracked(|rows| last_is_guest(rows));
        if own {
            stuck.set(true);
            pill.set(false);
        }
        if stuck.get_untracked() {
            request_animation_frame(scroll_to_bottom);
        } else if previous.is_some_and(|p| count > p) {
            pill.set(true);
        }
        count
    });

    view! {
        // The log is the scroll container, focusable so keyboard users can scroll it.
        <div class="parley-transcript" role="log" aria-live="polite" tabindex="0"
            aria-label=window.t(Key::Conversation) data-parley-transcript=""
            node_ref=scroller on:scroll=on_scroll>
            <For each=move || state.rows.get() key=|row| row.id let:row>
                <RowView row=row/>
            </For>
        </div>
        <TypingIndicator/>
        {shown_when(move || pill.get(), move || view! {
            <button type="button" class="parley-pill" on:click=move |_| {
                pill.set(false);
                stuck.set(true);
                scroll_to_bottom();
            }>{window.t(Key::NewMessages)}<span aria-hidden="true">" ↓"</span></button>
        })}
    }
}

fn last_is_guest(rows: &[Row]) -> bool {
    rows.last().is_some_and(|row| {
        row.view
            .with_untracked(|v| matches!(v.entry.kind, parley_shared::engine::EntryKind::Guest(_)))
    })
}
