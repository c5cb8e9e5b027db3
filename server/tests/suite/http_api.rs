//! Parley's HTTP surface driven in-process with `oneshot` (no port): session grants and their
//! errors, CORS, health, and the static bundle's headers.

use std::net::SocketAddr;

use crate::common::{QUEUE_ID, closed_port, config, grant_request, json, send, temp_dir, test_app};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};

const BOUND: &str = "127.0.0.1:8080";

fn default_app() -> axum::Router {
    test_app(&config(&[]), BOUND.parse().unwrap())
}

#[tokio::test]
async fn grant_points_at_this_server_in_emulator_mode() {
    let config = config(&[]);
    let app = test_app(&config, BOUND.parse().unwrap());
    let (status, headers, body) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    assert_eq!(status, 200);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let grant = json(&body);
    let token = grant["token"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(token).unwrap().get_version_num(), 4);
    assert_eq!(
        grant["websocketUrl"],
        format!(
            "ws://127.0.0.1:8080/v1?deploymentId={}",
            config.deployment_id
        )
    );
    assert_eq!(grant["apiBaseUrl"], "http://127.0.0.1:8080");
    assert_eq!(grant["deploymentId"], config.deployment_id.as_str());
    assert_eq!(grant["features"]["maxMessageLength"], 4000);
    assert!(grant.get("availability").is_none());
}

#[tokio::test]
async fn each_grant_gets_a_fresh_token() {
    let app = default_app();
    let (_, _, first) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    let (_, _, second) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    assert_ne!(json(&first)["token"], json(&second)["token"]);
}

#[tokio::test]
async fn grant_uses_region_endpoints_in_genesys_mode() {
    let deployment = "3f2c1a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6";
    let config = config(&[
        "--backend=genesys",
        "--genesys-region=eu-central-1",
        "--genesys-deployment-id",
        deployment,
    ]);
    let app = test_app(&config, BOUND.parse().unwrap());
    let (status, _, body) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    assert_eq!(status, 200);
    let grant = json(&body);
    assert_eq!(
        grant["websocketUrl"],
        format!("wss://webmessaging.mypurecloud.de/v1?deploymentId={deployment}")
    );
    assert_eq!(grant["apiBaseUrl"], "https://api.mypurecloud.de");
}

#[tokio::test]
async fn resume_returns_a_well_formed_token_unchanged() {
    let app = default_app();
    let body = r#"{"resume":"b1946ac9-2f1e-4f45-9bc2-5d3f1c2a0e11"}"#;
    let (status, _, body) = send(&app, grant_request(body, [10, 0, 0, 1])).await;
    assert_eq!(status, 200);
    assert_eq!(json(&body)["token"], "b1946ac9-2f1e-4f45-9bc2-5d3f1c2a0e11");
}

#[tokio::test]
async fn resume_with_an_unsafe_or_oversized_token_gets_a_fresh_one() {
    let app = default_app();
    let oversized = "a".repeat(2049);
    for bad in [
        "",
        "<script>alert(1)</script>",
        "two words",
        oversized.as_str(),
    ] {
        let body = serde_json::json!({ "resume": bad }).to_string();
        let (status, _, body) = send(&app, grant_request(&body, [10, 0, 0, 1])).await;
        assert_eq!(status, 200);
        let token = json(&body)["token"].as_str().unwrap().to_owned();
        assert_ne!(token, bad);
        assert!(uuid::Uuid::parse_str(&token).is_ok());
    }
}

#[tokio::test]
async fn malformed_json_is_a_400_with_a_json_error() {
    let app = default_app();
    for body in ["{not json", r#"{"resume": 5}"#, r#""a string""#, ""] {
        let (status, headers, body) = send(&app, grant_request(body, [10, 0, 0, 1])).await;
        assert_eq!(status, 400);
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(json(&body)["error"], "bad_request");
    }
}

#[tokio::test]
async fn a_non_json_content_type_is_a_415() {
    let app = default_app();
    let mut request = grant_request("{}", [10, 0, 0, 1]);
    request
        .headers_mut()
        .insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
    let (status, _, body) = send(&app, request).await;
    assert_eq!(status, 415);
    assert_eq!(json(&body)["error"], "unsupported_media_type");
}

