//! Idempotency keys: claimed, replayed, refused, kept with their effect, held to a quota
//! and purged.

use super::*;

fn idem(owner: u8, key: &str) -> IdempotencyKey {
    IdempotencyKey {
        owner: SecretHash([owner; 32]),
        key: key.to_owned(),
    }
}

/// A window at `now`: keys lapse after a day, requests are abandoned after two minutes, and
/// a credential may keep far more than any scenario claims.
fn window(now: &str) -> Window {
    window_with(
        now,
        Quota {
            max_keys: 1_000_000,
            max_bytes: 1 << 30,
        },
    )
}

fn window_with(now: &str, quota: Quota) -> Window {
    let now = at(now);
    Window {
        now,
        lapsed_before: now.plus_seconds(-86_400),
        abandoned_before: now.plus_seconds(-120),
        quota,
    }
}

fn answer(status: u16, body: &str) -> StoredAnswer {
    StoredAnswer {
        status,
        content_type: "application/json".into(),
        location: None,
        body: body.as_bytes().to_vec(),
    }
}

pub async fn idempotency_keys_claim_replay_and_refuse(fixture: &Fixture) {
    let store = fixture.store();
    let key = idem(1, "retry-me");
    let mine = Fingerprint([7; 32]);
    let other = Fingerprint([8; 32]);
    let begin = |key: IdempotencyKey, fingerprint, now: &'static str| async move {
        store
            .idempotency_begin(&key, fingerprint, window(now))
            .await
            .expect("claiming a key")
    };
    assert_eq!(
        begin(key.clone(), mine, "2026-11-20 10:00:00").await,
        Begin::Proceed
    );
    assert_eq!(
        begin(key.clone(), mine, "2026-11-20 10:00:01").await,
        Begin::InFlight
    );
    assert_eq!(
        begin(key.clone(), other, "2026-11-20 10:00:01").await,
        Begin::Reused
    );
    // Another caller's key of the same name is its own.
    assert_eq!(
        begin(idem(2, "retry-me"), other, "2026-11-20 10:00:01").await,
        Begin::Proceed
    );

    // A refusal is kept and replayed byte for byte; the key stays bound to its request.
    let refused = answer(409, r#"{"type":"urn:ssg-claims:problem:already-shipped"}"#);
    store
        .idempotency_finish(&key, refused.clone(), at("2026-11-20 10:00:02"))
        .await
        .unwrap();
    assert_eq!(
        begin(key.clone(), mine, "2026-11-20 11:00:00").await,
        Begin::Replay(refused.clone())
    );
    assert_eq!(
        begin(key.clone(), other, "2026-11-20 11:00:00").await,
        Begin::Reused
    );
    // Kept for a day; after that the key may serve a new request.
    assert_eq!(
        begin(key.clone(), mine, "2026-11-21 09:59:59").await,
        Begin::Replay(refused)
    );
    assert_eq!(
        begin(key.clone(), other, "2026-11-21 10:00:01").await,
        Begin::Proceed
    );

    // A released key runs again.
    let released = idem(1, "released");
    assert_eq!(
        begin(released.clone(), mine, "2026-11-20 10:00:00").await,
        Begin::Proceed
    );
    store.idempotency_release(&released).await.unwrap();
    assert_eq!(
        begin(released.clone(), mine, "2026-11-20 10:00:05").await,
        Begin::Proceed
    );
    // One in flight for longer than any request takes was abandoned: it runs again.
    assert_eq!(
        begin(released.clone(), mine, "2026-11-20 10:00:30").await,
        Begin::InFlight
    );
    assert_eq!(
        begin(released, mine, "2026-11-20 10:03:00").await,
        Begin::Proceed
    );
}

