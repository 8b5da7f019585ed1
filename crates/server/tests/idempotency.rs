//! `Idempotency-Key` on the platform API's writes, over HTTP, on both stores: a retry gets
//! the first answer and causes nothing; a reused key is refused; a duplicate in flight
//! waits; keys are kept a day.

mod support;

use claims_server::Config;
use claims_store::conformance::{VENDOR_A, at, order};
use serde_json::{Value, json};
use support::{Backend, TestApp, spawn_on};

/// What an answer was, for comparing a replay with its original.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    status: u16,
    content_type: String,
    location: Option<String>,
    body: String,
    replayed: bool,
}

async fn place_fresh_order(app: &TestApp, ord_no: &str) {
    app.store
        .place_order(
            order(
                ord_no,
                "2026-11-20 09:50:17",
                &[(1, VENDOR_A, None, 5, 1000)],
                &[],
            ),
            at("2026-11-20 09:50:17"),
        )
        .await
        .unwrap();
}

async fn post(app: &TestApp, path: &str, token: &str, key: Option<&str>, body: &Value) -> Seen {
    let mut request = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    Seen {
        status: response.status().as_u16(),
        content_type: header("content-type").unwrap_or_default(),
        location: header("location"),
        replayed: header("idempotent-replayed").as_deref() == Some("true"),
        body: response.text().await.unwrap(),
    }
}

fn cancel_one(agent: &str) -> Value {
    json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "agentId": agent})
}

async fn claims_of(app: &TestApp, ord_no: &str) -> usize {
    let record = app
        .store
        .order(&claims_domain::OrderNo::parse("ordNo", ord_no).unwrap())
        .await
        .unwrap()
        .unwrap();
    record.claims.len()
}

async fn a_retry_gets_the_first_answer_and_causes_nothing(backend: Backend) {
    let Some(app) = spawn_on(backend, Config::default()).await else {
        return;
    };
    place_fresh_order(&app, "IDEM-HTTP-1").await;
    let path = "/v1/orders/IDEM-HTTP-1/cancellations";
    let token = &app.tokens.service;

    let first = post(&app, path, token, Some("k-1"), &cancel_one("agent-7")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert!(!first.replayed);
    // The same request again, spelled differently: the same answer, no second claim.
    let spelled =
        json!({"agentId": "agent-7", "clmRsnCd": "251", "items": [{"qty": 1, "ordItemSeq": 1}]});
    for body in [cancel_one("agent-7"), spelled] {
        let retry = post(&app, path, token, Some("k-1"), &body).await;
        assert!(retry.replayed);
        assert_eq!(
            Seen {
                replayed: false,
                ..retry
            },
            first
        );
    }
    assert_eq!(claims_of(&app, "IDEM-HTTP-1").await, 1);

    // The same key with another request is refused, and changes nothing.
    let reused = post(&app, path, token, Some("k-1"), &cancel_one("agent-8")).await;
    assert_eq!(reused.status, 422, "{}", reused.body);
    assert!(
        reused
            .body
            .contains("urn:ssg-claims:problem:idempotency-key-reused")
    );
    assert_eq!(claims_of(&app, "IDEM-HTTP-1").await, 1);

    // Keys are per credential: the storefront's "k-1" is its own.
    let theirs =
        json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "customerId": "c-1001"});
    let other = post(&app, path, &app.tokens.storefront, Some("k-1"), &theirs).await;
    assert_eq!(other.status, 201, "{}", other.body);
    assert_eq!(claims_of(&app, "IDEM-HTTP-1").await, 2);

    // Without a key, each request is its own.
    for _ in 0..2 {
        assert_eq!(
            post(&app, path, token, None, &cancel_one("agent-7"))
                .await
                .status,
            201
        );
    }
    assert_eq!(claims_of(&app, "IDEM-HTTP-1").await, 4);

    // A refusal is kept too: retrying it gets the same refusal.
    let too_many =
        json!({"items": [{"ordItemSeq": 1, "qty": 9}], "clmRsnCd": "251", "agentId": "agent-7"});
    let refused = post(&app, path, token, Some("k-2"), &too_many).await;
    assert_eq!(refused.status, 409);
    let again = post(&app, path, token, Some("k-2"), &too_many).await;
    assert!(again.replayed);
    assert_eq!((again.status, again.body), (refused.status, refused.body));

    // A malformed key is named.
    let bad = post(&app, path, token, Some("two words"), &cancel_one("agent-7")).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains(r#""field":"Idempotency-Key""#),
        "{}",
        bad.body
    );
}

