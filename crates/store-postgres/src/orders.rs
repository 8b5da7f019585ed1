//! Orders, cancellations and shipments. A cancellation or shipment first locks the order's
//! row (`SELECT … FOR UPDATE`), so every write to one order — from any node — runs one at a
//! time, and the state a rule is checked against cannot change before the write.

use std::collections::BTreeMap;

use claims_domain::vendors;
use claims_domain::{
    Actor, AgentId, CancelCommand, Claim, ClaimLine, CostLine, CustomerId, ItemSeq, ItemState,
    KstDate, KstDateTime, NewOrder, NewOrderItem, OrderNo, OrderState, Scope, ShippingFee,
    VendorId, claim_number, plan_cancellation, plan_shipment,
};
use claims_store::{
    Completion, Conflict, NotFound, OrderRecord, Placed, Shipment, StoreError, stored,
};
use deadpool_postgres::{GenericClient, Transaction};

use crate::columns::{big, int, opt_time, opt_vendor, string, time};
use crate::error::db_error;
use crate::{admin, idempotency};

/// Places `order`; with `done`, records its idempotency answer in the same transaction.
pub(crate) async fn place_order(
    client: &mut deadpool_postgres::Object,
    order: &NewOrder,
    now: KstDateTime,
    done: Option<Completion<Placed>>,
) -> Result<Placed, StoreError> {
    let tx = client.transaction().await.map_err(db_error)?;
    let placed = place_in(&tx, order, now).await?;
    if let Some(done) = done {
        idempotency::record(&tx, &done.key, &(done.render)(&placed), now).await?;
    }
    tx.commit().await.map_err(db_error)?;
    Ok(placed)
}

