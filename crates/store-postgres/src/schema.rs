//! Migrations, recorded in `schema_migrations`. Several nodes may start at once: the whole
//! check-and-apply runs in one transaction under an advisory lock, so exactly one of them
//! migrates and the others find the work done.

use claims_store::StoreError;
use deadpool_postgres::Object;

use crate::error::db_error;

/// Every migration, in order; the schema version is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_idempotency_keys.sql"),
    include_str!("../migrations/0003_claim_lines_by_lower_rank.sql"),
    include_str!("../migrations/0004_idempotency_usage.sql"),
    include_str!("../migrations/0005_shipping_and_cancel_requests.sql"),
    include_str!("../migrations/0006_token_labels_and_customer_orders.sql"),
    include_str!("../migrations/0007_events.sql"),
    include_str!("../migrations/0008_webhooks.sql"),
    include_str!("../migrations/0009_console.sql"),
    include_str!("../migrations/0010_nodes.sql"),
    include_str!("../migrations/0011_events_by_lower_rank.sql"),
    include_str!("../migrations/0012_webhook_replays.sql"),
    include_str!("../migrations/0013_no_sell_delays_and_the_clock.sql"),
    include_str!("../migrations/0014_delivery.sql"),
    include_str!("../migrations/0015_returns_and_exchanges.sql"),
    include_str!("../migrations/0016_console_searches.sql"),
    include_str!("../migrations/0017_sandbox_log.sql"),
    include_str!("../migrations/0018_items_to_release.sql"),
];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// An arbitrary, fixed key for the migration lock (`'SSGC'` and 1).
const MIGRATION_LOCK: i64 = 0x5353_4743_0000_0001;

/// Brings the schema up to date; returns the version it was at before (0 for an empty
/// database).
pub(crate) async fn migrate(client: &mut Object) -> Result<i32, StoreError> {
    let tx = client.transaction().await.map_err(db_error)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db_error)?;
    // `CREATE … IF NOT EXISTS` would otherwise send a notice on every start.
    tx.batch_execute("SET LOCAL client_min_messages = warning")
        .await
        .map_err(db_error)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(db_error)?;
    let current: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .map_err(db_error)?
        .get(0);
    if current > SCHEMA_VERSION {
        return Err(StoreError::internal(format!(
            "the database has schema version {current}, newer than this build knows ({SCHEMA_VERSION}): upgrade ssg-claims"
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i32 + 1;
        tx.batch_execute(sql).await.map_err(db_error)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&version],
        )
        .await
        .map_err(db_error)?;
        tracing::info!(schema.version = version, "applied PostgreSQL migration");
    }
    tx.commit().await.map_err(db_error)?;
    Ok(current)
}

/// The version the database is at, without changing anything.
pub(crate) async fn current_version(client: &Object) -> Result<i32, StoreError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .await
        .map_err(db_error)?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let row = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .map_err(db_error)?;
    Ok(row.get(0))
}
