//! An item's way to the customer: instructed (배송지시) when the order is placed, confirmed
//! by its vendor (피킹완료), then released (출고완료) with a waybill. Confirming closes the
//! storefront's cancellation window; releasing closes every window, and rejects a cancel
//! request still pending for the item.
//!
//! The store loads the item inside its write transaction and asks [`plan_confirm`],
//! [`plan_waybill`] or [`plan_release`] what to write.

use std::fmt;

use crate::cancel::ItemState;
use crate::{
    InvalidValue, KstDate, KstDateTime, NewOrderItem, OrderNo, Period, Quantity, Recipient, Scope,
    Text, Won,
};

/// An item's shipping number (`shppNo`): a positive number the store issues for each item
/// when its order is placed, unique among all items. SSG's shipping calls name an item by
/// it (with `shppSeq`, always 1 here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShippingNo(u64);

impl ShippingNo {
    /// The largest number a JSON reader in any language reads exactly (2⁵³ − 1).
    pub const MAX: u64 = (1 << 53) - 1;

    pub fn new(field: &str, value: u64) -> Result<Self, InvalidValue> {
        if (1..=Self::MAX).contains(&value) {
            Ok(Self(value))
        } else {
            Err(InvalidValue::new(
                field,
                format!("must be a positive shipping number, got {value}"),
            ))
        }
    }

    /// Reads a shipping number written as digits (integrations send it as a number or as a
    /// string of digits).
    pub fn parse(field: &str, value: &str) -> Result<Self, InvalidValue> {
        let digits = value.trim();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::new(
                field,
                format!("must be a shipping number of digits, got {value:?}"),
            ));
        }
        let number = digits.parse::<u64>().map_err(|_| {
            InvalidValue::new(
                field,
                format!("is too large for a shipping number: {value:?}"),
            )
        })?;
        Self::new(field, number)
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ShippingNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// An item as a vendor's shipping lists show it: the item, where it stands, and the facts
/// of its order the vendor ships by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingItem {
    pub ord_no: OrderNo,
    pub ordpe_nm: Text,
    /// When the order was received (`ordRcpDts`).
    pub received_at: KstDateTime,
    pub recipient: Recipient,
    /// The vendor's shipping fee on the order (`shppcst`).
    pub shipping_fee: Won,
    pub item: NewOrderItem,
    pub state: ItemState,
    /// Set for an exchange's replacement (교환출고), whose `ord_no` is the exchange's claim
    /// number and `item` its line there.
    pub exchange: Option<ExchangeOf>,
}

/// What an exchange's replacement replaces, and whether it may ship yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeOf {
    /// The original order and its item (`orordNo`, `orordItemSeq`).
    pub oror_no: OrderNo,
    pub item_seq: crate::ItemSeq,
    pub status: crate::ReplacementStatus,
}

/// The shipping sequence (`shppSeq`) of every item here: one shipment per item.
pub const SHIPPING_SEQ: u32 = 1;

/// Where an item stands on its way to the customer (`shppProgStatDtlCd`), with SSG's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShippingStatus {
    /// 배송지시: placed and paid; the vendor is told to ship it.
    Instructed,
    /// 피킹완료: the vendor confirmed it (주문확인) and is packing it.
    Confirmed,
    /// 출고지연: the vendor told the customer its release will be late; treated as
    /// confirmed by the vendor's calls, and cancelable at once by customers and agents.
    Delayed,
    /// 출고완료: the vendor released it to the carrier.
    Released,
    /// 배송완료: the carrier delivered it.
    Delivered,
}

impl ShippingStatus {
    pub const ALL: &'static [ShippingStatus] = &[
        ShippingStatus::Instructed,
        ShippingStatus::Confirmed,
        ShippingStatus::Delayed,
        ShippingStatus::Released,
        ShippingStatus::Delivered,
    ];

    /// Whether it left the vendor: released, or delivered since.
    pub const fn is_shipped(self) -> bool {
        matches!(self, ShippingStatus::Released | ShippingStatus::Delivered)
    }

    /// `shppProgStatDtlCd`.
    pub const fn code(self) -> &'static str {
        match self {
            ShippingStatus::Instructed => "11",
            ShippingStatus::Confirmed => "22",
            ShippingStatus::Delayed => "42",
            ShippingStatus::Released => "43",
            ShippingStatus::Delivered => "51",
        }
    }

    /// `shppProgStatDtlNm`, SSG's name.
    pub const fn name(self) -> &'static str {
        match self {
            ShippingStatus::Instructed => "배송지시",
            ShippingStatus::Confirmed => "피킹완료",
            ShippingStatus::Delayed => "출고지연",
            ShippingStatus::Released => "출고완료",
            ShippingStatus::Delivered => "배송완료",
        }
    }

    /// The platform API's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ShippingStatus::Instructed => "instructed",
            ShippingStatus::Confirmed => "confirmed",
            ShippingStatus::Delayed => "delayed",
            ShippingStatus::Released => "released",
            ShippingStatus::Delivered => "delivered",
        }
    }
}

