//! Wire text is text: URLs become safe links, markup stays characters.

use leptos::prelude::*;
use parley_frontend::components::rich_text::RichText;
use parley_frontend::linkify::{Run, is_safe_url, runs};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn urls_are_split_out_of_text_with_trailing_punctuation_left_outside() {
    assert_eq!(
        runs("Docs at https://example.com/docs?a=1&b=2. Thanks"),
        [
            Run::Text("Docs at "),
            Run::Link("https://example.com/docs?a=1&b=2"),
            Run::Text(". Thanks"),
        ]
    );
    assert_eq!(
        runs("(see http://a.example/x)"),
        [
            Run::Text("(see "),
            Run::Link("http://a.example/x"),
            Run::Text(")")
        ]
    );
}

#[wasm_bindgen_test]
fn only_http_and_https_become_links() {
    for text in [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "xhttps://example.com",
        "https://",
        "ftp://example.com",
    ] {
        assert_eq!(runs(text), [Run::Text(text)], "{text}");
    }
    assert!(!is_safe_url("javascript:alert(1)"));
    assert!(!is_safe_url("https://exa mple.com"));
    assert!(is_safe_url("HTTPS://EXAMPLE.COM/x"));
}

#[wasm_bindgen_test]
fn runs_put_back_together_give_the_text_even_with_multibyte_characters() {
    let text = "héllo https://exämple.com/ü — http://é ok";
    let joined: String = runs(text)
        .into_iter()
        .map(|run| match run {
            Run::Text(t) | Run::Link(t) => t,
        })
        .collect();
    assert_eq!(joined, text);
}

#[wasm_bindgen_test]
fn markup_in_a_message_is_rendered_as_characters_not_elements() {
    let hostile = r#"<img src=x onerror="window.__pwned=1"><b>bold</b> see https://example.com/a"#;
    let (root, _) = crate::support::mount(
        |_, _| {},
        move || view! { <RichText text=hostile.to_owned()/> },
    );
    let text = root.query_selector("[data-parley-text]").unwrap().unwrap();
    assert_eq!(text.query_selector("img").unwrap(), None);
    assert_eq!(text.query_selector("b").unwrap(), None);
    assert!(
        text.text_content()
            .unwrap()
            .starts_with("<img src=x onerror=")
    );
    let link = text
        .query_selector("a")
        .unwrap()
        .expect("the URL is a link");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://example.com/a")
    );
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(
        link.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
}
