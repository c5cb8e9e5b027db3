//! The browser bundle built by `trunk build` (the `dist/` folder), served at `/`.
//!
//! - Compression: pre-compressed `.br` / `.gz` siblings are used when present, otherwise
//!   responses are compressed on the fly (brotli or gzip, as the browser accepts).
//! - Caching: trunk names built assets `name-<hash>.ext` (the wasm as `name-<hash>_bg.wasm`), so
//!   their content never changes under a name: they are cached for a year as `immutable`.
//!   `index.html` and any unhashed file get `no-cache` (revalidate every time), so a new
//!   deployment is picked up on the next page load.
//! - A missing bundle is a set-up step, not a crash: every bundle request answers 503 with a
//!   text saying to run `trunk build`. The check runs per request, so building while the server
//!   runs works.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// A router serving `dist` for every path it is given (use it as the app's fallback).
pub fn router(dist: PathBuf) -> Router {
    let files = ServeDir::new(&dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(set_cache_control))
        .layer(middleware::from_fn_with_state(
            Arc::new(dist),
            require_bundle,
        ))
        .layer(CompressionLayer::new())
}

async fn require_bundle(
    State(dist): State<Arc<PathBuf>>,
    request: Request,
    next: Next,
) -> Response {
    let built = tokio::fs::try_exists(dist.join("index.html"))
        .await
        .unwrap_or(false);
    if built {
        return next.run(request).await;
    }
    let text = format!(
        "Parley's browser bundle is not built yet: no index.html in '{}'.\n\
         Run `trunk build --release` in the repository root (or point PARLEY_DIST at the \
         folder that holds the bundle), then reload.\n",
        dist.display()
    );
    (StatusCode::SERVICE_UNAVAILABLE, text).into_response()
}

async fn set_cache_control(request: Request, next: Next) -> Response {
    let immutable = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let value = if immutable { IMMUTABLE } else { NO_CACHE };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// Whether the last path segment looks like a trunk-hashed asset: `name-<hex hash>.ext`, with
/// wasm-bindgen's `_bg` suffix allowed after the hash, and a hash of at least 8 hex digits.
pub fn is_hashed_asset(path: &str) -> bool {
    let file = Path::new(path)
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    let Some((stem, _extension)) = file.split_once('.') else {
        return false;
    };
    let Some((_name, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    let hash = hash.strip_suffix("_bg").unwrap_or(hash);
    hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn recognises_trunk_hashed_asset_names() {
        assert!(is_hashed_asset("/parley-frontend-9f3c2b1a0d4e5f67_bg.wasm"));
        assert!(is_hashed_asset("/parley-frontend-9f3c2b1a0d4e5f67.js"));
        assert!(is_hashed_asset("/style-0123abcd.css"));
    }

    #[test]
    fn treats_index_and_unhashed_files_as_mutable() {
        assert!(!is_hashed_asset("/"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/boot.js"));
        assert!(!is_hashed_asset("/parley-frontend.js"));
        assert!(!is_hashed_asset("/my-file.css"));
        assert!(!is_hashed_asset("/name-abc.js"));
    }
}
