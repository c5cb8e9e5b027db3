//! Shared helpers for the emulator's protocol tests: start the emulator's router on a real port,
//! open guest sockets with tokio-tungstenite, and wait for frames (never for time). Every wait
//! has a 5 s safety timeout so a broken emulator fails a test instead of hanging it.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use parley_server::emulator::{DEFAULT_DEPLOYMENT_ID, Emulator, EmulatorConfig, router};
use parley_shared::genesys::{
    ClientRequest, ConfigureSession, FrameBody, IncomingMessage, OnMessage, ServerFrame,
    SessionResponse, StructuredMessage,
};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(5);

/// The emulator serving on `127.0.0.1:<port>`.
pub struct TestServer {
    pub addr: SocketAddr,
    pub emulator: Emulator,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the emulator with `config` on a free loopback port.
pub async fn start(config: EmulatorConfig) -> TestServer {
    let emulator = Emulator::new(config);
    let app = router(emulator.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    TestServer {
        addr,
        emulator,
        task,
    }
}

/// Starts the emulator in deterministic mode with no agent delay.
pub async fn start_default() -> TestServer {
    start(EmulatorConfig::deterministic()).await
}

impl TestServer {
    /// `http://127.0.0.1:<port><path>`.
    pub fn http(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The guest socket URL for `deployment_id`.
    pub fn ws_url_for(&self, deployment_id: &str) -> String {
        format!("ws://{}/v1?deploymentId={deployment_id}", self.addr)
    }

    /// Opens a guest socket on the default deployment (not configured yet).
    pub async fn connect(&self) -> Guest {
        let (ws, _) = tokio_tungstenite::connect_async(self.ws_url_for(DEFAULT_DEPLOYMENT_ID))
            .await
            .expect("socket opens");
        Guest { ws }
    }

    /// Opens a socket and configures `token`; returns the guest and its SessionResponse.
    pub async fn guest(&self, token: &str) -> (Guest, SessionResponse) {
        let mut guest = self.connect().await;
        let response = guest.configure(token, false).await;
        (guest, response)
    }

    /// Injects a fault over HTTP, as a test process would.
    pub async fn fault(&self, fault: serde_json::Value) {
        let response = reqwest::Client::new()
            .post(self.http("/emulator/faults"))
            .json(&fault)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "fault {fault} accepted");
    }

    /// The emulator's transcript of `token` as JSON.
    pub async fn transcript(&self, token: &str) -> serde_json::Value {
        reqwest::get(self.http(&format!("/emulator/sessions/{token}/transcript")))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// One guest connection.
pub struct Guest {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Guest {
    /// Sends raw text.
    pub async fn send_raw(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.unwrap();
    }

    /// Sends a request.
    pub async fn send(&mut self, request: &ClientRequest) {
        self.send_raw(&request.to_json()).await;
    }

    /// Sends configureSession and returns the SessionResponse (panics on anything else).
    pub async fn configure(&mut self, token: &str, start_new: bool) -> SessionResponse {
        self.send(&configure_request(token, start_new)).await;
        match self.next_frame().await.body {
            FrameBody::SessionResponse(response) => response,
            other => panic!("expected SessionResponse, got {other:?}"),
        }
    }

    /// Sends a text message with `tracing_id`.
    pub async fn say(&mut self, token: &str, text: &str, tracing_id: &str) {
        self.send(&text_request(token, text, tracing_id)).await;
    }

    /// The next text frame, decoded.
    pub async fn next_frame(&mut self) -> ServerFrame {
        tokio::time::timeout(WAIT, async {
            loop {
                match self.ws.next().await {
                    Some(Ok(Message::Text(text))) => {
                        return serde_json::from_str::<ServerFrame>(text.as_str())
                            .unwrap_or_else(|error| panic!("undecodable frame {text}: {error}"));
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    other => panic!("expected a text frame, got {other:?}"),
                }
            }
        })
        .await
        .expect("a frame within the timeout")
    }

    /// Reads frames until one satisfies `wanted`; returns it and every frame read before it.
    pub async fn until(
        &mut self,
        wanted: impl Fn(&ServerFrame) -> bool,
    ) -> (ServerFrame, Vec<ServerFrame>) {
        let mut skipped = Vec::new();
        loop {
            let frame = self.next_frame().await;
            if wanted(&frame) {
                return (frame, skipped);
            }
            skipped.push(frame);
        }
    }

    /// Reads frames until a StructuredMessage satisfying `wanted` arrives.
    pub async fn until_message(
        &mut self,
        wanted: impl Fn(&StructuredMessage) -> bool,
    ) -> StructuredMessage {
        let (frame, _) = self
            .until(|frame| matches!(&frame.body, FrameBody::StructuredMessage(m) if wanted(m)))
            .await;
        match frame.body {
            FrameBody::StructuredMessage(message) => *message,
            _ => unreachable!(),
        }
    }

    /// Reads frames until one of `class` arrives.
    pub async fn until_class(&mut self, class: &str) -> ServerFrame {
        self.until(|frame| frame.body.class() == class).await.0
    }

    /// Waits for the server to end the connection; true if it did (close frame, reset or EOF).
    pub async fn ends(&mut self) -> bool {
        tokio::time::timeout(WAIT, async {
            loop {
                match self.ws.next().await {
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return true,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await
        .unwrap_or(false)
    }
}

/// A configureSession for the default deployment.
pub fn configure_request(token: &str, start_new: bool) -> ClientRequest {
    ClientRequest::ConfigureSession(ConfigureSession {
        deployment_id: DEFAULT_DEPLOYMENT_ID.to_owned(),
        token: token.to_owned(),
        start_new: start_new.then_some(true),
        journey_context: None,
        tracing_id: Some(format!("configure-{token}")),
    })
}

/// An onMessage carrying `message`.
pub fn message_request(token: &str, message: IncomingMessage, tracing_id: &str) -> ClientRequest {
    ClientRequest::OnMessage(OnMessage {
        token: token.to_owned(),
        tracing_id: Some(tracing_id.to_owned()),
        message,
        channel: None,
        time: None,
    })
}

/// An onMessage with plain text.
pub fn text_request(token: &str, text: &str, tracing_id: &str) -> ClientRequest {
    message_request(token, IncomingMessage::text(text), tracing_id)
}

/// The StructuredMessage inside a frame (panics otherwise).
pub fn message_of(frame: &ServerFrame) -> &StructuredMessage {
    match &frame.body {
        FrameBody::StructuredMessage(message) => message,
        other => panic!("expected a StructuredMessage, got {other:?}"),
    }
}

/// True for an agent reply (Outbound, with text).
pub fn is_agent_text(message: &StructuredMessage) -> bool {
    message.direction == parley_shared::genesys::Direction::Outbound && message.text.is_some()
}
