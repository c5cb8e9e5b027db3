//! Agent text as the limited markdown a deployment may enable (`WindowConfig::markdown`):
//! the tree from [`parley_shared::markdown::parse`] turned into DOM elements whose text goes in
//! as text nodes. Nothing is ever parsed as HTML, so a `<script>` in a message is shown, not
//! run; links are the parser's `http(s)`/`mailto` ones and open in a new tab without an opener.
//!
//! A drop-in for [`super::rich_text::RichText`] (same `[data-parley-text]` contract), for
//! messages from agents and bots when the deployment turns markdown on.

use leptos::prelude::*;
use parley_shared::markdown::{Block, Inline, ListKind, parse};

/// The text of a message rendered as limited markdown (`[data-parley-text]`).
#[component]
pub fn Markdown(
    /// The wire text (markdown source, never HTML).
    text: String,
) -> impl IntoView {
    let mut blocks = parse(&text);
    // One paragraph — most messages — keeps RichText's exact markup (`<p class="parley-text">`),
    // so plain messages look the same whether the deployment enables markdown or not.
    if let [Block::Paragraph(nodes)] = blocks.as_mut_slice() {
        let nodes = inlines(std::mem::take(nodes));
        return view! { <p class="parley-text parley-markdown" data-parley-text="">{nodes}</p> }
            .into_any();
    }
    let blocks: Vec<AnyView> = blocks.into_iter().map(block).collect();
    view! { <div class="parley-text parley-markdown" data-parley-text="">{blocks}</div> }.into_any()
}

fn block(block: Block) -> AnyView {
    match block {
        Block::Paragraph(nodes) => view! { <p>{inlines(nodes)}</p> }.into_any(),
        Block::List { kind, items } => {
            let items: Vec<AnyView> = items
                .into_iter()
                .map(|item| view! { <li>{inlines(item)}</li> }.into_any())
                .collect();
            match kind {
                ListKind::Unordered => view! { <ul>{items}</ul> }.into_any(),
                ListKind::Ordered { start } => {
                    view! { <ol start=start.to_string()>{items}</ol> }.into_any()
                }
            }
        }
        Block::CodeBlock { code, .. } => view! { <pre><code>{code}</code></pre> }.into_any(),
    }
}

fn inlines(nodes: Vec<Inline>) -> Vec<AnyView> {
    nodes.into_iter().map(inline).collect()
}

fn inline(node: Inline) -> AnyView {
    match node {
        Inline::Text(text) => text.into_any(),
        Inline::Strong(children) => view! { <strong>{inlines(children)}</strong> }.into_any(),
        Inline::Emphasis(children) => view! { <em>{inlines(children)}</em> }.into_any(),
        Inline::Code(code) => view! { <code>{code}</code> }.into_any(),
        Inline::Link { href, children } => view! {
            <a href=href target="_blank" rel="noopener noreferrer">{inlines(children)}</a>
        }
        .into_any(),
        Inline::Url(url) => {
            let href = url.clone();
            view! { <a href=href target="_blank" rel="noopener noreferrer">{url}</a> }.into_any()
        }
        Inline::LineBreak => view! { <br/> }.into_any(),
    }
}
