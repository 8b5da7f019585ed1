//! Returns and exchanges after release (반품, 교환), as scripts every backend runs in one
//! write transaction: filing a claim of pickups, withdrawing it, the vendor's confirmation,
//! completion and refusal of a pickup, the automatic completion of a confirmed pickup when
//! it falls due, and an exchange's replacement on its way to the customer. Like every change
//! to an order, each locks the original order's row first, so it is decided (by
//! `claims-domain`) on state no other node can change before it is written; and each write
//! of a pickup line checks that the line still stands as it was read.

use std::collections::BTreeMap;

use claims_domain::{
    Blame, ClaimNo, ExchangeOf, ItemSeq, ItemState, KstDate, KstDateTime, NewOrder, NewOrderItem,
    OrderNo, PickupCarrier, PickupClaim, PickupCommand, PickupDate, PickupKind, PickupLine,
    PickupListing, PickupLookup, PickupQuery, PickupStatus, RefusalReason, Release, Replacement,
    ReplacementStatus, Scope, ShipRejection, ShipmentPlan, ShippingItem, ShippingNo, Text, Waybill,
    claim_number, pickup_events, plan_confirm, plan_delivery, plan_pickup_complete,
    plan_pickup_confirm, plan_pickup_on, plan_pickup_refusal, plan_pickup_withdrawal, plan_release,
    plan_waybill, replacement_state,
};

use crate::sql::{Param, Sql};
use crate::stored::{self, corrupt};
use crate::tables::{PickupClaimRow, PickupRow};
use crate::{Completion, NotFound, Shipment, StoreError, events, idempotency, orders, pickups};

/// What a vendor does to one of its pickups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickupStep {
    /// 회수확인 (61 → 63): how it is fetched, whether it can be sold again, who is to blame.
    Confirm {
        carrier: PickupCarrier,
        resell: bool,
        blame: Option<Blame>,
    },
    /// 회수완료 (63 → 64): a return refunded, an exchange's replacement free to ship.
    Complete,
    /// 반품거부 (63 → 64, `retProcStatCd` 20): a return refused, its units the customer's.
    Refuse { reason: RefusalReason, memo: Text },
}

/// A confirmed pickup that completes by itself at `due`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuePickup {
    pub shpp_no: ShippingNo,
    pub due: KstDateTime,
}

/// Files a return or an exchange of `ord_no` as one claim numbered here, each line a pickup
/// with its own shipping number (and an exchange's replacement with another); with `done`,
/// records its idempotency answer in the same transaction.
pub(crate) async fn file(
    sql: &mut dyn Sql,
    ord_no: &OrderNo,
    command: &PickupCommand,
    now: KstDateTime,
    done: Option<Completion<PickupClaim>>,
) -> Result<PickupClaim, StoreError> {
    let locked = orders::lock(sql, ord_no)
        .await?
        .ok_or_else(|| NotFound::Order(ord_no.clone()))?;
    let filed = pickups::of_order(sql, ord_no).await?;
    let cancellations = orders::claims(sql, ord_no).await?;
    let plan = plan_pickup_on(
        &locked.order,
        &locked.state.items,
        &cancellations,
        &filed,
        command,
    )?;
    let claim_id = orders::next_claim_id(sql).await?;
    let count = plan.lines.len() as i64;
    let replacements = plan
        .lines
        .iter()
        .filter(|p| p.replacement.is_some())
        .count();
    let mut numbers = orders::next_shipping_nos(sql, plan.lines.len() + replacements)
        .await?
        .into_iter();
    let mut number = move || {
        numbers
            .next()
            .ok_or_else(|| StoreError::internal("fewer shipping numbers than asked for"))
    };
    let mut lines = Vec::with_capacity(plan.lines.len());
    for (index, planned) in plan.lines.into_iter().enumerate() {
        let shpp_no = number()?;
        let replacement = match planned.replacement {
            None => None,
            Some((uitem_id, uitem_nm)) => Some(Replacement {
                line_seq: line_seq(count + index as i64 + 1)?,
                shpp_no: number()?,
                qty: planned.qty,
                uitem_id,
                uitem_nm,
                status: ReplacementStatus::Waiting,
                confirmed_at: None,
                waybill: None,
                shipped_at: None,
                delivered_at: None,
            }),
        };
        lines.push(PickupLine {
            line_seq: line_seq(index as i64 + 1)?,
            item_seq: planned.item_seq,
            qty: planned.qty,
            shpp_no,
            status: PickupStatus::Requested,
            cost: planned.cost,
            refund: planned.refund,
            confirmation: None,
            ended_at: None,
            refusal: None,
            withdrawn_at: None,
            replacement,
        });
    }
    let claim = PickupClaim {
        clm_no: claim_number(KstDate::of(now), claim_id),
        oror_no: ord_no.clone(),
        kind: plan.kind,
        reason: command.reason,
        reason_text: command.reason_text.clone(),
        actor: command.actor.clone(),
        filed_at: now,
        lines,
    };
    sql.execute(
        &PickupClaimRow::insert_sql(),
        &PickupClaimRow::of(claim_id, &claim).params(),
    )
    .await?;
    for line in &claim.lines {
        sql.execute(
            &PickupRow::insert_sql(),
            &PickupRow::of(&claim, line).params(),
        )
        .await?;
    }
    let all: Vec<ItemSeq> = claim.lines.iter().map(|line| line.line_seq).collect();
    events::append(
        sql,
        pickup_events(&claim, &all, PickupStatus::Requested),
        now,
    )
    .await?;
    if let Some(done) = done {
        idempotency::record(sql, &done.key, &(done.render)(&claim), now).await?;
    }
    Ok(claim)
}

