//! Every setting of the service, declared once: its key in the settings file
//! (`section.name`), its flag and environment variable (made from its id), its default,
//! its limits and what it means. The command line, the settings file, `config show`, the
//! README's table and the defaults of [`Config`], [`Limits`] and [`Connections`] all come from this one
//! list; a test checks the README and the sample file against it.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use claims_domain::RetrySchedule;
use claims_store::Quota;

use super::config::{
    Config, Connections, ConsoleConfig, ErrorStyle, Limits, Rate, TrustedProxies, WebhookConfig,
};

/// Rows read from the store at a time while streaming a long answer (not a setting).
pub const PAGE_ROWS: usize = 1_000;

/// What kind of value a setting holds, for reading and showing it.
pub trait Value: Sized {
    /// Reads the value's text form (a flag's, an environment variable's, or the file's
    /// value written as text).
    fn read(text: &str) -> Result<Self, String>;
    /// The value as TOML.
    fn toml(&self) -> String;
    /// The value as a whole number, for checking it against its limits.
    fn number(&self) -> Option<i64> {
        None
    }
}

impl Value for u32 {
    fn read(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("{text:?} is not a whole number"))
    }
    fn toml(&self) -> String {
        self.to_string()
    }
    fn number(&self) -> Option<i64> {
        Some(i64::from(*self))
    }
}

impl Value for String {
    fn read(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }
    fn toml(&self) -> String {
        // A TOML basic string: quotes, backslashes and control characters escaped.
        let mut out = String::from("\"");
        for c in self.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }
}

impl Value for bool {
    fn read(text: &str) -> Result<Self, String> {
        match text.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(format!("{other:?} is neither true nor false")),
        }
    }
    fn toml(&self) -> String {
        self.to_string()
    }
}

impl Value for RetrySchedule {
    fn read(text: &str) -> Result<Self, String> {
        RetrySchedule::parse("webhooks_retry_schedule", text).map_err(|error| error.problem)
    }
    fn toml(&self) -> String {
        format!("\"{}\"", self.to_setting())
    }
}

impl Value for TrustedProxies {
    fn read(text: &str) -> Result<Self, String> {
        TrustedProxies::parse(text)
    }
    fn toml(&self) -> String {
        format!("\"{}\"", self.to_setting())
    }
}

impl Value for SocketAddr {
    fn read(text: &str) -> Result<Self, String> {
        SocketAddr::from_str(text.trim())
            .map_err(|_| format!("{text:?} is not an address like 127.0.0.1:8080"))
    }
    fn toml(&self) -> String {
        format!("\"{self}\"")
    }
}

impl Value for ErrorStyle {
    fn read(text: &str) -> Result<Self, String> {
        match text.trim() {
            "http" => Ok(ErrorStyle::Http),
            "ssg" => Ok(ErrorStyle::Ssg),
            other => Err(format!("{other:?} is neither \"http\" nor \"ssg\"")),
        }
    }
    fn toml(&self) -> String {
        match self {
            ErrorStyle::Http => "\"http\"".into(),
            ErrorStyle::Ssg => "\"ssg\"".into(),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// For people: one line per event, the request's span in front.
    Text,
    /// For log shippers: one JSON object per line, with the request's span fields.
    Json,
}

impl Value for LogFormat {
    fn read(text: &str) -> Result<Self, String> {
        match text.trim() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("{other:?} is neither \"text\" nor \"json\"")),
        }
    }
    fn toml(&self) -> String {
        match self {
            LogFormat::Text => "\"text\"".into(),
            LogFormat::Json => "\"json\"".into(),
        }
    }
}

/// Which commands take a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Every command that opens the database.
    Database,
    /// `serve` and `demo`.
    Http,
    /// Every command.
    Log,
}

/// What is known of one setting, for the command line, the file and `config show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The id: the flag is `--id` with `-` for `_`, the environment variable
    /// `SSG_CLAIMS_ID` in capitals.
    pub id: &'static str,
    /// `section.name` in the settings file.
    pub key: &'static str,
    pub group: Group,
    /// One or more sentences: what it means.
    pub help: &'static str,
    /// The values it may take, for whole numbers.
    pub range: Option<(i64, i64)>,
    /// The values it may take, for a choice.
    pub choices: &'static [&'static str],
}

