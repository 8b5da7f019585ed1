//! An item's way to the customer, as scripts every backend runs in one write transaction:
//! confirming, recording a waybill, releasing; and the vendor's shipping lists. Like every
//! change to an order, each step locks the order's row first, so it is decided on state no
//! other node can change before it is written.

use claims_domain::{DeliveredBy, DeliveredQuery, Lookup, plan_delivery};
use claims_domain::{
    EventType, ItemSeq, ItemState, KstDateTime, LineStatus, NewEvent, NewOrderItem, OrderNo,
    Period, Release, Scope, ShipmentPlan, ShippingItem, ShippingStatus, Subject, Waybill,
    plan_confirm, plan_release, plan_waybill,
};

use crate::sql::{Param, Sql, vendor_window};
use crate::stored;
use crate::tables::{ItemRow, OrderRow, columns};
use crate::{ItemRef, NotFound, Shipment, StoreError, Waybilled};
use crate::{events, orders, returns};

/// The order and sequence of the item `item` names, if there is one.
async fn locate(
    sql: &mut dyn Sql,
    item: &ItemRef,
) -> Result<Option<(OrderNo, ItemSeq)>, StoreError> {
    match item {
        ItemRef::Order(ord_no, seq) => Ok(Some((ord_no.clone(), *seq))),
        ItemRef::Shipping(shpp_no) => {
            let row = sql
                .query_opt(
                    "SELECT ord_no, ord_item_seq FROM order_items WHERE shpp_no = $1",
                    &[Param::Int(shpp_no.get() as i64)],
                )
                .await?;
            row.map(|row| Ok((stored::order_no(row.text(0)?)?, stored::seq(row.int(1)?)?)))
                .transpose()
        }
    }
}

/// What a shipping step acts on: an order's own item, or an exchange's replacement, each
/// read under the original order's lock.
enum Target {
    Item(OrderNo, ItemState),
    Replacement(returns::LockedReplacement),
}

/// The item `item` names, or — only when no order's item has that name — the exchange
/// replacement of that shipping number, or of that claim number and line.
async fn target(sql: &mut dyn Sql, item: &ItemRef) -> Result<Target, StoreError> {
    match locked_item(sql, item).await {
        Ok((ord_no, state)) => Ok(Target::Item(ord_no, state)),
        Err(StoreError::NotFound(_)) => {
            let shpp_no = match item {
                ItemRef::Shipping(shpp_no) => Some(*shpp_no),
                ItemRef::Order(clm_no, seq) => sql
                    .query_opt(
                        "SELECT rpl_shpp_no FROM pickups WHERE clm_no = $1 AND rpl_line_seq = $2",
                        &[clm_no.as_str().into(), seq.get().into()],
                    )
                    .await?
                    .map(|row| stored::shipping_no(row.int(0)?))
                    .transpose()?,
            };
            let found = match shpp_no {
                Some(shpp_no) => returns::locked_replacement(sql, shpp_no).await?,
                None => None,
            };
            found.map(Target::Replacement).ok_or_else(|| missing(item))
        }
        Err(other) => Err(other),
    }
}

fn missing(item: &ItemRef) -> StoreError {
    match item {
        ItemRef::Order(ord_no, seq) => NotFound::Item(ord_no.clone(), *seq).into(),
        ItemRef::Shipping(shpp_no) => NotFound::Shipping(*shpp_no).into(),
    }
}

/// The item `item` names, read under its order's lock.
async fn locked_item(
    sql: &mut dyn Sql,
    item: &ItemRef,
) -> Result<(OrderNo, ItemState), StoreError> {
    let (ord_no, _, state) = locked_item_with(sql, item).await?;
    Ok((ord_no, state))
}

/// The item `item` names, as ordered and where it stands, read under its order's lock.
pub(crate) async fn locked_item_with(
    sql: &mut dyn Sql,
    item: &ItemRef,
) -> Result<(OrderNo, NewOrderItem, ItemState), StoreError> {
    let (ord_no, seq) = locate(sql, item).await?.ok_or_else(|| missing(item))?;
    if orders::header(sql, &ord_no, true).await?.is_none() {
        return Err(missing(item));
    }
    let (ordered, state) = orders::items(sql, &ord_no, Some(seq))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| missing(item))?;
    Ok((ord_no, ordered, state))
}

/// Whether a cancel request line is pending for the item (for the no-sell execution).
pub(crate) async fn pending_request(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
    seq: ItemSeq,
) -> Result<bool, StoreError> {
    has_pending_request(sql, ord_no, seq).await
}

