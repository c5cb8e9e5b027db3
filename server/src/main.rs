//! `parley-server`: parse the configuration, bind, serve until SIGINT/SIGTERM.

use std::process::ExitCode;

use parley_server::serve::serve;
use parley_server::{AppState, Config, app, telemetry};

/// jemalloc instead of glibc's malloc: glibc kept every page a departed guest had used (its
/// arenas fragment, and only `malloc_trim`, an unsafe FFI call this workspace forbids, gives
/// the middle of a heap back), so the server's RSS never fell after a crowd left. jemalloc's
/// background thread returns pages freed for ~10 s to the system (BENCHMARKS.md, "Memory per
/// guest").
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("parley-server: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init();
    let listener = match tokio::net::TcpListener::bind(config.addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(addr = %config.addr, %error, "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    let local_addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(error) => {
            tracing::error!(%error, "cannot read the bound address");
            return ExitCode::FAILURE;
        }
    };
    let state = AppState::new(&config, local_addr);
    // Start reading the deployment's config.json now, so the first grants already carry it.
    let _ = state.window_config.snapshot();
    tracing::info!(
        url = %format!("http://{local_addr}"),
        backend = ?config.backend,
        deployment_id = %config.deployment_id,
        "parley-server listening"
    );
    serve(listener, app(state), config.limits, shutdown_signal()).await;
    tracing::info!("parley-server stopped");
    ExitCode::SUCCESS
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown signal received; finishing open requests");
}
