//! Orders, cancellations and shipments, as scripts every backend runs in one write
//! transaction. The order's row is read first, locked where the database needs it
//! (`Dialect::for_update`), so every write to one order — from any node — runs one at a
//! time, and the state a rule is checked against cannot change before the write.

use std::collections::BTreeMap;

use claims_domain::{
    CancelCommand, CancelRequest, CancelRow, Claim, ClaimNo, ClaimPlan, CustomerId, ItemSeq,
    ItemState, KstDate, KstDateTime, NewOrder, NewOrderItem, OrderNo, OrderState, ShippingFee,
    ShippingNo, claim_events, claim_number, order_events, plan_cancellation, vendors,
};

use crate::sql::{ByOrder, Cells, Dialect, Param, Sql, rows_of_orders};
use crate::stored::{self, ROW_COLUMNS, corrupt};
use crate::tables::{
    ClaimLineRow, ClaimRow, FeeRow, ItemRow, OrderRow, RequestLineRow, RequestRow, select,
};
use crate::{
    Completion, Conflict, EventSources, NotFound, OrderRecord, Placed, StoreError, admin, events,
    idempotency, pickups,
};

/// Places `order`; with `done`, records its idempotency answer in the same transaction.
pub(crate) async fn place(
    sql: &mut dyn Sql,
    order: &NewOrder,
    now: KstDateTime,
    done: Option<Completion<Placed>>,
) -> Result<Placed, StoreError> {
    let placed = place_in(sql, order, now).await?;
    if let Some(done) = done {
        idempotency::record(sql, &done.key, &(done.render)(&placed), now).await?;
    }
    Ok(placed)
}

async fn place_in(
    sql: &mut dyn Sql,
    order: &NewOrder,
    now: KstDateTime,
) -> Result<Placed, StoreError> {
    let ord_no = order.ord_no();
    if let Some(existing) = load(sql, ord_no).await? {
        return same_or_conflict(existing, order);
    }
    let ids = order.vendor_ids().into_iter().cloned().collect();
    let standings = admin::standings(sql, ids).await?;
    vendors::check_order_vendors(order, admin::lookup(&standings))?;
    // A concurrent placement of the same number may have won since the check above: the
    // insert waits for it on the primary key and then does nothing.
    let inserted = sql
        .execute(
            &format!("{} ON CONFLICT (ord_no) DO NOTHING", OrderRow::insert_sql()),
            &OrderRow::of(order, now).params(),
        )
        .await?;
    if inserted == 0 {
        let existing = load(sql, ord_no)
            .await?
            .ok_or_else(|| StoreError::internal("an order that conflicted could not be read"))?;
        return same_or_conflict(existing, order);
    }
    for fee in order.shipping_fees() {
        sql.execute(&FeeRow::insert_sql(), &FeeRow::of(ord_no, fee).params())
            .await?;
    }
    for item in order.items() {
        let placed = ItemState::placed(item, next_shipping_no(sql).await?);
        sql.execute(
            &ItemRow::insert_sql(),
            &ItemRow::of(order, item, &placed).params(),
        )
        .await?;
    }
    let record = load(sql, ord_no)
        .await?
        .ok_or_else(|| StoreError::internal("an order just written could not be read back"))?;
    events::append(sql, order_events(order), now).await?;
    Ok(Placed::Created(record))
}

fn same_or_conflict(existing: OrderRecord, order: &NewOrder) -> Result<Placed, StoreError> {
    if &existing.order == order {
        Ok(Placed::Existing(existing))
    } else {
        Err(Conflict::OrderDiffers(order.ord_no().clone()).into())
    }
}

/// The order's row; with `lock`, locked for the rest of the transaction.
pub(crate) async fn header(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
    lock: bool,
) -> Result<Option<OrderRow<'static>>, StoreError> {
    let lock = if lock { sql.dialect().for_update() } else { "" };
    let statement = format!(
        "{} WHERE ord_no = $1{lock}",
        select(OrderRow::TABLE, OrderRow::COLUMNS)
    );
    sql.query_opt(&statement, &[ord_no.as_str().into()])
        .await?
        .map(|row| OrderRow::read(&row))
        .transpose()
}