/// Whether a cancel request line is pending for the item.
async fn has_pending_request(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
    seq: ItemSeq,
) -> Result<bool, StoreError> {
    Ok(sql
        .query_opt(
            "SELECT 1 FROM cancel_request_lines \
             WHERE oror_no = $1 AND ord_item_seq = $2 AND clm_prog_stat_cd = '10'",
            &[ord_no.as_str().into(), seq.get().into()],
        )
        .await?
        .is_some())
}

/// Confirms an item (주문확인) for the vendor holding `scope`: only an item in 배송지시.
/// Returns where the item stands.
pub(crate) async fn confirm(
    sql: &mut dyn Sql,
    item: &ItemRef,
    scope: &Scope,
    now: KstDateTime,
) -> Result<ItemState, StoreError> {
    let (ord_no, mut state) = match target(sql, item).await? {
        Target::Item(ord_no, state) => (ord_no, state),
        Target::Replacement(found) => {
            return returns::confirm_replacement(sql, found, scope, now).await;
        }
    };
    let plan = plan_confirm(&state, scope, now)?;
    let changed = sql
        .execute(
            "UPDATE order_items SET confirmed_at = $3 \
             WHERE ord_no = $1 AND ord_item_seq = $2 AND confirmed_at IS NULL AND shipped_qty = 0",
            &[
                ord_no.as_str().into(),
                state.seq.get().into(),
                plan.confirmed_at.into(),
            ],
        )
        .await?;
    changed_one(changed, &ord_no, state.seq)?;
    state.confirmed_at = Some(plan.confirmed_at);
    Ok(state)
}

/// Records a waybill on a confirmed item; when a cancel request is pending for it, the item
/// ships at once and the request's line is rejected, as SSG does.
pub(crate) async fn record_waybill(
    sql: &mut dyn Sql,
    item: &ItemRef,
    scope: &Scope,
    waybill: &Waybill,
    now: KstDateTime,
) -> Result<Waybilled, StoreError> {
    let (ord_no, mut state) = match target(sql, item).await? {
        Target::Item(ord_no, state) => (ord_no, state),
        Target::Replacement(found) => {
            let state = returns::waybill_replacement(sql, found, scope, waybill, now).await?;
            return Ok(Waybilled {
                state,
                shipment: None,
            });
        }
    };
    let pending = has_pending_request(sql, &ord_no, state.seq).await?;
    let plan = plan_waybill(&state, scope, waybill.clone(), pending, now)?;
    let changed = sql
        .execute(
            "UPDATE order_items SET wbl_no = $3, delico_ven_id = $4 \
             WHERE ord_no = $1 AND ord_item_seq = $2 AND shipped_qty = 0",
            &[
                ord_no.as_str().into(),
                state.seq.get().into(),
                plan.waybill.wbl_no().into(),
                plan.waybill.delico_ven_id().into(),
            ],
        )
        .await?;
    changed_one(changed, &ord_no, state.seq)?;
    state.waybill = Some(plan.waybill);
    let shipment = match plan.release {
        Some(release) => Some(write_shipment(sql, &ord_no, &state, &release).await?),
        None => None,
    };
    Ok(Waybilled { state, shipment })
}

/// Releases an item (출고완료) for the vendor holding `scope`: its open units ship, and a
/// cancel request line pending for it is rejected in the same transaction.
pub(crate) async fn release(
    sql: &mut dyn Sql,
    item: &ItemRef,
    scope: &Scope,
    how: Release,
    now: KstDateTime,
) -> Result<Shipment, StoreError> {
    let (ord_no, state) = match target(sql, item).await? {
        Target::Item(ord_no, state) => (ord_no, state),
        Target::Replacement(found) => {
            return returns::release_replacement(sql, found, scope, how, now).await;
        }
    };
    let plan = plan_release(&state, scope, how, now)?;
    write_shipment(sql, &ord_no, &state, &plan).await
}

/// Ships an item in one step for the console (see [`crate::Dispatch`]).
pub(crate) async fn dispatch(
    sql: &mut dyn Sql,
    item: &ItemRef,
    scope: &Scope,
    how: &crate::Dispatch,
    now: KstDateTime,
) -> Result<crate::Dispatched, StoreError> {
    // `target` takes the order's lock; everything below runs under it.
    if let Target::Item(ord_no, state) = target(sql, item).await? {
        if !how.reject_request && has_pending_request(sql, &ord_no, state.seq).await? {
            return Ok(crate::Dispatched::Requested);
        }
    }
    if let Some(waybill) = &how.waybill {
        let item_state = match target(sql, item).await? {
            Target::Item(_, state) => Some(state),
            Target::Replacement(_) => None,
        };
        if item_state.is_some_and(|state| !state.counts_as_confirmed()) {
            confirm(sql, item, scope, now).await?;
        }
        if let Some(shipment) = record_waybill(sql, item, scope, waybill, now)
            .await?
            .shipment
        {
            return Ok(crate::Dispatched::Shipped(shipment));
        }
    }
    release(sql, item, scope, Release::OneStep, now)
        .await
        .map(crate::Dispatched::Shipped)
}