async fn place_in(
    tx: &Transaction<'_>,
    order: &NewOrder,
    now: KstDateTime,
) -> Result<Placed, StoreError> {
    if let Some(existing) = load_order(tx, order.ord_no()).await? {
        return same_or_conflict(existing, order);
    }
    check_vendors(tx, order).await?;
    // A concurrent placement of the same number may have won since the check above: the
    // insert waits for it on the primary key and then does nothing.
    let inserted = tx
        .execute(
            "INSERT INTO orders (ord_no, ordpe_nm, customer_id, ord_rcp_media_cd, ord_rcp_dts, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ord_no) DO NOTHING",
            &[
                &order.ord_no().as_str(),
                &order.ordpe_nm().as_str(),
                &order.customer_id().as_str(),
                &order.media().code(),
                &order.received_at().timestamp(),
                &now.timestamp(),
            ],
        )
        .await
        .map_err(db_error)?;
    if inserted == 0 {
        // The winner committed before our insert returned; a new statement sees its rows.
        let existing = load_order(tx, order.ord_no())
            .await?
            .ok_or_else(|| StoreError::internal("an order that conflicted could not be read"))?;
        return same_or_conflict(existing, order);
    }
    let insert_fee = tx
        .prepare_cached(
            "INSERT INTO order_shipping_fees (ord_no, spl_ven_id, amount) VALUES ($1, $2, $3)",
        )
        .await
        .map_err(db_error)?;
    for fee in order.shipping_fees() {
        tx.execute(
            &insert_fee,
            &[
                &order.ord_no().as_str(),
                &fee.vendor.as_str(),
                &fee.amount.get(),
            ],
        )
        .await
        .map_err(db_error)?;
    }
    let insert_item = tx
        .prepare_cached(
            "INSERT INTO order_items (ord_no, ord_item_seq, item_id, item_nm, uitem_id, uitem_nm, \
             qty, unit_price, spl_ven_id, lrnk_spl_ven_id, spl_ven_bdn_dc_amt) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .await
        .map_err(db_error)?;
    for item in order.items() {
        tx.execute(
            &insert_item,
            &[
                &order.ord_no().as_str(),
                &(item.seq.get() as i32),
                &item.item_id.as_str(),
                &item.item_nm.as_str(),
                &item.uitem_id.as_str(),
                &item.uitem_nm.as_str(),
                &(item.qty.get() as i32),
                &item.unit_price.get(),
                &item.vendor.as_str(),
                &item.lower_rank.as_ref().map(VendorId::as_str),
                &item.discount.get(),
            ],
        )
        .await
        .map_err(db_error)?;
    }
    let record = load_order(tx, order.ord_no())
        .await?
        .ok_or_else(|| StoreError::internal("an order just written could not be read back"))?;
    Ok(Placed::Created(record))
}

fn same_or_conflict(existing: OrderRecord, order: &NewOrder) -> Result<Placed, StoreError> {
    if &existing.order == order {
        Ok(Placed::Existing(existing))
    } else {
        Err(Conflict::OrderDiffers(order.ord_no().clone()).into())
    }
}

/// Checks the order's vendors against the hierarchy.
async fn check_vendors(client: &impl GenericClient, order: &NewOrder) -> Result<(), StoreError> {
    let ids = order.vendor_ids().into_iter().cloned().collect();
    let standings = admin::standings(client, ids).await?;
    Ok(vendors::check_order_vendors(
        order,
        admin::lookup(&standings),
    )?)
}

struct StoredItem {
    item: NewOrderItem,
    state: ItemState,
}

struct StoredOrderHeader {
    ordpe_nm: String,
    customer_id: String,
    media: String,
    received_at: jiff::Timestamp,
}

/// Reads the order's header; with `lock`, also locks the order's row for the transaction.
async fn load_header(
    client: &impl GenericClient,
    ord_no: &OrderNo,
    lock: bool,
) -> Result<Option<StoredOrderHeader>, StoreError> {
    let sql = if lock {
        "SELECT ordpe_nm, customer_id, ord_rcp_media_cd, ord_rcp_dts FROM orders WHERE ord_no = $1 FOR UPDATE"
    } else {
        "SELECT ordpe_nm, customer_id, ord_rcp_media_cd, ord_rcp_dts FROM orders WHERE ord_no = $1"
    };
    let statement = client.prepare_cached(sql).await.map_err(db_error)?;
    let row = client
        .query_opt(&statement, &[&ord_no.as_str()])
        .await
        .map_err(db_error)?;
    row.map(|row| {
        Ok(StoredOrderHeader {
            ordpe_nm: string(&row, 0)?,
            customer_id: string(&row, 1)?,
            media: string(&row, 2)?,
            received_at: row.try_get(3).map_err(db_error)?,
        })
    })
    .transpose()
}

async fn load_items(
    client: &impl GenericClient,
    ord_no: &OrderNo,
    only: Option<ItemSeq>,
) -> Result<Vec<StoredItem>, StoreError> {
    let statement = client
        .prepare_cached(
            "SELECT ord_item_seq, item_id, item_nm, uitem_id, uitem_nm, qty, unit_price, spl_ven_id, \
             lrnk_spl_ven_id, spl_ven_bdn_dc_amt, canceled_qty, shipped_qty, refunded_dc_amt, \
             shipped_at, last_canceled_at \
             FROM order_items WHERE ord_no = $1 AND ($2::integer IS NULL OR ord_item_seq = $2) \
             ORDER BY ord_item_seq",
        )
        .await
        .map_err(db_error)?;
    let only = only.map(|seq| seq.get() as i32);
    let rows = client
        .query(&statement, &[&ord_no.as_str(), &only])
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            let seq = stored::seq(int(row, 0)?)?;
            let vendor = stored::vendor(row.try_get(7).map_err(db_error)?)?;
            let lower_rank = opt_vendor(row, 8)?;
            let qty = stored::qty(int(row, 5)?)?;
            let discount = stored::won(big(row, 9)?)?;
            Ok(StoredItem {
                item: NewOrderItem {
                    seq,
                    item_id: stored::text(string(row, 1)?),
                    item_nm: stored::text(string(row, 2)?),
                    uitem_id: stored::text(string(row, 3)?),
                    uitem_nm: stored::text(string(row, 4)?),
                    qty,
                    unit_price: stored::won(big(row, 6)?)?,
                    vendor: vendor.clone(),
                    lower_rank: lower_rank.clone(),
                    discount,
                },
                state: ItemState {
                    seq,
                    vendor,
                    lower_rank,
                    ordered: qty.get(),
                    canceled: stored::count(int(row, 10)?)?,
                    shipped: stored::count(int(row, 11)?)?,
                    discount,
                    refunded_discount: stored::won(big(row, 12)?)?,
                    shipped_at: opt_time(row, 13)?,
                    last_canceled_at: opt_time(row, 14)?,
                },
            })
        })
        .collect()
}

