//! Cancellation: who may cancel what, how much, and what it refunds.
//!
//! The store loads an [`OrderState`] inside its write transaction, asks
//! [`plan_cancellation`] (or, for a vendor's approval of a cancel request,
//! [`plan_approval`](crate::plan_approval)) what to do, and writes the plan. Because the
//! plan is computed from state read under the transaction's lock, two concurrent requests
//! can never both spend the same open quantity.

use std::collections::BTreeSet;

use crate::nosell::{Delay, NoSell, NoSellStatus};
use crate::order::{MAX_ITEMS, NewOrderItem};
use crate::shipping::{ShippingNo, ShippingStatus, Waybill};
use crate::{
    AgentId, ClaimNo, CostLine, CustomerId, Fault, InvalidValue, ItemSeq, KstDateTime, OrderNo,
    Quantity, ReasonCode, ShippingFee, Text, VendorId, Won,
};

/// Where an order item stands, as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemState {
    pub seq: ItemSeq,
    pub vendor: VendorId,
    pub lower_rank: Option<VendorId>,
    /// Units ordered (`dircItemQty`).
    pub ordered: u32,
    /// Units canceled so far.
    pub canceled: u32,
    /// Units shipped; shipping takes every open unit at once, so this is 0 or
    /// `ordered - canceled`.
    pub shipped: u32,
    /// The vendor-borne discount of the whole line.
    pub discount: Won,
    /// The part of `discount` earlier cancellations already returned.
    pub refunded_discount: Won,
    /// When the item shipped (was released), if it did.
    pub shipped_at: Option<KstDateTime>,
    /// When the latest cancellation of the item happened, if any.
    pub last_canceled_at: Option<KstDateTime>,
    /// The item's shipping number (`shppNo`), issued by the store when the order is placed.
    pub shpp_no: ShippingNo,
    /// When the vendor confirmed the item (주문확인), if it did.
    pub confirmed_at: Option<KstDateTime>,
    /// The waybill the vendor recorded, if any.
    pub waybill: Option<Waybill>,
    /// The item's latest out-of-stock registration, if it ever had one.
    pub no_sell: Option<NoSell>,
    /// The latest delay notice the vendor sent, if any (출고지연).
    pub delay: Option<Delay>,
    /// When the shipment reached the customer (배송완료), if it did.
    pub delivered_at: Option<KstDateTime>,
}

/// The lifecycle status of an item, as the platform API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    /// Open units remain and the vendor has not confirmed it.
    Ordered,
    /// Open units remain and the vendor confirmed it: only a cancel request can cancel it.
    Confirmed,
    /// The vendor shipped the open units; no more cancellations.
    Shipped,
    /// Every unit was canceled (`180 주문취소`); it cannot ship.
    Canceled,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Ordered => "ordered",
            ItemStatus::Confirmed => "confirmed",
            ItemStatus::Shipped => "shipped",
            ItemStatus::Canceled => "canceled",
        }
    }
}

impl ItemState {
    /// Where `item` stands once placed, with its shipping number: nothing canceled,
    /// confirmed or shipped.
    pub fn placed(item: &NewOrderItem, shpp_no: ShippingNo) -> Self {
        Self {
            seq: item.seq,
            vendor: item.vendor.clone(),
            lower_rank: item.lower_rank.clone(),
            ordered: item.qty.get(),
            canceled: 0,
            shipped: 0,
            discount: item.discount,
            refunded_discount: Won::ZERO,
            shipped_at: None,
            last_canceled_at: None,
            shpp_no,
            confirmed_at: None,
            waybill: None,
            no_sell: None,
            delay: None,
            delivered_at: None,
        }
    }

    /// Where the item stands on its way to the customer (`shppProgStatDtlCd`).
    pub fn shipping_status(&self) -> ShippingStatus {
        if self.shipped > 0 && self.delivered_at.is_some() {
            ShippingStatus::Delivered
        } else if self.shipped > 0 {
            ShippingStatus::Released
        } else if self.delay.is_some() {
            ShippingStatus::Delayed
        } else if self.confirmed_at.is_some() {
            ShippingStatus::Confirmed
        } else {
            ShippingStatus::Instructed
        }
    }

