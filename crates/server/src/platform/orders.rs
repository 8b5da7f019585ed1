//! Orders: placing, reading, canceling, shipping.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use claims_domain::{Claim, ItemSeq, OrderNo, ShipRejection};
use claims_store::{Completion, NotFound, Placed, Role, StoreError, StoredAnswer};
use serde::Deserialize;

use super::dto::{CancellationBody, ClaimView, OrderBody, OrderView, ShipmentView};
use super::idempotency::{self, Start, json_answer};
use super::problem::{Problem, ProblemKind};
use super::{Caller, Params, RawJson, Segments, json};
use crate::AppState;

/// An order number from a path; one that cannot exist is simply not found.
pub(crate) fn order_no(value: &str) -> Result<OrderNo, Problem> {
    OrderNo::parse("ordNo", value)
        .map_err(|_| Problem::new(ProblemKind::OrderNotFound, format!("no order {value:?}")))
}

// Span fields hold only values that passed validation, so that no caller can shape a log
// line; each is recorded once its value is known to be well-formed.
#[tracing::instrument(name = "place_order", skip_all, fields(order.no = tracing::field::Empty))]
pub(crate) async fn place(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: RawJson<OrderBody>,
) -> Result<Response, Problem> {
    caller.role(&[Role::Storefront, Role::Admin])?;
    let target = body.value.ord_no.clone();
    let key = match idempotency::start(
        &app,
        &headers,
        &caller,
        "POST /v1/orders",
        &target,
        &body.bytes,
    )
    .await?
    {
        Start::Replay(response) => return Ok(response),
        Start::Run(key) => key,
    };
    let result = async {
        let order = body.value.to_order()?;
        tracing::Span::current().record("order.no", tracing::field::display(order.ord_no()));
        let now = app.clock.now();
        let placed = match &key {
            Some(key) => {
                let done = Completion {
                    key: key.clone(),
                    render: Box::new(placed_answer),
                };
                app.store.place_order_once(order, now, done).await?
            }
            None => app.store.place_order(order, now).await?,
        };
        Ok(idempotency::respond(placed_answer(&placed)))
    }
    .await;
    Ok(idempotency::end(&app, key, result).await)
}

/// The answer to placing an order: 201 with its location when new, 200 when it was placed
/// before with the same contents.
fn placed_answer(placed: &Placed) -> StoredAnswer {
    match placed {
        Placed::Created(record) => json_answer(
            StatusCode::CREATED,
            &OrderView::from(record),
            Some(format!("/v1/orders/{}", record.order.ord_no())),
        ),
        Placed::Existing(record) => json_answer(StatusCode::OK, &OrderView::from(record), None),
    }
}

/// The query of `GET /v1/orders/{ordNo}`.
#[derive(Debug, Deserialize)]
pub(crate) struct ShowQuery {
    /// The customer the storefront asks for; required of a storefront token.
    #[serde(rename = "customerId")]
    customer_id: Option<String>,
}

/// Shows an order. The storefront is a server acting for customers, so its token sees an
/// order only together with the customer who placed it: without that customer's
/// `customerId`, the order is answered as missing, so that a leaked storefront token cannot
/// read every customer's orders (or learn whose they are).
pub(crate) async fn show(
    State(app): State<AppState>,
    caller: Caller,
    Segments(ord_no): Segments<String>,
    Params(query): Params<ShowQuery>,
) -> Result<Response, Problem> {
    let role = caller.role(&[Role::Storefront, Role::ServiceCenter, Role::Admin])?;
    let ord_no = order_no(&ord_no)?;
    let not_found = || Problem::new(ProblemKind::OrderNotFound, format!("no order {ord_no}"));
    let record = app.store.order(&ord_no).await?.ok_or_else(not_found)?;
    if role == Role::Storefront
        && query.customer_id.as_deref().map(str::trim) != Some(record.order.customer_id().as_str())
    {
        return Err(not_found());
    }
    Ok(json(StatusCode::OK, &OrderView::from(&record)))
}

#[tracing::instrument(name = "cancel", skip_all, fields(order.no = tracing::field::Empty, claim.no = tracing::field::Empty))]
pub(crate) async fn cancel(
    State(app): State<AppState>,
    caller: Caller,
    Segments(ord_no): Segments<String>,
    headers: HeaderMap,
    body: RawJson<CancellationBody>,
) -> Result<Response, Problem> {
    let role = caller.role(&[Role::Storefront, Role::ServiceCenter])?;
    let operation = "POST /v1/orders/{ordNo}/cancellations";
    let key =
        match idempotency::start(&app, &headers, &caller, operation, &ord_no, &body.bytes).await? {
            Start::Replay(response) => return Ok(response),
            Start::Run(key) => key,
        };
    let result = async {
        let ord_no = order_no(&ord_no)?;
        tracing::Span::current().record("order.no", tracing::field::display(&ord_no));
        let command = body.value.to_command(role)?;
        let now = app.clock.now();
        let claim = match &key {
            Some(key) => {
                let done = Completion {
                    key: key.clone(),
                    render: Box::new(claim_answer),
                };
                app.store.cancel_once(&ord_no, &command, now, done).await?
            }
            None => app.store.cancel(&ord_no, &command, now).await?,
        };
        tracing::Span::current().record("claim.no", tracing::field::display(&claim.clm_no));
        tracing::info!(lines = claim.lines.len(), "claim recorded");
        app.metrics.claim_recorded(claim.lines.len());
        Ok(idempotency::respond(claim_answer(&claim)))
    }
    .await;
    Ok(idempotency::end(&app, key, result).await)
}

fn claim_answer(claim: &Claim) -> StoredAnswer {
    json_answer(StatusCode::CREATED, &ClaimView::from(claim), None)
}

#[tracing::instrument(name = "ship", skip_all, fields(order.no = tracing::field::Empty, item.seq = tracing::field::Empty))]
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
    let span = tracing::Span::current();
    span.record("order.no", tracing::field::display(&ord_no));
    span.record("item.seq", item_seq.get());
    let shipment = match app
        .store
        .ship(&ord_no, item_seq, &scope, app.clock.now())
        .await
    {
        // Another vendor's item is answered exactly as a missing one: a key must not be
        // able to map which orders and items exist.
        Err(StoreError::Ship(ShipRejection::NotYourItem)) => {
            return Err(StoreError::from(NotFound::Item(ord_no, item_seq)).into());
        }
        shipped => shipped?,
    };
    Ok(json(StatusCode::OK, &ShipmentView::from(&shipment)))
}
