//! The flow's lists at scale: `listShppDirection` over 180 days, `listWarehouseOut` and the
//! cancel-request list, each over HTTP and as the store's own read of the same rows in this
//! process (the statement and its rows read into values, without HTTP or encoding: the
//! limit the call can approach).
//!
//! The loaded dataset has items to confirm but none confirmed and waiting, and no cancel
//! request; the first run on a store makes them through the store's own writes — for each
//! vendor in the rotation, the open items of 40 to 10 days before the dataset's end are
//! confirmed, and one unit of each of the first [`REQUESTS_PER_VENDOR`] of them is asked
//! to be canceled by an agent. A later run finds them made and reuses them.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use claims_domain::{
    Actor, AgentId, CancelCommand, Fault, ItemSeq, KstDate, OrderNo, Period, Quantity, ReasonCode,
    Scope, ShippingStatus, Text,
};
use claims_server::{Clock, SystemClock};
use claims_store::{ItemRef, Store};
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};

use crate::dataset::Plan;
use crate::http::MakeRequest;
use crate::load::Target;
use crate::measure::Measured;

/// Vendors whose lists are asked in turn.
pub const VENDORS: u32 = 8;
/// Cancel requests filed per vendor.
pub const REQUESTS_PER_VENDOR: usize = 50;
/// The lists' row maximum, as the calls apply it.
const MAX_ROWS: usize = 10_000;

/// A vendor of the rotation with its key.
#[derive(Debug, Clone)]
pub struct ListVendor {
    pub scope: Scope,
    pub key: String,
}

/// What the lists are asked for.
#[derive(Debug, Clone)]
pub struct Lists {
    pub vendors: Vec<ListVendor>,
    /// The 180 days ending on the dataset's last day.
    pub half_year: Period,
    /// The last seven days of the real calendar (requests are filed now).
    pub this_week: Period,
    /// Rows per answer on average: directions, warehouse-outs, cancel requests.
    pub rows: [f64; 3],
}

/// The rotation's vendors: spread over the dataset, none of them the lower-rank scenario's.
pub fn vendor_indexes(plan: &Plan) -> Vec<u32> {
    (0..VENDORS).map(|n| (n * 11 + 3) % plan.vendors).collect()
}

/// Makes the confirmed items and cancel requests the lists need, unless an earlier run
/// made them; reads how many rows each list has.
pub async fn prepare(target: &Target, plan: &Plan, keys: Vec<String>) -> anyhow::Result<Lists> {
    let store = target.store();
    let end = KstDate::of(plan.end);
    let half_year = Period::spanning(end.plus_days(-179), end, 180)
        .map_err(|e| anyhow::anyhow!("180 days: {e:?}"))?;
    let today = KstDate::of(SystemClock.now());
    let this_week = Period::spanning(today.plus_days(-6), today, 7)
        .map_err(|e| anyhow::anyhow!("seven days: {e:?}"))?;
    let vendors: Vec<ListVendor> = vendor_indexes(plan)
        .into_iter()
        .zip(keys)
        .map(|(index, key)| ListVendor {
            scope: Scope {
                vendor: plan.vendor_id(index),
                lower_rank: None,
            },
            key,
        })
        .collect();
    let per_day = plan.orders / plan.days.max(1) as u64;
    let (from, until) = (
        plan.orders.saturating_sub(per_day * 40),
        plan.orders.saturating_sub(per_day * 10),
    );
    let agent = Actor::Agent(AgentId::parse("agentId", "bench-agent")?);
    let mut rows = [0.0; 3];
    for vendor in &vendors {
        let confirmed = || {
            store.shipping_items(
                &vendor.scope,
                ShippingStatus::Confirmed,
                half_year,
                MAX_ROWS,
            )
        };
        let mut listed_confirmed = confirmed().await?.len();
        if listed_confirmed == 0 {
            let sql = format!(
                "SELECT ord_no, ord_item_seq FROM order_items \
                 WHERE ord_no >= 'B{from:013}' AND ord_no < 'B{until:013}' \
                 AND spl_ven_id = '{}' AND lrnk_spl_ven_id IS NULL \
                 AND shipped_qty = 0 AND canceled_qty < qty AND confirmed_at IS NULL \
                 ORDER BY ord_no, ord_item_seq",
                vendor.scope.vendor
            );
            let items = crate::run::query_pairs(target, &sql).await?;
            let now = SystemClock.now();
            for (n, (ord_no, seq)) in items.iter().enumerate() {
                let ord_no = OrderNo::parse("ordNo", ord_no)?;
                let seq = ItemSeq::new("ordItemSeq", *seq)?;
                store
                    .confirm(&ItemRef::Order(ord_no.clone(), seq), &vendor.scope, now)
                    .await?;
                if n < REQUESTS_PER_VENDOR {
                    let command = CancelCommand::new(
                        agent.clone(),
                        vec![(seq, Quantity::new("qty", 1)?)],
                        ReasonCode::OptionChange,
                        Text::default(),
                        Some(Fault::Customer),
                    )?;
                    store
                        .file_cancel_request(
                            &ord_no,
                            &command,
                            claims_server::new_request_id(),
                            now,
                        )
                        .await?;
                }
            }
            listed_confirmed = confirmed().await?.len();
        }
        let listed = [
            store
                .shipping_items(
                    &vendor.scope,
                    ShippingStatus::Instructed,
                    half_year,
                    MAX_ROWS,
                )
                .await?
                .len(),
            listed_confirmed,
            store
                .pending_cancel_lines(&vendor.scope, this_week, MAX_ROWS)
                .await?
                .len(),
        ];
        for (total, listed) in rows.iter_mut().zip(listed) {
            *total += listed as f64 / vendors.len() as f64;
        }
    }
    Ok(Lists {
        vendors,
        half_year,
        this_week,
        rows,
    })
}

