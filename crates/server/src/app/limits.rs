//! What stands in front of every surface — the vendor API, the platform API and the
//! console: a cap on the requests handled at once (more are refused at once, so latency
//! cannot collapse under a flood), a rate limit per credential (API key, platform token or
//! console session), a deadline per request, and per-credential slots for what holds a
//! request long (large answers, long polls, heavy pages). The guard knows no surface: each
//! hands it a [`Surface`] saying how its requests present a credential and how it writes a
//! refusal.
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
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::config::{Limits, Rate};
use super::credentials::{TOKEN_PREFIX, hash_secret, presented};
use super::notes::Notes;

pub(crate) static RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
pub(crate) static RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");

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

/// The kinds of credential, each with its own rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A vendor's API key.
    Key,
    /// A platform token.
    Token,
    /// A console session's cookie.
    Session,
}

/// A credential a request presents: its kind and the SHA-256 of its secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presented {
    pub kind: Kind,
    pub hash: [u8; 32],
}

impl Presented {
    /// The credential in `Authorization` (raw or `Bearer`): a platform token by its
    /// prefix, else an API key; `None` when there is none (refused later, by
    /// authentication).
    pub fn authorization(headers: &HeaderMap) -> Option<Presented> {
        let credential = presented(headers).ok()?;
        let kind = if credential.starts_with(TOKEN_PREFIX) {
            Kind::Token
        } else {
            Kind::Key
        };
        Some(Presented {
            kind,
            hash: hash_secret(credential).0,
        })
    }
}

/// The rate limits of this node: each its share of the budget among the live nodes.
struct Buckets {
    keys: Option<Bucket>,
    tokens: Option<Bucket>,
    sessions: Option<Bucket>,
    nodes: usize,
}

impl Buckets {
    fn new(limits: &Limits, nodes: usize) -> Buckets {
        Buckets {
            keys: Bucket::new(limits.per_key, nodes),
            tokens: Bucket::new(limits.per_token, nodes),
            sessions: Bucket::new(limits.per_session, nodes),
            nodes,
        }
    }

    fn of(&self, kind: Kind) -> Option<&Bucket> {
        match kind {
            Kind::Key => self.keys.as_ref(),
            Kind::Token => self.tokens.as_ref(),
            Kind::Session => self.sessions.as_ref(),
        }
    }
}

/// The guard's state, shared by every request of an application.
pub struct Guard {
    limits: Limits,
    in_flight: Arc<Semaphore>,
    /// Long polls waiting, outside `in_flight`.
    waiting: Arc<Semaphore>,
    /// Replaced (buckets full again) when the number of live nodes changes.
    buckets: std::sync::RwLock<Buckets>,
    checks: AtomicU64,
    /// Large answers being sent, per credential.
    pub(crate) streams: Arc<Slots>,
    /// Long polls waiting, per credential.
    waits: Arc<Slots>,
    /// Heavy console pages (downloads, the dashboard) being made, per user.
    pub(crate) heavy: Arc<Slots>,
    /// The room in flight one credential may hold: a quarter of the node's, so that one
    /// key's burst never takes the room every other caller needs.
    share: Arc<Slots>,
}

/// Heavy console pages one user may have made at once.
const HEAVY_PER_USER: usize = 2;

/// One credential holds at most 1/this of the room in flight.
const SHARE_OF_IN_FLIGHT: usize = 4;

/// Slots per credential for what holds a request long: a credential holds one from the
/// moment it starts such work until it ends (or its connection is cut), so that one
/// credential cannot tie up many connections and much memory at once.
#[derive(Debug)]
pub(crate) struct Slots {
    max: usize,
    open: Mutex<HashMap<[u8; 32], usize>>,
    ended: Notify,
}

/// One hold on a credential's slots; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct Slot {
    slots: Arc<Slots>,
    credential: [u8; 32],
}

impl Slots {
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

