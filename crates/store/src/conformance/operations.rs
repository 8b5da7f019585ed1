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
