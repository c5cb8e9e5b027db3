//! The browser bundle built by `trunk build` (the `dist/` folder), served at `/`.
//!
//! - What is there: `parley.js` (the loader a host page includes), the hashed window bundle it
//!   fetches on intent (JS glue, `.wasm`, stylesheet), `embed.html` (the iframe mode's page,
//!   served at `/embed`) and the demo host page `index.html`.
//! - Compression: the build writes brotli-11 `.br` and gzip-9 `.gz` siblings
//!   (loader/finish-bundle.mjs), sent as they are; anything without them is compressed on the
//!   fly. Every response says `Vary: Accept-Encoding`.
//! - Caching: trunk names built assets `name-<hash>.ext` (the wasm as `name-<hash>_bg.wasm`), so
//!   their content never changes under a name: they are cached for a year as `immutable`.
//!   The loader keeps one stable URL and is cached briefly (a minute) and then revalidated
//!   (`Last-Modified`), so a new build reaches host pages within a minute. `index.html` and any
//!   other unhashed file get `no-cache` (revalidate every time).
//! - Cross-origin: host pages on allowed origins `import()` the glue and `fetch` the wasm and
//!   stylesheet from here, so bundle responses carry `Access-Control-Allow-Origin` for those
//!   origins (and `Vary: Origin`).
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
use tower_http::cors::CorsLayer;
use tower_http::services::{ServeDir, ServeFile};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const LOADER: &str = "public, max-age=60";
const NO_CACHE: &str = "no-cache";
/// The loader's stable path; host pages include `<script src="{server}/parley.js">`.
pub const LOADER_PATH: &str = "/parley.js";
/// The page the iframe mode frames (a file the build writes as `embed.html`).
pub const EMBED_PATH: &str = "/embed";

/// A router serving `dist` for every path it is given (use it as the app's fallback); `cors`
/// lets the allowed host origins fetch the bundle.
pub fn router(dist: PathBuf, cors: CorsLayer) -> Router {
    let files = ServeDir::new(&dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true);
    let embed = ServeFile::new(dist.join("embed.html"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .route_service(EMBED_PATH, embed)
        .fallback_service(files)
        .layer(middleware::from_fn(set_cache_control))
        .layer(cors)
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
    let value = cache_control(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    let headers = response.headers_mut();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    // Precompressed siblings are chosen by Accept-Encoding: caches must key on it.
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// How long a browser may keep the file at `path` without asking again.
pub fn cache_control(path: &str) -> &'static str {
    if is_hashed_asset(path) {
        IMMUTABLE
    } else if path == LOADER_PATH {
        LOADER
    } else {
        NO_CACHE
    }
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
    use super::{cache_control, is_hashed_asset};

    #[test]
    fn the_loader_is_cached_briefly_hashed_files_for_ever_pages_not_at_all() {
        assert_eq!(cache_control("/parley.js"), "public, max-age=60");
        assert_eq!(
            cache_control("/parley-frontend-9f3c2b1a0d4e5f67_bg.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("/embed"), "no-cache");
        assert_eq!(cache_control("/"), "no-cache");
    }

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
        assert!(!is_hashed_asset("/parley.js"));
        assert!(!is_hashed_asset("/parley-frontend.js"));
        assert!(!is_hashed_asset("/my-file.css"));
        assert!(!is_hashed_asset("/name-abc.js"));
    }
}