fn line_seq(n: i64) -> Result<ItemSeq, StoreError> {
    ItemSeq::new("ordItemSeq", n).map_err(StoreError::Invalid)
}

/// Writes line `index` of `claim` as it now stands, provided it still stands as `before`
/// (its status and its replacement's) — else another write got there first.
async fn save_line(
    sql: &mut dyn Sql,
    claim: &PickupClaim,
    index: usize,
    before: &PickupLine,
) -> Result<(), StoreError> {
    let row = PickupRow::of(claim, &claim.lines[index]);
    let mut params = row.params();
    // Every column but the key (clm_no, line_seq: $1, $2).
    let set = PickupRow::COLUMNS
        .iter()
        .enumerate()
        .skip(2)
        .map(|(at, column)| format!("{column} = ${}", at + 1))
        .collect::<Vec<_>>()
        .join(", ");
    params.push(before.status.as_str().into());
    let status_at = params.len();
    params.push(
        before
            .replacement
            .as_ref()
            .map_or("", |r| r.status.as_str())
            .into(),
    );
    let replacement_at = params.len();
    let shipped = before
        .replacement
        .as_ref()
        .is_some_and(|r| r.shipped_at.is_some());
    params.push(i64::from(shipped).into());
    let shipped_at = params.len();
    let statement = format!(
        "UPDATE pickups SET {set} WHERE clm_no = $1 AND line_seq = $2 AND status = ${status_at} \
         AND coalesce(rpl_status, '') = ${replacement_at} \
         AND (CASE WHEN rpl_shipped_at IS NULL THEN 0 ELSE 1 END) = ${shipped_at}"
    );
    let changed = sql.execute(&statement, &params).await?;
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::internal(format!(
            "pickup {} of claim {} changed under its order's lock",
            before.shpp_no, claim.clm_no
        )))
    }
}

