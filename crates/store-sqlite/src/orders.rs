//! Orders, cancellations and shipments. Every write runs in one `BEGIN IMMEDIATE`
//! transaction, which takes SQLite's write lock before reading, so the state a rule is
//! checked against cannot change before the write.

use std::collections::BTreeMap;

use claims_domain::vendors;
use claims_domain::{
    Actor, AgentId, CancelCommand, Claim, ClaimLine, CostLine, CustomerId, ItemSeq, ItemState,
    KstDate, KstDateTime, NewOrder, NewOrderItem, OrderNo, OrderState, Scope, ShippingFee,
    VendorId, claim_number, plan_cancellation, plan_shipment,
};
use claims_store::{Completion, Conflict, NotFound, OrderRecord, Placed, Shipment, StoreError};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use crate::convert::{self, corrupt, db_error};
use crate::{admin, idempotency};

pub(crate) fn immediate(connection: &mut Connection) -> Result<Transaction<'_>, StoreError> {
    connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_error)
}

/// Places `order`; with `done`, records its idempotency answer in the same transaction.
pub(crate) fn place_order(
    connection: &mut Connection,
    order: &NewOrder,
    now: KstDateTime,
    done: Option<Completion<Placed>>,
) -> Result<Placed, StoreError> {
    let tx = immediate(connection)?;
    let placed = place_in(&tx, order, now)?;
    if let Some(done) = done {
        idempotency::record(&tx, &done.key, &(done.render)(&placed), now)?;
    }
    tx.commit().map_err(db_error)?;
    Ok(placed)
}

fn place_in(
    tx: &Transaction<'_>,
    order: &NewOrder,
    now: KstDateTime,
) -> Result<Placed, StoreError> {
    if let Some(existing) = load_order(tx, order.ord_no())? {
        return if &existing.order == order {
            Ok(Placed::Existing(existing))
        } else {
            Err(Conflict::OrderDiffers(order.ord_no().clone()).into())
        };
    }
    check_vendors(tx, order)?;

    tx.execute(
        "INSERT INTO orders (ord_no, ordpe_nm, customer_id, ord_rcp_media_cd, ord_rcp_dts, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            order.ord_no().as_str(),
            order.ordpe_nm().as_str(),
            order.customer_id().as_str(),
            order.media().code(),
            order.received_at().unix_seconds(),
            now.unix_seconds()
        ],
    )
    .map_err(db_error)?;
    {
        let mut insert_fee = tx
            .prepare_cached(
                "INSERT INTO order_shipping_fees (ord_no, spl_ven_id, amount) VALUES (?1, ?2, ?3)",
            )
            .map_err(db_error)?;
        for fee in order.shipping_fees() {
            insert_fee
                .execute(params![
                    order.ord_no().as_str(),
                    fee.vendor.as_str(),
                    fee.amount.get()
                ])
                .map_err(db_error)?;
        }
        let mut insert_item = tx
            .prepare_cached(
                "INSERT INTO order_items (ord_no, ord_item_seq, item_id, item_nm, uitem_id, uitem_nm, \
                 qty, unit_price, spl_ven_id, lrnk_spl_ven_id, spl_ven_bdn_dc_amt) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .map_err(db_error)?;
        for item in order.items() {
            insert_item
                .execute(params![
                    order.ord_no().as_str(),
                    item.seq.get(),
                    item.item_id.as_str(),
                    item.item_nm.as_str(),
                    item.uitem_id.as_str(),
                    item.uitem_nm.as_str(),
                    item.qty.get(),
                    item.unit_price.get(),
                    item.vendor.as_str(),
                    item.lower_rank.as_ref().map(VendorId::as_str),
                    item.discount.get()
                ])
                .map_err(db_error)?;
        }
    }
    let record = load_order(tx, order.ord_no())?
        .ok_or_else(|| StoreError::internal("an order just written could not be read back"))?;
    Ok(Placed::Created(record))
}

/// Checks the order's vendors against the hierarchy.
fn check_vendors(connection: &Connection, order: &NewOrder) -> Result<(), StoreError> {
    let standings = admin::standings(connection, order.vendor_ids())?;
    Ok(vendors::check_order_vendors(
        order,
        admin::lookup(&standings),
    )?)
}

/// The stored parts of an item beyond its lifecycle state.
struct StoredItem {
    item: NewOrderItem,
    state: ItemState,
}

struct StoredOrderHeader {
    ordpe_nm: String,
    customer_id: String,
    media: String,
    received_at: i64,
}

