//! Migrating a file written by the previous schema keeps its data and gives it its meaning
//! in the new one: unshipped items become instructed (배송지시), shipped ones released
//! (출고완료, confirmed when they shipped), and every item gets its own shipping number.

use claims_domain::{KstDateTime, OrderNo, ShippingStatus};
use claims_store::Store;
use claims_store_sqlite::{SqliteOptions, SqliteStore};

/// The migrations of schema 5, the one before cancel requests.
const BEFORE: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_platform_tokens.sql"),
    include_str!("../migrations/0003_idempotency_keys.sql"),
    include_str!("../migrations/0004_claim_lines_by_lower_rank.sql"),
    include_str!("../migrations/0005_idempotency_usage.sql"),
];

#[tokio::test]
async fn items_keep_their_meaning_across_the_shipping_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.db");
    let received = KstDateTime::parse("t", "2026-11-20 09:50:17").unwrap();
    let shipped = KstDateTime::parse("t", "2026-11-21 10:00:00").unwrap();
    {
        let mut connection = rusqlite::Connection::open(&path).unwrap();
        for (index, sql) in BEFORE.iter().enumerate() {
            let tx = connection.transaction().unwrap();
            tx.execute_batch(sql).unwrap();
            tx.pragma_update(None, "user_version", index as i64 + 1)
                .unwrap();
            tx.commit().unwrap();
        }
        connection
            .execute_batch(&format!(
                "INSERT INTO vendors VALUES ('0000012345', '(주)한빛유통', NULL, 0);
                 INSERT INTO orders VALUES ('OLD-1', '홍길동', 'c-1001', '30', {r}, {r});
                 INSERT INTO order_shipping_fees VALUES ('OLD-1', '0000012345', 3000);
                 INSERT INTO order_items VALUES
                   ('OLD-1', 1, '1000028463390', '유기농 우유 1L', '00001', '', 2, 4500,
                    '0000012345', NULL, 1000, 0, 2, 0, {s}, NULL),
                   ('OLD-1', 2, '1000028463391', '식빵', '', '', 3, 2500,
                    '0000012345', NULL, 0, 1, 0, 0, NULL, {s});
                 INSERT INTO orders VALUES ('OLD-2', '김철수', 'c-1002', '10', {r}, {r});
                 INSERT INTO order_items VALUES
                   ('OLD-2', 1, '1000028463392', '사과', '', '', 1, 9000,
                    '0000012345', NULL, 0, 0, 0, 0, NULL, NULL);",
                r = received.unix_seconds(),
                s = shipped.unix_seconds(),
            ))
            .unwrap();
    }

    let store = SqliteStore::open(&path, SqliteOptions::default())
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
    assert_eq!(old.order.recipient(), &claims_domain::Recipient::default());
    let other = store
        .order(&OrderNo::parse("ordNo", "OLD-2").unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut numbers: Vec<u64> = old
        .items
        .iter()
        .chain(&other.items)
        .map(|item| item.shpp_no.get())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 3, "every item has its own shipping number");
    store.close().await;
}
