//! The vendor's own cancellations and delays over HTTP: SSG's calls in both formats with
//! the refusals integrations look for, the §6 answers real clients found, the sandbox clock
//! (read by any credential, moved forward by the admin, due work run at its own time), and
//! two PostgreSQL nodes sharing one clock on which a move across 17:00 executes each
//! registration exactly once.

mod support;

use std::time::Duration;

use claims_domain::{KstDate, KstDateTime, executes_at};
use claims_server::Config;
use claims_store::conformance::{VENDOR_A, VENDOR_B, at, order};
use reqwest::Method;
use serde_json::{Value, json};
use support::{Backend, TestApp, spawn_on};

const NO_SELL: &str = "/api/pd/1/saveNoSellRequestRegist.ssg";
const DELAY: &str = "/api/pd/1/listShppingDelay.ssg";
const CONFIRM: &str = "/api/pd/1/updateOrderSubjectManage.ssg";
const WAYBILL: &str = "/api/pd/1/saveWblNo.ssg";

fn sandbox() -> Config {
    Config {
        sandbox: true,
        ..Config::default()
    }
}

fn code(answer: &Value) -> &str {
    answer["result"]["resultCode"].as_str().unwrap()
}

fn desc(answer: &Value) -> &str {
    answer["result"]["resultDesc"].as_str().unwrap()
}

/// Places `ord_no` with items 1 and 2 of vendor A (3 and 1 units) and item 3 of vendor B;
/// the shipping numbers of its items.
async fn place(app: &TestApp, ord_no: &str) -> Vec<u64> {
    app.store
        .place_order(
            order(
                ord_no,
                "2026-11-30 09:50:17",
                &[
                    (1, VENDOR_A, None, 3, 300),
                    (2, VENDOR_A, None, 1, 0),
                    (3, VENDOR_B, None, 1, 0),
                ],
                &[(VENDOR_A, 3000)],
            ),
            at("2026-11-30 09:50:17"),
        )
        .await
        .unwrap();
    let record = app
        .store
        .order(&claims_domain::OrderNo::parse("ordNo", ord_no).unwrap())
        .await
        .unwrap()
        .unwrap();
    record.items.iter().map(|item| item.shpp_no.get()).collect()
}

fn no_sell(shpp_no: u64, item: u32, event: &str) -> Value {
    json!({"requestNoSellRequestRegist": {
        "shppNo": shpp_no.to_string(), "shppSeq": "1", "itemId": format!("10000284633{item:02}"),
        "scEvnt": event, "shortgRsnCd": "09", "shortgProcDtlc": "입고 지연으로 결품"}})
}

fn delay(shpp_no: u64, item: u32, until: &str) -> Value {
    json!({"requestShppingDelay": {
        "shppNo": shpp_no, "shppSeq": 1, "itemId": format!("10000284633{item:02}"),
        "shortgRsnCd": "01", "whinExpcDt": until}})
}

fn today(app: &TestApp) -> KstDate {
    KstDate::of(app.state.clock.now())
}

