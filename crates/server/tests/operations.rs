//! What operators rely on: probes, request ids and metrics.

mod support;

use std::sync::Arc;

use claims_server::{AppState, Config, INQUIRY_PATH, router, serve};
use claims_store::Store;
use claims_store::conformance::{VENDOR_A, order};
use claims_store_sqlite::{SqliteOptions, SqliteStore};
use support::spawn;

/// The value of the sample whose name and labels are exactly `series`, or 0 when there is
/// none yet.
fn sample(exposition: &str, series: &str) -> f64 {
    exposition
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

#[tokio::test]
async fn probes_answer_and_every_answer_carries_a_request_id() {
    let app = spawn(Config::default()).await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.base)).send();

    let health = get("/healthz").await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap()["status"],
        "ok"
    );
    let ready: serde_json::Value = get("/readyz").await.unwrap().json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["schema"]["current"], ready["schema"]["expected"]);

    // Made here when the caller sends none, a UUID; the caller's own when sensible.
    let answer = app.json(&app.keys.a, r#"{"request": {}}"#).await;
    let made = answer.headers["x-request-id"].to_str().unwrap();
    assert_eq!(made.len(), 36, "{made}");
    let again = app.json(&app.keys.a, r#"{"request": {}}"#).await;
    assert_ne!(again.headers["x-request-id"], made, "one id per request");
    let given = app
        .client
        .get(format!("{}/no/such/path", app.base))
        .header("x-request-id", "lb-2f9c.17")
        .send()
        .await
        .unwrap();
    assert_eq!(given.status(), 404);
    assert_eq!(given.headers()["x-request-id"], "lb-2f9c.17");
}

#[tokio::test]
async fn metrics_count_requests_rows_and_claims() {
    let app = spawn(support::http_errors()).await;
    let scrape = || async {
        let response = app
            .client
            .get(format!("{}/metrics", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/openmetrics-text")
        );
        response.text().await.unwrap()
    };
    let ok = format!(
        r#"ssg_claims_http_requests_total{{route="{INQUIRY_PATH}",method="POST",status="200",result_code="00"}}"#
    );
    let too_long = format!(
        r#"ssg_claims_http_requests_total{{route="{INQUIRY_PATH}",method="POST",status="400",result_code="12"}}"#
    );
    let duration = format!(
        r#"ssg_claims_http_request_duration_seconds_count{{route="{INQUIRY_PATH}",method="POST"}}"#
    );
    let created = r#"ssg_claims_http_requests_total{route="/v1/orders/{ord_no}/cancellations",method="POST",status="201",result_code=""}"#;
    let unmatched = r#"ssg_claims_http_requests_total{route="unmatched",method="GET",status="404",result_code=""}"#;

    let before = scrape().await;
    assert_eq!(sample(&before, &ok), 0.0);
    assert!(
        before.contains(r#"ssg_claims_db_pool_max_connections{pool="writer"} 1"#),
        "{before}"
    );
    assert!(before.contains(r#"ssg_claims_db_pool_connections{pool="readers",state="idle"}"#));
    assert!(before.contains(r#"ssg_claims_db_pool_waiting{pool="readers"} 0"#));

    for _ in 0..2 {
        let answer = app.period(&app.keys.a, "20261122", "20261128").await;
        assert_eq!(answer.json_rows().len(), 3);
    }
    let refused = app.period(&app.keys.a, "20261122", "20261129").await;
    assert_eq!(refused.code(), "12");
    app.client
        .get(format!("{}/no/such/path", app.base))
        .send()
        .await
        .unwrap();
    app.store
        .place_order(
            order(
                "METRICS-1",
                "2026-11-20 09:50:17",
                &[(1, VENDOR_A, None, 2, 0), (2, VENDOR_A, None, 1, 0)],
                &[],
            ),
            claims_store::conformance::at("2026-11-20 09:50:17"),
        )
        .await
        .unwrap();
    let cancel = app
        .client
        .post(format!("{}/v1/orders/METRICS-1/cancellations", app.base))
        .bearer_auth(&app.tokens.service)
        .json(&serde_json::json!({
            "items": [{"ordItemSeq": 1, "qty": 1}, {"ordItemSeq": 2, "qty": 1}],
            "clmRsnCd": "251", "agentId": "agent-7", "imptDivCd": "10"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), 201);

    let after = scrape().await;
    assert_eq!(sample(&after, &ok), 2.0);
    assert_eq!(sample(&after, &too_long), 1.0);
    assert_eq!(sample(&after, &duration), 3.0);
    assert_eq!(sample(&after, created), 1.0);
    assert_eq!(sample(&after, unmatched), 1.0);
    assert_eq!(sample(&after, "ssg_claims_inquiry_rows_total"), 6.0);
    assert_eq!(sample(&after, "ssg_claims_inquiry_answer_rows_count"), 2.0);
    assert_eq!(sample(&after, "ssg_claims_claims_created_total"), 1.0);
    assert_eq!(sample(&after, "ssg_claims_claim_lines_created_total"), 2.0);
    assert!(after.ends_with("# EOF\n"));
}

#[tokio::test]
async fn a_database_at_another_schema_version_is_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.db");
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&path, SqliteOptions::default())
            .await
            .unwrap(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(
        listener,
        router(AppState::new(Arc::clone(&store), Config::default())),
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // A newer build migrated the file meanwhile.
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let answer = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(answer.status(), 503);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["status"], "unready");
    assert!(
        body["reason"].as_str().unwrap().contains("version 99"),
        "{body}"
    );
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200, "alive, only not ready");
}

#[tokio::test]
async fn the_openapi_document_is_served_and_names_only_real_routes() {
    let app = spawn(Config::default()).await;
    let served = app
        .client
        .get(format!("{}/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "application/json");
    let text = served.text().await.unwrap();
    assert_eq!(text, claims_server::OPENAPI);
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));

    // Every documented operation reaches a handler: asked without credentials, each answers
    // something other than "no such endpoint" or "method not allowed".
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 12, "{:?}", paths.keys());
    for (path, operations) in paths {
        let concrete = path
            .replace("{ordNo}", "A-ORDER-1")
            .replace("{ordItemSeq}", "1")
            .replace("{splVenId}", VENDOR_A)
            .replace("{keyId}", "key_0123456789abcdef")
            .replace("{requestId}", "creq_0123456789abcdef")
            .replace("{orordNo}", "A-ORDER-1")
            .replace("{clmNo}", "20261122000001")
            .replace("{webhookId}", "wh_0123456789abcdef");
        for method in operations.as_object().unwrap().keys() {
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let answer = app
                .client
                .request(method.clone(), format!("{}{concrete}", app.base))
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            let body = answer.text().await.unwrap();
            assert!(
                !body.contains("route-not-found") && status != 405,
                "{method} {path}: {status} {body}"
            );
            let documented = &operations[method.as_str().to_lowercase()]["responses"];
            assert!(
                documented.get(status.to_string()).is_some(),
                "{method} {path} answered {status}, which the document does not list"
            );
        }
    }
}