impl Setting {
    /// What it means, in one paragraph.
    pub fn description(&self) -> String {
        self.help.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub fn flag(&self) -> String {
        self.id.replace('_', "-")
    }

    pub fn env(&self) -> String {
        format!("SSG_CLAIMS_{}", self.id.to_ascii_uppercase())
    }

    /// Its default, as TOML.
    pub fn default_toml(&self) -> String {
        Settings::default()
            .toml(self.id)
            .expect("every declared setting has a value")
    }

    /// The declaration of the setting with this id.
    pub fn by_id(id: &str) -> Option<&'static Setting> {
        SETTINGS.iter().find(|setting| setting.id == id)
    }
}

/// Why a value cannot be taken for a setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

macro_rules! settings {
    (
        $(
            $(#[doc = $doc:literal])+
            $id:ident as $key:literal in $group:ident: $ty:ty = $default:expr
                $(, from $lo:literal to $hi:literal)?
                $(, one of [$($choice:literal),+])?;
        )+
    ) => {
        /// The value of every setting.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Settings {
            $($(#[doc = $doc])+ pub $id: $ty,)+
        }

        impl Default for Settings {
            fn default() -> Self {
                Self { $($id: $default,)+ }
            }
        }

        /// Every setting, in the order `config show` prints them.
        pub const SETTINGS: &[Setting] = &[
            $(Setting {
                id: stringify!($id),
                key: $key,
                group: Group::$group,
                help: concat!($($doc, "\n"),+),
                range: settings!(@range $($lo, $hi)?),
                choices: &[$($($choice),+)?],
            },)+
        ];

        impl Settings {
            /// Sets the setting `id` from its text form, checked against its limits.
            pub fn set(&mut self, id: &str, text: &str) -> Result<(), Refused> {
                let setting = Setting::by_id(id)
                    .ok_or_else(|| Refused(format!("there is no setting {id}")))?;
                match id {
                    $(stringify!($id) => {
                        let value = <$ty as Value>::read(text).map_err(Refused)?;
                        check(setting, value.number())?;
                        self.$id = value;
                    })+
                    _ => unreachable!("every declared id has an arm"),
                }
                Ok(())
            }

            /// The value of the setting `id`, as TOML.
            pub fn toml(&self, id: &str) -> Option<String> {
                match id {
                    $(stringify!($id) => Some(Value::toml(&self.$id)),)+
                    _ => None,
                }
            }
        }
    };
    (@range $lo:literal, $hi:literal) => { Some(($lo, $hi)) };
    (@range) => { None };
}

/// Checks a whole number against the setting's limits.
fn check(setting: &Setting, number: Option<i64>) -> Result<(), Refused> {
    match (setting.range, number) {
        (Some((lo, hi)), Some(value)) if !(lo..=hi).contains(&value) => Err(Refused(format!(
            "{value} is out of range; it must be from {lo} to {hi}"
        ))),
        _ => Ok(()),
    }
}

settings! {
    /// The database: a SQLite file path (created if missing), `sqlite://PATH`, or a
    /// PostgreSQL URL `postgres://user:password@host:port/dbname`.
    database as "database.url" in Database: String = "ssg-claims.db".into();
    /// PostgreSQL: connections this process keeps at most.
    db_pool_size as "database.pool_size" in Database: u32 = 16, from 1 to 1000;
    /// PostgreSQL: the longest one database call may take, in milliseconds, before the
    /// request is answered as unavailable (503, code 90).
    db_timeout_ms as "database.timeout_ms" in Database: u32 = 5_000, from 100 to 600000;
    /// `serve` on PostgreSQL: how long to keep trying to reach the database at start, in
    /// seconds, serving (and answering `/readyz` 503) meanwhile; then it gives up and exits.
    startup_wait_secs as "database.startup_wait_secs" in Database: u32 = 60, from 0 to 3600;
    /// The address to listen on.
    listen as "http.listen" in Http: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080));
    /// How the vendor API answers errors: `ssg`, every error with HTTP 500, as SSG does
    /// (integrations written against SSG expect it); `http`, each result code with its own
    /// HTTP status.
    errors as "http.errors" in Http: ErrorStyle = ErrorStyle::Ssg, one of ["ssg", "http"];
    /// The most rows one inquiry may answer; more is result code 16.
    max_rows as "http.max_rows" in Http: u32 = 100_000, from 1 to 10000000;
    /// MiB of encoded inquiry answers kept for vendors asking the same again (0: none). An
    /// answer is reused only while its vendor has had no change since it was read, checked
    /// in the database on every request, so every node answers fresh.
    inquiry_cache_mib as "http.inquiry_cache_mib" in Http: u32 = 64, from 0 to 65536;
    /// MiB of encoded inquiry rows kept for answers read afresh (0: none). A claim line
    /// never changes once written, so a kept row is always current: an answer read after a
    /// change reads its rows' ids and encodes only the rows not kept.
    inquiry_rows_cache_mib as "http.inquiry_rows_cache_mib" in Http: u32 = 64, from 0 to 65536;
    /// On SIGTERM or Ctrl-C: how long requests in flight may take to finish, in seconds,
    /// before they are cut and the process exits.
    shutdown_grace_secs as "http.shutdown_grace_secs" in Http: u32 = 30, from 0 to 3600;
    /// Hours an Idempotency-Key and its answer are kept.
    idempotency_hours as "http.idempotency_hours" in Http: u32 = 24, from 24 to 720;
    /// Idempotency-Keys one credential may keep at once; more new keys are refused (429)
    /// until older ones lapse.
    idempotency_max_keys as "http.idempotency_max_keys" in Http: u32 = 100_000, from 1 to 1000000000;
    /// MiB of kept answers one credential may hold for Idempotency-Key replays.
    idempotency_max_mib as "http.idempotency_max_mib" in Http: u32 = 256, from 1 to 1048576;
    /// Days events are kept in the feed (`GET /v1/events`); a cursor older than that is
    /// answered 410.
    events_retention_days as "events.retention_days" in Http: u32 = 30, from 1 to 3650;
    /// Lets webhooks call plain `http://` targets and loopback or private addresses. For
    /// a local sandbox only (`demo` turns it on): a vendor could otherwise make the server
    /// call into its own network.
    webhooks_allow_insecure_targets as "webhooks.allow_insecure_targets" in Http: bool = false, one of ["true", "false"];
    /// Seconds between failed attempts to deliver one event to a webhook, comma-separated,
    /// each moved by up to ±10 %; after the last, the endpoint is paused and its events
    /// wait in the feed. Tests use e.g. `1,1,1`.
    webhooks_retry_schedule as "webhooks.retry_schedule" in Http: RetrySchedule = RetrySchedule::default();
    /// Seconds after a replay (`POST /v1/webhooks/{id}/replay`) before the endpoint may be
    /// replayed again; sooner is answered 429 with Retry-After.
    webhooks_replay_cooldown_secs as "webhooks.replay_cooldown_secs" in Http: u32 = 300, from 0 to 86400;
    /// Webhook deliveries per second to one vendor's endpoints, over all nodes (each node
    /// takes its share); more wait their turn. 0: no cap.
    webhooks_max_deliveries_per_second as "webhooks.max_deliveries_per_second" in Http: u32 = 50, from 0 to 100000;
    /// The console's session cookie is sent only over HTTPS (`Secure`). On by default; turn
    /// it off only to reach the console over plain HTTP on this machine (`demo` does).
    console_secure_cookies as "console.secure_cookies" in Http: bool = true, one of ["true", "false"];
    /// Minutes a console session may stay unused before it ends.
    console_idle_minutes as "console.idle_minutes" in Http: u32 = 30, from 1 to 1440;
    /// Hours a console session lasts at most, however busy; then its user signs in again.
    console_session_hours as "console.session_hours" in Http: u32 = 12, from 1 to 720;
    /// Proxies whose `X-Forwarded-For` is believed for the client's address (which the
    /// sign-in throttle counts by): comma-separated networks or addresses, e.g.
    /// `10.0.0.0/8,192.168.1.7`. Empty: every request's address is its connection's.
    console_trusted_proxies as "console.trusted_proxies" in Http: TrustedProxies = TrustedProxies::default();
    /// The longest a request may take to its answer's status line, in seconds; then it is
    /// answered as unavailable (503, code 90).
    request_timeout_secs as "limits.request_timeout_secs" in Http: u32 = 30, from 1 to 3600;
    /// Seconds an answer may make no progress because its client reads nothing; then the
    /// connection is closed.
    send_timeout_secs as "limits.send_timeout_secs" in Http: u32 = 30, from 1 to 3600;
    /// Large answers (over a page) one API key may receive at once; more wait a second,
    /// then get 429 / code 29.
    max_streams_per_credential as "limits.max_streams_per_credential" in Http: u32 = 4, from 1 to 10000;
    /// Long polls of the change feed (`GET /v1/events?wait=`) one credential may hold at
    /// once; more are answered at once, as if they had asked not to wait.
    max_waits_per_credential as "limits.max_waits_per_credential" in Http: u32 = 4, from 1 to 10000;
    /// Long polls waiting at once on a node. They wait outside `max_in_flight`, so waiting
    /// requests never take the room of ordinary ones; more are answered at once.
    max_waiting as "limits.max_waiting" in Http: u32 = 1024, from 1 to 1000000;
    /// Requests handled at once; more are refused at once as unavailable (503, code 90)
    /// rather than queued.
    max_in_flight as "limits.max_in_flight" in Http: u32 = 512, from 1 to 100000;
    /// Connections open at once; more wait in the listen backlog.
    max_connections as "limits.max_connections" in Http: u32 = 4096, from 1 to 1000000;
    /// Seconds a client may take to send a request's head, and an idle connection may stay
    /// open; slow and silent clients are disconnected then.
    header_read_timeout_secs as "limits.header_read_timeout_secs" in Http: u32 = 10, from 1 to 3600;
    /// Headers per request; more is answered 431.
    max_headers as "limits.max_headers" in Http: u32 = 64, from 8 to 1024;
    /// Bytes of a request's head; more is answered 431.
    max_header_bytes as "limits.max_header_bytes" in Http: u32 = 16_384, from 1024 to 1048576;
    /// The largest platform API body, in bytes (the vendor API takes 64 KiB, as SSG does).
    platform_body_bytes as "limits.platform_body_bytes" in Http: u32 = 1_048_576, from 1024 to 67108864;
    /// Requests per second one vendor API key may make on average (0: no limit); more are
    /// answered 429 / code 29 with Retry-After.
    rate_key_per_second as "rate_limit.key_per_second" in Http: u32 = 20, from 0 to 1000000;
    /// Requests one vendor API key may make at once, before the average applies.
    rate_key_burst as "rate_limit.key_burst" in Http: u32 = 200, from 1 to 1000000;
    /// Requests per second one platform token may make on average (0: no limit).
    rate_token_per_second as "rate_limit.token_per_second" in Http: u32 = 200, from 0 to 1000000;
    /// Requests one platform token may make at once, before the average applies.
    rate_token_burst as "rate_limit.token_burst" in Http: u32 = 2000, from 1 to 1000000;
    /// Requests per second one console session may make on average (0: no limit); more are
    /// answered with a 429 page.
    rate_session_per_second as "rate_limit.session_per_second" in Http: u32 = 10, from 0 to 1000000;
    /// Requests one console session may make at once, before the average applies.
    rate_session_burst as "rate_limit.session_burst" in Http: u32 = 60, from 1 to 1000000;
    /// Runs a sandbox: every time comes from a clock kept in the database, which starts at
    /// the real time and which the admin token may move forward
    /// (`POST /v1/sandbox/clock`); any credential reads it (`GET /v1/sandbox/clock`). For
    /// local sandboxes only (`demo` turns it on). Off: the clock is the system's and
    /// `/v1/sandbox/…` answers 404.
    sandbox as "sandbox.enabled" in Http: bool = false, one of ["true", "false"];
    /// Log filter, in tracing's syntax: `info`, `debug`, `claims_server=debug,info`.
    log as "log.filter" in Log: String = "info".into();
    /// Log lines as `text` for people or as `json` objects for log shippers.
    log_format as "log.format" in Log: LogFormat = LogFormat::Text, one of ["text", "json"];
}

