//! Vendor isolation on random data: whatever orders, items, lower-rank vendors and
//! cancellations there are, a key reads exactly its vendor's rows (narrowed to its
//! lower-rank vendor when it has one), by period and by original order, and nothing else.
//!
//! The model and the check work on any store; with the `proptest` feature,
//! [`check_on_random_data`] runs them on random orders, each case on a fresh store.

use std::collections::BTreeMap;
use std::sync::Arc;

use claims_domain::order::rules;
use claims_domain::{
    Fault, InquiryQuery, KstDate, OrderNo, OriginalOrder, Period, Scope, Text, VendorId,
};

use super::{at, by_agent, order};
use crate::{KeyId, NewApiKey, NewVendor, SecretHash, Store};

/// Top-level vendors, and lower-rank vendors under each.
pub const TOPS: usize = 3;
pub const LOWERS: usize = 2;

fn vendor(top: usize) -> VendorId {
    VendorId::parse("v", &format!("00000{:05}", top * 10)).unwrap()
}

fn lower(top: usize, n: usize) -> VendorId {
    VendorId::parse("v", &format!("00000{:05}", top * 10 + n + 1)).unwrap()
}

/// An item of a random order: its vendor (`0..TOPS`), its lower-rank vendor (`0..LOWERS`,
/// if any), whether one of its units is canceled, and on which day of the week inquired.
#[derive(Debug, Clone)]
pub struct Item {
    pub top: usize,
    pub lower: Option<usize>,
    pub canceled: bool,
    pub day: i32,
}

/// Every scope a key can have: each vendor whole, and each of its lower-rank vendors.
fn scopes() -> Vec<Scope> {
    let mut out = Vec::new();
    for top in 0..TOPS {
        out.push(Scope {
            vendor: vendor(top),
            lower_rank: None,
        });
        for n in 0..LOWERS {
            out.push(Scope {
                vendor: vendor(top),
                lower_rank: Some(lower(top, n)),
            });
        }
    }
    out
}

fn sees(scope: &Scope, item: &Item) -> bool {
    scope.vendor == vendor(item.top)
        && match &scope.lower_rank {
            None => true,
            Some(narrowed) => item.lower.map(|n| lower(item.top, n)).as_ref() == Some(narrowed),
        }
}

