//! `ssg-claims serve`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use claims_server::{
    AppState, SandboxClock, dispatch, housekeeping, membership, router, schedule, serve_with,
};
use claims_store::Store;
use claims_store::deferred::Deferred;
use claims_store_postgres::PgStore;
use tokio::net::TcpListener;

use claims_server::settings::Settings;

use crate::database::{self, Database};

pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let (store, connecting) = match Database::parse(&settings.database)? {
        // A PostgreSQL database may come up after the service: serve meanwhile (answering
        // /readyz 503, and every call as unavailable) and keep trying to connect.
        Database::Postgres(url) if settings.startup_wait_secs > 0 => {
            // Up already (the usual case): serve it as any store.
            let options = database::postgres_options(settings)?;
            if let Ok(store) = PgStore::open(&url, options.clone()).await {
                return serve_on(Arc::new(store), settings).await;
            }
            let deferred = Arc::new(Deferred::<PgStore>::new());
            let connecting = tokio::spawn(connect(
                Arc::clone(&deferred),
                url,
                options,
                Duration::from_secs(u64::from(settings.startup_wait_secs)),
            ));
            let store: Arc<dyn Store> = deferred;
            (store, Some(connecting))
        }
        _ => (database::open(settings).await?, None),
    };
    let shutdown = Shutdown::listen()?;
    let listener = bind(settings.listen).await?;
    log_serving(&listener, settings)?;
    match connecting {
        None => run_server(shutdown, listener, store, settings).await,
        Some(connecting) => {
            // Serving ends when the server stops, or when the database never came.
            tokio::select! {
                served = run_server(shutdown, listener, Arc::clone(&store), settings) => served,
                connected = connecting => match connected {
                    Ok(Ok(())) => unreachable!("connecting completes only by giving up"),
                    Ok(Err(gave_up)) => {
                        store.close().await;
                        Err(gave_up)
                    }
                    Err(panicked) => Err(anyhow::anyhow!("connecting to the database failed: {panicked}")),
                },
            }
        }
    }
}

/// Serves `store`, whose database is up.
async fn serve_on(store: Arc<dyn Store>, settings: &Settings) -> anyhow::Result<()> {
    let shutdown = Shutdown::listen()?;
    let listener = bind(settings.listen).await?;
    log_serving(&listener, settings)?;
    run_server(shutdown, listener, store, settings).await
}

fn log_serving(listener: &TcpListener, settings: &Settings) -> anyhow::Result<()> {
    tracing::info!(
        address = %listener.local_addr()?,
        database = %database::redacted(&settings.database),
        "serving"
    );
    Ok(())
}

/// Keeps trying to open the PostgreSQL store, with backoff (0.5 s doubling to 5 s), until it
/// opens — then hands it over and waits forever — or `wait` has passed, and then gives up.
async fn connect(
    deferred: Arc<Deferred<PgStore>>,
    url: String,
    options: claims_store_postgres::PgOptions,
    wait: Duration,
) -> anyhow::Result<()> {
    let started = tokio::time::Instant::now();
    let mut delay = Duration::from_millis(500);
    let mut attempt = 1u32;
    loop {
        match PgStore::open(&url, options.clone()).await {
            Ok(store) => {
                if attempt > 1 {
                    tracing::info!(attempt, "reached the database; ready");
                }
                let _ = deferred.set(store);
                return std::future::pending().await;
            }
            Err(error) => {
                let why = format!("{error:#}");
                if started.elapsed() + delay > wait {
                    tracing::error!(error = %why, attempt, wait_secs = wait.as_secs(), "the database did not come up in time; stopping");
                    return Err(anyhow::anyhow!(
                        "the database could not be reached within {} s (startup_wait_secs): {why}",
                        wait.as_secs()
                    ));
                }
                tracing::warn!(error = %why, attempt, retry_in_ms = delay.as_millis() as u64, "the database is not reachable yet; serving as not ready meanwhile");
                deferred.waiting(why);
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
                attempt += 1;
            }
        }
    }
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
    shutdown: Shutdown,
    listener: TcpListener,
    store: Arc<dyn Store>,
    settings: &Settings,
) -> anyhow::Result<()> {
    run_node(
        shutdown.signalled(),
        listener,
        node_state(store, settings),
        settings,
    )
    .await
}

/// A node's state for `store` under `settings`.
pub fn node_state(store: Arc<dyn Store>, settings: &Settings) -> AppState {
    let state = AppState::new(store, settings.config());
    if settings.sandbox {
        // Read from the database by `schedule` as soon as it is reachable.
        state.with_sandbox(SandboxClock::unread())
    } else {
        state
    }
}

/// Serves `state` until `stop` completes, with the background work beside it; then lets
/// the requests in flight finish for at most `http.shutdown_grace_secs` and closes the
/// database.
pub async fn run_node(
    stop: impl Future<Output = ()> + Send + 'static,
    listener: TcpListener,
    state: AppState,
    settings: &Settings,
) -> anyhow::Result<()> {
    let store = Arc::clone(&state.store);
    let app = router(state.clone());
    let grace = Duration::from_secs(u64::from(settings.shutdown_grace_secs));
    let (signalled, on_signal) = tokio::sync::oneshot::channel::<()>();
    // Stopped with the server, below.
    let background = tokio::spawn(housekeeping(state.clone()));
    let heartbeat = tokio::spawn(membership::membership(state.clone()));
    let webhooks = tokio::spawn(dispatch(state.clone()));
    let scheduled = tokio::spawn(schedule(state.clone()));
    // On PostgreSQL, other nodes' events wake this node's long polls and webhook dispatch
    // at once (LISTEN/NOTIFY); their periodic look stays as the fallback.
    let listening = match Database::parse(&settings.database) {
        Ok(Database::Postgres(url)) => {
            let woken = state.clone();
            Some(tokio::spawn(claims_store_postgres::listen_for_events(
                url,
                move || woken.note_change(),
            )))
        }
        _ => None,
    };
    let connections = settings.connections();
    let server = serve_with(listener, app, &connections, async move {
        stop.await;
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
    heartbeat.abort();
    webhooks.abort();
    scheduled.abort();
    if let Some(listening) = &listening {
        listening.abort();
    }
    membership::leave(&state).await;
    let _ = background.await;
    let _ = webhooks.await;
    let _ = scheduled.await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C and SIGTERM, listened for from the moment this is made: a service manager's
/// SIGTERM that arrives while the database is still opening, or just after the address was
/// logged, stops the service cleanly instead of killing it (the default action).
pub struct Shutdown {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Shutdown {
    /// Installs the handlers now; call before the address is announced.
    pub fn listen() -> anyhow::Result<Shutdown> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Shutdown {
                interrupt: signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?,
                terminate: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
            })
        }
        #[cfg(not(unix))]
        Ok(Shutdown {})
    }

    /// Completes on the first Ctrl-C or SIGTERM.
    pub async fn signalled(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {},
            _ = self.terminate.recv() => {},
        }
        #[cfg(not(unix))]
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down: no new connections; finishing the requests in flight");
    }
}
