//! The conversation as the UI shows it: one ordered, de-duplicated list of entries.
//!
//! Everything the guest sees passes through here: optimistic guest bubbles (from the outbox),
//! their echoes, agent and bot messages from live frames and from history pages, and local
//! notices ("agent joined", "conversation ended"). The rules (PROTOCOL.md §1.11):
//!
//! - **Order** is the server's `channel.time`, parsed (see [`super::timestamp`]) so mixed
//!   precision and offsets sort right. Equal times keep arrival order. An entry without a usable
//!   time is placed at the latest time known when it arrived, i.e. where the guest saw it appear.
//!   Guest messages not yet echoed have no server time yet and stay at the bottom, in send order.
//! - **De-duplication** is by platform message id (live frames and history pages overlap after
//!   every reconnect) and, for guest messages, by Parley's client message id carried in
//!   `metadata.parleyClientMessageId` (a resend that the server did receive twice still shows
//!   once).
//! - **Keys** are stable for the life of an entry, so a keyed list (`<For>` in Leptos) never
//!   re-renders a bubble because its echo arrived: a guest message keeps its client id as key.

use std::collections::BTreeSet;

use crate::genesys::{Content, MessageType, StructuredMessage};

use super::changes::{ChangeLog, EntryChange};
use super::timestamp::parse_millis;

/// The `message.metadata` key under which Parley sends each guest message's client id (its
/// tracingId). Genesys treats metadata as free-form (PROTOCOL.md §1.4.3); the emulator echoes it
/// in live echoes and history, which lets a reconnecting client tell "delivered" from "lost".
pub const CLIENT_MESSAGE_ID_KEY: &str = "parleyClientMessageId";

/// Where a guest message is on its way to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Waiting in the outbox: for the connection, for the previous message's echo, for the pacing
    /// window, or for a 429's `retryAfter`.
    Queued,
    /// Sent on the current socket; the server's echo has not arrived yet.
    Sending,
    /// The server's echo (or a history entry) proved it delivered.
    Sent,
    /// Given up; the guest may retry it ([`super::Engine::retry`]).
    Failed(FailReason),
}

/// Why a guest message failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailReason {
    /// The server refused the text as too long (4011).
    TooLong,
    /// The server refused the custom attributes as too large (4013).
    AttributesTooLarge,
    /// The session ended before the message could be delivered.
    SessionEnded,
    /// Any other error frame answering this message: its code and text.
    Rejected {
        /// The frame's code.
        code: u16,
        /// The frame's text, for a tooltip or a log line (wire text: render as text).
        message: String,
    },
}

/// A message written by the guest (in this tab or, echoed, in another one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestMessage {
    /// Parley's client id (the request's tracingId), when known.
    pub client_id: Option<String>,
    /// The platform message id, once echoed.
    pub message_id: Option<String>,
    /// The text (may be empty for a quick-reply click or an attachment).
    pub text: String,
    /// Button responses and attachments sent with the text.
    pub content: Vec<Content>,
    /// Delivery state; `Sent` for messages learned from the server.
    pub delivery: Delivery,
}

/// A message from an agent, a bot or the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentMessage {
    /// The platform message id.
    pub message_id: String,
    /// Text, Structured or Event.
    pub message_type: MessageType,
    /// The text, if any (wire text: render as text, never as HTML).
    pub text: Option<String>,
    /// Rich content; unknown kinds are kept so the UI can say "unsupported content".
    pub content: Vec<Content>,
    /// The sender's display name (`channel.from.nickname`).
    pub nickname: Option<String>,
    /// The sender's avatar URL (`channel.from.image`).
    pub avatar: Option<String>,
    /// Whether a person or a bot wrote it, when the server says.
    pub originating_entity: Option<OriginatingEntity>,
}

/// Who wrote an agent-side message (`originatingEntity` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginatingEntity {
    /// A person (an agent).
    Human,
    /// A bot or the flow.
    Bot,
}

impl OriginatingEntity {
    /// The wire value read leniently (`Human`, `Bot`, any case); `None` for anything else.
    pub fn from_wire(value: &str) -> Option<OriginatingEntity> {
        if value.eq_ignore_ascii_case("human") {
            Some(OriginatingEntity::Human)
        } else if value.eq_ignore_ascii_case("bot") {
            Some(OriginatingEntity::Bot)
        } else {
            None
        }
    }
}

