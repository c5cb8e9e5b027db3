//! The accept loop's limits over real sockets: a client that never finishes its headers is
//! disconnected, a request whose body never arrives gets 408, and the connection cap holds
//! further clients (WebSockets included) until a connection closes.
//!
//! Timeouts are configured short (hundreds of milliseconds); every wait is for an event (EOF,
//! a response) with a generous safety timeout, never a sleep.

use std::net::SocketAddr;
use std::time::Duration;

use crate::common::{config, fast_options};
use parley_server::clock::Clock;
use parley_server::emulator::DEFAULT_DEPLOYMENT_ID;
use parley_server::serve::{ConnectionLimits, serve};
use parley_server::{AppState, app};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const SAFETY: Duration = Duration::from_secs(10);

async fn start(limits: ConnectionLimits) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut state = AppState::with_options(&config(&[]), addr, fast_options(Clock::system()));
    state.request_timeout = limits.request_timeout;
    tokio::spawn(serve(listener, app(state), limits, std::future::pending()));
    addr
}

/// Reads until the server closes the connection; what it sent.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    tokio::time::timeout(SAFETY, stream.read_to_end(&mut seen))
        .await
        .expect("the server closes the connection")
        .ok();
    String::from_utf8_lossy(&seen).into_owned()
}

/// Reads one response head (up to the blank line).
async fn read_head(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\r\n\r\n") {
        let read = stream.read(&mut byte).await.unwrap();
        assert_eq!(read, 1, "connection closed before a response: {seen:?}");
        seen.push(byte[0]);
    }
    String::from_utf8(seen).unwrap()
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let addr = start(ConnectionLimits {
        header_read_timeout: Duration::from_millis(200),
        ..ConnectionLimits::default()
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let seen = read_to_close(&mut stream).await;
    assert!(!seen.contains("200 OK"), "{seen}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let addr = start(ConnectionLimits {
        header_read_timeout: Duration::from_millis(200),
        ..ConnectionLimits::default()
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(HEALTHZ).await.unwrap();
    assert!(read_head(&mut stream).await.starts_with("HTTP/1.1 200"));
    // Nothing more is sent: the connection is closed instead of held forever.
    read_to_close(&mut stream).await;
}

#[tokio::test]
async fn a_request_whose_body_never_arrives_gets_408() {
    let addr = start(ConnectionLimits {
        request_timeout: Duration::from_millis(200),
        ..ConnectionLimits::default()
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
        )
        .await
        .unwrap();
    let head = tokio::time::timeout(SAFETY, read_head(&mut stream))
        .await
        .expect("an answer");
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
}

#[tokio::test]
async fn the_connection_cap_holds_further_clients_until_one_closes() {
    let addr = start(ConnectionLimits {
        max_connections: 1,
        header_read_timeout: Duration::from_secs(60),
        ..ConnectionLimits::default()
    })
    .await;
    let mut first = TcpStream::connect(addr).await.unwrap();
    first.write_all(HEALTHZ).await.unwrap();
    assert!(read_head(&mut first).await.starts_with("HTTP/1.1 200"));

    let mut second = TcpStream::connect(addr).await.unwrap();
    second.write_all(HEALTHZ).await.unwrap();
    let mut byte = [0u8; 1];
    assert!(
        tokio::time::timeout(Duration::from_millis(300), second.read(&mut byte))
            .await
            .is_err(),
        "the second client is not served while the first holds the only slot"
    );
    drop(first);
    let head = tokio::time::timeout(SAFETY, read_head(&mut second))
        .await
        .expect("served once the first closed");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
}

#[tokio::test]
async fn an_open_guest_websocket_counts_against_the_cap() {
    let addr = start(ConnectionLimits {
        max_connections: 1,
        ..ConnectionLimits::default()
    })
    .await;
    let mut request = format!("ws://{addr}/v1?deploymentId={DEFAULT_DEPLOYMENT_ID}")
        .into_client_request()
        .unwrap();
    let origin = format!("http://{addr}").parse().unwrap();
    request.headers_mut().insert("origin", origin);
    let (socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();

    let mut plain = TcpStream::connect(addr).await.unwrap();
    plain.write_all(HEALTHZ).await.unwrap();
    let mut byte = [0u8; 1];
    assert!(
        tokio::time::timeout(Duration::from_millis(300), plain.read(&mut byte))
            .await
            .is_err(),
        "the upgraded socket still holds the only slot"
    );
    drop(socket);
    let head = tokio::time::timeout(SAFETY, read_head(&mut plain))
        .await
        .expect("served once the WebSocket closed");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
}
