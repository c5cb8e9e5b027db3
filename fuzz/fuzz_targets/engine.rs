//! Any sequence of world events and guest commands: `Engine` never panics. The input is read
//! as records: one byte picks the step, two bytes give a length, that many bytes its payload
//! (frame text, message text, a history page as JSON, a time step).
#![no_main]

use libfuzzer_sys::fuzz_target;
use parley_shared::engine::{ChoiceId, Effect, Engine, EngineConfig, Grant, Input, SocketId};
use parley_shared::genesys::HistoryPage;

fuzz_target!(|data: &[u8]| {
    let mut engine = Engine::new(EngineConfig {
        seed: 1,
        ..EngineConfig::new("deployment")
    });
    let mut now = 0u64;
    let mut socket = None;
    engine.start(now);
    let mut rest = data;
    while let [kind, high, low, tail @ ..] = rest {
        let length = usize::from(u16::from_be_bytes([*high, *low])).min(tail.len());
        let (payload, next) = tail.split_at(length);
        rest = next;
        let text = String::from_utf8_lossy(payload).into_owned();
        match kind % 15 {
            0 => {
                if let Some(socket) = socket {
                    engine.handle(Input::frame_text(socket, &text), now);
                }
            }
            1 => {
                let _ = engine.send_text(text, now);
            }
            2 => {
                now = now.saturating_add(payload.iter().map(|&b| u64::from(b) * 97).sum::<u64>());
                engine.handle(Input::TimerFired, now);
            }
            3 => {
                if let Some(socket) = socket {
                    let code = payload.first().map(|&b| 1000 + u16::from(b));
                    engine.handle(
                        Input::SocketClosed {
                            socket,
                            code,
                            clean: false,
                        },
                        now,
                    );
                }
            }
            4 => {
                if let Some(socket) = socket {
                    engine.handle(Input::SocketOpened(socket), now);
                }
            }
            5 => engine.handle(
                Input::SessionGranted(Grant {
                    token: "token".into(),
                    websocket_url: "ws://fuzz/v1".into(),
                    api_base_url: "http://fuzz".into(),
                    deployment_id: "deployment".into(),
                }),
                now,
            ),
            6 => {
                if let Ok(page) = serde_json::from_slice::<HistoryPage>(payload) {
                    engine.handle(Input::HistoryReceived(page), now);
                }
            }
            7 => engine.typing(now),
            8 => engine.handle(Input::NetworkBack, now),
            9 => engine.start_new_chat(now),
            10 => {
                let _ = engine.end_chat(now);
            }
            11 => {
                // Up to 8 bytes, big-endian: any size up to u64::MAX (a product of the bytes
                // overflowed in the harness itself, the first crash `scripts/fuzz` found).
                let mut bytes = [0u8; 8];
                let taken = payload.len().min(8);
                bytes[8 - taken..].copy_from_slice(&payload[..taken]);
                let size = u64::from_be_bytes(bytes);
                let _ = engine.attach(text, "image/png", size, now);
            }
            12 => {
                let choice = ChoiceId {
                    message_id: text,
                    index: usize::from(*low % 4),
                };
                let _ = engine.choose(&choice, now);
            }
            13 => {
                // Another tab removed the stored token, or stored its own.
                let stored = (!payload.is_empty()).then_some(text);
                engine.handle(Input::StoredTokenChanged(stored), now);
            }
            _ => engine.handle(Input::HistoryFailed(text), now),
        }
        while let Some(effect) = engine.poll_effect() {
            if let Effect::OpenSocket { socket: opened, .. } = effect {
                socket = Some::<SocketId>(opened);
            }
        }
    }
});