/// The claim and line of the pickup numbered `shpp_no` (or of the replacement so numbered,
/// with `replacement`), read under the original order's lock.
async fn locked_line(
    sql: &mut dyn Sql,
    shpp_no: ShippingNo,
    replacement: bool,
) -> Result<Option<(NewOrder, PickupClaim, usize)>, StoreError> {
    let column = if replacement {
        "rpl_shpp_no"
    } else {
        "shpp_no"
    };
    let found = sql
        .query_opt(
            &format!("SELECT oror_no, clm_no FROM pickups WHERE {column} = $1"),
            &[Param::Int(shpp_no.get() as i64)],
        )
        .await?;
    let Some(row) = found else {
        return Ok(None);
    };
    let oror_no = stored::order_no(row.text(0)?)?;
    let clm_no = stored::claim_no(row.text(1)?)?;
    let locked = orders::lock(sql, &oror_no)
        .await?
        .ok_or_else(|| corrupt(format!("pickup {shpp_no} of a missing order {oror_no}")))?;
    let claim = pickups::of_order(sql, &oror_no)
        .await?
        .into_iter()
        .find(|claim| claim.clm_no == clm_no)
        .ok_or_else(|| corrupt(format!("pickup {shpp_no} of a missing claim {clm_no}")))?;
    let index = claim
        .lines
        .iter()
        .position(|line| {
            if replacement {
                line.replacement.as_ref().map(|r| r.shpp_no) == Some(shpp_no)
            } else {
                line.shpp_no == shpp_no
            }
        })
        .ok_or_else(|| corrupt(format!("pickup {shpp_no} went missing from its claim")))?;
    Ok(Some((locked.order, claim, index)))
}

/// Ends line `index` of `claim` as completed at `now`: a return refunded, an exchange's
/// replacement free to ship.
fn complete_line(claim: &mut PickupClaim, index: usize, now: KstDateTime) {
    let line = &mut claim.lines[index];
    line.status = PickupStatus::Completed;
    line.ended_at = Some(now);
    if let Some(replacement) = &mut line.replacement {
        replacement.status = ReplacementStatus::Normal;
    }
}

/// The vendor holding `scope` takes `step` on its pickup numbered `shpp_no`, of `qty` units.
/// Another vendor's, an unknown or a withdrawn pickup is not found. Returns the claim as it
/// stands afterwards.
pub(crate) async fn step(
    sql: &mut dyn Sql,
    shpp_no: ShippingNo,
    scope: &Scope,
    qty: u32,
    step: &PickupStep,
    now: KstDateTime,
) -> Result<PickupClaim, StoreError> {
    let (_, mut claim, index) = locked_line(sql, shpp_no, false)
        .await?
        .ok_or(NotFound::Pickup(shpp_no))?;
    let before = claim.lines[index].clone();
    let covers = scope.covers(&before.cost.vendor, before.cost.lower_rank.as_ref());
    if !covers || before.status == PickupStatus::Withdrawn {
        return Err(NotFound::Pickup(shpp_no).into());
    }
    let status = match step {
        PickupStep::Confirm {
            carrier,
            resell,
            blame,
        } => {
            let confirmation =
                plan_pickup_confirm(&before, covers, qty, carrier.clone(), *resell, *blame, now)?;
            let line = &mut claim.lines[index];
            line.status = PickupStatus::Confirmed;
            line.confirmation = Some(confirmation);
            PickupStatus::Confirmed
        }
        PickupStep::Complete => {
            plan_pickup_complete(&before, covers, qty)?;
            complete_line(&mut claim, index, now);
            PickupStatus::Completed
        }
        PickupStep::Refuse { reason, memo } => {
            plan_pickup_refusal(claim.kind, &before, covers, qty)?;
            let line = &mut claim.lines[index];
            line.status = PickupStatus::Refused;
            line.ended_at = Some(now);
            line.refusal = Some(claims_domain::PickupRefusal {
                reason: *reason,
                memo: memo.clone(),
            });
            PickupStatus::Refused
        }
    };
    save_line(sql, &claim, index, &before).await?;
    let told = pickup_events(&claim, &[before.line_seq], status);
    events::append(sql, told, now).await?;
    Ok(claim)
}

/// The confirmed pickups that complete by themselves by `by`, earliest first; at most `limit`.
pub(crate) async fn due(
    sql: &mut dyn Sql,
    by: KstDateTime,
    limit: usize,
) -> Result<Vec<DuePickup>, StoreError> {
    sql.query(
        "SELECT shpp_no, auto_complete_at FROM pickups \
         WHERE status = 'confirmed' AND auto_complete_at <= $1 \
         ORDER BY auto_complete_at, shpp_no LIMIT $2",
        &[by.into(), Param::Int(limit as i64)],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(DuePickup {
            shpp_no: stored::shipping_no(row.int(0)?)?,
            due: row.time(1)?,
        })
    })
    .collect()
}

