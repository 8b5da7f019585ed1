//! The service's settings as the code reads them: plain values, filled from the declared
//! settings ([`super::settings`]), whose defaults they take.

use std::time::Duration;

use claims_store::Quota;

/// How errors of the vendor API are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorStyle {
    /// Each result code with its own HTTP status (400, 401, 406, 413, 415, 429, 503…).
    Http,
    /// Every error with HTTP 500, as SSG itself answers; the body is the same. The default,
    /// so that an integration written against SSG works here unchanged: some read an
    /// error's envelope only from a 5xx answer.
    #[default]
    Ssg,
}

/// Settings of the HTTP service.
#[derive(Debug, Clone)]
pub struct Config {
    pub errors: ErrorStyle,
    /// The most rows one inquiry may answer; more is code 16.
    pub max_rows: usize,
    /// Rows read from the store at a time while streaming a long answer.
    pub page_rows: usize,
    /// Deadlines, load shedding, body size and rate limits.
    pub limits: Limits,
    /// How long an `Idempotency-Key` and its answer are kept (at least a day).
    pub idempotency_retention: Duration,
    /// How many keys, and bytes of answers, one credential may keep for replays.
    pub idempotency_quota: Quota,
    /// How long events stay in the feed.
    pub events_retention: Duration,
    pub webhooks: WebhookConfig,
    /// Bytes of encoded inquiry answers kept for reuse (0: none).
    pub inquiry_cache_bytes: u64,
    /// Bytes of encoded inquiry rows kept for answers read afresh (0: none).
    pub inquiry_rows_cache_bytes: u64,
    pub console: ConsoleConfig,
    /// The node runs a sandbox: its clock is the sandbox clock kept in the database.
    pub sandbox: bool,
}

/// How the web console keeps its sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleConfig {
    /// The session cookie is marked `Secure` (sent over HTTPS only).
    pub secure_cookies: bool,
    /// How long a session may stay unused.
    pub idle: Duration,
    /// How long a session lasts at most, however busy.
    pub lifetime: Duration,
    /// Proxies whose `X-Forwarded-For` names the client (a TLS-terminating proxy in
    /// front); a request from anywhere else is the client itself.
    pub trusted_proxies: TrustedProxies,
}

/// Networks whose `X-Forwarded-For` is believed: a request that comes from one of them was
/// forwarded for the client that header names last, past any other trusted proxy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustedProxies(pub Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// Reads a comma-separated list of networks (`10.0.0.0/8`) or addresses (`10.0.0.7`).
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<ipnet::IpNet>()
                    .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!("{part:?} is neither a network like 10.0.0.0/8 nor an address")
                    })
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    pub fn contains(&self, address: std::net::IpAddr) -> bool {
        let address = match address {
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, std::net::IpAddr::V4),
            v4 => v4,
        };
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client a request from `peer` was made for: `peer` itself unless it is trusted;
    /// then, walking `X-Forwarded-For` from its end, the first address that is not a
    /// trusted proxy (a client can write anything at the header's start, but not past the
    /// proxies that append to it).
    pub fn client(&self, peer: std::net::IpAddr, forwarded_for: &[&str]) -> std::net::IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_for
            .iter()
            .flat_map(|header| header.split(','))
            .rev()
        {
            match hop.trim().parse::<std::net::IpAddr>() {
                Ok(address) if self.contains(address) => client = address,
                Ok(address) => return address,
                Err(_) => return client,
            }
        }
        client
    }

    /// The list as the setting writes it.
    pub fn to_setting(&self) -> String {
        self.0
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// How webhooks are delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// Plain `http://` and loopback or private targets are allowed (a local sandbox).
    pub allow_insecure_targets: bool,
    /// The waits between failed attempts of one event.
    pub retry_schedule: claims_domain::RetrySchedule,
    /// How long after a replay an endpoint may be replayed again.
    pub replay_cooldown: Duration,
    /// Deliveries per second to one vendor's endpoints, over every node (0: no cap).
    pub max_deliveries_per_second: u32,
}

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
    /// Per console session.
    pub per_session: Rate,
    /// Large answers (a full first page or more) one key may receive at once; more wait
    /// briefly for one to end, then get code 29.
    pub max_streams_per_credential: usize,
    /// Long polls one credential may hold at once; more are answered at once, as if they
    /// had not asked to wait.
    pub max_waits_per_credential: usize,
    /// Long polls waiting at once on this node, beside `max_in_flight`; more are answered
    /// at once.
    pub max_waiting: usize,
}

/// Limits on connections, enforced before a request reaches the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connections {
    /// Connections open at once; while at the limit, new ones wait in the listen backlog.
    pub max: usize,
    /// The longest a client may take to send a request's head — and the longest an idle
    /// keep-alive connection stays open. A slow or silent client is disconnected then.
    pub header_read_timeout: Duration,
    /// Headers per request; more is answered 431.
    pub max_headers: usize,
    /// Bytes of a request's head (request line and headers); more is answered 431.
    pub max_header_bytes: usize,
    /// The longest an answer may make no progress because its client reads nothing; then
    /// the connection is closed (see `send_deadline`).
    pub send_timeout: Duration,
}