    /// A slot for one more of `credential`'s long works, if one is free now.
    pub(crate) fn try_take(self: &Arc<Self>, credential: [u8; 32]) -> Option<Slot> {
        let mut open = self
            .open
            .lock()
            .expect("never poisoned: no panics while held");
        let count = open.entry(credential).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Slot {
            slots: Arc::clone(self),
            credential,
        })
    }

    /// A slot for one more of `credential`'s long works, waiting up to `wait` for one of
    /// its others to end.
    pub(crate) async fn take(
        self: &Arc<Self>,
        credential: [u8; 32],
        wait: Duration,
    ) -> Option<Slot> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Registered before looking, so that a work ending in between still wakes us.
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

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .slots
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
        self.slots.ended.notify_waiters();
    }
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("available", &self.in_flight.available_permits())
            .field("waiting", &self.waiting.available_permits())
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
    pub(crate) fn new(limits: &Limits) -> Guard {
        Guard {
            limits: limits.clone(),
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            waiting: Arc::new(Semaphore::new(limits.max_waiting.max(1))),
            buckets: std::sync::RwLock::new(Buckets::new(limits, 1)),
            checks: AtomicU64::new(0),
            streams: Arc::new(Slots::new(limits.max_streams_per_credential)),
            waits: Arc::new(Slots::new(limits.max_waits_per_credential)),
            heavy: Arc::new(Slots::new(HEAVY_PER_USER)),
            share: Arc::new(Slots::new(limits.max_in_flight / SHARE_OF_IN_FLIGHT)),
        }
    }

    /// How many live nodes share the database, as the last heartbeat counted them.
    pub(crate) fn nodes(&self) -> usize {
        self.buckets.read().expect("never poisoned").nodes
    }

    /// Takes this node's share of every rate limit among `nodes` live nodes.
    pub(crate) fn share(&self, nodes: usize) {
        let nodes = nodes.max(1);
        let mut buckets = self.buckets.write().expect("never poisoned");
        if buckets.nodes != nodes {
            tracing::info!(
                nodes,
                "nodes sharing the database changed; each takes its share of the rate limits"
            );
            *buckets = Buckets::new(&self.limits, nodes);
        }
    }

    fn standing(&self, credential: Option<Presented>) -> Standing {
        // No usable credential: not limited here, refused by authentication.
        let Some(credential) = credential else {
            return Standing::Free;
        };
        let buckets = self.buckets.read().expect("never poisoned");
        let Some(bucket) = buckets.of(credential.kind) else {
            return Standing::Free;
        };
        // Forget credentials that have been quiet long enough to be back at a full
        // bucket, so that many different (even made-up) credentials cannot grow memory.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            bucket.limiter.retain_recent();
            bucket.limiter.shrink_to_fit();
        }
        match bucket.limiter.check_key(&credential.hash) {
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

/// Why the guard refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// As many requests as the node handles at once are in flight.
    Busy,
    /// The request took longer than its deadline.
    TooSlow,
    /// The credential spent its budget; the next request may come in `retry_after_secs`.
    RateLimited { retry_after_secs: u64 },
}

/// Writes a refusal in a surface's own format, from the refused request's headers and
/// notes.
pub type Refuse = Arc<dyn Fn(&HeaderMap, Option<Arc<Notes>>, Refusal) -> Response + Send + Sync>;

/// What the guard needs of a surface: how its requests present a credential, and how it
/// writes a refusal.
#[derive(Clone)]
pub struct Surface {
    pub guard: Arc<Guard>,
    pub credential: fn(&HeaderMap) -> Option<Presented>,
    pub refuse: Refuse,
}

impl std::fmt::Debug for Surface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Surface").finish_non_exhaustive()
    }
}

/// A request's hold on the node's room for requests in flight, which a long poll trades for
/// a waiting slot of its own (see [`InFlight::wait`]).
#[derive(Debug, Clone)]
pub struct InFlight {
    guard: Arc<Guard>,
    permit: Arc<Mutex<Option<OwnedSemaphorePermit>>>,
    /// The credential's share of that room, given back with it.
    share: Arc<Mutex<Option<Slot>>>,
    credential: Option<Presented>,
}

/// A long poll's room to wait: its credential's waiting slot and the node's; dropping it
/// frees both.
#[derive(Debug)]
pub struct Waiting {
    _slot: Slot,
    _room: OwnedSemaphorePermit,
}

