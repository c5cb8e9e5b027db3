//! The browser origins Parley trusts: the sites allowed to ask for session grants (CORS and the
//! grant route's `Origin` check) and to embed Parley's page in a frame (CSP `frame-ancestors`).
//!
//! Origins are kept in the exact form browsers send in the `Origin` header (`scheme://host` or
//! `scheme://host:port`, lower-case host, default port omitted), so matching is a string compare.

use std::net::SocketAddr;

use axum::http::{HeaderValue, Method, Uri, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// A validated, normalised allowlist of origins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedOrigins(Vec<String>);

impl AllowedOrigins {
    /// Parses a comma-separated list (`PARLEY_ALLOWED_ORIGINS`). Each entry must be an `http` or
    /// `https` origin without path, query or wildcard.
    pub fn parse_list(list: &str) -> Result<Self, String> {
        let mut origins = Self::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            origins.push(normalise(entry)?);
        }
        if origins.0.is_empty() {
            return Err("expected at least one origin such as https://www.example.com".into());
        }
        Ok(origins)
    }

    /// The origins under which this server itself is reached: its public URL when configured,
    /// else its bound address (and `localhost` for a loopback or wildcard bind).
    pub fn own(local_addr: SocketAddr, public_url: Option<&str>) -> Self {
        let mut origins = Self::default();
        if let Some(url) = public_url
            && let Ok(origin) = normalise(url.trim_end_matches('/'))
        {
            origins.push(origin);
        }
        let port = local_addr.port();
        let ip = local_addr.ip();
        if ip.is_loopback() || ip.is_unspecified() {
            origins.push(format!("http://127.0.0.1:{port}"));
            origins.push(format!("http://localhost:{port}"));
        } else {
            origins.push(format!("http://{local_addr}"));
        }
        origins
    }

    /// Adds `other`'s origins that are not already present.
    pub fn extend(&mut self, other: &AllowedOrigins) {
        for origin in &other.0 {
            self.push(origin.clone());
        }
    }

    fn push(&mut self, origin: String) {
        if !self.0.contains(&origin) {
            self.0.push(origin);
        }
    }

    /// Whether a request's `Origin` header value is allowed.
    pub fn allows(&self, origin: &HeaderValue) -> bool {
        origin
            .to_str()
            .is_ok_and(|origin| self.0.iter().any(|allowed| allowed == origin))
    }

    /// The origins, normalised.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// CORS for Parley's own API: only these origins, only the methods and header the browser
    /// client uses, no credentials (grants need no cookies).
    pub fn cors_layer(&self) -> CorsLayer {
        CorsLayer::new()
            .allow_origin(self.allow_origin())
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE])
    }

    /// CORS for the browser bundle: a host page on these origins `import()`s the JS glue and
    /// fetches the wasm and stylesheet (module scripts and `fetch` are CORS requests).
    pub fn bundle_cors_layer(&self) -> CorsLayer {
        CorsLayer::new()
            .allow_origin(self.allow_origin())
            .allow_methods([Method::GET, Method::HEAD])
    }

    /// CORS for the emulated guest REST API (history with a bearer JWT, attachment uploads and
    /// downloads), which real Genesys allows from the deployment's domains.
    pub fn guest_api_cors_layer(&self) -> CorsLayer {
        CorsLayer::new()
            .allow_origin(self.allow_origin())
            .allow_methods([Method::GET, Method::PUT])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
    }

    fn allow_origin(&self) -> AllowOrigin {
        let origins: Vec<HeaderValue> = self
            .0
            .iter()
            .filter_map(|origin| HeaderValue::from_str(origin).ok())
            .collect();
        AllowOrigin::list(origins)
    }
}

/// `https://Example.COM:443/` → `https://example.com`; errors name what is wrong.
fn normalise(entry: &str) -> Result<String, String> {
    let uri: Uri = entry
        .parse()
        .map_err(|_| format!("'{entry}' is not an origin such as https://www.example.com"))?;
    let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(format!("'{entry}' must start with http:// or https://"));
    }
    let host = uri
        .host()
        .filter(|host| !host.is_empty() && !host.contains('*'))
        .ok_or_else(|| format!("'{entry}' has no host (wildcards are not allowed)"))?;
    if uri.path_and_query().is_some_and(|pq| pq.as_str() != "/") || entry.ends_with('/') {
        return Err(format!(
            "'{entry}' must be an origin without a path or trailing slash"
        ));
    }
    let host = host.to_ascii_lowercase();
    let default_port = if scheme == "https" { 443 } else { 80 };
    Ok(match uri.port_u16() {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises_a_comma_list() {
        let origins =
            AllowedOrigins::parse_list(" https://Shop.Example.com:443 , http://localhost:3000")
                .unwrap();
        assert_eq!(
            origins.as_slice(),
            ["https://shop.example.com", "http://localhost:3000"]
        );
    }

    #[test]
    fn rejects_paths_wildcards_other_schemes_and_empty_lists() {
        for bad in [
            "https://example.com/chat",
            "https://example.com/",
            "*",
            "https://*.example.com",
            "ftp://example.com",
            "example.com",
            " , ",
        ] {
            assert!(AllowedOrigins::parse_list(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn own_origins_of_a_loopback_bind_include_localhost() {
        let origins = AllowedOrigins::own("127.0.0.1:8080".parse().unwrap(), None);
        assert!(origins.allows(&HeaderValue::from_static("http://127.0.0.1:8080")));
        assert!(origins.allows(&HeaderValue::from_static("http://localhost:8080")));
        assert!(!origins.allows(&HeaderValue::from_static("http://localhost:8081")));
    }

    #[test]
    fn own_origins_include_the_public_url() {
        let origins = AllowedOrigins::own(
            "0.0.0.0:8080".parse().unwrap(),
            Some("https://chat.example.com/"),
        );
        assert!(origins.allows(&HeaderValue::from_static("https://chat.example.com")));
    }
}
