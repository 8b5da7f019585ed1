//! The HTTP face of `ssg-claims`.
//!
//! [`router`] builds the whole application from an [`AppState`]; [`serve`] runs it on a
//! listener the caller bound, so tests bind `127.0.0.1:0` and production binds its address.
//!
//! Invariant: handlers translate between HTTP and the other crates and decide nothing
//! themselves. Wire shapes come from `claims-wire`, rules from `claims-domain`, state from a
//! `claims-store` backend. Each API maps errors to its own format in one place.

pub mod credentials;
pub mod metrics;
mod observe;
pub mod platform;
mod vendor_api;

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use claims_domain::KstDateTime;
use claims_store::Store;
use tokio::net::TcpListener;

pub use observe::OPENAPI;
pub use vendor_api::INQUIRY_PATH;

/// How errors of the vendor API are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorStyle {
    /// Each result code with its own HTTP status (400, 401, 406, 413, 415, 429, 503…).
    #[default]
    Http,
    /// Every error with HTTP 500, as SSG itself answers; the body is the same.
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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            errors: ErrorStyle::Http,
            max_rows: 100_000,
            page_rows: 1_000,
        }
    }
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
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        Self {
            store,
            clock: Arc::new(SystemClock),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::new()),
        }
    }
}

/// The whole application: both APIs, the probes and the metrics, each request observed.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(vendor_api::router())
        .merge(platform::router())
        .merge(observe::router())
        .fallback(platform::route_not_found)
        .method_not_allowed_fallback(platform::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes the requests in
/// flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
