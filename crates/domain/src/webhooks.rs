//! Webhooks: a vendor's endpoints, where each stands in its vendor's event sequence, and the
//! rules of delivering to them — which targets may be called, when a failed delivery is
//! tried again, and what an answer does to the endpoint.
//!
//! Delivery itself (signing, the HTTP call, leases) lives outside the domain; it asks
//! [`after_attempt`] what an answer means and [`check_target`] / [`is_forbidden`] whether an
//! address may be called at all.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::{EventType, InvalidValue, KstDateTime, Scope};

crate::random_id!(
    /// An endpoint's id (`wh_` and 16 hex digits).
    WebhookId, "wh_"
);

/// A signing secret, `whsec_` and the base64 of its key, as Standard Webhooks writes it.
/// Shown to its vendor once; never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    pub const PREFIX: &'static str = "whsec_";

    /// The secret whose key is written `base64` (the caller encodes the key's random bytes).
    pub fn from_base64(base64: &str) -> Self {
        Self(format!("{}{base64}", Self::PREFIX))
    }

    /// A secret as stored (`whsec_…`).
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        if value.starts_with(Self::PREFIX) && value.len() > Self::PREFIX.len() {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidValue::new("secret", "must start with whsec_"))
        }
    }

    /// The secret as its vendor sees it, once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The base64 of the key: what follows `whsec_`.
    pub fn key_base64(&self) -> &str {
        &self.0[Self::PREFIX.len()..]
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

/// Where an endpoint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointStatus {
    /// Receiving its events.
    Active,
    /// Every retry of an event failed; its events wait in the feed until it is resumed.
    Paused,
    /// It answered 410 Gone; nothing is sent until it is resumed.
    Disabled,
}

impl EndpointStatus {
    pub const ALL: [EndpointStatus; 3] = [
        EndpointStatus::Active,
        EndpointStatus::Paused,
        EndpointStatus::Disabled,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            EndpointStatus::Active => "active",
            EndpointStatus::Paused => "paused",
            EndpointStatus::Disabled => "disabled",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.name() == name)
    }
}

/// A URL a webhook may be sent to, as its vendor gave it (trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target(String);

impl Target {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A target read back from the store, which checked it when it was registered.
    pub fn stored(url: &str) -> Self {
        Self(url.to_owned())
    }
}

/// The longest URL an endpoint may have.
pub const MAX_URL_LEN: usize = 2_048;

/// Checks `url` as a webhook target: an absolute `https://` URL (or `http://` when
/// `allow_insecure`, for a local sandbox) whose host is not a forbidden address
/// ([`is_forbidden`]) nor a name for this machine (`localhost`, `*.localhost`). A name is
/// resolved only when it is called, and every address it resolves to is checked then too.
pub fn check_target(url: &str, allow_insecure: bool) -> Result<Target, InvalidValue> {
    let invalid = |problem: String| InvalidValue::new("url", problem);
    let text = url.trim();
    if text.len() > MAX_URL_LEN {
        return Err(invalid(format!("is longer than {MAX_URL_LEN} characters")));
    }
    let parsed =
        url::Url::parse(text).map_err(|error| invalid(format!("is not a URL ({error})")))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_insecure => {}
        "http" => {
            return Err(invalid(
                "must start with https:// (plain http is allowed only in a sandbox with webhooks_allow_insecure_targets)".into(),
            ));
        }
        other => return Err(invalid(format!("must be https://, not {other}://"))),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "must not carry a user name or password: authenticate deliveries by their signature"
                .into(),
        ));
    }
    if parsed.fragment().is_some() {
        return Err(invalid("must not have a #fragment".into()));
    }
    if !allow_insecure {
        let forbidden = || {
            invalid(
                "points at a loopback, private, link-local, multicast or unspecified address, which webhooks never call".into(),
            )
        };
        match parsed.host() {
            None => return Err(invalid("has no host".into())),
            Some(url::Host::Ipv4(ip)) if is_forbidden(IpAddr::V4(ip)) => return Err(forbidden()),
            Some(url::Host::Ipv6(ip)) if is_forbidden(IpAddr::V6(ip)) => return Err(forbidden()),
            Some(url::Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                if name == "localhost" || name.ends_with(".localhost") || !name.contains('.') {
                    return Err(invalid(format!(
                        "names {name:?}, which is not a public host name"
                    )));
                }
            }
            Some(_) => {}
        }
    }
    Ok(Target(text.to_owned()))
}

