//! The end of a load run in two shapes: a table for people and one JSON object for scripts
//! (and for BENCHMARKS.md). Field names of the JSON are stable.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::stats::{MessageCounts, Summary, Tally};
use crate::cli::LoadArgs;

/// The final numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// What was asked for.
    pub config: RunConfig,
    /// Wall time of the run, in seconds.
    pub elapsed_s: f64,
    /// Guests requested, connected and failed.
    pub guests: GuestCounts,
    /// Messages sent, echoed, replied to and lost.
    pub messages: MessageCounts,
    /// Latency percentiles in milliseconds.
    pub latency_ms: Latencies,
    /// Errors by kind.
    pub errors: BTreeMap<String, usize>,
}

/// The flags of the run.
#[derive(Debug, Clone, Serialize)]
pub struct RunConfig {
    /// `--guests`.
    pub guests: usize,
    /// `--rate` (messages/s/guest).
    pub rate: f64,
    /// `--duration` (s).
    pub duration_s: f64,
    /// `--ramp` (s).
    pub ramp_s: f64,
}

/// Guest counts.
#[derive(Debug, Clone, Serialize)]
pub struct GuestCounts {
    /// Asked for.
    pub requested: usize,
    /// Reached `ready`.
    pub connected: usize,
    /// Gave up.
    pub failed: usize,
}

/// The three latencies.
#[derive(Debug, Clone, Serialize)]
pub struct Latencies {
    /// Join → ready (grant, socket, configureSession).
    pub connect: Summary,
    /// Send → echo.
    pub echo: Summary,
    /// Send → bot reply.
    pub reply: Summary,
}

impl Report {
    /// The report of `tally` for `args`.
    pub fn new(args: &LoadArgs, tally: &Tally, elapsed: Duration) -> Report {
        Report {
            config: RunConfig {
                guests: args.guests,
                rate: args.rate,
                duration_s: args.duration,
                ramp_s: args.ramp,
            },
            elapsed_s: (elapsed.as_secs_f64() * 10.0).round() / 10.0,
            guests: GuestCounts {
                requested: args.guests,
                connected: tally.connected,
                failed: tally.failed,
            },
            messages: tally.messages.clone(),
            latency_ms: Latencies {
                connect: tally.connect.summary(),
                echo: tally.echo.summary(),
                reply: tally.reply.summary(),
            },
            errors: tally.errors.clone(),
        }
    }

    /// One JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// The table for people.
    pub fn table(&self) -> String {
        let mut text = format!(
            "load: {} guests, {} msg/s each, {} s steady after a {} s ramp ({:.1} s in all)\n",
            self.config.guests,
            self.config.rate,
            self.config.duration_s,
            self.config.ramp_s,
            self.elapsed_s
        );
        text.push_str(&format!(
            "guests    {} connected, {} failed (of {})\n",
            self.guests.connected, self.guests.failed, self.guests.requested
        ));
        text.push_str(&format!(
            "messages  {} sent, {} echoed, {} bot replies, {} lost, {} duplicated ({} of {} transcripts checked)\n",
            self.messages.sent,
            self.messages.echoed,
            self.messages.replied,
            self.messages.lost,
            self.messages.duplicated,
            self.messages.transcripts_checked,
            self.guests.requested
        ));
        text.push_str(&format!(
            "{:<18} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
            "latency (ms)", "p50", "p90", "p99", "max", "samples"
        ));
        for (name, summary) in [
            ("connect", &self.latency_ms.connect),
            ("send → echo", &self.latency_ms.echo),
            ("send → bot reply", &self.latency_ms.reply),
        ] {
            text.push_str(&format!(
                "{:<18} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9}\n",
                name, summary.p50, summary.p90, summary.p99, summary.max, summary.count
            ));
        }
        if self.errors.is_empty() {
            text.push_str("errors    none\n");
        } else {
            text.push_str("errors\n");
            for (kind, count) in &self.errors {
                text.push_str(&format!("  {count:>8}  {kind}\n"));
            }
        }
        text
    }
}
