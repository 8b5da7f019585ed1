//! Returns and exchanges in the console, through the router: the agent files a return with a
//! preview of every amount, and its confirmation takes effect once however often it is sent
//! (also from two PostgreSQL nodes at once); an exchange, withdrawn from the order page; the
//! vendor's staff confirm, complete and refuse pickups on their returns page, and ship the
//! exchange's replacement from the shipping page, where it is marked 교환출고.

mod support;

use claims_server::Config;
use claims_store::UserRole;
use claims_store::conformance::{VENDOR_A, at, order};
use reqwest::Method;
use scraper::Selector;
use support::visitor::{PASSWORD, Page, Visitor, add_user};
use support::{Backend, TestApp, spawn_on};

fn scope() -> claims_domain::Scope {
    claims_domain::Scope {
        vendor: claims_domain::VendorId::parse("v", VENDOR_A).unwrap(),
        lower_rank: None,
    }
}

/// Places `ord_no` (item 1: three units of A, discount 300; item 2: one unit; A's fee
/// 3000) and releases both.
async fn shipped(app: &TestApp, ord_no: &str) {
    app.store
        .place_order(
            order(
                ord_no,
                "2026-11-30 09:50:17",
                &[(1, VENDOR_A, None, 3, 300), (2, VENDOR_A, None, 1, 0)],
                &[(VENDOR_A, 3000)],
            ),
            at("2026-11-30 09:50:17"),
        )
        .await
        .unwrap();
    for seq in [1, 2] {
        let shipped = app
            .call(
                Method::POST,
                &format!("/v1/orders/{ord_no}/items/{seq}/shipment"),
                &app.keys.a,
                None,
            )
            .await;
        assert_eq!(shipped.status, 200, "{}", shipped.body);
    }
}

async fn pickups(app: &TestApp, ord_no: &str) -> Vec<claims_domain::PickupClaim> {
    app.store
        .order(&claims_domain::OrderNo::parse("o", ord_no).unwrap())
        .await
        .unwrap()
        .unwrap()
        .pickups
}

