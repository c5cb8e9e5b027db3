//! What a load run measures, shared by every guest task: latency samples per kind, counters,
//! and errors by kind. Guests record into one [`Stats`] behind a mutex (a few hundred records a
//! second even at ten thousand guests), the progress line and the report read it.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Latency samples of one kind: an HDR histogram in microseconds (1 µs to an hour, three
/// significant digits), so a long run at ten thousand guests keeps a few kilobytes per kind
/// instead of every sample, and percentiles come from the crate the ecosystem trusts for them.
#[derive(Debug, Clone)]
pub struct Samples(Histogram<u64>);

impl Default for Samples {
    fn default() -> Self {
        Samples(
            Histogram::new_with_bounds(1, MAX_MICROS, 3)
                .expect("1 µs to an hour with three significant digits is a valid histogram"),
        )
    }
}

/// The largest latency recorded: an hour (anything longer is recorded as an hour).
const MAX_MICROS: u64 = 3_600_000_000;

impl Samples {
    /// Adds one sample.
    pub fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.0.saturating_record(micros.clamp(1, MAX_MICROS));
    }

    /// Percentiles (the nearest rank, to three significant digits), in milliseconds.
    pub fn summary(&self) -> Summary {
        let count = self.0.len() as usize;
        let at = |q: f64| -> f64 {
            if count == 0 {
                return 0.0;
            }
            self.0.value_at_quantile(q) as f64 / 1000.0
        };
        Summary {
            count,
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: if count == 0 {
                0.0
            } else {
                self.0.max() as f64 / 1000.0
            },
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
    /// What happened to the messages.
    pub messages: MessageCounts,
    /// Errors by kind.
    pub errors: BTreeMap<String, usize>,
}

/// Message counts: tallied while the run goes, reported as they are at its end.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MessageCounts {
    /// Handed to the engine.
    pub sent: usize,
    /// Echo received.
    pub echoed: usize,
    /// Bot reply received.
    pub replied: usize,
    /// Sent but never echoed.
    pub lost: usize,
    /// Extra copies the server holds (counted from the emulator's transcripts).
    pub duplicated: usize,
    /// Guests whose transcript was read for that count (0 against a real Genesys org).
    pub transcripts_checked: usize,
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
    fn percentiles_use_nearest_rank_to_three_significant_digits() {
        let mut samples = Samples::default();
        for ms in 1..=100 {
            samples.record(Duration::from_millis(ms));
        }
        let summary = samples.summary();
        assert_eq!(summary.count, 100);
        let close = |got: f64, want: f64| (got - want).abs() <= want * 0.001;
        assert!(close(summary.p50, 50.0), "{summary:?}");
        assert!(close(summary.p90, 90.0), "{summary:?}");
        assert!(close(summary.p99, 99.0), "{summary:?}");
        assert!(close(summary.max, 100.0), "{summary:?}");
    }

    #[test]
    fn an_empty_set_summarises_to_zeroes() {
        assert_eq!(Samples::default().summary().count, 0);
        assert_eq!(Samples::default().summary().p99, 0.0);
    }
}
