//! Typing indicators, both ways.
//!
//! - **Agent typing** arrives as an Outbound `Typing` event with a `duration` in ms (5000 when
//!   absent, as the official transport assumes) and is shown until that runs out or the agent's
//!   next real message arrives, whichever is first. It names the typist: the event's sender
//!   (`channel.from`), else the last agent who wrote.
//! - **Guest typing** is sent at most once per 5 s (the transport's throttle, PROTOCOL.md
//!   §1.4.4), and never again once the server answered one with 403: that means the deployment
//!   has the feature turned off, and every further keystroke would only earn another error.

use super::Millis;

/// How long the agent indicator stays up when the event carries no `duration`.
pub const DEFAULT_AGENT_TYPING_MS: Millis = 5_000;

/// The guest typing throttle.
pub const GUEST_TYPING_INTERVAL_MS: Millis = 5_000;

/// Who is typing, for "Alex is typing…".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typist {
    /// The display name, when the event or an earlier agent message gave one.
    pub name: Option<String>,
    /// The avatar URL, when known.
    pub avatar: Option<String>,
}

/// The agent's typing indicator.
#[derive(Debug, Clone, Default)]
pub struct AgentTyping {
    until: Option<Millis>,
    who: Typist,
}

impl AgentTyping {
    /// An Outbound typing event from `who` arrived at `now`.
    pub fn started(&mut self, now: Millis, duration_ms: Option<Millis>, who: Typist) {
        // `duration` is a wire value: any u64 must not overflow the deadline.
        self.until = Some(now.saturating_add(duration_ms.unwrap_or(DEFAULT_AGENT_TYPING_MS)));
        self.who = who;
    }

    /// Who is typing at `now`, if anyone.
    pub fn typist(&self, now: Millis) -> Option<&Typist> {
        self.is_typing(now).then_some(&self.who)
    }

    /// The agent sent a real message (or the conversation ended): the indicator goes.
    pub fn stopped(&mut self) {
        self.until = None;
    }

    /// Whether the indicator is showing at `now`.
    pub fn is_typing(&self, now: Millis) -> bool {
        self.until.is_some_and(|until| now < until)
    }

    /// When the indicator will go out by itself (the engine arms its timer for it).
    pub fn deadline(&self) -> Option<Millis> {
        self.until
    }

    /// Drops an expired indicator; returns true if it changed what the UI shows.
    pub fn expire(&mut self, now: Millis) -> bool {
        if self.until.is_some_and(|until| now >= until) {
            self.until = None;
            return true;
        }
        false
    }
}

/// The guest's outgoing typing notifications.
#[derive(Debug, Clone, Default)]
pub struct GuestTyping {
    last_sent: Option<Millis>,
    /// tracingIds of typing requests still awaiting a possible error answer.
    in_flight: Vec<String>,
    disabled: bool,
}

impl GuestTyping {
    /// Whether a typing event may go out at `now` (throttle and 403 permitting).
    pub fn may_send(&self, now: Millis) -> bool {
        !self.disabled
            && self
                .last_sent
                .is_none_or(|last| now >= last + GUEST_TYPING_INTERVAL_MS)
    }

    /// Records a typing request sent at `now` with its tracingId.
    pub fn sent(&mut self, now: Millis, tracing_id: String) {
        self.last_sent = Some(now);
        self.in_flight.push(tracing_id);
        if self.in_flight.len() > 8 {
            self.in_flight.remove(0);
        }
    }

    /// Whether a typing event went out within the last throttle interval.
    pub fn sent_recently(&self, now: Millis) -> bool {
        self.last_sent
            .is_some_and(|last| now < last + GUEST_TYPING_INTERVAL_MS)
    }

    /// True if `tracing_id` belongs to one of our typing requests.
    pub fn owns(&self, tracing_id: &str) -> bool {
        self.in_flight.iter().any(|id| id == tracing_id)
    }

    /// The server refused typing (403): never send it again in this engine's life.
    pub fn disable(&mut self) {
        self.disabled = true;
    }

    /// Whether a 403 turned guest typing off.
    pub fn is_disabled(&self) -> bool {
        self.disabled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_typing_lasts_its_duration_or_the_default() {
        let cases = [
            (Some(2_000), 1_999, true),
            (Some(2_000), 2_000, false),
            (None, 4_999, true),
            (None, 5_000, false),
        ];
        for (duration, at, expected) in cases {
            let mut typing = AgentTyping::default();
            typing.started(0, duration, Typist::default());
            assert_eq!(
                typing.is_typing(at),
                expected,
                "duration {duration:?} at {at}"
            );
        }
    }

    #[test]
    fn agent_message_stops_typing_at_once() {
        let mut typing = AgentTyping::default();
        typing.started(0, Some(10_000), Typist::default());
        typing.stopped();
        assert!(!typing.is_typing(1));
        assert_eq!(typing.deadline(), None);
    }

    #[test]
    fn expire_reports_a_change_only_once() {
        let mut typing = AgentTyping::default();
        typing.started(0, Some(100), Typist::default());
        assert!(!typing.expire(99));
        assert!(typing.expire(100));
        assert!(!typing.expire(101));
    }

    #[test]
    fn guest_typing_is_throttled_to_one_per_five_seconds() {
        let mut typing = GuestTyping::default();
        assert!(typing.may_send(0));
        typing.sent(0, "t1".into());
        assert!(!typing.may_send(4_999));
        assert!(typing.may_send(5_000));
    }

    #[test]
    fn guest_typing_stops_for_good_after_a_403() {
        let mut typing = GuestTyping::default();
        typing.sent(0, "t1".into());
        assert!(typing.owns("t1"));
        assert!(!typing.owns("other"));
        typing.disable();
        assert!(!typing.may_send(1_000_000));
    }
}