/// Something the engine tells the guest about the conversation itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A (new) agent or bot took over: the sender's nickname changed.
    AgentJoined {
        /// The new sender's display name.
        nickname: String,
    },
    /// The agent, the flow or the guest ("End chat") ended the conversation; with `read_only`
    /// the guest can no longer write in it.
    ConversationEnded {
        /// Whether the conversation became read-only.
        read_only: bool,
    },
    /// The session expired; a new chat starts from scratch (at once, by default: the notice
    /// then heads the new conversation's transcript).
    SessionExpired,
    /// Another connection closed this one (signed in elsewhere, session limit, cleared …).
    ConnectionClosed {
        /// The server's reason, if it gave one.
        reason: Option<String>,
    },
    /// A new conversation started ("start new chat").
    NewConversation,
}

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// Written by the guest.
    Guest(GuestMessage),
    /// Written by an agent or bot.
    Agent(AgentMessage),
    /// Said by the engine.
    Notice(Notice),
}

/// One line of the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable key for keyed lists: `c:<client id>`, `m:<message id>` or `n:<counter>`.
    pub key: String,
    /// The server time as the wire had it, if any.
    pub time: Option<String>,
    /// The content.
    pub kind: EntryKind,
    /// It arrived on the socket while this engine ran (a live frame, a notice, the guest's own
    /// message), not from a history page: what a UI may count as unread when the window is
    /// hidden. Decided by how the entry arrived, never by comparing clocks.
    pub live: bool,
    order: Order,
}

/// Sort key: unconfirmed guest messages last, then by time, then by arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Order {
    pending: bool,
    millis: i64,
    seq: u64,
}

/// The ordered, de-duplicated list of entries.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    entries: Vec<Entry>,
    message_ids: BTreeSet<String>,
    client_ids: BTreeSet<String>,
    latest_millis: i64,
    next_seq: u64,
    changes: ChangeLog,
}

/// What happened to a message offered to the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// A new entry was added.
    Added,
    /// An existing entry (an optimistic guest bubble) was confirmed.
    Confirmed,
    /// Already known: nothing changed.
    Duplicate,
}

impl Transcript {
    /// The entries in display order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The agent the guest is talking to: the latest agent or bot message that named its
    /// sender. A hand-over to a human shows up here as soon as the human writes.
    pub fn current_agent(&self) -> Option<&AgentMessage> {
        self.entries
            .iter()
            .rev()
            .find_map(|entry| match &entry.kind {
                EntryKind::Agent(agent) if agent.nickname.is_some() => Some(agent),
                _ => None,
            })
    }

    /// Who speaks for the other side now: the latest agent or bot message that named its
    /// sender, or came from a bot (bots rarely carry a nickname; a deployment that humanizes
    /// them names them). `None` before anyone wrote.
    pub fn current_speaker(&self) -> Option<&AgentMessage> {
        self.entries
            .iter()
            .rev()
            .find_map(|entry| match &entry.kind {
                EntryKind::Agent(agent)
                    if agent.nickname.is_some()
                        || agent.originating_entity == Some(OriginatingEntity::Bot) =>
                {
                    Some(agent)
                }
                _ => None,
            })
    }

    /// The server time of the newest guest message the server confirmed (echoed or in history).
    pub fn latest_confirmed_guest_millis(&self) -> Option<i64> {
        self.entries
            .iter()
            .filter(|entry| {
                matches!(&entry.kind, EntryKind::Guest(m) if m.message_id.is_some())
                    && !entry.order.pending
            })
            .map(|entry| entry.order.millis)
            .max()
    }

    /// Whether a platform message id is already shown.
    pub fn knows_message(&self, message_id: &str) -> bool {
        self.message_ids.contains(message_id)
    }

    /// Records the id of an event message (typing, presence) that is not shown as an entry, so
    /// a repeated delivery is recognised; true if it was new.
    pub fn remember_event(&mut self, message_id: &str) -> bool {
        if self.is_known(message_id) {
            return false;
        }
        self.remember_id(message_id);
        true
    }

    /// Adds the optimistic bubble of a guest message about to be queued.
    pub fn push_guest(&mut self, client_id: &str, text: String, content: Vec<Content>) {
        let order = Order {
            pending: true,
            millis: i64::MAX,
            seq: self.seq(),
        };
        self.client_ids.insert(client_id.to_owned());
        self.insert(Entry {
            key: format!("c:{client_id}"),
            time: None,
            live: true,
            kind: EntryKind::Guest(GuestMessage {
                client_id: Some(client_id.to_owned()),
                message_id: None,
                text,
                content,
                delivery: Delivery::Queued,
            }),
            order,
        });
    }

