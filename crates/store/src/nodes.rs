//! The `serve` nodes sharing a database: each writes a heartbeat and counts the nodes seen
//! lately, so that it can take its share of a budget that must hold across all of them.

use claims_domain::KstDateTime;

use crate::StoreError;
use crate::sql::Sql;

/// Records that `node` is alive at `now`, forgets nodes not seen since `live_since`, and
/// counts the live ones (this one included).
pub(crate) async fn heartbeat(
    sql: &mut dyn Sql,
    node: &str,
    now: KstDateTime,
    live_since: KstDateTime,
) -> Result<usize, StoreError> {
    sql.execute(
        "INSERT INTO nodes (node_id, seen_at) VALUES ($1, $2) \
         ON CONFLICT (node_id) DO UPDATE SET seen_at = excluded.seen_at",
        &[node.into(), now.into()],
    )
    .await?;
    sql.execute("DELETE FROM nodes WHERE seen_at < $1", &[live_since.into()])
        .await?;
    let row = sql
        .query_opt("SELECT COUNT(*) FROM nodes", &[])
        .await?
        .ok_or_else(|| StoreError::internal("COUNT(*) returned no row"))?;
    Ok(row.int(0)? as usize)
}

/// Forgets `node` (it is shutting down).
pub(crate) async fn leave(sql: &mut dyn Sql, node: &str) -> Result<(), StoreError> {
    sql.execute("DELETE FROM nodes WHERE node_id = $1", &[node.into()])
        .await?;
    Ok(())
}
