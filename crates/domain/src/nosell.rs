//! The vendor's own cancellations and delays: giving up an item it cannot ship (판매불가 /
//! 결품, an out-of-stock registration), which the service executes the next day at 17:00
//! KST, and telling the customer a release will be late (출고지연).
//!
//! A registration ends once: withdrawn by the vendor before it runs, or executed — every
//! pending cancel request line of the item approved first (the customer asked first), then
//! every unit still open canceled as the vendor's own claim — or void when nothing was left
//! to cancel. While it is in force the item cannot ship.

use crate::cancel::ItemState;
use crate::shipping::ShipRejection;
use crate::{
    DelayReason, InvalidValue, KstDate, KstDateTime, NoSellReason, ReasonCode, Scope, Text,
};

/// The hour (KST) a registration is executed, the day after it was made.
pub const EXECUTION_HOUR: i64 = 17;

/// How far ahead a delay notice may put the new release date, in days.
pub const MAX_DELAY_DAYS: i32 = 30;

/// Where an out-of-stock registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoSellStatus {
    /// In force: the item cannot ship, and is canceled at `executes_at`.
    Registered,
    /// Withdrawn by the vendor before it ran: the item is an ordinary one again.
    Withdrawn,
    /// Executed: the item's open units were canceled as the vendor's claim.
    Executed,
    /// It ran and found nothing open (customers had canceled it all).
    Void,
}

impl NoSellStatus {
    pub const ALL: &'static [NoSellStatus] = &[
        NoSellStatus::Registered,
        NoSellStatus::Withdrawn,
        NoSellStatus::Executed,
        NoSellStatus::Void,
    ];

    /// The name in the platform API (and the store).
    pub const fn name(self) -> &'static str {
        match self {
            NoSellStatus::Registered => "registered",
            NoSellStatus::Withdrawn => "withdrawn",
            NoSellStatus::Executed => "executed",
            NoSellStatus::Void => "void",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|status| status.name() == name)
    }
}

/// An out-of-stock registration (판매불가 등록).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoSell {
    pub status: NoSellStatus,
    pub reason: NoSellReason,
    /// What the vendor wrote (`shortgProcDtlc`); the claim's `clmRsnCntt`.
    pub text: Text,
    pub registered_at: KstDateTime,
    /// 17:00:00 KST of the calendar day after it was registered.
    pub executes_at: KstDateTime,
    /// When it was withdrawn or ran.
    pub ended_at: Option<KstDateTime>,
}

impl NoSell {
    /// The reason the claim that executes it carries (270 결품, 271 상품정보오류).
    pub fn claim_reason(&self) -> ReasonCode {
        self.reason.claim_reason()
    }
}

/// When a registration made at `now` is executed: 17:00:00 KST the next calendar day.
pub fn executes_at(now: KstDateTime) -> KstDateTime {
    KstDate::of(now)
        .plus_days(1)
        .start()
        .plus_seconds(EXECUTION_HOUR * 3600)
}

/// Checks that the vendor holding `scope` may register or send a notice for `item`: its own,
/// in 배송지시, 피킹완료 or 출고지연, with units open.
fn open_for_notices(item: &ItemState, scope: &Scope) -> Result<(), ShipRejection> {
    if !scope.covers(&item.vendor, item.lower_rank.as_ref()) {
        return Err(ShipRejection::NotYourItem);
    }
    let status = item.shipping_status();
    if status.is_shipped() {
        return Err(ShipRejection::NotInState { status });
    }
    if item.open() == 0 {
        return Err(ShipRejection::FullyCanceled);
    }
    Ok(())
}

/// Decides a vendor's out-of-stock registration of `item` at `now`: allowed while it is
/// instructed, confirmed or delayed with units open, and not registered already.
pub fn plan_no_sell(
    item: &ItemState,
    scope: &Scope,
    reason: NoSellReason,
    text: Text,
    now: KstDateTime,
) -> Result<NoSell, ShipRejection> {
    open_for_notices(item, scope)?;
    if item.registered_no_sell().is_some() {
        return Err(ShipRejection::AlreadyRegistered);
    }
    Ok(NoSell {
        status: NoSellStatus::Registered,
        reason,
        text,
        registered_at: now,
        executes_at: executes_at(now),
        ended_at: None,
    })
}