/// The order's items, in sequence order, with where each stands; only `only` when given.
pub(crate) async fn items(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
    only: Option<ItemSeq>,
) -> Result<Vec<(NewOrderItem, ItemState)>, StoreError> {
    let columns = select(ItemRow::TABLE, ItemRow::COLUMNS);
    let rows = match only {
        Some(seq) => {
            let statement = format!("{columns} WHERE ord_no = $1 AND ord_item_seq = $2");
            sql.query(&statement, &[ord_no.as_str().into(), seq.get().into()])
                .await?
        }
        None => {
            let statement = format!("{columns} WHERE ord_no = $1 ORDER BY ord_item_seq");
            sql.query(&statement, &[ord_no.as_str().into()]).await?
        }
    };
    rows.iter()
        .map(|row| ItemRow::read(row)?.into_item())
        .collect()
}

async fn fees(sql: &mut dyn Sql, ord_no: &OrderNo) -> Result<Vec<ShippingFee>, StoreError> {
    Ok(fees_of(sql, std::slice::from_ref(ord_no))
        .await?
        .remove(ord_no.as_str())
        .unwrap_or_default())
}

/// The shipping fees of each of `ord_nos`, by order number, each order's by vendor.
async fn fees_of(
    sql: &mut dyn Sql,
    ord_nos: &[OrderNo],
) -> Result<ByOrder<ShippingFee>, StoreError> {
    let select = select(FeeRow::TABLE, FeeRow::COLUMNS);
    let mut fees = ByOrder::new();
    for row in rows_of_orders(sql, &select, "ord_no", ord_nos, "ord_no, spl_ven_id").await? {
        let row = FeeRow::read(&row)?;
        let ord_no = row.ord_no.clone().into_owned();
        fees.entry(ord_no).or_default().push(row.into_fee()?);
    }
    Ok(fees)
}

/// The order's claims, in the order they were made, each with its lines.
pub(crate) async fn claims(sql: &mut dyn Sql, ord_no: &OrderNo) -> Result<Vec<Claim>, StoreError> {
    Ok(claims_of(sql, std::slice::from_ref(ord_no))
        .await?
        .remove(ord_no.as_str())
        .unwrap_or_default())
}

/// The claims of each of `ord_nos`, by order number, each order's in the order they were
/// made, each with its lines.
async fn claims_of(sql: &mut dyn Sql, ord_nos: &[OrderNo]) -> Result<ByOrder<Claim>, StoreError> {
    let select_lines = select(ClaimLineRow::TABLE, ClaimLineRow::COLUMNS);
    let mut lines: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for row in rows_of_orders(
        sql,
        &select_lines,
        "oror_no",
        ord_nos,
        "clm_no, clm_item_seq",
    )
    .await?
    {
        let row = ClaimLineRow::read(&row)?;
        let clm_no = row.clm_no.clone().into_owned();
        lines.entry(clm_no).or_default().push(row.into_line()?);
    }
    let select_claims = select(ClaimRow::TABLE, ClaimRow::COLUMNS);
    let mut claims = ByOrder::new();
    for row in rows_of_orders(sql, &select_claims, "oror_no", ord_nos, "claim_id").await? {
        let row = ClaimRow::read(&row)?;
        let mut claim_lines = lines.remove(row.clm_no.as_ref()).unwrap_or_default();
        claim_lines.sort_by_key(|line| line.line_seq);
        let oror_no = row.oror_no.clone().into_owned();
        claims
            .entry(oror_no)
            .or_default()
            .push(row.into_claim(claim_lines)?);
    }
    Ok(claims)
}

/// The order as placed, from its row, items and fees.
fn order_of(
    header: &OrderRow<'_>,
    ord_no: &OrderNo,
    fees: Vec<ShippingFee>,
    items: Vec<NewOrderItem>,
) -> Result<NewOrder, StoreError> {
    NewOrder::new(
        ord_no.clone(),
        stored::text(header.ordpe_nm.clone().into_owned()),
        header.customer_id()?,
        stored::media(&header.ord_rcp_media_cd)?,
        header.ord_rcp_dts,
        fees,
        items,
    )
    .map(|order| order.with_recipient(header.recipient()))
    .map_err(corrupt)
}

/// The order, where each of its items stands, and its claims.
pub(crate) async fn load(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
) -> Result<Option<OrderRecord>, StoreError> {
    Ok(load_many(sql, std::slice::from_ref(ord_no)).await?.pop())
}

