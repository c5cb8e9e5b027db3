//! The scripted agent in deterministic mode: each keyword's answer, typing before every reply,
//! the hand-over to a human persona, and the goodbye that makes the conversation read-only.

use crate::emulator_support::*;
use parley_shared::genesys::{
    ButtonResponse, ButtonResponseType, Content, Direction, Event, IncomingMessage, MessageType,
    PresenceType, StructuredMessage, TypingType,
};

/// Sends `request` and returns the frames the agent answers with, up to and including the message
/// that satisfies `last`.
async fn agent_answer(
    guest: &mut Guest,
    request: parley_shared::genesys::ClientRequest,
    last: impl Fn(&StructuredMessage) -> bool,
) -> Vec<StructuredMessage> {
    guest.send(&request).await;
    let echo = guest.next_frame().await;
    assert_eq!(message_of(&echo).direction, Direction::Inbound);
    let mut answer = Vec::new();
    loop {
        let frame = guest.next_frame().await;
        let message = message_of(&frame).clone();
        let done = last(&message);
        answer.push(message);
        if done {
            return answer;
        }
    }
}

/// The text of the answer's last message (the one that ended it).
fn last_text(answer: &[StructuredMessage]) -> &str {
    answer
        .last()
        .and_then(|message| message.text.as_deref())
        .expect("the answer ends with a text")
}

fn is_typing(message: &StructuredMessage) -> bool {
    matches!(&message.events[..], [Event::Typing(typing)] if typing.typing_type == TypingType::On && typing.duration.is_some())
}

async fn ask(guest: &mut Guest, text: &str) -> Vec<StructuredMessage> {
    agent_answer(guest, text_request("t", text, text), is_agent_text).await
}

#[tokio::test]
async fn hello_gets_typing_then_a_greeting_from_the_bot() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let answer = ask(&mut guest, "  HeLLo! ").await;
    assert_eq!(answer.len(), 2);
    assert!(is_typing(&answer[0]), "typing comes first: {:?}", answer[0]);
    assert_eq!(answer[0].direction, Direction::Outbound);
    let greeting = &answer[1];
    assert_eq!(greeting.direction, Direction::Outbound);
    assert_eq!(greeting.originating_entity.as_deref(), Some("Bot"));
    assert!(greeting.text.as_deref().unwrap().starts_with("Hello!"));
    let from = greeting.sender().unwrap();
    assert_eq!(from.nickname.as_deref(), Some("Parley Bot"));
    assert!(
        from.image
            .as_deref()
            .unwrap()
            .ends_with("/emulator/avatars/bot.svg")
    );
}

#[tokio::test]
async fn options_offers_three_quick_replies_and_a_choice_is_answered_by_name() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let offer = ask(&mut guest, "options").await.pop().unwrap();
    assert_eq!(offer.message_type, MessageType::Structured);
    let choices: Vec<_> = offer
        .content
        .iter()
        .map(|item| match item {
            Content::QuickReply(reply) => reply.clone(),
            other => panic!("expected quick replies, got {other:?}"),
        })
        .collect();
    assert_eq!(choices.len(), 3);
    let picked = &choices[1];
    let click = IncomingMessage::button_response(ButtonResponse {
        text: picked.text.clone(),
        payload: picked.payload.clone(),
        response_type: ButtonResponseType::QuickReply,
        originating_message_id: Some(offer.id.clone()),
    });
    let answer = agent_answer(
        &mut guest,
        message_request("t", click, "click"),
        is_agent_text,
    )
    .await;
    assert!(last_text(&answer).contains(&picked.text));
}