    /// Changes the delivery state of our own message; false if no such message. A failed
    /// message stops sinking to the bottom: it stays where it was when it failed (before a
    /// "session expired" notice, say), and joins the unconfirmed ones again when retried.
    pub fn set_delivery(&mut self, client_id: &str, delivery: Delivery) -> bool {
        let Some(index) = self.guest_index(client_id) else {
            return false;
        };
        let mut entry = self.entries.remove(index);
        let EntryKind::Guest(message) = &mut entry.kind else {
            unreachable!("guest_index only returns guest entries")
        };
        let changed = message.delivery != delivery;
        let unconfirmed = message.message_id.is_none();
        match &delivery {
            Delivery::Failed(_) => {
                entry.order.pending = false;
                entry.order.millis = self.latest_millis;
            }
            Delivery::Queued | Delivery::Sending if unconfirmed => {
                entry.order.pending = true;
                entry.order.millis = i64::MAX;
            }
            _ => {}
        }
        message.delivery = delivery;
        self.reinsert(index, entry);
        changed
    }

    /// Offers a guest (Inbound) message from a live echo (`live`) or a history page.
    /// `client_id` is the id it answers to (from the echo's tracingId or its metadata), if any.
    /// `fallback_millis` places it when it carries no usable time.
    pub fn merge_guest(
        &mut self,
        message: &StructuredMessage,
        client_id: Option<&str>,
        fallback_millis: Option<i64>,
        live: bool,
    ) -> Merge {
        let client_id = client_id.or_else(|| {
            message
                .metadata
                .get(CLIENT_MESSAGE_ID_KEY)
                .map(String::as_str)
        });
        if let Some(client_id) = client_id
            && let Some(index) = self.guest_index(client_id)
        {
            let EntryKind::Guest(existing) = &self.entries[index].kind else {
                unreachable!("guest_index only returns guest entries")
            };
            if existing.message_id.is_some() {
                self.remember_id(&message.id);
                return Merge::Duplicate;
            }
            let mut entry = self.entries.remove(index);
            if let EntryKind::Guest(guest) = &mut entry.kind {
                guest.message_id = non_empty(&message.id);
                guest.delivery = Delivery::Sent;
                // The server's content is the resolved one (an attachment's URL, name, type).
                if !message.content.is_empty() {
                    guest.content = message.content.clone();
                }
            }
            self.remember_id(&message.id);
            entry.time = message.time().map(str::to_owned);
            entry.order = self.timed_order(message.time(), fallback_millis);
            self.reinsert(index, entry);
            return Merge::Confirmed;
        }
        if self.is_known(&message.id) {
            return Merge::Duplicate;
        }
        if let Some(client_id) = client_id {
            self.client_ids.insert(client_id.to_owned());
        }
        self.remember_id(&message.id);
        let order = self.timed_order(message.time(), fallback_millis);
        self.insert(Entry {
            key: key_for(client_id, &message.id, order.seq),
            time: message.time().map(str::to_owned),
            live,
            kind: EntryKind::Guest(GuestMessage {
                client_id: client_id.map(str::to_owned),
                message_id: non_empty(&message.id),
                text: message.text.clone().unwrap_or_default(),
                content: message.content.clone(),
                delivery: Delivery::Sent,
            }),
            order,
        });
        Merge::Added
    }

    /// Offers an agent/bot (Outbound) message from a live frame (`live`) or a history page.
    pub fn merge_agent(
        &mut self,
        message: &StructuredMessage,
        fallback_millis: Option<i64>,
        live: bool,
    ) -> Merge {
        if self.is_known(&message.id) {
            return Merge::Duplicate;
        }
        self.remember_id(&message.id);
        let sender = message.sender();
        let order = self.timed_order(message.time(), fallback_millis);
        self.insert(Entry {
            key: key_for(None, &message.id, order.seq),
            time: message.time().map(str::to_owned),
            live,
            kind: EntryKind::Agent(AgentMessage {
                message_id: message.id.clone(),
                message_type: message.message_type,
                text: message.text.clone(),
                content: message.content.clone(),
                nickname: sender.and_then(|from| from.nickname.clone()),
                avatar: sender.and_then(|from| from.image.clone()),
                originating_entity: message
                    .originating_entity
                    .as_deref()
                    .and_then(OriginatingEntity::from_wire),
            }),
            order,
        });
        Merge::Added
    }

