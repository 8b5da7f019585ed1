//! Returns and exchanges over HTTP, as the customer, the service center and the vendor live
//! them: filed through the platform with every amount fixed, listed and confirmed, completed
//! and refused with SSG's pickup calls and their refusal words, withdrawn while still 61; an
//! exchange's replacement waits for its pickup, then ships with the ordinary calls; the
//! order detail and the feed tell it; a confirmed pickup completes by itself when the sandbox
//! clock passes its third business day — once, however many nodes run the schedule.

mod support;

use std::time::Duration;

use claims_domain::{KstDate, auto_completes_at};
use claims_server::Config;
use claims_store::conformance::{VENDOR_A, VENDOR_B, at, order};
use reqwest::Method;
use serde_json::{Value, json};
use support::{Backend, TestApp, spawn_on};

const PICKUPS: &str = "/api/pd/1/listExchangeTarget.ssg";
const CONFIRM_PICKUP: &str = "/api/pd/1/saveConfirmRcov.ssg";
const COMPLETE_PICKUP: &str = "/api/pd/1/saveCompleteRcov.ssg";
const REFUSE: &str = "/api/pd/1/saveRefusualReturn.ssg";
const DIRECTIONS: &str = "/api/pd/1/listShppDirection.ssg";
const CONFIRM: &str = "/api/pd/1/updateOrderSubjectManage.ssg";

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

/// The rows of a wrapped list, one row or many; `[""]` is none.
fn wrapped(answer: &Value, list: &str, item: &str) -> Vec<Value> {
    match &answer["result"][list] {
        Value::Array(wrappers) => wrappers
            .iter()
            .flat_map(|wrapper| match wrapper {
                Value::String(blank) if blank.is_empty() => Vec::new(),
                _ => match &wrapper[item] {
                    Value::Array(rows) => rows.clone(),
                    row @ Value::Object(_) => vec![row.clone()],
                    other => panic!("{item} is {other}"),
                },
            })
            .collect(),
        other => panic!("{list} is {other}"),
    }
}

/// Places `ord_no` (item 1: three units of A with a discount of 300; item 2: one of A;
/// item 3: one of B; A's fee 3000) and releases items 1 and 2 and 3.
async fn shipped(app: &TestApp, ord_no: &str) {
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
    for (seq, key) in [(1, &app.keys.a), (2, &app.keys.a), (3, &app.keys.b)] {
        let shipped = app
            .call(
                Method::POST,
                &format!("/v1/orders/{ord_no}/items/{seq}/shipment"),
                key,
                None,
            )
            .await;
        assert_eq!(shipped.status, 200, "{}", shipped.body);
    }
}

fn today(app: &TestApp) -> KstDate {
    KstDate::of(app.state.clock.now())
}

async fn list(app: &TestApp, key: &str, body: Value) -> Vec<Value> {
    let (_, answer) = app.ssg(Method::POST, PICKUPS, key, Some(body)).await;
    assert_eq!(code(&answer), "00", "{answer}");
    wrapped(&answer, "exchangeTargets", "exchangeTarget")
}

fn step(shpp_no: &Value, qty: u32, extra: Value) -> Value {
    let mut body = json!({"shppNo": shpp_no, "shppSeq": 1, "procItemQty": qty});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    json!({ "requestConfirmRcov": body })
}

