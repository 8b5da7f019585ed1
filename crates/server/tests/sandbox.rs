//! The sandbox's record and report over HTTP, on both stores: every vendor call recorded
//! with the cancellations its answer carried, the report read by the admin or the vendor's
//! own key (never another vendor's), reconcile with the integration's view as JSON and as
//! CSV, the console's report page with its timeline, and `effectiveAt` refused outside a
//! sandbox.

mod support;

use claims_server::Config;
use claims_store::UserRole;
use claims_store::conformance::{VENDOR_A, VENDOR_B, at, order};
use reqwest::Method;
use serde_json::{Value, json};
use support::visitor::{PASSWORD, Visitor, add_user};
use support::{Backend, TestApp, spawn_on};

const INQUIRY: &str = "/api/clm/cncl/ord/inquiry.ssg";

fn sandbox() -> Config {
    Config {
        sandbox: true,
        ..Config::default()
    }
}

/// Places `ord_no` now (sandbox time): item 1 of vendor A (3 units), item 2 of vendor B.
async fn place(app: &TestApp, ord_no: &str) {
    let now = app.state.clock.now();
    app.store
        .place_order(
            order(
                ord_no,
                &now.to_wire(),
                &[(1, VENDOR_A, None, 3, 300), (2, VENDOR_B, None, 1, 0)],
                &[(VENDOR_A, 3000)],
            ),
            now,
        )
        .await
        .unwrap();
}

async fn cancel(app: &TestApp, ord_no: &str, seq: u32, qty: u32) -> Value {
    let canceled = app
        .post_json(
            &format!("/v1/orders/{ord_no}/cancellations"),
            &app.tokens.service,
            json!({"items": [{"ordItemSeq": seq, "qty": qty}], "clmRsnCd": "252", "agentId": "agent-7"}),
        )
        .await;
    assert_eq!(canceled.status, 201, "{:?}", canceled.body);
    canceled.body
}

