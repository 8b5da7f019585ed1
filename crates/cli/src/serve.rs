//! `ssg-claims serve`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use claims_server::{AppState, housekeeping, router, serve_with};
use claims_store::Store;
use tokio::net::TcpListener;

use claims_server::settings::Settings;

use crate::database;

pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let store = database::open(settings).await?;
    let listener = bind(settings.listen).await?;
    tracing::info!(
        address = %listener.local_addr()?,
        database = %database::redacted(&settings.database),
        "serving"
    );
    run_server(listener, store, settings).await
}

/// Binds the listening socket, with a message that says what to do when it fails.
pub async fn bind(address: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address).await.with_context(|| {
        format!(
            "cannot listen on {address}; is another process using it? Choose another with --listen"
        )
    })
}

/// Serves until Ctrl-C or SIGTERM; then stops accepting connections, lets the requests in
/// flight finish for at most `http.shutdown_grace_secs`, and closes the database.
pub async fn run_server(
    listener: TcpListener,
    store: Arc<dyn Store>,
    settings: &Settings,
) -> anyhow::Result<()> {
    let state = AppState::new(Arc::clone(&store), settings.config());
    let app = router(state.clone());
    let grace = Duration::from_secs(u64::from(settings.shutdown_grace_secs));
    let (signalled, on_signal) = tokio::sync::oneshot::channel::<()>();
    // Stopped with the server, below.
    let background = tokio::spawn(housekeeping(state));
    let connections = settings.connections();
    let server = serve_with(listener, app, &connections, async move {
        shutdown_signal().await;
        let _ = signalled.send(());
    });
    let deadline = async move {
        if on_signal.await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        served = server => served.context("the server stopped with an error")?,
        () = deadline => tracing::warn!(
            grace_secs = grace.as_secs(),
            "requests still in flight at the end of the grace period were cut"
        ),
    }
    background.abort();
    let _ = background.await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: no new connections; finishing the requests in flight");
}
