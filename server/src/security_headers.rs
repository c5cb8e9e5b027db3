//! Security headers on every response of the server (bundle, API and emulator alike).
//!
//! The Content-Security-Policy matches how the bundle is built: scripts only from this server
//! plus `wasm-unsafe-eval` (needed to instantiate WebAssembly, nothing more), no inline script or
//! style, images also from `data:`/`blob:` (attachment previews) and https (agent-sent images),
//! and connections to any ws/wss/https host because the guest socket and history API live on
//! Genesys' regional hosts, not here.
//!
//! `frame-ancestors` lists `'self'` and the allowed origins: the sites allowed to ask for grants
//! are exactly the sites allowed to embed Parley's page in a frame; any other site trying to
//! frame it (clickjacking) is refused by the browser.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::origins::AllowedOrigins;

/// The policy for `origins`, as sent in `Content-Security-Policy`.
pub fn content_security_policy(origins: &AllowedOrigins) -> String {
    let mut ancestors = String::from("'self'");
    for origin in origins.as_slice() {
        ancestors.push(' ');
        ancestors.push_str(origin);
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob: https:; connect-src 'self' ws: wss: https:; \
         object-src 'none'; frame-ancestors {ancestors}"
    )
}

/// Adds CSP, `X-Content-Type-Options` and `Referrer-Policy` to every response of `router`,
/// unless a handler set its own.
pub fn apply<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    origins: &AllowedOrigins,
) -> Router<S> {
    let csp = HeaderValue::from_str(&content_security_policy(origins))
        .expect("normalised origins are valid header text");
    router
        .layer(if_not_present(header::CONTENT_SECURITY_POLICY, csp))
        .layer(if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
}

fn if_not_present(name: HeaderName, value: HeaderValue) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ancestors_lists_self_and_the_allowed_origins() {
        let origins = AllowedOrigins::parse_list("https://shop.example.com").unwrap();
        let csp = content_security_policy(&origins);
        assert!(csp.ends_with("frame-ancestors 'self' https://shop.example.com"));
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"));
    }
}
