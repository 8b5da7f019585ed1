//! What stands in front of both APIs: a cap on the requests handled at once (more are
//! refused at once, so latency cannot collapse under a flood), a rate limit per credential,
//! and a deadline per request. Each refusal is written as its API writes errors: result
//! codes 90 and 29 for the vendor API, problems for the platform API.
//!
//! The probes and `/metrics` are outside the guard, so that a load balancer and Prometheus
//! still see an overloaded node.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use claims_wire::Failure;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use tokio::sync::{Notify, Semaphore};

use crate::credentials::{TOKEN_PREFIX, hash_secret, presented};
use crate::observe::Notes;
use crate::platform::problem::{Problem, ProblemKind};
use crate::{AppState, vendor_api};

pub(crate) static RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
pub(crate) static RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");

/// How many requests one credential may make: `per_second` on average, `burst` at once.
/// Zero `per_second` turns the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_second: u32,
    pub burst: u32,
}

/// Limits of the HTTP service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The longest a request may take to its answer's status line; then 503 / code 90.
    pub request_timeout: Duration,
    /// Requests handled at once; more are answered 503 / code 90 at once.
    pub max_in_flight: usize,
    /// The largest platform API body.
    pub platform_body_bytes: usize,
    /// Per vendor API key (vendor API and shipments alike).
    pub per_key: Rate,
    /// Per platform token.
    pub per_token: Rate,
    /// Large answers (a full first page or more) one key may receive at once; more wait
    /// briefly for one to end, then get code 29.
    pub max_streams_per_credential: usize,
}

impl Default for Limits {
    /// The declared defaults (see [`crate::settings`]).
    fn default() -> Self {
        crate::settings::Settings::default().config().limits
    }
}

type Limiter = RateLimiter<
    [u8; 32],
    DefaultKeyedStateStore<[u8; 32]>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// A keyed limiter and its quota's burst, for the `RateLimit-Limit` header.
struct Bucket {
    limiter: Limiter,
    burst: u32,
}

impl Bucket {
    /// This node's share of `rate` when `nodes` nodes share the database: the average and
    /// the burst divided among them (the burst rounded up), so that a credential's
    /// requests spread over every node add up to its budget, not to a budget per node.
    fn new(rate: Rate, nodes: usize) -> Option<Bucket> {
        if rate.per_second == 0 {
            return None;
        }
        let nodes = nodes.max(1) as u32;
        let period = Duration::from_secs_f64(f64::from(nodes) / f64::from(rate.per_second));
        let burst = NonZeroU32::new(rate.burst.max(1).div_ceil(nodes)).expect("at least one");
        let quota = Quota::with_period(period)
            .expect("a positive period")
            .allow_burst(burst);
        let limiter = RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>();
        Some(Bucket {
            limiter,
            burst: burst.get(),
        })
    }
}

/// The rate limits of this node: each its share of the budget among the live nodes.
struct Buckets {
    keys: Option<Bucket>,
    tokens: Option<Bucket>,
    nodes: usize,
}

impl Buckets {
    fn new(keys: Rate, tokens: Rate, nodes: usize) -> Buckets {
        Buckets {
            keys: Bucket::new(keys, nodes),
            tokens: Bucket::new(tokens, nodes),
            nodes,
        }
    }
}

/// The guard's state, shared by every request of an application.
pub(crate) struct Guard {
    in_flight: Arc<Semaphore>,
    rates: (Rate, Rate),
    /// Replaced (buckets full again) when the number of live nodes changes.
    buckets: std::sync::RwLock<Buckets>,
    checks: AtomicU64,
    pub(crate) streams: Arc<Streams>,
}

/// Large answers being sent, per credential: a key holds a slot from its first full page
/// until its answer's last page is handed to the connection (or the connection is cut), so
/// that one key cannot tie up many connections and pages of memory at once.
#[derive(Debug)]
pub(crate) struct Streams {
    max: usize,
    open: Mutex<HashMap<[u8; 32], usize>>,
    ended: Notify,
}

/// One large answer's hold on its credential's slots; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct StreamSlot {
    streams: Arc<Streams>,
    credential: [u8; 32],
}