/// The preview's confirmation form: every field's name and value.
fn confirmation(preview: &Page) -> Vec<(String, String)> {
    let html = preview.html();
    let form = Selector::parse("form:has(input[name=confirm]) input").unwrap();
    html.select(&form)
        .map(|input| {
            (
                input.value().attr("name").unwrap().to_owned(),
                input.value().attr("value").unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

async fn agent(app: &TestApp) -> Visitor {
    add_user(app, "agent.kim", UserRole::ServiceCenter).await;
    let mut agent = Visitor::new(app);
    agent.sign_in("agent.kim", PASSWORD).await;
    agent
}

#[tokio::test]
async fn an_agent_files_a_return_with_a_preview_and_the_vendor_works_it() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    shipped(&app, "R-ORDER-1").await;
    let mut agent = agent(&app).await;
    let order = agent.get("/console/orders/R-ORDER-1").await;
    assert_eq!(order.count("a[href='/console/orders/R-ORDER-1/return']"), 1);
    let form = agent.get("/console/orders/R-ORDER-1/return").await;
    assert_eq!(form.status, 200);
    assert_eq!(form.count("input[name=qty_1][type=number][max='3']"), 1);
    assert!(
        form.texts("select[name=clmRsnCd] option")
            .iter()
            .any(|option| option.contains("351") && option.contains("고객귀책")),
        "the customer's reasons are marked"
    );
    let csrf = form.csrf();
    let empty = agent
        .post(
            "/console/orders/R-ORDER-1/return",
            &[("csrf", &csrf), ("clmRsnCd", "351")],
        )
        .await;
    assert_eq!(empty.status, 422);
    let too_many = agent
        .post(
            "/console/orders/R-ORDER-1/return",
            &[("csrf", &csrf), ("qty_1", "4"), ("clmRsnCd", "351")],
        )
        .await;
    assert_eq!(too_many.status, 409, "{}", too_many.body);
    let preview = agent
        .post(
            "/console/orders/R-ORDER-1/return",
            &[("csrf", &csrf), ("qty_1", "1"), ("clmRsnCd", "351")],
        )
        .await;
    assert_eq!(preview.status, 200);
    let cells = preview.texts("#preview-title ~ div table tbody td");
    assert!(
        cells.iter().any(|c| c == "₩100" || c == "100원"),
        "{cells:?}"
    );
    assert!(
        cells.iter().any(|c| c.contains("1,400")),
        "the refund: 4,500 − 100 − 3,000: {cells:?}"
    );
    let confirm = confirmation(&preview);
    let done = agent
        .post("/console/orders/R-ORDER-1/return", &pairs(&confirm))
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(
        done.location
            .starts_with("/console/orders/R-ORDER-1?pickup=")
    );
    let again = agent
        .post("/console/orders/R-ORDER-1/return", &pairs(&confirm))
        .await;
    assert_eq!(
        (again.status, again.location.as_str()),
        (303, done.location.as_str())
    );
    let filed = pickups(&app, "R-ORDER-1").await;
    assert_eq!(filed.len(), 1, "once");
    let shown = agent.get(&done.location).await;
    assert_eq!(
        shown.texts("[role=status] strong"),
        [filed[0].clm_no.to_string()]
    );
    assert!(
        shown
            .texts("main table tbody td")
            .iter()
            .any(|c| c.contains("회수지시"))
    );

    // An exchange of item 2 for another option, then withdrawn from the order page.
    let csrf = agent.get("/console/orders/R-ORDER-1/exchange").await.csrf();
    let preview = agent
        .post(
            "/console/orders/R-ORDER-1/exchange",
            &[
                ("csrf", &csrf),
                ("qty_2", "1"),
                ("uitemId_2", "00002"),
                ("clmRsnCd", "453"),
            ],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let done = agent
        .post(
            "/console/orders/R-ORDER-1/exchange",
            &pairs(&confirmation(&preview)),
        )
        .await;
    assert_eq!(done.status, 303);
    let exchange = pickups(&app, "R-ORDER-1").await.pop().unwrap();
    assert_eq!(
        exchange.lines[0]
            .replacement
            .as_ref()
            .unwrap()
            .uitem_id
            .as_str(),
        "00002"
    );
    let order = agent.get("/console/orders/R-ORDER-1").await;
    let csrf = order.csrf();
    let withdraw = [("csrf", csrf.as_str()), ("clmNo", exchange.clm_no.as_str())];
    let withdrawn = agent
        .post("/console/orders/R-ORDER-1/pickups/withdraw", &withdraw)
        .await;
    assert_eq!(withdrawn.status, 303);
    let twice = agent
        .post("/console/orders/R-ORDER-1/pickups/withdraw", &withdraw)
        .await;
    assert_eq!(twice.status, 303, "pressed twice: done already");

    // The vendor's returns page: the return, confirmed by courier, then completed.
    add_user(&app, "hanbit", UserRole::Vendor(scope())).await;
    let mut vendor = Visitor::new(&app);
    vendor.sign_in("hanbit", PASSWORD).await;
    let list = vendor.get("/console/returns").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.count("main table tbody tr"), 2, "{}", list.body);
    let only_returns = vendor.get("/console/returns?kind=21").await;
    assert_eq!(only_returns.count("main table tbody tr"), 1);
    let csrf = list.csrf();
    let pickup = filed[0].lines[0].shpp_no.to_string();
    let step = |what: &'static str, extra: Vec<(&'static str, &'static str)>| {
        let mut form = vec![
            ("csrf".to_owned(), csrf.clone()),
            ("shppNo".to_owned(), pickup.clone()),
            ("qty".to_owned(), "1".to_owned()),
            ("step".to_owned(), what.to_owned()),
            ("back".to_owned(), "kind=21".to_owned()),
        ];
        form.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())));
        form
    };
    let no_waybill = vendor
        .post(
            "/console/returns/step",
            &pairs(&step("confirm", vec![("shppTypeDtlCd", "22")])),
        )
        .await;
    assert_eq!(no_waybill.status, 400);
    let confirm = step(
        "confirm",
        vec![
            ("shppTypeDtlCd", "22"),
            ("delicoVenId", "0000033011"),
            ("wblNo", "6098765432101"),
        ],
    );
    let confirmed = vendor.post("/console/returns/step", &pairs(&confirm)).await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    assert!(
        confirmed.location.contains("did=confirmed"),
        "{}",
        confirmed.location
    );
    let again = vendor.post("/console/returns/step", &pairs(&confirm)).await;
    assert_eq!(again.status, 303, "a second press finds it done");
    let completed = vendor
        .post("/console/returns/step", &pairs(&step("complete", vec![])))
        .await;
    assert_eq!(completed.status, 303);
    let refuse = vendor
        .post(
            "/console/returns/step",
            &pairs(&step("refuse", vec![("retRefusRsnCd", "12")])),
        )
        .await;
    assert_eq!(refuse.status, 409, "a completed pickup cannot be refused");
    let done = pickups(&app, "R-ORDER-1").await;
    assert_eq!(
        done[0].lines[0].status,
        claims_domain::PickupStatus::Completed
    );
    assert_eq!(done[0].refunded().get(), 1400);
}

