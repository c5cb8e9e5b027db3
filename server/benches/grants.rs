//! Session-grant throughput and latency: starts the real app (emulator backend, rate limit on but never reached)
//! on an ephemeral port and hammers `POST /api/session` with K concurrent HTTP/1.1 clients for a
//! fixed number of grants, then prints grants/s and p50/p99/max latency. It runs twice: plain
//! grants, and grants that include availability (OAuth token and estimated wait served from the
//! caches after the first request, against the embedded emulator).
//!
//! Run: `cargo bench -p parley-server --bench grants -- --clients 32 --grants 20000`
//! The load generator shares the machine (and tokio runtime) with the server, so the figures
//! are a floor for the server alone.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use clap::Parser;
use parley_server::config::{Args, Config};
use parley_server::{AppState, app};

struct Options {
    clients: usize,
    grants: usize,
}

fn options() -> Options {
    let mut options = Options {
        clients: 32,
        grants: 20_000,
    };
    let args: Vec<String> = std::env::args().collect();
    for pair in args.windows(2) {
        match pair[0].as_str() {
            "--clients" => options.clients = pair[1].parse().expect("--clients N"),
            "--grants" => options.grants = pair[1].parse().expect("--grants N"),
            _ => {}
        }
    }
    options.clients = options.clients.clamp(1, options.grants.max(1));
    options
}

fn config(flags: &[&str]) -> Config {
    let args = Args::try_parse_from(std::iter::once("parley-server").chain(flags.iter().copied()))
        .expect("flags parse");
    Config::from_args(args).expect("config validates")
}

async fn start(config: &Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let local_addr = listener.local_addr().unwrap();
    let service =
        app(AppState::new(config, local_addr)).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    format!("http://{local_addr}/api/session")
}

async fn run(name: &str, url: String, options: &Options) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.clients)
        .build()
        .unwrap();
    // Warm-up: connections, caches (OAuth token, estimated wait).
    for _ in 0..options.clients.min(64) {
        let response = client
            .post(&url)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "warm-up grant failed: {}",
            response.status()
        );
    }
    let per_client = options.grants / options.clients;
    let started = Instant::now();
    let workers: Vec<_> = (0..options.clients)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_client);
                for _ in 0..per_client {
                    let sent = Instant::now();
                    let response = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body("{}")
                        .send()
                        .await
                        .unwrap();
                    assert!(response.status().is_success(), "{}", response.status());
                    response.bytes().await.unwrap();
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::with_capacity(per_client * options.clients);
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "{name:<28} {:>7} grants  {:>3} clients  {:>9.0} grants/s  p50 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms",
        latencies.len(),
        options.clients,
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(0.50).as_secs_f64() * 1000.0,
        percentile(0.99).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0,
    );
}

#[tokio::main]
async fn main() {
    let options = options();
    // The limiter stays on (every client is 127.0.0.1) with a rate it never reaches.
    let plain = config(&["--grant-rate-per-minute=1000000000"]);
    run("grant", start(&plain).await, &options).await;
    let with_availability = config(&[
        "--grant-rate-per-minute=1000000000",
        "--genesys-client-id=bench-client",
        "--genesys-client-secret=bench-secret",
        "--genesys-queue-id=11111111-2222-4333-8444-555555555555",
    ]);
    run(
        "grant + availability (cached)",
        start(&with_availability).await,
        &options,
    )
    .await;
}