    /// Adds a notice at the current end of the timeline (before unconfirmed guest messages).
    /// With `at`, the notice is placed at that server time instead (just before a message that
    /// carries the same time, e.g. "agent joined" before the agent's first message).
    pub fn push_notice(&mut self, notice: Notice, at: Option<&str>) {
        let millis = at.and_then(parse_millis).unwrap_or(self.latest_millis);
        let order = Order {
            pending: false,
            millis,
            seq: self.seq(),
        };
        self.insert(Entry {
            key: format!("n:{}", order.seq),
            time: None,
            live: true,
            kind: EntryKind::Notice(notice),
            order,
        });
    }

    /// Forgets every entry (SessionClearedEvent, start new chat).
    pub fn clear(&mut self) {
        let next_seq = self.next_seq;
        let mut changes = std::mem::take(&mut self.changes);
        changes.reset();
        *self = Self::default();
        self.next_seq = next_seq;
        self.changes = changes;
    }

    /// The changes to [`Transcript::entries`] since the last call (see [`super::changes`]).
    pub fn take_changes(&mut self) -> Vec<EntryChange> {
        self.changes.take()
    }

    /// Drops our own message (a failed one the guest discarded); false if unknown.
    pub fn remove_guest(&mut self, client_id: &str) -> bool {
        match self.guest_index(client_id) {
            Some(index) => {
                self.entries.remove(index);
                self.changes.record(|| EntryChange::Removed { index });
                true
            }
            None => false,
        }
    }

    /// The guest message sent under `client_id`, if shown.
    pub fn guest(&self, client_id: &str) -> Option<&GuestMessage> {
        let index = self.guest_index(client_id)?;
        match &self.entries[index].kind {
            EntryKind::Guest(message) => Some(message),
            _ => None,
        }
    }

    fn guest_index(&self, client_id: &str) -> Option<usize> {
        if !self.client_ids.contains(client_id) {
            return None;
        }
        self.entries.iter().position(|entry| {
            matches!(&entry.kind, EntryKind::Guest(m) if m.client_id.as_deref() == Some(client_id))
        })
    }

    fn is_known(&self, message_id: &str) -> bool {
        !message_id.is_empty() && self.message_ids.contains(message_id)
    }

    fn remember_id(&mut self, message_id: &str) {
        if !message_id.is_empty() {
            self.message_ids.insert(message_id.to_owned());
        }
    }

    fn timed_order(&mut self, time: Option<&str>, fallback_millis: Option<i64>) -> Order {
        let millis = time
            .and_then(parse_millis)
            .or(fallback_millis)
            .unwrap_or(self.latest_millis);
        self.latest_millis = self.latest_millis.max(millis);
        Order {
            pending: false,
            millis,
            seq: self.seq(),
        }
    }

    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    fn insert(&mut self, entry: Entry) {
        let index = self.position_for(&entry);
        self.changes.record(|| EntryChange::Inserted {
            index,
            entry: entry.clone(),
        });
        self.entries.insert(index, entry);
    }

    /// Puts back an entry taken out at `from` (changed, and maybe due elsewhere now).
    fn reinsert(&mut self, from: usize, entry: Entry) {
        let to = self.position_for(&entry);
        self.changes.record(|| EntryChange::Moved {
            from,
            to,
            entry: entry.clone(),
        });
        self.entries.insert(to, entry);
    }

    fn position_for(&self, entry: &Entry) -> usize {
        self.entries
            .partition_point(|existing| existing.order <= entry.order)
    }
}

