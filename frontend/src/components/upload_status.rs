//! The upload in progress (`[data-parley-upload]`, a `<progress>`: indeterminate until the
//! browser reports sizes) or why it failed (`[data-parley-upload-error]`, `role="alert"`).

use leptos::either::Either;
use leptos::prelude::*;

use crate::chat_state::ChatState;
use crate::commands::{Command, Commands};
use crate::i18n::{Key, fill};
use crate::window_state::WindowState;

/// Upload progress or error, above the composer.
#[component]
pub fn UploadStatus() -> impl IntoView {
    let state = expect_context::<ChatState>();
    let window = expect_context::<WindowState>();
    move || {
        let upload = state.upload.get()?;
        Some(match upload.error {
            Some(error) => Either::Left(view! {
                <div class="parley-upload-error" role="alert" data-parley-upload-error="">
                    <span>{error}</span>
                    <button type="button" class="parley-link-button" on:click=move |_| dismiss(state)>
                        {window.t(Key::Dismiss)}
                    </button>
                </div>
            }),
            None => {
                let label = fill(window.t(Key::Uploading), &[("name", &upload.name)]);
                Either::Right(view! {
                    <div class="parley-upload">
                        <span class="parley-upload-label">{label.clone()}</span>
                        <progress data-parley-upload="" role="progressbar" aria-label=label max="100"
                            value=upload.progress.map(|p| ((p * 100.0).round() as u32).to_string())></progress>
                    </div>
                })
            }
        })
    }
}

/// Dismisses the upload shown: a failed one is removed from the engine's list, a refusal the
/// window showed itself just goes.
fn dismiss(state: ChatState) {
    let id = state
        .upload
        .with_untracked(|u| u.as_ref().and_then(|u| u.attachment_id.clone()));
    state.upload.set(None);
    if let (Some(id), Some(commands)) = (id, use_context::<Commands>()) {
        commands.send(Command::RemoveAttachment(id));
    }
}
