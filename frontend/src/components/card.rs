//! Cards and carousels: image, title, description and buttons. Postback buttons answer with a
//! `ButtonResponse` of type `Button`; link buttons open http(s) URLs in a new tab.

use leptos::either::Either;
use leptos::html::Ul;
use leptos::prelude::*;
use parley_shared::genesys::{ButtonResponse, ButtonResponseType, Card, CardActionType};

use crate::commands::{Command, Commands};
use crate::i18n::Key;
use crate::linkify::is_safe_url;
use crate::window_state::WindowState;

/// One card (`article[data-parley-card]`).
#[component]
pub fn CardView(
    /// The card.
    card: Card,
    /// The message that carries it (answers name it as their origin).
    message_id: String,
) -> impl IntoView {
    let commands = use_context::<Commands>();
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
                let response = ButtonResponse {
                    text: action.text.clone(),
                    payload: action
                        .payload
                        .clone()
                        .unwrap_or_else(|| action.text.clone()),
                    response_type: ButtonResponseType::Button,
                    originating_message_id: Some(message_id.clone()),
                };
                Some(Either::Right(view! {
                    <button type="button" class="parley-card-action" on:click=move |_| {
                        if let Some(commands) = commands {
                            commands.send(Command::Choose(response.clone()));
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
    /// The cards.
    cards: Vec<Card>,
    /// The message that carries them.
    message_id: String,
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
        .map(|card| view! { <li class="parley-carousel-item"><CardView card=card message_id=message_id.clone()/></li> })
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