    /// Whether the vendor's calls treat it as confirmed: confirmed, or delayed (a vendor
    /// who sent a delay notice is packing it, whether or not it confirmed first).
    pub fn counts_as_confirmed(&self) -> bool {
        self.confirmed_at.is_some() || self.delay.is_some()
    }

    /// The out-of-stock registration in force, if the item has one.
    pub fn registered_no_sell(&self) -> Option<&NoSell> {
        self.no_sell
            .as_ref()
            .filter(|no_sell| no_sell.status == NoSellStatus::Registered)
    }

    /// Units that may still be canceled or shipped.
    pub fn open(&self) -> u32 {
        if self.shipped > 0 {
            0
        } else {
            self.ordered - self.canceled
        }
    }

    pub fn status(&self) -> ItemStatus {
        if self.shipped > 0 {
            ItemStatus::Shipped
        } else if self.canceled >= self.ordered {
            ItemStatus::Canceled
        } else if self.confirmed_at.is_some() {
            ItemStatus::Confirmed
        } else {
            ItemStatus::Ordered
        }
    }
}

/// An order as the cancellation rules need to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderState {
    pub ord_no: OrderNo,
    pub customer_id: CustomerId,
    pub items: Vec<ItemState>,
    pub shipping_fees: Vec<ShippingFee>,
}

impl OrderState {
    pub fn item(&self, seq: ItemSeq) -> Option<&ItemState> {
        self.items.iter().find(|item| item.seq == seq)
    }

    fn shipping_fee(&self, vendor: &VendorId) -> Won {
        self.shipping_fees
            .iter()
            .find(|fee| &fee.vendor == vendor)
            .map_or(Won::ZERO, |fee| fee.amount)
    }
}

/// Who asks for a cancellation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The customer, through the storefront: only their own orders, always at their fault.
    Customer(CustomerId),
    /// A service-center agent: any order, either fault.
    Agent(AgentId),
    /// The item's vendor, giving it up (an out-of-stock registration executed): always at
    /// the vendor's fault, with the vendor's own reasons.
    Vendor(VendorId),
}

/// A well-formed cancellation request: at least one item, each at most once, and a fault
/// the actor may set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelCommand {
    actor: Actor,
    lines: Vec<(ItemSeq, Quantity)>,
    reason: ReasonCode,
    reason_text: Text,
    fault: Fault,
}

