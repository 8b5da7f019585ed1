//! Console users and sessions: users by role and scope, sign-in credentials, sessions that
//! lapse when idle, end at sign-out or with their user; orders found by the orderer's name
//! and by part of a number, a name or a phone number; what waits for a vendor.

use super::*;
use crate::{Login, NewSession, NewUser, UserRole};

fn login(text: &str) -> Login {
    Login::parse(text).expect("a valid login")
}

fn user(name: &str, role: UserRole) -> NewUser {
    NewUser {
        login: login(name),
        role,
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${name}"),
    }
}

fn session(n: u8, name: &str) -> NewSession {
    NewSession {
        hash: SecretHash([n; 32]),
        login: login(name),
        csrf: format!("csrf-{n}"),
    }
}

pub async fn console_users_sign_in_and_sessions_lapse(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let now = at("2026-11-21 09:00:00");

    let narrowed = scope(VENDOR_A, Some(LOWER_A1));
    let admin = store
        .add_console_user(user("admin", UserRole::Admin), now)
        .await
        .unwrap();
    assert_eq!(admin.role, UserRole::Admin);
    assert_eq!(admin.created_at, now);
    store
        .add_console_user(user("agent.kim", UserRole::ServiceCenter), now)
        .await
        .unwrap();
    store
        .add_console_user(user("staff", UserRole::Vendor(narrowed.clone())), now)
        .await
        .unwrap();

    // A login is taken once; a vendor user's scope must fit the hierarchy.
    assert!(matches!(
        store.add_console_user(user("admin", UserRole::ServiceCenter), now).await,
        Err(StoreError::Conflict(Conflict::UserExists(ref taken))) if taken.as_str() == "admin"
    ));
    assert!(matches!(
        store
            .add_console_user(
                user("ghost", UserRole::Vendor(scope("0000099999", None))),
                now
            )
            .await,
        Err(StoreError::NotFound(NotFound::Vendor(_)))
    ));
    assert!(matches!(
        store
            .add_console_user(
                user("wrong", UserRole::Vendor(scope(VENDOR_B, Some(LOWER_A1)))),
                now
            )
            .await,
        Err(StoreError::Invalid(_))
    ));

    let users = store.console_users().await.unwrap();
    let logins: Vec<&str> = users.iter().map(|user| user.login.as_str()).collect();
    assert_eq!(logins, ["admin", "agent.kim", "staff"]);
    assert_eq!(users[2].role, UserRole::Vendor(narrowed.clone()));

    let (found, hash) = store
        .console_credentials(&login("staff"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.role.scope(), Some(&narrowed));
    assert!(hash.ends_with("$staff"));
    assert!(
        store
            .console_credentials(&login("nobody"))
            .await
            .unwrap()
            .is_none()
    );

    // Sessions: found while seen within the idle time, kept alive by use.
    store
        .open_console_session(session(1, "agent.kim"), now)
        .await
        .unwrap();
    store
        .open_console_session(session(2, "staff"), now)
        .await
        .unwrap();
    let later = now.plus_seconds(20 * 60);
    let live = store
        .console_session(
            &SecretHash([1; 32]),
            later,
            later.plus_seconds(-30 * 60),
            later.plus_seconds(-12 * 3600),
        )
        .await
        .unwrap()
        .expect("seen 20 minutes ago, within 30");
    assert_eq!(live.user.login.as_str(), "agent.kim");
    assert_eq!(live.csrf, "csrf-1");
    // Seen at `later`, so 45 minutes after the start it is still live …
    let much_later = now.plus_seconds(45 * 60);
    assert!(
        store
            .console_session(
                &SecretHash([1; 32]),
                much_later,
                much_later.plus_seconds(-30 * 60),
                much_later.plus_seconds(-12 * 3600)
            )
            .await
            .unwrap()
            .is_some()
    );
    // … while the one not used since the start has lapsed.
    assert!(
        store
            .console_session(
                &SecretHash([2; 32]),
                much_later,
                much_later.plus_seconds(-30 * 60),
                much_later.plus_seconds(-12 * 3600)
            )
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .console_session(&SecretHash([9; 32]), now, now, now)
            .await
            .unwrap()
            .is_none()
    );
    // However busy, a session lasts no longer than its lifetime: seen a moment ago but
    // opened 45 minutes ago, it is over for a lifetime of 40 minutes.
    assert!(
        store
            .console_session(
                &SecretHash([1; 32]),
                much_later,
                much_later.plus_seconds(-30 * 60),
                much_later.plus_seconds(-40 * 60)
            )
            .await
            .unwrap()
            .is_none(),
        "an absolute lifetime"
    );

    // Lapsed sessions are purged; signing out ends one at once.
    let purged = store
        .purge_console_sessions(much_later.plus_seconds(-30 * 60), 100)
        .await
        .unwrap();
    assert_eq!(purged, 1);
    store
        .end_console_session(&SecretHash([1; 32]))
        .await
        .unwrap();
    assert!(
        store
            .console_session(&SecretHash([1; 32]), much_later, now, now)
            .await
            .unwrap()
            .is_none()
    );

    // Removing a user ends their sessions.
    store
        .open_console_session(session(3, "staff"), much_later)
        .await
        .unwrap();
    store.delete_console_user(&login("staff")).await.unwrap();
    assert!(
        store
            .console_session(&SecretHash([3; 32]), much_later, now, now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        store.delete_console_user(&login("staff")).await,
        Err(StoreError::NotFound(NotFound::User(_)))
    ));
}

pub async fn orders_are_found_by_the_orderers_name(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    for (no, received) in [
        ("NAME-1", "2026-11-18 09:00:00"),
        ("NAME-2", "2026-11-20 09:00:00"),
        ("NAME-3", "2026-11-25 09:00:00"),
    ] {
        place(
            store,
            order(no, received, &[(1, VENDOR_A, None, 1, 0)], &[]),
        )
        .await;
    }
    let found = store
        .orders_by_orderer(
            "홍길동",
            at("2026-11-18 00:00:00"),
            at("2026-11-21 00:00:00"),
            10,
        )
        .await
        .unwrap();
    let found: Vec<&str> = found.iter().map(OrderNo::as_str).collect();
    assert_eq!(
        found,
        ["NAME-2", "NAME-1"],
        "newest first, within the range"
    );
    assert!(
        store
            .orders_by_orderer(
                "없는 사람",
                at("2026-11-01 00:00:00"),
                at("2026-12-01 00:00:00"),
                10
            )
            .await
            .unwrap()
            .is_empty()
    );
}

/// The agent's partial search: an order-number prefix, a family name (orderer or
/// recipient), phone digits however the number was written; `%` and `_` match themselves;
/// only orders received within the range.
pub async fn orders_are_found_by_part_of_a_number_name_or_phone(fixture: &Fixture) {
    use claims_domain::Recipient;
    let store = fixture.store();
    register_vendors(store).await;
    let text = |value: &str| Text::from_stored(value.to_owned());
    for (no, received, recipient, phone) in [
        (
            "20261118000001",
            "2026-11-18 09:00:00",
            "김민준",
            "010-1234-5678",
        ),
        (
            "20261120000002",
            "2026-11-20 09:00:00",
            "이서연",
            "01098765678",
        ),
        (
            "20261125000003",
            "2026-11-25 09:00:00",
            "김하늘",
            "010 5555 0000",
        ),
        ("AB_C-4", "2026-11-19 09:00:00", "박", ""),
        ("ABXC-5", "2026-11-19 08:00:00", "최", ""),
    ] {
        let placed =
            order(no, received, &[(1, VENDOR_A, None, 1, 0)], &[]).with_recipient(Recipient {
                name: text(recipient),
                phone: text(phone),
                ..Recipient::default()
            });
        place(store, placed).await;
    }
    let (from, to) = (at("2026-11-18 00:00:00"), at("2026-11-21 00:00:00"));
    let search = |term: &'static str| async move {
        store
            .search_orders(term, from, to, 10)
            .await
            .unwrap()
            .iter()
            .map(|no| no.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        search("20261118").await,
        ["20261118000001"],
        "a number's start"
    );
    assert_eq!(
        search("김").await,
        ["20261118000001"],
        "a family name, within the range"
    );
    assert_eq!(
        search("홍").await,
        ["20261120000002", "AB_C-4", "ABXC-5", "20261118000001"],
        "the orderer's name too, newest first"
    );
    assert_eq!(search("5678").await, ["20261120000002", "20261118000001"]);
    assert_eq!(
        search("1234-5678").await,
        ["20261118000001"],
        "dashes or not"
    );
    assert_eq!(
        search("AB_").await,
        ["AB_C-4"],
        "a typed _ is not a wildcard"
    );
    assert!(search("A%").await.is_empty(), "nor a typed %");
    assert!(
        search("123").await.is_empty(),
        "fewer than four digits search no phone"
    );
}

/// What waits for a vendor: pending requests and the oldest's filing time, items to
/// confirm and to release, today's cancellations; a narrowed scope counts its own.
pub async fn what_waits_for_a_vendor_is_counted(fixture: &Fixture) {
    use crate::ItemRef;
    let store = fixture.store();
    register_vendors(store).await;
    let items = [
        (1, VENDOR_A, None, 1, 0),
        (2, VENDOR_A, Some(LOWER_A1), 1, 0),
        (3, VENDOR_A, None, 2, 0),
        (4, VENDOR_B, None, 1, 0),
    ];
    place(store, order("WAIT-1", "2026-11-20 09:00:00", &items, &[])).await;
    let a = scope(VENDOR_A, None);
    let now = at("2026-11-21 10:00:00");
    let (since, today) = (at("2026-06-01 00:00:00"), at("2026-11-21 00:00:00"));
    let counted = |scope: Scope| async move { store.waiting(&scope, since, today).await.unwrap() };
    let before = counted(a.clone()).await;
    assert_eq!(
        (
            before.requests,
            before.to_confirm,
            before.to_release,
            before.canceled_today
        ),
        (0, 3, 0, 0)
    );
    assert_eq!(before.oldest_request, None);
    let ord_no = order_no("WAIT-1");
    store
        .confirm(&ItemRef::Order(ord_no.clone(), seq(1)), &a, now)
        .await
        .unwrap();
    store
        .confirm(&ItemRef::Order(ord_no.clone(), seq(2)), &a, now)
        .await
        .unwrap();
    store
        .file_cancel_request(
            &ord_no,
            &by_agent(&[(1, 1)], Fault::Customer),
            claims_domain::RequestId::from_random([4; 8]),
            now,
        )
        .await
        .unwrap();
    store
        .cancel(&ord_no, &by_agent(&[(3, 1)], Fault::Customer), now)
        .await
        .unwrap();
    let after = counted(a.clone()).await;
    assert_eq!(
        (
            after.requests,
            after.to_confirm,
            after.to_release,
            after.canceled_today
        ),
        (1, 1, 2, 1)
    );
    assert_eq!(after.oldest_request, Some(now));
    let narrowed = counted(scope(VENDOR_A, Some(LOWER_A1))).await;
    assert_eq!(
        (narrowed.requests, narrowed.to_confirm, narrowed.to_release),
        (0, 0, 1)
    );
    let b = counted(scope(VENDOR_B, None)).await;
    assert_eq!((b.to_confirm, b.requests), (1, 0));
    assert_eq!(after.pickups, 0);

    // A return of a released item waits for the vendor until it ends.
    let agent = || Actor::Agent(AgentId::parse("agentId", "agent-7").unwrap());
    store.ship(&ord_no, seq(2), &a, now).await.unwrap();
    let filed = store
        .file_pickup(
            &ord_no,
            &pickup_command(agent(), claims_domain::PickupKind::Return, "351", &[(2, 1)]),
            at("2026-11-22 10:00:00"),
        )
        .await
        .unwrap();
    assert_eq!(counted(a.clone()).await.pickups, 1);
    assert_eq!(counted(scope(VENDOR_B, None)).await.pickups, 0);
    store
        .withdraw_pickup(
            &filed.clm_no,
            &Actor::Agent(AgentId::parse("agentId", "agent-7").unwrap()),
            at("2026-11-22 10:05:00"),
        )
        .await
        .unwrap();
    assert_eq!(
        counted(a).await.pickups,
        0,
        "a withdrawn return waits no more"
    );
}

/// The orders an agent acted on — a cancellation, a cancel request — newest first, each
/// once; another agent's and older ones are not listed.
pub async fn an_agents_recent_orders_are_listed(fixture: &Fixture) {
    use crate::ItemRef;
    let store = fixture.store();
    register_vendors(store).await;
    for no in ["TOUCH-1", "TOUCH-2", "TOUCH-3"] {
        place(
            store,
            order(
                no,
                "2026-11-20 09:00:00",
                &[(1, VENDOR_A, None, 2, 0), (2, VENDOR_A, None, 1, 0)],
                &[],
            ),
        )
        .await;
    }
    let a = scope(VENDOR_A, None);
    // agent-7 (by_agent's) cancels on 1, then files a request on 2, then cancels on 1 again.
    store
        .cancel(
            &order_no("TOUCH-1"),
            &by_agent(&[(1, 1)], Fault::Customer),
            at("2026-11-21 09:00:00"),
        )
        .await
        .unwrap();
    store
        .confirm(
            &ItemRef::Order(order_no("TOUCH-2"), seq(1)),
            &a,
            at("2026-11-21 09:00:00"),
        )
        .await
        .unwrap();
    store
        .file_cancel_request(
            &order_no("TOUCH-2"),
            &by_agent(&[(1, 1)], Fault::Customer),
            claims_domain::RequestId::from_random([7; 8]),
            at("2026-11-21 10:00:00"),
        )
        .await
        .unwrap();
    store
        .cancel(
            &order_no("TOUCH-1"),
            &by_agent(&[(2, 1)], Fault::Customer),
            at("2026-11-21 11:00:00"),
        )
        .await
        .unwrap();
    // A customer's own cancellation is nobody's work.
    store
        .cancel(
            &order_no("TOUCH-3"),
            &by_customer("c-1001", &[(1, 1)]),
            at("2026-11-21 12:00:00"),
        )
        .await
        .unwrap();
    let touched = store
        .orders_touched_by("agent-7", at("2026-11-01 00:00:00"), 10)
        .await
        .unwrap();
    assert_eq!(
        touched
            .iter()
            .map(|(no, when)| (no.as_str(), when.to_wire()))
            .collect::<Vec<_>>(),
        [
            ("TOUCH-1", "2026-11-21 11:00:00".to_owned()),
            ("TOUCH-2", "2026-11-21 10:00:00".to_owned())
        ]
    );
    assert_eq!(
        store
            .orders_touched_by("agent-7", at("2026-11-21 10:30:00"), 10)
            .await
            .unwrap()
            .len(),
        1,
        "only since the time given"
    );
    assert!(
        store
            .orders_touched_by("agent-8", at("2026-11-01 00:00:00"), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
