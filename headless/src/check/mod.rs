//! `parley-headless check SCRIPT.yaml…`: scripted conversation tests for bot flows.
//!
//! Every script is parsed first ([`script`]); any malformed one stops the run before a guest
//! starts, naming `file:line` and the reason (exit 2). Then the scripts run, up to `--jobs` at a
//! time, each with its own guest ([`runner`]); the report prints one line per script in the
//! order given, with the failed step's `file:line`, number, expectation and what was seen last.
//! Exit 0 when all pass, 1 otherwise, 130 on Ctrl-C.

mod raw;
pub mod runner;
pub mod script;

use std::io::Write;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::cli::{CheckArgs, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE};
use crate::driver::GuestConfig;
use runner::{Outcome, format_duration};

/// Runs `check`; returns the exit code.
pub async fn run(args: CheckArgs) -> u8 {
    let grants = match args.target.grant_source() {
        Ok(grants) => grants,
        Err(message) => {
            eprintln!("parley-headless: {message}");
            return EXIT_USAGE;
        }
    };
    let mut scripts = Vec::new();
    let mut malformed = false;
    for path in &args.scripts {
        match script::load(path) {
            Ok(script) => scripts.push(script),
            Err(error) => {
                eprintln!("parley-headless: {error}");
                malformed = true;
            }
        }
    }
    if malformed {
        return EXIT_USAGE;
    }
    let mut config = GuestConfig::new(grants);
    config.connect_timeout = args.target.connect_timeout();
    let permits = Arc::new(Semaphore::new(args.jobs.max(1)));
    let mut running = JoinSet::new();
    for (index, script) in scripts.into_iter().enumerate() {
        let config = config.clone();
        let permits = permits.clone();
        running.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (index, runner::run(script, config).await)
        });
    }
    let mut outcomes: Vec<Option<Outcome>> = Vec::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            joined = running.join_next() => match joined {
                Some(Ok((index, outcome))) => {
                    if outcomes.len() <= index {
                        outcomes.resize(index + 1, None);
                    }
                    outcomes[index] = Some(outcome);
                }
                Some(Err(error)) => {
                    eprintln!("parley-headless: a check stopped unexpectedly: {error}");
                    return EXIT_FAILED;
                }
                None => break,
            },
            _ = &mut ctrl_c => {
                eprintln!("parley-headless: interrupted; {} script(s) unfinished", running.len());
                running.abort_all();
                return EXIT_INTERRUPTED;
            }
        }
    }
    let outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();
    // The report quotes what the server sent (messages, error text): print it inert.
    let report = crate::terminal::printable(&report(&outcomes));
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(report.as_bytes());
    let _ = stdout.flush();
    if outcomes.iter().all(|o| o.failure.is_none()) {
        0
    } else {
        EXIT_FAILED
    }
}

/// The readable report: a line per script, details under each failure, a summary.
pub fn report(outcomes: &[Outcome]) -> String {
    let mut text = String::new();
    for outcome in outcomes {
        let path = outcome.script.path.display();
        let steps = outcome.script.steps.len();
        let took = format_duration_short(outcome.elapsed);
        match &outcome.failure {
            None => text.push_str(&format!(
                "PASS {path} ({}: {steps} steps, {took})\n",
                outcome.script.name
            )),
            Some(failure) => {
                text.push_str(&format!(
                    "FAIL {path}:{} step {} of {steps} ({}): {}\n",
                    failure.line, failure.step, outcome.script.name, failure.action
                ));
                text.push_str(&format!("     expected: {}\n", failure.expected));
                text.push_str(&format!(
                    "     last seen: {}\n",
                    failure.last_seen.as_deref().unwrap_or("nothing")
                ));
            }
        }
    }
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    text.push_str(&format!(
        "{} script(s) run; {} passed; {failed} failed\n",
        outcomes.len(),
        outcomes.len() - failed
    ));
    text
}

fn format_duration_short(duration: std::time::Duration) -> String {
    if duration.as_secs() >= 1 {
        format!("{:.1} s", duration.as_secs_f64())
    } else {
        format_duration(std::time::Duration::from_millis(duration.as_millis() as u64))
    }
}