impl Streams {
    fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            open: Mutex::new(HashMap::new()),
            ended: Notify::new(),
        }
    }

    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// A slot for one more large answer of `credential`, if one is free now.
    pub(crate) fn try_take(self: &Arc<Self>, credential: [u8; 32]) -> Option<StreamSlot> {
        let mut open = self
            .open
            .lock()
            .expect("never poisoned: no panics while held");
        let count = open.entry(credential).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            streams: Arc::clone(self),
            credential,
        })
    }

    /// A slot for one more large answer of `credential`, waiting up to `wait` for one of
    /// its answers to end.
    pub(crate) async fn take(
        self: &Arc<Self>,
        credential: [u8; 32],
        wait: Duration,
    ) -> Option<StreamSlot> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Registered before looking, so that an answer ending in between still wakes us.
            let ended = self.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            if let Some(slot) = self.try_take(credential) {
                return Some(slot);
            }
            if tokio::time::timeout_at(deadline, ended).await.is_err() {
                return None;
            }
        }
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self
            .streams
            .open
            .lock()
            .expect("never poisoned: no panics while held");
        if let Some(count) = open.get_mut(&self.credential) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.credential);
            }
        }
        drop(open);
        self.streams.ended.notify_waiters();
    }
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("available", &self.in_flight.available_permits())
            .finish_non_exhaustive()
    }
}

/// A credential's standing with its limiter.
enum Standing {
    /// Not limited: no credential, or limits off.
    Free,
    Allowed {
        limit: u32,
        remaining: u32,
    },
    Refused {
        limit: u32,
        retry_after_secs: u64,
    },
}

impl Guard {
    /// Takes this node's share of every rate limit among `nodes` live nodes.
    pub(crate) fn share(&self, nodes: usize) {
        let nodes = nodes.max(1);
        let mut buckets = self.buckets.write().expect("never poisoned");
        if buckets.nodes != nodes {
            tracing::info!(
                nodes,
                "nodes sharing the database changed; each takes its share of the rate limits"
            );
            *buckets = Buckets::new(self.rates.0, self.rates.1, nodes);
        }
    }

    pub(crate) fn new(limits: &Limits) -> Guard {
        Guard {
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            rates: (limits.per_key, limits.per_token),
            buckets: std::sync::RwLock::new(Buckets::new(limits.per_key, limits.per_token, 1)),
            checks: AtomicU64::new(0),
            streams: Arc::new(Streams::new(limits.max_streams_per_credential)),
        }
    }

    fn standing(&self, headers: &HeaderMap) -> Standing {
        // No usable credential: not limited here, refused by authentication.
        let Ok(credential) = presented(headers) else {
            return Standing::Free;
        };
        let buckets = self.buckets.read().expect("never poisoned");
        let bucket = if credential.starts_with(TOKEN_PREFIX) {
            &buckets.tokens
        } else {
            &buckets.keys
        };
        let Some(bucket) = bucket else {
            return Standing::Free;
        };
        // Forget credentials that have been quiet long enough to be back at a full
        // bucket, so that many different (even made-up) credentials cannot grow memory.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            bucket.limiter.retain_recent();
            bucket.limiter.shrink_to_fit();
        }
        match bucket.limiter.check_key(&hash_secret(credential).0) {
            Ok(snapshot) => Standing::Allowed {
                limit: bucket.burst,
                remaining: snapshot.remaining_burst_capacity(),
            },
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Standing::Refused {
                    limit: bucket.burst,
                    retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
                }
            }
        }
    }
}

/// How to refuse a request, decided from its head before it is handed on.
enum Refusal {
    Vendor(HeaderMap),
    Platform,
}

impl Refusal {
    fn of(request: &Request) -> Refusal {
        if crate::ssg_calls::is_ssg_path(request.uri().path()) {
            Refusal::Vendor(request.headers().clone())
        } else {
            Refusal::Platform
        }
    }

    fn unavailable(self, app: &AppState, notes: Option<Arc<Notes>>, why: &str) -> Response {
        match self {
            Refusal::Vendor(headers) => {
                vendor_api::refuse(&headers, app.config.errors, notes, &Failure::Unavailable)
            }
            Refusal::Platform => Problem::new(ProblemKind::Unavailable, why).into_response(),
        }
    }

