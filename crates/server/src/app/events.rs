//! Events as vendors receive them, the same for the change feed and for webhooks: each
//! event's `data` is written by the same encoders as the calls that list the same rows (a
//! return's or an exchange's pickups as they stood right after the event) —
//! the inquiry's for claims, the cancel-request list's for requests, the
//! shipping-direction list's for new items, the warehouse-out list's for a vendor's notice
//! about an item — from what the event names.

use std::collections::BTreeMap;

use claims_domain::{
    CancelRow, ItemSeq, ItemState, OrderNo, PendingLine, PickupListing, RequestLine, ShippingItem,
    Subject, Webhook, event_id,
};
use claims_store::{OrderRecord, StoreError, StoredEvent, replacement_shipping};
use claims_wire::calls::{ShippingList, encode_json_rows, pending_line_row, shipping_row};
use claims_wire::pickups::pickup_row;
use claims_wire::{Format, write_row};

use super::problem::Problem;
use super::state::AppState;

/// Events read from the store at a time when looking for an endpoint's next one.
pub const BATCH: usize = 100;

/// Why an endpoint behind the retention is disabled.
pub const PURGED: &str = "events after the endpoint's cursor are older than the retention and were purged: read the gap with the inquiry, then replay from a cursor the feed still keeps";

/// Seconds since the oldest event the endpoint has not received occurred (0 when it has
/// received everything).
pub async fn lag_secs(
    app: &AppState,
    hook: &Webhook,
    now: claims_domain::KstDateTime,
) -> Result<u64, StoreError> {
    let pending = app
        .store
        .events_after(&hook.scope, hook.cursor, BATCH)
        .await?;
    Ok(pending
        .events
        .iter()
        .find(|event| hook.wants(event.event.kind))
        .map_or(0, |event| {
            (now.unix_seconds() - event.occurred_at.unix_seconds()).max(0) as u64
        }))
}

/// Writes one `event` as the feed (and a webhook) carries it.
pub async fn render(
    app: &AppState,
    stored: &StoredEvent,
    out: &mut Vec<u8>,
) -> Result<(), Problem> {
    Sources::read(app, std::slice::from_ref(stored))
        .await?
        .render(stored, out)
}

/// What a page of events is written from, read from the store at once for the whole page
/// (a few statements, however many events), so a page costs about what one event does.
#[derive(Debug)]
pub struct Sources {
    /// The orders the events name, by order number.
    orders: BTreeMap<String, OrderRecord>,
    /// The inquiry rows of the original orders the claim events name, every vendor's, in
    /// the inquiry's order.
    claim_rows: Vec<CancelRow>,
}

impl Sources {
    pub async fn read(app: &AppState, events: &[StoredEvent]) -> Result<Self, Problem> {
        let mut ord_nos = Vec::new();
        let mut claim_orders = Vec::new();
        for stored in events {
            match &stored.event.subject {
                Subject::Claim { oror_no, .. } => claim_orders.push(oror_no.clone()),
                Subject::Request { oror_no, .. }
                | Subject::Pickup { oror_no, .. }
                | Subject::Replacement { oror_no, .. } => ord_nos.push(oror_no.clone()),
                Subject::Order { ord_no, .. } | Subject::Item { ord_no, .. } => {
                    ord_nos.push(ord_no.clone());
                }
            }
        }
        claim_orders.sort();
        claim_orders.dedup();
        let read = app.store.event_sources(&ord_nos, &claim_orders).await?;
        Ok(Self {
            orders: read
                .orders
                .into_iter()
                .map(|record| (record.order.ord_no().as_str().to_owned(), record))
                .collect(),
            claim_rows: read.claim_rows,
        })
    }

    /// Writes `stored` as the feed (and a webhook) carries it.
    pub fn render(&self, stored: &StoredEvent, out: &mut Vec<u8>) -> Result<(), Problem> {
        let event = &stored.event;
        let data = self.data(stored)?;
        let head = serde_json::json!({
            "id": event_id(&event.vendor, stored.sequence),
            "sequence": stored.sequence,
            "type": event.kind.name(),
            "occurredAt": stored.occurred_at.to_wire(),
            "splVenId": event.vendor.as_str(),
            "lrnkSplVenId": event.lower_rank.as_ref().map_or("", |v| v.as_str()),
        });
        let head = serde_json::to_vec(&head).expect("an event's head serializes");
        // The head without its closing brace, then the data as its encoder wrote it.
        out.extend_from_slice(&head[..head.len() - 1]);
        out.extend_from_slice(b",\"data\":");
        out.extend_from_slice(&data);
        out.push(b'}');
        Ok(())
    }

    fn order(&self, ord_no: &OrderNo) -> Result<&OrderRecord, Problem> {
        self.orders.get(ord_no.as_str()).ok_or_else(|| {
            Problem::internal(format!("event names order {ord_no}, which does not exist"))
        })
    }

