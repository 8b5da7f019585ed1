//! Returns and exchanges after release (반품, 교환).
//!
//! Release closes cancellation; from then on a customer returns units or exchanges them. A
//! return or an exchange is a claim with its own number whose lines are **pickups** (회수),
//! each with its own shipping number, that the item's vendor confirms (61 → 63) and
//! completes (63 → 64) — or, for a return, refuses (64, 반품거부). An exchange also makes a
//! **replacement** shipment per line, which waits (`shppStatCd` 30) until its pickup
//! completes and then ships like any item. A claim withdrawn while every pickup is still 61
//! ends every line (66) and cancels the replacements.
//!
//! Every amount is fixed when the claim is filed: the vendor-borne discount returned (pro
//! rata, the remainder on the line that brings canceled and returned units to the ordered
//! quantity), the return or exchange fee at the customer's fault, the outbound fee at the
//! vendor's fault when nothing of the vendor stays with the customer, and what each return
//! line refunds on completion.

use crate::cancel::{Actor, ItemState};
use crate::shipping::{ShippingNo, ShippingStatus, Waybill};
use crate::{
    ClaimNo, CostLine, Fault, InvalidValue, ItemSeq, KstDate, KstDateTime, NewOrder, OrderNo,
    Period, Quantity, Text, VendorId, Won,
};

/// A return or an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PickupKind {
    Return,
    Exchange,
}

impl PickupKind {
    /// The platform API's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            PickupKind::Return => "return",
            PickupKind::Exchange => "exchange",
        }
    }

    /// The pickup's `shppDivDtlCd`: 21 반품회수, 22 교환회수.
    pub const fn division(self) -> ShippingDivision {
        match self {
            PickupKind::Return => ShippingDivision::ReturnPickup,
            PickupKind::Exchange => ShippingDivision::ExchangePickup,
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "return" => Some(PickupKind::Return),
            "exchange" => Some(PickupKind::Exchange),
            _ => None,
        }
    }
}

code_table! {
    /// Why a customer returns units (`clmRsnCd` of a return).
    ReturnReason, "return reason code" {
        ChangedMind = "351", "단순변심", "changed mind";
        SizeOrColor = "352", "사이즈/색상 불만", "size or color";
        OrderMistake = "353", "주문실수", "ordered by mistake";
        Defective = "354", "상품불량", "defective";
        WrongItem = "355", "오배송", "wrong item delivered";
        NotAsDescribed = "356", "상품정보상이", "not as described";
    }
}

code_table! {
    /// Why a customer exchanges units (`clmRsnCd` of an exchange).
    ExchangeReason, "exchange reason code" {
        SizeOrColor = "451", "사이즈/색상 교환", "size or color exchange";
        OrderMistake = "452", "주문실수", "ordered by mistake";
        Defective = "453", "상품불량", "defective";
        WrongItem = "454", "오배송", "wrong item delivered";
    }
}

code_table! {
    /// Why a vendor refuses a returned pickup (`retRefusRsnCd`).
    RefusalReason, "return refusal reason code" {
        Damaged = "11", "상품훼손(고객과실)", "damaged by the customer";
        TooLate = "12", "반품기한 경과", "past the return period";
        PartsMissing = "13", "구성품 누락", "parts missing";
        Other = "19", "기타", "other";
    }
}

code_table! {
    /// Who the vendor says is to blame for a return (`retImptMainCd`, recorded, changes no
    /// amount).
    Blame, "return imputation code" {
        Customer = "10", "고객", "customer";
        Seller = "20", "판매자", "seller";
        Carrier = "30", "택배사", "carrier";
    }
}

code_table! {
    /// What a shipment is (`shppDivDtlCd`).
    ShippingDivision, "shipping division code" {
        Ordinary = "11", "일반출고", "ordinary shipment";
        Replacement = "15", "교환출고", "exchange replacement";
        ReturnPickup = "21", "반품회수", "return pickup";
        ExchangePickup = "22", "교환회수", "exchange pickup";
    }
}

/// Why a return or an exchange: the type's own reason codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PickupReason {
    Return(ReturnReason),
    Exchange(ExchangeReason),
}

impl PickupReason {
    /// Reads `clmRsnCd` for a claim of `kind`: a code of that type's table only.
    pub fn parse(kind: PickupKind, code: &str) -> Result<Self, InvalidValue> {
        match kind {
            PickupKind::Return => ReturnReason::parse("clmRsnCd", code).map(Self::Return),
            PickupKind::Exchange => ExchangeReason::parse("clmRsnCd", code).map(Self::Exchange),
        }
    }

    pub const fn kind(self) -> PickupKind {
        match self {
            PickupReason::Return(_) => PickupKind::Return,
            PickupReason::Exchange(_) => PickupKind::Exchange,
        }
    }

    pub const fn code(self) -> &'static str {
        match self {
            PickupReason::Return(reason) => reason.code(),
            PickupReason::Exchange(reason) => reason.code(),
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            PickupReason::Return(reason) => reason.name(),
            PickupReason::Exchange(reason) => reason.name(),
        }
    }

    pub const fn english(self) -> &'static str {
        match self {
            PickupReason::Return(reason) => reason.english(),
            PickupReason::Exchange(reason) => reason.english(),
        }
    }

    /// Who pays for it (`shppcstBdnMainCd`): the customer for a change of mind, a size or a
    /// mistake of theirs (351–353, 451–452); the vendor otherwise.
    pub const fn fault(self) -> Fault {
        match self {
            PickupReason::Return(
                ReturnReason::ChangedMind | ReturnReason::SizeOrColor | ReturnReason::OrderMistake,
            )
            | PickupReason::Exchange(ExchangeReason::SizeOrColor | ExchangeReason::OrderMistake) => {
                Fault::Customer
            }
            _ => Fault::Vendor,
        }
    }
}

/// Where a pickup stands (`lastShppProgStatDtlCd`, and `retProcStatCd` once it ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PickupStatus {
    /// 61 회수지시: filed; the vendor is to fetch it.
    Requested,
    /// 63 회수확인: the vendor has it on its way back.
    Confirmed,
    /// 64 회수완료: back with the vendor — a return refunded (`retProcStatCd` 10), an
    /// exchange's replacement released to ship.
    Completed,
    /// 64 회수완료, `retProcStatCd` 20 반품거부: the vendor refused the return; no refund.
    Refused,
    /// 66 회수철회: withdrawn before the vendor confirmed it.
    Withdrawn,
}

