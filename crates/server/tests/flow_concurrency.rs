//! 32 clients at once, over HTTP, driving SSG's cancellation flow on the same few items:
//! confirmations, cancel requests, withdrawals, approvals, waybills, releases and direct
//! cancellations, in random order. Whatever the interleaving, afterwards every item and
//! every cancel request line must satisfy the flow's invariants, and every approval,
//! withdrawal, waybill and release a client saw succeed must be consistent with the lines'
//! final states.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use claims_server::Config;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use support::{Backend, TestApp, spawn_on};

const CLIENTS: usize = 32;
const REQUESTS_PER_CLIENT: usize = 20;

/// The hot items: (order, item, key to act as its vendor).
#[derive(Debug, Clone)]
struct Item {
    ord_no: String,
    seq: u64,
    shpp_no: u64,
    key: String,
}

/// What one client saw succeed.
#[derive(Debug, Default)]
struct Seen {
    /// (order, item) of each approval answered `00`.
    approvals: Vec<(String, u64)>,
    /// Lines withdrawn by each withdrawal answered 200.
    withdrawn_lines: usize,
    /// Shipping numbers of waybills answered `00`.
    waybills: Vec<u64>,
    /// Shipping numbers of releases answered `00` (the one-step shipment included).
    releases: Vec<u64>,
    requests_filed: usize,
    direct_claims: usize,
    refused: usize,
}

fn orders() -> Vec<Value> {
    let item = |seq: u32, vendor: &str, lower: &str, qty: u32, discount: i64| {
        json!({"ordItemSeq": seq, "itemId": format!("10000000000{seq:02}"), "itemNm": "한정판 상품",
               "qty": qty, "unitPrice": 10000, "splVenId": vendor, "lrnkSplVenId": lower,
               "splVenBdnDcAmt": discount})
    };
    let order = |no: &str, items: Vec<Value>| {
        json!({"ordNo": no, "ordpeNm": "김민준", "customerId": "c-1001", "ordRcpMediaCd": "40",
               "ordRcpDts": "2026-11-30 09:50:17",
               "shippingFees": [{"splVenId": "0000012345", "amount": 3000},
                                {"splVenId": "0000023456", "amount": 2500}],
               "items": items})
    };
    vec![
        order(
            "FLOW-1",
            vec![
                item(1, "0000012345", "", 40, 1001),
                item(2, "0000012345", "0000012346", 30, 997),
                item(3, "0000023456", "", 30, 0),
            ],
        ),
        order(
            "FLOW-2",
            vec![
                item(1, "0000012345", "", 30, 50),
                item(2, "0000023456", "", 40, 333),
            ],
        ),
    ]
}

fn ssg_code(answer: &Value) -> &str {
    answer["result"]["resultCode"].as_str().unwrap_or("?")
}

/// Accepts `00`, `30` and `31`: anything else (an internal error, say) fails the test.
fn ssg_ok(status: u16, answer: &Value, seen: &mut Seen) -> bool {
    match ssg_code(answer) {
        "00" => true,
        "30" | "31" => {
            seen.refused += 1;
            false
        }
        other => panic!("unexpected result code {other} (HTTP {status}): {answer}"),
    }
}

/// Accepts 200 and 201, and the refusals the flow's rules give.
fn platform_ok(reply: &support::Reply, seen: &mut Seen) -> bool {
    match reply.status {
        200 | 201 => true,
        409 => {
            assert!(
                matches!(
                    reply.problem(),
                    "already-shipped"
                        | "quantity-exceeds-open"
                        | "fully-canceled"
                        | "cancel-needs-service-center"
                        | "use-cancel-request"
                        | "cancel-directly"
                        | "already-requested"
                        | "nothing-pending"
                ),
                "{:?}",
                reply.body
            );
            seen.refused += 1;
            false
        }
        other => panic!("unexpected status {other}: {:?}", reply.body),
    }
}

