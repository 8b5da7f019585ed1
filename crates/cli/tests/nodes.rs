//! Two server processes on one PostgreSQL database, as a load-balanced deployment runs them:
//! concurrent cancellations through both never over-cancel, and both answer alike.

mod support;

use std::collections::HashSet;

use claims_store_postgres::testing::{TestDatabase, server_url};
use serde_json::{Value, json};
use support::{add_vendor, create_token, issue_key, run, serve, ssg_claims};

const ORDERED: u64 = 30;

#[test]
fn two_nodes_on_one_database_share_every_guarantee() {
    let Some(server) = server_url("the two-node test") else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let database = runtime.block_on(TestDatabase::create(&server));
    let db = database.url.as_str();

    add_vendor(db, "0000012345", "(주)한빛유통");
    let key = issue_key(db, "0000012345");
    let token = create_token(db, "service-center");
    let orders = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        orders.path(),
        json!({"ordNo": "NODES-1", "ordpeNm": "홍길동", "customerId": "c-1001", "ordRcpMediaCd": "99",
               "ordRcpDts": "2026-11-20 09:50:17",
               "shippingFees": [{"splVenId": "0000012345", "amount": 3000}],
               "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "유기농 우유 1L",
                          "qty": ORDERED, "unitPrice": 4500, "splVenId": "0000012345",
                          "splVenBdnDcAmt": 1000}]})
        .to_string(),
    )
    .unwrap();
    run(ssg_claims(db).arg("order").arg("import").arg(orders.path()));

    let (_first, node_a) = serve(db);
    let (_second, node_b) = serve(db);

    let results: Vec<(u16, Value)> = runtime.block_on(async {
        let client = reqwest::Client::new();
        let requests = (0..96).map(|n| {
            let node = if n % 2 == 0 { &node_a } else { &node_b };
            let request = client
                .post(format!("{node}/v1/orders/NODES-1/cancellations"))
                .bearer_auth(&token)
                .json(
                    &json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251",
                              "agentId": format!("agent-{n}")}),
                );
            async move {
                let response = request.send().await.unwrap();
                (
                    response.status().as_u16(),
                    response.json::<Value>().await.unwrap(),
                )
            }
        });
        futures::future::join_all(requests).await
    });

    let accepted: Vec<&Value> = results
        .iter()
        .filter(|(status, _)| *status == 201)
        .map(|(_, body)| body)
        .collect();
    for (status, body) in &results {
        assert!(
            *status == 201
                || (*status == 409
                    && body["type"] == "urn:ssg-claims:problem:quantity-exceeds-open"),
            "{status}: {body}"
        );
    }
    assert_eq!(
        accepted.len() as u64,
        ORDERED,
        "exactly the ordered units were canceled"
    );
    let numbers: HashSet<&str> = accepted
        .iter()
        .map(|c| c["ordNo"].as_str().unwrap())
        .collect();
    assert_eq!(
        numbers.len(),
        accepted.len(),
        "claim numbers are unique across nodes"
    );
    let discount: i64 = accepted
        .iter()
        .map(|c| {
            c["lines"][0]["cstInfo"][0]["splVenBdnDcAmt"]
                .as_i64()
                .unwrap()
        })
        .sum();
    assert_eq!(
        discount, 1000,
        "the discount is returned exactly once over all claims"
    );
    let shipping: i64 = accepted
        .iter()
        .map(|c| {
            c["lines"][0]["cstInfo"][0]["shpmtShppcst"]
                .as_i64()
                .unwrap()
        })
        .sum();
    assert_eq!(shipping, 3000, "the shipping fee is returned exactly once");

    // Both nodes see the same order and answer the inquiry byte for byte alike.
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let order_a: Value = client
            .get(format!("{node_a}/v1/orders/NODES-1"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(order_a["items"][0]["canceledQty"], ORDERED);
        assert_eq!(order_a["claims"].as_array().unwrap().len() as u64, ORDERED);
        for (content_type, body) in [
            (
                "application/json",
                r#"{"request": {"orordNo": "NODES-1"}}"#.to_owned(),
            ),
            (
                "application/xml",
                "<request><orordNo>NODES-1</orordNo></request>".to_owned(),
            ),
        ] {
            let mut answers = Vec::new();
            for node in [&node_a, &node_b] {
                let answer = client
                    .post(format!("{node}/api/clm/cncl/ord/inquiry.ssg"))
                    .header("authorization", &key)
                    .header("content-type", content_type)
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(answer.status(), 200);
                answers.push(answer.text().await.unwrap());
            }
            assert_eq!(answers[0], answers[1], "{content_type}");
            assert_eq!(
                answers[0].matches("NODES-1").count() as u64,
                ORDERED,
                "{content_type}"
            );
        }
    });
}
