//! Message text as the visitor sees it: text nodes, with http(s) URLs as links that open in a
//! new tab. Built from [`crate::linkify::runs`]; nothing is ever parsed as HTML.

use leptos::either::Either;
use leptos::prelude::*;

use crate::linkify::{Run, runs};

/// The text of a message (`[data-parley-text]`), line breaks kept.
#[component]
pub fn RichText(
    /// The wire text (never HTML).
    text: String,
) -> impl IntoView {
    let parts = runs(&text)
        .into_iter()
        .map(|run| match run {
            Run::Text(text) => Either::Left(text.to_owned()),
            Run::Link(url) => Either::Right(view! {
                <a href=url.to_owned() target="_blank" rel="noopener noreferrer">{url.to_owned()}</a>
            }),
        })
        .collect_view();
    view! { <p class="parley-text" data-parley-text="">{parts}</p> }
}
