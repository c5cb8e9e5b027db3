//! How long to wait before the next reconnect attempt: exponential back-off with full jitter
//! (AWS Architecture Blog, "Exponential Backoff And Jitter"), reset once a connection has
//! proved healthy.
//!
//! Sits between the socket-closed input and the `Reconnecting { attempt, at }` phase. Full
//! jitter (a uniform draw over `0..=min(cap, base·2^attempt)`) keeps a crowd of guests whose
//! sockets dropped together (a load balancer restart) from reconnecting in lock-step.
//!
//! The policy is tuned for networks that cut connections often (a proxy that drops every
//! socket after a few seconds): the first retries are quick (windows of 0.25, 0.5, 1 s …),
//! the cap is 10 s (on average a retry every 5 s once capped: as persistent as Genesys's own
//! transport, which retries every 5 s for 5 minutes, and unlike it Parley never gives up), and
//! the run of failures ends as soon as a connection proved healthy: configured *and* carried
//! traffic (a message or an echo), not only after minutes of uptime. Otherwise a connection
//! that works for a few seconds at a time would push every reconnect towards the cap and the
//! window would spend its time "reconnecting".

use super::Millis;
use super::jitter::Jitter;

/// Back-off parameters; the defaults are Parley's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// Ceiling of the first attempt's delay window.
    pub base_ms: Millis,
    /// No delay ever exceeds this.
    pub cap_ms: Millis,
    /// A connection that stayed ready this long resets the attempt counter even if it carried
    /// nothing, so a drop after an hour of silence is retried quickly again.
    pub stable_after_ms: Millis,
    /// Draw each delay uniformly from its window (true, Parley's policy) or wait the whole
    /// window every time (false, see [`BackoffPolicy::fixed`]).
    pub full_jitter: bool,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        Self {
            base_ms: 250,
            cap_ms: 10_000,
            stable_after_ms: 10_000,
            full_jitter: true,
        }
    }
}

impl BackoffPolicy {
    /// The same delay before every attempt, no jitter, no growth: Genesys's own transport
    /// (it retries every 5 s, PROTOCOL.md) is `fixed(5_000)`. Not a product setting: it exists
    /// so the benchmarks can compare Parley's policy with the vendor's on the same network
    /// (BENCHMARKS.md, "Delivery under a cutting proxy"). Unlike Genesys's transport it never
    /// gives up after 5 minutes.
    pub fn fixed(delay_ms: Millis) -> Self {
        Self {
            base_ms: delay_ms,
            cap_ms: delay_ms,
            stable_after_ms: 0,
            full_jitter: false,
        }
    }
}

/// The attempt counter and its policy.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: BackoffPolicy,
    attempt: u32,
}

impl Backoff {
    /// A fresh counter (attempt 0).
    pub fn new(policy: BackoffPolicy) -> Self {
        Self { policy, attempt: 0 }
    }

    /// How many attempts have failed in a row (0 when the last connection was stable).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The delay window for the current attempt, before jitter.
    pub fn window(&self) -> Millis {
        let shift = self.attempt.min(32);
        self.policy
            .base_ms
            .saturating_mul(1u64 << shift)
            .min(self.policy.cap_ms)
    }

    /// Draws the delay before the next attempt and counts the attempt.
    pub fn next_delay(&mut self, jitter: &mut Jitter) -> Millis {
        let delay = if self.policy.full_jitter {
            jitter.up_to(self.window())
        } else {
            self.window()
        };
        self.attempt = self.attempt.saturating_add(1);
        delay
    }

    /// Called when a connection ends: if it proved healthy (configured and carried traffic:
    /// `carried`) or stayed ready long enough, the run of failures is over and the counter
    /// starts again from zero.
    pub fn connection_ended(&mut self, ready_since: Option<Millis>, carried: bool, now: Millis) {
        let Some(since) = ready_since else { return };
        if carried || now.saturating_sub(since) >= self.policy.stable_after_ms {
            self.attempt = 0;
        }
    }

    /// Forgets all failures (a new session, or the guest asked to retry now).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_doubles_from_base_up_to_the_cap() {
        let mut backoff = Backoff::new(BackoffPolicy::default());
        let mut jitter = Jitter::new(1);
        let mut windows = Vec::new();
        for _ in 0..10 {
            windows.push(backoff.window());
            backoff.next_delay(&mut jitter);
        }
        assert_eq!(
            windows,
            [
                250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000, 10_000
            ]
        );
    }

    #[test]
    fn delays_are_jittered_within_the_window() {
        let mut jitter = Jitter::new(3);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let mut backoff = Backoff::new(BackoffPolicy::default());
            let delay = backoff.next_delay(&mut jitter);
            assert!(delay <= 250);
            seen.insert(delay);
        }
        assert!(seen.len() > 50, "full jitter spreads delays, got {seen:?}");
    }

    #[test]
    fn a_fixed_policy_waits_the_same_delay_every_time() {
        let mut backoff = Backoff::new(BackoffPolicy::fixed(5_000));
        let mut jitter = Jitter::new(7);
        let delays: Vec<_> = (0..6).map(|_| backoff.next_delay(&mut jitter)).collect();
        assert_eq!(delays, [5_000; 6]);
        assert_eq!(backoff.attempt(), 6);
    }

    #[test]
    fn huge_attempt_counts_do_not_overflow() {
        let mut backoff = Backoff::new(BackoffPolicy::default());
        let mut jitter = Jitter::new(9);
        for _ in 0..200 {
            assert!(backoff.next_delay(&mut jitter) <= 10_000);
        }
    }

    #[test]
    fn healthy_or_stable_connection_resets_attempts_and_a_short_idle_one_does_not() {
        let cases = [
            // (ready since, carried traffic, ended at, attempts after)
            (Some(0), false, 10_000, 0),
            (Some(0), false, 9_999, 3),
            (Some(0), true, 1_500, 0),
            (None, true, 50_000, 3),
        ];
        for (ready_since, carried, now, expected) in cases {
            let mut backoff = Backoff::new(BackoffPolicy::default());
            let mut jitter = Jitter::new(5);
            for _ in 0..3 {
                backoff.next_delay(&mut jitter);
            }
            backoff.connection_ended(ready_since, carried, now);
            assert_eq!(
                backoff.attempt(),
                expected,
                "ready_since {ready_since:?} carried {carried} now {now}"
            );
        }
    }
}
