//! Which client a request comes from, for the grant rate limit.
//!
//! The peer address comes from axum's `ConnectInfo<SocketAddr>` (the server is started with
//! `into_make_service_with_connect_info`). Behind a reverse proxy every peer is the proxy, so
//! with `PARLEY_TRUST_FORWARDED_FOR=true` the client is the last `X-Forwarded-For` entry, the one
//! the trusted proxy appended; earlier entries are client-controlled and ignored. Proxies write
//! entries as `ip`, `ip:port`, `[ipv6]` or `[ipv6]:port`; all four are read. Requests with
//! neither (e.g. in-process tests) share the unspecified address.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::state::AppState;

/// The client's IP address as far as the rate limiter is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.trust_forwarded_for
            && let Some(ip) = last_forwarded_for(parts)
        {
            return Ok(ClientIp(ip));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientIp(peer))
    }
}

fn last_forwarded_for(parts: &Parts) -> Option<IpAddr> {
    parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .last()
        .and_then(parse_forwarded_entry)
}

/// One `X-Forwarded-For` entry: `1.2.3.4`, `1.2.3.4:567`, `::1`, `[::1]` or `[::1]:80`.
fn parse_forwarded_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = entry.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_entries_with_ports_and_brackets_parse() {
        let v4: IpAddr = "1.2.3.4".parse().unwrap();
        let v6: IpAddr = "::1".parse().unwrap();
        assert_eq!(parse_forwarded_entry(" 1.2.3.4 "), Some(v4));
        assert_eq!(parse_forwarded_entry("1.2.3.4:567"), Some(v4));
        assert_eq!(parse_forwarded_entry("::1"), Some(v6));
        assert_eq!(parse_forwarded_entry("[::1]"), Some(v6));
        assert_eq!(parse_forwarded_entry("[::1]:80"), Some(v6));
        assert_eq!(parse_forwarded_entry("unknown"), None);
        assert_eq!(parse_forwarded_entry("1.2.3.4:port"), None);
    }
}
