//! Settings: the groups of flags commands share, the settings file, and how they combine.
//!
//! Each setting comes from, in order of precedence: its flag, its `SSG_CLAIMS_*`
//! environment variable, the file `--config` names, and finally its default. Clap reads the
//! first two and the defaults; [`apply`] puts the file's values in where clap fell back to a
//! default, checks them against the same limits the flags have, and remembers where every
//! value came from for `ssg-claims config show`.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, ValueEnum};
use serde::Deserialize;

use crate::database;

/// Limits shared by the flags and the file.
pub const POOL_SIZE: RangeInclusive<i64> = 1..=1000;
pub const DB_TIMEOUT_MS: RangeInclusive<i64> = 100..=600_000;
pub const MAX_ROWS: RangeInclusive<i64> = 1..=10_000_000;
pub const SHUTDOWN_GRACE_SECS: RangeInclusive<i64> = 0..=3600;
pub const REQUEST_TIMEOUT_SECS: RangeInclusive<i64> = 1..=3600;
pub const MAX_IN_FLIGHT: RangeInclusive<i64> = 1..=100_000;
pub const MAX_CONNECTIONS: RangeInclusive<i64> = 1..=1_000_000;
pub const HEADER_READ_TIMEOUT_SECS: RangeInclusive<i64> = 1..=3600;
pub const MAX_HEADERS: RangeInclusive<i64> = 8..=1024;
pub const MAX_HEADER_BYTES: RangeInclusive<i64> = 1024..=1_048_576;
pub const PLATFORM_BODY_BYTES: RangeInclusive<i64> = 1024..=67_108_864;
pub const RATE_PER_SECOND: RangeInclusive<i64> = 0..=1_000_000;
pub const RATE_BURST: RangeInclusive<i64> = 1..=1_000_000;
pub const IDEMPOTENCY_HOURS: RangeInclusive<i64> = 24..=720;
pub const IDEMPOTENCY_MAX_KEYS: RangeInclusive<i64> = 1..=1_000_000_000;
pub const IDEMPOTENCY_MAX_MIB: RangeInclusive<i64> = 1..=1_048_576;
pub const SEND_TIMEOUT_SECS: RangeInclusive<i64> = 1..=3600;
pub const MAX_STREAMS_PER_CREDENTIAL: RangeInclusive<i64> = 1..=10_000;

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// The database: a SQLite file path (created if missing), `sqlite://PATH`, or a
    /// PostgreSQL URL `postgres://user:password@host:port/dbname`.
    #[arg(long, env = "SSG_CLAIMS_DATABASE", default_value = "ssg-claims.db")]
    pub database: String,

    /// PostgreSQL: connections this process keeps at most.
    #[arg(long, env = "SSG_CLAIMS_DB_POOL_SIZE", default_value_t = 16, value_parser = clap::value_parser!(u32).range(POOL_SIZE))]
    pub db_pool_size: u32,

    /// PostgreSQL: the longest one database call may take, in milliseconds, before the
    /// request is answered as unavailable (503).
    #[arg(long, env = "SSG_CLAIMS_DB_TIMEOUT_MS", default_value_t = 5_000, value_parser = clap::value_parser!(u32).range(DB_TIMEOUT_MS))]
    pub db_timeout_ms: u32,
}

