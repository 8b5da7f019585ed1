//! The change feed: `GET /v1/events`, a vendor's events in its sequence, with the vendor's
//! API key, each written as `app::events` renders it (as webhooks carry it too). With the
//! admin token, every vendor's events (the storefront learns of vendors' notices as vendors
//! learn of orders): each vendor's in its sequence, the vendors' merged by when they
//! occurred, under a cursor that holds each vendor's place (`a` + `vendor:sequence` pairs).
//!
//! A long poll (`wait=`) waits outside the node's room for requests in flight, in a slot of
//! its own: a credential holds at most `max_waits_per_credential` of them and the node
//! `max_waiting`; a poll that finds none free answers at once, as if it had not asked to
//! wait.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::State;
use axum::http::{Extensions, StatusCode};
use axum::response::{IntoResponse, Response};
use claims_domain::{Scope, VendorId};
use claims_store::{Role, StoredEvent};
use serde::Deserialize;

use super::problem::{Problem, ProblemKind};
use super::request::{Caller, Params};
use crate::app::events::Sources;
use crate::app::limits::InFlight;
use crate::app::sandbox::{log, record};
use crate::app::state::AppState;

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
    vendor: &VendorId,
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

/// Whose events a feed reads, and from where.
enum Feed {
    /// One vendor's (or lower-rank vendor's), after a place in its sequence.
    Vendor { scope: Scope, after: u64 },
    /// Every vendor's, each after its place.
    All(BTreeMap<VendorId, u64>),
}

/// A page read from a feed: events, whether more wait, and the cursor after it.
struct Page {
    events: Vec<StoredEvent>,
    has_more: bool,
    next: String,
}

impl Feed {
    async fn read(&self, app: &AppState, limit: usize) -> Result<Page, Problem> {
        match self {
            Feed::Vendor { scope, after } => {
                let page = app.store.events_after(scope, *after, limit + 1).await?;
                let mut events = page.events;
                let has_more = events.len() > limit;
                events.truncate(limit);
                // Past the last event sent; or, when the page is not full, past everything
                // read for it (a narrowed key's cursor then skips its parent's other events
                // for good).
                let next = match events.last() {
                    Some(event) if has_more => event.sequence,
                    _ => page.through,
                };
                Ok(Page {
                    events,
                    has_more,
                    next: cursor(next),
                })
            }
            Feed::All(places) => {
                let mut read = Vec::new();
                for (vendor, after) in places {
                    let scope = Scope {
                        vendor: vendor.clone(),
                        lower_rank: None,
                    };
                    let page = app.store.events_after(&scope, *after, limit + 1).await?;
                    read.push((vendor.clone(), page));
                }
                let mut events: Vec<(usize, StoredEvent)> = read
                    .iter()
                    .enumerate()
                    .flat_map(|(index, (_, page))| {
                        page.events.iter().cloned().map(move |event| (index, event))
                    })
                    .collect();
                events.sort_by(|(a, x), (b, y)| {
                    (x.occurred_at, a, x.sequence).cmp(&(y.occurred_at, b, y.sequence))
                });
                let has_more = events.len() > limit;
                events.truncate(limit);
                let mut places = places.clone();
                for (index, (vendor, page)) in read.iter().enumerate() {
                    let sent = events.iter().filter(|(from, _)| *from == index).count();
                    let place = if sent == page.events.len() {
                        // Everything read of this vendor went out: past all it read.
                        page.through
                    } else {
                        events
                            .iter()
                            .filter(|(from, _)| *from == index)
                            .map(|(_, event)| event.sequence)
                            .max()
                            .unwrap_or(places[vendor])
                    };
                    places.insert(vendor.clone(), place);
                }
                Ok(Page {
                    events: events.into_iter().map(|(_, event)| event).collect(),
                    has_more,
                    next: all_cursor(&places),
                })
            }
        }
    }
}

/// The cursor of the every-vendor feed: each vendor's place.
fn all_cursor(places: &BTreeMap<VendorId, u64>) -> String {
    let pairs: Vec<String> = places
        .iter()
        .map(|(vendor, place)| format!("{vendor}:{place}"))
        .collect();
    format!("a{}", pairs.join(","))
}

