//! The plans SQLite picks for the change feed: a key narrowed to a lower-rank vendor reads
//! that vendor's events through their own index, never its parent's whole sequence.

use claims_store::Store;
use claims_store::events_after_sql;
use claims_store::sql::{Dialect, question_mark_placeholders};
use claims_store_sqlite::{SqliteOptions, SqliteStore};

fn plan(path: &std::path::Path, narrowed: bool) -> String {
    let connection = rusqlite::Connection::open(path).unwrap();
    let sql = format!(
        "EXPLAIN QUERY PLAN {}",
        question_mark_placeholders(&events_after_sql(Dialect::Sqlite, narrowed))
    );
    let mut statement = connection.prepare(&sql).unwrap();
    let params: Vec<Box<dyn rusqlite::ToSql>> = if narrowed {
        vec![
            Box::new("0000012345"),
            Box::new(0),
            Box::new(100),
            Box::new(10),
            Box::new("0000012346"),
        ]
    } else {
        vec![
            Box::new("0000012345"),
            Box::new(0),
            Box::new(100),
            Box::new(10),
        ]
    };
    let refs: Vec<&dyn rusqlite::ToSql> = params.iter().map(AsRef::as_ref).collect();
    statement
        .query_map(refs.as_slice(), |row| row.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_narrowed_feed_reads_its_own_events_through_their_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.db");
    let store = SqliteStore::open(&path, SqliteOptions::default())
        .await
        .unwrap();
    store.close().await;
    assert_eq!(
        plan(&path, true),
        "SEARCH events USING INDEX events_by_lower_rank (spl_ven_id=? AND lrnk_spl_ven_id=? AND seq>? AND seq<?)",
        "the lower-rank vendor's own events, in sequence order, no sort"
    );
    assert_eq!(
        plan(&path, false),
        "SEARCH events USING PRIMARY KEY (spl_ven_id=? AND seq>? AND seq<?)"
    );
}
