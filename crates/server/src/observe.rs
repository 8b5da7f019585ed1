//! What operators see of each request: a request id (taken from `X-Request-Id` or made
//! here, and returned in it), a tracing span carrying it over every log line of the
//! request, one access-log line when it is answered, and the request metrics. Also the
//! probes and the metrics endpoint.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tracing::Instrument;

use crate::app::notes::{Cause, Notes};
use crate::app::state::AppState;

pub(crate) static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a caller.
const MAX_REQUEST_ID: usize = 128;

/// The caller's request id when it is a sensible one (visible ASCII, not too long), or a new
/// UUID.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|id| {
            !id.is_empty() && id.len() <= MAX_REQUEST_ID && id.bytes().all(|b| b.is_ascii_graphic())
        })
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

/// Probes and scrapes, logged at debug level so that they do not drown the rest.
fn is_probe(route: &str) -> bool {
    matches!(route, "/healthz" | "/readyz" | "/metrics" | "/openapi.json")
}

/// The middleware around every route.
pub(crate) async fn observe(
    State(app): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let id = request_id(request.headers());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = request.method().as_str().to_owned();
    let notes = Arc::new(Notes::default());
    request.extensions_mut().insert(Arc::clone(&notes));
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);

    let mut response = next.run(request).instrument(span.clone()).await;
    if let Some(cause) = response.extensions_mut().remove::<Cause>() {
        span.in_scope(|| cause.log());
    }

    let latency = started.elapsed();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    let status = response.status().as_u16();
    let result_code = notes.noted_result_code();
    let vendor = notes.noted_vendor();
    app.metrics
        .request(&route, &method, status, result_code, latency);
    let latency_ms = latency_ms(latency);
    span.in_scope(|| {
        if is_probe(&route) {
            tracing::debug!(status, latency_ms, "answered");
        } else {
            tracing::info!(
                status,
                result_code,
                vendor.id = vendor,
                latency_ms,
                "answered"
            );
        }
    });
    response
}

fn latency_ms(latency: Duration) -> f64 {
    (latency.as_secs_f64() * 1e6).round() / 1e3
}

/// The OpenAPI document of every endpoint, committed beside this crate.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.json`.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
}

async fn openapi() -> Response {
    ([(CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// The process is alive and serving HTTP; nothing else is checked.
async fn healthz() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

/// How long the readiness check waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// Ready when the database answers and its schema is the one this build expects.
async fn readyz(State(app): State<AppState>) -> Response {
    let checked = tokio::time::timeout(READY_TIMEOUT, app.store.readiness()).await;
    let unready = |reason: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"status": "unready", "reason": reason})),
        )
            .into_response()
    };
    match checked {
        Ok(Ok(schema)) if schema.is_current() => axum::Json(json!({
            "status": "ready",
            "schema": {"current": schema.current, "expected": schema.expected},
        }))
        .into_response(),
        Ok(Ok(schema)) => {
            tracing::warn!(
                current = schema.current,
                expected = schema.expected,
                "not ready: the database schema is not this build's"
            );
            unready(format!(
                "the database schema is at version {}, this build expects {}",
                schema.current, schema.expected
            ))
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "not ready: the database cannot be reached");
            unready("the database cannot be reached".into())
        }
        Err(_) => {
            tracing::warn!("not ready: the database did not answer in time");
            unready(format!(
                "the database did not answer within {} s",
                READY_TIMEOUT.as_secs()
            ))
        }
    }
}

async fn metrics(State(app): State<AppState>) -> Response {
    (
        [(CONTENT_TYPE, crate::app::metrics::CONTENT_TYPE)],
        app.metrics.render(&*app.store),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_taken_when_sensible_and_made_otherwise() {
        let mut headers = HeaderMap::new();
        let made = request_id(&headers);
        assert_eq!(made.len(), 36);
        headers.insert(&REQUEST_ID, HeaderValue::from_static("lb-7f3a.42"));
        assert_eq!(request_id(&headers), "lb-7f3a.42");
        headers.insert(&REQUEST_ID, HeaderValue::from_static("two words"));
        assert_eq!(request_id(&headers).len(), 36);
        let long = "x".repeat(MAX_REQUEST_ID + 1);
        headers.insert(&REQUEST_ID, HeaderValue::from_str(&long).unwrap());
        assert_eq!(request_id(&headers).len(), 36);
    }
}