/// Decides withdrawing the registration of `item` at `now`: there must be one in force and
/// not due yet — from its 17:00 on, it is the customer's cancellation, whether or not it has
/// run yet.
pub fn plan_no_sell_withdrawal(
    item: &ItemState,
    scope: &Scope,
    now: KstDateTime,
) -> Result<NoSell, ShipRejection> {
    if !scope.covers(&item.vendor, item.lower_rank.as_ref()) {
        return Err(ShipRejection::NotYourItem);
    }
    let registered = item
        .registered_no_sell()
        .filter(|registered| now < registered.executes_at)
        .ok_or(ShipRejection::NotRegistered)?;
    Ok(NoSell {
        status: NoSellStatus::Withdrawn,
        ended_at: Some(now),
        ..registered.clone()
    })
}

/// A delay notice (출고지연 안내).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delay {
    pub reason: DelayReason,
    /// The new release date (`whinExpcDt`).
    pub until: KstDate,
    /// Notices sent so far (`delayNts`).
    pub notices: u32,
    /// When the latest was sent.
    pub noticed_at: KstDateTime,
}

/// Decides a delay notice for `item` at `now`: allowed while it is instructed, confirmed or
/// delayed with units open; the new date after today and at most [`MAX_DELAY_DAYS`] ahead.
/// A second notice moves the date; the same notice again (reason and date as the latest)
/// is the latest itself, unchanged — a retry or a double click tells the customer once.
pub fn plan_delay(
    item: &ItemState,
    scope: &Scope,
    reason: DelayReason,
    until: KstDate,
    now: KstDateTime,
) -> Result<Delay, DelayRefusal> {
    open_for_notices(item, scope).map_err(DelayRefusal::State)?;
    let today = KstDate::of(now);
    if until <= today || today.days_until(until) > MAX_DELAY_DAYS {
        return Err(DelayRefusal::Date(InvalidValue::new(
            "whinExpcDt",
            format!(
                "must be a day after today ({}) and at most {MAX_DELAY_DAYS} days ahead, got {}",
                today.compact(),
                until.compact()
            ),
        )));
    }
    if let Some(latest) = item
        .delay
        .as_ref()
        .filter(|latest| latest.reason == reason && latest.until == until)
    {
        return Ok(latest.clone());
    }
    Ok(Delay {
        reason,
        until,
        notices: item.delay.as_ref().map_or(0, |delay| delay.notices) + 1,
        noticed_at: now,
    })
}

