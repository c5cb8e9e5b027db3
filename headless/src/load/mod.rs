//! `parley-headless load`: the benchmark driver. N guests join evenly over `--ramp` seconds,
//! each a full engine session, send `--rate` messages a second for `--duration` seconds, then
//! get `--drain` seconds for outstanding echoes and replies. A progress line runs on stderr;
//! the report ([`report`]) gives connect, send→echo and send→bot-reply latency percentiles,
//! errors by kind, and messages lost (sent but never echoed), which must be 0.
//!
//! Exit 0 when every guest connected and nothing was lost, 1 otherwise, 2 on bad flags, 130 on
//! Ctrl-C (after printing what was measured so far).

pub mod fd_limit;
pub mod guest;
pub mod report;
pub mod stats;

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::cli::{EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, LoadArgs};
use crate::driver::GuestConfig;
use crate::grant::GRANT_TIMEOUT;
use fd_limit::FdLimit;
use guest::Plan;
use stats::Stats;

/// The golden ratio's fraction: spreads first sends evenly over the interval for any N.
const SPREAD: f64 = 0.618_033_988_749_895;

/// Runs `load`; returns the exit code.
pub async fn run(args: LoadArgs) -> u8 {
    let grants = match args.target.grant_source() {
        Ok(grants) => grants,
        Err(message) => {
            eprintln!("parley-headless: {message}");
            return EXIT_USAGE;
        }
    };
    if let Err(message) = validate(&args) {
        eprintln!("parley-headless: {message}");
        return EXIT_USAGE;
    }
    if args.rate > f64::from(parley_shared::genesys::MAX_MESSAGES_PER_SECOND) {
        eprintln!(
            "parley-headless: note: Genesys accepts {} messages/s per session; the engine paces \
             faster sends, so send→echo latency will include time queued in the outbox",
            parley_shared::genesys::MAX_MESSAGES_PER_SECOND
        );
    }
    if let FdLimit::TooFew { limit, needed } = fd_limit::ensure(args.guests) {
        eprintln!(
            "parley-headless: warning: only {limit} file descriptors are allowed (hard limit) \
             and {needed} are needed; guests beyond that will fail with 'Too many open files'. \
             Raise the hard limit (e.g. `ulimit -Hn {needed}` as root) or use fewer guests."
        );
    }
    let mut config = GuestConfig::new(grants);
    config.connect_timeout = args.target.connect_timeout();
    let stats = Arc::new(Stats::default());
    let start = Instant::now();
    let ramp = Duration::from_secs_f64(args.ramp);
    let interval = Duration::from_secs_f64(1.0 / args.rate);
    let stop_sending_at = start + ramp + Duration::from_secs_f64(args.duration);
    let leave_at = stop_sending_at + Duration::from_secs_f64(args.drain);
    let mut guests = JoinSet::new();
    for index in 0..args.guests {
        let offset = ramp.mul_f64(index as f64 / args.guests as f64);
        let plan = Plan {
            index,
            join_at: start + offset,
            first_send_after: interval.mul_f64((index as f64 * SPREAD).fract()),
            interval,
            stop_sending_at,
            leave_at,
            ready_timeout: GRANT_TIMEOUT + config.connect_timeout + Duration::from_secs(10),
        };
        let mut config = config.clone();
        config.seed = index as u64;
        guests.spawn(guest::run(plan, config, stats.clone()));
    }
    let interrupted = watch(&mut guests, &stats, &args, start).await;
    let elapsed = start.elapsed();
    let tally = stats.update(std::mem::take);
    let report = report::Report::new(&args, &tally, elapsed);
    let mut stdout = std::io::stdout().lock();
    let text = if args.json {
        report.to_json() + "\n"
    } else {
        report.table()
    };
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    if interrupted {
        EXIT_INTERRUPTED
    } else if tally.messages.lost > 0 || tally.messages.duplicated > 0 || tally.failed > 0 {
        EXIT_FAILED
    } else {
        0
    }
}

fn validate(args: &LoadArgs) -> Result<(), String> {
    if args.guests == 0 {
        return Err("--guests must be at least 1".to_owned());
    }
    if !(args.rate.is_finite() && args.rate > 0.0 && args.rate <= 100.0) {
        return Err("--rate must be more than 0 and at most 100 messages/s per guest".to_owned());
    }
    for (flag, value) in [
        ("--duration", args.duration),
        ("--ramp", args.ramp),
        ("--drain", args.drain),
    ] {
        if !(value.is_finite() && (0.0..=86_400.0).contains(&value)) {
            return Err(format!("{flag} must be between 0 and 86400 seconds"));
        }
    }
    Ok(())
}

/// Waits for every guest, printing progress; true if Ctrl-C cut the run short.
async fn watch(guests: &mut JoinSet<()>, stats: &Stats, args: &LoadArgs, start: Instant) -> bool {
    let terminal = std::io::stderr().is_terminal();
    let every = if terminal {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(5)
    };
    let mut ticker = tokio::time::interval_at(start + every, every);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let interrupted = loop {
        tokio::select! {
            joined = guests.join_next() => {
                if joined.is_none() {
                    break false;
                }
            }
            _ = ticker.tick() => {
                let line = progress(stats, args, start);
                if terminal {
                    eprint!("\r{line}\x1b[K");
                } else {
                    eprintln!("{line}");
                }
            }
            _ = &mut ctrl_c => {
                guests.abort_all();
                if terminal {
                    eprintln!();
                }
                eprintln!("parley-headless: interrupted; reporting what was measured so far");
                return true;
            }
        }
    };
    if terminal {
        eprintln!();
    }
    interrupted
}

fn progress(stats: &Stats, args: &LoadArgs, start: Instant) -> String {
    stats.update(|t| {
        let errors: usize = t.errors.values().sum();
        format!(
            "[{:>6.1} s] guests {}/{} ready, {} failed · sent {} · echoed {} · replies {} · errors {}",
            start.elapsed().as_secs_f64(),
            t.connected,
            args.guests,
            t.failed,
            t.messages.sent,
            t.messages.echoed,
            t.messages.replied,
            errors
        )
    })
}