/// [`load`] for several orders at once: each table read once for all of them (a few
/// statements in all, not a few per order). The orders that exist, in the order of
/// `ord_nos` (each once).
pub(crate) async fn load_many(
    sql: &mut dyn Sql,
    ord_nos: &[OrderNo],
) -> Result<Vec<OrderRecord>, StoreError> {
    let mut wanted: Vec<OrderNo> = Vec::with_capacity(ord_nos.len());
    let mut seen = std::collections::BTreeSet::new();
    for ord_no in ord_nos {
        if seen.insert(ord_no.as_str()) {
            wanted.push(ord_no.clone());
        }
    }
    let select_headers = select(OrderRow::TABLE, OrderRow::COLUMNS);
    let mut headers = BTreeMap::new();
    for row in rows_of_orders(sql, &select_headers, "ord_no", &wanted, "ord_no").await? {
        let row = OrderRow::read(&row)?;
        headers.insert(row.ord_no.clone().into_owned(), row);
    }
    wanted.retain(|ord_no| headers.contains_key(ord_no.as_str()));
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut items = items_of(sql, &wanted).await?;
    let mut fees = fees_of(sql, &wanted).await?;
    let mut claims = claims_of(sql, &wanted).await?;
    let mut requests = cancel_requests_of(sql, &wanted).await?;
    let mut pickups = pickups::of_orders(sql, &wanted).await?;
    wanted
        .iter()
        .map(|ord_no| {
            let key = ord_no.as_str();
            let (items, states): (Vec<NewOrderItem>, Vec<ItemState>) =
                items.remove(key).unwrap_or_default().into_iter().unzip();
            let fees = fees.remove(key).unwrap_or_default();
            Ok(OrderRecord {
                order: order_of(&headers[key], ord_no, fees, items)?,
                items: states,
                claims: claims.remove(key).unwrap_or_default(),
                cancel_requests: requests.remove(key).unwrap_or_default(),
                pickups: pickups.remove(key).unwrap_or_default(),
            })
        })
        .collect()
}

/// What a page of events is written from, in a few statements whatever the page's
/// length: the orders named in `ord_nos`, whole, and the inquiry rows of the original
/// orders in `claim_orders` (every vendor's: a page may hold several vendors' events), in
/// the inquiry's order.
pub(crate) async fn event_sources(
    sql: &mut dyn Sql,
    ord_nos: &[OrderNo],
    claim_orders: &[OrderNo],
) -> Result<EventSources, StoreError> {
    let orders = load_many(sql, ord_nos).await?;
    let select = format!(
        "SELECT {ROW_COLUMNS} FROM claim_lines{}",
        sql.dialect().indexed_by("claim_lines_by_original")
    );
    let mut claim_rows = Vec::new();
    for row in rows_of_orders(sql, &select, "oror_no", claim_orders, "oror_no").await? {
        let view = stored::cancel_row(&Cells(&row))?;
        claim_rows.push(view.to_owned_row().map_err(corrupt)?);
    }
    claim_rows.sort_by_key(CancelRow::key);
    Ok(EventSources { orders, claim_rows })
}

/// The items of each of `ord_nos`, by order number, each order's in sequence order.
async fn items_of(
    sql: &mut dyn Sql,
    ord_nos: &[OrderNo],
) -> Result<ByOrder<(NewOrderItem, ItemState)>, StoreError> {
    let select = select(ItemRow::TABLE, ItemRow::COLUMNS);
    let mut items = ByOrder::new();
    for row in rows_of_orders(sql, &select, "ord_no", ord_nos, "ord_no, ord_item_seq").await? {
        let row = ItemRow::read(&row)?;
        let ord_no = row.ord_no.clone().into_owned();
        items.entry(ord_no).or_default().push(row.into_item()?);
    }
    Ok(items)
}

/// The cancel requests of each of `ord_nos`, by order number, each order's in the order
/// they were filed, each with its lines.
async fn cancel_requests_of(
    sql: &mut dyn Sql,
    ord_nos: &[OrderNo],
) -> Result<ByOrder<CancelRequest>, StoreError> {
    let select_lines = select(RequestLineRow::TABLE, RequestLineRow::COLUMNS);
    let mut lines: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for row in rows_of_orders(
        sql,
        &select_lines,
        "oror_no",
        ord_nos,
        "request_id, ord_item_seq",
    )
    .await?
    {
        let row = RequestLineRow::read(&row)?;
        let id = row.request_id.clone().into_owned();
        lines.entry(id).or_default().push(row.into_line()?);
    }
    let select_requests = select(RequestRow::TABLE, RequestRow::COLUMNS);
    let mut requests = ByOrder::new();
    for row in rows_of_orders(
        sql,
        &select_requests,
        "oror_no",
        ord_nos,
        "clm_demnd_dts, request_id",
    )
    .await?
    {
        let row = RequestRow::read(&row)?;
        let mut request_lines = lines.remove(row.request_id.as_ref()).unwrap_or_default();
        request_lines.sort_by_key(|line| line.item_seq);
        let oror_no = row.oror_no.clone().into_owned();
        requests
            .entry(oror_no)
            .or_default()
            .push(row.into_request(request_lines)?);
    }
    Ok(requests)
}

