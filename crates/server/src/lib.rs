//! The HTTP face of `ssg-claims`.
//!
//! [`router`] builds the whole application from an [`AppState`]; [`serve`] runs it on a
//! listener the caller bound, so tests bind `127.0.0.1:0` and production binds its address.
//!
//! Invariant: handlers translate between HTTP and the other crates and decide nothing
//! themselves. Wire shapes come from `claims-wire`, rules from `claims-domain`, state from a
//! `claims-store` backend. Each API maps errors to its own format in one place.

pub mod app;
pub mod console;
mod observe;
pub mod platform;
mod send_deadline;
pub mod ssg_calls;
mod vendor_api;
mod watch;
pub mod work;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;

pub use app::clock::{Clock, SandboxClock, SystemClock, real_ms, start_sandbox, store_now};
pub use app::config::{
    Config, Connections, ConsoleConfig, ErrorStyle, Limits, Rate, WebhookConfig,
};
pub use app::state::{AppState, new_request_id, new_webhook_id};
pub use app::{credentials, metrics, settings};
pub use observe::OPENAPI;
pub use vendor_api::INQUIRY_PATH;
pub use work::housekeeping::{housekeeping, purge_lapsed, purge_old_events};
pub use work::schedule::schedule;
pub use work::webhooks::dispatch;
pub use work::{membership, webhooks};

use app::envelope;
use app::limits::{self, Presented, Surface};
use app::sandbox::record::CallKind;

/// The whole application: the vendor API, the platform API and the console, each behind the
/// guard with its own way to refuse; the probes and the metrics; each request observed.
pub fn router(state: AppState) -> Router {
    let guard = |surface: Surface| axum::middleware::from_fn_with_state(surface, limits::guard);
    let vendor = Surface {
        guard: Arc::clone(&state.guard),
        credential: Presented::authorization,
        refuse: envelope::refusal(state.config.errors),
    };
    let platform = Surface {
        guard: Arc::clone(&state.guard),
        credential: Presented::authorization,
        refuse: Arc::new(platform::refuse),
    };
    let console = Surface {
        guard: Arc::clone(&state.guard),
        credential: console::credential,
        refuse: Arc::new(console::refuse),
    };
    // A sandbox node records every vendor call and dates every answer on its clock; other
    // nodes carry neither layer.
    let sandbox = state.sandbox.is_some();
    let mut vendor_routes = vendor_api::router()
        .merge(ssg_calls::router())
        .route_layer(guard(vendor));
    if sandbox {
        vendor_routes = vendor_routes.route_layer(axum::middleware::from_fn_with_state(
            (state.clone(), call_kind as watch::Kinds),
            watch::watch,
        ));
    }
    let mut app = Router::new()
        .merge(vendor_routes)
        .merge(
            platform::router(state.config.limits.platform_body_bytes).route_layer(guard(platform)),
        )
        .merge(console::router().route_layer(guard(console)))
        .merge(observe::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(platform::problem::in_korean));
    if sandbox {
        app = app.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            sandbox_date,
        ));
    }
    app.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        note_changes,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        observe::observe,
    ))
    .with_state(state)
}

/// On a sandbox node (the only one that carries this layer), every answer's `Date` is the
/// sandbox clock's time, so that a client that
/// takes "today" from the server's answers sees the sandbox's day. (hyper writes the
/// system's time only where no `Date` is given.)
async fn sandbox_date(
    State(app): State<AppState>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    let at = jiff::Timestamp::from_second(app.clock.now().unix_seconds())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let date = at.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string();
    if let Ok(value) = axum::http::HeaderValue::from_str(&date) {
        response
            .headers_mut()
            .insert(axum::http::header::DATE, value);
    }
    response
}

/// The kind of vendor call a path names, for the sandbox's record and triggers.
fn call_kind(path: &str) -> CallKind {
    match path {
        INQUIRY_PATH => CallKind::Inquiry,
        ssg_calls::LIST_SHPP_DIRECTION | ssg_calls::LIST_WAREHOUSE_OUT => CallKind::ShippingList,
        ssg_calls::CONFIRM => CallKind::Confirm,
        ssg_calls::SAVE_WBL_NO => CallKind::Waybill,
        ssg_calls::RELEASE => CallKind::Release,
        ssg_calls::APPROVE | ssg_calls::APPROVE_WITH_BODY => CallKind::Approve,
        ssg_calls::CANCEL_REQUESTS => CallKind::CancelRequests,
        path if path.starts_with("/api/claim/v2/order/") => CallKind::OrderDetail,
        _ => CallKind::Other,
    }
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
        app.note_change();
    }
    response
}

/// Answers a path that does not exist: SSG's envelope with code 99 on SSG's paths, the
/// console's page under `/console/`, a problem elsewhere.
async fn not_found(State(app): State<AppState>, request: Request) -> Response {
    if envelope::is_ssg_path(request.uri().path()) {
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
    if envelope::is_ssg_path(request.uri().path()) {
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
