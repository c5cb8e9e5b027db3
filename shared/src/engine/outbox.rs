//! Guest messages on their way to the server: queueing, pacing, 429 back-off, resend after a
//! reconnect, and giving up.
//!
//! Sits between the send inputs and the `onMessage` requests. Every message gets a client id
//! (a UUID v4) that travels as the request's `tracingId` and in `message.metadata` (see
//! [`super::transcript::CLIENT_MESSAGE_ID_KEY`]); the echo or a history entry carrying it is
//! what removes the message from here.
//!
//! **One message in flight at a time.** The next message is sent only once the previous one is
//! echoed. That keeps the server's order (and so `channel.time` order) equal to the guest's send
//! order even when one message is rate-limited, refused or lost with a dropped socket, where a
//! pipelined sender would let later messages overtake it. It costs one round trip per message,
//! invisible at human typing speed; the 2-per-second pacing is the tighter limit anyway.
//!
//! **Resend after reconnect.** A message sent on a socket that died before its echo is
//! *unconfirmed*: it may or may not have reached the server. The engine does not resend it
//! until the history pages of the new connection have been merged: if a page shows it
//! (matched on the client id in its metadata) it is delivered; otherwise it is sent again with
//! the same client id, so should both copies have arrived after all, the transcript still
//! shows one. There is no attempt limit: a resend happens at most once per reconnect, after
//! the history check, so the reconnect back-off already bounds it; and giving up on a message
//! would let later messages overtake it, breaking send order for a message that is merely late.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::genesys::{Content, MessageType};

use super::Millis;
use super::pacing::Pacer;
use super::transcript::{Delivery, FailReason};

/// A guest message not yet confirmed by the server: what is sent, and what its bubble shows.
/// It is also what the driver persists ([`super::Effect::PersistOutbox`]) and hands back after
/// a reload ([`super::EngineConfig::restored_outbox`]), hence serde.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingMessage {
    /// The client id: tracingId of every send of this message, and the transcript key.
    pub client_id: String,
    /// `Text`, or `Structured` for a card/carousel postback.
    pub message_type: MessageType,
    /// The text sent (empty for a quick-reply click or an attachment without caption).
    pub text: String,
    /// Button response or attachment references, as sent.
    #[serde(default)]
    pub content: Vec<Content>,
    /// The text the bubble shows (a choice's label).
    #[serde(default)]
    pub shown_text: String,
    /// The content the bubble shows (an attachment with its name and URL).
    #[serde(default)]
    pub shown_content: Vec<Content>,
    /// The custom attributes this message carries (it was the first written after they were
    /// set). Kept with the message, so that every resend of it, after a reload too, still
    /// carries them until it is delivered.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_attributes: BTreeMap<String, String>,
}

