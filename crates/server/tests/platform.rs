//! The platform API over HTTP: orders, cancellations by customers and agents, shipments,
//! vendor administration, and every kind of problem.

mod support;

use claims_domain::{KstDate, KstDateTime};
use claims_server::Config;
use serde_json::{Value, json};
use support::{TestApp, spawn};

async fn app() -> TestApp {
    spawn(Config::default()).await
}

/// An order with two items of vendor A (the first with a 1,000 won vendor discount) and
/// one of vendor B (500 won), with shipping fees for both.
fn two_vendor_order(ord_no: &str) -> Value {
    json!({
        "ordNo": ord_no, "ordpeNm": "홍길동", "customerId": "c-1001",
        "ordRcpMediaCd": "30", "ordRcpDts": "2026-11-20 09:50:17",
        "shippingFees": [{"splVenId": "0000012345", "amount": 3000},
                         {"splVenId": "0000023456", "amount": 2500}],
        "items": [
            {"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "유기농 우유 1L", "uitemId": "00001",
             "uitemNm": "", "qty": 3, "unitPrice": 4500, "splVenId": "0000012345", "splVenBdnDcAmt": 1000},
            {"ordItemSeq": 2, "itemId": "1000031827754", "itemNm": "M&M's 초콜릿 <대용량> 1kg",
             "qty": 1, "unitPrice": 15900, "splVenId": "0000012345"},
            {"ordItemSeq": 3, "itemId": "1000051234503", "itemNm": "블루투스 이어폰", "uitemId": "00003",
             "uitemNm": "화이트", "qty": 2, "unitPrice": 89000, "splVenId": "0000023456", "splVenBdnDcAmt": 500}
        ]
    })
}

/// A period inquiry around today, which covers whatever the server's clock stamped.
fn around_today() -> (String, String) {
    let today = KstDate::of(KstDateTime::from_timestamp(jiff::Timestamp::now()));
    (today.plus_days(-1).compact(), today.plus_days(1).compact())
}