impl InFlight {
    /// The request's hold, as the guard left it in the request's extensions.
    pub fn of(extensions: &axum::http::Extensions) -> Option<InFlight> {
        extensions.get::<InFlight>().cloned()
    }

    /// Trades the request's room in flight for room to wait: `None` when its credential
    /// already holds as many waits as it may, or the node as many as it takes — then the
    /// request should answer at once rather than wait.
    pub fn wait(&self) -> Option<Waiting> {
        let credential = self.credential?;
        let slot = self.guard.waits.try_take(credential.hash)?;
        let room = Arc::clone(&self.guard.waiting).try_acquire_owned().ok()?;
        // Waiting holds no room that ordinary requests need, nor the credential's share.
        self.permit
            .lock()
            .expect("never poisoned: no panics while held")
            .take();
        self.share
            .lock()
            .expect("never poisoned: no panics while held")
            .take();
        Some(Waiting {
            _slot: slot,
            _room: room,
        })
    }
}

fn rate_headers(response: &mut Response, limit: u32, remaining: u32) {
    let headers = response.headers_mut();
    headers.insert(RATELIMIT_LIMIT.clone(), HeaderValue::from(limit));
    headers.insert(RATELIMIT_REMAINING.clone(), HeaderValue::from(remaining));
}

/// The middleware around a surface.
pub async fn guard(State(surface): State<Surface>, mut request: Request, next: Next) -> Response {
    let notes = Notes::of(request.extensions());
    let guard = &surface.guard;
    let credential = (surface.credential)(request.headers());
    // A credential's own burst is refused before it can take the room others need.
    let share = match credential {
        Some(presented) => match guard.share.try_take(presented.hash) {
            Some(share) => Some(share),
            None => {
                tracing::warn!(
                    share = guard.share.max(),
                    "refused: the credential holds its share of the room in flight"
                );
                return (surface.refuse)(
                    request.headers(),
                    notes,
                    Refusal::RateLimited {
                        retry_after_secs: 1,
                    },
                );
            }
        },
        None => None,
    };
    let Ok(permit) = Arc::clone(&guard.in_flight).try_acquire_owned() else {
        tracing::warn!("shedding load: too many requests in flight");
        return (surface.refuse)(request.headers(), notes, Refusal::Busy);
    };
    let (limit, remaining) = match guard.standing(credential) {
        Standing::Free => (None, 0),
        Standing::Allowed { limit, remaining } => (Some(limit), remaining),
        Standing::Refused {
            limit,
            retry_after_secs,
        } => {
            let mut response = (surface.refuse)(
                request.headers(),
                notes,
                Refusal::RateLimited { retry_after_secs },
            );
            rate_headers(&mut response, limit, 0);
            return response;
        }
    };
    let headers = request.headers().clone();
    request.extensions_mut().insert(InFlight {
        guard: Arc::clone(guard),
        permit: Arc::new(Mutex::new(Some(permit))),
        share: Arc::new(Mutex::new(share)),
        credential,
    });
    let deadline = guard.limits.request_timeout;
    let mut response = match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                timeout_secs = deadline.as_secs_f64(),
                "the request took too long; answered as unavailable"
            );
            (surface.refuse)(&headers, notes, Refusal::TooSlow)
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
        let streams = Arc::new(Slots::new(2));
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
        let standing =
            |guard: &Guard, headers: &HeaderMap| guard.standing(Presented::authorization(headers));
        let mut remaining = Vec::new();
        for _ in 0..3 {
            match standing(&guard, &headers) {
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
            standing(&guard, &headers),
            Standing::Refused {
                retry_after_secs: 1,
                ..
            }
        ));
        // Another key has its own bucket; tokens have theirs.
        headers.insert(AUTHORIZATION, HeaderValue::from_static("another-key"));
        assert!(matches!(
            standing(&guard, &headers),
            Standing::Allowed { .. }
        ));
        // Off when the rate is zero.
        let off = Guard::new(&Limits {
            per_key: Rate {
                per_second: 0,
                burst: 0,
            },
            ..Limits::default()
        });
        assert!(matches!(standing(&off, &headers), Standing::Free));
    }
}