impl CancelCommand {
    /// `fault` defaults to the customer's (`10`). Customers may not name another.
    pub fn new(
        actor: Actor,
        mut lines: Vec<(ItemSeq, Quantity)>,
        reason: ReasonCode,
        reason_text: Text,
        fault: Option<Fault>,
    ) -> Result<Self, InvalidValue> {
        if lines.is_empty() {
            return Err(InvalidValue::new(
                "items",
                "a cancellation needs at least one item",
            ));
        }
        if lines.len() > MAX_ITEMS {
            return Err(InvalidValue::new(
                "items",
                format!("has {} items; at most {MAX_ITEMS} allowed", lines.len()),
            ));
        }
        let mut seen = BTreeSet::new();
        for (index, (seq, _)) in lines.iter().enumerate() {
            if !seen.insert(*seq) {
                return Err(InvalidValue::new(
                    format!("items[{index}].ordItemSeq"),
                    format!("ordItemSeq {seq} appears more than once"),
                ));
            }
        }
        if reason.is_vendors() != matches!(actor, Actor::Vendor(_)) {
            let allowed: Vec<&str> = ReasonCode::BY_PEOPLE.iter().map(|r| r.code()).collect();
            return Err(InvalidValue::new(
                "clmRsnCd",
                match actor {
                    Actor::Vendor(_) => format!(
                        "a vendor's own cancellation carries 270 or 271, not {}",
                        reason.code()
                    ),
                    _ => format!(
                        "{} is the vendor's out-of-stock reason, given only when a vendor's registration is executed; use one of {}",
                        reason.code(),
                        allowed.join(", ")
                    ),
                },
            ));
        }
        let fault = match (&actor, fault) {
            (Actor::Vendor(_), _) => Fault::Vendor,
            (_, None) => Fault::Customer,
            (Actor::Customer(_), Some(Fault::Customer)) => Fault::Customer,
            (Actor::Customer(_), Some(other)) => {
                return Err(InvalidValue::new(
                    "imptDivCd",
                    format!(
                        "a customer's cancellation is always imptDivCd 10; only service-center agents may set {}",
                        other.code()
                    ),
                ));
            }
            (Actor::Agent(_), Some(fault)) => fault,
        };
        lines.sort_by_key(|(seq, _)| *seq);
        Ok(Self {
            actor,
            lines,
            reason,
            reason_text,
            fault,
        })
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The items to cancel and how many units of each, ordered by item sequence.
    pub fn lines(&self) -> &[(ItemSeq, Quantity)] {
        &self.lines
    }

    pub fn reason(&self) -> ReasonCode {
        self.reason
    }

    pub fn reason_text(&self) -> &Text {
        &self.reason_text
    }

    pub fn fault(&self) -> Fault {
        self.fault
    }
}

/// A cancellation as recorded: one claim with its own order number and one line per item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The claim's order number (`ordNo` of its rows).
    pub clm_no: ClaimNo,
    /// The original order (`orordNo`).
    pub oror_no: OrderNo,
    /// `ordCnclDts`.
    pub canceled_at: KstDateTime,
    pub reason: ReasonCode,
    pub reason_text: Text,
    pub fault: Fault,
    pub actor: Actor,
    pub lines: Vec<ClaimLine>,
}

/// A line of a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimLine {
    /// The line's position in the claim (`ordItemSeq`).
    pub line_seq: ItemSeq,
    /// The original item (`orordItemSeq`).
    pub item_seq: ItemSeq,
    pub qty: Quantity,
    pub cost: CostLine,
}

impl ClaimPlan {
    /// The claim this plan records, once the store has given it a number and a time.
    pub fn into_claim(
        self,
        clm_no: ClaimNo,
        oror_no: OrderNo,
        canceled_at: KstDateTime,
        command: &CancelCommand,
    ) -> Claim {
        Claim {
            clm_no,
            oror_no,
            canceled_at,
            reason: command.reason,
            reason_text: command.reason_text.clone(),
            fault: self.fault,
            actor: command.actor.clone(),
            lines: self
                .lines
                .into_iter()
                .map(|line| ClaimLine {
                    line_seq: line.line_seq,
                    item_seq: line.item_seq,
                    qty: line.qty,
                    cost: CostLine {
                        shpmt_shppcst: line.shipping_refund,
                        ret_shppcst: Won::ZERO,
                        exch_shppcst: Won::ZERO,
                        spl_ven_bdn_dc_amt: line.discount_refund,
                        vendor: line.vendor,
                        lower_rank: line.lower_rank,
                    },
                })
                .collect(),
        }
    }
}

/// Why a well-formed cancellation cannot be carried out on the order as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CancelRejection {
    #[error("the order belongs to another customer")]
    NotYourOrder,
    #[error("the order has no item {seq}")]
    UnknownItem { seq: ItemSeq },
    #[error("item {seq} has already shipped and can no longer be canceled")]
    AlreadyShipped { seq: ItemSeq },
    #[error("item {seq}: cannot cancel {requested}, only {open} still open")]
    ExceedsOpen {
        seq: ItemSeq,
        requested: u32,
        open: u32,
    },
    #[error(
        "item {seq} was confirmed by its vendor: only the service center can ask for its cancellation now"
    )]
    NeedsServiceCenter { seq: ItemSeq },
    #[error(
        "item {seq} was confirmed by its vendor: file a cancel request, which the vendor approves"
    )]
    UseCancelRequest { seq: ItemSeq },
    #[error("item {seq} is not confirmed yet: cancel it directly instead of requesting it")]
    CancelDirectly { seq: ItemSeq },
    #[error("item {seq} already has a pending cancel request")]
    AlreadyRequested { seq: ItemSeq },
    #[error("the cancel request has no pending line for this")]
    NothingPending,
}

