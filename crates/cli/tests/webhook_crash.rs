//! A node killed with SIGKILL in the middle of a webhook delivery loses nothing: started
//! again on the same database, it takes the endpoint over once the dead node's lease ran
//! out and delivers every event, in order — the interrupted one at least once. On SQLite
//! and on PostgreSQL, with the real binary.

mod support;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Running, add_vendor, create_token, issue_key, ssg_claims};

/// A receiver on loopback, in a thread of its own: keeps each delivery's body, answers
/// 204 after `delay`.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Value>>>,
    in_flight: Arc<AtomicUsize>,
    delay: Arc<Mutex<Duration>>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let got: Arc<Mutex<Vec<Value>>> = Arc::default();
        let in_flight: Arc<AtomicUsize> = Arc::default();
        let delay: Arc<Mutex<Duration>> = Arc::default();
        let state = (Arc::clone(&got), Arc::clone(&in_flight), Arc::clone(&delay));
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = axum::Router::new().route(
                    "/hook",
                    axum::routing::post(move |body: axum::body::Bytes| {
                        let (got, in_flight, delay) = state.clone();
                        async move {
                            in_flight.fetch_add(1, Ordering::SeqCst);
                            let wait = *delay.lock().unwrap();
                            tokio::time::sleep(wait).await;
                            got.lock()
                                .unwrap()
                                .push(serde_json::from_slice(&body).unwrap());
                            in_flight.fetch_sub(1, Ordering::SeqCst);
                            axum::http::StatusCode::NO_CONTENT
                        }
                    }),
                );
                axum::serve(listener, app).await.unwrap();
            });
        });
        Receiver {
            url,
            got,
            in_flight,
            delay,
        }
    }
}

fn server(database: &str) -> Running {
    Running::start(
        ssg_claims(database)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("SSG_CLAIMS_WEBHOOKS_ALLOW_INSECURE_TARGETS", "true")
            .env("SSG_CLAIMS_WEBHOOKS_RETRY_SCHEDULE", "1,1,1"),
    )
}

fn kill_mid_delivery_and_recover(database: &str) {
    add_vendor(database, "0000012345", "(주)한빛유통");
    let key = issue_key(database, "0000012345");
    let storefront = create_token(database, "storefront");
    let receiver = Receiver::start();
    *receiver.delay.lock().unwrap() = Duration::from_secs(4);
    let http = reqwest::blocking::Client::new();

    let mut first = server(database);
    let made: Value = http
        .post(format!("{}/v1/webhooks", first.base))
        .bearer_auth(&key)
        .json(&json!({"url": receiver.url}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let start = made["cursor"].as_str().unwrap().to_owned();
    for n in 0..4 {
        let placed = http
            .post(format!("{}/v1/orders", first.base))
            .bearer_auth(&storefront)
            .json(
                &json!({"ordNo": format!("SIGKILL-{n}"), "ordpeNm": "홍길동",
                          "customerId": "c-1001", "ordRcpMediaCd": "30",
                          "ordRcpDts": "2026-11-20 09:50:17",
                          "items": [{"ordItemSeq": 1, "itemId": "1000028463390",
                                     "itemNm": "우유", "qty": 1, "unitPrice": 4500,
                                     "splVenId": "0000012345"}]}),
            )
            .send()
            .unwrap();
        assert_eq!(placed.status(), 201);
    }
    let waiting = Instant::now();
    while receiver.in_flight.load(Ordering::SeqCst) == 0 {
        assert!(
            waiting.elapsed() < Duration::from_secs(10),
            "no delivery began"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    first.server.0.kill().unwrap(); // SIGKILL, mid-delivery.
    first.server.0.wait().unwrap();
    *receiver.delay.lock().unwrap() = Duration::ZERO;

    let second = server(database);
    let mut expected = Vec::new();
    let mut cursor = start;
    loop {
        let page: Value = http
            .get(format!(
                "{}/v1/events?limit=1000&after={cursor}",
                second.base
            ))
            .bearer_auth(&key)
            .send()
            .unwrap()
            .json()
            .unwrap();
        expected.extend(page["events"].as_array().unwrap().iter().cloned());
        cursor = page["nextCursor"].as_str().unwrap().to_owned();
        if page["hasMore"] == false {
            break;
        }
    }
    assert_eq!(expected.len(), 4);
    // The dead node's lease (15 s) runs out, then the new node delivers.
    let deadline = Instant::now() + Duration::from_secs(60);
    let accepted = loop {
        let mut seen = BTreeSet::new();
        let accepted: Vec<Value> = receiver
            .got
            .lock()
            .unwrap()
            .iter()
            .filter(|event| seen.insert(event["id"].as_str().unwrap().to_owned()))
            .cloned()
            .collect();
        if accepted.len() >= expected.len() || Instant::now() > deadline {
            break accepted;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(accepted, expected, "every event, in order, after the kill");
    eprintln!(
        "{} deliveries received for {} events",
        receiver.got.lock().unwrap().len(),
        expected.len()
    );
}

#[test]
fn a_node_killed_mid_delivery_loses_no_event_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    kill_mid_delivery_and_recover(db.to_str().unwrap());
}

#[test]
fn a_node_killed_mid_delivery_loses_no_event_on_postgres() {
    support::on_postgres(
        "the webhook crash test on PostgreSQL",
        kill_mid_delivery_and_recover,
    );
}
