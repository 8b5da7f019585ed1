//! Crash safety: the server is killed with SIGKILL while clients are cancelling, then
//! started again on the same database. Every acknowledged claim is there, whole and as
//! acknowledged; no claim is half-written; and requests left in doubt by the crash, retried
//! with their `Idempotency-Key`, take effect exactly once. On SQLite (write-ahead log,
//! `synchronous = FULL`) and on PostgreSQL.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Running, add_vendor, create_token, run, ssg_claims};

const ORDERS: usize = 24;
const CLIENTS: usize = 6;
const UNITS: u64 = 40;

fn order_no(n: usize) -> String {
    format!("CRASH-{n:02}")
}

fn body() -> Value {
    json!({"items": [{"ordItemSeq": 1, "qty": 1}, {"ordItemSeq": 2, "qty": 1}],
           "clmRsnCd": "252", "agentId": "agent-7", "imptDivCd": "20"})
}

/// What the clients saw before the crash.
#[derive(Default)]
struct Seen {
    /// Acknowledged claims (201 bodies), by order.
    acknowledged: BTreeMap<String, Vec<Value>>,
    /// Requests that got no answer: (order, idempotency key).
    in_doubt: Vec<(String, String)>,
}

fn setup(database: &str) -> String {
    add_vendor(database, "0000012345", "(주)한빛유통");
    let token = create_token(database, "service-center");
    let orders: Vec<Value> = (0..ORDERS)
        .map(|n| {
            json!({"ordNo": order_no(n), "ordpeNm": "홍길동", "customerId": "c-1001",
                   "ordRcpMediaCd": "10", "ordRcpDts": "2026-11-20 09:50:17",
                   "shippingFees": [{"splVenId": "0000012345", "amount": 3000}],
                   "items": [
                       {"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "유기농 우유 1L",
                        "qty": UNITS, "unitPrice": 4500, "splVenId": "0000012345",
                        "splVenBdnDcAmt": 4000},
                       {"ordItemSeq": 2, "itemId": "1000028463391", "itemNm": "햇반 210g",
                        "qty": UNITS, "unitPrice": 1500, "splVenId": "0000012345"}]})
        })
        .collect();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), Value::Array(orders).to_string()).unwrap();
    run(ssg_claims(database)
        .args(["order", "import"])
        .arg(file.path()));
    token
}

