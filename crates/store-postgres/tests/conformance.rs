//! The store conformance suite on PostgreSQL, one fresh database per test (and per case of
//! the random-data property).

use std::sync::Arc;

use claims_store::conformance::Fixture;
use claims_store_postgres::testing::{TestDatabase, server_url};
use claims_store_postgres::{PgOptions, PgStore};

async fn fresh() -> Option<Fixture> {
    let server = server_url("the PostgreSQL conformance suite")?;
    let database = TestDatabase::create(&server).await;
    let store = PgStore::open(
        &database.url,
        PgOptions {
            pool_size: 8,
            ..PgOptions::default()
        },
    )
    .await
    .expect("opening a fresh PostgreSQL store");
    Some(Fixture::new(Arc::new(store), database))
}

claims_store::conformance_tests!(fresh);

/// Vendor isolation on random data: 24 cases, each on a fresh store.
#[test]
fn every_key_reads_exactly_its_vendors_rows() {
    claims_store::conformance::isolation::check_on_random_data(fresh, 24);
}