#[tokio::test]
async fn a_foreign_origin_is_refused_with_403() {
    let app = test_app(
        &config(&["--allowed-origins=https://shop.example.com"]),
        BOUND.parse().unwrap(),
    );
    let mut request = grant_request("{}", [10, 0, 0, 1]);
    request
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    let (status, _, body) = send(&app, request).await;
    assert_eq!(status, 403);
    assert_eq!(json(&body)["error"], "origin_not_allowed");
}

#[tokio::test]
async fn an_allowed_origin_gets_a_grant_with_cors_headers() {
    let app = test_app(
        &config(&["--allowed-origins=https://shop.example.com"]),
        BOUND.parse().unwrap(),
    );
    for origin in ["https://shop.example.com", "http://localhost:8080"] {
        let mut request = grant_request("{}", [10, 0, 0, 1]);
        request
            .headers_mut()
            .insert(header::ORIGIN, origin.parse().unwrap());
        let (status, headers, _) = send(&app, request).await;
        assert_eq!(status, 200, "{origin}");
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], origin);
    }
}

#[tokio::test]
async fn cors_preflight_answers_only_allowed_origins() {
    let app = test_app(
        &config(&["--allowed-origins=https://shop.example.com"]),
        BOUND.parse().unwrap(),
    );
    let preflight = |origin: &str| {
        Request::options("/api/session")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let (status, headers, _) = send(&app, preflight("https://shop.example.com")).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://shop.example.com"
    );
    let (_, headers, _) = send(&app, preflight("https://evil.example")).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn one_address_over_the_rate_gets_429_with_retry_after() {
    let app = test_app(
        &config(&["--grant-rate-per-minute=2"]),
        BOUND.parse().unwrap(),
    );
    for _ in 0..2 {
        let (status, _, _) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
        assert_eq!(status, 200);
    }
    let (status, headers, body) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    assert_eq!(status, 429);
    let retry_after: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    assert_eq!(json(&body)["error"], "rate_limited");
    // Another address is unaffected.
    let (status, _, _) = send(&app, grant_request("{}", [10, 0, 0, 2])).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_last_forwarded_address_is_limited() {
    let app = test_app(
        &config(&["--grant-rate-per-minute=1", "--trust-forwarded-for=true"]),
        BOUND.parse().unwrap(),
    );
    let via_proxy = |forwarded: &str| {
        let mut request = grant_request("{}", [10, 0, 0, 254]);
        request
            .headers_mut()
            .insert("x-forwarded-for", forwarded.parse().unwrap());
        request
    };
    assert_eq!(send(&app, via_proxy("203.0.113.7")).await.0, 200);
    // A client cannot escape its limit by prepending addresses of its own choosing.
    assert_eq!(
        send(&app, via_proxy("198.51.100.1, 203.0.113.7")).await.0,
        429
    );
    // Another client behind the same proxy has its own allowance.
    assert_eq!(send(&app, via_proxy("203.0.113.8")).await.0, 200);
}

#[tokio::test]
async fn grant_is_issued_without_availability_when_the_oauth_host_is_unreachable() {
    let config = config(&[
        "--genesys-client-id=client-a",
        "--genesys-client-secret=secret-a",
        "--genesys-queue-id",
        QUEUE_ID,
    ]);
    // Emulator mode sends OAuth to "this server": pretend it is bound where nothing listens.
    let app = test_app(&config, closed_port().await);
    let (status, _, body) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    assert_eq!(status, 200);
    let body = json(&body);
    assert!(body["token"].is_string());
    assert!(body.get("availability").is_none(), "{body}");
    assert!(!body.to_string().contains("secret-a"));
}

#[tokio::test]
async fn healthz_answers_ok() {
    let (status, _, body) = send(
        &default_app(),
        Request::get("/healthz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(&body[..], b"ok");
}

fn app_serving(dist: &std::path::Path) -> axum::Router {
    let dist = dist.to_str().unwrap();
    test_app(
        &config(&["--dist", dist, "--allowed-origins=https://shop.example.com"]),
        BOUND.parse().unwrap(),
    )
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn index_is_revalidated_and_hashed_assets_are_immutable() {
    let dist = temp_dir();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Parley</title>",
    )
    .unwrap();
    std::fs::write(
        dist.join("parley-frontend-0123456789abcdef_bg.wasm"),
        b"\0asm",
    )
    .unwrap();
    std::fs::write(dist.join("demo-0123456789abcdef.js"), "export {}").unwrap();
    std::fs::write(dist.join("notes.txt"), "notes").unwrap();
    let app = app_serving(&dist);

    let (status, headers, body) = send(&app, get("/")).await;
    assert_eq!(status, 200);
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    assert!(String::from_utf8_lossy(&body).contains("Parley"));

    let (status, headers, _) = send(&app, get("/parley-frontend-0123456789abcdef_bg.wasm")).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");

    let (_, headers, _) = send(&app, get("/notes.txt")).await;
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    std::fs::remove_dir_all(dist).unwrap();
}

#[tokio::test]
async fn the_loader_has_a_stable_briefly_cached_url_and_the_iframe_page_is_at_embed() {
    let dist = temp_dir();
    std::fs::write(dist.join("index.html"), "<!doctype html>").unwrap();
    std::fs::write(dist.join("parley.js"), "(()=>{})()").unwrap();
    std::fs::write(
        dist.join("embed.html"),
        "<!doctype html><title>Chat</title>",
    )
    .unwrap();
    let app = app_serving(&dist);

    let (status, headers, _) = send(&app, get("/parley.js")).await;
    assert_eq!(status, 200);
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=60");
    assert!(
        headers.contains_key(header::LAST_MODIFIED),
        "revalidated by date"
    );

    let (status, headers, body) = send(&app, get("/embed")).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("<title>Chat</title>"));
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    let ancestors = csp.split("frame-ancestors").nth(1).unwrap_or_default();
    assert!(ancestors.contains("https://shop.example.com"), "{csp}");
    std::fs::remove_dir_all(dist).unwrap();
}

#[tokio::test]
async fn bundle_files_are_shared_with_allowed_origins_only_and_vary_by_encoding() {
    let dist = temp_dir();
    std::fs::write(dist.join("index.html"), "<!doctype html>").unwrap();
    let wasm = "parley-frontend-0123456789abcdef_bg.wasm";
    std::fs::write(dist.join(wasm), b"\0asm").unwrap();
    std::fs::write(dist.join(format!("{wasm}.br")), b"brotli bytes").unwrap();
    let app = app_serving(&dist);
    let from = |origin: &str| {
        Request::get(format!("/{wasm}"))
            .header(header::ORIGIN, origin)
            .header(header::ACCEPT_ENCODING, "br, gzip")
            .body(Body::empty())
            .unwrap()
    };

    let (status, headers, body) = send(&app, from("https://shop.example.com")).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://shop.example.com"
    );
    assert_eq!(
        headers[header::CONTENT_ENCODING],
        "br",
        "the precompressed file"
    );
    assert_eq!(&body[..], b"brotli bytes");
    let vary: Vec<_> = headers.get_all(header::VARY).iter().collect();
    assert!(
        vary.iter()
            .any(|v| v.to_str().unwrap().contains("accept-encoding")),
        "{vary:?}"
    );

    let (_, headers, _) = send(&app, from("https://evil.example.net")).await;
    assert!(!headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    std::fs::remove_dir_all(dist).unwrap();
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let dist = temp_dir();
    std::fs::write(dist.join("index.html"), "<!doctype html>").unwrap();
    let app = app_serving(&dist);
    for request in [
        get("/"),
        get("/healthz"),
        get("/missing.js"),
        grant_request("{x", [10, 0, 0, 1]),
    ] {
        let (_, headers, _) = send(&app, request).await;
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{csp}"
        );
        assert!(
            csp.contains("frame-ancestors 'self' http://127.0.0.1:8080"),
            "{csp}"
        );
        assert!(csp.contains("https://shop.example.com"), "{csp}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(
            headers[header::REFERRER_POLICY],
            "strict-origin-when-cross-origin"
        );
    }
    std::fs::remove_dir_all(dist).unwrap();
}

#[tokio::test]
async fn static_files_are_compressed_for_browsers_that_accept_it() {
    let dist = temp_dir();
    std::fs::write(dist.join("index.html"), "<p>Parley</p>\n".repeat(200)).unwrap();
    let app = app_serving(&dist);
    let request = Request::get("/")
        .header(header::ACCEPT_ENCODING, "br")
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = send(&app, request).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    let request = Request::get("/")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = send(&app, request).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    std::fs::remove_dir_all(dist).unwrap();
}

#[tokio::test]
async fn a_missing_bundle_answers_503_saying_how_to_build_it() {
    let dist = temp_dir().join("not-built");
    let app = app_serving(&dist);
    let (status, _, body) = send(&app, get("/")).await;
    assert_eq!(status, 503);
    assert!(String::from_utf8_lossy(&body).contains("trunk build"));
    // The API still works without a bundle.
    let (status, _, _) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    assert_eq!(status, 200);
}

/// A request for the emulator's guest socket or history through the whole app, with `origin`.
fn emulator_request(uri: &str, origin: Option<&str>) -> Request<Body> {
    let mut request = Request::get(uri)
        .header(header::HOST, "127.0.0.1:8080")
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    let mut request = request.body(Body::empty()).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 40000))));
    request
}