fn load_header(
    connection: &Connection,
    ord_no: &OrderNo,
) -> Result<Option<StoredOrderHeader>, StoreError> {
    connection
        .prepare_cached(
            "SELECT ordpe_nm, customer_id, ord_rcp_media_cd, ord_rcp_dts FROM orders WHERE ord_no = ?1",
        )
        .map_err(db_error)?
        .query_row([ord_no.as_str()], |row| {
            Ok(StoredOrderHeader {
                ordpe_nm: row.get(0)?,
                customer_id: row.get(1)?,
                media: row.get(2)?,
                received_at: row.get(3)?,
            })
        })
        .optional()
        .map_err(db_error)
}

fn load_items(
    connection: &Connection,
    ord_no: &OrderNo,
    only: Option<ItemSeq>,
) -> Result<Vec<StoredItem>, StoreError> {
    let mut statement = connection
        .prepare_cached(
            "SELECT ord_item_seq, item_id, item_nm, uitem_id, uitem_nm, qty, unit_price, spl_ven_id, \
             lrnk_spl_ven_id, spl_ven_bdn_dc_amt, canceled_qty, shipped_qty, refunded_dc_amt, \
             shipped_at, last_canceled_at \
             FROM order_items WHERE ord_no = ?1 AND (?2 IS NULL OR ord_item_seq = ?2) ORDER BY ord_item_seq",
        )
        .map_err(db_error)?;
    let mut rows = statement
        .query(params![ord_no.as_str(), only.map(ItemSeq::get)])
        .map_err(db_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        let int = |i: usize| row.get::<_, i64>(i).map_err(db_error);
        let string = |i: usize| row.get::<_, String>(i).map_err(db_error);
        let seq = convert::seq(int(0)?)?;
        let vendor = convert::vendor(&string(7)?)?;
        let lower_rank = convert::opt_vendor(
            row.get::<_, Option<String>>(8)
                .map_err(db_error)?
                .as_deref(),
        )?;
        let qty = convert::qty(int(5)?)?;
        let discount = convert::won(int(9)?)?;
        out.push(StoredItem {
            item: NewOrderItem {
                seq,
                item_id: convert::text(string(1)?),
                item_nm: convert::text(string(2)?),
                uitem_id: convert::text(string(3)?),
                uitem_nm: convert::text(string(4)?),
                qty,
                unit_price: convert::won(int(6)?)?,
                vendor: vendor.clone(),
                lower_rank: lower_rank.clone(),
                discount,
            },
            state: ItemState {
                seq,
                vendor,
                lower_rank,
                ordered: qty.get(),
                canceled: convert::count(int(10)?)?,
                shipped: convert::count(int(11)?)?,
                discount,
                refunded_discount: convert::won(int(12)?)?,
                shipped_at: convert::opt_time(row.get(13).map_err(db_error)?)?,
                last_canceled_at: convert::opt_time(row.get(14).map_err(db_error)?)?,
            },
        });
    }
    Ok(out)
}

fn load_fees(connection: &Connection, ord_no: &OrderNo) -> Result<Vec<ShippingFee>, StoreError> {
    let mut statement = connection
        .prepare_cached("SELECT spl_ven_id, amount FROM order_shipping_fees WHERE ord_no = ?1 ORDER BY spl_ven_id")
        .map_err(db_error)?;
    let mut rows = statement.query([ord_no.as_str()]).map_err(db_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        out.push(ShippingFee {
            vendor: convert::vendor(&row.get::<_, String>(0).map_err(db_error)?)?,
            amount: convert::won(row.get(1).map_err(db_error)?)?,
        });
    }
    Ok(out)
}

