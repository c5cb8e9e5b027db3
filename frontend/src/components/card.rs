//! Cards and carousels: image, title, description and buttons. A postback button chooses the
//! engine's choice for it (the engine words the answer); link buttons open http(s) URLs in a
//! new tab.

use leptos::either::Either;
use leptos::html::Ul;
use leptos::prelude::*;
use parley_shared::engine::Choice;
use parley_shared::genesys::{Card, CardActionType};

use crate::commands::{Command, Commands};
use crate::i18n::Key;
use crate::linkify::is_safe_url;
use crate::window_state::WindowState;

/// One card (`article[data-parley-card]`).
#[component]
pub fn CardView(
    /// The card.
    card: Card,
    /// The engine's choices for its postback buttons, in order.
    choices: Vec<Choice>,
) -> impl IntoView {
    let commands = use_context::<Commands>();
    let mut choices = choices.into_iter();
    let image = card
        .image
        .clone()
        .filter(|u| is_safe_url(u) || u.starts_with('/'));
    let title = card.title.clone();
    let actions = card
        .actions
        .iter()
        .filter_map(|action| match action.action_type {
            CardActionType::Link => {
                let url = action.url.clone().filter(|u| is_safe_url(u))?;
                Some(Either::Left(view! {
                    <a class="parley-card-action parley-card-link" href=url target="_blank"
                        rel="noopener noreferrer">{action.text.clone()}</a>
                }))
            }
            CardActionType::Postback => {
                let id = choices.next()?.id;
                Some(Either::Right(view! {
                    <button type="button" class="parley-card-action" on:click=move |_| {
                        if let Some(commands) = commands {
                            commands.send(Command::Choose(id.clone()));
                        }
                    }>{action.text.clone()}</button>
                }))
            }
            CardActionType::Unknown => None,
        })
        .collect_view();
    view! {
        <article class="parley-card" data-parley-card="">
            {image.map(|src| view! { <img class="parley-card-image" src=src alt=title.clone() loading="lazy"/> })}
            <div class="parley-card-body">
                <h3 class="parley-card-title">{card.title.clone()}</h3>
                {card.description.clone().map(|d| view! { <p class="parley-card-description">{d}</p> })}
            </div>
            <div class="parley-card-actions">{actions}</div>
        </article>
    }
}

/// Cards side by side in a scrollable list, with previous/next buttons.
#[component]
pub fn CarouselView(
    /// The cards, each with the engine's choices for its postback buttons.
    cards: Vec<(Card, Vec<Choice>)>,
) -> impl IntoView {
    let window = expect_context::<WindowState>();
    let track = NodeRef::<Ul>::new();
    let scroll = move |direction: f64| {
        if let Some(track) = track.get() {
            let step = f64::from(track.client_width()) * 0.85;
            track.set_scroll_left(track.scroll_left() + (direction * step) as i32);
        }
    };
    let items = cards
        .into_iter()
        .map(|(card, choices)| view! { <li class="parley-carousel-item"><CardView card=card choices=choices/></li> })
        .collect_view();
    view! {
        <div class="parley-carousel" data-parley-carousel="" role="group" aria-label=window.t(Key::Cards)>
            <ul class="parley-carousel-track" node_ref=track>{items}</ul>
            <div class="parley-carousel-nav-row">
                <button type="button" class="parley-carousel-nav parley-carousel-prev"
                    aria-label=window.t(Key::Previous) on:click=move |_| scroll(-1.0)>
                    <span aria-hidden="true">"‹"</span>
                </button>
                <button type="button" class="parley-carousel-nav parley-carousel-next"
                    aria-label=window.t(Key::Next) on:click=move |_| scroll(1.0)>
                    <span aria-hidden="true">"›"</span>
                </button>
            </div>
        </div>
    }
}