    /// The event's rows, as a JSON array.
    fn data(&self, stored: &StoredEvent) -> Result<Vec<u8>, Problem> {
        let event = &stored.event;
        let vendor = &event.vendor;
        match &event.subject {
            Subject::Claim { oror_no, clm_no } => {
                // The claim's rows as the vendor's (or its lower-rank vendor's) inquiry by
                // original order shows them.
                let mut out = vec![b'['];
                let mut first = true;
                for row in self.claim_rows.iter().filter(|row| {
                    &row.oror_no == oror_no
                        && &row.clm_no == clm_no
                        && row.cost.first().is_some_and(|cost| {
                            &cost.vendor == vendor && cost.lower_rank == event.lower_rank
                        })
                }) {
                    write_row(Format::Json, row, first, &mut out);
                    first = false;
                }
                out.push(b']');
                Ok(out)
            }
            Subject::Request {
                oror_no,
                request,
                items,
                status,
            } => {
                let record = self.order(oror_no)?;
                let Some(filed) = record.cancel_requests.iter().find(|r| &r.id == request) else {
                    return Ok(b"[]".to_vec());
                };
                let lines: Vec<PendingLine> = items
                    .iter()
                    .filter_map(|seq| {
                        let line = filed.lines.iter().find(|line| line.item_seq == *seq)?;
                        let item = record.order.item(*seq)?.clone();
                        let state = record.items.iter().find(|state| state.seq == *seq)?;
                        Some(PendingLine {
                            request: filed.id.clone(),
                            oror_no: filed.oror_no.clone(),
                            filed_at: filed.filed_at,
                            reason: filed.reason,
                            reason_text: filed.reason_text.clone(),
                            fault: filed.fault,
                            line: RequestLine {
                                status: *status,
                                ..line.clone()
                            },
                            item,
                            shpp_no: state.shpp_no,
                        })
                    })
                    .collect();
                let rows: Vec<_> = lines.iter().map(pending_line_row).collect();
                Ok(encode_json_rows(&rows))
            }
            Subject::Order { ord_no, items } => {
                let record = self.order(ord_no)?;
                // As each item stood when the order was placed.
                let shipping: Vec<ShippingItem> = items
                    .iter()
                    .filter_map(|seq| shipping_item(record, *seq, true))
                    .collect();
                let rows: Vec<_> = shipping
                    .iter()
                    .map(|item| shipping_row(item, ShippingList::Directions))
                    .collect();
                Ok(encode_json_rows(&rows))
            }
            Subject::Pickup {
                oror_no,
                clm_no,
                lines,
                status,
            } => {
                // The claim's pickups of the event's vendor and lower-rank vendor, as
                // listExchangeTarget shows them, as they stood right after the event: the
                // lines it is about took its status; the others stood as the clock says.
                let record = self.order(oror_no)?;
                let mut listed = Vec::new();
                for claim in record
                    .pickups
                    .iter()
                    .filter(|claim| &claim.clm_no == clm_no)
                {
                    let mut then = claim.as_of(stored.occurred_at);
                    for (index, line) in claim.lines.iter().enumerate() {
                        if lines.contains(&line.line_seq) {
                            then.lines[index] = line.rewound_to(*status);
                        }
                    }
                    for (index, line) in claim.lines.iter().enumerate() {
                        if &line.cost.vendor != vendor || line.cost.lower_rank != event.lower_rank {
                            continue;
                        }
                        let (Some(item), Some(original)) = (
                            record.order.item(line.item_seq),
                            record.items.iter().find(|state| state.seq == line.item_seq),
                        ) else {
                            continue;
                        };
                        listed.push(PickupListing {
                            claim: then.clone(),
                            line: index,
                            item: item.clone(),
                            original: original.clone(),
                            ordpe_nm: record.order.ordpe_nm().clone(),
                            recipient: record.order.recipient().clone(),
                        });
                    }
                }
                let rows: Vec<_> = listed.iter().map(pickup_row).collect();
                Ok(encode_json_rows(&rows))
            }
            Subject::Replacement {
                oror_no,
                clm_no,
                lines,
            } => {
                // The replacements as listShppDirection lists them once they may ship.
                let record = self.order(oror_no)?;
                let mut shipping = Vec::new();
                for claim in record.pickups.iter().filter(|c| &c.clm_no == clm_no) {
                    for line in &claim.lines {
                        let named = line
                            .replacement
                            .as_ref()
                            .is_some_and(|r| lines.contains(&r.line_seq));
                        if named {
                            // As it stood when its pickup completed and freed it to ship.
                            let freed = line.rewound_to(claims_domain::PickupStatus::Completed);
                            shipping.extend(replacement_shipping(record, claim, &freed)?);
                        }
                    }
                }
                let rows: Vec<_> = shipping
                    .iter()
                    .map(|item| shipping_row(item, ShippingList::Directions))
                    .collect();
                Ok(encode_json_rows(&rows))
            }
            Subject::Item { ord_no, item } => {
                // A vendor's notice: the item's row as listWarehouseOut shows it, as the item
                // stands when the event is read.
                let record = self.order(ord_no)?;
                let shipping = shipping_item(record, *item, false);
                let rows: Vec<_> = shipping
                    .iter()
                    .map(|item| shipping_row(item, ShippingList::WarehouseOut))
                    .collect();
                Ok(encode_json_rows(&rows))
            }
        }
    }
}

/// Item `seq` of `record` as the shipping lists show it: as placed, or as it stands now.
fn shipping_item(record: &OrderRecord, seq: ItemSeq, as_placed: bool) -> Option<ShippingItem> {
    let item = record.order.item(seq)?.clone();
    let state = record.items.iter().find(|state| state.seq == seq)?;
    Some(ShippingItem {
        ord_no: record.order.ord_no().clone(),
        ordpe_nm: record.order.ordpe_nm().clone(),
        received_at: record.order.received_at(),
        recipient: record.order.recipient().clone(),
        shipping_fee: record.order.shipping_fee(&item.vendor),
        state: if as_placed {
            ItemState::placed(&item, state.shpp_no)
        } else {
            state.clone()
        },
        item,
        exchange: None,
    })
}