#[tokio::test]
async fn vendors_register_withdraw_and_delay_with_ssgs_calls() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    let shpp = place(&app, "NS-HTTP-1").await;
    let key = &app.keys.a;

    // Register; again is 31 with the words integrations look for.
    let (_, answer) = app
        .ssg(Method::POST, NO_SELL, key, Some(no_sell(shpp[0], 1, "I")))
        .await;
    assert_eq!(code(&answer), "00", "{answer}");
    let (_, again) = app
        .ssg(Method::POST, NO_SELL, key, Some(no_sell(shpp[0], 1, "I")))
        .await;
    assert_eq!(code(&again), "31");
    assert!(desc(&again).contains("이미 판매불가로"), "{again}");
    // Another item's itemId, another vendor's item: no such item (30).
    let (_, wrong) = app
        .ssg(Method::POST, NO_SELL, key, Some(no_sell(shpp[0], 2, "I")))
        .await;
    assert_eq!(code(&wrong), "30", "{wrong}");
    let (_, others) = app
        .ssg(Method::POST, NO_SELL, key, Some(no_sell(shpp[2], 3, "I")))
        .await;
    assert_eq!(code(&others), "30", "{others}");

    // Registered, it does not ship.
    let (_, confirmed) = app
        .ssg(
            Method::POST,
            CONFIRM,
            key,
            Some(json!({"requestOrderSubjectManage": {"shppNo": shpp[0], "shppSeq": 1}})),
        )
        .await;
    assert_eq!(code(&confirmed), "00");
    let waybill = json!({"requestWhOutCompleteProcess": {"shppNo": shpp[0], "shppSeq": 1,
        "wblNo": "6012345678901", "delicoVenId": "0000033011"}});
    let (_, refused) = app
        .ssg(Method::POST, WAYBILL, key, Some(waybill.clone()))
        .await;
    assert_eq!(code(&refused), "31");
    assert!(
        desc(&refused).contains("판매불가 등록된 상품입니다"),
        "{refused}"
    );

    // SSG's answer to a second confirmation: 31, naming the state (not the release's words).
    let (_, twice) = app
        .ssg(
            Method::POST,
            CONFIRM,
            key,
            Some(json!({"requestOrderSubjectManage": {"shppNo": shpp[0], "shppSeq": 1}})),
        )
        .await;
    assert_eq!(code(&twice), "31");
    assert!(desc(&twice).contains("피킹완료"), "{twice}");

    // Withdrawn in XML; withdrawing again finds nothing (30).
    let xml = format!(
        "<requestNoSellRequestRegist><shppNo>{}</shppNo><shppSeq>1</shppSeq><itemId>1000028463301</itemId><scEvnt>D</scEvnt></requestNoSellRequestRegist>",
        shpp[0]
    );
    let withdrawn = app
        .client
        .post(format!("{}{NO_SELL}", app.base))
        .header("Authorization", key.as_str())
        .header("Content-Type", "application/xml")
        .header("Accept", "application/xml")
        .body(xml.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        withdrawn.contains("<resultCode>00</resultCode>"),
        "{withdrawn}"
    );
    let (_, gone) = app
        .ssg(Method::POST, NO_SELL, key, Some(no_sell(shpp[0], 1, "D")))
        .await;
    assert_eq!(code(&gone), "30", "{gone}");
    let (_, shipped) = app.ssg(Method::POST, WAYBILL, key, Some(waybill)).await;
    assert_eq!(code(&shipped), "00", "an ordinary item again");

    // A delay notice: 42, listed by listWarehouseOut with its date and count.
    let until = today(&app).plus_days(5).compact();
    let (_, delayed) = app
        .ssg(Method::POST, DELAY, key, Some(delay(shpp[1], 2, &until)))
        .await;
    assert_eq!(code(&delayed), "00", "{delayed}");
    let too_far = today(&app).plus_days(31).compact();
    let (_, refused) = app
        .ssg(Method::POST, DELAY, key, Some(delay(shpp[1], 2, &too_far)))
        .await;
    assert_eq!(code(&refused), "11", "{refused}");
    assert!(desc(&refused).contains("whinExpcDt"));
    let (_, listed) = app
        .ssg(
            Method::POST,
            "/api/pd/1/listWarehouseOut.ssg",
            key,
            Some(json!({"requestWarehouseOut": {"perdType": "01",
                "perdStrDts": "20261130", "perdEndDts": "20261130"}})),
        )
        .await;
    let rows = &listed["result"]["warehouseOuts"][0]["warehouseOut"];
    let rows: Vec<&Value> = match rows {
        Value::Array(rows) => rows.iter().collect(),
        row => vec![row],
    };
    let row = rows
        .iter()
        .find(|row| row["shppNo"] == json!(shpp[1]))
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(row["lastShppProgStatDtlCd"], json!(42));
    assert_eq!(row["shppProgStatDtlNm"], "출고지연");
    assert_eq!(row["whinExpcDt"], json!(until));
    assert_eq!(row["delayNts"], json!(1));

    // A delayed item is canceled directly by its customer.
    let canceled = app
        .post_json(
            "/v1/orders/NS-HTTP-1/cancellations",
            &app.tokens.storefront,
            json!({"items": [{"ordItemSeq": 2, "qty": 1}], "clmRsnCd": "251", "customerId": "c-1001"}),
        )
        .await;
    assert_eq!(canceled.status, 201, "{:?}", canceled.body);

    // The platform shows both notices; the order detail answers POST too.
    let shown = app.get("/v1/orders/NS-HTTP-1", &app.tokens.service).await;
    let items = shown.body["items"].as_array().unwrap();
    assert_eq!(items[0]["noSell"]["status"], "withdrawn");
    assert_eq!(items[0]["noSell"]["shortgRsnCd"], "09");
    assert_eq!(items[1]["delay"]["whinExpcDt"], json!(until));
    let (_, detail) = app
        .ssg(Method::POST, "/api/claim/v2/order/NS-HTTP-1", key, None)
        .await;
    assert_eq!(code(&detail), "00", "{detail}");

    // Every notice was told to the vendor's feed, and to the admin's feed of all vendors.
    let feed = app.get("/v1/events?limit=100", key).await;
    let kinds: Vec<&str> = feed.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    for kind in [
        "item.no_sell_registered",
        "item.no_sell_withdrawn",
        "item.delayed",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let all = app.get("/v1/events?limit=1000", &app.tokens.admin).await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    let vendors: std::collections::BTreeSet<&str> = all.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["splVenId"].as_str().unwrap())
        .collect();
    assert!(
        vendors.contains(VENDOR_A) && vendors.contains(VENDOR_B),
        "{vendors:?}"
    );
    let cursor = all.body["nextCursor"].as_str().unwrap().to_owned();
    assert!(cursor.starts_with('a'), "{cursor}");
    let next = app
        .get(&format!("/v1/events?after={cursor}"), &app.tokens.admin)
        .await;
    assert_eq!(
        next.body["events"],
        json!([]),
        "nothing new after the cursor"
    );
    let bad = app
        .get("/v1/events?after=a9999999999:1", &app.tokens.admin)
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn without_a_sandbox_the_clock_is_the_systems() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    let read = app.get("/v1/sandbox/clock", &app.keys.a).await;
    assert_eq!((read.status, read.problem()), (404, "sandbox-off"));
    let moved = app
        .post_json(
            "/v1/sandbox/clock",
            &app.tokens.admin,
            json!({"advance": "PT1H"}),
        )
        .await;
    assert_eq!(moved.status, 404);
}

