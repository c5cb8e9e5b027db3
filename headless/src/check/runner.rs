//! Runs one [`Script`] against a live guest: each step sends a command or consumes events until
//! what it expects turns up or its time runs out. Timeouts are the step's own limits (product
//! behaviour: how long a bot may take), never a way of waiting for something to happen.

use std::time::{Duration, Instant};

use tokio::time::timeout_at;

use super::script::{Action, Script, Step};
use crate::driver::{self, Command, GuestConfig, GuestHandle};
use crate::events::{DeliveryState, GuestEvent, close_reason};

/// How a script went.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The script's file and name.
    pub script: Script,
    /// Steps passed.
    pub passed_steps: usize,
    /// The failure, if any.
    pub failure: Option<Failure>,
    /// Wall time.
    pub elapsed: Duration,
}

/// A failed step, with what was expected and what was seen instead.
#[derive(Debug, Clone)]
pub struct Failure {
    /// 1-based step number (0 when the guest failed before any step).
    pub step: usize,
    /// The step's line in the file.
    pub line: usize,
    /// The step as written.
    pub action: String,
    /// What the step waited for.
    pub expected: String,
    /// The last relevant event seen, in words.
    pub last_seen: Option<String>,
}

/// Runs `script` with a fresh guest from `config`.
pub async fn run(script: Script, config: GuestConfig) -> Outcome {
    let started = Instant::now();
    let (handle, task) = driver::spawn(config);
    let mut session = Session {
        handle,
        offered: Vec::new(),
        last_seen: None,
        fatal: None,
    };
    let mut failure = None;
    let mut passed_steps = 0;
    for (index, step) in script.steps.iter().enumerate() {
        match session.step(step).await {
            Ok(()) => passed_steps += 1,
            Err(expected) => {
                failure = Some(Failure {
                    step: index + 1,
                    line: step.line,
                    action: step.action.to_string(),
                    expected,
                    last_seen: session.last_seen.clone(),
                });
                break;
            }
        }
    }
    let _ = session.handle.commands.send(Command::Close);
    // Drain so the guest is never blocked on us while closing.
    while session.handle.events.recv().await.is_some() {}
    let _ = task.await;
    Outcome {
        script,
        passed_steps,
        failure,
        elapsed: started.elapsed(),
    }
}

/// Why waiting stopped without the expected event.
enum Miss {
    Timeout,
    GuestStopped,
}

struct Session {
    handle: GuestHandle,
    /// Labels of the choices on offer, as the events told.
    offered: Vec<String>,
    last_seen: Option<String>,
    fatal: Option<String>,
}

