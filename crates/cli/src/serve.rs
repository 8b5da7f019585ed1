//! `ssg-claims serve`.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use claims_server::{AppState, Config, router, serve};
use claims_store::Store;
use tokio::net::TcpListener;

use crate::{ServeArgs, database};

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let store = database::open(&args.database).await?;
    let listener = bind(args.http.listen).await?;
    tracing::info!(
        address = %listener.local_addr()?,
        database = %database::redacted(&args.database.database),
        "serving"
    );
    run_server(listener, store, args.http.config()).await
}

/// Binds the listening socket, with a message that says what to do when it fails.
pub async fn bind(address: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address).await.with_context(|| {
        format!(
            "cannot listen on {address}; is another process using it? Choose another with --listen"
        )
    })
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub async fn run_server(
    listener: TcpListener,
    store: Arc<dyn Store>,
    config: Config,
) -> anyhow::Result<()> {
    let app = router(AppState::new(store, config));
    serve(listener, app, shutdown_signal())
        .await
        .context("the server stopped with an error")?;
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
    tracing::info!("shutting down: finishing requests in flight");
}
