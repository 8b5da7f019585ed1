//! SSG's shipping and cancel-request calls, beside the inquiry: listing shipping directions,
//! confirming, listing confirmed items, recording a waybill, releasing; the vendor's own
//! notices (an out-of-stock registration and its withdrawal, a delay); listing and
//! approving cancel requests; an order's detail. Same envelope, negotiation, key and error
//! mode as the inquiry (`vendor_api`), checked in the same order: the answer's format, the
//! request's `Content-Type` (for a call that reads a body), the key, then the body.
//!
//! Any other path under `/api/` is answered in the envelope with code 99.

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use axum::routing::{get, post};
use bytes::Bytes;
use claims_domain::PickupRejection;
use claims_domain::{
    CancelRejection, KstDate, MAX_DELAY_DAYS, OrderNo, Release, Scope, ShipRejection,
    ShippingStatus,
};
use claims_store::{ItemRef, NotFound, PickupStep, StoreError};
use claims_wire::calls::{
    self, ApproveCall, Listing, NoSellEvent, ShippingList, ShippingRef, approve_call,
    cancel_requests_period, decode_approve_body, decode_confirm, decode_delay,
    decode_delivered_list, decode_delivery_end, decode_no_sell, decode_release,
    decode_shipping_list, decode_waybill, delay_date_refused, delivered_row, encode_done,
    encode_rows, order_detail_rows, pending_line_row, query_fields, shipping_row,
};
use claims_wire::pickups::{
    PICKUP_LISTING, decode_pickup_list, decode_pickup_refusal, decode_pickup_step, pickup_row,
};
use claims_wire::{AuthFailure, Failure, Field, Fields, Format, Missing, Refusal, request_format};
use tracing::Span;

use crate::app::envelope::{CallError, Reply, credential, header, read_body};
use crate::app::notes::Notes;
use crate::app::state::AppState;

pub const LIST_SHPP_DIRECTION: &str = "/api/pd/1/listShppDirection.ssg";
pub const CONFIRM: &str = "/api/pd/1/updateOrderSubjectManage.ssg";
pub const LIST_WAREHOUSE_OUT: &str = "/api/pd/1/listWarehouseOut.ssg";
pub const SAVE_WBL_NO: &str = "/api/pd/1/saveWblNo.ssg";
pub const RELEASE: &str = "/api/pd/1/saveWhOutCompleteProcess.ssg";
pub const NO_SELL: &str = "/api/pd/1/saveNoSellRequestRegist.ssg";
pub const DELAY: &str = "/api/pd/1/listShppingDelay.ssg";
pub const DELIVERY_END: &str = "/api/pd/1/saveDeliveryEnd.ssg";
pub const DELIVERED: &str = "/api/pd/1/listDeliveryEnd.ssg";
pub const PICKUPS: &str = "/api/pd/1/listExchangeTarget.ssg";
pub const CONFIRM_PICKUP: &str = "/api/pd/1/saveConfirmRcov.ssg";
pub const COMPLETE_PICKUP: &str = "/api/pd/1/saveCompleteRcov.ssg";
pub const REFUSE_RETURN: &str = "/api/pd/1/saveRefusualReturn.ssg";
pub const CANCEL_REQUESTS: &str = "/api/claim/v2/cancel/requests";
pub const APPROVE: &str = "/api/claim/v2/cancel/request/approve";
pub const APPROVE_WITH_BODY: &str = "/api/claim/v2/cancel/requests/approve";
pub const ORDER_DETAIL: &str = "/api/claim/v2/order/{orord_no}";

/// The most rows a list call answers; more asks for a shorter period (code 16).
pub const MAX_LIST_ROWS: usize = 10_000;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(LIST_SHPP_DIRECTION, post(list_shipping_directions))
        .route(CONFIRM, post(confirm))
        .route(LIST_WAREHOUSE_OUT, post(list_warehouse_outs))
        .route(SAVE_WBL_NO, post(save_waybill))
        .route(RELEASE, post(release))
        .route(NO_SELL, post(no_sell))
        .route(DELAY, post(delay))
        .route(DELIVERY_END, post(delivery_end))
        .route(DELIVERED, post(delivered))
        .route(PICKUPS, post(pickups))
        .route(CONFIRM_PICKUP, post(confirm_pickup))
        .route(COMPLETE_PICKUP, post(complete_pickup))
        .route(REFUSE_RETURN, post(refuse_return))
        .route(CANCEL_REQUESTS, get(cancel_requests))
        .route(APPROVE, post(approve))
        .route(APPROVE_WITH_BODY, post(approve))
        .route(ORDER_DETAIL, get(order_detail).post(order_detail))
}