/// Whether a cancellation is made directly (a customer or an agent) or is a vendor's
/// approval of a cancel request, which alone may cancel a confirmed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    Direct,
    Approval,
}

/// One line of the claim a cancellation creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLine {
    /// The line's position in the claim (`ordItemSeq` of the claim, 1..n).
    pub line_seq: ItemSeq,
    /// The original item (`orordItemSeq`).
    pub item_seq: ItemSeq,
    pub qty: Quantity,
    pub vendor: VendorId,
    pub lower_rank: Option<VendorId>,
    /// `splVenBdnDcAmt` of the cost line.
    pub discount_refund: Won,
    /// `shpmtShppcst` of the cost line.
    pub shipping_refund: Won,
    /// The item's canceled units once the claim is written.
    pub canceled_after: u32,
    /// The item's refunded discount once the claim is written.
    pub refunded_discount_after: Won,
}

impl PlannedLine {
    /// What the customer gets back for this line, given the item's unit price: its units at
    /// that price, less the share of the vendor-borne discount they carried (the customer
    /// paid that much less), plus the shipping fee it returns.
    pub fn customer_refund(&self, unit_price: Won) -> Won {
        let amount = unit_price.get() * i64::from(self.qty.get()) - self.discount_refund.get()
            + self.shipping_refund.get();
        Won::new("refund", amount.max(0)).expect("a refund is an amount")
    }
}

/// What a cancellation writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPlan {
    pub fault: Fault,
    pub lines: Vec<PlannedLine>,
}

/// Decides a cancellation: checks the actor's right to the order, that every item exists,
/// has not shipped and has the units open, and computes the cost lines. All lines succeed
/// together or the whole request is refused.
pub fn plan_cancellation(
    order: &OrderState,
    command: &CancelCommand,
) -> Result<ClaimPlan, CancelRejection> {
    plan(order, command, Route::Direct)
}

/// [`plan_cancellation`] by `route`: only an approval may cancel a confirmed item.
pub(crate) fn plan(
    order: &OrderState,
    command: &CancelCommand,
    route: Route,
) -> Result<ClaimPlan, CancelRejection> {
    if let Actor::Customer(customer) = &command.actor
        && customer != &order.customer_id
    {
        return Err(CancelRejection::NotYourOrder);
    }

    let mut lines = Vec::with_capacity(command.lines.len());
    for (index, &(seq, qty)) in command.lines.iter().enumerate() {
        let item = order
            .item(seq)
            .ok_or(CancelRejection::UnknownItem { seq })?;
        match (item.shipping_status(), route, &command.actor) {
            (ShippingStatus::Released | ShippingStatus::Delivered, _, _) => {
                return Err(CancelRejection::AlreadyShipped { seq });
            }
            (ShippingStatus::Confirmed, Route::Direct, Actor::Customer(_)) => {
                return Err(CancelRejection::NeedsServiceCenter { seq });
            }
            (ShippingStatus::Confirmed, Route::Direct, Actor::Agent(_)) => {
                return Err(CancelRejection::UseCancelRequest { seq });
            }
            _ => {}
        }
        let open = item.open();
        if qty.get() > open {
            return Err(CancelRejection::ExceedsOpen {
                seq,
                requested: qty.get(),
                open,
            });
        }
        let discount_refund = discount_share(item, qty.get());
        let line_seq = ItemSeq::new("ordItemSeq", index as i64 + 1)
            .expect("a command holds at most MAX_ITEMS lines");
        lines.push(PlannedLine {
            line_seq,
            item_seq: seq,
            qty,
            vendor: item.vendor.clone(),
            lower_rank: item.lower_rank.clone(),
            discount_refund,
            shipping_refund: Won::ZERO,
            canceled_after: item.canceled + qty.get(),
            refunded_discount_after: Won::new(
                "splVenBdnDcAmt",
                item.refunded_discount.get() + discount_refund.get(),
            )
            .expect("refunds never exceed the line's discount"),
        });
    }

    // The shipping fee goes back when the claim leaves nothing of the vendor in the order
    // open or shipped; it rides on the claim's first line of that vendor. The condition can
    // become true only once per vendor and order, so the fee is refunded at most once.
    let vendors: BTreeSet<VendorId> = lines.iter().map(|line| line.vendor.clone()).collect();
    for vendor in vendors {
        let all_canceled = order
            .items
            .iter()
            .filter(|item| item.vendor == vendor)
            .all(|item| {
                let canceled = lines
                    .iter()
                    .find(|line| line.item_seq == item.seq)
                    .map_or(item.canceled, |line| line.canceled_after);
                item.shipped == 0 && canceled == item.ordered
            });
        if all_canceled {
            let first = lines
                .iter_mut()
                .find(|line| line.vendor == vendor)
                .expect("the vendor came from the lines");
            first.shipping_refund = order.shipping_fee(&vendor);
        }
    }

    Ok(ClaimPlan {
        fault: command.fault,
        lines,
    })
}

