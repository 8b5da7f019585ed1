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
