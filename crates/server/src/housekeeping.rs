//! Work `serve` does apart from any request: forgetting idempotency keys once they lapse,
//! and events once they are older than the feed keeps them.
//!
//! Lapsed keys are purged in batches, each its own short transaction that skips keys a
//! request holds, so purging never holds up a write for long, however many keys lapse at
//! once; every node may run it (on PostgreSQL they share the work). Keys that lapsed but
//! are not purged yet are already treated as gone by [`claims_store::idempotency::decide`];
//! purging only frees their room (and their credential's quota).

use std::time::Duration;

use crate::AppState;

/// How often lapsed keys are looked for.
const EVERY: Duration = Duration::from_secs(60);
/// Keys forgotten per transaction.
const BATCH: usize = 1_000;
/// The pause between batches, which lets other writers in.
const BETWEEN_BATCHES: Duration = Duration::from_millis(20);

/// Runs until it is dropped (`serve` aborts it on shutdown): a purge at start, then one
/// every minute. Dropped midway, it leaves whole batches behind.
pub async fn housekeeping(app: AppState) {
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        purge_lapsed(&app).await;
        purge_old_events(&app).await;
    }
}

/// Removes every event older than the retention, batch by batch; returns how many.
pub async fn purge_old_events(app: &AppState) -> usize {
    let retention = app.config.events_retention.as_secs() as i64;
    let before = app.clock.now().plus_seconds(-retention);
    let mut purged = 0;
    loop {
        match app.store.purge_events(before, BATCH).await {
            Ok(count) => {
                purged += count;
                if count < BATCH {
                    break;
                }
                tokio::time::sleep(BETWEEN_BATCHES).await;
            }
            Err(error) => {
                tracing::warn!(%error, "old events could not be purged; retrying later");
                break;
            }
        }
    }
    if purged > 0 {
        tracing::info!(purged, "events older than the retention purged");
    }
    purged
}

/// Forgets every key that has lapsed by now, batch by batch; returns how many.
pub async fn purge_lapsed(app: &AppState) -> usize {
    let retention = app.config.idempotency_retention.as_secs() as i64;
    let lapsed_before = app.clock.now().plus_seconds(-retention);
    let mut purged = 0;
    loop {
        match app.store.purge_idempotency_keys(lapsed_before, BATCH).await {
            Ok(count) => {
                purged += count;
                app.metrics.idempotency_keys_purged(count);
                if count < BATCH {
                    break;
                }
                tokio::time::sleep(BETWEEN_BATCHES).await;
            }
            Err(error) => {
                tracing::warn!(%error, "lapsed idempotency keys could not be purged; retrying later");
                break;
            }
        }
    }
    if purged > 0 {
        tracing::info!(purged, "lapsed idempotency keys purged");
    }
    purged
}
