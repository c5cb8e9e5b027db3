//! The accept loop: HTTP/1.1 with a header-read timeout and a cap on open connections.
//!
//! Why not `axum::serve`: it sets no hyper timer, so a client that opens a connection and never
//! finishes its request headers (or idles between keep-alive requests) holds a file descriptor
//! forever, and it accepts without limit, so slow clients can exhaust descriptors. Here:
//! - **Header-read timeout**: hyper closes a connection whose request head has not fully
//!   arrived within [`ConnectionLimits::header_read_timeout`] (this also bounds the idle time
//!   between keep-alive requests).
//! - **Connection cap**: a connection is accepted only with a permit of a semaphore of
//!   [`ConnectionLimits::max_connections`]; beyond it, new clients wait in the kernel's accept
//!   backlog. The permit travels with the socket, also into an upgraded WebSocket, and is given
//!   back when the socket is dropped, so guest sockets count too.
//! - The request timeout lives in the router (`tower_http::timeout`, see [`crate::app`]).
//!
//! HTTP/2 is left to the reverse proxy in front (browsers only speak it over TLS anyway).
//! Every request carries `ConnectInfo<SocketAddr>` like `into_make_service_with_connect_info`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tower::ServiceExt;

/// Connection-level limits (the environment variables are in [`crate::config`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Time a client has to send a complete request head (and the longest keep-alive idle).
    pub header_read_timeout: Duration,
    /// Time a request has to be answered (body read included); 408 after it.
    pub request_timeout: Duration,
    /// Most connections open at once, WebSockets included.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 20_000,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets open
/// HTTP requests finish and returns (upgraded WebSockets are not waited for).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopping) = watch::channel(false);
    // Each connection task holds a clone of `alive`; `drained` ends once all are gone.
    let (alive, mut drained) = mpsc::channel::<()>(1);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = Arc::clone(&permits).acquire_owned() => {
                permit.expect("the connection semaphore is never closed")
            }
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // EMFILE and friends: back off briefly instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_connection(
            Counted {
                stream,
                _permit: permit,
            },
            peer,
            router.clone(),
            limits,
            stopping.clone(),
            alive.clone(),
        ));
    }
    drop(listener);
    let _ = stop.send(true);
    drop(alive);
    let _ = drained.recv().await;
}

async fn serve_connection(
    io: Counted,
    peer: SocketAddr,
    router: Router,
    limits: ConnectionLimits,
    mut stopping: watch::Receiver<bool>,
    _alive: mpsc::Sender<()>,
) {
    let service = tower::service_fn(move |mut request: axum::http::Request<_>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let connection = builder
        .serve_connection(TokioIo::new(io), TowerToHyperService::new(service))
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = stopping.wait_for(|stop| *stop) => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}

/// A client socket holding its connection permit for as long as the socket lives (through an
/// upgrade too: hyper moves the I/O object into the upgraded WebSocket).
struct Counted {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