/// Writes a planned shipment of a locked item, confirming it on the way if it was not, and
/// rejects the cancel request line pending for it.
async fn write_shipment(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
    state: &ItemState,
    plan: &ShipmentPlan,
) -> Result<Shipment, StoreError> {
    let changed = sql
        .execute(
            "UPDATE order_items SET shipped_qty = $3, shipped_at = $4, \
             confirmed_at = coalesce(confirmed_at, $4) \
             WHERE ord_no = $1 AND ord_item_seq = $2 AND shipped_qty = 0 AND canceled_qty = $5",
            &[
                ord_no.as_str().into(),
                state.seq.get().into(),
                plan.qty.get().into(),
                plan.shipped_at.into(),
                state.canceled.into(),
            ],
        )
        .await?;
    changed_one(changed, ord_no, state.seq)?;
    let rejected = sql
        .query(
            "UPDATE cancel_request_lines SET clm_prog_stat_cd = '40', ended_at = $3 \
             WHERE oror_no = $1 AND ord_item_seq = $2 AND clm_prog_stat_cd = '10' \
             RETURNING request_id",
            &[
                ord_no.as_str().into(),
                state.seq.get().into(),
                plan.shipped_at.into(),
            ],
        )
        .await?
        .iter()
        .map(|row| stored::request_id(row.text(0)?))
        .collect::<Result<Vec<_>, _>>()?;
    let told = rejected
        .iter()
        .map(|request| NewEvent {
            kind: EventType::CancelRequestRejected,
            vendor: state.vendor.clone(),
            lower_rank: state.lower_rank.clone(),
            subject: Subject::Request {
                oror_no: ord_no.clone(),
                request: request.clone(),
                items: vec![state.seq],
                status: LineStatus::Rejected,
            },
        })
        .collect();
    events::append(sql, told, plan.shipped_at).await?;
    Ok(Shipment {
        ord_no: ord_no.clone(),
        item_seq: state.seq,
        qty: plan.qty,
        shipped_at: plan.shipped_at,
        rejected,
    })
}

fn changed_one(changed: u64, ord_no: &OrderNo, seq: ItemSeq) -> Result<(), StoreError> {
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::internal(format!(
            "item {seq} of order {ord_no} changed under the order's lock"
        )))
    }
}

/// Records that the item reached the customer (배송완료), for the vendor holding `scope` (or,
/// with `None`, on the carrier's word through the platform). Returns where it stands.
pub(crate) async fn deliver(
    sql: &mut dyn Sql,
    item: &ItemRef,
    scope: Option<&Scope>,
    now: KstDateTime,
) -> Result<ItemState, StoreError> {
    let (ord_no, mut state) = match target(sql, item).await? {
        Target::Item(ord_no, state) => (ord_no, state),
        Target::Replacement(found) => {
            return returns::deliver_replacement(sql, found, scope, now).await;
        }
    };
    let delivered_at = plan_delivery(&state, scope, now)?;
    let changed = sql
        .execute(
            "UPDATE order_items SET delivered_at = $3 \
             WHERE ord_no = $1 AND ord_item_seq = $2 AND shipped_qty > 0 AND delivered_at IS NULL",
            &[
                ord_no.as_str().into(),
                state.seq.get().into(),
                delivered_at.into(),
            ],
        )
        .await?;
    changed_one(changed, &ord_no, state.seq)?;
    state.delivered_at = Some(delivered_at);
    Ok(state)
}

