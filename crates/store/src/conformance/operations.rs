//! A store reports its schema and pools, and closes cleanly.

use super::*;

pub async fn a_store_reports_its_schema_and_pools_and_closes(fixture: &Fixture) {
    let store = fixture.store();
    let schema = store.readiness().await.expect("a fresh store answers");
    assert!(schema.is_current(), "{schema:?}");
    assert!(schema.expected >= 1);
    let pools = store.pools();
    assert!(!pools.is_empty());
    for pool in &pools {
        assert!(pool.max >= 1, "{pool:?}");
        assert!(pool.in_use <= pool.max && pool.idle <= pool.max, "{pool:?}");
        assert_eq!(pool.waiting, 0, "{pool:?}");
    }
    register_vendors(store).await;

    store.close().await;
    match store.vendors().await {
        Err(StoreError::Unavailable(_)) => {}
        other => panic!("a closed store is unavailable, got {other:?}"),
    }
    assert!(matches!(
        store.readiness().await,
        Err(StoreError::Unavailable(_))
    ));
}

pub async fn nodes_are_counted_by_their_heartbeats(fixture: &Fixture) {
    let store = fixture.store();
    let t = |secs: i64| at("2026-11-21 09:00:00").plus_seconds(secs);
    assert_eq!(store.heartbeat("node-a", t(0), t(-15)).await.unwrap(), 1);
    assert_eq!(store.heartbeat("node-b", t(1), t(-14)).await.unwrap(), 2);
    // Heartbeats again: still two.
    assert_eq!(store.heartbeat("node-a", t(5), t(-10)).await.unwrap(), 2);
    // node-b falls silent: forgotten once its last heartbeat is older than the window.
    assert_eq!(store.heartbeat("node-a", t(20), t(5)).await.unwrap(), 1);
    assert_eq!(store.heartbeat("node-b", t(21), t(6)).await.unwrap(), 2);
    // A node that leaves is no longer counted.
    store.leave("node-b").await.unwrap();
    assert_eq!(store.heartbeat("node-a", t(25), t(10)).await.unwrap(), 1);
}

pub async fn a_sandbox_log_keeps_entries_in_order_per_vendor(fixture: &Fixture) {
    let store = fixture.store();
    let t = |secs: i64| at("2026-12-08 09:00:00").plus_seconds(secs);
    let vendor = |id: &str| VendorId::parse("splVenId", id).unwrap();
    let entry = |who: Option<&str>, secs: i64, kind: &str, body: &str| SandboxEntry {
        vendor: who.map(vendor),
        at: t(secs),
        real_ms: 1_800_000_000_000 + secs,
        kind: kind.to_owned(),
        body: body.to_owned(),
    };
    assert!(store.sandbox_log(None, 0, 10).await.unwrap().is_empty());
    let written = [
        entry(None, 0, "step", r#"{"step":1}"#),
        entry(
            Some("0000012345"),
            5,
            "call",
            r#"{"path":"/a","rows":["김"]}"#,
        ),
        entry(Some("0000023456"), 6, "call", "{}"),
        entry(Some("0000012345"), 7, "feed", "{}"),
    ];
    let mut seqs = Vec::new();
    for one in &written {
        seqs.push(store.record_sandbox(one.clone()).await.unwrap());
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");

    let every = store.sandbox_log(None, 0, 10).await.unwrap();
    assert_eq!(
        every.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>(),
        written
    );
    // A vendor's log holds its own entries and the steps, never another vendor's.
    let first = store
        .sandbox_log(Some(&vendor("0000012345")), 0, 10)
        .await
        .unwrap();
    let kinds: Vec<_> = first.iter().map(|(_, e)| e.kind.as_str()).collect();
    assert_eq!(kinds, ["step", "call", "feed"]);
    // Read on from a place, a page at a time.
    let page = store.sandbox_log(None, seqs[0], 2).await.unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].0, seqs[1]);
    assert_eq!(page[1].1, written[2]);
}
