//! The rich content of a message: attachments, cards and carousels. Quick replies are shown
//! by [`super::quick_replies`] (only the latest message's), button responses as their label
//! (the message text); anything else says it cannot be shown rather than vanishing.

use leptos::either::EitherOf4;
use leptos::prelude::*;
use parley_shared::engine::{Choice, ChoiceKind, choices_in};
use parley_shared::genesys::{CardActionType, Content};

use super::attachment::AttachmentView;
use super::card::{CardView, CarouselView};
use crate::i18n::Key;
use crate::window_state::WindowState;

/// The content items of one message, in order.
#[component]
pub fn ContentList(
    /// The items.
    content: Vec<Content>,
    /// The message they belong to (its card buttons are the engine's choices of it).
    message_id: String,
) -> impl IntoView {
    let window = expect_context::<WindowState>();
    // The engine's choices for the card buttons, in the order the cards render them.
    let mut buttons = choices_in(&message_id, &content)
        .into_iter()
        .filter(|choice| choice.kind == ChoiceKind::Button);
    let mut take = |card: &parley_shared::genesys::Card| -> Vec<Choice> {
        let postbacks = card
            .actions
            .iter()
            .filter(|action| action.action_type == CardActionType::Postback)
            .count();
        buttons.by_ref().take(postbacks).collect()
    };
    content
        .into_iter()
        .filter_map(|item| match item {
            Content::Attachment(attachment) => Some(EitherOf4::A(
                view! { <AttachmentView attachment=attachment/> },
            )),
            Content::Card(card) => {
                let choices = take(&card);
                Some(EitherOf4::B(
                    view! { <CardView card=card choices=choices/> },
                ))
            }
            Content::Carousel(carousel) => {
                let cards: Vec<_> = carousel
                    .cards
                    .into_iter()
                    .map(|card| {
                        let choices = take(&card);
                        (card, choices)
                    })
                    .collect();
                Some(EitherOf4::C(view! { <CarouselView cards=cards/> }))
            }
            Content::QuickReply(_) | Content::ButtonResponse(_) => None,
            Content::DatePicker(_) | Content::ListPicker(_) | Content::Unknown(_) => {
                Some(EitherOf4::D(
                    view! { <p class="parley-unsupported">{window.t(Key::Unsupported)}</p> },
                ))
            }
        })
        .collect_view()
}