/// The vendor's delivered items as `query` asks — in a period of their delivery, release or
/// order date, or looked up by order or shipping number — by that date, then order and
/// item; at most `limit`.
pub(crate) async fn delivered(
    sql: &mut dyn Sql,
    scope: &Scope,
    query: &DeliveredQuery,
    limit: usize,
) -> Result<Vec<ShippingItem>, StoreError> {
    let date = match query.by {
        DeliveredBy::Delivered => "i.delivered_at",
        DeliveredBy::Released => "i.shipped_at",
        DeliveredBy::Ordered => "i.ord_rcp_dts",
    };
    let mut params: Vec<Param<'_>> = vec![scope.vendor.as_str().into(), Param::Int(limit as i64)];
    let mut filters = String::new();
    fn next<'a>(param: Param<'a>, params: &mut Vec<Param<'a>>) -> String {
        params.push(param);
        format!("${}", params.len())
    }
    if let Some(lower) = &scope.lower_rank {
        let at = next(lower.as_str().into(), &mut params);
        filters.push_str(&format!(" AND i.lrnk_spl_ven_id = {at}"));
    }
    if let Some(period) = query.period {
        let (from, until) = period.bounds();
        let from = next(from.into(), &mut params);
        let until = next(until.into(), &mut params);
        filters.push_str(&format!(" AND {date} >= {from} AND {date} < {until}"));
    }
    match &query.lookup {
        Some(Lookup::Order(ord_no)) => {
            let at = next(ord_no.as_str().into(), &mut params);
            filters.push_str(&format!(" AND i.ord_no = {at}"));
        }
        Some(Lookup::Shipping(shpp_no)) => {
            let at = next(Param::Int(shpp_no.get() as i64), &mut params);
            filters.push_str(&format!(" AND i.shpp_no = {at}"));
        }
        None => {}
    }
    let statement = format!(
        "SELECT {}, {}, coalesce(f.amount, 0) \
         FROM order_items i \
         JOIN orders o ON o.ord_no = i.ord_no \
         LEFT JOIN order_shipping_fees f ON f.ord_no = i.ord_no AND f.spl_ven_id = i.spl_ven_id \
         WHERE i.spl_ven_id = $1 AND i.delivered_at IS NOT NULL{filters} \
         ORDER BY {date}, i.ord_no, i.ord_item_seq LIMIT $2",
        columns("i", ItemRow::COLUMNS),
        columns("o", OrderRow::COLUMNS),
    );
    shipping_items(sql.query(&statement, &params).await?)
}

/// The vendor's items at `stage` (instructed, or confirmed and delayed) with units open, of orders
/// received within `period`, oldest order first; at most `limit`.
pub(crate) async fn list(
    sql: &mut dyn Sql,
    scope: &Scope,
    stage: ShippingStatus,
    period: Period,
    limit: usize,
) -> Result<Vec<ShippingItem>, StoreError> {
    let confirmed = match stage {
        ShippingStatus::Instructed => "i.confirmed_at IS NULL AND i.delay_nts = 0",
        // Delayed items are confirmed for the vendor's calls, and listed with them.
        ShippingStatus::Confirmed | ShippingStatus::Delayed => {
            "(i.confirmed_at IS NOT NULL OR i.delay_nts > 0)"
        }
        ShippingStatus::Released | ShippingStatus::Delivered => return Ok(Vec::new()),
    };
    let (params, narrowed) = vendor_window(scope, period, limit, "i");
    let statement = format!(
        "SELECT {}, {}, coalesce(f.amount, 0) \
         FROM order_items i \
         JOIN orders o ON o.ord_no = i.ord_no \
         LEFT JOIN order_shipping_fees f ON f.ord_no = i.ord_no AND f.spl_ven_id = i.spl_ven_id \
         WHERE i.spl_ven_id = $1{narrowed} AND i.ord_rcp_dts >= $2 AND i.ord_rcp_dts < $3 \
         AND {confirmed} AND i.shipped_qty = 0 AND i.canceled_qty < i.qty \
         ORDER BY i.ord_rcp_dts, i.ord_no, i.ord_item_seq LIMIT $4",
        columns("i", ItemRow::COLUMNS),
        columns("o", OrderRow::COLUMNS),
    );
    let mut items = shipping_items(sql.query(&statement, &params).await?)?;
    // Exchange replacements not shipped yet, among the items, by when the exchange was filed.
    let confirmed = stage != ShippingStatus::Instructed;
    let replacements = returns::replacements(sql, scope, confirmed, period, limit).await?;
    if !replacements.is_empty() {
        items.extend(replacements);
        items.sort_by(|a, b| {
            (a.received_at, a.ord_no.as_str(), a.item.seq).cmp(&(
                b.received_at,
                b.ord_no.as_str(),
                b.item.seq,
            ))
        });
        items.truncate(limit);
    }
    Ok(items)
}

/// Shipping items from rows of an item's columns, its order's, and the vendor's fee.
fn shipping_items(rows: Vec<crate::sql::Row>) -> Result<Vec<ShippingItem>, StoreError> {
    let fee_column = ItemRow::COLUMNS.len() + OrderRow::COLUMNS.len();
    rows.iter()
        .map(|row| {
            let (item, state) = ItemRow::read(row)?.into_item()?;
            let order = OrderRow::read_at(row, ItemRow::COLUMNS.len())?;
            Ok(ShippingItem {
                ord_no: stored::order_no(&order.ord_no)?,
                ordpe_nm: stored::text(order.ordpe_nm.clone().into_owned()),
                received_at: order.ord_rcp_dts,
                recipient: order.recipient(),
                shipping_fee: stored::won(row.int(fee_column)?)?,
                item,
                state,
                exchange: None,
            })
        })
        .collect()
}