impl PickupStatus {
    pub const ALL: &'static [PickupStatus] = &[
        PickupStatus::Requested,
        PickupStatus::Confirmed,
        PickupStatus::Completed,
        PickupStatus::Refused,
        PickupStatus::Withdrawn,
    ];

    /// `lastShppProgStatDtlCd`.
    pub const fn code(self) -> &'static str {
        match self {
            PickupStatus::Requested => "61",
            PickupStatus::Confirmed => "63",
            PickupStatus::Completed | PickupStatus::Refused => "64",
            PickupStatus::Withdrawn => "66",
        }
    }

    /// `lastShppProgStatDtlNm`.
    pub const fn name(self) -> &'static str {
        match self {
            PickupStatus::Requested => "회수지시",
            PickupStatus::Confirmed => "회수확인",
            PickupStatus::Completed | PickupStatus::Refused => "회수완료",
            PickupStatus::Withdrawn => "회수철회",
        }
    }

    /// `retProcStatCd` (returns only; "" before the pickup ended).
    pub const fn outcome(self) -> &'static str {
        match self {
            PickupStatus::Completed => "10",
            PickupStatus::Refused => "20",
            _ => "",
        }
    }

    /// `retProcStatNm`.
    pub const fn outcome_name(self) -> &'static str {
        match self {
            PickupStatus::Completed => "반품완료",
            PickupStatus::Refused => "반품거부",
            _ => "",
        }
    }

    /// The platform API's (and the store's) name.
    pub const fn as_str(self) -> &'static str {
        match self {
            PickupStatus::Requested => "requested",
            PickupStatus::Confirmed => "confirmed",
            PickupStatus::Completed => "completed",
            PickupStatus::Refused => "refused",
            PickupStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|status| status.as_str() == name)
    }

    /// Whether the pickup is still open (61 or 63): its units are on their way back.
    pub const fn is_open(self) -> bool {
        matches!(self, PickupStatus::Requested | PickupStatus::Confirmed)
    }
}

/// Where a replacement stands as a shipment (`shppStatCd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplacementStatus {
    /// 30 대기: waiting for its pickup to complete; it cannot ship yet.
    Waiting,
    /// 10 정상: an ordinary shipment now.
    Normal,
    /// 20 취소: its exchange was withdrawn.
    Canceled,
}

impl ReplacementStatus {
    pub const ALL: &'static [ReplacementStatus] = &[
        ReplacementStatus::Waiting,
        ReplacementStatus::Normal,
        ReplacementStatus::Canceled,
    ];

    /// `shppStatCd`.
    pub const fn code(self) -> &'static str {
        match self {
            ReplacementStatus::Normal => "10",
            ReplacementStatus::Canceled => "20",
            ReplacementStatus::Waiting => "30",
        }
    }

    /// `shppStatNm`.
    pub const fn name(self) -> &'static str {
        match self {
            ReplacementStatus::Normal => "정상",
            ReplacementStatus::Canceled => "취소",
            ReplacementStatus::Waiting => "대기",
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            ReplacementStatus::Normal => "normal",
            ReplacementStatus::Canceled => "canceled",
            ReplacementStatus::Waiting => "waiting",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|status| status.as_str() == name)
    }
}

/// How the vendor fetches a pickup (`shppTypeDtlCd`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickupCarrier {
    /// `22`: by courier, with its waybill.
    Courier(Waybill),
    /// `14`: by the vendor's own delivery.
    Own,
}

impl PickupCarrier {
    pub const fn code(&self) -> &'static str {
        match self {
            PickupCarrier::Courier(_) => "22",
            PickupCarrier::Own => "14",
        }
    }

    pub fn waybill(&self) -> Option<&Waybill> {
        match self {
            PickupCarrier::Courier(waybill) => Some(waybill),
            PickupCarrier::Own => None,
        }
    }
}

/// What the vendor said when it confirmed a pickup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupConfirmation {
    pub at: KstDateTime,
    pub carrier: PickupCarrier,
    /// `resellPsblYn`: whether the units can be sold again.
    pub resell: bool,
    /// `retImptMainCd`, recorded as given.
    pub blame: Option<Blame>,
    /// When it completes by itself: 00:00 KST of the third business day after `at`.
    pub auto_completes_at: KstDateTime,
}

/// A refusal of a returned pickup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupRefusal {
    pub reason: RefusalReason,
    /// `retProcMemoCntt`.
    pub memo: Text,
}

/// An exchange's replacement of one pickup's units: a shipment of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// Its line in the exchange claim (`ordItemSeq`, after the pickups: n+1..2n).
    pub line_seq: ItemSeq,
    pub shpp_no: ShippingNo,
    pub qty: Quantity,
    pub uitem_id: Text,
    pub uitem_nm: Text,
    pub status: ReplacementStatus,
    pub confirmed_at: Option<KstDateTime>,
    pub waybill: Option<Waybill>,
    pub shipped_at: Option<KstDateTime>,
    pub delivered_at: Option<KstDateTime>,
}

/// One pickup line of a return or an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupLine {
    /// Its line in the claim (`ordItemSeq`, 1..n).
    pub line_seq: ItemSeq,
    /// The original order's item (`orordItemSeq`).
    pub item_seq: ItemSeq,
    /// Units to fetch (`dircItemQty`).
    pub qty: Quantity,
    /// The pickup's own shipping number.
    pub shpp_no: ShippingNo,
    pub status: PickupStatus,
    /// Fixed at filing.
    pub cost: CostLine,
    /// What the line refunds on completion (returns; 0 for exchanges).
    pub refund: Won,
    pub confirmation: Option<PickupConfirmation>,
    /// When it completed or was refused.
    pub ended_at: Option<KstDateTime>,
    pub refusal: Option<PickupRefusal>,
    pub withdrawn_at: Option<KstDateTime>,
    /// An exchange's replacement.
    pub replacement: Option<Replacement>,
}

impl PickupLine {
    /// The line as it stood at `at`: every step taken after it undone (a withdrawal, the end,
    /// the confirmation; the replacement's steps). What an event written at `at` tells.
    pub fn as_of(&self, at: KstDateTime) -> PickupLine {
        let mut line = self.clone();
        if line.withdrawn_at.is_some_and(|when| when > at) {
            line.withdrawn_at = None;
            line.status = PickupStatus::Requested;
        }
        if line.ended_at.is_some_and(|when| when > at) {
            line.ended_at = None;
            line.refusal = None;
            line.status = PickupStatus::Confirmed;
        }
        if line.confirmation.as_ref().is_some_and(|c| c.at > at) {
            line.confirmation = None;
            line.status = PickupStatus::Requested;
        }
        let completed = line.status == PickupStatus::Completed;
        let withdrawn = line.status == PickupStatus::Withdrawn;
        if let Some(replacement) = &mut line.replacement {
            replacement.status = if withdrawn {
                ReplacementStatus::Canceled
            } else if completed {
                ReplacementStatus::Normal
            } else {
                ReplacementStatus::Waiting
            };
            if replacement.delivered_at.is_some_and(|when| when > at) {
                replacement.delivered_at = None;
            }
            if replacement.shipped_at.is_some_and(|when| when > at) {
                replacement.shipped_at = None;
            }
            if replacement.confirmed_at.is_some_and(|when| when > at) {
                replacement.confirmed_at = None;
                replacement.waybill = None;
            }
        }
        line
    }

