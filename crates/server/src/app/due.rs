//! Work that falls due at a time rather than on a request — executing out-of-stock
//! registrations at 17:00 KST the day after they were made — run in the order it fell due:
//! by the scheduler of every node (`work::schedule`) at the time it runs, and by a move of
//! the sandbox clock at each piece's own scheduled time, before the move answers.
//!
//! Exactly once however many nodes run it: the store executes a registration under its
//! order's lock, only if it is still in force and due, and ends it in the same
//! transaction — a node that comes second finds it ended and does nothing.

use claims_domain::KstDateTime;
use claims_store::StoreError;

use super::state::AppState;

/// Due registrations read at a time.
const BATCH: usize = 100;
/// Batches one run takes at most, so that one run ends even if an execution keeps failing.
const MAX_BATCHES: usize = 100;

/// At what time due work runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// At its own scheduled time: the sandbox clock was moved past it.
    Scheduled,
    /// Now: it fell due while nobody ran it (or just now).
    Now,
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ran {
    /// Registrations executed (claims made) and void (nothing was left open).
    pub executed: usize,
    pub void: usize,
}

/// Runs every piece of work due by `by`, earliest first, each at `at`. A failure of one
/// execution is logged and left for the next run; the store's failure to list is returned.
pub async fn run_due(app: &AppState, by: KstDateTime, at: At) -> Result<Ran, StoreError> {
    let mut ran = Ran::default();
    for _ in 0..MAX_BATCHES {
        let due = app.store.due_no_sells(by, BATCH).await?;
        let mut progressed = false;
        for registration in &due {
            let now = match at {
                At::Scheduled => registration.due,
                At::Now => app.clock.now().max(registration.due),
            };
            match app
                .store
                .execute_no_sell(&registration.ord_no, registration.item_seq, now)
                .await
            {
                Ok(Some(executed)) => {
                    progressed = true;
                    app.metrics.no_sell_executed(executed.status);
                    for claim in executed.approved.iter().chain(&executed.claim) {
                        app.metrics.claim_recorded(claim.lines.len());
                    }
                    match &executed.claim {
                        Some(claim) => {
                            ran.executed += 1;
                            tracing::info!(
                                order.no = %executed.ord_no,
                                item.seq = %executed.item_seq,
                                claim.no = %claim.clm_no,
                                approved = executed.approved.is_some(),
                                at = %now,
                                "out-of-stock registration executed"
                            );
                        }
                        None => {
                            ran.void += 1;
                            tracing::info!(
                                order.no = %executed.ord_no,
                                item.seq = %executed.item_seq,
                                "out-of-stock registration void: nothing was left open"
                            );
                        }
                    }
                }
                // Another node executed it, or it was withdrawn meanwhile.
                Ok(None) => progressed = true,
                Err(error) => tracing::warn!(
                    %error,
                    order.no = %registration.ord_no,
                    item.seq = %registration.item_seq,
                    "an out-of-stock registration could not be executed; retrying later"
                ),
            }
        }
        if due.len() < BATCH || !progressed {
            break;
        }
    }
    if ran != Ran::default() {
        app.note_change();
    }
    Ok(ran)
}