#[tokio::test]
async fn emulator_sockets_and_history_refuse_foreign_origins() {
    let config = config(&["--allowed-origins=https://shop.example.com"]);
    let app = test_app(&config, "127.0.0.1:8080".parse().unwrap());
    let socket = format!("/v1?deploymentId={}", config.deployment_id);
    for origin in [Some("https://evil.example"), None] {
        let (status, _, _) = send(&app, emulator_request(&socket, origin)).await;
        assert_eq!(status, 403, "socket with origin {origin:?}");
    }
    for allowed in ["https://shop.example.com", "http://127.0.0.1:8080"] {
        let (status, _, _) = send(&app, emulator_request(&socket, Some(allowed))).await;
        assert_ne!(status, 403, "socket with origin {allowed}");
    }
    let history = "/api/v2/webmessaging/messages";
    let (status, _, _) = send(
        &app,
        emulator_request(history, Some("https://evil.example")),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = send(&app, emulator_request(history, None)).await;
    assert_eq!(
        status, 401,
        "no Origin (same-origin GET) reaches the JWT check"
    );
}

#[tokio::test]
async fn the_policy_names_the_region_and_https_servers_send_hsts() {
    let genesys = config(&[
        "--backend=genesys",
        "--genesys-region=eu-central-1",
        "--genesys-deployment-id=3f2c1a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6",
        "--public-url=https://chat.example.com",
    ]);
    let app = test_app(&genesys, "127.0.0.1:8080".parse().unwrap());
    let (_, headers, _) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("connect-src 'self' https://*.mypurecloud.de wss://*.mypurecloud.de;"),
        "{csp}"
    );
    assert!(!csp.contains("https:;") && !csp.contains(" ws: "), "{csp}");
    assert_eq!(
        headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );

    let plain = test_app(&config(&[]), "127.0.0.1:8080".parse().unwrap());
    let (_, headers, _) = send(&plain, grant_request("{}", [10, 0, 0, 1])).await;
    assert!(headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("ws://127.0.0.1:8080"), "{csp}");
}

#[tokio::test]
async fn an_oversized_grant_body_is_refused_with_413() {
    let app = test_app(&config(&[]), "127.0.0.1:8080".parse().unwrap());
    let body = format!(r#"{{"resume":"{}"}}"#, "x".repeat(10_000));
    let (status, _, _) = send(&app, grant_request(&body, [10, 0, 0, 1])).await;
    assert_eq!(status, 413);
    let (status, _, _) = send(&app, grant_request(r#"{"resume":null}"#, [10, 0, 0, 2])).await;
    assert_eq!(status, 200);
}
