//! The change feed over HTTP: every change a vendor must act on, in its sequence, each
//! event's rows exactly as the calls that list them write them; narrowed keys, paging, long
//! polls, expired cursors; and, across two nodes with concurrent writers, a reader walking
//! the feed the whole time sees every committed event exactly once, in order.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use claims_domain::KstDate;
use claims_server::{Clock, Config};
use serde_json::{Value, json};
use support::{Backend, TestApp, spawn, spawn_on};

async fn feed(app: &TestApp, key: &str, query: &str) -> (u16, Value) {
    let reply = app.get(&format!("/v1/events{query}"), key).await;
    (reply.status, reply.body)
}

/// Every event `key` can see, following the cursor from the start.
async fn all_events(app: &TestApp, key: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut query = "?limit=3".to_owned();
    loop {
        let (status, page) = feed(app, key, &query).await;
        assert_eq!(status, 200, "{page}");
        events.extend(page["events"].as_array().unwrap().iter().cloned());
        if page["hasMore"] == false {
            return events;
        }
        query = format!("?limit=3&after={}", page["nextCursor"].as_str().unwrap());
    }
}

fn kinds(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|event| {
            (
                event["type"].as_str().unwrap().to_owned(),
                event["lrnkSplVenId"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_feed_tells_every_change_in_sequence_with_the_calls_own_rows() {
    let app = spawn(Config::default()).await;
    let a = app.keys.a.clone();

    // The seed: A-ORDER-1 (items of A, A/A1, A/A2), A-ORDER-2 and their claims.
    let events = all_events(&app, &a).await;
    let sequences: Vec<u64> = events
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");
    assert!(events.iter().all(|e| e["splVenId"] == "0000012345"));
    let ids: BTreeSet<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), events.len(), "ids are unique");
    let placed = kinds(&events[..3]);
    assert_eq!(
        placed,
        [
            ("order.instructed".into(), "".into()),
            ("order.instructed".into(), "0000012346".into()),
            ("order.instructed".into(), "0000012347".into()),
        ],
        "one event per lower-rank vendor of the new order"
    );

    // A claim's event carries the inquiry's own rows for it, byte for byte.
    let claim = events
        .iter()
        .find(|e| e["type"] == "claim.created" && e["lrnkSplVenId"] == "")
        .unwrap();
    let clm_no = claim["data"][0]["ordNo"].as_str().unwrap();
    let inquiry = app.period(&a, "20261121", "20261127").await;
    let inquired: Value = serde_json::from_str(&inquiry.body).unwrap();
    let rows: Vec<&Value> = inquired["result"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["ordNo"] == clm_no && row["cstInfo"][0]["lrnkSplVenId"] == "")
        .collect();
    assert!(!rows.is_empty());
    let data: Vec<&Value> = claim["data"].as_array().unwrap().iter().collect();
    assert_eq!(data, rows, "the event's rows are the inquiry's");

    // The shipping list's rows for new items.
    let instructed = &events[0]["data"][0];
    assert_eq!(instructed["shppProgStatDtlCd"], 11);
    assert_eq!(instructed["ordQty"], instructed["dircItemQty"], "as placed");

    // A narrowed key sees only events about its lower-rank vendor's items.
    let narrowed = all_events(&app, &app.keys.a1).await;
    assert!(!narrowed.is_empty());
    assert!(
        narrowed.iter().all(|e| e["lrnkSplVenId"] == "0000012346"),
        "{narrowed:?}"
    );
    // Another vendor sees none of A's.
    let b = all_events(&app, &app.keys.b).await;
    assert!(b.iter().all(|e| e["splVenId"] == "0000023456"));

    // The cancel-request flow, told as it happens.
    let (_, head) = feed(&app, &a, "?limit=1000").await;
    let cursor = head["nextCursor"].as_str().unwrap().to_owned();
    let now = app.clock.now().to_wire();
    let placed = app
        .post_json(
            "/v1/orders",
            &app.tokens.storefront,
            json!({"ordNo": "FEED-1", "ordpeNm": "홍길동", "customerId": "c-1001", "ordRcpMediaCd": "30",
                   "ordRcpDts": now,
                   "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "우유",
                              "qty": 3, "unitPrice": 4500, "splVenId": "0000012345"},
                             {"ordItemSeq": 2, "itemId": "1000028463391", "itemNm": "빵",
                              "qty": 1, "unitPrice": 2500, "splVenId": "0000012345"}]}),
        )
        .await;
    assert_eq!(placed.status, 201);
    let shpp = |seq: usize| placed.body["items"][seq]["shppNo"].as_u64().unwrap();
    for seq in [0, 1] {
        let (_, answer) = app
            .ssg(
                reqwest::Method::POST,
                "/api/pd/1/updateOrderSubjectManage.ssg",
                &a,
                Some(json!({"requestOrderSubjectManage": {"shppNo": shpp(seq), "shppSeq": 1}})),
            )
            .await;
        assert_eq!(answer["result"]["resultCode"], "00");
    }
    let file = |seq: u32| {
        app.post_json(
            "/v1/orders/FEED-1/cancel-requests",
            &app.tokens.service,
            json!({"items": [{"ordItemSeq": seq, "qty": 1}], "clmRsnCd": "258", "agentId": "agent-7"}),
        )
    };
    let first = file(1).await;
    let second = file(2).await;
    assert_eq!((first.status, second.status), (201, 201));
    let withdrawn = app
        .post_json(
            &format!(
                "/v1/cancel-requests/{}/withdrawal",
                first.body["requestId"].as_str().unwrap()
            ),
            &app.tokens.service,
            json!({"agentId": "agent-7"}),
        )
        .await;
    assert_eq!(withdrawn.status, 200);
    let (_, answer) = app
        .ssg(
            reqwest::Method::POST,
            "/api/pd/1/saveWblNo.ssg",
            &a,
            Some(
                json!({"requestWhOutCompleteProcess": {"shppNo": shpp(1), "shppSeq": 1,
                        "wblNo": "6012345678901", "delicoVenId": "0000033011"}}),
            ),
        )
        .await;
    assert_eq!(answer["result"]["resultCode"], "00");
    let again = file(1).await;
    assert_eq!(again.status, 201);
    let (_, answer) = app
        .ssg(
            reqwest::Method::POST,
            "/api/claim/v2/cancel/request/approve?ordNo=FEED-1&ordItemSeq=1",
            &a,
            Some(json!({})),
        )
        .await;
    assert_eq!(answer["result"]["resultCode"], "00");

    let (status, page) = feed(&app, &a, &format!("?after={cursor}")).await;
    assert_eq!(status, 200);
    let told: Vec<(String, Value)> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let status = e["data"][0]["clmProgStatCd"].clone();
            (e["type"].as_str().unwrap().to_owned(), status)
        })
        .collect();
    assert_eq!(
        told,
        [
            ("order.instructed".into(), Value::Null),
            ("cancel_request.created".into(), json!("10")),
            ("cancel_request.created".into(), json!("10")),
            ("cancel_request.withdrawn".into(), json!("30")),
            ("cancel_request.rejected".into(), json!("40")),
            ("cancel_request.created".into(), json!("10")),
            ("claim.created".into(), Value::Null),
        ]
    );
    assert_eq!(page["hasMore"], false);
    let last = page["nextCursor"].as_str().unwrap().to_owned();

    // Nothing new: an empty page, the same cursor.
    let (_, empty) = feed(&app, &a, &format!("?after={last}")).await;
    assert_eq!(
        (
            empty["events"].as_array().unwrap().len(),
            &empty["nextCursor"]
        ),
        (0, &json!(last))
    );

    // A long poll answers as soon as an event commits.
    let waiting = {
        let (app_base, client, key, last) = (
            app.base.clone(),
            app.client.clone(),
            a.clone(),
            last.clone(),
        );
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let page: Value = client
                .get(format!("{app_base}/v1/events?after={last}&wait=10"))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (started.elapsed(), page)
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let canceled = app
        .post_json(
            "/v1/orders/FEED-1/cancellations",
            &app.tokens.service,
            json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "agentId": "agent-7"}),
        )
        .await;
    assert_eq!(
        canceled.status, 409,
        "item 1 is confirmed: {}",
        canceled.body
    );
    app.post_json(
        "/v1/orders",
        &app.tokens.storefront,
        json!({"ordNo": "FEED-2", "ordpeNm": "홍길동", "customerId": "c-1001", "ordRcpMediaCd": "30",
               "ordRcpDts": now,
               "items": [{"ordItemSeq": 1, "itemId": "1", "itemNm": "우유", "qty": 1,
                          "unitPrice": 4500, "splVenId": "0000012345"}]}),
    )
    .await;
    let (waited, page) = waiting.await.unwrap();
    assert_eq!(page["events"][0]["type"], "order.instructed", "{page}");
    assert!(
        waited < Duration::from_secs(8),
        "answered on the event, not at the end: {waited:?}"
    );

    // Bad cursors and limits are named; the admin token reads every vendor's feed, the
    // other platform tokens none.
    for (query, field) in [
        ("?after=zzz", "after"),
        ("?after=s99999", "after"),
        ("?limit=0", "limit"),
        ("?wait=31", "wait"),
    ] {
        let (status, problem) = feed(&app, &a, query).await;
        assert_eq!((status, &problem["field"]), (400, &json!(field)), "{query}");
    }
    let (status, all) = feed(&app, &app.tokens.admin, "?limit=1000").await;
    assert_eq!(status, 200, "{all}");
    assert!(all["nextCursor"].as_str().unwrap().starts_with('a'));
    for token in [&app.tokens.storefront, &app.tokens.service] {
        let (status, _) = feed(&app, token, "").await;
        assert_eq!(status, 403);
    }

    // Retention: once events are purged, a cursor before them is expired (410).
    let later = app.clock.now().plus_seconds(86_400);
    let purged = app.store.purge_events(later, 10_000).await.unwrap();
    assert!(purged > 0);
    let (status, problem) = feed(&app, &a, &format!("?after={cursor}")).await;
    assert_eq!(status, 410, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("cursor-expired")
    );
    let (status, restart) = feed(&app, &a, "").await;
    assert_eq!(
        (status, restart["events"].as_array().unwrap().len()),
        (200, 0)
    );
    let _ = KstDate::of(later);
}

