//! The console's pages through the router itself (no socket), read with CSS selectors, on
//! both stores: a vendor user's week is exactly their API key's, sessions lapse when idle,
//! end at sign-out and after their lifetime, failed sign-ins slow down, roles keep to their
//! pages, a session opened on one node is good on another, forms without their CSRF token
//! change nothing, and a cancellation confirmed any number of times at once takes effect
//! once. (The browser test in the CLI crate walks the pages as people do.)

mod support;

use axum::body::Body;
use axum::http::Request;
use claims_server::{Config, router};
use claims_store::UserRole;
use claims_store::conformance::{LOWER_A1, LOWER_A2, VENDOR_A, at, order};
use claims_wire::{Format, decode_answer};
use http_body_util::BodyExt;
use scraper::Selector;
use support::visitor::{PASSWORD, Page, Visitor, add_user};
use support::{Backend, TestApp, spawn_on};
use tower::ServiceExt;

fn scope(lower: Option<&str>) -> claims_domain::Scope {
    claims_domain::Scope {
        vendor: claims_domain::VendorId::parse("v", VENDOR_A).unwrap(),
        lower_rank: lower.map(|l| claims_domain::VendorId::parse("l", l).unwrap()),
    }
}

/// The API's rows as CSV lines (each row's fields with one cost line's).
fn api_lines(body: &str) -> Vec<Vec<String>> {
    let answer = decode_answer(Format::Json, body.as_bytes()).unwrap();
    answer
        .rows
        .iter()
        .flat_map(|row| {
            let fields: Vec<String> = row.fields().iter().map(|(_, v)| (*v).to_owned()).collect();
            row.cst_info.iter().map(move |cost| {
                let mut line = fields.clone();
                line.extend(cost.fields().iter().map(|(_, v)| (*v).to_owned()));
                line
            })
        })
        .collect()
}

/// The CSV's lines as Excel shows them: `="0000012345"` (digits kept as text) reads as
/// its digits.
fn csv_lines(body: &str) -> Vec<Vec<String>> {
    let body = body.strip_prefix('\u{feff}').expect("a byte-order mark");
    let shown = |cell: &str| {
        cell.strip_prefix("=\"")
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or(cell)
            .to_owned()
    };
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(shown).collect())
        .collect()
}

async fn a_vendor_user_sees_exactly_what_their_key_sees(backend: Backend) {
    let Some(app) = spawn_on(backend, Config::default()).await else {
        return;
    };
    add_user(&app, "hanbit", UserRole::Vendor(scope(None))).await;
    add_user(&app, "fresh", UserRole::Vendor(scope(Some(LOWER_A1)))).await;
    for (login, key) in [("hanbit", &app.keys.a), ("fresh", &app.keys.a1)] {
        let mut visitor = Visitor::new(&app);
        let signed = visitor.sign_in(login, PASSWORD).await;
        assert_eq!(
            (signed.status, signed.location.as_str()),
            (303, "/console/today")
        );
        let api = app.period(key, "20261122", "20261128").await;
        assert_eq!(api.code(), "00");
        let expected = api_lines(&api.body);
        assert!(!expected.is_empty());
        let csv = visitor
            .get("/console/cancellations.csv?from=20261122&to=20261128")
            .await;
        assert_eq!(csv.status, 200);
        assert_eq!(
            csv_lines(&csv.body),
            expected,
            "{login}'s CSV is their key's"
        );
        let page = visitor
            .get("/console/cancellations?from=20261122&to=20261128&view=fields")
            .await;
        let cells = page.texts("main table tbody td");
        for line in &expected {
            assert!(
                cells.contains(&line[5]),
                "{login}'s page shows {} among {cells:?}",
                line[5]
            );
        }
        assert_eq!(
            page.count("main table tbody tr"),
            expected.len(),
            "one table line per API line"
        );
        // The readable list: a line per row, each linked to its order, amounts in won.
        let readable = visitor
            .get("/console/cancellations?from=20261122&to=20261128")
            .await;
        let orders: std::collections::BTreeSet<String> =
            expected.iter().map(|line| line[3].clone()).collect();
        for ord_no in &orders {
            assert!(
                readable.count(&format!(
                    "main table tbody a[href='/console/orders/{ord_no}']"
                )) > 0,
                "{ord_no} is linked"
            );
        }
        assert!(
            readable
                .texts("main table tbody td[data-label='배송비 환불']")
                .iter()
                .all(|cell| cell.ends_with('원')),
            "amounts in won"
        );
        // Another vendor's order is answered as a missing one.
        let other = visitor.get("/console/orders/B-ORDER-1").await;
        assert_eq!(other.status, 404);
        // More than 7 days, or another lower-rank vendor than their own, is refused.
        let long = visitor
            .get("/console/cancellations?from=20261120&to=20261128")
            .await;
        assert_eq!(long.status, 400);
        let problem = long.texts("main [role=alert]").join(" ");
        assert!(problem.contains("9일입니다"), "{problem}");
        assert_eq!(
            long.attr("main form input[name=from]", "value").as_deref(),
            Some("2026-11-20"),
            "the form keeps what was asked"
        );
        let reversed = visitor
            .get("/console/cancellations?from=20261128&to=20261122")
            .await;
        assert_eq!(reversed.status, 400);
        assert!(
            reversed.texts("main [role=alert]")[0].contains("보다 늦습니다"),
            "a reversed range is told as one"
        );
        if login == "fresh" {
            let foreign = visitor
                .get(&format!(
                    "/console/cancellations?from=20261122&to=20261128&lrnk={LOWER_A2}"
                ))
                .await;
            assert_eq!(foreign.status, 400);
        }
    }
}

