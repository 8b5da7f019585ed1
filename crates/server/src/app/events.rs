//! Events as vendors receive them, the same for the change feed and for webhooks: each
//! event's `data` is written by the same encoders as the calls that list the same rows (a
//! return's or an exchange's pickups as they stood right after the event) —
//! the inquiry's for claims, the cancel-request list's for requests, the
//! shipping-direction list's for new items, the warehouse-out list's for a vendor's notice
//! about an item — from what the event names.

use claims_domain::{
    InquiryQuery, ItemSeq, ItemState, OrderNo, OriginalOrder, PendingLine, RequestLine, Scope,
    ShippingItem, Subject, Webhook, event_id,
};
use claims_domain::{PickupDate, PickupLookup, PickupQuery};
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

/// Writes `event` as the feed (and a webhook) carries it.
pub async fn render(
    app: &AppState,
    stored: &StoredEvent,
    out: &mut Vec<u8>,
) -> Result<(), Problem> {
    let event = &stored.event;
    let data = data(app, stored).await?;
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

/// The event's rows, as a JSON array.
async fn data(app: &AppState, stored: &StoredEvent) -> Result<Vec<u8>, Problem> {
    let event = &stored.event;
    let scope = Scope {
        vendor: event.vendor.clone(),
        lower_rank: event.lower_rank.clone(),
    };
    match &event.subject {
        Subject::Claim { oror_no, clm_no } => {
            let query = InquiryQuery::new(
                None,
                Some(OriginalOrder {
                    ord_no: oror_no.clone(),
                    item_seqs: None,
                }),
            )
            .expect("an original order is a valid inquiry");
            let rows = app
                .store
                .canceled_rows(&scope, &query, None, 10_000)
                .await?;
            let mut out = vec![b'['];
            let mut first = true;
            for row in rows
                .iter()
                .filter(|row| &row.clm_no == clm_no)
                .filter(|row| {
                    row.cost.first().and_then(|c| c.lower_rank.as_ref())
                        == event.lower_rank.as_ref()
                })
            {
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
            let record = order(app, oror_no).await?;
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
            let record = order(app, ord_no).await?;
            // As each item stood when the order was placed.
            let shipping: Vec<ShippingItem> = items
                .iter()
                .filter_map(|seq| shipping_item(&record, *seq, true))
                .collect();
            let rows: Vec<_> = shipping
                .iter()
                .map(|item| shipping_row(item, ShippingList::Directions))
                .collect();
            Ok(encode_json_rows(&rows))
        }
        Subject::Pickup {
            clm_no,
            lines,
            status,
            ..
        } => {
            // The claim's pickups of the event's vendor and lower-rank vendor, as
            // listExchangeTarget shows them now.
            let query = PickupQuery {
                by: PickupDate::Filed,
                period: None,
                kinds: Vec::new(),
                statuses: Vec::new(),
                lookup: Some(PickupLookup::Order(OrderNo::parse(
                    "ordNo",
                    clm_no.as_str(),
                )?)),
            };
            // As the pickups stood right after the event: the lines it is about took its
            // status; the others stood as the clock says.
            let mut listed = app.store.pickups(&scope, &query, 10_000).await?;
            for listing in &mut listed {
                let mut claim = listing.claim.as_of(stored.occurred_at);
                for (index, line) in listing.claim.lines.iter().enumerate() {
                    if lines.contains(&line.line_seq) {
                        claim.lines[index] = line.rewound_to(*status);
                    }
                }
                listing.claim = claim;
            }
            let rows: Vec<_> = listed
                .iter()
                .filter(|listing| &listing.claim.clm_no == clm_no)
                .filter(|listing| listing.pickup().cost.lower_rank == event.lower_rank)
                .map(pickup_row)
                .collect();
            Ok(encode_json_rows(&rows))
        }
        Subject::Replacement {
            oror_no,
            clm_no,
            lines,
        } => {
            // The replacements as listShppDirection lists them once they may ship.
            let record = order(app, oror_no).await?;
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
                        shipping.extend(replacement_shipping(&record, claim, &freed)?);
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
            let record = order(app, ord_no).await?;
            let shipping = shipping_item(&record, *item, false);
            let rows: Vec<_> = shipping
                .iter()
                .map(|item| shipping_row(item, ShippingList::WarehouseOut))
                .collect();
            Ok(encode_json_rows(&rows))
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

async fn order(app: &AppState, ord_no: &OrderNo) -> Result<OrderRecord, Problem> {
    app.store.order(ord_no).await?.ok_or_else(|| {
        Problem::internal(format!("event names order {ord_no}, which does not exist"))
    })
}
