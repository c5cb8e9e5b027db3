//! Neither the OAuth client secret nor the access token may ever appear in a response or a
//! log line. This test runs the real server (and a fake Genesys that hands out a known token),
//! hits every kind of route — grant, errors, health, static, missing bundle, upstream failure,
//! an emulator transcript by guest token — and searches everything a client saw and everything
//! logged at TRACE level, through `tracing` and through the `log` crate (reqwest logs there).
//! The guest token must not reach the logs either.
//!
//! It is alone in its test binary (not in `suite/`) on purpose: `tracing` caches per-callsite
//! interest process-wide and `LogTracer` is the process's one `log` logger, so a concurrent test
//! without a subscriber could switch callsites off for this one.

#[path = "suite/common.rs"]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine;
use common::{
    FakeGenesys, QUEUE_ID, TokenAnswer, closed_port, config, post_grant, serve, temp_dir,
};

/// An `io::Write` that appends to a shared buffer, for capturing log output.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const SECRET: &str = "sekret-7f3a9c-never-shown";
const TOKEN: &str = "acc3ss-tok3n-b81d-never-shown";
const GUEST_TOKEN: &str = "9d1c7a52-5e1b-4b7e-9f0a-guest-token";

/// Everything a client could see of a response: status line, headers, body.
async fn everything_of(response: reqwest::Response) -> String {
    let mut seen = format!("{}\n", response.status());
    for (name, value) in response.headers() {
        seen.push_str(&format!(
            "{name}: {}\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    seen.push_str(&response.text().await.unwrap());
    seen
}

#[tokio::test]
async fn neither_the_client_secret_nor_the_access_token_reaches_responses_or_logs() {
    // Current-thread runtime: the thread-local subscriber sees every task (server, fake, reqwest).
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // `log` records go to the current `tracing` subscriber (this thread's, set above).
    tracing_log::LogTracer::init().expect("the only logger of this test binary");
    log::info!("log-crate-probe");

    let fake = FakeGenesys::start().await;
    fake.script([TokenAnswer::Token(TOKEN, 3600)]);
    let dist = temp_dir();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Parley</title>",
    )
    .unwrap();
    let flags = [
        "--dist",
        dist.to_str().unwrap(),
        "--grant-rate-per-minute=3",
        "--allowed-origins=https://shop.example.com",
        "--genesys-client-id=client-x",
        "--genesys-client-secret",
        SECRET,
        "--genesys-queue-id",
        QUEUE_ID,
    ];
    let config = config(&flags);
    let healthy = serve(&config, Some(fake.addr)).await;
    let unreachable = serve(&config, Some(closed_port().await)).await;
    let not_built = serve(
        &common::config(&[&["--dist", "/nonexistent/parley-dist"][..], &flags[2..]].concat()),
        Some(fake.addr),
    )
    .await;

    let client = reqwest::Client::new();
    let mut seen = String::new();
    let grant = post_grant(&client, &healthy.base, "{}").await;
    assert_eq!(
        grant.status(),
        200,
        "the grant needed the token, so it was used"
    );
    seen += &everything_of(grant).await;
    seen += &everything_of(post_grant(&client, &healthy.base, "{oops").await).await;
    seen += &everything_of(
        client
            .post(format!("{}/api/session", healthy.base))
            .header("content-type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    seen += &everything_of(
        client
            .post(format!("{}/api/session", healthy.base))
            .header("content-type", "application/json")
            .header("origin", "https://evil.example")
            .body("{}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    for _ in 0..3 {
        seen += &everything_of(post_grant(&client, &healthy.base, "{}").await).await;
    }
    assert!(seen.contains("429"), "the rate limit was exercised");
    for path in ["/healthz", "/", "/index.html", "/missing.js"] {
        let response = client
            .get(format!("{}{path}", healthy.base))
            .send()
            .await
            .unwrap();
        seen += &everything_of(response).await;
    }
    let transcript = client
        .get(format!(
            "{}/emulator/sessions/{GUEST_TOKEN}/transcript",
            healthy.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        transcript.status(),
        404,
        "no such session, but the path was logged"
    );
    let failed = post_grant(&client, &unreachable.base, "{}").await;
    assert_eq!(failed.status(), 200, "issued without availability");
    seen += &everything_of(failed).await;
    let missing = client
        .get(format!("{}/", not_built.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 503);
    seen += &everything_of(missing).await;
    drop((healthy, unreachable, not_built));

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("/api/session"), "logs were captured:\n{logs}");
    assert!(
        logs.contains("log-crate-probe"),
        "`log` records were captured:\n{logs}"
    );
    assert!(
        logs.contains("/emulator/sessions/[redacted]/transcript"),
        "the transcript request was logged, redacted:\n{logs}"
    );
    assert!(
        !logs.contains(GUEST_TOKEN),
        "the guest token in the logs:\n{logs}"
    );
    assert!(
        logs.contains("Genesys unavailable") && logs.contains("Connection refused"),
        "the upstream failure was logged:\n{logs}"
    );
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("client-x:{SECRET}"));
    for needle in [SECRET, TOKEN, basic.as_str()] {
        assert!(!seen.contains(needle), "{needle} in a response:\n{seen}");
        assert!(!logs.contains(needle), "{needle} in the logs:\n{logs}");
    }
    assert_eq!(fake.token_requests(), 1);
    std::fs::remove_dir_all(dist).unwrap();
}