async fn load_fees(
    client: &impl GenericClient,
    ord_no: &OrderNo,
) -> Result<Vec<ShippingFee>, StoreError> {
    let statement = client
        .prepare_cached("SELECT spl_ven_id, amount FROM order_shipping_fees WHERE ord_no = $1 ORDER BY spl_ven_id")
        .await
        .map_err(db_error)?;
    let rows = client
        .query(&statement, &[&ord_no.as_str()])
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            Ok(ShippingFee {
                vendor: stored::vendor(row.try_get(0).map_err(db_error)?)?,
                amount: stored::won(big(row, 1)?)?,
            })
        })
        .collect()
}

async fn load_claims(
    client: &impl GenericClient,
    ord_no: &OrderNo,
) -> Result<Vec<Claim>, StoreError> {
    let line_statement = client
        .prepare_cached(
            "SELECT clm_no, clm_item_seq, oror_item_seq, cncl_item_qty, shpmt_shppcst, ret_shppcst, \
             exch_shppcst, spl_ven_bdn_dc_amt, spl_ven_id, lrnk_spl_ven_id \
             FROM claim_lines WHERE oror_no = $1",
        )
        .await
        .map_err(db_error)?;
    let mut lines: BTreeMap<String, Vec<ClaimLine>> = BTreeMap::new();
    for row in client
        .query(&line_statement, &[&ord_no.as_str()])
        .await
        .map_err(db_error)?
    {
        lines.entry(string(&row, 0)?).or_default().push(ClaimLine {
            line_seq: stored::seq(int(&row, 1)?)?,
            item_seq: stored::seq(int(&row, 2)?)?,
            qty: stored::qty(int(&row, 3)?)?,
            cost: CostLine {
                shpmt_shppcst: stored::won(big(&row, 4)?)?,
                ret_shppcst: stored::won(big(&row, 5)?)?,
                exch_shppcst: stored::won(big(&row, 6)?)?,
                spl_ven_bdn_dc_amt: stored::won(big(&row, 7)?)?,
                vendor: stored::vendor(row.try_get(8).map_err(db_error)?)?,
                lower_rank: opt_vendor(&row, 9)?,
            },
        });
    }
    let claim_statement = client
        .prepare_cached(
            "SELECT clm_no, ord_cncl_dts, clm_rsn_cd, clm_rsn_cntt, impt_div_cd, customer_id, agent_id \
             FROM claims WHERE oror_no = $1 ORDER BY claim_id",
        )
        .await
        .map_err(db_error)?;
    let rows = client
        .query(&claim_statement, &[&ord_no.as_str()])
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            let clm_no = string(row, 0)?;
            let customer: Option<&str> = row.try_get(5).map_err(db_error)?;
            let agent: Option<&str> = row.try_get(6).map_err(db_error)?;
            let actor = match (customer, agent) {
                (Some(customer), None) => Actor::Customer(
                    CustomerId::parse("customerId", customer).map_err(stored::corrupt)?,
                ),
                (None, Some(agent)) => {
                    Actor::Agent(AgentId::parse("agentId", agent).map_err(stored::corrupt)?)
                }
                _ => {
                    return Err(stored::corrupt(format!(
                        "claim {clm_no} has no single actor"
                    )));
                }
            };
            let mut claim_lines = lines.remove(&clm_no).unwrap_or_default();
            claim_lines.sort_by_key(|line| line.line_seq);
            Ok(Claim {
                clm_no: stored::order_no(&clm_no)?,
                oror_no: ord_no.clone(),
                canceled_at: time(row, 1)?,
                reason: stored::reason(row.try_get(2).map_err(db_error)?)?,
                reason_text: stored::text(string(row, 3)?),
                fault: stored::fault(row.try_get(4).map_err(db_error)?)?,
                actor,
                lines: claim_lines,
            })
        })
        .collect()
}