#[tokio::test]
async fn returns_and_exchanges_through_the_platform_and_ssgs_calls() {
    let app = spawn_on(Backend::Sqlite, sandbox()).await.unwrap();
    shipped(&app, "RX-1").await;
    let a = app.keys.a.clone();

    // The customer returns one unit of item 1 (their fault): its share of the discount and
    // A's return fee fixed now.
    let filed = app
        .post_json(
            "/v1/orders/RX-1/returns",
            &app.tokens.storefront,
            json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "351",
                   "clmRsnCntt": "마음이 바뀌었어요", "customerId": "c-1001"}),
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    let ret = filed.body.clone();
    assert_eq!(ret["type"], "return");
    assert_eq!(ret["status"], "requested");
    assert_eq!(ret["shppcstBdnMainCd"], "10");
    assert_eq!(ret["refundedAmt"], 0);
    let line = &ret["lines"][0];
    assert_eq!(line["lastShppProgStatDtlCd"], "61");
    assert_eq!(line["cstInfo"][0]["splVenBdnDcAmt"], 100);
    assert_eq!(line["cstInfo"][0]["retShppcst"], 3000);
    assert_eq!(line["refundAmt"], 4500 - 100 - 3000);
    let location = filed.headers["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/v1/claims/{}", ret["ordNo"].as_str().unwrap())
    );
    let shown = app
        .get(
            &format!("{location}?customerId=c-1001"),
            &app.tokens.storefront,
        )
        .await;
    assert_eq!(shown.body["type"], "return", "{}", shown.body);

    // The rules refuse what cannot be: more than is returnable, an item not released, a
    // reason of the other type, another customer's order.
    let refused = |path: &'static str, body: Value| {
        let app = &app;
        async move { app.post_json(path, &app.tokens.service, body).await }
    };
    let too_many = refused(
        "/v1/orders/RX-1/returns",
        json!({"items": [{"ordItemSeq": 1, "qty": 3}], "clmRsnCd": "354", "agentId": "ag-7"}),
    )
    .await;
    assert_eq!(
        (too_many.status, too_many.problem()),
        (409, "exceeds-returnable")
    );
    let wrong_reason = refused(
        "/v1/orders/RX-1/returns",
        json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "451", "agentId": "ag-7"}),
    )
    .await;
    assert_eq!(
        (wrong_reason.status, wrong_reason.problem()),
        (400, "invalid-input")
    );
    app.store
        .place_order(
            order(
                "RX-2",
                "2026-11-30 09:50:17",
                &[(1, VENDOR_A, None, 1, 0)],
                &[],
            ),
            at("2026-11-30 09:50:17"),
        )
        .await
        .unwrap();
    let unreleased = refused(
        "/v1/orders/RX-2/exchanges",
        json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "453", "agentId": "ag-7"}),
    )
    .await;
    assert_eq!(
        (unreleased.status, unreleased.problem()),
        (409, "not-released")
    );
    let others = app
        .post_json(
            "/v1/orders/RX-1/returns",
            &app.tokens.storefront,
            json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "351", "customerId": "c-2002"}),
        )
        .await;
    assert_eq!((others.status, others.problem()), (403, "not-your-order"));

    // The agent exchanges item 2 for another option: a replacement waiting for its pickup.
    let exchanged = refused(
        "/v1/orders/RX-1/exchanges",
        json!({"items": [{"ordItemSeq": 2, "qty": 1, "uitemId": "00002", "uitemNm": "블랙"}],
               "clmRsnCd": "451", "agentId": "ag-7"}),
    )
    .await;
    assert_eq!(exchanged.status, 201, "{}", exchanged.body);
    let exchange = exchanged.body.clone();
    let replacement = exchange["lines"][0]["replacement"].clone();
    assert_eq!(replacement["ordItemSeq"], 2);
    assert_eq!(replacement["shppStatCd"], "30");
    assert_eq!(exchange["lines"][0]["cstInfo"][0]["exchShppcst"], 6000);

    // The vendor's pickup list: both, by filing date; one row as the object itself.
    let day = today(&app).compact();
    let all = list(
        &app,
        &a,
        json!({"requestExchangeTarget": {"perdType": "01", "perdStrDts": day, "perdEndDts": day}}),
    )
    .await;
    assert_eq!(all.len(), 2);
    let returns = list(&app, &a, json!({"requestExchangeTarget": {"perdType": "01", "perdStrDts": day, "perdEndDts": day, "shppDivDtlCds": "21"}})).await;
    assert_eq!(returns.len(), 1);
    let pickup = returns[0].clone();
    assert_eq!(pickup["ordNo"], ret["ordNo"]);
    assert_eq!(pickup["orordNo"], "RX-1");
    assert_eq!(pickup["shppDivDtlCd"], 21);
    assert_eq!(pickup["lastShppProgStatDtlCd"], 61);
    assert_eq!(pickup["clmRsnCd"], "351");
    let none = list(
        &app,
        &app.keys.b,
        json!({"requestExchangeTarget": {"perdType": "01", "perdStrDts": day, "perdEndDts": day}}),
    )
    .await;
    assert!(none.is_empty(), "another vendor's pickups are none of B's");
    let (_, blank) = app
        .ssg(Method::POST, PICKUPS, &app.keys.b, Some(json!({"requestExchangeTarget": {"perdType": "01", "perdStrDts": day, "perdEndDts": day}})))
        .await;
    assert_eq!(blank["result"]["exchangeTargets"], json!([""]));

    // The replacement is listed as a new item waiting (shppStatCd 30, 교환출고) and cannot be
    // confirmed yet.
    let (_, directions) = app
        .ssg(Method::POST, DIRECTIONS, &a, Some(json!({"requestShppDirection": {"perdType": "01", "perdStrDts": day, "perdEndDts": day, "shppStatCd": "30", "shppDivDtlCd": "15"}})))
        .await;
    let rows = wrapped(&directions, "shppDirections", "shppDirection");
    assert_eq!(rows.len(), 1, "{directions}");
    assert_eq!(rows[0]["ordNo"], exchange["ordNo"]);
    assert_eq!(rows[0]["orordNo"], "RX-1");
    assert_eq!(rows[0]["shppDivDtlCd"], 15);
    assert_eq!(rows[0]["uitemId"], "00002");
    let confirm_replacement = || {
        let (app, a, no) = (&app, a.clone(), replacement["shppNo"].clone());
        async move {
            app.ssg(
                Method::POST,
                CONFIRM,
                &a,
                Some(json!({"requestOrderSubjectManage": {"shppNo": no, "shppSeq": 1}})),
            )
            .await
            .1
        }
    };
    assert_eq!(code(&confirm_replacement().await), "31");

    // Confirming: SSG's words for a missing or non-numeric waybill; another vendor's pickup
    // is nothing; twice is 31.
    let shpp_no = pickup["shppNo"].clone();
    let vendor_step = |path: &'static str, key: String, body: Value| {
        let app = &app;
        async move { app.ssg(Method::POST, path, &key, Some(body)).await.1 }
    };
    let missing = vendor_step(
        CONFIRM_PICKUP,
        a.clone(),
        step(&shpp_no, 1, json!({"shppTypeDtlCd": "22"})),
    )
    .await;
    assert_eq!(
        (code(&missing), desc(&missing)),
        ("10", "택배사와 운송장 번호는 필수 입력값 입니다.")
    );
    let dashed = vendor_step(
        CONFIRM_PICKUP,
        a.clone(),
        step(
            &shpp_no,
            1,
            json!({"shppTypeDtlCd": "22", "delicoVenId": "0000033011", "wblNo": "6098-765"}),
        ),
    )
    .await;
    assert_eq!(
        (code(&dashed), desc(&dashed)),
        ("11", "운송장번호는 숫자만 입력하세요.")
    );
    let by_b = vendor_step(
        CONFIRM_PICKUP,
        app.keys.b.clone(),
        step(&shpp_no, 1, json!({"shppTypeDtlCd": "14"})),
    )
    .await;
    assert_eq!(code(&by_b), "30");
    let early_refusal = vendor_step(REFUSE, a.clone(), json!({"requestRefusualReturn": {"shppNo": shpp_no, "shppSeq": 1, "procItemQty": 1, "retRefusRsnCd": "12"}})).await;
    assert_eq!(code(&early_refusal), "31", "refusing at 61");
    let confirm = step(
        &shpp_no,
        1,
        json!({"shppTypeDtlCd": "22", "delicoVenId": "0000033011", "wblNo": "6098765432101", "resellPsblYn": "Y", "retImptMainCd": "10"}),
    );
    let confirmed = vendor_step(CONFIRM_PICKUP, a.clone(), confirm.clone()).await;
    assert_eq!(code(&confirmed), "00", "{confirmed}");
    let twice = vendor_step(CONFIRM_PICKUP, a.clone(), confirm).await;
    assert_eq!(code(&twice), "31");
    // A confirmed pickup can no longer be withdrawn.
    let late = app
        .post_json(
            &format!("{location}/withdrawal"),
            &app.tokens.storefront,
            json!({"customerId": "c-1001"}),
        )
        .await;
    assert_eq!((late.status, late.problem()), (409, "pickup-confirmed"));
    // Completed: refunded.
    let done = vendor_step(COMPLETE_PICKUP, a.clone(), step(&shpp_no, 1, json!({}))).await;
    assert_eq!(code(&done), "00", "{done}");
    let again = vendor_step(COMPLETE_PICKUP, a.clone(), step(&shpp_no, 1, json!({}))).await;
    assert_eq!(code(&again), "31");

    // The exchange: confirmed by the vendor's own delivery and completed; its replacement
    // now ships with the ordinary calls.
    let exchange_no = exchange["lines"][0]["shppNo"].clone();
    let exchanged_refusal = vendor_step(REFUSE, a.clone(), json!({"requestRefusualReturn": {"shppNo": exchange_no, "shppSeq": 1, "procItemQty": 1, "retRefusRsnCd": "19"}})).await;
    assert_eq!(code(&exchanged_refusal), "31");
    for path in [CONFIRM_PICKUP, COMPLETE_PICKUP] {
        let answer = vendor_step(
            path,
            a.clone(),
            step(&exchange_no, 1, json!({"shppTypeDtlCd": "14"})),
        )
        .await;
        assert_eq!(code(&answer), "00", "{path}: {answer}");
    }
    assert_eq!(code(&confirm_replacement().await), "00");
    // The platform's shipment and delivery name it by the exchange's number and its line.
    let replacement_item = format!(
        "/v1/orders/{}/items/{}",
        exchange["ordNo"].as_str().unwrap(),
        replacement["ordItemSeq"]
    );
    let shipped_out = app
        .call(
            Method::POST,
            &format!("{replacement_item}/shipment"),
            &a,
            None,
        )
        .await;
    assert_eq!(shipped_out.status, 200, "{}", shipped_out.body);
    let tomorrow = app
        .post_json(
            "/v1/sandbox/clock",
            &app.tokens.admin,
            json!({"advance": "P1D"}),
        )
        .await;
    assert_eq!(tomorrow.status, 200, "{}", tomorrow.body);
    let delivered = app
        .post_json(
            &format!("{replacement_item}/delivery"),
            &app.tokens.storefront,
            json!({}),
        )
        .await;
    assert_eq!(delivered.status, 200, "{}", delivered.body);
    assert_eq!(delivered.body["shippingStatus"], "delivered");

    // Another return, withdrawn by the customer while 61; withdrawn twice is refused.
    let second = app
        .post_json(
            "/v1/orders/RX-1/returns",
            &app.tokens.storefront,
            json!({"items": [{"ordItemSeq": 1, "qty": 2}], "clmRsnCd": "352", "customerId": "c-1001"}),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.body);
    let second_no = second.body["ordNo"].as_str().unwrap().to_owned();
    let withdraw = || {
        let (app, second_no) = (&app, second_no.clone());
        async move {
            app.post_json(
                &format!("/v1/claims/{second_no}/withdrawal"),
                &app.tokens.storefront,
                json!({"customerId": "c-1001"}),
            )
            .await
        }
    };
    let withdrawn = withdraw().await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(withdrawn.body["status"], "withdrawn");
    let again = withdraw().await;
    assert_eq!((again.status, again.problem()), (409, "not-withdrawable"));
    let withdrawn_no = second.body["lines"][0]["shppNo"].clone();
    let gone = vendor_step(
        CONFIRM_PICKUP,
        a.clone(),
        step(&withdrawn_no, 2, json!({"shppTypeDtlCd": "14"})),
    )
    .await;
    assert_eq!(code(&gone), "30", "a withdrawn pickup is nothing");

    // The order as the platform shows it.
    let shown = app.get("/v1/orders/RX-1", &app.tokens.service).await.body;
    let item = &shown["items"][0];
    assert_eq!(
        (item["returnedQty"].clone(), item["returnableQty"].clone()),
        (json!(1), json!(2)),
        "{shown}"
    );
    assert_eq!(shown["items"][1]["exchangedQty"], 1);
    assert_eq!(shown["returns"].as_array().unwrap().len(), 2);
    assert_eq!(shown["returns"][0]["refundedAmt"], 1400);
    assert_eq!(shown["returns"][0]["lines"][0]["status"], "completed");
    assert_eq!(
        shown["exchanges"][0]["lines"][0]["replacement"]["shppStatCd"],
        "10"
    );

    // The order detail: 031, 041, 042; nothing of the withdrawn.
    let (_, detail) = app
        .ssg(Method::GET, "/api/claim/v2/order/RX-1", &a, None)
        .await;
    let divisions: Vec<&str> = detail["result"]["resultData"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["ordItemDiv"].as_str().unwrap())
        .collect();
    assert_eq!(divisions, ["011", "011", "031", "041", "042"], "{detail}");

    // The feed told each change, with the rows the list shows.
    let feed = app.get("/v1/events?limit=100", &a).await.body;
    let kinds: Vec<&str> = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["data"][0]["orordNo"] == "RX-1")
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "order.instructed",
            "return.created",
            "exchange.created",
            "return.completed",
            "exchange.completed",
            "order.instructed",
            "return.created",
            "return.withdrawn"
        ],
        "{feed}"
    );
    let completed = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["type"] == "return.completed")
        .unwrap();
    assert_eq!(completed["data"][0]["lastShppProgStatDtlCd"], 64);
    assert_eq!(completed["data"][0]["retProcStatCd"], "10");
    assert_eq!(completed["data"][0]["refundYn"], "Y");
    // Each event tells the pickup as it stood then, not as it stands now.
    let created = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["type"] == "return.created")
        .unwrap();
    assert_eq!(created["data"][0]["lastShppProgStatDtlCd"], 61, "{created}");
    assert_eq!(created["data"][0]["rcovCmplDt"], "");
}