/// A call as read from its request: how to answer it, what it sent, and for whom.
struct Call {
    reply: Reply,
    headers: HeaderMap,
    /// The body's format by `Content-Type`, or why it cannot be read.
    sent: Result<Format, Failure>,
    body: Result<Bytes, Failure>,
    /// The query string's pairs, decoded (none when it cannot be read).
    query: Vec<(String, String)>,
}

impl Call {
    /// Reads a call's request, or answers at once when no format it accepts can be written.
    async fn read(app: &AppState, request: Request) -> Result<Call, Response> {
        let (parts, body) = request.into_parts();
        let reply = Reply::of(
            &parts.headers,
            app.config.errors,
            Notes::of(&parts.extensions),
        )
        .map_err(|(json, failure)| json.failure(&failure))?;
        let sent = request_format(header(&parts.headers, &CONTENT_TYPE));
        let body = read_body(&parts.headers, body).await;
        let call = Call {
            reply,
            headers: parts.headers.clone(),
            sent,
            body,
            query: Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
                .map(|Query(pairs)| pairs)
                .unwrap_or_default(),
        };
        Ok(call)
    }

    /// The scope of the caller's key; refused when it is missing, unknown or revoked.
    async fn scope(&self, app: &AppState) -> Result<Scope, CallError> {
        let key = credential(&self.headers)?;
        let scope = app
            .store
            .scope_for_key(&key)
            .await?
            .ok_or(Failure::Auth(AuthFailure::Invalid))?;
        self.reply.vendor(scope.vendor.as_str());
        Ok(scope)
    }

    /// The body and its format, for a call that reads one.
    fn body(&self) -> Result<(Format, &[u8]), Failure> {
        let format = self.sent.clone()?;
        let body = self.body.as_ref().map_err(Clone::clone)?;
        Ok((format, body))
    }

    /// The query string's values of `wanted`.
    fn query_fields(&self, wanted: &[Field]) -> Fields {
        query_fields(
            self.query
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
            wanted,
        )
    }

    fn answer(&self, result: Result<Vec<u8>, CallError>) -> Response {
        match result {
            Ok(body) => self.reply.success(Body::from(body)),
            Err(error) => self.reply.error(&error),
        }
    }
}

/// Runs a call: reads the request, then `work`, and answers what it returns.
macro_rules! call {
    ($app:expr, $request:expr, |$call:ident| $work:expr) => {{
        match Call::read(&$app, $request).await {
            Err(response) => response,
            Ok($call) => {
                let result = async { $work }.await;
                $call.answer(result)
            }
        }
    }};
}

/// The item a shipping call names, or code 30 when it can name none here.
fn item_ref(item: ShippingRef) -> Result<ItemRef, Failure> {
    if item.is_ours() {
        Ok(ItemRef::Shipping(item.shpp_no))
    } else {
        Err(Failure::NotFound(Missing::Item))
    }
}

