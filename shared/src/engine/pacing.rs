//! The engine's own speed limit for `onMessage` requests: at most 2 in any sliding second,
//! the per-session rate Genesys enforces (PROTOCOL.md §1.10).
//!
//! Guest messages and button responses draw from this one window (typing events only look at
//! it: they go out when it is idle and never take a message's slot, see `sending`). Pacing
//! ourselves is cheaper than being answered with a 429:
//! the message simply waits a few hundred milliseconds in the outbox instead of bouncing. A
//! `retryAfter` from the server (when several tabs share one session, our window cannot see
//! the others) closes the window entirely until it has passed.

use super::Millis;

/// A sliding-window limiter over the driver's clock.
#[derive(Debug, Clone)]
pub struct Pacer {
    limit: usize,
    window_ms: Millis,
    /// Send times inside the current window, oldest first; never longer than `limit`.
    recent: Vec<Millis>,
    /// Set by a 429: nothing may be sent before this.
    paused_until: Option<Millis>,
}

impl Pacer {
    /// `limit` sends per `window_ms`.
    pub fn new(limit: usize, window_ms: Millis) -> Self {
        Self {
            limit: limit.max(1),
            window_ms,
            recent: Vec::new(),
            paused_until: None,
        }
    }

    /// The earliest time a send is allowed (`now` or later).
    pub fn next_slot(&self, now: Millis) -> Millis {
        let mut slot = now;
        if let Some(until) = self.paused_until {
            slot = slot.max(until);
        }
        if self.recent.len() >= self.limit {
            // The window is full: the slot opens when its oldest send slides out.
            let oldest = self.recent[self.recent.len() - self.limit];
            slot = slot.max(oldest.saturating_add(self.window_ms));
        }
        slot
    }

    /// True if a send is allowed right now.
    pub fn ready(&self, now: Millis) -> bool {
        self.next_slot(now) <= now
    }

    /// True if nothing was sent in the window before `now` and no `retryAfter` holds: a send
    /// now leaves every slot but one free for whatever follows.
    pub fn idle(&self, now: Millis) -> bool {
        self.ready(now)
            && self
                .recent
                .last()
                .is_none_or(|&at| at.saturating_add(self.window_ms) <= now)
    }

    /// Records a send made at `now`.
    pub fn record(&mut self, now: Millis) {
        self.recent
            .retain(|&at| at.saturating_add(self.window_ms) > now);
        self.recent.push(now);
        if self.recent.len() > self.limit {
            let excess = self.recent.len() - self.limit;
            self.recent.drain(..excess);
        }
    }

    /// Honours a server `retryAfter`: no sends before `until`.
    pub fn pause_until(&mut self, until: Millis) {
        self.paused_until = Some(
            self.paused_until
                .map_or(until, |current| current.max(until)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_two_per_second_then_waits_for_the_oldest_to_slide_out() {
        let mut pacer = Pacer::new(2, 1_000);
        assert!(pacer.ready(0));
        pacer.record(0);
        assert!(pacer.ready(100));
        pacer.record(100);
        assert!(!pacer.ready(999));
        assert_eq!(pacer.next_slot(500), 1_000);
        assert!(pacer.ready(1_000));
        pacer.record(1_000);
        assert_eq!(pacer.next_slot(1_000), 1_100);
    }

    #[test]
    fn never_more_than_limit_in_any_window() {
        let mut pacer = Pacer::new(2, 1_000);
        let mut sent = Vec::new();
        let mut now = 0;
        while sent.len() < 20 {
            now = pacer.next_slot(now);
            pacer.record(now);
            sent.push(now);
            now += 37;
        }
        for (index, &at) in sent.iter().enumerate() {
            let in_window = sent[index..].iter().filter(|&&t| t < at + 1_000).count();
            assert!(in_window <= 2, "{sent:?}");
        }
    }

    #[test]
    fn retry_after_pauses_everything_and_only_extends() {
        let mut pacer = Pacer::new(2, 1_000);
        pacer.pause_until(3_000);
        pacer.pause_until(2_000);
        assert_eq!(pacer.next_slot(10), 3_000);
        assert!(pacer.ready(3_000));
    }
}