/// How the vendor API answers errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorsArg {
    /// Each result code with its own HTTP status.
    Http,
    /// Every error with HTTP 500, as SSG does.
    Ssg,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people: one line per event, the request's span in front.
    Text,
    /// For log shippers: one JSON object per line, with the request's span fields.
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct HttpArgs {
    /// The address to listen on.
    #[arg(long, env = "SSG_CLAIMS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// How errors are answered: with their own HTTP status, or all with 500 like SSG.
    #[arg(long, env = "SSG_CLAIMS_ERRORS", value_enum, default_value = "http")]
    pub errors: ErrorsArg,

    /// The most rows one inquiry may answer; more is result code 16.
    #[arg(long, env = "SSG_CLAIMS_MAX_ROWS", default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(MAX_ROWS))]
    pub max_rows: u32,

    /// On SIGTERM or Ctrl-C: how long requests in flight may take to finish, in seconds,
    /// before they are cut and the process exits.
    #[arg(long, env = "SSG_CLAIMS_SHUTDOWN_GRACE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(SHUTDOWN_GRACE_SECS))]
    pub shutdown_grace_secs: u32,

    /// Hours an Idempotency-Key and its answer are kept (24 to 720).
    #[arg(long, env = "SSG_CLAIMS_IDEMPOTENCY_HOURS", default_value_t = 24, value_parser = clap::value_parser!(u32).range(IDEMPOTENCY_HOURS))]
    pub idempotency_hours: u32,

    /// Idempotency-Keys one credential may keep at once; more new keys are refused (429)
    /// until older ones lapse.
    #[arg(long, env = "SSG_CLAIMS_IDEMPOTENCY_MAX_KEYS", default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(IDEMPOTENCY_MAX_KEYS))]
    pub idempotency_max_keys: u32,

    /// MiB of kept answers one credential may hold for Idempotency-Key replays.
    #[arg(long, env = "SSG_CLAIMS_IDEMPOTENCY_MAX_MIB", default_value_t = 256, value_parser = clap::value_parser!(u32).range(IDEMPOTENCY_MAX_MIB))]
    pub idempotency_max_mib: u32,

    /// The longest a request may take to its answer's status line, in seconds; then it is
    /// answered as unavailable (503, code 90).
    #[arg(long, env = "SSG_CLAIMS_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(REQUEST_TIMEOUT_SECS))]
    pub request_timeout_secs: u32,

    /// Requests handled at once; more are refused at once as unavailable (503, code 90)
    /// rather than queued.
    #[arg(long, env = "SSG_CLAIMS_MAX_IN_FLIGHT", default_value_t = 512, value_parser = clap::value_parser!(u32).range(MAX_IN_FLIGHT))]
    pub max_in_flight: u32,

    /// Connections open at once; more wait in the listen backlog.
    #[arg(long, env = "SSG_CLAIMS_MAX_CONNECTIONS", default_value_t = 4096, value_parser = clap::value_parser!(u32).range(MAX_CONNECTIONS))]
    pub max_connections: u32,

    /// Seconds a client may take to send a request's head, and an idle connection may stay
    /// open; slow and silent clients are disconnected then.
    #[arg(long, env = "SSG_CLAIMS_HEADER_READ_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(HEADER_READ_TIMEOUT_SECS))]
    pub header_read_timeout_secs: u32,

    /// Seconds an answer may make no progress because its client reads nothing; then the
    /// connection is closed.
    #[arg(long, env = "SSG_CLAIMS_SEND_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(SEND_TIMEOUT_SECS))]
    pub send_timeout_secs: u32,

    /// Large answers (over a page) one API key may receive at once; more wait a second,
    /// then get 429 / code 29.
    #[arg(long, env = "SSG_CLAIMS_MAX_STREAMS_PER_CREDENTIAL", default_value_t = 4, value_parser = clap::value_parser!(u32).range(MAX_STREAMS_PER_CREDENTIAL))]
    pub max_streams_per_credential: u32,

    /// Headers per request; more is answered 431.
    #[arg(long, env = "SSG_CLAIMS_MAX_HEADERS", default_value_t = 64, value_parser = clap::value_parser!(u32).range(MAX_HEADERS))]
    pub max_headers: u32,

    /// Bytes of a request's head; more is answered 431.
    #[arg(long, env = "SSG_CLAIMS_MAX_HEADER_BYTES", default_value_t = 16_384, value_parser = clap::value_parser!(u32).range(MAX_HEADER_BYTES))]
    pub max_header_bytes: u32,

    /// The largest platform API body, in bytes (the vendor API takes 64 KiB, as SSG does).
    #[arg(long, env = "SSG_CLAIMS_PLATFORM_BODY_BYTES", default_value_t = 1_048_576, value_parser = clap::value_parser!(u32).range(PLATFORM_BODY_BYTES))]
    pub platform_body_bytes: u32,

    /// Requests per second one vendor API key may make on average (0: no limit); more are
    /// answered 429 / code 29 with Retry-After.
    #[arg(long, env = "SSG_CLAIMS_RATE_KEY_PER_SECOND", default_value_t = 20, value_parser = clap::value_parser!(u32).range(RATE_PER_SECOND))]
    pub rate_key_per_second: u32,

    /// Requests one vendor API key may make at once, before the average applies.
    #[arg(long, env = "SSG_CLAIMS_RATE_KEY_BURST", default_value_t = 200, value_parser = clap::value_parser!(u32).range(RATE_BURST))]
    pub rate_key_burst: u32,

    /// Requests per second one platform token may make on average (0: no limit).
    #[arg(long, env = "SSG_CLAIMS_RATE_TOKEN_PER_SECOND", default_value_t = 200, value_parser = clap::value_parser!(u32).range(RATE_PER_SECOND))]
    pub rate_token_per_second: u32,

    /// Requests one platform token may make at once, before the average applies.
    #[arg(long, env = "SSG_CLAIMS_RATE_TOKEN_BURST", default_value_t = 2000, value_parser = clap::value_parser!(u32).range(RATE_BURST))]
    pub rate_token_burst: u32,
}