fn secs(value: u32) -> Duration {
    Duration::from_secs(u64::from(value))
}

impl Settings {
    /// The HTTP service's settings.
    pub fn config(&self) -> Config {
        Config {
            errors: self.errors,
            max_rows: self.max_rows as usize,
            page_rows: PAGE_ROWS,
            limits: Limits {
                request_timeout: secs(self.request_timeout_secs),
                max_in_flight: self.max_in_flight as usize,
                platform_body_bytes: self.platform_body_bytes as usize,
                per_key: Rate {
                    per_second: self.rate_key_per_second,
                    burst: self.rate_key_burst,
                },
                per_token: Rate {
                    per_second: self.rate_token_per_second,
                    burst: self.rate_token_burst,
                },
                per_session: Rate {
                    per_second: self.rate_session_per_second,
                    burst: self.rate_session_burst,
                },
                max_streams_per_credential: self.max_streams_per_credential as usize,
                max_waits_per_credential: self.max_waits_per_credential as usize,
                max_waiting: self.max_waiting as usize,
            },
            idempotency_retention: secs(self.idempotency_hours * 3600),
            idempotency_quota: Quota {
                max_keys: u64::from(self.idempotency_max_keys),
                max_bytes: u64::from(self.idempotency_max_mib) * 1024 * 1024,
            },
            events_retention: secs(self.events_retention_days * 86_400),
            webhooks: WebhookConfig {
                allow_insecure_targets: self.webhooks_allow_insecure_targets,
                retry_schedule: self.webhooks_retry_schedule.clone(),
                replay_cooldown: secs(self.webhooks_replay_cooldown_secs),
                max_deliveries_per_second: self.webhooks_max_deliveries_per_second,
            },
            inquiry_cache_bytes: u64::from(self.inquiry_cache_mib) * 1024 * 1024,
            inquiry_rows_cache_bytes: u64::from(self.inquiry_rows_cache_mib) * 1024 * 1024,
            sandbox: self.sandbox,
            console: ConsoleConfig {
                secure_cookies: self.console_secure_cookies,
                idle: secs(self.console_idle_minutes * 60),
                lifetime: secs(self.console_session_hours * 3600),
                trusted_proxies: self.console_trusted_proxies.clone(),
            },
        }
    }