/// A waybill: the carrier (`delicoVenId`, SSG's id of the delivery company) and its
/// tracking number (`wblNo`), each 1 to 30 ASCII letters, digits or `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Waybill {
    delico_ven_id: String,
    wbl_no: String,
}

impl Waybill {
    pub fn new(delico_ven_id: &str, wbl_no: &str) -> Result<Self, InvalidValue> {
        Ok(Self {
            delico_ven_id: code("delicoVenId", delico_ven_id)?,
            wbl_no: code("wblNo", wbl_no)?,
        })
    }

    pub fn delico_ven_id(&self) -> &str {
        &self.delico_ven_id
    }

    pub fn wbl_no(&self) -> &str {
        &self.wbl_no
    }
}

fn code(field: &str, value: &str) -> Result<String, InvalidValue> {
    let value = value.trim();
    if value.is_empty() || value.len() > 30 {
        return Err(InvalidValue::new(
            field,
            "must be 1 to 30 letters, digits or '-'",
        ));
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(InvalidValue::new(
            field,
            format!("may hold only letters, digits and '-', got {value:?}"),
        ));
    }
    Ok(value.to_owned())
}

/// Why an item cannot take a step on its way to the customer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShipRejection {
    #[error("the item belongs to another vendor")]
    NotYourItem,
    #[error("the item has already shipped (출고완료); only an item in 피킹완료 can be released")]
    AlreadyShipped,
    #[error("every unit of the item was canceled; there is nothing to ship")]
    FullyCanceled,
    #[error("the item is in 배송지시, not confirmed yet: confirm it (주문확인) first")]
    NotConfirmed,
    #[error("the item has no waybill yet: record one (saveWblNo) before releasing it")]
    NoWaybill,
    #[error(
        "{asked} units cannot be released: the item has {open} open, and all of them go at once"
    )]
    WrongQuantity { asked: u32, open: u32 },
    #[error("the item is in {} ({}), which does not allow this", status.code(), status.name())]
    NotInState { status: ShippingStatus },
    #[error(
        "the item is registered as out of stock (판매불가): it cannot ship; withdraw the registration first"
    )]
    NoSellRegistered,
    #[error("the item is already registered as out of stock (이미 판매불가로 등록된 상품입니다)")]
    AlreadyRegistered,
    #[error("the item has no out-of-stock registration in force")]
    NotRegistered,
    #[error("the item has not been released (출고완료) yet: only a released item is delivered")]
    NotReleased,
    #[error(
        "delivery can be recorded from the day after release (배송완료는 출고일 익일부터 처리할 수 있습니다.)"
    )]
    DeliveredOnReleaseDay,
    #[error("the item was already delivered (이미 배송완료 된 배송번호입니다.)")]
    AlreadyDelivered,
    #[error(
        "the exchange's replacement waits for its pickup (대기): it ships once the pickup completes (회수완료)"
    )]
    AwaitingPickup,
}

/// Which date a list of delivered shipments filters on (`listDeliveryEnd`'s `perdType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveredBy {
    /// `01`: the delivery date.
    Delivered,
    /// `02`: the release date.
    Released,
    /// `03`, `04`: the order date.
    Ordered,
}

/// An item a list call looks up instead of (or within) a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// By its (original) order number.
    Order(OrderNo),
    /// By its shipping number.
    Shipping(ShippingNo),
}

/// What a list of delivered shipments asks: a period on one of its dates, an item looked
/// up, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredQuery {
    pub by: DeliveredBy,
    pub period: Option<Period>,
    pub lookup: Option<Lookup>,
}