/// Loads `orders` into a fresh store, then checks that every key reads exactly the rows its
/// scope allows, by period and by each original order.
pub async fn every_key_reads_exactly_its_vendors_rows(store: Arc<dyn Store>, orders: &[Vec<Item>]) {
    let now = at("2026-11-01 00:00:00");
    for top in 0..TOPS {
        let name = Text::parse("name", &format!("업체 {top}"), rules::ORDERER_NAME).unwrap();
        store
            .add_vendor(
                NewVendor {
                    id: vendor(top),
                    name: name.clone(),
                    parent: None,
                },
                now,
            )
            .await
            .unwrap();
        for n in 0..LOWERS {
            store
                .add_vendor(
                    NewVendor {
                        id: lower(top, n),
                        name: name.clone(),
                        parent: Some(vendor(top)),
                    },
                    now,
                )
                .await
                .unwrap();
        }
    }
    let scopes = scopes();
    for (n, scope) in scopes.iter().enumerate() {
        let new = NewApiKey {
            id: KeyId::from_random([n as u8; 8]),
            hash: SecretHash([n as u8; 32]),
            scope: scope.clone(),
        };
        store.add_api_key(new, now).await.unwrap();
    }

    for (o, items) in orders.iter().enumerate() {
        let ord_no = format!("ISO-{o}");
        let vendors: Vec<(String, Option<String>)> = items
            .iter()
            .map(|item| {
                (
                    vendor(item.top).to_string(),
                    item.lower.map(|n| lower(item.top, n).to_string()),
                )
            })
            .collect();
        let specs: Vec<(u32, &str, Option<&str>, u32, i64)> = vendors
            .iter()
            .enumerate()
            .map(|(i, (v, l))| (i as u32 + 1, v.as_str(), l.as_deref(), 2, 0))
            .collect();
        store
            .place_order(order(&ord_no, "2026-11-20 09:50:17", &specs, &[]), now)
            .await
            .unwrap();
        for (i, item) in items.iter().enumerate().filter(|(_, item)| item.canceled) {
            let when = KstDate::parse_compact("20261122")
                .unwrap()
                .plus_days(item.day)
                .start()
                .plus_seconds(3600 + i as i64);
            store
                .cancel(
                    &OrderNo::parse("o", &ord_no).unwrap(),
                    &by_agent(&[(i as u32 + 1, 1)], Fault::Customer),
                    when,
                )
                .await
                .unwrap();
        }
    }

    let week = InquiryQuery::by_period(
        Period::new(
            KstDate::parse_compact("20261122").unwrap(),
            KstDate::parse_compact("20261128").unwrap(),
        )
        .unwrap(),
    );
    for (n, scope) in scopes.iter().enumerate() {
        // What the model says this key sees: (order, item) pairs.
        let mut expected: BTreeMap<(String, u32), usize> = BTreeMap::new();
        for (o, items) in orders.iter().enumerate() {
            for (i, item) in items.iter().enumerate() {
                if item.canceled && sees(scope, item) {
                    *expected
                        .entry((format!("ISO-{o}"), i as u32 + 1))
                        .or_default() += 1;
                }
            }
        }
        let read = |query: InquiryQuery| {
            let store = Arc::clone(&store);
            async move {
                let (page, sink) = store
                    .inquiry_page(
                        &SecretHash([n as u8; 32]),
                        &query,
                        None,
                        10_000,
                        Box::new(Vec::<claims_domain::CancelRow>::new()),
                    )
                    .await
                    .unwrap();
                let sink: Box<dyn std::any::Any + Send> = sink;
                let rows = *sink.downcast::<Vec<claims_domain::CancelRow>>().unwrap();
                assert_eq!(page.rows, rows.len());
                let mut seen: BTreeMap<(String, u32), usize> = BTreeMap::new();
                for row in rows {
                    *seen
                        .entry((row.oror_no.to_string(), row.oror_item_seq.get()))
                        .or_default() += 1;
                }
                seen
            }
        };
        assert_eq!(read(week.clone()).await, expected, "{scope:?} by period");
        for o in 0..orders.len() {
            let ord_no = format!("ISO-{o}");
            let query = InquiryQuery::new(
                None,
                Some(OriginalOrder {
                    ord_no: OrderNo::parse("o", &ord_no).unwrap(),
                    item_seqs: None,
                }),
            )
            .unwrap();
            let of_order: BTreeMap<(String, u32), usize> = expected
                .iter()
                .filter(|((no, _), _)| *no == ord_no)
                .map(|(key, count)| (key.clone(), *count))
                .collect();
            assert_eq!(read(query).await, of_order, "{scope:?} by order {ord_no}");
        }
    }
}

/// Random orders of one to five items each.
#[cfg(feature = "proptest")]
pub fn orders() -> impl proptest::strategy::Strategy<Value = Vec<Vec<Item>>> {
    use proptest::collection::vec;
    vec(vec(item(), 1..5), 1..6)
}

#[cfg(feature = "proptest")]
fn item() -> impl proptest::strategy::Strategy<Value = Item> {
    use proptest::prelude::*;
    (
        0..TOPS,
        proptest::option::of(0..LOWERS),
        any::<bool>(),
        0i32..7,
    )
        .prop_map(|(top, lower, canceled, day)| Item {
            top,
            lower,
            canceled,
            day,
        })
}

/// Runs [`every_key_reads_exactly_its_vendors_rows`] on `cases` random sets of orders, each
/// on a fresh store from `fresh`, and panics with the smallest failing set found. When
/// `fresh` gives no store (its backend is not available), nothing runs.
#[cfg(feature = "proptest")]
pub fn check_on_random_data<F, Fut>(fresh: F, cases: u32)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<super::Fixture>>,
{
    use proptest::test_runner::{Config, TestRunner};

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the property");
    if runtime.block_on(fresh()).is_none() {
        return;
    }
    let mut runner = TestRunner::new(Config::with_cases(cases));
    let outcome = runner.run(&orders(), |orders| {
        runtime.block_on(async {
            let fixture = fresh().await.expect("a fresh store, as the first time");
            every_key_reads_exactly_its_vendors_rows(fixture.shared(), &orders).await;
        });
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("vendor isolation broke: {failure}");
    }
}