#[tokio::test]
async fn card_offers_a_postback_and_a_link_and_the_postback_is_answered() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let offer = ask(&mut guest, "card").await.pop().unwrap();
    let card = match &offer.content[..] {
        [Content::Card(card)] => card.clone(),
        other => panic!("expected one card, got {other:?}"),
    };
    let kinds: Vec<_> = card.actions.iter().map(|a| a.action_type).collect();
    use parley_shared::genesys::CardActionType::{Link, Postback};
    assert_eq!(kinds, [Postback, Link]);
    let postback = &card.actions[0];
    let click = IncomingMessage::button_response(ButtonResponse {
        text: postback.text.clone(),
        payload: postback.payload.clone().unwrap(),
        response_type: ButtonResponseType::Button,
        originating_message_id: None,
    });
    let answer = agent_answer(&mut guest, message_request("t", click, "pb"), is_agent_text).await;
    assert!(last_text(&answer).contains(&postback.text));
}

#[tokio::test]
async fn carousel_offers_several_cards() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let offer = ask(&mut guest, "carousel").await.pop().unwrap();
    match &offer.content[..] {
        [Content::Carousel(carousel)] => assert!(carousel.cards.len() >= 2),
        other => panic!("expected a carousel, got {other:?}"),
    }
}

#[tokio::test]
async fn agent_hands_over_to_a_human_persona_who_then_answers() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let handover = agent_answer(&mut guest, text_request("t", "agent", "agent"), |m| {
        m.originating_entity.as_deref() == Some("Human")
    })
    .await;
    let texts: Vec<_> = handover.iter().filter(|m| is_agent_text(m)).collect();
    assert_eq!(
        texts[0].text.as_deref(),
        Some("Connecting you to an agent…")
    );
    assert_eq!(texts[0].originating_entity.as_deref(), Some("Bot"));
    let human = texts.last().unwrap();
    assert_eq!(human.sender().unwrap().nickname.as_deref(), Some("Alex"));
    assert!(
        handover.iter().filter(|m| is_typing(m)).count() >= 2,
        "typing before each reply"
    );

    let later = ask(&mut guest, "what about my order").await;
    assert_eq!(
        later.last().unwrap().originating_entity.as_deref(),
        Some("Human")
    );
}

#[tokio::test]
async fn bye_says_goodbye_then_disconnects_read_only() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let answer = agent_answer(&mut guest, text_request("t", "bye", "bye"), |m| {
        m.message_type == MessageType::Event && !is_typing(m)
    })
    .await;
    let disconnect = answer.last().unwrap();
    assert!(
        matches!(&disconnect.events[..], [Event::Presence(p)] if p.presence_type == PresenceType::Disconnect)
    );
    assert!(disconnect.marks_read_only());
    assert!(
        answer
            .iter()
            .any(|m| m.text.as_deref() == Some("Goodbye! Thanks for chatting with us."))
    );

    guest.say("t", "wait!", "late").await;
    let refused = guest.next_frame().await;
    assert_eq!(refused.code, 403);
    assert_eq!(refused.tracing_id.as_deref(), Some("late"));
    let (_, resumed) = server.guest("t").await;
    assert!(resumed.read_only);
    let transcript = server.transcript("t").await;
    let last = transcript["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["metadata"]["readOnly"], "true");
}

#[tokio::test]
async fn anything_else_gets_the_list_of_keywords() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let help = ask(&mut guest, "what can you do").await.pop().unwrap();
    let text = help.text.unwrap();
    for keyword in ["options", "card", "agent", "bye"] {
        assert!(text.contains(keyword), "{text}");
    }
}

#[tokio::test]
async fn agent_replies_reach_every_connection_and_history_but_typing_is_not_kept() {
    let server = start_default().await;
    let (mut first, _) = server.guest("t").await;
    let (mut second, _) = server.guest("t").await;
    first.say("t", "hi", "m1").await;
    let on_first = first.until_message(is_agent_text).await;
    let on_second = second.until_message(is_agent_text).await;
    assert_eq!(on_first.id, on_second.id);
    let transcript = server.transcript("t").await;
    let kept = transcript["messages"].as_array().unwrap();
    assert_eq!(
        kept.len(),
        2,
        "the guest message and the greeting, no typing"
    );
}

#[tokio::test]
async fn deterministic_mode_gives_predictable_ids() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    guest.say("t", "hi", "m1").await;
    let echo = guest.next_frame().await;
    assert!(message_of(&echo).id.starts_with("emu-msg-"));
}