fn load_claims(connection: &Connection, ord_no: &OrderNo) -> Result<Vec<Claim>, StoreError> {
    let mut lines: BTreeMap<String, Vec<ClaimLine>> = BTreeMap::new();
    {
        let mut statement = connection
            .prepare_cached(
                "SELECT clm_no, clm_item_seq, oror_item_seq, cncl_item_qty, shpmt_shppcst, ret_shppcst, \
                 exch_shppcst, spl_ven_bdn_dc_amt, spl_ven_id, lrnk_spl_ven_id \
                 FROM claim_lines INDEXED BY claim_lines_by_original WHERE oror_no = ?1",
            )
            .map_err(db_error)?;
        let mut rows = statement.query([ord_no.as_str()]).map_err(db_error)?;
        while let Some(row) = rows.next().map_err(db_error)? {
            let int = |i: usize| row.get::<_, i64>(i).map_err(db_error);
            lines
                .entry(row.get::<_, String>(0).map_err(db_error)?)
                .or_default()
                .push(ClaimLine {
                    line_seq: convert::seq(int(1)?)?,
                    item_seq: convert::seq(int(2)?)?,
                    qty: convert::qty(int(3)?)?,
                    cost: CostLine {
                        shpmt_shppcst: convert::won(int(4)?)?,
                        ret_shppcst: convert::won(int(5)?)?,
                        exch_shppcst: convert::won(int(6)?)?,
                        spl_ven_bdn_dc_amt: convert::won(int(7)?)?,
                        vendor: convert::vendor(&row.get::<_, String>(8).map_err(db_error)?)?,
                        lower_rank: convert::opt_vendor(
                            row.get::<_, Option<String>>(9)
                                .map_err(db_error)?
                                .as_deref(),
                        )?,
                    },
                });
        }
    }
    let mut statement = connection
        .prepare_cached(
            "SELECT clm_no, ord_cncl_dts, clm_rsn_cd, clm_rsn_cntt, impt_div_cd, customer_id, agent_id \
             FROM claims WHERE oror_no = ?1 ORDER BY claim_id",
        )
        .map_err(db_error)?;
    let mut rows = statement.query([ord_no.as_str()]).map_err(db_error)?;
    let mut claims = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        let clm_no: String = row.get(0).map_err(db_error)?;
        let customer: Option<String> = row.get(5).map_err(db_error)?;
        let agent: Option<String> = row.get(6).map_err(db_error)?;
        let actor = match (customer, agent) {
            (Some(customer), None) => {
                Actor::Customer(CustomerId::parse("customerId", &customer).map_err(corrupt)?)
            }
            (None, Some(agent)) => {
                Actor::Agent(AgentId::parse("agentId", &agent).map_err(corrupt)?)
            }
            _ => return Err(corrupt(format!("claim {clm_no} has no single actor"))),
        };
        let mut claim_lines = lines.remove(&clm_no).unwrap_or_default();
        claim_lines.sort_by_key(|line| line.line_seq);
        claims.push(Claim {
            clm_no: convert::order_no(&clm_no)?,
            oror_no: ord_no.clone(),
            canceled_at: convert::time(row.get(1).map_err(db_error)?)?,
            reason: convert::reason(&row.get::<_, String>(2).map_err(db_error)?)?,
            reason_text: convert::text(row.get(3).map_err(db_error)?),
            fault: convert::fault(&row.get::<_, String>(4).map_err(db_error)?)?,
            actor,
            lines: claim_lines,
        });
    }
    Ok(claims)
}

pub(crate) fn load_order(
    connection: &Connection,
    ord_no: &OrderNo,
) -> Result<Option<OrderRecord>, StoreError> {
    let Some(header) = load_header(connection, ord_no)? else {
        return Ok(None);
    };
    let stored = load_items(connection, ord_no, None)?;
    let fees = load_fees(connection, ord_no)?;
    let (items, states): (Vec<NewOrderItem>, Vec<ItemState>) =
        stored.into_iter().map(|s| (s.item, s.state)).unzip();
    let order = NewOrder::new(
        ord_no.clone(),
        convert::text(header.ordpe_nm),
        CustomerId::parse("customerId", &header.customer_id).map_err(corrupt)?,
        convert::media(&header.media)?,
        convert::time(header.received_at)?,
        fees,
        items,
    )
    .map_err(corrupt)?;
    Ok(Some(OrderRecord {
        order,
        items: states,
        claims: load_claims(connection, ord_no)?,
    }))
}

/// Cancels as `command` says; with `done`, records its idempotency answer in the same
/// transaction.
pub(crate) fn cancel(
    connection: &mut Connection,
    ord_no: &OrderNo,
    command: &CancelCommand,
    now: KstDateTime,
    done: Option<Completion<Claim>>,
) -> Result<Claim, StoreError> {
    let tx = immediate(connection)?;
    let claim = cancel_in(&tx, ord_no, command, now)?;
    if let Some(done) = done {
        idempotency::record(&tx, &done.key, &(done.render)(&claim), now)?;
    }
    tx.commit().map_err(db_error)?;
    Ok(claim)
}