    /// The line as it stood right after it took `status`: later steps undone, whatever the
    /// clock said (several steps may share a second).
    pub fn rewound_to(&self, status: PickupStatus) -> PickupLine {
        let mut line = self.clone();
        line.status = status;
        match status {
            PickupStatus::Requested => {
                line.confirmation = None;
                line.ended_at = None;
                line.refusal = None;
                line.withdrawn_at = None;
            }
            PickupStatus::Confirmed => {
                line.ended_at = None;
                line.refusal = None;
                line.withdrawn_at = None;
            }
            PickupStatus::Completed | PickupStatus::Refused | PickupStatus::Withdrawn => {}
        }
        if let Some(replacement) = &mut line.replacement {
            replacement.status = match status {
                PickupStatus::Completed => ReplacementStatus::Normal,
                PickupStatus::Withdrawn => ReplacementStatus::Canceled,
                _ => ReplacementStatus::Waiting,
            };
            // Nothing of a replacement moves before its pickup completes.
            replacement.confirmed_at = None;
            replacement.waybill = None;
            replacement.shipped_at = None;
            replacement.delivered_at = None;
        }
        line
    }

    /// Whether its units count against what may still be returned: open, or completed (a
    /// refused or withdrawn pickup gives them back).
    pub fn holds_units(&self) -> bool {
        self.status.is_open() || self.status == PickupStatus::Completed
    }

    /// When it was refunded (a completed return).
    pub fn refunded_at(&self) -> Option<KstDateTime> {
        (self.status == PickupStatus::Completed && self.refund.get() > 0)
            .then_some(self.ended_at)
            .flatten()
    }
}

/// A return or an exchange, as filed and as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupClaim {
    pub clm_no: ClaimNo,
    pub oror_no: OrderNo,
    pub kind: PickupKind,
    pub reason: PickupReason,
    pub reason_text: Text,
    pub actor: Actor,
    /// When it was filed (`rcovDircDt`).
    pub filed_at: KstDateTime,
    pub lines: Vec<PickupLine>,
}

impl PickupClaim {
    /// The claim as it stood at `at` (see [`PickupLine::as_of`]).
    pub fn as_of(&self, at: KstDateTime) -> PickupClaim {
        PickupClaim {
            lines: self.lines.iter().map(|line| line.as_of(at)).collect(),
            ..self.clone()
        }
    }

    /// `shppcstBdnMainCd`: who pays.
    pub fn fault(&self) -> Fault {
        self.reason.fault()
    }

    /// The claim's status: its lines' when they agree; otherwise `in-progress` while any is
    /// open, else `closed`.
    pub fn status(&self) -> &'static str {
        let first = self.lines.first().map(|line| line.status);
        if self.lines.iter().all(|line| Some(line.status) == first) {
            return first.map_or("closed", PickupStatus::as_str);
        }
        if self.lines.iter().any(|line| line.status.is_open()) {
            "in-progress"
        } else {
            "closed"
        }
    }

    /// What its completed lines refunded (`refundedAmt`).
    pub fn refunded(&self) -> Won {
        Won::new(
            "refundedAmt",
            self.lines
                .iter()
                .filter(|line| line.status == PickupStatus::Completed)
                .map(|line| line.refund.get())
                .sum(),
        )
        .expect("a sum of refunds is an amount")
    }
}

/// A return or an exchange to file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupCommand {
    pub actor: Actor,
    pub reason: PickupReason,
    pub reason_text: Text,
    /// The items and units, in request order; an exchange line may name the replacement's
    /// option (`uitemId`, `uitemNm`).
    pub lines: Vec<PickupRequestLine>,
}

/// One line of a return or exchange request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupRequestLine {
    pub item_seq: ItemSeq,
    pub qty: Quantity,
    pub uitem_id: Option<Text>,
    pub uitem_nm: Option<Text>,
}

/// The vendor's return and exchange fees on an order (`retShppcst`, `exchShppcst`), beside
/// its outbound fee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupFees {
    pub vendor: VendorId,
    /// The outbound fee (`shpmtShppcst` when refunded).
    pub outbound: Won,
    pub ret: Won,
    pub exch: Won,
}

/// Why a return or an exchange cannot be filed, withdrawn or moved on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PickupRejection {
    #[error("the order belongs to another customer")]
    NotYourOrder,
    #[error("the order has no item {seq}")]
    UnknownItem { seq: ItemSeq },
    #[error("item {seq} has not been released: nothing to return or exchange; cancel it instead")]
    NotReleased { seq: ItemSeq },
    #[error(
        "item {seq} has {returnable} units that may be returned or exchanged; {asked} were asked"
    )]
    ExceedsReturnable {
        seq: ItemSeq,
        asked: u32,
        returnable: u32,
    },
    #[error("item {seq} is named twice")]
    DuplicateItem { seq: ItemSeq },
    #[error("an exchange names no replacement option for a return")]
    OptionOnReturn,
    #[error("the claim has no pickup that is still 회수지시 (61): {status}")]
    NotWithdrawable { status: &'static str },
    #[error(
        "a pickup of the claim was already confirmed by the vendor (회수확인): it can no longer be withdrawn"
    )]
    PickupConfirmed,
    #[error("the pickup belongs to another vendor")]
    NotYourPickup,
    #[error("the pickup is {} ({}), which does not allow this", status.code(), status.name())]
    PickupNotInState { status: PickupStatus },
    #[error("{asked} units cannot be processed: the pickup is of {qty}, all at once")]
    WrongQuantity { asked: u32, qty: u32 },
    #[error("an exchange cannot be refused")]
    ExchangeNotRefusable,
}

/// What filing a claim records, before the store numbers it and its pickups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupPlan {
    pub kind: PickupKind,
    /// Per line, in request order: the item, the units, the cost line, the refund, and the
    /// replacement's option (exchanges).
    pub lines: Vec<PlannedPickup>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPickup {
    pub item_seq: ItemSeq,
    pub qty: Quantity,
    pub cost: CostLine,
    pub refund: Won,
    /// Exchanges: the replacement's option (the item's own by default).
    pub replacement: Option<(Text, Text)>,
}