#[tokio::test]
async fn a_retry_gets_the_first_answer_and_causes_nothing_on_sqlite() {
    a_retry_gets_the_first_answer_and_causes_nothing(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_retry_gets_the_first_answer_and_causes_nothing_on_postgres() {
    a_retry_gets_the_first_answer_and_causes_nothing(Backend::Postgres).await;
}

async fn an_order_retried_gets_its_original_201(backend: Backend) {
    let Some(app) = spawn_on(backend, Config::default()).await else {
        return;
    };
    let body = json!({"ordNo": "IDEM-ORDER-1", "ordpeNm": "홍길동", "customerId": "c-1001",
        "ordRcpMediaCd": "30", "ordRcpDts": "2026-11-20 09:50:17",
        "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "유기농 우유 1L",
                   "qty": 2, "unitPrice": 4500, "splVenId": VENDOR_A}]});
    let token = &app.tokens.storefront;
    let first = post(&app, "/v1/orders", token, Some("order-1"), &body).await;
    assert_eq!(first.status, 201);
    assert_eq!(first.location.as_deref(), Some("/v1/orders/IDEM-ORDER-1"));
    let retry = post(&app, "/v1/orders", token, Some("order-1"), &body).await;
    assert!(retry.replayed);
    assert_eq!(
        (retry.status, &retry.location, &retry.body),
        (201, &first.location, &first.body)
    );
    // Without the key, placing it again answers 200 with the stored order.
    assert_eq!(
        post(&app, "/v1/orders", token, None, &body).await.status,
        200
    );
}

#[tokio::test]
async fn an_order_retried_gets_its_original_201_on_sqlite() {
    an_order_retried_gets_its_original_201(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_order_retried_gets_its_original_201_on_postgres() {
    an_order_retried_gets_its_original_201(Backend::Postgres).await;
}

async fn duplicates_fired_at_once_make_one_claim(backend: Backend) {
    let Some(app) = spawn_on(backend, Config::default()).await else {
        return;
    };
    place_fresh_order(&app, "IDEM-RACE-1").await;
    let body = cancel_one("agent-7");
    let mut requests = Vec::new();
    for _ in 0..24 {
        requests.push(post(
            &app,
            "/v1/orders/IDEM-RACE-1/cancellations",
            &app.tokens.service,
            Some("race"),
            &body,
        ));
    }
    let answers = futures::future::join_all(requests).await;
    let created: Vec<&Seen> = answers.iter().filter(|a| a.status == 201).collect();
    let waiting = answers.iter().filter(|a| a.status == 409).count();
    assert_eq!(created.len() + waiting, answers.len(), "{answers:#?}");
    assert!(!created.is_empty());
    assert!(
        created.iter().all(|a| a.body == created[0].body),
        "every 201 is the one claim"
    );
    for answer in answers.iter().filter(|a| a.status == 409) {
        assert!(answer.body.contains("idempotency-key-in-flight"));
    }
    assert_eq!(claims_of(&app, "IDEM-RACE-1").await, 1);
}

#[tokio::test]
async fn duplicates_fired_at_once_make_one_claim_on_sqlite() {
    duplicates_fired_at_once_make_one_claim(Backend::Sqlite).await;
}

#[tokio::test]
async fn duplicates_fired_at_once_make_one_claim_on_postgres() {
    duplicates_fired_at_once_make_one_claim(Backend::Postgres).await;
}

/// A duplicate while the first request is held inside its transaction (the order's row is
/// locked by the test) is told to wait; once the first finishes, the duplicate gets its
/// answer.
#[tokio::test]
async fn a_duplicate_in_flight_is_told_to_wait() {
    let Some(app) = spawn_on(Backend::Postgres, Config::default()).await else {
        return;
    };
    place_fresh_order(&app, "IDEM-HELD-1").await;
    let database = app
        .database_url
        .clone()
        .expect("a PostgreSQL app knows its database");
    let (mut locker, connection) = tokio_postgres::connect(&database, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let lock = locker.transaction().await.unwrap();
    lock.execute(
        "SELECT 1 FROM orders WHERE ord_no = 'IDEM-HELD-1' FOR UPDATE",
        &[],
    )
    .await
    .unwrap();

    let path = "/v1/orders/IDEM-HELD-1/cancellations";
    let first = {
        let client = app.client.clone();
        let url = format!("{}{path}", app.base);
        let token = app.tokens.service.clone();
        tokio::spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .header("idempotency-key", "held")
                .json(&cancel_one("agent-7"))
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        })
    };
    // The first request has claimed the key and waits on the row lock.
    let mut waited = None;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let duplicate = post(
            &app,
            path,
            &app.tokens.service,
            Some("held"),
            &cancel_one("agent-7"),
        )
        .await;
        if duplicate.status == 409 {
            waited = Some(duplicate);
            break;
        }
    }
    let waited = waited.expect("a duplicate was told to wait");
    assert!(
        waited.body.contains("idempotency-key-in-flight"),
        "{}",
        waited.body
    );

    lock.rollback().await.unwrap();
    let (status, body) = first.await.unwrap();
    assert_eq!(status, 201, "{body}");
    let replay = post(
        &app,
        path,
        &app.tokens.service,
        Some("held"),
        &cancel_one("agent-7"),
    )
    .await;
    assert_eq!((replay.status, replay.body.as_str()), (201, body.as_str()));
    assert_eq!(claims_of(&app, "IDEM-HELD-1").await, 1);
}