/// The vendor-borne discount returned when `qty` more units of `item` are canceled: the
/// pro-rata share rounded down, except that the cancellation completing the line returns
/// whatever is left, so a fully canceled line returns exactly its discount.
pub fn discount_share(item: &ItemState, qty: u32) -> Won {
    let amount = if item.canceled + qty >= item.ordered {
        item.discount.get() - item.refunded_discount.get()
    } else {
        let share = i128::from(item.discount.get()) * i128::from(qty) / i128::from(item.ordered);
        share as i64
    };
    Won::new("splVenBdnDcAmt", amount).expect("a share of a discount is a valid amount")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Scope, ShipRejection, plan_shipment};
    use proptest::prelude::*;

    fn seq(n: i64) -> ItemSeq {
        ItemSeq::new("ordItemSeq", n).unwrap()
    }

    fn noon() -> KstDateTime {
        KstDateTime::parse("now", "2026-11-22 12:00:00").unwrap()
    }

    fn qty(n: i64) -> Quantity {
        Quantity::new("qty", n).unwrap()
    }

    fn vendor(id: &str) -> VendorId {
        VendorId::parse("splVenId", id).unwrap()
    }

    fn item(n: i64, vendor_id: &str, ordered: u32, discount: i64) -> ItemState {
        ItemState {
            seq: seq(n),
            vendor: vendor(vendor_id),
            lower_rank: None,
            ordered,
            canceled: 0,
            shipped: 0,
            discount: Won::new("d", discount).unwrap(),
            refunded_discount: Won::ZERO,
            shipped_at: None,
            last_canceled_at: None,
            shpp_no: ShippingNo::new("shppNo", n as u64).unwrap(),
            confirmed_at: None,
            waybill: None,
            no_sell: None,
            delay: None,
            delivered_at: None,
        }
    }

    fn order(items: Vec<ItemState>, fees: &[(&str, i64)]) -> OrderState {
        OrderState {
            ord_no: OrderNo::parse("ordNo", "20261120000A3F").unwrap(),
            customer_id: CustomerId::parse("customerId", "c-1001").unwrap(),
            items,
            shipping_fees: fees
                .iter()
                .map(|(v, amount)| ShippingFee {
                    vendor: vendor(v),
                    amount: Won::new("amount", *amount).unwrap(),
                    return_fee: None,
                    exchange_fee: None,
                })
                .collect(),
        }
    }

    fn customer(id: &str) -> Actor {
        Actor::Customer(CustomerId::parse("customerId", id).unwrap())
    }

    fn agent() -> Actor {
        Actor::Agent(AgentId::parse("agentId", "agent-7").unwrap())
    }

    fn command(actor: Actor, lines: &[(i64, i64)], fault: Option<Fault>) -> CancelCommand {
        CancelCommand::new(
            actor,
            lines.iter().map(|&(s, q)| (seq(s), qty(q))).collect(),
            ReasonCode::SimpleCancel,
            Text::default(),
            fault,
        )
        .unwrap()
    }

    /// Applies a plan the way a store does.
    fn apply(order: &mut OrderState, plan: &ClaimPlan) {
        for line in &plan.lines {
            let item = order
                .items
                .iter_mut()
                .find(|item| item.seq == line.item_seq)
                .unwrap();
            item.canceled = line.canceled_after;
            item.refunded_discount = line.refunded_discount_after;
        }
    }

    #[test]
    fn customers_cancel_only_their_own_orders() {
        let order = order(vec![item(1, "0000012345", 2, 1000)], &[]);
        let theirs = command(customer("c-1001"), &[(1, 1)], None);
        assert!(plan_cancellation(&order, &theirs).is_ok());
        let someone_else = command(customer("c-2002"), &[(1, 1)], None);
        assert_eq!(
            plan_cancellation(&order, &someone_else),
            Err(CancelRejection::NotYourOrder)
        );
        let by_agent = command(agent(), &[(1, 1)], Some(Fault::Vendor));
        assert_eq!(
            plan_cancellation(&order, &by_agent).unwrap().fault,
            Fault::Vendor
        );
    }

    #[test]
    fn customers_cannot_blame_the_vendor() {
        let err = CancelCommand::new(
            customer("c-1001"),
            vec![(seq(1), qty(1))],
            ReasonCode::SimpleCancel,
            Text::default(),
            Some(Fault::Vendor),
        )
        .unwrap_err();
        assert_eq!(err.field, "imptDivCd");
        let explicit = command(customer("c-1001"), &[(1, 1)], Some(Fault::Customer));
        assert_eq!(explicit.fault(), Fault::Customer);
    }

    #[test]
    fn commands_need_distinct_items() {
        assert_eq!(
            CancelCommand::new(agent(), vec![], ReasonCode::Reorder, Text::default(), None)
                .unwrap_err()
                .field,
            "items"
        );
        let err = CancelCommand::new(
            agent(),
            vec![(seq(2), qty(1)), (seq(2), qty(1))],
            ReasonCode::Reorder,
            Text::default(),
            None,
        )
        .unwrap_err();
        assert_eq!(err.field, "items[1].ordItemSeq");
    }

    #[test]
    fn quantities_are_limited_to_what_is_open() {
        let mut order = order(vec![item(1, "0000012345", 3, 0)], &[]);
        let plan = plan_cancellation(&order, &command(agent(), &[(1, 2)], None)).unwrap();
        apply(&mut order, &plan);
        assert_eq!(
            plan_cancellation(&order, &command(agent(), &[(1, 2)], None)),
            Err(CancelRejection::ExceedsOpen {
                seq: seq(1),
                requested: 2,
                open: 1
            })
        );
        assert_eq!(
            plan_cancellation(&order, &command(agent(), &[(9, 1)], None)),
            Err(CancelRejection::UnknownItem { seq: seq(9) })
        );
    }

    #[test]
    fn a_multi_item_request_succeeds_whole_or_not_at_all() {
        let order = order(
            vec![item(1, "0000012345", 1, 0), item(2, "0000012345", 1, 0)],
            &[],
        );
        // Item 2 has one unit open; asking for two refuses the request, item 1 included.
        let result = plan_cancellation(&order, &command(agent(), &[(1, 1), (2, 2)], None));
        assert!(matches!(result, Err(CancelRejection::ExceedsOpen { .. })));
    }

    #[test]
    fn nothing_is_canceled_after_shipping() {
        let mut shipped = item(1, "0000012345", 2, 0);
        shipped.shipped = 2;
        let order = order(vec![shipped], &[]);
        assert_eq!(
            plan_cancellation(&order, &command(agent(), &[(1, 1)], None)),
            Err(CancelRejection::AlreadyShipped { seq: seq(1) })
        );
    }

    #[test]
    fn claim_lines_are_numbered_in_item_order() {
        let order = order(
            vec![item(1, "0000012345", 1, 0), item(3, "0000012345", 1, 0)],
            &[],
        );
        let plan = plan_cancellation(&order, &command(agent(), &[(3, 1), (1, 1)], None)).unwrap();
        let pairs: Vec<(u32, u32)> = plan
            .lines
            .iter()
            .map(|l| (l.line_seq.get(), l.item_seq.get()))
            .collect();
        assert_eq!(pairs, [(1, 1), (2, 3)]);
    }

    #[test]
    fn discount_is_pro_rata_and_the_last_cancel_takes_the_remainder() {
        // 1000 won over 3 units: 333 + 333 + 334.
        let mut order = order(vec![item(1, "0000012345", 3, 1000)], &[]);
        let mut refunds = vec![];
        for _ in 0..3 {
            let plan = plan_cancellation(&order, &command(agent(), &[(1, 1)], None)).unwrap();
            refunds.push(plan.lines[0].discount_refund.get());
            apply(&mut order, &plan);
        }
        assert_eq!(refunds, [333, 333, 334]);
        assert_eq!(order.items[0].refunded_discount.get(), 1000);
    }

    #[test]
    fn shipping_fee_is_refunded_once_when_the_vendor_has_nothing_left() {
        let mut order = order(
            vec![
                item(1, "0000012345", 2, 0),
                item(2, "0000012345", 1, 0),
                item(3, "0000023456", 1, 0),
            ],
            &[("0000012345", 3000), ("0000023456", 2500)],
        );
        // Part of vendor A's goods: no refund yet.
        let plan = plan_cancellation(&order, &command(agent(), &[(1, 1)], None)).unwrap();
        assert_eq!(plan.lines[0].shipping_refund.get(), 0);
        apply(&mut order, &plan);
        // The rest of A's goods and B's only item: each vendor's fee once, on its first line.
        let plan =
            plan_cancellation(&order, &command(agent(), &[(1, 1), (2, 1), (3, 1)], None)).unwrap();
        let fees: Vec<i64> = plan.lines.iter().map(|l| l.shipping_refund.get()).collect();
        assert_eq!(fees, [3000, 0, 2500]);
    }

    #[test]
    fn no_shipping_refund_when_part_of_the_vendors_goods_shipped() {
        let mut shipped = item(2, "0000012345", 1, 0);
        shipped.shipped = 1;
        let order = order(
            vec![item(1, "0000012345", 1, 0), shipped],
            &[("0000012345", 3000)],
        );
        let plan = plan_cancellation(&order, &command(agent(), &[(1, 1)], None)).unwrap();
        assert_eq!(plan.lines[0].shipping_refund.get(), 0);
    }

    #[test]
    fn vendors_ship_their_open_units_once() {
        let scope = Scope {
            vendor: vendor("0000012345"),
            lower_rank: None,
        };
        let mut it = item(1, "0000012345", 3, 0);
        it.canceled = 1;
        assert_eq!(plan_shipment(&it, &scope, noon()).unwrap().qty.get(), 2);
        let other = Scope {
            vendor: vendor("0000023456"),
            lower_rank: None,
        };
        assert_eq!(
            plan_shipment(&it, &other, noon()),
            Err(ShipRejection::NotYourItem)
        );
        it.shipped = 2;
        assert_eq!(
            plan_shipment(&it, &scope, noon()),
            Err(ShipRejection::AlreadyShipped)
        );
        let mut canceled = item(2, "0000012345", 1, 0);
        canceled.canceled = 1;
        assert_eq!(
            plan_shipment(&canceled, &scope, noon()),
            Err(ShipRejection::FullyCanceled)
        );
    }

    #[test]
    fn a_shipment_is_never_dated_before_the_cancellation_it_follows() {
        let scope = Scope {
            vendor: vendor("0000012345"),
            lower_rank: None,
        };
        let mut it = item(1, "0000012345", 3, 0);
        it.canceled = 1;
        it.last_canceled_at = Some(noon().plus_seconds(5));
        let plan = plan_shipment(&it, &scope, noon()).unwrap();
        assert_eq!(plan.shipped_at, noon().plus_seconds(5));
        let later = plan_shipment(&it, &scope, noon().plus_seconds(60)).unwrap();
        assert_eq!(later.shipped_at, noon().plus_seconds(60));
    }

    #[test]
    fn narrowed_keys_ship_only_their_lower_rank_vendors_items() {
        let mut it = item(1, "0000012345", 1, 0);
        it.lower_rank = Some(vendor("0000012346"));
        let sibling = Scope {
            vendor: vendor("0000012345"),
            lower_rank: Some(vendor("0000012347")),
        };
        assert_eq!(
            plan_shipment(&it, &sibling, noon()),
            Err(ShipRejection::NotYourItem)
        );
        let own = Scope {
            vendor: vendor("0000012345"),
            lower_rank: Some(vendor("0000012346")),
        };
        assert!(plan_shipment(&it, &own, noon()).is_ok());
    }

    proptest! {
        /// Whatever sequence of partial cancellations happens, refunds never exceed the
        /// discount, and a fully canceled line has returned exactly its discount.
        #[test]
        fn discount_refunds_add_up(
            ordered in 1u32..50,
            discount in 0i64..1_000_000,
            steps in proptest::collection::vec(1u32..10, 1..60),
        ) {
            let mut order = order(vec![item(1, "0000012345", ordered, discount)], &[]);
            let mut total = 0i64;
            for step in steps {
                let open = order.items[0].open();
                if open == 0 { break; }
                let take = step.min(open);
                let plan = plan_cancellation(&order, &command(agent(), &[(1, i64::from(take))], None)).unwrap();
                let refund = plan.lines[0].discount_refund.get();
                prop_assert!(refund >= 0);
                prop_assert!(refund >= discount * i64::from(take) / i64::from(ordered));
                total += refund;
                apply(&mut order, &plan);
                prop_assert!(total <= discount);
                prop_assert_eq!(order.items[0].refunded_discount.get(), total);
            }
            if order.items[0].canceled == ordered {
                prop_assert_eq!(total, discount);
            }
        }

        /// Random requests against random states never cancel more than was ordered, never
        /// touch a shipped item, and refund each vendor's shipping fee at most once.
        #[test]
        fn cancellation_never_breaks_the_invariants(
            ordered in proptest::collection::vec(1u32..5, 1..5),
            requests in proptest::collection::vec((0usize..5, 1i64..4, any::<bool>()), 1..40),
        ) {
            let items: Vec<ItemState> = ordered
                .iter()
                .enumerate()
                .map(|(i, &q)| item(i as i64 + 1, if i % 2 == 0 { "0000012345" } else { "0000023456" }, q, 100))
                .collect();
            let mut order = order(items, &[("0000012345", 3000), ("0000023456", 2500)]);
            let mut shipping_refunds = 0;
            for (index, q, ship) in requests {
                let index = index % order.items.len();
                if ship {
                    let scope = Scope { vendor: order.items[index].vendor.clone(), lower_rank: None };
                    if let Ok(plan) = plan_shipment(&order.items[index], &scope, noon()) {
                        order.items[index].shipped = plan.qty.get();
                    }
                    continue;
                }
                let seq_no = i64::from(order.items[index].seq.get());
                let before = order.items[index].clone();
                match plan_cancellation(&order, &command(agent(), &[(seq_no, q)], None)) {
                    Ok(plan) => {
                        prop_assert_eq!(before.status(), ItemStatus::Ordered);
                        prop_assert!(q as u32 <= before.open());
                        shipping_refunds += plan.lines.iter().filter(|l| l.shipping_refund.get() > 0).count();
                        apply(&mut order, &plan);
                    }
                    Err(CancelRejection::AlreadyShipped { .. }) => prop_assert!(before.shipped > 0),
                    Err(CancelRejection::ExceedsOpen { open, .. }) => prop_assert_eq!(open, before.open()),
                    Err(other) => prop_assert!(false, "unexpected {other:?}"),
                }
                for item in &order.items {
                    prop_assert!(item.canceled + item.shipped <= item.ordered);
                }
            }
            prop_assert!(shipping_refunds <= 2);
        }
    }
}
