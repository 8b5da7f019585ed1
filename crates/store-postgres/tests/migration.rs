//! Migrating a database written by the previous schema keeps its data and gives it its
//! meaning in the new one: unshipped items become instructed (배송지시), shipped ones released
//! (출고완료, confirmed when they shipped), every item gets its own shipping number, and new
//! orders' numbers continue after them.

use claims_domain::{KstDateTime, OrderNo, ShippingStatus};
use claims_store::Store;
use claims_store::conformance::{VENDOR_A, at, order};
use claims_store_postgres::testing::{TestDatabase, server_url};
use claims_store_postgres::{PgOptions, PgStore};
use tokio_postgres::NoTls;

/// The migrations of schema 4, the one before cancel requests.
const BEFORE: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_idempotency_keys.sql"),
    include_str!("../migrations/0003_claim_lines_by_lower_rank.sql"),
    include_str!("../migrations/0004_idempotency_usage.sql"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_keep_their_meaning_across_the_shipping_migration() {
    let Some(server) = server_url("the PostgreSQL migration test") else {
        return;
    };
    let database = TestDatabase::create(&server).await;
    let shipped = KstDateTime::parse("t", "2026-11-21 10:00:00").unwrap();
    {
        let (client, connection) = tokio_postgres::connect(&database.url, NoTls).await.unwrap();
        let driver = tokio::spawn(connection);
        client
            .batch_execute(
                "CREATE TABLE schema_migrations (
                     version    integer PRIMARY KEY,
                     applied_at timestamptz NOT NULL DEFAULT now()
                 )",
            )
            .await
            .unwrap();
        for (index, sql) in BEFORE.iter().enumerate() {
            client.batch_execute(sql).await.unwrap();
            client
                .execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)",
                    &[&(index as i32 + 1)],
                )
                .await
                .unwrap();
        }
        client
            .batch_execute(
                "INSERT INTO vendors VALUES ('0000012345', '(주)한빛유통', NULL, now());
                 INSERT INTO orders VALUES ('OLD-1', '홍길동', 'c-1001', '30',
                     '2026-11-20 09:50:17+09', now());
                 INSERT INTO order_shipping_fees VALUES ('OLD-1', '0000012345', 3000);
                 INSERT INTO order_items VALUES
                   ('OLD-1', 1, '1000028463390', '유기농 우유 1L', '00001', '', 2, 4500,
                    '0000012345', NULL, 1000, 0, 2, 0, '2026-11-21 10:00:00+09', NULL),
                   ('OLD-1', 2, '1000028463391', '식빵', '', '', 3, 2500,
                    '0000012345', NULL, 0, 1, 0, 0, NULL, '2026-11-21 10:00:00+09');",
            )
            .await
            .unwrap();
        drop(client);
        let _ = driver.await;
    }

    let store = PgStore::open(&database.url, PgOptions::default())
        .await
        .unwrap();
    let old = store
        .order(&OrderNo::parse("ordNo", "OLD-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.items[0].shipping_status(), ShippingStatus::Released);
    assert_eq!(old.items[0].confirmed_at, Some(shipped));
    assert_eq!(old.items[1].shipping_status(), ShippingStatus::Instructed);
    assert_eq!(
        (old.items[1].canceled, old.items[1].confirmed_at),
        (1, None)
    );
    assert!(old.cancel_requests.is_empty());
    assert_ne!(old.items[0].shpp_no, old.items[1].shpp_no);

    // A new order's items are numbered after the migrated ones.
    store
        .place_order(
            order(
                "NEW-1",
                "2026-11-22 09:00:00",
                &[(1, VENDOR_A, None, 1, 0)],
                &[],
            ),
            at("2026-11-22 09:00:00"),
        )
        .await
        .unwrap();
    let new = store
        .order(&OrderNo::parse("ordNo", "NEW-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    let highest = old.items.iter().map(|item| item.shpp_no).max().unwrap();
    assert!(new.items[0].shpp_no > highest);
    store.close().await;
}