/// Units of `item` that may still be returned or exchanged: shipped, less those of pickups
/// that hold units (open ones, and completed ones), of any claim in `claims`.
pub fn returnable(item: &ItemState, claims: &[PickupClaim]) -> u32 {
    let held: u32 = claims
        .iter()
        .flat_map(|claim| &claim.lines)
        .filter(|line| line.item_seq == item.seq && line.holds_units())
        .map(|line| line.qty.get())
        .sum();
    item.shipped.saturating_sub(held)
}

/// Units of `item` completed as returns, and as exchanges.
pub fn completed_units(item: &ItemState, claims: &[PickupClaim]) -> (u32, u32) {
    let mut returned = 0;
    let mut exchanged = 0;
    for claim in claims {
        for line in &claim.lines {
            if line.item_seq == item.seq && line.status == PickupStatus::Completed {
                match claim.kind {
                    PickupKind::Return => returned += line.qty.get(),
                    PickupKind::Exchange => exchanged += line.qty.get(),
                }
            }
        }
    }
    (returned, exchanged)
}

fn won(field: &str, amount: i64) -> Won {
    Won::new(field, amount.max(0)).expect("a non-negative amount")
}

/// Decides filing a return or an exchange of `order` (whose items stand as `items`, with the
/// claims `claims` already filed and `canceled_fees` the vendors whose outbound fee a
/// cancellation already refunded): every item named once, released, with the units asked
/// still returnable; the actor the order's customer or an agent. Fixes every amount.
pub fn plan_pickup(
    order: &NewOrder,
    items: &[ItemState],
    claims: &[PickupClaim],
    fees: &[PickupFees],
    outbound_refunded: &[VendorId],
    command: &PickupCommand,
) -> Result<PickupPlan, PickupRejection> {
    if let Actor::Customer(customer) = &command.actor {
        if customer != order.customer_id() {
            return Err(PickupRejection::NotYourOrder);
        }
    }
    let kind = command.reason.kind();
    let fault = command.reason.fault();
    let mut seen = Vec::new();
    let mut planned: Vec<PlannedPickup> = Vec::new();
    // Discount already committed per item: by cancellations, and by live returns.
    for line in &command.lines {
        let seq = line.item_seq;
        if seen.contains(&seq) {
            return Err(PickupRejection::DuplicateItem { seq });
        }
        seen.push(seq);
        let item = items
            .iter()
            .find(|item| item.seq == seq)
            .ok_or(PickupRejection::UnknownItem { seq })?;
        let ordered = order
            .item(seq)
            .ok_or(PickupRejection::UnknownItem { seq })?;
        if !item.shipping_status().is_shipped() {
            return Err(PickupRejection::NotReleased { seq });
        }
        let left = returnable(item, claims);
        if line.qty.get() > left {
            return Err(PickupRejection::ExceedsReturnable {
                seq,
                asked: line.qty.get(),
                returnable: left,
            });
        }
        if kind == PickupKind::Return && (line.uitem_id.is_some() || line.uitem_nm.is_some()) {
            return Err(PickupRejection::OptionOnReturn);
        }
        let discount = match kind {
            PickupKind::Exchange => 0,
            PickupKind::Return => {
                let live_returns = claims
                    .iter()
                    .filter(|claim| claim.kind == PickupKind::Return)
                    .flat_map(|claim| &claim.lines)
                    .filter(|l| l.item_seq == seq && l.holds_units());
                let (live_units, live_discount) = live_returns.fold((0u32, 0i64), |(u, d), l| {
                    (u + l.qty.get(), d + l.cost.spl_ven_bdn_dc_amt.get())
                });
                if item.canceled + live_units + line.qty.get() >= item.ordered {
                    // The line that brings canceled and returned units to the ordered
                    // quantity takes what is left of the discount.
                    item.discount.get() - item.refunded_discount.get() - live_discount
                } else {
                    (i128::from(item.discount.get()) * i128::from(line.qty.get())
                        / i128::from(item.ordered)) as i64
                }
            }
        };
        planned.push(PlannedPickup {
            item_seq: seq,
            qty: line.qty,
            cost: CostLine {
                shpmt_shppcst: Won::ZERO,
                ret_shppcst: Won::ZERO,
                exch_shppcst: Won::ZERO,
                spl_ven_bdn_dc_amt: won("splVenBdnDcAmt", discount),
                vendor: item.vendor.clone(),
                lower_rank: item.lower_rank.clone(),
            },
            refund: Won::ZERO,
            replacement: (kind == PickupKind::Exchange).then(|| {
                (
                    line.uitem_id
                        .clone()
                        .unwrap_or_else(|| ordered.uitem_id.clone()),
                    line.uitem_nm
                        .clone()
                        .unwrap_or_else(|| ordered.uitem_nm.clone()),
                )
            }),
        });
    }
    // Fees, on the claim's first line of each vendor.
    let mut vendors_seen: Vec<VendorId> = Vec::new();
    for index in 0..planned.len() {
        let vendor = planned[index].cost.vendor.clone();
        if vendors_seen.contains(&vendor) {
            continue;
        }
        vendors_seen.push(vendor.clone());
        let fee = fees.iter().find(|fee| fee.vendor == vendor);
        match (kind, fault) {
            (PickupKind::Return, Fault::Customer) => {
                planned[index].cost.ret_shppcst = fee.map_or(Won::ZERO, |fee| fee.ret);
            }
            (PickupKind::Exchange, Fault::Customer) => {
                planned[index].cost.exch_shppcst = fee.map_or(Won::ZERO, |fee| fee.exch);
            }
            (PickupKind::Return, Fault::Vendor) => {
                // The outbound fee, when after this claim nothing of the vendor's items in
                // the order stays with the customer, and no cancellation refunded it.
                let all_back = items
                    .iter()
                    .filter(|item| item.vendor == vendor)
                    .all(|item| {
                        let live: u32 = claims
                            .iter()
                            .filter(|claim| claim.kind == PickupKind::Return)
                            .flat_map(|claim| &claim.lines)
                            .filter(|l| l.item_seq == item.seq && l.holds_units())
                            .map(|l| l.qty.get())
                            .sum();
                        let now: u32 = planned
                            .iter()
                            .filter(|p| p.item_seq == item.seq)
                            .map(|p| p.qty.get())
                            .sum();
                        item.canceled + live + now >= item.ordered
                    });
                let refunded_before = outbound_refunded.contains(&vendor)
                    || claims.iter().flat_map(|claim| &claim.lines).any(|l| {
                        l.cost.vendor == vendor && l.holds_units() && l.cost.shpmt_shppcst.get() > 0
                    });
                if all_back && !refunded_before {
                    planned[index].cost.shpmt_shppcst = fee.map_or(Won::ZERO, |fee| fee.outbound);
                }
            }
            (PickupKind::Exchange, Fault::Vendor) => {}
        }
    }
    // What each return line refunds: its units at their price, less the discount they
    // carried and the return fee, plus the outbound fee; never below 0 (the return fee is
    // at most what its line refunds).
    if kind == PickupKind::Return {
        for line in &mut planned {
            let price = order
                .item(line.item_seq)
                .map_or(0, |item| item.unit_price.get());
            let gross = price * i64::from(line.qty.get()) - line.cost.spl_ven_bdn_dc_amt.get()
                + line.cost.shpmt_shppcst.get();
            let fee = line.cost.ret_shppcst.get().min(gross.max(0));
            line.cost.ret_shppcst = won("retShppcst", fee);
            line.refund = won("refundAmt", gross - fee);
        }
    }
    Ok(PickupPlan {
        kind,
        lines: planned,
    })
}