fn key_for(client_id: Option<&str>, message_id: &str, seq: u64) -> String {
    match (client_id, message_id) {
        (Some(client_id), _) => format!("c:{client_id}"),
        (None, "") => format!("n:{seq}"),
        (None, id) => format!("m:{id}"),
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(id: &str, direction: &str, text: &str, time: Option<&str>) -> StructuredMessage {
        serde_json::from_value(json!({
            "id": id, "type": "Text", "direction": direction, "text": text,
            "channel": time.map(|t| json!({"time": t})),
        }))
        .unwrap()
    }

    fn texts(transcript: &Transcript) -> Vec<String> {
        transcript
            .entries()
            .iter()
            .map(|entry| match &entry.kind {
                EntryKind::Guest(m) => format!("g:{}", m.text),
                EntryKind::Agent(m) => format!("a:{}", m.text.clone().unwrap_or_default()),
                EntryKind::Notice(_) => "notice".to_owned(),
            })
            .collect()
    }

    #[test]
    fn pending_guest_messages_stay_last_until_confirmed_then_take_their_server_time() {
        let mut transcript = Transcript::default();
        transcript.merge_agent(
            &message("a1", "Outbound", "one", Some("2024-01-01T10:00:00Z")),
            None,
            true,
        );
        transcript.push_guest("c1", "mine".into(), Vec::new());
        transcript.merge_agent(
            &message("a2", "Outbound", "two", Some("2024-01-01T10:00:05Z")),
            None,
            true,
        );
        assert_eq!(texts(&transcript), ["a:one", "a:two", "g:mine"]);
        let echo = message("s1", "Inbound", "mine", Some("2024-01-01T10:00:02Z"));
        assert_eq!(
            transcript.merge_guest(&echo, Some("c1"), None, true),
            Merge::Confirmed
        );
        assert_eq!(texts(&transcript), ["a:one", "g:mine", "a:two"]);
        assert_eq!(transcript.entries()[1].key, "c:c1");
        assert_eq!(
            transcript.merge_guest(&echo, Some("c1"), None, true),
            Merge::Duplicate
        );
    }

    #[test]
    fn confirmation_adopts_the_echoed_content() {
        let mut transcript = Transcript::default();
        let placeholder = Content::Attachment(crate::genesys::Attachment {
            id: "att-1".into(),
            ..Default::default()
        });
        transcript.push_guest("c1", String::new(), vec![placeholder]);
        let echo: StructuredMessage = serde_json::from_value(json!({
            "id": "s1", "type": "Text", "direction": "Inbound",
            "content": [{"contentType": "Attachment", "attachment": {
                "id": "att-1", "url": "https://files/a.png", "filename": "a.png",
                "mime": "image/png", "mediaType": "Image"}}],
            "channel": {"time": "2024-01-01T10:00:02Z"},
        }))
        .unwrap();
        assert_eq!(
            transcript.merge_guest(&echo, Some("c1"), None, true),
            Merge::Confirmed
        );
        let shown = &transcript.guest("c1").unwrap().content;
        assert_eq!(
            shown, &echo.content,
            "the echo's resolved attachment is shown"
        );
        let Content::Attachment(attachment) = &shown[0] else {
            panic!("an attachment")
        };
        assert_eq!(attachment.url.as_deref(), Some("https://files/a.png"));
    }

    #[test]
    fn guest_messages_are_matched_by_metadata_when_the_tracing_id_is_missing() {
        let mut transcript = Transcript::default();
        transcript.push_guest("c1", "mine".into(), Vec::new());
        let mut from_history = message("s1", "Inbound", "mine", Some("2024-01-01T10:00:02Z"));
        from_history
            .metadata
            .insert(CLIENT_MESSAGE_ID_KEY.into(), "c1".into());
        assert_eq!(
            transcript.merge_guest(&from_history, None, None, false),
            Merge::Confirmed
        );
        assert_eq!(transcript.entries().len(), 1);
        assert_eq!(transcript.guest("c1").unwrap().delivery, Delivery::Sent);
    }

    #[test]
    fn messages_are_deduplicated_by_id_and_empty_ids_are_never_equal() {
        let mut transcript = Transcript::default();
        let agent = message("a1", "Outbound", "hi", Some("2024-01-01T10:00:00Z"));
        assert_eq!(transcript.merge_agent(&agent, None, true), Merge::Added);
        assert_eq!(transcript.merge_agent(&agent, None, true), Merge::Duplicate);
        let anonymous = message("", "Outbound", "no id", None);
        assert_eq!(transcript.merge_agent(&anonymous, None, true), Merge::Added);
        assert_eq!(transcript.merge_agent(&anonymous, None, true), Merge::Added);
        let keys: BTreeSet<&str> = transcript
            .entries()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(keys.len(), 3, "keys stay unique");
    }

    #[test]
    fn notice_at_a_message_time_comes_just_before_later_arrivals_at_that_time() {
        let mut transcript = Transcript::default();
        transcript.merge_agent(
            &message("a1", "Outbound", "old", Some("2024-01-01T10:00:00Z")),
            None,
            true,
        );
        transcript.push_notice(
            Notice::AgentJoined {
                nickname: "Ann".into(),
            },
            Some("2024-01-01T10:00:05Z"),
        );
        transcript.merge_agent(
            &message("a2", "Outbound", "new", Some("2024-01-01T10:00:05Z")),
            None,
            true,
        );
        assert_eq!(texts(&transcript), ["a:old", "notice", "a:new"]);
    }

    #[test]
    fn clear_forgets_entries_but_keys_never_repeat() {
        let mut transcript = Transcript::default();
        transcript.push_notice(Notice::SessionExpired, None);
        let first_key = transcript.entries()[0].key.clone();
        transcript.clear();
        assert!(transcript.entries().is_empty());
        transcript.push_notice(Notice::NewConversation, None);
        assert_ne!(transcript.entries()[0].key, first_key);
    }

    /// Applies `changes` to `shown` as a UI would; a reset re-reads the snapshot.
    fn apply(shown: &mut Vec<Entry>, changes: Vec<EntryChange>, snapshot: &[Entry]) {
        for change in changes {
            match change {
                EntryChange::Inserted { index, entry } => shown.insert(index, entry),
                EntryChange::Moved { from, to, entry } => {
                    shown.remove(from);
                    shown.insert(to, entry);
                }
                EntryChange::Removed { index } => {
                    shown.remove(index);
                }
                EntryChange::Reset => *shown = snapshot.to_vec(),
            }
        }
    }

    #[test]
    fn the_change_log_is_off_until_asked_then_replays_every_change_in_order() {
        let mut transcript = Transcript::default();
        transcript.merge_agent(
            &message(
                "a0",
                "Outbound",
                "before asking",
                Some("2024-01-01T09:59:00Z"),
            ),
            None,
            true,
        );
        assert_eq!(transcript.take_changes(), [EntryChange::Reset]);
        let mut shown = transcript.entries().to_vec();

        transcript.merge_agent(
            &message("a1", "Outbound", "one", Some("2024-01-01T10:00:00Z")),
            None,
            true,
        );
        transcript.push_guest("c1", "mine".into(), Vec::new());
        transcript.push_guest("c2", "failing".into(), Vec::new());
        transcript.set_delivery("c1", Delivery::Sending);
        transcript.merge_agent(
            &message("a2", "Outbound", "two", Some("2024-01-01T10:00:05Z")),
            None,
            true,
        );
        let changes = transcript.take_changes();
        assert!(matches!(
            changes[..2],
            [
                EntryChange::Inserted { index: 1, .. },
                EntryChange::Inserted { index: 2, .. }
            ]
        ));
        assert!(
            matches!(&changes[3], EntryChange::Moved { from: 2, to: 2, entry } if entry.key == "c:c1"),
            "a delivery change moves nothing and carries the new state: {changes:?}"
        );
        apply(&mut shown, changes, transcript.entries());
        assert_eq!(shown, transcript.entries());

        // The echo moves the bubble up to its server time; a failure and a discard follow.
        let echo = message("s1", "Inbound", "mine", Some("2024-01-01T10:00:02Z"));
        transcript.merge_guest(&echo, Some("c1"), None, true);
        transcript.set_delivery("c2", Delivery::Failed(FailReason::TooLong));
        transcript.push_notice(Notice::SessionExpired, None);
        transcript.remove_guest("c2");
        let changes = transcript.take_changes();
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, EntryChange::Moved { from: 3, to: 2, .. })),
            "the confirmed bubble moved before a2: {changes:?}"
        );
        apply(&mut shown, changes, transcript.entries());
        assert_eq!(shown, transcript.entries());
        assert!(transcript.take_changes().is_empty(), "taken once");

        // Clearing, or more changes than the log keeps, says "re-read the snapshot".
        transcript.clear();
        transcript.push_notice(Notice::NewConversation, None);
        assert_eq!(transcript.take_changes(), [EntryChange::Reset]);
        for n in 0..=crate::engine::MAX_CHANGES {
            transcript.merge_agent(
                &message(&format!("b{n}"), "Outbound", "many", None),
                None,
                false,
            );
        }
        let changes = transcript.take_changes();
        assert_eq!(changes, [EntryChange::Reset]);
        apply(&mut shown, changes, transcript.entries());
        assert_eq!(shown, transcript.entries());
    }
}
