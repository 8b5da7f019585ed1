//! Events: every change a vendor must act on — a cancellation in effect, a cancel request
//! filed, withdrawn or rejected, new items to ship — as the vendor's ordered feed tells it.
//!
//! An event names what it is about (a claim, a request's lines with the status they took, an
//! order's new items) rather than carrying rows: what it names never changes once written,
//! so its rows are read, and written on the wire, exactly as the calls that list them do.
//! One change makes one event per vendor and lower-rank vendor it concerns, so that a key
//! narrowed to a lower-rank vendor sees whole events about its own items only.

use std::collections::BTreeMap;
use std::fmt;

use crate::requests::{CancelRequest, LineStatus};
use crate::{Claim, ClaimNo, ItemSeq, NewOrder, OrderNo, RequestId, VendorId};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    /// A cancellation took effect (at once, or an approved cancel request).
    ClaimCreated,
    CancelRequestCreated,
    CancelRequestWithdrawn,
    /// Rejected because the item shipped.
    CancelRequestRejected,
    /// New items for the vendor to ship.
    OrderInstructed,
    /// The vendor registered an item as out of stock: it is canceled the next day at 17:00.
    ItemNoSellRegistered,
    /// The vendor withdrew its out-of-stock registration.
    ItemNoSellWithdrawn,
    /// The vendor sent a delay notice (출고지연).
    ItemDelayed,
    /// A return was filed (회수지시).
    ReturnCreated,
    /// A return was withdrawn before the vendor confirmed it (회수철회).
    ReturnWithdrawn,
    /// A returned pickup completed: refunded.
    ReturnCompleted,
    /// The vendor refused a returned pickup (반품거부).
    ReturnRefused,
    /// An exchange was filed.
    ExchangeCreated,
    /// An exchange was withdrawn.
    ExchangeWithdrawn,
    /// An exchange's pickup completed: its replacement may ship.
    ExchangeCompleted,
}

impl EventType {
    pub const ALL: &'static [EventType] = &[
        EventType::ClaimCreated,
        EventType::CancelRequestCreated,
        EventType::CancelRequestWithdrawn,
        EventType::CancelRequestRejected,
        EventType::OrderInstructed,
        EventType::ItemNoSellRegistered,
        EventType::ItemNoSellWithdrawn,
        EventType::ItemDelayed,
        EventType::ReturnCreated,
        EventType::ReturnWithdrawn,
        EventType::ReturnCompleted,
        EventType::ReturnRefused,
        EventType::ExchangeCreated,
        EventType::ExchangeWithdrawn,
        EventType::ExchangeCompleted,
    ];

    /// The name on the wire (and in the store).
    pub const fn name(self) -> &'static str {
        match self {
            EventType::ClaimCreated => "claim.created",
            EventType::CancelRequestCreated => "cancel_request.created",
            EventType::CancelRequestWithdrawn => "cancel_request.withdrawn",
            EventType::CancelRequestRejected => "cancel_request.rejected",
            EventType::OrderInstructed => "order.instructed",
            EventType::ItemNoSellRegistered => "item.no_sell_registered",
            EventType::ItemNoSellWithdrawn => "item.no_sell_withdrawn",
            EventType::ItemDelayed => "item.delayed",
            EventType::ReturnCreated => "return.created",
            EventType::ReturnWithdrawn => "return.withdrawn",
            EventType::ReturnCompleted => "return.completed",
            EventType::ReturnRefused => "return.refused",
            EventType::ExchangeCreated => "exchange.created",
            EventType::ExchangeWithdrawn => "exchange.withdrawn",
            EventType::ExchangeCompleted => "exchange.completed",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|kind| kind.name() == name)
    }

    /// The type of the event a request line's new status makes.
    pub fn of_line_status(status: LineStatus) -> Option<Self> {
        match status {
            LineStatus::Requested => Some(EventType::CancelRequestCreated),
            LineStatus::Withdrawn => Some(EventType::CancelRequestWithdrawn),
            LineStatus::Rejected => Some(EventType::CancelRequestRejected),
            // An approval is told as the claim it made.
            LineStatus::Approved => None,
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The claim's lines of the event's vendor (and lower-rank vendor).
    Claim { oror_no: OrderNo, clm_no: ClaimNo },
    /// These lines of a cancel request, with the status they took.
    Request {
        oror_no: OrderNo,
        request: RequestId,
        items: Vec<ItemSeq>,
        status: LineStatus,
    },
    /// These items of a new order.
    Order {
        ord_no: OrderNo,
        items: Vec<ItemSeq>,
    },
    /// An item, as it stands now: a vendor's notice about it.
    Item { ord_no: OrderNo, item: ItemSeq },
    /// A return's or an exchange's pickups of the event's vendor; `lines` took `status`.
    Pickup {
        oror_no: OrderNo,
        clm_no: ClaimNo,
        lines: Vec<ItemSeq>,
        status: crate::PickupStatus,
    },
    /// An exchange's replacements (their lines in the claim) that may now ship.
    Replacement {
        oror_no: OrderNo,
        clm_no: ClaimNo,
        lines: Vec<ItemSeq>,
    },
}

/// An event to record, for one vendor and lower-rank vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub kind: EventType,
    pub vendor: VendorId,
    /// The lower-rank vendor whose items it is about; `None` for items of the vendor itself.
    pub lower_rank: Option<VendorId>,
    pub subject: Subject,
}

