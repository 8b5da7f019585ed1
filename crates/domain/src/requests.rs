//! Cancel requests (취소신청): how a confirmed item is canceled.
//!
//! Once its vendor confirmed an item, neither the customer nor an agent can cancel it
//! directly; the service center files a cancel request for it instead. Each line of a
//! request then ends exactly once: **approved** by the vendor (the cancellation takes effect
//! then, as a claim of its own), **withdrawn** by the customer or an agent, or **rejected**
//! because the item shipped (a waybill or a release). A request covers items of one order;
//! an item has at most one pending line at a time, so SSG's calls name a line by its
//! original order item.

use crate::cancel::{
    self, Actor, CancelCommand, CancelRejection, ClaimPlan, ItemState, OrderState, Route,
};
use crate::shipping::{ShippingNo, ShippingStatus};
use crate::{AgentId, ClaimNo, Fault, ItemSeq, KstDateTime, OrderNo, Quantity};
use crate::{NewOrderItem, ReasonCode, Text};

crate::random_id!(
    /// A cancel request's id (`creq_` and 16 hex digits), the platform API's handle on it.
    RequestId, "creq_"
);

/// Where a line of a cancel request stands (`clmProgStatCd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineStatus {
    /// 취소신청: filed, waiting for the vendor.
    Requested,
    /// 취소완료: approved; its claim took effect.
    Approved,
    /// 취소철회: withdrawn by the customer or an agent.
    Withdrawn,
    /// 취소거부: rejected, because the item shipped.
    Rejected,
}

impl LineStatus {
    pub const ALL: &'static [LineStatus] = &[
        LineStatus::Requested,
        LineStatus::Approved,
        LineStatus::Withdrawn,
        LineStatus::Rejected,
    ];

    /// `clmProgStatCd`.
    pub const fn code(self) -> &'static str {
        match self {
            LineStatus::Requested => "10",
            LineStatus::Approved => "20",
            LineStatus::Withdrawn => "30",
            LineStatus::Rejected => "40",
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            LineStatus::Requested => "취소신청",
            LineStatus::Approved => "취소완료",
            LineStatus::Withdrawn => "취소철회",
            LineStatus::Rejected => "취소거부",
        }
    }

    /// The platform API's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            LineStatus::Requested => "requested",
            LineStatus::Approved => "approved",
            LineStatus::Withdrawn => "withdrawn",
            LineStatus::Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|status| status.code() == code)
    }
}

/// One item of a cancel request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    /// The original order item.
    pub item_seq: ItemSeq,
    /// Units asked to cancel (`procOrdQty`).
    pub qty: Quantity,
    pub status: LineStatus,
    /// When the line ended (approved, withdrawn or rejected).
    pub ended_at: Option<KstDateTime>,
    /// The claim its approval made.
    pub claim: Option<ClaimNo>,
}

/// A cancel request, as filed, with where each of its lines stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelRequest {
    pub id: RequestId,
    pub oror_no: OrderNo,
    /// When it was filed (`clmDemndDts`).
    pub filed_at: KstDateTime,
    pub reason: ReasonCode,
    pub reason_text: Text,
    pub fault: Fault,
    /// The agent who filed it.
    pub agent: AgentId,
    /// In item order.
    pub lines: Vec<RequestLine>,
}

/// A pending line of a cancel request, as the vendor's list of cancel requests shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLine {
    pub request: RequestId,
    pub oror_no: OrderNo,
    /// When the request was filed (`clmDemndDts`).
    pub filed_at: KstDateTime,
    pub reason: ReasonCode,
    pub reason_text: Text,
    pub fault: Fault,
    pub line: RequestLine,
    pub item: NewOrderItem,
    pub shpp_no: ShippingNo,
}

/// Where a cancel request stands as a whole, as the platform API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    /// A line is still pending.
    Requested,
    /// Every line was approved (or withdrawn, or rejected).
    Approved,
    Withdrawn,
    Rejected,
    /// Every line ended, not all the same way.
    Closed,
}

impl RequestStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Requested => "requested",
            RequestStatus::Approved => "approved",
            RequestStatus::Withdrawn => "withdrawn",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Closed => "closed",
        }
    }
}

