//! One guest WebSocket, as a task: connects (with a time limit and small buffers, so that ten
//! thousand of them fit in memory), forwards every text frame to the driver as an engine input,
//! writes what the driver queues, and reports the close — always exactly one
//! [`Input::SocketClosed`] per socket, also when opening failed, as the engine's contract asks.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use parley_shared::engine::{Input, SocketId};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::Report;

/// The upgrade request for `url` with an `Origin` header (left out if `origin` is not a valid
/// header value).
fn with_origin(
    url: &str,
    origin: &str,
) -> Result<tokio_tungstenite::tungstenite::handshake::client::Request, WsError> {
    let mut request = url.into_client_request()?;
    if let Ok(value) = origin.parse() {
        request.headers_mut().insert("origin", value);
    }
    Ok(request)
}

/// Opens the socket within `connect_timeout`; on failure, what went wrong in words and the
/// HTTP status when the server refused the upgrade.
async fn connect(
    url: &str,
    origin: &str,
    config: WebSocketConfig,
    connect_timeout: Duration,
) -> Result<WebSocketStream<MaybeTlsStream<TcpStream>>, (String, Option<u16>)> {
    let request = with_origin(url, origin).map_err(|error| describe_connect_error(url, &error))?;
    let connecting = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
    match tokio::time::timeout(connect_timeout, connecting).await {
        Ok(Ok((ws, _response))) => Ok(ws),
        Ok(Err(error)) => Err(describe_connect_error(url, &error)),
        Err(_) => Err((
            format!(
                "cannot connect to {url}: no answer within {} s",
                connect_timeout.as_secs()
            ),
            None,
        )),
    }
}

/// How long a close handshake may take before the socket is simply dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Runs one socket until it closes. `outgoing` carries text frames to send; when its sender is
/// dropped the socket closes with code 1000. The upgrade carries `origin` as its `Origin`, as a
/// browser's would (the emulator, like Genesys, refuses sockets from unknown sites).
pub(super) async fn run(
    socket: SocketId,
    url: String,
    origin: String,
    connect_timeout: Duration,
    mut outgoing: mpsc::UnboundedReceiver<String>,
    reports: mpsc::UnboundedSender<Report>,
) {
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(Some(4 << 20))
        .max_frame_size(Some(4 << 20));
    let mut ws = match connect(&url, &origin, config, connect_timeout).await {
        Ok(ws) => ws,
        Err((message, refused_status)) => {
            let _ = reports.send(Report::ConnectFailed {
                socket,
                message,
                refused_status,
            });
            let _ = reports.send(closed(socket, None, false));
            return;
        }
    };
    let _ = reports.send(Report::Input(Input::SocketOpened(socket)));
    let mut close_code = None;
    let mut clean = false;
    loop {
        tokio::select! {
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let _ = reports.send(Report::Frame(socket, text.as_str().to_owned()));
                }
                Some(Ok(Message::Close(frame))) => {
                    close_code = frame.map(|f| u16::from(f.code));
                    clean = true;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            text = outgoing.recv() => match text {
                Some(text) => {
                    if ws.send(Message::text(text)).await.is_err() {
                        break;
                    }
                }
                None => {
                    let closing = async {
                        let _ = ws.close(None).await;
                        while let Some(Ok(_)) = ws.next().await {}
                    };
                    clean = tokio::time::timeout(CLOSE_GRACE, closing).await.is_ok();
                    close_code = Some(1000);
                    break;
                }
            },
        }
    }
    let _ = reports.send(closed(socket, close_code, clean));
}

fn closed(socket: SocketId, code: Option<u16>, clean: bool) -> Report {
    Report::Input(Input::SocketClosed {
        socket,
        code,
        clean,
    })
}

/// A connect error in words, and the HTTP status when the server answered the upgrade with one.
fn describe_connect_error(url: &str, error: &WsError) -> (String, Option<u16>) {
    match error {
        WsError::Http(response) => {
            let status = response.status();
            let hint = match status.as_u16() {
                403 | 404 => " (is the deployment id right?)",
                _ => "",
            };
            (
                format!("the server refused the WebSocket upgrade at {url}: HTTP {status}{hint}"),
                Some(status.as_u16()),
            )
        }
        WsError::Io(io) => (format!("cannot connect to {url}: {io}"), None),
        other => (format!("cannot connect to {url}: {other}"), None),
    }
}
