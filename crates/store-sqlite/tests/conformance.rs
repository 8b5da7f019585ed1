//! The store conformance suite on the embedded SQLite store, one fresh file per test (and
//! per case of the random-data property).

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

/// Vendor isolation on random data: 24 cases, each on a fresh store.
#[test]
fn every_key_reads_exactly_its_vendors_rows() {
    claims_store::conformance::isolation::check_on_random_data(fresh, 24);
}
