//! The answers an agent or bot message offers: quick replies, and the postback buttons of its
//! cards and carousels (link buttons open a page and answer nothing, so they are not choices).
//!
//! Both clients show them differently (buttons under the message, numbered lines in a
//! terminal) but answer them the same way: [`super::Engine::choose`] with the [`ChoiceId`]
//! read here. What the server receives is decided once, in [`Choice::response`]: the label as
//! the text, the payload (a card button without one answers with its label, as Genesys's own
//! Messenger does) and the kind of button.

use crate::genesys::{ButtonResponse, ButtonResponseType, CardActionType, Content};

use super::Engine;
use super::transcript::{AgentMessage, EntryKind, Notice};

/// Names one choice: the message that offered it and its place among that message's choices
/// (from 0, in the order [`choices_in`] lists them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChoiceId {
    /// The platform id of the message that offered it.
    pub message_id: String,
    /// Its position among that message's choices.
    pub index: usize,
}

/// What kind of answer a choice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceKind {
    /// A quick reply: offered only while its message is the latest.
    QuickReply,
    /// A postback button of a card or carousel: answerable while the conversation lasts.
    Button,
}

/// One answer the guest can give with a click.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Give this to [`super::Engine::choose`].
    pub id: ChoiceId,
    /// Quick reply or card button.
    pub kind: ChoiceKind,
    /// The label (wire text: render as text).
    pub label: String,
    /// What the bot receives.
    pub payload: String,
}

impl Choice {
    /// The `ButtonResponse` that answers this choice.
    pub fn response(&self) -> ButtonResponse {
        ButtonResponse {
            text: self.label.clone(),
            payload: self.payload.clone(),
            response_type: match self.kind {
                ChoiceKind::QuickReply => ButtonResponseType::QuickReply,
                ChoiceKind::Button => ButtonResponseType::Button,
            },
            originating_message_id: Some(self.id.message_id.clone()),
        }
    }
}

/// Every choice `message` offers; see [`choices_in`].
fn choices_of(message: &AgentMessage) -> Vec<Choice> {
    choices_in(&message.message_id, &message.content)
}

/// Every choice offered by `content` of the message `message_id`, quick replies and card
/// buttons, in content order (a carousel's cards in order, each card's postback buttons in
/// order). A UI that renders content item by item takes each card's buttons from this list in
/// the same order.
pub fn choices_in(message_id: &str, content: &[Content]) -> Vec<Choice> {
    let mut choices = Vec::new();
    let mut push = |kind, label: &str, payload: String| {
        choices.push(Choice {
            id: ChoiceId {
                message_id: message_id.to_owned(),
                index: choices.len(),
            },
            kind,
            label: label.to_owned(),
            payload,
        });
    };
    for item in content {
        let cards = match item {
            Content::QuickReply(reply) => {
                push(ChoiceKind::QuickReply, &reply.text, reply.payload.clone());
                continue;
            }
            Content::Card(card) => std::slice::from_ref(card),
            Content::Carousel(carousel) => carousel.cards.as_slice(),
            _ => continue,
        };
        for action in cards.iter().flat_map(|card| &card.actions) {
            if action.action_type == CardActionType::Postback {
                let payload = action
                    .payload
                    .clone()
                    .unwrap_or_else(|| action.text.clone());
                push(ChoiceKind::Button, &action.text, payload);
            }
        }
    }
    choices
}

impl AgentMessage {
    /// Every choice this message offers; see [`choices_in`].
    pub fn choices(&self) -> Vec<Choice> {
        choices_of(self)
    }
}

impl Engine {
    /// The quick replies to offer: those of the latest message, if it is an agent message
    /// that carries some. They disappear once the guest sends anything (a choice included),
    /// because the guest's message becomes the latest, and when the conversation is over.
    pub fn quick_replies(&self) -> Vec<Choice> {
        if !self.can_send() {
            return Vec::new();
        }
        // Notices are skipped ("Alex joined" comes before Alex's message), except those that
        // begin another conversation: nothing before them is on offer any more.
        let latest = self.transcript.entries().iter().rev().find(|entry| {
            !matches!(
                entry.kind,
                EntryKind::Notice(
                    Notice::AgentJoined { .. }
                        | Notice::ConversationEnded { .. }
                        | Notice::ConnectionClosed { .. }
                )
            )
        });
        match latest.map(|entry| &entry.kind) {
            Some(EntryKind::Agent(message)) => choices_of(message)
                .into_iter()
                .filter(|choice| choice.kind == ChoiceKind::QuickReply)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The choices on offer for a client that lists one set at a time (a terminal numbering
    /// them): the quick replies, else the buttons of the latest agent message that has any.
    /// Nothing once the conversation is over.
    pub fn choices(&self) -> Vec<Choice> {
        let quick_replies = self.quick_replies();
        if !quick_replies.is_empty() || !self.can_send() {
            return quick_replies;
        }
        self.transcript
            .entries()
            .iter()
            .rev()
            .find_map(|entry| {
                let EntryKind::Agent(message) = &entry.kind else {
                    return None;
                };
                let buttons: Vec<Choice> = choices_of(message)
                    .into_iter()
                    .filter(|choice| choice.kind == ChoiceKind::Button)
                    .collect();
                (!buttons.is_empty()).then_some(buttons)
            })
            .unwrap_or_default()
    }

    /// The choice `id` names if it may be answered now: a quick reply while on offer, a card
    /// button of any agent message still in the transcript.
    pub(super) fn offered_choice(&self, id: &ChoiceId) -> Option<Choice> {
        let message = self
            .transcript
            .entries()
            .iter()
            .find_map(|entry| match &entry.kind {
                EntryKind::Agent(message) if message.message_id == id.message_id => Some(message),
                _ => None,
            })?;
        let choice = choices_of(message).into_iter().nth(id.index)?;
        match choice.kind {
            ChoiceKind::Button => Some(choice),
            ChoiceKind::QuickReply => self
                .quick_replies()
                .iter()
                .any(|offered| offered.id == *id)
                .then_some(choice),
        }
    }
}
