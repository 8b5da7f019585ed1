//! Writing to the sandbox's log (`Store::record_sandbox`). Recording never fails a call:
//! an entry that cannot be written is logged and dropped.

use claims_domain::{KstDateTime, VendorId};
use claims_store::SandboxEntry;
use serde::Serialize;

use super::super::clock::real_ms;
use super::super::state::AppState;

/// Writes one entry at the sandbox clock's now; a failure is logged, never returned.
pub async fn write(app: &AppState, vendor: Option<VendorId>, kind: &str, body: &impl Serialize) {
    write_at(app, vendor, app.clock.now(), kind, body).await;
}

/// Writes one entry dated `at`.
pub async fn write_at(
    app: &AppState,
    vendor: Option<VendorId>,
    at: KstDateTime,
    kind: &str,
    body: &impl Serialize,
) {
    let body = match serde_json::to_string(body) {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "a sandbox entry could not be written as JSON");
            return;
        }
    };
    let entry = SandboxEntry {
        vendor,
        at,
        real_ms: real_ms(),
        kind: kind.to_owned(),
        body,
    };
    if let Err(error) = app.store.record_sandbox(entry).await {
        tracing::warn!(%error, kind, "a sandbox entry could not be recorded");
    }
}
