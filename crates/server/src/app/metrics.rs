//! What `GET /metrics` reports, in the OpenMetrics text format Prometheus scrapes.
//!
//! One [`Metrics`] per application (not a global registry), so that tests and several
//! servers in one process each count their own.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use claims_store::Store;

/// The media type of the exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// The route's template (`/v1/orders/{ord_no}`), or `unmatched`.
    route: String,
    method: String,
    status: u16,
    /// The vendor API's `resultCode`; empty for the other routes.
    result_code: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ApiLabels {
    /// `vendor` or `platform`.
    api: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolStateLabels {
    pool: &'static str,
    /// `in_use` or `idle`.
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    /// `delivered`, `failed` or `gone`.
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabels {
    webhook: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    result: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: &'static str,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 8 s.
    Histogram::new(exponential_buckets(0.000_5, 2.0, 15))
}

fn rows_histogram() -> Histogram {
    // 1 to about 260,000 rows.
    Histogram::new(exponential_buckets(1.0, 4.0, 10))
}

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    inquiry_rows: Counter,
    inquiry_answer_rows: Histogram,
    inquiry_cache: Family<CacheLabels, Counter>,
    inquiry_row_cache: Family<CacheLabels, Counter>,
    nodes: Gauge,
    claims: Counter,
    claim_lines: Counter,
    rate_limited: Family<ApiLabels, Counter>,
    idempotency_purged: Counter,
    pool_connections: Family<PoolStateLabels, Gauge>,
    pool_max: Family<PoolLabels, Gauge>,
    pool_waiting: Family<PoolLabels, Gauge>,
    webhook_deliveries: Family<OutcomeLabels, Counter>,
    webhook_attempt_seconds: Histogram,
    webhook_lag: Family<EndpointLabels, Gauge>,
    webhook_endpoints: Family<StatusLabels, Gauge>,
    no_sell_executions: Family<StatusLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("ssg_claims");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route, method, status and vendor API result code",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its answer's status line",
            latency.clone(),
        );
        let inquiry_rows = Counter::default();
        registry.register(
            "inquiry_rows",
            "Rows answered by the canceled-order inquiry",
            inquiry_rows.clone(),
        );
        let inquiry_answer_rows = rows_histogram();
        registry.register(
            "inquiry_answer_rows",
            "Rows per successful inquiry answer",
            inquiry_answer_rows.clone(),
        );
        let claims = Counter::default();
        registry.register("claims_created", "Claims recorded", claims.clone());
        let claim_lines = Counter::default();
        registry.register(
            "claim_lines_created",
            "Claim lines (one per canceled item) recorded",
            claim_lines.clone(),
        );
        let rate_limited = Family::<ApiLabels, Counter>::default();
        registry.register(
            "rate_limited_requests",
            "Requests refused for exceeding a rate limit (result code 29 / HTTP 429)",
            rate_limited.clone(),
        );
        let idempotency_purged = Counter::default();
        registry.register(
            "idempotency_keys_purged",
            "Lapsed idempotency keys forgotten, with their kept answers",
            idempotency_purged.clone(),
        );
        let pool_connections = Family::<PoolStateLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database connections, by pool and state (in_use, idle)",
            pool_connections.clone(),
        );
        let pool_max = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_max_connections",
            "The most connections a pool opens",
            pool_max.clone(),
        );
        let pool_waiting = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_waiting",
            "Database calls waiting for a connection",
            pool_waiting.clone(),
        );
        let inquiry_cache = Family::<CacheLabels, Counter>::default();
        registry.register(
            "inquiry_cache",
            "Inquiry answers served from kept answers (hit) or read from the store (miss)",
            inquiry_cache.clone(),
        );
        let inquiry_row_cache = Family::<CacheLabels, Counter>::default();
        registry.register(
            "inquiry_row_cache",
            "Rows of inquiry answers read afresh: written from kept rows (hit) or read from \
             the store and encoded (miss)",
            inquiry_row_cache.clone(),
        );
        let nodes = Gauge::default();
        registry.register(
            "nodes",
            "Nodes sharing the database, as this node last counted them (each takes its share of the rate limits)",
            nodes.clone(),
        );
        let webhook_deliveries = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "webhook_deliveries",
            "Webhook delivery attempts, by outcome (delivered, failed, gone)",
            webhook_deliveries.clone(),
        );
        let webhook_attempt_seconds = latency_histogram();
        registry.register(
            "webhook_attempt_duration_seconds",
            "Time from sending a webhook to its answer (or to giving up on one)",
            webhook_attempt_seconds.clone(),
        );
        let webhook_lag = Family::<EndpointLabels, Gauge>::default();
        registry.register(
            "webhook_lag_seconds",
            "Per endpoint: seconds since the oldest event it has not received occurred",
            webhook_lag.clone(),
        );
        let webhook_endpoints = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "webhook_endpoints",
            "Webhook endpoints, by status (active, paused, disabled)",
            webhook_endpoints.clone(),
        );
        let no_sell_executions = Family::<StatusLabels, Counter>::default();
        registry.register(
            "no_sell_executions",
            "Out-of-stock registrations this node executed, by outcome (executed, void)",
            no_sell_executions.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            inquiry_rows,
            inquiry_answer_rows,
            inquiry_cache,
            inquiry_row_cache,
            nodes,
            claims,
            claim_lines,
            rate_limited,
            idempotency_purged,
            pool_connections,
            pool_max,
            pool_waiting,
            webhook_deliveries,
            webhook_attempt_seconds,
            webhook_lag,
            webhook_endpoints,
            no_sell_executions,
        }
    }

    /// Counts one webhook attempt.
    pub(crate) fn webhook_attempted(&self, outcome: &'static str, took: Duration) {
        self.webhook_deliveries
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
        self.webhook_attempt_seconds.observe(took.as_secs_f64());
    }

    /// Sets the endpoints' gauges: how many have each status, and each one's lag (endpoints
    /// removed since are forgotten).
    pub(crate) fn webhook_gauges(
        &self,
        statuses: &[claims_domain::EndpointStatus],
        lags: &[(String, u64)],
    ) {
        for status in claims_domain::EndpointStatus::ALL {
            let count = statuses.iter().filter(|s| **s == status).count();
            self.webhook_endpoints
                .get_or_create(&StatusLabels {
                    status: status.name(),
                })
                .set(count as i64);
        }
        self.webhook_lag.clear();
        for (webhook, lag) in lags {
            self.webhook_lag
                .get_or_create(&EndpointLabels {
                    webhook: webhook.clone(),
                })
                .set(i64::try_from(*lag).unwrap_or(i64::MAX));
        }
    }

    /// Counts one answered request.
    pub(crate) fn request(
        &self,
        route: &str,
        method: &str,
        status: u16,
        result_code: &str,
        latency: Duration,
    ) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
                result_code: result_code.to_owned(),
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
                method: method.to_owned(),
            })
            .observe(latency.as_secs_f64());
        if status == 429 || result_code == "29" {
            let api = if result_code.is_empty() {
                "platform"
            } else {
                "vendor"
            };
            self.rate_limited.get_or_create(&ApiLabels { api }).inc();
        }
    }

    /// Counts a successful inquiry answer of `rows` rows.
    pub(crate) fn inquiry_answered(&self, rows: usize) {
        self.inquiry_rows.inc_by(rows as u64);
        self.inquiry_answer_rows.observe(rows as f64);
    }

    /// Counts an inquiry answered from a kept answer (`hit`) or read afresh.
    pub(crate) fn inquiry_cache(&self, hit: bool) {
        let result = if hit { "hit" } else { "miss" };
        self.inquiry_cache
            .get_or_create(&CacheLabels { result })
            .inc();
    }

    /// Counts the rows of a page read afresh: `reused` written from kept rows, `encoded`
    /// read from the store.
    pub(crate) fn inquiry_row_cache(&self, reused: usize, encoded: usize) {
        for (result, rows) in [("hit", reused), ("miss", encoded)] {
            if rows > 0 {
                self.inquiry_row_cache
                    .get_or_create(&CacheLabels { result })
                    .inc_by(rows as u64);
            }
        }
    }

    /// The nodes sharing the database, as last counted.
    pub(crate) fn nodes(&self, nodes: usize) {
        self.nodes.set(nodes as i64);
    }

    /// Counts a recorded claim of `lines` lines.
    pub(crate) fn claim_recorded(&self, lines: usize) {
        self.claims.inc();
        self.claim_lines.inc_by(lines as u64);
    }

    /// Counts an out-of-stock registration executed here (`executed` or `void`).
    pub(crate) fn no_sell_executed(&self, status: claims_domain::NoSellStatus) {
        self.no_sell_executions
            .get_or_create(&StatusLabels {
                status: status.name(),
            })
            .inc();
    }

    /// Counts lapsed idempotency keys purged.
    pub(crate) fn idempotency_keys_purged(&self, count: usize) {
        self.idempotency_purged.inc_by(count as u64);
    }

    /// The exposition, with the pools' gauges read from `store` now.
    pub fn render(&self, store: &dyn Store) -> String {
        for pool in store.pools() {
            let gauge = |state| PoolStateLabels {
                pool: pool.name,
                state,
            };
            let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
            self.pool_connections
                .get_or_create(&gauge("in_use"))
                .set(as_i64(pool.in_use));
            self.pool_connections
                .get_or_create(&gauge("idle"))
                .set(as_i64(pool.idle));
            let labels = PoolLabels { pool: pool.name };
            self.pool_max.get_or_create(&labels).set(as_i64(pool.max));
            self.pool_waiting
                .get_or_create(&labels)
                .set(as_i64(pool.waiting));
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}
