//! The chat window's components render the UI contract's markup from the engine's view.

use crate::support::{agent_message, frame, live_engine, mount, settle, text_of};
use leptos::prelude::*;
use parley_frontend::commands::Command;
use parley_frontend::components::composer::Composer;
use parley_frontend::components::header::Header;
use parley_frontend::components::quick_replies::QuickReplies;
use parley_frontend::components::transcript::Transcript;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

const QUICK_REPLIES: &str = r#"[{"contentType":"QuickReply","quickReply":{"text":"Billing","payload":"billing"}},{"contentType":"QuickReply","quickReply":{"text":"Returns","payload":"returns"}}]"#;

#[wasm_bindgen_test]
async fn transcript_renders_guest_agent_and_notice_entries_with_the_contract_attributes() {
    let (root, _) = mount(
        |state, _| {
            let (mut engine, socket) = live_engine();
            frame(
                &mut engine,
                socket,
                &agent_message("m1", "Alex", "Hi there", "[]"),
            );
            engine.send_text("hello", 10).unwrap();
            state.set_entries(engine.transcript());
        },
        || view! { <Transcript/> },
    );
    settle().await;
    let log = root.query_selector("[role=log]").unwrap().expect("the log");
    assert_eq!(log.get_attribute("aria-live").as_deref(), Some("polite"));
    assert_eq!(
        log.get_attribute("aria-label").as_deref(),
        Some("Conversation")
    );
    assert!(log.has_attribute("data-parley-transcript"));

    let agent = root
        .query_selector("[data-parley-entry][data-kind=agent]")
        .unwrap()
        .expect("the agent entry");
    assert_eq!(agent.get_attribute("data-key").as_deref(), Some("m:m1"));
    assert_eq!(
        text_of(&root, "[data-kind=agent] [data-parley-sender]").as_deref(),
        Some("Alex")
    );
    assert_eq!(
        text_of(&root, "[data-kind=agent] [data-parley-text]").as_deref(),
        Some("Hi there")
    );
    let time = agent.query_selector("time").unwrap().expect("a time");
    assert!(
        time.get_attribute("datetime")
            .unwrap()
            .starts_with("2026-11-20T10:00:00")
    );

    let guest = root
        .query_selector("[data-parley-entry][data-kind=guest]")
        .unwrap()
        .expect("the guest entry");
    assert_eq!(
        guest.get_attribute("data-state").as_deref(),
        Some("sending")
    );
    assert!(guest.get_attribute("data-key").unwrap().starts_with("c:"));

    assert!(
        root.query_selector("[data-parley-date-separator][role=separator]")
            .unwrap()
            .is_some(),
        "a date separator precedes the first entry of a day"
    );
}

#[wasm_bindgen_test]
async fn a_delivery_change_updates_the_bubble_in_place_without_re_rendering_the_list() {
    let (mut engine, socket) = live_engine();
    engine.send_text("hello", 10).unwrap();
    let sent = std::iter::from_fn(|| engine.poll_effect()).find_map(|effect| match effect {
        parley_shared::engine::Effect::Send { request, .. } => {
            request.tracing_id().map(str::to_owned)
        }
        _ => None,
    });
    let tracing_id = sent.expect("the message was sent");
    let first = engine.transcript().to_vec();
    let echo = format!(
        r#"{{"type":"message","class":"StructuredMessage","code":200,"tracingId":"{tracing_id}","body":{{"id":"e1","type":"Text","direction":"Inbound","text":"hello","channel":{{"time":"2026-11-20T10:00:01.000Z"}}}}}}"#
    );
    frame(&mut engine, socket, &echo);
    let second = engine.transcript().to_vec();

    let state_slot = std::rc::Rc::new(std::cell::Cell::new(None));
    let slot = state_slot.clone();
    let (root, _) = mount(
        move |state, _| {
            state.set_entries(&first);
            slot.set(Some(state));
        },
        || view! { <Transcript/> },
    );
    settle().await;
    let before = root.query_selector("[data-kind=guest]").unwrap().unwrap();
    assert_eq!(
        before.get_attribute("data-state").as_deref(),
        Some("sending")
    );

    state_slot.get().unwrap().set_entries(&second);
    settle().await;
    let after = root.query_selector("[data-kind=guest]").unwrap().unwrap();
    assert_eq!(after.get_attribute("data-state").as_deref(), Some("sent"));
    assert!(
        before.is_same_node(Some(&after)),
        "the same element was updated"
    );
}

