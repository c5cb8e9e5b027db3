//! What the scripted agent says: a small table from what the guest sent to the replies, so the
//! conversation a developer or a test sees is predictable. Pure data in, data out; the pacing and
//! sending live in `agent`.
//!
//! Understood (case-insensitive, surrounding whitespace and trailing `!?.` ignored):
//! `hi`/`hello`/`hey` → greeting; `options` → three quick replies (a click is answered by name);
//! `card` → a card with a postback and a link button (a postback click is answered by name);
//! `carousel` → three cards; `agent`/`human` → hand-over to a human persona; `bye`/`goodbye` →
//! goodbye, then Presence Disconnect (read-only); an attachment → an acknowledgement; a Presence
//! Join (auto-start) → the greeting; anything else → the list of keywords.

use parley_shared::genesys::{
    ButtonResponse, ButtonResponseType, Card, CardAction, CardActionType, Carousel, Content, Event,
    MessageType, PresenceType, QuickReply, StructuredMessage,
};

use super::persona::Persona;

/// What the guest did, as far as the script cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// Typed text, normalised.
    Text(String),
    /// Clicked a quick reply or a card button.
    Choice(ButtonResponse),
    /// Sent a file (its name).
    Attachment(String),
    /// Auto-started the conversation (Presence Join).
    Join,
}

impl Trigger {
    /// The trigger in a guest's echoed message, if the agent should react at all.
    pub fn from_message(message: &StructuredMessage) -> Option<Trigger> {
        for item in &message.content {
            match item {
                Content::ButtonResponse(choice) => return Some(Trigger::Choice(choice.clone())),
                Content::Attachment(file) if message.text.as_deref().unwrap_or("").is_empty() => {
                    let name = file.filename.clone().unwrap_or_else(|| file.id.clone());
                    return Some(Trigger::Attachment(name));
                }
                _ => {}
            }
        }
        let joined = message.events.iter().any(
            |event| matches!(event, Event::Presence(p) if p.presence_type == PresenceType::Join),
        );
        if joined {
            return Some(Trigger::Join);
        }
        let text = message.text.as_deref()?;
        let normalised = text
            .trim()
            .trim_end_matches(['!', '?', '.'])
            .trim()
            .to_lowercase();
        (!normalised.is_empty()).then_some(Trigger::Text(normalised))
    }
}

/// One agent message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Who says it.
    pub persona: Persona,
    /// Text or Structured.
    pub message_type: MessageType,
    /// The text.
    pub text: String,
    /// Quick replies, cards …
    pub content: Vec<Content>,
}

impl Reply {
    fn text(persona: Persona, text: impl Into<String>) -> Step {
        Step::Say(Reply {
            persona,
            message_type: MessageType::Text,
            text: text.into(),
            content: Vec::new(),
        })
    }

    fn structured(persona: Persona, text: impl Into<String>, content: Vec<Content>) -> Step {
        Step::Say(Reply {
            persona,
            message_type: MessageType::Structured,
            text: text.into(),
            content,
        })
    }
}

/// One thing the agent does, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Type, wait, then send this message.
    Say(Reply),
    /// From now on the human persona answers.
    HandOver,
    /// End the conversation: Presence Disconnect, read-only.
    Disconnect,
}

/// The help text listing every keyword.
pub const HELP: &str = "I'm the Parley demo bot. Try: \"hi\", \"options\", \"card\", \"carousel\", \"agent\" or \"bye\".";

/// The quick replies `options` offers: (label, payload).
pub const OPTIONS: [(&str, &str); 3] = [
    ("Billing", "billing"),
    ("Delivery", "delivery"),
    ("Returns", "returns"),
];