#[tokio::test]
async fn a_vendor_user_sees_exactly_what_their_key_sees_on_sqlite() {
    a_vendor_user_sees_exactly_what_their_key_sees(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_vendor_user_sees_exactly_what_their_key_sees_on_postgres() {
    a_vendor_user_sees_exactly_what_their_key_sees(Backend::Postgres).await;
}

async fn sessions_end_and_sign_ins_slow_down(backend: Backend) {
    let Some(app) = spawn_on(backend, Config::default()).await else {
        return;
    };
    add_user(&app, "agent.kim", UserRole::ServiceCenter).await;
    let mut agent = Visitor::new(&app);
    let signed = agent.sign_in("agent.kim", PASSWORD).await;
    assert_eq!(signed.location, "/console/orders");
    let cookie = agent.cookies.get("console_session").cloned().unwrap();
    assert_eq!(cookie.len(), 64);
    let orders = agent.get("/console/orders?q=A-ORDER-1").await;
    assert_eq!(orders.status, 200);
    assert_eq!(
        orders.attr("main table a", "href").as_deref(),
        Some("/console/orders/A-ORDER-1")
    );

    // Idle for 29 minutes: still signed in, and the visit counts as use.
    app.clock.advance(29 * 60);
    assert_eq!(agent.get("/console/orders").await.status, 200);
    app.clock.advance(29 * 60);
    assert_eq!(agent.get("/console/orders").await.status, 200);
    // Idle for 31: the session has lapsed.
    app.clock.advance(31 * 60);
    let lapsed = agent.get("/console/orders/A-ORDER-1").await;
    assert_eq!(
        (lapsed.status, lapsed.location.as_str()),
        (303, "/console/login?next=/console/orders/A-ORDER-1")
    );

    // However busy, a session ends after its lifetime (12 hours by default).
    agent.sign_in("agent.kim", PASSWORD).await;
    for _ in 0..24 {
        app.clock.advance(29 * 60);
        assert_eq!(agent.get("/console/orders").await.status, 200);
    }
    app.clock.advance(29 * 60);
    assert_eq!(
        agent.get("/console/orders").await.status,
        303,
        "12 h 5 min after sign-in"
    );

    // Signing out ends the session at once; a form without its token changes nothing.
    agent.sign_in("agent.kim", PASSWORD).await;
    let page = agent.get("/console/orders").await;
    let refused = agent.post("/console/logout", &[]).await;
    assert_eq!(refused.status, 403);
    assert_eq!(agent.get("/console/orders").await.status, 200);
    let out = agent
        .post("/console/logout", &[("csrf", &page.csrf())])
        .await;
    assert_eq!((out.status, out.location.as_str()), (303, "/console/login"));
    let mut replay = Visitor::new(&app);
    replay.cookies.insert("console_session".into(), cookie);
    assert_eq!(replay.get("/console/orders").await.status, 303);

    // An unknown login is refused in the same words as a wrong password.
    let unknown = Visitor::new(&app).sign_in("nobody", PASSWORD).await;
    assert_eq!(unknown.status, 401);
    assert_eq!(
        unknown.texts("[role=alert]"),
        ["아이디 또는 비밀번호가 맞지 않습니다."]
    );

    // Wrong passwords: five failures from one address are free (the unknown login above
    // was one), then each attempt waits — even with the right password, for any login.
    let mut guesser = Visitor::new(&app);
    for _ in 0..4 {
        assert_eq!(
            guesser.sign_in("agent.kim", "wrong password!").await.status,
            401
        );
    }
    let slowed = guesser.sign_in("agent.kim", PASSWORD).await;
    assert_eq!(slowed.status, 429);
    assert!(
        slowed.texts("[role=alert]")[0].contains("초 뒤에 다시 시도하세요"),
        "{}",
        slowed.body
    );
    let another = Visitor::new(&app).sign_in("nobody", PASSWORD).await;
    assert_eq!(another.status, 429);
}

#[tokio::test]
async fn sessions_end_and_sign_ins_slow_down_on_sqlite() {
    sessions_end_and_sign_ins_slow_down(Backend::Sqlite).await;
}

#[tokio::test]
async fn sessions_end_and_sign_ins_slow_down_on_postgres() {
    sessions_end_and_sign_ins_slow_down(Backend::Postgres).await;
}

#[tokio::test]
async fn each_role_keeps_to_its_pages() {
    let app = support::spawn(Config::default()).await;
    add_user(&app, "agent.kim", UserRole::ServiceCenter).await;
    add_user(&app, "hanbit", UserRole::Vendor(scope(None))).await;
    add_user(&app, "admin", UserRole::Admin).await;
    let mut anonymous = Visitor::new(&app);
    let asked = anonymous.get("/console/dashboard").await;
    assert_eq!(asked.location, "/console/login?next=/console/dashboard");
    for (login, allowed, refused) in [
        (
            "agent.kim",
            &["/console/orders", "/console/orders/A-ORDER-1/cancel"][..],
            &[
                "/console/admin/users",
                "/console/cancellations",
                "/console/shipping",
            ][..],
        ),
        (
            "hanbit",
            &[
                "/console/cancellations",
                "/console/shipping",
                "/console/dashboard",
            ][..],
            &[
                "/console/orders?q=A",
                "/console/admin/keys",
                "/console/orders/A-ORDER-1/cancel",
            ][..],
        ),
        (
            "admin",
            &[
                "/console/dashboard",
                "/console/orders?q=A-ORDER-1",
                "/console/cancellations",
                "/console/admin/vendors",
                "/console/admin/keys",
                "/console/admin/tokens",
                "/console/admin/users",
            ][..],
            &["/console/shipping", "/console/orders/A-ORDER-1/cancel"][..],
        ),
    ] {
        let mut visitor = Visitor::new(&app);
        assert_eq!(visitor.sign_in(login, PASSWORD).await.status, 303);
        for path in allowed {
            let page = visitor.get(path).await;
            assert_eq!(page.status, 200, "{login} may see {path}");
            assert_eq!(
                page.attr("html", "lang").as_deref(),
                Some("ko"),
                "Korean by default"
            );
        }
        for path in refused {
            assert_eq!(
                visitor.get(path).await.status,
                403,
                "{login} may not see {path}"
            );
        }
    }
    // Unknown console addresses get the console's own 404 page; an API path keeps its
    // problem answer.
    let missing = anonymous.get("/console/nowhere").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.starts_with("<!DOCTYPE html>"));
    // English when the browser prefers it.
    let english = router(app.state.clone())
        .oneshot(
            Request::get("/console/login")
                .header("Accept-Language", "en-US,en;q=0.9,ko;q=0.5")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let body = english.into_body().collect().await.unwrap().to_bytes();
    let english = Page {
        status: 200,
        location: String::new(),
        headers: Default::default(),
        body: String::from_utf8(body.to_vec()).unwrap(),
        bytes: body.to_vec(),
    };
    assert_eq!(english.texts("h1"), ["Sign in to the ssg-claims console"]);
}

#[tokio::test]
async fn a_session_opened_on_one_node_is_good_on_another() {
    let Some(first) = spawn_on(Backend::Postgres, Config::default()).await else {
        return;
    };
    let second = first.another_node(Config::default()).await.unwrap();
    add_user(&first, "agent.kim", UserRole::ServiceCenter).await;
    let mut visitor = Visitor::new(&first);
    visitor.sign_in("agent.kim", PASSWORD).await;
    let mut elsewhere = visitor.on(&second);
    let page = elsewhere.get("/console/orders/A-ORDER-1").await;
    assert_eq!(page.status, 200);
    // Signing out on the second node ends it on the first.
    elsewhere
        .post("/console/logout", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(visitor.get("/console/orders").await.status, 303);
}

/// Places order `ord_no` with one item of vendor A (2 units).
async fn place(app: &TestApp, ord_no: &str) {
    app.store
        .place_order(
            order(
                ord_no,
                "2026-11-20 09:50:17",
                &[(1, VENDOR_A, None, 2, 1000)],
                &[(VENDOR_A, 3000)],
            ),
            at("2026-11-20 09:50:17"),
        )
        .await
        .unwrap();
}

async fn claims_of(app: &TestApp, ord_no: &str) -> usize {
    app.store
        .order(&claims_domain::OrderNo::parse("o", ord_no).unwrap())
        .await
        .unwrap()
        .unwrap()
        .claims
        .len()
}

/// The preview's confirmation form, as the page holds it: every field's name and value.
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

#[tokio::test]
async fn an_agent_cancels_with_a_preview_and_the_claim_records_their_login() {
    let app = support::spawn(Config::default()).await;
    place(&app, "C-ORDER-1").await;
    add_user(&app, "agent.kim", UserRole::ServiceCenter).await;
    let mut agent = Visitor::new(&app);
    agent.sign_in("agent.kim", PASSWORD).await;
    let form = agent.get("/console/orders/C-ORDER-1/cancel").await;
    assert_eq!(form.status, 200);
    assert_eq!(form.count("input[name=qty_1][type=number]"), 1);
    let csrf = form.csrf();
    let ask = [
        ("csrf", csrf.as_str()),
        ("qty_1", "1"),
        ("clmRsnCd", "251"),
        ("imptDivCd", "20"),
        ("clmRsnCntt", ""),
    ];
    // Nothing to cancel, a bad reason: said in place.
    let empty = agent
        .post(
            "/console/orders/C-ORDER-1/cancel",
            &[("csrf", &csrf), ("clmRsnCd", "251"), ("imptDivCd", "10")],
        )
        .await;
    assert_eq!(empty.status, 422);
    let bad_reason = agent
        .post(
            "/console/orders/C-ORDER-1/cancel",
            &[
                ("csrf", &csrf),
                ("qty_1", "1"),
                ("clmRsnCd", "999"),
                ("imptDivCd", "10"),
            ],
        )
        .await;
    assert_eq!(bad_reason.status, 422);
    assert!(
        bad_reason.texts("[role=alert]")[0].contains("clmRsnCd"),
        "{}",
        bad_reason.body
    );
    // Without the session's token, nothing happens.
    let forged = agent
        .post(
            "/console/orders/C-ORDER-1/cancel",
            &[("qty_1", "1"), ("clmRsnCd", "251"), ("imptDivCd", "10")],
        )
        .await;
    assert_eq!(forged.status, 403);

    let preview = agent.post("/console/orders/C-ORDER-1/cancel", &ask).await;
    assert_eq!(preview.status, 200);
    // What the customer gets back: one unit at 4,500 less its 500 share of the discount.
    assert!(
        preview.texts("p.total strong")[0].contains("4,000"),
        "{:?}",
        preview.texts("p.total")
    );
    assert_eq!(
        preview.texts("form:has(input[name=confirm]) button"),
        ["취소 확정"]
    );
    let claims = claims_of(&app, "C-ORDER-1").await;
    let confirm = confirmation(&preview);
    let confirm: Vec<(&str, &str)> = confirm
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let done = agent
        .post("/console/orders/C-ORDER-1/cancel", &confirm)
        .await;
    assert_eq!(done.status, 303);
    assert!(
        done.location
            .starts_with("/console/orders/C-ORDER-1?claim=")
    );
    let record = app
        .store
        .order(&claims_domain::OrderNo::parse("o", "C-ORDER-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.claims.len(), claims + 1);
    let claim = record.claims.last().unwrap();
    assert_eq!(
        claim.actor,
        claims_domain::Actor::Agent(claims_domain::AgentId::parse("a", "agent.kim").unwrap())
    );
    assert_eq!(claim.fault, claims_domain::Fault::Vendor);
    let shown = agent.get(&done.location).await;
    assert_eq!(
        shown.texts("[role=status] strong"),
        [claim.clm_no.to_string()]
    );
    // The same confirmation again (a second click, a reload) shows the first one's result
    // and cancels nothing more.
    let again = agent
        .post("/console/orders/C-ORDER-1/cancel", &confirm)
        .await;
    assert_eq!(
        (again.status, again.location.as_str()),
        (303, done.location.as_str())
    );
    assert_eq!(claims_of(&app, "C-ORDER-1").await, claims + 1);
    // A stale preview (made before that claim) is refused: the order changed.
    let mut stale = confirm.clone();
    for field in &mut stale {
        if field.0 == "confirmation" {
            field.1 = "0123456789abcdef0123456789abcdef";
        }
    }
    let refused = agent.post("/console/orders/C-ORDER-1/cancel", &stale).await;
    assert_eq!(refused.status, 409);
    assert_eq!(claims_of(&app, "C-ORDER-1").await, claims + 1);
}

/// `copies` submits of one preview's confirmation at once — spread over `nodes` — make one
/// claim, and every submit is answered with it.
async fn a_confirmation_sent_at_once_takes_effect_once(
    backend: Backend,
    copies: usize,
    two_nodes: bool,
) {
    let Some(app) = spawn_on(backend, Config::default()).await else {
        return;
    };
    let second = if two_nodes {
        Some(app.another_node(Config::default()).await.unwrap())
    } else {
        None
    };
    place(&app, "D-ORDER-1").await;
    add_user(&app, "agent.kim", UserRole::ServiceCenter).await;
    let mut agent = Visitor::new(&app);
    agent.sign_in("agent.kim", PASSWORD).await;
    let csrf = agent.get("/console/orders/D-ORDER-1/cancel").await.csrf();
    let preview = agent
        .post(
            "/console/orders/D-ORDER-1/cancel",
            &[
                ("csrf", csrf.as_str()),
                ("qty_1", "1"),
                ("clmRsnCd", "251"),
                ("imptDivCd", "10"),
            ],
        )
        .await;
    let confirm = confirmation(&preview);
    let mut sends = Vec::new();
    for copy in 0..copies {
        let mut visitor = match (&second, copy % 2) {
            (Some(second), 1) => agent.on(second),
            _ => agent.clone(),
        };
        let confirm = confirm.clone();
        sends.push(tokio::spawn(async move {
            let form: Vec<(&str, &str)> = confirm
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            let page = visitor
                .post("/console/orders/D-ORDER-1/cancel", &form)
                .await;
            (page.status, page.location)
        }));
    }
    let mut answers = Vec::new();
    for send in sends {
        answers.push(send.await.unwrap());
    }
    assert_eq!(claims_of(&app, "D-ORDER-1").await, 1, "{answers:?}");
    let first = &answers[0];
    assert!(
        first.1.starts_with("/console/orders/D-ORDER-1?claim="),
        "{answers:?}"
    );
    assert!(
        answers.iter().all(|answer| answer == first),
        "every submit shows the one claim: {answers:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_double_confirmation_takes_effect_once_on_sqlite() {
    a_confirmation_sent_at_once_takes_effect_once(Backend::Sqlite, 2, false).await;
    a_confirmation_sent_at_once_takes_effect_once(Backend::Sqlite, 8, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_double_confirmation_takes_effect_once_on_postgres() {
    a_confirmation_sent_at_once_takes_effect_once(Backend::Postgres, 2, false).await;
    a_confirmation_sent_at_once_takes_effect_once(Backend::Postgres, 8, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_double_confirmation_takes_effect_once_on_two_postgres_nodes() {
    a_confirmation_sent_at_once_takes_effect_once(Backend::Postgres, 2, true).await;
    a_confirmation_sent_at_once_takes_effect_once(Backend::Postgres, 8, true).await;
}

#[tokio::test]
async fn pages_are_never_framed_sniffed_or_sent_elsewhere() {
    let app = support::spawn(Config::default()).await;
    add_user(&app, "agent.kim", UserRole::ServiceCenter).await;
    let mut agent = Visitor::new(&app);
    let signed = agent.sign_in("agent.kim", PASSWORD).await;
    let cookie = signed
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|value| value.starts_with("console_session="))
        .unwrap();
    assert!(cookie.contains("; Secure"), "Secure by default: {cookie}");
    for path in ["/console/login", "/console/orders", "/console/nowhere"] {
        let page = agent.get(path).await;
        let header = |name: &str| {
            page.headers
                .get(name)
                .map(|value| value.to_str().unwrap().to_owned())
        };
        assert_eq!(header("x-frame-options").as_deref(), Some("DENY"), "{path}");
        assert!(
            header("content-security-policy")
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
        assert_eq!(header("referrer-policy").as_deref(), Some("same-origin"));
    }
    // A `next` with a control character is refused, never a panic or a broken header.
    for next in [
        "/console/%01",
        "/console/%00",
        "/console/%7F",
        "/console/%0d%0aX:%20y",
    ] {
        let switched = agent
            .get(&format!("/console/language?to=en&next={next}"))
            .await;
        assert_eq!(
            (switched.status, switched.location.as_str()),
            (303, "/console/"),
            "{next}"
        );
        let sign_in = Visitor::new(&app)
            .get(&format!("/console/login?next={next}"))
            .await;
        assert_eq!(sign_in.status, 200);
        assert_eq!(sign_in.count("input[name=next]"), 0, "{next}");
    }
}

/// A vendor's staff registers an item as out of stock, sees when it will be canceled,
/// withdraws it, and sends a delay notice, from the shipping page; a double click does each
/// once; the agent's order page shows what the vendor told.
#[tokio::test]
async fn vendors_send_their_notices_from_the_shipping_page() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    add_user(&app, "hanbit", UserRole::Vendor(scope(None))).await;
    add_user(&app, "agent.kim", UserRole::ServiceCenter).await;
    let today = claims_domain::KstDate::of(claims_server::Clock::now(&*app.state.clock));
    let received = today.start().plus_seconds(-3600).to_wire();
    app.store
        .place_order(
            order(
                "CON-NS-1",
                &received,
                &[(1, VENDOR_A, None, 2, 0), (2, VENDOR_A, None, 1, 0)],
                &[],
            ),
            at(&received),
        )
        .await
        .unwrap();
    let mut visitor = Visitor::new(&app);
    assert_eq!(visitor.sign_in("hanbit", PASSWORD).await.status, 303);
    let page = visitor.get("/console/shipping").await;
    assert_eq!(page.status, 200);
    assert!(
        page.count("details.notices form[action='/console/shipping/no-sell']") >= 2,
        "every open item offers a registration"
    );
    assert_eq!(
        page.attr("input[name=whinExpcDt]", "min"),
        Some(iso(today.plus_days(1)))
    );
    let csrf = page.csrf();
    let register = [
        ("csrf", csrf.as_str()),
        ("ordNo", "CON-NS-1"),
        ("ordItemSeq", "1"),
        ("itemId", "1000028463301"),
        ("scEvnt", "I"),
        ("shortgRsnCd", "09"),
        ("shortgProcDtlc", "입고 지연으로 결품"),
    ];
    for _ in 0..2 {
        let done = visitor.post("/console/shipping/no-sell", &register).await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert!(
            done.location.contains("did=registered"),
            "{}",
            done.location
        );
    }
    let record = app
        .store
        .order(&claims_domain::OrderNo::parse("o", "CON-NS-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    let executes = record.items[0].no_sell.as_ref().unwrap().executes_at;
    let page = visitor
        .get("/console/shipping?did=registered&ordNo=CON-NS-1&seq=1")
        .await;
    assert!(page.texts("p.notice.ok")[0].contains("판매불가"));
    let badges = page.texts("td span.badge.bad").join(" ");
    assert!(
        badges.contains(&executes.to_wire()[..16]),
        "the page says when it will be canceled: {badges}"
    );
    assert_eq!(
        page.count("form[action='/console/shipping/no-sell'] input[name=scEvnt][value=D]"),
        1,
        "a registered item offers its withdrawal, and nothing that ships it"
    );
    // The agent sees it on the order.
    let mut agent = Visitor::new(&app);
    assert_eq!(agent.sign_in("agent.kim", PASSWORD).await.status, 303);
    let order_page = agent.get("/console/orders/CON-NS-1").await;
    assert!(
        order_page.body.contains("자동 취소 예정"),
        "{}",
        order_page.body
    );

    // Withdrawn, twice: once.
    let withdraw = [
        ("csrf", csrf.as_str()),
        ("ordNo", "CON-NS-1"),
        ("ordItemSeq", "1"),
        ("itemId", "1000028463301"),
        ("scEvnt", "D"),
    ];
    for _ in 0..2 {
        let done = visitor.post("/console/shipping/no-sell", &withdraw).await;
        assert_eq!(done.status, 303);
        assert!(done.location.contains("did=withdrawn"));
    }
    // A delay notice, twice: one notice.
    let until = iso(today.plus_days(5));
    let delay = [
        ("csrf", csrf.as_str()),
        ("ordNo", "CON-NS-1"),
        ("ordItemSeq", "2"),
        ("itemId", "1000028463302"),
        ("shortgRsnCd", "03"),
        ("whinExpcDt", until.as_str()),
    ];
    for _ in 0..2 {
        let done = visitor.post("/console/shipping/delay", &delay).await;
        assert_eq!(done.status, 303, "{}", done.body);
    }
    let record = app
        .store
        .order(&claims_domain::OrderNo::parse("o", "CON-NS-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        record.items[0].no_sell.as_ref().unwrap().status.name(),
        "withdrawn"
    );
    assert_eq!(record.items[1].delay.as_ref().unwrap().notices, 1);
    let page = visitor.get("/console/shipping?tab=delayed").await;
    assert!(
        page.body.contains(&format!("출고 예정 {until}")),
        "{}",
        page.body
    );
    // A date beyond 30 days is refused on the page, naming the rule.
    let far = iso(today.plus_days(40));
    let mut too_far = delay;
    too_far[5] = ("whinExpcDt", far.as_str());
    let refused = visitor.post("/console/shipping/delay", &too_far).await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.texts("p.notice.error")[0].contains("30"),
        "{}",
        refused.body
    );
    // Without the CSRF token nothing happens.
    let forged = visitor
        .post("/console/shipping/no-sell", &register[1..])
        .await;
    assert_eq!(forged.status, 403);
}

fn iso(day: claims_domain::KstDate) -> String {
    let compact = day.compact();
    format!("{}-{}-{}", &compact[..4], &compact[4..6], &compact[6..])
}

/// An item the customer asked to cancel is marked on the shipping page, and releasing it
/// asks first: without the vendor's explicit word nothing ships and the request stands.
#[tokio::test]
async fn releasing_a_requested_item_asks_first() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    add_user(&app, "hanbit", UserRole::Vendor(scope(None))).await;
    let today = claims_domain::KstDate::of(claims_server::Clock::now(&*app.state.clock));
    let received = today.start().plus_seconds(-3600).to_wire();
    app.store
        .place_order(
            order("CON-RQ-1", &received, &[(1, VENDOR_A, None, 2, 0)], &[]),
            at(&received),
        )
        .await
        .unwrap();
    let item = claims_store::ItemRef::Order(
        claims_domain::OrderNo::parse("o", "CON-RQ-1").unwrap(),
        claims_domain::ItemSeq::new("s", 1).unwrap(),
    );
    app.store
        .confirm(&item, &scope(None), at(&received))
        .await
        .unwrap();
    let filed = app
        .post_json(
            "/v1/orders/CON-RQ-1/cancel-requests",
            &app.tokens.service,
            serde_json::json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "258", "agentId": "agent-7"}),
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    let mut visitor = Visitor::new(&app);
    visitor.sign_in("hanbit", PASSWORD).await;
    let page = visitor.get("/console/shipping?tab=release").await;
    assert!(
        page.texts("#queue ~ div td .badge.bad")
            .iter()
            .any(|badge| badge == "취소신청 중"),
        "the requested item is marked"
    );
    let only = page
        .attr("button[name=only][value^='release:']", "value")
        .expect("a release button");
    let shpp_no = only.trim_start_matches("release:").to_owned();
    assert_eq!(
        page.count(&format!("details.notices input[name=reject_{shpp_no}]")),
        1,
        "its release asks for an explicit word, under a warning"
    );
    let record = || async {
        app.store
            .order(&claims_domain::OrderNo::parse("o", "CON-RQ-1").unwrap())
            .await
            .unwrap()
            .unwrap()
    };
    let csrf = page.csrf();
    let waybill_field = format!("wbl_{shpp_no}");
    let reject_field = format!("reject_{shpp_no}");
    let pick_field = format!("pick_{shpp_no}");
    // Released alone, and picked with others: left alone without the word.
    for form in [
        vec![
            ("csrf", csrf.as_str()),
            ("tab", "release"),
            ("only", only.as_str()),
            (waybill_field.as_str(), "6012345678901"),
        ],
        vec![
            ("csrf", csrf.as_str()),
            ("tab", "release"),
            ("op", "release"),
            (pick_field.as_str(), "1"),
        ],
    ] {
        let refused = visitor.post("/console/shipping/bulk", &form).await;
        assert_eq!(refused.status, 303, "{}", refused.body);
        assert!(
            refused.location.contains("tab=release"),
            "{}",
            refused.location
        );
        let told = visitor.get(&refused.location).await;
        assert_eq!(told.status, 200);
        let alert = told.texts("[role=alert]").join(" ");
        assert!(alert.contains("취소신청"), "{alert}");
        assert_eq!(record().await.items[0].shipped, 0, "nothing shipped");
        assert_eq!(
            record().await.pending_items().len(),
            1,
            "the request stands"
        );
    }
    // The old one-item address asks the same.
    let plain = [
        ("csrf", csrf.as_str()),
        ("ordNo", "CON-RQ-1"),
        ("ordItemSeq", "1"),
    ];
    let refused = visitor.post("/console/shipping/release", &plain).await;
    assert_eq!(refused.status, 409);
    assert!(refused.texts("[role=alert]")[0].contains("취소신청"));
    // With the word, it ships with its waybill and the request is rejected.
    let released = visitor
        .post(
            "/console/shipping/bulk",
            &[
                ("csrf", csrf.as_str()),
                ("tab", "release"),
                ("only", only.as_str()),
                (waybill_field.as_str(), "6012345678901"),
                (reject_field.as_str(), "1"),
            ],
        )
        .await;
    assert_eq!(released.status, 303, "{}", released.body);
    let told = visitor.get(&released.location).await;
    assert!(
        told.texts("[role=status]")
            .join(" ")
            .contains("출고했습니다"),
        "{}",
        told.body
    );
    let record = record().await;
    assert_eq!(record.items[0].shipped, 2);
    assert_eq!(
        record.items[0]
            .waybill
            .as_ref()
            .map(|w| w.wbl_no().to_owned()),
        Some("6012345678901".to_owned())
    );
    assert!(
        record.pending_items().is_empty(),
        "the request was rejected"
    );
}
