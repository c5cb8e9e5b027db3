//! The [`ViewTracker`]: reads the engine's view after each `ViewChanged` and reports what changed
//! since the last reading as [`GuestEvent`]s (see the parent module for the schema). It keeps
//! only what it needs to compare: ids already reported, the last phase, typing flag, offer and
//! error. Which choices are on offer, and what answers them, is the engine's
//! ([`Engine::choices`]).

use std::collections::{HashMap, HashSet};

use parley_shared::engine::{
    AgentMessage, ChoiceKind as EngineChoiceKind, CloseReason, Delivery, Engine, EntryKind,
    FailReason, Millis, Notice, OriginatingEntity, Phase,
};
use parley_shared::genesys::{CardActionType, Content};

use super::{
    AgentLine, CardView, Choice, ChoiceKind, ConnectionState, DeliveryState, ErrorKind, GuestEvent,
    Role,
};

/// Remembers the last reading of the engine's view and turns the next one into events.
#[derive(Debug, Default)]
pub struct ViewTracker {
    phase: Option<String>,
    seen_agent: HashSet<String>,
    seen_notices: HashSet<String>,
    deliveries: HashMap<String, DeliveryState>,
    typing: bool,
    offered: Option<String>,
    last_error: Option<String>,
}

impl ViewTracker {
    /// Reads the engine at `now` and returns what changed since the last call, in a sensible
    /// order: connection, transcript, typing, offers (the connection after the transcript when
    /// the conversation is over).
    pub fn changes(&mut self, engine: &Engine, now: Millis) -> Vec<GuestEvent> {
        let mut events = Vec::new();
        // A conversation that is over says why (its notice) before it says that it is over.
        if engine.phase().is_over() {
            self.transcript_changes(engine, &mut events);
            self.phase_changes(engine.phase(), &mut events);
        } else {
            self.phase_changes(engine.phase(), &mut events);
            self.transcript_changes(engine, &mut events);
        }
        let typist = engine.agent_typing(now);
        if typist.is_some() != self.typing {
            self.typing = typist.is_some();
            // Who it is is the engine's to say; "Agent" is only this client's word for "unknown".
            let from = typist
                .and_then(|who| who.name.as_deref())
                .unwrap_or("Agent");
            events.push(GuestEvent::Typing {
                from: from.to_owned(),
                typing: self.typing,
            });
        }
        self.offer_changes(engine, &mut events);
        let last_error = engine.diagnostics().last_error.clone();
        if last_error != self.last_error {
            if let Some(message) = &last_error {
                events.push(GuestEvent::Error {
                    kind: ErrorKind::Engine,
                    message: message.clone(),
                    fatal: false,
                });
            }
            self.last_error = last_error;
        }
        events
    }

    fn phase_changes(&mut self, phase: &Phase, events: &mut Vec<GuestEvent>) {
        let (state, attempt, reason) = describe_phase(phase);
        let key = format!("{state}/{attempt:?}");
        if self.phase.as_deref() == Some(key.as_str()) {
            return;
        }
        self.phase = Some(key);
        events.push(GuestEvent::Connection {
            state,
            attempt,
            reason,
        });
    }

    fn transcript_changes(&mut self, engine: &Engine, events: &mut Vec<GuestEvent>) {
        for entry in engine.transcript() {
            match &entry.kind {
                EntryKind::Agent(message) => {
                    if self.seen_agent.contains(&entry.key) {
                        continue;
                    }
                    self.seen_agent.insert(entry.key.clone());
                    let from = message.nickname.clone().unwrap_or_else(|| "Agent".into());
                    let cards = cards_of(message);
                    events.push(GuestEvent::Message(AgentLine {
                        id: message.message_id.clone(),
                        from,
                        role: match message.originating_entity {
                            Some(OriginatingEntity::Bot) => Role::Bot,
                            Some(OriginatingEntity::Human) => Role::Human,
                            None => Role::Unknown,
                        },
                        text: message.text.clone().unwrap_or_default(),
                        time: entry.time.clone(),
                        cards,
                    }));
                }
                EntryKind::Guest(message) => {
                    let state = delivery_state(&message.delivery);
                    // Every view change walks the transcript: look up before allocating.
                    let id = message
                        .client_id
                        .as_deref()
                        .or(message.message_id.as_deref())
                        .unwrap_or(&entry.key);
                    if self.deliveries.get(id) == Some(&state) {
                        continue;
                    }
                    let id = id.to_owned();
                    self.deliveries.insert(id.clone(), state);
                    let reason = match &message.delivery {
                        Delivery::Failed(reason) => Some(fail_reason(reason)),
                        _ => None,
                    };
                    events.push(GuestEvent::Delivery {
                        id,
                        text: message.text.clone(),
                        state,
                        reason,
                    });
                }
                EntryKind::Notice(notice) => {
                    if !self.seen_notices.contains(&entry.key) {
                        self.seen_notices.insert(entry.key.clone());
                        events.push(GuestEvent::Notice {
                            text: notice_text(notice),
                        });
                    }
                }
            }
        }
    }

    fn offer_changes(&mut self, engine: &Engine, events: &mut Vec<GuestEvent>) {
        let offered = engine.quick_replies();
        let id = offered.first().map(|choice| choice.id.message_id.clone());
        if id == self.offered {
            return;
        }
        self.offered = id;
        let Some(message_id) = &self.offered else {
            return;
        };
        let replies: Vec<Choice> = offered
            .iter()
            .enumerate()
            .map(|(index, reply)| Choice {
                n: Some(index + 1),
                text: reply.label.clone(),
                kind: ChoiceKind::QuickReply,
                payload: Some(reply.payload.clone()),
                url: None,
            })
            .collect();
        events.push(GuestEvent::QuickReplies {
            message_id: message_id.clone(),
            replies,
        });
    }
}