/// A confirmed pickup completes by itself at 00:00 KST of the third business day after its
/// confirmation when the sandbox clock passes it — on two PostgreSQL nodes, once.
#[tokio::test]
async fn confirmed_pickups_complete_by_themselves_on_the_sandbox_clock() {
    let Some(first) = spawn_on(Backend::Postgres, sandbox()).await else {
        return;
    };
    let second = first.another_node(sandbox()).await.unwrap();
    let schedulers = [
        tokio::spawn(claims_server::schedule(first.state.clone())),
        tokio::spawn(claims_server::schedule(second.state.clone())),
    ];
    let mut claims = Vec::new();
    for n in 0..4 {
        let ord_no = format!("AUTO-{n}");
        shipped(&first, &ord_no).await;
        let node = if n % 2 == 0 { &first } else { &second };
        let filed = node
            .post_json(
                &format!("/v1/orders/{ord_no}/returns"),
                &node.tokens.service,
                json!({"items": [{"ordItemSeq": 1, "qty": 3}], "clmRsnCd": "354", "agentId": "ag-7"}),
            )
            .await;
        assert_eq!(filed.status, 201, "{}", filed.body);
        let shpp_no = filed.body["lines"][0]["shppNo"].clone();
        let (_, confirmed) = node
            .ssg(
                Method::POST,
                CONFIRM_PICKUP,
                &node.keys.a,
                Some(step(&shpp_no, 3, json!({"shppTypeDtlCd": "14"}))),
            )
            .await;
        assert_eq!(code(&confirmed), "00", "{confirmed}");
        claims.push(filed.body["ordNo"].as_str().unwrap().to_owned());
    }
    let due = auto_completes_at(first.state.clock.now());
    let moved = first
        .post_json(
            "/v1/sandbox/clock",
            &first.tokens.admin,
            json!({"set": due.plus_seconds(60).to_wire()}),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    second.wait_for_clock(due.plus_seconds(60)).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    for clm_no in &claims {
        for node in [&first, &second] {
            let shown = node
                .get(&format!("/v1/claims/{clm_no}"), &node.tokens.service)
                .await
                .body;
            assert_eq!(shown["status"], "completed", "{shown}");
            assert_eq!(
                shown["lines"][0]["refundedAt"],
                json!(due.to_wire()),
                "at its own time"
            );
        }
    }
    let feed = first.get("/v1/events?limit=200", &first.keys.a).await.body;
    let completions = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["type"] == "return.completed")
        .count();
    assert_eq!(completions, claims.len(), "each completed once");
    for scheduler in schedulers {
        scheduler.abort();
    }
}