/// Completes the pickup numbered `shpp_no` by itself at `now`, as its vendor would: only
/// while it is confirmed and due, so exactly once however many nodes try. `None` when there
/// is nothing (left) to do.
pub(crate) async fn auto_complete(
    sql: &mut dyn Sql,
    shpp_no: ShippingNo,
    now: KstDateTime,
) -> Result<Option<PickupClaim>, StoreError> {
    let Some((_, mut claim, index)) = locked_line(sql, shpp_no, false).await? else {
        return Ok(None);
    };
    let before = claim.lines[index].clone();
    let due = before
        .confirmation
        .as_ref()
        .is_some_and(|confirmation| confirmation.auto_completes_at <= now);
    if before.status != PickupStatus::Confirmed || !due {
        return Ok(None);
    }
    complete_line(&mut claim, index, now);
    save_line(sql, &claim, index, &before).await?;
    let told = pickup_events(&claim, &[before.line_seq], PickupStatus::Completed);
    events::append(sql, told, now).await?;
    Ok(Some(claim))
}

/// Withdraws the whole claim `clm_no` on behalf of `actor` (the order's customer or an
/// agent) while every pickup is still 61: each line 66, its units returnable again, an
/// exchange's replacements canceled.
pub(crate) async fn withdraw(
    sql: &mut dyn Sql,
    clm_no: &ClaimNo,
    actor: &claims_domain::Actor,
    now: KstDateTime,
) -> Result<PickupClaim, StoreError> {
    let missing = || StoreError::from(NotFound::PickupClaim(clm_no.clone()));
    let oror_no = pickups::original_of(sql, clm_no)
        .await?
        .ok_or_else(missing)?;
    let locked = orders::lock(sql, &oror_no)
        .await?
        .ok_or_else(|| corrupt(format!("claim {clm_no} of a missing order {oror_no}")))?;
    let mut claim = pickups::of_order(sql, &oror_no)
        .await?
        .into_iter()
        .find(|claim| &claim.clm_no == clm_no)
        .ok_or_else(missing)?;
    plan_pickup_withdrawal(&claim, &locked.order, actor)?;
    let before = claim.lines.clone();
    for (index, was) in before.iter().enumerate() {
        let line = &mut claim.lines[index];
        line.status = PickupStatus::Withdrawn;
        line.withdrawn_at = Some(now);
        if let Some(replacement) = &mut line.replacement {
            replacement.status = ReplacementStatus::Canceled;
        }
        save_line(sql, &claim, index, was).await?;
    }
    let all: Vec<ItemSeq> = claim.lines.iter().map(|line| line.line_seq).collect();
    events::append(
        sql,
        pickup_events(&claim, &all, PickupStatus::Withdrawn),
        now,
    )
    .await?;
    Ok(claim)
}