fn cancel_in(
    tx: &Transaction<'_>,
    ord_no: &OrderNo,
    command: &CancelCommand,
    now: KstDateTime,
) -> Result<Claim, StoreError> {
    let header = load_header(tx, ord_no)?.ok_or_else(|| NotFound::Order(ord_no.clone()))?;
    let stored = load_items(tx, ord_no, None)?;
    let state = OrderState {
        ord_no: ord_no.clone(),
        customer_id: CustomerId::parse("customerId", &header.customer_id).map_err(corrupt)?,
        items: stored.iter().map(|s| s.state.clone()).collect(),
        shipping_fees: load_fees(tx, ord_no)?,
    };
    let plan = plan_cancellation(&state, command)?;

    let claim_id: i64 = tx
        .query_row(
            "SELECT coalesce(max(claim_id), 0) + 1 FROM claims",
            [],
            |row| row.get(0),
        )
        .map_err(db_error)?;
    let clm_no = claim_number(KstDate::of(now), claim_id as u64);
    let (customer_id, agent_id) = match command.actor() {
        Actor::Customer(customer) => (Some(customer.as_str()), None),
        Actor::Agent(agent) => (None, Some(agent.as_str())),
    };
    tx.execute(
        "INSERT INTO claims (claim_id, clm_no, oror_no, ord_cncl_dts, clm_rsn_cd, clm_rsn_cntt, impt_div_cd, customer_id, agent_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            claim_id,
            clm_no.as_str(),
            ord_no.as_str(),
            now.unix_seconds(),
            command.reason().code(),
            command.reason_text().as_str(),
            plan.fault.code(),
            customer_id,
            agent_id
        ],
    )
    .map_err(db_error)?;
    {
        let mut insert_line = tx
            .prepare_cached(
                "INSERT INTO claim_lines (spl_ven_id, ord_cncl_dts, clm_no, clm_item_seq, lrnk_spl_ven_id, \
                 oror_no, oror_item_seq, ordpe_nm, ord_rcp_media_cd, ord_rcp_dts, item_id, item_nm, uitem_id, \
                 uitem_nm, dirc_item_qty, clm_rsn_cd, clm_rsn_cntt, impt_div_cd, cncl_item_qty, \
                 shpmt_shppcst, ret_shppcst, exch_shppcst, spl_ven_bdn_dc_amt) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, 0, 0, ?21)",
            )
            .map_err(db_error)?;
        let mut update_item = tx
            .prepare_cached(
                "UPDATE order_items SET canceled_qty = ?3, refunded_dc_amt = ?4, \
                 last_canceled_at = max(coalesce(last_canceled_at, ?5), ?5) \
                 WHERE ord_no = ?1 AND ord_item_seq = ?2 AND canceled_qty = ?6 AND shipped_qty = 0",
            )
            .map_err(db_error)?;
        for line in &plan.lines {
            let item = &stored
                .iter()
                .find(|s| s.state.seq == line.item_seq)
                .expect("the plan names items of the order")
                .item;
            insert_line
                .execute(params![
                    line.vendor.as_str(),
                    now.unix_seconds(),
                    clm_no.as_str(),
                    line.line_seq.get(),
                    line.lower_rank.as_ref().map(VendorId::as_str),
                    ord_no.as_str(),
                    line.item_seq.get(),
                    header.ordpe_nm,
                    header.media,
                    header.received_at,
                    item.item_id.as_str(),
                    item.item_nm.as_str(),
                    item.uitem_id.as_str(),
                    item.uitem_nm.as_str(),
                    item.qty.get(),
                    command.reason().code(),
                    command.reason_text().as_str(),
                    plan.fault.code(),
                    line.qty.get(),
                    line.shipping_refund.get(),
                    line.discount_refund.get()
                ])
                .map_err(db_error)?;
            let before = line.canceled_after - line.qty.get();
            let changed = update_item
                .execute(params![
                    ord_no.as_str(),
                    line.item_seq.get(),
                    line.canceled_after,
                    line.refunded_discount_after.get(),
                    now.unix_seconds(),
                    before
                ])
                .map_err(db_error)?;
            if changed != 1 {
                return Err(StoreError::internal(format!(
                    "item {} of order {ord_no} changed under the write lock",
                    line.item_seq
                )));
            }
        }
    }
    Ok(plan.into_claim(clm_no, ord_no.clone(), now, command))
}

pub(crate) fn ship(
    connection: &mut Connection,
    ord_no: &OrderNo,
    item_seq: ItemSeq,
    scope: &Scope,
    now: KstDateTime,
) -> Result<Shipment, StoreError> {
    let tx = immediate(connection)?;
    let stored = load_items(&tx, ord_no, Some(item_seq))?;
    let item = stored
        .first()
        .ok_or_else(|| NotFound::Item(ord_no.clone(), item_seq))?;
    let plan = plan_shipment(&item.state, scope, now)?;
    let changed = tx
        .execute(
            "UPDATE order_items SET shipped_qty = ?3, shipped_at = ?4 \
             WHERE ord_no = ?1 AND ord_item_seq = ?2 AND shipped_qty = 0 AND canceled_qty = ?5",
            params![
                ord_no.as_str(),
                item_seq.get(),
                plan.qty.get(),
                plan.shipped_at.unix_seconds(),
                item.state.canceled
            ],
        )
        .map_err(db_error)?;
    if changed != 1 {
        return Err(StoreError::internal(format!(
            "item {item_seq} of order {ord_no} changed under the write lock"
        )));
    }
    tx.commit().map_err(db_error)?;
    Ok(Shipment {
        ord_no: ord_no.clone(),
        item_seq,
        qty: plan.qty,
        shipped_at: plan.shipped_at,
    })
}