#[tokio::test]
async fn the_sandbox_clock_runs_due_work_at_its_own_time() {
    let app = spawn_on(Backend::Sqlite, sandbox()).await.unwrap();
    let shpp = place(&app, "NS-CLOCK-1").await;
    let (_, registered) = app
        .ssg(
            Method::POST,
            NO_SELL,
            &app.keys.a,
            Some(no_sell(shpp[0], 1, "I")),
        )
        .await;
    assert_eq!(code(&registered), "00");
    let due = executes_at(app.state.clock.now());

    // Any credential reads it; only the admin moves it.
    for credential in [&app.keys.a, &app.tokens.storefront] {
        let read = app.get("/v1/sandbox/clock", credential).await;
        assert_eq!(read.status, 200);
        assert!(KstDateTime::parse("now", read.body["now"].as_str().unwrap()).is_ok());
    }
    let by_vendor = app
        .post_json("/v1/sandbox/clock", &app.keys.a, json!({"advance": "PT1H"}))
        .await;
    assert_eq!(by_vendor.status, 403);
    for bad in [
        json!({}),
        json!({"advance": "P1M"}),
        json!({"advance": "PT1H", "set": "2026-12-08 00:00:00"}),
        json!({"set": "tomorrow"}),
    ] {
        let refused = app
            .post_json("/v1/sandbox/clock", &app.tokens.admin, bad.clone())
            .await;
        assert_eq!(refused.status, 400, "{bad}: {:?}", refused.body);
    }

    // To a second before 17:00: nothing runs.
    let before = due.plus_seconds(-1).to_wire();
    let moved = app
        .post_json(
            "/v1/sandbox/clock",
            &app.tokens.admin,
            json!({"set": before}),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(moved.body["now"], json!(before));
    let record = || async {
        app.get("/v1/orders/NS-CLOCK-1", &app.tokens.service)
            .await
            .body
    };
    assert_eq!(record().await["items"][0]["noSell"]["status"], "registered");
    // Back: refused, nothing changed.
    let back = app
        .post_json(
            "/v1/sandbox/clock",
            &app.tokens.admin,
            json!({"set": "2026-01-01 00:00:00"}),
        )
        .await;
    assert_eq!((back.status, back.problem()), (409, "clock-backwards"));

    // Across 17:00 by a day: executed at 17:00 itself, before the move answers; a retry of
    // the same move (same Idempotency-Key) moves the clock once.
    let advance = |key: &'static str| {
        app.client
            .post(format!("{}/v1/sandbox/clock", app.base))
            .bearer_auth(&app.tokens.admin)
            .header("Idempotency-Key", key)
            .json(&json!({"advance": "P1D"}))
            .send()
    };
    let first: Value = advance("move-1").await.unwrap().json().await.unwrap();
    let retried: Value = advance("move-1").await.unwrap().json().await.unwrap();
    assert_eq!(first, retried, "replayed, not moved again");
    let shown = record().await;
    assert_eq!(shown["items"][0]["noSell"]["status"], "executed");
    let claim = shown["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|claim| claim["canceledBy"]["splVenId"] == VENDOR_A)
        .unwrap_or_else(|| panic!("{shown}"));
    assert_eq!(claim["ordCnclDts"], json!(due.to_wire()), "at its own time");
    assert_eq!(claim["clmRsnCd"], "270");
    assert_eq!(claim["imptDivCd"], "20");
    let now = KstDateTime::parse("now", first["now"].as_str().unwrap()).unwrap();
    let read = app.get("/v1/sandbox/clock", &app.keys.a).await;
    let read = KstDateTime::parse("now", read.body["now"].as_str().unwrap()).unwrap();
    assert!(
        read >= now && read.unix_seconds() - now.unix_seconds() < 60,
        "{read} vs {now}"
    );

    // The inquiry's "today" is the sandbox's: the claim is in today's... the day it ran.
    let day = KstDate::of(due).compact();
    let answer = app.period(&app.keys.a, &day, &day).await;
    assert!(
        answer.body.contains("\"clmRsnCd\":\"270\""),
        "{}",
        answer.body
    );
}

/// Two nodes on one PostgreSQL database, each with its scheduler running: the clock moved
/// on one is the other's too, and the registrations that fall due on the way run once.
#[tokio::test]
async fn two_nodes_share_the_clock_and_execute_once() {
    let Some(first) = spawn_on(Backend::Postgres, sandbox()).await else {
        return;
    };
    let second = first.another_node(sandbox()).await.unwrap();
    let schedulers = [
        tokio::spawn(claims_server::schedule(first.state.clone())),
        tokio::spawn(claims_server::schedule(second.state.clone())),
    ];
    let mut orders = Vec::new();
    for n in 0..10 {
        let ord_no = format!("NS-NODES-{n}");
        let shpp = place(&first, &ord_no).await;
        // Registered on either node.
        let node = if n % 2 == 0 { &first } else { &second };
        let (_, answer) = node
            .ssg(
                Method::POST,
                NO_SELL,
                &node.keys.a,
                Some(no_sell(shpp[0], 1, "I")),
            )
            .await;
        assert_eq!(code(&answer), "00", "{answer}");
        orders.push(ord_no);
    }
    let due = executes_at(first.state.clock.now());
    let moved = first
        .post_json(
            "/v1/sandbox/clock",
            &first.tokens.admin,
            json!({"set": due.plus_seconds(30).to_wire()}),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    // The other node follows within a few ticks.
    second.wait_for_clock(due.plus_seconds(30)).await;
    // Give the second node's scheduler its turns at the same work.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    for ord_no in &orders {
        for node in [&first, &second] {
            let shown = node
                .get(&format!("/v1/orders/{ord_no}"), &node.tokens.service)
                .await
                .body;
            assert_eq!(shown["items"][0]["noSell"]["status"], "executed", "{shown}");
            let by_vendor: Vec<&Value> = shown["claims"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|claim| claim["canceledBy"]["splVenId"].is_string())
                .collect();
            assert_eq!(by_vendor.len(), 1, "{ord_no}: once, seen from either node");
            assert_eq!(by_vendor[0]["ordCnclDts"], json!(due.to_wire()));
        }
    }
    for scheduler in schedulers {
        scheduler.abort();
    }
}
