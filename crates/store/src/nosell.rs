//! The vendor's own cancellations and delays, as scripts every backend runs in one write
//! transaction: registering an item as out of stock (판매불가) and withdrawing it, sending a
//! delay notice (출고지연), and executing a registration when it falls due. Each locks the
//! order's row first, as every other change to an order does.
//!
//! A registration is executed exactly once, however many nodes try: the execution checks,
//! under the order's lock, that it is still in force and due, and ends it in the same
//! transaction; a node that comes second finds it ended and does nothing.

use claims_domain::{
    Actor, CancelCommand, Claim, DelayReason, EventType, ItemSeq, ItemState, KstDate, KstDateTime,
    NoSellReason, NoSellStatus, OrderNo, Scope, Text, item_event, plan_delay, plan_no_sell,
    plan_no_sell_withdrawal,
};

use crate::sql::{Param, Sql};
use crate::{ItemRef, NotFound, StoreError, events, orders, requests, shipping, stored};

/// The item a vendor's notice names, under its order's lock; its `itemId` must be the one
/// given, else it is no item of the caller's.
async fn noticed(
    sql: &mut dyn Sql,
    item: &ItemRef,
    item_id: &str,
) -> Result<(OrderNo, ItemState), StoreError> {
    let (ord_no, ordered, state) = shipping::locked_item_with(sql, item).await?;
    if ordered.item_id.as_str() != item_id.trim() {
        return Err(match item {
            ItemRef::Order(ord_no, seq) => NotFound::Item(ord_no.clone(), *seq),
            ItemRef::Shipping(shpp_no) => NotFound::Shipping(*shpp_no),
        }
        .into());
    }
    Ok((ord_no, state))
}

/// Writes the item's registration as `state` now holds it.
async fn write_no_sell(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
    state: &ItemState,
) -> Result<(), StoreError> {
    let no_sell = state
        .no_sell
        .as_ref()
        .ok_or_else(|| StoreError::internal("writing a registration the item does not have"))?;
    sql.execute(
        "UPDATE order_items SET no_sell_status = $3, no_sell_rsn_cd = $4, no_sell_text = $5, \
         no_sell_at = $6, no_sell_due = $7, no_sell_ended_at = $8 \
         WHERE ord_no = $1 AND ord_item_seq = $2 AND shipped_qty = 0",
        &[
            ord_no.as_str().into(),
            state.seq.get().into(),
            no_sell.status.name().into(),
            no_sell.reason.code().into(),
            no_sell.text.as_str().into(),
            no_sell.registered_at.into(),
            no_sell.executes_at.into(),
            no_sell.ended_at.into(),
        ],
    )
    .await
    .and_then(|changed| one(changed, ord_no, state.seq))
}

fn one(changed: u64, ord_no: &OrderNo, seq: ItemSeq) -> Result<(), StoreError> {
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::internal(format!(
            "item {seq} of order {ord_no} changed under the order's lock"
        )))
    }
}

/// Registers the item as out of stock for the vendor holding `scope`: it cannot ship, and
/// is canceled at 17:00 KST the next day. Returns where the item stands.
pub(crate) async fn register(
    sql: &mut dyn Sql,
    item: &ItemRef,
    item_id: &str,
    scope: &Scope,
    reason: NoSellReason,
    text: &Text,
    now: KstDateTime,
) -> Result<ItemState, StoreError> {
    let (ord_no, mut state) = noticed(sql, item, item_id).await?;
    state.no_sell = Some(plan_no_sell(&state, scope, reason, text.clone(), now)?);
    write_no_sell(sql, &ord_no, &state).await?;
    let told = item_event(EventType::ItemNoSellRegistered, &ord_no, &state);
    events::append(sql, vec![told], now).await?;
    Ok(state)
}

/// Withdraws the item's registration before it runs: an ordinary item again.
pub(crate) async fn withdraw(
    sql: &mut dyn Sql,
    item: &ItemRef,
    item_id: &str,
    scope: &Scope,
    now: KstDateTime,
) -> Result<ItemState, StoreError> {
    let (ord_no, mut state) = noticed(sql, item, item_id).await?;
    state.no_sell = Some(plan_no_sell_withdrawal(&state, scope, now)?);
    write_no_sell(sql, &ord_no, &state).await?;
    let told = item_event(EventType::ItemNoSellWithdrawn, &ord_no, &state);
    events::append(sql, vec![told], now).await?;
    Ok(state)
}

