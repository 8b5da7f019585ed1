//! Migrations, tracked in SQLite's `user_version`.

use rusqlite::Connection;

use claims_store::StoreError;

use crate::convert::db_error;

/// Every migration, in order; the schema version is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_platform_tokens.sql"),
    include_str!("../migrations/0003_idempotency_keys.sql"),
    include_str!("../migrations/0004_claim_lines_by_lower_rank.sql"),
    include_str!("../migrations/0005_idempotency_usage.sql"),
    include_str!("../migrations/0006_shipping_and_cancel_requests.sql"),
    include_str!("../migrations/0007_token_labels_and_customer_orders.sql"),
    include_str!("../migrations/0008_events.sql"),
    include_str!("../migrations/0009_webhooks.sql"),
    include_str!("../migrations/0010_console.sql"),
    include_str!("../migrations/0011_nodes.sql"),
    include_str!("../migrations/0012_events_by_lower_rank.sql"),
    include_str!("../migrations/0013_webhook_replays.sql"),
    include_str!("../migrations/0014_no_sell_delays_and_the_clock.sql"),
    include_str!("../migrations/0015_delivery.sql"),
    include_str!("../migrations/0016_returns_and_exchanges.sql"),
    include_str!("../migrations/0017_console_searches.sql"),
    include_str!("../migrations/0018_sandbox_log.sql"),
    include_str!("../migrations/0019_items_to_release.sql"),
];

/// `'SSGC'`, written into the file header by the first migration.
pub(crate) const APPLICATION_ID: i64 = 0x5353_4743;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The version the database is at, without changing anything.
pub(crate) fn current_version(connection: &Connection) -> Result<i64, StoreError> {
    connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(db_error)
}

/// Brings the database up to [`SCHEMA_VERSION`], one transaction per migration. Refuses a
/// file that belongs to another application or to a newer build.
pub(crate) fn migrate(connection: &mut Connection) -> Result<i64, StoreError> {
    let application_id: i64 = connection
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(db_error)?;
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(db_error)?;
    if application_id != 0 && application_id != APPLICATION_ID {
        return Err(StoreError::internal(
            "this file is an SQLite database of another application, not of ssg-claims",
        ));
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::internal(format!(
            "the database has schema version {version}, newer than this build knows ({SCHEMA_VERSION}): upgrade ssg-claims"
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let target = index as i64 + 1;
        let tx = connection.transaction().map_err(db_error)?;
        tx.execute_batch(sql).map_err(db_error)?;
        tx.pragma_update(None, "user_version", target)
            .map_err(db_error)?;
        tx.commit().map_err(db_error)?;
        tracing::info!(schema.version = target, "applied SQLite migration");
    }
    Ok(SCHEMA_VERSION)
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    /// SQLite's plan for `sql` on the schema, one line per step.
    fn plan(sql: &str) -> String {
        let mut connection = Connection::open_in_memory().unwrap();
        super::migrate(&mut connection).unwrap();
        let mut statement = connection
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = statement
            .query_map([], |row| row.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    /// The items to release — confirmed or delayed, with units open — are read through
    /// their index by the shipping list and by the console's count, never by reading every
    /// item (a partial index serves a query only when the query names its condition).
    #[test]
    fn items_to_release_are_read_through_their_index() {
        let listed = plan(
            "SELECT i.ord_no FROM order_items i JOIN orders o ON o.ord_no = i.ord_no \
             WHERE i.spl_ven_id = '0000012345' AND i.ord_rcp_dts >= 0 AND i.ord_rcp_dts < 9 \
             AND (i.confirmed_at IS NOT NULL OR i.delay_nts > 0) \
             AND i.shipped_qty = 0 AND i.canceled_qty < i.qty \
             ORDER BY i.ord_rcp_dts, i.ord_no, i.ord_item_seq LIMIT 10",
        );
        assert!(
            listed.contains("USING INDEX order_items_to_release"),
            "{listed}"
        );
        let counted = plan(
            "SELECT count(*) FROM order_items WHERE spl_ven_id = '0000012345' \
             AND ord_rcp_dts >= 0 AND shipped_qty = 0 AND canceled_qty < qty \
             AND (confirmed_at IS NOT NULL OR delay_nts > 0) AND ('' = '' OR lrnk_spl_ven_id = '')",
        );
        assert!(
            counted.contains("USING INDEX order_items_to_release")
                || counted.contains("USING COVERING INDEX order_items_to_release"),
            "{counted}"
        );
    }
}