#[tokio::test]
async fn an_order_canceled_by_customer_and_agent_then_shipped() {
    let app = app().await;
    let placed = app
        .post_json(
            "/v1/orders",
            &app.tokens.storefront,
            two_vendor_order("E2E-1"),
        )
        .await;
    assert_eq!(placed.status, 201, "{:?}", placed.body);
    assert_eq!(placed.headers["location"], "/v1/orders/E2E-1");

    // The customer cancels part of item 1.
    let by_customer = app
        .post_json(
            "/v1/orders/E2E-1/cancellations",
            &app.tokens.storefront,
            json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "customerId": "c-1001"}),
        )
        .await;
    assert_eq!(by_customer.status, 201, "{:?}", by_customer.body);
    let first = &by_customer.body;
    assert_eq!(first["imptDivCd"], "10");
    assert_eq!(first["orordNo"], "E2E-1");
    assert_eq!(first["lines"][0]["orordItemSeq"], 1);
    assert_eq!(first["ordNo"].as_str().unwrap().len(), 14);
    assert_eq!(first["canceledBy"], json!({"customerId": "c-1001"}));
    assert_eq!(first["lines"][0]["cstInfo"][0]["splVenBdnDcAmt"], 333);

    // An agent cancels the rest of item 1 and all of item 3, at the vendor's fault.
    let by_agent = app
        .post_json(
            "/v1/orders/E2E-1/cancellations",
            &app.tokens.service,
            json!({"items": [{"ordItemSeq": 3, "qty": 2}, {"ordItemSeq": 1, "qty": 2}],
                   "clmRsnCd": "252", "clmRsnCntt": "색상 변경 요청", "agentId": "agent-7", "imptDivCd": "20"}),
        )
        .await;
    assert_eq!(by_agent.status, 201, "{:?}", by_agent.body);
    let second = &by_agent.body;
    assert_eq!(second["imptDivCd"], "20");
    assert_eq!(second["canceledBy"], json!({"agentId": "agent-7"}));
    assert_eq!(second["clmRsnNm"], "사이즈/색상 옵션 변경");
    assert_ne!(first["ordNo"], second["ordNo"]);

    // Vendor A ships what is left: item 2.
    let shipped = app
        .post_json("/v1/orders/E2E-1/items/2/shipment", &app.keys.a, json!({}))
        .await;
    assert_eq!(shipped.status, 200, "{:?}", shipped.body);
    assert_eq!(shipped.body["qty"], 1);

    // Nothing more can be canceled, and a fully canceled item cannot ship.
    let late = app
        .post_json(
            "/v1/orders/E2E-1/cancellations",
            &app.tokens.storefront,
            json!({"items": [{"ordItemSeq": 2, "qty": 1}], "clmRsnCd": "251", "customerId": "c-1001"}),
        )
        .await;
    assert_eq!((late.status, late.problem()), (409, "already-shipped"));
    assert!(late.body["detail"].as_str().unwrap().contains("item 2"));
    let none_open = app
        .post_json(
            "/v1/orders/E2E-1/cancellations",
            &app.tokens.service,
            json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "agentId": "agent-7"}),
        )
        .await;
    assert_eq!(
        (none_open.status, none_open.problem()),
        (409, "quantity-exceeds-open")
    );
    let ship_canceled = app
        .post_json("/v1/orders/E2E-1/items/3/shipment", &app.keys.b, json!({}))
        .await;
    assert_eq!(
        (ship_canceled.status, ship_canceled.problem()),
        (409, "fully-canceled")
    );

    // The order shows where every item stands.
    let order = app.get("/v1/orders/E2E-1", &app.tokens.service).await;
    assert_eq!(order.status, 200);
    let items = order.body["items"].as_array().unwrap();
    let states: Vec<(u64, u64, u64, &str)> = items
        .iter()
        .map(|i| {
            (
                i["canceledQty"].as_u64().unwrap(),
                i["shippedQty"].as_u64().unwrap(),
                i["openQty"].as_u64().unwrap(),
                i["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            (3, 0, 0, "canceled"),
            (0, 1, 0, "shipped"),
            (2, 0, 0, "canceled")
        ]
    );
    assert_eq!(order.body["claims"].as_array().unwrap().len(), 2);

    // The inquiry shows exactly the claim lines, to each vendor its own.
    let (start, end) = around_today();
    let request = format!(
        r#"{{"request": {{"perdStrDts": "{start}", "perdEndDts": "{end}", "orordNo": "E2E-1"}}}}"#
    );
    let a_rows = app.json(&app.keys.a, &request).await.json()["result"]["data"].clone();
    let a_rows = a_rows.as_array().unwrap();
    assert_eq!(a_rows.len(), 2);
    let summary: Vec<(&str, &str, &str, &str, &str, &str)> = a_rows
        .iter()
        .map(|r| {
            (
                r["orordItemSeq"].as_str().unwrap(),
                r["cnclItemQty"].as_str().unwrap(),
                r["dircItemQty"].as_str().unwrap(),
                r["imptDivCd"].as_str().unwrap(),
                r["clmRsnNm"].as_str().unwrap(),
                r["ordItemStatNm"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("1", "1", "3", "10", "단순취소", "주문취소"),
            ("1", "2", "3", "20", "사이즈/색상 옵션 변경", "주문취소")
        ]
    );
    let discount: i64 = a_rows
        .iter()
        .map(|r| {
            r["cstInfo"][0]["splVenBdnDcAmt"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap()
        })
        .sum();
    assert_eq!(
        discount, 1000,
        "the line's whole discount, over both claims"
    );
    assert!(
        a_rows
            .iter()
            .all(|r| r["cstInfo"][0]["shpmtShppcst"] == "0"),
        "part of A's goods shipped: no shipping refund"
    );
    let b_rows = app.json(&app.keys.b, &request).await.json()["result"]["data"].clone();
    assert_eq!(b_rows.as_array().unwrap().len(), 1);
    assert_eq!(b_rows[0]["ordNo"], second["ordNo"]);
    assert_eq!(
        b_rows[0]["ordItemSeq"], "2",
        "lines follow item order: item 3 is line 2"
    );
    assert_eq!(b_rows[0]["cstInfo"][0]["shpmtShppcst"], "2500");
    assert_eq!(b_rows[0]["cstInfo"][0]["splVenBdnDcAmt"], "500");

    // The same in XML.
    let xml = app
        .xml(
            &app.keys.b,
            &format!(
                "<request><perdStrDts>{start}</perdStrDts><perdEndDts>{end}</perdEndDts><orordNo>E2E-1</orordNo></request>"
            ),
        )
        .await;
    let document = roxmltree::Document::parse(&xml.body).unwrap();
    let data: Vec<_> = document
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("data"))
        .collect();
    assert_eq!(data.len(), 1);
    let shipping: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("shpmtShppcst"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(shipping, ["2500"]);
}

#[tokio::test]
async fn placing_an_order_is_idempotent_on_its_number() {
    let app = app().await;
    let body = two_vendor_order("IDEM-1");
    let first = app
        .post_json("/v1/orders", &app.tokens.storefront, body.clone())
        .await;
    assert_eq!(first.status, 201);
    let again = app
        .post_json("/v1/orders", &app.tokens.admin, body.clone())
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, first.body);
    let mut different = body;
    different["items"][0]["qty"] = json!(4);
    let conflict = app
        .post_json("/v1/orders", &app.tokens.storefront, different)
        .await;
    assert_eq!(
        (conflict.status, conflict.problem()),
        (409, "conflicting-resubmit")
    );
}

#[tokio::test]
async fn invalid_orders_name_the_field() {
    let app = app().await;
    // (path of the field to set, new value, field the problem must name)
    let cases = [
        ("/items/1/qty", json!(0), "items[1].qty"),
        ("/ordRcpDts", json!("2026-11-20T09:50:17"), "ordRcpDts"),
        ("/ordRcpMediaCd", json!("31"), "ordRcpMediaCd"),
        (
            "/items/0/splVenId",
            json!("0000099999"),
            "items[0].splVenId",
        ),
        (
            "/items/2/lrnkSplVenId",
            json!("0000012346"),
            "items[2].lrnkSplVenId",
        ),
        ("/items/2/ordItemSeq", json!(1), "items[2].ordItemSeq"),
        (
            "/items/0/itemNm",
            json!("bad\u{0007}name"),
            "items[0].itemNm",
        ),
        ("/ordNo", json!("주문-1"), "ordNo"),
    ];
    for (pointer, value, field) in cases {
        let mut order = two_vendor_order("BAD-1");
        let mut target = &mut order;
        for part in pointer.split('/').skip(1) {
            target = match part.parse::<usize>() {
                Ok(index) => &mut target[index],
                Err(_) => &mut target[part],
            };
        }
        *target = value;
        let reply = app
            .post_json("/v1/orders", &app.tokens.storefront, order)
            .await;
        assert_eq!(
            (reply.status, reply.problem()),
            (400, "invalid-input"),
            "{field}"
        );
        assert_eq!(reply.body["field"], field, "{:?}", reply.body);
    }
    // Not JSON at all, unknown fields, the wrong media type.
    let garbage = app
        .client
        .post(format!("{}/v1/orders", app.base))
        .bearer_auth(&app.tokens.storefront)
        .header("content-type", "application/json")
        .body("{\"ordNo\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    let mut extra = two_vendor_order("BAD-2");
    extra["coupon"] = json!("X");
    let reply = app
        .post_json("/v1/orders", &app.tokens.storefront, extra)
        .await;
    assert_eq!(reply.problem(), "invalid-input");
    assert!(reply.body["detail"].as_str().unwrap().contains("coupon"));
    let form = app
        .client
        .post(format!("{}/v1/orders", app.base))
        .bearer_auth(&app.tokens.storefront)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("ordNo=1")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    assert_eq!(form.headers()["content-type"], "application/problem+json");
    let huge = app
        .client
        .post(format!("{}/v1/orders", app.base))
        .bearer_auth(&app.tokens.storefront)
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    assert!(app.get("/v1/orders/BAD-1", &app.tokens.admin).await.status == 404);
}

#[tokio::test]
async fn cancellation_problems() {
    let app = app().await;
    app.post_json(
        "/v1/orders",
        &app.tokens.storefront,
        two_vendor_order("P-1"),
    )
    .await;
    let cancel = |token: &str, body: Value| {
        let token = token.to_owned();
        let app = &app;
        async move {
            app.post_json("/v1/orders/P-1/cancellations", &token, body)
                .await
        }
    };
    let someone_else = cancel(
        &app.tokens.storefront,
        json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "customerId": "c-2002"}),
    )
    .await;
    assert_eq!(
        (someone_else.status, someone_else.problem()),
        (403, "not-your-order")
    );
    let blame_vendor = cancel(
        &app.tokens.storefront,
        json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "customerId": "c-1001", "imptDivCd": "20"}),
    )
    .await;
    assert_eq!(
        (
            blame_vendor.status,
            blame_vendor.problem(),
            blame_vendor.body["field"].as_str()
        ),
        (400, "invalid-input", Some("imptDivCd"))
    );
    let unknown_item = cancel(
        &app.tokens.service,
        json!({"items": [{"ordItemSeq": 9, "qty": 1}], "clmRsnCd": "251", "agentId": "a-1"}),
    )
    .await;
    assert_eq!(
        (unknown_item.status, unknown_item.problem()),
        (404, "item-not-found")
    );
    let too_many = cancel(
        &app.tokens.service,
        json!({"items": [{"ordItemSeq": 1, "qty": 1}, {"ordItemSeq": 2, "qty": 2}], "clmRsnCd": "251", "agentId": "a-1"}),
    )
    .await;
    assert_eq!(
        (too_many.status, too_many.problem()),
        (409, "quantity-exceeds-open")
    );
    let bad_reason = cancel(
        &app.tokens.service,
        json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "999", "agentId": "a-1"}),
    )
    .await;
    assert_eq!(bad_reason.body["field"], "clmRsnCd");
    let no_agent = cancel(
        &app.tokens.service,
        json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251"}),
    )
    .await;
    assert_eq!(no_agent.body["field"], "agentId");
    let admin = cancel(
        &app.tokens.admin,
        json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "agentId": "a-1"}),
    )
    .await;
    assert_eq!((admin.status, admin.problem()), (403, "forbidden"));
    let unknown_order = app
        .post_json(
            "/v1/orders/NOPE/cancellations",
            &app.tokens.service,
            json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "agentId": "a-1"}),
        )
        .await;
    assert_eq!(
        (unknown_order.status, unknown_order.problem()),
        (404, "order-not-found")
    );
    // Every refusal left the order untouched.
    let order = app.get("/v1/orders/P-1", &app.tokens.admin).await;
    assert!(order.body["claims"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn shipping_is_for_the_items_vendor_only() {
    let app = app().await;
    app.post_json(
        "/v1/orders",
        &app.tokens.storefront,
        two_vendor_order("S-1"),
    )
    .await;
    // Another vendor's item is answered exactly as a missing one, so that no key can map
    // which orders and items exist.
    let wrong_vendor = app
        .post_json("/v1/orders/S-1/items/3/shipment", &app.keys.a, json!({}))
        .await;
    assert_eq!(
        (wrong_vendor.status, wrong_vendor.problem()),
        (404, "item-not-found")
    );
    let missing_order = app
        .post_json("/v1/orders/S-404/items/3/shipment", &app.keys.a, json!({}))
        .await;
    assert_eq!(missing_order.status, wrong_vendor.status);
    assert_eq!(
        serde_json::to_string(&missing_order.body)
            .unwrap()
            .replace("S-404", "S-1"),
        serde_json::to_string(&wrong_vendor.body).unwrap()
    );
    let by_token = app
        .post_json(
            "/v1/orders/S-1/items/3/shipment",
            &app.tokens.admin,
            json!({}),
        )
        .await;
    assert_eq!((by_token.status, by_token.problem()), (403, "forbidden"));
    let no_item = app
        .post_json("/v1/orders/S-1/items/x/shipment", &app.keys.b, json!({}))
        .await;
    assert_eq!((no_item.status, no_item.problem()), (404, "item-not-found"));
    let ok = app
        .post_json("/v1/orders/S-1/items/3/shipment", &app.keys.b, json!({}))
        .await;
    assert_eq!(ok.status, 200);
    let again = app
        .post_json("/v1/orders/S-1/items/3/shipment", &app.keys.b, json!({}))
        .await;
    assert_eq!((again.status, again.problem()), (409, "already-shipped"));
}

#[tokio::test]
async fn credentials_and_roles() {
    let app = app().await;
    let order = two_vendor_order("R-1");
    let anonymous = app
        .client
        .post(format!("{}/v1/orders", app.base))
        .json(&order)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    let unknown = app.post_json("/v1/orders", "sct_0000", order.clone()).await;
    assert_eq!(
        (unknown.status, unknown.problem()),
        (401, "unauthenticated")
    );
    let service = app
        .post_json("/v1/orders", &app.tokens.service, order.clone())
        .await;
    assert_eq!((service.status, service.problem()), (403, "forbidden"));
    let vendor = app.post_json("/v1/orders", &app.keys.a, order).await;
    assert_eq!((vendor.status, vendor.problem()), (403, "forbidden"));
    let read_by_vendor = app.get("/v1/orders/R-1", &app.keys.a).await;
    assert_eq!(read_by_vendor.status, 403);
    app.post_json(
        "/v1/orders",
        &app.tokens.storefront,
        two_vendor_order("R-1"),
    )
    .await;
    // The storefront reads an order only with the customer who placed it; otherwise the
    // order is answered exactly as a missing one.
    let storefront = |path: &'static str| app.get(path, &app.tokens.storefront);
    let own = storefront("/v1/orders/R-1?customerId=c-1001").await;
    assert_eq!(own.status, 200);
    let missing = storefront("/v1/orders/R-404?customerId=c-1001").await;
    assert_eq!(
        (missing.status, missing.problem()),
        (404, "order-not-found")
    );
    for path in ["/v1/orders/R-1", "/v1/orders/R-1?customerId=c-9999"] {
        let hidden = storefront(path).await;
        assert_eq!(hidden.status, 404, "{path}");
        assert_eq!(
            serde_json::to_string(&hidden.body).unwrap(),
            serde_json::to_string(&missing.body)
                .unwrap()
                .replace("R-404", "R-1"),
            "{path}"
        );
    }
    // The service center reads any order.
    assert_eq!(
        app.get("/v1/orders/R-1", &app.tokens.service).await.status,
        200
    );
    let vendors = app
        .post_json(
            "/v1/vendors",
            &app.tokens.storefront,
            json!({"splVenId": "0000034567", "name": "초록마켓"}),
        )
        .await;
    assert_eq!(vendors.status, 403);
    let nowhere = app.get("/v1/nowhere", &app.tokens.admin).await;
    assert_eq!(
        (nowhere.status, nowhere.problem()),
        (404, "route-not-found")
    );
    let wrong_method = app
        .call(reqwest::Method::PUT, "/v1/orders", &app.tokens.admin, None)
        .await;
    assert_eq!(
        (wrong_method.status, wrong_method.problem()),
        (405, "method-not-allowed")
    );
}

#[tokio::test]
async fn administrators_register_vendors_and_manage_keys() {
    let app = app().await;
    let vendor = app
        .post_json(
            "/v1/vendors",
            &app.tokens.admin,
            json!({"splVenId": "0000034567", "name": "초록마켓"}),
        )
        .await;
    assert_eq!(vendor.status, 201, "{:?}", vendor.body);
    let lower = app
        .post_json(
            "/v1/vendors",
            &app.tokens.admin,
            json!({"splVenId": "0000034568", "name": "초록마켓 물류", "parentSplVenId": "0000034567"}),
        )
        .await;
    assert_eq!(lower.body["parentSplVenId"], "0000034567");
    let exists = app
        .post_json(
            "/v1/vendors",
            &app.tokens.admin,
            json!({"splVenId": "0000034567", "name": "x"}),
        )
        .await;
    assert_eq!((exists.status, exists.problem()), (409, "vendor-exists"));

    let key = app
        .post_json(
            "/v1/vendors/0000034567/keys",
            &app.tokens.admin,
            json!({"lrnkSplVenId": "0000034568"}),
        )
        .await;
    assert_eq!(key.status, 201, "{:?}", key.body);
    assert_eq!(key.headers["cache-control"], "no-store");
    let api_key = key.body["apiKey"].as_str().unwrap().to_owned();
    let key_id = key.body["keyId"].as_str().unwrap().to_owned();
    assert_eq!(key.body["lrnkSplVenId"], "0000034568");
    let no_body = app
        .call(
            reqwest::Method::POST,
            "/v1/vendors/0000034567/keys",
            &app.tokens.admin,
            None,
        )
        .await;
    assert_eq!(no_body.status, 201, "{:?}", no_body.body);
    assert_eq!(no_body.body["lrnkSplVenId"], Value::Null);
    let missing = app
        .post_json("/v1/vendors/0000099999/keys", &app.tokens.admin, json!({}))
        .await;
    assert_eq!(
        (missing.status, missing.problem()),
        (404, "vendor-not-found")
    );

    let ask = r#"{"request": {"orordNo": "ANY"}}"#;
    assert_eq!(app.json(&api_key, ask).await.code(), "00");
    let revoked = app
        .call(
            reqwest::Method::DELETE,
            &format!("/v1/keys/{key_id}"),
            &app.tokens.admin,
            None,
        )
        .await;
    assert_eq!(revoked.status, 200);
    assert!(revoked.body["revokedAt"].is_string());
    assert!(
        revoked.body.get("apiKey").is_none(),
        "a key is shown only when issued"
    );
    assert_eq!(
        app.json(&api_key, ask).await.code(),
        "20",
        "revocation is effective at once"
    );
    let gone = app
        .call(
            reqwest::Method::DELETE,
            "/v1/keys/key_0000000000000000",
            &app.tokens.admin,
            None,
        )
        .await;
    assert_eq!((gone.status, gone.problem()), (404, "key-not-found"));
}

#[tokio::test]
async fn claims_and_a_customers_orders_are_looked_up_and_every_201_says_where() {
    let app = app().await;
    let mut order = two_vendor_order("LOOK-1");
    for (no, received) in [
        ("LOOK-1", "2026-11-20 09:00:00"),
        ("LOOK-2", "2026-11-21 09:00:00"),
        ("LOOK-3", "2026-11-22 09:00:00"),
    ] {
        order["ordNo"] = json!(no);
        order["ordRcpDts"] = json!(received);
        order["customerId"] = json!("c-7777");
        let placed = app
            .post_json("/v1/orders", &app.tokens.storefront, order.clone())
            .await;
        assert_eq!(placed.status, 201);
        assert_eq!(placed.headers["location"], format!("/v1/orders/{no}"));
    }
    let canceled = app
        .post_json(
            "/v1/orders/LOOK-2/cancellations",
            &app.tokens.storefront,
            json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "customerId": "c-7777"}),
        )
        .await;
    assert_eq!(canceled.status, 201);
    let location = canceled.headers["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/v1/claims/{}", canceled.body["ordNo"].as_str().unwrap())
    );

    // The claim, by its number: the service center freely, the storefront with the customer.
    let shown = app.get(&location, &app.tokens.service).await;
    assert_eq!((shown.status, &shown.body), (200, &canceled.body));
    let hidden = app.get(&location, &app.tokens.storefront).await;
    assert_eq!((hidden.status, hidden.problem()), (404, "claim-not-found"));
    let mine = app
        .get(
            &format!("{location}?customerId=c-7777"),
            &app.tokens.storefront,
        )
        .await;
    assert_eq!(mine.status, 200);
    let missing = app
        .get("/v1/claims/20261122ZZZZZZ", &app.tokens.service)
        .await;
    assert_eq!(
        (missing.status, missing.problem()),
        (404, "claim-not-found")
    );

    // A customer's orders, newest first, a page at a time.
    let page = app
        .get("/v1/orders?customerId=c-7777&limit=2", &app.tokens.service)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let numbers = |body: &Value| -> Vec<String> {
        body["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|order| order["ordNo"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(numbers(&page.body), ["LOOK-3", "LOOK-2"]);
    let cursor = page.body["nextCursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/v1/orders?customerId=c-7777&limit=2&cursor={cursor}"),
            &app.tokens.storefront,
        )
        .await;
    assert_eq!(numbers(&rest.body), ["LOOK-1"]);
    assert!(
        rest.body.get("nextCursor").is_none(),
        "the last page says so"
    );
    for (query, field) in [
        ("", "customerId"),
        ("?customerId=c-7777&limit=0", "limit"),
        ("?customerId=c-7777&limit=101", "limit"),
        ("?customerId=c-7777&cursor=nonsense", "cursor"),
    ] {
        let refused = app
            .get(&format!("/v1/orders{query}"), &app.tokens.service)
            .await;
        assert_eq!(
            (refused.status, refused.problem()),
            (400, "invalid-input"),
            "{query}"
        );
        assert_eq!(refused.body["field"], field, "{query}");
    }
    let vendor_key = app.get("/v1/orders?customerId=c-7777", &app.keys.a).await;
    assert_eq!(vendor_key.status, 403);

    // A vendor and a key, each where its Location says.
    let vendor = app
        .post_json(
            "/v1/vendors",
            &app.tokens.admin,
            json!({"splVenId": "0000099999", "name": "새 업체"}),
        )
        .await;
    assert_eq!(vendor.headers["location"], "/v1/vendors/0000099999");
    let shown = app.get("/v1/vendors/0000099999", &app.tokens.admin).await;
    assert_eq!(
        (shown.status, &shown.body["name"]),
        (200, &json!("새 업체"))
    );
    let key = app
        .post_json("/v1/vendors/0000099999/keys", &app.tokens.admin, json!({}))
        .await;
    assert_eq!(
        key.headers["location"],
        format!("/v1/keys/{}", key.body["keyId"].as_str().unwrap())
    );
}