impl HttpArgs {
    pub fn config(&self) -> claims_server::Config {
        claims_server::Config {
            errors: match self.errors {
                ErrorsArg::Http => claims_server::ErrorStyle::Http,
                ErrorsArg::Ssg => claims_server::ErrorStyle::Ssg,
            },
            max_rows: self.max_rows as usize,
            idempotency_retention: Duration::from_secs(u64::from(self.idempotency_hours) * 3600),
            idempotency_quota: claims_store::Quota {
                max_keys: u64::from(self.idempotency_max_keys),
                max_bytes: u64::from(self.idempotency_max_mib) * 1024 * 1024,
            },
            limits: claims_server::Limits {
                request_timeout: Duration::from_secs(u64::from(self.request_timeout_secs)),
                max_in_flight: self.max_in_flight as usize,
                platform_body_bytes: self.platform_body_bytes as usize,
                per_key: claims_server::Rate {
                    per_second: self.rate_key_per_second,
                    burst: self.rate_key_burst,
                },
                per_token: claims_server::Rate {
                    per_second: self.rate_token_per_second,
                    burst: self.rate_token_burst,
                },
                max_streams_per_credential: self.max_streams_per_credential as usize,
            },
            ..claims_server::Config::default()
        }
    }

    pub fn connections(&self) -> claims_server::Connections {
        claims_server::Connections {
            max: self.max_connections as usize,
            header_read_timeout: Duration::from_secs(u64::from(self.header_read_timeout_secs)),
            max_headers: self.max_headers as usize,
            max_header_bytes: self.max_header_bytes as usize,
            send_timeout: Duration::from_secs(u64::from(self.send_timeout_secs)),
        }
    }
}

/// The logging settings, global to every command.
#[derive(Debug, Clone)]
pub struct LogSettings {
    pub filter: String,
    pub format: LogFormat,
}

