//! Robustness: arbitrary bytes as frames, arbitrary (often nonsensical) frames, history pages
//! and guest commands in any order never make the engine panic, and its view stays coherent
//! (unique entry keys, at most one timer asked for at a time). The `cargo fuzz` targets for
//! longer runs are not part of the normal suite; this property runs with every `cargo test`.

use std::collections::BTreeSet;

use crate::engine_harness::*;
use parley_shared::engine::{ChoiceId, Input};
use parley_shared::genesys::{HistoryPage, ServerFrame};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A JSON value of a few levels, the shapes frames are made of.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        "[a-zA-Z0-9 :.+-]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "Inbound",
            "Outbound",
            "Text",
            "Structured",
            "Event",
            "Typing",
            "On",
            "Presence",
            "Disconnect",
            "2024-01-01T10:00:00Z",
            "QuickReply",
            "Card",
            "Postback",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "id",
                    "type",
                    "direction",
                    "text",
                    "content",
                    "events",
                    "channel",
                    "time",
                    "from",
                    "nickname",
                    "metadata",
                    "typing",
                    "duration",
                    "presence",
                    "retryAfter",
                    "connected",
                    "newSession",
                    "readOnly",
                    "jwt",
                    "attachmentId",
                    "url",
                    "contentType",
                    "quickReply",
                    "card",
                    "actions",
                    "payload",
                    "errorCode",
                ]),
                inner,
                0..6,
            )
            .prop_map(|map| Value::Object(
                map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

/// A frame of a known or unknown class with any code, tracing id and body.
fn frame() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "SessionResponse",
            "StructuredMessage",
            "JwtResponse",
            "TooManyRequestsErrorMessage",
            "SessionExpiredEvent",
            "SessionClearedEvent",
            "ConnectionClosedEvent",
            "PresignedUrlResponse",
            "UploadSuccessEvent",
            "UploadFailureEvent",
            "GenerateUrlError",
            "LogoutEvent",
            "string",
            "Unheard",
        ]),
        prop::sample::select(vec![200u16, 400, 403, 429, 4006, 4007, 4011, 4013, 5000]),
        prop::option::of("[a-z0-9-]{0,8}"),
        value(),
    )
        .prop_map(|(class, code, tracing_id, body)| {
            json!({"type": "message", "class": class, "code": code,
                   "tracingId": tracing_id, "body": body})
            .to_string()
        })
}

#[derive(Debug, Clone)]
enum Op {
    Bytes(Vec<u8>),
    Frame(String),
    History(Value),
    Say(String),
    Typing,
    Choose(String, usize),
    Attach(u64),
    RetryFirstFailed,
    EndChat,
    NewChat,
    Drop,
    Reopen,
    Advance(u64),
    NetworkBack,
    /// Another tab removed the stored token (`None`) or stored one of its own.
    OtherTab(Option<u8>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Op::Bytes),
        6 => frame().prop_map(Op::Frame),
        1 => value().prop_map(Op::History),
        2 => "[a-z ]{0,10}".prop_map(Op::Say),
        1 => Just(Op::Typing),
        1 => ("[a-z0-9-]{0,6}", 0..4usize).prop_map(|(id, index)| Op::Choose(id, index)),
        1 => (0..20_000_000u64).prop_map(Op::Attach),
        1 => Just(Op::RetryFirstFailed),
        1 => Just(Op::EndChat),
        1 => Just(Op::NewChat),
        1 => Just(Op::Drop),
        1 => Just(Op::Reopen),
        2 => (0..120_000u64).prop_map(Op::Advance),
        1 => Just(Op::NetworkBack),
        1 => prop::option::of(0..3u8).prop_map(Op::OtherTab),
    ]
}

fn apply(h: &mut Harness, op: Op) {
    match op {
        Op::Bytes(bytes) => {
            if let Some(socket) = h.socket {
                h.ok(Input::frame_text(socket, &String::from_utf8_lossy(&bytes)));
            }
        }
        Op::Frame(text) => {
            if let Some(socket) = h.socket {
                h.ok(Input::frame_text(socket, &text));
            }
        }
        Op::History(body) => {
            if let Ok(page) = serde_json::from_value::<HistoryPage>(body) {
                h.ok(Input::HistoryReceived(page));
            }
        }
        Op::Say(text) => {
            let _ = h.send_text(text);
        }
        Op::Typing => h.typing(),
        Op::Choose(message_id, index) => {
            let _ = h.choose(&ChoiceId { message_id, index });
        }
        Op::Attach(size) => {
            let _ = h.attach("file.png", "image/png", size);
        }
        Op::RetryFirstFailed => {
            let failed = h
                .engine
                .transcript()
                .iter()
                .find_map(|entry| match &entry.kind {
                    parley_shared::engine::EntryKind::Guest(m) => m.client_id.clone(),
                    _ => None,
                });
            if let Some(client_id) = failed {
                let _ = h.retry(&client_id);
            }
        }
        Op::EndChat => {
            let _ = h.end_chat();
        }
        Op::NewChat => h.start_new_chat(),
        Op::Drop => {
            if h.socket.is_some() {
                h.drop_socket();
            }
        }
        Op::Reopen => {
            if h.engine.phase() == &parley_shared::engine::Phase::RequestingSession {
                h.ok(Input::SessionGranted(grant(TOKEN)));
            } else if let Some(socket) = h.socket {
                h.ok(Input::SocketOpened(socket));
            }
        }
        Op::Advance(ms) => h.advance(ms),
        Op::NetworkBack => h.ok(Input::NetworkBack),
        Op::OtherTab(token) => h.ok(Input::StoredTokenChanged(
            token.map(|n| format!("token-{n}")),
        )),
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_the_frame_decoder(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = serde_json::from_str::<ServerFrame>(&text);
        let _ = serde_json::from_str::<HistoryPage>(&text);
    }

    #[test]
    fn arbitrary_inputs_never_panic_the_engine_and_keys_stay_unique(
        ops in prop::collection::vec(op(), 1..80),
    ) {
        let mut h = Harness::ready();
        for op in ops {
            apply(&mut h, op);
            let keys: BTreeSet<&str> = h.engine.transcript().iter().map(|e| e.key.as_str()).collect();
            prop_assert_eq!(keys.len(), h.engine.transcript().len(), "entry keys are unique");
        }
    }
}
