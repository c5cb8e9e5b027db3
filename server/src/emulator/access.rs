//! Who may call the emulator's control endpoints (`/emulator/faults`, transcripts, stats): only
//! processes on this machine. The peer address comes from axum's `ConnectInfo`, which the server
//! must enable with `into_make_service_with_connect_info::<SocketAddr>()`; without it every call
//! is refused (fail closed), never silently allowed.
//!
//! Also here: the public base URL used in the URLs the emulator hands out (presigned upload,
//! download, `config.json` endpoints).

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::config::EmulatorConfig;

/// Extractor that succeeds only for loopback peers; others get 403 JSON.
#[derive(Debug, Clone, Copy)]
pub struct LoopbackOnly;

impl<S: Send + Sync> FromRequestParts<S> for LoopbackOnly {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        match peer {
            Some(ConnectInfo(addr)) if addr.ip().is_loopback() => Ok(Self),
            _ => Err(forbidden()),
        }
    }
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({
            "error": "forbidden",
            "message": "emulator control endpoints answer loopback callers only",
        })),
    )
        .into_response()
}

/// The `http(s)://host[:port]` clients should use to reach this server: the configured
/// public base URL, else the request's `Host` header (only if it looks like a host name), else
/// the default development address.
pub fn public_base_url(config: &EmulatorConfig, headers: &HeaderMap) -> String {
    if let Some(base) = &config.public_base_url {
        return base.trim_end_matches('/').to_owned();
    }
    headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| is_plain_host(host))
        .map(|host| format!("http://{host}"))
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned())
}

/// The WebSocket form of an `http(s)://` base URL.
pub fn websocket_base_url(http_base: &str) -> String {
    if let Some(rest) = http_base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = http_base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        http_base.to_owned()
    }
}

/// Host header values we are willing to echo into URLs: names, IPv4/IPv6 literals and a port.
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn base_url_prefers_configuration_then_host_header() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:4000"));
        let config = EmulatorConfig::default();
        assert_eq!(public_base_url(&config, &headers), "http://127.0.0.1:4000");
        let config = EmulatorConfig {
            public_base_url: Some("https://chat.example/".into()),
            ..EmulatorConfig::default()
        };
        assert_eq!(public_base_url(&config, &headers), "https://chat.example");
        assert_eq!(
            websocket_base_url("https://chat.example"),
            "wss://chat.example"
        );
    }

    #[test]
    fn odd_host_headers_are_not_echoed_into_urls() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::HOST,
            HeaderValue::from_static("evil.example/<script>"),
        );
        let base = public_base_url(&EmulatorConfig::default(), &headers);
        assert_eq!(base, "http://127.0.0.1:8080");
    }
}
