//! "Download transcript" in the window's header: the visitor picks a text file or a web page;
//! the engine first reads every page of the history into the transcript (not only what the
//! window shows), then the file is offered ([`crate::transcript_file`]). Without a live
//! connection the file holds what the window has.

use leptos::prelude::*;
use parley_shared::engine::WholeHistory;

use super::icon::{Icon, IconName};
use super::shown::shown_when;
use crate::chat_state::ChatState;
use crate::commands::{Command, Commands};
use crate::i18n::Key;
use crate::transcript_file::{FileFormat, offer_download, transcript_file};
use crate::window_state::WindowState;

/// The header button (shown once there is something to save).
#[component]
pub fn SaveTranscriptButton(
    /// Whether the choice of format shows.
    offering: RwSignal<bool>,
) -> impl IntoView {
    let state = expect_context::<ChatState>();
    let window = expect_context::<WindowState>();
    let has_entries = move || state.rows.with(|rows| !rows.is_empty());
    shown_when(has_entries, move || {
        view! {
            <button type="button" class="parley-icon-button" data-parley-save-transcript=""
                aria-label=window.t(Key::DownloadTranscript) title=window.t(Key::DownloadTranscript)
                aria-expanded=move || offering.get().to_string()
                on:click=move |_| offering.update(|o| *o = !*o)>
                <Icon name=IconName::Save/>
            </button>
        }
    })
}

/// The choice of format, below the header while offered.
#[component]
pub fn SaveTranscriptChoice(
    /// Whether it shows.
    offering: RwSignal<bool>,
) -> impl IntoView {
    let state = expect_context::<ChatState>();
    let window = expect_context::<WindowState>();
    let commands = use_context::<Commands>();
    let pending = RwSignal::new(None::<FileFormat>);
    // Once the history is read (or cannot be), the file is made from the whole transcript.
    Effect::new(move |_| {
        let Some(format) = pending.get() else { return };
        if state.whole_history.get() == WholeHistory::Reading {
            return;
        }
        pending.set(None);
        let entries: Vec<_> = state
            .rows
            .with_untracked(|rows| rows.iter().map(|row| row.view.get_untracked()).collect());
        let (name, mime, body) = transcript_file(format, &entries, window.locale);
        offer_download(&name, mime, &body);
    });
    let save = move |format| {
        offering.set(false);
        pending.set(Some(format));
        if let Some(commands) = commands {
            // Refused without a live connection: the effect above saves what is shown.
            let _ = commands.send(Command::ReadWholeHistory);
        }
    };
    shown_when(
        move || offering.get(),
        move || {
            view! {
                <div class="parley-confirm" role="group" aria-label=window.t(Key::DownloadTranscript)
                    data-parley-save-choice=""
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            ev.stop_propagation();
                            offering.set(false);
                        }
                    }>
                    <span>{window.t(Key::DownloadTranscript)}</span>
                    <button type="button" class="parley-button" on:click=move |_| save(FileFormat::Text)>
                        {window.t(Key::SaveAsText)}
                    </button>
                    <button type="button" class="parley-button" on:click=move |_| save(FileFormat::Html)>
                        {window.t(Key::SaveAsWebPage)}
                    </button>
                </div>
            }
        },
    )
}
