//! Nodes sharing a database, and their shares of the rate limits. Every `serve` node writes
//! a heartbeat every few seconds and counts the nodes seen lately; each then allows every
//! credential its budget divided by that count, so that a key's requests spread over the
//! nodes (as a load balancer spreads them) add up to its budget, not to a budget per node —
//! with no database call per request. A node that stops is forgotten a few heartbeats
//! later (at once when it shuts down cleanly), and the others take its share back.

use std::time::Duration;

use crate::app::clock::{Clock as _, SystemClock};
use crate::app::state::AppState;

/// How often a node writes its heartbeat.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// How long a node counts as alive after its last heartbeat.
const LIVE_FOR_SECS: i64 = 15;

/// Runs until it is dropped (`serve` aborts it on shutdown, then calls [`leave`]).
pub async fn membership(app: AppState) {
    let mut ticks = tokio::time::interval(HEARTBEAT);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        // The real time, even on a sandbox: nodes count each other by it, and a sandbox
        // clock moved a day ahead must not make the others look long gone.
        let now = SystemClock.now();
        match app
            .store
            .heartbeat(&app.node, now, now.plus_seconds(-LIVE_FOR_SECS))
            .await
        {
            Ok(nodes) => {
                app.guard.share(nodes);
                app.metrics.nodes(nodes);
            }
            // Keeps the shares it has: a database that is away for a moment changes nothing.
            Err(error) => tracing::warn!(%error, "the node's heartbeat could not be written"),
        }
    }
}

/// Tells the other nodes this one is gone, so that they take its share back at once.
pub async fn leave(app: &AppState) {
    if let Err(error) = app.store.leave(&app.node).await {
        tracing::warn!(%error, "the node could not sign off; the others will notice in a few seconds");
    }
}
