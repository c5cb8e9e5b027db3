//! The sending half of one guest socket: takes queued frames off the connection's channel and
//! writes them, applying the frame faults on the way.
//!
//! - `delay_frames`: each frame leaves no earlier than `delay` after it was queued (order kept;
//!   the delay does not accumulate over a burst).
//! - `reorder_frames`: consecutive frames are swapped pairwise (the first is held until the
//!   second arrives, then both go out second-first), reproducing the out-of-order delivery
//!   Genesys warns about, deterministically. A held frame with no partner goes out after
//!   `REORDER_HOLD`, so nothing waits forever.
//!
//! Every write must finish within `write_timeout`: a client that stops reading blocks the
//! write once the TCP buffers are full, and the writer then gives up, which makes the socket
//! loop close the connection.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use tokio::sync::mpsc;

use super::Emulator;
use super::session::{Outbound, saturating_add};

/// How long a frame waits for a partner to swap with.
const REORDER_HOLD: Duration = Duration::from_millis(500);

type Sink = SplitSink<WebSocket, Message>;

/// Sends everything queued on `rx` until a close is queued, the channel ends or a write fails.
pub async fn run(emulator: Emulator, sink: Sink, mut rx: mpsc::Receiver<Outbound>) {
    let mut sink = TimedSink {
        sink,
        timeout: emulator.config().write_timeout,
    };
    let mut held: Option<Box<str>> = None;
    loop {
        let next = match held {
            Some(_) => match tokio::time::timeout(REORDER_HOLD, rx.recv()).await {
                Ok(next) => next,
                Err(_) => {
                    if !send(&mut sink, held.take()).await {
                        return;
                    }
                    continue;
                }
            },
            None => rx.recv().await,
        };
        match next {
            None => {
                send(&mut sink, held.take()).await;
                return;
            }
            Some(Outbound::Close) => {
                if send(&mut sink, held.take()).await {
                    sink.write(Message::Close(None)).await;
                }
                return;
            }
            Some(Outbound::Frame { text, queued_at }) => {
                let (delay, reorder) = {
                    let faults = emulator.faults();
                    (faults.frame_delay(), faults.reordering())
                };
                if !delay.is_zero() {
                    tokio::time::sleep_until(saturating_add(queued_at, delay)).await;
                }
                let sent = match (reorder, held.take()) {
                    (true, None) => {
                        held = Some(text);
                        true
                    }
                    (true, Some(first)) => {
                        send(&mut sink, Some(text)).await && send(&mut sink, Some(first)).await
                    }
                    (false, earlier) => {
                        send(&mut sink, earlier).await && send(&mut sink, Some(text)).await
                    }
                };
                if !sent {
                    return;
                }
            }
        }
    }
}

/// The socket's sending half with a time limit on every write.
struct TimedSink {
    sink: Sink,
    timeout: Duration,
}

impl TimedSink {
    /// Writes one frame; false when the socket is gone or the write took too long.
    async fn write(&mut self, message: Message) -> bool {
        matches!(
            tokio::time::timeout(self.timeout, self.sink.send(message)).await,
            Ok(Ok(()))
        )
    }
}

/// Writes one text frame if there is one; false when the socket is gone or too slow.
async fn send(sink: &mut TimedSink, text: Option<Box<str>>) -> bool {
    match text {
        Some(text) => sink.write(Message::Text(String::from(text).into())).await,
        None => true,
    }
}