/// Whether webhooks must never call `ip`: loopback, private, shared (carrier-grade NAT),
/// link-local, multicast, broadcast, unspecified or reserved for documentation — and an
/// IPv6 address that embeds any such IPv4 address.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => forbidden_v4(ip),
        IpAddr::V6(ip) => forbidden_v6(ip),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || ip.is_documentation()
        || a == 0
        // 100.64.0.0/10, shared address space (carrier-grade NAT).
        || (a == 100 && (64..128).contains(&b))
        // 192.0.0.0/24, protocol assignments; 198.18.0.0/15, benchmarking; 240.0.0.0/4.
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    let segments = ip.segments();
    let embedded = |high: u16, low: u16| {
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    // 64:ff9b::/96, the well-known NAT64 prefix: the IPv4 address it translates to decides.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return forbidden_v4(embedded(segments[6], segments[7]));
    }
    // 2002::/16, 6to4: the IPv4 address after the prefix is where it goes.
    if segments[0] == 0x2002 && forbidden_v4(embedded(segments[1], segments[2])) {
        return true;
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7, unique local; fe80::/10, link-local; fec0::/10, the old site-local;
        // 2001:db8::/32, documentation.
        || (segments[0] & 0xfe00) == 0xfc00
        || (segments[0] & 0xffc0) == 0xfe80
        || (segments[0] & 0xffc0) == 0xfec0
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)
        // 64:ff9b:1::/48, NAT64 for local use: it reaches a network's own IPv4 addresses.
        || segments[..3] == [0x64, 0xff9b, 1]
        // 2001::/32, Teredo: a tunnel through whatever IPv4 address it embeds.
        || (segments[0] == 0x2001 && segments[1] == 0)
        // ::ffff:0:a.b.c.d, IPv4-translated (SIIT), and ::a.b.c.d, the deprecated
        // IPv4-compatible form.
        || segments[..6] == [0, 0, 0, 0, 0xffff, 0]
        || (segments[..6] == [0; 6] && segments[6] != 0)
}

/// How long after each failed attempt of an event the next one is made, in seconds: after
/// the first failure the first step, and so on; after the last step the endpoint is paused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule(Vec<u64>);

impl RetrySchedule {
    /// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h: three days in all.
    pub const DEFAULT: &'static str = "5,300,1800,7200,18000,36000,50400,72000,86400";

    /// Seconds, comma-separated (`1,1,1`): at least one step, each from 1 s to a day.
    pub fn parse(field: &str, text: &str) -> Result<Self, InvalidValue> {
        let steps = text
            .split(',')
            .map(|step| {
                step.trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|secs| (1..=86_400).contains(secs))
                    .ok_or_else(|| {
                        InvalidValue::new(
                            field,
                            format!(
                                "must be seconds from 1 to 86400, comma-separated (e.g. {}); {step:?} is not",
                                Self::DEFAULT
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(steps))
    }

    pub fn steps(&self) -> &[u64] {
        &self.0
    }

    /// The text [`parse`](Self::parse) reads.
    pub fn to_setting(&self) -> String {
        self.0
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self::parse("webhooks_retry_schedule", Self::DEFAULT).expect("the default schedule parses")
    }
}

/// How an endpoint answered one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Any 2xx within the time allowed.
    Accepted,
    /// 410 Gone: the receiver wants no more.
    Gone,
    /// Anything else — another status, a timeout, a refused connection — with the seconds
    /// of a `Retry-After` that came with a 429 or a 503.
    Failed { retry_after: Option<u64> },
}

/// What happens after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterAttempt {
    /// The event is delivered: on to the next.
    Next,
    /// Try the same event again in this many seconds; `failures` failed so far.
    Retry { in_secs: u64, failures: u32 },
    /// Every retry failed: the endpoint stops, its events wait in the feed.
    Pause,
    /// The endpoint answered 410: it is disabled.
    Disable,
}

/// What `answer` to an attempt of an event that had already failed `failures` times means,
/// under `schedule`. `jitter`, from -1.0 to 1.0, moves the wait by up to ±10 % so endpoints
/// that failed together are not retried together. A `Retry-After` is honoured up to the
/// schedule's next step: never sooner than a second, never later than that step.
pub fn after_attempt(
    schedule: &RetrySchedule,
    failures: u32,
    answer: Answer,
    jitter: f64,
) -> AfterAttempt {
    let retry_after = match answer {
        Answer::Accepted => return AfterAttempt::Next,
        Answer::Gone => return AfterAttempt::Disable,
        Answer::Failed { retry_after } => retry_after,
    };
    let steps = schedule.steps();
    let failures = failures.saturating_add(1);
    let Some(&step) = steps.get(failures as usize - 1) else {
        return AfterAttempt::Pause;
    };
    let jittered = (step as f64 * (1.0 + 0.1 * jitter.clamp(-1.0, 1.0))).round() as u64;
    let in_secs = match retry_after {
        Some(asked) => {
            let next_step = steps.get(failures as usize).copied().unwrap_or(step);
            asked.clamp(1, next_step.max(1))
        }
        None => jittered.max(1),
    };
    AfterAttempt::Retry { in_secs, failures }
}

/// A vendor's webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: WebhookId,
    /// Whose events it receives: the scope of the key that registered it.
    pub scope: Scope,
    pub url: Target,
    /// The event types it receives; empty for every type.
    pub types: Vec<EventType>,
    pub status: EndpointStatus,
    pub secret: WebhookSecret,
    /// The secret before the last rotation, and until when it still signs.
    pub previous_secret: Option<(WebhookSecret, KstDateTime)>,
    /// The last sequence of its vendor it is done with (delivered, or not its to receive).
    pub cursor: u64,
    /// Failed attempts of the event after `cursor`.
    pub failures: u32,
    /// When the next attempt is due.
    pub next_attempt_at: KstDateTime,
    pub last_error: Option<String>,
    pub last_delivered_at: Option<KstDateTime>,
    pub created_at: KstDateTime,
}

impl Webhook {
    /// Whether it receives events of `kind`.
    pub fn wants(&self, kind: EventType) -> bool {
        self.types.is_empty() || self.types.contains(&kind)
    }

