//! `parley-headless chat`: one guest, driven by lines of input, printing what happens.
//!
//! Each input line is a [`Command`]: text is sent; a bare number picks the numbered quick reply
//! or card button on offer (or is sent as text when nothing is offered); `/new` starts a new
//! conversation; `/end` ends this one for good; `/quit` or end of input (Ctrl-D) leaves with a
//! clean close. Output is either for people ([`render`]) or one JSON [`GuestEvent`] per line
//! (`--json`).

pub mod render;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

use crate::cli::{ChatArgs, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE};
use crate::driver::{self, Command, GuestConfig};
use crate::events::GuestEvent;
use render::Line;

/// Runs a chat reading lines from `input` and writing events to `output`; returns the exit code.
pub async fn run<R, W>(args: ChatArgs, input: R, mut output: W) -> u8
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let grants = match args.target.grant_source() {
        Ok(grants) => grants,
        Err(message) => {
            eprintln!("parley-headless: {message}");
            return EXIT_USAGE;
        }
    };
    let mut config = GuestConfig::new(grants);
    if let Some(path) = args.state {
        match driver::state::GuestState::load(&path) {
            Ok(state) => {
                config.resume = state.token.clone();
                config.state = Some((path, state));
            }
            Err(message) => {
                eprintln!("parley-headless: {message}");
                return EXIT_USAGE;
            }
        }
    }
    config.resume = args.resume.or(config.resume);
    if let Some((_, state)) = &mut config.state {
        // `--resume` wins over the file: only messages of that conversation are restored.
        state.token.clone_from(&config.resume);
    }
    config.connect_timeout = args.target.connect_timeout();
    config.report_token = args.show_token;
    let (mut guest, task) = driver::spawn(config);
    let mut lines = BufReader::new(input).lines();
    let mut input_open = true;
    let mut interrupted = false;
    let mut leave_by: Option<tokio::time::Instant> = None;
    let mut human = render::Human::default();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            event = guest.events.recv() => match event {
                Some(event) => {
                    if write_event(&mut output, &mut human, &event, args.json).await.is_err() {
                        // The reader went away (a closed pipe): leave quietly.
                        let _ = guest.commands.send(Command::Close);
                    }
                }
                None => break,
            },
            line = lines.next_line(), if input_open => match line {
                Ok(Some(line)) => {
                    if let Some(command) = command_for(&line) {
                        let _ = guest.commands.send(command);
                    }
                }
                Ok(None) | Err(_) => {
                    // End of input: leave once what was typed is delivered (or failed).
                    input_open = false;
                    let _ = guest.commands.send(Command::Leave);
                    leave_by = Some(tokio::time::Instant::now() + FLUSH_ON_EXIT);
                }
            },
            () = sleep_until(leave_by) => {
                leave_by = None;
                eprintln!("parley-headless: leaving with messages not yet delivered");
                let _ = guest.commands.send(Command::Close);
            },
            result = &mut ctrl_c, if !interrupted => {
                interrupted = true;
                if result.is_ok() {
                    eprintln!("parley-headless: interrupted; closing the conversation");
                }
                let _ = guest.commands.send(Command::Close);
            }
        }
    }
    let _ = output.flush().await;
    let exit = match task.await {
        Ok(exit) => exit,
        Err(error) => {
            eprintln!("parley-headless: the guest stopped unexpectedly: {error}");
            return EXIT_FAILED;
        }
    };
    if let Some(reason) = exit.fatal {
        if args.json {
            eprintln!("parley-headless: {}", crate::terminal::printable(&reason));
        }
        return EXIT_FAILED;
    }
    if interrupted { EXIT_INTERRUPTED } else { 0 }
}

/// How long end of input waits for typed messages to be delivered before leaving anyway.
const FLUSH_ON_EXIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// What a typed line asks for (`None`: nothing, e.g. an empty line).
pub fn command_for(line: &str) -> Option<Command> {
    let line = line.trim();
    match line {
        "" => None,
        "/quit" | "/exit" => Some(Command::Close),
        "/new" => Some(Command::NewChat),
        "/end" => Some(Command::EndChat),
        _ => match line.parse::<usize>() {
            Ok(n) if n > 0 => Some(Command::ChooseNumber(n)),
            _ => Some(Command::Say(line.to_owned())),
        },
    }
}

async fn write_event<W: AsyncWrite + Unpin>(
    output: &mut W,
    human: &mut render::Human,
    event: &GuestEvent,
    json: bool,
) -> std::io::Result<()> {
    if json {
        let mut line = event.to_json();
        line.push('\n');
        output.write_all(line.as_bytes()).await?;
        return output.flush().await;
    }
    for line in human.lines(event) {
        match line {
            Line::Out(text) => {
                output.write_all(text.as_bytes()).await?;
                output.write_all(b"\n").await?;
            }
            Line::Err(text) => eprintln!("{text}"),
        }
    }
    output.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_commands() {
        assert_eq!(command_for("  "), None);
        assert_eq!(command_for("2"), Some(Command::ChooseNumber(2)));
        assert_eq!(command_for("0"), Some(Command::Say("0".into())));
        assert_eq!(command_for(" hello "), Some(Command::Say("hello".into())));
        assert_eq!(command_for("/quit"), Some(Command::Close));
        assert_eq!(command_for("/new"), Some(Command::NewChat));
        assert_eq!(command_for("/end"), Some(Command::EndChat));
    }
}