/// Maps what the store says about a shipping or cancel-request call to SSG's codes: an item
/// that is missing or another vendor's is the same `30`, so that no key can map which items
/// exist; a state that does not allow the call is `31`.
fn call_failure(error: StoreError) -> CallError {
    let failure = match error {
        StoreError::NotFound(NotFound::Item(..) | NotFound::Shipping(_) | NotFound::Order(_))
        | StoreError::Ship(ShipRejection::NotYourItem) => Failure::NotFound(Missing::Item),
        StoreError::Ship(rejection) => Failure::Refused(match rejection {
            ShipRejection::AlreadyShipped => Refusal::AlreadyReleased,
            ShipRejection::NotConfirmed => Refusal::NotConfirmed,
            ShipRejection::NoWaybill => Refusal::NoWaybill,
            ShipRejection::WrongQuantity { asked, open } => Refusal::WrongQuantity { asked, open },
            ShipRejection::FullyCanceled | ShipRejection::NotYourItem => Refusal::FullyCanceled,
            ShipRejection::NotInState { status } => Refusal::NotInState(status),
            ShipRejection::NoSellRegistered => Refusal::NoSellRegistered,
            ShipRejection::AlreadyRegistered => Refusal::AlreadyNoSell,
            ShipRejection::NotReleased => Refusal::NotReleased,
            ShipRejection::DeliveredOnReleaseDay => Refusal::DeliveredOnReleaseDay,
            ShipRejection::AlreadyDelivered => Refusal::AlreadyDelivered,
            ShipRejection::AwaitingPickup => Refusal::AwaitingPickup,
            ShipRejection::NotRegistered => {
                return Failure::NotFound(Missing::NoSellRegistration).into();
            }
        }),
        StoreError::Cancel(CancelRejection::NothingPending) => {
            Failure::NotFound(Missing::PendingRequest)
        }
        other => return CallError::from(other),
    };
    failure.into()
}

fn record(field: &'static str, value: impl std::fmt::Display) {
    Span::current().record(field, tracing::field::display(value));
}

async fn shipping_list(
    app: &AppState,
    call: &Call,
    list: ShippingList,
) -> Result<Vec<u8>, CallError> {
    let (format, body) = call.body()?;
    let scope = call.scope(app).await?;
    let query = decode_shipping_list(format, body, list)?;
    let stage = match list {
        ShippingList::Directions => ShippingStatus::Instructed,
        ShippingList::WarehouseOut => ShippingStatus::Confirmed,
    };
    let mut items = app
        .store
        .shipping_items(&scope, stage, query.period, MAX_LIST_ROWS + 1)
        .await?;
    items.retain(|item| query.admits(item));
    if items.len() > MAX_LIST_ROWS {
        return Err(Failure::TooManyRows { max: MAX_LIST_ROWS }.into());
    }
    Span::current().record("rows", items.len());
    let rows: Vec<_> = items.iter().map(|item| shipping_row(item, list)).collect();
    Ok(encode_rows(
        call.reply.format,
        call.reply.lang,
        list.listing(),
        &rows,
    ))
}

#[tracing::instrument(name = "list_shipping_directions", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, rows = tracing::field::Empty))]
async fn list_shipping_directions(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| shipping_list(
        &app,
        &call,
        ShippingList::Directions
    )
    .await)
}

#[tracing::instrument(name = "list_warehouse_outs", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, rows = tracing::field::Empty))]
async fn list_warehouse_outs(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| shipping_list(
        &app,
        &call,
        ShippingList::WarehouseOut
    )
    .await)
}

#[tracing::instrument(name = "confirm", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, shpp.no = tracing::field::Empty))]
async fn confirm(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let (format, body) = call.body()?;
        let scope = call.scope(&app).await?;
        let item = decode_confirm(format, body)?;
        record("shpp.no", item.shpp_no);
        app.store
            .confirm(&item_ref(item)?, &scope, app.clock.now())
            .await
            .map_err(call_failure)?;
        Ok(encode_done(call.reply.format, call.reply.lang))
    })
}

#[tracing::instrument(name = "save_waybill", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, shpp.no = tracing::field::Empty))]
async fn save_waybill(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let (format, body) = call.body()?;
        let scope = call.scope(&app).await?;
        let waybill = decode_waybill(format, body)?;
        record("shpp.no", waybill.item.shpp_no);
        let recorded = app
            .store
            .record_waybill(
                &item_ref(waybill.item)?,
                &scope,
                &waybill.waybill,
                app.clock.now(),
            )
            .await
            .map_err(call_failure)?;
        if let Some(shipment) = &recorded.shipment {
            tracing::info!(
                rejected = shipment.rejected.len(),
                "waybill on an item with a pending cancel request: released at once"
            );
        }
        Ok(encode_done(call.reply.format, call.reply.lang))
    })
}