    /// The limits on connections.
    pub fn connections(&self) -> Connections {
        Connections {
            max: self.max_connections as usize,
            header_read_timeout: secs(self.header_read_timeout_secs),
            max_headers: self.max_headers as usize,
            max_header_bytes: self.max_header_bytes as usize,
            send_timeout: secs(self.send_timeout_secs),
        }
    }

    /// How long a call to the database may take.
    pub fn db_timeout(&self) -> Duration {
        Duration::from_millis(u64::from(self.db_timeout_ms))
    }
}

impl Default for Config {
    /// The declared defaults.
    fn default() -> Self {
        Settings::default().config()
    }
}

impl Default for Limits {
    /// The declared defaults.
    fn default() -> Self {
        Settings::default().config().limits
    }
}

impl Default for WebhookConfig {
    /// The declared defaults.
    fn default() -> Self {
        Settings::default().config().webhooks
    }
}

impl Default for Connections {
    /// The declared defaults.
    fn default() -> Self {
        Settings::default().connections()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_reads_checks_and_shows_its_value() {
        let mut settings = Settings::default();
        settings.set("send_timeout_secs", "7").unwrap();
        assert_eq!(settings.send_timeout_secs, 7);
        assert_eq!(settings.toml("send_timeout_secs").unwrap(), "7");
        assert_eq!(
            settings.set("send_timeout_secs", "0").unwrap_err().0,
            "0 is out of range; it must be from 1 to 3600"
        );
        assert!(settings.set("send_timeout_secs", "soon").is_err());
        settings.set("errors", "ssg").unwrap();
        assert_eq!(settings.errors, ErrorStyle::Ssg);
        assert!(settings.set("errors", "loud").is_err());
        assert!(settings.set("no_such_setting", "1").is_err());
        assert_eq!(
            Setting::by_id("database").unwrap().env(),
            "SSG_CLAIMS_DATABASE"
        );
        assert_eq!(
            Setting::by_id("db_pool_size").unwrap().flag(),
            "db-pool-size"
        );
        assert_eq!(
            Setting::by_id("log_format").unwrap().default_toml(),
            "\"text\""
        );
        assert_eq!(
            String::from("a\"b\\c\u{1}").toml(),
            "\"a\\\"b\\\\c\\u0001\""
        );
    }

    #[test]
    fn keys_and_ids_are_unique_and_every_default_is_within_its_limits() {
        let mut ids: Vec<&str> = SETTINGS.iter().map(|s| s.id).collect();
        let mut keys: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
        ids.sort();
        ids.dedup();
        keys.sort();
        keys.dedup();
        assert_eq!(ids.len(), SETTINGS.len());
        assert_eq!(keys.len(), SETTINGS.len());
        let defaults = Settings::default();
        for setting in SETTINGS {
            let shown = defaults.toml(setting.id).unwrap();
            let mut copy = defaults.clone();
            copy.set(setting.id, shown.trim_matches('"'))
                .unwrap_or_else(|error| panic!("{}: default {shown}: {error}", setting.key));
            assert_eq!(copy, defaults, "{} reads back as itself", setting.key);
        }
    }

    #[test]
    fn the_services_defaults_are_the_declared_ones() {
        let declared = Settings::default();
        assert_eq!(Config::default().max_rows, declared.max_rows as usize);
        assert_eq!(Connections::default(), declared.connections());
        assert_eq!(Limits::default(), declared.config().limits);
    }
}
