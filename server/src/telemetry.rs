//! Logging: one `tracing` subscriber for the process and one span per HTTP request.
//!
//! The request span records method, path (never the query string; a path segment that is a
//! guest token is replaced by `[redacted]`, see [`loggable_path`]), status and latency; headers
//! and bodies are never logged, so neither the OAuth secret nor any token can reach a log line
//! through here. Records of crates that use the `log` crate (reqwest) are forwarded to the same
//! subscriber. The level comes from `RUST_LOG` (default `info`).

use std::borrow::Cow;
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

/// `path` with the guest token of `/emulator/sessions/{token}/…` replaced by `[redacted]`: the
/// token is the guest's identity (whoever has it can resume the conversation).
pub fn loggable_path(path: &str) -> Cow<'_, str> {
    let mut segments = path.split('/');
    let mut redacted = Vec::new();
    let mut changed = false;
    while let Some(segment) = segments.next() {
        redacted.push(segment);
        if segment == "sessions"
            && redacted.len() == 3
            && redacted[1] == "emulator"
            && segments.next().is_some()
        {
            redacted.push("[redacted]");
            changed = true;
        }
    }
    if changed {
        Cow::Owned(redacted.join("/"))
    } else {
        Cow::Borrowed(path)
    }
}

fn request_span(request: &Request<Body>) -> Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %loggable_path(request.uri().path()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_tokens_in_paths_are_redacted() {
        assert_eq!(
            loggable_path("/emulator/sessions/0b0c4f9e-guest-token/transcript"),
            "/emulator/sessions/[redacted]/transcript"
        );
        assert_eq!(loggable_path("/emulator/stats"), "/emulator/stats");
        assert_eq!(loggable_path("/api/session"), "/api/session");
        assert_eq!(loggable_path("/other/sessions/x"), "/other/sessions/x");
    }
}
