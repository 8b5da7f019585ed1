//! Webhook endpoints: registering, rotating, removing; the dispatcher's leases and the
//! attempts it records under them.

use std::collections::HashSet;

use claims_domain::{
    DeliveryAttempt, EndpointStatus, EventType, KstDateTime, Scope, Target, Webhook, WebhookId,
    WebhookSecret,
};

use super::*;
use crate::Attempted;

fn endpoint(n: u8, scope: Scope, now: KstDateTime) -> Webhook {
    Webhook {
        id: WebhookId::from_random([n; 8]),
        scope,
        url: Target::stored(&format!("https://hooks.example.com/{n}")),
        types: Vec::new(),
        status: EndpointStatus::Active,
        secret: WebhookSecret::from_base64(&format!("c2VjcmV0LX{n:02}")),
        previous_secret: None,
        cursor: 0,
        failures: 0,
        next_attempt_at: now,
        last_error: None,
        last_delivered_at: None,
        created_at: now,
    }
}

fn attempt(sequence: u64, attempt: u32, status: Option<u16>, at: KstDateTime) -> DeliveryAttempt {
    DeliveryAttempt {
        event_id: format!("evt_{VENDOR_A}_{sequence:012}"),
        sequence,
        attempt,
        status,
        error: status
            .filter(|status| *status >= 300)
            .map(|status| format!("answered {status}")),
        duration_ms: 12,
        at,
    }
}

pub async fn webhooks_are_registered_rotated_and_removed(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let now = at("2026-11-21 09:00:00");
    place(
        store,
        order(
            "WH-1",
            "2026-11-20 09:50:17",
            &[(1, VENDOR_A, None, 1, 0)],
            &[],
        ),
    )
    .await;
    let mut narrowed = endpoint(2, scope(VENDOR_A, Some(LOWER_A1)), now);
    narrowed.types = vec![EventType::ClaimCreated, EventType::OrderInstructed];
    let whole = store
        .add_webhook(endpoint(1, scope(VENDOR_A, None), now))
        .await
        .unwrap();
    assert_eq!(
        whole.cursor, 1,
        "a new endpoint starts after its vendor's last event"
    );
    let narrowed = store.add_webhook(narrowed).await.unwrap();
    let other = store
        .add_webhook(endpoint(3, scope(VENDOR_B, None), now))
        .await
        .unwrap();
    assert_eq!(other.cursor, 0);

    let mine = store.webhooks(Some(&vendor_id(VENDOR_A))).await.unwrap();
    assert_eq!(
        mine,
        [whole.clone(), narrowed.clone()],
        "read back as written"
    );
    assert_eq!(store.webhooks(None).await.unwrap().len(), 3);
    assert_eq!(store.webhook(&other.id).await.unwrap(), Some(other.clone()));

    let until = at("2026-11-22 09:00:00");
    let fresh = WebhookSecret::from_base64("bmV3LXNlY3JldA==");
    let rotated = store
        .rotate_webhook_secret(&whole.id, fresh.clone(), until)
        .await
        .unwrap()
        .expect("the endpoint exists");
    assert_eq!(rotated.secret, fresh);
    assert_eq!(rotated.previous_secret, Some((whole.secret.clone(), until)));
    assert_eq!(rotated.signing_secrets(now).len(), 2);
    assert_eq!(
        rotated.signing_secrets(until).len(),
        1,
        "the old secret lapses"
    );

    assert!(store.delete_webhook(&whole.id).await.unwrap());
    assert!(!store.delete_webhook(&whole.id).await.unwrap());
    assert_eq!(store.webhook(&whole.id).await.unwrap(), None);
    let missing = WebhookId::from_random([9; 8]);
    assert_eq!(
        store
            .rotate_webhook_secret(&missing, fresh, until)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .restart_webhook(&missing, EndpointStatus::Active, None, now)
            .await
            .unwrap(),
        None
    );
}

