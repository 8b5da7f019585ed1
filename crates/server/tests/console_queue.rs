//! The vendor's shipping queue as its staff use it: tabs with counts, a search that finds an
//! order by part of its number, a name or phone digits, pages that keep their place after
//! an action, checkboxes that confirm many items at once, and a waybill sheet (CSV) whose
//! rows are each released and told — a sheet uploaded twice ships nothing twice.

mod support;

use claims_domain::{OrderNo, Recipient, Text};
use claims_server::Config;
use claims_store::UserRole;
use claims_store::conformance::{VENDOR_A, at, order};
use support::visitor::{PASSWORD, Page, Visitor, add_user};
use support::{Backend, TestApp, spawn_on};

fn scope() -> claims_domain::Scope {
    claims_domain::Scope {
        vendor: claims_domain::VendorId::parse("v", VENDOR_A).unwrap(),
        lower_rank: None,
    }
}

/// Places `n` one-item orders `Q-001…`, received an hour before today began; order 7's
/// recipient is 김민준 at 010-1234-5678.
async fn place_orders(app: &TestApp, n: u32) {
    let today = claims_domain::KstDate::of(claims_server::Clock::now(&*app.state.clock));
    let received = today.start().plus_seconds(-3600).to_wire();
    for k in 1..=n {
        let (name, phone) = if k == 7 {
            ("김민준", "010-1234-5678")
        } else {
            ("이서연", "010-9999-0000")
        };
        let placed = order(
            &format!("Q-{k:03}"),
            &received,
            &[(1, VENDOR_A, None, 1, 0)],
            &[],
        )
        .with_recipient(Recipient {
            name: Text::from_stored(name.to_owned()),
            phone: Text::from_stored(phone.to_owned()),
            ..Recipient::default()
        });
        app.store.place_order(placed, at(&received)).await.unwrap();
    }
}

/// The order numbers of the queue's rows.
fn orders(page: &Page) -> Vec<String> {
    page.texts("#queue ~ div table tbody td[data-label='주문번호'] a")
}

fn picks(page: &Page) -> Vec<String> {
    let selector = scraper::Selector::parse("input[form=bulk][name^=pick_]").unwrap();
    page.html()
        .select(&selector)
        .filter_map(|input| input.value().attr("name").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_shipping_queue_searches_pages_and_acts_in_bulk() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    add_user(&app, "hanbit", UserRole::Vendor(scope())).await;
    place_orders(&app, 55).await;
    let mut staff = Visitor::new(&app);
    assert_eq!(staff.sign_in("hanbit", PASSWORD).await.status, 303);

    // The first queue with work in it, 50 rows a page, counts on the tabs.
    let page = staff.get("/console/shipping").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.attr("nav.tabs a[aria-current=page]", "href")
            .as_deref(),
        Some("/console/shipping?tab=confirm#queue")
    );
    assert!(
        page.texts("nav.tabs a")
            .contains(&"주문확인 대기 55".to_owned())
    );
    assert_eq!(orders(&page).len(), 50);
    assert_eq!(
        page.attr("nav.pager a", "href").as_deref(),
        Some("/console/shipping?tab=confirm&page=2#queue")
    );
    let second = staff.get("/console/shipping?tab=confirm&page=2").await;
    assert_eq!(orders(&second).len(), 5);

    // Search: a family name, phone digits, part of an order number; nothing, with a hint.
    for (q, found) in [("김민", 1), ("5678", 1), ("Q-01", 10), ("없는 이름", 0)] {
        let page = staff
            .get(&format!(
                "/console/shipping?tab=confirm&q={}",
                claims_server_percent(q)
            ))
            .await;
        assert_eq!(orders(&page).len(), found, "{q}");
        if found == 0 {
            assert!(page.body.contains("검색어를 바꾸거나"), "{q}");
        }
    }

    // Three items of page 2 confirmed at once; the queue comes back to page 2.
    let csrf = second.csrf();
    let picked: Vec<String> = picks(&second).into_iter().take(3).collect();
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("tab", "confirm"),
        ("page", "2"),
        ("op", "confirm"),
    ];
    form.extend(picked.iter().map(|name| (name.as_str(), "1")));
    let done = staff.post("/console/shipping/bulk", &form).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(
        done.location
            .starts_with("/console/shipping?tab=confirm&page=2&op=confirm&ok=3"),
        "{}",
        done.location
    );
    let told = staff.get(&done.location).await;
    assert_eq!(told.texts("[role=status]"), ["3건 주문확인했습니다."]);
    assert_eq!(orders(&told).len(), 2, "page 2, three rows fewer");
    // Nothing picked: told on the page, nothing done.
    let nothing = staff
        .post(
            "/console/shipping/bulk",
            &[
                ("csrf", csrf.as_str()),
                ("tab", "confirm"),
                ("op", "confirm"),
            ],
        )
        .await;
    assert_eq!(nothing.status, 409);
    assert!(nothing.texts("[role=alert]")[0].contains("하나 이상"));

    // The release queue lists them with a carrier and waybill per row.
    let release = staff.get("/console/shipping?tab=release").await;
    let confirmed = orders(&release);
    assert_eq!(confirmed.len(), 3);
    assert_eq!(release.count("input[form=bulk][name^=wbl_]"), 3);

    // A waybill sheet: the three confirmed, an unknown order, a bad waybill, a blank row.
    let mut sheet = String::from("\u{feff}주문번호,순번,택배사코드,운송장번호\n");
    for (n, ord_no) in confirmed.iter().enumerate() {
        sheet.push_str(&format!("{ord_no},1,,60123456789{n:02}\n"));
    }
    sheet.push_str("NO-SUCH,1,,6012\n");
    sheet.push_str("Q-050,1,0000033011,12 34\n");
    sheet.push_str("Q-051,1,,\n");
    let upload = |staff: &mut Visitor, csrf: &str| {
        let mut staff = staff.clone();
        let (csrf, sheet) = (csrf.to_owned(), sheet.clone());
        async move {
            staff
                .upload(
                    "/console/shipping/waybills",
                    &[("csrf", &csrf), ("tab", "release")],
                    ("sheet", "waybills.csv", sheet.as_bytes()),
                )
                .await
        }
    };
    let done = upload(&mut staff, &csrf).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let told = staff.get(&done.location).await;
    assert_eq!(
        told.texts("[role=alert]"),
        ["3건 출고했습니다. 2건은 처리하지 않았습니다 — 아래 표에서 이유를 확인하세요."]
    );
    let rows = told.texts("table caption ~ tbody tr");
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(
        rows[0].contains("NO-SUCH") || rows[1].contains("NO-SUCH"),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|row| row.contains("Q-050") && row.contains("30자"))
    );
    for (n, ord_no) in confirmed.iter().enumerate() {
        let record = app
            .store
            .order(&OrderNo::parse("o", ord_no).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.items[0].shipped, 1, "{ord_no}");
        assert_eq!(
            record.items[0].waybill.as_ref().unwrap().wbl_no(),
            format!("60123456789{n:02}")
        );
    }
    // The same sheet again (a retry after a timeout): nothing ships twice.
    let again = upload(&mut staff, &csrf).await;
    let told = staff.get(&again.location).await;
    assert!(
        told.texts("[role=alert]")[0].starts_with("0건 출고했습니다. 5건은"),
        "{}",
        told.body
    );
    assert_eq!(
        told.texts("table caption ~ tbody tr")
            .iter()
            .filter(|row| row.contains("이미 출고된 상품입니다"))
            .count(),
        3
    );
    // A sheet without the heading it needs, and an upload without the form's token.
    let bad = staff
        .upload(
            "/console/shipping/waybills",
            &[("csrf", &csrf), ("tab", "release")],
            (
                "sheet",
                "x.csv",
                "주문번호,운송장번호\nQ-001,1\n".as_bytes(),
            ),
        )
        .await;
    assert_eq!(bad.status, 409);
    assert!(
        bad.texts("[role=alert]")[0].contains("순번"),
        "{}",
        bad.body
    );
    let forged = staff
        .upload(
            "/console/shipping/waybills",
            &[("tab", "release")],
            ("sheet", "waybills.csv", sheet.as_bytes()),
        )
        .await;
    assert_eq!(forged.status, 403);

    // The template lists what waits for release, as a workbook.
    let template = staff.get("/console/shipping/waybills.xlsx").await;
    assert_eq!(template.status, 200);
    assert!(template.bytes.starts_with(b"PK\x03\x04"));
    assert!(
        claims_export::waybills::read(&template.bytes)
            .unwrap()
            .is_empty(),
        "nothing filled in yet"
    );
}

