//! Who may call what.
//!
//! **Control endpoints** (`/emulator/faults`, transcripts, stats) answer processes on this
//! machine only ([`ControlAccess`]). The TCP peer alone is not enough: behind a reverse proxy on
//! the same host every request comes from loopback, and a DNS-rebinding page can reach
//! `127.0.0.1` from a browser. So a control request must
//! - come from a loopback peer (axum's `ConnectInfo`; without it every call is refused),
//! - carry no proxy header (`X-Forwarded-For`, `Forwarded`, `X-Real-IP`): it passed a proxy,
//! - name a loopback `Host` (`localhost`, `127.0.0.1`, `[::1]`, any port): a rebound name is not,
//! - and the endpoints must be on ([`EmulatorConfig::control_endpoints`]); when they are off
//!   they answer 404 as if they did not exist.
//!
//! **Browser origins** ([`OriginCheck`]): guest sockets, history and uploads refuse a request
//! whose `Origin` is not allowed, as Genesys restricts a deployment to its domains. A socket
//! upgrade must carry an `Origin` (browsers always send one); history and uploads may come
//! without (a same-origin `GET` carries none; they are guarded by their bearer secrets).
//!
//! Also here: the public base URL used in the URLs the emulator hands out (presigned upload,
//! download, `config.json` endpoints).

use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Emulator;
use super::config::EmulatorConfig;

/// Extractor that succeeds only for control requests made on this machine (see the module
/// docs); others get 403 JSON, or 404 when the endpoints are off.
#[derive(Debug, Clone, Copy)]
pub struct ControlAccess;

/// Headers a reverse proxy adds: their presence means the caller is not on this machine.
const PROXY_HEADERS: [&str; 3] = ["x-forwarded-for", "forwarded", "x-real-ip"];

impl FromRequestParts<Emulator> for ControlAccess {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        emulator: &Emulator,
    ) -> Result<Self, Self::Rejection> {
        if !emulator.config().control_endpoints {
            return Err(StatusCode::NOT_FOUND.into_response());
        }
        let loopback_peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|ConnectInfo(addr)| addr.ip().is_loopback());
        let proxied = PROXY_HEADERS
            .iter()
            .any(|name| parts.headers.contains_key(*name));
        let loopback_host = parts
            .headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .is_some_and(is_loopback_host);
        if loopback_peer && !proxied && loopback_host {
            Ok(Self)
        } else {
            Err(forbidden(
                "emulator control endpoints answer direct loopback callers only",
            ))
        }
    }
}

/// `localhost`, `127.0.0.1`, `[::1]`, each with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _port)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks a request's `Origin` against [`EmulatorConfig::allowed_origins`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginCheck {
    /// A request without `Origin` is refused (WebSocket upgrades: browsers always send one).
    Required,
    /// A request without `Origin` is let through (same-origin `GET`s carry none).
    IfPresent,
}

impl OriginCheck {
    /// `Err` (answered 403) when the request's origin is not allowed.
    pub fn verify(self, config: &EmulatorConfig, headers: &HeaderMap) -> Result<(), OriginRefused> {
        let Some(allowed) = &config.allowed_origins else {
            return Ok(());
        };
        match headers.get(header::ORIGIN) {
            None if self == OriginCheck::IfPresent => Ok(()),
            None => Err(OriginRefused("an Origin header is required")),
            Some(origin) => {
                let known = origin
                    .to_str()
                    .is_ok_and(|origin| allowed.iter().any(|allowed| allowed == origin));
                if known {
                    Ok(())
                } else {
                    Err(OriginRefused("origin not allowed for this deployment"))
                }
            }
        }
    }
}

/// Why [`OriginCheck::verify`] refused a request; answers 403 with that reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OriginRefused(&'static str);

impl IntoResponse for OriginRefused {
    fn into_response(self) -> Response {
        forbidden(self.0)
    }
}

fn forbidden(message: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({
            "error": "forbidden",
            "message": message,
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
    fn loopback_hosts_are_recognised_with_or_without_a_port() {
        for host in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1",
            "127.0.0.1:9",
            "[::1]",
            "[::1]:8080",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "chat.example.com",
            "10.0.0.1:80",
            "evil.localhost.example",
            "",
            "[::2]",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn origins_are_checked_only_when_configured() {
        let mut headers = HeaderMap::new();
        let open = EmulatorConfig::default();
        assert!(OriginCheck::Required.verify(&open, &headers).is_ok());
        let locked = EmulatorConfig {
            allowed_origins: Some(vec!["https://shop.example".into()]),
            ..EmulatorConfig::default()
        };
        assert!(OriginCheck::Required.verify(&locked, &headers).is_err());
        assert!(OriginCheck::IfPresent.verify(&locked, &headers).is_ok());
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(OriginCheck::IfPresent.verify(&locked, &headers).is_err());
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://shop.example"),
        );
        assert!(OriginCheck::Required.verify(&locked, &headers).is_ok());
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