#[tracing::instrument(name = "release", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, shpp.no = tracing::field::Empty))]
async fn release(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let (format, body) = call.body()?;
        let scope = call.scope(&app).await?;
        let released = decode_release(format, body)?;
        record("shpp.no", released.item.shpp_no);
        let shipment = app
            .store
            .release(
                &item_ref(released.item)?,
                &scope,
                Release::Vendor { qty: released.qty },
                app.clock.now(),
            )
            .await
            .map_err(call_failure)?;
        tracing::info!(
            qty = shipment.qty.get(),
            rejected = shipment.rejected.len(),
            "item released"
        );
        Ok(encode_done(call.reply.format, call.reply.lang))
    })
}

#[tracing::instrument(name = "no_sell", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, shpp.no = tracing::field::Empty, sc.evnt = tracing::field::Empty))]
async fn no_sell(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let (format, body) = call.body()?;
        let scope = call.scope(&app).await?;
        let asked = decode_no_sell(format, body)?;
        record("shpp.no", asked.item.shpp_no);
        let item = item_ref(asked.item)?;
        let now = app.clock.now();
        let state = match &asked.event {
            NoSellEvent::Register { reason, text } => {
                record("sc.evnt", "I");
                app.store
                    .register_no_sell(&item, &asked.item_id, &scope, *reason, text, now)
                    .await
            }
            NoSellEvent::Withdraw => {
                record("sc.evnt", "D");
                app.store
                    .withdraw_no_sell(&item, &asked.item_id, &scope, now)
                    .await
            }
        }
        .map_err(call_failure)?;
        if let Some(no_sell) = &state.no_sell {
            tracing::info!(
                status = no_sell.status.name(),
                executes_at = %no_sell.executes_at,
                "out-of-stock registration"
            );
        }
        Ok(encode_done(call.reply.format, call.reply.lang))
    })
}

#[tracing::instrument(name = "delay", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, shpp.no = tracing::field::Empty))]
async fn delay(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let (format, body) = call.body()?;
        let scope = call.scope(&app).await?;
        let asked = decode_delay(format, body)?;
        record("shpp.no", asked.item.shpp_no);
        let now = app.clock.now();
        let state = app
            .store
            .notify_delay(
                &item_ref(asked.item)?,
                &asked.item_id,
                &scope,
                asked.reason,
                asked.until,
                now,
            )
            .await
            .map_err(|error| match error {
                // The new date is refused by the rules, which know today; the vendor gets
                // code 11 naming the field, as for any malformed date.
                StoreError::Invalid(_) => CallError::from(delay_date_refused(
                    asked.until,
                    KstDate::of(now),
                    MAX_DELAY_DAYS as u32,
                )),
                other => call_failure(other),
            })?;
        if let Some(delay) = &state.delay {
            tracing::info!(until = %delay.until.compact(), notices = delay.notices, "delay notice");
        }
        Ok(encode_done(call.reply.format, call.reply.lang))
    })
}

#[tracing::instrument(name = "delivery_end", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, shpp.no = tracing::field::Empty))]
async fn delivery_end(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let (format, body) = call.body()?;
        let scope = call.scope(&app).await?;
        let shipment = decode_delivery_end(format, body)?;
        record("shpp.no", shipment.shpp_no);
        app.store
            .deliver(&item_ref(shipment)?, Some(&scope), app.clock.now())
            .await
            .map_err(call_failure)?;
        Ok(encode_done(call.reply.format, call.reply.lang))
    })
}

#[tracing::instrument(name = "delivered", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, rows = tracing::field::Empty))]
async fn delivered(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let (format, body) = call.body()?;
        let scope = call.scope(&app).await?;
        let query = decode_delivered_list(format, body)?;
        let items = app
            .store
            .delivered_items(&scope, &query, MAX_LIST_ROWS + 1)
            .await?;
        if items.len() > MAX_LIST_ROWS {
            return Err(Failure::TooManyRows { max: MAX_LIST_ROWS }.into());
        }
        Span::current().record("rows", items.len());
        let rows: Vec<_> = items.iter().map(delivered_row).collect();
        Ok(encode_rows(
            call.reply.format,
            call.reply.lang,
            calls::DELIVERED_LISTING,
            &rows,
        ))
    })
}

