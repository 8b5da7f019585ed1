//! Work that falls due at a time rather than on a request — executing out-of-stock
//! registrations at 17:00 KST the day after they were made, completing confirmed pickups of
//! returns and exchanges at 00:00 KST of the third business day — run in the order it fell
//! due: by the scheduler of every node (`work::schedule`) at the time it runs, and by a move
//! of the sandbox clock at each piece's own scheduled time, before the move answers.
//!
//! Exactly once however many nodes run it: the store executes a registration, or completes
//! a pickup, under its order's lock, only if it is still in force (still confirmed) and due,
//! and ends it in the same transaction — a node that comes second finds it ended and does
//! nothing.

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
    /// Pickups completed by themselves.
    pub completed: usize,
}

/// One piece of due work.
enum Due {
    NoSell(claims_store::DueNoSell),
    Pickup(claims_store::DuePickup),
}

impl Due {
    fn at(&self) -> KstDateTime {
        match self {
            Due::NoSell(registration) => registration.due,
            Due::Pickup(pickup) => pickup.due,
        }
    }
}

/// The work due by `by`, earliest first, as far as both kinds are known in order: when a
/// kind filled its batch, nothing later than its last is taken this time.
async fn next_due(app: &AppState, by: KstDateTime) -> Result<(Vec<Due>, bool), StoreError> {
    let no_sells = app.store.due_no_sells(by, BATCH).await?;
    let pickups = app.store.due_pickups(by, BATCH).await?;
    let mut horizon = by;
    let mut more = false;
    for last in [
        (no_sells.len() == BATCH)
            .then(|| no_sells.last().map(|d| d.due))
            .flatten(),
        (pickups.len() == BATCH)
            .then(|| pickups.last().map(|d| d.due))
            .flatten(),
    ]
    .into_iter()
    .flatten()
    {
        horizon = horizon.min(last);
        more = true;
    }
    let mut due: Vec<Due> = no_sells
        .into_iter()
        .map(Due::NoSell)
        .chain(pickups.into_iter().map(Due::Pickup))
        .filter(|work| work.at() <= horizon)
        .collect();
    due.sort_by_key(Due::at);
    Ok((due, more))
}

/// Runs every piece of work due by `by`, earliest first, each at `at`. A failure of one
/// piece is logged and left for the next run; the store's failure to list is returned.
pub async fn run_due(app: &AppState, by: KstDateTime, at: At) -> Result<Ran, StoreError> {
    let mut ran = Ran::default();
    for _ in 0..MAX_BATCHES {
        let (due, more) = next_due(app, by).await?;
        let mut progressed = false;
        for work in &due {
            let now = match at {
                At::Scheduled => work.at(),
                At::Now => app.clock.now().max(work.at()),
            };
            progressed |= match work {
                Due::NoSell(registration) => execute(app, registration, now, &mut ran).await,
                Due::Pickup(pickup) => complete(app, pickup, now, &mut ran).await,
            };
        }
        if !more || !progressed {
            break;
        }
    }
    if ran != Ran::default() {
        app.note_change();
    }
    Ok(ran)
}

/// Completes a confirmed pickup that fell due; whether the work moved on.
async fn complete(
    app: &AppState,
    pickup: &claims_store::DuePickup,
    now: KstDateTime,
    ran: &mut Ran,
) -> bool {
    match app.store.auto_complete_pickup(pickup.shpp_no, now).await {
        Ok(Some(claim)) => {
            ran.completed += 1;
            tracing::info!(
                claim.no = %claim.clm_no,
                shpp.no = %pickup.shpp_no,
                at = %now,
                "confirmed pickup completed by itself"
            );
            true
        }
        // Another node completed it, or the vendor did meanwhile.
        Ok(None) => true,
        Err(error) => {
            tracing::warn!(
                %error,
                shpp.no = %pickup.shpp_no,
                "a due pickup could not be completed; retrying later"
            );
            false
        }
    }
}

/// Executes a due out-of-stock registration; whether the work moved on.
async fn execute(
    app: &AppState,
    registration: &claims_store::DueNoSell,
    now: KstDateTime,
    ran: &mut Ran,
) -> bool {
    match app
        .store
        .execute_no_sell(&registration.ord_no, registration.item_seq, now)
        .await
    {
        Ok(Some(executed)) => {
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
            true
        }
        // Another node executed it, or it was withdrawn meanwhile.
        Ok(None) => true,
        Err(error) => {
            tracing::warn!(
                %error,
                order.no = %registration.ord_no,
                item.seq = %registration.item_seq,
                "an out-of-stock registration could not be executed; retrying later"
            );
            false
        }
    }
}