impl Session {
    /// Runs one step; `Err` carries what it expected, in words.
    async fn step(&mut self, step: &Step) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + step.timeout;
        let within = format_duration(step.timeout);
        match &step.action {
            Action::Say(text) => {
                self.send(Command::Say(text.clone()))?;
                Ok(())
            }
            Action::Expect(regex) => {
                let expected = format!("a message matching /{}/ within {within}", regex.as_str());
                self.wait(deadline, &expected, |event| match event {
                    GuestEvent::Message(message) => {
                        regex.is_match(&message.text)
                            || message.cards.iter().any(|card| regex.is_match(&card.title))
                    }
                    _ => false,
                })
                .await
            }
            Action::Choose(label) => {
                let expected = format!("a choice labelled \"{label}\" within {within}");
                let offered =
                    |labels: &[String]| labels.iter().any(|l| l.eq_ignore_ascii_case(label.trim()));
                if !offered(&self.offered) {
                    let label = label.clone();
                    self.wait(deadline, &expected, move |event| {
                        choice_labels(event)
                            .iter()
                            .any(|l| l.eq_ignore_ascii_case(label.trim()))
                    })
                    .await?;
                }
                self.send(Command::ChooseText(label.clone()))
            }
            Action::ExpectTyping => {
                let expected = format!("the agent typing within {within}");
                self.wait(deadline, &expected, |event| {
                    matches!(event, GuestEvent::Typing { typing: true, .. })
                })
                .await
            }
            Action::ExpectEnd => {
                let expected = format!("the conversation to end within {within}");
                self.wait(deadline, &expected, |event| {
                    matches!(
                        event,
                        GuestEvent::Connection { state, .. } if state.is_over()
                    )
                })
                .await
            }
        }
    }

    fn send(&mut self, command: Command) -> Result<(), String> {
        if let Some(fatal) = &self.fatal {
            return Err(format!("a live guest, but it stopped: {fatal}"));
        }
        self.handle
            .commands
            .send(command)
            .map_err(|_| "a live guest, but it stopped".to_owned())
    }

    /// Consumes events until one satisfies `wanted`.
    async fn wait(
        &mut self,
        deadline: tokio::time::Instant,
        expected: &str,
        wanted: impl Fn(&GuestEvent) -> bool,
    ) -> Result<(), String> {
        loop {
            let miss = match timeout_at(deadline, self.handle.events.recv()).await {
                Ok(Some(event)) => {
                    self.observe(&event);
                    if wanted(&event) {
                        return Ok(());
                    }
                    continue;
                }
                Ok(None) => Miss::GuestStopped,
                Err(_) => Miss::Timeout,
            };
            return Err(match (miss, &self.fatal) {
                (_, Some(fatal)) => format!("{expected}, but the guest gave up: {fatal}"),
                (Miss::GuestStopped, None) => format!("{expected}, but the guest stopped"),
                (Miss::Timeout, None) => format!("{expected}; none came"),
            });
        }
    }

    /// Keeps the offered choices and the "last seen" description up to date.
    fn observe(&mut self, event: &GuestEvent) {
        let labels = choice_labels(event);
        if !labels.is_empty() {
            self.offered = labels;
        }
        if let GuestEvent::Error {
            fatal: true,
            message,
            ..
        } = event
        {
            self.fatal = Some(message.clone());
        }
        if let Some(description) = describe(event) {
            self.last_seen = Some(description);
        }
    }
}

/// Labels a number could pick after this event (quick replies, card postbacks).
fn choice_labels(event: &GuestEvent) -> Vec<String> {
    match event {
        GuestEvent::QuickReplies { replies, .. } => {
            replies.iter().map(|r| r.text.clone()).collect()
        }
        GuestEvent::Message(message) => message
            .cards
            .iter()
            .flat_map(|card| card.buttons.iter())
            .filter(|b| b.n.is_some())
            .map(|b| b.text.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// An event in a few words for the failure report; `None` for noise (deliveries in flight).
fn describe(event: &GuestEvent) -> Option<String> {
    Some(match event {
        GuestEvent::Message(message) => {
            format!(
                "message from {}: \"{}\"",
                message.from,
                shorten(&message.text)
            )
        }
        GuestEvent::Typing { from, typing } => {
            format!(
                "{from} {} typing",
                if *typing { "started" } else { "stopped" }
            )
        }
        GuestEvent::QuickReplies { replies, .. } => {
            let labels: Vec<&str> = replies.iter().map(|r| r.text.as_str()).collect();
            format!("quick replies [{}]", labels.join(", "))
        }
        GuestEvent::Connection { state, reason, .. } => match reason {
            Some(reason) => format!("connection {state} ({})", close_reason(reason)),
            None => format!("connection {state}"),
        },
        GuestEvent::Delivery {
            state: DeliveryState::Failed,
            text,
            reason,
            ..
        } => format!(
            "\"{}\" not delivered ({})",
            shorten(text),
            reason.as_deref().unwrap_or("failed")
        ),
        GuestEvent::Delivery { .. } | GuestEvent::Session { .. } => return None,
        GuestEvent::Notice { text } => format!("notice: {text}"),
        GuestEvent::Error { kind, message, .. } => format!("error ({kind}): {message}"),
    })
}

fn shorten(text: &str) -> String {
    const MAX: usize = 100;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

/// `10 s`, `500 ms`.
pub fn format_duration(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else if duration < Duration::from_secs(1) {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}