#[tracing::instrument(name = "pickups", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, rows = tracing::field::Empty))]
async fn pickups(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let (format, body) = call.body()?;
        let scope = call.scope(&app).await?;
        let query = decode_pickup_list(format, body)?;
        let listed = app.store.pickups(&scope, &query, MAX_LIST_ROWS + 1).await?;
        if listed.len() > MAX_LIST_ROWS {
            return Err(Failure::TooManyRows { max: MAX_LIST_ROWS }.into());
        }
        Span::current().record("rows", listed.len());
        let rows: Vec<_> = listed.iter().map(pickup_row).collect();
        Ok(encode_rows(
            call.reply.format,
            call.reply.lang,
            PICKUP_LISTING,
            &rows,
        ))
    })
}

/// The pickup a call names, or code 30 when it can name none here.
fn pickup_no(pickup: ShippingRef) -> Result<claims_domain::ShippingNo, CallError> {
    if pickup.is_ours() {
        Ok(pickup.shpp_no)
    } else {
        Err(Failure::NotFound(Missing::Pickup).into())
    }
}

/// Maps what the store says about a pickup call to SSG's codes: a pickup that is missing,
/// withdrawn or another vendor's is the same `30`; a state that does not allow the call is
/// `31`.
fn pickup_failure(error: StoreError) -> CallError {
    let failure = match error {
        StoreError::NotFound(NotFound::Pickup(_))
        | StoreError::Pickup(PickupRejection::NotYourPickup) => Failure::NotFound(Missing::Pickup),
        StoreError::Pickup(PickupRejection::PickupNotInState { status }) => {
            Failure::Refused(Refusal::PickupNotInState(status))
        }
        StoreError::Pickup(PickupRejection::WrongQuantity { asked, qty }) => {
            Failure::Refused(Refusal::PickupQuantity { asked, qty })
        }
        StoreError::Pickup(PickupRejection::ExchangeNotRefusable) => {
            Failure::Refused(Refusal::ExchangeNotRefusable)
        }
        other => return CallError::from(other),
    };
    failure.into()
}

/// Takes `step` on the pickup a call names, for the caller.
async fn pickup_step(
    app: &AppState,
    call: &Call,
    scope: Scope,
    pickup: ShippingRef,
    qty: u32,
    step: PickupStep,
) -> Result<Vec<u8>, CallError> {
    record("shpp.no", pickup.shpp_no);
    app.store
        .pickup_step(pickup_no(pickup)?, &scope, qty, &step, app.clock.now())
        .await
        .map_err(pickup_failure)?;
    Ok(encode_done(call.reply.format, call.reply.lang))
}

#[tracing::instrument(name = "confirm_pickup", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, shpp.no = tracing::field::Empty))]
async fn confirm_pickup(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let (format, body) = call.body()?;
        let scope = call.scope(&app).await?;
        let sent = decode_pickup_step(format, body, true)?;
        let step = PickupStep::Confirm {
            carrier: sent.carrier,
            resell: sent.resell,
            blame: sent.blame,
        };
        pickup_step(&app, &call, scope, sent.pickup, sent.qty, step).await
    })
}

#[tracing::instrument(name = "complete_pickup", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, shpp.no = tracing::field::Empty))]
async fn complete_pickup(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let (format, body) = call.body()?;
        let scope = call.scope(&app).await?;
        let sent = decode_pickup_step(format, body, false)?;
        pickup_step(
            &app,
            &call,
            scope,
            sent.pickup,
            sent.qty,
            PickupStep::Complete,
        )
        .await
    })
}

#[tracing::instrument(name = "refuse_return", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, shpp.no = tracing::field::Empty))]
async fn refuse_return(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let (format, body) = call.body()?;
        let scope = call.scope(&app).await?;
        let sent = decode_pickup_refusal(format, body)?;
        let step = PickupStep::Refuse {
            reason: sent.reason,
            memo: sent.memo,
        };
        pickup_step(&app, &call, scope, sent.pickup, sent.qty, step).await
    })
}