/// Decides recording the delivery (배송완료) of `item` at `now`, for the vendor holding
/// `scope` (or the carrier's word through the platform, `None`): it must be released, not
/// delivered already, and released on an earlier KST day. Returns when it was delivered.
pub fn plan_delivery(
    item: &ItemState,
    scope: Option<&Scope>,
    now: KstDateTime,
) -> Result<KstDateTime, ShipRejection> {
    if scope.is_some_and(|scope| !scope.covers(&item.vendor, item.lower_rank.as_ref())) {
        return Err(ShipRejection::NotYourItem);
    }
    match item.shipping_status() {
        ShippingStatus::Delivered => Err(ShipRejection::AlreadyDelivered),
        ShippingStatus::Released => {
            let released = item.shipped_at.ok_or(ShipRejection::NotReleased)?;
            if KstDate::of(now) <= KstDate::of(released) {
                return Err(ShipRejection::DeliveredOnReleaseDay);
            }
            Ok(now)
        }
        _ if item.open() == 0 => Err(ShipRejection::FullyCanceled),
        _ => Err(ShipRejection::NotReleased),
    }
}

/// Checks that the vendor holding `scope` may act on `item`, and that it has units to ship.
fn shippable(item: &ItemState, scope: &Scope) -> Result<(), ShipRejection> {
    if !scope.covers(&item.vendor, item.lower_rank.as_ref()) {
        return Err(ShipRejection::NotYourItem);
    }
    if item.shipping_status().is_shipped() {
        return Err(ShipRejection::AlreadyShipped);
    }
    if item.open() == 0 {
        return Err(ShipRejection::FullyCanceled);
    }
    Ok(())
}

/// What confirming an item writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfirmPlan {
    /// When it is confirmed.
    pub confirmed_at: KstDateTime,
}

/// Decides a vendor's confirmation (주문확인) of an item: 배송지시 → 피킹완료. Only an item in
/// 배송지시 can be confirmed; one confirmed, delayed or released is refused naming its state.
pub fn plan_confirm(
    item: &ItemState,
    scope: &Scope,
    now: KstDateTime,
) -> Result<ConfirmPlan, ShipRejection> {
    if !scope.covers(&item.vendor, item.lower_rank.as_ref()) {
        return Err(ShipRejection::NotYourItem);
    }
    let status = item.shipping_status();
    if status != ShippingStatus::Instructed {
        return Err(ShipRejection::NotInState { status });
    }
    if item.open() == 0 {
        return Err(ShipRejection::FullyCanceled);
    }
    Ok(ConfirmPlan { confirmed_at: now })
}

/// Refuses shipping an item registered as out of stock.
fn not_registered(item: &ItemState) -> Result<(), ShipRejection> {
    match item.registered_no_sell() {
        Some(_) => Err(ShipRejection::NoSellRegistered),
        None => Ok(()),
    }
}

/// What a shipment writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShipmentPlan {
    /// The units that ship: everything still open.
    pub qty: Quantity,
    /// When it shipped: `now`, or the item's latest cancellation if a clock behind
    /// another's says earlier, so that no cancellation is ever dated after the shipment
    /// that followed it.
    pub shipped_at: KstDateTime,
    /// When it is confirmed on the way, if it was not (the platform's one-step shipment).
    pub confirms: Option<KstDateTime>,
}

impl ShipmentPlan {
    fn of(item: &ItemState, now: KstDateTime) -> Self {
        let shipped_at = item.last_canceled_at.map_or(now, |last| last.max(now));
        Self {
            qty: Quantity::new("qty", i64::from(item.open()))
                .expect("a shippable item has open units"),
            shipped_at,
            confirms: item.confirmed_at.is_none().then_some(shipped_at),
        }
    }
}

/// What recording a waybill writes: the waybill, and a release when a cancel request is
/// pending for the item — SSG ships it at once, which rejects the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaybillPlan {
    pub waybill: Waybill,
    pub release: Option<ShipmentPlan>,
}

/// Decides recording `waybill` on a confirmed item; `pending_request` says whether a cancel
/// request is pending for it.
pub fn plan_waybill(
    item: &ItemState,
    scope: &Scope,
    waybill: Waybill,
    pending_request: bool,
    now: KstDateTime,
) -> Result<WaybillPlan, ShipRejection> {
    shippable(item, scope)?;
    if !item.counts_as_confirmed() {
        return Err(ShipRejection::NotConfirmed);
    }
    not_registered(item)?;
    Ok(WaybillPlan {
        waybill,
        release: pending_request.then(|| ShipmentPlan::of(item, now)),
    })
}

/// How an item is released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// SSG's release call: a confirmed item with a waybill, `qty` its open units.
    Vendor { qty: Quantity },
    /// The platform's one-step shipment: confirms the item if it was not, and releases
    /// every open unit.
    OneStep,
}