#[wasm_bindgen_test]
async fn quick_replies_render_as_buttons_and_a_click_sends_the_choice() {
    let (root, sent) = mount(
        |state, _| {
            let (mut engine, socket) = live_engine();
            frame(
                &mut engine,
                socket,
                &agent_message("m2", "Bot", "Pick one", QUICK_REPLIES),
            );
            state.sync(&engine, 20);
        },
        || view! { <QuickReplies/> },
    );
    settle().await;
    let group = root
        .query_selector("[role=group][data-parley-quick-replies]")
        .unwrap()
        .expect("the group");
    assert_eq!(
        group.get_attribute("aria-label").as_deref(),
        Some("Quick replies")
    );
    let buttons = group.query_selector_all("button").unwrap();
    assert_eq!(buttons.length(), 2);
    let returns: web_sys::HtmlElement = buttons.item(1).unwrap().unchecked_into();
    assert_eq!(returns.text_content().as_deref(), Some("Returns"));
    returns.click();
    let sent = sent.borrow();
    let Some(Command::Choose(choice)) = sent.last() else {
        panic!("a choice was sent: {sent:?}");
    };
    assert_eq!(choice.message_id, "m2");
    assert_eq!(choice.index, 1, "the second quick reply of m2");
}

#[wasm_bindgen_test]
async fn cards_render_as_articles_with_safe_new_tab_links_and_postback_buttons() {
    let card = r#"[{"contentType":"Card","card":{"title":"Parley","description":"Guest chat","image":"javascript:alert(1)","actions":[{"type":"Postback","text":"More","payload":"more"},{"type":"Link","text":"Site","url":"https://example.com/p"},{"type":"Link","text":"Bad","url":"javascript:alert(1)"}]}}]"#;
    let (root, sent) = mount(
        move |state, _| {
            let (mut engine, socket) = live_engine();
            frame(
                &mut engine,
                socket,
                &agent_message("m3", "Bot", "A card", card),
            );
            state.sync(&engine, 20);
        },
        || view! { <Transcript/> },
    );
    settle().await;
    let article = root
        .query_selector("article[data-parley-card]")
        .unwrap()
        .expect("a card");
    assert_eq!(text_of(&root, "article h3").as_deref(), Some("Parley"));
    assert_eq!(
        article.query_selector("img").unwrap(),
        None,
        "no javascript: image"
    );
    let links = article.query_selector_all("a").unwrap();
    assert_eq!(links.length(), 1, "only the https link is rendered");
    let link: web_sys::Element = links.item(0).unwrap().unchecked_into();
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(
        link.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    let button: web_sys::HtmlElement = article
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    assert!(matches!(
        sent.borrow().last(),
        Some(Command::Choose(choice)) if choice.message_id == "m3" && choice.index == 0
    ));
}

fn type_into(root: &web_sys::HtmlElement, text: &str) {
    let textarea: web_sys::HtmlTextAreaElement = root
        .query_selector("textarea[data-parley-input]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    textarea.set_value(text);
    textarea
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn the_counter_appears_from_3500_characters_and_send_is_refused_over_4000() {
    let (root, _) = mount(
        |state, _| {
            let (engine, _) = live_engine();
            state.sync(&engine, 5);
        },
        || view! { <Composer/> },
    );
    let textarea = root.query_selector("textarea").unwrap().unwrap();
    assert_eq!(
        textarea.get_attribute("aria-label").as_deref(),
        Some("Message")
    );
    type_into(&root, &"a".repeat(3_499));
    settle().await;
    assert_eq!(root.query_selector("[data-parley-counter]").unwrap(), None);

    type_into(&root, &"a".repeat(3_600));
    settle().await;
    assert_eq!(
        text_of(&root, "[data-parley-counter]").as_deref(),
        Some("3600 / 4000")
    );

    type_into(&root, &"a".repeat(4_001));
    settle().await;
    let send: web_sys::HtmlButtonElement = root
        .query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(send.disabled(), "Send is disabled over the limit");
    assert!(text_of(&root, "[data-parley-composer-reason]").is_some_and(|r| r.contains("4000")));
}

#[wasm_bindgen_test]
async fn enter_sends_the_text_and_typing_is_reported() {
    let (root, sent) = mount(
        |state, _| {
            let (engine, _) = live_engine();
            state.sync(&engine, 5);
        },
        || view! { <Composer/> },
    );
    type_into(&root, "hello there");
    settle().await;
    let textarea = root.query_selector("textarea").unwrap().unwrap();
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_cancelable(true);
    let enter =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    textarea.dispatch_event(&enter).unwrap();
    assert!(enter.default_prevented(), "Enter does not add a line");
    let sent = sent.borrow();
    assert!(sent.iter().any(|c| matches!(c, Command::Typing)));
    assert!(matches!(sent.last(), Some(Command::SendText(text)) if text == "hello there"));
}

#[wasm_bindgen_test]
async fn appending_a_message_keeps_the_existing_rows_in_place() {
    let (mut engine, socket) = live_engine();
    frame(
        &mut engine,
        socket,
        &agent_message("a1", "Alex", "first", "[]"),
    );
    let before = engine.transcript().to_vec();
    frame(
        &mut engine,
        socket,
        &agent_message("a2", "Alex", "second", "[]"),
    );
    let after = engine.transcript().to_vec();

    let slot = std::rc::Rc::new(std::cell::Cell::new(None));
    let keep = slot.clone();
    let (root, _) = mount(
        move |state, _| {
            state.set_entries(&before);
            keep.set(Some(state));
        },
        || view! { <Transcript/> },
    );
    settle().await;
    let first = root.query_selector("[data-key='m:a1']").unwrap().unwrap();
    slot.get().unwrap().set_entries(&after);
    settle().await;
    let still_first = root.query_selector("[data-key='m:a1']").unwrap().unwrap();
    assert!(
        first.is_same_node(Some(&still_first)),
        "the first row was not re-rendered"
    );
    assert_eq!(
        root.query_selector_all("[data-parley-entry][data-kind=agent]")
            .unwrap()
            .length(),
        2
    );
}

#[wasm_bindgen_test]
async fn the_header_names_the_agent_with_their_avatar_and_offers_minimise_and_end_chat() {
    let with_avatar = r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"id":"h1","type":"Text","direction":"Outbound","text":"Hi","channel":{"time":"2026-11-20T10:00:00.000Z","from":{"nickname":"Alex","image":"https://example.com/alex.svg"}},"originatingEntity":"Human"}}"#;
    let (root, sent) = mount(
        move |state, _| {
            let (mut engine, socket) = live_engine();
            frame(&mut engine, socket, with_avatar);
            state.sync(&engine, 20);
        },
        || view! { <Header/> },
    );
    settle().await;
    assert_eq!(
        text_of(&root, "[data-parley-agent-name]").as_deref(),
        Some("Alex")
    );
    let avatar = root
        .query_selector("img[data-parley-agent-avatar]")
        .unwrap()
        .unwrap();
    assert_eq!(avatar.get_attribute("alt").as_deref(), Some("Alex"));
    assert_eq!(
        root.query_selector("[data-parley-connection]")
            .unwrap()
            .unwrap()
            .get_attribute("data-state")
            .as_deref(),
        Some("ready")
    );
    let end: web_sys::HtmlElement = root
        .query_selector("button[aria-label='End chat']")
        .unwrap()
        .unwrap()
        .unchecked_into();
    end.click();
    settle().await;
    assert!(sent.borrow().is_empty(), "nothing ends before confirming");
    let confirm: web_sys::HtmlElement = root
        .query_selector(".parley-button-danger")
        .unwrap()
        .expect("the inline confirmation")
        .unchecked_into();
    assert_eq!(
        confirm.text_content().as_deref().map(str::trim),
        Some("Yes, end chat")
    );
    confirm.click();
    assert!(matches!(sent.borrow().last(), Some(Command::EndChat)));
}

#[wasm_bindgen_test]
async fn a_humanized_bot_shows_the_deployments_name_as_text_and_its_initial_without_an_avatar() {
    let bot = r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"id":"b1","type":"Text","direction":"Outbound","text":"Hello","channel":{"time":"2026-11-20T10:00:00.000Z"},"originatingEntity":"Bot"}}"#;
    let (root, _) = mount(
        |state, _| {
            state.window_config.set(parley_shared::api::WindowConfig {
                humanize: Some(parley_shared::api::Humanize {
                    bot_name: Some("<b>Robo</b> <script>x</script>".into()),
                    bot_avatar_url: None,
                }),
                ..Default::default()
            });
            let (mut engine, socket) = live_engine();
            frame(&mut engine, socket, bot);
            state.set_entries(engine.transcript());
        },
        || view! { <Transcript/> },
    );
    settle().await;
    assert_eq!(
        text_of(&root, "[data-kind=bot] [data-parley-sender]").as_deref(),
        Some("<b>Robo</b> <script>x</script>"),
        "the name is text, not markup"
    );
    assert!(
        root.query_selector("[data-kind=bot] b, [data-kind=bot] script")
            .unwrap()
            .is_none()
    );
    let avatar = root
        .query_selector("[data-kind=bot] [data-parley-bot-avatar]")
        .unwrap()
        .expect("the bot's face");
    assert_eq!(avatar.tag_name(), "SPAN", "no URL: the initial stands in");
    assert_eq!(
        avatar.text_content().as_deref(),
        Some("b"),
        "the first letter, not a bracket"
    );
    assert_eq!(avatar.get_attribute("aria-hidden").as_deref(), Some("true"));
}

