//! Logging: one `tracing` subscriber for the process and one span per HTTP request.
//!
//! The request span records method, path (never the query string), status and latency; headers
//! and bodies are never logged, so neither the OAuth secret nor any token can reach a log line
//! through here. The level comes from `RUST_LOG` (default `info`).

use std::io::IsTerminal;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::{Span, field};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber (human-readable, to stderr).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}

type MakeSpan = fn(&Request<Body>) -> Span;
type OnResponse = fn(&Response<Body>, Duration, &Span);

/// The per-request span layer: one `response` event per request (at `warn` for 5xx), nothing
/// else (tower-http's own failure event would repeat it).
pub fn trace_layer()
-> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, MakeSpan, (), OnResponse, (), (), ()> {
    TraceLayer::new_for_http()
        .make_span_with(request_span as MakeSpan)
        .on_request(())
        .on_response(log_response as OnResponse)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

fn request_span(request: &Request<Body>) -> Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        status = field::Empty,
        latency_ms = field::Empty,
    )
}

fn log_response(response: &Response<Body>, latency: Duration, span: &Span) {
    let status = response.status();
    span.record("status", status.as_u16());
    span.record(
        "latency_ms",
        field::display(format_args!("{:.2}", latency.as_secs_f64() * 1000.0)),
    );
    if status.is_server_error() {
        tracing::warn!("response");
    } else {
        tracing::info!("response");
    }
}
