//! Console users and sessions: users by role and scope, sign-in credentials, sessions that
//! lapse when idle, end at sign-out or with their user; orders found by the orderer's name.

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