/// The pickups `scope` may see that `query` asks for, by the date its period is on, then
/// claim number and line; at most `limit`.
pub(crate) async fn list(
    sql: &mut dyn Sql,
    scope: &Scope,
    query: &PickupQuery,
    limit: usize,
) -> Result<Vec<PickupListing>, StoreError> {
    let date = match query.by {
        PickupDate::Filed => "p.filed_at",
        PickupDate::Ended => "p.ended_at",
        PickupDate::Confirmed => "p.confirmed_at",
        PickupDate::Withdrawn => "p.withdrawn_at",
        // No pickup is ever held.
        PickupDate::Held => return Ok(Vec::new()),
    };
    let mut params: Vec<Param<'_>> = vec![scope.vendor.as_str().into(), Param::Int(limit as i64)];
    fn next<'a>(param: Param<'a>, params: &mut Vec<Param<'a>>) -> String {
        params.push(param);
        format!("${}", params.len())
    }
    let mut filters = format!(" AND {date} IS NOT NULL");
    if let Some(lower) = &scope.lower_rank {
        let at = next(lower.as_str().into(), &mut params);
        filters.push_str(&format!(" AND p.lrnk_spl_ven_id = {at}"));
    }
    if let Some(period) = query.period {
        let (from, until) = period.bounds();
        let from = next(from.into(), &mut params);
        let until = next(until.into(), &mut params);
        filters.push_str(&format!(" AND {date} >= {from} AND {date} < {until}"));
    }
    match query.kinds.as_slice() {
        [PickupKind::Return] => filters.push_str(" AND p.rpl_line_seq IS NULL"),
        [PickupKind::Exchange] => filters.push_str(" AND p.rpl_line_seq IS NOT NULL"),
        _ => {}
    }
    if !query.statuses.is_empty() {
        let names: Vec<String> = PickupStatus::ALL
            .iter()
            .filter(|status| query.statuses.iter().any(|code| code == status.code()))
            .map(|status| format!("'{}'", status.as_str()))
            .collect();
        if names.is_empty() {
            return Ok(Vec::new());
        }
        filters.push_str(&format!(" AND p.status IN ({})", names.join(", ")));
    }
    match &query.lookup {
        Some(PickupLookup::Order(ord_no)) => {
            let at = next(ord_no.as_str().into(), &mut params);
            filters.push_str(&format!(" AND (p.oror_no = {at} OR p.clm_no = {at})"));
        }
        Some(PickupLookup::Shipping(shpp_no)) => {
            let at = next(Param::Int(shpp_no.get() as i64), &mut params);
            filters.push_str(&format!(" AND p.shpp_no = {at}"));
        }
        None => {}
    }
    let statement = format!(
        "SELECT p.oror_no, p.clm_no, p.line_seq FROM pickups p \
         WHERE p.spl_ven_id = $1{filters} \
         ORDER BY {date}, p.clm_no, p.line_seq LIMIT $2"
    );
    let found = sql.query(&statement, &params).await?;
    let mut orders: BTreeMap<String, (NewOrder, Vec<ItemState>, Vec<PickupClaim>)> =
        BTreeMap::new();
    let mut listed = Vec::with_capacity(found.len());
    for row in found {
        let oror_no = stored::order_no(row.text(0)?)?;
        let clm_no = row.text(1)?.to_owned();
        let seq = stored::seq(row.int(2)?)?;
        if !orders.contains_key(oror_no.as_str()) {
            let record = orders::load(sql, &oror_no)
                .await?
                .ok_or_else(|| corrupt(format!("pickups of a missing order {oror_no}")))?;
            orders.insert(
                oror_no.as_str().to_owned(),
                (record.order, record.items, record.pickups),
            );
        }
        let (order, items, claims) = &orders[oror_no.as_str()];
        let Some(claim) = claims.iter().find(|claim| claim.clm_no.as_str() == clm_no) else {
            continue;
        };
        let Some(line) = claim.lines.iter().position(|line| line.line_seq == seq) else {
            continue;
        };
        let item_seq = claim.lines[line].item_seq;
        let (Some(item), Some(original)) = (
            order.item(item_seq),
            items.iter().find(|state| state.seq == item_seq),
        ) else {
            continue;
        };
        listed.push(PickupListing {
            claim: claim.clone(),
            line,
            item: item.clone(),
            original: original.clone(),
            ordpe_nm: order.ordpe_nm().clone(),
            recipient: order.recipient().clone(),
        });
    }
    Ok(listed)
}

/// An exchange's replacement read under its original order's lock, with where it stands as
/// the shipping rules see an item.
pub(crate) struct LockedReplacement {
    pub claim: PickupClaim,
    pub index: usize,
    pub state: ItemState,
}

