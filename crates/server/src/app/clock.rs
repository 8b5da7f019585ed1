//! The one clock every time the service reads comes from: claims, events, the inquiry's
//! "today", idempotency windows, executions, retention, sessions.
//!
//! It is the system's, unless the node runs a sandbox (`sandbox.enabled`): then it is the
//! sandbox clock kept in the database — the time it showed at a moment of the real clock,
//! and its speed — which only moves forward, and which every node sharing the database
//! reads (each refreshes its copy a few times a second; see `work::schedule`).

use std::fmt;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use claims_domain::{ClockAnchor, KstDateTime};
use claims_store::{Store, StoreError};

/// The source of the current time.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    fn now(&self) -> KstDateTime;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> KstDateTime {
        KstDateTime::from_timestamp(jiff::Timestamp::now())
    }
}

/// Milliseconds since the Unix epoch on the system's clock.
pub fn real_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A sandbox clock: this node's copy of the one kept in the database.
#[derive(Debug)]
pub struct SandboxClock {
    anchor: RwLock<ClockAnchor>,
    /// Whether the copy was read from the database yet.
    read: AtomicBool,
}

impl SandboxClock {
    /// The clock as read from the database.
    pub fn new(anchor: ClockAnchor) -> Self {
        Self {
            anchor: RwLock::new(anchor),
            read: AtomicBool::new(true),
        }
    }

    /// A clock not read yet (the database is not reachable yet): it shows the real time
    /// until the first reading, which it takes whatever it shows.
    pub fn unread() -> Self {
        Self {
            read: AtomicBool::new(false),
            ..Self::new(ClockAnchor {
                real_ms: real_ms(),
                at: SystemClock.now(),
                speed_milli: 1000,
            })
        }
    }

    /// The clock as this node last read it.
    pub fn anchor(&self) -> ClockAnchor {
        *self
            .anchor
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes `anchor` (read from the database, or just written there) unless it is older
    /// than the copy held and would show an earlier time: a slow read never takes the clock
    /// back, while a newer anchor — a change of speed — is taken even if it shows a moment
    /// less than the faster copy ran on to.
    /// Whether the copy changed.
    pub fn follow(&self, anchor: ClockAnchor) -> bool {
        let mut held = self
            .anchor
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = real_ms();
        let first = !self.read.swap(true, Ordering::SeqCst);
        let newer = anchor.real_ms > held.real_ms && anchor.speed_milli != held.speed_milli;
        if *held == anchor || (!first && !newer && anchor.now_at(now) < held.now_at(now)) {
            return false;
        }
        *held = anchor;
        true
    }
}

impl Clock for SandboxClock {
    fn now(&self) -> KstDateTime {
        self.anchor().now_at(real_ms())
    }
}

/// The sandbox clock of `store`, started at the real time (running at real speed) if it
/// has not been started before; a clock started before runs on from where it stood.
pub async fn start_sandbox(store: &dyn Store) -> Result<ClockAnchor, StoreError> {
    store
        .start_sandbox_clock(ClockAnchor {
            real_ms: real_ms(),
            at: SystemClock.now(),
            speed_milli: 1000,
        })
        .await
}

/// The time as `store`'s clock shows it now: its sandbox clock once one was started, else
/// the system's. For commands that write outside `serve` (the command line), so that what
/// they write fits the sandbox's time.
pub async fn store_now(store: &dyn Store) -> Result<KstDateTime, StoreError> {
    Ok(match store.sandbox_clock().await? {
        Some(anchor) => anchor.now_at(real_ms()),
        None => SystemClock.now(),
    })
}