/// Groups `items` by the vendor and lower-rank vendor they belong to, in that order.
fn by_owner<T>(
    items: impl IntoIterator<Item = (VendorId, Option<VendorId>, T)>,
) -> BTreeMap<(VendorId, Option<VendorId>), Vec<T>> {
    let mut groups: BTreeMap<(VendorId, Option<VendorId>), Vec<T>> = BTreeMap::new();
    for (vendor, lower_rank, item) in items {
        groups.entry((vendor, lower_rank)).or_default().push(item);
    }
    groups
}

/// The events of a claim that took effect: one per vendor and lower-rank vendor of its lines.
pub fn claim_events(claim: &Claim) -> Vec<NewEvent> {
    by_owner(
        claim
            .lines
            .iter()
            .map(|line| (line.cost.vendor.clone(), line.cost.lower_rank.clone(), ())),
    )
    .into_keys()
    .map(|(vendor, lower_rank)| NewEvent {
        kind: EventType::ClaimCreated,
        vendor,
        lower_rank,
        subject: Subject::Claim {
            oror_no: claim.oror_no.clone(),
            clm_no: claim.clm_no.clone(),
        },
    })
    .collect()
}

/// The events of request lines of `request` (for items of `order`) that took `status`: one
/// per vendor and lower-rank vendor of those items. None for an approval (its claim is the
/// event) or for items the order does not have.
pub fn request_events(
    order: &NewOrder,
    request: &CancelRequest,
    items: &[ItemSeq],
    status: LineStatus,
) -> Vec<NewEvent> {
    let Some(kind) = EventType::of_line_status(status) else {
        return Vec::new();
    };
    by_owner(items.iter().filter_map(|seq| {
        let item = order.item(*seq)?;
        Some((item.vendor.clone(), item.lower_rank.clone(), *seq))
    }))
    .into_iter()
    .map(|((vendor, lower_rank), items)| NewEvent {
        kind,
        vendor,
        lower_rank,
        subject: Subject::Request {
            oror_no: request.oror_no.clone(),
            request: request.id.clone(),
            items,
            status,
        },
    })
    .collect()
}

/// The events of a new order: its items, one event per vendor and lower-rank vendor.
pub fn order_events(order: &NewOrder) -> Vec<NewEvent> {
    by_owner(
        order
            .items()
            .iter()
            .map(|item| (item.vendor.clone(), item.lower_rank.clone(), item.seq)),
    )
    .into_iter()
    .map(|((vendor, lower_rank), items)| NewEvent {
        kind: EventType::OrderInstructed,
        vendor,
        lower_rank,
        subject: Subject::Order {
            ord_no: order.ord_no().clone(),
            items,
        },
    })
    .collect()
}

/// The event of a vendor's notice about `item` of order `ord_no` (an out-of-stock
/// registration or its withdrawal, a delay).
pub fn item_event(kind: EventType, ord_no: &OrderNo, item: &crate::ItemState) -> NewEvent {
    NewEvent {
        kind,
        vendor: item.vendor.clone(),
        lower_rank: item.lower_rank.clone(),
        subject: Subject::Item {
            ord_no: ord_no.clone(),
            item: item.seq,
        },
    }
}

/// The events of a return's or an exchange's pickups that took `status` (a change of
/// `lines`): one per vendor and lower-rank vendor of those lines; and, when an exchange's
/// pickups completed, `order.instructed` for their replacements.
pub fn pickup_events(
    claim: &crate::PickupClaim,
    lines: &[ItemSeq],
    status: crate::PickupStatus,
) -> Vec<NewEvent> {
    use crate::{PickupKind, PickupStatus};
    let kind = match (claim.kind, status) {
        (PickupKind::Return, PickupStatus::Requested) => EventType::ReturnCreated,
        (PickupKind::Return, PickupStatus::Withdrawn) => EventType::ReturnWithdrawn,
        (PickupKind::Return, PickupStatus::Completed) => EventType::ReturnCompleted,
        (PickupKind::Return, PickupStatus::Refused) => EventType::ReturnRefused,
        (PickupKind::Exchange, PickupStatus::Requested) => EventType::ExchangeCreated,
        (PickupKind::Exchange, PickupStatus::Withdrawn) => EventType::ExchangeWithdrawn,
        (PickupKind::Exchange, PickupStatus::Completed) => EventType::ExchangeCompleted,
        // A confirmation is no event: nothing changes for the vendor that made it.
        _ => return Vec::new(),
    };
    let groups = by_owner(
        claim
            .lines
            .iter()
            .filter(|line| lines.contains(&line.line_seq))
            .map(|line| (line.cost.vendor.clone(), line.cost.lower_rank.clone(), line)),
    );
    let mut events = Vec::new();
    for ((vendor, lower_rank), owned) in groups {
        events.push(NewEvent {
            kind,
            vendor: vendor.clone(),
            lower_rank: lower_rank.clone(),
            subject: Subject::Pickup {
                oror_no: claim.oror_no.clone(),
                clm_no: claim.clm_no.clone(),
                lines: owned.iter().map(|line| line.line_seq).collect(),
                status,
            },
        });
        let replacements: Vec<ItemSeq> = owned
            .iter()
            .filter_map(|line| line.replacement.as_ref().map(|r| r.line_seq))
            .collect();
        if kind == EventType::ExchangeCompleted && !replacements.is_empty() {
            events.push(NewEvent {
                kind: EventType::OrderInstructed,
                vendor,
                lower_rank,
                subject: Subject::Replacement {
                    oror_no: claim.oror_no.clone(),
                    clm_no: claim.clm_no.clone(),
                    lines: replacements,
                },
            });
        }
    }
    events
}

/// An event's id (`evt_`, its vendor and its sequence): unique, never reused, since a
/// vendor's sequence only grows.
pub fn event_id(vendor: &VendorId, sequence: u64) -> String {
    format!("evt_{vendor}_{sequence:012}")
}