pub async fn webhook_leases_go_to_one_node_and_attempts_move_the_cursor(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let now = at("2026-11-21 09:00:00");
    let later = at("2026-11-21 09:00:30");
    let hook = store
        .add_webhook(endpoint(1, scope(VENDOR_A, None), now))
        .await
        .unwrap();
    assert!(!store.webhooks_due(now).await.unwrap(), "no events yet");
    place(
        store,
        order(
            "WH-2",
            "2026-11-20 09:50:17",
            &[(1, VENDOR_A, None, 1, 0)],
            &[],
        ),
    )
    .await;
    place(
        store,
        order(
            "WH-3",
            "2026-11-20 09:51:17",
            &[(1, VENDOR_A, None, 1, 0)],
            &[],
        ),
    )
    .await;
    assert!(store.webhooks_due(now).await.unwrap());

    let leased = store
        .lease_webhooks("node-a", now, later, 10)
        .await
        .unwrap();
    assert_eq!(leased.len(), 1);
    assert!(
        store
            .lease_webhooks("node-b", now, later, 10)
            .await
            .unwrap()
            .is_empty(),
        "a leased endpoint goes to no other node"
    );
    assert!(
        !store.webhooks_due(now).await.unwrap(),
        "its lease hides it"
    );

    let delivered = |node: &str, after: Webhook, log, lease_until| Attempted {
        node: node.to_owned(),
        after,
        lease_until,
        log,
    };
    let mut next = leased[0].clone();
    next.cursor = 1;
    next.last_delivered_at = Some(now);
    assert_eq!(
        store
            .webhook_attempted(delivered(
                "node-b",
                next.clone(),
                Some(attempt(1, 1, Some(200), now)),
                Some(later)
            ))
            .await
            .unwrap(),
        None,
        "a node without the lease writes nothing"
    );
    let after_first = store
        .webhook_attempted(delivered(
            "node-a",
            next,
            Some(attempt(1, 1, Some(200), now)),
            Some(later),
        ))
        .await
        .unwrap()
        .expect("node-a holds the lease");
    assert_eq!(after_first.cursor, 1);
    assert_eq!(after_first.last_delivered_at, Some(now));

    // The second event fails: the endpoint waits, its lease given up.
    let retry_at = at("2026-11-21 09:00:05");
    let mut failed = after_first.clone();
    failed.failures = 1;
    failed.next_attempt_at = retry_at;
    failed.last_error = Some("answered 503".into());
    let after_failure = store
        .webhook_attempted(delivered(
            "node-a",
            failed,
            Some(attempt(2, 1, Some(503), now)),
            None,
        ))
        .await
        .unwrap()
        .expect("node-a held the lease");
    assert_eq!(after_failure.cursor, 1, "a failure keeps the cursor");
    assert_eq!(after_failure.failures, 1);
    assert!(
        !store.webhooks_due(now).await.unwrap(),
        "not due before its retry"
    );
    assert!(store.webhooks_due(retry_at).await.unwrap());

    let log = store.webhook_deliveries(&hook.id, 10).await.unwrap();
    assert_eq!(
        log.iter()
            .map(|a| (a.sequence, a.status))
            .collect::<Vec<_>>(),
        [(2, Some(503)), (1, Some(200))],
        "newest first"
    );
    assert_eq!(log[0].error.as_deref(), Some("answered 503"));

    // Node-b takes it at the retry; a replay meanwhile takes the lease away from it.
    let leased = store
        .lease_webhooks("node-b", retry_at, later, 10)
        .await
        .unwrap();
    assert_eq!(leased.len(), 1);
    let replayed = store
        .restart_webhook(&hook.id, EndpointStatus::Active, Some(0), retry_at)
        .await
        .unwrap()
        .expect("exists");
    assert_eq!((replayed.cursor, replayed.failures), (0, 0));
    let mut stale = leased[0].clone();
    stale.cursor = 2;
    assert_eq!(
        store
            .webhook_attempted(delivered(
                "node-b",
                stale,
                Some(attempt(2, 2, Some(200), retry_at)),
                Some(later)
            ))
            .await
            .unwrap(),
        None,
        "the replay took the lease: the old position is not written"
    );
    assert_eq!(store.webhook(&hook.id).await.unwrap().unwrap().cursor, 0);

    // Paused endpoints are never due; a lease that ran out is taken over.
    let paused = store
        .restart_webhook(&hook.id, EndpointStatus::Paused, None, retry_at)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paused.status, EndpointStatus::Paused);
    assert!(!store.webhooks_due(retry_at).await.unwrap());
    store
        .restart_webhook(&hook.id, EndpointStatus::Active, None, retry_at)
        .await
        .unwrap();
    store
        .lease_webhooks("node-a", retry_at, later, 10)
        .await
        .unwrap();
    let after_expiry = at("2026-11-21 09:00:31");
    assert_eq!(
        store
            .lease_webhooks("node-b", after_expiry, at("2026-11-21 09:01:00"), 10)
            .await
            .unwrap()
            .len(),
        1,
        "an expired lease is taken over"
    );
    store.release_webhook(&hook.id, "node-b").await.unwrap();
    assert!(store.webhooks_due(after_expiry).await.unwrap());

    assert!(store.delete_webhook(&hook.id).await.unwrap());
    assert!(
        store
            .webhook_deliveries(&hook.id, 10)
            .await
            .unwrap()
            .is_empty(),
        "the log goes with its endpoint"
    );
}

pub async fn concurrent_leases_never_share_an_endpoint(fixture: &Fixture) {
    let store = fixture.shared();
    register_vendors(&*store).await;
    let now = at("2026-11-21 09:00:00");
    for n in 0..24 {
        store
            .add_webhook(endpoint(n, scope(VENDOR_A, None), now))
            .await
            .unwrap();
    }
    place(
        &*store,
        order(
            "WH-4",
            "2026-11-20 09:50:17",
            &[(1, VENDOR_A, None, 1, 0)],
            &[],
        ),
    )
    .await;
    let until = at("2026-11-21 09:00:30");
    let tasks: Vec<_> = (0..6)
        .map(|node| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let mut mine = Vec::new();
                for _ in 0..4 {
                    let leased = store
                        .lease_webhooks(&format!("node-{node}"), now, until, 2)
                        .await
                        .unwrap();
                    mine.extend(leased.into_iter().map(|hook| hook.id));
                }
                mine
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for task in tasks {
        for id in task.await.unwrap() {
            assert!(seen.insert(id.clone()), "{id} was leased twice");
        }
    }
    assert_eq!(seen.len(), 24, "every endpoint was leased once");
}
