//! The sandbox clock, kept in the database so that every node sharing it shows the same
//! time. It only moves forward: a move is decided by the domain against the time the
//! clock shows, under the row's lock, in the transaction that writes the new anchor.

use claims_domain::{ClockAnchor, ClockMove, Moved};

use crate::idempotency::{self, Completion};
use crate::sql::{Param, Sql};
use crate::{Conflict, StoreError};

fn anchor(row: &crate::sql::Row) -> Result<ClockAnchor, StoreError> {
    Ok(ClockAnchor {
        real_ms: row.int(0)?,
        at: row.time(1)?,
        speed_milli: u32::try_from(row.int(2)?)
            .map_err(|_| StoreError::internal("a sandbox clock runs at a negative speed"))?,
    })
}

/// The clock, if one was started.
pub(crate) async fn get(sql: &mut dyn Sql) -> Result<Option<ClockAnchor>, StoreError> {
    read(sql, "").await
}

async fn read(sql: &mut dyn Sql, lock: &str) -> Result<Option<ClockAnchor>, StoreError> {
    let query = format!(
        "SELECT anchor_real_ms, anchor_at, speed_milli FROM sandbox_clock WHERE id = 1{lock}"
    );
    match sql.query(&query, &[]).await?.first() {
        Some(row) => anchor(row).map(Some),
        None => Ok(None),
    }
}

/// Starts the clock at `start` unless it runs already (one statement, so two nodes
/// starting at once keep the first); the clock as it stands.
pub(crate) async fn start(
    sql: &mut dyn Sql,
    start: ClockAnchor,
) -> Result<ClockAnchor, StoreError> {
    sql.execute(
        "INSERT INTO sandbox_clock (id, anchor_real_ms, anchor_at, speed_milli) \
         VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
        &[
            Param::Int(start.real_ms),
            start.at.into(),
            Param::Int(i64::from(start.speed_milli)),
        ],
    )
    .await?;
    read(sql, "")
        .await?
        .ok_or_else(|| StoreError::internal("the sandbox clock went away as it started"))
}

/// Moves the clock as `how` says at the real moment `real_ms`, forward only
/// ([`Conflict::ClockBackwards`]); a clock not started yet is started at `start` first.
/// With `done`, records the move's answer for its idempotency key in the same transaction.
pub(crate) async fn shift(
    sql: &mut dyn Sql,
    how: ClockMove,
    real_ms: i64,
    start: ClockAnchor,
    done: Option<Completion<Moved>>,
) -> Result<Moved, StoreError> {
    let lock = sql.dialect().for_update();
    let current = match read(sql, lock).await? {
        Some(current) => current,
        None => self::start(sql, start).await?,
    };
    let moved = current
        .moved(how, real_ms)
        .map_err(|refused| Conflict::ClockBackwards {
            shown: refused.shown,
            asked: refused.asked,
        })?;
    sql.execute(
        "UPDATE sandbox_clock SET anchor_real_ms = $1, anchor_at = $2, speed_milli = $3 \
         WHERE id = 1",
        &[
            Param::Int(moved.to.real_ms),
            moved.to.at.into(),
            Param::Int(i64::from(moved.to.speed_milli)),
        ],
    )
    .await?;
    if let Some(done) = done {
        idempotency::record(sql, &done.key, &(done.render)(&moved), moved.to.at).await?;
    }
    Ok(moved)
}