pub(crate) async fn load_order(
    client: &impl GenericClient,
    ord_no: &OrderNo,
) -> Result<Option<OrderRecord>, StoreError> {
    let Some(header) = load_header(client, ord_no, false).await? else {
        return Ok(None);
    };
    let stored_items = load_items(client, ord_no, None).await?;
    let fees = load_fees(client, ord_no).await?;
    let (items, states): (Vec<NewOrderItem>, Vec<ItemState>) =
        stored_items.into_iter().map(|s| (s.item, s.state)).unzip();
    let order = NewOrder::new(
        ord_no.clone(),
        stored::text(header.ordpe_nm),
        CustomerId::parse("customerId", &header.customer_id).map_err(stored::corrupt)?,
        stored::media(&header.media)?,
        stored::time(header.received_at.as_second())?,
        fees,
        items,
    )
    .map_err(stored::corrupt)?;
    Ok(Some(OrderRecord {
        order,
        items: states,
        claims: load_claims(client, ord_no).await?,
    }))
}

/// Cancels as `command` says; with `done`, records its idempotency answer in the same
/// transaction.
pub(crate) async fn cancel(
    client: &mut deadpool_postgres::Object,
    ord_no: &OrderNo,
    command: &CancelCommand,
    now: KstDateTime,
    done: Option<Completion<Claim>>,
) -> Result<Claim, StoreError> {
    let tx = client.transaction().await.map_err(db_error)?;
    let claim = cancel_in(&tx, ord_no, command, now).await?;
    if let Some(done) = done {
        idempotency::record(&tx, &done.key, &(done.render)(&claim), now).await?;
    }
    tx.commit().await.map_err(db_error)?;
    Ok(claim)
}

