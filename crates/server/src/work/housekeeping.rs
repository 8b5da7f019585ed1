//! Work `serve` does apart from any request: forgetting idempotency keys once they lapse,
//! events once they are older than the feed keeps them, and console sessions once idle.
//!
//! Lapsed keys are purged in batches, each its own short transaction that skips keys a
//! request holds, so purging never holds up a write for long, however many keys lapse at
//! once; every node may run it (on PostgreSQL they share the work). Keys that lapsed but
//! are not purged yet are already treated as gone by [`claims_store::idempotency::decide`];
//! purging only frees their room (and their credential's quota).

use std::time::Duration;

use crate::app::state::AppState;

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
        purge_idle_sessions(&app).await;
    }
}

/// Runs `purge` (which removes at most a batch and says how many) until a batch comes back
/// short; returns how many in all. A failure is logged as `what` and left for next time.
async fn in_batches<F, Fut>(what: &str, purge: F) -> usize
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<usize, claims_store::StoreError>>,
{
    let mut purged = 0;
    loop {
        match purge(BATCH).await {
            Ok(count) => {
                purged += count;
                if count < BATCH {
                    break;
                }
                tokio::time::sleep(BETWEEN_BATCHES).await;
            }
            Err(error) => {
                tracing::warn!(%error, "{what} could not be purged; retrying later");
                break;
            }
        }
    }
    if purged > 0 {
        tracing::info!(purged, "{what} purged");
    }
    purged
}

/// Removes every event older than the retention, batch by batch; returns how many.
pub async fn purge_old_events(app: &AppState) -> usize {
    let retention = app.config.events_retention.as_secs() as i64;
    let before = app.clock.now().plus_seconds(-retention);
    in_batches("events older than the retention", |batch| {
        app.store.purge_events(before, batch)
    })
    .await
}

/// Forgets every key that has lapsed by now, batch by batch; returns how many.
pub async fn purge_lapsed(app: &AppState) -> usize {
    let retention = app.config.idempotency_retention.as_secs() as i64;
    let lapsed_before = app.clock.now().plus_seconds(-retention);
    in_batches("lapsed idempotency keys", |batch| async move {
        let count = app
            .store
            .purge_idempotency_keys(lapsed_before, batch)
            .await?;
        app.metrics.idempotency_keys_purged(count);
        Ok(count)
    })
    .await
}

/// Removes console sessions unused for longer than the idle timeout (they no longer open
/// anything; this only frees their rows).
pub async fn purge_idle_sessions(app: &AppState) -> usize {
    let idle = app.config.console.idle.as_secs() as i64;
    let before = app.clock.now().plus_seconds(-idle);
    in_batches("idle console sessions", |batch| {
        app.store.purge_console_sessions(before, batch)
    })
    .await
}