impl CancelRequest {
    pub fn status(&self) -> RequestStatus {
        if self
            .lines
            .iter()
            .any(|line| line.status == LineStatus::Requested)
        {
            return RequestStatus::Requested;
        }
        let first = self.lines.first().map(|line| line.status);
        if self.lines.iter().all(|line| Some(line.status) == first) {
            match first {
                Some(LineStatus::Approved) => RequestStatus::Approved,
                Some(LineStatus::Withdrawn) => RequestStatus::Withdrawn,
                Some(LineStatus::Rejected) => RequestStatus::Rejected,
                _ => RequestStatus::Closed,
            }
        } else {
            RequestStatus::Closed
        }
    }

    /// The pending line for `item`, if any.
    pub fn pending(&self, item: ItemSeq) -> Option<&RequestLine> {
        self.lines
            .iter()
            .find(|line| line.item_seq == item && line.status == LineStatus::Requested)
    }
}

/// Decides filing a cancel request by an agent: every item confirmed (an instructed one is
/// canceled directly; a released one can no longer be), with the units open, and no other
/// request pending for it; `pending` lists the items with a pending line. The whole request
/// is filed or none of it; it is filed as `id`, at `now`, every line pending.
pub fn plan_cancel_request(
    order: &OrderState,
    pending: &[ItemSeq],
    command: &CancelCommand,
    id: RequestId,
    now: KstDateTime,
) -> Result<CancelRequest, CancelRejection> {
    let Actor::Agent(agent) = command.actor() else {
        return Err(CancelRejection::NotYourOrder);
    };
    for &(seq, qty) in command.lines() {
        let item = order
            .item(seq)
            .ok_or(CancelRejection::UnknownItem { seq })?;
        match item.shipping_status() {
            ShippingStatus::Released | ShippingStatus::Delivered => {
                return Err(CancelRejection::AlreadyShipped { seq });
            }
            // Not confirmed yet, or delayed (the customer told of a delay may change their
            // mind at once): canceled directly, without a request.
            ShippingStatus::Instructed | ShippingStatus::Delayed => {
                return Err(CancelRejection::CancelDirectly { seq });
            }
            ShippingStatus::Confirmed => {}
        }
        if pending.contains(&seq) {
            return Err(CancelRejection::AlreadyRequested { seq });
        }
        if qty.get() > item.open() {
            return Err(CancelRejection::ExceedsOpen {
                seq,
                requested: qty.get(),
                open: item.open(),
            });
        }
    }
    Ok(CancelRequest {
        id,
        oror_no: order.ord_no.clone(),
        filed_at: now,
        reason: command.reason(),
        reason_text: command.reason_text().clone(),
        fault: command.fault(),
        agent: agent.clone(),
        lines: command
            .lines()
            .iter()
            .map(|&(item_seq, qty)| RequestLine {
                item_seq,
                qty,
                status: LineStatus::Requested,
                ended_at: None,
                claim: None,
            })
            .collect(),
    })
}

/// What an agent's cancellation would do, decided without doing it: cancel the items at
/// once, or — when every item is confirmed — file a cancel request for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelPreview {
    /// A claim is made now, with these lines.
    Direct(ClaimPlan),
    /// A cancel request is filed; these are the lines and refunds its approval would carry
    /// if the vendor approved every line now.
    Request(ClaimPlan),
}

/// Whether an agent may ask to cancel units of `item` now — at once while it is instructed,
/// by a cancel request once confirmed: it has units open, has not been released, and has
/// no request pending already (`pending`: items with a pending request line).
pub fn agent_may_cancel(item: &ItemState, pending: &[ItemSeq]) -> bool {
    item.open() > 0 && !item.shipping_status().is_shipped() && !pending.contains(&item.seq)
}