#[tokio::test]
async fn a_replacement_ships_from_the_shipping_page_marked_as_an_exchange() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    shipped(&app, "X-ORDER-1").await;
    let filed = app
        .post_json(
            "/v1/orders/X-ORDER-1/exchanges",
            &app.tokens.service,
            serde_json::json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "453", "agentId": "ag-7"}),
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    add_user(&app, "hanbit", UserRole::Vendor(scope())).await;
    let mut vendor = Visitor::new(&app);
    vendor.sign_in("hanbit", PASSWORD).await;
    let page = vendor.get("/console/shipping?tab=confirm").await;
    let marked = page.texts("#queue ~ div table tbody td .badge");
    assert!(marked.iter().any(|badge| badge == "교환출고"), "{marked:?}");
    assert!(
        marked.iter().any(|badge| badge == "회수 대기"),
        "{marked:?}"
    );
    // The pickup completes; then the replacement is confirmed and released from the page.
    let pickup = filed.body["lines"][0]["shppNo"].as_u64().unwrap();
    let replacement = filed.body["lines"][0]["replacement"]["shppNo"]
        .as_u64()
        .unwrap();
    let scope = scope();
    let number = claims_domain::ShippingNo::new("s", pickup).unwrap();
    for step in [
        claims_store::PickupStep::Confirm {
            carrier: claims_domain::PickupCarrier::Own,
            resell: true,
            blame: None,
        },
        claims_store::PickupStep::Complete,
    ] {
        app.store
            .pickup_step(number, &scope, 1, &step, app.state.clock.now())
            .await
            .unwrap();
    }
    let page = vendor.get("/console/shipping").await;
    let csrf = page.csrf();
    let clm_no = filed.body["ordNo"].as_str().unwrap().to_owned();
    let replacement = replacement.to_string();
    let act = [
        ("csrf", csrf.as_str()),
        ("ordNo", clm_no.as_str()),
        ("ordItemSeq", "2"),
        ("shppNo", replacement.as_str()),
    ];
    let confirmed = vendor.post("/console/shipping/confirm", &act).await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    let released = vendor.post("/console/shipping/release", &act).await;
    assert_eq!(released.status, 303, "{}", released.body);
    let record = app
        .store
        .order(&claims_domain::OrderNo::parse("o", "X-ORDER-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        record.pickups[0].lines[0]
            .replacement
            .as_ref()
            .unwrap()
            .shipped_at
            .is_some()
    );
}

