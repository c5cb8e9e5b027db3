//! Check scripts: YAML files describing a conversation with a bot, parsed into [`Script`]s with
//! the line of every step, so that both parse errors and failed steps point at `file:line`.
//!
//! ```yaml
//! name: greeting            # optional; defaults to the file name
//! timeout: 10s              # optional default for every step (10s, 500ms, 2m or seconds)
//! steps:
//!   - say: hello            # send a message
//!   - expect_typing         # wait for the agent's typing indicator
//!   - expect: "^Hello!"     # wait for an agent/bot message matching this regex
//!     timeout: 5s           # per-step limit
//!   - say: options
//!   - choose: Delivery      # pick the quick reply (or card button) with this label
//!   - expect: 'You chose "Delivery"'
//!   - say: bye
//!   - expect_end            # wait for the conversation to end
//! ```
//!
//! Events are consumed in order: `expect` skips messages that do not match (they are reported
//! as "last seen" if the step fails) and an event consumed by one step is not seen by the next.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;

pub use super::raw::RawDuration;
use super::raw::{RawAction, RawScript};

/// Step limit when neither the step nor the script sets one.
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed, validated script.
#[derive(Debug, Clone)]
pub struct Script {
    /// The file it came from.
    pub path: PathBuf,
    /// Its name (the `name` key, else the file name).
    pub name: String,
    /// The steps in order.
    pub steps: Vec<Step>,
}

/// One step.
#[derive(Debug, Clone)]
pub struct Step {
    /// 1-based line of the step in the file.
    pub line: usize,
    /// What to do.
    pub action: Action,
    /// How long it may take.
    pub timeout: Duration,
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Send text.
    Say(String),
    /// Wait for an agent message matching the regex.
    Expect(Regex),
    /// Pick an offered choice by label.
    Choose(String),
    /// Wait for the typing indicator.
    ExpectTyping,
    /// Wait for the conversation to end.
    ExpectEnd,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Say(text) => write!(f, "say: {text}"),
            Action::Expect(regex) => write!(f, "expect: /{}/", regex.as_str()),
            Action::Choose(label) => write!(f, "choose: {label}"),
            Action::ExpectTyping => f.write_str("expect_typing"),
            Action::ExpectEnd => f.write_str("expect_end"),
        }
    }
}

/// Why a script could not be used: `file:line: reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {reason}", path.display(), if *line > 0 { format!(":{line}") } else { String::new() })]
pub struct ScriptError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line (0 when unknown, e.g. the file could not be read).
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Reads and parses the script at `path`.
pub fn load(path: &Path) -> Result<Script, ScriptError> {
    let text = std::fs::read_to_string(path).map_err(|error| ScriptError {
        path: path.to_owned(),
        line: 0,
        reason: format!("cannot read the script: {error}"),
    })?;
    parse(path, &text)
}

/// Parses script `text` (from `path`, for messages).
pub fn parse(path: &Path, text: &str) -> Result<Script, ScriptError> {
    let error = |line: usize, reason: String| ScriptError {
        path: path.to_owned(),
        line,
        reason,
    };
    let raw: RawScript = serde_saphyr::from_str(text).map_err(|e| {
        let line = e.location().map_or(0, |l| l.line() as usize);
        error(line, yaml_reason(&e.to_string()))
    })?;
    let default_timeout = match &raw.timeout {
        Some(timeout) => parse_duration(&timeout.value)
            .map_err(|reason| error(timeout.referenced.line() as usize, reason))?,
        None => DEFAULT_STEP_TIMEOUT,
    };
    if raw.steps.is_empty() {
        return Err(error(1, "the script has no steps".to_owned()));
    }
    let mut steps = Vec::with_capacity(raw.steps.len());
    for (index, spanned) in raw.steps.into_iter().enumerate() {
        let line = spanned.referenced.line() as usize;
        let step = spanned.value;
        let at = |reason: String| error(line, format!("step {}: {reason}", index + 1));
        let timeout = match &step.timeout {
            Some(timeout) => parse_duration(timeout).map_err(at)?,
            None => default_timeout,
        };
        let action = match step.action {
            RawAction::Say(text) if text.trim().is_empty() => {
                return Err(at("'say' needs some text".to_owned()));
            }
            RawAction::Say(text) => Action::Say(text),
            RawAction::Expect(pattern) => Action::Expect(Regex::new(&pattern).map_err(|e| {
                at(format!(
                    "'expect' is not a valid regular expression: {}",
                    regex_reason(&e)
                ))
            })?),
            RawAction::Choose(label) => Action::Choose(label),
            RawAction::ExpectTyping => Action::ExpectTyping,
            RawAction::ExpectEnd => Action::ExpectEnd,
        };
        steps.push(Step {
            line,
            action,
            timeout,
        });
    }
    let name = raw.name.unwrap_or_else(|| {
        path.file_stem()
            .map_or("script".to_owned(), |s| s.to_string_lossy().into_owned())
    });
    Ok(Script {
        path: path.to_owned(),
        name,
        steps,
    })
}