/// Clients cancel until the server dies under them; the server is killed once enough
/// claims were acknowledged.
fn cancel_until_killed(server: &mut Running, token: &str) -> Seen {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let dead = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for client_no in 0..CLIENTS {
        let (seen, acknowledged, dead) = (
            Arc::clone(&seen),
            Arc::clone(&acknowledged),
            Arc::clone(&dead),
        );
        let (base, token) = (server.base.clone(), token.to_owned());
        clients.push(std::thread::spawn(move || {
            let http = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            for round in 0..(UNITS as usize - 5) {
                for n in (client_no..ORDERS).step_by(CLIENTS) {
                    let key = format!("c{client_no}-r{round}-o{n}");
                    let sent = http
                        .post(format!("{base}/v1/orders/{}/cancellations", order_no(n)))
                        .bearer_auth(&token)
                        .header("idempotency-key", &key)
                        .json(&body())
                        .send();
                    let answer = sent.and_then(|response| {
                        let status = response.status().as_u16();
                        response.json::<Value>().map(|body| (status, body))
                    });
                    let mut seen = seen.lock().unwrap();
                    match answer {
                        Ok((201, claim)) => {
                            seen.acknowledged
                                .entry(order_no(n))
                                .or_default()
                                .push(claim);
                            acknowledged.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok((status, body)) => panic!("unexpected {status}: {body}"),
                        Err(_) => {
                            seen.in_doubt.push((order_no(n), key));
                            if dead.load(Ordering::SeqCst) {
                                return;
                            }
                        }
                    }
                }
            }
        }));
    }
    let started = Instant::now();
    while acknowledged.load(Ordering::SeqCst) < 60 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    dead.store(true, Ordering::SeqCst);
    server.server.0.kill().unwrap(); // SIGKILL: no shutdown, no flush, nothing.
    server.server.0.wait().unwrap();
    for client in clients {
        client.join().unwrap();
    }
    Arc::try_unwrap(seen)
        .ok()
        .expect("the clients are done")
        .into_inner()
        .unwrap()
}

fn crash_and_recover(database: &str) {
    let token = setup(database);
    let mut server =
        Running::start(ssg_claims(database).args(["serve", "--listen", "127.0.0.1:0"]));
    let seen = cancel_until_killed(&mut server, &token);
    let acknowledged: usize = seen.acknowledged.values().map(Vec::len).sum();
    assert!(
        acknowledged >= 60,
        "only {acknowledged} claims before the kill"
    );

    // A short request deadline: a request the crash cut off counts as abandoned soon after.
    let server = Running::start(ssg_claims(database).args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--request-timeout-secs",
        "2",
    ]));
    let http = reqwest::blocking::Client::new();
    // Requests the crash left in doubt, retried with their keys as a careful client does
    // (waiting as told while the key is still in flight): each takes effect once.
    let mut retried: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut waits = 0;
    for (ord_no, key) in &seen.in_doubt {
        let answer = loop {
            let answer = http
                .post(format!("{}/v1/orders/{ord_no}/cancellations", server.base))
                .bearer_auth(&token)
                .header("idempotency-key", key)
                .json(&body())
                .send()
                .unwrap();
            if answer.status() != 409 || waits > 200 {
                break answer;
            }
            let after: u64 = answer.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            waits += 1;
            std::thread::sleep(Duration::from_secs(after));
        };
        assert_eq!(answer.status(), 201);
        retried
            .entry(ord_no.clone())
            .or_default()
            .push(answer.json().unwrap());
    }

    let mut stored_claims = 0;
    for n in 0..ORDERS {
        let ord_no = order_no(n);
        let order: Value = http
            .get(format!("{}/v1/orders/{ord_no}", server.base))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let claims = order["claims"].as_array().unwrap();
        stored_claims += claims.len();
        // Every acknowledged (and every retried) claim is stored exactly as answered.
        for claim in seen
            .acknowledged
            .get(&ord_no)
            .into_iter()
            .chain(retried.get(&ord_no))
            .flatten()
        {
            assert!(
                claims.contains(claim),
                "{ord_no}: acknowledged claim {} is missing or differs",
                claim["ordNo"]
            );
        }
        let expected = seen.acknowledged.get(&ord_no).map_or(0, Vec::len)
            + retried.get(&ord_no).map_or(0, Vec::len);
        assert_eq!(
            claims.len(),
            expected,
            "{ord_no}: each request took effect once"
        );
        // No half-written claim: every claim has both its lines, and the items agree.
        for claim in claims {
            let lines = claim["lines"].as_array().unwrap();
            assert_eq!(lines.len(), 2, "{claim}");
            assert!(lines.iter().all(|line| line["qty"] == 1));
        }
        for item in order["items"].as_array().unwrap() {
            assert_eq!(item["canceledQty"], json!(claims.len()), "{ord_no}: {item}");
        }
    }
    // The vendor's inquiry sees every line of every claim.
    let key = issue_key_for_inquiry(database);
    let answer: Value = http
        .post(format!("{}/api/clm/cncl/ord/inquiry.ssg", server.base))
        .header("authorization", key)
        .header("content-type", "application/json")
        .body(json!({"request": {"orordNo": order_no(0)}}).to_string())
        .send()
        .unwrap()
        .json()
        .unwrap();
    let rows = answer["result"]["data"].as_array().unwrap().len();
    let of_first = seen.acknowledged.get(&order_no(0)).map_or(0, Vec::len)
        + retried.get(&order_no(0)).map_or(0, Vec::len);
    assert_eq!(rows, 2 * of_first);
    eprintln!(
        "{acknowledged} acknowledged before the kill, {} in doubt (retried, {waits} waits), \
         {stored_claims} stored",
        seen.in_doubt.len()
    );
}

fn issue_key_for_inquiry(database: &str) -> String {
    support::issue_key(database, "0000012345")
}

#[test]
fn a_killed_sqlite_server_loses_no_acknowledged_claim() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    crash_and_recover(db.to_str().unwrap());
}

#[test]
fn a_killed_postgres_node_loses_no_acknowledged_claim() {
    support::on_postgres("the crash test on PostgreSQL", crash_and_recover);
}
