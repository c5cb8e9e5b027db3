//! The sending half of one guest socket: takes queued frames off the connection's channel and
//! writes them, applying the frame faults on the way.
//!
//! - `delay_frames`: each frame leaves no earlier than `delay` after it was queued (order kept;
//!   the delay does not accumulate over a burst).
//! - `reorder_frames`: consecutive frames are swapped pairwise (the first is held until the
//!   second arrives, then both go out second-first), reproducing the out-of-order delivery
//!   Genesys warns about, deterministically. A held frame with no partner goes out after
//!   `REORDER_HOLD`, so nothing waits forever.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use tokio::sync::mpsc;

use super::Emulator;
use super::session::Outbound;

/// How long a frame waits for a partner to swap with.
const REORDER_HOLD: Duration = Duration::from_millis(500);

type Sink = SplitSink<WebSocket, Message>;

/// Sends everything queued on `rx` until a close is queued, the channel ends or a write fails.
pub async fn run(emulator: Emulator, mut sink: Sink, mut rx: mpsc::UnboundedReceiver<Outbound>) {
    let mut held: Option<String> = None;
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
                    let _ = sink.send(Message::Close(None)).await;
                }
                return;
            }
            Some(Outbound::Frame { text, queued_at }) => {
                let (delay, reorder) = {
                    let faults = emulator.faults();
                    (faults.frame_delay(), faults.reordering())
                };
                if !delay.is_zero() {
                    tokio::time::sleep_until(queued_at + delay).await;
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

/// Writes one text frame if there is one; false when the socket is gone.
async fn send(sink: &mut Sink, text: Option<String>) -> bool {
    match text {
        Some(text) => sink.send(Message::Text(text.into())).await.is_ok(),
        None => true,
    }
}
