//! The platform API (`/v1`): JSON for the storefront, the service center, operators and
//! vendors' own actions, with `application/problem+json` errors.
//!
//! Callers authenticate with `Authorization: Bearer <credential>`: a platform token (which
//! carries a role) or, for a vendor's own actions, its SSG API key.

pub mod dto;
pub(crate) mod events;
mod idempotency;
mod orders;
pub(crate) mod problem;
mod request;
mod requests;
pub mod returns;
mod sandbox;
mod vendors;
mod webhooks;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};

use crate::app::limits::Refusal;
use crate::app::notes::Notes;
use crate::app::state::AppState;
use problem::{Problem, ProblemKind};

/// The platform API, taking bodies up to `max_body` bytes.
pub(crate) fn router(max_body: usize) -> Router<AppState> {
    Router::new()
        .route("/v1/vendors", post(vendors::create))
        .route("/v1/vendors/{spl_ven_id}", get(vendors::show))
        .route("/v1/vendors/{spl_ven_id}/keys", post(vendors::issue_key))
        .route("/v1/keys/{key_id}", delete(vendors::revoke_key))
        .route("/v1/orders", post(orders::place).get(orders::of_customer))
        .route("/v1/claims/{clm_no}", get(orders::claim))
        .route("/v1/events", get(events::feed))
        .route("/v1/sandbox/clock", get(sandbox::show).post(sandbox::shift))
        .route("/v1/sandbox/report", get(sandbox::report))
        .route("/v1/sandbox/reconcile", post(sandbox::reconcile))
        .route("/v1/webhooks", post(webhooks::register).get(webhooks::list))
        .route(
            "/v1/webhooks/{webhook_id}",
            get(webhooks::show).delete(webhooks::remove),
        )
        .route("/v1/webhooks/{webhook_id}/secret", post(webhooks::rotate))
        .route("/v1/webhooks/{webhook_id}/resume", post(webhooks::resume))
        .route("/v1/webhooks/{webhook_id}/replay", post(webhooks::replay))
        .route(
            "/v1/webhooks/{webhook_id}/deliveries",
            get(webhooks::deliveries),
        )
        .route("/v1/orders/{ord_no}", get(orders::show))
        .route("/v1/orders/{ord_no}/cancellations", post(orders::cancel))
        .route(
            "/v1/orders/{ord_no}/items/{ord_item_seq}/shipment",
            post(orders::ship),
        )
        .route(
            "/v1/orders/{ord_no}/items/{ord_item_seq}/delivery",
            post(orders::deliver),
        )
        .route("/v1/orders/{ord_no}/cancel-requests", post(requests::file))
        .route("/v1/orders/{ord_no}/returns", post(returns::file_return))
        .route(
            "/v1/orders/{ord_no}/exchanges",
            post(returns::file_exchange),
        )
        .route("/v1/claims/{clm_no}/withdrawal", post(returns::withdraw))
        .route("/v1/cancel-requests/{request_id}", get(requests::show))
        .route(
            "/v1/cancel-requests/{request_id}/withdrawal",
            post(requests::withdraw),
        )
        .layer(DefaultBodyLimit::max(max_body))
}

/// How the platform API refuses what the guard stops: `unavailable` when the node is busy
/// or the request too slow, `rate-limited` with `Retry-After` when the credential spent its
/// budget.
pub(crate) fn refuse(
    _headers: &HeaderMap,
    _notes: Option<std::sync::Arc<Notes>>,
    refusal: Refusal,
) -> Response {
    match refusal {
        Refusal::Busy => Problem::new(
            ProblemKind::Unavailable,
            "the service is handling as many requests as it can; retry in a moment",
        )
        .ko("서비스가 처리할 수 있는 만큼 요청을 처리하고 있습니다. 잠시 뒤에 다시 시도하세요."),
        Refusal::TooSlow => Problem::new(
            ProblemKind::Unavailable,
            "the request took too long to answer; retry in a moment",
        )
        .ko("요청을 처리하는 데 너무 오래 걸렸습니다. 잠시 뒤에 다시 시도하세요."),
        Refusal::RateLimited { retry_after_secs } => Problem::rate_limited(retry_after_secs),
    }
    .into_response()
}

/// Answers requests to paths that do not exist.
pub(crate) async fn route_not_found(method: Method, uri: Uri) -> Problem {
    Problem::new(
        ProblemKind::RouteNotFound,
        format!("there is no endpoint {method} {}", uri.path()),
    )
    .ko(format!("{method} {} 엔드포인트는 없습니다.", uri.path()))
}

/// Answers requests with a method the path does not take.
pub(crate) async fn method_not_allowed(method: Method, uri: Uri) -> Problem {
    Problem::new(
        ProblemKind::MethodNotAllowed,
        format!("{} does not take {method}", uri.path()),
    )
    .ko(format!("{}에는 {method}를 쓸 수 없습니다.", uri.path()))
}
