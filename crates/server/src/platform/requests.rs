//! Cancel requests: the service center files one for confirmed items; the customer (through
//! the storefront) or an agent withdraws it. The vendor approves it with SSG's call
//! (`claims_server::ssg_calls`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use claims_domain::RequestId;
use claims_store::Role;

use super::dto::{CancelRequestView, CancellationBody, WithdrawalBody};
use super::orders::order_no;
use super::problem::{Problem, ProblemKind};
use super::request::{Caller, JsonBody, Params, Segments, created, json};
use crate::app::state::AppState;

#[tracing::instrument(name = "file_cancel_request", skip_all, fields(order.no = tracing::field::Empty, request.id = tracing::field::Empty))]
pub(crate) async fn file(
    State(app): State<AppState>,
    caller: Caller,
    Segments(ord_no): Segments<String>,
    JsonBody(body): JsonBody<CancellationBody>,
) -> Result<Response, Problem> {
    let role = caller.role(&[Role::ServiceCenter, Role::Admin])?;
    let ord_no = order_no(&ord_no)?;
    let span = tracing::Span::current();
    span.record("order.no", tracing::field::display(&ord_no));
    if body.effective_at.is_some() {
        return Err(Problem::invalid(claims_domain::InvalidValue::new(
            "effectiveAt",
            "dates a sandbox's cancellation; a cancel request takes none",
        )));
    }
    let command = body.to_command(role)?;
    let id = crate::app::state::new_request_id();
    span.record("request.id", tracing::field::display(&id));
    let request = app
        .store
        .file_cancel_request(&ord_no, &command, id, app.clock.now())
        .await?;
    tracing::info!(lines = request.lines.len(), "cancel request filed");
    Ok(created(
        &format!("/v1/cancel-requests/{}", request.id),
        &CancelRequestView::from(&request),
    ))
}

/// The query of reads a storefront may make for a customer.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ForCustomer {
    #[serde(rename = "customerId")]
    customer_id: Option<String>,
}

/// Shows a cancel request: to the service center and operators; to the storefront only with
/// the order's `customerId` (without it, the request is answered as missing).
pub(crate) async fn show(
    State(app): State<AppState>,
    caller: Caller,
    Segments(id): Segments<String>,
    Params(query): Params<ForCustomer>,
) -> Result<Response, Problem> {
    let role = caller.role(&[Role::Storefront, Role::ServiceCenter, Role::Admin])?;
    let not_found = || {
        Problem::new(
            ProblemKind::CancelRequestNotFound,
            format!("no cancel request {id:?}"),
        )
        .ko(format!("취소신청 {id:?}이(가) 없습니다."))
    };
    let request_id = RequestId::parse("requestId", &id).map_err(|_| not_found())?;
    let request = app
        .store
        .cancel_request(&request_id)
        .await?
        .ok_or_else(not_found)?;
    if role == Role::Storefront {
        let order = app
            .store
            .order(&request.oror_no)
            .await?
            .ok_or_else(not_found)?;
        if query.customer_id.as_deref().map(str::trim) != Some(order.order.customer_id().as_str()) {
            return Err(not_found());
        }
    }
    Ok(json(StatusCode::OK, &CancelRequestView::from(&request)))
}

#[tracing::instrument(name = "withdraw_cancel_request", skip_all, fields(request.id = tracing::field::Empty))]
pub(crate) async fn withdraw(
    State(app): State<AppState>,
    caller: Caller,
    Segments(id): Segments<String>,
    JsonBody(body): JsonBody<WithdrawalBody>,
) -> Result<Response, Problem> {
    let role = caller.role(&[Role::Storefront, Role::ServiceCenter, Role::Admin])?;
    let id = RequestId::parse("requestId", &id).map_err(|_| {
        Problem::new(
            ProblemKind::CancelRequestNotFound,
            format!("no cancel request {id:?}"),
        )
        .ko(format!("취소신청 {id:?}이(가) 없습니다."))
    })?;
    tracing::Span::current().record("request.id", tracing::field::display(&id));
    let actor = body.to_actor(role)?;
    let request = app
        .store
        .withdraw_cancel_request(&id, &actor, app.clock.now())
        .await?;
    tracing::info!("cancel request withdrawn");
    Ok(json(StatusCode::OK, &CancelRequestView::from(&request)))
}