/// Decides releasing an item (출고완료): its open units go, and a pending cancel request for
/// it is rejected in the same transaction.
pub fn plan_release(
    item: &ItemState,
    scope: &Scope,
    release: Release,
    now: KstDateTime,
) -> Result<ShipmentPlan, ShipRejection> {
    shippable(item, scope)?;
    not_registered(item)?;
    if let Release::Vendor { qty } = release {
        if !item.counts_as_confirmed() {
            return Err(ShipRejection::NotConfirmed);
        }
        if item.waybill.is_none() {
            return Err(ShipRejection::NoWaybill);
        }
        if qty.get() != item.open() {
            return Err(ShipRejection::WrongQuantity {
                asked: qty.get(),
                open: item.open(),
            });
        }
    }
    Ok(ShipmentPlan::of(item, now))
}

/// The platform's one-step shipment of an item (see [`Release::OneStep`]).
pub fn plan_shipment(
    item: &ItemState,
    scope: &Scope,
    now: KstDateTime,
) -> Result<ShipmentPlan, ShipRejection> {
    plan_release(item, scope, Release::OneStep, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ItemSeq, VendorId, Won};

    fn at(text: &str) -> KstDateTime {
        KstDateTime::parse("t", text).unwrap()
    }

    fn vendor(id: &str) -> VendorId {
        VendorId::parse("v", id).unwrap()
    }

    fn scope(id: &str) -> Scope {
        Scope {
            vendor: vendor(id),
            lower_rank: None,
        }
    }

    fn item() -> ItemState {
        ItemState {
            seq: ItemSeq::new("s", 1).unwrap(),
            vendor: vendor("0000012345"),
            lower_rank: None,
            ordered: 3,
            canceled: 1,
            shipped: 0,
            discount: Won::ZERO,
            refunded_discount: Won::ZERO,
            shipped_at: None,
            last_canceled_at: None,
            shpp_no: ShippingNo::new("shppNo", 7).unwrap(),
            confirmed_at: None,
            waybill: None,
            no_sell: None,
            delay: None,
            delivered_at: None,
        }
    }

    fn qty(n: i64) -> Quantity {
        Quantity::new("q", n).unwrap()
    }

    #[test]
    fn shipping_numbers_are_positive_and_read_from_digits() {
        assert_eq!(ShippingNo::parse("shppNo", " 42 ").unwrap().get(), 42);
        for bad in ["", "0", "-1", "4 2", "1e3", "9007199254740992"] {
            assert!(ShippingNo::parse("shppNo", bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            ShippingNo::parse("shppNo", "9007199254740991")
                .unwrap()
                .get(),
            ShippingNo::MAX
        );
    }

    #[test]
    fn an_item_is_confirmed_then_given_a_waybill_then_released() {
        let now = at("2026-11-22 10:00:00");
        let mine = scope("0000012345");
        let mut item = item();
        assert_eq!(item.shipping_status(), ShippingStatus::Instructed);
        assert_eq!(
            plan_confirm(&item, &scope("0000023456"), now),
            Err(ShipRejection::NotYourItem)
        );
        // No waybill and no release before confirmation.
        let waybill = Waybill::new("0000033011", "6012345678901").unwrap();
        assert_eq!(
            plan_waybill(&item, &mine, waybill.clone(), false, now),
            Err(ShipRejection::NotConfirmed)
        );
        assert_eq!(
            plan_release(&item, &mine, Release::Vendor { qty: qty(2) }, now),
            Err(ShipRejection::NotConfirmed)
        );
        let confirm = plan_confirm(&item, &mine, now).unwrap();
        assert_eq!(confirm.confirmed_at, now);
        item.confirmed_at = Some(confirm.confirmed_at);
        assert_eq!(item.shipping_status(), ShippingStatus::Confirmed);
        // Only an item in 배송지시 is confirmed: a second confirmation names the state.
        assert_eq!(
            plan_confirm(&item, &mine, now),
            Err(ShipRejection::NotInState {
                status: ShippingStatus::Confirmed
            })
        );
        assert_eq!(
            plan_release(&item, &mine, Release::Vendor { qty: qty(2) }, now),
            Err(ShipRejection::NoWaybill)
        );
        // A waybill alone releases nothing, unless a cancel request is pending.
        let plan = plan_waybill(&item, &mine, waybill.clone(), false, now).unwrap();
        assert_eq!(plan.release, None);
        let shipping_now = plan_waybill(&item, &mine, waybill.clone(), true, now).unwrap();
        assert_eq!(shipping_now.release.unwrap().qty, qty(2));
        item.waybill = Some(waybill);
        assert_eq!(
            plan_release(&item, &mine, Release::Vendor { qty: qty(3) }, now),
            Err(ShipRejection::WrongQuantity { asked: 3, open: 2 })
        );
        let release = plan_release(&item, &mine, Release::Vendor { qty: qty(2) }, now).unwrap();
        assert_eq!((release.qty, release.confirms), (qty(2), None));
        item.shipped = 2;
        assert_eq!(item.shipping_status(), ShippingStatus::Released);
        assert_eq!(
            plan_release(&item, &mine, Release::Vendor { qty: qty(2) }, now),
            Err(ShipRejection::AlreadyShipped)
        );
        assert_eq!(
            plan_confirm(&item, &mine, now),
            Err(ShipRejection::NotInState {
                status: ShippingStatus::Released
            })
        );
    }

    #[test]
    fn a_registered_item_cannot_ship_and_a_delayed_one_ships_as_confirmed() {
        let now = at("2026-11-22 10:00:00");
        let mine = scope("0000012345");
        let waybill = Waybill::new("0000033011", "6012345678901").unwrap();
        // Delayed without a confirmation: the vendor's calls treat it as confirmed.
        let mut delayed = item();
        delayed.delay = Some(crate::Delay {
            reason: crate::DelayReason::SupplyDelay,
            until: KstDate::parse_compact("20261130").unwrap(),
            notices: 1,
            noticed_at: now,
        });
        assert!(plan_waybill(&delayed, &mine, waybill.clone(), false, now).is_ok());
        assert_eq!(
            plan_confirm(&delayed, &mine, now),
            Err(ShipRejection::NotInState {
                status: ShippingStatus::Delayed
            })
        );
        delayed.no_sell = Some(
            crate::plan_no_sell(
                &delayed,
                &mine,
                crate::NoSellReason::OutOfStock,
                Text::default(),
                now,
            )
            .unwrap(),
        );
        assert_eq!(
            plan_waybill(&delayed, &mine, waybill, false, now),
            Err(ShipRejection::NoSellRegistered)
        );
        assert_eq!(
            plan_shipment(&delayed, &mine, now),
            Err(ShipRejection::NoSellRegistered)
        );
    }

    #[test]
    fn the_one_step_shipment_confirms_on_the_way() {
        let now = at("2026-11-22 10:00:00");
        let plan = plan_shipment(&item(), &scope("0000012345"), now).unwrap();
        assert_eq!((plan.qty, plan.confirms), (qty(2), Some(now)));
        let mut canceled = item();
        canceled.canceled = 3;
        assert_eq!(
            plan_shipment(&canceled, &scope("0000012345"), now),
            Err(ShipRejection::FullyCanceled)
        );
    }

    #[test]
    fn waybills_are_plain_codes() {
        assert!(Waybill::new("0000033011", "6012-3456").is_ok());
        assert!(Waybill::new("", "1").is_err());
        assert!(Waybill::new("0000033011", "12 34").is_err());
        assert!(Waybill::new("0000033011", &"9".repeat(31)).is_err());
    }

    #[test]
    fn statuses_carry_ssgs_codes_and_names() {
        assert_eq!(ShippingStatus::Confirmed.code(), "22");
        assert_eq!(ShippingStatus::Confirmed.name(), "피킹완료");
        assert_eq!(ShippingStatus::Released.as_str(), "released");
    }

    #[test]
    fn a_released_item_is_delivered_from_the_next_day_once() {
        let mine = scope("0000012345");
        let mut item = item();
        assert_eq!(
            plan_delivery(&item, Some(&mine), at("2026-12-01 10:00:00")),
            Err(ShipRejection::NotReleased)
        );
        item.shipped = 2;
        item.shipped_at = Some(at("2026-12-01 23:59:59"));
        assert_eq!(
            plan_delivery(&item, None, at("2026-12-01 23:59:59")),
            Err(ShipRejection::DeliveredOnReleaseDay),
            "not on the KST day of release"
        );
        assert_eq!(
            plan_delivery(&item, Some(&scope("0000023456")), at("2026-12-02 00:00:00")),
            Err(ShipRejection::NotYourItem)
        );
        let delivered = plan_delivery(&item, Some(&mine), at("2026-12-02 00:00:00")).unwrap();
        item.delivered_at = Some(delivered);
        assert_eq!(item.shipping_status(), ShippingStatus::Delivered);
        assert_eq!(
            (item.shipping_status().code(), item.shipping_status().name()),
            ("51", "배송완료")
        );
        assert_eq!(
            plan_delivery(&item, None, at("2026-12-03 09:00:00")),
            Err(ShipRejection::AlreadyDelivered)
        );
        assert!(matches!(
            plan_release(&item, &mine, Release::OneStep, at("2026-12-03 09:00:00")),
            Err(ShipRejection::AlreadyShipped)
        ));
    }
}
