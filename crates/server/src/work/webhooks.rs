//! Delivering events to vendors' webhook endpoints. Runs in every `serve` node.
//!
//! Each endpoint walks its vendor's event sequence from its cursor. A node takes an
//! endpoint with events due under a lease ([`LEASE`]; on PostgreSQL, with `FOR UPDATE SKIP
//! LOCKED`, so one node at a time delivers to it) and sends its events one after another,
//! the next only once the previous was acknowledged (any 2xx within [`ACK_TIMEOUT`]). Every
//! attempt is recorded under the lease, which each success renews; a failure schedules the
//! retry ([`claims_domain::webhooks::after_attempt`]) and gives the lease up, so a failing
//! endpoint holds nothing and delays no other. A node that dies leaves its lease to run out;
//! another node then starts again from the cursor, so an event whose acknowledgement was not
//! yet recorded is sent again: delivery is at least once, receivers deduplicate by
//! `webhook-id`.
//!
//! Requests go out through a client that follows no redirects, uses no proxy, reads at most
//! [`MAX_ANSWER_BYTES`] of an answer and — unless insecure targets are allowed — speaks only
//! HTTPS and connects only to public addresses, checked after DNS resolution on every
//! connection ([`PublicOnly`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use claims_domain::webhooks::{Answer, after_attempt, check_target, is_forbidden};
use claims_domain::{AfterAttempt, DeliveryAttempt, EndpointStatus, Webhook, event_id};
use claims_store::{Attempted, StoredEvent};
use claims_wire::webhook::{ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_header};
use futures::StreamExt as _;
use tokio::task::JoinSet;

use crate::app::clock::{Clock as _, SystemClock};
use crate::app::events::{BATCH, PURGED, lag_secs, render};
use crate::app::sandbox::{log, record};
use crate::app::state::AppState;

/// How long a node holds an endpoint without recording an attempt; renewed by each
/// success. A node that died is replaced after at most this long.
pub const LEASE: Duration = Duration::from_secs(15);
/// The longest a receiver may take to acknowledge a delivery.
pub const ACK_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of an answer is read (its status decides; the rest is ignored).
pub const MAX_ANSWER_BYTES: usize = 4 * 1024;
/// Endpoints one node delivers to at once.
const CONCURRENT_ENDPOINTS: usize = 64;
/// How often the store is asked whether another node's writes made an endpoint due.
const POLL: Duration = Duration::from_millis(250);
/// The least time between two looks for endpoints due.
const MIN_SPACING: Duration = Duration::from_millis(10);
/// How often the endpoints' status and lag gauges are refreshed.
const GAUGES_EVERY: Duration = Duration::from_secs(15);

/// Delivers webhooks until it is dropped (`serve` aborts it on shutdown; leases then run
/// out and any node carries on).
pub async fn dispatch(app: AppState) {
    let client = match client(app.config.webhooks.allow_insecure_targets) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "the webhook client cannot be built; webhooks are not delivered by this node");
            return;
        }
    };
    let node = app.node.to_string();
    let pace = Arc::new(Pace::new(app.config.webhooks.max_deliveries_per_second));
    tracing::info!(%node, "webhook dispatch started");
    let mut changes = app.changes.subscribe();
    let mut looked = tokio::time::Instant::now();
    let mut running: JoinSet<()> = JoinSet::new();
    let mut gauges = tokio::time::interval(GAUGES_EVERY);
    gauges.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = changes.changed() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = gauges.tick() => refresh_gauges(&app).await,
            Some(_) = running.join_next(), if !running.is_empty() => {}
        }
        while running.try_join_next().is_some() {}
        // However often writes wake it, the store is asked at most every MIN_SPACING (a
        // wake-up long after the last look goes at once).
        tokio::time::sleep_until(looked + MIN_SPACING).await;
        looked = tokio::time::Instant::now();
        let room = CONCURRENT_ENDPOINTS.saturating_sub(running.len());
        if room == 0 {
            continue;
        }
        let now = app.clock.now();
        match app.store.webhooks_due(now).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(error) => {
                tracing::warn!(%error, "cannot look for webhooks due; trying again");
                continue;
            }
        }
        let until = now.plus_seconds(LEASE.as_secs() as i64);
        let leased = match app.store.lease_webhooks(&node, now, until, room).await {
            Ok(leased) => leased,
            Err(error) => {
                tracing::warn!(%error, "cannot lease webhooks; trying again");
                continue;
            }
        };
        for hook in leased {
            let delivery = Delivery {
                app: app.clone(),
                client: client.clone(),
                node: node.clone(),
                pace: Arc::clone(&pace),
            };
            running.spawn(delivery.run(hook));
        }
    }
}

