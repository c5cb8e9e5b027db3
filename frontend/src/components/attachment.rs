//! A file in a message: images inline (alt = file name), anything else as a download link.
//! Only http(s) URLs are used; a file without one (still uploading) shows its name.

use leptos::either::EitherOf3;
use leptos::prelude::*;
use parley_shared::genesys::{Attachment, MediaType};

use super::icon::{Icon, IconName};
use crate::i18n::words::human_size;
use crate::i18n::{Key, fill};
use crate::linkify::is_safe_url;
use crate::window_state::WindowState;

/// One attachment. A guest's own file shows with its name and download URL from the start
/// (the engine knows them from the upload) and from the server's echo once it confirms it.
#[component]
pub fn AttachmentView(
    /// The attachment as the wire has it.
    attachment: Attachment,
) -> impl IntoView {
    render(attachment)
}

fn render(attachment: Attachment) -> impl IntoView {
    let window = expect_context::<WindowState>();
    let name = attachment
        .filename
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| attachment.id.clone());
    let is_image = attachment.media_type == Some(MediaType::Image)
        || attachment
            .mime
            .as_deref()
            .is_some_and(|m| m.starts_with("image/"));
    let url = attachment
        .url
        .clone()
        .filter(|u| is_safe_url(u) || u.starts_with('/'));
    match url {
        Some(url) if is_image => {
            let href = url.clone();
            EitherOf3::A(view! {
                <a class="parley-attachment-image" href=href target="_blank" rel="noopener noreferrer">
                    <img data-parley-attachment="" src=url alt=name loading="lazy"/>
                </a>
            })
        }
        Some(url) => {
            let size = attachment.size().map(|s| format!(" ({})", human_size(s)));
            let label = fill(window.t(Key::Download), &[("name", &name)]);
            EitherOf3::B(view! {
                <a class="parley-attachment-file" data-parley-attachment="" href=url download=name.clone()
                    aria-label=label>
                    <Icon name=IconName::File/>
                    <span class="parley-file-name">{name.clone()}</span>
                    <span class="parley-file-size">{size}</span>
                </a>
            })
        }
        None => EitherOf3::C(view! {
            <span class="parley-attachment-file parley-attachment-pending">
                <Icon name=IconName::File/>
                <span class="parley-file-name">{name}</span>
            </span>
        }),
    }
}
