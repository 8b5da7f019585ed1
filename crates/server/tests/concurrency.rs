//! Many clients at once, over HTTP, firing random cancellations and shipments at the same
//! few items. Whatever the interleaving, afterwards every item must satisfy the domain's
//! invariants and every acknowledged claim must be there, whole.

mod support;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use claims_server::Config;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use support::{Backend, TestApp, spawn_on};

const CLIENTS: usize = 40;
const REQUESTS_PER_CLIENT: usize = 25;

/// (order, item, vendor key to ship it with).
#[derive(Debug, Clone, Copy)]
enum Shipper {
    A,
    A1,
    B,
}

fn hot_orders() -> Vec<(Value, Vec<(u32, Shipper)>)> {
    let item = |seq: u32, vendor: &str, lower: &str, qty: u32, discount: i64| {
        json!({"ordItemSeq": seq, "itemId": format!("10000000000{seq:02}"), "itemNm": "한정판 상품",
               "qty": qty, "unitPrice": 10000, "splVenId": vendor, "lrnkSplVenId": lower,
               "splVenBdnDcAmt": discount})
    };
    let order = |no: &str, items: Vec<Value>| {
        json!({"ordNo": no, "ordpeNm": "김민준", "customerId": "c-1001", "ordRcpMediaCd": "40",
               "ordRcpDts": "2026-11-20 09:50:17",
               "shippingFees": [{"splVenId": "0000012345", "amount": 3000},
                                {"splVenId": "0000023456", "amount": 2500}],
               "items": items})
    };
    vec![
        (
            order(
                "HOT-1",
                vec![
                    item(1, "0000012345", "", 200, 1001),
                    item(2, "0000012345", "0000012346", 150, 997),
                    item(3, "0000023456", "", 150, 0),
                ],
            ),
            vec![(1, Shipper::A), (2, Shipper::A1), (3, Shipper::B)],
        ),
        (
            order(
                "HOT-2",
                vec![
                    item(1, "0000012345", "", 30, 50),
                    item(2, "0000023456", "", 30, 333),
                ],
            ),
            vec![(1, Shipper::A), (2, Shipper::B)],
        ),
    ]
}

/// What one client saw succeed.
#[derive(Debug, Default)]
struct Seen {
    claims: Vec<Value>,
    shipments: Vec<Value>,
    refused: usize,
}

