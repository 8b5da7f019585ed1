//! Bulk loading: orders as they stand, with their claims, written in large batches by a
//! backend's fastest path. For trusted data only (benchmark datasets, migrations from
//! another system); each order is checked for consistency before anything is written.

use claims_domain::KstDateTime;

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
