//! The claims domain of `ssg-claims`.
//!
//! Everything here is plain data and pure functions: identifiers and code tables as newtypes
//! that cannot hold invalid values, KST dates and the inquiry period rules, orders, the
//! cancellation and shipping rules, cost lines and claim numbers.
//!
//! Invariant: this crate knows nothing of HTTP, SQL, XML, JSON or async. It never reads a
//! clock, a file or a random source; the current time and every sequence number are passed
//! in. Its functions cannot fail for outside reasons, only because an input breaks a rule.

pub mod cancel;
pub mod clock;
#[macro_use]
pub mod codes;
pub mod events;
pub mod ids;
pub mod inquiry;
pub mod nosell;
pub mod order;
pub mod requests;
pub mod returns;
pub mod shipping;
pub mod text;
pub mod time;
pub mod vendors;
pub mod webhooks;

mod invalid;

pub use cancel::{
    Actor, CancelCommand, CancelRejection, Claim, ClaimLine, ClaimPlan, ItemState, ItemStatus,
    OrderState, PlannedLine, discount_share, plan_cancellation,
};
pub use clock::{ClockAnchor, ClockBackwards, ClockMove, MAX_ADVANCE_DAYS, Moved, parse_advance};
pub use codes::{DelayReason, Fault, MediaCode, NoSellReason, ReasonCode};
pub use events::{
    EventType, NewEvent, Subject, claim_events, event_id, item_event, order_events, pickup_events,
    request_events,
};
pub use ids::{
    AgentId, ClaimNo, CustomerId, ItemSeq, OrderNo, Quantity, VendorId, Won, claim_number,
};
pub use inquiry::{
    CancelRow, CancelRowRef, CostLine, CostLineRef, InquiryQuery, ItemSeqs, OriginalOrder, RowId,
    RowKey, RowSink, Scope,
};
pub use invalid::InvalidValue;
pub use nosell::{
    Delay, DelayRefusal, EXECUTION_HOUR, MAX_DELAY_DAYS, NoSell, NoSellStatus, executes_at,
    plan_delay, plan_no_sell, plan_no_sell_withdrawal,
};
pub use order::{NewOrder, NewOrderItem, Recipient, ShippingFee};
pub use requests::{
    CancelPreview, CancelRequest, LineStatus, PendingLine, RequestId, RequestLine, RequestStatus,
    agent_may_cancel, plan_approval, plan_cancel_request, plan_withdrawal, preview_cancellation,
};
pub use returns::{
    Blame, ExchangeReason, PickupCarrier, PickupClaim, PickupCommand, PickupConfirmation,
    PickupDate, PickupFees, PickupKind, PickupLine, PickupListing, PickupLookup, PickupPlan,
    PickupQuery, PickupReason, PickupRefusal, PickupRejection, PickupRequestLine, PickupStatus,
    PlannedPickup, RefusalReason, Replacement, ReplacementStatus, ReturnReason, ShippingDivision,
    auto_completes_at, completed_units, plan_pickup, plan_pickup_complete, plan_pickup_confirm,
    plan_pickup_on, plan_pickup_refusal, plan_pickup_withdrawal, replacement_state, returnable,
};
pub use shipping::{
    ConfirmPlan, DeliveredBy, DeliveredQuery, ExchangeOf, Lookup, Release, SHIPPING_SEQ,
    ShipRejection, ShipmentPlan, ShippingItem, ShippingNo, ShippingStatus, Waybill, WaybillPlan,
    plan_confirm, plan_delivery, plan_release, plan_shipment, plan_waybill,
};
pub use text::{Text, TextRule, is_disguising};
pub use time::{DateError, KstDate, KstDateTime, Period, PeriodError};
pub use webhooks::{
    AfterAttempt, Answer, DeliveryAttempt, EndpointStatus, RetrySchedule, Target, Webhook,
    WebhookId, WebhookSecret,
};