/// Previews an agent's cancellation of `order` (`pending`: items with a pending request
/// line): every item instructed is a direct cancellation, every item confirmed a cancel
/// request; a mix is refused as [`plan_cancellation`](cancel::plan_cancellation) refuses it,
/// so that what is confirmed happens all at once or not at all.
pub fn preview_cancellation(
    order: &OrderState,
    pending: &[ItemSeq],
    command: &CancelCommand,
    now: KstDateTime,
) -> Result<CancelPreview, CancelRejection> {
    let all_confirmed = command.lines().iter().all(|(seq, _)| {
        order
            .item(*seq)
            .is_some_and(|item| item.shipping_status() == ShippingStatus::Confirmed)
    });
    if all_confirmed {
        let checked = RequestId::from_random([0; 8]);
        plan_cancel_request(order, pending, command, checked, now)?;
        Ok(CancelPreview::Request(cancel::plan(
            order,
            command,
            Route::Approval,
        )?))
    } else {
        Ok(CancelPreview::Direct(cancel::plan_cancellation(
            order, command,
        )?))
    }
}

/// Decides a vendor's approval of the pending line for `item`: the cancellation it asked for
/// takes effect now, as a claim of its own (one line) with its cost lines by the usual rules.
/// It never cancels more than is open at this moment, and never a released item.
pub fn plan_approval(
    order: &OrderState,
    request: &CancelRequest,
    item: ItemSeq,
) -> Result<(ClaimPlan, CancelCommand), CancelRejection> {
    let line = request
        .pending(item)
        .ok_or(CancelRejection::NothingPending)?;
    let command = CancelCommand::new(
        Actor::Agent(request.agent.clone()),
        vec![(line.item_seq, line.qty)],
        request.reason,
        request.reason_text.clone(),
        Some(request.fault),
    )
    .expect("a filed request is a valid command");
    let plan = cancel::plan(order, &command, Route::Approval)?;
    Ok((plan, command))
}

