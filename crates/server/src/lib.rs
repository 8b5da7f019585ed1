//! The HTTP face of `ssg-claims`.
//!
//! [`router`] builds the whole application from an [`AppState`]; [`serve`] runs it on a
//! listener the caller bound, so tests bind `127.0.0.1:0` and production binds its address.
//!
//! Invariant: handlers translate between HTTP and the other crates and decide nothing
//! themselves. Wire shapes come from `claims-wire`, rules from `claims-domain`, state from a
//! `claims-store` backend. Each API maps errors to its own format in one place.

mod answers;
pub mod console;
pub mod credentials;
mod housekeeping;
mod limits;
pub mod membership;
pub mod metrics;
mod observe;
pub mod platform;
mod send_deadline;
pub mod settings;
pub mod ssg_calls;
mod vendor_api;
pub mod webhooks;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use claims_domain::KstDateTime;
use claims_store::{Quota, Store};
use tokio::net::TcpListener;

pub use housekeeping::{housekeeping, purge_lapsed, purge_old_events};
pub use limits::{Limits, Rate};
pub use observe::OPENAPI;
pub use vendor_api::INQUIRY_PATH;
pub use webhooks::dispatch;

/// How errors of the vendor API are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorStyle {
    /// Each result code with its own HTTP status (400, 401, 406, 413, 415, 429, 503…).
    Http,
    /// Every error with HTTP 500, as SSG itself answers; the body is the same. The default,
    /// so that an integration written against SSG works here unchanged: some read an
    /// error's envelope only from a 5xx answer.
    #[default]
    Ssg,
}

/// Settings of the HTTP service.
#[derive(Debug, Clone)]
pub struct Config {
    pub errors: ErrorStyle,
    /// The most rows one inquiry may answer; more is code 16.
    pub max_rows: usize,
    /// Rows read from the store at a time while streaming a long answer.
    pub page_rows: usize,
    /// Deadlines, load shedding, body size and rate limits.
    pub limits: Limits,
    /// How long an `Idempotency-Key` and its answer are kept (at least a day).
    pub idempotency_retention: Duration,
    /// How many keys, and bytes of answers, one credential may keep for replays.
    pub idempotency_quota: Quota,
    /// How long events stay in the feed.
    pub events_retention: Duration,
    pub webhooks: WebhookConfig,
    /// Bytes of encoded inquiry answers kept for reuse (0: none).
    pub inquiry_cache_bytes: u64,
    pub console: ConsoleConfig,
}

/// How the web console keeps its sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleConfig {
    /// The session cookie is marked `Secure` (sent over HTTPS only).
    pub secure_cookies: bool,
    /// How long a session may stay unused.
    pub idle: Duration,
}

/// How webhooks are delivered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WebhookConfig {
    /// Plain `http://` and loopback or private targets are allowed (a local sandbox).
    pub allow_insecure_targets: bool,
    /// The waits between failed attempts of one event.
    pub retry_schedule: claims_domain::RetrySchedule,
}

impl Default for Config {
    /// The declared defaults (see [`settings`]).
    fn default() -> Self {
        settings::Settings::default().config()
    }
}

/// A new webhook endpoint id (64 random bits).
pub fn new_webhook_id() -> claims_domain::WebhookId {
    claims_domain::WebhookId::from_random(rand::random())
}

/// A new cancel request id, from the thread's random source (64 bits: ids never repeat in
/// practice, and a repeat would be refused by the store, never merged).
pub fn new_request_id() -> claims_domain::RequestId {
    claims_domain::RequestId::from_random(rand::random())
}

/// The source of the current time.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    fn now(&self) -> KstDateTime;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> KstDateTime {
        KstDateTime::from_timestamp(jiff::Timestamp::now())
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub metrics: Arc<metrics::Metrics>,
    /// Bumped after every write this node answered successfully, so that long polls and
    /// webhook dispatch look for new events at once rather than at their next poll.
    pub changes: Arc<tokio::sync::watch::Sender<u64>>,
    /// Failed console sign-ins, which slow the next attempts.
    pub sign_ins: Arc<console::SignIns>,
    /// This process's name among the nodes sharing the database (heartbeats, webhook
    /// leases).
    pub node: Arc<str>,
    /// Inquiry answers kept for reuse, when the settings keep any.
    answers: Option<Arc<answers::Answers>>,
    guard: Arc<limits::Guard>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        Self {
            store,
            clock: Arc::new(SystemClock),
            guard: Arc::new(limits::Guard::new(&config.limits)),
            answers: answers::Answers::new(config.inquiry_cache_bytes).map(Arc::new),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::new()),
            changes: Arc::new(tokio::sync::watch::Sender::new(0)),
            sign_ins: Arc::default(),
            node: format!("node-{:016x}", rand::random::<u64>()).into(),
        }
    }
}

