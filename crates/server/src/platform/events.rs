//! The change feed: `GET /v1/events`, a vendor's events in its sequence, with the vendor's
//! API key. Each event's `data` is written by the same encoders as the calls that list the
//! same rows — the inquiry's for claims, the cancel-request list's for requests, the
//! shipping-direction list's for new items — from what the event names, which never changes.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use claims_domain::{
    InquiryQuery, ItemState, OrderNo, OriginalOrder, PendingLine, RequestLine, Scope, ShippingItem,
    Subject, event_id,
};
use claims_store::{OrderRecord, StoredEvent};
use claims_wire::calls::{ShippingList, encode_json_rows, pending_line_row, shipping_row};
use claims_wire::{Format, write_row};
use serde::Deserialize;

use super::problem::{Problem, ProblemKind};
use super::{Caller, Params};
use crate::AppState;

/// The query of `GET /v1/events`.
#[derive(Debug, Deserialize)]
pub(crate) struct FeedQuery {
    after: Option<String>,
    limit: Option<String>,
    wait: Option<String>,
}

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1_000;
const MAX_WAIT_SECS: u64 = 30;
/// How often a long poll looks for new events (other nodes write too, so it reads the
/// database rather than waiting on this process alone).
const POLL: Duration = Duration::from_millis(200);
/// The least time between two looks of one long poll.
const MIN_SPACING: Duration = Duration::from_millis(20);

/// The cursor after `sequence`: opaque to callers.
pub(crate) fn cursor(sequence: u64) -> String {
    format!("s{sequence}")
}

fn invalid(field: &str, detail: impl Into<String>) -> Problem {
    Problem::invalid(claims_domain::InvalidValue::new(field, detail))
}

fn parse_cursor(text: &str) -> Result<u64, Problem> {
    text.trim()
        .strip_prefix('s')
        .and_then(|digits| digits.parse::<u64>().ok())
        .ok_or_else(|| {
            invalid(
                "after",
                "is not a cursor this feed gave: pass nextCursor as it came",
            )
        })
}

pub(crate) fn number(
    field: &str,
    text: Option<&str>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, Problem> {
    match text {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                invalid(
                    field,
                    format!("must be a number from {} to {}", range.start(), range.end()),
                )
            }),
    }
}

/// The sequence a cursor of `vendor`'s feed stands after: one this feed gave, whose
/// events are still kept (410 `cursor-expired` when they are not).
pub(crate) async fn parse_after(
    app: &AppState,
    vendor: &claims_domain::VendorId,
    text: &str,
) -> Result<u64, Problem> {
    let head = app.store.event_head(vendor).await?;
    let after = parse_cursor(text)?;
    if after > head.last {
        return Err(invalid(
            "after",
            "is not a cursor this feed gave: pass nextCursor as it came",
        ));
    }
    if after < head.purged_through {
        return Err(Problem::new(
            ProblemKind::CursorExpired,
            format!(
                "events after this cursor are older than the retention ({} days) and gone: read the gap with the inquiry, then start again without `after`",
                app.config.events_retention.as_secs() / 86_400
            ),
        )
        .ko("이 커서 뒤의 이벤트는 보관 기간이 지나 삭제되었습니다. 그 사이는 조회 API로 읽고 `after` 없이 다시 시작하세요."));
    }
    Ok(after)
}

#[tracing::instrument(name = "events", skip_all, fields(vendor.id = tracing::field::Empty, events = tracing::field::Empty))]
pub(crate) async fn feed(
    State(app): State<AppState>,
    caller: Caller,
    Params(query): Params<FeedQuery>,
) -> Result<Response, Problem> {
    let scope = caller.vendor()?.clone();
    tracing::Span::current().record("vendor.id", scope.vendor.as_str());
    let limit = number(
        "limit",
        query.limit.as_deref(),
        DEFAULT_LIMIT as u64,
        1..=MAX_LIMIT as u64,
    )? as usize;
    let wait = number("wait", query.wait.as_deref(), 0, 0..=MAX_WAIT_SECS)?;
    // A long poll ends before the request's own deadline would cut it.
    let deadline = app
        .config
        .limits
        .request_timeout
        .saturating_sub(Duration::from_secs(1));
    let wait = Duration::from_secs(wait).min(deadline);
    let after = match query.after.as_deref() {
        None => app.store.event_head(&scope.vendor).await?.purged_through,
        Some(text) => parse_after(&app, &scope.vendor, text).await?,
    };
    let started = tokio::time::Instant::now();
    let mut changes = app.changes.subscribe();
    let mut events = app.store.events_after(&scope, after, limit + 1).await?;
    while events.is_empty() && started.elapsed() + POLL <= wait {
        // A write on this node wakes the poll at once; other nodes' writes are found at
        // the next poll. Looks are spaced, however busy the node is.
        let _ = tokio::time::timeout(POLL, changes.changed()).await;
        tokio::time::sleep(MIN_SPACING).await;
        events = app.store.events_after(&scope, after, limit + 1).await?;
    }
    let has_more = events.len() > limit;
    events.truncate(limit);
    let next = events.last().map_or(after, |event| event.sequence);
    tracing::Span::current().record("events", events.len());
    let mut body = Vec::with_capacity(64 + events.len() * 1_024);
    body.extend_from_slice(b"{\"events\":[");
    for (index, event) in events.iter().enumerate() {
        if index > 0 {
            body.push(b',');
        }
        render(&app, event, &mut body).await?;
    }
    body.extend_from_slice(b"],\"nextCursor\":");
    body.extend_from_slice(&serde_json::to_vec(&cursor(next)).expect("a string serializes"));
    body.extend_from_slice(if has_more {
        b",\"hasMore\":true}"
    } else {
        b",\"hasMore\":false}"
    });
    Ok((
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// Writes `event` as the feed (and a webhook) carries it.
pub(crate) async fn render(
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
            let shipping: Vec<ShippingItem> = items
                .iter()
                .filter_map(|seq| {
                    let item = record.order.item(*seq)?.clone();
                    let state = record.items.iter().find(|state| state.seq == *seq)?;
                    Some(ShippingItem {
                        ord_no: ord_no.clone(),
                        ordpe_nm: record.order.ordpe_nm().clone(),
                        received_at: record.order.received_at(),
                        recipient: record.order.recipient().clone(),
                        shipping_fee: record.order.shipping_fee(&item.vendor),
                        // As it stood when the order was placed.
                        state: ItemState::placed(&item, state.shpp_no),
                        item,
                    })
                })
                .collect();
            let rows: Vec<_> = shipping
                .iter()
                .map(|item| shipping_row(item, ShippingList::Directions))
                .collect();
            Ok(encode_json_rows(&rows))
        }
    }
}

async fn order(app: &AppState, ord_no: &OrderNo) -> Result<OrderRecord, Problem> {
    app.store.order(ord_no).await?.ok_or_else(|| {
        tracing::error!(order.no = %ord_no, "an event names an order that does not exist");
        Problem::new(ProblemKind::Internal, "an event could not be read")
    })
}