/// One of the three lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Directions,
    WarehouseOut,
    CancelRequests,
}

impl List {
    pub const ALL: [List; 3] = [List::Directions, List::WarehouseOut, List::CancelRequests];

    pub fn name(self) -> &'static str {
        match self {
            List::Directions => "listShppDirection, 180 days",
            List::WarehouseOut => "listWarehouseOut, 180 days",
            List::CancelRequests => "cancel-request list, 7 days",
        }
    }

    pub fn index(self) -> usize {
        match self {
            List::Directions => 0,
            List::WarehouseOut => 1,
            List::CancelRequests => 2,
        }
    }

    /// The call, JSON, for each vendor in turn.
    pub fn requests(self, lists: &Lists) -> MakeRequest {
        let vendors = lists.vendors.clone();
        let (path, method, body) = match self {
            List::Directions | List::WarehouseOut => {
                let (path, root) = if self == List::Directions {
                    (
                        claims_server::ssg_calls::LIST_SHPP_DIRECTION,
                        "requestShppDirection",
                    )
                } else {
                    (
                        claims_server::ssg_calls::LIST_WAREHOUSE_OUT,
                        "requestWarehouseOut",
                    )
                };
                let body = format!(
                    r#"{{"{root}": {{"perdType": "01", "perdStrDts": "{}", "perdEndDts": "{}"}}}}"#,
                    lists.half_year.start().compact(),
                    lists.half_year.end().compact()
                );
                (path.to_owned(), "POST", Bytes::from(body))
            }
            List::CancelRequests => (
                format!(
                    "{}?perdStrDts={}&perdEndDts={}",
                    claims_server::ssg_calls::CANCEL_REQUESTS,
                    lists.this_week.start().compact(),
                    lists.this_week.end().compact()
                ),
                "GET",
                Bytes::new(),
            ),
        };
        Arc::new(move |n: u64| {
            let vendor = &vendors[n as usize % vendors.len()];
            crate::run::request(
                method,
                &path,
                &[
                    (AUTHORIZATION, vendor.key.clone()),
                    (CONTENT_TYPE, "application/json".into()),
                    (ACCEPT, "application/json".into()),
                ],
                body.clone(),
            )
        })
    }
}

type Read = Pin<Box<dyn Future<Output = anyhow::Result<usize>> + Send>>;

/// The store's own read of `list` for each vendor in turn, on `workers` tasks, for
/// `duration`.
pub async fn store_limit(
    store: Arc<dyn Store>,
    lists: &Lists,
    list: List,
    workers: usize,
    duration: Duration,
) -> anyhow::Result<Measured> {
    let started = Instant::now();
    let deadline = started + duration;
    let read = {
        let lists = lists.clone();
        Arc::new(move |n: usize| -> Read {
            let store = Arc::clone(&store);
            let scope = lists.vendors[n % lists.vendors.len()].scope.clone();
            let (half_year, this_week) = (lists.half_year, lists.this_week);
            Box::pin(async move {
                Ok(match list {
                    List::Directions => store
                        .shipping_items(&scope, ShippingStatus::Instructed, half_year, MAX_ROWS + 1)
                        .await?
                        .len(),
                    List::WarehouseOut => store
                        .shipping_items(&scope, ShippingStatus::Confirmed, half_year, MAX_ROWS + 1)
                        .await?
                        .len(),
                    List::CancelRequests => store
                        .pending_cancel_lines(&scope, this_week, MAX_ROWS + 1)
                        .await?
                        .len(),
                })
            })
        })
    };
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let read = Arc::clone(&read);
        tasks.push(tokio::spawn(async move {
            let mut measured = Measured::new();
            for n in 0.. {
                let now = Instant::now();
                if now > deadline {
                    break;
                }
                std::hint::black_box(read(n * workers + worker).await?);
                measured.record(now.elapsed(), 200);
            }
            Ok::<_, anyhow::Error>(measured)
        }));
    }
    crate::raw::gather(tasks, started).await
}