/// `copies` submits of one return preview's confirmation at once, over two PostgreSQL
/// nodes, file one return.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_return_confirmed_at_once_on_two_postgres_nodes_is_filed_once() {
    let Some(app) = spawn_on(Backend::Postgres, Config::default()).await else {
        return;
    };
    let second = app.another_node(Config::default()).await.unwrap();
    shipped(&app, "P-ORDER-1").await;
    let mut agent = agent(&app).await;
    let csrf = agent.get("/console/orders/P-ORDER-1/return").await.csrf();
    let preview = agent
        .post(
            "/console/orders/P-ORDER-1/return",
            &[("csrf", &csrf), ("qty_1", "1"), ("clmRsnCd", "354")],
        )
        .await;
    let confirm = confirmation(&preview);
    let mut sends = Vec::new();
    for copy in 0..6 {
        let mut visitor = if copy % 2 == 1 {
            agent.on(&second)
        } else {
            agent.clone()
        };
        let confirm = confirm.clone();
        sends.push(tokio::spawn(async move {
            let page = visitor
                .post("/console/orders/P-ORDER-1/return", &pairs(&confirm))
                .await;
            (page.status, page.location)
        }));
    }
    let mut answers = Vec::new();
    for send in sends {
        answers.push(send.await.unwrap());
    }
    assert_eq!(pickups(&app, "P-ORDER-1").await.len(), 1, "{answers:?}");
    assert!(
        answers.iter().all(|answer| answer == &answers[0]),
        "{answers:?}"
    );
}

/// Confirmed pickups completed together from the returns page; pressed twice, nothing more.
#[tokio::test]
async fn confirmed_pickups_are_completed_in_bulk_once() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    shipped(&app, "BULK-ORDER-1").await;
    let mut numbers = Vec::new();
    for seq in [1, 2] {
        let filed = app
            .post_json(
                "/v1/orders/BULK-ORDER-1/returns",
                &app.tokens.service,
                serde_json::json!({"items": [{"ordItemSeq": seq, "qty": 1}], "clmRsnCd": "354", "agentId": "ag-7"}),
            )
            .await;
        assert_eq!(filed.status, 201, "{}", filed.body);
        let shpp_no = filed.body["lines"][0]["shppNo"].as_u64().unwrap();
        app.store
            .pickup_step(
                claims_domain::ShippingNo::new("s", shpp_no).unwrap(),
                &scope(),
                1,
                &claims_store::PickupStep::Confirm {
                    carrier: claims_domain::PickupCarrier::Own,
                    resell: true,
                    blame: None,
                },
                app.state.clock.now(),
            )
            .await
            .unwrap();
        numbers.push(shpp_no);
    }
    add_user(&app, "hanbit", UserRole::Vendor(scope())).await;
    let mut vendor = Visitor::new(&app);
    vendor.sign_in("hanbit", PASSWORD).await;
    let list = vendor.get("/console/returns").await;
    assert_eq!(list.count("input[type=checkbox][form=bulk-complete]"), 2);
    let csrf = list.csrf();
    let picks: Vec<(String, String)> = numbers
        .iter()
        .map(|no| (format!("pick_{no}"), "1".to_owned()))
        .chain([
            ("csrf".to_owned(), csrf.clone()),
            ("back".to_owned(), "state=63".to_owned()),
        ])
        .collect();
    let done = vendor
        .post("/console/returns/complete", &pairs(&picks))
        .await;
    assert_eq!(done.status, 303);
    assert!(
        done.location.contains("count=2&failed=0"),
        "{}",
        done.location
    );
    assert!(
        done.location.contains("state=63"),
        "back to the list as it was"
    );
    let shown = vendor.get(&done.location).await;
    assert!(shown.texts("[role=status]")[0].contains("2건"));
    let again = vendor
        .post("/console/returns/complete", &pairs(&picks))
        .await;
    assert!(
        again.location.contains("count=0&failed=2"),
        "{}",
        again.location
    );
    let record = pickups(&app, "BULK-ORDER-1").await;
    assert!(
        record
            .iter()
            .all(|claim| claim.lines[0].status == claims_domain::PickupStatus::Completed)
    );
}
