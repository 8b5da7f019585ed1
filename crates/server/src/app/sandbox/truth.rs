//! The facts a report is made from, read from the store: the sandbox's log for a vendor,
//! the vendor's cancellations over the sandbox's days, and its lines on every order the log
//! names — as they truly are, whatever the integration believes.

use std::collections::BTreeSet;

use claims_domain::{
    InquiryQuery, KstDate, KstDateTime, LineStatus, OrderNo, Period, PickupKind, PickupStatus,
    Scope, VendorId,
};
use claims_store::{OrderRecord, StoreError};

use super::super::state::AppState;
use super::record::{self, CallRecord, DeliveryRecord, StepRecord};
use super::report::{Cancellation, Facts, Line, Pending, Seen};

/// Entries and rows read at a time.
const PAGE: usize = 1_000;
/// The longest sandbox the report reads, in days.
const MAX_DAYS: i32 = 366;

/// Everything the report on `vendor` needs, as it stands now; `also` names orders to
/// read besides those the log and the cancellations name.
pub async fn facts(
    app: &AppState,
    vendor: &VendorId,
    also: &[String],
) -> Result<Facts, StoreError> {
    let now = app.clock.now();
    let seen = seen(app, Some(vendor)).await?;
    let began = seen.first().map(Seen::at).unwrap_or(now);
    let scope = Scope {
        vendor: vendor.clone(),
        lower_rank: None,
    };

    // Claims a late-committed step made: visible only from when the step ran.
    let committed: Vec<(&str, KstDateTime)> = seen
        .iter()
        .filter_map(|seen| match seen {
            Seen::Step(at, step) if step.effective_at.is_some() => {
                step.clm_no.as_deref().map(|clm| (clm, *at))
            }
            _ => None,
        })
        .collect();
    let first_day = KstDate::of(began).plus_days(-1);
    let period = Period::spanning(first_day, KstDate::of(now).max(first_day), MAX_DAYS)
        .or_else(|_| {
            Period::spanning(
                KstDate::of(now).plus_days(-(MAX_DAYS - 1)),
                KstDate::of(now),
                MAX_DAYS,
            )
        })
        .map_err(|_| StoreError::internal("the sandbox's period could not be read"))?;
    let query = InquiryQuery::by_period(period);
    let mut cancellations = Vec::new();
    let mut after = None;
    loop {
        let rows = app
            .store
            .canceled_rows(&scope, &query, after.as_ref(), PAGE)
            .await?;
        let full = rows.len() == PAGE;
        after = rows.last().map(|row| row.key());
        for row in rows {
            let clm = row.clm_no.to_string();
            let visible_at = committed
                .iter()
                .find(|(made, _)| *made == clm)
                .map_or(row.canceled_at, |(_, at)| *at);
            cancellations.push(Cancellation {
                row: (clm, row.clm_item_seq.get()),
                oror_no: row.oror_no.to_string(),
                oror_item_seq: row.oror_item_seq.get(),
                qty: row.qty.get(),
                effective_at: row.canceled_at,
                visible_at,
            });
        }
        if !full {
            break;
        }
    }

    // Every order the vendor's cancellations, the steps and the calls name.
    let mut orders: BTreeSet<String> = cancellations.iter().map(|c| c.oror_no.clone()).collect();
    orders.extend(also.iter().cloned());
    for seen in &seen {
        let named = match seen {
            Seen::Step(_, step) => step.ord_no.as_ref(),
            Seen::Call(_, call) => call.ord_no.as_ref(),
            Seen::Delivery(..) => None,
        };
        orders.extend(named.cloned());
    }
    let mut lines = Vec::new();
    let mut pending = Vec::new();
    for ord_no in orders {
        let Ok(ord_no) = OrderNo::parse("ordNo", &ord_no) else {
            continue;
        };
        if let Some(record) = app.store.order(&ord_no).await? {
            lines_of(&record, vendor, &mut lines, &mut pending);
        }
    }
    Ok(Facts {
        vendor: vendor.to_string(),
        now: Some(now),
        began: Some(began),
        cancellations,
        lines,
        pending,
        seen,
    })
}

/// What the log holds for `vendor` (and the steps), or everything, in order.
pub async fn seen(app: &AppState, vendor: Option<&VendorId>) -> Result<Vec<Seen>, StoreError> {
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let page = app.store.sandbox_log(vendor, after, PAGE).await?;
        let full = page.len() == PAGE;
        for (seq, entry) in page {
            after = seq;
            let read = match entry.kind.as_str() {
                record::CALL => serde_json::from_str::<CallRecord>(&entry.body)
                    .map(|call| Seen::Call(entry.at, call)),
                record::DELIVERY => serde_json::from_str::<DeliveryRecord>(&entry.body)
                    .map(|delivery| Seen::Delivery(entry.at, delivery)),
                record::STEP => serde_json::from_str::<StepRecord>(&entry.body)
                    .map(|step| Seen::Step(entry.at, step)),
                _ => continue,
            };
            match read {
                Ok(one) => seen.push(one),
                Err(error) => {
                    tracing::warn!(%error, seq, kind = %entry.kind, "a sandbox entry could not be read; left out of the report");
                }
            }
        }
        if !full {
            break;
        }
    }
    Ok(seen)
}

/// The vendor's lines of an order, and its cancel request lines still pending.
fn lines_of(
    record: &OrderRecord,
    vendor: &VendorId,
    lines: &mut Vec<Line>,
    pending: &mut Vec<Pending>,
) {
    let ord_no = record.order.ord_no().to_string();
    for item in record.items.iter().filter(|item| &item.vendor == vendor) {
        let seq = item.seq.get();
        let of_item = |kind: PickupKind| -> u32 {
            record
                .pickups
                .iter()
                .filter(|pickup| pickup.kind == kind)
                .flat_map(|pickup| &pickup.lines)
                .filter(|line| line.item_seq == item.seq && line.status == PickupStatus::Completed)
                .map(|line| line.qty.get())
                .sum()
        };
        let returned = of_item(PickupKind::Return);
        let exchanged = of_item(PickupKind::Exchange);
        let status = if item.canceled >= item.ordered {
            "canceled"
        } else if item.shipped > 0 && returned > 0 && returned >= item.shipped {
            "returned"
        } else if item.shipped > 0 && exchanged > 0 {
            "exchanged"
        } else if item.shipped > 0 {
            "released"
        } else if item.delay.is_some() {
            "delayed"
        } else if item.confirmed_at.is_some() {
            "confirmed"
        } else {
            "instructed"
        };
        lines.push(Line {
            oror_no: ord_no.clone(),
            item_seq: seq,
            shpp_no: item.shpp_no.get(),
            ordered: item.ordered,
            canceled: item.canceled,
            shipped: item.shipped,
            returned,
            status,
        });
    }
    for request in &record.cancel_requests {
        for line in &request.lines {
            let ours = record
                .items
                .iter()
                .any(|item| item.seq == line.item_seq && &item.vendor == vendor);
            if ours && line.status == LineStatus::Requested {
                pending.push(Pending {
                    oror_no: ord_no.clone(),
                    item_seq: line.item_seq.get(),
                    filed_at: request.filed_at,
                });
            }
        }
    }
}
