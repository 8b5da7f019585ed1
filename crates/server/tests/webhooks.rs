//! Webhooks over HTTP: endpoints managed by their vendor's key; deliveries signed so that a
//! Standard Webhooks library verifies them, in feed order, retried as scheduled, paused,
//! resumed, replayed, disabled by 410; a node killed mid-delivery loses nothing; on
//! PostgreSQL, two nodes never deliver to one endpoint at once.

mod support;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use claims_domain::RetrySchedule;
use claims_server::{Clock, Config, WebhookConfig};
use serde_json::{Value, json};
use support::{Backend, Delivery, Receiver, TestApp, spawn, spawn_on};

/// Deliveries may call the test's receiver on loopback; retries follow `schedule`.
fn config(schedule: &str) -> Config {
    Config {
        webhooks: WebhookConfig {
            allow_insecure_targets: true,
            retry_schedule: RetrySchedule::parse("schedule", schedule).unwrap(),
            ..WebhookConfig::default()
        },
        ..Config::default()
    }
}

async fn register(app: &TestApp, key: &str, body: Value) -> support::Reply {
    app.post_json("/v1/webhooks", key, body).await
}

/// Places an order with an item of vendor A, one of A's lower-rank A1 and one of B.
async fn place(app: &TestApp, ord_no: &str) {
    let now = app.clock.now().to_wire();
    let placed = app
        .post_json(
            "/v1/orders",
            &app.tokens.storefront,
            json!({"ordNo": ord_no, "ordpeNm": "홍길동", "customerId": "c-1001", "ordRcpMediaCd": "30",
                   "ordRcpDts": now,
                   "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "우유",
                              "qty": 2, "unitPrice": 4500, "splVenId": "0000012345"},
                             {"ordItemSeq": 2, "itemId": "1000028463391", "itemNm": "빵",
                              "qty": 1, "unitPrice": 2500, "splVenId": "0000012345",
                              "lrnkSplVenId": "0000012346"},
                             {"ordItemSeq": 3, "itemId": "1000028463392", "itemNm": "선풍기",
                              "qty": 1, "unitPrice": 39000, "splVenId": "0000023456"}]}),
        )
        .await;
    assert_eq!(placed.status, 201, "{}", placed.body);
}

