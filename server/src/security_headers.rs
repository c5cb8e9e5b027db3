//! Security headers on every response of the server (bundle, API and emulator alike).
//!
//! The Content-Security-Policy matches how the bundle is built: scripts only from this server
//! plus `wasm-unsafe-eval` (needed to instantiate WebAssembly, nothing more), no inline script or
//! style, no `<base>` and forms posting only here. Connections and images are allowed to this
//! server and to the *backend's* hosts only ([`Backend`]): with Genesys, the configured
//! region's hosts (`https://*.<domain>` and `wss://*.<domain>`: socket, history API, attachment
//! URLs); with the emulator, this server's own origins (its socket is `ws(s)://` here). Images
//! also come from `data:`/`blob:` (attachment previews).
//!
//! `Strict-Transport-Security` is sent when the server is reached over https (its public URL),
//! so browsers never fall back to plain http for it.
//!
//! `frame-ancestors` lists `'self'` and the allowed origins: the sites allowed to ask for grants
//! are exactly the sites allowed to embed Parley's page in a frame; any other site trying to
//! frame it (clickjacking) is refused by the browser.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::origins::AllowedOrigins;

/// Where the chat window connects to and loads images from, besides this server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A Genesys region: every host under its domain, e.g. `mypurecloud.de`.
    Region(String),
    /// Fixed origins (`http(s)://host[:port]`) and their ws(s) forms: the emulator on this
    /// server under each name it is reached by.
    Origins(Vec<String>),
}

impl Backend {
    /// The CSP sources of this backend.
    fn sources(&self) -> Vec<String> {
        match self {
            Backend::Region(domain) => {
                vec![format!("https://*.{domain}"), format!("wss://*.{domain}")]
            }
            Backend::Origins(origins) => origins
                .iter()
                .flat_map(|origin| {
                    let socket = origin
                        .strip_prefix("https://")
                        .map(|rest| format!("wss://{rest}"))
                        .or_else(|| {
                            origin
                                .strip_prefix("http://")
                                .map(|rest| format!("ws://{rest}"))
                        });
                    std::iter::once(origin.clone()).chain(socket)
                })
                .collect(),
        }
    }
}

/// The policy for `origins` (who may frame the page) and `backend`, as sent in
/// `Content-Security-Policy`.
pub fn content_security_policy(origins: &AllowedOrigins, backend: &Backend) -> String {
    let mut ancestors = String::from("'self'");
    for origin in origins.as_slice() {
        ancestors.push(' ');
        ancestors.push_str(origin);
    }
    let connect = backend.sources();
    let images: Vec<&str> = connect
        .iter()
        .map(String::as_str)
        .filter(|source| source.starts_with("http"))
        .collect();
    let (connect, images) = (connect.join(" "), images.join(" "));
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob: {images}; connect-src 'self' {connect}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )
}

/// Adds CSP, `X-Content-Type-Options`, `Referrer-Policy` and (with `https`) HSTS to every
/// response of `router`, unless a handler set its own.
pub fn apply<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    origins: &AllowedOrigins,
    backend: &Backend,
    https: bool,
) -> Router<S> {
    let csp = HeaderValue::from_str(&content_security_policy(origins, backend))
        .expect("normalised origins and domains are valid header text");
    let router = if https {
        router.layer(if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    };
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
        let backend = Backend::Region("mypurecloud.de".into());
        let csp = content_security_policy(&origins, &backend);
        assert!(csp.ends_with("frame-ancestors 'self' https://shop.example.com"));
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(csp.contains("base-uri 'none'; form-action 'self';"));
    }

    #[test]
    fn connections_and_images_go_to_the_region_only() {
        let origins = AllowedOrigins::default();
        let backend = Backend::Region("mypurecloud.de".into());
        let csp = content_security_policy(&origins, &backend);
        assert!(
            csp.contains("connect-src 'self' https://*.mypurecloud.de wss://*.mypurecloud.de;"),
            "{csp}"
        );
        assert!(
            csp.contains("img-src 'self' data: blob: https://*.mypurecloud.de;"),
            "{csp}"
        );
        assert!(!csp.contains(" https:;") && !csp.contains(" wss:;") && !csp.contains(" ws: "));
    }

    #[test]
    fn the_emulator_backend_is_this_servers_own_origins() {
        let backend = Backend::Origins(vec![
            "https://chat.example.com".into(),
            "http://127.0.0.1:8080".into(),
        ]);
        let csp = content_security_policy(&AllowedOrigins::default(), &backend);
        assert!(
            csp.contains(
                "connect-src 'self' https://chat.example.com wss://chat.example.com \
                 http://127.0.0.1:8080 ws://127.0.0.1:8080;"
            ),
            "{csp}"
        );
    }
}
