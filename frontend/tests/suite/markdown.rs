//! Limited markdown renders as safe DOM: markup becomes elements, everything else — HTML
//! included — stays text, and only http(s)/mailto links become anchors.

use crate::support::{mount, settle};
use leptos::prelude::*;
use parley_frontend::components::markdown::Markdown;
use wasm_bindgen_test::wasm_bindgen_test;

async fn render(text: &str) -> web_sys::HtmlElement {
    let text = text.to_owned();
    let (root, _) = mount(|_, _| {}, move || view! { <Markdown text=text/> });
    settle().await;
    root
}

fn count(root: &web_sys::HtmlElement, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

#[wasm_bindgen_test]
async fn a_script_in_markdown_is_shown_as_text() {
    let source = "**Hi** <script>window.parleyPwned = 1</script> <img src=x onerror=alert(1)>";
    let root = render(source).await;
    assert_eq!(count(&root, "script"), 0);
    assert_eq!(count(&root, "img"), 0);
    let text = root.query_selector("[data-parley-text]").unwrap().unwrap();
    assert_eq!(
        text.text_content().unwrap(),
        "Hi <script>window.parleyPwned = 1</script> <img src=x onerror=alert(1)>"
    );
    assert_eq!(
        root.query_selector("strong")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "Hi"
    );
    let pwned = js_sys::Reflect::get(&web_sys::window().unwrap(), &"parleyPwned".into()).unwrap();
    assert!(pwned.is_undefined());
}

#[wasm_bindgen_test]
async fn a_single_paragraph_keeps_the_plain_text_markup() {
    let root = render("Hello **there**").await;
    let text = root.query_selector("[data-parley-text]").unwrap().unwrap();
    assert_eq!(text.tag_name(), "P");
    assert_eq!(text.class_name(), "parley-text parley-markdown");
    assert_eq!(count(&root, "[data-parley-text] p"), 0);
    let root = render("one\n\ntwo").await;
    let text = root.query_selector("[data-parley-text]").unwrap().unwrap();
    assert_eq!(text.tag_name(), "DIV");
    assert_eq!(count(&root, "[data-parley-text] > p"), 2);
}

#[wasm_bindgen_test]
async fn only_safe_links_become_anchors() {
    let root =
        render("[site](https://example.com/x) [bad](javascript:alert(1)) https://a.example").await;
    let anchors = root.query_selector_all("a").unwrap();
    assert_eq!(anchors.length(), 2);
    let first: web_sys::Element = wasm_bindgen::JsCast::unchecked_into(anchors.get(0).unwrap());
    assert_eq!(
        first.get_attribute("href").as_deref(),
        Some("https://example.com/x")
    );
    assert_eq!(
        first.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    assert_eq!(first.text_content().as_deref(), Some("site"));
    let second: web_sys::Element = wasm_bindgen::JsCast::unchecked_into(anchors.get(1).unwrap());
    assert_eq!(
        second.get_attribute("href").as_deref(),
        Some("https://a.example")
    );
    assert!(
        root.text_content()
            .unwrap()
            .contains("[bad](javascript:alert(1))")
    );
}

#[wasm_bindgen_test]
async fn lists_code_and_line_breaks_become_their_elements() {
    let root = render("one\ntwo\n- a\n- _b_\n\n3. c\n\n```\n<b>x</b>\n```").await;
    assert_eq!(count(&root, "p br"), 1);
    assert_eq!(count(&root, "ul > li"), 2);
    assert_eq!(count(&root, "ul em"), 1);
    let ordered = root.query_selector("ol").unwrap().unwrap();
    assert_eq!(ordered.get_attribute("start").as_deref(), Some("3"));
    let code = root.query_selector("pre > code").unwrap().unwrap();
    assert_eq!(code.text_content().as_deref(), Some("<b>x</b>"));
    assert_eq!(count(&root, "b"), 0);
}

#[wasm_bindgen_test]
async fn agent_text_is_markdown_only_when_the_deployment_enables_it() {
    use crate::support::{agent_message, frame, live_engine};
    let state_slot = std::rc::Rc::new(std::cell::Cell::new(None));
    let slot = state_slot.clone();
    let (root, _) = mount(
        move |state, _| {
            let (mut engine, socket) = live_engine();
            frame(
                &mut engine,
                socket,
                &agent_message("m1", "Alex", "**Hi** <script>x</script>", "[]"),
            );
            engine.send_text("**me**", 10).unwrap();
            state.set_entries(engine.transcript());
            slot.set(Some(state));
        },
        || view! { <parley_frontend::components::transcript::Transcript/> },
    );
    settle().await;
    let state = state_slot.take().unwrap();
    assert_eq!(
        count(&root, "[data-kind=agent] strong"),
        0,
        "plain text by default"
    );

    state.window_config.update(|config| config.markdown = true);
    settle().await;
    let strong = root
        .query_selector("[data-kind=agent] [data-parley-text] strong")
        .unwrap();
    assert_eq!(strong.unwrap().text_content().as_deref(), Some("Hi"));
    assert_eq!(count(&root, "script"), 0);
    assert_eq!(
        count(&root, "[data-kind=guest] strong"),
        0,
        "the visitor's text stays as typed"
    );
}