async fn cancel_in(
    tx: &Transaction<'_>,
    ord_no: &OrderNo,
    command: &CancelCommand,
    now: KstDateTime,
) -> Result<Claim, StoreError> {
    let header = load_header(tx, ord_no, true)
        .await?
        .ok_or_else(|| NotFound::Order(ord_no.clone()))?;
    let stored_items = load_items(tx, ord_no, None).await?;
    let state = OrderState {
        ord_no: ord_no.clone(),
        customer_id: CustomerId::parse("customerId", &header.customer_id)
            .map_err(stored::corrupt)?,
        items: stored_items.iter().map(|s| s.state.clone()).collect(),
        shipping_fees: load_fees(tx, ord_no).await?,
    };
    let plan = plan_cancellation(&state, command)?;

    let claim_id: i64 = tx
        .query_one(
            "SELECT nextval(pg_get_serial_sequence('claims', 'claim_id'))",
            &[],
        )
        .await
        .map_err(db_error)?
        .get(0);
    let clm_no = claim_number(KstDate::of(now), claim_id as u64);
    let (customer_id, agent_id) = match command.actor() {
        Actor::Customer(customer) => (Some(customer.as_str()), None),
        Actor::Agent(agent) => (None, Some(agent.as_str())),
    };
    let insert_claim = tx
        .prepare_cached(
            "INSERT INTO claims (claim_id, clm_no, oror_no, ord_cncl_dts, clm_rsn_cd, clm_rsn_cntt, \
             impt_div_cd, customer_id, agent_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .await
        .map_err(db_error)?;
    tx.execute(
        &insert_claim,
        &[
            &claim_id,
            &clm_no.as_str(),
            &ord_no.as_str(),
            &now.timestamp(),
            &command.reason().code(),
            &command.reason_text().as_str(),
            &plan.fault.code(),
            &customer_id,
            &agent_id,
        ],
    )
    .await
    .map_err(db_error)?;
    let insert_line = tx
        .prepare_cached(
            "INSERT INTO claim_lines (spl_ven_id, ord_cncl_dts, clm_no, clm_item_seq, lrnk_spl_ven_id, \
             oror_no, oror_item_seq, ordpe_nm, ord_rcp_media_cd, ord_rcp_dts, item_id, item_nm, uitem_id, \
             uitem_nm, dirc_item_qty, clm_rsn_cd, clm_rsn_cntt, impt_div_cd, cncl_item_qty, \
             shpmt_shppcst, ret_shppcst, exch_shppcst, spl_ven_bdn_dc_amt) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 0, 0, $21)",
        )
        .await
        .map_err(db_error)?;
    let update_item = tx
        .prepare_cached(
            "UPDATE order_items SET canceled_qty = $3, refunded_dc_amt = $4, \
             last_canceled_at = greatest(last_canceled_at, $5) \
             WHERE ord_no = $1 AND ord_item_seq = $2 AND canceled_qty = $6 AND shipped_qty = 0",
        )
        .await
        .map_err(db_error)?;
    for line in &plan.lines {
        let item = &stored_items
            .iter()
            .find(|s| s.state.seq == line.item_seq)
            .expect("the plan names items of the order")
            .item;
        tx.execute(
            &insert_line,
            &[
                &line.vendor.as_str(),
                &now.timestamp(),
                &clm_no.as_str(),
                &(line.line_seq.get() as i32),
                &line.lower_rank.as_ref().map(VendorId::as_str),
                &ord_no.as_str(),
                &(line.item_seq.get() as i32),
                &header.ordpe_nm,
                &header.media,
                &header.received_at,
                &item.item_id.as_str(),
                &item.item_nm.as_str(),
                &item.uitem_id.as_str(),
                &item.uitem_nm.as_str(),
                &(item.qty.get() as i32),
                &command.reason().code(),
                &command.reason_text().as_str(),
                &plan.fault.code(),
                &(line.qty.get() as i32),
                &line.shipping_refund.get(),
                &line.discount_refund.get(),
            ],
        )
        .await
        .map_err(db_error)?;
        let before = (line.canceled_after - line.qty.get()) as i32;
        let changed = tx
            .execute(
                &update_item,
                &[
                    &ord_no.as_str(),
                    &(line.item_seq.get() as i32),
                    &(line.canceled_after as i32),
                    &line.refunded_discount_after.get(),
                    &now.timestamp(),
                    &before,
                ],
            )
            .await
            .map_err(db_error)?;
        if changed != 1 {
            return Err(StoreError::internal(format!(
                "item {} of order {ord_no} changed under the order's lock",
                line.item_seq
            )));
        }
    }
    Ok(plan.into_claim(clm_no, ord_no.clone(), now, command))
}

pub(crate) async fn ship(
    client: &mut deadpool_postgres::Object,
    ord_no: &OrderNo,
    item_seq: ItemSeq,
    scope: &Scope,
    now: KstDateTime,
) -> Result<Shipment, StoreError> {
    let tx = client.transaction().await.map_err(db_error)?;
    if load_header(&tx, ord_no, true).await?.is_none() {
        return Err(NotFound::Item(ord_no.clone(), item_seq).into());
    }
    let stored_items = load_items(&tx, ord_no, Some(item_seq)).await?;
    let item = stored_items
        .first()
        .ok_or_else(|| NotFound::Item(ord_no.clone(), item_seq))?;
    let plan = plan_shipment(&item.state, scope, now)?;
    let changed = tx
        .execute(
            "UPDATE order_items SET shipped_qty = $3, shipped_at = $4 \
             WHERE ord_no = $1 AND ord_item_seq = $2 AND shipped_qty = 0 AND canceled_qty = $5",
            &[
                &ord_no.as_str(),
                &(item_seq.get() as i32),
                &(plan.qty.get() as i32),
                &plan.shipped_at.timestamp(),
                &(item.state.canceled as i32),
            ],
        )
        .await
        .map_err(db_error)?;
    if changed != 1 {
        return Err(StoreError::internal(format!(
            "item {item_seq} of order {ord_no} changed under the order's lock"
        )));
    }
    tx.commit().await.map_err(db_error)?;
    Ok(Shipment {
        ord_no: ord_no.clone(),
        item_seq,
        qty: plan.qty,
        shipped_at: plan.shipped_at,
    })
}