    fn rate_limited(self, app: &AppState, notes: Option<Arc<Notes>>, secs: u64) -> Response {
        match self {
            Refusal::Vendor(headers) => vendor_api::refuse(
                &headers,
                app.config.errors,
                notes,
                &Failure::RateLimited {
                    retry_after_secs: secs,
                },
            ),
            Refusal::Platform => Problem::rate_limited(secs).into_response(),
        }
    }
}

fn rate_headers(response: &mut Response, limit: u32, remaining: u32) {
    let headers = response.headers_mut();
    headers.insert(RATELIMIT_LIMIT.clone(), HeaderValue::from(limit));
    headers.insert(RATELIMIT_REMAINING.clone(), HeaderValue::from(remaining));
}

/// The middleware around both APIs.
pub(crate) async fn guard(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let notes = Notes::of(request.extensions());
    let refusal = Refusal::of(&request);
    let Ok(_permit) = Arc::clone(&app.guard.in_flight).try_acquire_owned() else {
        tracing::warn!("shedding load: too many requests in flight");
        return refusal.unavailable(
            &app,
            notes,
            "the service is handling as many requests as it can; retry in a moment",
        );
    };
    let (limit, remaining) = match app.guard.standing(request.headers()) {
        Standing::Free => (None, 0),
        Standing::Allowed { limit, remaining } => (Some(limit), remaining),
        Standing::Refused {
            limit,
            retry_after_secs,
        } => {
            let mut response = refusal.rate_limited(&app, notes, retry_after_secs);
            rate_headers(&mut response, limit, 0);
            return response;
        }
    };
    let deadline = app.config.limits.request_timeout;
    let mut response = match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                timeout_secs = deadline.as_secs_f64(),
                "the request took too long; answered as unavailable"
            );
            refusal.unavailable(
                &app,
                notes,
                "the request took too long to answer; retry in a moment",
            )
        }
    };
    if let Some(limit) = limit {
        rate_headers(&mut response, limit, remaining);
    }
    response
}

#[cfg(test)]
mod tests {
    use axum::http::header::AUTHORIZATION;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_key_streams_at_most_its_share_of_large_answers_at_once() {
        let streams = Arc::new(Streams::new(2));
        let wait = Duration::from_secs(1);
        let first = streams.take([1; 32], wait).await.unwrap();
        let second = streams.take([1; 32], wait).await.unwrap();
        assert!(
            streams.take([1; 32], wait).await.is_none(),
            "a third waits, then is refused"
        );
        // Another key has its own slots.
        let _other = streams.take([2; 32], wait).await.unwrap();
        // A waiting request gets the slot an ending answer frees.
        let waiter = {
            let streams = Arc::clone(&streams);
            tokio::spawn(async move { streams.take([1; 32], Duration::from_secs(5)).await })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(first);
        let third = waiter.await.unwrap();
        assert!(third.is_some());
        drop(second);
        assert_eq!(streams.open.lock().unwrap().get(&[1; 32]), Some(&1));
        drop(third);
        assert_eq!(
            streams.open.lock().unwrap().get(&[1; 32]),
            None,
            "forgotten at zero"
        );
    }

    #[test]
    fn a_bucket_allows_its_burst_then_refuses_until_it_refills() {
        let guard = Guard::new(&Limits {
            per_key: Rate {
                per_second: 1,
                burst: 3,
            },
            ..Limits::default()
        });
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("a-key"));
        let mut remaining = Vec::new();
        for _ in 0..3 {
            match guard.standing(&headers) {
                Standing::Allowed {
                    limit,
                    remaining: r,
                } => {
                    assert_eq!(limit, 3);
                    remaining.push(r);
                }
                _ => panic!("within the burst"),
            }
        }
        assert_eq!(remaining, [2, 1, 0]);
        assert!(matches!(
            guard.standing(&headers),
            Standing::Refused {
                retry_after_secs: 1,
                ..
            }
        ));
        // Another key has its own bucket; tokens have theirs.
        headers.insert(AUTHORIZATION, HeaderValue::from_static("another-key"));
        assert!(matches!(guard.standing(&headers), Standing::Allowed { .. }));
        // Off when the rate is zero.
        let off = Guard::new(&Limits {
            per_key: Rate {
                per_second: 0,
                burst: 0,
            },
            ..Limits::default()
        });
        assert!(matches!(off.standing(&headers), Standing::Free));
    }
}