pub async fn idempotent_writes_keep_their_answer_with_their_effect(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let fingerprint = Fingerprint([3; 32]);
    let now = "2026-11-20 10:00:00";

    // An order placed under a key keeps the answer rendered from it.
    let placing = idem(1, "place-1");
    store
        .idempotency_begin(&placing, fingerprint, window(now))
        .await
        .unwrap();
    let placed = store
        .place_order_once(
            order("IDEM-1", now, &[(1, VENDOR_A, None, 3, 300)], &[]),
            at(now),
            Completion {
                key: placing.clone(),
                render: Box::new(|placed: &Placed| match placed {
                    Placed::Created(record) => answer(201, record.order.ord_no().as_str()),
                    Placed::Existing(record) => answer(200, record.order.ord_no().as_str()),
                }),
            },
        )
        .await
        .unwrap();
    assert!(matches!(placed, Placed::Created(_)));
    assert_eq!(
        store
            .idempotency_begin(&placing, fingerprint, window(now))
            .await
            .unwrap(),
        Begin::Replay(answer(201, "IDEM-1"))
    );

    // A cancellation likewise, rendered from the claim the transaction wrote.
    let canceling = idem(1, "cancel-1");
    store
        .idempotency_begin(&canceling, fingerprint, window(now))
        .await
        .unwrap();
    let claim = store
        .cancel_once(
            &order_no("IDEM-1"),
            &by_customer("c-1001", &[(1, 1)]),
            at("2026-11-20 10:00:01"),
            Completion {
                key: canceling.clone(),
                render: Box::new(|claim: &claims_domain::Claim| answer(201, claim.clm_no.as_str())),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .idempotency_begin(&canceling, fingerprint, window(now))
            .await
            .unwrap(),
        Begin::Replay(answer(201, claim.clm_no.as_str()))
    );

    // A cancellation refused by the rules writes nothing, answer included: the key stays in
    // flight until the caller records the refusal or releases the key.
    let refused = idem(1, "cancel-2");
    store
        .idempotency_begin(&refused, fingerprint, window(now))
        .await
        .unwrap();
    let error = store
        .cancel_once(
            &order_no("IDEM-1"),
            &by_customer("c-1001", &[(1, 5)]),
            at("2026-11-20 10:00:02"),
            Completion {
                key: refused.clone(),
                render: Box::new(|_: &claims_domain::Claim| answer(201, "never")),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        StoreError::Cancel(CancelRejection::ExceedsOpen { .. })
    ));
    assert_eq!(
        store
            .idempotency_begin(&refused, fingerprint, window(now))
            .await
            .unwrap(),
        Begin::InFlight
    );
    let record = store.order(&order_no("IDEM-1")).await.unwrap().unwrap();
    assert_eq!(record.items[0].canceled, 1, "only the first claim");
    assert_eq!(record.claims.len(), 1);
}

pub async fn concurrent_claims_of_one_idempotency_key_let_one_through(fixture: &Fixture) {
    let store = fixture.shared();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            store
                .idempotency_begin(
                    &idem(9, "at-once"),
                    Fingerprint([9; 32]),
                    window("2026-11-20 10:00:00"),
                )
                .await
                .unwrap()
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let proceeding = outcomes.iter().filter(|b| **b == Begin::Proceed).count();
    let waiting = outcomes.iter().filter(|b| **b == Begin::InFlight).count();
    assert_eq!((proceeding, waiting), (1, 15), "{outcomes:?}");
}

pub async fn idempotency_keys_are_held_to_a_quota_and_purged(fixture: &Fixture) {
    let store = fixture.store();
    let quota = Quota {
        max_keys: 3,
        max_bytes: 40,
    };
    let begin = |key: IdempotencyKey, now: &'static str| async move {
        store
            .idempotency_begin(&key, Fingerprint([5; 32]), window_with(now, quota))
            .await
            .expect("claiming a key")
    };
    let usage = |owner: u8| async move {
        store
            .idempotency_usage(&SecretHash([owner; 32]))
            .await
            .unwrap()
    };
    assert_eq!(usage(1).await, Usage::default());
    for key in ["k-1", "k-2"] {
        assert_eq!(
            begin(idem(1, key), "2026-11-20 10:00:00").await,
            Begin::Proceed
        );
    }
    let kept = answer(201, "twenty bytes of body");
    store
        .idempotency_finish(&idem(1, "k-1"), kept.clone(), at("2026-11-20 10:00:01"))
        .await
        .unwrap();
    assert_eq!(usage(1).await, Usage { keys: 2, bytes: 20 });

    // Released keys no longer count.
    assert_eq!(
        begin(idem(1, "k-3"), "2026-11-20 10:00:02").await,
        Begin::Proceed
    );
    store.idempotency_release(&idem(1, "k-3")).await.unwrap();
    assert_eq!(usage(1).await, Usage { keys: 2, bytes: 20 });

    // At the byte limit, a new key is refused; a kept answer is still replayed, and another
    // credential has its own quota.
    assert_eq!(
        begin(idem(1, "k-3"), "2026-11-20 10:00:03").await,
        Begin::Proceed
    );
    store
        .idempotency_finish(&idem(1, "k-3"), kept.clone(), at("2026-11-20 10:00:04"))
        .await
        .unwrap();
    assert_eq!(usage(1).await, Usage { keys: 3, bytes: 40 });
    assert_eq!(
        begin(idem(1, "k-4"), "2026-11-20 10:00:05").await,
        Begin::OverQuota(Usage { keys: 3, bytes: 40 })
    );
    assert_eq!(
        begin(idem(1, "k-1"), "2026-11-20 10:00:05").await,
        Begin::Replay(kept.clone())
    );
    assert_eq!(
        begin(idem(2, "k-4"), "2026-11-20 10:00:05").await,
        Begin::Proceed
    );

    // Purged once lapsed, in batches, oldest first: the quota frees up.
    assert_eq!(
        store
            .purge_idempotency_keys(at("2026-11-20 10:00:00"), 10)
            .await
            .unwrap(),
        0,
        "nothing is older than the cut-off"
    );
    // A day after 10:00:03, keys first used before 10:00:03 have lapsed.
    let cut_off = at("2026-11-20 10:00:03");
    assert_eq!(store.purge_idempotency_keys(cut_off, 1).await.unwrap(), 1);
    assert_eq!(store.purge_idempotency_keys(cut_off, 10).await.unwrap(), 1);
    assert_eq!(
        usage(1).await,
        Usage { keys: 1, bytes: 20 },
        "k-3 is younger"
    );
    assert_eq!(usage(2).await, Usage { keys: 1, bytes: 0 });
    assert_eq!(
        begin(idem(1, "k-4"), "2026-11-21 10:00:05").await,
        Begin::Proceed
    );
}