async fn client(app: &TestApp, seed: u64, items: &[Item], filed: &Mutex<Vec<String>>) -> Seen {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut seen = Seen::default();
    for request in 0..REQUESTS_PER_CLIENT {
        let item = &items[rng.random_range(0..items.len())];
        let shipping = json!({"shppNo": item.shpp_no, "shppSeq": 1});
        // Shipping starts once the flow is under way, and races what is still coming.
        let late = request >= 10;
        let roll = rng.random_range(0..100);
        match roll {
            0..12 => {
                let (status, answer) = app
                    .ssg(
                        reqwest::Method::POST,
                        "/api/pd/1/updateOrderSubjectManage.ssg",
                        &item.key,
                        Some(json!({"requestOrderSubjectManage": shipping})),
                    )
                    .await;
                ssg_ok(status, &answer, &mut seen);
            }
            12..40 => {
                let reply = app
                    .post_json(
                        &format!("/v1/orders/{}/cancel-requests", item.ord_no),
                        &app.tokens.service,
                        json!({"items": [{"ordItemSeq": item.seq, "qty": rng.random_range(1..=2)}],
                               "clmRsnCd": "258", "agentId": format!("agent-{seed}")}),
                    )
                    .await;
                if platform_ok(&reply, &mut seen) {
                    seen.requests_filed += 1;
                    let id = reply.body["requestId"].as_str().unwrap().to_owned();
                    filed.lock().unwrap().push(id);
                }
            }
            40..50 => {
                // Mostly one of the latest requests, which is likeliest still pending.
                let id = {
                    let filed = filed.lock().unwrap();
                    let recent = filed.len().saturating_sub(3);
                    (!filed.is_empty())
                        .then(|| filed[rng.random_range(recent..filed.len())].clone())
                };
                let Some(id) = id else { continue };
                let (token, body) = if rng.random_bool(0.5) {
                    (&app.tokens.storefront, json!({"customerId": "c-1001"}))
                } else {
                    (
                        &app.tokens.service,
                        json!({"agentId": format!("agent-{seed}")}),
                    )
                };
                let reply = app
                    .post_json(&format!("/v1/cancel-requests/{id}/withdrawal"), token, body)
                    .await;
                if platform_ok(&reply, &mut seen) {
                    seen.withdrawn_lines += reply.body["lines"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|line| line["status"] == "withdrawn")
                        .count();
                }
            }
            50..66 => {
                let path = format!(
                    "/api/claim/v2/cancel/request/approve?ordNo={}&ordItemSeq={}",
                    item.ord_no, item.seq
                );
                let (status, answer) = app
                    .ssg(reqwest::Method::POST, &path, &item.key, Some(json!({})))
                    .await;
                if ssg_ok(status, &answer, &mut seen) {
                    seen.approvals.push((item.ord_no.clone(), item.seq));
                }
            }
            66..86 if late => {
                // As integrations ship: the waybill, then the release of the open units.
                let mut body = shipping.clone();
                body["wblNo"] = json!(format!("WB{seed}{request}"));
                body["delicoVenId"] = json!("0000033011");
                let (status, answer) = app
                    .ssg(
                        reqwest::Method::POST,
                        "/api/pd/1/saveWblNo.ssg",
                        &item.key,
                        Some(json!({"requestWhOutCompleteProcess": body})),
                    )
                    .await;
                if !ssg_ok(status, &answer, &mut seen) {
                    continue;
                }
                seen.waybills.push(item.shpp_no);
                // The open units as they stand now; another client may change them first.
                let order = app
                    .get(&format!("/v1/orders/{}", item.ord_no), &app.tokens.admin)
                    .await
                    .body;
                let open = order["items"][item.seq as usize - 1]["openQty"]
                    .as_u64()
                    .unwrap();
                let mut body = shipping.clone();
                body["procItemQty"] = json!(open.max(1));
                let (status, answer) = app
                    .ssg(
                        reqwest::Method::POST,
                        "/api/pd/1/saveWhOutCompleteProcess.ssg",
                        &item.key,
                        Some(json!({"requestWhOutCompleteProcess": body})),
                    )
                    .await;
                if ssg_ok(status, &answer, &mut seen) {
                    seen.releases.push(item.shpp_no);
                }
            }
            86..88 if late => {
                let reply = app
                    .post_json(
                        &format!("/v1/orders/{}/items/{}/shipment", item.ord_no, item.seq),
                        &item.key,
                        json!({}),
                    )
                    .await;
                if platform_ok(&reply, &mut seen) {
                    seen.releases.push(item.shpp_no);
                }
            }
            _ => {
                let (token, who) = if rng.random_bool(0.5) {
                    (&app.tokens.storefront, json!({"customerId": "c-1001"}))
                } else {
                    (
                        &app.tokens.service,
                        json!({"agentId": format!("agent-{seed}")}),
                    )
                };
                let mut body =
                    json!({"items": [{"ordItemSeq": item.seq, "qty": 1}], "clmRsnCd": "251"});
                body.as_object_mut()
                    .unwrap()
                    .extend(who.as_object().unwrap().clone());
                let reply = app
                    .post_json(
                        &format!("/v1/orders/{}/cancellations", item.ord_no),
                        token,
                        body,
                    )
                    .await;
                if platform_ok(&reply, &mut seen) {
                    seen.direct_claims += 1;
                }
            }
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_cancellation_flow_keeps_every_invariant_on_sqlite() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    drive(&app, &app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_cancellation_flow_keeps_every_invariant_on_postgres() {
    if let Some(app) = spawn_on(Backend::Postgres, Config::default()).await {
        drive(&app, &app).await;
    }
}

/// Two servers on one PostgreSQL database, each with its own pool, half the clients on each.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_cancellation_flow_keeps_every_invariant_on_two_nodes() {
    let Some(first) = spawn_on(Backend::Postgres, Config::default()).await else {
        return;
    };
    let second = first.another_node(Config::default()).await.unwrap();
    drive(&first, &second).await;
}

/// Places the hot orders and returns their items, each with its vendor's key.
async fn hot_items(app: &TestApp) -> Vec<Item> {
    let mut items = Vec::new();
    for body in orders() {
        let no = body["ordNo"].as_str().unwrap().to_owned();
        let placed = app
            .post_json("/v1/orders", &app.tokens.storefront, body)
            .await;
        assert_eq!(placed.status, 201, "{}", placed.body);
        for item in placed.body["items"].as_array().unwrap() {
            let key = match (item["splVenId"].as_str(), item["lrnkSplVenId"].as_str()) {
                (Some("0000012345"), Some("0000012346")) => app.keys.a1.clone(),
                (Some("0000012345"), _) => app.keys.a.clone(),
                _ => app.keys.b.clone(),
            };
            items.push(Item {
                ord_no: no.clone(),
                seq: item["ordItemSeq"].as_u64().unwrap(),
                shpp_no: item["shppNo"].as_u64().unwrap(),
                key,
            });
        }
    }
    items
}

/// Runs the clients, alternating between `app` and `other` (the same server, or a second
/// node on the same database), then checks the outcome.
async fn drive(app: &TestApp, other: &TestApp) {
    let items = hot_items(app).await;
    let filed = Arc::new(Mutex::new(Vec::new()));
    let results = tokio::time::timeout(
        Duration::from_secs(120),
        futures::future::join_all((0..CLIENTS).map(|n| {
            let node = if n % 2 == 0 { app } else { other };
            client(node, 7_000 + n as u64, &items, &filed)
        })),
    )
    .await
    .expect("the load finishes in bounded time");
    let total = |f: fn(&Seen) -> usize| results.iter().map(f).sum::<usize>();
    let approvals: Vec<&(String, u64)> = results.iter().flat_map(|s| &s.approvals).collect();
    eprintln!(
        "{} requests filed, {} approvals, {} lines withdrawn, {} waybills, {} releases, {} direct claims, {} refusals",
        total(|s| s.requests_filed),
        approvals.len(),
        total(|s| s.withdrawn_lines),
        total(|s| s.waybills.len()),
        total(|s| s.releases.len()),
        total(|s| s.direct_claims),
        total(|s| s.refused),
    );
    assert!(total(|s| s.requests_filed) > 5, "the load filed requests");
    assert!(!approvals.is_empty(), "the load approved requests");
    assert!(
        total(|s| s.withdrawn_lines) > 0,
        "the load withdrew requests"
    );
    assert!(
        total(|s| s.waybills.len()) > 0,
        "the load recorded waybills"
    );
    let (released, rejected) = check(app, &items, &results).await;
    eprintln!("{released} items released, {rejected} request lines rejected by a shipment");
    assert!(released > 0, "the load released items");
    assert!(rejected > 0, "shipments rejected pending requests");
}

/// The invariants of the flow, on the orders as they stand, and against what the clients
/// saw succeed. Returns how many items were released and how many lines rejected.
async fn check(app: &TestApp, items: &[Item], results: &[Seen]) -> (usize, usize) {
    let mut rejected_lines = 0;
    let mut approved_lines: BTreeMap<(String, u64), usize> = BTreeMap::new();
    let mut withdrawn_lines = 0;
    let mut released: HashMap<u64, bool> = HashMap::new();
    for ord_no in ["FLOW-1", "FLOW-2"] {
        let order = app
            .get(&format!("/v1/orders/{ord_no}"), &app.tokens.admin)
            .await
            .body;
        let claims = order["claims"].as_array().unwrap();
        for (index, item) in order["items"].as_array().unwrap().iter().enumerate() {
            let seq = index as u64 + 1;
            let number = |name: &str| item[name].as_u64().unwrap();
            let (ordered, canceled, shipped) =
                (number("qty"), number("canceledQty"), number("shippedQty"));
            assert!(canceled + shipped <= ordered, "{ord_no}/{seq}: {item}");
            let is_released = item["shippingStatus"] == "released";
            assert_eq!(is_released, shipped > 0);
            released.insert(number("shppNo"), is_released);
            if is_released {
                assert_eq!(
                    shipped,
                    ordered - canceled,
                    "a release takes every open unit"
                );
                assert!(
                    !item["confirmedAt"].is_null(),
                    "a released item was confirmed"
                );
            }
            let claimed: u64 = claims
                .iter()
                .flat_map(|claim| claim["lines"].as_array().unwrap())
                .filter(|line| line["orordItemSeq"] == seq)
                .map(|line| line["qty"].as_u64().unwrap())
                .sum();
            assert_eq!(claimed, canceled, "{ord_no}/{seq}: claims add up");
            let shipped_at = item["shippedAt"].as_str().map(str::to_owned);
            let mut pending = 0;
            for request in order["cancelRequests"].as_array().unwrap() {
                for line in request["lines"].as_array().unwrap() {
                    if line["ordItemSeq"] != seq {
                        continue;
                    }
                    let ended_at = line["endedAt"].as_str();
                    match line["status"].as_str().unwrap() {
                        "requested" => {
                            pending += 1;
                            assert!(
                                !is_released,
                                "{ord_no}/{seq}: a pending line on a released item"
                            );
                            assert!(ended_at.is_none());
                        }
                        "approved" => {
                            *approved_lines.entry((ord_no.to_owned(), seq)).or_default() += 1;
                            let claim_no = line["claimOrdNo"].as_str().unwrap();
                            let claim = claims
                                .iter()
                                .find(|claim| claim["ordNo"] == claim_no)
                                .unwrap_or_else(|| {
                                    panic!("claim {claim_no} of an approval exists")
                                });
                            let lines = claim["lines"].as_array().unwrap();
                            assert_eq!(lines.len(), 1);
                            assert_eq!(lines[0]["orordItemSeq"], seq);
                            assert_eq!(
                                lines[0]["qty"], line["qty"],
                                "the approval canceled what was asked"
                            );
                            assert_eq!(claim["ordCnclDts"].as_str(), ended_at);
                            if let Some(shipped_at) = &shipped_at {
                                assert!(ended_at.unwrap() <= shipped_at.as_str());
                            }
                        }
                        "withdrawn" => {
                            withdrawn_lines += 1;
                            assert!(ended_at.is_some());
                        }
                        "rejected" => {
                            rejected_lines += 1;
                            assert!(is_released, "{ord_no}/{seq}: only a shipment rejects");
                            assert_eq!(ended_at, shipped_at.as_deref(), "rejected when it shipped");
                            assert!(line["claimOrdNo"].is_null());
                        }
                        other => panic!("line status {other}"),
                    }
                }
            }
            assert!(pending <= 1, "{ord_no}/{seq}: at most one pending line");
        }
    }
    let mut acknowledged: BTreeMap<(String, u64), usize> = BTreeMap::new();
    for approval in results.iter().flat_map(|s| &s.approvals) {
        *acknowledged.entry(approval.clone()).or_default() += 1;
    }
    assert_eq!(
        acknowledged, approved_lines,
        "every acknowledged approval, and only those"
    );
    assert_eq!(
        withdrawn_lines,
        results.iter().map(|s| s.withdrawn_lines).sum::<usize>(),
        "every acknowledged withdrawal"
    );
    let mut releases: HashMap<u64, usize> = HashMap::new();
    for shpp_no in results.iter().flat_map(|s| &s.releases) {
        *releases.entry(*shpp_no).or_default() += 1;
        assert_eq!(
            released.get(shpp_no),
            Some(&true),
            "an acknowledged release stands"
        );
    }
    assert!(
        releases.values().all(|count| *count == 1),
        "an item is released once"
    );
    for shpp_no in results.iter().flat_map(|s| &s.waybills) {
        let item = items.iter().find(|item| item.shpp_no == *shpp_no).unwrap();
        let order = app
            .get(&format!("/v1/orders/{}", item.ord_no), &app.tokens.admin)
            .await
            .body;
        let stored = &order["items"][item.seq as usize - 1];
        assert!(
            !stored["wblNo"].is_null(),
            "an acknowledged waybill is recorded"
        );
    }
    let released_items = released.values().filter(|released| **released).count();
    (released_items, rejected_lines)
}