/// Two PostgreSQL nodes at once on one item: the service center files returns and
/// exchanges and withdraws some, the vendor confirms, completes and refuses with SSG's calls,
/// the storefront cancels and the vendor releases units of another item of the order — on
/// either node. Afterwards every invariant of returns and exchanges holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_postgres_nodes_keep_every_invariant() {
    let Some(first) = spawn_on(Backend::Postgres, Config::default()).await else {
        return;
    };
    let second = first.another_node(Config::default()).await.unwrap();
    first
        .store
        .place_order(
            order(
                "RACE-N",
                "2026-11-30 09:50:17",
                &[(1, VENDOR_A, None, 4, 400), (2, VENDOR_A, None, 2, 0)],
                &[(VENDOR_A, 3000)],
            ),
            at("2026-11-30 09:50:17"),
        )
        .await
        .unwrap();
    let released = first
        .call(
            Method::POST,
            "/v1/orders/RACE-N/items/1/shipment",
            &first.keys.a,
            None,
        )
        .await;
    assert_eq!(released.status, 200, "{}", released.body);
    let mut tasks = Vec::new();
    for round in 0..12usize {
        let node = if round % 2 == 0 { &first } else { &second };
        let (base, service, storefront, key) = (
            node.base.clone(),
            node.tokens.service.clone(),
            node.tokens.storefront.clone(),
            node.keys.a.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let post = |path: String, auth: String, body: Value| {
                let http = http.clone();
                let url = format!("{base}{path}");
                async move {
                    let answer = http
                        .post(url)
                        .header("Authorization", auth)
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/json")
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    answer.json::<Value>().await.unwrap_or(Value::Null)
                }
            };
            match round % 4 {
                // Another item's units: a cancellation and a release race the returns.
                3 => {
                    let _ = post(
                        "/v1/orders/RACE-N/cancellations".into(),
                        format!("Bearer {storefront}"),
                        json!({"items": [{"ordItemSeq": 2, "qty": 1}], "clmRsnCd": "251", "customerId": "c-1001"}),
                    )
                    .await;
                    let _ = post(
                        "/v1/orders/RACE-N/items/2/shipment".into(),
                        format!("Bearer {key}"),
                        json!({}),
                    )
                    .await;
                }
                kind => {
                    let path = if kind == 1 { "exchanges" } else { "returns" };
                    let reason = if kind == 1 { "453" } else { "351" };
                    let filed = post(
                        format!("/v1/orders/RACE-N/{path}"),
                        format!("Bearer {service}"),
                        json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": reason, "agentId": "ag-7"}),
                    )
                    .await;
                    let Some(shpp_no) = filed["lines"][0]["shppNo"].as_u64() else {
                        return;
                    };
                    let clm_no = filed["ordNo"].as_str().unwrap().to_owned();
                    let step = |extra: Value| {
                        let mut body = json!({"shppNo": shpp_no, "shppSeq": 1, "procItemQty": 1});
                        body.as_object_mut()
                            .unwrap()
                            .extend(extra.as_object().unwrap().clone());
                        json!({ "requestConfirmRcov": body })
                    };
                    let confirm = post(
                        CONFIRM_PICKUP.into(),
                        key.clone(),
                        step(json!({"shppTypeDtlCd": "14"})),
                    );
                    let withdraw = post(
                        format!("/v1/claims/{clm_no}/withdrawal"),
                        format!("Bearer {service}"),
                        json!({"agentId": "ag-7"}),
                    );
                    // Confirmation and withdrawal race; then complete or refuse, twice.
                    let _ = tokio::join!(confirm, withdraw);
                    for _ in 0..2 {
                        if round % 3 == 0 {
                            let _ = post(
                                REFUSE.into(),
                                key.clone(),
                                json!({"requestRefusualReturn": {"shppNo": shpp_no, "shppSeq": 1, "procItemQty": 1, "retRefusRsnCd": "13"}}),
                            )
                            .await;
                        } else {
                            let _ = post(COMPLETE_PICKUP.into(), key.clone(), step(json!({})))
                                .await;
                        }
                    }
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let record = first
        .store
        .order(&claims_domain::OrderNo::parse("o", "RACE-N").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(!record.pickups.is_empty());
    claims_store::conformance::assert_pickup_invariants(&record);
    let other = &record.items[1];
    assert!(other.canceled + other.shipped <= other.ordered);
}