fn describe_phase(phase: &Phase) -> (ConnectionState, Option<u32>, Option<CloseReason>) {
    match phase {
        Phase::Idle => (ConnectionState::Idle, None, None),
        Phase::RequestingSession => (ConnectionState::RequestingSession, None, None),
        Phase::Connecting => (ConnectionState::Connecting, None, None),
        Phase::Configuring => (ConnectionState::Configuring, None, None),
        Phase::Ready => (ConnectionState::Ready, None, None),
        Phase::Reconnecting { attempt, .. } => {
            (ConnectionState::Reconnecting, Some(*attempt), None)
        }
        Phase::Ended => (ConnectionState::Ended, None, None),
        Phase::Expired => (ConnectionState::Expired, None, None),
        Phase::Closed(reason) => (ConnectionState::Closed, None, Some(reason.clone())),
    }
}

/// A close reason in words.
pub fn close_reason(reason: &CloseReason) -> String {
    match reason {
        CloseReason::ClosedByServer(Some(why)) => format!("closed by the server: {why}"),
        CloseReason::ClosedByServer(None) => "closed by the server".to_owned(),
        CloseReason::SignedInElsewhere => "signed in elsewhere".to_owned(),
        CloseReason::GuestLeft => "guest left".to_owned(),
        CloseReason::Rejected { code, message } => {
            format!("session rejected ({code}): {message}")
        }
        CloseReason::NoSession(why) => format!("no session: {why}"),
    }
}

fn delivery_state(delivery: &Delivery) -> DeliveryState {
    match delivery {
        Delivery::Queued => DeliveryState::Queued,
        Delivery::Sending => DeliveryState::Sending,
        Delivery::Sent => DeliveryState::Sent,
        Delivery::Failed(_) => DeliveryState::Failed,
    }
}

fn fail_reason(reason: &FailReason) -> String {
    match reason {
        FailReason::TooLong => "too long".to_owned(),
        FailReason::AttributesTooLarge => "custom attributes too large".to_owned(),
        FailReason::SessionEnded => "the session ended first".to_owned(),
        FailReason::Rejected { code, message } => format!("rejected ({code}): {message}"),
    }
}

fn notice_text(notice: &Notice) -> String {
    match notice {
        Notice::AgentJoined { nickname } => format!("{nickname} joined the conversation"),
        Notice::ConversationEnded { read_only: true } => {
            "the conversation has ended (read-only)".to_owned()
        }
        Notice::ConversationEnded { read_only: false } => "the agent left".to_owned(),
        Notice::SessionExpired => "the session expired".to_owned(),
        Notice::ConnectionClosed { reason: Some(why) } => format!("connection closed: {why}"),
        Notice::ConnectionClosed { reason: None } => "connection closed".to_owned(),
        Notice::NewConversation => "a new conversation started".to_owned(),
    }
}

/// Cards of a message, carousels flattened. Postback buttons carry the number and payload of
/// the engine's choice for them (numbered from 1 across cards, as [`Engine::choices`] lists
/// them when this is the latest card); links are shown, not numbered.
fn cards_of(message: &AgentMessage) -> Vec<CardView> {
    let mut buttons = message
        .choices()
        .into_iter()
        .filter(|choice| choice.kind == EngineChoiceKind::Button)
        .enumerate();
    let cards = message.content.iter().flat_map(|item| match item {
        Content::Card(card) => std::slice::from_ref(card),
        Content::Carousel(carousel) => carousel.cards.as_slice(),
        _ => &[],
    });
    cards
        .map(|card| CardView {
            title: card.title.clone(),
            description: card.description.clone(),
            buttons: card
                .actions
                .iter()
                .map(|action| {
                    let choice = (action.action_type == CardActionType::Postback)
                        .then(|| buttons.next())
                        .flatten();
                    match choice {
                        Some((index, choice)) => Choice {
                            n: Some(index + 1),
                            text: choice.label,
                            kind: ChoiceKind::Postback,
                            payload: Some(choice.payload),
                            url: None,
                        },
                        None => Choice {
                            n: None,
                            text: action.text.clone(),
                            kind: ChoiceKind::Link,
                            payload: action.payload.clone(),
                            url: action.url.clone(),
                        },
                    }
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_postbacks_are_numbered_across_a_carousel_and_links_are_not() {
        let card = |title: &str| {
            Content::Card(parley_shared::genesys::Card {
                title: title.into(),
                actions: vec![
                    parley_shared::genesys::CardAction {
                        action_type: CardActionType::Postback,
                        text: format!("more {title}"),
                        payload: Some("p".into()),
                        url: None,
                    },
                    parley_shared::genesys::CardAction {
                        action_type: CardActionType::Link,
                        text: "site".into(),
                        payload: None,
                        url: Some("https://example.com".into()),
                    },
                ],
                ..Default::default()
            })
        };
        let message = AgentMessage {
            message_id: "m1".into(),
            message_type: parley_shared::genesys::MessageType::Structured,
            text: None,
            content: vec![card("a"), card("b")],
            nickname: None,
            avatar: None,
            originating_entity: None,
        };
        let cards = cards_of(&message);
        let numbers: Vec<Option<usize>> = cards
            .iter()
            .flat_map(|c| c.buttons.iter().map(|b| b.n))
            .collect();
        assert_eq!(numbers, [Some(1), None, Some(2), None]);
        let choices = message.choices();
        assert_eq!(
            choices[1].label, cards[1].buttons[0].text,
            "number 2 is choice 2"
        );
    }
}