/// One endpoint's delivery under this node's lease.
struct Delivery {
    app: AppState,
    client: reqwest::Client,
    node: String,
    pace: Arc<Pace>,
}

type VendorLimiter = governor::RateLimiter<
    String,
    governor::state::keyed::DefaultKeyedStateStore<String>,
    governor::clock::DefaultClock,
>;

/// How fast deliveries go out to each vendor's endpoints: at most the cap per second over
/// every node, each node taking its share among the live nodes (as rate limits do), so that
/// no vendor can turn the service into a flood aimed at a host of its choosing — a replay of
/// its whole feed included.
struct Pace {
    per_second: u32,
    /// The limiter for the number of nodes it was made for.
    limiter: std::sync::Mutex<Option<(usize, Arc<VendorLimiter>)>>,
}

impl Pace {
    fn new(per_second: u32) -> Self {
        Pace {
            per_second,
            limiter: std::sync::Mutex::new(None),
        }
    }

    /// The limiter for `nodes` nodes; `None` when there is no cap.
    fn limiter(&self, nodes: usize) -> Option<Arc<VendorLimiter>> {
        if self.per_second == 0 {
            return None;
        }
        let mut held = self.limiter.lock().expect("never poisoned");
        match &*held {
            Some((made_for, limiter)) if *made_for == nodes => Some(Arc::clone(limiter)),
            _ => {
                let share = (self.per_second / nodes.max(1) as u32).max(1);
                let rate = std::num::NonZeroU32::new(share).expect("at least one");
                let limiter = Arc::new(governor::RateLimiter::keyed(governor::Quota::per_second(
                    rate,
                )));
                *held = Some((nodes, Arc::clone(&limiter)));
                Some(limiter)
            }
        }
    }

    /// Waits for a turn to deliver to `vendor`'s endpoints.
    async fn turn(&self, vendor: &claims_domain::VendorId, nodes: usize) {
        if let Some(limiter) = self.limiter(nodes) {
            limiter.until_key_ready(&vendor.as_str().to_owned()).await;
        }
    }
}

/// How an attempt went, for the log and the metrics.
struct Outcome {
    answer: Answer,
    status: Option<u16>,
    error: Option<String>,
    took: Duration,
}