#[tracing::instrument(name = "cancel_requests", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, rows = tracing::field::Empty))]
async fn cancel_requests(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let scope = call.scope(&app).await?;
        let fields = call.query_fields(&[Field::PerdStrDts, Field::PerdEndDts]);
        let period = cancel_requests_period(&fields)?;
        let lines = app
            .store
            .pending_cancel_lines(&scope, period, MAX_LIST_ROWS + 1)
            .await?;
        if lines.len() > MAX_LIST_ROWS {
            return Err(Failure::TooManyRows { max: MAX_LIST_ROWS }.into());
        }
        Span::current().record("rows", lines.len());
        let rows: Vec<_> = lines.iter().map(pending_line_row).collect();
        Ok(encode_rows(
            call.reply.format,
            call.reply.lang,
            Listing::Flat("resultData"),
            &rows,
        ))
    })
}

/// The item an approval names: in the query string (`?ordNo=&ordItemSeq=`, the form
/// integrations use, with a body of `{}` or none) or in the body.
fn approval_of(call: &Call) -> Result<ApproveCall, Failure> {
    let from_query = call.query_fields(calls::APPROVE_FIELDS);
    if from_query.get(Field::OrdNo).is_some() || from_query.get(Field::OrdItemSeq).is_some() {
        return approve_call(&from_query);
    }
    let body = call.body.as_ref().map_err(Clone::clone)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return approve_call(&from_query);
    }
    let format = call.sent.clone()?;
    approve_call(&decode_approve_body(format, body)?)
}

#[tracing::instrument(name = "approve_cancel_request", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, order.no = tracing::field::Empty, item.seq = tracing::field::Empty))]
async fn approve(State(app): State<AppState>, request: Request) -> Response {
    call!(app, request, |call| {
        let scope = call.scope(&app).await?;
        let ApproveCall { ord_no, item_seq } = approval_of(&call)?;
        record("order.no", &ord_no);
        record("item.seq", item_seq);
        let claim = app
            .store
            .approve_cancel_request(&ord_no, item_seq, &scope, app.clock.now())
            .await
            .map_err(call_failure)?;
        tracing::info!(claim.no = %claim.clm_no, "cancel request approved");
        app.metrics.claim_recorded(claim.lines.len());
        Ok(encode_done(call.reply.format, call.reply.lang))
    })
}

#[tracing::instrument(name = "order_detail", skip_all, fields(vendor.id = tracing::field::Empty, result.code = tracing::field::Empty, order.no = tracing::field::Empty))]
async fn order_detail(
    State(app): State<AppState>,
    orord_no: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    call!(app, request, |call| {
        let scope = call.scope(&app).await?;
        let missing = Failure::NotFound(Missing::Order);
        let Ok(Path(orord_no)) = &orord_no else {
            return Err(missing.into());
        };
        let ord_no = OrderNo::parse("orordNo", orord_no).map_err(|_| missing.clone())?;
        record("order.no", &ord_no);
        let record = app
            .store
            .order(&ord_no)
            .await?
            .ok_or_else(|| missing.clone())?;
        let rows = order_detail_rows(
            &record.order,
            &record.items,
            &record.claims,
            &record.cancel_requests,
            &record.pickups,
            &scope,
        );
        // An order with nothing of the vendor's is, to that vendor, no order at all.
        if rows.is_empty() {
            return Err(missing.into());
        }
        Ok(encode_rows(
            call.reply.format,
            call.reply.lang,
            Listing::Flat("resultData"),
            &rows,
        ))
    })
}

/// Answers a path under `/api/` that is not a call offered here (or a method it does not
/// take): code 99 in the envelope, HTTP 404 with `--errors http`.
pub(crate) fn unknown_call(app: &AppState, request: &Request) -> Response {
    let notes = Notes::of(request.extensions());
    let reply = match Reply::of(request.headers(), app.config.errors, notes) {
        Ok(reply) => reply,
        Err((json, failure)) => return json.failure(&failure),
    };
    reply.failure(&Failure::UnknownCall {
        path: format!("{} {}", request.method(), request.uri().path()),
    })
}