/// What the agent does in answer to `trigger` while `persona` is speaking.
pub fn respond(trigger: &Trigger, persona: Persona) -> Vec<Step> {
    let text = match trigger {
        Trigger::Join => return vec![greeting(persona)],
        Trigger::Attachment(name) => {
            return vec![Reply::text(
                persona,
                format!("Thanks, I received \"{name}\"."),
            )];
        }
        Trigger::Choice(choice) => return vec![choice_answer(persona, choice)],
        Trigger::Text(text) => text.as_str(),
    };
    match text {
        "hi" | "hello" | "hey" => vec![greeting(persona)],
        "options" => vec![Reply::structured(
            persona,
            "What can I help you with?",
            OPTIONS
                .iter()
                .map(|(label, payload)| {
                    Content::QuickReply(QuickReply {
                        text: (*label).to_owned(),
                        payload: (*payload).to_owned(),
                        image: None,
                        action: Some("Message".to_owned()),
                    })
                })
                .collect(),
        )],
        "card" => vec![Reply::structured(
            persona,
            "Here is a card.",
            vec![Content::Card(card(
                "Parley",
                "Open-source guest chat for Genesys Cloud.",
            ))],
        )],
        "carousel" => vec![Reply::structured(
            persona,
            "Here are a few cards.",
            vec![Content::Carousel(Carousel {
                cards: vec![
                    card("Chat", "A WebAssembly chat window."),
                    card("Server", "Sessions and OAuth, kept off the browser."),
                    card("Headless", "A terminal guest for scripts and load tests."),
                ],
            })],
        )],
        "agent" | "human" if persona == Persona::Human => {
            vec![Reply::text(
                persona,
                "You're already talking to me, a human agent.",
            )]
        }
        "agent" | "human" => vec![
            Reply::text(Persona::Bot, "Connecting you to an agent…"),
            Step::HandOver,
            Reply::text(
                Persona::Human,
                "Hi, I'm Alex from the support team. How can I help you today?",
            ),
        ],
        "bye" | "goodbye" => vec![
            Reply::text(persona, "Goodbye! Thanks for chatting with us."),
            Step::Disconnect,
        ],
        _ if persona == Persona::Human => vec![Reply::text(
            persona,
            "Thanks, I've noted that. Anything else? (Say \"bye\" to end the chat.)",
        )],
        _ => vec![Reply::text(persona, HELP)],
    }
}

fn greeting(persona: Persona) -> Step {
    match persona {
        Persona::Bot => Reply::text(persona, format!("Hello! {HELP}")),
        Persona::Human => Reply::text(persona, "Hello again! How can I help?"),
    }
}

fn choice_answer(persona: Persona, choice: &ButtonResponse) -> Step {
    let text = match choice.response_type {
        ButtonResponseType::QuickReply => format!("You chose \"{}\".", choice.text),
        _ => format!("You selected \"{}\".", choice.text),
    };
    Reply::text(persona, text)
}

fn card(title: &str, description: &str) -> Card {
    let slug = title.to_lowercase();
    Card {
        title: title.to_owned(),
        description: Some(description.to_owned()),
        actions: vec![
            CardAction {
                action_type: CardActionType::Postback,
                text: format!("Tell me more about {title}"),
                payload: Some(format!("more_{slug}")),
                url: None,
            },
            CardAction {
                action_type: CardActionType::Link,
                text: "Open the website".to_owned(),
                payload: None,
                url: Some(format!("https://example.com/parley/{slug}")),
            },
        ],
        ..Card::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(steps: &[Step]) -> Vec<&str> {
        steps
            .iter()
            .filter_map(|step| match step {
                Step::Say(reply) => Some(reply.text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn keywords_ignore_case_and_punctuation() {
        let trigger = |text: &str| Trigger::Text(text.trim().trim_end_matches('!').to_lowercase());
        assert_eq!(
            respond(&trigger("  HeLLo! "), Persona::Bot),
            respond(&trigger("hi"), Persona::Bot)
        );
    }

    #[test]
    fn agent_hands_over_to_a_human() {
        let steps = respond(&Trigger::Text("agent".into()), Persona::Bot);
        assert!(steps.contains(&Step::HandOver));
        assert_eq!(said(&steps)[0], "Connecting you to an agent…");
    }

    #[test]
    fn bye_disconnects_after_saying_goodbye() {
        let steps = respond(&Trigger::Text("bye".into()), Persona::Bot);
        assert_eq!(steps.last(), Some(&Step::Disconnect));
    }

    #[test]
    fn unknown_text_gets_the_help() {
        let steps = respond(&Trigger::Text("what?".into()), Persona::Bot);
        assert_eq!(said(&steps), [HELP]);
    }
}