/// The whole application: both APIs, the probes and the metrics, each request observed.
pub fn router(state: AppState) -> Router {
    let apis = vendor_api::router()
        .merge(ssg_calls::router())
        .merge(platform::router(state.config.limits.platform_body_bytes))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::guard,
        ));
    Router::new()
        .merge(apis)
        .merge(console::router())
        .merge(observe::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(platform::problem::in_korean))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            note_changes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ))
        .with_state(state)
}

/// Tells whoever waits for events that a write just succeeded here.
async fn note_changes(
    State(app): State<AppState>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let writes =
        request.method() != axum::http::Method::GET && request.method() != axum::http::Method::HEAD;
    let response = next.run(request).await;
    // The console answers a successful form with a redirect to the page that shows it.
    if writes && (response.status().is_success() || response.status().is_redirection()) {
        app.changes.send_modify(|n| *n = n.wrapping_add(1));
    }
    response
}

/// Answers a path that does not exist: SSG's envelope with code 99 under `/api/`, a problem
/// elsewhere.
async fn not_found(State(app): State<AppState>, request: Request) -> Response {
    if ssg_calls::is_ssg_path(request.uri().path()) {
        ssg_calls::unknown_call(&app, &request)
    } else if console::is_console_path(request.uri().path()) {
        console::not_found(request.headers())
    } else {
        platform::route_not_found(request.method().clone(), request.uri().clone())
            .await
            .into_response()
    }
}

/// Answers a method a path does not take, in the path's API's own terms: under `/api/`, the
/// envelope with code 99 and (unless every error is HTTP 500) status 405.
async fn method_not_allowed(State(app): State<AppState>, request: Request) -> Response {
    if ssg_calls::is_ssg_path(request.uri().path()) {
        let mut response = ssg_calls::unknown_call(&app, &request);
        if app.config.errors == ErrorStyle::Http {
            *response.status_mut() = axum::http::StatusCode::METHOD_NOT_ALLOWED;
        }
        response
    } else {
        platform::method_not_allowed(request.method().clone(), request.uri().clone())
            .await
            .into_response()
    }
}

/// Limits on connections, enforced before a request reaches the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connections {
    /// Connections open at once; while at the limit, new ones wait in the listen backlog.
    pub max: usize,
    /// The longest a client may take to send a request's head — and the longest an idle
    /// keep-alive connection stays open. A slow or silent client is disconnected then.
    pub header_read_timeout: Duration,
    /// Headers per request; more is answered 431.
    pub max_headers: usize,
    /// Bytes of a request's head (request line and headers); more is answered 431.
    pub max_header_bytes: usize,
    /// The longest an answer may make no progress because its client reads nothing; then
    /// the connection is closed (see `send_deadline`).
    pub send_timeout: Duration,
}

impl Default for Connections {
    /// The declared defaults (see [`settings`]).
    fn default() -> Self {
        settings::Settings::default().connections()
    }
}

/// Serves `app` on `listener` with the default connection limits until `shutdown`
/// completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, &Connections::default(), shutdown).await
}

/// Serves `app` on `listener` under `limits` until `shutdown` completes; then stops
/// accepting, lets each connection finish the request it is in (idle ones close at once)
/// and returns when all are closed.
///
/// Written on hyper directly rather than with `axum::serve`, which offers neither a
/// header-read timeout, nor limits on headers, nor a cap on connections, nor a deadline on
/// sending to a client that stopped reading.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    limits: &Connections,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_headers(limits.max_headers)
        .max_header_size(limits.max_header_bytes);
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let stream = send_deadline::SendDeadline::new(stream, limits.send_timeout);
        // The client's address, for the console's sign-in throttle.
        let app = tower::ServiceExt::map_request(
            app.clone(),
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                request
            },
        );
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                if send_deadline::is_send_timeout(&error) {
                    tracing::warn!(
                        peer = %peer.ip(),
                        "a client read nothing of its answer for the send timeout; connection closed"
                    );
                } else {
                    tracing::debug!(%error, "connection ended with an error");
                }
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
