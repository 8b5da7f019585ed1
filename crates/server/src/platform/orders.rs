//! Orders: placing, reading, canceling, shipping.

use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use claims_domain::{ItemSeq, OrderNo};
use claims_store::{Placed, Role};

use super::dto::{CancellationBody, ClaimView, OrderBody, OrderView, ShipmentView};
use super::problem::{Problem, ProblemKind};
use super::{Caller, JsonBody, Segments, json};
use crate::AppState;

/// An order number from a path; one that cannot exist is simply not found.
fn order_no(value: &str) -> Result<OrderNo, Problem> {
    OrderNo::parse("ordNo", value)
        .map_err(|_| Problem::new(ProblemKind::OrderNotFound, format!("no order {value:?}")))
}

#[tracing::instrument(name = "place_order", skip_all, fields(order.no = %body.ord_no))]
pub(crate) async fn place(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<OrderBody>,
) -> Result<Response, Problem> {
    caller.role(&[Role::Storefront, Role::Admin])?;
    let order = body.to_order()?;
    match app.store.place_order(order, app.clock.now()).await? {
        Placed::Created(record) => {
            let mut response = json(StatusCode::CREATED, &OrderView::from(&record));
            if let Ok(location) =
                HeaderValue::from_str(&format!("/v1/orders/{}", record.order.ord_no()))
            {
                response.headers_mut().insert(LOCATION, location);
            }
            Ok(response)
        }
        Placed::Existing(record) => Ok(json(StatusCode::OK, &OrderView::from(&record))),
    }
}

pub(crate) async fn show(
    State(app): State<AppState>,
    caller: Caller,
    Segments(ord_no): Segments<String>,
) -> Result<Response, Problem> {
    caller.role(&[Role::Storefront, Role::ServiceCenter, Role::Admin])?;
    let ord_no = order_no(&ord_no)?;
    let record =
        app.store.order(&ord_no).await?.ok_or_else(|| {
            Problem::new(ProblemKind::OrderNotFound, format!("no order {ord_no}"))
        })?;
    Ok(json(StatusCode::OK, &OrderView::from(&record)))
}

#[tracing::instrument(name = "cancel", skip_all, fields(order.no = %ord_no, claim.no = tracing::field::Empty))]
pub(crate) async fn cancel(
    State(app): State<AppState>,
    caller: Caller,
    Segments(ord_no): Segments<String>,
    JsonBody(body): JsonBody<CancellationBody>,
) -> Result<Response, Problem> {
    let role = caller.role(&[Role::Storefront, Role::ServiceCenter])?;
    let ord_no = order_no(&ord_no)?;
    let command = body.to_command(role)?;
    let claim = app.store.cancel(&ord_no, &command, app.clock.now()).await?;
    tracing::Span::current().record("claim.no", claim.clm_no.as_str());
    tracing::info!(lines = claim.lines.len(), "claim recorded");
    app.metrics.claim_recorded(claim.lines.len());
    Ok(json(StatusCode::CREATED, &ClaimView::from(&claim)))
}

#[tracing::instrument(name = "ship", skip_all, fields(order.no = %ord_no, item.seq = %seq))]
pub(crate) async fn ship(
    State(app): State<AppState>,
    caller: Caller,
    Segments((ord_no, seq)): Segments<(String, String)>,
) -> Result<Response, Problem> {
    let scope = caller.vendor()?.clone();
    let ord_no = order_no(&ord_no)?;
    let not_found = || {
        Problem::new(
            ProblemKind::ItemNotFound,
            format!("order {ord_no} has no item {seq:?}"),
        )
    };
    let seq_number: i64 = seq.trim().parse().map_err(|_| not_found())?;
    let item_seq = ItemSeq::new("ordItemSeq", seq_number).map_err(|_| not_found())?;
    let shipment = app
        .store
        .ship(&ord_no, item_seq, &scope, app.clock.now())
        .await?;
    Ok(json(StatusCode::OK, &ShipmentView::from(&shipment)))
}
