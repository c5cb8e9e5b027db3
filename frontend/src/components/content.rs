//! The rich content of a message: attachments, cards and carousels. Quick replies are shown
//! by [`super::quick_replies`] (only the latest message's), button responses as their label
//! (the message text); anything else says it cannot be shown rather than vanishing.

use leptos::either::EitherOf4;
use leptos::prelude::*;
use parley_shared::genesys::Content;

use super::attachment::AttachmentView;
use super::card::{CardView, CarouselView};
use crate::i18n::Key;
use crate::window_state::WindowState;

/// The content items of one message, in order.
#[component]
pub fn ContentList(
    /// The items.
    content: Vec<Content>,
    /// The message they belong to (for button answers).
    message_id: String,
) -> impl IntoView {
    let window = expect_context::<WindowState>();
    content
        .into_iter()
        .filter_map(|item| match item {
            Content::Attachment(attachment) => Some(EitherOf4::A(
                view! { <AttachmentView attachment=attachment/> },
            )),
            Content::Card(card) => Some(EitherOf4::B(
                view! { <CardView card=card message_id=message_id.clone()/> },
            )),
            Content::Carousel(carousel) => Some(EitherOf4::C(
                view! { <CarouselView cards=carousel.cards message_id=message_id.clone()/> },
            )),
            Content::QuickReply(_) | Content::ButtonResponse(_) => None,
            Content::DatePicker(_) | Content::ListPicker(_) | Content::Unknown(_) => {
                Some(EitherOf4::D(
                    view! { <p class="parley-unsupported">{window.t(Key::Unsupported)}</p> },
                ))
            }
        })
        .collect_view()
}