#[tokio::test]
async fn problems_are_in_korean_when_asked_and_english_otherwise() {
    let app = app().await;
    let ask = |language: Option<&'static str>| {
        let request = app
            .client
            .post(format!("{}/v1/orders/A-ORDER-1/cancellations", app.base))
            .bearer_auth(&app.tokens.service)
            .json(
                &json!({"items": [{"ordItemSeq": 1, "qty": 5}], "clmRsnCd": "251",
                          "agentId": "agent-7"}),
            );
        let request = match language {
            Some(language) => request.header("Accept-Language", language),
            None => request,
        };
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let language = response
                .headers()
                .get("content-language")
                .map(|value| value.to_str().unwrap().to_owned());
            let body: Value = response.json().await.unwrap();
            (status, language, body)
        }
    };
    let (status, language, english) = ask(None).await;
    assert_eq!((status, language), (409, None));
    assert_eq!(english["title"], "More units than are still open");
    assert!(
        english["detail"].as_str().unwrap().contains("still open"),
        "{english}"
    );

    let (status, language, korean) = ask(Some("ko-KR,ko;q=0.9,en;q=0.8")).await;
    assert_eq!((status, language.as_deref()), (409, Some("ko")));
    assert_eq!(korean["type"], english["type"], "the same problem");
    assert_eq!(korean["title"], "남은 수량보다 많습니다");
    assert_eq!(
        korean["detail"], "1번 상품은 0개 남았는데 5개를 취소하려 했습니다.",
        "{korean}"
    );
    let (_, _, preferred_english) = ask(Some("en-US,en;q=0.9,ko;q=0.5")).await;
    assert_eq!(preferred_english, english);

    // Invalid input names the field in both languages.
    let invalid = app
        .client
        .post(format!("{}/v1/orders", app.base))
        .bearer_auth(&app.tokens.storefront)
        .header("Accept-Language", "ko")
        .json(&json!({"ordNo": "KO-1", "ordpeNm": "홍길동", "customerId": "c-1", "ordRcpMediaCd": "30",
                      "ordRcpDts": "2026-11-20 09:50:17",
                      "items": [{"ordItemSeq": 1, "itemId": "1", "itemNm": "x", "qty": 0,
                                 "unitPrice": 1, "splVenId": "0000012345"}]}))
        .send()
        .await
        .unwrap();
    let body: Value = invalid.json().await.unwrap();
    assert_eq!(body["field"], "items[0].qty");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("items[0].qty 값이 올바르지 않습니다"),
        "{body}"
    );
}
