//! Detecting a dead socket that the browser has not noticed yet.
//!
//! Browsers cannot send WebSocket pings, so the guest protocol's application heartbeat is the
//! `echo` action (PROTOCOL.md §1.4.5, §1.9). After 30 s without any frame the engine sends one
//! echo; any frame arriving proves the socket alive. If nothing arrives within 10 s of the echo,
//! the socket is treated as dead: the engine closes it and reconnects, rather than letting the
//! guest type into a connection that silently swallows messages (PROTOCOL.md §5.10).

use super::Millis;

/// Silence that triggers a probe.
pub const IDLE_BEFORE_PROBE_MS: Millis = 30_000;
/// How long a probe may go unanswered before the socket counts as dead.
pub const PROBE_TIMEOUT_MS: Millis = 10_000;

/// Prefix of the tracingId of every `echo` the engine sends, so that its reply (an Inbound
/// `StructuredMessage` that looks like a guest message saying "ping") is recognised however
/// late it arrives.
pub const HEARTBEAT_TRACING_PREFIX: &str = "parley-heartbeat-";

/// What the heartbeat wants done when the timer fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pulse {
    /// Nothing is due.
    Quiet,
    /// Send an `echo` now.
    Probe,
    /// The probe went unanswered: the socket is dead.
    Dead,
}

/// Heartbeat state for the current socket; inactive while no socket is configured.
#[derive(Debug, Clone, Default)]
pub struct Heartbeat {
    last_frame_at: Option<Millis>,
    probe_sent_at: Option<Millis>,
}

impl Heartbeat {
    /// Starts watching a freshly configured socket.
    pub fn start(&mut self, now: Millis) {
        self.last_frame_at = Some(now);
        self.probe_sent_at = None;
    }

    /// Stops watching (socket gone).
    pub fn stop(&mut self) {
        *self = Self::default();
    }

    /// Any frame proves the socket alive.
    pub fn frame_received(&mut self, now: Millis) {
        if self.last_frame_at.is_some() {
            self.last_frame_at = Some(now);
            self.probe_sent_at = None;
        }
    }

    /// Whether a probe is outstanding.
    pub fn probing(&self) -> bool {
        self.probe_sent_at.is_some()
    }

    /// Records that an echo was sent at `now`.
    pub fn probe_sent(&mut self, now: Millis) {
        if self.last_frame_at.is_some() {
            self.probe_sent_at = Some(now);
        }
    }

    /// When the heartbeat next needs the engine's attention.
    pub fn deadline(&self) -> Option<Millis> {
        match (self.probe_sent_at, self.last_frame_at) {
            (Some(sent), _) => Some(sent + PROBE_TIMEOUT_MS),
            (None, Some(last)) => Some(last + IDLE_BEFORE_PROBE_MS),
            (None, None) => None,
        }
    }

    /// What is due at `now`.
    pub fn poll(&self, now: Millis) -> Pulse {
        match (self.probe_sent_at, self.last_frame_at) {
            (Some(sent), _) if now >= sent + PROBE_TIMEOUT_MS => Pulse::Dead,
            (None, Some(last)) if now >= last + IDLE_BEFORE_PROBE_MS => Pulse::Probe,
            _ => Pulse::Quiet,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_after_thirty_seconds_of_silence_and_declares_death_ten_later() {
        let mut heartbeat = Heartbeat::default();
        heartbeat.start(0);
        assert_eq!(heartbeat.poll(29_999), Pulse::Quiet);
        assert_eq!(heartbeat.poll(30_000), Pulse::Probe);
        heartbeat.probe_sent(30_000);
        assert_eq!(heartbeat.deadline(), Some(40_000));
        assert_eq!(heartbeat.poll(39_999), Pulse::Quiet);
        assert_eq!(heartbeat.poll(40_000), Pulse::Dead);
    }

    #[test]
    fn any_frame_answers_the_probe_and_restarts_the_silence_clock() {
        let mut heartbeat = Heartbeat::default();
        heartbeat.start(0);
        heartbeat.probe_sent(30_000);
        heartbeat.frame_received(35_000);
        assert!(!heartbeat.probing());
        assert_eq!(heartbeat.deadline(), Some(65_000));
        assert_eq!(heartbeat.poll(45_000), Pulse::Quiet);
    }

    #[test]
    fn stopped_heartbeat_never_fires() {
        let mut heartbeat = Heartbeat::default();
        heartbeat.start(0);
        heartbeat.stop();
        heartbeat.frame_received(10);
        assert_eq!(heartbeat.deadline(), None);
        assert_eq!(heartbeat.poll(1_000_000), Pulse::Quiet);
    }
}
