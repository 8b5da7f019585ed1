//! Query plans of the inquiry on PostgreSQL: a key reads a range of the rows it may see and
//! never filters rows it may not (a lower-rank vendor's key never scans its parent's week).

use claims_domain::{InquiryQuery, KstDate, KstDateTime, Period, Scope, Text, VendorId};
use claims_store::{KeyId, NewApiKey, NewVendor, SecretHash, Store};
use claims_store_postgres::testing::{TestDatabase, server_url};
use claims_store_postgres::{PgOptions, PgStore, RawInquiry};
use tokio_postgres::NoTls;

fn vendor(id: &str) -> VendorId {
    VendorId::parse("splVenId", id).unwrap()
}

/// The plan PostgreSQL ran for `raw`, as text.
async fn executed_plan(client: &tokio_postgres::Client, raw: &RawInquiry) -> String {
    let rows = client
        .query(
            &format!("EXPLAIN (ANALYZE, COSTS OFF) {}", raw.sql),
            &raw.params(),
        )
        .await
        .unwrap();
    rows.iter()
        .map(|row| row.get::<_, &str>(0).to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn each_key_reads_a_range_of_its_own_rows() {
    let Some(server) = server_url("the PostgreSQL query-plan test") else {
        return;
    };
    let database = TestDatabase::create(&server).await;
    let store = PgStore::open(&database.url, PgOptions::default())
        .await
        .unwrap();
    let now = KstDateTime::parse("t", "2026-11-28 12:00:00").unwrap();
    for (id, parent) in [("0000012345", None), ("0000012346", Some("0000012345"))] {
        store
            .add_vendor(
                NewVendor {
                    id: vendor(id),
                    name: Text::from_stored(format!("업체 {id}")),
                    parent: parent.map(vendor),
                },
                now,
            )
            .await
            .unwrap();
    }
    let parent_key = SecretHash([1; 32]);
    let lower_key = SecretHash([2; 32]);
    for (n, (hash, lower)) in [(parent_key, None), (lower_key, Some("0000012346"))]
        .into_iter()
        .enumerate()
    {
        store
            .add_api_key(
                NewApiKey {
                    id: KeyId::from_random([n as u8 + 1; 8]),
                    hash,
                    scope: Scope {
                        vendor: vendor("0000012345"),
                        lower_rank: lower.map(vendor),
                    },
                },
                now,
            )
            .await
            .unwrap();
    }
    // A parent with 60,000 lines in the week, one in fifty of its lower-rank vendor.
    let (client, connection) = tokio_postgres::connect(&database.url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(
            "INSERT INTO claim_lines SELECT '0000012345', \
               timestamptz '2026-11-28 00:00:00+09' - make_interval(secs => g), 'C' || g, 1, \
               CASE WHEN g % 50 = 0 THEN '0000012346' END, 'O' || g, 1, '홍길동', '30', \
               timestamptz '2026-11-20 00:00:00+09', '1000', '우유', '00001', '', 1, '251', '', \
               '10', 1, 0, 0, 0, 0 \
             FROM generate_series(1, 60000) AS g; \
             ANALYZE claim_lines",
        )
        .await
        .unwrap();
    let week = InquiryQuery::by_period(
        Period::new(
            KstDate::parse_compact("20261122").unwrap(),
            KstDate::parse_compact("20261128").unwrap(),
        )
        .unwrap(),
    );

    let lower = executed_plan(&client, &RawInquiry::new(&lower_key, &week, None, 1_000)).await;
    assert!(
        lower.contains("Index Scan using claim_lines_by_lower_rank"),
        "{lower}"
    );
    assert!(
        lower.contains("Index Cond: ((lrnk_spl_ven_id = "),
        "the lower-rank vendor's rows are an index range: {lower}"
    );
    assert!(
        !lower.contains("Rows Removed by Filter"),
        "no row is read to be thrown away: {lower}"
    );
    assert!(
        !lower.contains("Sort Method: external"),
        "at most a page is sorted: {lower}"
    );

    let parent = executed_plan(&client, &RawInquiry::new(&parent_key, &week, None, 1_000)).await;
    assert!(
        parent.contains("using claim_lines_pkey"),
        "the parent's rows are a range of the primary key: {parent}"
    );
    assert!(!parent.contains("Rows Removed by Filter"), "{parent}");
    drop(client);
    store.close().await;
}

#[tokio::test]
async fn a_narrowed_feed_reads_its_own_events_through_their_index() {
    let Some(server) = server_url("the PostgreSQL feed-plan test") else {
        return;
    };
    let database = TestDatabase::create(&server).await;
    let store = PgStore::open(&database.url, PgOptions::default())
        .await
        .unwrap();
    let (client, connection) = tokio_postgres::connect(&database.url, NoTls).await.unwrap();
    tokio::spawn(connection);
    // A busy parent: 60,000 events, one in a thousand about its lower-rank vendor.
    client
        .batch_execute(
            "INSERT INTO event_heads VALUES ('0000012345', 60000, 0); \
             INSERT INTO events SELECT '0000012345', g, \
               CASE WHEN g % 1000 = 0 THEN '0000012346' END, 'claim.created', \
               timestamptz '2026-11-28 00:00:00+09', 'O' || g, 'C' || g, NULL, NULL, NULL \
             FROM generate_series(1, 60000) AS g; \
             ANALYZE events",
        )
        .await
        .unwrap();
    let sql = claims_store::events_after_sql(claims_store::sql::Dialect::Postgres, true);
    let rows = client
        .query(
            &format!("EXPLAIN (ANALYZE, COSTS OFF) {sql}"),
            &[&"0000012345", &0i64, &60000i64, &100i64, &"0000012346"],
        )
        .await
        .unwrap();
    let plan: Vec<String> = rows
        .iter()
        .map(|row| row.get::<_, &str>(0).to_owned())
        .collect();
    let plan = plan.join("\n");
    assert!(
        plan.contains("using events_by_lower_rank"),
        "the lower-rank vendor's own events: {plan}"
    );
    assert!(
        !plan.contains("Rows Removed by Filter"),
        "none of the parent's read to be thrown away: {plan}"
    );
    drop(client);
    store.close().await;
}