#[wasm_bindgen_test]
async fn the_shared_computer_choice_is_a_labelled_checkbox_that_asks_the_driver() {
    use parley_frontend::components::shared_computer::SharedComputerChoice;
    let (root, sent) = mount(|_, _| {}, || view! { <SharedComputerChoice/> });
    settle().await;
    let label = text_of(&root, "label.parley-shared-computer").expect("a label");
    assert!(label.contains("shared computer"), "{label}");
    let checkbox: web_sys::HtmlInputElement = root
        .query_selector("input[type=checkbox][data-parley-shared-computer]")
        .unwrap()
        .expect("the checkbox inside its label")
        .dyn_into()
        .unwrap();
    assert!(!checkbox.checked());
    checkbox.click();
    settle().await;
    assert!(
        sent.borrow()
            .iter()
            .any(|command| matches!(command, Command::SharedComputer(true)))
    );
}

#[wasm_bindgen_test]
async fn the_engines_changes_append_one_row_and_update_one_bubble_in_place() {
    let (mut engine, socket) = live_engine();
    frame(
        &mut engine,
        socket,
        &agent_message("a1", "Alex", "first", "[]"),
    );
    let engine = std::rc::Rc::new(std::cell::RefCell::new(engine));
    let slot = std::rc::Rc::new(std::cell::Cell::new(None));
    let (keep, first_engine) = (slot.clone(), engine.clone());
    let (root, _) = mount(
        move |state, _| {
            state.sync_changes(&mut first_engine.borrow_mut(), 5);
            keep.set(Some(state));
        },
        || view! { <Transcript/> },
    );
    let state = slot.get().unwrap();
    settle().await;
    let first = root.query_selector("[data-key='m:a1']").unwrap().unwrap();

    // The guest writes: one row is added, as "sending".
    let tracing_id = {
        let mut engine = engine.borrow_mut();
        engine.send_text("hello", 10).unwrap();
        std::iter::from_fn(|| engine.poll_effect())
            .find_map(|effect| match effect {
                parley_shared::engine::Effect::Send { request, .. } => {
                    request.tracing_id().map(str::to_owned)
                }
                _ => None,
            })
            .expect("the message was sent")
    };
    let arrivals = state.sync_changes(&mut engine.borrow_mut(), 11);
    assert_eq!(arrivals.entries.len(), 1, "one new entry");
    settle().await;
    let sending = root.query_selector("[data-kind=guest]").unwrap().unwrap();
    assert_eq!(
        sending.get_attribute("data-state").as_deref(),
        Some("sending")
    );

    // The echo turns the same bubble "sent"; an agent answer on a later day opens a new day
    // (later than today: the "agent joined" notice is dated by the wall clock).
    let echo = format!(
        r#"{{"type":"message","class":"StructuredMessage","code":200,"tracingId":"{tracing_id}","body":{{"id":"e1","type":"Text","direction":"Inbound","text":"hello","channel":{{"time":"2026-11-20T10:00:01.000Z"}}}}}}"#
    );
    frame(&mut engine.borrow_mut(), socket, &echo);
    let arrivals = state.sync_changes(&mut engine.borrow_mut(), 12);
    assert!(arrivals.entries.is_empty(), "a confirmation is no arrival");
    settle().await;
    let sent = root.query_selector("[data-kind=guest]").unwrap().unwrap();
    assert_eq!(sent.get_attribute("data-state").as_deref(), Some("sent"));
    assert!(sending.is_same_node(Some(&sent)), "the bubble was updated");

    let next_day = agent_message("a2", "Alex", "next day", "[]")
        .replace("2026-11-20T10:00:00.000Z", "2099-01-01T12:00:00.000Z");
    frame(&mut engine.borrow_mut(), socket, &next_day);
    state.sync_changes(&mut engine.borrow_mut(), 13);
    settle().await;
    let still_first = root.query_selector("[data-key='m:a1']").unwrap().unwrap();
    assert!(first.is_same_node(Some(&still_first)), "earlier rows stay");
    assert_eq!(
        root.query_selector_all("[data-parley-entry]:not([data-kind=system])")
            .unwrap()
            .length(),
        3,
        "two agent messages and the guest's"
    );
    assert_eq!(
        root.query_selector_all("[data-parley-date-separator]")
            .unwrap()
            .length(),
        2,
        "one separator per day"
    );
}
