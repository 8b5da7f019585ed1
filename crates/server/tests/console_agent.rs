//! The service-center agent's pages as an agent on the phone uses them: a search that finds
//! an order by a family name, phone digits or the start of its number; the orders they
//! handled lately; an order page that names vendors and the recipient and numbers the
//! cancel requests, one of which the agent withdraws (twice: once); and a cancel page that
//! says what was already done, so that a reload after a confirmation does not invite a
//! second one.

mod support;

use claims_domain::{Recipient, Text};
use claims_server::Config;
use claims_store::UserRole;
use claims_store::conformance::{VENDOR_A, at, order};
use support::visitor::{PASSWORD, Visitor, add_user};
use support::{Backend, spawn_on};

#[tokio::test]
async fn an_agent_finds_handles_and_withdraws() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    add_user(&app, "agent.kim", UserRole::ServiceCenter).await;
    let now = claims_server::Clock::now(&*app.state.clock);
    let received = now.plus_seconds(-7200).to_wire();
    let placed = order(
        "20261207000042",
        &received,
        &[(1, VENDOR_A, None, 2, 0), (2, VENDOR_A, None, 1, 0)],
        &[],
    )
    .with_recipient(Recipient {
        name: Text::from_stored("김민준".to_owned()),
        phone: Text::from_stored("010-1234-5678".to_owned()),
        base_address: Text::from_stored("서울시 중구 퇴계로 100".to_owned()),
        ..Recipient::default()
    });
    app.store.place_order(placed, at(&received)).await.unwrap();
    let scope = claims_domain::Scope {
        vendor: claims_domain::VendorId::parse("v", VENDOR_A).unwrap(),
        lower_rank: None,
    };
    let item = |n| {
        claims_store::ItemRef::Order(
            claims_domain::OrderNo::parse("o", "20261207000042").unwrap(),
            claims_domain::ItemSeq::new("s", n).unwrap(),
        )
    };
    app.store.confirm(&item(1), &scope, now).await.unwrap();

    let mut agent = Visitor::new(&app);
    assert_eq!(
        agent.sign_in("agent.kim", PASSWORD).await.location,
        "/console/orders"
    );
    let first = agent.get("/console/orders").await;
    assert!(
        first.texts("h2").iter().all(|h| h != "최근 처리한 주문"),
        "nothing handled yet"
    );
    // Found by a family name, by phone digits, by the start of the number.
    for q in ["%EA%B9%80", "5678", "2026120700"] {
        let found = agent.get(&format!("/console/orders?q={q}")).await;
        assert_eq!(
            found.texts("main table tbody td a"),
            ["20261207000042"],
            "{q}"
        );
    }
    let nothing = agent.get("/console/orders?q=9999").await;
    assert!(nothing.texts("[role=status]")[0].contains("전화번호 뒷자리"));

    // A cancel request for the confirmed item, from the page.
    let form = agent.get("/console/orders/20261207000042/cancel").await;
    let csrf = form.csrf();
    let ask = [
        ("csrf", csrf.as_str()),
        ("qty_1", "1"),
        ("clmRsnCd", "258"),
        ("imptDivCd", "10"),
    ];
    let preview = agent
        .post("/console/orders/20261207000042/cancel", &ask)
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let mut confirm: Vec<(&str, String)> = ask.iter().map(|(k, v)| (*k, v.to_string())).collect();
    confirm.push(("confirm", "1".into()));
    for name in ["version", "confirmation"] {
        confirm.push((
            name,
            preview
                .attr(&format!("input[name={name}]"), "value")
                .unwrap(),
        ));
    }
    let confirm: Vec<(&str, &str)> = confirm.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let filed = agent
        .post("/console/orders/20261207000042/cancel", &confirm)
        .await;
    assert_eq!(filed.status, 303, "{}", filed.body);

    // The order page: the vendor by name, the recipient to read out, the request by number.
    let page = agent.get("/console/orders/20261207000042").await;
    let vendor = app
        .store
        .vendor(&claims_domain::VendorId::parse("v", VENDOR_A).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        page.texts("main table tbody td[data-label='업체']")[0].contains(vendor.name.as_str()),
        "the vendor is named"
    );
    let facts = page.texts("dl.facts dd").join(" | ");
    assert!(
        facts.contains("010-1234-5678") && facts.contains("퇴계로"),
        "{facts}"
    );
    assert!(page.texts("main table tbody td[data-label='신청']")[0].starts_with("#1"));
    assert!(
        page.texts("main table tbody td[data-label='배송 상태'] .badge.bad")
            .contains(&"취소신청 중".to_owned()),
        "the requested item is marked"
    );
    // Reloading the cancel page says what was already done.
    let again = agent.get("/console/orders/20261207000042/cancel").await;
    assert!(
        again.texts("p.notice.warn")[0].contains("이미 처리된 취소"),
        "{}",
        again.body
    );

    // Withdrawn for the customer, twice: once, and the item is no longer requested.
    let request_id = page
        .attr(
            "form[action$='/requests/withdraw'] input[name=requestId]",
            "value",
        )
        .expect("a withdraw form");
    let withdraw = [("csrf", csrf.as_str()), ("requestId", request_id.as_str())];
    for _ in 0..2 {
        let done = agent
            .post(
                "/console/orders/20261207000042/requests/withdraw",
                &withdraw,
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        let shown = agent.get(&done.location).await;
        assert!(shown.texts("[role=status]")[0].contains("#1"));
    }
    let record = app
        .store
        .order(&claims_domain::OrderNo::parse("o", "20261207000042").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(record.pending_items().is_empty());
    let after = agent.get("/console/orders/20261207000042").await;
    assert_eq!(after.count("form[action$='/requests/withdraw']"), 0);
    // Someone else's request id is not found here.
    let foreign = agent
        .post(
            "/console/orders/20261207000042/requests/withdraw",
            &[("csrf", csrf.as_str()), ("requestId", "00112233aabbccdd")],
        )
        .await;
    assert_eq!(foreign.status, 404);

    // The search page now starts with the order the agent handled.
    let start = agent.get("/console/orders").await;
    assert_eq!(start.texts("ul.recent a"), ["20261207000042"]);
}