/// Every vendor's place for the admin's feed: as the cursor says, each checked as a
/// vendor's cursor is; a vendor the cursor does not name (new since) from its start.
async fn all_places(
    app: &AppState,
    text: Option<&str>,
) -> Result<BTreeMap<VendorId, u64>, Problem> {
    let mut given = BTreeMap::new();
    if let Some(text) = text {
        let bad = || {
            invalid(
                "after",
                "is not a cursor this feed gave: pass nextCursor as it came",
            )
        };
        let pairs = text.trim().strip_prefix('a').ok_or_else(bad)?;
        for pair in pairs.split(',').filter(|pair| !pair.is_empty()) {
            let (vendor, place) = pair.split_once(':').ok_or_else(bad)?;
            let vendor = VendorId::parse("after", vendor).map_err(|_| bad())?;
            given.insert(vendor, cursor(place.parse::<u64>().map_err(|_| bad())?));
        }
    }
    let mut places = BTreeMap::new();
    for vendor in app.store.vendors().await? {
        if vendor.parent.is_some() {
            // A lower-rank vendor's events are in its parent's sequence.
            continue;
        }
        let place = match given.remove(&vendor.id) {
            Some(text) => parse_after(app, &vendor.id, &text).await?,
            None => app.store.event_head(&vendor.id).await?.purged_through,
        };
        places.insert(vendor.id, place);
    }
    if !given.is_empty() {
        return Err(invalid(
            "after",
            "names a vendor that does not exist: pass nextCursor as it came",
        ));
    }
    Ok(places)
}

#[tracing::instrument(name = "events", skip_all, fields(vendor.id = tracing::field::Empty, events = tracing::field::Empty))]
pub(crate) async fn feed(
    State(app): State<AppState>,
    extensions: Extensions,
    caller: Caller,
    Params(query): Params<FeedQuery>,
) -> Result<Response, Problem> {
    let feed = match caller.role(&[Role::Admin]) {
        Ok(_) => Feed::All(all_places(&app, query.after.as_deref()).await?),
        Err(_) => {
            let scope = caller.vendor()?.clone();
            tracing::Span::current().record("vendor.id", scope.vendor.as_str());
            let after = match query.after.as_deref() {
                None => app.store.event_head(&scope.vendor).await?.purged_through,
                Some(text) => parse_after(&app, &scope.vendor, text).await?,
            };
            Feed::Vendor { scope, after }
        }
    };
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
    let started = tokio::time::Instant::now();
    let mut changes = app.changes.subscribe();
    let mut page = feed.read(&app, limit).await?;
    // Room to wait, traded for the room in flight; none free: answer now.
    let waiting = match (&page.events[..], wait.is_zero()) {
        ([], false) => InFlight::of(&extensions).and_then(|in_flight| in_flight.wait()),
        _ => None,
    };
    let wait = if waiting.is_some() {
        wait
    } else {
        Duration::ZERO
    };
    let mut looked = tokio::time::Instant::now();
    while page.events.is_empty() && started.elapsed() + POLL <= wait {
        // A write on this node wakes the poll at once, and so does one on another node
        // where the store tells of it (PostgreSQL's NOTIFY); otherwise it is found at the
        // next poll. Looks are spaced, however busy the node is: a wake-up soon after the
        // last look waits out the rest of the spacing.
        let _ = tokio::time::timeout(POLL, changes.changed()).await;
        tokio::time::sleep_until(looked + MIN_SPACING).await;
        looked = tokio::time::Instant::now();
        page = feed.read(&app, limit).await?;
    }
    let Page {
        events,
        has_more,
        next,
    } = page;
    tracing::Span::current().record("events", events.len());
    let mut body = Vec::with_capacity(64 + events.len() * 1_024);
    body.extend_from_slice(b"{\"events\":[");
    // Everything the page's events are written from, in one store read.
    let sources = Sources::read(&app, &events).await?;
    for (index, event) in events.iter().enumerate() {
        if index > 0 {
            body.push(b',');
        }
        sources.render(event, &mut body)?;
    }
    if app.sandbox.is_some()
        && let Feed::Vendor { scope, .. } = &feed
    {
        delivered(&app, scope, &body).await;
    }
    body.extend_from_slice(b"],\"nextCursor\":");
    body.extend_from_slice(&serde_json::to_vec(&next).expect("a string serializes"));
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

/// Records, on a sandbox, the cancellations a vendor's read of the feed carried (`body`
/// holds the events so far: a JSON array still open).
async fn delivered(app: &AppState, scope: &Scope, body: &[u8]) {
    let mut events = body.to_vec();
    events.push(b']');
    let Some(start) = events.iter().position(|b| *b == b'[') else {
        return;
    };
    let Ok(read) = serde_json::from_slice::<serde_json::Value>(&events[start..]) else {
        return;
    };
    let rows = record::claim_rows(&read);
    if !rows.is_empty() {
        let delivery = record::DeliveryRecord {
            via: "feed".to_owned(),
            rows,
        };
        log::write(app, Some(scope.vendor.clone()), record::DELIVERY, &delivery).await;
    }
}
