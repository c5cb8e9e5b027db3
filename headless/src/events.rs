//! What a headless guest reports: the stable event schema that `chat --json` prints one per line,
//! that `check` matches steps against and that `load` times.
//!
//! Events are not invented here: they are the *differences* between two readings of the
//! engine's view (phase, transcript, typing, quick replies, last error), taken after every
//! [`parley_shared::engine::Effect::ViewChanged`] by a [`ViewTracker`]. The engine decides what
//! the conversation looks like; this module only says what changed since the last look.
//!
//! The JSON schema (one object per line, `event` names the kind; fields marked `?` are omitted
//! when absent) is documented in `headless/README.md` and must stay stable for scripts.

use std::collections::{HashMap, HashSet};

use parley_shared::engine::{
    CloseReason, Delivery, Engine, EntryKind, FailReason, Millis, Notice, Phase,
};
use parley_shared::genesys::{ButtonResponseType, CardActionType, Content};
use serde::Serialize;

/// One thing that happened in a conversation, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum GuestEvent {
    /// The connection phase changed.
    Connection {
        /// `requesting_session`, `connecting`, `configuring`, `ready`, `reconnecting`, `ended`
        /// (read-only), `expired` or `closed`.
        state: &'static str,
        /// Reconnect attempt number (`reconnecting` only).
        #[serde(skip_serializing_if = "Option::is_none")]
        attempt: Option<u32>,
        /// Why (`closed` only).
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// An agent or bot message arrived.
    Message(AgentLine),
    /// The agent's typing indicator went on or off.
    Typing {
        /// Who is typing (the sender of the typing event, else the last sender).
        from: String,
        /// On or off.
        typing: bool,
    },
    /// The latest message offers quick replies; the guest may choose one by number.
    QuickReplies {
        /// The message that offered them.
        message_id: String,
        /// The choices, numbered from 1.
        replies: Vec<Choice>,
    },
    /// One of the guest's own messages changed delivery state.
    Delivery {
        /// The client message id (the request's tracingId).
        id: String,
        /// The text as the guest wrote it.
        text: String,
        /// `queued`, `sending`, `sent` or `failed`.
        state: &'static str,
        /// Why it failed (`failed` only).
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Something the engine says about the conversation itself (agent joined, ended …).
    Notice {
        /// The notice in words.
        text: String,
    },
    /// The guest session token (only with `chat --show-token`): a secret.
    Session {
        /// Give it to `--resume` to continue this conversation.
        token: String,
    },
    /// Something went wrong; `fatal` errors end the guest.
    Error {
        /// A stable machine-readable kind: `refused` (a guest action), `grant`, `connect`,
        /// `upgrade_refused`, `socket`, `engine`.
        kind: &'static str,
        /// What happened, in words.
        message: String,
        /// Whether the guest gives up because of it.
        fatal: bool,
    },
}

/// An agent or bot message as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentLine {
    /// The platform message id.
    pub id: String,
    /// The sender's display name (`Agent` when the server gave none).
    pub from: String,
    /// `bot`, `human` or `unknown` (from `originatingEntity`).
    pub role: String,
    /// The text (may be empty for pure structured content).
    pub text: String,
    /// Server time as on the wire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Cards (a carousel is flattened into its cards).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cards: Vec<CardView>,
}

/// A card as printed: its postback buttons are numbered choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardView {
    /// The heading.
    pub title: String,
    /// Body text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The buttons in order.
    pub buttons: Vec<Choice>,
}

/// A numbered choice: a quick reply, a card postback button, or a link (not choosable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The number to type to choose it; `None` for links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    /// The label.
    pub text: String,
    /// `quick_reply`, `postback` or `link`.
    pub kind: &'static str,
    /// What the bot receives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// Link target (`link` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Choice {
    /// The wire kind of the guest's answer to this choice, if it can be chosen.
    pub fn response_type(&self) -> Option<ButtonResponseType> {
        match self.kind {
            "quick_reply" => Some(ButtonResponseType::QuickReply),
            "postback" => Some(ButtonResponseType::Button),
            _ => None,
        }
    }
}

impl GuestEvent {
    /// The event as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{\"event\":\"error\"}".to_owned())
    }
}

/// Remembers the last reading of the engine's view and turns the next one into events.
#[derive(Debug, Default)]
pub struct ViewTracker {
    phase: Option<String>,
    seen_agent: HashSet<String>,
    seen_notices: HashSet<String>,
    deliveries: HashMap<String, &'static str>,
    typing: bool,
    offered: Option<String>,
    last_error: Option<String>,
    last_sender: Option<String>,
    /// The choices currently on offer (quick replies, else the latest card buttons).
    choices: Vec<Choice>,
    choices_from: Option<String>,
}

