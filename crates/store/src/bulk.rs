//! Bulk loading: orders as they stand, with their claims, written in large batches by a
//! backend's fastest path. For trusted data only (benchmark datasets, migrations from
//! another system); each order is checked for consistency before anything is written.

use claims_domain::KstDateTime;

use crate::sql::Sql;
use crate::tables::{ClaimLineRow, ClaimRow, FeeRow, ItemRow, OrderRow};
use crate::{OrderRecord, StoreError};

/// One order to load: the order, where its items stand, its claims, and the sequence number
/// behind each claim's number (in the order of `record.claims`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOrder {
    pub record: OrderRecord,
    pub claim_ids: Vec<u64>,
    /// When the order was placed (`created_at`).
    pub placed_at: KstDateTime,
}

impl BulkOrder {
    /// Refuses an order whose state could not have come from the domain's rules: more units
    /// canceled or shipped than ordered, claim lines that do not add up to the canceled
    /// units, refunds beyond the discount, or a claim without its sequence number.
    pub fn check(&self) -> Result<(), StoreError> {
        let record = &self.record;
        let ord_no = record.order.ord_no();
        let fail = |what: String| Err(StoreError::internal(format!("bulk order {ord_no}: {what}")));
        if self.claim_ids.len() != record.claims.len() {
            return fail("one claim id per claim is required".into());
        }
        if !record.cancel_requests.is_empty() {
            return fail("bulk loading carries no cancel requests".into());
        }
        if record.items.len() != record.order.items().len() {
            return fail("one state per item is required".into());
        }
        for (item, state) in record.order.items().iter().zip(&record.items) {
            if item.seq != state.seq || item.qty.get() != state.ordered {
                return fail(format!("item {} does not match its state", item.seq));
            }
            if state.canceled + state.shipped > state.ordered {
                return fail(format!(
                    "item {} has more canceled and shipped than ordered",
                    item.seq
                ));
            }
            let lines = record
                .claims
                .iter()
                .flat_map(|claim| &claim.lines)
                .filter(|line| line.item_seq == item.seq);
            let (units, refunded) = lines.fold((0u32, 0i64), |(units, refunded), line| {
                (
                    units + line.qty.get(),
                    refunded + line.cost.spl_ven_bdn_dc_amt.get(),
                )
            });
            if units != state.canceled {
                return fail(format!(
                    "item {}: claim lines do not add up to the canceled units",
                    item.seq
                ));
            }
            if refunded != state.refunded_discount.get() || refunded > item.discount.get() {
                return fail(format!("item {}: refunds do not add up", item.seq));
            }
        }
        Ok(())
    }
}

/// The rows one bulk order writes, table by table, as the service itself writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRows<'a> {
    pub order: OrderRow<'a>,
    pub fees: Vec<FeeRow<'a>>,
    pub items: Vec<ItemRow<'a>>,
    pub claims: Vec<ClaimRow<'a>>,
    pub lines: Vec<ClaimLineRow<'a>>,
}

impl BulkOrder {
    /// The rows of this order (check it first with [`BulkOrder::check`]).
    pub fn rows(&self) -> Result<BulkRows<'_>, StoreError> {
        let order = &self.record.order;
        let ord_no = order.ord_no();
        let mut lines = Vec::new();
        for claim in &self.record.claims {
            for line in &claim.lines {
                lines.push(ClaimLineRow::of(order, claim, line)?);
            }
        }
        Ok(BulkRows {
            order: OrderRow::of(order, self.placed_at),
            fees: order
                .shipping_fees()
                .iter()
                .map(|fee| FeeRow::of(ord_no, fee))
                .collect(),
            items: order
                .items()
                .iter()
                .zip(&self.record.items)
                .map(|(item, state)| ItemRow::of(order, item, state))
                .collect(),
            claims: self
                .record
                .claims
                .iter()
                .zip(&self.claim_ids)
                .map(|(claim, id)| ClaimRow::of(*id, claim))
                .collect(),
            lines,
        })
    }
}

/// Writes `orders` statement by statement through `sql` (inside the caller's transaction),
/// after checking every one of them.
pub async fn insert(sql: &mut dyn Sql, orders: &[BulkOrder]) -> Result<(), StoreError> {
    for order in orders {
        order.check()?;
    }
    let insert_order = OrderRow::insert_sql();
    let insert_fee = FeeRow::insert_sql();
    let insert_item = ItemRow::insert_sql();
    let insert_claim = ClaimRow::insert_sql();
    let insert_line = ClaimLineRow::insert_sql();
    for order in orders {
        let rows = order.rows()?;
        sql.execute(&insert_order, &rows.order.params()).await?;
        for fee in &rows.fees {
            sql.execute(&insert_fee, &fee.params()).await?;
        }
        for item in &rows.items {
            sql.execute(&insert_item, &item.params()).await?;
        }
        for claim in &rows.claims {
            sql.execute(&insert_claim, &claim.params()).await?;
        }
        for line in &rows.lines {
            sql.execute(&insert_line, &line.params()).await?;
        }
    }
    Ok(())
}
