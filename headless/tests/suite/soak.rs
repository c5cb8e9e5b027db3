//! The soak of issue 9 in small, so every test run covers it: `parley-headless load` with 10
//! guests for 10 s while the emulator drops every guest socket every 2 s. Nothing may be lost
//! (each message echoed) and nothing doubled (each message once in the emulator's transcript,
//! counted by `load` itself). The full-size soak (100 guests, 60 s) is `headless/bench/soak.sh`.
//!
//! The 2 s drop timer is the fault being injected, not a wait: the test waits for `load` to exit.

use std::time::Duration;

use crate::support::{run_to_end, start_server};

/// How often every socket is dropped.
const DROP_EVERY: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_loses_and_doubles_nothing_while_every_socket_is_dropped_every_two_seconds() {
    let server = start_server().await;
    let faults = format!("{}/emulator/faults", server.base);
    let dropper = tokio::spawn(async move {
        let http = reqwest::Client::new();
        let mut every =
            tokio::time::interval_at(tokio::time::Instant::now() + DROP_EVERY, DROP_EVERY);
        loop {
            every.tick().await;
            let answer = http
                .post(&faults)
                .json(&serde_json::json!({"fault": "drop_sockets"}))
                .send()
                .await
                .expect("the fault endpoint answers");
            assert!(answer.status().is_success(), "{}", answer.status());
        }
    });

    let (status, stdout, stderr) = run_to_end(&[
        "load",
        "--server",
        &server.base,
        "--guests",
        "10",
        "--rate",
        "1",
        "--duration",
        "10",
        "--ramp",
        "1",
        "--drain",
        "12",
        "--json",
    ])
    .await;
    dropper.abort();

    let report: serde_json::Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("one JSON report ({e}): {stdout}{stderr}"));
    assert_eq!(report["guests"]["connected"], 10, "{report}");
    assert_eq!(report["messages"]["lost"], 0, "{report}");
    assert_eq!(report["messages"]["duplicated"], 0, "{report}");
    assert_eq!(report["messages"]["transcripts_checked"], 10, "{report}");
    let sent = report["messages"]["sent"].as_u64().unwrap();
    assert!(sent >= 90, "about one message a second per guest: {report}");
    assert_eq!(
        report["messages"]["echoed"].as_u64(),
        Some(sent),
        "{report}"
    );
    assert!(
        report["errors"]["reconnect"].as_u64().unwrap_or(0) >= 10,
        "the drops really cut the guests' sockets: {report}"
    );
    assert_eq!(status.code(), Some(0), "{stdout}{stderr}");
}
