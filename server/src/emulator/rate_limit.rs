//! The per-session send limit Genesys enforces: at most N `onMessage` sends in any one-second
//! window (N = 2 since 2023-12-11, PROTOCOL.md §1.10). A refused send gets a
//! `TooManyRequestsErrorMessage` with `retryAfter` in whole seconds.
//!
//! Only accepted sends count, so a client that retries after `retryAfter` gets through. Typing
//! events and Presence Clear are not counted (see `messaging`): the guest's typing throttle is
//! the client's business.
//! Time is an argument, so the window is tested without a clock.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// The length of the sliding window.
const WINDOW: Duration = Duration::from_secs(1);

/// A sliding one-second window of accepted sends.
#[derive(Debug, Default)]
pub struct SendWindow {
    accepted: VecDeque<Instant>,
}

impl SendWindow {
    /// Records a send at `now` if fewer than `limit` were accepted in the last second; otherwise
    /// returns `Err(retry_after_seconds)` (at least 1).
    pub fn try_send(&mut self, now: Instant, limit: u32) -> Result<(), u64> {
        while let Some(&oldest) = self.accepted.front() {
            if now.duration_since(oldest) >= WINDOW {
                self.accepted.pop_front();
            } else {
                break;
            }
        }
        if self.accepted.len() < limit as usize {
            self.accepted.push_back(now);
            return Ok(());
        }
        let oldest = self.accepted.front().copied().unwrap_or(now);
        let wait = WINDOW.saturating_sub(now.duration_since(oldest));
        Err(wait.as_secs_f64().ceil().max(1.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn third_send_within_a_second_is_refused() {
        let start = Instant::now();
        let mut window = SendWindow::default();
        assert!(window.try_send(start, 2).is_ok());
        assert!(
            window
                .try_send(start + Duration::from_millis(100), 2)
                .is_ok()
        );
        assert_eq!(
            window.try_send(start + Duration::from_millis(200), 2),
            Err(1)
        );
    }

    #[test]
    fn window_slides_after_a_second() {
        let start = Instant::now();
        let mut window = SendWindow::default();
        window.try_send(start, 2).unwrap();
        window
            .try_send(start + Duration::from_millis(500), 2)
            .unwrap();
        assert!(
            window
                .try_send(start + Duration::from_millis(999), 2)
                .is_err()
        );
        assert!(
            window
                .try_send(start + Duration::from_millis(1000), 2)
                .is_ok()
        );
        assert!(
            window
                .try_send(start + Duration::from_millis(1001), 2)
                .is_err()
        );
        assert!(
            window
                .try_send(start + Duration::from_millis(1500), 2)
                .is_ok()
        );
    }

    #[test]
    fn refused_sends_do_not_count() {
        let start = Instant::now();
        let mut window = SendWindow::default();
        window.try_send(start, 1).unwrap();
        for _ in 0..5 {
            assert!(window.try_send(start, 1).is_err());
        }
        assert!(window.try_send(start + WINDOW, 1).is_ok());
    }
}