/// Why a delay notice is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DelayRefusal {
    #[error(transparent)]
    State(ShipRejection),
    #[error(transparent)]
    Date(InvalidValue),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shipping::{ShippingNo, ShippingStatus};
    use crate::{ItemSeq, VendorId, Won};

    fn at(text: &str) -> KstDateTime {
        KstDateTime::parse("t", text).unwrap()
    }

    fn scope() -> Scope {
        Scope {
            vendor: VendorId::parse("v", "0000012345").unwrap(),
            lower_rank: None,
        }
    }

    fn item() -> ItemState {
        ItemState {
            seq: ItemSeq::new("s", 1).unwrap(),
            vendor: scope().vendor,
            lower_rank: None,
            ordered: 3,
            canceled: 0,
            shipped: 0,
            discount: Won::ZERO,
            refunded_discount: Won::ZERO,
            shipped_at: None,
            last_canceled_at: None,
            shpp_no: ShippingNo::new("n", 1).unwrap(),
            confirmed_at: None,
            waybill: None,
            no_sell: None,
            delay: None,
            delivered_at: None,
        }
    }

    #[test]
    fn a_registration_runs_at_five_the_next_day_and_is_made_once() {
        let now = at("2026-12-07 23:59:59");
        assert_eq!(executes_at(now), at("2026-12-08 17:00:00"));
        assert_eq!(
            executes_at(at("2026-12-08 00:00:00")),
            at("2026-12-09 17:00:00")
        );
        let mut state = item();
        let registered = plan_no_sell(
            &state,
            &scope(),
            NoSellReason::OutOfStock,
            Text::default(),
            now,
        )
        .unwrap();
        assert_eq!(registered.status, NoSellStatus::Registered);
        state.no_sell = Some(registered);
        assert_eq!(
            plan_no_sell(
                &state,
                &scope(),
                NoSellReason::OutOfStock,
                Text::default(),
                now
            ),
            Err(ShipRejection::AlreadyRegistered)
        );
        assert_eq!(
            plan_no_sell_withdrawal(&state, &scope(), at("2026-12-08 17:00:00")),
            Err(ShipRejection::NotRegistered),
            "not once it is due"
        );
        let withdrawn = plan_no_sell_withdrawal(&state, &scope(), now).unwrap();
        assert_eq!(withdrawn.status, NoSellStatus::Withdrawn);
        state.no_sell = Some(withdrawn);
        assert_eq!(
            plan_no_sell_withdrawal(&state, &scope(), now),
            Err(ShipRejection::NotRegistered)
        );
        // An ordinary item again: it may be registered anew.
        assert!(
            plan_no_sell(
                &state,
                &scope(),
                NoSellReason::WrongProductInfo,
                Text::default(),
                now
            )
            .is_ok()
        );
    }

    #[test]
    fn released_or_fully_canceled_items_take_no_notice() {
        let now = at("2026-12-07 10:00:00");
        let mut released = item();
        released.shipped = 3;
        assert_eq!(
            plan_no_sell(
                &released,
                &scope(),
                NoSellReason::OutOfStock,
                Text::default(),
                now
            ),
            Err(ShipRejection::NotInState {
                status: ShippingStatus::Released
            })
        );
        let mut canceled = item();
        canceled.canceled = 3;
        assert_eq!(
            plan_no_sell(
                &canceled,
                &scope(),
                NoSellReason::OutOfStock,
                Text::default(),
                now
            ),
            Err(ShipRejection::FullyCanceled)
        );
        let mut others = item();
        others.vendor = VendorId::parse("v", "0000023456").unwrap();
        assert_eq!(
            plan_no_sell(
                &others,
                &scope(),
                NoSellReason::OutOfStock,
                Text::default(),
                now
            ),
            Err(ShipRejection::NotYourItem)
        );
    }

    #[test]
    fn a_delay_moves_the_date_within_thirty_days_and_counts_its_notices() {
        let now = at("2026-12-07 10:00:00");
        let day = |text: &str| KstDate::parse_compact(text).unwrap();
        let mut state = item();
        let first = plan_delay(
            &state,
            &scope(),
            DelayReason::SupplyDelay,
            day("20261210"),
            now,
        )
        .unwrap();
        assert_eq!(first.notices, 1);
        state.delay = Some(first);
        assert_eq!(state.shipping_status(), ShippingStatus::Delayed);
        assert!(state.counts_as_confirmed());
        let again = plan_delay(
            &state,
            &scope(),
            DelayReason::SupplyDelay,
            day("20261210"),
            now,
        )
        .unwrap();
        assert_eq!(
            Some(&again),
            state.delay.as_ref(),
            "the same notice again changes nothing"
        );
        let second = plan_delay(
            &state,
            &scope(),
            DelayReason::MadeToOrder,
            day("20261220"),
            now,
        )
        .unwrap();
        assert_eq!((second.notices, second.until), (2, day("20261220")));
        for bad in ["20261207", "20261206", "20270107"] {
            assert!(
                matches!(
                    plan_delay(&state, &scope(), DelayReason::SupplyDelay, day(bad), now),
                    Err(DelayRefusal::Date(_))
                ),
                "{bad}"
            );
        }
        assert!(
            plan_delay(
                &state,
                &scope(),
                DelayReason::SupplyDelay,
                day("20270106"),
                now
            )
            .is_ok()
        );
    }
}