/// Decides withdrawing a request by `actor`: a customer only their own order's. Returns the
/// items whose lines are withdrawn: every line still pending.
pub fn plan_withdrawal(
    order: &OrderState,
    request: &CancelRequest,
    actor: &Actor,
) -> Result<Vec<ItemSeq>, CancelRejection> {
    if let Actor::Customer(customer) = actor
        && customer != &order.customer_id
    {
        return Err(CancelRejection::NotYourOrder);
    }
    let pending: Vec<ItemSeq> = request
        .lines
        .iter()
        .filter(|line| line.status == LineStatus::Requested)
        .map(|line| line.item_seq)
        .collect();
    if pending.is_empty() {
        return Err(CancelRejection::NothingPending);
    }
    Ok(pending)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cancel::{ItemState, plan_cancellation};
    use crate::{CustomerId, ShippingFee, ShippingNo, VendorId, Won};

    fn at(text: &str) -> KstDateTime {
        KstDateTime::parse("t", text).unwrap()
    }

    fn seq(n: i64) -> ItemSeq {
        ItemSeq::new("s", n).unwrap()
    }

    fn qty(n: i64) -> Quantity {
        Quantity::new("q", n).unwrap()
    }

    fn id() -> RequestId {
        RequestId::from_random([0xab; 8])
    }

    fn now() -> KstDateTime {
        at("2026-11-22 10:00:00")
    }

    fn vendor() -> VendorId {
        VendorId::parse("v", "0000012345").unwrap()
    }

    fn item(n: i64, confirmed: bool) -> ItemState {
        ItemState {
            seq: seq(n),
            vendor: vendor(),
            lower_rank: None,
            ordered: 2,
            canceled: 0,
            shipped: 0,
            discount: Won::new("d", 1000).unwrap(),
            refunded_discount: Won::ZERO,
            shipped_at: None,
            last_canceled_at: None,
            shpp_no: ShippingNo::new("shppNo", n as u64).unwrap(),
            confirmed_at: confirmed.then(|| at("2026-11-22 09:00:00")),
            waybill: None,
            no_sell: None,
            delay: None,
            delivered_at: None,
        }
    }

    fn order(items: Vec<ItemState>) -> OrderState {
        OrderState {
            ord_no: OrderNo::parse("o", "O-1").unwrap(),
            customer_id: CustomerId::parse("c", "c-1001").unwrap(),
            items,
            shipping_fees: vec![ShippingFee {
                vendor: vendor(),
                amount: Won::new("a", 3000).unwrap(),
                return_fee: None,
                exchange_fee: None,
            }],
        }
    }

    fn agent() -> Actor {
        Actor::Agent(AgentId::parse("a", "agent-7").unwrap())
    }

    fn customer() -> Actor {
        Actor::Customer(CustomerId::parse("c", "c-1001").unwrap())
    }

    fn command(actor: Actor, lines: &[(i64, i64)]) -> CancelCommand {
        let fault = matches!(actor, Actor::Agent(_)).then_some(Fault::Vendor);
        CancelCommand::new(
            actor,
            lines.iter().map(|&(s, q)| (seq(s), qty(q))).collect(),
            ReasonCode::SimpleCancel,
            Text::default(),
            fault,
        )
        .unwrap()
    }

    fn request(lines: &[(i64, i64, LineStatus)]) -> CancelRequest {
        CancelRequest {
            id: RequestId::from_random([1; 8]),
            oror_no: OrderNo::parse("o", "O-1").unwrap(),
            filed_at: at("2026-11-22 10:00:00"),
            reason: ReasonCode::SimpleCancel,
            reason_text: Text::default(),
            fault: Fault::Vendor,
            agent: AgentId::parse("a", "agent-7").unwrap(),
            lines: lines
                .iter()
                .map(|&(s, q, status)| RequestLine {
                    item_seq: seq(s),
                    qty: qty(q),
                    status,
                    ended_at: None,
                    claim: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_confirmed_item_is_canceled_only_through_a_request() {
        let order = order(vec![item(1, true), item(2, false)]);
        assert_eq!(
            plan_cancellation(&order, &command(customer(), &[(1, 1)])),
            Err(CancelRejection::NeedsServiceCenter { seq: seq(1) })
        );
        assert_eq!(
            plan_cancellation(&order, &command(agent(), &[(1, 1)])),
            Err(CancelRejection::UseCancelRequest { seq: seq(1) })
        );
        // An instructed item is still canceled directly, and is not requested.
        assert!(plan_cancellation(&order, &command(agent(), &[(2, 1)])).is_ok());
        assert_eq!(
            plan_cancel_request(&order, &[], &command(agent(), &[(2, 1)]), id(), now()),
            Err(CancelRejection::CancelDirectly { seq: seq(2) })
        );
        let filed =
            plan_cancel_request(&order, &[], &command(agent(), &[(1, 2)]), id(), now()).unwrap();
        assert_eq!(filed.status(), RequestStatus::Requested);
        assert_eq!(filed.filed_at, now());
        assert_eq!(filed.lines.len(), 1);
        assert_eq!(filed.lines[0].qty, qty(2));
        assert_eq!(
            plan_cancel_request(&order, &[seq(1)], &command(agent(), &[(1, 1)]), id(), now()),
            Err(CancelRejection::AlreadyRequested { seq: seq(1) })
        );
        assert_eq!(
            plan_cancel_request(&order, &[], &command(agent(), &[(1, 3)]), id(), now()),
            Err(CancelRejection::ExceedsOpen {
                seq: seq(1),
                requested: 3,
                open: 2
            })
        );
        let mut released = order.clone();
        released.items[0].shipped = 2;
        assert_eq!(
            plan_cancel_request(&released, &[], &command(agent(), &[(1, 1)]), id(), now()),
            Err(CancelRejection::AlreadyShipped { seq: seq(1) })
        );
    }

    #[test]
    fn an_approval_is_a_claim_with_the_usual_cost_lines() {
        // The vendor's last open goods: the approval also refunds its shipping fee.
        let order = order(vec![item(1, true)]);
        let request = request(&[(1, 2, LineStatus::Requested)]);
        let (plan, command) = plan_approval(&order, &request, seq(1)).unwrap();
        assert_eq!(plan.fault, Fault::Vendor);
        assert_eq!(plan.lines.len(), 1);
        assert_eq!(plan.lines[0].discount_refund.get(), 1000);
        assert_eq!(plan.lines[0].shipping_refund.get(), 3000);
        assert_eq!(command.lines(), [(seq(1), qty(2))]);
        // Nothing to approve for an item without a pending line.
        let ended = self::request(&[(1, 2, LineStatus::Withdrawn)]);
        assert_eq!(
            plan_approval(&order, &ended, seq(1)).unwrap_err(),
            CancelRejection::NothingPending
        );
        // Never a released item.
        let mut released = order.clone();
        released.items[0].shipped = 2;
        assert_eq!(
            plan_approval(&released, &request, seq(1)).unwrap_err(),
            CancelRejection::AlreadyShipped { seq: seq(1) }
        );
    }

    #[test]
    fn withdrawing_ends_every_pending_line_for_the_customer_or_an_agent() {
        let order = order(vec![item(1, true), item(2, true)]);
        let request = request(&[(1, 1, LineStatus::Requested), (2, 1, LineStatus::Approved)]);
        assert_eq!(
            plan_withdrawal(&order, &request, &agent()),
            Ok(vec![seq(1)])
        );
        assert_eq!(
            plan_withdrawal(&order, &request, &customer()),
            Ok(vec![seq(1)])
        );
        let stranger = Actor::Customer(CustomerId::parse("c", "c-2002").unwrap());
        assert_eq!(
            plan_withdrawal(&order, &request, &stranger),
            Err(CancelRejection::NotYourOrder)
        );
        let done = self::request(&[(1, 1, LineStatus::Rejected)]);
        assert_eq!(
            plan_withdrawal(&order, &done, &agent()),
            Err(CancelRejection::NothingPending)
        );
    }

    #[test]
    fn a_requests_status_sums_up_its_lines() {
        use LineStatus::*;
        assert_eq!(
            request(&[(1, 1, Requested), (2, 1, Approved)]).status(),
            RequestStatus::Requested
        );
        assert_eq!(
            request(&[(1, 1, Approved), (2, 1, Approved)]).status(),
            RequestStatus::Approved
        );
        assert_eq!(
            request(&[(1, 1, Withdrawn)]).status(),
            RequestStatus::Withdrawn
        );
        assert_eq!(
            request(&[(1, 1, Rejected)]).status(),
            RequestStatus::Rejected
        );
        assert_eq!(
            request(&[(1, 1, Approved), (2, 1, Rejected)]).status(),
            RequestStatus::Closed
        );
        assert_eq!(LineStatus::from_code("30"), Some(Withdrawn));
        assert_eq!(Rejected.name(), "취소거부");
        assert!(RequestId::parse("requestId", "creq_0123456789abcdef").is_ok());
        assert!(RequestId::parse("requestId", "creq_0123").is_err());
    }

    #[test]
    fn a_preview_cancels_instructed_items_and_requests_confirmed_ones() {
        // Instructed: a direct claim, with the discount share and — the vendor's last open
        // units — its shipping fee.
        let instructed = order(vec![item(1, false)]);
        match preview_cancellation(&instructed, &[], &command(agent(), &[(1, 2)]), now()) {
            Ok(CancelPreview::Direct(plan)) => {
                assert_eq!(plan.lines[0].discount_refund.get(), 1000);
                assert_eq!(plan.lines[0].shipping_refund.get(), 3000);
            }
            other => panic!("{other:?}"),
        }
        // Confirmed: a request, with what approving it now would refund.
        let confirmed = order(vec![item(1, true), item(2, true)]);
        match preview_cancellation(&confirmed, &[], &command(agent(), &[(2, 1)]), now()) {
            Ok(CancelPreview::Request(plan)) => {
                assert_eq!(plan.lines[0].discount_refund.get(), 500);
                assert_eq!(plan.lines[0].shipping_refund.get(), 0);
            }
            other => panic!("{other:?}"),
        }
        // A pending line, a mix, or a customer: refused as the writes would refuse them.
        assert_eq!(
            preview_cancellation(&confirmed, &[seq(2)], &command(agent(), &[(2, 1)]), now()),
            Err(CancelRejection::AlreadyRequested { seq: seq(2) })
        );
        let mixed = order(vec![item(1, false), item(2, true)]);
        assert_eq!(
            preview_cancellation(&mixed, &[], &command(agent(), &[(1, 1), (2, 1)]), now()),
            Err(CancelRejection::UseCancelRequest { seq: seq(2) })
        );
        assert_eq!(
            preview_cancellation(&confirmed, &[], &command(customer(), &[(1, 1)]), now()),
            Err(CancelRejection::NotYourOrder)
        );
    }
}
