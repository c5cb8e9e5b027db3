//! What a load run measures, shared by every guest task: latency samples per kind, counters,
//! and errors by kind. Guests record into one [`Stats`] behind a mutex (a few hundred records a
//! second even at ten thousand guests), the progress line and the report read it.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

/// Latency samples of one kind, in microseconds.
#[derive(Debug, Clone, Default)]
pub struct Samples(Vec<u64>);

impl Samples {
    /// Adds one sample.
    pub fn record(&mut self, latency: Duration) {
        self.0.push(latency.as_micros() as u64);
    }

    /// Percentiles by nearest rank, in milliseconds.
    pub fn summary(&self) -> Summary {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        let at = |p: f64| -> f64 {
            if sorted.is_empty() {
                return 0.0;
            }
            let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
            sorted[rank - 1] as f64 / 1000.0
        };
        Summary {
            count: sorted.len(),
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: sorted.last().map_or(0.0, |&m| m as f64 / 1000.0),
        }
    }
}

/// p50/p90/p99/max of a sample set, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// How many samples.
    pub count: usize,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

/// Everything measured so far.
#[derive(Debug, Default)]
pub struct Tally {
    /// Grant + socket + `SessionResponse`, per guest.
    pub connect: Samples,
    /// Send → the server's echo of that message.
    pub echo: Samples,
    /// Send → the next agent/bot message.
    pub reply: Samples,
    /// Guests that reached `ready`.
    pub connected: usize,
    /// Guests that gave up before or while running.
    pub failed: usize,
    /// Messages handed to the engine.
    pub sent: usize,
    /// Messages whose echo arrived.
    pub echoed: usize,
    /// Agent replies matched to a send.
    pub replied: usize,
    /// Messages sent but never echoed by the end of the drain.
    pub lost: usize,
    /// Errors by kind.
    pub errors: BTreeMap<String, usize>,
}

/// The shared, lockable tally.
#[derive(Debug, Default)]
pub struct Stats(Mutex<Tally>);

impl Stats {
    /// Runs `change` on the tally.
    pub fn update<T>(&self, change: impl FnOnce(&mut Tally) -> T) -> T {
        let mut tally = self.0.lock().unwrap_or_else(|poison| poison.into_inner());
        change(&mut tally)
    }

    /// Counts one error of `kind`.
    pub fn error(&self, kind: &str) {
        self.update(|t| *t.errors.entry(kind.to_owned()).or_default() += 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut samples = Samples::default();
        for ms in 1..=100 {
            samples.record(Duration::from_millis(ms));
        }
        let summary = samples.summary();
        assert_eq!(summary.count, 100);
        assert_eq!(summary.p50, 50.0);
        assert_eq!(summary.p90, 90.0);
        assert_eq!(summary.p99, 99.0);
        assert_eq!(summary.max, 100.0);
    }

    #[test]
    fn an_empty_set_summarises_to_zeroes() {
        assert_eq!(Samples::default().summary().count, 0);
        assert_eq!(Samples::default().summary().p99, 0.0);
    }
}