/// Many writers on two nodes sharing one PostgreSQL database commit events for one vendor
/// in every interleaving; a reader walks the feed the whole time. It must see every event
/// exactly once, in sequence order: a cursor never passes an event that commits later with
/// a smaller sequence.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reader_walking_the_feed_misses_nothing_while_two_nodes_write() {
    let Some(first) = spawn_on(Backend::Postgres, Config::default()).await else {
        return;
    };
    let second = first.another_node(Config::default()).await.unwrap();
    let key = first.keys.a.clone();
    let (_, head) = feed(&first, &key, "?limit=1000").await;
    let start = head["nextCursor"].as_str().unwrap().to_owned();

    let writing = Arc::new(AtomicBool::new(true));
    let reader = {
        let (base, client, key, writing) = (
            first.base.clone(),
            first.client.clone(),
            key.clone(),
            writing.clone(),
        );
        tokio::spawn(async move {
            let mut seen: Vec<u64> = Vec::new();
            let mut cursor = start;
            loop {
                let done = !writing.load(Ordering::SeqCst);
                let page: Value = client
                    .get(format!("{base}/v1/events?after={cursor}&limit=50"))
                    .bearer_auth(&key)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                seen.extend(
                    page["events"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|event| event["sequence"].as_u64().unwrap()),
                );
                cursor = page["nextCursor"].as_str().unwrap().to_owned();
                if done && page["hasMore"] == false {
                    return seen;
                }
            }
        })
    };
    let writers = (0..32).map(|n| {
        let node = if n % 2 == 0 { &first } else { &second };
        async move {
            for round in 0..10 {
                let no = format!("GAP-{n}-{round}");
                let placed = node
                    .post_json(
                        "/v1/orders",
                        &node.tokens.storefront,
                        json!({"ordNo": no, "ordpeNm": "홍길동", "customerId": "c-1001",
                               "ordRcpMediaCd": "30", "ordRcpDts": "2026-11-30 10:00:00",
                               "items": [{"ordItemSeq": 1, "itemId": "1", "itemNm": "우유", "qty": 2,
                                          "unitPrice": 4500, "splVenId": "0000012345"}]}),
                    )
                    .await;
                assert_eq!(placed.status, 201);
                let canceled = node
                    .post_json(
                        &format!("/v1/orders/{no}/cancellations"),
                        &node.tokens.service,
                        json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "agentId": "agent-7"}),
                    )
                    .await;
                assert_eq!(canceled.status, 201);
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(120), futures::future::join_all(writers))
        .await
        .expect("the writers finish in bounded time");
    writing.store(false, Ordering::SeqCst);
    let seen = tokio::time::timeout(Duration::from_secs(60), reader)
        .await
        .expect("the reader finishes")
        .unwrap();

    let (_, everything) = feed(
        &first,
        &key,
        &format!("?after={}&limit=1000", head["nextCursor"].as_str().unwrap()),
    )
    .await;
    let committed: Vec<u64> = everything["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(
        committed.len(),
        32 * 10 * 2,
        "an order event and a claim event per round"
    );
    assert_eq!(
        seen, committed,
        "every committed event exactly once, in order"
    );
}