/// An order read under its lock, to be changed: as placed, and as the rules see it.
pub(crate) struct Locked {
    pub order: NewOrder,
    pub state: OrderState,
}

/// Reads and locks `ord_no` for the rest of the transaction, or `None` when there is none.
pub(crate) async fn lock(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
) -> Result<Option<Locked>, StoreError> {
    let Some(header) = header(sql, ord_no, true).await? else {
        return Ok(None);
    };
    let (items, states): (Vec<NewOrderItem>, Vec<ItemState>) =
        items(sql, ord_no, None).await?.into_iter().unzip();
    let fees = fees(sql, ord_no).await?;
    let state = OrderState {
        ord_no: ord_no.clone(),
        customer_id: header.customer_id()?,
        items: states,
        shipping_fees: fees.clone(),
    };
    Ok(Some(Locked {
        order: order_of(&header, ord_no, fees, items)?,
        state,
    }))
}

/// The next shipping number: from one sequence on PostgreSQL; the largest so far plus one
/// under SQLite's write lock.
pub(crate) async fn next_shipping_no(sql: &mut dyn Sql) -> Result<ShippingNo, StoreError> {
    // Pickups and replacements are numbered from the items' numbering too.
    let statement = match sql.dialect() {
        Dialect::Postgres => "SELECT nextval(pg_get_serial_sequence('order_items', 'shpp_no'))",
        Dialect::Sqlite => {
            "SELECT max(coalesce((SELECT max(shpp_no) FROM order_items), 0), \
             coalesce((SELECT max(shpp_no) FROM pickups), 0), \
             coalesce((SELECT max(rpl_shpp_no) FROM pickups), 0)) + 1"
        }
    };
    let number = sql.query_one(statement, &[]).await?.int(0)?;
    stored::shipping_no(number)
}

/// `count` new shipping numbers for one transaction's rows: SQLite's next number counts
/// only rows written, so those not yet written are numbered on from it.
pub(crate) async fn next_shipping_nos(
    sql: &mut dyn Sql,
    count: usize,
) -> Result<Vec<ShippingNo>, StoreError> {
    let mut numbers = Vec::with_capacity(count);
    match sql.dialect() {
        Dialect::Postgres => {
            for _ in 0..count {
                numbers.push(next_shipping_no(sql).await?);
            }
        }
        Dialect::Sqlite => {
            let first = next_shipping_no(sql).await?.get();
            for offset in 0..count as u64 {
                numbers.push(stored::shipping_no((first + offset) as i64)?);
            }
        }
    }
    Ok(numbers)
}

/// The next number behind a claim number, unique however requests interleave: from one
/// sequence on PostgreSQL; the largest so far plus one under SQLite's write lock.
pub(crate) async fn next_claim_id(sql: &mut dyn Sql) -> Result<u64, StoreError> {
    // Returns and exchanges are numbered from the cancellations' numbering too.
    let statement = match sql.dialect() {
        Dialect::Postgres => "SELECT nextval(pg_get_serial_sequence('claims', 'claim_id'))",
        Dialect::Sqlite => {
            "SELECT max(coalesce((SELECT max(claim_id) FROM claims), 0), \
             coalesce((SELECT max(claim_id) FROM pickup_claims), 0)) + 1"
        }
    };
    let id = sql.query_one(statement, &[]).await?.int(0)?;
    u64::try_from(id).map_err(|_| corrupt(format!("claim id {id}")))
}

/// Cancels as `command` says, as one claim numbered here; with `done`, records its
/// idempotency answer in the same transaction.
pub(crate) async fn cancel(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
    command: &CancelCommand,
    now: KstDateTime,
    done: Option<Completion<Claim>>,
) -> Result<Claim, StoreError> {
    let locked = lock(sql, ord_no)
        .await?
        .ok_or_else(|| NotFound::Order(ord_no.clone()))?;
    let plan = plan_cancellation(&locked.state, command)?;
    let claim = write_claim(sql, &locked.order, plan, command, now).await?;
    if let Some(done) = done {
        idempotency::record(sql, &done.key, &(done.render)(&claim), now).await?;
    }
    Ok(claim)
}

