//! Attacks by callers with legitimate credentials, each reproduced and shown held: a
//! lower-rank key's feed and webhook on a busy parent, sign-ins sent at once and from behind
//! a proxy, another vendor's item in the console, replays aimed at a host, downloads of more
//! than a file should hold.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use claims_server::{Clock, Config, WebhookConfig};
use claims_store::UserRole;
use claims_store::conformance::{LOWER_A1, LOWER_A2, VENDOR_A};
use serde_json::json;
use support::visitor::{PASSWORD, Visitor, add_user};
use support::{Backend, Receiver, TestApp, spawn_on};

fn vendor_scope(lower: Option<&str>) -> claims_domain::Scope {
    claims_domain::Scope {
        vendor: claims_domain::VendorId::parse("v", VENDOR_A).unwrap(),
        lower_rank: lower.map(|l| claims_domain::VendorId::parse("l", l).unwrap()),
    }
}

/// Places an order of `items` items of vendor A only (none of its lower-rank vendors').
async fn place_for_parent(app: &TestApp, ord_no: &str) {
    let placed = app
        .post_json(
            "/v1/orders",
            &app.tokens.storefront,
            json!({"ordNo": ord_no, "ordpeNm": "홍길동", "customerId": "c-1001", "ordRcpMediaCd": "30",
                   "ordRcpDts": app.clock.now().to_wire(),
                   "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "우유",
                              "qty": 2, "unitPrice": 4500, "splVenId": VENDOR_A}]}),
        )
        .await;
    assert_eq!(placed.status, 201, "{}", placed.body);
}

fn insecure() -> Config {
    Config {
        webhooks: WebhookConfig {
            allow_insecure_targets: true,
            ..WebhookConfig::default()
        },
        ..Config::default()
    }
}

async fn a_narrowed_feed_and_webhook_move_past_their_parents_events(backend: Backend) {
    let Some(app) = spawn_on(backend, insecure()).await else {
        return;
    };
    // A narrowed key's webhook, and the feed where its key stands.
    let receiver = Receiver::start().await;
    let made = app
        .post_json("/v1/webhooks", &app.keys.a2, json!({"url": receiver.url}))
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    let start = app.get("/v1/events?limit=1000", &app.keys.a2).await;
    let cursor = start.body["nextCursor"].as_str().unwrap().to_owned();
    // The parent gets busy: 60 events, none of them the lower-rank vendor's.
    for n in 0..60 {
        place_for_parent(&app, &format!("BUSY-{n}")).await;
    }
    let head = app
        .store
        .event_head(&claims_domain::VendorId::parse("v", VENDOR_A).unwrap())
        .await
        .unwrap()
        .last;
    // The feed answers at once that there is nothing, and where it read to: the head.
    let read = app
        .get(&format!("/v1/events?after={cursor}"), &app.keys.a2)
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["events"], json!([]));
    assert_eq!(
        read.body["nextCursor"],
        format!("s{head}"),
        "a cursor past the parent's events, not where it started"
    );
    // The webhook's cursor moves past them too; then nothing is due, so no node leases it
    // again until something of its own happens.
    let _dispatch = app.dispatch();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let hook = app
            .store
            .webhook(&claims_domain::WebhookId::parse("id", &id).unwrap())
            .await
            .unwrap()
            .unwrap();
        if hook.cursor == head {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the cursor stays at {}",
            hook.cursor
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !app.store.webhooks_due(app.clock.now()).await.unwrap(),
        "nothing due: the endpoint is idle"
    );
    assert!(
        receiver.deliveries().is_empty(),
        "none of it was the endpoint's"
    );
    // Something of its own is delivered.
    let own = app
        .post_json(
            "/v1/orders",
            &app.tokens.storefront,
            json!({"ordNo": "OWN-1", "ordpeNm": "홍길동", "customerId": "c-1001", "ordRcpMediaCd": "30",
                   "ordRcpDts": app.clock.now().to_wire(),
                   "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "우유",
                              "qty": 1, "unitPrice": 4500, "splVenId": VENDOR_A,
                              "lrnkSplVenId": LOWER_A2}]}),
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.body);
    let got = receiver
        .wait_for(Duration::from_secs(10), |got| !got.is_empty())
        .await;
    assert_eq!(got.len(), 1, "its own event is delivered");
}