/// Decides filing `command` on an order as it stands — its items, its cancellations and the
/// returns and exchanges already filed — with the vendors' fees as the order carries them and
/// the outbound fees its cancellations already refunded: what both the store (filing) and a
/// preview ask.
pub fn plan_pickup_on(
    order: &NewOrder,
    items: &[ItemState],
    cancellations: &[crate::Claim],
    claims: &[PickupClaim],
    command: &PickupCommand,
) -> Result<PickupPlan, PickupRejection> {
    let fees: Vec<PickupFees> = order
        .shipping_fees()
        .iter()
        .map(|fee| PickupFees {
            vendor: fee.vendor.clone(),
            outbound: fee.amount,
            ret: fee.return_fee(),
            exch: fee.exchange_fee(),
        })
        .collect();
    let outbound_refunded: Vec<VendorId> = cancellations
        .iter()
        .flat_map(|claim| &claim.lines)
        .filter(|line| line.cost.shpmt_shppcst.get() > 0)
        .map(|line| line.cost.vendor.clone())
        .collect();
    plan_pickup(order, items, claims, &fees, &outbound_refunded, command)
}

/// 00:00 KST of the third business day (Monday to Friday; holidays not modelled) after the
/// KST day of `confirmed`: when a confirmed pickup completes by itself.
pub fn auto_completes_at(confirmed: KstDateTime) -> KstDateTime {
    let mut day = KstDate::of(confirmed);
    let mut business = 0;
    while business < 3 {
        day = day.plus_days(1);
        if day.is_weekday() {
            business += 1;
        }
    }
    day.start()
}

/// Decides a withdrawal of `claim` (the whole claim) by `actor`: the order's customer or an
/// agent, while every pickup is still 61.
pub fn plan_pickup_withdrawal(
    claim: &PickupClaim,
    order: &NewOrder,
    actor: &Actor,
) -> Result<(), PickupRejection> {
    if let Actor::Customer(customer) = actor {
        if customer != order.customer_id() {
            return Err(PickupRejection::NotYourOrder);
        }
    }
    if claim
        .lines
        .iter()
        .all(|line| line.status == PickupStatus::Requested)
    {
        return Ok(());
    }
    if claim
        .lines
        .iter()
        .any(|line| line.status == PickupStatus::Confirmed)
    {
        return Err(PickupRejection::PickupConfirmed);
    }
    Err(PickupRejection::NotWithdrawable {
        status: claim.status(),
    })
}

/// Checks a vendor's step on a pickup: its own, in `allowed`, of `qty` units exactly.
fn vendor_step(
    line: &PickupLine,
    vendor_covers: bool,
    asked: u32,
    allowed: PickupStatus,
) -> Result<(), PickupRejection> {
    if !vendor_covers {
        return Err(PickupRejection::NotYourPickup);
    }
    if line.status != allowed {
        return Err(PickupRejection::PickupNotInState {
            status: line.status,
        });
    }
    if asked != line.qty.get() {
        return Err(PickupRejection::WrongQuantity {
            asked,
            qty: line.qty.get(),
        });
    }
    Ok(())
}

/// Decides the vendor's confirmation of a pickup (61 → 63) at `now`.
pub fn plan_pickup_confirm(
    line: &PickupLine,
    vendor_covers: bool,
    asked: u32,
    carrier: PickupCarrier,
    resell: bool,
    blame: Option<Blame>,
    now: KstDateTime,
) -> Result<PickupConfirmation, PickupRejection> {
    vendor_step(line, vendor_covers, asked, PickupStatus::Requested)?;
    Ok(PickupConfirmation {
        at: now,
        carrier,
        resell,
        blame,
        auto_completes_at: auto_completes_at(now),
    })
}

/// Decides the vendor's completion of a pickup (63 → 64) at `now`.
pub fn plan_pickup_complete(
    line: &PickupLine,
    vendor_covers: bool,
    asked: u32,
) -> Result<(), PickupRejection> {
    vendor_step(line, vendor_covers, asked, PickupStatus::Confirmed)
}

/// Decides the vendor's refusal of a returned pickup (63 → 64, 반품거부).
pub fn plan_pickup_refusal(
    kind: PickupKind,
    line: &PickupLine,
    vendor_covers: bool,
    asked: u32,
) -> Result<(), PickupRejection> {
    if kind == PickupKind::Exchange && vendor_covers {
        return Err(PickupRejection::ExchangeNotRefusable);
    }
    vendor_step(line, vendor_covers, asked, PickupStatus::Confirmed)
}

/// A replacement as the shipping rules see an item: its own units, to confirm, waybill,
/// release and deliver as any item once it may ship.
pub fn replacement_state(
    replacement: &Replacement,
    vendor: &VendorId,
    lower_rank: Option<&VendorId>,
) -> ItemState {
    let qty = replacement.qty.get();
    ItemState {
        seq: replacement.line_seq,
        vendor: vendor.clone(),
        lower_rank: lower_rank.cloned(),
        ordered: qty,
        canceled: if replacement.status == ReplacementStatus::Canceled {
            qty
        } else {
            0
        },
        shipped: if replacement.shipped_at.is_some() {
            qty
        } else {
            0
        },
        discount: Won::ZERO,
        refunded_discount: Won::ZERO,
        shipped_at: replacement.shipped_at,
        last_canceled_at: None,
        shpp_no: replacement.shpp_no,
        confirmed_at: replacement.confirmed_at,
        waybill: replacement.waybill.clone(),
        no_sell: None,
        delay: None,
        delivered_at: replacement.delivered_at,
    }
}

impl Replacement {
    /// Where it stands on its way, as an item would (`shppProgStatDtlCd`).
    pub fn shipping_status(&self, vendor: &VendorId) -> ShippingStatus {
        replacement_state(self, vendor, None).shipping_status()
    }
}

