//! SSG's whole cancellation flow over HTTP, as an integration lives it in a day: the vendor
//! lists its shipping directions and confirms; the service center files cancel requests;
//! the vendor lists and approves one (the inquiry then shows it, with its cost lines), a
//! waybill rejects another, the customer withdraws a third; another vendor's key sees none
//! of it.

mod support;

use claims_domain::KstDate;
use claims_server::{Clock, Config, ErrorStyle};
use serde_json::{Value, json};
use support::{TestApp, spawn};

const ORDER: &str = "DAY-ORDER-1";

/// Today and `days` ago in the server's clock, as SSG's compact dates.
fn window(app: &TestApp, days: i32) -> (String, String) {
    let today = KstDate::of(app.clock.now());
    (today.plus_days(-days).compact(), today.compact())
}

/// An SSG call: `(HTTP status, body)`.
async fn ssg(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (u16, Value) {
    app.ssg(method, path, key, body).await
}

fn code(answer: &Value) -> &str {
    answer["result"]["resultCode"].as_str().unwrap()
}

/// The rows of a wrapped list (`shppDirections` / `warehouseOuts`), one row or many.
fn wrapped(answer: &Value, list: &str, item: &str) -> Vec<Value> {
    match &answer["result"][list] {
        Value::Array(wrappers) => wrappers
            .iter()
            .flat_map(|wrapper| match &wrapper[item] {
                Value::Array(rows) => rows.clone(),
                row @ Value::Object(_) => vec![row.clone()],
                other => panic!("{item} is {other}"),
            })
            .collect(),
        other => panic!("{list} is {other}"),
    }
}

fn data(answer: &Value) -> Vec<Value> {
    answer["result"]["resultData"].as_array().unwrap().clone()
}

async fn place_order(app: &TestApp) {
    let received = app.clock.now().to_wire();
    let item = |seq: u32, vendor: &str, qty: u32, discount: i64| {
        json!({"ordItemSeq": seq, "itemId": format!("10000284633{seq:02}"), "itemNm": format!("상품 {seq}"),
               "qty": qty, "unitPrice": 4500, "splVenId": vendor, "splVenBdnDcAmt": discount})
    };
    let placed = app
        .post_json(
            "/v1/orders",
            &app.tokens.storefront,
            json!({"ordNo": ORDER, "ordpeNm": "홍길동", "customerId": "c-1001",
                   "ordRcpMediaCd": "30", "ordRcpDts": received,
                   "rcptpeNm": "김수령", "rcptpeHpno": "010-1234-5678",
                   "shpplocBascAddr": "서울특별시 중구 소공로 63", "shpplocZpCd": "04530",
                   "shippingFees": [{"splVenId": "0000012345", "amount": 3000},
                                    {"splVenId": "0000023456", "amount": 2500}],
                   "items": [item(1, "0000012345", 2, 1000), item(2, "0000012345", 1, 0),
                             item(3, "0000012345", 1, 0), item(4, "0000023456", 1, 0)]}),
        )
        .await;
    assert_eq!(placed.status, 201, "{}", placed.body);
}

async fn request_cancel(app: &TestApp, seq: u32, qty: u32) -> Value {
    let filed = app
        .post_json(
            &format!("/v1/orders/{ORDER}/cancel-requests"),
            &app.tokens.service,
            json!({"items": [{"ordItemSeq": seq, "qty": qty}], "clmRsnCd": "258",
                   "clmRsnCntt": "배송지 변경", "agentId": "agent-7"}),
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    assert_eq!(filed.body["status"], "requested");
    filed.body
}

async fn order(app: &TestApp) -> Value {
    let shown = app
        .get(&format!("/v1/orders/{ORDER}"), &app.tokens.service)
        .await;
    assert_eq!(shown.status, 200);
    shown.body
}

#[tokio::test]
async fn an_integrations_day() {
    // Statuses as answered with `--errors http`; the next test runs SSG's 500s.
    let app = spawn(support::http_errors()).await;
    let (a, b) = (app.keys.a.clone(), app.keys.b.clone());
    place_order(&app).await;

    // Shipping directions: A's three items, 배송지시, with the recipient; none of B's.
    let (start, end) = window(&app, 180);
    let list = |root: &str, perd: &str| json!({root: {"perdType": perd, "perdStrDts": start, "perdEndDts": end}});
    let (status, answer) = ssg(
        &app,
        reqwest::Method::POST,
        "/api/pd/1/listShppDirection.ssg",
        &a,
        Some(list("requestShppDirection", "02")),
    )
    .await;
    assert_eq!((status, code(&answer)), (200, "00"), "{answer}");
    let rows = wrapped(&answer, "shppDirections", "shppDirection");
    assert_eq!(rows.len(), 3, "{answer}");
    assert!(rows.iter().all(|row| row["ordNo"] == ORDER
        && row["shppProgStatDtlCd"] == 11
        && row["rcptpeNm"] == "김수령"
        && row["shppcst"] == 3000));
    let shpp_no = |seq: u32| -> u64 {
        rows.iter().find(|row| row["ordItemSeq"] == seq).unwrap()["shppNo"]
            .as_u64()
            .unwrap()
    };
    let (one, two, three) = (shpp_no(1), shpp_no(2), shpp_no(3));

    // Confirm all three (one with numbers as strings, as some integrations send them).
    for (number, seq) in [
        (json!(one), json!(1)),
        (json!(two.to_string()), json!("1")),
        (json!(three), json!(1)),
    ] {
        let (status, answer) = ssg(
            &app,
            reqwest::Method::POST,
            "/api/pd/1/updateOrderSubjectManage.ssg",
            &a,
            Some(json!({"requestOrderSubjectManage": {"shppNo": number, "shppSeq": seq}})),
        )
        .await;
        assert_eq!((status, code(&answer)), (200, "00"), "{answer}");
    }
    // B cannot confirm A's item: to B it does not exist.
    let (status, answer) = ssg(
        &app,
        reqwest::Method::POST,
        "/api/pd/1/updateOrderSubjectManage.ssg",
        &b,
        Some(json!({"requestOrderSubjectManage": {"shppNo": one, "shppSeq": 1}})),
    )
    .await;
    assert_eq!((status, code(&answer)), (404, "30"));
    assert_eq!(answer["result"]["resultMessage"], "대상이 없습니다.");

    // Confirmed items leave the directions for the warehouse-out list.
    let (_, answer) = ssg(
        &app,
        reqwest::Method::POST,
        "/api/pd/1/listShppDirection.ssg",
        &a,
        Some(list("requestShppDirection", "02")),
    )
    .await;
    assert_eq!(answer["result"]["shppDirections"], json!([]));
    let (_, answer) = ssg(
        &app,
        reqwest::Method::POST,
        "/api/pd/1/listWarehouseOut.ssg",
        &a,
        Some(list("requestWarehouseOut", "03")),
    )
    .await;
    let outs = wrapped(&answer, "warehouseOuts", "warehouseOut");
    assert_eq!(outs.len(), 3);
    assert!(
        outs.iter()
            .all(|row| row["lastShppProgStatDtlCd"] == 22 && row["ordCnfmDts"] != "")
    );

    // Confirmed: neither the customer nor an agent may cancel directly any more.
    let direct = |token: String, who: Value| {
        let app = &app;
        async move {
            let mut body = json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251"});
            body.as_object_mut()
                .unwrap()
                .extend(who.as_object().unwrap().clone());
            app.post_json(&format!("/v1/orders/{ORDER}/cancellations"), &token, body)
                .await
        }
    };
    let refused = direct(
        app.tokens.storefront.clone(),
        json!({"customerId": "c-1001"}),
    )
    .await;
    assert_eq!(
        (refused.status, refused.problem()),
        (409, "cancel-needs-service-center")
    );
    let refused = direct(app.tokens.service.clone(), json!({"agentId": "agent-7"})).await;
    assert_eq!(
        (refused.status, refused.problem()),
        (409, "use-cancel-request")
    );

    // The service center files three requests.
    let approved = request_cancel(&app, 1, 1).await;
    let rejected = request_cancel(&app, 2, 1).await;
    let withdrawn = request_cancel(&app, 3, 1).await;
    let again = app
        .post_json(
            &format!("/v1/orders/{ORDER}/cancel-requests"),
            &app.tokens.service,
            json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "agentId": "agent-7"}),
        )
        .await;
    assert_eq!((again.status, again.problem()), (409, "already-requested"));

    // The vendor lists its pending cancel requests (today−7 … today).
    let (start7, end7) = window(&app, 7);
    let requests_path =
        format!("/api/claim/v2/cancel/requests?perdStrDts={start7}&perdEndDts={end7}");
    let (status, answer) = ssg(&app, reqwest::Method::GET, &requests_path, &a, None).await;
    assert_eq!((status, code(&answer)), (200, "00"), "{answer}");
    let pending = data(&answer);
    assert_eq!(pending.len(), 3, "{answer}");
    assert!(pending.iter().all(|row| row["orordNo"] == ORDER
        && row["clmProgStatCd"] == "10"
        && row["procOrdQty"] == 1
        && row["clmRsnNm"] == "배송지 변경"));
    let (_, answer) = ssg(&app, reqwest::Method::GET, &requests_path, &b, None).await;
    assert_eq!(
        data(&answer),
        Vec::<Value>::new(),
        "B sees none of A's requests"
    );

    // B cannot approve A's request; A approves it (query string, body {}), once.
    let approve_path = format!("/api/claim/v2/cancel/request/approve?ordNo={ORDER}&ordItemSeq=1");
    let (status, answer) = ssg(
        &app,
        reqwest::Method::POST,
        &approve_path,
        &b,
        Some(json!({})),
    )
    .await;
    assert_eq!((status, code(&answer)), (404, "30"));
    let (status, answer) = ssg(
        &app,
        reqwest::Method::POST,
        &approve_path,
        &a,
        Some(json!({})),
    )
    .await;
    assert_eq!((status, code(&answer)), (200, "00"), "{answer}");
    let (_, answer) = ssg(
        &app,
        reqwest::Method::POST,
        &approve_path,
        &a,
        Some(json!({})),
    )
    .await;
    assert_eq!(code(&answer), "30", "an approved line is no longer pending");

    // The approval is a claim: the inquiry shows it, with its share of the discount.
    let inquiry = app.period(&a, &end, &end).await;
    assert_eq!(inquiry.code(), "00");
    let inquired = inquiry.json();
    let claim_rows: Vec<&Value> = inquired["result"]["data"]
        .as_array()
        .map(|rows| rows.iter().filter(|row| row["orordNo"] == ORDER).collect())
        .unwrap_or_default();
    assert_eq!(claim_rows.len(), 1, "{}", inquiry.body);
    assert_eq!(claim_rows[0]["cnclItemQty"], "1");
    assert_eq!(claim_rows[0]["imptDivCd"], "10");
    assert_eq!(claim_rows[0]["cstInfo"][0]["splVenBdnDcAmt"], "500");

    // A waybill on item 2, whose request is pending, ships it and rejects the request.
    let waybill = |shpp: u64| {
        json!({"requestWhOutCompleteProcess": {"shppNo": shpp.to_string(), "shppSeq": "1",
               "wblNo": "6012345678901", "delicoVenId": "0000033011",
               "shppTypeCd": "20", "shppTypeDtlCd": "22"}})
    };
    let (status, answer) = ssg(
        &app,
        reqwest::Method::POST,
        "/api/pd/1/saveWblNo.ssg",
        &a,
        Some(waybill(two)),
    )
    .await;
    assert_eq!((status, code(&answer)), (200, "00"), "{answer}");

    // The customer withdraws the third; approving it then finds nothing pending.
    let id = withdrawn["requestId"].as_str().unwrap();
    let undone = app
        .post_json(
            &format!("/v1/cancel-requests/{id}/withdrawal"),
            &app.tokens.storefront,
            json!({"customerId": "c-1001"}),
        )
        .await;
    assert_eq!(undone.status, 200, "{}", undone.body);
    assert_eq!(undone.body["status"], "withdrawn");
    let (status, answer) = ssg(
        &app,
        reqwest::Method::POST,
        "/api/claim/v2/cancel/requests/approve",
        &a,
        Some(json!({"ordNo": ORDER, "ordItemSeq": 3})),
    )
    .await;
    assert_eq!((status, code(&answer)), (404, "30"));
    assert_eq!(answer["result"]["resultMessage"], "대상이 없습니다.");

    // Item 1: waybill, then release of its one open unit; releasing again is 31.
    let (_, answer) = ssg(
        &app,
        reqwest::Method::POST,
        "/api/pd/1/saveWblNo.ssg",
        &a,
        Some(waybill(one)),
    )
    .await;
    assert_eq!(code(&answer), "00");
    let release =
        json!({"requestWhOutCompleteProcess": {"shppNo": one, "shppSeq": 1, "procItemQty": 2}});
    let (status, answer) = ssg(
        &app,
        reqwest::Method::POST,
        "/api/pd/1/saveWhOutCompleteProcess.ssg",
        &a,
        Some(release),
    )
    .await;
    assert_eq!(
        (status, code(&answer)),
        (409, "31"),
        "one unit is open, not two"
    );
    let release =
        json!({"requestWhOutCompleteProcess": {"shppNo": one, "shppSeq": 1, "procItemQty": 1}});
    let (_, answer) = ssg(
        &app,
        reqwest::Method::POST,
        "/api/pd/1/saveWhOutCompleteProcess.ssg",
        &a,
        Some(release.clone()),
    )
    .await;
    assert_eq!(code(&answer), "00", "{answer}");
    let (_, answer) = ssg(
        &app,
        reqwest::Method::POST,
        "/api/pd/1/saveWhOutCompleteProcess.ssg",
        &a,
        Some(release),
    )
    .await;
    assert_eq!(code(&answer), "31");
    assert!(
        answer["result"]["resultDesc"]
            .as_str()
            .unwrap()
            .contains("피킹완료 상태에서만 출고완료 처리할 수 있습니다"),
        "{answer}"
    );

    // The platform's view of it all.
    let shown = order(&app).await;
    let items = shown["items"].as_array().unwrap();
    assert_eq!(items[0]["shippingStatus"], "released");
    assert_eq!(
        (
            items[0]["canceledQty"].as_u64(),
            items[0]["shippedQty"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(items[1]["shippingStatus"], "released");
    assert_eq!(items[1]["wblNo"], "6012345678901");
    assert_eq!(items[2]["status"], "confirmed");
    assert_eq!(shown["rcptpeNm"], "김수령");
    let status_of = |request: &Value| {
        let id = request["requestId"].as_str().unwrap();
        shown["cancelRequests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["requestId"] == id)
            .unwrap()
            .clone()
    };
    let first = status_of(&approved);
    assert_eq!(first["status"], "approved");
    assert_eq!(first["lines"][0]["claimOrdNo"], claim_rows[0]["ordNo"]);
    assert_eq!(status_of(&rejected)["status"], "rejected");
    assert_eq!(status_of(&withdrawn)["status"], "withdrawn");

    // The order's detail: A sees its three items and the approved cancellation; B its one item.
    let detail_path = format!("/api/claim/v2/order/{ORDER}");
    let (_, answer) = ssg(&app, reqwest::Method::GET, &detail_path, &a, None).await;
    let rows = data(&answer);
    let divisions: Vec<(&str, Value)> = rows
        .iter()
        .map(|row| {
            (
                row["ordItemDiv"].as_str().unwrap(),
                row["clmProgStatCd"].clone(),
            )
        })
        .collect();
    assert_eq!(
        divisions,
        [
            ("011", Value::Null),
            ("011", Value::Null),
            ("011", Value::Null),
            ("021", json!("20"))
        ]
    );
    let (_, answer) = ssg(&app, reqwest::Method::GET, &detail_path, &b, None).await;
    assert_eq!(data(&answer).len(), 1);
    let (status, answer) = ssg(
        &app,
        reqwest::Method::GET,
        "/api/claim/v2/order/NO-SUCH-ORDER",
        &a,
        None,
    )
    .await;
    assert_eq!((status, code(&answer)), (404, "30"));

    // A call the sandbox does not offer is 99 in the envelope, never a bare page.
    let (status, answer) = ssg(
        &app,
        reqwest::Method::POST,
        "/api/pd/1/listNothing.ssg",
        &a,
        Some(json!({})),
    )
    .await;
    assert_eq!((status, code(&answer)), (404, "99"));
}

#[tokio::test]
async fn calls_answer_xml_and_ssgs_error_mode() {
    assert_eq!(Config::default().errors, ErrorStyle::Ssg);
    let app = spawn(Config::default()).await;
    let (start, end) = window(&app, 30);
    let response = app
        .client
        .post(format!("{}/api/pd/1/listShppDirection.ssg", app.base))
        .header("Authorization", &app.keys.a)
        .header("Content-Type", "application/xml")
        .header("Accept", "application/xml")
        .body(format!(
            "<requestShppDirection><perdType>01</perdType><perdStrDts>{start}</perdStrDts><perdEndDts>{end}</perdEndDts></requestShppDirection>"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.unwrap();
    assert!(
        text.contains("<resultCode>00</resultCode><resultMessage>SUCCESS</resultMessage>"),
        "{text}"
    );
    assert!(text.contains("<shppDirections></shppDirections>"), "{text}");

    // Errors are HTTP 500 with the envelope, as SSG answers them.
    let response = app
        .client
        .post(format!(
            "{}/api/pd/1/updateOrderSubjectManage.ssg",
            app.base
        ))
        .header("Authorization", &app.keys.a)
        .header("Content-Type", "application/json")
        .body(r#"{"requestOrderSubjectManage": {"shppNo": 999999, "shppSeq": 1}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 500);
    let value: Value = response.json().await.unwrap();
    assert_eq!(code(&value), "30");

    // A bad key is refused before the body is read.
    let response = app
        .client
        .get(format!(
            "{}/api/claim/v2/cancel/requests?perdStrDts={start}&perdEndDts={end}",
            app.base
        ))
        .header("Authorization", "not-a-key")
        .send()
        .await
        .unwrap();
    let value: Value = response.json().await.unwrap();
    assert_eq!(code(&value), "20", "{value}");
}

/// After release: delivery (배송완료) through SSG's call and the platform's, from the day
/// after release, once; the vendor's delivered list.
#[tokio::test]
async fn released_items_are_delivered_and_listed() {
    let app = spawn(Config::default()).await;
    place_order(&app).await;
    let key = app.keys.a.clone();
    for seq in [1, 2] {
        let shipped = app
            .call(
                reqwest::Method::POST,
                &format!("/v1/orders/{ORDER}/items/{seq}/shipment"),
                &key,
                None,
            )
            .await;
        assert_eq!(shipped.status, 200, "{}", shipped.body);
    }
    let record = order(&app).await;
    let shpp_no = record["items"][0]["shppNo"].as_u64().unwrap();
    let delivery = json!({"requestDeliveryEnd": {"shppNo": shpp_no, "shppSeq": 1}});
    let deliver = |body: Value| {
        let (app, key) = (&app, key.clone());
        async move {
            ssg(
                app,
                reqwest::Method::POST,
                "/api/pd/1/saveDeliveryEnd.ssg",
                &key,
                Some(body),
            )
            .await
        }
    };
    // The day of release: refused with SSG's words, on both surfaces.
    let (_, same_day) = deliver(delivery.clone()).await;
    assert_eq!(code(&same_day), "31");
    assert_eq!(
        same_day["result"]["resultDesc"],
        "배송완료는 출고일 익일부터 처리할 수 있습니다."
    );
    let platform = |seq: u32| {
        let app = &app;
        async move {
            app.post_json(
                &format!("/v1/orders/{ORDER}/items/{seq}/delivery"),
                &app.tokens.storefront,
                json!({}),
            )
            .await
        }
    };
    let too_soon = platform(2).await;
    assert_eq!(
        (too_soon.status, too_soon.problem()),
        (409, "delivered-too-soon")
    );
    // The next day: delivered, once.
    app.clock.advance(86_400);
    let (_, done) = deliver(delivery.clone()).await;
    assert_eq!(code(&done), "00", "{done}");
    let (_, again) = deliver(delivery).await;
    assert_eq!(code(&again), "31");
    assert_eq!(
        again["result"]["resultDesc"],
        "이미 배송완료 된 배송번호입니다."
    );
    let by_platform = platform(2).await;
    assert_eq!(by_platform.status, 200, "{}", by_platform.body);
    assert_eq!(by_platform.body["shippingStatus"], "delivered");
    let not_released = platform(3).await;
    assert_eq!(
        (not_released.status, not_released.problem()),
        (409, "not-released")
    );
    let vendors_only = app
        .post_json(
            &format!("/v1/orders/{ORDER}/items/3/delivery"),
            &app.tokens.service,
            json!({}),
        )
        .await;
    assert_eq!(
        vendors_only.status, 403,
        "the carrier's word comes from the storefront or admin"
    );

    // The vendor's delivered list: by delivery date, and by order number with no period.
    let (_, today) = window(&app, 0);
    let list = |body: Value| {
        let (app, key) = (&app, key.clone());
        async move {
            ssg(
                app,
                reqwest::Method::POST,
                "/api/pd/1/listDeliveryEnd.ssg",
                &key,
                Some(body),
            )
            .await
        }
    };
    let (_, listed) = list(
        json!({"requestDeliveryEnd": {"perdType": "01", "perdStrDts": today, "perdEndDts": today}}),
    )
    .await;
    let rows = wrapped(&listed, "deliveryEnds", "deliveryEnd");
    assert_eq!(rows.len(), 2, "{listed}");
    assert!(
        rows.iter()
            .all(|row| row["lastShppProgStatDtlCd"] == json!(51))
    );
    assert!(
        rows.iter()
            .all(|row| row["orOrdNo"] == json!(ORDER) && row["reOrderYn"] == "N")
    );
    let (_, looked) =
        list(json!({"requestDeliveryEnd": {"commType": "01", "commValue": ORDER}})).await;
    assert_eq!(wrapped(&looked, "deliveryEnds", "deliveryEnd").len(), 2);
    let (_, others) = ssg(
        &app,
        reqwest::Method::POST,
        "/api/pd/1/listDeliveryEnd.ssg",
        &app.keys.b,
        Some(json!({"requestDeliveryEnd": {"commType": "01", "commValue": ORDER}})),
    )
    .await;
    assert_eq!(
        others["result"]["deliveryEnds"],
        json!([""]),
        "nothing delivered of B's: [\"\"]"
    );
    let shown = order(&app).await;
    assert_eq!(shown["items"][0]["shippingStatus"], "delivered");
}