/// Writes a planned cancellation of a locked order: each item moves from exactly the state
/// the plan was made on, or nothing is written; the claim is numbered here.
pub(crate) async fn write_claim(
    sql: &mut dyn Sql,
    order: &NewOrder,
    plan: ClaimPlan,
    command: &CancelCommand,
    now: KstDateTime,
) -> Result<Claim, StoreError> {
    let ord_no = order.ord_no();
    for line in &plan.lines {
        let before = line.canceled_after - line.qty.get();
        let changed = sql
            .execute(
                "UPDATE order_items SET canceled_qty = $3, refunded_dc_amt = $4, \
                 last_canceled_at = CASE WHEN last_canceled_at IS NULL OR last_canceled_at < $5 \
                 THEN $5 ELSE last_canceled_at END \
                 WHERE ord_no = $1 AND ord_item_seq = $2 AND canceled_qty = $6 AND shipped_qty = 0",
                &[
                    ord_no.as_str().into(),
                    line.item_seq.get().into(),
                    line.canceled_after.into(),
                    line.refunded_discount_after.get().into(),
                    now.into(),
                    before.into(),
                ],
            )
            .await?;
        if changed != 1 {
            return Err(StoreError::internal(format!(
                "item {} of order {ord_no} changed under the order's lock",
                line.item_seq
            )));
        }
    }
    let claim_id = next_claim_id(sql).await?;
    let claim = plan.into_claim(
        claim_number(KstDate::of(now), claim_id),
        ord_no.clone(),
        now,
        command,
    );
    sql.execute(
        &ClaimRow::insert_sql(),
        &ClaimRow::of(claim_id, &claim).params(),
    )
    .await?;
    for line in &claim.lines {
        let row = ClaimLineRow::of(order, &claim, line)?;
        sql.execute(&ClaimLineRow::insert_sql(), &row.params())
            .await?;
    }
    events::append(sql, claim_events(&claim), now).await?;
    Ok(claim)
}

/// One claim by its number, with its lines.
pub(crate) async fn claim(
    sql: &mut dyn Sql,
    clm_no: &ClaimNo,
) -> Result<Option<Claim>, StoreError> {
    let statement = format!(
        "{} WHERE clm_no = $1",
        select(ClaimRow::TABLE, ClaimRow::COLUMNS)
    );
    let Some(row) = sql.query_opt(&statement, &[clm_no.as_str().into()]).await? else {
        return Ok(None);
    };
    let row = ClaimRow::read(&row)?;
    // The lines by their original order (an index), then this claim's.
    let statement = format!(
        "{} WHERE oror_no = $1 AND clm_no = $2 ORDER BY clm_item_seq",
        select(ClaimLineRow::TABLE, ClaimLineRow::COLUMNS)
    );
    let lines = sql
        .query(
            &statement,
            &[row.oror_no.as_ref().into(), clm_no.as_str().into()],
        )
        .await?
        .iter()
        .map(|line| ClaimLineRow::read(line)?.into_line())
        .collect::<Result<Vec<_>, _>>()?;
    row.into_claim(lines).map(Some)
}

/// Where a list of a customer's orders continues: after this order, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCursor {
    pub received_at: KstDateTime,
    pub ord_no: OrderNo,
}

/// Up to `limit` orders of `customer`, newest first (by receipt time, then number), after
/// `after` when given.
pub(crate) async fn of_customer(
    sql: &mut dyn Sql,
    customer: &CustomerId,
    after: Option<&OrderCursor>,
    limit: usize,
) -> Result<Vec<OrderRecord>, StoreError> {
    let rows = match after {
        Some(after) => {
            sql.query(
                "SELECT ord_no FROM orders WHERE customer_id = $1 \
                 AND (ord_rcp_dts < $2 OR (ord_rcp_dts = $2 AND ord_no < $3)) \
                 ORDER BY ord_rcp_dts DESC, ord_no DESC LIMIT $4",
                &[
                    customer.as_str().into(),
                    after.received_at.into(),
                    after.ord_no.as_str().into(),
                    Param::Int(limit as i64),
                ],
            )
            .await?
        }
        None => {
            sql.query(
                "SELECT ord_no FROM orders WHERE customer_id = $1 \
                 ORDER BY ord_rcp_dts DESC, ord_no DESC LIMIT $2",
                &[customer.as_str().into(), Param::Int(limit as i64)],
            )
            .await?
        }
    };
    let mut orders = Vec::with_capacity(rows.len());
    for row in rows {
        let ord_no = stored::order_no(row.text(0)?)?;
        if let Some(record) = load(sql, &ord_no).await? {
            orders.push(record);
        }
    }
    Ok(orders)
}