impl Delivery {
    #[tracing::instrument(name = "webhook", skip_all, fields(webhook.id = %hook.id, vendor.id = %hook.scope.vendor))]
    async fn run(self, mut hook: Webhook) {
        // Events the endpoint has not received may have outlived the retention (it was
        // paused or disabled too long): it cannot go on without a gap, so it stops, saying
        // why, until it is replayed from a cursor the feed still keeps.
        match self.app.store.event_head(&hook.scope.vendor).await {
            Ok(head) if head.purged_through > hook.cursor => {
                let mut after = hook.clone();
                after.status = EndpointStatus::Disabled;
                after.last_error = Some(PURGED.to_owned());
                tracing::warn!(
                    cursor = hook.cursor,
                    purged_through = head.purged_through,
                    "events the endpoint has not received were purged; it is disabled"
                );
                self.record(after, None, false).await;
                return;
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "cannot read the vendor's feed head; the lease will run out and delivery resume");
                return;
            }
        }
        loop {
            let page = match self
                .app
                .store
                .events_after(&hook.scope, hook.cursor, BATCH)
                .await
            {
                Ok(page) => page,
                Err(error) => {
                    tracing::warn!(%error, "cannot read events to deliver; the lease will run out and delivery resume");
                    return;
                }
            };
            if page.through <= hook.cursor {
                self.release(&hook).await;
                return;
            }
            let last = page.through;
            for event in &page.events {
                if !hook.wants(event.event.kind) {
                    continue;
                }
                match self.attempt(&hook, event).await {
                    Some(after) => hook = after,
                    None => return,
                }
            }
            if hook.cursor < last {
                // The rest of what was read is not this endpoint's to receive (another type,
                // or another lower-rank vendor's): move past it, so it is not read again.
                let mut after = hook.clone();
                after.cursor = last;
                match self.record(after, None, true).await {
                    Some(after) => hook = after,
                    None => return,
                }
            }
        }
    }

    /// Sends `event` once. The endpoint as the attempt left it, if the next event may
    /// follow; `None` when delivery stops here (a failure, or the lease was lost).
    async fn attempt(&self, hook: &Webhook, stored: &StoredEvent) -> Option<Webhook> {
        let app = &self.app;
        let mut body = Vec::with_capacity(1_024);
        if let Err(problem) = render(app, stored, &mut body).await {
            tracing::warn!(sequence = stored.sequence, problem = ?problem, "an event could not be rendered; the lease will run out and delivery resume");
            return None;
        }
        self.pace
            .turn(&stored.event.vendor, app.guard.nodes())
            .await;
        let id = event_id(&stored.event.vendor, stored.sequence);
        let now = app.clock.now();
        // Receivers check the timestamp against their own clock: it is the wall clock's.
        let timestamp = SystemClock.now().unix_seconds();
        let outcome = self.send(hook, &id, timestamp, body).await;
        let jitter = rand::random::<f64>() * 2.0 - 1.0;
        let decided = after_attempt(
            &app.config.webhooks.retry_schedule,
            hook.failures,
            outcome.answer,
            jitter,
        );
        app.metrics.webhook_attempted(
            match decided {
                AfterAttempt::Next => "delivered",
                AfterAttempt::Disable => "gone",
                AfterAttempt::Retry { .. } | AfterAttempt::Pause => "failed",
            },
            outcome.took,
        );
        let log = DeliveryAttempt {
            event_id: id,
            sequence: stored.sequence,
            attempt: hook.failures + 1,
            status: outcome.status,
            error: outcome.error.clone(),
            duration_ms: outcome.took.as_millis() as u64,
            at: now,
        };
        let mut after = hook.clone();
        let keep_lease = match decided {
            AfterAttempt::Next => {
                after.cursor = stored.sequence;
                after.failures = 0;
                after.next_attempt_at = now;
                after.last_delivered_at = Some(now);
                tracing::debug!(sequence = stored.sequence, "delivered");
                true
            }
            AfterAttempt::Retry { in_secs, failures } => {
                after.failures = failures;
                after.next_attempt_at = now.plus_seconds(in_secs as i64);
                after.last_error = outcome.error;
                tracing::info!(
                    sequence = stored.sequence,
                    failures,
                    retry_in_secs = in_secs,
                    error = after.last_error.as_deref().unwrap_or(""),
                    "delivery failed; retrying later"
                );
                false
            }
            AfterAttempt::Pause => {
                after.status = EndpointStatus::Paused;
                after.failures = hook.failures + 1;
                after.last_error = outcome.error;
                tracing::warn!(
                    sequence = stored.sequence,
                    error = after.last_error.as_deref().unwrap_or(""),
                    "every retry failed; the endpoint is paused"
                );
                false
            }
            AfterAttempt::Disable => {
                after.status = EndpointStatus::Disabled;
                after.last_error = outcome.error;
                tracing::warn!(
                    sequence = stored.sequence,
                    "the endpoint answered 410 Gone; it is disabled"
                );
                false
            }
        };
        let recorded = self.record(after, Some(log), keep_lease).await?;
        keep_lease.then_some(recorded)
    }

    /// Posts the event, signed; never follows a redirect, reads at most
    /// [`MAX_ANSWER_BYTES`] of the answer.
    async fn send(&self, hook: &Webhook, id: &str, timestamp: i64, body: Vec<u8>) -> Outcome {
        let started = Instant::now();
        let failed = |error: String| Outcome {
            answer: Answer::Failed { retry_after: None },
            status: None,
            error: Some(error),
            took: started.elapsed(),
        };
        // An address written in the URL is never resolved: check it here, every time.
        if let Err(invalid) = check_target(
            hook.url.as_str(),
            self.app.config.webhooks.allow_insecure_targets,
        ) {
            return failed(format!("the target is refused: {}", invalid.problem));
        }
        let secrets = hook.signing_secrets(self.app.clock.now());
        let signature = match signature_header(&secrets, id, timestamp, &body) {
            Ok(signature) => signature,
            Err(error) => return failed(error.to_string()),
        };
        // A sandbox records what an acknowledged delivery carried.
        let carried = self.app.sandbox.is_some().then(|| body.clone());
        let sent = self
            .client
            .post(hook.url.as_str())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(ID_HEADER, id)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => return failed(describe(&error)),
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.trim().parse::<u64>().ok());
        // Read a little of the answer, so the connection can be reused; never more.
        let mut read = 0;
        let mut stream = response.bytes_stream();
        while let Some(Ok(chunk)) = stream.next().await {
            read += chunk.len();
            if read >= MAX_ANSWER_BYTES {
                break;
            }
        }
        let took = started.elapsed();
        let code = status.as_u16();
        let (answer, error) = if status.is_success() {
            if let Some(carried) = carried {
                delivered(&self.app, hook, &carried).await;
            }
            (Answer::Accepted, None)
        } else if code == 410 {
            (Answer::Gone, Some("answered 410 Gone".to_owned()))
        } else {
            let honoured = matches!(code, 429 | 503).then_some(retry_after).flatten();
            (
                Answer::Failed {
                    retry_after: honoured,
                },
                Some(format!("answered {status}")),
            )
        };
        Outcome {
            answer,
            status: Some(code),
            error,
            took,
        }
    }

    /// Records an attempt (or a move of the cursor) under the lease, keeping the lease
    /// when more is to be sent. `None` when the lease was lost or the store failed.
    async fn record(
        &self,
        after: Webhook,
        log: Option<DeliveryAttempt>,
        keep_lease: bool,
    ) -> Option<Webhook> {
        let now = self.app.clock.now();
        let attempted = Attempted {
            node: self.node.clone(),
            after,
            lease_until: keep_lease.then(|| now.plus_seconds(LEASE.as_secs() as i64)),
            log,
        };
        match self.app.store.webhook_attempted(attempted).await {
            Ok(Some(recorded)) => Some(recorded),
            Ok(None) => {
                tracing::info!(
                    "the endpoint was resumed, replayed or removed meanwhile; this node stops delivering to it"
                );
                None
            }
            Err(error) => {
                tracing::warn!(%error, "an attempt could not be recorded; the lease will run out and delivery resume");
                None
            }
        }
    }

    async fn release(&self, hook: &Webhook) {
        if let Err(error) = self.app.store.release_webhook(&hook.id, &self.node).await {
            tracing::warn!(%error, "a webhook lease could not be given up; it will run out");
        }
    }
}