/// Which of a pickup's dates a list's period filters on (`perdType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickupDate {
    /// `01` 회수지시일: when it was filed.
    Filed,
    /// `02` 회수완료일: when it completed (or was refused).
    Ended,
    /// `03`: the hold date; holds are never made, so it matches nothing.
    Held,
    /// `04` 회수확인일: when the vendor confirmed it.
    Confirmed,
    /// `05` 회수철회일: when it was withdrawn.
    Withdrawn,
}

impl PickupDate {
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "01" => Some(PickupDate::Filed),
            "02" => Some(PickupDate::Ended),
            "03" => Some(PickupDate::Held),
            "04" => Some(PickupDate::Confirmed),
            "05" => Some(PickupDate::Withdrawn),
            _ => None,
        }
    }
}

/// A pickup looked up by number (`commType` with `commValue`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickupLookup {
    /// `02`: by order number, the original's or the claim's.
    Order(OrderNo),
    /// `03`: by the pickup's own shipping number.
    Shipping(ShippingNo),
}

/// What a vendor's list of pickups asks (`listExchangeTarget`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupQuery {
    pub by: PickupDate,
    /// Left out only with a lookup.
    pub period: Option<Period>,
    /// Returns, exchanges, or both (empty).
    pub kinds: Vec<PickupKind>,
    /// `lastShppProgStatDtlCd`s asked for (empty: every one).
    pub statuses: Vec<String>,
    pub lookup: Option<PickupLookup>,
}

impl PickupQuery {
    /// Whether `claim`'s `line` is one the query asks for (the period aside, which the
    /// store filters on).
    pub fn matches(&self, claim: &PickupClaim, line: &PickupLine) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&claim.kind))
            && (self.statuses.is_empty()
                || self.statuses.iter().any(|code| code == line.status.code()))
            && match &self.lookup {
                None => true,
                Some(PickupLookup::Order(ord_no)) => {
                    ord_no == &claim.oror_no || ord_no.as_str() == claim.clm_no.as_str()
                }
                Some(PickupLookup::Shipping(shpp_no)) => *shpp_no == line.shpp_no,
            }
    }
}

/// A pickup as a vendor's list shows it: its claim, its line, and the original order's
/// item, orderer and recipient, and the released shipment it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupListing {
    pub claim: PickupClaim,
    /// Which of `claim.lines` it is.
    pub line: usize,
    pub item: crate::NewOrderItem,
    /// The original item as it stands (its shipping number and waybill).
    pub original: ItemState,
    pub ordpe_nm: Text,
    pub recipient: crate::Recipient,
}

impl PickupListing {
    pub fn pickup(&self) -> &PickupLine {
        &self.claim.lines[self.line]
    }