#[tokio::test]
async fn keys_are_kept_a_day_then_may_serve_a_new_request() {
    let app = support::spawn(Config::default()).await;
    place_fresh_order(&app, "IDEM-DAY-1").await;
    let path = "/v1/orders/IDEM-DAY-1/cancellations";
    let token = &app.tokens.service;
    let first = post(&app, path, token, Some("daily"), &cancel_one("agent-7")).await;
    assert_eq!(first.status, 201);

    app.clock.advance(24 * 3600 - 60);
    let within = post(&app, path, token, Some("daily"), &cancel_one("agent-7")).await;
    assert!(within.replayed, "kept for 24 hours");
    assert_eq!(within.body, first.body);

    app.clock.advance(120);
    let lapsed = post(&app, path, token, Some("daily"), &cancel_one("agent-9")).await;
    assert_eq!(lapsed.status, 201, "{}", lapsed.body);
    assert!(!lapsed.replayed);
    assert_ne!(lapsed.body, first.body);
    assert_eq!(claims_of(&app, "IDEM-DAY-1").await, 2);
}

async fn a_credential_keeps_at_most_its_quota(backend: Backend) {
    let mut config = Config::default();
    config.idempotency_quota.max_keys = 2;
    let Some(app) = spawn_on(backend, config).await else {
        return;
    };
    place_fresh_order(&app, "IDEM-QUOTA-1").await;
    let path = "/v1/orders/IDEM-QUOTA-1/cancellations";
    let token = &app.tokens.service;
    for key in ["quota-1", "quota-2"] {
        let kept = post(&app, path, token, Some(key), &cancel_one("agent-7")).await;
        assert_eq!(kept.status, 201, "{}", kept.body);
    }
    let refused = post(&app, path, token, Some("quota-3"), &cancel_one("agent-7")).await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    let problem: Value = serde_json::from_str(&refused.body).unwrap();
    assert_eq!(
        problem["type"],
        "urn:ssg-claims:problem:idempotency-quota-exceeded"
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("2 answers"),
        "{problem}"
    );
    assert_eq!(
        claims_of(&app, "IDEM-QUOTA-1").await,
        2,
        "refused: no effect"
    );
    // What is kept is still replayed, a request without a key still runs, and another
    // credential has a quota of its own.
    let replay = post(&app, path, token, Some("quota-1"), &cancel_one("agent-7")).await;
    assert!(replay.replayed);
    let unkeyed = post(&app, path, token, None, &cancel_one("agent-7")).await;
    assert_eq!(unkeyed.status, 201);
    let storefront = post(
        &app,
        path,
        &app.tokens.storefront,
        Some("quota-3"),
        &json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "customerId": "c-1001"}),
    )
    .await;
    assert_eq!(storefront.status, 201, "{}", storefront.body);

    // Once its keys lapse and are purged, the credential may keep new ones.
    app.clock.advance(24 * 3600 + 60);
    let now = claims_server::Clock::now(&*app.clock);
    let purged = app
        .store
        .purge_idempotency_keys(now.plus_seconds(-24 * 3600), 1_000)
        .await
        .unwrap();
    assert_eq!(purged, 3);
    let admitted = post(&app, path, token, Some("quota-3"), &cancel_one("agent-7")).await;
    assert_eq!(admitted.status, 201, "{}", admitted.body);
    assert_eq!(claims_of(&app, "IDEM-QUOTA-1").await, 5);
}

#[tokio::test]
async fn a_credential_keeps_at_most_its_quota_on_sqlite() {
    a_credential_keeps_at_most_its_quota(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_credential_keeps_at_most_its_quota_on_postgres() {
    a_credential_keeps_at_most_its_quota(Backend::Postgres).await;
}
