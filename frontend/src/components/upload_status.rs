//! The upload in progress (`[data-parley-upload]`, a `<progress>`: indeterminate until the
//! browser reports sizes) or why it failed (`[data-parley-upload-error]`, `role="alert"`).

use leptos::either::Either;
use leptos::prelude::*;

use crate::chat_state::ChatState;
use crate::commands::{Command, Commands};
use crate::i18n::{Key, fill, words};
use crate::window_state::WindowState;

/// Upload progress or error, above the composer.
#[component]
pub fn UploadStatus(
    /// Why the file just picked was refused before its upload began (the composer's; this
    /// component clears it when dismissed). It shows instead of the engine's upload.
    refusal: RwSignal<Option<String>>,
) -> impl IntoView {
    let state = expect_context::<ChatState>();
    let window = expect_context::<WindowState>();
    let commands = use_context::<Commands>();
    move || {
        let error = |text: String, dismiss: Box<dyn Fn() + Send + Sync>| {
            view! {
                <div class="parley-upload-error" role="alert" data-parley-upload-error="">
                    <span>{text}</span>
                    <button type="button" class="parley-link-button" on:click=move |_| dismiss()>
                        {window.t(Key::Dismiss)}
                    </button>
                </div>
            }
        };
        if let Some(reason) = refusal.get() {
            return Some(Either::Left(error(
                reason,
                Box::new(move || refusal.set(None)),
            )));
        }
        let upload = state.upload.get()?;
        Some(match &upload.failure {
            Some(failure) => {
                // A failed upload stays listed by the engine until removed.
                let id = upload.attachment_id.clone();
                let dismiss = move || {
                    if let Some(commands) = commands {
                        commands.send(Command::RemoveAttachment(id.clone()));
                    }
                };
                Either::Left(error(
                    words::upload_failure(failure, window.locale),
                    Box::new(dismiss),
                ))
            }
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
