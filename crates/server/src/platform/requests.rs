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
use super::{Caller, JsonBody, Segments, json};
use crate::AppState;

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
    let command = body.to_command(role)?;
    let id = crate::new_request_id();
    span.record("request.id", tracing::field::display(&id));
    let request = app
        .store
        .file_cancel_request(&ord_no, &command, id, app.clock.now())
        .await?;
    tracing::info!(lines = request.lines.len(), "cancel request filed");
    let mut response = json(StatusCode::CREATED, &CancelRequestView::from(&request));
    if let Ok(location) = format!("/v1/orders/{ord_no}").parse() {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, location);
    }
    Ok(response)
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