impl PendingMessage {
    /// A plain text message, sent and shown as written: what [`super::Engine::send_text`]
    /// queues, for a driver's tests of a persisted outbox.
    pub fn text(client_id: impl Into<String>, text: impl Into<String>) -> PendingMessage {
        let text = text.into();
        PendingMessage {
            client_id: client_id.into(),
            message_type: MessageType::Text,
            shown_text: text.clone(),
            text,
            content: Vec::new(),
            shown_content: Vec::new(),
            custom_attributes: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Not sent yet, or due for a resend; not before `not_before`.
    Waiting { not_before: Millis },
    /// Sent on the current socket; the echo is awaited.
    InFlight,
    /// Sent on a socket that died; history will tell whether it arrived.
    Unconfirmed,
    /// Given up until the guest retries.
    Failed(FailReason),
}

#[derive(Debug, Clone)]
struct Item {
    message: PendingMessage,
    state: State,
}

/// The queue of guest messages not yet confirmed, oldest first.
#[derive(Debug, Clone)]
pub struct Outbox {
    items: VecDeque<Item>,
    pacer: Pacer,
}

impl Outbox {
    /// An empty outbox pacing `onMessage` at `per_second` per second.
    pub fn new(per_second: usize) -> Self {
        Self {
            items: VecDeque::new(),
            pacer: Pacer::new(per_second, 1_000),
        }
    }

    /// The pacing window shared by every `onMessage` (typing included).
    pub fn pacer(&mut self) -> &mut Pacer {
        &mut self.pacer
    }

    /// Queues a new message.
    pub fn push(&mut self, message: PendingMessage) {
        self.items.push_back(Item {
            message,
            state: State::Waiting { not_before: 0 },
        });
    }

    /// Forgets every message (the guest cleared the conversation).
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// How many messages are in the outbox.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// A message persisted before a reload: it may or may not have reached the server, so it
    /// waits for history exactly like a message whose socket died.
    pub fn restore(&mut self, message: PendingMessage) {
        if !self.contains(&message.client_id) {
            self.items.push_back(Item {
                message,
                state: State::Unconfirmed,
            });
        }
    }

    /// The server refused custom attributes as too large: no message carries them any more
    /// (a retry would only fail the same way).
    pub fn drop_custom_attributes(&mut self) {
        for item in &mut self.items {
            item.message.custom_attributes.clear();
        }
    }

    /// Every message not yet confirmed (failed ones included), oldest first: what a reload
    /// must not lose.
    pub fn messages(&self) -> impl Iterator<Item = &PendingMessage> {
        self.items.iter().map(|item| &item.message)
    }

    /// Each message with the delivery state its bubble shows, oldest first.
    pub fn deliveries(&self) -> impl Iterator<Item = (&PendingMessage, Delivery)> {
        self.items.iter().map(|item| {
            let delivery = match &item.state {
                State::Waiting { .. } => Delivery::Queued,
                State::InFlight | State::Unconfirmed => Delivery::Sending,
                State::Failed(reason) => Delivery::Failed(reason.clone()),
            };
            (&item.message, delivery)
        })
    }

    /// The oldest message sent on a socket that died (or restored after a reload) and not yet
    /// resolved by history.
    pub fn oldest_unconfirmed(&self) -> Option<&PendingMessage> {
        self.items
            .iter()
            .find(|item| item.state == State::Unconfirmed)
            .map(|item| &item.message)
    }

    /// The session is gone and a fresh one starts: whatever it did not confirm is sent again
    /// in the new one, in order (messages that failed for a reason of their own stay failed).
    pub fn carry_into_new_session(&mut self) {
        for item in &mut self.items {
            let again = matches!(
                item.state,
                State::InFlight | State::Unconfirmed | State::Failed(FailReason::SessionEnded)
            );
            if again {
                item.state = State::Waiting { not_before: 0 };
            }
        }
    }

    /// Whether any message is still on its way (waiting, in flight or unconfirmed); failed
    /// ones wait for the guest and do not count.
    pub fn has_pending(&self) -> bool {
        self.items
            .iter()
            .any(|item| !matches!(item.state, State::Failed(_)))
    }

    /// Whether a message sent on a dead socket is not yet resolved by history.
    #[cfg(test)]
    pub fn has_unconfirmed(&self) -> bool {
        self.items
            .iter()
            .any(|item| item.state == State::Unconfirmed)
    }

    /// The message that should go out now, if the connection allows sending: none while one is
    /// in flight or unconfirmed, none before its `not_before` or the pacing slot.
    pub fn due(&self, now: Millis) -> Option<&PendingMessage> {
        if self.blocked() {
            return None;
        }
        let item = self
            .items
            .iter()
            .find(|item| matches!(item.state, State::Waiting { .. }))?;
        let State::Waiting { not_before } = item.state else {
            return None;
        };
        (now >= not_before && self.pacer.ready(now)).then_some(&item.message)
    }

    /// When [`Outbox::due`] will next have something, if anything is waiting.
    pub fn deadline(&self, now: Millis) -> Option<Millis> {
        if self.blocked() {
            return None;
        }
        self.items.iter().find_map(|item| match item.state {
            State::Waiting { not_before } => Some(self.pacer.next_slot(now.max(not_before))),
            _ => None,
        })
    }

    /// Records that `client_id` was sent at `now`; returns the new delivery state.
    pub fn sent(&mut self, client_id: &str, now: Millis) -> Option<Delivery> {
        self.pacer.record(now);
        let item = self.item_mut(client_id)?;
        item.state = State::InFlight;
        Some(Delivery::Sending)
    }

    /// The echo (or history) confirmed `client_id`: it leaves the outbox. False if unknown.
    pub fn confirmed(&mut self, client_id: &str) -> bool {
        let before = self.items.len();
        self.items
            .retain(|item| item.message.client_id != client_id);
        before != self.items.len()
    }

    /// The message an error frame without a usable tracingId refers to: the one in flight.
    pub fn in_flight(&self) -> Option<&str> {
        self.items
            .iter()
            .find(|item| item.state == State::InFlight)
            .map(|item| item.message.client_id.as_str())
    }

    /// Whether `client_id` is one of ours and still in the outbox.
    pub fn contains(&self, client_id: &str) -> bool {
        self.items
            .iter()
            .any(|item| item.message.client_id == client_id)
    }

    /// A 429 answered `client_id`: it waits `retry_after_ms` and is resent; everything else
    /// waits with it.
    pub fn rate_limited(
        &mut self,
        client_id: &str,
        retry_after_ms: Millis,
        now: Millis,
    ) -> Option<Delivery> {
        let until = now.saturating_add(retry_after_ms);
        self.pacer.pause_until(until);
        let item = self.item_mut(client_id)?;
        item.state = State::Waiting { not_before: until };
        Some(Delivery::Queued)
    }

    /// The server refused `client_id` for good.
    pub fn fail(&mut self, client_id: &str, reason: FailReason) -> Option<Delivery> {
        let item = self.item_mut(client_id)?;
        item.state = State::Failed(reason.clone());
        Some(Delivery::Failed(reason))
    }

    /// The guest asked to retry a failed message: it is queued again.
    pub fn retry(&mut self, client_id: &str) -> Option<Delivery> {
        let item = self.item_mut(client_id)?;
        if !matches!(item.state, State::Failed(_)) {
            return None;
        }
        item.state = State::Waiting { not_before: 0 };
        Some(Delivery::Queued)
    }

    /// The socket died: what was in flight is now unconfirmed.
    pub fn connection_lost(&mut self) {
        for item in &mut self.items {
            if item.state == State::InFlight {
                item.state = State::Unconfirmed;
            }
        }
    }

    /// History has been checked (or cannot be): unconfirmed messages it did not show delivered
    /// are queued to be sent again, in their original order.
    pub fn resolve_unconfirmed(&mut self) {
        for item in &mut self.items {
            if item.state == State::Unconfirmed {
                item.state = State::Waiting { not_before: 0 };
            }
        }
    }

    /// The session is over: everything not confirmed fails. Returns the client ids.
    pub fn fail_all(&mut self, reason: FailReason) -> Vec<String> {
        let mut failed = Vec::new();
        for item in &mut self.items {
            if !matches!(item.state, State::Failed(_)) {
                item.state = State::Failed(reason.clone());
                failed.push(item.message.client_id.clone());
            }
        }
        failed
    }

    /// Removes a message entirely (the guest discarded a failed one, or the session was wiped).
    pub fn remove(&mut self, client_id: &str) -> bool {
        self.confirmed(client_id)
    }

    fn blocked(&self) -> bool {
        self.items
            .iter()
            .any(|item| matches!(item.state, State::InFlight | State::Unconfirmed))
    }

    fn item_mut(&mut self, client_id: &str) -> Option<&mut Item> {
        self.items
            .iter_mut()
            .find(|item| item.message.client_id == client_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: &str) -> PendingMessage {
        PendingMessage::text(id, format!("text {id}"))
    }

    fn outbox_with(ids: &[&str]) -> Outbox {
        let mut outbox = Outbox::new(2);
        for id in ids {
            outbox.push(message(id));
        }
        outbox
    }

    fn due_id(outbox: &Outbox, now: Millis) -> Option<String> {
        outbox.due(now).map(|m| m.client_id.clone())
    }

    #[test]
    fn sends_one_at_a_time_in_order() {
        let mut outbox = outbox_with(&["a", "b"]);
        assert_eq!(due_id(&outbox, 0).as_deref(), Some("a"));
        outbox.sent("a", 0);
        assert_eq!(due_id(&outbox, 10), None, "b waits for a's echo");
        assert!(outbox.confirmed("a"));
        assert_eq!(due_id(&outbox, 10).as_deref(), Some("b"));
    }

    #[test]
    fn pacing_holds_the_third_send_within_a_second() {
        let mut outbox = outbox_with(&["a", "b", "c"]);
        for (id, at) in [("a", 0), ("b", 100)] {
            assert_eq!(due_id(&outbox, at).as_deref(), Some(id));
            outbox.sent(id, at);
            outbox.confirmed(id);
        }
        assert_eq!(due_id(&outbox, 200), None);
        assert_eq!(outbox.deadline(200), Some(1_000));
        assert_eq!(due_id(&outbox, 1_000).as_deref(), Some("c"));
    }

    #[test]
    fn rate_limited_message_waits_retry_after_then_goes_first() {
        let mut outbox = outbox_with(&["a", "b"]);
        outbox.sent("a", 0);
        assert_eq!(outbox.rate_limited("a", 3_000, 50), Some(Delivery::Queued));
        assert_eq!(due_id(&outbox, 3_049), None);
        assert_eq!(outbox.deadline(100), Some(3_050));
        assert_eq!(due_id(&outbox, 3_050).as_deref(), Some("a"));
    }

    #[test]
    fn unconfirmed_messages_block_until_history_resolves_them() {
        let mut outbox = outbox_with(&["a", "b"]);
        outbox.sent("a", 0);
        outbox.connection_lost();
        assert!(outbox.has_unconfirmed());
        assert_eq!(due_id(&outbox, 5_000), None);
        outbox.resolve_unconfirmed();
        assert_eq!(
            due_id(&outbox, 5_000).as_deref(),
            Some("a"),
            "resent first, before b"
        );
    }

    #[test]
    fn unconfirmed_message_is_resent_after_every_reconnect_until_confirmed() {
        let mut outbox = outbox_with(&["a", "b"]);
        let mut now = 0;
        for _ in 0..5 {
            now += 2_000;
            assert_eq!(due_id(&outbox, now).as_deref(), Some("a"));
            outbox.sent("a", now);
            outbox.connection_lost();
            outbox.resolve_unconfirmed();
        }
        assert!(outbox.confirmed("a"));
        assert_eq!(due_id(&outbox, now + 2_000).as_deref(), Some("b"));
    }

    #[test]
    fn failed_message_does_not_block_later_ones() {
        let mut outbox = outbox_with(&["a", "b"]);
        outbox.sent("a", 0);
        outbox.fail("a", FailReason::TooLong);
        assert_eq!(due_id(&outbox, 600).as_deref(), Some("b"));
        assert_eq!(outbox.in_flight(), None);
    }
}
