//! The scheduler every `serve` node runs: work that falls due at a time (`app::due`),
//! looked for every second; a node that was down runs what fell due meanwhile as soon as
//! it starts (at the time it actually runs it).
//!
//! No lease is needed for exactly-once: the store's execution checks, under the order's
//! lock, that the work is still to be done (a lease that lapsed mid-way would not be enough
//! anyway); two nodes at most wait once on the same order's lock.
//!
//! On a sandbox, the task also keeps the node's copy of the sandbox clock current, so that
//! a move made on any node is seen here within a tick.

use std::time::Duration;

use claims_store::StoreError;

use crate::app::clock::{SandboxClock, start_sandbox};
use crate::app::due::{At, run_due};
use crate::app::state::AppState;

/// How often the sandbox clock is read from the database.
const TICK: Duration = Duration::from_millis(250);
/// How often due work is looked for, in ticks.
const DUE_EVERY_TICKS: u32 = 4;

/// Runs until it is dropped (`serve` aborts it on shutdown): overdue work at start, then
/// what falls due, every second; the sandbox clock followed every tick.
pub async fn schedule(app: AppState) {
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut started = app.sandbox.is_none();
    let mut tick = 0u32;
    loop {
        ticks.tick().await;
        let mut moved = false;
        if let Some(sandbox) = &app.sandbox {
            match follow(&app, sandbox, started).await {
                Ok(changed) => {
                    moved = changed;
                    started = true;
                }
                Err(error) => {
                    tracing::warn!(%error, "the sandbox clock could not be read; retrying");
                    continue;
                }
            }
        }
        tick = tick.wrapping_add(1);
        if moved || tick % DUE_EVERY_TICKS == 1 {
            if let Err(error) = run_due(&app, app.clock.now(), At::Now).await {
                tracing::warn!(%error, "due work could not be run; retrying");
            }
        }
    }
}

/// Reads the sandbox clock into this node's copy (starting it first, once); whether it
/// moved.
async fn follow(app: &AppState, sandbox: &SandboxClock, started: bool) -> Result<bool, StoreError> {
    let anchor = if started {
        app.store.sandbox_clock().await?
    } else {
        Some(start_sandbox(&*app.store).await?)
    };
    Ok(anchor.is_some_and(|anchor| sandbox.follow(anchor)))
}
