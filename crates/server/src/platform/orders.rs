//! Orders: placing, reading, canceling, shipping.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use claims_domain::{
    Claim, ClaimNo, CustomerId, InvalidValue, ItemSeq, KstDateTime, OrderNo, ShipRejection,
};
use claims_store::{
    Completion, ItemRef, NotFound, OrderCursor, Placed, Role, StoreError, StoredAnswer,
};
use serde::{Deserialize, Serialize};

use super::dto::{
    CancellationBody, ClaimView, OrderBody, OrderView, PickupClaimView, ShipmentView,
};
use super::idempotency::{self, Start, json_answer};
use super::problem::{Problem, ProblemKind};
use super::request::{Caller, Params, RawJson, Segments, json};
use crate::app::state::AppState;

/// An order number from a path; one that cannot exist is simply not found.
pub(crate) fn order_no(value: &str) -> Result<OrderNo, Problem> {
    OrderNo::parse("ordNo", value).map_err(|_| {
        Problem::new(ProblemKind::OrderNotFound, format!("no order {value:?}"))
            .ko(format!("주문 {value:?}이(가) 없습니다."))
    })
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
    let not_found = || {
        Problem::new(ProblemKind::OrderNotFound, format!("no order {ord_no}"))
            .ko(format!("주문 {ord_no}이(가) 없습니다."))
    };
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
        let now = match &body.value.effective_at {
            None => app.clock.now(),
            Some(at) => effective_at(&app, at)?,
        };
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

/// How far back a sandbox's late commit may date its claim.
const LATE_COMMIT_MAX_SECS: i64 = 24 * 3600;

/// The time a sandbox's late-committed claim carries: only on a sandbox, never ahead of
/// the clock and at most a day behind it.
fn effective_at(app: &AppState, at: &str) -> Result<KstDateTime, Problem> {
    if app.sandbox.is_none() {
        return Err(Problem::invalid(InvalidValue::new(
            "effectiveAt",
            "dates a claim in the past, which only a sandbox allows",
        )));
    }
    let at = KstDateTime::parse("effectiveAt", at)?;
    let now = app.clock.now();
    if at > now || at < now.plus_seconds(-LATE_COMMIT_MAX_SECS) {
        return Err(Problem::invalid(InvalidValue::new(
            "effectiveAt",
            format!("must lie within the day before the sandbox's now ({now}), got {at}"),
        )));
    }
    Ok(at)
}

fn claim_answer(claim: &Claim) -> StoredAnswer {
    json_answer(
        StatusCode::CREATED,
        &ClaimView::from(claim),
        Some(format!("/v1/claims/{}", claim.clm_no)),
    )
}

/// Shows a claim by its number: to the service center and operators; to the storefront only
/// with the `customerId` of the order's customer (without it, the claim is answered as
/// missing, as orders are).
pub(crate) async fn claim(
    State(app): State<AppState>,
    caller: Caller,
    Segments(clm_no): Segments<String>,
    Params(query): Params<ShowQuery>,
) -> Result<Response, Problem> {
    let role = caller.role(&[Role::Storefront, Role::ServiceCenter, Role::Admin])?;
    let not_found = || {
        Problem::new(ProblemKind::ClaimNotFound, format!("no claim {clm_no:?}"))
            .ko(format!("클레임 {clm_no:?}이(가) 없습니다."))
    };
    let number = ClaimNo::parse("ordNo", &clm_no).map_err(|_| not_found())?;
    // A cancellation, or else a return or an exchange: one numbering for all.
    let (oror_no, view) = match app.store.claim(&number).await? {
        Some(claim) => (
            claim.oror_no.clone(),
            serde_json::to_value(ClaimView::from(&claim)),
        ),
        None => {
            let claim = app
                .store
                .pickup_claim(&number)
                .await?
                .ok_or_else(not_found)?;
            (
                claim.oror_no.clone(),
                serde_json::to_value(PickupClaimView::from(&claim)),
            )
        }
    };
    if role == Role::Storefront {
        let order = app.store.order(&oror_no).await?.ok_or_else(not_found)?;
        if query.customer_id.as_deref().map(str::trim) != Some(order.order.customer_id().as_str()) {
            return Err(not_found());
        }
    }
    let view = view.map_err(|error| Problem::internal(format!("a claim's view: {error}")))?;
    Ok(json(StatusCode::OK, &view))
}

/// The query of `GET /v1/orders`.
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(rename = "customerId")]
    customer_id: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// The most orders one page of `GET /v1/orders` holds, and how many unless asked.