    /// The date the period of `by` falls on, if the pickup has it.
    pub fn date(&self, by: PickupDate) -> Option<KstDateTime> {
        let line = self.pickup();
        match by {
            PickupDate::Filed => Some(self.claim.filed_at),
            PickupDate::Ended => line.ended_at,
            PickupDate::Held => None,
            PickupDate::Confirmed => line.confirmation.as_ref().map(|c| c.at),
            PickupDate::Withdrawn => line.withdrawn_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::rules;
    use crate::{CustomerId, MediaCode, NewOrderItem, ShippingFee};

    fn at(text: &str) -> KstDateTime {
        KstDateTime::parse("t", text).unwrap()
    }

    fn seq(n: i64) -> ItemSeq {
        ItemSeq::new("s", n).unwrap()
    }

    fn qty(n: i64) -> Quantity {
        Quantity::new("q", n).unwrap()
    }

    fn vendor(id: &str) -> VendorId {
        VendorId::parse("v", id).unwrap()
    }

    fn customer() -> Actor {
        Actor::Customer(CustomerId::parse("c", "c-1001").unwrap())
    }

    /// An order of three units of item 1 (discount 1000) and one of item 2, both vendor A,
    /// all shipped.
    fn shipped() -> (NewOrder, Vec<ItemState>) {
        let item = |n: i64, units: i64, discount: i64| NewOrderItem {
            seq: seq(n),
            item_id: Text::parse("i", "1000000000001", rules::ITEM_ID).unwrap(),
            item_nm: Text::parse("n", "우유", rules::ITEM_NAME).unwrap(),
            uitem_id: Text::parse("u", "00001", rules::UNIT_ITEM_ID).unwrap(),
            uitem_nm: Text::default(),
            qty: qty(units),
            unit_price: Won::new("p", 10_000).unwrap(),
            vendor: vendor("0000012345"),
            lower_rank: None,
            discount: Won::new("d", discount).unwrap(),
        };
        let order = NewOrder::new(
            OrderNo::parse("o", "R-1").unwrap(),
            Text::parse("n", "홍길동", rules::ORDERER_NAME).unwrap(),
            CustomerId::parse("c", "c-1001").unwrap(),
            MediaCode::MobileAppIos,
            at("2026-11-20 09:00:00"),
            vec![ShippingFee {
                vendor: vendor("0000012345"),
                amount: Won::new("a", 3000).unwrap(),
                return_fee: None,
                exchange_fee: None,
            }],
            vec![item(1, 3, 1000), item(2, 1, 0)],
        )
        .unwrap();
        let items = order
            .items()
            .iter()
            .map(|item| {
                let mut state =
                    ItemState::placed(item, ShippingNo::new("s", item.seq.get().into()).unwrap());
                state.shipped = state.ordered;
                state.shipped_at = Some(at("2026-11-21 10:00:00"));
                state.confirmed_at = state.shipped_at;
                state
            })
            .collect();
        (order, items)
    }

    fn fees() -> Vec<PickupFees> {
        vec![PickupFees {
            vendor: vendor("0000012345"),
            outbound: Won::new("a", 3000).unwrap(),
            ret: Won::new("r", 3000).unwrap(),
            exch: Won::new("e", 6000).unwrap(),
        }]
    }

    fn command(reason: PickupReason, lines: &[(i64, i64)]) -> PickupCommand {
        PickupCommand {
            actor: customer(),
            reason,
            reason_text: Text::default(),
            lines: lines
                .iter()
                .map(|&(s, q)| PickupRequestLine {
                    item_seq: seq(s),
                    qty: qty(q),
                    uitem_id: None,
                    uitem_nm: None,
                })
                .collect(),
        }
    }

    /// A claim as the store would keep it from `plan`.
    fn filed(plan: &PickupPlan, reason: PickupReason, status: PickupStatus) -> PickupClaim {
        PickupClaim {
            clm_no: crate::claim_number(KstDate::of(at("2026-11-25 10:00:00")), 1),
            oror_no: OrderNo::parse("o", "R-1").unwrap(),
            kind: plan.kind,
            reason,
            reason_text: Text::default(),
            actor: customer(),
            filed_at: at("2026-11-25 10:00:00"),
            lines: plan
                .lines
                .iter()
                .enumerate()
                .map(|(i, p)| PickupLine {
                    line_seq: seq(i as i64 + 1),
                    item_seq: p.item_seq,
                    qty: p.qty,
                    shpp_no: ShippingNo::new("s", 100 + i as u64).unwrap(),
                    status,
                    cost: p.cost.clone(),
                    refund: p.refund,
                    confirmation: None,
                    ended_at: None,
                    refusal: None,
                    withdrawn_at: None,
                    replacement: None,
                })
                .collect(),
        }
    }

    #[test]
    fn reasons_belong_to_their_type_and_say_who_pays() {
        assert_eq!(
            PickupReason::parse(PickupKind::Return, "351")
                .unwrap()
                .fault(),
            Fault::Customer
        );
        assert_eq!(
            PickupReason::parse(PickupKind::Return, "354")
                .unwrap()
                .fault(),
            Fault::Vendor
        );
        assert_eq!(
            PickupReason::parse(PickupKind::Exchange, "452")
                .unwrap()
                .fault(),
            Fault::Customer
        );
        assert_eq!(
            PickupReason::parse(PickupKind::Exchange, "453")
                .unwrap()
                .fault(),
            Fault::Vendor
        );
        assert!(PickupReason::parse(PickupKind::Return, "451").is_err());
        assert!(PickupReason::parse(PickupKind::Exchange, "351").is_err());
    }

    #[test]
    fn a_return_at_the_customers_fault_pays_the_return_fee_from_its_refund() {
        let (order, items) = shipped();
        let reason = PickupReason::Return(ReturnReason::ChangedMind);
        let plan = plan_pickup(
            &order,
            &items,
            &[],
            &fees(),
            &[],
            &command(reason, &[(1, 1)]),
        )
        .unwrap();
        let line = &plan.lines[0];
        assert_eq!(
            line.cost.spl_ven_bdn_dc_amt.get(),
            333,
            "1000 × 1 ÷ 3, rounded down"
        );
        assert_eq!(line.cost.ret_shppcst.get(), 3000);
        assert_eq!(line.cost.shpmt_shppcst.get(), 0);
        assert_eq!(line.refund.get(), 10_000 - 333 - 3000);
        // Then the remaining two units: the remainder of the discount, no fee twice? The fee
        // is per claim: a second claim pays its own.
        let first = filed(&plan, reason, PickupStatus::Completed);
        let rest = plan_pickup(
            &order,
            &items,
            std::slice::from_ref(&first),
            &fees(),
            &[],
            &command(reason, &[(1, 2)]),
        )
        .unwrap();
        assert_eq!(
            rest.lines[0].cost.spl_ven_bdn_dc_amt.get(),
            1000 - 333,
            "the remainder"
        );
        // Nothing more to return.
        let second = filed(&rest, reason, PickupStatus::Requested);
        assert_eq!(returnable(&items[0], &[first.clone(), second.clone()]), 0);
        assert_eq!(
            plan_pickup(
                &order,
                &items,
                &[first.clone(), second],
                &fees(),
                &[],
                &command(reason, &[(1, 1)])
            ),
            Err(PickupRejection::ExceedsReturnable {
                seq: seq(1),
                asked: 1,
                returnable: 0
            })
        );
        // A refused pickup gives its units and its discount share back.
        let refused = filed(&plan, reason, PickupStatus::Refused);
        assert_eq!(returnable(&items[0], std::slice::from_ref(&refused)), 3);
        let again = plan_pickup(
            &order,
            &items,
            &[refused],
            &fees(),
            &[],
            &command(reason, &[(1, 3)]),
        )
        .unwrap();
        assert_eq!(again.lines[0].cost.spl_ven_bdn_dc_amt.get(), 1000);
    }

    #[test]
    fn a_return_at_the_vendors_fault_refunds_the_outbound_fee_when_nothing_stays() {
        let (order, items) = shipped();
        let reason = PickupReason::Return(ReturnReason::Defective);
        let part = plan_pickup(
            &order,
            &items,
            &[],
            &fees(),
            &[],
            &command(reason, &[(1, 3)]),
        )
        .unwrap();
        assert_eq!(
            part.lines[0].cost.ret_shppcst.get(),
            0,
            "the vendor's fault: no fee"
        );
        assert_eq!(part.lines[0].cost.shpmt_shppcst.get(), 0, "item 2 stays");
        let all = plan_pickup(
            &order,
            &items,
            &[],
            &fees(),
            &[],
            &command(reason, &[(1, 3), (2, 1)]),
        )
        .unwrap();
        assert_eq!(
            all.lines[0].cost.shpmt_shppcst.get(),
            3000,
            "on the vendor's first line"
        );
        assert_eq!(all.lines[1].cost.shpmt_shppcst.get(), 0);
        assert_eq!(all.lines[0].refund.get(), 30_000 - 1000 + 3000);
        // Refunded by a cancellation before: not again.
        let vendor = vendor("0000012345");
        let none = plan_pickup(
            &order,
            &items,
            &[],
            &fees(),
            &[vendor],
            &command(reason, &[(1, 3), (2, 1)]),
        )
        .unwrap();
        assert_eq!(none.lines[0].cost.shpmt_shppcst.get(), 0);
    }

    #[test]
    fn an_exchange_pays_its_fee_at_the_customers_fault_and_keeps_the_discount() {
        let (order, items) = shipped();
        let reason = PickupReason::Exchange(ExchangeReason::SizeOrColor);
        let mut asked = command(reason, &[(1, 1)]);
        asked.lines[0].uitem_id = Some(Text::parse("u", "00002", rules::UNIT_ITEM_ID).unwrap());
        let plan = plan_pickup(&order, &items, &[], &fees(), &[], &asked).unwrap();
        assert_eq!(plan.lines[0].cost.exch_shppcst.get(), 6000);
        assert_eq!(plan.lines[0].cost.spl_ven_bdn_dc_amt.get(), 0);
        assert_eq!(plan.lines[0].refund.get(), 0);
        assert_eq!(
            plan.lines[0].replacement.as_ref().unwrap().0.as_str(),
            "00002"
        );
        let defective = PickupReason::Exchange(ExchangeReason::Defective);
        let free = plan_pickup(
            &order,
            &items,
            &[],
            &fees(),
            &[],
            &command(defective, &[(1, 1)]),
        )
        .unwrap();
        assert_eq!(free.lines[0].cost.exch_shppcst.get(), 0);
        assert_eq!(
            free.lines[0].replacement.as_ref().unwrap().0.as_str(),
            "00001",
            "the item's own option"
        );
    }

    #[test]
    fn only_released_items_of_ones_own_order_are_returned() {
        let (order, mut items) = shipped();
        let reason = PickupReason::Return(ReturnReason::ChangedMind);
        items[1].shipped = 0;
        items[1].shipped_at = None;
        assert_eq!(
            plan_pickup(
                &order,
                &items,
                &[],
                &fees(),
                &[],
                &command(reason, &[(2, 1)])
            ),
            Err(PickupRejection::NotReleased { seq: seq(2) })
        );
        let mut other = command(reason, &[(1, 1)]);
        other.actor = Actor::Customer(CustomerId::parse("c", "c-9").unwrap());
        assert_eq!(
            plan_pickup(&order, &items, &[], &fees(), &[], &other),
            Err(PickupRejection::NotYourOrder)
        );
        assert_eq!(
            plan_pickup(
                &order,
                &items,
                &[],
                &fees(),
                &[],
                &command(reason, &[(1, 1), (1, 1)])
            ),
            Err(PickupRejection::DuplicateItem { seq: seq(1) })
        );
    }

    #[test]
    fn a_pickup_completes_by_itself_at_the_third_business_day() {
        // Monday → Thursday 00:00; Friday → Wednesday; Saturday → Wednesday.
        assert_eq!(
            auto_completes_at(at("2026-12-07 15:00:00")),
            at("2026-12-10 00:00:00")
        );
        assert_eq!(
            auto_completes_at(at("2026-12-11 23:59:59")),
            at("2026-12-16 00:00:00")
        );
        assert_eq!(
            auto_completes_at(at("2026-12-12 09:00:00")),
            at("2026-12-16 00:00:00")
        );
    }

    #[test]
    fn the_vendor_moves_a_pickup_one_step_at_a_time() {
        let (order, items) = shipped();
        let reason = PickupReason::Return(ReturnReason::ChangedMind);
        let plan = plan_pickup(
            &order,
            &items,
            &[],
            &fees(),
            &[],
            &command(reason, &[(1, 2)]),
        )
        .unwrap();
        let mut claim = filed(&plan, reason, PickupStatus::Requested);
        let line = &claim.lines[0];
        assert_eq!(
            plan_pickup_complete(line, true, 2),
            Err(PickupRejection::PickupNotInState {
                status: PickupStatus::Requested
            })
        );
        assert_eq!(
            plan_pickup_confirm(
                line,
                true,
                1,
                PickupCarrier::Own,
                true,
                None,
                at("2026-12-07 10:00:00")
            ),
            Err(PickupRejection::WrongQuantity { asked: 1, qty: 2 })
        );
        assert_eq!(
            plan_pickup_confirm(
                line,
                false,
                2,
                PickupCarrier::Own,
                true,
                None,
                at("2026-12-07 10:00:00")
            ),
            Err(PickupRejection::NotYourPickup)
        );
        let confirmation = plan_pickup_confirm(
            line,
            true,
            2,
            PickupCarrier::Own,
            true,
            None,
            at("2026-12-07 10:00:00"),
        )
        .unwrap();
        assert_eq!(confirmation.auto_completes_at, at("2026-12-10 00:00:00"));
        claim.lines[0].status = PickupStatus::Confirmed;
        assert_eq!(
            plan_pickup_withdrawal(&claim, &order, &customer()),
            Err(PickupRejection::PickupConfirmed)
        );
        assert!(plan_pickup_refusal(PickupKind::Return, &claim.lines[0], true, 2).is_ok());
        assert_eq!(
            plan_pickup_refusal(PickupKind::Exchange, &claim.lines[0], true, 2),
            Err(PickupRejection::ExchangeNotRefusable)
        );
        assert!(plan_pickup_complete(&claim.lines[0], true, 2).is_ok());
        claim.lines[0].status = PickupStatus::Completed;
        assert_eq!(claim.status(), "completed");
        assert_eq!(claim.refunded(), plan.lines[0].refund);
    }

    #[test]
    fn a_line_is_told_as_it_stood() {
        let mut line = PickupLine {
            line_seq: seq(1),
            item_seq: seq(1),
            qty: qty(1),
            shpp_no: ShippingNo::new("s", 9).unwrap(),
            status: PickupStatus::Completed,
            cost: CostLine {
                shpmt_shppcst: Won::ZERO,
                ret_shppcst: Won::ZERO,
                exch_shppcst: Won::ZERO,
                spl_ven_bdn_dc_amt: Won::ZERO,
                vendor: vendor("0000012345"),
                lower_rank: None,
            },
            refund: Won::new("r", 100).unwrap(),
            confirmation: Some(PickupConfirmation {
                at: at("2026-12-07 10:00:00"),
                carrier: PickupCarrier::Own,
                resell: false,
                blame: None,
                auto_completes_at: at("2026-12-10 00:00:00"),
            }),
            ended_at: Some(at("2026-12-08 10:00:00")),
            refusal: None,
            withdrawn_at: None,
            replacement: Some(Replacement {
                line_seq: seq(2),
                shpp_no: ShippingNo::new("s", 10).unwrap(),
                qty: qty(1),
                uitem_id: Text::default(),
                uitem_nm: Text::default(),
                status: ReplacementStatus::Normal,
                confirmed_at: Some(at("2026-12-08 11:00:00")),
                waybill: None,
                shipped_at: Some(at("2026-12-08 12:00:00")),
                delivered_at: None,
            }),
        };
        // By the clock: before the completion, confirmed; the replacement waiting, unmoved.
        let before = line.as_of(at("2026-12-08 09:59:59"));
        assert_eq!(before.status, PickupStatus::Confirmed);
        assert_eq!(before.ended_at, None);
        let replacement = before.replacement.unwrap();
        assert_eq!(replacement.status, ReplacementStatus::Waiting);
        assert_eq!(
            (replacement.confirmed_at, replacement.shipped_at),
            (None, None)
        );
        assert_eq!(
            line.as_of(at("2026-12-07 09:00:00")).status,
            PickupStatus::Requested
        );
        // By the status an event recorded, whatever the clock says.
        let filed = line.rewound_to(PickupStatus::Requested);
        assert_eq!((filed.confirmation, filed.ended_at), (None, None));
        let freed = line.rewound_to(PickupStatus::Completed);
        let replacement = freed.replacement.unwrap();
        assert_eq!(replacement.status, ReplacementStatus::Normal);
        assert_eq!(
            replacement.shipped_at, None,
            "nothing shipped at the moment it was freed"
        );
        line.status = PickupStatus::Withdrawn;
        assert_eq!(
            line.rewound_to(PickupStatus::Withdrawn)
                .replacement
                .unwrap()
                .status,
            ReplacementStatus::Canceled
        );
    }
}