/// `10s`, `500ms`, `2m`, or a plain number of seconds.
pub fn parse_duration(value: &RawDuration) -> Result<Duration, String> {
    let seconds = |s: f64| {
        if s.is_finite() && s > 0.0 && s <= 86_400.0 {
            Ok(Duration::from_secs_f64(s))
        } else {
            Err(format!(
                "timeout {s} is out of range (more than 0, at most a day)"
            ))
        }
    };
    match value {
        RawDuration::Seconds(s) => seconds(*s),
        RawDuration::Text(text) => {
            let text = text.trim();
            let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
                (n, 0.001)
            } else if let Some(n) = text.strip_suffix('s') {
                (n, 1.0)
            } else if let Some(n) = text.strip_suffix('m') {
                (n, 60.0)
            } else {
                (text, 1.0)
            };
            let n: f64 = number.trim().parse().map_err(|_| {
                format!("timeout '{text}' is not a duration (expected e.g. 10s, 500ms, 2m)")
            })?;
            seconds(n * scale)
        }
    }
}

/// The parser's message without its own "error: line L column C:" prefix (the line is ours).
fn yaml_reason(text: &str) -> String {
    let text = first_line(text);
    let rest = text.strip_prefix("error: ").unwrap_or(&text);
    match rest.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
        Some((_, reason)) => reason.to_owned(),
        None => rest.to_owned(),
    }
}

/// The regex crate's multi-line message reduced to its last line ("unclosed group").
fn regex_reason(error: &regex::Error) -> String {
    let text = error.to_string();
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(&text);
    last.trim().trim_start_matches("error: ").to_owned()
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Script, ScriptError> {
        parse(Path::new("t.yaml"), text)
    }

    #[test]
    fn steps_know_their_lines_and_timeouts() {
        let script = parse_text(
            "name: demo\ntimeout: 3s\nsteps:\n  - say: hello\n  - expect_typing\n  - expect: \"^Hello\"\n    timeout: 500ms\n  - choose: Billing\n  - expect_end\n",
        )
        .unwrap();
        assert_eq!(script.name, "demo");
        let lines: Vec<usize> = script.steps.iter().map(|s| s.line).collect();
        assert_eq!(lines, [4, 5, 6, 8, 9]);
        assert_eq!(script.steps[0].timeout, Duration::from_secs(3));
        assert_eq!(script.steps[2].timeout, Duration::from_millis(500));
        assert!(matches!(script.steps[3].action, Action::Choose(ref l) if l == "Billing"));
    }

    #[test]
    fn a_bad_regex_names_the_file_line_and_step() {
        let error = parse_text("steps:\n  - say: hi\n  - expect: \"(unclosed\"\n").unwrap_err();
        assert_eq!(error.line, 3);
        let text = error.to_string();
        assert!(
            text.starts_with("t.yaml:3: step 2: 'expect' is not a valid regular expression"),
            "{text}"
        );
    }

    #[test]
    fn an_unknown_step_is_refused_with_its_line() {
        let error = parse_text("steps:\n  - say: hi\n  - shout: hi\n").unwrap_err();
        assert_eq!(error.line, 3, "{error}");
        assert!(error.reason.contains("unknown key 'shout'"), "{error}");
    }

    #[test]
    fn broken_yaml_names_its_line() {
        let error = parse_text("steps:\n  - say: hi\n  - expect: [unclosed\n").unwrap_err();
        assert!(error.line >= 3, "{error}");
    }

    #[test]
    fn durations_accept_units_and_refuse_nonsense() {
        let text = |t: &str| RawDuration::Text(t.into());
        assert_eq!(parse_duration(&text("2m")), Ok(Duration::from_secs(120)));
        assert_eq!(
            parse_duration(&RawDuration::Seconds(1.5)),
            Ok(Duration::from_millis(1500))
        );
        assert!(parse_duration(&text("soon")).is_err());
        assert!(parse_duration(&RawDuration::Seconds(-1.0)).is_err());
    }
}