#[tokio::test]
async fn a_narrowed_feed_and_webhook_move_past_their_parents_events_on_sqlite() {
    a_narrowed_feed_and_webhook_move_past_their_parents_events(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_narrowed_feed_and_webhook_move_past_their_parents_events_on_postgres() {
    a_narrowed_feed_and_webhook_move_past_their_parents_events(Backend::Postgres).await;
}

/// Sends `count` sign-ins of `login` with `password` at once; their statuses.
async fn at_once(visitor: &Visitor, login: &str, password: &str, count: usize) -> Vec<u16> {
    let mut sends = Vec::new();
    for _ in 0..count {
        let mut visitor = visitor.clone();
        let (login, password) = (login.to_owned(), password.to_owned());
        sends.push(tokio::spawn(async move {
            visitor.sign_in(&login, &password).await.status
        }));
    }
    let mut statuses = Vec::new();
    for send in sends {
        statuses.push(send.await.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_ins_sent_at_once_meet_the_count_before_any_is_hashed() {
    let app = support::spawn(Config::default()).await;
    add_user(&app, "admin", UserRole::Admin).await;
    let visitor = Visitor::new(&app);
    // Forty wrong passwords at once, then the right one: five are evaluated, the rest and
    // the right one wait.
    let statuses = at_once(&visitor, "admin", "wrong password!", 40).await;
    let evaluated = statuses.iter().filter(|status| **status == 401).count();
    // On a loaded machine a hasher may stay busy past its wait: that attempt passed the
    // count and is told to retry (503) instead of being evaluated — still one of the five.
    let retry = statuses.iter().filter(|status| **status == 503).count();
    let slowed = statuses.iter().filter(|status| **status == 429).count();
    println!(
        "40 wrong passwords at once: {evaluated} evaluated, {retry} told to retry, {slowed} told to wait"
    );
    assert_eq!(evaluated + retry, 5, "{statuses:?}");
    assert!(evaluated >= 1, "{statuses:?}");
    assert_eq!(slowed, 35, "{statuses:?}");
    let right = visitor.clone().sign_in("admin", PASSWORD).await;
    assert_eq!(right.status, 429, "the right one waits its turn too");

    // A hundred unknown logins at once from one address hash at most five passwords.
    let app = support::spawn(Config::default()).await;
    let visitor = Visitor::new(&app);
    let statuses = at_once(&visitor, "nobody", "any password at all", 100).await;
    let hashed = statuses.iter().filter(|status| **status == 401).count();
    println!("100 unknown logins at once: {hashed} hashed");
    assert!(hashed <= 5, "{statuses:?}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_counted_as_itself() {
    let proxy: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let mut config = Config::default();
    config.console.trusted_proxies =
        claims_server::app::config::TrustedProxies::parse("127.0.0.1/32").unwrap();
    let app = support::spawn(config).await;
    add_user(&app, "admin", UserRole::Admin).await;
    let from = |client: &str| {
        let mut visitor = Visitor::new(&app);
        visitor.peer = Some(proxy);
        visitor.forwarded_for = Some(client.to_owned());
        visitor
    };
    // One client guessing: slowed after five failures.
    let mut guesser = from("198.51.100.7");
    for _ in 0..5 {
        assert_eq!(
            guesser.sign_in("admin", "wrong password!").await.status,
            401
        );
    }
    assert_eq!(
        guesser.sign_in("admin", "wrong password!").await.status,
        429
    );
    // The admin, behind the same proxy, is not locked out by it.
    let admin = from("203.0.113.20").sign_in("admin", PASSWORD).await;
    assert_eq!(admin.status, 303, "another client of the proxy signs in");
    // A header a client writes itself, ahead of the proxy's, changes nothing.
    let mut forger = from("10.9.9.9, 198.51.100.7");
    assert_eq!(forger.sign_in("admin", "wrong password!").await.status, 429);

    // Without the proxy trusted, the header is not believed: everyone is the proxy.
    let app = support::spawn(Config::default()).await;
    add_user(&app, "admin", UserRole::Admin).await;
    for n in 0..5 {
        let mut visitor = Visitor::new(&app);
        visitor.peer = Some(proxy);
        visitor.forwarded_for = Some(format!("198.51.100.{n}"));
        assert_eq!(
            visitor.sign_in("admin", "wrong password!").await.status,
            401
        );
    }
    let mut other = Visitor::new(&app);
    other.peer = Some(proxy);
    other.forwarded_for = Some("203.0.113.20".into());
    assert_eq!(other.sign_in("nobody", "wrong password!").await.status, 429);
}

#[tokio::test]
async fn another_vendors_item_is_told_as_a_missing_one_in_the_console() {
    let app = support::spawn(Config::default()).await;
    add_user(&app, "hanbit", UserRole::Vendor(vendor_scope(None))).await;
    let mut staff = Visitor::new(&app);
    staff.sign_in("hanbit", PASSWORD).await;
    let csrf = staff.get("/console/shipping").await.csrf();
    let mut told = Vec::new();
    for (ord_no, seq) in [
        ("B-ORDER-1", "1"),
        ("NO-SUCH-ORDER", "1"),
        ("A-ORDER-1", "9"),
    ] {
        for action in ["confirm", "release", "approve"] {
            let page = staff
                .post(
                    &format!("/console/shipping/{action}"),
                    &[
                        ("csrf", csrf.as_str()),
                        ("ordNo", ord_no),
                        ("ordItemSeq", seq),
                    ],
                )
                .await;
            let message = page.texts("[role=alert]").join(" ");
            told.push((
                ord_no,
                action,
                page.status,
                message
                    .replace(ord_no, "…")
                    .replace(&format!("{seq}번"), "…번"),
            ));
        }
    }
    for action in ["confirm", "release", "approve"] {
        let of = |ord_no: &str| {
            told.iter()
                .find(|t| t.0 == ord_no && t.1 == action)
                .map(|t| (t.2, t.3.clone()))
                .unwrap()
        };
        assert_eq!(of("B-ORDER-1"), of("NO-SUCH-ORDER"), "{action}: {told:?}");
        assert_eq!(of("B-ORDER-1").0, 409);
    }
}

#[tokio::test]
async fn a_replay_waits_out_its_cooldown() {
    let mut config = insecure();
    config.webhooks.replay_cooldown = Duration::from_secs(300);
    let app = support::spawn(config).await;
    let receiver = Receiver::start().await;
    let made = app
        .post_json("/v1/webhooks", &app.keys.a, json!({"url": receiver.url}))
        .await;
    let id = made.body["id"].as_str().unwrap().to_owned();
    let start = app.get("/v1/events?limit=1", &app.keys.a).await;
    let cursor = start.body["nextCursor"].as_str().unwrap().to_owned();
    let replay = |cursor: String| {
        let (app, id) = (&app, id.clone());
        async move {
            app.post_json(
                &format!("/v1/webhooks/{id}/replay"),
                &app.keys.a,
                json!({"after": cursor}),
            )
            .await
        }
    };
    assert_eq!(replay(cursor.clone()).await.status, 200);
    let again = replay(cursor.clone()).await;
    assert_eq!(again.status, 429, "{}", again.body);
    assert_eq!(again.problem(), "replay-too-soon");
    let retry: u64 = again.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((299..=300).contains(&retry), "{retry}");
    app.clock.advance(301);
    assert_eq!(replay(cursor).await.status, 200, "after the cooldown");
}

#[tokio::test]
async fn a_week_too_large_for_a_file_is_refused_saying_what_to_do() {
    let config = Config {
        max_rows: 2,
        ..Config::default()
    };
    let app = support::spawn(config).await;
    add_user(&app, "hanbit", UserRole::Vendor(vendor_scope(None))).await;
    let mut staff = Visitor::new(&app);
    staff.sign_in("hanbit", PASSWORD).await;
    // Vendor A has three lines in the week of 2026-11-22 (see support::spawn).
    for (file, instead) in [("csv", "기간을 줄이세요"), ("xlsx", "CSV로 내려받거나")] {
        let page = staff
            .get(&format!(
                "/console/cancellations.{file}?from=20261122&to=20261128"
            ))
            .await;
        assert_eq!(page.status, 400, "{file}");
        let said = page.texts("[role=alert]").join(" ");
        assert!(
            said.contains("2건이 넘습니다") && said.contains(instead),
            "{file}: {said}"
        );
    }
    let fits = staff
        .get("/console/cancellations.xlsx?from=20261129&to=20261129")
        .await;
    assert_eq!(fits.status, 200);
}

async fn the_dashboard_counts_in_the_store(backend: Backend) {
    let Some(app) = spawn_on(backend, Config::default()).await else {
        return;
    };
    let scope = vendor_scope(None);
    let counts = app
        .store
        .cancellation_counts(
            &scope,
            claims_domain::KstDateTime::parse("t", "2026-11-21 00:00:00").unwrap(),
            claims_domain::KstDateTime::parse("t", "2026-11-29 23:59:59").unwrap(),
        )
        .await
        .unwrap();
    let seen: Vec<(String, &str, u64)> = counts
        .iter()
        .map(|count| (count.day.compact(), count.reason.code(), count.lines))
        .collect();
    // The seeded claims: a line on the 21st, one on the 22nd, two on the 28th (one claim
    // over two lower-rank vendors), one on the 29th; all by an agent for the customer's
    // reason.
    assert_eq!(
        seen.iter()
            .map(|(day, _, n)| (day.as_str(), *n))
            .collect::<Vec<_>>(),
        [
            ("20261121", 1),
            ("20261122", 1),
            ("20261128", 2),
            ("20261129", 1)
        ],
        "{seen:?}"
    );
    let narrowed = app
        .store
        .cancellation_counts(
            &vendor_scope(Some(LOWER_A1)),
            claims_domain::KstDateTime::parse("t", "2026-11-21 00:00:00").unwrap(),
            claims_domain::KstDateTime::parse("t", "2026-11-29 23:59:59").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        narrowed.iter().map(|c| c.lines).sum::<u64>(),
        1,
        "{narrowed:?}"
    );
}

#[tokio::test]
async fn the_dashboard_counts_in_the_store_on_sqlite() {
    the_dashboard_counts_in_the_store(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_dashboard_counts_in_the_store_on_postgres() {
    the_dashboard_counts_in_the_store(Backend::Postgres).await;
}