const MAX_PAGE: usize = 100;
const DEFAULT_PAGE: usize = 20;

/// A customer's orders, newest first, a page at a time: `{"orders": [...], "nextCursor"}`,
/// `nextCursor` present while more remain. The same roles read them as read an order.
pub(crate) async fn of_customer(
    State(app): State<AppState>,
    caller: Caller,
    Params(query): Params<ListQuery>,
) -> Result<Response, Problem> {
    caller.role(&[Role::Storefront, Role::ServiceCenter, Role::Admin])?;
    let customer = query
        .customer_id
        .as_deref()
        .ok_or_else(|| InvalidValue::new("customerId", "is required: whose orders to list"))?;
    let customer = CustomerId::parse("customerId", customer)?;
    let limit = match query.limit.as_deref() {
        None => DEFAULT_PAGE,
        Some(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| {
                InvalidValue::new("limit", format!("must be a number from 1 to {MAX_PAGE}"))
            })?,
    };
    let after = query.cursor.as_deref().map(parse_cursor).transpose()?;
    // One more than asked says whether another page follows.
    let mut orders = app
        .store
        .orders_of_customer(&customer, after.as_ref(), limit + 1)
        .await?;
    let next = (orders.len() > limit).then(|| {
        orders.truncate(limit);
        let last = orders.last().expect("a full page");
        format!(
            "{}.{}",
            last.order.received_at().unix_seconds(),
            last.order.ord_no()
        )
    });
    Ok(json(
        StatusCode::OK,
        &OrderPage {
            orders: orders.iter().map(OrderView::from).collect(),
            next_cursor: next,
        },
    ))
}

/// A cursor of `GET /v1/orders`, as the previous page's `nextCursor` gave it.
fn parse_cursor(text: &str) -> Result<OrderCursor, InvalidValue> {
    let invalid = || {
        InvalidValue::new(
            "cursor",
            "is not a cursor this API gave: pass nextCursor as it came",
        )
    };
    let (seconds, ord_no) = text.trim().split_once('.').ok_or_else(invalid)?;
    let received_at = seconds
        .parse::<i64>()
        .ok()
        .and_then(KstDateTime::from_unix_seconds)
        .ok_or_else(invalid)?;
    let ord_no = OrderNo::parse("cursor", ord_no).map_err(|_| invalid())?;
    Ok(OrderCursor {
        received_at,
        ord_no,
    })
}

/// A page of a customer's orders.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderPage {
    orders: Vec<OrderView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
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
        .ko(format!("주문 {ord_no}에 {seq:?}번 상품이 없습니다."))
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

/// `POST /v1/orders/{ordNo}/items/{ordItemSeq}/delivery`: the carrier's word that a released
/// item reached the customer (배송완료), on saveDeliveryEnd's rules (from the KST day after
/// release; once). Admin and storefront.
#[tracing::instrument(name = "deliver", skip_all, fields(order.no = tracing::field::Empty, item.seq = tracing::field::Empty))]
pub(crate) async fn deliver(
    State(app): State<AppState>,
    caller: Caller,
    Segments((ord_no, seq)): Segments<(String, String)>,
) -> Result<Response, Problem> {
    caller.role(&[Role::Admin, Role::Storefront])?;
    let ord_no = order_no(&ord_no)?;
    let not_found = || {
        Problem::new(
            ProblemKind::ItemNotFound,
            format!("order {ord_no} has no item {seq:?}"),
        )
        .ko(format!("주문 {ord_no}에 {seq:?}번 상품이 없습니다."))
    };
    let seq_number: i64 = seq.trim().parse().map_err(|_| not_found())?;
    let item_seq = ItemSeq::new("ordItemSeq", seq_number).map_err(|_| not_found())?;
    let span = tracing::Span::current();
    span.record("order.no", tracing::field::display(&ord_no));
    span.record("item.seq", item_seq.get());
    let state = app
        .store
        .deliver(
            &ItemRef::Order(ord_no.clone(), item_seq),
            None,
            app.clock.now(),
        )
        .await?;
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({
            "ordNo": ord_no.as_str(),
            "ordItemSeq": item_seq.get(),
            "shippingStatus": state.shipping_status().as_str(),
            "shippedAt": state.shipped_at.map(KstDateTime::to_wire),
            "deliveredAt": state.delivered_at.map(KstDateTime::to_wire),
        }),
    ))
}
