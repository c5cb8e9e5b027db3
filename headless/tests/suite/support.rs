//! Test support: the real Parley server with its emulator (deterministic, no agent delay, no
//! grant limit) on an ephemeral loopback port, and the `parley-headless` binary driven as a
//! child process whose output is read line by line. Every wait has a safety timeout so that a
//! broken build fails a test instead of hanging it; none is used to let time pass.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use clap::Parser;
use parley_server::config::{Args, Config};
use parley_server::{AppState, app};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The longest any single wait may take.
pub const WAIT: Duration = Duration::from_secs(20);

/// The server on `127.0.0.1:<port>`; stops when dropped.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts parley-server (emulator backend) on a free port.
pub async fn start_server() -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let args = Args::try_parse_from([
        "parley-server",
        "--addr",
        &addr.to_string(),
        "--grant-rate-per-minute=0",
        "--emulator-deterministic=true",
        "--emulator-agent-delay-ms=0",
    ])
    .expect("server flags parse");
    let config = Config::from_args(args).expect("server config validates");
    let service =
        app(AppState::new(&config, addr)).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, service).await.unwrap();
    });
    Server {
        base: format!("http://{addr}"),
        task,
    }
}

/// A loopback address where nothing listens.
pub async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

/// The binary under test with `args`, stdin/stdout/stderr piped.
pub fn headless(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_parley-headless"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("parley-headless starts")
}

/// Runs the binary to completion with stdin closed; (exit status, stdout, stderr).
pub async fn run_to_end(args: &[&str]) -> (ExitStatus, String, String) {
    let mut child = headless(args);
    drop(child.stdin.take());
    collect(child).await
}

/// Runs the binary to completion with stdin left open (a chat whose user has not left), so
/// that only the command's own failure can end it.
pub async fn run_with_stdin_open(args: &[&str]) -> (ExitStatus, String, String) {
    let mut child = headless(args);
    let stdin = child.stdin.take();
    let result = collect(child).await;
    drop(stdin);
    result
}

async fn collect(child: Child) -> (ExitStatus, String, String) {
    let output = tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .expect("parley-headless finishes in time")
        .expect("output readable");
    (
        output.status,
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A chat child speaking JSON events, read one at a time.
pub struct JsonChat {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    pub lines: Lines<BufReader<ChildStdout>>,
}

impl JsonChat {
    /// Starts `chat --json` with `args` appended.
    pub fn start(args: &[&str]) -> JsonChat {
        let mut all = vec!["chat", "--json"];
        all.extend_from_slice(args);
        let mut child = headless(&all);
        let stdin = child.stdin.take();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        JsonChat {
            child,
            stdin,
            lines,
        }
    }

    /// Types one line.
    pub async fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        stdin.flush().await.unwrap();
    }

    /// Reads events until one satisfies `wanted`; returns it.
    pub async fn wait_for(
        &mut self,
        what: &str,
        wanted: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let waiting = async {
            while let Some(line) = self.lines.next_line().await.unwrap() {
                let event: serde_json::Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                if wanted(&event) {
                    return event;
                }
            }
            panic!("output ended before {what}");
        };
        tokio::time::timeout(WAIT, waiting)
            .await
            .unwrap_or_else(|_| panic!("no {what} within {WAIT:?}"))
    }

    /// Closes stdin (Ctrl-D) and returns the remaining events and the exit status.
    pub async fn end_input(mut self) -> (Vec<serde_json::Value>, ExitStatus) {
        drop(self.stdin.take());
        let finishing = async {
            let mut rest = Vec::new();
            while let Some(line) = self.lines.next_line().await.unwrap() {
                rest.push(serde_json::from_str(&line).unwrap());
            }
            (rest, self.child.wait().await.unwrap())
        };
        tokio::time::timeout(WAIT, finishing)
            .await
            .expect("chat ends after end of input")
    }
}

/// Writes `text` to a fresh file named `name` in a fresh temp folder; returns its path.
pub fn temp_script(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("parley-headless-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `headless/examples/<name>`.
pub fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}
