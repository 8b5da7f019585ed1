//! Vendor isolation on random data: whatever orders, items, lower-rank vendors and
//! cancellations there are, a key reads exactly its vendor's rows (narrowed to its
//! lower-rank vendor when it has one), by period and by original order, and nothing else.

use std::collections::BTreeMap;
use std::sync::Arc;

use claims_domain::order::rules;
use claims_domain::{
    Fault, InquiryQuery, KstDate, OrderNo, OriginalOrder, Period, Scope, Text, VendorId,
};
use claims_store::conformance::{at, by_agent, order};
use claims_store::{KeyId, NewApiKey, NewVendor, SecretHash, Store};
use claims_store_sqlite::{SqliteOptions, SqliteStore};
use proptest::prelude::*;

const TOPS: usize = 3;
const LOWERS: usize = 2;

fn vendor(top: usize) -> VendorId {
    VendorId::parse("v", &format!("00000{:05}", top * 10)).unwrap()
}

fn lower(top: usize, n: usize) -> VendorId {
    VendorId::parse("v", &format!("00000{:05}", top * 10 + n + 1)).unwrap()
}

/// An item: its vendor, its lower-rank vendor (if any), and whether it gets canceled.
#[derive(Debug, Clone)]
struct Item {
    top: usize,
    lower: Option<usize>,
    canceled: bool,
    day: i32,
}

fn item() -> impl Strategy<Value = Item> {
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

async fn check(orders: Vec<Vec<Item>>) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(dir.path().join("claims.db"), SqliteOptions::default())
            .await
            .unwrap(),
    );
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_key_reads_exactly_its_vendors_rows(
        orders in proptest::collection::vec(proptest::collection::vec(item(), 1..5), 1..6)
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(check(orders));
    }
}
