//! The store conformance suite on the embedded SQLite store, one fresh file per test.

use std::sync::Arc;

use claims_store::conformance::Fixture;
use claims_store_sqlite::{SqliteOptions, SqliteStore};

async fn fresh() -> Option<Fixture> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = SqliteStore::open(dir.path().join("claims.db"), SqliteOptions::default())
        .await
        .expect("opening a fresh store");
    Some(Fixture::new(Arc::new(store), dir))
}

claims_store::conformance_tests!(fresh);