/// Sends a delay notice for the item: it is 출고지연 until `until` (a second notice moves
/// the date).
pub(crate) async fn delay(
    sql: &mut dyn Sql,
    item: &ItemRef,
    item_id: &str,
    scope: &Scope,
    reason: DelayReason,
    until: KstDate,
    now: KstDateTime,
) -> Result<ItemState, StoreError> {
    let (ord_no, mut state) = noticed(sql, item, item_id).await?;
    let delay = plan_delay(&state, scope, reason, until, now).map_err(|refusal| match refusal {
        claims_domain::DelayRefusal::State(rejection) => StoreError::Ship(rejection),
        claims_domain::DelayRefusal::Date(invalid) => StoreError::Invalid(invalid),
    })?;
    if state.delay.as_ref() == Some(&delay) {
        // The same notice again: told once.
        return Ok(state);
    }
    let changed = sql
        .execute(
            "UPDATE order_items SET delay_rsn_cd = $3, whin_expc_dt = $4, delay_nts = $5, \
             delayed_at = $6 WHERE ord_no = $1 AND ord_item_seq = $2 AND shipped_qty = 0",
            &[
                ord_no.as_str().into(),
                state.seq.get().into(),
                delay.reason.code().into(),
                delay.until.compact().as_str().into(),
                delay.notices.into(),
                delay.noticed_at.into(),
            ],
        )
        .await?;
    one(changed, &ord_no, state.seq)?;
    state.delay = Some(delay);
    let told = item_event(EventType::ItemDelayed, &ord_no, &state);
    events::append(sql, vec![told], now).await?;
    Ok(state)
}

/// A registration in force that falls due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueNoSell {
    pub ord_no: OrderNo,
    pub item_seq: ItemSeq,
    pub due: KstDateTime,
}

/// The registrations in force due by `by`, earliest first; at most `limit`.
pub(crate) async fn due(
    sql: &mut dyn Sql,
    by: KstDateTime,
    limit: usize,
) -> Result<Vec<DueNoSell>, StoreError> {
    sql.query(
        "SELECT ord_no, ord_item_seq, no_sell_due FROM order_items \
         WHERE no_sell_status = 'registered' AND no_sell_due <= $1 \
         ORDER BY no_sell_due, ord_no, ord_item_seq LIMIT $2",
        &[by.into(), Param::Int(limit as i64)],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(DueNoSell {
            ord_no: stored::order_no(row.text(0)?)?,
            item_seq: stored::seq(row.int(1)?)?,
            due: row.time(2)?,
        })
    })
    .collect()
}

/// What executing a registration did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed {
    pub ord_no: OrderNo,
    pub item_seq: ItemSeq,
    /// `Executed`, or `Void` when nothing was left open.
    pub status: NoSellStatus,
    /// The claim a pending cancel request's approval made first, if there was one.
    pub approved: Option<Claim>,
    /// The vendor's own claim of every unit still open, if any was.
    pub claim: Option<Claim>,
}

/// Executes the registration of item `seq` of `ord_no` at `now`: every pending cancel
/// request line of the item approved first, then every open unit canceled as the vendor's
/// claim (or the registration void when none is open). `None` when there is nothing to do:
/// no registration in force (withdrawn, or executed already by another node) or not due.
pub(crate) async fn execute(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
    seq: ItemSeq,
    now: KstDateTime,
) -> Result<Option<Executed>, StoreError> {
    if orders::header(sql, ord_no, true).await?.is_none() {
        return Ok(None);
    }
    let Some((_, state)) = orders::items(sql, ord_no, Some(seq))
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    // Exactly once: only a registration still in force and due is executed.
    let Some(registered) = state.registered_no_sell().cloned() else {
        return Ok(None);
    };
    if registered.executes_at > now {
        return Ok(None);
    }
    let scope = Scope {
        vendor: state.vendor.clone(),
        lower_rank: state.lower_rank.clone(),
    };
    let approved = if shipping::pending_request(sql, ord_no, seq).await? {
        Some(requests::approve(sql, ord_no, seq, &scope, now).await?)
    } else {
        None
    };
    let (_, state) = orders::items(sql, ord_no, Some(seq))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::internal("an item went away under its order's lock"))?;
    let claim = match state.open() {
        0 => None,
        open => {
            let qty = claims_domain::Quantity::new("qty", i64::from(open))
                .map_err(StoreError::internal)?;
            let command = CancelCommand::new(
                Actor::Vendor(state.vendor.clone()),
                vec![(seq, qty)],
                registered.claim_reason(),
                registered.text.clone(),
                None,
            )
            .map_err(StoreError::internal)?;
            Some(orders::cancel(sql, ord_no, &command, now, None).await?)
        }
    };
    let status = if claim.is_some() {
        NoSellStatus::Executed
    } else {
        NoSellStatus::Void
    };
    let changed = sql
        .execute(
            "UPDATE order_items SET no_sell_status = $3, no_sell_ended_at = $4 \
             WHERE ord_no = $1 AND ord_item_seq = $2 AND no_sell_status = 'registered'",
            &[
                ord_no.as_str().into(),
                seq.get().into(),
                status.name().into(),
                now.into(),
            ],
        )
        .await?;
    one(changed, ord_no, seq)?;
    Ok(Some(Executed {
        ord_no: ord_no.clone(),
        item_seq: seq,
        status,
        approved,
        claim,
    }))
}