/// The replacement numbered `shpp_no`, locked: `None` when no replacement has that number.
pub(crate) async fn locked_replacement(
    sql: &mut dyn Sql,
    shpp_no: ShippingNo,
) -> Result<Option<LockedReplacement>, StoreError> {
    let Some((_, claim, index)) = locked_line(sql, shpp_no, true).await? else {
        return Ok(None);
    };
    let line = &claim.lines[index];
    let replacement = line
        .replacement
        .as_ref()
        .ok_or_else(|| corrupt(format!("replacement {shpp_no} without its line")))?;
    let state = replacement_state(
        replacement,
        &line.cost.vendor,
        line.cost.lower_rank.as_ref(),
    );
    Ok(Some(LockedReplacement {
        claim,
        index,
        state,
    }))
}

/// The original item as its replacement ships it: its line, its units, its option; the
/// discount stayed with the pickup.
pub fn replacement_item(original: &NewOrderItem, replacement: &Replacement) -> NewOrderItem {
    NewOrderItem {
        seq: replacement.line_seq,
        qty: replacement.qty,
        uitem_id: replacement.uitem_id.clone(),
        uitem_nm: replacement.uitem_nm.clone(),
        discount: claims_domain::Won::ZERO,
        ..original.clone()
    }
}

impl LockedReplacement {
    fn replacement(&mut self) -> &mut Replacement {
        self.claim.lines[self.index]
            .replacement
            .as_mut()
            .expect("a locked replacement has its replacement")
    }

    /// Refuses a step on a replacement still waiting for its pickup (대기).
    fn may_ship(&self) -> Result<(), StoreError> {
        let waiting = self.claim.lines[self.index]
            .replacement
            .as_ref()
            .is_some_and(|r| r.status == ReplacementStatus::Waiting);
        if waiting {
            Err(ShipRejection::AwaitingPickup.into())
        } else {
            Ok(())
        }
    }

    async fn save(self, sql: &mut dyn Sql, before: &PickupLine) -> Result<ItemState, StoreError> {
        save_line(sql, &self.claim, self.index, before).await?;
        let line = &self.claim.lines[self.index];
        let replacement = line.replacement.as_ref().expect("a replacement");
        Ok(replacement_state(
            replacement,
            &line.cost.vendor,
            line.cost.lower_rank.as_ref(),
        ))
    }
}

/// Confirms a replacement (주문확인) for the vendor holding `scope`.
pub(crate) async fn confirm_replacement(
    sql: &mut dyn Sql,
    mut found: LockedReplacement,
    scope: &Scope,
    now: KstDateTime,
) -> Result<ItemState, StoreError> {
    found.may_ship()?;
    let plan = plan_confirm(&found.state, scope, now)?;
    let before = found.claim.lines[found.index].clone();
    found.replacement().confirmed_at = Some(plan.confirmed_at);
    found.save(sql, &before).await
}

/// Records a replacement's waybill for the vendor holding `scope`.
pub(crate) async fn waybill_replacement(
    sql: &mut dyn Sql,
    mut found: LockedReplacement,
    scope: &Scope,
    waybill: &Waybill,
    now: KstDateTime,
) -> Result<ItemState, StoreError> {
    found.may_ship()?;
    let plan = plan_waybill(&found.state, scope, waybill.clone(), false, now)?;
    let before = found.claim.lines[found.index].clone();
    found.replacement().waybill = Some(plan.waybill);
    found.save(sql, &before).await
}

/// Releases a replacement (출고완료) for the vendor holding `scope`.
pub(crate) async fn release_replacement(
    sql: &mut dyn Sql,
    mut found: LockedReplacement,
    scope: &Scope,
    how: Release,
    now: KstDateTime,
) -> Result<Shipment, StoreError> {
    found.may_ship()?;
    let plan: ShipmentPlan = plan_release(&found.state, scope, how, now)?;
    let before = found.claim.lines[found.index].clone();
    let replacement = found.replacement();
    replacement.shipped_at = Some(plan.shipped_at);
    replacement.confirmed_at = replacement.confirmed_at.or(Some(plan.shipped_at));
    let ord_no = OrderNo::parse("ordNo", found.claim.clm_no.as_str())?;
    let seq = found.state.seq;
    found.save(sql, &before).await?;
    Ok(Shipment {
        ord_no,
        item_seq: seq,
        qty: plan.qty,
        shipped_at: plan.shipped_at,
        rejected: Vec::new(),
    })
}