/// Says why a request failed, without the URL's query (it could carry a token).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        format!("no answer within {} s", ACK_TIMEOUT.as_secs())
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else if error.is_request() {
        "the request failed".to_owned()
    } else {
        "the exchange failed".to_owned()
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    if cause.is_empty() {
        kind
    } else {
        format!("{kind}: {cause}")
    }
}

/// The HTTP client deliveries go through.
pub fn client(allow_insecure_targets: bool) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(ACK_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("ssg-claims-webhooks/", env!("CARGO_PKG_VERSION")));
    if allow_insecure_targets {
        builder.build()
    } else {
        builder
            .https_only(true)
            .dns_resolver(Arc::new(PublicOnly))
            .build()
    }
}

/// Resolves names to public addresses only: every address a name resolves to that
/// webhooks must never call is dropped, and a name with none left fails to resolve. Run
/// on every new connection, so a name that changes its address after registration is
/// caught too.
#[derive(Debug, Clone, Copy)]
pub struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|address| !is_forbidden(address.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!(
                    "{host} resolves only to loopback, private or other addresses webhooks never call"
                )
                .into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Sets the gauges of endpoints by status and of each endpoint's lag.
async fn refresh_gauges(app: &AppState) {
    let Ok(hooks) = app.store.webhooks(None).await else {
        return;
    };
    let now = app.clock.now();
    let mut lags = Vec::with_capacity(hooks.len());
    for hook in &hooks {
        if let Ok(lag) = lag_secs(app, hook, now).await {
            lags.push((hook.id.to_string(), lag));
        }
    }
    let statuses: Vec<EndpointStatus> = hooks.iter().map(|hook| hook.status).collect();
    app.metrics.webhook_gauges(&statuses, &lags);
}

/// Records, on a sandbox, the cancellations an acknowledged delivery carried.
async fn delivered(app: &AppState, hook: &Webhook, body: &[u8]) {
    let Ok(event) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    let rows = record::claim_rows(&event);
    if !rows.is_empty() {
        let delivery = record::DeliveryRecord {
            via: "webhook".to_owned(),
            rows,
        };
        log::write(
            app,
            Some(hook.scope.vendor.clone()),
            record::DELIVERY,
            &delivery,
        )
        .await;
    }
}

#[cfg(test)]
mod tests {
    use reqwest::dns::Resolve as _;

    use super::*;

    #[test]
    fn each_vendor_gets_its_share_of_the_delivery_pace_on_each_node() {
        let pace = Pace::new(10);
        let (a, b) = ("0000012345".to_owned(), "0000023456".to_owned());
        let alone = pace.limiter(1).unwrap();
        let allowed = (0..20).filter(|_| alone.check_key(&a).is_ok()).count();
        assert_eq!(
            allowed, 10,
            "a second's worth at once, then each waits its turn"
        );
        assert!(
            alone.check_key(&b).is_ok(),
            "another vendor has its own pace"
        );
        // Two nodes share it: each allows half.
        let shared = pace.limiter(2).unwrap();
        let allowed = (0..20).filter(|_| shared.check_key(&a).is_ok()).count();
        assert_eq!(allowed, 5);
        assert!(Pace::new(0).limiter(1).is_none(), "0: no cap");
    }

    #[tokio::test]
    async fn names_that_resolve_only_to_forbidden_addresses_do_not_resolve() {
        let name = "localhost".parse().expect("a name");
        let error = match PublicOnly.resolve(name).await {
            Ok(addresses) => panic!("localhost resolved to {:?}", addresses.collect::<Vec<_>>()),
            Err(error) => error.to_string(),
        };
        assert!(error.contains("never call"), "{error}");
    }

    #[tokio::test]
    async fn the_strict_client_refuses_plain_http_before_connecting() {
        let client = client(false).expect("a client");
        let error = client
            .post("http://127.0.0.1:9/hook")
            .send()
            .await
            .expect_err("plain http is refused");
        assert!(error.is_builder() || error.is_request(), "{error:?}");
    }
}