/// The settings file. Every key is optional; an unknown one is an error that names it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    database: DatabaseSection,
    #[serde(default)]
    http: HttpSection,
    #[serde(default)]
    limits: LimitsSection,
    #[serde(default)]
    rate_limit: RateLimitSection,
    #[serde(default)]
    log: LogSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsSection {
    request_timeout_secs: Option<u32>,
    send_timeout_secs: Option<u32>,
    max_streams_per_credential: Option<u32>,
    max_in_flight: Option<u32>,
    max_connections: Option<u32>,
    header_read_timeout_secs: Option<u32>,
    max_headers: Option<u32>,
    max_header_bytes: Option<u32>,
    platform_body_bytes: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimitSection {
    key_per_second: Option<u32>,
    key_burst: Option<u32>,
    token_per_second: Option<u32>,
    token_burst: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    url: Option<String>,
    pool_size: Option<u32>,
    timeout_ms: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpSection {
    listen: Option<SocketAddr>,
    errors: Option<ErrorsArg>,
    max_rows: Option<u32>,
    shutdown_grace_secs: Option<u32>,
    idempotency_hours: Option<u32>,
    idempotency_max_keys: Option<u32>,
    idempotency_max_mib: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogSection {
    filter: Option<String>,
    format: Option<LogFormat>,
}

impl File {
    fn read(path: &Path) -> anyhow::Result<File> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the config file {}", path.display()))?;
        let file: File = toml::from_str(&text)
            .with_context(|| format!("the config file {} is not valid", path.display()))?;
        let in_file = |key: &str| format!("{key} in the config file {}", path.display());
        check(
            &in_file("database.pool_size"),
            file.database.pool_size,
            POOL_SIZE,
        )?;
        check(
            &in_file("database.timeout_ms"),
            file.database.timeout_ms,
            DB_TIMEOUT_MS,
        )?;
        check(&in_file("http.max_rows"), file.http.max_rows, MAX_ROWS)?;
        check(
            &in_file("http.shutdown_grace_secs"),
            file.http.shutdown_grace_secs,
            SHUTDOWN_GRACE_SECS,
        )?;
        let limits = &file.limits;
        for (key, value, range) in [
            (
                "http.idempotency_hours",
                file.http.idempotency_hours,
                IDEMPOTENCY_HOURS,
            ),
            (
                "http.idempotency_max_keys",
                file.http.idempotency_max_keys,
                IDEMPOTENCY_MAX_KEYS,
            ),
            (
                "http.idempotency_max_mib",
                file.http.idempotency_max_mib,
                IDEMPOTENCY_MAX_MIB,
            ),
            (
                "limits.request_timeout_secs",
                limits.request_timeout_secs,
                REQUEST_TIMEOUT_SECS,
            ),
            (
                "limits.send_timeout_secs",
                limits.send_timeout_secs,
                SEND_TIMEOUT_SECS,
            ),
            (
                "limits.max_streams_per_credential",
                limits.max_streams_per_credential,
                MAX_STREAMS_PER_CREDENTIAL,
            ),
            ("limits.max_in_flight", limits.max_in_flight, MAX_IN_FLIGHT),
            (
                "limits.max_connections",
                limits.max_connections,
                MAX_CONNECTIONS,
            ),
            (
                "limits.header_read_timeout_secs",
                limits.header_read_timeout_secs,
                HEADER_READ_TIMEOUT_SECS,
            ),
            ("limits.max_headers", limits.max_headers, MAX_HEADERS),
            (
                "limits.max_header_bytes",
                limits.max_header_bytes,
                MAX_HEADER_BYTES,
            ),
            (
                "limits.platform_body_bytes",
                limits.platform_body_bytes,
                PLATFORM_BODY_BYTES,
            ),
            (
                "rate_limit.key_per_second",
                file.rate_limit.key_per_second,
                RATE_PER_SECOND,
            ),
            (
                "rate_limit.key_burst",
                file.rate_limit.key_burst,
                RATE_BURST,
            ),
            (
                "rate_limit.token_per_second",
                file.rate_limit.token_per_second,
                RATE_PER_SECOND,
            ),
            (
                "rate_limit.token_burst",
                file.rate_limit.token_burst,
                RATE_BURST,
            ),
        ] {
            check(&in_file(key), value, range)?;
        }
        Ok(file)
    }
}

fn check<T: Copy + Into<i64>>(
    what: &str,
    value: Option<T>,
    range: RangeInclusive<i64>,
) -> anyhow::Result<()> {
    match value.map(Into::into) {
        Some(value) if !range.contains(&value) => bail!(
            "{what} is {value}; it must be from {} to {}",
            range.start(),
            range.end()
        ),
        _ => Ok(()),
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(String),
    Environment(String),
    File,
    Default,
}

/// One setting in effect, for `config show`.
#[derive(Debug, Clone)]
pub struct Shown {
    /// `section.key`, as in the file.
    pub key: &'static str,
    /// The value as TOML, secrets redacted.
    pub value: String,
    pub source: Source,
}

/// The settings in effect and where each came from.
#[derive(Debug, Default)]
pub struct Effective {
    pub file: Option<PathBuf>,
    pub shown: Vec<Shown>,
}

/// Layers one setting: the value clap found (flag or environment) stays; otherwise the
/// file's, if any; otherwise clap's default.
struct Layers<'a> {
    matches: &'a ArgMatches,
    effective: Effective,
}

impl Layers<'_> {
    fn layer<T: Clone>(
        &mut self,
        key: &'static str,
        id: &str,
        slot: &mut T,
        from_file: Option<T>,
        show: impl Fn(&T) -> String,
    ) {
        let flag = || format!("--{}", id.replace('_', "-"));
        let env = || format!("SSG_CLAIMS_{}", id.to_ascii_uppercase());
        let source = match self.matches.value_source(id) {
            Some(ValueSource::CommandLine) => Source::Flag(flag()),
            Some(ValueSource::EnvVariable) => Source::Environment(env()),
            _ => match from_file {
                Some(value) => {
                    *slot = value;
                    Source::File
                }
                None => Source::Default,
            },
        };
        self.effective.shown.push(Shown {
            key,
            value: show(slot),
            source,
        });
    }
}

fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The deepest subcommand's matches: where a command's own flags are.
fn leaf(matches: &ArgMatches) -> &ArgMatches {
    let mut leaf = matches;
    while let Some((_, deeper)) = leaf.subcommand() {
        leaf = deeper;
    }
    leaf
}

/// Reads the file `config` names, if any, and layers it under the flags and environment
/// that `matches` holds, into the command's settings.
pub fn apply(
    matches: &ArgMatches,
    config: Option<&Path>,
    log: &mut LogSettings,
    database: Option<&mut DatabaseArgs>,
    http: Option<&mut HttpArgs>,
) -> anyhow::Result<Effective> {
    let file = match config {
        Some(path) => File::read(path)?,
        None => File::default(),
    };
    let mut layers = Layers {
        matches: leaf(matches),
        effective: Effective {
            file: config.map(Path::to_path_buf),
            shown: Vec::new(),
        },
    };
    if let Some(args) = database {
        let url = file.database.url;
        layers.layer("database.url", "database", &mut args.database, url, |v| {
            quoted(&database::redacted(v))
        });
        let pool = file.database.pool_size;
        layers.layer(
            "database.pool_size",
            "db_pool_size",
            &mut args.db_pool_size,
            pool,
            u32::to_string,
        );
        let timeout = file.database.timeout_ms;
        layers.layer(
            "database.timeout_ms",
            "db_timeout_ms",
            &mut args.db_timeout_ms,
            timeout,
            u32::to_string,
        );
    }
    if let Some(args) = http {
        let show_errors =
            |v: &ErrorsArg| quoted(if *v == ErrorsArg::Http { "http" } else { "ssg" });
        layers.layer(
            "http.listen",
            "listen",
            &mut args.listen,
            file.http.listen,
            |v| quoted(&v.to_string()),
        );
        layers.layer(
            "http.errors",
            "errors",
            &mut args.errors,
            file.http.errors,
            show_errors,
        );
        layers.layer(
            "http.max_rows",
            "max_rows",
            &mut args.max_rows,
            file.http.max_rows,
            u32::to_string,
        );
        let grace = file.http.shutdown_grace_secs;
        layers.layer(
            "http.shutdown_grace_secs",
            "shutdown_grace_secs",
            &mut args.shutdown_grace_secs,
            grace,
            u32::to_string,
        );
        let limits = file.limits;
        let rate = file.rate_limit;
        for (key, id, slot, value) in [
            (
                "http.idempotency_hours",
                "idempotency_hours",
                &mut args.idempotency_hours,
                file.http.idempotency_hours,
            ),
            (
                "http.idempotency_max_keys",
                "idempotency_max_keys",
                &mut args.idempotency_max_keys,
                file.http.idempotency_max_keys,
            ),
            (
                "http.idempotency_max_mib",
                "idempotency_max_mib",
                &mut args.idempotency_max_mib,
                file.http.idempotency_max_mib,
            ),
            (
                "limits.request_timeout_secs",
                "request_timeout_secs",
                &mut args.request_timeout_secs,
                limits.request_timeout_secs,
            ),
            (
                "limits.send_timeout_secs",
                "send_timeout_secs",
                &mut args.send_timeout_secs,
                limits.send_timeout_secs,
            ),
            (
                "limits.max_streams_per_credential",
                "max_streams_per_credential",
                &mut args.max_streams_per_credential,
                limits.max_streams_per_credential,
            ),
            (
                "limits.max_in_flight",
                "max_in_flight",
                &mut args.max_in_flight,
                limits.max_in_flight,
            ),
            (
                "limits.max_connections",
                "max_connections",
                &mut args.max_connections,
                limits.max_connections,
            ),
            (
                "limits.header_read_timeout_secs",
                "header_read_timeout_secs",
                &mut args.header_read_timeout_secs,
                limits.header_read_timeout_secs,
            ),
            (
                "limits.max_headers",
                "max_headers",
                &mut args.max_headers,
                limits.max_headers,
            ),
            (
                "limits.max_header_bytes",
                "max_header_bytes",
                &mut args.max_header_bytes,
                limits.max_header_bytes,
            ),
            (
                "limits.platform_body_bytes",
                "platform_body_bytes",
                &mut args.platform_body_bytes,
                limits.platform_body_bytes,
            ),
            (
                "rate_limit.key_per_second",
                "rate_key_per_second",
                &mut args.rate_key_per_second,
                rate.key_per_second,
            ),
            (
                "rate_limit.key_burst",
                "rate_key_burst",
                &mut args.rate_key_burst,
                rate.key_burst,
            ),
            (
                "rate_limit.token_per_second",
                "rate_token_per_second",
                &mut args.rate_token_per_second,
                rate.token_per_second,
            ),
            (
                "rate_limit.token_burst",
                "rate_token_burst",
                &mut args.rate_token_burst,
                rate.token_burst,
            ),
        ] {
            layers.layer(key, id, slot, value, u32::to_string);
        }
    }
    layers.layer("log.filter", "log", &mut log.filter, file.log.filter, |v| {
        quoted(v)
    });
    let show_format = |v: &LogFormat| {
        quoted(if *v == LogFormat::Text {
            "text"
        } else {
            "json"
        })
    };
    layers.layer(
        "log.format",
        "log_format",
        &mut log.format,
        file.log.format,
        show_format,
    );
    Ok(layers.effective)
}

/// The settings in effect as a TOML document that can serve as a config file (secrets
/// redacted), each value followed by where it came from.
pub fn render(effective: &Effective) -> String {
    let mut out = String::from(
        "# Settings in effect. Each comes from its flag, else its SSG_CLAIMS_* environment\n\
         # variable, else the config file, else its default. Secrets are shown as ***.\n",
    );
    if let Some(file) = &effective.file {
        let _ = writeln!(out, "# Config file: {}", file.display());
    }
    let mut section = "";
    for shown in &effective.shown {
        let (name, key) = shown.key.split_once('.').expect("keys are section.key");
        if name != section {
            let _ = write!(out, "\n[{name}]\n");
            section = name;
        }
        let source = match &shown.source {
            Source::Flag(flag) => format!("flag {flag}"),
            Source::Environment(variable) => format!("environment {variable}"),
            Source::File => "config file".to_owned(),
            Source::Default => "default".to_owned(),
        };
        let _ = writeln!(out, "{key} = {}  # {source}", shown.value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_are_checked_against_the_flags_limits() {
        assert!(check("x", Some(0u32), POOL_SIZE).is_err());
        assert!(check("x", Some(1000u32), POOL_SIZE).is_ok());
        assert!(check::<u32>("x", None, POOL_SIZE).is_ok());
        let error = check("http.max_rows in f", Some(0u32), MAX_ROWS).unwrap_err();
        assert_eq!(
            error.to_string(),
            "http.max_rows in f is 0; it must be from 1 to 10000000"
        );
    }

    #[test]
    fn unknown_keys_are_named() {
        let error = toml::from_str::<File>("[http]\nlisten = \"127.0.0.1:1\"\nlistn = 1\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("listn"), "{error}");
        let error = toml::from_str::<File>("[htp]\n").unwrap_err().to_string();
        assert!(error.contains("htp"), "{error}");
    }
}
