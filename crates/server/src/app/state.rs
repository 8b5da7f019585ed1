//! What every handler and every background task can reach: the store, the clock, the
//! settings, the metrics and the node's shared guards.

use std::sync::Arc;

use claims_store::Store;

use super::answers::{Answers, Rows};
use super::clock::{Clock, SandboxClock, SystemClock};
use super::config::Config;
use super::limits::Guard;
use super::metrics::Metrics;
use super::sandbox::hooks::Hooks;
use super::sign_ins::SignIns;

/// A new webhook endpoint id (64 random bits).
pub fn new_webhook_id() -> claims_domain::WebhookId {
    claims_domain::WebhookId::from_random(rand::random())
}

/// A new cancel request id, from the thread's random source (64 bits: ids never repeat in
/// practice, and a repeat would be refused by the store, never merged).
pub fn new_request_id() -> claims_domain::RequestId {
    claims_domain::RequestId::from_random(rand::random())
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// The sandbox clock, when the node runs a sandbox (then `clock` is it too).
    pub sandbox: Option<Arc<SandboxClock>>,
    /// The triggers and traps of the scenario this node plays, if it plays one.
    pub scenario: Option<Arc<Hooks>>,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    /// Bumped after every write this node answered successfully, so that long polls and
    /// webhook dispatch look for new events at once rather than at their next poll.
    pub changes: Arc<tokio::sync::watch::Sender<u64>>,
    /// Failed console sign-ins, which slow the next attempts.
    pub sign_ins: Arc<SignIns>,
    /// This process's name among the nodes sharing the database (heartbeats, webhook
    /// leases).
    pub node: Arc<str>,
    /// Inquiry answers kept for reuse, when the settings keep any.
    pub(crate) answers: Option<Arc<Answers>>,
    /// Encoded inquiry rows kept for reuse, when the settings keep any.
    pub(crate) rows: Option<Arc<Rows>>,
    /// Load shedding, rate limits and stream slots, shared by every surface.
    pub(crate) guard: Arc<Guard>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        Self {
            store,
            clock: Arc::new(SystemClock),
            sandbox: None,
            scenario: None,
            guard: Arc::new(Guard::new(&config.limits)),
            answers: Answers::new(config.inquiry_cache_bytes).map(Arc::new),
            rows: Rows::new(config.inquiry_rows_cache_bytes).map(Arc::new),
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            changes: Arc::new(tokio::sync::watch::Sender::new(0)),
            sign_ins: Arc::default(),
            node: format!("node-{:016x}", rand::random::<u64>()).into(),
        }
    }

    /// The same node on a sandbox clock: every time it reads comes from `sandbox`.
    pub fn with_sandbox(self, sandbox: SandboxClock) -> Self {
        let sandbox = Arc::new(sandbox);
        Self {
            clock: sandbox.clone(),
            sandbox: Some(sandbox),
            ..self
        }
    }

    /// The same node playing a scenario: its triggers and traps fire on the vendor calls.
    pub fn with_scenario(self, hooks: Arc<Hooks>) -> Self {
        Self {
            scenario: Some(hooks),
            ..self
        }
    }

    /// What decides whether an idempotency key may be claimed now: when kept keys lapse,
    /// when a request still marked in flight counts as abandoned, and the quota. No request
    /// outlives its deadline: one still marked in flight a little after it was cut off with
    /// its process before its effect committed (an effect commits together with its
    /// answer), so running it again is safe.
    pub fn idempotency_window(&self) -> claims_store::Window {
        let now = self.clock.now();
        let retention = self.config.idempotency_retention.as_secs() as i64;
        let abandoned = self.config.limits.request_timeout.as_secs() as i64 + 5;
        claims_store::Window {
            now,
            lapsed_before: now.plus_seconds(-retention),
            abandoned_before: now.plus_seconds(-abandoned),
            quota: self.config.idempotency_quota,
        }
    }

    /// Tells whoever waits for events (long polls, webhook dispatch) that a write just
    /// succeeded here.
    pub fn note_change(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }
}
