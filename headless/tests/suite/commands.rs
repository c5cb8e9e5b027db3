//! The `parley-headless` binary end to end against the real server and its emulator (in this
//! process, on an ephemeral port, deterministic, no agent delay): `chat --json` driven through
//! stdin, `check` with passing, failing and malformed scripts, a small `load`, and bad input
//! (unreachable server, refused upgrade). Each test waits for output, never for time.

use crate::support::{
    JsonChat, closed_port, example, run_to_end, run_with_stdin_open, start_server, temp_script,
};

const DEPLOYMENT: &str = parley_server::emulator::DEFAULT_DEPLOYMENT_ID;

fn is_message_starting(event: &serde_json::Value, prefix: &str) -> bool {
    event["event"] == "message"
        && event["text"]
            .as_str()
            .is_some_and(|t| t.starts_with(prefix))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_json_greets_offers_quick_replies_answers_a_number_and_exits_cleanly_on_eof() {
    let server = start_server().await;
    let mut chat = JsonChat::start(&["--server", &server.base]);

    chat.type_line("hello").await;
    let greeting = chat
        .wait_for("the greeting", |e| is_message_starting(e, "Hello!"))
        .await;
    assert_eq!(greeting["from"], "Parley Bot");
    assert_eq!(greeting["role"], "bot");

    chat.type_line("options").await;
    let offer = chat
        .wait_for("quick replies", |e| e["event"] == "quick_replies")
        .await;
    let labels: Vec<&str> = offer["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Billing", "Delivery", "Returns"]);
    assert_eq!(offer["replies"][0]["n"], 1);

    chat.type_line("1").await;
    chat.wait_for("the answer to the choice", |e| {
        is_message_starting(e, "You chose \"Billing\"")
    })
    .await;

    let (rest, status) = chat.end_input().await;
    assert!(status.success(), "exit status {status}");
    let last = rest.last().expect("a closing event");
    assert_eq!(last["event"], "connection");
    assert_eq!(last["state"], "closed");
    assert_eq!(last["reason"], "guest left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_talks_to_the_emulator_directly_without_a_grant() {
    let server = start_server().await;
    let mut chat = JsonChat::start(&["--genesys-url", &server.base, "--deployment-id", DEPLOYMENT]);
    chat.type_line("hi").await;
    chat.wait_for("the greeting", |e| is_message_starting(e, "Hello!"))
        .await;
    let (_, status) = chat.end_input().await;
    assert!(status.success(), "exit status {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_passes_the_shipped_examples_in_parallel() {
    let server = start_server().await;
    let scripts = [
        example("greeting.yaml"),
        example("quick_replies.yaml"),
        example("card.yaml"),
        example("handover_and_end.yaml"),
    ];
    let mut args = vec!["check", "--server", &server.base, "--jobs", "4"];
    args.extend(scripts.iter().map(String::as_str));
    let (status, stdout, stderr) = run_to_end(&args).await;
    assert_eq!(status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.matches("PASS ").count(), 4, "{stdout}");
    assert!(stdout.contains("4 passed; 0 failed"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_fails_naming_the_step_its_line_and_what_was_seen_last() {
    let server = start_server().await;
    let script = temp_script(
        "wrong_answer.yaml",
        "name: wrong answer\nsteps:\n  - say: hello\n  - expect: \"^Hello!\"\n  - say: options\n  - expect: \"^Goodbye\"\n    timeout: 500ms\n",
    );
    let path = script.to_str().unwrap();
    let (status, stdout, stderr) = run_to_end(&["check", "--server", &server.base, path]).await;
    assert_eq!(status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("FAIL {path}:6 step 4 of 4")),
        "{stdout}"
    );
    assert!(
        stdout.contains("expected: a message matching /^Goodbye/ within 500 ms"),
        "{stdout}"
    );
    assert!(
        stdout.contains("last seen: quick replies [Billing, Delivery, Returns]"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_script_is_refused_with_file_line_and_reason_before_anything_runs() {
    let script = temp_script(
        "broken.yaml",
        "steps:\n  - say: hi\n  - expect: \"(unclosed\"\n",
    );
    let path = script.to_str().unwrap();
    // No server at all: parsing must fail before any guest starts.
    let (status, stdout, stderr) = run_to_end(&["check", path]).await;
    assert_eq!(status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "{path}:3: step 2: 'expect' is not a valid regular expression: unclosed group"
        )),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_with_five_guests_loses_nothing() {
    let server = start_server().await;
    let (status, stdout, stderr) = run_to_end(&[
        "load",
        "--server",
        &server.base,
        "--guests",
        "5",
        "--rate",
        "1",
        "--duration",
        "2",
        "--ramp",
        "0.5",
        "--json",
    ])
    .await;
    assert_eq!(status.code(), Some(0), "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON report");
    assert_eq!(report["guests"]["connected"], 5, "{report}");
    assert_eq!(report["messages"]["lost"], 0, "{report}");
    assert_eq!(report["messages"]["duplicated"], 0, "{report}");
    assert_eq!(
        report["messages"]["transcripts_checked"], 5,
        "every guest's transcript was read from the emulator: {report}"
    );
    let sent = report["messages"]["sent"].as_u64().unwrap();
    assert!(sent >= 5, "{report}");
    assert_eq!(
        report["messages"]["echoed"].as_u64(),
        Some(sent),
        "{report}"
    );
    assert_eq!(
        report["messages"]["replied"].as_u64(),
        Some(sent),
        "{report}"
    );
    assert_eq!(
        report["latency_ms"]["echo"]["count"].as_u64(),
        Some(sent),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_ends_chat_check_and_load_with_a_clear_message() {
    let nowhere = format!("http://{}", closed_port().await);
    let (status, _, stderr) = run_with_stdin_open(&["chat", "--server", &nowhere]).await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot reach the Parley server at {nowhere}/api/session"
        )),
        "{stderr}"
    );

    let greeting = example("greeting.yaml");
    let (status, stdout, _) = run_to_end(&["check", "--server", &nowhere, &greeting]).await;
    assert_eq!(status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("the guest gave up: cannot reach"),
        "{stdout}"
    );

    let (status, stdout, _) = run_to_end(&[
        "load",
        "--server",
        &nowhere,
        "--guests",
        "2",
        "--duration",
        "1",
        "--ramp",
        "0",
        "--json",
    ])
    .await;
    assert_eq!(status.code(), Some(1), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["guests"]["failed"], 2, "{report}");
    assert_eq!(report["errors"]["grant"], 2, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_websocket_upgrade_ends_chat_with_the_status() {
    let server = start_server().await;
    let (status, _, stderr) = run_with_stdin_open(&[
        "chat",
        "--genesys-url",
        &server.base,
        "--deployment-id",
        "00000000-0000-4000-8000-000000000000",
    ])
    .await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("refused the WebSocket upgrade") && stderr.contains("403"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_reconnects_after_the_server_drops_its_socket_and_carries_on() {
    let server = start_server().await;
    let mut chat = JsonChat::start(&["--server", &server.base]);
    chat.type_line("hello").await;
    chat.wait_for("the greeting", |e| is_message_starting(e, "Hello!"))
        .await;

    let dropped = reqwest::Client::new()
        .post(format!("{}/emulator/faults", server.base))
        .json(&serde_json::json!({"fault": "drop_sockets"}))
        .send()
        .await
        .unwrap();
    assert!(dropped.status().is_success(), "{}", dropped.status());
    chat.wait_for("the reconnect", |e| {
        e["event"] == "connection" && e["state"] == "reconnecting"
    })
    .await;
    chat.wait_for("ready again", |e| {
        e["event"] == "connection" && e["state"] == "ready"
    })
    .await;

    chat.type_line("options").await;
    chat.wait_for("quick replies after the reconnect", |e| {
        e["event"] == "quick_replies"
    })
    .await;
    let (_, status) = chat.end_input().await;
    assert!(status.success(), "exit status {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_with_a_state_file_resumes_its_conversation_in_the_next_run() {
    let server = start_server().await;
    let state = std::env::temp_dir().join(format!("parley-chat-state-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&state);
    let state_arg = state.to_str().unwrap();

    let mut first = JsonChat::start(&["--server", &server.base, "--state", state_arg]);
    first.type_line("hello").await;
    first
        .wait_for("the greeting", |e| is_message_starting(e, "Hello!"))
        .await;
    let (_, status) = first.end_input().await;
    assert!(status.success(), "exit status {status}");
    let kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("a state file")).unwrap();
    assert!(kept["token"].is_string(), "the token is kept: {kept}");
    assert_eq!(
        kept["outbox"],
        serde_json::json!([]),
        "everything was confirmed"
    );

    // Nothing typed: the greeting can only come back from the resumed conversation's history.
    let mut second = JsonChat::start(&["--server", &server.base, "--state", state_arg]);
    second
        .wait_for("the earlier greeting", |e| is_message_starting(e, "Hello!"))
        .await;
    let (_, status) = second.end_input().await;
    assert!(status.success(), "exit status {status}");
    let _ = std::fs::remove_file(&state);
}