    /// The secrets that sign a delivery at `now`: the current one, and the previous one
    /// while it is still live.
    pub fn signing_secrets(&self, now: KstDateTime) -> Vec<&WebhookSecret> {
        let mut secrets = vec![&self.secret];
        if let Some((previous, until)) = &self.previous_secret {
            if now < *until {
                secrets.push(previous);
            }
        }
        secrets
    }

    /// Whether `scope` (a key's) may see and manage it: its own vendor's key, narrowed to
    /// the endpoint's lower-rank vendor if the endpoint is.
    pub fn visible_to(&self, scope: &Scope) -> bool {
        self.scope.vendor == scope.vendor
            && (scope.lower_rank.is_none() || scope.lower_rank == self.scope.lower_rank)
    }
}

/// One attempt to deliver an event, as the delivery log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    pub event_id: String,
    pub sequence: u64,
    /// 1 for the first attempt of this event to this endpoint.
    pub attempt: u32,
    /// The HTTP status it answered, if it answered.
    pub status: Option<u16>,
    /// What went wrong, if anything did.
    pub error: Option<String>,
    pub duration_ms: u64,
    pub at: KstDateTime,
}

/// Parses the event types an endpoint asks for (empty: every type).
pub fn parse_types(field: &str, names: &[String]) -> Result<Vec<EventType>, InvalidValue> {
    let mut types = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let kind = EventType::from_name(name.trim()).ok_or_else(|| {
            InvalidValue::new(
                format!("{field}[{index}]"),
                format!(
                    "{name:?} is not an event type; the types are {}",
                    EventType::ALL
                        .iter()
                        .map(|kind| kind.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        if !types.contains(&kind) {
            types.push(kind);
        }
    }
    Ok(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forbidden(text: &str) -> bool {
        is_forbidden(text.parse().expect("an address"))
    }

    #[test]
    fn private_and_local_addresses_are_forbidden_and_public_ones_are_not() {
        for address in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
            // Ways round IPv4 checks: local-use NAT64, 6to4 of a forbidden address,
            // IPv4-translated, site-local, Teredo.
            "64:ff9b:1::a00:1",
            "64:ff9b:1:ffff::808:808",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::1",
            "2002:c0a8:1::",
            "::ffff:0:127.0.0.1",
            "::ffff:0:808:808",
            "fec0::1",
            "feff::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        ] {
            assert!(forbidden(address), "{address} should be forbidden");
        }
        for address in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "203.0.114.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2001:4860:4860::8888",
        ] {
            assert!(!forbidden(address), "{address} should be allowed");
        }
    }

    #[test]
    fn targets_must_be_https_to_a_public_host_unless_insecure_targets_are_allowed() {
        assert!(check_target("https://hooks.example.com/ssg", false).is_ok());
        assert!(check_target("https://8.8.8.8:8443/in?x=1", false).is_ok());
        for (url, names) in [
            ("http://hooks.example.com/ssg", "https://"),
            ("ftp://hooks.example.com/", "not ftp"),
            ("https://127.0.0.1/", "loopback"),
            ("https://[::1]:8443/", "loopback"),
            ("https://10.0.0.7/", "private"),
            ("https://169.254.169.254/latest", "link-local"),
            ("https://[::ffff:192.168.1.1]/", "private"),
            ("https://localhost/", "not a public host"),
            ("https://api.localhost/", "not a public host"),
            ("https://intranet/", "not a public host"),
            ("https://user:pw@hooks.example.com/", "user name"),
            ("hooks.example.com", "not a URL"),
        ] {
            let error = check_target(url, false).expect_err(url);
            assert_eq!(error.field, "url");
            assert!(error.problem.contains(names), "{url}: {}", error.problem);
        }
        assert!(check_target("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(
            check_target(&format!("https://a.com/{}", "x".repeat(MAX_URL_LEN)), false).is_err()
        );
    }

    #[test]
    fn failures_follow_the_schedule_with_jitter_and_then_pause() {
        let schedule = RetrySchedule::default();
        assert_eq!(
            after_attempt(&schedule, 0, Answer::Accepted, 0.0),
            AfterAttempt::Next
        );
        assert_eq!(
            after_attempt(&schedule, 3, Answer::Gone, 0.0),
            AfterAttempt::Disable
        );
        let failed = Answer::Failed { retry_after: None };
        assert_eq!(
            after_attempt(&schedule, 0, failed, 0.0),
            AfterAttempt::Retry {
                in_secs: 5,
                failures: 1
            }
        );
        assert_eq!(
            after_attempt(&schedule, 1, failed, 1.0),
            AfterAttempt::Retry {
                in_secs: 330,
                failures: 2
            }
        );
        assert_eq!(
            after_attempt(&schedule, 8, failed, -1.0),
            AfterAttempt::Retry {
                in_secs: 77_760,
                failures: 9
            }
        );
        assert_eq!(
            after_attempt(&schedule, 9, failed, 0.0),
            AfterAttempt::Pause
        );
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_next_step() {
        let schedule = RetrySchedule::default();
        let asked = |secs| Answer::Failed {
            retry_after: Some(secs),
        };
        // After the first failure the step is 5 s and the next one 300 s.
        let wait = |answer| match after_attempt(&schedule, 0, answer, 0.0) {
            AfterAttempt::Retry { in_secs, .. } => in_secs,
            other => panic!("{other:?}"),
        };
        assert_eq!(wait(asked(120)), 120);
        assert_eq!(wait(asked(86_400)), 300);
        assert_eq!(wait(asked(0)), 1);
    }

    #[test]
    fn schedules_parse_from_settings_and_name_a_bad_step() {
        assert_eq!(
            RetrySchedule::parse("s", " 1, 2 ,3")
                .expect("parses")
                .steps(),
            &[1, 2, 3]
        );
        assert_eq!(
            RetrySchedule::default().to_setting(),
            RetrySchedule::DEFAULT
        );
        let error = RetrySchedule::parse("webhooks_retry_schedule", "5,soon").expect_err("bad");
        assert!(error.problem.contains("\"soon\""), "{error}");
        assert!(RetrySchedule::parse("s", "0").is_err());
        assert!(RetrySchedule::parse("s", "").is_err());
    }

    #[test]
    fn types_parse_by_name_and_name_the_unknown_one() {
        let types = parse_types(
            "types",
            &[
                "claim.created".into(),
                "claim.created".into(),
                "order.instructed".into(),
            ],
        )
        .expect("known types");
        assert_eq!(types, [EventType::ClaimCreated, EventType::OrderInstructed]);
        let error = parse_types("types", &["claim.made".into()]).expect_err("unknown");
        assert_eq!(error.field, "types[0]");
        assert!(error.problem.contains("claim.created"), "{error}");
    }

    #[test]
    fn ids_and_secrets_keep_their_shape_and_secrets_never_print() {
        let id = WebhookId::from_random([0xab; 8]);
        assert_eq!(id.as_str(), "wh_abababababababab");
        assert_eq!(WebhookId::parse("id", id.as_str()), Ok(id));
        assert!(WebhookId::parse("id", "wh_xyz").is_err());
        let secret = WebhookSecret::from_base64("c2VjcmV0");
        assert_eq!(secret.key_base64(), "c2VjcmV0");
        assert_eq!(format!("{secret:?}"), "WebhookSecret(..)");
        assert!(WebhookSecret::parse("nope").is_err());
    }
}