async fn client(app: &TestApp, seed: u64, orders: &[(String, Vec<(u32, Shipper)>)]) -> Seen {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut seen = Seen::default();
    for request in 0..REQUESTS_PER_CLIENT {
        let (ord_no, items) = &orders[rng.random_range(0..orders.len())];
        // Shipments start once cancellations are under way, and race the ones still coming.
        let reply = if request >= 3 && rng.random_bool(0.02) {
            let (seq, shipper) = items[rng.random_range(0..items.len())];
            let key = match shipper {
                Shipper::A => &app.keys.a,
                Shipper::A1 => &app.keys.a1,
                Shipper::B => &app.keys.b,
            };
            app.post_json(
                &format!("/v1/orders/{ord_no}/items/{seq}/shipment"),
                key,
                json!({}),
            )
            .await
        } else {
            let mut lines: Vec<Value> = Vec::new();
            for (seq, _) in items {
                if rng.random_bool(0.35) {
                    lines.push(json!({"ordItemSeq": seq, "qty": rng.random_range(1..=3)}));
                }
            }
            if lines.is_empty() {
                let (seq, _) = items[rng.random_range(0..items.len())];
                lines.push(json!({"ordItemSeq": seq, "qty": rng.random_range(1..=3)}));
            }
            let body = if rng.random_bool(0.6) {
                json!({"items": lines, "clmRsnCd": "251", "customerId": "c-1001"})
            } else {
                let fault = if rng.random_bool(0.5) { "10" } else { "20" };
                json!({"items": lines, "clmRsnCd": "260", "agentId": format!("agent-{seed}"), "imptDivCd": fault})
            };
            let token = if body.get("customerId").is_some() {
                &app.tokens.storefront
            } else {
                &app.tokens.service
            };
            app.post_json(&format!("/v1/orders/{ord_no}/cancellations"), token, body)
                .await
        };
        match reply.status {
            201 => seen.claims.push(reply.body),
            200 => seen.shipments.push(reply.body),
            409 => {
                assert!(
                    matches!(
                        reply.problem(),
                        "already-shipped" | "quantity-exceeds-open" | "fully-canceled"
                    ),
                    "{:?}",
                    reply.body
                );
                seen.refused += 1;
            }
            other => panic!("unexpected status {other}: {:?}", reply.body),
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_cancels_and_shipments_keep_every_invariant_on_sqlite() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    hammer(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_cancels_and_shipments_keep_every_invariant_on_postgres() {
    if let Some(app) = spawn_on(Backend::Postgres, Config::default()).await {
        hammer(&app).await;
    }
}

async fn hammer(app: &TestApp) {
    let mut orders = Vec::new();
    for (body, items) in hot_orders() {
        let no = body["ordNo"].as_str().unwrap().to_owned();
        let placed = app
            .post_json("/v1/orders", &app.tokens.storefront, body)
            .await;
        assert_eq!(placed.status, 201);
        orders.push((no, items));
    }

    let results = tokio::time::timeout(
        Duration::from_secs(120),
        futures::future::join_all((0..CLIENTS).map(|n| client(app, n as u64, &orders))),
    )
    .await
    .expect("the load finishes in bounded time");
    let acknowledged: Vec<&Value> = results.iter().flat_map(|s| &s.claims).collect();
    let shipments: usize = results.iter().map(|s| s.shipments.len()).sum();
    assert!(
        acknowledged.len() > 20,
        "the load made claims: {}",
        acknowledged.len()
    );
    assert!(shipments > 0, "the load shipped something");
    let refused: usize = results.iter().map(|s| s.refused).sum();
    assert!(refused > 0, "the load ran into the limits");
    eprintln!(
        "{} claims, {shipments} shipments, {refused} refusals from {CLIENTS} clients",
        acknowledged.len()
    );

    let mut numbers = HashSet::new();
    let mut stored_claims: HashMap<String, Value> = HashMap::new();
    for (ord_no, _) in &orders {
        let order = app
            .get(&format!("/v1/orders/{ord_no}"), &app.tokens.admin)
            .await
            .body;
        // Per item: units and discount the claims returned, and the latest cancel time.
        let mut per_item: BTreeMap<u64, (u64, i64, String)> = BTreeMap::new();
        let mut shipping_refunds: BTreeMap<String, u32> = BTreeMap::new();
        for claim in order["claims"].as_array().unwrap() {
            let number = claim["ordNo"].as_str().unwrap().to_owned();
            assert!(
                numbers.insert(number.clone()),
                "claim number {number} is unique"
            );
            for line in claim["lines"].as_array().unwrap() {
                let entry = per_item
                    .entry(line["orordItemSeq"].as_u64().unwrap())
                    .or_default();
                entry.0 += line["qty"].as_u64().unwrap();
                entry.1 += line["cstInfo"][0]["splVenBdnDcAmt"].as_i64().unwrap();
                let at = claim["ordCnclDts"].as_str().unwrap().to_owned();
                if at > entry.2 {
                    entry.2 = at;
                }
                if line["cstInfo"][0]["shpmtShppcst"].as_i64().unwrap() > 0 {
                    *shipping_refunds
                        .entry(line["cstInfo"][0]["splVenId"].as_str().unwrap().to_owned())
                        .or_default() += 1;
                }
            }
            stored_claims.insert(number, claim.clone());
        }
        for item in order["items"].as_array().unwrap() {
            let seq = item["ordItemSeq"].as_u64().unwrap();
            let ordered = item["qty"].as_u64().unwrap();
            let canceled = item["canceledQty"].as_u64().unwrap();
            let shipped = item["shippedQty"].as_u64().unwrap();
            let discount = item["splVenBdnDcAmt"].as_i64().unwrap();
            let (claimed, refunded, last_cancel) = per_item.get(&seq).cloned().unwrap_or_default();
            assert!(
                canceled <= ordered,
                "{ord_no}/{seq}: canceled {canceled} > ordered {ordered}"
            );
            assert!(
                canceled + shipped <= ordered,
                "{ord_no}/{seq}: canceled and shipped overlap"
            );
            assert_eq!(
                claimed, canceled,
                "{ord_no}/{seq}: claim lines add up to the canceled units"
            );
            assert!(
                refunded <= discount,
                "{ord_no}/{seq}: discount refunded {refunded} > {discount}"
            );
            if canceled == ordered {
                assert_eq!(
                    refunded, discount,
                    "{ord_no}/{seq}: a fully canceled line returns its discount"
                );
            }
            if let Some(shipped_at) = item["shippedAt"].as_str() {
                assert!(
                    last_cancel.as_str() <= shipped_at,
                    "{ord_no}/{seq}: canceled at {last_cancel}, after shipping at {shipped_at}"
                );
            }
        }
        for (vendor, count) in shipping_refunds {
            assert_eq!(
                count, 1,
                "{ord_no}: {vendor}'s shipping fee refunded more than once"
            );
        }
    }
    // Every acknowledged claim is stored exactly as it was answered.
    for claim in &acknowledged {
        let number = claim["ordNo"].as_str().unwrap();
        assert_eq!(
            stored_claims.get(number),
            Some(*claim),
            "acknowledged claim {number}"
        );
    }
    assert_eq!(
        stored_claims.len(),
        acknowledged.len(),
        "no claim that was not acknowledged"
    );

    // The vendors' inquiry shows exactly the stored claim lines.
    for (key, vendor) in [(&app.keys.a, "0000012345"), (&app.keys.b, "0000023456")] {
        let mut expected = Vec::new();
        for claim in stored_claims.values() {
            for line in claim["lines"].as_array().unwrap() {
                if line["cstInfo"][0]["splVenId"] == vendor {
                    expected.push((
                        claim["ordNo"].as_str().unwrap().to_owned(),
                        line["ordItemSeq"].to_string(),
                        line["qty"].to_string(),
                    ));
                }
            }
        }
        let mut found = Vec::new();
        for (ord_no, _) in &orders {
            let answer = app
                .json(key, &format!(r#"{{"request": {{"orordNo": "{ord_no}"}}}}"#))
                .await
                .json();
            for row in answer["result"]["data"].as_array().unwrap() {
                found.push((
                    row["ordNo"].as_str().unwrap().to_owned(),
                    row["ordItemSeq"].as_str().unwrap().to_owned(),
                    row["cnclItemQty"].as_str().unwrap().to_owned(),
                ));
            }
        }
        expected.sort();
        found.sort();
        assert_eq!(found, expected, "{vendor}'s inquiry");
    }
}