/// Records that a released replacement reached the customer (배송완료).
pub(crate) async fn deliver_replacement(
    sql: &mut dyn Sql,
    mut found: LockedReplacement,
    scope: Option<&Scope>,
    now: KstDateTime,
) -> Result<ItemState, StoreError> {
    let delivered_at = plan_delivery(&found.state, scope, now)?;
    let before = found.claim.lines[found.index].clone();
    found.replacement().delivered_at = Some(delivered_at);
    found.save(sql, &before).await
}

/// The vendor's replacements that may ship or wait for their pickup, not shipped yet, at the
/// stage asked (confirmed or not), of exchanges filed within `period`, oldest first; at most
/// `limit`. Each is listed as an item of the exchange's claim number.
pub(crate) async fn replacements(
    sql: &mut dyn Sql,
    scope: &Scope,
    confirmed: bool,
    period: claims_domain::Period,
    limit: usize,
) -> Result<Vec<ShippingItem>, StoreError> {
    let (params, narrowed) = crate::sql::vendor_window(scope, period, limit, "p");
    let stage = if confirmed { "NOT NULL" } else { "NULL" };
    let statement = format!(
        "SELECT p.oror_no, p.clm_no, p.line_seq FROM pickups p \
         WHERE p.spl_ven_id = $1{narrowed} AND p.filed_at >= $2 AND p.filed_at < $3 \
         AND p.rpl_status IN ('waiting', 'normal') AND p.rpl_shipped_at IS NULL \
         AND p.rpl_confirmed_at IS {stage} \
         ORDER BY p.filed_at, p.clm_no, p.line_seq LIMIT $4"
    );
    let found = sql.query(&statement, &params).await?;
    let mut listed = Vec::with_capacity(found.len());
    let mut orders: BTreeMap<String, crate::OrderRecord> = BTreeMap::new();
    for row in found {
        let oror_no = stored::order_no(row.text(0)?)?;
        let clm_no = row.text(1)?.to_owned();
        let seq = stored::seq(row.int(2)?)?;
        if !orders.contains_key(oror_no.as_str()) {
            let record = orders::load(sql, &oror_no)
                .await?
                .ok_or_else(|| corrupt(format!("a replacement of a missing order {oror_no}")))?;
            orders.insert(oror_no.as_str().to_owned(), record);
        }
        let record = &orders[oror_no.as_str()];
        let Some(claim) = record
            .pickups
            .iter()
            .find(|claim| claim.clm_no.as_str() == clm_no)
        else {
            continue;
        };
        let Some(line) = claim.lines.iter().find(|line| line.line_seq == seq) else {
            continue;
        };
        if let Some(item) = replacement_shipping(record, claim, line)? {
            listed.push(item);
        }
    }
    Ok(listed)
}

/// The replacement of `line` (of `claim`, of the order `record`) as the shipping lists show
/// an item; `None` for a return's line.
pub fn replacement_shipping(
    record: &crate::OrderRecord,
    claim: &PickupClaim,
    line: &PickupLine,
) -> Result<Option<ShippingItem>, StoreError> {
    let Some(replacement) = &line.replacement else {
        return Ok(None);
    };
    let original = record
        .order
        .item(line.item_seq)
        .ok_or_else(|| corrupt(format!("a replacement of a missing item {}", line.item_seq)))?;
    Ok(Some(ShippingItem {
        ord_no: OrderNo::parse("ordNo", claim.clm_no.as_str())?,
        ordpe_nm: record.order.ordpe_nm().clone(),
        received_at: claim.filed_at,
        recipient: record.order.recipient().clone(),
        shipping_fee: claims_domain::Won::ZERO,
        item: replacement_item(original, replacement),
        state: replacement_state(
            replacement,
            &line.cost.vendor,
            line.cost.lower_rank.as_ref(),
        ),
        exchange: Some(ExchangeOf {
            oror_no: claim.oror_no.clone(),
            item_seq: line.item_seq,
            status: replacement.status,
        }),
    }))
}