/// `text` for a query string.
fn claims_server_percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A vendor starts on what waits: the counts on the first screen, on the menu's badge and
/// in the JSON the script reads; another role is not let in.
#[tokio::test]
async fn a_vendor_starts_on_what_waits() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    add_user(&app, "hanbit", UserRole::Vendor(scope())).await;
    add_user(&app, "agent.kim", UserRole::ServiceCenter).await;
    place_orders(&app, 4).await;
    let now = claims_server::Clock::now(&*app.state.clock);
    let item = claims_store::ItemRef::Order(
        OrderNo::parse("o", "Q-001").unwrap(),
        claims_domain::ItemSeq::new("s", 1).unwrap(),
    );
    app.store.confirm(&item, &scope(), now).await.unwrap();
    let filed = app
        .post_json(
            "/v1/orders/Q-001/cancel-requests",
            &app.tokens.service,
            serde_json::json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "258", "agentId": "agent-7"}),
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.body);

    let mut staff = Visitor::new(&app);
    let signed = staff.sign_in("hanbit", PASSWORD).await;
    assert_eq!(signed.location, "/console/today");
    let page = staff.get("/console/today").await;
    assert_eq!(page.status, 200);
    let tile = |key: &str| page.texts(&format!("a.tile strong[data-waiting={key}]"));
    assert_eq!(tile("requests"), ["1"]);
    assert_eq!(tile("toConfirm"), ["3"]);
    assert_eq!(tile("toRelease"), ["1"]);
    assert_eq!(tile("canceledToday"), ["0"]);
    assert_eq!(tile("pickups"), ["0"]);
    assert_eq!(
        page.count("a.tile.urgent"),
        1,
        "the requests tile asks first"
    );
    assert!(page.texts("[data-waiting=oldest]")[0].contains("가장 오래된 신청"));
    assert_eq!(
        page.texts("nav a[href='/console/shipping'] .count.urgent .n"),
        ["5"],
        "the menu counts what waits, red while a request does"
    );
    let json = staff.get("/console/waiting").await;
    assert_eq!(json.status, 200);
    assert_eq!(json.headers["cache-control"], "no-store");
    let counts: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(counts["requests"], 1);
    assert_eq!(counts["shipping"], 5);
    assert_eq!(counts["pickups"], 0);
    assert_eq!(counts["news"], "새 취소신청이 들어왔습니다.");

    let mut agent = Visitor::new(&app);
    agent.sign_in("agent.kim", PASSWORD).await;
    assert_eq!(agent.get("/console/today").await.status, 403);
    assert_eq!(agent.get("/console/waiting").await.status, 403);
}