impl ViewTracker {
    /// Reads the engine at `now` and returns what changed since the last call, in a sensible
    /// order (connection first, then the transcript, then typing and offers).
    /// `typing_sender` names whoever sent the latest typing event, if the driver saw one.
    pub fn changes(
        &mut self,
        engine: &Engine,
        now: Millis,
        typing_sender: Option<&str>,
    ) -> Vec<GuestEvent> {
        let mut events = Vec::new();
        self.phase_changes(engine.phase(), &mut events);
        self.transcript_changes(engine, &mut events);
        let typing = engine.agent_typing(now);
        if typing != self.typing {
            self.typing = typing;
            let from = typing_sender
                .or(self.last_sender.as_deref())
                .unwrap_or("Agent");
            events.push(GuestEvent::Typing {
                from: from.to_owned(),
                typing,
            });
        }
        self.offer_changes(engine, &mut events);
        let last_error = engine.diagnostics().last_error.clone();
        if last_error != self.last_error {
            // Grant failures are reported by the driver itself (as fatal `grant` errors).
            if let Some(message) = last_error
                .as_ref()
                .filter(|m| !m.starts_with("no session:"))
            {
                events.push(GuestEvent::Error {
                    kind: "engine",
                    message: message.clone(),
                    fatal: false,
                });
            }
            self.last_error = last_error;
        }
        events
    }

    /// The choices a number typed now would pick: the quick replies on offer, else the
    /// postback buttons of the latest card.
    pub fn choices(&self) -> &[Choice] {
        &self.choices
    }

    /// The message that offered [`Self::choices`].
    pub fn choices_from(&self) -> Option<&str> {
        self.choices_from.as_deref()
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
                    self.last_sender = Some(from.clone());
                    let cards = cards_of(&message.content);
                    let postbacks: Vec<Choice> = cards
                        .iter()
                        .flat_map(|card| card.buttons.iter())
                        .filter(|choice| choice.n.is_some())
                        .cloned()
                        .collect();
                    if !postbacks.is_empty() {
                        self.choices = postbacks;
                        self.choices_from = Some(message.message_id.clone());
                    }
                    events.push(GuestEvent::Message(AgentLine {
                        id: message.message_id.clone(),
                        from,
                        role: message
                            .originating_entity
                            .as_deref()
                            .map_or("unknown".to_owned(), str::to_lowercase),
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
        let id = offered.as_ref().map(|q| q.message_id.to_owned());
        if id == self.offered {
            return;
        }
        self.offered = id;
        let Some(offered) = offered else {
            if self.choices.iter().any(|c| c.kind == "quick_reply") {
                self.choices.clear();
                self.choices_from = None;
            }
            return;
        };
        let replies: Vec<Choice> = offered
            .replies
            .iter()
            .enumerate()
            .map(|(index, reply)| Choice {
                n: Some(index + 1),
                text: reply.text.clone(),
                kind: "quick_reply",
                payload: Some(reply.payload.clone()),
                url: None,
            })
            .collect();
        self.choices = replies.clone();
        self.choices_from = Some(offered.message_id.to_owned());
        events.push(GuestEvent::QuickReplies {
            message_id: offered.message_id.to_owned(),
            replies,
        });
    }
}

fn describe_phase(phase: &Phase) -> (&'static str, Option<u32>, Option<String>) {
    match phase {
        Phase::Idle => ("idle", None, None),
        Phase::RequestingSession => ("requesting_session", None, None),
        Phase::Connecting => ("connecting", None, None),
        Phase::Configuring => ("configuring", None, None),
        Phase::Ready => ("ready", None, None),
        Phase::Reconnecting { attempt, .. } => ("reconnecting", Some(*attempt), None),
        Phase::Ended => ("ended", None, None),
        Phase::Expired => ("expired", None, None),
        Phase::Closed(reason) => ("closed", None, Some(close_reason(reason))),
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

fn delivery_state(delivery: &Delivery) -> &'static str {
    match delivery {
        Delivery::Queued => "queued",
        Delivery::Sending => "sending",
        Delivery::Sent => "sent",
        Delivery::Failed(_) => "failed",
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

/// Cards of a message, carousels flattened; postback buttons numbered from 1 across cards.
fn cards_of(content: &[Content]) -> Vec<CardView> {
    let mut next = 1;
    let mut views = Vec::new();
    let cards = content.iter().flat_map(|item| match item {
        Content::Card(card) => vec![card],
        Content::Carousel(carousel) => carousel.cards.iter().collect(),
        _ => Vec::new(),
    });
    for card in cards {
        let buttons = card
            .actions
            .iter()
            .map(|action| {
                let postback = action.action_type == CardActionType::Postback;
                let n = postback.then(|| {
                    next += 1;
                    next - 1
                });
                Choice {
                    n,
                    text: action.text.clone(),
                    kind: if postback { "postback" } else { "link" },
                    payload: action.payload.clone(),
                    url: action.url.clone(),
                }
            })
            .collect();
        views.push(CardView {
            title: card.title.clone(),
            description: card.description.clone(),
            buttons,
        });
    }
    views
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialise_with_a_kind_tag_and_without_absent_fields() {
        let event = GuestEvent::Connection {
            state: "ready",
            attempt: None,
            reason: None,
        };
        assert_eq!(event.to_json(), r#"{"event":"connection","state":"ready"}"#);
        let typing = GuestEvent::Typing {
            from: "Parley Bot".into(),
            typing: true,
        };
        assert_eq!(
            typing.to_json(),
            r#"{"event":"typing","from":"Parley Bot","typing":true}"#
        );
    }

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
        let cards = cards_of(&[card("a"), card("b")]);
        let numbers: Vec<Option<usize>> = cards
            .iter()
            .flat_map(|c| c.buttons.iter().map(|b| b.n))
            .collect();
        assert_eq!(numbers, [Some(1), None, Some(2), None]);
    }
}