async fn inquiry(app: &TestApp, key: &str) -> Value {
    let today = claims_domain::KstDate::of(app.state.clock.now()).compact();
    let (status, answer) = app
        .ssg(
            Method::POST,
            INQUIRY,
            key,
            Some(json!({"request": {"perdStrDts": today, "perdEndDts": today}})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

async fn report(app: &TestApp, credential: &str, query: &str) -> support::Reply {
    app.get(&format!("/v1/sandbox/report{query}"), credential)
        .await
}

async fn the_report_tells_what_each_vendor_received(backend: Backend) {
    let Some(app) = spawn_on(backend, sandbox()).await else {
        return;
    };
    place(&app, "SB-1").await;
    let claim = cancel(&app, "SB-1", 1, 1).await;
    let clm_no = claim["ordNo"].as_str().unwrap().to_owned();
    // Vendor A reads it; vendor B never polls.
    let answer = inquiry(&app, &app.keys.a).await;
    assert_eq!(answer["result"]["resultCode"], "00");
    // Item 2 (vendor B's) is canceled after A's poll.
    cancel(&app, "SB-1", 2, 1).await;

    let mine = report(&app, &app.keys.a, "").await;
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    let body = &mine.body;
    assert_eq!(body["vendor"], VENDOR_A);
    assert_eq!(body["summary"]["cancellations"], 1, "{body:#}");
    assert_eq!(body["summary"]["received"], 1);
    assert_eq!(body["summary"]["harmful"], 0);
    let row = &body["cancellations"][0];
    assert_eq!(row["ordNo"], clm_no.as_str());
    assert_eq!(row["orordNo"], "SB-1");
    assert_eq!(row["via"], "inquiry");
    assert!(row["lagSeconds"].as_i64().unwrap() <= 5, "{row}");
    assert_eq!(body["coverage"].as_array().unwrap().len(), 1);

    // The admin names the vendor; B missed its cancellation: harmful.
    let theirs = report(&app, &app.tokens.admin, &format!("?splVenId={VENDOR_B}")).await;
    assert_eq!(theirs.status, 200);
    assert_eq!(theirs.body["summary"]["missed"], 1, "{:#}", theirs.body);
    assert_eq!(theirs.body["findings"][0]["kind"], "missed-cancellation");
    assert_eq!(theirs.body["findings"][0]["ordNo"], "SB-1");
    // B reads its feed: the cancellation reaches it there, late but received.
    let feed = app.get("/v1/events", &app.keys.b).await;
    assert_eq!(feed.status, 200, "{:?}", feed.body);
    let theirs = report(&app, &app.tokens.admin, &format!("?splVenId={VENDOR_B}")).await;
    assert_eq!(theirs.body["summary"]["missed"], 0, "{:#}", theirs.body);
    assert_eq!(theirs.body["cancellations"][0]["via"], "feed");
    // A vendor's key reads only its own; the admin must name one; other tokens may not.
    let refused = report(&app, &app.keys.a, &format!("?splVenId={VENDOR_B}")).await;
    assert_eq!(refused.status, 403);
    let unnamed = report(&app, &app.tokens.admin, "").await;
    assert_eq!(unnamed.status, 400);
    assert!(
        unnamed.body["detail"]
            .as_str()
            .unwrap()
            .contains("splVenId")
    );
    let storefront = report(&app, &app.tokens.storefront, "").await;
    assert_eq!(storefront.status, 403);

    // Reconcile: the view as JSON …
    let view = json!([
        {"orordNo": "SB-1", "orordItemSeq": 1, "status": "instructed", "canceledQty": 0},
        {"orordNo": "SB-9", "orordItemSeq": 1, "status": "canceled"},
    ]);
    let reconciled = app
        .post_json("/v1/sandbox/reconcile", &app.keys.a, view)
        .await;
    assert_eq!(reconciled.status, 200, "{:?}", reconciled.body);
    let kinds: Vec<&str> = reconciled.body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["state-drift", "unknown-line"],
        "{:#}",
        reconciled.body
    );
    let drift = &reconciled.body["findings"][0];
    assert_eq!(drift["harmful"], true);
    assert!(
        drift["detail"]
            .as_str()
            .unwrap()
            .contains("canceledQty 0 (it is 1)"),
        "{drift}"
    );
    assert_eq!(reconciled.body["summary"]["harmful"], 1);
    // … and as CSV: right this time, and the other line is missing.
    let csv = "orordNo,orordItemSeq,status,canceledQty,shippedQty\nSB-1,1,instructed,1,0\n";
    let posted = app
        .client
        .post(format!("{}/v1/sandbox/reconcile", app.base))
        .bearer_auth(&app.tokens.admin)
        .query(&[("splVenId", VENDOR_A)])
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let body: Value = posted.json().await.unwrap();
    assert_eq!(body["summary"]["harmful"], 0, "{body:#}");
    assert!(body["findings"].as_array().unwrap().is_empty(), "{body:#}");
    // A view that cannot be read is refused, naming the line.
    let bad = app
        .post_json(
            "/v1/sandbox/reconcile",
            &app.keys.a,
            json!([{"orordNo": "SB-1", "orordItemSeq": 1, "status": "shipped"}]),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body["detail"]
            .as_str()
            .unwrap()
            .contains("line 1: status \"shipped\""),
        "{:?}",
        bad.body
    );

    // The console's page: a vendor user sees its own report with the timeline.
    add_user(
        &app,
        "hanbit",
        UserRole::Vendor(claims_domain::Scope {
            vendor: claims_domain::VendorId::parse("v", VENDOR_A).unwrap(),
            lower_rank: None,
        }),
    )
    .await;
    let mut visitor = Visitor::new(&app);
    visitor.sign_in("hanbit", PASSWORD).await;
    let page = visitor.get("/console/sandbox").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        page.texts("svg.timeline circle.got:not(.end)").len(),
        1,
        "{}",
        page.body
    );
    assert!(page.texts("h1")[0].contains(VENDOR_A));
    assert!(!page.texts("nav a[href='/console/sandbox']").is_empty());
    // The operator picks B among the vendors: its cancellation came by the feed.
    add_user(&app, "operator", UserRole::Admin).await;
    let mut operator = Visitor::new(&app);
    operator.sign_in("operator", PASSWORD).await;
    let page = operator
        .get(&format!("/console/sandbox?splVenId={VENDOR_B}"))
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("nav.chooser a").len(), 2, "{}", page.body);
    assert!(
        page.texts("svg.timeline path.miss").is_empty(),
        "{}",
        page.body
    );
    assert!(
        page.texts("td").iter().any(|t| t == "feed"),
        "{}",
        page.body
    );
    // A service-center agent has no report.
    add_user(&app, "agent.kim", UserRole::ServiceCenter).await;
    let mut agent = Visitor::new(&app);
    agent.sign_in("agent.kim", PASSWORD).await;
    assert_eq!(agent.get("/console/sandbox").await.status, 403);
}

#[tokio::test]
async fn the_report_tells_what_each_vendor_received_on_sqlite() {
    the_report_tells_what_each_vendor_received(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_report_tells_what_each_vendor_received_on_postgres() {
    the_report_tells_what_each_vendor_received(Backend::Postgres).await;
}

#[tokio::test]
async fn without_a_sandbox_nothing_is_recorded_and_nothing_is_backdated() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    let now = app.state.clock.now();
    app.store
        .place_order(
            order(
                "NS-1",
                "2026-11-30 09:50:17",
                &[(1, VENDOR_A, None, 3, 300)],
                &[],
            ),
            at("2026-11-30 09:50:17"),
        )
        .await
        .unwrap();
    inquiry(&app, &app.keys.a).await;
    assert!(app.store.sandbox_log(None, 0, 10).await.unwrap().is_empty());
    let off = report(&app, &app.tokens.admin, &format!("?splVenId={VENDOR_A}")).await;
    assert_eq!(off.status, 404);
    let backdated = app
        .post_json(
            "/v1/orders/NS-1/cancellations",
            &app.tokens.service,
            json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "252", "agentId": "a",
                   "effectiveAt": now.plus_seconds(-60).to_wire()}),
        )
        .await;
    assert_eq!(backdated.status, 400, "{:?}", backdated.body);
    assert!(
        backdated.body["detail"]
            .as_str()
            .unwrap()
            .contains("effectiveAt"),
        "{:?}",
        backdated.body
    );
}