/// Cancels one unit of item 1 of `ord_no`, as the customer.
async fn cancel(app: &TestApp, ord_no: &str) {
    let canceled = app
        .post_json(
            &format!("/v1/orders/{ord_no}/cancellations"),
            &app.tokens.storefront,
            json!({"customerId": "c-1001", "items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "258"}),
        )
        .await;
    assert_eq!(canceled.status, 201, "{}", canceled.body);
}

/// Every event `key` sees after `cursor`, from the feed.
async fn feed_after(app: &TestApp, key: &str, cursor: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut cursor = cursor.to_owned();
    loop {
        let page = app
            .get(&format!("/v1/events?limit=1000&after={cursor}"), key)
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        events.extend(page.body["events"].as_array().unwrap().iter().cloned());
        cursor = page.body["nextCursor"].as_str().unwrap().to_owned();
        if page.body["hasMore"] == false {
            return events;
        }
    }
}

/// The first accepted delivery of each event, in the order they arrived.
fn first_accepted(got: &[Delivery]) -> Vec<Value> {
    let mut seen = BTreeSet::new();
    got.iter()
        .filter(|delivery| (200..300).contains(&delivery.status))
        .filter(|delivery| seen.insert(delivery.id()))
        .map(Delivery::json)
        .collect()
}

fn sequences(events: &[Value]) -> Vec<u64> {
    events
        .iter()
        .map(|event| event["sequence"].as_u64().unwrap())
        .collect()
}

/// Checks `delivery`'s signature with the Standard Webhooks library.
fn verifies(delivery: &Delivery, secret: &str) -> bool {
    standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(&delivery.body, &delivery.headers)
        .is_ok()
}

async fn status_of(app: &TestApp, key: &str, id: &str) -> Value {
    let shown = app.get(&format!("/v1/webhooks/{id}"), key).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    shown.body
}

async fn wait_for_status(app: &TestApp, key: &str, id: &str, status: &str) -> Value {
    for _ in 0..200 {
        let shown = status_of(app, key, id).await;
        if shown["status"] == status {
            return shown;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the endpoint never became {status}: {}",
        status_of(app, key, id).await
    );
}

#[tokio::test]
async fn endpoints_are_their_vendors_alone_and_targets_are_checked() {
    let app = spawn(Config::default()).await;
    let a = app.keys.a.clone();

    let made = register(&app, &a, json!({"url": "https://hooks.example.com/ssg"})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        made.headers["location"].to_str().unwrap(),
        format!("/v1/webhooks/{id}")
    );
    assert_eq!(made.body["status"], "active");
    assert!(made.body["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(
        made.body["types"].as_array().unwrap().len(),
        claims_domain::EventType::ALL.len(),
        "every type"
    );

    let shown = status_of(&app, &a, &id).await;
    assert!(shown.get("secret").is_none(), "the secret is shown once");
    assert_eq!(shown["lag"], 0);
    let listed = app.get("/v1/webhooks", &a).await;
    assert_eq!(listed.body["webhooks"].as_array().unwrap().len(), 1);

    // Another vendor — and a key narrowed to a lower-rank vendor — finds nothing there.
    for key in [&app.keys.b, &app.keys.a1] {
        for (method, path) in [
            (reqwest::Method::GET, format!("/v1/webhooks/{id}")),
            (reqwest::Method::DELETE, format!("/v1/webhooks/{id}")),
            (reqwest::Method::POST, format!("/v1/webhooks/{id}/secret")),
            (reqwest::Method::POST, format!("/v1/webhooks/{id}/resume")),
            (
                reqwest::Method::GET,
                format!("/v1/webhooks/{id}/deliveries"),
            ),
        ] {
            let reply = app.call(method, &path, key, None).await;
            assert_eq!(reply.status, 404, "{path}: {}", reply.body);
            assert_eq!(reply.problem(), "webhook-not-found");
        }
        let listed = app.get("/v1/webhooks", key).await;
        assert_eq!(listed.body["webhooks"], json!([]));
    }
    // A narrowed key's endpoint is narrowed; its vendor's whole key sees it too.
    let narrowed = register(
        &app,
        &app.keys.a1,
        json!({"url": "https://hooks.example.com/a1", "types": ["claim.created"]}),
    )
    .await;
    assert_eq!(narrowed.status, 201, "{}", narrowed.body);
    assert_eq!(narrowed.body["lrnkSplVenId"], "0000012346");
    assert_eq!(narrowed.body["types"], json!(["claim.created"]));
    let listed = app.get("/v1/webhooks", &a).await;
    assert_eq!(listed.body["webhooks"].as_array().unwrap().len(), 2);

    // Platform tokens manage no endpoints.
    let refused = app.get("/v1/webhooks", &app.tokens.admin).await;
    assert_eq!(refused.status, 403);

    // Targets: https to a public host only.
    for (url, says) in [
        ("http://hooks.example.com/ssg", "https://"),
        ("https://127.0.0.1:8443/hook", "loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://localhost/hook", "public host"),
        ("not a url", "not a URL"),
    ] {
        let refused = register(&app, &a, json!({ "url": url })).await;
        assert_eq!(refused.status, 400, "{url}: {}", refused.body);
        let detail = refused.body["detail"].as_str().unwrap();
        assert!(
            detail.contains("url") && detail.contains(says),
            "{url}: {detail}"
        );
    }
    let refused = register(
        &app,
        &a,
        json!({"url": "https://hooks.example.com/x", "types": ["claim.made"]}),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("types[0]")
    );

    // At most 20 endpoints per vendor.
    for n in 2..20 {
        let made = register(
            &app,
            &a,
            json!({"url": format!("https://hooks.example.com/{n}")}),
        )
        .await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    let refused = register(&app, &a, json!({"url": "https://hooks.example.com/21"})).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.problem(), "too-many-webhooks");

    // Removed: gone.
    let removed = app
        .call(
            reqwest::Method::DELETE,
            &format!("/v1/webhooks/{id}"),
            &a,
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let gone = app.get(&format!("/v1/webhooks/{id}"), &a).await;
    assert_eq!(gone.status, 404);
}

/// A receiver that fails its first deliveries with 503 and then accepts gets every event of
/// its vendor, in feed order, none of another vendor's, each signed.
async fn a_failing_receiver_gets_every_event_in_order(backend: Backend) {
    let Some(app) = spawn_on(backend, config("1,1,1,1,1,1")).await else {
        return;
    };
    let receiver = Receiver::start().await;
    receiver.answer(|n| if n < 3 { (503, Some(1)) } else { (200, None) });
    let a = app.keys.a.clone();
    let made = register(&app, &a, json!({"url": receiver.url})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    let secret = made.body["secret"].as_str().unwrap().to_owned();
    let start = made.body["cursor"].as_str().unwrap().to_owned();
    let _dispatch = app.dispatch();

    for n in 0..4 {
        place(&app, &format!("HOOK-{n}")).await;
    }
    cancel(&app, "HOOK-1").await;
    cancel(&app, "HOOK-3").await;
    let expected = feed_after(&app, &a, &start).await;
    assert_eq!(expected.len(), 10, "8 orders' events and 2 claims'");

    let got = receiver
        .wait_for(Duration::from_secs(60), |got| {
            first_accepted(got).len() >= expected.len()
        })
        .await;
    let accepted = first_accepted(&got);
    assert_eq!(
        sequences(&accepted),
        sequences(&expected),
        "every event, in feed order"
    );
    assert_eq!(
        accepted, expected,
        "each body is the event as the feed tells it"
    );
    assert!(
        got.iter().all(|d| d.json()["splVenId"] == "0000012345"),
        "none of another vendor's"
    );
    let failed: Vec<&Delivery> = got.iter().filter(|d| d.status == 503).collect();
    assert_eq!(failed.len(), 3);
    assert!(
        failed.iter().all(|d| d.id() == failed[0].id()),
        "the same event is retried until it is accepted"
    );
    for delivery in &got {
        assert!(verifies(delivery, &secret), "the signature verifies");
        assert_eq!(delivery.id(), delivery.json()["id"]);
        assert_eq!(delivery.headers["content-type"], "application/json");
    }
    assert!(!verifies(&got[0], "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));

    // The delivery log, newest first: the three failures were attempts 1 to 3.
    let log = app
        .get(&format!("/v1/webhooks/{id}/deliveries?limit=1000"), &a)
        .await;
    let attempts = log.body["deliveries"].as_array().unwrap();
    let first: Vec<&Value> = attempts
        .iter()
        .rev()
        .filter(|a| a["eventId"] == expected[0]["id"])
        .collect();
    assert_eq!(
        first
            .iter()
            .map(|a| (
                a["attempt"].as_u64().unwrap(),
                a["status"].as_u64().unwrap()
            ))
            .collect::<Vec<_>>(),
        [(1, 503), (2, 503), (3, 503), (4, 200)]
    );
    assert!(
        first[0]["error"].as_str().unwrap().contains("503"),
        "{}",
        first[0]
    );
    let shown = status_of(&app, &a, &id).await;
    assert_eq!(shown["status"], "active");
    assert_eq!(shown["lag"], 0);
    assert_eq!(
        shown["cursor"],
        format!("s{}", expected.last().unwrap()["sequence"])
    );
}

#[tokio::test]
async fn a_failing_receiver_gets_every_event_in_order_on_sqlite() {
    a_failing_receiver_gets_every_event_in_order(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_failing_receiver_gets_every_event_in_order_on_postgres() {
    a_failing_receiver_gets_every_event_in_order(Backend::Postgres).await;
}

/// After its last retry an endpoint is paused; its events wait, and when it is resumed it
/// receives the backlog in order. A replay sends every event after a cursor again.
async fn a_paused_endpoint_resumed_receives_the_backlog(backend: Backend) {
    let Some(app) = spawn_on(backend, config("1")).await else {
        return;
    };
    let receiver = Receiver::start().await;
    receiver.answer(|_| (500, None));
    let a = app.keys.a.clone();
    let made = register(
        &app,
        &a,
        json!({"url": receiver.url, "types": ["order.instructed", "claim.created"]}),
    )
    .await;
    let id = made.body["id"].as_str().unwrap().to_owned();
    let start = made.body["cursor"].as_str().unwrap().to_owned();
    let _dispatch = app.dispatch();

    place(&app, "PAUSE-1").await;
    let paused = wait_for_status(&app, &a, &id, "paused").await;
    assert_eq!(paused["failures"], 2, "the attempt and its one retry");
    assert!(paused["lastError"].as_str().unwrap().contains("500"));
    assert_eq!(receiver.deliveries().len(), 2);

    // Changes while paused wait in the feed.
    place(&app, "PAUSE-2").await;
    cancel(&app, "PAUSE-2").await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(
        receiver.deliveries().len(),
        2,
        "nothing goes to a paused endpoint"
    );

    receiver.answer(|_| (200, None));
    let resumed = app
        .post_json(&format!("/v1/webhooks/{id}/resume"), &a, json!({}))
        .await;
    assert_eq!(resumed.status, 200, "{}", resumed.body);
    assert_eq!(resumed.body["status"], "active");
    let expected = feed_after(&app, &a, &start).await;
    assert_eq!(expected.len(), 5);
    let got = receiver
        .wait_for(Duration::from_secs(30), |got| {
            first_accepted(got).len() >= expected.len()
        })
        .await;
    assert_eq!(first_accepted(&got), expected, "the backlog, in order");

    // Replay from the start: every event again, in order.
    let before = got.len();
    let replayed = app
        .post_json(
            &format!("/v1/webhooks/{id}/replay"),
            &a,
            json!({ "after": start }),
        )
        .await;
    assert_eq!(replayed.status, 200, "{}", replayed.body);
    let got = receiver
        .wait_for(Duration::from_secs(30), |got| {
            got.len() >= before + expected.len()
        })
        .await;
    let again: Vec<Value> = got[before..].iter().map(Delivery::json).collect();
    assert_eq!(again, expected);

    let bad = app
        .post_json(
            &format!("/v1/webhooks/{id}/replay"),
            &a,
            json!({"after": "s999999"}),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
}

#[tokio::test]
async fn a_paused_endpoint_resumed_receives_the_backlog_on_sqlite() {
    a_paused_endpoint_resumed_receives_the_backlog(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_paused_endpoint_resumed_receives_the_backlog_on_postgres() {
    a_paused_endpoint_resumed_receives_the_backlog(Backend::Postgres).await;
}

/// The node delivering dies mid-delivery; once its lease runs out, a restarted node
/// delivers everything, in order — the interrupted event at least once.
async fn a_node_killed_mid_delivery_loses_nothing(backend: Backend) {
    let Some(app) = spawn_on(backend, config("1,1,1")).await else {
        return;
    };
    let receiver = Receiver::start().await;
    *receiver.delay.lock().unwrap() = Duration::from_secs(3);
    let a = app.keys.a.clone();
    let made = register(&app, &a, json!({"url": receiver.url})).await;
    let start = made.body["cursor"].as_str().unwrap().to_owned();
    let first_node = app.dispatch();
    for n in 0..3 {
        place(&app, &format!("KILL-{n}")).await;
    }
    for _ in 0..100 {
        if receiver.in_flight.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(receiver.in_flight.load(Ordering::SeqCst), 1, "mid-delivery");
    drop(first_node);
    *receiver.delay.lock().unwrap() = Duration::ZERO;

    let _second_node = app.dispatch();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The dead node's lease holds the endpoint until it runs out (15 s): move time on.
    app.clock.advance(16);
    let expected = feed_after(&app, &a, &start).await;
    let got = receiver
        .wait_for(Duration::from_secs(30), |got| {
            first_accepted(got).len() >= expected.len()
        })
        .await;
    assert_eq!(first_accepted(&got), expected, "nothing lost, in order");
}

#[tokio::test]
async fn a_node_killed_mid_delivery_loses_nothing_on_sqlite() {
    a_node_killed_mid_delivery_loses_nothing(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_node_killed_mid_delivery_loses_nothing_on_postgres() {
    a_node_killed_mid_delivery_loses_nothing(Backend::Postgres).await;
}

#[tokio::test]
async fn two_nodes_never_deliver_to_one_endpoint_at_once() {
    let Some(first) = spawn_on(Backend::Postgres, config("1,1,1")).await else {
        return;
    };
    let second = first
        .another_node(config("1,1,1"))
        .await
        .expect("PostgreSQL");
    let a = first.keys.a.clone();
    let mut receivers = Vec::new();
    for _ in 0..3 {
        let receiver = Receiver::start().await;
        *receiver.delay.lock().unwrap() = Duration::from_millis(30);
        let made = register(&first, &a, json!({"url": receiver.url})).await;
        receivers.push((receiver, made.body["cursor"].as_str().unwrap().to_owned()));
    }
    let _one = first.dispatch();
    let _two = second.dispatch();
    for n in 0..6 {
        let node = if n % 2 == 0 { &first } else { &second };
        place(node, &format!("NODES-{n}")).await;
    }
    for (receiver, start) in &receivers {
        let expected = feed_after(&first, &a, start).await;
        let got = receiver
            .wait_for(Duration::from_secs(60), |got| {
                first_accepted(got).len() >= expected.len()
            })
            .await;
        assert_eq!(first_accepted(&got), expected);
        assert_eq!(
            receiver.most_in_flight.load(Ordering::SeqCst),
            1,
            "one delivery at a time per endpoint"
        );
    }
}

#[tokio::test]
async fn gone_disables_and_a_rotated_secret_signs_beside_the_new_one() {
    let app = spawn(config("1,1,1")).await;
    let receiver = Receiver::start().await;
    let a = app.keys.a.clone();
    let made = register(&app, &a, json!({"url": receiver.url})).await;
    let id = made.body["id"].as_str().unwrap().to_owned();
    let start = made.body["cursor"].as_str().unwrap().to_owned();
    let old = made.body["secret"].as_str().unwrap().to_owned();
    let rotated = app
        .post_json(&format!("/v1/webhooks/{id}/secret"), &a, json!({}))
        .await;
    assert_eq!(rotated.status, 201, "{}", rotated.body);
    let new = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(rotated.body["previousSecretExpiresAt"].is_string());
    let _dispatch = app.dispatch();

    place(&app, "ROTATE-1").await;
    let got = receiver
        .wait_for(Duration::from_secs(20), |got| got.len() >= 2)
        .await;
    for delivery in &got {
        let signatures = delivery.headers["webhook-signature"].to_str().unwrap();
        assert_eq!(signatures.split(' ').count(), 2, "{signatures}");
        assert!(verifies(delivery, &new), "the new secret verifies");
        assert!(verifies(delivery, &old), "so does the old one, for a day");
    }

    // A day later only the new secret signs.
    app.clock.advance(24 * 3600 + 1);
    receiver.answer(|_| (410, None));
    place(&app, "ROTATE-2").await;
    let disabled = wait_for_status(&app, &a, &id, "disabled").await;
    assert!(disabled["lastError"].as_str().unwrap().contains("410"));
    assert!(disabled["previousSecretExpiresAt"].is_null());
    let got = receiver.deliveries();
    let last = got.last().unwrap();
    assert_eq!(
        last.headers["webhook-signature"]
            .to_str()
            .unwrap()
            .split(' ')
            .count(),
        1
    );
    assert!(verifies(last, &new) && !verifies(last, &old));
    let count = got.len();
    place(&app, "ROTATE-3").await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(
        receiver.deliveries().len(),
        count,
        "nothing goes to a disabled endpoint"
    );

    // Resumed, it continues where it stopped.
    receiver.answer(|_| (200, None));
    let resumed = app
        .post_json(&format!("/v1/webhooks/{id}/resume"), &a, json!({}))
        .await;
    assert_eq!(resumed.body["status"], "active");
    let expected = feed_after(&app, &a, &start).await;
    let got = receiver
        .wait_for(Duration::from_secs(20), |got| {
            first_accepted(got).len() >= expected.len()
        })
        .await;
    assert_eq!(
        first_accepted(&got),
        expected,
        "the refused event again, then the rest"
    );
}

#[tokio::test]
async fn a_target_on_this_machine_is_never_called_without_the_sandbox_setting() {
    // Registered while the sandbox allowed it, then served by a strict node.
    let app = spawn(config("1")).await;
    let receiver = Receiver::start().await;
    let made = register(&app, &app.keys.a, json!({"url": receiver.url})).await;
    assert_eq!(made.status, 201);
    let id = made.body["id"].as_str().unwrap().to_owned();
    let mut strict = app.state.clone();
    strict.config = std::sync::Arc::new(Config {
        webhooks: WebhookConfig {
            allow_insecure_targets: false,
            retry_schedule: RetrySchedule::parse("s", "1").unwrap(),
            ..WebhookConfig::default()
        },
        ..Config::default()
    });
    let _dispatch = support::Dispatching::of(strict);
    place(&app, "STRICT-1").await;
    let paused = wait_for_status(&app, &app.keys.a, &id, "paused").await;
    let error = paused["lastError"].as_str().unwrap();
    assert!(error.contains("refused"), "{error}");
    assert!(receiver.deliveries().is_empty(), "never called");
}

#[tokio::test]
async fn an_endpoint_whose_events_outlived_the_retention_stops_until_replayed() {
    let app = spawn(config("1")).await;
    let receiver = Receiver::start().await;
    let a = app.keys.a.clone();
    let made = register(&app, &a, json!({"url": receiver.url})).await;
    let id = made.body["id"].as_str().unwrap().to_owned();
    // Nobody delivers while its events age past the retention and are purged.
    place(&app, "OLD-1").await;
    app.clock.advance(31 * 86_400);
    assert!(claims_server::purge_old_events(&app.state).await > 0);
    place(&app, "NEW-1").await;

    let _dispatch = app.dispatch();
    let disabled = wait_for_status(&app, &a, &id, "disabled").await;
    assert!(
        disabled["lastError"]
            .as_str()
            .unwrap()
            .contains("older than the retention"),
        "{disabled}"
    );
    assert!(
        receiver.deliveries().is_empty(),
        "no event skipped silently"
    );

    let refused = app
        .post_json(&format!("/v1/webhooks/{id}/resume"), &a, json!({}))
        .await;
    assert_eq!(refused.status, 410, "{}", refused.body);
    assert_eq!(refused.problem(), "cursor-expired");

    // Replayed from a cursor the feed keeps, then resumed: on from there.
    let oldest = app.get("/v1/events?limit=1", &a).await;
    let first_kept = oldest.body["events"][0]["sequence"].as_u64().unwrap();
    let from = format!("s{}", first_kept - 1);
    let replayed = app
        .post_json(
            &format!("/v1/webhooks/{id}/replay"),
            &a,
            json!({ "after": from }),
        )
        .await;
    assert_eq!(replayed.status, 200, "{}", replayed.body);
    assert_eq!(
        replayed.body["status"], "disabled",
        "a replay does not resume"
    );
    let resumed = app
        .post_json(&format!("/v1/webhooks/{id}/resume"), &a, json!({}))
        .await;
    assert_eq!(resumed.status, 200, "{}", resumed.body);
    let expected = feed_after(&app, &a, &from).await;
    let got = receiver
        .wait_for(Duration::from_secs(20), |got| {
            first_accepted(got).len() >= expected.len()
        })
        .await;
    assert_eq!(first_accepted(&got), expected);
}
